//! Connection strings in and out: whatever a user pastes (URLs, keyword=value, JDBC,
//! ADO.NET, EZConnect and TNS, shell commands, `.env` lines) becomes a connection draft
//! with a warning for every parameter that has no place in it; a saved connection goes back
//! out in each engine's own formats.
//!
//! Import is pure: no file, environment variable or network is read. Files a string names
//! (`sslrootcert=/path`) come back as `FileRef`s for the caller to read if it chooses.
//! Messages never quote a value from the input: it may be a password.
//!
//! One module per engine holds its words (import and export); `batch` reads whole files
//! (.env, .pgpass, pg_service.conf, JSON exports); `shell` splits and quotes commands.

pub mod batch;
mod mongodb;
mod mysql;
mod oracle;
mod postgres;
mod shell;
mod sqlite;
mod sqlserver;

/// The TNS descriptor reader, for the address in an Oracle listener's REDIRECT.
pub(crate) use oracle::descriptor_pairs;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, ErrorCode, Result};
use crate::model::{ConnectionFields, Engine, OptionValue, PasswordSave};
use crate::payloads::{ExportContext, Imported, PayloadFormat};
use crate::secret::Secret;

/// The longest input accepted (a whole `.env` or JSON export fits many times over).
pub const INPUT_MAX: usize = 4 * 1024 * 1024;

/// What the input was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SourceKind {
    PostgresUri,
    LibpqKeywords,
    JdbcPostgres,
    MysqlUrl,
    JdbcMysql,
    SqlServerUrl,
    JdbcSqlServer,
    AdoNet,
    MongodbUrl,
    OracleEzconnect,
    JdbcOracle,
    OracleTns,
    SqlitePath,
    SqliteUrl,
    JdbcSqlite,
    ShellCommand,
    EnvLine,
    Payload,
}

impl SourceKind {
    /// What the input was recognised as, in words.
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::PostgresUri => "PostgreSQL URI",
            SourceKind::LibpqKeywords => "libpq keyword=value",
            SourceKind::JdbcPostgres => "JDBC (PostgreSQL)",
            SourceKind::MysqlUrl => "MySQL / MariaDB URL",
            SourceKind::JdbcMysql => "JDBC (MySQL / MariaDB)",
            SourceKind::SqlServerUrl => "sqlserver:// URL",
            SourceKind::JdbcSqlServer => "JDBC (SQL Server)",
            SourceKind::AdoNet => "ADO.NET (SQL Server)",
            SourceKind::MongodbUrl => "MongoDB URL",
            SourceKind::OracleEzconnect => "Oracle EZConnect",
            SourceKind::JdbcOracle => "JDBC (Oracle thin)",
            SourceKind::OracleTns => "Oracle TNS descriptor",
            SourceKind::SqlitePath => "SQLite file path",
            SourceKind::SqliteUrl => "SQLite URL",
            SourceKind::JdbcSqlite => "JDBC (SQLite)",
            SourceKind::ShellCommand => "command line",
            SourceKind::EnvLine => ".env line",
            SourceKind::Payload => "service JSON body",
        }
    }
}

/// A file named by an imported string, for the caller to read (or not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    pub slot: FileSlot,
    /// The parameter that named it (`sslrootcert`, `ssl-ca`, `tlsCAFile`, …).
    pub param: String,
    pub path: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileSlot {
    Ca,
    ClientCert,
    ClientKey,
}

/// A parsed string: what it was and the draft it gave.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub kind: SourceKind,
    pub imported: Imported,
}

/// Reads one connection string, whatever its format.
pub fn import(input: &str) -> Result<Parsed> {
    import_one(input, true)
}

/// `env_ok` is false for the value of a `KEY=value` line: its value is not read as another
/// `KEY=value` (`A=A=A=…` would otherwise recurse once per `=` and overflow the stack).
fn import_one(input: &str, env_ok: bool) -> Result<Parsed> {
    if input.len() > INPUT_MAX {
        return Err(invalid(
            "The text is larger than 4 MiB.",
            "Paste one connection string, or import the file in pieces.",
        ));
    }
    let s = input.trim();
    if s.is_empty() {
        return Err(invalid(
            "Nothing to import.",
            "Paste a connection URL or string, e.g. postgresql://user@host/db.",
        ));
    }
    let lower_prefix: String = s.chars().take(24).collect::<String>().to_ascii_lowercase();
    let starts = |p: &str| lower_prefix.starts_with(p);
    let (kind, mut imported) = if starts("{") || starts("[") && s.ends_with(']') && s.contains('{')
    {
        (SourceKind::Payload, payload(s)?)
    } else if crate::libpq::is_uri(s) {
        (SourceKind::PostgresUri, postgres::import_uri(s)?)
    } else if starts("jdbc:postgresql:") {
        (SourceKind::JdbcPostgres, postgres::import_jdbc(s)?)
    } else if starts("jdbc:mysql:") || starts("jdbc:mariadb:") {
        (SourceKind::JdbcMysql, mysql::import_jdbc(s)?)
    } else if starts("jdbc:sqlserver:") {
        (SourceKind::JdbcSqlServer, sqlserver::import_jdbc(s)?)
    } else if starts("jdbc:oracle:") {
        (SourceKind::JdbcOracle, oracle::import_jdbc(s)?)
    } else if starts("jdbc:sqlite:") {
        (SourceKind::JdbcSqlite, sqlite::import_jdbc(s)?)
    } else if starts("jdbc:") {
        return Err(invalid(
            "This JDBC driver is not one Switchboard imports.",
            "Use a jdbc:postgresql:, jdbc:mysql:, jdbc:mariadb:, jdbc:sqlserver:, jdbc:oracle: or jdbc:sqlite: URL.",
        ));
    } else if starts("mysql://") || starts("mariadb://") {
        (SourceKind::MysqlUrl, mysql::import_url(s)?)
    } else if starts("mongodb://") || starts("mongodb+srv://") {
        (SourceKind::MongodbUrl, mongodb::import_url(s)?)
    } else if starts("sqlserver://") || starts("mssql://") {
        (SourceKind::SqlServerUrl, sqlserver::import_url(s)?)
    } else if starts("sqlite:") || starts("file:") {
        (SourceKind::SqliteUrl, sqlite::import_url(s)?)
    } else if sqlserver::looks_like_ado(s) {
        // Before TNS: `Server=(local);…` looks like a tnsnames entry to a quick glance.
        (SourceKind::AdoNet, sqlserver::import_ado(s)?)
    } else if starts("(description") || starts("(address") || oracle::is_tns_alias(s) {
        (SourceKind::OracleTns, oracle::import_tns(s)?)
    } else if let Some(tool) = shell::tool(s) {
        (SourceKind::ShellCommand, shell::import(tool, s)?)
    } else if let Some((key, value)) = env_ok.then(|| env_line(s)).flatten() {
        let inner = import_one(&value, false).map_err(|e| within(e, &key))?;
        let mut imp = inner.imported;
        let named = name_from_key(&key);
        if !named.is_empty() {
            imp.fields.name = named;
        }
        (SourceKind::EnvLine, imp)
    } else if postgres::looks_like_keywords(s) {
        (SourceKind::LibpqKeywords, postgres::import_keywords(s)?)
    } else if sqlite::looks_like_path(s) {
        (SourceKind::SqlitePath, sqlite::import_path(s)?)
    } else if oracle::looks_like_ezconnect(s) {
        (SourceKind::OracleEzconnect, oracle::import_ezconnect(s)?)
    } else {
        return Err(invalid(
            "This is not a connection string Switchboard recognises.",
            "Paste a URL (postgresql://, mysql://, mongodb://, sqlserver://, sqlite:), a JDBC URL, an ADO.NET string (Server=…;Database=…), libpq keywords (host=… dbname=…) or an Oracle EZConnect string (host:port/service).",
        ));
    };
    if imported.fields.name.is_empty() {
        imported.fields.name = derive_name(&imported.fields);
    }
    if imported.password.is_some() {
        imported.fields.password_save = PasswordSave::Keychain;
    }
    Ok(Parsed { kind, imported })
}

/// Reads the files an import names (bounded PEM reads), filling the draft's certificates
/// and client key. Only for strings the user gave on this machine.
///
/// A file that is not on this machine (a colleague's `sslrootcert=/etc/ssl/ca.pem`) does not
/// refuse the import: the draft comes in and a note names the field to fill in.
pub async fn read_files(imported: &mut Imported) -> Result<()> {
    for r in std::mem::take(&mut imported.files) {
        if let Ok(false) = tokio::fs::try_exists(&r.path).await {
            let field = match r.slot {
                FileSlot::Ca => "CA certificate",
                FileSlot::ClientCert => "client certificate",
                FileSlot::ClientKey => "client key",
            };
            imported.warnings.push(format!(
                "{}: {} is not found on this machine; pick the file for the {field}",
                r.param, r.path
            ));
            continue;
        }
        let text = crate::pem::read_pem_file(std::path::Path::new(&r.path))
            .await
            .map_err(|e| {
                CoreError::input(
                    ErrorCode::FileUnreadable,
                    Some(&r.param),
                    format!("{}: {e}", r.param),
                    e.hint(),
                )
            })?;
        let is_key = |label: &str| label.ends_with("PRIVATE KEY");
        let picked = match r.slot {
            FileSlot::Ca | FileSlot::ClientCert => {
                crate::pem::select_blocks(&text, |l| l == "CERTIFICATE")
            }
            FileSlot::ClientKey => crate::pem::select_blocks(&text, is_key),
        };
        if picked.is_empty() {
            let want = if r.slot == FileSlot::ClientKey {
                "private key"
            } else {
                "certificate"
            };
            return Err(CoreError::input(
                ErrorCode::FileUnreadable,
                Some(&r.param),
                format!("{}: the file holds no {want}.", r.param),
                "Point it at a PEM file with the right block.",
            ));
        }
        match r.slot {
            FileSlot::Ca => imported.fields.tls.ca_pem = Some(picked),
            FileSlot::ClientCert => imported.fields.tls.client_cert_pem = Some(picked),
            FileSlot::ClientKey => imported.client_key = Some(Secret::new(picked)),
        }
    }
    Ok(())
}

/// Turns the files an import names into warnings: for strings that came from elsewhere,
/// whose paths are not this machine's to read.
pub fn skip_files(imported: &mut Imported) {
    for r in std::mem::take(&mut imported.files) {
        imported.warnings.push(format!(
            "{} names a file on the machine that wrote this; it was not read: add the PEM in the form",
            r.param
        ));
    }
}

// ---------- export ----------

/// What a connection can be copied as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportFormat {
    /// The engine's own URL (postgresql://, mysql://, mongodb://, sqlserver://, EZConnect, sqlite://).
    Url,
    /// libpq keyword=value (PostgreSQL).
    Kv,
    Jdbc,
    /// ADO.NET (SQL Server).
    Ado,
    /// The engine's command-line client: psql, mysql, sqlcmd, mongosh, sqlplus, sqlite3.
    Shell,
    /// A `DATABASE_URL=` line for a .env file.
    Env,
    Infisical,
    Sequin,
    Lerian,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 9] = [
        ExportFormat::Url,
        ExportFormat::Kv,
        ExportFormat::Jdbc,
        ExportFormat::Ado,
        ExportFormat::Shell,
        ExportFormat::Env,
        ExportFormat::Infisical,
        ExportFormat::Sequin,
        ExportFormat::Lerian,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Url => "url",
            ExportFormat::Kv => "kv",
            ExportFormat::Jdbc => "jdbc",
            ExportFormat::Ado => "ado",
            ExportFormat::Shell => "shell",
            ExportFormat::Env => "env",
            ExportFormat::Infisical => "infisical",
            ExportFormat::Sequin => "sequin",
            ExportFormat::Lerian => "lerian",
        }
    }

    pub fn parse(s: &str) -> Option<ExportFormat> {
        let s = match s {
            "psql" | "mysql" | "mariadb" | "sqlcmd" | "mongosh" | "sqlplus" | "sqlite3" => "shell",
            other => other,
        };
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    fn payload(self) -> Option<PayloadFormat> {
        match self {
            ExportFormat::Infisical => Some(PayloadFormat::Infisical),
            ExportFormat::Sequin => Some(PayloadFormat::Sequin),
            ExportFormat::Lerian => Some(PayloadFormat::Lerian),
            _ => None,
        }
    }
}

/// A connection written out in one format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ExportedText {
    pub format: ExportFormat,
    pub text: String,
    /// What the format cannot carry (or carries stricter), in words.
    pub warnings: Vec<String>,
    /// The fields the text does not carry (`tls.ca_pem`, `options.replica_of`, …): a form
    /// that reads the text back keeps its own values for these.
    pub dropped: Vec<String>,
}

/// One entry of the "Copy as…" menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ExportFormatInfo {
    pub format: ExportFormat,
    /// In the engine's words: "psql command", "ADO.NET string", "JDBC URL".
    pub label: String,
}

/// The "Copy as…" menu for `engine`.
pub fn format_menu(engine: Engine) -> Vec<ExportFormatInfo> {
    formats_for(engine)
        .into_iter()
        .map(|format| {
            let label = match format {
                ExportFormat::Url => match engine {
                    Engine::Oracle => "EZConnect string".to_owned(),
                    _ => "URL".to_owned(),
                },
                ExportFormat::Kv => "libpq keyword=value".to_owned(),
                ExportFormat::Jdbc => "JDBC URL".to_owned(),
                ExportFormat::Ado => "ADO.NET string".to_owned(),
                ExportFormat::Shell => format!(
                    "{} command",
                    match engine {
                        Engine::Postgres => "psql",
                        Engine::Mysql => "mysql",
                        Engine::SqlServer => "sqlcmd",
                        Engine::Mongodb => "mongosh",
                        Engine::Oracle => "sqlplus",
                        Engine::Sqlite => "sqlite3",
                    }
                ),
                ExportFormat::Env => "DATABASE_URL= line".to_owned(),
                ExportFormat::Infisical => "Infisical JSON".to_owned(),
                ExportFormat::Sequin => "Sequin JSON".to_owned(),
                ExportFormat::Lerian => "Lerian JSON".to_owned(),
            };
            ExportFormatInfo { format, label }
        })
        .collect()
}

/// The formats `engine` can be written in, in menu order.
pub fn formats_for(engine: Engine) -> Vec<ExportFormat> {
    let mut v = vec![ExportFormat::Url];
    match engine {
        Engine::Postgres => v.extend([ExportFormat::Kv, ExportFormat::Jdbc]),
        Engine::SqlServer => v.extend([ExportFormat::Ado, ExportFormat::Jdbc]),
        Engine::Mysql | Engine::Oracle | Engine::Sqlite => v.push(ExportFormat::Jdbc),
        Engine::Mongodb => {}
    }
    v.extend([ExportFormat::Shell, ExportFormat::Env]);
    match engine {
        Engine::Postgres => v.extend([
            ExportFormat::Infisical,
            ExportFormat::Sequin,
            ExportFormat::Lerian,
        ]),
        Engine::SqlServer => v.extend([ExportFormat::Infisical, ExportFormat::Lerian]),
        Engine::Mysql | Engine::Mongodb | Engine::Oracle => v.push(ExportFormat::Lerian),
        Engine::Sqlite => {}
    }
    v
}

/// Writes `f` in `format`. The password (and client key, for payloads) appear only if the
/// caller put them in `ctx`, which it does only on the user's explicit choice.
pub fn export(
    f: &ConnectionFields,
    ctx: &ExportContext,
    format: ExportFormat,
) -> Result<ExportedText> {
    if !formats_for(f.engine).contains(&format) {
        return Err(not_carried(f.engine, format));
    }
    if let Some(p) = format.payload() {
        let out = crate::payloads::export(p, f, ctx)?;
        let text = serde_json::to_string_pretty(&out.body)
            .map_err(|e| CoreError::Storage(format!("payload serialisation: {e}")))?;
        return Ok(ExportedText {
            format,
            text,
            warnings: out.warnings,
            dropped: Vec::new(),
        });
    }
    let mut out = Out::default();
    let password = ctx.password.as_ref().map(Secret::expose);
    let text = if format == ExportFormat::Env {
        let url = engine_export(f, password, ExportFormat::Url, &mut out)?;
        format!("DATABASE_URL={}", shell::quote_env(&url))
    } else {
        engine_export(f, password, format, &mut out)?
    };
    // What no string carries.
    if f.tls.ca_pem.is_some() {
        out.drop(
            "tls.ca_pem",
            "the CA certificate is not in the text: save it to a file and point the client at it",
        );
    }
    if f.tls.client_cert_pem.is_some() {
        out.drop(
            "tls.client_cert_pem",
            "the client certificate and key are not in the text: save them to files and point the client at them",
        );
    }
    if ctx.password.is_none() && f.password_save == PasswordSave::Keychain {
        out.warnings.push(
            "the password is not included (choose to include it, or the client will ask)".into(),
        );
    }
    Ok(ExportedText {
        format,
        text,
        warnings: out.warnings,
        dropped: out.dropped,
    })
}

fn engine_export(
    f: &ConnectionFields,
    password: Option<&str>,
    format: ExportFormat,
    out: &mut Out,
) -> Result<String> {
    match f.engine {
        Engine::Postgres => postgres::export(f, password, format, out),
        Engine::Mysql => mysql::export(f, password, format, out),
        Engine::SqlServer => sqlserver::export(f, password, format, out),
        Engine::Mongodb => mongodb::export(f, password, format, out),
        Engine::Oracle => oracle::export(f, password, format, out),
        Engine::Sqlite => sqlite::export(f, format, out),
    }
}

/// A format this engine's module does not write (`formats_for` normally stops it first).
fn not_carried(engine: Engine, format: ExportFormat) -> CoreError {
    CoreError::input(
        ErrorCode::ExportNotPossible,
        Some("format"),
        format!(
            "A {} connection cannot be written as {}.",
            engine.spec().label,
            format.as_str()
        ),
        format!(
            "Choose one of: {}.",
            formats_for(engine)
                .iter()
                .map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

/// Collects what an export could not carry.
#[derive(Default)]
struct Out {
    warnings: Vec<String>,
    dropped: Vec<String>,
}

impl Out {
    fn drop(&mut self, field: &str, why: &str) {
        self.dropped.push(field.to_owned());
        self.warnings.push(why.to_owned());
    }

    /// Options the format has no word for.
    fn unexported_options(&mut self, f: &ConnectionFields, carried: &[&str], format: &str) {
        for (k, v) in &f.options {
            if carried.contains(&k.as_str()) {
                continue;
            }
            let set = match v {
                OptionValue::Bool(b) => *b,
                OptionValue::Text(t) => !t.is_empty(),
            };
            if set {
                self.drop(
                    &format!("options.{k}"),
                    &format!("{k} is a Switchboard setting that {format} has no place for"),
                );
            } else {
                self.dropped.push(format!("options.{k}"));
            }
        }
    }
}

// ---------- shared helpers ----------

fn invalid(message: impl Into<String>, hint: impl Into<String>) -> CoreError {
    CoreError::input(ErrorCode::UrlInvalid, Some("url"), message, hint)
}

/// An error inside `KEY=value`: names the key.
fn within(e: CoreError, key: &str) -> CoreError {
    match e {
        CoreError::Input {
            code,
            field,
            message,
            hint,
        } => CoreError::Input {
            code,
            field,
            message: format!("{key}: {message}"),
            hint,
        },
        other => other,
    }
}

/// A draft for `engine` with nothing filled in but the default port.
fn draft(engine: Engine) -> Imported {
    let mut f = ConnectionFields::blank(engine, "");
    f.password_save = PasswordSave::Keychain;
    Imported {
        fields: f,
        password: None,
        client_key: None,
        primary: None,
        files: Vec::new(),
        warnings: Vec::new(),
    }
}

fn set_option(imp: &mut Imported, key: &str, value: OptionValue) {
    imp.fields.options.insert(key.to_owned(), value);
}

fn set_password(imp: &mut Imported, p: String) {
    if !p.is_empty() {
        imp.password = Some(Secret::new(p));
    }
}

fn file(imp: &mut Imported, slot: FileSlot, param: &str, path: String) {
    imp.files.push(FileRef {
        slot,
        param: param.to_owned(),
        path,
    });
}

/// Names a parameter without a place. Only its name: a `name=value` argument loses its
/// value here, which may be a secret.
fn unmapped(imp: &mut Imported, param: &str) {
    let name = param.split('=').next().unwrap_or("");
    imp.warnings.push(format!(
        "parameter {name} has no Switchboard setting; it was not imported"
    ));
}

/// Percent-decoding for one part of a URL; the error names the part, not its value.
fn decode(s: &str, what: &str) -> Result<String> {
    let bytes = s.as_bytes();
    let stray = bytes.iter().enumerate().any(|(i, b)| {
        *b == b'%'
            && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    if stray {
        return Err(invalid(
            format!("The {what} has a % that is not followed by two hex digits."),
            "Percent-encode special characters: %25 for %, %40 for @, %2F for /.",
        ));
    }
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| {
            invalid(
                format!("The {what} decodes to bytes that are not UTF-8."),
                "Percent-encode the text as UTF-8.",
            )
        })
}

/// Everything but RFC 3986's unreserved characters is percent-encoded.
const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, COMPONENT).to_string()
}

/// `a=1&b=2` → pairs, percent-decoded (`+` stays a plus unless `plus_is_space`).
fn query_pairs(q: &str, plus_is_space: bool) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for part in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let fix = |x: &str| {
            if plus_is_space {
                x.replace('+', " ")
            } else {
                x.to_owned()
            }
        };
        out.push((
            decode(&fix(k), "parameter name")?,
            decode(&fix(v), "parameter value")?,
        ));
    }
    Ok(out)
}

fn parse_port(s: &str) -> Result<u32> {
    s.trim()
        .parse::<u32>()
        .ok()
        .filter(|p| (1..=65535).contains(p))
        .ok_or_else(|| {
            CoreError::input(
                ErrorCode::PortOutOfRange,
                Some("port"),
                "The port is not a number in 1–65535.",
                "Use the server's port, e.g. 5432.",
            )
        })
}

/// `user:password@host1:port,host2` → user and password into the draft, the first host
/// and its port (the others are a warning: one server per connection).
fn authority(imp: &mut Imported, authority: &str) -> Result<(String, Option<u32>)> {
    let hosts = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => {
            let (u, p) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            imp.fields.username = decode(u, "user name")?;
            set_password(imp, decode(p, "password")?);
            hosts
        }
        None => authority,
    };
    first_host(imp, hosts)
}

/// The first of a comma-separated host list, with a warning when there are more.
fn first_host(imp: &mut Imported, hosts: &str) -> Result<(String, Option<u32>)> {
    let list: Vec<&str> = hosts.split(',').collect();
    if list.len() > 1 {
        imp.warnings.push(format!(
            "{} hosts are listed; only the first is imported (add a connection for each of the others)",
            list.len()
        ));
    }
    split_host_port(list[0])
}

/// `user:password@`, `user@` or nothing, percent-encoded for a URL.
fn userinfo(user: &str, password: Option<&str>) -> String {
    match (user.is_empty(), password) {
        (true, None) => String::new(),
        (_, Some(p)) => format!("{}:{}@", encode(user), encode(p)),
        (false, None) => format!("{}@", encode(user)),
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port`.
fn split_host_port(s: &str) -> Result<(String, Option<u32>)> {
    if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or_else(|| {
            invalid(
                "An IPv6 address is missing its closing ].",
                "Write IPv6 hosts as [2001:db8::1]:5432.",
            )
        })?;
        return match after {
            "" => Ok((h.to_owned(), None)),
            p if p.starts_with(':') => Ok((h.to_owned(), Some(parse_port(&p[1..])?))),
            _ => Err(invalid(
                "Unexpected text after an IPv6 address.",
                "Write IPv6 hosts as [2001:db8::1]:5432.",
            )),
        };
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => Ok((h.to_owned(), Some(parse_port(p)?))),
        _ => Ok((s.to_owned(), None)),
    }
}

/// A host as it goes into a URL: IPv6 in brackets.
fn url_host(h: &str) -> String {
    if h.parse::<std::net::Ipv6Addr>().is_ok() {
        format!("[{h}]")
    } else {
        h.to_owned()
    }
}

fn timeout_from_secs(imp: &mut Imported, param: &str, v: &str, divisor: u64) -> Result<()> {
    let n: u64 = v.trim().parse().map_err(|_| {
        CoreError::input(
            ErrorCode::UrlInvalid,
            Some(param),
            format!("{param} is not a whole number."),
            "Give the timeout as a whole number.",
        )
    })?;
    if n == 0 {
        imp.warnings.push(format!(
            "{param}=0 means no timeout; Switchboard's default is kept"
        ));
        return Ok(());
    }
    let secs = n.div_ceil(divisor);
    if !n.is_multiple_of(divisor) {
        imp.warnings.push(format!(
            "{param} is rounded up to {secs} s (Switchboard times whole seconds)"
        ));
    }
    imp.fields.timeout_secs = u32::try_from(secs).unwrap_or(u32::MAX);
    Ok(())
}

fn is_true(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// `KEY=value` (an .env line), where the value looks like a connection string.
fn env_line(s: &str) -> Option<(String, String)> {
    let s = s.strip_prefix("export ").unwrap_or(s).trim_start();
    let (k, v) = s.split_once('=')?;
    let k = k.trim();
    if k.is_empty()
        || !k
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        || !k.chars().next().is_some_and(|c| c.is_ascii_uppercase())
    {
        return None;
    }
    Some((k.to_owned(), shell::unquote_env(v.trim())))
}

fn name_from_key(key: &str) -> String {
    let n = key
        .trim_end_matches("_URL")
        .trim_end_matches("_URI")
        .trim_end_matches("_DSN")
        .to_ascii_lowercase()
        .replace('_', "-");
    if n.is_empty() || n == "database" {
        String::new()
    } else {
        n
    }
}

/// A name for a draft that has none: `database-host`, letters, digits, - _ . only.
pub fn derive_name(f: &ConnectionFields) -> String {
    let raw = if f.engine == Engine::Sqlite {
        std::path::Path::new(&f.database)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    } else {
        let host = f
            .host
            .split(',')
            .next()
            .unwrap_or("")
            .trim_matches(['[', ']']);
        match (f.database.is_empty(), host.is_empty()) {
            (false, false) => format!("{}-{}", f.database, host),
            (false, true) => f.database.clone(),
            (true, false) => host.to_owned(),
            (true, true) => f.engine.as_str().to_owned(),
        }
    };
    let mut name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .take(crate::validation::NAME_MAX)
        .collect();
    name = name.trim_matches('-').to_owned();
    if name.is_empty() {
        f.engine.as_str().to_owned()
    } else {
        name
    }
}

fn payload(s: &str) -> Result<Imported> {
    let v: serde_json::Value = serde_json::from_str(s).map_err(|e| {
        CoreError::input(
            ErrorCode::PayloadInvalid,
            Some("payload"),
            format!(
                "The JSON is not valid (line {}, column {}).",
                e.line(),
                e.column()
            ),
            "Paste the JSON body exactly as exported.",
        )
    })?;
    let format = batch::payload_format(&v).ok_or_else(|| {
        CoreError::input(
            ErrorCode::PayloadInvalid,
            Some("payload"),
            "The JSON is not an Infisical, Sequin or Lerian connection.",
            "Paste one connection's JSON body (a list belongs in the batch import).",
        )
    })?;
    let mut imp = crate::payloads::import(format, s)?;
    skip_files(&mut imp);
    Ok(imp)
}

#[cfg(test)]
mod tests;
