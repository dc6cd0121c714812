//! Organising many connections at once: folders (create, rename, delete), moving, tagging
//! and changing the environment of a selection, favourites and last use, and deleting a
//! selection with undo. Every change to several connections is one transaction: all of
//! them or none.

use std::sync::Arc;

use uuid::Uuid;

use crate::error::{CoreError, ErrorCode, FieldIssue, Result};
use crate::folder;
use crate::held::Held;
use crate::keychain::SecretKind;
use crate::model::{Connection, ConnectionFields, Environment};
use crate::secret::Secret;
use crate::secrets::{Planned, SecretOp};
use crate::store::{self, organise as kept, LastTest};
use crate::validation;
use crate::Switchboard;

/// How long the window offers Undo after a delete.
pub const UNDO_SECS: u64 = 10;

/// What happens to a deleted folder's contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FolderContents {
    /// Connections and folders inside move up to the deleted folder's parent.
    MoveUp,
    /// Connections inside are deleted too (undoable, as any delete).
    Delete,
}

/// A change made to each connection of a selection.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum BulkChange {
    /// Into this folder (`""`: the top level).
    Move {
        folder: String,
    },
    /// This environment, or none.
    Environment {
        environment: Option<Environment>,
    },
    AddTag {
        tag: String,
    },
    RemoveTag {
        tag: String,
    },
}

/// What a delete removed, to offer Undo for.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Deleted {
    /// Names the deleted connections for `undo_delete` (held by the core, with their
    /// secrets, for `UNDO_SECS`; never sent to the window).
    pub undo_token: String,
    pub count: u32,
    /// The first few names, for the toast.
    pub names: Vec<String>,
}

/// A deleted connection as it can be put back: its row, its keychain values, its last test
/// and its place among favourites.
#[derive(Clone)]
pub(crate) struct Trashed {
    connection: Connection,
    secrets: Vec<(SecretKind, Secret)>,
    last_test: Option<LastTest>,
    usage: Option<(bool, Option<String>)>,
    deleted_at: std::time::Instant,
}

pub(crate) type Trash = Held<Arc<Vec<Trashed>>>;

pub(crate) fn new_trash() -> Trash {
    Held::new(16)
}

impl Switchboard {
    /// Keeps an (empty) folder at `path`, its parents implied.
    pub async fn create_folder(&self, path: &str) -> Result<String> {
        let path = checked_path(path)?;
        if self.folder_exists(&path).await? {
            return Err(folder_exists(&path));
        }
        let mut tx = self.store.pool().begin().await.map_err(storage)?;
        kept::keep_folder(&mut tx, &path).await?;
        tx.commit().await.map_err(storage)?;
        Ok(path)
    }

    /// Renames (or moves) the folder `from` to `to`, its connections and folders with it.
    /// Each connection moved gets a new version, as any edit.
    pub async fn rename_folder(&self, from: &str, to: &str) -> Result<u32> {
        let from = folder::normalize(from);
        let to = checked_path(to)?;
        if from.is_empty() || !self.folder_exists(&from).await? {
            return Err(CoreError::NotFound(format!("folder {from:?}")));
        }
        if to == from {
            return Ok(0);
        }
        if folder::within(&to, &from) {
            return Err(CoreError::Input {
                code: ErrorCode::FolderInvalid,
                field: Some("folder".into()),
                message: format!("The folder {from:?} cannot move into itself ({to:?})."),
                hint: "Choose a folder outside it.".into(),
            });
        }
        if self.folder_exists(&to).await? {
            return Err(folder_exists(&to));
        }
        // Every folder that moves must still be a valid path where it lands.
        for path in self.store.folder_paths().await? {
            if let Some(new) = folder::moved(&path, &from, &to) {
                checked_path(&new)?;
            }
        }
        let moving = self.connections_within(&from).await?;
        let count = moving.len() as u32;
        let (from2, to2) = (from.clone(), to.clone());
        self.rewrite(moving, move |f| {
            if let Some(new) = folder::moved(&f.folder, &from2, &to2) {
                f.folder = new;
            }
        })
        .await?;
        let mut tx = self.store.pool().begin().await.map_err(storage)?;
        kept::move_kept_folders(&mut tx, &from, &to).await?;
        kept::keep_folder(&mut tx, &to).await?;
        tx.commit().await.map_err(storage)?;
        tracing::info!(from = %from, to = %to, connections = count, "folder renamed");
        Ok(count)
    }

    /// Deletes the folder `path`: its contents move up to its parent, or (`Delete`) its
    /// connections are deleted, with Undo.
    pub async fn delete_folder(
        &self,
        path: &str,
        contents: FolderContents,
    ) -> Result<Option<Deleted>> {
        let path = folder::normalize(path);
        if path.is_empty() || !self.folder_exists(&path).await? {
            return Err(CoreError::NotFound(format!("folder {path:?}")));
        }
        let inside = self.connections_within(&path).await?;
        let deleted = match contents {
            FolderContents::Delete if !inside.is_empty() => {
                let ids: Vec<Uuid> = inside.iter().map(|c| c.id).collect();
                Some(self.delete_with_undo(&ids).await?)
            }
            FolderContents::Delete => None,
            FolderContents::MoveUp => {
                let parent = folder::parent(&path).to_owned();
                let from = path.clone();
                self.rewrite(inside, move |f| {
                    if let Some(new) = folder::moved(&f.folder, &from, &parent) {
                        f.folder = new;
                    }
                })
                .await?;
                None
            }
        };
        let mut tx = self.store.pool().begin().await.map_err(storage)?;
        match contents {
            FolderContents::MoveUp => {
                kept::move_kept_folders(&mut tx, &path, folder::parent(&path)).await?
            }
            FolderContents::Delete => kept::forget_folders(&mut tx, &path).await?,
        }
        tx.commit().await.map_err(storage)?;
        tracing::info!(folder = %path, contents = ?contents, "folder deleted");
        Ok(deleted)
    }

    pub async fn set_folder_collapsed(&self, path: &str, collapsed: bool) -> Result<()> {
        let path = checked_path(path)?;
        self.store.set_folder_collapsed(&path, collapsed).await
    }

    /// Applies `change` to every one of `ids` in one transaction; returns how many.
    pub async fn change_many(&self, ids: &[Uuid], change: BulkChange) -> Result<u32> {
        let mut rows = Vec::with_capacity(ids.len());
        for &id in ids {
            rows.push(self.store.get(id).await?);
        }
        let count = rows.len() as u32;
        let target = match &change {
            BulkChange::Move { folder } => Some(checked_path(folder)?),
            _ => None,
        };
        self.rewrite(rows, move |f| match &change {
            BulkChange::Move { .. } => f.folder = target.clone().unwrap_or_default(),
            BulkChange::Environment { environment } => f.environment = *environment,
            BulkChange::AddTag { tag } => f.tags.push(tag.clone()),
            BulkChange::RemoveTag { tag } => f
                .tags
                .retain(|t| !t.trim().eq_ignore_ascii_case(tag.trim())),
        })
        .await?;
        tracing::info!(count, "connections changed together");
        Ok(count)
    }

    pub async fn set_favourite(&self, id: Uuid, favourite: bool) -> Result<()> {
        if !self.store.exists(id).await? {
            return Err(CoreError::NotFound(id.to_string()));
        }
        self.store.set_favourite(id, favourite).await
    }

    /// Remembers that `id` was opened, tested or copied now ("Recently used").
    pub async fn mark_used(&self, id: Uuid) -> Result<()> {
        self.store.mark_used(id, &store::now()).await
    }

    /// Deletes `ids` (rows and keychain entries, in one unit of work) and keeps what is
    /// needed to put them back with `undo_delete` for `UNDO_SECS`.
    pub async fn delete_with_undo(&self, ids: &[Uuid]) -> Result<Deleted> {
        let mut trashed = Vec::with_capacity(ids.len());
        let tests: std::collections::HashMap<Uuid, LastTest> = self
            .store
            .last_tests()
            .await?
            .into_iter()
            .map(|t| (t.connection_id, t))
            .collect();
        for &id in ids {
            let connection = self.store.get(id).await?;
            let mut secrets = Vec::new();
            for kind in self.secrets.kinds(id).await? {
                if let Some(value) = self.saved_secret(&connection, kind).await? {
                    secrets.push((kind, value));
                }
            }
            trashed.push(Trashed {
                last_test: tests.get(&id).cloned(),
                usage: self.store.usage_of(id).await?,
                connection,
                secrets,
                deleted_at: std::time::Instant::now(),
            });
        }
        self.delete_many(ids).await?;
        let names = trashed
            .iter()
            .take(3)
            .map(|t| t.connection.fields.name.clone())
            .collect();
        let count = trashed.len() as u32;
        let undo_token = self.trash.put(Arc::new(trashed));
        Ok(Deleted {
            undo_token,
            count,
            names,
        })
    }

    /// Puts back what the delete behind `token` removed: rows, keychain entries, last tests
    /// and favourites, in one unit of work. Returns the ids restored.
    pub async fn undo_delete(&self, token: &str) -> Result<Vec<Uuid>> {
        let expired = || {
            CoreError::Input {
            code: ErrorCode::UndoExpired,
            field: None,
            message: "It is too late to undo that delete.".into(),
            hint: format!(
                "Undo is offered for {UNDO_SECS} seconds after a delete; restore the connections from an export instead."
            ),
        }
        };
        let batch = self.trash.get(token).ok_or_else(expired)?;
        // A little grace past the toast's 10 s, for a click as it closes.
        if batch
            .first()
            .is_some_and(|t| t.deleted_at.elapsed().as_secs() > UNDO_SECS + 5)
        {
            self.trash.remove(token);
            return Err(expired());
        }
        let plans = batch
            .iter()
            .flat_map(|t| {
                t.secrets.iter().map(|(kind, value)| {
                    Planned::new(
                        t.connection.id,
                        &t.connection.fields.name,
                        *kind,
                        SecretOp::Write(value.clone()),
                    )
                })
            })
            .collect();
        let rows = Arc::clone(&batch);
        self.secrets
            .unit_of_work(plans, move |tx| {
                Box::pin(async move {
                    for t in rows.iter() {
                        store::insert(tx, &t.connection).await?;
                        if let Some((favourite, used_at)) = &t.usage {
                            kept::restore_usage(
                                tx,
                                t.connection.id,
                                *favourite,
                                used_at.as_deref(),
                            )
                            .await?;
                        }
                    }
                    Ok(())
                })
            })
            .await?;
        self.trash.remove(token);
        for t in batch.iter() {
            if let Some(last) = &t.last_test {
                self.store.record_test(t.connection.id, last).await?;
            }
        }
        tracing::info!(count = batch.len(), "delete undone");
        Ok(batch.iter().map(|t| t.connection.id).collect())
    }

    /// Whether `path` is a folder: kept, or holding a connection at or below it.
    async fn folder_exists(&self, path: &str) -> Result<bool> {
        Ok(self
            .store
            .folder_paths()
            .await?
            .iter()
            .any(|p| folder::within(p, path)))
    }

    async fn connections_within(&self, path: &str) -> Result<Vec<Connection>> {
        Ok(self
            .store
            .list()
            .await?
            .into_iter()
            .filter(|c| !c.fields.folder.is_empty() && folder::within(&c.fields.folder, path))
            .collect())
    }

    /// Writes `rows` back after `edit`, each with a new version, in one transaction. Only
    /// what the edit can break is checked (folder, environment, tags): a connection saved
    /// before a newer rule is not held hostage by an unrelated field.
    async fn rewrite<F>(&self, rows: Vec<Connection>, edit: F) -> Result<()>
    where
        F: Fn(&mut ConnectionFields),
    {
        let stamp = store::now();
        let mut issues: Vec<FieldIssue> = Vec::new();
        let mut changed = Vec::with_capacity(rows.len());
        for mut c in rows {
            let before = c.fields.clone();
            edit(&mut c.fields);
            validation::normalize(&mut c.fields);
            if c.fields == before {
                continue;
            }
            for mut i in validation::validate(&c.fields)
                .into_iter()
                .filter(|i| i.is_error() && touches(&i.field))
            {
                i.message = format!("{}: {}", c.fields.name, i.message);
                issues.push(i);
            }
            c.updated_at = stamp.clone();
            changed.push(c);
        }
        if !issues.is_empty() {
            return Err(CoreError::Validation(issues));
        }
        self.secrets
            .unit_of_work(Vec::new(), move |tx| {
                Box::pin(async move {
                    for mut c in changed {
                        let expected = c.version;
                        c.version += 1;
                        store::update(tx, &c, expected).await?;
                    }
                    Ok(())
                })
            })
            .await
    }
}

/// The fields a bulk change can make invalid.
fn touches(field: &str) -> bool {
    field == "folder" || field == "environment" || field == "tags" || field.starts_with("tags.")
}

fn checked_path(path: &str) -> Result<String> {
    let path = folder::normalize(path);
    let issues = folder::issues(&path);
    if issues.is_empty() {
        Ok(path)
    } else {
        Err(CoreError::Validation(issues))
    }
}

fn folder_exists(path: &str) -> CoreError {
    CoreError::Input {
        code: ErrorCode::FolderExists,
        field: Some("folder".into()),
        message: format!("A folder {path:?} already exists."),
        hint: "Choose another name, or move the connections into the existing folder.".into(),
    }
}

fn storage(e: sqlx::Error) -> CoreError {
    CoreError::Storage(e.to_string())
}
