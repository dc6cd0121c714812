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

/// Creates `dir` (and its parents) readable by this user only, and narrows an existing one:
/// the data dir holds every host, user name and certificate.
pub fn create_private_dir(dir: &std::path::Path) -> crate::error::Result<()> {
    let fail = |e: std::io::Error| {
        crate::error::CoreError::Storage(format!("cannot create {}: {e}", dir.display()))
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(fail)?;
    restrict(dir, 0o700).map_err(fail)
}

/// Opens `path` for appending, creating it readable and writable by this user only (and
/// narrowing an existing file).
pub fn create_private_file(path: &std::path::Path) -> crate::error::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let fail = |e: std::io::Error| {
        crate::error::CoreError::Storage(format!("cannot open {}: {e}", path.display()))
    };
    let file = options.open(path).map_err(fail)?;
    restrict(path, 0o600).map_err(fail)?;
    Ok(file)
}

/// Sets `path`'s permission bits where the OS has them (whatever the umask made them).
pub fn restrict(path: &std::path::Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

/// Start-up hardening for a process that will hold secrets: no core dumps (a dump would
/// write passwords to disk). Called first thing by the app and the CLI.
pub fn no_core_dumps() {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{setrlimit, Resource, Rlimit};
        let zero = Rlimit {
            current: Some(0),
            maximum: Some(0),
        };
        if let Err(e) = setrlimit(Resource::Core, zero) {
            eprintln!("switchboard: could not turn core dumps off: {e}");
        }
    }
}
