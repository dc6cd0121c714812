//! MySQL and MariaDB: `mysql://` / `mariadb://` URLs (read exactly as sqlx, the driver
//! Switchboard tests with, reads them), Connector/J and MariaDB Connector/J JDBC URLs, and the
//! `mysql` / `mariadb` command line. Out: URL, JDBC, mysql.

use super::draft::Imported;
use super::draft::{
    decode, draft, encode, file, invalid, set_password, timeout_from_secs, unmapped, FileSlot,
};
use super::export::{ExportFormat, Out};
use crate::error::{CoreError, ErrorCode, Result};
use crate::hosts::url_host;
use crate::model::{ConnectionFields, Engine, TlsMode, DEFAULT_TIMEOUT_SECS};

const HINT: &str =
    "Use mysql://user:password@host:3306/db?ssl-mode=VERIFY_IDENTITY, percent-encoding special characters (%40 for @).";

fn bad_mode() -> CoreError {
    CoreError::input(
        ErrorCode::UrlInvalid,
        Some("ssl-mode"),
        "ssl-mode is not one of DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY.",
        "Use ssl-mode=VERIFY_IDENTITY to encrypt and check the server's identity.",
    )
}

fn mode_from_word(w: &str) -> Option<TlsMode> {
    Some(match w.to_ascii_uppercase().replace('-', "_").as_str() {
        "DISABLED" | "DISABLE" => TlsMode::Disable,
        "PREFERRED" | "PREFER" => TlsMode::Prefer,
        "REQUIRED" | "REQUIRE" | "TRUST" => TlsMode::Require,
        "VERIFY_CA" => TlsMode::VerifyCa,
        "VERIFY_IDENTITY" | "VERIFY_FULL" => TlsMode::VerifyFull,
        _ => return None,
    })
}

/// sqlx's own words for `ssl-mode` (case-insensitive, no aliases).
fn mode_from_sqlx_word(w: &str) -> Option<TlsMode> {
    Some(match w.to_ascii_lowercase().as_str() {
        "disabled" => TlsMode::Disable,
        "preferred" => TlsMode::Prefer,
        "required" => TlsMode::Require,
        "verify_ca" => TlsMode::VerifyCa,
        "verify_identity" => TlsMode::VerifyFull,
        _ => return None,
    })
}

fn mode_word(m: TlsMode) -> &'static str {
    match m {
        TlsMode::Disable => "DISABLED",
        TlsMode::Prefer => "PREFERRED",
        TlsMode::Require => "REQUIRED",
        TlsMode::VerifyCa => "VERIFY_CA",
        TlsMode::VerifyFull => "VERIFY_IDENTITY",
    }
}

pub fn import_url(s: &str) -> Result<Imported> {
    let url = url::Url::parse(s).map_err(|e| match e {
        url::ParseError::InvalidPort => CoreError::input(
            ErrorCode::PortOutOfRange,
            Some("port"),
            "The port is not a number in 1–65535.",
            "Use the server's port, e.g. 3306.",
        ),
        _ => invalid("The MySQL URL is not valid.", HINT),
    })?;
    // Read as sqlx (the driver Switchboard tests with) reads it: the same defaults (host
    // localhost, user root), percent-decoding and words; tests/mysql_url_parity.rs
    // compares the two on generated URLs.
    let text = |part: &str, what: &str| -> Result<String> {
        percent_encoding::percent_decode_str(part)
            .decode_utf8()
            .map(|c| c.into_owned())
            .map_err(|_| invalid(format!("The {what} is not UTF-8 once decoded."), HINT))
    };
    let mut imp = draft(Engine::Mysql);
    imp.fields.host = url
        .host_str()
        .unwrap_or("localhost")
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    if let Some(p) = url.port() {
        imp.fields.port = super::draft::parse_port(&p.to_string())?;
    }
    imp.fields.username = match url.username() {
        "" => "root".to_owned(),
        u => text(u, "user name")?,
    };
    if let Some(p) = url.password() {
        set_password(&mut imp, text(p, "password")?);
    }
    imp.fields.database = text(url.path().trim_start_matches('/'), "database name")?;
    // sqlx refuses an ssl-mode or a statement cache size it cannot read; so does this.
    let mut mode = None;
    for (k, v) in url.query_pairs() {
        match &*k {
            "ssl-mode" | "sslmode" => mode = Some(mode_from_sqlx_word(&v).ok_or_else(bad_mode)?),
            "statement-cache-capacity" if v.parse::<usize>().is_err() => {
                return Err(invalid(
                    "statement-cache-capacity is not a whole number.",
                    HINT,
                ));
            }
            "ssl-ca" | "sslca" => file(&mut imp, FileSlot::Ca, &k, v.into_owned()),
            "ssl-cert" | "sslcert" => file(&mut imp, FileSlot::ClientCert, &k, v.into_owned()),
            "ssl-key" | "sslkey" => file(&mut imp, FileSlot::ClientKey, &k, v.into_owned()),
            "socket" => imp.fields.host = v.into_owned(),
            "connect-timeout" | "connect_timeout" => {
                timeout_from_secs(&mut imp, &k, &v, 1)?;
            }
            other => unmapped(&mut imp, other),
        }
    }
    imp.fields.tls.mode = mode.unwrap_or(TlsMode::Prefer);
    if mode.is_none() {
        imp.warnings.push(
            "no ssl-mode is given: the client default, PREFERRED, is kept (the certificate is not verified; VERIFY_IDENTITY is safer)"
                .into(),
        );
    }
    Ok(imp)
}

/// Connector/J (`jdbc:mysql://`) and MariaDB Connector/J (`jdbc:mariadb://`). Each
/// family in its own driver's terms: MariaDB's (checked against MariaDB Connector/J's
/// own parser by tests/jdbc_parity.rs) keeps TLS off unless `useSsl` or `sslMode` says
/// otherwise, reads values as written (no percent-decoding) and no `user@` before the
/// host; MySQL's Connector/J prefers TLS by default and reads `user:password@host`.
pub fn import_jdbc(s: &str) -> Result<Imported> {
    let mariadb = s[..11].eq_ignore_ascii_case("jdbc:mariad");
    let family = if mariadb {
        "jdbc:mariadb:"
    } else {
        "jdbc:mysql:"
    };
    let example = if mariadb {
        "Use jdbc:mariadb://host:3306/db?user=…&sslMode=verify-full."
    } else {
        "Use jdbc:mysql://host:3306/db?sslMode=VERIFY_IDENTITY."
    };
    let (prefix, rest) = s[family.len()..]
        .split_once("//")
        .ok_or_else(|| invalid("The JDBC URL has no //host part.", example))?;
    let mut imp = draft(Engine::Mysql);
    ha_mode(&mut imp, mariadb, prefix)?;
    let (main, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = main.split_once('/').unwrap_or((main, ""));
    let hosts = match authority.rsplit_once('@') {
        Some(_) if mariadb => {
            return Err(invalid(
                "MariaDB Connector/J does not read a user name or password before the host.",
                "Put them in the query: jdbc:mariadb://host:3306/db?user=…&password=….",
            ))
        }
        Some((userinfo, hosts)) => {
            let (u, p) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            imp.fields.username = decode(u, "user name")?;
            set_password(&mut imp, decode(p, "password")?);
            hosts
        }
        None => authority,
    };
    let entries = host_entries(hosts)?;
    if entries.len() > 1 {
        imp.warnings.push(format!(
            "{} hosts are listed; only the first is imported (add a connection for each of the others)",
            entries.len()
        ));
    }
    match entries.first() {
        Some((h, p)) => {
            imp.fields.host = h.clone();
            if let Some(p) = p {
                imp.fields.port = *p;
            }
        }
        None => imp.fields.host = "localhost".into(),
    }
    // MariaDB Connector/J passes the database and the query's values on as written;
    // Connector/J percent-decodes them.
    imp.fields.database = if mariadb {
        path.to_owned()
    } else {
        decode(path, "database name")?
    };
    let pairs = if mariadb {
        query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect()
    } else {
        super::draft::query_pairs(query, false)?
    };
    let (mut mode, mut use_ssl, mut require, mut verify, mut no_names) =
        (None, None, None, None, None);
    for (k, v) in pairs {
        // Each driver refuses a flag it cannot read rather than guess.
        let flag = || {
            if mariadb {
                mariadb_flag(&v)
            } else {
                super::draft::is_true(&v)
            }
            .ok_or_else(|| {
                CoreError::input(
                    ErrorCode::UrlInvalid,
                    Some(k.as_str()),
                    format!("{k} is not true or false."),
                    "Write true or false.",
                )
            })
        };
        match k.as_str() {
            "user" => imp.fields.username = v,
            "password" => set_password(&mut imp, v),
            "sslMode" | "sslmode" => mode = Some(mode_from_word(&v).ok_or_else(bad_mode)?),
            "useSSL" | "useSsl" => use_ssl = Some(flag()?),
            "requireSSL" => require = Some(flag()?),
            "verifyServerCertificate" => verify = Some(flag()?),
            "trustServerCertificate" => verify = Some(!flag()?),
            "disableSslHostnameVerification" if mariadb => no_names = Some(flag()?),
            "serverSslCert" if v.contains("-----BEGIN") => imp.fields.tls.ca_pem = Some(v),
            "serverSslCert" => file(
                &mut imp,
                FileSlot::Ca,
                &k,
                v.trim_start_matches("file://").into(),
            ),
            "connectTimeout" => timeout_from_secs(&mut imp, &k, &v, 1000)?,
            // sqlx always fetches the server's RSA key when caching_sha2_password must send
            // a password over an unencrypted connection; over TLS it is never needed.
            "allowPublicKeyRetrieval" => imp.warnings.push(if flag()? {
                "allowPublicKeyRetrieval=true: Switchboard's MySQL driver also asks the server for its RSA key when the password must cross an unencrypted connection (a key an attacker in the middle could swap); require TLS so that it never does".into()
            } else {
                "allowPublicKeyRetrieval=false is not kept: without TLS, Switchboard's MySQL driver asks the server for its RSA key to send the password; require TLS so that it never does".into()
            }),
            _ => unmapped(&mut imp, &k),
        }
    }
    imp.fields.tls.mode = if mariadb {
        mariadb_tls(&mut imp, mode, use_ssl, verify, no_names)
    } else {
        mysql_tls(&mut imp, mode, use_ssl, require, verify)
    };
    Ok(imp)
}

/// The word between `jdbc:mariadb:` / `jdbc:mysql:` and `//`: a high-availability mode
/// the driver knows (several servers: only the first is imported, said so), or refused
/// as the driver refuses it.
fn ha_mode(imp: &mut Imported, mariadb: bool, prefix: &str) -> Result<()> {
    if prefix.is_empty() {
        return Ok(());
    }
    let known: &[&str] = if mariadb {
        // MariaDB Connector/J 2.x (3.x keeps replication, loadbalance and sequential).
        &[
            "replication",
            "loadbalance",
            "sequential",
            "failover",
            "aurora",
        ]
    } else {
        &["replication", "loadbalance"]
    };
    let word = prefix.strip_suffix(':').unwrap_or("");
    if !known.iter().any(|k| k.eq_ignore_ascii_case(word)) {
        return Err(invalid(
            format!(
                "The word between {} and // is not a mode the driver knows ({}).",
                if mariadb {
                    "jdbc:mariadb:"
                } else {
                    "jdbc:mysql:"
                },
                known.join(", ")
            ),
            "Remove it for one server, e.g. jdbc:mariadb://host:3306/db.",
        ));
    }
    imp.warnings.push(format!(
        "the {} mode (several servers) has no Switchboard setting: one server is tested",
        word.to_ascii_lowercase()
    ));
    Ok(())
}

/// The host list: `host[:port]` or `address=(host=…)(port=…)(type=…)` entries, commas
/// between them (none inside the parentheses).
fn host_entries(hosts: &str) -> Result<Vec<(String, Option<u32>)>> {
    let mut out = Vec::new();
    for entry in hosts.split(',') {
        let lower = entry.trim().to_ascii_lowercase();
        if lower.starts_with("address=") {
            out.push(address(&entry.trim()["address=".len()..])?);
        } else if !entry.trim().is_empty() {
            out.push(super::draft::split_host_port(entry)?);
        }
    }
    Ok(out)
}

/// `(host=h)(port=3307)(type=master)`, keys in any order and any case.
fn address(s: &str) -> Result<(String, Option<u32>)> {
    let bad = || {
        invalid(
            "An address=(…) host is not a list of (key=value) parts.",
            "Write address=(host=db.example.com)(port=3306).",
        )
    };
    let (mut host, mut port) = (None, None);
    let mut rest = s.trim();
    while !rest.is_empty() {
        let inner = rest.strip_prefix('(').ok_or_else(bad)?;
        let (part, after) = inner.split_once(')').ok_or_else(bad)?;
        let (k, v) = part.split_once('=').ok_or_else(bad)?;
        match k.trim().to_ascii_lowercase().as_str() {
            "host" => {
                let v = v.trim();
                let v = v
                    .strip_prefix('[')
                    .and_then(|v| v.strip_suffix(']'))
                    .unwrap_or(v);
                host = Some(v.to_owned());
            }
            "port" => port = Some(super::draft::parse_port(v)?),
            // type=master|replica and the like: which role, for the HA modes.
            _ => {}
        }
        rest = after.trim_start();
    }
    let host = host.filter(|h| !h.is_empty()).ok_or_else(|| {
        invalid(
            "An address=(…) host has no (host=…) part.",
            "Write address=(host=db.example.com)(port=3306).",
        )
    })?;
    Ok((host, port))
}

/// MariaDB Connector/J's booleans: true, false, 1, 0 in any case, and no value for true
/// (`?useSsl` turns TLS on).
fn mariadb_flag(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "" | "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// MariaDB Connector/J: TLS only when useSsl (or 3.x's sslMode) asks for it; then
/// trustServerCertificate trusts any certificate and disableSslHostnameVerification keeps
/// the chain check without the name check.
fn mariadb_tls(
    imp: &mut Imported,
    mode: Option<TlsMode>,
    use_ssl: Option<bool>,
    verify: Option<bool>,
    no_names: Option<bool>,
) -> TlsMode {
    if let Some(m) = mode {
        return m;
    }
    match use_ssl {
        Some(true) if verify == Some(false) => TlsMode::Require,
        Some(true) if no_names == Some(true) => TlsMode::VerifyCa,
        Some(true) => TlsMode::VerifyFull,
        Some(false) => TlsMode::Disable,
        None => {
            imp.warnings.push(if verify.is_some() || no_names.is_some() {
                "TLS options without useSsl=true: MariaDB Connector/J keeps TLS off, and so is this imported (add sslMode=verify-full to encrypt)".into()
            } else {
                "no sslMode or useSsl is given: MariaDB Connector/J's default, no TLS, is kept (sslMode=verify-full is safer)".into()
            });
            TlsMode::Disable
        }
    }
}

/// Connector/J: useSSL defaults to true (PREFERRED); requireSSL / verifyServerCertificate
/// alone mean it.
fn mysql_tls(
    imp: &mut Imported,
    mode: Option<TlsMode>,
    use_ssl: Option<bool>,
    require: Option<bool>,
    verify: Option<bool>,
) -> TlsMode {
    let use_ssl = use_ssl.or((require.is_some() || verify.is_some()).then_some(true));
    match (mode, use_ssl) {
        (Some(m), _) => m,
        (None, Some(false)) => TlsMode::Disable,
        (None, Some(true)) => match (require, verify) {
            (_, Some(true)) => TlsMode::VerifyCa,
            (Some(true), _) => TlsMode::Require,
            _ => TlsMode::Prefer,
        },
        (None, None) => {
            imp.warnings.push(
                "no sslMode is given: the driver default, PREFERRED, is kept (the certificate is not verified)"
                    .into(),
            );
            TlsMode::Prefer
        }
    }
}

/// `mysql` / `mariadb` command-line arguments.
pub fn import_cli(args: &[String]) -> Result<Imported> {
    let mut imp = draft(Engine::Mysql);
    let mut it = args.iter();
    let mut said_mode = false;
    let mut ssl_flag = None;
    let mut verify_flag = false;
    while let Some(a) = it.next() {
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if a.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ if a.starts_with("--") => (a.clone(), None),
            _ if a.starts_with('-') && a.chars().nth(2).is_some() => {
                // `-pSECRET`: the flag is one character, which may take more than one byte.
                let at = a.char_indices().nth(2).map_or(a.len(), |(i, _)| i);
                (a[..at].to_owned(), Some(a[at..].to_owned()))
            }
            _ => (a.clone(), None),
        };
        let mut value = |needs: &str| -> Result<String> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => it.next().cloned().ok_or_else(|| {
                    invalid(
                        format!("{needs} needs a value."),
                        "e.g. mysql --host=db.example.com",
                    )
                }),
            }
        };
        match name.as_str() {
            "-h" | "--host" => imp.fields.host = value("--host")?,
            "-P" | "--port" => imp.fields.port = super::draft::parse_port(&value("--port")?)?,
            "-u" | "--user" => imp.fields.username = value("--user")?,
            // -p alone prompts; only an attached value is a password.
            "-p" | "--password" => {
                if let Some(v) = inline.clone() {
                    set_password(&mut imp, v);
                }
            }
            "-D" | "--database" => imp.fields.database = value("--database")?,
            "-S" | "--socket" => imp.fields.host = value("--socket")?,
            "--ssl-mode" => {
                said_mode = true;
                imp.fields.tls.mode = mode_from_word(&value("--ssl-mode")?).ok_or_else(bad_mode)?;
            }
            "--ssl" => {
                ssl_flag = Some(
                    inline
                        .as_deref()
                        .and_then(super::draft::is_true)
                        .unwrap_or(true),
                )
            }
            "--skip-ssl" => ssl_flag = Some(false),
            "--ssl-verify-server-cert" => verify_flag = true,
            "--ssl-ca" => file(&mut imp, FileSlot::Ca, "--ssl-ca", value("--ssl-ca")?),
            "--ssl-cert" => file(
                &mut imp,
                FileSlot::ClientCert,
                "--ssl-cert",
                value("--ssl-cert")?,
            ),
            "--ssl-key" => file(
                &mut imp,
                FileSlot::ClientKey,
                "--ssl-key",
                value("--ssl-key")?,
            ),
            "--connect-timeout" => {
                let v = value("--connect-timeout")?;
                timeout_from_secs(&mut imp, "--connect-timeout", &v, 1)?;
            }
            n if n.starts_with('-') => unmapped(&mut imp, n),
            _ => imp.fields.database = a.clone(),
        }
    }
    if !said_mode {
        imp.fields.tls.mode = match (ssl_flag, verify_flag) {
            (Some(false), _) => TlsMode::Disable,
            (_, true) => TlsMode::VerifyFull,
            (Some(true), false) => TlsMode::Require,
            (None, false) => {
                imp.warnings
                    .push("no --ssl-mode is given: the client default, PREFERRED, is kept".into());
                TlsMode::Prefer
            }
        };
    }
    Ok(imp)
}

pub fn export(
    f: &ConnectionFields,
    password: Option<&str>,
    format: ExportFormat,
    out: &mut Out,
) -> Result<String> {
    out.unexported_options(f, &[], "a MySQL connection string");
    let socket = f.host.starts_with('/');
    let timeout = (f.timeout_secs != DEFAULT_TIMEOUT_SECS).then_some(f.timeout_secs);
    match format {
        ExportFormat::Url => {
            if timeout.is_some() {
                out.drop(
                    "timeout_secs",
                    "a mysql:// URL has no timeout; set it in the client",
                );
            }
            let user = super::draft::userinfo(&f.username, password);
            let mut q = format!("ssl-mode={}", mode_word(f.tls.mode));
            let host = if socket {
                q.push_str(&format!("&socket={}", encode(&f.host)));
                format!("localhost:{}", f.port)
            } else {
                format!("{}:{}", url_host(&f.host), f.port)
            };
            Ok(format!("mysql://{user}{host}/{}?{q}", encode(&f.database)))
        }
        ExportFormat::Jdbc => {
            if socket {
                return Err(CoreError::input(
                    ErrorCode::ExportNotPossible,
                    Some("host"),
                    "JDBC cannot connect through a Unix socket.",
                    "Copy it as a URL or a mysql command instead.",
                ));
            }
            let mut q = Vec::new();
            if !f.username.is_empty() {
                q.push(format!("user={}", encode(&f.username)));
            }
            if let Some(p) = password {
                q.push(format!("password={}", encode(p)));
            }
            q.push(format!("sslMode={}", mode_word(f.tls.mode)));
            if let Some(t) = timeout {
                q.push(format!("connectTimeout={}", u64::from(t) * 1000));
            }
            Ok(format!(
                "jdbc:mysql://{}:{}/{}?{}",
                url_host(&f.host),
                f.port,
                encode(&f.database),
                q.join("&")
            ))
        }
        ExportFormat::Shell => {
            let mut args = vec!["mysql".to_owned()];
            if socket {
                args.push(format!("--socket={}", f.host));
            } else {
                args.push(format!("--host={}", f.host));
            }
            args.push(format!("--port={}", f.port));
            if !f.username.is_empty() {
                args.push(format!("--user={}", f.username));
            }
            if let Some(p) = password {
                args.push(format!("--password={p}"));
            }
            args.push(format!("--ssl-mode={}", mode_word(f.tls.mode)));
            if let Some(t) = timeout {
                args.push(format!("--connect-timeout={t}"));
            }
            if !f.database.is_empty() {
                args.push(format!("--database={}", f.database));
            }
            Ok(super::shell::join(&args))
        }
        other => Err(super::export::not_carried(f.engine, other)),
    }
}
