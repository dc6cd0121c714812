//! Sequel Ace's favorites: its `Favorites.plist` (`{"Favorites Root": {Name, Children}}`,
//! groups as dicts with `Children`) and the file its "Export Favorites" writes
//! (`{"SPConnectionFavorites": [...]}`), XML or binary property lists (the `plist` crate).
//! Read as Sequel-Ace/Sequel-Ace defines them (`Source/Other/Data/SPConstants.m` for the
//! keys, `SPConstants.h` for the connection types, `SPMySQLConnection.m` for TLS: with
//! "Require SSL" libmysqlclient gets ssl-mode REQUIRED, without it PREFERRED and then a
//! plain retry). Passwords live only in the macOS Keychain: each row says so.

use plist::{Dictionary, Value};

use super::batch::{Batch, Entry, Row};
use super::draft::{draft, file};
use super::{FileSlot, Imported, SourceKind};
use crate::error::Result;
use crate::model::{Engine, PasswordSave, TlsMode};
use crate::ssh::{SshAuth, SshHop, SshRoute, DEFAULT_SSH_PORT};

/// Whether `bytes` is a property list of Sequel Ace's favorites (its key names show in
/// both the XML and the binary form).
pub fn is_favorites(bytes: &[u8]) -> bool {
    let is_plist =
        bytes.starts_with(b"bplist00") || bytes.windows(6).take(512).any(|w| w == b"<plist");
    let has = |k: &[u8]| bytes.windows(k.len()).any(|w| w == k);
    is_plist && (has(b"Favorites Root") || has(b"SPConnectionFavorites"))
}

fn text(d: &Dictionary, k: &str) -> Option<String> {
    match d.get(k)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Integer(n) => Some(n.to_string()),
        _ => None,
    }
}

fn int(d: &Dictionary, k: &str) -> Option<i64> {
    match d.get(k)? {
        Value::Integer(n) => n.as_signed(),
        Value::Boolean(b) => Some(i64::from(*b)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Every favorite as a row, groups as folders (empty ones kept).
pub(super) fn rows(bytes: &[u8], label: &str, batch: &mut Batch) -> Result<()> {
    let root = Value::from_reader(std::io::Cursor::new(bytes)).map_err(|e| {
        super::draft::invalid(
            format!("{label} is not a property list Sequel Ace wrote ({e})."),
            "Import Favorites.plist, or a file from Sequel Ace's Export Favorites, as it is.",
        )
    })?;
    let dict = root.as_dictionary();
    let items: Vec<Value> = match (
        dict.and_then(|d| d.get("Favorites Root")),
        dict.and_then(|d| d.get("SPConnectionFavorites")),
    ) {
        // The root group's own name ("Favorites") is no folder.
        (Some(Value::Dictionary(r)), _) => match r.get("Children") {
            Some(Value::Array(a)) => a.clone(),
            _ => Vec::new(),
        },
        (_, Some(Value::Array(a))) => a.clone(),
        _ => {
            return Err(super::draft::invalid(
                format!("{label} holds no Sequel Ace favorites."),
                "Import Favorites.plist, or a file from Sequel Ace's Export Favorites.",
            ))
        }
    };
    walk(&items, "", batch);
    batch.note_if_empty(format!("{label} holds no favorites"));
    Ok(())
}

fn walk(items: &[Value], folder: &str, batch: &mut Batch) {
    for item in items {
        let Some(d) = item.as_dictionary() else {
            continue;
        };
        if let Some(Value::Array(children)) = d.get("Children") {
            let name = text(d, "Name").unwrap_or_default();
            let path = crate::folder::normalize(&if folder.is_empty() {
                name.replace('/', "∕")
            } else {
                format!("{folder}/{}", name.replace('/', "∕"))
            });
            if children.is_empty() && !batch.folders.contains(&path) {
                batch.folders.push(path.clone());
            }
            walk(children, &path, batch);
            continue;
        }
        let label = text(d, "name")
            .or_else(|| text(d, "host"))
            .unwrap_or_else(|| "favorite".into());
        let entry = match int(d, "type").unwrap_or(0) {
            3 => Entry::Skipped(
                "Sequel Ace logs in to this server with an AWS IAM token, which Switchboard does not offer".into(),
            ),
            4 => Entry::Skipped(
                "Sequel Ace takes this server's credentials from HashiCorp Vault, which Switchboard does not read".into(),
            ),
            kind => match favorite(d, kind) {
                Ok(mut imp) => {
                    imp.fields.name = label.clone();
                    imp.fields.folder = folder.to_owned();
                    super::mark_source(&mut imp, crate::connstr::tools::Tool::SequelAce, &text(d, "id").unwrap_or_default());
                    Entry::parsed(SourceKind::Tool(super::tools::Tool::SequelAce), imp)
                }
                Err(e) => Entry::Invalid(e),
            },
        };
        batch.rows.push(Row { label, entry });
    }
}

fn favorite(d: &Dictionary, kind: i64) -> Result<Imported> {
    let mut imp = draft(Engine::Mysql);
    let f = &mut imp.fields;
    f.host = if kind == 1 {
        text(d, "socket").unwrap_or_default()
    } else {
        text(d, "host").unwrap_or_default()
    };
    if let Some(p) = text(d, "port").filter(|_| kind != 1) {
        f.port = super::draft::parse_port(&p)?;
    }
    f.username = text(d, "user").unwrap_or_default();
    f.database = text(d, "database").unwrap_or_default();
    f.password_save = PasswordSave::Ask;
    let ssl = int(d, "useSSL") == Some(1);
    f.tls.mode = if ssl {
        TlsMode::Require
    } else {
        TlsMode::Prefer
    };
    imp.tls_from = Some(if ssl {
        "Sequel Ace's Require SSL: libmysqlclient's ssl-mode REQUIRED (encrypted, not verified)"
            .into()
    } else {
        "no Require SSL: libmysqlclient's ssl-mode PREFERRED, then a plain retry if that fails"
            .into()
    });
    for (k, slot) in [
        ("sslCACertFileLocation", FileSlot::Ca),
        ("sslCertificateFileLocation", FileSlot::ClientCert),
        ("sslKeyFileLocation", FileSlot::ClientKey),
    ] {
        let enabled = int(d, &format!("{k}Enabled")) == Some(1);
        if let Some(path) = text(d, k).filter(|_| ssl && enabled) {
            file(&mut imp, slot, k, path);
        }
    }
    if int(d, "requestServerPublicKey") == Some(1) {
        imp.warnings.push(
            "Sequel Ace asks the server for its RSA key; Switchboard's MySQL driver does so too when the password must cross an unencrypted connection: require TLS so that it never does".into(),
        );
    }
    if kind == 2 {
        let by_key = int(d, "sshKeyLocationEnabled") == Some(1);
        let key = text(d, "sshKeyLocation").filter(|_| by_key);
        let auth = if key.is_some() {
            SshAuth::Key
        } else {
            SshAuth::Password
        };
        if let Some(socket) = text(d, "sshRemoteSocketPath") {
            imp.warnings.push(format!(
                "Sequel Ace reaches the server through the socket {socket} on the SSH host; Switchboard forwards to a host and port: check them"
            ));
        }
        imp.fields.ssh = Some(SshRoute::Hops {
            hops: vec![SshHop {
                host: text(d, "sshHost").unwrap_or_default(),
                port: text(d, "sshPort")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(DEFAULT_SSH_PORT),
                user: text(d, "sshUser").unwrap_or_default(),
                auth,
                key_files: key.into_iter().collect(),
                secret_save: PasswordSave::Ask,
            }],
        });
    }
    imp.warnings.push(
        "Sequel Ace keeps the password only in the macOS Keychain: enter it in the form".into(),
    );
    Ok(imp)
}
