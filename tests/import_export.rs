//! Import and export through the `switchboard` CLI as a user runs it: a real process, a
//! real data dir, the real keychain, the throwaway PostgreSQL and the real `psql`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use switchboard_tests::pg::{PgServer, APP_DB, APP_USER};
use switchboard_tests::{data_dir, require_keyring_session, test_password, test_root};

use switchboard_tests::cli::{all_output, json, run as cli};

fn unique(tag: &str) -> String {
    format!("{tag}-{}", uuid::Uuid::new_v4().simple())
}

/// The test CA's certificate in a file, for `sslrootcert=`.
fn ca_file(pg: &PgServer) -> String {
    let p = test_root().join(format!("{}.pem", unique("ca")));
    std::fs::write(&p, &pg.ca.cert_pem).unwrap();
    p.display().to_string()
}

/// A file named `name` (its name tells .pgpass from .env) in a fresh directory.
fn write_file(name: &str, text: &str) -> PathBuf {
    let dir = test_root().join(unique("import-files"));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// RFC 3986 percent-encoding of everything but the unreserved characters.
fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The live server as a URL that carries everything: user, percent-encoded password,
/// verify-full and the CA file.
fn live_url(pg: &PgServer, ca: &str) -> String {
    format!(
        "postgresql://{APP_USER}:{}@localhost:{}/{APP_DB}?sslmode=verify-full&sslrootcert={ca}&connect_timeout=5",
        pct(&pg.app_password),
        pg.port
    )
}

fn texts(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

/// The codes of the issues that are errors (warnings, e.g. a test CA that expires within
/// the warning window, do not stop a save).
fn errors(issues: &Value) -> Vec<String> {
    issues
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {issues}"))
        .iter()
        .filter(|i| i["severity"] == "error")
        .map(|i| i["code"].as_str().unwrap().to_owned())
        .collect()
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

fn assert_no_secret(o: &Output, secret: &str, what: &str) {
    let text = all_output(o);
    assert!(
        !text.contains(secret),
        "{what} printed the password: {text}"
    );
    assert!(
        !text.contains(&pct(secret)),
        "{what} printed the password (percent-encoded): {text}"
    );
}

// ---------- one string ----------

#[test]
fn a_url_with_a_percent_encoded_password_imports_to_the_keychain_and_tests_verify_full_live() {
    require_keyring_session();
    let pg = PgServer::shared();
    let dir = data_dir("imp-live-url");
    let url = live_url(pg, &ca_file(pg));
    // The password really needs its escapes: it holds @ / : and %.
    assert!(pg.app_password.contains(['@', '/', ':', '%']));

    let preview = cli(&dir, &["import", &url, "--json"], None, &[]);
    assert!(preview.status.success(), "{}", all_output(&preview));
    assert_no_secret(&preview, &pg.app_password, "the preview");
    let d = json(&preview);
    assert_eq!(d["kind"], "postgres_uri");
    assert_eq!(d["has_password"], true);
    assert_eq!(errors(&d["issues"]), Vec::<String>::new(), "{d}");
    assert_eq!(d["fields"]["host"], "localhost");
    assert_eq!(d["fields"]["port"], pg.port);
    assert_eq!(d["fields"]["username"], APP_USER);
    assert_eq!(d["fields"]["database"], APP_DB);
    assert_eq!(d["fields"]["tls"]["mode"], "verify-full");
    assert_eq!(d["fields"]["timeout_secs"], 5);
    assert_eq!(
        d["fields"]["tls"]["ca_pem"].as_str().map(str::trim),
        Some(pg.ca.cert_pem.trim()),
        "sslrootcert's file was read into the draft"
    );
    let human = cli(&dir, &["import", &url], None, &[]);
    assert!(human.status.success(), "{}", all_output(&human));
    assert_no_secret(&human, &pg.app_password, "the human preview");
    assert!(
        all_output(&human).contains("password present"),
        "{}",
        all_output(&human)
    );
    assert_eq!(
        json(&cli(&dir, &["list", "--json"], None, &[])),
        serde_json::json!([]),
        "a preview saves nothing"
    );

    let saved = cli(&dir, &["import", &url, "--save", "--json"], None, &[]);
    assert!(saved.status.success(), "{}", all_output(&saved));
    assert_no_secret(&saved, &pg.app_password, "import --save");
    let s = json(&saved);
    let name = s["connection"]["name"].as_str().unwrap().to_owned();
    assert_eq!(name, format!("{APP_DB}-localhost"));
    assert_eq!(s["connection"]["has_saved_password"], true);
    assert_eq!(s["connection"]["password_save"], "keychain");

    let revealed = cli(&dir, &["reveal-password", &name], None, &[]);
    assert!(revealed.status.success(), "{}", all_output(&revealed));
    assert_eq!(
        String::from_utf8_lossy(&revealed.stdout).trim_end(),
        pg.app_password,
        "the keychain holds the decoded password"
    );

    let t = cli(&dir, &["test", &name, "--json"], None, &[]);
    assert!(t.status.success(), "{}", all_output(&t));
    assert_no_secret(&t, &pg.app_password, "test");
    let report = json(&t);
    assert_eq!(report["ok"], true);
    assert_eq!(report["server"]["current_user"], APP_USER);
    assert_eq!(report["server"]["current_database"], APP_DB);

    // The same string again: saved under a free name, with a warning saying so.
    let again = cli(&dir, &["import", &url, "--save", "--json"], None, &[]);
    assert!(again.status.success(), "{}", all_output(&again));
    let a = json(&again);
    let second = format!("{name}-2");
    assert_eq!(a["connection"]["name"], second.as_str());
    assert!(
        texts(&a["warnings"])
            .iter()
            .any(|w| w == &format!("renamed from {name} to {second}: the name is taken")),
        "{a}"
    );
    let list = json(&cli(&dir, &["list", "--json"], None, &[]));
    assert_eq!(names(&list), vec![name.clone(), second.clone()]);
    let t = cli(&dir, &["test", &second, "--json"], None, &[]);
    assert!(t.status.success(), "{}", all_output(&t));
}

/// One string to preview and what its draft must say.
struct Case {
    input: String,
    kind: &'static str,
    engine: &'static str,
    host: &'static str,
    port: u64,
    database: &'static str,
    username: &'static str,
    mode: &'static str,
    warnings: Vec<String>,
}

#[test]
fn each_engines_string_previews_with_its_engine_host_port_and_unmapped_parameters_as_warnings() {
    let dir = data_dir("imp-engines");
    let pw = test_password("engines");
    let unmapped =
        |p: &str| format!("parameter {p} has no Switchboard setting; it was not imported");
    let cases = vec![
        Case {
            input: format!(
                "Server=tcp:sql.example.com,1444;Database=orders;User Id=sa;Password={{{pw}}};\
                 Encrypt=True;Foo Bar=1;MultipleActiveResultSets=true"
            ),
            kind: "ado_net",
            engine: "sqlserver",
            host: "sql.example.com",
            port: 1444,
            database: "orders",
            username: "sa",
            mode: "verify-full",
            warnings: vec![unmapped("foo bar"), unmapped("multipleactiveresultsets")],
        },
        Case {
            input: format!(
                "jdbc:sqlserver://sql.example.com:1445;databaseName=orders;user=sa;password={{{pw}}};\
                 encrypt=true;trustServerCertificate=true;fooBar=1"
            ),
            kind: "jdbc_sql_server",
            engine: "sqlserver",
            host: "sql.example.com",
            port: 1445,
            database: "orders",
            username: "sa",
            mode: "require",
            warnings: vec![unmapped("foobar")],
        },
        Case {
            input: format!(
                "mongodb://admin:{}@mongo1.example.com:27018,mongo2.example.com:27018/app\
                 ?replicaSet=rs0&authSource=admin&tls=true&retryWrites=true&w=majority",
                pct(&pw)
            ),
            kind: "mongodb_url",
            engine: "mongodb",
            host: "mongo1.example.com,mongo2.example.com",
            port: 27018,
            database: "app",
            username: "admin",
            mode: "verify-full",
            warnings: vec![unmapped("retryWrites"), unmapped("w")],
        },
        Case {
            // EZConnect has no escaping: a password with / or @ cannot be written in it.
            input: "scott/tiger@ora.example.com:1522/ORCLPDB1\
                    ?connect_timeout=10&transport_connect_timeout=3&foo=bar"
                .into(),
            kind: "oracle_ezconnect",
            engine: "oracle",
            host: "ora.example.com",
            port: 1522,
            database: "ORCLPDB1",
            username: "scott",
            mode: "disable",
            warnings: vec![unmapped("transport_connect_timeout"), unmapped("foo")],
        },
        Case {
            input: format!(
                "mysql://root:{}@mysql.example.com:3307/shop\
                 ?ssl-mode=VERIFY_IDENTITY&charset=utf8mb4&foo=1",
                pct(&pw)
            ),
            kind: "mysql_url",
            engine: "mysql",
            host: "mysql.example.com",
            port: 3307,
            database: "shop",
            username: "root",
            mode: "verify-full",
            warnings: vec![unmapped("charset"), unmapped("foo")],
        },
        Case {
            input: "sqlite:///var/lib/app/data.db?mode=ro&cache=shared".into(),
            kind: "sqlite_url",
            engine: "sqlite",
            host: "",
            port: 0,
            database: "/var/lib/app/data.db",
            username: "",
            mode: "disable",
            warnings: vec![unmapped("cache")],
        },
        Case {
            input: "/var/lib/app/data.db".into(),
            kind: "sqlite_path",
            engine: "sqlite",
            host: "",
            port: 0,
            database: "/var/lib/app/data.db",
            username: "",
            mode: "disable",
            warnings: vec![],
        },
    ];
    for Case {
        input,
        kind,
        engine,
        host,
        port,
        database,
        username,
        mode,
        warnings,
    } in cases
    {
        let o = cli(&dir, &["import", &input, "--json"], None, &[]);
        assert!(o.status.success(), "{input}: {}", all_output(&o));
        assert_no_secret(&o, &pw, &input);
        let d = json(&o);
        assert_eq!(d["kind"], kind, "{input}: {d}");
        let f = &d["fields"];
        assert_eq!(f["engine"], engine, "{input}: {d}");
        assert_eq!(f["host"], host, "{input}: {d}");
        assert_eq!(f["port"], port, "{input}: {d}");
        assert_eq!(f["database"], database, "{input}: {d}");
        assert_eq!(f["username"], username, "{input}: {d}");
        assert_eq!(f["tls"]["mode"], mode, "{input}: {d}");
        assert_eq!(d["has_password"], engine != "sqlite", "{input}: {d}");
        assert_eq!(texts(&d["warnings"]), warnings, "{input}");
        assert_eq!(d["issues"], serde_json::json!([]), "{input}: {d}");
    }
    // Engine-specific settings the strings carry.
    let mongo = json(&cli(
        &dir,
        &[
            "import",
            "mongodb://admin@mongo1.example.com/app?replicaSet=rs0&authSource=admin&tls=true",
            "--json",
        ],
        None,
        &[],
    ));
    assert_eq!(mongo["fields"]["options"]["replica_set"], "rs0");
    assert_eq!(mongo["fields"]["options"]["auth_source"], "admin");
    let ora = json(&cli(
        &dir,
        &["import", "scott@ora.example.com:1522/ORCLPDB1", "--json"],
        None,
        &[],
    ));
    assert_eq!(ora["fields"]["options"]["connect_by"], "service_name");
    assert_eq!(
        json(&cli(&dir, &["list", "--json"], None, &[])),
        serde_json::json!([]),
        "previews save nothing"
    );
}

#[test]
fn an_unrecognised_string_exits_1_with_url_invalid_and_does_not_echo_its_text() {
    let dir = data_dir("imp-unrecognised");
    // A password-looking word; no '@' or ':', which would make it read as EZConnect.
    let secret = format!(
        "{}-hunter2-{}",
        switchboard_tests::secret_marker(),
        uuid::Uuid::new_v4().simple()
    );
    let input = format!("this is not a connection string {secret}");
    for args in [
        vec!["import", input.as_str(), "--json"],
        vec!["import", input.as_str()],
        vec!["import", input.as_str(), "--save", "--json"],
    ] {
        let o = cli(&dir, &args, None, &[]);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", all_output(&o));
        assert_no_secret(&o, &secret, "an unrecognised string");
        assert!(
            !all_output(&o).contains("sbtestsecret"),
            "no part of the input is echoed: {}",
            all_output(&o)
        );
        if args.contains(&"--json") {
            let e = json(&o);
            assert_eq!(e["error"]["code"], "url_invalid", "{e}");
            assert!(e["error"]["message"]
                .as_str()
                .unwrap()
                .contains("not a connection string"));
        }
    }
    assert_eq!(
        json(&cli(&dir, &["list", "--json"], None, &[])),
        serde_json::json!([])
    );
}

/// The module promises "messages never quote a value from the input: it may be a password".
/// Two ordinary mistakes put part of a password where the libpq reader expects a keyword,
/// and its message quotes that keyword back.
#[test]
fn a_password_split_by_a_mistake_is_not_quoted_back_in_the_error() {
    let dir = data_dir("imp-split-password");
    let tail = format!("horse{}", switchboard_tests::secret_marker());
    let cases = [
        // An unquoted password with a space in a keyword=value string.
        format!("host=db.example.com user=app password=correct {tail}"),
        // An unescaped & in a password given as a URI query parameter.
        format!("postgresql://app@db.example.com/orders?password=ab&{tail}=x"),
    ];
    let mut leaked = Vec::new();
    for input in cases {
        let o = cli(&dir, &["import", &input, "--json"], None, &[]);
        assert_eq!(o.status.code(), Some(1), "{input}: {}", all_output(&o));
        assert_eq!(json(&o)["error"]["code"], "url_invalid");
        if all_output(&o).contains(&tail) {
            leaked.push(json(&o)["error"]["message"].as_str().unwrap().to_owned());
        }
    }
    assert!(
        leaked.is_empty(),
        "errors quote part of the password: {leaked:#?}"
    );
}

// ---------- export, run through the real psql ----------

fn pg_bin_dir() -> PathBuf {
    ["17", "16", "15"]
        .iter()
        .map(|v| PathBuf::from(format!("/usr/lib/postgresql/{v}/bin")))
        .find(|p| p.join("psql").exists())
        .expect("psql is installed (postgresql-client)")
}

/// `psql` (or `sh -c`) with nothing from the environment that libpq would read: no PG*
/// variable, and a HOME of our own (no ~/.pgpass, no ~/.pg_service.conf). `root_crt`
/// becomes ~/.postgresql/root.crt, where libpq looks for the CA when the connection
/// string names none.
fn client(program: &str, root_crt: Option<&str>) -> Command {
    let home = test_root().join(unique("psql-home"));
    std::fs::create_dir_all(&home).unwrap();
    if let Some(pem) = root_crt {
        std::fs::create_dir_all(home.join(".postgresql")).unwrap();
        std::fs::write(home.join(".postgresql/root.crt"), pem).unwrap();
    }
    let mut cmd = Command::new(program);
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("PG") {
            cmd.env_remove(&k);
        }
    }
    for k in [
        "PGPASSWORD",
        "PGHOST",
        "PGUSER",
        "PGDATABASE",
        "PGSSLMODE",
        "PGSERVICE",
        "PGPASSFILE",
        "PGSSLROOTCERT",
        "PGPORT",
    ] {
        cmd.env_remove(k);
    }
    let path = format!(
        "{}:{}",
        pg_bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    cmd.env("HOME", &home)
        .env("PATH", path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Saves the live server through `import --save` and returns its name.
fn save_live(dir: &Path, pg: &PgServer) -> String {
    let o = cli(
        dir,
        &["import", &live_url(pg, &ca_file(pg)), "--save", "--json"],
        None,
        &[],
    );
    assert!(o.status.success(), "{}", all_output(&o));
    json(&o)["connection"]["name"].as_str().unwrap().to_owned()
}

fn export(dir: &Path, name: &str, format: &str, secrets: bool) -> (Value, Output) {
    let mut args = vec!["export", name, "--format", format, "--json"];
    if secrets {
        args.push("--include-secrets");
    }
    let o = cli(dir, &args, None, &[]);
    assert!(o.status.success(), "{args:?}: {}", all_output(&o));
    (json(&o), o)
}

const CA_WARNING: &str =
    "the CA certificate is not in the text: save it to a file and point the client at it";

#[test]
fn the_exported_psql_command_with_secrets_connects_as_app_through_the_real_psql() {
    require_keyring_session();
    let pg = PgServer::shared();
    let dir = data_dir("exp-psql");
    let name = save_live(&dir, pg);

    let (e, o) = export(&dir, &name, "psql", true);
    assert_eq!(e["format"], "shell");
    let command = e["text"].as_str().unwrap().to_owned();
    assert!(command.starts_with("psql "), "{command}");
    assert!(
        texts(&e["warnings"]).contains(&CA_WARNING.to_owned()),
        "{e}"
    );
    assert!(
        !all_output(&o).contains(&pg.app_password),
        "the password is in the command percent-encoded, never raw"
    );
    // The command is run as exported. The CA is the one thing it cannot carry (the export
    // warns), so it is where libpq looks by default: ~/.postgresql/root.crt. -w: psql
    // never prompts, so the password can only come from the command itself.
    let run = |command: &str, root: Option<&str>| {
        client("sh", root)
            .arg("-c")
            .arg(format!("{command} -X -w -Atc 'select current_user'"))
            .output()
            .unwrap()
    };
    let out = run(&command, Some(&pg.ca.cert_pem));
    assert!(out.status.success(), "{command}: {}", all_output(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), APP_USER);

    // verify-full is really in the command: without a CA to check against, libpq refuses.
    let out = run(&command, None);
    assert!(!out.status.success(), "{}", all_output(&out));
    assert!(
        all_output(&out).contains("root certificate file"),
        "{}",
        all_output(&out)
    );

    // Without --include-secrets: no password in it, and psql cannot log in.
    let (e, o) = export(&dir, &name, "psql", false);
    assert_no_secret(&o, &pg.app_password, "export psql");
    let bare = e["text"].as_str().unwrap().to_owned();
    assert!(texts(&e["warnings"])
        .iter()
        .any(|w| w.contains("the password is not included")));
    let out = run(&bare, Some(&pg.ca.cert_pem));
    assert!(!out.status.success(), "{}", all_output(&out));
    assert!(
        all_output(&out).contains("no password supplied"),
        "{}",
        all_output(&out)
    );

    // The human output is the command alone on stdout (warnings on stderr).
    let human = cli(
        &dir,
        &["export", &name, "--format", "psql", "--include-secrets"],
        None,
        &[],
    );
    assert!(human.status.success(), "{}", all_output(&human));
    assert_eq!(String::from_utf8_lossy(&human.stdout).trim_end(), command);
    assert!(String::from_utf8_lossy(&human.stderr).contains(CA_WARNING));
}

#[test]
fn exported_kv_and_url_with_secrets_connect_through_psql_and_without_them_hold_no_password() {
    require_keyring_session();
    let pg = PgServer::shared();
    let dir = data_dir("exp-kv-url");
    let name = save_live(&dir, pg);
    let ca = ca_file(pg);
    let psql = pg_bin_dir().join("psql").display().to_string();

    // The CA PEM lives in Switchboard's database, not in a file, so no exported string
    // can name it (the export warns so). The test supplies the file a user would save,
    // by appending sslrootcert; everything else comes from the export.
    for (format, with_ca) in [
        ("kv", format!(" sslrootcert={ca}")),
        ("url", format!("&sslrootcert={ca}")),
    ] {
        let (e, o) = export(&dir, &name, format, true);
        assert_eq!(e["format"], format);
        assert!(
            texts(&e["warnings"]).contains(&CA_WARNING.to_owned()),
            "{e}"
        );
        let text = e["text"].as_str().unwrap().to_owned();
        if format == "kv" {
            assert!(text.contains(&pg.app_password), "{text}");
            assert!(text.contains("sslmode=verify-full"), "{text}");
        } else {
            assert!(
                !all_output(&o).contains(&pg.app_password),
                "a URL percent-encodes the password"
            );
        }
        let out = client(&psql, None)
            .arg(format!("{text}{with_ca}"))
            .args(["-X", "-w", "-Atc", "select current_user"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{format}: {}", all_output(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            APP_USER,
            "{format}"
        );

        let (e, o) = export(&dir, &name, format, false);
        assert_no_secret(&o, &pg.app_password, format);
        let out = client(&psql, None)
            .arg(format!("{}{with_ca}", e["text"].as_str().unwrap()))
            .args(["-X", "-w", "-Atc", "select current_user"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{format}: {}", all_output(&out));
        assert!(
            all_output(&out).contains("no password supplied"),
            "{format}: {}",
            all_output(&out)
        );
    }

    // What comes out goes back in: the exported URL imports to the same connection.
    let (e, _) = export(&dir, &name, "url", true);
    let back = cli(
        &dir,
        &["import", e["text"].as_str().unwrap(), "--json"],
        None,
        &[],
    );
    let saved = json(&cli(&dir, &["show", &name, "--json"], None, &[]));
    let d = json(&back);
    for k in [
        "engine",
        "host",
        "port",
        "database",
        "username",
        "timeout_secs",
    ] {
        assert_eq!(d["fields"][k], saved[k], "{k}");
    }
    assert_eq!(d["fields"]["tls"]["mode"], saved["tls"]["mode"]);
    assert_eq!(d["has_password"], true);
    // Its derived name is the saved one's: the draft suggests a free one, as `--save` would.
    assert_eq!(errors(&d["issues"]), Vec::<String>::new(), "{d}");
    assert!(d["fields"]["name"].as_str().unwrap().ends_with("-2"), "{d}");
    assert_eq!(back.status.code(), Some(0));
}

#[test]
fn exporting_an_unknown_connection_or_a_format_the_engine_lacks_fails_cleanly() {
    let dir = data_dir("exp-errors");
    let o = cli(
        &dir,
        &[
            "import",
            "mongodb://app@mongo.example.com/app",
            "--save",
            "--json",
        ],
        None,
        &[],
    );
    assert!(o.status.success(), "{}", all_output(&o));
    let name = json(&o)["connection"]["name"].as_str().unwrap().to_owned();
    let o = cli(
        &dir,
        &["export", &name, "--format", "jdbc", "--json"],
        None,
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "{}", all_output(&o));
    assert_eq!(json(&o)["error"]["code"], "export_not_possible");
    let o = cli(
        &dir,
        &["export", &name, "--format", "mongosh", "--json"],
        None,
        &[],
    );
    assert!(o.status.success(), "{}", all_output(&o));
    assert!(json(&o)["text"].as_str().unwrap().starts_with("mongosh "));
    let o = cli(
        &dir,
        &["export", "nope", "--format", "url", "--json"],
        None,
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "{}", all_output(&o));
    assert_eq!(json(&o)["error"]["code"], "not_found");
}

// ---------- files ----------

fn rows(preview: &Value) -> &Vec<Value> {
    preview["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("no rows: {preview}"))
}

#[test]
fn an_env_file_previews_saves_in_one_go_and_a_pgpass_then_sets_the_matching_password() {
    require_keyring_session();
    let dir = data_dir("imp-env-pgpass");
    let db_pw = test_password("env-url");
    let wh = unique("wh");
    let env = format!(
        "# settings for the app\n\
         PORT=3000\n\
         DEBUG=true\n\
         export DATABASE_URL=\"postgresql://app:{}@db.example.com:5432/orders?sslmode=verify-full&application_name=web\"\n\
         ANALYTICS_URL=mysql://reporter@mysql.example.com:3307/analytics?ssl-mode=REQUIRED\n\
         PGHOST=pg.example.com\n\
         PGPORT=5433\n\
         PGDATABASE={wh}\n\
         PGUSER=etl\n\
         PGSSLMODE=require\n",
        pct(&db_pw)
    );
    let env_file = write_file(".env", &env);
    let env_path = env_file.display().to_string();

    let p = cli(&dir, &["import", "--file", &env_path, "--json"], None, &[]);
    assert!(p.status.success(), "{}", all_output(&p));
    assert_no_secret(&p, &db_pw, "the .env preview");
    let preview = json(&p);
    assert_eq!(preview["source"], "env");
    let r = rows(&preview);
    let summary: Vec<(String, String, String, bool)> = r
        .iter()
        .map(|row| {
            (
                row["label"].as_str().unwrap().to_owned(),
                row["status"].as_str().unwrap().to_owned(),
                row["fields"]["name"].as_str().unwrap_or("").to_owned(),
                row["has_password"].as_bool().unwrap(),
            )
        })
        .collect();
    let pg_name = format!("{wh}-pg.example.com");
    assert_eq!(
        summary,
        vec![
            (
                "DATABASE_URL".into(),
                "ready".into(),
                "orders-db.example.com".into(),
                true
            ),
            (
                "ANALYTICS_URL".into(),
                "ready".into(),
                "analytics".into(),
                false
            ),
            (
                "PG* variables".into(),
                "ready".into(),
                pg_name.clone(),
                false
            ),
        ]
    );
    assert_eq!(r[0]["kind"], "env_line");
    assert_eq!(r[0]["fields"]["options"]["application_name"], "web");
    assert_eq!(r[1]["fields"]["engine"], "mysql");
    assert_eq!(r[1]["fields"]["port"], 3307);
    assert_eq!(r[1]["fields"]["tls"]["mode"], "require");
    assert_eq!(r[2]["fields"]["port"], 5433);
    assert_eq!(r[2]["fields"]["username"], "etl");
    assert_eq!(r[2]["fields"]["tls"]["mode"], "require");
    assert_eq!(
        texts(&preview["notes"]),
        vec!["2 lines hold no connection string and were skipped"]
    );
    assert_eq!(
        json(&cli(&dir, &["list", "--json"], None, &[])),
        serde_json::json!([]),
        "a preview saves nothing"
    );

    let s = cli(
        &dir,
        &["import", "--file", &env_path, "--save", "--json"],
        None,
        &[],
    );
    assert!(s.status.success(), "{}", all_output(&s));
    assert_no_secret(&s, &db_pw, "the .env save");
    let saved = json(&s);
    assert_eq!(
        names(&saved["created"]),
        vec!["orders-db.example.com", "analytics", pg_name.as_str()]
    );
    assert_eq!(saved["passwords_set"], serde_json::json!([]));
    let list = json(&cli(&dir, &["list", "--json"], None, &[]));
    assert_eq!(list.as_array().unwrap().len(), 3);
    let revealed = cli(
        &dir,
        &["reveal-password", "orders-db.example.com"],
        None,
        &[],
    );
    assert_eq!(
        String::from_utf8_lossy(&revealed.stdout).trim_end(),
        db_pw,
        "{}",
        all_output(&revealed)
    );
    let pg_conn = json(&cli(&dir, &["show", &pg_name, "--json"], None, &[]));
    assert_eq!(pg_conn["has_saved_password"], false);
    let none = cli(&dir, &["reveal-password", &pg_name, "--json"], None, &[]);
    assert_eq!(none.status.code(), Some(1), "{}", all_output(&none));

    // A .pgpass: line 1 matches the PG* connection; line 2 would too, but libpq uses
    // the first match; line 3 matches nothing saved.
    let first = test_password("pgpass-first");
    let later = test_password("pgpass-later");
    let pgpass = format!(
        "# host:port:db:user:password\n\
         pg.example.com:5433:{wh}:etl:{}\n\
         *:*:*:etl:{}\n\
         elsewhere.example.com:5432:*:*:{}\n",
        first.replace(':', "\\:"),
        later.replace(':', "\\:"),
        test_password("pgpass-none").replace(':', "\\:"),
    );
    let pgpass_file = write_file(".pgpass", &pgpass);
    let pgpass_path = pgpass_file.display().to_string();
    let p = cli(
        &dir,
        &["import", "--file", &pgpass_path, "--json"],
        None,
        &[],
    );
    assert!(p.status.success(), "{}", all_output(&p));
    assert_no_secret(&p, &first, "the .pgpass preview");
    let preview = json(&p);
    assert_eq!(preview["source"], "pgpass");
    let r = rows(&preview);
    assert_eq!(r.len(), 3, "{preview}");
    assert_eq!(r[0]["label"], "line 2");
    assert_eq!(r[0]["status"], "password");
    assert_eq!(r[0]["matches"], serde_json::json!([pg_name]));
    assert_eq!(r[0]["has_password"], true);
    assert_eq!(
        r[1]["status"], "no_match",
        "the first match wins: {preview}"
    );
    assert_eq!(r[2]["label"], "line 4");
    assert_eq!(r[2]["status"], "no_match");
    assert_eq!(r[2]["matches"], serde_json::json!([]));

    let s = cli(
        &dir,
        &["import", "--file", &pgpass_path, "--save", "--json"],
        None,
        &[],
    );
    assert!(s.status.success(), "{}", all_output(&s));
    assert_no_secret(&s, &first, "the .pgpass save");
    let saved = json(&s);
    assert_eq!(saved["created"], serde_json::json!([]));
    assert_eq!(saved["passwords_set"], serde_json::json!([pg_name]));
    let revealed = cli(&dir, &["reveal-password", &pg_name], None, &[]);
    assert_eq!(
        String::from_utf8_lossy(&revealed.stdout).trim_end(),
        first,
        "{}",
        all_output(&revealed)
    );
    let pg_conn = json(&cli(&dir, &["show", &pg_name, "--json"], None, &[]));
    assert_eq!(pg_conn["has_saved_password"], true);
    assert_eq!(pg_conn["version"], 2);
    // The other connections' passwords are untouched.
    let revealed = cli(
        &dir,
        &["reveal-password", "orders-db.example.com"],
        None,
        &[],
    );
    assert_eq!(String::from_utf8_lossy(&revealed.stdout).trim_end(), db_pw);
}

/// Whether the keyring holds any Switchboard entry whose label names `name`.
fn keyring_has_label_for(name: &str) -> bool {
    let out = Command::new("secret-tool")
        .args(["search", "--all", "service", "switchboard"])
        .output()
        .expect("secret-tool (libsecret-tools)");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    text.contains(&format!("for {name}\n"))
}

#[test]
fn choosing_an_invalid_row_saves_nothing_not_even_the_valid_rows_passwords() {
    require_keyring_session();
    let dir = data_dir("imp-one-tx");
    let db = unique("orders");
    let pw = test_password("one-tx");
    let lines = format!(
        "postgresql://app:{}@db1.example.com/{db}?sslmode=require\n\
         mysql://root@db2.example.com:99999/x\n\
         Server=sql.example.com;Database={db};User Id=sa;Password={{{pw}}};Encrypt=true\n",
        pct(&pw)
    );
    let file = write_file("connections.txt", &lines);
    let path = file.display().to_string();

    // The preview shows the bad row; a batch with an invalid row exits 1.
    let p = cli(&dir, &["import", "--file", &path, "--json"], None, &[]);
    assert_eq!(p.status.code(), Some(1), "{}", all_output(&p));
    assert_no_secret(&p, &pw, "the preview");
    let preview = json(&p);
    assert_eq!(preview["source"], "lines");
    let statuses: Vec<&str> = rows(&preview)
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["ready", "invalid", "ready"]);
    assert_eq!(rows(&preview)[1]["error"]["code"], "port_out_of_range");
    assert_eq!(rows(&preview)[1]["label"], "line 2");

    for chosen in ["1,2,3", "2", "3,2"] {
        let s = cli(
            &dir,
            &[
                "import", "--file", &path, "--save", "--rows", chosen, "--json",
            ],
            None,
            &[],
        );
        assert_eq!(s.status.code(), Some(1), "{chosen}: {}", all_output(&s));
        let e = json(&s);
        assert_eq!(e["error"]["code"], "validation_failed", "{e}");
        assert_eq!(e["error"]["issues"][0]["field"], "rows");
        assert_no_secret(&s, &pw, "a refused save");
        assert_eq!(
            json(&cli(&dir, &["list", "--json"], None, &[])),
            serde_json::json!([]),
            "--rows {chosen}: nothing was saved"
        );
    }
    let pg_name = format!("{db}-db1.example.com");
    let ms_name = format!("{db}-sql.example.com");
    for n in [&pg_name, &ms_name] {
        let r = cli(&dir, &["reveal-password", n, "--json"], None, &[]);
        assert_eq!(r.status.code(), Some(1));
        assert_eq!(json(&r)["error"]["code"], "not_found");
        assert!(
            !keyring_has_label_for(n),
            "no keychain entry was written for {n}"
        );
    }

    // Choosing only good rows saves exactly those, in one go.
    let s = cli(
        &dir,
        &[
            "import", "--file", &path, "--save", "--rows", "1,3", "--json",
        ],
        None,
        &[],
    );
    assert!(s.status.success(), "{}", all_output(&s));
    assert_eq!(
        names(&json(&s)["created"]),
        vec![pg_name.clone(), ms_name.clone()]
    );
    for n in [&pg_name, &ms_name] {
        let r = cli(&dir, &["reveal-password", n], None, &[]);
        assert_eq!(String::from_utf8_lossy(&r.stdout).trim_end(), pw);
        assert!(keyring_has_label_for(n));
    }
}

fn two_row_file() -> String {
    write_file(
        "connections.txt",
        "postgresql://app@db1.example.com/one?sslmode=require\n\
         postgresql://app@db2.example.com/two?sslmode=require\n",
    )
    .display()
    .to_string()
}

#[test]
fn a_row_past_the_end_is_refused_in_the_users_own_1_based_numbering() {
    let dir = data_dir("imp-row-past-end");
    let path = two_row_file();
    let o = cli(
        &dir,
        &["import", "--file", &path, "--save", "--rows", "3", "--json"],
        None,
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "{}", all_output(&o));
    let e = json(&o);
    assert_eq!(e["error"]["code"], "validation_failed");
    assert_eq!(
        json(&cli(&dir, &["list", "--json"], None, &[])),
        serde_json::json!([])
    );
    let message = e["error"]["issues"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.starts_with("There is no row 3 "),
        "the preview numbers rows from 1 and --rows 3 was given: {e}"
    );
}

#[test]
fn row_0_is_refused_rather_than_read_as_row_1() {
    let dir = data_dir("imp-row-0");
    let path = two_row_file();
    let o = cli(
        &dir,
        &["import", "--file", &path, "--save", "--rows", "0", "--json"],
        None,
        &[],
    );
    let list = json(&cli(&dir, &["list", "--json"], None, &[]));
    // A usage error (clap's exit code 2), before anything is read or saved.
    assert_eq!(
        o.status.code(),
        Some(2),
        "rows are numbered from 1, yet --rows 0 saved {:?}: {}",
        names(&list),
        all_output(&o)
    );
    assert!(
        all_output(&o).contains("0 is not in 1.."),
        "{}",
        all_output(&o)
    );
    assert_eq!(list, serde_json::json!([]));
}

#[test]
fn pg_service_sections_import_as_named_connections() {
    let dir = data_dir("imp-service");
    let pw = test_password("service");
    let text = format!(
        "# services\n\
         [billing]\n\
         host=billing.example.com\n\
         port=5433\n\
         dbname=billing\n\
         user=biller\n\
         sslmode=verify-full\n\
         \n\
         [reports]\n\
         host=reports.example.com\n\
         dbname=reports\n\
         user=reader\n\
         password={pw}\n\
         application_name=dashboards\n\
         keepalives=1\n\
         this line is not a setting\n"
    );
    let file = write_file("pg_service.conf", &text);
    let path = file.display().to_string();
    let p = cli(&dir, &["import", "--file", &path, "--json"], None, &[]);
    assert!(p.status.success(), "{}", all_output(&p));
    assert_no_secret(&p, &pw, "the service-file preview");
    let preview = json(&p);
    assert_eq!(preview["source"], "pg_service");
    let r = rows(&preview);
    assert_eq!(r.len(), 2, "{preview}");
    assert_eq!(r[0]["label"], "[billing]");
    assert_eq!(r[0]["status"], "ready");
    assert_eq!(r[0]["fields"]["name"], "billing");
    assert_eq!(r[0]["fields"]["host"], "billing.example.com");
    assert_eq!(r[0]["fields"]["port"], 5433);
    assert_eq!(r[0]["fields"]["tls"]["mode"], "verify-full");
    assert_eq!(r[0]["has_password"], false);
    assert_eq!(r[1]["label"], "[reports]");
    assert_eq!(r[1]["fields"]["name"], "reports");
    assert_eq!(r[1]["fields"]["port"], 5432);
    assert_eq!(r[1]["fields"]["options"]["application_name"], "dashboards");
    assert_eq!(r[1]["has_password"], true);
    assert!(
        texts(&r[1]["warnings"]).contains(
            &"parameter keepalives has no Switchboard setting; it was not imported".into()
        ),
        "{preview}"
    );
    assert_eq!(
        texts(&preview["notes"]),
        vec!["line 16: not a [section] or keyword=value line; skipped"]
    );

    // A section named like a saved connection is renamed, not merged.
    let s = cli(
        &dir,
        &["import", "--file", &path, "--save", "--rows", "1", "--json"],
        None,
        &[],
    );
    assert!(s.status.success(), "{}", all_output(&s));
    let p = json(&cli(
        &dir,
        &["import", "--file", &path, "--json"],
        None,
        &[],
    ));
    assert_eq!(rows(&p)[0]["fields"]["name"], "billing-2");
    assert!(texts(&rows(&p)[0]["warnings"])
        .contains(&"renamed from billing to billing-2: the name is taken".into()));
}

#[test]
fn a_json_list_of_lerian_sequin_and_infisical_bodies_previews_one_row_per_item() {
    require_keyring_session();
    let dir = data_dir("imp-json-list");
    let pw = test_password("json-list");
    let body = serde_json::json!([
        {
            "configName": "ledger-db", "type": "POSTGRESQL", "host": "ledger.example.com",
            "port": 5432, "databaseName": "ledger", "userName": "ledger", "password": pw,
            "ssl": {"mode": "verify-full"}
        },
        {
            "name": "orders-replica", "hostname": "replica.example.com", "port": 5434,
            "database": "orders", "username": "cdc", "password": pw, "ssl": true
        },
        {
            "name": "billing-mssql", "app": "mssql", "method": "username-and-password",
            "credentials": {
                "host": "mssql.example.com", "port": 1433, "database": "billing",
                "username": "sa", "password": pw, "sslEnabled": true,
                "sslRejectUnauthorized": true
            }
        },
        {"something": "else"}
    ])
    .to_string();
    let file = write_file("connections.json", &body);
    let path = file.display().to_string();
    let p = cli(&dir, &["import", "--file", &path, "--json"], None, &[]);
    // The fourth item is not a connection: the preview says so, and exits 1.
    assert_eq!(p.status.code(), Some(1), "{}", all_output(&p));
    assert_no_secret(&p, &pw, "the JSON preview");
    let preview = json(&p);
    assert_eq!(preview["source"], "json");
    let r = rows(&preview);
    assert_eq!(r.len(), 4, "{preview}");
    let got: Vec<(String, String, String, String, u64)> = r[..3]
        .iter()
        .map(|row| {
            (
                row["label"].as_str().unwrap().to_owned(),
                row["status"].as_str().unwrap().to_owned(),
                row["fields"]["engine"].as_str().unwrap().to_owned(),
                row["fields"]["host"].as_str().unwrap().to_owned(),
                row["fields"]["port"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "ledger-db".into(),
                "ready".into(),
                "postgres".into(),
                "ledger.example.com".into(),
                5432
            ),
            (
                "orders-replica".into(),
                "ready".into(),
                "postgres".into(),
                "replica.example.com".into(),
                5434
            ),
            (
                "billing-mssql".into(),
                "ready".into(),
                "sqlserver".into(),
                "mssql.example.com".into(),
                1433
            ),
        ]
    );
    for row in &r[..3] {
        assert_eq!(row["kind"], "payload");
        assert_eq!(row["has_password"], true, "{row}");
    }
    assert_eq!(r[3]["label"], "item 4");
    assert_eq!(r[3]["status"], "invalid");
    assert_eq!(r[3]["error"]["code"], "payload_invalid");

    // Saving the good ones: all three, passwords in the keychain, nothing printed.
    let s = cli(
        &dir,
        &[
            "import", "--file", &path, "--save", "--rows", "1,2,3", "--json",
        ],
        None,
        &[],
    );
    assert!(s.status.success(), "{}", all_output(&s));
    assert_no_secret(&s, &pw, "the JSON save");
    assert_eq!(
        names(&json(&s)["created"]),
        vec!["ledger-db", "orders-replica", "billing-mssql"]
    );
}

#[test]
fn import_takes_nothing_from_pg_environment_variables_or_a_pgpass_file() {
    // libpq (and sqlx's parser) would fill the gaps from these; an import must not.
    let dir = data_dir("imp-no-env");
    let home = test_root().join(format!("home-{}", unique("env")));
    std::fs::create_dir_all(&home).unwrap();
    let pgpass = home.join(".pgpass");
    std::fs::write(&pgpass, "*:*:*:*:from-pgpass-file\n").unwrap();
    let home_str = home.display().to_string();
    let pgpass_str = pgpass.display().to_string();
    let o = cli(
        &dir,
        &["import", "postgresql:///orders", "--json"],
        None,
        &[
            ("PGHOST", "env-host.example.com"),
            ("PGPORT", "6543"),
            ("PGUSER", "env-user"),
            ("PGPASSWORD", "from-env"),
            ("PGSSLMODE", "disable"),
            ("PGPASSFILE", &pgpass_str),
            ("HOME", &home_str),
        ],
    );
    let d = json(&o);
    assert_eq!(d["fields"]["host"], "", "{d}");
    assert_eq!(d["fields"]["port"], 5432);
    assert_eq!(d["fields"]["username"], "");
    assert_eq!(d["fields"]["tls"]["mode"], "prefer");
    assert_eq!(d["has_password"], false);
    assert!(!all_output(&o).contains("from-env") && !all_output(&o).contains("from-pgpass-file"));
    // The draft is incomplete, and says so, rather than borrowing the environment's values.
    assert_eq!(o.status.code(), Some(1));
    assert!(
        errors(&d["issues"]).contains(&"host_required".to_owned()),
        "{d}"
    );
}
