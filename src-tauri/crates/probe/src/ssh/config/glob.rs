//! `Include` globs: OpenBSD's glob(3), which OpenSSH-portable builds in (GLOB_TILDE,
//! sorted, no braces, a leading dot matched only by a leading dot).

use super::*;

/// `~` is `$HOME` (else the passwd home) and `~user` that user's home; an unknown user
/// leaves the pattern as written.
pub(super) fn glob_tilde(pattern: &str, src: &SshConfigSource) -> String {
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

pub(super) fn glob(pattern: &str) -> Vec<String> {
    let comps: Vec<&str> = pattern.split('/').collect();
    let mut out = Vec::new();
    glob_walk(String::new(), &comps, true, &mut out);
    out.sort();
    out
}

pub(super) fn glob_walk(prefix: String, comps: &[&str], first: bool, out: &mut Vec<String>) {
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

pub(super) fn glob_has_meta(comp: &str) -> bool {
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

pub(super) fn glob_unescape(comp: &str) -> String {
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
pub(super) fn glob_set_end(p: &[char]) -> Option<usize> {
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

pub(super) fn glob_match(p: &[char], s: &[char]) -> bool {
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
