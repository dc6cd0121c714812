//! The engines without a real server here, through a real OpenSSH bastion: the test-only
//! TDS (SQL Server), TNS (Oracle) and MongoDB peers, each driven by its real driver over
//! the route's forward, TLS verified against the database's name.

use std::time::Duration;

use switchboard_core::model::{Engine, OptionValue, TlsMode};
use switchboard_core::probe::report::Step;
use switchboard_core::probe::ssh::{Hop, HopAuth, SshRoute, Transport, Via};
use switchboard_core::probe::{self, ProbeTarget, TlsMaterial};
use switchboard_core::{ErrorCode, Secret};
use switchboard_tests::ca::TestCa;
use switchboard_tests::mongo::MongoPeer;
use switchboard_tests::sshd::{client_key, local_user, ClientKey, Sshd, SshdOptions};
use switchboard_tests::{tds, tns};

/// One bastion that lets a fresh key in, and the route through it (its key known).
fn bastion() -> (Sshd, SshRoute, ClientKey) {
    let key = client_key("ed25519", "");
    let s = Sshd::start(SshdOptions {
        authorized_keys: vec![key.public_line.clone()],
        ..Default::default()
    });
    let route = SshRoute {
        via: Via::Hops(vec![Hop {
            host: "127.0.0.1".into(),
            port: s.port,
            user: local_user(),
            auth: HopAuth::KeyFiles {
                files: vec![key.path.clone()],
                passphrase: None,
            },
            proxy_command: None,
            known_hosts: Vec::new(),
            connect_timeout: None,
        }]),
        known_hosts: vec![s.known_hosts()],
        own_known_hosts: switchboard_tests::data_dir("ssh-peers").join("known_hosts"),
        trust: Vec::new(),
        config: None,
    };
    (s, route, key)
}

fn through(route: &SshRoute, t: ProbeTarget) -> ProbeTarget {
    ProbeTarget {
        transport: Transport::Ssh(Box::new(route.clone())),
        timeout: Duration::from_secs(10),
        ..t
    }
}

fn forwarded(r: &switchboard_core::TestReport) -> bool {
    r.steps
        .iter()
        .any(|s| s.step == Step::SshChannel && s.hop.is_some())
}

#[tokio::test]
async fn sql_server_verify_full_through_a_bastion_logs_in_to_the_tds_peer() {
    let (_s, route, _k) = bastion();
    let ca = TestCa::new("Switchboard Test CA (TDS via SSH)");
    let password = switchboard_tests::test_password("mssql-ssh");
    let peer = tds::TdsPeer::new(
        tds::ENCRYPT_ON,
        Some(tds::tls_config(&ca.server(&["localhost"], -1, 30))),
        "sb_app",
        &password,
        "sales",
    );
    let port = peer.listen().port();
    let t = ProbeTarget {
        database: "sales".into(),
        username: "sb_app".into(),
        password: Some(Secret::new(password.clone())),
        tls: TlsMaterial {
            ca_pem: Some(ca.cert_pem.clone()),
            ..Default::default()
        },
        ..ProbeTarget::new(Engine::SqlServer, "localhost", port, TlsMode::VerifyFull)
    };
    let r = probe::run(&through(&route, t)).await;
    assert!(r.ok, "{r:#?}");
    assert!(forwarded(&r), "{r:#?}");
    assert!(r.tls.is_some(), "the TLS session inside TDS was seen");
}

#[tokio::test]
async fn a_named_sql_server_instance_without_a_port_cannot_cross_ssh_and_says_to_give_the_port() {
    let (_s, route, _k) = bastion();
    let mut options = switchboard_core::model::Options::new();
    options.insert("instance".into(), OptionValue::Text("SQLEXPRESS".into()));
    let t = ProbeTarget {
        database: "sales".into(),
        username: "sb_app".into(),
        options,
        ..ProbeTarget::new(Engine::SqlServer, "db.internal", 1433, TlsMode::VerifyFull)
    };
    let r = probe::run(&through(&route, t)).await;
    let e = r.error.expect("a failure");
    assert_eq!(e.code, ErrorCode::SshForwardDenied, "{e:#?}");
    assert!(
        e.message.contains("UDP") && e.hint.contains("port"),
        "{e:#?}"
    );
}

#[tokio::test]
async fn oracle_tcps_through_a_bastion_verifies_the_listener_by_name_and_logs_in() {
    let (_s, route, _k) = bastion();
    let ca = TestCa::new("Switchboard Test CA (TNS via SSH)");
    let password = switchboard_tests::test_password("oracle-ssh");
    let server = tns::OracleServer {
        service: "SALES".into(),
        user: "SCOTT".into(),
        password: password.clone(),
        locked: false,
        row: vec![
            "SCOTT".into(),
            "ORCLCDB".into(),
            "SALES".into(),
            "PRIMARY".into(),
            "Oracle Database 23ai Free 23.0.0.0.0".into(),
        ],
        ..Default::default()
    };
    let addr = tns::oracle_server(
        server,
        Some(tns::tls_config(&ca.server(&["localhost"], -1, 30))),
    );
    let mut options = switchboard_core::model::Options::new();
    options.insert(
        "connect_by".into(),
        OptionValue::Text("service_name".into()),
    );
    let t = ProbeTarget {
        database: "SALES".into(),
        username: "SCOTT".into(),
        password: Some(Secret::new(password)),
        tls: TlsMaterial {
            ca_pem: Some(ca.cert_pem.clone()),
            ..Default::default()
        },
        options,
        ..ProbeTarget::new(
            Engine::Oracle,
            "localhost",
            addr.port(),
            TlsMode::VerifyFull,
        )
    };
    let r = probe::run(&through(&route, t)).await;
    assert!(r.ok, "{r:#?}");
    assert!(forwarded(&r), "{r:#?}");
    assert!(r.tls.is_some(), "TCPS was verified");
}

#[tokio::test]
async fn mongodb_verify_full_through_a_bastion_connects_directly_to_the_seed_and_says_so() {
    let (_s, route, _k) = bastion();
    let ca = TestCa::new("Switchboard Test CA (MongoDB via SSH)");
    let password = switchboard_tests::test_password("mongo-ssh");
    let peer = MongoPeer::new(
        Some(tns::tls_config(&ca.server(&["localhost"], -1, 30))),
        "sb_app",
        &password,
    )
    .listen();
    let t = ProbeTarget {
        username: "sb_app".into(),
        password: Some(Secret::new(password)),
        tls: TlsMaterial {
            ca_pem: Some(ca.cert_pem.clone()),
            ..Default::default()
        },
        ..ProbeTarget::new(
            Engine::Mongodb,
            "localhost",
            peer.port(),
            TlsMode::VerifyFull,
        )
    };
    let r = probe::run(&through(&route, t.clone())).await;
    assert!(r.ok, "{r:#?}");
    let forward = r.steps.iter().find(|s| s.step == Step::SshChannel).unwrap();
    assert!(
        forward
            .detail
            .contains("replica set discovery is not followed"),
        "{forward:?}"
    );
    // The name is still verified: a CA that did not issue the certificate fails before
    // the login.
    let other = TestCa::new("Another CA");
    let mut wrong = t;
    wrong.tls.ca_pem = Some(other.cert_pem.clone());
    let r = probe::run(&through(&route, wrong)).await;
    assert_eq!(r.error.expect("a failure").code, ErrorCode::TlsUntrusted);
    // A DNS seed list cannot be followed through a route.
    let mut srv = ProbeTarget::new(
        Engine::Mongodb,
        "cluster0.example.net",
        27017,
        TlsMode::VerifyFull,
    );
    srv.options.insert("srv".into(), OptionValue::Bool(true));
    let r = probe::run(&through(&route, srv)).await;
    assert_eq!(r.error.expect("a failure").code, ErrorCode::SshNotPossible);
}
