//! Connection metadata in a local SQLite file (sqlx, WAL, foreign keys, versioned migrations).
//!
//! Functions that change rows take a `&mut SqliteConnection` so that they run inside the
//! transaction of `secrets::Secrets::unit_of_work`. Whether a connection has a password or
//! client key is read from `secrets` (which that unit of work keeps), never stored twice.
//!
//! A row this version cannot read (hand-edited, or written by a newer Switchboard) never
//! hides the others: `listing` returns the readable rows and names the broken ones.

use crate::db::Db;
use std::collections::HashSet;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow};
use sqlx::{Row, SqliteConnection, SqlitePool};
use uuid::Uuid;

use crate::error::{CoreError, ErrorCode, FieldIssue, Result};
use crate::model::{
    Connection, ConnectionFields, Engine, Environment, PasswordSave, TlsMode, TlsSettings,
};
use crate::validation::name_key;

pub const DB_FILE: &str = "switchboard.db";
/// Held while the schema is checked and migrated (see `Store::open`).
const MIGRATE_LOCK: &str = "switchboard.db.migrate-lock";

/// How a connection's latest test ended.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct LastTest {
    pub connection_id: Uuid,
    pub ok: bool,
    /// The error code when it failed.
    pub code: Option<String>,
    pub step: Option<String>,
    pub message: Option<String>,
    pub total_ms: f64,
    /// RFC 3339, UTC.
    pub tested_at: String,
    /// The TLS version agreed (`TLSv1.3`), when the test got that far over TLS.
    pub tls_version: Option<String>,
    /// Whether the server's certificate was verified (verify-ca or verify-full, and the
    /// handshake finished); `None` without TLS.
    pub tls_verified: Option<bool>,
    /// When the server's certificate expires (RFC 3339), when one was seen.
    pub cert_not_after: Option<String>,
    /// What the server said it is, when the test logged in.
    pub server_version: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

/// A row's own columns.
const ROW_COLUMNS: &str =
    "id, name, handle, engine, host, port, database_name, username, tls_mode, tls_ca_pem, \
     description, password_save, timeout_secs, created_at, updated_at, version, \
     environment, color, tags, metadata, tls_client_cert_pem, options, ssh, folder";

/// A row's columns and which secrets it claims (for one row; `listing` reads the claims of
/// all rows in one pass instead of three look-ups a row).
const COLUMNS: &str =
    "id, name, handle, engine, host, port, database_name, username, tls_mode, tls_ca_pem, \
     description, password_save, timeout_secs, created_at, updated_at, version, \
     environment, color, tags, metadata, tls_client_cert_pem, options, ssh, folder, \
     (SELECT group_concat(s.kind) FROM secrets s WHERE s.connection_id = connections.id \
        AND s.kind LIKE 'ssh-%') AS ssh_kinds, \
     EXISTS (SELECT 1 FROM secrets s WHERE s.connection_id = connections.id AND s.kind = 'password') \
       AS has_saved_password, \
     EXISTS (SELECT 1 FROM secrets s WHERE s.connection_id = connections.id AND s.kind = 'client-key') \
       AS has_client_key";

/// A stored row this version cannot read, and why: shown so it can be deleted or repaired.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct BrokenRow {
    /// The row's id as stored (it may itself be what is broken).
    pub id: String,
    pub name: Option<String>,
    pub reason: String,
}

/// Every saved connection, in the list's (natural) order: the readable ones and the
/// broken ones.
#[derive(Debug, Clone, Default, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Listing {
    pub connections: Vec<Connection>,
    pub broken: Vec<BrokenRow>,
}

pub(crate) mod organise;
mod summaries;
pub use organise::FolderState;
pub use summaries::SummaryListing;

impl Store {
    /// Opens (creating if needed) `DB_FILE` in `dir` and brings its schema up to date.
    pub async fn open(dir: &Path) -> Result<Store> {
        crate::paths::create_private_dir(dir)?;
        let path = dir.join(DB_FILE);
        // SQLite gives its -wal and -shm files the database file's mode: create it 0600
        // first, whatever the umask, and narrow files an older version left readable.
        crate::paths::create_private_file(&path)?;
        for suffix in ["-wal", "-shm"] {
            let side = dir.join(format!("{DB_FILE}{suffix}"));
            if side.exists() {
                crate::paths::restrict(&side, 0o600).map_err(|e| {
                    CoreError::Storage(format!("cannot protect {}: {e}", side.display()))
                })?;
            }
        }
        let options = SqliteConnectOptions::from_str("sqlite:")
            .db()?
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .db()?;
        let migrator = sqlx::migrate!("./migrations");
        // sqlx's migration lock is a no-op on SQLite: two processes opening a new data dir
        // at once (scripts, the CLI beside the window) would both run migration 1 and one
        // would fail with "table connections already exists". An exclusive lock on a file
        // beside the database makes the check-and-migrate one step across processes.
        let lock = crate::paths::create_private_file(&dir.join(MIGRATE_LOCK))?;
        let lock = tokio::task::spawn_blocking(move || lock.lock().map(|()| lock))
            .await
            .map_err(|e| CoreError::Storage(format!("the migration lock task failed: {e}")))?
            .map_err(|e| CoreError::Storage(format!("cannot lock {MIGRATE_LOCK}: {e}")))?;
        refuse_newer_schema(&pool, &migrator).await?;
        migrator.run(&pool).await.db()?;
        drop(lock);
        Ok(Store { pool })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Whether a saved `engine` connection names `name` as its primary (`replica_of`), as
    /// `rename_replica_references` matches it: one query, not a read of every row.
    pub async fn is_named_as_primary(&self, engine: Engine, name: &str) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM connections \
             WHERE engine = ? AND json_extract(options, '$.replica_of') = ? COLLATE NOCASE LIMIT 1",
        )
        .bind(engine.as_str())
        .bind(name)
        .fetch_optional(&self.pool)
        .await
        .db()?;
        Ok(found.is_some())
    }

    /// Remembers how a connection's latest test ended (a deleted connection is ignored).
    pub async fn record_test(&self, id: Uuid, t: &LastTest) -> Result<()> {
        sqlx::query(
            "INSERT INTO last_tests (connection_id, ok, code, step, message, total_ms, tested_at, \
               tls_version, tls_verified, cert_not_after, server_version) \
             SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM connections WHERE id = ?) \
             ON CONFLICT (connection_id) DO UPDATE SET ok = excluded.ok, code = excluded.code, \
             step = excluded.step, message = excluded.message, total_ms = excluded.total_ms, \
             tested_at = excluded.tested_at, tls_version = excluded.tls_version, \
             tls_verified = excluded.tls_verified, cert_not_after = excluded.cert_not_after, \
             server_version = excluded.server_version",
        )
        .bind(id.to_string())
        .bind(t.ok)
        .bind(&t.code)
        .bind(&t.step)
        .bind(&t.message)
        .bind(t.total_ms)
        .bind(&t.tested_at)
        .bind(&t.tls_version)
        .bind(t.tls_verified)
        .bind(&t.cert_not_after)
        .bind(&t.server_version)
        .bind(id.to_string())
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    /// Every connection's latest test (an unreadable row is logged and left out: a
    /// remembered result is not worth hiding the others for).
    pub async fn last_tests(&self) -> Result<Vec<LastTest>> {
        let rows = sqlx::query(
            "SELECT connection_id, ok, code, step, message, total_ms, tested_at, tls_version, \
             tls_verified, cert_not_after, server_version FROM last_tests",
        )
        .fetch_all(&self.pool)
        .await
        .db()?;
        let read = |r: &SqliteRow| -> Result<LastTest> {
            let id: String = r.try_get("connection_id").db()?;
            Ok(LastTest {
                connection_id: Uuid::parse_str(&id).map_err(|_| corrupt("test id", &id))?,
                ok: r.try_get("ok").db()?,
                code: r.try_get("code").db()?,
                step: r.try_get("step").db()?,
                message: r.try_get("message").db()?,
                total_ms: r.try_get("total_ms").db()?,
                tested_at: r.try_get("tested_at").db()?,
                tls_version: r.try_get("tls_version").db()?,
                tls_verified: r.try_get("tls_verified").db()?,
                cert_not_after: r.try_get("cert_not_after").db()?,
                server_version: r.try_get("server_version").db()?,
            })
        };
        Ok(rows
            .iter()
            .filter_map(|r| match read(r) {
                Ok(t) => Some(t),
                Err(e) => {
                    tracing::warn!(error = %e, "skipping an unreadable last test");
                    None
                }
            })
            .collect())
    }

    /// The readable connections (a broken row is logged and left out: see `listing`).
    pub async fn list(&self) -> Result<Vec<Connection>> {
        let listing = self.listing().await?;
        for b in &listing.broken {
            tracing::warn!(id = %b.id, reason = %b.reason, "skipping an unreadable stored connection");
        }
        Ok(listing.connections)
    }

    /// Every row: the readable ones as connections, the others with the reason.
    pub async fn listing(&self) -> Result<Listing> {
        let mut tx = self.pool.begin().await.db()?;
        let rows = sqlx::query(&format!(
            "SELECT {ROW_COLUMNS} FROM connections ORDER BY name_key, handle COLLATE NOCASE"
        ))
        .fetch_all(&mut *tx)
        .await
        .db()?;
        let claims: Vec<(String, String)> =
            sqlx::query_as("SELECT connection_id, kind FROM secrets")
                .fetch_all(&mut *tx)
                .await
                .db()?;
        tx.commit().await.db()?;
        let mut kinds: std::collections::HashMap<String, Claims> = std::collections::HashMap::new();
        for (id, kind) in claims {
            let c = kinds.entry(id).or_default();
            match kind.as_str() {
                "password" => c.password = true,
                "client-key" => c.client_key = true,
                other => {
                    if let Some(crate::keychain::SecretKind::Ssh(n)) =
                        crate::keychain::SecretKind::parse(other)
                    {
                        c.ssh.push(u32::from(n));
                    }
                }
            }
        }
        let mut listing = Listing::default();
        let none = Claims::default();
        for r in &rows {
            let id: String = r.try_get("id").unwrap_or_default();
            match decode(r, kinds.get(&id).unwrap_or(&none)) {
                Ok(c) => listing.connections.push(c),
                Err(e) => listing.broken.push(BrokenRow {
                    id: r.try_get::<String, _>("id").unwrap_or_default(),
                    name: r.try_get("name").ok(),
                    reason: e.to_string(),
                }),
            }
        }
        switchboard_model::summary::sort_naturally(&mut listing.connections);
        Ok(listing)
    }

    pub async fn get(&self, id: Uuid) -> Result<Connection> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM connections WHERE id = ?"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .db()?;
        match row {
            Some(r) => from_row(&r),
            None => Err(CoreError::NotFound(id.to_string())),
        }
    }

    /// A row's id as stored and its display name, by stored id, handle or display name
    /// (`find_by_ref`'s order), reading nothing else: the id may itself be what is broken.
    pub async fn find_id(&self, reference: &str) -> Result<Option<(String, String)>> {
        sqlx::query_as(
            "SELECT id, name FROM connections \
             WHERE id = ? OR handle = ? COLLATE NOCASE OR name_key = ? \
             ORDER BY CASE WHEN id = ? THEN 0 WHEN handle = ? COLLATE NOCASE THEN 1 ELSE 2 END \
             LIMIT 1",
        )
        .bind(reference)
        .bind(reference)
        .bind(name_key(reference))
        .bind(reference)
        .bind(reference)
        .fetch_optional(&self.pool)
        .await
        .db()
    }

    /// Whether a row with this id exists, readable or not.
    pub async fn exists(&self, id: Uuid) -> Result<bool> {
        self.exists_stored(&id.to_string()).await
    }

    /// Whether a row with this id, exactly as stored, exists.
    pub async fn exists_stored(&self, stored_id: &str) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM connections WHERE id = ?")
            .bind(stored_id)
            .fetch_optional(&self.pool)
            .await
            .db()?;
        Ok(found.is_some())
    }

    /// By display name, ignoring case (Unicode) and surrounding spaces.
    pub async fn find_by_name(&self, name: &str) -> Result<Option<Connection>> {
        self.find_where("name_key = ?", &name_key(name)).await
    }

    /// By handle, ignoring case.
    pub async fn find_by_handle(&self, handle: &str) -> Result<Option<Connection>> {
        self.find_where("handle = ? COLLATE NOCASE", handle).await
    }

    async fn find_where(&self, condition: &str, value: &str) -> Result<Option<Connection>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM connections WHERE {condition}"
        ))
        .bind(value)
        .fetch_optional(&self.pool)
        .await
        .db()?;
        row.as_ref().map(from_row).transpose()
    }

    pub async fn name_exists(&self, name: &str) -> Result<bool> {
        Ok(self.find_by_name(name).await?.is_some())
    }

    /// Every display name as uniqueness compares it (`name_key`).
    pub async fn names(&self) -> Result<HashSet<String>> {
        let keys: Vec<String> = sqlx::query_scalar("SELECT name_key FROM connections")
            .fetch_all(&self.pool)
            .await
            .db()?;
        Ok(keys.into_iter().collect())
    }

    /// Every handle (lower case) except `own`'s: what a derived handle must not be.
    pub async fn handles_except(&self, own: Option<Uuid>) -> Result<HashSet<String>> {
        let handles: Vec<String> =
            sqlx::query_scalar("SELECT lower(handle) FROM connections WHERE id IS NOT ?")
                .bind(own.map(|id| id.to_string()))
                .fetch_all(&self.pool)
                .await
                .db()?;
        Ok(handles.into_iter().collect())
    }
}

/// Columns written on insert and update, in the order `bind_mutable` binds them.
const MUTABLE: [&str; 23] = [
    "name",
    "handle",
    "name_key",
    "engine",
    "host",
    "port",
    "database_name",
    "username",
    "tls_mode",
    "tls_ca_pem",
    "description",
    "password_save",
    "timeout_secs",
    "updated_at",
    "version",
    "environment",
    "color",
    "tags",
    "metadata",
    "tls_client_cert_pem",
    "options",
    "ssh",
    "folder",
];

type Query<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

fn bind_mutable<'q>(q: Query<'q>, c: &'q Connection) -> Query<'q> {
    let f = &c.fields;
    // Serialising a Vec<String> / map of JSON values cannot fail.
    let tags = serde_json::to_string(&f.tags).unwrap_or_else(|_| "[]".into());
    let metadata = serde_json::to_string(&f.metadata).unwrap_or_else(|_| "{}".into());
    let options = serde_json::to_string(&f.options).unwrap_or_else(|_| "{}".into());
    let ssh = f.ssh.as_ref().and_then(|r| serde_json::to_string(r).ok());
    q.bind(&f.name)
        .bind(&f.handle)
        .bind(name_key(&f.name))
        .bind(f.engine.as_str())
        .bind(&f.host)
        .bind(f.port)
        .bind(&f.database)
        .bind(&f.username)
        .bind(f.tls.mode.as_str())
        .bind(&f.tls.ca_pem)
        .bind(&f.description)
        .bind(f.password_save.as_str())
        .bind(f.timeout_secs)
        .bind(&c.updated_at)
        .bind(c.version)
        .bind(f.environment.map(Environment::as_str))
        .bind(&f.color)
        .bind(tags)
        .bind(metadata)
        .bind(&f.tls.client_cert_pem)
        .bind(options)
        .bind(ssh)
        .bind(&f.folder)
}

/// Inserts a new row.
pub async fn insert(tx: &mut SqliteConnection, c: &Connection) -> Result<()> {
    let sql = format!(
        "INSERT INTO connections (id, created_at, {}) VALUES (?, ?{})",
        MUTABLE.join(", "),
        ", ?".repeat(MUTABLE.len())
    );
    let q = sqlx::query(&sql).bind(c.id.to_string()).bind(&c.created_at);
    let res = bind_mutable(q, c).execute(&mut *tx).await;
    map_unique(res, tx, c).await.map(|_| ())
}

/// Writes `c` over the row with the same id if, and only if, the stored version is
/// `expected_version`; `c.version` must be the new version.
pub async fn update(
    tx: &mut SqliteConnection,
    c: &Connection,
    expected_version: i64,
) -> Result<()> {
    let sets: Vec<String> = MUTABLE.iter().map(|col| format!("{col} = ?")).collect();
    let sql = format!(
        "UPDATE connections SET {} WHERE id = ? AND version = ?",
        sets.join(", ")
    );
    let res = bind_mutable(sqlx::query(&sql), c)
        .bind(c.id.to_string())
        .bind(expected_version)
        .execute(&mut *tx)
        .await;
    let done = map_unique(res, tx, c).await?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    let actual: Option<i64> = sqlx::query_scalar("SELECT version FROM connections WHERE id = ?")
        .bind(c.id.to_string())
        .fetch_optional(&mut *tx)
        .await
        .db()?;
    match actual {
        Some(actual) => Err(CoreError::VersionConflict {
            expected: expected_version,
            actual,
        }),
        None => Err(CoreError::NotFound(c.id.to_string())),
    }
}

/// Follows a rename of a primary: replicas that named it (`options.replica_of`) are
/// pointed at the new name, with their version bumped like any other change.
pub async fn rename_replica_references(
    tx: &mut SqliteConnection,
    engine: Engine,
    old_name: &str,
    new_name: &str,
    now: &str,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE connections SET options = json_set(options, '$.replica_of', ?), \
         version = version + 1, updated_at = ? \
         WHERE engine = ? AND json_extract(options, '$.replica_of') = ? COLLATE NOCASE",
    )
    .bind(new_name)
    .bind(now)
    .bind(engine.as_str())
    .bind(old_name)
    .execute(&mut *tx)
    .await
    .db()?;
    Ok(done.rows_affected())
}

pub async fn delete(tx: &mut SqliteConnection, id: Uuid) -> Result<()> {
    delete_stored(tx, &id.to_string()).await
}

/// Deletes the row whose id is exactly `stored_id` (a hand-edited one need not be a UUID).
pub async fn delete_stored(tx: &mut SqliteConnection, stored_id: &str) -> Result<()> {
    let done = sqlx::query("DELETE FROM connections WHERE id = ?")
        .bind(stored_id)
        .execute(&mut *tx)
        .await
        .db()?;
    if done.rows_affected() == 0 {
        return Err(CoreError::NotFound(stored_id.to_owned()));
    }
    Ok(())
}

async fn map_unique(
    res: std::result::Result<sqlx::sqlite::SqliteQueryResult, sqlx::Error>,
    tx: &mut SqliteConnection,
    c: &Connection,
) -> Result<sqlx::sqlite::SqliteQueryResult> {
    match res {
        // The same answer as the check before the write gives, so a script racing another
        // sees one code for a taken name or handle whichever of the two caught it. A taken
        // name is said first, as that check says it: two saves of one name race with one
        // derived handle too, and the name is what the user chose.
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            let name_taken: Option<i64> =
                sqlx::query_scalar("SELECT 1 FROM connections WHERE name_key = ? AND id <> ?")
                    .bind(name_key(&c.fields.name))
                    .bind(c.id.to_string())
                    .fetch_optional(&mut *tx)
                    .await
                    .db()?;
            let issue = if name_taken.is_none() && db.message().contains("connections.handle") {
                handle_taken_issue(&c.fields.handle)
            } else {
                name_taken_issue(&c.fields.name)
            };
            Err(CoreError::Validation(vec![issue]))
        }
        other => Ok(other.db()?),
    }
}

fn corrupt(column: &str, value: &str) -> CoreError {
    let value: String = value.chars().take(80).collect();
    CoreError::StoredRowUnreadable(format!(
        "its {column} {value:?} is not one Switchboard knows"
    ))
}

/// A database that a newer Switchboard migrated has migrations this one does not know:
/// say so and name the versions, instead of failing on the first unknown migration.
async fn refuse_newer_schema(pool: &SqlitePool, migrator: &sqlx::migrate::Migrator) -> Result<()> {
    let has_table: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_optional(pool)
    .await
    .db()?;
    if has_table.is_none() {
        return Ok(());
    }
    let found: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(pool)
        .await
        .db()?;
    let known = migrator.iter().map(|m| m.version).max().unwrap_or(0);
    match found {
        Some(found) if found > known => Err(CoreError::StorageNewer { found, known }),
        _ => Ok(()),
    }
}

/// Which secrets a row claims.
#[derive(Default)]
struct Claims {
    password: bool,
    client_key: bool,
    ssh: Vec<u32>,
}

/// A row read with `COLUMNS`.
fn from_row(r: &SqliteRow) -> Result<Connection> {
    let ssh_kinds: Option<String> = r.try_get("ssh_kinds").db()?;
    let claims = Claims {
        password: r.try_get("has_saved_password").db()?,
        client_key: r.try_get("has_client_key").db()?,
        ssh: ssh_kinds
            .iter()
            .flat_map(|k| k.split(','))
            .filter_map(|k| match crate::keychain::SecretKind::parse(k) {
                Some(crate::keychain::SecretKind::Ssh(n)) => Some(u32::from(n)),
                _ => None,
            })
            .collect(),
    };
    decode(r, &claims)
}

/// A row's own columns, with the secrets it claims.
fn decode(r: &SqliteRow, claims: &Claims) -> Result<Connection> {
    let id: String = r.try_get("id").db()?;
    let engine: String = r.try_get("engine").db()?;
    let tls_mode: String = r.try_get("tls_mode").db()?;
    let password_save: String = r.try_get("password_save").db()?;
    let environment: Option<String> = r.try_get("environment").db()?;
    let tags: String = r.try_get("tags").db()?;
    let metadata: String = r.try_get("metadata").db()?;
    let options: String = r.try_get("options").db()?;
    let ssh: Option<String> = r.try_get("ssh").db()?;
    let mut ssh_secrets = claims.ssh.clone();
    ssh_secrets.sort_unstable();
    Ok(Connection {
        id: Uuid::parse_str(&id).map_err(|_| corrupt("id", &id))?,
        fields: ConnectionFields {
            name: r.try_get("name").db()?,
            handle: r.try_get("handle").db()?,
            engine: Engine::parse(&engine).ok_or_else(|| corrupt("engine", &engine))?,
            host: r.try_get("host").db()?,
            port: r.try_get("port").db()?,
            database: r.try_get("database_name").db()?,
            username: r.try_get("username").db()?,
            tls: TlsSettings {
                mode: TlsMode::parse(&tls_mode).ok_or_else(|| corrupt("tls_mode", &tls_mode))?,
                ca_pem: r.try_get("tls_ca_pem").db()?,
                client_cert_pem: r.try_get("tls_client_cert_pem").db()?,
            },
            description: r.try_get("description").db()?,
            password_save: PasswordSave::parse(&password_save)
                .ok_or_else(|| corrupt("password_save", &password_save))?,
            timeout_secs: r.try_get("timeout_secs").db()?,
            environment: environment
                .map(|e| Environment::parse(&e).ok_or_else(|| corrupt("environment", &e)))
                .transpose()?,
            color: r.try_get("color").db()?,
            tags: serde_json::from_str(&tags).map_err(|_| corrupt("tags", &tags))?,
            metadata: serde_json::from_str(&metadata)
                .map_err(|_| corrupt("metadata", &metadata))?,
            options: serde_json::from_str(&options).map_err(|_| corrupt("options", &options))?,
            ssh: ssh
                .map(|t| serde_json::from_str(&t).map_err(|_| corrupt("ssh", &t)))
                .transpose()?,
            folder: r.try_get("folder").db()?,
        },
        ssh_secrets,
        has_saved_password: claims.password,
        has_client_key: claims.client_key,
        created_at: r.try_get("created_at").db()?,
        updated_at: r.try_get("updated_at").db()?,
        version: r.try_get("version").db()?,
    })
}

/// A validation failure shaped like the form's, for a unique-name clash found early.
pub fn name_taken_issue(name: &str) -> FieldIssue {
    FieldIssue::new(
        ErrorCode::NameTaken,
        "name",
        format!("A connection named {name:?} already exists."),
        "Choose another name (names are compared ignoring case and surrounding spaces).",
    )
}

/// `name_taken_issue` for the handle.
pub fn handle_taken_issue(handle: &str) -> FieldIssue {
    FieldIssue::new(
        ErrorCode::HandleTaken,
        "handle",
        format!("Another connection has the handle {handle:?}."),
        "Choose another handle (handles are compared ignoring case), or clear it to derive a free one from the name.",
    )
}

/// Now, as rows store it (RFC 3339, UTC).
pub(crate) fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
