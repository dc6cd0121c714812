//! The driver's part: tiberius configured with the encryption level the inspection found
//! (and, to verify, a name the certificate lists and one CA file), its login on a second
//! connection to the inspected address, and the first query.

use rustls::pki_types::CertificateDer;
use tiberius::{AuthMethod, Config, EncryptionLevel};
use tokio_util::compat::TokioAsyncWriteCompatExt;

use super::classify::classify;
use super::inspect::Inspected;
use super::Negotiated;
use crate::driver::{AbortOnDrop, Fail, TempCa};
use crate::net;
use crate::report::{Recorder, ServerInfo, Step, StepStatus};
use crate::ProbeTarget;
use switchboard_model::error::ErrorCode;
use switchboard_model::model::TlsMode;

/// What to check when tiberius stops on an answer it cannot handle.
const SQLSERVER_BROKE: &str =
    "Check that the server is SQL Server 2012 or later; read its error log.";

/// A name the leaf certificate lists (a DNS or IP subject-alternative name, else its CN).
fn name_in_leaf(chain: &[CertificateDer<'_>]) -> Option<String> {
    let leaf = chain.first()?;
    let (_, cert) = x509_parser::parse_x509_certificate(leaf).ok()?;
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                x509_parser::extensions::GeneralName::DNSName(d) if !d.starts_with('*') => {
                    return Some((*d).to_owned())
                }
                x509_parser::extensions::GeneralName::IPAddress(ip) => {
                    let addr = match ip.len() {
                        4 => <[u8; 4]>::try_from(*ip).ok().map(std::net::IpAddr::from),
                        16 => <[u8; 16]>::try_from(*ip).ok().map(std::net::IpAddr::from),
                        _ => None,
                    };
                    if let Some(a) = addr {
                        return Some(a.to_string());
                    }
                }
                _ => {}
            }
        }
    }
    let cn = cert
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_owned);
    cn
}

/// The CA certificate the driver should trust on its own (tiberius 0.12 takes exactly one,
/// from a file): the connection's only CA, or the one that issued the top of the chain
/// the server sent. `None`: the system's store anchors the chain.
fn anchor_for_driver(ca_pem: Option<&str>, chain: &[CertificateDer<'_>]) -> Option<Vec<u8>> {
    let cas = switchboard_model::pem::parse_certificates(ca_pem?).ok()?;
    if cas.len() == 1 {
        return cas.into_iter().next().map(|c| c.to_vec());
    }
    let top = chain.last()?;
    let (_, top) = x509_parser::parse_x509_certificate(top).ok()?;
    cas.into_iter()
        .find(|ca| {
            x509_parser::parse_x509_certificate(ca)
                .map(|(_, ca)| ca.subject().as_raw() == top.issuer().as_raw())
                .unwrap_or(false)
        })
        .map(|c| c.to_vec())
}

async fn driver_config(
    target: &ProbeTarget,
    inspected: &Inspected,
) -> Result<(Config, Option<TempCa>), Fail> {
    let mut config = Config::new();
    config.host(&target.host);
    config.port(target.port);
    if !target.database.is_empty() {
        config.database(&target.database);
    }
    config.application_name("switchboard");
    config.authentication(AuthMethod::sql_server(
        &target.username,
        target.password.as_ref().map(|p| p.expose()).unwrap_or(""),
    ));
    config.readonly(target.text_option("application_intent") == Some("read_only"));
    // Never `On`: tiberius 0.12 panics when the server then answers OFF or NOT_SUP.
    config.encryption(match inspected.negotiated {
        Negotiated::None => EncryptionLevel::NotSupported,
        Negotiated::LoginOnly => EncryptionLevel::Off,
        Negotiated::Full => EncryptionLevel::Required,
    });
    let encrypted = !matches!(inspected.negotiated, Negotiated::None);
    let verifying = matches!(target.tls_mode, TlsMode::VerifyCa | TlsMode::VerifyFull);
    if !(encrypted && verifying) {
        config.trust_cert();
        return Ok((config, None));
    }
    // tiberius runs on our stream, so the host it is given is only the name TLS checks.
    let tls_name = match target.tls_mode {
        TlsMode::VerifyCa => name_in_leaf(&inspected.chain),
        _ => target
            .text_option("host_name_in_certificate")
            .map(str::to_owned),
    };
    if let Some(name) = &tls_name {
        config.host(name);
    }
    let anchor = anchor_for_driver(target.tls.ca_pem.as_deref(), &inspected.chain);
    if target.tls_mode == TlsMode::VerifyCa && (tls_name.is_none() || anchor.is_none()) {
        // Never send the password over a connection whose certificate is not checked.
        return Err(Fail::new(
            Step::Auth,
            ErrorCode::TlsModeUnsupported,
            "verify-ca cannot be kept on the driver's login connection: the certificate names no host, or its CA is not the connection's.",
            "Choose verify-full with the name the certificate lists, or paste the CA that issued it.",
        ));
    }
    let Some(der) = anchor else {
        // The system's store; the inspection connection already found an anchor there.
        return Ok((config, None));
    };
    let temp = TempCa::write("sqlserver", "der", der).await?;
    config.trust_cert_ca(temp.path().display());
    Ok((config, Some(temp)))
}

/// The driver's login and first query, on its own connection to the inspected address.
pub(super) async fn login(
    target: &ProbeTarget,
    rec: &mut Recorder,
    inspected: Inspected,
) -> Result<ServerInfo, Fail> {
    rec.start(Step::Auth);
    let (config, ca_file) = match driver_config(target, &inspected).await {
        Ok(c) => c,
        Err(f) => {
            rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    let tcp = match net::reopen(&inspected.addr).await {
        Ok(s) => s,
        Err(e) => {
            let f = Fail::new(
                Step::Auth,
                ErrorCode::ConnectionFailed,
                format!("The driver could not open its own connection to {}: {e}.", inspected.addr),
                "The server accepted one connection and not the next: check its connection limits and any firewall rate limits.",
            );
            rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    // Spawned, so that a panic inside the driver (tiberius 0.12 has a few on unexpected
    // answers) fails the test instead of the caller.
    let task = tokio::spawn(async move {
        let _ca_file = ca_file;
        tiberius::Client::connect(config, tcp.compat_write()).await
    });
    let _abort = AbortOnDrop(task.abort_handle());
    let mut client = match task.await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            let f = classify(target, &e, inspected.negotiated);
            rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
        Err(e) => {
            let f = crate::driver::driver_broke(target, Step::Auth, &e, SQLSERVER_BROKE);
            rec.finish(Step::Auth, StepStatus::Failed, f.message.clone());
            return Err(f);
        }
    };
    rec.finish(
        Step::Auth,
        StepStatus::Ok,
        format!(
            "logged in as {} (the driver's own connection{}{})",
            target.username,
            match inspected.negotiated {
                Negotiated::None => ", unencrypted",
                Negotiated::LoginOnly => ", login packet encrypted",
                Negotiated::Full => ", encrypted",
            },
            if target.text_option("application_intent") == Some("read_only") {
                ", application intent read-only"
            } else {
                ""
            }
        ),
    );

    rec.start(Step::Query);
    let task = tokio::spawn(async move {
        let row = async {
            let stream = client
                .simple_query(
                    "SELECT CAST(@@VERSION AS nvarchar(4000)), SUSER_SNAME(), DB_NAME(), \
                     CAST(DATABASEPROPERTYEX(DB_NAME(), 'Updateability') AS nvarchar(20))",
                )
                .await?;
            let row = stream.into_row().await?;
            Ok::<_, tiberius::error::Error>(row.map(|row| {
                (0..4)
                    .map(|i| {
                        row.try_get::<&str, usize>(i)
                            .ok()
                            .flatten()
                            .map(str::to_owned)
                    })
                    .collect::<Vec<_>>()
            }))
        }
        .await;
        let _ = client.close().await;
        row
    });
    let _abort = AbortOnDrop(task.abort_handle());
    let outcome = match task.await {
        Ok(Ok(Some(values))) => Ok(values),
        Ok(Ok(None)) => Err(Fail::new(
            Step::Query,
            ErrorCode::ProtocolError,
            "The server answered the first query without a row.",
            "Check that the server is SQL Server; read its error log.",
        )),
        Ok(Err(e)) => Err(Fail {
            step: Step::Query,
            ..classify(target, &e, inspected.negotiated)
        }),
        Err(e) => Err(crate::driver::driver_broke(
            target,
            Step::Query,
            &e,
            SQLSERVER_BROKE,
        )),
    };
    match outcome {
        Ok(values) => {
            let text = |i: usize| values.get(i).cloned().flatten().unwrap_or_default();
            let version = text(0);
            let version = if version.starts_with("Microsoft SQL Server") {
                // @@VERSION spans lines: "Microsoft SQL Server 2022 (RTM) - 16.0.1000.6 (X64)\n\t...".
                version.lines().next().unwrap_or_default().trim().to_owned()
            } else if version.is_empty() {
                format!(
                    "Microsoft SQL Server {}",
                    inspected.version.clone().unwrap_or_default()
                )
            } else {
                version.lines().next().unwrap_or_default().trim().to_owned()
            };
            let info = ServerInfo {
                version,
                current_user: text(1),
                current_database: text(2),
                in_recovery: text(3).eq_ignore_ascii_case("READ_ONLY"),
            };
            rec.finish(
                Step::Query,
                StepStatus::Ok,
                format!(
                    "{}{}",
                    info.version,
                    if info.in_recovery {
                        ", read-only database"
                    } else {
                        ""
                    }
                ),
            );
            Ok(info)
        }
        Err(f) => {
            rec.finish(Step::Query, StepStatus::Failed, f.message.clone());
            Err(f)
        }
    }
}
