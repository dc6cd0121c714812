//! Switchboard's own connection to the server: resolve, TCP, PRELOGIN and (when any
//! encryption is to happen) the TLS handshake inside PRELOGIN packets, with the same
//! verifier as every engine. It times those steps, shows the certificate chain and finds
//! the encryption level the driver's login connection will have.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::AsyncWriteExt;
use tokio_rustls::TlsConnector;

use super::classify::not_sql_server;
use super::wire::{
    encryption_name, prelogin_request, read_prelogin, Prelogin, PreloginFramed, ENCRYPT_NOT_SUP,
    ENCRYPT_OFF, ENCRYPT_ON, ENCRYPT_REQ,
};
use super::{verification, Negotiated};
use crate::driver::Fail;
use crate::net::open_stream_preferring;
use crate::report::{Recorder, Step, StepStatus};
use crate::tls::{self, SharedObservation};
use crate::ProbeTarget;
use switchboard_model::error::ErrorCode;
use switchboard_model::model::TlsMode;

/// What the inspection connection learnt.
pub(super) struct Inspected {
    pub(super) negotiated: Negotiated,
    pub(super) addr: crate::net::Reach,
    /// From the PRELOGIN VERSION option, e.g. "16.0.1000".
    pub(super) version: Option<String>,
    /// The chain the server sent (leaf first), for picking the CA the driver trusts.
    pub(super) chain: Vec<CertificateDer<'static>>,
}

/// The server's answer against the connection's TLS mode.
fn negotiate(target: &ProbeTarget, p: &Prelogin) -> Result<Negotiated, Fail> {
    let mode = target.tls_mode;
    let loose = matches!(mode, TlsMode::Disable | TlsMode::Prefer);
    match p.encryption {
        ENCRYPT_NOT_SUP if loose => Ok(Negotiated::None),
        ENCRYPT_NOT_SUP => Err(Fail::new(
            Step::Tls,
            ErrorCode::TlsNotSupportedByServer,
            format!(
                "{}:{} does not support encryption (PRELOGIN answered ENCRYPT_NOT_SUP): it has no certificate.",
                target.host, target.port
            ),
            "Give the server a certificate (SQL Server Configuration Manager → Protocols → Certificate), or (only on a trusted network) choose TLS mode disable or prefer.",
        )),
        ENCRYPT_OFF if loose => Ok(Negotiated::LoginOnly),
        ENCRYPT_ON | ENCRYPT_REQ if mode == TlsMode::Disable => Err(Fail::new(
            Step::Tls,
            ErrorCode::TlsRequiredByServer,
            format!(
                "{}:{} requires encryption for the whole session (PRELOGIN answered {}), but this connection's TLS mode is disable (Encrypt=False: the login packet only).",
                target.host,
                target.port,
                encryption_name(p.encryption)
            ),
            "Choose TLS mode require or stronger (verify-full is best); the server has Force Encryption on.",
        )),
        _ => Ok(Negotiated::Full),
    }
}

/// Resolve, TCP, PRELOGIN and (when any encryption is to happen) the TLS handshake inside
/// PRELOGIN packets, on Switchboard's own connection.
pub(super) async fn inspect(
    target: &ProbeTarget,
    rec: &mut Recorder,
    obs: &SharedObservation,
    prefer: Option<std::net::IpAddr>,
) -> Result<Inspected, Fail> {
    // SQL Server (TDS 7.x) has no client certificates: only the CA is used.
    let material = tls::TlsMaterial {
        ca_pem: if target.tls_mode == TlsMode::Disable {
            None
        } else {
            target.tls.ca_pem.clone()
        },
        ..Default::default()
    };
    let client_config = tls::client_config(target.tls_mode, &material, obs.clone())
        .map_err(|e| Fail::new(Step::Tls, e.code, e.message.clone(), tls::material_hint(&e)))?;
    let cert_name = target
        .text_option("host_name_in_certificate")
        .filter(|_| matches!(target.tls_mode, TlsMode::VerifyCa | TlsMode::VerifyFull))
        .unwrap_or(&target.host)
        .to_owned();
    let server_name = ServerName::try_from(cert_name.clone()).map_err(|e| {
        Fail::new(
            Step::Tls,
            ErrorCode::HostInvalid,
            format!("{cert_name:?} cannot be used as a TLS server name: {e}"),
            "Use a DNS name or an IP address (or fix the host name in certificate).",
        )
    })?;
    let mut stream = open_stream_preferring(target, rec, prefer).await?;
    let addr = stream.reach().map_err(|e| {
        Fail::new(
            Step::Connect,
            ErrorCode::ConnectionFailed,
            format!(
                "The connection to {}:{} closed at once ({e}).",
                target.host, target.port
            ),
            "Check the host and port.",
        )
    })?;
    rec.start(Step::Greeting);
    let asked = if matches!(target.tls_mode, TlsMode::Disable | TlsMode::Prefer) {
        ENCRYPT_OFF
    } else {
        ENCRYPT_ON
    };
    let prelogin = match stream.write_all(&prelogin_request(asked)).await {
        Ok(()) => read_prelogin(&mut stream).await,
        Err(_) => None,
    };
    let Some(prelogin) = prelogin else {
        let f = not_sql_server(target);
        rec.finish(Step::Greeting, StepStatus::Failed, f.message.clone());
        return Err(f);
    };
    let answered = format!(
        "server {}, {}",
        prelogin.version.as_deref().unwrap_or("version not given"),
        encryption_name(prelogin.encryption)
    );
    rec.finish(
        Step::Greeting,
        StepStatus::Ok,
        format!("PRELOGIN: {answered}"),
    );
    let t = rec.start(Step::Tls);
    let negotiated = match negotiate(target, &prelogin) {
        Ok(n) => n,
        Err(f) => {
            rec.finish(Step::Tls, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    let inspected = |chain| Inspected {
        negotiated,
        addr,
        version: prelogin.version.clone(),
        chain,
    };
    if negotiated == Negotiated::None {
        rec.push(
            Step::Tls,
            StepStatus::Skipped,
            t.elapsed(),
            format!(
                "the server has no certificate: the login, password included, is sent unencrypted ({})",
                if target.tls_mode == TlsMode::Prefer {
                    "prefer"
                } else {
                    "disable"
                }
            ),
        );
        return Ok(inspected(Vec::new()));
    }
    let connector = TlsConnector::from(Arc::new(client_config));
    match tls::handshake(&connector, server_name, PreloginFramed::new(stream), obs).await {
        Ok(_) => {
            let (protocol, cipher, chain) = obs
                .lock()
                .map(|o| (o.protocol.clone(), o.cipher_suite.clone(), o.chain.clone()))
                .unwrap_or_default();
            let driver_note = match target.tls_mode {
                TlsMode::VerifyCa => " (the driver checks the chain again on its login connection, against a name the certificate lists)",
                TlsMode::VerifyFull if cert_name != target.host => " (the driver checks the certificate again on its login connection, for the host name in certificate)",
                TlsMode::VerifyFull => " (the driver checks the certificate again on its login connection)",
                _ => "",
            };
            rec.finish(
                Step::Tls,
                StepStatus::Ok,
                format!(
                    "{}, {}; {}{driver_note}",
                    protocol.unwrap_or_default(),
                    cipher.unwrap_or_default(),
                    verification(target.tls_mode, negotiated),
                ),
            );
            Ok(inspected(chain))
        }
        Err(e) => {
            let transport = tls::rustls_error(&e);
            let f = tls::classify_failure(target, obs, transport).unwrap_or_else(|| {
                if e.kind() == std::io::ErrorKind::InvalidData && e.to_string().contains("TDS") {
                    Fail {
                        step: Step::Tls,
                        ..not_sql_server(target)
                    }
                } else {
                    Fail::new(
                        Step::Tls,
                        ErrorCode::TlsHandshakeFailed,
                        format!("The TLS handshake inside TDS failed: {e}."),
                        "Check the server's certificate configuration (SQL Server Configuration Manager), or its error log.",
                    )
                }
            });
            rec.finish(Step::Tls, StepStatus::Failed, f.message.clone());
            Err(f)
        }
    }
}
