//! How long a connection test takes, next to the engine's own client on the same servers
//! in the same run, and how fast a test gives up on a listener that never answers.
//!
//! `cargo bench -p switchboard-benches --bench connection_test` (starts the throwaway
//! PostgreSQL and MariaDB of the test harness; needs their packages, as the tests do).
//! Prints figures; asserts nothing about time.

use std::process::Command;
use std::time::{Duration, Instant};

use switchboard_core::model::{Engine, TlsMode};
use switchboard_core::probe::{self, ProbeTarget, TlsMaterial};
use switchboard_core::Secret;
use switchboard_tests::mariadb::MariaDbServer;
use switchboard_tests::pg::{PgServer, APP_DB, APP_USER};

const RUNS: usize = 20;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:8.1} ms", d.as_secs_f64() * 1000.0)
}

fn time_command(mut cmd: Command) -> Duration {
    let t = Instant::now();
    let out = cmd.output().expect("client");
    let d = t.elapsed();
    assert!(
        out.status.success(),
        "client failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    d
}

async fn time_probe(target: &ProbeTarget) -> Duration {
    let t = Instant::now();
    let r = probe::run(target).await;
    let d = t.elapsed();
    assert!(r.ok, "{r:?}");
    d
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let root = switchboard_tests::test_root();
    println!("connection test, median of {RUNS} runs on this machine (verify-full, local servers)");

    let pg = PgServer::shared();
    let ca = root.join("bench-pg-ca.pem");
    std::fs::write(&ca, &pg.ca.cert_pem).unwrap();
    let target = ProbeTarget {
        database: APP_DB.into(),
        username: APP_USER.into(),
        password: Some(Secret::new(pg.app_password.clone())),
        tls: TlsMaterial {
            ca_pem: Some(pg.ca.cert_pem.clone()),
            ..Default::default()
        },
        ..ProbeTarget::new(Engine::Postgres, "localhost", pg.port, TlsMode::VerifyFull)
    };
    let mut ours = Vec::new();
    let mut psql = Vec::new();
    for _ in 0..RUNS {
        ours.push(time_probe(&target).await);
        let mut cmd = Command::new(switchboard_tests::pg::bin("psql"));
        cmd.arg(format!(
            "host=localhost port={} dbname={APP_DB} user={APP_USER} sslmode=verify-full sslrootcert={}",
            pg.port,
            ca.display()
        ))
        .args(["-X", "-w", "-Atc", "select 1"])
        .env("PGPASSWORD", &pg.app_password)
        .env_remove("PGSERVICE");
        psql.push(time_command(cmd));
    }
    println!(
        "  PostgreSQL 15   switchboard {}   psql -c 'select 1' {}",
        ms(median(ours)),
        ms(median(psql))
    );

    let maria = MariaDbServer::shared();
    let mca = root.join("bench-maria-ca.pem");
    std::fs::write(&mca, &maria.ca.cert_pem).unwrap();
    let mut t = target.clone();
    t.engine = Engine::Mysql;
    t.port = maria.port;
    t.username = switchboard_tests::mariadb::APP_USER.into();
    t.database = switchboard_tests::mariadb::APP_DB.into();
    t.password = Some(Secret::new(maria.app_password.clone()));
    t.tls.ca_pem = Some(maria.ca.cert_pem.clone());
    let mut ours = Vec::new();
    let mut client = Vec::new();
    for _ in 0..RUNS {
        ours.push(time_probe(&t).await);
        let mut cmd = Command::new("mariadb");
        cmd.args(["--no-defaults", "-h", "localhost", "--protocol=TCP"])
            .arg(format!("--port={}", maria.port))
            .arg(format!("--user={}", switchboard_tests::mariadb::APP_USER))
            .arg(format!("--password={}", maria.app_password))
            .arg(format!("--ssl-ca={}", mca.display()))
            .args(["--ssl-verify-server-cert", "-e", "select 1"])
            .arg(switchboard_tests::mariadb::APP_DB);
        client.push(time_command(cmd));
    }
    println!(
        "  MariaDB 10.11   switchboard {}   mariadb -e 'select 1' {}",
        ms(median(ours)),
        ms(median(client))
    );
    println!("  (switchboard's MySQL test opens two connections: its own for the TLS details, then the driver's)");

    let silent = switchboard_tests::net::silent_listener();
    let mut blackhole = target.clone();
    blackhole.host = "127.0.0.1".into();
    blackhole.port = silent.port();
    blackhole.timeout = Duration::from_secs(2);
    let mut times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let r = probe::run(&blackhole).await;
        times.push(t.elapsed());
        assert_eq!(
            r.error.map(|e| e.code),
            Some(switchboard_core::ErrorCode::Timeout)
        );
    }
    println!(
        "black-holed listener, timeout 2 s: returned after {} (median of 5; max {})",
        ms(median(times.clone())),
        ms(*times.iter().max().unwrap())
    );
}
