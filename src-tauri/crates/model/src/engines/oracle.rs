//! Oracle Database: service name or SID, TCPS with DN matching.

use super::{field, network_fields, tls, tls_fields, DefaultValue, EngineSpec, FieldKind, Section};
use crate::error::{ErrorCode, FieldIssue};
use crate::model::{ConnectionFields, Engine, TlsMode};

pub fn spec() -> EngineSpec {
    let mut fields = network_fields(1521, true);
    fields[2] = fields[2]
        .clone()
        .help("The service name (e.g. ORCLPDB1) or, if chosen below, the SID.");
    fields[2].label = "Service name or SID";
    fields.insert(
        3,
        field(
            "options.connect_by",
            "Connect by",
            FieldKind::Select,
            Section::Server,
        )
        .default(DefaultValue::Text("service_name"))
        .choices(&[("service_name", "Service name"), ("sid", "SID")]),
    );
    fields.extend(tls_fields(false));
    fields.push(
        field(
            "options.server_dn",
            "Server certificate DN",
            FieldKind::Text,
            Section::Security,
        )
        .placeholder("CN=db.example.com,O=Example")
        .help(
            "SSL_SERVER_CERT_DN, with verify-full: the subject the certificate must have (the same attributes and values, in any order), checked instead of the host name; needs the CA certificate. When empty, the host name is matched.",
        ),
    );
    EngineSpec {
        engine: Engine::Oracle,
        label: "Oracle Database",
        default_port: Some(1521),
        fields,
        unix_sockets: false,
        tls_modes: vec![
            tls(TlsMode::Disable, true, "PROTOCOL=TCP", "No encryption (unless Oracle native network encryption is configured on the server)."),
            tls(TlsMode::Prefer, false, "—", "Oracle has no opportunistic TLS: TCPS is its own listener. Choose disable or require."),
            tls(TlsMode::Require, true, "PROTOCOL=TCPS; SSL_SERVER_DN_MATCH=NO (certificate not verified)", "Always encrypted; the certificate is not verified."),
            tls(TlsMode::VerifyCa, true, "PROTOCOL=TCPS; SSL_SERVER_DN_MATCH=NO", "Always encrypted; the certificate must chain to this connection's CA. The name is not checked."),
            tls(TlsMode::VerifyFull, true, "PROTOCOL=TCPS; SSL_SERVER_DN_MATCH=YES", "Always encrypted; the certificate must chain to a trusted CA and match the host (or the DN given)."),
        ],
        tls_note: "TCPS usually listens on its own port (often 2484).",
    }
}

pub fn check(f: &ConnectionFields, issues: &mut Vec<FieldIssue>) {
    let dn = f
        .text_option("server_dn")
        .map(str::trim)
        .unwrap_or_default();
    let has_ca = f
        .tls
        .ca_pem
        .as_deref()
        .is_some_and(|c| !c.trim().is_empty());
    if !dn.is_empty() && crate::dn::parse(dn).is_none() {
        issues.push(FieldIssue::new(
            ErrorCode::OptionInvalid,
            "options.server_dn",
            "The server certificate DN cannot be read: it is attribute=value pairs separated by commas, with \\ before a comma inside a value.",
            "Write it as the certificate's subject, e.g. CN=db.example.com, O=Example.",
        ));
    }
    if f.tls.mode == TlsMode::VerifyFull && !dn.is_empty() && !has_ca {
        issues.push(FieldIssue::new(
            ErrorCode::CaRequired,
            "tls.ca_pem",
            "Matching the server certificate DN needs the server's CA certificate: the DN replaces the host-name check, so the chain must lead to this connection's own CA.",
            "Paste the server's CA certificate, or clear the Server certificate DN to match the host name.",
        ));
    }
}
