//! Microsoft SQL Server through tiberius: Encrypt / TrustServerCertificate words.

use super::{field, network_fields, tls, tls_fields, DefaultValue, EngineSpec, FieldKind, Section};
use crate::error::FieldIssue;
use crate::model::{ConnectionFields, Engine, TlsMode};

pub fn spec() -> EngineSpec {
    let mut fields = network_fields(1433, false);
    fields[2] = fields[2]
        .clone()
        .help("Initial catalog; the login's default database when empty.");
    fields.extend([
        field("options.instance", "Instance name", FieldKind::Text, Section::Server)
            .placeholder("SQLEXPRESS")
            .help("For a named instance (host\\instance). With the port left at 1433 the instance's port is asked of the SQL Server Browser (UDP 1434); any other port is used as given."),
    ]);
    fields.extend(tls_fields(false));
    fields.extend([
        field("options.host_name_in_certificate", "Host name in certificate", FieldKind::Text, Section::Security)
            .help("The name the server's certificate carries, when it differs from the host you connect to."),
        field("options.application_intent", "Application intent", FieldKind::Select, Section::Advanced)
            .default(DefaultValue::Text("read_write"))
            .choices(&[("read_write", "Read-write"), ("read_only", "Read-only (routes to a readable secondary)")]),
    ]);
    EngineSpec {
        engine: Engine::SqlServer,
        label: "Microsoft SQL Server",
        default_port: Some(1433),
        fields,
        unix_sockets: false,
        tls_modes: vec![
            tls(TlsMode::Disable, true, "Encrypt=False", "No encryption after the login packet; queries and results can be read on the network."),
            tls(TlsMode::Prefer, true, "Encrypt=Optional", "Encrypted only when the server insists; the certificate is not verified."),
            tls(TlsMode::Require, true, "Encrypt=Mandatory; TrustServerCertificate=True", "Always encrypted; the certificate is not verified, so an impostor could read the traffic."),
            tls(TlsMode::VerifyCa, true, "Encrypt=Mandatory; TrustServerCertificate=False (host name not checked)", "Always encrypted; the certificate must chain to this connection's CA. The host name is not checked (Switchboard's own verifier: the driver has no such level)."),
            tls(TlsMode::VerifyFull, true, "Encrypt=Mandatory; TrustServerCertificate=False", "Always encrypted; the certificate must chain to a trusted CA and name this host (or the host name in certificate)."),
        ],
        tls_note: "Strict encryption (TDS 8.0) is not available: the driver, tiberius, does not implement it. Mandatory with a verified certificate (verify-full) is the strongest level.",
    }
}

pub fn check(_f: &ConnectionFields, _issues: &mut Vec<FieldIssue>) {}
