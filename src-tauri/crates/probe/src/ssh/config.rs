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
// Lines: OpenSSH's strdelim() and argv_split().

/// Trailing whitespace (and form feeds) off, never the first character, as OpenSSH does.
fn strip_trailing(line: &str) -> Option<&str> {
    if line.is_empty() {
        return None;
    }
    let b = line.as_bytes();
    let mut len = b.len();
    while len > 1 && matches!(b[len - 1], b' ' | b'\t' | b'\r' | b'\n' | b'\x0c') {
        len -= 1;
    }
    Some(&line[..len])
}

/// OpenSSH's `strdelim()`: the next word, ending at whitespace or one `=`, or a `"quoted"`
/// run. The word is `None` when `s` is used up or a quote is unmatched; the remainder is
/// `None` once the end is reached.
fn strdelim(s: Option<&str>) -> (Option<String>, Option<&str>) {
    let Some(s) = s else {
        return (None, None);
    };
    let Some(pos) = s.find([' ', '\t', '\r', '\n', '"', '=']) else {
        return (Some(s.to_string()), None);
    };
    if s.as_bytes()[pos] == b'"' {
        let after = &s[pos + 1..];
        let Some(q) = after.find('"') else {
            return (None, None);
        };
        let word = format!("{}{}", &s[..pos], &after[..q]);
        return (Some(word), Some(after[q + 1..].trim_start_matches(WS)));
    }
    let equals = s.as_bytes()[pos] == b'=';
    let word = s[..pos].to_string();
    let mut rest = s[pos + 1..].trim_start_matches(WS);
    if !equals {
        if let Some(r) = rest.strip_prefix('=') {
            rest = r.trim_start_matches(WS);
        }
    }
    (Some(word), Some(rest))
}

/// OpenSSH's `argv_split()` with comments: `"` and `'` quote, `\` escapes quotes, itself and
/// (unquoted) a space, and a `#` starting a word ends the line. `None` for an open quote.
fn argv_split(s: &str) -> Option<Vec<String>> {
    let c: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        if c[i] == ' ' || c[i] == '\t' {
            i += 1;
            continue;
        }
        if c[i] == '#' {
            break;
        }
        let mut quote: Option<char> = None;
        let mut arg = String::new();
        while i < c.len() {
            let ch = c[i];
            if ch == '\\' {
                match c.get(i + 1) {
                    Some(&n)
                        if n == '\'' || n == '"' || n == '\\' || (quote.is_none() && n == ' ') =>
                    {
                        arg.push(n);
                        i += 2;
                        continue;
                    }
                    _ => arg.push('\\'),
                }
            } else if quote.is_none() && (ch == ' ' || ch == '\t') {
                break;
            } else if quote.is_none() && (ch == '"' || ch == '\'') {
                quote = Some(ch);
            } else if quote == Some(ch) {
                quote = None;
            } else {
                arg.push(ch);
            }
            i += 1;
        }
        if i >= c.len() && quote.is_some() {
            return None;
        }
        out.push(arg);
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------
// Patterns (match.c).

/// `*` and `?`, case-sensitive, on bytes as OpenSSH's `match_pattern()`.
fn match_pattern(s: &str, pattern: &str) -> bool {
    wild(s.as_bytes(), pattern.as_bytes())
}

fn wild(mut s: &[u8], mut p: &[u8]) -> bool {
    loop {
        let Some(&pc) = p.first() else {
            return s.is_empty();
        };
        if pc == b'*' {
            while p.first() == Some(&b'*') {
                p = &p[1..];
            }
            let Some(&next) = p.first() else {
                return true;
            };
            if next != b'?' && next != b'*' {
                return (0..s.len()).any(|i| s[i] == next && wild(&s[i + 1..], &p[1..]));
            }
            return (0..s.len()).any(|i| wild(&s[i..], p));
        }
        let Some(&sc) = s.first() else {
            return false;
        };
        if pc != b'?' && pc != sc {
            return false;
        }
        s = &s[1..];
        p = &p[1..];
    }
}

/// OpenSSH's `match_pattern_list()`: 1 for a match, -1 when a `!pattern` matches, else 0.
fn match_pattern_list(s: &str, pattern: &str, lower: bool) -> i32 {
    let p = pattern.as_bytes();
    let mut i = 0;
    let mut positive = false;
    while i < p.len() {
        let negated = p[i] == b'!';
        if negated {
            i += 1;
        }
        let start = i;
        while i < p.len() && p[i] != b',' {
            i += 1;
        }
        let mut sub = p[start..i].to_vec();
        // OpenSSH's buffer: a longer subpattern is no match at all.
        if sub.len() >= 1023 {
            return 0;
        }
        if lower {
            sub.make_ascii_lowercase();
        }
        if i < p.len() {
            i += 1;
        }
        if wild(s.as_bytes(), &sub) {
            if negated {
                return -1;
            }
            positive = true;
        }
    }
    i32::from(positive)
}

fn match_hostname(host: &str, pattern: &str) -> i32 {
    match_pattern_list(&host.to_ascii_lowercase(), pattern, true)
}

// ---------------------------------------------------------------------------------------
// Expansion (misc.c).

/// OpenSSH's `percent_expand()` (with `tokens`) and `${VAR}` expansion (with `dollar`):
/// an unknown token, a lone `%`, an unterminated or unset `${VAR}` are errors, as for ssh.
fn expand(
    s: &str,
    dollar: bool,
    tokens: Option<&dyn Fn(char) -> Option<String>>,
) -> Result<String, String> {
    let mut out = String::new();
    let mut missing = None;
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if dollar && rest.starts_with("${") {
            let body = &rest[2..];
            let Some(end) = body.find('}') else {
                return Err(format!(
                    "environment variable '{body}' missing closing '}}'"
                ));
            };
            if end == 0 {
                return Err("zero-length environment variable".to_string());
            }
            let name = &body[..end];
            let value = if name.contains(['=', '\0']) {
                None
            } else {
                std::env::var_os(name)
            };
            match value {
                Some(v) => out.push_str(&v.to_string_lossy()),
                None => {
                    missing.get_or_insert_with(|| format!("env var ${{{name}}} has no value"));
                }
            }
            rest = &body[end + 1..];
            continue;
        }
        rest = &rest[c.len_utf8()..];
        let Some(tokens) = tokens.filter(|_| c == '%') else {
            out.push(c);
            continue;
        };
        let Some(t) = rest.chars().next() else {
            return Err("invalid format (% at the end)".to_string());
        };
        rest = &rest[t.len_utf8()..];
        if t == '%' {
            out.push('%');
            continue;
        }
        match tokens(t) {
            Some(v) => out.push_str(&v),
            None => return Err(format!("unknown key %{t}")),
        }
    }
    match missing {
        Some(m) => Err(m),
        None => Ok(out),
    }
}

/// OpenSSH's `tilde_expand()`: `~` and `~/` are the passwd home, `~user` that user's.
fn tilde_expand(name: &str, home: &Path) -> Result<String, String> {
    let Some(rest) = name.strip_prefix('~') else {
        return Ok(name.to_string());
    };
    let tail = |p: &str| -> Option<String> {
        let p = p.trim_start_matches('/');
        (!p.is_empty()).then(|| p.to_string())
    };
    let (dir, path) = if rest.is_empty() {
        (home.to_string_lossy().into_owned(), None)
    } else if let Some(p) = rest.strip_prefix('/') {
        (home.to_string_lossy().into_owned(), tail(p))
    } else {
        let (user, path) = match rest.find('/') {
            Some(i) => (&rest[..i], tail(&rest[i + 1..])),
            None => (rest, None),
        };
        let entry = passwd_find(|e| e.name == user).ok_or(format!("No such user {user}"))?;
        (entry.home, path)
    };
    let slash = if dir.ends_with('/') { "" } else { "/" };
    Ok(format!("{dir}{slash}{}", path.unwrap_or_default()))
}

fn valid_env_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// OpenSSH's `valid_domain(name, makelower)`: the name lowercased, a trailing dot dropped.
fn valid_domain(name: &str) -> Result<String, String> {
    let first = name.bytes().next().ok_or("empty domain name")?;
    if !first.is_ascii_alphanumeric() {
        return Err(format!(
            "domain name \"{name}\" starts with invalid character"
        ));
    }
    if name.contains("..") {
        return Err(format!(
            "domain name \"{name}\" contains consecutive separators"
        ));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
    {
        return Err(format!(
            "domain name \"{name}\" contains invalid characters"
        ));
    }
    let lower = name.to_ascii_lowercase();
    Ok(lower.strip_suffix('.').unwrap_or(&lower).to_string())
}

/// `strtonum(s, 0, INT_MAX)`.
fn atoi(s: &str) -> Option<u32> {
    let n: i64 = s.trim_start_matches(is_c_space).parse().ok()?;
    (0..=i64::from(i32::MAX))
        .contains(&n)
        .then(|| u32::try_from(n).ok())
        .flatten()
}

fn is_c_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

/// OpenSSH's `convtime()`: `90`, `1h30m`, `2d`, … in seconds, at most `INT_MAX`.
fn convtime(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    let max = i64::from(i32::MAX);
    let mut i = 0;
    let mut total: i64 = 0;
    while i < b.len() {
        // strtol: leading space and a sign are allowed.
        while i < b.len() && is_c_space(char::from(b[i])) {
            i += 1;
        }
        let mut negative = false;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            negative = b[i] == b'-';
            i += 1;
        }
        let digits = i;
        let mut secs: i64 = 0;
        while i < b.len() && b[i].is_ascii_digit() {
            secs = secs
                .saturating_mul(10)
                .saturating_add(i64::from(b[i] - b'0'));
            i += 1;
        }
        if i == digits || (negative && secs != 0) {
            return None;
        }
        let multiplier = match b.get(i) {
            None => 1,
            Some(b's' | b'S') => 1,
            Some(b'm' | b'M') => 60,
            Some(b'h' | b'H') => 3600,
            Some(b'd' | b'D') => 86400,
            Some(b'w' | b'W') => 604_800,
            Some(_) => return None,
        };
        if i < b.len() {
            i += 1;
        }
        if secs > max / multiplier {
            return None;
        }
        secs *= multiplier;
        if total > max - secs {
            return None;
        }
        total += secs;
    }
    u32::try_from(total).ok()
}

/// OpenSSH's `a2port()`: a number, else a service name from `/etc/services`.
fn a2port(s: &str) -> Option<u16> {
    if let Ok(n) = s.trim_start_matches(is_c_space).parse::<i64>() {
        return u16::try_from(n).ok();
    }
    service_port(s)
}

fn service_port(name: &str) -> Option<u16> {
    let text = fs::read_to_string("/etc/services").ok()?;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut fields = line.split_whitespace();
        let (Some(service), Some(spec)) = (fields.next(), fields.next()) else {
            continue;
        };
        let Some((port, "tcp")) = spec.split_once('/') else {
            continue;
        };
        if service == name || fields.any(|a| a == name) {
            return port.parse().ok();
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// ProxyJump hops (misc.c: parse_user_host_port, parse_uri).

fn parse_jump_hop(s: &str) -> Option<JumpHop> {
    if let Some(uri) = s.strip_prefix("ssh://") {
        return parse_ssh_uri(uri);
    }
    let (user, rest) = match s.rfind('@') {
        Some(0) => return None,
        Some(i) => (Some(s[..i].to_string()), &s[i + 1..]),
        None => (None, s),
    };
    let (host, delim, tail) = hpdelim(rest)?;
    if host.is_empty() || delim == Some('/') {
        return None;
    }
    let port = match tail {
        Some(t) if !t.is_empty() => Some(a2port(t).filter(|p| *p > 0)?),
        _ => None,
    };
    Some(JumpHop {
        user,
        host: clean_hostname(host).to_string(),
        port,
    })
}

/// `ssh://[user[;params]@]host[:port][/]`: OpenSSH allows no path here.
fn parse_ssh_uri(uri: &str) -> Option<JumpHop> {
    let (user, rest) = match uri.find('@') {
        Some(i) => {
            let info = &uri[..i];
            let name = info.split(';').next().unwrap_or("");
            if name.is_empty() {
                return None;
            }
            (Some(urldecode(name)?), &uri[i + 1..])
        }
        None => (None, uri),
    };
    let (raw_host, delim, mut tail) = hpdelim(rest)?;
    if raw_host.is_empty() {
        return None;
    }
    let host = clean_hostname(raw_host);
    // valid_domain() without lowercasing, which drops a trailing dot.
    let host = match valid_domain(host) {
        Ok(_) => host.strip_suffix('.').unwrap_or(host).to_string(),
        Err(_) => return None,
    };
    let mut port = None;
    if let Some(t) = tail.filter(|t| !t.is_empty()) {
        tail = Some(t);
        if delim == Some(':') {
            let (p, after) = match t.find('/') {
                Some(i) => (&t[..i], Some(&t[i + 1..])),
                None => (t, None),
            };
            port = Some(a2port(p).filter(|p| *p > 0)?);
            tail = after;
        }
        if let Some(path) = tail.filter(|t| !t.is_empty()) {
            urldecode(path)?;
            return None;
        }
    }
    Some(JumpHop { user, host, port })
}

/// OpenSSH's `hpdelim2()`: the host (bracketed or up to `:` or `/`), the delimiter, the rest.
fn hpdelim(s: &str) -> Option<(&str, Option<char>, Option<&str>)> {
    let end = if s.starts_with('[') {
        s.find(']')? + 1
    } else {
        s.find([':', '/']).unwrap_or(s.len())
    };
    match s[end..].chars().next() {
        None => Some((s, None, None)),
        Some(d @ (':' | '/')) => Some((&s[..end], Some(d), Some(&s[end + 1..]))),
        Some(_) => None,
    }
}

fn clean_hostname(host: &str) -> &str {
    match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(inner) => inner,
        None => host,
    }
}

fn urldecode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = b.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

// ---------------------------------------------------------------------------------------
// Addresses and names.

/// What getaddrinfo(AI_NUMERICHOST) then getnameinfo(NI_NUMERICHOST) make of `name`, or
/// `None` when it is not an address: ssh prints the address in that form.
fn numeric_host(name: &str) -> Option<String> {
    if let Some(v4) = inet_aton(name) {
        return Some(v4.to_string());
    }
    let (addr, scope) = match name.split_once('%') {
        Some((a, s)) if !s.is_empty() => (a, Some(s)),
        Some(_) => return None,
        None => (name, None),
    };
    let v6: Ipv6Addr = addr.parse().ok()?;
    let mut out = inet_ntop6(&v6);
    if let Some(s) = scope {
        out.push('%');
        out.push_str(s);
    }
    Some(out)
}

/// glibc's `inet_aton`, which getaddrinfo uses: `127.1`, `0x7f.1` and `010.1.1.1` are
/// addresses too.
fn inet_aton(s: &str) -> Option<Ipv4Addr> {
    let b = s.as_bytes();
    let mut parts: Vec<u64> = Vec::new();
    let mut i = 0;
    let last = loop {
        if !b.get(i)?.is_ascii_digit() {
            return None;
        }
        let mut base = 10;
        if b[i] == b'0' {
            i += 1;
            if matches!(b.get(i), Some(b'x' | b'X')) {
                base = 16;
                i += 1;
            } else {
                base = 8;
            }
        }
        let mut val: u64 = 0;
        while let Some(&c) = b.get(i) {
            let d = if c.is_ascii_digit() {
                if base == 8 && c >= b'8' {
                    return None;
                }
                u64::from(c - b'0')
            } else if base == 16 && c.is_ascii_hexdigit() {
                u64::from(c.to_ascii_lowercase() - b'a' + 10)
            } else {
                break;
            };
            val = val * base + d;
            if val > 0xffff_ffff {
                return None;
            }
            i += 1;
        }
        if b.get(i) == Some(&b'.') {
            if parts.len() > 2 || val > 0xff {
                return None;
            }
            parts.push(val);
            i += 1;
        } else {
            break val;
        }
    };
    if i != b.len() {
        return None;
    }
    let limit = [0xffff_ffff, 0xff_ffff, 0xffff, 0xff][parts.len()];
    if last > limit {
        return None;
    }
    let mut addr = last;
    for (n, p) in parts.iter().enumerate() {
        addr |= p << (24 - 8 * n);
    }
    u32::try_from(addr).ok().map(Ipv4Addr::from)
}

/// glibc's `inet_ntop` for IPv6: the first longest run (two words or more) of zeros
/// compressed, lowercase, IPv4-compatible and -mapped addresses dotted.
fn inet_ntop6(addr: &Ipv6Addr) -> String {
    let w = addr.segments();
    let mut best: Option<(usize, usize)> = None;
    let mut cur: Option<(usize, usize)> = None;
    for (i, word) in w.iter().enumerate() {
        if *word == 0 {
            cur = Some(cur.map_or((i, 1), |(b, l)| (b, l + 1)));
        } else if let Some(c) = cur.take() {
            if best.is_none_or(|b| c.1 > b.1) {
                best = Some(c);
            }
        }
    }
    if let Some(c) = cur {
        if best.is_none_or(|b| c.1 > b.1) {
            best = Some(c);
        }
    }
    let best = best.filter(|b| b.1 >= 2);
    let mut out = String::new();
    let mut i = 0;
    while i < 8 {
        if let Some((base, len)) = best {
            if i >= base && i < base + len {
                if i == base {
                    out.push(':');
                }
                i += 1;
                continue;
            }
        }
        if i != 0 {
            out.push(':');
        }
        if i == 6 && best.is_some_and(|(b, l)| b == 0 && (l == 6 || (l == 5 && w[5] == 0xffff))) {
            let [a, b] = w[6].to_be_bytes();
            let [c, d] = w[7].to_be_bytes();
            out.push_str(&format!("{a}.{b}.{c}.{d}"));
            return out;
        }
        out.push_str(&format!("{:x}", w[i]));
        i += 1;
    }
    if best.is_some_and(|(b, l)| b + l == 8) {
        out.push(':');
    }
    out
}

/// OpenSSH's `is_addr_fast()`: looks like an address (then it is never canonicalised).
fn is_addr_fast(name: &str) -> bool {
    name.contains(['%', ':']) || name.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

fn resolves(name: &str) -> bool {
    (name, DEFAULT_PORT)
        .to_socket_addrs()
        .map(|mut a| a.next().is_some())
        .unwrap_or(false)
}

// ---------------------------------------------------------------------------------------
// Include globs (OpenBSD's glob(3), which OpenSSH-portable builds in: GLOB_TILDE, sorted,
// no braces, a leading dot matched only by a leading dot).

/// `~` is `$HOME` (else the passwd home) and `~user` that user's home; an unknown user
/// leaves the pattern as written.
fn glob_tilde(pattern: &str, src: &SshConfigSource) -> String {
    let Some(rest) = pattern.strip_prefix('~') else {
        return pattern.to_string();
    };
    let (user, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let home = if user.is_empty() {
        std::env::var_os("HOME")
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or_else(|| src.home.to_string_lossy().into_owned())
    } else {
        match passwd_find(|e| e.name == user) {
            Some(e) => e.home,
            None => return pattern.to_string(),
        }
    };
    format!("{home}{tail}")
}

fn glob(pattern: &str) -> Vec<String> {
    let comps: Vec<&str> = pattern.split('/').collect();
    let mut out = Vec::new();
    glob_walk(String::new(), &comps, true, &mut out);
    out.sort();
    out
}

fn glob_walk(prefix: String, comps: &[&str], first: bool, out: &mut Vec<String>) {
    let Some((comp, rest)) = comps.split_first() else {
        if fs::symlink_metadata(&prefix).is_ok() {
            out.push(prefix);
        }
        return;
    };
    let join = |name: &str| {
        if first {
            name.to_string()
        } else {
            format!("{prefix}/{name}")
        }
    };
    if !glob_has_meta(comp) {
        glob_walk(join(&glob_unescape(comp)), rest, false, out);
        return;
    }
    let dir = match (first, prefix.is_empty()) {
        (true, _) => ".".to_string(),
        (false, true) => "/".to_string(),
        (false, false) => prefix.clone(),
    };
    let Ok(entries) = fs::read_dir(&dir) else {
        return;
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    // readdir() lists these too; only a pattern starting with a dot can match them.
    names.push(".".to_string());
    names.push("..".to_string());
    for name in names {
        if name.starts_with('.') && !comp.starts_with('.') {
            continue;
        }
        let pattern: Vec<char> = comp.chars().collect();
        let subject: Vec<char> = name.chars().collect();
        if glob_match(&pattern, &subject) {
            glob_walk(join(&name), rest, false, out);
        }
    }
}

fn glob_has_meta(comp: &str) -> bool {
    let c: Vec<char> = comp.chars().collect();
    let mut i = 0;
    while i < c.len() {
        match c[i] {
            '\\' => i += 1,
            '*' | '?' => return true,
            '[' if glob_set_end(&c[i..]).is_some() => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

fn glob_unescape(comp: &str) -> String {
    let mut out = String::new();
    let mut chars = comp.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Where the `[...]` set starting at `p[0]` ends (index of `]`); a `]` right after `[` or
/// `[!` is a member.
fn glob_set_end(p: &[char]) -> Option<usize> {
    let mut i = 1;
    if p.get(i) == Some(&'!') {
        i += 1;
    }
    if p.get(i) == Some(&']') {
        i += 1;
    }
    while i < p.len() {
        if p[i] == ']' {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn glob_match(p: &[char], s: &[char]) -> bool {
    let Some(&pc) = p.first() else {
        return s.is_empty();
    };
    match pc {
        '*' => (0..=s.len()).any(|i| glob_match(&p[1..], &s[i..])),
        '?' => !s.is_empty() && glob_match(&p[1..], &s[1..]),
        '[' => match glob_set_end(p) {
            Some(end) => {
                let Some(&c) = s.first() else {
                    return false;
                };
                let mut set = &p[1..end];
                let negate = set.first() == Some(&'!');
                if negate {
                    set = &set[1..];
                }
                let mut hit = false;
                let mut j = 0;
                while j < set.len() {
                    if j + 2 < set.len() && set[j + 1] == '-' {
                        hit |= set[j] <= c && c <= set[j + 2];
                        j += 3;
                    } else {
                        hit |= set[j] == c;
                        j += 1;
                    }
                }
                hit != negate && glob_match(&p[end + 1..], &s[1..])
            }
            None => s.first() == Some(&'[') && glob_match(&p[1..], &s[1..]),
        },
        '\\' if p.len() > 1 => s.first() == Some(&p[1]) && glob_match(&p[2..], &s[1..]),
        _ => s.first() == Some(&pc) && glob_match(&p[1..], &s[1..]),
    }
}

// ---------------------------------------------------------------------------------------
// Files, users, this machine.

/// The file's text and metadata. A directory opens (as with fopen) and reads as empty.
fn open_config(path: &Path) -> io::Result<(Vec<u8>, fs::Metadata)> {
    let mut file = fs::File::open(path)?;
    let meta = file.metadata()?;
    let mut text = Vec::new();
    if !meta.is_dir() {
        // A read error ends the file where it stopped, as getline() does.
        let _ = file.read_to_end(&mut text);
    }
    Ok((text, meta))
}

/// Yours or root's, not world-writable, and group-writable only when the group's sole member
/// is you: Debian's rule (`user-group-modes.patch`, for per-user groups with umask 002).
/// Upstream OpenSSH refuses any group-writable file; following the more lenient rule never
/// refuses a file the user's own ssh reads.
#[cfg(unix)]
fn permissions_ok(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    let uid = current_uid();
    if meta.uid() != 0 && Some(meta.uid()) != uid {
        return false;
    }
    if meta.mode() & 0o002 != 0 {
        return false;
    }
    meta.mode() & 0o020 == 0 || group_is_only(meta.gid(), meta.uid(), uid)
}

#[cfg(unix)]
fn group_is_only(gid: u32, owner: u32, uid: Option<u32>) -> bool {
    let Some(members) = group_members(gid) else {
        return false;
    };
    let mut count = 0;
    // Primary members, from the passwd file.
    if let Ok(text) = fs::read_to_string("/etc/passwd") {
        for line in text.lines() {
            let f: Vec<&str> = line.split(':').collect();
            let (Some(u), Some(g)) = (f.get(2), f.get(3)) else {
                continue;
            };
            if g.parse::<u32>().ok() == Some(gid) {
                count += 1;
                if u.parse::<u32>().ok() != uid {
                    return false;
                }
            }
        }
    }
    let Some(owner) = passwd_find(|e| e.uid == owner) else {
        return false;
    };
    if let Some(first) = members.first() {
        count += 1;
        if *first != owner.name || members.len() > 1 {
            return false;
        }
    }
    count > 0
}

/// The listed (supplementary) members of a group, `None` when there is no such group.
#[cfg(unix)]
fn group_members(gid: u32) -> Option<Vec<String>> {
    let text = fs::read_to_string("/etc/group").ok()?;
    text.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        if f.get(2)?.parse::<u32>().ok()? != gid {
            return None;
        }
        let members = f.get(3).copied().unwrap_or("");
        Some(
            members
                .split(',')
                .filter(|m| !m.is_empty())
                .map(str::to_string)
                .collect(),
        )
    })
}

#[cfg(not(unix))]
fn permissions_ok(_meta: &fs::Metadata) -> bool {
    true
}

struct PwEntry {
    name: String,
    uid: u32,
    home: String,
}

fn passwd_find(want: impl Fn(&PwEntry) -> bool) -> Option<PwEntry> {
    let text = fs::read_to_string("/etc/passwd").ok()?;
    text.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        let entry = PwEntry {
            name: f.first()?.to_string(),
            uid: f.get(2)?.parse().ok()?,
            home: f.get(5)?.to_string(),
        };
        want(&entry).then_some(entry)
    })
}

/// The real uid, without libc: the owner of `/proc/self`, else `id -u` (run once).
fn current_uid() -> Option<u32> {
    static UID: OnceLock<Option<u32>> = OnceLock::new();
    *UID.get_or_init(|| {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            if let Ok(meta) = fs::metadata("/proc/self") {
                return Some(meta.uid());
            }
        }
        let out = Command::new("id")
            .arg("-u")
            .stderr(Stdio::null())
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    })
}

/// gethostname(), without libc.
fn local_hostname() -> String {
    if let Ok(name) = fs::read_to_string("/proc/sys/kernel/hostname") {
        return name.trim().to_string();
    }
    Command::new("uname")
        .arg("-n")
        .stderr(Stdio::null())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// `Match exec`: `$SHELL -c command` (else `/bin/sh`), input and output to /dev/null.
fn run_exec(cmd: &str) -> Result<bool, String> {
    let shell = std::env::var_os("SHELL")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/bin/sh"));
    let status = Command::new(&shell)
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("Shell \"{}\" is not executable: {e}", shell.display()))?;
    status
        .code()
        .map(|c| c == 0)
        .ok_or_else(|| format!("match exec '{cmd}' exited abnormally"))
}

fn sha1_hex(data: &[u8]) -> String {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let mut msg = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, v) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(v);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
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
