//! HeidiSQL's sessions through the import, against a real SQLite file and the real Secret
//! Service: its "Export settings" text (what `TAppSettings.ExportSettings` writes, and
//! portable mode's portable_settings.txt) and the Lazarus builds' settings.json (the same
//! keys as nested objects, `jsonregistry.pas`). Written from HeidiSQL/HeidiSQL's
//! `source/apphelpers.pas` (the value names, `encrypt`), `source/dbconnection.pas` (how
//! each library is asked for TLS) and `source/dbstructures.pas` (NetType).

use switchboard_core::imports::{Batch, ImportOptions, RowStatus};
use switchboard_core::model::{Engine, TlsMode};
use switchboard_core::ssh::SshAuth;
use switchboard_tests::imports::{hops, open, row, saved};
use switchboard_tests::{secret_marker, test_root};

/// HeidiSQL's `encrypt` with salt 3 (its salt is random; any reads back).
fn obfuscate(s: &str) -> String {
    let body: String = s
        .bytes()
        .map(|b| format!("{:02X}", u32::from(b) + 3))
        .collect();
    format!("{body}3")
}

fn export_text(password: &str) -> String {
    let s = |path: &str, name: &str, v: &str| format!("Servers\\{path}\\{name}<|||>1<|||>{v}\r\n");
    let i = |path: &str, name: &str, v: i64| format!("Servers\\{path}\\{name}<|||>3<|||>{v}\r\n");
    let mut t = String::from("MainWinMaximized<|||>3<|||>0\r\n");
    // Folders nest: Prod\EU; Empty holds nothing.
    t += &i("Prod", "Folder", 1);
    t += &i("Prod\\EU", "Folder", 1);
    t += &i("Empty", "Folder", 1);
    let p = "Prod\\EU\\orders";
    t += &i(p, "NetType", 0);
    t += &s(p, "Host", "db.example.com");
    t += &s(p, "Port", "3307");
    t += &s(p, "User", "app");
    t += &s(p, "Password", &obfuscate(password));
    t += &s(p, "Databases", "orders;audit");
    t += &i(p, "SSL_Active", 1);
    t += &i(p, "SSL_Verification", 2);
    t += &s(p, "Comment", "primary<{{{><}}}>EU");
    t += &i(p, "TreeBackground", 0x0000_33cc);
    let p = "Prod\\billing (pg)";
    t += &i(p, "NetType", 9);
    t += &s(p, "Host", "10.1.0.7");
    t += &s(p, "Port", "5432");
    t += &s(p, "User", "billing");
    t += &s(p, "Databases", "billing");
    t += &i(p, "SSL_Active", 1);
    t += &i(p, "SSL_Verification", 0);
    t += &s(p, "SSHtunnelHost", "bastion.example.com");
    t += &i(p, "SSHtunnelHostPort", 2222);
    t += &s(p, "SSHtunnelUser", "jump");
    t += &s(p, "SSHtunnelPrivateKey", "/home/me/.ssh/id_ed25519");
    let p = "Склад";
    t += &i(p, "NetType", 4);
    t += &s(p, "Host", "sql.example.com");
    t += &s(p, "Port", "1433");
    t += &s(p, "User", "sa");
    t += &s(p, "Library", "MSOLEDBSQL19");
    let p = "firebird";
    t += &i(p, "NetType", 14);
    t += &s(p, "Host", "fb.example.com");
    let p = "libmysql plain";
    t += &i(p, "NetType", 0);
    t += &s(p, "Host", "::1");
    t += &s(p, "Library", "libmysql.dll");
    t
}

#[tokio::test]
async fn a_heidisql_export_keeps_folders_tls_per_library_ssh_and_its_password_with_consent() {
    let sb = open("heidisql-import").await;
    let password = format!("{}-heidi:pw", secret_marker());
    let file = test_root().join(format!("heidisql-{}.txt", uuid::Uuid::new_v4()));
    std::fs::write(&file, export_text(&password)).unwrap();

    let preview = sb.preview_batch(Batch::File(&file)).await.unwrap();
    let orders = row(&preview, "orders");
    assert_eq!(orders.status, RowStatus::Ready, "{orders:#?}");
    assert!(!orders.has_password);
    let f = orders.fields.as_ref().unwrap();
    assert_eq!(
        (f.engine, f.host.as_str(), f.port, f.database.as_str()),
        (Engine::Mysql, "db.example.com", 3307, "orders")
    );
    assert_eq!(f.folder, "Prod/EU");
    assert_eq!(
        f.tls.mode,
        TlsMode::VerifyFull,
        "libmariadb (HeidiSQL's default) verifies at 2"
    );
    assert_eq!(f.description.as_deref(), Some("primary\r\nEU"));
    assert_eq!(f.color.as_deref(), Some("#cc3300"), "TColor is BGR");
    assert!(orders.warnings.iter().any(|w| w.contains("2 databases")));

    let billing = row(&preview, "billing (pg)").fields.as_ref().unwrap();
    assert_eq!(
        (billing.engine, billing.tls.mode),
        (Engine::Postgres, TlsMode::Require),
        "HeidiSQL's verification 0 is libpq's require"
    );
    assert_eq!(
        hops(billing.ssh.as_ref()),
        [(
            "bastion.example.com".into(),
            2222,
            "jump".into(),
            SshAuth::Key
        )],
        "NetType 9 is PostgreSQL through SSH"
    );
    let sklad = row(&preview, "Склад").fields.as_ref().unwrap();
    assert_eq!(
        (sklad.engine, sklad.tls.mode),
        (Engine::SqlServer, TlsMode::VerifyFull),
        "MSOLEDBSQL 19 encrypts and verifies by default"
    );
    let plain = row(&preview, "libmysql plain").fields.as_ref().unwrap();
    assert_eq!(plain.tls.mode, TlsMode::Prefer, "libmysql's PREFERRED");
    assert_eq!(row(&preview, "firebird").status, RowStatus::Skipped);
    assert_eq!(preview.folders, ["Empty"]);

    let with = ImportOptions {
        include_passwords: true,
        ..Default::default()
    };
    sb.import_batch_with(Batch::File(&file), None, &with)
        .await
        .unwrap();
    let orders = saved(&sb, "orders").await;
    assert_eq!(orders.folder, "Prod/EU");
    assert_eq!(
        sb.reveal_password(orders.id).await.unwrap().expose(),
        password
    );
}

#[tokio::test]
async fn heidisqls_settings_json_reads_the_same_keys_nested() {
    let sb = open("heidisql-json").await;
    let json = serde_json::json!({
        "MainWinMaximized": false,
        "Servers": {
            "Team": {
                "Folder": true,
                "api": {"NetType": 8, "Host": "pg.example.com", "Port": "5433", "User": "api",
                        "Databases": "api", "SSL_Active": true, "SSL_Verification": 1,
                        "SSHtunnelActive": false}
            },
            "local file": {"NetType": 10, "Host": "/home/me/app.sqlite3"}
        }
    });
    let file = test_root().join(format!("heidisql-{}/settings.json", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, json.to_string()).unwrap();
    let preview = sb.preview_batch(Batch::File(&file)).await.unwrap();
    let api = row(&preview, "api").fields.as_ref().unwrap();
    assert_eq!(
        (api.engine, api.port, api.folder.as_str(), api.tls.mode),
        (Engine::Postgres, 5433, "Team", TlsMode::VerifyCa)
    );
    assert!(api.ssh.is_none());
    let local = row(&preview, "local file").fields.as_ref().unwrap();
    assert_eq!(
        (local.engine, local.database.as_str()),
        (Engine::Sqlite, "/home/me/app.sqlite3")
    );
}

#[test]
fn discover_finds_heidisqls_settings_json_in_its_config_folder() {
    let home = test_root().join(format!("heidisql-home-{}", uuid::Uuid::new_v4()));
    let config = home.join(".config");
    std::fs::create_dir_all(config.join("heidisql")).unwrap();
    let json = serde_json::json!({"Servers": {
        "a": {"NetType": 0, "Host": "a.example.com"},
        "b": {"NetType": 8, "Host": "b.example.com"}
    }});
    std::fs::write(config.join("heidisql/settings.json"), json.to_string()).unwrap();
    let found = switchboard_tests::imports::discover(
        &home,
        &[("XDG_CONFIG_HOME", &config)],
        "heidisql-discover",
    );
    let h = switchboard_tests::imports::offer(&found, "heidisql");
    assert_eq!(h["connections"], 2);
    assert_eq!(h["summary"], "HeidiSQL: 2 connections");
}

#[tokio::test]
async fn a_broken_heidisql_settings_json_is_refused_naming_the_line() {
    let sb = open("heidisql-broken").await;
    let file = test_root().join(format!("heidisql-broken-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(
        &file,
        "{\n  \"Servers\": {\n    \"a\": {\"NetType\": 0,\n  }\n",
    )
    .unwrap();
    let e = sb.preview_batch(Batch::File(&file)).await.unwrap_err();
    assert!(e.to_string().contains("line"), "{e}");
    assert!(sb.summaries().await.unwrap().connections.is_empty());
}
