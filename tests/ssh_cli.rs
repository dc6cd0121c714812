//! A saved connection with an SSH route, driven through the `switchboard` CLI as a user
//! does: saved with its route and the key's passphrase (into the real keychain), tested
//! through a real OpenSSH bastion to the real PostgreSQL, its host key trusted by
//! fingerprint, and the route removed with its secret.

use switchboard_tests::cli::{all_output, json, run as cli};
use switchboard_tests::pg::{PgServer, APP_DB, APP_USER};
use switchboard_tests::sshd::{client_key, local_user, password_user, Sshd, SshdOptions};
use switchboard_tests::{data_dir, require_keyring_session, test_password};

#[test]
fn a_saved_route_with_an_encrypted_key_tests_through_the_bastion_once_its_host_key_is_trusted() {
    require_keyring_session();
    let pg = PgServer::shared();
    let passphrase = test_password("ssh-passphrase");
    let key = client_key("ed25519", &passphrase);
    let bastion = Sshd::start(SshdOptions {
        authorized_keys: vec![key.public_line.clone()],
        ..Default::default()
    });
    let dir = data_dir("ssh-cli");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, &pg.ca.cert_pem).unwrap();
    let hop = format!("{}@127.0.0.1:{}", local_user(), bastion.port);
    let (pg_port, key_path) = (pg.port.to_string(), key.path.display().to_string());
    let out = cli(
        &dir,
        &[
            "add",
            "--name",
            "orders (behind bastion)",
            "--host",
            "localhost",
            "--port",
            &pg_port,
            "--database",
            APP_DB,
            "--username",
            APP_USER,
            "--sslmode",
            "verify-full",
            "--ca-file",
            ca.to_str().unwrap(),
            "--password-stdin",
            "--ssh",
            &hop,
            "--ssh-key-file",
            &key_path,
            "--ssh-password-stdin",
            "--json",
        ],
        Some(&format!("{}\n{passphrase}", pg.app_password)),
        &[],
    );
    assert!(out.status.success(), "{}", all_output(&out));
    let saved = json(&out);
    assert_eq!(saved["ssh"]["kind"], "hops");
    assert_eq!(saved["ssh"]["hops"][0]["auth"], "key");
    assert_eq!(saved["ssh"]["hops"][0]["secret_save"], "keychain");
    assert_eq!(saved["ssh_secrets"], serde_json::json!([0]));
    assert!(!all_output(&out).contains(&passphrase));

    // First test: the bastion's key is unknown, the test stops there and names it.
    let out = cli(
        &dir,
        &["test", "orders-behind-bastion", "--json"],
        None,
        &[],
    );
    assert!(!out.status.success());
    let report = json(&out);
    assert_eq!(
        report["error"]["code"], "ssh_host_key_unknown",
        "{report:#}"
    );
    let message = report["error"]["message"].as_str().unwrap();
    assert!(message.contains(&bastion.host_key_fingerprint), "{message}");
    assert!(
        !dir.join("known_hosts").exists(),
        "nothing trusted without being asked"
    );

    // Trusted by its fingerprint: the passphrase comes from the keychain.
    let fp = bastion.host_key_fingerprint.clone();
    let out = cli(
        &dir,
        &["test", "orders-behind-bastion", "--trust-host-key", &fp],
        None,
        &[],
    );
    let text = all_output(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("[hop 1 of 1: ") && text.contains("SSH handshake"),
        "{text}"
    );
    assert!(!text.contains(&passphrase), "{text}");
    let known = std::fs::read_to_string(dir.join("known_hosts")).unwrap();
    assert!(
        known.contains(&format!("[127.0.0.1]:{}", bastion.port)),
        "{known}"
    );

    // From now on it is known.
    let out = cli(
        &dir,
        &["test", "orders-behind-bastion", "--json"],
        None,
        &[],
    );
    assert!(out.status.success(), "{}", all_output(&out));

    // The route goes, and its secret with it.
    let out = cli(
        &dir,
        &["update", "orders-behind-bastion", "--no-ssh", "--json"],
        None,
        &[],
    );
    assert!(out.status.success(), "{}", all_output(&out));
    let updated = json(&out);
    assert!(updated["ssh"].is_null(), "{updated:#}");
    assert_eq!(updated["ssh_secrets"], serde_json::json!([]));
}

#[test]
fn a_url_test_goes_through_hops_given_as_flags_and_a_bad_hop_is_a_field_error() {
    require_keyring_session();
    let pg = PgServer::shared();
    let key = client_key("ed25519", "");
    let bastion = Sshd::start(SshdOptions {
        authorized_keys: vec![key.public_line.clone()],
        ..Default::default()
    });
    let dir = data_dir("ssh-cli-url");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, &pg.ca.cert_pem).unwrap();
    let url = format!(
        "postgresql://{APP_USER}@localhost:{}/{APP_DB}?sslmode=verify-full&sslrootcert={}",
        pg.port,
        ca.display()
    );
    let hop = format!("{}@127.0.0.1:{}", local_user(), bastion.port);
    let key_path = key.path.display().to_string();
    let fp = bastion.host_key_fingerprint.clone();
    let out = cli(
        &dir,
        &[
            "test",
            "--url",
            &url,
            "--password-stdin",
            "--ssh",
            &hop,
            "--ssh-key-file",
            &key_path,
            "--trust-host-key",
            &fp,
            "--json",
        ],
        Some(&pg.app_password),
        &[],
    );
    assert!(out.status.success(), "{}", all_output(&out));
    let report = json(&out);
    let hops: Vec<&str> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["hop"].as_str())
        .collect();
    assert!(hops.len() >= 5, "{report:#}");

    let out = cli(
        &dir,
        &["test", "--url", &url, "--ssh", "root@bad/host", "--json"],
        None,
        &[],
    );
    assert!(!out.status.success());
    let e = json(&out);
    assert_eq!(e["error"]["code"], "validation_failed", "{e:#}");
    assert_eq!(e["error"]["issues"][0]["field"], "ssh.hops.0.host", "{e:#}");
}

#[test]
fn a_tunnel_keeps_the_route_open_for_the_real_psql_with_tls_verified_by_name_and_ctrl_c_closes_it()
{
    use std::io::BufRead;
    require_keyring_session();
    let pg = PgServer::shared();
    let key = client_key("ed25519", "");
    let bastion = Sshd::start(SshdOptions {
        authorized_keys: vec![key.public_line.clone()],
        ..Default::default()
    });
    let dir = data_dir("ssh-tunnel");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, &pg.ca.cert_pem).unwrap();
    let hop = format!("{}@127.0.0.1:{}", local_user(), bastion.port);
    let (pg_port, key_path) = (pg.port.to_string(), key.path.display().to_string());
    let out = cli(
        &dir,
        &[
            "add",
            "--name",
            "tunnelled",
            "--host",
            "localhost",
            "--port",
            &pg_port,
            "--database",
            APP_DB,
            "--username",
            APP_USER,
            "--password-save",
            "none",
            "--ssh",
            &hop,
            "--ssh-key-file",
            &key_path,
        ],
        None,
        &[],
    );
    assert!(out.status.success(), "{}", all_output(&out));
    let local = switchboard_tests::net::free_port().to_string();
    let mut child = std::process::Command::new(switchboard_tests::workspace_bin("switchboard"))
        .arg("--data-dir")
        .arg(&dir)
        .args([
            "tunnel",
            "tunnelled",
            "--local-port",
            &local,
            "--trust-host-key",
            &bastion.host_key_fingerprint,
            "--json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(
        first.contains("\"listening\"") && first.contains(&local),
        "{first}"
    );
    let second = lines.next().unwrap().unwrap();
    assert!(second.contains("\"open\""), "{second}");
    // The real psql through the tunnel, verifying the server's certificate by its name.
    let conninfo = format!(
        "host=localhost hostaddr=127.0.0.1 port={local} dbname={APP_DB} user={APP_USER} sslmode=verify-full sslrootcert={}",
        ca.display()
    );
    for _ in 0..2 {
        let psql = std::process::Command::new(switchboard_tests::pg::bin("psql"))
            .args(["-X", "-At", "-c", "select 'through the tunnel'", &conninfo])
            .env("PGPASSWORD", &pg.app_password)
            .output()
            .unwrap();
        assert!(
            psql.status.success(),
            "{}",
            String::from_utf8_lossy(&psql.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&psql.stdout).trim(),
            "through the tunnel"
        );
    }
    // Ctrl-C closes it: the tunnel stops and says so (or, interrupted before its handler
    // runs, the process ends with 130); either way the route and the port go.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(
        (status.code() == Some(0) && rest.iter().any(|l| l.contains("\"closed\"")))
            || status.code() == Some(130),
        "{status} {rest:?}"
    );
    assert!(std::net::TcpListener::bind(("127.0.0.1", local.parse::<u16>().unwrap())).is_ok());
}

#[test]
fn on_a_terminal_an_unknown_bastion_key_is_asked_about_and_only_yes_trusts_it() {
    use switchboard_tests::cli::run_on_terminal;
    require_keyring_session();
    let pg = PgServer::shared();
    let key = client_key("ed25519", "");
    let bastion = Sshd::start(SshdOptions {
        authorized_keys: vec![key.public_line.clone()],
        ..Default::default()
    });
    let dir = data_dir("ssh-cli-terminal");
    let hop = format!("{}@127.0.0.1:{}", local_user(), bastion.port);
    let (pg_port, key_path) = (pg.port.to_string(), key.path.display().to_string());
    let out = cli(
        &dir,
        &[
            "add",
            "--name",
            "asked",
            "--host",
            "localhost",
            "--port",
            &pg_port,
            "--database",
            APP_DB,
            "--username",
            APP_USER,
            "--sslmode",
            "require",
            "--password-stdin",
            "--ssh",
            &hop,
            "--ssh-key-file",
            &key_path,
        ],
        Some(&pg.app_password),
        &[],
    );
    assert!(out.status.success(), "{}", all_output(&out));
    let no = run_on_terminal(&dir, &["test", "asked"], &[("Type yes to trust: ", "y\r")]);
    assert!(
        no.screen.contains(&bastion.host_key_fingerprint),
        "{}",
        no.screen
    );
    assert_ne!(no.code, 0, "only \"yes\" trusts: {}", no.screen);
    assert!(!dir.join("known_hosts").exists());
    let yes = run_on_terminal(
        &dir,
        &["test", "asked"],
        &[("Type yes to trust: ", "yes\r")],
    );
    assert_eq!(yes.code, 0, "{}", yes.screen);
    assert!(std::fs::read_to_string(dir.join("known_hosts"))
        .unwrap()
        .contains(&bastion.port.to_string()));
}

#[test]
fn a_bastion_password_saved_to_the_keychain_logs_in_and_ask_every_time_reads_it_per_test() {
    require_keyring_session();
    let pg = PgServer::shared();
    let (user, password) = password_user();
    let bastion = Sshd::start(SshdOptions {
        passwords: true,
        ..Default::default()
    });
    let dir = data_dir("ssh-cli-password");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, &pg.ca.cert_pem).unwrap();
    let hop = format!("{user}@127.0.0.1:{}", bastion.port);
    let pg_port = pg.port.to_string();
    let fp = bastion.host_key_fingerprint.clone();
    let out = cli(
        &dir,
        &[
            "add",
            "--name",
            "ledger",
            "--host",
            "localhost",
            "--port",
            &pg_port,
            "--database",
            APP_DB,
            "--username",
            APP_USER,
            "--sslmode",
            "verify-full",
            "--ca-file",
            ca.to_str().unwrap(),
            "--password-stdin",
            "--ssh",
            &hop,
            "--ssh-auth",
            "password",
            "--ssh-password-stdin",
            "--json",
        ],
        Some(&format!("{}\n{password}", pg.app_password)),
        &[],
    );
    let text = all_output(&out);
    assert!(out.status.success(), "{text}");
    assert!(!text.contains(&password), "{text}");
    let saved = json(&out);
    assert_eq!(saved["ssh"]["hops"][0]["auth"], "password");
    assert_eq!(saved["ssh"]["hops"][0]["secret_save"], "keychain");
    assert_eq!(saved["ssh_secrets"], serde_json::json!([0]));

    // Tested with the password from the keychain: the bastion lets the account in by it.
    let out = cli(
        &dir,
        &["test", "ledger", "--trust-host-key", &fp, "--json"],
        None,
        &[],
    );
    let text = all_output(&out);
    assert!(out.status.success(), "{text}");
    assert!(!text.contains(&password), "{text}");
    let report = json(&out);
    let auth = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "ssh_auth")
        .unwrap_or_else(|| panic!("{report:#}"))["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(auth.starts_with(&format!("password as {user}")), "{auth}");

    // Ask every time: the keychain entry goes, and a test without it says what to give.
    let out = cli(
        &dir,
        &["update", "ledger", "--ssh-secret-save", "ask", "--json"],
        None,
        &[],
    );
    assert!(out.status.success(), "{}", all_output(&out));
    assert_eq!(json(&out)["ssh_secrets"], serde_json::json!([]));
    let out = cli(&dir, &["test", "ledger", "--json"], None, &[]);
    assert!(!out.status.success());
    let report = json(&out);
    assert_eq!(report["error"]["code"], "ssh_auth_failed", "{report:#}");
    let out = cli(
        &dir,
        &["test", "ledger", "--ssh-password-stdin", "--json"],
        Some(&password),
        &[],
    );
    let text = all_output(&out);
    assert!(out.status.success(), "{text}");
    assert!(!text.contains(&password), "{text}");

    // Route flags with no route to change are an error, not silently ignored.
    let out = cli(&dir, &["update", "ledger", "--no-ssh", "--json"], None, &[]);
    assert!(out.status.success(), "{}", all_output(&out));
    let out = cli(
        &dir,
        &[
            "update",
            "ledger",
            "--ssh-secret-save",
            "keychain",
            "--json",
        ],
        None,
        &[],
    );
    assert!(!out.status.success());
    let e = json(&out);
    assert_eq!(e["error"]["code"], "ssh_hops_invalid", "{e:#}");
    assert!(
        e["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("--ssh USER@HOST"),
        "{e:#}"
    );
}
