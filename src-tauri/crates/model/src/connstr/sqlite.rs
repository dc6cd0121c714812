//! SQLite: a file path, `sqlite:` / `file:` URLs (sqlx's and SQLite's own URI forms),
//! `jdbc:sqlite:` and the sqlite3 shell. Out: URL, JDBC, sqlite3.

use super::draft::Imported;
use super::draft::{decode, draft, invalid, set_option, unmapped};
use super::export::{ExportFormat, Out};
use crate::error::Result;
use crate::model::{ConnectionFields, Engine, OptionValue};

const EXTENSIONS: &[&str] = &[".db", ".sqlite", ".sqlite3", ".db3"];

pub fn looks_like_path(s: &str) -> bool {
    let windows_drive =
        s.len() > 2 && s.as_bytes()[1] == b':' && matches!(s.as_bytes()[2], b'\\' | b'/');
    !s.contains("://")
        && !s.contains('\n')
        && (s.starts_with('/')
            || s.starts_with("~/")
            || windows_drive
            || EXTENSIONS
                .iter()
                .any(|e| s.to_ascii_lowercase().ends_with(e)))
}

pub fn import_path(s: &str) -> Result<Imported> {
    let mut imp = draft(Engine::Sqlite);
    imp.fields.database = s.to_owned();
    Ok(imp)
}

/// `sqlite:///abs`, `sqlite://rel`, `sqlite:/abs`, `file:/abs?mode=ro`, `file:///abs`.
pub fn import_url(s: &str) -> Result<Imported> {
    let lower = s.get(..7).unwrap_or("").to_ascii_lowercase();
    let rest = if lower.starts_with("sqlite:") {
        &s[7..]
    } else {
        &s[5..]
    };
    if rest.starts_with(":memory:") || rest.contains("mode=memory") {
        return Err(invalid(
            "An in-memory database cannot be saved as a connection.",
            "Give the path of a database file.",
        ));
    }
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = match path.strip_prefix("//") {
        // file://localhost/abs and sqlite:///abs
        Some(p) => p.strip_prefix("localhost").unwrap_or(p),
        None => path,
    };
    let mut imp = draft(Engine::Sqlite);
    imp.fields.database = decode(path, "file path")?;
    for (k, v) in super::draft::query_pairs(query, false)? {
        match (k.as_str(), v.as_str()) {
            ("mode", "ro") => set_option(&mut imp, "read_only", OptionValue::Bool(true)),
            ("mode", "rw" | "rwc") => set_option(&mut imp, "read_only", OptionValue::Bool(false)),
            _ => unmapped(&mut imp, &k),
        }
    }
    Ok(imp)
}

pub fn import_jdbc(s: &str) -> Result<Imported> {
    let rest = &s["jdbc:sqlite:".len()..];
    if rest.to_ascii_lowercase().starts_with("file:") {
        import_url(rest)
    } else {
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut imp = import_url(&format!("sqlite:{}?{query}", encode_path(path)))?;
        imp.fields.database = path.to_owned();
        Ok(imp)
    }
}

pub fn import_sqlite3(args: &[String]) -> Result<Imported> {
    let mut imp = draft(Engine::Sqlite);
    let mut read_only = None;
    for a in args {
        match a.as_str() {
            "-readonly" | "--readonly" => read_only = Some(true),
            f if f.starts_with('-') => unmapped(&mut imp, f),
            path if imp.fields.database.is_empty() => imp.fields.database = path.to_owned(),
            _ => imp
                .warnings
                .push("the SQL after the file name is not imported".into()),
        }
    }
    set_option(
        &mut imp,
        "read_only",
        OptionValue::Bool(read_only.unwrap_or(false)),
    );
    Ok(imp)
}

const PATH: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'%')
    .add(b'?')
    .add(b'#')
    .add(b'"');

fn encode_path(p: &str) -> String {
    percent_encoding::utf8_percent_encode(p, PATH).to_string()
}

pub fn export(f: &ConnectionFields, format: ExportFormat, out: &mut Out) -> Result<String> {
    out.unexported_options(f, &["read_only"], "a SQLite path");
    if f.timeout_secs != crate::model::DEFAULT_TIMEOUT_SECS {
        out.drop("timeout_secs", "a SQLite path has no timeout");
    }
    let read_only = f
        .options
        .get("read_only")
        .and_then(OptionValue::as_bool)
        .unwrap_or(true);
    let mode = if read_only { "ro" } else { "rw" };
    let path = encode_path(&f.database);
    match format {
        ExportFormat::Url => Ok(format!("sqlite://{path}?mode={mode}")),
        ExportFormat::Jdbc => Ok(format!("jdbc:sqlite:file:{path}?mode={mode}")),
        ExportFormat::Shell => {
            let mut args = vec!["sqlite3".to_owned()];
            if read_only {
                args.push("-readonly".into());
            }
            args.push(f.database.clone());
            Ok(super::shell::join(&args))
        }
        other => Err(super::export::not_carried(f.engine, other)),
    }
}
