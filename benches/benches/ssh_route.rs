//! A connection test through an SSH route, next to OpenSSH + psql doing the same in the
//! same run, and how fast a test gives up when the second hop is black-holed.
//!
//! `cargo bench -p switchboard-benches --bench ssh_route` (starts the harness's throwaway
//! sshd and PostgreSQL; needs openssh-server and postgresql, as the tests do). Prints
//! figures; asserts nothing about time.
//!
//! - Switchboard: the whole test (one local hop, resolve → TCP → SSH handshake → host key
//!   → login → forward → TLS verify-full → SCRAM → first query).
//! - OpenSSH + psql: `ssh -N -L` started, waited for until its local port accepts, then
//!   `psql -c 'select 1'` with verify-full through it, then ssh stopped: what a user runs
//!   by hand.
//! - Black hole: hop 2 is a listener that accepts and never speaks; the test's timeout is
//!   3 s and must end the test at that hop's handshake.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use switchboard_core::model::{Engine, TlsMode};
use switchboard_core::probe::ssh::{Hop, HopAuth, SshRoute, Transport, Via};
use switchboard_core::probe::{self, ProbeTarget, TlsMaterial};
use switchboard_core::Secret;
use switchboard_tests::pg::{PgServer, APP_DB, APP_USER};
use switchboard_tests::sshd::{client_key, local_user, Sshd, SshdOptions};

const RUNS: usize = 15;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:8.1} ms", d.as_secs_f64() * 1000.0)
}

fn hop(port: u16, key: &std::path::Path) -> Hop {
    Hop {
        host: "127.0.0.1".into(),
        port,
        user: local_user(),
        auth: HopAuth::KeyFiles {
            files: vec![key.to_path_buf()],
            passphrase: None,
        },
        proxy_command: None,
        known_hosts: Vec::new(),
        connect_timeout: None,
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let pg = PgServer::shared();
    let key = client_key("ed25519", "");
    let s = Sshd::start(SshdOptions {
        authorized_keys: vec![key.public_line.clone()],
        ..Default::default()
    });
    let kh = s.known_hosts();
    let own = std::env::temp_dir().join(format!("sb-bench-ssh-{}", std::process::id()));
    let route = SshRoute {
        via: Via::Hops(vec![hop(s.port, &key.path)]),
        known_hosts: vec![kh.clone()],
        own_known_hosts: own.join("known_hosts"),
        trust: Vec::new(),
        config: None,
    };
    let target = ProbeTarget {
        database: APP_DB.into(),
        username: APP_USER.into(),
        password: Some(Secret::new(pg.app_password.clone())),
        tls: TlsMaterial {
            ca_pem: Some(pg.ca.cert_pem.clone()),
            ..Default::default()
        },
        transport: Transport::Ssh(Box::new(route.clone())),
        ..ProbeTarget::new(Engine::Postgres, "localhost", pg.port, TlsMode::VerifyFull)
    };
    let ca = own.join("ca.pem");
    std::fs::create_dir_all(&own).expect("bench dir");
    std::fs::write(&ca, &pg.ca.cert_pem).expect("ca file");

    // Warm both up once (page cache, sshd's first fork).
    let r = probe::run(&target).await;
    assert!(r.ok, "{r:#?}");
    let mut ours = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let r = probe::run(&target).await;
        ours.push(t.elapsed());
        assert!(r.ok, "{:?}", r.error);
    }

    let mut theirs = Vec::new();
    for _ in 0..=RUNS {
        let local = switchboard_tests::net::free_port();
        let t = Instant::now();
        let mut ssh = Command::new("ssh")
            .args([
                "-N",
                "-o",
                "BatchMode=yes",
                "-o",
                "ExitOnForwardFailure=yes",
                "-o",
            ])
            .arg(format!("UserKnownHostsFile={}", kh.display()))
            .arg("-i")
            .arg(&key.path)
            .args(["-p", &s.port.to_string(), "-L"])
            .arg(format!("{local}:localhost:{}", pg.port))
            .arg(format!("{}@127.0.0.1", local_user()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ssh");
        while std::net::TcpStream::connect(("127.0.0.1", local)).is_err() {
            std::thread::sleep(Duration::from_millis(2));
        }
        let out = Command::new(switchboard_tests::pg::bin("psql"))
            .args(["-X", "-At", "-c", "select 1"])
            .arg(format!(
                "host=localhost hostaddr=127.0.0.1 port={local} dbname={APP_DB} user={APP_USER} sslmode=verify-full sslrootcert={}",
                ca.display()
            ))
            .env("PGPASSWORD", &pg.app_password)
            .output()
            .expect("psql");
        let took = t.elapsed();
        let _ = ssh.kill();
        let _ = ssh.wait();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        theirs.push(took);
    }
    theirs.remove(0); // the warm-up

    println!("SSH route, one local hop, PostgreSQL verify-full (median of {RUNS}):");
    println!(
        "  Switchboard test through the route   {}",
        ms(median(ours))
    );
    println!(
        "  ssh -N -L + psql -c 'select 1'        {}",
        ms(median(theirs))
    );

    // Hop 2 accepts and never speaks: the 3 s timeout ends the test at its handshake.
    let silent = switchboard_tests::net::silent_listener();
    let mut black = target.clone();
    black.timeout = Duration::from_secs(3);
    black.transport = Transport::Ssh(Box::new(SshRoute {
        via: Via::Hops(vec![hop(s.port, &key.path), hop(silent.port(), &key.path)]),
        ..route
    }));
    let t = Instant::now();
    let r = probe::run(&black).await;
    let took = t.elapsed();
    let e = r.error.expect("a failure");
    println!(
        "  black-holed hop 2, 3 s timeout: returned after {} with {} at {:?}",
        ms(took),
        e.code,
        e.step
    );
    let _ = std::fs::remove_dir_all(&own);
}
