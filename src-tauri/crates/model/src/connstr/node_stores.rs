//! What Beekeeper Studio's and DbGate's stores share (both Node.js tools): secrets sealed
//! by `simple-encryptor` (sehrope/node-simple-encryptor 3.0.0) under a key file that is
//! itself sealed under a key the tool ships, the meaning their Node drivers give an SSL
//! switch, jump-host strings, and the loose JSON values they save. Hand-written: no crate
//! opens simple-encryptor's format.

use serde_json::Value;

use super::draft::file;
use super::{FileSlot, Imported};
use crate::model::{Engine, TlsMode};

/// Opens a value `simple-encryptor` sealed with `key`: 64 hex of HMAC-SHA256 over the rest,
/// 32 hex of IV, then base64 of AES-256-CBC of the value's JSON.
pub fn open(key: &str, sealed: &str) -> std::result::Result<Value, String> {
    use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, KeyIvInit};
    use base64::Engine as _;
    use hmac::Mac;
    use sha2::Digest;
    let k = sha2::Sha256::digest(key.as_bytes());
    if sealed.len() < 96 || !sealed.is_char_boundary(64) || !sealed.is_char_boundary(96) {
        return Err("it is too short to be a sealed value".into());
    }
    let (mac, rest) = sealed.split_at(64);
    let mut check = hmac::Hmac::<sha2::Sha256>::new_from_slice(&k).map_err(|e| e.to_string())?;
    check.update(rest.as_bytes());
    let mac = hex::decode(mac).map_err(|_| "its seal is not hex".to_owned())?;
    check
        .verify_slice(&mac)
        .map_err(|_| "it is sealed with another key".to_owned())?;
    let iv = hex::decode(&rest[..32]).map_err(|_| "its IV is not hex".to_owned())?;
    let body = base64::engine::general_purpose::STANDARD
        .decode(&rest[32..])
        .map_err(|_| "its body is not base64".to_owned())?;
    let plain = cbc::Decryptor::<aes::Aes256>::new(k.as_slice().into(), iv.as_slice().into())
        .decrypt_padded_vec_mut::<Pkcs7>(&body)
        .map_err(|_| "it does not decrypt".to_owned())?;
    let plain = zeroize::Zeroizing::new(plain);
    serde_json::from_slice(&plain).map_err(|_| "it decrypts to something that is not JSON".into())
}

/// A saved text (or number) value; empty is none.
pub(super) fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A saved switch: a boolean, 0/1 (SQLite) or "true".
pub(super) fn flag(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => Some(n.as_i64() != Some(0)),
        Value::String(s) => Some(s == "1" || s.eq_ignore_ascii_case("true")),
        _ => None,
    }
}

/// The install's key, from the `.key` file's text (sealed under `shipped`); a note says
/// why when it cannot be had.
pub(super) fn install_key(
    shipped: &str,
    key_file: Option<&str>,
    tool: &str,
    notes: &mut Vec<String>,
) -> Option<String> {
    let Some(k) = key_file else {
        notes.push(format!(
            "{tool}'s key file (.key) is not there: saved secrets cannot be read"
        ));
        return None;
    };
    match open(shipped, k.trim()) {
        Ok(v) => v
            .get("encryptionKey")
            .and_then(Value::as_str)
            .map(str::to_owned),
        Err(why) => {
            notes.push(format!(
                "{tool}'s key file could not be opened ({why}): saved secrets cannot be read"
            ));
            None
        }
    }
}

/// TLS as the tool's driver for `engine` reads its switches (`reject`: Node's
/// rejectUnauthorized; `trust`: tedious's trustServerCertificate), and whose words say so.
pub(super) fn driver_tls(
    engine: Engine,
    ssl: bool,
    reject: bool,
    trust: bool,
    tool: &str,
    driver: &str,
) -> (TlsMode, String) {
    if engine == Engine::SqlServer {
        return (
            super::sqlserver::switches(ssl, trust),
            format!("{tool}'s encrypt {ssl} and trust server certificate {trust}, as tedious reads them (SqlClient's meaning)"),
        );
    }
    let (mode, why) = node_tls(ssl, reject, driver);
    (mode, format!("{tool}'s {why}"))
}

/// The certificate files the saved `sslCaFile`/`sslCertFile`/`sslKeyFile` name, read only
/// where the SSL switch is on.
pub(super) fn cert_files(imp: &mut Imported, c: &Value, ssl: bool) {
    for (col, slot) in [
        ("sslCaFile", FileSlot::Ca),
        ("sslCertFile", FileSlot::ClientCert),
        ("sslKeyFile", FileSlot::ClientKey),
    ] {
        if let Some(path) = text(c.get(col)).filter(|_| ssl) {
            file(imp, slot, col, path);
        }
    }
}

/// A saved password: into the draft with the user's consent, else named.
pub(super) fn take_password(
    imp: &mut Imported,
    password: Option<String>,
    consent: bool,
    tool: &str,
) {
    super::draft::consent_password(
        imp,
        password,
        consent,
        &format!("{tool} saved a password; import with passwords to bring it into the keychain"),
    );
}

/// node-postgres and mysql2 on a tool's SSL switch: plain text when off; on, they verify the
/// certificate and the host name unless "reject unauthorized" is off. The level, and the
/// words that say why.
fn node_tls(ssl: bool, reject: bool, driver: &str) -> (TlsMode, String) {
    match (ssl, reject) {
        (false, _) => (
            TlsMode::Disable,
            format!("SSL switch off: {driver} sends plain text"),
        ),
        (true, true) => (
            TlsMode::VerifyFull,
            format!("SSL switch on and reject unauthorized on: {driver} verifies the certificate and host name"),
        ),
        (true, false) => (
            TlsMode::Require,
            format!("SSL switch on and reject unauthorized off: {driver} encrypts without verifying"),
        ),
    }
}

/// A jump host as these tools write it: `host`, `host:port` or `user@host:port`.
pub(super) fn jump_host(s: &str) -> (Option<String>, String, Option<String>) {
    let (user, rest) = match s.split_once('@') {
        Some((u, r)) => (Some(u.to_owned()), r),
        None => (None, s),
    };
    match rest.rsplit_once(':') {
        Some((h, p)) if p.parse::<u16>().is_ok() && !h.contains(':') => {
            (user, h.to_owned(), Some(p.to_owned()))
        }
        _ => (user, rest.to_owned(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_sealed_under_another_key_is_refused_and_jump_hosts_split() {
        let e = open("k", &"0".repeat(120)).unwrap_err();
        assert!(e.contains("another key"), "{e}");
        assert_eq!(
            jump_host("me@gate.example.com:2200"),
            (
                Some("me".into()),
                "gate.example.com".into(),
                Some("2200".into())
            )
        );
        assert_eq!(jump_host("2001:db8::1"), (None, "2001:db8::1".into(), None));
    }
}
