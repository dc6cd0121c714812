//! Oracle: EZConnect (Plus), `jdbc:oracle:thin:` URLs, TNS descriptors and tnsnames
//! entries, sqlplus. Written by hand: no Rust crate reads Oracle's connect identifiers.
//! Out: EZConnect (or a descriptor for a SID), JDBC thin, sqlplus.

use super::draft::Imported;
use super::draft::{
    draft, invalid, parse_port, set_option, split_host_port, timeout_from_secs, unmapped,
};
use super::export::{ExportFormat, Out};
use crate::error::{CoreError, ErrorCode, Result};
use crate::hosts::url_host;
use crate::model::{ConnectionFields, Engine, OptionValue, TlsMode, DEFAULT_TIMEOUT_SECS};

const HINT: &str =
    "Use host:1521/service_name, tcps://host:2484/service_name, or a (DESCRIPTION=…) descriptor.";
const MAX_DEPTH: usize = 32;

/// `alias = (DESCRIPTION=…)`: a tnsnames.ora entry.
pub fn is_tns_alias(s: &str) -> bool {
    s.split_once('=').is_some_and(|(alias, rest)| {
        let alias = alias.trim();
        !alias.is_empty()
            && alias
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
            && rest.trim_start().starts_with('(')
    })
}

/// `[user[/password]@][tcp[s]://|//]host[:port]/service…` or `user@(DESCRIPTION=…)`.
pub fn looks_like_ezconnect(s: &str) -> bool {
    let (_, rest) = split_user(s);
    let rest = rest.trim();
    if rest.contains(char::is_whitespace) && !rest.starts_with('(') {
        return false;
    }
    if rest.starts_with('(') {
        return true;
    }
    let rest = strip_protocol(rest).1;
    let main = rest.split('?').next().unwrap_or("");
    let host_end = main.find('/').unwrap_or(main.len());
    let hostport = &main[..host_end];
    !hostport.is_empty()
        && !hostport.contains(['=', ';', '@'])
        && (host_end < main.len() || hostport.contains(':'))
}

/// Splits `user[/password]@rest` at the first `@` outside double quotes.
fn split_user(s: &str) -> (Option<&str>, &str) {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '@' if !quoted => return (Some(&s[..i]), &s[i + 1..]),
            '(' if !quoted => break,
            _ => {}
        }
    }
    (None, s)
}

fn strip_protocol(s: &str) -> (Option<bool>, &str) {
    let lower = s.get(..7).unwrap_or("").to_ascii_lowercase();
    if lower.starts_with("tcps://") {
        (Some(true), &s[7..])
    } else if lower.starts_with("tcp://") {
        (Some(false), &s[6..])
    } else if let Some(r) = s.strip_prefix("//") {
        (None, r)
    } else {
        (None, s)
    }
}

fn unquote(s: &str) -> String {
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(s)
        .to_owned()
}

fn apply_user(imp: &mut Imported, userpart: &str) {
    let mut quoted = false;
    let mut split = None;
    for (i, c) in userpart.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '/' if !quoted => {
                split = Some(i);
                break;
            }
            _ => {}
        }
    }
    let (u, p) = match split {
        Some(i) => (&userpart[..i], Some(&userpart[i + 1..])),
        None => (userpart, None),
    };
    imp.fields.username = unquote(u);
    if let Some(p) = p {
        super::draft::set_password(imp, unquote(p));
    }
}

pub fn import_ezconnect(s: &str) -> Result<Imported> {
    let (user, rest) = split_user(s.trim());
    let rest = rest.trim();
    let mut imp = if rest.starts_with('(') {
        import_tns(rest)?
    } else {
        ezconnect(rest)?
    };
    if let Some(u) = user {
        apply_user(&mut imp, u);
    }
    Ok(imp)
}

fn ezconnect(s: &str) -> Result<Imported> {
    let mut imp = draft(Engine::Oracle);
    let (tcps, rest) = strip_protocol(s);
    let (main, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (hostport, path) = main.split_once('/').unwrap_or((main, ""));
    let (h, p) = super::draft::first_host(&mut imp, hostport)?;
    if h.is_empty() {
        return Err(CoreError::input(
            ErrorCode::HostRequired,
            Some("host"),
            "The string names no host.",
            HINT,
        ));
    }
    imp.fields.host = h;
    if let Some(p) = p {
        imp.fields.port = p;
    }
    // service_name[:server_type][/instance_name]
    let (service, extra) = match path.split_once([':', '/']) {
        Some((svc, extra)) => (svc, Some(extra)),
        None => (path, None),
    };
    imp.fields.database = service.to_owned();
    set_option(
        &mut imp,
        "connect_by",
        OptionValue::Text("service_name".into()),
    );
    if extra.is_some_and(|e| !e.is_empty()) {
        imp.warnings
            .push("the server type / instance name after the service is not imported".into());
    }
    let mut dn_match = None;
    // EZConnect Plus quotes values ("…"); it does not percent-encode them.
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let v = v.to_owned();
        match k.to_ascii_lowercase().as_str() {
            "ssl_server_dn_match" => dn_match = super::draft::is_true(&v),
            "ssl_server_cert_dn" => {
                set_option(&mut imp, "server_dn", OptionValue::Text(unquote(&v)))
            }
            "connect_timeout" => timeout_from_secs(&mut imp, "connect_timeout", &v, 1)?,
            "wallet_location" => imp.warnings.push(
                "wallet_location is not read: add the CA certificate as PEM in the form".into(),
            ),
            other => unmapped(&mut imp, other),
        }
    }
    imp.fields.tls.mode = tls_mode(tcps == Some(true), dn_match);
    Ok(imp)
}

fn tls_mode(tcps: bool, dn_match: Option<bool>) -> TlsMode {
    match (tcps, dn_match) {
        (false, _) => TlsMode::Disable,
        (true, Some(false)) => TlsMode::VerifyCa,
        (true, _) => TlsMode::VerifyFull,
    }
}

/// Flattens `(A=(B=x)(C=(D=y)))` into (`A/B`, x), (`A/C/D`, y), keys upper-cased. Also
/// reads the address in an Oracle listener's REDIRECT (probe/oracle.rs).
pub fn descriptor_pairs(s: &str) -> Result<Vec<(String, String)>> {
    let bad = |m: &str| invalid(format!("The TNS descriptor is not valid: {m}."), HINT);
    let b = s.as_bytes();
    let mut i = 0;
    let mut path: Vec<String> = Vec::new();
    let mut out = Vec::new();
    let skip_ws = |i: &mut usize| {
        while *i < b.len() && b[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        if i >= b.len() {
            break;
        }
        match b[i] {
            b'(' => {
                i += 1;
                let start = i;
                while i < b.len() && !matches!(b[i], b'=' | b'(' | b')') {
                    i += 1;
                }
                if i >= b.len() || b[i] != b'=' {
                    return Err(bad("a parameter has no '='"));
                }
                let key = s[start..i].trim().to_ascii_uppercase();
                i += 1;
                skip_ws(&mut i);
                if i < b.len() && b[i] == b'(' {
                    if path.len() >= MAX_DEPTH {
                        return Err(bad("it is nested too deeply"));
                    }
                    path.push(key);
                    continue;
                }
                let value = if i < b.len() && b[i] == b'"' {
                    let start = i + 1;
                    let end = s[start..]
                        .find('"')
                        .ok_or_else(|| bad("a quote is not closed"))?;
                    i = start + end + 1;
                    s[start..start + end].to_owned()
                } else {
                    let start = i;
                    while i < b.len() && !matches!(b[i], b'(' | b')') {
                        i += 1;
                    }
                    s[start..i].trim().to_owned()
                };
                skip_ws(&mut i);
                if i >= b.len() || b[i] != b')' {
                    return Err(bad("a parenthesis is not closed"));
                }
                i += 1;
                let mut full = path.join("/");
                if !full.is_empty() {
                    full.push('/');
                }
                full.push_str(&key);
                out.push((full, value));
            }
            b')' => {
                if path.pop().is_none() {
                    return Err(bad("there is a ')' too many"));
                }
                i += 1;
            }
            _ => return Err(bad("text outside parentheses")),
        }
    }
    if !path.is_empty() {
        return Err(bad("a parenthesis is not closed"));
    }
    Ok(out)
}

pub fn import_tns(s: &str) -> Result<Imported> {
    let mut s = s.trim();
    let mut alias = None;
    if is_tns_alias(s) {
        if let Some((a, rest)) = s.split_once('=') {
            alias = Some(a.trim().to_owned());
            s = rest.trim();
        }
    }
    let mut imp = draft(Engine::Oracle);
    let mut addresses = 0;
    let (mut tcps, mut dn_match) = (false, None);
    for (key, value) in descriptor_pairs(s)? {
        let leaf = key.rsplit('/').next().unwrap_or("");
        let in_address = key.contains("ADDRESS/");
        match leaf {
            "PROTOCOL" if in_address => {
                addresses += 1;
                if addresses == 1 {
                    tcps = value.eq_ignore_ascii_case("tcps");
                }
            }
            "HOST" if in_address => {
                if addresses <= 1 {
                    imp.fields.host = value;
                }
            }
            "PORT" if in_address => {
                if addresses <= 1 {
                    imp.fields.port = parse_port(&value)?;
                }
            }
            "SERVICE_NAME" => {
                imp.fields.database = value;
                set_option(
                    &mut imp,
                    "connect_by",
                    OptionValue::Text("service_name".into()),
                );
            }
            "SID" => {
                imp.fields.database = value;
                set_option(&mut imp, "connect_by", OptionValue::Text("sid".into()));
            }
            "SSL_SERVER_DN_MATCH" => dn_match = super::draft::is_true(&value),
            "SSL_SERVER_CERT_DN" => set_option(&mut imp, "server_dn", OptionValue::Text(value)),
            "CONNECT_TIMEOUT" => timeout_from_secs(&mut imp, "CONNECT_TIMEOUT", &value, 1)?,
            _ => unmapped(&mut imp, &key),
        }
    }
    if addresses > 1 {
        imp.warnings.push(format!(
            "{addresses} addresses are listed; only the first is imported (add a connection for each of the others)"
        ));
    }
    imp.fields.tls.mode = tls_mode(tcps, dn_match);
    if let Some(a) = alias {
        imp.fields.name = a;
    }
    Ok(imp)
}

/// `jdbc:oracle:thin:[user/password]@…`
pub fn import_jdbc(s: &str) -> Result<Imported> {
    let lower = s.to_ascii_lowercase();
    let rest = if lower.starts_with("jdbc:oracle:thin:") {
        &s[17..]
    } else if lower.starts_with("jdbc:oracle:oci:") {
        &s[16..]
    } else {
        return Err(invalid("The JDBC URL is not jdbc:oracle:thin:.", HINT));
    };
    let (user, target) = split_user(rest);
    let target = target.trim();
    let mut imp = if target.starts_with('(') {
        import_tns(target)?
    } else if !target.starts_with("//") && !target.contains("://") && !target.contains('/') {
        // host:port:SID (the old thin style), or a tnsnames alias.
        let parts: Vec<&str> = target.rsplitn(3, ':').collect();
        if parts.len() != 3 {
            return Err(invalid(
                "A TNS alias needs tnsnames.ora, which Switchboard does not read.",
                "Use the alias's descriptor, or @//host:1521/service_name.",
            ));
        }
        let mut imp = draft(Engine::Oracle);
        let (h, p) = split_host_port(&format!("{}:{}", parts[2], parts[1]))?;
        imp.fields.host = h;
        imp.fields.port = p.unwrap_or(1521);
        imp.fields.database = parts[0].to_owned();
        set_option(&mut imp, "connect_by", OptionValue::Text("sid".into()));
        imp.fields.tls.mode = TlsMode::Disable;
        imp
    } else {
        ezconnect(target)?
    };
    if let Some(u) = user.filter(|u| !u.is_empty()) {
        apply_user(&mut imp, u);
    }
    Ok(imp)
}

fn quote_ident(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        s.to_owned()
    } else {
        format!("\"{s}\"")
    }
}

pub fn export(
    f: &ConnectionFields,
    password: Option<&str>,
    format: ExportFormat,
    out: &mut Out,
) -> Result<String> {
    let opt = |k: &str| f.text_option(k);
    out.unexported_options(f, &["connect_by", "server_dn"], "an Oracle connect string");
    if [&f.username, password.unwrap_or("")]
        .iter()
        .any(|s| s.contains('"'))
    {
        return Err(CoreError::input(
            ErrorCode::ExportNotPossible,
            Some("username"),
            "Oracle connect strings cannot carry a double quote in a user name or password.",
            "Copy it without the password, or change it.",
        ));
    }
    let sid = opt("connect_by") == Some("sid");
    let tcps = !matches!(f.tls.mode, TlsMode::Disable | TlsMode::Prefer);
    match f.tls.mode {
        TlsMode::Prefer => out.drop("tls.mode", "Oracle has no prefer: written as plain TCP"),
        TlsMode::Require => out.drop(
            "tls.mode",
            "Oracle clients always check the chain against their wallet: require is written as TCPS with ssl_server_dn_match=no",
        ),
        _ => {}
    }
    let dn = opt("server_dn")
        .filter(|dn| f.tls.mode == TlsMode::VerifyFull && !dn.contains(['"', '&', '(', ')']));
    if opt("server_dn").is_some() && dn.is_none() {
        out.dropped.push("options.server_dn".into());
    }
    let timeout = (f.timeout_secs != DEFAULT_TIMEOUT_SECS).then_some(f.timeout_secs);
    let user = |with_password: bool| match (f.username.is_empty(), password) {
        (true, _) => String::new(),
        (false, Some(p)) if with_password => {
            format!("{}/{}@", quote_ident(&f.username), quote_ident(p))
        }
        (false, _) => format!("{}@", quote_ident(&f.username)),
    };
    let identifier = if sid {
        let mut d = format!(
            "(DESCRIPTION=(ADDRESS=(PROTOCOL={})(HOST={})(PORT={}))(CONNECT_DATA=(SID={}))",
            if tcps { "TCPS" } else { "TCP" },
            f.host,
            f.port,
            f.database
        );
        if tcps {
            d.push_str("(SECURITY=");
            d.push_str(if f.tls.mode == TlsMode::VerifyFull {
                "(SSL_SERVER_DN_MATCH=YES)"
            } else {
                "(SSL_SERVER_DN_MATCH=NO)"
            });
            if let Some(dn) = dn {
                d.push_str(&format!("(SSL_SERVER_CERT_DN=\"{dn}\")"));
            }
            d.push(')');
        }
        if let Some(t) = timeout {
            d.push_str(&format!("(CONNECT_TIMEOUT={t})"));
        }
        d.push(')');
        d
    } else {
        let mut q = Vec::new();
        if tcps && f.tls.mode != TlsMode::VerifyFull {
            q.push("ssl_server_dn_match=no".to_owned());
        }
        if let Some(dn) = dn {
            q.push(format!("ssl_server_cert_dn=\"{dn}\""));
        }
        if let Some(t) = timeout {
            q.push(format!("connect_timeout={t}"));
        }
        format!(
            "{}{}:{}/{}{}{}",
            if tcps { "tcps://" } else { "//" },
            url_host(&f.host),
            f.port,
            f.database,
            if q.is_empty() { "" } else { "?" },
            q.join("&")
        )
    };
    match format {
        ExportFormat::Url => Ok(format!("{}{identifier}", user(true))),
        ExportFormat::Shell => Ok(format!(
            "sqlplus {}",
            super::shell::quote(&format!("{}{identifier}", user(true)))
        )),
        ExportFormat::Jdbc => {
            if password.is_none() && !f.username.is_empty() {
                out.drop(
                    "username",
                    "JDBC thin URLs carry the user only with its password: pass the user to the driver",
                );
            }
            let who = if password.is_some() {
                user(true)
            } else {
                "@".into()
            };
            let who = if who.ends_with('@') {
                who
            } else {
                format!("{who}@")
            };
            let target = if sid && !tcps && dn.is_none() && timeout.is_none() {
                format!("{}:{}:{}", url_host(&f.host), f.port, f.database)
            } else {
                identifier
            };
            Ok(format!("jdbc:oracle:thin:{who}{target}"))
        }
        other => Err(super::export::not_carried(f.engine, other)),
    }
}

/// `sqlplus [-S] [-L] connect_identifier`
pub fn import_sqlplus(args: &[String]) -> Result<Imported> {
    let target = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .ok_or_else(|| invalid("The sqlplus command names no database.", HINT))?;
    import_ezconnect(target)
}
