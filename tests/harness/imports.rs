//! What the tests of other tools' files share: a Switchboard on a fresh data dir in the
//! keyring session, a preview's row by its label, and `import --discover` as the CLI
//! prints it for a given home.

use std::path::Path;

use switchboard_core::imports::{ImportPreview, PreviewRow};
use switchboard_core::Switchboard;

use crate::{data_dir, require_keyring_session, workspace_bin};

/// A Switchboard on a fresh data dir (`label`), with the real Secret Service.
pub async fn open(label: &str) -> Switchboard {
    require_keyring_session();
    Switchboard::open(&data_dir(label)).await.expect("open")
}

/// The preview's row labelled `label` (fails naming the rows there are).
pub fn row<'a>(preview: &'a ImportPreview, label: &str) -> &'a PreviewRow {
    preview
        .rows
        .iter()
        .find(|r| r.label == label)
        .unwrap_or_else(|| panic!("no row {label}: {preview:#?}"))
}

/// `switchboard import --discover --json` run with `home` as the user's home and `env`
/// besides (XDG dirs); what it found.
pub fn discover(home: &Path, env: &[(&str, &Path)], label: &str) -> serde_json::Value {
    let out = std::process::Command::new(workspace_bin("switchboard"))
        .args(["import", "--discover", "--json"])
        .env("HOME", home)
        .env_remove("XDG_DATA_HOME")
        .env_remove("XDG_CONFIG_HOME")
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .env("SWITCHBOARD_DATA_DIR", data_dir(label))
        .output()
        .expect("switchboard import --discover");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}
