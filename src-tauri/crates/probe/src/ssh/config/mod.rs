//! `~/.ssh/config` read the way OpenSSH's client reads it, so that an alias route reaches
//! the host, port, user, keys and bastions `ssh <alias>` would. The reference is OpenSSH
//! 9.2p1 as Debian ships it (`readconf.c`, `ssh.c`, `misc.c`; with Debian's patches and its
//! 10.3 `ProxyJump` backport); `tests/ssh_config_parity.rs` compares every field of
//! [`ResolvedHost`] with `ssh -G` (and with `ssh -v` for the key files, which `-G` prints
//! unexpanded).
//!
//! Followed as OpenSSH does it:
//! - Lines: keywords in any case, `Keyword value` or `Keyword=value`, quoted arguments with
//!   `\` escapes, `#` comments. An unknown keyword is an error unless `IgnoreUnknown` names
//!   it; so is a bad value of a keyword used here (with the file and line).
//! - First value wins, taken only while its block applies. `IdentityFile` accumulates
//!   (duplicates dropped); `UserKnownHostsFile`, `GlobalKnownHostsFile` and
//!   `CanonicalDomains` take the whole first line that applies.
//! - `Host` patterns (`*`, `?`, lists, a matching `!pattern` vetoes the line) against the
//!   alias as typed, case-sensitively. `Match` with `all`, `host` (the `HostName` so far,
//!   `%h` expanded), `originalhost`, `user`, `localuser`, `exec` (`$SHELL -c`, exit 0
//!   matches: it runs while resolving, as it does for ssh), `canonical`, `final`, comma lists
//!   and `!`; host criteria ignore case, user criteria do not.
//! - The second pass (`Match final`, `CanonicalizeHostname`): the files are read again with
//!   `Host` matched against the lowercased host name, filling only what is still unset.
//! - `Include` with globs, `~` (from `$HOME`, as OpenSSH's glob takes it), relative to
//!   `~/.ssh` (user file) or `/etc/ssh` (system file), conditional inside `Host`/`Match`, 16
//!   levels deep. `~/.ssh/config` and included files must be the user's or root's and not
//!   writable by others (Debian's rule: group-writable is fine when the group is the user's
//!   alone; upstream refuses it, and the lenient rule never refuses what the user's ssh reads).
//! - `HostName` with `%h`; numeric addresses normalised as ssh does (`127.1` is `127.0.0.1`,
//!   IPv6 compressed), names lowercased.
//! - Tokens and `${VAR}` in `IdentityFile`, `IdentityAgent`, `UserKnownHostsFile` (ssh_config(5)
//!   TOKENS: `%C %d %h %i %k %L %l %n %p %r %u %%`); `~` and `~user` from the passwd file.
//!   `ProxyCommand` is returned raw, as `ssh -G` prints it: its tokens are the connecting
//!   hop's, `hop.rs` substitutes them. `User` is taken as written (token expansion in `User`
//!   came after 9.2).
//! - `ProxyJump` and `ProxyCommand` exclude each other, the first one set wins;
//!   `ProxyJump none` only stops a later `ProxyJump`. The chain is parsed
//!   (`[user@]host[:port]`, `ssh://` URIs); a hop that is itself an alias is for the caller to
//!   `resolve` again, as OpenSSH does (the jump host is another `ssh -W` reading the same
//!   files).
//! - `CanonicalizeHostname` with `CanonicalDomains`, `CanonicalizeMaxDots` and
//!   `CanonicalizeFallbackLocal`, through the system resolver.
//!
//! Not followed, and why:
//! - CNAME following (`CanonicalizePermittedCNAMEs`): std's resolver does not give the
//!   canonical name. That an unresolvable direct host then fails is kept.
//! - Values of keywords Switchboard does not use are not checked (OpenSSH rejects
//!   `Compression maybe`), only how many arguments they have.
//! - Keywords newer than 9.2 (`ChannelTimeout`, `ObscureKeystrokeTiming`, `WarnWeakCrypto`,
//!   `VersionAddendum`, `Tag` with `Match tagged`) are accepted, so a config written for a
//!   later OpenSSH is not refused; later `Match` criteria (`localnetwork`, `version`, …) are
//!   errors, as in 9.2.
//! - The first bad line is reported (OpenSSH lists all, then stops). `user@alias` and
//!   `ssh://` forms of the alias itself are not parsed: the caller passes the alias.
//! - A scoped IPv6 address (`fe80::1%eth0`) keeps its scope as written; `Include` globs know
//!   no character classes (`[[:alpha:]]`).
//!
//! Written by hand: `ssh2-config` has no `Match`, lets a later value win inside a block,
//! merges an `Include` inside `Host` by querying the pattern instead of the alias, and knows
//! no tokens; `russh-config` has no `Match` or `Include`, splits a line on one space, lets
//! the last value win and replaces tokens textually (`%%h` becomes `%` + host). Neither
//! resolves like `ssh`.

use std::cell::OnceCell;
use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::net::{Ipv4Addr, Ipv6Addr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

mod addr;
mod aliases;
mod expand;
mod glob;
mod jump;
mod keywords;
mod lexer;
mod patterns;
mod resolver;
mod system;

use addr::*;
use aliases::*;
use expand::*;
use glob::*;
use jump::*;
use keywords::*;
use lexer::*;
use patterns::*;
use resolver::*;
use system::*;

/// Where the configuration is read from, and for whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshConfigSource {
    /// The user's config (`~/.ssh/config`, or the file given as `ssh -F`).
    pub user_config: PathBuf,
    /// `/etc/ssh/ssh_config`, read after the user's; `None` gives `-F` semantics (the file
    /// must exist, no system file, no permission check on it), as `ssh -G -F` reads.
    pub system_config: Option<PathBuf>,
    /// The local user's home from the passwd entry (OpenSSH's `~` and `%d`, not `$HOME`).
    pub home: PathBuf,
    /// The local user name (`%u`, the default `User`, `Match localuser`).
    pub local_user: String,
}

impl SshConfigSource {
    /// The current user's `~/.ssh/config` and `/etc/ssh/ssh_config`, home and name from the
    /// passwd file (as OpenSSH takes them), else from `$HOME` and `$USER`.
    pub fn for_current_user() -> io::Result<Self> {
        let entry = current_uid().and_then(|uid| passwd_find(|e| e.uid == uid));
        let (local_user, home) = match entry {
            Some(e) => (e.name, PathBuf::from(e.home)),
            None => {
                let user = std::env::var("USER")
                    .or_else(|_| std::env::var("LOGNAME"))
                    .map_err(|_| io::Error::new(io::ErrorKind::NotFound, "no local user name"))?;
                let home = std::env::var_os("HOME")
                    .map(PathBuf::from)
                    .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no home directory"))?;
                (user, home)
            }
        };
        Ok(Self {
            user_config: home.join(".ssh").join("config"),
            system_config: Some(PathBuf::from("/etc/ssh/ssh_config")),
            home,
            local_user,
        })
    }
}

/// `StrictHostKeyChecking`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrictHostKeyChecking {
    Yes,
    No,
    Ask,
    AcceptNew,
}

impl StrictHostKeyChecking {
    /// The word `ssh -G` prints.
    pub fn as_ssh_g(self) -> &'static str {
        match self {
            Self::Yes => "true",
            Self::No => "false",
            Self::Ask => "ask",
            Self::AcceptNew => "accept-new",
        }
    }

    fn parse(word: &str) -> Option<Self> {
        Some(match word.to_ascii_lowercase().as_str() {
            "true" | "yes" => Self::Yes,
            "false" | "no" | "off" => Self::No,
            "ask" => Self::Ask,
            "accept-new" => Self::AcceptNew,
            _ => return None,
        })
    }
}

/// One host of a `ProxyJump` chain, as written: `host` may be an alias of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JumpHop {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
}

/// What `ssh <alias>` would use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedHost {
    /// The alias as asked (`%n`).
    pub alias: String,
    /// `HostName` after `%h`, normalised as ssh does; the alias when none.
    pub hostname: String,
    pub port: u16,
    /// `User`, else the local user.
    pub user: String,
    /// Expanded (`~`, tokens, `${VAR}`), `none` dropped; OpenSSH's defaults when none given.
    pub identity_files: Vec<PathBuf>,
    pub identities_only: bool,
    /// `None` is the default (`SSH_AUTH_SOCK`); else as `ssh -G` prints it: `none`,
    /// `SSH_AUTH_SOCK`, `$VAR` or an expanded path.
    pub identity_agent: Option<String>,
    /// In order from this machine; empty when none.
    pub proxy_jump: Vec<JumpHop>,
    /// Raw, tokens unsubstituted (as `ssh -G` prints it); `None` for none.
    pub proxy_command: Option<String>,
    /// Expanded; empty for `none`.
    pub user_known_hosts_files: Vec<PathBuf>,
    /// `~` expanded; empty for `none`.
    pub global_known_hosts_files: Vec<PathBuf>,
    pub strict_host_key_checking: StrictHostKeyChecking,
    /// Seconds; `None` when unset.
    pub connect_timeout: Option<u32>,
}

/// Why a host could not be resolved; each is a case where `ssh` stops too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// A file that must be read could not be: the `-F` file, or an included file.
    Unreadable { path: PathBuf, reason: String },
    /// A line OpenSSH rejects.
    Syntax {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// `Include` nested deeper than OpenSSH's 16 levels (a file including itself, usually).
    IncludeDepth { path: PathBuf },
    /// Owned by another user, writable by others or by a group with other members:
    /// OpenSSH will not read it.
    Permissions { path: PathBuf },
    /// A `%` token, `~user` or `${VAR}` that cannot be expanded.
    Expansion {
        keyword: &'static str,
        value: String,
        message: String,
    },
    /// `CanonicalizeHostname` found no name and `CanonicalizeFallbackLocal` is `no`, or a
    /// host with `CanonicalizePermittedCNAMEs` does not resolve.
    Unresolved { host: String },
    /// `ProxyJump` names the host itself.
    JumpLoop { host: String },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreadable { path, reason } => {
                write!(f, "cannot read {}: {reason}", path.display())
            }
            Self::Syntax {
                path,
                line,
                message,
            } => write!(f, "{} line {line}: {message}", path.display()),
            Self::IncludeDepth { path } => write!(
                f,
                "too many nested Include directives (more than 16) reading {}",
                path.display()
            ),
            Self::Permissions { path } => write!(
                f,
                "bad owner or permissions on {} (it must be yours or root's and writable only by you)",
                path.display()
            ),
            Self::Expansion {
                keyword,
                value,
                message,
            } => write!(f, "{keyword} {value:?}: {message}"),
            Self::Unresolved { host } => write!(f, "could not resolve host \"{host}\""),
            Self::JumpLoop { host } => write!(f, "ProxyJump loops back to {host}"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Resolves `alias` as `ssh alias` would.
pub fn resolve(alias: &str, src: &SshConfigSource) -> Result<ResolvedHost, ConfigError> {
    resolve_as(alias, src, None, None)
}

/// Resolves a `ProxyJump` hop as the `ssh -W` OpenSSH starts for it does: the chain's user
/// and port are its `-l` and `-p`, set before the files are read (so they beat `User` and
/// `Port`, and `Match user`, `%r`, `%p` see them). For every hop but the first, ssh also
/// passes the hops before it as `-J`, so that hop's own `ProxyJump`/`ProxyCommand` do not
/// apply: the caller ignores them there.
pub fn resolve_jump(hop: &JumpHop, src: &SshConfigSource) -> Result<ResolvedHost, ConfigError> {
    resolve_as(&hop.host, src, hop.user.as_deref(), hop.port)
}

fn resolve_as(
    alias: &str,
    src: &SshConfigSource,
    user: Option<&str>,
    port: Option<u16>,
) -> Result<ResolvedHost, ConfigError> {
    let mut r = Resolver {
        src,
        alias,
        host: alias.to_string(),
        opts: Options {
            user: user.map(str::to_string),
            port,
            ..Options::default()
        },
        final_pass: false,
        want_final: false,
        thishost: OnceCell::new(),
    };
    r.read_configs()?;

    let canon = r.opts.canonicalize.unwrap_or(Canonicalize::No);
    let mut host = alias.to_string();
    if let Some(name) = r.opts.hostname.clone() {
        host = expand_hostname(&name, alias)?;
        r.opts.hostname = Some(host.clone());
    }
    // What looks like an address (a `:` or `%`, only digits and dots) or is one is never
    // lowercased; a real address is normalised below.
    let was_addr = is_addr_fast(&host) || numeric_host(&host).is_some();
    if !was_addr {
        host.make_ascii_lowercase();
    }
    let mut found = false;
    if canon != Canonicalize::No || was_addr {
        found = r.canonicalize(&mut host)?;
    }
    let direct = r.direct();
    // With CanonicalizePermittedCNAMEs, ssh looks an uncanonicalised direct host up and
    // stops when it does not resolve (the CNAME it would then follow is not followed here).
    if !found
        && !r.opts.permitted_cnames.is_empty()
        && !r.opts.permitted_cnames_none()
        && direct
        && !resolves(&host)
    {
        return Err(ConfigError::Unresolved { host });
    }
    if canon != Canonicalize::No {
        r.want_final = true;
    }
    if r.want_final {
        r.opts.hostname = Some(host.clone());
        r.host = host.clone();
        r.final_pass = true;
        r.read_configs()?;
    }

    let opts = &r.opts;
    let user = opts.user.clone().unwrap_or_else(|| src.local_user.clone());
    let port = opts.port.unwrap_or(DEFAULT_PORT);
    let proxy_jump = match &opts.jump {
        Some(Jump::Hops(j)) => {
            let jport = j.port.unwrap_or(DEFAULT_PORT);
            let juser = j.user.as_deref().unwrap_or(&user);
            if j.host == host && port == jport && juser == user {
                return Err(ConfigError::JumpLoop { host });
            }
            j.chain.clone()
        }
        Some(Jump::None) | None => Vec::new(),
    };
    let proxy_command = match (&opts.jump, &opts.proxy_command) {
        (None | Some(Jump::None), Some(c)) if !c.eq_ignore_ascii_case("none") => Some(c.clone()),
        _ => None,
    };

    let thishost = r.thishost().to_string();
    let conn = ConnInfo {
        host: host.clone(),
        alias: alias.to_string(),
        port: port.to_string(),
        user: user.clone(),
        keyalias: opts
            .host_key_alias
            .as_ref()
            .map(|a| a.to_ascii_lowercase())
            .unwrap_or_else(|| alias.to_string()),
        home: src.home.to_string_lossy().into_owned(),
        local_user: src.local_user.clone(),
        thishost,
    };
    let client = |keyword: &'static str, raw: &str| -> Result<String, ConfigError> {
        let fail = |message: String| ConfigError::Expansion {
            keyword,
            value: raw.to_string(),
            message,
        };
        let t = tilde_expand(raw, &src.home).map_err(fail)?;
        expand(&t, true, Some(&|c| conn.token(c))).map_err(fail)
    };

    let identity_files = if opts.identity_files.is_empty() {
        DEFAULT_IDENTITY_FILES
            .iter()
            .map(|f| client("IdentityFile", f).map(PathBuf::from))
            .collect::<Result<Vec<_>, _>>()?
    } else {
        let mut files = Vec::new();
        for (f, _) in &opts.identity_files {
            if !f.eq_ignore_ascii_case("none") {
                files.push(PathBuf::from(client("IdentityFile", f)?));
            }
        }
        files
    };
    let identity_agent = match &opts.identity_agent {
        Some(a) => Some(client("IdentityAgent", a)?),
        None => None,
    };
    let user_known_hosts_files = match opts.user_hostfiles.as_slice() {
        [] => DEFAULT_USER_HOSTFILES
            .iter()
            .map(|f| client("UserKnownHostsFile", f).map(PathBuf::from))
            .collect::<Result<Vec<_>, _>>()?,
        [only] if only.eq_ignore_ascii_case("none") => Vec::new(),
        files => files
            .iter()
            .map(|f| client("UserKnownHostsFile", f).map(PathBuf::from))
            .collect::<Result<Vec<_>, _>>()?,
    };
    let global_known_hosts_files = match opts.system_hostfiles.as_slice() {
        [] => DEFAULT_SYSTEM_HOSTFILES.iter().map(PathBuf::from).collect(),
        [only] if only.eq_ignore_ascii_case("none") => Vec::new(),
        files => files
            .iter()
            .map(|f| {
                tilde_expand(f, &src.home)
                    .map(PathBuf::from)
                    .map_err(|message| ConfigError::Expansion {
                        keyword: "GlobalKnownHostsFile",
                        value: f.clone(),
                        message,
                    })
            })
            .collect::<Result<Vec<_>, _>>()?,
    };

    Ok(ResolvedHost {
        alias: alias.to_string(),
        hostname: host,
        port,
        user,
        identity_files,
        identities_only: opts.identities_only.unwrap_or(false),
        identity_agent,
        proxy_jump,
        proxy_command,
        user_known_hosts_files,
        global_known_hosts_files,
        strict_host_key_checking: opts.strict.unwrap_or(StrictHostKeyChecking::Ask),
        connect_timeout: opts.connect_timeout,
    })
}

/// The concrete `Host` names of the user's config, the system config and every file they
/// include (whatever block the `Include` is in), in file order: no patterns, no negations.
/// For an alias picker; unreadable files are skipped.
pub fn list_aliases(src: &SshConfigSource) -> Vec<String> {
    let mut out = Vec::new();
    collect_aliases(&src.user_config, true, src, 0, &mut out);
    if let Some(system) = &src.system_config {
        collect_aliases(system, false, src, 0, &mut out);
    }
    out
}

/// Parses a `ProxyJump` value as OpenSSH does (`none`, or a comma chain of
/// `[user@]host[:port]` and `ssh://[user@]host[:port]`); also reads what `ssh -G` prints.
pub fn parse_proxy_jump(spec: &str) -> Result<Vec<JumpHop>, String> {
    // The whole value is compared with "none"; otherwise the chain is the text before a
    // comment and before the first blank (`ProxyJump a b` is `a`, as the oracle reads it).
    if spec.eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    let body = match spec.find(['#', ' ', '\t', '\r', '\n']) {
        Some(i) => &spec[..i],
        None => spec,
    };
    body.split(',')
        .map(|hop| parse_jump_hop(hop).ok_or_else(|| format!("Invalid ProxyJump \"{spec}\"")))
        .collect()
}

// ---------------------------------------------------------------------------------------
// The two passes over the files.

const DEFAULT_PORT: u16 = 22;
const MAX_INCLUDE_DEPTH: u32 = 16;
const MAX_IDENTITY_FILES: usize = 100;
const SYSTEM_DIR: &str = "/etc/ssh";
const WS: [char; 4] = [' ', '\t', '\r', '\n'];
/// OpenSSH 9.2's, in the order `ssh -G` prints them.
const DEFAULT_IDENTITY_FILES: [&str; 7] = [
    "~/.ssh/id_rsa",
    "~/.ssh/id_ecdsa",
    "~/.ssh/id_ecdsa_sk",
    "~/.ssh/id_ed25519",
    "~/.ssh/id_ed25519_sk",
    "~/.ssh/id_xmss",
    "~/.ssh/id_dsa",
];
const DEFAULT_USER_HOSTFILES: [&str; 2] = ["~/.ssh/known_hosts", "~/.ssh/known_hosts2"];
const DEFAULT_SYSTEM_HOSTFILES: [&str; 2] =
    ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_known_answers() {
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(sha1_hex(b""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    }

    #[test]
    fn lines_split_like_openssh() {
        assert_eq!(
            strdelim(Some("Host=foo bar")),
            (Some("Host".to_string()), Some("foo bar"))
        );
        assert_eq!(
            strdelim(Some("Port = 22")),
            (Some("Port".into()), Some("22"))
        );
        assert_eq!(
            argv_split(r#"a "b c" 'd' e\ f # g"#),
            Some(vec!["a".into(), "b c".into(), "d".into(), "e f".into()])
        );
        assert_eq!(argv_split("\"open"), None);
    }

    #[test]
    fn patterns() {
        assert!(match_pattern("db1.example", "db?.*"));
        assert!(!match_pattern("DB1", "db1"));
        assert_eq!(match_pattern_list("a.b", "x,!a.*,a.b", false), -1);
        assert_eq!(match_hostname("WEB", "web"), 1);
    }

    #[test]
    fn addresses() {
        assert_eq!(numeric_host("127.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(numeric_host("010.1.1.1").as_deref(), Some("8.1.1.1"));
        assert_eq!(
            numeric_host("2001:DB8:0:0:0:0:0:1").as_deref(),
            Some("2001:db8::1")
        );
        assert_eq!(numeric_host("::1.2.3.4").as_deref(), Some("::1.2.3.4"));
        assert_eq!(numeric_host("::2").as_deref(), Some("::2"));
        assert_eq!(numeric_host("1.2.3.4."), None);
    }

    #[test]
    fn jumps() {
        let hops = parse_proxy_jump("a@b:2200,ssh://u@c:22,[::1]:23").unwrap();
        assert_eq!(hops.len(), 3);
        assert_eq!(hops[0].user.as_deref(), Some("a"));
        assert_eq!(hops[1].port, Some(22));
        assert_eq!(hops[2].host, "::1");
        assert!(parse_proxy_jump("none").unwrap().is_empty());
        assert!(parse_proxy_jump("ssh://h/path").is_err());
    }

    #[test]
    fn times() {
        assert_eq!(convtime("1h30m"), Some(5400));
        assert_eq!(convtime("10"), Some(10));
        assert_eq!(convtime("x"), None);
    }
}
