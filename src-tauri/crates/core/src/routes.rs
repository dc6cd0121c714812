//! A connection's SSH route made into the probe's transport for one test: the hops and
//! how each logs in (from the model's `SshRoute`), the secrets of this test (typed, or
//! the keychain's for a saved connection), the host keys the user trusts for this test,
//! and where host keys are checked: the user's known-hosts files (OpenSSH's defaults; an
//! alias's own are read from its config by the probe) and Switchboard's own file in the
//! data dir, the only one "Trust this key" ever writes.

use std::path::{Path, PathBuf};

use switchboard_model::model::ConnectionFields;
use switchboard_model::secret::Secret;
use switchboard_model::ssh::{SshAuth, SshRoute};
use switchboard_probe::ssh::{
    config::SshConfigSource, Hop, HopAuth, SshRoute as Route, Transport, Via,
};

/// Switchboard's own known-hosts file.
pub fn own_known_hosts(data_dir: &Path) -> PathBuf {
    data_dir.join("known_hosts")
}

/// The probe's transport for `fields`: direct without a route.
pub(crate) fn transport(
    fields: &ConnectionFields,
    secrets: &[Option<Secret>],
    trust: &[String],
    data_dir: &Path,
) -> Transport {
    let Some(route) = &fields.ssh else {
        return Transport::Direct;
    };
    // OpenSSH reads `~` from the passwd entry; without one (no /etc/passwd entry), $HOME.
    let config = SshConfigSource::for_current_user().ok();
    let home = config
        .as_ref()
        .map(|c| c.home.clone())
        .or_else(|| std::env::var_os("HOME").map(PathBuf::from))
        .unwrap_or_default();
    let secret = |i: usize| secrets.get(i).cloned().flatten();
    let via = match route {
        SshRoute::Alias { alias, .. } => Via::Alias {
            alias: alias.clone(),
            secret: secret(0),
        },
        SshRoute::Hops { hops } => Via::Hops(
            hops.iter()
                .enumerate()
                .map(|(i, h)| Hop {
                    host: h.host.clone(),
                    port: u16::try_from(h.port).unwrap_or(22),
                    user: h.user.clone(),
                    auth: match h.auth {
                        SshAuth::Agent => HopAuth::Agent { socket: None },
                        SshAuth::Key => HopAuth::KeyFiles {
                            files: h.key_files.iter().map(|f| expand_home(f, &home)).collect(),
                            passphrase: secret(i),
                        },
                        SshAuth::Password => HopAuth::Password(secret(i)),
                        SshAuth::KeyboardInteractive => HopAuth::KeyboardInteractive(secret(i)),
                    },
                    proxy_command: None,
                    known_hosts: Vec::new(),
                    connect_timeout: None,
                })
                .collect(),
        ),
    };
    let ssh_dir = home.join(".ssh");
    Transport::Ssh(Box::new(Route {
        via,
        known_hosts: vec![
            ssh_dir.join("known_hosts"),
            ssh_dir.join("known_hosts2"),
            PathBuf::from("/etc/ssh/ssh_known_hosts"),
            PathBuf::from("/etc/ssh/ssh_known_hosts2"),
        ],
        own_known_hosts: own_known_hosts(data_dir),
        trust: trust.to_vec(),
        config,
    }))
}

fn expand_home(path: &str, home: &Path) -> PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => home.join(rest),
        None if path == "~" => home.to_path_buf(),
        None => PathBuf::from(path),
    }
}

/// The concrete `Host` names of the user's `~/.ssh/config` and the files it includes (no
/// patterns), for an alias picker; none when there is no config.
pub async fn aliases() -> Vec<String> {
    tokio::task::spawn_blocking(|| {
        SshConfigSource::for_current_user()
            .map(|s| switchboard_probe::ssh::config::list_aliases(&s))
            .unwrap_or_default()
    })
    .await
    .unwrap_or_default()
}
