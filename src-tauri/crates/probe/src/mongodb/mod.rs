//! MongoDB tests. The official driver (the `mongodb` crate, TLS on rustls + ring) logs in
//! and runs the first query; it cannot be handed a stream, does not report its TLS session
//! and has no verify-ca, so before that Switchboard opens its own connection to the first
//! seed host: resolve, TCP, TLS from the first byte (MongoDB has no STARTTLS) with the same
//! verifier as every engine, then a `hello` (OP_MSG) that tells a MongoDB server from any
//! other peer and shows its wire version and replica-set role. That connection times
//! resolve/connect/TLS and shows the certificate chain, then is closed. The driver then
//! connects and authenticates on its own connections (the Auth step: the driver does both
//! inside one connection handshake and does not report them apart), and runs `buildInfo`,
//! `connectionStatus` and `hello` (the Query step). It is shut down when the test ends.
//!
//! Hosts: a seed list (`a:27017,b:27018`) is handed to the driver whole; only the first
//! host is inspected on Switchboard's own connection (the steps say so). With `srv`, the
//! driver resolves the DNS SRV/TXT records (the Resolve step shows what it found) and the
//! first host it found is inspected.
//!
//! The ladder (see engines/mongodb.rs) on the driver's connections, which use the crate's
//! own rustls config:
//! - disable: `tls=false`.
//! - prefer: not offered for MongoDB (no opportunistic TLS); refused before any step.
//! - require: `tls=true` + `tlsAllowInvalidCertificates`.
//! - verify-ca: the crate's rustls backend has no `tlsAllowInvalidHostnames`: when the
//!   certificate also names the host the driver checks it fully, else the test stops
//!   before any password is sent (`tls_mode_unsupported`, with what to choose instead).
//! - verify-full: `tls=true`, and the driver verifies again: against the connection's CA
//!   or, without one, this machine's trust store (either as a temporary PEM file, deleted
//!   as soon as the driver has read it: the driver reads CAs only from files).
//!
//! A client certificate is presented on the inspection connection, and handed to the
//! driver (which reads it only from a file) in an anonymous in-memory file on Linux;
//! Switchboard never writes private keys to disk, so elsewhere the driver gets none.
//!
//! Transport: the official driver dials itself, every seed host (and resolves the SRV
//! and TXT records): it needs an address per host, not a stream. Only the inspection
//! connection to the first host comes from `net::open_stream`.
//!
//! Layout: `wire.rs` the OP_MSG codec of the inspection's `hello`; `inspect.rs`
//! Switchboard's own connection to the first seed host; `login.rs` the driver's set-up,
//! login and first queries; `classify.rs` the failures in the user's terms.

mod classify;
mod inspect;
mod login;
mod wire;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use switchboard_model::hosts::HostList;

use ::mongodb::error::Error as DriverError;
use ::mongodb::options::{ClientOptions, ConnectionString, Credential, HostInfo, ServerAddress};
use ::mongodb::Client;

use super::driver::{timed_out, Fail};
use super::report::{Recorder, ServerInfo, Step, StepStatus, TestFailure, TestReport};
use super::tls::{self, Observation, SharedObservation};
use super::ProbeTarget;
use classify::classify_srv;
use inspect::{check_replica_set, inspect};
use login::{login, DriverFiles, SharedSeen};
use switchboard_model::error::ErrorCode;
use switchboard_model::model::{OptionValue, TlsMode};

const DEFAULT_PORT: u16 = 27017;
/// How long the driver may take to shut down (it closes sockets and stops its monitors;
/// in practice a few milliseconds).
const SHUTDOWN_GRACE: Duration = Duration::from_millis(1500);

pub async fn run(target: &ProbeTarget) -> TestReport {
    if target.tls_mode == TlsMode::Prefer {
        return TestReport::not_started(
            ErrorCode::TlsModeUnsupported,
            "MongoDB has no opportunistic TLS: TLS mode prefer cannot be tested.".into(),
            "Choose disable, or require or stronger.".into(),
        );
    }
    let mut rec = Recorder::new(target.progress.clone());
    let obs: SharedObservation = Arc::new(Mutex::new(Observation::default()));
    let mut driver = Driver::default();
    let mut shown = target.clone();
    let deadline = rec.started + target.timeout;
    let outcome = tokio::time::timeout(
        target.timeout,
        steps(target, &mut rec, &obs, &mut driver, &mut shown, deadline),
    )
    .await;
    driver.close().await;
    let tls = super::driver::observed(&obs, target.tls_mode);
    let (server, error) = match outcome {
        Ok(Ok(info)) => (Some(info), None),
        Ok(Err(f)) => (None, Some(TestFailure::from(f))),
        Err(_) => (None, Some(timed_out(&mut rec, &shown, Step::Connect))),
    };
    TestReport {
        checks: Vec::new(),
        ok: error.is_none(),
        total_ms: super::report::ms(rec.started.elapsed()),
        steps: rec.steps,
        tls,
        server,
        error,
    }
}

/// The driver's client and the CA file it was handed, shut down and removed however the
/// test ends: `close` after the test (also after a timeout); `Drop` when the test's future
/// is dropped (a cancelled test), where the shutdown is spawned on the runtime instead.
#[derive(Default)]
struct Driver {
    client: Option<Client>,
    files: DriverFiles,
}

impl Driver {
    async fn close(&mut self) {
        self.files = DriverFiles::default();
        if let Some(client) = self.client.take() {
            let _ = tokio::time::timeout(SHUTDOWN_GRACE, client.shutdown().immediate(true)).await;
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move {
                    let _ = tokio::time::timeout(SHUTDOWN_GRACE, client.shutdown().immediate(true))
                        .await;
                });
            }
        }
    }
}

/// One host of the seed list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seed {
    host: String,
    port: u16,
}

impl std::fmt::Display for Seed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

fn flag(target: &ProbeTarget, name: &str) -> bool {
    target
        .options
        .get(name)
        .and_then(OptionValue::as_bool)
        .unwrap_or(false)
}

/// The seed list, each host with its port (or the connection's).
fn parse_seeds(list: &str, default_port: u16) -> Result<Vec<Seed>, String> {
    let list = HostList::parse(list).map_err(|e| e.to_string())?;
    Ok(list
        .entries()
        .iter()
        .map(|h| Seed {
            host: h.host.clone(),
            port: h.port.unwrap_or(default_port),
        })
        .collect())
}

fn seed_of(addr: &ServerAddress) -> Option<Seed> {
    match addr {
        ServerAddress::Tcp { host, port } => Some(Seed {
            host: host.clone(),
            port: port.unwrap_or(DEFAULT_PORT),
        }),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// `target` narrowed to one host (for messages, the TLS server name and timeouts).
fn narrowed(target: &ProbeTarget, seed: &Seed) -> ProbeTarget {
    ProbeTarget {
        host: seed.host.clone(),
        port: seed.port,
        ..target.clone()
    }
}

async fn steps(
    target: &ProbeTarget,
    rec: &mut Recorder,
    obs: &SharedObservation,
    driver: &mut Driver,
    shown: &mut ProbeTarget,
    deadline: Instant,
) -> Result<ServerInfo, Fail> {
    let srv = flag(target, "srv");
    let seeds = parse_seeds(&target.host, target.port).map_err(|m| {
        Fail::new(
            Step::Resolve,
            ErrorCode::HostInvalid,
            format!("The host list {:?} cannot be read: {m}.", target.host),
            "List one host, or several host[:port] separated by commas.",
        )
    })?;
    if srv && matches!(target.transport, crate::ssh::Transport::Open(_)) {
        return Err(Fail::new(
            Step::Resolve,
            ErrorCode::SshNotPossible,
            "A DNS seed list (mongodb+srv) cannot be followed through an SSH route: its members are found and reached by names only the bastion may resolve.",
            "Turn off the DNS seed list and give one member's host and port (as the bastion reaches it).",
        ));
    }
    if srv && (seeds.len() != 1 || target.host.contains(':')) {
        return Err(Fail::new(
            Step::Resolve,
            ErrorCode::HostInvalid,
            "mongodb+srv takes exactly one host name, without a port.",
            "Enter the cluster's DNS name (e.g. cluster0.example.mongodb.net), or turn off the DNS seed list.",
        ));
    }
    let seen: SharedSeen = Arc::default();
    let (base, hosts, srv_note) = if srv {
        let t = rec.start(Step::Resolve);
        match srv_options(target, &seeds[0].host).await {
            Ok(options) => {
                let hosts: Vec<Seed> = options.hosts.iter().filter_map(seed_of).collect();
                let note = format!(
                    "DNS SRV _mongodb._tcp.{} (resolved by the driver) → {}{}{}",
                    seeds[0].host,
                    hosts
                        .iter()
                        .map(Seed::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                    options
                        .repl_set_name
                        .as_deref()
                        .map(|s| format!("; TXT replicaSet={s}"))
                        .unwrap_or_default(),
                    options
                        .credential
                        .as_ref()
                        .and_then(|c| c.source.as_deref())
                        .filter(|_| target.text_option("auth_source").is_none())
                        .map(|s| format!("; TXT authSource={s}"))
                        .unwrap_or_default(),
                );
                if hosts.is_empty() {
                    rec.push(Step::Resolve, StepStatus::Failed, t.elapsed(), note.clone());
                    return Err(Fail::new(
                        Step::Resolve,
                        ErrorCode::DnsNotFound,
                        format!("The SRV records of {} list no hosts.", seeds[0].host),
                        "Check the cluster's DNS name.",
                    ));
                }
                (options, hosts, Some((note, t.elapsed())))
            }
            Err(e) => {
                let f = classify_srv(target, &e);
                rec.push(
                    Step::Resolve,
                    StepStatus::Failed,
                    t.elapsed(),
                    f.message.clone(),
                );
                return Err(f);
            }
        }
    } else {
        (ClientOptions::default(), seeds, None)
    };
    *shown = narrowed(target, &hosts[0]);
    let inspected = inspect(shown, rec, obs).await?;
    if let Some((note, srv_elapsed)) = srv_note {
        // Only the final report carries this (the step was already streamed).
        if let Some(s) = rec.steps.iter_mut().find(|s| s.step == Step::Resolve) {
            s.detail = format!("{note}; {}: {}", hosts[0], s.detail);
            s.elapsed_ms += super::report::ms(srv_elapsed);
        }
    }
    if hosts.len() > 1 {
        if let Some(s) = rec.steps.iter_mut().rev().find(|s| s.step == Step::Connect) {
            s.detail.push_str(&format!(
                "; first of {} seed hosts ({}): only it is inspected on Switchboard's own connection, the driver reaches the others",
                hosts.len(),
                hosts.iter().map(Seed::to_string).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    check_replica_set(target, shown, rec, &inspected)?;
    if let Err(f) = tls::verify_ca_needs_name(shown, obs, "the mongodb driver's rustls TLS") {
        rec.push(
            Step::Auth,
            StepStatus::Failed,
            Default::default(),
            f.message.clone(),
        );
        return Err(f);
    }
    // Through an SSH route the driver dials a loopback forward to the first seed, directly:
    // the members a replica set advertises are names only the bastion may resolve, so
    // discovery is not followed (said in the forward step). TLS on that forward is
    // Switchboard's, verified against the database's name on every connection
    // (`ssh::forward::loopback`); the driver speaks plain MongoDB to it.
    if let crate::ssh::Transport::Open(tunnel) = &target.transport {
        let seed = &hosts[0];
        let tls_up = obs.lock().map(|o| o.finished.is_some()).unwrap_or(false);
        let tls = match target.tls_mode {
            TlsMode::Disable => None,
            TlsMode::Prefer if !tls_up => None,
            _ => {
                let fresh: SharedObservation = Default::default();
                Some(tls::connector_for(shown, &fresh)?)
            }
        };
        let fwd = crate::ssh::forward::loopback(tunnel.clone(), seed.host.clone(), seed.port, tls)
            .await
            .map_err(|e| {
                Fail::new(
                    Step::Auth,
                    ErrorCode::ConnectionFailed,
                    format!("The SSH forward for the driver could not be opened: {e}."),
                    "Run the test again.",
                )
            })?;
        if let Some(s) = rec
            .steps
            .iter_mut()
            .rev()
            .find(|s| s.step == Step::SshChannel)
        {
            s.detail.push_str(&format!(
                "; the driver connects directly to {seed} through the route (replica set discovery is not followed)"
            ));
        }
        let mut direct = target.clone();
        direct.options.insert(
            "direct_connection".into(),
            switchboard_model::model::OptionValue::Bool(true),
        );
        direct.tls_mode = TlsMode::Disable;
        let routed = [Seed {
            host: "127.0.0.1".into(),
            port: fwd.port,
        }];
        return login(
            &direct, shown, rec, driver, base, &routed, &inspected, &seen, deadline,
        )
        .await;
    }
    login(
        target, shown, rec, driver, base, &hosts, &inspected, &seen, deadline,
    )
    .await
}

/// The driver resolves the SRV and TXT records of `host` (mongodb+srv).
async fn srv_options(target: &ProbeTarget, host: &str) -> Result<ClientOptions, DriverError> {
    let mut cs = ConnectionString::default();
    cs.host_info = HostInfo::DnsRecord(host.to_owned());
    if !target.username.is_empty() {
        // So that a TXT authSource lands in the credential when none is set here.
        let mut credential = Credential::default();
        credential.username = Some(target.username.clone());
        credential.source = target.text_option("auth_source").map(str::to_owned);
        cs.credential = Some(credential);
    }
    ClientOptions::parse(cs).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_lists_are_read_with_default_ports_and_ipv6() {
        let s = parse_seeds(
            " a.example:27018, b.example ,[::1]:27019,[fe80::1],::1",
            27017,
        )
        .unwrap();
        let shown: Vec<String> = s.iter().map(Seed::to_string).collect();
        assert_eq!(
            shown,
            [
                "a.example:27018",
                "b.example:27017",
                "[::1]:27019",
                "[fe80::1]:27017",
                "[::1]:27017"
            ]
        );
        assert!(parse_seeds("a:0", 27017).is_err());
        assert!(parse_seeds("a:x", 27017).is_err());
        assert!(parse_seeds(" , ", 27017).is_err());
        assert!(parse_seeds("[::1", 27017).is_err());
    }
}
