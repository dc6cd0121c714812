//! Oracle: no Rust driver that logs in is mature enough to ship (the pure-Rust thin
//! clients are pre-release), so the test runs every step it can on its own: resolve, TCP,
//! TCPS (TLS from the first byte, with the shared verifier and the certificate chain), then
//! the listener handshake — a TNS CONNECT naming the service or SID — which tells an
//! Oracle listener from anything else and an unknown service (ORA-12514) from a known one.
//! It stops before the login and says so (`test_not_available`).

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::report::{Recorder, Step, StepStatus, TestFailure, TestReport};
use super::tls::{self, Observation, SharedObservation};
use super::{resolve_and_connect, timed_out, Fail, ProbeTarget};
use crate::error::ErrorCode;
use crate::model::TlsMode;

const TNS_CONNECT: u8 = 1;
const TNS_ACCEPT: u8 = 2;
const TNS_REFUSE: u8 = 4;
const TNS_REDIRECT: u8 = 5;
const TNS_RESEND: u8 = 11;

pub async fn run(target: &ProbeTarget) -> TestReport {
    let mut rec = Recorder::new(target.progress.clone());
    let obs: SharedObservation = Arc::new(Mutex::new(Observation::default()));
    let outcome = tokio::time::timeout(target.timeout, steps(target, &mut rec, &obs)).await;
    let observed = super::observed(&obs, target.tls_mode);
    let error = match outcome {
        Ok(f) => f,
        Err(_) => timed_out(&mut rec, target, Step::Connect),
    };
    TestReport {
        checks: Vec::new(),
        ok: false,
        total_ms: super::report::ms(rec.started.elapsed()),
        steps: rec.steps,
        tls: observed,
        server: None,
        error: Some(error),
    }
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

/// Always ends in a failure: the listener's refusal, a peer that is not Oracle, or (when
/// everything answered) that logging in is not available.
async fn steps(target: &ProbeTarget, rec: &mut Recorder, obs: &SharedObservation) -> TestFailure {
    match attempt(target, rec, obs).await {
        Ok(f) | Err(f) => f.into(),
    }
}

async fn attempt(
    target: &ProbeTarget,
    rec: &mut Recorder,
    obs: &SharedObservation,
) -> Result<Fail, Fail> {
    let tcps = !matches!(target.tls_mode, TlsMode::Disable | TlsMode::Prefer);
    let stream = resolve_and_connect(rec, &target.host, target.port).await?;
    if !tcps {
        rec.push(
            Step::Tls,
            StepStatus::Skipped,
            Default::default(),
            "PROTOCOL=TCP: no TLS".into(),
        );
        return listener(target, rec, stream).await;
    }
    let (connector, server_name) = tls::connector_for(target, obs)?;
    rec.start(Step::Tls);
    match tls::handshake(&connector, server_name, stream, obs).await {
        Ok(s) => {
            let (protocol, cipher) = obs
                .lock()
                .map(|o| (o.protocol.clone(), o.cipher_suite.clone()))
                .unwrap_or_default();
            rec.finish(
                Step::Tls,
                StepStatus::Ok,
                format!(
                    "{}, {}; {}",
                    protocol.unwrap_or_default(),
                    cipher.unwrap_or_default(),
                    tls::verification_words(target.tls_mode)
                ),
            );
            listener(target, rec, s).await
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

async fn read_packet<S: AsyncRead + Unpin>(s: &mut S) -> Option<(u8, Vec<u8>)> {
    let mut header = [0u8; 8];
    s.read_exact(&mut header).await.ok()?;
    let len = usize::from(u16::from_be_bytes([header[0], header[1]]));
    if !(8..=8192).contains(&len) || header[4] == 0 || header[4] > 19 {
        return None;
    }
    let mut body = vec![0u8; len - 8];
    s.read_exact(&mut body).await.ok()?;
    Some((header[4], body))
}

/// The listener handshake: ACCEPT, REFUSE (with its ORA code), REDIRECT, or not Oracle.
async fn listener<S: AsyncRead + AsyncWrite + Unpin>(
    target: &ProbeTarget,
    rec: &mut Recorder,
    mut s: S,
) -> Result<Fail, Fail> {
    rec.start(Step::Auth);
    let packet = connect_packet(&connect_data(target));
    let mut answer = None;
    for _ in 0..2 {
        if s.write_all(&packet).await.is_err() {
            break;
        }
        match read_packet(&mut s).await {
            Some((TNS_RESEND, _)) => continue,
            other => {
                answer = other;
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
        Some((TNS_ACCEPT, _)) | Some((TNS_REDIRECT, _)) => {
            rec.finish(
                Step::Auth,
                StepStatus::Skipped,
                format!(
                    "the listener accepted {what} {:?}; logging in is not available for Oracle in this version",
                    target.database
                ),
            );
            return Ok(Fail::new(
                Step::Auth,
                ErrorCode::TestNotAvailable,
                format!(
                    "The Oracle listener at {}:{} accepts {what} {:?}{}; Switchboard cannot log in to Oracle yet.",
                    target.host,
                    target.port,
                    target.database,
                    if target.tls_mode == TlsMode::Disable {
                        ""
                    } else {
                        " over TCPS"
                    }
                ),
                "The address, TLS and service are right; check the user and password with SQL*Plus or SQLcl for now.",
            ));
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
