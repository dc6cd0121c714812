//! PostgreSQL connection strings exactly as libpq's `PQconninfoParse` reads them: URIs
//! (`postgresql://`, `postgres://`) and `keyword=value` strings. The result is libpq's
//! keywords and values; which inputs are errors follows libpq too. Nothing comes from the
//! environment (PG* variables, ~/.pgpass, service files): that is the caller's choice.
//!
//! Written by hand because no crate parses like libpq (tokio-postgres rejects
//! `verify-full` and `sslrootcert`; sqlx reads the environment). A differential test runs
//! every case through the machine's real libpq as well. Error messages name the part that is
//! wrong but never quote a value: it may be a password.

use std::collections::BTreeMap;

mod passfile;
mod service;
pub use passfile::{
    field_matches as pgpass_field_matches, pass_host, password_for as pgpass_password, PassTarget,
};
pub use service::{apply as apply_service, section as service_section, ServiceError, ServiceFile};

/// libpq's connection keywords (PostgreSQL 17's set; older libpqs know a subset).
pub const KEYWORDS: &[&str] = &[
    "service",
    "user",
    "password",
    "passfile",
    "channel_binding",
    "connect_timeout",
    "dbname",
    "host",
    "hostaddr",
    "port",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "sslmode",
    "sslnegotiation",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslcertmode",
    "sslpassword",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "require_auth",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "gssencmode",
    "gssdelegation",
    "krbsrvname",
    "gsslib",
    "replication",
    "target_session_attrs",
    "load_balance_hosts",
];

/// Keyword → value, as libpq would hold them after parsing.
pub type Conninfo = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(message: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError(message.into()))
}

pub fn is_uri(s: &str) -> bool {
    uri_prefix_len(s) > 0
}

fn uri_prefix_len(s: &str) -> usize {
    ["postgresql://", "postgres://"]
        .iter()
        .find(|p| s.starts_with(*p))
        .map_or(0, |p| p.len())
}

/// Parses a URI or a keyword=value string, as `PQconninfoParse` does.
pub fn parse(s: &str) -> Result<Conninfo, ParseError> {
    if is_uri(s) {
        parse_uri(s)
    } else {
        parse_keywords(s)
    }
}

/// Stores a value the way libpq's `conninfo_storeval` does: known keywords only, with the
/// old `requiressl` spelled as today's `sslmode`.
fn store(out: &mut Conninfo, keyword: &str, value: String) -> Result<(), ParseError> {
    if keyword == "requiressl" {
        let mode = if value.starts_with('1') {
            "require"
        } else {
            "prefer"
        };
        out.insert("sslmode".into(), mode.into());
        return Ok(());
    }
    if !KEYWORDS.contains(&keyword) {
        return err("not a connection option libpq knows");
    }
    out.insert(keyword.to_owned(), value);
    Ok(())
}

/// `%XX` decoding as libpq's `conninfo_uri_decode`: a bad token or `%00` is an error.
fn decode(s: &str, what: &str) -> Result<String, ParseError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) else {
                return err(format!("the {what} has an invalid percent-encoded token"));
            };
            if v == 0 {
                return err(format!("the {what} holds %00, which is forbidden"));
            }
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).or_else(|_| err(format!("the {what} is not valid UTF-8 once decoded")))
}

fn parse_uri(uri: &str) -> Result<Conninfo, ParseError> {
    let mut out = Conninfo::new();
    let rest = &uri[uri_prefix_len(uri)..];
    // User info runs to the first '@' met before any '/'.
    let mut p = match rest.find(['@', '/']) {
        Some(i) if rest.as_bytes()[i] == b'@' => {
            let info = &rest[..i];
            let (user, password) = match info.split_once(':') {
                Some((u, pw)) => (u, Some(pw)),
                None => (info, None),
            };
            if !user.is_empty() {
                store(&mut out, "user", decode(user, "user name")?)?;
            }
            if let Some(pw) = password.filter(|pw| !pw.is_empty()) {
                store(&mut out, "password", decode(pw, "password")?)?;
            }
            &rest[i + 1..]
        }
        _ => rest,
    };
    // host[:port] entries separated by commas; IPv6 in brackets.
    let mut hosts = String::new();
    let mut ports = String::new();
    let terminator: Option<char> = loop {
        let host;
        if let Some(after) = p.strip_prefix('[') {
            let Some(end) = after.find(']') else {
                return err("an IPv6 address has no closing \"]\"");
            };
            if end == 0 {
                return err("an IPv6 address in brackets is empty");
            }
            host = &after[..end];
            p = &after[end + 1..];
            if let Some(c) = p
                .chars()
                .next()
                .filter(|c| !matches!(c, ':' | '/' | '?' | ','))
            {
                return err(format!(
                    "unexpected {c:?} after an IPv6 address (expected \":\" or \"/\")"
                ));
            }
        } else {
            let end = p.find([':', '/', '?', ',']).unwrap_or(p.len());
            host = &p[..end];
            p = &p[end..];
        }
        hosts.push_str(host);
        let mut term = p.chars().next();
        if term == Some(':') {
            let after = &p[1..];
            let end = after.find(['/', '?', ',']).unwrap_or(after.len());
            ports.push_str(&after[..end]);
            p = &after[end..];
            term = p.chars().next();
        }
        if term != Some(',') {
            break term;
        }
        p = &p[1..];
        hosts.push(',');
        ports.push(',');
    };
    if !hosts.is_empty() {
        store(&mut out, "host", decode(&hosts, "host")?)?;
    }
    if !ports.is_empty() {
        store(&mut out, "port", decode(&ports, "port")?)?;
    }
    let mut term = terminator;
    if term.is_some_and(|c| c != '?') {
        // A '/' starts the database name, which runs to the query.
        let after = &p[1..];
        let end = after.find('?').unwrap_or(after.len());
        if end > 0 {
            store(&mut out, "dbname", decode(&after[..end], "database name")?)?;
        }
        p = &after[end..];
        term = p.chars().next();
    }
    if term.is_some() {
        parse_query(&p[1..], &mut out)?;
    }
    Ok(out)
}

/// How a message names a keyword: itself when it is one of libpq's, else by position, as
/// an unknown word may be a piece of a password split by a stray separator.
fn named(keyword: &str, what: &str, n: usize) -> String {
    if KEYWORDS.contains(&keyword) || keyword == "requiressl" {
        format!("{keyword:?}")
    } else {
        format!("{what} {n}")
    }
}

fn parse_query(mut params: &str, out: &mut Conninfo) -> Result<(), ParseError> {
    let mut n = 0;
    while !params.is_empty() {
        n += 1;
        let end = params.find('&').unwrap_or(params.len());
        let pair = &params[..end];
        params = params.get(end + 1..).unwrap_or("");
        let Some((keyword, value)) = pair.split_once('=') else {
            return err("a query parameter has no \"=\"");
        };
        if value.contains('=') {
            return err(format!(
                "{} has a second \"=\" (percent-encode it as %3D)",
                named(keyword, "query parameter", n)
            ));
        }
        let keyword = decode(keyword, "parameter name")?;
        let value = decode(
            value,
            &format!("value of {}", named(&keyword, "query parameter", n)),
        )?;
        if keyword == "ssl" && value == "true" {
            store(out, "sslmode", "require".into())?;
        } else if store(out, &keyword, value).is_err() {
            return err(format!(
                "query parameter {n} is not one libpq knows (check its spelling, and percent-encode & in values as %26)"
            ));
        }
    }
    Ok(())
}

/// C's `isspace` in the "C" locale, which libpq uses (it includes vertical tab).
fn is_space(c: &char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\r')
}

/// `keyword = value` pairs separated by white space; values may be single-quoted, and a
/// backslash escapes the next character, as libpq's `conninfo_parse`.
fn parse_keywords(s: &str) -> Result<Conninfo, ParseError> {
    let mut out = Conninfo::new();
    let mut chars = s.chars().peekable();
    let mut n = 0;
    loop {
        n += 1;
        while chars.peek().is_some_and(is_space) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut keyword = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || is_space(&c) {
                break;
            }
            keyword.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(is_space) {
            chars.next();
        }
        if chars.next() != Some('=') {
            return err(format!(
                "\"=\" is missing after {} (quote values with spaces: password='a b')",
                named(&keyword, "setting", n)
            ));
        }
        while chars.peek().is_some_and(is_space) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'\'') {
            chars.next();
            loop {
                match chars.next() {
                    None => {
                        return err(format!(
                            "the quoted value of {} is not closed",
                            named(&keyword, "setting", n)
                        ))
                    }
                    Some('\\') => {
                        if let Some(c) = chars.next() {
                            value.push(c);
                        }
                    }
                    Some('\'') => break,
                    Some(c) => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if is_space(&c) {
                    break;
                }
                chars.next();
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        value.push(n);
                    }
                } else {
                    value.push(c);
                }
            }
        }
        if store(&mut out, &keyword, value).is_err() {
            return err(format!(
                "setting {n} is not a connection option libpq knows (check its spelling, and quote values with spaces: password='a b')"
            ));
        }
    }
    Ok(out)
}
