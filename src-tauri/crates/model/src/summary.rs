//! What the connection list shows of each connection: the window gets one compact row a
//! connection (so 10,000 of them cost little to send, hold and search) and reads the full
//! [`Connection`] only when one is opened. The list's order, natural (`db-2` before
//! `db-10`), is decided here, for the window and the CLI alike.

use std::cmp::Ordering;

use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::model::{Connection, Engine, Environment, PasswordSave, TlsMode};

/// One row of the list: what it shows and what a search matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ConnectionSummary {
    pub id: Uuid,
    pub name: String,
    pub handle: String,
    pub engine: Engine,
    pub host: String,
    pub port: u32,
    pub database: String,
    pub username: String,
    pub environment: Option<Environment>,
    pub color: Option<String>,
    pub tags: Vec<String>,
    pub tls_mode: TlsMode,
    /// Whether the database is reached through an SSH route.
    pub has_ssh: bool,
    /// Its folder's path (`Payments/EU/prod`; empty at the top level).
    pub folder: String,
    /// Pinned at the top of the list.
    pub favourite: bool,
    /// When it was last opened, tested or copied (RFC 3339, UTC); never, `None`.
    pub used_at: Option<String>,
    /// Its metadata's values, one a line: what a search looks through.
    pub metadata_text: String,
    pub password_save: PasswordSave,
    /// The keychain holds its password.
    pub has_saved_password: bool,
}

impl ConnectionSummary {
    /// `user@host:port/database`, as `ConnectionFields::target_summary` writes it.
    pub fn target_summary(&self) -> String {
        crate::model::target_text(
            self.engine,
            &self.username,
            &self.host,
            self.port,
            &self.database,
        )
    }
}

impl From<&Connection> for ConnectionSummary {
    fn from(c: &Connection) -> Self {
        let f = &c.fields;
        ConnectionSummary {
            id: c.id,
            name: f.name.clone(),
            handle: f.handle.clone(),
            engine: f.engine,
            host: f.host.clone(),
            port: f.port,
            database: f.database.clone(),
            username: f.username.clone(),
            environment: f.environment,
            color: f.color.clone(),
            tags: f.tags.clone(),
            tls_mode: f.tls.mode,
            has_ssh: f.ssh.is_some(),
            folder: f.folder.clone(),
            favourite: false,
            used_at: None,
            metadata_text: f
                .metadata
                .values()
                .map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join("\n"),
            password_save: f.password_save,
            has_saved_password: c.has_saved_password,
        }
    }
}

/// Sorts summaries into the list's order.
pub fn sort_summaries(rows: &mut [ConnectionSummary]) {
    rows.sort_by_cached_key(|c| NaturalKey::of(&c.name, &c.handle));
}

/// Natural order of display names, as people count: `db-2` before `db-10`, case ignored;
/// equal names (which the store does not allow, but an import preview may hold) by handle.
pub fn natural_order(a: (&str, &str), b: (&str, &str)) -> Ordering {
    alphanumeric_sort::compare_str(a.0.to_lowercase(), b.0.to_lowercase())
        .then_with(|| alphanumeric_sort::compare_str(a.1, b.1))
}

/// Sorts connections into the list's order.
pub fn sort_naturally(connections: &mut [Connection]) {
    // Lower-cased once each, not once a comparison.
    connections.sort_by_cached_key(|c| NaturalKey::of(&c.fields.name, &c.fields.handle));
}

/// A name and handle as natural order compares them.
#[derive(PartialEq, Eq)]
struct NaturalKey(String, String);

impl NaturalKey {
    fn of(name: &str, handle: &str) -> NaturalKey {
        NaturalKey(name.to_lowercase(), handle.to_owned())
    }
}

impl PartialOrd for NaturalKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for NaturalKey {
    fn cmp(&self, other: &Self) -> Ordering {
        alphanumeric_sort::compare_str(&self.0, &other.0)
            .then_with(|| alphanumeric_sort::compare_str(&self.1, &other.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<Connection> = names
            .iter()
            .map(|n| Connection {
                id: Uuid::new_v4(),
                fields: crate::model::ConnectionFields::postgres(n, "h", 5432, "d", "u"),
                has_saved_password: false,
                has_client_key: false,
                ssh_secrets: Vec::new(),
                created_at: String::new(),
                updated_at: String::new(),
                version: 1,
            })
            .collect();
        sort_naturally(&mut v);
        v.into_iter().map(|c| c.fields.name).collect()
    }

    #[test]
    fn numbers_in_names_sort_as_numbers_and_case_is_ignored() {
        assert_eq!(
            sorted(&["db-10", "db-2", "DB-1", "db-100", "db-11", "Alpha", "beta"]),
            ["Alpha", "beta", "DB-1", "db-2", "db-10", "db-11", "db-100"]
        );
    }

    #[test]
    fn names_in_other_scripts_keep_a_stable_order_after_latin_ones() {
        assert_eq!(
            sorted(&["Склад 2", "orders", "Склад 10", "billing (prod, EU)"]),
            ["billing (prod, EU)", "orders", "Склад 2", "Склад 10"]
        );
    }
}
