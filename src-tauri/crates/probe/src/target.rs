//! What a test runs against: the connection's settings and secrets, its timeout, and
//! where its finished steps are streamed.

use std::time::Duration;

use super::report;
use super::tls::TlsMaterial;
use switchboard_model::model::{Engine, TlsMode};
use switchboard_model::secret::Secret;

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
    pub options: switchboard_model::model::Options,
    /// The connection's environment label: production gets a warning below verify-full.
    pub environment: Option<switchboard_model::model::Environment>,
    /// `Some(true)`: this is a read replica (it should be in recovery); `Some(false)`: a
    /// saved replica names it as its primary (it should not be).
    pub expect_replica: Option<bool>,
    /// Where finished steps are streamed; `None` for a report only at the end.
    pub progress: Option<report::Progress>,
    /// Direct TCP, or an SSH route opened before the database's steps.
    pub transport: crate::ssh::Transport,
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
            timeout: Duration::from_secs(u64::from(switchboard_model::model::DEFAULT_TIMEOUT_SECS)),
            options: Default::default(),
            environment: None,
            expect_replica: None,
            progress: None,
            transport: crate::ssh::Transport::Direct,
        }
    }

    pub fn text_option(&self, name: &str) -> Option<&str> {
        switchboard_model::model::text_option(&self.options, name)
    }
}
