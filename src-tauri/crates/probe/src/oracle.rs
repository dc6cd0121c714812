//! Oracle: Switchboard runs resolve, TCP and TCPS (TLS from the first byte, with the shared
//! verifier, the certificate chain and, for verify-full with a DN, the subject match) and
//! hands that one connection to oracle-rs (the pure-Rust thin client, patched:
//! vendor/oracle-rs/PATCHES.md), which speaks to the listener (CONNECT → ACCEPT, or
//! REFUSE with its ORA code), negotiates, logs in (O5LOGON) and runs the first query.
//!
//! The driver runs in its own task (a panic fails the test, not the caller); the logoff
//! runs after the result is known, bounded to 2 s. A server older than 12.1 (TNS protocol
//! below 315) is named as too old for the driver.
//!
//! - REDIRECT (a RAC SCAN listener sending the client to a node) is followed once: the
//!   first ADDRESS of its data (read with `connstr`'s TNS descriptor reader) gets its own
//!   resolve, TCP and TLS steps (the connection's TLS mode, verified for that host), and
//!   the connect data the redirect carries is sent there; a second redirect is
//!   `connection_failed`.
//! - verify-full with SSL_SERVER_CERT_DN verifies the chain against the connection's CA
//!   (validation requires it) and compares the certificate's subject with the DN, by
//!   content (`switchboard_model::dn`), instead of the host name, on the connection the password
//!   then goes over.
//! - ORA codes by what to change: 01017/01005 and 28001 (expired) `auth_failed`; 28000
//!   (locked) and 01045 (no CREATE SESSION) `permission_denied`; 12514/12505
//!   `database_not_found`; 01033/01034 database not open; 28040 no common verifier; a
//!   first query refused with 00942/01031 is `permission_denied` at the query step.
//!
//! Transport: a stream it is handed: the one `net::open_stream` opens (TLS on top for
//! TCPS), also for the hop a listener's redirect names.

use std::sync::{Arc, Mutex};

use oracle_rs::{Config, Connection};

use super::driver::{AbortOnDrop, Fail};
use super::net::open_stream;
use super::report::{Check, CheckStatus, Recorder, ServerInfo, Step, StepStatus, TestReport};
use super::tls::{self, Observation, SharedObservation};
use super::ProbeTarget;
use switchboard_model::dn;
use switchboard_model::error::ErrorCode;
use switchboard_model::model::TlsMode;
use tokio::net::TcpStream;

/// What to check when oracle-rs stops on an answer it cannot handle.
const ORACLE_BROKE: &str =
    "Check that the server is Oracle Database 12.1 or later; read its alert log.";

/// The first query: who and where we are, and whether this is a standby.
const FIRST_QUERY: &str = "SELECT USER, SYS_CONTEXT('USERENV', 'DB_NAME'), \
     SYS_CONTEXT('USERENV', 'CON_NAME'), SYS_CONTEXT('USERENV', 'DATABASE_ROLE'), \
     (SELECT product || ' ' || version FROM product_component_version WHERE ROWNUM = 1) \
     FROM DUAL";

pub async fn run(target: &ProbeTarget) -> TestReport {
    let mut rec = Recorder::new(target.progress.clone());
    let obs: SharedObservation = Arc::new(Mutex::new(Observation::default()));
    let outcome = tokio::time::timeout(target.timeout, attempt(target, &mut rec, &obs)).await;
    let observed = super::driver::observed(&obs, target.tls_mode).map(|mut info| {
        if let Some(dn) = expected_dn(target) {
            info.verification = format!(
                "The certificate chains to a trusted CA and its subject is {dn:?} (SSL_SERVER_CERT_DN); the host name is not checked."
            );
        }
        info
    });
    let mut report = super::driver::conclude(rec, target, outcome, observed);
    if let Some(server) = &report.server {
        report.checks = checks(target, server);
    }
    report
}

fn not_oracle(target: &ProbeTarget) -> Fail {
    Fail::new(
        Step::Auth,
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

/// The connection handed to the driver.
enum Transport {
    Tcp(TcpStream),
    Tcps(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

async fn attempt(
    target: &ProbeTarget,
    rec: &mut Recorder,
    obs: &SharedObservation,
) -> Result<ServerInfo, Fail> {
    let transport = open(target, rec, obs).await?;
    let conn = match login(target, rec, obs, transport, None).await? {
        Login::Connected(conn) => conn,
        // A RAC SCAN listener (or a shared-server dispatcher) hands the client another
        // address: one hop is followed, with the same TLS rules for the new host.
        Login::Redirected(Redirect {
            target: hop,
            connect_data,
        }) => {
            let transport = open(&hop, rec, obs).await?;
            match login(&hop, rec, obs, transport, connect_data).await? {
                Login::Connected(conn) => conn,
                Login::Redirected(Redirect { target: again, .. }) => {
                    let f = Fail::new(
                        Step::Auth,
                        ErrorCode::ConnectionFailed,
                        format!(
                            "{}:{} redirected the connection again, to {}:{}; Switchboard follows one redirect.",
                            hop.host, hop.port, again.host, again.port
                        ),
                        "Connect to a listener that serves the service itself (a RAC node's local listener).",
                    );
                    rec.push(
                        Step::Auth,
                        StepStatus::Failed,
                        Default::default(),
                        f.message.clone(),
                    );
                    return Err(f);
                }
            }
        }
    };
    let (conn, info) = first_query(target, rec, conn).await;
    // Logging off is a courtesy to the server; the result is already known, so it does
    // not count against the test's time. Bounded: nothing is left running for long.
    if let Some(conn) = conn {
        tokio::spawn(async move {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(2), conn.close()).await;
        });
    }
    info
}

/// Resolve, TCP and (for TCPS) TLS to `target`: the connection handed to the driver.
async fn open(
    target: &ProbeTarget,
    rec: &mut Recorder,
    obs: &SharedObservation,
) -> Result<Transport, Fail> {
    // oracle-rs takes a TCP stream: a route's forward is bridged to one (`into_tcp`).
    let stream = open_stream(target, rec)
        .await?
        .into_tcp()
        .await
        .map_err(|e| {
            Fail::new(
                Step::Connect,
                ErrorCode::ConnectionFailed,
                format!("The SSH forward could not be handed to the Oracle driver: {e}."),
                "Run the test again.",
            )
        })?;
    if tcps(target) {
        return Ok(Transport::Tcps(Box::new(
            tls_step(target, rec, obs, stream).await?,
        )));
    }
    rec.push(
        Step::Tls,
        StepStatus::Skipped,
        Default::default(),
        "PROTOCOL=TCP: no TLS".into(),
    );
    Ok(Transport::Tcp(stream))
}

/// How the driver's part ended when it did not fail.
enum Login {
    Connected(Connection),
    /// The listener sent the client elsewhere: where, and the connect data to send there.
    Redirected(Redirect),
}

struct Redirect {
    target: ProbeTarget,
    connect_data: Option<String>,
}

/// A listener's REDIRECT data, "address\0connect data": the HOST and PORT of the first
/// ADDRESS, and the connect data to send on the new connection (when there is any).
fn read_redirect(data: &str) -> Option<(String, u16, Option<String>)> {
    let (address, connect_data) = match data.split_once('\0') {
        Some((a, c)) => (a, Some(c.trim_matches(char::from(0)).trim())),
        None => (data, None),
    };
    let pairs = switchboard_model::connstr::descriptor_pairs(address.trim()).ok()?;
    let first = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key || k.ends_with(&format!("/{key}")))
            .map(|(_, v)| v.clone())
    };
    let host = first("HOST").filter(|h| !h.is_empty())?;
    let port = first("PORT")?.parse().ok()?;
    Some((
        host,
        port,
        connect_data.filter(|c| !c.is_empty()).map(str::to_owned),
    ))
}

/// TLS on the test's one connection: the shared verifier, the chain for the report, and
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
    let leaf = obs.lock().ok().and_then(|o| o.chain.first().cloned());
    let subject = leaf.as_ref().and_then(|der| dn::certificate_subject(der));
    let wanted = dn::parse(dn);
    if subject.is_some() && subject == wanted {
        return None;
    }
    let shown = subject.as_ref().map(dn::to_string).unwrap_or_else(|| {
        leaf.as_ref()
            .and_then(switchboard_model::cert::certificate_info)
            .map(|c| c.subject)
            .unwrap_or_default()
    });
    Some(Fail::new(
        Step::Tls,
        ErrorCode::TlsHostnameMismatch,
        format!(
            "The server's certificate is for {shown:?}, not the DN {dn:?} this connection expects."
        ),
        "Correct the Server certificate DN (the subject shown can be pasted as is), or clear it to match the host name instead.",
    ))
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
        if target
            .tls
            .ca_pem
            .as_deref()
            .is_none_or(|c| c.trim().is_empty())
        {
            // Saved before validation asked for it.
            return Err(Fail::new(
                Step::Tls,
                ErrorCode::CaRequired,
                "Matching the server certificate DN needs the server's CA certificate.",
                "Paste the server's CA certificate, or clear the Server certificate DN to match the host name.",
            ));
        }
        let mut by_dn = target.clone();
        by_dn.tls_mode = TlsMode::VerifyCa;
        tls::connector_for(&by_dn, obs)
    } else {
        tls::connector_for(target, obs)
    }
}

/// The driver's part, on Switchboard's connection: listener, negotiation, login. Spawned,
/// so that a driver panic on a strange answer fails the test rather than the caller.
async fn login(
    target: &ProbeTarget,
    rec: &mut Recorder,
    obs: &SharedObservation,
    transport: Transport,
    redirected: Option<String>,
) -> Result<Login, Fail> {
    rec.start(Step::Auth);
    let sid = target.text_option("connect_by") == Some("sid");
    // The driver keeps this copy of the password in its connection (not zeroed) until the
    // connection is dropped: at the latest when the bounded logoff ends.
    let password = target
        .password
        .as_ref()
        .map(|p| p.expose().to_owned())
        .unwrap_or_default();
    let (host, port, database, user) = (
        target.host.clone(),
        target.port,
        target.database.clone(),
        target.username.clone(),
    );
    let mut config = if sid {
        Config::with_sid(host, port, database, user, password)
    } else {
        Config::new(host, port, database, user, password)
    };
    if matches!(transport, Transport::Tcps(_)) {
        // Only the connect descriptor's PROTOCOL=TCPS: TLS is already up.
        config = config.tls(oracle_rs::TlsMode::Require);
    }
    // After a redirect the listener's own connect data goes out again.
    config.redirect_connect_data = redirected;
    let task = tokio::spawn(async move {
        match transport {
            Transport::Tcp(s) => Connection::connect_with_tcp_stream(config, s).await,
            Transport::Tcps(s) => Connection::connect_with_tls_stream(config, *s).await,
        }
    });
    let _abort = AbortOnDrop(task.abort_handle());
    let outcome = match task.await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(oracle_rs::Error::ConnectionRedirect(to))) => match read_redirect(&to) {
            Some((host, port, connect_data)) => {
                rec.finish(
                    Step::Auth,
                    StepStatus::Skipped,
                    format!("the listener redirected the connection to {host}:{port}"),
                );
                return Ok(Login::Redirected(Redirect {
                    target: ProbeTarget {
                        host,
                        port,
                        ..target.clone()
                    },
                    connect_data,
                }));
            }
            None => Err(login_failure(
                target,
                obs,
                &oracle_rs::Error::ConnectionRedirect(to),
            )),
        },
        Ok(Err(e)) => Err(login_failure(target, obs, &e)),
        Err(e) => Err(super::driver::driver_broke(
            target,
            Step::Auth,
            &e,
            ORACLE_BROKE,
        )),
    };
    match outcome {
        Ok(conn) => {
            rec.finish(
                Step::Auth,
                StepStatus::Ok,
                format!(
                    "logged in as {} to {} {:?}",
                    target.username,
                    if sid { "SID" } else { "service" },
                    target.database
                ),
            );
            Ok(Login::Connected(conn))
        }
        Err(f) => {
            rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
            Err(f)
        }
    }
}

/// An ORA error's text: the server's message when it reads as one, else the bare code.
fn ora_text(code: u32, message: &str) -> String {
    if message.starts_with("ORA-") {
        message.trim().to_owned()
    } else {
        format!("ORA-{code:05}")
    }
}

/// A refused login in the user's terms: the listener's refusals, the ORA codes a login
/// meets, and peers that are not Oracle, by what to change.
fn login_failure(target: &ProbeTarget, obs: &SharedObservation, e: &oracle_rs::Error) -> Fail {
    use oracle_rs::Error as E;
    let user = &target.username;
    let what = if target.text_option("connect_by") == Some("sid") {
        "SID"
    } else {
        "service"
    };
    let (code, message, hint) = match e {
        E::OracleError { code, message } => {
            let said = ora_text(*code, message);
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
                28001 => (
                    ErrorCode::AuthFailed,
                    format!("The password of {user:?} has expired ({said})."),
                    "Change it with SQL*Plus or SQLcl (they prompt for a new one), then save the new password here.".to_owned(),
                ),
                1045 => (
                    ErrorCode::PermissionDenied,
                    format!("{user:?} may not log in ({said})."),
                    format!("Ask a DBA to GRANT CREATE SESSION TO {user}."),
                ),
                12514 | 12505 => unknown_service(target, what, &said),
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
                    format!("Look up ORA-{code:05}; it is about the account or the database, not the network."),
                ),
            }
        }
        E::ConnectionRefused {
            error_code: Some(code @ (12514 | 12505)),
            ..
        } => unknown_service(target, what, &format!("ORA-{code:05}")),
        E::ConnectionRefused { error_code, .. } => (
            ErrorCode::ConnectionFailed,
            format!(
                "The listener refused the connection{}.",
                error_code
                    .map(|c| format!(" (ORA-{c:05})"))
                    .unwrap_or_default()
            ),
            "Look the ORA code up; it is about the listener's configuration or this client's address.".to_owned(),
        ),
        E::ConnectionRedirect(to) | E::ConnectionRedirected { address: to } => (
            ErrorCode::ConnectionFailed,
            format!(
                "The listener accepts {what} {:?} but redirects the connection to an address Switchboard cannot read ({}).",
                target.database,
                to.trim_start_matches("redirect not implemented: ")
            ),
            "Connect to the address the listener redirects to (a RAC node or its local listener), or ask for a dedicated server on this listener.".to_owned(),
        ),
        E::ServerProof(_) => (
            ErrorCode::ProtocolError,
            format!("The server let {user:?} in without proving that it knows the password: whoever answered may not be the database."),
            "Choose verify-full with the server's CA so that its certificate proves who it is, then test again; a real Oracle server always sends this proof.".to_owned(),
        ),
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
        E::InvalidPacketType(_) | E::UnexpectedPacketType { .. } => return not_oracle(target),
        E::Io(io) => {
            // TLS 1.3 servers refuse a missing client certificate after the handshake, so
            // the alert arrives with the first read.
            if let Some(mut f) =
                tls::rustls_error(io).and_then(|t| tls::classify_failure(target, obs, Some(t)))
            {
                f.step = Step::Auth;
                return f;
            }
            closed(target, e)
        }
        E::ConnectionClosed | E::ConnectionClosedByServer(_) => closed(target, e),
        _ => (
            ErrorCode::ProtocolError,
            format!("The login did not follow Oracle's protocol as expected ({e})."),
            "Check that this is an Oracle Database listener; if it is, report this message.".to_owned(),
        ),
    };
    Fail::new(Step::Auth, code, message, hint)
}

fn unknown_service(target: &ProbeTarget, what: &str, said: &str) -> (ErrorCode, String, String) {
    (
        ErrorCode::DatabaseNotFound,
        format!("The listener does not know {what} {:?} ({said}).", target.database),
        "Check the service name (lsnrctl services lists them), or switch between service name and SID.".to_owned(),
    )
}

fn closed(target: &ProbeTarget, e: &oracle_rs::Error) -> (ErrorCode, String, String) {
    (
        ErrorCode::ConnectionFailed,
        format!(
            "{}:{} closed the connection before the login finished ({e}).",
            target.host, target.port
        ),
        "The listener may only admit listed addresses (TCP.VALIDNODE_CHECKING / TCP.INVITED_NODES in sqlnet.ora), a firewall may cut the connection, or this is a TCPS port reached without TLS (or the reverse). The listener log names the reason.".to_owned(),
    )
}

/// The first query, spawned like the login. Gives the connection back for the logoff.
async fn first_query(
    target: &ProbeTarget,
    rec: &mut Recorder,
    conn: Connection,
) -> (Option<Connection>, Result<ServerInfo, Fail>) {
    use oracle_rs::Error as E;
    rec.start(Step::Query);
    let task = tokio::spawn(async move {
        let rows = conn.query(FIRST_QUERY, &[]).await;
        (conn, rows)
    });
    let _abort = AbortOnDrop(task.abort_handle());
    let (conn, rows) = match task.await {
        Ok((conn, rows)) => (Some(conn), rows),
        Err(e) => {
            let f = super::driver::driver_broke(target, Step::Query, &e, ORACLE_BROKE);
            rec.finish(Step::Query, StepStatus::Failed, f.message.clone());
            return (None, Err(f));
        }
    };
    let rows = match rows {
        Ok(r) => r,
        Err(e) => {
            let f = match &e {
                E::OracleError {
                    code: code @ (942 | 1031 | 1039),
                    message,
                } => Fail::new(
                    Step::Query,
                    ErrorCode::PermissionDenied,
                    format!("Logged in, but the session may not read what the first query asks ({}).", ora_text(*code, message)),
                    "The account cannot read USERENV or PRODUCT_COMPONENT_VERSION: check its grants (or a logon trigger's restrictions).",
                ),
                E::OracleError { code, message } => Fail::new(
                    Step::Query,
                    ErrorCode::ConnectionFailed,
                    format!("Logged in, but the first query failed ({}).", ora_text(*code, message)),
                    format!("Look up ORA-{code:05}; the login itself worked."),
                ),
                E::Io(_) | E::ConnectionClosed | E::ConnectionClosedByServer(_) => Fail::new(
                    Step::Query,
                    ErrorCode::ConnectionFailed,
                    format!("The server closed the connection during the first query ({e})."),
                    "Read the database's alert log: a logon trigger or a resource limit may end new sessions.",
                ),
                _ => Fail::new(
                    Step::Query,
                    ErrorCode::ProtocolError,
                    format!("The first query's answer did not follow Oracle's protocol as expected ({e})."),
                    "If this is an Oracle Database, report this message.",
                ),
            };
            rec.finish(Step::Query, StepStatus::Failed, f.message.clone());
            return (conn, Err(f));
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
    (conn, Ok(info))
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
    fn a_redirect_gives_the_first_address_and_the_connect_data_to_send() {
        assert_eq!(
            read_redirect(
                "(ADDRESS=(PROTOCOL=TCP)(HOST=node2.example.com)(PORT=1522))\u{0}(DESCRIPTION=(CONNECT_DATA=(SERVICE_NAME=sales)(INSTANCE_NAME=orcl2)))"
            ),
            Some((
                "node2.example.com".into(),
                1522,
                Some("(DESCRIPTION=(CONNECT_DATA=(SERVICE_NAME=sales)(INSTANCE_NAME=orcl2)))".into())
            ))
        );
        assert_eq!(
            read_redirect("(address = (protocol = tcps)(host = 10.0.0.7 )(port = 2484))"),
            Some(("10.0.0.7".into(), 2484, None))
        );
        assert_eq!(
            read_redirect(
                "(DESCRIPTION=(ADDRESS_LIST=(ADDRESS=(PORT=1)(HOST=a))(ADDRESS=(HOST=b)(PORT=2))))\u{0}"
            ),
            Some(("a".into(), 1, None))
        );
        for bad in [
            "",
            "(ADDRESS=(HOST=x))",
            "(ADDRESS=(HOST=)(PORT=1))",
            "(ADDRESS=(HOST=x)(PORT=99999))",
            "HOST=x",
        ] {
            assert_eq!(read_redirect(bad), None, "{bad:?}");
        }
    }
}
