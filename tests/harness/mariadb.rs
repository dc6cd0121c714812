//! A throwaway MariaDB server (Debian's mariadb-server) with TLS from a test CA, on a free
//! port, listening on 127.0.0.1 and 127.0.0.2 (the certificate names only the first).
//!
//! Users: `app` (password, `REQUIRE SSL`), `plain` (password, no TLS required) and
//! `certuser` (`REQUIRE X509`: a client certificate from the test CA). Started by a keeper
//! thread as the `mysql` user with PR_SET_PDEATHSIG, like the PostgreSQL server.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::ca::TestCa;
use crate::proc::{run, OsUser};

const SERVER_USER: OsUser = OsUser("mysql");
pub const APP_USER: &str = "app";
pub const PLAIN_USER: &str = "plain";
pub const CERT_USER: &str = "certuser";
pub const APP_DB: &str = "appdb";

pub struct MariaDbServer {
    pub port: u16,
    pub ca: TestCa,
    pub foreign_ca: TestCa,
    pub app_password: String,
    pub plain_password: String,
    pub socket: PathBuf,
    pub dir: PathBuf,
}

impl MariaDbServer {
    pub fn shared() -> &'static MariaDbServer {
        static S: OnceLock<MariaDbServer> = OnceLock::new();
        S.get_or_init(|| MariaDbServer::start(30))
    }

    /// A second server whose certificate expired yesterday (for `tls_expired`).
    pub fn expired() -> &'static MariaDbServer {
        static S: OnceLock<MariaDbServer> = OnceLock::new();
        S.get_or_init(|| MariaDbServer::start(-1))
    }

    /// Its certificate is valid until `not_after_days` from now (negative: expired).
    fn start(not_after_days: i64) -> MariaDbServer {
        let dir = crate::test_root().join(format!(
            "mariadb-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        let data = dir.join("data");
        std::fs::create_dir_all(&data).expect("mkdir");
        crate::proc::open_path_to(&dir, SERVER_USER);

        let ca = TestCa::new("Switchboard Test CA (MariaDB)");
        let foreign_ca = TestCa::new("Some Other CA");
        let server = ca.server(&["localhost", "127.0.0.1"], -30, not_after_days);
        for (name, text) in [
            ("server.crt", &server.cert_pem),
            ("server.key", &server.key_pem),
            ("ca.crt", &ca.cert_pem),
        ] {
            std::fs::write(dir.join(name), text).expect("write");
        }
        SERVER_USER.chown_tree(&dir);

        let mut install = Command::new("mariadb-install-db");
        install
            .args([
                "--no-defaults",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ])
            .arg(format!("--datadir={}", data.display()));
        SERVER_USER.apply(&mut install, false);
        run(
            &mut install,
            "mariadb-install-db (install the mariadb-server package)",
        );

        let port = crate::net::free_port();
        let socket = dir.join("mysqld.sock");
        let log = dir.join("server.log");
        let args: Vec<String> = vec![
            "--no-defaults".into(),
            format!("--datadir={}", data.display()),
            format!("--port={port}"),
            format!("--socket={}", socket.display()),
            "--bind-address=127.0.0.1,127.0.0.2".into(),
            format!("--ssl-ca={}", dir.join("ca.crt").display()),
            format!("--ssl-cert={}", dir.join("server.crt").display()),
            format!("--ssl-key={}", dir.join("server.key").display()),
            format!("--pid-file={}", dir.join("mysqld.pid").display()),
            format!("--log-error={}", log.display()),
            "--skip-name-resolve".into(),
            "--innodb-buffer-pool-size=16M".into(),
            "--innodb-log-file-size=8M".into(),
            "--max-connect-errors=100000".into(),
        ];
        let mut cmd = Command::new("mariadbd");
        cmd.args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let pid = crate::proc::keep_running("mariadbd", SERVER_USER, cmd);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ok = Command::new("mariadb-admin")
                .args(["--no-defaults", "-u", "root"])
                .arg(format!("--socket={}", socket.display()))
                .args(["ping", "--silent"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if ok {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "mariadbd (pid {pid}) did not become ready: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let s = MariaDbServer {
            port,
            ca,
            foreign_ca,
            app_password: crate::test_password("maria-app"),
            plain_password: crate::test_password("maria-plain"),
            socket,
            dir,
        };
        let quote = |p: &str| p.replace('\\', "\\\\").replace('\'', "\\'");
        s.sql_root(&format!(
            "CREATE DATABASE {APP_DB};\
             CREATE USER '{APP_USER}'@'%' IDENTIFIED BY '{}' REQUIRE SSL;\
             CREATE USER '{PLAIN_USER}'@'%' IDENTIFIED BY '{}';\
             CREATE USER '{CERT_USER}'@'%' REQUIRE X509;\
             GRANT ALL ON {APP_DB}.* TO '{APP_USER}'@'%', '{PLAIN_USER}'@'%', '{CERT_USER}'@'%';",
            quote(&s.app_password),
            quote(&s.plain_password)
        ));
        s
    }

    /// Runs SQL as root over the Unix socket.
    pub fn sql_root(&self, sql: &str) {
        let mut cmd = Command::new("mariadb");
        cmd.args(["--no-defaults", "-u", "root"])
            .arg(format!("--socket={}", self.socket.display()))
            .args(["-e", sql]);
        run(&mut cmd, "mariadb (client)");
    }
}
