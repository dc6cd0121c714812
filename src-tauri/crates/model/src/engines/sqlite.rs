//! SQLite: a file on this machine.

use super::{field, tls, DefaultValue, EngineSpec, FieldKind, Section};
use crate::error::{ErrorCode, FieldIssue};
use crate::model::{ConnectionFields, Engine, TlsMode};

pub fn spec() -> EngineSpec {
    EngineSpec {
        engine: Engine::Sqlite,
        label: "SQLite",
        default_port: None,
        fields: vec![
            field("database", "Database file", FieldKind::FilePath, Section::Server)
                .required()
                .placeholder("/home/me/app.db")
                .help("The path of the database file on this machine."),
            field("options.read_only", "Read-only", FieldKind::Bool, Section::Server)
                .default(DefaultValue::Bool(true))
                .help("Open without write access; a missing file is then an error, never a new empty database."),
        ],
        unix_sockets: false,
        tls_modes: vec![
            tls(TlsMode::Disable, true, "—", "A local file: nothing crosses the network."),
            tls(TlsMode::Prefer, false, "—", "A local file has no TLS."),
            tls(TlsMode::Require, false, "—", "A local file has no TLS."),
            tls(TlsMode::VerifyCa, false, "—", "A local file has no TLS."),
            tls(TlsMode::VerifyFull, false, "—", "A local file has no TLS."),
        ],
        tls_note: "",
    }
}

pub fn check(f: &ConnectionFields, issues: &mut Vec<FieldIssue>) {
    let path = f.database.trim();
    if path.is_empty() {
        return;
    }
    if path.contains("://") || path.starts_with("sqlite:") {
        issues.push(FieldIssue::new(
            ErrorCode::PathInvalid,
            "database",
            "Give the file's path, not a URL.",
            "For sqlite:///home/me/app.db enter /home/me/app.db.",
        ));
    } else if !std::path::Path::new(path).is_absolute() {
        issues.push(FieldIssue::new(
            ErrorCode::PathInvalid,
            "database",
            "The path is relative, so it would depend on where Switchboard was started.",
            "Give the full path, e.g. /home/me/app.db.",
        ));
    }
}
