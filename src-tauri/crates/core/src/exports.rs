//! A connection as text for another tool: a saved one (with its primary, and its secrets
//! only when the user asks), or what a form holds, for the live preview (never a secret).
//! The formats themselves are `connstr`'s; this composes what they need.

use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::connections::Switchboard;
use crate::connstr::{self, ExportContext, ExportFormat, ExportedText, Primary};
use crate::error::Result;
use crate::keychain::SecretKind;
use crate::model::{Connection, ConnectionFields, TlsMode};

/// What "Copy as…" did. The window's adapter writes the text to the system clipboard from
/// Rust; the page gets the text back only to show it (never when it holds a secret and
/// the clipboard took it).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CopiedText {
    /// The clipboard holds the text.
    pub copied: bool,
    /// The text, for the page to show (or to select, when the clipboard was unavailable).
    pub text: Option<String>,
    /// With a secret in it: the clipboard is cleared after this many seconds, if it still
    /// holds the text then.
    pub clears_after_secs: Option<u32>,
    pub warnings: Vec<String>,
    /// Why the clipboard could not take it, when it could not.
    pub clipboard_error: Option<String>,
}

/// How long a copied secret stays on the clipboard, as password managers do.
pub const SECRET_CLIPBOARD_SECS: u32 = 30;

/// The formats a list of connections is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ListFormat {
    /// Switchboard's own JSON list: every setting, read back losslessly.
    Switchboard,
    /// pgAdmin 4's servers.json (PostgreSQL only).
    Pgadmin,
    /// DBeaver's data-sources.json (a project's .dbeaver folder).
    Dbeaver,
}

impl ListFormat {
    pub fn parse(s: &str) -> Option<ListFormat> {
        match s {
            "switchboard" | "json" => Some(ListFormat::Switchboard),
            "pgadmin" => Some(ListFormat::Pgadmin),
            "dbeaver" => Some(ListFormat::Dbeaver),
            _ => None,
        }
    }

    /// The file name the tool reads.
    pub fn file_name(self) -> &'static str {
        match self {
            ListFormat::Switchboard => "switchboard-connections.json",
            ListFormat::Pgadmin => "servers.json",
            ListFormat::Dbeaver => "data-sources.json",
        }
    }
}

/// Where the window wrote a list, and what its format could not carry.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SavedExport {
    pub path: String,
    pub warnings: Vec<String>,
}

/// A list written in a format, and what the format could not carry.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ListExport {
    pub text: String,
    pub warnings: Vec<String>,
}

impl Switchboard {
    /// Switchboard's own JSON list (`connstr::native`) of `ids` (all when empty), in the
    /// list's order: every setting, folders included, never a secret. Import reads it back.
    /// Every folder (empty ones too) goes with an export of all; with `under`, the folders
    /// within that one; a selection carries only its connections' own folders.
    pub async fn export_list(&self, ids: &[Uuid], under: Option<&str>) -> Result<String> {
        Ok(self
            .export_list_as(ids, under, ListFormat::Switchboard)
            .await?
            .text)
    }

    /// `export_list` in another tool's format (pgAdmin's servers.json, DBeaver's
    /// data-sources.json), with what that format could not say. Never a secret.
    pub async fn export_list_as(
        &self,
        ids: &[Uuid],
        under: Option<&str>,
        format: ListFormat,
    ) -> Result<ListExport> {
        let conns: Vec<Connection> = if ids.is_empty() {
            self.store.list().await?
        } else {
            let mut out = Vec::with_capacity(ids.len());
            for &id in ids {
                out.push(self.store.get(id).await?);
            }
            out
        };
        let mut folders: Vec<String> = match (ids.is_empty(), under) {
            (true, _) => self.store.folder_paths().await?,
            (false, Some(top)) => {
                let top = crate::folder::normalize(top);
                let mut all = self.store.folder_paths().await?;
                all.retain(|p| crate::folder::within(p, &top));
                all
            }
            (false, None) => Vec::new(),
        };
        folders.sort();
        tracing::info!(count = conns.len(), format = ?format, "connections exported as a list");
        let fields: Vec<ConnectionFields> = conns.iter().map(|c| c.fields.clone()).collect();
        let (text, warnings) = match format {
            ListFormat::Switchboard => (
                connstr::native::export(&fields, &folders, &crate::store::now()),
                Vec::new(),
            ),
            ListFormat::Pgadmin => connstr::pgadmin::export_servers(&fields),
            ListFormat::Dbeaver => {
                let pairs: Vec<(String, &ConnectionFields)> = conns
                    .iter()
                    .map(|c| (c.id.simple().to_string(), &c.fields))
                    .collect();
                connstr::dbeaver::export_data_sources(&pairs, &folders)
            }
        };
        Ok(ListExport { text, warnings })
    }

    /// A saved connection as `format`; its secrets (and its primary's password) only when
    /// `include_secrets`.
    pub async fn export_text(
        &self,
        id: Uuid,
        format: ExportFormat,
        include_secrets: bool,
    ) -> Result<ExportedText> {
        let c = self.store.get(id).await?;
        let ctx = self.export_context(&c, include_secrets).await?;
        let out = connstr::export(&c.fields, &ctx, format)?;
        // Copied: it counts as used ("Recently used").
        if let Err(e) = self.mark_used(id).await {
            tracing::warn!(error = %e, "could not remember that a connection was copied");
        }
        Ok(out)
    }

    /// What a form holds as `format`, normalised as a save would, never with a secret.
    pub fn preview(fields: ConnectionFields, format: ExportFormat) -> Result<ExportedText> {
        let mut fields = fields;
        crate::validation::normalize(&mut fields);
        connstr::export(&fields, &ExportContext::default(), format)
    }

    /// What an export of `c` needs: its primary (for a replica) and, only when the user
    /// explicitly asks, the saved secrets.
    async fn export_context(&self, c: &Connection, include_secrets: bool) -> Result<ExportContext> {
        let mut ctx = ExportContext::default();
        if let Some(name) = c.fields.text_option("replica_of") {
            let same_engine = self
                .store
                .find_by_name(name)
                .await?
                .filter(|p| p.fields.engine == c.fields.engine);
            if let Some(p) = same_engine {
                ctx.primary = Some(Primary {
                    host: p.fields.host.clone(),
                    port: p.fields.port,
                    database: p.fields.database.clone(),
                    username: p.fields.username.clone(),
                    ssl: p.fields.tls.mode != TlsMode::Disable,
                    tls_mode: Some(p.fields.tls.mode),
                    password: if include_secrets {
                        self.saved_secret(&p, SecretKind::Password).await?
                    } else {
                        None
                    },
                });
            }
        }
        if include_secrets {
            tracing::info!(id = %c.id, "secrets included in an export on request");
            ctx.password = self.saved_secret(c, SecretKind::Password).await?;
            ctx.client_key = self.saved_secret(c, SecretKind::ClientKey).await?;
        }
        Ok(ctx)
    }
}
