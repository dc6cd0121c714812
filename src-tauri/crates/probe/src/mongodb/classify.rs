//! The failures of the SRV lookup, of the inspection's `hello` and of the driver, in the
//! user's terms: a TLS failure anywhere in a driver error's chain is classified as the
//! shared TLS ladder does; server selection timing out names what the monitors saw.

use std::sync::Arc;

use ::mongodb::error::{Error as DriverError, ErrorKind};

use super::login::SharedSeen;
use super::wire::NotMongo;
use super::{flag, narrowed, parse_seeds, Seed};
use crate::driver::Fail;
use crate::report::Step;
use crate::tls::{self, SharedObservation};
use crate::ProbeTarget;
use switchboard_model::error::ErrorCode;
use switchboard_model::model::TlsMode;

pub(super) fn classify_srv(target: &ProbeTarget, e: &DriverError) -> Fail {
    match e.kind.as_ref() {
        ErrorKind::DnsResolve { message, .. } => Fail::new(
            Step::Resolve,
            ErrorCode::DnsNotFound,
            format!(
                "The DNS seed list of {} could not be resolved ({message}).",
                target.host
            ),
            "Check the cluster's DNS name (its SRV record is _mongodb._tcp.<name>), and that your DNS or VPN is up; or turn off the DNS seed list and list the hosts.",
        ),
        other => Fail::new(
            Step::Resolve,
            ErrorCode::DnsNotFound,
            format!(
                "The DNS seed list of {} could not be used ({other}).",
                target.host
            ),
            "Check the cluster's DNS records (SRV and TXT), or turn off the DNS seed list and list the hosts.",
        ),
    }
}

pub(super) fn not_mongo(shown: &ProbeTarget, why: &NotMongo) -> Fail {
    match why {
        NotMongo::SpeaksTls => Fail::new(
            Step::Tls,
            ErrorCode::TlsRequiredByServer,
            format!(
                "{}:{} answered in TLS: the server requires TLS, but this connection's TLS mode is disable.",
                shown.host, shown.port
            ),
            "Choose TLS mode require or stronger (verify-full is best).",
        ),
        NotMongo::Closed | NotMongo::Tls(_) => Fail::new(
            Step::Tls,
            ErrorCode::ConnectionFailed,
            format!(
                "{}:{} closed the connection without answering hello.",
                shown.host, shown.port
            ),
            if shown.tls_mode == TlsMode::Disable {
                "A MongoDB server that requires TLS (net.tls.mode requireTLS) does this to unencrypted clients: choose require or stronger. Otherwise check the port and the server's log."
            } else {
                "Check the port and the server's log (e.g. connection limits, IP allow lists)."
            },
        ),
        NotMongo::Other(detail) => Fail::new(
            Step::Tls,
            ErrorCode::ProtocolError,
            format!(
                "{}:{} answered with something that is not a MongoDB server ({detail}).",
                shown.host, shown.port
            ),
            "Check that the port is MongoDB's (27017 by default, or the mongos/replica set member's own port) and not another service.",
        ),
    }
}

pub(super) fn short(s: &str) -> String {
    const MAX: usize = 300;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    }
}

/// The rustls error behind a driver error, if any: in its own I/O error, or in the chain
/// of errors (and driver errors) behind it.
fn rustls_error(e: &DriverError) -> Option<rustls::Error> {
    let own = match e.kind.as_ref() {
        ErrorKind::Io(io) => tls::rustls_error(io.as_ref()),
        _ => None,
    };
    own.or_else(|| {
        std::iter::successors(std::error::Error::source(e), |s| s.source()).find_map(|s| {
            match s.downcast_ref::<DriverError>() {
                Some(d) => rustls_error(d),
                None => tls::rustls_error(s),
            }
        })
    })
}

fn io_kind(e: &DriverError) -> Option<std::io::ErrorKind> {
    match e.kind.as_ref() {
        ErrorKind::Io(io) => Some(io.kind()),
        _ => None,
    }
}

/// A TLS failure on the driver's connection to `host`, in the user's terms.
fn driver_tls_failure(target: &ProbeTarget, host: &str, err: rustls::Error, step: Step) -> Fail {
    let seed = parse_seeds(host, target.port)
        .ok()
        .and_then(|s| s.into_iter().next())
        .unwrap_or(Seed {
            host: host.to_owned(),
            port: target.port,
        });
    // A fresh observation: the inspection's chain is the first host's, not necessarily
    // this one's.
    let fresh: SharedObservation = Arc::default();
    let mut f = tls::classify_failure(&narrowed(target, &seed), &fresh, Some(err.clone()))
        .unwrap_or_else(|| {
            Fail::new(
                step,
                ErrorCode::TlsHandshakeFailed,
                format!("The TLS handshake failed: {err}."),
                "Check the TLS settings on both sides.",
            )
        });
    f.step = step;
    f.message = format!("On the driver's connection to {seed}: {}", f.message);
    f
}

/// The driver's failures in the user's terms.
pub(super) fn classify(
    target: &ProbeTarget,
    shown: &ProbeTarget,
    hosts: &[Seed],
    seen: &SharedSeen,
    e: &DriverError,
    step: Step,
) -> Fail {
    let user = &target.username;
    if let Some(r) = rustls_error(e) {
        return driver_tls_failure(target, &shown.host, r, step);
    }
    match e.kind.as_ref() {
        ErrorKind::Authentication { message, .. } => Fail::new(
            Step::Auth,
            ErrorCode::AuthFailed,
            format!("The server rejected the login of {user:?} ({message})."),
            "Check the username, the password (case-sensitive) and the authentication database (auth source): the user must be defined there.",
        ),
        ErrorKind::Command(c) if c.code == 18 => Fail::new(
            Step::Auth,
            ErrorCode::AuthFailed,
            format!(
                "The server rejected the login of {user:?} ({}: {}).",
                c.code_name, c.message
            ),
            "Check the username, the password (case-sensitive) and the authentication database (auth source): the user must be defined there.",
        ),
        ErrorKind::Command(c) if c.code == 13 => Fail::new(
            step,
            ErrorCode::PermissionDenied,
            format!("{user:?} may not run this command ({}: {}).", c.code_name, c.message),
            "Ask for a role that allows it on this database.",
        ),
        ErrorKind::Command(c) => Fail::new(
            step,
            ErrorCode::ConnectionFailed,
            format!(
                "The server refused the command (error {} {}: {}).",
                c.code, c.code_name, c.message
            ),
            "Read the server's message; its log has the details.",
        ),
        ErrorKind::ServerSelection { message, .. } => {
            server_selection_failure(target, hosts, seen, message, step)
        }
        ErrorKind::DnsResolve { message, .. } => Fail::new(
            step,
            ErrorCode::DnsNotFound,
            format!("The driver could not resolve a host ({message})."),
            "Check the host names (a replica set's members are reached by the names they advertise), and that your DNS or VPN is up.",
        ),
        ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => Fail::new(
            step,
            ErrorCode::Refused,
            format!("The driver's connection was refused ({io})."),
            "Check that the server is running and listens on this address.",
        ),
        ErrorKind::Io(io) => Fail::new(
            step,
            ErrorCode::ConnectionFailed,
            format!("The driver's connection broke ({io})."),
            "The server closed the connection: its log says why (e.g. TLS settings or connection limits).",
        ),
        ErrorKind::InvalidTlsConfig { message, .. } => Fail::new(
            step,
            ErrorCode::TlsMaterialInvalid,
            format!("The driver cannot use these TLS settings ({message})."),
            "Check the CA certificate (PEM).",
        ),
        ErrorKind::InvalidArgument { message, .. } => Fail::new(
            step,
            ErrorCode::OptionInvalid,
            format!("The driver refused these settings ({message})."),
            "Check the hosts, the replica set and the direct connection settings.",
        ),
        ErrorKind::InvalidResponse { .. }
        | ErrorKind::BsonDeserialization(_)
        | ErrorKind::BsonSerialization(_) => Fail::new(
            step,
            ErrorCode::ProtocolError,
            format!("The server's answer to the driver was not valid MongoDB ({e})."),
            "Check that the server is MongoDB 4.4 or later.",
        ),
        ErrorKind::IncompatibleServer { message, .. } => Fail::new(
            step,
            ErrorCode::ConnectionFailed,
            format!("The driver does not support this server ({message})."),
            "The mongodb driver 3.x needs MongoDB 4.2 or later.",
        ),
        _ => Fail::new(
            step,
            ErrorCode::ConnectionFailed,
            format!("The driver could not connect: {}.", short(&e.to_string())),
            "Check the settings; the steps above show how far the connection got.",
        ),
    }
}

/// No server the driver may use appeared in time: a TLS or network failure its monitors
/// saw, else a topology it could not make sense of (replica set name, advertised hosts).
fn server_selection_failure(
    target: &ProbeTarget,
    hosts: &[Seed],
    seen: &SharedSeen,
    message: &str,
    step: Step,
) -> Fail {
    let failures: Vec<(
        String,
        Option<rustls::Error>,
        Option<std::io::ErrorKind>,
        String,
    )> = seen
        .lock()
        .map(|s| {
            s.failures
                .iter()
                .map(|(addr, e)| (addr.clone(), rustls_error(e), io_kind(e), e.to_string()))
                .collect()
        })
        .unwrap_or_default();
    if let Some((addr, Some(r), _, _)) = failures.iter().find(|f| f.1.is_some()) {
        return driver_tls_failure(target, addr, r.clone(), step);
    }
    let all_refused = !failures.is_empty()
        && failures.len() >= hosts.len()
        && failures
            .iter()
            .all(|f| f.2 == Some(std::io::ErrorKind::ConnectionRefused));
    if all_refused {
        return Fail::new(
            step,
            ErrorCode::Refused,
            format!(
                "The driver's connections to {} were refused.",
                failures
                    .iter()
                    .map(|f| f.0.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "Check the ports, and that the servers are running.",
        );
    }
    let direct = flag(target, "direct_connection");
    let hint = if direct {
        "Check that the host answers as a MongoDB server and that the replica set name (if any) is the one it reports."
    } else if target.text_option("replica_set").is_some() {
        "The driver only uses members of the named replica set, reached by the names they advertise (rs.conf()): check the replica set name, that those names resolve and are reachable from here, or turn on direct connection to talk to this one host."
    } else {
        "If the server is a replica set member, the driver reaches the members by the names they advertise (rs.conf()): check that those names resolve and are reachable from here, or turn on direct connection to talk to this one host. Several seed hosts must belong to one replica set (or be mongos routers)."
    };
    Fail::new(
        step,
        ErrorCode::Timeout,
        format!(
            "The driver found no usable server within its time ({}).",
            short(message)
        ),
        hint,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::mongodb::bson::doc;
    use std::time::Duration;

    #[test]
    fn the_drivers_auth_and_tls_failures_are_classified() {
        let t = ProbeTarget {
            username: "app".into(),
            timeout: Duration::from_secs(5),
            ..ProbeTarget::new(
                switchboard_model::model::Engine::Mongodb,
                "db",
                27017,
                TlsMode::VerifyFull,
            )
        };
        let seen: SharedSeen = Arc::default();
        let command = |code: i32, name: &str| {
            let c: ::mongodb::error::CommandError = ::mongodb::bson::from_document(
                doc! { "code": code, "codeName": name, "errmsg": "Authentication failed." },
            )
            .unwrap();
            DriverError::from(ErrorKind::Command(c))
        };
        let f = classify(
            &t,
            &t,
            &[],
            &seen,
            &command(18, "AuthenticationFailed"),
            Step::Auth,
        );
        assert_eq!((f.code, f.step), (ErrorCode::AuthFailed, Step::Auth));
        let f = classify(
            &t,
            &t,
            &[],
            &seen,
            &command(13, "Unauthorized"),
            Step::Query,
        );
        assert_eq!(f.code, ErrorCode::PermissionDenied);
        // tokio-rustls wraps rustls' error in an io::Error, which the driver wraps again.
        let io = |e: rustls::Error| {
            DriverError::from(ErrorKind::Io(Arc::new(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                e,
            ))))
        };
        let untrusted = io(rustls::Error::InvalidCertificate(
            rustls::CertificateError::UnknownIssuer,
        ));
        let f = classify(&t, &t, &[], &seen, &untrusted, Step::Auth);
        assert_eq!((f.code, f.step), (ErrorCode::TlsUntrusted, Step::Auth));
        assert!(
            f.message.contains("driver's connection to db:27017"),
            "{f:?}"
        );
        assert!(
            f.hint
                .contains("Paste the CA certificate that issued the server's certificate"),
            "{f:?}"
        );
        let refused = DriverError::from(ErrorKind::Io(Arc::new(std::io::Error::from(
            std::io::ErrorKind::ConnectionRefused,
        ))));
        assert_eq!(
            classify(&t, &t, &[], &seen, &refused, Step::Auth).code,
            ErrorCode::Refused
        );
    }
}
