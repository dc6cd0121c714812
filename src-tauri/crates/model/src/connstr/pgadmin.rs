//! pgAdmin 4's `servers.json`, what its Import/Export Servers (and `setup.py
//! load-servers`) read and write: `{"Servers": {"1": {...}}}`. Read as pgAdmin's own loader
//! reads it (pgadmin-org/pgadmin4, `web/pgadmin/utils/__init__.py`,
//! `load_database_servers`; docs/research/pgadmin_datagrip.md §1): a `ConnectionParameters`
//! object (pgAdmin 6.20 and later) replaces the older top-level SSL keys outright, and
//! otherwise those keys are taken under their libpq names. The libpq settings then go
//! through Switchboard's libpq reader, so `sslmode` means what libpq says it means and
//! certificate files are named for the user to read, never guessed.

use serde_json::Value;

use super::batch::{Batch, Entry, ReadOptions, Row};
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

/// The group pgAdmin puts a server in when none is named (its tree's top).
const DEFAULT_GROUP: &str = "Servers";

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
pub(super) fn rows(v: &Value, opts: ReadOptions<'_>, batch: &mut Batch) {
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
        let entry = match server_entry(server, opts) {
            Ok(parsed) => Entry::Connection(Box::new(parsed)),
            Err(e) => Entry::Invalid(e),
        };
        batch.rows.push(Row { label, entry });
    }
    if batch.rows.is_empty() {
        batch.notes.push("the pgAdmin file lists no servers".into());
    }
}

fn server_entry(server: &Value, opts: ReadOptions<'_>) -> crate::error::Result<Parsed> {
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
    let mut tls_from = None;
    if let Some(name) = kv.get("service").cloned() {
        // pgAdmin hands libpq `service=…` beside the fields it has: the section fills only
        // what they leave unset (its Port and MaintenanceDB always win).
        match crate::libpq::service_section(opts.pg_services, &name) {
            Ok((section, path)) => {
                if section.contains_key("sslmode") && !kv.contains_key("sslmode") {
                    tls_from = Some(format!("sslmode of [{name}] in {path}, as libpq reads it"));
                }
                crate::libpq::apply_service(&mut kv, section);
                // A service file may hold a password: taken only with the user's consent.
                for k in SECRET_PARAMS {
                    if kv.contains_key(k) && !opts.include_passwords {
                        kv.remove(k);
                        warnings.push(format!(
                            "{k} in the service {name} is a secret: import with passwords to take it, or enter it in the form"
                        ));
                    }
                }
                warnings.push(format!(
                    "the service {name} was read from {path} on this machine, as libpq would"
                ));
            }
            Err(e) => {
                kv.remove("service");
                warnings.push(format!(
                    "the service {name} could not be read: {e}; enter the host in the form, or add the service to ~/.pg_service.conf and import again"
                ));
            }
        }
    }
    let passfile = kv.remove("passfile");
    let mut imp = super::postgres::from_conninfo(kv)?;
    imp.warnings.append(&mut warnings);
    if tls_from.is_some() {
        imp.tls_from = tls_from;
    }
    if let Some(path) = passfile.filter(|p| !p.is_empty()) {
        // libpq reads the password from this pgpass file; with the user's consent, so does
        // the import (core matches the line once the fields are final).
        if opts.include_passwords {
            super::draft::file(&mut imp, super::FileSlot::Passfile, "passfile", path);
        } else {
            imp.warnings.push(format!(
                "the password is kept in the pgpass file {path}: import with passwords to take it into the keychain"
            ));
        }
    }
    // pgAdmin's file numbers its servers afresh on every export: group and name are
    // what stays the same.
    super::mark_source(
        &mut imp,
        crate::connstr::tools::Tool::Pgadmin,
        &format!(
            "{}/{}",
            get("Group").unwrap_or_default(),
            get("Name").unwrap_or_default()
        ),
    );
    let f = &mut imp.fields;
    if let Some(name) = get("Name") {
        f.name = name;
    }
    // pgAdmin's groups are one level (a name, no parent): the group is the folder, a
    // path when Switchboard wrote it. "Servers", pgAdmin's default group, is no folder.
    let group = get("Group").unwrap_or_default();
    f.folder = if group == DEFAULT_GROUP {
        String::new()
    } else {
        crate::folder::normalize(&group)
    };
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
        kind: SourceKind::Tool(super::tools::Tool::Pgadmin),
        imported: imp,
    })
}

/// The PostgreSQL connections of `list` as a pgAdmin `servers.json` (what its Import
/// Servers and `setup.py load-servers` read: the `ConnectionParameters` layout of 6.20 and
/// later), and what it could not say. pgAdmin holds no password in this file and only
/// PostgreSQL servers; a folder path is the group's name (pgAdmin groups are one level,
/// and Switchboard reads the name back as the path); one SSH hop is all pgAdmin tunnels.
pub fn export_servers(list: &[crate::model::ConnectionFields]) -> (String, Vec<String>) {
    use crate::model::Engine;
    let mut servers = serde_json::Map::new();
    let mut warnings = Vec::new();
    for f in list {
        if f.engine != Engine::Postgres {
            warnings.push(format!(
                "{}: pgAdmin holds only PostgreSQL servers; it was left out",
                f.name
            ));
            continue;
        }
        let mut params = serde_json::Map::new();
        params.insert("sslmode".into(), f.tls.mode.as_str().into());
        params.insert("connect_timeout".into(), f.timeout_secs.into());
        for (option, libpq) in [
            ("application_name", "application_name"),
            ("target_session_attrs", "target_session_attrs"),
        ] {
            if let Some(v) = f.text_option(option) {
                params.insert(libpq.into(), v.into());
            }
        }
        let mut s = serde_json::json!({
            "Name": f.name,
            "Group": if f.folder.is_empty() { DEFAULT_GROUP } else { f.folder.as_str() },
            "Host": f.host,
            "Port": f.port,
            "MaintenanceDB": f.database,
            "Username": f.username,
            "ConnectionParameters": params,
        });
        if let Some(d) = &f.description {
            s["Comment"] = d.as_str().into();
        }
        if let Some(c) = &f.color {
            s["BGColor"] = c.as_str().into();
        }
        if !f.tags.is_empty() {
            s["Tags"] = f
                .tags
                .iter()
                .map(|t| serde_json::json!({"text": t, "color": ""}))
                .collect::<Vec<_>>()
                .into();
        }
        if f.tls.ca_pem.is_some() || f.tls.client_cert_pem.is_some() {
            warnings.push(format!(
                "{}: pgAdmin reads certificates from files; save the PEM Switchboard keeps and set sslrootcert / sslcert in pgAdmin",
                f.name
            ));
        }
        if let Some(e) = f.environment {
            warnings.push(format!(
                "{}: pgAdmin has no environments; {} was not written",
                f.name,
                e.as_str()
            ));
        }
        match &f.ssh {
            Some(SshRoute::Hops { hops }) if !hops.is_empty() => {
                // pgAdmin's tunnel is one SSH server: the hop that forwards to the database.
                let h = &hops[hops.len() - 1];
                s["UseSSHTunnel"] = 1.into();
                s["TunnelHost"] = h.host.as_str().into();
                s["TunnelPort"] = h.port.to_string().into();
                s["TunnelUsername"] = h.user.as_str().into();
                let by_key = h.auth == SshAuth::Key;
                s["TunnelAuthentication"] = u8::from(by_key).into();
                if let (true, Some(k)) = (by_key, h.key_files.first()) {
                    s["TunnelIdentityFile"] = k.as_str().into();
                }
                if hops.len() > 1 {
                    warnings.push(format!(
                        "{}: pgAdmin tunnels through one SSH server; only the last of {} hops ({}) was written",
                        f.name,
                        hops.len(),
                        h.host
                    ));
                }
                if matches!(h.auth, SshAuth::Agent | SshAuth::KeyboardInteractive) {
                    warnings.push(format!(
                        "{}: pgAdmin's tunnel logs in by password or key file; {} was written as a password login",
                        f.name,
                        h.auth.as_str()
                    ));
                }
            }
            Some(SshRoute::Alias { alias, .. }) => warnings.push(format!(
                "{}: the SSH route is the ~/.ssh/config host {alias}, which pgAdmin does not read; no tunnel was written",
                f.name
            )),
            _ => {}
        }
        servers.insert((servers.len() + 1).to_string(), s);
    }
    let text = serde_json::to_string_pretty(&serde_json::json!({ "Servers": servers }))
        .unwrap_or_default();
    (text, warnings)
}
