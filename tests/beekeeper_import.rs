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
use switchboard_tests::imports::{
    discover, hop_secret, hops, not_stored, offer, open, row, saved, seal,
};
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

/// One `saved_connection` row: where it points, and its switches (Beekeeper's defaults).
struct Saved<'a> {
    name: &'a str,
    kind: &'a str,
    at: (
        Option<&'a str>,
        Option<i64>,
        Option<&'a str>,
        Option<&'a str>,
    ),
    password: Option<&'a str>,
    ssl: bool,
    reject: bool,
    ca: Option<&'a str>,
    trust: bool,
    /// Through the bastion and the SSH host (a key file with a sealed passphrase).
    tunnel: bool,
    folder: Option<i64>,
    remember: bool,
    url: Option<&'a str>,
}

impl<'a> Saved<'a> {
    #[allow(clippy::type_complexity)]
    fn new(
        name: &'a str,
        kind: &'a str,
        at: (
            Option<&'a str>,
            Option<i64>,
            Option<&'a str>,
            Option<&'a str>,
        ),
    ) -> Self {
        Saved {
            name,
            kind,
            at,
            password: None,
            ssl: false,
            reject: true,
            ca: None,
            trust: false,
            tunnel: false,
            folder: None,
            remember: true,
            url: None,
        }
    }
}

struct Fixture {
    dir: PathBuf,
    password: String,
    passphrase: String,
    mongo_password: String,
    /// The values as sealed in app.db.
    sealed: Vec<String>,
}

async fn fixture(ca_path: &str) -> Fixture {
    let dir = test_root().join(format!(
        "beekeeper-{}/beekeeper-studio",
        uuid::Uuid::new_v4()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let password = test_password("beekeeper-db");
    let passphrase = test_password("beekeeper-key");
    let mongo_password = test_password("beekeeper-mongo");
    let mongo_url = format!(
        "mongodb://events:{}@[2001:db8::5]:27018/app?tls=true",
        mongo_password
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect::<String>()
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
    let at = |host, port, user, db| (Some(host), Some(port), Some(user), Some(db));
    let rows = [
        Saved {
            ssl: true,
            ca: Some(ca_path),
            tunnel: true,
            folder: Some(3),
            password: Some(sealed[0].as_str()),
            ..Saved::new(
                "orders (prod)",
                "postgresql",
                at("db.example.com", 5433, "app", "orders"),
            )
        },
        Saved {
            ssl: true,
            reject: false,
            remember: false,
            ..Saved::new("crm", "mysql", at("::1", 3307, "crm_app", "crm"))
        },
        Saved {
            ssl: true,
            trust: true,
            folder: Some(4),
            password: Some(sealed[3].as_str()),
            ..Saved::new(
                "ledger",
                "sqlserver",
                at("sql.example.com", 1433, "sa", "Ledger"),
            )
        },
        Saved {
            url: Some(sealed[2].as_str()),
            ..Saved::new("events", "mongodb", (None, None, None, None))
        },
        Saved::new(
            "cache",
            "redis",
            (Some("localhost"), Some(6379), None, None),
        ),
        Saved::new(
            "Demo Database",
            "sqlite",
            (
                None,
                None,
                None,
                Some("/home/me/.config/beekeeper-studio/demo.db"),
            ),
        ),
        Saved::new(
            "plain",
            "postgresql",
            at("10.0.0.7", 5432, "postgres", "postgres"),
        ),
    ];
    for r in rows {
        let (host, port, user, db) = r.at;
        let tunnel = r.tunnel;
        sqlx::query(insert)
            .bind(r.name)
            .bind(r.kind)
            .bind(host)
            .bind(port)
            .bind(user)
            .bind(db)
            .bind(r.password)
            .bind(r.ssl)
            .bind(r.reject)
            .bind(r.ca)
            .bind(r.trust)
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
            .bind(r.folder)
            .bind(r.remember)
            .bind(r.url)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    Fixture {
        dir,
        password,
        passphrase,
        mongo_password,
        sealed,
    }
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
    assert_eq!(
        hops(f.ssh.as_ref()),
        [
            ("gate.example.com".into(), 22, "me".into(), SshAuth::Agent),
            (
                "bastion2.internal".into(),
                2222,
                "jump".into(),
                SshAuth::Key
            )
        ]
    );
    let Some(SshRoute::Hops { hops }) = &f.ssh else {
        panic!("{:?}", f.ssh)
    };
    assert_eq!(hops[1].key_files, ["/home/me/.ssh/id_ed25519"]);
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
    let orders = saved(&sb, "orders (prod)").await;
    assert_eq!(
        sb.reveal_password(orders.id).await.unwrap().expose(),
        fx.password
    );
    assert_eq!(orders.folder, "Team/Backend/Склад");
    assert_eq!(
        sb.get(orders.id).await.unwrap().ssh_secrets,
        [1],
        "the key file's passphrase is in the keychain, for the second hop"
    );
    assert_eq!(
        hop_secret(orders.id, 1).as_deref(),
        Some(fx.passphrase.as_str())
    );
    let events = saved(&sb, "events").await;
    assert_eq!(
        sb.reveal_password(events.id).await.unwrap().expose(),
        fx.mongo_password,
        "the sealed URL's password, with consent"
    );
    let sealed: Vec<&str> = fx.sealed.iter().map(String::as_str).collect();
    not_stored("beekeeper-import", &sealed);
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
    let bk = offer(&found, "beekeeper");
    assert_eq!(bk["connections"], 7);
    assert_eq!(bk["path"], fx.join("app.db").display().to_string());
}

#[tokio::test]
async fn a_damaged_app_db_or_an_unknown_folder_is_said_plainly_and_nothing_is_saved() {
    let sb = open("beekeeper-damaged").await;
    let dir = test_root().join(format!(
        "beekeeper-damaged-{}/beekeeper-studio",
        uuid::Uuid::new_v4()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("app.db"), b"SQLite format 3\0truncated garbage").unwrap();
    for path in [dir.clone(), dir.join("app.db")] {
        let e = sb.preview_batch(Batch::File(&path)).await.unwrap_err();
        assert_eq!(e.code(), switchboard_core::ErrorCode::PayloadInvalid);
        let said = e.to_string();
        assert!(
            said.contains("app.db is a SQLite database") && said.contains("damaged"),
            "{said}"
        );
        assert!(e.hint().contains("New connection"), "{}", e.hint());
    }
    let empty = dir.parent().unwrap().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let e = sb.preview_batch(Batch::File(&empty)).await.unwrap_err();
    assert!(
        e.to_string()
            .contains("holds no connections Switchboard knows how to read"),
        "{e}"
    );
    assert!(e.hint().contains("DataGrip project"), "{}", e.hint());
    assert!(sb.summaries().await.unwrap().connections.is_empty());
}
