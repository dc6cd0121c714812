//! A throwaway PostgreSQL cluster (Debian's postgresql package) with TLS from a test CA.
//!
//! initdb and postgres refuse to run as root, so as root the server runs as the `postgres`
//! user. The server is started by a thread that lives as long as the test process and
//! is given PR_SET_PDEATHSIG=SIGQUIT, so it stops (immediate shutdown) when tests end,
//! however they end.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::ca::TestCa;
use crate::proc::{run, OsUser};

const SERVER_USER: OsUser = OsUser("postgres");

pub const APP_USER: &str = "app";
pub const APP_DB: &str = "appdb";
pub const CERT_USER: &str = "certuser";

pub struct PgServer {
    pub port: u16,
    pub ca: TestCa,
    /// Trusted by nobody: for "untrusted" cases.
    pub foreign_ca: TestCa,
    pub app_password: String,
    pub socket_dir: PathBuf,
    pub dir: PathBuf,
}

/// A program of the PostgreSQL installation the servers run from (psql, pg_isready, …).
pub fn bin(name: &str) -> PathBuf {
    bin_dir().join(name)
}

fn bin_dir() -> PathBuf {
    for v in ["17", "16", "15"] {
        let p = PathBuf::from(format!("/usr/lib/postgresql/{v}/bin"));
        if p.join("postgres").exists() {
            return p;
        }
    }
    panic!("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install the postgresql package");
}

impl PgServer {
    /// The one cluster for this test process, started on first use.
    pub fn shared() -> &'static PgServer {
        static S: OnceLock<PgServer> = OnceLock::new();
        S.get_or_init(|| PgServer::start(30))
    }

    /// A second server whose certificate expired yesterday (for `tls_expired`).
    pub fn expired() -> &'static PgServer {
        static S: OnceLock<PgServer> = OnceLock::new();
        S.get_or_init(|| PgServer::start(-1))
    }

    /// A server that agrees to TLS but offers only TLS 1.2 with a cipher rustls refuses
    /// (RSA key exchange, CBC), and admits plain connections too: where libpq's and
    /// Switchboard's prefer retry without TLS after the failed handshake.
    pub fn weak_tls() -> &'static PgServer {
        static S: OnceLock<PgServer> = OnceLock::new();
        S.get_or_init(|| {
            PgServer::start_with(
                30,
                "ssl_max_protocol_version = 'TLSv1.2'\nssl_ciphers = 'AES256-SHA'\n",
                "host all all 127.0.0.0/8 scram-sha-256\n",
            )
        })
    }

    /// Its certificate is valid until `not_after_days` from now (negative: expired).
    fn start(not_after_days: i64) -> PgServer {
        PgServer::start_with(not_after_days, "", "")
    }

    /// `start`, with `extra_conf` appended to postgresql.conf and `extra_hba` lines placed
    /// before the usual pg_hba.conf rules (so they win).
    fn start_with(not_after_days: i64, extra_conf: &str, extra_hba: &str) -> PgServer {
        let bin = bin_dir();
        let dir = crate::test_root().join(format!(
            "pg-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        let data = dir.join("data");
        let socket_dir = dir.join("sock");
        std::fs::create_dir_all(&socket_dir).expect("mkdir");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        // The path to the dir must be traversable by the server user.
        crate::proc::open_path_to(&dir, SERVER_USER);
        SERVER_USER.chown_tree(&dir);

        let mut initdb = Command::new(bin.join("initdb"));
        initdb.args(["-D"]).arg(&data).args([
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        ]);
        SERVER_USER.apply(&mut initdb, false);
        run(&mut initdb, "initdb");

        let ca = TestCa::new("Switchboard Test CA");
        let foreign_ca = TestCa::new("Some Other CA");
        let server = ca.server(&["localhost", "127.0.0.1"], -30, not_after_days);
        std::fs::write(data.join("server.crt"), &server.cert_pem).expect("write");
        std::fs::write(data.join("server.key"), &server.key_pem).expect("write");
        std::fs::write(data.join("root.crt"), &ca.cert_pem).expect("write");
        std::fs::set_permissions(
            data.join("server.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .expect("chmod");

        let port = crate::net::free_port();
        let conf = format!(
            "\nlisten_addresses = '127.0.0.1,127.0.0.2'\nport = {port}\nunix_socket_directories = '{}'\n\
             ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\nssl_ca_file = 'root.crt'\n\
             password_encryption = 'scram-sha-256'\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n\
             max_connections = 40\nshared_buffers = 16MB\nlog_min_messages = warning\n\
             wal_level = logical\nmax_replication_slots = 10\nmax_wal_senders = 10\n{extra_conf}",
            socket_dir.display()
        );
        let mut pc = std::fs::read_to_string(data.join("postgresql.conf")).expect("read conf");
        pc.push_str(&conf);
        std::fs::write(data.join("postgresql.conf"), pc).expect("write conf");
        std::fs::write(
            data.join("pg_hba.conf"),
            format!(
                "local all all trust\n{extra_hba}\
                 hostnossl all all 0.0.0.0/0 reject\n\
                 hostssl all {CERT_USER} 127.0.0.0/8 cert\n\
                 hostssl all all 127.0.0.0/8 scram-sha-256\n"
            ),
        )
        .expect("write hba");
        SERVER_USER.chown_tree(&dir);

        let log = dir.join("server.log");
        let mut cmd = Command::new(bin.join("postgres"));
        cmd.arg("-D")
            .arg(&data)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log"));
        let pid = crate::proc::keep_running("postgres", SERVER_USER, cmd);

        let isready = bin_dir().join("pg_isready");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ok = Command::new(&isready)
                .args(["-q", "-h"])
                .arg(&socket_dir)
                .args(["-p", &port.to_string()])
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if ok {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "postgres (pid {pid}) did not become ready: {}",
                std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }

        let app_password = crate::test_password("pg-app");
        let server = PgServer {
            port,
            ca,
            foreign_ca,
            app_password,
            socket_dir,
            dir,
        };
        server.psql_super(&[
            &format!(
                "CREATE ROLE {APP_USER} LOGIN PASSWORD '{}'",
                server.app_password.replace('\'', "''")
            ),
            &format!("CREATE DATABASE {APP_DB} OWNER {APP_USER}"),
            &format!("CREATE ROLE {CERT_USER} LOGIN"),
        ]);
        server
    }

    /// Runs statements (each in its own transaction) as the superuser over the Unix socket.
    pub fn psql_super(&self, statements: &[&str]) {
        self.psql_super_in("postgres", statements);
    }

    /// `psql_super` in database `db`.
    pub fn psql_super_in(&self, db: &str, statements: &[&str]) {
        let mut cmd = Command::new(bin_dir().join("psql"));
        cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(&self.socket_dir)
            .args(["-p", &self.port.to_string(), "-U", "postgres", "-d", db]);
        for s in statements {
            cmd.args(["-c", s]);
        }
        run(&mut cmd, "psql");
    }
}
