//! Lerian Reporter connections.

use serde_json::{json, Map, Value};

use super::{bad, base, refuse, secret, unexported_options, Exported, Reader};
use crate::connstr::draft::Imported;
use crate::connstr::export::ExportContext;
use crate::error::Result;
use crate::model::{ConnectionFields, Engine, OptionValue, TlsMode};

fn lerian_type(e: Engine) -> Option<&'static str> {
    Some(match e {
        Engine::Oracle => "ORACLE",
        Engine::SqlServer => "SQL_SERVER",
        Engine::Postgres => "POSTGRESQL",
        Engine::Mongodb => "MONGODB",
        Engine::Mysql => "MYSQL",
        Engine::Sqlite => return None,
    })
}

pub(super) fn import(v: &Value) -> Result<Imported> {
    let mut r = Reader::new(v, "Lerian")?;
    let mut warnings = Vec::new();
    let name = r
        .text("configName")?
        .ok_or_else(|| bad("Lerian", "configName is missing."))?;
    let kind = r
        .text("type")?
        .ok_or_else(|| bad("Lerian", "type is missing."))?;
    let engine = Engine::ALL
        .into_iter()
        .find(|e| lerian_type(*e) == Some(kind.as_str()))
        .ok_or_else(|| {
            bad(
                "Lerian",
                format!(
                    "type {kind:?} is not one of ORACLE, SQL_SERVER, POSTGRESQL, MONGODB, MYSQL."
                ),
            )
        })?;
    let mut f = base(engine, name);
    f.host = r.text("host")?.unwrap_or_default();
    if let Some(p) = r.port("port")? {
        f.port = p;
    }
    f.database = r.text("databaseName")?.unwrap_or_default();
    f.username = r.text("userName")?.unwrap_or_default();
    let password = secret(r.text("password")?);
    if let Some(schema) = r.text("schema")? {
        if engine.spec().has("options.schema") {
            if schema != "public" {
                f.options.insert("schema".into(), OptionValue::Text(schema));
            }
        } else if schema != "public" {
            warnings.push(format!(
                "schema {schema:?} has no place in a {} connection and was left out",
                engine.spec().label
            ));
        }
    }
    let mut client_key = None;
    if let Some(ssl) = r.get("ssl") {
        let mut s = Reader::new(ssl, "Lerian")?;
        f.tls.mode = match s.text("mode")?.as_deref() {
            None | Some("disable") => TlsMode::Disable,
            Some("require") => TlsMode::Require,
            Some("verify-ca") => TlsMode::VerifyCa,
            Some("verify-full") => TlsMode::VerifyFull,
            Some(other) => {
                return Err(bad(
                    "Lerian",
                    format!(
                        "ssl.mode {other:?} is not disable, require, verify-ca or verify-full."
                    ),
                ))
            }
        };
        f.tls.ca_pem = s.text("ca")?.filter(|c| !c.trim().is_empty());
        f.tls.client_cert_pem = s.text("cert")?.filter(|c| !c.trim().is_empty());
        client_key = secret(s.text("key")?);
        if !engine.spec().has("tls.client_cert_pem")
            && (f.tls.client_cert_pem.is_some() || client_key.is_some())
        {
            f.tls.client_cert_pem = None;
            client_key = None;
            warnings.push(format!(
                "ssl.cert and ssl.key were left out: Switchboard does not present client certificates to {}",
                engine.spec().label
            ));
        }
        s.leftovers("ssl.", &mut warnings);
    } else {
        f.tls.mode = TlsMode::Disable;
    }
    if let Some(meta) = r.get("metadata") {
        let meta = meta
            .as_object()
            .ok_or_else(|| bad("Lerian", "metadata must be an object."))?;
        // Nested values are kept as they are so validation reports them by key.
        f.metadata = meta.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    }
    r.leftovers("", &mut warnings);
    Ok(Imported {
        fields: f,
        password,
        client_key,
        primary: None,
        files: Vec::new(),
        warnings,
        ssh_secrets: Vec::new(),
        tls_from: None,
    })
}

pub(super) fn export(f: &ConnectionFields, s: &ExportContext) -> Result<Exported> {
    let kind = lerian_type(f.engine).ok_or_else(|| {
        refuse(
            "Lerian Reporter has no SQLite connections.",
            "Export a networked database connection.",
        )
    })?;
    let n = f.name.chars().count();
    if !(3..=100).contains(&n) {
        return Err(refuse(
            format!("Lerian's configName is 3–100 characters; this name has {n}."),
            "Rename the connection, then export again.",
        ));
    }
    let mut warnings = Vec::new();
    unexported_options(f, &["schema"], "Lerian", &mut warnings);
    let mode = match f.tls.mode {
        TlsMode::Prefer => {
            warnings.push("Lerian has no 'prefer': exported as require (always encrypted)".into());
            "require"
        }
        m => m.as_str(),
    };
    let mut ssl = json!({ "mode": mode });
    if let Some(ca) = &f.tls.ca_pem {
        ssl["ca"] = json!(ca);
    }
    if let Some(cert) = &f.tls.client_cert_pem {
        ssl["cert"] = json!(cert);
    }
    if let Some(k) = &s.client_key {
        ssl["key"] = json!(k.expose());
    }
    let schema = f
        .options
        .get("schema")
        .and_then(OptionValue::as_text)
        .unwrap_or("public");
    let metadata: Map<String, Value> = f
        .metadata
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut body = json!({
        "configName": f.name,
        "type": kind,
        "host": f.host,
        "port": f.port,
        "databaseName": f.database,
        "userName": f.username,
        "schema": schema,
        "ssl": ssl,
        "metadata": metadata,
    });
    if let Some(p) = &s.password {
        body["password"] = json!(p.expose());
    }
    Ok(Exported { body, warnings })
}
