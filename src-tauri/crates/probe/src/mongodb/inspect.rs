//! Switchboard's own connection to the first seed host: resolve and TCP (the stream
//! `net::open_stream` opens), TLS from the first byte, then `hello`. It times those steps,
//! shows the certificate chain and tells a MongoDB server from any other peer before the
//! driver is given the password.

use std::time::Duration;

use super::classify::not_mongo;
use super::wire::{hello, Hello, NotMongo};
use crate::driver::Fail;
use crate::net::open_stream;
use crate::report::{Recorder, Step, StepStatus};
use crate::tls::{self, SharedObservation};
use crate::ProbeTarget;
use switchboard_model::error::ErrorCode;
use switchboard_model::model::TlsMode;

/// What the inspection connection learnt.
pub(super) struct Inspected {
    pub(super) hello: Hello,
    pub(super) encrypted: bool,
}

/// Resolve, TCP, TLS (from the first byte) and `hello` on Switchboard's own connection to
/// the first host.
pub(super) async fn inspect(
    shown: &ProbeTarget,
    rec: &mut Recorder,
    obs: &SharedObservation,
) -> Result<Inspected, Fail> {
    let encrypted = shown.tls_mode != TlsMode::Disable;
    let tls = if encrypted {
        Some(tls::connector_for(shown, obs)?)
    } else {
        None
    };
    let mut stream = open_stream(shown, rec).await?;
    let Some((connector, server_name)) = tls else {
        // Without TLS the first thing awaited is the hello reply.
        rec.start(Step::Greeting);
        let hello = match hello(&mut stream).await {
            Ok(h) => h,
            Err(why) => {
                let f = Fail {
                    step: Step::Greeting,
                    ..not_mongo(shown, &why)
                };
                rec.finish(Step::Greeting, StepStatus::Failed, f.message.clone());
                return Err(f);
            }
        };
        rec.finish(
            Step::Greeting,
            StepStatus::Ok,
            format!("hello: {}", hello.describe()),
        );
        rec.push(
            Step::Tls,
            StepStatus::Skipped,
            Default::default(),
            "TLS disabled for this connection (tls=false): the login and all traffic are unencrypted".into(),
        );
        return Ok(Inspected { hello, encrypted });
    };
    rec.start(Step::Tls);
    let mut stream = match tls::handshake(&connector, server_name, stream, obs).await {
        Ok(s) => s,
        Err(e) => {
            let transport = tls::rustls_error(&e);
            let verify_failed = obs
                .lock()
                .map(|o| o.verify_error.is_some())
                .unwrap_or(false);
            let f = match transport {
                // Bytes that are not TLS at all: another service on this port.
                Some(rustls::Error::InvalidMessage(m)) if !verify_failed => Fail::new(
                    Step::Tls,
                    ErrorCode::ProtocolError,
                    format!(
                        "{}:{} answered the TLS handshake with something that is neither TLS nor MongoDB ({m:?}).",
                        shown.host, shown.port
                    ),
                    "Check that the port is MongoDB's (27017 by default) and not another service.",
                ),
                transport => tls::classify_failure(shown, obs, transport).unwrap_or_else(|| {
                    Fail::new(
                        Step::Tls,
                        ErrorCode::TlsNotSupportedByServer,
                        format!(
                            "{}:{} did not complete a TLS handshake ({e}).",
                            shown.host, shown.port
                        ),
                        "The server may not have TLS enabled (net.tls.mode disabled): choose TLS mode disable only on a trusted network, or enable TLS on the server.",
                    )
                }),
            };
            rec.finish(Step::Tls, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    let (protocol, cipher) = obs
        .lock()
        .map(|o| (o.protocol.clone(), o.cipher_suite.clone()))
        .unwrap_or_default();
    let session = format!(
        "{}, {}",
        protocol.unwrap_or_default(),
        cipher.unwrap_or_default()
    );
    let hello = match hello(&mut stream).await {
        Ok(h) => h,
        Err(NotMongo::Tls(alert)) => {
            let f = tls::classify_failure(shown, obs, Some(alert))
                .unwrap_or_else(|| not_mongo(shown, &NotMongo::Closed));
            rec.finish(Step::Tls, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
        Err(why) => {
            let mut f = not_mongo(shown, &why);
            f.message = format!("TLS worked ({session}), but {}", f.message);
            rec.finish(Step::Tls, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    let driver_note = match shown.tls_mode {
        TlsMode::VerifyCa => " (the driver checks the certificate fully on its own connections when it names the host: the mongodb crate's rustls TLS has no tlsAllowInvalidHostnames)",
        TlsMode::VerifyFull if shown.tls.ca_pem.as_deref().is_some_and(|p| !p.trim().is_empty()) => " (the driver checks the certificate again on its own connections, against this connection's CA only)",
        TlsMode::VerifyFull => " (the driver checks the certificate again on its own connections, against this machine's trust store)",
        _ => "",
    };
    rec.finish(
        Step::Tls,
        StepStatus::Ok,
        format!(
            "{session}; {}{driver_note} [hello: {}]",
            tls::verification_words(shown.tls_mode),
            hello.describe()
        ),
    );
    Ok(Inspected { hello, encrypted })
}

/// A replica set name the first host contradicts: the driver would ignore the host and
/// only give up when server selection times out, so say it now.
pub(super) fn check_replica_set(
    target: &ProbeTarget,
    shown: &ProbeTarget,
    rec: &mut Recorder,
    inspected: &Inspected,
) -> Result<(), Fail> {
    let Some(wanted) = target.text_option("replica_set") else {
        return Ok(());
    };
    let hello = &inspected.hello;
    if hello.refused.is_some() || hello.mongos || hello.set_name.as_deref() == Some(wanted) {
        return Ok(());
    }
    let f = Fail::new(
        Step::Auth,
        ErrorCode::ConnectionFailed,
        match &hello.set_name {
            Some(actual) => format!(
                "{}:{} belongs to replica set {actual:?}, but this connection names {wanted:?}: the driver would not use it.",
                shown.host, shown.port
            ),
            None => format!(
                "{}:{} is not a replica set member, but this connection names replica set {wanted:?}: the driver would not use it.",
                shown.host, shown.port
            ),
        },
        match &hello.set_name {
            Some(actual) => format!("Set the replica set name to {actual}, or clear it."),
            None => "Clear the replica set name (a standalone server has none).".to_owned(),
        },
    );
    rec.push(
        Step::Auth,
        StepStatus::Failed,
        Duration::ZERO,
        f.message.clone(),
    );
    Err(f)
}
