//! MongoDB: `mongodb://` and `mongodb+srv://` per the drivers' Connection String spec, and
//! mongosh. Read by hand: the `mongodb` crate's parser resolves SRV records while parsing
//! and does not report the options it ignores. Out: URL, mongosh.

use super::draft::Imported;
use super::draft::{
    decode, draft, encode, file, host_error, invalid, set_option, set_password, timeout_from_secs,
    unmapped, FileSlot,
};
use super::export::{ExportFormat, Out};
use crate::error::{CoreError, ErrorCode, Result};
use crate::hosts::{url_host, HostList};
use crate::model::{ConnectionFields, Engine, OptionValue, TlsMode, DEFAULT_TIMEOUT_SECS};

const HINT: &str = "Use mongodb://user:password@host1:27017,host2:27017/db?tls=true, percent-encoding @ : / in the user name and password.";

pub fn import_url(s: &str) -> Result<Imported> {
    let (srv, rest) = if let Some(r) = strip_ci(s, "mongodb+srv://") {
        (true, r)
    } else if let Some(r) = strip_ci(s, "mongodb://") {
        (false, r)
    } else {
        return Err(invalid("The URL is not a mongodb:// URL.", HINT));
    };
    let mut imp = draft(Engine::Mongodb);
    let auth_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(auth_end);
    let hosts = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => {
            let (u, p) = match userinfo.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                None => (userinfo, None),
            };
            if u.contains('@') || p.is_some_and(|p| p.contains(['@', ':'])) {
                return Err(invalid(
                    "The user name or password has an unencoded @ or :.",
                    HINT,
                ));
            }
            imp.fields.username = decode(u, "user name")?;
            if let Some(p) = p {
                set_password(&mut imp, decode(p, "password")?);
            }
            hosts
        }
        None => authority,
    };
    if hosts.is_empty() {
        return Err(invalid("The URL names no host.", HINT));
    }
    if hosts
        .split(',')
        .any(|h| h.contains('%') || h.ends_with(".sock"))
    {
        return Err(invalid(
            "Unix-socket hosts are not supported; Switchboard connects over TCP.",
            HINT,
        ));
    }
    let list = HostList::parse(hosts).map_err(host_error)?;
    let entries = list.entries();
    if srv && (entries.len() != 1 || entries[0].port.is_some()) {
        return Err(invalid(
            "mongodb+srv takes exactly one host name, without a port.",
            "Use mongodb+srv://user@cluster0.example.net/db.",
        ));
    }
    // One port for every host goes in the port field; otherwise each host keeps its own.
    let first_port = entries[0].port;
    if first_port.is_some() && entries.iter().all(|e| e.port == first_port) {
        imp.fields.port = first_port.map(u32::from).unwrap_or(27017);
        imp.fields.host = entries
            .iter()
            .map(|e| url_host(&e.host))
            .collect::<Vec<_>>()
            .join(",");
    } else {
        imp.fields.host = list.to_string();
    }
    if entries.len() == 1 {
        imp.fields.host = entries[0].host.clone();
    }
    set_option(&mut imp, "srv", OptionValue::Bool(srv));
    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, q),
        None => (tail, ""),
    };
    imp.fields.database = database(&mut imp, path)?;
    let mut tls = None;
    let mut ssl = None;
    let (mut insecure, mut bad_certs, mut bad_names) = (None, None, None);
    // Files turn TLS on by themselves (the drivers' rule: any tls* file option implies
    // tls=true, and tls=false beside one is an error).
    let mut tls_files = Vec::new();
    for (k, v) in query_pairs(query)? {
        // The drivers read only the words true and false (pymongo and the Rust driver
        // both refuse `yes`, `1` or `TRUE`).
        let flag = || match v.as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(invalid(
                format!("{k} is not true or false."),
                "Write true or false in lower case: MongoDB drivers read no other words.",
            )),
        };
        match k.to_ascii_lowercase().as_str() {
            "authsource" => set_option(&mut imp, "auth_source", OptionValue::Text(v)),
            "replicaset" => set_option(&mut imp, "replica_set", OptionValue::Text(v)),
            "directconnection" => {
                let b = flag()?;
                set_option(&mut imp, "direct_connection", OptionValue::Bool(b));
            }
            "tls" => tls = Some(flag()?),
            "ssl" => ssl = Some(flag()?),
            "tlsinsecure" => insecure = Some(flag()?),
            "tlsallowinvalidcertificates" => bad_certs = Some(flag()?),
            "tlsallowinvalidhostnames" => bad_names = Some(flag()?),
            "tlscafile" => {
                tls_files.push("tlsCAFile");
                file(&mut imp, FileSlot::Ca, "tlsCAFile", v)
            }
            "tlscertificatekeyfile" => {
                tls_files.push("tlsCertificateKeyFile");
                file(
                    &mut imp,
                    FileSlot::ClientCert,
                    "tlsCertificateKeyFile",
                    v.clone(),
                );
                file(&mut imp, FileSlot::ClientKey, "tlsCertificateKeyFile", v);
            }
            "connecttimeoutms" => timeout_from_secs(&mut imp, "connectTimeoutMS", &v, 1000)?,
            "authmechanism" if v.starts_with("SCRAM-SHA") => {}
            _ => unmapped(&mut imp, &k),
        }
    }
    let tls = match (tls, ssl) {
        (Some(a), Some(b)) if a != b => {
            return Err(invalid(
                "tls and ssl say different things (one true, one false).",
                "Keep one of them: tls=true to encrypt, tls=false not to.",
            ))
        }
        (a, b) => a.or(b),
    };
    if insecure.is_some() && (bad_certs.is_some() || bad_names.is_some()) {
        return Err(invalid(
            "tlsInsecure is given together with tlsAllowInvalidCertificates or tlsAllowInvalidHostnames.",
            "Keep only tlsInsecure, or only the tlsAllowInvalid… options: the drivers refuse both.",
        ));
    }
    if tls == Some(false) {
        if let Some(first) = tls_files.first() {
            return Err(invalid(
                format!("{first} is given but tls=false turns TLS off."),
                "Remove tls=false (the file turns TLS on), or remove the file option.",
            ));
        }
    }
    // Any tlsInsecure / tlsAllowInvalid… option turns TLS on, whatever its value, as the
    // Rust driver (the one Switchboard tests with) reads it; pymongo agrees for `false`
    // and keeps TLS off for `true` (tests/mongodb_uri_parity.rs says why we differ).
    let implied = insecure.is_some() || bad_certs.is_some() || bad_names.is_some();
    let on = tls.unwrap_or(srv || implied || !tls_files.is_empty());
    let insecure = insecure.unwrap_or(false);
    let (bad_certs, bad_names) = (bad_certs.unwrap_or(false), bad_names.unwrap_or(false));
    imp.fields.tls.mode = if !on {
        TlsMode::Disable
    } else if insecure || bad_certs {
        TlsMode::Require
    } else if bad_names {
        TlsMode::VerifyCa
    } else {
        TlsMode::VerifyFull
    };
    Ok(imp)
}

/// The path after the hosts: a database name, or the drivers' old `db.collection` form
/// (the collection is not a connection setting: said, not kept). A name the server
/// cannot have is refused here rather than at the first query.
fn database(imp: &mut Imported, path: &str) -> Result<String> {
    let decoded = decode(path.strip_prefix('/').unwrap_or(path), "database name")?;
    let name = match decoded.split_once('.') {
        Some((db, _collection)) => {
            imp.warnings.push(
                "the URL names a collection after the database (db.collection); only the database is imported".into(),
            );
            db.to_owned()
        }
        None => decoded,
    };
    if !database_name_ok(&name) {
        return Err(invalid(
            "The database name has a character MongoDB does not allow (/ \\ space \" $).",
            "Use the database's real name, e.g. mongodb://host/orders.",
        ));
    }
    Ok(name)
}

/// What the server allows in a database name on every platform (no `/ \\ . space " $`
/// or NUL); pymongo checks all but `\\` and `.` (which it reads as db.collection).
fn database_name_ok(name: &str) -> bool {
    !name.contains(['/', '\\', '.', ' ', '"', '$', '\0'])
}

/// The options after `?`: `&` between them, or `;` (the Connection String spec allows
/// either, not both in one URL).
fn query_pairs(query: &str) -> Result<Vec<(String, String)>> {
    if query.contains(';') {
        if query.contains('&') {
            return Err(invalid(
                "The options are separated by both & and ;.",
                "Separate every option with & (or every one with ;).",
            ));
        }
        return super::draft::query_pairs(&query.replace(';', "&"), false);
    }
    super::draft::query_pairs(query, false)
}

fn strip_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    // `get`: the prefix's length may fall inside a multi-byte character of `s`.
    s.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
        .then(|| &s[prefix.len()..])
}

/// `mongosh URL [--username u] [--password p] [--authenticationDatabase db]`
pub fn import_mongosh(args: &[String]) -> Result<Imported> {
    let url = args
        .iter()
        .find(|a| a.starts_with("mongodb://") || a.starts_with("mongodb+srv://"))
        .ok_or_else(|| invalid("The mongosh command has no mongodb:// URL.", HINT))?;
    let mut imp = import_url(url)?;
    let mut it = args.iter().filter(|a| *a != url);
    while let Some(a) = it.next() {
        // `--password=…` and `--password …` alike.
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if a.starts_with("--") => (f, Some(v.to_owned())),
            _ => (a.as_str(), None),
        };
        let mut value = || {
            inline
                .clone()
                .unwrap_or_else(|| it.next().cloned().unwrap_or_default())
        };
        match flag {
            "-u" | "--username" => imp.fields.username = value(),
            "-p" | "--password" => set_password(&mut imp, value()),
            "--authenticationDatabase" => {
                set_option(&mut imp, "auth_source", OptionValue::Text(value()))
            }
            other => unmapped(&mut imp, other),
        }
    }
    Ok(imp)
}

pub fn export(
    f: &ConnectionFields,
    password: Option<&str>,
    format: ExportFormat,
    out: &mut Out,
) -> Result<String> {
    let opt = |k: &str| f.options.get(k);
    let text = |k: &str| f.text_option(k);
    let flag = |k: &str| opt(k).and_then(OptionValue::as_bool).unwrap_or(false);
    out.unexported_options(
        f,
        &["srv", "auth_source", "replica_set", "direct_connection"],
        "a MongoDB URL",
    );
    if !database_name_ok(&f.database) {
        // A URL with it would not connect, and would not import back as the same database.
        return Err(CoreError::input(
            ErrorCode::ExportNotPossible,
            Some("database"),
            "The database name has a character MongoDB does not allow (/ \\ . space \" $).",
            "Correct the database name, or leave it empty and name the database in your client.",
        ));
    }
    let srv = flag("srv");
    let user = if f.username.is_empty() {
        String::new()
    } else {
        super::draft::userinfo(&f.username, password)
    };
    // A seed list is written with each host's port; an SRV name as it is.
    let hosts = match HostList::parse(&f.host) {
        Ok(list) if !srv => list
            .entries()
            .iter()
            .map(|h| h.with_port(f.port))
            .collect::<Vec<_>>()
            .join(","),
        _ => f.host.clone(),
    };
    let mut q = Vec::new();
    if let Some(a) = text("auth_source") {
        q.push(format!("authSource={}", encode(a)));
    }
    if let Some(r) = text("replica_set") {
        q.push(format!("replicaSet={}", encode(r)));
    }
    if flag("direct_connection") {
        q.push("directConnection=true".into());
    }
    match f.tls.mode {
        TlsMode::Disable | TlsMode::Prefer => q.push("tls=false".into()),
        TlsMode::Require => q.push("tls=true&tlsAllowInvalidCertificates=true".into()),
        TlsMode::VerifyCa => q.push("tls=true&tlsAllowInvalidHostnames=true".into()),
        TlsMode::VerifyFull => q.push("tls=true".into()),
    }
    if f.tls.mode == TlsMode::Prefer {
        out.drop("tls.mode", "MongoDB has no prefer: written as tls=false");
    }
    if f.timeout_secs != DEFAULT_TIMEOUT_SECS {
        q.push(format!(
            "connectTimeoutMS={}",
            u64::from(f.timeout_secs) * 1000
        ));
    }
    let url = format!(
        "mongodb{}://{user}{hosts}/{}?{}",
        if srv { "+srv" } else { "" },
        encode(&f.database),
        q.join("&")
    );
    match format {
        ExportFormat::Url => Ok(url),
        ExportFormat::Shell => Ok(format!("mongosh {}", super::shell::quote(&url))),
        other => Err(super::export::not_carried(f.engine, other)),
    }
}
