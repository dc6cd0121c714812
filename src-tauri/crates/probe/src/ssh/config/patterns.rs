//! Host patterns as OpenSSH matches them (match.c).

/// `*` and `?`, case-sensitive, on bytes as OpenSSH's `match_pattern()`.
pub(super) fn match_pattern(s: &str, pattern: &str) -> bool {
    wild(s.as_bytes(), pattern.as_bytes())
}

pub(super) fn wild(mut s: &[u8], mut p: &[u8]) -> bool {
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
pub(super) fn match_pattern_list(s: &str, pattern: &str, lower: bool) -> i32 {
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

pub(super) fn match_hostname(host: &str, pattern: &str) -> i32 {
    match_pattern_list(&host.to_ascii_lowercase(), pattern, true)
}
