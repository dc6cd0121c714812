//! Azure Data Studio's and VS Code mssql's saved connections: a `settings.json` (JSON with
//! comments and trailing commas) holding `datasource.connections` / `datasource.
//! connectionGroups` (ADS: microsoft/azuredatastudio `src/sql/platform/connection/common/
//! connectionConfig.ts`, each connection `{options, groupId, providerName, savePassword,
//! id}`) or `mssql.connections` / `mssql.connectionGroups` (microsoft/vscode-mssql
//! `extensions/mssql/src/connectionconfig/connectionconfig.ts`, flat profiles). Groups are
//! a tree under a hidden root (named `ROOT`; vscode-mssql also gives it the id `ROOT`):
//! the path of names below it is the folder. Notes: docs/research/ads_compass_workbench_ssms.md.
//!
//! An SQL Server profile is what the tool hands SqlClient: an ADO.NET connection string,
//! read by Switchboard's ADO.NET reader, so `server` keeps its `tcp:`, `,port` and
//! `\instance` forms and `encrypt` (Mandatory / Optional / Strict or a boolean) with
//! `trustServerCertificate` keeps SqlClient's meaning. ADS's MySQL and PostgreSQL
//! extensions' profiles go through the MySQL URL and libpq readers.

use serde_json::{Map, Value};

use super::batch::{Batch, Entry, Row};
use super::tools::Tool;
use super::{Imported, Parsed, SourceKind};
use crate::libpq::Conninfo;
use crate::model::PasswordSave;

/// Where each tool keeps its connections and groups in its settings.
fn keys(tool: Tool) -> (&'static str, &'static str) {
    match tool {
        Tool::VscodeMssql => ("mssql.connections", "mssql.connectionGroups"),
        _ => ("datasource.connections", "datasource.connectionGroups"),
    }
}

/// Which tool's connections a settings document holds (ADS first when both are there:
/// ADS's own settings never hold `mssql.` keys unless the extension was installed too).
pub fn flavour(v: &Value) -> Option<Tool> {
    [Tool::Ads, Tool::VscodeMssql]
        .into_iter()
        .find(|t| v.get(keys(*t).0).is_some_and(Value::is_array))
}

/// Reads JSON with comments and trailing commas, as VS Code writes settings.
pub fn parse_jsonc(text: &str) -> std::result::Result<Value, String> {
    let options = jsonc_parser::ParseOptions {
        allow_comments: true,
        allow_loose_object_property_names: false,
        allow_trailing_commas: true,
    };
    match jsonc_parser::parse_to_serde_value(text, &options) {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err("the file is empty".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// The path of group names from the root to `id` (the hidden root left out).
fn folder(groups: &[Value], id: Option<&str>) -> (String, Option<String>) {
    let by_id: std::collections::HashMap<&str, &Value> = groups
        .iter()
        .filter_map(|g| Some((g.get("id")?.as_str()?, g)))
        .collect();
    let mut names = Vec::new();
    let mut color = None;
    let mut at = id;
    // A cycle in a hand-edited file cannot loop for ever.
    for _ in 0..64 {
        let Some(g) = at.and_then(|i| by_id.get(i)) else {
            break;
        };
        let name = g.get("name").and_then(Value::as_str).unwrap_or("");
        let is_root = name.trim().eq_ignore_ascii_case("ROOT") || at == Some("ROOT");
        if is_root {
            break;
        }
        if color.is_none() {
            color = g.get("color").and_then(Value::as_str).map(str::to_owned);
        }
        names.push(name.replace('/', "-"));
        at = g
            .get("parentId")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty());
    }
    names.reverse();
    (crate::folder::normalize(&names.join("/")), color)
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An ADO.NET value, quoted when it holds what would end or split it.
fn ado(v: &str) -> String {
    if v.contains([';', '=', '"', '\'']) || v.trim() != v {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_owned()
    }
}

/// Every connection of the settings as a row, every group as a folder.
pub(super) fn rows(v: &Value, f: Tool, include_passwords: bool, batch: &mut Batch) {
    let (conns_key, groups_key) = keys(f);
    let groups: Vec<Value> = v
        .get(groups_key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for g in &groups {
        let (path, _) = folder(&groups, g.get("id").and_then(Value::as_str));
        if !path.is_empty() && !batch.folders.contains(&path) {
            batch.folders.push(path);
        }
    }
    let conns = v
        .get(conns_key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, c) in conns.iter().enumerate() {
        // ADS keeps the provider's options in `options`; VS Code mssql flattens them.
        let (opts, provider) = match f {
            Tool::Ads => (
                c.get("options").and_then(Value::as_object),
                c.get("providerName")
                    .and_then(Value::as_str)
                    .unwrap_or("MSSQL"),
            ),
            // VS Code mssql.
            _ => (c.as_object(), "MSSQL"),
        };
        let empty = Map::new();
        let opts = opts.unwrap_or(&empty);
        let name = text(opts.get("connectionName"))
            .or_else(|| text(opts.get("profileName")))
            .or_else(|| text(opts.get("server")))
            .or_else(|| text(opts.get("host")));
        let label = name.clone().unwrap_or_else(|| format!("{conns_key}[{i}]"));
        // ADS keeps savePassword beside `options`; VS Code mssql in the profile: `c` both.
        let saved = c.get("savePassword").and_then(Value::as_bool) == Some(true);
        let entry = match profile(provider, opts, f, saved, include_passwords) {
            Ok(Some(mut imp)) => {
                let (path, color) = folder(&groups, c.get("groupId").and_then(Value::as_str));
                imp.fields.folder = path;
                if imp.fields.color.is_none() {
                    imp.fields.color = color.filter(|c| c.len() == 7 && c.starts_with('#'));
                }
                if let Some(n) = name {
                    imp.fields.name = n;
                } else {
                    imp.fields.name = super::draft::derive_name(&imp.fields);
                }
                let id = c.get("id").and_then(Value::as_str).unwrap_or("");
                super::mark_source(&mut imp, f, id);
                Entry::Connection(Box::new(Parsed {
                    kind: SourceKind::Tool(f),
                    imported: imp,
                }))
            }
            Ok(None) => Entry::Skipped(format!(
                "{}'s {provider} connection is not an engine Switchboard connects to (PostgreSQL, MySQL/MariaDB, SQL Server, Oracle, MongoDB, SQLite)",
                f.label()
            )),
            Err(e) => Entry::Invalid(e),
        };
        batch.rows.push(Row { label, entry });
    }
    if batch.rows.is_empty() {
        batch
            .notes
            .push(format!("the {} settings hold no connections", f.label()));
    }
}

/// One profile, or `None` for a provider Switchboard has no engine for.
fn profile(
    provider: &str,
    o: &Map<String, Value>,
    f: Tool,
    saved: bool,
    include_passwords: bool,
) -> crate::error::Result<Option<Imported>> {
    let get = |k: &str| text(o.get(k));
    let mut imp = match provider.to_ascii_uppercase().as_str() {
        "MSSQL" => sqlserver(o, f)?,
        "MYSQL" => {
            let mut url = format!(
                "mysql://{}{}/{}",
                crate::hosts::url_host(&get("host").unwrap_or_else(|| "localhost".into())),
                get("port").map(|p| format!(":{p}")).unwrap_or_default(),
                super::draft::encode(&get("dbname").unwrap_or_default())
            );
            // The extension's `ssl` words are MySQL's ssl-mode (default require).
            let mode = get("ssl").unwrap_or_else(|| "require".into());
            url.push_str(&format!("?ssl-mode={}", mode.to_ascii_uppercase()));
            let mut imp = super::import(&url)?.imported;
            imp.tls_from = Some(format!(
                "the MySQL extension's ssl={mode}, MySQL's ssl-mode"
            ));
            for (key, slot) in [
                ("ssl.ca", super::FileSlot::Ca),
                ("ssl.cert", super::FileSlot::ClientCert),
                ("ssl.key", super::FileSlot::ClientKey),
            ] {
                if let Some(p) = get(key) {
                    super::draft::file(&mut imp, slot, key, p);
                }
            }
            imp
        }
        "PGSQL" => {
            let mut kv = Conninfo::new();
            for (key, libpq) in [
                ("host", "host"),
                ("port", "port"),
                ("dbname", "dbname"),
                ("sslmode", "sslmode"),
                ("sslrootcert", "sslrootcert"),
                ("sslcert", "sslcert"),
                ("sslkey", "sslkey"),
                ("connectTimeout", "connect_timeout"),
            ] {
                if let Some(v) = get(key) {
                    kv.insert(libpq.into(), v);
                }
            }
            let mut imp = super::postgres::from_conninfo(kv)?;
            imp.tls_from = Some(format!(
                "sslmode={}, as libpq reads it",
                get("sslmode").unwrap_or_else(|| "prefer".into())
            ));
            imp
        }
        _ => return Ok(None),
    };
    if let Some(u) = get("user") {
        imp.fields.username = u;
    }
    // Written into the settings (or a profile's connection string) by hand or a script:
    // the file the user chose holds it.
    let password = get("password").or_else(|| imp.password.take().map(|p| p.expose().to_owned()));
    let had = super::draft::consent_password(
        &mut imp,
        password,
        include_passwords,
        "the settings hold a password; it was not read (import with passwords included to bring it into the keychain)",
    );
    if !had {
        imp.fields.password_save = PasswordSave::Ask;
        if saved {
            imp.warnings.push(format!(
                "{} saved the password in its own secret store, which Switchboard does not read: enter it in the form",
                f.label()
            ));
        }
    }
    match get("authenticationType").as_deref() {
        // Windows authentication is read from the connection string (Integrated Security).
        None | Some("SqlLogin" | "Integrated") => {}
        Some(other) => imp.warnings.push(format!(
            "authentication {other} has no place in Switchboard; user and password are used"
        )),
    }
    Ok(Some(imp))
}

/// SqlClient's connection string for an SQL Server profile (or the one it gives).
fn sqlserver(o: &Map<String, Value>, f: Tool) -> crate::error::Result<Imported> {
    let get = |k: &str| text(o.get(k));
    if let Some(cs) = get("connectionString") {
        let mut imp = super::sqlserver::import_ado(&cs)?;
        imp.tls_from = Some("the profile's connection string, as SqlClient reads it".into());
        return Ok(imp);
    }
    let mut server = get("server").unwrap_or_else(|| "localhost".into());
    if let Some(port) = get("port").filter(|p| p != "1433" && p != "0") {
        if !server.contains(',') && !server.contains('\\') {
            server = format!("{server},{port}");
        }
    }
    let mut parts = vec![format!("Data Source={}", ado(&server))];
    if let Some(db) = get("database") {
        parts.push(format!("Initial Catalog={}", ado(&db)));
    }
    // Both tools read a missing or true encrypt as Mandatory (SqlClient 5's default) and
    // false as Optional (vscode-mssql `connectionInfo.ts`; ADS since late 2022).
    let encrypt = match o.get("encrypt") {
        None | Some(Value::Null) => "Mandatory".to_owned(),
        Some(Value::Bool(true)) => "Mandatory".to_owned(),
        Some(Value::Bool(false)) => "Optional".to_owned(),
        Some(Value::String(s)) if s.is_empty() || s.eq_ignore_ascii_case("true") => {
            "Mandatory".to_owned()
        }
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => "Optional".to_owned(),
        Some(v) => text(Some(v)).unwrap_or_default(),
    };
    parts.push(format!("Encrypt={encrypt}"));
    let trust = match o.get("trustServerCertificate") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    };
    parts.push(format!("TrustServerCertificate={trust}"));
    if let Some(h) = get("hostNameInCertificate") {
        parts.push(format!("HostNameInCertificate={}", ado(&h)));
    }
    if let Some(i) = get("applicationIntent") {
        parts.push(format!("ApplicationIntent={}", ado(&i)));
    }
    if let Some(t) = get("connectTimeout") {
        parts.push(format!("Connect Timeout={}", ado(&t)));
    }
    if get("authenticationType").as_deref() == Some("Integrated") {
        parts.push("Integrated Security=true".into());
    }
    let mut imp = super::sqlserver::import_ado(&parts.join(";"))?;
    imp.tls_from = Some(format!(
        "{}'s encrypt={encrypt}, trustServerCertificate={trust}, as SqlClient reads them",
        f.label()
    ));
    Ok(imp)
}
