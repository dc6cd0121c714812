//! Microsoft SQL Server: no server can be installed here, so these run the real driver
//! (tiberius) and Switchboard's own PRELOGIN/TLS inspection against a test-only TDS peer
//! (tests/harness/tds.rs) with certificates from a test CA: every TLS level against every
//! PRELOGIN encryption answer, wrong password, unknown database, and peers that are not
//! SQL Server.

use std::time::{Duration, Instant};

use switchboard_core::model::{Engine, OptionValue, TlsMode};
use switchboard_core::probe::report::{Step, StepStatus};
use switchboard_core::probe::{self, ProbeTarget, TestReport, TlsMaterial};
use switchboard_core::{ErrorCode, Secret};
use switchboard_tests::ca::TestCa;
use switchboard_tests::net;
use switchboard_tests::tds::{
    self, TdsPeer, ENCRYPT_NOT_SUP, ENCRYPT_OFF, ENCRYPT_ON, ENCRYPT_REQ,
};

const USER: &str = "sb_app";
const DB: &str = "sales";

struct Server {
    peer: TdsPeer,
    port: u16,
    ca: TestCa,
    password: String,
}

/// A peer answering `encryption`, with a certificate for localhost only from its own CA.
fn server(encryption: u8) -> Server {
    let ca = TestCa::new("Switchboard Test CA (TDS)");
    let password = switchboard_tests::test_password("mssql");
    let peer = TdsPeer::new(
        encryption,
        Some(tds::tls_config(&ca.server(&["localhost"], -1, 30))),
        USER,
        &password,
        DB,
    );
    let port = peer.listen().port();
    Server {
        peer,
        port,
        ca,
        password,
    }
}

fn target(s: &Server, host: &str, mode: TlsMode, ca: Option<&str>) -> ProbeTarget {
    ProbeTarget {
        database: DB.into(),
        username: USER.into(),
        password: Some(Secret::new(s.password.clone())),
        tls: TlsMaterial {
            ca_pem: ca.map(str::to_owned),
            ..Default::default()
        },
        timeout: Duration::from_secs(5),
        ..ProbeTarget::new(Engine::SqlServer, host, s.port, mode)
    }
}

fn step(r: &TestReport, s: Step) -> Option<(StepStatus, String)> {
    r.steps
        .iter()
        .find(|x| x.step == s)
        .map(|x| (x.status, x.detail.clone()))
}

#[tokio::test]
async fn verify_full_with_the_test_ca_logs_in_and_shows_the_chain_and_server() {
    let s = server(ENCRYPT_ON);
    let r = probe::run(&target(
        &s,
        "localhost",
        TlsMode::VerifyFull,
        Some(&s.ca.cert_pem),
    ))
    .await;
    assert!(r.ok, "{r:#?}");
    let steps: Vec<(Step, StepStatus)> = r.steps.iter().map(|s| (s.step, s.status)).collect();
    assert_eq!(
        steps,
        [
            (Step::Resolve, StepStatus::Ok),
            (Step::Connect, StepStatus::Ok),
            (Step::Greeting, StepStatus::Ok),
            (Step::Tls, StepStatus::Ok),
            (Step::Auth, StepStatus::Ok),
            (Step::Query, StepStatus::Ok),
        ]
    );
    let tls = r.tls.as_ref().expect("TLS details");
    assert!(tls.protocol.starts_with("TLS 1."), "{tls:?}");
    assert!(!tls.cipher_suite.is_empty(), "{tls:?}");
    assert!(tls.peer_certificates[0]
        .subject_alt_names
        .iter()
        .any(|n| n == "localhost"));
    assert!(tls.peer_certificates[0]
        .issuer
        .contains("Switchboard Test CA (TDS)"));
    let server = r.server.as_ref().expect("server info");
    assert!(
        server.version.starts_with("Microsoft SQL Server 2022"),
        "{server:?}"
    );
    assert!(
        !server.version.contains('\n'),
        "first line only: {server:?}"
    );
    assert_eq!(server.current_user, USER);
    assert_eq!(server.current_database, DB);
    assert!(!server.in_recovery);
    // The driver logged in on its own, encrypted connection, and the CA file it was given
    // is gone.
    let seen = s.peer.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].encrypted);
    assert_eq!(seen[0].app_name, "switchboard");
    assert!(!seen[0].read_only_intent);
    // Other tests of this process may hold theirs for a moment: wait for all to go.
    let mut left = switchboard_tests::ca_files_left("sqlserver");
    for _ in 0..100 {
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        left = switchboard_tests::ca_files_left("sqlserver");
    }
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn tls_1_2_inside_prelogin_packets_works_for_full_and_login_only_encryption() {
    let ca = TestCa::new("Switchboard Test CA (TDS, TLS 1.2)");
    // Full encryption, login-only encryption, and full encryption the client insists on.
    for (encryption, mode) in [
        (ENCRYPT_ON, TlsMode::VerifyFull),
        (ENCRYPT_OFF, TlsMode::Disable),
        (ENCRYPT_OFF, TlsMode::VerifyFull),
    ] {
        let peer = TdsPeer::new(
            encryption,
            Some(tds::tls12_config(&ca.server(&["localhost"], -1, 30))),
            USER,
            "pw",
            DB,
        );
        let s = Server {
            port: peer.listen().port(),
            peer,
            ca: TestCa::new("unused"),
            password: "pw".into(),
        };
        let r = probe::run(&target(&s, "localhost", mode, Some(&ca.cert_pem))).await;
        assert!(r.ok, "{encryption} {mode:?}: {r:#?}");
        assert_eq!(r.tls.as_ref().expect("TLS details").protocol, "TLS 1.2");
        assert!(s.peer.seen.lock().unwrap()[0].encrypted);
    }
}

#[tokio::test]
async fn verify_full_picks_the_right_ca_out_of_a_bundle() {
    let s = server(ENCRYPT_REQ);
    let foreign = TestCa::new("Switchboard Test CA (foreign)");
    let bundle = format!("{}\n{}", foreign.cert_pem, s.ca.cert_pem);
    let r = probe::run(&target(&s, "localhost", TlsMode::VerifyFull, Some(&bundle))).await;
    assert!(r.ok, "{r:#?}");
}

#[tokio::test]
async fn an_untrusted_ca_fails_at_the_tls_step_before_any_login() {
    let s = server(ENCRYPT_ON);
    let r = probe::run(&target(&s, "localhost", TlsMode::VerifyFull, None)).await;
    assert_eq!(r.error_code(), Some(ErrorCode::TlsUntrusted), "{r:#?}");
    assert_eq!(r.error.as_ref().unwrap().step, Step::Tls);
    let foreign = TestCa::new("Switchboard Test CA (foreign)");
    let r = probe::run(&target(
        &s,
        "localhost",
        TlsMode::VerifyCa,
        Some(&foreign.cert_pem),
    ))
    .await;
    assert_eq!(r.error_code(), Some(ErrorCode::TlsUntrusted), "{r:#?}");
    assert!(s.peer.seen.lock().unwrap().is_empty(), "no LOGIN7 was sent");
}

#[tokio::test]
async fn a_host_name_the_certificate_does_not_list_fails_verify_full_and_passes_verify_ca() {
    let s = server(ENCRYPT_ON);
    let ca = Some(s.ca.cert_pem.as_str());
    let r = probe::run(&target(&s, "127.0.0.1", TlsMode::VerifyFull, ca)).await;
    assert_eq!(
        r.error_code(),
        Some(ErrorCode::TlsHostnameMismatch),
        "{r:#?}"
    );
    assert!(r.error.as_ref().unwrap().hint.contains("verify-ca"));
    let r = probe::run(&target(&s, "127.0.0.1", TlsMode::VerifyCa, ca)).await;
    assert!(r.ok, "{r:#?}");
    // tiberius has no verify-ca: it is given a name the certificate lists and the CA, so the
    // login connection's chain is verified too (the password never crosses an unchecked one).
    let (_, detail) = step(&r, Step::Tls).unwrap();
    assert!(
        detail.contains("checks the chain again on its login connection"),
        "{detail}"
    );
}

#[tokio::test]
async fn host_name_in_certificate_lets_verify_full_check_another_name() {
    let s = server(ENCRYPT_ON);
    let mut t = target(&s, "127.0.0.1", TlsMode::VerifyFull, Some(&s.ca.cert_pem));
    t.options.insert(
        "host_name_in_certificate".into(),
        OptionValue::Text("localhost".into()),
    );
    let r = probe::run(&t).await;
    assert!(r.ok, "{r:#?}");
    let (_, detail) = step(&r, Step::Tls).unwrap();
    assert!(detail.contains("host name in certificate"), "{detail}");
}

#[tokio::test]
async fn an_expired_certificate_is_named() {
    let ca = TestCa::new("Switchboard Test CA (TDS expired)");
    let peer = TdsPeer::new(
        ENCRYPT_ON,
        Some(tds::tls_config(&ca.server(&["localhost"], -30, -1))),
        USER,
        "pw",
        DB,
    );
    let s = Server {
        port: peer.listen().port(),
        peer,
        ca,
        password: "pw".into(),
    };
    let r = probe::run(&target(
        &s,
        "localhost",
        TlsMode::VerifyFull,
        Some(&s.ca.cert_pem),
    ))
    .await;
    assert_eq!(r.error_code(), Some(ErrorCode::TlsExpired), "{r:#?}");
}

#[tokio::test]
async fn require_without_a_ca_encrypts_without_verifying() {
    let s = server(ENCRYPT_ON);
    let r = probe::run(&target(&s, "127.0.0.1", TlsMode::Require, None)).await;
    assert!(r.ok, "{r:#?}");
    let tls = r.tls.as_ref().expect("TLS details");
    assert!(tls.verification.contains("not verified"), "{tls:?}");
    assert!(s.peer.seen.lock().unwrap()[0].encrypted);
}

#[tokio::test]
async fn disable_against_a_server_that_forces_encryption_is_tls_required_by_server() {
    let s = server(ENCRYPT_REQ);
    let r = probe::run(&target(&s, "localhost", TlsMode::Disable, None)).await;
    assert_eq!(
        r.error_code(),
        Some(ErrorCode::TlsRequiredByServer),
        "{r:#?}"
    );
    assert_eq!(r.error.as_ref().unwrap().step, Step::Tls);
    assert!(s.peer.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn disable_against_a_server_with_a_certificate_encrypts_only_the_login() {
    // ENCRYPT_OFF both ways: TLS for LOGIN7, then plain TDS (the query proves the switch).
    let s = server(ENCRYPT_OFF);
    let r = probe::run(&target(&s, "localhost", TlsMode::Disable, None)).await;
    assert!(r.ok, "{r:#?}");
    let (status, detail) = step(&r, Step::Tls).unwrap();
    assert_eq!(status, StepStatus::Ok);
    assert!(detail.contains("Only the login packet"), "{detail}");
    let tls = r.tls.as_ref().expect("the login's TLS session");
    assert!(
        tls.verification.contains("Only the login packet"),
        "{tls:?}"
    );
    assert!(s.peer.seen.lock().unwrap()[0].encrypted);
    // prefer is the same against this server.
    let r = probe::run(&target(&s, "localhost", TlsMode::Prefer, None)).await;
    assert!(r.ok, "{r:#?}");
}

#[tokio::test]
async fn disable_and_prefer_against_a_server_without_a_certificate_log_in_unencrypted() {
    let s = server(ENCRYPT_NOT_SUP);
    for mode in [TlsMode::Disable, TlsMode::Prefer] {
        let r = probe::run(&target(&s, "localhost", mode, None)).await;
        assert!(r.ok, "{r:#?}");
        assert!(r.tls.is_none(), "{r:#?}");
        let (status, detail) = step(&r, Step::Tls).unwrap();
        assert_eq!(status, StepStatus::Skipped);
        assert!(detail.contains("unencrypted"), "{detail}");
    }
    assert!(s.peer.seen.lock().unwrap().iter().all(|l| !l.encrypted));
}

#[tokio::test]
async fn prefer_against_a_server_that_forces_encryption_encrypts_everything() {
    let s = server(ENCRYPT_REQ);
    let r = probe::run(&target(&s, "localhost", TlsMode::Prefer, None)).await;
    assert!(r.ok, "{r:#?}");
    let tls = r.tls.as_ref().expect("TLS details");
    assert!(tls.verification.contains("server requires it"), "{tls:?}");
}

#[tokio::test]
async fn require_against_a_server_without_encryption_is_tls_not_supported_by_server() {
    let s = server(ENCRYPT_NOT_SUP);
    let r = probe::run(&target(&s, "localhost", TlsMode::Require, None)).await;
    assert_eq!(
        r.error_code(),
        Some(ErrorCode::TlsNotSupportedByServer),
        "{r:#?}"
    );
    assert_eq!(r.error.as_ref().unwrap().step, Step::Tls);
    assert!(s.peer.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn wrong_password_is_auth_failed() {
    let s = server(ENCRYPT_ON);
    let mut t = target(&s, "localhost", TlsMode::VerifyFull, Some(&s.ca.cert_pem));
    t.password = Some(Secret::new("not-the-password".to_owned()));
    let r = probe::run(&t).await;
    assert_eq!(r.error_code(), Some(ErrorCode::AuthFailed), "{r:#?}");
    let e = r.error.as_ref().unwrap();
    assert_eq!(e.step, Step::Auth);
    assert!(
        e.message.contains("Login failed for user 'sb_app'"),
        "{e:?}"
    );
    assert_eq!(step(&r, Step::Tls).unwrap().0, StepStatus::Ok);
}

#[tokio::test]
async fn unknown_database_is_database_not_found() {
    let s = server(ENCRYPT_ON);
    let mut t = target(&s, "localhost", TlsMode::Require, None);
    t.database = "no_such_db".into();
    let r = probe::run(&t).await;
    assert_eq!(r.error_code(), Some(ErrorCode::DatabaseNotFound), "{r:#?}");
    assert!(r.error.as_ref().unwrap().message.contains("no_such_db"));
}

#[tokio::test]
async fn read_only_intent_reaches_the_login_and_an_instance_is_reported() {
    let s = server(ENCRYPT_ON);
    let mut t = target(&s, "localhost", TlsMode::Require, None);
    t.options.insert(
        "application_intent".into(),
        OptionValue::Text("read_only".into()),
    );
    t.options
        .insert("instance".into(), OptionValue::Text("SQLEXPRESS".into()));
    let r = probe::run(&t).await;
    assert!(r.ok, "{r:#?}");
    assert!(s.peer.seen.lock().unwrap()[0].read_only_intent);
    let (_, detail) = step(&r, Step::Connect).unwrap();
    assert!(
        detail.contains("SQLEXPRESS") && detail.contains("Browser"),
        "{detail}"
    );
}

#[tokio::test]
async fn a_closed_port_is_refused() {
    let mut t = target(&server(ENCRYPT_ON), "127.0.0.1", TlsMode::Require, None);
    t.port = net::closed_port();
    let r = probe::run(&t).await;
    assert_eq!(r.error_code(), Some(ErrorCode::Refused), "{r:#?}");
}

#[tokio::test]
async fn a_silent_listener_times_out_at_the_prelogin_greeting_not_at_tls() {
    for mode in [TlsMode::Require, TlsMode::Disable] {
        let mut t = target(&server(ENCRYPT_ON), "127.0.0.1", mode, None);
        t.port = net::silent_listener().port();
        t.timeout = Duration::from_secs(2);
        let started = Instant::now();
        let r = probe::run(&t).await;
        assert!(started.elapsed() < Duration::from_secs(4), "{r:#?}");
        assert_eq!(r.error_code(), Some(ErrorCode::Timeout), "{r:#?}");
        let e = r.error.as_ref().unwrap();
        assert_eq!(e.step, Step::Greeting, "{r:#?}");
        assert!(!e.message.contains("TLS"), "{r:#?}");
        assert_eq!(step(&r, Step::Tls), None, "TLS never began: {r:#?}");
    }
}

#[tokio::test]
async fn peers_that_are_not_sql_server_are_protocol_errors() {
    for addr in [net::banner_listener(), net::garbage_listener()] {
        let mut t = target(&server(ENCRYPT_ON), "127.0.0.1", TlsMode::Require, None);
        t.port = addr.port();
        let r = probe::run(&t).await;
        assert_eq!(r.error_code(), Some(ErrorCode::ProtocolError), "{r:#?}");
        assert!(r.error.as_ref().unwrap().hint.contains("1433"));
    }
}

/// A peer on a loopback address of its own (so its Browser can have UDP 1434 there).
fn server_on(ip: &str) -> (Server, u16) {
    let s = server(ENCRYPT_ON);
    let port = s.peer.listen_on(ip).port();
    (s, port)
}

fn named(s: &Server, ip: &str, instance: &str, port: u16) -> ProbeTarget {
    let mut t = target(s, ip, TlsMode::Require, None);
    t.port = port;
    t.options
        .insert("instance".into(), OptionValue::Text(instance.into()));
    t
}

#[tokio::test]
async fn a_named_instance_s_port_comes_from_the_sql_server_browser() {
    let ip = "127.0.14.1";
    let (s, port) = server_on(ip);
    let asked = tds::browser(
        ip,
        Some(format!(
            "{}{}",
            tds::browser_record("MSSQLSERVER", Some(1433)),
            tds::browser_record("SQLEXPRESS", Some(port))
        )),
    );
    let r = probe::run(&named(&s, ip, "sqlexpress", 1433)).await;
    assert!(r.ok, "{r:#?}");
    assert_eq!(*asked.lock().unwrap(), ["sqlexpress"]);
    let browsed = &r.steps[0];
    assert_eq!(
        (browsed.step, browsed.status),
        (Step::Resolve, StepStatus::Ok)
    );
    assert!(
        browsed
            .detail
            .contains(&format!("\"sqlexpress\" listens on TCP port {port}")),
        "{r:#?}"
    );
    let (_, connect) = step(&r, Step::Connect).unwrap();
    assert!(connect.contains(&port.to_string()), "{connect}");
}

#[tokio::test]
async fn a_named_instance_with_its_own_port_does_not_ask_the_browser() {
    let ip = "127.0.14.2";
    let (s, port) = server_on(ip);
    let asked = tds::browser(ip, Some(tds::browser_record("SQLEXPRESS", Some(1))));
    let r = probe::run(&named(&s, ip, "SQLEXPRESS", port)).await;
    assert!(r.ok, "{r:#?}");
    assert!(asked.lock().unwrap().is_empty());
    let (_, connect) = step(&r, Step::Connect).unwrap();
    assert!(connect.contains("used as given"), "{connect}");
}

#[tokio::test]
async fn an_unknown_instance_or_one_without_tcp_is_named_at_the_browser_step() {
    let ip = "127.0.14.3";
    let (s, _) = server_on(ip);
    tds::browser(
        ip,
        Some(format!(
            "{}{}",
            tds::browser_record("MSSQLSERVER", Some(1433)),
            tds::browser_record("NOTCP", None)
        )),
    );
    // A real Browser says nothing about an instance it does not have.
    let r = probe::run(&named(&s, ip, "REPORTING", 1433)).await;
    assert_eq!(r.error_code(), Some(ErrorCode::Timeout), "{r:#?}");
    let e = r.error.as_ref().unwrap();
    assert_eq!(e.step, Step::Resolve);
    assert!(e.hint.contains("check the instance name"), "{e:#?}");

    let r = probe::run(&named(&s, ip, "NOTCP", 1433)).await;
    assert_eq!(r.error_code(), Some(ErrorCode::ConnectionFailed), "{r:#?}");
    assert!(r.error.unwrap().hint.contains("Enable TCP/IP"));
}

#[tokio::test]
async fn a_host_without_a_browser_is_told_from_a_silent_one() {
    // Nothing on UDP 1434 at this address: the host answers "port unreachable".
    let ip = "127.0.14.5";
    let (s, _) = server_on(ip);
    let r = probe::run(&named(&s, ip, "SQLEXPRESS", 1433)).await;
    assert_eq!(r.error_code(), Some(ErrorCode::ConnectionFailed), "{r:#?}");
    let e = r.error.as_ref().unwrap();
    assert_eq!(e.step, Step::Resolve);
    assert!(
        e.message.contains("No SQL Server Browser listens"),
        "{e:#?}"
    );
}

#[tokio::test]
async fn a_silent_browser_is_a_timeout_at_resolve_that_names_udp_1434() {
    let ip = "127.0.14.4";
    let (s, _) = server_on(ip);
    let asked = tds::browser(ip, None);
    let r = probe::run(&named(&s, ip, "SQLEXPRESS", 1433)).await;
    assert_eq!(r.error_code(), Some(ErrorCode::Timeout), "{r:#?}");
    let e = r.error.as_ref().unwrap();
    assert_eq!(e.step, Step::Resolve);
    assert!(e.hint.contains("UDP 1434"), "{e:#?}");
    assert_eq!(asked.lock().unwrap().len(), 1);
}
