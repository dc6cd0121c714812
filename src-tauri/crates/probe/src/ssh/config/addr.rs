//! Addresses and names as getaddrinfo/getnameinfo make them.

use super::*;

/// What getaddrinfo(AI_NUMERICHOST) then getnameinfo(NI_NUMERICHOST) make of `name`, or
/// `None` when it is not an address: ssh prints the address in that form.
pub(super) fn numeric_host(name: &str) -> Option<String> {
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
pub(super) fn inet_aton(s: &str) -> Option<Ipv4Addr> {
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
pub(super) fn inet_ntop6(addr: &Ipv6Addr) -> String {
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
pub(super) fn is_addr_fast(name: &str) -> bool {
    name.contains(['%', ':']) || name.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

pub(super) fn resolves(name: &str) -> bool {
    (name, DEFAULT_PORT)
        .to_socket_addrs()
        .map(|mut a| a.next().is_some())
        .unwrap_or(false)
}
