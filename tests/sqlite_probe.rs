//! The SQLite live test against real database files made here with sqlx.

use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection, Executor};
use switchboard_core::model::{Engine, OptionValue, TlsMode};
use switchboard_core::probe::{self, report::StepStatus, ProbeTarget};
use switchboard_core::ErrorCode;
use switchboard_tests::test_root;

fn target(path: &std::path::Path, read_only: bool) -> ProbeTarget {
    let mut options = switchboard_core::model::Options::new();
    options.insert("read_only".into(), OptionValue::Bool(read_only));
    ProbeTarget {
        database: path.display().to_string(),
        options,
        ..ProbeTarget::new(Engine::Sqlite, "", 0, TlsMode::Disable)
    }
}

async fn make_db(name: &str, wal: bool) -> std::path::PathBuf {
    let path = test_root().join(format!("{name}-{}.db", uuid::Uuid::new_v4().simple()));
    let mut opts = SqliteConnectOptions::from_str("sqlite://")
        .unwrap()
        .filename(&path)
        .create_if_missing(true);
    if wal {
        opts = opts.journal_mode(SqliteJournalMode::Wal);
    }
    let mut c = opts.connect().await.unwrap();
    c.execute("CREATE TABLE a (x INTEGER); CREATE TABLE b (y TEXT); INSERT INTO a VALUES (1);")
        .await
        .unwrap();
    c.close().await.unwrap();
    path
}

#[tokio::test]
async fn a_database_file_opens_read_only_and_reports_version_and_tables_without_changing_it() {
    let path = make_db("ok", true).await;
    let before = std::fs::read(&path).unwrap();
    let r = probe::run(&target(&path, true)).await;
    assert!(r.ok, "{r:?}");
    let query = r
        .steps
        .iter()
        .find(|s| s.detail.starts_with("SQLite "))
        .unwrap();
    assert!(query.detail.contains("2 tables"), "{}", query.detail);
    assert_eq!(r.steps[1].status, StepStatus::Skipped, "no TLS for a file");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "a test must not write the file"
    );
    assert!(r.server.unwrap().in_recovery, "read-only is reported");
}

#[tokio::test]
async fn a_missing_file_is_an_error_and_is_not_created() {
    let path = test_root().join(format!("missing-{}.db", uuid::Uuid::new_v4().simple()));
    for read_only in [true, false] {
        let r = probe::run(&target(&path, read_only)).await;
        assert_eq!(
            r.error.as_ref().unwrap().code,
            ErrorCode::DatabaseNotFound,
            "{r:?}"
        );
        assert!(!path.exists(), "no empty database may appear");
    }
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_named_as_such() {
    let path = test_root().join(format!("notes-{}.db", uuid::Uuid::new_v4().simple()));
    std::fs::write(
        &path,
        "these are my notes, not a database, and long enough to matter ".repeat(20),
    )
    .unwrap();
    let r = probe::run(&target(&path, true)).await;
    assert_eq!(
        r.error.as_ref().unwrap().code,
        ErrorCode::ProtocolError,
        "{r:?}"
    );
    let dir = test_root();
    let r = probe::run(&target(&dir, true)).await;
    assert_eq!(
        r.error.as_ref().unwrap().code,
        ErrorCode::PathInvalid,
        "{r:?}"
    );
}

#[tokio::test]
async fn read_write_mode_opens_a_wal_database_and_leaves_its_journal_mode() {
    let path = make_db("rw", true).await;
    let r = probe::run(&target(&path, false)).await;
    assert!(r.ok, "{r:?}");
    let mut c = SqliteConnectOptions::from_str("sqlite://")
        .unwrap()
        .filename(&path)
        .connect()
        .await
        .unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
}
