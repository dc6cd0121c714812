//! The two passes over the files, as OpenSSH's `read_config_file` and `process_config_line`
//! make them: the options as they fill, `Host` and `Match` lines, `Include`, the final pass
//! and canonicalization, and the `%` tokens of a connection.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Canonicalize {
    No,
    Yes,
    Always,
}

#[derive(Debug, Clone)]
pub(super) struct JumpHops {
    pub(super) user: Option<String>,
    pub(super) host: String,
    pub(super) port: Option<u16>,
    pub(super) chain: Vec<JumpHop>,
}

#[derive(Debug, Clone)]
pub(super) enum Jump {
    /// `ProxyJump none`: no jump, and a later `ProxyJump` line is ignored.
    None,
    Hops(JumpHops),
}

/// The options as OpenSSH's `Options` holds them while reading: unset until a line sets them.
#[derive(Debug, Default)]
pub(super) struct Options {
    pub(super) hostname: Option<String>,
    pub(super) port: Option<u16>,
    pub(super) user: Option<String>,
    /// Raw, and whether from the user's file (OpenSSH drops duplicates per origin).
    pub(super) identity_files: Vec<(String, bool)>,
    pub(super) identities_only: Option<bool>,
    pub(super) identity_agent: Option<String>,
    pub(super) proxy_command: Option<String>,
    pub(super) jump: Option<Jump>,
    pub(super) user_hostfiles: Vec<String>,
    pub(super) system_hostfiles: Vec<String>,
    pub(super) strict: Option<StrictHostKeyChecking>,
    /// `ConnectTimeout none` leaves it unset, so a later value still applies (as in ssh).
    pub(super) connect_timeout: Option<u32>,
    pub(super) host_key_alias: Option<String>,
    pub(super) canonicalize: Option<Canonicalize>,
    pub(super) canonical_domains: Vec<String>,
    pub(super) max_dots: Option<u32>,
    pub(super) fallback_local: Option<bool>,
    pub(super) permitted_cnames: Vec<(String, String)>,
    pub(super) ignore_unknown: Option<String>,
    pub(super) tag: Option<String>,
}

impl Options {
    pub(super) fn permitted_cnames_none(&self) -> bool {
        matches!(self.permitted_cnames.as_slice(), [(s, t)] if s.eq_ignore_ascii_case("none") && t.is_empty())
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Flags {
    pub(super) user_conf: bool,
    pub(super) check_perm: bool,
    pub(super) never_match: bool,
}

pub(super) enum Opened {
    Yes,
    No(io::Error),
}

pub(super) struct At<'p> {
    pub(super) path: &'p Path,
    pub(super) line: usize,
}

impl At<'_> {
    pub(super) fn err(&self, message: impl Into<String>) -> ConfigError {
        ConfigError::Syntax {
            path: self.path.to_path_buf(),
            line: self.line,
            message: message.into(),
        }
    }
}

pub(super) struct Resolver<'a> {
    pub(super) src: &'a SshConfigSource,
    pub(super) alias: &'a str,
    /// What `Host` lines match: the alias as typed, then the host name in the final pass.
    pub(super) host: String,
    pub(super) opts: Options,
    pub(super) final_pass: bool,
    pub(super) want_final: bool,
    pub(super) thishost: OnceCell<String>,
}

impl Resolver<'_> {
    pub(super) fn thishost(&self) -> &str {
        self.thishost.get_or_init(local_hostname)
    }

    pub(super) fn read_configs(&mut self) -> Result<(), ConfigError> {
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

    pub(super) fn read_file(
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

    pub(super) fn process_line(
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
    pub(super) fn match_line<'s>(
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
    pub(super) fn direct(&self) -> bool {
        self.opts
            .proxy_command
            .as_deref()
            .is_none_or(|c| c.eq_ignore_ascii_case("none"))
            && self.opts.jump.is_none()
    }

    /// OpenSSH's `resolve_canonicalize()`: normalises an address, or tries the
    /// `CanonicalDomains` suffixes. Returns whether the name was resolved.
    pub(super) fn canonicalize(&self, host: &mut String) -> Result<bool, ConfigError> {
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
pub(super) struct ConnInfo {
    pub(super) host: String,
    pub(super) alias: String,
    pub(super) port: String,
    pub(super) user: String,
    pub(super) keyalias: String,
    pub(super) home: String,
    pub(super) local_user: String,
    pub(super) thishost: String,
}

impl ConnInfo {
    pub(super) fn token(&self, c: char) -> Option<String> {
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

pub(super) fn expand_hostname(name: &str, host: &str) -> Result<String, ConfigError> {
    expand(name, false, Some(&|c| (c == 'h').then(|| host.to_string()))).map_err(|message| {
        ConfigError::Expansion {
            keyword: "HostName",
            value: name.to_string(),
            message,
        }
    })
}
