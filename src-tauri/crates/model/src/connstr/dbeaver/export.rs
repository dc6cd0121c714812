//! DBeaver's `data-sources.json` written from Switchboard's connections (the reverse of
//! `super`): what a team member who stays on DBeaver imports as a project.

use serde_json::{Map, Value};

use crate::model::{Engine, Environment, PasswordSave};
use crate::ssh::{SshAuth, SshHop, SshRoute};

/// DBeaver's provider and driver for an engine (the current Community ids), if it has one.
fn provider_of(engine: Engine) -> Option<(&'static str, &'static str)> {
    Some(match engine {
        Engine::Postgres => ("postgresql", "postgres-jdbc"),
        Engine::Mysql => ("mysql", "mysql8"),
        Engine::SqlServer => ("sqlserver", "microsoft"),
        Engine::Oracle => ("oracle", "oracle_thin"),
        Engine::Sqlite => ("sqlite", "sqlite_jdbc"),
        Engine::Mongodb => return None,
    })
}

/// Environments as DBeaver connection types: its three built-ins, and two of its own for
/// what they cannot say (read back by name).
fn type_of(env: Option<Environment>) -> &'static str {
    match env {
        Some(Environment::Development) => "dev",
        Some(Environment::Staging) => "test",
        Some(Environment::Production) => "prod",
        Some(Environment::Local) => "switchboard-local",
        None => "switchboard-none",
    }
}

/// The driver properties a connection's JDBC URL (Switchboard's own export) carries: TLS
/// and the rest, as DBeaver's user properties, which it hands the driver as they are.
fn jdbc_properties(engine: Engine, url: &str) -> Vec<(String, String)> {
    let skip = [
        "user",
        "password",
        "databasename",
        "database",
        "servername",
        "portnumber",
    ];
    let pairs: Vec<(String, String)> = match engine {
        Engine::SqlServer => url
            .split(';')
            .skip(1)
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| {
                let v = v
                    .strip_prefix('{')
                    .and_then(|v| v.strip_suffix('}'))
                    .map_or_else(|| v.to_owned(), |v| v.replace("}}", "}"));
                (k.to_owned(), v)
            })
            .collect(),
        Engine::Postgres | Engine::Mysql => url
            .split_once('?')
            .map(|(_, q)| crate::connstr::draft::query_pairs(q, false).unwrap_or_default())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    pairs
        .into_iter()
        .filter(|(k, _)| !skip.contains(&k.to_ascii_lowercase().as_str()))
        .collect()
}

/// `connections` (id, fields) and `folders` as a DBeaver `data-sources.json` (what a
/// project's `.dbeaver/` holds), and what it could not say. No password is written: a user
/// name is written where DBeaver reads a hand-written one (`configuration.user`).
pub fn export_data_sources(
    connections: &[(String, &crate::model::ConnectionFields)],
    folders: &[String],
) -> (String, Vec<String>) {
    let mut warnings = Vec::new();
    let mut conns = Map::new();
    let mut all_folders: Vec<String> = folders.to_vec();
    for (id, f) in connections {
        let Some((provider, driver)) = provider_of(f.engine) else {
            warnings.push(format!(
                "{}: DBeaver Community has no MongoDB driver; it was left out",
                f.name
            ));
            continue;
        };
        let ctx = crate::connstr::ExportContext::default();
        let url = crate::connstr::export(f, &ctx, crate::connstr::ExportFormat::Jdbc)
            .map(|e| e.text)
            .unwrap_or_default();
        let mut config = serde_json::json!({
            "host": f.host,
            "port": f.port.to_string(),
            "database": f.database,
            "url": url,
            "configurationType": "MANUAL",
            "type": type_of(f.environment),
            "closeIdleConnection": true,
            "auth-model": "native",
        });
        if !f.username.is_empty() {
            config["user"] = f.username.as_str().into();
        }
        if let (Engine::Sqlite, Some(c)) = (f.engine, config.as_object_mut()) {
            c.remove("host");
            c.remove("port");
        }
        let props: Map<String, Value> = jdbc_properties(f.engine, &url)
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        if !props.is_empty() {
            config["properties"] = Value::Object(props);
        }
        if f.engine == Engine::Oracle {
            let sid = f.text_option("connect_by") == Some("sid");
            config["provider-properties"] = serde_json::json!({
                "@dbeaver-connection-type@": "BASIC",
                "@dbeaver-sid-service@": if sid { "SID" } else { "SERVICE" },
            });
            if f.tls.mode != crate::model::TlsMode::Disable {
                warnings.push(format!(
                    "{}: DBeaver Community has no Oracle TLS setting; its TLS ({}) was not written",
                    f.name,
                    f.tls.mode.as_str()
                ));
            }
        }
        if let Some(c) = f.color.as_deref().and_then(hex_rgb) {
            config["color"] = c.into();
        }
        if f.tls.ca_pem.is_some() || f.tls.client_cert_pem.is_some() {
            warnings.push(format!(
                "{}: DBeaver reads certificates from files; save the PEM Switchboard keeps and name it in DBeaver's SSL tab",
                f.name
            ));
        }
        match &f.ssh {
            Some(SshRoute::Hops { hops }) if !hops.is_empty() => {
                if hops.len() > 6 {
                    warnings.push(format!(
                        "{}: DBeaver takes five jump servers and the tunnel's own host; {} hops cannot be written",
                        f.name,
                        hops.len()
                    ));
                } else {
                    config["handlers"] = serde_json::json!({ "ssh_tunnel": tunnel(hops) });
                }
            }
            Some(SshRoute::Alias { alias, .. }) => warnings.push(format!(
                "{}: the SSH route is the ~/.ssh/config host {alias}, which DBeaver does not read; no tunnel was written",
                f.name
            )),
            _ => {}
        }
        let mut entry = serde_json::json!({
            "provider": provider,
            "driver": driver,
            "name": f.name,
            "configuration": config,
        });
        if let Some(d) = &f.description {
            entry["description"] = d.as_str().into();
        }
        if !f.folder.is_empty() {
            entry["folder"] = f.folder.as_str().into();
            all_folders.push(f.folder.clone());
        }
        if !f.tags.is_empty() {
            warnings.push(format!(
                "{}: DBeaver has no tags; they were not written",
                f.name
            ));
        }
        conns.insert(format!("{driver}-{id}"), entry);
    }
    // DBeaver keys folders by their last name, the parent's path beside it.
    let mut folder_map = Map::new();
    let mut paths: Vec<String> = all_folders
        .iter()
        .flat_map(|p| {
            let segs: Vec<&str> = crate::folder::segments(p).collect();
            (1..=segs.len()).map(move |n| segs[..n].join("/"))
        })
        .collect();
    paths.sort();
    paths.dedup();
    for p in &paths {
        let (parent, leaf) = match p.rsplit_once('/') {
            Some((parent, leaf)) => (Some(parent), leaf),
            None => (None, p.as_str()),
        };
        let def = match parent {
            Some(parent) => serde_json::json!({ "parent": parent }),
            None => serde_json::json!({}),
        };
        if folder_map.insert(leaf.to_owned(), def).is_some() {
            warnings.push(format!(
                "two folders are called {leaf}: DBeaver's file keys folders by name, so an empty one of them may not come back"
            ));
        }
    }
    let doc = serde_json::json!({
        "folders": folder_map,
        "connections": conns,
        "connection-types": {
            "switchboard-local": {"name": "Local", "color": "255,255,255", "description": "Local (Switchboard)",
                "auto-commit": true, "confirm-execute": false, "confirm-data-change": false},
            "switchboard-none": {"name": "No environment", "color": "255,255,255", "description": "No environment (Switchboard)",
                "auto-commit": true, "confirm-execute": false, "confirm-data-change": false}
        }
    });
    (
        serde_json::to_string_pretty(&doc).unwrap_or_default(),
        warnings,
    )
}

/// `#rrggbb` → DBeaver's `R,G,B`.
fn hex_rgb(c: &str) -> Option<String> {
    let h = c.strip_prefix('#').filter(|h| h.len() == 6)?;
    let n = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some(format!("{},{},{}", n(0)?, n(2)?, n(4)?))
}

/// An SSH route as DBeaver's `ssh_tunnel` handler: the hops before the last as
/// `jumpServerN.`, the last (which forwards to the database) as the handler's own host.
fn tunnel(hops: &[SshHop]) -> Value {
    let auth = |a: SshAuth| match a {
        SshAuth::Key => "PUBLIC_KEY",
        SshAuth::Agent => "AGENT",
        SshAuth::Password | SshAuth::KeyboardInteractive => "PASSWORD",
    };
    let mut p = Map::new();
    let (last, jumps) = hops.split_last().unwrap_or((&hops[0], &[]));
    for (n, h) in jumps.iter().enumerate() {
        let k = |s: &str| format!("jumpServer{n}.{s}");
        p.insert(k("enabled"), true.into());
        p.insert(k("host"), h.host.as_str().into());
        p.insert(k("port"), h.port.into());
        p.insert(k("name"), h.user.as_str().into());
        p.insert(k("authType"), auth(h.auth).into());
        if let Some(key) = h.key_files.first().filter(|_| h.auth == SshAuth::Key) {
            p.insert(k("keyPath"), key.as_str().into());
        }
        // Whether the hop has a secret to keep: a key without a passphrase has none.
        p.insert(
            k("save-password"),
            (h.secret_save != PasswordSave::None).into(),
        );
    }
    p.insert("host".into(), last.host.as_str().into());
    p.insert("port".into(), last.port.into());
    p.insert("authType".into(), auth(last.auth).into());
    if let Some(key) = last.key_files.first().filter(|_| last.auth == SshAuth::Key) {
        p.insert("keyPath".into(), key.as_str().into());
    }
    p.insert("implementation".into(), "sshj".into());
    serde_json::json!({
        "type": "TUNNEL",
        "enabled": true,
        "save-password": last.secret_save != PasswordSave::None,
        // DBeaver reads a user name written in the handler (its own goes to credentials).
        "user": last.user,
        "properties": p,
    })
}
