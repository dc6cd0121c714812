//! Microsoft SQL Server: ADO.NET strings, `jdbc:sqlserver:` URLs, go-mssqldb `sqlserver://`
//! URLs and sqlcmd. Out: all four.
//!
//! ADO.NET and JDBC are read by hand: the `connection-string` crate rejects any non-ASCII
//! character (so a password such as `pässwort` fails), keeps doubled quotes doubled, and
//! quotes the offending input in its errors. Its readings are compared with ours in tests
//! on the inputs it does handle.

use super::draft::Imported;
use super::draft::{
    decode, draft, encode, invalid, parse_port, set_option, set_password, timeout_from_secs,
    unmapped,
};
use super::export::{ExportFormat, Out};
use crate::error::{CoreError, ErrorCode, Result};
use crate::hosts::url_host;
use crate::model::{ConnectionFields, Engine, OptionValue, TlsMode, DEFAULT_TIMEOUT_SECS};

const ADO_SERVER: &[&str] = &[
    "server",
    "data source",
    "address",
    "addr",
    "network address",
];

/// `Server=…;` or `Data Source=…;`: an ADO.NET string.
pub fn looks_like_ado(s: &str) -> bool {
    let first = s.split(';').next().unwrap_or("");
    let key = first
        .split('=')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    s.contains('=')
        && (ADO_SERVER.contains(&key.as_str())
            || matches!(
                key.as_str(),
                "initial catalog"
                    | "database"
                    | "user id"
                    | "uid"
                    | "encrypt"
                    | "integrated security"
            ) && s.contains(';'))
}

/// Splits `key=value;…` as Microsoft's readers do: keys are case-insensitive (`==` is a
/// literal `=`), values may be in "…" or '…' (a doubled quote is one quote) or {…} (`}}`
/// is one brace), and unquoted values are trimmed. The last of a repeated key wins.
pub(super) fn pairs(s: &str, what: &str, quotes: bool) -> Result<Vec<(String, String)>> {
    let bad = |m: &str| {
        invalid(
            format!("The {what} is not valid: {m}."),
            "Separate settings with ';' and quote values containing ';' with double quotes or braces, e.g. Password=\"a;b\".",
        )
    };
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out: Vec<(String, String)> = Vec::new();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    while i < chars.len() {
        while i < chars.len() && (chars[i] == ';' || chars[i].is_whitespace()) {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let mut key = String::new();
        loop {
            match chars.get(i) {
                None => return Err(bad("a setting has no '='")),
                Some('=') if chars.get(i + 1) == Some(&'=') => {
                    key.push('=');
                    i += 2;
                }
                Some('=') => {
                    i += 1;
                    break;
                }
                Some(';') => return Err(bad("a setting has no '='")),
                Some(c) => {
                    key.push(*c);
                    i += 1;
                }
            }
        }
        let key = key.trim().to_lowercase();
        if key.is_empty() {
            return Err(bad("a setting has no name"));
        }
        while i < chars.len() && chars[i].is_whitespace() && chars[i] != '\n' {
            i += 1;
        }
        let mut value = String::new();
        match chars.get(i) {
            Some(&q) if q == '{' || quotes && (q == '"' || q == '\'') => {
                let close = if q == '{' { '}' } else { q };
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(bad("a quoted value is not closed")),
                        Some(&c) if c == close && chars.get(i + 1) == Some(&close) => {
                            value.push(close);
                            i += 2;
                        }
                        Some(&c) if c == close => {
                            i += 1;
                            break;
                        }
                        Some(&c) => {
                            value.push(c);
                            i += 1;
                        }
                    }
                }
                while i < chars.len() && chars[i].is_whitespace() {
                    i += 1;
                }
                if i < chars.len() && chars[i] != ';' {
                    return Err(bad("text follows a quoted value"));
                }
            }
            _ => {
                while i < chars.len() && chars[i] != ';' {
                    value.push(chars[i]);
                    i += 1;
                }
                value = value.trim().to_owned();
            }
        }
        // The last of a repeated key wins, in its first place.
        match seen.get(&key) {
            Some(&at) => out[at].1 = value,
            None => {
                seen.insert(key.clone(), out.len());
                out.push((key, value));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
pub fn pairs_for_tests(s: &str) -> Vec<(String, String)> {
    pairs(s, "test", true).unwrap_or_default()
}

pub(super) fn quote_ado(v: &str) -> String {
    let plain = !v.is_empty() && !v.contains([';', '"', '\'', '{', '=']) && v.trim() == v;
    if plain {
        v.to_owned()
    } else {
        format!("\"{}\"", v.replace('"', "\"\""))
    }
}

fn quote_jdbc(v: &str) -> String {
    let plain = !v.is_empty() && !v.contains([';', '=', '{', '}']) && v.trim() == v;
    if plain {
        v.to_owned()
    } else {
        format!("{{{}}}", v.replace('}', "}}"))
    }
}

/// What the encryption words of any of the four dialects say.
#[derive(Default)]
struct Encryption {
    encrypt: Option<String>,
    trust: Option<bool>,
}

impl Encryption {
    fn mode(&self, imp: &mut Imported) -> Result<TlsMode> {
        let trust = self.trust.unwrap_or(false);
        let verified = if trust {
            TlsMode::Require
        } else {
            TlsMode::VerifyFull
        };
        Ok(
            match self
                .encrypt
                .as_deref()
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                None => {
                    imp.warnings.push(
                        "Encrypt is not given: the current drivers' default, Mandatory, is used"
                            .into(),
                    );
                    verified
                }
                Some("true" | "yes" | "mandatory" | "1") => verified,
                Some("optional") => TlsMode::Prefer,
                Some("false" | "no" | "0" | "disable") => switches(false, trust),
                Some("strict") => {
                    imp.warnings.push(
                    "Encrypt=Strict (TDS 8) is not available in Switchboard's driver: Mandatory with a verified certificate is used".into(),
                );
                    TlsMode::VerifyFull
                }
                Some(_) => {
                    return Err(CoreError::input(
                        ErrorCode::UrlInvalid,
                        Some("encrypt"),
                        "Encrypt is not one of True, False, Optional, Mandatory, Strict.",
                        "Use Encrypt=True with TrustServerCertificate=False.",
                    ))
                }
            },
        )
    }
}

/// TLS from a driver's two switches, with SqlClient's meaning (tedious and the OLE DB
/// driver read `encrypt` and `trustServerCertificate` the same way).
pub(super) fn switches(encrypt: bool, trust: bool) -> TlsMode {
    match (encrypt, trust) {
        (false, _) => TlsMode::Disable,
        (true, true) => TlsMode::Require,
        (true, false) => TlsMode::VerifyFull,
    }
}

/// `tcp:host\instance,port` and friends.
fn server(imp: &mut Imported, v: &str) -> Result<()> {
    let mut s = v.trim();
    if let Some(rest) = s.strip_prefix("tcp:") {
        s = rest;
    } else if s.starts_with("np:") || s.starts_with("lpc:") || s.starts_with("admin:") {
        return Err(invalid(
            "Named pipes and shared memory are not supported; Switchboard connects over TCP.",
            "Give the server as tcp:host,port.",
        ));
    }
    let (hostinst, port) = match s.rsplit_once(',') {
        Some((h, p)) => (h, Some(parse_port(p)?)),
        None => (s, None),
    };
    let (host, instance) = match hostinst.split_once('\\') {
        Some((h, i)) => (h, Some(i)),
        None => (hostinst, None),
    };
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    imp.fields.host = match host {
        "." | "(local)" | "localhost" => "localhost".into(),
        h => h.to_owned(),
    };
    if let Some(i) = instance.filter(|i| !i.is_empty()) {
        set_option(imp, "instance", OptionValue::Text(i.to_owned()));
    }
    if let Some(p) = port {
        imp.fields.port = p;
    }
    Ok(())
}

fn intent(imp: &mut Imported, v: &str) {
    let read_only = v.eq_ignore_ascii_case("readonly");
    set_option(
        imp,
        "application_intent",
        OptionValue::Text(if read_only { "read_only" } else { "read_write" }.into()),
    );
}

fn windows_auth(imp: &mut Imported, k: &str, v: &str) {
    if super::draft::is_true(v) == Some(true) || v.eq_ignore_ascii_case("sspi") {
        imp.warnings.push(format!(
            "{k}: Windows authentication is not supported; enter a SQL login and password"
        ));
    }
}

pub fn import_ado(s: &str) -> Result<Imported> {
    let mut imp = draft(Engine::SqlServer);
    let mut enc = Encryption::default();
    for (k, v) in pairs(s, "ADO.NET string", true)? {
        match k.as_str() {
            k if ADO_SERVER.contains(&k) => server(&mut imp, &v)?,
            "initial catalog" | "database" => imp.fields.database = v,
            "user id" | "uid" | "user" => imp.fields.username = v,
            "password" | "pwd" => set_password(&mut imp, v),
            "encrypt" => enc.encrypt = Some(v),
            "trustservercertificate" | "trust server certificate" => {
                enc.trust = super::draft::is_true(&v)
            }
            "hostnameincertificate" | "host name in certificate" => {
                set_option(&mut imp, "host_name_in_certificate", OptionValue::Text(v))
            }
            "applicationintent" | "application intent" => intent(&mut imp, &v),
            "connect timeout" | "connection timeout" | "timeout" => {
                timeout_from_secs(&mut imp, "Connect Timeout", &v, 1)?
            }
            "integrated security" | "trusted_connection" => windows_auth(&mut imp, &k, &v),
            other => unmapped(&mut imp, other),
        }
    }
    imp.fields.tls.mode = enc.mode(&mut imp)?;
    Ok(imp)
}

/// `jdbc:sqlserver://[host[\instance][:port]][;property=value]…`
pub fn import_jdbc(s: &str) -> Result<Imported> {
    let rest = s
        .get("jdbc:sqlserver:".len()..)
        .and_then(|r| r.strip_prefix("//"))
        .ok_or_else(|| {
            invalid(
                "The JDBC URL does not start with jdbc:sqlserver://.",
                "Use jdbc:sqlserver://host:1433;databaseName=db;encrypt=true.",
            )
        })?;
    let (address, props) = rest.split_once(';').unwrap_or((rest, ""));
    let mut imp = draft(Engine::SqlServer);
    if !address.is_empty() {
        let (hostinst, port) = if let Some(v6) = address.strip_prefix('[') {
            let (h, after) = v6.split_once(']').ok_or_else(|| {
                invalid(
                    "An IPv6 address is missing its closing ].",
                    "Write [2001:db8::1]:1433.",
                )
            })?;
            (h, after.strip_prefix(':'))
        } else {
            match address.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (address, None),
            }
        };
        server(&mut imp, hostinst)?;
        if let Some(p) = port {
            imp.fields.port = parse_port(p)?;
        }
    }
    let mut enc = Encryption::default();
    for (k, v) in pairs(props, "JDBC URL", false)? {
        match k.as_str() {
            "servername" | "server" => server(&mut imp, &v)?,
            "instancename" => set_option(&mut imp, "instance", OptionValue::Text(v)),
            "portnumber" | "port" => imp.fields.port = parse_port(&v)?,
            "databasename" | "database" => imp.fields.database = v,
            "user" | "username" => imp.fields.username = v,
            "password" => set_password(&mut imp, v),
            "encrypt" => enc.encrypt = Some(v),
            "trustservercertificate" => enc.trust = super::draft::is_true(&v),
            "hostnameincertificate" => {
                set_option(&mut imp, "host_name_in_certificate", OptionValue::Text(v))
            }
            "applicationintent" => intent(&mut imp, &v),
            "logintimeout" => timeout_from_secs(&mut imp, "loginTimeout", &v, 1)?,
            "integratedsecurity" => windows_auth(&mut imp, "integratedSecurity", &v),
            other => unmapped(&mut imp, other),
        }
    }
    imp.fields.tls.mode = enc.mode(&mut imp)?;
    Ok(imp)
}

/// go-mssqldb / sqlcmd: `sqlserver://user:pass@host:port/instance?database=…&encrypt=…`
pub fn import_url(s: &str) -> Result<Imported> {
    let hint = "Use sqlserver://user@host:1433?database=db&encrypt=true.";
    let url =
        url::Url::parse(s).map_err(|_| invalid("The sqlserver:// URL is not valid.", hint))?;
    let mut imp = draft(Engine::SqlServer);
    imp.fields.host = url
        .host_str()
        .unwrap_or("")
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    imp.fields.host = decode(&imp.fields.host.clone(), "host")?;
    if let Some(p) = url.port() {
        imp.fields.port = parse_port(&p.to_string())?;
    }
    imp.fields.username = decode(url.username(), "user name")?;
    if let Some(p) = url.password() {
        set_password(&mut imp, decode(p, "password")?);
    }
    let instance = decode(url.path().trim_matches('/'), "instance")?;
    if !instance.is_empty() {
        set_option(&mut imp, "instance", OptionValue::Text(instance));
    }
    let mut enc = Encryption::default();
    for (k, v) in url.query_pairs() {
        let (k, v) = (k.to_ascii_lowercase(), v.into_owned());
        match k.as_str() {
            "database" => imp.fields.database = v,
            "user id" => imp.fields.username = v,
            "password" => set_password(&mut imp, v),
            "encrypt" => enc.encrypt = Some(v),
            "trustservercertificate" => enc.trust = super::draft::is_true(&v),
            "hostnameincertificate" => {
                set_option(&mut imp, "host_name_in_certificate", OptionValue::Text(v))
            }
            "applicationintent" => intent(&mut imp, &v),
            "connection timeout" | "dial timeout" => timeout_from_secs(&mut imp, &k, &v, 1)?,
            other => unmapped(&mut imp, other),
        }
    }
    imp.fields.tls.mode = enc.mode(&mut imp)?;
    Ok(imp)
}

/// sqlcmd's arguments (ODBC sqlcmd 18 and go-sqlcmd share these).
pub fn import_sqlcmd(args: &[String]) -> Result<Imported> {
    let mut imp = draft(Engine::SqlServer);
    let mut enc = Encryption::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if !a.starts_with('-') || a.len() < 2 {
            return Err(invalid(
                "sqlcmd has an argument Switchboard does not read.",
                "Keep only -S -d -U -P -N -C -K -l.",
            ));
        }
        // The flag is two characters, which may take more than two bytes.
        let at = a.char_indices().nth(2).map_or(a.len(), |(i, _)| i);
        let (flag, attached) = a.split_at(at);
        let mut value = || -> Result<String> {
            if attached.is_empty() {
                it.next().cloned().ok_or_else(|| {
                    invalid(
                        format!("sqlcmd {flag} needs a value."),
                        "e.g. sqlcmd -S tcp:host,1433",
                    )
                })
            } else {
                Ok(attached.to_owned())
            }
        };
        match flag {
            "-S" => server(&mut imp, &value()?)?,
            "-d" => imp.fields.database = value()?,
            "-U" => imp.fields.username = value()?,
            "-P" => set_password(&mut imp, value()?),
            "-N" => {
                let v = value()?;
                enc.encrypt = Some(
                    match v.as_str() {
                        "m" => "mandatory",
                        "o" => "optional",
                        "s" => "strict",
                        other => other,
                    }
                    .to_owned(),
                );
            }
            "-C" => enc.trust = Some(true),
            "-K" => intent(&mut imp, &value()?),
            "-l" => {
                let v = value()?;
                timeout_from_secs(&mut imp, "-l", &v, 1)?;
            }
            "-E" => windows_auth(&mut imp, "-E", "true"),
            other => unmapped(&mut imp, other),
        }
    }
    imp.fields.tls.mode = enc.mode(&mut imp)?;
    Ok(imp)
}

pub fn export(
    f: &ConnectionFields,
    password: Option<&str>,
    format: ExportFormat,
    out: &mut Out,
) -> Result<String> {
    let opt = |k: &str| f.text_option(k);
    out.unexported_options(
        f,
        &["instance", "host_name_in_certificate", "application_intent"],
        "a SQL Server connection string",
    );
    if f.tls.mode == TlsMode::VerifyCa {
        out.drop(
            "tls.mode",
            "SQL Server drivers have no verify-ca (chain without host name): written as verify-full, which is stricter",
        );
    }
    let (encrypt, trust) = match f.tls.mode {
        TlsMode::Disable => ("false", None),
        TlsMode::Prefer => ("optional", None),
        TlsMode::Require => ("true", Some(true)),
        TlsMode::VerifyCa | TlsMode::VerifyFull => ("true", Some(false)),
    };
    let instance = opt("instance");
    let read_only = opt("application_intent") == Some("read_only");
    let cert_name = opt("host_name_in_certificate");
    let timeout = (f.timeout_secs != DEFAULT_TIMEOUT_SECS).then_some(f.timeout_secs);
    // ADO.NET and sqlcmd: tcp:host[\instance][,port] (a named instance's port only when
    // it is not the default, as the SQL Server Browser finds it otherwise).
    let mut server = format!("tcp:{}", f.host);
    if let Some(i) = instance {
        server.push('\\');
        server.push_str(i);
    }
    if instance.is_none() || f.port != 1433 {
        server.push_str(&format!(",{}", f.port));
    }
    match format {
        ExportFormat::Ado => {
            let mut kv = vec![("Server", server)];
            if !f.database.is_empty() {
                kv.push(("Initial Catalog", f.database.clone()));
            }
            if !f.username.is_empty() {
                kv.push(("User ID", f.username.clone()));
            }
            if let Some(p) = password {
                kv.push(("Password", p.to_owned()));
            }
            kv.push(("Encrypt", capitalised(encrypt)));
            if let Some(t) = trust {
                kv.push(("TrustServerCertificate", capitalised(&t.to_string())));
            }
            if let Some(c) = cert_name {
                kv.push(("HostNameInCertificate", c.to_owned()));
            }
            if read_only {
                kv.push(("ApplicationIntent", "ReadOnly".into()));
            }
            if let Some(t) = timeout {
                kv.push(("Connect Timeout", t.to_string()));
            }
            Ok(kv
                .iter()
                .map(|(k, v)| format!("{k}={}", quote_ado(v)))
                .collect::<Vec<_>>()
                .join(";"))
        }
        ExportFormat::Jdbc => {
            let v6 = f.host.contains(':');
            let mut s = String::from("jdbc:sqlserver://");
            let mut props = Vec::new();
            if v6 {
                props.push(format!("serverName={}", quote_jdbc(&f.host)));
                if let Some(i) = instance {
                    props.push(format!("instanceName={}", quote_jdbc(i)));
                }
                props.push(format!("portNumber={}", f.port));
            } else {
                s.push_str(&f.host);
                if let Some(i) = instance {
                    s.push('\\');
                    s.push_str(i);
                }
                if instance.is_none() || f.port != 1433 {
                    s.push_str(&format!(":{}", f.port));
                }
            }
            if !f.database.is_empty() {
                props.push(format!("databaseName={}", quote_jdbc(&f.database)));
            }
            if !f.username.is_empty() {
                props.push(format!("user={}", quote_jdbc(&f.username)));
            }
            if let Some(p) = password {
                props.push(format!("password={}", quote_jdbc(p)));
            }
            props.push(format!("encrypt={encrypt}"));
            if let Some(t) = trust {
                props.push(format!("trustServerCertificate={t}"));
            }
            if let Some(c) = cert_name {
                props.push(format!("hostNameInCertificate={}", quote_jdbc(c)));
            }
            if read_only {
                props.push("applicationIntent=ReadOnly".into());
            }
            if let Some(t) = timeout {
                props.push(format!("loginTimeout={t}"));
            }
            for p in props {
                s.push(';');
                s.push_str(&p);
            }
            Ok(s)
        }
        ExportFormat::Url => {
            let user = super::draft::userinfo(&f.username, password);
            let path = instance
                .map(|i| format!("/{}", encode(i)))
                .unwrap_or_default();
            let mut q = Vec::new();
            if !f.database.is_empty() {
                q.push(format!("database={}", encode(&f.database)));
            }
            q.push(format!("encrypt={encrypt}"));
            if let Some(t) = trust {
                q.push(format!("TrustServerCertificate={t}"));
            }
            if let Some(c) = cert_name {
                q.push(format!("hostNameInCertificate={}", encode(c)));
            }
            if read_only {
                q.push("ApplicationIntent=ReadOnly".into());
            }
            if let Some(t) = timeout {
                q.push(format!("connection%20timeout={t}"));
            }
            Ok(format!(
                "sqlserver://{user}{}:{}{path}?{}",
                url_host(&f.host),
                f.port,
                q.join("&")
            ))
        }
        ExportFormat::Shell => {
            let mut args = vec!["sqlcmd".to_owned(), "-S".into(), server];
            if !f.database.is_empty() {
                args.extend(["-d".into(), f.database.clone()]);
            }
            if !f.username.is_empty() {
                args.extend(["-U".into(), f.username.clone()]);
            }
            if let Some(p) = password {
                args.extend(["-P".into(), p.to_owned()]);
            }
            args.extend(["-N".into(), encrypt.into()]);
            if trust == Some(true) {
                args.push("-C".into());
            }
            if cert_name.is_some() {
                out.drop(
                    "options.host_name_in_certificate",
                    "sqlcmd has no host-name-in-certificate flag; the host name is checked",
                );
            }
            if read_only {
                args.extend(["-K".into(), "ReadOnly".into()]);
            }
            if let Some(t) = timeout {
                args.extend(["-l".into(), t.to_string()]);
            }
            Ok(super::shell::join(&args))
        }
        other => Err(super::export::not_carried(f.engine, other)),
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
