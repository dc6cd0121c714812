//! Beekeeper Studio's saved connections: the `saved_connection` and `connection_folder`
//! tables of its `app.db` (SQLite, read by the caller as one JSON object per row, so a
//! column an older Beekeeper never added is simply absent). Read as beekeeper-studio/
//! beekeeper-studio (v6.0.4, `apps/studio/src/`) defines them: the migrations under
//! `migration/`, `common/appdb/models/saved_connection.ts`, `common/encryption_key.ts` and
//! `common/appdb/transformers/Transformers.ts`; notes in docs/research/beekeeper.md.
//!
//! Secrets (`password`, the SSH and bastion passwords and passphrases, and `url`) are
//! sealed with `simple-encryptor`: AES-256-CBC and HMAC-SHA256 under SHA-256 of a key kept
//! in `<userData>/.key`, itself sealed under a key Beekeeper ships in its source. The URL is
//! opened to read the connection; passwords go further only with the user's consent.
//!
//! TLS keeps the meaning of the Node driver Beekeeper connects with: node-postgres and
//! mysql2 send plain text unless `ssl` is on, and with it on they verify the certificate
//! and the host name unless "reject unauthorized" is off; tedious reads `encrypt` and
//! `trustServerCertificate` as SqlClient does.

use std::collections::HashMap;

use serde_json::Value;

use super::batch::{Batch, Entry, Row};
use super::draft::draft;
use super::node_stores::{cert_files, driver_tls, flag, install_key, take_password, text};
use super::{Imported, SourceKind};
use crate::error::Result;
use crate::model::{Engine, PasswordSave};
use crate::secret::Secret;
use crate::ssh::{SshAuth, SshHop, SshRoute, DEFAULT_SSH_PORT};

/// The key that seals `.key` (`common/encryption_key.ts`): public, in Beekeeper's source.
const SHIPPED_KEY: &str = "38782F413F442A472D4B6150645367566B59703373367639792442264529482B";

/// An `app.db` as the caller read it.
#[derive(Clone)]
pub struct Store {
    /// Where it is, for notes.
    pub label: String,
    /// `saved_connection` rows, columns as keys.
    pub connections: Vec<Value>,
    /// `connection_folder` rows (none before Beekeeper 5.7).
    pub folders: Vec<Value>,
    /// `<userData>/.key`, when it was there.
    pub key_file: Option<String>,
    /// The user's consent to take the passwords.
    pub include_passwords: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Rows hold sealed secrets: never printed.
        write!(
            f,
            "beekeeper::Store {{ label: {:?}, connections: {}, folders: {} }}",
            self.label,
            self.connections.len(),
            self.folders.len()
        )
    }
}

/// Beekeeper's connection types Switchboard connects to, and the driver whose meaning
/// applies. Other types (ClickHouse, Redis, BigQuery, …) are skipped with the reason.
fn engine(kind: &str) -> Option<(Engine, &'static str)> {
    Some(match kind {
        "postgresql" | "cockroachdb" | "redshift" => (Engine::Postgres, "node-postgres"),
        "mysql" | "mariadb" | "tidb" => (Engine::Mysql, "mysql2"),
        "sqlserver" => (Engine::SqlServer, "tedious"),
        "oracle" => (Engine::Oracle, "node-oracledb"),
        "sqlite" => (Engine::Sqlite, "sqlite"),
        "mongodb" => (Engine::Mongodb, "the MongoDB Node driver"),
        _ => return None,
    })
}

/// Every saved connection as a row, folders (empty ones too) for the batch.
pub(super) fn rows(store: &Store, batch: &mut Batch) -> Result<()> {
    let key = install_key(
        SHIPPED_KEY,
        store.key_file.as_deref(),
        "Beekeeper",
        &mut batch.notes,
    );
    let paths = folder_paths(&store.folders);
    let mut used: Vec<&str> = Vec::new();
    for c in &store.connections {
        let name = text(c.get("name")).unwrap_or_default();
        let label = if name.is_empty() {
            format!("connection {}", text(c.get("id")).unwrap_or_default())
        } else {
            name
        };
        let kind = text(c.get("connectionType")).unwrap_or_default();
        let entry = match engine(&kind) {
            None => Entry::Skipped(format!(
                "Beekeeper's {kind} connection is not an engine Switchboard connects to (PostgreSQL, MySQL/MariaDB, SQL Server, Oracle, MongoDB, SQLite)"
            )),
            Some(_) if text(c.get("workspaceId")).is_some_and(|w| w != "-1") => Entry::Skipped(
                "it belongs to a Beekeeper cloud workspace, which keeps it on Beekeeper's servers".into(),
            ),
            Some(_)
                if label == "Demo Database"
                    && text(c.get("defaultDatabase")).is_some_and(|d| d.ends_with("demo.db")) =>
            {
                Entry::Skipped("Beekeeper's bundled demo database".into())
            }
            Some((engine, driver)) => match connection(c, engine, driver, key.as_deref(), store) {
                Ok(mut imp) => {
                    if let Some(folder) = text(c.get("connectionFolderId"))
                        .and_then(|id| paths.get(&id))
                    {
                        imp.fields.folder = folder.clone();
                        used.push(folder);
                    }
                    super::mark_source(
                        &mut imp,
                        crate::connstr::tools::Tool::Beekeeper,
                        &text(c.get("id")).unwrap_or_default(),
                    );
                    Entry::parsed(SourceKind::Tool(super::tools::Tool::Beekeeper), imp)
                }
                Err(e) => Entry::Invalid(e),
            },
        };
        batch.rows.push(Row { label, entry });
    }
    let mut empty: Vec<&String> = paths
        .values()
        .filter(|p| {
            !used
                .iter()
                .any(|u| u == p || u.starts_with(&format!("{p}/")))
        })
        .collect();
    empty.sort();
    batch.folders.extend(empty.into_iter().cloned());
    batch.note_if_empty(format!("{} holds no saved connections", store.label));
    Ok(())
}

/// Each folder's path by id, walking `parentId` (older databases may hold a cycle).
fn folder_paths(folders: &[Value]) -> HashMap<String, String> {
    let by_id: HashMap<String, (Option<String>, String)> = folders
        .iter()
        .filter_map(|f| {
            Some((
                text(f.get("id"))?,
                (text(f.get("parentId")), text(f.get("name"))?),
            ))
        })
        .collect();
    by_id
        .keys()
        .map(|id| {
            let mut names = Vec::new();
            let mut at = Some(id.clone());
            while let Some((parent, name)) = at.as_ref().and_then(|i| by_id.get(i)) {
                if names.len() > by_id.len() {
                    break;
                }
                names.push(name.replace('/', "∕"));
                at = parent.clone();
            }
            names.reverse();
            (id.clone(), crate::folder::normalize(&names.join("/")))
        })
        .collect()
}

fn connection(
    c: &Value,
    engine: Engine,
    driver: &str,
    key: Option<&str>,
    store: &Store,
) -> Result<Imported> {
    let mut warnings = Vec::new();
    let mut secret = |col: &str| -> Option<String> {
        let sealed = text(c.get(col))?;
        let Some(key) = key else {
            warnings.push(format!(
                "the saved {col} could not be opened without Beekeeper's key"
            ));
            return None;
        };
        match super::node_stores::open(key, &sealed) {
            Ok(Value::String(s)) if !s.is_empty() => Some(s),
            Ok(_) => None,
            Err(why) => {
                warnings.push(format!("the saved {col} could not be opened: {why}"));
                None
            }
        }
    };
    let options: Value = text(c.get("options"))
        .and_then(|o| serde_json::from_str(&o).ok())
        .unwrap_or(Value::Null);
    let by_string =
        options.get("connectionMethod").and_then(Value::as_str) == Some("connectionString");
    // A connection made from a URL (MongoDB's always is) is read as that URL.
    let url = secret("url").or_else(|| {
        by_string
            .then(|| text(options.get("connectionString")))
            .flatten()
    });
    let password = secret("password");
    let mut imp = match url {
        Some(u) => {
            let mut imp = super::import(&u)?.imported;
            if imp.fields.engine != engine {
                return Err(super::draft::invalid(
                    format!("The saved URL is not a {} one.", engine.as_str()),
                    "Open the connection in Beekeeper and save it again.",
                ));
            }
            imp.tls_from = Some(format!(
                "the saved connection string, as {}",
                imp.tls_from.as_deref().unwrap_or("its own reader reads it")
            ));
            imp
        }
        None => fields(c, engine, driver)?,
    };
    imp.warnings.append(&mut warnings);
    let f = &mut imp.fields;
    if let Some(n) = text(c.get("name")) {
        f.name = n;
    }
    if f.name.is_empty() {
        f.name = super::draft::derive_name(f);
    }
    if let Some(color) = text(c.get("labelColor")).and_then(|l| label_color(&l)) {
        f.color = Some(color.into());
    }
    if flag(c.get("readOnlyMode")) == Some(true) {
        imp.warnings.push(
            "Beekeeper's read-only mode has no place in Switchboard (it tests connections, it runs no queries)".into(),
        );
    }
    if engine != Engine::Sqlite {
        ssh(c, &mut imp, store.include_passwords, &mut secret_of(c, key));
    }
    if engine == Engine::Sqlite {
        imp.fields.password_save = PasswordSave::None;
    } else if flag(c.get("rememberPassword")) == Some(false) {
        imp.fields.password_save = PasswordSave::Ask;
    }
    let password = password.or(imp.password.take().map(|p| p.expose().to_owned()));
    take_password(&mut imp, password, store.include_passwords, "Beekeeper");
    Ok(imp)
}

/// `secret(col)` for the SSH columns (a second borrow of the same store).
fn secret_of<'a>(c: &'a Value, key: Option<&'a str>) -> impl FnMut(&str) -> Option<String> + 'a {
    move |col: &str| {
        let sealed = text(c.get(col))?;
        match super::node_stores::open(key?, &sealed) {
            Ok(Value::String(s)) if !s.is_empty() => Some(s),
            _ => None,
        }
    }
}

/// A manual connection's fields, TLS as `driver` reads Beekeeper's switches.
fn fields(c: &Value, engine: Engine, driver: &str) -> Result<Imported> {
    let mut imp = draft(engine);
    let f = &mut imp.fields;
    let socket = flag(c.get("socketPathEnabled")) == Some(true);
    f.host = if socket {
        text(c.get("socketPath")).unwrap_or_default()
    } else {
        text(c.get("host")).unwrap_or_default()
    };
    if let Some(p) = text(c.get("port")) {
        f.port = super::draft::parse_port(&p)?;
    }
    f.username = text(c.get("username")).unwrap_or_default();
    f.database = match engine {
        Engine::Oracle => text(c.get("serviceName"))
            .or_else(|| text(c.get("defaultDatabase")))
            .unwrap_or_default(),
        _ => text(c.get("defaultDatabase")).unwrap_or_default(),
    };
    if engine == Engine::Sqlite {
        return Ok(imp);
    }
    let ssl = flag(c.get("ssl")) == Some(true);
    let reject = flag(c.get("sslRejectUnauthorized")).unwrap_or(true);
    let trust = flag(c.get("trustServerCertificate")) == Some(true);
    let (mode, said) = driver_tls(engine, ssl, reject, trust, "Beekeeper", driver);
    f.tls.mode = mode;
    imp.tls_from = Some(said);
    cert_files(&mut imp, c, ssl);
    if engine == Engine::SqlServer {
        if flag(c.get("windowsAuthEnabled")) == Some(true) || text(c.get("domain")).is_some() {
            imp.warnings.push(
                "Beekeeper logs in to this server with Windows (NTLM) authentication, which Switchboard does not offer: enter a SQL login".into(),
            );
        }
        if text(c.get("azureAuthOptions")).is_some_and(|o| o.contains("\"azureAuthEnabled\":true"))
        {
            imp.warnings.push(
                "Beekeeper signs in to this server with Azure AD, which Switchboard does not offer: enter a SQL login".into(),
            );
        }
    }
    Ok(imp)
}

/// The SSH route: the bastion (Beekeeper's one jump host) first, then the SSH host.
fn ssh(
    c: &Value,
    imp: &mut Imported,
    include_passwords: bool,
    secret: &mut dyn FnMut(&str) -> Option<String>,
) {
    if flag(c.get("sshEnabled")) != Some(true) {
        return;
    }
    let auth = |mode: Option<String>| match mode.as_deref() {
        Some("userpass") => SshAuth::Password,
        Some("keyfile") => SshAuth::Key,
        _ => SshAuth::Agent,
    };
    let hop =
        |host: String, port: Option<String>, user: String, auth: SshAuth, key: Option<String>| {
            SshHop {
                host,
                port: port
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(DEFAULT_SSH_PORT),
                user,
                auth,
                key_files: key.into_iter().filter(|_| auth == SshAuth::Key).collect(),
                secret_save: match auth {
                    SshAuth::Agent => PasswordSave::None,
                    _ => PasswordSave::Ask,
                },
            }
        };
    let hop_secret =
        |auth: SshAuth, pass: &str, phrase: &str, s: &mut dyn FnMut(&str) -> Option<String>| {
            match auth {
                SshAuth::Password => s(pass),
                SshAuth::Key => s(phrase),
                _ => None,
            }
        };
    let mut hops = Vec::new();
    let mut secrets = Vec::new();
    if let Some(bastion) = text(c.get("sshBastionHost")) {
        // Older Beekeepers wrote "user@host:port" here, one string.
        let (user, host, port) = super::node_stores::jump_host(&bastion);
        let a = auth(text(c.get("sshBastionMode")).or_else(|| text(c.get("sshMode"))));
        hops.push(hop(
            host,
            text(c.get("sshBastionHostPort")).or(port),
            text(c.get("sshBastionUsername"))
                .or(user)
                .or_else(|| text(c.get("sshUsername")))
                .unwrap_or_default(),
            a,
            text(c.get("sshBastionKeyfile")).or_else(|| text(c.get("sshKeyfile"))),
        ));
        secrets.push(hop_secret(
            a,
            "sshBastionPassword",
            "sshBastionKeyfilePassword",
            secret,
        ));
    }
    let a = auth(text(c.get("sshMode")));
    hops.push(hop(
        text(c.get("sshHost")).unwrap_or_default(),
        text(c.get("sshPort")),
        text(c.get("sshUsername")).unwrap_or_default(),
        a,
        text(c.get("sshKeyfile")),
    ));
    secrets.push(hop_secret(a, "sshPassword", "sshKeyfilePassword", secret));
    if secrets.iter().any(Option::is_some) {
        if include_passwords {
            for (h, s) in hops.iter_mut().zip(&secrets) {
                if s.is_some() {
                    h.secret_save = PasswordSave::Keychain;
                }
            }
            imp.ssh_secrets = secrets.into_iter().map(|s| s.map(Secret::new)).collect();
        } else {
            imp.warnings.push(
                "Beekeeper saved SSH passwords or passphrases; import with passwords to bring them into the keychain".into(),
            );
        }
    }
    imp.fields.ssh = Some(SshRoute::Hops { hops });
}

/// Beekeeper's label colours (`labelColor`: a name, or `default` for none).
fn label_color(name: &str) -> Option<&'static str> {
    Some(match name {
        "red" => "#e53935",
        "orange" => "#fb8c00",
        "yellow" => "#fdd835",
        "green" => "#43a047",
        "blue" => "#1e88e5",
        "purple" => "#8e24aa",
        "pink" => "#d81b60",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_debug_never_prints_a_sealed_secret() {
        let s = Store {
            label: "app.db".into(),
            connections: vec![serde_json::json!({"password": "sealed-secret"})],
            folders: Vec::new(),
            key_file: Some("sealed-key".into()),
            include_passwords: true,
        };
        let shown = format!("{s:?}");
        assert!(!shown.contains("sealed"), "{shown}");
    }
}
