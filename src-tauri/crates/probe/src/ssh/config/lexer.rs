//! Lines as OpenSSH splits them: `strdelim()` and `argv_split()`.

use super::*;

/// Trailing whitespace (and form feeds) off, never the first character, as OpenSSH does.
pub(super) fn strip_trailing(line: &str) -> Option<&str> {
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
pub(super) fn strdelim(s: Option<&str>) -> (Option<String>, Option<&str>) {
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
pub(super) fn argv_split(s: &str) -> Option<Vec<String>> {
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
