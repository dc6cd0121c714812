//! libpq connection URIs (`postgresql://…`) for `switchboard test --url`.
//!
//! libpq's own reading of the URI (`libpq::parse`), mapped onto a test target: one host,
//! user, password, port, database, sslmode, sslrootcert/sslcert/sslkey (file paths, read
//! here unless the URL came from someone else's payload), connect_timeout. Any other libpq
//! keyword is reported as a warning, never dropped silently. No value is ever taken from
//! PG* environment variables or ~/.pgpass.

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
    if !crate::libpq::is_uri(s) {
        return Err(bad(
            "The URL does not start with postgresql:// or postgres://",
            "Paste a PostgreSQL URI such as postgresql://user@host:5432/db?sslmode=verify-full.",
        ));
    }
    // libpq's own reading of it: the keywords and values, or why it is not a URI libpq takes.
    let mut kv = crate::libpq::parse(s).map_err(|e| {
        bad(
            format!("The URL is not valid: {e}"),
            "Percent-encode special characters (e.g. %40 for @, %25 for %) and use libpq's parameter names.",
        )
    })?;
    let mut warnings = Vec::new();
    let mut take = |k: &str| kv.remove(k);
    let host = take("host").filter(|h| !h.is_empty()).ok_or_else(|| {
        CoreError::input(
            ErrorCode::HostRequired,
            Some("host"),
            "The URL names no host (a Unix socket is not supported here yet)",
            "Put the host after //, e.g. postgresql://db.example.com/mydb.",
        )
    })?;
    if host.contains(',') {
        return Err(bad(
            "URLs with several hosts are not supported here yet",
            "Test one host at a time.",
        ));
    }
    if host.starts_with('/') || host.starts_with('@') {
        return Err(CoreError::input(
            ErrorCode::HostInvalid,
            Some("host"),
            "Unix-socket hosts are not supported here yet",
            "Use a TCP host name or address.",
        ));
    }
    let port = match take("port") {
        Some(p) if !p.is_empty() => parse_port(&p)?,
        _ => 5432,
    };
    let username = take("user").filter(|u| !u.is_empty()).ok_or_else(|| {
        CoreError::input(
            ErrorCode::UsernameRequired,
            Some("username"),
            "The URL names no user",
            "Put the user before the host: postgresql://user@host/db.",
        )
    })?;
    let password = take("password").map(Secret::new);
    let database = take("dbname").unwrap_or_else(|| username.clone());
    let mode = match take("sslmode") {
        Some(m) => TlsMode::parse(&m).ok_or_else(|| {
            CoreError::input(
                ErrorCode::UrlInvalid,
                Some("sslmode"),
                format!("sslmode={m} is not one of disable, prefer, require, verify-ca, verify-full (allow is not supported)"),
                "Use verify-full to encrypt and check the server's identity.",
            )
        })?,
        None => {
            warnings.push("no sslmode given: libpq's default, prefer, is used (the certificate is not verified)".into());
            TlsMode::Prefer
        }
    };
    let mut material = TlsMaterial::default();
    for (param, slot) in [("sslrootcert", 0), ("sslcert", 1), ("sslkey", 2)] {
        let Some(path) = take(param) else { continue };
        if param == "sslrootcert" && path == "system" {
            continue;
        }
        if files == Files::Skip {
            warnings.push(format!(
                "{param} names a file on the machine that wrote this; it was not read: add the PEM in the form"
            ));
            continue;
        }
        let text = read_file(param, &path)?;
        match slot {
            0 => material.ca_pem = Some(text),
            1 => material.client_cert_pem = Some(text),
            _ => material.client_key_pem = Some(Secret::new(text)),
        }
    }
    let mut timeout = default_timeout;
    if let Some(v) = take("connect_timeout") {
        let secs: u64 = v.trim().parse().map_err(|_| {
            CoreError::input(
                ErrorCode::UrlInvalid,
                Some("connect_timeout"),
                "connect_timeout is not a whole number of seconds",
                "Use e.g. connect_timeout=10.",
            )
        })?;
        // libpq treats values below 2 (except 0 = none) as 2; 0 keeps our default.
        if secs > 0 {
            timeout = Duration::from_secs(secs.max(2));
        }
    }
    for k in kv.keys() {
        warnings.push(format!("parameter {k} is not used by the connection test"));
    }
    Ok(ParsedUrl {
        target: ProbeTarget {
            engine: crate::model::Engine::Postgres,
            host,
            port,
            database,
            username,
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
