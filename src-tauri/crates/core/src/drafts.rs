//! A pasted string read for the form. Its secrets never go to the window: `parse_draft`
//! keeps them here behind the draft's `token`, and Save and Test name that token
//! (`create_from`, `update_from`, `test_draft`), so the string is not parsed again and the
//! files it names are not read again. The rule for what a held secret may fill is here too.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::connections::{checked_target, run_controlled, Switchboard, TestControl};
use crate::connstr::{self, SourceKind};
use crate::error::{CoreError, ErrorCode, FieldIssue, Result};
use crate::held::Held;
use crate::keychain::SecretKind;
use crate::model::{
    Connection, ConnectionFields, ConnectionUpdate, NewConnection, PasswordSave, SecretChange,
};
use crate::probe::report::{Check, CheckStatus};
use crate::probe::TestReport;
use crate::secret::Secret;
use crate::validation;

/// How many pasted strings' secrets are held at once; the oldest go first.
pub const DRAFTS_HELD: usize = 16;

/// A pasted string, read for the form.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Draft {
    pub kind: SourceKind,
    /// `kind` in words ("ADO.NET (SQL Server)").
    pub kind_label: String,
    pub fields: ConnectionFields,
    pub has_password: bool,
    pub has_client_key: bool,
    /// Names the password and client key the core holds for Save and Test; none when the
    /// string carries neither.
    pub token: Option<DraftToken>,
    /// Parameters that had no place, and defaults that were assumed.
    pub warnings: Vec<String>,
    /// What validation says about the draft (it is not saved yet).
    pub issues: Vec<FieldIssue>,
}

/// The name under which a draft's secrets are held (a string on the wire).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DraftToken(String);

/// What a pasted string carried that the window must not see.
#[derive(Clone, Default)]
pub(crate) struct Pasted {
    password: Option<Secret>,
    client_key: Option<Secret>,
}

pub(crate) type HeldDrafts = Held<Pasted>;

pub(crate) fn held_drafts() -> HeldDrafts {
    Held::new(DRAFTS_HELD)
}

fn expired() -> CoreError {
    CoreError::input(
        ErrorCode::DraftExpired,
        None,
        "The password and key of the pasted string are no longer held.",
        "Paste the string again (only the last 16 pasted strings are held, until saved or until the app closes).",
    )
}

/// A typed value wins; an empty one counts as not typed.
fn fill(typed: &mut Option<Secret>, pasted: Option<Secret>) {
    if typed.as_ref().is_none_or(Secret::is_empty) {
        if let Some(p) = pasted {
            *typed = Some(p);
        }
    }
}

/// On edit, only a secret left as it is (or blank) takes the pasted one.
fn fill_change(typed: &mut SecretChange, pasted: Option<Secret>) {
    let untouched = match typed {
        SecretChange::Keep => true,
        SecretChange::Set(v) => v.is_empty(),
        SecretChange::Clear => false,
    };
    if let (true, Some(p)) = (untouched, pasted) {
        *typed = SecretChange::Set(p);
    }
}

impl Switchboard {
    /// Reads one pasted string for the form: files it names are read (they are the
    /// user's), a replica's primary is matched, and validation runs without saving. Its
    /// secrets are held behind the draft's token.
    pub async fn parse_draft(&self, input: &str) -> Result<Draft> {
        let parsed = connstr::import(input)?;
        let mut imp = parsed.imported;
        crate::files::read_files(&mut imp).await?;
        self.match_primary(&mut imp, None).await?;
        crate::validation::normalize(&mut imp.fields);
        // The suggested name is made free, as saving would.
        let taken = self.store.names().await?;
        let free = crate::imports::TakenNames::new(taken, crate::validation::NAME_MAX)
            .free(&imp.fields.name);
        if free != imp.fields.name {
            imp.warnings.push(format!(
                "renamed from {} to {free}: the name is taken",
                imp.fields.name
            ));
            imp.fields.name = free;
        }
        let mut issues = self.issues(&imp.fields, None).await?;
        issues.extend(crate::validation::client_key_issues(
            &imp.fields,
            imp.client_key.as_ref(),
            false,
        ));
        let (has_password, has_client_key) = (imp.password.is_some(), imp.client_key.is_some());
        let token = (has_password || has_client_key).then(|| {
            DraftToken(self.drafts.put(Pasted {
                password: imp.password,
                client_key: imp.client_key,
            }))
        });
        Ok(Draft {
            kind: parsed.kind,
            kind_label: parsed.kind.label().to_owned(),
            has_password,
            has_client_key,
            token,
            fields: imp.fields,
            warnings: imp.warnings,
            issues,
        })
    }

    /// The held secrets of `token` that a connection saved as `save` may take: one set to
    /// ask every time (or to use none) keeps no pasted password.
    fn pasted(&self, token: Option<&DraftToken>, save: PasswordSave) -> Result<Pasted> {
        let Some(token) = token else {
            return Ok(Pasted::default());
        };
        let mut pasted = self.drafts.get(&token.0).ok_or_else(expired)?;
        if save != PasswordSave::Keychain {
            pasted.password = None;
        }
        Ok(pasted)
    }

    /// `create`, with the secrets of the pasted draft `secrets_from` where none was typed.
    /// Once saved, the draft's secrets are let go.
    pub async fn create_from(
        &self,
        mut new: NewConnection,
        secrets_from: Option<&DraftToken>,
    ) -> Result<Connection> {
        let pasted = self.pasted(secrets_from, new.fields.password_save)?;
        fill(&mut new.password, pasted.password);
        fill(&mut new.client_key, pasted.client_key);
        let saved = self.create(new).await?;
        self.let_go(secrets_from);
        Ok(saved)
    }

    /// `update`, with the secrets of the pasted draft `secrets_from` where the user left
    /// them as they were. Once saved, the draft's secrets are let go.
    pub async fn update_from(
        &self,
        mut u: ConnectionUpdate,
        secrets_from: Option<&DraftToken>,
    ) -> Result<Connection> {
        let pasted = self.pasted(secrets_from, u.fields.password_save)?;
        fill_change(&mut u.password, pasted.password);
        fill_change(&mut u.client_key, pasted.client_key);
        let saved = self.update(u).await?;
        self.let_go(secrets_from);
        Ok(saved)
    }

    /// Tests what a form holds without saving it, with the secrets of the pasted draft
    /// `secrets_from` where none was typed (the draft stays held for Save). For a saved
    /// connection's form (`saved`), what the form shows is tested, edits and all, with
    /// the keychain's password and client key standing in for ones not typed (as Save
    /// would keep them); the report then names the fields that differ from what is saved,
    /// and only a test of exactly the saved settings becomes the connection's last result.
    pub async fn test_draft(
        &self,
        fields: ConnectionFields,
        mut password: Option<Secret>,
        mut client_key: Option<Secret>,
        secrets_from: Option<&DraftToken>,
        saved: Option<Uuid>,
        control: TestControl,
    ) -> Result<TestReport> {
        let pasted = self.pasted(secrets_from, fields.password_save)?;
        fill(&mut password, pasted.password);
        fill(&mut client_key, pasted.client_key);
        let Some(id) = saved else {
            return self
                .test_fields_with(fields, password, client_key, control)
                .await;
        };
        let c = self.get(id).await?;
        let untyped = |s: &Option<Secret>| s.as_ref().is_none_or(Secret::is_empty);
        if untyped(&password) {
            match fields.password_save {
                PasswordSave::Keychain if c.has_saved_password => {
                    let saved = self.saved_secret(&c, SecretKind::Password).await?;
                    password = Some(saved.ok_or(CoreError::PasswordNotSaved)?);
                }
                PasswordSave::Ask => return Err(CoreError::PasswordRequired),
                _ => {}
            }
        }
        // The saved key belongs to the saved certificate only.
        if untyped(&client_key)
            && c.has_client_key
            && fields.tls.client_cert_pem == c.fields.tls.client_cert_pem
        {
            client_key = self.saved_secret(&c, SecretKind::ClientKey).await?;
        }
        // The route's slots not typed: the keychain's, while the form's route still has
        // the slot saved there.
        let mut control = control;
        if fields.ssh.is_some() {
            let held = self.saved_ssh_secrets(&c).await?;
            for (i, saved) in held.into_iter().enumerate() {
                let keeps = fields.ssh.as_ref().is_some_and(|r| {
                    i < r.secret_slots() && r.secret_save(i) == PasswordSave::Keychain
                });
                if control.ssh_secrets.len() <= i {
                    control.ssh_secrets.resize(i + 1, None);
                }
                if let Some(slot) = control.ssh_secrets.get_mut(i) {
                    if keeps && untyped(slot) {
                        *slot = saved;
                    }
                }
            }
        }
        let mut shown = fields.clone();
        validation::normalize(&mut shown);
        let changed = changed_fields(&c.fields, &shown);
        let mut report = self
            .test_fields_with(fields, password, client_key, control)
            .await?;
        if changed.is_empty() {
            self.remember_test(id, c.fields.tls.mode, &report).await;
        } else {
            report.checks.insert(
                0,
                Check::new(
                    "unsaved_edits",
                    CheckStatus::Warning,
                    format!(
                        "Tested the form as it is, not the saved settings: {} {} not saved yet.",
                        changed.join(", "),
                        if changed.len() == 1 { "is" } else { "are" }
                    ),
                    "Save to keep what was tested; until then the saved connection is unchanged.",
                ),
            );
        }
        Ok(report)
    }

    fn let_go(&self, token: Option<&DraftToken>) {
        if let Some(t) = token {
            self.drafts.remove(&t.0);
        }
    }
}

/// A connection string tested as it is, with no saved data (`switchboard test --url`):
/// read first, so that its warnings can be shown before the test runs.
pub struct UrlTest {
    fields: ConnectionFields,
    password: Option<Secret>,
    client_key: Option<Secret>,
    warnings: Vec<String>,
    /// The data dir whose known-hosts file a route's test uses.
    data_dir: Option<std::path::PathBuf>,
}

impl UrlTest {
    /// Parses `input` and reads the files it names.
    pub async fn read(input: &str) -> Result<UrlTest> {
        let mut imp = connstr::import(input)?.imported;
        crate::files::read_files(&mut imp).await?;
        Ok(UrlTest {
            fields: imp.fields,
            password: imp.password,
            client_key: imp.client_key,
            warnings: imp.warnings,
            data_dir: None,
        })
    }

    /// Tests through `route` (checked as a saved one would be), with host keys trusted in
    /// `data_dir`'s known-hosts file.
    pub fn through(
        &mut self,
        route: switchboard_model::ssh::SshRoute,
        data_dir: &std::path::Path,
    ) -> Result<()> {
        self.fields.ssh = Some(route);
        let issues: Vec<_> = validation::validate(&self.fields)
            .into_iter()
            .filter(|i| i.is_error() && i.field.starts_with("ssh"))
            .collect();
        if !issues.is_empty() {
            return Err(CoreError::Validation(issues));
        }
        self.data_dir = Some(data_dir.to_path_buf());
        Ok(())
    }

    /// Parameters that had no place, and defaults that were assumed.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Whether the string itself carried a password or key (the CLI warns that an
    /// argument holding one was visible to every local user).
    pub fn carries_secret(&self) -> bool {
        self.password.as_ref().is_some_and(|p| !p.is_empty())
            || self.client_key.as_ref().is_some_and(|k| !k.is_empty())
    }

    /// Runs the test; `password`, when given, wins over the string's.
    pub async fn run(self, password: Option<Secret>, control: TestControl) -> Result<TestReport> {
        let password = password.or(self.password);
        let transport = match &self.data_dir {
            Some(dir) => crate::routes::transport(
                &self.fields,
                &control.ssh_secrets,
                &control.trust_host_keys,
                dir,
            ),
            None => Default::default(),
        };
        let mut target = checked_target(self.fields, password, self.client_key)?;
        target.transport = transport;
        Ok(run_controlled(target, control).await)
    }
}

/// The settings a test uses that differ between the saved fields and the form's, by their
/// paths (`host`, `tls.mode`, `options.application_name`). Labels (name, description,
/// environment, colour, tags, metadata) change nothing a test does.
fn changed_fields(saved: &ConnectionFields, shown: &ConnectionFields) -> Vec<String> {
    const LABELS: [&str; 7] = [
        "name",
        "handle",
        "description",
        "environment",
        "color",
        "tags",
        "metadata",
    ];
    let mut out: Vec<String> = Vec::new();
    for path in crate::merge::changed(saved, shown) {
        let top = path.split('.').next().unwrap_or_default();
        if LABELS.contains(&top) {
            continue;
        }
        // A route is one setting to the user, whatever changed inside it.
        let shown = if top == "ssh" {
            "the SSH route".to_owned()
        } else {
            path
        };
        if !out.contains(&shown) {
            out.push(shown);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_secret_wins_and_a_blank_one_takes_the_pasted_one() {
        let pasted = || Some(Secret::new("pasted"));
        let mut typed = Some(Secret::new("typed"));
        fill(&mut typed, pasted());
        assert_eq!(typed.unwrap().expose(), "typed");
        for mut blank in [None, Some(Secret::new(""))] {
            fill(&mut blank, pasted());
            assert_eq!(blank.unwrap().expose(), "pasted");
        }
        let mut none = None;
        fill(&mut none, None);
        assert!(none.is_none());
    }

    #[test]
    fn on_edit_only_an_untouched_secret_takes_the_pasted_one() {
        let filled = |mut c: SecretChange| {
            fill_change(&mut c, Some(Secret::new("pasted")));
            match c {
                SecretChange::Set(v) => format!("set {}", v.expose()),
                other => format!("{other:?}"),
            }
        };
        let set = |v: &str| SecretChange::Set(Secret::new(v));
        assert_eq!(filled(SecretChange::Keep), "set pasted");
        assert_eq!(filled(set("")), "set pasted");
        assert_eq!(filled(set("typed")), "set typed");
        assert_eq!(filled(SecretChange::Clear), "Clear");
    }
}
