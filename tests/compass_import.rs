//! MongoDB Compass's connection export through the import, against a real SQLite file and
//! the real Secret Service. The format is Compass's own: mongodb-js/compass
//! `packages/connection-storage/src/import-export-connection.ts` (the envelope, canonical
//! Extended JSON), `src/encrypt.ts` (PBKDF2-HMAC-SHA512, 100,000 rounds, AES-256-GCM with a
//! 16-byte nonce, the tag before the ciphertext), `packages/connection-info/src/
//! connection-secrets.ts` (which secrets are sealed) and `packages/connection-form/src/
//! hooks/use-connection-color.ts` (colour codes). The first sealed blob is Compass's own
//! test fixture (`packages/connection-storage/test/fixtures/compass-connections.ts`,
//! "Exported on Compass 1.40.4", passphrase `password`); the second is sealed here, by the
//! test, with the same scheme and a marked password.

use switchboard_core::imports::{Batch, ImportOptions, RowStatus};
use switchboard_core::model::{Engine, PasswordSave, TlsMode};
use switchboard_core::ssh::{SshAuth, SshRoute};
use switchboard_core::{ErrorCode, Secret};
use switchboard_tests::imports::open;
use switchboard_tests::test_password;

const COMPASS_FIXTURE_SECRETS: &str = "AAFSEEDlKaJFiXzDE1UFQ9/iokaH3j1t7TOCXUsy6sG+yxASG2WOfTP8rbg0g5XqrOcm6D+IpTni5QxpTXChGkrwngRVOWwmGmHkAItGNlZaR0AGaw==";

/// Compass's `encrypt`: version 0x0001, salt, IV, tag, ciphertext; base64.
fn seal(json: &str, passphrase: &str) -> String {
    use aes_gcm::aead::consts::U16;
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    use base64::Engine as _;
    let salt = *uuid::Uuid::new_v4().as_bytes();
    let iv = *uuid::Uuid::new_v4().as_bytes();
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha512>(passphrase.as_bytes(), &salt, 100_000, &mut key);
    let sealed = aes_gcm::AesGcm::<aes::Aes256, U16>::new_from_slice(&key)
        .unwrap()
        .encrypt(
            aes_gcm::aead::generic_array::GenericArray::from_slice(&iv),
            Payload {
                msg: json.as_bytes(),
                aad: &[],
            },
        )
        .unwrap();
    let (ct, tag) = sealed.split_at(sealed.len() - 16);
    let mut out = vec![0u8, 1];
    out.extend_from_slice(&salt);
    out.extend_from_slice(&iv);
    out.extend_from_slice(tag);
    out.extend_from_slice(ct);
    base64::engine::general_purpose::STANDARD.encode(out)
}

fn export(ssh_password: &str, db_password: &str) -> String {
    serde_json::json!({
        "type": "Compass Connections",
        "version": {"$numberInt": "1"},
        "connections": [
            {
                "id": "30bc83dd-a988-4553-b379-89fac70f3f5a",
                "favorite": {"name": "Compass 1.40.4", "color": "color6"},
                "savedConnectionType": "favorite",
                "lastUsed": {"$date": {"$numberLong": "1717000000000"}},
                "connectionOptions": {"connectionString": "mongodb://compass1404@localhost:27017/?authMechanism=DEFAULT"},
                "connectionSecrets": COMPASS_FIXTURE_SECRETS
            },
            {
                "id": "5231cafe-b280-43ac-977b-f95619fb0892",
                "favorite": {"name": "prod via bastion", "color": "color3"},
                "connectionOptions": {
                    "connectionString": "mongodb://app@[2001:db8::7]:27018/orders?tls=true",
                    "sshTunnel": {"host": "bastion.example.com", "port": {"$numberInt": "2222"}, "username": "ec2-user"}
                },
                "connectionSecrets": seal(&serde_json::json!({"secrets": {"password": db_password, "sshTunnelPassword": ssh_password}}).to_string(), "password")
            },
            {
                "id": "9",
                "favorite": {"name": "Склад (no secrets)"},
                "connectionOptions": {"connectionString": "mongodb+srv://reader@cluster0.abcde.mongodb.net/?retryWrites=true"}
            }
        ]
    })
    .to_string()
}

#[tokio::test]
async fn a_compass_export_asks_for_its_passphrase_then_opens_the_sealed_secrets_into_the_keychain()
{
    let sb = open("compass-import").await;
    let ssh_password = test_password("compass-ssh");
    let db_password = test_password("compass-db");
    let text = export(&ssh_password, &db_password);

    // Without the passphrase: every row, no secret, and the preview says what is missing.
    let preview = sb.preview_batch(Batch::Text(&text)).await.unwrap();
    assert!(preview.needs_passphrase);
    assert_eq!(preview.rows.len(), 3);
    assert!(
        preview.rows.iter().all(|r| r.status == RowStatus::Ready),
        "{preview:#?}"
    );
    assert!(preview
        .rows
        .iter()
        .all(|r| !r.has_password && r.ssh_secrets == 0));

    let first = preview.rows[0].fields.as_ref().unwrap();
    assert_eq!(first.engine, Engine::Mongodb);
    assert_eq!(first.name, "Compass 1.40.4");
    assert_eq!(
        first.color.as_deref(),
        Some("#500f1c"),
        "color6, Compass's red"
    );
    let bastion = preview.rows[1].fields.as_ref().unwrap();
    assert_eq!(
        (bastion.host.as_str(), bastion.port),
        ("2001:db8::7", 27018)
    );
    assert_eq!(bastion.tls.mode, TlsMode::VerifyFull, "tls=true verifies");
    match bastion.ssh.as_ref().unwrap() {
        SshRoute::Hops { hops } => {
            assert_eq!(
                (
                    hops[0].host.as_str(),
                    hops[0].port,
                    hops[0].user.as_str(),
                    hops[0].auth
                ),
                ("bastion.example.com", 2222, "ec2-user", SshAuth::Password)
            );
            assert_eq!(hops[0].secret_save, PasswordSave::Ask);
        }
        other => panic!("{other:?}"),
    }

    // A wrong passphrase is refused as such, naming the field to retype.
    let wrong = ImportOptions {
        passphrase: Some(Secret::new("not it")),
        ..ImportOptions::default()
    };
    let err = sb
        .preview_batch_with(Batch::Text(&text), &wrong)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::PayloadInvalid);
    assert!(err.to_string().contains("passphrase"), "{err}");

    // The right one: Compass's own fixture opens to its password, ours to the tunnel's.
    let right = ImportOptions {
        passphrase: Some(Secret::new("password")),
        ..ImportOptions::default()
    };
    let preview = sb
        .preview_batch_with(Batch::Text(&text), &right)
        .await
        .unwrap();
    assert!(!preview.needs_passphrase);
    assert!(preview.rows[0].has_password);
    assert_eq!(preview.rows[1].ssh_secrets, 1);
    let dump = serde_json::to_string(&preview).unwrap();
    assert!(!dump.contains(&ssh_password) && !dump.contains(&db_password));

    let result = sb
        .import_batch_with(Batch::Text(&text), None, &right)
        .await
        .unwrap();
    assert_eq!(result.created.len(), 3);
    let compass = &result.created[0];
    assert_eq!(
        sb.reveal_password(compass.id).await.unwrap().expose(),
        "password"
    );
    let bastion = sb.get(result.created[1].id).await.unwrap();
    assert_eq!(
        bastion.ssh_secrets,
        [0],
        "the tunnel's password is in the keychain"
    );
    assert_eq!(
        switchboard_tests::imports::hop_secret(bastion.id, 0).as_deref(),
        Some(ssh_password.as_str())
    );
    assert_eq!(
        sb.reveal_password(bastion.id).await.unwrap().expose(),
        db_password,
        "the export's sealed database password, opened with its passphrase"
    );
}

#[tokio::test]
async fn a_compass_export_of_another_version_is_refused_with_what_to_do() {
    let sb = open("compass-version").await;
    let text =
        r#"{"type": "Compass Connections", "version": {"$numberInt": "2"}, "connections": []}"#;
    let err = sb.preview_batch(Batch::Text(text)).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::PayloadInvalid);
    assert!(err.to_string().contains("version 1"), "{err}");
}
