//! A certificate authority generated at test time (nothing private is committed).

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use time::{Duration, OffsetDateTime};

pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
    pub cert_pem: String,
}

pub struct Issued {
    pub cert_pem: String,
    pub key_pem: String,
}

impl TestCa {
    pub fn new(name: &str) -> TestCa {
        Self::with_validity(name, -1, 30)
    }

    /// A CA valid from `not_before_days` to `not_after_days` from now.
    pub fn with_validity(name: &str, not_before_days: i64, not_after_days: i64) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = OffsetDateTime::now_utc() + Duration::days(not_before_days);
        params.not_after = OffsetDateTime::now_utc() + Duration::days(not_after_days);
        let key = KeyPair::generate().expect("key");
        let issuer = CertifiedIssuer::self_signed(params, key).expect("self-signed CA");
        let cert_pem = issuer.pem();
        TestCa { issuer, cert_pem }
    }

    fn issue(&self, params: CertificateParams) -> Issued {
        let key = KeyPair::generate().expect("key");
        let cert = params.signed_by(&key, &self.issuer).expect("sign");
        Issued {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    /// A server certificate for `names` (DNS names or IP addresses), valid from
    /// `not_before` to `not_after` days from now.
    pub fn server(&self, names: &[&str], not_before_days: i64, not_after_days: i64) -> Issued {
        let mut params =
            CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .expect("params");
        params.distinguished_name.push(DnType::CommonName, names[0]);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.not_before = OffsetDateTime::now_utc() + Duration::days(not_before_days);
        params.not_after = OffsetDateTime::now_utc() + Duration::days(not_after_days);
        self.issue(params)
    }

    /// A client certificate whose CN is `user` (PostgreSQL's `cert` auth maps CN to role).
    pub fn client(&self, user: &str) -> Issued {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.distinguished_name.push(DnType::CommonName, user);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.not_before = OffsetDateTime::now_utc() - Duration::days(1);
        params.not_after = OffsetDateTime::now_utc() + Duration::days(30);
        self.issue(params)
    }
}

impl Issued {
    /// A rustls server config presenting this certificate: TLS `versions`, and a client
    /// certificate from `client_ca` required when given. TLS 1.3 session tickets are off:
    /// the test peers either hand the stream back to a plain protocol (TDS login-only
    /// encryption) or gain nothing from resumption.
    pub fn server_config(
        &self,
        versions: &[&'static rustls::SupportedProtocolVersion],
        client_ca: Option<&TestCa>,
    ) -> std::sync::Arc<rustls::ServerConfig> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        use std::sync::Arc;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(versions)
            .expect("versions");
        let builder = match client_ca {
            Some(ca) => {
                let mut roots = rustls::RootCertStore::empty();
                roots
                    .add(CertificateDer::from_pem_slice(ca.cert_pem.as_bytes()).expect("ca"))
                    .expect("root");
                builder.with_client_cert_verifier(
                    rustls::server::WebPkiClientVerifier::builder_with_provider(
                        Arc::new(roots),
                        provider,
                    )
                    .build()
                    .expect("client verifier"),
                )
            }
            None => builder.with_no_client_auth(),
        };
        let mut config = builder
            .with_single_cert(
                vec![CertificateDer::from_pem_slice(self.cert_pem.as_bytes()).expect("cert")],
                PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes()).expect("key"),
            )
            .expect("server config");
        config.send_tls13_tickets = 0;
        Arc::new(config)
    }
}
