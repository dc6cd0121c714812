//! SSH routes: the transport that reaches a database behind one or more bastions.
//!
//! A test with a route first opens it, hop by hop, recording each hop's steps with the
//! hop's label (`hop 1 of 2: jump@bastion:22`): resolve and TCP connect (the first hop,
//! raced as every direct connection is) or a forward through the previous hop, or the
//! user's `ProxyCommand`; the SSH handshake (server version, key exchange, cipher, host
//! key type and `SHA256:` fingerprint); the host key checked against the known-hosts files
//! (`known_hosts.rs`: never accepted blindly); authentication (the method used and the
//! methods the server offers). Then the engine's driver runs unchanged over forwards the
//! last hop opens to the database's host and port as that hop sees them: drivers handed a
//! stream get the channel itself (`net::Stream::Ssh`), sqlx dials a private Unix socket
//! that forwards (`forward.rs`), so TLS inside the tunnel is still verified against the
//! database's host name, never 127.0.0.1.
//!
//! An alias route is resolved at test time as OpenSSH resolves it (`config.rs`, checked
//! against `ssh -G`): `HostName`, `Port`, `User`, `IdentityFile`s, `IdentitiesOnly`,
//! `IdentityAgent`, `ProxyJump` (each jump host resolved as an alias of its own, as the
//! `ssh -W` process OpenSSH starts for it would; a jump host's own `ProxyJump` is not
//! followed), `ProxyCommand` (first hop only), `UserKnownHostsFile`, `ConnectTimeout`.
//! `StrictHostKeyChecking no` is not honoured: an unknown key always stops the test.
//!
//! One timeout spans every hop and the database. Dropping the `Tunnel` (test over,
//! cancelled, timed out) drops every session handle, which ends each hop's connection, and
//! kills a `ProxyCommand`.

mod auth;
pub mod config;
pub(crate) mod hop;
pub mod known_hosts;

pub(crate) mod forward;

use std::path::PathBuf;
use std::sync::Arc;

use super::driver::Fail;
use super::report::{Recorder, Step, StepStatus};
use switchboard_model::error::ErrorCode;
use switchboard_model::secret::Secret;

/// How a test reaches its database's host and port.
#[derive(Debug, Clone, Default)]
pub enum Transport {
    /// TCP from this machine.
    #[default]
    Direct,
    /// Through an SSH route, opened when the test starts.
    Ssh(Box<SshRoute>),
    /// Through a route this test has opened (set by `run`, not by callers).
    Open(OpenTunnel),
}

/// A route as the connection describes it, with its secrets and where host keys are
/// checked.
#[derive(Debug, Clone)]
pub struct SshRoute {
    pub via: Via,
    /// The user's known-hosts files (OpenSSH's defaults, or an alias's
    /// `UserKnownHostsFile` and `GlobalKnownHostsFile` replace them); a missing file is
    /// no entries.
    pub known_hosts: Vec<PathBuf>,
    /// Switchboard's own known-hosts file (in its data dir): searched after the user's,
    /// and where a key the user trusts is written. `~/.ssh/known_hosts` is never written.
    pub own_known_hosts: PathBuf,
    /// Host-key fingerprints (`SHA256:…`) the user trusts for this test (the window's
    /// "Trust this key", the CLI's `--trust-host-key`): a hop presenting an unknown key
    /// with one of them gets it written to `own_known_hosts` and goes on. A changed or
    /// revoked key is never overridden this way.
    pub trust: Vec<String>,
    /// Where `~/.ssh/config` is, for an alias route and for aliases among jump hosts.
    pub config: Option<config::SshConfigSource>,
}

/// The hops, in order from this machine; the last one opens the forward to the database.
#[derive(Debug, Clone)]
pub enum Via {
    Hops(Vec<Hop>),
    /// A `Host` of the user's `~/.ssh/config`, resolved at test time. `secret` is the
    /// passphrase (or password) used for the alias's own hop.
    Alias {
        alias: String,
        secret: Option<Secret>,
    },
}

#[derive(Debug, Clone)]
pub struct Hop {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub auth: HopAuth,
    /// Run this command (`/bin/sh -c`) and speak SSH over its standard input and output
    /// instead of connecting (first hop only): AWS SSM, Cloudflare Access, Teleport.
    pub proxy_command: Option<String>,
    /// This hop's own known-hosts files (an alias's `UserKnownHostsFile` and
    /// `GlobalKnownHostsFile`); empty: the route's.
    pub known_hosts: Vec<PathBuf>,
    /// `ConnectTimeout`: the TCP connect to this hop gives up after it (the test's own
    /// timeout still bounds everything).
    pub connect_timeout: Option<std::time::Duration>,
}

/// How to log in to a hop. The secrets are the hop's, as the keychain or a prompt gave
/// them.
#[derive(Debug, Clone)]
pub enum HopAuth {
    /// The keys an SSH agent holds (`socket`, else `SSH_AUTH_SOCK`).
    Agent {
        socket: Option<PathBuf>,
    },
    /// Key files, tried in order; `passphrase` for those that are encrypted.
    KeyFiles {
        files: Vec<PathBuf>,
        passphrase: Option<Secret>,
    },
    Password(Option<Secret>),
    /// Every prompt the server sends is answered with the secret.
    KeyboardInteractive(Option<Secret>),
    /// As OpenSSH does for a config host: the agent's keys (unless `identities_only`),
    /// then the identity files that exist; a missing default file is skipped silently.
    OpenSsh {
        agent: Option<PathBuf>,
        files: Vec<PathBuf>,
        identities_only: bool,
        passphrase: Option<Secret>,
    },
}

/// A route this test opened: one SSH session per hop, the last one forwarding.
#[derive(Clone)]
pub struct OpenTunnel(Arc<Tunnel>);

impl std::fmt::Debug for OpenTunnel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OpenTunnel({})", self.0.last_label)
    }
}

pub(crate) struct Tunnel {
    /// Kept in order: a later hop's connection runs over an earlier hop's channel.
    sessions: Vec<hop::Session>,
    last_label: String,
}

impl OpenTunnel {
    /// A forward from the last hop to `host:port`, recorded as the SSH forward step of
    /// that hop.
    pub(crate) async fn forward(
        &self,
        host: &str,
        port: u16,
        rec: &mut Recorder,
    ) -> Result<hop::ChannelStream, Fail> {
        let last = self.last();
        rec.set_hop(Some(self.0.last_label.clone()));
        let t = rec.start(Step::SshChannel);
        let outcome = last.direct(host, port).await;
        let result = match outcome {
            Ok(s) => {
                rec.push(
                    Step::SshChannel,
                    StepStatus::Ok,
                    t.elapsed(),
                    format!("{host}:{port} from {}", last.host),
                );
                Ok(s)
            }
            Err(why) => {
                rec.push(
                    Step::SshChannel,
                    StepStatus::Failed,
                    t.elapsed(),
                    why.clone(),
                );
                Err(Fail::new(
                    Step::SshChannel,
                    ErrorCode::SshForwardDenied,
                    format!(
                        "{} would not open a forward to {host}:{port}: {why}.",
                        self.0.last_label
                    ),
                    format!(
                        "Check that {host}:{port} is reachable from {} (the host as that machine resolves it) and that its sshd allows forwarding there (AllowTcpForwarding, PermitOpen).",
                        last.host
                    ),
                ))
            }
        };
        rec.set_hop(None);
        result
    }

    /// One more forward to `host:port`, without steps (a driver's second connection).
    pub(crate) async fn reforward(
        &self,
        host: &str,
        port: u16,
    ) -> std::io::Result<hop::ChannelStream> {
        self.last()
            .direct(host, port)
            .await
            .map_err(|why| std::io::Error::new(std::io::ErrorKind::ConnectionRefused, why))
    }

    /// The last hop's label, which opens the forwards.
    pub(crate) fn label(&self) -> &str {
        &self.0.last_label
    }

    fn last(&self) -> &hop::Session {
        // `open` never builds a tunnel without a hop.
        #[allow(clippy::indexing_slicing)]
        &self.0.sessions[self.0.sessions.len() - 1]
    }
}

/// Opens every hop of `route`, recording their steps. The caller's timeout bounds it; a
/// timeout is pinned on the hop and step that were running by `timed_out`.
pub(crate) async fn open(route: &SshRoute, rec: &mut Recorder) -> Result<OpenTunnel, Fail> {
    let hops = plan(route, rec).await?;
    let count = hops.len();
    let mut sessions: Vec<hop::Session> = Vec::with_capacity(count);
    let mut last_label = String::new();
    for (i, h) in hops.iter().enumerate() {
        let label = hop_label(i, count, h);
        rec.set_hop(Some(label.clone()));
        let session = hop::open(h, &label, sessions.last(), route, rec).await;
        rec.set_hop(None);
        sessions.push(session?);
        last_label = label;
    }
    Ok(OpenTunnel(Arc::new(Tunnel {
        sessions,
        last_label,
    })))
}

fn hop_label(i: usize, count: usize, h: &Hop) -> String {
    let host = if h.host.contains(':') {
        format!("[{}]", h.host)
    } else {
        h.host.clone()
    };
    format!("hop {} of {count}: {}@{host}:{}", i + 1, h.user, h.port)
}

/// The hops to open: as given, or an alias resolved with `~/.ssh/config`.
async fn plan(route: &SshRoute, rec: &mut Recorder) -> Result<Vec<Hop>, Fail> {
    let (alias, secret) = match &route.via {
        Via::Hops(hops) if hops.is_empty() => {
            return Err(Fail::new(
                Step::SshConfig,
                ErrorCode::SshConfigInvalid,
                "The SSH route has no hop.",
                "Add a hop (host, port, user) or choose a ~/.ssh/config alias.",
            ))
        }
        Via::Hops(hops) => return Ok(hops.clone()),
        Via::Alias { alias, secret } => (alias.clone(), secret.clone()),
    };
    let t = rec.start(Step::SshConfig);
    let source = route.config.clone();
    let wanted = alias.clone();
    let resolved = tokio::task::spawn_blocking(
        move || -> Result<Vec<(config::ResolvedHost, bool)>, String> {
            let source = match source {
                Some(s) => s,
                None => config::SshConfigSource::for_current_user().map_err(|e| e.to_string())?,
            };
            let target = config::resolve(&wanted, &source).map_err(|e| e.to_string())?;
            let mut out = Vec::new();
            for jump in &target.proxy_jump {
                // A jump host is resolved as OpenSSH's own `ssh -l user -p port host` for
                // it does: the chain's user and port first, then the config.
                let h = config::resolve_jump(jump, &source).map_err(|e| e.to_string())?;
                out.push((h, true));
            }
            out.push((target, false));
            Ok(out)
        },
    )
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r);
    let resolved = match resolved {
        Ok(r) => r,
        Err(why) => {
            rec.push(
                Step::SshConfig,
                StepStatus::Failed,
                t.elapsed(),
                why.clone(),
            );
            return Err(Fail::new(
                Step::SshConfig,
                ErrorCode::SshConfigInvalid,
                format!("The SSH alias {alias:?} could not be resolved: {why}"),
                "Fix the file and line named, or check the alias with `ssh -G <alias>`.",
            ));
        }
    };
    let count = resolved.len();
    let mut hops = Vec::with_capacity(count);
    let mut shown = Vec::new();
    for (i, (h, is_jump)) in resolved.into_iter().enumerate() {
        shown.push(format!("{}@{}:{}", h.user, h.hostname, h.port));
        let agent = h.identity_agent_path();
        hops.push(Hop {
            host: h.hostname,
            port: h.port,
            user: h.user,
            auth: HopAuth::OpenSsh {
                agent,
                files: h.identity_files,
                identities_only: h.identities_only,
                // The alias's secret is its own hop's; jump hosts use agent and keys.
                passphrase: if is_jump { None } else { secret.clone() },
            },
            // OpenSSH: ProxyJump and ProxyCommand exclude each other; the command
            // replaces the first hop's TCP connection.
            proxy_command: if i == 0 { h.proxy_command } else { None },
            known_hosts: h
                .user_known_hosts_files
                .iter()
                .chain(&h.global_known_hosts_files)
                .cloned()
                .collect(),
            connect_timeout: h
                .connect_timeout
                .map(|s| std::time::Duration::from_secs(u64::from(s))),
        });
    }
    rec.push(
        Step::SshConfig,
        StepStatus::Ok,
        t.elapsed(),
        format!("{alias} → {}", shown.join(" → ")),
    );
    Ok(hops)
}

impl config::ResolvedHost {
    /// `IdentityAgent` as a socket path: `None` for the default (`SSH_AUTH_SOCK`), and
    /// for `none`, which turns the agent off (then an empty path, which fails to connect
    /// and is skipped).
    fn identity_agent_path(&self) -> Option<PathBuf> {
        match self.identity_agent.as_deref() {
            None | Some("SSH_AUTH_SOCK") => None,
            // The old form names a variable holding the socket; unset means no agent.
            Some(var) if var.starts_with('$') => Some(
                std::env::var_os(var.trim_start_matches('$'))
                    .map(PathBuf::from)
                    .unwrap_or_else(|| PathBuf::from("none")),
            ),
            Some(other) => Some(PathBuf::from(other)),
        }
    }
}

/// What a long-lived tunnel (`serve`) reports as it goes.
#[derive(Debug, Clone)]
pub enum TunnelEvent {
    /// The route is open (again): its steps, as a test shows them.
    Opened(Vec<crate::report::StepReport>),
    /// A local client connected and was forwarded.
    Forwarded { from: std::net::SocketAddr },
    /// A hop dropped; the route is opened again (after `wait`).
    Reconnecting {
        why: String,
        wait: std::time::Duration,
    },
    /// The route could not be opened: the failure as a test reports it.
    Failed(crate::report::TestFailure),
}

/// Keeps a forward from `listener` (127.0.0.1) through `route` to `host:port` until `stop`
/// resolves: every local connection gets its own forward from the last hop; a dropped hop
/// is noticed (keepalives every 15 s, or a forward that fails) and the route opened again,
/// waiting 1 s, then 2, 4 … up to 30 s between attempts. A host key that is unknown or
/// changed ends it (that needs the user). Returns when stopped or ended.
pub async fn serve(
    route: &SshRoute,
    host: &str,
    port: u16,
    listener: tokio::net::TcpListener,
    timeout: std::time::Duration,
    stop: impl std::future::Future<Output = ()>,
    on_event: impl Fn(TunnelEvent),
) -> Result<(), crate::report::TestFailure> {
    tokio::pin!(stop);
    let mut wait = std::time::Duration::from_secs(1);
    loop {
        let mut rec = Recorder::new(None);
        let opened = tokio::select! {
            o = tokio::time::timeout(timeout, open(route, &mut rec)) => o,
            () = &mut stop => return Ok(()),
        };
        let tunnel = match opened {
            Ok(Ok(t)) => t,
            Ok(Err(f)) => {
                let failure: crate::report::TestFailure = f.into();
                let needs_user = matches!(
                    failure.code,
                    ErrorCode::SshHostKeyUnknown
                        | ErrorCode::SshHostKeyChanged
                        | ErrorCode::SshHostKeyRevoked
                        | ErrorCode::SshAuthFailed
                        | ErrorCode::SshKeyPassphraseWrong
                        | ErrorCode::SshKeyUnreadable
                        | ErrorCode::SshConfigInvalid
                );
                on_event(TunnelEvent::Failed(failure.clone()));
                if needs_user {
                    return Err(failure);
                }
                on_event(TunnelEvent::Reconnecting {
                    why: failure.message,
                    wait,
                });
                tokio::select! {
                    () = tokio::time::sleep(wait) => {},
                    () = &mut stop => return Ok(()),
                }
                wait = (wait * 2).min(std::time::Duration::from_secs(30));
                continue;
            }
            Err(_) => {
                on_event(TunnelEvent::Reconnecting {
                    why: format!("the route did not open within {} s", timeout.as_secs()),
                    wait,
                });
                tokio::select! {
                    () = tokio::time::sleep(wait) => {},
                    () = &mut stop => return Ok(()),
                }
                wait = (wait * 2).min(std::time::Duration::from_secs(30));
                continue;
            }
        };
        on_event(TunnelEvent::Opened(rec.steps));
        wait = std::time::Duration::from_secs(1);
        // Forward until a hop drops or the user stops.
        let mut conns = tokio::task::JoinSet::new();
        let why = loop {
            let dropped = tunnel.0.sessions.iter().any(|s| s.is_closed());
            if dropped {
                break "a hop closed the connection".to_string();
            }
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((mut local, from)) = accepted else { continue };
                    let t = tunnel.clone();
                    let (h, p) = (host.to_owned(), port);
                    on_event(TunnelEvent::Forwarded { from });
                    conns.spawn(async move {
                        if let Ok(mut remote) = t.reforward(&h, p).await {
                            let _ = tokio::io::copy_bidirectional(&mut local, &mut remote).await;
                        }
                    });
                }
                () = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                () = &mut stop => return Ok(()),
            }
        };
        drop(conns);
        on_event(TunnelEvent::Reconnecting { why, wait });
    }
}
