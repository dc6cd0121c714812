//! Saved connections end to end through the core: a real SQLite file, the real Secret
//! Service (gnome-keyring under dbus-run-session) and the throwaway PostgreSQL.

use switchboard_core::imports::RowStatus;
use switchboard_core::keychain::{Keychain, SecretRef};
use switchboard_core::model::{
    ConnectionFields, ConnectionUpdate, NewConnection, PasswordSave, SecretChange, TlsMode,
};
use switchboard_core::store::{self, Store};
use switchboard_core::{CoreError, ErrorCode, Secret, Switchboard};
use switchboard_tests::pg::{PgServer, APP_DB, APP_USER};
use switchboard_tests::{data_dir, require_keyring_session, test_password};

fn fields(name: &str) -> ConnectionFields {
    ConnectionFields::postgres(name, "db.example.com", 5432, "orders", "app")
}

async fn open(label: &str) -> (Switchboard, std::path::PathBuf) {
    require_keyring_session();
    let dir = data_dir(label);
    (Switchboard::open(&dir).await.expect("open"), dir)
}

fn codes(e: &CoreError) -> Vec<ErrorCode> {
    match e {
        CoreError::Validation(issues) => issues.iter().map(|i| i.code).collect(),
        other => vec![other.code()],
    }
}

#[tokio::test]
async fn created_connection_round_trips_and_its_password_is_only_in_the_keychain() {
    let (sb, dir) = open("roundtrip").await;
    let pw = test_password("roundtrip");
    let mut f = fields("Orders-Prod");
    f.description = Some("primary orders database".into());
    f.tls.mode = TlsMode::VerifyCa;
    f.tls.ca_pem = Some(PgServer::shared().ca.cert_pem.clone());
    let c = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: f.clone(),
            password: Some(Secret::new(pw.clone())),
            client_key: None,
        })
        .await
        .unwrap();
    assert_eq!(c.version, 1);
    assert!(c.has_saved_password);
    let got = sb.get(c.id).await.unwrap();
    assert_eq!(got, c);
    f.handle = "orders-prod".into(); // derived from the name
    assert_eq!(got.fields, f);
    assert_eq!(sb.reveal_password(c.id).await.unwrap().expose(), pw);
    // Straight from the keychain, by its documented name.
    let kc = Keychain::new();
    let r = SecretRef::password(c.id, "Orders-Prod");
    assert_eq!(kc.get(&r).unwrap().unwrap().expose(), pw);
    // Not in the database file, nor in anything serialised.
    let json = serde_json::to_string(&got).unwrap();
    assert!(!json.contains(&pw));
    sb.store().pool().close().await;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        if entry.path().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            assert!(
                !contains(&bytes, pw.as_bytes()),
                "{} holds the password",
                entry.path().display()
            );
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn the_database_uses_wal_and_foreign_keys() {
    let (sb, _) = open("pragmas").await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(sb.store().pool())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(sb.store().pool())
        .await
        .unwrap();
    assert_eq!(fk, 1);
}

#[tokio::test]
async fn names_are_unique_ignoring_case() {
    let (sb, _) = open("unique").await;
    sb.create(NewConnection {
        ssh_secrets: Default::default(),
        fields: fields("staging"),
        password: None,
        client_key: None,
    })
    .await
    .unwrap();
    let e = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: fields("STAGING"),
            password: None,
            client_key: None,
        })
        .await
        .unwrap_err();
    assert_eq!(codes(&e), vec![ErrorCode::NameTaken]);
    assert_eq!(sb.list().await.unwrap().len(), 1);
}

#[tokio::test]
async fn invalid_input_is_refused_with_every_issue_and_nothing_is_stored() {
    let (sb, _) = open("invalid").await;
    let mut f = fields("bad\nname");
    f.port = 0;
    f.host = "postgres://x".into();
    let e = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: f,
            password: None,
            client_key: None,
        })
        .await
        .unwrap_err();
    assert_eq!(
        codes(&e),
        vec![
            ErrorCode::NameInvalidChars,
            ErrorCode::HostInvalid,
            ErrorCode::PortOutOfRange
        ]
    );
    let api = e.to_api();
    assert_eq!(api.code, ErrorCode::ValidationFailed);
    assert_eq!(api.issues[2].field, "port");
    assert!(sb.list().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_password_for_a_connection_that_asks_every_time_is_refused() {
    let (sb, _) = open("ask-refuse").await;
    let mut f = fields("asks");
    f.password_save = PasswordSave::Ask;
    let e = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: f,
            password: Some(Secret::new(test_password("ask"))),
            client_key: None,
        })
        .await
        .unwrap_err();
    assert_eq!(codes(&e), vec![ErrorCode::PasswordNotAllowed]);
}

#[tokio::test]
async fn update_with_a_stale_version_is_a_conflict_and_changes_nothing() {
    let (sb, _) = open("conflict").await;
    let c = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: fields("conflicted"),
            password: None,
            client_key: None,
        })
        .await
        .unwrap();
    let mut f1 = c.fields.clone();
    f1.host = "first.example.com".into();
    let v2 = sb
        .update(ConnectionUpdate {
            ssh_secrets: Default::default(),
            id: c.id,
            version: 1,
            fields: f1,
            password: SecretChange::Keep,
            client_key: SecretChange::Keep,
        })
        .await
        .unwrap();
    assert_eq!(v2.version, 2);
    let mut f2 = c.fields.clone();
    f2.host = "second.example.com".into();
    let e = sb
        .update(ConnectionUpdate {
            ssh_secrets: Default::default(),
            id: c.id,
            version: 1,
            fields: f2,
            password: SecretChange::Keep,
            client_key: SecretChange::Keep,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            CoreError::VersionConflict {
                expected: 1,
                actual: 2
            }
        ),
        "{e:?}"
    );
    assert_eq!(sb.get(c.id).await.unwrap(), v2);
}

#[tokio::test]
async fn the_store_refuses_a_stale_version_even_inside_a_transaction() {
    let (sb, _) = open("store-conflict").await;
    let c = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: fields("raw"),
            password: None,
            client_key: None,
        })
        .await
        .unwrap();
    let mut tx = sb.store().pool().begin().await.unwrap();
    let mut stale = c.clone();
    stale.version = 5;
    let e = store::update(&mut tx, &stale, 4).await.unwrap_err();
    assert!(
        matches!(
            e,
            CoreError::VersionConflict {
                expected: 4,
                actual: 1
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_failing_statement_leaves_nothing_half_written() {
    let (sb, dir) = open("atomic").await;
    let existing = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: fields("taken"),
            password: None,
            client_key: None,
        })
        .await
        .unwrap();
    let store = Store::open(&dir).await.unwrap();
    let mut tx = store.pool().begin().await.unwrap();
    let mut first = existing.clone();
    first.id = uuid::Uuid::new_v4();
    first.fields.name = "fresh".into();
    first.fields.handle = "fresh".into();
    store::insert(&mut tx, &first).await.unwrap();
    let mut clash = existing.clone();
    clash.id = uuid::Uuid::new_v4();
    clash.fields.name = "TAKEN".into();
    clash.fields.handle = "free".into();
    let e = store::insert(&mut tx, &clash).await.unwrap_err();
    // The same shape as the check before a write: one code for a taken name.
    assert_eq!(e.code(), ErrorCode::ValidationFailed);
    assert_eq!(codes(&e), vec![ErrorCode::NameTaken]);
    drop(tx); // rolled back
    let names: Vec<String> = sb
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.fields.name)
        .collect();
    assert_eq!(names, vec!["taken"]);
}

#[tokio::test]
async fn blank_password_on_edit_keeps_it_set_replaces_it_clear_removes_it() {
    let (sb, _) = open("password-edit").await;
    let first = test_password("first");
    let c = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: fields("pw-edit"),
            password: Some(Secret::new(first.clone())),
            client_key: None,
        })
        .await
        .unwrap();
    let keep = sb
        .update(ConnectionUpdate {
            ssh_secrets: Default::default(),
            id: c.id,
            version: 1,
            fields: c.fields.clone(),
            password: SecretChange::Set(Secret::new("")),
            client_key: SecretChange::Keep,
        })
        .await
        .unwrap();
    assert!(keep.has_saved_password);
    assert_eq!(sb.reveal_password(c.id).await.unwrap().expose(), first);
    let second = test_password("second");
    let set = sb
        .update(ConnectionUpdate {
            ssh_secrets: Default::default(),
            id: c.id,
            version: 2,
            fields: c.fields.clone(),
            password: SecretChange::Set(Secret::new(second.clone())),
            client_key: SecretChange::Keep,
        })
        .await
        .unwrap();
    assert_eq!(set.version, 3);
    assert_eq!(sb.reveal_password(c.id).await.unwrap().expose(), second);
    let cleared = sb
        .update(ConnectionUpdate {
            ssh_secrets: Default::default(),
            id: c.id,
            version: 3,
            fields: c.fields.clone(),
            password: SecretChange::Clear,
            client_key: SecretChange::Keep,
        })
        .await
        .unwrap();
    assert!(!cleared.has_saved_password);
    let e = sb.reveal_password(c.id).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::PasswordNotSaved);
    assert!(Keychain::new()
        .get(&SecretRef::password(c.id, "pw-edit"))
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn switching_to_ask_every_time_removes_the_saved_password() {
    let (sb, _) = open("to-ask").await;
    let c = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: fields("to-ask"),
            password: Some(Secret::new(test_password("to-ask"))),
            client_key: None,
        })
        .await
        .unwrap();
    let mut f = c.fields.clone();
    f.password_save = PasswordSave::Ask;
    let u = sb
        .update(ConnectionUpdate {
            ssh_secrets: Default::default(),
            id: c.id,
            version: 1,
            fields: f,
            password: SecretChange::Keep,
            client_key: SecretChange::Keep,
        })
        .await
        .unwrap();
    assert!(!u.has_saved_password);
    assert!(Keychain::new()
        .get(&SecretRef::password(c.id, "to-ask"))
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn delete_removes_the_row_and_its_keychain_entry() {
    let (sb, _) = open("delete").await;
    let c = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: fields("doomed"),
            password: Some(Secret::new(test_password("doomed"))),
            client_key: None,
        })
        .await
        .unwrap();
    sb.delete(c.id).await.unwrap();
    assert_eq!(sb.get(c.id).await.unwrap_err().code(), ErrorCode::NotFound);
    assert!(Keychain::new()
        .get(&SecretRef::password(c.id, "doomed"))
        .unwrap()
        .is_none());
    assert_eq!(
        sb.delete(c.id).await.unwrap_err().code(),
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn duplicate_copies_fields_and_password_under_a_new_name() {
    let (sb, _) = open("duplicate").await;
    let pw = test_password("dup");
    let c = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: fields("original"),
            password: Some(Secret::new(pw.clone())),
            client_key: None,
        })
        .await
        .unwrap();
    let d1 = sb.duplicate(c.id).await.unwrap();
    let d2 = sb.duplicate(c.id).await.unwrap();
    assert_eq!(d1.fields.name, "original-copy");
    assert_eq!(d2.fields.name, "original-copy-2");
    assert_ne!(d1.id, c.id);
    let mut expected = c.fields.clone();
    expected.name = "original-copy".into();
    expected.handle = "original-copy".into();
    assert_eq!(d1.fields, expected);
    assert_eq!(sb.reveal_password(d1.id).await.unwrap().expose(), pw);
}

#[tokio::test]
async fn testing_a_saved_connection_uses_the_keychain_password() {
    let (sb, _) = open("saved-test").await;
    let pg = PgServer::shared();
    let mut f = ConnectionFields::postgres(
        "local-pg",
        "localhost",
        u32::from(pg.port),
        APP_DB,
        APP_USER,
    );
    f.tls.ca_pem = Some(pg.ca.cert_pem.clone());
    let c = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: f,
            password: Some(Secret::new(pg.app_password.clone())),
            client_key: None,
        })
        .await
        .unwrap();
    let r = sb.test(c.id, None).await.unwrap();
    assert!(r.ok, "{r:#?}");
    let wrong = sb.test(c.id, Some(Secret::new("not-it"))).await.unwrap();
    assert_eq!(wrong.error.unwrap().code, ErrorCode::AuthFailed);
}

#[tokio::test]
async fn a_connection_that_asks_every_time_needs_the_password_to_test() {
    let (sb, _) = open("ask-test").await;
    let pg = PgServer::shared();
    let mut f =
        ConnectionFields::postgres("ask-pg", "localhost", u32::from(pg.port), APP_DB, APP_USER);
    f.tls.ca_pem = Some(pg.ca.cert_pem.clone());
    f.password_save = PasswordSave::Ask;
    let c = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: f,
            password: None,
            client_key: None,
        })
        .await
        .unwrap();
    assert_eq!(
        sb.test(c.id, None).await.unwrap_err().code(),
        ErrorCode::PasswordRequired
    );
    let r = sb
        .test(c.id, Some(Secret::new(pg.app_password.clone())))
        .await
        .unwrap();
    assert!(r.ok, "{r:#?}");
}

#[tokio::test]
async fn keychain_entries_carry_a_label_a_person_can_find() {
    require_keyring_session();
    let kc = Keychain::new();
    let id = uuid::Uuid::new_v4();
    let r = SecretRef::password(id, "findable-db");
    kc.set(&r, &Secret::new(test_password("label"))).unwrap();
    // secret-tool is libsecret's own client: what a user's keyring browser sees.
    let out = std::process::Command::new("secret-tool")
        .args([
            "search",
            "--all",
            "service",
            "switchboard",
            "username",
            &r.user(),
        ])
        .output()
        .expect("secret-tool (libsecret-tools) is installed by the test command");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("Switchboard password for findable-db"),
        "{text}"
    );
    kc.delete(&r).unwrap();
    assert!(kc.get(&r).unwrap().is_none());
}

fn keyring_labels(user: &str) -> String {
    let out = std::process::Command::new("secret-tool")
        .args([
            "search",
            "--all",
            "service",
            "switchboard",
            "username",
            user,
        ])
        .output()
        .expect("secret-tool");
    String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
}

#[tokio::test]
async fn renaming_a_connection_relabels_its_keychain_entry_and_keeps_the_password() {
    let (sb, _) = open("relabel").await;
    let pw = test_password("relabel");
    let c = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: fields("old-name"),
            password: Some(Secret::new(pw.clone())),
            client_key: None,
        })
        .await
        .unwrap();
    let user = SecretRef::password(c.id, "old-name").user();
    assert!(keyring_labels(&user).contains("Switchboard password for old-name"));
    let mut f = c.fields.clone();
    f.name = "new-name".into();
    sb.update(ConnectionUpdate {
        ssh_secrets: Default::default(),
        id: c.id,
        version: 1,
        fields: f,
        password: SecretChange::Keep,
        client_key: SecretChange::Keep,
    })
    .await
    .unwrap();
    let labels = keyring_labels(&user);
    assert!(
        labels.contains("Switchboard password for new-name"),
        "{labels}"
    );
    assert!(!labels.contains("old-name"), "{labels}");
    assert_eq!(sb.reveal_password(c.id).await.unwrap().expose(), pw);
}

#[tokio::test]
async fn environment_colour_tags_and_metadata_are_stored_and_nested_metadata_is_refused() {
    let (sb, _) = open("labels").await;
    let mut f = fields("labelled");
    f.environment = Some(switchboard_core::model::Environment::Production);
    f.color = Some("#FF0000".into());
    f.tags = vec!["billing".into(), "eu-west".into(), "BILLING".into()];
    f.metadata.insert("team".into(), "payments".into());
    f.metadata.insert("owner".into(), "ana@example.com".into());
    let c = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: f,
            password: None,
            client_key: None,
        })
        .await
        .unwrap();
    let got = sb.get(c.id).await.unwrap();
    assert_eq!(
        got.fields.environment,
        Some(switchboard_core::model::Environment::Production)
    );
    assert_eq!(got.fields.color.as_deref(), Some("#ff0000"));
    assert_eq!(got.fields.tags, vec!["billing", "eu-west"]);
    assert_eq!(got.fields.metadata["team"], "payments");
    let mut nested = got.fields.clone();
    nested
        .metadata
        .insert("limits".into(), serde_json::json!({"max": 5}));
    let e = sb
        .update(ConnectionUpdate {
            ssh_secrets: Default::default(),
            id: c.id,
            version: 1,
            fields: nested,
            password: SecretChange::Keep,
            client_key: SecretChange::Keep,
        })
        .await
        .unwrap_err();
    let api = e.to_api();
    assert_eq!(api.issues[0].code, ErrorCode::MetadataValueNotText);
    assert_eq!(api.issues[0].field, "metadata.limits");
    assert_eq!(sb.get(c.id).await.unwrap(), got);
}

mod round_trip {
    use super::*;
    use proptest::prelude::*;
    use switchboard_core::engines::FieldKind;
    use switchboard_core::model::{Engine, Environment, Metadata, OptionValue};

    fn test_ca_pem() -> String {
        static PEM: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        PEM.get_or_init(|| {
            switchboard_tests::ca::TestCa::new("Round Trip CA")
                .cert_pem
                .clone()
        })
        .clone()
    }

    fn valid_fields() -> impl Strategy<Value = ConnectionFields> {
        // Display names in any script; the handle is the one derived from it.
        let name = "[\\p{L}\\p{N}][\\p{L}\\p{N} (),._-]{0,98}";
        let host = prop_oneof![
            "[a-z][a-z0-9-]{0,20}(\\.[a-z][a-z0-9-]{0,20}){0,3}",
            any::<std::net::Ipv4Addr>().prop_map(|a| a.to_string()),
            any::<std::net::Ipv6Addr>().prop_map(|a| a.to_string()),
        ];
        let env = prop_oneof![
            Just(None),
            Just(Some(Environment::Local)),
            Just(Some(Environment::Development)),
            Just(Some(Environment::Staging)),
            Just(Some(Environment::Production)),
        ];
        let tls = prop_oneof![
            Just(TlsMode::Disable),
            Just(TlsMode::Prefer),
            Just(TlsMode::Require),
            Just(TlsMode::VerifyCa),
            Just(TlsMode::VerifyFull),
        ];
        let save = prop_oneof![
            Just(PasswordSave::Keychain),
            Just(PasswordSave::Ask),
            Just(PasswordSave::None)
        ];
        let tags = proptest::collection::vec("[a-z0-9][a-z0-9 _-]{0,30}[a-z0-9]", 0..5);
        let metadata =
            proptest::collection::btree_map("[a-z][a-z0-9_.-]{0,99}", "\\PC{0,200}", 0..6);
        (
            (
                name,
                host,
                1u32..=65535,
                "[a-z_][a-z0-9_]{0,30}",
                "[a-z_][a-z0-9_@.]{0,30}",
            ),
            (tls, proptest::option::of("\\PC{1,256}"), save, 1u32..=600),
            (env, proptest::option::of("#[0-9a-f]{6}"), tags, metadata),
            (
                0..Engine::ALL.len(),
                proptest::collection::vec(any::<u8>(), 16),
            ),
        )
            .prop_map(
                |(
                    (name, host, port, database, username),
                    (mode, description, save, timeout),
                    (environment, color, tags, metadata),
                    (engine, seed),
                )| {
                    let engine = Engine::ALL[engine];
                    let spec = engine.spec();
                    let mut f =
                        ConnectionFields::postgres(&name, &host, port, &database, &username);
                    f.engine = engine;
                    if engine == Engine::Sqlite {
                        f.database = format!("/data/{database}.db");
                    }
                    f.tls.mode = if spec.tls_mode(mode).is_some_and(|m| m.supported) {
                        mode
                    } else {
                        spec.tls_modes
                            .iter()
                            .find(|m| m.supported)
                            .map(|m| m.mode)
                            .unwrap()
                    };
                    if f.tls.mode == TlsMode::VerifyCa {
                        f.tls.ca_pem = Some(test_ca_pem());
                    }
                    // Valid values for the engine's own settings, chosen by the seed. (Ones
                    // with cross-field rules are covered by the table tests.)
                    for (i, field) in spec.fields.iter().enumerate() {
                        let Some(opt) = field.key.strip_prefix("options.") else {
                            continue;
                        };
                        if ["replica_of", "publication", "replication_slot", "srv"].contains(&opt) {
                            continue;
                        }
                        let b = seed[i % seed.len()];
                        if b % 3 == 0 {
                            continue;
                        }
                        let value = match field.kind {
                            FieldKind::Bool => OptionValue::Bool(b % 2 == 0),
                            FieldKind::Select => OptionValue::Text(
                                field.choices[usize::from(b) % field.choices.len()]
                                    .value
                                    .to_owned(),
                            ),
                            _ if opt == "server_dn" => OptionValue::Text(format!("CN=v{b}")),
                            _ => OptionValue::Text(format!("v{b}")),
                        };
                        f.options.insert(opt.to_owned(), value);
                    }
                    // Oracle's server DN replaces the host-name check: it needs the CA.
                    if f.tls.mode == TlsMode::VerifyFull && f.options.contains_key("server_dn") {
                        f.tls.ca_pem = Some(test_ca_pem());
                    }
                    f.description = description.filter(|d| !d.trim().is_empty());
                    f.password_save = save;
                    f.timeout_secs = timeout;
                    f.environment = environment;
                    f.color = color;
                    f.tags = tags;
                    f.metadata = metadata
                        .into_iter()
                        .map(|(k, v)| (k, serde_json::Value::String(v)))
                        .collect::<Metadata>();
                    // As every save path stores it: what the engine does not show cleared,
                    // tags deduplicated.
                    switchboard_core::validation::normalize(&mut f);
                    f.handle = switchboard_core::validation::derive_handle(&f.name);
                    f
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn any_valid_connection_of_any_engine_survives_store_then_load_unchanged(f in valid_fields()) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let dir = data_dir("proptest");
                let sb = Switchboard::open(&dir).await.unwrap();
                let c = sb.create(NewConnection { fields: f.clone(), password: None, client_key: None, ssh_secrets: Default::default() }).await
                    .map_err(|e| format!("{:?}", e.to_api())).unwrap();
                let loaded = sb.get(c.id).await.unwrap();
                assert_eq!(loaded.fields, f);
                assert_eq!(loaded, c);
                sb.store().pool().close().await;
                std::fs::remove_dir_all(&dir).ok();
            });
        }
    }
}

mod client_certificates {
    use super::*;
    use switchboard_core::keychain::SecretKind;
    use switchboard_core::Severity;

    fn pg_fields(name: &str) -> ConnectionFields {
        let pg = PgServer::shared();
        let mut f = ConnectionFields::postgres(
            name,
            "localhost",
            u32::from(pg.port),
            APP_DB,
            switchboard_tests::pg::CERT_USER,
        );
        f.tls.ca_pem = Some(pg.ca.cert_pem.clone());
        f.password_save = PasswordSave::None;
        f
    }

    #[tokio::test]
    async fn a_saved_client_certificate_authenticates_and_its_key_lives_only_in_the_keychain() {
        let (sb, dir) = open("mtls").await;
        let client = PgServer::shared()
            .ca
            .client(switchboard_tests::pg::CERT_USER);
        let mut f = pg_fields("mtls-pg");
        f.tls.client_cert_pem = Some(client.cert_pem.clone());
        let c = sb
            .create(NewConnection {
                ssh_secrets: Default::default(),
                fields: f,
                password: None,
                client_key: Some(Secret::new(client.key_pem.clone())),
            })
            .await
            .unwrap();
        assert!(c.has_client_key);
        let r = sb.test(c.id, None).await.unwrap();
        assert!(r.ok, "{r:#?}");
        let kc = Keychain::new();
        let stored = kc
            .get(&SecretRef::new(SecretKind::ClientKey, c.id, "mtls-pg"))
            .unwrap()
            .unwrap();
        assert_eq!(stored.expose(), client.key_pem);
        // The key's base64 body never reaches the database files.
        let body: String = client
            .key_pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        sb.store().pool().close().await;
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            if entry.path().is_file() {
                let text = String::from_utf8_lossy(&std::fs::read(entry.path()).unwrap())
                    .replace(['\n', '\r'], "");
                assert!(
                    !text.contains(&body[..40]),
                    "{} holds the client key",
                    entry.path().display()
                );
            }
        }
    }

    #[tokio::test]
    async fn key_rules_mismatch_missing_and_orphan_keys_are_refused() {
        let (sb, _) = open("mtls-rules").await;
        let pg = PgServer::shared();
        let (a, b) = (pg.ca.client("a"), pg.ca.client("b"));
        let mut f = pg_fields("mtls-rules");
        f.tls.client_cert_pem = Some(a.cert_pem.clone());
        let code_of = |e: CoreError| {
            e.to_api()
                .issues
                .into_iter()
                .map(|i| i.code)
                .collect::<Vec<_>>()
        };
        let e = sb
            .create(NewConnection {
                ssh_secrets: Default::default(),
                fields: f.clone(),
                password: None,
                client_key: Some(Secret::new(b.key_pem.clone())),
            })
            .await
            .unwrap_err();
        assert_eq!(code_of(e), vec![ErrorCode::ClientKeyMismatch]);
        let e = sb
            .create(NewConnection {
                ssh_secrets: Default::default(),
                fields: f.clone(),
                password: None,
                client_key: None,
            })
            .await
            .unwrap_err();
        assert_eq!(code_of(e), vec![ErrorCode::ClientKeyRequired]);
        let e = sb
            .create(NewConnection {
                ssh_secrets: Default::default(),
                fields: f.clone(),
                password: None,
                client_key: Some(Secret::new("not a key")),
            })
            .await
            .unwrap_err();
        assert_eq!(code_of(e), vec![ErrorCode::ClientKeyInvalid]);
        let mut no_cert = f.clone();
        no_cert.tls.client_cert_pem = None;
        let e = sb
            .create(NewConnection {
                ssh_secrets: Default::default(),
                fields: no_cert,
                password: None,
                client_key: Some(Secret::new(a.key_pem.clone())),
            })
            .await
            .unwrap_err();
        assert_eq!(code_of(e), vec![ErrorCode::ClientKeyWithoutCert]);
        assert!(sb.list().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn removing_the_client_certificate_removes_its_key_from_the_keychain() {
        let (sb, _) = open("mtls-clear").await;
        let client = PgServer::shared().ca.client("someone");
        let mut f = pg_fields("mtls-clear");
        f.tls.client_cert_pem = Some(client.cert_pem.clone());
        let c = sb
            .create(NewConnection {
                ssh_secrets: Default::default(),
                fields: f.clone(),
                password: None,
                client_key: Some(Secret::new(client.key_pem.clone())),
            })
            .await
            .unwrap();
        let mut g = c.fields.clone();
        g.tls.client_cert_pem = None;
        let u = sb
            .update(ConnectionUpdate {
                ssh_secrets: Default::default(),
                id: c.id,
                version: 1,
                fields: g,
                password: SecretChange::Keep,
                client_key: SecretChange::Keep,
            })
            .await
            .unwrap();
        assert!(!u.has_client_key);
        assert!(Keychain::new()
            .get(&SecretRef::new(SecretKind::ClientKey, c.id, "mtls-clear"))
            .unwrap()
            .is_none());
    }

    #[tokio::test]
    async fn an_expiring_ca_certificate_is_a_warning_that_does_not_block_saving() {
        let (sb, _) = open("expiring").await;
        let ca = switchboard_tests::ca::TestCa::with_validity("Short-lived CA", -1, 10);
        let mut f = fields("expiring-ca");
        f.tls.ca_pem = Some(ca.cert_pem.clone());
        let issues = sb.issues(&f, None).await.unwrap();
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].code, ErrorCode::CertificateExpiring);
        assert_eq!(issues[0].severity, Severity::Warning);
        assert_eq!(issues[0].field, "tls.ca_pem");
        sb.create(NewConnection {
            ssh_secrets: Default::default(),
            fields: f,
            password: None,
            client_key: None,
        })
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn renaming_a_primary_keeps_its_replicas_pointing_at_it() {
    let (sb, _) = open("replica-rename").await;
    let primary = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: fields("orders-primary"),
            password: None,
            client_key: None,
        })
        .await
        .unwrap();
    let mut r = fields("orders-replica");
    r.options
        .insert("replica_of".into(), "orders-primary".into());
    let replica = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: r,
            password: None,
            client_key: None,
        })
        .await
        .unwrap();
    let mut renamed = primary.fields.clone();
    renamed.name = "orders-main".into();
    sb.update(ConnectionUpdate {
        ssh_secrets: Default::default(),
        id: primary.id,
        version: 1,
        fields: renamed,
        password: SecretChange::Keep,
        client_key: SecretChange::Keep,
    })
    .await
    .unwrap();
    let after = sb.get(replica.id).await.unwrap();
    assert_eq!(
        after.fields.options["replica_of"],
        switchboard_core::model::OptionValue::Text("orders-main".into())
    );
    assert_eq!(after.version, 2);
    // And the replica still validates: its primary exists under the new name.
    sb.update(ConnectionUpdate {
        ssh_secrets: Default::default(),
        id: replica.id,
        version: 2,
        fields: after.fields.clone(),
        password: SecretChange::Keep,
        client_key: SecretChange::Keep,
    })
    .await
    .unwrap();
}

// ---------- imports through the core ----------

/// RFC 3986 percent-encoding of everything but the unreserved characters.
fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Whether the keyring holds a Switchboard entry labelled for `name` (by any id).
fn keyring_has_label_for(name: &str) -> bool {
    let out = std::process::Command::new("secret-tool")
        .args(["search", "--all", "service", "switchboard"])
        .output()
        .expect("secret-tool");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    text.contains(&format!("for {name}\n"))
}

/// Makes SQLite refuse `op` (INSERT or UPDATE) of the connection named `name`: a fault
/// in the middle of a batch, after earlier rows were written to the store and keychain.
async fn fail_on(sb: &Switchboard, op: &str, name: &str) {
    sqlx::query(&format!(
        "CREATE TRIGGER fail_{op} BEFORE {op} ON connections WHEN NEW.name = '{name}' \
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
    ))
    .execute(sb.store().pool())
    .await
    .unwrap();
}

#[tokio::test]
async fn a_batch_that_fails_midway_removes_the_keychain_entries_it_had_written() {
    let (sb, _) = open("import-undo-create").await;
    let (pw1, pw2) = (test_password("undo-1"), test_password("undo-2"));
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let (first, second) = (
        format!("one{tag}-h1.example.com"),
        format!("two{tag}-h2.example.com"),
    );
    let text = format!(
        "postgresql://app:{}@h1.example.com/one{tag}?sslmode=require\n\
         postgresql://app:{}@h2.example.com/two{tag}?sslmode=require\n",
        pct(&pw1),
        pct(&pw2)
    );
    let preview = sb.preview_import(&text, None).await.unwrap();
    let labels: Vec<_> = preview
        .rows
        .iter()
        .map(|r| r.fields.as_ref().unwrap().name.clone())
        .collect();
    assert_eq!(labels, vec![first.clone(), second.clone()]);

    // Row 1 is inserted and its password written; row 2's insert then fails.
    fail_on(&sb, "INSERT", &second).await;
    let e = sb.import_rows(&text, None, &[0, 1]).await.unwrap_err();
    assert!(!e.to_api().message.contains(&pw1), "{e:?}");
    assert!(sb.list().await.unwrap().is_empty(), "the store rolled back");
    assert!(
        !keyring_has_label_for(&first),
        "the password written for {first} was removed again"
    );
    assert!(!keyring_has_label_for(&second));

    // Control: without the fault the same batch saves both, entries and all.
    sqlx::query("DROP TRIGGER fail_INSERT")
        .execute(sb.store().pool())
        .await
        .unwrap();
    let r = sb.import_rows(&text, None, &[0, 1]).await.unwrap();
    assert_eq!(r.created.len(), 2);
    assert!(keyring_has_label_for(&first));
    assert_eq!(
        sb.reveal_password(r.created[0].id).await.unwrap().expose(),
        pw1
    );
    assert_eq!(
        sb.reveal_password(r.created[1].id).await.unwrap().expose(),
        pw2
    );
}

#[tokio::test]
async fn a_pgpass_batch_that_fails_midway_puts_back_the_passwords_it_replaced() {
    let (sb, _) = open("import-undo-pgpass").await;
    let (old_a, old_b) = (test_password("old-a"), test_password("old-b"));
    let mut fa = fields("pgpass-a");
    fa.host = "a.example.com".into();
    let mut fb = fields("pgpass-b");
    fb.host = "b.example.com".into();
    let a = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: fa,
            password: Some(Secret::new(old_a.clone())),
            client_key: None,
        })
        .await
        .unwrap();
    let b = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: fb,
            password: Some(Secret::new(old_b.clone())),
            client_key: None,
        })
        .await
        .unwrap();
    let (new_a, new_b) = (test_password("new-a"), test_password("new-b"));
    let esc = |p: &str| p.replace('\\', "\\\\").replace(':', "\\:");
    let text = format!(
        "a.example.com:5432:orders:app:{}\nb.example.com:5432:orders:app:{}\n",
        esc(&new_a),
        esc(&new_b)
    );
    let preview = sb.preview_import(&text, Some(".pgpass")).await.unwrap();
    let matches: Vec<_> = preview.rows.iter().map(|r| r.matches.clone()).collect();
    assert_eq!(
        matches,
        vec![vec!["pgpass-a".to_owned()], vec!["pgpass-b".to_owned()]]
    );

    // Line 1 replaces a's password; line 2's update of b then fails.
    fail_on(&sb, "UPDATE", "pgpass-b").await;
    sb.import_rows(&text, Some(".pgpass"), &[0, 1])
        .await
        .unwrap_err();
    let kc = Keychain::new();
    assert_eq!(
        kc.get(&SecretRef::password(a.id, "pgpass-a"))
            .unwrap()
            .unwrap()
            .expose(),
        old_a,
        "a's old password is back in the keychain"
    );
    assert_eq!(sb.reveal_password(b.id).await.unwrap().expose(), old_b);
    assert_eq!(sb.get(a.id).await.unwrap(), a, "a's row rolled back");
    assert_eq!(sb.get(b.id).await.unwrap(), b);

    sqlx::query("DROP TRIGGER fail_UPDATE")
        .execute(sb.store().pool())
        .await
        .unwrap();
    let r = sb
        .import_rows(&text, Some(".pgpass"), &[0, 1])
        .await
        .unwrap();
    assert_eq!(r.passwords_set, vec!["pgpass-a", "pgpass-b"]);
    assert_eq!(sb.reveal_password(a.id).await.unwrap().expose(), new_a);
    assert_eq!(sb.reveal_password(b.id).await.unwrap().expose(), new_b);
    assert_eq!(sb.get(a.id).await.unwrap().version, 2);
}

#[tokio::test]
async fn drafts_previews_and_import_results_never_carry_the_password() {
    let (sb, _) = open("import-no-secrets").await;
    let pw = test_password("serialise");
    let enc = pct(&pw);
    let lerian = serde_json::json!({
        "configName": "ledger-db", "type": "POSTGRESQL", "host": "ledger.example.com",
        "port": 5432, "databaseName": "ledger", "userName": "ledger", "password": pw,
        "ssl": {"mode": "require"}
    })
    .to_string();
    let strings = [
        format!("postgresql://app:{enc}@db.example.com/orders?sslmode=require"),
        format!("host=db.example.com dbname=orders user=app password='{pw}' sslmode=require"),
        format!("jdbc:postgresql://db.example.com/orders?user=app&password={enc}"),
        format!("psql 'postgresql://app:{enc}@db.example.com/orders'"),
        format!("DATABASE_URL=postgresql://app:{enc}@db.example.com/orders"),
        format!("Server=sql.example.com;Database=orders;User Id=sa;Password={{{pw}}};Encrypt=true"),
        format!("jdbc:sqlserver://sql.example.com;databaseName=orders;user=sa;password={{{pw}}}"),
        format!("mysql://root:{enc}@mysql.example.com/shop"),
        format!("mongodb://admin:{enc}@mongo.example.com/app"),
        lerian.clone(),
    ];
    let leaks = |s: &str| s.contains(&pw) || s.contains(&enc);
    for input in &strings {
        // The string really carries the password…
        let parsed = switchboard_core::connstr::import(input).unwrap();
        let password = parsed.imported.password.as_ref().unwrap();
        assert_eq!(password.expose(), pw, "{input}");
        // …and the draft says only that it does (the core holds it behind a token).
        let draft = sb.parse_draft(input).await.unwrap();
        assert!(draft.has_password, "{input}");
        assert!(draft.token.is_some(), "{input}");
        let json = serde_json::to_string(&draft).unwrap();
        assert!(!leaks(&json), "{input}: {json}");
        assert!(!leaks(&format!("{draft:?}")), "{input}");
        assert!(!leaks(&format!("{parsed:?}")), "{input}");
    }

    let esc = pw.replace(':', "\\:");
    let batches = [
        (
            format!(
                "DATABASE_URL=postgresql://app:{enc}@db.example.com/orders\nPGHOST=pg.example.com\nPGUSER=etl\nPGPASSWORD={pw}\n"
            ),
            Some(".env"),
        ),
        (strings[..8].join("\n"), Some("connections.txt")),
        (format!("[svc]\nhost=svc.example.com\nuser=u\npassword={pw}\n"), Some("pg_service.conf")),
        (format!("[{lerian}]"), Some("export.json")),
        (format!("*:*:*:app:{esc}\n"), Some(".pgpass")),
    ];
    for (text, name) in &batches {
        let preview = sb.preview_import(text, *name).await.unwrap();
        assert!(
            preview.rows.iter().any(|r| r.has_password),
            "{name:?}: {preview:?}"
        );
        let json = serde_json::to_string(&preview).unwrap();
        assert!(!leaks(&json), "{name:?}: {json}");
        assert!(!leaks(&format!("{preview:?}")), "{name:?}");
    }

    let (text, name) = &batches[1];
    let all: Vec<u32> = (0..8).collect();
    let result = sb.import_rows(text, *name, &all).await.unwrap();
    assert_eq!(result.created.len(), 8);
    let json = serde_json::to_string(&result).unwrap();
    assert!(!leaks(&json), "{json}");
    for c in &result.created {
        assert_eq!(sb.reveal_password(c.id).await.unwrap().expose(), pw);
    }
    // And a .pgpass preview now matching them still hides the value.
    let (text, name) = &batches[4];
    let preview = sb.preview_import(text, *name).await.unwrap();
    assert_eq!(preview.rows[0].status, RowStatus::Password);
    assert!(!leaks(&serde_json::to_string(&preview).unwrap()));
}

#[tokio::test]
async fn a_saved_primary_and_its_replica_are_checked_against_the_servers_recovery_state() {
    use switchboard_core::probe::report::CheckStatus;
    let (sb, _) = open("replica-roles").await;
    let pg = PgServer::shared();
    let live = |name: &str| {
        let mut f =
            ConnectionFields::postgres(name, "localhost", u32::from(pg.port), APP_DB, APP_USER);
        f.tls.ca_pem = Some(pg.ca.cert_pem.clone());
        NewConnection {
            ssh_secrets: Default::default(),
            fields: f,
            password: Some(Secret::new(pg.app_password.clone())),
            client_key: None,
        }
    };
    let primary = sb.create(live("roles-primary")).await.unwrap();
    let mut replica = live("roles-replica");
    // Named in another case: the match ignores case, as renames do.
    replica
        .fields
        .options
        .insert("replica_of".into(), "ROLES-PRIMARY".into());
    let replica = sb.create(replica).await.unwrap();
    let role = |r: &switchboard_core::TestReport| {
        r.checks
            .iter()
            .find(|c| c.name == "replica_role")
            .map(|c| c.status)
    };
    // The throwaway server is not in recovery: right for the primary, wrong for the replica.
    let r = sb.test(primary.id, None).await.unwrap();
    assert_eq!(role(&r), Some(CheckStatus::Ok), "{r:#?}");
    let r = sb.test(replica.id, None).await.unwrap();
    assert_eq!(role(&r), Some(CheckStatus::Failed), "{r:#?}");
}
