//! Field rules. One implementation used by every path that stores a connection
//! (UI, CLI, direct command calls): nothing invalid is ever written.

use crate::engines::{FieldKind, FieldSpec};
use crate::error::{ErrorCode, FieldIssue};
use crate::hosts::HostList;
use crate::model::{ConnectionFields, OptionValue};

/// A display name's length, in characters (Lerian's `configName` allows 100).
pub const NAME_MAX: usize = 100;
/// A handle's length (Infisical's 1–64 slug rule).
pub const HANDLE_MAX: usize = 64;
/// What a name that yields no handle characters (`***`) gets instead.
pub const HANDLE_FALLBACK: &str = "connection";
pub const DESCRIPTION_MAX: usize = 256;
pub const HOST_MAX: usize = 253;
pub const TIMEOUT_MAX_SECS: u32 = 600;
pub const TAG_MAX: usize = 32;
pub const TAGS_MAX: usize = 20;
pub const METADATA_KEY_MAX: usize = 100;
pub const METADATA_VALUE_MAX: usize = 2000;
pub const METADATA_ENTRIES_MAX: usize = 50;

/// All problems at once, in the order of the engine's form. Which fields apply, and
/// which are required, comes from the engine's description.
pub fn validate(f: &ConnectionFields) -> Vec<FieldIssue> {
    let spec = f.engine.spec();
    let mut issues = Vec::new();
    check_name(&f.name, &mut issues);
    check_handle(&f.handle, &mut issues);
    for field in &spec.fields {
        match field.key {
            "host" if field.kind == FieldKind::HostList => check_host_list(f, &mut issues),
            "host" => check_host(&f.host, spec.unix_sockets, field.required, &mut issues),
            "port" => check_port(f, &mut issues),
            "database" => {
                check_required(&f.database, field, ErrorCode::DatabaseRequired, &mut issues)
            }
            "username" => {
                check_required(&f.username, field, ErrorCode::UsernameRequired, &mut issues)
            }
            "tls.ca_pem" => check_certificates(
                &f.tls.ca_pem,
                "tls.ca_pem",
                ErrorCode::CaPemInvalid,
                "CA certificate",
                &mut issues,
            ),
            "tls.client_cert_pem" => check_certificates(
                &f.tls.client_cert_pem,
                "tls.client_cert_pem",
                ErrorCode::ClientCertInvalid,
                "client certificate",
                &mut issues,
            ),
            _ => {}
        }
    }
    check_tls_mode(f, &mut issues);
    check_options(f, &mut issues);
    if let Some(route) = &f.ssh {
        if !spec.has("host") || f.host.starts_with('/') {
            issues.push(FieldIssue::new(
                ErrorCode::SshNotPossible,
                "ssh",
                "An SSH route carries network connections; this one is a local file or socket.",
                "Remove the SSH route, or give the database's host and port.",
            ));
        } else {
            issues.extend(crate::ssh::issues(route));
        }
    }
    issues.extend(crate::folder::issues(&f.folder));
    f.engine.check(f, &mut issues);
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
    check_labels(f, &mut issues);
    issues
}

fn check_required(value: &str, field: &FieldSpec, code: ErrorCode, issues: &mut Vec<FieldIssue>) {
    if field.required && value.trim().is_empty() {
        issues.push(FieldIssue::new(
            code,
            field.key,
            format!("{} is required.", field.label),
            match field.key {
                "username" => "Enter the user name to log in as.",
                _ => "Enter the database to connect to.",
            },
        ));
    }
}

fn check_port(f: &ConnectionFields, issues: &mut Vec<FieldIssue>) {
    if !(1..=65535).contains(&f.port) {
        let hint = match f.engine.default_port() {
            Some(p) => format!(
                "Use the server's port ({p} is {}'s default).",
                f.engine.spec().label
            ),
            None => "Use the server's port.".into(),
        };
        issues.push(FieldIssue::new(
            ErrorCode::PortOutOfRange,
            "port",
            format!("Port {} is outside 1–65535.", f.port),
            hint,
        ));
    }
}

fn check_tls_mode(f: &ConnectionFields, issues: &mut Vec<FieldIssue>) {
    let spec = f.engine.spec();
    if let Some(m) = spec.tls_mode(f.tls.mode).filter(|m| !m.supported) {
        issues.push(FieldIssue::new(
            ErrorCode::TlsModeUnsupported,
            "tls.mode",
            format!(
                "{} cannot use TLS mode {}: {}",
                spec.label,
                f.tls.mode.as_str(),
                m.explanation
            ),
            "Choose one of the TLS modes offered for this engine.",
        ));
    }
    let has_ca = f
        .tls
        .ca_pem
        .as_deref()
        .is_some_and(|c| !c.trim().is_empty());
    let supported = spec.tls_mode(f.tls.mode).is_some_and(|m| m.supported);
    if supported && f.tls.mode == crate::model::TlsMode::VerifyCa && !has_ca {
        issues.push(FieldIssue::new(
            ErrorCode::CaRequired,
            "tls.ca_pem",
            "verify-ca needs the server's CA certificate: it does not check the host name, so trusting every public CA would accept any certificate they issued.",
            "Paste the server's CA certificate, or choose verify-full.",
        ));
    }
}

fn check_certificates(
    pem: &Option<String>,
    field: &str,
    code: ErrorCode,
    what: &str,
    issues: &mut Vec<FieldIssue>,
) {
    if let Some(text) = pem.as_deref().filter(|s| !s.trim().is_empty()) {
        if let Err(why) = crate::pem::parse_certificates(text) {
            issues.push(FieldIssue::new(
                code,
                field,
                format!("The {what} is not usable: {why}."),
                "Paste it as PEM text, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.",
            ));
        }
    }
}

/// Options must be ones the engine describes, of the right kind, from its choices.
fn check_options(f: &ConnectionFields, issues: &mut Vec<FieldIssue>) {
    let spec = f.engine.spec();
    for (name, value) in &f.options {
        let key = format!("options.{name}");
        let Some(field) = spec.field(&key) else {
            issues.push(FieldIssue::new(
                ErrorCode::OptionUnknown,
                &key,
                format!("{} has no setting {name:?}.", spec.label),
                "Remove it; the form lists the settings this engine takes.",
            ));
            continue;
        };
        let problem = match (field.kind, value) {
            (FieldKind::Bool, OptionValue::Bool(_)) => None,
            (FieldKind::Bool, _) => Some("must be true or false".to_owned()),
            (_, OptionValue::Bool(_)) => Some("must be text".to_owned()),
            (FieldKind::Select, OptionValue::Text(t))
                if !field.choices.iter().any(|c| c.value == t) =>
            {
                let allowed: Vec<&str> = field.choices.iter().map(|c| c.value).collect();
                Some(format!("is {t:?}; allowed: {}", allowed.join(", ")))
            }
            (_, OptionValue::Text(t)) if t.chars().count() > OPTION_TEXT_MAX => {
                Some(format!("is longer than {OPTION_TEXT_MAX} characters"))
            }
            _ => None,
        };
        if let Some(p) = problem {
            issues.push(FieldIssue::new(
                ErrorCode::OptionInvalid,
                &key,
                format!("{} {p}.", field.label),
                "Pick one of the offered values.",
            ));
        }
    }
    for field in spec.fields.iter().filter(|f| f.required) {
        if let Some(name) = field.key.strip_prefix("options.") {
            if !f.options.contains_key(name) {
                issues.push(FieldIssue::new(
                    ErrorCode::OptionInvalid,
                    field.key,
                    format!("{} is required.", field.label),
                    "Fill it in.",
                ));
            }
        }
    }
}

pub const OPTION_TEXT_MAX: usize = 1000;

/// Days before expiry from which a certificate is flagged.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// Things worth knowing that do not block saving: certificates expired or about to.
pub fn warnings(f: &ConnectionFields) -> Vec<FieldIssue> {
    let mut out = Vec::new();
    for (field, pem, what) in [
        ("tls.ca_pem", &f.tls.ca_pem, "CA certificate"),
        (
            "tls.client_cert_pem",
            &f.tls.client_cert_pem,
            "client certificate",
        ),
    ] {
        let Some(certs) = pem
            .as_deref()
            .and_then(|p| crate::pem::parse_certificates(p).ok())
        else {
            continue;
        };
        for info in certs.iter().filter_map(crate::cert::certificate_info) {
            if info.days_left < 0 {
                out.push(FieldIssue::warning(
                    ErrorCode::CertificateExpired,
                    field,
                    format!("The {what} {} expired on {}.", info.subject, info.not_after),
                    "Replace it with a current certificate; TLS verification will fail with it.",
                ));
            } else if info.days_left <= EXPIRY_WARNING_DAYS {
                out.push(FieldIssue::warning(
                    ErrorCode::CertificateExpiring,
                    field,
                    format!(
                        "The {what} {} expires in {} ({}).",
                        info.subject,
                        crate::words::count(info.days_left, "day", "days"),
                        info.not_after
                    ),
                    "Plan its renewal.",
                ));
            }
        }
    }
    out
}

/// Rules that need the client key (a secret, so not part of `validate`). `keeps_key`:
/// a key is already stored and stays.
pub fn client_key_issues(
    f: &ConnectionFields,
    new_key: Option<&crate::secret::Secret>,
    keeps_key: bool,
) -> Vec<FieldIssue> {
    let mut out = Vec::new();
    let cert = f.tls.client_cert_pem.as_deref();
    let key = match new_key.map(|k| crate::pem::parse_private_key(k.expose())) {
        Some(Err(why)) => {
            out.push(FieldIssue::new(
                ErrorCode::ClientKeyInvalid,
                "client_key",
                format!("The client key is not usable: {why}."),
                "Paste the private key as unencrypted PEM text (the whole block, BEGIN and END lines included).",
            ));
            return out;
        }
        Some(Ok(k)) => Some(k),
        None => None,
    };
    match (cert, key) {
        (None, Some(_)) => out.push(FieldIssue::new(
            ErrorCode::ClientKeyWithoutCert,
            "client_key",
            "A client key was given without a client certificate.",
            "Paste the certificate that goes with the key, or remove the key.",
        )),
        (Some(_), None) if !keeps_key => out.push(FieldIssue::new(
            ErrorCode::ClientKeyRequired,
            "client_key",
            "The client certificate needs its private key.",
            "Paste the private key that goes with the certificate.",
        )),
        (Some(cert), Some(key)) => {
            if let Ok(chain) = crate::pem::parse_certificates(cert) {
                let provider = crate::cert::provider();
                if let Err(e) = rustls::sign::CertifiedKey::from_der(chain, key, &provider) {
                    out.push(FieldIssue::new(
                        ErrorCode::ClientKeyMismatch,
                        "client_key",
                        format!("The client key does not belong to the client certificate ({e})."),
                        "Paste the key that was issued with this certificate.",
                    ));
                }
            }
        }
        _ => {}
    }
    out
}

fn check_labels(f: &ConnectionFields, issues: &mut Vec<FieldIssue>) {
    if let Some(c) = &f.color {
        let ok =
            c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit());
        if !ok {
            issues.push(FieldIssue::new(
                ErrorCode::ColorInvalid,
                "color",
                format!("Colour {c:?} is not of the form #rrggbb."),
                "Pick a colour, or leave it empty to use the environment's.",
            ));
        }
    }
    if f.tags.len() > TAGS_MAX {
        issues.push(FieldIssue::new(
            ErrorCode::TagsTooMany,
            "tags",
            format!("{} tags; at most {TAGS_MAX} are allowed.", f.tags.len()),
            "Remove some tags.",
        ));
    }
    for (i, t) in f.tags.iter().enumerate() {
        let n = t.chars().count();
        if n == 0
            || n > TAG_MAX
            || t.chars()
                .any(|c| c == ',' || (c.is_whitespace() && c != ' ') || c.is_control())
        {
            issues.push(FieldIssue::new(
                ErrorCode::TagInvalid,
                &format!("tags.{i}"),
                format!("Tag {t:?} must be 1–{TAG_MAX} characters without commas or line breaks."),
                "Shorten the tag or split it in two.",
            ));
        }
    }
    if f.metadata.len() > METADATA_ENTRIES_MAX {
        issues.push(FieldIssue::new(
            ErrorCode::MetadataTooMany,
            "metadata",
            format!(
                "{} metadata entries; at most {METADATA_ENTRIES_MAX} are allowed.",
                f.metadata.len()
            ),
            "Remove some entries.",
        ));
    }
    for (k, v) in &f.metadata {
        let field = format!("metadata.{k}");
        let n = k.chars().count();
        if n == 0 || n > METADATA_KEY_MAX {
            issues.push(FieldIssue::new(
                ErrorCode::MetadataKeyInvalid,
                &field,
                format!("Metadata key is {n} characters; keys must be 1–{METADATA_KEY_MAX}."),
                "Use a short key such as team or owner.",
            ));
        }
        match v {
            serde_json::Value::String(s) if s.chars().count() > METADATA_VALUE_MAX => {
                issues.push(FieldIssue::new(
                    ErrorCode::MetadataValueTooLong,
                    &field,
                    format!("Value of {k:?} is {} characters; at most {METADATA_VALUE_MAX} are allowed.", s.chars().count()),
                    "Shorten the value.",
                ))
            }
            serde_json::Value::String(_) => {}
            other => issues.push(FieldIssue::new(
                ErrorCode::MetadataValueNotText,
                &field,
                format!("Value of {k:?} is {}; metadata values must be text.", json_kind(other)),
                "Flatten it into text, e.g. put nested keys into their own entries.",
            )),
        }
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "text",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "a nested object",
    }
}

fn check_name(name: &str, issues: &mut Vec<FieldIssue>) {
    let n = name.chars().count();
    if name.is_empty() {
        issues.push(FieldIssue::new(
            ErrorCode::NameRequired,
            "name",
            "Name is required.",
            "Give the connection a name people recognise, such as billing (prod, EU).",
        ));
    } else if n > NAME_MAX {
        issues.push(FieldIssue::new(
            ErrorCode::NameTooLong,
            "name",
            format!("Name is {n} characters; at most {NAME_MAX} are allowed."),
            "Shorten the name.",
        ));
    }
    if name.chars().any(char::is_control) {
        issues.push(FieldIssue::new(
            ErrorCode::NameInvalidChars,
            "name",
            "Name contains a control character (a line break, a tab, …).",
            "Write the name on one line.",
        ));
    }
}

/// An empty handle is not an issue: a save derives one from the name.
fn check_handle(handle: &str, issues: &mut Vec<FieldIssue>) {
    let n = handle.chars().count();
    if n > HANDLE_MAX {
        issues.push(FieldIssue::new(
            ErrorCode::HandleTooLong,
            "handle",
            format!("Handle is {n} characters; at most {HANDLE_MAX} are allowed."),
            "Shorten the handle, or clear it to derive one from the name.",
        ));
    }
    if let Some(bad) = handle.chars().find(|c| !is_handle_char(*c)) {
        issues.push(FieldIssue::new(
            ErrorCode::HandleInvalidChars,
            "handle",
            format!(
                "Handle contains {bad:?}; only ASCII letters, digits, '-', '_' and '.' are allowed."
            ),
            "Replace spaces and other characters with '-', or clear it to derive one from the name.",
        ));
    }
}

fn is_handle_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// What uniqueness compares a display name by: without surrounding spaces, in Unicode
/// lower case (SQLite's NOCASE folds only ASCII, so the store indexes this instead).
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The handle a name gets when none is given: transliterated to ASCII (`Склад` →
/// `sklad`), lower case, every run of other characters one `-` (`billing (prod, EU)` →
/// `billing-prod-eu`), at most `HANDLE_MAX`; `HANDLE_FALLBACK` when nothing is left.
pub fn derive_handle(name: &str) -> String {
    let ascii = deunicode::deunicode(name);
    let mut out = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        // A '-' next to a dropped character must not double it: `EU)-copy` → `eu-copy`.
        if is_handle_char(c) && c != '-' {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(HANDLE_MAX);
    let out = out.trim_matches('-');
    if out.is_empty() {
        HANDLE_FALLBACK.to_owned()
    } else {
        out.to_owned()
    }
}

/// A list of `host[:port]` entries separated by commas, read as `hosts` reads it.
fn check_host_list(f: &ConnectionFields, issues: &mut Vec<FieldIssue>) {
    if f.host.trim().is_empty() {
        check_host("", false, true, issues);
        return;
    }
    let list = match HostList::parse(&f.host) {
        Ok(list) => list,
        Err(e) => {
            issues.push(FieldIssue::new(
                ErrorCode::HostInvalid,
                "host",
                format!("{e}."),
                e.hint(),
            ));
            return;
        }
    };
    for entry in list.entries() {
        let before = issues.len();
        check_host(&entry.host, false, true, issues);
        if issues.len() > before {
            return;
        }
    }
}

fn check_host(host: &str, unix_sockets: bool, required: bool, issues: &mut Vec<FieldIssue>) {
    let field = "host";
    if host.is_empty() && !required {
        return;
    }
    if unix_sockets && host.starts_with('/') {
        if host.contains(char::is_control) {
            issues.push(FieldIssue::new(
                ErrorCode::HostInvalid,
                field,
                "The socket path has control characters.",
                "Enter the directory or file of the Unix socket, e.g. /var/run/postgresql.",
            ));
        }
        return;
    }
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
    let spec = f.engine.spec();
    match &mut f.ssh {
        Some(crate::ssh::SshRoute::Hops { hops }) => {
            for h in hops {
                h.host = strip_brackets(h.host.trim()).to_owned();
                h.user = h.user.trim().to_owned();
                h.key_files = h
                    .key_files
                    .iter()
                    .map(|k| k.trim().to_owned())
                    .filter(|k| !k.is_empty())
                    .collect();
            }
        }
        Some(crate::ssh::SshRoute::Alias { alias, .. }) => *alias = alias.trim().to_owned(),
        None => {}
    }
    f.name = f.name.trim().to_owned();
    f.handle = f.handle.trim().to_owned();
    f.folder = crate::folder::normalize(&f.folder);
    f.host = f.host.trim().to_owned();
    if !f.host.contains(',') {
        f.host = strip_brackets(&f.host).to_owned();
    }
    f.database = f.database.trim().to_owned();
    // SQL Server's host\instance form.
    if spec.has("options.instance") {
        if let Some((host, instance)) = f.host.clone().split_once('\\') {
            let given = f.options.get("instance").and_then(OptionValue::as_text);
            // A different instance in both places is left for validation to report.
            if given.is_none_or(|g| g.eq_ignore_ascii_case(instance)) {
                f.host = host.to_owned();
                if !instance.is_empty() {
                    f.options
                        .insert("instance".into(), OptionValue::Text(instance.to_owned()));
                }
            }
        }
    }
    if spec
        .field("host")
        .is_some_and(|h| h.kind == FieldKind::HostList)
    {
        f.host = f
            .host
            .split(',')
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(",");
    }
    // What the engine's form does not show is not kept.
    if !spec.has("host") {
        f.host.clear();
    }
    if !spec.has("port") {
        f.port = 0;
    }
    if !spec.has("username") {
        f.username.clear();
    }
    if !spec.has("password") {
        f.password_save = crate::model::PasswordSave::None;
    }
    if !spec.has("tls.ca_pem") {
        f.tls.ca_pem = None;
    }
    if !spec.has("tls.client_cert_pem") {
        f.tls.client_cert_pem = None;
    }
    if spec.tls_modes.iter().filter(|m| m.supported).count() == 1 {
        if let Some(only) = spec.tls_modes.iter().find(|m| m.supported) {
            f.tls.mode = only.mode;
        }
    }
    // An empty text option is an unset one.
    f.options
        .retain(|_, v| !matches!(v, OptionValue::Text(t) if t.trim().is_empty()));
    for v in f.options.values_mut() {
        if let OptionValue::Text(t) = v {
            *t = t.trim().to_owned();
        }
    }
    if let Some(d) = &f.description {
        if d.trim().is_empty() {
            f.description = None;
        }
    }
    f.color = f
        .color
        .as_deref()
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty());
    // Tags: trimmed, blanks dropped, duplicates (ignoring case) removed, order kept.
    let mut seen = std::collections::HashSet::new();
    f.tags = std::mem::take(&mut f.tags)
        .into_iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty() && seen.insert(t.to_lowercase()))
        .collect();
    for pem in [&mut f.tls.ca_pem, &mut f.tls.client_cert_pem] {
        *pem = pem
            .as_deref()
            .filter(|p| !p.trim().is_empty())
            .map(crate::pem::normalize_certificates);
    }
}

#[cfg(test)]
mod tests;
