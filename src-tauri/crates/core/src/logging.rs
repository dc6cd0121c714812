//! Log file in the data directory (0600 in a 0700 folder). Only ids, names, codes and timings are logged; secrets
//! are `Secret` values whose Debug/Display print `<redacted>`.

use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

/// Appends to `<data dir>/logs/switchboard.log`. Level from `SWITCHBOARD_LOG` (default info).
/// Call once at start-up; a second call is ignored.
pub fn init(data_dir: &Path) -> std::io::Result<()> {
    let dir = crate::paths::log_dir(data_dir);
    crate::paths::create_private_dir(&dir).map_err(std::io::Error::other)?;
    let file = crate::paths::create_private_file(&dir.join("switchboard.log"))
        .map_err(std::io::Error::other)?;
    let filter = EnvFilter::try_from_env("SWITCHBOARD_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init();
    Ok(())
}
