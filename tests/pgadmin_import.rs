//! pgAdmin 4's `servers.json` through the batch import, against a real SQLite file and the
//! real Secret Service. The fixtures follow what pgAdmin itself writes and reads:
//! pgadmin-org/pgadmin4 `web/pgadmin/utils/__init__.py` (`dump_database_servers`,
//! `load_database_servers`: `ConnectionParameters` since 6.20 replaces the older
//! top-level SSL keys outright), `web/pgadmin/setup/tests/servers.json` (the older layout)
//! and `docs/en_US/import_export_servers.rst`; notes in docs/research/pgadmin_datagrip.md.

use switchboard_core::imports::{Batch, RowStatus};
use switchboard_core::model::{Engine, TlsMode};
use switchboard_core::ssh::{SshAuth, SshRoute};
use switchboard_core::ErrorCode;
use switchboard_tests::imports::open;
use switchboard_tests::test_root;

fn servers(ca_path: &str) -> String {
    serde_json::json!({
        "Servers": {
            "1": {
                "Name": "orders (prod, EU)",
                "Group": "Production",
                "Host": "db-orders.internal.example.com",
                "Port": 5433,
                "MaintenanceDB": "orders",
                "Username": "app_admin",
                "Comment": "primary",
                "BGColor": "#c8352b",
                "Tags": [{"color": "#fff", "text": "billing"}],
                "Role": "readonly",
                "ConnectionParameters": {
                    "sslmode": "verify-full",
                    "sslrootcert": ca_path,
                    "connect_timeout": 10,
                    "sslpassword": "kept-out"
                },
                "UseSSHTunnel": 1,
                "TunnelHost": "bastion.example.com",
                "TunnelPort": "2222",
                "TunnelUsername": "jump",
                "TunnelAuthentication": 1,
                "TunnelIdentityFile": "/home/me/.ssh/id_ed25519"
            },
            "2": {
                "Name": "Склад",
                "Group": "Servers",
                "Host": "::1",
                "Port": 5432,
                "MaintenanceDB": "postgres",
                "Username": "postgres",
                "SSLMode": "require",
                "Timeout": 5
            },
            "10": {
                "Name": "via service",
                "Group": "Servers",
                "Port": 5432,
                "MaintenanceDB": "postgres",
                // A name no service file of this machine defines.
                "Service": "sb-undefined-service-7c1f",
                "ConnectionParameters": {"sslmode": "prefer"}
            }
        }
    })
    .to_string()
}

#[tokio::test]
async fn a_pgadmin_servers_file_imports_groups_tls_ssh_and_labels_without_a_secret() {
    let sb = open("pgadmin-import").await;
    let ca = switchboard_tests::ca::TestCa::new("pgAdmin import CA");
    let ca_path = test_root().join(format!("pgadmin-ca-{}.pem", std::process::id()));
    std::fs::write(&ca_path, &ca.cert_pem).unwrap();
    let text = servers(ca_path.to_str().unwrap());

    let preview = sb.preview_batch(Batch::Text(&text)).await.unwrap();
    let labels: Vec<&str> = preview.rows.iter().map(|r| r.label.as_str()).collect();
    // pgAdmin numbers its servers: 1, 2, 10 in that order, not as text.
    assert_eq!(labels, ["orders (prod, EU)", "Склад", "via service"]);
    for r in &preview.rows[..2] {
        assert_eq!(r.status, RowStatus::Ready, "{r:?}");
    }
    assert!(
        preview.rows.iter().all(|r| !r.has_password),
        "pgAdmin never exports a password"
    );
    // A Service-only entry whose service no file on this machine defines (resolved ones:
    // tests/pgadmin_service.rs): shown, not ready, with the reason (no host) and why.
    let service = &preview.rows[2];
    assert_eq!(service.status, RowStatus::Invalid);
    assert!(
        service.warnings.iter().any(|w| w.contains("service")),
        "{service:?}"
    );
    assert!(service
        .issues
        .iter()
        .any(|i| i.code == ErrorCode::HostRequired));

    let orders = preview.rows[0].fields.as_ref().unwrap();
    assert_eq!(orders.engine, Engine::Postgres);
    assert_eq!(
        (orders.host.as_str(), orders.port, orders.database.as_str()),
        ("db-orders.internal.example.com", 5433, "orders")
    );
    assert_eq!(orders.username, "app_admin");
    assert_eq!(orders.folder, "Production");
    assert_eq!(orders.tls.mode, TlsMode::VerifyFull);
    assert_eq!(
        orders.tls.ca_pem.as_deref(),
        Some(ca.cert_pem.as_str()),
        "the CA file is read"
    );
    assert_eq!(orders.description.as_deref(), Some("primary"));
    assert_eq!(orders.tags, ["billing"]);
    match orders.ssh.as_ref().unwrap() {
        SshRoute::Hops { hops } => {
            assert_eq!(hops.len(), 1);
            assert_eq!(
                (hops[0].host.as_str(), hops[0].port, hops[0].user.as_str()),
                ("bastion.example.com", 2222, "jump")
            );
            assert_eq!(hops[0].auth, SshAuth::Key);
            assert_eq!(hops[0].key_files, ["/home/me/.ssh/id_ed25519"]);
        }
        other => panic!("{other:?}"),
    }
    let warnings = preview.rows[0].warnings.join("\n");
    assert!(warnings.contains("sslpassword"), "{warnings}");
    assert!(warnings.contains("Role"), "{warnings}");
    assert!(
        !warnings.contains("kept-out"),
        "a secret's value is never repeated"
    );

    // The older layout: top-level SSLMode under libpq's meaning (require: encrypted, not verified).
    let old = preview.rows[1].fields.as_ref().unwrap();
    assert_eq!(old.host, "::1");
    assert_eq!(old.tls.mode, TlsMode::Require);
    assert_eq!(old.folder, "", "pgAdmin's default group is the top level");

    // The ready rows saved in one go; the folders are the groups.
    sb.import_batch(Batch::Text(&text), None).await.unwrap();
    let listed = sb.summaries().await.unwrap();
    assert_eq!(listed.connections.len(), 2);
    assert!(listed
        .connections
        .iter()
        .any(|c| c.name == "Склад" && c.folder.is_empty()));
}

#[tokio::test]
async fn a_malformed_pgadmin_file_is_refused_with_its_line_and_saves_nothing() {
    let sb = open("pgadmin-malformed").await;
    let file = test_root().join(format!("servers-{}.json", std::process::id()));
    std::fs::write(&file, "{\"Servers\": {\n  \"1\": {\"Name\": \"a\",\n  }\n").unwrap();
    let err = sb.preview_batch(Batch::File(&file)).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::PayloadInvalid);
    assert!(err.to_string().contains("line"), "{err}");
    assert!(sb.summaries().await.unwrap().connections.is_empty());
}
