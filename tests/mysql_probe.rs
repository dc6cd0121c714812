//! MySQL / MariaDB live tests against a throwaway MariaDB (Debian's mariadb-server) with
//! TLS from a CA made at test time: every TLS level, REQUIRE SSL and REQUIRE X509 accounts,
//! wrong password, unknown database, and peers that are not MariaDB.

use std::time::Duration;

use switchboard_core::model::{Engine, TlsMode};
use switchboard_core::probe::report::{Step, StepStatus};
// The test CA's server certificate names localhost and 127.0.0.1; 127.0.0.2 reaches the
// same server under a name the certificate does not list.
use switchboard_core::probe::{self, ProbeTarget, TestReport, TlsMaterial};
use switchboard_core::{ErrorCode, Secret};
use switchboard_tests::mariadb::{MariaDbServer, APP_DB, APP_USER, CERT_USER, PLAIN_USER};
use switchboard_tests::net;

fn target(host: &str, mode: TlsMode, ca: Option<&str>) -> ProbeTarget {
    let m = MariaDbServer::shared();
    ProbeTarget {
        database: APP_DB.into(),
        username: APP_USER.into(),
        password: Some(Secret::new(m.app_password.clone())),
        tls: TlsMaterial {
            ca_pem: ca.map(str::to_owned),
            ..Default::default()
        },
        ..ProbeTarget::new(Engine::Mysql, host, m.port, mode)
    }
}

fn ca() -> Option<&'static str> {
    Some(MariaDbServer::shared().ca.cert_pem.as_str())
}

fn step(r: &TestReport, s: Step) -> Option<StepStatus> {
    r.steps.iter().find(|x| x.step == s).map(|x| x.status)
}

#[tokio::test]
async fn verify_full_with_the_test_ca_logs_in_and_shows_the_chain_and_server() {
    let r = probe::run(&target("localhost", TlsMode::VerifyFull, ca())).await;
    assert!(r.ok, "{r:#?}");
    let steps: Vec<Step> = r.steps.iter().map(|s| s.step).collect();
    assert_eq!(
        steps,
        [
            Step::Resolve,
            Step::Connect,
            Step::Greeting,
            Step::Tls,
            Step::Auth,
            Step::Query
        ]
    );
    assert!(r.steps.iter().all(|s| s.status == StepStatus::Ok), "{r:#?}");
    let tls = r.tls.as_ref().expect("TLS details");
    assert!(tls.protocol.starts_with("TLS 1."), "{tls:?}");
    assert!(tls.peer_certificates[0]
        .subject_alt_names
        .iter()
        .any(|n| n.contains("localhost")));
    let server = r.server.as_ref().unwrap();
    assert!(server.version.contains("MariaDB"), "{server:?}");
    assert!(server.current_user.starts_with(APP_USER), "{server:?}");
    assert_eq!(server.current_database, APP_DB);
}

#[tokio::test]
async fn untrusted_foreign_ca_and_wrong_host_name_fail_at_the_tls_step() {
    let r = probe::run(&target("localhost", TlsMode::VerifyFull, None)).await;
    assert_eq!(r.error_code(), Some(ErrorCode::TlsUntrusted), "{r:#?}");
    assert_eq!(r.error.as_ref().unwrap().step, Step::Tls);
    let foreign = MariaDbServer::shared().foreign_ca.cert_pem.clone();
    let r = probe::run(&target("localhost", TlsMode::VerifyCa, Some(&foreign))).await;
    assert_eq!(r.error_code(), Some(ErrorCode::TlsUntrusted), "{r:#?}");
    let r = probe::run(&target("127.0.0.2", TlsMode::VerifyFull, ca())).await;
    assert_eq!(
        r.error_code(),
        Some(ErrorCode::TlsHostnameMismatch),
        "{r:#?}"
    );
    assert!(r.error.as_ref().unwrap().hint.contains("verify-ca"));
}

#[tokio::test]
async fn verify_ca_stops_before_the_password_when_the_driver_cannot_keep_it_and_require_does_not_verify(
) {
    // sqlx cannot check a chain without the host name: a certificate that does not name the
    // host would mean logging in unchecked, so the test stops and says what to choose.
    let r = probe::run(&target("127.0.0.2", TlsMode::VerifyCa, ca())).await;
    assert_eq!(
        r.error_code(),
        Some(ErrorCode::TlsModeUnsupported),
        "{r:#?}"
    );
    assert_eq!(r.error.as_ref().unwrap().step, Step::Auth);
    let r = probe::run(&target("localhost", TlsMode::VerifyCa, ca())).await;
    assert!(
        r.ok,
        "a certificate that names the host is checked fully: {r:#?}"
    );
    let r = probe::run(&target("127.0.0.2", TlsMode::Require, None)).await;
    assert!(r.ok, "{r:#?}");
    assert!(r.tls.is_some());
}

#[tokio::test]
async fn a_require_ssl_account_is_refused_without_tls_and_says_so() {
    let r = probe::run(&target("localhost", TlsMode::Disable, None)).await;
    assert_eq!(r.error_code(), Some(ErrorCode::AuthFailed), "{r:#?}");
    assert_eq!(step(&r, Step::Tls), Some(StepStatus::Skipped));
    assert!(
        r.error.as_ref().unwrap().hint.contains("REQUIRE SSL"),
        "{r:#?}"
    );
}

#[tokio::test]
async fn an_account_without_tls_requirements_logs_in_without_tls() {
    let m = MariaDbServer::shared();
    let mut t = target("127.0.0.1", TlsMode::Disable, None);
    t.username = PLAIN_USER.into();
    t.password = Some(Secret::new(m.plain_password.clone()));
    let r = probe::run(&t).await;
    assert!(r.ok, "{r:#?}");
    assert!(r.tls.is_none());
}

#[tokio::test]
async fn wrong_password_and_unknown_database_are_classified() {
    let mut t = target("localhost", TlsMode::VerifyFull, ca());
    t.password = Some(Secret::new("not-the-password".to_owned()));
    let r = probe::run(&t).await;
    assert_eq!(r.error_code(), Some(ErrorCode::AuthFailed), "{r:#?}");
    assert_eq!(r.error.as_ref().unwrap().step, Step::Auth);
    let mut t = target("localhost", TlsMode::VerifyFull, ca());
    t.database = "no_such_db".into();
    let r = probe::run(&t).await;
    // As the mariadb client: "Access denied … to database" (existence is not revealed).
    assert_eq!(r.error_code(), Some(ErrorCode::PermissionDenied), "{r:#?}");
    assert!(r.error.as_ref().unwrap().hint.contains("database name"));
}

#[tokio::test]
async fn a_require_x509_account_needs_its_client_certificate() {
    let m = MariaDbServer::shared();
    let mut t = target("localhost", TlsMode::VerifyFull, ca());
    t.username = CERT_USER.into();
    t.password = None;
    let r = probe::run(&t).await;
    assert_eq!(
        r.error_code(),
        Some(ErrorCode::TlsClientCertRequired),
        "{r:#?}"
    );
    let client = m.ca.client(CERT_USER);
    t.tls.client_cert_pem = Some(client.cert_pem.clone());
    t.tls.client_key_pem = Some(Secret::new(client.key_pem.clone()));
    let r = probe::run(&t).await;
    assert!(r.ok, "{r:#?}");
}

#[tokio::test]
async fn closed_port_silent_listener_and_garbage_are_told_apart() {
    let mut t = target("127.0.0.1", TlsMode::VerifyFull, ca());
    t.port = net::closed_port();
    let r = probe::run(&t).await;
    assert_eq!(r.error_code(), Some(ErrorCode::Refused), "{r:#?}");

    // The server speaks first: a silent one is named at the greeting, TLS on or off,
    // never as a TLS handshake that never began.
    for mode in [TlsMode::VerifyFull, TlsMode::Disable] {
        let addr = net::silent_listener();
        let mut t = target("127.0.0.1", mode, ca());
        t.port = addr.port();
        t.timeout = Duration::from_secs(2);
        let started = std::time::Instant::now();
        let r = probe::run(&t).await;
        assert_eq!(r.error_code(), Some(ErrorCode::Timeout), "{r:#?}");
        let e = r.error.as_ref().unwrap();
        assert_eq!(e.step, Step::Greeting, "waiting for the greeting: {r:#?}");
        assert!(e.message.starts_with("server greeting"), "{r:#?}");
        assert!(!e.message.contains("TLS"), "{r:#?}");
        assert_eq!(step(&r, Step::Tls), None, "TLS never began: {r:#?}");
        assert!(started.elapsed() < Duration::from_millis(2200 + 500));
    }

    // Another service that speaks first (an SSH banner) is not MariaDB.
    let addr = net::banner_listener();
    let mut t = target("127.0.0.1", TlsMode::Disable, None);
    t.port = addr.port();
    let r = probe::run(&t).await;
    assert_eq!(r.error_code(), Some(ErrorCode::ProtocolError), "{r:#?}");
}

#[tokio::test]
async fn an_expired_server_certificate_is_named() {
    let m = MariaDbServer::expired();
    let mut t = target("localhost", TlsMode::VerifyFull, Some(&m.ca.cert_pem));
    t.port = m.port;
    t.password = Some(Secret::new(m.app_password.clone()));
    let r = probe::run(&t).await;
    assert_eq!(r.error_code(), Some(ErrorCode::TlsExpired), "{r:#?}");
}

/// The mariadb client on the same server with the same settings: both log in, or both
/// refuse (verify-ca has no mariadb-client equivalent and is left out).
#[tokio::test]
async fn each_outcome_matches_what_the_mariadb_client_does_on_the_same_server() {
    let m = MariaDbServer::shared();
    let root = switchboard_tests::test_root();
    let ca_file = root.join(format!("maria-ca-{}.pem", std::process::id()));
    let foreign_file = root.join(format!("maria-foreign-{}.pem", std::process::id()));
    std::fs::write(&ca_file, &m.ca.cert_pem).unwrap();
    std::fs::write(&foreign_file, &m.foreign_ca.cert_pem).unwrap();
    // host, TLS mode, CA file, password override, whether it should connect
    type Case<'a> = (
        &'a str,
        TlsMode,
        Option<&'a std::path::Path>,
        Option<&'a str>,
        bool,
    );
    let cases: Vec<Case> = vec![
        ("localhost", TlsMode::VerifyFull, Some(&ca_file), None, true),
        (
            "localhost",
            TlsMode::VerifyFull,
            Some(&foreign_file),
            None,
            false,
        ),
        (
            "127.0.0.2",
            TlsMode::VerifyFull,
            Some(&ca_file),
            None,
            false,
        ),
        ("localhost", TlsMode::Require, None, None, true),
        ("localhost", TlsMode::Disable, None, None, false),
        (
            "localhost",
            TlsMode::VerifyFull,
            Some(&ca_file),
            Some("wrong-password"),
            false,
        ),
    ];
    for (host, mode, ca_path, password, expect_ok) in cases {
        let mut t = target(host, mode, None);
        t.tls.ca_pem = ca_path.map(|p| std::fs::read_to_string(p).unwrap());
        if let Some(p) = password {
            t.password = Some(Secret::new(p.to_owned()));
        }
        let ours = probe::run(&t).await.ok;
        let mut cmd = std::process::Command::new("mariadb");
        cmd.args(["--no-defaults", "--protocol=TCP", "-h", host])
            .arg(format!("--port={}", m.port))
            .arg(format!("--user={APP_USER}"))
            .arg(format!(
                "--password={}",
                password.unwrap_or(&m.app_password)
            ))
            .args(["--connect-timeout=5", "-e", "select 1", APP_DB]);
        match mode {
            TlsMode::Disable => {
                cmd.arg("--skip-ssl");
            }
            TlsMode::Require => {
                cmd.args(["--ssl", "--skip-ssl-verify-server-cert"]);
            }
            _ => {
                cmd.args(["--ssl", "--ssl-verify-server-cert"]);
            }
        }
        if let Some(p) = ca_path {
            cmd.arg(format!("--ssl-ca={}", p.display()));
        }
        let out = cmd.output().unwrap();
        let theirs = out.status.success();
        assert_eq!(
            (ours, theirs),
            (expect_ok, expect_ok),
            "{host} {mode:?} ca={ca_path:?}: ours {ours}, mariadb {theirs} ({})",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test]
async fn cancelling_while_a_silent_server_owes_its_greeting_names_the_greeting() {
    let addr = net::silent_listener();
    let mut t = target("127.0.0.1", TlsMode::Disable, None);
    t.port = addr.port();
    t.timeout = Duration::from_secs(30);
    let r = probe::run_cancellable(&t, tokio::time::sleep(Duration::from_millis(500))).await;
    assert_eq!(r.error_code(), Some(ErrorCode::Cancelled), "{r:#?}");
    let e = r.error.as_ref().unwrap();
    assert_eq!(e.step, Step::Greeting, "{r:#?}");
    assert_eq!(e.message, "The test was cancelled during server greeting.");
}
