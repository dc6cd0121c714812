//! The unit of work against the real Secret Service (the test command starts gnome-keyring
//! in a private D-Bus session), with a failure, and then a crash, injected at every
//! keychain step: whatever happens, rows, claims and keychain entries agree, and a write
//! that failed changed no stored secret.

use crate::db::Db;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use super::*;
use crate::connections::Switchboard;
use crate::model::{Connection, ConnectionFields};
use crate::store;

fn data_dir(label: &str) -> PathBuf {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "these tests use the real Secret Service: run them through `bash .ci/test.sh`"
    );
    let root = std::env::var_os("SWITCHBOARD_TEST_ROOT")
        .map_or_else(std::env::temp_dir, PathBuf::from)
        .join("switchboard-data");
    let dir = root.join(format!("uow-{label}-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn row(name: &str) -> Connection {
    let mut fields = ConnectionFields::postgres(name, "db.example.com", 5432, "orders", "app");
    // Written straight to the store, which takes the handle as given.
    fields.handle = name.into();
    Connection {
        id: Uuid::new_v4(),
        fields,
        has_saved_password: false,
        has_client_key: false,
        ssh_secrets: Vec::new(),
        created_at: "2026-01-01T00:00:00Z".into(),
        updated_at: "2026-01-01T00:00:00Z".into(),
        version: 1,
    }
}

/// Two connections: A with a password and a client key, B with an SSH password.
struct World {
    sb: Switchboard,
    dir: PathBuf,
    a: Connection,
    b: Connection,
    tag: String,
}

async fn world(label: &str) -> World {
    let dir = data_dir(label);
    let sb = Switchboard::open(&dir).await.unwrap();
    let tag = Uuid::new_v4().simple().to_string()[..8].to_owned();
    let a = row(&format!("uow-a-{tag}"));
    let b = row(&format!("uow-b-{tag}"));
    let plans = vec![
        Planned::fresh(
            a.id,
            &a.fields.name,
            SecretKind::Password,
            Secret::new("a-pw-old"),
        ),
        Planned::fresh(
            a.id,
            &a.fields.name,
            SecretKind::ClientKey,
            Secret::new("a-key-old"),
        ),
        Planned::fresh(
            b.id,
            &b.fields.name,
            SecretKind::Ssh(0),
            Secret::new("b-ssh-old"),
        ),
    ];
    let (ra, rb) = (a.clone(), b.clone());
    sb.secrets
        .unit_of_work(plans, move |tx| {
            Box::pin(async move {
                store::insert(tx, &ra).await?;
                store::insert(tx, &rb).await
            })
        })
        .await
        .unwrap();
    World { sb, dir, a, b, tag }
}

impl World {
    fn b_renamed(&self) -> String {
        format!("uow-b2-{}", self.tag)
    }

    /// The change under test, three kinds over two rows: A's password replaced, its key
    /// removed and an SSH password added; B renamed, its SSH password relabelled. Keychain
    /// calls: write A password (0), write A SSH password (1), relabel B (2), then after the
    /// commit remove A's old password (3) and key (4).
    async fn change(&self, sb: &Switchboard, fail_rows: bool) -> Result<()> {
        let (a, b) = (&self.a, &self.b);
        let new_b = self.b_renamed();
        let plans = vec![
            Planned::new(
                a.id,
                &a.fields.name,
                SecretKind::Password,
                SecretOp::Write(Secret::new("a-pw-new")),
            ),
            Planned::new(
                a.id,
                &a.fields.name,
                SecretKind::ClientKey,
                SecretOp::Remove,
            ),
            Planned::new(
                a.id,
                &a.fields.name,
                SecretKind::Ssh(0),
                SecretOp::Write(Secret::new("a-ssh-new")),
            ),
            Planned::new(
                b.id,
                &new_b,
                SecretKind::Ssh(0),
                SecretOp::Relabel {
                    old_name: b.fields.name.clone(),
                },
            ),
        ];
        let (a_id, b_id) = (a.id, b.id);
        sb.secrets
            .unit_of_work(plans, move |tx| {
                Box::pin(async move {
                    sqlx::query("UPDATE connections SET version = version + 1 WHERE id = ?")
                        .bind(a_id.to_string())
                        .execute(&mut *tx)
                        .await
                        .db()?;
                    sqlx::query("UPDATE connections SET name = ? WHERE id = ?")
                        .bind(new_b)
                        .bind(b_id.to_string())
                        .execute(&mut *tx)
                        .await
                        .db()?;
                    if fail_rows {
                        return Err(CoreError::Storage("injected row failure".into()));
                    }
                    Ok(())
                })
            })
            .await
    }

    /// Each (connection, kind) → the value its claimed entry holds.
    async fn values(&self, sb: &Switchboard) -> Vec<(String, Option<String>)> {
        let mut out = Vec::new();
        for (c, label) in [(&self.a, "a"), (&self.b, "b")] {
            for kind in [
                SecretKind::Password,
                SecretKind::ClientKey,
                SecretKind::Ssh(0),
            ] {
                let value = match sb.secrets.generation(c.id, kind).await.unwrap() {
                    Some(g) => {
                        let r = SecretRef::new(kind, c.id, "").at(g);
                        let v = sb.secrets.get(r).await.unwrap();
                        Some(
                            v.expect("a claimed secret is in the keychain")
                                .expose()
                                .to_owned(),
                        )
                    }
                    None => None,
                };
                out.push((format!("{label}:{}", kind.as_str()), value));
            }
        }
        out
    }

    /// Every keychain entry of A and B, as `username = label`.
    fn entries(&self) -> BTreeSet<String> {
        keychain_entries(&[self.a.id, self.b.id])
    }

    /// What the claims say the keychain must hold, with the labels the rows' names give.
    async fn claimed_entries(&self, sb: &Switchboard) -> BTreeSet<String> {
        let rows = sqlx::query_as::<_, (String, String, i64, String)>(
            "SELECT s.connection_id, s.kind, s.generation, c.name FROM secrets s \
             JOIN connections c ON c.id = s.connection_id",
        )
        .fetch_all(sb.store.pool())
        .await
        .unwrap();
        rows.into_iter()
            .map(|(id, kind, g, name)| {
                let kind = SecretKind::parse(&kind).unwrap();
                let r = SecretRef::new(kind, Uuid::parse_str(&id).unwrap(), &name).at(g);
                format!("{} = {}", r.user(), r.label())
            })
            .collect()
    }

    async fn journal_len(&self, sb: &Switchboard) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM secret_intents")
            .fetch_one(sb.store.pool())
            .await
            .unwrap()
    }

    async fn b_name(&self, sb: &Switchboard) -> String {
        sqlx::query_scalar("SELECT name FROM connections WHERE id = ?")
            .bind(self.b.id.to_string())
            .fetch_one(sb.store.pool())
            .await
            .unwrap()
    }

    /// The keychain holds exactly what the rows claim, labelled with their current names.
    async fn assert_consistent(&self, sb: &Switchboard, when: &str) {
        assert_eq!(self.entries(), self.claimed_entries(sb).await, "{when}");
    }

    async fn assert_old(&self, sb: &Switchboard, when: &str) {
        assert_eq!(self.values(sb).await, old_values(), "{when}");
        assert_eq!(self.b_name(sb).await, self.b.fields.name, "{when}");
    }

    async fn assert_new(&self, sb: &Switchboard, when: &str) {
        assert_eq!(self.values(sb).await, new_values(), "{when}");
        assert_eq!(self.b_name(sb).await, self.b_renamed(), "{when}");
    }
}

fn old_values() -> Vec<(String, Option<String>)> {
    vals(&[
        Some("a-pw-old"),
        Some("a-key-old"),
        None,
        None,
        None,
        Some("b-ssh-old"),
    ])
}

fn new_values() -> Vec<(String, Option<String>)> {
    vals(&[
        Some("a-pw-new"),
        None,
        Some("a-ssh-new"),
        None,
        None,
        Some("b-ssh-old"),
    ])
}

fn vals(v: &[Option<&str>]) -> Vec<(String, Option<String>)> {
    let names = [
        "a:password",
        "a:client-key",
        "a:ssh-1",
        "b:password",
        "b:client-key",
        "b:ssh-1",
    ];
    names
        .iter()
        .zip(v)
        .map(|(n, v)| (n.to_string(), v.map(str::to_owned)))
        .collect()
}

/// `username = label` of every Switchboard entry of `ids`, as libsecret's own client sees
/// them (it prints attributes on stderr and labels on stdout, so each label is looked up
/// by its username).
fn keychain_entries(ids: &[Uuid]) -> BTreeSet<String> {
    // Under a loaded test run the Secret Service can refuse a call: retry a failed search,
    // and never read a failure as "no entries".
    let search = |extra: &[&str]| {
        let mut last = String::new();
        for _ in 0..5 {
            let out = std::process::Command::new("secret-tool")
                .args(["search", "--all", "service", "switchboard"])
                .args(extra)
                .output()
                .expect("secret-tool (libsecret-tools) is installed by the test command");
            let err = String::from_utf8_lossy(&out.stderr).to_string();
            if out.status.success() || (out.stdout.is_empty() && err.is_empty()) {
                return (String::from_utf8_lossy(&out.stdout).to_string(), err);
            }
            last = err;
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("secret-tool search failed: {last}");
    };
    let (out, err) = search(&[]);
    let users: BTreeSet<String> = out
        .lines()
        .chain(err.lines())
        .filter_map(|l| l.strip_prefix("attribute.username = "))
        .filter(|u| ids.iter().any(|id| u.starts_with(&id.to_string())))
        .map(str::to_owned)
        .collect();
    users
        .into_iter()
        .map(|u| {
            let (out, err) = search(&["username", &u]);
            let labels: Vec<&str> = out
                .lines()
                .chain(err.lines())
                .filter_map(|l| l.strip_prefix("label = "))
                .collect();
            format!("{u} = {}", labels.join(" + "))
        })
        .collect()
}

#[tokio::test]
async fn a_failure_at_any_keychain_step_leaves_the_old_secrets_or_the_new_ones_never_a_mix() {
    for step in 0..5 {
        let w = world(&format!("fail-{step}")).await;
        w.assert_consistent(&w.sb, "before").await;
        w.sb.secrets.inject_fault(Some(Fault::FailCall(step)));
        let outcome = w.change(&w.sb, false).await;
        let when = format!("failure at keychain call {step}");
        if step < 3 {
            // Before the commit: the command fails and nothing it wrote stays.
            assert!(outcome.is_err(), "{when}");
            w.assert_old(&w.sb, &when).await;
            assert_eq!(w.journal_len(&w.sb).await, 0, "{when}: undo finished");
        } else {
            // After the commit: saved; the old entry waits in the journal for removal.
            outcome.unwrap();
            w.assert_new(&w.sb, &when).await;
            assert_eq!(
                w.journal_len(&w.sb).await,
                1,
                "{when}: one removal deferred"
            );
            assert!(w.sb.secrets.reconcile().await >= 1);
        }
        w.assert_consistent(&w.sb, &when).await;
        assert_eq!(w.journal_len(&w.sb).await, 0, "{when}");
    }
}

#[tokio::test]
async fn a_failed_commit_undoes_every_keychain_write_and_relabel() {
    let w = world("commit").await;
    let e = w.change(&w.sb, true).await.unwrap_err();
    assert_eq!(e.code(), crate::ErrorCode::StorageFailed);
    w.assert_old(&w.sb, "after a failed commit").await;
    w.assert_consistent(&w.sb, "after a failed commit").await;
    assert_eq!(w.journal_len(&w.sb).await, 0);
    // Control: the same change without the fault is saved.
    w.change(&w.sb, false).await.unwrap();
    w.assert_new(&w.sb, "control").await;
    w.assert_consistent(&w.sb, "control").await;
}

#[tokio::test]
async fn a_process_dying_at_any_keychain_step_is_settled_by_the_next_open() {
    let runs = (0..5).map(|step| async move {
        let w = world(&format!("crash-{step}")).await;
        // The writer "dies" while keychain call `step` is under way: its future is dropped
        // and its process lock released; the call itself still lands a moment later, as a
        // D-Bus call already sent would.
        let dying = Switchboard::open(&w.dir).await.unwrap();
        dying
            .secrets
            .inject_fault(Some(Fault::StallCall(step, Duration::from_millis(600))));
        let cut = tokio::time::timeout(Duration::from_millis(300), w.change(&dying, false)).await;
        assert!(cut.is_err(), "the write was cut at call {step}");
        drop(dying);
        tokio::time::sleep(Duration::from_millis(900)).await;
        // The next process settles the journal at open.
        let next = Switchboard::open(&w.dir).await.unwrap();
        let when = format!("crash at keychain call {step}");
        assert_eq!(w.journal_len(&next).await, 0, "{when}");
        if step < 3 {
            w.assert_old(&next, &when).await;
        } else {
            w.assert_new(&next, &when).await;
        }
        w.assert_consistent(&next, &when).await;
    });
    futures_util::future::join_all(runs).await;
}

#[tokio::test]
async fn a_running_writers_intents_are_left_alone_by_another_process() {
    let w = world("live").await;
    let slow = Switchboard::open(&w.dir).await.unwrap();
    slow.secrets
        .inject_fault(Some(Fault::StallCall(0, Duration::from_millis(800))));
    let other = Switchboard::open(&w.dir).await.unwrap();
    let (outcome, settled) = tokio::join!(w.change(&slow, false), async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        // Mid-write: the slow writer's journal is there, and its process still runs.
        assert!(w.journal_len(&other).await > 0);
        other.secrets.reconcile().await
    });
    outcome.unwrap();
    assert_eq!(settled, 0, "nothing of a running writer was touched");
    w.assert_new(&other, "after the slow write").await;
    w.assert_consistent(&other, "after the slow write").await;
}

#[tokio::test]
async fn a_write_that_times_out_fails_and_its_late_value_is_removed_once_it_lands() {
    let w = world("timeout").await;
    let mut sb = Switchboard::open(&w.dir).await.unwrap();
    sb.secrets.timeout = Duration::from_millis(200);
    sb.secrets
        .inject_fault(Some(Fault::StallCall(0, Duration::from_millis(700))));
    let e = w.change(&sb, false).await.unwrap_err();
    assert_eq!(e.code(), crate::ErrorCode::KeychainTimeout);
    w.assert_old(&sb, "right after the timeout").await;
    // The stalled write lands after the command gave up; the unit of work removes it then.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(w.journal_len(&sb).await, 0);
    w.assert_consistent(&sb, "after the late write").await;
    w.assert_old(&sb, "after the late write").await;
}
