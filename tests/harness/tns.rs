//! A test-only peer for Oracle's listener handshake (no Oracle server can be installed
//! here): it answers a TNS CONNECT with ACCEPT when the connect data names its service,
//! else REFUSE with ORA-12514, over TCP or TCPS (TLS from the first byte, certificate from
//! a test CA). It exercises Switchboard's resolve/TCP/TCPS/listener steps, nothing more.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::ca::Issued;

/// What the peer does after TLS (if any).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Speaks {
    /// Oracle's listener handshake for this one service.
    Tns,
    /// Something else entirely.
    Garbage,
}

pub fn tls_config(cert: &Issued) -> Arc<rustls::ServerConfig> {
    let certs = vec![CertificateDer::from_pem_slice(cert.cert_pem.as_bytes()).expect("cert")];
    let key = PrivateKeyDer::from_pem_slice(cert.key_pem.as_bytes()).expect("key");
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .expect("server config");
    config.send_tls13_tickets = 0;
    Arc::new(config)
}

/// Listens on 127.0.0.1 and serves each connection on its own thread.
pub fn listener(
    service: &str,
    tls: Option<Arc<rustls::ServerConfig>>,
    speaks: Speaks,
) -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    let service = service.to_owned();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let service = service.clone();
            let tls = tls.clone();
            std::thread::spawn(move || match tls {
                Some(config) => {
                    let Ok(conn) = rustls::ServerConnection::new(config) else {
                        return;
                    };
                    let mut stream = rustls::StreamOwned::new(conn, s);
                    serve(&mut stream, &service, speaks);
                }
                None => {
                    let mut s = s;
                    serve(&mut s, &service, speaks);
                }
            });
        }
    });
    addr
}

fn packet(kind: u8, body: &[u8]) -> Vec<u8> {
    let len = u16::try_from(8 + body.len()).expect("short packet");
    let mut p = len.to_be_bytes().to_vec();
    p.extend_from_slice(&[0, 0, kind, 0, 0, 0]);
    p.extend_from_slice(body);
    p
}

fn serve(s: &mut (impl Read + Write), service: &str, speaks: Speaks) {
    let mut header = [0u8; 8];
    if s.read_exact(&mut header).is_err() {
        return;
    }
    if speaks == Speaks::Garbage {
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
        let _ = s.flush();
        return;
    }
    let len = usize::from(u16::from_be_bytes([header[0], header[1]]));
    let mut body = vec![0u8; len.saturating_sub(8)];
    if header[4] != 1 || s.read_exact(&mut body).is_err() {
        return;
    }
    let data = String::from_utf8_lossy(&body);
    let known = data.contains(&format!("SERVICE_NAME={service})"))
        || data.contains(&format!("SID={service})"));
    let reply = if known {
        // version, service options, SDU, TDU, hardware byte order, data length/offset, flags
        let mut b = Vec::new();
        for v in [314u16, 0x0C41, 8192, 0xFFFF, 0x0100, 0, 0] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        b.extend_from_slice(&[0x41, 0x41]);
        packet(2, &b)
    } else {
        let text =
            b"(DESCRIPTION=(TMP=)(VSNNUM=0)(ERR=12514)(ERROR_STACK=(ERROR=(CODE=12514)(EMFI=4))))";
        let mut b = vec![0x22, 0x00];
        b.extend_from_slice(&u16::try_from(text.len()).expect("len").to_be_bytes());
        b.extend_from_slice(text);
        packet(4, &b)
    };
    let _ = s.write_all(&reply);
    let _ = s.flush();
    let mut rest = [0u8; 64];
    let _ = s.read(&mut rest);
}
