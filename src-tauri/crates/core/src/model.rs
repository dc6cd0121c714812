//! What a saved connection is. Plain data: no I/O here.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::secret::Secret;

/// Database engines Switchboard knows. Stored as the serde name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Engine {
    Postgres,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Postgres => "postgres",
        }
    }

    pub fn parse(s: &str) -> Option<Engine> {
        match s {
            "postgres" => Some(Engine::Postgres),
            _ => None,
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            Engine::Postgres => 5432,
        }
    }
}

/// The one TLS ladder every engine maps onto.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "kebab-case")]
#[ts(export)]
pub enum TlsMode {
    /// No TLS at all.
    Disable,
    /// TLS when the server offers it, without verification; plain text otherwise.
    Prefer,
    /// TLS always, certificate not verified.
    Require,
    /// TLS always, certificate chain verified, host name not checked.
    VerifyCa,
    /// TLS always, chain and host name verified.
    #[default]
    VerifyFull,
}

impl TlsMode {
    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::Disable => "disable",
            TlsMode::Prefer => "prefer",
            TlsMode::Require => "require",
            TlsMode::VerifyCa => "verify-ca",
            TlsMode::VerifyFull => "verify-full",
        }
    }

    pub fn parse(s: &str) -> Option<TlsMode> {
        Some(match s {
            "disable" => TlsMode::Disable,
            "prefer" => TlsMode::Prefer,
            "require" => TlsMode::Require,
            "verify-ca" => TlsMode::VerifyCa,
            "verify-full" => TlsMode::VerifyFull,
            _ => return None,
        })
    }

    pub const ALL: [TlsMode; 5] = [
        TlsMode::Disable,
        TlsMode::Prefer,
        TlsMode::Require,
        TlsMode::VerifyCa,
        TlsMode::VerifyFull,
    ];
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[ts(export)]
pub struct TlsSettings {
    pub mode: TlsMode,
    /// Extra trusted CA certificate(s), PEM text. Trusted in addition to the OS store.
    #[serde(default)]
    pub ca_pem: Option<String>,
}

/// Where a connection's password lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PasswordSave {
    /// In the OS keychain.
    #[default]
    Keychain,
    /// Nowhere: asked for at every test or use.
    Ask,
    /// The connection has no password.
    None,
}

impl PasswordSave {
    pub fn as_str(self) -> &'static str {
        match self {
            PasswordSave::Keychain => "keychain",
            PasswordSave::Ask => "ask",
            PasswordSave::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<PasswordSave> {
        Some(match s {
            "keychain" => PasswordSave::Keychain,
            "ask" => PasswordSave::Ask,
            "none" => PasswordSave::None,
            _ => return None,
        })
    }
}

pub const DEFAULT_TIMEOUT_SECS: u32 = 10;

fn default_timeout() -> u32 {
    DEFAULT_TIMEOUT_SECS
}

/// The editable fields of a connection, as a form or the CLI fills them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConnectionFields {
    pub name: String,
    pub engine: Engine,
    pub host: String,
    /// Kept wider than u16 so that an out-of-range number reaches validation and gets a
    /// field error instead of a deserialisation failure.
    pub port: u32,
    pub database: String,
    pub username: String,
    #[serde(default)]
    pub tls: TlsSettings,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub password_save: PasswordSave,
    /// Whole-test timeout in seconds.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u32,
}

impl ConnectionFields {
    pub fn postgres(name: &str, host: &str, port: u32, database: &str, username: &str) -> Self {
        ConnectionFields {
            name: name.into(),
            engine: Engine::Postgres,
            host: host.into(),
            port,
            database: database.into(),
            username: username.into(),
            tls: TlsSettings::default(),
            description: None,
            password_save: PasswordSave::Keychain,
            timeout_secs: DEFAULT_TIMEOUT_SECS,
        }
    }
}

/// A create request: the fields plus, optionally, the password to put in the keychain.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct NewConnection {
    #[serde(flatten)]
    pub fields: ConnectionFields,
    #[serde(default)]
    #[ts(type = "string | null")]
    pub password: Option<Secret>,
}

/// What to do with the stored password on update.
#[derive(Debug, Clone, Deserialize, TS, Default)]
#[serde(tag = "action", content = "value", rename_all = "snake_case")]
#[ts(export)]
pub enum PasswordChange {
    /// Keep whatever is stored (a blank password field on edit means this).
    #[default]
    Keep,
    /// Replace it.
    Set(#[ts(type = "string")] Secret),
    /// Remove it from the keychain.
    Clear,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ConnectionUpdate {
    pub id: Uuid,
    /// The version the editor started from; a different stored version is a conflict.
    pub version: i64,
    #[serde(flatten)]
    pub fields: ConnectionFields,
    #[serde(default)]
    pub password: PasswordChange,
}

/// A saved connection as every reader sees it. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Connection {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: ConnectionFields,
    /// Whether a password is in the keychain for it (as of the last write through Switchboard).
    pub has_saved_password: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}
