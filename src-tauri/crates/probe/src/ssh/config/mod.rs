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
mod expand;
mod glob;
mod jump;
mod lexer;
mod patterns;
mod system;

use addr::*;
use expand::*;
use glob::*;
use jump::*;
use lexer::*;
use patterns::*;
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Canonicalize {
    No,
    Yes,
    Always,
}

#[derive(Debug, Clone)]
struct JumpHops {
    user: Option<String>,
    host: String,
    port: Option<u16>,
    chain: Vec<JumpHop>,
}

#[derive(Debug, Clone)]
enum Jump {
    /// `ProxyJump none`: no jump, and a later `ProxyJump` line is ignored.
    None,
    Hops(JumpHops),
}

/// The options as OpenSSH's `Options` holds them while reading: unset until a line sets them.
#[derive(Debug, Default)]
struct Options {
    hostname: Option<String>,
    port: Option<u16>,
    user: Option<String>,
    /// Raw, and whether from the user's file (OpenSSH drops duplicates per origin).
    identity_files: Vec<(String, bool)>,
    identities_only: Option<bool>,
    identity_agent: Option<String>,
    proxy_command: Option<String>,
    jump: Option<Jump>,
    user_hostfiles: Vec<String>,
    system_hostfiles: Vec<String>,
    strict: Option<StrictHostKeyChecking>,
    /// `ConnectTimeout none` leaves it unset, so a later value still applies (as in ssh).
    connect_timeout: Option<u32>,
    host_key_alias: Option<String>,
    canonicalize: Option<Canonicalize>,
    canonical_domains: Vec<String>,
    max_dots: Option<u32>,
    fallback_local: Option<bool>,
    permitted_cnames: Vec<(String, String)>,
    ignore_unknown: Option<String>,
    tag: Option<String>,
}

impl Options {
    fn permitted_cnames_none(&self) -> bool {
        matches!(self.permitted_cnames.as_slice(), [(s, t)] if s.eq_ignore_ascii_case("none") && t.is_empty())
    }
}

#[derive(Debug, Clone, Copy)]
struct Flags {
    user_conf: bool,
    check_perm: bool,
    never_match: bool,
}

enum Opened {
    Yes,
    No(io::Error),
}

struct At<'p> {
    path: &'p Path,
    line: usize,
}

impl At<'_> {
    fn err(&self, message: impl Into<String>) -> ConfigError {
        ConfigError::Syntax {
            path: self.path.to_path_buf(),
            line: self.line,
            message: message.into(),
        }
    }
}

struct Resolver<'a> {
    src: &'a SshConfigSource,
    alias: &'a str,
    /// What `Host` lines match: the alias as typed, then the host name in the final pass.
    host: String,
    opts: Options,
    final_pass: bool,
    want_final: bool,
    thishost: OnceCell<String>,
}

impl Resolver<'_> {
    fn thishost(&self) -> &str {
        self.thishost.get_or_init(local_hostname)
    }

    fn read_configs(&mut self) -> Result<(), ConfigError> {
        let src = self.src;
        match &src.system_config {
            None => {
                let flags = Flags {
                    user_conf: true,
                    check_perm: false,
                    never_match: false,
                };
                let mut active = true;
                if let Opened::No(e) = self.read_file(&src.user_config, flags, &mut active, 0)? {
                    return Err(ConfigError::Unreadable {
                        path: src.user_config.clone(),
                        reason: e.to_string(),
                    });
                }
            }
            Some(system) => {
                // Both optional: a missing or unreadable file is no configuration.
                let flags = Flags {
                    user_conf: true,
                    check_perm: true,
                    never_match: false,
                };
                let mut active = true;
                self.read_file(&src.user_config, flags, &mut active, 0)?;
                let flags = Flags {
                    user_conf: false,
                    check_perm: false,
                    never_match: false,
                };
                let mut active = true;
                self.read_file(system, flags, &mut active, 0)?;
            }
        }
        Ok(())
    }

    fn read_file(
        &mut self,
        path: &Path,
        flags: Flags,
        active: &mut bool,
        depth: u32,
    ) -> Result<Opened, ConfigError> {
        if depth > MAX_INCLUDE_DEPTH {
            return Err(ConfigError::IncludeDepth {
                path: path.to_path_buf(),
            });
        }
        let (text, meta) = match open_config(path) {
            Ok(x) => x,
            Err(e) => return Ok(Opened::No(e)),
        };
        if flags.check_perm && !permissions_ok(&meta) {
            return Err(ConfigError::Permissions {
                path: path.to_path_buf(),
            });
        }
        for (i, raw) in text.split(|b| *b == b'\n').enumerate() {
            // OpenSSH reads C strings: a NUL ends the line.
            let raw = match raw.iter().position(|b| *b == 0) {
                Some(n) => &raw[..n],
                None => raw,
            };
            let line = String::from_utf8_lossy(raw);
            let at = At { path, line: i + 1 };
            self.process_line(&line, &at, flags, active, depth)?;
        }
        Ok(Opened::Yes)
    }

    fn process_line(
        &mut self,
        line: &str,
        at: &At<'_>,
        flags: Flags,
        active: &mut bool,
        depth: u32,
    ) -> Result<(), ConfigError> {
        let Some(line) = strip_trailing(line) else {
            return Ok(());
        };
        let (Some(word), rest) = strdelim(Some(line)) else {
            return Ok(());
        };
        let (keyword, rest) = if word.is_empty() {
            match strdelim(rest) {
                (Some(w), r) => (w, r),
                (None, _) => return Ok(()),
            }
        } else {
            (word, rest)
        };
        if keyword.is_empty() || keyword.starts_with('#') {
            return Ok(());
        }
        let kw = keyword.to_ascii_lowercase();
        let rest = rest.map(|r| r.trim_start_matches(WS)).unwrap_or("");
        if rest.is_empty() {
            return Err(at.err(format!("no argument after keyword \"{kw}\"")));
        }
        let op = match keyword_of(&kw) {
            Some(op) => op,
            None => match &self.opts.ignore_unknown {
                Some(ignore) if match_pattern_list(&kw, ignore, true) == 1 => Kw::Other(Arity::Any),
                _ => return Err(at.err(format!("Bad configuration option: {kw}"))),
            },
        };
        let args = argv_split(rest).ok_or_else(|| at.err("invalid quotes"))?;
        let extra = || at.err(format!("keyword {kw} extra arguments at end of line"));
        let on = *active;

        match op {
            Kw::Host => {
                *active = false;
                for arg in &args {
                    if arg.is_empty() {
                        return Err(at.err(format!("keyword {kw} empty argument")));
                    }
                    if flags.never_match {
                        break;
                    }
                    let (negated, pattern) = match arg.strip_prefix('!') {
                        Some(p) => (true, p),
                        None => (false, arg.as_str()),
                    };
                    if match_pattern(&self.host, pattern) {
                        if negated {
                            *active = false;
                            break;
                        }
                        *active = true;
                    }
                }
            }
            Kw::Match => {
                let (matched, left) = self
                    .match_line(Some(rest))
                    .map_err(|m| at.err(format!("{m}; bad Match condition")))?;
                *active = !flags.never_match && matched;
                if left.is_some_and(|l| !l.is_empty()) && !args.is_empty() {
                    return Err(extra());
                }
            }
            Kw::Include => {
                for arg in &args {
                    if arg.is_empty() {
                        return Err(at.err(format!("keyword {kw} empty argument")));
                    }
                    if arg.starts_with('~') && !flags.user_conf {
                        return Err(at.err(format!("bad include path {arg}.")));
                    }
                    let pattern = if !arg.starts_with('/') && !arg.starts_with('~') {
                        if flags.user_conf {
                            format!("~/.ssh/{arg}")
                        } else {
                            format!("{SYSTEM_DIR}/{arg}")
                        }
                    } else {
                        arg.clone()
                    };
                    let outer = *active;
                    for file in glob(&glob_tilde(&pattern, self.src)) {
                        let inner = Flags {
                            user_conf: flags.user_conf,
                            check_perm: true,
                            never_match: flags.never_match || !outer,
                        };
                        let path = PathBuf::from(&file);
                        if let Opened::No(e) = self.read_file(&path, inner, active, depth + 1)? {
                            if e.kind() != io::ErrorKind::NotFound {
                                return Err(ConfigError::Unreadable {
                                    path,
                                    reason: e.to_string(),
                                });
                            }
                        }
                        // An included file's Host/Match lines end with the file.
                        *active = outer;
                    }
                }
            }
            Kw::HostName => {
                let v = one(at, &args, &extra)?;
                if on && self.opts.hostname.is_none() {
                    self.opts.hostname = Some(v.to_string());
                }
            }
            Kw::User => {
                let v = one(at, &args, &extra)?;
                if on && self.opts.user.is_none() {
                    self.opts.user = Some(v.to_string());
                }
            }
            Kw::HostKeyAlias => {
                let v = one(at, &args, &extra)?;
                if on && self.opts.host_key_alias.is_none() {
                    self.opts.host_key_alias = Some(v.to_string());
                }
            }
            Kw::IgnoreUnknown => {
                let v = one(at, &args, &extra)?;
                if on && self.opts.ignore_unknown.is_none() {
                    self.opts.ignore_unknown = Some(v.to_string());
                }
            }
            Kw::Tag => {
                let v = one(at, &args, &extra)?;
                if on && self.opts.tag.is_none() {
                    self.opts.tag = Some(v.to_string());
                }
            }
            Kw::Port => {
                let v = one(at, &args, &extra)?;
                let port = a2port(v)
                    .filter(|p| *p > 0)
                    .ok_or_else(|| at.err(format!("Bad port '{v}'.")))?;
                if on && self.opts.port.is_none() {
                    self.opts.port = Some(port);
                }
            }
            Kw::IdentityFile => {
                let v = one(at, &args, &extra)?;
                if on {
                    if self.opts.identity_files.len() >= MAX_IDENTITY_FILES {
                        return Err(at.err(format!(
                            "Too many identity files specified (max {MAX_IDENTITY_FILES})."
                        )));
                    }
                    let entry = (v.to_string(), flags.user_conf);
                    if !self.opts.identity_files.contains(&entry) {
                        self.opts.identity_files.push(entry);
                    }
                }
            }
            Kw::IdentitiesOnly => {
                let v = one(at, &args, &extra)?;
                let b =
                    parse_flag(v).ok_or_else(|| at.err(format!("unsupported option \"{v}\".")))?;
                if on && self.opts.identities_only.is_none() {
                    self.opts.identities_only = Some(b);
                }
            }
            Kw::CanonicalizeFallbackLocal => {
                let v = one(at, &args, &extra)?;
                let b =
                    parse_flag(v).ok_or_else(|| at.err(format!("unsupported option \"{v}\".")))?;
                if on && self.opts.fallback_local.is_none() {
                    self.opts.fallback_local = Some(b);
                }
            }
            Kw::StrictHostKeyChecking => {
                let v = one(at, &args, &extra)?;
                let s = StrictHostKeyChecking::parse(v)
                    .ok_or_else(|| at.err(format!("unsupported option \"{v}\".")))?;
                if on && self.opts.strict.is_none() {
                    self.opts.strict = Some(s);
                }
            }
            Kw::CanonicalizeHostname => {
                let v = one(at, &args, &extra)?;
                let c = match v.to_ascii_lowercase().as_str() {
                    "true" | "yes" => Canonicalize::Yes,
                    "false" | "no" => Canonicalize::No,
                    "always" => Canonicalize::Always,
                    _ => return Err(at.err(format!("unsupported option \"{v}\"."))),
                };
                if on && self.opts.canonicalize.is_none() {
                    self.opts.canonicalize = Some(c);
                }
            }
            Kw::CanonicalizeMaxDots => {
                let v = args.first().map(String::as_str).unwrap_or("");
                let n = atoi(v).ok_or_else(|| at.err("integer value invalid."))?;
                if args.len() > 1 {
                    return Err(extra());
                }
                if on && self.opts.max_dots.is_none() {
                    self.opts.max_dots = Some(n);
                }
            }
            Kw::ConnectTimeout => {
                let v = args.first().map(String::as_str).unwrap_or("");
                if v.is_empty() {
                    return Err(at.err("missing time value."));
                }
                let t = if v == "none" {
                    None
                } else {
                    Some(convtime(v).ok_or_else(|| at.err("invalid time value."))?)
                };
                if args.len() > 1 {
                    return Err(extra());
                }
                if on && self.opts.connect_timeout.is_none() {
                    self.opts.connect_timeout = t;
                }
            }
            Kw::IdentityAgent => {
                let v = one(at, &args, &extra)?;
                // Checked at parse time by OpenSSH, in every block: an unset ${VAR} is an error.
                expand(v, true, None)
                    .map_err(|m| at.err(format!("Invalid environment expansion {v} ({m}).")))?;
                if let Some(name) = v.strip_prefix('$') {
                    if !name.starts_with('{') && !valid_env_name(name) {
                        return Err(at.err(format!("Invalid environment name {v}.")));
                    }
                }
                if on && self.opts.identity_agent.is_none() {
                    self.opts.identity_agent = Some(v.to_string());
                }
            }
            Kw::ProxyCommand => {
                // The rest of the line, raw (quotes and comments included), as OpenSSH keeps it.
                let v = rest.trim_start_matches(|c: char| WS.contains(&c) || c == '=');
                if on && self.opts.proxy_command.is_none() {
                    self.opts.proxy_command = Some(v.to_string());
                }
            }
            Kw::ProxyJump => {
                let v = rest.trim_start_matches(|c: char| WS.contains(&c) || c == '=');
                if v.eq_ignore_ascii_case("none") {
                    // Blocks a later ProxyJump, not a later ProxyCommand (OpenSSH >= 10.3,
                    // backported to Debian's 9.2; plain 9.2 blocked both).
                    if on && self.opts.jump.is_none() {
                        self.opts.jump = Some(Jump::None);
                    }
                } else {
                    let chain = parse_proxy_jump(v).map_err(|m| at.err(m))?;
                    if let (true, None, None, Some(last)) =
                        (on, &self.opts.proxy_command, &self.opts.jump, chain.last())
                    {
                        self.opts.jump = Some(Jump::Hops(JumpHops {
                            user: last.user.clone(),
                            host: last.host.clone(),
                            port: last.port,
                            chain: chain.clone(),
                        }));
                        // As OpenSSH: a jump host stands in for ProxyCommand.
                        self.opts.proxy_command = Some("none".to_string());
                    }
                }
            }
            Kw::UserKnownHostsFile | Kw::GlobalKnownHostsFile => {
                let unset = if op == Kw::UserKnownHostsFile {
                    self.opts.user_hostfiles.is_empty()
                } else {
                    self.opts.system_hostfiles.is_empty()
                };
                let mut files = Vec::new();
                for (i, arg) in args.iter().enumerate() {
                    if arg.is_empty() {
                        return Err(at.err(format!("keyword {kw} empty argument")));
                    }
                    if arg.eq_ignore_ascii_case("none") && (i > 0 || args.len() > 1) {
                        return Err(
                            at.err(format!("keyword {kw} \"none\" argument must appear alone."))
                        );
                    }
                    files.push(arg.clone());
                }
                if on && unset {
                    if op == Kw::UserKnownHostsFile {
                        self.opts.user_hostfiles = files;
                    } else {
                        self.opts.system_hostfiles = files;
                    }
                }
            }
            Kw::CanonicalDomains => {
                let unset = self.opts.canonical_domains.is_empty();
                let mut domains = Vec::new();
                for (i, arg) in args.iter().enumerate() {
                    if arg.is_empty() {
                        return Err(at.err(format!("keyword {kw} empty argument")));
                    }
                    if arg.eq_ignore_ascii_case("none") && (i > 0 || args.len() > 1) {
                        return Err(
                            at.err(format!("keyword {kw} \"none\" argument must appear alone."))
                        );
                    }
                    domains.push(valid_domain(arg).map_err(|m| at.err(m))?);
                }
                if on && unset {
                    self.opts.canonical_domains = domains;
                }
            }
            Kw::CanonicalizePermittedCnames => {
                let unset = self.opts.permitted_cnames.is_empty();
                let mut rules = Vec::new();
                for (i, arg) in args.iter().enumerate() {
                    if arg.eq_ignore_ascii_case("none") {
                        if i > 0 || args.len() > 1 {
                            return Err(at.err(format!(
                                "keyword {kw} \"none\" argument must appear alone."
                            )));
                        }
                        rules.push((arg.clone(), String::new()));
                    } else if arg == "*" {
                        rules.push(("*".to_string(), "*".to_string()));
                    } else {
                        let lower = arg.to_ascii_lowercase();
                        match lower.split_once(':') {
                            Some((s, t)) if !t.is_empty() => {
                                rules.push((s.to_string(), t.to_string()))
                            }
                            _ => return Err(at.err(format!("Invalid permitted CNAME \"{arg}\""))),
                        }
                    }
                }
                if on && unset {
                    self.opts.permitted_cnames = rules;
                }
            }
            Kw::Other(arity) => check_arity(at, &kw, arity, &args)?,
        }
        Ok(())
    }

    /// `Match`: OpenSSH's `match_cfg_line()`, which splits the line with `strdelim()`.
    /// Returns whether it matches and what is left of the line.
    fn match_line<'s>(
        &mut self,
        mut cp: Option<&'s str>,
    ) -> Result<(bool, Option<&'s str>), String> {
        let port = self.opts.port.unwrap_or(DEFAULT_PORT);
        let ruser = self
            .opts
            .user
            .clone()
            .unwrap_or_else(|| self.src.local_user.clone());
        let host = if self.final_pass {
            self.opts.hostname.clone().unwrap_or_default()
        } else {
            match &self.opts.hostname {
                Some(h) => expand_hostname(h, &self.host).map_err(|e| e.to_string())?,
                None => self.host.clone(),
            }
        };
        let mut result = true;
        let mut attributes = 0;
        loop {
            let (word, next) = strdelim(cp);
            cp = next;
            let Some(oattrib) = word.filter(|w| !w.is_empty()) else {
                break;
            };
            if oattrib.starts_with('#') {
                cp = None;
                break;
            }
            let (negate, attrib) = match oattrib.strip_prefix('!') {
                Some(a) => (true, a),
                None => (false, oattrib.as_str()),
            };
            let attrib = attrib.to_ascii_lowercase();
            if attrib == "all" {
                let (arg, next) = strdelim(cp);
                cp = next;
                let more = arg
                    .as_deref()
                    .is_some_and(|a| !a.is_empty() && !a.starts_with('#'));
                if attributes > 1 || more {
                    return Err(format!(
                        "'{oattrib}' cannot be combined with other Match attributes"
                    ));
                }
                if arg.is_some_and(|a| a.starts_with('#')) {
                    cp = None;
                }
                if result {
                    result = !negate;
                }
                return Ok((result, cp));
            }
            attributes += 1;
            if attrib == "canonical" || attrib == "final" {
                if attrib == "final" && !self.final_pass {
                    self.want_final = true;
                }
                if self.final_pass == negate {
                    result = false;
                }
                continue;
            }
            let (arg, next) = strdelim(cp);
            cp = next;
            let Some(arg) = arg.filter(|a| !a.is_empty() && !a.starts_with('#')) else {
                return Err(format!("Missing Match criteria for {attrib}"));
            };
            let r = match attrib.as_str() {
                "host" => match_hostname(&host, &arg) == 1,
                "originalhost" => match_hostname(self.alias, &arg) == 1,
                "user" => match_pattern_list(&ruser, &arg, false) == 1,
                "localuser" => match_pattern_list(&self.src.local_user, &arg, false) == 1,
                "tagged" => {
                    match_pattern_list(self.opts.tag.as_deref().unwrap_or(""), &arg, false) == 1
                }
                "exec" => {
                    let conn = ConnInfo {
                        host: host.clone(),
                        alias: self.alias.to_string(),
                        port: port.to_string(),
                        user: ruser.clone(),
                        keyalias: self
                            .opts
                            .host_key_alias
                            .clone()
                            .unwrap_or_else(|| host.clone()),
                        home: self.src.home.to_string_lossy().into_owned(),
                        local_user: self.src.local_user.clone(),
                        thishost: self.thishost().to_string(),
                    };
                    let cmd = expand(&arg, false, Some(&|c| conn.token(c)))?;
                    // As OpenSSH: once a criterion failed, later commands are not run.
                    if !result {
                        continue;
                    }
                    run_exec(&cmd)?
                }
                _ => return Err(format!("Unsupported Match attribute {attrib}")),
            };
            if r == negate {
                result = false;
            }
        }
        if attributes == 0 {
            return Err("One or more attributes required for Match".to_string());
        }
        Ok((result, cp))
    }

    /// Neither a ProxyCommand nor a ProxyJump: only then is a name canonicalised.
    fn direct(&self) -> bool {
        self.opts
            .proxy_command
            .as_deref()
            .is_none_or(|c| c.eq_ignore_ascii_case("none"))
            && self.opts.jump.is_none()
    }

    /// OpenSSH's `resolve_canonicalize()`: normalises an address, or tries the
    /// `CanonicalDomains` suffixes. Returns whether the name was resolved.
    fn canonicalize(&self, host: &mut String) -> Result<bool, ConfigError> {
        if let Some(norm) = numeric_host(host) {
            if !norm.eq_ignore_ascii_case(host) {
                *host = norm;
            }
            return Ok(true);
        }
        if is_addr_fast(host) {
            return Ok(false);
        }
        let canon = self.opts.canonicalize.unwrap_or(Canonicalize::No);
        if canon == Canonicalize::No || (!self.direct() && canon != Canonicalize::Always) {
            return Ok(false);
        }
        if let Some(stem) = host.strip_suffix('.') {
            if resolves(host) {
                *host = stem.to_string();
                return Ok(true);
            }
        } else {
            let dots = host.bytes().filter(|b| *b == b'.').count();
            if dots > self.opts.max_dots.unwrap_or(1) as usize {
                return Ok(false);
            }
            for domain in &self.opts.canonical_domains {
                if domain.eq_ignore_ascii_case("none") {
                    break;
                }
                if resolves(&format!("{host}.{domain}.")) {
                    *host = format!("{host}.{domain}");
                    return Ok(true);
                }
            }
        }
        if !self.opts.fallback_local.unwrap_or(true) {
            return Err(ConfigError::Unresolved { host: host.clone() });
        }
        Ok(false)
    }
}

/// The values of the `%` tokens (ssh_config(5) TOKENS).
struct ConnInfo {
    host: String,
    alias: String,
    port: String,
    user: String,
    keyalias: String,
    home: String,
    local_user: String,
    thishost: String,
}

impl ConnInfo {
    fn token(&self, c: char) -> Option<String> {
        Some(match c {
            'C' => sha1_hex(
                format!("{}{}{}{}", self.thishost, self.host, self.port, self.user).as_bytes(),
            ),
            'L' => self.thishost.split('.').next().unwrap_or("").to_string(),
            'i' => current_uid().map(|u| u.to_string()).unwrap_or_default(),
            'k' => self.keyalias.clone(),
            'l' => self.thishost.clone(),
            'n' => self.alias.clone(),
            'p' => self.port.clone(),
            'd' => self.home.clone(),
            'h' => self.host.clone(),
            'r' => self.user.clone(),
            'u' => self.local_user.clone(),
            _ => return None,
        })
    }
}

fn expand_hostname(name: &str, host: &str) -> Result<String, ConfigError> {
    expand(name, false, Some(&|c| (c == 'h').then(|| host.to_string()))).map_err(|message| {
        ConfigError::Expansion {
            keyword: "HostName",
            value: name.to_string(),
            message,
        }
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arity {
    One,
    OneOrTwo,
    Two,
    AtLeastOne,
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kw {
    Host,
    Match,
    Include,
    HostName,
    Port,
    User,
    IdentityFile,
    IdentitiesOnly,
    IdentityAgent,
    ProxyCommand,
    ProxyJump,
    UserKnownHostsFile,
    GlobalKnownHostsFile,
    StrictHostKeyChecking,
    ConnectTimeout,
    HostKeyAlias,
    CanonicalizeHostname,
    CanonicalDomains,
    CanonicalizeMaxDots,
    CanonicalizeFallbackLocal,
    CanonicalizePermittedCnames,
    IgnoreUnknown,
    Tag,
    /// Known to OpenSSH, not used here: only the argument count is checked.
    Other(Arity),
}

/// OpenSSH 9.2's keyword table (Debian's GSSAPI and keep-alive additions included).
fn keyword_of(kw: &str) -> Option<Kw> {
    use Arity::*;
    Some(match kw {
        "host" => Kw::Host,
        "match" => Kw::Match,
        "include" => Kw::Include,
        "hostname" => Kw::HostName,
        "port" => Kw::Port,
        "user" => Kw::User,
        "identityfile" | "identityfile2" => Kw::IdentityFile,
        "identitiesonly" => Kw::IdentitiesOnly,
        "identityagent" => Kw::IdentityAgent,
        "proxycommand" => Kw::ProxyCommand,
        "proxyjump" => Kw::ProxyJump,
        "userknownhostsfile" => Kw::UserKnownHostsFile,
        "globalknownhostsfile" => Kw::GlobalKnownHostsFile,
        "stricthostkeychecking" => Kw::StrictHostKeyChecking,
        "connecttimeout" => Kw::ConnectTimeout,
        "hostkeyalias" => Kw::HostKeyAlias,
        "canonicalizehostname" => Kw::CanonicalizeHostname,
        "canonicaldomains" => Kw::CanonicalDomains,
        "canonicalizemaxdots" => Kw::CanonicalizeMaxDots,
        "canonicalizefallbacklocal" => Kw::CanonicalizeFallbackLocal,
        "canonicalizepermittedcnames" => Kw::CanonicalizePermittedCnames,
        "ignoreunknown" => Kw::IgnoreUnknown,
        // Newer than 9.2 (Match tagged uses it).
        "tag" => Kw::Tag,
        // Ignored, deprecated or unsupported ones (OpenSSH only logs them), lists, and
        // commands taken as the rest of the line; the last four are newer than 9.2.
        "protocol"
        | "cipher"
        | "fallbacktorsh"
        | "globalknownhostsfile2"
        | "rhostsauthentication"
        | "userknownhostsfile2"
        | "useroaming"
        | "usersh"
        | "useprivilegedport"
        | "afstokenpassing"
        | "kerberosauthentication"
        | "kerberostgtpassing"
        | "rsaauthentication"
        | "rhostsrsaauthentication"
        | "compressionlevel"
        | "logverbose"
        | "sendenv"
        | "setenv"
        | "localcommand"
        | "remotecommand"
        | "knownhostscommand"
        | "channeltimeout"
        | "obscurekeystroketiming"
        | "warnweakcrypto"
        | "versionaddendum" => Kw::Other(Any),
        "permitremoteopen" => Kw::Other(AtLeastOne),
        "localforward" => Kw::Other(Two),
        "remoteforward" | "addkeystoagent" | "ipqos" | "rekeylimit" => Kw::Other(OneOrTwo),
        "forwardagent"
        | "forwardx11"
        | "forwardx11trusted"
        | "forwardx11timeout"
        | "exitonforwardfailure"
        | "xauthlocation"
        | "gatewayports"
        | "passwordauthentication"
        | "kbdinteractiveauthentication"
        | "kbdinteractivedevices"
        | "challengeresponseauthentication"
        | "skeyauthentication"
        | "tisauthentication"
        | "pubkeyauthentication"
        | "dsaauthentication"
        | "hostbasedauthentication"
        | "certificatefile"
        | "ciphers"
        | "macs"
        | "escapechar"
        | "connectionattempts"
        | "batchmode"
        | "checkhostip"
        | "compression"
        | "tcpkeepalive"
        | "keepalive"
        | "numberofpasswordprompts"
        | "syslogfacility"
        | "loglevel"
        | "dynamicforward"
        | "preferredauthentications"
        | "hostkeyalgorithms"
        | "casignaturealgorithms"
        | "bindaddress"
        | "bindinterface"
        | "clearallforwardings"
        | "enablesshkeysign"
        | "verifyhostkeydns"
        | "nohostauthenticationforlocalhost"
        | "addressfamily"
        | "serveraliveinterval"
        | "serveralivecountmax"
        | "controlpath"
        | "controlmaster"
        | "controlpersist"
        | "hashknownhosts"
        | "tunnel"
        | "tunneldevice"
        | "permitlocalcommand"
        | "visualhostkey"
        | "kexalgorithms"
        | "requesttty"
        | "sessiontype"
        | "stdinnull"
        | "forkafterauthentication"
        | "proxyusefdpass"
        | "streamlocalbindmask"
        | "streamlocalbindunlink"
        | "revokedhostkeys"
        | "fingerprinthash"
        | "updatehostkeys"
        | "hostbasedacceptedalgorithms"
        | "hostbasedkeytypes"
        | "pubkeyacceptedalgorithms"
        | "pubkeyacceptedkeytypes"
        | "securitykeyprovider"
        | "requiredrsasize"
        | "enableescapecommandline"
        | "gssapiauthentication"
        | "gssapidelegatecredentials"
        | "pkcs11provider"
        | "smartcarddevice"
        | "gssapikeyexchange"
        | "gssapitrustdns"
        | "gssapiclientidentity"
        | "gssapiserveridentity"
        | "gssapirenewalforcesrekey"
        | "gssapikexalgorithms"
        | "protocolkeepalives"
        | "setuptimeout" => Kw::Other(One),
        _ => return None,
    })
}

fn one<'v>(
    at: &At<'_>,
    args: &'v [String],
    extra: &dyn Fn() -> ConfigError,
) -> Result<&'v str, ConfigError> {
    match args.first() {
        Some(v) if !v.is_empty() => {
            if args.len() > 1 {
                Err(extra())
            } else {
                Ok(v)
            }
        }
        _ => Err(at.err("Missing argument.")),
    }
}

fn check_arity(at: &At<'_>, kw: &str, arity: Arity, args: &[String]) -> Result<(), ConfigError> {
    let missing = args.first().is_none_or(|a| a.is_empty());
    let max = match arity {
        Arity::Any => return Ok(()),
        Arity::AtLeastOne if args.is_empty() => {
            return Err(at.err(format!("missing {kw} specification")))
        }
        Arity::AtLeastOne => return Ok(()),
        Arity::One => 1,
        Arity::OneOrTwo => 2,
        Arity::Two => {
            if !missing && args.get(1).is_none_or(|a| a.is_empty()) {
                return Err(at.err("Missing target argument."));
            }
            2
        }
    };
    if missing {
        return Err(at.err("Missing argument."));
    }
    if args.len() > max {
        return Err(at.err(format!("keyword {kw} extra arguments at end of line")));
    }
    Ok(())
}

fn parse_flag(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "yes" => Some(true),
        "false" | "no" => Some(false),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// The alias picker.

fn collect_aliases(
    path: &Path,
    user_conf: bool,
    src: &SshConfigSource,
    depth: u32,
    out: &mut Vec<String>,
) {
    if depth > MAX_INCLUDE_DEPTH {
        return;
    }
    let Ok((text, _)) = open_config(path) else {
        return;
    };
    for raw in String::from_utf8_lossy(&text).lines() {
        let Some(line) = strip_trailing(raw) else {
            continue;
        };
        let (Some(word), rest) = strdelim(Some(line)) else {
            continue;
        };
        let (keyword, rest) = if word.is_empty() {
            match strdelim(rest) {
                (Some(w), r) => (w, r),
                (None, _) => continue,
            }
        } else {
            (word, rest)
        };
        let kw = keyword.to_ascii_lowercase();
        let Some(args) = rest.and_then(|r| argv_split(r.trim_start_matches(WS))) else {
            continue;
        };
        match kw.as_str() {
            "host" => {
                for name in args {
                    let concrete =
                        !name.is_empty() && !name.starts_with('!') && !name.contains(['*', '?']);
                    if concrete && !out.contains(&name) {
                        out.push(name);
                    }
                }
            }
            "include" => {
                for arg in args.iter().filter(|a| !a.is_empty()) {
                    if arg.starts_with('~') && !user_conf {
                        continue;
                    }
                    let pattern = match (arg.starts_with('/') || arg.starts_with('~'), user_conf) {
                        (true, _) => arg.clone(),
                        (false, true) => format!("~/.ssh/{arg}"),
                        (false, false) => format!("{SYSTEM_DIR}/{arg}"),
                    };
                    for file in glob(&glob_tilde(&pattern, src)) {
                        collect_aliases(Path::new(&file), user_conf, src, depth + 1, out);
                    }
                }
            }
            _ => {}
        }
    }
}

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
