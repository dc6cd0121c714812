//! Infisical app connections (postgres, mssql).

use serde_json::{json, Value};

use super::{bad, base, refuse, secret, unexported_options, Exported, Reader};
use crate::connstr::draft::Imported;
use crate::connstr::export::ExportContext;
use crate::error::Result;
use crate::model::{ConnectionFields, Engine, TlsMode};

pub(super) const INFISICAL_GATEWAY: &str = "infisical.gateway_id";

pub(super) fn import(v: &Value) -> Result<Imported> {
    let mut r = Reader::new(v, "Infisical")?;
    let mut warnings = Vec::new();
    let engine = match r.text("app")?.as_deref() {
        None | Some("postgres") => Engine::Postgres,
        Some("mssql") => Engine::SqlServer,
        Some(other) => {
            return Err(bad(
                "Infisical",
                format!("app {other:?} is not a database Switchboard imports (postgres, mssql)."),
            ))
        }
    };
    let name = r
        .text("name")?
        .ok_or_else(|| bad("Infisical", "name is missing."))?;
    // Infisical's name is a slug: it is the handle here, and the display name too until
    // the user gives one.
    let mut f = base(engine, name.clone());
    f.handle = name;
    f.description = r.text("description")?;
    match r.text("method")?.as_deref() {
        None | Some("username-and-password") => {}
        Some(m) => warnings.push(format!(
            "method {m:?} is not supported; username and password are used"
        )),
    }
    if let Some(g) = r.text("gatewayId")? {
        f.metadata
            .insert(INFISICAL_GATEWAY.into(), Value::String(g));
        warnings.push(
            "gatewayId is kept in metadata; Switchboard connects directly, not through the gateway"
                .into(),
        );
    }
    let creds = r
        .get("credentials")
        .ok_or_else(|| bad("Infisical", "credentials are missing."))?;
    let mut c = Reader::new(creds, "Infisical")?;
    f.host = c.text("host")?.unwrap_or_default();
    if let Some(p) = c.port("port")? {
        f.port = p;
    }
    f.database = c.text("database")?.unwrap_or_default();
    f.username = c.text("username")?.unwrap_or_default();
    let password = secret(c.text("password")?);
    let enabled = match c.bool("sslEnabled")? {
        Some(e) => e,
        None => {
            warnings.push(
                "credentials.sslEnabled is missing: verify-full is used (the safest reading)"
                    .into(),
            );
            true
        }
    };
    let reject = c.bool("sslRejectUnauthorized")?.unwrap_or(true);
    f.tls.mode = match (enabled, reject) {
        (false, _) => TlsMode::Disable,
        (true, false) => TlsMode::Require,
        (true, true) => TlsMode::VerifyFull,
    };
    f.tls.ca_pem = c.text("sslCertificate")?.filter(|s| !s.trim().is_empty());
    c.leftovers("credentials.", &mut warnings);
    r.leftovers("", &mut warnings);
    Ok(Imported {
        fields: f,
        password,
        client_key: None,
        primary: None,
        files: Vec::new(),
        warnings,
        ssh_secrets: Vec::new(),
        tls_from: None,
    })
}

pub(super) fn export(f: &ConnectionFields, s: &ExportContext) -> Result<Exported> {
    let app = match f.engine {
        Engine::Postgres => "postgres",
        Engine::SqlServer => "mssql",
        other => {
            return Err(refuse(
                format!(
                    "Infisical app connections do not cover {}.",
                    other.spec().label
                ),
                "Export a PostgreSQL or SQL Server connection.",
            ))
        }
    };
    // Infisical's name is a 1–64 slug: the handle, not the display name. An unsaved form
    // may have none yet; it is the one a save would derive.
    let handle = if f.handle.is_empty() {
        crate::validation::derive_handle(&f.name)
    } else {
        f.handle.clone()
    };
    if handle.chars().count() > crate::validation::HANDLE_MAX {
        return Err(refuse(
            "Infisical names are at most 64 characters.",
            "Shorten the connection's handle, then export again.",
        ));
    }
    let mut warnings = Vec::new();
    let (enabled, reject) = match f.tls.mode {
        TlsMode::Disable => (false, false),
        TlsMode::Require => (true, false),
        TlsMode::VerifyFull => (true, true),
        TlsMode::Prefer => {
            warnings.push(
                "Infisical has no 'prefer': exported as TLS required without verification".into(),
            );
            (true, false)
        }
        TlsMode::VerifyCa => {
            warnings.push("Infisical has no 'verify-ca': exported as verify-full, which also checks the host name".into());
            (true, true)
        }
    };
    if f.tls.client_cert_pem.is_some() {
        warnings.push(
            "Infisical has no client certificates: the certificate and key are not exported".into(),
        );
    }
    unexported_options(f, &[], "Infisical", &mut warnings);
    let mut creds = json!({
        "host": f.host,
        "port": f.port,
        "database": f.database,
        "username": f.username,
        "sslEnabled": enabled,
        "sslRejectUnauthorized": reject,
    });
    if let Some(ca) = &f.tls.ca_pem {
        creds["sslCertificate"] = json!(ca);
    }
    if let Some(p) = &s.password {
        creds["password"] = json!(p.expose());
    }
    let mut body = json!({
        "app": app,
        "name": handle,
        "description": f.description,
        "method": "username-and-password",
        "credentials": creds,
    });
    if let Some(g) = f.metadata.get(INFISICAL_GATEWAY) {
        body["gatewayId"] = g.clone();
    }
    Ok(Exported { body, warnings })
}
