//! PostgreSQL tests with tokio-postgres over our rustls layer.
//!
//! `connect_raw` runs with Switchboard's TLS connector (`tls::PgTlsConnect`), which times
//! the handshake apart from the login and records protocol, cipher and chain; then one
//! query reads the version, user, database and `pg_is_in_recovery()`.
//!
//! - prefer: a handshake the server agreed to ('S') but that failed is retried without TLS
//!   on a new connection, as libpq does (the TLS step says so; if both fail, both reasons
//!   are given). An alert after a finished handshake (a refused client certificate) is not
//!   retried.
//! - The stream notes the server's first byte: tokio-postgres calls anything but 'S'
//!   "server does not support TLS", but only 'N' means that; anything else is a peer that
//!   is not PostgreSQL (`protocol_error`).
//! - Failures: TLS from the verifier's recorded error (`tls::classify_failure`); the login
//!   from the SQLSTATE (28P01 password, 3D000 database, 42501 privilege, 28000 split by
//!   its message into TLS required, client certificate required, pg_hba rejection).
//! - Checks after login (`checks`, findings that do not fail the test): the replica role
//!   (a replica in recovery, a primary named by a saved replica not), the configured
//!   schema and its table count, and for Sequin's settings `wal_level = logical`, the
//!   publication, the replication slot (active unless marked disabled) and REPLICATION on
//!   the role.
//!
//! Transport: a stream it is handed. tokio-postgres runs on the stream `net::open_stream`
//! opens (`connect_raw`, with Switchboard's TLS connector); prefer's retry without TLS
//! runs on a second stream from `net::reopen` to the same address.

use std::pin::Pin;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio_postgres::config::SslMode;
use tokio_postgres::error::SqlState;

use super::driver::{timed_out, Fail};
use super::net::{self, open_stream, Stream};
use super::report::{Check, CheckStatus, Recorder, ServerInfo, Step, StepStatus, TestReport};
use super::tls::{self, Observation, PgTlsConnect, SharedObservation};
use super::ProbeTarget;
use switchboard_model::error::ErrorCode;
use switchboard_model::model::TlsMode;

pub async fn run(target: &ProbeTarget) -> TestReport {
    let mut rec = Recorder::new(target.progress.clone());
    let obs: SharedObservation = Arc::new(Mutex::new(Observation::default()));
    let outcome = tokio::time::timeout(target.timeout, steps(target, &mut rec, &obs)).await;
    let observed = super::driver::observed(&obs, target.tls_mode);
    let mut checks = Vec::new();
    let (server, error) = match outcome {
        Ok(Ok((server, found))) => {
            checks = found;
            (Some(server), None)
        }
        Ok(Err(f)) => (None, Some(f.into())),
        Err(_) => {
            // Timed out inside connect_raw: decide from the handshake whether TLS or auth hung.
            settle_tls_step(&mut rec, target.tls_mode, &obs, Settle::TimedOut);
            (None, Some(timed_out(&mut rec, target, Step::Connect)))
        }
    };
    TestReport {
        checks,
        ok: error.is_none(),
        total_ms: super::report::ms(rec.started.elapsed()),
        steps: rec.steps,
        tls: observed,
        server,
        error,
    }
}

async fn steps(
    target: &ProbeTarget,
    rec: &mut Recorder,
    obs: &SharedObservation,
) -> Result<(ServerInfo, Vec<Check>), Fail> {
    let mut config = tokio_postgres::Config::new();
    config
        .user(&target.username)
        .dbname(&target.database)
        .application_name("switchboard");
    if let Some(p) = &target.password {
        config.password(p.expose());
    }
    config.ssl_mode(match target.tls_mode {
        TlsMode::Disable => SslMode::Disable,
        TlsMode::Prefer => SslMode::Prefer,
        TlsMode::Require | TlsMode::VerifyCa | TlsMode::VerifyFull => SslMode::Require,
    });
    // With TLS disabled the material is not used, so it cannot fail the test.
    let (connector, server_name) = tls::connector_for(target, obs)?;

    let first_byte = Arc::new(AtomicU16::new(NO_BYTE));
    let stream = FirstByte {
        inner: open_stream(target, rec).await?,
        seen: first_byte.clone(),
    };
    let address = stream.inner.reach().ok();

    // connect_raw runs SSLRequest, the TLS handshake and authentication in one call; the
    // connector stamps when the handshake started and ended so they can be told apart.
    rec.start(Step::Auth);
    let tls_connect = PgTlsConnect {
        connector,
        server_name,
        obs: obs.clone(),
    };
    let result = config.connect_raw(stream, tls_connect).await;
    let first = first_byte.load(Ordering::Relaxed);
    let tls_failed = match &result {
        Err(e) => classify_tls(target, obs, e, first),
        Ok(_) => None,
    };
    // The server said 'S' and the handshake did not finish (an alert after a finished
    // handshake, e.g. a refused client certificate, is not retried).
    let handshake_failed =
        first == u16::from(b'S') && obs.lock().map(|o| o.finished.is_none()).unwrap_or(false);
    let (client, task, plain) = match (tls_failed, address) {
        // libpq's prefer: a TLS handshake the server agreed to but that failed is retried
        // without TLS, on a new connection to the same address.
        (Some(f), Some(address)) if target.tls_mode == TlsMode::Prefer && handshake_failed => {
            let since = rec.current().map(|(_, t)| t);
            rec.push(
                Step::Tls,
                StepStatus::Skipped,
                since.map(|t| t.elapsed()).unwrap_or_default(),
                format!(
                    "the TLS handshake failed ({}); retried without TLS, as libpq does for prefer",
                    f.message
                ),
            );
            rec.start(Step::Auth);
            let retry = net::reopen(&address).await.map_err(|e| {
                let f = Fail::new(
                    Step::Auth,
                    ErrorCode::ConnectionFailed,
                    format!("The connection without TLS to {address} failed: {e}."),
                    "Run the test again; if it persists, check the server's connection limits.",
                );
                rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
                f
            })?;
            config.ssl_mode(SslMode::Disable);
            match config.connect_raw(retry, tokio_postgres::NoTls).await {
                Ok((client, connection)) => (
                    client,
                    tokio::spawn(async move {
                        let _ = connection.await;
                    }),
                    true,
                ),
                Err(e) => {
                    // Both attempts failed: say both, as libpq does, so that the advice for
                    // the second ("use TLS") does not hide why TLS did not work.
                    let mut f2 = classify_login(target, &e);
                    f2.message = format!(
                        "{} (tried without TLS after the TLS handshake failed: {})",
                        f2.message, f.message
                    );
                    rec.finish(Step::Auth, StepStatus::Failed, f2.message.clone());
                    return Err(f2);
                }
            }
        }
        (tls_failed, _) => {
            settle_tls_step(
                rec,
                target.tls_mode,
                obs,
                Settle::Returned {
                    tls_failure: tls_failed.as_ref().map(|f| f.message.as_str()),
                },
            );
            if let Some(f) = tls_failed {
                return Err(f);
            }
            match result {
                Ok((client, connection)) => (
                    client,
                    tokio::spawn(async move {
                        let _ = connection.await;
                    }),
                    false,
                ),
                Err(e) => {
                    let f = classify_login(target, &e);
                    rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
                    return Err(f);
                }
            }
        }
    };
    let auth_detail = format!(
        "logged in as {}{}",
        target.username,
        if plain { " (without TLS)" } else { "" }
    );
    rec.finish(Step::Auth, StepStatus::Ok, auth_detail);

    // Aborts the connection task however this function ends (error, timeout, cancel).
    let _abort = super::driver::AbortOnDrop(task.abort_handle());
    rec.start(Step::Query);
    let row = client
        .query_one(
            "SELECT current_setting('server_version'), current_user::text, \
             current_database()::text, pg_is_in_recovery()",
            &[],
        )
        .await;
    match row {
        Ok(row) => {
            let info = ServerInfo {
                version: row
                    .try_get::<_, String>(0)
                    .map(|v| format!("PostgreSQL {v}"))
                    .unwrap_or_default(),
                current_user: row.try_get(1).unwrap_or_default(),
                current_database: row.try_get(2).unwrap_or_default(),
                in_recovery: row.try_get(3).unwrap_or_default(),
            };
            rec.finish(
                Step::Query,
                StepStatus::Ok,
                format!(
                    "{}{}",
                    info.version,
                    if info.in_recovery {
                        ", read-only replica (in recovery)"
                    } else {
                        ""
                    }
                ),
            );
            let found = checks(&client, target, &info).await;
            Ok((info, found))
        }
        Err(e) => {
            let f = classify_login(target, &e);
            let f = Fail {
                step: Step::Query,
                ..f
            };
            rec.finish(Step::Query, StepStatus::Failed, f.message.clone());
            Err(f)
        }
    }
}

/// How connect_raw ended, for splitting its time into TLS and authentication.
enum Settle<'a> {
    Returned { tls_failure: Option<&'a str> },
    TimedOut,
}

/// Splits the time connect_raw took into a TLS step (until the handshake ended) and leaves
/// the authentication step running from there.
fn settle_tls_step(rec: &mut Recorder, mode: TlsMode, obs: &SharedObservation, how: Settle<'_>) {
    let Some((Step::Auth, auth_start)) = rec.current() else {
        return;
    };
    // Already settled (prefer's retry without TLS recorded it).
    if rec.steps.iter().any(|s| s.step == Step::Tls) {
        return;
    }
    if mode == TlsMode::Disable {
        rec.push(
            Step::Tls,
            StepStatus::Skipped,
            Default::default(),
            "TLS disabled for this connection".into(),
        );
        return;
    }
    let (finished, protocol, cipher) = match obs.lock() {
        Ok(o) => (o.finished, o.protocol.clone(), o.cipher_suite.clone()),
        Err(_) => (None, None, None),
    };
    match (how, finished) {
        (
            Settle::Returned {
                tls_failure: Some(why),
            },
            _,
        ) => {
            rec.push(
                Step::Tls,
                StepStatus::Failed,
                auth_start.elapsed(),
                why.to_owned(),
            );
        }
        (_, Some(end)) => {
            rec.push(
                Step::Tls,
                StepStatus::Ok,
                end.duration_since(auth_start),
                format!(
                    "{}, {}; {}",
                    protocol.unwrap_or_default(),
                    cipher.unwrap_or_default(),
                    tls::verification_words(mode)
                ),
            );
            rec.start_at(Step::Auth, end);
        }
        // Still negotiating or mid-handshake when the time ran out.
        (Settle::TimedOut, None) => rec.start_at(Step::Tls, auth_start),
        (Settle::Returned { tls_failure: None }, None) => rec.push(
            Step::Tls,
            StepStatus::Skipped,
            Default::default(),
            if mode == TlsMode::Prefer {
                "the server does not offer TLS; continued without it (prefer)".into()
            } else {
                "no TLS handshake took place".into()
            },
        ),
    }
}

const NO_BYTE: u16 = u16::MAX;

/// The TCP stream, noting the first byte the server sends: the answer to SSLRequest,
/// where only 'S' (TLS) and 'N' (no TLS) mean PostgreSQL. tokio-postgres reports any
/// other byte as "server does not support TLS", which would be the wrong advice for a
/// web server on the port.
struct FirstByte {
    inner: Stream,
    seen: Arc<AtomicU16>,
}

impl tokio::io::AsyncRead for FirstByte {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Some(&b) = buf.filled().get(before) {
            let _ = self.seen.compare_exchange(
                NO_BYTE,
                u16::from(b),
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
        }
        poll
    }
}

impl tokio::io::AsyncWrite for FirstByte {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A failure of the TLS layer, if that is what `e` is.
fn classify_tls(
    target: &ProbeTarget,
    obs: &SharedObservation,
    e: &tokio_postgres::Error,
    first_byte: u16,
) -> Option<Fail> {
    let text = e.to_string();
    let source_text = std::error::Error::source(e)
        .map(|s| s.to_string())
        .unwrap_or_default();
    let says_no_tls = source_text.contains("server does not support TLS")
        || text.contains("server does not support TLS");
    if says_no_tls && first_byte != u16::from(b'N') {
        return Some(Fail::new(
            Step::Tls,
            ErrorCode::ProtocolError,
            format!(
                "{}:{} answered the TLS request with something that is not PostgreSQL.",
                target.host, target.port
            ),
            "Check that the port is PostgreSQL's (5432 by default) and not another service.",
        ));
    }
    if says_no_tls {
        return Some(Fail::new(
            Step::Tls,
            ErrorCode::TlsNotSupportedByServer,
            format!("{}:{} does not accept TLS connections.", target.host, target.port),
            "Enable ssl on the server, or (only on a trusted network) choose TLS mode disable or prefer.",
        ));
    }
    tls::classify_failure(target, obs, tls::rustls_error(e))
}

/// Failures after (or without) TLS: the server's own errors, or a peer that is not PostgreSQL.
fn classify_login(target: &ProbeTarget, e: &tokio_postgres::Error) -> Fail {
    if let Some(db) = e.as_db_error() {
        let msg = db.message().to_owned();
        let code = db.code();
        return if *code == SqlState::INVALID_PASSWORD {
            Fail::new(
                Step::Auth,
                ErrorCode::AuthFailed,
                format!(
                    "The server rejected the password for user {:?}.",
                    target.username
                ),
                "Check the username and password (both are case-sensitive).",
            )
        } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            && msg.contains("no encryption")
        {
            Fail::new(
                Step::Auth,
                ErrorCode::TlsRequiredByServer,
                format!("The server only accepts encrypted connections ({msg})."),
                "Choose TLS mode require or stronger (verify-full is best).",
            )
        } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            && msg.contains("certificate")
        {
            Fail::new(
                Step::Auth,
                ErrorCode::TlsClientCertRequired,
                format!("The server requires a client certificate ({msg})."),
                "Add a client certificate and key issued by the server's CA, with CN equal to the user name.",
            )
        } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
            Fail::new(
                Step::Auth,
                ErrorCode::HbaRejected,
                format!("The server's access rules reject this connection ({msg})."),
                "Ask the database administrator to allow this user, database and address in pg_hba.conf.",
            )
        } else if *code == SqlState::INVALID_CATALOG_NAME {
            Fail::new(
                Step::Auth,
                ErrorCode::DatabaseNotFound,
                format!(
                    "Database {:?} does not exist on the server.",
                    target.database
                ),
                "Check the database name (list them with \\l in psql).",
            )
        } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
            Fail::new(
                Step::Auth,
                ErrorCode::PermissionDenied,
                format!("The user may not connect: {msg}."),
                "Ask the database administrator to grant CONNECT on the database.",
            )
        } else {
            Fail::new(
                Step::Auth,
                ErrorCode::ConnectionFailed,
                format!(
                    "The server refused the connection: {msg} (SQLSTATE {}).",
                    code.code()
                ),
                db.hint()
                    .map(str::to_owned)
                    .unwrap_or_else(|| "See the server's message.".into()),
            )
        };
    }
    let text = e.to_string();
    let full = std::iter::successors(std::error::Error::source(e), |s| s.source())
        .map(|s| s.to_string())
        .fold(text.clone(), |acc, s| format!("{acc}: {s}"));
    if full.contains("password missing") {
        return Fail::new(
            Step::Auth,
            ErrorCode::PasswordRequired,
            "The server asks for a password and none was given.",
            "Enter the password (or save it in the keychain).",
        );
    }
    Fail::new(
        Step::Auth,
        ErrorCode::ProtocolError,
        format!(
            "{}:{} did not answer like a PostgreSQL server ({full}).",
            target.host, target.port
        ),
        "Check that the port is PostgreSQL's (5432 by default) and not another service.",
    )
}

/// After login: what the connection's settings promise, checked on the server. A query the
/// role may not run is reported as such, never as a pass.
async fn checks(
    client: &tokio_postgres::Client,
    target: &ProbeTarget,
    info: &ServerInfo,
) -> Vec<Check> {
    let mut out = Vec::new();
    let text = |k: &str| target.text_option(k).map(str::to_owned);
    let could_not = |name: &str, e: tokio_postgres::Error| {
        Check::new(
            name,
            CheckStatus::Warning,
            format!(
                "could not be checked: {}",
                e.as_db_error()
                    .map(|d| d.message().to_owned())
                    .unwrap_or_else(|| e.to_string())
            ),
            "Grant the role read access to the catalog, or check it on the server.",
        )
    };
    match target.expect_replica {
        Some(true) if !info.in_recovery => out.push(Check::new(
            "replica_role",
            CheckStatus::Failed,
            "This connection is set as a read replica, but the server is not in recovery: it is a primary.".into(),
            "Point it at the replica's address, or clear 'Replica of'.",
        )),
        Some(false) if info.in_recovery => out.push(Check::new(
            "replica_role",
            CheckStatus::Failed,
            "A saved replica names this connection as its primary, but this server is in recovery (a replica itself).".into(),
            "Point this connection at the primary, or fix the replica's 'Replica of'.",
        )),
        Some(true) => out.push(Check::new("replica_role", CheckStatus::Ok, "in recovery, as a replica should be".into(), "")),
        Some(false) => out.push(Check::new("replica_role", CheckStatus::Ok, "not in recovery, as a primary should be".into(), "")),
        None => {}
    }
    if let Some(schema) = text("schema") {
        let q = client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1), \
                 (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                  WHERE n.nspname = $1 AND c.relkind IN ('r', 'p'))",
                &[&schema],
            )
            .await;
        out.push(match q {
            Ok(row) => {
                let exists: bool = row.try_get(0).unwrap_or(false);
                let tables: i64 = row.try_get(1).unwrap_or(0);
                if exists {
                    Check::new(
                        "schema",
                        CheckStatus::Ok,
                        format!(
                            "schema {schema:?} exists with {}",
                            switchboard_model::words::count(tables, "table", "tables")
                        ),
                        "",
                    )
                } else {
                    Check::new(
                        "schema",
                        CheckStatus::Failed,
                        format!(
                            "schema {schema:?} does not exist in {}",
                            info.current_database
                        ),
                        "Check the schema name (it is case-sensitive when quoted), or create it.",
                    )
                }
            }
            Err(e) => could_not("schema", e),
        });
    }
    let (publication, slot) = (text("publication"), text("replication_slot"));
    if publication.is_none() && slot.is_none() {
        return out;
    }
    match client
        .query_one("SELECT current_setting('wal_level')", &[])
        .await
    {
        Ok(row) => {
            let level: String = row.try_get(0).unwrap_or_default();
            out.push(if level == "logical" {
                Check::new("wal_level", CheckStatus::Ok, "wal_level = logical".into(), "")
            } else {
                Check::new(
                    "wal_level",
                    CheckStatus::Failed,
                    format!("wal_level = {level}: logical replication needs logical"),
                    "Set wal_level = logical on the server and restart it (managed services: the logical replication parameter).",
                )
            });
        }
        Err(e) => out.push(could_not("wal_level", e)),
    }
    if let Some(p) = &publication {
        out.push(
            match client
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = $1)",
                    &[p],
                )
                .await
            {
                Ok(row) if row.try_get::<_, bool>(0).unwrap_or(false) => Check::new(
                    "publication",
                    CheckStatus::Ok,
                    format!("publication {p:?} exists"),
                    "",
                ),
                Ok(_) => Check::new(
                    "publication",
                    CheckStatus::Failed,
                    format!(
                        "publication {p:?} does not exist in {}",
                        info.current_database
                    ),
                    "Create it: CREATE PUBLICATION … FOR TABLE … (or FOR ALL TABLES).",
                ),
                Err(e) => could_not("publication", e),
            },
        );
    }
    if let Some(s) = &slot {
        let want_active = text("slot_status").as_deref() != Some("disabled");
        out.push(
            match client
                .query_opt(
                    "SELECT active, plugin FROM pg_replication_slots WHERE slot_name = $1",
                    &[s],
                )
                .await
            {
                Ok(Some(row)) => {
                    let active: bool = row.try_get(0).unwrap_or(false);
                    let plugin: Option<String> = row.try_get(1).unwrap_or(None);
                    let what = format!(
                        "slot {s:?} exists ({}{})",
                        if active { "active" } else { "inactive" },
                        plugin.map(|p| format!(", plugin {p}")).unwrap_or_default()
                    );
                    if active || !want_active {
                        Check::new("replication_slot", CheckStatus::Ok, what, "")
                    } else {
                        Check::new(
                        "replication_slot",
                        CheckStatus::Warning,
                        format!("{what}: nothing is reading it, so the server keeps WAL for it"),
                        "Start the consumer, or mark the slot disabled here if that is intended.",
                    )
                    }
                }
                Ok(None) => Check::new(
                    "replication_slot",
                    CheckStatus::Failed,
                    format!("replication slot {s:?} does not exist"),
                    "Create it: SELECT pg_create_logical_replication_slot('<slot>', 'pgoutput').",
                ),
                Err(e) => could_not("replication_slot", e),
            },
        );
    }
    out.push(match client
        .query_one("SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user", &[])
        .await
    {
        Ok(row) if row.try_get::<_, bool>(0).unwrap_or(false) => Check::new(
            "replication_role",
            CheckStatus::Ok,
            format!("{} has REPLICATION", info.current_user),
            "",
        ),
        Ok(_) => Check::new(
            "replication_role",
            CheckStatus::Failed,
            format!("{} lacks the REPLICATION attribute", info.current_user),
            "Grant it: ALTER ROLE <user> WITH REPLICATION (managed services have their own role for this).",
        ),
        Err(e) => could_not("replication_role", e),
    });
    out
}
