//! MongoDB: no server can be installed here, so these run the real driver (the `mongodb`
//! crate) and Switchboard's own TLS/hello inspection against a test-only wire-protocol peer
//! (tests/harness/mongo.rs) with certificates from a test CA: the TLS ladder, SCRAM-SHA-256
//! with a right and a wrong password, a seed list, replica-set trouble, peers that are not
//! MongoDB, and that the driver is shut down however the test ends.

use std::time::{Duration, Instant};

use switchboard_core::model::{Engine, OptionValue, TlsMode};
use switchboard_core::probe::report::{Step, StepStatus};
use switchboard_core::probe::{self, ProbeTarget, TestReport, TlsMaterial};
use switchboard_core::{ErrorCode, Secret};
use switchboard_tests::ca::TestCa;
use switchboard_tests::mongo::{self, MongoPeer, Running, Speaks};
use switchboard_tests::{net, tns};

const USER: &str = "sb_app";

struct Server {
    peer: Running,
    ca: TestCa,
    password: String,
}

/// A peer with a certificate for localhost only, from its own CA (`tls`), or plain.
fn server_with(tls: bool, configure: impl FnOnce(MongoPeer) -> MongoPeer) -> Server {
    let ca = TestCa::new("Switchboard Test CA (MongoDB)");
    let password = switchboard_tests::test_password("mongo");
    let config = tls.then(|| tns::tls_config(&ca.server(&["localhost"], -1, 30)));
    let peer = configure(MongoPeer::new(config, USER, &password)).listen();
    Server { peer, ca, password }
}

fn server(tls: bool) -> Server {
    server_with(tls, |p| p)
}

fn target(s: &Server, host: &str, mode: TlsMode, ca: Option<&str>) -> ProbeTarget {
    ProbeTarget {
        username: USER.into(),
        password: Some(Secret::new(s.password.clone())),
        tls: TlsMaterial {
            ca_pem: ca.map(str::to_owned),
            ..Default::default()
        },
        timeout: Duration::from_secs(5),
        ..ProbeTarget::new(Engine::Mongodb, host, s.peer.port(), mode)
    }
}

fn step(r: &TestReport, s: Step) -> Option<(StepStatus, String)> {
    r.steps
        .iter()
        .find(|x| x.step == s)
        .map(|x| (x.status, x.detail.clone()))
}

/// Waits (a little) until every connection to the peer is closed: the inspection
/// connection and all of the driver's (monitor and pool), i.e. the driver was shut down.
async fn all_closed(peer: &Running) -> bool {
    let until = Instant::now() + Duration::from_secs(3);
    while Instant::now() < until {
        if peer.seen().open == 0 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
async fn verify_full_with_the_test_ca_logs_in_with_scram_and_shows_the_chain_and_version() {
    let s = server(true);
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
        .contains("Switchboard Test CA (MongoDB)"));
    let (_, detail) = step(&r, Step::Tls).unwrap();
    assert!(
        detail.contains("hello: MongoDB wire version 17, standalone"),
        "{detail}"
    );
    assert!(
        detail.contains("driver checks the certificate again"),
        "{detail}"
    );
    let (_, detail) = step(&r, Step::Auth).unwrap();
    assert!(detail.contains("authenticated as sb_app"), "{detail}");
    let server = r.server.as_ref().expect("server info");
    assert_eq!(server.version, format!("MongoDB {}", mongo::VERSION));
    assert_eq!(server.current_user, "sb_app@admin");
    assert!(!server.in_recovery);
    // The driver ran SCRAM-SHA-256 to the end, named itself, and ran the first query.
    let seen = s.peer.seen();
    assert_eq!(seen.authenticated, [USER], "{seen:?}");
    assert_eq!(seen.auth_failures, 0);
    assert!(
        seen.app_names.iter().any(|a| a == "switchboard"),
        "{seen:?}"
    );
    for c in [
        "hello",
        "saslStart",
        "saslContinue",
        "ping",
        "buildInfo",
        "connectionStatus",
    ] {
        assert!(seen.commands.iter().any(|x| x == c), "{c}: {seen:?}");
    }
    // The CA file handed to the driver is gone, and so are the driver's connections.
    assert!(
        switchboard_tests::ca_files_left("mongodb").is_empty(),
        "{:?}",
        switchboard_tests::ca_files_left("mongodb")
    );
    assert!(all_closed(&s.peer).await, "{:?}", s.peer.seen());
}

#[tokio::test]
async fn without_a_username_the_driver_connects_without_authenticating() {
    let s = server(true);
    let mut t = target(&s, "localhost", TlsMode::VerifyFull, Some(&s.ca.cert_pem));
    t.username = String::new();
    t.password = None;
    let r = probe::run(&t).await;
    assert!(r.ok, "{r:#?}");
    assert_eq!(
        r.server.as_ref().unwrap().current_user,
        "(not authenticated)"
    );
    let (_, detail) = step(&r, Step::Auth).unwrap();
    assert!(detail.contains("without authenticating"), "{detail}");
    let seen = s.peer.seen();
    assert!(!seen.commands.iter().any(|c| c == "saslStart"), "{seen:?}");
}

#[tokio::test]
async fn an_untrusted_ca_fails_at_the_tls_step_before_the_driver_runs() {
    let s = server(true);
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
    // Not even the inspection's hello was sent, let alone a login.
    assert!(s.peer.seen().commands.is_empty(), "{:?}", s.peer.seen());
}

#[tokio::test]
async fn a_host_name_the_certificate_lacks_fails_verify_full_and_stops_verify_ca_before_the_password(
) {
    let s = server(true);
    let ca = Some(s.ca.cert_pem.as_str());
    let r = probe::run(&target(&s, "127.0.0.1", TlsMode::VerifyFull, ca)).await;
    assert_eq!(
        r.error_code(),
        Some(ErrorCode::TlsHostnameMismatch),
        "{r:#?}"
    );
    assert!(r.error.as_ref().unwrap().hint.contains("verify-ca"));
    // The driver has no verify-ca: with a certificate that does not name the host it could
    // only log in unchecked, so the test stops before the password is sent, and says why.
    let r = probe::run(&target(&s, "127.0.0.1", TlsMode::VerifyCa, ca)).await;
    assert_eq!(
        r.error_code(),
        Some(ErrorCode::TlsModeUnsupported),
        "{r:#?}"
    );
    assert_eq!(r.error.as_ref().unwrap().step, Step::Auth);
    assert!(
        r.error.as_ref().unwrap().hint.contains("verify-full"),
        "{r:#?}"
    );
    // With a name the certificate lists, verify-ca goes on with the driver's full check.
    let r = probe::run(&target(&s, "localhost", TlsMode::VerifyCa, ca)).await;
    assert!(r.ok, "{r:#?}");
    let (_, detail) = step(&r, Step::Auth).unwrap();
    assert!(detail.contains("checked by the driver"), "{detail}");
}

#[tokio::test]
async fn require_without_a_ca_encrypts_without_verifying() {
    let s = server(true);
    let r = probe::run(&target(&s, "127.0.0.1", TlsMode::Require, None)).await;
    assert!(r.ok, "{r:#?}");
    let tls = r.tls.as_ref().expect("TLS details");
    assert!(tls.verification.contains("not verified"), "{tls:?}");
    assert_eq!(s.peer.seen().authenticated, [USER]);
}

#[tokio::test]
async fn disable_against_the_plain_peer_logs_in_unencrypted() {
    let s = server(false);
    let r = probe::run(&target(&s, "localhost", TlsMode::Disable, None)).await;
    assert!(r.ok, "{r:#?}");
    assert!(r.tls.is_none(), "{r:#?}");
    let (status, detail) = step(&r, Step::Tls).unwrap();
    assert_eq!(status, StepStatus::Skipped);
    assert!(detail.contains("tls=false"), "{detail}");
    let (status, detail) = step(&r, Step::Greeting).unwrap();
    assert_eq!(status, StepStatus::Ok);
    assert!(
        detail.contains("hello: MongoDB wire version 17"),
        "{detail}"
    );
    let (_, detail) = step(&r, Step::Auth).unwrap();
    assert!(detail.contains("unencrypted"), "{detail}");
    assert_eq!(s.peer.seen().authenticated, [USER]);
    assert!(all_closed(&s.peer).await, "{:?}", s.peer.seen());
}

#[tokio::test]
async fn wrong_password_is_auth_failed() {
    let s = server(true);
    let mut t = target(&s, "localhost", TlsMode::VerifyFull, Some(&s.ca.cert_pem));
    t.password = Some(Secret::new("not-the-password".to_owned()));
    let r = probe::run(&t).await;
    assert_eq!(r.error_code(), Some(ErrorCode::AuthFailed), "{r:#?}");
    let e = r.error.as_ref().unwrap();
    assert_eq!(e.step, Step::Auth);
    assert!(e.message.contains("sb_app"), "{e:?}");
    assert_eq!(step(&r, Step::Tls).unwrap().0, StepStatus::Ok);
    let seen = s.peer.seen();
    assert!(seen.auth_failures >= 1, "{seen:?}");
    assert!(seen.authenticated.is_empty(), "{seen:?}");
    // An unknown user too.
    t.username = "nobody".into();
    let r = probe::run(&t).await;
    assert_eq!(r.error_code(), Some(ErrorCode::AuthFailed), "{r:#?}");
    assert!(all_closed(&s.peer).await, "{:?}", s.peer.seen());
}

#[tokio::test]
async fn a_seed_list_of_two_hosts_inspects_the_first_and_reports_both() {
    let s = server_with(true, |p| p.replica_set("rs0", &["localhost"]));
    let closed = net::closed_port();
    let mut t = target(
        &s,
        &format!("localhost:{},localhost:{closed}", s.peer.port()),
        TlsMode::VerifyFull,
        Some(&s.ca.cert_pem),
    );
    t.options
        .insert("replica_set".into(), OptionValue::Text("rs0".into()));
    let r = probe::run(&t).await;
    assert!(r.ok, "{r:#?}");
    let (_, detail) = step(&r, Step::Connect).unwrap();
    assert!(detail.contains("first of 2 seed hosts"), "{detail}");
    assert!(detail.contains(&format!("localhost:{closed}")), "{detail}");
    let (_, detail) = step(&r, Step::Tls).unwrap();
    assert!(
        detail.contains("replica set rs0, writable primary"),
        "{detail}"
    );
    let (_, detail) = step(&r, Step::Auth).unwrap();
    assert!(
        detail.contains("seed hosts as the driver saw them"),
        "{detail}"
    );
    assert!(detail.contains(&format!("localhost:{closed}")), "{detail}");
    let (_, detail) = step(&r, Step::Query).unwrap();
    assert!(detail.contains("replica set rs0"), "{detail}");
    assert!(all_closed(&s.peer).await, "{:?}", s.peer.seen());
}

#[tokio::test]
async fn a_replica_set_name_the_server_contradicts_fails_at_once() {
    let s = server_with(true, |p| p.replica_set("rs0", &["localhost"]));
    let mut t = target(&s, "localhost", TlsMode::VerifyFull, Some(&s.ca.cert_pem));
    t.options
        .insert("replica_set".into(), OptionValue::Text("other".into()));
    let started = Instant::now();
    let r = probe::run(&t).await;
    assert!(started.elapsed() < Duration::from_secs(2), "{r:#?}");
    assert_eq!(r.error_code(), Some(ErrorCode::ConnectionFailed), "{r:#?}");
    let e = r.error.as_ref().unwrap();
    assert_eq!(e.step, Step::Auth);
    assert!(e.message.contains("\"rs0\""), "{e:?}");
    assert!(e.hint.contains("rs0"), "{e:?}");
}

#[tokio::test]
async fn members_the_driver_cannot_reach_time_out_with_a_direct_connection_hint() {
    // The primary advertises only a member that never answers, as a replica set behind
    // NAT or in containers advertises names this machine cannot use.
    let silent = net::silent_listener();
    let member = format!("127.0.0.1:{}", silent.port());
    let s = server_with(true, |p| p.replica_set("rs0", &[member.as_str()]));
    let mut t = target(&s, "localhost", TlsMode::VerifyFull, Some(&s.ca.cert_pem));
    t.timeout = Duration::from_secs(3);
    let started = Instant::now();
    let r = probe::run(&t).await;
    assert!(started.elapsed() < Duration::from_secs(5), "{r:#?}");
    assert_eq!(r.error_code(), Some(ErrorCode::Timeout), "{r:#?}");
    let e = r.error.as_ref().unwrap();
    assert_eq!(e.step, Step::Auth, "{r:#?}");
    assert!(e.hint.contains("direct connection"), "{e:?}");
    // Talking to this one host works.
    t.options
        .insert("direct_connection".into(), OptionValue::Bool(true));
    let r = probe::run(&t).await;
    assert!(r.ok, "{r:#?}");
}

#[tokio::test]
async fn a_timeout_inside_the_driver_still_shuts_it_down() {
    let s = server_with(true, |p| p.stall("ping"));
    let mut t = target(&s, "localhost", TlsMode::VerifyFull, Some(&s.ca.cert_pem));
    t.timeout = Duration::from_secs(2);
    let started = Instant::now();
    let r = probe::run(&t).await;
    assert!(started.elapsed() < Duration::from_secs(4), "{r:#?}");
    assert_eq!(r.error_code(), Some(ErrorCode::Timeout), "{r:#?}");
    assert_eq!(r.error.as_ref().unwrap().step, Step::Auth, "{r:#?}");
    assert!(all_closed(&s.peer).await, "{:?}", s.peer.seen());
    assert!(
        switchboard_tests::ca_files_left("mongodb").is_empty(),
        "{:?}",
        switchboard_tests::ca_files_left("mongodb")
    );
}

#[tokio::test]
async fn a_cancelled_test_shuts_the_driver_down() {
    let s = server_with(true, |p| p.stall("ping"));
    let t = target(&s, "localhost", TlsMode::VerifyFull, Some(&s.ca.cert_pem));
    let r = probe::run_cancellable(&t, tokio::time::sleep(Duration::from_millis(1500))).await;
    assert_eq!(r.error_code(), Some(ErrorCode::Cancelled), "{r:#?}");
    assert!(s.peer.seen().commands.iter().any(|c| c == "ping"));
    assert!(all_closed(&s.peer).await, "{:?}", s.peer.seen());
}

#[tokio::test]
async fn a_closed_port_is_refused() {
    let mut t = target(&server(true), "127.0.0.1", TlsMode::Require, None);
    t.port = net::closed_port();
    let r = probe::run(&t).await;
    assert_eq!(r.error_code(), Some(ErrorCode::Refused), "{r:#?}");
}

#[tokio::test]
async fn a_silent_listener_times_out_within_the_timeout() {
    for mode in [TlsMode::Require, TlsMode::Disable] {
        let mut t = target(&server(true), "127.0.0.1", mode, None);
        t.port = net::silent_listener().port();
        t.timeout = Duration::from_secs(2);
        let started = Instant::now();
        let r = probe::run(&t).await;
        assert!(started.elapsed() < Duration::from_secs(4), "{r:#?}");
        assert_eq!(r.error_code(), Some(ErrorCode::Timeout), "{r:#?}");
        // With TLS the handshake is what waits; without it, the hello reply.
        let waiting = if mode == TlsMode::Disable {
            Step::Greeting
        } else {
            Step::Tls
        };
        assert_eq!(r.error.as_ref().unwrap().step, waiting, "{r:#?}");
        let message = &r.error.as_ref().unwrap().message;
        assert_eq!(message.contains("TLS"), mode != TlsMode::Disable, "{r:#?}");
    }
}

#[tokio::test]
async fn peers_that_are_not_mongodb_are_protocol_errors() {
    for addr in [net::banner_listener(), net::garbage_listener()] {
        for mode in [TlsMode::Disable, TlsMode::Require] {
            let mut t = target(&server(false), "127.0.0.1", mode, None);
            t.port = addr.port();
            let r = probe::run(&t).await;
            assert_eq!(
                r.error_code(),
                Some(ErrorCode::ProtocolError),
                "{mode:?} {r:#?}"
            );
            assert!(r.error.as_ref().unwrap().hint.contains("27017"), "{r:#?}");
        }
    }
    // TLS works, then something that is not MongoDB.
    let s = server_with(true, |p| p.speaks(Speaks::Garbage));
    let r = probe::run(&target(
        &s,
        "localhost",
        TlsMode::VerifyFull,
        Some(&s.ca.cert_pem),
    ))
    .await;
    assert_eq!(r.error_code(), Some(ErrorCode::ProtocolError), "{r:#?}");
    assert!(r.tls.is_some(), "the TLS session is still shown: {r:#?}");
}

#[tokio::test]
async fn tls_that_one_side_lacks_is_named() {
    // TLS asked of a plain server.
    let s = server(false);
    let r = probe::run(&target(&s, "localhost", TlsMode::Require, None)).await;
    assert_eq!(
        r.error_code(),
        Some(ErrorCode::TlsNotSupportedByServer),
        "{r:#?}"
    );
    assert_eq!(r.error.as_ref().unwrap().step, Step::Tls);
    // No TLS offered to a server that requires it.
    let s = server(true);
    let r = probe::run(&target(&s, "localhost", TlsMode::Disable, None)).await;
    // The test peer's rustls answers the plain hello with an alert, which reads as TLS.
    assert_eq!(
        r.error_code(),
        Some(ErrorCode::TlsRequiredByServer),
        "{r:#?}"
    );
    assert!(r.error.as_ref().unwrap().hint.contains("require"), "{r:#?}");
}

#[tokio::test]
async fn prefer_is_refused_before_any_step() {
    let s = server(true);
    let r = probe::run(&target(&s, "localhost", TlsMode::Prefer, None)).await;
    assert_eq!(
        r.error_code(),
        Some(ErrorCode::TlsModeUnsupported),
        "{r:#?}"
    );
    assert!(r.steps.is_empty());
}

#[test]
fn the_peer_answers_the_legacy_op_query_handshake() {
    use std::io::Write;
    let s = server(false);
    let mut tcp = std::net::TcpStream::connect(s.peer.addr).unwrap();
    tcp.write_all(&mongo::legacy_is_master(42)).unwrap();
    let (opcode, reply) = mongo::read_op_reply(&mut tcp).expect("an OP_REPLY");
    assert_eq!(opcode, 1);
    assert!(reply.get_bool("ismaster").unwrap());
    assert!(reply.get_bool("helloOk").unwrap());
    assert_eq!(
        reply.get_i32("maxWireVersion").unwrap(),
        mongo::MAX_WIRE_VERSION
    );
    assert_eq!(reply.get_f64("ok").unwrap(), 1.0);
}

#[tokio::test]
async fn a_server_requiring_a_client_certificate_gets_it_from_the_driver_too() {
    let ca = TestCa::new("Switchboard Test CA (MongoDB mutual TLS)");
    let password = switchboard_tests::test_password("mongo");
    let config = tns::mutual_tls_config(&ca.server(&["localhost"], -1, 30), &ca);
    let peer = MongoPeer::new(Some(config), USER, &password).listen();
    let s = Server { peer, ca, password };
    let mut t = target(&s, "localhost", TlsMode::VerifyFull, Some(&s.ca.cert_pem));
    let r = probe::run(&t).await;
    assert_eq!(
        r.error_code(),
        Some(ErrorCode::TlsClientCertRequired),
        "{r:#?}"
    );

    // The inspection connection and the driver's both present it; the key never goes to
    // a file on disk (an anonymous in-memory file on Linux).
    let client = s.ca.client(USER);
    t.tls.client_cert_pem = Some(client.cert_pem.clone());
    t.tls.client_key_pem = Some(Secret::new(client.key_pem.clone()));
    let r = probe::run(&t).await;
    assert!(r.ok, "{r:#?}");
    let (_, auth) = step(&r, Step::Auth).expect("auth step");
    assert!(auth.contains("in memory"), "{auth}");
}
