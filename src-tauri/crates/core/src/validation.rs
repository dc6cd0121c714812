//! Field rules. One implementation used by every path that stores a connection
//! (UI, CLI, direct command calls): nothing invalid is ever written.

use crate::error::{ErrorCode, FieldIssue};
use crate::model::ConnectionFields;

pub const NAME_MAX: usize = 64;
pub const DESCRIPTION_MAX: usize = 256;
pub const HOST_MAX: usize = 253;
pub const TIMEOUT_MAX_SECS: u32 = 600;

/// All problems at once, in field order.
pub fn validate(f: &ConnectionFields) -> Vec<FieldIssue> {
    let mut issues = Vec::new();
    check_name(&f.name, &mut issues);
    check_host(&f.host, &mut issues);
    if !(1..=65535).contains(&f.port) {
        issues.push(FieldIssue::new(
            ErrorCode::PortOutOfRange,
            "port",
            format!("Port {} is outside 1–65535.", f.port),
            format!(
                "Use the server's port ({} is {}'s default).",
                f.engine.default_port(),
                f.engine.as_str()
            ),
        ));
    }
    if f.database.trim().is_empty() {
        issues.push(FieldIssue::new(
            ErrorCode::DatabaseRequired,
            "database",
            "Database is required.",
            "Enter the database to connect to, e.g. postgres.",
        ));
    }
    if f.username.trim().is_empty() {
        issues.push(FieldIssue::new(
            ErrorCode::UsernameRequired,
            "username",
            "Username is required.",
            "Enter the role or user name to log in as.",
        ));
    }
    if let Some(ca) = f.tls.ca_pem.as_deref().filter(|s| !s.trim().is_empty()) {
        if let Err(why) = crate::pem::parse_certificates(ca) {
            issues.push(FieldIssue::new(
                ErrorCode::CaPemInvalid,
                "tls.ca_pem",
                format!("The CA certificate is not usable: {why}."),
                "Paste the CA certificate as PEM text, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.",
            ));
        }
    }
    if let Some(d) = &f.description {
        let n = d.chars().count();
        if n > DESCRIPTION_MAX {
            issues.push(FieldIssue::new(
                ErrorCode::DescriptionTooLong,
                "description",
                format!("Description is {n} characters; at most {DESCRIPTION_MAX} are allowed."),
                "Shorten the description.",
            ));
        }
    }
    if !(1..=TIMEOUT_MAX_SECS).contains(&f.timeout_secs) {
        issues.push(FieldIssue::new(
            ErrorCode::TimeoutOutOfRange,
            "timeout_secs",
            format!(
                "Timeout {} s is outside 1–{TIMEOUT_MAX_SECS} s.",
                f.timeout_secs
            ),
            "Use a timeout between 1 and 600 seconds (10 is the default).",
        ));
    }
    issues
}

fn check_name(name: &str, issues: &mut Vec<FieldIssue>) {
    let n = name.chars().count();
    if name.is_empty() {
        issues.push(FieldIssue::new(
            ErrorCode::NameRequired,
            "name",
            "Name is required.",
            "Give the connection a short name such as prod-orders.",
        ));
    } else if n > NAME_MAX {
        issues.push(FieldIssue::new(
            ErrorCode::NameTooLong,
            "name",
            format!("Name is {n} characters; at most {NAME_MAX} are allowed."),
            "Shorten the name.",
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        issues.push(FieldIssue::new(
            ErrorCode::NameInvalidChars,
            "name",
            format!("Name contains {bad:?}; only letters, digits, '-', '_' and '.' are allowed."),
            "Replace spaces and other characters with '-' or '_'.",
        ));
    }
}

fn check_host(host: &str, issues: &mut Vec<FieldIssue>) {
    let field = "host";
    if host.is_empty() {
        issues.push(FieldIssue::new(
            ErrorCode::HostRequired,
            field,
            "Host is required.",
            "Enter the server's host name or IP address, e.g. db.example.com or 10.0.0.5.",
        ));
        return;
    }
    let problem = if host.len() > HOST_MAX {
        Some(format!(
            "Host is {} characters; at most {HOST_MAX} are allowed",
            host.len()
        ))
    } else if host.contains("://") {
        Some("Host contains a scheme (://)".into())
    } else if host.contains('/') {
        Some("Host contains a path ('/')".into())
    } else if host.chars().any(char::is_whitespace) {
        Some("Host contains spaces".into())
    } else if strip_brackets(host).parse::<std::net::IpAddr>().is_ok() {
        None
    } else if host.starts_with('[') || host.contains(':') {
        Some("Host is not a valid IPv6 address (and ':' cannot be in a host name)".into())
    } else if !host.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    }) {
        Some("Host is not a valid DNS name".into())
    } else {
        None
    };
    if let Some(message) = problem {
        issues.push(FieldIssue::new(
            ErrorCode::HostInvalid,
            field,
            format!("{message}."),
            "Enter only the host name or IP address; put the port in Port and the database in Database.",
        ));
    }
}

/// IPv6 literals may be typed in brackets; they are stored without.
pub fn strip_brackets(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// Normalise what the user typed before validating and storing it.
pub fn normalize(f: &mut ConnectionFields) {
    f.name = f.name.trim().to_owned();
    f.host = strip_brackets(f.host.trim()).to_owned();
    f.database = f.database.trim().to_owned();
    if let Some(d) = &f.description {
        if d.trim().is_empty() {
            f.description = None;
        }
    }
    f.tls.ca_pem = f
        .tls
        .ca_pem
        .as_deref()
        .filter(|ca| !ca.trim().is_empty())
        .map(crate::pem::normalize_certificates);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ConnectionFields;

    fn valid() -> ConnectionFields {
        ConnectionFields::postgres("prod-orders", "db.example.com", 5432, "orders", "app")
    }

    fn codes(f: &ConnectionFields) -> Vec<(ErrorCode, String)> {
        validate(f).into_iter().map(|i| (i.code, i.field)).collect()
    }

    #[test]
    fn a_complete_postgres_form_has_no_issues() {
        assert!(validate(&valid()).is_empty());
    }

    #[test]
    fn name_boundaries_64_ok_65_too_long() {
        let mut f = valid();
        f.name = "a".repeat(64);
        assert!(validate(&f).is_empty());
        f.name = "a".repeat(65);
        assert_eq!(codes(&f), vec![(ErrorCode::NameTooLong, "name".into())]);
        f.name = String::new();
        assert_eq!(codes(&f), vec![(ErrorCode::NameRequired, "name".into())]);
        f.name = "has space".into();
        assert_eq!(
            codes(&f),
            vec![(ErrorCode::NameInvalidChars, "name".into())]
        );
    }

    #[test]
    fn port_boundaries_0_and_65536_rejected_1_and_65535_accepted() {
        for (port, ok) in [(0, false), (1, true), (65535, true), (65536, false)] {
            let mut f = valid();
            f.port = port;
            assert_eq!(validate(&f).is_empty(), ok, "port {port}");
        }
    }

    #[test]
    fn hosts_with_scheme_path_space_or_bad_ipv6_are_rejected() {
        for bad in ["postgres://x", "db/x", "db x", "[::1", "fe80::zz", "a..b"] {
            let mut f = valid();
            f.host = bad.into();
            assert_eq!(
                codes(&f),
                vec![(ErrorCode::HostInvalid, "host".into())],
                "{bad}"
            );
        }
        for good in ["localhost", "10.0.0.5", "::1", "[::1]", "db-1.internal"] {
            let mut f = valid();
            f.host = good.into();
            assert!(validate(&f).is_empty(), "{good}");
        }
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut f = valid();
        f.name = String::new();
        f.host = String::new();
        f.port = 0;
        f.database = " ".into();
        f.username = String::new();
        f.description = Some("x".repeat(257));
        f.tls.ca_pem = Some("not a pem".into());
        f.timeout_secs = 0;
        let got: Vec<ErrorCode> = validate(&f).into_iter().map(|i| i.code).collect();
        assert_eq!(
            got,
            vec![
                ErrorCode::NameRequired,
                ErrorCode::HostRequired,
                ErrorCode::PortOutOfRange,
                ErrorCode::DatabaseRequired,
                ErrorCode::UsernameRequired,
                ErrorCode::CaPemInvalid,
                ErrorCode::DescriptionTooLong,
                ErrorCode::TimeoutOutOfRange,
            ]
        );
    }

    #[test]
    fn normalize_strips_ipv6_brackets_and_blank_optionals() {
        let mut f = valid();
        f.host = " [::1] ".into();
        f.description = Some("  ".into());
        normalize(&mut f);
        assert_eq!(f.host, "::1");
        assert_eq!(f.description, None);
    }
}
