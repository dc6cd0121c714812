//! Switchboard's JDBC URL import against the drivers' own parsers, run by
//! `harness/JdbcOracle.java` (a single-file Java program, no build):
//! - pgjdbc (`org.postgresql.Driver.parseURL`, then `SslMode.of`, the connection factory's
//!   reading of `ssl` / `sslmode`), for `jdbc:postgresql:`;
//! - MariaDB Connector/J (`org.mariadb.jdbc.UrlParser.parse`; Debian 12 ships 2.7.6), for
//!   `jdbc:mariadb:`. TLS is on only for `useSsl=true`; then `trustServerCertificate` is
//!   require, `disableSslHostnameVerification` verify-ca, otherwise verify-full.
//!
//! For every case: the same URLs accepted and refused (a value the driver refuses when it
//! connects, like an unknown sslmode, counts as refused), and the same first host, its
//! port, database, user and TLS level on Switchboard's ladder (pgjdbc's `allow` as prefer,
//! which Switchboard's import says). Only the first host is compared: Switchboard imports
//! one server and names the others in a warning. MariaDB 2.x reports port 0 for an
//! `address=(host=…)` without a port; it is compared as the default, 3306; and no host at
//! all (`jdbc:mariadb:///db`), which it connects to the loopback address, as localhost.
//!
//! The JDK and both jars are installed by `.ci/setup.sh test`; without them this test fails,
//! it never skips.
//!
//! Deliberate disagreements, in `KNOWN` below with what Switchboard does instead:
//! - An upper-case `JDBC:POSTGRESQL:` / `JDBC:MARIADB:`: the drivers match the prefix
//!   case-sensitively; Switchboard recognises every format without regard to case.
//! - `jdbc:postgresql://u@h/db`: pgjdbc takes `u@h` for the host name (and cannot
//!   connect); Switchboard reads the user, as the URL meant.
//! - `?PGHOST=…` / `?PGDBNAME=…`: pgjdbc lets the query overwrite its internal keys;
//!   Switchboard never takes the host or database from a query parameter (a warning).
//! - `jdbc:postgresql://h,/db`: pgjdbc skips the empty host; Switchboard refuses an empty
//!   entry in any host list (a typo it will not guess at).
//! - `user=%FF` (pgjdbc): pgjdbc substitutes U+FFFD for bytes that are not UTF-8;
//!   Switchboard refuses them, as for every format.
//! - `sslMode=` on `jdbc:mariadb:`: the option of Connector/J 3.x (disable, trust,
//!   verify-ca, verify-full), which 2.7.6 ignores; Switchboard reads it as 3.x does.
//! - A port above 65535 on `jdbc:mariadb:`: 2.7.6 accepts it (and cannot connect);
//!   Switchboard refuses it.
//! - `jdbc:mariadb://u@h/db`: 2.7.6 takes `u@h` for the host name (and `u:p@h` is an
//!   error); Switchboard refuses both, naming `?user=` as the fix.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use switchboard_core::connstr::import;

const JARS: &[&str] = &[
    "/usr/share/java/postgresql.jar",
    "/usr/share/java/mariadb-java-client.jar",
];

/// What one side made of a URL: first host and port, database, user, TLS.
#[derive(Debug, PartialEq)]
struct Reading {
    host: String,
    port: u32,
    database: String,
    user: String,
    tls: String,
}

fn drivers(family: &str, urls: &[&str]) -> Vec<Result<Reading, String>> {
    for jar in JARS {
        assert!(
            Path::new(jar).exists(),
            "{jar} is missing: run .ci/setup.sh test (apt: libpostgresql-jdbc-java libmariadb-java)"
        );
    }
    let program = Path::new(env!("CARGO_MANIFEST_DIR")).join("harness/JdbcOracle.java");
    let mut child = Command::new("java")
        .arg("-cp")
        .arg(JARS.join(":"))
        .arg(&program)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("java runs: run .ci/setup.sh test (apt: default-jdk-headless)");
    let input: String = urls.iter().map(|u| format!("{family}\t{u}\n")).collect();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the JDBC oracle failed");
    let text = String::from_utf8(out.stdout).unwrap();
    let default = if family == "pg" { 5432 } else { 3306 };
    let results: Vec<_> = text
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            if let Some(e) = v.get("error") {
                return Err(e.as_str().unwrap().to_owned());
            }
            let first = |k: &str| {
                v[k].as_array()
                    .unwrap()
                    .first()
                    .map(|x| x.as_str().unwrap().to_owned())
            };
            let mut host = first("hosts").unwrap_or_default();
            if host.is_empty() && family == "mariadb" {
                // No host: MariaDB Connector/J connects to the loopback address.
                host = "localhost".into();
            }
            let port = first("ports")
                .map(|p| p.parse::<u32>().unwrap())
                .filter(|p| *p != 0)
                .unwrap_or(default);
            Ok(Reading {
                host: host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .to_owned(),
                port,
                database: v["database"].as_str().unwrap().to_owned(),
                user: v["user"].as_str().unwrap().to_owned(),
                tls: v["tls"].as_str().unwrap().to_owned(),
            })
        })
        .collect();
    assert_eq!(results.len(), urls.len(), "the oracle answered every URL");
    results
}

fn ours(url: &str) -> Result<Reading, String> {
    let p = import(url).map_err(|e| e.to_string())?;
    let f = &p.imported.fields;
    Ok(Reading {
        host: f.host.clone(),
        port: f.port,
        database: f.database.clone(),
        user: f.username.clone(),
        tls: f.tls.mode.as_str().to_owned(),
    })
}

fn agree(ours: &Result<Reading, String>, theirs: &Result<Reading, String>) -> bool {
    match (ours, theirs) {
        (Ok(a), Ok(b)) => a == b,
        (Err(_), Err(_)) => true,
        _ => false,
    }
}

fn compare(family: &str, cases: &[&str]) {
    assert!(cases.len() >= 40, "{family}: at least 40 cases");
    let theirs = drivers(family, cases);
    let disagreements: Vec<String> = cases
        .iter()
        .zip(&theirs)
        .filter_map(|(url, theirs)| {
            let ours = ours(url);
            (!agree(&ours, theirs))
                .then(|| format!("{url}\n  ours:   {ours:?}\n  driver: {theirs:?}"))
        })
        .collect();
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

/// Each known disagreement still holds (else it belongs in the cases), and Switchboard
/// still does what the header says: the TLS level it imports, or `None` for a refusal.
fn known(family: &str, cases: &[(&str, Option<&str>)]) {
    let urls: Vec<&str> = cases.iter().map(|(u, _)| *u).collect();
    let theirs = drivers(family, &urls);
    for ((url, want), theirs) in cases.iter().zip(&theirs) {
        let ours = ours(url);
        assert_eq!(
            ours.as_ref().ok().map(|r| r.tls.as_str()),
            *want,
            "{url}: ours {ours:?}"
        );
        assert!(
            !agree(&ours, theirs),
            "{url}: the driver now agrees ({theirs:?}): move it to the cases"
        );
    }
}

const PGJDBC: &[&str] = &[
    // hosts, ports, databases
    "jdbc:postgresql://h/db",
    "jdbc:postgresql://h:5433/db",
    "jdbc:postgresql://h/",
    "jdbc:postgresql://h",
    "jdbc:postgresql://",
    "jdbc:postgresql:///db",
    "jdbc:postgresql:db",
    "jdbc:postgresql:",
    "jdbc:postgresql:/db",
    "jdbc:postgresql://h/db/x",
    "jdbc:postgresql://[::1]:5433/db",
    "jdbc:postgresql://[::1]/db",
    "jdbc:postgresql://h1:5433,h2/db",
    "jdbc:postgresql://h:0/db",
    "jdbc:postgresql://h:99999/db",
    "jdbc:postgresql://h:/db",
    "jdbc:postgresql://h:x/db",
    "jdbc:postgresql://h/a+b",
    "jdbc:postgresql://h/a%20b",
    "jdbc:postgresql://h/d%2Fb",
    "jdbc:postgresql://h/a%zz",
    "jdbc:postgresql://h/db#frag",
    // user and other parameters
    "jdbc:postgresql://h/db?user=app&password=secret",
    "jdbc:postgresql://h/db?user=a+b",
    "jdbc:postgresql://h/db?user=%C3%A9",
    "jdbc:postgresql://h/db?user=u&user=v",
    "jdbc:postgresql://h/db?&&user=u",
    "jdbc:postgresql://h/db?user=a=b",
    "jdbc:postgresql://h/db?currentSchema=s&ApplicationName=x&loginTimeout=5",
    // TLS
    "jdbc:postgresql://h/db?ssl",
    "jdbc:postgresql://h/db?ssl=",
    "jdbc:postgresql://h/db?ssl=true",
    "jdbc:postgresql://h/db?ssl=TRUE",
    "jdbc:postgresql://h/db?ssl=false",
    "jdbc:postgresql://h/db?ssl=yes",
    "jdbc:postgresql://h/db?ssl=1",
    "jdbc:postgresql://h/db?sslmode=disable",
    "jdbc:postgresql://h/db?sslmode=allow",
    "jdbc:postgresql://h/db?sslmode=prefer",
    "jdbc:postgresql://h/db?sslmode=require",
    "jdbc:postgresql://h/db?sslmode=verify-ca",
    "jdbc:postgresql://h/db?sslmode=verify-full",
    "jdbc:postgresql://h/db?sslmode=VERIFY-FULL",
    "jdbc:postgresql://h/db?sslmode=Require",
    "jdbc:postgresql://h/db?sslmode=bogus",
    "jdbc:postgresql://h/db?sslmode=",
    "jdbc:postgresql://h/db?sslmode",
    "jdbc:postgresql://h/db?ssl=true&sslmode=disable",
    "jdbc:postgresql://h/db?ssl=false&sslmode=require",
    "jdbc:postgresql://h/db?ssl&sslmode=verify-ca",
    "jdbc:postgresql://h/db?sslmode=require&sslrootcert=/etc/ca.pem",
];

const MARIADB: &[&str] = &[
    // hosts, ports, databases
    "jdbc:mariadb://h/db",
    "jdbc:mariadb://h:3307/db",
    "jdbc:mariadb://h",
    "jdbc:mariadb://h/",
    "jdbc:mariadb:///db",
    "jdbc:mariadb://",
    "jdbc:mariadb://[::1]:3307/db",
    "jdbc:mariadb://h,h2:3307/db",
    "jdbc:mariadb://h:3307,h2/db",
    "jdbc:mariadb://h:x/db",
    "jdbc:mariadb://h/d%20b",
    "jdbc:mariadb://h/db;useSsl=true",
    // address=(…)
    "jdbc:mariadb://address=(host=a)(port=3307)(type=master)/db",
    "jdbc:mariadb://address=(port=3307)(host=a)/db",
    "jdbc:mariadb://address=(host=a)/db",
    "jdbc:mariadb://address=(host=a)(port=x)/db",
    "jdbc:mariadb://address=(host=[::1])(port=1)/db",
    "jdbc:mariadb://address=(host=a)(port=3307),address=(host=b)(port=3308)/db",
    // modes
    "jdbc:mariadb:replication://h1,h2/db",
    "jdbc:mariadb:REPLICATION://h1,h2/db",
    "jdbc:mariadb:loadbalance://h1/db",
    "jdbc:mariadb:sequential://h1/db",
    "jdbc:mariadb:failover://h1/db",
    "jdbc:mariadb:aurora://h1/db",
    "jdbc:mariadb:foo://h/db",
    "jdbc:mariadb:://h/db",
    // user and other parameters
    "jdbc:mariadb://h:3307/db?user=me&password=x",
    "jdbc:mariadb://h/db?user=a+b",
    "jdbc:mariadb://h/db?user=%41",
    "jdbc:mariadb://u:p@h/db",
    "jdbc:mariadb://h/db?connectTimeout=abc",
    "jdbc:mariadb://h/db?connectTimeout=5000",
    // TLS
    "jdbc:mariadb://h/db?useSsl=true",
    "jdbc:mariadb://h/db?useSSL=true",
    "jdbc:mariadb://h/db?useSsl=True",
    "jdbc:mariadb://h/db?useSsl=1",
    "jdbc:mariadb://h/db?useSsl=",
    "jdbc:mariadb://h/db?useSsl",
    "jdbc:mariadb://h/db?useSsl=false",
    "jdbc:mariadb://h/db?useSsl=0",
    "jdbc:mariadb://h/db?useSsl=yes",
    "jdbc:mariadb://h/db?usessl=true",
    "jdbc:mariadb://h/db?useSSL=true&useSsl=false",
    "jdbc:mariadb://h/db?trustServerCertificate=true",
    "jdbc:mariadb://h/db?useSsl=true&trustServerCertificate=true",
    "jdbc:mariadb://h/db?useSsl=true&trustServerCertificate=1",
    "jdbc:mariadb://h/db?useSsl=true&trustServerCertificate=yes",
    "jdbc:mariadb://h/db?useSsl=true&disableSslHostnameVerification=true",
    "jdbc:mariadb://h/db?useSSL=1&disableSslHostnameVerification=true",
    "jdbc:mariadb://h/db?useSsl=true&disableSslHostnameVerification=maybe",
    "jdbc:mariadb://h/db?useSsl=true&trustServerCertificate=true&disableSslHostnameVerification=true",
    "jdbc:mariadb://h/db?useSsl=true&serverSslCert=/etc/ca.pem",
];

#[test]
fn switchboard_reads_pgjdbc_urls_as_pgjdbc_does() {
    compare("pg", PGJDBC);
}

#[test]
fn switchboard_reads_mariadb_jdbc_urls_as_mariadb_connector_j_does() {
    compare("mariadb", MARIADB);
}

#[test]
fn the_known_pgjdbc_disagreements_are_still_what_the_header_says() {
    known(
        "pg",
        &[
            ("JDBC:POSTGRESQL://h/db", Some("prefer")),
            ("jdbc:postgresql://u@h/db", Some("prefer")),
            ("jdbc:postgresql://h/db?PGHOST=elsewhere", Some("prefer")),
            ("jdbc:postgresql://h/db?PGDBNAME=other", Some("prefer")),
            ("jdbc:postgresql://h/db?user=%FF", None),
            ("jdbc:postgresql://h,/db", None),
        ],
    );
}

#[test]
fn the_known_mariadb_disagreements_are_still_what_the_header_says() {
    known(
        "mariadb",
        &[
            ("JDBC:MARIADB://h/db", Some("disable")),
            (
                "jdbc:mariadb://h/db?sslMode=verify-full",
                Some("verify-full"),
            ),
            ("jdbc:mariadb://h/db?sslMode=verify-ca", Some("verify-ca")),
            ("jdbc:mariadb://h/db?sslMode=trust", Some("require")),
            (
                "jdbc:mariadb://h/db?useSsl=true&sslMode=disable",
                Some("disable"),
            ),
            ("jdbc:mariadb://h:99999/db", None),
            ("jdbc:mariadb://u@h/db", None),
        ],
    );
}
