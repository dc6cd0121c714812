//! MySQL and MariaDB: ssl-mode words.

use super::{network_fields, tls, tls_fields, EngineSpec};
use crate::error::FieldIssue;
use crate::model::{ConnectionFields, Engine, TlsMode};

pub fn spec() -> EngineSpec {
    let mut fields = network_fields(3306, false);
    fields[0] = fields[0]
        .clone()
        .help("Host name, IP address, or the path of the server's Unix socket.");
    fields[2] = fields[2].clone().help("Optional: the default database.");
    fields.extend(tls_fields(true));
    EngineSpec {
        engine: Engine::Mysql,
        label: "MySQL / MariaDB",
        default_port: Some(3306),
        fields,
        unix_sockets: true,
        tls_modes: vec![
            tls(TlsMode::Disable, true, "ssl-mode=DISABLED", "No encryption: traffic, including the login, can be read on the network."),
            tls(TlsMode::Prefer, true, "ssl-mode=PREFERRED", "Encrypted if the server offers it, without verifying the certificate; plain otherwise."),
            tls(TlsMode::Require, true, "ssl-mode=REQUIRED", "Always encrypted; the certificate is not verified."),
            tls(TlsMode::VerifyCa, true, "ssl-mode=VERIFY_CA", "Always encrypted; the certificate must chain to this connection's CA. The host name is not checked."),
            tls(TlsMode::VerifyFull, true, "ssl-mode=VERIFY_IDENTITY", "Always encrypted; the certificate must chain to a trusted CA and name this host."),
        ],
        tls_note: "Test with verify-ca: the driver (sqlx) cannot skip the host-name check, so when the certificate does not name the host the test stops before logging in rather than send the password over an unchecked connection.",
    }
}

pub fn check(_f: &ConnectionFields, _issues: &mut Vec<FieldIssue>) {}
