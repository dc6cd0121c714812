//! The `switchboard` CLI as a user runs it: a real process, a real data dir, the real
//! keychain, the throwaway PostgreSQL.

use std::process::{Command, Stdio};

use switchboard_tests::cli::{all_output, json, run as cli};
use switchboard_tests::pg::{PgServer, APP_DB, APP_USER};
use switchboard_tests::{data_dir, require_keyring_session, test_root, workspace_bin};

fn add_args(pg: &PgServer, ca_file: &str, name: &str) -> Vec<String> {
    [
        "add",
        "--name",
        name,
        "--host",
        "localhost",
        "--port",
        &pg.port.to_string(),
        "--database",
        APP_DB,
        "--username",
        APP_USER,
        "--sslmode",
        "verify-full",
        "--ca-file",
        ca_file,
        "--password-stdin",
        "--json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn ca_file(pg: &PgServer) -> String {
    let p = test_root().join(format!("ca-{}.pem", uuid::Uuid::new_v4().simple()));
    std::fs::write(&p, &pg.ca.cert_pem).unwrap();
    p.display().to_string()
}

#[test]
fn add_list_show_test_update_delete_through_the_cli_never_prints_the_password() {
    require_keyring_session();
    let pg = PgServer::shared();
    let dir = data_dir("cli-flow");
    let ca = ca_file(pg);
    let args = add_args(pg, &ca, "cli-pg");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let added = cli(&dir, &args, Some(&pg.app_password), &[]);
    assert!(added.status.success(), "{}", all_output(&added));
    let c = json(&added);
    assert_eq!(c["version"], 1);
    assert_eq!(c["has_saved_password"], true);

    for args in [
        &["list", "--json"][..],
        &["show", "cli-pg", "--json"],
        &["list"],
        &["show", "CLI-PG"],
    ] {
        let o = cli(&dir, args, None, &[]);
        assert!(o.status.success(), "{args:?}: {}", all_output(&o));
        assert!(
            !all_output(&o).contains(&pg.app_password),
            "{args:?} printed the password"
        );
        assert!(all_output(&o).contains("cli-pg"));
    }

    let t = cli(&dir, &["test", "cli-pg", "--json"], None, &[]);
    assert!(t.status.success(), "{}", all_output(&t));
    let report = json(&t);
    assert_eq!(report["ok"], true);
    assert_eq!(report["server"]["current_user"], APP_USER);
    assert!(!all_output(&t).contains(&pg.app_password));

    let human = cli(&dir, &["test", "cli-pg"], None, &[]);
    let text = all_output(&human);
    assert!(
        text.contains("TLS handshake") && text.contains("connected: PostgreSQL"),
        "{text}"
    );

    let u = cli(
        &dir,
        &["update", "cli-pg", "--password-stdin", "--json"],
        Some("wrong-password"),
        &[],
    );
    assert!(u.status.success(), "{}", all_output(&u));
    assert_eq!(json(&u)["version"], 2);
    let t = cli(&dir, &["test", "cli-pg", "--json"], None, &[]);
    assert_eq!(t.status.code(), Some(1));
    assert_eq!(json(&t)["error"]["code"], "auth_failed");

    let d = cli(&dir, &["delete", "cli-pg", "--json"], None, &[]);
    assert!(d.status.success(), "{}", all_output(&d));
    let l = cli(&dir, &["list", "--json"], None, &[]);
    assert_eq!(json(&l), serde_json::json!([]));
}

#[test]
fn reveal_password_prints_it_only_when_asked() {
    require_keyring_session();
    let pg = PgServer::shared();
    let dir = data_dir("cli-reveal");
    let ca = ca_file(pg);
    let args = add_args(pg, &ca, "reveal-me");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert!(cli(&dir, &args, Some(&pg.app_password), &[])
        .status
        .success());
    let o = cli(&dir, &["reveal-password", "reveal-me"], None, &[]);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim_end(),
        pg.app_password
    );
}

#[test]
fn invalid_fields_exit_non_zero_with_every_issue_as_json() {
    let dir = data_dir("cli-invalid");
    let o = cli(
        &dir,
        &[
            "add",
            "--name",
            "two\nlines",
            "--handle",
            "x y",
            "--host",
            "h/x",
            "--port",
            "70000",
            "--json",
        ],
        None,
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = json(&o);
    assert_eq!(e["error"]["code"], "validation_failed");
    let fields: Vec<&str> = e["error"]["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec!["name", "handle", "host", "port", "database", "username"]
    );
}

#[test]
fn test_url_with_verify_full_and_sslrootcert_file_connects() {
    let pg = PgServer::shared();
    let ca = ca_file(pg);
    let url = format!(
        "postgresql://{APP_USER}@localhost:{}/{APP_DB}?sslmode=verify-full&sslrootcert={ca}&connect_timeout=5",
        pg.port
    );
    let o = cli(
        &data_dir("cli-url"),
        &["test", "--url", &url, "--password-stdin", "--json"],
        Some(&pg.app_password),
        &[],
    );
    assert!(o.status.success(), "{}", all_output(&o));
    assert_eq!(json(&o)["ok"], true);
    // Same URL without the CA: untrusted, non-zero exit.
    let bare = url.replace(&format!("&sslrootcert={ca}"), "");
    let o = cli(
        &data_dir("cli-url"),
        &["test", "--url", &bare, "--password-stdin", "--json"],
        Some(&pg.app_password),
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["error"]["code"], "tls_untrusted");
}

#[test]
fn test_url_with_a_client_certificate_from_files_connects_as_that_user() {
    let pg = PgServer::shared();
    let client = pg.ca.client(switchboard_tests::pg::CERT_USER);
    let root = test_root();
    let (cert, key) = (
        root.join(format!("c-{}.crt", std::process::id())),
        root.join(format!("c-{}.key", std::process::id())),
    );
    std::fs::write(&cert, &client.cert_pem).unwrap();
    std::fs::write(&key, &client.key_pem).unwrap();
    let url = format!(
        "postgres://{}@localhost:{}/{APP_DB}?sslmode=verify-full&sslrootcert={}&sslcert={}&sslkey={}",
        switchboard_tests::pg::CERT_USER,
        pg.port,
        ca_file(pg),
        cert.display(),
        key.display()
    );
    let o = cli(
        &data_dir("cli-mtls"),
        &["test", "--url", &url, "--json"],
        None,
        &[],
    );
    assert!(o.status.success(), "{}", all_output(&o));
}

#[test]
fn without_a_secret_service_saving_a_password_fails_clearly_and_saves_nothing() {
    let dir = data_dir("cli-no-keyring");
    let no_bus = [(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/switchboard-no-bus",
    )];
    let o = cli(
        &dir,
        &[
            "add",
            "--name",
            "no-keyring",
            "--host",
            "h",
            "--database",
            "d",
            "--username",
            "u",
            "--password-stdin",
            "--json",
        ],
        Some(&switchboard_tests::test_password("no-keyring")),
        &no_bus,
    );
    assert_eq!(o.status.code(), Some(1), "{}", all_output(&o));
    let e = json(&o);
    assert_eq!(e["error"]["code"], "keychain_unavailable", "{e}");
    assert!(e["error"]["hint"].as_str().unwrap().contains("keyring"));
    let l = cli(&dir, &["list", "--json"], None, &no_bus);
    assert_eq!(json(&l), serde_json::json!([]), "the row was rolled back");
    // Without a password the keychain is not needed at all.
    let o = cli(
        &dir,
        &[
            "add",
            "--name",
            "no-keyring",
            "--host",
            "h",
            "--database",
            "d",
            "--username",
            "u",
            "--password-save",
            "ask",
            "--json",
        ],
        None,
        &no_bus,
    );
    assert!(o.status.success(), "{}", all_output(&o));
}

#[test]
fn a_session_bus_without_a_keyring_daemon_is_keychain_unavailable() {
    // A bare dbus-daemon with no activatable services: the bus answers, but nobody owns
    // org.freedesktop.secrets (as on a machine with no keyring installed).
    let config = test_root().join(format!("bare-bus-{}.conf", std::process::id()));
    std::fs::write(
        &config,
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>"#,
    )
    .unwrap();
    let out = Command::new("dbus-daemon")
        .arg(format!("--config-file={}", config.display()))
        .args(["--fork", "--print-address=1", "--print-pid=1"])
        .output()
        .expect("dbus-daemon");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let mut lines = text.lines();
    let (address, pid) = (
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
    );
    let dir = data_dir("cli-no-daemon");
    let o = cli(
        &dir,
        &[
            "add",
            "--name",
            "nd",
            "--host",
            "h",
            "--database",
            "d",
            "--username",
            "u",
            "--password-stdin",
            "--json",
        ],
        Some("x"),
        &[("DBUS_SESSION_BUS_ADDRESS", address)],
    );
    Command::new("kill").arg(pid).status().ok();
    assert_eq!(o.status.code(), Some(1), "{}", all_output(&o));
    assert_eq!(
        json(&o)["error"]["code"],
        "keychain_unavailable",
        "{}",
        all_output(&o)
    );
}

#[test]
fn a_locked_keyring_is_keychain_locked_and_nothing_is_saved() {
    // A private session whose gnome-keyring is unlocked, used, then locked. DISPLAY is
    // removed so the unlock prompt is dismissed at once instead of waiting for a person.
    let home = test_root().join(format!("locked-home-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(home.join("run")).unwrap();
    std::fs::set_permissions(
        home.join("run"),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    let (first, second) = (data_dir("cli-locked-a"), data_dir("cli-locked-b"));
    let script = r#"
        printf unlock | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
        for i in $(seq 1 100); do
          dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
            org.freedesktop.DBus.ListNames 2>/dev/null | grep -q org.freedesktop.secrets && break
          sleep 0.05
        done
        printf '%s\n' "$PW1" | "$CLI" --data-dir "$D1" add --name a --host h --database d --username u --password-stdin --json >/dev/null || exit 90
        dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
          org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null || exit 91
        printf '%s\n' "$PW2" | "$CLI" --data-dir "$D2" add --name b --host h --database d --username u --password-stdin --json
        echo "add-exit=$?"
        "$CLI" --data-dir "$D2" list --json
        "$CLI" --data-dir "$D1" reveal-password a --json
        echo "reveal-exit=$?"
    "#;
    let out = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", script])
        .env_remove("DISPLAY")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("HOME", &home)
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("CLI", workspace_bin("switchboard"))
        .env("D1", &first)
        .env("D2", &second)
        .env("PW1", switchboard_tests::test_password("locked-1"))
        .env("PW2", switchboard_tests::test_password("locked-2"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("add-exit=1"), "{text}");
    assert!(text.contains("reveal-exit=1"), "{text}");
    assert_eq!(
        text.matches("\"code\": \"keychain_locked\"").count(),
        2,
        "{text}"
    );
    assert!(text.contains("Unlock your keyring"), "{text}");
    assert!(
        text.contains("[]"),
        "the refused connection was not saved: {text}"
    );
}

#[test]
fn environment_tags_and_metadata_from_flags_are_saved_and_shown() {
    let dir = data_dir("cli-labels");
    let o = cli(
        &dir,
        &[
            "add",
            "--name",
            "prod-orders",
            "--host",
            "db.example.com",
            "--database",
            "orders",
            "--username",
            "app",
            "--password-save",
            "none",
            "--environment",
            "production",
            "--tag",
            "billing",
            "--tag",
            "eu-west",
            "--meta",
            "team=payments",
            "--meta",
            "runbook=https://wiki/x?a=b",
            "--json",
        ],
        None,
        &[],
    );
    assert!(o.status.success(), "{}", all_output(&o));
    let c = json(&o);
    assert_eq!(c["environment"], "production");
    assert_eq!(c["tags"], serde_json::json!(["billing", "eu-west"]));
    assert_eq!(c["metadata"]["runbook"], "https://wiki/x?a=b");
    let listed = cli(&dir, &["list"], None, &[]);
    assert!(
        all_output(&listed).contains("production"),
        "{}",
        all_output(&listed)
    );
    let bad = cli(
        &dir,
        &[
            "update",
            "prod-orders",
            "--meta",
            &format!("{}=x", "k".repeat(101)),
            "--json",
        ],
        None,
        &[],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert_eq!(
        json(&bad)["error"]["issues"][0]["code"],
        "metadata_key_invalid"
    );
}

#[test]
fn password_stdin_with_nothing_piped_in_is_an_error_not_an_empty_password() {
    let dir = data_dir("cli-empty-stdin");
    let o = cli(
        &dir,
        &[
            "add",
            "--name",
            "x",
            "--host",
            "h",
            "--database",
            "d",
            "--username",
            "u",
            "--password-stdin",
            "--json",
        ],
        Some(""),
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "{}", all_output(&o));
    assert_eq!(json(&o)["error"]["code"], "password_required");
    assert_eq!(
        json(&cli(&dir, &["list", "--json"], None, &[])),
        serde_json::json!([])
    );
}

#[test]
fn a_client_certificate_from_files_is_saved_and_used_by_test() {
    require_keyring_session();
    let pg = PgServer::shared();
    let client = pg.ca.client(switchboard_tests::pg::CERT_USER);
    let root = test_root();
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let (cert, key) = (
        root.join(format!("cc-{tag}.crt")),
        root.join(format!("cc-{tag}.key")),
    );
    std::fs::write(&cert, &client.cert_pem).unwrap();
    std::fs::write(&key, &client.key_pem).unwrap();
    let dir = data_dir("cli-mtls-saved");
    let port = pg.port.to_string();
    let ca = ca_file(pg);
    let cert = cert.display().to_string();
    let key = key.display().to_string();
    let o = cli(
        &dir,
        &[
            "add",
            "--name",
            "mtls",
            "--host",
            "localhost",
            "--port",
            &port,
            "--database",
            APP_DB,
            "--username",
            switchboard_tests::pg::CERT_USER,
            "--password-save",
            "none",
            "--ca-file",
            &ca,
            "--client-cert-file",
            &cert,
            "--client-key-file",
            &key,
            "--json",
        ],
        None,
        &[],
    );
    assert!(o.status.success(), "{}", all_output(&o));
    assert_eq!(json(&o)["has_client_key"], true);
    assert!(!all_output(&o).contains("PRIVATE KEY"));
    let t = cli(&dir, &["test", "mtls", "--json"], None, &[]);
    assert!(t.status.success(), "{}", all_output(&t));
}

#[test]
fn every_engine_can_be_described_and_saved_from_the_command_line() {
    let dir = data_dir("cli-engines");
    let specs = json(&cli(&dir, &["engines", "--json"], None, &[]));
    let names: Vec<&str> = specs
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["engine"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "postgres",
            "sqlserver",
            "mysql",
            "mongodb",
            "oracle",
            "sqlite"
        ]
    );

    let cases: Vec<Vec<&str>> = vec![
        vec![
            "--engine",
            "sqlite",
            "--name",
            "local-file",
            "--database",
            "/var/lib/app.db",
            "--option",
            "read_only=false",
        ],
        vec![
            "--engine",
            "mongodb",
            "--name",
            "mongo-rs",
            "--host",
            "a.example.com:27017,b.example.com",
            "--option",
            "replica_set=rs0",
            "--sslmode",
            "verify-full",
        ],
        vec![
            "--engine",
            "sqlserver",
            "--name",
            "mssql",
            "--host",
            "db01\\SQLEXPRESS",
            "--username",
            "sa",
            "--sslmode",
            "require",
        ],
        vec![
            "--engine",
            "oracle",
            "--name",
            "ora",
            "--host",
            "ora.example.com",
            "--database",
            "ORCL",
            "--username",
            "scott",
            "--option",
            "connect_by=sid",
        ],
        vec![
            "--engine",
            "mysql",
            "--name",
            "maria",
            "--host",
            "/run/mysqld/mysqld.sock",
            "--username",
            "root",
            "--sslmode",
            "disable",
        ],
    ];
    for args in cases {
        let mut full = vec!["add"];
        full.extend(args.iter());
        full.extend(["--password-save", "none", "--json"]);
        let o = cli(&dir, &full, None, &[]);
        assert!(o.status.success(), "{args:?}: {}", all_output(&o));
    }
    let list = json(&cli(&dir, &["list", "--json"], None, &[]));
    let by_name = |n: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == n)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_name("local-file")["options"]["read_only"], false);
    assert_eq!(by_name("local-file")["port"], 0);
    assert_eq!(by_name("mssql")["host"], "db01");
    assert_eq!(by_name("mssql")["options"]["instance"], "SQLEXPRESS");
    assert_eq!(by_name("ora")["options"]["connect_by"], "sid");

    // A level the engine cannot do, and a setting it does not have, are refused.
    let o = cli(
        &dir,
        &[
            "add",
            "--engine",
            "mongodb",
            "--name",
            "m2",
            "--host",
            "h",
            "--sslmode",
            "prefer",
            "--option",
            "schema=x",
            "--json",
        ],
        None,
        &[],
    );
    let codes: Vec<String> = json(&o)["error"]["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes, vec!["tls_mode_unsupported", "option_unknown"]);

    // A MySQL socket that is not there: refused at the connect step, no TLS attempted.
    let t = cli(&dir, &["test", "maria", "--json"], None, &[]);
    assert_eq!(t.status.code(), Some(1));
    let r = json(&t);
    assert_eq!(r["error"]["code"], "refused", "{r}");
    assert_eq!(r["error"]["step"], "connect", "{r}");
}

#[test]
fn lerian_payload_imports_without_printing_secrets_saves_and_exports_back() {
    require_keyring_session();
    let dir = data_dir("cli-payloads");
    let pw = switchboard_tests::test_password("lerian");
    let body = serde_json::json!({
        "configName": "reporting-db", "type": "POSTGRESQL", "host": "db.example.com", "port": 5432,
        "databaseName": "reports", "userName": "reporter", "password": pw, "schema": "sales",
        "ssl": {"mode": "require"}, "metadata": {"team": "finance"}, "retries": 3
    })
    .to_string();
    let preview = cli(
        &dir,
        &["import", "--format", "lerian", &body, "--json"],
        None,
        &[],
    );
    assert!(preview.status.success(), "{}", all_output(&preview));
    assert!(
        !all_output(&preview).contains(&pw),
        "the preview printed the password"
    );
    let p = json(&preview);
    assert_eq!(p["has_password"], true);
    assert_eq!(p["fields"]["options"]["schema"], "sales");
    assert_eq!(
        p["warnings"][0],
        "retries is not used by Switchboard and was left out"
    );
    assert_eq!(
        json(&cli(&dir, &["list", "--json"], None, &[])),
        serde_json::json!([]),
        "a preview saves nothing"
    );

    let saved = cli(
        &dir,
        &["import", "--format", "lerian", &body, "--save", "--json"],
        None,
        &[],
    );
    assert!(saved.status.success(), "{}", all_output(&saved));
    assert!(!all_output(&saved).contains(&pw));

    let out = cli(
        &dir,
        &["export", "reporting-db", "--format", "lerian", "--json"],
        None,
        &[],
    );
    assert!(
        !all_output(&out).contains(&pw),
        "secrets are left out by default"
    );
    let e = json(&out);
    assert_eq!(e["configName"], "reporting-db");
    assert_eq!(e["schema"], "sales");
    assert_eq!(e["ssl"]["mode"], "require");
    let with = json(&cli(
        &dir,
        &[
            "export",
            "reporting-db",
            "--format",
            "lerian",
            "--include-secrets",
            "--json",
        ],
        None,
        &[],
    ));
    assert_eq!(with["password"], pw.as_str());

    let sequin = json(&cli(
        &dir,
        &["export", "reporting-db", "--format", "sequin", "--json"],
        None,
        &[],
    ));
    assert_eq!(sequin["ssl"], true);
    let bad = cli(
        &dir,
        &["import", "--format", "infisical", "{not json", "--json"],
        None,
        &[],
    );
    assert_eq!(json(&bad)["error"]["code"], "payload_invalid");
}

#[test]
fn a_sequin_replica_is_matched_to_its_saved_primary_and_exported_with_it() {
    let dir = data_dir("cli-sequin-primary");
    let add = cli(
        &dir,
        &[
            "add",
            "--name",
            "orders-primary",
            "--host",
            "primary.example.com",
            "--port",
            "5433",
            "--database",
            "orders",
            "--username",
            "app",
            "--password-save",
            "none",
            "--sslmode",
            "require",
            "--json",
        ],
        None,
        &[],
    );
    assert!(add.status.success(), "{}", all_output(&add));
    let body = serde_json::json!({
        "name": "orders-replica", "hostname": "replica.example.com", "database": "orders", "username": "app",
        "ssl": true, "primary": {"hostname": "primary.example.com", "port": 5433, "database": "orders", "username": "app"}
    })
    .to_string();
    let saved = cli(
        &dir,
        &["import", "--format", "sequin", &body, "--save", "--json"],
        None,
        &[],
    );
    assert!(saved.status.success(), "{}", all_output(&saved));
    let s = json(&saved);
    assert_eq!(s["connection"]["options"]["replica_of"], "orders-primary");
    assert_eq!(s["warnings"], serde_json::json!([]));
    let out = json(&cli(
        &dir,
        &["export", "orders-replica", "--format", "sequin", "--json"],
        None,
        &[],
    ));
    assert_eq!(out["primary"]["hostname"], "primary.example.com");
    assert_eq!(out["primary"]["port"], 5433);
}

#[test]
fn test_prints_each_step_as_it_finishes_and_ctrl_c_cancels_at_once() {
    use std::io::{BufRead, BufReader};
    let silent = switchboard_tests::net::silent_listener();
    let url = format!(
        "postgresql://x@127.0.0.1:{}/d?sslmode=require&connect_timeout=60",
        silent.port()
    );
    let mut child = Command::new(workspace_bin("switchboard"))
        .arg("--data-dir")
        .arg(data_dir("cli-cancel"))
        .args(["test", "--url", &url])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // The connect step is printed while the test is still waiting on the server.
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen.push(line.clone());
        if line.contains("TCP connect") {
            break;
        }
    }
    assert!(seen.last().is_some_and(|l| l.starts_with("ok")), "{seen:?}");
    let sent = std::time::Instant::now();
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    assert!(
        sent.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        sent.elapsed()
    );
    assert_eq!(status.code(), Some(1));
    let text = rest.join("\n");
    assert!(text.contains("failed [cancelled]"), "{text}");
}

#[test]
fn test_all_runs_every_connection_reports_each_and_list_remembers_the_last_result() {
    require_keyring_session();
    let pg = PgServer::shared();
    let dir = data_dir("cli-test-all");
    let ca = ca_file(pg);
    let args = add_args(pg, &ca, "live");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert!(cli(&dir, &args, Some(&pg.app_password), &[])
        .status
        .success());
    let closed = switchboard_tests::net::closed_port().to_string();
    for (name, port, save) in [("closed", closed.as_str(), "none"), ("asks", "5432", "ask")] {
        let o = cli(
            &dir,
            &[
                "add",
                "--name",
                name,
                "--host",
                "127.0.0.1",
                "--port",
                port,
                "--database",
                "d",
                "--username",
                "u",
                "--sslmode",
                "require",
                "--password-save",
                save,
            ],
            None,
            &[],
        );
        assert!(o.status.success(), "{}", all_output(&o));
    }
    let o = cli(
        &dir,
        &["test", "--all", "--concurrency", "2", "--json"],
        None,
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "one failed: {}", all_output(&o));
    let results = json(&o);
    let by_name = |n: &str| {
        results
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == n)
            .cloned()
            .unwrap_or_else(|| panic!("{n} missing from {results}"))
    };
    assert_eq!(results.as_array().unwrap().len(), 3);
    assert_eq!(by_name("live")["report"]["ok"], true);
    assert_eq!(by_name("closed")["report"]["error"]["code"], "refused");
    assert_eq!(by_name("asks")["error"]["code"], "password_required");
    assert!(!all_output(&o).contains(&pg.app_password));

    let list = json(&cli(&dir, &["list", "--json"], None, &[]));
    let last = |n: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == n)
            .map(|c| c["last_test"].clone())
            .unwrap()
    };
    assert_eq!(last("live")["ok"], true);
    assert_eq!(last("closed")["ok"], false);
    assert_eq!(last("closed")["code"], "refused");
    assert!(
        last("asks").is_null(),
        "a connection that was not tested has no result"
    );
    let text = cli(&dir, &["list"], None, &[]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("last test: FAILED [refused]"), "{text}");
    assert!(text.contains("last test: untested"), "{text}");
}

#[test]
fn ctrl_c_stops_test_all_at_once_and_reports_what_was_not_tested() {
    use std::io::{BufRead, BufReader};
    let dir = data_dir("cli-test-all-cancel");
    let silent = switchboard_tests::net::silent_listener();
    let o = cli(
        &dir,
        &[
            "add",
            "--name",
            "hangs",
            "--host",
            "127.0.0.1",
            "--port",
            &silent.port().to_string(),
            "--database",
            "d",
            "--username",
            "u",
            "--sslmode",
            "require",
            "--password-save",
            "none",
            "--timeout",
            "60",
        ],
        None,
        &[],
    );
    assert!(o.status.success(), "{}", all_output(&o));
    let mut child = Command::new(workspace_bin("switchboard"))
        .arg("--data-dir")
        .arg(&dir)
        .args(["test", "--all"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = err.next().unwrap().unwrap();
    assert!(first.contains("Ctrl-C stops"), "{first}");
    let sent = std::time::Instant::now();
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert!(
        sent.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        sent.elapsed()
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1 not tested (cancelled)"), "{text}");
}

#[test]
fn an_oracle_connection_saved_through_the_cli_logs_in_with_the_keychain_password() {
    // Oracle cannot be installed here: the test-only peer checks the password for real
    // (O5LOGON) over TCPS with a certificate from a test CA.
    require_keyring_session();
    let password = switchboard_tests::test_password("cli-oracle");
    let ca = switchboard_tests::ca::TestCa::new("Switchboard Test CA (CLI Oracle)");
    let addr = switchboard_tests::tns::oracle_server(
        switchboard_tests::tns::OracleServer {
            service: "ORCLPDB1".into(),
            user: "SCOTT".into(),
            password: password.clone(),
            row: vec![
                "SCOTT".into(),
                "ORCLCDB".into(),
                "ORCLPDB1".into(),
                "PRIMARY".into(),
                "Oracle Database 21c test peer".into(),
            ],
            ..Default::default()
        },
        Some(switchboard_tests::tns::tls_config(&ca.server(
            &["localhost"],
            -1,
            30,
        ))),
    );
    let ca_path = test_root().join(format!("ora-ca-{}.pem", uuid::Uuid::new_v4().simple()));
    std::fs::write(&ca_path, &ca.cert_pem).unwrap();
    let dir = data_dir("cli-oracle");
    let port = addr.port().to_string();
    let ca_arg = ca_path.display().to_string();
    let added = cli(
        &dir,
        &[
            "add",
            "--engine",
            "oracle",
            "--name",
            "ora",
            "--host",
            "localhost",
            "--port",
            &port,
            "--database",
            "ORCLPDB1",
            "--username",
            "scott",
            "--sslmode",
            "verify-full",
            "--ca-file",
            &ca_arg,
            "--password-stdin",
            "--json",
        ],
        Some(&password),
        &[],
    );
    assert!(added.status.success(), "{}", all_output(&added));

    let t = cli(&dir, &["test", "ora", "--json"], None, &[]);
    assert!(t.status.success(), "{}", all_output(&t));
    let report = json(&t);
    assert_eq!(report["ok"], true);
    assert_eq!(report["server"]["current_user"], "SCOTT");
    assert_eq!(
        report["server"]["current_database"],
        "ORCLPDB1 (in ORCLCDB)"
    );
    assert!(!all_output(&t).contains(&password));

    let human = all_output(&cli(&dir, &["test", "ora"], None, &[]));
    assert!(
        human.contains("TLS handshake") && human.contains("connected: Oracle Database"),
        "{human}"
    );
    assert!(!human.contains(&password));

    let u = cli(
        &dir,
        &["update", "ora", "--password-stdin", "--json"],
        Some("wrong-password"),
        &[],
    );
    assert!(u.status.success(), "{}", all_output(&u));
    let t = cli(&dir, &["test", "ora", "--json"], None, &[]);
    assert_eq!(t.status.code(), Some(1), "{}", all_output(&t));
    let report = json(&t);
    assert_eq!(report["error"]["code"], "auth_failed");
    assert!(report["error"]["message"]
        .as_str()
        .unwrap()
        .contains("ORA-01017"));
}

#[test]
fn mongodb_verify_full_without_a_ca_trusts_this_machine_s_store_in_the_driver_too() {
    // rustls-native-certs reads SSL_CERT_FILE as the machine's store: with the test CA
    // there, both Switchboard's TLS step and the driver's own connections must trust the
    // peer; without it, neither does.
    require_keyring_session();
    let ca = switchboard_tests::ca::TestCa::new("Switchboard Test CA (machine store)");
    let password = switchboard_tests::test_password("cli-mongo");
    let peer = switchboard_tests::mongo::MongoPeer::new(
        Some(switchboard_tests::tns::tls_config(&ca.server(
            &["localhost"],
            -1,
            30,
        ))),
        "sb_app",
        &password,
    )
    .listen();
    let store = test_root().join(format!("store-{}.pem", uuid::Uuid::new_v4().simple()));
    std::fs::write(&store, &ca.cert_pem).unwrap();
    let dir = data_dir("cli-mongo-store");
    let port = peer.port().to_string();
    let added = cli(
        &dir,
        &[
            "add",
            "--engine",
            "mongodb",
            "--name",
            "mongo",
            "--host",
            "localhost",
            "--port",
            &port,
            "--username",
            "sb_app",
            "--sslmode",
            "verify-full",
            "--password-stdin",
            "--json",
        ],
        Some(&password),
        &[],
    );
    assert!(added.status.success(), "{}", all_output(&added));

    let store_env = store.display().to_string();
    let t = cli(
        &dir,
        &["test", "mongo", "--json"],
        None,
        &[("SSL_CERT_FILE", &store_env)],
    );
    assert!(t.status.success(), "{}", all_output(&t));
    let report = json(&t);
    assert_eq!(report["ok"], true, "{report:#}");
    assert!(!all_output(&t).contains(&password));

    let empty = test_root().join(format!("empty-{}.pem", uuid::Uuid::new_v4().simple()));
    std::fs::write(&empty, "").unwrap();
    let empty_env = empty.display().to_string();
    let t = cli(
        &dir,
        &["test", "mongo", "--json"],
        None,
        &[("SSL_CERT_FILE", &empty_env)],
    );
    assert_eq!(t.status.code(), Some(1), "{}", all_output(&t));
    assert_eq!(json(&t)["error"]["code"], "tls_untrusted");
}

/// Saves a password-less PostgreSQL connection called `name` with `extra` flags; its JSON.
fn add_plain(dir: &std::path::Path, name: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "add",
        "--name",
        name,
        "--host",
        "db.example.com",
        "--database",
        "app",
        "--username",
        "app",
        "--password-save",
        "none",
        "--json",
    ];
    args.extend_from_slice(extra);
    let out = cli(dir, &args, None, &[]);
    assert!(out.status.success(), "{}", all_output(&out));
    json(&out)
}

/// The display names `args` (a `list --json`) prints, in its order.
fn listed_names(dir: &std::path::Path, args: &[&str]) -> Vec<String> {
    json(&cli(dir, args, None, &[]))
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn list_sorts_names_naturally_as_the_window_does() {
    let dir = data_dir("cli-natural");
    for name in ["db-10", "db-2", "DB-1", "db-100", "billing (prod, EU)"] {
        add_plain(&dir, name, &[]);
    }
    assert_eq!(
        listed_names(&dir, &["list", "--json"]),
        ["billing (prod, EU)", "DB-1", "db-2", "db-10", "db-100"]
    );
}

#[test]
fn folders_from_flags_nest_filter_and_print_as_a_tree_and_a_bad_one_is_refused() {
    let dir = data_dir("cli-folders");
    let saved = add_plain(&dir, "orders-eu", &["--folder", " Payments / EU / prod "]);
    assert_eq!(saved["folder"], "Payments/EU/prod");
    add_plain(&dir, "orders-us", &["--folder", "Payments/US"]);
    add_plain(&dir, "ledger", &["--folder", "Payments"]);
    add_plain(&dir, "scratch", &[]);

    let names = |args: &[&str]| listed_names(&dir, args);
    assert_eq!(
        names(&["list", "--json", "--folder", "Payments"]),
        ["ledger", "orders-eu", "orders-us"]
    );
    assert_eq!(
        names(&["list", "--json", "--folder", "Payments/EU"]),
        ["orders-eu"]
    );
    assert!(names(&["list", "--json", "--folder", "Pay"]).is_empty());

    let text = String::from_utf8(cli(&dir, &["list"], None, &[]).stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("scratch"), "{text}");
    assert_eq!(lines[1], "Payments/", "{text}");
    assert!(lines[2].starts_with("  ledger"), "{text}");
    assert_eq!(lines[3], "  EU/", "{text}");
    assert_eq!(lines[4], "    prod/", "{text}");
    assert!(lines[5].starts_with("      orders-eu"), "{text}");
    assert_eq!(lines[6], "  US/", "{text}");
    assert!(lines[7].starts_with("    orders-us"), "{text}");

    // '' moves it to the top level.
    let out = cli(
        &dir,
        &["update", "ledger", "--folder", "", "--json"],
        None,
        &[],
    );
    assert!(out.status.success(), "{}", all_output(&out));
    assert_eq!(json(&out)["folder"], "");

    let out = cli(
        &dir,
        &[
            "update",
            "scratch",
            "--folder",
            "a/b/c/d/e/f/g/h/i",
            "--json",
        ],
        None,
        &[],
    );
    assert!(!out.status.success());
    let e = json(&out);
    assert_eq!(e["error"]["issues"][0]["code"], "folder_invalid", "{e:#}");
    assert_eq!(e["error"]["issues"][0]["field"], "folder", "{e:#}");
    assert_eq!(
        names(&["list", "--json", "--folder", "a"]),
        Vec::<String>::new()
    );
}

#[test]
fn an_exported_list_carries_folders_and_settings_to_another_data_dir_without_a_secret() {
    require_keyring_session();
    let from = data_dir("cli-export-list-from");
    let pw = switchboard_tests::test_password("export-list");
    let out = cli(
        &from,
        &[
            "add",
            "--name",
            "orders (EU)",
            "--host",
            "orders.db.test",
            "--database",
            "orders",
            "--username",
            "app",
            "--folder",
            "Payments/EU",
            "--tag",
            "eu",
            "--environment",
            "production",
            "--password-stdin",
            "--json",
        ],
        Some(&format!("{pw}\n")),
        &[],
    );
    assert!(out.status.success(), "{}", all_output(&out));
    add_plain(&from, "ledger", &["--folder", "Payments"]);
    add_plain(&from, "scratch", &[]);

    // A folder's connections only, or all of them.
    let out = cli(&from, &["export-list", "--folder", "Payments"], None, &[]);
    assert!(out.status.success(), "{}", all_output(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["format"], "switchboard.connections");
    let names: Vec<&str> = doc["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ledger", "orders (EU)"]);
    let all = cli(&from, &["export-list"], None, &[]);
    let text = String::from_utf8(all.stdout).unwrap();
    assert!(!text.contains(&pw), "the password stays in the keychain");
    let file = test_root().join(format!("export-list-{}.json", std::process::id()));
    std::fs::write(&file, &text).unwrap();

    // Read back elsewhere: the same folders, tags, environments, in one transaction.
    let to = data_dir("cli-export-list-to");
    let out = cli(
        &to,
        &[
            "import",
            "--file",
            file.to_str().unwrap(),
            "--save",
            "--json",
        ],
        None,
        &[],
    );
    assert!(out.status.success(), "{}", all_output(&out));
    let listed = json(&cli(&to, &["list", "--json"], None, &[]));
    let by_name = |n: &str| {
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == n)
            .cloned()
            .unwrap_or_else(|| panic!("{n} not imported: {listed:#}"))
    };
    let orders = by_name("orders (EU)");
    assert_eq!(orders["folder"], "Payments/EU");
    assert_eq!(orders["tags"], serde_json::json!(["eu"]));
    assert_eq!(orders["environment"], "production");
    assert_eq!(orders["handle"], "orders-eu");
    assert_eq!(by_name("ledger")["folder"], "Payments");
    assert_eq!(by_name("scratch")["folder"], "");

    // A newer layout is refused with both versions named.
    let newer = text.replacen("\"version\": 1", "\"version\": 9", 1);
    std::fs::write(&file, newer).unwrap();
    let out = cli(
        &to,
        &["import", "--file", file.to_str().unwrap(), "--json"],
        None,
        &[],
    );
    assert!(!out.status.success());
    let e = json(&out);
    assert_eq!(e["error"]["code"], "payload_invalid", "{e:#}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("version 9"),
        "{e:#}"
    );
}
