//! Organising many connections through the core, against a real SQLite file and the real
//! Secret Service: folders (kept empty, renamed with their contents, deleted either way),
//! changes to a selection in one transaction, favourites and last use, and a delete that
//! Undo puts back whole — rows, keychain entries, last tests and favourites.

use switchboard_core::model::{ConnectionFields, Environment, NewConnection};
use switchboard_core::organise::{BulkChange, FolderContents};
use switchboard_core::store::LastTest;
use switchboard_core::{CoreError, ErrorCode, Secret, Switchboard};
use switchboard_tests::{data_dir, require_keyring_session, test_password};
use uuid::Uuid;

async fn open(label: &str) -> Switchboard {
    require_keyring_session();
    Switchboard::open(&data_dir(label)).await.expect("open")
}

async fn add(sb: &Switchboard, name: &str, folder: &str, password: Option<&str>) -> Uuid {
    let mut fields = ConnectionFields::postgres(name, "db.example.test", 5432, "d", "u");
    fields.folder = folder.into();
    sb.create(NewConnection {
        fields,
        password: password.map(|p| Secret::new(p.to_owned())),
        client_key: None,
        ssh_secrets: Default::default(),
    })
    .await
    .expect("create")
    .id
}

async fn folder_of(sb: &Switchboard, id: Uuid) -> String {
    sb.get(id).await.expect("get").fields.folder
}

fn code(e: &CoreError) -> ErrorCode {
    match e {
        CoreError::Validation(issues) => issues[0].code,
        other => other.code(),
    }
}

#[tokio::test]
async fn an_empty_folder_is_kept_listed_and_refused_twice() {
    let sb = open("org-empty").await;
    assert_eq!(
        sb.create_folder(" Payments / EU ").await.unwrap(),
        "Payments/EU"
    );
    let listing = sb.summaries().await.unwrap();
    assert_eq!(listing.folders.len(), 1);
    assert_eq!(listing.folders[0].path, "Payments/EU");
    let again = sb.create_folder("Payments/EU").await.unwrap_err();
    assert_eq!(code(&again), ErrorCode::FolderExists);
    let deep = sb.create_folder("a/b/c/d/e/f/g/h/i").await.unwrap_err();
    assert_eq!(code(&deep), ErrorCode::FolderInvalid);
    sb.set_folder_collapsed("Payments/EU", true).await.unwrap();
    let listing = sb.summaries().await.unwrap();
    assert!(listing.folders[0].collapsed, "collapse is remembered");
}

#[tokio::test]
async fn renaming_a_folder_moves_its_connections_and_subfolders_but_not_a_namesake_prefix() {
    let sb = open("org-rename").await;
    let a = add(&sb, "a", "Pay", None).await;
    let b = add(&sb, "b", "Pay/EU/prod", None).await;
    let c = add(&sb, "c", "Payroll", None).await;
    sb.create_folder("Pay/US").await.unwrap();
    sb.set_folder_collapsed("Pay/EU", true).await.unwrap();
    let version_before = sb.get(b).await.unwrap().version;
    assert_eq!(sb.rename_folder("Pay", "Billing/Cards").await.unwrap(), 2);
    assert_eq!(folder_of(&sb, a).await, "Billing/Cards");
    assert_eq!(folder_of(&sb, b).await, "Billing/Cards/EU/prod");
    assert_eq!(folder_of(&sb, c).await, "Payroll");
    assert_eq!(
        sb.get(b).await.unwrap().version,
        version_before + 1,
        "a move is an edit"
    );
    let kept: Vec<(String, bool)> = sb
        .summaries()
        .await
        .unwrap()
        .folders
        .into_iter()
        .map(|f| (f.path, f.collapsed))
        .collect();
    assert!(
        kept.contains(&("Billing/Cards/US".into(), false)),
        "{kept:?}"
    );
    assert!(
        kept.contains(&("Billing/Cards/EU".into(), true)),
        "{kept:?}"
    );
    assert!(!kept.iter().any(|(p, _)| p.starts_with("Pay/")), "{kept:?}");
    let into_itself = sb.rename_folder("Billing", "Billing/x").await.unwrap_err();
    assert_eq!(code(&into_itself), ErrorCode::FolderInvalid);
    let onto = sb.rename_folder("Billing", "Payroll").await.unwrap_err();
    assert_eq!(code(&onto), ErrorCode::FolderExists);
    let missing = sb.rename_folder("Nope", "Other").await.unwrap_err();
    assert_eq!(code(&missing), ErrorCode::NotFound);
}

#[tokio::test]
async fn deleting_a_folder_moves_its_contents_up_or_deletes_them_with_undo() {
    let sb = open("org-delete-folder").await;
    let a = add(&sb, "a", "Ops/EU", None).await;
    let b = add(&sb, "b", "Ops/EU/replicas", None).await;
    assert!(sb
        .delete_folder("Ops/EU", FolderContents::MoveUp)
        .await
        .unwrap()
        .is_none());
    assert_eq!(folder_of(&sb, a).await, "Ops");
    assert_eq!(folder_of(&sb, b).await, "Ops/replicas");

    let pw = test_password("folder-delete");
    let c = add(&sb, "c", "Ops/replicas", Some(&pw)).await;
    let deleted = sb
        .delete_folder("Ops/replicas", FolderContents::Delete)
        .await
        .unwrap()
        .expect("connections were deleted");
    assert_eq!(deleted.count, 2);
    assert!(sb.get(b).await.is_err() && sb.get(c).await.is_err());
    assert_eq!(
        folder_of(&sb, a).await,
        "Ops",
        "outside the folder, untouched"
    );
    let back = sb.undo_delete(&deleted.undo_token).await.unwrap();
    assert_eq!(back.len(), 2);
    assert_eq!(folder_of(&sb, c).await, "Ops/replicas");
    assert_eq!(
        sb.reveal_password(c).await.unwrap().expose(),
        pw,
        "the keychain entry is back"
    );
}

#[tokio::test]
async fn a_change_to_a_selection_is_all_or_nothing() {
    let sb = open("org-bulk").await;
    let ids = [
        add(&sb, "s1", "", None).await,
        add(&sb, "s2", "Old", None).await,
        add(&sb, "s3", "", None).await,
    ];
    let n = sb
        .change_many(
            &ids,
            BulkChange::Move {
                folder: "New/Place".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(n, 3);
    for id in ids {
        assert_eq!(folder_of(&sb, id).await, "New/Place");
    }
    sb.change_many(
        &ids,
        BulkChange::Environment {
            environment: Some(Environment::Production),
        },
    )
    .await
    .unwrap();
    sb.change_many(&ids[..2], BulkChange::AddTag { tag: "eu".into() })
        .await
        .unwrap();
    let tagged = sb.get(ids[0]).await.unwrap().fields;
    assert_eq!(tagged.environment, Some(Environment::Production));
    assert_eq!(tagged.tags, vec!["eu"]);
    // Adding a tag twice keeps one.
    sb.change_many(&ids[..1], BulkChange::AddTag { tag: "EU".into() })
        .await
        .unwrap();
    assert_eq!(sb.get(ids[0]).await.unwrap().fields.tags, vec!["eu"]);

    // One bad value: nothing changes, and the error names the connection and the rule.
    let bad = sb
        .change_many(&ids, BulkChange::AddTag { tag: "a,b".into() })
        .await
        .unwrap_err();
    let CoreError::Validation(issues) = &bad else {
        panic!("{bad:?}")
    };
    assert_eq!(issues[0].code, ErrorCode::TagInvalid);
    assert!(
        issues[0].message.starts_with("s1: "),
        "{}",
        issues[0].message
    );
    assert_eq!(
        sb.get(ids[2]).await.unwrap().fields.tags,
        Vec::<String>::new()
    );

    // One id missing: nothing moves.
    let mut with_missing = ids.to_vec();
    with_missing.push(Uuid::new_v4());
    let missing = sb
        .change_many(
            &with_missing,
            BulkChange::Move {
                folder: "Elsewhere".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(missing.code(), ErrorCode::NotFound);
    assert_eq!(folder_of(&sb, ids[0]).await, "New/Place");
    sb.change_many(&ids, BulkChange::RemoveTag { tag: "EU".into() })
        .await
        .unwrap();
    assert_eq!(
        sb.get(ids[1]).await.unwrap().fields.tags,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn favourites_and_last_use_are_listed_without_bumping_the_version() {
    let sb = open("org-usage").await;
    let id = add(&sb, "fav", "", None).await;
    let other = add(&sb, "plain", "", None).await;
    sb.set_favourite(id, true).await.unwrap();
    sb.mark_used(id).await.unwrap();
    let rows = sb.summaries().await.unwrap().connections;
    let fav = rows.iter().find(|r| r.id == id).unwrap();
    assert!(fav.favourite && fav.used_at.is_some());
    let plain = rows.iter().find(|r| r.id == other).unwrap();
    assert!(!plain.favourite && plain.used_at.is_none());
    assert_eq!(sb.get(id).await.unwrap().version, 1);
    assert_eq!(
        sb.set_favourite(Uuid::new_v4(), true)
            .await
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn undo_puts_back_rows_secrets_last_tests_and_favourites_once() {
    let sb = open("org-undo").await;
    let pw = test_password("undo");
    let id = add(&sb, "gone", "F", Some(&pw)).await;
    let keep = add(&sb, "stays", "", None).await;
    sb.set_favourite(id, true).await.unwrap();
    let test = LastTest {
        connection_id: id,
        ok: true,
        code: None,
        step: None,
        message: None,
        total_ms: 12.0,
        tested_at: "2026-12-01T10:00:00Z".into(),
        tls_version: Some("TLSv1.3".into()),
        tls_verified: Some(true),
        cert_not_after: Some("2027-01-01T00:00:00Z".into()),
        server_version: Some("PostgreSQL 17".into()),
    };
    sb.store().record_test(id, &test).await.unwrap();
    let before = sb.get(id).await.unwrap();
    let deleted = sb.delete_with_undo(&[id]).await.unwrap();
    assert_eq!(
        (deleted.count, deleted.names.clone()),
        (1, vec!["gone".to_owned()])
    );
    let json = serde_json::to_string(&deleted).unwrap();
    assert!(!json.contains(&pw), "the token answer holds no secret");
    assert!(
        sb.reveal_password(id).await.is_err(),
        "the keychain entry went with the row"
    );
    assert_eq!(sb.summaries().await.unwrap().connections.len(), 1);

    assert_eq!(sb.undo_delete(&deleted.undo_token).await.unwrap(), vec![id]);
    assert_eq!(sb.get(id).await.unwrap(), before);
    assert_eq!(sb.reveal_password(id).await.unwrap().expose(), pw);
    let tests = sb.last_tests().await.unwrap();
    assert_eq!(tests.iter().find(|t| t.connection_id == id), Some(&test));
    let row = sb.summaries().await.unwrap().connections;
    assert!(row.iter().find(|r| r.id == id).unwrap().favourite);
    assert!(row.iter().any(|r| r.id == keep));

    let twice = sb.undo_delete(&deleted.undo_token).await.unwrap_err();
    assert_eq!(twice.code(), ErrorCode::UndoExpired);
}

#[tokio::test]
async fn an_exported_list_carries_empty_folders_and_an_import_keeps_them() {
    let from = open("organise-export-folders-from").await;
    add(&from, "ledger", "Payments", None).await;
    add(&from, "scratch", "", None).await;
    from.create_folder("Payments/Archive/2025").await.unwrap();
    from.create_folder("Sandbox").await.unwrap();

    // Everything: every folder, empty ones too.
    let all: serde_json::Value =
        serde_json::from_str(&from.export_list(&[], None).await.unwrap()).unwrap();
    assert_eq!(
        all["folders"],
        serde_json::json!(["Payments", "Payments/Archive/2025", "Sandbox"])
    );
    // A folder's connections: the folders within it, not the others.
    let ledger = from.find("ledger").await.unwrap().id;
    let payments: serde_json::Value =
        serde_json::from_str(&from.export_list(&[ledger], Some("Payments")).await.unwrap())
            .unwrap();
    assert_eq!(
        payments["folders"],
        serde_json::json!(["Payments", "Payments/Archive/2025"])
    );

    // Imported elsewhere: the empty folders exist there, and the preview says which.
    let to = open("organise-export-folders-to").await;
    let text = all.to_string();
    let preview = to
        .preview_batch(switchboard_core::imports::Batch::Text(&text))
        .await
        .unwrap();
    assert_eq!(preview.folders.len(), 3, "{:?}", preview.folders);
    to.import_batch(switchboard_core::imports::Batch::Text(&text), None)
        .await
        .unwrap();
    let kept: Vec<String> = to
        .summaries()
        .await
        .unwrap()
        .folders
        .into_iter()
        .map(|f| f.path)
        .collect();
    assert!(
        kept.contains(&"Payments/Archive/2025".to_owned()),
        "{kept:?}"
    );
    assert!(kept.contains(&"Sandbox".to_owned()), "{kept:?}");

    // A folder path no folder can have is refused, naming it; nothing is saved.
    let mut bad = all.clone();
    bad["folders"] = serde_json::json!(["a/b/c/d/e/f/g/h/i"]);
    let third = open("organise-export-folders-bad").await;
    let err = third
        .preview_batch(switchboard_core::imports::Batch::Text(&bad.to_string()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::PayloadInvalid);
    assert!(err.to_string().contains("folders[0]"), "{err}");
}
