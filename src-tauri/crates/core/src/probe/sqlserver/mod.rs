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

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};

use rustls::pki_types::{CertificateDer, ServerName};
use tiberius::{AuthMethod, Config, EncryptionLevel};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_util::compat::TokioAsyncWriteCompatExt;

use super::driver::{timed_out, Fail};
use super::report::{Recorder, ServerInfo, Step, StepStatus, TestFailure, TestReport};
use super::tls::{self, Observation, SharedObservation};
use super::ProbeTarget;
use crate::error::ErrorCode;
use crate::model::TlsMode;

/// TDS packet types.
const PKT_PRELOGIN: u8 = 0x12;
const PKT_REPLY: u8 = 0x04;
/// PRELOGIN option tokens.
const PL_VERSION: u8 = 0x00;
const PL_ENCRYPTION: u8 = 0x01;
const PL_THREADID: u8 = 0x03;
const PL_MARS: u8 = 0x04;
const PL_TERMINATOR: u8 = 0xFF;
/// PRELOGIN encryption values.
const ENCRYPT_OFF: u8 = 0;
const ENCRYPT_ON: u8 = 1;
const ENCRYPT_NOT_SUP: u8 = 2;
const ENCRYPT_REQ: u8 = 3;
/// What to check when tiberius stops on an answer it cannot handle.
const SQLSERVER_BROKE: &str =
    "Check that the server is SQL Server 2012 or later; read its error log.";
/// The largest packet payload sent during PRELOGIN (packet size 4096).
const MAX_PAYLOAD: usize = 4096 - 8;

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

fn not_sql_server(target: &ProbeTarget) -> Fail {
    Fail::new(
        Step::Tls,
        ErrorCode::ProtocolError,
        format!(
            "{}:{} answered with something that is not a SQL Server (no TDS PRELOGIN reply).",
            target.host, target.port
        ),
        "Check that the port is SQL Server's (1433 by default, or the named instance's own port) and not another service.",
    )
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

const DEFAULT_PORT: u16 = 1433;
/// The SQL Server Browser's UDP port (SSRP, [MC-SQLR]).
const BROWSER_PORT: u16 = 1434;
/// How long each address's Browser gets to answer.
const BROWSER_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Asks the SQL Server Browser on the host (CLNT_UCAST_INST) which TCP port the named
/// instance listens on, at every address of the host at once; the first answer wins.
/// Recorded as a resolve step of its own. A host name that does not resolve is left to
/// the resolve step that follows to report. Returns the port and the address that
/// answered (the connection tries it first: the port is that machine's).
async fn browse(
    rec: &mut Recorder,
    target: &ProbeTarget,
    instance: &str,
) -> Result<(u16, Option<std::net::IpAddr>), Fail> {
    use futures_util::stream::{FuturesUnordered, StreamExt};
    let t = rec.start(Step::Resolve);
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((target.host.as_str(), BROWSER_PORT))
        .await
        .map(|a| a.collect())
        .unwrap_or_default();
    if addrs.is_empty() {
        rec.push(
            Step::Resolve,
            StepStatus::Skipped,
            t.elapsed(),
            format!(
                "SQL Server Browser not asked for instance {instance:?}: the host does not resolve"
            ),
        );
        return Ok((target.port, None));
    }
    let mut request = vec![0x04];
    request.extend_from_slice(instance.as_bytes());
    request.push(0);
    // Half the test's time at most, so that a silent Browser is reported as such.
    let wait = BROWSER_WAIT.min(target.timeout / 2);
    let mut asking: FuturesUnordered<_> = addrs
        .iter()
        .map(|&addr| {
            let request = request.clone();
            async move { (addr, ask_browser(addr, &request, wait).await) }
        })
        .collect();
    let mut unreachable = Vec::new();
    let fail = |message: String, hint: &str| {
        Fail::new(Step::Resolve, ErrorCode::ConnectionFailed, message, hint)
    };
    while let Some((addr, answer)) = asking.next().await {
        let answer = match answer {
            Asked::Answer(a) => a,
            Asked::Unreachable => {
                unreachable.push(addr.to_string());
                continue;
            }
            Asked::Silent => continue,
        };
        let result = match browser_port(&answer, instance) {
            BrowserAnswer::Port(port) => Ok(port),
            BrowserAnswer::NoTcp => Err(fail(
                format!("The SQL Server Browser at {addr} knows instance {instance:?}, but it does not listen on TCP."),
                "Enable TCP/IP for the instance (SQL Server Configuration Manager → Network Configuration) and restart it.",
            )),
            BrowserAnswer::Unknown(listed) => Err(fail(
                format!(
                    "The SQL Server Browser at {addr} does not know instance {instance:?}{}.",
                    if listed.is_empty() {
                        String::new()
                    } else {
                        format!(" (it lists {})", listed.join(", "))
                    }
                ),
                "Check the instance name, or clear it to use the default instance.",
            )),
            BrowserAnswer::Garbled => Err(Fail::new(
                Step::Resolve,
                ErrorCode::ProtocolError,
                format!("UDP {addr} answered, but not as a SQL Server Browser."),
                "Enter the instance's TCP port instead of relying on the Browser.",
            )),
        };
        return match result {
            Ok(port) => {
                rec.finish(
                    Step::Resolve,
                    StepStatus::Ok,
                    format!("SQL Server Browser at {addr}: instance {instance:?} listens on TCP port {port}"),
                );
                Ok((port, Some(addr.ip())))
            }
            Err(f) => {
                rec.finish(Step::Resolve, StepStatus::Failed, f.message.clone());
                Err(f)
            }
        };
    }
    let everywhere = unreachable.len() == addrs.len();
    let f = Fail::new(
        Step::Resolve,
        if everywhere {
            ErrorCode::ConnectionFailed
        } else {
            ErrorCode::Timeout
        },
        if everywhere {
            format!(
                "No SQL Server Browser listens on {} (UDP {BROWSER_PORT} is closed at {}).",
                target.host,
                unreachable.join(", ")
            )
        } else {
            format!(
                "The SQL Server Browser on {} (UDP {BROWSER_PORT}) did not answer for instance {instance:?} within {:.1} s.",
                target.host,
                wait.as_secs_f64()
            )
        },
        "A Browser answers only for instances it has: check the instance name. Else start the SQL Server Browser service and allow UDP 1434 through the firewall, or enter the instance's TCP port (the Browser is then not asked).",
    );
    rec.finish(Step::Resolve, StepStatus::Failed, f.message.clone());
    Err(f)
}

enum Asked {
    Answer(Vec<u8>),
    /// The host said nothing listens on UDP 1434 (ICMP port unreachable).
    Unreachable,
    Silent,
}

/// One Browser's answer (SVR_RESP).
async fn ask_browser(addr: SocketAddr, request: &[u8], wait: std::time::Duration) -> Asked {
    let local: SocketAddr = if addr.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let Ok(socket) = tokio::net::UdpSocket::bind(local).await else {
        return Asked::Silent;
    };
    if socket.connect(addr).await.is_err() || socket.send(request).await.is_err() {
        return Asked::Unreachable;
    }
    let mut buf = vec![0u8; 65535];
    match tokio::time::timeout(wait, socket.recv(&mut buf)).await {
        Ok(Ok(n)) => {
            buf.truncate(n);
            Asked::Answer(buf)
        }
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => Asked::Unreachable,
        _ => Asked::Silent,
    }
}

#[derive(Debug, PartialEq, Eq)]
enum BrowserAnswer {
    Port(u16),
    NoTcp,
    /// The instance names the Browser did list.
    Unknown(Vec<String>),
    Garbled,
}

/// Reads SVR_RESP: 0x05, a little-endian length, then `key;value;…` records, one per
/// instance, each ending with `;;`.
fn browser_port(answer: &[u8], instance: &str) -> BrowserAnswer {
    let Some((&0x05, rest)) = answer.split_first() else {
        return BrowserAnswer::Garbled;
    };
    let Some(text) = rest.get(2..) else {
        return BrowserAnswer::Garbled;
    };
    let text = String::from_utf8_lossy(text);
    let mut listed = Vec::new();
    for record in text.split(";;").filter(|r| !r.trim().is_empty()) {
        let words: Vec<&str> = record.split(';').collect();
        let value = |key: &str| {
            words
                .chunks(2)
                .find(|kv| kv[0].eq_ignore_ascii_case(key))
                .and_then(|kv| kv.get(1).copied())
        };
        let Some(name) = value("InstanceName") else {
            continue;
        };
        if !name.eq_ignore_ascii_case(instance) {
            listed.push(name.to_owned());
            continue;
        }
        return match value("tcp").map(str::parse::<u16>) {
            Some(Ok(port)) if port != 0 => BrowserAnswer::Port(port),
            Some(_) => BrowserAnswer::Garbled,
            None => BrowserAnswer::NoTcp,
        };
    }
    if listed.is_empty() && !text.contains("InstanceName") {
        BrowserAnswer::Garbled
    } else {
        BrowserAnswer::Unknown(listed)
    }
}

/// What the inspection connection learnt.
struct Inspected {
    negotiated: Negotiated,
    addr: SocketAddr,
    /// From the PRELOGIN VERSION option, e.g. "16.0.1000".
    version: Option<String>,
    /// The chain the server sent (leaf first), for picking the CA the driver trusts.
    chain: Vec<CertificateDer<'static>>,
}

/// The server's PRELOGIN answer.
struct Prelogin {
    encryption: u8,
    version: Option<String>,
}

fn prelogin_request(encryption: u8) -> Vec<u8> {
    let options: [(u8, &[u8]); 4] = [
        (PL_VERSION, &[0, 1, 0, 0, 0, 0]),
        (PL_ENCRYPTION, &[encryption]),
        (PL_THREADID, &[0, 0, 0, 0]),
        (PL_MARS, &[0]),
    ];
    let mut table = Vec::new();
    let mut data = Vec::new();
    let mut offset = options.len() * 5 + 1;
    for (token, value) in options {
        table.push(token);
        table.extend_from_slice(&(offset as u16).to_be_bytes());
        table.extend_from_slice(&(value.len() as u16).to_be_bytes());
        data.extend_from_slice(value);
        offset += value.len();
    }
    table.push(PL_TERMINATOR);
    table.extend_from_slice(&data);
    packet(PKT_PRELOGIN, true, &table)
}

fn packet(kind: u8, last: bool, payload: &[u8]) -> Vec<u8> {
    let len = (payload.len() + 8) as u16;
    let mut p = vec![kind, u8::from(last)];
    p.extend_from_slice(&len.to_be_bytes());
    p.extend_from_slice(&[0, 0, 1, 0]);
    p.extend_from_slice(payload);
    p
}

/// Reads the PRELOGIN reply: a tabular-result packet holding the option table.
async fn read_prelogin(stream: &mut TcpStream) -> Option<Prelogin> {
    let mut header = [0u8; 8];
    stream.read_exact(&mut header).await.ok()?;
    let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
    // The reply is a few dozen bytes, in one packet.
    if header[0] != PKT_REPLY || header[1] & 0x01 == 0 || !(8 + 6..=4096).contains(&len) {
        return None;
    }
    let mut body = vec![0u8; len - 8];
    stream.read_exact(&mut body).await.ok()?;
    let mut encryption = None;
    let mut version = None;
    let mut at = 0;
    loop {
        let token = *body.get(at)?;
        if token == PL_TERMINATOR {
            break;
        }
        let field = body.get(at + 1..at + 5)?;
        let offset = usize::from(u16::from_be_bytes([field[0], field[1]]));
        let length = usize::from(u16::from_be_bytes([field[2], field[3]]));
        let value = body.get(offset..offset + length)?;
        match token {
            PL_ENCRYPTION if length == 1 => encryption = Some(value[0]),
            PL_VERSION if length >= 4 => {
                version = Some(format!(
                    "{}.{}.{}",
                    value[0],
                    value[1],
                    u16::from_be_bytes([value[2], value[3]])
                ));
            }
            // Tokens are 0x00..=0x08 today; anything far past that is not TDS.
            t if t > 0x20 => return None,
            _ => {}
        }
        at += 5;
    }
    // ENCRYPT_CLIENT_CERT (0x80) may be or-ed in; the level is the low bits.
    let encryption = encryption? & 0x7F;
    (encryption <= ENCRYPT_REQ).then_some(Prelogin {
        encryption,
        version,
    })
}

fn encryption_name(e: u8) -> &'static str {
    match e {
        ENCRYPT_OFF => "ENCRYPT_OFF (login only)",
        ENCRYPT_ON => "ENCRYPT_ON",
        ENCRYPT_NOT_SUP => "ENCRYPT_NOT_SUP",
        _ => "ENCRYPT_REQ",
    }
}

/// The server's answer against the connection's TLS mode.
fn negotiate(target: &ProbeTarget, p: &Prelogin) -> Result<Negotiated, Fail> {
    let mode = target.tls_mode;
    let loose = matches!(mode, TlsMode::Disable | TlsMode::Prefer);
    match p.encryption {
        ENCRYPT_NOT_SUP if loose => Ok(Negotiated::None),
        ENCRYPT_NOT_SUP => Err(Fail::new(
            Step::Tls,
            ErrorCode::TlsNotSupportedByServer,
            format!(
                "{}:{} does not support encryption (PRELOGIN answered ENCRYPT_NOT_SUP): it has no certificate.",
                target.host, target.port
            ),
            "Give the server a certificate (SQL Server Configuration Manager → Protocols → Certificate), or (only on a trusted network) choose TLS mode disable or prefer.",
        )),
        ENCRYPT_OFF if loose => Ok(Negotiated::LoginOnly),
        ENCRYPT_ON | ENCRYPT_REQ if mode == TlsMode::Disable => Err(Fail::new(
            Step::Tls,
            ErrorCode::TlsRequiredByServer,
            format!(
                "{}:{} requires encryption for the whole session (PRELOGIN answered {}), but this connection's TLS mode is disable (Encrypt=False: the login packet only).",
                target.host,
                target.port,
                encryption_name(p.encryption)
            ),
            "Choose TLS mode require or stronger (verify-full is best); the server has Force Encryption on.",
        )),
        _ => Ok(Negotiated::Full),
    }
}

/// Resolve, TCP, PRELOGIN and (when any encryption is to happen) the TLS handshake inside
/// PRELOGIN packets, on Switchboard's own connection.
async fn inspect(
    target: &ProbeTarget,
    rec: &mut Recorder,
    obs: &SharedObservation,
    prefer: Option<std::net::IpAddr>,
) -> Result<Inspected, Fail> {
    // SQL Server (TDS 7.x) has no client certificates: only the CA is used.
    let material = tls::TlsMaterial {
        ca_pem: if target.tls_mode == TlsMode::Disable {
            None
        } else {
            target.tls.ca_pem.clone()
        },
        ..Default::default()
    };
    let client_config = tls::client_config(target.tls_mode, &material, obs.clone())
        .map_err(|e| Fail::new(Step::Tls, e.code, e.message.clone(), tls::material_hint(&e)))?;
    let cert_name = target
        .text_option("host_name_in_certificate")
        .filter(|_| matches!(target.tls_mode, TlsMode::VerifyCa | TlsMode::VerifyFull))
        .unwrap_or(&target.host)
        .to_owned();
    let server_name = ServerName::try_from(cert_name.clone()).map_err(|e| {
        Fail::new(
            Step::Tls,
            ErrorCode::HostInvalid,
            format!("{cert_name:?} cannot be used as a TLS server name: {e}"),
            "Use a DNS name or an IP address (or fix the host name in certificate).",
        )
    })?;
    let mut stream =
        super::net::resolve_and_connect_preferring(rec, &target.host, target.port, prefer).await?;
    let addr = stream.peer_addr().map_err(|e| {
        Fail::new(
            Step::Connect,
            ErrorCode::ConnectionFailed,
            format!(
                "The connection to {}:{} closed at once ({e}).",
                target.host, target.port
            ),
            "Check the host and port.",
        )
    })?;
    let t = rec.start(Step::Tls);
    let asked = if matches!(target.tls_mode, TlsMode::Disable | TlsMode::Prefer) {
        ENCRYPT_OFF
    } else {
        ENCRYPT_ON
    };
    let prelogin = match stream.write_all(&prelogin_request(asked)).await {
        Ok(()) => read_prelogin(&mut stream).await,
        Err(_) => None,
    };
    let Some(prelogin) = prelogin else {
        let f = not_sql_server(target);
        rec.finish(Step::Tls, StepStatus::Failed, f.message.clone());
        return Err(f);
    };
    let answered = format!(
        "server {}, {}",
        prelogin.version.as_deref().unwrap_or("version not given"),
        encryption_name(prelogin.encryption)
    );
    let negotiated = match negotiate(target, &prelogin) {
        Ok(n) => n,
        Err(f) => {
            rec.finish(Step::Tls, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    let inspected = |chain| Inspected {
        negotiated,
        addr,
        version: prelogin.version.clone(),
        chain,
    };
    if negotiated == Negotiated::None {
        rec.push(
            Step::Tls,
            StepStatus::Skipped,
            t.elapsed(),
            format!(
                "the server has no certificate: the login, password included, is sent unencrypted ({}) [PRELOGIN: {answered}]",
                if target.tls_mode == TlsMode::Prefer {
                    "prefer"
                } else {
                    "disable"
                }
            ),
        );
        return Ok(inspected(Vec::new()));
    }
    let connector = TlsConnector::from(Arc::new(client_config));
    match tls::handshake(&connector, server_name, PreloginFramed::new(stream), obs).await {
        Ok(_) => {
            let (protocol, cipher, chain) = obs
                .lock()
                .map(|o| (o.protocol.clone(), o.cipher_suite.clone(), o.chain.clone()))
                .unwrap_or_default();
            let driver_note = match target.tls_mode {
                TlsMode::VerifyCa => " (the driver checks the chain again on its login connection, against a name the certificate lists)",
                TlsMode::VerifyFull if cert_name != target.host => " (the driver checks the certificate again on its login connection, for the host name in certificate)",
                TlsMode::VerifyFull => " (the driver checks the certificate again on its login connection)",
                _ => "",
            };
            rec.finish(
                Step::Tls,
                StepStatus::Ok,
                format!(
                    "{}, {}; {}{driver_note} [PRELOGIN: {answered}]",
                    protocol.unwrap_or_default(),
                    cipher.unwrap_or_default(),
                    verification(target.tls_mode, negotiated),
                ),
            );
            Ok(inspected(chain))
        }
        Err(e) => {
            let transport = tls::rustls_error(&e);
            let f = tls::classify_failure(target, obs, transport).unwrap_or_else(|| {
                if e.kind() == std::io::ErrorKind::InvalidData && e.to_string().contains("TDS") {
                    not_sql_server(target)
                } else {
                    Fail::new(
                        Step::Tls,
                        ErrorCode::TlsHandshakeFailed,
                        format!("The TLS handshake inside TDS failed: {e}."),
                        "Check the server's certificate configuration (SQL Server Configuration Manager), or its error log.",
                    )
                }
            });
            rec.finish(Step::Tls, StepStatus::Failed, f.message.clone());
            Err(f)
        }
    }
}

/// The CA certificate the driver should trust on its own (tiberius 0.12 takes exactly one,
/// from a file): the connection's only CA, or the one that issued the top of the chain
/// the server sent. `None`: the system's store anchors the chain.
/// A name the leaf certificate lists (a DNS or IP subject-alternative name, else its CN).
fn name_in_leaf(chain: &[CertificateDer<'_>]) -> Option<String> {
    let leaf = chain.first()?;
    let (_, cert) = x509_parser::parse_x509_certificate(leaf).ok()?;
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                x509_parser::extensions::GeneralName::DNSName(d) if !d.starts_with('*') => {
                    return Some((*d).to_owned())
                }
                x509_parser::extensions::GeneralName::IPAddress(ip) => {
                    let addr = match ip.len() {
                        4 => <[u8; 4]>::try_from(*ip).ok().map(std::net::IpAddr::from),
                        16 => <[u8; 16]>::try_from(*ip).ok().map(std::net::IpAddr::from),
                        _ => None,
                    };
                    if let Some(a) = addr {
                        return Some(a.to_string());
                    }
                }
                _ => {}
            }
        }
    }
    let cn = cert
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_owned);
    cn
}

fn anchor_for_driver(ca_pem: Option<&str>, chain: &[CertificateDer<'_>]) -> Option<Vec<u8>> {
    let cas = crate::pem::parse_certificates(ca_pem?).ok()?;
    if cas.len() == 1 {
        return cas.into_iter().next().map(|c| c.to_vec());
    }
    let top = chain.last()?;
    let (_, top) = x509_parser::parse_x509_certificate(top).ok()?;
    cas.into_iter()
        .find(|ca| {
            x509_parser::parse_x509_certificate(ca)
                .map(|(_, ca)| ca.subject().as_raw() == top.issuer().as_raw())
                .unwrap_or(false)
        })
        .map(|c| c.to_vec())
}

async fn driver_config(
    target: &ProbeTarget,
    inspected: &Inspected,
) -> Result<(Config, Option<super::driver::TempCa>), Fail> {
    let mut config = Config::new();
    config.host(&target.host);
    config.port(target.port);
    if !target.database.is_empty() {
        config.database(&target.database);
    }
    config.application_name("switchboard");
    config.authentication(AuthMethod::sql_server(
        &target.username,
        target.password.as_ref().map(|p| p.expose()).unwrap_or(""),
    ));
    config.readonly(target.text_option("application_intent") == Some("read_only"));
    // Never `On`: tiberius 0.12 panics when the server then answers OFF or NOT_SUP.
    config.encryption(match inspected.negotiated {
        Negotiated::None => EncryptionLevel::NotSupported,
        Negotiated::LoginOnly => EncryptionLevel::Off,
        Negotiated::Full => EncryptionLevel::Required,
    });
    let encrypted = !matches!(inspected.negotiated, Negotiated::None);
    let verifying = matches!(target.tls_mode, TlsMode::VerifyCa | TlsMode::VerifyFull);
    if !(encrypted && verifying) {
        config.trust_cert();
        return Ok((config, None));
    }
    // tiberius runs on our stream, so the host it is given is only the name TLS checks.
    let tls_name = match target.tls_mode {
        TlsMode::VerifyCa => name_in_leaf(&inspected.chain),
        _ => target
            .text_option("host_name_in_certificate")
            .map(str::to_owned),
    };
    if let Some(name) = &tls_name {
        config.host(name);
    }
    let anchor = anchor_for_driver(target.tls.ca_pem.as_deref(), &inspected.chain);
    if target.tls_mode == TlsMode::VerifyCa && (tls_name.is_none() || anchor.is_none()) {
        // Never send the password over a connection whose certificate is not checked.
        return Err(Fail::new(
            Step::Auth,
            ErrorCode::TlsModeUnsupported,
            "verify-ca cannot be kept on the driver's login connection: the certificate names no host, or its CA is not the connection's.",
            "Choose verify-full with the name the certificate lists, or paste the CA that issued it.",
        ));
    }
    let Some(der) = anchor else {
        // The system's store; the inspection connection already found an anchor there.
        return Ok((config, None));
    };
    let temp = super::driver::TempCa::write("sqlserver", "der", der).await?;
    config.trust_cert_ca(temp.path().display());
    Ok((config, Some(temp)))
}

/// The driver's login and first query, on its own connection to the inspected address.
async fn login(
    target: &ProbeTarget,
    rec: &mut Recorder,
    inspected: Inspected,
) -> Result<ServerInfo, Fail> {
    rec.start(Step::Auth);
    let (config, ca_file) = match driver_config(target, &inspected).await {
        Ok(c) => c,
        Err(f) => {
            rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    let tcp = match TcpStream::connect(inspected.addr).await {
        Ok(s) => s,
        Err(e) => {
            let f = Fail::new(
                Step::Auth,
                ErrorCode::ConnectionFailed,
                format!("The driver could not open its own connection to {}: {e}.", inspected.addr),
                "The server accepted one connection and not the next: check its connection limits and any firewall rate limits.",
            );
            rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    let _ = tcp.set_nodelay(true);
    // Spawned, so that a panic inside the driver (tiberius 0.12 has a few on unexpected
    // answers) fails the test instead of the caller.
    let task = tokio::spawn(async move {
        let _ca_file = ca_file;
        tiberius::Client::connect(config, tcp.compat_write()).await
    });
    let _abort = super::driver::AbortOnDrop(task.abort_handle());
    let mut client = match task.await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            let f = classify(target, &e, inspected.negotiated);
            rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
        Err(e) => {
            let f = super::driver::driver_broke(target, Step::Auth, &e, SQLSERVER_BROKE);
            rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    rec.finish(
        Step::Auth,
        StepStatus::Ok,
        format!(
            "logged in as {} (the driver's own connection{}{})",
            target.username,
            match inspected.negotiated {
                Negotiated::None => ", unencrypted",
                Negotiated::LoginOnly => ", login packet encrypted",
                Negotiated::Full => ", encrypted",
            },
            if target.text_option("application_intent") == Some("read_only") {
                ", application intent read-only"
            } else {
                ""
            }
        ),
    );

    rec.start(Step::Query);
    let task = tokio::spawn(async move {
        let row = async {
            let stream = client
                .simple_query(
                    "SELECT CAST(@@VERSION AS nvarchar(4000)), SUSER_SNAME(), DB_NAME(), \
                     CAST(DATABASEPROPERTYEX(DB_NAME(), 'Updateability') AS nvarchar(20))",
                )
                .await?;
            let row = stream.into_row().await?;
            Ok::<_, tiberius::error::Error>(row.map(|row| {
                (0..4)
                    .map(|i| {
                        row.try_get::<&str, usize>(i)
                            .ok()
                            .flatten()
                            .map(str::to_owned)
                    })
                    .collect::<Vec<_>>()
            }))
        }
        .await;
        let _ = client.close().await;
        row
    });
    let _abort = super::driver::AbortOnDrop(task.abort_handle());
    let outcome = match task.await {
        Ok(Ok(Some(values))) => Ok(values),
        Ok(Ok(None)) => Err(Fail::new(
            Step::Query,
            ErrorCode::ProtocolError,
            "The server answered the first query without a row.",
            "Check that the server is SQL Server; read its error log.",
        )),
        Ok(Err(e)) => Err(Fail {
            step: Step::Query,
            ..classify(target, &e, inspected.negotiated)
        }),
        Err(e) => Err(super::driver::driver_broke(
            target,
            Step::Query,
            &e,
            SQLSERVER_BROKE,
        )),
    };
    match outcome {
        Ok(values) => {
            let text = |i: usize| values.get(i).cloned().flatten().unwrap_or_default();
            let version = text(0);
            let version = if version.starts_with("Microsoft SQL Server") {
                // @@VERSION spans lines: "Microsoft SQL Server 2022 (RTM) - 16.0.1000.6 (X64)\n\t...".
                version.lines().next().unwrap_or_default().trim().to_owned()
            } else if version.is_empty() {
                format!(
                    "Microsoft SQL Server {}",
                    inspected.version.clone().unwrap_or_default()
                )
            } else {
                version.lines().next().unwrap_or_default().trim().to_owned()
            };
            let info = ServerInfo {
                version,
                current_user: text(1),
                current_database: text(2),
                in_recovery: text(3).eq_ignore_ascii_case("READ_ONLY"),
            };
            rec.finish(
                Step::Query,
                StepStatus::Ok,
                format!(
                    "{}{}",
                    info.version,
                    if info.in_recovery {
                        ", read-only database"
                    } else {
                        ""
                    }
                ),
            );
            Ok(info)
        }
        Err(f) => {
            rec.finish(Step::Query, StepStatus::Failed, f.message.clone());
            Err(f)
        }
    }
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
fn classify(target: &ProbeTarget, e: &tiberius::error::Error, negotiated: Negotiated) -> Fail {
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

/// The TLS handshake of TDS 7.x travels inside PRELOGIN packets: this wraps what rustls
/// writes into them (one packet, or several of 4096 bytes, per flush) and unwraps what the
/// server sends. It is only used for the inspection's handshake.
struct PreloginFramed {
    inner: TcpStream,
    /// What rustls wrote since the last flush.
    unsent: Vec<u8>,
    /// Framed bytes being written, and how far.
    out: Vec<u8>,
    out_pos: usize,
    header: [u8; 8],
    header_pos: usize,
    /// Payload bytes of the current packet not yet read.
    remaining: usize,
}

impl PreloginFramed {
    fn new(inner: TcpStream) -> Self {
        PreloginFramed {
            inner,
            unsent: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
            header: [0; 8],
            header_pos: 0,
            remaining: 0,
        }
    }
}

impl AsyncRead for PreloginFramed {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        while this.remaining == 0 {
            while this.header_pos < 8 {
                let mut rb = ReadBuf::new(&mut this.header[this.header_pos..]);
                ready!(Pin::new(&mut this.inner).poll_read(cx, &mut rb))?;
                let n = rb.filled().len();
                if n == 0 {
                    return Poll::Ready(Ok(()));
                }
                this.header_pos += n;
            }
            this.header_pos = 0;
            let len = usize::from(u16::from_be_bytes([this.header[2], this.header[3]]));
            if !matches!(this.header[0], PKT_PRELOGIN | PKT_REPLY) || len < 8 {
                return Poll::Ready(Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "the server sent something other than a TDS PRELOGIN packet during the TLS handshake",
                )));
            }
            this.remaining = len - 8;
        }
        let want = this.remaining.min(buf.remaining());
        let mut rb = ReadBuf::new(buf.initialize_unfilled_to(want));
        ready!(Pin::new(&mut this.inner).poll_read(cx, &mut rb))?;
        let n = rb.filled().len();
        buf.advance(n);
        this.remaining -= n;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for PreloginFramed {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.get_mut().unsent.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        if this.out.is_empty() && !this.unsent.is_empty() {
            let chunks: Vec<&[u8]> = this.unsent.chunks(MAX_PAYLOAD).collect();
            let last = chunks.len() - 1;
            for (i, chunk) in chunks.into_iter().enumerate() {
                this.out.extend(packet(PKT_PRELOGIN, i == last, chunk));
            }
            this.unsent.clear();
        }
        while this.out_pos < this.out.len() {
            let n = ready!(Pin::new(&mut this.inner).poll_write(cx, &this.out[this.out_pos..]))?;
            if n == 0 {
                return Poll::Ready(Err(std::io::ErrorKind::WriteZero.into()));
            }
            this.out_pos += n;
        }
        this.out.clear();
        this.out_pos = 0;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svr_resp(text: &str) -> Vec<u8> {
        let mut v = vec![0x05];
        v.extend_from_slice(&(text.len() as u16).to_le_bytes());
        v.extend_from_slice(text.as_bytes());
        v
    }

    #[test]
    fn browser_answers_are_read_by_instance_name_whatever_its_case() {
        let two = svr_resp(
            "ServerName;H;InstanceName;MSSQLSERVER;IsClustered;No;Version;16.0;tcp;1433;;\
             ServerName;H;InstanceName;SQLEXPRESS;IsClustered;No;Version;16.0;tcp;49823;np;\\\\H\\pipe\\sql\\query;;",
        );
        assert_eq!(browser_port(&two, "sqlexpress"), BrowserAnswer::Port(49823));
        assert_eq!(browser_port(&two, "MSSQLSERVER"), BrowserAnswer::Port(1433));
        assert_eq!(
            browser_port(&two, "OTHER"),
            BrowserAnswer::Unknown(vec!["MSSQLSERVER".into(), "SQLEXPRESS".into()])
        );
        let no_tcp = svr_resp("ServerName;H;InstanceName;PIPES;IsClustered;No;np;\\\\H\\pipe;;");
        assert_eq!(browser_port(&no_tcp, "PIPES"), BrowserAnswer::NoTcp);
        for garbled in [&b""[..], b"\x05", b"HTTP/1.1 400", &svr_resp("hello")[..]] {
            assert_eq!(
                browser_port(garbled, "X"),
                BrowserAnswer::Garbled,
                "{garbled:?}"
            );
        }
    }

    fn target() -> ProbeTarget {
        ProbeTarget {
            database: "sales".into(),
            username: "app".into(),
            timeout: std::time::Duration::from_secs(5),
            ..ProbeTarget::new(
                crate::model::Engine::SqlServer,
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

    #[test]
    fn the_prelogin_request_is_a_well_formed_option_table() {
        let p = prelogin_request(ENCRYPT_ON);
        assert_eq!(p[0], PKT_PRELOGIN);
        assert_eq!(usize::from(u16::from_be_bytes([p[2], p[3]])), p.len());
        let body = &p[8..];
        // VERSION, ENCRYPTION, THREADID, MARS, then the terminator.
        assert_eq!(body[0], PL_VERSION);
        assert_eq!(body[5], PL_ENCRYPTION);
        let offset = usize::from(u16::from_be_bytes([body[6], body[7]]));
        assert_eq!(body[offset], ENCRYPT_ON);
        assert_eq!(body[20], PL_TERMINATOR);
    }
}
