//! The real app window, driven through WebDriver (tauri-driver + Debian's WebKitWebDriver)
//! under Xvfb: create a PostgreSQL connection, see it listed, reopen it, test it against
//! the throwaway server and see "Connected".

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use switchboard_tests::pg::{PgServer, APP_DB, APP_USER};
use switchboard_tests::{data_dir, net, require_keyring_session, test_root, workspace_bin};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tauri_driver() -> PathBuf {
    let from_cargo = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|c| c.join("bin").join("tauri-driver"));
    match from_cargo.filter(|p| p.exists()) {
        Some(p) => p,
        None => PathBuf::from("tauri-driver"),
    }
}

fn start_driver(data: &Path) -> (Driver, u16) {
    let port = net::free_port();
    let native = net::free_port();
    let log = std::fs::File::create(test_root().join(format!("tauri-driver-{port}.log"))).unwrap();
    let child = Command::new(tauri_driver())
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env("SWITCHBOARD_DATA_DIR", data)
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("tauri-driver (installed by the test command: cargo install tauri-driver)");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "tauri-driver did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (Driver(child), port)
}

async fn fill(c: &Client, name: &str, value: &str) {
    let el = c
        .find(Locator::Css(&format!("[name={name}]")))
        .await
        .unwrap();
    el.clear().await.unwrap();
    el.send_keys(value).await.unwrap();
}

/// Waits for `css`; on timeout saves a screenshot and fails with what the page says.
async fn wait_for(c: &Client, css: &str) -> fantoccini::elements::Element {
    match c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
    {
        Ok(e) => e,
        Err(e) => {
            let shot = test_root().join("ui-e2e-failure.png");
            if let Ok(png) = c.screenshot().await {
                std::fs::write(&shot, png).ok();
            }
            let body = match c.find(Locator::Css("body")).await {
                Ok(b) => b.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            panic!(
                "{css} did not appear ({e}); screenshot {}; page text:\n{body}",
                shot.display()
            )
        }
    }
}

#[tokio::test]
async fn create_list_reopen_and_test_a_postgres_connection_in_the_real_window() {
    require_keyring_session();
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "needs an X display (the test command runs Xvfb)"
    );
    let _ = rustls::crypto::ring::default_provider().install_default();
    let pg = PgServer::shared();
    let data = data_dir("ui-e2e");
    let (_driver, port) = start_driver(&data);

    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": workspace_bin("switchboard-app") }),
    );
    caps.insert("browserName".into(), "wry".into());
    let c = ClientBuilder::rustls()
        .unwrap()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("WebDriver session");

    let outcome = async {
        wait_for(&c, "[data-testid=new-connection]").await.click().await.unwrap();
        wait_for(&c, "[name=name]").await;
        // The form follows the engine's description: SQLite has a file and no host,
        // MongoDB's default port is 27017, and back to PostgreSQL restores 5432.
        let engine = c.find(Locator::Css("[name=engine]")).await.unwrap();
        engine.select_by_value("sqlite").await.unwrap();
        wait_for(&c, "[name=database]").await;
        assert!(c.find(Locator::Css("[name=host]")).await.is_err(), "SQLite shows no host");
        engine.select_by_value("mongodb").await.unwrap();
        let port = wait_for(&c, "[name=port]").await.prop("value").await.unwrap();
        assert_eq!(port.as_deref(), Some("27017"));
        assert!(c.find(Locator::Css("[name=option-replica_set]")).await.is_ok());
        engine.select_by_value("postgres").await.unwrap();
        let port = wait_for(&c, "[name=port]").await.prop("value").await.unwrap();
        assert_eq!(port.as_deref(), Some("5432"));
        fill(&c, "name", "e2e-pg").await;
        fill(&c, "host", "localhost").await;
        fill(&c, "database", APP_DB).await;
        // A bad port is refused by the backend and the message sits next to the port field.
        fill(&c, "port", "0").await;
        c.find(Locator::Css("[data-testid=save]")).await.unwrap().click().await.unwrap();
        let port_error = wait_for(&c, "[data-testid=error-port]").await.text().await.unwrap();
        assert!(port_error.contains("1–65535"), "{port_error}");
        fill(&c, "port", &pg.port.to_string()).await;
        fill(&c, "username", APP_USER).await;
        fill(&c, "password", &pg.app_password).await;
        c.find(Locator::Css("[name=tls_mode]")).await.unwrap().select_by_value("verify-full").await.unwrap();
        fill(&c, "ca_pem", &pg.ca.cert_pem).await;
        c.find(Locator::Css("[data-testid=save]")).await.unwrap().click().await.unwrap();

        // Listed, then reopened from the list after opening a blank form.
        wait_for(&c, "[data-testid=connection-item][data-name=e2e-pg]").await;
        c.find(Locator::Css("[data-testid=new-connection]")).await.unwrap().click().await.unwrap();
        wait_for(&c, "[data-testid=connection-item][data-name=e2e-pg]").await.click().await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let host = c.find(Locator::Css("[name=host]")).await.unwrap().prop("value").await.unwrap();
            if host.as_deref() == Some("localhost") {
                break;
            }
            assert!(Instant::now() < deadline, "reopened form shows host {host:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        c.find(Locator::Css("[data-testid=test]")).await.unwrap().click().await.unwrap();
        let result = wait_for(&c, "[data-testid=test-result][data-status=ok], [data-testid=test-result][data-status=failed]").await;
        let status = result.attr("data-status").await.unwrap();
        let text = result.text().await.unwrap();
        assert_eq!(status.as_deref(), Some("ok"), "test result: {text}");
        assert!(text.contains("Connected"), "{text}");
        let steps = c.find_all(Locator::Css("[data-testid=test-step]")).await.unwrap();
        assert_eq!(steps.len(), 5, "{text}");
        // The capability grants our commands only: a core plugin command is refused.
        let refused = c
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 window.__TAURI_INTERNALS__.invoke('plugin:app|version')\
                   .then(v => done('allowed: ' + v), e => done('refused: ' + e));",
                vec![],
            )
            .await
            .unwrap();
        let refused = refused.as_str().unwrap_or_default().to_owned();
        assert!(refused.starts_with("refused:") && refused.contains("not allowed"), "{refused}");
        let shot = c.screenshot().await.unwrap();
        std::fs::write(test_root().join("ui-e2e-connected.png"), shot).unwrap();
    }
    .await;
    c.close().await.ok();
    outcome
}
