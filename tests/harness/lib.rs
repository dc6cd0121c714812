//! Test harness: real servers and real keychains for the integration tests.
//!
//! Everything it starts lives under `$SWITCHBOARD_TEST_ROOT` when the test command sets it
//! (so the final secret scan can read every data directory), else under a temp dir.

pub mod ca;
pub mod cli;
pub mod imports;
pub mod many;
pub mod mariadb;
pub mod mongo;
pub mod net;
pub mod pg;
pub mod proc;
pub mod sshd;
pub mod tds;
pub mod tns;
pub mod window;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Root for this run's files.
pub fn test_root() -> PathBuf {
    static ROOT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| match std::env::var_os("SWITCHBOARD_TEST_ROOT") {
        Some(r) if !r.is_empty() => {
            let p = PathBuf::from(r);
            std::fs::create_dir_all(&p).expect("create SWITCHBOARD_TEST_ROOT");
            p
        }
        _ => tempfile::Builder::new()
            .prefix("switchboard-test-")
            .tempdir()
            .expect("temp dir")
            .keep(),
    })
    .clone()
}

/// A fresh, empty Switchboard data directory (kept for the secret scan).
pub fn data_dir(label: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let dir = test_root().join("switchboard-data").join(format!(
        "{label}-{}-{n}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).expect("create data dir");
    dir
}

/// The marker every test secret carries, so a scan can prove none reached disk.
pub fn secret_marker() -> String {
    std::env::var("SWITCHBOARD_TEST_SECRET_MARKER").unwrap_or_else(|_| "sbtestsecret".into())
}

/// A unique password containing the marker and characters that need escaping.
pub fn test_password(tag: &str) -> String {
    format!(
        "{}-{tag}-p@ss:w/rd%{}",
        secret_marker(),
        uuid::Uuid::new_v4().simple()
    )
}

/// A binary of this workspace (built by `cargo build --workspace`, which the test command
/// runs first).
pub fn workspace_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    // target/<profile>/deps/<test>-<hash> → target/<profile>/<name>
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let p = dir.join(name);
    assert!(
        p.exists(),
        "{} is missing: run `cargo build --workspace` first (the test command does)",
        p.display()
    );
    p
}

/// Panics with a clear message when no session bus is around (tests that use the real
/// keychain run under `dbus-run-session` with gnome-keyring, as the test command does).
pub fn require_keyring_session() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "these tests use the real Secret Service: run them through `bash .ci/test.sh`, which \
         starts dbus-run-session and an unlocked gnome-keyring"
    );
}

/// The CA files this process's tests left in the temp dir for `driver` (the core names
/// them `switchboard-<driver>-ca-<pid>-…`), to check that each test removes its own.
pub fn ca_files_left(driver: &str) -> Vec<String> {
    let prefix = format!("switchboard-{driver}-ca-{}-", std::process::id());
    std::fs::read_dir(std::env::temp_dir())
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(&prefix))
                .collect()
        })
        .unwrap_or_default()
}
