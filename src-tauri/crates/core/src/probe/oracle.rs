//! Oracle: the test runs resolve, TCP and TCPS (TLS from the first byte, with the shared
//! verifier and the certificate chain) on its own connection, then the listener handshake
//! — a TNS CONNECT naming the service or SID — which tells an Oracle listener from anything
//! else and an unknown service (ORA-12514) from a known one; oracle-rs does not report the
//! listener's refusal code, so this is ours. Then oracle-rs (the pure-Rust thin client,
//! patched: vendor/oracle-rs/PATCHES.md) logs in on a second connection to the same
//! address, over a TLS session Switchboard set up with the same verifier, and runs the
//! first query.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use oracle_rs::{Config, Connection};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use super::report::{Check, CheckStatus, Recorder, ServerInfo, Step, StepStatus, TestReport};
use super::tls::{self, Observation, SharedObservation};
use super::{resolve_and_connect, Fail, ProbeTarget};
use crate::error::ErrorCode;
use crate::model::TlsMode;

const TNS_CONNECT: u8 = 1;
const TNS_ACCEPT: u8 = 2;
const TNS_REFUSE: u8 = 4;
const TNS_REDIRECT: u8 = 5;
const TNS_RESEND: u8 = 11;

/// The first query: who and where we are, and whether this is a standby.
const FIRST_QUERY: &str = "SELECT USER, SYS_CONTEXT('USERENV', 'DB_NAME'), \
     SYS_CONTEXT('USERENV', 'CON_NAME'), SYS_CONTEXT('USERENV', 'DATABASE_ROLE'), \
     (SELECT product || ' ' || version FROM product_component_version WHERE ROWNUM = 1) \
     FROM DUAL";

pub async fn run(target: &ProbeTarget) -> TestReport {
    let mut rec = Recorder::new(target.progress.clone());
    let obs: SharedObservation = Arc::new(Mutex::new(Observation::default()));
    let outcome = tokio::time::timeout(target.timeout, attempt(target, &mut rec, &obs)).await;
    let observed = super::observed(&obs, target.tls_mode);
    let mut report = super::conclude(rec, target, outcome, observed);
    if let Some(server) = &report.server {
        report.checks = checks(target, server);
    }
    report
}

fn not_oracle(target: &ProbeTarget, step: Step) -> Fail {
    Fail::new(
        step,
        ErrorCode::ProtocolError,
        format!(
            "{}:{} did not answer as an Oracle listener.",
            target.host, target.port
        ),
        "Check the port (1521 for TCP, often 2484 for TCPS) and that TLS matches the listener: TCPS listeners need a TLS mode, TCP ones disable.",
    )
}

fn tcps(target: &ProbeTarget) -> bool {
    !matches!(target.tls_mode, TlsMode::Disable | TlsMode::Prefer)
}

async fn attempt(
    target: &ProbeTarget,
    rec: &mut Recorder,
    obs: &SharedObservation,
) -> Result<ServerInfo, Fail> {
    let stream = resolve_and_connect(rec, &target.host, target.port).await?;
    let address = stream.peer_addr().ok();
    if tcps(target) {
        let secured = tls_step(target, rec, obs, stream).await?;
        listener(target, rec, obs, secured).await?;
    } else {
        rec.push(
            Step::Tls,
            StepStatus::Skipped,
            Default::default(),
            "PROTOCOL=TCP: no TLS".into(),
        );
        listener(target, rec, obs, stream).await?;
    }
    let conn = login(target, rec, address).await?;
    let info = first_query(rec, &conn).await;
    // Logging off is a courtesy to the server; the result is already known, so it does
    // not count against the test's time. Bounded: nothing is left running for long.
    tokio::spawn(async move {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), conn.close()).await;
    });
    info
}

/// TLS on the inspection connection: the shared verifier, the chain for the report, and
/// for verify-full with a DN the subject compared with it.
async fn tls_step(
    target: &ProbeTarget,
    rec: &mut Recorder,
    obs: &SharedObservation,
    stream: TcpStream,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, Fail> {
    let dn = expected_dn(target);
    let (connector, server_name) = connector(target, obs)?;
    rec.start(Step::Tls);
    match tls::handshake(&connector, server_name, stream, obs).await {
        Ok(s) => {
            let (protocol, cipher) = obs
                .lock()
                .map(|o| (o.protocol.clone(), o.cipher_suite.clone()))
                .unwrap_or_default();
            if let Some(f) = dn_mismatch(target, obs) {
                rec.finish(Step::Tls, StepStatus::Failed, f.message.clone());
                return Err(f);
            }
            rec.finish(
                Step::Tls,
                StepStatus::Ok,
                format!(
                    "{}, {}; {}",
                    protocol.unwrap_or_default(),
                    cipher.unwrap_or_default(),
                    match dn {
                        Some(dn) => format!("certificate verified, subject matches {dn:?}"),
                        None => tls::verification_words(target.tls_mode).to_owned(),
                    }
                ),
            );
            Ok(s)
        }
        Err(e) => {
            let transport = tls::rustls_error(&e);
            let f = match tls::classify_failure(target, obs, transport) {
                Some(f) => f,
                // Not a TLS alert or certificate problem: the peer does not speak TLS.
                None => Fail::new(
                    Step::Tls,
                    ErrorCode::TlsNotSupportedByServer,
                    format!(
                        "{}:{} did not complete a TLS handshake ({e}).",
                        target.host, target.port
                    ),
                    "This port may be a plain TCP listener: choose TLS mode disable, or the TCPS port (often 2484).",
                ),
            };
            rec.finish(Step::Tls, StepStatus::Failed, f.message.clone());
            Err(f)
        }
    }
}

/// With a DN to match, whether the certificate the handshake recorded has another subject.
fn dn_mismatch(target: &ProbeTarget, obs: &SharedObservation) -> Option<Fail> {
    let dn = expected_dn(target)?;
    let subject = obs
        .lock()
        .ok()
        .and_then(|o| o.chain.first().and_then(tls::certificate_info))
        .map(|c| c.subject)
        .unwrap_or_default();
    (!same_dn(&subject, dn)).then(|| {
        Fail::new(
            Step::Tls,
            ErrorCode::TlsHostnameMismatch,
            format!("The server's certificate is for {subject:?}, not the DN {dn:?} this connection expects."),
            "Correct the Server certificate DN (or clear it to match the host name instead).",
        )
    })
}

/// SSL_SERVER_CERT_DN: with verify-full, a DN given replaces the host-name match.
fn expected_dn(target: &ProbeTarget) -> Option<&str> {
    (target.tls_mode == TlsMode::VerifyFull)
        .then(|| target.text_option("server_dn"))
        .flatten()
        .map(str::trim)
        .filter(|d| !d.is_empty())
}

/// The connector for this test. With a DN to match, the chain is verified as for
/// verify-ca and the subject is compared afterwards, as Oracle's clients do.
fn connector(
    target: &ProbeTarget,
    obs: &SharedObservation,
) -> Result<
    (
        tokio_rustls::TlsConnector,
        rustls::pki_types::ServerName<'static>,
    ),
    Fail,
> {
    if expected_dn(target).is_some() {
        let mut by_dn = target.clone();
        by_dn.tls_mode = TlsMode::VerifyCa;
        tls::connector_for(&by_dn, obs)
    } else {
        tls::connector_for(target, obs)
    }
}

/// Two DNs are the same when they hold the same attributes, whatever their order, spacing
/// or the case of the attribute names ("CN=db, O=Acme" is "o=Acme,CN=db").
fn same_dn(a: &str, b: &str) -> bool {
    fn parts(dn: &str) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = dn
            .split(',')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.trim().to_ascii_uppercase(), v.trim().to_owned()))
            .collect();
        v.sort();
        v
    }
    let (a, b) = (parts(a), parts(b));
    !a.is_empty() && a == b
}

fn connect_data(target: &ProbeTarget) -> String {
    let sid = target.text_option("connect_by") == Some("sid");
    format!(
        "(DESCRIPTION=(CONNECT_DATA=({}={})(CID=(PROGRAM=switchboard)(HOST=switchboard)(USER={})))\
         (ADDRESS=(PROTOCOL={})(HOST={})(PORT={})))",
        if sid { "SID" } else { "SERVICE_NAME" },
        target.database,
        target.username,
        if matches!(target.tls_mode, TlsMode::Disable | TlsMode::Prefer) {
            "TCP"
        } else {
            "TCPS"
        },
        target.host,
        target.port
    )
}

/// A TNS CONNECT packet (protocol version 314, data at offset 58).
fn connect_packet(data: &str) -> Vec<u8> {
    let data = data.as_bytes();
    let total = 58 + data.len();
    let mut p = Vec::with_capacity(total);
    p.extend_from_slice(&u16::try_from(total).unwrap_or(u16::MAX).to_be_bytes());
    p.extend_from_slice(&[0, 0, TNS_CONNECT, 0, 0, 0]);
    for v in [314u16, 300, 0x0C41, 8192, 0xFFFF, 0x7F08, 0, 1] {
        p.extend_from_slice(&v.to_be_bytes());
    }
    p.extend_from_slice(&u16::try_from(data.len()).unwrap_or(u16::MAX).to_be_bytes());
    p.extend_from_slice(&58u16.to_be_bytes());
    p.extend_from_slice(&[0; 4]); // max receivable connect data
    p.extend_from_slice(&[0x41, 0x41]); // connect flags
    p.resize(58, 0);
    p.extend_from_slice(data);
    p
}

/// The next TNS packet: `Ok(None)` for something that is not one, `Err` when the
/// connection failed (a TLS alert after the handshake among them).
async fn read_packet<S: AsyncRead + Unpin>(s: &mut S) -> std::io::Result<Option<(u8, Vec<u8>)>> {
    let mut header = [0u8; 8];
    s.read_exact(&mut header).await?;
    let len = usize::from(u16::from_be_bytes([header[0], header[1]]));
    if !(8..=8192).contains(&len) || header[4] == 0 || header[4] > 19 {
        return Ok(None);
    }
    let mut body = vec![0u8; len - 8];
    s.read_exact(&mut body).await?;
    Ok(Some((header[4], body)))
}

/// The listener handshake: ACCEPT, REFUSE (with its ORA code), REDIRECT, or not Oracle.
async fn listener<S: AsyncRead + AsyncWrite + Unpin>(
    target: &ProbeTarget,
    rec: &mut Recorder,
    obs: &SharedObservation,
    mut s: S,
) -> Result<(), Fail> {
    rec.start(Step::Auth);
    let packet = connect_packet(&connect_data(target));
    let mut answer = None;
    for _ in 0..2 {
        let sent = s.write_all(&packet).await;
        let read = match sent {
            Ok(()) => read_packet(&mut s).await,
            Err(e) => Err(e),
        };
        match read {
            Ok(Some((TNS_RESEND, _))) => continue,
            Ok(other) => {
                answer = other;
                break;
            }
            Err(e) => {
                // TLS 1.3 servers refuse a missing client certificate after the handshake,
                // so the alert arrives here rather than in the TLS step.
                if let Some(mut f) =
                    tls::rustls_error(&e).and_then(|t| tls::classify_failure(target, obs, Some(t)))
                {
                    f.step = Step::Auth;
                    rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
                    return Err(f);
                }
                break;
            }
        }
    }
    let what = if target.text_option("connect_by") == Some("sid") {
        "SID"
    } else {
        "service"
    };
    let f = match answer {
        Some((TNS_ACCEPT, _)) => return Ok(()),
        Some((TNS_REDIRECT, body)) => {
            let to = String::from_utf8_lossy(&body)
                .split("(ADDRESS=")
                .nth(1)
                .map(|a| format!(" to (ADDRESS={}", a.trim_end_matches(char::from(0))))
                .unwrap_or_default();
            Fail::new(
                Step::Auth,
                ErrorCode::ConnectionFailed,
                format!(
                    "The listener accepts {what} {:?} but redirects the connection{to}; the Oracle driver Switchboard uses cannot follow redirects.",
                    target.database
                ),
                "Connect to the address the listener redirects to (a RAC node or its local listener), or ask for a dedicated server on this listener.",
            )
        }
        Some((TNS_REFUSE, body)) => {
            let text = String::from_utf8_lossy(&body);
            let err = text
                .split("(ERR=")
                .nth(1)
                .and_then(|r| r.split(')').next())
                .unwrap_or("")
                .to_owned();
            match err.as_str() {
                "12514" | "12505" => Fail::new(
                    Step::Auth,
                    ErrorCode::DatabaseNotFound,
                    format!(
                        "The listener does not know {what} {:?} (ORA-{err}).",
                        target.database
                    ),
                    "Check the service name (lsnrctl services lists them), or switch between service name and SID.",
                ),
                _ => Fail::new(
                    Step::Auth,
                    ErrorCode::ConnectionFailed,
                    format!(
                        "The listener refused the connection{}.",
                        if err.is_empty() {
                            String::new()
                        } else {
                            format!(" (ORA-{err})")
                        }
                    ),
                    "Look the ORA code up; it is about the listener's configuration or this client's address.",
                ),
            }
        }
        _ => not_oracle(target, Step::Auth),
    };
    rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
    Err(f)
}

/// The login, by oracle-rs, on a second connection to the address the listener answered
/// on (the first one has spoken its CONNECT). TLS on it is Switchboard's again: the same
/// verifier and client certificate, handed to the driver as an established session.
async fn login(
    target: &ProbeTarget,
    rec: &mut Recorder,
    address: Option<SocketAddr>,
) -> Result<Connection, Fail> {
    let mut lost = |e: &dyn std::fmt::Display| {
        let f = Fail::new(
            Step::Auth,
            ErrorCode::ConnectionFailed,
            format!(
                "The listener accepted, but the login connection to {}:{} failed: {e}",
                target.host, target.port
            ),
            "Run the test again; if it persists, the listener may be limiting connections (check its rate limits).",
        );
        rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
        f
    };
    let stream = match address {
        Some(a) => TcpStream::connect(a).await,
        None => TcpStream::connect((target.host.as_str(), target.port)).await,
    }
    .map_err(|e| lost(&e))?;
    let password = target
        .password
        .as_ref()
        .map(|p| p.expose().to_owned())
        .unwrap_or_default();
    let config = if target.text_option("connect_by") == Some("sid") {
        Config::with_sid(
            &target.host,
            target.port,
            &target.database,
            &target.username,
            password,
        )
    } else {
        Config::new(
            &target.host,
            target.port,
            &target.database,
            &target.username,
            password,
        )
    };
    let connected = if tcps(target) {
        // A throwaway observation: the report keeps the inspection's handshake.
        let obs: SharedObservation = Arc::new(Mutex::new(Observation::default()));
        let (connector, name) = connector(target, &obs)?;
        let secured = connector
            .connect(name, stream)
            .await
            .map_err(|e| lost(&e))?;
        // The login connection's certificate must match the DN too: it is the one the
        // password goes over.
        if let Some(mut f) = dn_mismatch(target, &obs) {
            f.step = Step::Auth;
            rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
        Connection::connect_with_tls_stream(config, secured).await
    } else {
        Connection::connect_with_tcp_stream(config, stream).await
    };
    match connected {
        Ok(conn) => {
            rec.finish(
                Step::Auth,
                StepStatus::Ok,
                format!(
                    "logged in as {} to {} {:?}",
                    target.username,
                    if target.text_option("connect_by") == Some("sid") {
                        "SID"
                    } else {
                        "service"
                    },
                    target.database
                ),
            );
            Ok(conn)
        }
        Err(e) => {
            let f = login_failure(target, &e);
            rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
            Err(f)
        }
    }
}

/// A refused login in the user's terms: the ORA codes a login meets, by what to change.
fn login_failure(target: &ProbeTarget, e: &oracle_rs::Error) -> Fail {
    use oracle_rs::Error as E;
    let user = &target.username;
    let (code, message, hint) = match e {
        E::OracleError { code, message } => {
            let ora = format!("ORA-{code:05}");
            let said = if message.is_empty() {
                ora.clone()
            } else {
                message.clone()
            };
            match code {
                1017 | 1005 => (
                    ErrorCode::AuthFailed,
                    format!("Oracle refused the user name or password for {user:?} ({said})."),
                    "Check the user name and password (Oracle passwords are case-sensitive); the account may also be missing on this database.".to_owned(),
                ),
                28000 => (
                    ErrorCode::PermissionDenied,
                    format!("The account {user:?} is locked ({said})."),
                    format!("Ask a DBA to run ALTER USER {user} ACCOUNT UNLOCK (too many failed logins lock it)."),
                ),
                28001 | 28002 => (
                    ErrorCode::AuthFailed,
                    format!("The password of {user:?} has expired ({said})."),
                    "Change it with SQL*Plus or SQLcl (they prompt for a new one), then save the new password here.".to_owned(),
                ),
                1045 => (
                    ErrorCode::PermissionDenied,
                    format!("{user:?} may not log in ({said})."),
                    format!("Ask a DBA to GRANT CREATE SESSION TO {user}."),
                ),
                12514 | 12505 => (
                    ErrorCode::DatabaseNotFound,
                    format!("The database does not know {:?} ({said}).", target.database),
                    "Check the service name (lsnrctl services lists them), or switch between service name and SID.".to_owned(),
                ),
                1033 | 1034 | 1089 => (
                    ErrorCode::ConnectionFailed,
                    format!("The database is not open ({said})."),
                    "It is starting, stopping or down: try again later, or ask a DBA to open it.".to_owned(),
                ),
                28040 => (
                    ErrorCode::AuthFailed,
                    format!("The server and Switchboard share no password protocol ({said})."),
                    "The server's SQLNET.ALLOWED_LOGON_VERSION_SERVER rules out 12c verifiers, or the account only has an old (10g) one: reset the password so a 12c verifier is stored.".to_owned(),
                ),
                _ => (
                    ErrorCode::ConnectionFailed,
                    format!("Oracle refused the login ({said})."),
                    format!("Look up {ora}; it is about the account or the database, not the network."),
                ),
            }
        }
        E::InvalidCredentials | E::AuthenticationFailed(_) => (
            ErrorCode::AuthFailed,
            format!("Oracle refused the login for {user:?} ({e})."),
            "Check the user name and password (Oracle passwords are case-sensitive).".to_owned(),
        ),
        E::UnsupportedVerifierType(_) => (
            ErrorCode::AuthFailed,
            format!("The account {user:?} only has a password verifier Switchboard cannot use ({e})."),
            "Reset the password on the server so that a 12c (SHA-2) verifier is stored.".to_owned(),
        ),
        E::ProtocolVersionNotSupported(version, needed) => (
            ErrorCode::ProtocolError,
            format!("This Oracle server is older than Switchboard's driver supports (TNS protocol {version}; it needs {needed}, i.e. Oracle Database 12.1 or later)."),
            "Test this server with SQL*Plus or SQLcl; Oracle 11g and older cannot be tested here.".to_owned(),
        ),
        E::NativeNetworkEncryptionRequired => (
            ErrorCode::TlsRequiredByServer,
            "The server requires Oracle native network encryption, which Switchboard does not speak.".to_owned(),
            "Connect over TCPS instead (a TLS mode and the TCPS port, often 2484).".to_owned(),
        ),
        E::ConnectionRefused { .. } | E::ConnectionRedirect(_) | E::ConnectionRedirected { .. } => (
            ErrorCode::ConnectionFailed,
            format!("The listener did not hand the login on ({e})."),
            "The listener accepted a moment ago: check the listener's log for this client.".to_owned(),
        ),
        E::Io(_) | E::ConnectionClosed | E::ConnectionClosedByServer(_) => (
            ErrorCode::ConnectionFailed,
            format!("The server closed the connection during the login ({e})."),
            "Check the server's alert log and listener log for this client (sqlnet.ora settings such as SQLNET.ALLOWED_LOGON_VERSION or an IP allow-list).".to_owned(),
        ),
        _ => (
            ErrorCode::ProtocolError,
            format!("The login did not follow Oracle's protocol as expected ({e})."),
            "Check that this is an Oracle Database listener; if it is, report this message.".to_owned(),
        ),
    };
    Fail::new(Step::Auth, code, message, hint)
}

async fn first_query(rec: &mut Recorder, conn: &Connection) -> Result<ServerInfo, Fail> {
    rec.start(Step::Query);
    let rows = match conn.query(FIRST_QUERY, &[]).await {
        Ok(r) => r,
        Err(e) => {
            let f = Fail::new(
                Step::Query,
                ErrorCode::PermissionDenied,
                format!("Logged in, but the first query failed ({e})."),
                "The session cannot read DUAL or USERENV: check the account's grants.",
            );
            rec.finish(Step::Query, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    let text = |i: usize| {
        rows.rows
            .first()
            .and_then(|r| r.get(i))
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let role = text(3);
    let info = ServerInfo {
        version: text(4),
        current_user: text(0),
        current_database: match (text(1), text(2)) {
            (db, con) if con.is_empty() || con == db => db,
            (db, con) => format!("{con} (in {db})"),
        },
        in_recovery: !role.is_empty() && role != "PRIMARY",
    };
    rec.finish(
        Step::Query,
        StepStatus::Ok,
        format!(
            "{}; user {}, database {}{}",
            info.version,
            info.current_user,
            info.current_database,
            if role.is_empty() {
                String::new()
            } else {
                format!(", role {role}")
            }
        ),
    );
    Ok(info)
}

/// A connection saved as a replica should reach a standby, and a primary a primary.
fn checks(target: &ProbeTarget, server: &ServerInfo) -> Vec<Check> {
    match (target.expect_replica, server.in_recovery) {
        (Some(true), false) => vec![Check::new(
            "replica_role",
            CheckStatus::Failed,
            "This connection is set as a read replica, but the database's role is PRIMARY.".into(),
            "Point it at the standby, or clear the replica setting.",
        )],
        (Some(false), true) => vec![Check::new(
            "replica_role",
            CheckStatus::Failed,
            "A saved replica names this connection as its primary, but this database is a standby."
                .into(),
            "Point the primary connection at the primary database.",
        )],
        (Some(true), true) => vec![Check::new(
            "replica_role",
            CheckStatus::Ok,
            "a standby, as a replica should be".into(),
            "",
        )],
        (Some(false), false) => vec![Check::new(
            "replica_role",
            CheckStatus::Ok,
            "the primary, as it should be".into(),
            "",
        )],
        (None, _) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinguished_names_match_whatever_their_order_spacing_and_attribute_case() {
        assert!(same_dn(
            "CN=db.example.com, O=Example",
            "o=Example,CN=db.example.com"
        ));
        assert!(!same_dn(
            "CN=db.example.com,O=Example",
            "CN=other,O=Example"
        ));
        assert!(!same_dn("CN=db.example.com", "CN=db.example.com,O=Example"));
        assert!(!same_dn("", ""), "an empty DN never matches");
    }
}
