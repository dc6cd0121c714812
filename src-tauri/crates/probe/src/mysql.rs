//! MySQL and MariaDB tests. sqlx (the driver) logs in and runs the first query; it cannot
//! be handed a stream or report its TLS session, so before that Switchboard opens its own
//! connection to the same address, reads the server greeting (version, whether it offers
//! TLS), asks for TLS the MySQL way (SSLRequest) and runs the handshake with the same
//! verifier as every engine: that connection times resolve/connect/TLS and shows the
//! certificate chain, then is closed. The driver's login then verifies TLS again on its own.
//!
//! - The greeting tells a refusal (an 0xFF error packet: too many connections, a blocked
//!   host) from another protocol's banner and from a server without TLS.
//! - verify-ca: sqlx 0.8's verify-ca still rejects a host-name mismatch, so the login goes
//!   on (as verify-full) only when the certificate also names the host; otherwise the test
//!   stops with `tls_mode_unsupported` before the password is sent
//!   (`tls::verify_ca_needs_name`, shared with MongoDB).
//! - MariaDB and MySQL answer "access denied" (1044) both for a database that does not
//!   exist and for one the account may not use: that is `permission_denied`, with a hint
//!   naming both.
//!
//! Transport: sqlx dials itself (the host and port, or the Unix socket when the host is a
//! path): it needs an address it can reach, not a stream. Only the inspection connection
//! comes from `net::open_stream`; a Unix socket is only checked to accept (no resolve, no
//! TLS).

use std::sync::{Arc, Mutex};

use sqlx::mysql::{MySqlConnectOptions, MySqlDatabaseError, MySqlSslMode};
use sqlx::{ConnectOptions, Connection, Row};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::driver::Fail;
use super::net::{open_stream, Stream};
use super::report::{Recorder, ServerInfo, Step, StepStatus, TestReport};
use super::tls::{self, Observation, SharedObservation};
use super::ProbeTarget;
use switchboard_model::error::ErrorCode;
use switchboard_model::model::TlsMode;

const CLIENT_LONG_PASSWORD: u32 = 0x1;
const CLIENT_PROTOCOL_41: u32 = 0x200;
const CLIENT_SSL: u32 = 0x800;
const CLIENT_SECURE_CONNECTION: u32 = 0x8000;
const CLIENT_PLUGIN_AUTH: u32 = 0x80000;

pub async fn run(target: &ProbeTarget) -> TestReport {
    let mut rec = Recorder::new(target.progress.clone());
    let obs: SharedObservation = Arc::new(Mutex::new(Observation::default()));
    let outcome = tokio::time::timeout(target.timeout, steps(target, &mut rec, &obs)).await;
    let tls = super::driver::observed(&obs, target.tls_mode);
    super::driver::conclude(rec, target, outcome, tls)
}

fn not_mysql(target: &ProbeTarget) -> Fail {
    Fail::new(
        Step::Greeting,
        ErrorCode::ProtocolError,
        format!(
            "{}:{} answered with something that is not a MySQL or MariaDB server.",
            target.host, target.port
        ),
        "Check that the port is the database's (3306 by default) and not another service.",
    )
}

/// The server's first packet: its version and capability flags, or its refusal.
struct Greeting {
    version: String,
    capabilities: u32,
}

async fn read_greeting(target: &ProbeTarget, stream: &mut Stream) -> Result<Greeting, Fail> {
    let mut header = [0u8; 4];
    stream
        .read_exact(&mut header)
        .await
        .map_err(|_| not_mysql(target))?;
    let len = usize::from(header[0]) | usize::from(header[1]) << 8 | usize::from(header[2]) << 16;
    // A greeting is ~100 bytes; anything far larger is another protocol's banner.
    if len == 0 || len > 4096 || header[3] != 0 {
        return Err(not_mysql(target));
    }
    let mut payload = vec![0u8; len];
    stream
        .read_exact(&mut payload)
        .await
        .map_err(|_| not_mysql(target))?;
    match payload.first() {
        Some(0xFF) if payload.len() >= 3 => {
            let number = u16::from_le_bytes([payload[1], payload[2]]);
            let text = String::from_utf8_lossy(&payload[3..])
                .trim_start_matches('#')
                .to_owned();
            return Err(Fail::new(
                Step::Greeting,
                ErrorCode::ConnectionFailed,
                format!("The server refused the connection (error {number}: {text})."),
                match number {
                    1129 => "Too many failed connections from this host: run FLUSH HOSTS on the server (or raise max_connect_errors).",
                    1040 => "The server has no free connections: try again later, or raise max_connections.",
                    _ => "Read the server's message; it is about this client, not the network.",
                },
            ));
        }
        Some(10) => {}
        _ => return Err(not_mysql(target)),
    }
    let rest = &payload[1..];
    let nul = rest
        .iter()
        .position(|b| *b == 0)
        .ok_or_else(|| not_mysql(target))?;
    let version = String::from_utf8_lossy(&rest[..nul]).into_owned();
    // After the version: thread id (4), auth data (8), filler (1), capabilities low (2),
    // charset (1), status (2), capabilities high (2).
    let at = nul + 1 + 4 + 8 + 1;
    let lo = rest
        .get(at..at + 2)
        .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
        .ok_or_else(|| not_mysql(target))?;
    let hi = rest
        .get(at + 5..at + 7)
        .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
        .unwrap_or(0);
    Ok(Greeting {
        version,
        capabilities: lo | hi << 16,
    })
}

fn ssl_request() -> Vec<u8> {
    let mut p = Vec::with_capacity(36);
    p.extend_from_slice(&[32, 0, 0, 1]);
    let caps = CLIENT_LONG_PASSWORD
        | CLIENT_PROTOCOL_41
        | CLIENT_SSL
        | CLIENT_SECURE_CONNECTION
        | CLIENT_PLUGIN_AUTH;
    p.extend_from_slice(&caps.to_le_bytes());
    p.extend_from_slice(&(16u32 * 1024 * 1024).to_le_bytes());
    p.push(45); // utf8mb4_general_ci
    p.extend_from_slice(&[0u8; 23]);
    p
}

/// Greeting and TLS on Switchboard's own connection; says whether TLS is in use.
async fn inspect(
    target: &ProbeTarget,
    rec: &mut Recorder,
    obs: &SharedObservation,
) -> Result<(bool, String), Fail> {
    let (connector, server_name) = tls::connector_for(target, obs)?;
    let mut stream = open_stream(target, rec).await?;
    rec.start(Step::Greeting);
    let greeting = match read_greeting(target, &mut stream).await {
        Ok(g) => g,
        Err(f) => {
            rec.finish(Step::Greeting, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    let offers_tls = greeting.capabilities & CLIENT_SSL != 0;
    rec.finish(
        Step::Greeting,
        StepStatus::Ok,
        format!(
            "{}; {}",
            greeting.version,
            if offers_tls {
                "offers TLS"
            } else {
                "does not offer TLS"
            }
        ),
    );
    let t = rec.start(Step::Tls);
    if target.tls_mode == TlsMode::Disable {
        rec.push(
            Step::Tls,
            StepStatus::Skipped,
            Default::default(),
            "TLS disabled for this connection".into(),
        );
        return Ok((false, greeting.version));
    }
    if !offers_tls {
        if target.tls_mode == TlsMode::Prefer {
            rec.push(
                Step::Tls,
                StepStatus::Skipped,
                t.elapsed(),
                "the server does not offer TLS; continued without it (prefer)".into(),
            );
            return Ok((false, greeting.version));
        }
        let f = Fail::new(
            Step::Tls,
            ErrorCode::TlsNotSupportedByServer,
            format!(
                "{}:{} ({}) does not offer TLS.",
                target.host, target.port, greeting.version
            ),
            "Configure ssl_cert / ssl_key on the server, or (only on a trusted network) choose TLS mode disable or prefer.",
        );
        rec.finish(Step::Tls, StepStatus::Failed, f.message.clone());
        return Err(f);
    }
    if stream.write_all(&ssl_request()).await.is_err() {
        let f = Fail {
            step: Step::Tls,
            ..not_mysql(target)
        };
        rec.finish(Step::Tls, StepStatus::Failed, f.message.clone());
        return Err(f);
    }
    match tls::handshake(&connector, server_name, stream, obs).await {
        Ok(_) => {
            let (protocol, cipher) = obs
                .lock()
                .map(|o| (o.protocol.clone(), o.cipher_suite.clone()))
                .unwrap_or_default();
            rec.finish(
                Step::Tls,
                StepStatus::Ok,
                format!(
                    "{}, {}; {}{}",
                    protocol.unwrap_or_default(),
                    cipher.unwrap_or_default(),
                    tls::verification_words(target.tls_mode),
                    if target.tls_mode == TlsMode::VerifyCa {
                        " (the driver checks the certificate fully on its login connection when it names the host; sqlx 0.8 cannot skip the name check)"
                    } else {
                        ""
                    }
                ),
            );
            Ok((true, greeting.version))
        }
        Err(e) => {
            let transport = tls::rustls_error(&e);
            let f = tls::classify_failure(target, obs, transport).unwrap_or_else(|| {
                Fail::new(
                    Step::Tls,
                    ErrorCode::TlsHandshakeFailed,
                    format!("The TLS handshake failed: {e}."),
                    "Check the TLS settings on both sides (protocol versions, certificates).",
                )
            });
            rec.finish(Step::Tls, StepStatus::Failed, f.message.clone());
            Err(f)
        }
    }
}

async fn steps(
    target: &ProbeTarget,
    rec: &mut Recorder,
    obs: &SharedObservation,
) -> Result<ServerInfo, Fail> {
    let socket = target.host.starts_with('/');
    let (tls_on, version) = if socket {
        reach_socket(target, rec).await?;
        (false, String::new())
    } else {
        inspect(target, rec, obs).await?
    };
    rec.start(Step::Auth);
    if let Err(f) = tls::verify_ca_needs_name(target, obs, "sqlx 0.8") {
        rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
        return Err(f);
    }
    // Through an SSH route sqlx dials a private Unix socket that forwards to the database
    // (`ssh::forward`), keeping the database's host name for its TLS verification.
    let forward = match &target.transport {
        crate::ssh::Transport::Open(tunnel) if !socket => Some(
            crate::ssh::forward::unix(tunnel.clone(), target.host.clone(), target.port)
                .await
                .map_err(|e| {
                    let f = Fail::new(
                        Step::Auth,
                        ErrorCode::ConnectionFailed,
                        format!("The SSH forward for the driver could not be opened: {e}."),
                        "Check that the temporary folder is writable.",
                    );
                    rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
                    f
                })?,
        ),
        _ => None,
    };
    let mut options = MySqlConnectOptions::new();
    options = if socket {
        options.socket(&target.host)
    } else if let Some(forward) = &forward {
        options.socket(forward.path()).host(&target.host)
    } else {
        options.host(&target.host).port(target.port)
    };
    let mut options = options
        .username(&target.username)
        .ssl_mode(match target.tls_mode {
            _ if socket => MySqlSslMode::Disabled,
            TlsMode::Disable => MySqlSslMode::Disabled,
            TlsMode::Prefer => MySqlSslMode::Preferred,
            TlsMode::Require => MySqlSslMode::Required,
            // sqlx 0.8's verify-ca still rejects a host-name mismatch (it matches rustls'
            // old error variant only); it is reached only when the certificate names the
            // host (`verify_ca_needs_name`), so the full check is what verify-ca asks, and more.
            TlsMode::VerifyCa => MySqlSslMode::VerifyIdentity,
            TlsMode::VerifyFull => MySqlSslMode::VerifyIdentity,
        })
        .disable_statement_logging();
    if let Some(p) = &target.password {
        options = options.password(p.expose());
    }
    if !target.database.is_empty() {
        options = options.database(&target.database);
    }
    if target.tls_mode != TlsMode::Disable {
        if let Some(ca) = &target.tls.ca_pem {
            options = options.ssl_ca_from_pem(ca.as_bytes().to_vec());
        }
        if let (Some(cert), Some(key)) = (&target.tls.client_cert_pem, &target.tls.client_key_pem) {
            options = options
                .ssl_client_cert_from_pem(cert.as_bytes())
                .ssl_client_key_from_pem(key.expose().as_bytes());
        }
    }
    let mut conn = match options.connect().await {
        Ok(c) => c,
        Err(e) => {
            let f = classify_login(target, &e, tls_on);
            rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    rec.finish(
        Step::Auth,
        StepStatus::Ok,
        format!("logged in as {}", target.username),
    );
    rec.start(Step::Query);
    let row =
        sqlx::query("SELECT VERSION(), CURRENT_USER(), COALESCE(DATABASE(), ''), @@read_only")
            .fetch_one(&mut conn)
            .await;
    let out = match row {
        Ok(row) => {
            let info = ServerInfo {
                version: row
                    .try_get::<String, _>(0)
                    .map(|v| {
                        if v.contains("MariaDB") {
                            v
                        } else {
                            format!("MySQL {v}")
                        }
                    })
                    .unwrap_or(version),
                current_user: row.try_get(1).unwrap_or_default(),
                current_database: row.try_get(2).unwrap_or_default(),
                in_recovery: row.try_get::<i64, _>(3).map(|v| v != 0).unwrap_or(false),
            };
            rec.finish(
                Step::Query,
                StepStatus::Ok,
                format!(
                    "{}{}",
                    info.version,
                    if info.in_recovery { ", read-only" } else { "" }
                ),
            );
            Ok(info)
        }
        Err(e) => {
            let f = Fail {
                step: Step::Query,
                ..classify_login(target, &e, tls_on)
            };
            rec.finish(Step::Query, StepStatus::Failed, f.message.clone());
            Err(f)
        }
    };
    let _ = conn.close().await;
    out
}

/// A Unix-socket connection: nothing to resolve, no TLS; the socket must accept.
async fn reach_socket(target: &ProbeTarget, rec: &mut Recorder) -> Result<(), Fail> {
    rec.push(
        Step::Resolve,
        StepStatus::Skipped,
        Default::default(),
        "a Unix socket: nothing to resolve".into(),
    );
    rec.start(Step::Connect);
    match tokio::net::UnixStream::connect(&target.host).await {
        Ok(_) => {
            rec.finish(
                Step::Connect,
                StepStatus::Ok,
                format!("{} accepted", target.host),
            );
            rec.push(
                Step::Tls,
                StepStatus::Skipped,
                Default::default(),
                "a Unix socket does not leave this machine: no TLS".into(),
            );
            Ok(())
        }
        Err(e) => {
            let f = match e.kind() {
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused => Fail::new(
                    Step::Connect,
                    ErrorCode::Refused,
                    format!("Nothing listens on the socket {} ({e}).", target.host),
                    "Check that the server runs on this machine and the socket path (SHOW VARIABLES LIKE 'socket').",
                ),
                std::io::ErrorKind::PermissionDenied => Fail::new(
                    Step::Connect,
                    ErrorCode::PermissionDenied,
                    format!("You may not use the socket {}.", target.host),
                    "Check the socket's permissions (and its folder's).",
                ),
                _ => Fail::new(
                    Step::Connect,
                    ErrorCode::ConnectionFailed,
                    format!("Could not open the socket {}: {e}.", target.host),
                    "Check the socket path.",
                ),
            };
            rec.finish(Step::Connect, StepStatus::Failed, f.message.clone());
            Err(f)
        }
    }
}

/// The driver's failures in the user's terms.
fn classify_login(target: &ProbeTarget, e: &sqlx::Error, tls_on: bool) -> Fail {
    let user = &target.username;
    if let Some(db) = e
        .as_database_error()
        .and_then(|d| d.try_downcast_ref::<MySqlDatabaseError>())
    {
        let msg = db.message().to_owned();
        return match db.number() {
            1045 if tls_on && target.password.is_none() && target.tls.client_cert_pem.is_none() => Fail::new(
                Step::Auth,
                ErrorCode::TlsClientCertRequired,
                format!("The server refused {user:?} without a password or a client certificate ({msg})."),
                "Add the password, or a client certificate and key if the account is REQUIRE X509.",
            ),
            1045 if !tls_on => Fail::new(
                Step::Auth,
                ErrorCode::AuthFailed,
                format!("The server refused the login of {user:?} over an unencrypted connection ({msg})."),
                "Check the username and password; if the account is REQUIRE SSL, choose TLS mode require or stronger (verify-full is best).",
            ),
            1045 if target.tls.client_cert_pem.is_none() => Fail::new(
                Step::Auth,
                ErrorCode::AuthFailed,
                format!("The server rejected the login of {user:?} ({msg})."),
                "Check the username and password (the password is case-sensitive); an account that is REQUIRE X509 also needs a client certificate.",
            ),
            1045 => Fail::new(
                Step::Auth,
                ErrorCode::AuthFailed,
                format!("The server rejected the login of {user:?} ({msg})."),
                "Check the username, the password and that the client certificate is the one the account requires.",
            ),
            1049 => Fail::new(
                Step::Auth,
                ErrorCode::DatabaseNotFound,
                format!("The database {:?} does not exist ({msg}).", target.database),
                "Check the database name, or leave it empty to connect without a default database.",
            ),
            // MariaDB and MySQL say "access denied" both for a database that does not
            // exist and for one the account may not use, so as not to reveal which.
            1044 | 1142 | 1227 => Fail::new(
                Step::Auth,
                ErrorCode::PermissionDenied,
                format!("{user:?} may not use the database {:?} ({msg}).", target.database),
                "Check the database name (the server does not say whether it exists), or ask for a GRANT on it.",
            ),
            3159 | 1941 => Fail::new(
                Step::Auth,
                ErrorCode::TlsRequiredByServer,
                format!("The server only accepts encrypted connections ({msg})."),
                "Choose TLS mode require or stronger (verify-full is best).",
            ),
            n => Fail::new(
                Step::Auth,
                ErrorCode::ConnectionFailed,
                format!("The server refused the login (error {n}: {msg})."),
                "Read the server's message; check the account and its grants.",
            ),
        };
    }
    if let Some(r) = tls::rustls_error(e) {
        let obs: SharedObservation = Arc::new(Mutex::new(Observation::default()));
        if let Some(mut f) = tls::classify_failure(target, &obs, Some(r)) {
            f.step = Step::Auth;
            return f;
        }
    }
    Fail::new(
        Step::Auth,
        ErrorCode::ConnectionFailed,
        format!("The driver could not log in: {e}."),
        "Check the settings; the steps above show how far the connection got.",
    )
}
