//! MongoDB Compass's connection export (`{"type": "Compass Connections", "version": 1,
//! "connections": [...]}`, canonical Extended JSON), read as Compass's own import reads it
//! (mongodb-js/compass `packages/connection-storage/src/import-export-connection.ts`,
//! `encrypt.ts`; `packages/connection-info/src/connection-secrets.ts`; notes in
//! docs/research/ads_compass_workbench_ssms.md §2).
//!
//! Each entry's connection string goes through Switchboard's MongoDB URL reader (`tls=true`
//! verifies, as the drivers do); the favourite's name and colour are kept; the SSH tunnel
//! is a one-hop route. Secrets come three ways: stripped (asked for later), plain inside
//! the string and the tunnel (taken with the user's consent), or in `connectionSecrets`
//! encrypted with the export's passphrase: PBKDF2-HMAC-SHA512 (100,000 rounds) to an
//! AES-256-GCM key, a 16-byte nonce, the tag before the ciphertext.

use serde_json::Value;

use super::batch::{Batch, Entry, Row};
use super::{Imported, Parsed, SourceKind};
use crate::error::{CoreError, ErrorCode, Result};
use crate::model::PasswordSave;
use crate::secret::Secret;
use crate::ssh::{SshAuth, SshHop, SshRoute, DEFAULT_SSH_PORT};

/// Whether a JSON document is a Compass export.
pub fn is_export(v: &Value) -> bool {
    v.get("type").and_then(Value::as_str) == Some("Compass Connections")
}

/// A number as canonical EJSON writes it (`{"$numberInt": "22"}`) or plain.
fn number(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        Value::Object(o) => ["$numberInt", "$numberLong", "$numberDouble"]
            .iter()
            .find_map(|k| o.get(*k))
            .and_then(|x| x.as_str()?.parse::<f64>().ok())
            .map(|f| f as i64),
        _ => None,
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Compass's favourite colour codes (`use-connection-color.ts`), as the darker of the
/// two shades Compass paints them in, which reads as a stripe on a light list.
fn colour(code: &str) -> Option<&'static str> {
    Some(match code {
        "color1" => "#113b29",
        "color2" => "#023b37",
        "color3" => "#003362",
        "color4" => "#262a65",
        "color5" => "#3d224e",
        "color6" => "#500f1c",
        "color7" => "#4b143d",
        "color8" => "#462100",
        "color9" => "#362b00",
        _ => return None,
    })
}

/// Keys derived so far, by salt: Compass seals every entry of one export under the same
/// salt, and 100,000 rounds a row would make a large export take minutes.
pub type Keys = std::collections::HashMap<Vec<u8>, zeroize::Zeroizing<[u8; 32]>>;

/// Decrypts one `connectionSecrets` string with the export's passphrase.
pub fn decrypt_secrets(
    b64: &str,
    passphrase: &str,
    keys: &mut Keys,
) -> std::result::Result<Value, String> {
    use aes_gcm::aead::consts::U16;
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| "the secrets are not base64".to_owned())?;
    if raw.len() < 50 || raw[..2] != [0, 1] {
        return Err("the secrets are in a format this Switchboard does not know".into());
    }
    let (salt, iv, tag, body) = (&raw[2..18], &raw[18..34], &raw[34..50], &raw[50..]);
    let key = keys.entry(salt.to_vec()).or_insert_with(|| {
        let mut key = zeroize::Zeroizing::new([0u8; 32]);
        pbkdf2::pbkdf2_hmac::<sha2::Sha512>(passphrase.as_bytes(), salt, 100_000, key.as_mut());
        key
    });
    let mut msg = body.to_vec();
    msg.extend_from_slice(tag);
    let cipher = aes_gcm::AesGcm::<aes::Aes256, U16>::new_from_slice(key.as_ref())
        .map_err(|_| "the key could not be made".to_owned())?;
    let plain = zeroize::Zeroizing::new(
        cipher
            .decrypt(
                aes_gcm::aead::generic_array::GenericArray::from_slice(iv),
                Payload {
                    msg: &msg,
                    aad: &[],
                },
            )
            .map_err(|_| "the passphrase does not open them".to_owned())?,
    );
    serde_json::from_slice::<Value>(&plain)
        .ok()
        .and_then(|v| v.get("secrets").cloned())
        .ok_or_else(|| "they decrypt to something that is not Compass's secrets".into())
}

/// Every connection of the export as a row. `passphrase`: what the user typed for the
/// export's encrypted secrets; a wrong one refuses the whole file, so it can be retyped.
pub(super) fn rows(
    v: &Value,
    include_passwords: bool,
    passphrase: Option<&str>,
    batch: &mut Batch,
) -> Result<()> {
    let version = number(v.get("version"));
    if version != Some(1) {
        return Err(CoreError::input(
            ErrorCode::PayloadInvalid,
            Some("payload"),
            "The Compass export is not version 1, the only one Compass writes today.",
            "Export the connections again from Compass (Connect → Export saved connections).",
        ));
    }
    let conns = v
        .get("connections")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut locked: i64 = 0;
    let mut keys = Keys::new();
    for (i, c) in conns.iter().enumerate() {
        let sealed = text(c.get("connectionSecrets"));
        let secrets = match (&sealed, passphrase) {
            (Some(s), Some(p)) => Some(decrypt_secrets(s, p, &mut keys).map_err(|why| {
                CoreError::input(
                    ErrorCode::PayloadInvalid,
                    Some("passphrase"),
                    format!("The secrets of connection {} cannot be read: {why}.", i + 1),
                    "Type the passphrase the export was made with.",
                )
            })?),
            (Some(_), None) => {
                locked += 1;
                None
            }
            _ => None,
        };
        let taken = include_passwords || secrets.is_some();
        let label = c
            .get("favorite")
            .and_then(|f| text(f.get("name")))
            .unwrap_or_else(|| format!("connections[{i}]"));
        let entry = match connection(c, secrets.as_ref(), taken) {
            Ok(mut imp) => {
                let id = c.get("id").and_then(Value::as_str).unwrap_or("");
                super::mark_source(&mut imp, crate::connstr::tools::Tool::Compass, id);
                Entry::Connection(Box::new(Parsed {
                    kind: SourceKind::Tool(super::tools::Tool::Compass),
                    imported: imp,
                }))
            }
            Err(e) => Entry::Invalid(e),
        };
        batch.rows.push(Row { label, entry });
    }
    if locked > 0 {
        batch.needs_passphrase = true;
        batch.notes.push(format!(
            "{} secrets sealed with the export's passphrase: give it to bring them into the keychain",
            crate::words::count(locked, "connection has its", "connections have their")
        ));
    }
    if batch.rows.is_empty() {
        batch
            .notes
            .push("the Compass export holds no connections".into());
    }
    Ok(())
}

fn connection(c: &Value, secrets: Option<&Value>, taken: bool) -> Result<Imported> {
    let null = Value::Null;
    let opts = c.get("connectionOptions").unwrap_or(&null);
    let uri = text(opts.get("connectionString")).ok_or_else(|| {
        super::draft::invalid(
            "The entry has no connection string.",
            "Export the connection again from Compass.",
        )
    })?;
    let mut imp = super::import(&uri)?.imported;
    let secret = |k: &str| secrets.and_then(|s| text(s.get(k)));
    if let Some(p) = secret("password") {
        imp.password = Some(Secret::new(p));
    }
    if imp.password.is_some() && !taken {
        imp.password = None;
        imp.warnings.push(
            "the export holds the password; it was not read (import with passwords included to bring it into the keychain)".into(),
        );
    }
    imp.fields.password_save = if imp.password.is_some() {
        PasswordSave::Keychain
    } else if imp.fields.username.is_empty() {
        PasswordSave::None
    } else {
        PasswordSave::Ask
    };
    if let Some(fav) = c.get("favorite") {
        if let Some(n) = text(fav.get("name")) {
            imp.fields.name = n;
        }
        imp.fields.color = text(fav.get("color"))
            .and_then(|code| colour(&code))
            .map(str::to_owned);
    }
    if imp.fields.name.is_empty() {
        imp.fields.name = super::draft::derive_name(&imp.fields);
    }
    if let Some(t) = opts.get("sshTunnel").filter(|t| t.is_object()) {
        let key = text(t.get("identityKeyFile"));
        let auth = if key.is_some() {
            SshAuth::Key
        } else {
            SshAuth::Password
        };
        let given = if key.is_some() {
            text(t.get("identityKeyPassphrase")).or_else(|| secret("sshTunnelPassphrase"))
        } else {
            text(t.get("password")).or_else(|| secret("sshTunnelPassword"))
        };
        let given = given.filter(|_| taken);
        imp.fields.ssh = Some(SshRoute::Hops {
            hops: vec![SshHop {
                host: text(t.get("host")).unwrap_or_default(),
                port: number(t.get("port"))
                    .and_then(|p| u32::try_from(p).ok())
                    .filter(|p| *p != 0)
                    .unwrap_or(DEFAULT_SSH_PORT),
                user: text(t.get("username")).unwrap_or_default(),
                auth,
                key_files: key.into_iter().collect(),
                secret_save: match (&given, auth) {
                    (Some(_), _) => PasswordSave::Keychain,
                    (None, SshAuth::Key) => PasswordSave::None,
                    (None, _) => PasswordSave::Ask,
                },
            }],
        });
        imp.ssh_secrets = vec![given.map(Secret::new)];
    }
    for (key, what) in [
        ("oidc", "OIDC sign-in settings"),
        ("fleOptions", "Queryable Encryption / CSFLE settings"),
        (
            "useApplicationLevelProxy",
            "Compass's application-level proxy",
        ),
    ] {
        if opts
            .get(key)
            .is_some_and(|v| !v.is_null() && v != &Value::Bool(false))
        {
            imp.warnings.push(format!(
                "{what} ({key}) have no place in Switchboard and were left out"
            ));
        }
    }
    for (key, what) in [
        ("tlsCertificateKeyFilePassword", "the client key's password"),
        ("proxyPassword", "the proxy's password"),
        ("awsSessionToken", "the AWS session token"),
    ] {
        if secret(key).is_some() {
            imp.warnings.push(format!(
                "{what} has no place in Switchboard and was left out"
            ));
        }
    }
    imp.tls_from =
        Some("the connection string's tls / ssl options, as the MongoDB drivers read them".into());
    Ok(imp)
}
