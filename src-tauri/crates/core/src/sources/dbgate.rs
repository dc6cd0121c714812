//! DbGate's files on this machine: `~/.dbgate` (or `WORKSPACE_DIR`), its
//! `connections.jsonl` and the `.key` beside it. What they mean is `connstr::dbgate`'s.

use std::path::{Path, PathBuf};

use crate::connstr::dbgate::Store;
use crate::error::Result;

/// DbGate's data folder: `WORKSPACE_DIR`, else `~/.dbgate` (`directories.js`).
pub(super) fn data_dir() -> Option<PathBuf> {
    std::env::var_os("WORKSPACE_DIR")
        .map(PathBuf::from)
        .or_else(|| directories::BaseDirs::new().map(|b| b.home_dir().join(".dbgate")))
}

/// The `connections.jsonl` at `path` (the file, or the folder that holds it).
pub(crate) async fn connections_file(path: &Path) -> Option<PathBuf> {
    let meta = tokio::fs::metadata(path).await.ok()?;
    let file = if meta.is_dir() {
        path.join("connections.jsonl")
    } else {
        path.to_owned()
    };
    let named = file.file_name().is_some_and(|n| n == "connections.jsonl");
    (named && tokio::fs::metadata(&file).await.is_ok_and(|m| m.is_file())).then_some(file)
}

/// A `.key` file is one sealed key: a few hundred bytes.
const KEY_FILE_MAX: u64 = 64 * 1024;

/// Reads `file` and the `.key` beside it.
pub(crate) async fn load(file: &Path, include_passwords: bool) -> Result<Store> {
    let text = crate::imports::read_import_file(file).await?;
    let key_file = match file.parent() {
        Some(dir) => crate::files::read_text(&dir.join(".key"), KEY_FILE_MAX)
            .await
            .ok(),
        None => None,
    };
    Ok(Store {
        label: file.display().to_string(),
        text,
        key_file,
        include_passwords,
    })
}

/// How many saved connections `file` holds, for discovery.
pub(super) async fn count(file: &Path) -> u32 {
    let Ok(text) = crate::imports::read_import_file(file).await else {
        return 0;
    };
    let n = text
        .lines()
        .filter(|l| l.contains("@dbgate-plugin-") && !l.contains("\"unsaved\":true"))
        .count();
    u32::try_from(n).unwrap_or(u32::MAX)
}
