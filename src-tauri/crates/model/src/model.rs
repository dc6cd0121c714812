//! What a saved connection is. Plain data: no I/O here.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::secret::Secret;

/// Database engines Switchboard knows. Stored as the serde name. What each needs is
/// described once in `engines`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Engine {
    Postgres,
    SqlServer,
    Mysql,
    Mongodb,
    Oracle,
    Sqlite,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Postgres => "postgres",
            Engine::SqlServer => "sqlserver",
            Engine::Mysql => "mysql",
            Engine::Mongodb => "mongodb",
            Engine::Oracle => "oracle",
            Engine::Sqlite => "sqlite",
        }
    }

    pub fn parse(s: &str) -> Option<Engine> {
        Engine::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// An engine-specific setting's value (`options.<name>` in the engine's description).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export)]
pub enum OptionValue {
    Bool(bool),
    Text(String),
}

impl OptionValue {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            OptionValue::Text(s) => Some(s),
            OptionValue::Bool(_) => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            OptionValue::Bool(b) => Some(*b),
            OptionValue::Text(_) => None,
        }
    }
}

impl From<&str> for OptionValue {
    fn from(s: &str) -> Self {
        OptionValue::Text(s.to_owned())
    }
}

pub type Options = std::collections::BTreeMap<String, OptionValue>;

/// A text option that is set (trimmed, not empty): how every reader of `options` asks.
pub fn text_option<'a>(options: &'a Options, name: &str) -> Option<&'a str> {
    options
        .get(name)
        .and_then(OptionValue::as_text)
        .map(str::trim)
        .filter(|s| !s.is_empty())
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
    /// Client certificate for mutual TLS, PEM text. Its private key is a secret and lives
    /// in the keychain.
    #[serde(default)]
    pub client_cert_pem: Option<String>,
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

/// Where a connection points, shown as a coloured label so production stands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Environment {
    Local,
    Development,
    Staging,
    Production,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Local => "local",
            Environment::Development => "development",
            Environment::Staging => "staging",
            Environment::Production => "production",
        }
    }

    pub fn parse(s: &str) -> Option<Environment> {
        Some(match s {
            "local" => Environment::Local,
            "development" => Environment::Development,
            "staging" => Environment::Staging,
            "production" => Environment::Production,
            _ => return None,
        })
    }

    /// The label's colour unless the connection sets its own.
    pub fn default_color(self) -> &'static str {
        match self {
            Environment::Local => "#6b7280",
            Environment::Development => "#2563eb",
            Environment::Staging => "#d97706",
            Environment::Production => "#dc2626",
        }
    }
}

/// An environment as the UI offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct EnvironmentInfo {
    pub environment: Environment,
    pub label: &'static str,
    pub default_color: &'static str,
}

impl Environment {
    pub const ALL: [Environment; 4] = [
        Environment::Local,
        Environment::Development,
        Environment::Staging,
        Environment::Production,
    ];

    pub fn info(self) -> EnvironmentInfo {
        EnvironmentInfo {
            environment: self,
            label: match self {
                Environment::Local => "Local",
                Environment::Development => "Development",
                Environment::Staging => "Staging",
                Environment::Production => "Production",
            },
            default_color: self.default_color(),
        }
    }
}

/// Free-form key → value pairs (Lerian's `metadata`). Values are held as JSON so that a
/// nested value from an import reaches validation and is reported, not silently coerced;
/// only strings are ever stored.
pub type Metadata = std::collections::BTreeMap<String, serde_json::Value>;

pub const DEFAULT_TIMEOUT_SECS: u32 = 10;

fn default_timeout() -> u32 {
    DEFAULT_TIMEOUT_SECS
}

/// The editable fields of a connection, as a form or the CLI fills them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConnectionFields {
    /// The display name: any text people write (`billing (prod, EU)`, `Склад`), unique
    /// ignoring case and surrounding spaces.
    pub name: String,
    /// The slug the CLI and slug-only formats (Infisical's `name`) use: ASCII letters,
    /// digits, `-`, `_`, `.`, unique ignoring case. Empty means "derive it from the name"
    /// when saved (`validation::derive_handle`, made unique with `-2`, `-3`, …).
    #[serde(default)]
    pub handle: String,
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
    #[serde(default)]
    pub environment: Option<Environment>,
    /// `#rrggbb`; when absent the environment's colour is used.
    #[serde(default)]
    pub color: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    #[ts(type = "Record<string, string>")]
    pub metadata: Metadata,
    /// Engine-specific settings, as the engine's description lists them.
    #[serde(default)]
    pub options: Options,
    /// The SSH route to the database, if it sits behind bastions.
    #[serde(default)]
    pub ssh: Option<crate::ssh::SshRoute>,
    /// Where it sits in the list's tree: folder names joined by `/` (`Payments/EU/prod`),
    /// empty at the top level (see `folder`).
    #[serde(default)]
    pub folder: String,
}

impl ConnectionFields {
    pub fn text_option(&self, name: &str) -> Option<&str> {
        text_option(&self.options, name)
    }

    /// Where it points, in one line: `user@host:port/db`, or the file for SQLite.
    pub fn target_summary(&self) -> String {
        target_text(
            self.engine,
            &self.username,
            &self.host,
            self.port,
            &self.database,
        )
    }

    /// An empty form for `engine`, with its default port.
    pub fn blank(engine: Engine, name: &str) -> Self {
        let mut f = Self::postgres(name, "", 0, "", "");
        f.engine = engine;
        f.port = engine.default_port().map(u32::from).unwrap_or(0);
        f
    }

    pub fn postgres(name: &str, host: &str, port: u32, database: &str, username: &str) -> Self {
        ConnectionFields {
            name: name.into(),
            handle: String::new(),
            engine: Engine::Postgres,
            host: host.into(),
            port,
            database: database.into(),
            username: username.into(),
            tls: TlsSettings::default(),
            description: None,
            password_save: PasswordSave::Keychain,
            timeout_secs: DEFAULT_TIMEOUT_SECS,
            environment: None,
            color: None,
            tags: Vec::new(),
            metadata: Metadata::new(),
            options: Options::new(),
            ssh: None,
            folder: String::new(),
        }
    }
}

/// A create request: the fields plus, optionally, the secrets to put in the keychain.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct NewConnection {
    #[serde(flatten)]
    pub fields: ConnectionFields,
    #[serde(default)]
    #[ts(type = "string | null")]
    pub password: Option<Secret>,
    /// The client certificate's private key, PEM text.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub client_key: Option<Secret>,
    /// The SSH route's secrets by slot (hop index; an alias has slot 0), for slots saved
    /// in the keychain.
    #[serde(default)]
    #[ts(type = "Array<string | null>")]
    pub ssh_secrets: Vec<Option<Secret>>,
}

/// What to do with a stored secret (password, client key) on update.
#[derive(Debug, Clone, TS, Default)]
#[ts(export, tag = "action", content = "value", rename_all = "snake_case")]
pub enum SecretChange {
    /// Keep whatever is stored (a blank password field on edit means this).
    #[default]
    Keep,
    /// Replace it.
    Set(#[ts(type = "string")] Secret),
    /// Remove it from the keychain.
    Clear,
}

/// What arrives over IPC: parsed leniently, so that a stray `value` next to `keep` or
/// `clear` is ignored rather than echoed back in a type error.
#[derive(Deserialize)]
struct SecretChangeWire {
    action: String,
    #[serde(default)]
    value: Option<Secret>,
}

impl<'de> Deserialize<'de> for SecretChange {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A wrong shape (e.g. a bare string) would make serde quote the value, which may be
        // the secret itself: answer with a fixed message instead.
        let wire = SecretChangeWire::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "expected {\"action\": \"keep\" | \"set\" | \"clear\", \"value\"?: string} (the value is not shown)",
            )
        })?;
        wire.try_into().map_err(serde::de::Error::custom)
    }
}

impl TryFrom<SecretChangeWire> for SecretChange {
    type Error = String;

    fn try_from(w: SecretChangeWire) -> Result<Self, String> {
        match (w.action.as_str(), w.value) {
            ("keep", _) => Ok(SecretChange::Keep),
            ("clear", _) => Ok(SecretChange::Clear),
            ("set", Some(v)) => Ok(SecretChange::Set(v)),
            ("set", None) => Err("action \"set\" needs a value".into()),
            _ => Err("action must be keep, set or clear".into()),
        }
    }
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
    pub password: SecretChange,
    #[serde(default)]
    pub client_key: SecretChange,
    /// By SSH slot; slots not listed are kept (while the slot still saves to the keychain).
    #[serde(default)]
    pub ssh_secrets: Vec<SecretChange>,
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
    /// Whether the client certificate's key is in the keychain.
    pub has_client_key: bool,
    /// The SSH route's slots (hop index, 0-based) whose secret is in the keychain.
    #[serde(default)]
    pub ssh_secrets: Vec<u32>,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

/// `user@host:port/database` (a file's path for SQLite): where a connection goes, as the
/// CLI's list and the window's rows write it.
pub fn target_text(
    engine: Engine,
    username: &str,
    host: &str,
    port: u32,
    database: &str,
) -> String {
    let spec = engine.spec();
    if !spec.has("host") {
        return database.to_owned();
    }
    let user = if username.is_empty() {
        String::new()
    } else {
        format!("{username}@")
    };
    let host_text = if host.parse::<std::net::Ipv6Addr>().is_ok() {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    let port = if spec.has("port") && !host.contains(',') {
        format!(":{port}")
    } else {
        String::new()
    };
    format!("{user}{host_text}{port}/{database}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_change_of_the_wrong_shape_is_refused_without_quoting_it() {
        for bad in [
            "\"hunter2-plain\"",
            "{\"action\":\"set\",\"value\":7}",
            "[\"hunter2-plain\"]",
        ] {
            let err = serde_json::from_str::<SecretChange>(bad)
                .unwrap_err()
                .to_string();
            assert!(!err.contains("hunter2"), "{err}");
        }
        let keep: SecretChange =
            serde_json::from_str("{\"action\":\"keep\",\"value\":\"ignored\"}").unwrap();
        assert!(matches!(keep, SecretChange::Keep));
    }
}
