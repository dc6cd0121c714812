//! A JetBrains DataGrip / IntelliJ project's data sources through the import, against a
//! real SQLite file and the real Secret Service. The files follow what the IDE writes
//! (docs/research/pgadmin_datagrip.md §2, from real projects' `.idea/dataSources.xml` and
//! `dataSources.local.xml`, `sshConfigs.xml`, and JetBrains/intellij-community
//! `platform/remote-core/src/remote/AuthType.kt`): the JDBC URL per data source, the user
//! name and SSH/SSL settings by uuid in the local file, `$PROJECT_DIR$` expanded.

use switchboard_core::imports::{Batch, RowStatus};
use switchboard_core::model::{Engine, TlsMode};
use switchboard_core::ssh::{SshAuth, SshRoute};
use switchboard_tests::imports::{discover, open, row};
use switchboard_tests::test_root;

const DATA_SOURCES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project version="4">
  <component name="DataSourceManagerImpl" format="xml" multifile-model="true">
    <data-source source="LOCAL" name="orders@prod" uuid="0b7a1c52-7c4e-4d1b-9a0e-2f4a8f6f1e01" group="Payments/EU">
      <driver-ref>postgresql</driver-ref>
      <synchronize>true</synchronize>
      <remarks>primary, EU</remarks>
      <jdbc-driver>org.postgresql.Driver</jdbc-driver>
      <jdbc-url>jdbc:postgresql://tls-db.internal:6432/orders</jdbc-url>
      <working-dir>$ProjectFileDir$</working-dir>
    </data-source>
    <data-source source="LOCAL" name="crm" uuid="0b7a1c52-7c4e-4d1b-9a0e-2f4a8f6f1e02">
      <driver-ref>mysql.8</driver-ref>
      <jdbc-driver>com.mysql.cj.jdbc.Driver</jdbc-driver>
      <jdbc-url>jdbc:mysql://[2001:db8::3]:3307/crm?sslMode=VERIFY_CA</jdbc-url>
    </data-source>
    <data-source source="LOCAL" name="local cache" uuid="0b7a1c52-7c4e-4d1b-9a0e-2f4a8f6f1e03">
      <driver-ref>sqlite.xerial</driver-ref>
      <jdbc-driver>org.sqlite.JDBC</jdbc-driver>
      <jdbc-url>jdbc:sqlite:$PROJECT_DIR$/db.sqlite3</jdbc-url>
    </data-source>
    <data-source source="LOCAL" name="Склад" uuid="0b7a1c52-7c4e-4d1b-9a0e-2f4a8f6f1e04">
      <driver-ref>sqlserver.ms</driver-ref>
      <jdbc-url>jdbc:sqlserver://sql.example.com:1433;databaseName=wh;encrypt=true;trustServerCertificate=true</jdbc-url>
    </data-source>
    <data-source source="LOCAL" name="cache@redis" uuid="0b7a1c52-7c4e-4d1b-9a0e-2f4a8f6f1e05">
      <driver-ref>redis</driver-ref>
      <jdbc-url>jdbc:redis://localhost:6379/0</jdbc-url>
    </data-source>
  </component>
</project>
"#;

const LOCAL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project version="4">
  <component name="dataSourceStorageLocal" created-in="DB-242.23339.19">
    <data-source name="orders@prod" uuid="0b7a1c52-7c4e-4d1b-9a0e-2f4a8f6f1e01">
      <database-info product="PostgreSQL" version="16.4" dbms="POSTGRES" exact-version="16.4" />
      <secret-storage>master_key</secret-storage>
      <user-name>app_ro</user-name>
      <ssh-properties>
        <enabled>true</enabled>
        <ssh-config-id>7d3c1a9e-5b7f-4b1e-8c5e-0a1b2c3d4e5f</ssh-config-id>
      </ssh-properties>
      <ssl-config>
        <ca-cert>$PROJECT_DIR$/ca.pem</ca-cert>
        <enabled>true</enabled>
        <mode>VERIFY_FULL</mode>
      </ssl-config>
    </data-source>
    <data-source name="crm" uuid="0b7a1c52-7c4e-4d1b-9a0e-2f4a8f6f1e02">
      <user-name>crm_app</user-name>
      <ssl-config>
        <enabled>true</enabled>
        <mode>REQUIRE</mode>
      </ssl-config>
    </data-source>
    <data-source name="local cache" uuid="0b7a1c52-7c4e-4d1b-9a0e-2f4a8f6f1e03">
      <auth-provider>no-auth</auth-provider>
    </data-source>
    <data-source name="Склад" uuid="0b7a1c52-7c4e-4d1b-9a0e-2f4a8f6f1e04">
      <user-name>wh</user-name>
    </data-source>
  </component>
</project>
"#;

const SSH_CONFIGS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project version="4">
  <component name="SshConfigs">
    <configs>
      <sshConfig host="bastion.example.com" id="7d3c1a9e-5b7f-4b1e-8c5e-0a1b2c3d4e5f" keyPath="$PROJECT_DIR$/../keys/bastion.pem" port="2222" nameFormat="DESCRIPTIVE" username="jump" />
    </configs>
  </component>
</project>
"#;

/// The Database tool window's folders, as DataGrip 2025 writes them (the layout of
/// DataGrip/zoo-db `.idea/db-forest-config.xml`): folders `order:parent:uuid:name` above
/// the dashes, data sources `order:parent:uuid` below, every line TAB-indented between `.`
/// sentinels; the older `db-tree-configuration` left behind, stale.
const FOREST: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<project version=\"4\">
  <component name=\"db-forest-configuration\">
    <data version=\"2\">.
\t1:0:b87ee5e0-308b-4450-a9e7-73c7a85a57c0:Payments
\t2:1:ffd0059c-086f-4c12-9098-2f6fe4662c31:EU
\t4:0:6376ebaa-d91a-4c90-aead-49be22697a9d:Team
\t5:4:fa5219a5-edde-486f-98a3-d691f0cd6308:Backend
\t6:5:6d46f5da-51d7-442f-8cd0-78078b7609eb:Місцеві
\t8:0:0d46f5da-51d7-442f-8cd0-78078b7609ec:Archive &amp; old
\t----------------------------------------
\t3:2:0b7a1c52-7c4e-4d1b-9a0e-2f4a8f6f1e01
\t7:6:0b7a1c52-7c4e-4d1b-9a0e-2f4a8f6f1e02
\t9:0:0b7a1c52-7c4e-4d1b-9a0e-2f4a8f6f1e04
\t\t.</data>
  </component>
  <component name=\"db-tree-configuration\">
    <option name=\"data\" value=\"1:0:Stale&#10;----------------------------------------&#10;2:1:0b7a1c52-7c4e-4d1b-9a0e-2f4a8f6f1e02&#10;\" />
  </component>
</project>
";

#[tokio::test]
async fn a_datagrip_project_reads_its_urls_users_ssl_panel_and_ssh_config_by_uuid() {
    let sb = open("datagrip-import").await;
    let project = test_root().join(format!("DataGripProjects-{}/shop", uuid::Uuid::new_v4()));
    let idea = project.join(".idea");
    std::fs::create_dir_all(&idea).unwrap();
    std::fs::write(idea.join("dataSources.xml"), DATA_SOURCES).unwrap();
    std::fs::write(idea.join("dataSources.local.xml"), LOCAL).unwrap();
    std::fs::write(idea.join("sshConfigs.xml"), SSH_CONFIGS).unwrap();
    std::fs::write(idea.join("db-forest-config.xml"), FOREST).unwrap();
    let ca = switchboard_tests::ca::TestCa::new("DataGrip import CA");
    std::fs::write(project.join("ca.pem"), &ca.cert_pem).unwrap();

    let preview = sb.preview_batch(Batch::File(&project)).await.unwrap();
    let orders = row(&preview, "orders@prod");
    assert_eq!(orders.status, RowStatus::Ready, "{orders:#?}");
    let f = orders.fields.as_ref().unwrap();
    assert_eq!(f.engine, Engine::Postgres);
    assert_eq!(
        (f.host.as_str(), f.port, f.database.as_str()),
        ("tls-db.internal", 6432, "orders")
    );
    assert_eq!(
        f.username, "app_ro",
        "the user name is only in the local file"
    );
    assert_eq!(f.folder, "Payments/EU");
    assert_eq!(f.description.as_deref(), Some("primary, EU"));
    assert_eq!(
        f.tls.mode,
        TlsMode::VerifyFull,
        "the SSL panel: the URL has no TLS parameter (a host named tls-… is not one)"
    );
    assert_eq!(
        f.tls.ca_pem.as_deref(),
        Some(ca.cert_pem.as_str()),
        "$PROJECT_DIR$/ca.pem read"
    );
    match f.ssh.as_ref().unwrap() {
        SshRoute::Hops { hops } => {
            assert_eq!(
                (
                    hops[0].host.as_str(),
                    hops[0].port,
                    hops[0].user.as_str(),
                    hops[0].auth
                ),
                ("bastion.example.com", 2222, "jump", SshAuth::Key)
            );
            assert!(hops[0].key_files[0].ends_with("/shop/../keys/bastion.pem"));
        }
        other => panic!("{other:?}"),
    }
    assert!(orders
        .warnings
        .iter()
        .any(|w| w.contains("credential store")));

    // The URL's own sslMode wins over the panel: Connector/J's VERIFY_CA.
    let crm = row(&preview, "crm").fields.as_ref().unwrap();
    assert_eq!((crm.host.as_str(), crm.port), ("2001:db8::3", 3307));
    assert_eq!(
        crm.folder, "Team/Backend/Місцеві",
        "the tool window's folders, three deep; the stale older tree is not read"
    );
    assert_eq!(
        preview.folders,
        ["Archive & old"],
        "a folder holding no data source is kept"
    );
    assert_eq!(crm.tls.mode, TlsMode::VerifyCa);
    let cache = row(&preview, "local cache").fields.as_ref().unwrap();
    assert_eq!(cache.engine, Engine::Sqlite);
    assert!(
        cache.database.ends_with("/shop/db.sqlite3"),
        "{}",
        cache.database
    );
    let wh = row(&preview, "Склад").fields.as_ref().unwrap();
    assert_eq!(wh.folder, "", "at the top of the tree");
    assert_eq!(
        (wh.engine, wh.tls.mode),
        (Engine::SqlServer, TlsMode::Require)
    );
    let redis = row(&preview, "cache@redis");
    assert_eq!(redis.status, RowStatus::Skipped);
    assert!(redis.reason.as_deref().unwrap().contains("redis"));
}

#[test]
fn discover_finds_the_projects_jetbrains_ides_list_as_recent() {
    let home = test_root().join(format!("home-{}", uuid::Uuid::new_v4()));
    let config = home.join(".config");
    let project = home.join("DataGripProjects/shop");
    std::fs::create_dir_all(project.join(".idea")).unwrap();
    std::fs::write(project.join(".idea/dataSources.xml"), DATA_SOURCES).unwrap();
    // An IntelliJ project elsewhere, known only from the IDE's recent projects.
    let elsewhere = home.join("work/billing");
    std::fs::create_dir_all(elsewhere.join(".idea")).unwrap();
    std::fs::write(elsewhere.join(".idea/dataSources.xml"), DATA_SOURCES).unwrap();
    let options = config.join("JetBrains/IntelliJIdea2024.3/options");
    std::fs::create_dir_all(&options).unwrap();
    std::fs::write(
        options.join("recentProjects.xml"),
        r#"<application><component name="RecentProjectsManager"><option name="additionalInfo"><map>
             <entry key="$USER_HOME$/work/billing"><value><RecentProjectMetaInfo /></value></entry>
           </map></option></component></application>"#,
    )
    .unwrap();
    let found = discover(&home, &[("XDG_CONFIG_HOME", &config)], "datagrip-discover");
    let mut summaries: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["tool"] == "datagrip")
        .map(|f| f["summary"].as_str().unwrap())
        .collect();
    summaries.sort();
    assert_eq!(
        summaries,
        [
            "DataGrip: 5 data sources in project billing",
            "DataGrip: 5 data sources in project shop"
        ],
        "{found:#}"
    );
}
