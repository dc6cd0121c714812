//! DBeaver's `data-sources*.json` (a project's `.dbeaver/` folder) and its encrypted
//! `credentials-config*.json`, read as DBeaver's own serializer reads them
//! (dbeaver/dbeaver, `plugins/org.jkiss.dbeaver.registry/src/org/jkiss/dbeaver/registry/
//! DataSourceSerializerModern.java`; the whole map is docs/research/dbeaver.md).
//!
//! A connection's settings are what DBeaver hands its JDBC driver: the driver's URL built
//! from host, port and database, the user's driver properties, then the SSL handler's
//! properties on top. Switchboard builds that URL and reads it with its own JDBC reader,
//! so TLS means what pgjdbc, Connector/J, MariaDB Connector/J or mssql-jdbc make of it
//! (`ssl=true` alone is verify-full to pgjdbc; an SQL Server connection without the SSL
//! handler is `encrypt=false`). Certificate paths are this machine's: named for the caller
//! to read. Engines Switchboard does not connect to are rows skipped with the reason.

use serde_json::{Map, Value};

use super::batch::{Batch, Entry, Row};
use super::draft::{encode, file};
use super::{FileSlot, Imported, Parsed, SourceKind};
use crate::model::{Engine, Environment, PasswordSave};
use crate::secret::Secret;
use crate::ssh::{SshAuth, SshHop, SshRoute, DEFAULT_SSH_PORT};

/// The key every DBeaver Community install encrypts `credentials-config.json` with
/// (`BaseProjectImpl.LOCAL_KEY_CACHE`), public in DBeaver's source.
const LOCAL_KEY: [u8; 16] = [
    0xba, 0xbb, 0x4a, 0x9f, 0x77, 0x4a, 0xb8, 0x53, 0xc9, 0x6c, 0x2d, 0x65, 0x3d, 0xfe, 0x54, 0x4a,
];

/// What Switchboard knows of a project's credentials file. It is decrypted for the user
/// names it holds (DBeaver keeps them nowhere else); its passwords are taken only when the
/// user asked for them (`SourceFile::include_passwords`).
#[derive(Clone)]
pub enum Credentials {
    /// None beside the data file (nothing saved, secure storage, or pasted text).
    Absent,
    /// Decrypted: connection id → `#connection` / `network/<handler>` → key → value.
    Read(Value),
    /// The file could not be decrypted (why, in words).
    Unreadable(String),
}

/// Never the decrypted values: a `{:?}` of a source file cannot print a password.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Absent => f.write_str("Absent"),
            Credentials::Read(v) => write!(
                f,
                "Read({} connections, values hidden)",
                v.as_object().map_or(0, |o| o.len())
            ),
            Credentials::Unreadable(why) => write!(f, "Unreadable({why:?})"),
        }
    }
}

impl std::fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The text may hold passwords (a configuration's, a URL's): never printed.
        write!(
            f,
            "SourceFile {{ project: {:?}, label: {:?}, {} bytes, credentials: {:?} }}",
            self.project,
            self.label,
            self.text.len(),
            self.credentials
        )
    }
}

/// One `data-sources*.json` and what was found beside it.
#[derive(Clone)]
pub struct SourceFile {
    /// The project's name (its folder under the workspace), when known.
    pub project: Option<String>,
    /// Where the file is, for notes and errors.
    pub label: String,
    pub text: String,
    pub credentials: Credentials,
    /// The user agreed to bring saved passwords into the keychain.
    pub include_passwords: bool,
    /// Whether the project asks for a password of its own (`useProjectPassword`): its
    /// credentials are not encrypted with the public key.
    pub project_password: bool,
}

/// Whether a JSON document is a DBeaver data-sources file: `connections` is an object of
/// entries each naming a provider, or `folders` / `connection-types` beside it.
pub fn is_data_sources(v: &Value) -> bool {
    let Some(conns) = v.get("connections").and_then(Value::as_object) else {
        return false;
    };
    conns
        .values()
        .any(|c| c.get("provider").is_some() && c.get("configuration").is_some())
        || (conns.is_empty() && (v.get("folders").is_some() || v.get("connection-types").is_some()))
}

/// Decrypts a `credentials-config.json` (AES-128-CBC, PKCS#7, the IV in its first 16
/// bytes) with DBeaver's public key.
pub fn decrypt_credentials(bytes: &[u8]) -> std::result::Result<Value, String> {
    use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, KeyIvInit};
    if bytes.len() < 32 || !bytes.len().is_multiple_of(16) {
        return Err("it is not a file DBeaver encrypted (wrong length)".into());
    }
    let (iv, body) = bytes.split_at(16);
    let plain = cbc::Decryptor::<aes::Aes128>::new(&LOCAL_KEY.into(), iv.into())
        .decrypt_padded_vec_mut::<Pkcs7>(body)
        .map_err(|_| {
            "it is not encrypted with DBeaver's default key (a project password or secure storage?)"
                .to_owned()
        })?;
    let plain = zeroize::Zeroizing::new(plain);
    serde_json::from_slice(&plain)
        .map_err(|_| "it decrypts to something that is not DBeaver's credentials JSON".to_owned())
}

/// Every connection of every file as a row; folders (empty ones too) for the batch. With
/// more than one project, each project is a folder above its own.
pub(super) fn rows(files: &[SourceFile], batch: &mut Batch) -> crate::error::Result<()> {
    let projects: std::collections::BTreeSet<_> =
        files.iter().filter_map(|f| f.project.as_deref()).collect();
    let prefix_projects = projects.len() > 1;
    for f in files {
        let v: Value = serde_json::from_str(&f.text).map_err(|e| {
            let encrypted = !f.text.trim_start().starts_with('{');
            crate::error::CoreError::input(
                crate::error::ErrorCode::PayloadInvalid,
                Some("file"),
                if encrypted {
                    format!(
                        "{} is encrypted (a DBeaver PRO secure project) and cannot be read.",
                        f.label
                    )
                } else {
                    format!(
                        "{} is not valid JSON (line {}, column {}).",
                        f.label,
                        e.line(),
                        e.column()
                    )
                },
                if encrypted {
                    "Export the connections from DBeaver (File → Export → DBeaver → Project) without encryption."
                } else {
                    "Fix the file where it says, or import the copy DBeaver keeps as .data-sources.json.bak."
                },
            )
        })?;
        let base = if prefix_projects {
            f.project.clone().unwrap_or_default()
        } else {
            String::new()
        };
        let under = |path: &str| crate::folder::normalize(&format!("{base}/{path}"));
        file_rows(f, &v, &under, batch);
        if let Some(folders) = v.get("folders").and_then(Value::as_object) {
            for (name, def) in folders {
                let parent = def.get("parent").and_then(Value::as_str).unwrap_or("");
                let path = under(&format!("{parent}/{name}"));
                if !path.is_empty() && !batch.folders.contains(&path) {
                    batch.folders.push(path);
                }
            }
        }
        match &f.credentials {
            Credentials::Unreadable(why) => batch.notes.push(format!(
                "{}: the saved passwords were not read: {why}",
                f.label
            )),
            Credentials::Absent if f.project_password => batch.notes.push(format!(
                "{}: the project is protected by its own password; its saved user names and passwords stay in DBeaver",
                f.label
            )),
            _ => {}
        }
    }
    if batch.rows.is_empty() {
        batch
            .notes
            .push("the DBeaver project holds no connections".into());
    }
    Ok(())
}

fn file_rows(f: &SourceFile, v: &Value, under: &dyn Fn(&str) -> String, batch: &mut Batch) {
    let Some(conns) = v.get("connections").and_then(Value::as_object) else {
        return;
    };
    let empty = Map::new();
    let types = v
        .get("connection-types")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let secrets = match &f.credentials {
        Credentials::Read(c) => Some(c),
        _ => None,
    };
    for (id, conn) in conns {
        let label = conn
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| id.clone());
        let creds = secrets.and_then(|c| c.get(id));
        let entry = match engine_of(conn) {
            Err(why) => Entry::Skipped(why),
            Ok(engine) => match connection(engine, conn, creds, types, f.include_passwords) {
                Ok(mut imp) => {
                    imp.fields.folder =
                        under(conn.get("folder").and_then(Value::as_str).unwrap_or(""));
                    super::mark_source(&mut imp, crate::connstr::tools::Tool::Dbeaver, id);
                    Entry::Connection(Box::new(Parsed {
                        kind: SourceKind::Tool(crate::connstr::tools::Tool::Dbeaver),
                        imported: imp,
                    }))
                }
                Err(e) => Entry::Invalid(e),
            },
        };
        batch.rows.push(Row { label, entry });
    }
}

/// The engine of a (provider, driver) pair, or why the entry is skipped.
fn engine_of(conn: &Value) -> std::result::Result<Engine, String> {
    let provider = conn.get("provider").and_then(Value::as_str).unwrap_or("");
    let driver = conn.get("driver").and_then(Value::as_str).unwrap_or("");
    let engine = match (provider, driver) {
        ("postgresql", "postgres-jdbc" | "postgresql")
        | (
            "postgresql",
            "postgres-timescale-jdbc"
            | "postgres-edb-jdbc"
            | "postgres-gcloud-jdbc"
            | "postgres-yugabytedb-jdbc"
            | "postgres-cockroach-jdbc",
        )
        | ("generic", "postgresql") => Some(Engine::Postgres),
        ("mysql", "mysql8" | "mysql5" | "mysql3" | "mysql_ndb" | "mariaDB") => Some(Engine::Mysql),
        ("sqlserver", "microsoft" | "jtds" | "azure" | "babelfish")
        | (
            "mssql",
            "mssql_jdbc_ms" | "mssql_jdbc_ms_new" | "mssql_jdbc_legacy" | "mssql_jdbc_jtds"
            | "mssql_jtds_legacy" | "mssql_jdbc_azure",
        )
        | ("generic", "mssql" | "mssql_ms") => Some(Engine::SqlServer),
        ("oracle", "oracle_thin" | "oracle" | "oracle_oci") | ("generic", "oracle") => {
            Some(Engine::Oracle)
        }
        ("sqlite", _)
        | ("generic", "sqlite_jdbc" | "sqlite_xerial" | "sqlite_zentus" | "sqlite_ch_werner") => {
            Some(Engine::Sqlite)
        }
        (_, d) if d.to_ascii_lowercase().contains("mongo") => Some(Engine::Mongodb),
        _ => None,
    };
    engine.ok_or_else(|| {
        let what = if driver.is_empty() {
            provider.to_owned()
        } else {
            format!("{provider}/{driver}")
        };
        format!(
            "DBeaver's {what} is not an engine Switchboard connects to (PostgreSQL, MySQL/MariaDB, SQL Server, Oracle, MongoDB, SQLite)"
        )
    })
}

/// A string from a JSON value DBeaver may have written as a string, number or boolean.
fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(match n.as_f64() {
            // Gson reads every number as a double: 5432 comes back as 5432.0.
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        }),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn truthy(v: Option<&Value>) -> Option<bool> {
    match text(v)?.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// An SSL handler set to DBeaver's keystore method (`ssl.method` KEYSTORE, or the older
/// `sslKeyStore`) keeps its certificates in a Java keystore, which Switchboard does not
/// read: the user is told which file to export as PEM.
fn keystore_warnings(config: &Value, warnings: &mut Vec<String>) {
    let Some(handlers) = config.get("handlers").and_then(Value::as_object) else {
        return;
    };
    for (id, h) in handlers {
        if !id.ends_with("_ssl") || truthy(h.get("enabled")) == Some(false) {
            continue;
        }
        let p = props(h);
        let store = text(p.get("ssl.keystore")).or_else(|| text(p.get("sslKeyStore")));
        let method = text(p.get("ssl.method"));
        if store.is_some() || method.as_deref() == Some("KEYSTORE") {
            warnings.push(format!(
                "the SSL handler keeps its certificates in a Java keystore{}, which Switchboard does not read: export them as PEM (keytool -exportcert -rfc, or openssl pkcs12 for a .p12) and add them in the form",
                store.map(|s| format!(" ({s})")).unwrap_or_default()
            ));
        }
    }
}

/// A handler that is on: DBeaver writes only enabled ones, but hand-edited files may say
/// `"enabled": false`.
fn handler<'a>(config: &'a Value, id: &str) -> Option<&'a Value> {
    config
        .get("handlers")
        .and_then(|h| h.get(id))
        .filter(|h| truthy(h.get("enabled")) != Some(false))
}

fn props(h: &Value) -> &Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    h.get("properties")
        .and_then(Value::as_object)
        .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
}

/// JDBC driver properties Switchboard never takes from a file of settings.
const SECRET_PROPS: [&str; 4] = [
    "password",
    "trustStorePassword",
    "keyStorePassword",
    "sslpassword",
];

fn connection(
    engine: Engine,
    conn: &Value,
    creds: Option<&Value>,
    types: &Map<String, Value>,
    asked: bool,
) -> crate::error::Result<Imported> {
    let null = Value::Null;
    let config = conn.get("configuration").unwrap_or(&null);
    let get = |k: &str| text(config.get(k));
    let mut warnings = Vec::new();
    let mut files: Vec<(FileSlot, &'static str, String)> = Vec::new();
    let mut user_props: Vec<(String, String)> = Vec::new();
    if let Some(p) = config.get("properties").and_then(Value::as_object) {
        for (k, v) in p {
            if SECRET_PROPS.iter().any(|s| s.eq_ignore_ascii_case(k)) {
                warnings.push(format!(
                    "driver property {k} is a secret and was not imported: enter it in the form"
                ));
            } else if let Some(v) = text(Some(v)) {
                user_props.push((k.clone(), v));
            }
        }
    }
    let provider_props = config.get("provider-properties").and_then(Value::as_object);
    let provider_prop = |k: &str| provider_props.and_then(|p| text(p.get(k)));
    let url_only = get("configurationType").as_deref() == Some("URL");
    let (url, tls_from) = if url_only {
        let url = get("url").ok_or_else(|| {
            super::draft::invalid(
                "The connection is set by URL but has no url.",
                "Set its URL in DBeaver, or enter the connection in the form.",
            )
        })?;
        (url, None)
    } else {
        manual_url(
            engine,
            conn,
            config,
            &user_props,
            &provider_prop,
            &mut files,
            &mut warnings,
        )
    };
    let mut imp = super::import(&url)?.imported;
    imp.warnings.append(&mut warnings);
    imp.tls_from = tls_from;
    for (slot, param, path) in files {
        file(&mut imp, slot, param, path);
    }
    let f = &mut imp.fields;
    f.name = text(conn.get("name")).unwrap_or_default();
    f.description = text(conn.get("description"));
    // The user: a hand-written one in the file first (DBeaver does the same), else the
    // credentials file's, which carries user names even when no password is saved.
    let saved = creds.and_then(|c| c.get("#connection"));
    if let Some(u) = get("user").or_else(|| text(saved.and_then(|s| s.get("user")))) {
        f.username = u;
    }
    // A URL-only connection may carry it in the URL.
    let password = get("password")
        .or_else(|| text(saved.and_then(|s| s.get("password"))))
        .or_else(|| imp.password.take().map(|p| p.expose().to_owned()));
    let had = super::draft::consent_password(
        &mut imp,
        password,
        asked,
        "DBeaver saved a password; it was not read (import with passwords included to bring it into the keychain)",
    );
    if !had {
        if asked && truthy(conn.get("save-password")) == Some(true) {
            imp.warnings.push(
                "DBeaver says it saved the password but none was found (secure storage?): enter it in the form".into(),
            );
        }
        imp.fields.password_save = PasswordSave::Ask;
    }
    let f = &mut imp.fields;
    if let Some(model) = get("auth-model").filter(|m| m != "native") {
        imp.warnings.push(format!(
            "DBeaver's authentication {model} has no place in Switchboard; user and password are used"
        ));
    }
    let (env, note) = environment(get("type").as_deref(), types);
    f.environment = env;
    imp.warnings.extend(note);
    f.color = get("color").and_then(|c| rgb(&c));
    if let Some(h) = handler(config, "ssh_tunnel") {
        let tunnel = creds.and_then(|c| c.get("network/ssh_tunnel"));
        route(&mut imp, h, tunnel, asked);
    }
    if handler(config, "socks_proxy").is_some() {
        imp.warnings
            .push("the SOCKS proxy has no place in Switchboard and was left out".into());
    }
    if let Some(b) = config.get("bootstrap") {
        if b.get("query")
            .and_then(Value::as_array)
            .is_some_and(|q| !q.is_empty())
        {
            imp.warnings.push(
                "the SQL DBeaver runs after connecting (bootstrap queries) was left out".into(),
            );
        }
    }
    if config
        .get("config-profile")
        .and_then(Value::as_str)
        .is_some_and(|p| !p.is_empty())
    {
        imp.warnings.push(
            "the connection uses a DBeaver network profile; its SSH and SSL settings are in the profile and were not read".into(),
        );
    }
    Ok(imp)
}

/// The URL DBeaver's driver would get for a manual connection, and what its SSL handler
/// said (for the row). Certificate files go to `files`.
fn manual_url(
    engine: Engine,
    conn: &Value,
    config: &Value,
    user_props: &[(String, String)],
    provider_prop: &dyn Fn(&str) -> Option<String>,
    files: &mut Vec<(FileSlot, &'static str, String)>,
    warnings: &mut Vec<String>,
) -> (String, Option<String>) {
    let get = |k: &str| text(config.get(k));
    let ssh = handler(config, "ssh_tunnel").map(props);
    // Through a tunnel DBeaver forwards to remoteHost/remotePort when set.
    let host = ssh
        .and_then(|p| text(p.get("remoteHost")))
        .or_else(|| get("host"))
        .unwrap_or_else(|| "localhost".into());
    let port = ssh
        .and_then(|p| text(p.get("remotePort")))
        .filter(|p| p != "0")
        .or_else(|| get("port"));
    let db = get("database").unwrap_or_default();
    let hp = match &port {
        Some(p) => format!("{}:{p}", crate::hosts::url_host(&host)),
        None => crate::hosts::url_host(&host),
    };
    let certs = |h: &Value,
                 files: &mut Vec<(FileSlot, &'static str, String)>,
                 legacy: [&'static str; 3]| {
        let p = props(h);
        let modern = text(p.get("ssl.method")).is_some();
        for (slot, key, old) in [
            (FileSlot::Ca, "ssl.ca.cert", legacy[0]),
            (FileSlot::ClientCert, "ssl.client.cert", legacy[1]),
            (FileSlot::ClientKey, "ssl.client.key", legacy[2]),
        ] {
            let (param, value) = match text(p.get(key)) {
                Some(v) => (key, Some(v)),
                None if !modern => (old, text(p.get(old))),
                None => (key, None),
            };
            if let Some(v) = value {
                files.push((slot, param, v));
            }
        }
    };
    let query = |pairs: &[(String, String)]| {
        pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    };
    keystore_warnings(config, warnings);
    match engine {
        Engine::Postgres => {
            let mut pairs = user_props.to_vec();
            let said;
            if let Some(h) = handler(config, "postgre_ssl") {
                let p = props(h);
                pairs.retain(|(k, _)| !matches!(k.as_str(), "ssl" | "sslmode"));
                pairs.push(("ssl".into(), "true".into()));
                let mode = text(p.get("sslMode"));
                if let Some(m) = &mode {
                    pairs.push(("sslmode".into(), m.clone()));
                }
                if let Some(f) = text(p.get("sslFactory")) {
                    pairs.push(("sslfactory".into(), f));
                }
                certs(h, files, ["rootCert", "clientCert", "clientKey"]);
                said = Some(format!(
                    "DBeaver's PostgreSQL SSL handler, {}; read as pgjdbc reads ssl=true{}",
                    mode.as_deref()
                        .map_or("no SSL mode set".to_owned(), |m| format!("SSL mode {m}")),
                    mode.as_deref()
                        .map_or(String::new(), |m| format!("&sslmode={m}"))
                ));
            } else if let Some((_, m)) = pairs.iter().find(|(k, _)| k == "sslmode") {
                said = Some(format!("driver property sslmode={m}, as pgjdbc reads it"));
            } else {
                said = Some("no SSL handler: pgjdbc's default, sslmode=prefer".into());
            }
            (
                format!("jdbc:postgresql://{hp}/{}?{}", encode(&db), query(&pairs)),
                said,
            )
        }
        Engine::Mysql => {
            let mariadb = conn.get("driver").and_then(Value::as_str) == Some("mariaDB");
            let mut pairs = user_props.to_vec();
            let said;
            if let Some(h) = handler(config, "mysql_ssl") {
                let p = props(h);
                let verify = truthy(p.get("ssl.verify.server")).unwrap_or(true);
                let require = truthy(p.get("ssl.require")).unwrap_or(false);
                pairs.retain(|(k, _)| {
                    !matches!(
                        k.as_str(),
                        "useSSL"
                            | "requireSSL"
                            | "verifyServerCertificate"
                            | "trustServerCertificate"
                            | "sslMode"
                    )
                });
                pairs.push(("useSSL".into(), "true".into()));
                // DBeaver's "Allow public key retrieval" box (MySQLDataSource.initSSL).
                if truthy(p.get("ssl.public.key.retrieve")) == Some(true) {
                    pairs.push(("allowPublicKeyRetrieval".into(), "true".into()));
                }
                if let Some(suites) = text(p.get("ssl.cipher.suites")) {
                    warnings.push(format!(
                        "the SSL handler limits the cipher suites ({suites}); Switchboard negotiates rustls's safe set and does not limit it"
                    ));
                }
                if mariadb {
                    pairs.push(("trustServerCertificate".into(), (!verify).to_string()));
                } else {
                    pairs.push(("requireSSL".into(), require.to_string()));
                    pairs.push(("verifyServerCertificate".into(), verify.to_string()));
                }
                certs(
                    h,
                    files,
                    ["ssl.ca.cert", "ssl.client.cert", "ssl.client.key"],
                );
                said = Some(format!(
                    "DBeaver's MySQL SSL handler (require {require}, verify server certificate {verify}); read as {} reads it",
                    if mariadb { "MariaDB Connector/J" } else { "Connector/J 5.1" }
                ));
            } else {
                said = Some(format!(
                    "no SSL handler: {}'s default",
                    if mariadb {
                        "MariaDB Connector/J"
                    } else {
                        "Connector/J"
                    }
                ));
            }
            // MariaDB Connector/J reads the path and query as written; Connector/J decodes.
            let (scheme, path, q) = if mariadb {
                let q = pairs
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join("&");
                ("mariadb", db.clone(), q)
            } else {
                ("mysql", encode(&db), query(&pairs))
            };
            (format!("jdbc:{scheme}://{hp}/{path}?{q}"), said)
        }
        Engine::SqlServer => {
            let brace = |v: &str| {
                if v.contains([';', '{', '}', '=']) {
                    format!("{{{}}}", v.replace('}', "}}"))
                } else {
                    v.to_owned()
                }
            };
            let mut pairs: Vec<(String, String)> = Vec::new();
            if !db.is_empty() {
                pairs.push(("databaseName".into(), db.clone()));
            }
            let user_encrypt = user_props
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("encrypt"));
            let said;
            if let Some(h) = handler(config, "mssql_ssl") {
                let p = props(h);
                pairs.push(("encrypt".into(), "true".into()));
                if let Some(name) = text(p.get("sslKeyStoreHostname")) {
                    pairs.push(("hostNameInCertificate".into(), name));
                }
                said = Some(
                    "DBeaver's SQL Server SSL handler: encrypt=true, as mssql-jdbc reads it".into(),
                );
            } else if user_encrypt {
                said = Some("driver property encrypt, as mssql-jdbc reads it".into());
            } else {
                // DBeaver turns encryption off unless the handler or a property says so.
                pairs.push(("encrypt".into(), "false".into()));
                said = Some("no SSL handler: DBeaver sets encrypt=false".into());
            }
            if provider_prop("sslTrustServerCertificate").as_deref() == Some("true") {
                pairs.push(("trustServerCertificate".into(), "true".into()));
            }
            for (k, v) in user_props {
                pairs.retain(|(e, _)| !e.eq_ignore_ascii_case(k));
                pairs.push((k.clone(), v.clone()));
            }
            let rest: String = pairs
                .iter()
                .map(|(k, v)| format!(";{k}={}", brace(v)))
                .collect();
            (format!("jdbc:sqlserver://{hp}{rest}"), said)
        }
        Engine::Oracle => {
            let kind = provider_prop("@dbeaver-connection-type@").unwrap_or_else(|| "BASIC".into());
            let url = match kind.as_str() {
                "TNS" => format!("jdbc:oracle:thin:@{db}"),
                "CUSTOM" => get("url").unwrap_or_default(),
                _ if provider_prop("@dbeaver-sid-service@").as_deref() == Some("SID") => {
                    format!(
                        "jdbc:oracle:thin:@{host}:{}:{db}",
                        port.as_deref().unwrap_or("1521")
                    )
                }
                _ => format!("jdbc:oracle:thin:@//{hp}/{db}"),
            };
            if !user_props.is_empty() {
                warnings.push(format!(
                    "driver properties {} have no Switchboard setting; they were not imported",
                    user_props
                        .iter()
                        .map(|(k, _)| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            (url, None)
        }
        Engine::Sqlite => (format!("jdbc:sqlite:{db}"), None),
        Engine::Mongodb => (
            format!("mongodb://{hp}/{}", encode(&db)),
            Some("MongoDB's default: no TLS unless tls=true".into()),
        ),
    }
}

/// DBeaver's connection type as an environment: the three built-ins by id, a custom one
/// by the words of its name (said in a warning), else none.
fn environment(
    id: Option<&str>,
    types: &Map<String, Value>,
) -> (Option<Environment>, Option<String>) {
    match id.unwrap_or("dev") {
        "dev" => return (Some(Environment::Development), None),
        "test" => return (Some(Environment::Staging), None),
        "prod" => return (Some(Environment::Production), None),
        _ => {}
    }
    let id = id.unwrap_or_default();
    let name = types
        .get(id)
        .and_then(|t| t.get("name"))
        .and_then(Value::as_str)
        .unwrap_or(id);
    let lower = name.to_lowercase();
    let has = |w: &[&str]| w.iter().any(|w| lower.contains(w));
    let env = if has(&["preprod", "pre-prod", "stag", "uat", "qa", "test"]) {
        Some(Environment::Staging)
    } else if has(&["prod", "live"]) {
        Some(Environment::Production)
    } else if has(&["dev"]) {
        Some(Environment::Development)
    } else if has(&["local"]) {
        Some(Environment::Local)
    } else {
        None
    };
    let note = match env {
        Some(e) => format!(
            "DBeaver's connection type {name} was taken as the {} environment",
            e.as_str()
        ),
        None => format!("DBeaver's connection type {name} matches no environment; none was set"),
    };
    (env, Some(note))
}

/// `R,G,B` → `#rrggbb`.
fn rgb(s: &str) -> Option<String> {
    let parts: Vec<u8> = s
        .split(',')
        .map(|p| p.trim().parse::<u8>())
        .collect::<std::result::Result<_, _>>()
        .ok()?;
    match parts[..] {
        [r, g, b] => Some(format!("#{r:02x}{g:02x}{b:02x}")),
        _ => None,
    }
}

/// The SSH tunnel: `jumpServer0.` … `jumpServer4.` in order from this machine, then the
/// handler's own host, the one that forwards to the database.
fn route(imp: &mut Imported, h: &Value, saved: Option<&Value>, asked: bool) {
    let p = props(h);
    let secret = |k: &str| saved.and_then(|s| text(s.get(k)));
    let mut hops = Vec::new();
    let mut secrets = Vec::new();
    for n in 0..5 {
        let key = |k: &str| format!("jumpServer{n}.{k}");
        if truthy(p.get(&key("enabled"))) != Some(true) {
            break;
        }
        let (hop, s) = hop(
            text(p.get(&key("host"))),
            text(p.get(&key("port"))),
            text(p.get(&key("name"))),
            text(p.get(&key("authType"))),
            text(p.get(&key("keyPath"))),
            secret(&key("password")),
            secret(&key("keyValue")).is_some(),
            asked,
            // DBeaver saves a jump server's secret unless an older file says otherwise.
            truthy(p.get(&key("save-password"))) != Some(false),
            &mut imp.warnings,
        );
        hops.push(hop);
        secrets.push(s);
    }
    let (last, s) = hop(
        text(p.get("host")),
        text(p.get("port")),
        text(h.get("user"))
            .or_else(|| text(p.get("user")))
            .or_else(|| secret("user")),
        text(p.get("authType")),
        text(p.get("keyPath")),
        text(p.get("password")).or_else(|| secret("password")),
        secret("keyValue").is_some(),
        asked,
        truthy(h.get("save-password")) == Some(true),
        &mut imp.warnings,
    );
    hops.push(last);
    secrets.push(s);
    if truthy(p.get("bypassHostVerification")) == Some(true) {
        imp.warnings.push(
            "DBeaver skipped the SSH host key check; Switchboard checks it (trust the key on the first test)".into(),
        );
    }
    imp.ssh_secrets = if secrets.iter().any(Option::is_some) {
        secrets
    } else {
        Vec::new()
    };
    imp.fields.ssh = Some(SshRoute::Hops { hops });
}

#[allow(clippy::too_many_arguments)]
fn hop(
    host: Option<String>,
    port: Option<String>,
    user: Option<String>,
    auth: Option<String>,
    key_path: Option<String>,
    secret: Option<String>,
    inline_key: bool,
    asked: bool,
    saved_flag: bool,
    warnings: &mut Vec<String>,
) -> (SshHop, Option<Secret>) {
    let auth = match auth.as_deref() {
        Some("PUBLIC_KEY") => SshAuth::Key,
        Some("AGENT") => SshAuth::Agent,
        _ => SshAuth::Password,
    };
    let host = host.unwrap_or_default();
    if auth == SshAuth::Key && key_path.is_none() && inline_key {
        warnings.push(format!(
            "the SSH key for {host} is kept inside DBeaver, not in a file: save it to a file and name it in the form"
        ));
    }
    let taken = if auth == SshAuth::Agent || !asked {
        None
    } else {
        secret.filter(|s| !s.is_empty()).map(Secret::new)
    };
    let secret_save = match (auth, &taken) {
        (SshAuth::Agent, _) => PasswordSave::None,
        (_, Some(_)) => PasswordSave::Keychain,
        // A key file may have no passphrase: asked for only where DBeaver saved one.
        (SshAuth::Key, None) if !saved_flag => PasswordSave::None,
        (_, None) => PasswordSave::Ask,
    };
    (
        SshHop {
            host,
            port: port
                .and_then(|p| p.parse().ok())
                .filter(|p| *p != 0)
                .unwrap_or(DEFAULT_SSH_PORT),
            user: user.unwrap_or_default(),
            auth,
            key_files: key_path
                .into_iter()
                .filter(|_| auth == SshAuth::Key)
                .collect(),
            secret_save,
        },
        taken,
    )
}

mod export;
pub use export::export_data_sources;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_files_debug_never_prints_a_decrypted_password() {
        let creds = Credentials::Read(serde_json::json!({
            "c1": {"#connection": {"user": "u", "password": "hunter2-secret"}}
        }));
        let shown = format!("{creds:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("1 connections"));
    }
}
