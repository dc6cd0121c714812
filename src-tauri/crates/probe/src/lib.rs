//! Live connection tests. `run` drives one engine's driver module through the timeline
//! (resolve → TCP connect → TLS → authenticate → first query) under one timeout.
//!
//! - `target.rs`: `ProbeTarget`, what a test runs against.
//! - `net.rs`: how bytes reach the server, the one transport seam (`open_stream`,
//!   `reopen`; today resolve + the raced TCP connect). Each driver's module doc says
//!   whether it is handed a stream or dials itself.
//! - `driver.rs`: what the driver modules share (`Fail`, `TempCa`, `conclude`, …).
//! - `tls.rs`: the rustls ladder and the TLS failure classification every engine shares.
//! - `report.rs`: the report, its steps and checks, and streamed progress.
//! - one driver module per engine.

pub(crate) mod driver;
pub mod mongodb;
pub mod mysql;
pub(crate) mod net;
pub mod oracle;
pub mod postgres;
pub mod report;
pub mod sqlite;
pub mod sqlserver;
pub mod ssh;
mod target;
pub mod tls;

pub use report::TestReport;
pub use target::ProbeTarget;
pub use tls::TlsMaterial;

use std::time::Instant;

use report::{Step, TestFailure};
use switchboard_model::error::ErrorCode;
use switchboard_model::model::{Engine, TlsMode};

/// Runs a test. Never panics and never exceeds `target.timeout` by more than scheduling
/// noise: when the time is up every in-flight future is dropped (closing its socket).
pub async fn run(target: &ProbeTarget) -> TestReport {
    // Drivers that build their own rustls config (sqlx) need a process-wide provider; ring
    // is the one Switchboard uses everywhere. Installing twice is a no-op.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut report = match &target.transport {
        ssh::Transport::Ssh(route) => through_route(route, target).await,
        _ => by_engine(target).await,
    };
    report.clean();
    if target.environment == Some(switchboard_model::model::Environment::Production)
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

/// Opens the SSH route (its steps first in the report), then runs the engine's test over
/// it with what is left of the timeout. The route closes when the test ends.
async fn through_route(route: &ssh::SshRoute, target: &ProbeTarget) -> TestReport {
    let mut rec = report::Recorder::new(target.progress.clone());
    let opened = tokio::time::timeout(target.timeout, ssh::open(route, &mut rec)).await;
    let tunnel = match opened {
        Ok(Ok(t)) => t,
        Ok(Err(f)) => return driver::conclude(rec, target, Ok(Err(f)), None),
        Err(_) => {
            let failure = ssh_timed_out(&mut rec, target);
            return TestReport {
                checks: Vec::new(),
                ok: false,
                total_ms: report::ms(rec.started.elapsed()),
                steps: rec.steps,
                tls: None,
                server: None,
                error: Some(failure),
            };
        }
    };
    let inner = ProbeTarget {
        transport: ssh::Transport::Open(tunnel),
        timeout: target.timeout.saturating_sub(rec.started.elapsed()),
        ..target.clone()
    };
    let mut report = by_engine(&inner).await;
    let mut steps = rec.steps;
    steps.append(&mut report.steps);
    report.steps = steps;
    report.total_ms = report::ms(rec.started.elapsed());
    report
}

/// A route that ran out of time: the failure names the hop and the step that waited.
fn ssh_timed_out(rec: &mut report::Recorder, target: &ProbeTarget) -> TestFailure {
    let (step, since) = rec.current().unwrap_or((Step::SshHandshake, rec.started));
    let hop = rec.hop().unwrap_or("the SSH route").to_owned();
    rec.set_hop(Some(hop.clone()));
    rec.push(
        step,
        report::StepStatus::Failed,
        since.elapsed(),
        format!("no answer within {} s", target.timeout.as_secs_f64()),
    );
    TestFailure {
        host_key: None,
        code: ErrorCode::SshTimeout,
        step,
        message: if step == Step::SshHandshake {
            format!("{hop}: the server accepted the connection but did not finish the SSH handshake within {} s (the test's timeout spans every hop).", target.timeout.as_secs_f64())
        } else {
            format!("{hop}: {} did not finish within {} s (the test's timeout spans every hop).", step.label(), target.timeout.as_secs_f64())
        },
        hint: match step {
            Step::Resolve => "Check your DNS or VPN: the name server did not answer.".into(),
            Step::Connect => "A firewall may be dropping packets to this hop: check its host and port, and your network or VPN.".into(),
            Step::SshHandshake => "Check that the port is an SSH server's and that it is not overloaded (sshd's MaxStartups), or raise the timeout.".into(),
            _ => "The hop stopped answering: check it, or raise the timeout.".into(),
        },
    }
}

/// Whether the drivers wait for the server's first answer before any TLS: MySQL's greeting
/// and SQL Server's PRELOGIN always, MongoDB's hello when TLS is off (PostgreSQL's
/// SSLRequest answer and Oracle's TNS exchange are part of their TLS and connect steps).
fn awaits_greeting(target: &ProbeTarget) -> bool {
    match target.engine {
        Engine::Mysql | Engine::SqlServer => true,
        Engine::Mongodb => target.tls_mode == TlsMode::Disable,
        Engine::Postgres | Engine::Oracle | Engine::Sqlite => false,
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
            let step = next_step(&target, &steps);
            TestReport {
                checks: Vec::new(),
                ok: false,
                total_ms: report::ms(started.elapsed()),
                steps,
                tls: None,
                server: None,
                error: Some(TestFailure {
                    host_key: None,
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
fn next_step(target: &ProbeTarget, done: &[report::StepReport]) -> Step {
    let last = done.last();
    if let Some(s) = last.filter(|s| s.hop.is_some() && s.step != Step::SshChannel) {
        return match s.step {
            Step::SshConfig | Step::Resolve => Step::Connect,
            Step::Connect => Step::SshHandshake,
            Step::SshHandshake => Step::SshHostKey,
            Step::SshHostKey => Step::SshAuth,
            Step::SshAuth => Step::SshChannel,
            _ => Step::Query,
        };
    }
    match last.map(|s| s.step) {
        None if !matches!(target.transport, ssh::Transport::Direct) => Step::SshConfig,
        None => Step::Resolve,
        Some(Step::SshConfig) => Step::Connect,
        Some(Step::SshHandshake | Step::SshHostKey | Step::SshAuth) => Step::SshChannel,
        Some(Step::SshChannel) if awaits_greeting(target) => Step::Greeting,
        Some(Step::SshChannel) => Step::Tls,
        Some(Step::Resolve) => Step::Connect,
        Some(Step::Connect) if awaits_greeting(target) => Step::Greeting,
        Some(Step::Connect | Step::Greeting) => Step::Tls,
        Some(Step::Tls) => Step::Auth,
        Some(Step::Auth | Step::Query) => Step::Query,
    }
}
