//! One hop: its transport (TCP, a forward through the previous hop, or a `ProxyCommand`),
//! the SSH handshake with the host key checked, and the login.

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use russh::client::{self, Handle};
use russh::keys::PublicKeyBase64;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::known_hosts::{self, HostKey, Verdict};
use super::{Hop, SshRoute};
use crate::driver::Fail;
use crate::report::{Recorder, Step, StepStatus};
use switchboard_model::error::ErrorCode;

pub(crate) type ChannelStream = russh::ChannelStream<client::Msg>;

pub(crate) struct Session {
    handle: Handle<Watcher>,
    pub host: String,
    /// A `ProxyCommand`'s process, killed when the hop is dropped.
    _proxy: Option<tokio::process::Child>,
}

impl Session {
    /// Whether the hop's connection has ended (keepalives unanswered, closed by the server).
    pub fn is_closed(&self) -> bool {
        self.handle.is_closed()
    }

    /// A forward from this hop to `host:port`; the error is the hop's reason in words.
    pub async fn direct(&self, host: &str, port: u16) -> Result<ChannelStream, String> {
        match self
            .handle
            .channel_open_direct_tcpip(host, u32::from(port), "127.0.0.1", 0)
            .await
        {
            Ok(ch) => Ok(ch.into_stream()),
            Err(russh::Error::ChannelOpenFailure(f)) => Err(match f {
                russh::ChannelOpenFailure::AdministrativelyProhibited => {
                    "administratively prohibited (the hop's sshd forbids this forward: AllowTcpForwarding or PermitOpen)".into()
                }
                russh::ChannelOpenFailure::ConnectFailed => {
                    "the hop could not connect there (the name does not resolve from the hop, or nothing listens)".into()
                }
                other => format!("{other:?}"),
            }),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// What the handshake showed, filled in by the handler while `connect_stream` runs.
#[derive(Default)]
struct Seen {
    key: Option<HostKey>,
    verdict: Option<Result<Verdict, String>>,
    checked_in: Duration,
    trusted_now: bool,
    kex: Option<String>,
    banner: Option<String>,
}

pub(super) struct Watcher {
    seen: Arc<Mutex<Seen>>,
    files: Vec<PathBuf>,
    own: PathBuf,
    trust: Vec<String>,
    host: String,
    port: u16,
}

impl client::Handler for Watcher {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        key: &russh::keys::PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let t = Instant::now();
        let public = match key {
            russh::keys::PublicKeyOrCertificate::PublicKey { key, .. } => key.clone(),
            russh::keys::PublicKeyOrCertificate::Certificate(c) => c.public_key().clone().into(),
        };
        let host_key = HostKey {
            key_type: public.algorithm().as_str().to_owned(),
            blob: public.public_key_bytes(),
        };
        let mut files = self.files.clone();
        files.push(self.own.clone());
        let (host, port, hk) = (self.host.clone(), self.port, host_key.clone());
        let verdict =
            tokio::task::spawn_blocking(move || known_hosts::check(&files, &host, port, &hk))
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| e.to_string()));
        let mut trusted_now = false;
        let verdict = match verdict {
            Ok(Verdict::Unknown) if self.trust.iter().any(|f| f == &host_key.fingerprint()) => {
                let (own, host, port, hk) = (
                    self.own.clone(),
                    self.host.clone(),
                    self.port,
                    host_key.clone(),
                );
                let written =
                    tokio::task::spawn_blocking(move || known_hosts::trust(&own, &host, port, &hk))
                        .await
                        .map_err(|e| e.to_string())
                        .and_then(|r| r.map_err(|e| e.to_string()));
                match written {
                    Ok(()) => {
                        trusted_now = true;
                        known_hosts::check(
                            std::slice::from_ref(&self.own),
                            &self.host,
                            self.port,
                            &host_key,
                        )
                        .map_err(|e| e.to_string())
                    }
                    Err(e) => Err(format!("could not write {}: {e}", self.own.display())),
                }
            }
            other => other,
        };
        let accept = matches!(verdict, Ok(Verdict::Known(_)));
        if let Ok(mut seen) = self.seen.lock() {
            seen.key = Some(host_key);
            seen.verdict = Some(verdict);
            seen.checked_in = t.elapsed();
            seen.trusted_now = trusted_now;
        }
        Ok(accept)
    }

    async fn kex_done(
        &mut self,
        _shared_secret: Option<&[u8]>,
        names: &russh::Names,
        _session: &mut client::Session,
    ) -> Result<(), Self::Error> {
        if let Ok(mut seen) = self.seen.lock() {
            seen.kex = Some(format!(
                "kex {}, cipher {}, host key {}",
                names.kex.as_ref(),
                names.cipher.as_ref(),
                names.key.as_str()
            ));
        }
        Ok(())
    }

    async fn auth_banner(
        &mut self,
        banner: &str,
        _session: &mut client::Session,
    ) -> Result<(), Self::Error> {
        if let Ok(mut seen) = self.seen.lock() {
            seen.banner = Some(banner.chars().take(200).collect());
        }
        Ok(())
    }
}

/// Opens `hop`: over TCP, the previous hop's forward, or its `ProxyCommand`.
pub(crate) async fn open(
    hop: &Hop,
    label: &str,
    previous: Option<&Session>,
    route: &SshRoute,
    rec: &mut Recorder,
) -> Result<Session, Fail> {
    let on_hop = |f: Fail| hop_fail(f, label);
    let mut proxy = None;
    let transport: Box<dyn Transport> = match (previous, &hop.proxy_command) {
        (Some(prev), _) => {
            let t = rec.start(Step::Connect);
            match prev.direct(&hop.host, hop.port).await {
                Ok(s) => {
                    rec.push(
                        Step::Connect,
                        StepStatus::Ok,
                        t.elapsed(),
                        format!("forwarded by {} to {}:{}", prev.host, hop.host, hop.port),
                    );
                    Box::new(s)
                }
                Err(why) => {
                    rec.push(Step::Connect, StepStatus::Failed, t.elapsed(), why.clone());
                    return Err(Fail::new(
                        Step::Connect,
                        ErrorCode::SshForwardDenied,
                        format!("{label}: {} would not forward to it: {why}.", prev.host),
                        format!(
                            "Check that {} resolves and accepts SSH from {}, and that {} allows forwarding.",
                            hop.host, prev.host, prev.host
                        ),
                    ));
                }
            }
        }
        (None, Some(cmd)) => {
            let (child, io) = spawn_proxy(cmd, hop, label, rec)?;
            proxy = Some(child);
            Box::new(io)
        }
        (None, None) => {
            let connect = crate::net::connect_hop(rec, &hop.host, hop.port);
            let tcp = match hop.connect_timeout {
                Some(limit) => match tokio::time::timeout(limit, connect).await {
                    Ok(r) => r,
                    Err(_) => {
                        rec.finish(
                            Step::Connect,
                            StepStatus::Failed,
                            format!("no answer within ConnectTimeout {} s", limit.as_secs()),
                        );
                        return Err(Fail::new(
                            Step::Connect,
                            ErrorCode::SshTimeout,
                            format!(
                                "{label}: {}:{} did not accept the connection within its ConnectTimeout of {} s.",
                                hop.host,
                                hop.port,
                                limit.as_secs()
                            ),
                            "A firewall may be dropping packets to this hop: check its host and port, your network or VPN, or raise ConnectTimeout in ~/.ssh/config.",
                        ));
                    }
                },
                None => connect.await,
            }
            .map_err(on_hop)?;
            Box::new(tcp)
        }
    };

    // The handshake, with the server's identification line read off the wire.
    let seen = Arc::new(Mutex::new(Seen::default()));
    let ident = Arc::new(Mutex::new(Vec::new()));
    let tapped = Tap {
        inner: transport,
        line: ident.clone(),
        done: false,
    };
    // The hop's own known-hosts files (an alias's), else the route's.
    let user_files = if hop.known_hosts.is_empty() {
        route.known_hosts.clone()
    } else {
        hop.known_hosts.clone()
    };
    let watcher = Watcher {
        seen: seen.clone(),
        files: user_files.clone(),
        own: route.own_known_hosts.clone(),
        trust: route.trust.clone(),
        host: hop.host.clone(),
        port: hop.port,
    };
    // As OpenSSH does: the key types already known for this host are asked for first, so
    // a host listed with (say) its ECDSA key is not taken for a changed one because it
    // also has ed25519.
    let mut files = user_files;
    files.push(route.own_known_hosts.clone());
    let (host, port) = (hop.host.clone(), hop.port);
    let known_types =
        tokio::task::spawn_blocking(move || known_hosts::known_key_types(&files, &host, port))
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
    let mut preferred = russh::Preferred::default();
    preferred.key = prefer_known(&preferred.key, &known_types).into();
    let config = Arc::new(client::Config {
        inactivity_timeout: None,
        keepalive_interval: Some(Duration::from_secs(15)),
        nodelay: true,
        preferred,
        ..Default::default()
    });
    let t = rec.start(Step::SshHandshake);
    let connected = client::connect_stream(config, tapped, watcher).await;
    let server_id = ident
        .lock()
        .map(|l| String::from_utf8_lossy(&l).trim().to_owned())
        .unwrap_or_default();
    let (key, verdict, checked_in, trusted_now, kex) = match seen.lock() {
        Ok(mut s) => (
            s.key.take(),
            s.verdict.take(),
            s.checked_in,
            s.trusted_now,
            s.kex.take(),
        ),
        Err(_) => (None, None, Duration::ZERO, false, None),
    };
    let handshake_ms = t.elapsed().saturating_sub(checked_in);
    let mut handle = match connected {
        Ok(h) => h,
        Err(e) => {
            if let (Some(key), Some(verdict)) = (key, verdict) {
                rec.push(
                    Step::SshHandshake,
                    StepStatus::Ok,
                    handshake_ms,
                    format!(
                        "{server_id}; host key {} {}",
                        key.key_type,
                        key.fingerprint()
                    ),
                );
                return Err(host_key_failure(hop, label, &key, verdict, checked_in, rec));
            }
            rec.push(
                Step::SshHandshake,
                StepStatus::Failed,
                t.elapsed(),
                e.to_string(),
            );
            return Err(handshake_failure(hop, label, &server_id, &e, proxy.as_mut()).await);
        }
    };
    let key_text = key
        .as_ref()
        .map(|k| format!("; host key {} {}", k.key_type, k.fingerprint()))
        .unwrap_or_default();
    rec.push(
        Step::SshHandshake,
        StepStatus::Ok,
        handshake_ms,
        format!("{server_id}; {}{key_text}", kex.unwrap_or_default()),
    );
    let place = match verdict {
        Some(Ok(Verdict::Known(at))) => format!("{}:{}", at.file.display(), at.line),
        _ => String::from("a known-hosts file"),
    };
    rec.push(
        Step::SshHostKey,
        StepStatus::Ok,
        checked_in,
        if trusted_now {
            format!("trusted now, written to {place}")
        } else {
            format!("known: {place}")
        },
    );

    super::auth::authenticate(&mut handle, hop, label, rec).await?;
    Ok(Session {
        handle,
        host: hop.host.clone(),
        _proxy: proxy,
    })
}

/// `algorithms` with those of the known key types first, in their order.
fn prefer_known(
    algorithms: &[russh::keys::Algorithm],
    known: &[String],
) -> Vec<russh::keys::Algorithm> {
    let type_of = |a: &russh::keys::Algorithm| -> String {
        match a {
            // rsa-sha2-512 / rsa-sha2-256 sign with an ssh-rsa key.
            russh::keys::Algorithm::Rsa { .. } => "ssh-rsa".to_owned(),
            other => other.as_str().to_owned(),
        }
    };
    let mut first: Vec<russh::keys::Algorithm> = Vec::new();
    for k in known {
        first.extend(algorithms.iter().filter(|a| &type_of(a) == k).cloned());
    }
    let rest: Vec<russh::keys::Algorithm> = algorithms
        .iter()
        .filter(|a| !first.contains(a))
        .cloned()
        .collect();
    first.extend(rest);
    first
}

/// A failure of the hop's TCP leg, renamed to the SSH family with the hop named.
fn hop_fail(f: Fail, label: &str) -> Fail {
    let code = match f.code {
        ErrorCode::DnsNotFound => ErrorCode::SshDnsNotFound,
        ErrorCode::Refused => ErrorCode::SshRefused,
        ErrorCode::Timeout => ErrorCode::SshTimeout,
        _ => ErrorCode::SshUnreachable,
    };
    Fail::new(
        f.step,
        code,
        format!("{label}: {}", f.message),
        format!("{} (This is the SSH hop, not the database.)", f.hint),
    )
}

fn host_key_failure(
    hop: &Hop,
    label: &str,
    key: &HostKey,
    verdict: Result<Verdict, String>,
    took: Duration,
    rec: &mut Recorder,
) -> Fail {
    let fp = key.fingerprint();
    let (code, detail, message, hint) = match verdict {
        Ok(Verdict::Unknown) => (
            ErrorCode::SshHostKeyUnknown,
            format!("unknown {} key {fp}", key.key_type),
            format!(
                "{label}: the host key of {}:{} is not known: {} {fp}.",
                hop.host, hop.port, key.key_type
            ),
            format!(
                "Check the fingerprint with the server's administrator (on the server: ssh-keygen -lf /etc/ssh/ssh_host_{}_key.pub), then trust it: \"Trust this key\" in the window, or --trust-host-key {fp}.",
                short_type(&key.key_type)
            ),
        ),
        Ok(Verdict::Changed { old, at }) => (
            ErrorCode::SshHostKeyChanged,
            format!("changed: {} now, {} at {}:{}", fp, old.fingerprint(), at.file.display(), at.line),
            format!(
                "{label}: the host key of {}:{} has CHANGED: it is {fp} now; {}:{} holds {}. Someone may be intercepting the connection, or the server was reinstalled.",
                hop.host,
                hop.port,
                at.file.display(),
                at.line,
                old.fingerprint()
            ),
            format!(
                "Ask the server's administrator whether the key changed. Only then remove line {} of {} (ssh-keygen -R) and test again.",
                at.line,
                at.file.display()
            ),
        ),
        Ok(Verdict::Revoked(at)) => (
            ErrorCode::SshHostKeyRevoked,
            format!("revoked at {}:{}", at.file.display(), at.line),
            format!(
                "{label}: the host key of {}:{} ({fp}) is marked @revoked in {}:{}.",
                hop.host,
                hop.port,
                at.file.display(),
                at.line
            ),
            "A revoked key must not be used: ask the server's administrator for its current key.".into(),
        ),
        Ok(Verdict::Known(_)) | Err(_) => {
            let why = match verdict {
                Err(e) => e,
                Ok(_) => "the handshake failed after the key was accepted".into(),
            };
            (
                ErrorCode::SshHandshakeFailed,
                why.clone(),
                format!("{label}: the host key of {}:{} could not be checked: {why}.", hop.host, hop.port),
                "Check that the known-hosts files named are readable.".into(),
            )
        }
    };
    rec.push(Step::SshHostKey, StepStatus::Failed, took, detail);
    let mut f = Fail::new(Step::SshHostKey, code, message, hint);
    if code == ErrorCode::SshHostKeyUnknown {
        f.host_key = Some(fp);
    }
    f
}

fn short_type(key_type: &str) -> &str {
    match key_type {
        "ssh-ed25519" => "ed25519",
        "ssh-rsa" => "rsa",
        t if t.starts_with("ecdsa") => "ecdsa",
        t => t,
    }
}

async fn handshake_failure(
    hop: &Hop,
    label: &str,
    server_id: &str,
    e: &russh::Error,
    proxy: Option<&mut tokio::process::Child>,
) -> Fail {
    if let Some(child) = proxy {
        // A command that died is the story, not the handshake it broke.
        let status = tokio::time::timeout(Duration::from_millis(300), child.wait()).await;
        let mut err = String::new();
        if let Some(mut stderr) = child.stderr.take() {
            let mut buf = Vec::new();
            let _ = tokio::time::timeout(
                Duration::from_millis(300),
                tokio::io::AsyncReadExt::read_to_end(&mut stderr, &mut buf),
            )
            .await;
            let text = String::from_utf8_lossy(&buf);
            let tail: String = text
                .trim()
                .chars()
                .rev()
                .take(300)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            err = tail;
        }
        if let Ok(Ok(status)) = status {
            return Fail::new(
                Step::SshHandshake,
                ErrorCode::SshProxyCommandFailed,
                format!(
                    "{label}: the ProxyCommand exited ({status}) before the SSH handshake finished{}",
                    if err.is_empty() { ".".to_string() } else { format!(": {err}") }
                ),
                "Run the command yourself to see why (its %h %p %r substituted), e.g. the bastion's CLI login may have expired.",
            );
        }
    }
    let (message, hint) = if server_id.is_empty() {
        (
            format!(
                "{label}: {}:{} closed the connection without an SSH greeting ({e}).",
                hop.host, hop.port
            ),
            "Check that the port is the SSH server's (22 by default) and that it accepts this machine (sshd's MaxStartups, a firewall, fail2ban).".to_string(),
        )
    } else if !server_id.starts_with("SSH-") {
        (
            format!(
                "{label}: {}:{} answered {server_id:?}, which is not an SSH server.",
                hop.host, hop.port
            ),
            "Check the port: it is another service's.".to_string(),
        )
    } else {
        (
            format!("{label}: the SSH handshake with {server_id} failed: {e}."),
            "The server and Switchboard share no key exchange, cipher or host-key algorithm, or the server closed the connection after its greeting (check its log: MaxStartups, AllowUsers, DenyUsers).".to_string(),
        )
    };
    Fail::new(
        Step::SshHandshake,
        ErrorCode::SshHandshakeFailed,
        message,
        hint,
    )
}

/// Starts `ProxyCommand` with OpenSSH's tokens replaced (`%h %p %r %n %%`); its standard
/// input and output carry the SSH connection, its standard error is kept for the report.
fn spawn_proxy(
    cmd: &str,
    hop: &Hop,
    label: &str,
    rec: &mut Recorder,
) -> Result<
    (
        tokio::process::Child,
        tokio::io::Join<tokio::process::ChildStdout, tokio::process::ChildStdin>,
    ),
    Fail,
> {
    let t = rec.start(Step::Connect);
    let line = proxy_tokens(cmd, hop);
    let spawned = tokio::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("exec {line}"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            rec.push(
                Step::Connect,
                StepStatus::Failed,
                t.elapsed(),
                e.to_string(),
            );
            return Err(Fail::new(
                Step::Connect,
                ErrorCode::SshProxyCommandFailed,
                format!("{label}: the ProxyCommand could not be started: {e}."),
                "Check the command in ~/.ssh/config.",
            ));
        }
    };
    let (Some(stdout), Some(stdin)) = (child.stdout.take(), child.stdin.take()) else {
        return Err(Fail::new(
            Step::Connect,
            ErrorCode::SshProxyCommandFailed,
            format!("{label}: the ProxyCommand's pipes could not be opened."),
            "Run the test again.",
        ));
    };
    rec.push(
        Step::Connect,
        StepStatus::Ok,
        t.elapsed(),
        format!(
            "ProxyCommand {line} (pid {})",
            child.id().unwrap_or_default()
        ),
    );
    Ok((child, tokio::io::join(stdout, stdin)))
}

fn proxy_tokens(cmd: &str, hop: &Hop) -> String {
    let mut out = String::new();
    let mut chars = cmd.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('h') => out.push_str(&hop.host),
            Some('p') => out.push_str(&hop.port.to_string()),
            Some('r') => out.push_str(&hop.user),
            Some('n') => out.push_str(&hop.host),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

/// What a hop's SSH connection runs over.
trait Transport: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Transport for T {}

/// Passes bytes through, keeping the first line the server sends (its SSH
/// identification, e.g. `SSH-2.0-OpenSSH_9.2p1 Debian-2`) for the report.
struct Tap {
    inner: Box<dyn Transport>,
    line: Arc<Mutex<Vec<u8>>>,
    done: bool,
}

impl AsyncRead for Tap {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if !self.done {
            let fresh = buf.filled().get(before..).unwrap_or_default().to_vec();
            let mut done = false;
            if let Ok(mut line) = self.line.lock() {
                for b in fresh {
                    if b == b'\n' || line.len() >= 255 {
                        done = true;
                        break;
                    }
                    line.push(b);
                }
            }
            self.done = done;
        }
        polled
    }
}

impl AsyncWrite for Tap {
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
