//! What the tests of other tools' files share: a Switchboard on a fresh data dir in the
//! keyring session, a preview's row by its label, `import --discover` as the CLI prints it
//! for a given home, and secrets sealed by the tools' own library.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use switchboard_core::imports::{ImportPreview, PreviewRow};
use switchboard_core::ssh::{SshAuth, SshRoute};
use switchboard_core::summary::ConnectionSummary;
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

/// The saved connection named `name` (fails naming the ones there are).
pub async fn saved(sb: &Switchboard, name: &str) -> ConnectionSummary {
    let listed = sb.summaries().await.expect("list");
    let names: Vec<String> = listed.connections.iter().map(|c| c.name.clone()).collect();
    listed
        .connections
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no saved {name}: {names:?}"))
}

/// The secret the keychain holds for hop `hop` of a connection just created (generation 0).
pub fn hop_secret(id: uuid::Uuid, hop: usize) -> Option<String> {
    use switchboard_core::keychain::{Keychain, SecretKind, SecretRef};
    let kind = SecretKind::ssh(hop).expect("a hop slot");
    Keychain::new()
        .get(&SecretRef::new(kind, id, ""))
        .expect("the keychain answers")
        .map(|s| s.expose().to_owned())
}

/// `bytes` (a sealed secret, an obfuscated password) is nowhere in the data dir's database
/// files: a test's own proof for what the plaintext secret scan cannot see.
pub fn not_stored(label: &str, sealed: &[&str]) {
    let dir = data_dir(label);
    for entry in std::fs::read_dir(&dir).expect("data dir") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if !name.starts_with("switchboard.db") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("read");
        for s in sealed {
            assert!(
                !bytes.windows(s.len()).any(|w| w == s.as_bytes()),
                "{name} holds a sealed value"
            );
        }
    }
}

/// The find of `tool` in `import --discover --json`'s output (fails showing what was found).
pub fn offer<'a>(found: &'a serde_json::Value, tool: &str) -> &'a serde_json::Value {
    found
        .as_array()
        .expect("a list")
        .iter()
        .find(|f| f["tool"] == tool)
        .unwrap_or_else(|| panic!("no {tool} in {found:#}"))
}

/// A route's hops as (host, port, user, auth), to compare at a glance.
pub fn hops(route: Option<&SshRoute>) -> Vec<(String, u32, String, SshAuth)> {
    match route {
        Some(SshRoute::Hops { hops }) => hops
            .iter()
            .map(|h| (h.host.clone(), h.port, h.user.clone(), h.auth))
            .collect(),
        other => panic!("not a route of hops: {other:?}"),
    }
}

/// `switchboard import --discover --json` run with `home` as the user's home and `env`
/// besides (XDG dirs); what it found.
pub fn discover(home: &Path, env: &[(&str, &Path)], label: &str) -> serde_json::Value {
    let out = std::process::Command::new(workspace_bin("switchboard"))
        .args(["import", "--discover", "--json"])
        .env("HOME", home)
        .env_remove("XDG_DATA_HOME")
        .env_remove("XDG_CONFIG_HOME")
        // Other tools' overrides of their places, if this machine's user has them.
        .env_remove("WORKSPACE_DIR")
        .env_remove("PGSERVICEFILE")
        .env_remove("PGSYSCONFDIR")
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

/// simple-encryptor 3.0.0 from npm (tests/node), as Beekeeper Studio and DbGate use it: a
/// fresh key sealed under the tool's shipped one (the `.key` file's text), and each value
/// sealed under the fresh key.
pub fn seal(shipped_key: &str, values: &[&str]) -> (String, Vec<String>) {
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("node/node_modules/simple-encryptor");
    assert!(
        lib.exists(),
        "simple-encryptor is missing: the test command installs it (npm ci --prefix tests/node)"
    );
    let script = format!(
        r#"const E = require({lib:?}); const crypto = require('crypto');
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const key = crypto.randomBytes(32).toString('hex');
const keyFile = E({shipped_key:?}).encrypt({{ encryptionKey: key }});
const sealed = input.map((v) => E(key).encrypt(v));
process.stdout.write(JSON.stringify({{ keyFile, sealed }}));"#,
        lib = lib.display().to_string()
    );
    let mut child = Command::new("node")
        .args(["-e", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&serde_json::to_vec(values).unwrap())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "simple-encryptor failed");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (
        v["keyFile"].as_str().unwrap().to_owned(),
        v["sealed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect(),
    )
}
