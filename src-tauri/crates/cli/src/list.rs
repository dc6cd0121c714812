//! `switchboard list`: the saved connections folder by folder, as a tree in text and as
//! an array with each one's last test in JSON.

use crate::args::ListArgs;
use crate::{to_json, warn_broken, Outcome};
use switchboard_core::model::Connection;
use switchboard_core::summary::ConnectionSummary;
use switchboard_core::{CoreError, Switchboard};

pub(crate) async fn list(sb: &Switchboard, a: ListArgs, json: bool) -> Result<Outcome, CoreError> {
    let within = a
        .folder
        .as_deref()
        .map(switchboard_core::folder::normalize)
        .unwrap_or_default();
    let last: std::collections::HashMap<_, _> = sb
        .last_tests()
        .await?
        .into_iter()
        .map(|t| (t.connection_id, t))
        .collect();
    // Only the form asked for is read and built: at 10,000 connections either costs.
    if json {
        let listing = sb.listing().await?;
        warn_broken(&listing.broken);
        let mut all: Vec<Connection> = listing
            .connections
            .into_iter()
            .filter(|c| switchboard_core::folder::within(&c.fields.folder, &within))
            .collect();
        all.sort_by(|x, y| folder_order(&x.fields.folder, &y.fields.folder));
        let value = all
            .iter()
            .map(|c| {
                let mut v = to_json(c)?;
                v["last_test"] = to_json(&last.get(&c.id))?;
                Ok(v)
            })
            .collect::<Result<Vec<_>, CoreError>>()?;
        return Ok(Outcome::Done(
            serde_json::Value::Array(value),
            String::new(),
        ));
    }
    // Text shows what a row of the window shows: the compact listing is enough.
    let listing = sb.summaries().await?;
    warn_broken(&listing.broken);
    let mut all: Vec<ConnectionSummary> = listing
        .connections
        .into_iter()
        .filter(|c| switchboard_core::folder::within(&c.folder, &within))
        .collect();
    // Folder by folder (the top level first), each in the list's natural order.
    all.sort_by(|x, y| folder_order(&x.folder, &y.folder));
    let mut lines = Vec::new();
    let mut open: Vec<&str> = Vec::new();
    for c in &all {
        let names: Vec<&str> = switchboard_core::folder::segments(&c.folder).collect();
        // A header for each folder entered, indented by depth: a tree.
        let shared = open.iter().zip(&names).take_while(|(a, b)| a == b).count();
        for (depth, name) in names.iter().enumerate().skip(shared) {
            lines.push(format!("{}{name}/", "  ".repeat(depth)));
        }
        open = names.clone();
        let status = match last.get(&c.id) {
            None => "untested".to_owned(),
            Some(t) if t.ok => format!("ok {}", t.tested_at),
            Some(t) => format!(
                "FAILED [{}] {}",
                t.code.as_deref().unwrap_or("?"),
                t.tested_at
            ),
        };
        lines.push(format!(
            "{}{}  last test: {status}",
            "  ".repeat(names.len()),
            crate::row_summary(c)
        ));
    }
    Ok(Outcome::Done(serde_json::Value::Null, lines.join("\n")))
}

/// Folders in natural order, name by name; the top level (no folder) first.
fn folder_order(a: &str, b: &str) -> std::cmp::Ordering {
    use switchboard_core::folder::segments;
    let (mut x, mut y) = (segments(a), segments(b));
    loop {
        match (x.next(), y.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(p), Some(q)) => {
                let o = switchboard_core::summary::natural_order((p, ""), (q, ""));
                if o.is_ne() {
                    return o;
                }
            }
        }
    }
}
