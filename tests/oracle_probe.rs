//! Oracle: no server can be installed here, so these run against a test-only peer that
//! speaks the listener handshake (tests/harness/tns.rs), over TCP and TCPS with
//! certificates from a test CA. They prove the resolve / TCP / TCPS-certificate / listener
//! steps and the failures a user meets before logging in.

use std::time::Duration;

use switchboard_core::model::{Engine, OptionValue, TlsMode};
use switchboard_core::probe::report::{Step, StepStatus};
use switchboard_core::probe::{self, ProbeTarget, TestReport, TlsMaterial};
use switchboard_core::{ErrorCode, Secret};
use switchboard_tests::ca::TestCa;
use switchboard_tests::tns::{self, Speaks};

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
        username: "scott".into(),
        password: Some(Secret::new("tiger".to_owned())),
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

#[tokio::test]
async fn a_tcp_listener_that_knows_the_service_gets_as_far_as_the_login() {
    let addr = tns::listener("ORCLPDB1", None, Speaks::Tns);
    let r = probe::run(&target(
        "127.0.0.1",
        addr.port(),
        TlsMode::Disable,
        None,
        "ORCLPDB1",
    ))
    .await;
    assert_eq!(code(&r), Some(ErrorCode::TestNotAvailable), "{r:#?}");
    let statuses: Vec<(Step, StepStatus)> = r.steps.iter().map(|s| (s.step, s.status)).collect();
    assert_eq!(
        statuses,
        [
            (Step::Resolve, StepStatus::Ok),
            (Step::Connect, StepStatus::Ok),
            (Step::Tls, StepStatus::Skipped),
            (Step::Auth, StepStatus::Skipped),
        ]
    );
    assert!(r
        .error
        .unwrap()
        .message
        .contains("accepts service \"ORCLPDB1\""));
}

#[tokio::test]
async fn an_unknown_service_is_ora_12514() {
    let addr = tns::listener("ORCLPDB1", None, Speaks::Tns);
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
async fn tcps_verifies_the_certificate_and_shows_the_chain() {
    let ca = TestCa::new("Switchboard Test CA (TNS)");
    let addr = tns::listener(
        "SALES",
        Some(tns::tls_config(&ca.server(&["localhost"], -1, 30))),
        Speaks::Tns,
    );
    let r = probe::run(&target(
        "localhost",
        addr.port(),
        TlsMode::VerifyFull,
        Some(&ca.cert_pem),
        "SALES",
    ))
    .await;
    assert_eq!(code(&r), Some(ErrorCode::TestNotAvailable), "{r:#?}");
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
    let r = probe::run(&target(
        "127.0.0.1",
        addr.port(),
        TlsMode::VerifyCa,
        Some(&ca.cert_pem),
        "SALES",
    ))
    .await;
    assert_eq!(code(&r), Some(ErrorCode::TestNotAvailable), "{r:#?}");
}

#[tokio::test]
async fn an_expired_listener_certificate_is_named() {
    let ca = TestCa::new("Switchboard Test CA (TNS expired)");
    let addr = tns::listener(
        "SALES",
        Some(tns::tls_config(&ca.server(&["localhost"], -30, -1))),
        Speaks::Tns,
    );
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
