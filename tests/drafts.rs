//! A pasted string's secrets held by the core behind the draft's token: Save and Test take
//! them from there (the string is not parsed, nor its files read, again), typed values
//! win, a connection that asks every time keeps no pasted password, and a token the core
//! no longer holds is refused with `draft_expired`. Real SQLite, the real Secret Service,
//! the throwaway PostgreSQL.

use std::time::{Duration, Instant};

use switchboard_core::cancel::Cancel;
use switchboard_core::connections::TestControl;
use switchboard_core::drafts::{DraftToken, DRAFTS_HELD};
use switchboard_core::keychain::{Keychain, SecretKind, SecretRef};
use switchboard_core::model::{ConnectionFields, ConnectionUpdate, NewConnection, PasswordSave};
use switchboard_core::{CoreError, ErrorCode, Switchboard};
use switchboard_tests::ca::TestCa;
use switchboard_tests::pg::{PgServer, APP_DB, APP_USER};
use switchboard_tests::{data_dir, net, require_keyring_session, test_password, test_root};

async fn open(label: &str) -> Switchboard {
    require_keyring_session();
    Switchboard::open(&data_dir(label)).await.expect("open")
}

fn new(fields: ConnectionFields) -> NewConnection {
    NewConnection {
        ssh_secrets: Default::default(),
        fields,
        password: None,
        client_key: None,
    }
}

fn code(r: Result<impl std::fmt::Debug, CoreError>) -> ErrorCode {
    r.expect_err("refused").code()
}

/// A keyword=value string (no percent-encoding: test passwords hold no quote).
fn pasted(name: &str, password: &str) -> String {
    format!(
        "host=db.example.com dbname=orders user=app password='{password}' application_name={name}"
    )
}

#[tokio::test]
async fn save_after_paste_keeps_the_pasted_key_even_once_its_file_is_gone() {
    let sb = open("drafts-files").await;
    let pw = test_password("drafts-files");
    let client = TestCa::new("drafts").client("app");
    let dir = test_root().join(format!("drafts-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert, key) = (dir.join("client.crt"), dir.join("client.key"));
    std::fs::write(&cert, &client.cert_pem).unwrap();
    std::fs::write(&key, &client.key_pem).unwrap();
    let input = format!(
        "host=db.example.com dbname=orders user=app password='{pw}' sslmode=require sslcert={} sslkey={}",
        cert.display(),
        key.display()
    );
    let draft = sb.parse_draft(&input).await.unwrap();
    assert!(draft.has_password && draft.has_client_key, "{draft:?}");
    let token = draft.token.clone().expect("a token for the held secrets");
    // Between the paste and Save the files go away: Save reads neither the string nor them.
    std::fs::remove_dir_all(&dir).unwrap();
    let mut fields = draft.fields.clone();
    fields.name = "pasted-mtls".into();
    let saved = sb
        .create_from(new(fields.clone()), Some(&token))
        .await
        .unwrap();
    assert!(saved.has_saved_password && saved.has_client_key);
    assert_eq!(sb.reveal_password(saved.id).await.unwrap().expose(), pw);
    let stored_key = Keychain::new()
        .get(&SecretRef::new(
            SecretKind::ClientKey,
            saved.id,
            "pasted-mtls",
        ))
        .unwrap()
        .unwrap();
    assert_eq!(stored_key.expose(), client.key_pem);
    // Saved, the draft's secrets are let go.
    fields.name = "pasted-mtls-again".into();
    let again = sb.create_from(new(fields), Some(&token)).await;
    assert_eq!(code(again), ErrorCode::DraftExpired);
}

#[tokio::test]
async fn an_unknown_or_evicted_token_is_refused_with_draft_expired_and_nothing_is_saved() {
    let sb = open("drafts-expired").await;
    let unknown: DraftToken = serde_json::from_value(serde_json::json!("no-such-draft")).unwrap();
    let fields = ConnectionFields::postgres("never-saved", "db.example.com", 5432, "orders", "app");
    let e = sb
        .create_from(new(fields.clone()), Some(&unknown))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::DraftExpired);
    assert!(e.to_api().hint.contains("Paste the string again"), "{e:?}");
    assert!(sb.list().await.unwrap().is_empty());
    let report = sb
        .test_draft(
            fields,
            None,
            None,
            Some(&unknown),
            None,
            TestControl::default(),
        )
        .await;
    assert_eq!(code(report), ErrorCode::DraftExpired);

    // Only the last DRAFTS_HELD pasted strings are held: the oldest goes first.
    let pw = test_password("drafts-evicted");
    let mut tokens = Vec::new();
    for i in 0..=DRAFTS_HELD {
        let draft = sb
            .parse_draft(&pasted(&format!("d{i}"), &pw))
            .await
            .unwrap();
        tokens.push(draft.token.unwrap());
    }
    let f = |name: &str| ConnectionFields::postgres(name, "db.example.com", 5432, "orders", "app");
    let oldest = sb.create_from(new(f("oldest")), Some(&tokens[0])).await;
    assert_eq!(code(oldest), ErrorCode::DraftExpired);
    let newest = sb
        .create_from(new(f("newest")), tokens.last())
        .await
        .unwrap();
    assert_eq!(sb.reveal_password(newest.id).await.unwrap().expose(), pw);
}

#[tokio::test]
async fn typed_secrets_win_and_a_connection_that_asks_every_time_keeps_no_pasted_password() {
    let sb = open("drafts-rules").await;
    let pw = test_password("drafts-pasted");
    let typed = test_password("drafts-typed");
    let f = |name: &str| ConnectionFields::postgres(name, "db.example.com", 5432, "orders", "app");

    let token = sb.parse_draft(&pasted("a", &pw)).await.unwrap().token;
    let mut input = new(f("typed-wins"));
    input.password = Some(switchboard_core::Secret::new(typed.clone()));
    let c = sb.create_from(input, token.as_ref()).await.unwrap();
    assert_eq!(sb.reveal_password(c.id).await.unwrap().expose(), typed);

    // Set to ask every time: the pasted password is not kept (and is no error).
    let token = sb.parse_draft(&pasted("b", &pw)).await.unwrap().token;
    let mut asks = f("asks");
    asks.password_save = PasswordSave::Ask;
    let c = sb.create_from(new(asks), token.as_ref()).await.unwrap();
    assert!(!c.has_saved_password);

    // On edit, a password left as it was takes the pasted one.
    let plain = sb.create(new(f("edited"))).await.unwrap();
    assert!(!plain.has_saved_password);
    let token = sb.parse_draft(&pasted("c", &pw)).await.unwrap().token;
    let u = ConnectionUpdate {
        ssh_secrets: Default::default(),
        id: plain.id,
        version: plain.version,
        fields: plain.fields.clone(),
        password: Default::default(),
        client_key: Default::default(),
    };
    let edited = sb.update_from(u, token.as_ref()).await.unwrap();
    assert!(edited.has_saved_password);
    assert_eq!(sb.reveal_password(edited.id).await.unwrap().expose(), pw);
}

#[tokio::test]
async fn a_draft_tests_with_its_pasted_password_and_stays_held_for_save() {
    let sb = open("drafts-test").await;
    let pg = PgServer::shared();
    let ca = test_root().join(format!("drafts-ca-{}.pem", std::process::id()));
    std::fs::write(&ca, &pg.ca.cert_pem).unwrap();
    let input = format!(
        "host=localhost port={} dbname={APP_DB} user={APP_USER} password='{}' sslmode=verify-full sslrootcert={} connect_timeout=5",
        pg.port,
        pg.app_password,
        ca.display()
    );
    let draft = sb.parse_draft(&input).await.unwrap();
    let token = draft.token.clone();
    let report = sb
        .test_draft(
            draft.fields.clone(),
            None,
            None,
            token.as_ref(),
            None,
            TestControl::default(),
        )
        .await
        .unwrap();
    assert!(report.ok, "{report:#?}");
    // Without the token the same fields have no password.
    let report = sb
        .test_draft(
            draft.fields.clone(),
            None,
            None,
            None,
            None,
            TestControl::default(),
        )
        .await
        .unwrap();
    assert!(!report.ok);
    // The test did not use the draft up: Save still finds it.
    let saved = sb
        .create_from(new(draft.fields), token.as_ref())
        .await
        .unwrap();
    assert_eq!(
        sb.reveal_password(saved.id).await.unwrap().expose(),
        pg.app_password
    );
}

#[tokio::test]
async fn a_cancel_stops_a_draft_test_at_once_and_the_report_says_cancelled() {
    let sb = open("drafts-cancel").await;
    let silent = net::silent_listener();
    let mut fields =
        ConnectionFields::postgres("hangs", "127.0.0.1", u32::from(silent.port()), "x", "x");
    fields.timeout_secs = 30;
    let cancel = Cancel::new();
    let control = TestControl {
        progress: None,
        cancel: cancel.clone(),
        ..Default::default()
    };
    let started = Instant::now();
    let stop = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        cancel.cancel();
    });
    let report = sb
        .test_draft(fields, None, None, None, None, control)
        .await
        .unwrap();
    stop.await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        report.error_code(),
        Some(ErrorCode::Cancelled),
        "{report:#?}"
    );
}

#[tokio::test]
async fn test_of_a_saved_connections_form_tests_its_unsaved_edits_with_the_keychain_password() {
    let sb = open("drafts-test-edits").await;
    let pg = PgServer::shared();
    let mut fields =
        ConnectionFields::postgres("edited", "localhost", u32::from(pg.port), APP_DB, APP_USER);
    fields.tls.ca_pem = Some(pg.ca.cert_pem.clone());
    fields.timeout_secs = 5;
    let saved = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: fields.clone(),
            password: Some(switchboard_core::Secret::new(&pg.app_password)),
            client_key: None,
        })
        .await
        .unwrap();

    // The form as saved, no password typed: the keychain's is used, and the result is
    // remembered as the connection's.
    let report = sb
        .test_draft(
            fields.clone(),
            None,
            None,
            None,
            Some(saved.id),
            TestControl::default(),
        )
        .await
        .unwrap();
    assert!(report.ok, "{report:#?}");
    assert!(report.checks.iter().all(|c| c.name != "unsaved_edits"));
    let last = sb.last_tests().await.unwrap();
    assert!(last.iter().any(|l| l.connection_id == saved.id && l.ok));

    // Host and port edited, not saved: those are what is tested (and fail), the report says
    // they are unsaved, and the saved connection's last result is not touched.
    let mut edited = fields.clone();
    edited.host = "no-such-host.invalid".into();
    edited.port = 1;
    edited.description = Some("a label changes nothing a test does".into());
    let report = sb
        .test_draft(
            edited,
            None,
            None,
            None,
            Some(saved.id),
            TestControl::default(),
        )
        .await
        .unwrap();
    assert!(
        !report.ok,
        "the edits were tested, not the saved settings: {report:#?}"
    );
    let note = report
        .checks
        .iter()
        .find(|c| c.name == "unsaved_edits")
        .expect("the report names the unsaved edits");
    assert!(note.detail.contains("host, port are not saved"), "{note:?}");
    assert!(!note.detail.contains("description"), "{note:?}");
    let last = sb.last_tests().await.unwrap();
    assert!(last.iter().any(|l| l.connection_id == saved.id && l.ok));
    assert_eq!(sb.get(saved.id).await.unwrap().fields.host, "localhost");
}

#[tokio::test]
async fn a_stale_edit_is_rebased_on_the_saved_version_with_spelling_ignored_and_conflicts_named() {
    let sb = open("rebase").await;
    let mut f = ConnectionFields::postgres("rebase-me", "db.example.com", 5432, "orders", "app");
    f.password_save = PasswordSave::None;
    let saved = sb.create(new(f.clone())).await.unwrap();
    let base = saved.fields.clone();
    // Elsewhere: port and database change.
    let mut theirs = base.clone();
    theirs.port = 6432;
    theirs.database = "orders_archive".into();
    let now = sb
        .update(ConnectionUpdate {
            ssh_secrets: Default::default(),
            id: saved.id,
            version: saved.version,
            fields: theirs,
            password: Default::default(),
            client_key: Default::default(),
        })
        .await
        .unwrap();
    // Here: the host (typed with spaces, which saving trims) and the database.
    let mut mine = base.clone();
    mine.host = "  db2.example.com ".into();
    mine.database = "orders_v2".into();
    let r = sb
        .rebase(saved.id, base.clone(), mine.clone(), &[])
        .await
        .unwrap();
    assert_eq!(r.saved.version, now.version);
    assert_eq!(
        (
            r.fields.host.as_str(),
            r.fields.port,
            r.fields.database.as_str()
        ),
        ("db2.example.com", 6432, "orders_v2")
    );
    let named: Vec<(&str, bool)> = r
        .changes
        .iter()
        .map(|c| (c.field.as_str(), c.conflict))
        .collect();
    assert_eq!(named, [("database", true), ("port", false)]);
    let r = sb
        .rebase(saved.id, base.clone(), mine.clone(), &["database".into()])
        .await
        .unwrap();
    assert_eq!(r.fields.database, "orders_archive");
    // The merged fields save against the version the rebase names.
    let merged = sb
        .update(ConnectionUpdate {
            ssh_secrets: Default::default(),
            id: saved.id,
            version: r.saved.version,
            fields: r.fields,
            password: Default::default(),
            client_key: Default::default(),
        })
        .await
        .unwrap();
    assert_eq!(merged.fields.port, 6432);
    sb.delete(saved.id).await.unwrap();
    assert_eq!(
        code(sb.rebase(saved.id, base, mine, &[]).await),
        ErrorCode::NotFound
    );
}
