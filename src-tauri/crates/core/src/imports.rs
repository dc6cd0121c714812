//! Importing into the saved set (a pasted string for the form is `drafts.rs`): one string
//! saved at once, or a batch that becomes a preview (each row validated, names made
//! unique, .pgpass lines matched with saved connections) whose chosen rows are saved in
//! one transaction: every row and every keychain entry, or none of them.
//!
//! Secrets never leave: previews say only whether a password is present.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::connections::{SavedNames, Switchboard};
use crate::connstr::payloads::PayloadFormat;
use crate::connstr::Imported;
use crate::connstr::{self, batch, SourceKind};
use crate::error::{ApiError, CoreError, ErrorCode, FieldIssue, Result};
use crate::keychain::SecretKind;
use crate::model::{Connection, ConnectionFields, NewConnection, PasswordSave};
use crate::secret::Secret;
use crate::secrets::{Planned, SecretOp};
pub use crate::sources::ImportOptions;

mod loading;
mod reimport;
use crate::store;
use crate::validation::{name_key, HANDLE_MAX, NAME_MAX};
pub(crate) use loading::read_import_file;
use loading::{file_name, Loaded};
use reimport::{clash, Met, Update};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RowStatus {
    /// A valid connection, ready to save.
    Ready,
    /// Cannot be imported as it is (see `error` / `issues`).
    Invalid,
    /// A .pgpass line that supplies the password of saved connections (`matches`).
    Password,
    /// A .pgpass line no saved connection matches.
    NoMatch,
    /// Read, but not saved: another engine, or a saved connection it meets is left alone
    /// (`reason` says which).
    Skipped,
    /// Updates the saved connection `updates` (the same entry imported before, or by name).
    Update,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PreviewRow {
    pub index: u32,
    pub label: String,
    pub status: RowStatus,
    pub kind: Option<SourceKind>,
    pub fields: Option<ConnectionFields>,
    pub has_password: bool,
    pub has_client_key: bool,
    pub warnings: Vec<String>,
    pub issues: Vec<FieldIssue>,
    pub error: Option<ApiError>,
    /// For .pgpass lines: the saved connections whose password it sets.
    pub matches: Vec<String>,
    /// What the source said about TLS and whose reading made `fields.tls.mode` of it.
    pub tls_from: Option<String>,
    /// The SSH hops whose secret the source gave (saved in the keychain with the row).
    pub ssh_secrets: u32,
    /// Why a skipped row is skipped.
    pub reason: Option<String>,
    /// For an update: the saved connection's name (before the update).
    pub updates: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportPreview {
    pub source: batch::BatchSource,
    pub rows: Vec<PreviewRow>,
    pub notes: Vec<String>,
    /// Folders the file keeps (empty ones too): kept when the import saves.
    pub folders: Vec<String>,
    /// The file seals secrets with a passphrase not given yet (preview again with it).
    pub needs_passphrase: bool,
}

/// A service's JSON body as it would be saved (`check_payload`): never its secrets.
#[derive(Debug, Clone, Serialize)]
pub struct CheckedPayload {
    pub fields: ConnectionFields,
    pub has_password: bool,
    pub has_client_key: bool,
    /// Parameters that had no place, and defaults that were assumed.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportResult {
    pub created: Vec<Connection>,
    /// Saved connections the import updated (the same entries imported before).
    pub updated: Vec<Connection>,
    /// Names of saved connections whose password a .pgpass line set.
    pub passwords_set: Vec<String>,
}

/// A file picked for a batch import: the window holds only its token and name.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PickedFile {
    pub token: String,
    pub name: String,
}

/// How many picked files are held at once; the oldest go first.
const PICKED_HELD: usize = 16;

pub(crate) type HeldFiles = crate::held::Held<PathBuf>;

pub(crate) fn held_files() -> HeldFiles {
    crate::held::Held::new(PICKED_HELD)
}

/// Where a batch comes from.
#[derive(Debug, Clone, Copy)]
pub enum Batch<'a> {
    /// Text the user pasted.
    Text(&'a str),
    /// A file of connections on this machine, by path (the command line's).
    File(&'a Path),
    /// A file the user picked in the window, by the token `hold_picked` gave (its text
    /// never goes to the window, as it may hold passwords).
    Picked(&'a str),
}

/// What saving a chosen row means.
enum Plan {
    Create(Box<NewConnection>),
    Update(Box<Update>),
    Passwords(Vec<(Connection, Secret)>),
    Nothing,
}

/// The display names or handles taken so far (as `validation::name_key` compares them:
/// trimmed, lower case) and, per name, where the search for a free `-n` stopped: a batch
/// of rows all called `prod` costs one step a row, not a search from `-2` each time (which
/// made 20,000 identical lines take 40 s).
pub(crate) struct TakenNames {
    taken: HashSet<String>,
    next: HashMap<String, u32>,
    /// Characters a name may have (`NAME_MAX` or `HANDLE_MAX`): a suffix cuts the base.
    max: usize,
}

impl TakenNames {
    pub(crate) fn new(taken: HashSet<String>, max: usize) -> Self {
        TakenNames {
            taken,
            next: HashMap::new(),
            max,
        }
    }

    /// `base`, or `base-2`, `base-3`, … whichever is free (ignoring case). Names are only
    /// ever added, so the suffixes below the last one found stay taken.
    pub(crate) fn free(&mut self, base: &str) -> String {
        let key = name_key(base);
        if !self.taken.contains(&key) {
            return base.to_owned();
        }
        let start = self.next.get(&key).copied().unwrap_or(2);
        let found = (start..).find_map(|n| {
            let suffix = format!("-{n}");
            let keep = self.max.saturating_sub(suffix.chars().count());
            let c = format!("{}{suffix}", base.chars().take(keep).collect::<String>());
            (!self.taken.contains(&name_key(&c))).then_some((n, c))
        });
        match found {
            Some((n, c)) => {
                self.next.insert(key, n);
                c
            }
            None => base.to_owned(),
        }
    }

    pub(crate) fn insert(&mut self, name: &str) {
        self.taken.insert(name_key(name));
    }
}

/// What a batch hands out: free display names and free handles.
pub(crate) struct Taken {
    names: TakenNames,
    handles: TakenNames,
}

impl Taken {
    fn of(saved: &SavedNames) -> Self {
        let (names, handles) = saved.taken();
        Taken {
            names: TakenNames::new(names, NAME_MAX),
            handles: TakenNames::new(handles, HANDLE_MAX),
        }
    }
}

impl Switchboard {
    /// Saves one pasted string as a new connection (a taken name gets a `-2` suffix, with
    /// a warning). Returns the connection and the import's warnings.
    pub async fn import_one(&self, input: &str) -> Result<(Connection, Vec<String>)> {
        let mut imp = connstr::import(input)?.imported;
        let mut taken = Taken::of(&SavedNames::of(self.store.list().await?));
        let new = self.prepare_row(&mut imp, &mut taken, None).await?;
        let c = self.create(new).await?;
        Ok((c, imp.warnings))
    }

    /// Saves a service's JSON body (`format`) as a new connection, under the name it
    /// gives. Returns the connection and the import's warnings.
    pub async fn import_payload(
        &self,
        format: PayloadFormat,
        body: &str,
    ) -> Result<(Connection, Vec<String>)> {
        let (new, warnings) = self.read_payload(format, body).await?;
        Ok((self.create(new).await?, warnings))
    }

    /// A service's JSON body (`format`) with every check a save makes, without saving.
    pub async fn check_payload(&self, format: PayloadFormat, body: &str) -> Result<CheckedPayload> {
        let (mut new, warnings) = self.read_payload(format, body).await?;
        self.check_new(&mut new, None).await?;
        Ok(CheckedPayload {
            has_password: new.password.is_some(),
            has_client_key: new.client_key.is_some(),
            fields: new.fields,
            warnings,
        })
    }

    async fn read_payload(
        &self,
        format: PayloadFormat,
        body: &str,
    ) -> Result<(NewConnection, Vec<String>)> {
        let mut imp = connstr::payloads::import(format, body)?;
        // Paths inside a service's body are the machine's that wrote it, not ours.
        connstr::skip_files(&mut imp);
        self.match_primary(&mut imp, None).await?;
        let new = NewConnection {
            ssh_secrets: Vec::new(),
            fields: imp.fields,
            password: imp.password,
            client_key: imp.client_key,
        };
        Ok((new, imp.warnings))
    }

    /// Holds a file the user picked for a batch import; the window gets a token and the
    /// file's name.
    pub fn hold_picked(&self, path: PathBuf) -> PickedFile {
        let name = file_name(&path).unwrap_or_default();
        PickedFile {
            token: self.picked.put(path),
            name,
        }
    }

    /// `preview_import` of pasted text or a file.
    pub async fn preview_batch(&self, from: Batch<'_>) -> Result<ImportPreview> {
        self.preview_batch_with(from, &ImportOptions::default())
            .await
    }

    /// A preview of a batch read as `opts` say (another tool's passwords, its format).
    pub async fn preview_batch_with(
        &self,
        from: Batch<'_>,
        opts: &ImportOptions,
    ) -> Result<ImportPreview> {
        let loaded = self.load(from, opts).await?;
        Ok(self.plan_import(&loaded, opts).await?.0)
    }

    /// `import_rows` of pasted text or a file (read once); `chosen: None` saves every row
    /// that is ready (connections, and .pgpass lines that match one).
    pub async fn import_batch(
        &self,
        from: Batch<'_>,
        chosen: Option<&[u32]>,
    ) -> Result<ImportResult> {
        self.import_batch_with(from, chosen, &ImportOptions::default())
            .await
    }

    /// `import_batch` read as `opts` say.
    pub async fn import_batch_with(
        &self,
        from: Batch<'_>,
        chosen: Option<&[u32]>,
        opts: &ImportOptions,
    ) -> Result<ImportResult> {
        let loaded = self.load(from, opts).await?;
        let (preview, plans) = self.plan_import(&loaded, opts).await?;
        let ready: Vec<u32>;
        let chosen = match chosen {
            Some(rows) => rows,
            None => {
                ready = preview
                    .rows
                    .iter()
                    .filter(|r| {
                        matches!(
                            r.status,
                            RowStatus::Ready | RowStatus::Password | RowStatus::Update
                        )
                    })
                    .map(|r| r.index)
                    .collect();
                &ready
            }
        };
        self.save_chosen(preview, plans, chosen).await
    }

    pub async fn preview_import(
        &self,
        text: &str,
        file_name: Option<&str>,
    ) -> Result<ImportPreview> {
        let loaded = Loaded::Text {
            text: text.to_owned(),
            name: file_name.map(str::to_owned),
        };
        Ok(self
            .plan_import(&loaded, &ImportOptions::default())
            .await?
            .0)
    }

    async fn plan_import(
        &self,
        loaded: &Loaded,
        opts: &ImportOptions,
    ) -> Result<(ImportPreview, Vec<Plan>)> {
        let parsed = loading::parse(loaded, opts).await?;
        let saved = SavedNames::of(self.store.list().await?);
        let mut taken = Taken::of(&saved);
        // libpq uses the first .pgpass line that matches; so does the import.
        let mut password_claimed: HashSet<Uuid> = HashSet::new();
        // Saved connections by the tool entry they were imported from.
        let by_source: HashMap<String, usize> = saved
            .list
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let from = c.fields.metadata.get(connstr::IMPORTED_FROM)?.as_str()?;
                Some((from.to_owned(), i))
            })
            .collect();
        // A saved connection is updated by one row at most.
        let mut updating: HashSet<Uuid> = HashSet::new();
        let mut rows = Vec::new();
        let mut plans = Vec::new();
        for (i, row) in parsed.rows.into_iter().enumerate() {
            let mut out = PreviewRow {
                index: u32::try_from(i).unwrap_or(u32::MAX),
                label: row.label,
                status: RowStatus::Invalid,
                kind: None,
                fields: None,
                has_password: false,
                has_client_key: false,
                warnings: Vec::new(),
                issues: Vec::new(),
                error: None,
                matches: Vec::new(),
                tls_from: None,
                ssh_secrets: 0,
                reason: None,
                updates: None,
            };
            let plan = match row.entry {
                batch::Entry::Invalid(e) => {
                    out.error = Some(e.to_api());
                    Plan::Nothing
                }
                batch::Entry::Skipped(why) => {
                    out.status = RowStatus::Skipped;
                    out.reason = Some(why);
                    Plan::Nothing
                }
                batch::Entry::Password(line) => {
                    let mut targets = Vec::new();
                    for c in saved.list.iter().filter(|c| line.matches(&c.fields)) {
                        if password_claimed.insert(c.id) {
                            out.matches.push(c.fields.name.clone());
                            targets.push((c.clone(), line.password.clone()));
                        }
                    }
                    out.has_password = !line.password.is_empty();
                    out.status = if targets.is_empty() {
                        RowStatus::NoMatch
                    } else {
                        RowStatus::Password
                    };
                    Plan::Passwords(targets)
                }
                batch::Entry::Connection(p) => {
                    out.kind = Some(p.kind);
                    let mut imp = p.imported;
                    out.tls_from = imp.tls_from.take();
                    let met = clash(&saved, &by_source, &imp, opts.on_clash, &updating);
                    if let Some(Met::Skip(why)) = met {
                        out.status = RowStatus::Skipped;
                        out.reason = Some(why);
                        out.fields = Some(imp.fields);
                        out.warnings = imp.warnings;
                        rows.push(out);
                        plans.push(Plan::Nothing);
                        continue;
                    }
                    if let Some(Met::Update(i)) = met {
                        let target = &saved.list[i];
                        updating.insert(target.id);
                        out.updates = Some(target.fields.name.clone());
                        match self.prepare_update(&mut imp, target, &saved).await {
                            Ok(u) => {
                                out.status = RowStatus::Update;
                                out.issues = crate::validation::warnings(&u.conn.fields);
                                out.fields = Some(u.conn.fields.clone());
                                out.has_password = imp.password.is_some();
                                out.ssh_secrets = u32::try_from(
                                    imp.ssh_secrets.iter().filter(|s| s.is_some()).count(),
                                )
                                .unwrap_or(0);
                                taken.names.insert(&u.conn.fields.name);
                                out.warnings = imp.warnings;
                                rows.push(out);
                                plans.push(Plan::Update(Box::new(u)));
                            }
                            Err(CoreError::Validation(issues)) => {
                                out.issues = issues;
                                out.fields = Some(imp.fields);
                                out.warnings = imp.warnings;
                                rows.push(out);
                                plans.push(Plan::Nothing);
                            }
                            Err(e) => {
                                out.error = Some(e.to_api());
                                out.warnings = imp.warnings;
                                rows.push(out);
                                plans.push(Plan::Nothing);
                            }
                        }
                        continue;
                    }
                    match self.prepare_row(&mut imp, &mut taken, Some(&saved)).await {
                        Ok(new) => {
                            out.status = RowStatus::Ready;
                            out.issues = crate::validation::warnings(&new.fields);
                            out.fields = Some(new.fields.clone());
                            out.has_password = new.password.is_some();
                            out.has_client_key = new.client_key.is_some();
                            out.ssh_secrets = u32::try_from(
                                new.ssh_secrets.iter().filter(|s| s.is_some()).count(),
                            )
                            .unwrap_or(0);
                            out.warnings = imp.warnings;
                            Plan::Create(Box::new(new))
                        }
                        Err(CoreError::Validation(issues)) => {
                            out.issues = issues;
                            out.fields = Some(imp.fields);
                            out.warnings = imp.warnings;
                            Plan::Nothing
                        }
                        Err(e) => {
                            out.error = Some(e.to_api());
                            out.warnings = imp.warnings;
                            Plan::Nothing
                        }
                    }
                }
            };
            rows.push(out);
            plans.push(plan);
        }
        Ok((
            ImportPreview {
                source: parsed.source,
                rows,
                notes: parsed.notes,
                folders: parsed.folders,
                needs_passphrase: parsed.needs_passphrase,
            },
            plans,
        ))
    }

    async fn prepare_row(
        &self,
        imp: &mut Imported,
        taken: &mut Taken,
        saved: Option<&SavedNames>,
    ) -> Result<NewConnection> {
        crate::files::read_files(imp).await?;
        self.match_primary(imp, saved).await?;
        crate::validation::normalize(&mut imp.fields);
        let name = taken.names.free(&imp.fields.name);
        if name != imp.fields.name {
            imp.warnings.push(format!(
                "renamed from {} to {name}: the name is taken",
                imp.fields.name
            ));
            imp.fields.name = name;
        }
        // A handle the source gives (Infisical's name) is kept if free; none is derived.
        let given = !imp.fields.handle.is_empty();
        let base = if given {
            imp.fields.handle.clone()
        } else {
            crate::validation::derive_handle(&imp.fields.name)
        };
        let handle = taken.handles.free(&base);
        if given && handle != base {
            imp.warnings.push(format!(
                "handle changed from {base} to {handle}: the handle is taken"
            ));
        }
        imp.fields.handle = handle;
        let mut new = NewConnection {
            ssh_secrets: imp.ssh_secrets.clone(),
            fields: imp.fields.clone(),
            password: imp.password.clone(),
            client_key: imp.client_key.clone(),
        };
        self.check_new(&mut new, saved).await?;
        taken.names.insert(&new.fields.name);
        taken.handles.insert(&new.fields.handle);
        Ok(new)
    }

    /// Saves the chosen rows of `text` (as `preview_import` numbered them) in one
    /// transaction. A chosen row that is not ready fails the whole import.
    pub async fn import_rows(
        &self,
        text: &str,
        file_name: Option<&str>,
        chosen: &[u32],
    ) -> Result<ImportResult> {
        let loaded = Loaded::Text {
            text: text.to_owned(),
            name: file_name.map(str::to_owned),
        };
        let (preview, plans) = self.plan_import(&loaded, &ImportOptions::default()).await?;
        self.save_chosen(preview, plans, chosen).await
    }

    async fn save_chosen(
        &self,
        preview: ImportPreview,
        plans: Vec<Plan>,
        chosen: &[u32],
    ) -> Result<ImportResult> {
        let mut issues = Vec::new();
        for &i in chosen {
            match preview.rows.get(i as usize) {
                None => issues.push(FieldIssue::new(
                    ErrorCode::ValidationFailed,
                    "rows",
                    format!(
                        "There is no row {} (the preview has {}).",
                        u64::from(i) + 1,
                        preview.rows.len()
                    ),
                    "Preview the import again and choose among its rows.",
                )),
                Some(r)
                    if matches!(
                        r.status,
                        RowStatus::Invalid | RowStatus::NoMatch | RowStatus::Skipped
                    ) =>
                {
                    issues.push(FieldIssue::new(
                        ErrorCode::ValidationFailed,
                        "rows",
                        format!("{} cannot be imported as it is.", r.label),
                        "Leave it out, or fix it and preview again.",
                    ))
                }
                Some(_) => {}
            }
        }
        if !issues.is_empty() {
            return Err(CoreError::Validation(issues));
        }
        let chosen: HashSet<u32> = chosen.iter().copied().collect();
        let mut creates = Vec::new();
        let mut updates = Vec::new();
        let mut passwords = Vec::new();
        for (i, plan) in plans.into_iter().enumerate() {
            if !chosen.contains(&u32::try_from(i).unwrap_or(u32::MAX)) {
                continue;
            }
            match plan {
                Plan::Create(n) => creates.push(*n),
                Plan::Update(u) => updates.push(*u),
                Plan::Passwords(p) => passwords.extend(p),
                Plan::Nothing => {}
            }
        }
        self.save_batch(creates, updates, passwords, preview.folders)
            .await
    }

    async fn save_batch(
        &self,
        creates: Vec<NewConnection>,
        updates: Vec<Update>,
        passwords: Vec<(Connection, Secret)>,
        folders: Vec<String>,
    ) -> Result<ImportResult> {
        let stamp = store::now();
        let mut plans = Vec::new();
        let mut created = Vec::new();
        for new in creates {
            let ssh: Vec<(SecretKind, Secret)> = new
                .ssh_secrets
                .into_iter()
                .enumerate()
                .filter_map(|(i, v)| Some((SecretKind::ssh(i)?, v?)))
                .collect();
            let conn = Connection {
                id: Uuid::new_v4(),
                has_saved_password: new.password.is_some(),
                has_client_key: new.client_key.is_some(),
                ssh_secrets: ssh
                    .iter()
                    .filter_map(|(k, _)| match k {
                        SecretKind::Ssh(n) => Some(u32::from(*n)),
                        _ => None,
                    })
                    .collect(),
                fields: new.fields,
                created_at: stamp.clone(),
                updated_at: stamp.clone(),
                version: 1,
            };
            let secrets = [
                (SecretKind::Password, new.password),
                (SecretKind::ClientKey, new.client_key),
            ]
            .into_iter()
            .filter_map(|(k, v)| Some((k, v?)))
            .chain(ssh);
            for (kind, v) in secrets {
                plans.push(Planned::fresh(conn.id, &conn.fields.name, kind, v));
            }
            created.push(conn);
        }
        let mut updated = Vec::new();
        for (mut c, secret) in passwords {
            let expected = c.version;
            c.version += 1;
            c.updated_at = stamp.clone();
            c.has_saved_password = true;
            c.fields.password_save = PasswordSave::Keychain;
            plans.push(Planned::new(
                c.id,
                &c.fields.name,
                SecretKind::Password,
                SecretOp::Write(secret),
            ));
            updated.push((c, expected));
        }
        let passwords_set = updated.iter().map(|(c, _)| c.fields.name.clone()).collect();
        let mut changed = Vec::new();
        for u in updates {
            plans.extend(u.secrets);
            changed.push(u.conn.clone());
            updated.push((u.conn, u.expected));
        }
        let rows = created.clone();
        self.secrets
            .unit_of_work(plans, move |tx| {
                Box::pin(async move {
                    for path in &folders {
                        store::organise::keep_folder(tx, path).await?;
                    }
                    for c in &rows {
                        store::insert(tx, c).await?;
                    }
                    for (c, expected) in &updated {
                        store::update(tx, c, *expected).await?;
                    }
                    Ok(())
                })
            })
            .await?;
        tracing::info!(
            created = created.len(),
            updated = changed.len(),
            "import saved"
        );
        Ok(ImportResult {
            created,
            updated: changed,
            passwords_set,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_names_count_up_and_stay_within_the_limit() {
        let mut taken = TakenNames::new(
            ["orders", "orders-2", "склад"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            NAME_MAX,
        );
        assert_eq!(taken.free("Orders"), "Orders-3");
        assert_eq!(taken.free("billing"), "billing");
        assert_eq!(
            taken.free("СКЛАД"),
            "СКЛАД-2",
            "Unicode case is ignored too"
        );
        let long = "é".repeat(NAME_MAX);
        let mut taken = TakenNames::new([long.clone()].into_iter().collect(), NAME_MAX);
        assert_eq!(taken.free(&long).chars().count(), NAME_MAX);
        let long = "x".repeat(HANDLE_MAX);
        let mut taken = TakenNames::new([long.clone()].into_iter().collect(), HANDLE_MAX);
        assert_eq!(taken.free(&long).len(), HANDLE_MAX);
    }

    #[test]
    fn many_rows_with_one_name_get_consecutive_suffixes_and_a_skipped_one_is_offered_again() {
        let mut taken = TakenNames::new(["prod".to_string()].into_iter().collect(), HANDLE_MAX);
        let mut got = Vec::new();
        for _ in 0..1000 {
            let n = taken.free("prod");
            taken.insert(&n);
            got.push(n);
        }
        assert_eq!(got[0], "prod-2");
        assert_eq!(got[999], "prod-1001");
        // A row that was offered a name but not saved (it failed validation) leaves it free.
        assert_eq!(taken.free("PROD"), "PROD-1002");
        assert_eq!(taken.free("prod"), "prod-1002");
    }
}
