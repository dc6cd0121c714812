//! MongoDB: host lists, mongodb+srv, tls / tlsAllowInvalidCertificates / tlsAllowInvalidHostnames.

use super::{field, tls, tls_fields, DefaultValue, EngineSpec, FieldKind, Section};
use crate::error::{ErrorCode, FieldIssue};
use crate::hosts::HostList;
use crate::model::{ConnectionFields, Engine, TlsMode};

pub fn spec() -> EngineSpec {
    let mut fields = vec![
        field("host", "Hosts", FieldKind::HostList, Section::Server)
            .required()
            .placeholder("db1.example.com:27017,db2.example.com:27017")
            .help("One host, or several host[:port] separated by commas (a replica set)."),
        field("port", "Port", FieldKind::Port, Section::Server)
            .required()
            .default(DefaultValue::Number(27017))
            .help("For hosts listed without a port."),
        field(
            "options.srv",
            "DNS seed list (mongodb+srv)",
            FieldKind::Bool,
            Section::Server,
        )
        .default(DefaultValue::Bool(false))
        .help("Find the hosts through DNS SRV records of a single host name (Atlas and similar)."),
        field("database", "Database", FieldKind::Text, Section::Server)
            .help("Optional: the default database."),
        field(
            "username",
            "Username",
            FieldKind::Text,
            Section::Authentication,
        ),
        field(
            "password",
            "Password",
            FieldKind::Secret,
            Section::Authentication,
        ),
        field(
            "options.auth_source",
            "Authentication database",
            FieldKind::Text,
            Section::Authentication,
        )
        .default(DefaultValue::Text("admin"))
        .help("authSource: where the user is defined."),
        field(
            "options.replica_set",
            "Replica set",
            FieldKind::Text,
            Section::Advanced,
        ),
        field(
            "options.direct_connection",
            "Direct connection",
            FieldKind::Bool,
            Section::Advanced,
        )
        .default(DefaultValue::Bool(false))
        .help("Talk to this one host only, even if it belongs to a replica set."),
    ];
    fields.extend(tls_fields(true));
    EngineSpec {
        engine: Engine::Mongodb,
        label: "MongoDB",
        default_port: Some(27017),
        fields,
        unix_sockets: false,
        tls_modes: vec![
            tls(TlsMode::Disable, true, "tls=false", "No encryption: traffic, including the login, can be read on the network."),
            tls(TlsMode::Prefer, false, "—", "MongoDB has no opportunistic TLS: choose disable or require."),
            tls(TlsMode::Require, true, "tls=true&tlsAllowInvalidCertificates=true", "Always encrypted; the certificate is not verified."),
            tls(TlsMode::VerifyCa, true, "tls=true&tlsAllowInvalidHostnames=true", "Always encrypted; the certificate must chain to this connection's CA. The host name is not checked."),
            tls(TlsMode::VerifyFull, true, "tls=true", "Always encrypted; the certificate must chain to a trusted CA and name the host."),
        ],
        tls_note: "Test with verify-ca: the driver cannot skip the host-name check, so when the certificate does not name the host the test stops before logging in rather than send the password over an unchecked connection.",
    }
}

pub fn check(f: &ConnectionFields, issues: &mut Vec<FieldIssue>) {
    // An unreadable list is validation's to report; the SRV rule needs one plain name.
    let list = HostList::parse(&f.host).ok();
    let one_name = list
        .as_ref()
        .is_none_or(|l| l.len() == 1 && l.first().port.is_none() && !l.first().host.contains(':'));
    let flag = |k: &str| f.options.get(k).and_then(|v| v.as_bool()).unwrap_or(false);
    if flag("srv") && !one_name {
        issues.push(FieldIssue::new(
            ErrorCode::HostInvalid,
            "host",
            "mongodb+srv takes exactly one host name, without a port.",
            "Enter the cluster's DNS name (e.g. cluster0.example.mongodb.net), or turn off the DNS seed list.",
        ));
    }
    if flag("srv") && flag("direct_connection") {
        issues.push(FieldIssue::new(
            ErrorCode::OptionInvalid,
            "options.direct_connection",
            "A DNS seed list (mongodb+srv) cannot be combined with a direct connection.",
            "Turn one of them off.",
        ));
    }
    if flag("direct_connection") && list.as_ref().is_some_and(|l| l.len() > 1) {
        issues.push(FieldIssue::new(
            ErrorCode::OptionInvalid,
            "options.direct_connection",
            "A direct connection goes to one host, but several are listed.",
            "List one host, or turn off direct connection.",
        ));
    }
}
