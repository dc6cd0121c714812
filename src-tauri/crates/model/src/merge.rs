//! A connection's settings by field path, and the three-way merge that puts a stale edit
//! on top of what was saved elsewhere meanwhile.
//!
//! Paths are the form's names, one level deep: `host`, `tls.mode`, `options.sslrootcert`,
//! `metadata.team`; `tags` is one value. The rules are generic over the serialised
//! fields, so a new field is merged (and compared) without code here.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::error::CoreError;
use crate::model::ConnectionFields;

/// Every setting of `f` by its path (an absent or empty optional setting has none).
pub fn paths(f: &ConnectionFields) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let Ok(Value::Object(top)) = serde_json::to_value(f) else {
        return out;
    };
    for (key, value) in top {
        match value {
            Value::Object(inner) => {
                for (k, v) in inner {
                    if !v.is_null() {
                        out.insert(format!("{key}.{k}"), v);
                    }
                }
            }
            Value::Null => {}
            v => {
                out.insert(key, v);
            }
        }
    }
    out
}

/// The paths whose values differ between `a` and `b`, in path order.
pub fn changed(a: &ConnectionFields, b: &ConnectionFields) -> Vec<String> {
    let (a, b) = (paths(a), paths(b));
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}

/// One setting changed elsewhere since the edit began. Values are as the form shows them
/// (text; `None` is empty or absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldChange {
    pub field: String,
    /// What it was when the edit began.
    pub before: Option<String>,
    /// What was saved elsewhere.
    pub theirs: Option<String>,
    /// What the form holds.
    pub mine: Option<String>,
    /// Both sides changed it, differently: the merge keeps the form's unless the user
    /// chose theirs.
    pub conflict: bool,
}

/// The edit put on top of the newer saved settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub fields: ConnectionFields,
    /// What the other side changed (conflicts included), in path order.
    pub changes: Vec<FieldChange>,
}

/// Three-way merge by path: theirs where the form left a setting as it was, the form's
/// where theirs did not change it, either where both agree; where both changed it
/// differently (a conflict) the form's, or theirs for the paths in `take_theirs`.
pub fn merge(
    base: &ConnectionFields,
    mine: &ConnectionFields,
    theirs: &ConnectionFields,
    take_theirs: &[String],
) -> Result<Merged, CoreError> {
    let (b, m, t) = (paths(base), paths(mine), paths(theirs));
    let keys: BTreeSet<&String> = b.keys().chain(m.keys()).chain(t.keys()).collect();
    let mut result: BTreeMap<&String, &Value> = BTreeMap::new();
    let mut changes = Vec::new();
    for key in keys {
        let (bv, mv, tv) = (b.get(key), m.get(key), t.get(key));
        let chosen = if tv == bv {
            mv
        } else {
            let conflict = mv != bv && mv != tv;
            changes.push(FieldChange {
                field: key.clone(),
                before: bv.map(shown),
                theirs: tv.map(shown),
                mine: mv.map(shown),
                conflict,
            });
            if conflict && !take_theirs.contains(key) {
                mv
            } else {
                tv
            }
        };
        if let Some(v) = chosen {
            result.insert(key, v);
        }
    }
    let mut top = Map::new();
    for (key, value) in result {
        match key.split_once('.') {
            Some((outer, inner)) => {
                let slot = top
                    .entry(outer.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(o) = slot {
                    o.insert(inner.to_owned(), value.clone());
                }
            }
            None => {
                top.insert(key.clone(), value.clone());
            }
        }
    }
    let fields = serde_json::from_value(Value::Object(top)).map_err(|e| {
        CoreError::input(
            crate::ErrorCode::ValidationFailed,
            None,
            format!("Your edits cannot be put on top of the saved settings: {e}."),
            "Reload the saved settings and make your change again.",
        )
    })?;
    Ok(Merged { fields, changes })
}

fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TlsMode;

    fn base() -> ConnectionFields {
        let mut f = ConnectionFields::postgres("orders", "db.example.com", 5432, "orders", "app");
        f.tags = vec!["team-a".into()];
        f.metadata.insert("owner".into(), "ana".into());
        f
    }

    #[test]
    fn untouched_fields_take_theirs_and_edited_ones_keep_mine() {
        let base = base();
        let mut mine = base.clone();
        mine.host = "db2.example.com".into();
        let mut theirs = base.clone();
        theirs.port = 6432;
        theirs.tls.mode = TlsMode::Require;
        theirs.metadata.insert("ticket".into(), "OPS-7".into());
        let m = merge(&base, &mine, &theirs, &[]).unwrap();
        assert_eq!(m.fields.host, "db2.example.com");
        assert_eq!(m.fields.port, 6432);
        assert_eq!(m.fields.tls.mode, TlsMode::Require);
        assert_eq!(m.fields.metadata.get("ticket"), Some(&Value::from("OPS-7")));
        let fields: Vec<&str> = m.changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["metadata.ticket", "port", "tls.mode"]);
        assert!(m.changes.iter().all(|c| !c.conflict));
    }

    #[test]
    fn a_field_both_sides_changed_differently_is_a_named_conflict_resolved_as_chosen() {
        let base = base();
        let mut mine = base.clone();
        mine.database = "orders_v2".into();
        let mut theirs = base.clone();
        theirs.database = "orders_archive".into();
        let kept = merge(&base, &mine, &theirs, &[]).unwrap();
        assert_eq!(kept.fields.database, "orders_v2");
        assert_eq!(
            kept.changes,
            vec![FieldChange {
                field: "database".into(),
                before: Some("orders".into()),
                theirs: Some("orders_archive".into()),
                mine: Some("orders_v2".into()),
                conflict: true,
            }]
        );
        let taken = merge(&base, &mine, &theirs, &["database".into()]).unwrap();
        assert_eq!(taken.fields.database, "orders_archive");
    }

    #[test]
    fn removals_on_either_side_are_merged_like_changes() {
        let base = base();
        let mut mine = base.clone();
        mine.metadata.clear();
        let mut theirs = base.clone();
        theirs.tags.clear();
        theirs.description = Some("moved".into());
        let m = merge(&base, &mine, &theirs, &[]).unwrap();
        assert!(m.fields.metadata.is_empty(), "my removal kept");
        assert!(m.fields.tags.is_empty(), "their removal taken");
        assert_eq!(m.fields.description.as_deref(), Some("moved"));
    }

    #[test]
    fn the_same_change_on_both_sides_is_no_conflict() {
        let base = base();
        let mut mine = base.clone();
        mine.port = 6543;
        let theirs = mine.clone();
        let m = merge(&base, &mine, &theirs, &[]).unwrap();
        assert_eq!(m.fields, mine);
        assert!(m.changes.iter().all(|c| !c.conflict));
    }

    #[test]
    fn changed_names_paths_one_level_deep() {
        let a = base();
        let mut b = a.clone();
        b.tls.mode = TlsMode::Require;
        b.options.insert("application_name".into(), "x".into());
        assert_eq!(changed(&a, &b), ["options.application_name", "tls.mode"]);
    }
}
