//! Microsoft SQL Server tests. tiberius (the driver) logs in and runs the first query; it
//! neither reports its TLS session nor checks a chain without the host name, and its errors
//! are strings, so before that Switchboard opens its own connection to the same address:
//! a TDS PRELOGIN (which encryption the server offers or insists on), then the TLS
//! handshake carried inside PRELOGIN packets, as TDS 7.x does, with the same verifier as
//! every engine. That connection times resolve/connect/TLS and shows the certificate chain,
//! then is closed. The driver then logs in on a second connection (the Auth step), with the
//! encryption level that the first one showed will work.
//!
//! The ladder (see engines/sqlserver.rs) on the driver's login connection:
//! - disable: Encrypt=False: only the login packet is encrypted (tiberius `Off`), not
//!   verified; no TLS at all when the server has none (`NotSupported`). A server that
//!   insists on encrypting everything fails the test (`tls_required_by_server`).
//! - prefer: Encrypt=Optional: as disable, but the server may insist (then `Required`).
//! - require: `Required` + `trust_cert()` (TrustServerCertificate=True).
//! - verify-ca: tiberius 0.12 has no such level; as it runs on our own stream, the name it
//!   checks is only the TLS name, so it is given a name the certificate lists and the
//!   connection's CA: the chain is verified again on the login connection, the host name
//!   is not (the password never crosses an unverified connection).
//! - verify-full: `Required`, and tiberius verifies again: against the connection's CA (a
//!   temporary file, deleted after the login) or the system's store, for the host name — or
//!   for `host_name_in_certificate` when set.
//!
//! Transport: a stream it is handed. The inspection runs on `net::open_stream_preferring`
//! (the address whose Browser answered first); tiberius logs in on a second stream,
//! `net::reopen` of the inspected address. The Browser lookup (`browser.rs`) sends its own
//! UDP datagrams from this machine, outside the seam.
//!
//! Layout: `browser.rs` the SQL Server Browser lookup of a named instance's port (SSRP);
//! `wire.rs` the TDS PRELOGIN codec and the framing of TLS inside PRELOGIN packets;
//! `inspect.rs` Switchboard's own connection (PRELOGIN, TLS); `login.rs` the driver's
//! configuration, login and first query; `classify.rs` the failures in the user's terms.

mod browser;
mod classify;
mod inspect;
mod login;
mod wire;

use std::sync::{Arc, Mutex};

use super::driver::{timed_out, Fail};
use super::report::{Recorder, ServerInfo, Step, TestFailure, TestReport};
use super::tls::{self, Observation, SharedObservation};
use super::ProbeTarget;
use browser::browse;
use inspect::inspect;
use login::login;
use switchboard_model::model::TlsMode;

const DEFAULT_PORT: u16 = 1433;

pub async fn run(target: &ProbeTarget) -> TestReport {
    let mut rec = Recorder::new(target.progress.clone());
    let obs: SharedObservation = Arc::new(Mutex::new(Observation::default()));
    let mut negotiated = None;
    let outcome = tokio::time::timeout(
        target.timeout,
        steps(target, &mut rec, &obs, &mut negotiated),
    )
    .await;
    let observed = obs
        .lock()
        .map(|o| tls::tls_info(target.tls_mode, &o))
        .ok()
        .flatten()
        .map(|mut info| {
            if let Some(n) = negotiated {
                info.verification = verification(target.tls_mode, n).to_owned();
            }
            info
        });
    let (server, error) = match outcome {
        Ok(Ok(info)) => (Some(info), None),
        Ok(Err(f)) => (
            None,
            Some(TestFailure {
                host_key: None,
                code: f.code,
                step: f.step,
                message: f.message,
                hint: f.hint,
            }),
        ),
        Err(_) => (None, Some(timed_out(&mut rec, target, Step::Connect))),
    };
    TestReport {
        checks: Vec::new(),
        ok: error.is_none(),
        total_ms: super::report::ms(rec.started.elapsed()),
        steps: rec.steps,
        tls: observed,
        server,
        error,
    }
}

/// What encryption the login connection will have, from the PRELOGIN answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Negotiated {
    /// The server has no certificate: nothing is encrypted, not even the password.
    None,
    /// TDS "encryption off": TLS for the login packet only, then plain TDS.
    LoginOnly,
    /// Everything after PRELOGIN is encrypted.
    Full,
}

/// Plain words for what the test checked, in SQL Server's terms.
fn verification(mode: TlsMode, n: Negotiated) -> &'static str {
    match (mode, n) {
        (_, Negotiated::None) => "No TLS: the server has no certificate, so the login (password included), queries and results are not encrypted.",
        (_, Negotiated::LoginOnly) => "Only the login packet (with the password) is encrypted, without verifying the certificate; queries and results are not encrypted.",
        (TlsMode::Disable | TlsMode::Prefer, Negotiated::Full) => "Encrypted because the server requires it; the certificate is not verified, so an impostor could read the traffic.",
        (mode, Negotiated::Full) => tls::verification_words(mode),
    }
}

async fn steps(
    target: &ProbeTarget,
    rec: &mut Recorder,
    obs: &SharedObservation,
    negotiated: &mut Option<Negotiated>,
) -> Result<ServerInfo, Fail> {
    let instance = target
        .text_option("instance")
        .map(str::trim)
        .filter(|i| !i.is_empty());
    // As `host\instance` without a port: the instance's port is the Browser's to say.
    let browse_port = instance.filter(|_| target.port == DEFAULT_PORT);
    let (browsed, answered_from) = match browse_port {
        Some(instance) if matches!(target.transport, crate::ssh::Transport::Open(_)) => {
            return Err(Fail::new(
                Step::Resolve,
                switchboard_model::error::ErrorCode::SshForwardDenied,
                format!(
                    "The instance {instance:?} would be looked up with the SQL Server Browser, over UDP, which an SSH route cannot carry."
                ),
                "Give the instance's TCP port (SQL Server Configuration Manager shows it, or SELECT local_tcp_port FROM sys.dm_exec_connections on the server).",
            ));
        }
        Some(instance) => {
            let (port, from) = browse(rec, target, instance).await?;
            (
                Some(ProbeTarget {
                    port,
                    ..target.clone()
                }),
                from,
            )
        }
        None => (None, None),
    };
    let target = browsed.as_ref().unwrap_or(target);
    let inspected = inspect(target, rec, obs, answered_from).await;
    if let Some(instance) = instance.filter(|_| browse_port.is_none()) {
        // Only the final report carries this (the step was already streamed).
        if let Some(connect) = rec.steps.iter_mut().rev().find(|s| s.step == Step::Connect) {
            connect.detail.push_str(&format!(
                "; instance {instance:?}: port {} used as given (the SQL Server Browser is asked only when the port is left at 1433)",
                target.port
            ));
        }
    }
    let inspected = inspected?;
    *negotiated = Some(inspected.negotiated);
    login(target, rec, inspected).await
}
