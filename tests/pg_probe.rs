//! The PostgreSQL connection test against a real, throwaway PostgreSQL 15 with TLS.

use std::time::{Duration, Instant};

use switchboard_core::model::{Engine, TlsMode};
use switchboard_core::probe::report::{Step, StepStatus};
use switchboard_core::probe::{self, ProbeTarget, TlsMaterial};
use switchboard_core::{ErrorCode, Secret, TestReport};
use switchboard_tests::net;
use switchboard_tests::pg::{PgServer, APP_DB, APP_USER, CERT_USER};

fn target(host: &str, mode: TlsMode, ca: Option<&str>) -> ProbeTarget {
    let pg = PgServer::shared();
    ProbeTarget {
        database: APP_DB.into(),
        username: APP_USER.into(),
        password: Some(Secret::new(pg.app_password.clone())),
        tls: TlsMaterial {
            ca_pem: ca.map(str::to_owned),
            ..Default::default()
        },
        ..ProbeTarget::new(Engine::Postgres, host, pg.port, mode)
    }
}

fn ca() -> Option<&'static str> {
    Some(PgServer::shared().ca.cert_pem.as_str())
}

fn step_status(r: &TestReport, s: Step) -> Option<StepStatus> {
    r.steps.iter().find(|x| x.step == s).map(|x| x.status)
}

#[tokio::test]
async fn verify_full_with_the_test_ca_connects_and_reports_every_step() {
    let r = probe::run(&target("localhost", TlsMode::VerifyFull, ca())).await;
    assert!(r.ok, "{r:#?}");
    let steps: Vec<Step> = r.steps.iter().map(|s| s.step).collect();
    assert_eq!(
        steps,
        vec![
            Step::Resolve,
            Step::Connect,
            Step::Tls,
            Step::Auth,
            Step::Query
        ]
    );
    assert!(r.steps.iter().all(|s| s.status == StepStatus::Ok), "{r:#?}");
    let server = r.server.as_ref().expect("server info");
    assert!(server.version.starts_with("PostgreSQL 1"), "{server:?}");
    assert_eq!(server.current_user, APP_USER);
    assert_eq!(server.current_database, APP_DB);
    assert!(!server.in_recovery);
    let tls = r.tls.as_ref().expect("tls info");
    assert!(tls.protocol.starts_with("TLS 1."), "{tls:?}");
    let leaf = &tls.peer_certificates[0];
    assert!(
        leaf.subject_alt_names.contains(&"localhost".to_string()),
        "{leaf:?}"
    );
    assert!(leaf.days_left >= 28 && leaf.days_left <= 30, "{leaf:?}");
    assert_eq!(leaf.sha256_fingerprint.len(), 32 * 3 - 1);
    let total: f64 = r.steps.iter().map(|s| s.elapsed_ms).sum();
    assert!(
        total <= r.total_ms + 1.0,
        "steps {total} > total {}",
        r.total_ms
    );
}

#[tokio::test]
async fn verify_full_without_the_ca_is_untrusted() {
    let r = probe::run(&target("localhost", TlsMode::VerifyFull, None)).await;
    assert_eq!(r.error_code(), Some(ErrorCode::TlsUntrusted), "{r:#?}");
    assert_eq!(r.error.as_ref().unwrap().step, Step::Tls);
    assert_eq!(step_status(&r, Step::Tls), Some(StepStatus::Failed));
    assert!(
        r.error
            .as_ref()
            .unwrap()
            .message
            .contains("Switchboard Test CA"),
        "{r:#?}"
    );
}

#[tokio::test]
async fn verify_full_trusting_a_foreign_ca_is_untrusted() {
    let foreign = PgServer::shared().foreign_ca.cert_pem.clone();
    let r = probe::run(&target("localhost", TlsMode::VerifyFull, Some(&foreign))).await;
    assert_eq!(r.error_code(), Some(ErrorCode::TlsUntrusted), "{r:#?}");
}

#[tokio::test]
async fn verify_full_to_a_name_not_in_the_certificate_is_a_hostname_mismatch() {
    // 127.0.0.2 reaches the same server but is not among the certificate's names.
    let r = probe::run(&target("127.0.0.2", TlsMode::VerifyFull, ca())).await;
    assert_eq!(
        r.error_code(),
        Some(ErrorCode::TlsHostnameMismatch),
        "{r:#?}"
    );
    let e = r.error.unwrap();
    assert!(
        e.message.contains("localhost") && e.message.contains("127.0.0.2"),
        "{e:?}"
    );
    assert!(e.hint.contains("verify-ca"), "{e:?}");
}

#[tokio::test]
async fn verify_ca_to_a_name_not_in_the_certificate_connects() {
    let r = probe::run(&target("127.0.0.2", TlsMode::VerifyCa, ca())).await;
    assert!(r.ok, "{r:#?}");
}

#[tokio::test]
async fn verify_ca_still_rejects_a_chain_from_another_ca() {
    let foreign = PgServer::shared().foreign_ca.cert_pem.clone();
    let r = probe::run(&target("127.0.0.2", TlsMode::VerifyCa, Some(&foreign))).await;
    assert_eq!(r.error_code(), Some(ErrorCode::TlsUntrusted), "{r:#?}");
}

#[tokio::test]
async fn require_connects_without_the_ca() {
    let r = probe::run(&target("localhost", TlsMode::Require, None)).await;
    assert!(r.ok, "{r:#?}");
    assert!(r.tls.unwrap().verification.contains("not verified"));
}

#[tokio::test]
async fn prefer_uses_tls_when_the_server_offers_it() {
    let r = probe::run(&target("localhost", TlsMode::Prefer, None)).await;
    assert!(r.ok, "{r:#?}");
    assert_eq!(step_status(&r, Step::Tls), Some(StepStatus::Ok));
}

#[tokio::test]
async fn disable_against_a_hostnossl_reject_rule_says_tls_is_required() {
    let r = probe::run(&target("localhost", TlsMode::Disable, None)).await;
    assert_eq!(
        r.error_code(),
        Some(ErrorCode::TlsRequiredByServer),
        "{r:#?}"
    );
    assert_eq!(step_status(&r, Step::Tls), Some(StepStatus::Skipped));
    assert!(r.error.unwrap().hint.contains("require"));
}

#[tokio::test]
async fn wrong_password_is_auth_failed() {
    let mut t = target("localhost", TlsMode::VerifyFull, ca());
    t.password = Some(Secret::new("definitely-wrong"));
    let r = probe::run(&t).await;
    assert_eq!(r.error_code(), Some(ErrorCode::AuthFailed), "{r:#?}");
    assert_eq!(r.error.as_ref().unwrap().step, Step::Auth);
    assert_eq!(step_status(&r, Step::Tls), Some(StepStatus::Ok));
    assert_eq!(step_status(&r, Step::Auth), Some(StepStatus::Failed));
}

#[tokio::test]
async fn missing_password_is_reported_as_required() {
    let mut t = target("localhost", TlsMode::VerifyFull, ca());
    t.password = None;
    let r = probe::run(&t).await;
    assert_eq!(r.error_code(), Some(ErrorCode::PasswordRequired), "{r:#?}");
}

#[tokio::test]
async fn unknown_database_is_database_not_found() {
    let mut t = target("localhost", TlsMode::VerifyFull, ca());
    t.database = "no_such_db".into();
    let r = probe::run(&t).await;
    assert_eq!(r.error_code(), Some(ErrorCode::DatabaseNotFound), "{r:#?}");
}

#[tokio::test]
async fn client_certificate_auth_connects_with_a_cert_and_says_what_is_missing_without() {
    let pg = PgServer::shared();
    let client = pg.ca.client(CERT_USER);
    let mut t = target("localhost", TlsMode::VerifyFull, ca());
    t.username = CERT_USER.into();
    t.password = None;
    let r = probe::run(&t).await;
    assert_eq!(
        r.error_code(),
        Some(ErrorCode::TlsClientCertRequired),
        "{r:#?}"
    );
    t.tls.client_cert_pem = Some(client.cert_pem);
    t.tls.client_key_pem = Some(Secret::new(client.key_pem));
    let r = probe::run(&t).await;
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.server.unwrap().current_user, CERT_USER);
}

#[tokio::test]
async fn closed_port_is_refused() {
    let mut t = target("127.0.0.1", TlsMode::VerifyFull, ca());
    t.port = net::closed_port();
    let r = probe::run(&t).await;
    assert_eq!(r.error_code(), Some(ErrorCode::Refused), "{r:#?}");
    assert_eq!(r.error.unwrap().step, Step::Connect);
}

#[tokio::test]
async fn unknown_host_is_dns_not_found() {
    let mut t = target("no-such-host.invalid", TlsMode::VerifyFull, ca());
    t.timeout = Duration::from_secs(5);
    let r = probe::run(&t).await;
    assert_eq!(r.error_code(), Some(ErrorCode::DnsNotFound), "{r:#?}");
}

#[tokio::test]
async fn a_listener_that_never_answers_times_out_within_the_timeout_plus_ten_percent() {
    let addr = net::silent_listener();
    let mut t = target("127.0.0.1", TlsMode::VerifyFull, ca());
    t.port = addr.port();
    t.timeout = Duration::from_secs(2);
    let started = Instant::now();
    let r = probe::run(&t).await;
    let took = started.elapsed();
    assert_eq!(r.error_code(), Some(ErrorCode::Timeout), "{r:#?}");
    assert!(took >= Duration::from_secs(2), "{took:?}");
    assert!(took <= Duration::from_millis(2200), "took {took:?}");
    // The connection was accepted, so the timeout is pinned on TLS negotiation.
    assert_eq!(r.error.unwrap().step, Step::Tls, "{:#?}", r.steps);
}

#[tokio::test]
async fn a_non_postgres_service_is_a_protocol_error_even_when_tls_is_required() {
    // tokio-postgres alone would call this "server does not support TLS".
    let addr = net::garbage_listener();
    let mut t = target("127.0.0.1", TlsMode::VerifyFull, ca());
    t.port = addr.port();
    let r = probe::run(&t).await;
    assert_eq!(r.error_code(), Some(ErrorCode::ProtocolError), "{r:#?}");
    assert!(!r.error.unwrap().hint.contains("disable"));
}

#[tokio::test]
async fn verify_ca_without_a_ca_certificate_refuses_to_trust_the_system_store() {
    let r = probe::run(&target("127.0.0.2", TlsMode::VerifyCa, None)).await;
    assert_eq!(r.error_code(), Some(ErrorCode::CaRequired), "{r:#?}");
}

#[tokio::test]
async fn a_listener_that_answers_garbage_is_a_protocol_error() {
    let addr = net::garbage_listener();
    let mut t = target("127.0.0.1", TlsMode::Disable, None);
    t.port = addr.port();
    let r = probe::run(&t).await;
    assert_eq!(r.error_code(), Some(ErrorCode::ProtocolError), "{r:#?}");
}

fn check<'a>(r: &'a TestReport, name: &str) -> &'a switchboard_core::probe::report::Check {
    r.checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no {name} check in {:#?}", r.checks))
}

#[tokio::test]
async fn the_configured_schema_is_checked_after_login() {
    use switchboard_core::model::OptionValue;
    use switchboard_core::probe::report::CheckStatus;
    let mut t = target("localhost", TlsMode::VerifyFull, ca());
    t.options
        .insert("schema".into(), OptionValue::Text("public".into()));
    let r = probe::run(&t).await;
    assert!(r.ok, "{r:#?}");
    assert_eq!(check(&r, "schema").status, CheckStatus::Ok);
    let detail = &check(&r, "schema").detail;
    assert!(
        detail.contains(" table") && !detail.contains("(s)"),
        "{detail}"
    );
    t.options
        .insert("schema".into(), OptionValue::Text("no_such_schema".into()));
    let r = probe::run(&t).await;
    assert!(r.ok, "a finding, not a failed connection: {r:#?}");
    assert_eq!(check(&r, "schema").status, CheckStatus::Failed);
}

#[tokio::test]
async fn logical_replication_readiness_is_checked_as_sequin_needs_it() {
    use switchboard_core::model::OptionValue;
    use switchboard_core::probe::report::CheckStatus;
    let pg = PgServer::shared();
    let (publication, slot) = ("sb_pub_check", "sb_slot_check");
    pg.psql_super_in(
        APP_DB,
        &[
            &format!("DROP PUBLICATION IF EXISTS {publication}"),
            &format!("CREATE PUBLICATION {publication} FOR ALL TABLES"),
            &format!(
                "SELECT pg_create_logical_replication_slot('{slot}', 'pgoutput') \
                 WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = '{slot}')"
            ),
        ],
    );
    let mut t = target("localhost", TlsMode::VerifyFull, ca());
    t.options
        .insert("publication".into(), OptionValue::Text(publication.into()));
    t.options
        .insert("replication_slot".into(), OptionValue::Text(slot.into()));
    let r = probe::run(&t).await;
    assert!(r.ok, "{r:#?}");
    assert_eq!(check(&r, "wal_level").status, CheckStatus::Ok);
    assert_eq!(check(&r, "publication").status, CheckStatus::Ok);
    // Nothing reads the slot: the server keeps WAL for it.
    assert_eq!(
        check(&r, "replication_slot").status,
        CheckStatus::Warning,
        "{r:#?}"
    );
    assert_eq!(check(&r, "replication_role").status, CheckStatus::Failed);
    assert!(check(&r, "replication_role").hint.contains("REPLICATION"));

    t.options.insert(
        "publication".into(),
        OptionValue::Text("missing_pub".into()),
    );
    t.options.insert(
        "replication_slot".into(),
        OptionValue::Text("missing_slot".into()),
    );
    let r = probe::run(&t).await;
    assert_eq!(check(&r, "publication").status, CheckStatus::Failed);
    assert_eq!(check(&r, "replication_slot").status, CheckStatus::Failed);
}

#[tokio::test]
async fn a_replica_that_is_not_in_recovery_and_weak_tls_in_production_are_flagged() {
    use switchboard_core::probe::report::CheckStatus;
    let mut t = target("localhost", TlsMode::Require, None);
    t.expect_replica = Some(true);
    t.environment = Some(switchboard_core::model::Environment::Production);
    let r = probe::run(&t).await;
    assert!(r.ok, "{r:#?}");
    assert_eq!(check(&r, "replica_role").status, CheckStatus::Failed);
    assert_eq!(check(&r, "production_tls").status, CheckStatus::Warning);
    t.expect_replica = Some(false);
    t.tls_mode = TlsMode::VerifyFull;
    t.tls.ca_pem = ca().map(str::to_owned);
    let r = probe::run(&t).await;
    assert_eq!(check(&r, "replica_role").status, CheckStatus::Ok);
    assert!(
        r.checks.iter().all(|c| c.name != "production_tls"),
        "{r:#?}"
    );
}

#[tokio::test]
async fn an_expired_server_certificate_is_named_and_require_still_connects() {
    let pg = PgServer::expired();
    let mut t = target("localhost", TlsMode::VerifyFull, Some(&pg.ca.cert_pem));
    t.port = pg.port;
    t.password = Some(Secret::new(pg.app_password.clone()));
    let r = probe::run(&t).await;
    assert_eq!(r.error_code(), Some(ErrorCode::TlsExpired), "{r:#?}");
    t.tls_mode = TlsMode::Require;
    let r = probe::run(&t).await;
    assert!(r.ok, "require does not verify: {r:#?}");
}

/// What psql (the real libpq) does on the same server with the same settings: both connect,
/// or both refuse. Our codes say why; here only the verdicts must agree.
#[tokio::test]
async fn each_outcome_matches_what_psql_does_on_the_same_server() {
    let pg = PgServer::shared();
    let root = switchboard_tests::test_root();
    let ca_file = root.join(format!("psql-ca-{}.pem", std::process::id()));
    let foreign_file = root.join(format!("psql-foreign-{}.pem", std::process::id()));
    std::fs::write(&ca_file, &pg.ca.cert_pem).unwrap();
    std::fs::write(&foreign_file, &pg.foreign_ca.cert_pem).unwrap();
    let empty_home = root.join(format!("psql-home-{}", std::process::id()));
    std::fs::create_dir_all(&empty_home).unwrap();
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
        ("127.0.0.2", TlsMode::VerifyCa, Some(&ca_file), None, true),
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
        let mut t = target(host, mode, ca_path.map(|_| pg.ca.cert_pem.as_str()));
        if ca_path == Some(foreign_file.as_path()) {
            t.tls.ca_pem = Some(pg.foreign_ca.cert_pem.clone());
        }
        if let Some(p) = password {
            t.password = Some(Secret::new(p.to_owned()));
        }
        let ours = probe::run(&t).await.ok;
        let mut conninfo = format!(
            "host={host} port={} dbname={APP_DB} user={APP_USER} sslmode={} connect_timeout=5",
            pg.port,
            mode.as_str()
        );
        if let Some(p) = ca_path {
            conninfo.push_str(&format!(" sslrootcert={}", p.display()));
        }
        let status = std::process::Command::new(switchboard_tests::pg::bin("psql"))
            .arg(&conninfo)
            .args(["-X", "-w", "-Atc", "select 1"])
            .env("PGPASSWORD", password.unwrap_or(&pg.app_password))
            .env("HOME", &empty_home)
            .env_remove("PGSSLROOTCERT")
            .env_remove("PGSERVICE")
            .output()
            .unwrap();
        let theirs = status.status.success();
        assert_eq!(
            (ours, theirs),
            (expect_ok, expect_ok),
            "{host} {mode:?} ca={ca_path:?}: ours {ours}, psql {theirs} ({})",
            String::from_utf8_lossy(&status.stderr)
        );
    }
}

#[tokio::test]
async fn prefer_retries_without_tls_when_the_handshake_fails_as_psql_does() {
    // The server agrees to TLS ('S') but offers only a cipher rustls refuses.
    let pg = PgServer::weak_tls();
    let mut t = target("localhost", TlsMode::Prefer, None);
    t.port = pg.port;
    t.password = Some(Secret::new(pg.app_password.clone()));
    let r = probe::run(&t).await;
    assert!(r.ok, "{r:#?}");
    let tls = r.steps.iter().find(|s| s.step == Step::Tls).unwrap();
    assert_eq!(tls.status, StepStatus::Skipped, "{r:#?}");
    assert!(tls.detail.contains("retried without TLS"), "{r:#?}");
    let auth = r.steps.iter().find(|s| s.step == Step::Auth).unwrap();
    assert!(auth.detail.contains("without TLS"), "{r:#?}");

    // require has no such retry: the handshake failure is the answer.
    t.tls_mode = TlsMode::Require;
    let r = probe::run(&t).await;
    assert_eq!(r.error.as_ref().map(|e| e.step), Some(Step::Tls), "{r:#?}");

    // libpq does the same: made to fail the handshake too (it asks for TLS 1.3, the server
    // offers 1.2 at most), psql with sslmode=prefer connects without TLS.
    let home = switchboard_tests::test_root().join(format!("psql-weak-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let out = std::process::Command::new(switchboard_tests::pg::bin("psql"))
        .arg(format!(
            "host=localhost port={} dbname={APP_DB} user={APP_USER} sslmode=prefer \
             ssl_min_protocol_version=TLSv1.3 connect_timeout=5",
            pg.port
        ))
        .args([
            "-X",
            "-w",
            "-Atc",
            "select ssl from pg_stat_ssl where pid = pg_backend_pid()",
        ])
        .env("PGPASSWORD", &pg.app_password)
        .env("HOME", &home)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "f");
}
