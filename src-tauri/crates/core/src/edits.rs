//! A form's edit that went stale: the connection was saved elsewhere (the CLI, another
//! window, an import) after the form opened it. `rebase` puts the edit on top of the
//! newer saved settings field by field (`merge::merge`) and says what the other side
//! changed, so the user keeps their work instead of reloading it away.

use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::connections::Switchboard;
use crate::error::Result;
use crate::merge::{self, FieldChange};
use crate::model::{Connection, ConnectionFields};
use crate::validation;

/// The form's edit on top of the saved connection as it is now.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Rebased {
    /// The connection as saved now: its version is the one the next save names.
    pub saved: Connection,
    /// What the form should hold: the saved settings with the form's edits on top.
    pub fields: ConnectionFields,
    /// What the other side changed since `base`, conflicts (both changed it) marked.
    pub changes: Vec<FieldChange>,
}

impl Switchboard {
    /// `base`: the settings the form opened; `mine`: what it holds now; `take_theirs`:
    /// the conflicting paths where the user chose the saved value. All three are
    /// normalised first, so spelling differences (spaces, brackets) are no change.
    pub async fn rebase(
        &self,
        id: Uuid,
        mut base: ConnectionFields,
        mut mine: ConnectionFields,
        take_theirs: &[String],
    ) -> Result<Rebased> {
        let saved = self.get(id).await?;
        let mut theirs = saved.fields.clone();
        for f in [&mut base, &mut mine, &mut theirs] {
            validation::normalize(f);
        }
        let merged = merge::merge(&base, &mine, &theirs, take_theirs)?;
        Ok(Rebased {
            saved,
            fields: merged.fields,
            changes: merged.changes,
        })
    }
}
