//! Azure Data Studio's and VS Code mssql's `settings.json` through the import, against a
//! real SQLite file and the real Secret Service. The fixtures follow what the tools write:
//! microsoft/azuredatastudio `src/sql/platform/connection/common/connectionConfig.ts` and
//! `interfaces.ts` (`datasource.connections` as `{options, groupId, providerName,
//! savePassword, id}`, groups under a hidden `ROOT`), the MySQL extension's options
//! (microsoft/azuredatastudio-mysql `package.json`); microsoft/vscode-mssql
//! `extensions/mssql/src/connectionconfig/connectionconfig.ts`, `src/models/interfaces.ts`
//! and `package.json` (`mssql.connections`, `encrypt` Mandatory/Optional/Strict, the root
//! group's id `ROOT`). JSON with comments and trailing commas, as VS Code keeps settings.

use switchboard_core::imports::{Batch, ImportOptions, RowStatus};
use switchboard_core::model::{Engine, PasswordSave, TlsMode};
use switchboard_core::ErrorCode;
use switchboard_tests::imports::{open, row};
use switchboard_tests::{test_password, test_root};

fn ads_settings(password: &str) -> String {
    format!(
        r##"{{
  // Azure Data Studio's user settings
  "workbench.colorTheme": "Default Dark Azure Data Studio",
  "datasource.connectionGroups": [
    {{ "name": "ROOT", "id": "C777F06B-202E-4480-B475-FA416154D458" }},
    {{ "name": "Production", "id": "2fb35a29", "parentId": "C777F06B-202E-4480-B475-FA416154D458", "color": "#7F0000" }},
    {{ "name": "EU", "id": "88327664", "parentId": "2fb35a29", "color": "#4452A6", "description": "" }},
    {{ "name": "Frankfurt", "id": "f1", "parentId": "88327664" }},
    {{ "name": "Empty", "id": "e1", "parentId": "C777F06B-202E-4480-B475-FA416154D458" }},
  ],
  "datasource.connections": [
    {{ "options": {{ "connectionName": "orders (EU)", "server": "tcp:sql-eu.contoso.com,14330", "database": "orders",
        "authenticationType": "SqlLogin", "user": "app_ro", "password": "", "encrypt": "Mandatory",
        "trustServerCertificate": false, "connectTimeout": 30, "groupId": "f1" }},
      "groupId": "f1", "providerName": "MSSQL", "savePassword": true, "id": "48f45913" }},
    {{ "options": {{ "connectionName": "", "server": "DEVBOX\\SQLEXPRESS", "database": "", "authenticationType": "SqlLogin",
        "user": "sa", "password": "{password}", "encrypt": false, "trustServerCertificate": true }},
      "groupId": "C777F06B-202E-4480-B475-FA416154D458", "providerName": "MSSQL", "savePassword": true, "id": "7a700b4c" }},
    {{ "options": {{ "connectionName": "Склад strict", "server": "[2001:db8::5]", "port": 1533, "database": "wh",
        "authenticationType": "SqlLogin", "user": "wh", "encrypt": "Strict" }},
      "groupId": "2fb35a29", "providerName": "MSSQL", "savePassword": false, "id": "a22f922d" }},
    {{ "options": {{ "connectionName": "mysql-dev", "host": "10.0.0.5", "dbname": "shop", "user": "root", "password": "",
        "port": 3307, "ssl": "verify_identity" }},
      "groupId": "C777F06B-202E-4480-B475-FA416154D458", "providerName": "MySQL", "savePassword": true, "id": "0d9b7c1e" }},
    {{ "options": {{ "connectionName": "logs", "cluster": "https://help.kusto.windows.net" }},
      "groupId": "C777F06B-202E-4480-B475-FA416154D458", "providerName": "KUSTO", "id": "k1" }},
  ],
}}"##
    )
}

#[tokio::test]
async fn an_ads_settings_file_keeps_groups_sqlclients_encrypt_meaning_and_skips_kusto() {
    let sb = open("ads-import").await;
    let password = test_password("ads");
    let file = test_root().join(format!("ads-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&file).unwrap();
    let file = file.join("settings.json");
    std::fs::write(&file, ads_settings(&password)).unwrap();

    let preview = sb.preview_batch(Batch::File(&file)).await.unwrap();
    let orders = row(&preview, "orders (EU)");
    assert_eq!(orders.status, RowStatus::Ready, "{orders:#?}");
    let f = orders.fields.as_ref().unwrap();
    assert_eq!(f.engine, Engine::SqlServer);
    assert_eq!((f.host.as_str(), f.port), ("sql-eu.contoso.com", 14330));
    assert_eq!(
        f.folder, "Production/EU/Frankfurt",
        "three groups deep, ROOT hidden"
    );
    assert_eq!(
        f.tls.mode,
        TlsMode::VerifyFull,
        "Mandatory without trust verifies"
    );
    assert_eq!(
        f.color.as_deref(),
        Some("#4452a6"),
        "the nearest group's colour"
    );
    assert_eq!(f.password_save, PasswordSave::Ask);
    assert!(orders.warnings.iter().any(|w| w.contains("secret store")));
    assert!(orders.tls_from.as_deref().unwrap().contains("Mandatory"));

    // encrypt=false is Optional, trustServerCertificate on top: nothing verified.
    let dev = preview
        .rows
        .iter()
        .find(|r| r.label.contains("DEVBOX"))
        .unwrap();
    let f = dev.fields.as_ref().unwrap();
    assert_eq!(f.tls.mode, TlsMode::Prefer, "{dev:#?}");
    assert_eq!(f.folder, "");
    assert!(!dev.has_password, "no password without the user's say-so");

    let strict = row(&preview, "Склад strict").fields.as_ref().unwrap();
    assert_eq!((strict.host.as_str(), strict.port), ("2001:db8::5", 1533));
    assert_eq!(strict.tls.mode, TlsMode::VerifyFull);

    let mysql = row(&preview, "mysql-dev").fields.as_ref().unwrap();
    assert_eq!((mysql.engine, mysql.port), (Engine::Mysql, 3307));
    assert_eq!(mysql.tls.mode, TlsMode::VerifyFull);

    let kusto = row(&preview, "logs");
    assert_eq!(kusto.status, RowStatus::Skipped);
    assert!(kusto.reason.as_deref().unwrap().contains("KUSTO"));
    assert!(preview.folders.contains(&"Empty".to_owned()));

    // With consent the hand-written password goes to the keychain, in the one import.
    let opts = ImportOptions {
        include_passwords: true,
        from: None,
        passphrase: None,
        on_clash: Default::default(),
    };
    let r = sb
        .import_batch_with(Batch::File(&file), None, &opts)
        .await
        .unwrap();
    assert_eq!(r.created.len(), 4);
    let dev = r
        .created
        .iter()
        .find(|c| c.fields.host == "DEVBOX")
        .unwrap();
    assert_eq!(sb.reveal_password(dev.id).await.unwrap().expose(), password);
}

#[tokio::test]
async fn vscode_mssql_profiles_read_flat_with_their_groups_and_connection_strings() {
    let sb = open("vscode-mssql-import").await;
    let text = r##"{
  "editor.fontSize": 13,
  "mssql.connectionGroups": [
    { "name": "ROOT", "id": "ROOT" },
    { "name": "Prod", "id": "p", "parentId": "ROOT", "color": "#c50f1f" },
    { "name": "Reporting", "id": "r", "parentId": "p" }
  ],
  "mssql.connections": [
    { "server": "sql01.contoso.local,1433", "database": "Sales", "authenticationType": "SqlLogin", "user": "report",
      "password": "", "savePassword": true, "encrypt": "Optional", "trustServerCertificate": false,
      "profileName": "Sales (prod)", "id": "2f0f", "groupId": "r" },
    { "connectionString": "Server=tcp:10.1.2.3,14333;Database=x;User ID=u;Password=CS_PASSWORD;Encrypt=True;TrustServerCertificate=True",
      "authenticationType": "SqlLogin", "profileName": "by string", "id": "d5e6", "groupId": "ROOT" },
  ],
}"##;
    // A password written into a profile's connection string, taken only with consent.
    let cs_password = test_password("vscode-cs");
    let text = text.replace("CS_PASSWORD", &cs_password);
    let text = text.as_str();
    let preview = sb.preview_batch(Batch::Text(text)).await.unwrap();
    assert_eq!(preview.rows.len(), 2);
    let sales = preview.rows[0].fields.as_ref().unwrap();
    assert_eq!(sales.folder, "Prod/Reporting");
    assert_eq!(
        sales.tls.mode,
        TlsMode::Prefer,
        "Optional encrypts without a check"
    );
    let by_string = preview.rows[1].fields.as_ref().unwrap();
    assert_eq!(
        (by_string.host.as_str(), by_string.port),
        ("10.1.2.3", 14333)
    );
    assert_eq!(
        by_string.tls.mode,
        TlsMode::Require,
        "trusting any certificate"
    );
    assert!(!preview.rows[1].has_password);
    assert!(preview.rows[1]
        .warnings
        .iter()
        .any(|w| w.contains("hold a password")));
    let with = switchboard_core::imports::ImportOptions {
        include_passwords: true,
        ..Default::default()
    };
    sb.import_batch_with(Batch::Text(text), None, &with)
        .await
        .unwrap();
    let saved = switchboard_tests::imports::saved(&sb, "by string").await;
    assert_eq!(
        sb.reveal_password(saved.id).await.unwrap().expose(),
        cs_password,
        "the connection string's password, with consent"
    );
}

#[tokio::test]
async fn a_broken_settings_file_is_refused_naming_the_line() {
    let sb = open("ads-broken").await;
    let file = test_root().join(format!("broken-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(
        &file,
        "{\n  // ADS\n  \"datasource.connections\": [\n    { \"options\": { \"server\": }\n  ]\n}\n",
    )
    .unwrap();
    let err = sb.preview_batch(Batch::File(&file)).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::PayloadInvalid);
    assert!(err.to_string().contains("line 4"), "{err}");
}
