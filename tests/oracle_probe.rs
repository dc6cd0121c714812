//! Oracle: no server can be installed here, so these run against a test-only peer
//! (tests/harness/tns.rs) that speaks the listener handshake, the negotiation and the
//! server side of O5LOGON (the password is really checked), over TCP and TCPS with
//! certificates from a test CA. They prove Switchboard's whole Oracle test: its own
//! resolve / TCP / TCPS steps, then oracle-rs speaking to the listener and logging in on
//! that same connection, and the failures a user meets on the way.

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use switchboard_core::model::{Engine, OptionValue, TlsMode};
use switchboard_core::probe::report::{CheckStatus, Step, StepStatus};
use switchboard_core::probe::{self, ProbeTarget, TestReport, TlsMaterial};
use switchboard_core::{ErrorCode, Secret};
use switchboard_tests::ca::{Issued, TestCa};
use switchboard_tests::tns::{self, OracleServer, Speaks};

/// One password for the whole run, marked so the secret scan finds it anywhere it leaks.
fn password() -> &'static str {
    static P: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    P.get_or_init(|| format!("{};Ti ger wörd", switchboard_tests::test_password("oracle")))
}

fn server(service: &str) -> OracleServer {
    OracleServer {
        service: service.into(),
        user: "SCOTT".into(),
        password: password().into(),
        locked: false,
        row: vec![
            "SCOTT".into(),
            "ORCLCDB".into(),
            service.into(),
            "PRIMARY".into(),
            "Oracle Database 23ai Free 23.0.0.0.0".into(),
        ],
        ..Default::default()
    }
}

fn target(host: &str, port: u16, mode: TlsMode, ca: Option<&str>, service: &str) -> ProbeTarget {
    let mut options = switchboard_core::model::Options::new();
    options.insert(
        "connect_by".into(),
        OptionValue::Text("service_name".into()),
    );
    ProbeTarget {
        database: service.into(),
        username: "SCOTT".into(),
        password: Some(Secret::new(password().to_owned())),
        tls: TlsMaterial {
            ca_pem: ca.map(str::to_owned),
            ..Default::default()
        },
        timeout: Duration::from_secs(5),
        options,
        ..ProbeTarget::new(Engine::Oracle, host, port, mode)
    }
}

/// verify-full to 127.0.0.1 with the CA, matching the certificate's subject with `dn`.
fn by_dn(port: u16, ca: &TestCa, dn: &str) -> ProbeTarget {
    let mut t = target(
        "127.0.0.1",
        port,
        TlsMode::VerifyFull,
        Some(&ca.cert_pem),
        "SALES",
    );
    t.options
        .insert("server_dn".into(), OptionValue::Text(dn.into()));
    t
}

async fn run_at(
    host: &str,
    port: u16,
    mode: TlsMode,
    ca: Option<&str>,
    service: &str,
) -> TestReport {
    probe::run(&target(host, port, mode, ca, service)).await
}

fn statuses(r: &TestReport) -> Vec<(Step, StepStatus)> {
    r.steps.iter().map(|s| (s.step, s.status)).collect()
}

fn tcps(cert: &Issued) -> Option<Arc<rustls::ServerConfig>> {
    Some(tns::tls_config(cert))
}

#[tokio::test]
async fn the_right_password_over_tcp_logs_in_and_reports_user_database_and_version() {
    let addr = tns::oracle_server(server("ORCLPDB1"), None);
    let r = run_at("127.0.0.1", addr.port(), TlsMode::Disable, None, "ORCLPDB1").await;
    assert!(r.ok, "{r:#?}");
    assert_eq!(
        statuses(&r),
        [
            (Step::Resolve, StepStatus::Ok),
            (Step::Connect, StepStatus::Ok),
            (Step::Tls, StepStatus::Skipped),
            (Step::Auth, StepStatus::Ok),
            (Step::Query, StepStatus::Ok),
        ]
    );
    let info = r.server.expect("server info");
    assert_eq!(info.current_user, "SCOTT");
    assert_eq!(info.current_database, "ORCLPDB1 (in ORCLCDB)");
    assert_eq!(info.version, "Oracle Database 23ai Free 23.0.0.0.0");
    assert!(!info.in_recovery);
}

#[tokio::test]
async fn a_wrong_password_is_auth_failed_with_the_servers_ora_01017() {
    let addr = tns::oracle_server(server("ORCLPDB1"), None);
    let mut t = target("127.0.0.1", addr.port(), TlsMode::Disable, None, "ORCLPDB1");
    t.password = Some(Secret::new("tiger".to_owned()));
    let r = probe::run(&t).await;
    assert_eq!(r.error_code(), Some(ErrorCode::AuthFailed), "{r:#?}");
    let e = r.error.as_ref().expect("error");
    assert_eq!(e.step, Step::Auth);
    assert!(e.message.contains("ORA-01017"), "{e:#?}");
    assert!(e.hint.contains("case-sensitive"), "{e:#?}");
}

#[tokio::test]
async fn a_locked_account_is_permission_denied_and_names_the_unlock() {
    let mut s = server("ORCLPDB1");
    s.locked = true;
    let addr = tns::oracle_server(s, None);
    let r = run_at("127.0.0.1", addr.port(), TlsMode::Disable, None, "ORCLPDB1").await;
    assert_eq!(r.error_code(), Some(ErrorCode::PermissionDenied), "{r:#?}");
    let e = r.error.as_ref().expect("error");
    assert!(e.message.contains("ORA-28000"), "{e:#?}");
    assert!(e.hint.contains("ACCOUNT UNLOCK"), "{e:#?}");
}

#[tokio::test]
async fn no_report_carries_the_password_whether_the_login_succeeds_or_fails() {
    let addr = tns::oracle_server(server("ORCLPDB1"), None);
    let right = target("127.0.0.1", addr.port(), TlsMode::Disable, None, "ORCLPDB1");
    let mut wrong = right.clone();
    wrong.password = Some(Secret::new("Wrong;Secret wörd".to_owned()));
    for (t, secret) in [(&right, password()), (&wrong, "Wrong;Secret wörd")] {
        let r = probe::run(t).await;
        let json = serde_json::to_string(&r).expect("json");
        let debug = format!("{r:?}");
        assert!(!json.contains(secret) && !debug.contains(secret), "{json}");
    }
}

#[tokio::test]
async fn an_unknown_service_is_ora_12514() {
    let addr = tns::oracle_server(server("ORCLPDB1"), None);
    let r = run_at("127.0.0.1", addr.port(), TlsMode::Disable, None, "NOPE").await;
    assert_eq!(r.error_code(), Some(ErrorCode::DatabaseNotFound), "{r:#?}");
    assert!(r.error.unwrap().message.contains("ORA-12514"));
}

#[tokio::test]
async fn a_listener_that_hangs_up_after_accepting_fails_the_login_step() {
    // Accepts the service, then closes whatever comes next: not Oracle beyond the listener.
    let addr = tns::listener("ORCLPDB1", None, Speaks::Tns);
    let r = run_at("127.0.0.1", addr.port(), TlsMode::Disable, None, "ORCLPDB1").await;
    assert_eq!(r.error_code(), Some(ErrorCode::ConnectionFailed), "{r:#?}");
    assert_eq!(r.error.as_ref().unwrap().step, Step::Auth, "{r:#?}");
}

#[tokio::test]
async fn an_11g_server_is_named_as_too_old_for_the_driver() {
    let addr = tns::listener("ORCLPDB1", None, Speaks::Tns11g);
    let r = run_at("127.0.0.1", addr.port(), TlsMode::Disable, None, "ORCLPDB1").await;
    assert_eq!(r.error_code(), Some(ErrorCode::ProtocolError), "{r:#?}");
    let e = r.error.as_ref().expect("error");
    assert_eq!(e.step, Step::Auth);
    assert!(e.message.contains("12.1"), "{e:#?}");
}

#[tokio::test]
async fn tcps_verifies_the_certificate_shows_the_chain_and_logs_in_over_it() {
    let ca = TestCa::new("Switchboard Test CA (TNS)");
    let addr = tns::oracle_server(server("SALES"), tcps(&ca.server(&["localhost"], -1, 30)));
    let r = run_at(
        "localhost",
        addr.port(),
        TlsMode::VerifyFull,
        Some(&ca.cert_pem),
        "SALES",
    )
    .await;
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.steps[2].status, StepStatus::Ok, "{r:#?}");
    let tls = r.tls.expect("TLS details");
    assert!(tls.peer_certificates[0]
        .subject_alt_names
        .iter()
        .any(|n| n.contains("localhost")));

    let r = run_at("localhost", addr.port(), TlsMode::VerifyFull, None, "SALES").await;
    assert_eq!(r.error_code(), Some(ErrorCode::TlsUntrusted), "{r:#?}");
    let r = run_at(
        "127.0.0.1",
        addr.port(),
        TlsMode::VerifyFull,
        Some(&ca.cert_pem),
        "SALES",
    )
    .await;
    assert_eq!(
        r.error_code(),
        Some(ErrorCode::TlsHostnameMismatch),
        "{r:#?}"
    );
    // verify-ca: the chain is checked, the name is not; the login goes ahead.
    let r = run_at(
        "127.0.0.1",
        addr.port(),
        TlsMode::VerifyCa,
        Some(&ca.cert_pem),
        "SALES",
    )
    .await;
    assert!(r.ok, "{r:#?}");
    let foreign = TestCa::new("Switchboard Test CA (foreign)");
    let r = run_at(
        "localhost",
        addr.port(),
        TlsMode::VerifyCa,
        Some(&foreign.cert_pem),
        "SALES",
    )
    .await;
    assert_eq!(r.error_code(), Some(ErrorCode::TlsUntrusted), "{r:#?}");
}

#[tokio::test]
async fn require_logs_in_over_a_certificate_nobody_trusts() {
    // oracle-rs alone ignores "accept invalid certificates"; Switchboard's TLS does not.
    let ca = TestCa::new("Switchboard Test CA (unknown to the client)");
    let addr = tns::oracle_server(server("SALES"), tcps(&ca.server(&["elsewhere"], -1, 30)));
    let r = run_at("127.0.0.1", addr.port(), TlsMode::Require, None, "SALES").await;
    assert!(r.ok, "{r:#?}");
    assert!(r.steps[2].detail.contains("not verified"), "{r:#?}");
}

#[tokio::test]
async fn verify_full_with_a_server_dn_matches_the_subject_instead_of_the_host() {
    let ca = TestCa::new("Switchboard Test CA (DN)");
    let addr = tns::oracle_server(server("SALES"), tcps(&ca.server(&["db.internal"], -1, 30)));
    let mut t = by_dn(addr.port(), &ca, "cn=db.internal");
    let r = probe::run(&t).await;
    assert!(r.ok, "{r:#?}");
    assert!(r.steps[2].detail.contains("subject matches"), "{r:#?}");

    t.options.insert(
        "server_dn".into(),
        OptionValue::Text("CN=db.example.com".into()),
    );
    let r = probe::run(&t).await;
    assert_eq!(
        r.error_code(),
        Some(ErrorCode::TlsHostnameMismatch),
        "{r:#?}"
    );
    assert!(r.error.unwrap().message.contains("CN=db.internal"));
}

#[tokio::test]
async fn a_listener_requiring_a_client_certificate_gets_it_and_names_it_when_missing() {
    let ca = TestCa::new("Switchboard Test CA (mutual TNS)");
    let addr = tns::oracle_server(
        server("SALES"),
        Some(tns::mutual_tls_config(
            &ca.server(&["localhost"], -1, 30),
            &ca,
        )),
    );
    let mut t = target(
        "localhost",
        addr.port(),
        TlsMode::VerifyFull,
        Some(&ca.cert_pem),
        "SALES",
    );
    let r = probe::run(&t).await;
    assert_eq!(
        r.error_code(),
        Some(ErrorCode::TlsClientCertRequired),
        "{r:#?}"
    );

    let client = ca.client("SCOTT");
    t.tls.client_cert_pem = Some(client.cert_pem.clone());
    t.tls.client_key_pem = Some(Secret::new(client.key_pem.clone()));
    let r = probe::run(&t).await;
    assert!(r.ok, "{r:#?}");
}

#[tokio::test]
async fn a_standby_saved_as_a_primary_fails_the_replica_check() {
    let mut s = server("ORCLPDB1");
    s.row[3] = "PHYSICAL STANDBY".into();
    let addr = tns::oracle_server(s, None);
    let mut t = target("127.0.0.1", addr.port(), TlsMode::Disable, None, "ORCLPDB1");
    t.expect_replica = Some(false);
    let r = probe::run(&t).await;
    assert!(r.ok, "{r:#?}");
    assert!(r.server.as_ref().unwrap().in_recovery);
    let check = r
        .checks
        .iter()
        .find(|c| c.name == "replica_role")
        .expect("replica check");
    assert_eq!(check.status, CheckStatus::Failed, "{r:#?}");

    t.expect_replica = Some(true);
    let r = probe::run(&t).await;
    let check = r.checks.iter().find(|c| c.name == "replica_role").unwrap();
    assert_eq!(check.status, CheckStatus::Ok, "{r:#?}");
}

#[tokio::test]
async fn an_expired_listener_certificate_is_named() {
    let ca = TestCa::new("Switchboard Test CA (TNS expired)");
    let addr = tns::oracle_server(server("SALES"), tcps(&ca.server(&["localhost"], -30, -1)));
    let r = run_at(
        "localhost",
        addr.port(),
        TlsMode::VerifyFull,
        Some(&ca.cert_pem),
        "SALES",
    )
    .await;
    assert_eq!(r.error_code(), Some(ErrorCode::TlsExpired), "{r:#?}");
}

#[tokio::test]
async fn peers_that_are_not_oracle_are_classified() {
    // TLS, then something that is not TNS.
    let ca = TestCa::new("Switchboard Test CA (not TNS)");
    let addr = tns::listener(
        "X",
        Some(tns::tls_config(&ca.server(&["localhost"], -1, 30))),
        Speaks::Garbage,
    );
    let r = run_at(
        "localhost",
        addr.port(),
        TlsMode::VerifyFull,
        Some(&ca.cert_pem),
        "X",
    )
    .await;
    assert_eq!(r.error_code(), Some(ErrorCode::ProtocolError), "{r:#?}");
    // A plain TCP listener when TCPS was chosen.
    let addr = tns::listener("X", None, Speaks::Tns);
    let r = run_at("localhost", addr.port(), TlsMode::Require, None, "X").await;
    assert_eq!(r.error.as_ref().unwrap().step, Step::Tls, "{r:#?}");
    assert!(
        matches!(
            r.error_code(),
            Some(ErrorCode::TlsNotSupportedByServer | ErrorCode::TlsHandshakeFailed)
        ),
        "{r:#?}"
    );
    // Plain TCP, something else entirely.
    let addr = switchboard_tests::net::banner_listener();
    let r = run_at("127.0.0.1", addr.port(), TlsMode::Disable, None, "X").await;
    assert_eq!(r.error_code(), Some(ErrorCode::ProtocolError), "{r:#?}");
}

/// Hands out `first` for the first handshake and `later` for every one after it: a
/// listener whose certificate changes between connections.
#[derive(Debug)]
struct SwitchingCert {
    first: Arc<rustls::sign::CertifiedKey>,
    later: Arc<rustls::sign::CertifiedKey>,
    served: Arc<std::sync::atomic::AtomicUsize>,
}

impl rustls::server::ResolvesServerCert for SwitchingCert {
    fn resolve(
        &self,
        _hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        let n = self
            .served
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Some(if n == 0 {
            self.first.clone()
        } else {
            self.later.clone()
        })
    }
}

fn certified(issued: &Issued) -> Arc<rustls::sign::CertifiedKey> {
    let key = PrivateKeyDer::from_pem_slice(issued.key_pem.as_bytes()).expect("key");
    Arc::new(rustls::sign::CertifiedKey::new(
        vec![CertificateDer::from_pem_slice(issued.cert_pem.as_bytes()).expect("cert")],
        rustls::crypto::ring::sign::any_supported_type(&key).expect("signing key"),
    ))
}

#[tokio::test]
async fn the_password_goes_over_the_one_connection_whose_certificate_was_checked() {
    // Same CA, so the chain checks out on any connection; only the DN tells the two
    // certificates apart. A test that opened a second connection for the login would
    // meet the impostor's certificate there.
    let ca = TestCa::new("Switchboard Test CA (switching DN)");
    let served = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_cert_resolver(Arc::new(SwitchingCert {
        first: certified(&ca.server(&["db.internal"], -1, 30)),
        later: certified(&ca.server(&["impostor.internal"], -1, 30)),
        served: served.clone(),
    }));
    config.send_tls13_tickets = 0;
    let addr = tns::oracle_server(server("SALES"), Some(Arc::new(config)));
    let r = probe::run(&by_dn(addr.port(), &ca, "CN=db.internal")).await;
    assert!(r.ok, "{r:#?}");
    assert_eq!(
        served.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "one TLS handshake per test"
    );
}

/// Waits (bounded) until the peer has no connection open.
async fn all_closed(open: &std::sync::atomic::AtomicUsize) -> bool {
    for _ in 0..50 {
        if open.load(std::sync::atomic::Ordering::SeqCst) == 0 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn a_login_that_never_answers_times_out_at_authenticate_and_closes_the_connection() {
    let (addr, open) = tns::listener_counting("ORCLPDB1", None, Speaks::TnsThenSilent);
    let mut t = target("127.0.0.1", addr.port(), TlsMode::Disable, None, "ORCLPDB1");
    t.timeout = Duration::from_secs(1);
    let r = probe::run(&t).await;
    assert_eq!(r.error_code(), Some(ErrorCode::Timeout), "{r:#?}");
    assert_eq!(r.error.as_ref().unwrap().step, Step::Auth, "{r:#?}");
    assert!(all_closed(&open).await, "connections left open");
}

#[tokio::test]
async fn a_cancelled_login_closes_the_connection() {
    let (addr, open) = tns::listener_counting("ORCLPDB1", None, Speaks::TnsThenSilent);
    let t = target("127.0.0.1", addr.port(), TlsMode::Disable, None, "ORCLPDB1");
    let r = probe::run_cancellable(&t, tokio::time::sleep(Duration::from_millis(500))).await;
    assert_eq!(r.error_code(), Some(ErrorCode::Cancelled), "{r:#?}");
    assert_eq!(r.error.as_ref().unwrap().step, Step::Auth, "{r:#?}");
    assert!(all_closed(&open).await, "connections left open");
}

fn plain(addr: std::net::SocketAddr, service: &str) -> ProbeTarget {
    target("127.0.0.1", addr.port(), TlsMode::Disable, None, service)
}

#[tokio::test]
async fn connecting_by_sid_names_the_sid_to_the_listener_and_logs_in() {
    let addr = tns::oracle_server(server("ORCL"), None);
    let mut t = plain(addr, "ORCL");
    t.options
        .insert("connect_by".into(), OptionValue::Text("sid".into()));
    let r = probe::run(&t).await;
    assert!(r.ok, "{r:#?}");
    assert!(r.steps[3].detail.contains("SID \"ORCL\""), "{r:#?}");
}

#[tokio::test]
async fn the_ora_codes_of_a_refused_login_name_what_to_change() {
    for (ora, message, expected, fix) in [
        (
            1045,
            "ORA-01045: user SCOTT lacks CREATE SESSION privilege; logon denied",
            ErrorCode::PermissionDenied,
            "GRANT CREATE SESSION",
        ),
        (
            28001,
            "ORA-28001: the password has expired",
            ErrorCode::AuthFailed,
            "SQL*Plus",
        ),
        (
            1033,
            "ORA-01033: ORACLE initialization or shutdown in progress",
            ErrorCode::ConnectionFailed,
            "try again later",
        ),
        (
            28040,
            "ORA-28040: No matching authentication protocol",
            ErrorCode::AuthFailed,
            "ALLOWED_LOGON_VERSION",
        ),
        (
            12345,
            "ORA-12345: something else",
            ErrorCode::ConnectionFailed,
            "Look up ORA-12345",
        ),
    ] {
        let mut s = server("ORCLPDB1");
        s.login_error = Some((ora, message.into()));
        let addr = tns::oracle_server(s, None);
        let r = probe::run(&plain(addr, "ORCLPDB1")).await;
        assert_eq!(r.error_code(), Some(expected), "ORA-{ora}: {r:#?}");
        let e = r.error.as_ref().unwrap();
        assert_eq!(e.step, Step::Auth);
        assert!(e.message.contains(message), "{e:#?}");
        assert!(e.hint.contains(fix), "{e:#?}");
    }
}

#[tokio::test]
async fn a_failed_first_query_is_told_apart_from_a_failed_login() {
    let mut s = server("ORCLPDB1");
    s.query_error = Some((942, "ORA-00942: table or view does not exist".into()));
    let addr = tns::oracle_server(s, None);
    let r = probe::run(&plain(addr, "ORCLPDB1")).await;
    assert_eq!(r.error_code(), Some(ErrorCode::PermissionDenied), "{r:#?}");
    let e = r.error.as_ref().unwrap();
    assert_eq!(e.step, Step::Query);
    // A 21c layout: the message is read whole.
    assert!(
        e.message
            .contains("ORA-00942: table or view does not exist"),
        "{e:#?}"
    );
    assert_eq!(
        r.steps[3].status,
        StepStatus::Ok,
        "the login worked: {r:#?}"
    );
}

#[tokio::test]
async fn a_server_that_does_not_prove_it_knows_the_password_is_not_taken_for_the_database() {
    let mut s = server("ORCLPDB1");
    s.omit_server_proof = true;
    let addr = tns::oracle_server(s, None);
    let r = probe::run(&plain(addr, "ORCLPDB1")).await;
    assert_eq!(r.error_code(), Some(ErrorCode::ProtocolError), "{r:#?}");
    assert!(r.error.unwrap().message.contains("without proving"));
    assert!(r.server.is_none());
}

#[tokio::test]
async fn an_impostor_offering_an_old_verifier_still_has_to_prove_it_knows_the_password() {
    let mut s = server("ORCLPDB1");
    s.hostile = Some(tns::Hostile::Impostor11g);
    let addr = tns::oracle_server(s, None);
    let r = probe::run(&plain(addr, "ORCLPDB1")).await;
    assert_eq!(r.error_code(), Some(ErrorCode::ProtocolError), "{r:#?}");
    assert!(r.error.unwrap().message.contains("without proving"));
    assert!(r.server.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_login_values_fail_fast_without_a_panic_or_hours_of_hashing() {
    for hostile in [
        tns::Hostile::ShortSessionKey,
        tns::Hostile::ShortSessionKey11g,
        tns::Hostile::HugeRounds,
        tns::Hostile::FewRounds,
    ] {
        let mut s = server("ORCLPDB1");
        s.hostile = Some(hostile);
        let addr = tns::oracle_server(s, None);
        let r = tokio::time::timeout(
            Duration::from_secs(30),
            probe::run(&plain(addr, "ORCLPDB1")),
        )
        .await
        .expect("the test returned");
        assert_eq!(
            r.error_code(),
            Some(ErrorCode::ProtocolError),
            "{hostile:?}: {r:#?}"
        );
        let e = r.error.as_ref().unwrap();
        assert_eq!(e.step, Step::Auth);
        // Refused by the driver, not a panic caught around it.
        assert!(
            !e.message.contains("panicked") && e.message.contains("did not follow"),
            "{hostile:?}: {e:#?}"
        );
    }
}

#[tokio::test]
async fn a_redirecting_listener_is_followed_to_the_address_it_names() {
    // A RAC SCAN listener hands the client a node's address and the connect data to send
    // there; the node knows only the service that connect data names.
    let node = tns::oracle_server(server("ORCLPDB1_NODE2"), None);
    let scan = tns::listener("ORCLPDB1", None, Speaks::RedirectTo(node.port()));
    let r = probe::run(&plain(scan, "ORCLPDB1")).await;
    assert!(r.ok, "{r:#?}");
    let kinds: Vec<(Step, StepStatus)> = statuses(&r);
    assert_eq!(
        kinds,
        [
            (Step::Resolve, StepStatus::Ok),
            (Step::Connect, StepStatus::Ok),
            (Step::Tls, StepStatus::Skipped),
            (Step::Auth, StepStatus::Skipped),
            (Step::Resolve, StepStatus::Ok),
            (Step::Connect, StepStatus::Ok),
            (Step::Tls, StepStatus::Skipped),
            (Step::Auth, StepStatus::Ok),
            (Step::Query, StepStatus::Ok),
        ]
    );
    assert!(
        r.steps[3].detail.contains(&format!(
            "redirected the connection to 127.0.0.1:{}",
            node.port()
        )),
        "{r:#?}"
    );
}

#[tokio::test]
async fn a_redirect_to_a_host_that_does_not_resolve_fails_at_that_resolve() {
    let addr = tns::listener("ORCLPDB1", None, Speaks::Redirect);
    let r = probe::run(&plain(addr, "ORCLPDB1")).await;
    assert_eq!(r.error_code(), Some(ErrorCode::DnsNotFound), "{r:#?}");
    let e = r.error.as_ref().unwrap();
    assert!(e.message.contains("node2.invalid"), "{e:#?}");
}

#[tokio::test]
async fn only_one_redirect_is_followed() {
    let node = tns::oracle_server(server("ORCLPDB1_NODE2_NODE2"), None);
    let second = tns::listener("ORCLPDB1_NODE2", None, Speaks::RedirectTo(node.port()));
    let first = tns::listener("ORCLPDB1", None, Speaks::RedirectTo(second.port()));
    let r = probe::run(&plain(first, "ORCLPDB1")).await;
    assert_eq!(r.error_code(), Some(ErrorCode::ConnectionFailed), "{r:#?}");
    assert!(r
        .error
        .unwrap()
        .message
        .contains("redirected the connection again"));
}

#[tokio::test]
async fn other_listener_refusals_keep_their_ora_code() {
    let addr = tns::listener("ORCLPDB1", None, Speaks::Refuse(12516));
    let r = probe::run(&plain(addr, "ORCLPDB1")).await;
    assert_eq!(r.error_code(), Some(ErrorCode::ConnectionFailed), "{r:#?}");
    assert!(r.error.unwrap().message.contains("ORA-12516"));
}

#[tokio::test]
async fn a_refusal_announced_with_a_marker_keeps_its_ora_code() {
    let mut s = server("ORCLPDB1");
    s.marker_before_refusal = true;
    let addr = tns::oracle_server(s.clone(), None);
    let mut t = plain(addr, "ORCLPDB1");
    t.password = Some(Secret::new("not the password".to_owned()));
    let r = probe::run(&t).await;
    assert_eq!(r.error_code(), Some(ErrorCode::AuthFailed), "{r:#?}");
    assert!(r.error.unwrap().message.contains("ORA-01017"));

    s.locked = true;
    let addr = tns::oracle_server(s, None);
    let r = probe::run(&plain(addr, "ORCLPDB1")).await;
    assert_eq!(r.error_code(), Some(ErrorCode::PermissionDenied), "{r:#?}");
    assert!(r.error.unwrap().message.contains("ORA-28000"));
}

#[tokio::test]
async fn a_redirect_hop_is_verified_for_the_host_it_names() {
    // The SCAN listener's certificate is right for "localhost"; it sends the client to
    // 127.0.0.1, which the node's certificate does not name: verify-full stops there,
    // before any password goes out.
    let ca = TestCa::new("Switchboard Test CA (redirect hop)");
    let node = tns::oracle_server(
        server("SALES_NODE2"),
        tcps(&ca.server(&["localhost"], -1, 30)),
    );
    let scan = tns::listener(
        "SALES",
        Some(tns::tls_config(&ca.server(&["localhost"], -1, 30))),
        Speaks::RedirectTo(node.port()),
    );
    let r = run_at(
        "localhost",
        scan.port(),
        TlsMode::VerifyFull,
        Some(&ca.cert_pem),
        "SALES",
    )
    .await;
    assert_eq!(
        r.error_code(),
        Some(ErrorCode::TlsHostnameMismatch),
        "{r:#?}"
    );
    let tls_steps: Vec<StepStatus> = r
        .steps
        .iter()
        .filter(|s| s.step == Step::Tls)
        .map(|s| s.status)
        .collect();
    assert_eq!(tls_steps, [StepStatus::Ok, StepStatus::Failed], "{r:#?}");
    assert!(
        !r.steps
            .iter()
            .any(|s| s.step == Step::Auth && s.status == StepStatus::Ok),
        "{r:#?}"
    );

    // verify-ca checks the chain only: the same hop logs in.
    let r = run_at(
        "localhost",
        scan.port(),
        TlsMode::VerifyCa,
        Some(&ca.cert_pem),
        "SALES",
    )
    .await;
    assert!(r.ok, "{r:#?}");
}
