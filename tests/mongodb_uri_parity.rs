//! Switchboard's `mongodb://` import against pymongo's own parser
//! (`pymongo.uri_parser.parse_uri(uri, validate=True, warn=False)`, then the TLS decision
//! pymongo's client makes from the options, `client_options._parse_ssl_options`, with only
//! the SSL context stubbed so that no file needs to exist). For every case: the same URIs
//! accepted and refused, and the same hosts, ports, database, user and TLS level on
//! Switchboard's ladder (no TLS → disable; tlsAllowInvalidCertificates → require;
//! tlsAllowInvalidHostnames → verify-ca; otherwise verify-full). `mongodb+srv://` is left
//! out: pymongo resolves it in DNS while parsing. An import counts as accepted when its
//! draft also passes Switchboard's validation (some rules, such as directConnection with
//! several hosts, live there and not in the parser), leaving out the TLS files' issues:
//! a draft's CA comes later, from the file the URI names.
//!
//! pymongo is installed by `.ci/setup.sh test`; without it this test fails, it never skips.
//!
//! Deliberate disagreements, in `KNOWN` below with what Switchboard does instead:
//! - tlsInsecure / tlsAllowInvalidCertificates / tlsAllowInvalidHostnames alone: pymongo
//!   keeps TLS off (only a *false* value implies TLS there); the Rust driver, the one
//!   Switchboard's test connects with, turns TLS on. Switchboard follows the Rust driver,
//!   which is also the stricter reading.
//! - An option Switchboard has no setting for (`foo=bar`, `appName=x`, an empty
//!   `authSource=`'s validation): pymongo refuses unknown ones; Switchboard imports what it
//!   can and names every parameter it did not carry in a warning (the import rule).
//! - A Unix-socket host (`%2Ftmp%2Fmongodb-27017.sock`): pymongo reads it; Switchboard
//!   refuses it, it connects over TCP only.
//! - `\` in a database name: pymongo lets it through, the server refuses it; so does
//!   Switchboard, at import.

use std::io::Write;
use std::process::{Command, Stdio};

use switchboard_core::connstr::import;
use switchboard_core::error::Severity;
use switchboard_core::model::TlsMode;
use switchboard_core::validation::validate;

const HARNESS: &str = r#"
import inspect, json, sys
import pymongo.client_options as co
from pymongo.common import _CaseInsensitiveDictionary
from pymongo.uri_parser import parse_uri
# The TLS decision is pymongo's own; only the SSL context it would build is stubbed (its
# arguments come back: certfile, passphrase, ca_certs, crlfile, allow_invalid_certificates, …).
co.get_ssl_context = lambda *a: a
def one(uri):
    try:
        r = parse_uri(uri, validate=True, warn=False)
        opts = _CaseInsensitiveDictionary(r["options"])
        # pymongo 4.9 added the is_sync argument.
        sync = (True,) if len(inspect.signature(co._parse_ssl_options).parameters) > 1 else ()
        ctx, bad_names = co._parse_ssl_options(opts, *sync)
        if ctx is None: tls = "disable"
        elif ctx[4]: tls = "require"
        elif bad_names: tls = "verify-ca"
        else: tls = "verify-full"
        return {"hosts": [h for h, _ in r["nodelist"]], "ports": [p for _, p in r["nodelist"]],
                "database": r["database"] or "", "user": r["username"] or "", "tls": tls}
    except Exception as e:
        return {"error": type(e).__name__ + ": " + str(e)}
json.dump([one(u) for u in json.load(sys.stdin)], sys.stdout)
"#;

/// What one side made of a URI: hosts with their ports, database, user, TLS.
#[derive(Debug, PartialEq)]
struct Reading {
    hosts: Vec<(String, u16)>,
    database: String,
    user: String,
    tls: &'static str,
}

fn pymongo(uris: &[&str]) -> Vec<Result<Reading, String>> {
    let check = Command::new("python3")
        .args(["-c", "import pymongo"])
        .output()
        .expect("python3 runs (installed by .ci/setup.sh test)");
    assert!(
        check.status.success(),
        "pymongo is missing: run .ci/setup.sh test (python3 -m pip install pymongo): {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let mut child = Command::new("python3")
        .args(["-c", HARNESS])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let payload = serde_json::to_vec(uris).unwrap();
    child.stdin.take().unwrap().write_all(&payload).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the pymongo harness failed");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            if let Some(e) = r.get("error") {
                return Err(e.as_str().unwrap().to_owned());
            }
            let hosts = r["hosts"].as_array().unwrap().iter();
            let ports = r["ports"].as_array().unwrap().iter();
            Ok(Reading {
                hosts: hosts
                    .zip(ports)
                    .map(|(h, p)| {
                        let port = p.as_u64().map_or(0, |p| u16::try_from(p).unwrap());
                        (h.as_str().unwrap().to_owned(), port)
                    })
                    .collect(),
                database: r["database"].as_str().unwrap().to_owned(),
                user: r["user"].as_str().unwrap().to_owned(),
                tls: tls_word(r["tls"].as_str().unwrap()),
            })
        })
        .collect()
}

fn tls_word(w: &str) -> &'static str {
    TlsMode::ALL
        .iter()
        .map(|m| m.as_str())
        .find(|m| *m == w)
        .unwrap_or_else(|| panic!("unknown TLS word {w}"))
}

/// `h1,[::1]:27018,h3:1` with the port field for entries without one.
fn host_list(hosts: &str, port: u32) -> Vec<(String, u16)> {
    let default = u16::try_from(port).unwrap();
    hosts
        .split(',')
        .map(|e| {
            let (h, p) = if let Some(rest) = e.strip_prefix('[') {
                let (h, after) = rest.split_once(']').unwrap();
                (h, after.strip_prefix(':'))
            } else if e.matches(':').count() == 1 {
                let (h, p) = e.split_once(':').unwrap();
                (h, Some(p))
            } else {
                (e, None)
            };
            (h.to_owned(), p.map_or(default, |p| p.parse().unwrap()))
        })
        .collect()
}

fn ours(uri: &str) -> Result<Reading, String> {
    let p = import(uri).map_err(|e| e.to_string())?;
    let f = &p.imported.fields;
    if let Some(i) = validate(f)
        .into_iter()
        .find(|i| i.severity == Severity::Error && !i.field.starts_with("tls."))
    {
        return Err(format!("validation: {}", i.message));
    }
    Ok(Reading {
        hosts: host_list(&f.host, f.port),
        database: f.database.clone(),
        user: f.username.clone(),
        tls: f.tls.mode.as_str(),
    })
}

const CASES: &[&str] = &[
    // hosts, ports, user, database
    "mongodb://h",
    "mongodb://h/",
    "mongodb://h/db",
    "mongodb://h:27018/db",
    "mongodb://h1:1,h2:2/db",
    "mongodb://h1:27018,h2:27018/db",
    "mongodb://h1,h2:2/db",
    "mongodb://[::1]:27018/db",
    "mongodb://[::1]/db",
    "mongodb://u:p@h/db",
    "mongodb://u@h:1,h2:2/db",
    "mongodb://us%40er:p%3Ass@h/db",
    "mongodb://u:p:q@h/db",
    "mongodb://u@p@h/db",
    "mongodb://h:0/db",
    "mongodb://h:70000/db",
    "mongodb://h:x/db",
    "mongodb://",
    "mongodb://h,,h2/db",
    "mongodb://h?tls=true",
    "mongodb://h/?tls=true",
    // database names
    "mongodb://h/my%20db",
    "mongodb://h/d$b",
    "mongodb://h/d%22b",
    "mongodb://h//db",
    "mongodb://h/db.coll",
    "mongodb://h/db.coll.more",
    "mongodb://h/d%C3%A9",
    // the separator
    "mongodb://h/db?replicaSet=rs0;tls=true",
    "mongodb://h/db?tls=true;replicaSet=rs0;authSource=admin",
    "mongodb://h/db?replicaSet=rs0;tls=true&authSource=admin",
    // TLS
    "mongodb://h/db?tls=true",
    "mongodb://h/db?tls=false",
    "mongodb://h/db?ssl=true",
    "mongodb://h/db?ssl=true&tls=true",
    "mongodb://h/db?tls=true&ssl=false",
    "mongodb://h/db?ssl=false&tls=true",
    "mongodb://h/db?tls=true&tls=false",
    "mongodb://h/db?tls=yes",
    "mongodb://h/db?tls=TRUE",
    "mongodb://h/db?tls=1",
    "mongodb://h/db?tls=",
    "mongodb://h/db?tls",
    "mongodb://h/db?tlsCAFile=/dev/null",
    "mongodb://h/db?tlsCertificateKeyFile=/dev/null",
    "mongodb://h/db?tls=false&tlsCAFile=/dev/null",
    "mongodb://h/db?tls=false&tlsCertificateKeyFile=/dev/null",
    "mongodb://h/db?tls=true&tlsAllowInvalidCertificates=true",
    "mongodb://h/db?tls=true&tlsAllowInvalidHostnames=true",
    "mongodb://h/db?tls=true&tlsInsecure=true",
    "mongodb://h/db?tlsCAFile=/dev/null&tlsInsecure=true",
    "mongodb://h/db?tlsCAFile=/dev/null&tlsAllowInvalidHostnames=true",
    "mongodb://h/db?tlsAllowInvalidCertificates=false",
    "mongodb://h/db?tlsAllowInvalidHostnames=false",
    "mongodb://h/db?tls=true&tlsInsecure=true&tlsAllowInvalidCertificates=true",
    "mongodb://h/db?tls=true&tlsInsecure=true&tlsAllowInvalidHostnames=false",
    // other options Switchboard carries
    "mongodb://h/db?authSource=admin&replicaSet=rs0",
    "mongodb://h/db?directConnection=true",
    "mongodb://h/db?directConnection=yes",
    "mongodb://h1,h2/db?directConnection=true",
    "mongodb://h/db?connectTimeoutMS=5000",
    "mongodb://h/db?connectTimeoutMS=abc",
    "mongodb://h/db?authMechanism=SCRAM-SHA-256",
    "mongodb://h/db?REPLICASET=rs0&TLS=true",
];

/// Cases where Switchboard deliberately reads the URI otherwise (the header says why):
/// the URI, and what Switchboard makes of it (`None`: refused).
const KNOWN: &[(&str, Option<&str>)] = &[
    ("mongodb://h/db?tlsInsecure=true", Some("require")),
    (
        "mongodb://h/db?tlsAllowInvalidCertificates=true",
        Some("require"),
    ),
    (
        "mongodb://h/db?tlsAllowInvalidHostnames=true",
        Some("verify-ca"),
    ),
    ("mongodb://h/db?foo=bar", Some("disable")),
    ("mongodb://h/db?appName=x&authSource=", Some("disable")),
    ("mongodb://%2Ftmp%2Fmongodb-27017.sock/db", None),
    ("mongodb://h/d%5Cb", None),
];

#[test]
fn switchboard_reads_mongodb_uris_as_pymongo_does() {
    let theirs = pymongo(CASES);
    assert!(CASES.len() >= 40);
    let mut disagreements = Vec::new();
    for (uri, theirs) in CASES.iter().zip(&theirs) {
        let ours = ours(uri);
        let same = match (&ours, theirs) {
            (Ok(a), Ok(b)) => a == b,
            (Err(_), Err(_)) => true,
            _ => false,
        };
        if !same {
            disagreements.push(format!("{uri}\n  ours:    {ours:?}\n  pymongo: {theirs:?}"));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

#[test]
fn the_known_disagreements_are_still_what_the_header_says() {
    let uris: Vec<&str> = KNOWN.iter().map(|(u, _)| *u).collect();
    let theirs = pymongo(&uris);
    for ((uri, want), theirs) in KNOWN.iter().zip(&theirs) {
        let ours = ours(uri);
        assert_eq!(
            ours.as_ref().ok().map(|r| r.tls),
            *want,
            "{uri}: ours {ours:?}"
        );
        // Still a disagreement: if pymongo ever agrees, the entry moves to CASES.
        let agree = match (&ours, theirs) {
            (Ok(a), Ok(b)) => a == b,
            (Err(_), Err(_)) => true,
            _ => false,
        };
        assert!(
            !agree,
            "{uri}: pymongo now agrees ({theirs:?}): move it to CASES"
        );
    }
}
