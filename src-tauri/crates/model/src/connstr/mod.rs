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
//! `draft` holds the draft type and the readers' shared helpers, `export` the registry of
//! output formats, `payloads` the hosted systems' JSON bodies (beside the engine formats).

pub mod batch;
pub mod beekeeper;
pub mod compass;
pub mod datagrip;
pub mod dbeaver;
pub mod dbgate;
mod draft;
mod export;
pub mod heidisql;
mod mongodb;
mod mysql;
pub mod native;
mod node_stores;
mod oracle;
pub mod payloads;
pub mod pgadmin;
mod postgres;
pub mod sequel_ace;
mod shell;
mod sqlite;
mod sqlserver;
pub mod ssms;
pub mod tools;
pub mod vscode_mssql;
pub mod workbench;

/// The TNS descriptor reader, for the address in an Oracle listener's REDIRECT.
pub use oracle::descriptor_pairs;

pub use draft::{derive_name, skip_files, FileRef, FileSlot, Imported, Primary};
pub use export::{
    export, format_menu, formats_for, tunnel_port, ExportContext, ExportFormat, ExportFormatInfo,
    ExportedText,
};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, ErrorCode, Result};
use crate::model::PasswordSave;
use draft::{invalid, within};

/// The metadata key naming where an imported connection came from (`dbeaver:<id>`,
/// `ads:<id>`, `compass:<id>`, `pgadmin:<group>/<name>`): a second import of the same file
/// updates the connection instead of adding it again.
pub const IMPORTED_FROM: &str = "imported_from";

/// Marks `imp` as coming from `tool`'s entry `id`.
pub(crate) fn mark_source(imp: &mut Imported, tool: tools::Tool, id: &str) {
    if !id.is_empty() {
        imp.fields.metadata.insert(
            IMPORTED_FROM.into(),
            format!("{}:{id}", tool.source_id()).into(),
        );
    }
}

/// The longest input accepted (a whole `.env` or JSON export fits many times over).
pub const INPUT_MAX: usize = 4 * 1024 * 1024;

/// The largest file of many connections read (a DBeaver project of 10,000 is ~7 MiB).
pub const FILE_MAX: usize = 64 * 1024 * 1024;

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
    SwitchboardList,
    /// A connection from another tool's file.
    Tool(tools::Tool),
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
            SourceKind::SwitchboardList => "Switchboard export",
            SourceKind::Tool(t) => t.file_words(),
        }
    }
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
    let format = payloads::payload_format(&v).ok_or_else(|| {
        CoreError::input(
            ErrorCode::PayloadInvalid,
            Some("payload"),
            "The JSON is not an Infisical, Sequin or Lerian connection.",
            "Paste one connection's JSON body (a list belongs in the batch import).",
        )
    })?;
    let mut imp = payloads::import(format, s)?;
    skip_files(&mut imp);
    Ok(imp)
}

#[cfg(test)]
mod round_trip_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod warning_tests;
