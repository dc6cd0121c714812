//! DBeaver's projects through the import, against a real SQLite file and the real Secret
//! Service. The fixtures follow what DBeaver itself writes and reads (dbeaver/dbeaver at
//! 2428359b: `plugins/org.jkiss.dbeaver.registry/src/org/jkiss/dbeaver/registry/
//! DataSourceSerializerModern.java` for data-sources.json, folders keyed by leaf name with
//! the parent's path, handlers and connection types; `.../model/impl/app/
//! DefaultValueEncryptor.java` and `BaseProjectImpl.java` for credentials-config.json:
//! AES-128-CBC, PKCS#5, the IV first, the public local key; the SSH handler's
//! `jumpServerN.` keys in `.../net/ssh/SSHUtils.java`). Notes: docs/research/dbeaver.md.
//! The credentials file is encrypted here, by the test, with that public scheme.

use std::path::{Path, PathBuf};

use switchboard_core::imports::{Batch, ImportOptions, RowStatus};
use switchboard_core::model::{Engine, Environment, PasswordSave, TlsMode};
use switchboard_core::ssh::{SshAuth, SshRoute};
use switchboard_core::ErrorCode;
use switchboard_tests::imports::{discover, open, row};
use switchboard_tests::{test_password, test_root};

/// DBeaver's scheme, written independently of Switchboard's reader: a random IV, then
/// AES-128-CBC with PKCS#7 under the key in `BaseProjectImpl.LOCAL_KEY_CACHE`.
fn encrypt(json: &str) -> Vec<u8> {
    use aes::cipher::{block_padding::Pkcs7, BlockEncryptMut, KeyIvInit};
    let key: [i8; 16] = [
        -70, -69, 74, -97, 119, 74, -72, 83, -55, 108, 45, 101, 61, -2, 84, 74,
    ];
    let key: [u8; 16] = key.map(|b| b as u8);
    let iv: [u8; 16] = *uuid::Uuid::new_v4().as_bytes();
    let mut out = iv.to_vec();
    out.extend(
        cbc::Encryptor::<aes::Aes128>::new(&key.into(), &iv.into())
            .encrypt_padded_vec_mut::<Pkcs7>(json.as_bytes()),
    );
    out
}

fn data_sources(ca: &str) -> serde_json::Value {
    serde_json::json!({
        "folders": {
            "Clients": {},
            "Acme": {"parent": "Clients"},
            "Production": {"parent": "Clients/Acme", "description": "Acme prod (VPN only)"},
            "Empty": {"parent": "Clients"}
        },
        "connections": {
            "postgres-jdbc-18b1f0c2a11-5d2c9e0f4a7b1c3e": {
                "provider": "postgresql", "driver": "postgres-jdbc", "name": "acme-orders (prod)",
                "save-password": true, "folder": "Clients/Acme/Production",
                "configuration": {
                    "host": "10.20.0.15", "port": "5432", "database": "orders",
                    "url": "jdbc:postgresql://10.20.0.15:5432/orders", "configurationType": "MANUAL",
                    "type": "prod", "closeIdleConnection": true, "auth-model": "native",
                    "handlers": {
                        "ssh_tunnel": {"type": "TUNNEL", "enabled": true, "save-password": true, "properties": {
                            "jumpServer0.host": "bastion.acme.example", "jumpServer0.port": 2222,
                            "jumpServer0.name": "jumpuser", "jumpServer0.authType": "PUBLIC_KEY",
                            "jumpServer0.keyPath": "/home/me/.ssh/id_ed25519", "jumpServer0.enabled": true,
                            "host": "db-gw.internal.acme", "port": 22, "authType": "PASSWORD",
                            "implementation": "sshj", "localHost": "", "remoteHost": "", "aliveInterval": 30000
                        }},
                        "postgre_ssl": {"type": "CONFIG", "enabled": true, "properties": {
                            "ssl.ca.cert": ca, "ssl.method": "CERTIFICATES", "sslMode": "verify-ca"
                        }}
                    },
                    "bootstrap": {"defaultSchema": "public", "query": ["SET ROLE app"]}
                }
            },
            "postgres-jdbc-18b1f0c2a12-000000000000000a": {
                "provider": "postgresql", "driver": "postgres-jdbc", "name": "reports (ssl=true)",
                "folder": "Clients/Acme",
                "configuration": {
                    "host": "::1", "port": 6432.0, "database": "reports", "configurationType": "MANUAL",
                    "type": "type1",
                    "handlers": {"postgre_ssl": {"type": "CONFIG", "enabled": true, "properties": {}}}
                }
            },
            "mariaDB-18b1f0c9e42-2a9b7c5d3e1f0a4b": {
                "provider": "mysql", "driver": "mariaDB", "name": "Склад (MariaDB)",
                "configuration": {
                    "host": "crm-db.acme.example", "port": "3307", "database": "crm",
                    "configurationType": "MANUAL", "type": "dev",
                    "handlers": {"mysql_ssl": {"type": "CONFIG", "enabled": true, "properties": {
                        "ssl.verify.server": "false", "ssl.require": "true"
                    }}}
                }
            },
            "microsoft-18b1f0c9e43-1": {
                "provider": "sqlserver", "driver": "microsoft", "name": "ledger",
                "configuration": {
                    "host": "sql.acme.example", "port": "1433", "database": "Ledger",
                    "configurationType": "MANUAL",
                    "handlers": {"mssql_ssl": {"type": "CONFIG", "enabled": false, "properties": {}}}
                }
            },
            "oracle_thin-18b1f0c9e44-1": {
                "provider": "oracle", "driver": "oracle_thin", "name": "erp",
                "configuration": {
                    "host": "ora.acme.example", "port": "1521", "database": "ORCL",
                    "configurationType": "MANUAL",
                    "provider-properties": {"@dbeaver-sid-service@": "SID", "@dbeaver-connection-type@": "BASIC"}
                }
            },
            "sqlite_jdbc-18b1f0c9e45-1": {
                "provider": "sqlite", "driver": "sqlite_jdbc", "name": "local cache",
                "configuration": {"database": "/tmp/cache.db", "configurationType": "MANUAL"}
            },
            "postgres-jdbc-18b1f11a7c0-7e6d5c4b3a291807": {
                "provider": "postgresql", "driver": "postgres-jdbc", "name": "analytics (URL)",
                "configuration": {
                    "url": "jdbc:postgresql://analytics.example.com:6432/warehouse?sslmode=require",
                    "configurationType": "URL", "type": "dev"
                }
            },
            "com_clickhouse-18b1f1337aa-1b2c3d4e5f607182": {
                "provider": "clickhouse", "driver": "com_clickhouse", "name": "events",
                "folder": "Clients",
                "configuration": {"host": "ch.example.com", "port": "8123", "configurationType": "MANUAL"}
            }
        },
        "connection-types": {
            "type1": {"name": "UAT", "color": "255,200,0"}
        }
    })
}

struct Project {
    dir: PathBuf,
    pg_password: String,
    gw_password: String,
    ca_pem: String,
}

/// A DBeaverData tree with one project, `General`, and its encrypted credentials.
fn project(root: &Path) -> Project {
    let ca = switchboard_tests::ca::TestCa::new("DBeaver import CA");
    let meta = root.join("workspace6/General/.dbeaver");
    std::fs::create_dir_all(&meta).unwrap();
    let ca_path = meta.join("acme-ca.pem");
    std::fs::write(&ca_path, &ca.cert_pem).unwrap();
    std::fs::write(
        meta.join("data-sources.json"),
        serde_json::to_string_pretty(&data_sources(ca_path.to_str().unwrap())).unwrap(),
    )
    .unwrap();
    let pg_password = test_password("dbeaver-pg");
    let gw_password = test_password("dbeaver-gw");
    let creds = serde_json::json!({
        "postgres-jdbc-18b1f0c2a11-5d2c9e0f4a7b1c3e": {
            "#connection": {"user": "orders_ro", "password": pg_password},
            "network/ssh_tunnel": {"user": "tunnel", "password": gw_password}
        },
        "mariaDB-18b1f0c9e42-2a9b7c5d3e1f0a4b": {"#connection": {"user": "crm_app"}},
        "postgres-jdbc-18b1f0c2a12-000000000000000a": {"#connection": {"user": "reporter"}},
        "microsoft-18b1f0c9e43-1": {"#connection": {"user": "ledger_app"}},
        "oracle_thin-18b1f0c9e44-1": {"#connection": {"user": "erp"}},
        "postgres-jdbc-18b1f11a7c0-7e6d5c4b3a291807": {"#connection": {"user": "analyst"}}
    });
    std::fs::write(
        meta.join("credentials-config.json"),
        encrypt(&creds.to_string()),
    )
    .unwrap();
    Project {
        dir: root.to_owned(),
        pg_password,
        gw_password,
        ca_pem: ca.cert_pem,
    }
}

fn fresh_root(label: &str) -> PathBuf {
    let dir = test_root().join(format!("{label}-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn a_dbeaver_project_maps_folders_types_tls_and_ssh_and_skips_other_engines_with_the_reason()
{
    let sb = open("dbeaver-preview").await;
    let p = project(&fresh_root("DBeaverData"));
    let preview = sb
        .preview_batch_with(Batch::File(&p.dir), &ImportOptions::default())
        .await
        .unwrap();

    let not_ready: Vec<_> = preview
        .rows
        .iter()
        .filter(|r| r.status != RowStatus::Ready && r.label != "events")
        .collect();
    assert!(not_ready.is_empty(), "{not_ready:#?}");
    let skipped = row(&preview, "events");
    assert_eq!(skipped.status, RowStatus::Skipped);
    assert!(
        skipped.reason.as_deref().unwrap().contains("clickhouse"),
        "{skipped:?}"
    );

    let orders = row(&preview, "acme-orders (prod)");
    assert_eq!(orders.status, RowStatus::Ready, "{orders:#?}");
    let f = orders.fields.as_ref().unwrap();
    assert_eq!(f.engine, Engine::Postgres);
    assert_eq!((f.host.as_str(), f.port), ("10.20.0.15", 5432));
    assert_eq!(f.folder, "Clients/Acme/Production");
    assert_eq!(f.environment, Some(Environment::Production));
    assert_eq!(
        f.username, "orders_ro",
        "the user name is only in the credentials file"
    );
    assert_eq!(f.tls.mode, TlsMode::VerifyCa);
    assert_eq!(
        f.tls.ca_pem.as_deref(),
        Some(p.ca_pem.as_str()),
        "the CA file is read"
    );
    assert!(orders.tls_from.as_deref().unwrap().contains("verify-ca"));
    match f.ssh.as_ref().unwrap() {
        SshRoute::Hops { hops } => {
            let got: Vec<_> = hops
                .iter()
                .map(|h| (h.host.as_str(), h.port, h.user.as_str(), h.auth))
                .collect();
            assert_eq!(
                got,
                [
                    ("bastion.acme.example", 2222, "jumpuser", SshAuth::Key),
                    ("db-gw.internal.acme", 22, "tunnel", SshAuth::Password)
                ],
                "jump server 0 first, the handler's own host last"
            );
            assert_eq!(hops[0].key_files, ["/home/me/.ssh/id_ed25519"]);
            assert_eq!(hops[1].secret_save, PasswordSave::Ask);
        }
        other => panic!("{other:?}"),
    }
    // Without the user's say-so no saved password goes anywhere; the row says one exists.
    assert!(!orders.has_password);
    assert_eq!(orders.ssh_secrets, 0);
    let warnings = orders.warnings.join("\n");
    assert!(warnings.contains("saved a password"), "{warnings}");
    assert!(warnings.contains("bootstrap"), "{warnings}");
    assert!(!warnings.contains(&p.pg_password));

    // pgjdbc reads ssl=true with no sslmode as verify-full; a number port as Gson writes it.
    let reports = row(&preview, "reports (ssl=true)").fields.as_ref().unwrap();
    assert_eq!(reports.tls.mode, TlsMode::VerifyFull);
    assert_eq!((reports.host.as_str(), reports.port), ("::1", 6432));
    assert_eq!(reports.environment, Some(Environment::Staging), "UAT");
    assert_eq!(reports.color.as_deref(), None);

    // MariaDB Connector/J: useSSL with trustServerCertificate (verify off) encrypts only.
    let crm = row(&preview, "Склад (MariaDB)").fields.as_ref().unwrap();
    assert_eq!(crm.engine, Engine::Mysql);
    assert_eq!((crm.port, crm.username.as_str()), (3307, "crm_app"));
    assert_eq!(crm.tls.mode, TlsMode::Require);
    assert_eq!(crm.environment, Some(Environment::Development));

    // A disabled SSL handler is ignored: DBeaver then sets encrypt=false.
    let ledger = row(&preview, "ledger");
    assert!(ledger
        .tls_from
        .as_deref()
        .unwrap()
        .contains("encrypt=false"));
    let ledger = ledger.fields.as_ref().unwrap();
    assert_eq!(ledger.engine, Engine::SqlServer);
    assert_eq!(ledger.database, "Ledger");

    let erp = row(&preview, "erp").fields.as_ref().unwrap();
    assert_eq!(
        (erp.engine, erp.database.as_str()),
        (Engine::Oracle, "ORCL")
    );
    let cache = row(&preview, "local cache").fields.as_ref().unwrap();
    assert_eq!(
        (cache.engine, cache.database.as_str()),
        (Engine::Sqlite, "/tmp/cache.db")
    );
    // URL-only: the URL is the truth, read by Switchboard's own JDBC reader.
    let analytics = row(&preview, "analytics (URL)").fields.as_ref().unwrap();
    assert_eq!(
        (
            analytics.host.as_str(),
            analytics.port,
            analytics.database.as_str()
        ),
        ("analytics.example.com", 6432, "warehouse")
    );
    assert_eq!(analytics.tls.mode, TlsMode::Require);
    assert_eq!(analytics.username, "analyst");

    assert!(
        preview.folders.contains(&"Clients/Empty".to_owned()),
        "an empty folder is kept: {:?}",
        preview.folders
    );
}

#[tokio::test]
async fn with_consent_dbeavers_saved_passwords_go_straight_into_the_keychain_in_one_import() {
    let sb = open("dbeaver-passwords").await;
    let p = project(&fresh_root("DBeaverData"));
    let opts = ImportOptions {
        include_passwords: true,
        from: None,
        passphrase: None,
        on_clash: Default::default(),
    };
    let preview = sb
        .preview_batch_with(Batch::File(&p.dir), &opts)
        .await
        .unwrap();
    let orders = preview
        .rows
        .iter()
        .find(|r| r.label == "acme-orders (prod)")
        .unwrap();
    assert!(orders.has_password);
    assert_eq!(orders.ssh_secrets, 1, "the gateway's password");
    let dump = serde_json::to_string(&preview).unwrap();
    assert!(!dump.contains(&p.pg_password) && !dump.contains(&p.gw_password));

    let result = sb
        .import_batch_with(Batch::File(&p.dir), None, &opts)
        .await
        .unwrap();
    assert_eq!(result.created.len(), 7, "every row but the skipped one");
    let saved = result
        .created
        .iter()
        .find(|c| c.fields.name == "acme-orders (prod)")
        .unwrap();
    assert_eq!(
        sb.reveal_password(saved.id).await.unwrap().expose(),
        p.pg_password
    );
    let again = sb.get(saved.id).await.unwrap();
    assert_eq!(
        again.ssh_secrets,
        [1],
        "the second hop's secret is in the keychain"
    );
    match again.fields.ssh.as_ref().unwrap() {
        SshRoute::Hops { hops } => assert_eq!(hops[1].secret_save, PasswordSave::Keychain),
        other => panic!("{other:?}"),
    }
    let folders = sb.summaries().await.unwrap();
    assert!(folders
        .connections
        .iter()
        .any(|c| c.name == "acme-orders (prod)" && c.folder == "Clients/Acme/Production"));
}

#[tokio::test]
async fn a_credentials_file_under_another_key_is_said_so_and_every_row_is_still_shown() {
    let sb = open("dbeaver-project-password").await;
    let p = project(&fresh_root("DBeaverData"));
    let meta = p.dir.join("workspace6/General/.dbeaver");
    std::fs::write(meta.join("credentials-config.json"), [7u8; 64]).unwrap();
    let preview = sb
        .preview_batch_with(
            Batch::File(&meta),
            &ImportOptions {
                include_passwords: true,
                from: Some(switchboard_core::sources::Tool::Dbeaver),
                passphrase: None,
                on_clash: Default::default(),
            },
        )
        .await
        .unwrap();
    assert!(
        preview.notes.iter().any(|n| n.contains("not read")),
        "{:?}",
        preview.notes
    );
    assert_eq!(preview.rows.len(), 8);
    // The user names were only in that file: the rows that need one say so.
    let orders = preview
        .rows
        .iter()
        .find(|r| r.label == "acme-orders (prod)")
        .unwrap();
    assert_eq!(orders.status, RowStatus::Invalid);
    assert!(
        orders.issues.iter().any(|i| i.field == "username"),
        "{orders:?}"
    );
    assert!(preview
        .rows
        .iter()
        .any(|r| r.label == "local cache" && r.status == RowStatus::Ready));
}

#[tokio::test]
async fn a_malformed_data_sources_file_is_refused_naming_the_file_and_line_and_saves_nothing() {
    let sb = open("dbeaver-malformed").await;
    let root = fresh_root("DBeaverData");
    let meta = root.join("workspace6/General/.dbeaver");
    std::fs::create_dir_all(&meta).unwrap();
    std::fs::write(
        meta.join("data-sources.json"),
        "{\n\t\"connections\": {\n\t\t\"a\": {\"provider\": \"postgresql\",,}\n}\n",
    )
    .unwrap();
    let err = sb.preview_batch(Batch::File(&root)).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::PayloadInvalid);
    let text = err.to_string();
    assert!(
        text.contains("General/data-sources.json") && text.contains("line 3"),
        "{text}"
    );
    // Told it is pgAdmin's, a DBeaver file is refused rather than misread.
    let p = project(&fresh_root("DBeaverData"));
    let file = p.dir.join("workspace6/General/.dbeaver/data-sources.json");
    let err = sb
        .preview_batch_with(
            Batch::File(&file),
            &ImportOptions {
                include_passwords: false,
                from: Some(switchboard_core::sources::Tool::Pgadmin),
                passphrase: None,
                on_clash: Default::default(),
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("DBeaver"), "{err}");
    assert!(sb.summaries().await.unwrap().connections.is_empty());
}

#[tokio::test]
async fn a_project_of_ten_thousand_connections_previews_every_row() {
    let sb = open("dbeaver-huge").await;
    let mut conns = serde_json::Map::new();
    for i in 0..10_000 {
        conns.insert(
            format!("postgres-jdbc-{i:x}"),
            serde_json::json!({
                "provider": "postgresql", "driver": "postgres-jdbc", "name": format!("db-{i}"),
                "folder": format!("Region {}/Team {}", i % 7, i % 13),
                "configuration": {"host": format!("db-{i}.example.com"), "port": "5432",
                    "database": "app", "user": "app", "configurationType": "MANUAL", "type": "dev"}
            }),
        );
    }
    let text = serde_json::json!({ "connections": conns }).to_string();
    let preview = sb.preview_batch(Batch::Text(&text)).await.unwrap();
    assert_eq!(preview.rows.len(), 10_000);
    let not_ready: Vec<_> = preview
        .rows
        .iter()
        .filter(|r| r.status != RowStatus::Ready)
        .take(3)
        .collect();
    assert!(not_ready.is_empty(), "{not_ready:#?}");
}

#[test]
fn discover_finds_a_dbeaver_workspace_in_the_default_place_and_counts_it() {
    let home = fresh_root("home");
    let data = home.join(".local/share");
    project(&data.join("DBeaverData"));
    let second = data.join("DBeaverData/workspace6/Team/.dbeaver");
    std::fs::create_dir_all(&second).unwrap();
    std::fs::write(
        second.join("data-sources.json"),
        r#"{"connections": {"x": {"provider": "postgresql", "driver": "postgres-jdbc", "name": "team-db",
            "configuration": {"host": "t.example.com", "configurationType": "MANUAL"}}}}"#,
    )
    .unwrap();
    let found = discover(&home, &[], "dbeaver-discover");
    assert_eq!(found[0]["tool"], "dbeaver");
    assert_eq!(found[0]["connections"], 9);
    assert_eq!(found[0]["projects"], 2);
    assert_eq!(found[0]["summary"], "DBeaver: 9 connections in 2 projects");
}

#[tokio::test]
async fn importing_the_same_project_again_updates_what_it_saved_and_keeps_its_keychain_entries() {
    use switchboard_core::sources::OnClash;
    let sb = open("dbeaver-reimport").await;
    let p = project(&fresh_root("DBeaverData"));
    let with_passwords = ImportOptions {
        include_passwords: true,
        ..ImportOptions::default()
    };
    let first = sb
        .import_batch_with(Batch::File(&p.dir), None, &with_passwords)
        .await
        .unwrap();
    let orders = first
        .created
        .iter()
        .find(|c| c.fields.name == "acme-orders (prod)")
        .unwrap()
        .clone();

    // In DBeaver meanwhile: the connection was renamed and moved to another host.
    let file = p.dir.join("workspace6/General/.dbeaver/data-sources.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let entry = &mut doc["connections"]["postgres-jdbc-18b1f0c2a11-5d2c9e0f4a7b1c3e"];
    entry["name"] = "acme-orders (prod, moved)".into();
    entry["configuration"]["host"] = "10.20.0.99".into();
    std::fs::write(&file, doc.to_string()).unwrap();

    // Again, without passwords: every row meets what it saved before.
    let preview = sb
        .preview_batch_with(Batch::File(&p.dir), &ImportOptions::default())
        .await
        .unwrap();
    let row = preview
        .rows
        .iter()
        .find(|r| r.label == "acme-orders (prod, moved)")
        .unwrap();
    assert_eq!(row.status, RowStatus::Update, "{row:#?}");
    assert_eq!(row.updates.as_deref(), Some("acme-orders (prod)"));
    assert_eq!(
        preview
            .rows
            .iter()
            .filter(|r| r.status == RowStatus::Update)
            .count(),
        7
    );
    let again = sb
        .import_batch_with(Batch::File(&p.dir), None, &ImportOptions::default())
        .await
        .unwrap();
    assert!(again.created.is_empty());
    assert_eq!(again.updated.len(), 7);
    let listed = sb.summaries().await.unwrap().connections;
    assert_eq!(listed.len(), 7, "nothing was added twice");
    let moved = sb.get(orders.id).await.unwrap();
    assert_eq!(moved.fields.name, "acme-orders (prod, moved)");
    assert_eq!(moved.fields.host, "10.20.0.99");
    assert_eq!(
        moved.fields.handle, orders.fields.handle,
        "scripts keep their handle"
    );
    assert_eq!(
        sb.reveal_password(orders.id).await.unwrap().expose(),
        p.pg_password,
        "the password saved the first time is kept through the rename"
    );
    assert_eq!(moved.ssh_secrets, [1], "so is the tunnel's");

    // Told to leave saved ones alone, the rows say whom they met; told to rename, they add.
    let skip = sb
        .preview_batch_with(
            Batch::File(&p.dir),
            &ImportOptions {
                on_clash: OnClash::Skip,
                ..ImportOptions::default()
            },
        )
        .await
        .unwrap();
    let met: Vec<_> = skip.rows.iter().filter(|r| r.label != "events").collect();
    assert_eq!(met.len(), 7, "every row the first import saved");
    assert!(met.iter().all(|r| r.status == RowStatus::Skipped
        && r.reason.as_deref().unwrap().contains("already imported")));
    let rename = sb
        .preview_batch_with(
            Batch::File(&p.dir),
            &ImportOptions {
                on_clash: OnClash::Rename,
                ..ImportOptions::default()
            },
        )
        .await
        .unwrap();
    let renamed = rename
        .rows
        .iter()
        .find(|r| r.label == "acme-orders (prod, moved)")
        .unwrap();
    assert_eq!(renamed.status, RowStatus::Ready);
    assert_eq!(
        renamed.fields.as_ref().unwrap().name,
        "acme-orders (prod, moved)-2"
    );
}

/// The SSL handlers' other settings, as DBeaver's panels write them (dbeaver/dbeaver
/// `plugins/org.jkiss.dbeaver.ext.mysql/.../MySQLDataSource.java` `initSSL`: the
/// "Allow public key retrieval" box becomes Connector/J's `allowPublicKeyRetrieval`, the
/// keystore method hands the driver a Java keystore): TLS keeps its level, and what has no
/// place (a keystore, a cipher list, public key retrieval) is named.
#[tokio::test]
async fn dbeaver_keystore_cipher_and_public_key_retrieval_settings_are_named_and_tls_is_kept() {
    let sb = open("dbeaver-tls-settings").await;
    let file = test_root().join(format!("dbeaver-tls-{}.json", uuid::Uuid::new_v4()));
    let json = serde_json::json!({"folders": {}, "connections": {
        "mysql8-1": {"provider": "mysql", "driver": "mysql8", "name": "shop",
            "configuration": {"host": "mysql.example.com", "port": "3306", "database": "shop",
                "configurationType": "MANUAL",
                "handlers": {"mysql_ssl": {"type": "CONFIG", "enabled": true, "properties": {
                    "ssl.method": "KEYSTORE", "ssl.keystore": "/home/me/client.jks",
                    "ssl.require": "true", "ssl.verify.server": "true",
                    "ssl.public.key.retrieve": "true", "ssl.cipher.suites": "TLS_AES_128_GCM_SHA256"
                }}}}},
        "postgres-jdbc-1": {"provider": "postgresql", "driver": "postgres-jdbc", "name": "billing",
            "configuration": {"host": "pg.example.com", "port": "5432", "database": "billing",
                "configurationType": "MANUAL",
                "handlers": {"postgre_ssl": {"type": "CONFIG", "enabled": true, "properties": {
                    "ssl.method": "KEYSTORE", "ssl.keystore": "/home/me/pg.p12", "sslMode": "verify-full"
                }}}}},
        "postgres-jdbc-2": {"provider": "postgresql", "driver": "postgres-jdbc", "name": "off",
            "configuration": {"host": "pg2.example.com", "port": "5432", "database": "d",
                "configurationType": "MANUAL",
                "handlers": {"postgre_ssl": {"type": "CONFIG", "enabled": false, "properties": {
                    "ssl.method": "KEYSTORE", "ssl.keystore": "/home/me/unused.p12", "sslMode": "verify-full"
                }}}}}
    }});
    std::fs::write(&file, json.to_string()).unwrap();
    let preview = sb.preview_batch(Batch::File(&file)).await.unwrap();

    let shop = row(&preview, "shop");
    let said = shop.warnings.join("\n");
    assert_eq!(
        shop.fields.as_ref().unwrap().tls.mode,
        TlsMode::VerifyCa,
        "Connector/J 5.1: requireSSL + verifyServerCertificate checks the chain: {:?}",
        shop.tls_from
    );
    assert!(
        said.contains("Java keystore (/home/me/client.jks)"),
        "{said}"
    );
    assert!(said.contains("allowPublicKeyRetrieval=true"), "{said}");
    assert!(said.contains("cipher suites"), "{said}");

    let billing = row(&preview, "billing");
    assert_eq!(
        billing.fields.as_ref().unwrap().tls.mode,
        TlsMode::VerifyFull
    );
    assert!(billing
        .warnings
        .iter()
        .any(|w| w.contains("Java keystore (/home/me/pg.p12)")));
    // A disabled handler says nothing, and pgjdbc's default applies.
    let off = row(&preview, "off");
    assert!(
        off.warnings.iter().all(|w| !w.contains("keystore")),
        "{:?}",
        off.warnings
    );
    assert_eq!(off.fields.as_ref().unwrap().tls.mode, TlsMode::Prefer);
}
