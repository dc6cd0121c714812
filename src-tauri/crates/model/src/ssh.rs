//! A connection's SSH route: the bastions between this machine and the database.
//!
//! Either hops given one by one (host, port, user, how to log in) or the name of a `Host`
//! in the user's `~/.ssh/config`, resolved at test time by the probe exactly as OpenSSH
//! resolves it. The secrets a route needs (a key's passphrase, an SSH password) are
//! never here: each hop has one secret slot in the keychain, `secret_save` says whether
//! it is kept there, asked every time, or there is none.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{ErrorCode, FieldIssue};
use crate::model::PasswordSave;

/// How many hops a route may have: more is a mistake, and each hop has its keychain slot.
pub const MAX_HOPS: usize = 8;
pub const DEFAULT_SSH_PORT: u32 = 22;

fn default_ssh_port() -> u32 {
    DEFAULT_SSH_PORT
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum SshRoute {
    /// Hops in order from this machine; the last one opens the forward to the database's
    /// host and port as that hop sees them.
    Hops { hops: Vec<SshHop> },
    /// A `Host` of `~/.ssh/config`: its HostName, Port, User, IdentityFile, ProxyJump,
    /// ProxyCommand… are read at test time. `secret_save` is for its own key's passphrase.
    Alias {
        alias: String,
        #[serde(default = "none_saved")]
        secret_save: PasswordSave,
    },
}

fn none_saved() -> PasswordSave {
    PasswordSave::None
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SshHop {
    pub host: String,
    #[serde(default = "default_ssh_port")]
    pub port: u32,
    pub user: String,
    #[serde(default)]
    pub auth: SshAuth,
    /// Private key files for `key` (tried in order); `~/` is the user's home.
    #[serde(default)]
    pub key_files: Vec<String>,
    /// The hop's one secret: the key's passphrase (`key`), or the password (`password`,
    /// `keyboard_interactive`). `none` for the agent or an unencrypted key.
    #[serde(default = "none_saved")]
    pub secret_save: PasswordSave,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SshAuth {
    /// The keys an SSH agent holds (`SSH_AUTH_SOCK`).
    #[default]
    Agent,
    Key,
    Password,
    KeyboardInteractive,
}

impl SshAuth {
    pub fn as_str(self) -> &'static str {
        match self {
            SshAuth::Agent => "agent",
            SshAuth::Key => "key",
            SshAuth::Password => "password",
            SshAuth::KeyboardInteractive => "keyboard-interactive",
        }
    }

    pub fn parse(s: &str) -> Option<SshAuth> {
        Some(match s {
            "agent" => SshAuth::Agent,
            "key" => SshAuth::Key,
            "password" => SshAuth::Password,
            "keyboard-interactive" | "keyboard_interactive" => SshAuth::KeyboardInteractive,
            _ => return None,
        })
    }

    /// What the hop's secret is, in words for labels and prompts.
    pub fn secret_words(self) -> &'static str {
        match self {
            SshAuth::Key | SshAuth::Agent => "key passphrase",
            SshAuth::Password | SshAuth::KeyboardInteractive => "SSH password",
        }
    }
}

impl SshRoute {
    /// How many secret slots the route has (one a hop; an alias has one).
    pub fn secret_slots(&self) -> usize {
        match self {
            SshRoute::Hops { hops } => hops.len(),
            SshRoute::Alias { .. } => 1,
        }
    }

    /// Where slot `i`'s secret is kept.
    pub fn secret_save(&self, i: usize) -> PasswordSave {
        match self {
            SshRoute::Hops { hops } => hops
                .get(i)
                .map(|h| h.secret_save)
                .unwrap_or(PasswordSave::None),
            SshRoute::Alias { secret_save, .. } => *secret_save,
        }
    }

    /// Slot `i` in words: `hop 2 (jump@bastion) SSH password`.
    pub fn slot_words(&self, i: usize) -> String {
        match self {
            SshRoute::Hops { hops } => match hops.get(i) {
                Some(h) => format!(
                    "SSH hop {} ({}@{}) {}",
                    i + 1,
                    h.user,
                    h.host,
                    h.auth.secret_words()
                ),
                None => format!("SSH hop {}", i + 1),
            },
            SshRoute::Alias { alias, .. } => format!("SSH alias {alias} key passphrase"),
        }
    }

    /// `ssh -N -J …  -L` as the user would type it: the OpenSSH equivalent of the route
    /// with a local forward to `target_host:target_port` on `local_port`.
    pub fn openssh_command(&self, local_port: u16, target_host: &str, target_port: u32) -> String {
        let forward = format!("-L {local_port}:{}:{target_port}", bracket(target_host));
        match self {
            SshRoute::Alias { alias, .. } => format!("ssh -N {forward} {}", shell_word(alias)),
            SshRoute::Hops { hops } => {
                let spec = |h: &SshHop| {
                    let host = bracket(&h.host);
                    let port = if h.port == DEFAULT_SSH_PORT {
                        String::new()
                    } else {
                        format!(":{}", h.port)
                    };
                    if h.user.is_empty() {
                        format!("{host}{port}")
                    } else {
                        format!("{}@{host}{port}", h.user)
                    }
                };
                let Some((last, jumps)) = hops.split_last() else {
                    return String::new();
                };
                let mut cmd = String::from("ssh -N");
                if !jumps.is_empty() {
                    let chain: Vec<String> = jumps.iter().map(spec).collect();
                    cmd.push_str(&format!(" -J {}", shell_word(&chain.join(","))));
                }
                for f in last.key_files.iter().filter(|_| last.auth == SshAuth::Key) {
                    cmd.push_str(&format!(" -i {}", shell_word(f)));
                }
                let host = bracket(&last.host);
                let user = if last.user.is_empty() {
                    String::new()
                } else {
                    format!("{}@", last.user)
                };
                if last.port != DEFAULT_SSH_PORT {
                    cmd.push_str(&format!(" -p {}", last.port));
                }
                cmd.push_str(&format!(
                    " {forward} {}",
                    shell_word(&format!("{user}{host}"))
                ));
                cmd
            }
        }
    }
}

fn bracket(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,:@/[]~+=".contains(c))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Every issue of a route, fields named `ssh.hops.N.host`, `ssh.alias`, ….
pub fn issues(route: &SshRoute) -> Vec<FieldIssue> {
    let mut out = Vec::new();
    match route {
        SshRoute::Alias { alias, .. } => {
            let a = alias.trim();
            if a.is_empty() {
                out.push(FieldIssue::new(
                    ErrorCode::SshAliasInvalid,
                    "ssh.alias",
                    "The SSH alias is empty.",
                    "Pick a Host from ~/.ssh/config, or give the hops instead.",
                ));
            } else if a
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '*' | '?' | '!' | ','))
            {
                out.push(FieldIssue::new(
                    ErrorCode::SshAliasInvalid,
                    "ssh.alias",
                    format!("{a:?} is not one host alias (no spaces, patterns or lists)."),
                    "Use the name you would type after `ssh`, e.g. bastion-prod.",
                ));
            }
        }
        SshRoute::Hops { hops } => {
            if hops.is_empty() || hops.len() > MAX_HOPS {
                out.push(FieldIssue::new(
                    ErrorCode::SshHopsInvalid,
                    "ssh.hops",
                    format!(
                        "An SSH route has 1 to {MAX_HOPS} hops; this one has {}.",
                        hops.len()
                    ),
                    "Add the bastion as a hop, or remove the route.",
                ));
            }
            for (i, h) in hops.iter().enumerate() {
                let at = |f: &str| format!("ssh.hops.{i}.{f}");
                let n = i + 1;
                let host = h.host.trim();
                if host.is_empty() {
                    out.push(FieldIssue::new(
                        ErrorCode::HostRequired,
                        &at("host"),
                        format!("SSH hop {n} has no host."),
                        "Enter the bastion's host name or address.",
                    ));
                } else if host.contains("://")
                    || host.contains('/')
                    || host.chars().any(|c| c.is_whitespace() || c.is_control())
                {
                    out.push(FieldIssue::new(
                        ErrorCode::HostInvalid,
                        &at("host"),
                        format!("SSH hop {n}'s host {host:?} is not a host name or address."),
                        "Enter only the host (user and port have their own fields).",
                    ));
                }
                if !(1..=65535).contains(&h.port) {
                    out.push(FieldIssue::new(
                        ErrorCode::PortOutOfRange,
                        &at("port"),
                        format!("SSH hop {n}'s port {} is outside 1–65535.", h.port),
                        "SSH listens on 22 unless the bastion says otherwise.",
                    ));
                }
                if h.user.trim().is_empty()
                    || h.user
                        .chars()
                        .any(|c| c.is_whitespace() || c.is_control() || c == '@')
                {
                    out.push(FieldIssue::new(
                        ErrorCode::UsernameRequired,
                        &at("user"),
                        format!("SSH hop {n} needs a user name (no spaces or @)."),
                        "Enter the account you log in to the bastion with.",
                    ));
                }
                if h.auth == SshAuth::Key && h.key_files.iter().all(|f| f.trim().is_empty()) {
                    out.push(FieldIssue::new(
                        ErrorCode::SshKeyFileRequired,
                        &at("key_files"),
                        format!("SSH hop {n} logs in with a key file and names none."),
                        "Pick the private key file (e.g. ~/.ssh/id_ed25519), or choose the agent.",
                    ));
                }
                if h.auth == SshAuth::Agent && h.secret_save != PasswordSave::None {
                    out.push(FieldIssue::new(
                        ErrorCode::OptionInvalid,
                        &at("secret_save"),
                        format!("SSH hop {n} logs in with the agent, which needs no secret from Switchboard."),
                        "Choose \"none\" for its secret, or another way to log in.",
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(host: &str, user: &str) -> SshHop {
        SshHop {
            host: host.into(),
            port: 22,
            user: user.into(),
            auth: SshAuth::Agent,
            key_files: Vec::new(),
            secret_save: PasswordSave::None,
        }
    }

    #[test]
    fn the_openssh_command_chains_jumps_and_forwards_to_the_database_as_the_last_hop_sees_it() {
        let mut last = hop("bastion-2.internal", "ops");
        last.port = 2222;
        last.auth = SshAuth::Key;
        last.key_files = vec!["~/.ssh/id_ed25519".into()];
        let r = SshRoute::Hops {
            hops: vec![hop("bastion.example.com", "jump"), last],
        };
        assert_eq!(
            r.openssh_command(15432, "db.internal", 5432),
            "ssh -N -J jump@bastion.example.com -i ~/.ssh/id_ed25519 -p 2222 -L 15432:db.internal:5432 ops@bastion-2.internal"
        );
        let a = SshRoute::Alias {
            alias: "prod-db".into(),
            secret_save: PasswordSave::None,
        };
        assert_eq!(
            a.openssh_command(15432, "::1", 5432),
            "ssh -N -L 15432:[::1]:5432 prod-db"
        );
    }

    #[test]
    fn every_bad_field_of_every_hop_is_named_with_its_path() {
        let mut bad = hop("ssh://x", "a b");
        bad.port = 0;
        bad.auth = SshAuth::Key;
        let r = SshRoute::Hops {
            hops: vec![hop("ok", "u"), bad],
        };
        let fields: Vec<(ErrorCode, String)> =
            issues(&r).into_iter().map(|i| (i.code, i.field)).collect();
        assert_eq!(
            fields,
            [
                (ErrorCode::HostInvalid, "ssh.hops.1.host".to_string()),
                (ErrorCode::PortOutOfRange, "ssh.hops.1.port".to_string()),
                (ErrorCode::UsernameRequired, "ssh.hops.1.user".to_string()),
                (
                    ErrorCode::SshKeyFileRequired,
                    "ssh.hops.1.key_files".to_string()
                ),
            ]
        );
        assert_eq!(
            issues(&SshRoute::Hops { hops: vec![] })[0].code,
            ErrorCode::SshHopsInvalid
        );
        let alias = |a: &str| {
            issues(&SshRoute::Alias {
                alias: a.into(),
                secret_save: PasswordSave::None,
            })
        };
        assert!(alias("bastion-prod").is_empty());
        assert_eq!(alias("a*")[0].code, ErrorCode::SshAliasInvalid);
        assert_eq!(alias(" ")[0].code, ErrorCode::SshAliasInvalid);
    }
}
