//! The list as the window (and `switchboard list`) reads it: only the columns a row shows,
//! so that 10,000 connections cost one light query and not 10,000 full decodes with three
//! correlated secret look-ups each. The full row is read when one is opened.

use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use uuid::Uuid;

use super::{corrupt, BrokenRow, FolderState, Store};
use crate::db::Db;
use crate::error::{CoreError, Result};
use crate::model::{Engine, Environment, PasswordSave, TlsMode};
use crate::summary::{sort_summaries, ConnectionSummary};

/// The list as the window gets it: a compact row a connection, in the list's order, the
/// rows this version cannot read, and the folders kept apart from connections (empty
/// ones, collapsed ones).
#[derive(Debug, Clone, Default, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SummaryListing {
    pub connections: Vec<ConnectionSummary>,
    pub broken: Vec<BrokenRow>,
    pub folders: Vec<FolderState>,
}

// The JSON columns a summary does not show are still checked for being JSON, so that a
// row a hand edit broke is listed as broken (to be deleted) rather than failing when opened.
const SUMMARY_COLUMNS: &str = "c.id, c.name, c.handle, c.engine, c.host, c.port, \
     c.database_name, c.username, c.environment, c.color, c.tags, c.tls_mode, \
     c.ssh IS NOT NULL AS has_ssh, c.folder, \
     coalesce(u.favourite, 0) AS favourite, u.used_at, c.password_save, \
     p.connection_id IS NOT NULL AS has_saved_password, \
     CASE WHEN json_valid(c.metadata) THEN (SELECT group_concat(value, char(10)) \
       FROM json_each(c.metadata)) END AS metadata_text, \
     json_valid(c.metadata) AND json_valid(c.options) AND (c.ssh IS NULL OR json_valid(c.ssh)) \
       AS json_ok, \
     CASE WHEN json_valid(c.metadata) = 0 THEN 'metadata' WHEN json_valid(c.options) = 0 \
       THEN 'options' ELSE 'ssh' END AS json_bad";

impl Store {
    /// A short text that changes whenever what `summaries` returns would, except a row's
    /// last use: the window compares it before listing 10,000 rows again on every change
    /// of the data file (its own "opened" marks among them).
    pub async fn listing_stamp(&self) -> Result<String> {
        let (rows, updated, versions, rowids): (i64, Option<String>, f64, f64) = sqlx::query_as(
            "SELECT count(*), max(updated_at), total(version), total(rowid) FROM connections",
        )
        .fetch_one(&self.pool)
        .await
        .db()?;
        let (folders, favourites): (Option<String>, Option<String>) = sqlx::query_as(
            "SELECT (SELECT group_concat(path || ':' || collapsed, '|') FROM folders), \
                    (SELECT group_concat(connection_id, '|') FROM usage WHERE favourite = 1)",
        )
        .fetch_one(&self.pool)
        .await
        .db()?;
        let claims: (i64, f64) =
            sqlx::query_as("SELECT count(*), total(rowid) FROM secrets WHERE kind = 'password'")
                .fetch_one(&self.pool)
                .await
                .db()?;
        Ok(format!(
            "{rows}/{}/{versions}/{rowids}/{}/{}/{}-{}",
            updated.unwrap_or_default(),
            folders.unwrap_or_default(),
            favourites.unwrap_or_default(),
            claims.0,
            claims.1
        ))
    }

    /// Every row as the list shows it, in the list's (natural) order.
    pub async fn summaries(&self) -> Result<SummaryListing> {
        let rows = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM connections c \
             LEFT JOIN usage u ON u.connection_id = c.id \
             LEFT JOIN secrets p ON p.connection_id = c.id AND p.kind = 'password'"
        ))
        .fetch_all(&self.pool)
        .await
        .db()?;
        let mut listing = SummaryListing {
            folders: self.folder_states().await?,
            ..SummaryListing::default()
        };
        for r in &rows {
            match summary_from_row(r) {
                Ok(c) => listing.connections.push(c),
                Err(e) => listing.broken.push(BrokenRow {
                    id: r.try_get::<String, _>("id").unwrap_or_default(),
                    name: r.try_get("name").ok(),
                    reason: e.to_string(),
                }),
            }
        }
        sort_summaries(&mut listing.connections);
        Ok(listing)
    }
}

fn summary_from_row(r: &SqliteRow) -> Result<ConnectionSummary> {
    let id: String = r.try_get("id").db()?;
    let engine: String = r.try_get("engine").db()?;
    let tls_mode: String = r.try_get("tls_mode").db()?;
    let environment: Option<String> = r.try_get("environment").db()?;
    let tags: String = r.try_get("tags").db()?;
    let password_save: String = r.try_get("password_save").db()?;
    let json_ok: bool = r.try_get("json_ok").db()?;
    if !json_ok {
        let column: String = r.try_get("json_bad").db()?;
        return Err(CoreError::StoredRowUnreadable(format!(
            "its {column} is not valid JSON"
        )));
    }
    Ok(ConnectionSummary {
        id: Uuid::parse_str(&id).map_err(|_| corrupt("id", &id))?,
        name: r.try_get("name").db()?,
        handle: r.try_get("handle").db()?,
        engine: Engine::parse(&engine).ok_or_else(|| corrupt("engine", &engine))?,
        host: r.try_get("host").db()?,
        port: r.try_get("port").db()?,
        database: r.try_get("database_name").db()?,
        username: r.try_get("username").db()?,
        environment: environment
            .map(|e| Environment::parse(&e).ok_or_else(|| corrupt("environment", &e)))
            .transpose()?,
        color: r.try_get("color").db()?,
        tags: serde_json::from_str(&tags).map_err(|_| corrupt("tags", &tags))?,
        tls_mode: TlsMode::parse(&tls_mode).ok_or_else(|| corrupt("tls_mode", &tls_mode))?,
        has_ssh: r.try_get("has_ssh").db()?,
        folder: r.try_get("folder").db()?,
        favourite: r.try_get("favourite").db()?,
        used_at: r.try_get("used_at").db()?,
        password_save: PasswordSave::parse(&password_save)
            .ok_or_else(|| corrupt("password_save", &password_save))?,
        has_saved_password: r.try_get("has_saved_password").db()?,
        metadata_text: r
            .try_get::<Option<String>, _>("metadata_text")
            .db()?
            .unwrap_or_default(),
    })
}
