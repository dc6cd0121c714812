//! What a batch is read from: pasted text, a file or folder (by path or by a picked
//! file's token) — another tool's project, store or export — and how each is parsed.

use std::path::Path;

use super::{Batch, ImportOptions};
use crate::connections::Switchboard;
use crate::connstr::{self, batch};
use crate::error::{CoreError, ErrorCode, Result};
use crate::secret::Secret;
use crate::sources::{self, Tool};

pub(super) fn file_name(path: &Path) -> Option<String> {
    path.file_name().map(|n| n.to_string_lossy().into_owned())
}

/// Reads a file of connections (bounded: 64 MiB, text).
pub(crate) async fn read_import_file(path: &std::path::Path) -> Result<String> {
    let unreadable = |why: String| {
        CoreError::input(
            ErrorCode::FileUnreadable,
            Some("file"),
            format!("{} cannot be read: {why}.", path.display()),
            "Choose a text file: .env, .pgpass, pg_service.conf or a JSON export.",
        )
    };
    crate::files::read_text(path, connstr::FILE_MAX as u64)
        .await
        .map_err(|e| unreadable(e.to_string()))
}

/// A batch as read: text, or a DBeaver project's files.
pub(super) enum Loaded {
    Text { text: String, name: Option<String> },
    Dbeaver(Vec<crate::connstr::dbeaver::SourceFile>),
    Datagrip(Box<crate::connstr::datagrip::Project>),
    Beekeeper(Box<crate::connstr::beekeeper::Store>),
    Dbgate(Box<crate::connstr::dbgate::Store>),
    SequelAce { bytes: Vec<u8>, label: String },
}

fn source_words(s: batch::BatchSource) -> &'static str {
    match s {
        batch::BatchSource::Lines => "lines of connection strings",
        batch::BatchSource::Env => "a .env file",
        batch::BatchSource::Pgpass => "a .pgpass file",
        batch::BatchSource::PgService => "a pg_service.conf",
        batch::BatchSource::Json => "JSON of connections",
        batch::BatchSource::Tool(t) => t.file_words(),
    }
}

impl Switchboard {
    /// What a batch holds: its text (and, for a file, its name, which tells its format), or
    /// a DBeaver project's files.
    pub(super) async fn load(&self, from: Batch<'_>, opts: &ImportOptions) -> Result<Loaded> {
        let path = match from {
            Batch::Text(text) => {
                return Ok(Loaded::Text {
                    text: text.to_owned(),
                    name: None,
                })
            }
            Batch::File(path) => path.to_owned(),
            Batch::Picked(token) => self.picked.get(token).ok_or_else(|| {
                CoreError::input(
                    ErrorCode::FileUnreadable,
                    Some("file"),
                    "That file is no longer chosen.",
                    "Choose the file again.",
                )
            })?,
        };
        if let Some(refused) = opts
            .from
            .and_then(|t| sources::foreign::refuse_tool(t, &path))
        {
            return Err(refused);
        }
        if opts.from.is_none_or(|t| t == Tool::Datagrip) {
            if let Some(dir) = sources::datagrip_dir(&path).await {
                return Ok(Loaded::Datagrip(Box::new(
                    sources::load_datagrip(&dir).await?,
                )));
            }
        }
        if opts.from.is_none_or(|t| t == Tool::Beekeeper) {
            if let Some(file) = sources::beekeeper::app_db(&path).await {
                return Ok(Loaded::Beekeeper(Box::new(
                    sources::beekeeper::load(&file, opts.include_passwords).await?,
                )));
            }
        }
        if opts.from.is_none_or(|t| t == Tool::Dbgate) {
            if let Some(file) = sources::dbgate::connections_file(&path).await {
                return Ok(Loaded::Dbgate(Box::new(
                    sources::dbgate::load(&file, opts.include_passwords).await?,
                )));
            }
        }
        if opts.from == Some(Tool::Dbeaver)
            || (opts.from.is_none() && sources::is_dbeaver_path(&path).await)
        {
            return Ok(Loaded::Dbeaver(sources::load_dbeaver(&path, opts).await?));
        }
        // A SQLite file that is not Beekeeper's store (or is damaged), alone or as a
        // folder's app.db: said to be a database, not read as text.
        if let Some(file) = sources::beekeeper::sqlite_file(&path).await {
            return Err(sources::beekeeper::not_a_store(&file));
        }
        if tokio::fs::metadata(&path).await.is_ok_and(|m| m.is_dir()) {
            return Err(CoreError::input(
                ErrorCode::FileUnreadable,
                Some("file"),
                format!(
                    "{} holds no connections Switchboard knows how to read.",
                    path.display()
                ),
                "Choose a DBeaver workspace or project, a DataGrip project, Beekeeper Studio's or DbGate's data folder — or a file of connections.",
            ));
        }
        // A property list may be binary: Sequel Ace's favorites are read as bytes.
        if opts.from.is_none_or(|t| t == Tool::SequelAce) {
            if let Some(bytes) = sources::sequel_ace_favorites(&path).await {
                return Ok(Loaded::SequelAce {
                    bytes,
                    label: file_name(&path).unwrap_or_default(),
                });
            }
        }
        if let Some(refused) = sources::foreign::recognise(&path).await {
            return Err(refused);
        }
        Ok(Loaded::Text {
            text: read_import_file(&path).await?,
            name: file_name(&path),
        })
    }
}

/// `loaded` parsed as `opts` say, refused when it is not the tool `opts.from` names.
pub(super) async fn parse(loaded: &Loaded, opts: &ImportOptions) -> Result<batch::Batch> {
    // pgAdmin's `Service` entries are resolved as libpq would, from this machine's files.
    let pg_services = match loaded {
        Loaded::Text { text, .. }
            if text.contains("\"Servers\"") && text.contains("\"Service\"") =>
        {
            sources::pg_service_files().await
        }
        _ => Vec::new(),
    };
    let parsed = match loaded {
        Loaded::Text { text, name } => batch::parse_with(
            text,
            name.as_deref(),
            batch::ReadOptions {
                include_passwords: opts.include_passwords,
                passphrase: opts.passphrase.as_ref().map(Secret::expose),
                pg_services: &pg_services,
            },
        )?,
        Loaded::Dbeaver(files) => batch::parse_dbeaver(files)?,
        Loaded::Datagrip(project) => batch::parse_datagrip(project)?,
        Loaded::Beekeeper(store) => batch::parse_beekeeper(store)?,
        Loaded::Dbgate(store) => batch::parse_dbgate(store)?,
        Loaded::SequelAce { bytes, label } => batch::parse_sequel_ace(bytes, label)?,
    };
    if let Some(tool) = opts.from {
        let is = parsed.source == batch::BatchSource::Tool(tool);
        if !is {
            return Err(CoreError::input(
                ErrorCode::PayloadInvalid,
                Some("from"),
                format!(
                    "The file is not {}'s: it reads as {}.",
                    tool.label(),
                    source_words(parsed.source)
                ),
                "Choose the tool's own file, or leave out --from to let Switchboard tell.",
            ));
        }
    }
    Ok(parsed)
}
