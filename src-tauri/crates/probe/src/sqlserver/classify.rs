//! The failures of the inspection and of the driver in the user's terms. tiberius reports
//! its errors as text (its rustls 0.21 errors stringified), so certificate failures are
//! recognised by their words.

use super::Negotiated;
use crate::driver::Fail;
use crate::report::Step;
use crate::ProbeTarget;
use switchboard_model::error::ErrorCode;

pub(super) fn not_sql_server(target: &ProbeTarget) -> Fail {
    Fail::new(
        Step::Greeting,
        ErrorCode::ProtocolError,
        format!(
            "{}:{} answered with something that is not a SQL Server (no TDS PRELOGIN reply).",
            target.host, target.port
        ),
        "Check that the port is SQL Server's (1433 by default, or the named instance's own port) and not another service.",
    )
}

/// A certificate failure that tiberius reports as text (its rustls 0.21 error, stringified).
fn driver_tls_failure(target: &ProbeTarget, text: &str) -> Option<Fail> {
    if !text.contains("invalid peer certificate") && !text.contains("TLS") {
        return None;
    }
    let (code, message, hint) = if text.contains("NotValidForName") {
        (
            ErrorCode::TlsHostnameMismatch,
            format!("The driver found that the server's certificate does not name {}.", target.host),
            "Connect using a name the certificate lists, or choose verify-ca to check the chain without the host name.",
        )
    } else if text.contains("Expired") || text.contains("NotValidYet") {
        (
            ErrorCode::TlsExpired,
            "The driver found the server's certificate outside its validity dates.".to_owned(),
            "Ask the server's owner to renew its certificate, or check this machine's clock.",
        )
    } else if text.contains("invalid peer certificate") {
        (
            ErrorCode::TlsUntrusted,
            format!("The driver does not trust the server's certificate ({text})."),
            "Paste the server's CA certificate (PEM) into the CA field, or choose require to encrypt without verifying.",
        )
    } else {
        (
            ErrorCode::TlsHandshakeFailed,
            format!("The driver's TLS handshake failed ({text})."),
            "Check the TLS settings on both sides (protocol versions, certificates).",
        )
    };
    Some(Fail::new(Step::Auth, code, message, hint))
}

/// The driver's failures in the user's terms.
pub(super) fn classify(
    target: &ProbeTarget,
    e: &tiberius::error::Error,
    negotiated: Negotiated,
) -> Fail {
    use tiberius::error::Error as E;
    let user = &target.username;
    match e {
        E::Server(token) => {
            let msg = token.message().to_owned();
            match token.code() {
                18456 if negotiated == Negotiated::None => Fail::new(
                    Step::Auth,
                    ErrorCode::AuthFailed,
                    format!("The server rejected the login of {user:?} ({msg})."),
                    "Check the username and password (the password is case-sensitive), and that the server allows SQL Server authentication (mixed mode). The password was sent unencrypted: the server has no certificate.",
                ),
                18456 => Fail::new(
                    Step::Auth,
                    ErrorCode::AuthFailed,
                    format!("The server rejected the login of {user:?} ({msg})."),
                    "Check the username and password (the password is case-sensitive), and that the server allows SQL Server authentication (mixed mode); the server's error log gives the reason (its state number).",
                ),
                4060 => Fail::new(
                    Step::Auth,
                    ErrorCode::DatabaseNotFound,
                    format!("The database {:?} cannot be opened ({msg}).", target.database),
                    "Check the database name (it does not exist, or this login may not use it), or leave it empty to use the login's default database.",
                ),
                18452 => Fail::new(
                    Step::Auth,
                    ErrorCode::AuthFailed,
                    format!("The server accepts only Windows authentication ({msg})."),
                    "Enable SQL Server and Windows Authentication mode on the server, or use a login it accepts.",
                ),
                18470 | 18486 | 18487 | 18488 => Fail::new(
                    Step::Auth,
                    ErrorCode::AuthFailed,
                    format!("The server refused the login of {user:?} ({msg})."),
                    "The login is disabled, locked out or its password has expired: ask the server's administrator.",
                ),
                229 | 916 | 297 => Fail::new(
                    Step::Auth,
                    ErrorCode::PermissionDenied,
                    format!("{user:?} may not do this ({msg})."),
                    "Ask for access to the database (a user mapped to this login).",
                ),
                n => Fail::new(
                    Step::Auth,
                    ErrorCode::ConnectionFailed,
                    format!("The server refused the login (error {n}: {msg})."),
                    "Read the server's message; the server's error log has the details.",
                ),
            }
        }
        E::Tls(text) => driver_tls_failure(target, text).unwrap_or_else(|| {
            Fail::new(
                Step::Auth,
                ErrorCode::TlsHandshakeFailed,
                format!("The driver's TLS handshake failed ({text})."),
                "Check the TLS settings on both sides (protocol versions, certificates).",
            )
        }),
        E::Io { kind, message } => {
            if let Some(f) = driver_tls_failure(target, message) {
                return f;
            }
            Fail::new(
                Step::Auth,
                ErrorCode::ConnectionFailed,
                format!("The connection broke during the driver's login ({kind:?}: {message})."),
                "The server closed the connection: its error log says why (e.g. a login trigger, or encryption settings).",
            )
        }
        E::Routing { host, port } => Fail::new(
            Step::Auth,
            ErrorCode::ConnectionFailed,
            format!("The server redirects this login to {host}:{port}, which this test does not follow."),
            "Azure SQL's redirect connection policy: connect to that host and port, or use the proxy policy (port 1433).",
        ),
        E::Protocol(text) => Fail::new(
            Step::Auth,
            ErrorCode::ProtocolError,
            format!("The server's answer to the driver was not valid TDS ({text})."),
            "Check that the server is SQL Server 2012 or later.",
        ),
        other => Fail::new(
            Step::Auth,
            ErrorCode::ConnectionFailed,
            format!("The driver could not log in: {other}."),
            "Check the settings; the steps above show how far the connection got.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_model::model::TlsMode;

    fn target() -> ProbeTarget {
        ProbeTarget {
            database: "sales".into(),
            username: "app".into(),
            timeout: std::time::Duration::from_secs(5),
            ..ProbeTarget::new(
                switchboard_model::model::Engine::SqlServer,
                "db.example.com",
                1433,
                TlsMode::VerifyFull,
            )
        }
    }

    #[test]
    fn the_drivers_stringified_certificate_errors_are_classified() {
        // tiberius 0.12 turns rustls 0.21's errors into io::Error text.
        let io = |message: &str| tiberius::error::Error::Io {
            kind: std::io::ErrorKind::InvalidData,
            message: message.into(),
        };
        let code = |e| classify(&target(), &e, Negotiated::Full).code;
        assert_eq!(
            code(io("invalid peer certificate: UnknownIssuer")),
            ErrorCode::TlsUntrusted
        );
        assert_eq!(
            code(io("invalid peer certificate: NotValidForName")),
            ErrorCode::TlsHostnameMismatch
        );
        assert_eq!(
            code(io("invalid peer certificate: Expired")),
            ErrorCode::TlsExpired
        );
        assert_eq!(code(io("connection reset")), ErrorCode::ConnectionFailed);
        assert_eq!(
            code(tiberius::error::Error::Protocol("bad token".into())),
            ErrorCode::ProtocolError
        );
    }
}
