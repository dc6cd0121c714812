//! The list as the window (and `switchboard list`) reads it: only the columns a row shows,
//! so that 10,000 connections cost one light query and not 10,000 full decodes with three
//! correlated secret look-ups each. The full row is read when one is opened.

use serde_json::Value;
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
// SQLite builds the whole list as one JSON array of row arrays: handing 10,000 rows one by
// one from sqlx's worker thread cost more than the query itself.
const SUMMARY_QUERY: &str = "SELECT json_group_array(json_array(\
     c.id, c.name, c.handle, c.engine, c.host, c.port, c.database_name, c.username, \
     c.environment, c.color, CASE WHEN json_valid(c.tags) THEN json(c.tags) END, c.tls_mode, \
     c.ssh IS NOT NULL, c.folder, coalesce(u.favourite, 0), u.used_at, c.password_save, \
     p.connection_id IS NOT NULL, \
     CASE WHEN json_valid(c.metadata) THEN (SELECT group_concat(value, char(10)) \
       FROM json_each(c.metadata)) END, \
     CASE WHEN json_valid(c.tags) = 0 THEN 'tags' WHEN json_valid(c.metadata) = 0 \
       THEN 'metadata' WHEN json_valid(c.options) = 0 THEN 'options' \
       WHEN c.ssh IS NOT NULL AND json_valid(c.ssh) = 0 THEN 'ssh' END)) \
     FROM connections c \
     LEFT JOIN usage u ON u.connection_id = c.id \
     LEFT JOIN secrets p ON p.connection_id = c.id AND p.kind = 'password'";

/// The columns of one row of `SUMMARY_QUERY`'s array, in order. Read as JSON values, so
/// that a hand-edited row of the wrong types is one broken row, not a failed list.
mod col {
    pub const ID: usize = 0;
    pub const NAME: usize = 1;
    pub const HANDLE: usize = 2;
    pub const ENGINE: usize = 3;
    pub const HOST: usize = 4;
    pub const PORT: usize = 5;
    pub const DATABASE: usize = 6;
    pub const USERNAME: usize = 7;
    pub const ENVIRONMENT: usize = 8;
    pub const COLOR: usize = 9;
    pub const TAGS: usize = 10;
    pub const TLS_MODE: usize = 11;
    pub const HAS_SSH: usize = 12;
    pub const FOLDER: usize = 13;
    pub const FAVOURITE: usize = 14;
    pub const USED_AT: usize = 15;
    pub const PASSWORD_SAVE: usize = 16;
    pub const HAS_PASSWORD: usize = 17;
    pub const METADATA_TEXT: usize = 18;
    pub const JSON_BAD: usize = 19;
}

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
        let rows: String = sqlx::query_scalar(SUMMARY_QUERY)
            .fetch_one(&self.pool)
            .await
            .db()?;
        let rows: Vec<Vec<Value>> = serde_json::from_str(&rows)
            .map_err(|e| CoreError::Storage(format!("the list could not be read: {e}")))?;
        let mut listing = SummaryListing {
            folders: self.folder_states().await?,
            ..SummaryListing::default()
        };
        listing.connections.reserve(rows.len());
        for r in rows {
            let id = match r.get(col::ID) {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            let name = r.get(col::NAME).and_then(Value::as_str).map(str::to_owned);
            match summary_from_row(&r) {
                Ok(c) => listing.connections.push(c),
                Err(e) => listing.broken.push(BrokenRow {
                    id,
                    name,
                    reason: e.to_string(),
                }),
            }
        }
        sort_summaries(&mut listing.connections);
        Ok(listing)
    }
}

fn summary_from_row(r: &[Value]) -> Result<ConnectionSummary> {
    let at = |i: usize| r.get(i).unwrap_or(&Value::Null);
    if let Some(column) = at(col::JSON_BAD).as_str() {
        return Err(CoreError::StoredRowUnreadable(format!(
            "its {column} is not valid JSON"
        )));
    }
    let text = |i: usize, column: &str| {
        at(i)
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| corrupt(column, &at(i).to_string()))
    };
    let optional = |i: usize, column: &str| match at(i) {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        other => Err(corrupt(column, &other.to_string())),
    };
    let flag = |i: usize| at(i).as_i64().is_some_and(|n| n != 0);
    let id = text(col::ID, "id")?;
    let engine = text(col::ENGINE, "engine")?;
    let tls_mode = text(col::TLS_MODE, "tls_mode")?;
    let password_save = text(col::PASSWORD_SAVE, "password_save")?;
    Ok(ConnectionSummary {
        id: Uuid::parse_str(&id).map_err(|_| corrupt("id", &id))?,
        name: text(col::NAME, "name")?,
        handle: text(col::HANDLE, "handle")?,
        engine: Engine::parse(&engine).ok_or_else(|| corrupt("engine", &engine))?,
        host: text(col::HOST, "host")?,
        port: at(col::PORT)
            .as_u64()
            .and_then(|p| u32::try_from(p).ok())
            .ok_or_else(|| corrupt("port", &at(col::PORT).to_string()))?,
        database: text(col::DATABASE, "database_name")?,
        username: text(col::USERNAME, "username")?,
        environment: optional(col::ENVIRONMENT, "environment")?
            .map(|e| Environment::parse(&e).ok_or_else(|| corrupt("environment", &e)))
            .transpose()?,
        color: optional(col::COLOR, "color")?,
        tags: serde_json::from_value(at(col::TAGS).clone())
            .map_err(|_| corrupt("tags", &at(col::TAGS).to_string()))?,
        tls_mode: TlsMode::parse(&tls_mode).ok_or_else(|| corrupt("tls_mode", &tls_mode))?,
        has_ssh: flag(col::HAS_SSH),
        folder: text(col::FOLDER, "folder")?,
        favourite: flag(col::FAVOURITE),
        used_at: optional(col::USED_AT, "used_at")?,
        password_save: PasswordSave::parse(&password_save)
            .ok_or_else(|| corrupt("password_save", &password_save))?,
        has_saved_password: flag(col::HAS_PASSWORD),
        metadata_text: optional(col::METADATA_TEXT, "metadata")?.unwrap_or_default(),
    })
}
