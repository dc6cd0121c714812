//! The operations users perform on saved connections. Tauri commands and the CLI are thin
//! adapters over `Switchboard`.
//!
//! Every write that touches a secret goes through `secrets::Secrets::unit_of_work`, which
//! keeps the rows and the keychain consistent through failures and crashes.

use std::path::Path;

use uuid::Uuid;

use crate::drafts;
use crate::error::{CoreError, ErrorCode, FieldIssue, Result};
use crate::imports::TakenNames;
use crate::keychain::{SecretKind, SecretRef};
use crate::model::{
    Connection, ConnectionFields, ConnectionUpdate, NewConnection, PasswordSave, SecretChange,
    TlsMode,
};
use crate::probe::TestReport;
use crate::secret::Secret;
use crate::secrets::{Planned, SecretOp, Secrets};
use crate::store::{self, Store};
use crate::validation;

#[derive(Debug, Clone)]
pub struct Switchboard {
    pub(crate) store: Store,
    pub(crate) secrets: Secrets,
    /// The secrets of pasted strings, held for the form's Save and Test.
    pub(crate) drafts: std::sync::Arc<drafts::HeldDrafts>,
    /// Files picked in the window for a batch import.
    pub(crate) picked: std::sync::Arc<crate::imports::HeldFiles>,
    /// The data dir (Switchboard's own known-hosts file lives there).
    pub(crate) dir: std::path::PathBuf,
    /// Deleted connections, with their secrets, while Undo is offered.
    pub(crate) trash: std::sync::Arc<crate::organise::Trash>,
}

/// What an update's secret change becomes, given whether one is stored.
fn plan(change: SecretChange, had: bool, renamed_from: Option<&str>) -> Option<SecretOp> {
    match change {
        SecretChange::Set(v) => Some(SecretOp::Write(v)),
        SecretChange::Clear if had => Some(SecretOp::Remove),
        SecretChange::Clear | SecretChange::Keep => match renamed_from {
            Some(old) if had => Some(SecretOp::Relabel {
                old_name: old.to_owned(),
            }),
            _ => None,
        },
    }
}

/// A NUL byte cannot be carried by the keychain or by any driver: refuse it plainly.
fn nul_issue(field: &str, value: Option<&Secret>) -> Option<FieldIssue> {
    value.filter(|v| v.expose().contains('\0')).map(|_| {
        FieldIssue::new(
            ErrorCode::SecretInvalid,
            field,
            "It contains a NUL byte (\\0), which no keychain or database driver can carry.",
            "Remove the NUL byte; if it came from a file, check the file's encoding.",
        )
    })
}

fn password_not_allowed(mode: PasswordSave) -> FieldIssue {
    let why = match mode {
        PasswordSave::Ask => {
            "this connection asks for its password every time, so it would not be saved"
        }
        _ => "this connection is set to use no password",
    };
    FieldIssue::new(
        ErrorCode::PasswordNotAllowed,
        "password",
        format!("A password was given but {why}."),
        "Choose \"save in keychain\" to keep it, or leave the password empty.",
    )
}

/// The SSH secrets given with a save: each must go to a slot the route has and that is
/// saved in the keychain.
fn ssh_secret_issues(fields: &ConnectionFields, given: &[(usize, &Secret)]) -> Vec<FieldIssue> {
    let mut issues = Vec::new();
    for &(i, secret) in given {
        let field = match &fields.ssh {
            Some(switchboard_model::ssh::SshRoute::Hops { .. }) => format!("ssh.hops.{i}.secret"),
            _ => "ssh.secret".to_owned(),
        };
        issues.extend(nul_issue(&field, Some(secret)));
        let saves = fields
            .ssh
            .as_ref()
            .filter(|r| i < r.secret_slots())
            .map(|r| r.secret_save(i));
        if saves != Some(PasswordSave::Keychain) {
            issues.push(FieldIssue::new(
                ErrorCode::PasswordNotAllowed,
                &field,
                match saves {
                    None => format!("An SSH secret was given for hop {} and the route has no such hop.", i + 1),
                    Some(PasswordSave::Ask) => format!("An SSH secret was given for hop {}, which asks for it every time, so it would not be saved.", i + 1),
                    Some(_) => format!("An SSH secret was given for hop {}, which is set to use none.", i + 1),
                },
                "Choose \"save in keychain\" for that hop's secret, or leave it empty.",
            ));
        }
    }
    issues
}

/// The SSH slots a row may keep: the route's slots that save to the keychain.
fn ssh_keeps(fields: &ConnectionFields, i: usize) -> bool {
    fields
        .ssh
        .as_ref()
        .is_some_and(|r| i < r.secret_slots() && r.secret_save(i) == PasswordSave::Keychain)
}

impl Switchboard {
    /// Opens the store in `data_dir` and settles what crashed writers left in the keychain
    /// journal.
    pub async fn open(data_dir: &Path) -> Result<Switchboard> {
        let store = Store::open(data_dir).await?;
        let secrets = Secrets::open(data_dir, store.pool().clone())?;
        secrets.reconcile().await;
        Ok(Switchboard {
            store,
            secrets,
            drafts: std::sync::Arc::new(drafts::held_drafts()),
            picked: std::sync::Arc::new(crate::imports::held_files()),
            dir: data_dir.to_path_buf(),
            trash: std::sync::Arc::new(crate::organise::new_trash()),
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    pub async fn list(&self) -> Result<Vec<Connection>> {
        self.store.list().await
    }

    pub async fn get(&self, id: Uuid) -> Result<Connection> {
        self.store.get(id).await
    }

    /// Every saved row: the readable connections and the broken ones (by id and reason).
    pub async fn listing(&self) -> Result<store::Listing> {
        self.store.listing().await
    }

    /// The list as the window shows it: a compact row a connection (the full one is read
    /// with `get` when opened), and the broken rows.
    pub async fn summaries(&self) -> Result<store::SummaryListing> {
        self.store.summaries().await
    }

    /// Changes when `summaries` would (a row's last use aside): see `Store::listing_stamp`.
    pub async fn listing_stamp(&self) -> Result<String> {
        self.store.listing_stamp().await
    }

    /// The id (as stored: a hand-edited one need not be a UUID) and display name of a
    /// connection by id, handle or display name (as `find`), without reading the rest of
    /// its row (so that a row this version cannot read can still be named and deleted with
    /// `delete_row`).
    pub async fn find_id(&self, reference: &str) -> Result<(String, String)> {
        self.store
            .find_id(reference)
            .await?
            .ok_or_else(|| CoreError::NotFound(reference.to_owned()))
    }

    /// A connection as the CLI names it: by id, else by handle (ignoring case), else by
    /// display name (ignoring case and surrounding spaces). The handle comes first: when
    /// one connection's handle is another's display name, the handle's connection is meant
    /// (scripts use handles, and a display name must not capture them).
    pub async fn find(&self, reference: &str) -> Result<Connection> {
        if let Ok(id) = Uuid::parse_str(reference) {
            if let Ok(c) = self.store.get(id).await {
                return Ok(c);
            }
        }
        if let Some(c) = self.store.find_by_handle(reference).await? {
            return Ok(c);
        }
        self.store
            .find_by_name(reference)
            .await?
            .ok_or_else(|| CoreError::NotFound(reference.to_owned()))
    }

    /// The handle a connection named `name` would get if saved now without one (`own`:
    /// the connection being edited, whose own handle does not count as taken). For the
    /// form's placeholder; a save derives it the same way.
    pub async fn suggest_handle(&self, name: &str, own: Option<Uuid>) -> Result<String> {
        let taken = self.store.handles_except(own).await?;
        let base = validation::derive_handle(name);
        Ok(TakenNames::new(taken, validation::HANDLE_MAX).free(&base))
    }

    /// Every issue with `fields` as they would be saved (normalised), including the
    /// unique-name rule. For validation as the user types.
    pub async fn issues(
        &self,
        fields: &ConnectionFields,
        own_id: Option<Uuid>,
    ) -> Result<Vec<FieldIssue>> {
        let mut fields = fields.clone();
        validation::normalize(&mut fields);
        self.issues_of_normalized(&fields, own_id, None).await
    }

    /// `issues` for fields that `normalize` has already seen; saved names are looked up in
    /// `saved` when given (a batch reads them once), else in the store.
    async fn issues_of_normalized(
        &self,
        fields: &ConnectionFields,
        own_id: Option<Uuid>,
        saved: Option<&SavedNames>,
    ) -> Result<Vec<FieldIssue>> {
        let mut issues = validation::validate(fields);
        issues.extend(validation::warnings(fields));
        if let Some(primary) = fields.text_option("replica_of") {
            let found = self.named(primary, saved).await?;
            if !found.is_some_and(|p| p.engine == fields.engine && Some(p.id) != own_id) {
                issues.push(FieldIssue::new(
                    ErrorCode::PrimaryNotFound,
                    "options.replica_of",
                    format!(
                        "No saved {} connection is named {primary:?}.",
                        fields.engine.spec().label
                    ),
                    "Save the primary first, then name it here.",
                ));
            }
        }
        if !fields.name.is_empty() {
            if let Some(other) = self.named(&fields.name, saved).await? {
                if Some(other.id) != own_id {
                    issues.push(store::name_taken_issue(&fields.name));
                }
            }
        }
        if !fields.handle.is_empty() {
            let other = match saved {
                Some(s) => s.with_handle(&fields.handle),
                None => self
                    .store
                    .find_by_handle(&fields.handle)
                    .await?
                    .map(|c| c.id),
            };
            if other.is_some_and(|other| Some(other) != own_id) {
                issues.push(store::handle_taken_issue(&fields.handle));
            }
        }
        Ok(issues)
    }

    /// The saved connection with this display name (ignoring case and spaces).
    async fn named(&self, name: &str, saved: Option<&SavedNames>) -> Result<Option<Named>> {
        match saved {
            Some(s) => Ok(s.get(name)),
            None => Ok(self.store.find_by_name(name).await?.map(|c| Named {
                id: c.id,
                engine: c.fields.engine,
                name: c.fields.name,
            })),
        }
    }

    /// Normalises `fields` in place and fails with every issue, if any.
    pub(crate) async fn check(
        &self,
        fields: &mut ConnectionFields,
        own_id: Option<Uuid>,
        saved: Option<&SavedNames>,
    ) -> Result<()> {
        validation::normalize(fields);
        // No handle given: the name's, made free (a batch has filled it in already).
        let derived = fields.handle.is_empty();
        if derived {
            fields.handle = self.suggest_handle(&fields.name, own_id).await?;
        }
        // A replica names its primary as saved, so that the primary's rename, matched by
        // SQLite (which folds only ASCII case), follows it.
        if let Some(primary) = fields.text_option("replica_of") {
            if let Some(p) = self.named(primary, saved).await? {
                fields
                    .options
                    .insert("replica_of".into(), crate::model::OptionValue::Text(p.name));
            }
        }
        let mut issues: Vec<FieldIssue> = self
            .issues_of_normalized(fields, own_id, saved)
            .await?
            .into_iter()
            .filter(FieldIssue::is_error)
            .collect();
        // A derived handle taken since it was derived is not the user's to fix: another
        // save won a race (usually one of the same name, which the name check or the
        // unique index then names). Derive a free one again instead of blaming the handle.
        if derived && issues.iter().any(|i| i.code == ErrorCode::HandleTaken) {
            issues.retain(|i| i.code != ErrorCode::HandleTaken);
            fields.handle = self.suggest_handle(&fields.name, own_id).await?;
        }
        if issues.is_empty() {
            Ok(())
        } else {
            Err(CoreError::Validation(issues))
        }
    }

    /// Everything `create` checks, without saving: normalises `new.fields` and fails with
    /// every issue. Used by `create` and by import previews (which pass the `saved` names
    /// they read once).
    pub(crate) async fn check_new(
        &self,
        new: &mut NewConnection,
        saved: Option<&SavedNames>,
    ) -> Result<()> {
        if new.password.as_ref().is_some_and(Secret::is_empty) {
            new.password = None;
        }
        if new.client_key.as_ref().is_some_and(Secret::is_empty) {
            new.client_key = None;
        }
        let mut issues = match self.check(&mut new.fields, None, saved).await {
            Ok(()) => Vec::new(),
            Err(CoreError::Validation(i)) => i,
            Err(e) => return Err(e),
        };
        issues.extend(nul_issue("password", new.password.as_ref()));
        issues.extend(nul_issue("client_key", new.client_key.as_ref()));
        if new.password.is_some() && new.fields.password_save != PasswordSave::Keychain {
            issues.push(password_not_allowed(new.fields.password_save));
        }
        issues.extend(validation::client_key_issues(
            &new.fields,
            new.client_key.as_ref(),
            false,
        ));
        for s in &mut new.ssh_secrets {
            if s.as_ref().is_some_and(Secret::is_empty) {
                *s = None;
            }
        }
        let given: Vec<(usize, &Secret)> = new
            .ssh_secrets
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|s| (i, s)))
            .collect();
        issues.extend(ssh_secret_issues(&new.fields, &given));
        if issues.is_empty() {
            Ok(())
        } else {
            Err(CoreError::Validation(issues))
        }
    }

    pub async fn create(&self, mut new: NewConnection) -> Result<Connection> {
        self.check_new(&mut new, None).await?;
        let NewConnection {
            fields,
            password,
            client_key,
            ssh_secrets,
        } = new;
        let stamp = store::now();
        let ssh: Vec<(SecretKind, Option<Secret>)> = ssh_secrets
            .into_iter()
            .enumerate()
            .filter_map(|(i, v)| SecretKind::ssh(i).map(|k| (k, v)))
            .collect();
        let conn = Connection {
            id: Uuid::new_v4(),
            has_saved_password: password.is_some(),
            has_client_key: client_key.is_some(),
            ssh_secrets: ssh
                .iter()
                .filter(|(_, v)| v.is_some())
                .filter_map(|(k, _)| match k {
                    SecretKind::Ssh(n) => Some(u32::from(*n)),
                    _ => None,
                })
                .collect(),
            fields,
            created_at: stamp.clone(),
            updated_at: stamp,
            version: 1,
        };
        let plans = [
            (SecretKind::Password, password),
            (SecretKind::ClientKey, client_key),
        ]
        .into_iter()
        .chain(ssh)
        .filter_map(|(k, v)| v.map(|v| Planned::fresh(conn.id, &conn.fields.name, k, v)))
        .collect();
        let row = conn.clone();
        self.secrets
            .unit_of_work(plans, move |tx| {
                Box::pin(async move { store::insert(tx, &row).await })
            })
            .await?;
        tracing::info!(id = %conn.id, name = %conn.fields.name, "connection created");
        Ok(conn)
    }

    pub async fn update(&self, u: ConnectionUpdate) -> Result<Connection> {
        let ConnectionUpdate {
            id,
            version,
            mut fields,
            password,
            client_key,
            ssh_secrets,
        } = u;
        let old = self.store.get(id).await?;
        let mut issues = match self.check(&mut fields, Some(id), None).await {
            Ok(()) => Vec::new(),
            Err(CoreError::Validation(i)) => i,
            Err(e) => return Err(e),
        };
        // A blank field on edit keeps what is stored (Lerian's rule).
        let blank_is_keep = |c: SecretChange| match c {
            SecretChange::Set(v) if v.is_empty() => SecretChange::Keep,
            other => other,
        };
        let password = blank_is_keep(password);
        let client_key = blank_is_keep(client_key);
        if matches!(password, SecretChange::Set(_))
            && fields.password_save != PasswordSave::Keychain
        {
            issues.push(password_not_allowed(fields.password_save));
        }
        // The key stays only while there is a certificate for it.
        let client_key = if fields.tls.client_cert_pem.is_none() && old.has_client_key {
            match client_key {
                SecretChange::Set(k) => SecretChange::Set(k),
                _ => SecretChange::Clear,
            }
        } else {
            client_key
        };
        let new_key = match &client_key {
            SecretChange::Set(k) => Some(k),
            _ => None,
        };
        if let SecretChange::Set(p) = &password {
            issues.extend(nul_issue("password", Some(p)));
        }
        issues.extend(nul_issue("client_key", new_key));
        let keeps_key = matches!(client_key, SecretChange::Keep) && old.has_client_key;
        issues.extend(validation::client_key_issues(&fields, new_key, keeps_key));
        // A kept key must still fit a changed certificate.
        if keeps_key && fields.tls.client_cert_pem != old.fields.tls.client_cert_pem {
            if let Some(stored) = self.saved_secret(&old, SecretKind::ClientKey).await? {
                issues.extend(validation::client_key_issues(&fields, Some(&stored), false));
            }
        }
        let ssh_secrets: Vec<SecretChange> = ssh_secrets.into_iter().map(blank_is_keep).collect();
        let given: Vec<(usize, &Secret)> = ssh_secrets
            .iter()
            .enumerate()
            .filter_map(|(i, c)| match c {
                SecretChange::Set(v) => Some((i, v)),
                _ => None,
            })
            .collect();
        issues.extend(ssh_secret_issues(&fields, &given));
        if !issues.is_empty() {
            return Err(CoreError::Validation(issues));
        }
        if old.version != version {
            return Err(CoreError::VersionConflict {
                expected: version,
                actual: old.version,
            });
        }
        let password_allowed = fields.password_save == PasswordSave::Keychain;
        let password = if password_allowed {
            password
        } else {
            SecretChange::Clear
        };
        let renamed_from = (old.fields.name != fields.name).then_some(old.fields.name.as_str());
        let password_op = plan(password, old.has_saved_password, renamed_from);
        let key_op = plan(client_key, old.has_client_key, renamed_from);
        // Every slot the row had or is given: a slot the route no longer keeps in the
        // keychain (fewer hops, ask, none, no route) loses its entry.
        let slots = switchboard_model::ssh::MAX_HOPS;
        let mut ssh_ops = Vec::new();
        for i in 0..slots {
            let Some(kind) = SecretKind::ssh(i) else {
                continue;
            };
            let had = u32::try_from(i).is_ok_and(|n| old.ssh_secrets.contains(&n));
            let change = ssh_secrets.get(i).cloned().unwrap_or_default();
            let change = if ssh_keeps(&fields, i) {
                change
            } else {
                SecretChange::Clear
            };
            ssh_ops.push((kind, plan(change, had, renamed_from), had));
        }
        let leaves = |op: &Option<SecretOp>, had: bool| match op {
            Some(SecretOp::Write(_)) => true,
            Some(SecretOp::Remove) => false,
            Some(SecretOp::Relabel { .. }) | None => had,
        };
        let conn = Connection {
            id,
            has_saved_password: leaves(&password_op, old.has_saved_password),
            has_client_key: leaves(&key_op, old.has_client_key),
            ssh_secrets: ssh_ops
                .iter()
                .filter(|(_, op, had)| leaves(op, *had))
                .filter_map(|(k, _, _)| match k {
                    SecretKind::Ssh(n) => Some(u32::from(*n)),
                    _ => None,
                })
                .collect(),
            fields,
            created_at: old.created_at.clone(),
            updated_at: store::now(),
            version: version + 1,
        };
        let plans = [
            (SecretKind::Password, password_op),
            (SecretKind::ClientKey, key_op),
        ]
        .into_iter()
        .chain(ssh_ops.into_iter().map(|(k, op, _)| (k, op)))
        .filter_map(|(kind, op)| op.map(|op| Planned::new(id, &conn.fields.name, kind, op)))
        .collect();
        let row = conn.clone();
        let old_name = renamed_from.map(str::to_owned);
        self.secrets
            .unit_of_work(plans, move |tx| {
                Box::pin(async move {
                    store::update(tx, &row, version).await?;
                    if let Some(old_name) = old_name {
                        store::rename_replica_references(
                            tx,
                            row.fields.engine,
                            &old_name,
                            &row.fields.name,
                            &row.updated_at,
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .await?;
        tracing::info!(id = %conn.id, version = conn.version, "connection updated");
        Ok(conn)
    }

    /// Removes the row and then its secrets. The row goes even when the keychain is away: a
    /// secret that could not be removed stays journalled and is removed by a later write.
    /// A row this version cannot read can be deleted too.
    pub async fn delete(&self, id: Uuid) -> Result<()> {
        self.delete_many(&[id]).await
    }

    /// Deletes every one of `ids` and their keychain entries in one unit of work: all of
    /// them, or (one missing, a keychain refusal) none.
    pub async fn delete_many(&self, ids: &[Uuid]) -> Result<()> {
        let mut plans = Vec::new();
        for &id in ids {
            if !self.store.exists(id).await? {
                return Err(CoreError::NotFound(id.to_string()));
            }
            plans.extend(
                self.secrets
                    .kinds(id)
                    .await?
                    .into_iter()
                    .map(|kind| Planned::new(id, "", kind, SecretOp::Remove)),
            );
        }
        let owned = ids.to_vec();
        self.secrets
            .unit_of_work(plans, move |tx| {
                Box::pin(async move {
                    for id in owned {
                        store::delete(tx, id).await?;
                    }
                    Ok(())
                })
            })
            .await?;
        tracing::info!(count = ids.len(), ids = ?ids, "connections deleted");
        Ok(())
    }

    /// `delete` by the id exactly as stored (`BrokenRow::id`), which a hand edit may have
    /// made something other than a UUID. No keychain entry is named after such an id, but
    /// the edit (foreign keys off) left the row's claims under its old id: those claims,
    /// and any other that lost its row, go with it.
    pub async fn delete_row(&self, stored_id: &str) -> Result<()> {
        if let Ok(id) = Uuid::parse_str(stored_id) {
            if id.to_string() == stored_id {
                return self.delete(id).await;
            }
        }
        if !self.store.exists_stored(stored_id).await? {
            return Err(CoreError::NotFound(stored_id.to_owned()));
        }
        let plans = self
            .secrets
            .orphaned_claims()
            .await?
            .into_iter()
            .map(|(id, kind)| Planned::new(id, "", kind, SecretOp::Remove))
            .collect();
        let owned = stored_id.to_owned();
        self.secrets
            .unit_of_work(plans, move |tx| {
                Box::pin(async move { store::delete_stored(tx, &owned).await })
            })
            .await?;
        tracing::info!("a connection whose id was not a UUID deleted");
        Ok(())
    }

    pub(crate) async fn saved_secret(
        &self,
        c: &Connection,
        kind: SecretKind,
    ) -> Result<Option<Secret>> {
        let Some(generation) = self.secrets.generation(c.id, kind).await? else {
            return Ok(None);
        };
        let r = SecretRef::new(kind, c.id, &c.fields.name).at(generation);
        self.secrets.get(r).await
    }

    /// A copy named `<name>-copy` (or `-copy-2`, …), secrets included.
    pub async fn duplicate(&self, id: Uuid) -> Result<Connection> {
        let src = self.store.get(id).await?;
        // Room for "-copy-NNNN" within the name limit.
        let base: String = src
            .fields
            .name
            .chars()
            .take(validation::NAME_MAX - 10)
            .collect();
        let mut name = format!("{base}-copy");
        let mut n = 2;
        while self.store.name_exists(&name).await? {
            name = format!("{base}-copy-{n}");
            n += 1;
        }
        let password = self.saved_secret(&src, SecretKind::Password).await?;
        let client_key = self.saved_secret(&src, SecretKind::ClientKey).await?;
        let mut fields = src.fields.clone();
        fields.name = name;
        // The copy's handle is derived from its name, as for any new connection.
        fields.handle.clear();
        // The route is copied with its secrets (each slot the source holds).
        let ssh_secrets = self.saved_ssh_secrets(&src).await?;
        self.create(NewConnection {
            fields,
            password,
            client_key,
            ssh_secrets,
        })
        .await
    }

    /// The SSH route's secrets the keychain holds for `c`, by slot.
    pub(crate) async fn saved_ssh_secrets(&self, c: &Connection) -> Result<Vec<Option<Secret>>> {
        let slots = c.fields.ssh.as_ref().map_or(0, |r| r.secret_slots());
        let mut out = Vec::with_capacity(slots);
        for i in 0..slots {
            let held = u32::try_from(i).is_ok_and(|n| c.ssh_secrets.contains(&n));
            out.push(match SecretKind::ssh(i) {
                Some(kind) if held => self.saved_secret(c, kind).await?,
                _ => None,
            });
        }
        Ok(out)
    }

    /// The saved password, for an explicit "reveal" by the user.
    pub async fn reveal_password(&self, id: Uuid) -> Result<Secret> {
        let c = self.store.get(id).await?;
        tracing::info!(id = %id, "password revealed on request");
        self.saved_secret(&c, SecretKind::Password)
            .await?
            .ok_or(CoreError::PasswordNotSaved)
    }

    /// Points an imported replica at the saved connection that matches its primary
    /// (same host, port and database), when there is one.
    pub(crate) async fn match_primary(
        &self,
        imported: &mut crate::connstr::Imported,
        saved: Option<&SavedNames>,
    ) -> Result<()> {
        let Some(p) = &imported.primary else {
            return Ok(());
        };
        let listed;
        let saved = match saved {
            Some(s) => &s.list,
            None => {
                listed = self.store.list().await?;
                &listed
            }
        };
        let found = saved.iter().find(|c| {
            c.fields.engine == imported.fields.engine
                && c.fields.host.eq_ignore_ascii_case(&p.host)
                && c.fields.port == p.port
                && c.fields.database == p.database
        });
        if let Some(c) = found {
            imported.fields.options.insert(
                "replica_of".into(),
                crate::model::OptionValue::Text(c.fields.name.clone()),
            );
            imported
                .warnings
                .retain(|w| w != crate::connstr::payloads::PRIMARY_UNMATCHED);
        }
        Ok(())
    }

    /// Tests a saved connection. `password` overrides the saved one (and is required when
    /// the connection asks every time).
    pub async fn test(&self, id: Uuid, password: Option<Secret>) -> Result<TestReport> {
        self.test_with(id, password, TestControl::default()).await
    }

    /// `test`, streaming steps to `control.progress` and stopped by `control.cancel`.
    pub async fn test_with(
        &self,
        id: Uuid,
        password: Option<Secret>,
        control: TestControl,
    ) -> Result<TestReport> {
        // The saved fields as a form would show them: one operation tests both.
        let fields = self.store.get(id).await?.fields;
        self.test_draft(fields, password, None, None, Some(id), control)
            .await
    }

    /// Keeps a saved connection's latest result (for its status dot and `list`); a test the
    /// user stopped says nothing about the connection, so the last real result stays.
    /// `mode`: the TLS mode tested, which says whether a finished handshake verified the
    /// server's certificate.
    pub(crate) async fn remember_test(&self, id: Uuid, mode: TlsMode, report: &TestReport) {
        let leaf = report
            .tls
            .as_ref()
            .and_then(|t| t.peer_certificates.first());
        let last = crate::store::LastTest {
            connection_id: id,
            ok: report.ok,
            code: report.error.as_ref().map(|e| e.code.as_str().to_owned()),
            step: report.error.as_ref().map(|e| e.step.label().to_owned()),
            message: report.error.as_ref().map(|e| e.message.clone()),
            total_ms: report.total_ms,
            tested_at: store::now(),
            tls_version: report.tls.as_ref().map(|t| t.protocol.clone()),
            tls_verified: report
                .tls
                .as_ref()
                .map(|_| matches!(mode, TlsMode::VerifyCa | TlsMode::VerifyFull)),
            cert_not_after: leaf.map(|c| c.not_after.clone()),
            server_version: report.server.as_ref().map(|s| s.version.clone()),
        };
        let cancelled = report
            .error
            .as_ref()
            .is_some_and(|e| e.code == ErrorCode::Cancelled);
        // A test the user stopped says nothing about the connection: the last real result stays.
        let recorded = if cancelled {
            Ok(())
        } else {
            self.store.record_test(id, &last).await
        };
        let recorded = match recorded {
            Ok(()) if !cancelled => self.mark_used(id).await,
            other => other,
        };
        if let Err(e) = recorded {
            // The test itself succeeded in running; only its remembering failed.
            tracing::warn!(id = %id, error = %e, "could not record the test result");
        }
        tracing::info!(
            id = %id,
            ok = report.ok,
            code = report.error.as_ref().map(|e| e.code.as_str()).unwrap_or("ok"),
            total_ms = report.total_ms,
            "connection tested"
        );
    }

    /// Tests what a form holds without saving it.
    pub(crate) async fn test_fields_with(
        &self,
        fields: ConnectionFields,
        password: Option<Secret>,
        client_key: Option<Secret>,
        control: TestControl,
    ) -> Result<TestReport> {
        let name = fields.name.clone();
        let engine = fields.engine;
        let transport = crate::routes::transport(
            &fields,
            &control.ssh_secrets,
            &control.trust_host_keys,
            &self.dir,
        );
        let mut target = checked_target(fields, password, client_key)?;
        target.transport = transport;
        if target.expect_replica.is_none() && !name.is_empty() {
            // A saved replica that names this connection makes it a primary.
            let is_primary = self.store.is_named_as_primary(engine, &name).await?;
            if is_primary {
                target.expect_replica = Some(false);
            }
        }
        Ok(run_controlled(target, control).await)
    }
}

mod names;
pub(crate) use names::{Named, SavedNames};
mod testing;
pub(crate) use testing::{checked_target, run_controlled};
pub use testing::{ManyResult, TestControl, DEFAULT_CONCURRENCY};
