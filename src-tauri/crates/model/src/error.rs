//! Every error a user can see: a stable code, the field it concerns, a message and a hint.
//!
//! `ErrorCode` is the public contract (documented in docs/errors.md, kept complete by a
//! test); `CoreError` is what the core returns internally and converts to `ApiError` at the
//! edges (Tauri commands, CLI JSON).

use serde::{Deserialize, Serialize};
use strum::{EnumIter, IntoStaticStr};
use ts_rs::TS;

/// Stable, documented error codes. Renaming one is a breaking change.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, EnumIter, IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    // Input validation
    ValidationFailed,
    NameRequired,
    NameTooLong,
    NameInvalidChars,
    NameTaken,
    HandleInvalidChars,
    HandleTooLong,
    HandleTaken,
    HostRequired,
    HostInvalid,
    PortOutOfRange,
    DatabaseRequired,
    UsernameRequired,
    DescriptionTooLong,
    CaPemInvalid,
    CaRequired,
    TlsMaterialInvalid,
    ClientCertInvalid,
    ClientKeyInvalid,
    ClientKeyRequired,
    ClientKeyWithoutCert,
    ClientKeyMismatch,
    CertificateExpired,
    CertificateExpiring,
    TimeoutOutOfRange,
    TlsModeUnsupported,
    OptionUnknown,
    OptionInvalid,
    ReplicationIncomplete,
    PrimaryNotFound,
    PathInvalid,
    PayloadInvalid,
    ExportNotPossible,
    ColorInvalid,
    TagInvalid,
    TagsTooMany,
    MetadataKeyInvalid,
    MetadataValueTooLong,
    MetadataValueNotText,
    MetadataTooMany,
    PasswordNotAllowed,
    SecretInvalid,
    UrlInvalid,
    FileUnreadable,
    DraftExpired,
    SshAliasInvalid,
    SshHopsInvalid,
    SshKeyFileRequired,
    SshNotPossible,
    FolderInvalid,
    FolderExists,
    // Storage
    NotFound,
    VersionConflict,
    StorageFailed,
    StorageNewerVersion,
    StoredRowUnreadable,
    UndoExpired,
    // Keychain
    KeychainUnavailable,
    KeychainLocked,
    KeychainFailed,
    KeychainTimeout,
    PasswordNotSaved,
    PasswordRequired,
    // Connection test
    DnsNotFound,
    Refused,
    Unreachable,
    Timeout,
    TlsNotSupportedByServer,
    TlsRequiredByServer,
    TlsUntrusted,
    TlsHostnameMismatch,
    TlsExpired,
    TlsClientCertRequired,
    TlsHandshakeFailed,
    AuthFailed,
    HbaRejected,
    DatabaseNotFound,
    PermissionDenied,
    ProtocolError,
    ConnectionFailed,
    Cancelled,
    // SSH route (each names the hop in its message and hint)
    SshConfigInvalid,
    SshDnsNotFound,
    SshRefused,
    SshUnreachable,
    SshTimeout,
    SshHandshakeFailed,
    SshHostKeyUnknown,
    SshHostKeyChanged,
    SshHostKeyRevoked,
    SshAuthFailed,
    SshKeyUnreadable,
    SshKeyPassphraseWrong,
    SshAgentUnavailable,
    SshForwardDenied,
    SshProxyCommandFailed,
    SshDisconnected,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Errors block saving; warnings are shown and let the user go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Severity {
    #[default]
    Error,
    Warning,
}

/// One problem with one field of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldIssue {
    pub code: ErrorCode,
    #[serde(default)]
    pub severity: Severity,
    /// Dotted path of the field, e.g. `port` or `tls.ca_pem`.
    pub field: String,
    pub message: String,
    pub hint: String,
}

impl FieldIssue {
    pub fn new(
        code: ErrorCode,
        field: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Self {
            code,
            severity: Severity::Error,
            field: field.to_owned(),
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl FieldIssue {
    pub fn warning(
        code: ErrorCode,
        field: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::new(code, field, message, hint)
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The error shape that crosses IPC and the CLI's `--json` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ApiError {
    pub code: ErrorCode,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
    pub hint: String,
    /// Every field problem when `code` is `validation_failed`.
    #[serde(default)]
    pub issues: Vec<FieldIssue>,
}

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("the connection has invalid fields")]
    Validation(Vec<FieldIssue>),
    #[error("no connection {0}")]
    NotFound(String),
    #[error(
        "the connection was changed elsewhere (you had version {expected}, it is now at {actual})"
    )]
    VersionConflict { expected: i64, actual: i64 },
    #[error("the local database failed: {0}")]
    Storage(String),
    #[error("the local database was written by a newer Switchboard (schema version {found}; this version knows up to {known})")]
    StorageNewer { found: i64, known: i64 },
    #[error("a saved connection cannot be read: {0}")]
    StoredRowUnreadable(String),
    #[error("the keychain did not answer within {0} s")]
    KeychainTimeout(f64),
    #[error("no keychain (Secret Service) is running: {0}")]
    KeychainUnavailable(String),
    #[error("the keychain is locked: {0}")]
    KeychainLocked(String),
    #[error("the keychain failed: {0}")]
    Keychain(String),
    #[error("no password is saved for this connection")]
    PasswordNotSaved,
    #[error("this connection asks for its password every time, and none was given")]
    PasswordRequired,
    #[error("{message}")]
    Input {
        code: ErrorCode,
        field: Option<String>,
        message: String,
        hint: String,
    },
}

impl CoreError {
    pub fn code(&self) -> ErrorCode {
        match self {
            CoreError::Validation(_) => ErrorCode::ValidationFailed,
            CoreError::NotFound(_) => ErrorCode::NotFound,
            CoreError::VersionConflict { .. } => ErrorCode::VersionConflict,
            CoreError::Storage(_) => ErrorCode::StorageFailed,
            CoreError::StorageNewer { .. } => ErrorCode::StorageNewerVersion,
            CoreError::StoredRowUnreadable(_) => ErrorCode::StoredRowUnreadable,
            CoreError::KeychainTimeout(_) => ErrorCode::KeychainTimeout,
            CoreError::KeychainUnavailable(_) => ErrorCode::KeychainUnavailable,
            CoreError::KeychainLocked(_) => ErrorCode::KeychainLocked,
            CoreError::Keychain(_) => ErrorCode::KeychainFailed,
            CoreError::PasswordNotSaved => ErrorCode::PasswordNotSaved,
            CoreError::PasswordRequired => ErrorCode::PasswordRequired,
            CoreError::Input { code, .. } => *code,
        }
    }

    pub fn hint(&self) -> String {
        match self {
            CoreError::Validation(_) => "Correct the fields listed and save again.".into(),
            CoreError::NotFound(_) => "Refresh the list; it may have been deleted.".into(),
            CoreError::VersionConflict { .. } => {
                "Reload the connection to see the newer version, then apply your change again.".into()
            }
            CoreError::Storage(_) => {
                "Check that the data directory is writable and the disk is not full.".into()
            }
            CoreError::StorageNewer { .. } => "Run the newer Switchboard that wrote it, or point SWITCHBOARD_DATA_DIR at another folder; this version will not change the file.".into(),
            CoreError::StoredRowUnreadable(_) => "Delete the connection (or restore it from an export); the others are not affected.".into(),
            CoreError::KeychainTimeout(_) => "Answer or close any keyring prompt (an unlock dialog may be waiting) and try again; nothing was saved.".into(),
            CoreError::KeychainUnavailable(_) => "Start your keyring (e.g. GNOME Keyring or KeePassXC's Secret Service) and log in to it, or choose \"ask every time\" for the password.".into(),
            CoreError::KeychainLocked(_) => "Unlock your keyring (your login keyring usually unlocks when you log in) and try again.".into(),
            CoreError::Keychain(_) => "Check your keyring application; Switchboard never falls back to storing passwords in plain text.".into(),
            CoreError::PasswordNotSaved => "Enter the password, or edit the connection to save one.".into(),
            CoreError::PasswordRequired => "Enter the password to use for this test.".into(),
            CoreError::Input { hint, .. } => hint.clone(),
        }
    }

    pub fn field(&self) -> Option<String> {
        match self {
            CoreError::PasswordRequired | CoreError::PasswordNotSaved => Some("password".into()),
            CoreError::Input { field, .. } => field.clone(),
            _ => None,
        }
    }

    pub fn to_api(&self) -> ApiError {
        ApiError {
            code: self.code(),
            field: self.field(),
            message: self.to_string(),
            hint: self.hint(),
            issues: match self {
                CoreError::Validation(issues) => issues.clone(),
                _ => Vec::new(),
            },
        }
    }

    pub fn input(
        code: ErrorCode,
        field: Option<&str>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        CoreError::Input {
            code,
            field: field.map(str::to_owned),
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        e.to_api()
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    fn documented() -> Vec<String> {
        let doc = include_str!("../../../../docs/errors.md");
        doc.lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split('`').next())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn every_error_code_is_documented_and_every_documented_code_exists() {
        let doc = documented();
        let code: Vec<String> = ErrorCode::iter().map(|c| c.as_str().to_owned()).collect();
        let undocumented: Vec<&String> = code.iter().filter(|c| !doc.contains(c)).collect();
        let unknown: Vec<&String> = doc.iter().filter(|d| !code.contains(d)).collect();
        assert!(
            undocumented.is_empty(),
            "missing from docs/errors.md: {undocumented:?}"
        );
        assert!(
            unknown.is_empty(),
            "docs/errors.md lists codes that do not exist: {unknown:?}"
        );
    }

    #[test]
    fn codes_serialize_as_their_documented_snake_case_names() {
        for c in ErrorCode::iter() {
            assert_eq!(
                serde_json::to_value(c).unwrap(),
                serde_json::json!(c.as_str())
            );
        }
    }
}
