//! An SSH route in the real window: the user fills a hop to a real OpenSSH bastion, Test
//! stops at the bastion's unknown host key showing its fingerprint, "Trust this key"
//! tests again and connects to the real PostgreSQL behind it, and Save keeps the route.

use fantoccini::{Client, Locator};
use switchboard_core::model::{ConnectionFields, NewConnection, PasswordSave, TlsMode};
use switchboard_core::{Secret, Switchboard};
use switchboard_tests::pg::{PgServer, APP_DB, APP_USER};
use switchboard_tests::sshd::{client_key, local_user, Sshd, SshdOptions};
use switchboard_tests::window::*;
use switchboard_tests::{data_dir, require_keyring_session, test_root};

async fn click(c: &Client, css: &str) {
    wait_for(c, css).await.click().await.unwrap();
}

async fn type_into(c: &Client, css: &str, text: &str) {
    let el = wait_for(c, css).await;
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

#[tokio::test]
async fn a_route_filled_in_the_window_meets_an_unknown_host_key_trusts_it_and_connects() {
    require_keyring_session();
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "needs an X display (the test command runs Xvfb)"
    );
    let _one_window = WINDOW.lock().await;
    let pg = PgServer::shared();
    let key = client_key("ed25519", "");
    let bastion = Sshd::start(SshdOptions {
        authorized_keys: vec![key.public_line.clone()],
        ..Default::default()
    });
    let data = data_dir("ui-ssh");
    {
        let sb = Switchboard::open(&data).await.unwrap();
        let mut f = ConnectionFields::postgres(
            "behind-bastion",
            "localhost",
            u32::from(pg.port),
            APP_DB,
            APP_USER,
        );
        f.tls.mode = TlsMode::VerifyFull;
        f.tls.ca_pem = Some(pg.ca.cert_pem.clone());
        f.password_save = PasswordSave::Keychain;
        sb.create(NewConnection {
            fields: f,
            password: Some(Secret::new(pg.app_password.clone())),
            client_key: None,
            ssh_secrets: Vec::new(),
        })
        .await
        .unwrap();
    }
    let (_driver, c) = open_window(&data).await;
    let outcome = async {
        click(
            &c,
            "[data-testid=connection-item][data-name=behind-bastion]",
        )
        .await;
        wait_for(&c, "[data-testid=ssh-mode]")
            .await
            .select_by_value("hops")
            .await
            .unwrap();
        type_into(&c, "[data-testid=ssh-host]", "127.0.0.1").await;
        type_into(&c, "[data-testid=ssh-port]", &bastion.port.to_string()).await;
        type_into(&c, "[data-testid=ssh-user]", &local_user()).await;
        wait_for(&c, "[data-testid=ssh-auth]")
            .await
            .select_by_value("key")
            .await
            .unwrap();
        type_into(
            &c,
            "[data-testid=ssh-key-file]",
            &key.path.display().to_string(),
        )
        .await;

        // Test tests the form as it is: the route too. The bastion's key is unknown.
        click(&c, "[data-testid=test]").await;
        let fp = wait_for(&c, "[data-testid=host-key-fingerprint]")
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(fp, bastion.host_key_fingerprint);
        let result = wait_for(&c, "[data-testid=test-result]")
            .await
            .text()
            .await
            .unwrap();
        assert!(result.contains("hop 1 of 1"), "{result}");
        assert!(
            !data.join("known_hosts").exists(),
            "nothing trusted before the user says so"
        );
        let shot = c.screenshot().await.unwrap();
        std::fs::write(test_root().join("ui-e2e-ssh-unknown-key.png"), shot).unwrap();

        // The user trusts it: tested again, through the bastion to the database.
        click(&c, "[data-testid=trust-host-key]").await;
        wait_for(&c, "[data-testid=test-result][data-status=ok]").await;
        let hops = c
            .find_all(Locator::Css("[data-testid=test-step-hop]"))
            .await
            .unwrap();
        assert!(hops.len() >= 5, "every hop step is labelled with its hop");
        let known = std::fs::read_to_string(data.join("known_hosts")).unwrap();
        assert!(
            known.contains(&format!("[127.0.0.1]:{}", bastion.port)),
            "{known}"
        );
        let shot = c.screenshot().await.unwrap();
        std::fs::write(test_root().join("ui-e2e-ssh-connected.png"), shot).unwrap();

        click(&c, "[data-testid=save]").await;
        wait_for(&c, "[data-testid=saved]").await;

        // The saved route as a tunnel: a local address to paste into psql; the list marks it.
        click(&c, "[data-testid=open-tunnel]").await;
        let local = wait_for(&c, "[data-testid=tunnel-address]").await.text().await.unwrap();
        assert!(local.starts_with("127.0.0.1:"), "{local}");
        wait_for(&c, "[data-testid=connection-item][data-name=behind-bastion] [data-testid=tunnel-badge]").await;
        let psql = std::process::Command::new(switchboard_tests::pg::bin("psql"))
            .args(["-X", "-At", "-c", "select 42"])
            .arg(format!(
                "host=localhost hostaddr=127.0.0.1 port={} dbname={APP_DB} user={APP_USER} sslmode=require",
                local.trim_start_matches("127.0.0.1:")
            ))
            .env("PGPASSWORD", &pg.app_password)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&psql.stdout).trim(), "42", "{}", String::from_utf8_lossy(&psql.stderr));
        let shot = c.screenshot().await.unwrap();
        std::fs::write(test_root().join("ui-e2e-ssh-tunnel.png"), shot).unwrap();
        click(&c, "[data-testid=close-tunnel]").await;
        gone(&c, "[data-testid=tunnel-badge]").await;
    }
    .await;
    c.close().await.ok();
    let () = outcome;
    let sb = Switchboard::open(&data).await.unwrap();
    let saved = sb.find("behind-bastion").await.unwrap();
    let route = saved.fields.ssh.expect("the route was saved");
    let text = serde_json::to_string(&route).unwrap();
    assert!(
        text.contains(&bastion.port.to_string()) && text.contains("\"auth\":\"key\""),
        "{text}"
    );
}
