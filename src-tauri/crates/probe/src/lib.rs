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
    let mut report = by_engine(target).await;
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
    match done.last().map(|s| s.step) {
        None => Step::Resolve,
        Some(Step::Resolve) => Step::Connect,
        Some(Step::Connect) if awaits_greeting(target) => Step::Greeting,
        Some(Step::Connect | Step::Greeting) => Step::Tls,
        Some(Step::Tls) => Step::Auth,
        Some(Step::Auth | Step::Query) => Step::Query,
    }
}
