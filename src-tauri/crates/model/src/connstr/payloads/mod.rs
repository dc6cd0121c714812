//! The JSON bodies of the three hosted systems whose connection rules Switchboard honours:
//! Infisical app connections (postgres, mssql), Sequin `postgres_databases`, and Lerian
//! Reporter connections. Import maps their words onto our model and says, as warnings,
//! whatever it could not map; export applies their own limits (Lerian's configName 3–100
//! carries the display name, Infisical's slug name ≤ 64 the handle; Sequin's name is the
//! display name) and never weakens TLS silently.
//!
//! Values we have no field for but that must survive a round trip (Infisical `gatewayId`,
//! Sequin `ipv6`) are kept in metadata under a `infisical.` / `sequin.` prefix.
//!
//! One module per system; this one holds what they share (the reader that reports every
//! key it did not use, the TLS ladder).

mod infisical;
mod lerian;
mod sequin;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use super::draft::Imported;
use super::export::ExportContext;
use crate::error::{CoreError, ErrorCode, Result};
use crate::model::{ConnectionFields, Engine, PasswordSave, TlsMode};
use crate::secret::Secret;

pub use sequin::PRIMARY_UNMATCHED;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PayloadFormat {
    Infisical,
    Sequin,
    Lerian,
}

impl PayloadFormat {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "infisical" => Some(Self::Infisical),
            "sequin" => Some(Self::Sequin),
            "lerian" => Some(Self::Lerian),
            _ => None,
        }
    }
}

/// What an export produced: the body and what the target system cannot express.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exported {
    pub body: Value,
    pub warnings: Vec<String>,
}

pub(super) fn bad(format: &str, message: impl Into<String>) -> CoreError {
    CoreError::input(
        ErrorCode::PayloadInvalid,
        Some("payload"),
        message.into(),
        format!("Paste the {format} JSON body as the service documents it."),
    )
}

pub(super) fn refuse(message: impl Into<String>, hint: &str) -> CoreError {
    CoreError::input(ErrorCode::ExportNotPossible, None, message, hint)
}

pub(super) struct Reader<'a> {
    obj: &'a Map<String, Value>,
    used: Vec<&'static str>,
    format: &'static str,
}

impl<'a> Reader<'a> {
    fn new(v: &'a Value, format: &'static str) -> Result<Self> {
        let obj = v
            .as_object()
            .ok_or_else(|| bad(format, "The payload is not a JSON object."))?;
        Ok(Reader {
            obj,
            used: Vec::new(),
            format,
        })
    }

    fn get(&mut self, k: &'static str) -> Option<&'a Value> {
        self.used.push(k);
        self.obj.get(k).filter(|v| !v.is_null())
    }

    fn text(&mut self, k: &'static str) -> Result<Option<String>> {
        match self.get(k) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad(self.format, format!("{k} must be text."))),
        }
    }

    fn port(&mut self, k: &'static str) -> Result<Option<u32>> {
        match self.get(k) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| bad(self.format, format!("{k} must be a whole number."))),
            Some(Value::String(s)) => s
                .parse()
                .map(Some)
                .map_err(|_| bad(self.format, format!("{k} must be a whole number."))),
            Some(_) => Err(bad(self.format, format!("{k} must be a number."))),
        }
    }

    fn bool(&mut self, k: &'static str) -> Result<Option<bool>> {
        match self.get(k) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(bad(self.format, format!("{k} must be true or false."))),
        }
    }

    /// Every key not read is reported: nothing is dropped silently.
    fn leftovers(&self, prefix: &str, warnings: &mut Vec<String>) {
        for k in self.obj.keys() {
            if !self.used.contains(&k.as_str()) {
                warnings.push(format!(
                    "{prefix}{k} is not used by Switchboard and was left out"
                ));
            }
        }
    }
}

pub fn import(format: PayloadFormat, text: &str) -> Result<Imported> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        CoreError::input(
            ErrorCode::PayloadInvalid,
            Some("payload"),
            format!(
                "The payload is not valid JSON (line {}, column {}).",
                e.line(),
                e.column()
            ),
            "Paste the JSON body exactly as exported.",
        )
    })?;
    match format {
        PayloadFormat::Infisical => infisical::import(&v),
        PayloadFormat::Sequin => sequin::import(&v),
        PayloadFormat::Lerian => lerian::import(&v),
    }
}

pub fn export(
    format: PayloadFormat,
    f: &ConnectionFields,
    secrets: &ExportContext,
) -> Result<Exported> {
    match format {
        PayloadFormat::Infisical => infisical::export(f, secrets),
        PayloadFormat::Sequin => sequin::export(f, secrets),
        PayloadFormat::Lerian => lerian::export(f, secrets),
    }
}

pub(super) fn base(engine: Engine, name: String) -> ConnectionFields {
    let mut f = ConnectionFields::blank(engine, &name);
    f.password_save = PasswordSave::Keychain;
    f
}

pub(super) fn secret(s: Option<String>) -> Option<Secret> {
    s.filter(|s| !s.is_empty()).map(Secret::new)
}

pub(super) fn ladder_rank(m: TlsMode) -> usize {
    TlsMode::ALL.iter().position(|x| *x == m).unwrap_or(0)
}

/// Warns about every engine setting whose value the target's body would lose (set, not
/// the engine's default, no place for it: `export::uncarried_options`, the rule the
/// string formats follow too).
pub(super) fn unexported_options(
    f: &ConnectionFields,
    exported: &[&str],
    target: &str,
    warnings: &mut Vec<String>,
) {
    for (_, named) in super::export::uncarried_options(f, exported) {
        if let Some(named) = named {
            warnings.push(format!(
                "{target} has no place for the setting {named}: it is not exported"
            ));
        }
    }
    if f.host.starts_with('/') {
        warnings.push(format!(
            "{target} cannot reach a Unix socket ({}): the host is exported as it is",
            f.host
        ));
    }
    if f.timeout_secs != crate::model::DEFAULT_TIMEOUT_SECS {
        warnings.push(format!(
            "{target} has no connect timeout: the timeout of {} is not exported",
            crate::words::count(i64::from(f.timeout_secs), "second", "seconds")
        ));
    }
}

/// Which payload a JSON object is, by its keys.
pub fn payload_format(v: &Value) -> Option<PayloadFormat> {
    let o = v.as_object()?;
    if o.contains_key("configName") {
        Some(PayloadFormat::Lerian)
    } else if o.contains_key("credentials") || o.contains_key("app") {
        Some(PayloadFormat::Infisical)
    } else if o.contains_key("hostname")
        || o.contains_key("url")
        || o.contains_key("replication_slots")
    {
        Some(PayloadFormat::Sequin)
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
