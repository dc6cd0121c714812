//! The driver's part: its options (hosts, credential, TLS files), the client it builds,
//! which dials every host itself, the login (`ping`) and the first queries. What its
//! monitors saw of each host is kept (`Seen`) for the report and for `classify`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ::mongodb::bson::{doc, Bson};
use ::mongodb::error::Error as DriverError;
use ::mongodb::event::sdam::SdamEvent;
use ::mongodb::event::EventHandler;
use ::mongodb::options::{ClientOptions, Credential, ServerAddress, Tls, TlsOptions};
use ::mongodb::Client;

use super::classify::{classify, short};
use super::inspect::Inspected;
use super::wire::Hello;
use super::{flag, Driver, Seed};
use crate::driver::{Fail, TempCa};
use crate::report::{Recorder, ServerInfo, Step, StepStatus};
use crate::tls;
use crate::ProbeTarget;
use switchboard_model::model::TlsMode;

/// What the driver's monitors saw of each host, from its SDAM events.
#[derive(Default)]
pub(super) struct Seen {
    pub(super) failures: BTreeMap<String, DriverError>,
    reachable: BTreeSet<String>,
    removed: BTreeSet<String>,
}

pub(super) type SharedSeen = Arc<Mutex<Seen>>;

fn sdam_handler(seen: SharedSeen) -> EventHandler<SdamEvent> {
    EventHandler::callback(move |event: SdamEvent| {
        let Ok(mut s) = seen.lock() else {
            return;
        };
        match event {
            SdamEvent::ServerHeartbeatFailed(e) => {
                let addr = e.server_address.to_string();
                s.reachable.remove(&addr);
                s.failures.insert(addr, e.failure);
            }
            SdamEvent::ServerHeartbeatSucceeded(e) => {
                let addr = e.server_address.to_string();
                s.failures.remove(&addr);
                s.reachable.insert(addr);
            }
            SdamEvent::ServerClosed(e) => {
                s.removed.insert(e.address.to_string());
            }
            _ => {}
        }
    })
}

/// The connection's settings for the driver, on top of `base` (empty, or what the SRV
/// lookup found).
async fn driver_options(
    target: &ProbeTarget,
    mut options: ClientOptions,
    hosts: &[Seed],
    seen: &SharedSeen,
    budget: Duration,
) -> Result<(ClientOptions, DriverFiles), Fail> {
    options.hosts = hosts
        .iter()
        .map(|s| ServerAddress::Tcp {
            host: s.host.clone(),
            port: Some(s.port),
        })
        .collect();
    options.app_name = Some("switchboard".into());
    options.direct_connection = Some(flag(target, "direct_connection"));
    if let Some(rs) = target.text_option("replica_set") {
        options.repl_set_name = Some(rs.to_owned());
    }
    options.server_selection_timeout = Some(budget);
    options.connect_timeout = Some(budget);
    options.sdam_event_handler = Some(sdam_handler(seen.clone()));
    options.credential = if target.username.is_empty() {
        None
    } else {
        let from_txt = options.credential.as_ref().and_then(|c| c.source.clone());
        let mut credential = Credential::default();
        credential.username = Some(target.username.clone());
        credential.password = Some(
            target
                .password
                .as_ref()
                .map(|p| p.expose().to_owned())
                .unwrap_or_default(),
        );
        credential.source = Some(auth_source(target, from_txt));
        Some(credential)
    };
    let mut files = DriverFiles::default();
    options.tls = Some(match target.tls_mode {
        TlsMode::Disable => Tls::Disabled,
        TlsMode::Require | TlsMode::Prefer => {
            let mut t = TlsOptions::default();
            t.allow_invalid_certificates = Some(true);
            t.cert_key_file_path = files.identity(target);
            Tls::Enabled(t)
        }
        // verify-ca reaches the driver only when the certificate names the host
        // (`verify_ca_needs_name`): the full check is what it asks, and more.
        TlsMode::VerifyCa | TlsMode::VerifyFull => {
            let mut t = TlsOptions::default();
            // The connection's CA, else this machine's trust store (what every other
            // engine trusts): without a file the driver would trust Mozilla's list instead.
            let pem = target
                .tls
                .ca_pem
                .as_deref()
                .filter(|p| !p.trim().is_empty())
                .or_else(|| tls::native_roots_pem());
            if let Some(pem) = pem {
                let temp = TempCa::write("mongodb", "pem", pem.as_bytes().to_vec()).await?;
                t.ca_file_path = Some(temp.path().to_path_buf());
                files.ca = Some(temp);
            }
            t.cert_key_file_path = files.identity(target);
            Tls::Enabled(t)
        }
    });
    Ok((options, files))
}

/// What the driver reads from files, kept for as long as the driver runs: the CA (a
/// temporary file) and, on Linux, the client certificate and key in an anonymous
/// in-memory file (memfd) that never touches a disk and closes with the test.
#[derive(Default)]
pub(super) struct DriverFiles {
    ca: Option<TempCa>,
    #[cfg(target_os = "linux")]
    identity: Option<std::fs::File>,
}

impl DriverFiles {
    /// The path the driver reads the client certificate and key from, when there are
    /// both and this platform can hand them over without a file on disk.
    #[cfg(target_os = "linux")]
    fn identity(&mut self, target: &ProbeTarget) -> Option<std::path::PathBuf> {
        use std::io::Write;
        use std::os::fd::AsRawFd;
        let (cert, key) = (
            target.tls.client_cert_pem.as_deref()?,
            target.tls.client_key_pem.as_ref()?,
        );
        let fd = rustix::fs::memfd_create(
            "switchboard-mongodb-client",
            rustix::fs::MemfdFlags::CLOEXEC,
        )
        .ok()?;
        let mut file = std::fs::File::from(fd);
        // A write to memory, not to a disk; the text is zeroed once written.
        let pem = zeroize::Zeroizing::new(format!(
            "{}\n{}\n",
            cert.trim_end(),
            key.expose().trim_end()
        ));
        file.write_all(pem.as_bytes()).ok()?;
        let path = std::path::PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
        // Without /proc (some sandboxes) the driver could not open it.
        path.exists().then(|| {
            self.identity = Some(file);
            path
        })
    }

    #[cfg(not(target_os = "linux"))]
    fn identity(&mut self, _target: &ProbeTarget) -> Option<std::path::PathBuf> {
        None
    }

    /// Whether the driver was given the client certificate.
    fn has_identity(&self) -> bool {
        #[cfg(target_os = "linux")]
        {
            self.identity.is_some()
        }
        #[cfg(not(target_os = "linux"))]
        {
            false
        }
    }
}

/// authSource: the connection's, else what the SRV TXT record said, else the database,
/// else admin.
fn auth_source(target: &ProbeTarget, from_txt: Option<String>) -> String {
    target
        .text_option("auth_source")
        .map(str::to_owned)
        .or(from_txt)
        .or_else(|| {
            Some(target.database.trim())
                .filter(|d| !d.is_empty())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "admin".into())
}

/// What the driver's server selection may take: the time left, less a margin so that its
/// own error (which names the cause) arrives before the test's timeout.
fn budget(deadline: Instant) -> Duration {
    let left = deadline.saturating_duration_since(Instant::now());
    let margin = (left / 10).clamp(Duration::from_millis(50), Duration::from_millis(500));
    left.saturating_sub(margin).max(Duration::from_millis(100))
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn login(
    target: &ProbeTarget,
    shown: &ProbeTarget,
    rec: &mut Recorder,
    driver: &mut Driver,
    base: ClientOptions,
    hosts: &[Seed],
    inspected: &Inspected,
    seen: &SharedSeen,
    deadline: Instant,
) -> Result<ServerInfo, Fail> {
    rec.start(Step::Auth);
    let (options, files) = match driver_options(target, base, hosts, seen, budget(deadline)).await {
        Ok(o) => o,
        Err(f) => {
            rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    driver.files = files;
    let source = options
        .credential
        .as_ref()
        .and_then(|c| c.source.clone())
        .unwrap_or_default();
    let client = match Client::with_options(options) {
        Ok(c) => c,
        Err(e) => {
            let f = classify(target, shown, hosts, seen, &e, Step::Auth);
            rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    // The driver read its files (CA, client identity) when the client was built
    // (mongodb 3.x builds its TLS config in `Client::with_options`): the CA file goes, the
    // in-memory identity is closed. A driver that read them later would find neither,
    // which the mutual-TLS test would catch.
    let has_identity = driver.files.has_identity();
    driver.files = DriverFiles::default();
    driver.client = Some(client.clone());
    let admin = client.database("admin");
    if let Err(e) = admin.run_command(doc! { "ping": 1 }).await {
        let f = classify(target, shown, hosts, seen, &e, Step::Auth);
        rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
        return Err(f);
    }
    let who = if target.username.is_empty() {
        "connected without authenticating (no username)".to_owned()
    } else {
        format!(
            "connected and authenticated as {} (auth source {source}; the driver negotiates the SCRAM mechanism and does not report connecting and authenticating apart)",
            target.username
        )
    };
    let tls_words = match target.tls_mode {
        TlsMode::Disable => "unencrypted",
        TlsMode::Require | TlsMode::Prefer => "encrypted, certificate not checked",
        TlsMode::VerifyCa => "encrypted, certificate checked by the driver (it names the host)",
        TlsMode::VerifyFull => "encrypted, certificate checked by the driver",
    };
    let mut detail = format!("the driver {who}, on its own connections ({tls_words})");
    if target.tls.client_cert_pem.is_some() && inspected.encrypted {
        detail.push_str(if has_identity {
            "; the client certificate was handed to the driver in memory (an anonymous in-memory file, never on disk)"
        } else {
            "; the client certificate was presented on the inspection connection only (the driver reads client keys from a file, and Switchboard could not hand it one in memory: it never writes keys to disk)"
        });
    }
    if hosts.len() > 1 {
        detail.push_str(&format!("; {}", hosts_seen(hosts, seen)));
    }
    rec.finish(Step::Auth, StepStatus::Ok, detail);

    rec.start(Step::Query);
    let queried = async {
        let build = admin.run_command(doc! { "buildInfo": 1 }).await?;
        let status = admin.run_command(doc! { "connectionStatus": 1 }).await?;
        let hello = admin.run_command(doc! { "hello": 1 }).await.ok();
        Ok::<_, DriverError>((build, status, hello))
    }
    .await;
    let (build, status, hello) = match queried {
        Ok(q) => q,
        Err(e) => {
            let f = classify(target, shown, hosts, seen, &e, Step::Query);
            rec.finish(Step::Query, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    let hello = hello
        .as_ref()
        .map(Hello::from_doc)
        .unwrap_or_else(|| inspected.hello.clone());
    let version = match build.get_str("version") {
        Ok(v) => format!("MongoDB {v}"),
        Err(_) => match inspected.hello.max_wire_version {
            Some(w) => format!("MongoDB (wire version {w})"),
            None => "MongoDB".into(),
        },
    };
    let current_user = status
        .get_document("authInfo")
        .ok()
        .and_then(|a| a.get_array("authenticatedUsers").ok())
        .and_then(|users| users.first())
        .and_then(Bson::as_document)
        .map(|u| {
            format!(
                "{}@{}",
                u.get_str("user").unwrap_or_default(),
                u.get_str("db").unwrap_or_default()
            )
        })
        .unwrap_or_else(|| {
            if target.username.is_empty() {
                "(not authenticated)".into()
            } else {
                target.username.clone()
            }
        });
    let info = ServerInfo {
        version,
        current_user,
        current_database: Some(target.database.trim())
            .filter(|d| !d.is_empty())
            .unwrap_or("admin")
            .to_owned(),
        in_recovery: hello.refused.is_none() && !hello.writable_primary && !hello.mongos,
    };
    rec.finish(
        Step::Query,
        StepStatus::Ok,
        format!("{}; {}", info.version, hello.describe()),
    );
    Ok(info)
}

/// What the driver's monitors saw of each seed host so far.
fn hosts_seen(hosts: &[Seed], seen: &SharedSeen) -> String {
    let Ok(s) = seen.lock() else {
        return String::new();
    };
    let states: Vec<String> = hosts
        .iter()
        .map(|h| {
            let addr = h.to_string();
            let key = format!("{}:{}", h.host, h.port);
            let state = if let Some(e) = s.failures.get(&key) {
                format!("unreachable ({})", short(&e.kind.to_string()))
            } else if s.removed.contains(&key) {
                "dropped by the driver (not in the replica set's host list)".to_owned()
            } else if s.reachable.contains(&key) {
                "reachable".to_owned()
            } else {
                "not yet checked by the driver".to_owned()
            };
            format!("{addr} {state}")
        })
        .collect();
    format!("seed hosts as the driver saw them: {}", states.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_model::model::OptionValue;

    #[test]
    fn the_auth_source_is_the_connections_then_txt_then_the_database_then_admin() {
        let mut t = ProbeTarget {
            username: "app".into(),
            timeout: Duration::from_secs(5),
            ..ProbeTarget::new(
                switchboard_model::model::Engine::Mongodb,
                "db",
                27017,
                TlsMode::VerifyFull,
            )
        };
        assert_eq!(auth_source(&t, None), "admin");
        t.database = "sales".into();
        assert_eq!(auth_source(&t, None), "sales");
        assert_eq!(auth_source(&t, Some("txt".into())), "txt");
        t.options
            .insert("auth_source".into(), OptionValue::Text("users".into()));
        assert_eq!(auth_source(&t, Some("txt".into())), "users");
    }
}
