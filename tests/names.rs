//! Names as people write them (issue 11): a display name that is any text, a handle that
//! is a slug, both unique, through the real parts: a SQLite file migrated from the schema
//! before handles existed, the core, the real `switchboard` binary and the real keychain
//! (gnome-keyring under dbus-run-session).

use switchboard_core::connstr::payloads::PayloadFormat;
use switchboard_core::connstr::ExportFormat;
use switchboard_core::model::{ConnectionFields, ConnectionUpdate, NewConnection, SecretChange};
use switchboard_core::store::{self, Store};
use switchboard_core::{CoreError, ErrorCode, Switchboard};
use switchboard_tests::cli::{all_output, json, run as cli};
use switchboard_tests::{data_dir, require_keyring_session};

fn fields(name: &str) -> ConnectionFields {
    ConnectionFields::postgres(name, "db.example.com", 5432, "orders", "app")
}

fn new(f: ConnectionFields) -> NewConnection {
    NewConnection {
        ssh_secrets: Default::default(),
        fields: f,
        password: None,
        client_key: None,
    }
}

async fn open(label: &str) -> (Switchboard, std::path::PathBuf) {
    require_keyring_session();
    let dir = data_dir(label);
    (Switchboard::open(&dir).await.expect("open"), dir)
}

/// Each issue's code and field.
fn issues(e: &CoreError) -> Vec<(ErrorCode, String)> {
    match e {
        CoreError::Validation(issues) => issues.iter().map(|i| (i.code, i.field.clone())).collect(),
        other => vec![(other.code(), String::new())],
    }
}

/// Builds the schema as the release before handles left it (migrations 0001–0006 only,
/// run by sqlx from a copy of those files) with two saved rows in it.
async fn data_dir_before_handles(label: &str) -> std::path::PathBuf {
    let dir = data_dir(label);
    let all = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../src-tauri/crates/core/migrations");
    let old = dir.join("migrations-0001-0006");
    std::fs::create_dir_all(&old).unwrap();
    for entry in std::fs::read_dir(&all).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.as_str() < "0007" {
            std::fs::copy(&path, old.join(&name)).unwrap();
        }
    }
    let url = format!("sqlite://{}?mode=rwc", dir.join(store::DB_FILE).display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let migrator = sqlx::migrate::Migrator::new(old.as_path()).await.unwrap();
    assert_eq!(migrator.iter().count(), 6, "the schema before handles");
    migrator.run(&pool).await.unwrap();
    for (id, name) in [
        ("7d2f6a52-3c1e-4b8a-9a51-0c1d2e3f4a5b", "prod-orders"),
        ("8e3a7b63-4d2f-4c9b-8b62-1d2e3f4a5b6c", "Billing_EU.v2"),
    ] {
        sqlx::query(
            "INSERT INTO connections (id, name, engine, host, port, database_name, username, \
             tls_mode, password_save, timeout_secs, created_at, updated_at, version) \
             VALUES (?, ?, 'postgres', 'db.example.com', 5432, 'orders', 'app', 'verify-full', \
             'none', 10, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 1)",
        )
        .bind(id)
        .bind(name)
        .execute(&pool)
        .await
        .unwrap();
    }
    pool.close().await;
    dir
}

#[tokio::test]
async fn rows_saved_before_handles_existed_get_their_name_as_handle_and_stay_unique() {
    require_keyring_session();
    let dir = data_dir_before_handles("names-migrated").await;
    let sb = Switchboard::open(&dir).await.expect("open migrates");
    let got: Vec<(String, String)> = sb
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.fields.name, c.fields.handle))
        .collect();
    assert_eq!(
        got,
        vec![
            ("Billing_EU.v2".to_owned(), "Billing_EU.v2".to_owned()),
            ("prod-orders".to_owned(), "prod-orders".to_owned()),
        ]
    );
    // The migrated name keys and handles are what uniqueness compares.
    let e = sb.create(new(fields("billing_eu.V2"))).await.unwrap_err();
    assert_eq!(issues(&e), vec![(ErrorCode::NameTaken, "name".into())]);
    let mut f = fields("Orders in production");
    f.handle = "PROD-ORDERS".into();
    let e = sb.create(new(f)).await.unwrap_err();
    assert_eq!(issues(&e), vec![(ErrorCode::HandleTaken, "handle".into())]);
    // And a migrated row is found by its handle.
    assert_eq!(
        sb.find("prod-orders").await.unwrap().fields.name,
        "prod-orders"
    );
}

#[tokio::test]
async fn unicode_display_names_are_saved_listed_and_unique_ignoring_case_and_spaces() {
    let (sb, dir) = open("names-unicode").await;
    let sklad = sb.create(new(fields("Склад"))).await.unwrap();
    assert_eq!(sklad.fields.handle, "sklad");
    let billing = sb.create(new(fields("billing (prod, EU)"))).await.unwrap();
    assert_eq!(billing.fields.handle, "billing-prod-eu");
    let e = sb.create(new(fields(" склад "))).await.unwrap_err();
    assert_eq!(issues(&e), vec![(ErrorCode::NameTaken, "name".into())]);
    // Renaming another connection onto it is refused the same way.
    let e = sb
        .update(ConnectionUpdate {
            ssh_secrets: Default::default(),
            id: billing.id,
            version: billing.version,
            fields: fields("СКЛАД"),
            password: SecretChange::Keep,
            client_key: SecretChange::Keep,
        })
        .await
        .unwrap_err();
    assert_eq!(issues(&e), vec![(ErrorCode::NameTaken, "name".into())]);
    // Read back from the file by a fresh store: the text is kept as written.
    let names: Vec<String> = Store::open(&dir)
        .await
        .unwrap()
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.fields.name)
        .collect();
    assert_eq!(names, vec!["billing (prod, EU)", "Склад"]);
    assert_eq!(sb.find("склад").await.unwrap().id, sklad.id);
}

#[tokio::test]
async fn a_derived_handle_is_made_free_and_a_given_one_must_be_a_free_slug() {
    let (sb, _) = open("names-handles").await;
    let first = sb.create(new(fields("billing (prod, EU)"))).await.unwrap();
    let second = sb.create(new(fields("Billing: prod / EU"))).await.unwrap();
    assert_eq!(first.fields.handle, "billing-prod-eu");
    assert_eq!(second.fields.handle, "billing-prod-eu-2");
    assert_eq!(
        sb.suggest_handle("BILLING prod EU", None).await.unwrap(),
        "billing-prod-eu-3"
    );
    assert_eq!(
        sb.suggest_handle("billing prod eu", Some(first.id))
            .await
            .unwrap(),
        "billing-prod-eu",
        "a connection's own handle is not taken for it"
    );
    let mut f = fields("Billing again");
    f.handle = "BILLING-PROD-EU".into();
    let e = sb.create(new(f.clone())).await.unwrap_err();
    assert_eq!(issues(&e), vec![(ErrorCode::HandleTaken, "handle".into())]);
    for (bad, code) in [
        ("billing again", ErrorCode::HandleInvalidChars),
        ("склад", ErrorCode::HandleInvalidChars),
        (&"h".repeat(65), ErrorCode::HandleTooLong),
    ] {
        f.handle = bad.to_owned();
        let e = sb.create(new(f.clone())).await.unwrap_err();
        assert_eq!(issues(&e), vec![(code, "handle".into())], "{bad}");
    }
    // An update may change the handle; a rename alone keeps it; an empty one is derived.
    let update = |c: &switchboard_core::model::Connection, f: ConnectionFields| ConnectionUpdate {
        ssh_secrets: Default::default(),
        id: c.id,
        version: c.version,
        fields: f,
        password: SecretChange::Keep,
        client_key: SecretChange::Keep,
    };
    let mut f = second.fields.clone();
    f.handle = "billing-eu-replica".into();
    let renamed = sb.update(update(&second, f)).await.unwrap();
    assert_eq!(renamed.fields.handle, "billing-eu-replica");
    let mut f = renamed.fields.clone();
    f.name = "Billing (replica)".into();
    let renamed = sb.update(update(&renamed, f)).await.unwrap();
    assert_eq!(renamed.fields.handle, "billing-eu-replica");
    let mut f = renamed.fields.clone();
    f.handle.clear();
    let derived = sb.update(update(&renamed, f)).await.unwrap();
    assert_eq!(derived.fields.handle, "billing-replica");
    // A copy gets a handle of its own.
    let copy = sb.duplicate(first.id).await.unwrap();
    assert_eq!(copy.fields.name, "billing (prod, EU)-copy");
    assert_eq!(copy.fields.handle, "billing-prod-eu-copy");
}

#[tokio::test]
async fn a_handle_clash_caught_by_the_store_is_handle_taken() {
    let (sb, dir) = open("names-store-clash").await;
    let existing = sb.create(new(fields("orders"))).await.unwrap();
    let store = Store::open(&dir).await.unwrap();
    let mut tx = store.pool().begin().await.unwrap();
    let mut clash = existing.clone();
    clash.id = uuid::Uuid::new_v4();
    clash.fields.name = "Orders, another".into();
    clash.fields.handle = "ORDERS".into();
    let e = store::insert(&mut tx, &clash).await.unwrap_err();
    assert_eq!(issues(&e), vec![(ErrorCode::HandleTaken, "handle".into())]);
}

#[tokio::test]
async fn infisical_carries_the_handle_and_lerian_the_display_name() {
    let (sb, _) = open("names-payloads").await;
    let c = sb.create(new(fields("billing (prod, EU)"))).await.unwrap();
    let inf = sb
        .export_text(c.id, ExportFormat::Infisical, false)
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&inf.text).unwrap();
    assert_eq!(body["name"], "billing-prod-eu");
    let ler = sb
        .export_text(c.id, ExportFormat::Lerian, false)
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&ler.text).unwrap();
    assert_eq!(body["configName"], "billing (prod, EU)");
    // An Infisical body's name becomes the handle (and, lacking another, the display name).
    let (imported, _) = sb
        .import_payload(
            PayloadFormat::Infisical,
            &serde_json::json!({"app": "postgres", "name": "ledger-eu", "credentials": {
                "host": "db.example.com", "port": 5432, "database": "ledger", "username": "app",
                "sslEnabled": true, "sslRejectUnauthorized": true}})
            .to_string(),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            imported.fields.name.as_str(),
            imported.fields.handle.as_str()
        ),
        ("ledger-eu", "ledger-eu")
    );
    // In a batch (a JSON list) a taken handle is made free, with a warning; a Lerian item
    // without a handle gets one from its configName.
    let list = serde_json::json!([
        {"app": "postgres", "name": "billing-prod-eu", "credentials": {
            "host": "db2.example.com", "port": 5432, "database": "billing", "username": "app",
            "sslEnabled": true, "sslRejectUnauthorized": true}},
        {"configName": "Склад (archive)", "type": "POSTGRESQL", "host": "db3.example.com",
            "port": 5432, "databaseName": "stock", "userName": "app"}
    ])
    .to_string();
    let preview = sb
        .preview_batch(switchboard_core::imports::Batch::Text(&list))
        .await
        .unwrap();
    let handles: Vec<&str> = preview
        .rows
        .iter()
        .map(|r| r.fields.as_ref().unwrap().handle.as_str())
        .collect();
    assert_eq!(handles, vec!["billing-prod-eu-2", "sklad-archive"]);
    assert!(
        preview.rows[0]
            .warnings
            .iter()
            .any(|w| w.contains("handle changed from billing-prod-eu to billing-prod-eu-2")),
        "{:?}",
        preview.rows[0].warnings
    );
}

#[test]
fn the_cli_takes_a_handle_or_a_display_name_and_the_handle_wins() {
    require_keyring_session();
    let dir = data_dir("names-cli");
    let add = |name: &str, handle: Option<&str>| {
        let mut args = vec![
            "add",
            "--name",
            name,
            "--host",
            "db.example.com",
            "--database",
            "orders",
            "--username",
            "app",
            "--password-save",
            "none",
            "--json",
        ];
        if let Some(h) = handle {
            args.extend(["--handle", h]);
        }
        let o = cli(&dir, &args, None, &[]);
        assert!(o.status.success(), "{}", all_output(&o));
        json(&o)
    };
    let sklad = add("Склад", None);
    assert_eq!(sklad["handle"], "sklad");
    // One connection's handle is another's display name.
    let a = add("Primary orders", Some("orders"));
    let b = add("orders", Some("orders-archive"));
    let show = |what: &str| json(&cli(&dir, &["show", what, "--json"], None, &[]));
    assert_eq!(show("orders")["id"], a["id"], "the handle wins");
    assert_eq!(show("ORDERS")["id"], a["id"], "handles ignore case");
    assert_eq!(show("orders-archive")["id"], b["id"]);
    assert_eq!(show("Primary orders")["id"], a["id"], "the display name");
    assert_eq!(show("склад")["id"], sklad["id"], "ignoring Unicode case");
    // list: the handle and the display name, in text and JSON.
    let listed = cli(&dir, &["list"], None, &[]);
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("sklad ") && l.contains("Склад")),
        "{text}"
    );
    let listed = json(&cli(&dir, &["list", "--json"], None, &[]));
    let handles: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["handle"].as_str().unwrap())
        .collect();
    assert_eq!(handles, vec!["orders-archive", "orders", "sklad"]);
    // update changes the handle; a bad one is refused with its code on its field.
    let o = cli(
        &dir,
        &["update", "sklad", "--handle", "warehouse", "--json"],
        None,
        &[],
    );
    assert!(o.status.success(), "{}", all_output(&o));
    assert_eq!(show("warehouse")["name"], "Склад");
    let o = cli(
        &dir,
        &["update", "warehouse", "--handle", "ware house", "--json"],
        None,
        &[],
    );
    assert!(!o.status.success());
    let e = json(&o);
    assert_eq!(e["error"]["issues"][0]["code"], "handle_invalid_chars");
    assert_eq!(e["error"]["issues"][0]["field"], "handle");
    // export by display name, Infisical by handle.
    let o = cli(
        &dir,
        &["export", "Primary orders", "--format", "infisical"],
        None,
        &[],
    );
    assert!(o.status.success(), "{}", all_output(&o));
    assert_eq!(json(&o)["name"], "orders");
    // delete: many at once, by handle and by display name.
    let o = cli(
        &dir,
        &["delete", "orders", "Склад", "--yes", "--json"],
        None,
        &[],
    );
    assert!(o.status.success(), "{}", all_output(&o));
    let left = json(&cli(&dir, &["list", "--json"], None, &[]));
    assert_eq!(left.as_array().unwrap().len(), 1);
    assert_eq!(left[0]["id"], b["id"]);
}
