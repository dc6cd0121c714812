//! What a connection test says when the server's chain leads to no trusted root, against
//! the real PostgreSQL of the harness (its certificate issued by "Switchboard Test CA"): a
//! CA the user gave that is not the issuer is named as such, beside the issuer; with no CA
//! given, it is this machine's store that does not trust the issuer.

use switchboard_core::model::{Engine, TlsMode};
use switchboard_core::probe::report::Step;
use switchboard_core::probe::{self, ProbeTarget, TlsMaterial};
use switchboard_core::{ErrorCode, Secret, TestReport};
use switchboard_tests::ca::TestCa;
use switchboard_tests::pg::{PgServer, APP_DB, APP_USER};

const ISSUER: &str = "CN=Switchboard Test CA";

fn target(mode: TlsMode, ca: Option<&str>) -> ProbeTarget {
    let pg = PgServer::shared();
    ProbeTarget {
        database: APP_DB.into(),
        username: APP_USER.into(),
        password: Some(Secret::new(pg.app_password.clone())),
        tls: TlsMaterial {
            ca_pem: ca.map(str::to_owned),
            ..Default::default()
        },
        ..ProbeTarget::new(Engine::Postgres, "localhost", pg.port, mode)
    }
}

/// The TLS step's failure: its message and hint.
fn untrusted(r: &TestReport) -> (String, String) {
    assert_eq!(r.error_code(), Some(ErrorCode::TlsUntrusted), "{r:#?}");
    let e = r.error.as_ref().unwrap();
    assert_eq!(e.step, Step::Tls, "{r:#?}");
    (e.message.clone(), e.hint.clone())
}

#[tokio::test]
async fn a_ca_given_that_did_not_issue_the_certificate_is_named_beside_the_issuer() {
    let unrelated = TestCa::new("Unrelated Test Root");
    for mode in [TlsMode::VerifyCa, TlsMode::VerifyFull] {
        let r = probe::run(&target(mode, Some(&unrelated.cert_pem))).await;
        let (message, hint) = untrusted(&r);
        assert!(
            message.starts_with(&format!(
                "The server's certificate was issued by {ISSUER}, not by the CA you gave (CN=Unrelated Test Root)"
            )),
            "{mode:?}: {message}"
        );
        assert!(
            !message.contains("no CA certificate was given"),
            "{message}"
        );
        // verify-full also trusted the store; verify-ca trusts the CA given alone.
        assert_eq!(
            message.contains("this machine's certificate store does not trust it either"),
            mode == TlsMode::VerifyFull,
            "{mode:?}: {message}"
        );
        assert_eq!(
            hint,
            format!("Paste the CA certificate that issued the server's certificate ({ISSUER}) into the CA field instead, or choose require to encrypt without verifying."),
        );
    }
}

#[tokio::test]
async fn every_ca_of_a_bundle_given_is_named() {
    let one = TestCa::new("Unrelated Root One");
    let two = TestCa::new("Unrelated Root Two");
    let bundle = format!("{}{}", one.cert_pem, two.cert_pem);
    let r = probe::run(&target(TlsMode::VerifyCa, Some(&bundle))).await;
    let (message, _) = untrusted(&r);
    assert!(
        message.contains("not by the CA you gave (CN=Unrelated Root One; CN=Unrelated Root Two)"),
        "{message}"
    );
}

#[tokio::test]
async fn a_ca_given_with_the_issuer_s_name_but_another_key_is_called_another_certificate() {
    // Same name as the server's CA, another key: what a re-created CA looks like.
    let lookalike = TestCa::new("Switchboard Test CA");
    let r = probe::run(&target(TlsMode::VerifyCa, Some(&lookalike.cert_pem))).await;
    let (message, hint) = untrusted(&r);
    assert!(
        message.contains(&format!(
            "the name of the CA you gave ({ISSUER}), but it was not signed by that CA's key"
        )),
        "{message}"
    );
    assert!(hint.contains(&format!("({ISSUER})")), "{hint}");
}

#[tokio::test]
async fn no_ca_given_blames_this_machine_s_store_and_names_the_issuer() {
    let r = probe::run(&target(TlsMode::VerifyFull, None)).await;
    let (message, hint) = untrusted(&r);
    assert_eq!(
        message,
        format!("The server's certificate (issued by {ISSUER}) is not trusted by this machine's certificate store, and no CA certificate was given.")
    );
    assert!(!message.contains("CA you gave"), "{message}");
    assert_eq!(
        hint,
        format!("Paste the CA certificate that issued the server's certificate ({ISSUER}) into the CA field, or choose require to encrypt without verifying.")
    );
}
