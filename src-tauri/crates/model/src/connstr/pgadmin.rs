//! pgAdmin 4's `servers.json`, what its Import/Export Servers (and `setup.py
//! load-servers`) read and write: `{"Servers": {"1": {...}}}`. Read as pgAdmin's own loader
//! reads it (pgadmin-org/pgadmin4, `web/pgadmin/utils/__init__.py`,
//! `load_database_servers`; docs/research/pgadmin_datagrip.md §1): a `ConnectionParameters`
//! object (pgAdmin 6.20 and later) replaces the older top-level SSL keys outright, and
//! otherwise those keys are taken under their libpq names. The libpq settings then go
//! through Switchboard's libpq reader, so `sslmode` means what libpq says it means and
//! certificate files are named for the user to read, never guessed.

use serde_json::Value;

use super::batch::{Batch, Entry, Row};
use super::{Parsed, SourceKind};
use crate::libpq::Conninfo;
use crate::model::PasswordSave;
use crate::ssh::{SshAuth, SshHop, SshRoute};

/// Whether a JSON document is a pgAdmin servers export.
pub fn is_servers(v: &Value) -> bool {
    v.get("Servers").is_some_and(Value::is_object)
}

/// The keys pgAdmin wrote at the top level before `ConnectionParameters`, as libpq names them.
const LEGACY: [(&str, &str); 9] = [
    ("HostAddr", "hostaddr"),
    ("SSLMode", "sslmode"),
    ("PassFile", "passfile"),
    ("SSLCert", "sslcert"),
    ("SSLKey", "sslkey"),
    ("SSLRootCert", "sslrootcert"),
    ("SSLCrl", "sslcrl"),
    ("Timeout", "connect_timeout"),
    ("SSLCompression", "sslcompression"),
];

/// pgAdmin settings Switchboard has no place for: named in a warning when set.
const UNCARRIED: [(&str, &str); 8] = [
    ("Role", "the role pgAdmin sets after connecting"),
    ("DBRestriction", "the databases pgAdmin lists"),
    ("PostConnectionSQL", "SQL pgAdmin runs after connecting"),
    (
        "PasswordExecCommand",
        "the command pgAdmin runs for the password",
    ),
    ("KerberosAuthentication", "Kerberos authentication"),
    ("Shared", "sharing with other pgAdmin users"),
    ("PrepareThreshold", "the prepare threshold"),
    ("FGColor", "the text colour"),
];

/// libpq settings that are secrets: never imported from a file of settings.
const SECRET_PARAMS: [&str; 3] = ["password", "sslpassword", "oauth_client_secret"];

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "1" } else { "0" }.into()),
        _ => None,
    }
}

fn flag(server: &Value, key: &str) -> bool {
    server
        .get(key)
        .and_then(text)
        .is_some_and(|s| s == "1" || s.eq_ignore_ascii_case("true"))
}

/// Every server as a row, in the file's order of numbered keys.
pub(super) fn rows(v: &Value, batch: &mut Batch) {
    let Some(servers) = v.get("Servers").and_then(Value::as_object) else {
        return;
    };
    let mut keys: Vec<&String> = servers.keys().collect();
    keys.sort_by_key(|k| (k.parse::<u64>().unwrap_or(u64::MAX), k.as_str()));
    for key in keys {
        let server = &servers[key.as_str()];
        let label = server
            .get("Name")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("Servers.{key}"));
        let entry = match server_entry(server) {
            Ok(parsed) => Entry::Connection(Box::new(parsed)),
            Err(e) => Entry::Invalid(e),
        };
        batch.rows.push(Row { label, entry });
    }
    if batch.rows.is_empty() {
        batch.notes.push("the pgAdmin file lists no servers".into());
    }
}

fn server_entry(server: &Value) -> crate::error::Result<Parsed> {
    let get = |k: &str| server.get(k).and_then(text).filter(|s| !s.is_empty());
    let mut kv = Conninfo::new();
    let mut warnings = Vec::new();
    for (key, libpq) in [
        ("Host", "host"),
        ("Port", "port"),
        ("MaintenanceDB", "dbname"),
        ("Username", "user"),
        ("Service", "service"),
    ] {
        if let Some(v) = get(key) {
            kv.insert(libpq.into(), v);
        }
    }
    match server.get("ConnectionParameters") {
        Some(Value::Object(params)) => {
            for (k, v) in params {
                if SECRET_PARAMS.contains(&k.as_str()) {
                    warnings.push(format!(
                        "{k} in ConnectionParameters is a secret and was not imported: enter it in the form"
                    ));
                } else if let Some(v) = text(v) {
                    kv.insert(k.clone(), v);
                }
            }
        }
        _ => {
            for (key, libpq) in LEGACY {
                if let Some(v) = get(key) {
                    kv.insert(libpq.into(), v);
                }
            }
        }
    }
    let mut imp = super::postgres::from_conninfo(kv)?;
    imp.warnings.append(&mut warnings);
    let f = &mut imp.fields;
    if let Some(name) = get("Name") {
        f.name = name;
    }
    // pgAdmin's groups are one level (a name, no parent): the group is the folder.
    f.folder = crate::folder::normalize(&get("Group").unwrap_or_default());
    f.description = get("Comment");
    f.color = get("BGColor");
    if let Some(Value::Array(tags)) = server.get("Tags") {
        f.tags = tags
            .iter()
            .filter_map(|t| t.get("text").and_then(Value::as_str))
            .map(str::to_owned)
            .collect();
    }
    if flag(server, "UseSSHTunnel") {
        let key_file = get("TunnelIdentityFile");
        let by_key = get("TunnelAuthentication").as_deref() == Some("1");
        f.ssh = Some(SshRoute::Hops {
            hops: vec![SshHop {
                host: get("TunnelHost").unwrap_or_default(),
                port: get("TunnelPort")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(crate::ssh::DEFAULT_SSH_PORT),
                user: get("TunnelUsername").unwrap_or_default(),
                auth: if by_key {
                    SshAuth::Key
                } else {
                    SshAuth::Password
                },
                key_files: key_file.into_iter().filter(|_| by_key).collect(),
                // pgAdmin never exports the tunnel's password or passphrase: asked for.
                secret_save: PasswordSave::Ask,
            }],
        });
    }
    for (key, what) in UNCARRIED {
        let set = match server.get(key) {
            Some(Value::Bool(b)) => *b,
            Some(v) => text(v).is_some_and(|s| !s.is_empty() && s != "0"),
            None => false,
        };
        if set {
            imp.warnings.push(format!(
                "{key} ({what}) has no place in Switchboard and was left out"
            ));
        }
    }
    Ok(Parsed {
        kind: SourceKind::PgAdmin,
        imported: imp,
    })
}
