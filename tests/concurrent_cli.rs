//! Scripts that run `switchboard` many times at once against one data dir (a fresh one,
//! so that they also race to create it): every outcome is a success or one documented
//! code, never a raw storage error, and a taken name is told one way whichever check
//! caught it (the check before the write, or the database's unique index).

use std::io::Write;
use std::process::{Command, Stdio};

use switchboard_tests::cli::json;
use switchboard_tests::{data_dir, require_keyring_session, test_password, workspace_bin};

#[test]
fn forty_concurrent_adds_on_a_new_data_dir_succeed_or_fail_with_one_code_for_a_taken_name() {
    require_keyring_session();
    // A directory that does not exist yet: every process opens (and migrates) it.
    let dir = data_dir("concurrent-adds").join("fresh");
    let children: Vec<_> = (0..40)
        .map(|i| {
            let name = format!("svc-{}", i % 20);
            let mut child = Command::new(workspace_bin("switchboard"))
                .arg("--data-dir")
                .arg(&dir)
                .args([
                    "add",
                    "--name",
                    &name,
                    "--host",
                    "db.example.test",
                    "--database",
                    "d",
                    "--username",
                    "u",
                    "--password-stdin",
                    "--json",
                ])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("run switchboard");
            let pw = test_password("race");
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(format!("{pw}\n").as_bytes())
                .expect("write the password");
            child
        })
        .collect();
    let mut saved = 0;
    for child in children {
        let out = child.wait_with_output().expect("wait");
        if out.status.success() {
            saved += 1;
            continue;
        }
        let e = &json(&out)["error"];
        assert_eq!(e["code"], "validation_failed", "{e:#}");
        let issues = e["issues"].as_array().expect("issues");
        assert_eq!(issues.len(), 1, "{e:#}");
        assert_eq!(issues[0]["code"], "name_taken", "{e:#}");
        assert_eq!(issues[0]["field"], "name", "{e:#}");
    }
    assert_eq!(saved, 20, "one of each name is saved");
    let list = Command::new(workspace_bin("switchboard"))
        .arg("--data-dir")
        .arg(&dir)
        .args(["list", "--json"])
        .output()
        .expect("list");
    assert_eq!(json(&list).as_array().map(Vec::len), Some(20));
}
