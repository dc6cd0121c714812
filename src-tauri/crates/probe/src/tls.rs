//! The TLS ladder on rustls, for drivers that let us supply the TLS layer.
//!
//! `require`/`prefer` encrypt without verifying, `verify-ca` checks the chain but not the
//! name (rustls has no such mode, so a verifier wraps WebPKI and forgives only a name
//! mismatch), `verify-full` checks both. Trust is the OS store (loaded once) plus the
//! connection's CA PEM, except for `verify-ca`, which trusts only the connection's CA, as
//! libpq does: without a name check, trusting every public CA would accept any certificate
//! they ever issued (so verify-ca without a CA is `ca_required`). The modes that do not
//! verify build no WebPKI verifier at all, so they work on a machine whose trust store is
//! empty. Every handshake is observed: the chain the server sent, why verification failed,
//! the protocol and cipher, and when it started and ended, so the test can explain itself.
//!
//! Also shared here: the timed handshake, finding the rustls error behind a driver's error
//! (`rustls_error`) and classifying it (`classify_failure`), the rule for drivers that
//! cannot check a chain without the host name (`verify_ca_needs_name`), and the
//! tokio-postgres connector (`PgTlsConnect`), which also computes the RFC 5929
//! `tls-server-end-point` channel binding so SCRAM-SHA-256-PLUS keeps working.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::Instant;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use sha2::Digest;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

use super::driver::Fail;
use super::report::{Step, TlsInfo};
use super::ProbeTarget;
use switchboard_model::cert::{certificate_info, provider, CertificateInfo};
use switchboard_model::error::ErrorCode;
use switchboard_model::model::TlsMode;
use switchboard_model::secret::Secret;

/// What the handshake showed. Shared between the verifier, the connector and the test.
#[derive(Debug, Default)]
pub struct Observation {
    pub started: Option<Instant>,
    pub finished: Option<Instant>,
    pub chain: Vec<CertificateDer<'static>>,
    pub verify_error: Option<rustls::Error>,
    pub protocol: Option<String>,
    pub cipher_suite: Option<String>,
    pub alpn: Option<String>,
    /// verify-ca: whether the certificate also names the host (the name is not required,
    /// but a driver that cannot skip the name check can then be given the full check).
    pub name_matches: Option<bool>,
}

pub type SharedObservation = Arc<Mutex<Observation>>;

fn with_obs<R>(obs: &SharedObservation, f: impl FnOnce(&mut Observation) -> R) -> Option<R> {
    obs.lock().ok().map(|mut o| f(&mut o))
}

/// The OS trust store, read once per process.
fn native_roots() -> &'static [CertificateDer<'static>] {
    static ROOTS: OnceLock<Vec<CertificateDer<'static>>> = OnceLock::new();
    ROOTS.get_or_init(|| rustls_native_certs::load_native_certs().certs)
}

/// The OS trust store as PEM text, for drivers that read CAs only from files; `None`
/// when the store is empty or unreadable.
pub(crate) fn native_roots_pem() -> Option<&'static str> {
    use base64::Engine as _;
    static PEM: OnceLock<String> = OnceLock::new();
    let pem = PEM.get_or_init(|| {
        let mut out = String::new();
        for cert in native_roots() {
            let b64 = base64::engine::general_purpose::STANDARD.encode(cert.as_ref());
            out.push_str("-----BEGIN CERTIFICATE-----\n");
            for line in b64.as_bytes().chunks(64) {
                out.push_str(&String::from_utf8_lossy(line));
                out.push('\n');
            }
            out.push_str("-----END CERTIFICATE-----\n");
        }
        out
    });
    (!pem.is_empty()).then_some(pem.as_str())
}

/// TLS material for one test.
#[derive(Debug, Clone, Default)]
pub struct TlsMaterial {
    pub ca_pem: Option<String>,
    pub client_cert_pem: Option<String>,
    pub client_key_pem: Option<Secret>,
}

#[derive(Debug)]
struct Observer {
    mode: TlsMode,
    /// WebPKI for the modes that verify; the others need no trust anchors at all.
    inner: Option<Arc<WebPkiServerVerifier>>,
    obs: SharedObservation,
}

impl Observer {
    fn webpki(&self) -> Result<&WebPkiServerVerifier, rustls::Error> {
        self.inner
            .as_deref()
            .ok_or_else(|| rustls::Error::General("no trust anchors to verify with".into()))
    }
}

impl ServerCertVerifier for Observer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        with_obs(&self.obs, |o| {
            o.chain = std::iter::once(end_entity)
                .chain(intermediates)
                .map(|c| c.clone().into_owned())
                .collect();
        });
        let verdict = match self.mode {
            TlsMode::Disable | TlsMode::Prefer | TlsMode::Require => {
                return Ok(ServerCertVerified::assertion());
            }
            TlsMode::VerifyCa => {
                match self.webpki()?.verify_server_cert(
                    end_entity,
                    intermediates,
                    server_name,
                    ocsp,
                    now,
                ) {
                    // WebPKI checks the chain before the name, so a name error means the
                    // chain was good: exactly what verify-ca asks for.
                    Err(rustls::Error::InvalidCertificate(
                        CertificateError::NotValidForName
                        | CertificateError::NotValidForNameContext { .. },
                    )) => {
                        with_obs(&self.obs, |o| o.name_matches = Some(false));
                        Ok(ServerCertVerified::assertion())
                    }
                    Ok(v) => {
                        with_obs(&self.obs, |o| o.name_matches = Some(true));
                        Ok(v)
                    }
                    other => other,
                }
            }
            TlsMode::VerifyFull => {
                self.webpki()?
                    .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
            }
        };
        if let Err(e) = &verdict {
            with_obs(&self.obs, |o| o.verify_error = Some(e.clone()));
        }
        verdict
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &provider().signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &provider().signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Why the TLS material itself is unusable (bad PEM, key not matching).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterialError {
    pub field: &'static str,
    pub code: switchboard_model::error::ErrorCode,
    pub message: String,
}

/// What to do about unusable TLS material, in the user's terms.
pub fn material_hint(e: &MaterialError) -> String {
    match e.code {
        switchboard_model::error::ErrorCode::CaRequired => "Paste the server's CA certificate into the CA field, or choose verify-full (which also checks the host name and may use the system's CAs).".into(),
        switchboard_model::error::ErrorCode::TlsUntrusted => "Install this machine's CA certificates (on Debian/Ubuntu the ca-certificates package), or paste the server's CA certificate into the CA field.".into(),
        _ => format!("Fix {} and test again.", e.field),
    }
}

/// A rustls client config for `mode`, reporting into `obs`.
pub fn client_config(
    mode: TlsMode,
    material: &TlsMaterial,
    obs: SharedObservation,
) -> Result<ClientConfig, MaterialError> {
    client_config_with(mode, material, obs, native_roots())
}

/// `client_config` with `native` as this machine's store.
fn client_config_with(
    mode: TlsMode,
    material: &TlsMaterial,
    obs: SharedObservation,
    native: &[CertificateDer<'static>],
) -> Result<ClientConfig, MaterialError> {
    let mut roots = RootCertStore::empty();
    // verify-ca skips the host name, so it must not trust every public CA: any
    // certificate one of them issued, for any name, would pass. Like libpq, it trusts only
    // the connection's own CA.
    if mode != TlsMode::VerifyCa {
        roots.add_parsable_certificates(native.iter().cloned());
    }
    let ca_pem = material.ca_pem.as_deref().filter(|p| !p.trim().is_empty());
    if mode == TlsMode::VerifyCa && ca_pem.is_none() {
        return Err(MaterialError {
            field: "tls.ca_pem",
            code: switchboard_model::error::ErrorCode::CaRequired,
            message: "verify-ca needs the server's CA certificate".into(),
        });
    }
    if let Some(pem) = ca_pem {
        let certs = switchboard_model::pem::parse_certificates(pem).map_err(|m| MaterialError {
            field: "tls.ca_pem",
            code: switchboard_model::error::ErrorCode::CaPemInvalid,
            message: format!("The CA certificate is not usable: {m}"),
        })?;
        for c in certs {
            roots.add(c).map_err(|e| MaterialError {
                field: "tls.ca_pem",
                code: switchboard_model::error::ErrorCode::CaPemInvalid,
                message: format!("The CA certificate is not usable as a trust anchor: {e}"),
            })?;
        }
    }
    let provider = provider();
    // Only the verifying modes need trust anchors: require must work on a machine whose
    // store is empty.
    let inner = if matches!(mode, TlsMode::VerifyCa | TlsMode::VerifyFull) {
        Some(
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| match ca_pem {
                    Some(_) => MaterialError {
                        field: "tls.ca_pem",
                        code: switchboard_model::error::ErrorCode::CaPemInvalid,
                        message: format!("No trust anchors are available: {e}"),
                    },
                    // Nothing was pasted: it is this machine's store that is empty.
                    None => MaterialError {
                        field: "tls.ca_pem",
                        code: switchboard_model::error::ErrorCode::TlsUntrusted,
                        message: "This machine trusts no certificate authority (its trust store is empty or unreadable), so no certificate can be checked".into(),
                    },
                })?,
        )
    } else {
        None
    };
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| MaterialError {
            field: "tls.mode",
            code: switchboard_model::error::ErrorCode::TlsMaterialInvalid,
            message: format!("TLS is not available: {e}"),
        })?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Observer { mode, inner, obs }));
    match (&material.client_cert_pem, &material.client_key_pem) {
        (Some(cert), Some(key)) => {
            let chain =
                switchboard_model::pem::parse_certificates(cert).map_err(|m| MaterialError {
                    field: "tls.client_cert_pem",
                    code: switchboard_model::error::ErrorCode::TlsMaterialInvalid,
                    message: format!("The client certificate is not usable: {m}"),
                })?;
            let key = switchboard_model::pem::parse_private_key(key.expose()).map_err(|m| {
                MaterialError {
                    field: "tls.client_key",
                    code: switchboard_model::error::ErrorCode::TlsMaterialInvalid,
                    message: format!("The client key is not usable: {m}"),
                }
            })?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| MaterialError {
                    field: "tls.client_key",
                    code: switchboard_model::error::ErrorCode::TlsMaterialInvalid,
                    message: format!("The client key does not fit the certificate: {e}"),
                })
        }
        (None, None) => Ok(builder.with_no_client_auth()),
        (Some(_), None) => Err(MaterialError {
            field: "tls.client_key",
            code: switchboard_model::error::ErrorCode::TlsMaterialInvalid,
            message: "A client certificate was given without its private key".into(),
        }),
        (None, Some(_)) => Err(MaterialError {
            field: "tls.client_cert_pem",
            code: switchboard_model::error::ErrorCode::TlsMaterialInvalid,
            message: "A client key was given without its certificate".into(),
        }),
    }
}

/// tokio-postgres TLS connector over rustls that records the handshake.
pub struct PgTlsConnect {
    pub connector: TlsConnector,
    pub server_name: ServerName<'static>,
    pub obs: SharedObservation,
}

/// For a driver that cannot check a chain without the host name: a verify-ca test may go
/// on only if the certificate also names the host (the driver then checks it fully);
/// otherwise it stops before the password is sent.
pub(crate) fn verify_ca_needs_name(
    target: &ProbeTarget,
    obs: &SharedObservation,
    driver: &str,
) -> Result<(), Fail> {
    let matches = obs.lock().ok().and_then(|o| o.name_matches);
    if target.tls_mode != TlsMode::VerifyCa || matches == Some(true) {
        return Ok(());
    }
    Err(Fail::new(
        Step::Auth,
        ErrorCode::TlsModeUnsupported,
        format!(
            "The certificate is good for this CA but does not name {}, and {driver} cannot check a chain without the host name on its own connection: the password is not sent over an unchecked one.",
            target.host
        ),
        "Connect with a name the certificate lists and choose verify-full, or choose require if an unverified encrypted connection is acceptable.",
    ))
}

/// The rustls error behind a driver's or transport's error, if any: anywhere in its source
/// chain, or inside an I/O error there (how TLS streams report them).
pub(crate) fn rustls_error(e: &(dyn std::error::Error + 'static)) -> Option<rustls::Error> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return Some(r.clone());
        }
        if let Some(r) = err
            .downcast_ref::<io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(r.clone());
        }
        cur = err.source();
    }
    None
}

/// The rustls connector and server name for `target` (its TLS material is ignored when TLS
/// is disabled, so it cannot fail such a test). Shared by engines.
pub(crate) fn connector_for(
    target: &ProbeTarget,
    obs: &SharedObservation,
) -> Result<(TlsConnector, ServerName<'static>), Fail> {
    let material = if target.tls_mode == TlsMode::Disable {
        TlsMaterial::default()
    } else {
        target.tls.clone()
    };
    let config = client_config(target.tls_mode, &material, obs.clone())
        .map_err(|e| Fail::new(Step::Tls, e.code, e.message.clone(), material_hint(&e)))?;
    let server_name = ServerName::try_from(target.host.clone()).map_err(|e| {
        Fail::new(
            Step::Tls,
            ErrorCode::HostInvalid,
            format!("{:?} cannot be used as a TLS server name: {e}", target.host),
            "Use a DNS name or an IP address.",
        )
    })?;
    Ok((TlsConnector::from(Arc::new(config)), server_name))
}

/// Runs the TLS handshake on `stream`, noting when it started and ended and what was
/// negotiated. Shared by engines whose driver lets us hand it the stream, and by the
/// certificate inspection of those that do not.
pub async fn handshake<S>(
    connector: &TlsConnector,
    server_name: ServerName<'static>,
    stream: S,
    obs: &SharedObservation,
) -> io::Result<TlsStream<S>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    with_obs(obs, |o| o.started = Some(Instant::now()));
    let tls = connector.connect(server_name, stream).await?;
    let (_, conn) = tls.get_ref();
    let protocol = conn
        .protocol_version()
        .map(|v| format!("{v:?}").replace("TLSv1_", "TLS 1."));
    let cipher = conn
        .negotiated_cipher_suite()
        .map(|c| format!("{:?}", c.suite()));
    let alpn = conn
        .alpn_protocol()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    with_obs(obs, |o| {
        o.finished = Some(Instant::now());
        o.protocol = protocol;
        o.cipher_suite = cipher;
        o.alpn = alpn;
    });
    Ok(tls)
}

impl<S> tokio_postgres::tls::TlsConnect<S> for PgTlsConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = PgTlsStream<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<PgTlsStream<S>>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        Box::pin(async move {
            let tls = handshake(&self.connector, self.server_name, stream, &self.obs).await?;
            Ok(PgTlsStream(tls))
        })
    }
}

pub struct PgTlsStream<S>(TlsStream<S>);

impl<S: AsyncRead + AsyncWrite + Unpin> tokio_postgres::tls::TlsStream for PgTlsStream<S> {
    /// RFC 5929 tls-server-end-point, so SCRAM-SHA-256-PLUS can bind to this channel.
    fn channel_binding(&self) -> tokio_postgres::tls::ChannelBinding {
        let (_, conn) = self.0.get_ref();
        conn.peer_certificates()
            .and_then(|c| c.first())
            .and_then(|leaf| end_point_hash(leaf))
            .map(tokio_postgres::tls::ChannelBinding::tls_server_end_point)
            .unwrap_or_else(tokio_postgres::tls::ChannelBinding::none)
    }
}

/// The certificate's hash with its signature's hash algorithm (SHA-1/MD5 become SHA-256);
/// `None` where RFC 5929 defines none (e.g. Ed25519, RSA-PSS).
fn end_point_hash(leaf: &CertificateDer<'_>) -> Option<Vec<u8>> {
    let (_, cert) = x509_parser::parse_x509_certificate(leaf).ok()?;
    let oid = cert.signature_algorithm.algorithm.to_id_string();
    Some(match oid.as_str() {
        "1.2.840.113549.1.1.4"
        | "1.2.840.113549.1.1.5"
        | "1.2.840.113549.1.1.11"
        | "1.2.840.10045.4.1"
        | "1.2.840.10045.4.3.2" => sha2::Sha256::digest(leaf).to_vec(),
        "1.2.840.113549.1.1.12" | "1.2.840.10045.4.3.3" => sha2::Sha384::digest(leaf).to_vec(),
        "1.2.840.113549.1.1.13" | "1.2.840.10045.4.3.4" => sha2::Sha512::digest(leaf).to_vec(),
        _ => return None,
    })
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for PgTlsStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for PgTlsStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// Plain words for what `mode` checks.
pub fn verification_words(mode: TlsMode) -> &'static str {
    match mode {
        TlsMode::Disable => "No TLS: traffic, including the password exchange, is not encrypted.",
        TlsMode::Prefer => "Encrypted if the server offers it; the certificate is not verified, so an impostor could read the traffic.",
        TlsMode::Require => "Encrypted; the certificate is not verified, so an impostor could read the traffic.",
        TlsMode::VerifyCa => "Encrypted; the certificate chains to this connection's CA, but the host name is not checked.",
        TlsMode::VerifyFull => "Encrypted; the certificate chains to a trusted CA and names this host.",
    }
}

pub fn tls_info(mode: TlsMode, obs: &Observation) -> Option<TlsInfo> {
    obs.finished?;
    Some(TlsInfo {
        protocol: obs.protocol.clone().unwrap_or_default(),
        cipher_suite: obs.cipher_suite.clone().unwrap_or_default(),
        alpn: obs.alpn.clone(),
        verification: verification_words(mode).to_owned(),
        peer_certificates: obs.chain.iter().filter_map(certificate_info).collect(),
    })
}

/// A failed handshake in the user's terms: what the verifier recorded (or the error the
/// transport returned), with the leaf certificate's names and dates. Shared by engines.
pub(crate) fn classify_failure(
    target: &ProbeTarget,
    obs: &SharedObservation,
    transport: Option<rustls::Error>,
) -> Option<Fail> {
    let verify_error = obs.lock().ok().and_then(|o| o.verify_error.clone());
    let rustls_err = verify_error.or(transport)?;
    let leaf = obs
        .lock()
        .ok()
        .and_then(|o| o.chain.first().and_then(certificate_info));
    use rustls::CertificateError as C;
    Some(match &rustls_err {
        rustls::Error::InvalidCertificate(C::NotValidForName | C::NotValidForNameContext { .. }) => {
            let names = leaf.map(|l| l.subject_alt_names.join(", ")).unwrap_or_default();
            Fail::new(
                Step::Tls,
                ErrorCode::TlsHostnameMismatch,
                format!("The server's certificate is for {names}, but you connected to {}.", target.host),
                format!("Connect using a name the certificate lists ({names}), or choose verify-ca to check the chain without the host name."),
            )
        }
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => Fail::new(
            Step::Tls,
            ErrorCode::TlsExpired,
            format!(
                "The server's certificate expired{}.",
                leaf.map(|l| format!(" on {}", l.not_after)).unwrap_or_default()
            ),
            "Ask the server's owner to renew its certificate.",
        ),
        rustls::Error::InvalidCertificate(C::NotValidYet | C::NotValidYetContext { .. }) => Fail::new(
            Step::Tls,
            ErrorCode::TlsExpired,
            "The server's certificate is not valid yet.",
            "Check this machine's clock, or ask the server's owner about the certificate's dates.",
        ),
        rustls::Error::InvalidCertificate(C::UnknownIssuer | C::BadSignature) => {
            let chain: Vec<CertificateInfo> = obs
                .lock()
                .ok()
                .map(|o| o.chain.iter().filter_map(certificate_info).collect())
                .unwrap_or_default();
            untrusted(target.tls_mode, &given_ca_subjects(target), &chain)
        }
        rustls::Error::InvalidCertificate(_) => Fail::new(
            Step::Tls,
            ErrorCode::TlsUntrusted,
            format!(
                "The server's certificate{} cannot be verified ({rustls_err}).",
                leaf.map(|l| format!(" (issued by {})", l.issuer)).unwrap_or_default()
            ),
            "Paste the server's CA certificate (PEM) into the CA field, or choose require to encrypt without verifying.",
        ),
        rustls::Error::AlertReceived(
            rustls::AlertDescription::CertificateRequired | rustls::AlertDescription::HandshakeFailure,
        ) if target.tls.client_cert_pem.is_none() => Fail::new(
            Step::Tls,
            ErrorCode::TlsClientCertRequired,
            "The server asks for a client certificate and none was given.",
            "Add your client certificate and key.",
        ),
        other => Fail::new(
            Step::Tls,
            ErrorCode::TlsHandshakeFailed,
            format!("The TLS handshake failed: {other}."),
            "Check the TLS settings on both sides (protocol versions, certificates).",
        ),
    })
}

/// The subjects of the CA certificates the user gave (none when no CA was given, or when
/// it is unreadable: that was reported before the handshake).
fn given_ca_subjects(target: &ProbeTarget) -> Vec<String> {
    let Some(pem) = target
        .tls
        .ca_pem
        .as_deref()
        .filter(|p| !p.trim().is_empty())
    else {
        return Vec::new();
    };
    switchboard_model::pem::parse_certificates(pem)
        .map(|certs| {
            certs
                .iter()
                .filter_map(certificate_info)
                .map(|c| c.subject)
                .collect()
        })
        .unwrap_or_default()
}

/// A chain that leads to no trusted root (`chain`: what the server sent, leaf first), told
/// apart by whether the user gave a CA (`given`: its subjects): then the CA given is not
/// the one that issued it (both named), else this machine's store does not hold the issuer.
fn untrusted(mode: TlsMode, given: &[String], chain: &[CertificateInfo]) -> Fail {
    let issuer = chain.first().map(|c| c.issuer.as_str());
    // The CA to trust is the issuer of the last certificate sent: a chain may carry
    // intermediates, and the root is what goes into the CA field.
    let root = chain.last().map(|c| c.issuer.as_str());
    let named = root.map(|r| format!(" ({r})")).unwrap_or_default();
    let to_paste = format!("the CA certificate that issued the server's certificate{named}");
    let or_require = "or choose require to encrypt without verifying.";
    let issued_by = match (issuer, root) {
        (Some(i), Some(r)) if i != r => format!(" was issued by {i} (under {r})"),
        (Some(i), _) => format!(" was issued by {i}"),
        _ => String::new(),
    };
    if given.is_empty() {
        let issued_by = match (issuer, root) {
            (Some(i), Some(r)) if i != r => format!(" (issued by {i}, under {r})"),
            (Some(i), _) => format!(" (issued by {i})"),
            _ => String::new(),
        };
        return Fail::new(
            Step::Tls,
            ErrorCode::TlsUntrusted,
            format!(
                "The server's certificate{issued_by} is not trusted by this machine's certificate store, and no CA certificate was given."
            ),
            format!("Paste {to_paste} into the CA field, {or_require}"),
        );
    }
    let given_names = given.join("; ");
    // The issuer's name is the CA's, yet its key did not sign the chain: another
    // certificate of that name (renewed or re-created).
    if chain.iter().any(|c| given.contains(&c.issuer)) {
        return Fail::new(
            Step::Tls,
            ErrorCode::TlsUntrusted,
            format!(
                "The server's certificate{issued_by}, the name of the CA you gave ({given_names}), but it was not signed by that CA's key: the CA certificate you gave is another one with the same name (renewed or re-created)."
            ),
            format!("Paste the current CA certificate that issued the server's certificate{named} into the CA field, {or_require}"),
        );
    }
    let also_store = if mode == TlsMode::VerifyFull {
        ", and this machine's certificate store does not trust it either"
    } else {
        ""
    };
    let message = if issued_by.is_empty() {
        format!("The server's certificate was not issued by the CA you gave ({given_names}){also_store}.")
    } else {
        format!("The server's certificate{issued_by}, not by the CA you gave ({given_names}){also_store}.")
    };
    Fail::new(
        Step::Tls,
        ErrorCode::TlsUntrusted,
        message,
        format!("Paste {to_paste} into the CA field instead, {or_require}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs() -> SharedObservation {
        Arc::new(Mutex::new(Observation::default()))
    }

    #[test]
    fn modes_that_do_not_verify_work_on_a_machine_with_an_empty_trust_store() {
        for mode in [TlsMode::Disable, TlsMode::Prefer, TlsMode::Require] {
            assert!(
                client_config_with(mode, &TlsMaterial::default(), obs(), &[]).is_ok(),
                "{mode:?}"
            );
        }
        let Err(e) = client_config_with(TlsMode::VerifyFull, &TlsMaterial::default(), obs(), &[])
        else {
            panic!("verify-full has nothing to verify with");
        };
        assert_eq!(e.code, switchboard_model::error::ErrorCode::TlsUntrusted);
        assert!(e.message.contains("trust store is empty"), "{}", e.message);
        assert!(material_hint(&e).contains("ca-certificates"));
    }

    fn cert(subject: &str, issuer: &str) -> CertificateInfo {
        CertificateInfo {
            subject: subject.into(),
            issuer: issuer.into(),
            subject_alt_names: vec![],
            not_before: String::new(),
            not_after: String::new(),
            days_left: 30,
            sha256_fingerprint: String::new(),
        }
    }

    #[test]
    fn an_untrusted_chain_without_a_ca_given_blames_the_system_store_and_names_the_issuer() {
        let chain = [cert("CN=db.example", "CN=Corp Root")];
        let f = untrusted(TlsMode::VerifyFull, &[], &chain);
        assert_eq!(f.code, ErrorCode::TlsUntrusted);
        assert_eq!(
            f.message,
            "The server's certificate (issued by CN=Corp Root) is not trusted by this machine's certificate store, and no CA certificate was given."
        );
        assert_eq!(
            f.hint,
            "Paste the CA certificate that issued the server's certificate (CN=Corp Root) into the CA field, or choose require to encrypt without verifying."
        );
    }

    #[test]
    fn an_untrusted_chain_with_a_ca_given_names_both_the_issuer_and_the_ca_given() {
        let chain = [cert("CN=db.example", "CN=Other Root")];
        let given = ["CN=Switchboard Test CA".to_owned()];
        let f = untrusted(TlsMode::VerifyCa, &given, &chain);
        assert_eq!(f.code, ErrorCode::TlsUntrusted);
        assert_eq!(
            f.message,
            "The server's certificate was issued by CN=Other Root, not by the CA you gave (CN=Switchboard Test CA)."
        );
        assert!(f.hint.contains("(CN=Other Root)"), "{}", f.hint);
        // verify-full also trusted the store.
        let f = untrusted(TlsMode::VerifyFull, &given, &chain);
        assert!(
            f.message.ends_with("does not trust it either."),
            "{}",
            f.message
        );
        // Through an intermediate: the root to paste is the top certificate's issuer.
        let chain = [
            cert("CN=db.example", "CN=Issuing CA"),
            cert("CN=Issuing CA", "CN=Other Root"),
        ];
        let f = untrusted(TlsMode::VerifyCa, &given, &chain);
        assert!(
            f.message.starts_with("The server's certificate was issued by CN=Issuing CA (under CN=Other Root), not by the CA you gave"),
            "{}",
            f.message
        );
        assert!(f.hint.contains("(CN=Other Root)"), "{}", f.hint);
    }

    #[test]
    fn a_ca_given_with_the_issuer_s_name_but_another_key_is_called_another_certificate() {
        let chain = [cert("CN=db.example", "CN=Corp Root")];
        let f = untrusted(TlsMode::VerifyCa, &["CN=Corp Root".to_owned()], &chain);
        assert!(
            f.message.contains("not signed by that CA's key"),
            "{}",
            f.message
        );
        assert!(f.message.contains("same name"), "{}", f.message);
    }
}
