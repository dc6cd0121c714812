//! Tokens, `${VAR}`, `~`, and the small parsers of misc.c (times, ports, domains).

use super::*;

/// OpenSSH's `percent_expand()` (with `tokens`) and `${VAR}` expansion (with `dollar`):
/// an unknown token, a lone `%`, an unterminated or unset `${VAR}` are errors, as for ssh.
pub(super) fn expand(
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
pub(super) fn tilde_expand(name: &str, home: &Path) -> Result<String, String> {
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

pub(super) fn valid_env_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// OpenSSH's `valid_domain(name, makelower)`: the name lowercased, a trailing dot dropped.
pub(super) fn valid_domain(name: &str) -> Result<String, String> {
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
pub(super) fn atoi(s: &str) -> Option<u32> {
    let n: i64 = s.trim_start_matches(is_c_space).parse().ok()?;
    (0..=i64::from(i32::MAX))
        .contains(&n)
        .then(|| u32::try_from(n).ok())
        .flatten()
}

pub(super) fn is_c_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

/// OpenSSH's `convtime()`: `90`, `1h30m`, `2d`, … in seconds, at most `INT_MAX`.
pub(super) fn convtime(s: &str) -> Option<u32> {
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
pub(super) fn a2port(s: &str) -> Option<u16> {
    if let Ok(n) = s.trim_start_matches(is_c_space).parse::<i64>() {
        return u16::try_from(n).ok();
    }
    service_port(s)
}

pub(super) fn service_port(name: &str) -> Option<u16> {
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
