//! How bytes reach the server: the probe's one transport seam.
//!
//! Every driver that is handed a stream gets it here and nowhere else: `open_stream` (the
//! Resolve and Connect steps to the target's host and port) and `reopen` (one more
//! connection to the address a stream from `open_stream` reached). They return a
//! `Stream`. Today the only transport is direct TCP from this machine: the host is
//! resolved and its addresses are raced as RFC 8305 does (the next starts when one fails
//! or after 250 ms, the first to connect wins). Another transport (an SSH channel) goes
//! in here, chosen from the target, and the engines that are handed a stream follow
//! without change.
//!
//! What each engine needs from it (each driver's module doc says so too):
//! - PostgreSQL: a stream it is handed (tokio-postgres `connect_raw`): `open_stream`, and
//!   `reopen` for prefer's retry without TLS.
//! - Oracle: a stream it is handed (oracle-rs): `open_stream`, also for the hop a
//!   listener's redirect names.
//! - SQL Server: a stream for Switchboard's inspection (`open_stream_preferring`), then a
//!   stream tiberius is handed for its login (`reopen` of the inspected address).
//! - MySQL and MariaDB: a stream for Switchboard's inspection (`open_stream`); sqlx dials
//!   itself (the host and port, or a Unix socket), so it needs an address it can reach.
//! - MongoDB: a stream for Switchboard's inspection of the first seed host (`open_stream`);
//!   the official driver dials every host itself (and resolves SRV records), so it needs
//!   an address per host.
//! - SQLite: a local file, no transport.
//!
//! Outside this seam today: the drivers that dial themselves (above), and SQL Server's
//! Browser lookup, which sends its own UDP datagrams (`sqlserver/browser.rs`).

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use tokio::net::TcpStream;

use super::driver::Fail;
use super::report::{self, Recorder, Step, StepStatus};
use super::ProbeTarget;
use switchboard_model::error::ErrorCode;

/// The byte stream a driver is handed: TCP from this machine (Nagle off), or a forward
/// through an SSH route's last hop. Drivers use it as `AsyncRead + AsyncWrite` and ask it
/// where it went (`reach`) to open one more to the same place (`reopen`).
pub(crate) enum Stream {
    Tcp(TcpStream),
    Ssh(
        Box<crate::ssh::hop::ChannelStream>,
        crate::ssh::OpenTunnel,
        String,
        u16,
    ),
}

/// Where a stream went, to `reopen` another one there.
#[derive(Debug, Clone)]
pub(crate) enum Reach {
    Tcp(SocketAddr),
    Ssh(crate::ssh::OpenTunnel, String, u16),
}

impl std::fmt::Display for Reach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reach::Tcp(a) => write!(f, "{a}"),
            Reach::Ssh(t, host, port) => write!(f, "{host}:{port} (through {})", t.label()),
        }
    }
}

impl Stream {
    pub fn reach(&self) -> std::io::Result<Reach> {
        match self {
            Stream::Tcp(s) => s.peer_addr().map(Reach::Tcp),
            Stream::Ssh(_, t, host, port) => Ok(Reach::Ssh(t.clone(), host.clone(), *port)),
        }
    }
}

impl Stream {
    /// The stream as TCP, for a driver that takes nothing else (oracle-rs): a route's
    /// forward is bridged through a loopback connection that only this process holds
    /// (the listener accepts one connection, checks it is its own, and closes).
    pub async fn into_tcp(self) -> std::io::Result<TcpStream> {
        let mut channel = match self {
            Stream::Tcp(s) => return Ok(s),
            Stream::Ssh(s, ..) => s,
        };
        let listener = tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await?;
        let ours = TcpStream::connect(listener.local_addr()?).await?;
        let (mut theirs, peer) = listener.accept().await?;
        drop(listener);
        if peer != ours.local_addr()? {
            return Err(std::io::Error::other(
                "another local process took the bridge",
            ));
        }
        let _ = ours.set_nodelay(true);
        // Ends when either side closes: the driver's connection or the route.
        tokio::spawn(async move {
            let _ = tokio::io::copy_bidirectional(&mut theirs, channel.as_mut()).await;
        });
        Ok(ours)
    }
}

impl tokio::io::AsyncRead for Stream {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => std::pin::Pin::new(s).poll_read(cx, buf),
            Stream::Ssh(s, ..) => std::pin::Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl tokio::io::AsyncWrite for Stream {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Stream::Tcp(s) => std::pin::Pin::new(s).poll_write(cx, buf),
            Stream::Ssh(s, ..) => std::pin::Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => std::pin::Pin::new(s).poll_flush(cx),
            Stream::Ssh(s, ..) => std::pin::Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => std::pin::Pin::new(s).poll_shutdown(cx),
            Stream::Ssh(s, ..) => std::pin::Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// The stream to `target`'s host and port, recording the Resolve and Connect steps (or,
/// through an SSH route, the forward from its last hop).
pub(crate) async fn open_stream(target: &ProbeTarget, rec: &mut Recorder) -> Result<Stream, Fail> {
    open_stream_preferring(target, rec, None).await
}

/// `open_stream`, trying `prefer` first when the host resolves to it (SQL Server: the
/// address whose Browser gave the port).
pub(crate) async fn open_stream_preferring(
    target: &ProbeTarget,
    rec: &mut Recorder,
    prefer: Option<IpAddr>,
) -> Result<Stream, Fail> {
    match &target.transport {
        crate::ssh::Transport::Open(tunnel) => {
            let s = tunnel.forward(&target.host, target.port, rec).await?;
            Ok(Stream::Ssh(
                Box::new(s),
                tunnel.clone(),
                target.host.clone(),
                target.port,
            ))
        }
        _ => resolve_and_connect(rec, &target.host, target.port, prefer)
            .await
            .map(Stream::Tcp),
    }
}

/// One more stream to where `reach` says a stream from `open_stream` went: the same
/// server again, without resolving or recording steps (PostgreSQL's retry without TLS,
/// tiberius's login connection after SQL Server's inspection).
pub(crate) async fn reopen(reach: &Reach) -> std::io::Result<Stream> {
    match reach {
        Reach::Tcp(addr) => {
            let stream = TcpStream::connect(addr).await?;
            let _ = stream.set_nodelay(true);
            Ok(Stream::Tcp(stream))
        }
        Reach::Ssh(tunnel, host, port) => {
            let s = tunnel.reforward(host, *port).await?;
            Ok(Stream::Ssh(
                Box::new(s),
                tunnel.clone(),
                host.clone(),
                *port,
            ))
        }
    }
}

/// The TCP leg of an SSH route's first hop: resolve and race, as a direct connection.
pub(crate) async fn connect_hop(
    rec: &mut Recorder,
    host: &str,
    port: u16,
) -> Result<TcpStream, Fail> {
    resolve_and_connect(rec, host, port, None).await
}

/// Direct TCP: resolve `host`, then race connects to its addresses (`prefer` first when
/// it is one of them), recording both steps.
async fn resolve_and_connect(
    rec: &mut Recorder,
    host: &str,
    port: u16,
    prefer: Option<IpAddr>,
) -> Result<TcpStream, Fail> {
    let t = rec.start(Step::Resolve);
    let mut addrs: Vec<SocketAddr> = match tokio::net::lookup_host((host, port)).await {
        Ok(a) => a.collect(),
        Err(e) => {
            rec.push(
                Step::Resolve,
                StepStatus::Failed,
                t.elapsed(),
                e.to_string(),
            );
            return Err(Fail::new(
                Step::Resolve,
                ErrorCode::DnsNotFound,
                format!("The host name {host:?} could not be resolved ({e})."),
                "Check the spelling of the host, or that your DNS or VPN is up.",
            ));
        }
    };
    if addrs.is_empty() {
        rec.push(
            Step::Resolve,
            StepStatus::Failed,
            t.elapsed(),
            "no addresses".into(),
        );
        return Err(Fail::new(
            Step::Resolve,
            ErrorCode::DnsNotFound,
            format!("The host name {host:?} has no addresses."),
            "Check the spelling of the host, or that your DNS or VPN is up.",
        ));
    }
    if let Some(ip) = prefer {
        // A stable sort: the preferred address first, the resolver's order otherwise.
        addrs.sort_by_key(|a| a.ip() != ip);
    }
    let list = addrs
        .iter()
        .map(|a| a.ip().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    rec.push(Step::Resolve, StepStatus::Ok, t.elapsed(), list);

    rec.start(Step::Connect);
    let (outcome, tried) = race_connects(&addrs, CONNECT_STAGGER, |a| async move {
        TcpStream::connect(a).await
    })
    .await;
    let last = match outcome {
        Ok(s) => {
            let _ = s.set_nodelay(true);
            rec.finish(Step::Connect, StepStatus::Ok, tried.join("; "));
            return Ok(s);
        }
        Err(e) => e,
    };
    rec.finish(Step::Connect, StepStatus::Failed, tried.join("; "));
    let e = last.map(|e| e.kind());
    Err(match e {
        Some(std::io::ErrorKind::ConnectionRefused) => Fail::new(
            Step::Connect,
            ErrorCode::Refused,
            format!("Nothing accepted the connection at {host}:{port} (connection refused)."),
            "Check the port, and that the server is running and listens on this address (PostgreSQL: listen_addresses).",
        ),
        Some(std::io::ErrorKind::NetworkUnreachable | std::io::ErrorKind::HostUnreachable) => Fail::new(
            Step::Connect,
            ErrorCode::Unreachable,
            format!("{host} cannot be reached from this machine."),
            "Check your network or VPN, and that the address is right.",
        ),
        _ => Fail::new(
            Step::Connect,
            ErrorCode::ConnectionFailed,
            format!("Could not connect to {host}:{port}: {}.", tried.join("; ")),
            "Check the host and port.",
        ),
    })
}

/// How long an address gets before the next one is tried alongside it (RFC 8305's
/// "connection attempt delay"): a black-holed IPv6 address does not hold up IPv4.
const CONNECT_STAGGER: Duration = Duration::from_millis(250);

/// Connects to the first address that answers: attempts start in the resolver's order,
/// the next one when the previous failed or after `stagger`, and run side by side; the
/// first success wins and the others are dropped. Returns what happened to each
/// address, for the step's detail, and when none connected the error to report (a
/// refusal if any address refused, else the last error).
async fn race_connects<S, F, Fut>(
    addrs: &[SocketAddr],
    stagger: Duration,
    connect: F,
) -> (Result<S, Option<std::io::Error>>, Vec<String>)
where
    F: Fn(SocketAddr) -> Fut,
    Fut: std::future::Future<Output = std::io::Result<S>>,
{
    use futures_util::stream::{FuturesUnordered, StreamExt};
    let mut pending = FuturesUnordered::new();
    let mut tried = Vec::new();
    let mut last = None;
    let mut next = addrs.iter();
    let mut in_flight: Vec<(SocketAddr, Instant)> = Vec::new();
    let mut start_next = true;
    loop {
        if std::mem::take(&mut start_next) {
            if let Some(&addr) = next.next() {
                let attempt = connect(addr);
                let t = Instant::now();
                in_flight.push((addr, t));
                pending.push(async move { (addr, t, attempt.await) });
            }
        }
        if pending.is_empty() {
            return (Err(last), tried);
        }
        let more = next.len() > 0;
        let done = tokio::select! {
            Some(done) = pending.next() => Some(done),
            () = tokio::time::sleep(stagger), if more => None,
        };
        if let Some((addr, _, _)) = &done {
            in_flight.retain(|(a, _)| a != addr);
        }
        match done {
            Some((addr, t, Ok(s))) => {
                tried.push(format!("{addr} ok in {:.1} ms", report::ms(t.elapsed())));
                for (a, t) in in_flight {
                    tried.push(format!(
                        "{a}: no answer after {:.1} ms, given up",
                        report::ms(t.elapsed())
                    ));
                }
                return (Ok(s), tried);
            }
            Some((addr, _, Err(e))) => {
                tried.push(format!("{addr}: {e}"));
                // A refusal says the host was reached: it is the error to report, whatever
                // the other addresses said.
                let refused = |e: &Option<std::io::Error>| {
                    e.as_ref().map(|e| e.kind()) == Some(std::io::ErrorKind::ConnectionRefused)
                };
                if !refused(&last) {
                    last = Some(e);
                }
                start_next = true;
            }
            // Slow, not failed: the next address joins the race.
            None => start_next = true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().expect("address")
    }

    /// A connector whose attempts end as `plan` says: after how long, and whether they
    /// connect; `None` never ends (a black-holed address).
    fn planned(
        plan: &[(&str, Option<(u64, bool)>)],
    ) -> impl Fn(
        SocketAddr,
    )
        -> std::pin::Pin<Box<dyn std::future::Future<Output = std::io::Result<SocketAddr>>>> {
        let plan: Vec<(SocketAddr, Option<(u64, bool)>)> =
            plan.iter().map(|(a, p)| (addr(a), *p)).collect();
        move |a| {
            let how = plan.iter().find(|(p, _)| *p == a).and_then(|(_, h)| *h);
            Box::pin(async move {
                match how {
                    None => std::future::pending().await,
                    Some((ms, ok)) => {
                        tokio::time::sleep(Duration::from_millis(ms)).await;
                        if ok {
                            Ok(a)
                        } else {
                            Err(std::io::Error::from(std::io::ErrorKind::ConnectionRefused))
                        }
                    }
                }
            })
        }
    }

    const HOUR: Duration = Duration::from_secs(3600);

    /// Bounds a race that must not wait for a stagger of an hour.
    async fn within_10s<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::time::timeout(Duration::from_secs(10), f)
            .await
            .expect("the race waited for the stagger")
    }

    #[tokio::test]
    async fn a_black_holed_first_address_does_not_hold_up_the_next() {
        let addrs = [addr("[2001:db8::1]:5432"), addr("192.0.2.1:5432")];
        let (won, tried) = within_10s(race_connects(
            &addrs,
            Duration::from_millis(50),
            planned(&[
                ("[2001:db8::1]:5432", None),
                ("192.0.2.1:5432", Some((10, true))),
            ]),
        ))
        .await;
        assert_eq!(won.ok(), Some(addrs[1]));
        assert!(tried[0].starts_with("192.0.2.1:5432 ok"), "{tried:?}");
        assert!(
            tried[1].starts_with("[2001:db8::1]:5432: no answer after"),
            "{tried:?}"
        );
    }

    #[tokio::test]
    async fn a_refusal_is_the_error_reported_whatever_the_other_addresses_said() {
        let addrs = [addr("127.0.0.1:1"), addr("[2001:db8::1]:1")];
        let connect = |a: SocketAddr| async move {
            Err::<SocketAddr, _>(std::io::Error::from(if a.is_ipv4() {
                std::io::ErrorKind::ConnectionRefused
            } else {
                std::io::ErrorKind::HostUnreachable
            }))
        };
        let (won, tried) = within_10s(race_connects(&addrs, HOUR, connect)).await;
        let reported = won.err().flatten().expect("an error");
        assert_eq!(reported.kind(), std::io::ErrorKind::ConnectionRefused);
        assert_eq!(tried.len(), 2, "{tried:?}");
    }

    #[tokio::test]
    async fn a_refused_address_starts_the_next_at_once_and_all_refused_is_the_last_error() {
        let addrs = [addr("127.0.0.1:1"), addr("127.0.0.2:1")];
        let (won, tried) = within_10s(race_connects(
            &addrs,
            HOUR,
            planned(&[
                ("127.0.0.1:1", Some((5, false))),
                ("127.0.0.2:1", Some((5, false))),
            ]),
        ))
        .await;
        let last = won.err().flatten().expect("an error");
        assert_eq!(last.kind(), std::io::ErrorKind::ConnectionRefused);
        assert_eq!(tried.len(), 2, "{tried:?}");
    }

    #[tokio::test]
    async fn the_first_address_keeps_its_lead_when_it_answers_within_the_stagger() {
        let addrs = [addr("127.0.0.1:1"), addr("127.0.0.2:1")];
        let (won, tried) = within_10s(race_connects(
            &addrs,
            HOUR,
            planned(&[
                ("127.0.0.1:1", Some((5, true))),
                ("127.0.0.2:1", Some((1, true))),
            ]),
        ))
        .await;
        assert_eq!(won.ok(), Some(addrs[0]));
        assert_eq!(tried.len(), 1, "the second was never started: {tried:?}");
    }

    #[tokio::test]
    async fn a_slow_first_address_still_wins_if_it_answers_before_the_second() {
        let addrs = [addr("127.0.0.1:1"), addr("127.0.0.2:1")];
        let (won, tried) = within_10s(race_connects(
            &addrs,
            Duration::from_millis(10),
            planned(&[
                ("127.0.0.1:1", Some((100, true))),
                ("127.0.0.2:1", Some((60_000, true))),
            ]),
        ))
        .await;
        assert_eq!(won.ok(), Some(addrs[0]));
        assert!(
            tried[1].starts_with("127.0.0.2:1: no answer after"),
            "{tried:?}"
        );
    }
}
