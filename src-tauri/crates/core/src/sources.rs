//! Other tools' connection lists where they keep them: finding them in each tool's
//! default place on this OS (`discover`) and reading a tool's files from a path the user
//! gave (DBeaver's workspaces and projects, DataGrip projects, Beekeeper's `app.db`,
//! DbGate's folder, Sequel Ace's favorites; `foreign.rs` names the ones that cannot be read).
//! What the files mean is the model's (`connstr::*`); this module only finds and reads them
//! (stored secrets go further only when the user asked for them).

use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

pub(crate) mod beekeeper;
pub(crate) mod dbgate;
pub(crate) mod foreign;

use crate::connstr::dbeaver::{self, Credentials, SourceFile};
use crate::error::{CoreError, ErrorCode, Result};

pub use crate::connstr::tools::Tool;

/// What one default place holds.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Found {
    pub tool: Tool,
    /// The folder or file to import (give it back as the import's path).
    pub path: String,
    pub connections: u32,
    pub projects: u32,
    /// `DBeaver: 143 connections in 2 projects`.
    pub summary: String,
    /// Why this find cannot be imported and what to do instead (a tool whose list
    /// Switchboard cannot read); `None` for everything that can be.
    pub note: Option<String>,
}

impl Found {
    /// One file of `n` connections (`Beekeeper Studio: 12 connections`).
    fn file(tool: Tool, path: &Path, n: u32) -> Found {
        Found {
            tool,
            path: path.display().to_string(),
            connections: n,
            projects: 0,
            summary: format!(
                "{}: {}",
                tool.label(),
                crate::words::count(i64::from(n), "connection", "connections")
            ),
            note: None,
        }
    }
}

/// A default place's find, held for the window to import by token (as a picked file).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Offered {
    pub found: Found,
    /// The find held for an import; none for a tool whose list cannot be read.
    pub file: Option<crate::imports::PickedFile>,
}

impl crate::Switchboard {
    /// What other tools keep in their default places, each held for an import.
    pub async fn discover_sources(&self) -> Vec<Offered> {
        discover()
            .await
            .into_iter()
            .map(|found| Offered {
                file: found
                    .note
                    .is_none()
                    .then(|| self.hold_picked(PathBuf::from(&found.path))),
                found,
            })
            .collect()
    }
}

/// How to read a source.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The user agreed to bring the tool's saved passwords into the keychain.
    pub include_passwords: bool,
    /// The tool the user says the file is from; refused if it reads as another.
    pub from: Option<Tool>,
    /// The passphrase the user typed for an export that seals its secrets (Compass).
    pub passphrase: Option<crate::secret::Secret>,
    /// What a row does when a saved connection is already what it describes.
    pub on_clash: OnClash,
}

/// What the window's import panel chose: consent to take another tool's passwords, an
/// export's passphrase (empty: none), and what a row does on meeting a saved connection.
/// No `Debug`: it carries the passphrase.
#[derive(Clone, Default, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct ImportChoices {
    pub include_passwords: bool,
    pub passphrase: Option<String>,
    pub on_clash: OnClash,
}

impl From<ImportChoices> for ImportOptions {
    fn from(c: ImportChoices) -> Self {
        ImportOptions {
            include_passwords: c.include_passwords,
            from: None,
            passphrase: c
                .passphrase
                .filter(|p| !p.is_empty())
                .map(crate::secret::Secret::new),
            on_clash: c.on_clash,
        }
    }
}

/// A row that meets a saved connection: the same entry of the same tool imported before
/// (its `imported_from`), or one with the same name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OnClash {
    /// The same entry updates what it saved before; a name taken by another gets `-2`.
    #[default]
    Auto,
    /// Always a new connection (a taken name gets `-2`).
    Rename,
    /// Leave the saved one alone: the row is skipped, saying which it met.
    Skip,
    /// Update the saved one, met by the same entry or by name.
    Update,
}

impl OnClash {
    pub fn parse(s: &str) -> Option<OnClash> {
        match s {
            "auto" => Some(OnClash::Auto),
            "rename" => Some(OnClash::Rename),
            "skip" => Some(OnClash::Skip),
            "update" => Some(OnClash::Update),
            _ => None,
        }
    }
}

/// DBeaver's data root on this OS (`DBeaverData`), where its workspace6 is.
fn dbeaver_roots() -> Vec<PathBuf> {
    let Some(base) = directories::BaseDirs::new() else {
        return Vec::new();
    };
    let mut roots = Vec::new();
    if cfg!(target_os = "macos") {
        roots.push(base.home_dir().join("Library/DBeaverData"));
    } else if cfg!(windows) {
        roots.push(base.config_dir().join("DBeaverData"));
    } else {
        roots.push(base.data_dir().join("DBeaverData"));
        // Older installs (#6316 in DBeaver) used a hidden folder.
        roots.push(base.data_dir().join(".DBeaverData"));
    }
    roots
}

/// The user settings files of Azure Data Studio and VS Code on this OS (VS Code's forks
/// keep the same layout under their own names).
fn settings_files() -> Vec<(Tool, PathBuf)> {
    let Some(base) = directories::BaseDirs::new() else {
        return Vec::new();
    };
    let config = base.config_dir();
    let mut out = vec![(Tool::Ads, config.join("azuredatastudio/User/settings.json"))];
    for app in ["Code", "Code - Insiders", "VSCodium", "Cursor"] {
        out.push((
            Tool::VscodeMssql,
            config.join(app).join("User/settings.json"),
        ));
    }
    out
}

/// How many connections a settings file holds for `tool`.
async fn count_settings(tool: Tool, path: &Path) -> u32 {
    let Ok(text) = crate::imports::read_import_file(path).await else {
        return 0;
    };
    let Ok(v) = crate::connstr::vscode_mssql::parse_jsonc(&text) else {
        return 0;
    };
    let key = match tool {
        Tool::Ads => "datasource.connections",
        _ => "mssql.connections",
    };
    v.get(key)
        .and_then(serde_json::Value::as_array)
        .map_or(0, |a| u32::try_from(a.len()).unwrap_or(u32::MAX))
}

/// MySQL Workbench's connections.xml on this OS (its user data dir).
fn workbench_file() -> Option<PathBuf> {
    let base = directories::BaseDirs::new()?;
    Some(if cfg!(target_os = "macos") {
        base.home_dir()
            .join("Library/Application Support/MySQL/Workbench/connections.xml")
    } else if cfg!(windows) {
        base.config_dir().join("MySQL/Workbench/connections.xml")
    } else {
        base.home_dir().join(".mysql/workbench/connections.xml")
    })
}

/// DataGrip / IntelliJ projects with data sources: those every JetBrains IDE lists in its
/// `options/recentProjects.xml` (`$USER_HOME$` expanded), and `~/DataGripProjects/*`.
async fn datagrip_projects() -> Vec<PathBuf> {
    let Some(base) = directories::BaseDirs::new() else {
        return Vec::new();
    };
    let home = base.home_dir().display().to_string();
    let mut candidates = Vec::new();
    if let Ok(mut rd) = tokio::fs::read_dir(base.config_dir().join("JetBrains")).await {
        while let Ok(Some(e)) = rd.next_entry().await {
            let file = e.path().join("options/recentProjects.xml");
            let Ok(text) = crate::imports::read_import_file(&file).await else {
                continue;
            };
            let Ok(doc) = roxmltree::Document::parse(&text) else {
                continue;
            };
            for entry in doc.descendants().filter(|n| n.has_tag_name("entry")) {
                if let Some(key) = entry.attribute("key") {
                    candidates.push(PathBuf::from(key.replace("$USER_HOME$", &home)));
                }
            }
        }
    }
    if let Ok(mut rd) = tokio::fs::read_dir(base.home_dir().join("DataGripProjects")).await {
        while let Ok(Some(e)) = rd.next_entry().await {
            candidates.push(e.path());
        }
    }
    let mut out: Vec<PathBuf> = Vec::new();
    for c in candidates {
        let has = tokio::fs::metadata(c.join(".idea/dataSources.xml"))
            .await
            .is_ok_and(|m| m.is_file());
        if has && !out.contains(&c) {
            out.push(c);
        }
    }
    out.sort();
    out
}

/// Sequel Ace's favorites under the home (its sandbox container; `SPFileManagerAdditions.m`).
const SEQUEL_ACE_FAVORITES: &str =
    "Library/Containers/com.sequel-ace.sequel-ace/Data/Library/Application Support/Sequel Ace/Data/Favorites.plist";

/// The bytes of `path` when it is Sequel Ace's favorites (a `.plist`, XML or binary).
pub(crate) async fn sequel_ace_favorites(path: &Path) -> Option<Vec<u8>> {
    if !path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("plist"))
    {
        return None;
    }
    let bytes = crate::files::read_bytes(path, crate::connstr::FILE_MAX as u64)
        .await
        .ok()?;
    crate::connstr::sequel_ace::is_favorites(&bytes).then_some(bytes)
}

/// HeidiSQL's `settings.json` (its Lazarus builds: FPC's `GetAppConfigDir`, `heidisql`).
fn heidisql_files() -> Vec<PathBuf> {
    let Some(base) = directories::BaseDirs::new() else {
        return Vec::new();
    };
    let mut dirs = vec![base.config_dir().join("heidisql")];
    if cfg!(target_os = "macos") || cfg!(windows) {
        dirs.push(base.data_local_dir().join("heidisql"));
        dirs.push(base.home_dir().join(".config/heidisql"));
    }
    dirs.into_iter().map(|d| d.join("settings.json")).collect()
}

/// Every default place that holds something, with counts.
pub async fn discover() -> Vec<Found> {
    let mut out = Vec::new();
    for project in datagrip_projects().await {
        let Ok(text) =
            crate::imports::read_import_file(&project.join(".idea/dataSources.xml")).await
        else {
            continue;
        };
        let n = u32::try_from(text.matches("<data-source ").count()).unwrap_or(u32::MAX);
        if n == 0 {
            continue;
        }
        let name = project
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push(Found {
            tool: Tool::Datagrip,
            path: project.display().to_string(),
            connections: n,
            projects: 1,
            summary: format!(
                "DataGrip: {} in project {name}",
                crate::words::count(i64::from(n), "data source", "data sources")
            ),
            note: None,
        });
    }
    for dir in beekeeper::data_dirs() {
        let file = dir.join("app.db");
        if beekeeper::app_db(&file).await.is_none() {
            continue;
        }
        let n = beekeeper::count(&file).await;
        if n > 0 {
            out.push(Found::file(Tool::Beekeeper, &file, n));
        }
    }
    if let Some(file) = dbgate::data_dir().map(|d| d.join("connections.jsonl")) {
        let n = dbgate::count(&file).await;
        if n > 0 {
            out.push(Found::file(Tool::Dbgate, &file, n));
        }
    }
    for path in heidisql_files() {
        if let Ok(text) = crate::imports::read_import_file(&path).await {
            let n = u32::try_from(text.matches("\"NetType\"").count()).unwrap_or(u32::MAX);
            if n > 0 {
                out.push(Found::file(Tool::Heidisql, &path, n));
            }
        }
    }
    if let Some(base) = directories::BaseDirs::new() {
        let file = base.home_dir().join(SEQUEL_ACE_FAVORITES);
        if let Some(bytes) = sequel_ace_favorites(&file).await {
            let n = crate::connstr::batch::parse_sequel_ace(&bytes, "Favorites.plist")
                .map(|b| b.rows.len())
                .unwrap_or(0);
            if n > 0 {
                out.push(Found::file(
                    Tool::SequelAce,
                    &file,
                    u32::try_from(n).unwrap_or(u32::MAX),
                ));
            }
        }
    }
    if let Some(path) = workbench_file() {
        if let Ok(text) = crate::imports::read_import_file(&path).await {
            let n = text.matches("struct-name=\"db.mgmt.Connection\"").count();
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            if n > 0 {
                out.push(Found::file(Tool::Workbench, &path, n));
            }
        }
    }
    for (tool, path) in settings_files() {
        let n = count_settings(tool, &path).await;
        if n > 0 {
            out.push(Found::file(tool, &path, n));
        }
    }
    for root in dbeaver_roots() {
        let files = match dbeaver_files(&root).await {
            Ok(f) if !f.is_empty() => f,
            _ => continue,
        };
        let projects: std::collections::BTreeSet<_> =
            files.iter().map(|(p, _)| p.clone()).collect();
        let mut connections = 0u32;
        for (_, path) in &files {
            if let Ok(text) = crate::imports::read_import_file(path).await {
                connections += count_dbeaver(&text);
            }
        }
        let projects = u32::try_from(projects.len()).unwrap_or(u32::MAX);
        out.push(Found {
            tool: Tool::Dbeaver,
            path: root.display().to_string(),
            connections,
            projects,
            summary: format!(
                "DBeaver: {} in {}",
                crate::words::count(i64::from(connections), "connection", "connections"),
                crate::words::count(i64::from(projects), "project", "projects")
            ),
            note: None,
        });
    }
    // Last: what cannot be imported, after everything that can.
    out.extend(foreign::discover().await);
    out
}

fn count_dbeaver(text: &str) -> u32 {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("connections")?.as_object().map(|o| o.len()))
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(0)
}

fn is_data_sources_name(name: &str) -> bool {
    name.starts_with("data-sources") && name.ends_with(".json")
}

async fn is_dir(p: &Path) -> bool {
    tokio::fs::metadata(p).await.is_ok_and(|m| m.is_dir())
}

/// The `data-sources*.json` files of a `.dbeaver` folder, sorted (`data-sources.json`,
/// the default storage holding folders and types, first).
async fn in_metadata_dir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(mut rd) = tokio::fs::read_dir(dir).await else {
        return out;
    };
    while let Ok(Some(e)) = rd.next_entry().await {
        let name = e.file_name().to_string_lossy().into_owned();
        if is_data_sources_name(&name) && e.file_type().await.is_ok_and(|t| t.is_file()) {
            out.push(e.path());
        }
    }
    out.sort_by_key(|p| {
        let n = p.file_name().map(|n| n.to_string_lossy().into_owned());
        (n.as_deref() != Some("data-sources.json"), n)
    });
    out
}

/// (project name, file) for every data-sources file under `path`: a DBeaverData root, a
/// workspace, a project, a `.dbeaver` folder, or one file.
async fn dbeaver_files(path: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let project_of = |meta_dir: &Path| {
        meta_dir
            .parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let meta = tokio::fs::metadata(path).await?;
    if meta.is_file() {
        let dir = path.parent().unwrap_or(Path::new("."));
        return Ok(vec![(project_of(dir), path.to_owned())]);
    }
    if path.file_name().is_some_and(|n| n == ".dbeaver") {
        let p = project_of(path);
        return Ok(in_metadata_dir(path)
            .await
            .into_iter()
            .map(|f| (p.clone(), f))
            .collect());
    }
    if is_dir(&path.join(".dbeaver")).await {
        let d = path.join(".dbeaver");
        let p = project_of(&d);
        return Ok(in_metadata_dir(&d)
            .await
            .into_iter()
            .map(|f| (p.clone(), f))
            .collect());
    }
    let workspace = if is_dir(&path.join("workspace6")).await {
        path.join("workspace6")
    } else {
        path.to_owned()
    };
    let mut projects = Vec::new();
    let mut rd = tokio::fs::read_dir(&workspace).await?;
    while let Ok(Some(e)) = rd.next_entry().await {
        let name = e.file_name().to_string_lossy().into_owned();
        // Eclipse's own .metadata is not a project.
        if !name.starts_with('.') && is_dir(&e.path().join(".dbeaver")).await {
            projects.push(e.path().join(".dbeaver"));
        }
    }
    projects.sort();
    let mut out = Vec::new();
    for d in projects {
        let p = project_of(&d);
        out.extend(
            in_metadata_dir(&d)
                .await
                .into_iter()
                .map(|f| (p.clone(), f)),
        );
    }
    Ok(out)
}

/// Whether `path` is DBeaver's: a folder holding a project, or a data-sources file.
pub(crate) async fn is_dbeaver_path(path: &Path) -> bool {
    if is_dir(path).await {
        return dbeaver_files(path).await.is_ok_and(|f| !f.is_empty());
    }
    path.file_name()
        .is_some_and(|n| is_data_sources_name(&n.to_string_lossy()))
}

/// Reads a DBeaver source: every data-sources file and its credentials file decrypted
/// (the user names are only there; the passwords are taken only when asked for).
pub(crate) async fn load_dbeaver(path: &Path, opts: &ImportOptions) -> Result<Vec<SourceFile>> {
    let unreadable = |why: String| {
        CoreError::input(
            ErrorCode::FileUnreadable,
            Some("file"),
            format!("{} cannot be read: {why}.", path.display()),
            "Choose DBeaver's workspace (DBeaverData/workspace6), a project folder, or a data-sources.json.",
        )
    };
    let files = dbeaver_files(path)
        .await
        .map_err(|e| unreadable(e.to_string()))?;
    if files.is_empty() {
        return Err(unreadable(
            "it holds no DBeaver project (no .dbeaver/data-sources.json)".into(),
        ));
    }
    let mut out = Vec::new();
    for (project, file) in files {
        let text = crate::imports::read_import_file(&file).await?;
        let dir = file.parent().unwrap_or(Path::new("."));
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // data-sources-foo.json keeps its secrets in credentials-config-foo.json.
        let suffix = name
            .trim_start_matches("data-sources")
            .trim_end_matches(".json");
        let settings = crate::files::read_text(&dir.join("project-settings.json"), 1024 * 1024)
            .await
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
        let flag = |k: &str| {
            settings
                .as_ref()
                .and_then(|s| s.get(k))
                .and_then(serde_json::Value::as_bool)
                == Some(true)
        };
        let project_password = flag("useProjectPassword");
        let credentials = if project_password {
            Credentials::Absent
        } else {
            let file = dir.join(format!("credentials-config{suffix}.json"));
            match crate::files::read_bytes(&file, crate::connstr::FILE_MAX as u64).await {
                Ok(bytes) => match dbeaver::decrypt_credentials(&bytes) {
                    Ok(v) => Credentials::Read(v),
                    Err(why) => Credentials::Unreadable(why),
                },
                Err(crate::files::ReadError::Missing) => Credentials::Absent,
                Err(e) => Credentials::Unreadable(e.to_string()),
            }
        };
        out.push(SourceFile {
            project: (!project.is_empty()).then_some(project.clone()),
            label: if project.is_empty() {
                name
            } else {
                format!("{project}/{name}")
            },
            text,
            credentials,
            include_passwords: opts.include_passwords,
            project_password,
        });
    }
    Ok(out)
}

/// The `.idea` folder of a DataGrip / IntelliJ project at `path` (the project, its `.idea`
/// or its `dataSources.xml`), if it holds data sources.
pub(crate) async fn datagrip_dir(path: &Path) -> Option<PathBuf> {
    let candidates = [
        path.join(".idea"),
        path.to_owned(),
        path.parent().map(Path::to_owned).unwrap_or_default(),
    ];
    for dir in candidates {
        if tokio::fs::metadata(dir.join("dataSources.xml"))
            .await
            .is_ok_and(|m| m.is_file())
            && (is_dir(path).await || path.file_name().is_some_and(|n| n == "dataSources.xml"))
        {
            return Some(dir);
        }
    }
    None
}

/// Reads a DataGrip project's data source files (`dir` is its `.idea`), and the IDE's
/// `sshConfigs.xml` files after the project's own.
pub(crate) async fn load_datagrip(dir: &Path) -> Result<crate::connstr::datagrip::Project> {
    let project_dir = dir.parent().unwrap_or(dir);
    let data_sources = crate::imports::read_import_file(&dir.join("dataSources.xml")).await?;
    let local = crate::imports::read_import_file(&dir.join("dataSources.local.xml"))
        .await
        .ok();
    let forest = crate::imports::read_import_file(&dir.join("db-forest-config.xml"))
        .await
        .ok();
    let mut ssh_configs = Vec::new();
    if let Ok(t) = crate::imports::read_import_file(&dir.join("sshConfigs.xml")).await {
        ssh_configs.push(t);
    }
    let base = directories::BaseDirs::new();
    if let Some(config) = base.as_ref().map(|b| b.config_dir().join("JetBrains")) {
        if let Ok(mut rd) = tokio::fs::read_dir(&config).await {
            while let Ok(Some(e)) = rd.next_entry().await {
                let file = e.path().join("options/sshConfigs.xml");
                if let Ok(t) = crate::imports::read_import_file(&file).await {
                    ssh_configs.push(t);
                }
            }
        }
    }
    Ok(crate::connstr::datagrip::Project {
        label: project_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        dir: project_dir.display().to_string(),
        home: base
            .map(|b| b.home_dir().display().to_string())
            .unwrap_or_default(),
        data_sources,
        local,
        forest,
        ssh_configs,
    })
}

/// libpq's service files on this machine, in the order libpq searches them:
/// `PGSERVICEFILE` (else `~/.pg_service.conf`), then `PGSYSCONFDIR/pg_service.conf` (else
/// Debian's compiled-in `/etc/postgresql-common`). Missing or unreadable files are left out.
pub(crate) async fn pg_service_files() -> Vec<crate::libpq::ServiceFile> {
    let user = std::env::var_os("PGSERVICEFILE")
        .map(PathBuf::from)
        .or_else(|| directories::BaseDirs::new().map(|b| b.home_dir().join(".pg_service.conf")));
    let system = std::env::var_os("PGSYSCONFDIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/etc/postgresql-common"))
        .join("pg_service.conf");
    let mut files = Vec::new();
    for path in user.into_iter().chain([system]) {
        if let Ok(text) = crate::imports::read_import_file(&path).await {
            files.push(crate::libpq::ServiceFile {
                path: path.display().to_string(),
                text,
            });
        }
    }
    files
}
