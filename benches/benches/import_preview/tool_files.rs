//! Ten thousand connections in each other tool's own file, as that tool writes it (the
//! fixtures of tests/*_import.rs, repeated): what `import_preview` times for every source.

use std::path::{Path, PathBuf};

/// One tool's file (or folder) of `n` connections under `dir`: its label and the path to
/// import.
pub struct ToolFile {
    pub tool: &'static str,
    pub path: PathBuf,
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("dir");
    std::fs::write(path, text).expect("write");
}

pub fn pgadmin(dir: &Path, n: usize) -> ToolFile {
    let servers: serde_json::Map<String, serde_json::Value> = (0..n)
        .map(|i| {
            (
                (i + 1).to_string(),
                serde_json::json!({
                    "Name": format!("svc-{i}"), "Group": format!("Region {}", i % 7),
                    "Host": format!("db-{i}.internal.example.com"), "Port": 5432,
                    "MaintenanceDB": "app", "Username": "app",
                    "ConnectionParameters": {"sslmode": "verify-full", "connect_timeout": 10},
                    "UseSSHTunnel": 1, "TunnelHost": "bastion.example.com", "TunnelPort": "22",
                    "TunnelUsername": "jump", "TunnelAuthentication": 1,
                    "TunnelIdentityFile": "/home/me/.ssh/id_ed25519"
                }),
            )
        })
        .collect();
    let path = dir.join("pgadmin/servers.json");
    write(
        &path,
        &serde_json::json!({ "Servers": servers }).to_string(),
    );
    ToolFile {
        tool: "pgAdmin servers.json",
        path,
    }
}

pub fn ads(dir: &Path, n: usize) -> ToolFile {
    let root = "C777F06B-202E-4480-B475-FA416154D458";
    let mut groups = vec![serde_json::json!({"name": "ROOT", "id": root})];
    groups.extend((0..7).map(|g| serde_json::json!({"name": format!("Region {g}"), "id": format!("g{g}"), "parentId": root})));
    let conns: Vec<_> = (0..n)
        .map(|i| serde_json::json!({
            "options": {"connectionName": format!("svc-{i}"), "server": format!("tcp:sql-{i}.contoso.com,1433"),
                "database": "app", "authenticationType": "SqlLogin", "user": "app", "encrypt": "Mandatory",
                "trustServerCertificate": false, "groupId": format!("g{}", i % 7)},
            "groupId": format!("g{}", i % 7), "providerName": "MSSQL", "savePassword": false, "id": format!("c{i}")
        }))
        .collect();
    let path = dir.join("ads/settings.json");
    write(
        &path,
        &serde_json::json!({"datasource.connectionGroups": groups, "datasource.connections": conns}).to_string(),
    );
    ToolFile {
        tool: "Azure Data Studio settings.json",
        path,
    }
}

pub fn compass(dir: &Path, n: usize) -> ToolFile {
    let conns: Vec<_> = (0..n)
        .map(|i| serde_json::json!({
            "id": format!("c{i}"), "favorite": {"name": format!("svc-{i}"), "color": "color3"},
            "connectionOptions": {
                "connectionString": format!("mongodb://app@db-{i}.example.com:27017/orders?tls=true"),
                "sshTunnel": {"host": "bastion.example.com", "port": {"$numberInt": "22"}, "username": "jump"}
            }
        }))
        .collect();
    let path = dir.join("compass/export.json");
    write(
        &path,
        &serde_json::json!({"type": "Compass Connections", "version": {"$numberInt": "1"}, "connections": conns}).to_string(),
    );
    ToolFile {
        tool: "MongoDB Compass export",
        path,
    }
}

pub fn workbench(dir: &Path, n: usize) -> ToolFile {
    let conns: String = (0..n)
        .map(|i| {
            format!(
                r#"    <value type="object" struct-name="db.mgmt.Connection" id="{{C{i:08}-0000-4000-8000-000000000000}}">
      <link type="object" struct-name="db.mgmt.Driver" key="driver">com.mysql.rdbms.mysql.driver.native_sshtun</link>
      <value type="dict" key="parameterValues">
        <value type="string" key="hostName">db-{i}.internal</value>
        <value type="int" key="port">3306</value>
        <value type="string" key="userName">app</value>
        <value type="string" key="sshHost">bastion.example.com:22</value>
        <value type="string" key="sshUserName">jump</value>
        <value type="int" key="useSSL">4</value>
      </value>
      <value type="string" key="name">Region {r}/svc-{i}</value>
    </value>
"#,
                r = i % 7
            )
        })
        .collect();
    let path = dir.join("workbench/connections.xml");
    write(
        &path,
        &format!(
            "<?xml version=\"1.0\"?>\n<data grt_format=\"2.0\">\n  <value type=\"list\" content-type=\"object\" content-struct-name=\"db.mgmt.Connection\">\n{conns}  </value>\n</data>\n"
        ),
    );
    ToolFile {
        tool: "MySQL Workbench connections.xml",
        path,
    }
}

pub fn datagrip(dir: &Path, n: usize) -> ToolFile {
    let project = dir.join("datagrip/shop");
    let uuid = |i: usize| format!("0b7a1c52-7c4e-4d1b-9a0e-{i:012}");
    let sources: String = (0..n)
        .map(|i| {
            format!(
                "    <data-source source=\"LOCAL\" name=\"svc-{i}\" uuid=\"{}\">\n      <driver-ref>postgresql</driver-ref>\n      <jdbc-url>jdbc:postgresql://db-{i}.internal:5432/app?sslmode=verify-full</jdbc-url>\n    </data-source>\n",
                uuid(i)
            )
        })
        .collect();
    write(
        &project.join(".idea/dataSources.xml"),
        &format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project version=\"4\">\n  <component name=\"DataSourceManagerImpl\" format=\"xml\" multifile-model=\"true\">\n{sources}  </component>\n</project>\n"),
    );
    let locals: String = (0..n)
        .map(|i| format!("    <data-source name=\"svc-{i}\" uuid=\"{}\">\n      <user-name>app</user-name>\n    </data-source>\n", uuid(i)))
        .collect();
    write(
        &project.join(".idea/dataSources.local.xml"),
        &format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project version=\"4\">\n  <component name=\"dataSourceStorageLocal\">\n{locals}  </component>\n</project>\n"),
    );
    let mut forest = String::new();
    for g in 0..7 {
        forest.push_str(&format!("\t{}:0:f{g}:Region {g}\n", g + 1));
    }
    forest.push_str("\t----------------------------------------\n");
    for i in 0..n {
        forest.push_str(&format!("\t{}:{}:{}\n", i + 8, i % 7 + 1, uuid(i)));
    }
    write(
        &project.join(".idea/db-forest-config.xml"),
        &format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project version=\"4\">\n  <component name=\"db-forest-configuration\">\n    <data version=\"2\">.\n{forest}\t\t.</data>\n  </component>\n</project>\n"),
    );
    ToolFile {
        tool: "DataGrip project",
        path: project,
    }
}

pub fn ssms(dir: &Path, n: usize) -> ToolFile {
    let ns = r#"xmlns:RegisteredServers="http://schemas.microsoft.com/sqlserver/RegisteredServers/2007/08" xmlns:sfc="http://schemas.microsoft.com/sqlserver/sfc/serialization/2007/08" xmlns:sml="http://schemas.serviceml.org/sml/2007/02""#;
    let base = "/RegisteredServersStore/ServerGroup/DatabaseEngineServerGroup";
    let docs: String = (0..n)
        .map(|i| {
            format!(
                r#"<document><docinfo><aliases><alias>{base}/RegisteredServer/svc-{i}</alias></aliases></docinfo><data>
<RegisteredServers:RegisteredServer {ns}>
<RegisteredServers:Parent><sfc:Reference sml:ref="true"><sml:Uri>{base}</sml:Uri></sfc:Reference></RegisteredServers:Parent>
<RegisteredServers:Name type="string">svc-{i}</RegisteredServers:Name>
<RegisteredServers:ServerName type="string">tcp:sql-{i}.contoso.com,1433</RegisteredServers:ServerName>
<RegisteredServers:ServerType type="ServerType">DatabaseEngine</RegisteredServers:ServerType>
<RegisteredServers:ConnectionStringWithEncryptedPassword type="string">data source=tcp:sql-{i}.contoso.com,1433;initial catalog=app;user id=app;pooling=False;encrypt=True;trust server certificate=False</RegisteredServers:ConnectionStringWithEncryptedPassword>
<RegisteredServers:CredentialPersistenceType type="CredentialPersistenceType">PersistLoginName</RegisteredServers:CredentialPersistenceType>
</RegisteredServers:RegisteredServer></data></document>
"#
            )
        })
        .collect();
    let path = dir.join("ssms/servers.regsrvr");
    write(
        &path,
        &format!(
            r#"<?xml version="1.0"?>
<model xmlns="http://schemas.serviceml.org/smlif/2007/02"><identity><name>urn:uuid:1</name><baseURI>http://documentcollection/</baseURI></identity>
<xs:bufferSchema xmlns:xs="http://www.w3.org/2001/XMLSchema"><definitions xmlns:sfc="http://schemas.microsoft.com/sqlserver/sfc/serialization/2007/08"><document><docinfo><aliases><alias>/system/schema/RegisteredServers</alias></aliases></docinfo><data>
<xs:schema targetNamespace="http://schemas.microsoft.com/sqlserver/RegisteredServers/2007/08">
<RegisteredServers:bufferData xmlns:RegisteredServers="http://schemas.microsoft.com/sqlserver/RegisteredServers/2007/08"><instances xmlns:sfc="http://schemas.microsoft.com/sqlserver/sfc/serialization/2007/08">
{docs}</instances></RegisteredServers:bufferData></xs:schema></data></document></definitions></xs:bufferSchema></model>
"#
        ),
    );
    ToolFile {
        tool: "SSMS registered servers",
        path,
    }
}

pub fn dbgate(dir: &Path, n: usize) -> ToolFile {
    let lines: Vec<String> = (0..n)
        .map(|i| {
            serde_json::json!({"_id": format!("c{i}"), "engine": "postgres@dbgate-plugin-postgres",
                "displayName": format!("svc-{i}"), "server": format!("db-{i}.internal"), "port": "5432",
                "user": "app", "defaultDatabase": "app", "useSsl": true, "parent": format!("Region {}", i % 7),
                "useSshTunnel": true, "sshMode": "agent", "sshHost": "bastion.example.com", "sshPort": "22",
                "sshLogin": "jump"})
            .to_string()
        })
        .collect();
    let path = dir.join("dbgate/.dbgate/connections.jsonl");
    write(&path, &lines.join("\n"));
    ToolFile {
        tool: "DbGate connections.jsonl",
        path,
    }
}

pub async fn beekeeper(dir: &Path, n: usize) -> ToolFile {
    use sqlx::ConnectOptions;
    use std::str::FromStr;
    let path = dir.join("beekeeper/beekeeper-studio/app.db");
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("dir");
    let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str("sqlite:")
        .expect("options")
        .filename(&path)
        .create_if_missing(true)
        .connect()
        .await
        .expect("create app.db");
    sqlx::raw_sql(
        "CREATE TABLE connection_folder (id integer PRIMARY KEY, name varchar NOT NULL, parentId integer);
         CREATE TABLE saved_connection (id integer PRIMARY KEY, name varchar NOT NULL, connectionType varchar NOT NULL,
           host varchar, port integer, username varchar, defaultDatabase varchar, ssl boolean NOT NULL DEFAULT 0,
           sslRejectUnauthorized boolean NOT NULL DEFAULT 1, sshEnabled boolean NOT NULL DEFAULT 0, sshHost varchar,
           sshPort integer, sshUsername varchar, sshMode varchar NOT NULL DEFAULT 'agent', connectionFolderId integer,
           workspaceId integer NOT NULL DEFAULT -1, options text NOT NULL DEFAULT '{}');
         INSERT INTO connection_folder VALUES (1,'Region 0',NULL),(2,'Region 1',NULL),(3,'Region 2',NULL);",
    )
    .execute(&mut conn)
    .await
    .expect("schema");
    sqlx::raw_sql(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {})
         INSERT INTO saved_connection (name, connectionType, host, port, username, defaultDatabase, ssl, sshEnabled,
           sshHost, sshPort, sshUsername, connectionFolderId)
         SELECT 'svc-' || i, 'postgresql', 'db-' || i || '.internal', 5432, 'app', 'app', 1, 1,
           'bastion.example.com', 22, 'jump', i % 3 + 1 FROM n;",
        n - 1
    ))
    .execute(&mut conn)
    .await
    .expect("rows");
    ToolFile {
        tool: "Beekeeper Studio app.db",
        path,
    }
}

pub fn heidisql(dir: &Path, n: usize) -> ToolFile {
    let mut text = String::new();
    for g in 0..7 {
        text.push_str(&format!("Servers\\Region {g}\\Folder<|||>3<|||>1\r\n"));
    }
    for i in 0..n {
        let p = format!("Servers\\Region {}\\svc-{i}", i % 7);
        for (name, kind, value) in [
            ("NetType", 3, "9".to_owned()),
            ("Host", 1, format!("db-{i}.internal")),
            ("Port", 1, "5432".to_owned()),
            ("User", 1, "app".to_owned()),
            ("Databases", 1, "app".to_owned()),
            ("SSL_Active", 3, "1".to_owned()),
            ("SSL_Verification", 3, "2".to_owned()),
            ("SSHtunnelHost", 1, "bastion.example.com".to_owned()),
            ("SSHtunnelUser", 1, "jump".to_owned()),
        ] {
            text.push_str(&format!("{p}\\{name}<|||>{kind}<|||>{value}\r\n"));
        }
    }
    let path = dir.join("heidisql/settings.txt");
    write(&path, &text);
    ToolFile {
        tool: "HeidiSQL exported settings",
        path,
    }
}

pub fn sequel_ace(dir: &Path, n: usize) -> ToolFile {
    let favorites: String = (0..n)
        .map(|i| {
            format!(
                "<dict><key>id</key><integer>{i}</integer><key>name</key><string>svc-{i}</string>\
                 <key>type</key><integer>2</integer><key>host</key><string>db-{i}.internal</string>\
                 <key>port</key><string>3306</string><key>user</key><string>app</string>\
                 <key>useSSL</key><integer>1</integer><key>sshHost</key><string>bastion.example.com</string>\
                 <key>sshUser</key><string>jump</string></dict>\n"
            )
        })
        .collect();
    let path = dir.join("sequel-ace/Favorites.plist");
    write(
        &path,
        &format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict><key>Favorites Root</key><dict>\
             <key>Name</key><string>Favorites</string><key>Children</key><array>\
             <dict><key>Name</key><string>Region 0</string><key>Children</key><array>\n{favorites}</array></dict>\
             </array></dict></dict></plist>\n"
        ),
    );
    ToolFile {
        tool: "Sequel Ace Favorites.plist",
        path,
    }
}
