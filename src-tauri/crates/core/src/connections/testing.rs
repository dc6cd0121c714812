//! Testing saved connections: many at once (`test_many`, `ManyResult`), and the probe
//! target a connection's fields and secrets make (`checked_target`, `target_from_fields`).

use std::time::Duration;

use uuid::Uuid;

use crate::cancel::Cancel;
use crate::error::{CoreError, ErrorCode, FieldIssue, Result};
use crate::model::ConnectionFields;
use crate::probe::{self, ProbeTarget, TestReport, TlsMaterial};
use crate::secret::Secret;
use crate::validation;

use super::Switchboard;

/// One connection's outcome in a "test many" run: its report, or why it could not run
/// (e.g. a connection that asks for its password every time).
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ManyResult {
    pub connection_id: Uuid,
    pub name: String,
    pub report: Option<TestReport>,
    pub error: Option<crate::error::ApiError>,
}

impl ManyResult {
    pub fn ok(&self) -> bool {
        self.report.as_ref().is_some_and(|r| r.ok)
    }
}

/// How many tests run at once unless told otherwise.
pub const DEFAULT_CONCURRENCY: usize = 8;

impl Switchboard {
    /// Tests `ids` with at most `concurrency` at a time, handing each result to `on_result`
    /// as it arrives; returns them in the order they finished. Once `cancel` is set, the
    /// tests in flight are dropped (their sockets closed), no more start, and what finished
    /// so far is returned.
    pub async fn test_many(
        &self,
        ids: Vec<Uuid>,
        concurrency: usize,
        on_result: impl Fn(&ManyResult),
        cancel: &Cancel,
    ) -> Result<Vec<ManyResult>> {
        use futures_util::stream::StreamExt;
        let names: std::collections::HashMap<Uuid, String> = self
            .store
            .list()
            .await?
            .into_iter()
            .map(|c| (c.id, c.fields.name))
            .collect();
        let mut stream = futures_util::stream::iter(ids)
            .map(|id| {
                let name = names.get(&id).cloned().unwrap_or_default();
                async move {
                    match self.test(id, None).await {
                        Ok(report) => ManyResult {
                            connection_id: id,
                            name,
                            report: Some(report),
                            error: None,
                        },
                        Err(e) => ManyResult {
                            connection_id: id,
                            name,
                            report: None,
                            error: Some(e.to_api()),
                        },
                    }
                }
            })
            .buffer_unordered(concurrency.max(1));
        let mut all = Vec::new();
        let cancelled = cancel.cancelled();
        tokio::pin!(cancelled);
        loop {
            tokio::select! {
                next = stream.next() => match next {
                    Some(r) => {
                        on_result(&r);
                        all.push(r);
                    }
                    None => break,
                },
                () = &mut cancelled => {
                    tracing::info!(done = all.len(), "test many cancelled");
                    break;
                }
            }
        }
        Ok(all)
    }

    pub async fn last_tests(&self) -> Result<Vec<crate::store::LastTest>> {
        self.store.last_tests().await
    }
}

/// How a caller follows and stops a test.
#[derive(Debug, Default)]
pub struct TestControl {
    /// Receives each step as it finishes.
    pub progress: Option<probe::report::Progress>,
    /// Stops the test at once (the default is never set).
    pub cancel: Cancel,
    /// SSH secrets typed for this test, by route slot (a saved connection's keychain
    /// fills the slots left empty).
    pub ssh_secrets: Vec<Option<Secret>>,
    /// Host-key fingerprints (`SHA256:…`) the user trusts for this test: an unknown hop
    /// key with one of them is written to Switchboard's own known-hosts file.
    pub trust_host_keys: Vec<String>,
}

/// Runs a test with its steps streamed to `control.progress`, stopped by `control.cancel`.
pub(crate) async fn run_controlled(mut target: ProbeTarget, control: TestControl) -> TestReport {
    target.progress = control.progress;
    probe::run_cancellable(&target, control.cancel.cancelled()).await
}

/// A test target from unsaved fields, after the same normalising and checks as a save
/// (the name and handle aside: an unsaved draft needs neither).
pub(crate) fn checked_target(
    mut fields: ConnectionFields,
    password: Option<Secret>,
    client_key: Option<Secret>,
) -> Result<ProbeTarget> {
    validation::normalize(&mut fields);
    let issues: Vec<FieldIssue> = validation::validate(&fields)
        .into_iter()
        .filter(|i| i.field != "name" && i.field != "handle")
        .collect();
    if !issues.is_empty() {
        return Err(CoreError::Validation(issues));
    }
    target_from_fields(&fields, password, client_key)
}

pub(crate) fn target_from_fields(
    f: &ConnectionFields,
    password: Option<Secret>,
    client_key: Option<Secret>,
) -> Result<ProbeTarget> {
    let port = u16::try_from(f.port).map_err(|_| {
        CoreError::input(
            ErrorCode::PortOutOfRange,
            Some("port"),
            format!("Port {} is outside 1–65535.", f.port),
            "Use the server's port.",
        )
    })?;
    Ok(ProbeTarget {
        engine: f.engine,
        host: f.host.clone(),
        port,
        database: f.database.clone(),
        username: f.username.clone(),
        password,
        tls_mode: f.tls.mode,
        tls: TlsMaterial {
            ca_pem: f.tls.ca_pem.clone(),
            client_cert_pem: f.tls.client_cert_pem.clone(),
            client_key_pem: client_key,
        },
        timeout: Duration::from_secs(u64::from(f.timeout_secs)),
        options: f.options.clone(),
        environment: f.environment,
        expect_replica: f.text_option("replica_of").map(|_| true),
        progress: None,
        transport: Default::default(),
    })
}
