//! SQL Server Management Studio's registered servers: a `.regsrvr` export (or the
//! `RegSrvr*.xml` store, the same format), an SML-IF document whose `RegisteredServer`
//! and `ServerGroup` objects each name their parent group by URI
//! (microsoft/sqlmanagementobjects `src/Microsoft/SqlServer/Management/RegisteredServers/
//! RegisteredServer.cs`, `ServerGroup.cs`, the sample `src/UnitTest/RegisteredServers/
//! TstRegSrvr.xml`; notes in docs/research/ads_compass_workbench_ssms.md §4).
//!
//! A server's connection string is SqlClient's, read by Switchboard's ADO.NET reader. A
//! saved password is DPAPI-encrypted for the Windows machine that wrote it and cannot be
//! read anywhere else: it is left out and asked for.

use super::batch::{Batch, Entry, Row};
use super::{Imported, SourceKind};
use crate::error::Result;
use crate::model::PasswordSave;

const RS_NAMESPACE: &str = "http://schemas.microsoft.com/sqlserver/RegisteredServers/2007/08";

/// Whether `text` is a registered-servers document.
pub fn is_registered_servers(text: &str) -> bool {
    text.contains(RS_NAMESPACE) && text.contains("RegisteredServer")
}

/// SqlClient keywords SSMS always writes that change nothing Switchboard keeps.
const BENIGN: [&str; 6] = [
    "pooling",
    "multiple active result sets",
    "multipleactiveresultsets",
    "packet size",
    "command timeout",
    "application name",
];

fn field<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
        .and_then(|c| c.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The group names in a parent URI, below the database engine's root group.
fn groups(uri: &str) -> Vec<String> {
    let parts: Vec<&str> = uri.split('/').filter(|p| !p.is_empty()).collect();
    let root = parts
        .iter()
        .position(|p| p.ends_with("ServerGroup") && *p != "ServerGroup")
        .map_or(parts.len(), |i| i + 1);
    parts[root..]
        .chunks(2)
        .filter_map(|pair| match pair {
            ["ServerGroup", name] => Some((*name).to_owned()),
            _ => None,
        })
        .collect()
}

fn parent(node: roxmltree::Node) -> String {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == "Parent")
        .and_then(|p| p.descendants().find(|d| d.tag_name().name() == "Uri"))
        .and_then(|u| u.text())
        .unwrap_or("")
        .trim()
        .to_owned()
}

/// Every registered server as a row, every group as a folder.
pub(super) fn rows(text: &str, batch: &mut Batch) -> Result<()> {
    let doc = super::draft::xml(
        text,
        "The registered servers file",
        "Export the servers again from SSMS (Registered Servers → Tasks → Export).",
    )?;
    let is = |n: &roxmltree::Node, name: &str| {
        n.is_element()
            && n.tag_name().name() == name
            && n.tag_name().namespace() == Some(RS_NAMESPACE)
    };
    for g in doc.descendants().filter(|n| is(n, "ServerGroup")) {
        let mut path = groups(&parent(g));
        if let Some(name) = field(g, "Name") {
            if !name.ends_with("ServerGroup") {
                path.push(name.to_owned());
                let folder = crate::folder::normalize(&path.join("/"));
                if !folder.is_empty() && !batch.folders.contains(&folder) {
                    batch.folders.push(folder);
                }
            }
        }
    }
    for s in doc.descendants().filter(|n| is(n, "RegisteredServer")) {
        let name = field(s, "Name").unwrap_or("").to_owned();
        let label = if name.is_empty() {
            field(s, "ServerName").unwrap_or("server").to_owned()
        } else {
            name.clone()
        };
        let kind = field(s, "ServerType").unwrap_or("DatabaseEngine");
        if kind != "DatabaseEngine" {
            batch.rows.push(Row {
                label,
                entry: Entry::Skipped(format!(
                    "SSMS's {kind} server is not a database engine Switchboard connects to"
                )),
            });
            continue;
        }
        let entry = match server(s, &name) {
            Ok(imp) => Entry::parsed(SourceKind::Tool(super::tools::Tool::Ssms), imp),
            Err(e) => Entry::Invalid(e),
        };
        batch.rows.push(Row { label, entry });
    }
    batch.note_if_empty("the registered servers file holds no servers");
    Ok(())
}

fn server(s: roxmltree::Node, name: &str) -> Result<Imported> {
    let cs = field(s, "ConnectionStringWithEncryptedPassword")
        .map(str::to_owned)
        .or_else(|| field(s, "ServerName").map(|n| format!("data source={n}")))
        .ok_or_else(|| {
            super::draft::invalid(
                "The registered server has no connection string or server name.",
                "Export it again from SSMS.",
            )
        })?;
    // The password is DPAPI-encrypted for one Windows machine; SSMS's own defaults say
    // nothing Switchboard keeps.
    let mut had_password = false;
    let kept: Vec<String> =
        super::sqlserver::pairs(&cs, "registered server's connection string", true)?
            .into_iter()
            .filter(|(key, _)| {
                let key = key.to_ascii_lowercase();
                if key == "password" || key == "pwd" {
                    had_password = true;
                    return false;
                }
                !BENIGN.contains(&key.as_str())
            })
            .map(|(k, v)| format!("{k}={}", super::sqlserver::quote_ado(&v)))
            .collect();
    let mut imp = super::sqlserver::import_ado(&kept.join(";"))?;
    imp.tls_from = Some("the registered server's connection string, as SqlClient reads it".into());
    imp.password = None;
    imp.fields.password_save = PasswordSave::Ask;
    if had_password {
        imp.warnings.push(
            "SSMS saved the password encrypted for the Windows machine that wrote it (DPAPI); it cannot be read here: enter it in the form".into(),
        );
    }
    imp.fields.name = name.to_owned();
    if imp.fields.name.is_empty() {
        imp.fields.name = super::draft::derive_name(&imp.fields);
    }
    imp.fields.description = field(s, "Description").map(str::to_owned);
    let up = parent(s);
    imp.fields.folder = crate::folder::normalize(&groups(&up).join("/"));
    if field(s, "UseCustomConnectionColor") == Some("true") {
        imp.fields.color = field(s, "CustomConnectionColorArgb")
            .and_then(|v| v.parse::<i32>().ok())
            .map(|argb| format!("#{:06x}", argb.cast_unsigned() & 0x00ff_ffff));
    }
    if let Some(auth) = field(s, "AuthenticationType").filter(|a| !matches!(*a, "0" | "1")) {
        imp.warnings.push(format!(
            "SSMS's Microsoft Entra authentication (type {auth}) has no place in Switchboard; user and password are used"
        ));
    }
    if let Some(other) = field(s, "OtherParams") {
        imp.warnings.push(format!(
            "the extra connection parameters ({} of them) were left out",
            other.split(';').filter(|p| !p.trim().is_empty()).count()
        ));
    }
    super::mark_source(
        &mut imp,
        crate::connstr::tools::Tool::Ssms,
        &format!("{up}/{name}"),
    );
    Ok(imp)
}
