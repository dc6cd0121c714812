//! Secrets sealed by `simple-encryptor` (sehrope/node-simple-encryptor 3.0.0), which
//! Beekeeper Studio and DbGate both use, and the meaning both tools' Node drivers give
//! their SSL switches. Hand-written: no crate opens simple-encryptor's format.

use serde_json::Value;

use crate::model::TlsMode;

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

/// node-postgres and mysql2 on a tool's SSL switch: plain text when off; on, they verify the
/// certificate and the host name unless "reject unauthorized" is off. The level, and the
/// words that say why.
pub(super) fn node_tls(ssl: bool, reject: bool, driver: &str) -> (TlsMode, String) {
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
