//! The password a pgpass file gives a connection, as libpq's `passwordFromFile` finds it:
//! the first line whose host, port, database and user fields each match (`*` matches
//! anything, `\` escapes the next character), its password ending at the next unescaped
//! `:`. A connection without a host, or on the default socket directory, matches
//! `localhost`. Written by hand for the same reason as the parser: it must be libpq's rule.

/// The socket directory Debian's libpq uses by default (`DEFAULT_PGSOCKET_DIR`).
const DEFAULT_SOCKET_DIR: &str = "/var/run/postgresql";

/// What libpq matches a pgpass line against.
#[derive(Debug, Clone, Copy)]
pub struct PassTarget<'a> {
    pub host: &'a str,
    pub port: u32,
    pub database: &'a str,
    pub user: &'a str,
}

/// A connection's host as libpq looks it up in a pgpass file: no host, or the default
/// socket directory, is `localhost`.
pub fn pass_host(host: &str) -> &str {
    if host.is_empty() || host == DEFAULT_SOCKET_DIR {
        "localhost"
    } else {
        host
    }
}

/// One pgpass field (already unescaped) against a value: `*` or the exact value.
pub fn field_matches(pattern: &str, value: &str) -> bool {
    pattern == "*" || pattern == value
}

/// `field` matched against the start of `line`: the rest after its `:`, or `None`.
fn matches<'l>(line: &'l str, field: &str) -> Option<&'l str> {
    if let Some(rest) = line.strip_prefix("*:") {
        return Some(rest);
    }
    let mut want = field.chars();
    let mut chars = line.char_indices();
    while let Some((i, c)) = chars.next() {
        let c = match c {
            ':' => return want.next().is_none().then(|| &line[i + 1..]),
            '\\' => chars.next()?.1,
            c => c,
        };
        if want.next() != Some(c) {
            return None;
        }
    }
    None
}

/// The password of the first line of `text` that matches `target`.
pub fn password_for(text: &str, target: PassTarget<'_>) -> Option<String> {
    let host = pass_host(target.host);
    let port = target.port.to_string();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some(rest) = matches(line, host)
            .and_then(|t| matches(t, &port))
            .and_then(|t| matches(t, target.database))
            .and_then(|t| matches(t, target.user))
        else {
            continue;
        };
        let mut password = String::new();
        let mut chars = rest.chars();
        while let Some(c) = chars.next() {
            match c {
                ':' => break,
                '\\' => match chars.next() {
                    Some(n) => password.push(n),
                    None => password.push('\\'),
                },
                c => password.push(c),
            }
        }
        return Some(password);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target<'a>(host: &'a str, database: &'a str, user: &'a str) -> PassTarget<'a> {
        PassTarget {
            host,
            port: 5432,
            database,
            user,
        }
    }

    #[test]
    fn the_first_matching_line_wins_with_wildcards_and_escapes() {
        let text = "# comment\nother:5432:*:*:no\ndb\\:1:*:app:alice:p\\:w\\\\d:ignored\n*:5432:*:*:fallback\n";
        assert_eq!(
            password_for(text, target("db:1", "app", "alice")).as_deref(),
            Some("p:w\\d")
        );
        assert_eq!(
            password_for(text, target("db:1", "app", "bob")).as_deref(),
            Some("fallback")
        );
        assert_eq!(
            password_for(
                text,
                PassTarget {
                    port: 6432,
                    ..target("x", "d", "u")
                }
            ),
            None
        );
        // A socket connection matches localhost.
        let text = "localhost:5432:d:u:sock\n";
        assert_eq!(
            password_for(text, target("", "d", "u")).as_deref(),
            Some("sock")
        );
        assert_eq!(
            password_for(text, target("/var/run/postgresql", "d", "u")).as_deref(),
            Some("sock")
        );
        // Host names compare exactly, as libpq compares them.
        assert_eq!(
            password_for("LOCALHOST:5432:d:u:x\n", target("localhost", "d", "u")),
            None
        );
    }
}
