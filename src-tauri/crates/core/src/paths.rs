//! Where Switchboard keeps its files.

use std::path::PathBuf;

pub const DATA_DIR_ENV: &str = "SWITCHBOARD_DATA_DIR";

/// `$SWITCHBOARD_DATA_DIR` if set (tests, portable use), else the per-user data directory
/// (`~/.local/share/switchboard` on Linux). The app and the CLI share it.
pub fn data_dir() -> Option<PathBuf> {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(d) if !d.is_empty() => Some(PathBuf::from(d)),
        _ => directories::BaseDirs::new().map(|b| b.data_dir().join("switchboard")),
    }
}

pub fn log_dir(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("logs")
}
