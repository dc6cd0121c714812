//! Oracle: no server can be installed here, so these run against a test-only peer
//! (tests/harness/tns.rs) that speaks the listener handshake, the negotiation and the
//! server side of O5LOGON (the password is really checked), over TCP and TCPS with
//! certificates from a test CA. They prove Switchboard's whole Oracle test: its own
//! resolve / TCP / TCPS / listener steps, then oracle-rs logging in over the TLS session
//! Switchboard set up, and the failures a user meets on the way.

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
        engine: Engine::Oracle,
        host: host.into(),
        port,
        database: service.into(),
        username: "SCOTT".into(),
        password: Some(Secret::new(password().to_owned())),
        tls_mode: mode,
        tls: TlsMaterial {
            ca_pem: ca.map(str::to_owned),
            ..Default::default()
        },
        timeout: Duration::from_secs(5),
        options,
        environment: None,
        expect_replica: None,
        progress: None,
    }
}

fn code(r: &TestReport) -> Option<ErrorCode> {
    r.error.as_ref().map(|e| e.code)
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
    let r = probe::run(&target(
        "127.0.0.1",
        addr.port(),
        TlsMode::Disable,
        None,
        "ORCLPDB1",
    ))
    .await;
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
    assert_eq!(code(&r), Some(ErrorCode::AuthFailed), "{r:#?}");
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
    let r = probe::run(&target(
        "127.0.0.1",
        addr.port(),
        TlsMode::Disable,
        None,
        "ORCLPDB1",
    ))
    .await;
    assert_eq!(code(&r), Some(ErrorCode::PermissionDenied), "{r:#?}");
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
    let r = probe::run(&target(
        "127.0.0.1",
        addr.port(),
        TlsMode::Disable,
        None,
        "NOPE",
    ))
    .await;
    assert_eq!(code(&r), Some(ErrorCode::DatabaseNotFound), "{r:#?}");
    assert!(r.error.unwrap().message.contains("ORA-12514"));
}

#[tokio::test]
async fn a_listener_that_hangs_up_after_accepting_fails_the_login_step() {
    // Accepts the service, then closes whatever comes next: not Oracle beyond the listener.
    let addr = tns::listener("ORCLPDB1", None, Speaks::Tns);
    let r = probe::run(&target(
        "127.0.0.1",
        addr.port(),
        TlsMode::Disable,
        None,
        "ORCLPDB1",
    ))
    .await;
    assert_eq!(code(&r), Some(ErrorCode::ConnectionFailed), "{r:#?}");
    assert_eq!(r.error.as_ref().unwrap().step, Step::Auth, "{r:#?}");
}

#[tokio::test]
async fn an_11g_server_is_named_as_too_old_for_the_driver() {
    let addr = tns::listener("ORCLPDB1", None, Speaks::Tns11g);
    let r = probe::run(&target(
        "127.0.0.1",
        addr.port(),
        TlsMode::Disable,
        None,
        "ORCLPDB1",
    ))
    .await;
    assert_eq!(code(&r), Some(ErrorCode::ProtocolError), "{r:#?}");
    let e = r.error.as_ref().expect("error");
    assert_eq!(e.step, Step::Auth);
    assert!(e.message.contains("12.1"), "{e:#?}");
}

#[tokio::test]
async fn tcps_verifies_the_certificate_shows_the_chain_and_logs_in_over_it() {
    let ca = TestCa::new("Switchboard Test CA (TNS)");
    let addr = tns::oracle_server(server("SALES"), tcps(&ca.server(&["localhost"], -1, 30)));
    let r = probe::run(&target(
        "localhost",
        addr.port(),
        TlsMode::VerifyFull,
        Some(&ca.cert_pem),
        "SALES",
    ))
    .await;
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.steps[2].status, StepStatus::Ok, "{r:#?}");
    let tls = r.tls.expect("TLS details");
    assert!(tls.peer_certificates[0]
        .subject_alt_names
        .iter()
        .any(|n| n.contains("localhost")));

    let r = probe::run(&target(
        "localhost",
        addr.port(),
        TlsMode::VerifyFull,
        None,
        "SALES",
    ))
    .await;
    assert_eq!(code(&r), Some(ErrorCode::TlsUntrusted), "{r:#?}");
    let r = probe::run(&target(
        "127.0.0.1",
        addr.port(),
        TlsMode::VerifyFull,
        Some(&ca.cert_pem),
        "SALES",
    ))
    .await;
    assert_eq!(code(&r), Some(ErrorCode::TlsHostnameMismatch), "{r:#?}");
    // verify-ca: the chain is checked, the name is not; the login goes ahead.
    let r = probe::run(&target(
        "127.0.0.1",
        addr.port(),
        TlsMode::VerifyCa,
        Some(&ca.cert_pem),
        "SALES",
    ))
    .await;
    assert!(r.ok, "{r:#?}");
    let foreign = TestCa::new("Switchboard Test CA (foreign)");
    let r = probe::run(&target(
        "localhost",
        addr.port(),
        TlsMode::VerifyCa,
        Some(&foreign.cert_pem),
        "SALES",
    ))
    .await;
    assert_eq!(code(&r), Some(ErrorCode::TlsUntrusted), "{r:#?}");
}

#[tokio::test]
async fn require_logs_in_over_a_certificate_nobody_trusts() {
    // oracle-rs alone ignores "accept invalid certificates"; Switchboard's TLS does not.
    let ca = TestCa::new("Switchboard Test CA (unknown to the client)");
    let addr = tns::oracle_server(server("SALES"), tcps(&ca.server(&["elsewhere"], -1, 30)));
    let r = probe::run(&target(
        "127.0.0.1",
        addr.port(),
        TlsMode::Require,
        None,
        "SALES",
    ))
    .await;
    assert!(r.ok, "{r:#?}");
    assert!(r.steps[2].detail.contains("not verified"), "{r:#?}");
}

#[tokio::test]
async fn verify_full_with_a_server_dn_matches_the_subject_instead_of_the_host() {
    let ca = TestCa::new("Switchboard Test CA (DN)");
    let addr = tns::oracle_server(server("SALES"), tcps(&ca.server(&["db.internal"], -1, 30)));
    let mut t = target(
        "127.0.0.1",
        addr.port(),
        TlsMode::VerifyFull,
        Some(&ca.cert_pem),
        "SALES",
    );
    t.options.insert(
        "server_dn".into(),
        OptionValue::Text("cn=db.internal".into()),
    );
    let r = probe::run(&t).await;
    assert!(r.ok, "{r:#?}");
    assert!(r.steps[2].detail.contains("subject matches"), "{r:#?}");

    t.options.insert(
        "server_dn".into(),
        OptionValue::Text("CN=db.example.com".into()),
    );
    let r = probe::run(&t).await;
    assert_eq!(code(&r), Some(ErrorCode::TlsHostnameMismatch), "{r:#?}");
    assert!(r.error.unwrap().message.contains("CN=db.internal"));
}

/// A TCPS listener that requires a client certificate from `ca`.
fn mutual_tls(server: &Issued, ca: &TestCa) -> Option<Arc<rustls::ServerConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca.cert_pem.as_bytes()).expect("ca"))
        .expect("root");
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .expect("client verifier");
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![CertificateDer::from_pem_slice(server.cert_pem.as_bytes()).expect("cert")],
            PrivateKeyDer::from_pem_slice(server.key_pem.as_bytes()).expect("key"),
        )
        .expect("server config");
    config.send_tls13_tickets = 0;
    Some(Arc::new(config))
}

#[tokio::test]
async fn a_listener_requiring_a_client_certificate_gets_it_on_both_connections() {
    let ca = TestCa::new("Switchboard Test CA (mutual TNS)");
    let addr = tns::oracle_server(
        server("SALES"),
        mutual_tls(&ca.server(&["localhost"], -1, 30), &ca),
    );
    let mut t = target(
        "localhost",
        addr.port(),
        TlsMode::VerifyFull,
        Some(&ca.cert_pem),
        "SALES",
    );
    let r = probe::run(&t).await;
    assert_eq!(code(&r), Some(ErrorCode::TlsClientCertRequired), "{r:#?}");

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
    let r = probe::run(&target(
        "localhost",
        addr.port(),
        TlsMode::VerifyFull,
        Some(&ca.cert_pem),
        "SALES",
    ))
    .await;
    assert_eq!(code(&r), Some(ErrorCode::TlsExpired), "{r:#?}");
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
    let r = probe::run(&target(
        "localhost",
        addr.port(),
        TlsMode::VerifyFull,
        Some(&ca.cert_pem),
        "X",
    ))
    .await;
    assert_eq!(code(&r), Some(ErrorCode::ProtocolError), "{r:#?}");
    // A plain TCP listener when TCPS was chosen.
    let addr = tns::listener("X", None, Speaks::Tns);
    let r = probe::run(&target(
        "localhost",
        addr.port(),
        TlsMode::Require,
        None,
        "X",
    ))
    .await;
    assert_eq!(r.error.as_ref().unwrap().step, Step::Tls, "{r:#?}");
    assert!(
        matches!(
            code(&r),
            Some(ErrorCode::TlsNotSupportedByServer | ErrorCode::TlsHandshakeFailed)
        ),
        "{r:#?}"
    );
    // Plain TCP, something else entirely.
    let addr = switchboard_tests::net::banner_listener();
    let r = probe::run(&target(
        "127.0.0.1",
        addr.port(),
        TlsMode::Disable,
        None,
        "X",
    ))
    .await;
    assert_eq!(code(&r), Some(ErrorCode::ProtocolError), "{r:#?}");
}

/// Hands out `first` for the first handshake and `later` for every one after it: a
/// listener whose certificate changes between Switchboard's two connections.
#[derive(Debug)]
struct SwitchingCert {
    first: Arc<rustls::sign::CertifiedKey>,
    later: Arc<rustls::sign::CertifiedKey>,
    served: std::sync::atomic::AtomicUsize,
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
async fn the_login_connection_must_match_the_server_dn_too() {
    // Same CA, so the chain checks out on both connections; only the DN tells them apart.
    let ca = TestCa::new("Switchboard Test CA (switching DN)");
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_cert_resolver(Arc::new(SwitchingCert {
        first: certified(&ca.server(&["db.internal"], -1, 30)),
        later: certified(&ca.server(&["impostor.internal"], -1, 30)),
        served: Default::default(),
    }));
    config.send_tls13_tickets = 0;
    let addr = tns::oracle_server(server("SALES"), Some(Arc::new(config)));
    let mut t = target(
        "127.0.0.1",
        addr.port(),
        TlsMode::VerifyFull,
        Some(&ca.cert_pem),
        "SALES",
    );
    t.options.insert(
        "server_dn".into(),
        OptionValue::Text("CN=db.internal".into()),
    );
    let r = probe::run(&t).await;
    assert_eq!(code(&r), Some(ErrorCode::TlsHostnameMismatch), "{r:#?}");
    let e = r.error.as_ref().expect("error");
    assert_eq!(e.step, Step::Auth, "{r:#?}");
    assert!(e.message.contains("impostor.internal"), "{e:#?}");
    assert_eq!(
        statuses(&r)[2],
        (Step::Tls, StepStatus::Ok),
        "the first connection matched"
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
async fn a_login_that_never_answers_times_out_at_authenticate_and_closes_both_connections() {
    let (addr, open) = tns::listener_counting("ORCLPDB1", None, Speaks::TnsThenSilent);
    let mut t = target("127.0.0.1", addr.port(), TlsMode::Disable, None, "ORCLPDB1");
    t.timeout = Duration::from_secs(1);
    let r = probe::run(&t).await;
    assert_eq!(code(&r), Some(ErrorCode::Timeout), "{r:#?}");
    assert_eq!(r.error.as_ref().unwrap().step, Step::Auth, "{r:#?}");
    assert!(all_closed(&open).await, "connections left open");
}

#[tokio::test]
async fn a_cancelled_login_closes_both_connections() {
    let (addr, open) = tns::listener_counting("ORCLPDB1", None, Speaks::TnsThenSilent);
    let t = target("127.0.0.1", addr.port(), TlsMode::Disable, None, "ORCLPDB1");
    let r = probe::run_cancellable(&t, tokio::time::sleep(Duration::from_millis(500))).await;
    assert_eq!(code(&r), Some(ErrorCode::Cancelled), "{r:#?}");
    assert_eq!(r.error.as_ref().unwrap().step, Step::Auth, "{r:#?}");
    assert!(all_closed(&open).await, "connections left open");
}
