//! DbGate's `~/.dbgate` through the import, against a real SQLite file and the real Secret
//! Service. The lines carry the fields DbGate's connection form saves (dbgate/dbgate
//! `packages/web/src/settings/Connection*Fields.svelte`, `packages/api/src/controllers/
//! connections.js`; notes in docs/research/other_tools.md), and the secrets are sealed
//! by the library DbGate seals them with (`utility/crypting.js`: simple-encryptor 3.0.0
//! from npm, tests/node): opening them is the parity proof.

use switchboard_core::imports::{Batch, ImportOptions, RowStatus};
use switchboard_core::model::{Engine, TlsMode};
use switchboard_core::ssh::SshAuth;
use switchboard_core::ErrorCode;
use switchboard_tests::imports::{
    discover, hop_secret, hops, not_stored, offer, open, row, saved, seal,
};
use switchboard_tests::{test_password, test_root};

const SHIPPED_KEY: &str = "mQAUaXhavRGJDxDTXSCg7Ej0xMmGCrx6OKA07DIMBiDcYYkvkaXjTAzPUEHEHEf9";

/// A `.dbgate` folder (the lines and the `.key`) and the secrets in it.
struct Fixture {
    dir: std::path::PathBuf,
    password: String,
    ssh: String,
    raw: String,
    /// The two as sealed in the lines.
    sealed: Vec<String>,
}

/// A `.dbgate` folder: the lines and the `.key`, and the passwords sealed in them.
fn dbgate_dir(ca_path: &str) -> Fixture {
    let dir = test_root().join(format!("dbgate-{}/.dbgate", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let password = test_password("dbgate-db");
    let ssh = test_password("dbgate-ssh");
    let raw = test_password("dbgate-raw");
    let (key_file, sealed) = seal(SHIPPED_KEY, &[&password, &ssh]);
    std::fs::write(dir.join(".key"), key_file).unwrap();
    let lines = [
        serde_json::json!({"_id": "7d2c5c7e-1", "engine": "postgres@dbgate-plugin-postgres",
            "displayName": "orders (prod)", "server": "db.example.com", "port": "5433", "user": "app",
            "password": format!("crypt:{}", sealed[0]), "passwordMode": "saveEncrypted",
            "defaultDatabase": "orders", "useSsl": true, "sslCaFile": ca_path, "parent": "Payments/EU",
            "useSshTunnel": true, "sshMode": "userPassword", "sshHost": "bastion.example.com", "sshPort": "2222",
            "sshLogin": "jump", "sshPassword": format!("crypt:{}", sealed[1]),
            "sshBastionHost": "gate.example.com:22"}),
        serde_json::json!({"_id": "7d2c5c7e-2", "engine": "mariadb@dbgate-plugin-mysql",
            "displayName": "Склад", "server": "::1", "port": 3307, "user": "crm", "password": raw,
            "passwordMode": "saveRaw", "defaultDatabase": "crm", "useSsl": true, "sslRejectUnauthorized": false}),
        serde_json::json!({"_id": "7d2c5c7e-3", "engine": "mssql@dbgate-plugin-mssql",
            "displayName": "ledger", "server": "sql.example.com", "port": "1433", "user": "sa",
            "useSsl": true, "trustServerCertificate": false, "passwordMode": "askPassword"}),
        serde_json::json!({"_id": "7d2c5c7e-4", "engine": "sqlite@dbgate-plugin-sqlite",
            "displayName": "local", "databaseFile": "/home/me/app.sqlite"}),
        serde_json::json!({"_id": "7d2c5c7e-5", "engine": "redis@dbgate-plugin-redis",
            "displayName": "cache", "server": "localhost", "port": "6379"}),
        serde_json::json!({"_id": "7d2c5c7e-6", "engine": "postgres@dbgate-plugin-postgres",
            "server": "scratch", "unsaved": true}),
        serde_json::json!({"_id": "7d2c5c7e-7", "engine": "mongo@dbgate-plugin-mongo",
            "displayName": "events", "useDatabaseUrl": true,
            "databaseUrl": "mongodb://events@[2001:db8::5]:27018/app?tls=true"}),
    ];
    let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    std::fs::write(dir.join("connections.jsonl"), text.join("\n")).unwrap();
    Fixture {
        dir,
        password,
        ssh,
        raw,
        sealed,
    }
}

#[tokio::test]
async fn dbgates_connections_import_with_tls_ssh_folders_and_sealed_passwords_with_consent() {
    let sb = open("dbgate-import").await;
    let ca = switchboard_tests::ca::TestCa::new("DbGate import CA");
    let ca_path = test_root().join(format!("dbgate-ca-{}.pem", uuid::Uuid::new_v4()));
    std::fs::write(&ca_path, &ca.cert_pem).unwrap();
    let Fixture {
        dir,
        password,
        ssh,
        raw,
        sealed,
    } = dbgate_dir(ca_path.to_str().unwrap());

    let preview = sb.preview_batch(Batch::File(&dir)).await.unwrap();
    let orders = row(&preview, "orders (prod)");
    assert_eq!(orders.status, RowStatus::Ready, "{orders:#?}");
    assert!(
        !orders.has_password && orders.ssh_secrets == 0,
        "nothing without consent"
    );
    let f = orders.fields.as_ref().unwrap();
    assert_eq!(
        (f.engine, f.host.as_str(), f.port, f.database.as_str()),
        (Engine::Postgres, "db.example.com", 5433, "orders")
    );
    assert_eq!(
        f.tls.mode,
        TlsMode::VerifyFull,
        "useSsl with Node's default: verify"
    );
    assert_eq!(f.tls.ca_pem.as_deref(), Some(ca.cert_pem.as_str()));
    assert_eq!(f.folder, "Payments/EU");
    assert_eq!(
        hops(f.ssh.as_ref()),
        [
            (
                "gate.example.com".into(),
                22,
                "jump".into(),
                SshAuth::Password
            ),
            (
                "bastion.example.com".into(),
                2222,
                "jump".into(),
                SshAuth::Password
            )
        ],
        "node-ssh-forward logs in to the bastion as to the SSH host"
    );
    let sklad = row(&preview, "Склад").fields.as_ref().unwrap();
    assert_eq!(
        (
            sklad.engine,
            sklad.host.as_str(),
            sklad.port,
            sklad.tls.mode
        ),
        (Engine::Mysql, "::1", 3307, TlsMode::Require)
    );
    let ledger = row(&preview, "ledger").fields.as_ref().unwrap();
    assert_eq!(ledger.tls.mode, TlsMode::VerifyFull);
    assert_eq!(
        row(&preview, "local").fields.as_ref().unwrap().engine,
        Engine::Sqlite
    );
    let events = row(&preview, "events").fields.as_ref().unwrap();
    assert_eq!(
        (events.engine, events.port, events.tls.mode),
        (Engine::Mongodb, 27018, TlsMode::VerifyFull)
    );
    assert_eq!(row(&preview, "cache").status, RowStatus::Skipped);
    assert_eq!(row(&preview, "scratch").status, RowStatus::Skipped);

    // With consent: the sealed password, the raw one and the tunnel's go to the keychain.
    let with = ImportOptions {
        include_passwords: true,
        ..Default::default()
    };
    let preview = sb
        .preview_batch_with(Batch::File(&dir.join("connections.jsonl")), &with)
        .await
        .unwrap();
    let orders = row(&preview, "orders (prod)");
    assert!(orders.has_password);
    assert_eq!(orders.ssh_secrets, 2, "one password for both hops");
    assert!(row(&preview, "Склад").has_password);
    let shown = format!("{preview:?}");
    assert!(!shown.contains(&password) && !shown.contains(&ssh));
    sb.import_batch_with(Batch::File(&dir), None, &with)
        .await
        .unwrap();
    let orders = saved(&sb, "orders (prod)").await;
    assert_eq!(
        sb.reveal_password(orders.id).await.unwrap().expose(),
        password
    );
    assert_eq!(sb.get(orders.id).await.unwrap().ssh_secrets, [0, 1]);
    for hop in [0, 1] {
        assert_eq!(
            hop_secret(orders.id, hop).as_deref(),
            Some(ssh.as_str()),
            "node-ssh-forward's one password, for hop {hop}"
        );
    }
    let sklad = saved(&sb, "Склад").await;
    assert_eq!(
        sb.reveal_password(sklad.id).await.unwrap().expose(),
        raw,
        "a password DbGate saved raw"
    );
    let sealed: Vec<&str> = sealed.iter().map(String::as_str).collect();
    not_stored("dbgate-import", &sealed);
}

#[tokio::test]
async fn a_broken_dbgate_line_is_one_invalid_row_naming_its_line() {
    let sb = open("dbgate-broken").await;
    let dir = test_root().join(format!("dbgate-broken-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("connections.jsonl");
    std::fs::write(
        &file,
        "{\"_id\":\"1\",\"engine\":\"postgres@dbgate-plugin-postgres\",\"server\":\"a\",\"port\":\"5432\"}\n{\"_id\": \"2\", \"engine\": \n",
    )
    .unwrap();
    let preview = sb.preview_batch(Batch::File(&file)).await.unwrap();
    assert_eq!(preview.rows.len(), 2);
    let broken = &preview.rows[1];
    assert_eq!(broken.status, RowStatus::Invalid);
    let e = broken.error.as_ref().unwrap();
    assert_eq!(e.code, ErrorCode::UrlInvalid);
    assert!(e.message.contains("Line 2"), "{}", e.message);
}

#[test]
fn discover_finds_dbgates_folder_in_the_home() {
    let dir = dbgate_dir("/nonexistent/ca.pem").dir;
    let home = dir.parent().unwrap().to_owned();
    let found = discover(&home, &[], "dbgate-discover");
    let dg = offer(&found, "dbgate");
    assert_eq!(
        dg["connections"], 6,
        "the unsaved recent one is not counted"
    );
}
