//! PostgreSQL: libpq URIs and keyword=value strings (read by `crate::libpq`, which agrees
//! with the real libpq), pgjdbc URLs, and psql. Out: URL, keyword=value, JDBC, psql.

use super::draft::Imported;
use super::draft::{
    decode, draft, encode, file, invalid, parse_port, set_option, set_password, timeout_from_secs,
    unmapped, FileSlot,
};
use super::export::{ExportFormat, Out};
use crate::error::{CoreError, ErrorCode, Result};
use crate::hosts::url_host;
use crate::libpq::Conninfo;
use crate::model::{ConnectionFields, Engine, OptionValue, TlsMode, DEFAULT_TIMEOUT_SECS};

pub fn import_uri(s: &str) -> Result<Imported> {
    from_conninfo(libpq_parse(s)?)
}

pub fn import_keywords(s: &str) -> Result<Imported> {
    from_conninfo(libpq_parse(s)?)
}

fn libpq_parse(s: &str) -> Result<Conninfo> {
    crate::libpq::parse(s).map_err(|e| {
        invalid(
            format!("libpq cannot read this: {e}"),
            "Percent-encode special characters in URIs (%40 for @, %25 for %); quote values with spaces in keyword=value strings (password='a b').",
        )
    })
}

/// `host=… dbname=…`: the first word is a libpq keyword followed by `=`.
pub fn looks_like_keywords(s: &str) -> bool {
    let first = s.split_whitespace().next().unwrap_or("");
    let key = first.split('=').next().unwrap_or("").trim();
    crate::libpq::KEYWORDS.contains(&key) && (first.contains('=') || s.contains('='))
}

/// libpq's keywords and values (from a URI, a keyword string or a service-file section)
/// mapped onto a draft; every keyword without a place is a warning.
pub fn from_conninfo(mut kv: Conninfo) -> Result<Imported> {
    let mut imp = draft(Engine::Postgres);
    let mut take = |k: &str| kv.remove(k);
    let hosts = take("host").unwrap_or_default();
    let hostaddr = take("hostaddr");
    let ports = take("port").unwrap_or_default();
    let host_list: Vec<&str> = hosts.split(',').collect();
    let port_list: Vec<&str> = ports.split(',').collect();
    let first_host = host_list.first().copied().unwrap_or("").to_owned();
    if host_list.len() > 1 {
        imp.warnings.push(format!(
            "{} hosts are listed; only the first is imported (Switchboard tests one server per connection: add one for each of the others)",
            host_list.len()
        ));
    }
    imp.fields.host = first_host;
    if let Some(addr) = hostaddr.filter(|a| !a.is_empty()) {
        if imp.fields.host.is_empty() {
            imp.fields.host = addr.split(',').next().unwrap_or("").to_owned();
        } else {
            imp.warnings.push(
                "hostaddr is not imported: the host name is used, and resolved at test time".into(),
            );
        }
    }
    if imp.fields.host.is_empty() {
        imp.warnings.push(
            "no host is given: libpq would use its local Unix socket; enter its directory (e.g. /var/run/postgresql) or a host"
                .into(),
        );
    }
    if let Some(p) = port_list.first().filter(|p| !p.is_empty()) {
        imp.fields.port = parse_port(p)?;
    }
    if let Some(u) = take("user") {
        imp.fields.username = u;
    }
    if let Some(p) = take("password") {
        set_password(&mut imp, p);
    }
    if let Some(d) = take("dbname") {
        imp.fields.database = d;
    }
    if imp.fields.database.is_empty() && !imp.fields.username.is_empty() {
        // libpq's default database is the user name.
        imp.fields.database = imp.fields.username.clone();
    }
    imp.fields.tls.mode = match take("sslmode").as_deref() {
        None => {
            imp.warnings.push(
                "no sslmode is given: libpq's default, prefer, is kept (the certificate is not verified; verify-full is safer)"
                    .into(),
            );
            TlsMode::Prefer
        }
        Some("allow") => {
            imp.warnings.push(
                "sslmode=allow (plain first, TLS only if refused) is imported as prefer (TLS first)"
                    .into(),
            );
            TlsMode::Prefer
        }
        Some(m) => TlsMode::parse(m).ok_or_else(|| {
            CoreError::input(
                ErrorCode::UrlInvalid,
                Some("sslmode"),
                "sslmode is not one of disable, allow, prefer, require, verify-ca, verify-full.",
                "Use verify-full to encrypt and check the server's identity.",
            )
        })?,
    };
    if let Some(root) = take("sslrootcert") {
        if root != "system" {
            if imp.fields.tls.mode == TlsMode::Require {
                // libpq: with a root certificate given, require verifies the chain.
                imp.fields.tls.mode = TlsMode::VerifyCa;
                imp.warnings.push(
                    "sslmode=require with sslrootcert verifies the chain in libpq: imported as verify-ca"
                        .into(),
                );
            }
            file(&mut imp, FileSlot::Ca, "sslrootcert", root);
        }
    }
    if let Some(c) = take("sslcert") {
        file(&mut imp, FileSlot::ClientCert, "sslcert", c);
    }
    if let Some(k) = take("sslkey") {
        file(&mut imp, FileSlot::ClientKey, "sslkey", k);
    }
    if let Some(t) = take("connect_timeout") {
        timeout_from_secs(&mut imp, "connect_timeout", &t, 1)?;
    }
    for (param, option) in [
        ("application_name", "application_name"),
        ("target_session_attrs", "target_session_attrs"),
    ] {
        if let Some(v) = take(param) {
            set_option(&mut imp, option, OptionValue::Text(v));
        }
    }
    if let Some(o) = take("options") {
        let (schema, rest) = search_path(&o);
        if let Some(s) = schema {
            set_option(&mut imp, "schema", OptionValue::Text(s));
        }
        if !rest.is_empty() {
            // Name the settings (not their values): the user looks for `statement_timeout`.
            let names: Vec<&str> = rest
                .iter()
                .map(|s| s.split_once('=').map_or(s.as_str(), |(k, _)| k))
                .collect();
            imp.warnings.push(format!(
                "options: {} besides search_path {} not imported: {}",
                crate::words::count(names.len() as i64, "server setting", "server settings"),
                if names.len() == 1 { "is" } else { "are" },
                names.join(", ")
            ));
        }
    }
    for k in kv.keys() {
        unmapped(&mut imp, k);
    }
    Ok(imp)
}

/// The backend's own splitting of `options` (whitespace separates, backslash escapes),
/// picking out `-c search_path=…`; the other settings are returned.
fn search_path(options: &str) -> (Option<String>, Vec<String>) {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut chars = options.chars();
    let mut in_word = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                in_word = true;
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    let mut schema = None;
    let mut rest = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let setting = if w == "-c" {
            i += 1;
            words.get(i).cloned()
        } else if let Some(s) = w.strip_prefix("-c").or_else(|| w.strip_prefix("--")) {
            Some(s.to_owned())
        } else {
            rest.push(w.clone());
            None
        };
        if let Some(s) = setting {
            match s.split_once('=') {
                Some((k, v)) if k.replace('-', "_") == "search_path" => schema = Some(v.to_owned()),
                _ => rest.push(s),
            }
        }
        i += 1;
    }
    (schema, rest)
}

fn options_value(schema: &str) -> String {
    let mut escaped = String::new();
    for c in schema.chars() {
        if c.is_whitespace() || c == '\\' {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    format!("-c search_path={escaped}")
}

/// pgjdbc: `jdbc:postgresql://host[:port][,host2…]/db?user=…&sslmode=…`, also
/// `jdbc:postgresql:db` and `jdbc:postgresql://` (localhost), read as pgjdbc 42's
/// `Driver.parseURL` and `SslMode.of` read them (tests/jdbc_parity.rs).
pub fn import_jdbc(s: &str) -> Result<Imported> {
    let rest = &s["jdbc:postgresql:".len()..];
    let (main, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut imp = draft(Engine::Postgres);
    let shape = || {
        invalid(
            "pgjdbc does not read this URL: after // come the hosts, one / and the database.",
            "Use jdbc:postgresql://host:5432/db (the / is needed even without a database).",
        )
    };
    let database = if let Some(after) = main.strip_prefix("//") {
        if after.is_empty() || after == "/" {
            // pgjdbc's own shorthand for localhost.
            imp.fields.host = "localhost".into();
            ""
        } else {
            // pgjdbc returns no connection for a host part without its / or a path with
            // a second /.
            let (authority, path) = after.split_once('/').ok_or_else(shape)?;
            if path.contains('/') {
                return Err(shape());
            }
            let (h, p) = super::draft::authority(&mut imp, authority)?;
            imp.fields.host = h;
            if let Some(p) = p {
                imp.fields.port = p;
            }
            path
        }
    } else if main.starts_with('/') {
        return Err(shape());
    } else {
        imp.fields.host = "localhost".into();
        main
    };
    // pgjdbc decodes with java.net.URLDecoder: `+` is a space, in the path and the query.
    imp.fields.database = decode(&database.replace('+', " "), "database name")?;
    let mut ssl = None;
    let mut mode = None;
    for (k, v) in super::draft::query_pairs(query, true)? {
        match k.as_str() {
            "user" => imp.fields.username = v,
            "password" => set_password(&mut imp, v),
            // pgjdbc: `ssl` with no value, or any case of true, asks for TLS
            // (Boolean.parseBoolean); every other value leaves its default.
            "ssl" => ssl = Some(v.is_empty() || v.eq_ignore_ascii_case("true")),
            "sslmode" => {
                // pgjdbc compares sslmode without regard to case.
                mode = Some(match v.to_ascii_lowercase().as_str() {
                    "allow" => {
                        imp.warnings.push(
                            "sslmode=allow (plain first, TLS only if refused) is imported as prefer (TLS first)".into(),
                        );
                        TlsMode::Prefer
                    }
                    m => TlsMode::parse(m).ok_or_else(|| {
                        CoreError::input(
                            ErrorCode::UrlInvalid,
                            Some("sslmode"),
                            "sslmode is not one of disable, allow, prefer, require, verify-ca, verify-full.",
                            "Use sslmode=verify-full.",
                        )
                    })?,
                })
            }
            "sslrootcert" => file(&mut imp, FileSlot::Ca, "sslrootcert", v),
            "sslcert" => file(&mut imp, FileSlot::ClientCert, "sslcert", v),
            "sslkey" => file(&mut imp, FileSlot::ClientKey, "sslkey", v),
            "ApplicationName" => set_option(&mut imp, "application_name", OptionValue::Text(v)),
            "currentSchema" => set_option(&mut imp, "schema", OptionValue::Text(v)),
            "connectTimeout" | "loginTimeout" => timeout_from_secs(&mut imp, &k, &v, 1)?,
            "targetServerType" => {
                let attrs = match v.as_str() {
                    "any" => "any",
                    "primary" | "master" => "primary",
                    "secondary" | "slave" => "standby",
                    "preferSecondary" | "preferSlave" => "prefer-standby",
                    _ => {
                        imp.warnings.push(
                            "targetServerType has a value Switchboard has no setting for; it was not imported".into(),
                        );
                        continue;
                    }
                };
                set_option(
                    &mut imp,
                    "target_session_attrs",
                    OptionValue::Text(attrs.into()),
                );
            }
            _ => unmapped(&mut imp, &k),
        }
    }
    imp.fields.tls.mode = match (mode, ssl) {
        (Some(m), _) => m,
        // pgjdbc: ssl=true without sslmode verifies fully.
        (None, Some(true)) => TlsMode::VerifyFull,
        (None, Some(false)) => {
            imp.warnings.push(
                "ssl is not true: pgjdbc then keeps its default, prefer (ssl=false does not turn TLS off; sslmode=disable does)"
                    .into(),
            );
            TlsMode::Prefer
        }
        (None, None) => {
            imp.warnings.push(
                "no sslmode is given: pgjdbc's default, prefer, is kept (the certificate is not verified)"
                    .into(),
            );
            TlsMode::Prefer
        }
    };
    Ok(imp)
}

pub fn export(
    f: &ConnectionFields,
    password: Option<&str>,
    format: ExportFormat,
    out: &mut Out,
) -> Result<String> {
    let opt = |k: &str| f.text_option(k);
    let carried = ["schema", "application_name", "target_session_attrs"];
    let timeout = (f.timeout_secs != DEFAULT_TIMEOUT_SECS).then_some(f.timeout_secs);
    match format {
        ExportFormat::Url | ExportFormat::Shell => {
            out.unexported_options(f, &carried, "a libpq URL");
            let mut params: Vec<(&str, String)> = Vec::new();
            let socket = f.host.starts_with('/');
            let authority = if socket {
                params.push(("host", f.host.clone()));
                params.push(("port", f.port.to_string()));
                String::new()
            } else {
                format!("{}:{}", url_host(&f.host), f.port)
            };
            params.push(("sslmode", f.tls.mode.as_str().into()));
            if let Some(t) = timeout {
                params.push(("connect_timeout", t.to_string()));
            }
            if let Some(v) = opt("application_name") {
                params.push(("application_name", v.into()));
            }
            if let Some(v) = opt("target_session_attrs") {
                params.push(("target_session_attrs", v.into()));
            }
            if let Some(v) = opt("schema") {
                params.push(("options", options_value(v)));
            }
            let user = if f.username.is_empty() {
                String::new()
            } else {
                super::draft::userinfo(&f.username, password)
            };
            let query = params
                .iter()
                .map(|(k, v)| format!("{k}={}", encode(v)))
                .collect::<Vec<_>>()
                .join("&");
            let url = format!(
                "postgresql://{user}{authority}/{}?{query}",
                encode(&f.database)
            );
            Ok(if format == ExportFormat::Shell {
                format!("psql {}", super::shell::quote(&url))
            } else {
                url
            })
        }
        ExportFormat::Kv => {
            out.unexported_options(f, &carried, "libpq keywords");
            let mut kv: Vec<(&str, String)> = vec![
                ("host", f.host.clone()),
                ("port", f.port.to_string()),
                ("dbname", f.database.clone()),
            ];
            if !f.username.is_empty() {
                kv.push(("user", f.username.clone()));
            }
            if let Some(p) = password {
                kv.push(("password", p.to_owned()));
            }
            kv.push(("sslmode", f.tls.mode.as_str().into()));
            if let Some(t) = timeout {
                kv.push(("connect_timeout", t.to_string()));
            }
            if let Some(v) = opt("application_name") {
                kv.push(("application_name", v.into()));
            }
            if let Some(v) = opt("target_session_attrs") {
                kv.push(("target_session_attrs", v.into()));
            }
            if let Some(v) = opt("schema") {
                kv.push(("options", options_value(v)));
            }
            Ok(kv
                .iter()
                .map(|(k, v)| format!("{k}={}", kv_quote(v)))
                .collect::<Vec<_>>()
                .join(" "))
        }
        ExportFormat::Jdbc => {
            out.unexported_options(f, &carried, "a pgjdbc URL");
            if f.host.starts_with('/') {
                return Err(CoreError::input(
                    ErrorCode::ExportNotPossible,
                    Some("host"),
                    "pgjdbc cannot connect through a Unix socket.",
                    "Copy it as a URL or keyword=value string instead.",
                ));
            }
            let mut params: Vec<(&str, String)> = Vec::new();
            if !f.username.is_empty() {
                params.push(("user", f.username.clone()));
            }
            if let Some(p) = password {
                params.push(("password", p.to_owned()));
            }
            params.push(("sslmode", f.tls.mode.as_str().into()));
            if let Some(t) = timeout {
                params.push(("connectTimeout", t.to_string()));
            }
            if let Some(v) = opt("application_name") {
                params.push(("ApplicationName", v.into()));
            }
            if let Some(v) = opt("schema") {
                params.push(("currentSchema", v.into()));
            }
            if let Some(v) = opt("target_session_attrs") {
                let t = match v {
                    "any" => Some("any"),
                    "primary" => Some("primary"),
                    "standby" => Some("secondary"),
                    "prefer-standby" => Some("preferSecondary"),
                    _ => None,
                };
                match t {
                    Some(t) => params.push(("targetServerType", t.into())),
                    None => out.drop(
                        "options.target_session_attrs",
                        "pgjdbc has no read-write / read-only target; set targetServerType yourself",
                    ),
                }
            }
            let query = params
                .iter()
                .map(|(k, v)| format!("{k}={}", encode(v)))
                .collect::<Vec<_>>()
                .join("&");
            Ok(format!(
                "jdbc:postgresql://{}:{}/{}?{query}",
                url_host(&f.host),
                f.port,
                encode(&f.database)
            ))
        }
        other => Err(super::export::not_carried(f.engine, other)),
    }
}

/// libpq's quoting: bare when safe, else single quotes with \' and \\.
fn kv_quote(v: &str) -> String {
    if !v.is_empty()
        && !v
            .chars()
            .any(|c| c.is_whitespace() || c == '\'' || c == '\\' || c == '=')
    {
        return v.to_owned();
    }
    let mut s = String::from("'");
    for c in v.chars() {
        if c == '\'' || c == '\\' {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('\'');
    s
}

/// psql's arguments: a conninfo (URI or keywords) and/or -h -p -U -d.
pub fn import_psql(args: &[String]) -> Result<Imported> {
    let mut kv = Conninfo::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let flag = |short: &str, long: &str| -> Option<Option<String>> {
            if a == short || a == long {
                Some(None)
            } else if let Some(v) = a.strip_prefix(&format!("{long}=")) {
                Some(Some(v.to_owned()))
            } else if a.len() > 2 && a.starts_with(short) {
                Some(Some(a[2..].to_owned()))
            } else {
                None
            }
        };
        let mut matched = false;
        for (short, long, key) in [
            ("-h", "--host", "host"),
            ("-p", "--port", "port"),
            ("-U", "--username", "user"),
            ("-d", "--dbname", "dbname"),
        ] {
            if let Some(v) = flag(short, long) {
                let v = match v {
                    Some(v) => v,
                    None => it.next().cloned().ok_or_else(|| {
                        invalid(
                            format!("psql {short} needs a value."),
                            "e.g. psql -h db.example.com",
                        )
                    })?,
                };
                if key == "dbname" && (crate::libpq::is_uri(&v) || v.contains('=')) {
                    kv.extend(libpq_parse(&v)?);
                } else {
                    kv.insert(key.into(), v);
                }
                matched = true;
                break;
            }
        }
        if matched {
            continue;
        }
        if a.starts_with('-') {
            return Err(invalid(
                "psql has an option Switchboard does not read.",
                "Keep only the connection: psql 'postgresql://user@host/db' or -h -p -U -d.",
            ));
        }
        if crate::libpq::is_uri(a) || a.contains('=') {
            kv.extend(libpq_parse(a)?);
        } else if !kv.contains_key("dbname") {
            kv.insert("dbname".into(), a.clone());
        } else {
            kv.insert("user".into(), a.clone());
        }
    }
    from_conninfo(kv)
}
