//! DbGate's saved connections: `~/.dbgate/connections.jsonl` (one JSON object a line) and
//! the `.key` beside it. Read as dbgate/dbgate writes them
//! (`packages/api/src/controllers/connections.js`, `utility/JsonLinesDatabase.js`,
//! `utility/crypting.js`; the fields of `web/src/settings/Connection*Fields.svelte`; notes
//! in docs/research/other_tools.md). Secrets are `crypt:` + simple-encryptor under the
//! key in `.key`, itself sealed under a key DbGate ships (`crypting.js`); a password saved
//! raw (`passwordMode: saveRaw`) is plain. Passwords are taken only with the user's consent.
//! TLS keeps the meaning of the Node driver DbGate connects with (`sealed::node_tls`).

use serde_json::Value;

use super::batch::{Batch, Entry, Row};
use super::draft::draft;
use super::node_stores::{cert_files, driver_tls, flag, install_key, take_password, text};
use super::{Imported, SourceKind};
use crate::error::Result;
use crate::model::{Engine, PasswordSave};
use crate::secret::Secret;
use crate::ssh::{SshAuth, SshHop, SshRoute, DEFAULT_SSH_PORT};

/// The key that seals `.key` (`packages/api/src/utility/crypting.js`): public.
const SHIPPED_KEY: &str = "mQAUaXhavRGJDxDTXSCg7Ej0xMmGCrx6OKA07DIMBiDcYYkvkaXjTAzPUEHEHEf9";

/// A `.dbgate` folder's files, read by the caller.
#[derive(Clone)]
pub struct Store {
    pub label: String,
    /// `connections.jsonl`.
    pub text: String,
    /// `.key`, when it was there.
    pub key_file: Option<String>,
    pub include_passwords: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The lines hold sealed (or raw) passwords: never printed.
        write!(f, "dbgate::Store {{ label: {:?} }}", self.label)
    }
}

/// Whether `text` reads as DbGate's connections file: JSON lines naming a DbGate plugin.
pub fn is_connections(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .is_some_and(|l| l.starts_with('{') && l.contains("@dbgate-plugin-"))
}

/// DbGate's engines Switchboard connects to (`<engine>@dbgate-plugin-<plugin>`), and the
/// driver whose meaning applies.
fn engine(id: &str) -> Option<(Engine, &'static str)> {
    Some(match id.split('@').next().unwrap_or("") {
        "postgres" | "cockroach" | "redshift" => (Engine::Postgres, "node-postgres"),
        "mysql" | "mariadb" => (Engine::Mysql, "mysql2"),
        "mssql" => (Engine::SqlServer, "tedious"),
        "oracle" => (Engine::Oracle, "node-oracledb"),
        "sqlite" => (Engine::Sqlite, "sqlite"),
        "mongo" => (Engine::Mongodb, "the MongoDB Node driver"),
        _ => return None,
    })
}

/// Every line as a row; a line that is not JSON is an invalid row naming its number.
pub(super) fn rows(store: &Store, batch: &mut Batch) -> Result<()> {
    // No .key is normal: DbGate writes it with the first sealed secret.
    let key = match &store.key_file {
        Some(k) => install_key(SHIPPED_KEY, Some(k), "DbGate", &mut batch.notes),
        None => None,
    };
    let mut folders = Vec::new();
    for (i, line) in store.text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let c: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                batch.rows.push(Row {
                    label: format!("line {}", i + 1),
                    entry: Entry::Invalid(super::draft::invalid(
                        format!("Line {} of {} is not JSON ({e}).", i + 1, store.label),
                        "Import the file exactly as DbGate wrote it.",
                    )),
                });
                continue;
            }
        };
        let label = text(c.get("displayName"))
            .or_else(|| text(c.get("server")))
            .or_else(|| text(c.get("databaseFile")))
            .unwrap_or_else(|| format!("line {}", i + 1));
        let id = text(c.get("engine")).unwrap_or_default();
        let entry = match engine(&id) {
            None => Entry::Skipped(format!(
                "DbGate's {} connection is not an engine Switchboard connects to (PostgreSQL, MySQL/MariaDB, SQL Server, Oracle, MongoDB, SQLite)",
                id.split('@').next().unwrap_or("")
            )),
            Some(_) if flag(c.get("unsaved")) == Some(true) => Entry::Skipped(
                "a recent connection DbGate did not save".into(),
            ),
            Some((engine, driver)) => match connection(&c, engine, driver, key.as_deref(), store) {
                Ok(mut imp) => {
                    if let Some(folder) = text(c.get("parent")) {
                        imp.fields.folder = crate::folder::normalize(&folder);
                        if !folders.contains(&imp.fields.folder) {
                            folders.push(imp.fields.folder.clone());
                        }
                    }
                    super::mark_source(&mut imp, crate::connstr::tools::Tool::Dbgate, &text(c.get("_id")).unwrap_or_default());
                    Entry::parsed(SourceKind::Tool(super::tools::Tool::Dbgate), imp)
                }
                Err(e) => Entry::Invalid(e),
            },
        };
        batch.rows.push(Row { label, entry });
    }
    batch.note_if_empty(format!("{} holds no connections", store.label));
    Ok(())
}

/// A field's value: `crypt:`-sealed ones opened with `key`.
fn secret(c: &Value, col: &str, key: Option<&str>, warnings: &mut Vec<String>) -> Option<String> {
    let v = text(c.get(col))?;
    let Some(sealed) = v.strip_prefix("crypt:") else {
        return Some(v);
    };
    let Some(key) = key else {
        warnings.push(format!(
            "the saved {col} is encrypted and DbGate's key file (.key) is not there"
        ));
        return None;
    };
    match super::node_stores::open(key, sealed) {
        Ok(Value::String(s)) if !s.is_empty() => Some(s),
        Ok(_) => None,
        Err(why) => {
            warnings.push(format!("the saved {col} could not be opened: {why}"));
            None
        }
    }
}

fn connection(
    c: &Value,
    engine: Engine,
    driver: &str,
    key: Option<&str>,
    store: &Store,
) -> Result<Imported> {
    let url = (flag(c.get("useDatabaseUrl")) == Some(true))
        .then(|| text(c.get("databaseUrl")))
        .flatten();
    let mut imp = match url {
        Some(u) => {
            let imp = super::import(&u)?.imported;
            if imp.fields.engine != engine {
                return Err(super::draft::invalid(
                    format!("The saved URL is not a {} one.", engine.as_str()),
                    "Open the connection in DbGate and save it again.",
                ));
            }
            imp
        }
        None => fields(c, engine, driver)?,
    };
    imp.fields.name = text(c.get("displayName")).unwrap_or_default();
    if imp.fields.name.is_empty() {
        imp.fields.name = super::draft::derive_name(&imp.fields);
    }
    if let Some(color) = text(c.get("connectionColor")).filter(|c| c.starts_with('#')) {
        imp.fields.color = Some(color);
    }
    if flag(c.get("isReadOnly")) == Some(true) {
        imp.warnings.push(
            "DbGate's read-only flag has no place in Switchboard (it tests connections, it runs no queries)".into(),
        );
    }
    if engine == Engine::Sqlite {
        imp.fields.password_save = PasswordSave::None;
        return Ok(imp);
    }
    ssh(c, key, store.include_passwords, &mut imp);
    let mode = text(c.get("passwordMode"));
    if matches!(mode.as_deref(), Some("askPassword" | "askUser")) {
        imp.fields.password_save = PasswordSave::Ask;
    }
    let password = secret(c, "password", key, &mut imp.warnings)
        .or_else(|| imp.password.take().map(|p| p.expose().to_owned()));
    take_password(&mut imp, password, store.include_passwords, "DbGate");
    Ok(imp)
}

fn fields(c: &Value, engine: Engine, driver: &str) -> Result<Imported> {
    let mut imp = draft(engine);
    let f = &mut imp.fields;
    if engine == Engine::Sqlite {
        f.database = text(c.get("databaseFile")).unwrap_or_default();
        return Ok(imp);
    }
    f.host = text(c.get("socketPath"))
        .or_else(|| text(c.get("server")))
        .unwrap_or_default();
    if let Some(p) = text(c.get("port")) {
        f.port = super::draft::parse_port(&p)?;
    }
    f.username = text(c.get("user")).unwrap_or_default();
    f.database = match engine {
        Engine::Oracle => text(c.get("serviceName")),
        _ => None,
    }
    .or_else(|| text(c.get("defaultDatabase")))
    .unwrap_or_default();
    let ssl = flag(c.get("useSsl")) == Some(true);
    let trust = flag(c.get("trustServerCertificate")) == Some(true);
    // An unset "reject unauthorized" is Node's default: verify.
    let reject = flag(c.get("sslRejectUnauthorized")).unwrap_or(true);
    let (mode, said) = driver_tls(engine, ssl, reject, trust, "DbGate", driver);
    f.tls.mode = mode;
    imp.tls_from = Some(said);
    cert_files(&mut imp, c, ssl);
    if engine == Engine::SqlServer
        && matches!(
            text(c.get("authType")).as_deref(),
            Some("msentra" | "tedious-ntlm" | "sspi")
        )
    {
        imp.warnings.push(
            "DbGate logs in to this server with Windows or Entra authentication, which Switchboard does not offer: enter a SQL login".into(),
        );
    }
    Ok(imp)
}

/// The SSH tunnel: the jump host (`sshBastionHost`) first, then the SSH host.
fn ssh(c: &Value, key: Option<&str>, include_passwords: bool, imp: &mut Imported) {
    if flag(c.get("useSshTunnel")) != Some(true) {
        return;
    }
    let auth = match text(c.get("sshMode")).as_deref() {
        Some("userPassword") => SshAuth::Password,
        Some("keyFile") => SshAuth::Key,
        _ => SshAuth::Agent,
    };
    let secret_col = match auth {
        SshAuth::Password => Some("sshPassword"),
        SshAuth::Key => Some("sshKeyfilePassword"),
        _ => None,
    };
    let found = secret_col.and_then(|col| secret(c, col, key, &mut imp.warnings));
    let last = SshHop {
        host: text(c.get("sshHost")).unwrap_or_default(),
        port: text(c.get("sshPort"))
            .and_then(|p| p.parse().ok())
            .unwrap_or(DEFAULT_SSH_PORT),
        user: text(c.get("sshLogin")).unwrap_or_default(),
        auth,
        key_files: text(c.get("sshKeyfile"))
            .into_iter()
            .filter(|_| auth == SshAuth::Key)
            .collect(),
        secret_save: match auth {
            SshAuth::Agent => PasswordSave::None,
            _ => PasswordSave::Ask,
        },
    };
    // node-ssh-forward logs in to the bastion as to the SSH host: same user and credentials.
    let mut hops: Vec<SshHop> = text(c.get("sshBastionHost"))
        .map(|jump| {
            let (user, host, port) = super::node_stores::jump_host(&jump);
            SshHop {
                host,
                port: port
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(DEFAULT_SSH_PORT),
                user: user.unwrap_or_else(|| last.user.clone()),
                ..last.clone()
            }
        })
        .into_iter()
        .collect();
    hops.push(last);
    if let Some(s) = found {
        if include_passwords {
            for h in &mut hops {
                h.secret_save = PasswordSave::Keychain;
            }
            imp.ssh_secrets = hops.iter().map(|_| Some(Secret::new(s.clone()))).collect();
        } else {
            imp.warnings.push(
                "DbGate saved the SSH password or passphrase; import with passwords to bring it into the keychain".into(),
            );
        }
    }
    imp.fields.ssh = Some(SshRoute::Hops { hops });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_debug_never_prints_a_line() {
        let s = Store {
            label: "connections.jsonl".into(),
            text: r#"{"password":"raw-secret"}"#.into(),
            key_file: None,
            include_passwords: true,
        };
        assert!(!format!("{s:?}").contains("raw-secret"));
    }
}
