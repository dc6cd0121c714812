//! Beekeeper Studio's `app.db` on this machine: found in its userData folder, opened
//! read-only, its `saved_connection` and `connection_folder` rows handed to the model as
//! JSON objects (whatever columns this Beekeeper's migrations made), with the `.key` file
//! beside it. What the rows mean is `connstr::beekeeper`'s.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde_json::Value;
use sqlx::sqlite::{SqliteConnectOptions, SqliteRow};
use sqlx::{Column, ConnectOptions, Row, TypeInfo, ValueRef};

use crate::connstr::beekeeper::Store;
use crate::error::{CoreError, ErrorCode, Result};

/// Beekeeper's userData folders on this OS (Electron's, named for its package).
pub(super) fn data_dirs() -> Vec<PathBuf> {
    let Some(base) = directories::BaseDirs::new() else {
        return Vec::new();
    };
    let mut dirs = vec![
        base.config_dir().join("beekeeper-studio"),
        base.config_dir().join("Beekeeper Studio"),
    ];
    if cfg!(target_os = "linux") {
        dirs.push(
            base.home_dir()
                .join("snap/beekeeper-studio/current/.config/beekeeper-studio"),
        );
    }
    dirs
}

/// The SQLite file at `path` (the file, or the `app.db` in the folder), by its header.
pub(crate) async fn sqlite_file(path: &Path) -> Option<PathBuf> {
    let file = if tokio::fs::metadata(path).await.ok()?.is_dir() {
        path.join("app.db")
    } else {
        path.to_owned()
    };
    let mut head = [0u8; 16];
    let mut f = tokio::fs::File::open(&file).await.ok()?;
    tokio::io::AsyncReadExt::read_exact(&mut f, &mut head)
        .await
        .ok()?;
    (&head == b"SQLite format 3\0").then_some(file)
}

/// The `app.db` at `path` (the file, or the folder that holds it) if it is Beekeeper's:
/// a SQLite file with a `saved_connection` table.
pub(crate) async fn app_db(path: &Path) -> Option<PathBuf> {
    let file = sqlite_file(path).await?;
    let mut conn = open(&file).await.ok()?;
    let has: Option<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'saved_connection'",
    )
    .fetch_optional(&mut conn)
    .await
    .ok()?;
    has.map(|_| file)
}

async fn open(file: &Path) -> std::result::Result<sqlx::SqliteConnection, sqlx::Error> {
    SqliteConnectOptions::from_str("sqlite:")?
        .filename(file)
        .read_only(true)
        .connect()
        .await
}

fn unreadable(file: &Path, why: impl std::fmt::Display) -> CoreError {
    CoreError::input(
        ErrorCode::FileUnreadable,
        Some("file"),
        format!("{} cannot be read: {why}.", file.display()),
        "Close Beekeeper Studio and try again, or copy app.db and .key to another folder and import the copy.",
    )
}

/// Every row of `table` as a JSON object of its columns.
async fn rows(conn: &mut sqlx::SqliteConnection, table: &str) -> sqlx::Result<Vec<Value>> {
    let found: Vec<SqliteRow> = sqlx::query(&format!("SELECT * FROM {table} ORDER BY id"))
        .fetch_all(&mut *conn)
        .await?;
    Ok(found
        .iter()
        .map(|row| {
            let mut o = serde_json::Map::new();
            for (i, col) in row.columns().iter().enumerate() {
                let v = match row.try_get_raw(i) {
                    Ok(raw) if raw.is_null() => Value::Null,
                    Ok(raw) => match raw.type_info().name() {
                        "INTEGER" | "BOOLEAN" => {
                            row.try_get::<i64, _>(i).map_or(Value::Null, Value::from)
                        }
                        "REAL" => row.try_get::<f64, _>(i).map_or(Value::Null, Value::from),
                        "TEXT" => row.try_get::<String, _>(i).map_or(Value::Null, Value::from),
                        _ => Value::Null,
                    },
                    Err(_) => Value::Null,
                };
                o.insert(col.name().to_owned(), v);
            }
            Value::Object(o)
        })
        .collect())
}

/// Why a SQLite file that is not Beekeeper's store cannot be imported.
pub(crate) fn not_a_store(file: &Path) -> CoreError {
    CoreError::input(
        ErrorCode::PayloadInvalid,
        Some("file"),
        format!(
            "{} is a SQLite database, but not a list of connections: it has no Beekeeper Studio saved_connection table, or it is damaged.",
            file.display()
        ),
        "Choose Beekeeper Studio's app.db (in ~/.config/beekeeper-studio), or add this database itself with New connection (SQLite).",
    )
}

/// A `.key` file is one sealed key: a few hundred bytes.
const KEY_FILE_MAX: u64 = 64 * 1024;

/// Reads `file` (Beekeeper's `app.db`) and the `.key` beside it.
pub(crate) async fn load(file: &Path, include_passwords: bool) -> Result<Store> {
    let mut conn = open(file).await.map_err(|e| unreadable(file, e))?;
    let connections = rows(&mut conn, "saved_connection")
        .await
        .map_err(|e| unreadable(file, e))?;
    let has_folders: Option<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'connection_folder'",
    )
    .fetch_optional(&mut conn)
    .await
    .map_err(|e| unreadable(file, e))?;
    let folders = match has_folders {
        Some(_) => rows(&mut conn, "connection_folder")
            .await
            .map_err(|e| unreadable(file, e))?,
        None => Vec::new(),
    };
    let key_file = match file.parent() {
        Some(dir) => crate::files::read_text(&dir.join(".key"), KEY_FILE_MAX)
            .await
            .ok(),
        None => None,
    };
    Ok(Store {
        label: file.display().to_string(),
        connections,
        folders,
        key_file,
        include_passwords,
    })
}

/// How many connections `file` saves, for discovery.
pub(super) async fn count(file: &Path) -> u32 {
    let Ok(mut conn) = open(file).await else {
        return 0;
    };
    sqlx::query_scalar::<_, i64>("SELECT count(*) FROM saved_connection")
        .fetch_one(&mut conn)
        .await
        .ok()
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(0)
}
