//! PEM text to rustls types.

use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// At least one certificate, and nothing that is not a certificate.
pub fn parse_certificates(pem: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    // rustls-pemfile skips block types it does not know (encrypted or OpenSSH keys), so
    // look at every BEGIN line ourselves: a key pasted here must not be stored.
    if let Some(other) = pem
        .split("-----BEGIN ")
        .skip(1)
        .filter_map(|rest| rest.split("-----").next())
        .find(|label| *label != "CERTIFICATE")
    {
        // Quote the label only when it looks like one: a malformed BEGIN line would
        // otherwise put the base64 body (perhaps a private key) into the message.
        let looks_like_label = !other.is_empty()
            && other.len() <= 40
            && other
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == ' ');
        return Err(if looks_like_label {
            format!("it holds a {other} block, not only certificates")
        } else {
            "it holds an unrecognised or malformed block, not only certificates".into()
        });
    }
    let mut certs = Vec::new();
    for item in rustls_pemfile::read_all(&mut pem.as_bytes()) {
        match item {
            Ok(rustls_pemfile::Item::X509Certificate(c)) => {
                x509_parser::parse_x509_certificate(&c)
                    .map_err(|e| format!("a certificate does not parse ({e})"))?;
                certs.push(c)
            }
            Ok(_) => return Err("it holds something other than a certificate".into()),
            Err(e) => return Err(format!("it is not valid PEM ({e})")),
        }
    }
    if certs.is_empty() {
        return Err("no -----BEGIN CERTIFICATE----- block was found".into());
    }
    Ok(certs)
}

/// Exactly one private key.
pub fn parse_private_key(pem: &str) -> Result<PrivateKeyDer<'static>, String> {
    match rustls_pemfile::private_key(&mut pem.as_bytes()) {
        Ok(Some(k)) => Ok(k),
        Ok(None) => Err("no private key block was found".into()),
        Err(e) => Err(format!("it is not valid PEM ({e})")),
    }
}

/// Repairs certificate PEM that lost its line breaks on the way (pasted from JSON or an
/// environment variable with literal `\n`, or a form that flattened it): each
/// BEGIN/END block is re-emitted with its base64 body wrapped at 64 columns. Text without
/// a complete block is returned unchanged, so validation can report it.
pub fn normalize_certificates(text: &str) -> String {
    let t = text.replace("\\n", "\n").replace("\r\n", "\n");
    let mut out = String::new();
    let mut rest = t.as_str();
    while let Some(b) = rest.find("-----BEGIN ") {
        let after = &rest[b + "-----BEGIN ".len()..];
        let Some(label_end) = after.find("-----") else {
            break;
        };
        let label = &after[..label_end];
        let body_and_rest = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let Some(e) = body_and_rest.find(&end_marker) else {
            break;
        };
        let body: String = body_and_rest[..e]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        out.push_str(&format!("-----BEGIN {label}-----\n"));
        for chunk in body.as_bytes().chunks(64) {
            out.push_str(&String::from_utf8_lossy(chunk));
            out.push('\n');
        }
        out.push_str(&end_marker);
        out.push('\n');
        rest = &body_and_rest[e + end_marker.len()..];
    }
    if out.is_empty() {
        text.to_owned()
    } else {
        out
    }
}

/// The PEM blocks of `text` whose label passes `want`, joined. A file that holds both a
/// certificate and its key (MongoDB's tlsCertificateKeyFile) is split this way, so a key
/// never lands in a certificate field.
pub fn select_blocks(text: &str, want: impl Fn(&str) -> bool) -> String {
    let mut out = String::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            current = want(label).then(|| format!("{line}\n"));
        } else if let Some(block) = current.as_mut() {
            block.push_str(line);
            block.push('\n');
            if line.starts_with("-----END ") {
                out.push_str(block);
                current = None;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT_BODY: &str = "MIIBfzCCASagAwIBAgIUCJ9bsupyoc6RW9FK4CxqPuGPv2gwCgYIKoZIzj0EAwIwHjEcMBoGA1UEAwwTU3dpdGNoYm9hcmQ";

    #[test]
    fn flattened_and_escaped_pem_is_rewrapped_and_good_pem_is_kept() {
        let flat = format!("-----BEGIN CERTIFICATE-----{CERT_BODY}-----END CERTIFICATE-----");
        let escaped = format!(
            "-----BEGIN CERTIFICATE-----\\n{}\\n{}\\n-----END CERTIFICATE-----\\n",
            &CERT_BODY[..64],
            &CERT_BODY[64..]
        );
        let want = format!(
            "-----BEGIN CERTIFICATE-----\n{}\n{}\n-----END CERTIFICATE-----\n",
            &CERT_BODY[..64],
            &CERT_BODY[64..]
        );
        assert_eq!(normalize_certificates(&flat), want);
        assert_eq!(normalize_certificates(&escaped), want);
        assert_eq!(normalize_certificates(&want), want);
        assert_eq!(normalize_certificates("not pem"), "not pem");
    }

    #[test]
    fn a_malformed_key_in_a_certificate_field_is_not_quoted_back() {
        let label = concat!("PRIVATE", " KEY");
        let pem = format!("-----BEGIN {label}\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ\n-----END {label}-----\n");
        let err = parse_certificates(&pem).unwrap_err();
        assert!(!err.contains("MIIE"), "{err}");
    }

    #[test]
    fn private_keys_of_any_kind_are_not_certificates() {
        for label in [
            "ENCRYPTED PRIVATE KEY",
            "OPENSSH PRIVATE KEY",
            "PRIVATE KEY",
        ] {
            let pem = format!("-----BEGIN {label}-----\nAAAA\n-----END {label}-----\n");
            let err = parse_certificates(&pem).unwrap_err();
            assert!(err.contains(label), "{err}");
            assert_eq!(normalize_certificates(&pem), pem);
        }
    }
}
