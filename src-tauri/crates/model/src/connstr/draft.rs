//! The draft an import builds, and the helpers every format's reader shares: percent
//! coding, `host:port` lists, ports, timeouts, names. Pure: nothing here reads a file.

use crate::error::{CoreError, ErrorCode, Result};
use crate::hosts::{HostList, HostListError, HostPort};
use crate::model::{ConnectionFields, Engine, OptionValue, PasswordSave, TlsMode};
use crate::secret::Secret;

/// An imported connection: fields ready for validation, its secrets (held as `Secret`),
/// and what could not be mapped.
#[derive(Debug, Clone)]
pub struct Imported {
    pub fields: ConnectionFields,
    pub password: Option<Secret>,
    pub client_key: Option<Secret>,
    /// Sequin's `primary` block, to be matched with a saved connection.
    pub primary: Option<Primary>,
    /// Files the string names (sslrootcert=…): read only when the caller chooses to.
    pub files: Vec<FileRef>,
    pub warnings: Vec<String>,
    /// The SSH route's secrets by slot, where the source kept them (DBeaver's credentials).
    pub ssh_secrets: Vec<Option<Secret>>,
    /// What the source said about TLS and whose meaning was applied (`postgre_ssl
    /// sslMode=verify-ca, as pgjdbc reads it`): shown beside the level it became.
    pub tls_from: Option<String>,
}

/// A replica's primary server as Sequin describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Primary {
    pub host: String,
    pub port: u32,
    pub database: String,
    pub username: String,
    /// On import: Sequin's `ssl`. On export: whether TLS is on for the primary.
    pub ssl: bool,
    /// On export: the primary's own level, so a verifying one is not weakened silently.
    pub tls_mode: Option<TlsMode>,
    pub password: Option<Secret>,
}

/// A file named by an imported string, for the caller to read (or not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    pub slot: FileSlot,
    /// The parameter that named it (`sslrootcert`, `ssl-ca`, `tlsCAFile`, …).
    pub param: String,
    pub path: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileSlot {
    Ca,
    ClientCert,
    ClientKey,
    /// A pgpass file: the password of the line that matches the connection.
    Passfile,
}

/// whose paths are not this machine's to read.
pub fn skip_files(imported: &mut Imported) {
    for r in std::mem::take(&mut imported.files) {
        imported.warnings.push(format!(
            "{} names a file on the machine that wrote this; it was not read: add the PEM in the form",
            r.param
        ));
    }
}

pub(super) fn invalid(message: impl Into<String>, hint: impl Into<String>) -> CoreError {
    CoreError::input(ErrorCode::UrlInvalid, Some("url"), message, hint)
}

/// An error inside `KEY=value`: names the key.
pub(super) fn within(e: CoreError, key: &str) -> CoreError {
    match e {
        CoreError::Input {
            code,
            field,
            message,
            hint,
        } => CoreError::Input {
            code,
            field,
            message: format!("{key}: {message}"),
            hint,
        },
        other => other,
    }
}

/// A draft for `engine` with nothing filled in but the default port.
pub(super) fn draft(engine: Engine) -> Imported {
    let mut f = ConnectionFields::blank(engine, "");
    f.password_save = PasswordSave::Keychain;
    Imported {
        fields: f,
        password: None,
        client_key: None,
        primary: None,
        files: Vec::new(),
        warnings: Vec::new(),
        ssh_secrets: Vec::new(),
        tls_from: None,
    }
}

pub(super) fn set_option(imp: &mut Imported, key: &str, value: OptionValue) {
    imp.fields.options.insert(key.to_owned(), value);
}

/// A password another tool saved (or its URL carries): taken into the draft, for the
/// keychain, only with the user's consent; otherwise left out and `withheld` says so.
/// Returns whether there was one.
pub(super) fn consent_password(
    imp: &mut Imported,
    password: Option<String>,
    consent: bool,
    withheld: &str,
) -> bool {
    let Some(p) = password.filter(|p| !p.is_empty()) else {
        imp.password = None;
        return false;
    };
    if consent {
        imp.password = Some(Secret::new(p));
        imp.fields.password_save = PasswordSave::Keychain;
    } else {
        imp.password = None;
        imp.fields.password_save = PasswordSave::Ask;
        imp.warnings.push(withheld.to_owned());
    }
    true
}

pub(super) fn set_password(imp: &mut Imported, p: String) {
    if !p.is_empty() {
        imp.password = Some(Secret::new(p));
    }
}

pub(super) fn file(imp: &mut Imported, slot: FileSlot, param: &str, path: String) {
    imp.files.push(FileRef {
        slot,
        param: param.to_owned(),
        path,
    });
}

/// Names a parameter without a place. Only its name: a `name=value` argument loses its
/// value here, which may be a secret.
pub(super) fn unmapped(imp: &mut Imported, param: &str) {
    let name = param.split('=').next().unwrap_or("");
    imp.warnings.push(format!(
        "parameter {name} has no Switchboard setting; it was not imported"
    ));
}

/// Percent-decoding for one part of a URL; the error names the part, not its value.
pub(super) fn decode(s: &str, what: &str) -> Result<String> {
    let bytes = s.as_bytes();
    let stray = bytes.iter().enumerate().any(|(i, b)| {
        *b == b'%'
            && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    if stray {
        return Err(invalid(
            format!("The {what} has a % that is not followed by two hex digits."),
            "Percent-encode special characters: %25 for %, %40 for @, %2F for /.",
        ));
    }
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| {
            invalid(
                format!("The {what} decodes to bytes that are not UTF-8."),
                "Percent-encode the text as UTF-8.",
            )
        })
}

/// Everything but RFC 3986's unreserved characters is percent-encoded.
pub(super) const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub(super) fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, COMPONENT).to_string()
}

/// `a=1&b=2` → pairs, percent-decoded (`+` stays a plus unless `plus_is_space`).
pub(super) fn query_pairs(q: &str, plus_is_space: bool) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for part in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let fix = |x: &str| {
            if plus_is_space {
                x.replace('+', " ")
            } else {
                x.to_owned()
            }
        };
        out.push((
            decode(&fix(k), "parameter name")?,
            decode(&fix(v), "parameter value")?,
        ));
    }
    Ok(out)
}

pub(super) fn parse_port(s: &str) -> Result<u32> {
    s.trim()
        .parse::<u32>()
        .ok()
        .filter(|p| (1..=65535).contains(p))
        .ok_or_else(port_error)
}

fn port_error() -> CoreError {
    CoreError::input(
        ErrorCode::PortOutOfRange,
        Some("port"),
        "The port is not a number in 1–65535.",
        "Use the server's port, e.g. 5432.",
    )
}

/// `user:password@host1:port,host2` → user and password into the draft, the first host
/// and its port (the others are a warning: one server per connection).
pub(super) fn authority(imp: &mut Imported, authority: &str) -> Result<(String, Option<u32>)> {
    let hosts = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => {
            let (u, p) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            imp.fields.username = decode(u, "user name")?;
            set_password(imp, decode(p, "password")?);
            hosts
        }
        None => authority,
    };
    first_host(imp, hosts)
}

/// The first of a comma-separated host list, with a warning when there are more. An
/// empty list is no host named (the format's default applies).
pub(super) fn first_host(imp: &mut Imported, hosts: &str) -> Result<(String, Option<u32>)> {
    if hosts.trim().is_empty() {
        return Ok((String::new(), None));
    }
    let list = HostList::parse(hosts).map_err(host_error)?;
    if list.len() > 1 {
        imp.warnings.push(format!(
            "{} hosts are listed; only the first is imported (add a connection for each of the others)",
            list.len()
        ));
    }
    let first = list.first();
    Ok((first.host.clone(), first.port.map(u32::from)))
}

/// `user:password@`, `user@` or nothing, percent-encoded for a URL.
pub(super) fn userinfo(user: &str, password: Option<&str>) -> String {
    match (user.is_empty(), password) {
        (true, None) => String::new(),
        (_, Some(p)) => format!("{}:{}@", encode(user), encode(p)),
        (false, None) => format!("{}@", encode(user)),
    }
}

/// One `host[:port]` entry as `hosts` reads it; an empty one names no host.
pub(super) fn split_host_port(s: &str) -> Result<(String, Option<u32>)> {
    if s.trim().is_empty() {
        return Ok((String::new(), None));
    }
    HostPort::parse(s)
        .map(|h| (h.host, h.port.map(u32::from)))
        .map_err(host_error)
}

/// A host list that cannot be read, in an import's terms (a bad port is the port's error).
pub(super) fn host_error(e: HostListError) -> CoreError {
    match e {
        HostListError::BadPort(_) => port_error(),
        // In words only: connstr never quotes its input back (it may hold a password).
        HostListError::UnclosedBracket(_) => {
            invalid("An IPv6 address is missing its closing ].", e.hint())
        }
        HostListError::AfterBracket(_) => {
            invalid("Unexpected text after an IPv6 address.", e.hint())
        }
        HostListError::Empty | HostListError::NoHost(_) => {
            invalid("A host in the list is empty.", e.hint())
        }
    }
}

pub(super) fn timeout_from_secs(
    imp: &mut Imported,
    param: &str,
    v: &str,
    divisor: u64,
) -> Result<()> {
    let n: u64 = v.trim().parse().map_err(|_| {
        CoreError::input(
            ErrorCode::UrlInvalid,
            Some(param),
            format!("{param} is not a whole number."),
            "Give the timeout as a whole number.",
        )
    })?;
    if n == 0 {
        imp.warnings.push(format!(
            "{param}=0 means no timeout; Switchboard's default is kept"
        ));
        return Ok(());
    }
    let secs = n.div_ceil(divisor);
    if !n.is_multiple_of(divisor) {
        imp.warnings.push(format!(
            "{param} is rounded up to {secs} s (Switchboard times whole seconds)"
        ));
    }
    imp.fields.timeout_secs = u32::try_from(secs).unwrap_or(u32::MAX);
    Ok(())
}

pub(super) fn is_true(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// A name for a draft that has none: `database-host`, letters, digits, - _ . only.
pub fn derive_name(f: &ConnectionFields) -> String {
    let raw = if f.engine == Engine::Sqlite {
        std::path::Path::new(&f.database)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    } else {
        let first = HostList::parse(&f.host).map(|l| l.first().host.clone());
        let host = first.as_deref().unwrap_or("");
        match (f.database.is_empty(), host.is_empty()) {
            (false, false) => format!("{}-{}", f.database, host),
            (false, true) => f.database.clone(),
            (true, false) => host.to_owned(),
            (true, true) => f.engine.as_str().to_owned(),
        }
    };
    let mut name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .take(crate::validation::NAME_MAX)
        .collect();
    name = name.trim_matches('-').to_owned();
    if name.is_empty() {
        f.engine.as_str().to_owned()
    } else {
        name
    }
}

/// Parses another tool's XML file (`what` names it); a broken one is refused naming the
/// line and column, and `hint` says what to do.
pub(super) fn xml<'a>(text: &'a str, what: &str, hint: &str) -> Result<roxmltree::Document<'a>> {
    roxmltree::Document::parse(text).map_err(|e| {
        let at = e.pos();
        CoreError::input(
            ErrorCode::PayloadInvalid,
            Some("file"),
            format!(
                "{what} is not valid XML (line {}, column {}).",
                at.row, at.col
            ),
            hint.to_owned(),
        )
    })
}
