//! The guarantees of the secrets unit of work seen from outside, through `Switchboard`:
//! concurrent writers, a stalled keychain, broken rows, a newer database, file modes, and
//! refused secrets. Real SQLite file, real Secret Service.

use std::time::{Duration, Instant};

use switchboard_core::keychain::{Keychain, SecretRef};
use switchboard_core::model::{ConnectionFields, ConnectionUpdate, NewConnection, SecretChange};
use switchboard_core::secrets::Fault;
use switchboard_core::{CoreError, ErrorCode, Secret, Switchboard};
use switchboard_tests::cli::run as cli;
use switchboard_tests::{data_dir, require_keyring_session, test_password};

fn fields(name: &str) -> ConnectionFields {
    ConnectionFields::postgres(name, "db.example.com", 5432, "orders", "app")
}

async fn open(label: &str) -> (Switchboard, std::path::PathBuf) {
    require_keyring_session();
    let dir = data_dir(label);
    (Switchboard::open(&dir).await.expect("open"), dir)
}

/// One update of `id`'s password, retried on a version conflict as a person would.
async fn set_password(sb: &Switchboard, id: uuid::Uuid, change: SecretChange) {
    loop {
        let c = sb.get(id).await.unwrap();
        let r = sb
            .update(ConnectionUpdate {
                ssh_secrets: Default::default(),
                id,
                version: c.version,
                fields: c.fields.clone(),
                password: change.clone(),
                client_key: SecretChange::Keep,
            })
            .await;
        match r {
            Ok(_) => return,
            Err(CoreError::VersionConflict { .. }) => continue,
            Err(e) => panic!("{e:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clearing_and_setting_one_password_from_two_writers_never_loses_it() {
    let (one, dir) = open("race").await;
    let two = Switchboard::open(&dir).await.unwrap();
    let c = one
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: fields("race"),
            password: Some(Secret::new(test_password("race-0"))),
            client_key: None,
        })
        .await
        .unwrap();
    let trials: u64 = 300;
    let mut with_password = 0;
    for trial in 0..trials {
        let pw = test_password(&format!("race-{trial}"));
        // The clear starts up to 30 ms after the set, so that it lands before, during and
        // after the set's keychain write and commit: both outcomes and every interleaving of
        // a commit with the other's post-commit removal get their turn.
        let delay = Duration::from_millis(trial % 4 * 10);
        let clear = async {
            tokio::time::sleep(delay).await;
            set_password(&one, c.id, SecretChange::Clear).await
        };
        let set = set_password(&two, c.id, SecretChange::Set(Secret::new(pw.clone())));
        tokio::join!(set, clear);
        let now = one.get(c.id).await.unwrap();
        if now.has_saved_password {
            with_password += 1;
            assert_eq!(
                one.reveal_password(c.id).await.unwrap().expose(),
                pw,
                "trial {trial}: the row claims the password the setter wrote"
            );
        } else {
            assert_eq!(
                one.reveal_password(c.id).await.unwrap_err().code(),
                ErrorCode::PasswordNotSaved
            );
        }
    }
    // Both orders happened, or the race was not a race.
    assert!(
        with_password > 0 && with_password < trials,
        "{with_password}/{trials}"
    );
    // Nothing replaced is left behind once the journal is settled.
    one.secrets().reconcile().await;
    let entries = keychain_users(c.id);
    let expected = usize::from(one.get(c.id).await.unwrap().has_saved_password);
    assert_eq!(entries.len(), expected, "{entries:?}");
}

/// `secret-tool search --all service switchboard EXTRA…`, both streams (libsecret's client
/// prints labels on stdout, attributes on stderr). A loaded Secret Service may refuse a
/// call: a failed search is retried, never read as "no entries".
fn secret_tool_search(extra: &[&str]) -> String {
    let mut last = String::new();
    for _ in 0..5 {
        let out = std::process::Command::new("secret-tool")
            .args(["search", "--all", "service", "switchboard"])
            .args(extra)
            .output()
            .expect("secret-tool (libsecret-tools)");
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        if out.status.success() || (out.stdout.is_empty() && err.is_empty()) {
            return String::from_utf8_lossy(&out.stdout).to_string() + &err;
        }
        last = err;
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("secret-tool search failed: {last}");
}

/// The keychain usernames of `id`'s entries, as libsecret's own client lists them.
fn keychain_users(id: uuid::Uuid) -> Vec<String> {
    let text = secret_tool_search(&[]);
    text.lines()
        .filter_map(|l| l.strip_prefix("attribute.username = "))
        .filter(|u| u.starts_with(&id.to_string()))
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stalled_keychain_holds_no_lock_other_writers_need() {
    let (stalled, dir) = open("stall").await;
    let other = Switchboard::open(&dir).await.unwrap();
    stalled
        .secrets()
        .inject_fault(Some(Fault::StallCall(0, Duration::from_secs(4))));
    let started = Instant::now();
    let slow = tokio::spawn(async move {
        stalled
            .create(NewConnection {
                ssh_secrets: Default::default(),
                fields: fields("stalled-write"),
                password: Some(Secret::new(test_password("stall"))),
                client_key: None,
            })
            .await
            .map(|_| Instant::now())
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    // While the first writer waits on the keychain, others save with and without secrets.
    for i in 0..5 {
        let c = other
            .create(NewConnection {
                ssh_secrets: Default::default(),
                fields: fields(&format!("meanwhile-{i}")),
                password: Some(Secret::new(test_password("meanwhile"))),
                client_key: None,
            })
            .await
            .expect("a writer is not blocked by another's keychain wait");
        set_password(&other, c.id, SecretChange::Clear).await;
    }
    let others_done = Instant::now();
    let slow_done = slow.await.unwrap().unwrap();
    assert!(
        others_done < slow_done,
        "the other writes finished ({:?}) before the stalled one ({:?})",
        others_done - started,
        slow_done - started
    );
    assert_eq!(other.list().await.unwrap().len(), 6);
}

#[tokio::test]
async fn a_broken_row_is_named_and_deletable_and_hides_no_other_row() {
    let (sb, dir) = open("broken").await;
    for name in ["good-1", "bad-engine", "bad-tags", "good-2"] {
        sb.create(NewConnection {
            ssh_secrets: Default::default(),
            fields: fields(name),
            password: None,
            client_key: None,
        })
        .await
        .unwrap();
    }
    let pool = sb.store().pool();
    sqlx::query("UPDATE connections SET engine = 'cobol' WHERE name = 'bad-engine'")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("UPDATE connections SET tags = '[not json' WHERE name = 'bad-tags'")
        .execute(pool)
        .await
        .unwrap();
    let names: Vec<String> = sb
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.fields.name)
        .collect();
    assert_eq!(names, ["good-1", "good-2"]);
    let listing = sb.listing().await.unwrap();
    let broken: Vec<_> = listing
        .broken
        .iter()
        .map(|b| (b.name.clone().unwrap(), b.reason.clone()))
        .collect();
    assert_eq!(broken.len(), 2, "{broken:?}");
    assert!(broken[0].0 == "bad-engine" && broken[0].1.contains("engine \"cobol\""));
    assert!(broken[1].0 == "bad-tags" && broken[1].1.contains("tags"));
    let bad_id = uuid::Uuid::parse_str(&listing.broken[0].id).unwrap();
    assert_eq!(
        sb.get(bad_id).await.unwrap_err().code(),
        ErrorCode::StoredRowUnreadable
    );
    // The CLI lists the readable rows, warns about the rest, and deletes a broken one.
    let out = cli(&dir, &["list"], None, &[]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("good-1") && stdout.contains("good-2"),
        "{stdout}"
    );
    assert!(
        stderr.contains("bad-engine") && stderr.contains("cannot be read"),
        "{stderr}"
    );
    let out = cli(&dir, &["delete", "bad-tags"], None, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    sb.delete(bad_id).await.unwrap();
    assert!(sb.listing().await.unwrap().broken.is_empty());
}

#[tokio::test]
async fn a_row_whose_id_is_not_a_uuid_is_deletable_with_the_secret_its_old_id_left() {
    let (sb, dir) = open("broken-id").await;
    let create = |name: &'static str, password: Option<String>| {
        let sb = &sb;
        async move {
            sb.create(NewConnection {
                ssh_secrets: Default::default(),
                fields: fields(name),
                password: password.map(Secret::new),
                client_key: None,
            })
            .await
            .unwrap()
        }
    };
    create("good", None).await;
    create("plain-edited", None).await;
    let keyed = create("keyed-edited", Some(test_password("broken-id"))).await;
    assert_eq!(keychain_users(keyed.id).len(), 1);
    // Ids edited by hand as the sqlite3 shell does it, foreign keys off: the password's
    // claim stays behind under the old id.
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.join(switchboard_core::store::DB_FILE))
        .foreign_keys(false);
    let mut raw = <sqlx::SqliteConnection as sqlx::Connection>::connect_with(&options)
        .await
        .unwrap();
    for (id, name) in [("not a uuid", "plain-edited"), ("42", "keyed-edited")] {
        sqlx::query("UPDATE connections SET id = ? WHERE name = ?")
            .bind(id)
            .bind(name)
            .execute(&mut raw)
            .await
            .unwrap();
    }
    sqlx::Connection::close(raw).await.unwrap();
    let listing = sb.listing().await.unwrap();
    let broken: Vec<_> = listing.broken.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(broken, ["42", "not a uuid"]);
    assert!(listing.broken[0].reason.contains("id"), "{listing:?}");

    // The CLI's warning gives a delete command that works as pasted into a shell.
    let out = cli(&dir, &["list"], None, &[]);
    let warning = String::from_utf8_lossy(&out.stderr);
    assert!(
        warning.contains("`switchboard delete 'not a uuid'` removes it"),
        "{warning}"
    );
    // The CLI deletes one by name and the other by the id as stored.
    for key in ["plain-edited", "42"] {
        let out = cli(&dir, &["delete", key], None, &[]);
        assert!(
            out.status.success(),
            "delete {key}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let listing = sb.listing().await.unwrap();
    assert!(listing.broken.is_empty(), "{listing:?}");
    assert_eq!(listing.connections.len(), 1);
    let claims: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM secrets")
        .fetch_one(sb.store().pool())
        .await
        .unwrap();
    assert_eq!(claims, 0, "the old id's claim went with the row");
    assert!(
        keychain_users(keyed.id).is_empty(),
        "the old id's keychain entry went with the row"
    );
}

#[tokio::test]
async fn a_database_from_a_newer_version_is_refused_naming_both_versions() {
    let (sb, dir) = open("newer").await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from the future', 1, x'00', 0)",
    )
    .execute(sb.store().pool())
    .await
    .unwrap();
    sb.store().pool().close().await;
    drop(sb);
    let e = Switchboard::open(&dir).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageNewerVersion);
    assert!(e.to_string().contains("9999"), "{e}");
    let out = cli(&dir, &["list"], None, &[]);
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("storage_newer_version") && text.contains("9999"),
        "{text}"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_dir_database_wal_and_log_are_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    require_keyring_session();
    let dir = data_dir("modes");
    // As an older version (or a generous umask) left them.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = cli(
        &dir,
        &[
            "add",
            "--name",
            "modes",
            "--host",
            "h.example.com",
            "--database",
            "d",
            "--username",
            "u",
        ],
        None,
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sb = Switchboard::open(&dir).await.unwrap();
    sb.list().await.unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    for f in [
        "switchboard.db",
        "switchboard.db-wal",
        "logs/switchboard.log",
    ] {
        assert_eq!(mode(&dir.join(f)), 0o600, "{f}");
    }
    assert_eq!(mode(&dir.join("logs")), 0o700);
}

#[tokio::test]
async fn a_nul_byte_in_a_password_or_key_is_refused_with_its_own_code() {
    let (sb, _) = open("nul").await;
    let e = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: fields("nul"),
            password: Some(Secret::new("before\0after")),
            client_key: None,
        })
        .await
        .unwrap_err();
    let CoreError::Validation(issues) = &e else {
        panic!("{e:?}")
    };
    assert!(issues
        .iter()
        .any(|i| i.code == ErrorCode::SecretInvalid && i.field == "password"));
    assert!(!format!("{e:?}").contains("after"));
    let c = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: fields("nul"),
            password: None,
            client_key: None,
        })
        .await
        .unwrap();
    let e = sb
        .update(ConnectionUpdate {
            ssh_secrets: Default::default(),
            id: c.id,
            version: 1,
            fields: c.fields.clone(),
            password: SecretChange::Set(Secret::new("x\0y")),
            client_key: SecretChange::Keep,
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ValidationFailed);
    assert!(!sb.get(c.id).await.unwrap().has_saved_password);
}

#[test]
fn deleting_a_connection_without_secrets_needs_no_keychain() {
    require_keyring_session();
    let dir = data_dir("delete-no-keychain");
    let add = cli(
        &dir,
        &[
            "add",
            "--name",
            "plain",
            "--host",
            "h.example.com",
            "--database",
            "d",
            "--username",
            "u",
            "--password-save",
            "none",
        ],
        None,
        &[],
    );
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    // No Secret Service at all: the session bus address points nowhere.
    let gone = [("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")];
    let out = cli(&dir, &["delete", "plain"], None, &gone);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).trim().is_empty());
    let list = cli(&dir, &["list", "--json"], None, &[]);
    assert_eq!(String::from_utf8_lossy(&list.stdout).trim(), "[]");
}

#[tokio::test]
async fn a_failed_update_never_changes_the_stored_password() {
    let (sb, _) = open("failed-update").await;
    let old = test_password("kept");
    let c = sb
        .create(NewConnection {
            ssh_secrets: Default::default(),
            fields: fields("failed-update"),
            password: Some(Secret::new(old.clone())),
            client_key: None,
        })
        .await
        .unwrap();
    // The keychain write succeeds, then the commit fails (a stale version).
    let e = sb
        .update(ConnectionUpdate {
            ssh_secrets: Default::default(),
            id: c.id,
            version: 1,
            fields: {
                let mut f = c.fields.clone();
                f.host = "elsewhere.example.com".into();
                f
            },
            password: SecretChange::Set(Secret::new(test_password("new"))),
            client_key: SecretChange::Keep,
        })
        .await;
    assert!(e.is_ok());
    let e = sb
        .update(ConnectionUpdate {
            ssh_secrets: Default::default(),
            id: c.id,
            version: 1,
            fields: c.fields.clone(),
            password: SecretChange::Set(Secret::new(test_password("stale"))),
            client_key: SecretChange::Keep,
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::VersionConflict);
    let now = sb.reveal_password(c.id).await.unwrap();
    assert!(
        now.expose().contains("-new-"),
        "the committed password stays"
    );
    assert_eq!(
        keychain_users(c.id).len(),
        1,
        "the stale write left no entry"
    );
    // The created entry (generation 0) was replaced and removed.
    assert!(Keychain::new()
        .get(&SecretRef::password(c.id, "failed-update"))
        .unwrap()
        .is_none());
}

/// Every keychain entry whose label names a connection starting with `prefix`, as
/// `username = label` (each username is looked up for its label).
fn entries_labelled(prefix: &str) -> std::collections::BTreeSet<String> {
    let search = secret_tool_search;
    let all = search(&[]);
    all.lines()
        .filter_map(|l| l.strip_prefix("attribute.username = "))
        .filter_map(|user| {
            let one = search(&["username", user]);
            let label = one.lines().find_map(|l| l.strip_prefix("label = "))?;
            label
                .contains(&format!(" for {prefix}"))
                .then(|| format!("{user} = {label}"))
        })
        .collect()
}

/// A small deterministic generator: the soak is random in where it kills, the same on
/// every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
fn killing_the_cli_at_random_points_leaves_no_orphan_stale_or_missing_secret() {
    require_keyring_session();
    let dir = data_dir("soak");
    let prefix = format!("soak{}", &uuid::Uuid::new_v4().simple().to_string()[..6]);
    let bin = switchboard_tests::workspace_bin("switchboard");
    let mut rng = Lcg(0x5eed);
    let mut names: Vec<String> = Vec::new();
    let (mut killed, mut writes) = (0, 0);
    for round in 0..240 {
        let pick =
            |rng: &mut Lcg, names: &[String]| names[rng.next(names.len() as u64) as usize].clone();
        let op = if names.len() < 4 { 0 } else { rng.next(5) };
        let mut args: Vec<String> = Vec::new();
        let mut stdin = None;
        match op {
            0 => {
                let n = format!("{prefix}-{round}");
                args.extend(
                    [
                        "add",
                        "--name",
                        &n,
                        "--host",
                        "h.example.com",
                        "--database",
                        "d",
                        "--username",
                        "u",
                        "--password-stdin",
                    ]
                    .map(String::from),
                );
                stdin = Some(test_password("soak"));
                names.push(n);
            }
            1 => {
                let n = pick(&mut rng, &names);
                args.extend(["update", &n, "--password-stdin"].map(String::from));
                stdin = Some(test_password("soak"));
            }
            2 => {
                let n = pick(&mut rng, &names);
                let renamed = format!("{prefix}-{round}r");
                args.extend(["update", &n, "--name", &renamed].map(String::from));
                names.retain(|x| x != &n);
                names.push(renamed);
            }
            3 => {
                let n = pick(&mut rng, &names);
                args.extend(["update", &n, "--clear-password"].map(String::from));
            }
            _ => {
                let n = pick(&mut rng, &names);
                args.extend(["delete", &n].map(String::from));
                names.retain(|x| x != &n);
            }
        }
        let mut child = std::process::Command::new(&bin)
            .arg("--data-dir")
            .arg(&dir)
            .args(&args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        if let Some(s) = stdin {
            use std::io::Write;
            let _ = child
                .stdin
                .take()
                .unwrap()
                .write_all(format!("{s}\n").as_bytes());
        }
        drop(child.stdin.take());
        // Two writes in three are killed somewhere between start and finish.
        if rng.next(3) > 0 {
            std::thread::sleep(Duration::from_millis(rng.next(90)));
            if child.try_wait().unwrap().is_none() {
                killed += 1;
            }
            let _ = child.kill();
        }
        let _ = child.wait();
        writes += 1;
        // A killed rename or delete may or may not have happened: follow the store.
        let list = cli(&dir, &["list", "--json"], None, &[]);
        let listed: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
        names = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect();
    }
    assert!(
        killed >= 60,
        "only {killed} of {writes} writes were killed mid-way"
    );

    // `list` above opened the store after the last kill: the journal is settled.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let sb = Switchboard::open(&dir).await.unwrap();
        let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM secret_intents")
            .fetch_one(sb.store().pool())
            .await
            .unwrap();
        assert_eq!(pending, 0, "journal settled");
        let claims = sqlx::query_as::<_, (String, String, i64, String)>(
            "SELECT s.connection_id, s.kind, s.generation, c.name FROM secrets s \
             JOIN connections c ON c.id = s.connection_id",
        )
        .fetch_all(sb.store().pool())
        .await
        .unwrap();
        let expected: std::collections::BTreeSet<String> = claims
            .iter()
            .map(|(id, kind, g, name)| {
                let r = SecretRef::new(
                    switchboard_core::keychain::SecretKind::parse(kind).unwrap(),
                    uuid::Uuid::parse_str(id).unwrap(),
                    name,
                )
                .at(*g);
                format!("{} = {}", r.user(), r.label())
            })
            .collect();
        // Equal sets: no orphan (an entry nothing claims), no stale label, no row claiming
        // a missing entry.
        assert_eq!(entries_labelled(&prefix), expected);
        for c in sb.list().await.unwrap() {
            if c.has_saved_password {
                sb.reveal_password(c.id).await.unwrap();
            }
        }
        eprintln!(
            "soak: {writes} writes, {killed} killed, {} connections, {} secrets, 0 orphans",
            sb.list().await.unwrap().len(),
            expected.len()
        );
    });
}
