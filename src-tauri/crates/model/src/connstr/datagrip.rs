//! JetBrains DataGrip / IntelliJ data sources: a project's `.idea/dataSources.xml` (the
//! driver and the JDBC URL of each `<data-source uuid=…>`), `dataSources.local.xml` (the
//! user name, SSL settings and the SSH config it uses, by uuid) and `sshConfigs.xml`
//! (`<sshConfig id host port username authType keyPath>`). Notes, with the files and
//! JetBrains sources they were read from: docs/research/pgadmin_datagrip.md §2.
//!
//! The JDBC URL is read by Switchboard's own JDBC readers (pgjdbc's, Connector/J's,
//! MariaDB's, mssql-jdbc's, Oracle thin's meaning); `$PROJECT_DIR$` and `$USER_HOME$` are
//! expanded first. DataGrip's SSL panel applies only where the URL says nothing about TLS.
//! Passwords stay in the IDE's credential store, which Switchboard does not read.

use std::collections::HashMap;

use super::batch::{Batch, Entry, Row};
use super::{FileSlot, Imported, SourceKind};
use crate::error::Result;
use crate::model::{PasswordSave, TlsMode};
use crate::ssh::{SshAuth, SshHop, SshRoute, DEFAULT_SSH_PORT};

/// A project's files, read by the caller.
#[derive(Clone)]
pub struct Project {
    /// Where they are, for notes and errors.
    pub label: String,
    /// `$PROJECT_DIR$`.
    pub dir: String,
    /// `$USER_HOME$`.
    pub home: String,
    pub data_sources: String,
    pub local: Option<String>,
    /// `db-forest-config.xml`: the Database tool window's folders.
    pub forest: Option<String>,
    /// The project's `sshConfigs.xml`, then the IDE's (the project's win).
    pub ssh_configs: Vec<String>,
}

impl std::fmt::Debug for Project {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // JDBC URLs may carry passwords: only where the files are is printed.
        write!(
            f,
            "datagrip::Project {{ label: {:?}, dir: {:?} }}",
            self.label, self.dir
        )
    }
}

fn parse<'a>(text: &'a str, what: &str) -> Result<roxmltree::Document<'a>> {
    super::draft::xml(
        text,
        what,
        "Import the files exactly as DataGrip wrote them.",
    )
}

fn child_text<'a>(node: roxmltree::Node<'a, '_>, tag: &str) -> Option<&'a str> {
    node.children()
        .find(|c| c.has_tag_name(tag))
        .and_then(|c| c.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The engines Switchboard has, by DataGrip's driver id (`postgresql`, `mysql.8`,
/// `sqlserver.ms`, `oracle.19`, `sqlite.xerial`, …): the part before the first dot.
fn supported(driver: &str) -> bool {
    matches!(
        driver.split('.').next().unwrap_or(""),
        "postgresql" | "mysql" | "mariadb" | "sqlserver" | "azure" | "oracle" | "sqlite" | "mongo"
    )
}

/// Every data source of the project as a row.
pub(super) fn rows(p: &Project, batch: &mut Batch) -> Result<()> {
    let main = parse(&p.data_sources, &format!("{}/dataSources.xml", p.label))?;
    let local_doc = match &p.local {
        Some(t) => Some(parse(t, &format!("{}/dataSources.local.xml", p.label))?),
        None => None,
    };
    let locals: HashMap<&str, roxmltree::Node> = local_doc
        .as_ref()
        .map(|d| {
            d.descendants()
                .filter(|n| n.has_tag_name("data-source"))
                .filter_map(|n| Some((n.attribute("uuid")?, n)))
                .collect()
        })
        .unwrap_or_default();
    let ssh_docs: Vec<roxmltree::Document> = p
        .ssh_configs
        .iter()
        .filter_map(|t| roxmltree::Document::parse(t).ok())
        .collect();
    let forest = match &p.forest {
        Some(t) => Forest::read(&parse(t, &format!("{}/db-forest-config.xml", p.label))?),
        None => Forest::default(),
    };
    for folder in &forest.empty {
        batch.folders.push(folder.clone());
    }
    let expand = |s: &str| {
        s.replace("$PROJECT_DIR$", &p.dir)
            .replace("$USER_HOME$", &p.home)
    };
    let ssh = |id: &str| {
        ssh_docs
            .iter()
            .find_map(|d| {
                d.descendants()
                    .find(|n| n.has_tag_name("sshConfig") && n.attribute("id") == Some(id))
            })
            .map(|n| route(n, &expand))
    };
    for ds in main.descendants().filter(|n| n.has_tag_name("data-source")) {
        let name = ds.attribute("name").unwrap_or("").to_owned();
        let uuid = ds.attribute("uuid").unwrap_or("");
        let driver = child_text(ds, "driver-ref").unwrap_or("");
        let label = if name.is_empty() {
            uuid.to_owned()
        } else {
            name.clone()
        };
        if !supported(driver) {
            batch.rows.push(Row {
                label,
                entry: Entry::Skipped(format!(
                    "DataGrip's {driver} data source is not an engine Switchboard connects to (PostgreSQL, MySQL/MariaDB, SQL Server, Oracle, MongoDB, SQLite)"
                )),
            });
            continue;
        }
        let local = locals.get(uuid).copied();
        let entry = match data_source(ds, local, &expand, &ssh) {
            Ok(mut imp) => {
                if let Some(folder) = forest.placed.get(uuid) {
                    imp.fields.folder = folder.clone();
                }
                imp.fields.name = name;
                if imp.fields.name.is_empty() {
                    imp.fields.name = super::draft::derive_name(&imp.fields);
                }
                super::mark_source(&mut imp, crate::connstr::tools::Tool::Datagrip, uuid);
                Entry::parsed(SourceKind::Tool(super::tools::Tool::Datagrip), imp)
            }
            Err(e) => Entry::Invalid(e),
        };
        batch.rows.push(Row { label, entry });
    }
    batch.note_if_empty("the DataGrip project holds no data sources");
    Ok(())
}

fn data_source(
    ds: roxmltree::Node,
    local: Option<roxmltree::Node>,
    expand: &dyn Fn(&str) -> String,
    ssh: &dyn Fn(&str) -> Option<SshRoute>,
) -> Result<Imported> {
    let url = child_text(ds, "jdbc-url").map(expand).ok_or_else(|| {
        super::draft::invalid(
            "The data source has no JDBC URL.",
            "Open it in DataGrip and save it again, or enter the connection in the form.",
        )
    })?;
    let mut imp = super::import(&url)?.imported;
    let url_says_tls = url_sets_tls(&url);
    imp.tls_from = Some("the JDBC URL, as its driver reads it".into());
    if let Some(r) = child_text(ds, "remarks") {
        imp.fields.description = Some(r.to_owned());
    }
    // Older IDEs kept a folder as `group` ("QA/Quick" nests).
    if let Some(g) = ds.attribute("group").or_else(|| ds.attribute("group-name")) {
        imp.fields.folder = crate::folder::normalize(g);
    }
    imp.password = None;
    imp.fields.password_save = PasswordSave::Ask;
    if let Some(local) = local {
        if let Some(u) = child_text(local, "user-name") {
            imp.fields.username = u.to_owned();
        }
        if child_text(local, "auth-provider") == Some("no-auth") {
            imp.fields.password_save = PasswordSave::None;
        } else {
            imp.warnings.push(
                "DataGrip keeps the password in its credential store, which Switchboard does not read: enter it in the form".into(),
            );
        }
        if let Some(ssl) = local
            .children()
            .find(|c| c.has_tag_name("ssl-config"))
            .filter(|c| child_text(*c, "enabled") == Some("true"))
        {
            let mode = child_text(ssl, "mode").unwrap_or("REQUIRE");
            if !url_says_tls {
                imp.fields.tls.mode = match mode {
                    "VERIFY_FULL" => TlsMode::VerifyFull,
                    "VERIFY_CA" => TlsMode::VerifyCa,
                    "PREFER" => TlsMode::Prefer,
                    "DISABLE" => TlsMode::Disable,
                    _ => TlsMode::Require,
                };
                imp.tls_from = Some(format!("DataGrip's SSL settings, mode {mode}"));
            }
            for (tag, slot) in [
                ("ca-cert", FileSlot::Ca),
                ("client-cert", FileSlot::ClientCert),
                ("client-key", FileSlot::ClientKey),
            ] {
                if let Some(path) = child_text(ssl, tag) {
                    super::draft::file(&mut imp, slot, tag, expand(path));
                }
            }
        }
        let tunnel = local
            .children()
            .find(|c| c.has_tag_name("ssh-properties"))
            .filter(|c| child_text(*c, "enabled") == Some("true"));
        if let Some(t) = tunnel {
            match child_text(t, "ssh-config-id").and_then(ssh) {
                Some(r) => imp.fields.ssh = Some(r),
                None => imp.warnings.push(
                    "the SSH configuration the data source names was not found (sshConfigs.xml): add the route in the form".into(),
                ),
            }
        }
    }
    Ok(imp)
}

/// The Database tool window's tree as `db-forest-config.xml` keeps it: folders above a line
/// of 40 dashes (`order:parentOrder:folderUuid:name`; the older `db-tree-configuration`
/// component writes `order:parentOrder:name`), data sources below it
/// (`order:parentOrder:uuid`). `parentOrder` is 0 at the top, else the order of the folder
/// that holds it; orders are renumbered on every write, so only uuids link to
/// `dataSources.xml`. Read from files DataGrip wrote (DataGrip/zoo-db `.idea`; notes in
/// docs/research/pgadmin_datagrip.md §2.9).
#[derive(Debug, Default)]
struct Forest {
    /// Each placed data source's folder path.
    placed: HashMap<String, String>,
    /// Folders no data source sits in (at any depth).
    empty: Vec<String>,
}

impl Forest {
    fn read<'a>(doc: &'a roxmltree::Document<'a>) -> Forest {
        let component = |name: &str| {
            doc.descendants()
                .find(|n| n.has_tag_name("component") && n.attribute("name") == Some(name))
        };
        // The newer component wins: DataGrip leaves the older one behind, stale.
        let (text, with_ids): (&'a str, bool) = match component("db-forest-configuration") {
            Some(c) => (
                c.children()
                    .find(|n| n.has_tag_name("data"))
                    .and_then(|n| n.text())
                    .unwrap_or(""),
                true,
            ),
            None => (
                component("db-tree-configuration")
                    .and_then(|c| c.children().find(|n| n.attribute("name") == Some("data")))
                    .and_then(|n| n.attribute("value"))
                    .unwrap_or(""),
                false,
            ),
        };
        let mut folders: HashMap<&str, (&str, &str)> = HashMap::new();
        let mut order: Vec<&str> = Vec::new();
        let mut sources: Vec<(&str, &str)> = Vec::new();
        let mut below = false;
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line == "." {
                continue;
            }
            if line.len() >= 10 && line.bytes().all(|b| b == b'-') {
                below = true;
                continue;
            }
            if below {
                let mut f = line.splitn(3, ':');
                if let (Some(_), Some(parent), Some(uuid)) = (f.next(), f.next(), f.next()) {
                    sources.push((parent, uuid));
                }
            } else {
                let mut f = line.splitn(if with_ids { 4 } else { 3 }, ':');
                let (Some(id), Some(parent)) = (f.next(), f.next()) else {
                    continue;
                };
                if with_ids {
                    f.next();
                }
                if let Some(name) = f.next() {
                    folders.insert(id, (parent, name));
                    order.push(id);
                }
            }
        }
        // A folder's path: its ancestors' names (a broken chain stops where it breaks).
        let path = |mut id: &'a str| {
            let mut names = Vec::new();
            while let Some((parent, name)) = folders.get(id) {
                if names.len() > folders.len() {
                    break;
                }
                names.push(*name);
                id = parent;
            }
            names.reverse();
            crate::folder::normalize(&names.join("/"))
        };
        let mut forest = Forest::default();
        for (parent, uuid) in &sources {
            if folders.contains_key(parent) {
                forest.placed.insert((*uuid).to_owned(), path(parent));
            }
        }
        for id in order {
            let p = path(id);
            let used = forest
                .placed
                .values()
                .any(|f| f == &p || f.starts_with(&format!("{p}/")));
            if !p.is_empty() && !used && !forest.empty.contains(&p) {
                forest.empty.push(p);
            }
        }
        forest
    }
}

/// Whether the JDBC URL's own parameters (after `?`, or SQL Server's `;`) name TLS:
/// then they, not DataGrip's SSL panel, say what the driver does.
fn url_sets_tls(url: &str) -> bool {
    let params = match url.split_once('?') {
        Some((_, q)) => q.split('&').collect::<Vec<_>>(),
        None => url.split(';').skip(1).collect(),
    };
    params.iter().any(|p| {
        let key = p.split('=').next().unwrap_or("").to_ascii_lowercase();
        ["ssl", "encrypt", "tls"].iter().any(|k| key.contains(k))
    })
}

/// One `<sshConfig>` as a one-hop route (DataGrip keeps jump hosts in ~/.ssh/config).
fn route(cfg: roxmltree::Node, expand: &dyn Fn(&str) -> String) -> SshRoute {
    let key = cfg.attribute("keyPath").map(expand);
    let auth = match cfg.attribute("authType") {
        Some("PASSWORD") => SshAuth::Password,
        Some("OPEN_SSH") => SshAuth::Agent,
        // A missing authType with a key path is a key pair (DataGrip omits its default).
        _ => SshAuth::Key,
    };
    SshRoute::Hops {
        hops: vec![SshHop {
            host: cfg.attribute("host").unwrap_or("").to_owned(),
            port: cfg
                .attribute("port")
                .and_then(|p| p.parse().ok())
                .unwrap_or(DEFAULT_SSH_PORT),
            user: cfg.attribute("username").unwrap_or("").to_owned(),
            auth,
            key_files: key.into_iter().filter(|_| auth == SshAuth::Key).collect(),
            secret_save: match auth {
                SshAuth::Password => PasswordSave::Ask,
                _ => PasswordSave::None,
            },
        }],
    }
}
