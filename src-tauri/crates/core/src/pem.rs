//! PEM text to rustls types.

use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// At least one certificate, and nothing that is not a certificate.
pub fn parse_certificates(pem: &str) -> Result<Vec<CertificateDer<'static>>, String> {
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
