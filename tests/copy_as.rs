//! "Copy as…" through the core (`Switchboard::export_text`, what the window's copy and
//! `switchboard export` call) warns only about what the user would lose: saved settings at
//! their defaults say nothing; a replication slot a psql command cannot carry is named.

use switchboard_core::connstr::{formats_for, ExportFormat};
use switchboard_core::model::{ConnectionFields, Engine, NewConnection, OptionValue, PasswordSave};
use switchboard_core::Switchboard;
use switchboard_tests::{data_dir, require_keyring_session};

const SEQUIN_WEAKER: &str =
    "Sequin's ssl: true encrypts but does not verify the certificate: weaker than verify-full";

/// A PostgreSQL connection as the form saves it untouched: its settings at the defaults the
/// form shows (schema public, any server, slot active), the password asked for.
fn plain(name: &str, host: &str) -> ConnectionFields {
    let mut f = ConnectionFields::postgres(name, host, 5432, "orders", "app");
    f.password_save = PasswordSave::Ask;
    for (k, v) in [
        ("schema", "public"),
        ("target_session_attrs", "any"),
        ("slot_status", "active"),
    ] {
        f.options.insert(k.into(), OptionValue::Text(v.into()));
    }
    f
}

async fn open(label: &str) -> Switchboard {
    require_keyring_session();
    Switchboard::open(&data_dir(label)).await.expect("open")
}

async fn save(sb: &Switchboard, f: ConnectionFields) -> uuid::Uuid {
    sb.create(NewConnection {
        ssh_secrets: Default::default(),
        fields: f,
        password: None,
        client_key: None,
    })
    .await
    .expect("create")
    .id
}

#[tokio::test]
async fn a_saved_connection_at_its_defaults_copies_without_a_warning_in_every_format() {
    let sb = open("copy-as-defaults").await;
    let id = save(&sb, plain("orders", "db.example.com")).await;
    // The tunnel command is for a connection with an SSH route (tests/ssh_cli.rs).
    for format in formats_for(Engine::Postgres)
        .into_iter()
        .filter(|f| *f != ExportFormat::Ssh)
    {
        let out = sb.export_text(id, format, false).await.expect("export");
        // Sequin cannot keep verify-full's check: that loss is real and said.
        let want: Vec<String> = if format == ExportFormat::Sequin {
            vec![SEQUIN_WEAKER.into()]
        } else {
            vec![]
        };
        assert_eq!(out.warnings, want, "{format:?}: {}", out.text);
    }
}

#[tokio::test]
async fn a_psql_command_names_the_replication_slot_it_drops_but_not_the_default_status() {
    let sb = open("copy-as-slot").await;
    save(&sb, plain("orders-primary", "primary.example.com")).await;
    let mut f = plain("orders-replica", "replica.example.com");
    for (k, v) in [
        ("replica_of", "orders-primary"),
        ("publication", "orders_pub"),
        ("replication_slot", "orders_slot"),
    ] {
        f.options.insert(k.into(), OptionValue::Text(v.into()));
    }
    let id = save(&sb, f).await;
    let psql = sb
        .export_text(id, ExportFormat::Shell, false)
        .await
        .expect("export");
    assert!(psql
        .text
        .starts_with("psql 'postgresql://app@replica.example.com:5432/orders?"));
    assert_eq!(
        psql.warnings,
        vec![
            "Publication \"orders_pub\" is a Switchboard setting that a libpq URL has no place for",
            "Replica of \"orders-primary\" is a Switchboard setting that a libpq URL has no place for",
            "Replication slot \"orders_slot\" is a Switchboard setting that a libpq URL has no place for",
        ]
    );
    // Sequin carries the slot, its status and the primary: only the verification it
    // cannot keep, on both ends, is said.
    let sequin = sb
        .export_text(id, ExportFormat::Sequin, false)
        .await
        .expect("export");
    let body: serde_json::Value = serde_json::from_str(&sequin.text).unwrap();
    assert_eq!(body["replication_slots"][0]["slot_name"], "orders_slot");
    assert_eq!(body["replication_slots"][0]["status"], "active");
    assert_eq!(body["primary"]["hostname"], "primary.example.com");
    assert_eq!(
        sequin.warnings,
        vec![
            SEQUIN_WEAKER,
            "the primary's certificate check is not expressible in Sequin: its ssl: true encrypts without verifying",
        ]
    );
}
