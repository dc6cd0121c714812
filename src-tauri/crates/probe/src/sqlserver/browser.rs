//! The SQL Server Browser (SSRP, [MC-SQLR]): which TCP port a named instance listens on,
//! asked over UDP 1434 at every address of the host. Switchboard sends these datagrams
//! itself, from this machine: they do not go through `net`'s TCP transport.
//!
//! Asked only for a named instance whose port is left at 1433 (as `host\instance` in
//! SSMS); any other port is used as given. Written by hand: tiberius' `sql-browser-tokio`
//! does the lookup only inside its own connect, and the test needs the port before its
//! PRELOGIN inspection. A Browser stays silent about an instance it does not have, so
//! silence (2 s, at most half the test's time) is a `timeout` whose hint puts checking the
//! instance name first; an unknown or TCP-less instance, "port unreachable" at every
//! address (no Browser) and a garbled answer each fail with their own message.

use std::net::SocketAddr;

use crate::driver::Fail;
use crate::report::{Recorder, Step, StepStatus};
use crate::ProbeTarget;
use switchboard_model::error::ErrorCode;

/// The SQL Server Browser's UDP port (SSRP, [MC-SQLR]).
const BROWSER_PORT: u16 = 1434;
/// How long each address's Browser gets to answer.
const BROWSER_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Asks the SQL Server Browser on the host (CLNT_UCAST_INST) which TCP port the named
/// instance listens on, at every address of the host at once; the first answer wins.
/// Recorded as a resolve step of its own. A host name that does not resolve is left to
/// the resolve step that follows to report. Returns the port and the address that
/// answered (the connection tries it first: the port is that machine's).
pub(super) async fn browse(
    rec: &mut Recorder,
    target: &ProbeTarget,
    instance: &str,
) -> Result<(u16, Option<std::net::IpAddr>), Fail> {
    use futures_util::stream::{FuturesUnordered, StreamExt};
    let t = rec.start(Step::Resolve);
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((target.host.as_str(), BROWSER_PORT))
        .await
        .map(|a| a.collect())
        .unwrap_or_default();
    if addrs.is_empty() {
        rec.push(
            Step::Resolve,
            StepStatus::Skipped,
            t.elapsed(),
            format!(
                "SQL Server Browser not asked for instance {instance:?}: the host does not resolve"
            ),
        );
        return Ok((target.port, None));
    }
    let mut request = vec![0x04];
    request.extend_from_slice(instance.as_bytes());
    request.push(0);
    // Half the test's time at most, so that a silent Browser is reported as such.
    let wait = BROWSER_WAIT.min(target.timeout / 2);
    let mut asking: FuturesUnordered<_> = addrs
        .iter()
        .map(|&addr| {
            let request = request.clone();
            async move { (addr, ask_browser(addr, &request, wait).await) }
        })
        .collect();
    let mut unreachable = Vec::new();
    let fail = |message: String, hint: &str| {
        Fail::new(Step::Resolve, ErrorCode::ConnectionFailed, message, hint)
    };
    while let Some((addr, answer)) = asking.next().await {
        let answer = match answer {
            Asked::Answer(a) => a,
            Asked::Unreachable => {
                unreachable.push(addr.to_string());
                continue;
            }
            Asked::Silent => continue,
        };
        let result = match browser_port(&answer, instance) {
            BrowserAnswer::Port(port) => Ok(port),
            BrowserAnswer::NoTcp => Err(fail(
                format!("The SQL Server Browser at {addr} knows instance {instance:?}, but it does not listen on TCP."),
                "Enable TCP/IP for the instance (SQL Server Configuration Manager → Network Configuration) and restart it.",
            )),
            BrowserAnswer::Unknown(listed) => Err(fail(
                format!(
                    "The SQL Server Browser at {addr} does not know instance {instance:?}{}.",
                    if listed.is_empty() {
                        String::new()
                    } else {
                        format!(" (it lists {})", listed.join(", "))
                    }
                ),
                "Check the instance name, or clear it to use the default instance.",
            )),
            BrowserAnswer::Garbled => Err(Fail::new(
                Step::Resolve,
                ErrorCode::ProtocolError,
                format!("UDP {addr} answered, but not as a SQL Server Browser."),
                "Enter the instance's TCP port instead of relying on the Browser.",
            )),
        };
        return match result {
            Ok(port) => {
                rec.finish(
                    Step::Resolve,
                    StepStatus::Ok,
                    format!("SQL Server Browser at {addr}: instance {instance:?} listens on TCP port {port}"),
                );
                Ok((port, Some(addr.ip())))
            }
            Err(f) => {
                rec.finish(Step::Resolve, StepStatus::Failed, f.message.clone());
                Err(f)
            }
        };
    }
    let everywhere = unreachable.len() == addrs.len();
    let f = Fail::new(
        Step::Resolve,
        if everywhere {
            ErrorCode::ConnectionFailed
        } else {
            ErrorCode::Timeout
        },
        if everywhere {
            format!(
                "No SQL Server Browser listens on {} (UDP {BROWSER_PORT} is closed at {}).",
                target.host,
                unreachable.join(", ")
            )
        } else {
            format!(
                "The SQL Server Browser on {} (UDP {BROWSER_PORT}) did not answer for instance {instance:?} within {:.1} s.",
                target.host,
                wait.as_secs_f64()
            )
        },
        "A Browser answers only for instances it has: check the instance name. Else start the SQL Server Browser service and allow UDP 1434 through the firewall, or enter the instance's TCP port (the Browser is then not asked).",
    );
    rec.finish(Step::Resolve, StepStatus::Failed, f.message.clone());
    Err(f)
}

enum Asked {
    Answer(Vec<u8>),
    /// The host said nothing listens on UDP 1434 (ICMP port unreachable).
    Unreachable,
    Silent,
}

/// One Browser's answer (SVR_RESP).
async fn ask_browser(addr: SocketAddr, request: &[u8], wait: std::time::Duration) -> Asked {
    let local: SocketAddr = if addr.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let Ok(socket) = tokio::net::UdpSocket::bind(local).await else {
        return Asked::Silent;
    };
    if socket.connect(addr).await.is_err() || socket.send(request).await.is_err() {
        return Asked::Unreachable;
    }
    let mut buf = vec![0u8; 65535];
    match tokio::time::timeout(wait, socket.recv(&mut buf)).await {
        Ok(Ok(n)) => {
            buf.truncate(n);
            Asked::Answer(buf)
        }
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => Asked::Unreachable,
        _ => Asked::Silent,
    }
}

#[derive(Debug, PartialEq, Eq)]
enum BrowserAnswer {
    Port(u16),
    NoTcp,
    /// The instance names the Browser did list.
    Unknown(Vec<String>),
    Garbled,
}

/// Reads SVR_RESP: 0x05, a little-endian length, then `key;value;…` records, one per
/// instance, each ending with `;;`.
fn browser_port(answer: &[u8], instance: &str) -> BrowserAnswer {
    let Some((&0x05, rest)) = answer.split_first() else {
        return BrowserAnswer::Garbled;
    };
    let Some(text) = rest.get(2..) else {
        return BrowserAnswer::Garbled;
    };
    let text = String::from_utf8_lossy(text);
    let mut listed = Vec::new();
    for record in text.split(";;").filter(|r| !r.trim().is_empty()) {
        let words: Vec<&str> = record.split(';').collect();
        let value = |key: &str| {
            words
                .chunks(2)
                .find(|kv| kv[0].eq_ignore_ascii_case(key))
                .and_then(|kv| kv.get(1).copied())
        };
        let Some(name) = value("InstanceName") else {
            continue;
        };
        if !name.eq_ignore_ascii_case(instance) {
            listed.push(name.to_owned());
            continue;
        }
        return match value("tcp").map(str::parse::<u16>) {
            Some(Ok(port)) if port != 0 => BrowserAnswer::Port(port),
            Some(_) => BrowserAnswer::Garbled,
            None => BrowserAnswer::NoTcp,
        };
    }
    if listed.is_empty() && !text.contains("InstanceName") {
        BrowserAnswer::Garbled
    } else {
        BrowserAnswer::Unknown(listed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svr_resp(text: &str) -> Vec<u8> {
        let mut v = vec![0x05];
        v.extend_from_slice(&(text.len() as u16).to_le_bytes());
        v.extend_from_slice(text.as_bytes());
        v
    }

    #[test]
    fn browser_answers_are_read_by_instance_name_whatever_its_case() {
        let two = svr_resp(
            "ServerName;H;InstanceName;MSSQLSERVER;IsClustered;No;Version;16.0;tcp;1433;;\
             ServerName;H;InstanceName;SQLEXPRESS;IsClustered;No;Version;16.0;tcp;49823;np;\\\\H\\pipe\\sql\\query;;",
        );
        assert_eq!(browser_port(&two, "sqlexpress"), BrowserAnswer::Port(49823));
        assert_eq!(browser_port(&two, "MSSQLSERVER"), BrowserAnswer::Port(1433));
        assert_eq!(
            browser_port(&two, "OTHER"),
            BrowserAnswer::Unknown(vec!["MSSQLSERVER".into(), "SQLEXPRESS".into()])
        );
        let no_tcp = svr_resp("ServerName;H;InstanceName;PIPES;IsClustered;No;np;\\\\H\\pipe;;");
        assert_eq!(browser_port(&no_tcp, "PIPES"), BrowserAnswer::NoTcp);
        for garbled in [&b""[..], b"\x05", b"HTTP/1.1 400", &svr_resp("hello")[..]] {
            assert_eq!(
                browser_port(garbled, "X"),
                BrowserAnswer::Garbled,
                "{garbled:?}"
            );
        }
    }
}
