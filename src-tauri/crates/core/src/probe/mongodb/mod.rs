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

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ::mongodb::bson::{doc, Bson, Document};
use ::mongodb::error::{Error as DriverError, ErrorKind};
use ::mongodb::event::sdam::SdamEvent;
use ::mongodb::event::EventHandler;
use ::mongodb::options::{
    ClientOptions, ConnectionString, Credential, HostInfo, ServerAddress, Tls, TlsOptions,
};
use ::mongodb::Client;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::driver::{timed_out, Fail};
use super::net::resolve_and_connect;
use super::report::{Recorder, ServerInfo, Step, StepStatus, TestFailure, TestReport};
use super::tls::{self, Observation, SharedObservation};
use super::ProbeTarget;
use crate::error::ErrorCode;
use crate::model::{OptionValue, TlsMode};

const DEFAULT_PORT: u16 = 27017;
const OP_REPLY: i32 = 1;
const OP_MSG: i32 = 2013;
/// Larger than any hello answer; anything claiming more is another protocol's bytes.
const MAX_REPLY: usize = 16 * 1024 * 1024;
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

/// `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address, comma-separated.
fn parse_seeds(list: &str, default_port: u16) -> Result<Vec<Seed>, String> {
    let mut seeds = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (host, port) = if let Some(rest) = item.strip_prefix('[') {
            let (host, after) = rest
                .split_once(']')
                .ok_or_else(|| format!("{item:?} has no closing bracket"))?;
            match after.strip_prefix(':') {
                Some(p) => (host, Some(p)),
                None if after.is_empty() => (host, None),
                None => return Err(format!("{item:?} is not host[:port]")),
            }
        } else if item.matches(':').count() == 1 {
            let (h, p) = item.split_once(':').unwrap_or((item, ""));
            (h, Some(p))
        } else {
            (item, None)
        };
        let port = match port {
            None => default_port,
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("{item:?} has an invalid port"))?,
        };
        if host.is_empty() {
            return Err(format!("{item:?} has no host"));
        }
        seeds.push(Seed {
            host: host.to_owned(),
            port,
        });
    }
    if seeds.is_empty() {
        return Err("no host is given".into());
    }
    Ok(seeds)
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

fn classify_srv(target: &ProbeTarget, e: &DriverError) -> Fail {
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

/// What the server said to `hello` on the inspection connection.
#[derive(Debug, Clone, Default)]
struct Hello {
    max_wire_version: Option<i64>,
    set_name: Option<String>,
    writable_primary: bool,
    secondary: bool,
    mongos: bool,
    /// Set when the server answered but refused the command (ok: 0).
    refused: Option<String>,
}

impl Hello {
    fn from_doc(d: &Document) -> Self {
        let truthy = |k: &str| matches!(d.get(k), Some(Bson::Boolean(true)));
        Hello {
            max_wire_version: d.get("maxWireVersion").and_then(int_of),
            set_name: d.get_str("setName").ok().map(str::to_owned),
            writable_primary: truthy("isWritablePrimary") || truthy("ismaster"),
            secondary: truthy("secondary"),
            mongos: d.get_str("msg").ok() == Some("isdbgrid"),
            refused: (!is_ok(d)).then(|| {
                d.get_str("errmsg")
                    .map(str::to_owned)
                    .unwrap_or_else(|_| "ok: 0".into())
            }),
        }
    }

    fn describe(&self) -> String {
        if let Some(r) = &self.refused {
            return format!("MongoDB, hello refused: {r}");
        }
        let role = if self.mongos {
            "mongos (sharded cluster router)".to_owned()
        } else {
            let role = if self.writable_primary {
                "writable primary"
            } else if self.secondary {
                "secondary"
            } else {
                "not writable"
            };
            match &self.set_name {
                Some(s) => format!("replica set {s}, {role}"),
                None if self.writable_primary => "standalone".to_owned(),
                None => role.to_owned(),
            }
        };
        match self.max_wire_version {
            Some(w) => format!("MongoDB wire version {w}, {role}"),
            None => format!("MongoDB, {role}"),
        }
    }
}

fn int_of(b: &Bson) -> Option<i64> {
    match b {
        Bson::Int32(i) => Some(i64::from(*i)),
        Bson::Int64(i) => Some(*i),
        Bson::Double(f) if f.fract() == 0.0 => Some(*f as i64),
        _ => None,
    }
}

fn is_ok(d: &Document) -> bool {
    match d.get("ok") {
        Some(Bson::Boolean(b)) => *b,
        Some(other) => int_of(other) == Some(1),
        None => false,
    }
}

/// What the inspection connection learnt.
struct Inspected {
    hello: Hello,
    encrypted: bool,
}

/// Why the inspection's `hello` found no MongoDB.
enum NotMongo {
    /// The peer closed the connection without a byte.
    Closed,
    /// The peer answered with a TLS record: it wants TLS.
    SpeaksTls,
    /// TLS ended with an alert after the handshake (TLS 1.3 servers refuse a missing
    /// client certificate so, on the first read).
    Tls(rustls::Error),
    /// Anything else.
    Other(String),
}

/// One OP_MSG carrying `body` (a single kind-0 section).
fn op_msg(request_id: i32, body: &Document) -> Vec<u8> {
    let mut doc = Vec::new();
    // A document of a few fields always serialises.
    let _ = body.to_writer(&mut doc);
    let len = 16 + 4 + 1 + doc.len();
    let mut m = Vec::with_capacity(len);
    m.extend_from_slice(&(len as i32).to_le_bytes());
    m.extend_from_slice(&request_id.to_le_bytes());
    m.extend_from_slice(&0i32.to_le_bytes());
    m.extend_from_slice(&OP_MSG.to_le_bytes());
    m.extend_from_slice(&0u32.to_le_bytes());
    m.push(0);
    m.extend_from_slice(&doc);
    m
}

/// The reply to `request_id`: its body document (OP_MSG section 0, or OP_REPLY's first).
async fn read_reply<S: AsyncRead + Unpin>(
    stream: &mut S,
    request_id: i32,
) -> Result<Document, NotMongo> {
    let mut header = [0u8; 16];
    let mut got = 0;
    while got < header.len() {
        match stream.read(&mut header[got..]).await {
            Err(e) if got == 0 => {
                return Err(tls::rustls_error(&e).map_or(NotMongo::Closed, NotMongo::Tls));
            }
            Ok(0) if got == 0 => return Err(NotMongo::Closed),
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    // A TLS record (alert 0x15 or handshake 0x16, version 3.x): the server wants TLS.
    if got >= 3 && matches!(header[0], 0x15 | 0x16) && header[1] == 3 {
        return Err(NotMongo::SpeaksTls);
    }
    if got < header.len() {
        return Err(NotMongo::Other(
            "the answer is shorter than a message header".into(),
        ));
    }
    let word =
        |i: usize| i32::from_le_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    let (len, response_to, opcode) = (word(0), word(8), word(12));
    let len = usize::try_from(len).unwrap_or(0);
    if !(16 + 5..=MAX_REPLY).contains(&len) {
        return Err(NotMongo::Other(format!(
            "the answer's first bytes ({}) are not a MongoDB message header",
            printable(&header)
        )));
    }
    if response_to != request_id || !matches!(opcode, OP_MSG | OP_REPLY) {
        return Err(NotMongo::Other(format!(
            "the answer is not a reply to hello (opcode {opcode}, responseTo {response_to})"
        )));
    }
    let mut body = vec![0u8; len - 16];
    stream
        .read_exact(&mut body)
        .await
        .map_err(|e| NotMongo::Other(format!("the answer was cut short ({e})")))?;
    let doc_bytes = if opcode == OP_MSG {
        // flagBits, then sections; hello's answer is one kind-0 section.
        match body.get(4) {
            Some(0) => &body[5..],
            _ => {
                return Err(NotMongo::Other(
                    "the OP_MSG reply has no body section".into(),
                ))
            }
        }
    } else {
        // responseFlags, cursorID, startingFrom, numberReturned, then the documents.
        body.get(20..)
            .ok_or_else(|| NotMongo::Other("the OP_REPLY is too short".into()))?
    };
    Document::from_reader(&mut &doc_bytes[..])
        .map_err(|e| NotMongo::Other(format!("the reply's document is not BSON ({e})")))
}

fn printable(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| match *b {
            0x20..=0x7E => char::from(*b).to_string(),
            _ => format!("\\x{b:02X}"),
        })
        .collect()
}

/// `hello` (falling back to `isMaster` on servers older than 4.4.2) on the inspection
/// connection.
async fn hello<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S) -> Result<Hello, NotMongo> {
    let mut answer = Hello::default();
    for (id, command) in [(1, "hello"), (2, "isMaster")] {
        let msg = op_msg(id, &doc! { command: 1, "$db": "admin" });
        if stream.write_all(&msg).await.is_err() || stream.flush().await.is_err() {
            return Err(NotMongo::Closed);
        }
        let reply = read_reply(stream, id).await?;
        answer = Hello::from_doc(&reply);
        // 59: CommandNotFound (hello is 4.4.2+).
        if answer.refused.is_none() || reply.get("code").and_then(int_of) != Some(59) {
            break;
        }
    }
    Ok(answer)
}

fn not_mongo(shown: &ProbeTarget, why: &NotMongo) -> Fail {
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

/// Resolve, TCP, TLS (from the first byte) and `hello` on Switchboard's own connection to
/// the first host.
async fn inspect(
    shown: &ProbeTarget,
    rec: &mut Recorder,
    obs: &SharedObservation,
) -> Result<Inspected, Fail> {
    let encrypted = shown.tls_mode != TlsMode::Disable;
    let tls = if encrypted {
        Some(tls::connector_for(shown, obs)?)
    } else {
        None
    };
    let mut stream = resolve_and_connect(rec, &shown.host, shown.port).await?;
    let t = rec.start(Step::Tls);
    let Some((connector, server_name)) = tls else {
        let hello = match hello(&mut stream).await {
            Ok(h) => h,
            Err(why) => {
                let f = not_mongo(shown, &why);
                rec.finish(Step::Tls, StepStatus::Failed, f.message.clone());
                return Err(f);
            }
        };
        rec.push(
            Step::Tls,
            StepStatus::Skipped,
            t.elapsed(),
            format!(
                "TLS disabled for this connection (tls=false): the login and all traffic are unencrypted [hello: {}]",
                hello.describe()
            ),
        );
        return Ok(Inspected { hello, encrypted });
    };
    let mut stream = match tls::handshake(&connector, server_name, stream, obs).await {
        Ok(s) => s,
        Err(e) => {
            let transport = tls::rustls_error(&e);
            let verify_failed = obs
                .lock()
                .map(|o| o.verify_error.is_some())
                .unwrap_or(false);
            let f = match transport {
                // Bytes that are not TLS at all: another service on this port.
                Some(rustls::Error::InvalidMessage(m)) if !verify_failed => Fail::new(
                    Step::Tls,
                    ErrorCode::ProtocolError,
                    format!(
                        "{}:{} answered the TLS handshake with something that is neither TLS nor MongoDB ({m:?}).",
                        shown.host, shown.port
                    ),
                    "Check that the port is MongoDB's (27017 by default) and not another service.",
                ),
                transport => tls::classify_failure(shown, obs, transport).unwrap_or_else(|| {
                    Fail::new(
                        Step::Tls,
                        ErrorCode::TlsNotSupportedByServer,
                        format!(
                            "{}:{} did not complete a TLS handshake ({e}).",
                            shown.host, shown.port
                        ),
                        "The server may not have TLS enabled (net.tls.mode disabled): choose TLS mode disable only on a trusted network, or enable TLS on the server.",
                    )
                }),
            };
            rec.finish(Step::Tls, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    let (protocol, cipher) = obs
        .lock()
        .map(|o| (o.protocol.clone(), o.cipher_suite.clone()))
        .unwrap_or_default();
    let session = format!(
        "{}, {}",
        protocol.unwrap_or_default(),
        cipher.unwrap_or_default()
    );
    let hello = match hello(&mut stream).await {
        Ok(h) => h,
        Err(NotMongo::Tls(alert)) => {
            let f = tls::classify_failure(shown, obs, Some(alert))
                .unwrap_or_else(|| not_mongo(shown, &NotMongo::Closed));
            rec.finish(Step::Tls, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
        Err(why) => {
            let mut f = not_mongo(shown, &why);
            f.message = format!("TLS worked ({session}), but {}", f.message);
            rec.finish(Step::Tls, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    let driver_note = match shown.tls_mode {
        TlsMode::VerifyCa => " (the driver checks the certificate fully on its own connections when it names the host: the mongodb crate's rustls TLS has no tlsAllowInvalidHostnames)",
        TlsMode::VerifyFull if shown.tls.ca_pem.as_deref().is_some_and(|p| !p.trim().is_empty()) => " (the driver checks the certificate again on its own connections, against this connection's CA only)",
        TlsMode::VerifyFull => " (the driver checks the certificate again on its own connections, against this machine's trust store)",
        _ => "",
    };
    rec.finish(
        Step::Tls,
        StepStatus::Ok,
        format!(
            "{session}; {}{driver_note} [hello: {}]",
            tls::verification_words(shown.tls_mode),
            hello.describe()
        ),
    );
    Ok(Inspected { hello, encrypted })
}

/// A replica set name the first host contradicts: the driver would ignore the host and
/// only give up when server selection times out, so say it now.
fn check_replica_set(
    target: &ProbeTarget,
    shown: &ProbeTarget,
    rec: &mut Recorder,
    inspected: &Inspected,
) -> Result<(), Fail> {
    let Some(wanted) = target.text_option("replica_set") else {
        return Ok(());
    };
    let hello = &inspected.hello;
    if hello.refused.is_some() || hello.mongos || hello.set_name.as_deref() == Some(wanted) {
        return Ok(());
    }
    let f = Fail::new(
        Step::Auth,
        ErrorCode::ConnectionFailed,
        match &hello.set_name {
            Some(actual) => format!(
                "{}:{} belongs to replica set {actual:?}, but this connection names {wanted:?}: the driver would not use it.",
                shown.host, shown.port
            ),
            None => format!(
                "{}:{} is not a replica set member, but this connection names replica set {wanted:?}: the driver would not use it.",
                shown.host, shown.port
            ),
        },
        match &hello.set_name {
            Some(actual) => format!("Set the replica set name to {actual}, or clear it."),
            None => "Clear the replica set name (a standalone server has none).".to_owned(),
        },
    );
    rec.push(
        Step::Auth,
        StepStatus::Failed,
        Duration::ZERO,
        f.message.clone(),
    );
    Err(f)
}

/// What the driver's monitors saw of each host, from its SDAM events.
#[derive(Default)]
struct Seen {
    failures: BTreeMap<String, DriverError>,
    reachable: BTreeSet<String>,
    removed: BTreeSet<String>,
}

type SharedSeen = Arc<Mutex<Seen>>;

fn sdam_handler(seen: SharedSeen) -> EventHandler<SdamEvent> {
    EventHandler::callback(move |event: SdamEvent| {
        let Ok(mut s) = seen.lock() else {
            return;
        };
        match event {
            SdamEvent::ServerHeartbeatFailed(e) => {
                let addr = e.server_address.to_string();
                s.reachable.remove(&addr);
                s.failures.insert(addr, e.failure);
            }
            SdamEvent::ServerHeartbeatSucceeded(e) => {
                let addr = e.server_address.to_string();
                s.failures.remove(&addr);
                s.reachable.insert(addr);
            }
            SdamEvent::ServerClosed(e) => {
                s.removed.insert(e.address.to_string());
            }
            _ => {}
        }
    })
}

/// The connection's settings for the driver, on top of `base` (empty, or what the SRV
/// lookup found).
async fn driver_options(
    target: &ProbeTarget,
    mut options: ClientOptions,
    hosts: &[Seed],
    seen: &SharedSeen,
    budget: Duration,
) -> Result<(ClientOptions, DriverFiles), Fail> {
    options.hosts = hosts
        .iter()
        .map(|s| ServerAddress::Tcp {
            host: s.host.clone(),
            port: Some(s.port),
        })
        .collect();
    options.app_name = Some("switchboard".into());
    options.direct_connection = Some(flag(target, "direct_connection"));
    if let Some(rs) = target.text_option("replica_set") {
        options.repl_set_name = Some(rs.to_owned());
    }
    options.server_selection_timeout = Some(budget);
    options.connect_timeout = Some(budget);
    options.sdam_event_handler = Some(sdam_handler(seen.clone()));
    options.credential = if target.username.is_empty() {
        None
    } else {
        let from_txt = options.credential.as_ref().and_then(|c| c.source.clone());
        let mut credential = Credential::default();
        credential.username = Some(target.username.clone());
        credential.password = Some(
            target
                .password
                .as_ref()
                .map(|p| p.expose().to_owned())
                .unwrap_or_default(),
        );
        credential.source = Some(auth_source(target, from_txt));
        Some(credential)
    };
    let mut files = DriverFiles::default();
    options.tls = Some(match target.tls_mode {
        TlsMode::Disable => Tls::Disabled,
        TlsMode::Require | TlsMode::Prefer => {
            let mut t = TlsOptions::default();
            t.allow_invalid_certificates = Some(true);
            t.cert_key_file_path = files.identity(target);
            Tls::Enabled(t)
        }
        // verify-ca reaches the driver only when the certificate names the host
        // (`verify_ca_needs_name`): the full check is what it asks, and more.
        TlsMode::VerifyCa | TlsMode::VerifyFull => {
            let mut t = TlsOptions::default();
            // The connection's CA, else this machine's trust store (what every other
            // engine trusts): without a file the driver would trust Mozilla's list instead.
            let pem = target
                .tls
                .ca_pem
                .as_deref()
                .filter(|p| !p.trim().is_empty())
                .or_else(|| tls::native_roots_pem());
            if let Some(pem) = pem {
                let temp =
                    super::driver::TempCa::write("mongodb", "pem", pem.as_bytes().to_vec()).await?;
                t.ca_file_path = Some(temp.path().to_path_buf());
                files.ca = Some(temp);
            }
            t.cert_key_file_path = files.identity(target);
            Tls::Enabled(t)
        }
    });
    Ok((options, files))
}

/// What the driver reads from files, kept for as long as the driver runs: the CA (a
/// temporary file) and, on Linux, the client certificate and key in an anonymous
/// in-memory file (memfd) that never touches a disk and closes with the test.
#[derive(Default)]
struct DriverFiles {
    ca: Option<super::driver::TempCa>,
    #[cfg(target_os = "linux")]
    identity: Option<std::fs::File>,
}

impl DriverFiles {
    /// The path the driver reads the client certificate and key from, when there are
    /// both and this platform can hand them over without a file on disk.
    #[cfg(target_os = "linux")]
    fn identity(&mut self, target: &ProbeTarget) -> Option<std::path::PathBuf> {
        use std::io::Write;
        use std::os::fd::AsRawFd;
        let (cert, key) = (
            target.tls.client_cert_pem.as_deref()?,
            target.tls.client_key_pem.as_ref()?,
        );
        let fd = rustix::fs::memfd_create(
            "switchboard-mongodb-client",
            rustix::fs::MemfdFlags::CLOEXEC,
        )
        .ok()?;
        let mut file = std::fs::File::from(fd);
        // A write to memory, not to a disk; the text is zeroed once written.
        let pem = zeroize::Zeroizing::new(format!(
            "{}\n{}\n",
            cert.trim_end(),
            key.expose().trim_end()
        ));
        file.write_all(pem.as_bytes()).ok()?;
        let path = std::path::PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
        // Without /proc (some sandboxes) the driver could not open it.
        path.exists().then(|| {
            self.identity = Some(file);
            path
        })
    }

    #[cfg(not(target_os = "linux"))]
    fn identity(&mut self, _target: &ProbeTarget) -> Option<std::path::PathBuf> {
        None
    }

    /// Whether the driver was given the client certificate.
    fn has_identity(&self) -> bool {
        #[cfg(target_os = "linux")]
        {
            self.identity.is_some()
        }
        #[cfg(not(target_os = "linux"))]
        {
            false
        }
    }
}

/// authSource: the connection's, else what the SRV TXT record said, else the database,
/// else admin.
fn auth_source(target: &ProbeTarget, from_txt: Option<String>) -> String {
    target
        .text_option("auth_source")
        .map(str::to_owned)
        .or(from_txt)
        .or_else(|| {
            Some(target.database.trim())
                .filter(|d| !d.is_empty())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "admin".into())
}

/// What the driver's server selection may take: the time left, less a margin so that its
/// own error (which names the cause) arrives before the test's timeout.
fn budget(deadline: Instant) -> Duration {
    let left = deadline.saturating_duration_since(Instant::now());
    let margin = (left / 10).clamp(Duration::from_millis(50), Duration::from_millis(500));
    left.saturating_sub(margin).max(Duration::from_millis(100))
}

#[allow(clippy::too_many_arguments)]
async fn login(
    target: &ProbeTarget,
    shown: &ProbeTarget,
    rec: &mut Recorder,
    driver: &mut Driver,
    base: ClientOptions,
    hosts: &[Seed],
    inspected: &Inspected,
    seen: &SharedSeen,
    deadline: Instant,
) -> Result<ServerInfo, Fail> {
    rec.start(Step::Auth);
    let (options, files) = match driver_options(target, base, hosts, seen, budget(deadline)).await {
        Ok(o) => o,
        Err(f) => {
            rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    driver.files = files;
    let source = options
        .credential
        .as_ref()
        .and_then(|c| c.source.clone())
        .unwrap_or_default();
    let client = match Client::with_options(options) {
        Ok(c) => c,
        Err(e) => {
            let f = classify(target, shown, hosts, seen, &e, Step::Auth);
            rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    // The driver read its files (CA, client identity) when the client was built
    // (mongodb 3.x builds its TLS config in `Client::with_options`): the CA file goes, the
    // in-memory identity is closed. A driver that read them later would find neither,
    // which the mutual-TLS test would catch.
    let has_identity = driver.files.has_identity();
    driver.files = DriverFiles::default();
    driver.client = Some(client.clone());
    let admin = client.database("admin");
    if let Err(e) = admin.run_command(doc! { "ping": 1 }).await {
        let f = classify(target, shown, hosts, seen, &e, Step::Auth);
        rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
        return Err(f);
    }
    let who = if target.username.is_empty() {
        "connected without authenticating (no username)".to_owned()
    } else {
        format!(
            "connected and authenticated as {} (auth source {source}; the driver negotiates the SCRAM mechanism and does not report connecting and authenticating apart)",
            target.username
        )
    };
    let tls_words = match target.tls_mode {
        TlsMode::Disable => "unencrypted",
        TlsMode::Require | TlsMode::Prefer => "encrypted, certificate not checked",
        TlsMode::VerifyCa => "encrypted, certificate checked by the driver (it names the host)",
        TlsMode::VerifyFull => "encrypted, certificate checked by the driver",
    };
    let mut detail = format!("the driver {who}, on its own connections ({tls_words})");
    if target.tls.client_cert_pem.is_some() && inspected.encrypted {
        detail.push_str(if has_identity {
            "; the client certificate was handed to the driver in memory (an anonymous in-memory file, never on disk)"
        } else {
            "; the client certificate was presented on the inspection connection only (the driver reads client keys from a file, and Switchboard could not hand it one in memory: it never writes keys to disk)"
        });
    }
    if hosts.len() > 1 {
        detail.push_str(&format!("; {}", hosts_seen(hosts, seen)));
    }
    rec.finish(Step::Auth, StepStatus::Ok, detail);

    rec.start(Step::Query);
    let queried = async {
        let build = admin.run_command(doc! { "buildInfo": 1 }).await?;
        let status = admin.run_command(doc! { "connectionStatus": 1 }).await?;
        let hello = admin.run_command(doc! { "hello": 1 }).await.ok();
        Ok::<_, DriverError>((build, status, hello))
    }
    .await;
    let (build, status, hello) = match queried {
        Ok(q) => q,
        Err(e) => {
            let f = classify(target, shown, hosts, seen, &e, Step::Query);
            rec.finish(Step::Query, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    let hello = hello
        .as_ref()
        .map(Hello::from_doc)
        .unwrap_or_else(|| inspected.hello.clone());
    let version = match build.get_str("version") {
        Ok(v) => format!("MongoDB {v}"),
        Err(_) => match inspected.hello.max_wire_version {
            Some(w) => format!("MongoDB (wire version {w})"),
            None => "MongoDB".into(),
        },
    };
    let current_user = status
        .get_document("authInfo")
        .ok()
        .and_then(|a| a.get_array("authenticatedUsers").ok())
        .and_then(|users| users.first())
        .and_then(Bson::as_document)
        .map(|u| {
            format!(
                "{}@{}",
                u.get_str("user").unwrap_or_default(),
                u.get_str("db").unwrap_or_default()
            )
        })
        .unwrap_or_else(|| {
            if target.username.is_empty() {
                "(not authenticated)".into()
            } else {
                target.username.clone()
            }
        });
    let info = ServerInfo {
        version,
        current_user,
        current_database: Some(target.database.trim())
            .filter(|d| !d.is_empty())
            .unwrap_or("admin")
            .to_owned(),
        in_recovery: hello.refused.is_none() && !hello.writable_primary && !hello.mongos,
    };
    rec.finish(
        Step::Query,
        StepStatus::Ok,
        format!("{}; {}", info.version, hello.describe()),
    );
    Ok(info)
}

/// What the driver's monitors saw of each seed host so far.
fn hosts_seen(hosts: &[Seed], seen: &SharedSeen) -> String {
    let Ok(s) = seen.lock() else {
        return String::new();
    };
    let states: Vec<String> = hosts
        .iter()
        .map(|h| {
            let addr = h.to_string();
            let key = format!("{}:{}", h.host, h.port);
            let state = if let Some(e) = s.failures.get(&key) {
                format!("unreachable ({})", short(&e.kind.to_string()))
            } else if s.removed.contains(&key) {
                "dropped by the driver (not in the replica set's host list)".to_owned()
            } else if s.reachable.contains(&key) {
                "reachable".to_owned()
            } else {
                "not yet checked by the driver".to_owned()
            };
            format!("{addr} {state}")
        })
        .collect();
    format!("seed hosts as the driver saw them: {}", states.join(", "))
}

fn short(s: &str) -> String {
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
fn classify(
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

    #[test]
    fn the_hello_message_is_a_well_formed_op_msg() {
        let m = op_msg(7, &doc! { "hello": 1, "$db": "admin" });
        let word = |i: usize| i32::from_le_bytes([m[i], m[i + 1], m[i + 2], m[i + 3]]);
        assert_eq!(word(0) as usize, m.len());
        assert_eq!(word(4), 7);
        assert_eq!(word(12), OP_MSG);
        assert_eq!(m[20], 0, "one kind-0 section");
        let d = Document::from_reader(&mut &m[21..]).unwrap();
        assert_eq!(d.get_i32("hello").unwrap(), 1);
        assert_eq!(d.get_str("$db").unwrap(), "admin");
    }

    #[tokio::test]
    async fn replies_are_read_and_other_protocols_are_not_mongodb() {
        let mut reply = op_msg(
            0,
            &doc! { "ok": 1.0, "maxWireVersion": 17, "setName": "rs0", "isWritablePrimary": true },
        );
        reply[8..12].copy_from_slice(&1i32.to_le_bytes());
        let d = read_reply(&mut &reply[..], 1).await.ok().unwrap();
        let h = Hello::from_doc(&d);
        assert_eq!(h.max_wire_version, Some(17));
        assert_eq!(
            h.describe(),
            "MongoDB wire version 17, replica set rs0, writable primary"
        );
        assert!(matches!(
            read_reply(&mut &b"HTTP/1.1 400 Bad Request\r\n\r\n"[..], 1).await,
            Err(NotMongo::Other(_))
        ));
        assert!(matches!(
            read_reply(&mut &[0x15u8, 3, 3, 0, 2, 2, 50][..], 1).await,
            Err(NotMongo::SpeaksTls)
        ));
        assert!(matches!(
            read_reply(&mut &b""[..], 1).await,
            Err(NotMongo::Closed)
        ));
    }

    #[test]
    fn the_auth_source_is_the_connections_then_txt_then_the_database_then_admin() {
        let mut t = ProbeTarget {
            username: "app".into(),
            timeout: Duration::from_secs(5),
            ..ProbeTarget::new(
                crate::model::Engine::Mongodb,
                "db",
                27017,
                TlsMode::VerifyFull,
            )
        };
        assert_eq!(auth_source(&t, None), "admin");
        t.database = "sales".into();
        assert_eq!(auth_source(&t, None), "sales");
        assert_eq!(auth_source(&t, Some("txt".into())), "txt");
        t.options
            .insert("auth_source".into(), OptionValue::Text("users".into()));
        assert_eq!(auth_source(&t, Some("txt".into())), "users");
    }

    #[test]
    fn the_drivers_auth_and_tls_failures_are_classified() {
        let t = ProbeTarget {
            username: "app".into(),
            timeout: Duration::from_secs(5),
            ..ProbeTarget::new(
                crate::model::Engine::Mongodb,
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
            f.hint.contains("Paste the server's CA certificate"),
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
