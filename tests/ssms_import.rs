//! SQL Server Management Studio's registered servers (`.regsrvr`) through the import,
//! against a real SQLite file and the real Secret Service. The document is the SML-IF
//! envelope SSMS exports (microsoft/sqlmanagementobjects `src/Microsoft/SqlServer/
//! Management/RegisteredServers/RegisteredServer.cs` and `ServerGroup.cs`, the sample
//! `src/UnitTest/RegisteredServers/TstRegSrvr.xml`): groups nested by their parent's URI,
//! SqlClient connection strings, a DPAPI-encrypted password that cannot be read here.

use switchboard_core::imports::{Batch, RowStatus};
use switchboard_core::model::{Engine, PasswordSave, TlsMode};
use switchboard_core::Switchboard;
use switchboard_tests::{data_dir, require_keyring_session};

const REGSRVR: &str = r##"<?xml version="1.0"?>
<model xmlns="http://schemas.serviceml.org/smlif/2007/02">
  <identity><name>urn:uuid:96fe1236-abf6-4a57-b54d-e9baab394fd1</name><baseURI>http://documentcollection/</baseURI></identity>
  <xs:bufferSchema xmlns:xs="http://www.w3.org/2001/XMLSchema">
    <definitions xmlns:sfc="http://schemas.microsoft.com/sqlserver/sfc/serialization/2007/08">
      <document>
        <docinfo><aliases><alias>/system/schema/RegisteredServers</alias></aliases><sfc:version DomainVersion="1" /></docinfo>
        <data>
          <xs:schema targetNamespace="http://schemas.microsoft.com/sqlserver/RegisteredServers/2007/08" xmlns:sfc="http://schemas.microsoft.com/sqlserver/sfc/serialization/2007/08" xmlns:sml="http://schemas.serviceml.org/sml/2007/02" xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
            <xs:element name="ServerGroup"><xs:complexType><xs:sequence><xs:any namespace="http://schemas.microsoft.com/sqlserver/RegisteredServers/2007/08" processContents="skip" minOccurs="0" maxOccurs="unbounded" /></xs:sequence></xs:complexType></xs:element>
            <xs:element name="RegisteredServer"><xs:complexType><xs:sequence><xs:any namespace="http://schemas.microsoft.com/sqlserver/RegisteredServers/2007/08" processContents="skip" minOccurs="0" maxOccurs="unbounded" /></xs:sequence></xs:complexType></xs:element>
            <RegisteredServers:bufferData xmlns:RegisteredServers="http://schemas.microsoft.com/sqlserver/RegisteredServers/2007/08">
              <instances xmlns:sfc="http://schemas.microsoft.com/sqlserver/sfc/serialization/2007/08">
                <document>
                  <docinfo><aliases><alias>/RegisteredServersStore/ServerGroup/DatabaseEngineServerGroup/ServerGroup/Prod</alias></aliases><sfc:version DomainVersion="1" /></docinfo>
                  <data>
                    <RegisteredServers:ServerGroup xmlns:RegisteredServers="http://schemas.microsoft.com/sqlserver/RegisteredServers/2007/08" xmlns:sfc="http://schemas.microsoft.com/sqlserver/sfc/serialization/2007/08" xmlns:sml="http://schemas.serviceml.org/sml/2007/02" xmlns:xs="http://www.w3.org/2001/XMLSchema">
                      <RegisteredServers:ServerGroups><sfc:Collection><sfc:Reference sml:ref="true"><sml:Uri>/RegisteredServersStore/ServerGroup/DatabaseEngineServerGroup/ServerGroup/Prod/ServerGroup/EU</sml:Uri></sfc:Reference></sfc:Collection></RegisteredServers:ServerGroups>
                      <RegisteredServers:RegisteredServers><sfc:Collection><sfc:Reference sml:ref="true"><sml:Uri>/RegisteredServersStore/ServerGroup/DatabaseEngineServerGroup/ServerGroup/Prod/RegisteredServer/SQL01</sml:Uri></sfc:Reference></sfc:Collection></RegisteredServers:RegisteredServers>
                      <RegisteredServers:Parent><sfc:Reference sml:ref="true"><sml:Uri>/RegisteredServersStore/ServerGroup/DatabaseEngineServerGroup</sml:Uri></sfc:Reference></RegisteredServers:Parent>
                      <RegisteredServers:Name type="string">Prod</RegisteredServers:Name>
                      <RegisteredServers:Description type="string">Production</RegisteredServers:Description>
                      <RegisteredServers:ServerType type="ServerType">DatabaseEngine</RegisteredServers:ServerType>
                    </RegisteredServers:ServerGroup>
                  </data>
                </document>
                <document>
                  <docinfo><aliases><alias>/RegisteredServersStore/ServerGroup/DatabaseEngineServerGroup/ServerGroup/Prod/RegisteredServer/SQL01</alias></aliases><sfc:version DomainVersion="1" /></docinfo>
                  <data>
                    <RegisteredServers:RegisteredServer xmlns:RegisteredServers="http://schemas.microsoft.com/sqlserver/RegisteredServers/2007/08" xmlns:sfc="http://schemas.microsoft.com/sqlserver/sfc/serialization/2007/08" xmlns:sml="http://schemas.serviceml.org/sml/2007/02" xmlns:xs="http://www.w3.org/2001/XMLSchema">
                      <RegisteredServers:Parent><sfc:Reference sml:ref="true"><sml:Uri>/RegisteredServersStore/ServerGroup/DatabaseEngineServerGroup/ServerGroup/Prod</sml:Uri></sfc:Reference></RegisteredServers:Parent>
                      <RegisteredServers:Name type="string">SQL01</RegisteredServers:Name>
                      <RegisteredServers:Description type="string" />
                      <RegisteredServers:ServerName type="string">sql01.contoso.local\INST1</RegisteredServers:ServerName>
                      <RegisteredServers:UseCustomConnectionColor type="boolean">true</RegisteredServers:UseCustomConnectionColor>
                      <RegisteredServers:CustomConnectionColorArgb type="int">-65536</RegisteredServers:CustomConnectionColorArgb>
                      <RegisteredServers:ServerType type="ServerType">DatabaseEngine</RegisteredServers:ServerType>
                      <RegisteredServers:ConnectionStringWithEncryptedPassword type="string">data source=sql01.contoso.local\INST1;integrated security=True;pooling=False;multiple active result sets=False;connect timeout=30;encrypt=True;trust server certificate=False;packet size=4096;command timeout=0</RegisteredServers:ConnectionStringWithEncryptedPassword>
                      <RegisteredServers:CredentialPersistenceType type="CredentialPersistenceType">PersistLoginName</RegisteredServers:CredentialPersistenceType>
                      <RegisteredServers:OtherParams type="string" />
                      <RegisteredServers:AuthenticationType type="int">0</RegisteredServers:AuthenticationType>
                      <RegisteredServers:ActiveDirectoryTenant type="string" />
                    </RegisteredServers:RegisteredServer>
                  </data>
                </document>
                <document>
                  <docinfo><aliases><alias>/RegisteredServersStore/ServerGroup/DatabaseEngineServerGroup/ServerGroup/Prod/ServerGroup/EU</alias></aliases><sfc:version DomainVersion="1" /></docinfo>
                  <data>
                    <RegisteredServers:ServerGroup xmlns:RegisteredServers="http://schemas.microsoft.com/sqlserver/RegisteredServers/2007/08" xmlns:sfc="http://schemas.microsoft.com/sqlserver/sfc/serialization/2007/08" xmlns:sml="http://schemas.serviceml.org/sml/2007/02" xmlns:xs="http://www.w3.org/2001/XMLSchema">
                      <RegisteredServers:RegisteredServers><sfc:Collection><sfc:Reference sml:ref="true"><sml:Uri>/RegisteredServersStore/ServerGroup/DatabaseEngineServerGroup/ServerGroup/Prod/ServerGroup/EU/RegisteredServer/orders-eu</sml:Uri></sfc:Reference></sfc:Collection></RegisteredServers:RegisteredServers>
                      <RegisteredServers:Parent><sfc:Reference sml:ref="true"><sml:Uri>/RegisteredServersStore/ServerGroup/DatabaseEngineServerGroup/ServerGroup/Prod</sml:Uri></sfc:Reference></RegisteredServers:Parent>
                      <RegisteredServers:Name type="string">EU</RegisteredServers:Name>
                      <RegisteredServers:Description type="string" />
                      <RegisteredServers:ServerType type="ServerType">DatabaseEngine</RegisteredServers:ServerType>
                    </RegisteredServers:ServerGroup>
                  </data>
                </document>
                <document>
                  <docinfo><aliases><alias>/RegisteredServersStore/ServerGroup/DatabaseEngineServerGroup/ServerGroup/Prod/ServerGroup/EU/RegisteredServer/orders-eu</alias></aliases><sfc:version DomainVersion="1" /></docinfo>
                  <data>
                    <RegisteredServers:RegisteredServer xmlns:RegisteredServers="http://schemas.microsoft.com/sqlserver/RegisteredServers/2007/08" xmlns:sfc="http://schemas.microsoft.com/sqlserver/sfc/serialization/2007/08" xmlns:sml="http://schemas.serviceml.org/sml/2007/02" xmlns:xs="http://www.w3.org/2001/XMLSchema">
                      <RegisteredServers:Parent><sfc:Reference sml:ref="true"><sml:Uri>/RegisteredServersStore/ServerGroup/DatabaseEngineServerGroup/ServerGroup/Prod/ServerGroup/EU</sml:Uri></sfc:Reference></RegisteredServers:Parent>
                      <RegisteredServers:Name type="string">orders-eu</RegisteredServers:Name>
                      <RegisteredServers:Description type="string">orders primary</RegisteredServers:Description>
                      <RegisteredServers:ServerName type="string">tcp:sql-eu.contoso.com,14330</RegisteredServers:ServerName>
                      <RegisteredServers:UseCustomConnectionColor type="boolean">false</RegisteredServers:UseCustomConnectionColor>
                      <RegisteredServers:CustomConnectionColorArgb type="int">-986896</RegisteredServers:CustomConnectionColorArgb>
                      <RegisteredServers:ServerType type="ServerType">DatabaseEngine</RegisteredServers:ServerType>
                      <RegisteredServers:ConnectionStringWithEncryptedPassword type="string">data source=tcp:sql-eu.contoso.com,14330;initial catalog=orders;user id=app_ro;password=AQAAANCMnd8BFdERjHoAwE/Cl+sBAAAA…;pooling=False;multiple active result sets=False;connect timeout=30;encrypt=Strict;packet size=4096;command timeout=0</RegisteredServers:ConnectionStringWithEncryptedPassword>
                      <RegisteredServers:CredentialPersistenceType type="CredentialPersistenceType">PersistLoginNameAndPassword</RegisteredServers:CredentialPersistenceType>
                      <RegisteredServers:OtherParams type="string" />
                      <RegisteredServers:AuthenticationType type="int">1</RegisteredServers:AuthenticationType>
                      <RegisteredServers:ActiveDirectoryTenant type="string" />
                    </RegisteredServers:RegisteredServer>
                  </data>
                </document>
              </instances>
            </RegisteredServers:bufferData>
          </xs:schema>
        </data>
      </document>
    </definitions>
  </xs:bufferSchema>
</model>
"##;

#[tokio::test]
async fn a_regsrvr_export_keeps_its_group_tree_colours_and_sqlclients_encrypt_meaning() {
    require_keyring_session();
    let sb = Switchboard::open(&data_dir("ssms-import")).await.unwrap();
    let preview = sb.preview_batch(Batch::Text(REGSRVR)).await.unwrap();
    assert_eq!(preview.rows.len(), 2, "{preview:#?}");
    let sql01 = &preview.rows.iter().find(|r| r.label == "SQL01").unwrap();
    let f = sql01.fields.as_ref().unwrap();
    assert_eq!(f.engine, Engine::SqlServer);
    assert_eq!(f.folder, "Prod");
    assert_eq!(f.host, "sql01.contoso.local");
    assert_eq!(f.text_option("instance"), Some("INST1"));
    assert_eq!(
        f.tls.mode,
        TlsMode::VerifyFull,
        "encrypt=True without trust verifies"
    );
    assert_eq!(f.color.as_deref(), Some("#ff0000"), "ARGB -65536");
    assert!(
        sql01.warnings.iter().all(|w| !w.contains("pooling")),
        "SSMS's defaults are not noise: {:?}",
        sql01.warnings
    );
    // Windows authentication has no user name to log in with here: shown, not ready.
    assert_eq!(sql01.status, RowStatus::Invalid, "{sql01:#?}");
    assert!(
        sql01.issues.iter().any(|i| i.field == "username"),
        "{sql01:#?}"
    );
    let eu = preview
        .rows
        .iter()
        .find(|r| r.label == "orders-eu")
        .unwrap();
    assert_eq!(eu.status, RowStatus::Ready, "{eu:#?}");
    let f = eu.fields.as_ref().unwrap();
    assert_eq!(f.folder, "Prod/EU", "nested by the parent's URI");
    assert_eq!((f.host.as_str(), f.port), ("sql-eu.contoso.com", 14330));
    assert_eq!(
        (f.database.as_str(), f.username.as_str()),
        ("orders", "app_ro")
    );
    assert_eq!(f.tls.mode, TlsMode::VerifyFull, "Strict");
    assert_eq!(f.password_save, PasswordSave::Ask);
    assert!(!eu.has_password);
    assert!(eu.warnings.iter().any(|w| w.contains("DPAPI")));
    assert_eq!(f.color, None, "UseCustomConnectionColor false");
    assert!(preview.folders.contains(&"Prod/EU".to_owned()));
    sb.import_batch(Batch::Text(REGSRVR), None).await.unwrap();
    assert_eq!(sb.summaries().await.unwrap().connections.len(), 1);
}
