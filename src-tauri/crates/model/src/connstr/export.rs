//! The export registry: which formats each engine is written in ("Copy as…"), and the
//! one entry point that writes a connection in one of them. Each engine's module writes its
//! own words; the JSON bodies are `payloads`'. A format warns only about what the user
//! would lose: a setting that is set, not its engine's default, and has no place in it
//! (`uncarried_options`, the one rule for engine settings in every format).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::draft::Primary;
use super::payloads::PayloadFormat;
use super::{mongodb, mysql, oracle, postgres, shell, sqlite, sqlserver};
use crate::engines::DefaultValue;
use crate::error::{CoreError, ErrorCode, Result};
use crate::model::{ConnectionFields, Engine, OptionValue, PasswordSave};
use crate::secret::Secret;

/// What an export may need besides the connection: its secrets (only on the user's
/// explicit choice) and, for a replica, its primary (Sequin's `primary` block).
#[derive(Debug, Default, Clone)]
pub struct ExportContext {
    pub password: Option<Secret>,
    pub client_key: Option<Secret>,
    pub primary: Option<Primary>,
}

/// What a connection can be copied as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportFormat {
    /// The engine's own URL (postgresql://, mysql://, mongodb://, sqlserver://, EZConnect, sqlite://).
    Url,
    /// libpq keyword=value (PostgreSQL).
    Kv,
    Jdbc,
    /// ADO.NET (SQL Server).
    Ado,
    /// The engine's command-line client: psql, mysql, sqlcmd, mongosh, sqlplus, sqlite3.
    Shell,
    /// A `DATABASE_URL=` line for a .env file.
    Env,
    Infisical,
    Sequin,
    Lerian,
    /// The OpenSSH command that opens the connection's SSH route as a local forward.
    Ssh,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 10] = [
        ExportFormat::Url,
        ExportFormat::Kv,
        ExportFormat::Jdbc,
        ExportFormat::Ado,
        ExportFormat::Shell,
        ExportFormat::Env,
        ExportFormat::Infisical,
        ExportFormat::Sequin,
        ExportFormat::Lerian,
        ExportFormat::Ssh,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Url => "url",
            ExportFormat::Kv => "kv",
            ExportFormat::Jdbc => "jdbc",
            ExportFormat::Ado => "ado",
            ExportFormat::Shell => "shell",
            ExportFormat::Env => "env",
            ExportFormat::Infisical => "infisical",
            ExportFormat::Sequin => "sequin",
            ExportFormat::Lerian => "lerian",
            ExportFormat::Ssh => "ssh",
        }
    }

    pub fn parse(s: &str) -> Option<ExportFormat> {
        let s = match s {
            "psql" | "mysql" | "mariadb" | "sqlcmd" | "mongosh" | "sqlplus" | "sqlite3" => "shell",
            other => other,
        };
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub(super) fn payload(self) -> Option<PayloadFormat> {
        match self {
            ExportFormat::Infisical => Some(PayloadFormat::Infisical),
            ExportFormat::Sequin => Some(PayloadFormat::Sequin),
            ExportFormat::Lerian => Some(PayloadFormat::Lerian),
            _ => None,
        }
    }
}

/// A connection written out in one format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ExportedText {
    pub format: ExportFormat,
    pub text: String,
    /// What the format cannot carry (or carries stricter), in words.
    pub warnings: Vec<String>,
    /// The fields the text does not carry (`tls.ca_pem`, `options.replica_of`, …): a form
    /// that reads the text back keeps its own values for these.
    pub dropped: Vec<String>,
}

/// One entry of the "Copy as…" menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ExportFormatInfo {
    pub format: ExportFormat,
    /// In the engine's words: "psql command", "ADO.NET string", "JDBC URL".
    pub label: String,
}

/// The "Copy as…" menu for `engine`.
pub fn format_menu(engine: Engine) -> Vec<ExportFormatInfo> {
    formats_for(engine)
        .into_iter()
        .map(|format| {
            let label = match format {
                ExportFormat::Url => match engine {
                    Engine::Oracle => "EZConnect string".to_owned(),
                    _ => "URL".to_owned(),
                },
                ExportFormat::Kv => "libpq keyword=value".to_owned(),
                ExportFormat::Jdbc => "JDBC URL".to_owned(),
                ExportFormat::Ado => "ADO.NET string".to_owned(),
                ExportFormat::Shell => format!(
                    "{} command",
                    match engine {
                        Engine::Postgres => "psql",
                        Engine::Mysql => "mysql",
                        Engine::SqlServer => "sqlcmd",
                        Engine::Mongodb => "mongosh",
                        Engine::Oracle => "sqlplus",
                        Engine::Sqlite => "sqlite3",
                    }
                ),
                ExportFormat::Env => "DATABASE_URL= line".to_owned(),
                ExportFormat::Infisical => "Infisical JSON".to_owned(),
                ExportFormat::Sequin => "Sequin JSON".to_owned(),
                ExportFormat::Lerian => "Lerian JSON".to_owned(),
                ExportFormat::Ssh => "OpenSSH tunnel command".to_owned(),
            };
            ExportFormatInfo { format, label }
        })
        .collect()
}

/// The formats `engine` can be written in, in menu order.
pub fn formats_for(engine: Engine) -> Vec<ExportFormat> {
    let mut v = vec![ExportFormat::Url];
    match engine {
        Engine::Postgres => v.extend([ExportFormat::Kv, ExportFormat::Jdbc]),
        Engine::SqlServer => v.extend([ExportFormat::Ado, ExportFormat::Jdbc]),
        Engine::Mysql | Engine::Oracle | Engine::Sqlite => v.push(ExportFormat::Jdbc),
        Engine::Mongodb => {}
    }
    v.extend([ExportFormat::Shell, ExportFormat::Env]);
    match engine {
        Engine::Postgres => v.extend([
            ExportFormat::Infisical,
            ExportFormat::Sequin,
            ExportFormat::Lerian,
        ]),
        Engine::SqlServer => v.extend([ExportFormat::Infisical, ExportFormat::Lerian]),
        Engine::Mysql | Engine::Mongodb | Engine::Oracle => v.push(ExportFormat::Lerian),
        Engine::Sqlite => {}
    }
    if engine != Engine::Sqlite {
        v.push(ExportFormat::Ssh);
    }
    v
}

/// The local port a tunnel suggests for a database port: 15432 for 5432, as people do;
/// 0 (any free port) when that is past 65535.
pub fn tunnel_port(db_port: u32) -> u16 {
    u16::try_from(db_port.saturating_add(10000)).unwrap_or(0)
}

/// Writes `f` in `format`. The password (and client key, for payloads) appear only if the
/// caller put them in `ctx`, which it does only on the user's explicit choice.
pub fn export(
    f: &ConnectionFields,
    ctx: &ExportContext,
    format: ExportFormat,
) -> Result<ExportedText> {
    if !formats_for(f.engine).contains(&format) {
        return Err(not_carried(f.engine, format));
    }
    if format == ExportFormat::Ssh {
        let Some(route) = &f.ssh else {
            return Err(CoreError::input(
                ErrorCode::ExportNotPossible,
                Some("format"),
                "This connection has no SSH route to write as an OpenSSH command.",
                "Add an SSH route, or choose another format.",
            ));
        };
        let local = match tunnel_port(f.port) {
            0 => 15000,
            p => p,
        };
        return Ok(ExportedText {
            format,
            text: route.openssh_command(local, &f.host, f.port),
            warnings: vec![format!(
                "then point the client at 127.0.0.1:{local}; with verify-full it must still check the name {} (libpq: host={} hostaddr=127.0.0.1)",
                f.host, f.host
            )],
            dropped: Vec::new(),
        });
    }
    let route_warning = f.ssh.as_ref().map(|_| {
        format!(
            "the SSH route is not in the text: open it first (Copy as OpenSSH tunnel command, or switchboard tunnel) and point the client at 127.0.0.1:{}",
            tunnel_port(f.port)
        )
    });
    if let Some(p) = format.payload() {
        let mut out = super::payloads::export(p, f, ctx)?;
        if f.ssh.is_some() {
            out.warnings.push(format!(
                "{} cannot carry the SSH route: the database must be reachable from where it runs (or through its own gateway or tunnel)",
                format.as_str()
            ));
        }
        let text = serde_json::to_string_pretty(&out.body)
            .map_err(|e| CoreError::Storage(format!("payload serialisation: {e}")))?;
        return Ok(ExportedText {
            format,
            text,
            warnings: out.warnings,
            dropped: Vec::new(),
        });
    }
    let mut out = Out::default();
    let password = ctx.password.as_ref().map(Secret::expose);
    let text = if format == ExportFormat::Env {
        let url = engine_export(f, password, ExportFormat::Url, &mut out)?;
        format!("DATABASE_URL={}", shell::quote_env(&url))
    } else {
        engine_export(f, password, format, &mut out)?
    };
    // What no string carries.
    if f.tls.ca_pem.is_some() {
        out.drop(
            "tls.ca_pem",
            "the CA certificate is not in the text: save it to a file and point the client at it",
        );
    }
    if f.tls.client_cert_pem.is_some() {
        out.drop(
            "tls.client_cert_pem",
            "the client certificate and key are not in the text: save them to files and point the client at them",
        );
    }
    if let Some(w) = route_warning {
        out.drop("ssh", &w);
    }
    if ctx.password.is_none() && f.password_save == PasswordSave::Keychain {
        out.warnings.push(
            "the password is not included (choose to include it, or the client will ask)".into(),
        );
    }
    Ok(ExportedText {
        format,
        text,
        warnings: out.warnings,
        dropped: out.dropped,
    })
}

fn engine_export(
    f: &ConnectionFields,
    password: Option<&str>,
    format: ExportFormat,
    out: &mut Out,
) -> Result<String> {
    match f.engine {
        Engine::Postgres => postgres::export(f, password, format, out),
        Engine::Mysql => mysql::export(f, password, format, out),
        Engine::SqlServer => sqlserver::export(f, password, format, out),
        Engine::Mongodb => mongodb::export(f, password, format, out),
        Engine::Oracle => oracle::export(f, password, format, out),
        Engine::Sqlite => sqlite::export(f, format, out),
    }
}

/// A format this engine's module does not write (`formats_for` normally stops it first).
pub(super) fn not_carried(engine: Engine, format: ExportFormat) -> CoreError {
    CoreError::input(
        ErrorCode::ExportNotPossible,
        Some("format"),
        format!(
            "A {} connection cannot be written as {}.",
            engine.spec().label,
            format.as_str()
        ),
        format!(
            "Choose one of: {}.",
            formats_for(engine)
                .iter()
                .map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

/// Collects what an export could not carry.
#[derive(Default)]
pub(super) struct Out {
    pub(super) warnings: Vec<String>,
    pub(super) dropped: Vec<String>,
}

impl Out {
    pub(super) fn drop(&mut self, field: &str, why: &str) {
        self.dropped.push(field.to_owned());
        self.warnings.push(why.to_owned());
    }

    /// Options the format has no word for: all of them dropped, only the lost ones warned
    /// about (`uncarried_options`).
    pub(super) fn unexported_options(
        &mut self,
        f: &ConnectionFields,
        carried: &[&str],
        format: &str,
    ) {
        for (k, lost) in uncarried_options(f, carried) {
            match lost {
                Some(named) => self.drop(
                    &format!("options.{k}"),
                    &format!("{named} is a Switchboard setting that {format} has no place for"),
                ),
                None => self.dropped.push(format!("options.{k}")),
            }
        }
    }
}

/// The engine settings (`options`) a format does not carry, each with, when its value would
/// be lost, the setting in words (`Replication slot "orders_slot"`). The one rule every
/// format's warnings follow: a setting is lost when it is set (a flag or a text given) and
/// is not its engine's default (`engines/`), the value the other tool assumes when nothing
/// is said; an untouched or default setting is left out silently.
pub(super) fn uncarried_options<'a>(
    f: &'a ConnectionFields,
    carried: &[&str],
) -> Vec<(&'a str, Option<String>)> {
    let spec = f.engine.spec();
    f.options
        .iter()
        .filter(|(k, _)| !carried.contains(&k.as_str()))
        .map(|(k, v)| {
            let field = spec.field(&format!("options.{k}"));
            let default = field.and_then(|s| s.default.as_ref());
            let lost = match (v, default) {
                (OptionValue::Bool(b), Some(DefaultValue::Bool(d))) => b != d,
                (OptionValue::Bool(b), _) => *b,
                (OptionValue::Text(t), Some(DefaultValue::Text(d))) => t.trim() != *d,
                (OptionValue::Text(t), Some(DefaultValue::Number(n))) => t.trim() != n.to_string(),
                (OptionValue::Text(t), _) => !t.trim().is_empty(),
            };
            let label = field.map_or(k.as_str(), |s| s.label);
            let named = match v {
                OptionValue::Text(t) => format!("{label} \"{}\"", t.trim()),
                OptionValue::Bool(true) => format!("{label} turned on"),
                OptionValue::Bool(false) => format!("{label} turned off"),
            };
            (k.as_str(), lost.then_some(named))
        })
        .collect()
}
