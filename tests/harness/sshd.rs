//! Throwaway OpenSSH servers (Debian's openssh-server) on free loopback ports, with host
//! keys generated at test time, and the keys and agents that log in to them.
//!
//! Each `Sshd` runs `sshd -D -e -f <its config>` from a thread that lives as long as the
//! test process (PR_SET_PDEATHSIG ends it with the tests). It logs in the user running
//! the tests by public key (`PermitRootLogin prohibit-password`: CI runs as root) and
//! allows forwarding unless told otherwise.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::proc::{keep_running, run, OsUser};

pub struct Sshd {
    pub port: u16,
    pub dir: PathBuf,
    /// The server's host key, as an OpenSSH public-key line (`ssh-ed25519 AAAA… comment`).
    pub host_key_line: String,
    /// Its fingerprint as `ssh-keygen -lf` prints it (`SHA256:…`).
    pub host_key_fingerprint: String,
}

#[derive(Default)]
pub struct SshdOptions {
    /// OpenSSH public-key lines allowed to log in.
    pub authorized_keys: Vec<String>,
    /// `PermitOpen` (e.g. `127.0.0.1:1`): forwards anywhere else are refused.
    pub permit_open: Option<String>,
    /// Password and keyboard-interactive logins through PAM (Debian's `/etc/pam.d/sshd`,
    /// checking `/etc/shadow`), for the account [`password_user`] makes.
    pub passwords: bool,
}

/// An account that logs in with a password only: `switchboard-ssh` (no home, no shell),
/// made when missing and given a fresh test password once per test process (root only:
/// CI runs as root). Returns (user, password).
pub fn password_user() -> (String, String) {
    use std::sync::OnceLock;
    static USER: OnceLock<(String, String)> = OnceLock::new();
    USER.get_or_init(|| {
        const NAME: &str = "switchboard-ssh";
        // SAFETY: getuid has no preconditions.
        assert!(
            unsafe { libc::getuid() } == 0,
            "password logins need a real account with a password: run the tests as root (CI does)"
        );
        let exists = Command::new("id")
            .arg(NAME)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if !exists {
            run(
                Command::new("useradd").args([
                    "--system",
                    "--no-create-home",
                    "--home-dir",
                    "/nonexistent",
                    "--shell",
                    "/usr/sbin/nologin",
                    NAME,
                ]),
                "useradd (the SSH password account)",
            );
        }
        let password = crate::test_password("ssh-login");
        let mut child = Command::new("chpasswd")
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("chpasswd");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("chpasswd stdin");
            writeln!(stdin, "{NAME}:{password}").expect("chpasswd input");
        }
        assert!(child.wait().expect("chpasswd").success(), "chpasswd failed");
        (NAME.to_owned(), password)
    })
    .clone()
}

/// The user the tests run as (the one the servers let in).
pub fn local_user() -> String {
    let out = Command::new("id").arg("-un").output().expect("id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn fresh_dir(label: &str) -> PathBuf {
    let dir = crate::test_root().join(format!("ssh-{label}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("ssh dir");
    dir
}

/// A client key made by `ssh-keygen` (`kind`: ed25519, ecdsa, rsa), encrypted with
/// `passphrase` when it is not empty.
pub struct ClientKey {
    pub path: PathBuf,
    pub public_line: String,
}

pub fn client_key(kind: &str, passphrase: &str) -> ClientKey {
    let dir = fresh_dir("key");
    let path = dir.join(format!("id_{kind}"));
    let mut cmd = Command::new("ssh-keygen");
    cmd.args([
        "-q",
        "-t",
        kind,
        "-N",
        passphrase,
        "-C",
        "switchboard-test",
        "-f",
    ])
    .arg(&path);
    if kind == "rsa" {
        cmd.args(["-b", "2048"]);
    }
    run(&mut cmd, "ssh-keygen (client key)");
    let public_line = std::fs::read_to_string(path.with_extension("pub"))
        .or_else(|_| std::fs::read_to_string(format!("{}.pub", path.display())))
        .expect("public key");
    ClientKey {
        path,
        public_line: public_line.trim().to_owned(),
    }
}

impl Sshd {
    pub fn start(opts: SshdOptions) -> Sshd {
        std::fs::create_dir_all("/run/sshd").expect("/run/sshd (sshd's privilege separation dir)");
        let dir = fresh_dir("sshd");
        let host_key = dir.join("host_ed25519");
        run(
            Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", "test-host", "-f"])
                .arg(&host_key),
            "ssh-keygen (host key)",
        );
        let host_key_line = std::fs::read_to_string(dir.join("host_ed25519.pub"))
            .expect("host key pub")
            .trim()
            .to_owned();
        let host_key_fingerprint = fingerprint_of(&dir.join("host_ed25519.pub"));
        let authorized = dir.join("authorized_keys");
        std::fs::write(&authorized, opts.authorized_keys.join("\n") + "\n")
            .expect("authorized_keys");
        let port = crate::net::free_port();
        let mut config = format!(
            "ListenAddress 127.0.0.1\nPort {port}\nHostKey {}\nPidFile {}\nAuthorizedKeysFile {}\nStrictModes no\nUsePAM no\nPermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nAllowTcpForwarding yes\nLogLevel VERBOSE\n",
            host_key.display(),
            dir.join("sshd.pid").display(),
            authorized.display(),
        );
        if opts.passwords {
            config = config
                .replace("UsePAM no", "UsePAM yes")
                .replace("PasswordAuthentication no", "PasswordAuthentication yes")
                .replace(
                    "KbdInteractiveAuthentication no",
                    "KbdInteractiveAuthentication yes",
                );
        }
        if let Some(p) = &opts.permit_open {
            config.push_str(&format!("PermitOpen {p}\n"));
        }
        let cfg = dir.join("sshd_config");
        std::fs::write(&cfg, config).expect("sshd_config");
        let mut cmd = Command::new("/usr/sbin/sshd");
        cmd.arg("-D")
            .arg("-f")
            .arg(&cfg)
            .arg("-E")
            .arg(dir.join("sshd.log"));
        keep_running("sshd", OsUser::current(), cmd);
        wait_for_banner(port, &dir);
        Sshd {
            port,
            dir,
            host_key_line,
            host_key_fingerprint,
        }
    }

    /// A known_hosts file holding this server's key for `127.0.0.1` on its port.
    pub fn known_hosts(&self) -> PathBuf {
        let path = self
            .dir
            .join(format!("known_hosts-{}", uuid::Uuid::new_v4().simple()));
        std::fs::write(
            &path,
            format!("[127.0.0.1]:{} {}\n", self.port, self.host_key_line),
        )
        .expect("known_hosts");
        path
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("sshd.log")).unwrap_or_default()
    }
}

pub fn fingerprint_of(pub_file: &Path) -> String {
    let out = Command::new("ssh-keygen")
        .args(["-l", "-E", "sha256", "-f"])
        .arg(pub_file)
        .output()
        .expect("ssh-keygen -l");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.split_whitespace()
        .nth(1)
        .unwrap_or_else(|| panic!("fingerprint in {text:?}"))
        .to_owned()
}

fn wait_for_banner(port: u16, dir: &Path) {
    use std::io::Read;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let mut buf = [0u8; 4];
            if s.read_exact(&mut buf).is_ok() && &buf == b"SSH-" {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "sshd on {port} did not start: {}",
            std::fs::read_to_string(dir.join("sshd.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// An `ssh-agent` on its own socket holding `keys`.
pub struct Agent {
    pub socket: PathBuf,
}

pub fn agent_with(keys: &[&ClientKey]) -> Agent {
    let dir = fresh_dir("agent");
    let socket = dir.join("agent.sock");
    let mut cmd = Command::new("ssh-agent");
    cmd.arg("-D").arg("-a").arg(&socket);
    keep_running("ssh-agent", OsUser::current(), cmd);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !socket.exists() {
        assert!(Instant::now() < deadline, "ssh-agent did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    for k in keys {
        run(
            Command::new("ssh-add")
                .env("SSH_AUTH_SOCK", &socket)
                .arg("-q")
                .arg(&k.path),
            "ssh-add",
        );
    }
    Agent { socket }
}
