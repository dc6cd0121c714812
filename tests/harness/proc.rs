//! Running test servers as their own system user (initdb, postgres and mariadbd refuse
//! root or should not run as it), and dying with the test process.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A system account servers run as when the tests run as root (`postgres`, `mysql`).
#[derive(Clone, Copy)]
pub struct OsUser(pub &'static str);

impl OsUser {
    /// Whoever runs the tests (sshd and ssh-agent run as that user).
    pub fn current() -> OsUser {
        OsUser("")
    }

    /// (uid, gid) to run as: this account when we are root, else ourselves (`None`).
    pub fn ids(self) -> Option<(u32, u32)> {
        if self.0.is_empty() {
            return None;
        }
        // SAFETY: getuid has no preconditions.
        if unsafe { libc::getuid() } != 0 {
            return None;
        }
        let name = std::ffi::CString::new(self.0).expect("cstring");
        // SAFETY: name is a valid C string; the result is checked for null before use.
        let pw = unsafe { libc::getpwnam(name.as_ptr()) };
        assert!(
            !pw.is_null(),
            "running as root but there is no {} user",
            self.0
        );
        // SAFETY: pw is non-null and points to a passwd struct owned by libc.
        unsafe { Some(((*pw).pw_uid, (*pw).pw_gid)) }
    }

    /// Makes `cmd` run as this user and, with `die_with_parent`, receive SIGQUIT when the
    /// thread that started it (kept alive for the whole test process) goes away.
    pub fn apply(self, cmd: &mut Command, die_with_parent: bool) {
        let ids = self.ids();
        // SAFETY: only async-signal-safe libc calls run between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                if let Some((uid, gid)) = ids {
                    if libc::setgroups(0, std::ptr::null()) != 0
                        || libc::setgid(gid) != 0
                        || libc::setuid(uid) != 0
                    {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                // After setuid: a credential change clears the parent-death signal.
                if die_with_parent && libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGQUIT) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }

    pub fn chown_tree(self, p: &Path) {
        if let Some((uid, gid)) = self.ids() {
            for entry in walk(p) {
                std::os::unix::fs::chown(&entry, Some(uid), Some(gid)).expect("chown");
            }
        }
    }
}

fn walk(p: &Path) -> Vec<PathBuf> {
    let mut out = vec![p.to_path_buf()];
    if p.is_dir() {
        for e in std::fs::read_dir(p).expect("read_dir").flatten() {
            out.extend(walk(&e.path()));
        }
    }
    out
}

pub fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Lets the server user reach `dir`: every parent must be traversable.
pub fn open_path_to(dir: &Path, user: OsUser) {
    use std::os::unix::fs::PermissionsExt;
    let mut up = dir.parent();
    while let Some(p) = up {
        if let Ok(meta) = std::fs::metadata(p) {
            let mode = meta.permissions().mode();
            if mode & 0o001 == 0 && user.ids().is_some() {
                let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode | 0o711));
            }
        }
        up = p.parent();
    }
}

/// Starts `cmd` (as `user`, dying with the test process) from a thread that lives as long
/// as the process, so PR_SET_PDEATHSIG fires only when the tests end. Returns its pid.
pub fn keep_running(thread_name: &str, user: OsUser, mut cmd: Command) -> u32 {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name(thread_name.into())
        .spawn(move || {
            user.apply(&mut cmd, true);
            let child = cmd.spawn();
            let ok = child.is_ok();
            tx.send(child.map(|c| c.id()).map_err(|e| e.to_string()))
                .ok();
            if ok {
                loop {
                    std::thread::park();
                }
            }
        })
        .expect("spawn keeper");
    rx.recv()
        .expect("keeper")
        .unwrap_or_else(|e| panic!("start {thread_name}: {e}"))
}
