//! HeidiSQL's sessions, from either of its two settings files: the text its "Export
//! settings" (and portable mode's `portable_settings.txt`) writes, one registry value a
//! line as `Servers\<folder>\<session>\<Name><|||><1 string|3 integer><|||><value>`
//! (`TAppSettings.ExportSettings`, CR and LF escaped as `<{{{>` and `<}}}>`), and the
//! `settings.json` of the Lazarus builds (Linux, macOS; `jsonregistry.pas`: the same keys
//! as nested objects, real booleans and numbers). Read as HeidiSQL/HeidiSQL reads them
//! (`source/apphelpers.pas`, `source/dbconnection.pas`, `source/dbstructures.pas`; notes in
//! docs/research/other_tools.md): a key holding `Folder` is a folder, any other under
//! `Servers` with values is a session. TLS keeps the client library's meaning HeidiSQL
//! sets up (`TMySQLConnection.SetActive`, `TPgConnection.SetActive`, the ADO string of
//! `TAdoDBConnection.SetActive`); passwords, obfuscated with HeidiSQL's public scheme, are
//! taken only with the user's consent.

use std::collections::BTreeMap;

use serde_json::Value;

use super::batch::{Batch, Entry, Row};
use super::draft::{draft, file};
use super::{FileSlot, Imported, SourceKind};
use crate::error::Result;
use crate::libpq::Conninfo;
use crate::model::{Engine, PasswordSave, TlsMode};
use crate::secret::Secret;
use crate::ssh::{SshAuth, SshHop, SshRoute, DEFAULT_SSH_PORT};

const DELIMITER: &str = "<|||>";

/// A settings value as either file holds it.
#[derive(Debug, Clone, PartialEq)]
enum Setting {
    Text(String),
    Int(i64),
}

impl Setting {
    fn text(&self) -> String {
        match self {
            Setting::Text(s) => s.clone(),
            Setting::Int(n) => n.to_string(),
        }
    }
    fn int(&self) -> Option<i64> {
        match self {
            Setting::Int(n) => Some(*n),
            Setting::Text(s) => s.trim().parse().ok(),
        }
    }
}

/// Each key's values: `["Servers", "Prod", "orders"]` → `Host` → value.
type Keys = BTreeMap<Vec<String>, BTreeMap<String, Setting>>;

/// Whether `text` is HeidiSQL's exported settings (text lines) or its `settings.json`.
pub fn is_settings(text: &str) -> bool {
    let t = text.trim_start();
    if t.starts_with('{') {
        return t.contains("\"Servers\"") && t.contains("\"NetType\"");
    }
    t.lines()
        .take(2000)
        .any(|l| l.starts_with("Servers\\") && l.matches(DELIMITER).count() == 2)
}

fn from_text(text: &str) -> Keys {
    let mut keys = Keys::new();
    for line in text.split('\n').map(|l| l.trim_end_matches('\r')) {
        let parts: Vec<&str> = line.split(DELIMITER).collect();
        let [path, kind, value] = parts[..] else {
            continue;
        };
        let mut segments: Vec<String> = path.split('\\').map(str::to_owned).collect();
        let Some(name) = segments.pop() else { continue };
        let value = match kind {
            "3" => Setting::Int(value.trim().parse().unwrap_or(0)),
            _ => Setting::Text(value.replace("<{{{>", "\r").replace("<}}}>", "\n")),
        };
        keys.entry(segments).or_default().insert(name, value);
    }
    keys
}

fn from_json(v: &Value, path: &mut Vec<String>, keys: &mut Keys) {
    let Value::Object(o) = v else { return };
    for (name, value) in o {
        let setting = match value {
            Value::Object(_) => {
                path.push(name.clone());
                from_json(value, path, keys);
                path.pop();
                continue;
            }
            Value::Bool(b) => Setting::Int(i64::from(*b)),
            Value::Number(n) => Setting::Int(n.as_i64().unwrap_or(0)),
            Value::String(s) => Setting::Text(s.clone()),
            _ => continue,
        };
        keys.entry(path.clone())
            .or_default()
            .insert(name.clone(), setting);
    }
}

/// HeidiSQL's password obfuscation undone (`decrypt` / `decryptUnicode` in
/// `apphelpers.pas`): hex pairs less a salt digit (mod 255), or, marked by a trailing `0`,
/// four hex digits per UTF-16 unit less the salt (mod 65536).
pub fn reveal(s: &str) -> Option<String> {
    let salt = s.chars().last()?.to_digit(10)?;
    if salt == 0 {
        let body = &s[..s.len() - 1];
        let salt = body.chars().last()?.to_digit(10)?;
        let hex = &body[..body.len() - 1];
        let units: Option<Vec<u16>> = (0..hex.len() / 4)
            .map(|i| {
                let n = u32::from_str_radix(hex.get(i * 4..i * 4 + 4)?, 16).ok()?;
                Some(((n + 65536 - salt) % 65536) as u16)
            })
            .collect();
        return String::from_utf16(&units?).ok();
    }
    let hex = &s[..s.len() - 1];
    (0..hex.len() / 2)
        .map(|i| {
            let n = i64::from(u8::from_str_radix(hex.get(i * 2..i * 2 + 2)?, 16).ok()?);
            let c = n - i64::from(salt);
            let c = if c < 0 { c + 255 } else { c };
            char::from_u32(u32::try_from(c).ok()?)
        })
        .collect()
}

/// Every session as a row; folders that hold none are kept.
pub(super) fn rows(text: &str, include_passwords: bool, batch: &mut Batch) -> Result<()> {
    let keys = if text.trim_start().starts_with('{') {
        let v: Value = serde_json::from_str(text).map_err(|e| {
            super::draft::invalid(
                format!(
                    "HeidiSQL's settings.json is not valid JSON (line {}, column {}).",
                    e.line(),
                    e.column()
                ),
                "Import the file exactly as HeidiSQL wrote it.",
            )
        })?;
        let mut keys = Keys::new();
        from_json(&v, &mut Vec::new(), &mut keys);
        keys
    } else {
        from_text(text)
    };
    let mut folders: Vec<String> = Vec::new();
    let mut used: Vec<String> = Vec::new();
    for (path, values) in &keys {
        if path.first().map(String::as_str) != Some("Servers") || path.len() < 2 {
            continue;
        }
        let folder = crate::folder::normalize(&path[1..path.len() - 1].join("/"));
        if values.contains_key("Folder") {
            folders.push(crate::folder::normalize(&path[1..].join("/")));
            continue;
        }
        let name = path[path.len() - 1].clone();
        let entry = match session(values, include_passwords) {
            Ok(Some(mut imp)) => {
                imp.fields.name = name.clone();
                imp.fields.folder = folder.clone();
                used.push(folder);
                super::mark_source(
                    &mut imp,
                    crate::connstr::tools::Tool::Heidisql,
                    &path[1..].join("\\"),
                );
                Entry::parsed(SourceKind::Tool(super::tools::Tool::Heidisql), imp)
            }
            Ok(None) => Entry::Skipped(skipped(values)),
            Err(e) => Entry::Invalid(e),
        };
        batch.rows.push(Row { label: name, entry });
    }
    for f in folders {
        let holds = used
            .iter()
            .any(|u| u == &f || u.starts_with(&format!("{f}/")));
        if !holds && !batch.folders.contains(&f) {
            batch.folders.push(f);
        }
    }
    batch.note_if_empty("the HeidiSQL settings hold no sessions");
    Ok(())
}

fn net_type(values: &BTreeMap<String, Setting>) -> i64 {
    values.get("NetType").and_then(Setting::int).unwrap_or(0)
}

fn skipped(values: &BTreeMap<String, Setting>) -> String {
    let what = match net_type(values) {
        1 => "a MySQL named pipe (Windows only)",
        3 | 5 | 6 | 7 => "a SQL Server named pipe, SPX, VINES or RPC connection (Windows only)",
        12 | 13 => "an Interbase database",
        14 | 15 => "a Firebird database",
        17 => "an encrypted SQLite database (SQLite3 Multiple Ciphers)",
        _ => "a connection type this HeidiSQL version's list does not name",
    };
    format!("HeidiSQL's session is {what}, which Switchboard does not connect to")
}

/// One session's draft, or `None` for a kind Switchboard does not connect to.
fn session(
    values: &BTreeMap<String, Setting>,
    include_passwords: bool,
) -> Result<Option<Imported>> {
    let get = |k: &str| values.get(k).map(Setting::text).filter(|s| !s.is_empty());
    let on = |k: &str| values.get(k).and_then(Setting::int).map(|n| n != 0);
    let net = net_type(values);
    let engine = match net {
        0 | 2 | 11 | 16 => Engine::Mysql,
        4 => Engine::SqlServer,
        8 | 9 => Engine::Postgres,
        10 => Engine::Sqlite,
        _ => return Ok(None),
    };
    let mut warnings = Vec::new();
    // "Databases": the ones the session shows, `;`-separated (GetAllDatabasesList).
    let databases: Vec<String> = get("Databases")
        .map(|d| {
            d.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if databases.len() > 1 && engine != Engine::Sqlite {
        warnings.push(format!(
            "HeidiSQL shows {} databases for this session; the first, {}, is the connection's database",
            databases.len(),
            databases[0]
        ));
    }
    // SSL_Active defaults to "a key is set" for sessions older than the switch.
    let ssl = on("SSL_Active").unwrap_or_else(|| get("SSL_Key").is_some());
    let verification = values
        .get("SSL_Verification")
        .and_then(Setting::int)
        .unwrap_or(2);
    let mut imp = match engine {
        Engine::Postgres => {
            // The libpq string HeidiSQL builds, read by Switchboard's libpq reader.
            let mut kv = Conninfo::new();
            // HeidiSQL hands libpq the whole list as dbname; a list is no database name,
            // so its first entry is taken (the warning above says so).
            for (k, v) in [
                ("host", get("Host")),
                ("port", get("Port").filter(|p| p != "0")),
                ("user", get("User")),
                ("dbname", databases.first().cloned()),
            ] {
                if let Some(v) = v {
                    kv.insert(k.into(), v);
                }
            }
            let mode = match (ssl, verification) {
                (false, _) => "disable",
                (true, 0) => "require",
                (true, 1) => "verify-ca",
                (true, _) => "verify-full",
            };
            kv.insert("sslmode".into(), mode.into());
            if ssl {
                for (k, v) in [
                    ("sslkey", get("SSL_Key")),
                    ("sslcert", get("SSL_Cert")),
                    ("sslrootcert", get("SSL_CA")),
                ] {
                    if let Some(v) = v {
                        kv.insert(k.into(), v);
                    }
                }
            }
            let mut imp = super::postgres::from_conninfo(kv)?;
            imp.tls_from = Some(format!(
                "HeidiSQL's SSL {} (verification {verification}): sslmode={mode}, as libpq reads it",
                if ssl { "on" } else { "off" }
            ));
            imp
        }
        Engine::Sqlite => {
            let mut imp = draft(Engine::Sqlite);
            imp.fields.database = get("Host").unwrap_or_default();
            imp.fields.password_save = PasswordSave::None;
            return Ok(Some(imp));
        }
        _ => {
            let mut imp = draft(engine);
            imp.fields.host = get("Host").unwrap_or_default();
            if let Some(p) = get("Port").filter(|p| p != "0") {
                imp.fields.port = super::draft::parse_port(&p)?;
            }
            imp.fields.username = get("User").unwrap_or_default();
            imp.fields.database = databases.first().cloned().unwrap_or_default();
            let library = get("Library").unwrap_or_else(|| {
                if engine == Engine::SqlServer {
                    "MSOLEDBSQL"
                } else {
                    "libmariadb.dll"
                }
                .into()
            });
            let (mode, said) = if engine == Engine::SqlServer {
                // The OLE DB driver HeidiSQL names, with no encryption keyword: version 19
                // encrypts and verifies by default, older ones do not encrypt.
                let v19 = library.to_ascii_uppercase().starts_with("MSOLEDBSQL19");
                (
                    super::sqlserver::switches(v19, false),
                    format!(
                        "{library}'s default encryption ({}), with SqlClient's meaning",
                        if v19 { "mandatory" } else { "off" }
                    ),
                )
            } else if library.to_ascii_lowercase().contains("mariadb") {
                // libmariadb: no TLS unless asked; asked, it verifies at 1 and 2.
                match (ssl, verification) {
                    (false, _) => (TlsMode::Disable, "HeidiSQL's SSL off with libmariadb: plain text".to_owned()),
                    (true, 0) => (TlsMode::Require, "HeidiSQL's SSL on, verification 0, with libmariadb: encrypted, not verified".to_owned()),
                    (true, _) => (TlsMode::VerifyFull, format!("HeidiSQL's SSL on, verification {verification}, with libmariadb: the certificate and host are verified")),
                }
            } else {
                // libmysql: ssl-mode PREFERRED, VERIFY_CA or VERIFY_IDENTITY.
                match (ssl, verification) {
                    (false, _) | (true, 0) => (TlsMode::Prefer, format!("HeidiSQL's SSL {} with libmysql: ssl-mode PREFERRED", if ssl { "on, verification 0," } else { "off" })),
                    (true, 1) => (TlsMode::VerifyCa, "HeidiSQL's SSL on, verification 1, with libmysql: ssl-mode VERIFY_CA".to_owned()),
                    (true, _) => (TlsMode::VerifyFull, "HeidiSQL's SSL on, verification 2, with libmysql: ssl-mode VERIFY_IDENTITY".to_owned()),
                }
            };
            imp.fields.tls.mode = mode;
            imp.tls_from = Some(said);
            if ssl && engine == Engine::Mysql {
                for (k, slot) in [
                    ("SSL_CA", FileSlot::Ca),
                    ("SSL_Cert", FileSlot::ClientCert),
                    ("SSL_Key", FileSlot::ClientKey),
                ] {
                    if let Some(p) = get(k) {
                        file(&mut imp, slot, k, p);
                    }
                }
            }
            if get("SSL_Cipher").is_some() {
                warnings.push("HeidiSQL limits the TLS cipher suites; Switchboard negotiates rustls's safe set and does not limit it".into());
            }
            imp
        }
    };
    imp.warnings.append(&mut warnings);
    if let Some(c) = get("Comment") {
        imp.fields.description = Some(c);
    }
    // TreeBackground: a Delphi TColor ($00BBGGRR); clNone ($1FFFFFFF) is none.
    if let Some(c) = values
        .get("TreeBackground")
        .and_then(Setting::int)
        .filter(|c| (0..=0x00FF_FFFF).contains(c))
    {
        imp.fields.color = Some(format!(
            "#{:02x}{:02x}{:02x}",
            c & 0xff,
            (c >> 8) & 0xff,
            (c >> 16) & 0xff
        ));
    }
    if on("WindowsAuth") == Some(true) {
        imp.warnings.push(
            "HeidiSQL logs in to this server with Windows authentication, which Switchboard does not offer: enter a SQL login".into(),
        );
    }
    if on("LoginPrompt") == Some(true) {
        imp.fields.password_save = PasswordSave::Ask;
    }
    // Sessions older than SSHtunnelActive use SSH where the network type says so.
    if on("SSHtunnelActive").unwrap_or(matches!(net, 2 | 9 | 16)) {
        let key = get("SSHtunnelPrivateKey");
        let auth = if key.is_some() {
            SshAuth::Key
        } else {
            SshAuth::Password
        };
        let secret = get("SSHtunnelPassword")
            .and_then(|p| reveal(&p))
            .filter(|p| !p.is_empty());
        let mut hop = SshHop {
            host: get("SSHtunnelHost").unwrap_or_default(),
            port: values
                .get("SSHtunnelHostPort")
                .and_then(Setting::int)
                .and_then(|p| u32::try_from(p).ok())
                .filter(|p| *p > 0)
                .unwrap_or(DEFAULT_SSH_PORT),
            user: get("SSHtunnelUser").unwrap_or_default(),
            auth,
            key_files: key.into_iter().collect(),
            secret_save: PasswordSave::Ask,
        };
        match secret {
            Some(s) if include_passwords && auth == SshAuth::Password => {
                hop.secret_save = PasswordSave::Keychain;
                imp.ssh_secrets = vec![Some(Secret::new(s))];
            }
            Some(_) if auth == SshAuth::Password => imp.warnings.push(
                "HeidiSQL saved the SSH password; import with passwords to bring it into the keychain".into(),
            ),
            _ => {}
        }
        imp.fields.ssh = Some(SshRoute::Hops { hops: vec![hop] });
    }
    match get("Password")
        .and_then(|p| reveal(&p))
        .filter(|p| !p.is_empty())
    {
        Some(p) if include_passwords => imp.password = Some(Secret::new(p)),
        Some(_) => imp.warnings.push(
            "HeidiSQL saved a password; import with passwords to bring it into the keychain".into(),
        ),
        None => {}
    }
    Ok(Some(imp))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HeidiSQL's `encrypt` / `encryptUnicode`, with a chosen salt (theirs is random).
    fn obfuscate(s: &str, salt: u32) -> String {
        if s.chars().all(|c| (c as u32) < 256) {
            let body: String = s
                .chars()
                .map(|c| {
                    let n = c as u32 + salt;
                    format!("{:02X}", if n > 255 { n - 255 } else { n })
                })
                .collect();
            format!("{body}{salt}")
        } else {
            let body: String = s
                .encode_utf16()
                .map(|u| format!("{:04X}", (u32::from(u) + salt) % 65536))
                .collect();
            format!("{body}{salt}0")
        }
    }

    #[test]
    fn both_obfuscations_are_undone_including_the_wrap_at_255() {
        for salt in 1..=9 {
            for p in ["s3cret:;", "þý edge", "Пароль-密码"] {
                assert_eq!(
                    reveal(&obfuscate(p, salt)).as_deref(),
                    Some(p),
                    "{p} {salt}"
                );
            }
        }
        // HeidiSQL wraps at 255, not 256, so its own `decrypt` turns ÿ into NUL: so does this.
        assert_eq!(reveal(&obfuscate("ÿ", 4)).as_deref(), Some("\0"));
        // A value written by HeidiSQL's own `encrypt` with salt 5: "root" → 77 74 74 79.
        assert_eq!(reveal("777474795").as_deref(), Some("root"));
        assert_eq!(reveal(""), None);
    }
}
