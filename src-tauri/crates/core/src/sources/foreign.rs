//! Tools whose lists Switchboard cannot read, said plainly instead of failing on their
//! bytes: TablePlus (passwords in the system keyring under its name, an undocumented list
//! format, and exports sealed with a password in a format only TablePlus opens), and files
//! recognised as Navicat's exports, not read yet. Each says why and what to do instead. Facts and their
//! sources: docs/research/other_tools.md.

use std::path::{Path, PathBuf};

use super::{Found, Tool};
use crate::error::{CoreError, ErrorCode};

/// Why a tool's file cannot be read, and what to do instead.
struct Verdict {
    tool: &'static str,
    why: &'static str,
    how: &'static str,
}

const TABLEPLUS: Verdict = Verdict {
    tool: "TablePlus",
    why: "TablePlus keeps its passwords in the system keyring under its own name, does not document its list, and seals its exports (.tableplusconnection) in a format only it opens",
    how: "In TablePlus, copy each connection's URL and paste them here, one per line (or enter them in the form)",
};

const NAVICAT: Verdict = Verdict {
    tool: "Navicat",
    why: "Switchboard does not read Navicat's .ncx exports yet",
    how: "Export the connections as URLs, or paste each one's mysql://, postgresql:// or sqlserver:// URL here",
};

fn refuse(path: &Path, v: &Verdict) -> CoreError {
    CoreError::input(
        ErrorCode::PayloadInvalid,
        Some("file"),
        format!(
            "{} is {}'s, and Switchboard cannot read it: {}.",
            path.display(),
            v.tool,
            v.why
        ),
        format!("{}.", v.how),
    )
}

/// The error for a tool the user named (`--from`) whose files cannot be read.
pub(crate) fn refuse_tool(tool: Tool, path: &Path) -> Option<CoreError> {
    match tool {
        Tool::Tableplus => Some(refuse(path, &TABLEPLUS)),
        _ => None,
    }
}

/// The error for a file recognised as one of these tools', from its name and first bytes.
pub(crate) async fn recognise(path: &Path) -> Option<CoreError> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    let mut head = vec![0u8; 4096];
    let n = match tokio::fs::File::open(path).await {
        Ok(mut f) => tokio::io::AsyncReadExt::read(&mut f, &mut head)
            .await
            .unwrap_or(0),
        Err(_) => 0,
    };
    let head = String::from_utf8_lossy(&head[..n]);
    let verdict = if name.ends_with(".tableplusconnection")
        || (name.ends_with(".plist")
            && head.contains("ConnectionName")
            && head.contains("DatabaseHost"))
        || path
            .components()
            .any(|c| c.as_os_str() == "com.tinyapp.TablePlus")
    {
        &TABLEPLUS
    } else if name.ends_with(".ncx") || head.contains("<Connections Ver=") {
        &NAVICAT
    } else {
        return None;
    };
    Some(refuse(path, verdict))
}

/// Where these tools keep their lists on this OS, when something is there: each a find
/// with a note in place of an import.
pub(super) async fn discover() -> Vec<Found> {
    let Some(base) = directories::BaseDirs::new() else {
        return Vec::new();
    };
    let home = base.home_dir();
    let places: [(Tool, &Verdict, PathBuf); 2] = [
        (
            Tool::Tableplus,
            &TABLEPLUS,
            home.join("Library/Application Support/com.tinyapp.TablePlus/Data/Connections.plist"),
        ),
        (Tool::Tableplus, &TABLEPLUS, home.join(".tableplus")),
    ];
    let mut out = Vec::new();
    for (tool, v, path) in places {
        if tokio::fs::metadata(&path).await.is_err() {
            continue;
        }
        out.push(Found {
            tool,
            path: path.display().to_string(),
            connections: 0,
            projects: 0,
            summary: format!("{}'s connections, which Switchboard cannot read", v.tool),
            note: Some(format!("{}. {}.", v.why, v.how)),
        });
    }
    out
}
