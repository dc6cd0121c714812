//! oracle-rs (the thin client Switchboard logs in to Oracle with, patched in vendor/) against
//! the test-only Oracle peer in tests/harness/tns.rs: a real O5LOGON login over TCP and
//! TCPS, one query, and the ORA errors a refused login carries. They prove the peer is
//! good enough for Switchboard's Oracle tests to stand on, not that it is Oracle.

use std::net::SocketAddr;
use std::sync::Arc;

use oracle_rs::{Config, Connection, Error};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use switchboard_tests::ca::TestCa;
use switchboard_tests::tns::{self, OracleServer};
use tokio::net::TcpStream;

const SERVICE: &str = "ORCLPDB1";
const QUERY: &str = "SELECT USER, SYS_CONTEXT('USERENV', 'DB_NAME'), \
     SYS_CONTEXT('USERENV', 'DATABASE_ROLE') FROM DUAL";

fn peer(password: &str, locked: bool) -> OracleServer {
    OracleServer {
        service: SERVICE.into(),
        user: "SCOTT".into(),
        password: password.into(),
        locked,
        row: vec!["SCOTT".into(), "ORCLPDB1".into(), "PRIMARY".into()],
        ..Default::default()
    }
}

fn config(addr: SocketAddr, service: &str, user: &str, password: &str) -> Config {
    Config::new("127.0.0.1", addr.port(), service, user, password)
}

async fn login(
    addr: SocketAddr,
    service: &str,
    user: &str,
    password: &str,
) -> Result<Connection, Error> {
    let stream = TcpStream::connect(addr).await.expect("tcp");
    Connection::connect_with_tcp_stream(config(addr, service, user, password), stream).await
}

/// The configured row, as strings.
async fn first_row(conn: &Connection) -> Vec<String> {
    let result = conn.query(QUERY, &[]).await.expect("query");
    let names: Vec<&str> = result.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["C1", "C2", "C3"]);
    assert_eq!(result.rows.len(), 1);
    let row = &result.rows[0];
    (0..3)
        .map(|i| {
            row.get(i)
                .and_then(|v| v.as_str())
                .expect("text")
                .to_owned()
        })
        .collect()
}

/// ORA-01017 with Oracle's own words.
fn refused_as_wrong_password(r: Result<Connection, Error>) {
    let (code, message) = ora(r);
    assert_eq!(code, 1017);
    assert_eq!(
        message,
        "ORA-01017: invalid username/password; logon denied"
    );
}

fn ora(r: Result<Connection, Error>) -> (u32, String) {
    match r {
        Err(Error::OracleError { code, message }) => (code, message),
        Err(e) => panic!("expected an ORA error, got {e:?}"),
        Ok(_) => panic!("expected an ORA error, logged in"),
    }
}

#[tokio::test]
async fn the_right_password_logs_in_over_tcp_and_a_query_returns_the_configured_row() {
    let password = switchboard_tests::test_password("oracle-peer");
    let server = peer(&password, false);
    let logoffs = server.logoffs.clone();
    let addr = tns::oracle_server(server, None);
    // oracle-rs sends the user upper-cased; the peer matches it either way.
    let conn = login(addr, SERVICE, "scott", &password)
        .await
        .expect("login");
    let info = conn.server_info().await;
    assert_eq!(info.banner, tns::BANNER);
    assert_eq!(info.protocol_version, 319);
    assert_eq!(first_row(&conn).await, ["SCOTT", "ORCLPDB1", "PRIMARY"]);
    // The logoff arrives well-formed: the published oracle-rs wrote a 2-byte length after
    // negotiating 4-byte ones, which a real server reads as a huge packet and waits for.
    conn.close().await.expect("close");
    assert_eq!(logoffs.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_19c_server_without_the_20c_error_fields_is_read_on_login_and_on_query() {
    let password = switchboard_tests::test_password("oracle-peer");
    let mut server = peer(&password, false);
    server.field_version = tns::FIELD_VERSION_19C;
    let addr = tns::oracle_server(server.clone(), None);
    let conn = login(addr, SERVICE, "scott", &password)
        .await
        .expect("login");
    // The end of fetch (ORA-01403) is laid out without SQL type and checksum.
    assert_eq!(first_row(&conn).await, ["SCOTT", "ORCLPDB1", "PRIMARY"]);
    refused_as_wrong_password(login(addr, SERVICE, "scott", "not-the-password").await);
}

#[tokio::test]
async fn a_wrong_password_is_ora_01017_with_its_message() {
    let password = switchboard_tests::test_password("oracle-peer");
    let addr = tns::oracle_server(peer(&password, false), None);
    refused_as_wrong_password(login(addr, SERVICE, "scott", "not-the-password").await);
}

#[tokio::test]
async fn an_unknown_user_is_ora_01017_like_a_wrong_password() {
    let password = switchboard_tests::test_password("oracle-peer");
    let addr = tns::oracle_server(peer(&password, false), None);
    let (code, message) = ora(login(addr, SERVICE, "nobody", &password).await);
    assert_eq!(code, 1017);
    assert!(message.starts_with("ORA-01017"), "{message}");
}

#[tokio::test]
async fn a_locked_account_with_the_right_password_is_ora_28000() {
    let password = switchboard_tests::test_password("oracle-peer");
    let addr = tns::oracle_server(peer(&password, true), None);
    let (code, message) = ora(login(addr, SERVICE, "scott", &password).await);
    assert_eq!(code, 28000);
    assert_eq!(message, "ORA-28000: The account is locked.");
}

#[tokio::test]
async fn a_locked_account_with_a_wrong_password_is_still_ora_01017() {
    let password = switchboard_tests::test_password("oracle-peer");
    let addr = tns::oracle_server(peer(&password, true), None);
    let (code, _) = ora(login(addr, SERVICE, "scott", "not-the-password").await);
    assert_eq!(code, 1017);
}

#[tokio::test]
async fn an_unknown_service_is_refused_before_the_login() {
    let password = switchboard_tests::test_password("oracle-peer");
    let addr = tns::oracle_server(peer(&password, false), None);
    match login(addr, "NOSUCHPDB", "scott", &password).await {
        Err(Error::ConnectionRefused { .. }) => {}
        Err(e) => panic!("expected a refusal, got {e:?}"),
        Ok(_) => panic!("expected a refusal, logged in"),
    }
}

#[tokio::test]
async fn the_right_password_logs_in_over_tcps_and_a_query_returns_the_configured_row() {
    let ca = TestCa::new("Oracle peer test CA");
    let cert = ca.server(&["localhost"], -1, 30);
    let password = switchboard_tests::test_password("oracle-peer");
    let addr = tns::oracle_server(peer(&password, false), Some(tns::tls_config(&cert)));

    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca.cert_pem.as_bytes()).expect("CA cert"))
        .expect("root");
    let client = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client));
    let tcp = TcpStream::connect(addr).await.expect("tcp");
    let name = ServerName::try_from("localhost").expect("name");
    let tls = connector.connect(name, tcp).await.expect("TLS handshake");

    let conn = Connection::connect_with_tls_stream(config(addr, SERVICE, "scott", &password), tls)
        .await
        .expect("login over TCPS");
    assert_eq!(first_row(&conn).await, ["SCOTT", "ORCLPDB1", "PRIMARY"]);
    conn.close().await.expect("close");
}
