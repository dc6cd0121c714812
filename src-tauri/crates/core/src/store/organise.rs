//! How the list is organised, kept apart from the connections' rows: folders the store
//! keeps (empty or collapsed ones) and each connection's favourite mark and last use.
//! Starring, opening or collapsing never bumps a connection's version.

use sqlx::SqliteConnection;
use uuid::Uuid;

use super::Store;
use crate::db::Db;
use crate::error::Result;

/// A folder the store keeps: one made empty, or one the user collapsed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct FolderState {
    pub path: String,
    pub collapsed: bool,
}

impl Store {
    pub(crate) async fn folder_states(&self) -> Result<Vec<FolderState>> {
        let rows: Vec<(String, bool)> =
            sqlx::query_as("SELECT path, collapsed FROM folders ORDER BY path")
                .fetch_all(&self.pool)
                .await
                .db()?;
        Ok(rows
            .into_iter()
            .map(|(path, collapsed)| FolderState { path, collapsed })
            .collect())
    }

    /// Every folder path in use: kept ones and those connections sit in.
    pub async fn folder_paths(&self) -> Result<Vec<String>> {
        sqlx::query_scalar(
            "SELECT path FROM folders UNION SELECT DISTINCT folder FROM connections WHERE folder <> ''",
        )
        .fetch_all(&self.pool)
        .await
        .db()
    }

    pub async fn set_folder_collapsed(&self, path: &str, collapsed: bool) -> Result<()> {
        sqlx::query(
            "INSERT INTO folders (path, collapsed) VALUES (?, ?) \
             ON CONFLICT (path) DO UPDATE SET collapsed = excluded.collapsed",
        )
        .bind(path)
        .bind(collapsed)
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    pub async fn set_favourite(&self, id: Uuid, favourite: bool) -> Result<()> {
        sqlx::query(
            "INSERT INTO usage (connection_id, favourite) \
             SELECT ?, ? WHERE EXISTS (SELECT 1 FROM connections WHERE id = ?) \
             ON CONFLICT (connection_id) DO UPDATE SET favourite = excluded.favourite",
        )
        .bind(id.to_string())
        .bind(favourite)
        .bind(id.to_string())
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    /// Remembers that a connection was used (opened, tested, copied) at `at`.
    pub async fn mark_used(&self, id: Uuid, at: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO usage (connection_id, used_at) \
             SELECT ?, ? WHERE EXISTS (SELECT 1 FROM connections WHERE id = ?) \
             ON CONFLICT (connection_id) DO UPDATE SET used_at = excluded.used_at",
        )
        .bind(id.to_string())
        .bind(at)
        .bind(id.to_string())
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    /// A connection's favourite mark and last use, to put back with it (undo of a delete).
    pub(crate) async fn usage_of(&self, id: Uuid) -> Result<Option<(bool, Option<String>)>> {
        sqlx::query_as("SELECT favourite, used_at FROM usage WHERE connection_id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .db()
    }
}

/// Keeps `path` as a folder (nothing happens if it is kept already).
pub(crate) async fn keep_folder(tx: &mut SqliteConnection, path: &str) -> Result<()> {
    sqlx::query("INSERT INTO folders (path) VALUES (?) ON CONFLICT (path) DO NOTHING")
        .bind(path)
        .execute(&mut *tx)
        .await
        .db()?;
    Ok(())
}

/// Renames the kept folder `from` and those inside it to sit under `to` (`""`: their
/// contents move up to the top level, and `from` itself goes).
pub(crate) async fn move_kept_folders(
    tx: &mut SqliteConnection,
    from: &str,
    to: &str,
) -> Result<()> {
    let kept: Vec<(String, bool)> = sqlx::query_as(
        "SELECT path, collapsed FROM folders WHERE path = ? OR substr(path, 1, ?) = ?",
    )
    .bind(from)
    .bind(from.chars().count() as i64 + 1)
    .bind(format!("{from}/"))
    .fetch_all(&mut *tx)
    .await
    .db()?;
    for (path, collapsed) in kept {
        sqlx::query("DELETE FROM folders WHERE path = ?")
            .bind(&path)
            .execute(&mut *tx)
            .await
            .db()?;
        let Some(new) = switchboard_model::folder::moved(&path, from, to) else {
            continue;
        };
        if new.is_empty() {
            continue;
        }
        sqlx::query(
            "INSERT INTO folders (path, collapsed) VALUES (?, ?) \
             ON CONFLICT (path) DO UPDATE SET collapsed = excluded.collapsed",
        )
        .bind(new)
        .bind(collapsed)
        .execute(&mut *tx)
        .await
        .db()?;
    }
    Ok(())
}

/// Forgets the kept folder `path` and those inside it.
pub(crate) async fn forget_folders(tx: &mut SqliteConnection, path: &str) -> Result<()> {
    sqlx::query("DELETE FROM folders WHERE path = ? OR substr(path, 1, ?) = ?")
        .bind(path)
        .bind(path.chars().count() as i64 + 1)
        .bind(format!("{path}/"))
        .execute(&mut *tx)
        .await
        .db()?;
    Ok(())
}

/// Puts back a deleted connection's favourite mark and last use.
pub(crate) async fn restore_usage(
    tx: &mut SqliteConnection,
    id: Uuid,
    favourite: bool,
    used_at: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT OR REPLACE INTO usage (connection_id, favourite, used_at) VALUES (?, ?, ?)",
    )
    .bind(id.to_string())
    .bind(favourite)
    .bind(used_at)
    .execute(&mut *tx)
    .await
    .db()?;
    Ok(())
}
