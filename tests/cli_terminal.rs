//! The `switchboard` CLI on a real terminal (a pseudo-terminal, as a shell gives it) and
//! with secrets in its arguments: what a person at a prompt sees, and what other users of
//! the machine could see.

use switchboard_tests::cli::{all_output, json, run as cli, run_on_terminal};
use switchboard_tests::{data_dir, require_keyring_session, test_password};

fn add_pg(dir: &std::path::Path, name: &str, password: &str) {
    let out = cli(
        dir,
        &[
            "add",
            "--name",
            name,
            "--host",
            "db.example.test",
            "--database",
            "orders",
            "--username",
            "app",
            "--password-stdin",
            "--json",
        ],
        Some(password),
        &[],
    );
    assert!(out.status.success(), "{}", all_output(&out));
}

fn names(dir: &std::path::Path) -> Vec<String> {
    let l = cli(dir, &["list", "--json"], None, &[]);
    let mut v: Vec<String> = json(&l)
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| c["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn the_password_typed_at_the_terminal_prompt_is_not_echoed_and_is_saved() {
    require_keyring_session();
    let dir = data_dir("cli-tty-prompt");
    let password = test_password("typed");
    let run = run_on_terminal(
        &dir,
        &[
            "add",
            "--name",
            "typed",
            "--host",
            "db.example.test",
            "--database",
            "orders",
            "--username",
            "app",
            "--password-stdin",
        ],
        &[("password:", &format!("{password}\r"))],
    );
    assert_eq!(run.code, 0, "{}", run.screen);
    assert!(
        !run.screen.contains(&password),
        "the typed password was echoed on the terminal: {}",
        run.screen
    );
    let revealed = cli(&dir, &["reveal-password", "typed"], None, &[]);
    assert!(revealed.status.success(), "{}", all_output(&revealed));
    assert_eq!(
        String::from_utf8_lossy(&revealed.stdout).trim_end(),
        password
    );
}

#[test]
fn delete_on_a_terminal_asks_first_and_a_no_deletes_nothing() {
    require_keyring_session();
    let dir = data_dir("cli-tty-delete");
    add_pg(&dir, "alpha", &test_password("a"));
    add_pg(&dir, "beta", &test_password("b"));

    let no = run_on_terminal(&dir, &["delete", "alpha", "beta"], &[("[y/N]", "n\r")]);
    assert!(
        no.screen.contains("Delete 2 connections (alpha, beta)"),
        "{}",
        no.screen
    );
    assert_ne!(no.code, 0, "an unconfirmed delete must fail: {}", no.screen);
    assert!(no.screen.contains("nothing deleted"), "{}", no.screen);
    assert_eq!(names(&dir), ["alpha", "beta"]);

    let yes = run_on_terminal(&dir, &["delete", "alpha", "beta"], &[("[y/N]", "y\r")]);
    assert_eq!(yes.code, 0, "{}", yes.screen);
    assert!(names(&dir).is_empty());
    // The keychain entries went with the rows.
    let gone = cli(&dir, &["reveal-password", "alpha"], None, &[]);
    assert!(!gone.status.success());
}

#[test]
fn delete_with_yes_on_a_terminal_does_not_ask() {
    require_keyring_session();
    let dir = data_dir("cli-tty-delete-yes");
    add_pg(&dir, "gamma", &test_password("g"));
    let run = run_on_terminal(&dir, &["delete", "gamma", "--yes"], &[]);
    assert_eq!(run.code, 0, "{}", run.screen);
    assert!(!run.screen.contains("[y/N]"), "{}", run.screen);
    assert!(names(&dir).is_empty());
}

#[test]
fn delete_of_several_names_where_one_is_unknown_deletes_none_of_them() {
    require_keyring_session();
    let dir = data_dir("cli-delete-many");
    add_pg(&dir, "one", &test_password("1"));
    add_pg(&dir, "two", &test_password("2"));
    add_pg(&dir, "three", &test_password("3"));

    let bad = cli(&dir, &["delete", "one", "nope", "two", "--json"], None, &[]);
    assert!(!bad.status.success());
    assert_eq!(json(&bad)["error"]["code"], "not_found");
    assert_eq!(names(&dir), ["one", "three", "two"]);

    // Piped (not a terminal): a script is not asked. Names and ids mix; repeats count once.
    let two_id = json(&cli(&dir, &["show", "two", "--json"], None, &[]))["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let ok = cli(
        &dir,
        &["delete", "one", &two_id, "TWO", "--json"],
        None,
        &[],
    );
    assert!(ok.status.success(), "{}", all_output(&ok));
    let deleted: Vec<String> = json(&ok)["deleted"]
        .as_array()
        .expect("deleted list")
        .iter()
        .map(|d| d["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(deleted, ["one", "two"]);
    assert_eq!(names(&dir), ["three"]);
}

#[test]
fn a_password_in_an_import_argument_is_warned_about_and_stdin_is_not() {
    require_keyring_session();
    let dir = data_dir("cli-argv-secret");
    let password = test_password("argv");
    let url = format!(
        "postgresql://app:{}@db.example.test/orders",
        urlencode(&password)
    );

    let arg = cli(&dir, &["import", &url], None, &[]);
    assert!(arg.status.success(), "{}", all_output(&arg));
    let stderr = String::from_utf8_lossy(&arg.stderr);
    assert!(stderr.contains("visible to every user"), "{stderr}");
    assert!(
        stderr.contains("--stdin"),
        "the warning names the safe way: {stderr}"
    );
    assert!(!all_output(&arg).contains(&password));

    let piped = cli(
        &dir,
        &["import", "--stdin", "--save", "--json"],
        Some(&url),
        &[],
    );
    assert!(piped.status.success(), "{}", all_output(&piped));
    assert!(!String::from_utf8_lossy(&piped.stderr).contains("visible to every user"));
    assert_eq!(json(&piped)["connection"]["has_saved_password"], true);
    assert!(!all_output(&piped).contains(&password));

    // No password in the argument: nothing to warn about.
    let plain = cli(
        &dir,
        &["import", "postgresql://app@db.example.test/orders"],
        None,
        &[],
    );
    assert!(!String::from_utf8_lossy(&plain.stderr).contains("visible to every user"));
}

#[test]
fn a_password_in_test_url_is_warned_about_and_password_stdin_is_the_safe_way() {
    let dir = data_dir("cli-argv-url");
    let password = test_password("url");
    // Port 1 on loopback refuses at once: the test fails fast, the warning is the point.
    let url = format!(
        "postgresql://app:{}@127.0.0.1:1/orders?sslmode=disable&connect_timeout=2",
        urlencode(&password)
    );
    let arg = cli(&dir, &["test", "--url", &url], None, &[]);
    let stderr = String::from_utf8_lossy(&arg.stderr);
    assert!(stderr.contains("visible to every user"), "{stderr}");
    assert!(stderr.contains("--password-stdin"), "{stderr}");
    assert!(!all_output(&arg).contains(&password));

    let safe = cli(
        &dir,
        &[
            "test",
            "--url",
            "postgresql://app@127.0.0.1:1/orders?sslmode=disable&connect_timeout=2",
            "--password-stdin",
        ],
        Some(&password),
        &[],
    );
    assert!(!String::from_utf8_lossy(&safe.stderr).contains("visible to every user"));
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
