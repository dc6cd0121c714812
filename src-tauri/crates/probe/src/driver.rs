//! What the engines' driver modules share around their steps: the failure a step ends
//! with (`Fail`), the CA file for drivers that read CAs only from files (`TempCa`), a
//! spawned driver task that panicked (`driver_broke`) or must stop with the test
//! (`AbortOnDrop`), and the report of steps run under the test's timeout (`observed`,
//! `conclude`, `timed_out`).

use super::report::{self, Recorder, Step, StepStatus, TestFailure, TestReport};
use super::tls;
use super::ProbeTarget;
use switchboard_model::error::ErrorCode;
use switchboard_model::model::TlsMode;

/// A failure inside a step, before it is stamped with time.
#[derive(Debug)]
pub(crate) struct Fail {
    pub step: Step,
    pub code: ErrorCode,
    pub message: String,
    pub hint: String,
    /// An unknown SSH host key's fingerprint, for "Trust this key".
    pub host_key: Option<String>,
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
            host_key: None,
        }
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
            // 0600 whatever the umask: the file names the servers this user trusts.
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&guard.0)?;
            std::io::Write::write_all(&mut file, &bytes).map(|()| guard)
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
            host_key: f.host_key,
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
        host_key: None,
        code: ErrorCode::Timeout,
        step,
        message: if step == Step::Greeting {
            format!(
                "server greeting: {}:{} accepted the connection but said nothing within {} s.",
                target.host,
                target.port,
                target.timeout.as_secs_f64()
            )
        } else {
            format!(
                "{} to {}:{} did not finish within {} s.",
                step.label(),
                target.host,
                target.port,
                target.timeout.as_secs_f64()
            )
        },
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
