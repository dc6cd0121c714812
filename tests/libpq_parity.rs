//! Our libpq-compatible parser against the real libpq on this machine (`PQconninfoParse`
//! through Python's ctypes): the same keywords and values, and errors for the same inputs.
//! The cases are our own, modelled on libpq's URI regression behaviours.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use switchboard_core::libpq;

const HARNESS: &str = r#"
import ctypes, json, sys
lib = ctypes.CDLL("libpq.so.5")
class Opt(ctypes.Structure):
    _fields_ = [("keyword", ctypes.c_char_p), ("envvar", ctypes.c_char_p), ("compiled", ctypes.c_char_p),
                ("val", ctypes.c_char_p), ("label", ctypes.c_char_p), ("dispchar", ctypes.c_char_p),
                ("dispsize", ctypes.c_int)]
lib.PQconninfoParse.restype = ctypes.POINTER(Opt)
lib.PQconninfoParse.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p)]
lib.PQconndefaults.restype = ctypes.POINTER(Opt)
def options(ptr):
    out, i = {}, 0
    while ptr[i].keyword:
        if ptr[i].val is not None:
            out[ptr[i].keyword.decode()] = ptr[i].val.decode()
        i += 1
    return out
d, keywords, i = lib.PQconndefaults(), [], 0
while d[i].keyword:
    keywords.append(d[i].keyword.decode()); i += 1
results = []
for s in json.load(sys.stdin):
    err = ctypes.c_char_p()
    r = lib.PQconninfoParse(s.encode(), ctypes.byref(err))
    results.append({"ok": options(r)} if r else {"error": (err.value or b"").decode()})
json.dump({"keywords": keywords, "results": results}, sys.stdout)
"#;

struct Reference {
    keywords: Vec<String>,
    results: Vec<Result<BTreeMap<String, String>, String>>,
}

fn reference(inputs: &[&str]) -> Reference {
    let mut child = Command::new("python3")
        .args(["-c", HARNESS])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 (the test command's machine has it, with libpq5 from postgresql)");
    let payload = serde_json::to_vec(inputs).unwrap();
    child.stdin.take().unwrap().write_all(&payload).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the libpq harness failed");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let keywords = v["keywords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect();
    let results = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| match r.get("ok") {
            Some(o) => Ok(o
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect()),
            None => Err(r["error"].as_str().unwrap_or_default().to_owned()),
        })
        .collect();
    Reference { keywords, results }
}

const CASES: &[&str] = &[
    // URIs
    "postgresql://uri-user:secret@host:12345/db",
    "postgresql://uri-user@host:12345/db",
    "postgresql://uri-user@host/db",
    "postgresql://host:12345/db",
    "postgresql://host/db",
    "postgresql://uri-user@host:12345/",
    "postgresql://uri-user@host/",
    "postgresql://uri-user@",
    "postgresql://host:12345/",
    "postgresql://host:12345",
    "postgresql://host/db",
    "postgresql://host/",
    "postgresql://host",
    "postgresql://",
    "postgresql://?hostaddr=127.0.0.1",
    "postgresql://example.com?hostaddr=63.1.2.4",
    "postgresql://%68ost/",
    "postgresql://host/db?user=uri-user",
    "postgresql://host/db?user=uri-user&port=12345",
    "postgresql://host/db?u%73er=someotheruser&port=12345",
    "postgresql://host/db?u%7aer=someotheruser&port=12345",
    "postgresql://host:12345?user=uri-user",
    "postgresql://host?user=uri-user",
    "postgresql://host?",
    "postgresql://[::1]:12345/db",
    "postgresql://[::1]/db",
    "postgresql://[2001:db8::1234]/",
    "postgresql://[200z:db8::1234]/",
    "postgresql://[::1]",
    "postgres://",
    "postgres:///",
    "postgres:///db",
    "postgres://uri-user@/db",
    "postgres://?host=/path/to/socket/dir",
    "postgresql://host?uzer=",
    "postgre://",
    "postgres://[::1",
    "postgres://[]",
    "postgres://[::1]z",
    "postgresql://host?zzz",
    "postgresql://host?value1&value2",
    "postgresql://host?key=key=value",
    "postgres://host?dbname=%XXfoo",
    "postgresql://a%00b",
    "postgresql://%zz",
    "postgresql://%1",
    "postgresql://%",
    "postgres://@host",
    "postgres://host:/",
    "postgres://:12345/",
    "postgres://otheruser@?host=/no/such/directory",
    "postgres://otheruser@/?host=/no/such/directory",
    "postgres://otheruser@:12345?host=/no/such/socket/path",
    "postgres://otheruser@:12345/db?host=/path/to/socket",
    "postgres://:12345/db?host=/path/to/socket",
    "postgres://:12345?host=/path/to/socket",
    "postgres://%2Fvar%2Flib%2Fpostgresql/dbname",
    "postgresql://host1,host2:5433,[::1]:5434/db?target_session_attrs=read-write",
    "postgresql://user:p%40ss%3Aword@h/db?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem",
    "postgresql://u:a?b:c@h/db",
    "postgresql://h/db?ssl=true",
    "postgresql://h/db?ssl=false",
    "postgresql://h/db?requiressl=1",
    "postgresql://h/db?application_name=my%20app&connect_timeout=5&options=-c%20search_path%3Dx",
    "postgresql://h/db?a=b&&c=d",
    "postgresql://h/db?sslmode=require&",
    "postgresql://h,/db",
    "postgresql://,h:1/db",
    "postgresql://h:1,h:2",
    // keyword=value
    "host=localhost port=5432 dbname=mydb connect_timeout=10",
    "host = localhost   port=5432",
    "password='it''s' user=x",
    "password='it\\'s' user=x",
    "password=a\\ b user=x",
    "user=",
    "user='' host=h",
    "dbname='unterminated",
    "host",
    "host localhost",
    "=x",
    "nosuchkey=1",
    "requiressl=0",
    "requiressl=1",
    "host=a host=b",
    "options='-c geqo=off' application_name=x",
    "\tdbname=x\nhost=y\x0bport=1",
    "sslmode=verify-full sslrootcert=/tmp/ca.pem sslcert=/tmp/c.crt sslkey=/tmp/c.key",
    "dbname=postgresql://nested/uri",
    "",
    "   ",
    "host=h'x' port=1",
    "host='a'port=1",
];

#[test]
fn our_parser_agrees_with_the_real_libpq_on_every_case() {
    let r = reference(CASES);
    let mut compared = 0;
    for (input, expected) in CASES.iter().zip(&r.results) {
        let ours = libpq::parse(input);
        // A keyword this machine's older libpq does not know yet is not a disagreement.
        if let Ok(o) = &ours {
            if o.keys().any(|k| !r.keywords.contains(k)) {
                continue;
            }
        }
        match (&ours, expected) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{input:?}"),
            (Err(_), Err(_)) => {}
            (a, b) => panic!("{input:?}: ours {a:?}, libpq {b:?}"),
        }
        compared += 1;
    }
    assert!(
        compared >= CASES.len() - 2,
        "only {compared} of {} cases compared",
        CASES.len()
    );
}

#[test]
fn every_keyword_of_this_machines_libpq_is_known() {
    let r = reference(&[]);
    for k in &r.keywords {
        assert!(
            libpq::KEYWORDS.contains(&k.as_str()),
            "{k} is missing from libpq::KEYWORDS"
        );
    }
}

#[test]
fn parse_errors_never_quote_a_password() {
    for input in [
        "postgresql://u:s3cr%zzet@h/db",
        "postgresql://u:s3cr%00et@h/db",
        "password='s3cret",
    ] {
        let e = libpq::parse(input).unwrap_err();
        assert!(!e.to_string().contains("s3cr"), "{e}");
    }
}

/// What Switchboard writes out (URL and keyword=value, password included) is read back by
/// the real libpq as exactly the connection it came from: the characters that break naive
/// writers (@ : / ? # % & = ' " \ space, non-ASCII) in every part.
#[test]
fn exported_urls_and_keyword_strings_mean_the_same_connection_to_the_real_libpq() {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;
    use switchboard_core::connstr::ExportContext;
    use switchboard_core::connstr::{export, ExportFormat};
    use switchboard_core::model::{ConnectionFields, OptionValue, TlsMode};
    use switchboard_core::Secret;

    let nasty = "[a-zA-Z0-9@:/?#%&=;'\"\\\\{}+ äß€-]{1,16}";
    let strategy = (
        "[a-z][a-z0-9-]{0,8}(\\.[a-z]{2,5}){0,2}",
        1u32..=65535,
        nasty,
        nasty,
        nasty,
        proptest::sample::select(TlsMode::ALL.to_vec()),
        proptest::option::of("[a-z_ ]{1,8}"),
    );
    let mut runner = TestRunner::deterministic();
    let mut inputs = Vec::new();
    let mut expected = Vec::new();
    for _ in 0..150 {
        let (host, port, database, user, password, mode, schema) =
            strategy.new_tree(&mut runner).unwrap().current();
        let mut f = ConnectionFields::postgres("x", &host, port, database.trim(), user.trim());
        f.tls.mode = mode;
        if let Some(s) = schema.filter(|s| !s.trim().is_empty()) {
            f.options
                .insert("schema".into(), OptionValue::Text(s.trim().to_owned()));
        }
        let ctx = ExportContext {
            password: Some(Secret::new(password.clone())),
            ..ExportContext::default()
        };
        for format in [ExportFormat::Url, ExportFormat::Kv] {
            let text = export(&f, &ctx, format).unwrap().text;
            let mut want = BTreeMap::new();
            want.insert("host".to_owned(), f.host.clone());
            want.insert("port".to_owned(), f.port.to_string());
            want.insert("dbname".to_owned(), f.database.clone());
            want.insert("user".to_owned(), f.username.clone());
            want.insert("password".to_owned(), password.clone());
            want.insert("sslmode".to_owned(), mode.as_str().to_owned());
            if let Some(OptionValue::Text(s)) = f.options.get("schema") {
                let escaped: String = s
                    .chars()
                    .flat_map(|c| {
                        if c == ' ' || c == '\\' {
                            vec!['\\', c]
                        } else {
                            vec![c]
                        }
                    })
                    .collect();
                want.insert("options".to_owned(), format!("-c search_path={escaped}"));
            }
            inputs.push(text);
            expected.push(want);
        }
    }
    let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let r = reference(&refs);
    for ((text, want), theirs) in inputs.iter().zip(&expected).zip(&r.results) {
        let theirs = theirs
            .as_ref()
            .unwrap_or_else(|e| panic!("libpq rejects {text:?}: {e}"));
        assert_eq!(theirs, want, "libpq reads {text:?} differently");
        assert_eq!(&libpq::parse(text).unwrap(), theirs, "{text:?}");
    }
}
