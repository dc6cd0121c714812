//! Sequin `postgres_databases` bodies, with a replica's `primary` block.

use serde_json::{json, Value};

use super::{bad, base, ladder_rank, refuse, secret, unexported_options, Exported, Reader};
use crate::connstr::draft::{Imported, Primary};
use crate::connstr::export::ExportContext;
use crate::error::Result;
use crate::model::{ConnectionFields, Engine, OptionValue, TlsMode};

/// The warning an import carries until its primary is matched with a saved connection.
pub const PRIMARY_UNMATCHED: &str =
    "primary: no saved PostgreSQL connection matches it; save the primary, then name it in 'Replica of'";

pub(super) const SEQUIN_IPV6: &str = "sequin.ipv6";

pub(super) fn import(v: &Value) -> Result<Imported> {
    let mut r = Reader::new(v, "Sequin")?;
    let mut warnings = Vec::new();
    let name = r
        .text("name")?
        .ok_or_else(|| bad("Sequin", "name is missing."))?;
    let mut f = base(Engine::Postgres, name);
    let mut password = None;
    let mut url_mode = None;
    if let Some(url) = r.text("url")? {
        if !crate::libpq::is_uri(url.trim()) {
            return Err(bad("Sequin", "url is not a postgresql:// URL."));
        }
        // libpq's reading of it; its file paths belong to the machine that wrote it.
        let mut parsed = crate::connstr::postgres::import_uri(url.trim())?;
        crate::connstr::draft::skip_files(&mut parsed);
        let t = parsed.fields;
        f.host = t.host;
        f.port = t.port;
        f.database = t.database;
        f.username = t.username;
        f.timeout_secs = t.timeout_secs;
        f.options.extend(t.options);
        password = parsed.password;
        let unsaid = |w: &String| w.starts_with("no sslmode");
        if !parsed.warnings.iter().any(unsaid) {
            url_mode = Some(t.tls.mode);
        }
        warnings.extend(
            parsed
                .warnings
                .into_iter()
                .filter(|w| !unsaid(w))
                .map(|w| format!("url: {w}")),
        );
    }
    if let Some(h) = r.text("hostname")? {
        f.host = h;
    }
    if let Some(p) = r.port("port")? {
        f.port = p;
    }
    if let Some(d) = r.text("database")? {
        f.database = d;
    }
    if let Some(u) = r.text("username")? {
        f.username = u;
    }
    if let Some(p) = secret(r.text("password")?) {
        password = Some(p);
    }
    // Sequin encrypts by default and does not verify the certificate.
    // Sequin's ssl: true encrypts without verifying. A URL's sslmode says more: when both
    // are there the stricter wins, and a disagreement is reported.
    let ssl_mode = r.bool("ssl")?.map(|on| {
        if on {
            TlsMode::Require
        } else {
            TlsMode::Disable
        }
    });
    f.tls.mode = match (ssl_mode, url_mode) {
        (Some(s), Some(u)) if s != u => {
            let stricter = if ladder_rank(s) >= ladder_rank(u) {
                s
            } else {
                u
            };
            warnings.push(format!(
                "ssl says {} but the url's sslmode says {}: {} is used",
                s.as_str(),
                u.as_str(),
                stricter.as_str()
            ));
            stricter
        }
        (Some(s), _) => s,
        (None, Some(u)) => u,
        (None, None) => TlsMode::Require,
    };
    if r.bool("ipv6")? == Some(true) {
        f.metadata
            .insert(SEQUIN_IPV6.into(), Value::String("true".into()));
    }
    let mut primary = None;
    if let Some(p) = r.get("primary") {
        let mut pr = Reader::new(p, "Sequin")?;
        primary = Some(Primary {
            host: pr.text("hostname")?.unwrap_or_default(),
            port: pr.port("port")?.unwrap_or(5432),
            database: pr.text("database")?.unwrap_or_default(),
            username: pr.text("username")?.unwrap_or_default(),
            ssl: pr.bool("ssl")?.unwrap_or(true),
            tls_mode: None,
            password: secret(pr.text("password")?),
        });
        pr.leftovers("primary.", &mut warnings);
        warnings.push(PRIMARY_UNMATCHED.into());
    }
    if let Some(slots) = r.get("replication_slots") {
        let slots = slots
            .as_array()
            .ok_or_else(|| bad("Sequin", "replication_slots must be a list."))?;
        if let Some(first) = slots.first() {
            let mut s = Reader::new(first, "Sequin")?;
            if let Some(p) = s.text("publication_name")? {
                f.options.insert("publication".into(), OptionValue::Text(p));
            }
            if let Some(n) = s.text("slot_name")? {
                f.options
                    .insert("replication_slot".into(), OptionValue::Text(n));
            }
            if let Some(st) = s.text("status")? {
                f.options
                    .insert("slot_status".into(), OptionValue::Text(st));
            }
            s.leftovers("replication_slots[0].", &mut warnings);
        }
        if slots.len() > 1 {
            warnings.push(format!(
                "{} more replication slots were left out: Switchboard keeps one per connection",
                slots.len() - 1
            ));
        }
    }
    r.leftovers("", &mut warnings);
    Ok(Imported {
        fields: f,
        password,
        client_key: None,
        primary,
        files: Vec::new(),
        warnings,
        ssh_secrets: Vec::new(),
        tls_from: None,
    })
}

pub(super) fn export(f: &ConnectionFields, s: &ExportContext) -> Result<Exported> {
    if f.engine != Engine::Postgres {
        return Err(refuse(
            "Sequin databases are PostgreSQL.",
            "Export a PostgreSQL connection.",
        ));
    }
    let mut warnings = Vec::new();
    // A slot's status goes in its replication_slots entry: with no slot, it has no place.
    let slot_written =
        f.text_option("publication").is_some() && f.text_option("replication_slot").is_some();
    let carried: &[&str] = if slot_written {
        &[
            "publication",
            "replication_slot",
            "slot_status",
            "replica_of",
        ]
    } else {
        &["publication", "replication_slot", "replica_of"]
    };
    unexported_options(f, carried, "Sequin", &mut warnings);
    if f.tls.client_cert_pem.is_some() {
        warnings.push(
            "Sequin has no client certificates: the certificate and key are not exported".into(),
        );
    }
    if f.tls.ca_pem.is_some() {
        warnings.push("Sequin has no CA certificate field: the CA is not exported".into());
    }
    let ssl = match f.tls.mode {
        TlsMode::Disable => false,
        TlsMode::Require => true,
        TlsMode::Prefer => {
            warnings
                .push("Sequin has no 'prefer': exported as ssl: true (always encrypted)".into());
            true
        }
        TlsMode::VerifyCa | TlsMode::VerifyFull => {
            warnings.push(format!(
                "Sequin's ssl: true encrypts but does not verify the certificate: weaker than {}",
                f.tls.mode.as_str()
            ));
            true
        }
    };
    let mut body = json!({
        "name": f.name,
        "hostname": f.host,
        "port": f.port,
        "database": f.database,
        "username": f.username,
        "ssl": ssl,
        "ipv6": f.metadata.get(SEQUIN_IPV6).and_then(Value::as_str) == Some("true"),
    });
    if let Some(p) = &s.password {
        body["password"] = json!(p.expose());
    }
    let text = |k: &str| f.text_option(k).map(str::to_owned);
    if let (Some(publication), Some(slot)) = (text("publication"), text("replication_slot")) {
        body["replication_slots"] = json!([{
            "publication_name": publication,
            "slot_name": slot,
            "status": text("slot_status").unwrap_or_else(|| "active".into()),
        }]);
    }
    match (&s.primary, text("replica_of")) {
        (Some(p), _) => {
            if matches!(p.tls_mode, Some(TlsMode::VerifyCa | TlsMode::VerifyFull)) {
                warnings.push("the primary's certificate check is not expressible in Sequin: its ssl: true encrypts without verifying".into());
            }
            let mut block = json!({
                "hostname": p.host,
                "port": p.port,
                "database": p.database,
                "username": p.username,
                "ssl": p.ssl,
            });
            if let Some(pw) = &p.password {
                block["password"] = json!(pw.expose());
            }
            body["primary"] = block;
        }
        (None, Some(name)) => warnings.push(format!(
            "the primary ({name}) was not found: add the primary block in Sequin"
        )),
        (None, None) => {}
    }
    Ok(Exported { body, warnings })
}
