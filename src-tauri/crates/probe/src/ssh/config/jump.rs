//! `ProxyJump` hops (misc.c: parse_user_host_port, parse_uri).

use super::*;

pub(super) fn parse_jump_hop(s: &str) -> Option<JumpHop> {
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
pub(super) fn parse_ssh_uri(uri: &str) -> Option<JumpHop> {
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
pub(super) fn hpdelim(s: &str) -> Option<(&str, Option<char>, Option<&str>)> {
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

pub(super) fn clean_hostname(host: &str) -> &str {
    match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(inner) => inner,
        None => host,
    }
}

pub(super) fn urldecode(s: &str) -> Option<String> {
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
