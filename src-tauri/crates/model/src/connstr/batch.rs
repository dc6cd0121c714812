//! Many connections at once: pasted lines, `.env` files, `~/.pgpass` (passwords for saved
//! connections), `pg_service.conf` sections and JSON exports (a list of Infisical, Sequin or
//! Lerian bodies). Every entry becomes a row with its own status; nothing is dropped
//! without a note.

use serde_json::Value;

use super::draft::skip_files;
use super::payloads::payload_format;
use super::tools::Tool;
use super::{import, postgres, Parsed, SourceKind};
use crate::error::{CoreError, Result};
use crate::libpq::Conninfo;
use crate::secret::Secret;

/// What kind of text the batch is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum BatchSource {
    Lines,
    Env,
    Pgpass,
    PgService,
    Json,
    /// Another tool's file.
    Tool(Tool),
}

/// One `.pgpass` line: a password for whichever saved PostgreSQL connections match.
#[derive(Debug, Clone)]
pub struct PgpassLine {
    pub host: String,
    pub port: String,
    pub database: String,
    pub username: String,
    pub password: Secret,
}

impl PgpassLine {
    /// libpq's matching (`libpq::pgpass_field_matches`): `*` or the exact value; no host,
    /// or the default socket directory, is `localhost`.
    pub fn matches(&self, f: &crate::model::ConnectionFields) -> bool {
        use crate::libpq::{pass_host, pgpass_field_matches as is};
        f.engine == crate::model::Engine::Postgres
            && is(&self.host, pass_host(&f.host))
            && is(&self.port, &f.port.to_string())
            && is(&self.database, &f.database)
            && is(&self.username, &f.username)
    }
}

impl Entry {
    /// A tool's connection, read as `kind`.
    pub(crate) fn parsed(kind: SourceKind, imported: super::Imported) -> Entry {
        Entry::Connection(Box::new(Parsed { kind, imported }))
    }
}

impl Batch {
    /// Says `note` when the source held no rows at all.
    pub(crate) fn note_if_empty(&mut self, note: impl Into<String>) {
        if self.rows.is_empty() {
            self.notes.push(note.into());
        }
    }
}

#[derive(Debug)]
pub enum Entry {
    Connection(Box<Parsed>),
    Password(PgpassLine),
    Invalid(CoreError),
    /// Read, but not a connection Switchboard can hold (another engine): why, in words.
    Skipped(String),
}

#[derive(Debug)]
pub struct Row {
    /// Where it came from: `line 3`, `DATABASE_URL`, `[billing]`, `item 2`.
    pub label: String,
    pub entry: Entry,
}

#[derive(Debug)]
pub struct Batch {
    pub source: BatchSource,
    pub rows: Vec<Row>,
    /// About the batch as a whole (lines skipped, and why).
    pub notes: Vec<String>,
    /// Folders the source keeps apart from its connections (empty ones too).
    pub folders: Vec<String>,
    /// Secrets in the file are sealed with a passphrase the user has not given.
    pub needs_passphrase: bool,
}

/// How to read another tool's file: the user's consent to take the passwords it holds,
/// and the passphrase of an export that seals them (Compass).
#[derive(Clone, Copy, Default)]
pub struct ReadOptions<'a> {
    pub include_passwords: bool,
    pub passphrase: Option<&'a str>,
    /// libpq's service files on this machine, user's first (pgAdmin's `Service` entries).
    pub pg_services: &'a [crate::libpq::ServiceFile],
}

impl std::fmt::Debug for ReadOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The passphrase and service files (which may hold passwords) are never printed.
        f.debug_struct("ReadOptions")
            .field("include_passwords", &self.include_passwords)
            .field("passphrase", &self.passphrase.map(|_| "…"))
            .field("pg_services", &self.pg_services.len())
            .finish()
    }
}

/// Reads `text`; `file_name` (when it came from a file) helps tell .pgpass from .env.
pub fn parse(text: &str, file_name: Option<&str>) -> Result<Batch> {
    parse_with(text, file_name, ReadOptions::default())
}

/// `parse`, read as `opts` say.
pub fn parse_with(text: &str, file_name: Option<&str>, opts: ReadOptions<'_>) -> Result<Batch> {
    if text.len() > super::FILE_MAX {
        return Err(super::draft::invalid(
            "The file is larger than 64 MiB.",
            "Import it in pieces.",
        ));
    }
    let name = file_name
        .map(|n| {
            n.rsplit(['/', '\\'])
                .next()
                .unwrap_or(n)
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let trimmed = text.trim_start();
    let source = if super::dbgate::is_connections(text) {
        BatchSource::Tool(Tool::Dbgate)
    } else if super::heidisql::is_settings(text) {
        BatchSource::Tool(Tool::Heidisql)
    } else if super::sequel_ace::is_favorites(text.as_bytes()) {
        BatchSource::Tool(Tool::SequelAce)
    } else if name.ends_with(".json")
        || (trimmed.starts_with('{') || trimmed.starts_with('['))
            && (serde_json::from_str::<Value>(text).is_ok()
                || super::vscode_mssql::parse_jsonc(text).is_ok())
    {
        BatchSource::Json
    } else if super::workbench::is_connections(text) {
        BatchSource::Tool(Tool::Workbench)
    } else if super::ssms::is_registered_servers(text) {
        BatchSource::Tool(Tool::Ssms)
    } else if text.contains("DataSourceManagerImpl") || text.contains("dataSourceStorage\"") {
        BatchSource::Tool(Tool::Datagrip)
    } else if name == ".pgpass" || name == "pgpass.conf" {
        BatchSource::Pgpass
    } else if name.contains("pg_service") || name == ".pg_service.conf" || looks_like_service(text)
    {
        BatchSource::PgService
    } else if name.starts_with(".env") || name.ends_with(".env") {
        BatchSource::Env
    } else if looks_like_pgpass(text) {
        BatchSource::Pgpass
    } else {
        BatchSource::Lines
    };
    let mut batch = Batch {
        source,
        rows: Vec::new(),
        notes: Vec::new(),
        folders: Vec::new(),
        needs_passphrase: false,
    };
    match source {
        BatchSource::Json => json(text, opts, &mut batch)?,
        BatchSource::Pgpass => pgpass(text, &mut batch),
        BatchSource::PgService => service(text, &mut batch),
        BatchSource::Env | BatchSource::Lines => lines(text, source, &mut batch),
        // Told from the JSON itself, never from the name alone.
        BatchSource::Tool(Tool::Workbench) => {
            super::workbench::rows(text, opts.include_passwords, &mut batch)?
        }
        BatchSource::Tool(Tool::Ssms) => super::ssms::rows(text, &mut batch)?,
        BatchSource::Tool(Tool::Datagrip) => {
            let project = super::datagrip::Project {
                label: name.clone(),
                dir: String::new(),
                home: String::new(),
                data_sources: text.to_owned(),
                local: None,
                forest: None,
                ssh_configs: Vec::new(),
            };
            super::datagrip::rows(&project, &mut batch)?
        }
        BatchSource::Tool(Tool::Pgadmin)
        | BatchSource::Tool(Tool::Dbeaver)
        | BatchSource::Tool(Tool::Ads)
        | BatchSource::Tool(Tool::VscodeMssql)
        | BatchSource::Tool(Tool::Compass) => json(text, opts, &mut batch)?,
        BatchSource::Tool(Tool::Dbgate) => {
            let store = super::dbgate::Store {
                label: if name.is_empty() {
                    "the pasted lines".into()
                } else {
                    name.clone()
                },
                text: text.to_owned(),
                key_file: None,
                include_passwords: opts.include_passwords,
            };
            super::dbgate::rows(&store, &mut batch)?
        }
        BatchSource::Tool(Tool::Heidisql) => {
            super::heidisql::rows(text, opts.include_passwords, &mut batch)?
        }
        BatchSource::Tool(Tool::SequelAce) => super::sequel_ace::rows(
            text.as_bytes(),
            if name.is_empty() {
                "the pasted text"
            } else {
                &name
            },
            &mut batch,
        )?,
        // A SQLite file, never text: core reads it (`parse_beekeeper`); TablePlus's are
        // never read. Neither is told from text.
        BatchSource::Tool(Tool::Beekeeper | Tool::Tableplus) => {
            return Err(super::draft::invalid(
                "Beekeeper Studio's app.db is a database, not text.",
                "Choose the file itself (or its folder) rather than pasting it.",
            ))
        }
    }
    Ok(batch)
}

/// Sequel Ace's favorites, XML or binary, as read from `label`.
pub fn parse_sequel_ace(bytes: &[u8], label: &str) -> Result<Batch> {
    let mut batch = Batch {
        source: BatchSource::Tool(Tool::SequelAce),
        rows: Vec::new(),
        notes: Vec::new(),
        folders: Vec::new(),
        needs_passphrase: false,
    };
    super::sequel_ace::rows(bytes, label, &mut batch)?;
    Ok(batch)
}

/// DbGate's connections file and key, read by the caller.
pub fn parse_dbgate(store: &super::dbgate::Store) -> Result<Batch> {
    let mut batch = Batch {
        source: BatchSource::Tool(Tool::Dbgate),
        rows: Vec::new(),
        notes: Vec::new(),
        folders: Vec::new(),
        needs_passphrase: false,
    };
    super::dbgate::rows(store, &mut batch)?;
    Ok(batch)
}

/// Beekeeper Studio's saved connections, read from its app.db by the caller.
pub fn parse_beekeeper(store: &super::beekeeper::Store) -> Result<Batch> {
    let mut batch = Batch {
        source: BatchSource::Tool(Tool::Beekeeper),
        rows: Vec::new(),
        notes: Vec::new(),
        folders: Vec::new(),
        needs_passphrase: false,
    };
    super::beekeeper::rows(store, &mut batch)?;
    Ok(batch)
}

/// A DataGrip project's files, read by the caller.
pub fn parse_datagrip(project: &super::datagrip::Project) -> Result<Batch> {
    let mut batch = Batch {
        source: BatchSource::Tool(Tool::Datagrip),
        rows: Vec::new(),
        notes: Vec::new(),
        folders: Vec::new(),
        needs_passphrase: false,
    };
    super::datagrip::rows(project, &mut batch)?;
    Ok(batch)
}

/// A DBeaver project's files, read by the caller (the credentials decrypted only when the
/// user asked for passwords).
pub fn parse_dbeaver(files: &[super::dbeaver::SourceFile]) -> Result<Batch> {
    let mut batch = Batch {
        source: BatchSource::Tool(Tool::Dbeaver),
        rows: Vec::new(),
        notes: Vec::new(),
        folders: Vec::new(),
        needs_passphrase: false,
    };
    for f in files {
        if f.text.len() > super::FILE_MAX {
            return Err(super::draft::invalid(
                format!("{} is larger than 64 MiB.", f.label),
                "Split the project in DBeaver, or import its files one by one.",
            ));
        }
    }
    super::dbeaver::rows(files, &mut batch)?;
    Ok(batch)
}

fn looks_like_service(text: &str) -> bool {
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    lines
        .next()
        .is_some_and(|l| l.starts_with('[') && l.ends_with(']'))
}

fn looks_like_pgpass(text: &str) -> bool {
    let mut any = false;
    for l in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        if l.contains("://") || split_pgpass(l).is_none() {
            return false;
        }
        any = true;
    }
    any
}

/// `host:port:db:user:password`, `\:` and `\\` escaped.
fn split_pgpass(line: &str) -> Option<Vec<String>> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    fields.last_mut()?.push(n);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut()?.push(c),
        }
    }
    (fields.len() == 5).then_some(fields)
}

fn pgpass(text: &str, batch: &mut Batch) {
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let label = format!("line {}", i + 1);
        let entry = match split_pgpass(line) {
            Some(mut f) => {
                let password = Secret::new(std::mem::take(&mut f[4]));
                Entry::Password(PgpassLine {
                    host: std::mem::take(&mut f[0]),
                    port: std::mem::take(&mut f[1]),
                    database: std::mem::take(&mut f[2]),
                    username: std::mem::take(&mut f[3]),
                    password,
                })
            }
            None => Entry::Invalid(super::draft::invalid(
                format!("{label} is not host:port:database:user:password."),
                "Each .pgpass line has five fields separated by ':' (\\: for a colon in a value).",
            )),
        };
        batch.rows.push(Row { label, entry });
    }
}

fn service(text: &str, batch: &mut Batch) {
    let mut current: Option<(String, Conninfo)> = None;
    let finish = |cur: Option<(String, Conninfo)>, batch: &mut Batch| {
        if let Some((name, kv)) = cur {
            let entry = match postgres::from_conninfo(kv) {
                Ok(mut imp) => {
                    imp.fields.name = name.clone();
                    Entry::Connection(Box::new(Parsed {
                        kind: SourceKind::LibpqKeywords,
                        imported: imp,
                    }))
                }
                Err(e) => Entry::Invalid(e),
            };
            batch.rows.push(Row {
                label: format!("[{name}]"),
                entry,
            });
        }
    };
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            finish(current.take(), batch);
            current = Some((name.trim().to_owned(), Conninfo::new()));
            continue;
        }
        match (&mut current, line.split_once('=')) {
            (Some((_, kv)), Some((k, v))) => {
                kv.insert(k.trim().to_owned(), v.trim().to_owned());
            }
            _ => batch.notes.push(format!(
                "line {}: not a [section] or keyword=value line; skipped",
                i + 1
            )),
        }
    }
    finish(current.take(), batch);
}

const URL_KEYS: &[&str] = &["_URL", "_URI", "_DSN", "_CONNECTION_STRING", "_CONN_STR"];

fn lines(text: &str, source: BatchSource, batch: &mut Batch) {
    let mut pg_vars = Conninfo::new();
    let mut skipped = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let label = format!("line {}", i + 1);
        if let Some((key, value)) = super::env_line(line) {
            if let Some(k) = pg_var(&key) {
                pg_vars.insert(k.to_owned(), value);
                continue;
            }
            let hinted = URL_KEYS.iter().any(|s| key.ends_with(s)) || key == "DATABASE";
            let schemed = value.contains("://") || value.starts_with("jdbc:");
            if !hinted && !schemed {
                skipped += 1;
                continue;
            }
            let entry = match import(line) {
                Ok(p) => Entry::Connection(Box::new(p)),
                Err(e) => Entry::Invalid(e),
            };
            batch.rows.push(Row { label: key, entry });
            continue;
        }
        if source == BatchSource::Env {
            skipped += 1;
            continue;
        }
        let entry = match import(line) {
            Ok(p) => Entry::Connection(Box::new(p)),
            Err(e) => Entry::Invalid(e),
        };
        batch.rows.push(Row { label, entry });
    }
    if !pg_vars.is_empty() {
        let entry = match postgres::from_conninfo(pg_vars) {
            Ok(mut imp) => {
                imp.fields.name = super::draft::derive_name(&imp.fields);
                Entry::Connection(Box::new(Parsed {
                    kind: SourceKind::EnvLine,
                    imported: imp,
                }))
            }
            Err(e) => Entry::Invalid(e),
        };
        batch.rows.push(Row {
            label: "PG* variables".into(),
            entry,
        });
    }
    if skipped > 0 {
        batch.notes.push(format!(
            "{} no connection string and {} skipped",
            crate::words::count(skipped as i64, "line holds", "lines hold"),
            if skipped == 1 { "was" } else { "were" }
        ));
    }
}

/// libpq's environment variable names, when written in a file.
fn pg_var(key: &str) -> Option<&'static str> {
    Some(match key {
        "PGHOST" => "host",
        "PGHOSTADDR" => "hostaddr",
        "PGPORT" => "port",
        "PGDATABASE" => "dbname",
        "PGUSER" => "user",
        "PGPASSWORD" => "password",
        "PGSSLMODE" => "sslmode",
        "PGSSLROOTCERT" => "sslrootcert",
        "PGSSLCERT" => "sslcert",
        "PGSSLKEY" => "sslkey",
        "PGAPPNAME" => "application_name",
        "PGCONNECT_TIMEOUT" => "connect_timeout",
        "PGTARGETSESSIONATTRS" => "target_session_attrs",
        "PGOPTIONS" => "options",
        _ => return None,
    })
}

/// Switchboard's own export: each item is a connection's fields exactly as saved.
fn native_list(v: Value, batch: &mut Batch) -> Result<()> {
    if let Err(newer) = super::native::version(&v) {
        return Err(CoreError::input(
            crate::error::ErrorCode::PayloadInvalid,
            Some("payload"),
            format!("The file is a version {newer} Switchboard export; this Switchboard reads up to version {}.", super::native::VERSION),
            "Import it with the newer Switchboard that wrote it.",
        ));
    }
    batch.folders = super::native::folders(&v).map_err(|e| {
        CoreError::input(
            crate::error::ErrorCode::PayloadInvalid,
            Some("payload"),
            format!("The export's {e}."),
            "Import the file exactly as Switchboard exported it.",
        )
    })?;
    let items = match v.get("connections") {
        Some(Value::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    for (i, item) in items.into_iter().enumerate() {
        let label = item
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("item {}", i + 1));
        let entry = match super::native::fields(item) {
            Ok(fields) => Entry::Connection(Box::new(Parsed {
                kind: SourceKind::SwitchboardList,
                imported: super::draft::Imported {
                    fields,
                    password: None,
                    client_key: None,
                    primary: None,
                    files: Vec::new(),
                    warnings: Vec::new(),
                    ssh_secrets: Vec::new(),
                    tls_from: None,
                },
            })),
            Err(e) => Entry::Invalid(CoreError::input(
                crate::error::ErrorCode::PayloadInvalid,
                Some("payload"),
                format!("Item {} is not a Switchboard connection: {e}.", i + 1),
                "Import the file exactly as Switchboard exported it.",
            )),
        };
        batch.rows.push(Row { label, entry });
    }
    if batch.rows.is_empty() {
        batch.notes.push("the export holds no connections".into());
    }
    Ok(())
}

fn json(text: &str, opts: ReadOptions<'_>, batch: &mut Batch) -> Result<()> {
    // VS Code's and Azure Data Studio's settings are JSON with comments and trailing
    // commas: read as such when plain JSON fails, and the first real error is reported.
    let v: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => super::vscode_mssql::parse_jsonc(text).map_err(|jsonc| {
            let at = if text.contains("//") || text.contains("/*") {
                jsonc
            } else {
                format!("line {}, column {}", e.line(), e.column())
            };
            CoreError::input(
                crate::error::ErrorCode::PayloadInvalid,
                Some("payload"),
                format!("The JSON is not valid ({at})."),
                "Import the file exactly as exported.",
            )
        })?,
    };
    if let Some(flavour) = super::vscode_mssql::flavour(&v) {
        batch.source = BatchSource::Tool(flavour);
        super::vscode_mssql::rows(&v, flavour, opts.include_passwords, batch);
        return Ok(());
    }
    if super::compass::is_export(&v) {
        batch.source = BatchSource::Tool(Tool::Compass);
        return super::compass::rows(&v, opts.include_passwords, opts.passphrase, batch);
    }
    if super::native::is_list(&v) {
        return native_list(v, batch);
    }
    if super::pgadmin::is_servers(&v) {
        batch.source = BatchSource::Tool(Tool::Pgadmin);
        super::pgadmin::rows(&v, opts, batch);
        return Ok(());
    }
    if super::dbeaver::is_data_sources(&v) {
        batch.source = BatchSource::Tool(Tool::Dbeaver);
        let file = super::dbeaver::SourceFile {
            project: None,
            label: "data-sources.json".into(),
            text: text.to_owned(),
            credentials: super::dbeaver::Credentials::Absent,
            include_passwords: opts.include_passwords,
            project_password: false,
        };
        return super::dbeaver::rows(&[file], batch);
    }
    let items = match v {
        Value::Array(a) => a,
        Value::Object(mut o) => match o.remove("connections") {
            Some(Value::Array(a)) => a,
            _ => vec![Value::Object(o)],
        },
        _ => Vec::new(),
    };
    for (i, item) in items.into_iter().enumerate() {
        let label = item
            .get("name")
            .or_else(|| item.get("configName"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("item {}", i + 1));
        let entry = match payload_format(&item) {
            None => Entry::Invalid(CoreError::input(
                crate::error::ErrorCode::PayloadInvalid,
                Some("payload"),
                "Not an Infisical, Sequin or Lerian connection.",
                "Each item must be one connection's JSON body.",
            )),
            Some(format) => match super::payloads::import(format, &item.to_string()) {
                Ok(mut imp) => {
                    skip_files(&mut imp);
                    Entry::Connection(Box::new(Parsed {
                        kind: SourceKind::Payload,
                        imported: imp,
                    }))
                }
                Err(e) => Entry::Invalid(e),
            },
        };
        batch.rows.push(Row { label, entry });
    }
    if batch.rows.is_empty() {
        batch.notes.push("the JSON holds no connections".into());
    }
    Ok(())
}
