//! Live connection tests. `run` drives one engine's driver module through the timeline
//! (resolve → TCP connect → TLS → authenticate → first query) under one timeout.

pub mod mongodb;
pub mod mysql;
pub mod oracle;
pub mod postgres;
pub mod report;
pub mod sqlite;
pub mod sqlserver;
pub use report::TestReport;
pub mod tls;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::net::TcpStream;

use crate::error::ErrorCode;
use crate::model::{Engine, TlsMode};
use crate::secret::Secret;
use report::{Recorder, Step, StepStatus, TestFailure};
pub use tls::TlsMaterial;

/// Everything a test needs, secrets included (held as `Secret`).
#[derive(Debug, Clone)]
pub struct ProbeTarget {
    pub engine: Engine,
    pub host: String,
    pub port: u16,
    pub database: String,
    pub username: String,
    pub password: Option<Secret>,
    pub tls_mode: TlsMode,
    pub tls: TlsMaterial,
    pub timeout: Duration,
    /// The engine's own settings (`options.<name>` in its description).
    pub options: crate::model::Options,
    /// The connection's environment label: production gets a warning below verify-full.
    pub environment: Option<crate::model::Environment>,
    /// `Some(true)`: this is a read replica (it should be in recovery); `Some(false)`: a
    /// saved replica names it as its primary (it should not be).
    pub expect_replica: Option<bool>,
    /// Where finished steps are streamed; `None` for a report only at the end.
    pub progress: Option<report::Progress>,
}

impl ProbeTarget {
    /// `engine` at `host:port` with TLS `tls_mode`: no database, user, password, CA or
    /// options, the default timeout. Set the rest with struct update syntax.
    pub fn new(engine: Engine, host: impl Into<String>, port: u16, tls_mode: TlsMode) -> Self {
        ProbeTarget {
            engine,
            host: host.into(),
            port,
            database: String::new(),
            username: String::new(),
            password: None,
            tls_mode,
            tls: TlsMaterial::default(),
            timeout: Duration::from_secs(u64::from(crate::model::DEFAULT_TIMEOUT_SECS)),
            options: Default::default(),
            environment: None,
            expect_replica: None,
            progress: None,
        }
    }

    pub fn text_option(&self, name: &str) -> Option<&str> {
        crate::model::text_option(&self.options, name)
    }
}

/// A failure inside a step, before it is stamped with time.
#[derive(Debug)]
pub(crate) struct Fail {
    pub step: Step,
    pub code: ErrorCode,
    pub message: String,
    pub hint: String,
}

impl Fail {
    pub fn new(
        step: Step,
        code: ErrorCode,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Fail {
            step,
            code,
            message: message.into(),
            hint: hint.into(),
        }
    }
}

/// Runs a test. Never panics and never exceeds `target.timeout` by more than scheduling
/// noise: when the time is up every in-flight future is dropped (closing its socket).
pub async fn run(target: &ProbeTarget) -> TestReport {
    // Drivers that build their own rustls config (sqlx) need a process-wide provider; ring
    // is the one Switchboard uses everywhere. Installing twice is a no-op.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut report = by_engine(target).await;
    report.clean();
    if target.environment == Some(crate::model::Environment::Production)
        && target.tls_mode != TlsMode::VerifyFull
        && target.engine != Engine::Sqlite
    {
        report.checks.push(report::Check::new(
            "production_tls",
            report::CheckStatus::Warning,
            format!(
                "This production connection uses TLS mode {}: the server's identity is not fully verified.",
                target.tls_mode.as_str()
            ),
            "Choose verify-full (with the server's CA if it is private).",
        ));
    }
    report
}

async fn by_engine(target: &ProbeTarget) -> TestReport {
    match target.engine {
        Engine::Postgres => postgres::run(target).await,
        Engine::Sqlite => sqlite::run(target).await,
        Engine::Mysql => mysql::run(target).await,
        Engine::Oracle => oracle::run(target).await,
        Engine::SqlServer => sqlserver::run(target).await,
        Engine::Mongodb => mongodb::run(target).await,
    }
}

/// Runs a test that `cancel` can stop at any moment: the test's futures are dropped (its
/// sockets closed, its tasks aborted) and the report shows the steps done so far.
pub async fn run_cancellable(
    target: &ProbeTarget,
    cancel: impl std::future::Future<Output = ()>,
) -> TestReport {
    let progress = target
        .progress
        .clone()
        .unwrap_or_else(|| report::Progress::new(None));
    let mut target = target.clone();
    target.progress = Some(progress.clone());
    let started = Instant::now();
    tokio::select! {
        r = run(&target) => r,
        () = cancel => {
            let steps = progress.seen();
            let step = next_step(&steps);
            TestReport {
                checks: Vec::new(),
                ok: false,
                total_ms: report::ms(started.elapsed()),
                steps,
                tls: None,
                server: None,
                error: Some(TestFailure {
                    code: ErrorCode::Cancelled,
                    step,
                    message: format!("The test was cancelled during {}.", step.label()),
                    hint: "Run the test again when you are ready.".into(),
                }),
            }
        }
    }
}

/// The step after the last one that finished.
fn next_step(done: &[report::StepReport]) -> Step {
    match done.last().map(|s| s.step) {
        None => Step::Resolve,
        Some(Step::Resolve) => Step::Connect,
        Some(Step::Connect) => Step::Tls,
        Some(Step::Tls) => Step::Auth,
        Some(Step::Auth | Step::Query) => Step::Query,
    }
}

/// A CA certificate written for a driver that reads CAs only from files (tiberius,
/// mongodb); the file is removed however the test ends.
pub(crate) struct TempCa(std::path::PathBuf);

impl TempCa {
    /// Writes on a blocking thread, not the runtime's. The file's guard travels with the
    /// write: should the test be dropped meanwhile, the task's unread result drops it and
    /// the file goes.
    pub async fn write(driver: &str, extension: &str, bytes: Vec<u8>) -> Result<TempCa, Fail> {
        let path = std::env::temp_dir().join(format!(
            "switchboard-{driver}-ca-{}-{}.{extension}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        let shown = path.display().to_string();
        let written = tokio::task::spawn_blocking(move || {
            let guard = TempCa(path);
            std::fs::write(&guard.0, &bytes).map(|()| guard)
        })
        .await;
        let error = match written {
            Ok(Ok(guard)) => return Ok(guard),
            Ok(Err(e)) => e.to_string(),
            Err(e) => e.to_string(),
        };
        Err(Fail::new(
            Step::Auth,
            ErrorCode::ConnectionFailed,
            format!("Could not hand the CA certificate to the driver ({shown}: {error})."),
            "Check that the temporary folder is writable.",
        ))
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempCa {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A driver task that ended without an answer: it panicked on something the server sent
/// (or was cancelled). `hint` says what to check for this engine.
pub(crate) fn driver_broke(
    target: &ProbeTarget,
    step: Step,
    e: &tokio::task::JoinError,
    hint: &str,
) -> Fail {
    Fail::new(
        step,
        ErrorCode::ProtocolError,
        format!(
            "The driver stopped on an answer from {}:{} it could not handle{}.",
            target.host,
            target.port,
            if e.is_panic() { " (it panicked)" } else { "" }
        ),
        hint,
    )
}

/// Aborts a spawned driver task however the test ends (error, timeout, cancel).
pub(crate) struct AbortOnDrop(pub tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl From<Fail> for TestFailure {
    fn from(f: Fail) -> Self {
        TestFailure {
            code: f.code,
            step: f.step,
            message: f.message,
            hint: f.hint,
        }
    }
}

/// What the handshake showed, for the report.
pub(crate) fn observed(obs: &tls::SharedObservation, mode: TlsMode) -> Option<report::TlsInfo> {
    obs.lock().ok().and_then(|o| tls::tls_info(mode, &o))
}

/// The report of a driver's steps that ran under the test's timeout.
pub(crate) fn conclude(
    mut rec: Recorder,
    target: &ProbeTarget,
    outcome: Result<Result<report::ServerInfo, Fail>, tokio::time::error::Elapsed>,
    tls: Option<report::TlsInfo>,
) -> TestReport {
    let (server, error) = match outcome {
        Ok(Ok(info)) => (Some(info), None),
        Ok(Err(f)) => (None, Some(f.into())),
        Err(_) => (None, Some(timed_out(&mut rec, target, Step::Connect))),
    };
    TestReport {
        checks: Vec::new(),
        ok: error.is_none(),
        total_ms: report::ms(rec.started.elapsed()),
        steps: rec.steps,
        tls,
        server,
        error,
    }
}

/// Shared by engines: on timeout, pins the failure on the step that was running.
pub(crate) fn timed_out(rec: &mut Recorder, target: &ProbeTarget, fallback: Step) -> TestFailure {
    let (step, since) = rec.current().unwrap_or((fallback, rec.started));
    rec.push(
        step,
        StepStatus::Failed,
        since.elapsed(),
        format!("no answer within {} s", target.timeout.as_secs_f64()),
    );
    TestFailure {
        code: ErrorCode::Timeout,
        step,
        message: format!(
            "{} to {}:{} did not finish within {} s.",
            step.label(),
            target.host,
            target.port,
            target.timeout.as_secs_f64()
        ),
        hint: match step {
            Step::Resolve => "Check your DNS or VPN; the name server did not answer.".into(),
            Step::Connect => "A firewall may be dropping packets: check the host, the port and that your network (VPN, security group) allows the connection.".into(),
            _ => format!(
                "The server accepted the connection but did not answer during {}. Check that {}:{} is a {} server, or raise the timeout.",
                step.label(),
                target.host,
                target.port,
                target.engine.as_str()
            ),
        },
    }
}

/// Resolve and connect, recording both steps. Shared by every TCP engine.
pub(crate) async fn resolve_and_connect(
    rec: &mut Recorder,
    host: &str,
    port: u16,
) -> Result<TcpStream, Fail> {
    resolve_and_connect_preferring(rec, host, port, None).await
}

/// `resolve_and_connect`, trying `prefer` first when the host resolves to it (SQL Server:
/// the address whose Browser gave the port).
pub(crate) async fn resolve_and_connect_preferring(
    rec: &mut Recorder,
    host: &str,
    port: u16,
    prefer: Option<std::net::IpAddr>,
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
