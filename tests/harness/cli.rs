//! Running the `switchboard` binary as a user does: a real process with its own data dir.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `switchboard --data-dir DIR ARGS…`, with `stdin` as its first input line.
pub fn run(dir: &Path, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(crate::workspace_bin("switchboard"));
    cmd.arg("--data-dir").arg(dir).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run switchboard");
    if let Some(s) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(format!("{s}\n").as_bytes())
            .expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("wait for switchboard")
}

/// Standard output as JSON; a failure shows both streams.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// Both streams, for "never printed" checks.
pub fn all_output(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// What a run on a terminal showed: everything the terminal displayed (both streams and
/// the terminal's own echo of what was typed) and the exit code.
pub struct TerminalRun {
    pub screen: String,
    pub code: i32,
}

const PTY_DRIVER: &str = r#"
import json, os, pty, select, sys, time
argv, steps = json.loads(sys.argv[1]), json.loads(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out = b""
def read(until=None, deadline=30):
    global out
    end = time.time() + deadline
    while time.time() < end:
        if until is not None and until.encode() in out:
            return True
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return until is None
            if not chunk:
                return until is None
            out += chunk
    return False
for wait, send in steps:
    if not read(wait):
        sys.stderr.write("never saw %r; screen so far: %r\n" % (wait, out))
        os.kill(pid, 9)
        sys.exit(3)
    time.sleep(0.1)
    os.write(fd, send.encode())
read(None)
_, status = os.waitpid(pid, 0)
json.dump({"screen": out.decode("utf-8", "replace"), "code": os.waitstatus_to_exitcode(status)}, sys.stdout)
"#;

/// Runs `switchboard --data-dir DIR ARGS…` on a pseudo-terminal (its stdin, stdout,
/// stderr and controlling terminal), as a person at a shell does: for each `(wait, send)`
/// it waits until `wait` is on the screen, then types `send`.
pub fn run_on_terminal(dir: &Path, args: &[&str], steps: &[(&str, &str)]) -> TerminalRun {
    let mut argv = vec![
        crate::workspace_bin("switchboard").display().to_string(),
        "--data-dir".to_owned(),
        dir.display().to_string(),
    ];
    argv.extend(args.iter().map(|s| s.to_string()));
    let out = Command::new("python3")
        .args([
            "-c",
            PTY_DRIVER,
            &serde_json::to_string(&argv).expect("argv as JSON"),
            &serde_json::to_string(steps).expect("steps as JSON"),
        ])
        .output()
        .expect("python3 (the test command's machine has it)");
    assert!(
        out.status.success(),
        "the terminal driver failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("driver's JSON");
    TerminalRun {
        screen: v["screen"].as_str().unwrap_or_default().to_owned(),
        code: v["code"].as_i64().unwrap_or(-1) as i32,
    }
}
