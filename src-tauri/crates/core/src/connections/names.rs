//! The saved connections' names and handles, read once for a batch.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use crate::model::{Connection, Engine};
use crate::validation;

/// A saved connection found by its display name.
pub(crate) struct Named {
    pub(crate) id: Uuid,
    pub(crate) engine: Engine,
    /// As saved.
    pub(crate) name: String,
}

/// The saved connections, read once for a batch, by display name (`name_key`) and handle
/// (lower case): the unique-name, unique-handle and primary rules then cost a hash lookup
/// a row instead of a store query (a 4 MiB import preview is tens of thousands of rows).
pub(crate) struct SavedNames {
    pub(crate) list: Vec<Connection>,
    names: HashMap<String, usize>,
    handles: HashMap<String, Uuid>,
}

impl SavedNames {
    pub(crate) fn of(list: Vec<Connection>) -> Self {
        let mut names = HashMap::with_capacity(list.len());
        let mut handles = HashMap::with_capacity(list.len());
        for (i, c) in list.iter().enumerate() {
            names
                .entry(validation::name_key(&c.fields.name))
                .or_insert(i);
            handles
                .entry(c.fields.handle.to_lowercase())
                .or_insert(c.id);
        }
        Self {
            list,
            names,
            handles,
        }
    }

    /// Where the connection called `name` (ignoring case) is in `list`.
    pub(crate) fn index_of(&self, name: &str) -> Option<usize> {
        self.names.get(&validation::name_key(name)).copied()
    }

    pub(crate) fn get(&self, name: &str) -> Option<Named> {
        let c = self
            .list
            .get(*self.names.get(&validation::name_key(name))?)?;
        Some(Named {
            id: c.id,
            engine: c.fields.engine,
            name: c.fields.name.clone(),
        })
    }

    pub(crate) fn with_handle(&self, handle: &str) -> Option<Uuid> {
        self.handles.get(&handle.to_lowercase()).copied()
    }

    /// The taken names (`name_key`) and handles (lower case), for `TakenNames`.
    pub(crate) fn taken(&self) -> (HashSet<String>, HashSet<String>) {
        (
            self.names.keys().cloned().collect(),
            self.handles.keys().cloned().collect(),
        )
    }
}
