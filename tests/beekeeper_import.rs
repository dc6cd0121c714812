//! Beekeeper Studio's `app.db` through the import, against a real SQLite file and the real
//! Secret Service. The tables are Beekeeper's own, as its migrations make them
//! (beekeeper-studio/beekeeper-studio `apps/studio/src/migration/*.js`, v6.0.4; notes in
//! docs/research/beekeeper.md), and the secrets are sealed by the library Beekeeper seals
//! them with: simple-encryptor 3.0.0 from npm (tests/node), run in Node here. Opening what
//! it sealed (the `.key` file under Beekeeper's shipped key, then each password) is the
//! parity proof of the decryption.

use std::path::PathBuf;
use std::str::FromStr;

use sqlx::ConnectOptions;
use switchboard_core::imports::{Batch, ImportOptions, RowStatus};
use switchboard_core::model::{Engine, TlsMode};
use switchboard_core::ssh::{SshAuth, SshRoute};
use switchboard_tests::imports::{discover, open, row, seal};
use switchboard_tests::{test_password, test_root};

const SHIPPED_KEY: &str = "38782F413F442A472D4B6150645367566B59703373367639792442264529482B";

/// The tables as Beekeeper 6's migrations leave them (the columns this test uses; a
/// column an older Beekeeper lacks is simply absent from its rows).
const SCHEMA: &str = r#"
CREATE TABLE connection_folder (id integer PRIMARY KEY AUTOINCREMENT NOT NULL, name varchar(255) NOT NULL,
  description varchar(255), expanded boolean NOT NULL DEFAULT (1), parentId integer REFERENCES connection_folder(id) ON DELETE SET NULL,
  createdAt datetime NOT NULL DEFAULT (datetime('now')), updatedAt datetime NOT NULL DEFAULT (datetime('now')), version integer NOT NULL DEFAULT (0));
CREATE TABLE saved_connection (id integer PRIMARY KEY AUTOINCREMENT NOT NULL,
  createdAt datetime NOT NULL DEFAULT (datetime('now')), updatedAt datetime NOT NULL DEFAULT (datetime('now')),
  version integer NOT NULL, connectionType varchar NOT NULL, host varchar, port integer, username varchar,
  defaultDatabase varchar, path varchar, url varchar, uniqueHash varchar(500) NOT NULL, name varchar NOT NULL,
  password varchar, sshEnabled boolean NOT NULL DEFAULT (0), sshHost varchar, sshPort integer,
  sshMode varchar(8) NOT NULL DEFAULT ('keyfile'), sshKeyfile varchar, sshUsername varchar,
  rememberPassword boolean NOT NULL DEFAULT (1), sshKeyfilePassword varchar, sshPassword varchar,
  ssl boolean NOT NULL DEFAULT (0), sshBastionHost varchar(255), labelColor varchar(255) DEFAULT ('default'),
  domain varchar(255), serviceName varchar(255), sslCaFile varchar, sslCertFile varchar, sslKeyFile varchar,
  sslRejectUnauthorized boolean NOT NULL DEFAULT (1), workspaceId integer NOT NULL DEFAULT (-1),
  trustServerCertificate boolean NOT NULL DEFAULT (0), socketPathEnabled boolean NOT NULL DEFAULT (0),
  socketPath varchar(255), options text NOT NULL DEFAULT ('{}'), readOnlyMode boolean NOT NULL DEFAULT (0),
  connectionFolderId INTEGER REFERENCES connection_folder(id) ON DELETE SET NULL, position FLOAT NOT NULL DEFAULT (0),
  sshBastionHostPort integer, sshBastionMode varchar(8) DEFAULT ('agent'), sshBastionUsername varchar,
  sshBastionKeyfile varchar, sshBastionPassword varchar, sshBastionKeyfilePassword varchar);
"#;

struct Fixture {
    dir: PathBuf,
    password: String,
}

async fn fixture(ca_path: &str) -> Fixture {
    let dir = test_root().join(format!(
        "beekeeper-{}/beekeeper-studio",
        uuid::Uuid::new_v4()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let password = test_password("beekeeper-db");
    let passphrase = test_password("beekeeper-key");
    let mongo_url = format!(
        "mongodb://events:{}@[2001:db8::5]:27018/app?tls=true",
        "Ev%3Ants"
    );
    let (key_file, sealed) = seal(
        SHIPPED_KEY,
        &[&password, &passphrase, &mongo_url, &password],
    );
    std::fs::write(dir.join(".key"), &key_file).unwrap();
    let db = dir.join("app.db");
    let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str("sqlite:")
        .unwrap()
        .filename(&db)
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    sqlx::raw_sql(SCHEMA).execute(&mut conn).await.unwrap();
    sqlx::raw_sql(
        "INSERT INTO connection_folder (id, name, parentId) VALUES
           (1, 'Team', NULL), (2, 'Backend', 1), (3, 'Склад', 2), (4, 'Archive', NULL);",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let insert = "INSERT INTO saved_connection (version, uniqueHash, name, connectionType, host, port, username,
        defaultDatabase, password, ssl, sslRejectUnauthorized, sslCaFile, trustServerCertificate, sshEnabled, sshHost,
        sshPort, sshUsername, sshMode, sshKeyfile, sshKeyfilePassword, sshBastionHost, sshBastionHostPort,
        sshBastionMode, sshBastionUsername, labelColor, connectionFolderId, rememberPassword, url, options)
        VALUES (1, 'DEPRECATED', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}')";
    type R<'a> = (
        &'a str,
        &'a str,
        Option<&'a str>,
        Option<i64>,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
        (bool, bool, Option<&'a str>, bool),
        bool,
        Option<i64>,
        bool,
        Option<&'a str>,
    );
    let rows: Vec<R> = vec![
        (
            "orders (prod)",
            "postgresql",
            Some("db.example.com"),
            Some(5433),
            Some("app"),
            Some("orders"),
            Some(sealed[0].as_str()),
            (true, true, Some(ca_path), false),
            true,
            Some(3),
            true,
            None,
        ),
        (
            "crm",
            "mysql",
            Some("::1"),
            Some(3307),
            Some("crm_app"),
            Some("crm"),
            None,
            (true, false, None, false),
            false,
            None,
            false,
            None,
        ),
        (
            "ledger",
            "sqlserver",
            Some("sql.example.com"),
            Some(1433),
            Some("sa"),
            Some("Ledger"),
            Some(sealed[3].as_str()),
            (true, true, None, true),
            false,
            Some(4),
            true,
            None,
        ),
        (
            "events",
            "mongodb",
            None,
            None,
            None,
            None,
            None,
            (false, true, None, false),
            false,
            None,
            true,
            Some(sealed[2].as_str()),
        ),
        (
            "cache",
            "redis",
            Some("localhost"),
            Some(6379),
            None,
            None,
            None,
            (false, true, None, false),
            false,
            None,
            true,
            None,
        ),
        (
            "Demo Database",
            "sqlite",
            None,
            None,
            None,
            Some("/home/me/.config/beekeeper-studio/demo.db"),
            None,
            (false, true, None, false),
            false,
            None,
            true,
            None,
        ),
        (
            "plain",
            "postgresql",
            Some("10.0.0.7"),
            Some(5432),
            Some("postgres"),
            Some("postgres"),
            None,
            (false, true, None, false),
            false,
            None,
            true,
            None,
        ),
    ];
    for (
        name,
        kind,
        host,
        port,
        user,
        db,
        pw,
        (ssl, reject, ca, trust),
        tunnel,
        folder,
        remember,
        url,
    ) in rows
    {
        sqlx::query(insert)
            .bind(name)
            .bind(kind)
            .bind(host)
            .bind(port)
            .bind(user)
            .bind(db)
            .bind(pw)
            .bind(ssl)
            .bind(reject)
            .bind(ca)
            .bind(trust)
            .bind(tunnel)
            .bind(tunnel.then_some("bastion2.internal"))
            .bind(tunnel.then_some(2222))
            .bind(tunnel.then_some("jump"))
            .bind(if tunnel { "keyfile" } else { "agent" })
            .bind(tunnel.then_some("/home/me/.ssh/id_ed25519"))
            .bind(tunnel.then_some(sealed[1].as_str()))
            .bind(tunnel.then_some("gate.example.com"))
            .bind(tunnel.then_some(22))
            .bind(tunnel.then_some("agent"))
            .bind(tunnel.then_some("me"))
            .bind(if tunnel { "red" } else { "default" })
            .bind(folder)
            .bind(remember)
            .bind(url)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    Fixture { dir, password }
}

#[tokio::test]
async fn beekeepers_app_db_imports_with_folders_tls_ssh_and_its_sealed_secrets_with_consent() {
    let sb = open("beekeeper-import").await;
    let ca = switchboard_tests::ca::TestCa::new("Beekeeper import CA");
    let ca_path = test_root().join(format!("beekeeper-ca-{}.pem", uuid::Uuid::new_v4()));
    std::fs::write(&ca_path, &ca.cert_pem).unwrap();
    let fx = fixture(ca_path.to_str().unwrap()).await;

    // The folder, as the user would pick or drop it.
    let preview = sb.preview_batch(Batch::File(&fx.dir)).await.unwrap();
    let orders = row(&preview, "orders (prod)");
    assert_eq!(orders.status, RowStatus::Ready, "{orders:#?}");
    assert!(!orders.has_password, "no password without consent");
    assert!(orders
        .warnings
        .iter()
        .any(|w| w.contains("import with passwords")));
    let f = orders.fields.as_ref().unwrap();
    assert_eq!(f.engine, Engine::Postgres);
    assert_eq!(
        (
            f.host.as_str(),
            f.port,
            f.username.as_str(),
            f.database.as_str()
        ),
        ("db.example.com", 5433, "app", "orders")
    );
    assert_eq!(f.tls.mode, TlsMode::VerifyFull);
    assert!(orders
        .tls_from
        .as_deref()
        .unwrap()
        .contains("node-postgres"));
    assert_eq!(f.tls.ca_pem.as_deref(), Some(ca.cert_pem.as_str()));
    assert_eq!(f.folder, "Team/Backend/Склад");
    assert_eq!(f.color.as_deref(), Some("#e53935"));
    match f.ssh.as_ref().unwrap() {
        SshRoute::Hops { hops } => {
            let seen: Vec<_> = hops
                .iter()
                .map(|h| (h.host.as_str(), h.port, h.user.as_str(), h.auth))
                .collect();
            assert_eq!(
                seen,
                [
                    ("gate.example.com", 22, "me", SshAuth::Agent),
                    ("bastion2.internal", 2222, "jump", SshAuth::Key)
                ]
            );
            assert_eq!(hops[1].key_files, ["/home/me/.ssh/id_ed25519"]);
        }
        other => panic!("{other:?}"),
    }
    let crm = row(&preview, "crm").fields.as_ref().unwrap();
    assert_eq!((crm.host.as_str(), crm.tls.mode), ("::1", TlsMode::Require));
    let ledger = row(&preview, "ledger");
    assert_eq!(ledger.fields.as_ref().unwrap().tls.mode, TlsMode::Require);
    assert_eq!(ledger.fields.as_ref().unwrap().folder, "Archive");
    let events = row(&preview, "events").fields.as_ref().unwrap();
    assert_eq!(
        (
            events.engine,
            events.host.as_str(),
            events.port,
            events.tls.mode
        ),
        (Engine::Mongodb, "2001:db8::5", 27018, TlsMode::VerifyFull),
        "the sealed URL is opened and read as a MongoDB URL (tls=true verifies)"
    );
    assert_eq!(
        row(&preview, "plain").fields.as_ref().unwrap().tls.mode,
        TlsMode::Disable,
        "node-postgres sends plain text with SSL off"
    );
    for (label, why) in [("cache", "redis"), ("Demo Database", "demo")] {
        let r = row(&preview, label);
        assert_eq!(r.status, RowStatus::Skipped);
        assert!(r.reason.as_deref().unwrap().contains(why), "{r:?}");
    }
    assert!(
        preview.folders.is_empty(),
        "every folder holds a connection: {:?}",
        preview.folders
    );

    // With consent: the database password and the key's passphrase reach the keychain.
    let with = ImportOptions {
        include_passwords: true,
        ..Default::default()
    };
    let preview = sb
        .preview_batch_with(Batch::File(&fx.dir.join("app.db")), &with)
        .await
        .unwrap();
    let orders = row(&preview, "orders (prod)");
    assert!(orders.has_password);
    assert_eq!(orders.ssh_secrets, 1, "the key file's passphrase");
    assert!(
        !format!("{preview:?}").contains(&fx.password),
        "a preview never carries a password"
    );
    sb.import_batch_with(Batch::File(&fx.dir), None, &with)
        .await
        .unwrap();
    let listed = sb.summaries().await.unwrap();
    let saved = listed
        .connections
        .iter()
        .find(|c| c.name == "orders (prod)")
        .unwrap();
    assert_eq!(
        sb.reveal_password(saved.id).await.unwrap().expose(),
        fx.password
    );
    assert_eq!(saved.folder, "Team/Backend/Склад");
    assert_eq!(
        sb.get(saved.id).await.unwrap().ssh_secrets,
        [1],
        "the key file's passphrase is in the keychain, for the second hop"
    );
}

#[test]
fn discover_finds_beekeepers_app_db_in_its_user_data_folder() {
    let home = test_root().join(format!("beekeeper-home-{}", uuid::Uuid::new_v4()));
    let config = home.join(".config");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fx = rt.block_on(async {
        let fx = fixture("/nonexistent/ca.pem").await;
        let dest = config.join("beekeeper-studio");
        std::fs::create_dir_all(&config).unwrap();
        std::fs::rename(&fx.dir, &dest).unwrap();
        dest
    });
    let found = discover(&home, &[("XDG_CONFIG_HOME", &config)], "beekeeper-discover");
    let offers = found.as_array().unwrap();
    let bk = offers
        .iter()
        .find(|o| o["tool"] == "beekeeper")
        .unwrap_or_else(|| panic!("{found:#}"));
    assert_eq!(bk["connections"], 7);
    assert_eq!(bk["path"], fx.join("app.db").display().to_string());
}
