//! MySQL Workbench's `connections.xml` through the import, against a real SQLite file and
//! the real Secret Service. The fixture follows what Workbench writes (mysql/mysql-workbench
//! `res/grt/structs.db.mgmt.xml` for the GRT objects, `modules/db.mysql/res/
//! mysql_rdbms_info.xml` for the drivers and their parameters, `library/cdbc/src/
//! driver_manager.cpp` for `useSSL` 0–4 as Connector/C++'s ssl-mode, `backend/wbprivate/
//! workbench/wb_context_ui_home.cpp` for "Group/Name").

use switchboard_core::imports::{Batch, RowStatus};
use switchboard_core::model::{Engine, TlsMode};
use switchboard_core::ssh::{SshAuth, SshRoute};
use switchboard_core::ErrorCode;
use switchboard_tests::imports::{open, row};
use switchboard_tests::test_root;

fn connection(id: &str, driver: &str, name: &str, params: &str) -> String {
    format!(
        r#"    <value type="object" struct-name="db.mgmt.Connection" id="{id}" struct-checksum="0x96ba47d8">
      <link type="object" struct-name="db.mgmt.Driver" key="driver">{driver}</link>
      <value type="int" key="isDefault">0</value>
      <value _ptr_="0x600003632460" type="dict" key="modules"/>
      <value _ptr_="0x600003632700" type="dict" key="parameterValues">
{params}
      </value>
      <value type="string" key="name">{name}</value>
    </value>
"#
    )
}

fn file() -> String {
    let p =
        |k: &str, t: &str, v: &str| format!(r#"        <value type="{t}" key="{k}">{v}</value>"#);
    let local = [
        p("hostName", "string", "127.0.0.1"),
        p("port", "int", "3306"),
        p("userName", "string", "root"),
        p("schema", "string", "sakila"),
        p("password", "string", ""),
        p("SQL_MODE", "string", ""),
        p("useSSL", "int", "1"),
    ]
    .join("\n");
    let bastion = [
        p("hostName", "string", "10.1.0.7"),
        p("port", "int", "3307"),
        p("userName", "string", "ops"),
        p("sshHost", "string", "bastion.example.com:2200"),
        p("sshUserName", "string", "ec2-user"),
        p("sshKeyFile", "string", "/home/me/.ssh/aws.pem"),
        p("sshPassword", "string", ""),
        p("useSSL", "int", "4"),
    ]
    .join("\n");
    let socket = [
        p("socket", "string", "/var/run/mysqld/mysqld.sock"),
        p("userName", "string", "me"),
    ]
    .join("\n");
    let v6 = [
        p("hostName", "string", "2001:db8::9"),
        p("port", "int", "3306"),
        p("userName", "string", "app"),
        p("useSSL", "int", "2"),
    ]
    .join("\n");
    format!(
        r#"<?xml version="1.0"?>
<data grt_format="2.0">
  <value _ptr_="0x6000036933a0" type="list" content-type="object" content-struct-name="db.mgmt.Connection">
{}{}{}{}{}  </value>
</data>
"#,
        connection(
            "{0E9E1ED0-900E-424A-B63D-506CF3B2D2E6}",
            "com.mysql.rdbms.mysql.driver.native",
            "Local instance 3306",
            &local
        ),
        connection(
            "{3B6A1C55-2D1F-4E8B-9F0A-7C2E5D4B1A90}",
            "com.mysql.rdbms.mysql.driver.native_sshtun",
            "AWS/orders via bastion",
            &bastion
        ),
        connection(
            "{A1B2C3D4-0000-4000-8000-000000000003}",
            "com.mysql.rdbms.mysql.driver.native_socket",
            "Socket",
            &socket
        ),
        connection(
            "{A1B2C3D4-0000-4000-8000-000000000004}",
            "com.mysql.rdbms.mysql.driver.native",
            "Склад v6",
            &v6
        ),
        connection(
            "{A1B2C3D4-0000-4000-8000-000000000005}",
            "com.mysql.rdbms.fabric.driver.native",
            "fabric",
            ""
        ),
    )
}

#[tokio::test]
async fn a_workbench_file_keeps_its_ssl_levels_ssh_tunnel_socket_and_group() {
    let sb = open("workbench-import").await;
    let dir = test_root().join(format!("workbench-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("connections.xml");
    std::fs::write(&path, file()).unwrap();
    let preview = sb.preview_batch(Batch::File(&path)).await.unwrap();
    let local = row(&preview, "Local instance 3306");
    assert_eq!(local.status, RowStatus::Ready, "{local:#?}");
    let f = local.fields.as_ref().unwrap();
    assert_eq!(f.engine, Engine::Mysql);
    assert_eq!(
        (f.host.as_str(), f.port, f.database.as_str()),
        ("127.0.0.1", 3306, "sakila")
    );
    assert_eq!(f.tls.mode, TlsMode::Prefer, "useSSL=1: if available");

    let aws = row(&preview, "AWS/orders via bastion");
    assert_eq!(aws.status, RowStatus::Ready, "{aws:#?}");
    let f = aws.fields.as_ref().unwrap();
    assert_eq!(
        (f.name.as_str(), f.folder.as_str()),
        ("orders via bastion", "AWS")
    );
    assert_eq!(
        (f.host.as_str(), f.port, f.username.as_str()),
        ("10.1.0.7", 3307, "ops")
    );
    assert_eq!(f.tls.mode, TlsMode::VerifyFull, "useSSL=4: verify identity");
    match f.ssh.as_ref().unwrap() {
        SshRoute::Hops { hops } => {
            assert_eq!(
                (
                    hops[0].host.as_str(),
                    hops[0].port,
                    hops[0].user.as_str(),
                    hops[0].auth
                ),
                ("bastion.example.com", 2200, "ec2-user", SshAuth::Key)
            );
            assert_eq!(hops[0].key_files, ["/home/me/.ssh/aws.pem"]);
        }
        other => panic!("{other:?}"),
    }
    let socket = row(&preview, "Socket").fields.as_ref().unwrap();
    assert_eq!(socket.host, "/var/run/mysqld/mysqld.sock");
    assert_eq!(socket.tls.mode, TlsMode::Disable, "no useSSL: 0, disabled");
    let v6 = row(&preview, "Склад v6").fields.as_ref().unwrap();
    assert_eq!(
        (v6.host.as_str(), v6.tls.mode),
        ("2001:db8::9", TlsMode::Require)
    );
    let fabric = row(&preview, "fabric");
    assert_eq!(fabric.status, RowStatus::Skipped);
    assert!(fabric.reason.as_deref().unwrap().contains("driver"));

    let saved = sb.import_batch(Batch::File(&path), None).await.unwrap();
    assert_eq!(saved.created.len(), 4);
}

#[tokio::test]
async fn a_broken_workbench_file_is_refused_naming_the_line() {
    let sb = open("workbench-broken").await;
    let text = "<?xml version=\"1.0\"?>\n<data grt_format=\"2.0\">\n  <value struct-name=\"db.mgmt.Connection\">\n</data>\n";
    let err = sb.preview_batch(Batch::Text(text)).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::PayloadInvalid);
    assert!(err.to_string().contains("line 4"), "{err}");
}
