//! A row that meets a saved connection: the same entry of the same tool imported before
//! (its `imported_from`), or one with the same name. `clash` decides what the row does
//! (`OnClash`); `prepare_update` makes the update saved in the batch's unit of work.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use crate::connections::{SavedNames, Switchboard};
use crate::connstr::{self, Imported};
use crate::error::Result;
use crate::keychain::SecretKind;
use crate::model::{Connection, PasswordSave};
use crate::secrets::{Planned, SecretOp};
use crate::sources;
use crate::store;

/// What a row meets among the saved connections.
pub(super) enum Met {
    /// Update the saved connection at this index of `SavedNames::list`.
    Update(usize),
    /// Leave it: why, in words.
    Skip(String),
}

/// Whether row `imp` meets a saved connection and what it then does (`None`: a new one).
pub(super) fn clash(
    saved: &SavedNames,
    by_source: &HashMap<String, usize>,
    imp: &Imported,
    on: sources::OnClash,
    updating: &HashSet<Uuid>,
) -> Option<Met> {
    use sources::OnClash;
    let free = |i: &usize| !updating.contains(&saved.list[*i].id);
    let same_entry = imp
        .fields
        .metadata
        .get(connstr::IMPORTED_FROM)
        .and_then(|v| v.as_str())
        .and_then(|s| by_source.get(s))
        .copied()
        .filter(free);
    let same_name = || saved.index_of(&imp.fields.name).filter(free);
    match (on, same_entry) {
        (OnClash::Rename, _) => None,
        (OnClash::Auto | OnClash::Update, Some(i)) => Some(Met::Update(i)),
        (OnClash::Skip, Some(i)) => Some(Met::Skip(format!(
            "already imported as {}; left as it is",
            saved.list[i].fields.name
        ))),
        (OnClash::Update, None) => same_name().map(Met::Update),
        (OnClash::Skip, None) => same_name().map(|i| {
            Met::Skip(format!(
                "a saved connection is called {}; left as it is",
                saved.list[i].fields.name
            ))
        }),
        (OnClash::Auto, None) => None,
    }
}

/// A saved connection as an import updates it: the row, the version it replaces, and its
/// keychain changes.
pub(super) struct Update {
    pub(super) conn: Connection,
    pub(super) expected: i64,
    pub(super) secrets: Vec<Planned>,
}

impl Switchboard {
    /// The saved connection `target` as row `imp` updates it: the row's settings, with the
    /// saved handle (scripts name it), what the source cannot carry kept (certificates,
    /// labels), and the keychain's entries kept (relabelled on a rename) unless the row
    /// brings new ones.
    pub(super) async fn prepare_update(
        &self,
        imp: &mut Imported,
        target: &Connection,
        saved: &SavedNames,
    ) -> Result<Update> {
        crate::files::read_files(imp).await?;
        crate::validation::normalize(&mut imp.fields);
        let old = &target.fields;
        let mut f = imp.fields.clone();
        f.handle = old.handle.clone();
        if f.tls.ca_pem.is_none() {
            f.tls.ca_pem = old.tls.ca_pem.clone();
        }
        if f.tls.client_cert_pem.is_none() {
            f.tls.client_cert_pem = old.tls.client_cert_pem.clone();
        }
        f.description = f.description.or_else(|| old.description.clone());
        f.color = f.color.or_else(|| old.color.clone());
        if f.tags.is_empty() {
            f.tags = old.tags.clone();
        }
        let mut metadata = old.metadata.clone();
        metadata.append(&mut f.metadata);
        f.metadata = metadata;
        f.environment = f.environment.or(old.environment);
        let renamed = f.name != old.name;
        let relabel = || SecretOp::Relabel {
            old_name: old.name.clone(),
        };
        let mut secrets = Vec::new();
        let mut has_password = target.has_saved_password;
        match imp.password.clone() {
            Some(p) => {
                f.password_save = PasswordSave::Keychain;
                has_password = true;
                secrets.push((SecretKind::Password, SecretOp::Write(p)));
            }
            None if target.has_saved_password => {
                f.password_save = PasswordSave::Keychain;
                if renamed {
                    secrets.push((SecretKind::Password, relabel()));
                }
            }
            None => {}
        }
        let has_client_key = target.has_client_key && f.tls.client_cert_pem.is_some();
        if has_client_key && renamed {
            secrets.push((SecretKind::ClientKey, relabel()));
        }
        let hops = match &mut f.ssh {
            Some(crate::ssh::SshRoute::Hops { hops }) => Some(hops),
            _ => None,
        };
        let mut slots = Vec::new();
        if let Some(hops) = hops {
            for (i, hop) in hops.iter_mut().enumerate() {
                let Some(kind) = SecretKind::ssh(i) else {
                    continue;
                };
                let given = imp.ssh_secrets.get(i).cloned().flatten();
                let held = u32::try_from(i).is_ok_and(|n| target.ssh_secrets.contains(&n));
                match given {
                    Some(v) => {
                        hop.secret_save = PasswordSave::Keychain;
                        secrets.push((kind, SecretOp::Write(v)));
                        slots.push(i);
                    }
                    None if held && hop.auth != crate::ssh::SshAuth::Agent => {
                        hop.secret_save = PasswordSave::Keychain;
                        if renamed {
                            secrets.push((kind, relabel()));
                        }
                        slots.push(i);
                    }
                    None => {}
                }
            }
        }
        // Secrets of hops the route no longer has, and a key without its certificate, go.
        for &n in &target.ssh_secrets {
            let i = n as usize;
            if !slots.contains(&i) {
                if let Some(kind) = SecretKind::ssh(i) {
                    secrets.push((kind, SecretOp::Remove));
                }
            }
        }
        if target.has_client_key && !has_client_key {
            secrets.push((SecretKind::ClientKey, SecretOp::Remove));
        }
        self.check(&mut f, Some(target.id), Some(saved)).await?;
        let secrets = secrets
            .into_iter()
            .map(|(kind, op)| Planned::new(target.id, &f.name, kind, op))
            .collect();
        let conn = Connection {
            id: target.id,
            has_saved_password: has_password,
            has_client_key,
            ssh_secrets: slots
                .into_iter()
                .filter_map(|i| u32::try_from(i).ok())
                .collect(),
            fields: f,
            created_at: target.created_at.clone(),
            updated_at: store::now(),
            version: target.version + 1,
        };
        Ok(Update {
            conn,
            expected: target.version,
            secrets,
        })
    }
}
