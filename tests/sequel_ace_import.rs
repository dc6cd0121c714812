//! Sequel Ace's favorites through the import, against a real SQLite file: its
//! Favorites.plist (XML, and the same list as a binary property list written by Python's
//! plistlib, Apple's format) and the file its Export Favorites writes. The keys are
//! Sequel-Ace/Sequel-Ace's (`Source/Other/Data/SPConstants.m`, connection types in
//! `SPConstants.h`); TLS follows `SPMySQLConnection.m` (Require SSL → libmysqlclient's
//! ssl-mode REQUIRED, otherwise PREFERRED).

use std::io::Write;
use std::process::{Command, Stdio};

use switchboard_core::imports::{Batch, RowStatus};
use switchboard_core::model::{Engine, TlsMode};
use switchboard_core::ssh::SshAuth;
use switchboard_tests::imports::{hops, open, row};
use switchboard_tests::test_root;

fn favorites_xml() -> String {
    r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Favorites Root</key>
  <dict>
    <key>Name</key><string>Favorites</string>
    <key>IsExpanded</key><true/>
    <key>Children</key>
    <array>
      <dict>
        <key>Name</key><string>Production</string>
        <key>IsExpanded</key><true/>
        <key>Children</key>
        <array>
          <dict>
            <key>Name</key><string>EU</string>
            <key>Children</key>
            <array>
              <dict>
                <key>id</key><integer>8243581928344</integer>
                <key>name</key><string>orders (EU)</string>
                <key>type</key><integer>2</integer>
                <key>host</key><string>10.1.0.7</string>
                <key>port</key><string>3307</string>
                <key>user</key><string>app</string>
                <key>database</key><string>orders</string>
                <key>useSSL</key><integer>1</integer>
                <key>sshHost</key><string>bastion.example.com</string>
                <key>sshPort</key><string>2222</string>
                <key>sshUser</key><string>ec2-user</string>
                <key>sshKeyLocationEnabled</key><integer>1</integer>
                <key>sshKeyLocation</key><string>/Users/me/.ssh/aws.pem</string>
                <key>colorIndex</key><integer>0</integer>
              </dict>
            </array>
          </dict>
          <dict>
            <key>Name</key><string>Empty</string>
            <key>Children</key><array/>
          </dict>
        </array>
      </dict>
      <dict>
        <key>id</key><integer>2</integer>
        <key>name</key><string>Склад</string>
        <key>type</key><integer>0</integer>
        <key>host</key><string>::1</string>
        <key>port</key><string></string>
        <key>user</key><string>root</string>
        <key>useSSL</key><integer>0</integer>
        <key>requestServerPublicKey</key><integer>1</integer>
      </dict>
      <dict>
        <key>id</key><integer>3</integer>
        <key>name</key><string>local socket</string>
        <key>type</key><integer>1</integer>
        <key>socket</key><string>/tmp/mysql.sock</string>
        <key>user</key><string>me</string>
      </dict>
      <dict>
        <key>id</key><integer>4</integer>
        <key>name</key><string>rds via IAM</string>
        <key>type</key><integer>3</integer>
        <key>host</key><string>db.rds.amazonaws.com</string>
      </dict>
    </array>
  </dict>
</dict>
</plist>
"#
    .to_owned()
}

/// The same list as Apple's binary property list, written by Python's plistlib.
fn to_binary(xml: &str) -> Vec<u8> {
    let mut child = Command::new("python3")
        .args([
            "-c",
            "import plistlib, sys; sys.stdout.buffer.write(plistlib.dumps(plistlib.loads(sys.stdin.buffer.read()), fmt=plistlib.FMT_BINARY))",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success() && out.stdout.starts_with(b"bplist00"));
    out.stdout
}

#[tokio::test]
async fn sequel_ace_favorites_read_alike_as_xml_and_binary_with_groups_tls_and_ssh() {
    let sb = open("sequel-ace-import").await;
    let dir = test_root().join(format!("sequel-ace-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let xml = favorites_xml();
    let xml_file = dir.join("Favorites.plist");
    std::fs::write(&xml_file, &xml).unwrap();
    let bin_file = dir.join("Favorites-binary.plist");
    std::fs::write(&bin_file, to_binary(&xml)).unwrap();

    for file in [&xml_file, &bin_file] {
        let preview = sb.preview_batch(Batch::File(file)).await.unwrap();
        let orders = row(&preview, "orders (EU)");
        assert_eq!(orders.status, RowStatus::Ready, "{orders:#?}");
        let f = orders.fields.as_ref().unwrap();
        assert_eq!(
            (f.engine, f.host.as_str(), f.port, f.database.as_str()),
            (Engine::Mysql, "10.1.0.7", 3307, "orders")
        );
        assert_eq!(f.folder, "Production/EU");
        assert_eq!(
            f.tls.mode,
            TlsMode::Require,
            "ssl-mode REQUIRED verifies nothing"
        );
        assert_eq!(
            hops(f.ssh.as_ref()),
            [(
                "bastion.example.com".into(),
                2222,
                "ec2-user".into(),
                SshAuth::Key
            )]
        );
        assert!(orders.warnings.iter().any(|w| w.contains("macOS Keychain")));
        let sklad = row(&preview, "Склад").fields.as_ref().unwrap();
        assert_eq!(
            (sklad.host.as_str(), sklad.port, sklad.tls.mode),
            ("::1", 3306, TlsMode::Prefer)
        );
        let socket = row(&preview, "local socket").fields.as_ref().unwrap();
        assert_eq!(socket.host, "/tmp/mysql.sock");
        assert_eq!(row(&preview, "rds via IAM").status, RowStatus::Skipped);
        assert_eq!(preview.folders, ["Production/Empty"]);
    }
}

#[tokio::test]
async fn sequel_ace_exported_favorites_import() {
    let sb = open("sequel-ace-export").await;
    let file = test_root().join(format!("sequel-ace-export-{}.plist", uuid::Uuid::new_v4()));
    std::fs::write(
        &file,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict><key>SPConnectionFavorites</key><array>
  <dict><key>id</key><integer>11</integer><key>name</key><string>staging</string><key>type</key><integer>0</integer>
    <key>host</key><string>staging.example.com</string><key>port</key><string>3306</string><key>user</key><string>app</string></dict>
</array></dict></plist>"#,
    )
    .unwrap();
    let preview = sb.preview_batch(Batch::File(&file)).await.unwrap();
    assert_eq!(row(&preview, "staging").status, RowStatus::Ready);
    sb.import_batch(Batch::File(&file), None).await.unwrap();
    assert_eq!(sb.summaries().await.unwrap().connections.len(), 1);
}

#[tokio::test]
async fn a_broken_favorites_file_is_refused_naming_the_file() {
    let sb = open("sequel-ace-broken").await;
    let file = test_root().join(format!("Favorites-{}.plist", uuid::Uuid::new_v4()));
    std::fs::write(
        &file,
        "<?xml version=\"1.0\"?><plist version=\"1.0\"><dict><key>Favorites Root</key><dict><key>Children</key><array><dict>",
    )
    .unwrap();
    let e = sb.preview_batch(Batch::File(&file)).await.unwrap_err();
    let said = e.to_string();
    assert!(
        said.contains("Favorites-") && said.contains("property list"),
        "{said}"
    );
    assert!(sb.summaries().await.unwrap().connections.is_empty());
}
