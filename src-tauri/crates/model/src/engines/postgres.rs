//! PostgreSQL: libpq's words (sslmode), Lerian's schema, Sequin's primary and replication slots.

use super::{field, network_fields, tls, tls_fields, DefaultValue, EngineSpec, FieldKind, Section};
use crate::error::{ErrorCode, FieldIssue};
use crate::model::{ConnectionFields, Engine, TlsMode};

pub fn spec() -> EngineSpec {
    let mut fields = network_fields(5432, true);
    fields[0] = fields[0]
        .clone()
        .help("Host name, IP address, or a Unix-socket directory such as /var/run/postgresql.");
    fields.extend(tls_fields(true));
    fields.extend([
        field(
            "options.schema",
            "Default schema",
            FieldKind::Text,
            Section::Advanced,
        )
        .default(DefaultValue::Text("public"))
        .help("Schema searched first (search_path)."),
        field(
            "options.application_name",
            "Application name",
            FieldKind::Text,
            Section::Advanced,
        )
        .placeholder("switchboard")
        .help("Shown in pg_stat_activity."),
        field(
            "options.target_session_attrs",
            "Target session",
            FieldKind::Select,
            Section::Advanced,
        )
        .default(DefaultValue::Text("any"))
        .choices(&[
            ("any", "Any server"),
            ("read-write", "Read-write"),
            ("read-only", "Read-only"),
            ("primary", "Primary"),
            ("standby", "Standby"),
            ("prefer-standby", "Prefer standby"),
        ]),
        field(
            "options.replica_of",
            "Replica of",
            FieldKind::Text,
            Section::Advanced,
        )
        .help("If this server is a read replica: the name of the saved connection to its primary."),
        field(
            "options.publication",
            "Publication",
            FieldKind::Text,
            Section::Advanced,
        )
        .help("Logical replication: the publication to read."),
        field(
            "options.replication_slot",
            "Replication slot",
            FieldKind::Text,
            Section::Advanced,
        )
        .help("Logical replication: the slot that holds changes for this connection."),
        field(
            "options.slot_status",
            "Slot status",
            FieldKind::Select,
            Section::Advanced,
        )
        .default(DefaultValue::Text("active"))
        .choices(&[("active", "Active"), ("disabled", "Disabled")]),
    ]);
    EngineSpec {
        engine: Engine::Postgres,
        label: "PostgreSQL",
        default_port: Some(5432),
        fields,
        unix_sockets: true,
        tls_modes: vec![
            tls(TlsMode::Disable, true, "sslmode=disable", "No encryption: traffic, including the login, can be read on the network."),
            tls(TlsMode::Prefer, true, "sslmode=prefer", "Encrypted if the server offers it, without verifying the certificate; plain otherwise."),
            tls(TlsMode::Require, true, "sslmode=require", "Always encrypted; the certificate is not verified, so an impostor could read the traffic."),
            tls(TlsMode::VerifyCa, true, "sslmode=verify-ca", "Always encrypted; the certificate must chain to this connection's CA. The host name is not checked."),
            tls(TlsMode::VerifyFull, true, "sslmode=verify-full", "Always encrypted; the certificate must chain to a trusted CA and name this host. The safest choice."),
        ],
        tls_note: "",
    }
}

pub fn check(f: &ConnectionFields, issues: &mut Vec<FieldIssue>) {
    let text = |k: &str| {
        f.options
            .get(k)
            .and_then(|v| v.as_text())
            .filter(|s| !s.is_empty())
    };
    let (publication, slot) = (text("publication"), text("replication_slot"));
    if publication.is_some() != slot.is_some() {
        let missing = if publication.is_none() {
            "publication"
        } else {
            "replication_slot"
        };
        issues.push(FieldIssue::new(
            ErrorCode::ReplicationIncomplete,
            &format!("options.{missing}"),
            "Logical replication needs both a publication and a replication slot.",
            "Fill in both, or neither.",
        ));
    }
    if let Some(primary) = text("replica_of") {
        if primary.eq_ignore_ascii_case(&f.name) {
            issues.push(FieldIssue::new(
                ErrorCode::OptionInvalid,
                "options.replica_of",
                "A connection cannot be a replica of itself.",
                "Name the saved connection of the primary server.",
            ));
        }
    }
}
