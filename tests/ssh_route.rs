//! Connection tests through SSH routes against real OpenSSH servers (throwaway `sshd`s on
//! loopback with host keys made at test time) and the real throwaway PostgreSQL and
//! MariaDB behind them.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use switchboard_core::model::{Engine, TlsMode};
use switchboard_core::probe::report::{Step, StepStatus};
use switchboard_core::probe::ssh::{Hop, HopAuth, SshRoute, Transport, Via};
use switchboard_core::probe::{self, ProbeTarget, TlsMaterial};
use switchboard_core::{ErrorCode, Secret, TestReport};
use switchboard_tests::mariadb::{self, MariaDbServer};
use switchboard_tests::pg::{PgServer, APP_DB, APP_USER};
use switchboard_tests::sshd::{self, agent_with, client_key, ClientKey, Sshd, SshdOptions};

fn hop(port: u16, auth: HopAuth) -> Hop {
    Hop {
        host: "127.0.0.1".into(),
        port,
        user: sshd::local_user(),
        auth,
        proxy_command: None,
        known_hosts: Vec::new(),
        connect_timeout: None,
    }
}

fn key_auth(key: &ClientKey, passphrase: Option<&str>) -> HopAuth {
    HopAuth::KeyFiles {
        files: vec![key.path.clone()],
        passphrase: passphrase.map(Secret::new),
    }
}

fn own_file() -> PathBuf {
    switchboard_tests::data_dir("ssh-known").join("known_hosts")
}

fn route(hops: Vec<Hop>, known_hosts: Vec<PathBuf>) -> SshRoute {
    SshRoute {
        via: Via::Hops(hops),
        known_hosts,
        own_known_hosts: own_file(),
        trust: Vec::new(),
        config: None,
    }
}

fn pg_target(route: SshRoute, mode: TlsMode) -> ProbeTarget {
    let pg = PgServer::shared();
    ProbeTarget {
        database: APP_DB.into(),
        username: APP_USER.into(),
        password: Some(Secret::new(pg.app_password.clone())),
        tls: TlsMaterial {
            ca_pem: Some(pg.ca.cert_pem.clone()),
            ..Default::default()
        },
        transport: Transport::Ssh(Box::new(route)),
        timeout: Duration::from_secs(15),
        ..ProbeTarget::new(Engine::Postgres, "localhost", pg.port, mode)
    }
}

fn failure(r: &TestReport) -> (ErrorCode, Step, String) {
    let e = r
        .error
        .as_ref()
        .unwrap_or_else(|| panic!("expected a failure: {r:#?}"));
    (e.code, e.step, format!("{} / {}", e.message, e.hint))
}

/// One server that lets `key` in, with its key known.
fn one_hop(key: &ClientKey) -> (Sshd, PathBuf) {
    let s = Sshd::start(SshdOptions {
        authorized_keys: vec![key.public_line.clone()],
        ..Default::default()
    });
    let kh = s.known_hosts();
    (s, kh)
}

#[tokio::test]
async fn postgres_verify_full_through_one_hop_shows_every_hop_step_then_the_database_steps() {
    let key = client_key("ed25519", "");
    let (s, kh) = one_hop(&key);
    let r = probe::run(&pg_target(
        route(vec![hop(s.port, key_auth(&key, None))], vec![kh.clone()]),
        TlsMode::VerifyFull,
    ))
    .await;
    assert!(r.ok, "{r:#?}\n{}", s.log());
    let hop_steps: Vec<Step> = r
        .steps
        .iter()
        .filter(|x| x.hop.is_some())
        .map(|x| x.step)
        .collect();
    assert_eq!(
        hop_steps,
        [
            Step::Resolve,
            Step::Connect,
            Step::SshHandshake,
            Step::SshHostKey,
            Step::SshAuth,
            Step::SshChannel
        ]
    );
    let label = r.steps[0].hop.clone().unwrap();
    assert!(label.starts_with("hop 1 of 1: "), "{label}");
    let handshake = &r
        .steps
        .iter()
        .find(|x| x.step == Step::SshHandshake)
        .unwrap()
        .detail;
    assert!(handshake.contains("SSH-2.0-OpenSSH"), "{handshake}");
    assert!(handshake.contains(&s.host_key_fingerprint), "{handshake}");
    let host_key = &r
        .steps
        .iter()
        .find(|x| x.step == Step::SshHostKey)
        .unwrap()
        .detail;
    assert!(
        host_key.contains(&format!("{}:1", kh.display())),
        "{host_key}"
    );
    let auth = &r
        .steps
        .iter()
        .find(|x| x.step == Step::SshAuth)
        .unwrap()
        .detail;
    assert!(
        auth.contains("publickey") && auth.contains("offers"),
        "{auth}"
    );
    // Then the database's own steps over the forward, TLS verified against its name.
    let db_steps: Vec<Step> = r
        .steps
        .iter()
        .filter(|x| x.hop.is_none())
        .map(|x| x.step)
        .collect();
    assert!(
        db_steps.ends_with(&[Step::Tls, Step::Auth, Step::Query]),
        "{db_steps:?}"
    );
    let tls = r.tls.as_ref().expect("tls info");
    // verify-full against the database's name (localhost as the hop sees it), not the
    // forward's address.
    assert!(
        tls.verification.contains("names this host"),
        "{}",
        tls.verification
    );
}

#[tokio::test]
async fn mariadb_verify_full_through_a_hop_logs_in_over_the_private_forward() {
    let key = client_key("ed25519", "");
    let (s, kh) = one_hop(&key);
    let m = MariaDbServer::shared();
    let target = ProbeTarget {
        database: mariadb::APP_DB.into(),
        username: mariadb::APP_USER.into(),
        password: Some(Secret::new(m.app_password.clone())),
        tls: TlsMaterial {
            ca_pem: Some(m.ca.cert_pem.clone()),
            ..Default::default()
        },
        transport: Transport::Ssh(Box::new(route(
            vec![hop(s.port, key_auth(&key, None))],
            vec![kh],
        ))),
        timeout: Duration::from_secs(15),
        ..ProbeTarget::new(Engine::Mysql, "localhost", m.port, TlsMode::VerifyFull)
    };
    let r = probe::run(&target).await;
    assert!(r.ok, "{r:#?}\n{}", s.log());
    assert!(r
        .steps
        .iter()
        .any(|x| x.step == Step::SshChannel && x.status == StepStatus::Ok));
    assert!(r
        .server
        .as_ref()
        .unwrap()
        .version
        .to_lowercase()
        .contains("mariadb"));
}

#[tokio::test]
async fn an_unknown_host_key_stops_at_that_hop_with_its_fingerprint_and_trusting_it_connects() {
    let key = client_key("ed25519", "");
    let (s, _) = one_hop(&key);
    let mut rt = route(vec![hop(s.port, key_auth(&key, None))], vec![]);
    let r = probe::run(&pg_target(rt.clone(), TlsMode::VerifyFull)).await;
    let (code, step, text) = failure(&r);
    assert_eq!(
        (code, step),
        (ErrorCode::SshHostKeyUnknown, Step::SshHostKey),
        "{text}"
    );
    assert!(
        text.contains("ssh-ed25519") && text.contains(&s.host_key_fingerprint),
        "{text}"
    );
    assert!(text.contains("hop 1 of 1"), "{text}");
    assert!(
        !rt.own_known_hosts.exists(),
        "nothing is trusted without asking"
    );
    // The user checks the fingerprint and trusts it: written to Switchboard's own file.
    rt.trust = vec![s.host_key_fingerprint.clone()];
    let r = probe::run(&pg_target(rt.clone(), TlsMode::VerifyFull)).await;
    assert!(r.ok, "{r:#?}");
    let own = std::fs::read_to_string(&rt.own_known_hosts).unwrap();
    assert!(own.contains(&format!("[127.0.0.1]:{}", s.port)), "{own}");
    // Next time it is known from that file, with no trust given.
    rt.trust.clear();
    let r = probe::run(&pg_target(rt.clone(), TlsMode::VerifyFull)).await;
    assert!(r.ok, "{r:#?}");
    let host_key = &r
        .steps
        .iter()
        .find(|x| x.step == Step::SshHostKey)
        .unwrap()
        .detail;
    assert!(
        host_key.contains(&rt.own_known_hosts.display().to_string()),
        "{host_key}"
    );
}

#[tokio::test]
async fn a_changed_host_key_is_a_hard_failure_naming_both_fingerprints_and_the_line() {
    let key = client_key("ed25519", "");
    let (s, _) = one_hop(&key);
    let other = client_key("ed25519", "");
    let kh = s.dir.join("known_hosts-changed");
    std::fs::write(
        &kh,
        format!(
            "# a comment\n[127.0.0.1]:{} {}\n",
            s.port, other.public_line
        ),
    )
    .unwrap();
    let mut rt = route(vec![hop(s.port, key_auth(&key, None))], vec![kh.clone()]);
    // Even a trust given for the new key does not override a changed one.
    rt.trust = vec![s.host_key_fingerprint.clone()];
    let r = probe::run(&pg_target(rt, TlsMode::VerifyFull)).await;
    let (code, step, text) = failure(&r);
    assert_eq!(
        (code, step),
        (ErrorCode::SshHostKeyChanged, Step::SshHostKey),
        "{text}"
    );
    let old_fp = sshd::fingerprint_of(&PathBuf::from(format!("{}.pub", other.path.display())));
    assert!(
        text.contains(&s.host_key_fingerprint) && text.contains(&old_fp),
        "{text}"
    );
    assert!(text.contains(&format!("{}:2", kh.display())), "{text}");
}

#[tokio::test]
async fn two_hops_reach_the_database_through_the_second_which_is_reached_through_the_first() {
    let key = client_key("ed25519", "");
    let (a, kh_a) = one_hop(&key);
    let (b, kh_b) = one_hop(&key);
    let rt = route(
        vec![
            hop(a.port, key_auth(&key, None)),
            hop(b.port, key_auth(&key, None)),
        ],
        vec![kh_a, kh_b],
    );
    let r = probe::run(&pg_target(rt, TlsMode::VerifyFull)).await;
    assert!(r.ok, "{r:#?}");
    let second: Vec<&str> = r
        .steps
        .iter()
        .filter(|x| {
            x.hop
                .as_deref()
                .is_some_and(|h| h.starts_with("hop 2 of 2"))
        })
        .map(|x| x.detail.as_str())
        .collect();
    assert!(
        second[0].starts_with("forwarded by 127.0.0.1"),
        "{second:?}"
    );
    let forward = r.steps.iter().find(|x| x.step == Step::SshChannel).unwrap();
    assert!(
        forward.hop.as_deref().unwrap().starts_with("hop 2 of 2"),
        "{forward:?}"
    );
    // The second server saw its client come from the first (a forward), the first saw us.
    assert!(b.log().contains("Accepted publickey"), "{}", b.log());
}

#[tokio::test]
async fn a_proxy_command_carries_the_first_hop() {
    let key = client_key("ed25519", "");
    let (s, kh) = one_hop(&key);
    let mut h = hop(s.port, key_auth(&key, None));
    h.proxy_command = Some("socat - TCP:%h:%p".into());
    let r = probe::run(&pg_target(route(vec![h], vec![kh]), TlsMode::VerifyFull)).await;
    assert!(r.ok, "{r:#?}");
    let connect = r
        .steps
        .iter()
        .find(|x| x.step == Step::Connect && x.hop.is_some())
        .unwrap();
    assert!(
        connect
            .detail
            .contains(&format!("ProxyCommand socat - TCP:127.0.0.1:{}", s.port)),
        "{connect:?}"
    );
    // A command that fails is named as such, with what it said.
    let mut h = hop(s.port, key_auth(&key, None));
    h.proxy_command = Some("echo no route to bastion >&2; exit 3".into());
    let r = probe::run(&pg_target(route(vec![h], vec![]), TlsMode::VerifyFull)).await;
    let (code, _, text) = failure(&r);
    assert_eq!(code, ErrorCode::SshProxyCommandFailed, "{text}");
    assert!(text.contains("no route to bastion"), "{text}");
}

#[tokio::test]
async fn a_forward_the_hop_does_not_permit_is_refused_at_the_forward_step() {
    let key = client_key("ed25519", "");
    let s = Sshd::start(SshdOptions {
        authorized_keys: vec![key.public_line.clone()],
        permit_open: Some("127.0.0.1:1".into()),
        ..Default::default()
    });
    let kh = s.known_hosts();
    let r = probe::run(&pg_target(
        route(vec![hop(s.port, key_auth(&key, None))], vec![kh]),
        TlsMode::VerifyFull,
    ))
    .await;
    let (code, step, text) = failure(&r);
    assert_eq!(
        (code, step),
        (ErrorCode::SshForwardDenied, Step::SshChannel),
        "{text}"
    );
    assert!(text.contains("prohibited"), "{text}");
}

#[tokio::test]
async fn a_hop_that_accepts_and_never_speaks_times_out_in_its_handshake_within_the_timeout() {
    let silent = switchboard_tests::net::silent_listener();
    let key = client_key("ed25519", "");
    let mut t = pg_target(
        route(vec![hop(silent.port(), key_auth(&key, None))], vec![]),
        TlsMode::VerifyFull,
    );
    t.timeout = Duration::from_secs(2);
    let started = Instant::now();
    let r = probe::run(&t).await;
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    let (code, step, text) = failure(&r);
    assert_eq!(
        (code, step),
        (ErrorCode::SshTimeout, Step::SshHandshake),
        "{text}"
    );
    assert!(text.contains("hop 1 of 1"), "{text}");
}

#[tokio::test]
async fn a_hop_that_closes_after_its_banner_is_a_handshake_failure() {
    let banner = switchboard_tests::net::banner_listener();
    let key = client_key("ed25519", "");
    let r = probe::run(&pg_target(
        route(vec![hop(banner.port(), key_auth(&key, None))], vec![]),
        TlsMode::VerifyFull,
    ))
    .await;
    let (code, step, text) = failure(&r);
    assert_eq!(
        (code, step),
        (ErrorCode::SshHandshakeFailed, Step::SshHandshake),
        "{text}"
    );
    assert!(text.contains("SSH-2.0-OpenSSH_9.2p1"), "{text}");
}

#[tokio::test]
async fn nothing_listening_at_the_first_hop_is_ssh_refused_naming_the_hop() {
    let port = switchboard_tests::net::closed_port();
    let key = client_key("ed25519", "");
    let r = probe::run(&pg_target(
        route(vec![hop(port, key_auth(&key, None))], vec![]),
        TlsMode::VerifyFull,
    ))
    .await;
    let (code, step, text) = failure(&r);
    assert_eq!(
        (code, step),
        (ErrorCode::SshRefused, Step::Connect),
        "{text}"
    );
    assert!(
        text.contains("hop 1 of 1") && text.contains("SSH hop"),
        "{text}"
    );
}

#[tokio::test]
async fn an_encrypted_key_needs_its_passphrase_and_a_wrong_one_is_named() {
    let key = client_key("ecdsa", "correct horse");
    let (s, kh) = one_hop(&key);
    let run = |pass: Option<&str>| {
        let t = pg_target(
            route(vec![hop(s.port, key_auth(&key, pass))], vec![kh.clone()]),
            TlsMode::VerifyFull,
        );
        async move { probe::run(&t).await }
    };
    let r = run(Some("correct horse")).await;
    assert!(r.ok, "{r:#?}");
    for pass in [None, Some("wrong")] {
        let r = run(pass).await;
        let (code, step, text) = failure(&r);
        assert_eq!(
            (code, step),
            (ErrorCode::SshKeyPassphraseWrong, Step::SshAuth),
            "{pass:?}: {text}"
        );
        assert!(
            !text.contains("correct horse") && !text.contains("wrong"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn an_rsa_key_and_the_agent_log_in_and_a_key_the_server_does_not_know_lists_what_it_offers() {
    let rsa = client_key("rsa", "");
    let (s, kh) = one_hop(&rsa);
    let r = probe::run(&pg_target(
        route(vec![hop(s.port, key_auth(&rsa, None))], vec![kh.clone()]),
        TlsMode::VerifyFull,
    ))
    .await;
    assert!(r.ok, "{r:#?}");
    let agent = agent_with(&[&rsa]);
    let auth = HopAuth::Agent {
        socket: Some(agent.socket.clone()),
    };
    let r = probe::run(&pg_target(
        route(vec![hop(s.port, auth)], vec![kh.clone()]),
        TlsMode::VerifyFull,
    ))
    .await;
    assert!(r.ok, "{r:#?}");
    let detail = &r
        .steps
        .iter()
        .find(|x| x.step == Step::SshAuth)
        .unwrap()
        .detail;
    assert!(detail.contains("agent key ssh-rsa"), "{detail}");

    let stranger = client_key("ed25519", "");
    let r = probe::run(&pg_target(
        route(vec![hop(s.port, key_auth(&stranger, None))], vec![kh]),
        TlsMode::VerifyFull,
    ))
    .await;
    let (code, step, text) = failure(&r);
    assert_eq!(
        (code, step),
        (ErrorCode::SshAuthFailed, Step::SshAuth),
        "{text}"
    );
    assert!(text.contains("The server offers: publickey"), "{text}");
}

#[tokio::test]
async fn an_agent_that_is_not_there_is_named_as_such() {
    let key = client_key("ed25519", "");
    let (s, kh) = one_hop(&key);
    let auth = HopAuth::Agent {
        socket: Some(s.dir.join("no-agent.sock")),
    };
    let r = probe::run(&pg_target(
        route(vec![hop(s.port, auth)], vec![kh]),
        TlsMode::VerifyFull,
    ))
    .await;
    let (code, step, text) = failure(&r);
    assert_eq!(
        (code, step),
        (ErrorCode::SshAgentUnavailable, Step::SshAuth),
        "{text}"
    );
}

#[tokio::test]
async fn an_ssh_config_alias_with_a_proxy_jump_is_resolved_as_openssh_does_and_reaches_the_database(
) {
    use switchboard_core::probe::ssh::config::SshConfigSource;
    let key = client_key("ed25519", "");
    let (a, kh_a) = one_hop(&key);
    let (b, kh_b) = one_hop(&key);
    let kh = a.dir.join("known_hosts-alias");
    let both = std::fs::read_to_string(&kh_a).unwrap() + &std::fs::read_to_string(&kh_b).unwrap();
    std::fs::write(&kh, both).unwrap();
    let cfg = a.dir.join("ssh_config");
    // First value wins: the pattern block gives the jump host its name and key, the
    // alias's own block only its port.
    std::fs::write(
        &cfg,
        format!(
            "Host jump-*\n  HostName 127.0.0.1\n  IdentityFile {key}\n  IdentitiesOnly yes\n  UserKnownHostsFile {kh}\n\
             Host jump-a\n  Port {pa}\n  HostName 192.0.2.1\n\
             Host db-bastion\n  HostName 127.0.0.1\n  Port {pb}\n  IdentityFile {key}\n  IdentitiesOnly yes\n  UserKnownHostsFile {kh}\n  ProxyJump jump-a\n",
            key = key.path.display(),
            kh = kh.display(),
            pa = a.port,
            pb = b.port
        ),
    )
    .unwrap();
    let source = SshConfigSource {
        user_config: cfg.clone(),
        system_config: None,
        ..SshConfigSource::for_current_user().unwrap()
    };
    let rt = SshRoute {
        via: Via::Alias {
            alias: "db-bastion".into(),
            secret: None,
        },
        known_hosts: Vec::new(),
        own_known_hosts: own_file(),
        trust: Vec::new(),
        config: Some(source),
    };
    let r = probe::run(&pg_target(rt, TlsMode::VerifyFull)).await;
    assert!(r.ok, "{r:#?}");
    let config_step = r.steps.iter().find(|x| x.step == Step::SshConfig).unwrap();
    let user = sshd::local_user();
    assert_eq!(
        config_step.detail,
        format!(
            "db-bastion → {user}@127.0.0.1:{} → {user}@127.0.0.1:{}",
            a.port, b.port
        )
    );
    // OpenSSH says the same of the alias.
    let g = std::process::Command::new("ssh")
        .args(["-G", "-F"])
        .arg(&cfg)
        .arg("db-bastion")
        .output()
        .unwrap();
    let g = String::from_utf8_lossy(&g.stdout);
    assert!(g.lines().any(|l| l == "proxyjump jump-a"), "{g}");
    assert!(g.lines().any(|l| l == format!("port {}", b.port)), "{g}");
    let labels: Vec<&str> = r.steps.iter().filter_map(|x| x.hop.as_deref()).collect();
    assert!(
        labels.iter().any(|l| l.starts_with("hop 2 of 2")),
        "{labels:?}"
    );
}

/// A server that takes passwords (PAM) for the password-only account, its key known.
fn password_hop() -> (Sshd, PathBuf, String, String) {
    let (user, password) = sshd::password_user();
    let s = Sshd::start(SshdOptions {
        passwords: true,
        ..Default::default()
    });
    let kh = s.known_hosts();
    (s, kh, user, password)
}

/// A verify-full test of PostgreSQL through `s` as `user`, logging in with `auth`.
async fn through_as(s: &Sshd, kh: &std::path::Path, user: &str, auth: HopAuth) -> TestReport {
    let hop = Hop {
        user: user.to_owned(),
        ..hop(s.port, auth)
    };
    probe::run(&pg_target(
        route(vec![hop], vec![kh.to_path_buf()]),
        TlsMode::VerifyFull,
    ))
    .await
}

/// What the timeline says at its `step`.
fn detail_of(r: &TestReport, step: Step) -> String {
    r.steps
        .iter()
        .find(|x| x.step == step)
        .unwrap_or_else(|| panic!("no {step:?} step: {r:#?}"))
        .detail
        .clone()
}

#[tokio::test]
async fn a_password_login_reaches_postgres_and_a_wrong_password_is_named_with_the_offered_methods()
{
    let (s, kh, user, password) = password_hop();
    let secret = |p: &str| Some(Secret::new(p.to_owned()));
    let r = through_as(&s, &kh, &user, HopAuth::Password(secret(&password))).await;
    assert!(r.ok, "{r:#?}\n{}", s.log());
    let auth = detail_of(&r, Step::SshAuth);
    assert!(auth.starts_with(&format!("password as {user}")), "{auth}");
    assert!(
        !format!("{r:?}").contains(&password),
        "the report holds the password"
    );

    let wrong = format!("{password}-not");
    let r = through_as(&s, &kh, &user, HopAuth::Password(secret(&wrong))).await;
    let (code, step, text) = failure(&r);
    assert_eq!(
        (code, step),
        (ErrorCode::SshAuthFailed, Step::SshAuth),
        "{text}"
    );
    assert!(text.contains("password: refused"), "{text}");
    assert!(
        text.contains("The server offers: ") && text.contains("password"),
        "{text}"
    );
    // The hint is about the password, not about a key nobody used.
    assert!(text.contains("the password"), "{text}");
    assert!(!text.contains("authorized_keys"), "{text}");
    assert!(
        !text.contains(&wrong) && !text.contains(&password),
        "{text}"
    );
}

#[tokio::test]
async fn keyboard_interactive_answers_the_servers_password_prompt_with_the_secret() {
    let (s, kh, user, password) = password_hop();
    let answer = Some(Secret::new(password.clone()));
    let r = through_as(&s, &kh, &user, HopAuth::KeyboardInteractive(answer)).await;
    assert!(r.ok, "{r:#?}\n{}", s.log());
    let auth = detail_of(&r, Step::SshAuth);
    assert!(
        auth.starts_with(&format!("keyboard-interactive as {user}")),
        "{auth}"
    );

    // Asked and nothing to answer with: said so, not a hang.
    let r = through_as(&s, &kh, &user, HopAuth::KeyboardInteractive(None)).await;
    let (code, _, text) = failure(&r);
    assert_eq!(code, ErrorCode::SshAuthFailed, "{text}");
    assert!(
        text.contains("keyboard-interactive: asked for an answer and none was given"),
        "{text}"
    );
}
