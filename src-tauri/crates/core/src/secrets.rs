//! One unit of work for SQLite and the keychain: the only place that writes, relabels or
//! removes keychain entries.
//!
//! The rule, for any number of rows and secret kinds:
//! 1. **Journal.** The intended keychain changes are recorded in `secret_intents` (a short
//!    SQLite transaction; never a secret value) before the keychain is touched.
//! 2. **Keychain, no lock held.** New values go to *fresh* entries (a new generation), so
//!    nothing a row still points at is overwritten; kept secrets of a renamed connection
//!    are relabelled. Each call runs off the runtime with a timeout.
//! 3. **Commit.** One `BEGIN IMMEDIATE` transaction runs the caller's row changes, points
//!    `secrets` at the new generations, turns replaced generations into `remove` intents and
//!    drops the finished `write`/`relabel` intents. This commit is the decision.
//! 4. **Remove after commit.** Replaced entries are deleted; a failure leaves the intent for
//!    the next writer.
//!
//! A failure before the commit deletes what step 2 wrote and puts labels back. A process
//! killed anywhere leaves intents whose owner no longer holds its lock file; the next
//! `Switchboard::open` or write reconciles them: an unclaimed write is deleted, a removal
//! is retried, a relabel is redone with the row's current name. Hence: a row never claims a
//! secret the keychain lacks, a failed command never changes a stored secret, and a
//! removal never deletes a value another writer stored since (generations are never
//! reused).

use crate::db::Db;
use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::{Row, SqliteConnection, SqlitePool};
use uuid::Uuid;

use crate::error::{CoreError, Result};
use crate::keychain::{Keychain, SecretKind, SecretRef};
use crate::secret::Secret;

/// How long one keychain call may take before the write gives up (an unlock prompt left
/// open, a hung Secret Service). `SWITCHBOARD_KEYCHAIN_TIMEOUT_SECS` overrides it.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub const TIMEOUT_ENV: &str = "SWITCHBOARD_KEYCHAIN_TIMEOUT_SECS";

/// What a write wants for one secret of one connection.
pub(crate) enum SecretOp {
    /// Store this value (in a fresh entry).
    Write(Secret),
    /// Remove whatever is stored.
    Remove,
    /// Keep the stored value; the connection was renamed from `old_name`, so relabel it.
    Relabel { old_name: String },
}

/// One planned change: which connection (by id and the name it will have after the
/// commit), which kind, and what to do.
pub(crate) struct Planned {
    pub id: Uuid,
    pub name: String,
    pub kind: SecretKind,
    pub op: SecretOp,
    /// A connection created by this unit: its first entries are generation 0.
    pub fresh: bool,
}

impl Planned {
    pub fn new(id: Uuid, name: &str, kind: SecretKind, op: SecretOp) -> Self {
        Planned {
            id,
            name: name.to_owned(),
            kind,
            op,
            fresh: false,
        }
    }

    pub fn fresh(id: Uuid, name: &str, kind: SecretKind, value: Secret) -> Self {
        Planned {
            fresh: true,
            ..Planned::new(id, name, kind, SecretOp::Write(value))
        }
    }
}

/// The process's claim on its intents: a lock file held while it runs, so that another
/// process can tell a crashed writer's intents from a running one's.
#[derive(Debug)]
struct Owner {
    token: String,
    dir: PathBuf,
    _lock: File,
    /// Own intents whose keychain call may still be under way (or may yet land, after a
    /// timeout): the reconciler leaves them alone.
    in_flight: Mutex<HashSet<i64>>,
}

/// A fault for tests: the `n`th keychain call from now fails (or stalls).
#[derive(Debug, Clone, Copy)]
#[doc(hidden)]
pub enum Fault {
    FailCall(usize),
    StallCall(usize, Duration),
}

#[derive(Clone, Debug)]
pub struct Secrets {
    keychain: Keychain,
    pool: SqlitePool,
    owner: Arc<Owner>,
    timeout: Duration,
    fault: Arc<Mutex<Option<Fault>>>,
}

/// A keychain call that outlived its timeout, still running on its thread.
type Late<T> = tokio::task::JoinHandle<Result<T>>;

/// A `write` or `relabel` intent made in step 1, with what step 2 did about it.
struct Intent {
    id: i64,
    r: SecretRef,
    action: Action,
    done: bool,
    /// A write that timed out: it may still land, so its undo waits for it.
    late: Option<Late<()>>,
}

enum Action {
    Write(Secret),
    Relabel(String),
}

impl Secrets {
    pub(crate) fn open(data_dir: &Path, pool: SqlitePool) -> Result<Secrets> {
        let dir = data_dir.join("owners");
        crate::paths::create_private_dir(&dir)?;
        let token = Uuid::new_v4().simple().to_string();
        let file = crate::paths::create_private_file(&dir.join(&token))?;
        file.try_lock()
            .map_err(|e| CoreError::Storage(format!("cannot lock {}: {e}", dir.display())))?;
        let timeout = std::env::var(TIMEOUT_ENV)
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|s| *s > 0.0)
            .map_or(DEFAULT_TIMEOUT, Duration::from_secs_f64);
        Ok(Secrets {
            keychain: Keychain::new(),
            pool,
            owner: Arc::new(Owner {
                token,
                dir,
                _lock: file,
                in_flight: Mutex::new(HashSet::new()),
            }),
            timeout,
            fault: Arc::new(Mutex::new(None)),
        })
    }

    #[doc(hidden)]
    pub fn inject_fault(&self, fault: Option<Fault>) {
        if let Ok(mut f) = self.fault.lock() {
            *f = fault;
        }
    }

    /// Runs one blocking keychain call off the runtime, giving up after the timeout.
    async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Keychain) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.call_keeping(f).await.map_err(|(e, _)| e)
    }

    /// `call`, handing back the still-running call when it timed out: its outcome is
    /// unknown until it finishes, and a write may yet land.
    async fn call_keeping<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Keychain) -> Result<T> + Send + 'static,
    ) -> std::result::Result<T, (CoreError, Option<Late<T>>)> {
        let stall = match self.fault.lock().ok().as_deref_mut() {
            Some(slot) => match slot.take() {
                Some(Fault::FailCall(0)) => {
                    return Err((CoreError::Keychain("injected failure".into()), None))
                }
                Some(Fault::FailCall(n)) => {
                    *slot = Some(Fault::FailCall(n - 1));
                    None
                }
                Some(Fault::StallCall(0, d)) => Some(d),
                Some(Fault::StallCall(n, d)) => {
                    *slot = Some(Fault::StallCall(n - 1, d));
                    None
                }
                None => None,
            },
            None => None,
        };
        let kc = self.keychain.clone();
        let mut task = tokio::task::spawn_blocking(move || {
            if let Some(d) = stall {
                std::thread::sleep(d);
            }
            f(&kc)
        });
        match tokio::time::timeout(self.timeout, &mut task).await {
            Ok(Ok(r)) => r.map_err(|e| (e, None)),
            Ok(Err(e)) => Err((
                CoreError::Keychain(format!("keychain task failed: {e}")),
                None,
            )),
            Err(_) => Err((
                CoreError::KeychainTimeout(self.timeout.as_secs_f64()),
                Some(task),
            )),
        }
    }

    pub(crate) async fn get(&self, r: SecretRef) -> Result<Option<Secret>> {
        self.call(move |kc| kc.get(&r)).await
    }

    /// The generation a connection's secret of `kind` is stored at, if it has one.
    pub(crate) async fn generation(&self, id: Uuid, kind: SecretKind) -> Result<Option<i64>> {
        let mut conn = self.pool.acquire().await.db()?;
        claimed(&mut conn, id, kind).await
    }

    /// The kinds of secret `id` has.
    pub(crate) async fn kinds(&self, id: Uuid) -> Result<Vec<SecretKind>> {
        let rows = sqlx::query("SELECT kind FROM secrets WHERE connection_id = ?")
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await
            .db()?;
        Ok(rows
            .iter()
            .filter_map(|r| r.try_get::<String, _>("kind").ok())
            .filter_map(|k| SecretKind::parse(&k))
            .collect())
    }

    /// Claims whose connection row is gone. Every commit removes a row's claims with it, so
    /// only a hand edit with foreign keys off (the sqlite3 shell's default) leaves these:
    /// a connection's id changed, its claims still under the old one.
    pub(crate) async fn orphaned_claims(&self) -> Result<Vec<(Uuid, SecretKind)>> {
        let rows = sqlx::query(
            "SELECT connection_id, kind FROM secrets \
             WHERE connection_id NOT IN (SELECT id FROM connections)",
        )
        .fetch_all(&self.pool)
        .await
        .db()?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                let id = r.try_get::<String, _>("connection_id").ok()?;
                let kind = r.try_get::<String, _>("kind").ok()?;
                // An id that is not a UUID names no keychain entry: Switchboard never made one.
                Some((Uuid::parse_str(&id).ok()?, SecretKind::parse(&kind)?))
            })
            .collect())
    }

    /// Runs `plans` and the row changes in `rows` as one unit (see the module doc). `rows`
    /// runs inside the commit's transaction, before the secrets are claimed, so that a
    /// connection it inserts exists when its secrets are attached.
    pub(crate) async fn unit_of_work<T, F>(&self, plans: Vec<Planned>, rows: F) -> Result<T>
    where
        F: for<'c> FnOnce(
            &'c mut SqliteConnection,
        ) -> futures_util::future::BoxFuture<'c, Result<T>>,
    {
        self.reconcile().await;
        let (mut intents, removes) = self.journal(plans).await?;
        let outcome = match self.apply(&mut intents).await {
            Ok(()) => self.commit(&intents, &removes, rows).await,
            Err(e) => Err(e),
        };
        match outcome {
            Ok((value, replaced)) => {
                self.release(intents.iter().map(|i| i.id));
                self.remove(replaced).await;
                Ok(value)
            }
            Err(e) => {
                self.undo(intents).await;
                Err(e)
            }
        }
    }

    /// Step 1: records a `write` intent per value to store (its id is the new generation)
    /// and a `relabel` intent per renamed secret. Removals need no intent yet: nothing is
    /// removed before the commit.
    async fn journal(&self, plans: Vec<Planned>) -> Result<(Vec<Intent>, Vec<(Uuid, SecretKind)>)> {
        let mut tx = self.pool.begin().await.db()?;
        let mut intents = Vec::new();
        let mut removes = Vec::new();
        for p in plans {
            let r = SecretRef::new(p.kind, p.id, &p.name);
            match p.op {
                SecretOp::Remove => removes.push((p.id, p.kind)),
                SecretOp::Write(value) => {
                    let id = self.record(&mut tx, &r, "write", None).await?;
                    let generation = if p.fresh { 0 } else { id };
                    sqlx::query("UPDATE secret_intents SET generation = ? WHERE id = ?")
                        .bind(generation)
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .db()?;
                    intents.push(Intent {
                        id,
                        r: r.at(generation),
                        action: Action::Write(value),
                        done: false,
                        late: None,
                    });
                }
                SecretOp::Relabel { old_name } => {
                    let Some(generation) = claimed(&mut tx, p.id, p.kind).await? else {
                        continue;
                    };
                    let r = r.at(generation);
                    let id = self.record(&mut tx, &r, "relabel", Some(&old_name)).await?;
                    intents.push(Intent {
                        id,
                        r,
                        action: Action::Relabel(old_name),
                        done: false,
                        late: None,
                    });
                }
            }
        }
        tx.commit().await.db()?;
        if let Ok(mut f) = self.owner.in_flight.lock() {
            f.extend(intents.iter().map(|i| i.id));
        }
        Ok((intents, removes))
    }

    async fn record(
        &self,
        tx: &mut SqliteConnection,
        r: &SecretRef,
        action: &str,
        old_name: Option<&str>,
    ) -> Result<i64> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO secret_intents (owner, connection_id, kind, generation, action, old_name, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&self.owner.token)
        .bind(r.connection_id.to_string())
        .bind(r.kind.as_str())
        .bind(r.generation)
        .bind(action)
        .bind(old_name)
        .bind(crate::store::now())
        .fetch_one(&mut *tx)
        .await.db()?;
        Ok(id)
    }

    /// Step 2: the keychain calls, with no SQLite lock held.
    async fn apply(&self, intents: &mut [Intent]) -> Result<()> {
        for i in intents.iter_mut() {
            let r = i.r.clone();
            match &i.action {
                Action::Write(v) => {
                    let v = v.clone();
                    if let Err((e, late)) = self.call_keeping(move |kc| kc.set(&r, &v)).await {
                        i.late = late;
                        return Err(e);
                    }
                }
                Action::Relabel(_) => self.call(move |kc| kc.relabel(&r)).await?,
            }
            i.done = true;
        }
        Ok(())
    }

    /// Step 3: the caller's rows, the claims and the journal, in one transaction. Returns
    /// the entries the commit replaced, for step 4.
    async fn commit<T, F>(
        &self,
        intents: &[Intent],
        removes: &[(Uuid, SecretKind)],
        rows: F,
    ) -> Result<(T, Vec<(i64, SecretRef)>)>
    where
        F: for<'c> FnOnce(
            &'c mut SqliteConnection,
        ) -> futures_util::future::BoxFuture<'c, Result<T>>,
    {
        // IMMEDIATE: take the write lock now, so the claims read below cannot go stale.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.db()?;
        let mut replaced = Vec::new();
        // Removals first: a deleted row's secrets must be read before they cascade away.
        for &(id, kind) in removes {
            if let Some(g) = claimed(&mut tx, id, kind).await? {
                sqlx::query("DELETE FROM secrets WHERE connection_id = ? AND kind = ?")
                    .bind(id.to_string())
                    .bind(kind.as_str())
                    .execute(&mut *tx)
                    .await
                    .db()?;
                replaced.push(SecretRef::new(kind, id, "").at(g));
            }
        }
        let value = rows(&mut tx).await?;
        for i in intents {
            if let Action::Write(_) = i.action {
                let (id, kind) = (i.r.connection_id, i.r.kind);
                if let Some(g) = claimed(&mut tx, id, kind).await? {
                    replaced.push(SecretRef::new(kind, id, "").at(g));
                }
                sqlx::query(
                    "INSERT INTO secrets (connection_id, kind, generation) VALUES (?, ?, ?) \
                     ON CONFLICT (connection_id, kind) DO UPDATE SET generation = excluded.generation",
                )
                .bind(id.to_string())
                .bind(kind.as_str())
                .bind(i.r.generation)
                .execute(&mut *tx)
                .await.db()?;
            }
        }
        let mut removals = Vec::new();
        for r in replaced {
            let id = self.record(&mut tx, &r, "remove", None).await?;
            removals.push((id, r));
        }
        for i in intents {
            sqlx::query("DELETE FROM secret_intents WHERE id = ?")
                .bind(i.id)
                .execute(&mut *tx)
                .await
                .db()?;
        }
        tx.commit().await.db()?;
        Ok((value, removals))
    }

    /// Step 4: deletes replaced entries; one that fails stays journalled for later.
    async fn remove(&self, removals: Vec<(i64, SecretRef)>) {
        for (intent, r) in removals {
            let done = self.call(move |kc| kc.delete(&r)).await;
            match done {
                Ok(()) => self.forget(intent).await,
                Err(e) => {
                    tracing::warn!(code = %e.code(), "a replaced keychain entry stays journalled for removal")
                }
            }
        }
    }

    /// Undoes step 2 after a failure: written entries are deleted, relabelled ones get their
    /// old label back. What cannot be undone now stays journalled for the reconciler.
    async fn undo(&self, intents: Vec<Intent>) {
        for mut i in intents.into_iter().rev() {
            if let Some(late) = i.late.take() {
                // The write may still land: delete it only once it has finished, and keep
                // the intent (in flight) until then.
                let this = self.clone();
                tokio::spawn(async move {
                    let _ = late.await;
                    let r = i.r.clone();
                    match this.call(move |kc| kc.delete(&r)).await {
                        Ok(()) => this.forget(i.id).await,
                        Err(e) => {
                            tracing::warn!(code = %e.code(), "a late keychain write stays journalled")
                        }
                    }
                    this.release([i.id]);
                });
                continue;
            }
            let r = i.r.clone();
            let outcome = match i.action {
                Action::Write(_) => self.call(move |kc| kc.delete(&r)).await,
                Action::Relabel(_) if !i.done => Ok(()),
                Action::Relabel(old) => {
                    let mut r = r;
                    r.connection_name = old;
                    self.call(move |kc| kc.relabel(&r)).await
                }
            };
            match outcome {
                Ok(()) => {
                    self.forget(i.id).await;
                    self.release([i.id]);
                }
                Err(e) => {
                    // Handed to the reconciler, which may now take it up.
                    self.release([i.id]);
                    tracing::warn!(code = %e.code(), "could not undo a keychain change after a failed save; it stays journalled");
                }
            }
        }
    }

    fn release(&self, ids: impl IntoIterator<Item = i64>) {
        if let Ok(mut f) = self.owner.in_flight.lock() {
            for id in ids {
                f.remove(&id);
            }
        }
    }

    async fn forget(&self, intent: i64) {
        let done = sqlx::query("DELETE FROM secret_intents WHERE id = ?")
            .bind(intent)
            .execute(&self.pool)
            .await;
        if let Err(e) = done {
            tracing::warn!(error = %e, "could not clear a finished keychain intent");
        }
    }

    /// Finishes or undoes what earlier writers left in the journal: intents of processes
    /// that no longer run, and this process's own that are not under way. Best effort and
    /// never fatal: what fails now is tried again by the next writer. Returns how many
    /// intents it settled.
    pub async fn reconcile(&self) -> usize {
        let rows = match sqlx::query(
            "SELECT i.id, i.owner, i.connection_id, i.kind, i.generation, i.action, \
                    c.name AS current_name, s.generation AS claimed \
             FROM secret_intents i \
             LEFT JOIN connections c ON c.id = i.connection_id \
             LEFT JOIN secrets s ON s.connection_id = i.connection_id AND s.kind = i.kind \
             ORDER BY i.id",
        )
        .fetch_all(&self.pool)
        .await
        {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the keychain journal");
                return 0;
            }
        };
        if rows.is_empty() {
            return 0;
        }
        let in_flight = self
            .owner
            .in_flight
            .lock()
            .map(|f| f.clone())
            .unwrap_or_default();
        let mut live: std::collections::HashMap<String, bool> = Default::default();
        let mut dead_owners = HashSet::new();
        let mut settled = 0;
        for row in rows {
            let Ok(intent) = row.try_get::<i64, _>("id") else {
                continue;
            };
            let owner: String = row.try_get("owner").unwrap_or_default();
            let action: String = row.try_get("action").unwrap_or_default();
            let mine = owner == self.owner.token;
            if mine && in_flight.contains(&intent) {
                continue;
            }
            // Another process's removal is safe to retry at any time (the generation is no
            // longer claimed); its writes and relabels only once it has stopped.
            if !mine && action != "remove" {
                let running = *live
                    .entry(owner.clone())
                    .or_insert_with(|| self.owner_running(&owner));
                if running {
                    continue;
                }
                dead_owners.insert(owner.clone());
            }
            let id = row
                .try_get::<String, _>("connection_id")
                .ok()
                .and_then(|s| Uuid::parse_str(&s).ok());
            let kind = row
                .try_get::<String, _>("kind")
                .ok()
                .and_then(|k| SecretKind::parse(&k));
            let (Some(id), Some(kind)) = (id, kind) else {
                tracing::warn!(intent, "dropping an unreadable keychain intent");
                self.forget(intent).await;
                continue;
            };
            let generation: i64 = row.try_get("generation").unwrap_or(0);
            let claimed: Option<i64> = row.try_get("claimed").ok().flatten();
            let current_name: Option<String> = row.try_get("current_name").ok().flatten();
            let is_claimed = claimed == Some(generation);
            let r = SecretRef::new(kind, id, current_name.as_deref().unwrap_or("")).at(generation);
            let outcome = match (action.as_str(), is_claimed) {
                // The commit happened after all: nothing to undo.
                ("write", true) | ("remove", true) => Ok(()),
                ("relabel", true) => self.call(move |kc| kc.relabel(&r)).await,
                ("relabel", false) => Ok(()),
                // An unclaimed write (the commit never came) or a replaced entry: delete it.
                _ => self.call(move |kc| kc.delete(&r)).await,
            };
            match outcome {
                Ok(()) => {
                    self.forget(intent).await;
                    settled += 1;
                }
                Err(e) => {
                    tracing::warn!(code = %e.code(), "keychain reconciliation deferred");
                    // The keychain is away: the rest would fail too.
                    break;
                }
            }
        }
        for owner in dead_owners {
            let _ = std::fs::remove_file(self.owner.dir.join(&owner));
        }
        if settled > 0 {
            tracing::info!(settled, "keychain journal reconciled");
        }
        settled
    }

    /// Whether the process that wrote `owner`'s intents still runs: it holds the lock on its
    /// file for as long as it lives.
    fn owner_running(&self, owner: &str) -> bool {
        if owner.is_empty() || owner.contains(['/', '\\', '.']) {
            return false;
        }
        match File::open(self.owner.dir.join(owner)) {
            Ok(f) => match f.try_lock() {
                Ok(()) => false,
                Err(std::fs::TryLockError::WouldBlock) => true,
                Err(std::fs::TryLockError::Error(_)) => true,
            },
            Err(_) => false,
        }
    }
}

/// The generation `id`'s secret of `kind` is claimed at.
async fn claimed(conn: &mut SqliteConnection, id: Uuid, kind: SecretKind) -> Result<Option<i64>> {
    sqlx::query_scalar("SELECT generation FROM secrets WHERE connection_id = ? AND kind = ?")
        .bind(id.to_string())
        .bind(kind.as_str())
        .fetch_optional(&mut *conn)
        .await
        .db()
}

#[cfg(test)]
mod tests;
