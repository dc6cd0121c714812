//! A TEST-ONLY Oracle peer — not an Oracle Database, and nothing like one beyond what
//! Switchboard's connection test and the pure-Rust thin client it logs in with (oracle-rs
//! 0.1.7, vendor/oracle-rs) exchange. No Oracle server can be installed here. Std threads,
//! one per connection, over TCP or TCPS (TLS from the first byte, certificate from a test
//! CA, see [`tls_config`]).
//!
//! Two peers:
//!
//! * [`listener`] answers a TNS CONNECT with ACCEPT when the connect data names its
//!   service, else REFUSE with ORA-12514 — Switchboard's resolve/TCP/TCPS/listener steps.
//! * [`oracle_server`] carries on after ACCEPT far enough for oracle-rs to log in and run
//!   one query: ACCEPT (protocol 319, large SDU: 4-byte packet lengths from then on, no
//!   out-of-band data so no OOB check), the TTC protocol and data-type negotiations (TTC
//!   field version 16, i.e. 21c), O5LOGON with a 12c verifier (PBKDF2-SHA512 password
//!   key, AES-256-CBC session keys, the combo key, the speedy key and the password proved
//!   as the real server proves them, AUTH_SVR_RESPONSE for the client to check), then
//!   ORA-01017 for a wrong password or an unknown user (after a made-up phase one, as
//!   Oracle does), ORA-28000 for a locked account given the right password. Any execute
//!   gets one row of VARCHAR2 columns from [`OracleServer::row`] (describe info, row
//!   header, row data, ORA-01403 end of fetch); any other call a bare end of call.
//!
//! Not implemented: SQL (the statement text is not read), binds, fetches, LOBs, OOB
//! breaks and markers, native network encryption, 11g verifiers, proxy/external auth,
//! DRCP, more than one packet per message, anything a driver other than
//! oracle-rs would need from a response (replies carry what oracle-rs reads, in the
//! layout Oracle uses). A packet longer than the SDU ends the connection, as a bad packet
//! would (the published oracle-rs 0.1.7 wrote its logoff with a 2-byte length after
//! negotiating 4-byte lengths; [`OracleServer::logoffs`] counts the well-formed ones).
//!
//! The TTC field version it offers is the server's choice ([`OracleServer::field_version`]):
//! 21c's error messages carry the SQL type and server checksum fields, 19c's do not — the
//! published oracle-rs read them the 21c way on queries and the 19c way on logins, which
//! vendor/oracle-rs/PATCHES.md fixes.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use cbc::cipher::block_padding::{NoPadding, Pkcs7};
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use sha2::{Digest, Sha512};

use crate::ca::Issued;

/// What the peer does after TLS (if any).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Speaks {
    /// Oracle's listener handshake for this one service (a 12c+ listener), then nothing:
    /// it hangs up on whatever follows the ACCEPT.
    Tns,
    /// The same as an 11g listener: TNS protocol version 314, older than oracle-rs takes.
    Tns11g,
    /// Accepts like [`Speaks::Tns`], then reads whatever follows and never answers.
    TnsThenSilent,
    /// Redirects every connection for its service to node2.invalid:1522 (never resolves).
    Redirect,
    /// Redirects every connection for its service to 127.0.0.1 at this port, with connect
    /// data naming the service `<service>_NODE2` on instance node2.
    RedirectTo(u16),
    /// Refuses every connection for its service with this ORA code.
    Refuse(u32),
    /// Something else entirely.
    Garbage,
}

pub fn tls_config(cert: &Issued) -> Arc<rustls::ServerConfig> {
    cert.server_config(rustls::DEFAULT_VERSIONS, None)
}

/// A TCP or TLS connection.
trait Stream: Read + Write {}
impl<T: Read + Write> Stream for T {}

/// Listens on 127.0.0.1 and runs `serve` for each connection on its own thread.
fn accept_loop(
    tls: Option<Arc<rustls::ServerConfig>>,
    serve: impl Fn(&mut dyn Stream) + Send + Sync + 'static,
) -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    let serve = Arc::new(serve);
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let serve = serve.clone();
            let tls = tls.clone();
            std::thread::spawn(move || match tls {
                Some(config) => {
                    let Ok(conn) = rustls::ServerConnection::new(config) else {
                        return;
                    };
                    serve(&mut rustls::StreamOwned::new(conn, s));
                }
                None => {
                    let mut s = s;
                    serve(&mut s);
                }
            });
        }
    });
    addr
}

/// A server TLS config that requires a client certificate issued by `ca`.
pub fn mutual_tls_config(cert: &Issued, ca: &crate::ca::TestCa) -> Arc<rustls::ServerConfig> {
    cert.server_config(rustls::DEFAULT_VERSIONS, Some(ca))
}

/// Listens on 127.0.0.1 and serves each connection on its own thread.
pub fn listener(
    service: &str,
    tls: Option<Arc<rustls::ServerConfig>>,
    speaks: Speaks,
) -> SocketAddr {
    listener_counting(service, tls, speaks).0
}

/// [`listener`], with the number of connections it is serving at the moment (one ends
/// when the client closes it).
pub fn listener_counting(
    service: &str,
    tls: Option<Arc<rustls::ServerConfig>>,
    speaks: Speaks,
) -> (SocketAddr, Arc<AtomicUsize>) {
    let service = service.to_owned();
    let open = Arc::new(AtomicUsize::new(0));
    let counter = open.clone();
    let addr = accept_loop(tls, move |s| {
        counter.fetch_add(1, Ordering::SeqCst);
        serve(s, &service, speaks);
        counter.fetch_sub(1, Ordering::SeqCst);
    });
    (addr, open)
}

fn packet(kind: u8, body: &[u8]) -> Vec<u8> {
    let len = u16::try_from(8 + body.len()).expect("short packet");
    let mut p = len.to_be_bytes().to_vec();
    p.extend_from_slice(&[0, 0, kind, 0, 0, 0]);
    p.extend_from_slice(body);
    p
}

/// REFUSE with ORA-12514 (the listener does not know the service).
/// The listener's REFUSE with `code` (ORA-12514: unknown service).
fn refuse(code: u32) -> Vec<u8> {
    let text = format!(
        "(DESCRIPTION=(TMP=)(VSNNUM=0)(ERR={code})(ERROR_STACK=(ERROR=(CODE={code})(EMFI=4))))"
    );
    let mut b = vec![0x22, 0x00];
    b.extend_from_slice(&u16::try_from(text.len()).expect("len").to_be_bytes());
    b.extend_from_slice(text.as_bytes());
    packet(4, &b)
}

fn names_service(descriptor: &str, service: &str) -> bool {
    descriptor.contains(&format!("SERVICE_NAME={service})"))
        || descriptor.contains(&format!("SID={service})"))
}

fn serve(s: &mut dyn Stream, service: &str, speaks: Speaks) {
    if speaks == Speaks::Garbage {
        let mut header = [0u8; 8];
        if s.read_exact(&mut header).is_ok() {
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
            let _ = s.flush();
        }
        return;
    }
    let Some(descriptor) = read_connect(s) else {
        return;
    };
    let reply = if !names_service(&descriptor, service) {
        refuse(12514)
    } else {
        match speaks {
            Speaks::Refuse(code) => refuse(code),
            Speaks::Redirect | Speaks::RedirectTo(_) => {
                // As listeners send it: the REDIRECT carries only the length; the data,
                // "address\0connect data", follows in a DATA packet.
                let data = match speaks {
                    Speaks::RedirectTo(port) => format!(
                        "(ADDRESS=(PROTOCOL=TCP)(HOST=127.0.0.1)(PORT={port}))\0\
                         (DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=127.0.0.1)(PORT={port}))\
                         (CONNECT_DATA=(SERVICE_NAME={service}_NODE2)(INSTANCE_NAME=node2)))"
                    ),
                    _ => "(ADDRESS=(PROTOCOL=TCP)(HOST=node2.invalid)(PORT=1522))\0".to_owned(),
                };
                let len = u16::try_from(data.len()).expect("len").to_be_bytes();
                let mut reply = packet(5, &len);
                let mut body = vec![0, 0]; // data flags
                body.extend_from_slice(data.as_bytes());
                reply.extend_from_slice(&packet(6, &body));
                reply
            }
            Speaks::Tns11g => {
                // version, service options, SDU, TDU, hardware byte order, data
                // length/offset, flags
                let mut b = Vec::new();
                for v in [314u16, 0x0C41, 8192, 0xFFFF, 0x0100, 0, 0] {
                    b.extend_from_slice(&v.to_be_bytes());
                }
                b.extend_from_slice(&[0x41, 0x41]);
                packet(2, &b)
            }
            Speaks::Tns | Speaks::TnsThenSilent | Speaks::Garbage => packet(2, &accept()),
        }
    };
    let _ = s.write_all(&reply);
    let _ = s.flush();
    let mut rest = [0u8; 64];
    while matches!(s.read(&mut rest), Ok(n) if n > 0) {
        if speaks != Speaks::TnsThenSilent {
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------
// The database peer for oracle-rs.

/// The one database [`oracle_server`] pretends to be.
#[derive(Clone, Default)]
pub struct OracleServer {
    /// The service name (or SID) the listener accepts; any other gets ORA-12514.
    pub service: String,
    /// The one account (compared ignoring ASCII case, as unquoted Oracle names are).
    pub user: String,
    pub password: String,
    /// The right password then gets ORA-28000.
    pub locked: bool,
    /// What every query returns: one row, one VARCHAR2 column per value.
    pub row: Vec<String>,
    /// The TTC field version the server offers: [`FIELD_VERSION_21C`] or
    /// [`FIELD_VERSION_19C`] (error messages gain two fields from 20c on); 0 means 21c.
    pub field_version: u8,
    /// Counts the well-formed logoffs received.
    pub logoffs: Arc<AtomicUsize>,
    /// With the right password, refuse the login with this ORA code and message instead.
    pub login_error: Option<(u32, String)>,
    /// Answer every query with this ORA code and message instead of the row.
    pub query_error: Option<(u32, String)>,
    /// Log in without AUTH_SVR_RESPONSE: what an impostor that does not know the
    /// password would have to do.
    pub omit_server_proof: bool,
    /// Phase one values no real server sends.
    pub hostile: Option<Hostile>,
    /// Announce a refused login with a MARKER (break) first, as servers may: the client
    /// resets, then the error follows.
    pub marker_before_refusal: bool,
}

/// A phase-one answer meant to break a client.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Hostile {
    /// A 16-byte AUTH_SESSKEY (the 12c combo key needs 32).
    ShortSessionKey,
    /// AUTH_PBKDF2_VGEN_COUNT of four billion rounds.
    HugeRounds,
    /// AUTH_PBKDF2_VGEN_COUNT of one round (an overheard login made cheap to crack).
    FewRounds,
    /// An 11g verifier with a 32-byte AUTH_SESSKEY (the 11g combo key reads 40).
    ShortSessionKey11g,
    /// An impostor: offers an 11g verifier, lets any password in, proves nothing.
    Impostor11g,
}

const VERIFIER_11G: u64 = 0xB152;

/// TTC field version 21.1: describe info with oaccolid, error messages with the 20c fields
/// (SQL type, server checksum), no token numbers in requests (those come at 18).
pub const FIELD_VERSION_21C: u8 = 16;
/// TTC field version 19.1: error messages without the 20c fields.
pub const FIELD_VERSION_19C: u8 = 12;
/// From this TTC field version on (20.1), error messages carry SQL type and checksum.
const FIELD_VERSION_20_1: u8 = 14;

/// The banner of the protocol negotiation (oracle-rs's `ServerInfo::banner`).
pub const BANNER: &str =
    "Oracle Database 21c test peer (Switchboard tests, not Oracle) Release 21.0.0.0.0";

/// Listens on 127.0.0.1 and serves each connection on its own thread (see the top of
/// this file for what it answers).
pub fn oracle_server(
    mut server: OracleServer,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> SocketAddr {
    if server.field_version == 0 {
        server.field_version = FIELD_VERSION_21C;
    }
    accept_loop(tls, move |s| {
        let _ = session(s, &server);
    })
}

const SDU: u16 = 8192;
/// TNS protocol version: large SDU (>= 315), no OOB check unless offered (>= 318).
const PROTOCOL_VERSION: u16 = 319;
const CHARSET_AL32UTF8: u16 = 873;
const NCHARSET_AL16UTF16: u16 = 2000;
const VERIFIER_12C: u64 = 0x4815;
const VGEN_COUNT: u32 = 4096;
const SDER_COUNT: u32 = 3;

// TTC message types and function codes.
const MSG_PROTOCOL: u8 = 1;
const MSG_DATA_TYPES: u8 = 2;
const MSG_FUNCTION: u8 = 3;
const MSG_ERROR: u8 = 4;
const MSG_ROW_HEADER: u8 = 6;
const MSG_ROW_DATA: u8 = 7;
const MSG_PARAMETER: u8 = 8;
const MSG_DESCRIBE_INFO: u8 = 16;
const FN_REEXECUTE: u8 = 4;
const FN_LOGOFF: u8 = 9;
const FN_REEXECUTE_AND_FETCH: u8 = 78;
const FN_EXECUTE: u8 = 94;
const FN_AUTH_PHASE_TWO: u8 = 115;
const FN_AUTH_PHASE_ONE: u8 = 118;
const ORA_VARCHAR2: u8 = 1;

/// One connection; `None` when the client goes away or breaks the protocol.
fn session(s: &mut dyn Stream, server: &OracleServer) -> Option<()> {
    let descriptor = read_connect(s)?;
    if !names_service(&descriptor, &server.service) {
        s.write_all(&refuse(12514)).ok()?;
        return s.flush().ok();
    }
    s.write_all(&packet(2, &accept())).ok()?;
    s.flush().ok()?;

    let mut verifier = None;
    let mut logged_in = false;
    loop {
        let msg = read_data(s)?;
        let function = msg.get(1).copied();
        let reply = match (*msg.first()?, function) {
            (MSG_PROTOCOL, _) => protocol_reply(server.field_version),
            (MSG_DATA_TYPES, _) => vec![MSG_DATA_TYPES, 0, 0], // no data types: a terminator
            (MSG_FUNCTION, Some(FN_AUTH_PHASE_ONE)) => {
                let (user, _) = auth_request(&msg)?;
                let v = Verifier::new(server, &user);
                let reply = v.phase_one_reply(server.hostile);
                verifier = Some(v);
                reply
            }
            (MSG_FUNCTION, Some(FN_AUTH_PHASE_TWO)) => {
                let (_, pairs) = auth_request(&msg)?;
                match verifier.take()?.phase_two(server, &pairs) {
                    Ok(reply) => {
                        logged_in = true;
                        reply
                    }
                    Err(refusal) => {
                        if server.marker_before_refusal {
                            // Break, wait for the client's reset, reset, then the error.
                            send_marker(s, 1)?;
                            match read_packet(s, true)? {
                                (12, body) if body.get(2) == Some(&2) => {}
                                _ => return None,
                            }
                            send_marker(s, 2)?;
                        }
                        send_data(s, &refusal)?;
                        return Some(());
                    }
                }
            }
            (MSG_FUNCTION, Some(FN_EXECUTE | FN_REEXECUTE | FN_REEXECUTE_AND_FETCH))
                if logged_in =>
            {
                match &server.query_error {
                    Some((code, message)) => {
                        end_of_call(*code, message, 0, 0, server.field_version)
                    }
                    None => query_reply(&server.row, server.field_version),
                }
            }
            (MSG_FUNCTION, Some(FN_LOGOFF)) => {
                server.logoffs.fetch_add(1, Ordering::SeqCst);
                send_data(s, &end_of_call(0, "", 0, 0, server.field_version))?;
                return Some(());
            }
            (MSG_FUNCTION, _) if logged_in => end_of_call(0, "", 0, 0, server.field_version),
            _ => return None,
        };
        send_data(s, &reply)?;
    }
}

/// The CONNECT packet's connect descriptor, from the DATA packet that follows it when it
/// is too long for the CONNECT (over 230 bytes).
fn read_connect(s: &mut dyn Stream) -> Option<String> {
    let (kind, body) = read_packet(s, false)?;
    if kind != 1 {
        return None;
    }
    let len = usize::from(u16::from_be_bytes([*body.get(16)?, *body.get(17)?]));
    let offset = usize::from(u16::from_be_bytes([*body.get(18)?, *body.get(19)?]));
    let data = body.get(offset.saturating_sub(8)..).unwrap_or_default();
    if data.len() >= len {
        return Some(String::from_utf8_lossy(data).into_owned());
    }
    match read_packet(s, false)? {
        (6, body) => Some(String::from_utf8_lossy(body.get(2..)?).into_owned()),
        _ => None,
    }
}

/// ACCEPT: protocol 319, no service options (so no OOB), SDU 8192, no accept data.
fn accept() -> Vec<u8> {
    let mut b = Vec::new();
    for v in [PROTOCOL_VERSION, 0, SDU, 0xFFFF, 0x0100, 0, 0] {
        b.extend_from_slice(&v.to_be_bytes());
    }
    b.extend_from_slice(&[0x04, 0x04]); // NSI flags: native network encryption disabled
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(&u32::from(SDU).to_be_bytes());
    b.extend_from_slice(&[0; 5]);
    b.extend_from_slice(&0u32.to_be_bytes()); // flags 2: no fast auth, no end of response
    b
}

/// One packet; `large` after ACCEPT (4-byte length). A length over the SDU ends it.
fn read_packet(s: &mut dyn Stream, large: bool) -> Option<(u8, Vec<u8>)> {
    let mut h = [0u8; 8];
    s.read_exact(&mut h).ok()?;
    if !large && h[..2] == [0x16, 0x03] {
        // A TLS ClientHello on this plain TCP listener: hang up, as a listener does on a
        // packet it cannot read.
        return None;
    }
    let len = if large {
        usize::try_from(u32::from_be_bytes([h[0], h[1], h[2], h[3]])).ok()?
    } else {
        usize::from(u16::from_be_bytes([h[0], h[1]]))
    };
    if !(8..=usize::from(SDU)).contains(&len) {
        return None;
    }
    let mut body = vec![0u8; len - 8];
    s.read_exact(&mut body).ok()?;
    Some((h[4], body))
}

/// A DATA packet's message (after the data flags).
fn read_data(s: &mut dyn Stream) -> Option<Vec<u8>> {
    match read_packet(s, true)? {
        (6, body) if body.len() > 2 => Some(body[2..].to_vec()),
        _ => None,
    }
}

/// A MARKER packet (1: break, 2: reset), with the large-SDU length.
fn send_marker(s: &mut dyn Stream, kind: u8) -> Option<()> {
    let mut p = 11u32.to_be_bytes().to_vec();
    p.extend_from_slice(&[12, 0, 0, 0, 1, 0, kind]);
    s.write_all(&p).ok()?;
    s.flush().ok()
}

fn send_data(s: &mut dyn Stream, msg: &[u8]) -> Option<()> {
    let len = u32::try_from(10 + msg.len()).ok()?;
    let mut p = len.to_be_bytes().to_vec();
    p.extend_from_slice(&[6, 0, 0, 0, 0, 0]); // DATA, flags, checksum, data flags
    p.extend_from_slice(msg);
    s.write_all(&p).ok()?;
    s.flush().ok()
}

/// The TTC protocol negotiation reply: banner, character sets, capabilities.
fn protocol_reply(field_version: u8) -> Vec<u8> {
    let mut w = W::new(MSG_PROTOCOL);
    w.u8(6).u8(0).raw(BANNER.as_bytes()).u8(0);
    w.raw(&CHARSET_AL32UTF8.to_le_bytes()).u8(0).raw(&[0, 0]); // flags, no elements
                                                               // The format description: the national character set 3 bytes into its one entry.
    let mut fdo = vec![0u8; 12];
    fdo[9..11].copy_from_slice(&NCHARSET_AL16UTF16.to_be_bytes());
    w.u16(fdo.len() as u16).raw(&fdo);
    let mut compile = vec![0u8; 53];
    compile[0] = 6; // SQL version
    compile[4] = 8 | 2 | 32 | 64 | 0x80; // O5LOGON and friends
    compile[7] = field_version;
    w.bytes(&compile).bytes(&[0u8; 11]);
    w.0
}

/// Phase one and two requests: the user and the key/value pairs.
fn auth_request(msg: &[u8]) -> Option<(String, HashMap<String, String>)> {
    let mut r = R { b: msg, p: 3 }; // message type, function code, sequence number
    let has_user = r.u8()? == 1;
    r.ub()?; // user length
    r.ub()?; // auth mode
    r.u8()?;
    let count = r.ub()?;
    r.u8()?;
    r.u8()?;
    let user = if has_user { r.bytes()? } else { Vec::new() };
    let mut pairs = HashMap::new();
    for _ in 0..count {
        let key = r.text()?;
        let value = r.text()?;
        r.ub()?; // flags
        pairs.insert(key, value);
    }
    Some((String::from_utf8_lossy(&user).into_owned(), pairs))
}

/// The server half of O5LOGON with a 12c verifier, for one connection.
struct Verifier {
    known_user: bool,
    salt: [u8; 16],
    csk_salt: [u8; 16],
    /// PBKDF2-SHA512(password, salt || "AUTH_PBKDF2_SPEEDY_KEY"), 64 bytes.
    password_key: Vec<u8>,
    /// SHA-512(password_key || salt)[..32]: the key of the session key halves.
    password_hash: Vec<u8>,
    server_key: [u8; 32],
}

impl Verifier {
    /// Oracle answers phase one for an unknown user too, so as not to tell it apart.
    fn new(server: &OracleServer, user: &str) -> Verifier {
        let salt: [u8; 16] = rand::random();
        let mut speedy_salt = salt.to_vec();
        speedy_salt.extend_from_slice(b"AUTH_PBKDF2_SPEEDY_KEY");
        let password_key = pbkdf2(server.password.as_bytes(), &speedy_salt, VGEN_COUNT, 64);
        let password_hash =
            Sha512::digest([password_key.as_slice(), &salt[..]].concat())[..32].to_vec();
        Verifier {
            known_user: user.eq_ignore_ascii_case(&server.user),
            salt,
            csk_salt: rand::random(),
            password_key,
            password_hash,
            server_key: rand::random(),
        }
    }

    fn phase_one_reply(&self, hostile: Option<Hostile>) -> Vec<u8> {
        if let Some(h @ (Hostile::ShortSessionKey11g | Hostile::Impostor11g)) = hostile {
            let key_len = if h == Hostile::Impostor11g { 48 } else { 32 };
            let key: Vec<u8> = (0..key_len).map(|_| rand::random::<u8>()).collect();
            let mut w = W::new(MSG_PARAMETER);
            w.ub(2);
            w.pair("AUTH_SESSKEY", &hex::encode_upper(key), 0);
            w.pair(
                "AUTH_VFR_DATA",
                &hex::encode_upper(&self.salt[..10]),
                VERIFIER_11G,
            );
            return w.0;
        }
        let key = match hostile {
            Some(Hostile::ShortSessionKey) => &self.server_key[..16],
            _ => &self.server_key[..],
        };
        let sesskey = aes_encrypt(&self.password_hash, key, false);
        let rounds = match hostile {
            Some(Hostile::HugeRounds) => 4_000_000_000,
            Some(Hostile::FewRounds) => 1,
            _ => VGEN_COUNT,
        };
        let mut w = W::new(MSG_PARAMETER);
        w.ub(5);
        w.pair("AUTH_SESSKEY", &hex::encode_upper(sesskey), 0);
        w.pair("AUTH_VFR_DATA", &hex::encode_upper(self.salt), VERIFIER_12C);
        w.pair("AUTH_PBKDF2_CSK_SALT", &hex::encode_upper(self.csk_salt), 0);
        w.pair("AUTH_PBKDF2_VGEN_COUNT", &rounds.to_string(), 0);
        w.pair("AUTH_PBKDF2_SDER_COUNT", &SDER_COUNT.to_string(), 0);
        w.0
    }

    /// The combo key if the client proved the password (its session key half, speedy
    /// key and password, all under keys only the password leads to).
    fn prove(&self, server: &OracleServer, pairs: &HashMap<String, String>) -> Option<Vec<u8>> {
        let client_key = hex::decode(pairs.get("AUTH_SESSKEY")?).ok()?;
        let client_key = aes_decrypt(&self.password_hash, &client_key, false)?;
        let mixed = format!(
            "{}{}",
            hex::encode_upper(client_key.get(..32)?),
            hex::encode_upper(self.server_key)
        );
        let combo = pbkdf2(mixed.as_bytes(), &self.csk_salt, SDER_COUNT, 32);
        let password = aes_decrypt(
            &combo,
            &hex::decode(pairs.get("AUTH_PASSWORD")?).ok()?,
            true,
        )?;
        if password.get(16..)? != server.password.as_bytes() {
            return None;
        }
        if let Some(speedy) = pairs.get("AUTH_PBKDF2_SPEEDY_KEY") {
            let speedy = aes_decrypt(&combo, &hex::decode(speedy).ok()?, false)?;
            if speedy.get(16..80)? != self.password_key.as_slice() {
                return None;
            }
        }
        Some(combo)
    }

    /// The session, or the TTC error message refusing it.
    fn phase_two(
        &self,
        server: &OracleServer,
        pairs: &HashMap<String, String>,
    ) -> Result<Vec<u8>, Vec<u8>> {
        if server.hostile == Some(Hostile::Impostor11g) {
            let mut w = W::new(MSG_PARAMETER);
            w.ub(1);
            w.pair("AUTH_SESSION_ID", "42", 0);
            return Ok(w.0);
        }
        let combo = self
            .prove(server, pairs)
            .filter(|_| self.known_user)
            .ok_or_else(|| {
                end_of_call(
                    1017,
                    "ORA-01017: invalid username/password; logon denied",
                    0,
                    0,
                    server.field_version,
                )
            })?;
        if server.locked {
            return Err(end_of_call(
                28000,
                "ORA-28000: The account is locked.",
                0,
                0,
                server.field_version,
            ));
        }
        if let Some((code, message)) = &server.login_error {
            return Err(end_of_call(*code, message, 0, 0, server.field_version));
        }
        let mut proof = rand::random::<[u8; 16]>().to_vec();
        proof.extend_from_slice(b"SERVER_TO_CLIENT");
        let mut w = W::new(MSG_PARAMETER);
        w.ub(if server.omit_server_proof { 3 } else { 4 });
        // 21.3.0.0.0 in the 18c+ layout: major << 24 | release update << 16.
        w.pair(
            "AUTH_VERSION_NO",
            &((21u32 << 24) | (3 << 16)).to_string(),
            0,
        );
        w.pair("AUTH_SESSION_ID", "42", 0);
        w.pair("AUTH_SERIAL_NUM", "7", 0);
        if !server.omit_server_proof {
            w.pair(
                "AUTH_SVR_RESPONSE",
                &hex::encode_upper(aes_encrypt(&combo, &proof, true)),
                0,
            );
        }
        Ok(w.0)
    }
}

/// The TTC error message that ends a call (code 0: success).
fn end_of_call(code: u32, message: &str, cursor: u16, rows: u64, field_version: u8) -> Vec<u8> {
    let mut w = W::new(MSG_ERROR);
    w.ub(0).ub(0).ub(0); // call status, end-to-end sequence number, current row
    w.ub(u64::from(u16::try_from(code).unwrap_or(0))); // error number (short form)
    w.ub(0).ub(0).ub(u64::from(cursor)).ub(0); // array element errors, cursor, position
    w.raw(&[0; 6]); // SQL type, fatal, flags, user cursor options, UPI parameter, flags
    w.ub(0).ub(0).u8(0).ub(0).ub(0); // rowid
    w.ub(0).u8(0).u8(0).ub(0).ub(0); // OS error, statement and call numbers, padding, iterations
    w.ub(0).ub(0).ub(0).ub(0); // logical rowid; batch error codes, offsets, messages
    w.ub(u64::from(code)).ub(rows);
    if field_version >= FIELD_VERSION_20_1 {
        w.ub(0).ub(0); // SQL type, server checksum
    }
    if code != 0 {
        w.bytes(message.as_bytes());
    }
    w.0
}

/// One row of VARCHAR2 columns C1, C2, ...: describe info, row header, row data, then
/// ORA-01403 (no more rows) ending the call.
fn query_reply(row: &[String], field_version: u8) -> Vec<u8> {
    let mut w = W::new(MSG_DESCRIBE_INFO);
    w.u8(0); // no leading chunk
    w.ub(4000).ub(row.len() as u64);
    if !row.is_empty() {
        w.u8(0);
    }
    for i in 1..=row.len() {
        let name = format!("C{i}");
        w.u8(ORA_VARCHAR2).u8(0).u8(0).u8(0); // type, flags, precision, scale
        w.ub(4000).ub(0).ub(0).u8(0); // buffer size, array elements, cont flags, no OID
        w.ub(0).ub(u64::from(CHARSET_AL32UTF8)).u8(1); // version, charset, form implicit
        w.ub(4000).ub(0).u8(1); // max size, oaccolid, nulls allowed
        w.u8(name.len() as u8).text(&name).text("").text(""); // name, schema, type name
        w.ub(i as u64).ub(0); // position, UDS flags
    }
    w.ub(0).ub(0).ub(0).ub(0).ub(0).ub(0); // current date, dcb flags and sizes, query key
    w.u8(MSG_ROW_HEADER)
        .u8(0)
        .ub(0)
        .ub(0)
        .ub(1)
        .ub(0)
        .ub(0)
        .ub(0);
    w.u8(MSG_ROW_DATA);
    for value in row {
        w.bytes(value.as_bytes());
    }
    w.raw(&end_of_call(
        1403,
        "ORA-01403: no data found",
        1,
        1,
        field_version,
    ));
    w.0
}

fn pbkdf2(secret: &[u8], salt: &[u8], rounds: u32, len: usize) -> Vec<u8> {
    let mut key = vec![0u8; len];
    pbkdf2::pbkdf2_hmac::<Sha512>(secret, salt, rounds, &mut key);
    key
}

/// AES-256-CBC with a zero IV, as O5LOGON uses it; unpadded data is whole blocks.
fn aes_encrypt(key: &[u8], data: &[u8], pkcs7: bool) -> Vec<u8> {
    let cipher = cbc::Encryptor::<aes::Aes256>::new_from_slices(key, &[0; 16]).expect("key");
    let mut buf = data.to_vec();
    buf.resize(data.len() + 16, 0);
    let len = if pkcs7 {
        cipher.encrypt_padded_mut::<Pkcs7>(&mut buf, data.len())
    } else {
        cipher.encrypt_padded_mut::<NoPadding>(&mut buf, data.len())
    }
    .expect("blocks")
    .len();
    buf.truncate(len);
    buf
}

fn aes_decrypt(key: &[u8], data: &[u8], pkcs7: bool) -> Option<Vec<u8>> {
    let cipher = cbc::Decryptor::<aes::Aes256>::new_from_slices(key, &[0; 16]).ok()?;
    let mut buf = data.to_vec();
    let plain = if pkcs7 {
        cipher.decrypt_padded_mut::<Pkcs7>(&mut buf).ok()?
    } else {
        cipher.decrypt_padded_mut::<NoPadding>(&mut buf).ok()?
    };
    Some(plain.to_vec())
}

/// A TTC message being written.
struct W(Vec<u8>);

impl W {
    fn new(message_type: u8) -> W {
        W(vec![message_type])
    }

    fn u8(&mut self, v: u8) -> &mut W {
        self.0.push(v);
        self
    }

    fn u16(&mut self, v: u16) -> &mut W {
        self.raw(&v.to_be_bytes())
    }

    fn raw(&mut self, b: &[u8]) -> &mut W {
        self.0.extend_from_slice(b);
        self
    }

    /// UB2/UB4/UB8: a length byte, then the value's significant bytes, big-endian.
    fn ub(&mut self, v: u64) -> &mut W {
        let b = v.to_be_bytes();
        let skip = b.iter().take_while(|x| **x == 0).count();
        self.u8((8 - skip) as u8).raw(&b[skip..])
    }

    /// Length-prefixed bytes, in chunks past 252.
    fn bytes(&mut self, b: &[u8]) -> &mut W {
        if b.len() <= 252 {
            return self.u8(b.len() as u8).raw(b);
        }
        self.u8(0xFE);
        for chunk in b.chunks(32767) {
            self.ub(chunk.len() as u64).raw(chunk);
        }
        self.ub(0)
    }

    /// A string with a UB4 length before its length-prefixed bytes.
    fn text(&mut self, s: &str) -> &mut W {
        self.ub(s.len() as u64);
        if !s.is_empty() {
            self.bytes(s.as_bytes());
        }
        self
    }

    fn pair(&mut self, key: &str, value: &str, flags: u64) -> &mut W {
        self.text(key).text(value).ub(flags)
    }
}

/// A TTC message being read.
struct R<'a> {
    b: &'a [u8],
    p: usize,
}

impl R<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let s = self.b.get(self.p..self.p.checked_add(n)?)?;
        self.p += n;
        Some(s)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn ub(&mut self) -> Option<u64> {
        let n = usize::from(self.u8()? & 0x7F);
        if n > 8 {
            return None;
        }
        Some(self.take(n)?.iter().fold(0, |v, b| v << 8 | u64::from(*b)))
    }

    fn bytes(&mut self) -> Option<Vec<u8>> {
        match self.u8()? {
            0xFF => Some(Vec::new()),
            0xFE => {
                let mut out = Vec::new();
                loop {
                    let n = usize::try_from(self.ub()?).ok()?;
                    if n == 0 {
                        return Some(out);
                    }
                    out.extend_from_slice(self.take(n)?);
                }
            }
            n => Some(self.take(usize::from(n))?.to_vec()),
        }
    }

    fn text(&mut self) -> Option<String> {
        if self.ub()? == 0 {
            return Some(String::new());
        }
        Some(String::from_utf8_lossy(&self.bytes()?).into_owned())
    }
}
