//! libpq connection URIs (`postgresql://…`) for `switchboard test --url`.
//!
//! Handles what a one-host URI carries: user, password, host (IPv6 in brackets), port,
//! database, and the query parameters sslmode, sslrootcert, sslcert, sslkey (file paths,
//! read here), connect_timeout, host/port/user/password/dbname overrides. Anything else is
//! reported as a warning, never dropped silently. Hand-written until the full libpq parser (issue 4) replaces it: tokio-postgres's parser
//! rejects verify-full and sslrootcert, and sqlx's reads PG* variables and ~/.pgpass.
//! No value is ever taken from PG* environment variables or ~/.pgpass.

use std::time::Duration;

use crate::error::{CoreError, ErrorCode, Result};
use crate::model::TlsMode;
use crate::probe::{ProbeTarget, TlsMaterial};
use crate::secret::Secret;

#[derive(Debug)]
pub struct ParsedUrl {
    pub target: ProbeTarget,
    pub warnings: Vec<String>,
}

fn bad(message: impl Into<String>, hint: &str) -> CoreError {
    CoreError::input(ErrorCode::UrlInvalid, Some("url"), message, hint)
}

fn read_file(param: &str, path: &str) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| {
        CoreError::input(
            ErrorCode::FileUnreadable,
            Some(param),
            format!("{param}={path} cannot be read: {e}."),
            "Give the path of a readable PEM file.",
        )
    })
}

/// Decodes one URI component. Errors name the component, never its value: it may be a
/// password.
fn decode(s: &str, component: &str) -> Result<String> {
    percent_decode(s).ok_or_else(|| {
        bad(
            format!("The {component} is not valid percent-encoded UTF-8"),
            "Percent-encode special characters, e.g. %40 for @ and %25 for %.",
        )
    })
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = percent_encoding_decode(s)?;
    // libpq refuses an encoded NUL.
    if bytes.contains(&0) {
        return None;
    }
    String::from_utf8(bytes).ok()
}

/// `%XX` decoding without turning `+` into a space (libpq does not either).
fn percent_encoding_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3)?;
            let v = u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// Whether file parameters (sslrootcert, sslcert, sslkey) are read from this machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Files {
    /// The user typed the URL here: its files are theirs.
    Read,
    /// The URL came inside someone else's payload: its paths are not this machine's to
    /// read, so they are reported and skipped.
    Skip,
}

/// A URL the user gave on this machine (file parameters are read).
pub fn parse(input: &str, default_timeout: Duration) -> Result<ParsedUrl> {
    parse_with(input, default_timeout, Files::Read)
}

pub fn parse_with(input: &str, default_timeout: Duration, files: Files) -> Result<ParsedUrl> {
    let s = input.trim();
    let rest = s
        .strip_prefix("postgresql://")
        .or_else(|| s.strip_prefix("postgres://"))
        .ok_or_else(|| {
            bad(
                "The URL does not start with postgresql:// or postgres://",
                "Paste a PostgreSQL URI such as postgresql://user@host:5432/db?sslmode=verify-full.",
            )
        })?;
    // As libpq: user info runs up to the first '@' met before any '/', so a password
    // may hold '?' or ':' unencoded.
    let (userinfo, rest) = match rest.find(['@', '/']) {
        Some(i) if rest.as_bytes()[i] == b'@' => (Some(&rest[..i]), &rest[i + 1..]),
        _ => (None, rest),
    };
    let (before_query, query) = match rest.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (rest, None),
    };
    let (hostport, path) = match before_query.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (before_query, None),
    };
    if hostport.contains(',') {
        return Err(bad(
            "URIs with several hosts are not supported here yet",
            "Test one host at a time.",
        ));
    }
    let mut user = None;
    let mut password = None;
    if let Some(u) = userinfo {
        match u.split_once(':') {
            Some((n, p)) => {
                user = Some(decode(n, "user name")?);
                password = Some(Secret::new(decode(p, "password")?));
            }
            None => user = Some(decode(u, "user name")?),
        }
    }
    let (mut host, mut port) = split_host_port(hostport)?;
    let mut database = match path {
        Some(p) if !p.is_empty() => Some(decode(p, "database name")?),
        _ => None,
    };
    let mut mode = None;
    let mut material = TlsMaterial::default();
    let mut timeout = default_timeout;
    let mut warnings = Vec::new();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').ok_or_else(|| {
            bad(
                "A query parameter has no '='",
                "Write parameters as key=value.",
            )
        })?;
        let k = decode(k, "parameter name")?;
        let v = decode(v, &format!("value of {k}"))?;
        match k.as_str() {
            "sslmode" => {
                mode = Some(TlsMode::parse(&v).ok_or_else(|| {
                    CoreError::input(
                        ErrorCode::UrlInvalid,
                        Some("sslmode"),
                        format!("sslmode={v} is not one of disable, prefer, require, verify-ca, verify-full (allow is not supported)"),
                        "Use verify-full to encrypt and check the server's identity.",
                    )
                })?)
            }
            "sslrootcert" if v == "system" => {}
            "sslrootcert" | "sslcert" | "sslkey" if files == Files::Skip => warnings.push(format!(
                "{k} names a file on the machine that wrote this; it was not read: add the PEM in the form"
            )),
            "sslrootcert" => material.ca_pem = Some(read_file("sslrootcert", &v)?),
            "sslcert" => material.client_cert_pem = Some(read_file("sslcert", &v)?),
            "sslkey" => material.client_key_pem = Some(Secret::new(read_file("sslkey", &v)?)),
            "connect_timeout" => {
                let secs: u64 = v.parse().map_err(|_| {
                    CoreError::input(
                        ErrorCode::UrlInvalid,
                        Some("connect_timeout"),
                        format!("connect_timeout={v} is not a whole number of seconds"),
                        "Use e.g. connect_timeout=10.",
                    )
                })?;
                // libpq treats values below 2 (except 0 = none) as 2; 0 keeps our default.
                if secs > 0 {
                    timeout = Duration::from_secs(secs.max(2));
                }
            }
            "host" => host = Some(v),
            "port" => port = Some(parse_port(&v)?),
            "user" => user = Some(v),
            "password" => password = Some(Secret::new(v)),
            "dbname" => database = Some(v),
            other => warnings.push(format!("parameter {other} is not used by the connection test")),
        }
    }
    let host = host.filter(|h| !h.is_empty()).ok_or_else(|| {
        CoreError::input(
            ErrorCode::HostRequired,
            Some("host"),
            "The URL names no host (Unix sockets are not supported here yet)",
            "Put the host after //, e.g. postgresql://db.example.com/mydb.",
        )
    })?;
    if host.starts_with('/') {
        return Err(CoreError::input(
            ErrorCode::HostInvalid,
            Some("host"),
            "Unix-socket hosts are not supported here yet",
            "Use a TCP host name or address.",
        ));
    }
    let username = user.filter(|u| !u.is_empty()).ok_or_else(|| {
        CoreError::input(
            ErrorCode::UsernameRequired,
            Some("username"),
            "The URL names no user",
            "Put the user before the host: postgresql://user@host/db.",
        )
    })?;
    let mode = match mode {
        Some(m) => m,
        None => {
            warnings.push("no sslmode given: libpq's default, prefer, is used (the certificate is not verified)".into());
            TlsMode::Prefer
        }
    };
    Ok(ParsedUrl {
        target: ProbeTarget {
            engine: crate::model::Engine::Postgres,
            database: database.unwrap_or_else(|| username.clone()),
            username,
            host,
            port: port.unwrap_or(5432),
            password,
            tls_mode: mode,
            tls: material,
            timeout,
        },
        warnings,
    })
}

fn parse_port(v: &str) -> Result<u16> {
    v.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
        CoreError::input(
            ErrorCode::PortOutOfRange,
            Some("port"),
            "The port is not a number in 1–65535",
            "Use the server's port, e.g. 5432.",
        )
    })
}

fn split_host_port(hp: &str) -> Result<(Option<String>, Option<u16>)> {
    if hp.is_empty() {
        return Ok((None, None));
    }
    if let Some(rest) = hp.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or_else(|| {
            bad(
                "An IPv6 address is missing its closing ']'",
                "Write IPv6 hosts as [::1].",
            )
        })?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(parse_port(p)?),
            None if after.is_empty() => None,
            None => {
                return Err(bad(
                    format!("Unexpected {after:?} after the IPv6 address"),
                    "Write [addr]:port.",
                ))
            }
        };
        return Ok((Some(h.to_owned()), port));
    }
    match hp.rsplit_once(':') {
        Some((h, p)) => Ok((
            Some(decode(h, "host")?),
            if p.is_empty() {
                None
            } else {
                Some(parse_port(p)?)
            },
        )),
        None => Ok((Some(decode(hp, "host")?), None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> ParsedUrl {
        parse(s, Duration::from_secs(10)).unwrap()
    }

    #[test]
    fn percent_encoded_password_and_sslmode_survive() {
        let u =
            p("postgresql://app:p%40ss%2Fw%3Ard+x@db.example.com:6432/orders?sslmode=verify-full");
        assert_eq!(u.target.username, "app");
        assert_eq!(u.target.password.as_ref().unwrap().expose(), "p@ss/w:rd+x");
        assert_eq!(u.target.host, "db.example.com");
        assert_eq!(u.target.port, 6432);
        assert_eq!(u.target.database, "orders");
        assert_eq!(u.target.tls_mode, TlsMode::VerifyFull);
        assert!(u.warnings.is_empty());
    }

    #[test]
    fn ipv6_host_defaults_and_unknown_parameters_warn() {
        let u = p("postgres://me@[::1]?application_name=x&connect_timeout=1&hostaddr=10.0.0.1");
        assert_eq!(u.target.host, "::1");
        assert_eq!(u.target.port, 5432);
        assert_eq!(u.target.database, "me");
        assert_eq!(u.target.tls_mode, TlsMode::Prefer);
        assert_eq!(u.target.timeout, Duration::from_secs(2));
        assert_eq!(u.warnings.len(), 3, "{:?}", u.warnings);
    }

    #[test]
    fn passwords_with_question_marks_and_colons_parse_as_libpq_does() {
        let u = p("postgresql://app:a?b:c@db:5433/x?sslmode=require");
        assert_eq!(u.target.password.as_ref().unwrap().expose(), "a?b:c");
        assert_eq!(u.target.host, "db");
        assert_eq!(u.target.port, 5433);
        assert_eq!(u.target.tls_mode, TlsMode::Require);
    }

    #[test]
    fn errors_never_quote_a_password() {
        for url in [
            "postgresql://app:50%zzoff@db/x",
            "postgresql://app:se%00cret@db/x",
            "postgresql://app@db:se/cret",
        ] {
            let e = parse(url, Duration::from_secs(1)).unwrap_err();
            let text = format!("{e} {}", e.hint());
            assert!(
                !text.contains("zzoff") && !text.contains("se%00cret") && !text.contains("cret\""),
                "{text}"
            );
        }
    }

    #[test]
    fn bad_inputs_have_stable_codes() {
        let code = |s: &str| parse(s, Duration::from_secs(1)).unwrap_err().code();
        assert_eq!(code("mysql://x@y/z"), ErrorCode::UrlInvalid);
        assert_eq!(code("postgresql://u@h:99999/d"), ErrorCode::PortOutOfRange);
        assert_eq!(
            code("postgresql://u@h/d?sslmode=maybe"),
            ErrorCode::UrlInvalid
        );
        assert_eq!(
            code("postgresql://u@h/d?sslrootcert=/nonexistent/ca.pem"),
            ErrorCode::FileUnreadable
        );
        assert_eq!(code("postgresql:///d"), ErrorCode::HostRequired);
        assert_eq!(code("postgresql://h/d"), ErrorCode::UsernameRequired);
    }
}
