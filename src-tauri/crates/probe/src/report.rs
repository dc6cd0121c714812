//! The result of a connection test: a timeline of steps, what was learnt about TLS and the
//! server, and, on failure, a classified error with a hint.

use std::time::{Duration, Instant};
use switchboard_model::cert::CertificateInfo;

use serde::Serialize;
use ts_rs::TS;

use switchboard_model::error::ErrorCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Step {
    /// Reading `~/.ssh/config` for an alias route (OpenSSH's resolution).
    SshConfig,
    /// A hop's SSH handshake: version exchange, key exchange, the host key's signature.
    SshHandshake,
    /// A hop's host key checked against the known-hosts files.
    SshHostKey,
    /// Logging in to a hop.
    SshAuth,
    /// The forward to the next hop or the database, opened by a hop.
    SshChannel,
    Resolve,
    Connect,
    /// Waiting for the server's first answer on the open connection (MySQL's greeting,
    /// SQL Server's PRELOGIN reply, MongoDB's hello without TLS): a silent peer is named
    /// here, not as a TLS handshake that never began.
    Greeting,
    Tls,
    Auth,
    Query,
}

impl Step {
    pub fn label(self) -> &'static str {
        match self {
            Step::SshConfig => "SSH config",
            Step::SshHandshake => "SSH handshake",
            Step::SshHostKey => "SSH host key",
            Step::SshAuth => "SSH authenticate",
            Step::SshChannel => "SSH forward",
            Step::Resolve => "resolve",
            Step::Connect => "TCP connect",
            Step::Greeting => "server greeting",
            Step::Tls => "TLS handshake",
            Step::Auth => "authenticate",
            Step::Query => "first query",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StepStatus {
    Ok,
    Failed,
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct StepReport {
    pub step: Step,
    pub status: StepStatus,
    pub elapsed_ms: f64,
    pub detail: String,
    /// The SSH hop this step belongs to (`hop 1 of 2: jump@bastion:22`); `None` for the
    /// database's own steps.
    pub hop: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TlsInfo {
    pub protocol: String,
    pub cipher_suite: String,
    /// The application protocol agreed by ALPN, when one was (most database servers do not
    /// use ALPN; PostgreSQL 17's direct TLS does).
    pub alpn: Option<String>,
    /// What this test checked, in plain words.
    pub verification: String,
    /// Leaf first, as the server sent it.
    pub peer_certificates: Vec<CertificateInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ServerInfo {
    pub version: String,
    pub current_user: String,
    pub current_database: String,
    pub in_recovery: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CheckStatus {
    Ok,
    Warning,
    Failed,
}

/// One finding after login, with what to do about it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Check {
    /// Short and stable: `wal_level`, `publication`, `replication_slot`, `replication_role`,
    /// `schema`, `replica_role`, `production_tls`.
    pub name: String,
    pub status: CheckStatus,
    pub detail: String,
    pub hint: String,
}

impl Check {
    pub fn new(name: &str, status: CheckStatus, detail: String, hint: &str) -> Self {
        Check {
            name: name.to_owned(),
            status,
            detail,
            hint: hint.to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TestFailure {
    pub code: ErrorCode,
    pub step: Step,
    pub message: String,
    pub hint: String,
    /// For `ssh_host_key_unknown`: the hop's key fingerprint (`SHA256:…`) the user may
    /// choose to trust (the window's "Trust this key").
    pub host_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TestReport {
    pub ok: bool,
    pub total_ms: f64,
    /// What was checked after logging in (replication readiness, the schema, the server's
    /// role, TLS for production): findings, not failures of the test itself.
    pub checks: Vec<Check>,
    pub steps: Vec<StepReport>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsInfo>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerInfo>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<TestFailure>,
}

impl TestReport {
    /// The failure's code, when the test failed.
    pub fn error_code(&self) -> Option<ErrorCode> {
        self.error.as_ref().map(|e| e.code)
    }

    /// A test that stopped before any step ran (e.g. no password was available).
    pub fn not_started(code: ErrorCode, message: String, hint: String) -> Self {
        TestReport {
            ok: false,
            total_ms: 0.0,
            checks: Vec::new(),
            steps: Vec::new(),
            tls: None,
            server: None,
            error: Some(TestFailure {
                host_key: None,
                code,
                step: Step::Auth,
                message,
                hint,
            }),
        }
    }
}

pub(crate) fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// Collects steps as they finish and remembers which one is running, so a timeout can be
/// pinned on the step it interrupted.
#[derive(Debug)]
pub(crate) struct Recorder {
    pub started: Instant,
    pub steps: Vec<StepReport>,
    current: Option<(Step, Instant)>,
    progress: Option<Progress>,
    /// The SSH hop the steps pushed now belong to.
    hop: Option<String>,
}

/// Where steps go as they finish (the window's channel, the CLI's printer), besides the
/// final report; it also keeps them, so a cancelled test can still show how far it got.
#[derive(Debug, Clone)]
pub struct Progress {
    tx: Option<tokio::sync::mpsc::UnboundedSender<StepReport>>,
    seen: std::sync::Arc<std::sync::Mutex<Vec<StepReport>>>,
}

impl Progress {
    pub fn new(tx: Option<tokio::sync::mpsc::UnboundedSender<StepReport>>) -> Self {
        Progress {
            tx,
            seen: Default::default(),
        }
    }

    fn send(&self, step: &StepReport) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(step.clone());
        }
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(step.clone());
        }
    }

    /// The steps finished so far.
    pub fn seen(&self) -> Vec<StepReport> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Recorder {
    pub fn new(progress: Option<Progress>) -> Self {
        Recorder {
            started: Instant::now(),
            steps: Vec::new(),
            current: None,
            progress,
            hop: None,
        }
    }

    /// Steps pushed from now on belong to `hop` (`None`: the database's own).
    pub fn set_hop(&mut self, hop: Option<String>) {
        self.hop = hop;
    }

    pub fn hop(&self) -> Option<&str> {
        self.hop.as_deref()
    }

    pub fn start(&mut self, step: Step) -> Instant {
        let now = Instant::now();
        self.current = Some((step, now));
        now
    }

    pub fn start_at(&mut self, step: Step, at: Instant) {
        self.current = Some((step, at));
    }

    pub fn current(&self) -> Option<(Step, Instant)> {
        self.current
    }

    pub fn push(&mut self, step: Step, status: StepStatus, elapsed: Duration, detail: String) {
        if self.current.map(|(s, _)| s) == Some(step) {
            self.current = None;
        }
        let report = StepReport {
            step,
            status,
            elapsed_ms: ms(elapsed),
            detail: clean_text(&detail),
            hop: self.hop.clone(),
        };
        if let Some(p) = &self.progress {
            p.send(&report);
        }
        self.steps.push(report);
    }

    pub fn finish(&mut self, step: Step, status: StepStatus, detail: String) {
        let since = self
            .current
            .filter(|(s, _)| *s == step)
            .map(|(_, t)| t)
            .unwrap_or_else(Instant::now);
        self.push(step, status, since.elapsed(), detail);
    }
}

/// The longest text a report carries in one field.
const MAX_TEXT: usize = 2000;

/// Text that may come from the server (error messages, banners, names in certificates)
/// as a report may show it: control characters (a terminal's escape sequences among
/// them) become spaces, and it is cut to `MAX_TEXT` characters.
pub fn clean_text(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(MAX_TEXT)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if s.chars().nth(MAX_TEXT).is_some() {
        out.push('…');
    }
    out
}

impl TestReport {
    /// Every text field through `clean_text`: the one place server-chosen text is tamed
    /// before a window, a terminal or the store sees it.
    pub fn clean(&mut self) {
        let tidy = |s: &mut String| *s = clean_text(s);
        for step in &mut self.steps {
            tidy(&mut step.detail);
        }
        for check in &mut self.checks {
            tidy(&mut check.detail);
            tidy(&mut check.hint);
        }
        if let Some(server) = &mut self.server {
            tidy(&mut server.version);
            tidy(&mut server.current_user);
            tidy(&mut server.current_database);
        }
        if let Some(tls) = &mut self.tls {
            tidy(&mut tls.protocol);
            tidy(&mut tls.cipher_suite);
            tidy(&mut tls.verification);
            if let Some(alpn) = &mut tls.alpn {
                tidy(alpn);
            }
            for cert in &mut tls.peer_certificates {
                tidy(&mut cert.subject);
                tidy(&mut cert.issuer);
                cert.subject_alt_names.iter_mut().for_each(tidy);
            }
        }
        if let Some(error) = &mut self.error {
            tidy(&mut error.message);
            tidy(&mut error.hint);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_loses_control_characters_and_is_cut_to_size() {
        assert_eq!(
            clean_text("ORA-01017\u{1b}[31m red\nnext\tline"),
            "ORA-01017 [31m red next line"
        );
        let long = "é".repeat(MAX_TEXT + 5);
        let cut = clean_text(&long);
        assert_eq!(cut.chars().count(), MAX_TEXT + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(clean_text("plain"), "plain");
    }
}
