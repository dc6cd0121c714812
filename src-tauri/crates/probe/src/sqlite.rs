//! SQLite tests with sqlx: open the file (read-only unless the connection says otherwise;
//! a missing file is an error, never a new empty database), then one query.
//!
//! Transport: none; a local file.

use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, Row};

use super::driver::Fail;
use super::report::{Recorder, ServerInfo, Step, StepStatus, TestReport};
use super::ProbeTarget;
use switchboard_model::error::ErrorCode;
use switchboard_model::model::OptionValue;

pub async fn run(target: &ProbeTarget) -> TestReport {
    let mut rec = Recorder::new(target.progress.clone());
    let outcome = tokio::time::timeout(target.timeout, steps(target, &mut rec)).await;
    super::driver::conclude(rec, target, outcome, None)
}

async fn steps(target: &ProbeTarget, rec: &mut Recorder) -> Result<ServerInfo, Fail> {
    let path = std::path::Path::new(&target.database);
    let read_only = target
        .options
        .get("read_only")
        .and_then(OptionValue::as_bool)
        .unwrap_or(true);
    rec.start(Step::Connect);
    let meta = match tokio::fs::metadata(path).await {
        Ok(m) => m,
        Err(e) => {
            let f = match e.kind() {
                std::io::ErrorKind::NotFound => Fail::new(
                    Step::Connect,
                    ErrorCode::DatabaseNotFound,
                    format!("There is no file at {}.", path.display()),
                    "Check the path; Switchboard never creates an empty database in its place.",
                ),
                std::io::ErrorKind::PermissionDenied => Fail::new(
                    Step::Connect,
                    ErrorCode::PermissionDenied,
                    format!("{} cannot be read by you.", path.display()),
                    "Check the file's permissions (and those of its folders).",
                ),
                _ => Fail::new(
                    Step::Connect,
                    ErrorCode::ConnectionFailed,
                    format!("{} cannot be opened: {e}.", path.display()),
                    "Check the path.",
                ),
            };
            rec.finish(Step::Connect, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    if !meta.is_file() {
        let f = Fail::new(
            Step::Connect,
            ErrorCode::PathInvalid,
            format!("{} is not a file.", path.display()),
            "Give the path of the database file itself.",
        );
        rec.finish(Step::Connect, StepStatus::Failed, f.message.clone());
        return Err(f);
    }
    let options = SqliteConnectOptions::from_str("sqlite://")
        .map_err(|e| {
            Fail::new(
                Step::Connect,
                ErrorCode::ConnectionFailed,
                e.to_string(),
                "",
            )
        })?
        .filename(path)
        .read_only(read_only)
        .create_if_missing(false)
        // Nothing that writes: the file's journal mode is left as it is (sqlx sets none
        // unless asked), and a read-only test cannot run a writing statement.
        .pragma("query_only", if read_only { "ON" } else { "OFF" });
    let mut conn = match options.connect().await {
        Ok(c) => c,
        Err(e) => {
            let f = classify(&e, path, Step::Connect);
            rec.finish(Step::Connect, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    rec.finish(
        Step::Connect,
        StepStatus::Ok,
        format!(
            "opened {} ({} bytes){}",
            path.display(),
            meta.len(),
            if read_only { ", read-only" } else { "" }
        ),
    );
    rec.push(
        Step::Tls,
        StepStatus::Skipped,
        Default::default(),
        "a local file: nothing crosses the network".into(),
    );
    rec.start(Step::Query);
    let row = sqlx::query(
        "SELECT sqlite_version(), (SELECT count(*) FROM sqlite_master WHERE type = 'table')",
    )
    .fetch_one(&mut conn)
    .await;
    let out = match row {
        Ok(row) => {
            let version: String = row.try_get(0).unwrap_or_default();
            let tables: i64 = row.try_get(1).unwrap_or_default();
            rec.finish(
                Step::Query,
                StepStatus::Ok,
                format!(
                    "SQLite {version}; {}",
                    switchboard_model::words::count(tables, "table", "tables")
                ),
            );
            Ok(ServerInfo {
                version: format!("SQLite {version}"),
                current_user: String::new(),
                current_database: path.display().to_string(),
                in_recovery: read_only,
            })
        }
        Err(e) => {
            let f = classify(&e, path, Step::Query);
            rec.finish(Step::Query, StepStatus::Failed, f.message.clone());
            Err(f)
        }
    };
    let _ = conn.close().await;
    out
}

fn classify(e: &sqlx::Error, path: &std::path::Path, step: Step) -> Fail {
    let text = e.to_string();
    if text.contains("file is not a database") || text.contains("not a database") {
        Fail::new(
            step,
            ErrorCode::ProtocolError,
            format!("{} is not an SQLite database.", path.display()),
            "Check the path: the file exists but holds something else.",
        )
    } else if text.contains("unable to open") || text.contains("readonly") {
        Fail::new(
            step,
            ErrorCode::PermissionDenied,
            format!("{} cannot be opened: {text}.", path.display()),
            "Check the file's permissions, or turn on Read-only.",
        )
    } else {
        Fail::new(
            step,
            ErrorCode::ConnectionFailed,
            format!("{} cannot be used: {text}.", path.display()),
            "Check the file.",
        )
    }
}
