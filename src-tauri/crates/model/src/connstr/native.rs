//! Switchboard's own JSON list: every setting of each connection as the store keeps it
//! (folder, tags, environment, TLS, SSH route …), never a secret. What the window's and the
//! CLI's "Export" of several connections writes, and what the batch import reads back, so
//! a list moves between machines with its folders.

use serde::Serialize;
use serde_json::Value;

use crate::model::ConnectionFields;

/// The `format` key that marks the file.
pub const FORMAT: &str = "switchboard.connections";
/// The version of the layout; a newer one is refused with its number.
pub const VERSION: u64 = 1;

#[derive(Serialize)]
struct ListFile<'a> {
    format: &'static str,
    version: u64,
    exported_at: &'a str,
    /// Folders the export covers, empty ones too (a connection's own is in its fields).
    folders: &'a [String],
    connections: &'a [ConnectionFields],
}

/// The list as a pretty-printed JSON document. `exported_at`: RFC 3339.
pub fn export(connections: &[ConnectionFields], folders: &[String], exported_at: &str) -> String {
    let file = ListFile {
        format: FORMAT,
        version: VERSION,
        exported_at,
        folders,
        connections,
    };
    serde_json::to_string_pretty(&file).unwrap_or_default()
}

/// Whether a JSON document is Switchboard's own list.
pub fn is_list(v: &Value) -> bool {
    v.get("format").and_then(Value::as_str) == Some(FORMAT)
}

/// The list's version, when it is one this Switchboard reads.
pub fn version(v: &Value) -> std::result::Result<(), u64> {
    match v.get("version").and_then(Value::as_u64) {
        Some(n) if n > VERSION => Err(n),
        _ => Ok(()),
    }
}

/// The list's folders, normalised; a path that is not a valid folder is named as an error.
pub fn folders(v: &Value) -> std::result::Result<Vec<String>, String> {
    let Some(items) = v.get("folders").and_then(Value::as_array) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = item
            .as_str()
            .ok_or_else(|| format!("folders[{i}] is not a text path"))?;
        let path = crate::folder::normalize(path);
        if let Some(issue) = crate::folder::issues(&path).into_iter().next() {
            return Err(format!("folders[{i}]: {}", issue.message));
        }
        if !path.is_empty() && !out.contains(&path) {
            out.push(path);
        }
    }
    Ok(out)
}

/// One item as a connection's fields (serde's message on failure).
pub fn fields(item: Value) -> std::result::Result<ConnectionFields, String> {
    serde_json::from_value(item).map_err(|e| e.to_string())
}
