//! A TEST-ONLY TDS peer — not a SQL Server, and nothing like one beyond the handful of
//! messages Switchboard's connection test exchanges (no SQL Server can be installed here).
//!
//! It answers PRELOGIN with a configured encryption value, runs the TLS handshake inside
//! TDS PRELOGIN (0x12) packets as TDS 7.x does (raw TLS afterwards; back to plain TDS after
//! LOGIN7 when only the login is encrypted), checks LOGIN7 (user, de-obfuscated password,
//! database) and answers LOGINACK + ENVCHANGE + DONE, or ERROR 18456 / 4060 like SQL
//! Server does. Any SQL batch or RPC gets one row of four nvarchar columns: @@VERSION,
//! SUSER_SNAME(), DB_NAME() and the database's Updateability. Std threads, one per
//! connection, like tests/harness/tns.rs.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use crate::ca::Issued;

/// PRELOGIN encryption values (MS-TDS 2.2.6.5).
pub const ENCRYPT_OFF: u8 = 0;
pub const ENCRYPT_ON: u8 = 1;
pub const ENCRYPT_NOT_SUP: u8 = 2;
pub const ENCRYPT_REQ: u8 = 3;

/// What `SELECT @@VERSION` returns here (its first line reads like the real one's).
pub const VERSION: &str = "Microsoft SQL Server 2022 (TDS test peer) - 16.0.1000.6 (X64)\n\tNot a SQL Server: tests/harness/tds.rs";

const PKT_BATCH: u8 = 0x01;
const PKT_RPC: u8 = 0x03;
const PKT_REPLY: u8 = 0x04;
const PKT_ATTENTION: u8 = 0x06;
const PKT_LOGIN7: u8 = 0x10;
const PKT_PRELOGIN: u8 = 0x12;

/// A rustls server config for the peer. TLS 1.3 session tickets are off: sent after the
/// handshake, a ticket would reach a client that has gone back to plain TDS (login-only
/// encryption) and be read as a TDS packet.
pub fn tls_config(cert: &Issued) -> Arc<rustls::ServerConfig> {
    cert.server_config(rustls::DEFAULT_VERSIONS, None)
}

/// As `tls_config`, TLS 1.2 only (older SQL Servers): the server's last flight then comes
/// after the client's Finished, still inside PRELOGIN packets.
pub fn tls12_config(cert: &Issued) -> Arc<rustls::ServerConfig> {
    cert.server_config(&[&rustls::version::TLS12], None)
}

/// A login the peer received (whatever its outcome).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenLogin {
    pub user: String,
    pub database: String,
    pub app_name: String,
    /// LOGIN7 TypeFlags fReadOnlyIntent (ApplicationIntent=ReadOnly).
    pub read_only_intent: bool,
    /// Whether LOGIN7 arrived inside TLS.
    pub encrypted: bool,
}

#[derive(Clone)]
pub struct TdsPeer {
    /// The PRELOGIN answer: ENCRYPT_OFF (has a certificate, encryption not forced),
    /// ENCRYPT_ON / ENCRYPT_REQ (Force Encryption), ENCRYPT_NOT_SUP (no certificate).
    pub encryption: u8,
    /// Needed unless `encryption` is ENCRYPT_NOT_SUP.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    pub user: String,
    pub password: String,
    /// The one database that exists (also the login's default database).
    pub database: String,
    pub seen: Arc<Mutex<Vec<SeenLogin>>>,
}

impl TdsPeer {
    pub fn new(
        encryption: u8,
        tls: Option<Arc<rustls::ServerConfig>>,
        user: &str,
        password: &str,
        database: &str,
    ) -> Self {
        TdsPeer {
            encryption,
            tls,
            user: user.into(),
            password: password.into(),
            database: database.into(),
            seen: Arc::default(),
        }
    }

    /// Listens on 127.0.0.1 and serves each connection on its own thread.
    pub fn listen(&self) -> SocketAddr {
        self.listen_on("127.0.0.1")
    }

    /// Listens on `ip` (any loopback address: tests that need a port of their own, such
    /// as the SQL Server Browser's UDP 1434, each take one).
    pub fn listen_on(&self, ip: &str) -> SocketAddr {
        let l = TcpListener::bind((ip, 0)).expect("bind");
        let addr = l.local_addr().expect("addr");
        let peer = self.clone();
        std::thread::spawn(move || {
            for s in l.incoming().flatten() {
                let peer = peer.clone();
                std::thread::spawn(move || peer.serve(s));
            }
        });
        addr
    }

    fn serve(&self, mut tcp: TcpStream) -> Option<()> {
        let (kind, body) = read_message(&mut tcp)?;
        if kind != PKT_PRELOGIN {
            return None;
        }
        let client = prelogin_encryption(&body)? & 0x7F;
        write_message(&mut tcp, PKT_REPLY, &prelogin_reply(self.encryption))?;
        // The table of MS-TDS 2.2.6.5, as far as a test needs it.
        let (tls, login_only) = match (self.encryption, client) {
            (ENCRYPT_NOT_SUP, _) | (ENCRYPT_OFF, ENCRYPT_NOT_SUP) => (false, false),
            (ENCRYPT_OFF, ENCRYPT_OFF) => (true, true),
            _ => (true, false),
        };
        if !tls {
            let (kind, login) = read_message(&mut tcp)?;
            return self.session(&mut tcp, kind, &login, false);
        }
        let mut conn = rustls::ServerConnection::new(self.tls.clone()?).ok()?;
        handshake_in_prelogin(&mut tcp, &mut conn)?;
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        let (kind, login) = read_message(&mut tls)?;
        if login_only {
            // Encryption "off": only LOGIN7 was encrypted; plain TDS from here on.
            let mut tcp = tls.sock;
            self.session(&mut tcp, kind, &login, true)
        } else {
            self.session(&mut tls, kind, &login, true)
        }
    }

    /// Answers LOGIN7, then every batch, until the client leaves.
    fn session(
        &self,
        s: &mut impl ReadWrite,
        kind: u8,
        login: &[u8],
        encrypted: bool,
    ) -> Option<()> {
        if kind != PKT_LOGIN7 {
            return None;
        }
        let l = parse_login7(login)?;
        let database = if l.database.is_empty() {
            self.database.clone()
        } else {
            l.database.clone()
        };
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(SeenLogin {
                user: l.user.clone(),
                database: database.clone(),
                app_name: l.app_name.clone(),
                read_only_intent: l.read_only_intent,
                encrypted,
            });
        }
        let mut out = Vec::new();
        if l.user != self.user || l.password != self.password {
            error_token(
                &mut out,
                18456,
                1,
                14,
                &format!("Login failed for user '{}'.", l.user),
            );
            done(&mut out, 0x0002, 0, 0);
            write_message(s, PKT_REPLY, &out)?;
            return None;
        }
        if database != self.database {
            // SQL Server sends both; clients report the first.
            error_token(
                &mut out,
                4060,
                1,
                11,
                &format!(
                    "Cannot open database \"{database}\" requested by the login. The login failed."
                ),
            );
            error_token(
                &mut out,
                18456,
                1,
                14,
                &format!("Login failed for user '{}'.", l.user),
            );
            done(&mut out, 0x0002, 0, 0);
            write_message(s, PKT_REPLY, &out)?;
            return None;
        }
        env_change_database(&mut out, &database, "master");
        login_ack(&mut out);
        done(&mut out, 0, 0, 0);
        write_message(s, PKT_REPLY, &out)?;
        loop {
            let (kind, _) = read_message(s)?;
            let mut out = Vec::new();
            match kind {
                PKT_BATCH | PKT_RPC => {
                    let values = [VERSION, l.user.as_str(), database.as_str(), "READ_WRITE"];
                    col_metadata(&mut out, &[300, 128, 128, 20]);
                    row(&mut out, &values);
                    done(&mut out, 0x0010, 0x00C1, 1);
                }
                PKT_ATTENTION => done(&mut out, 0x0020, 0, 0),
                _ => return None,
            }
            write_message(s, PKT_REPLY, &out)?;
        }
    }
}

pub trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

/// One packet: its type, whether it ends the message, its payload.
fn read_packet(s: &mut impl Read) -> Option<(u8, bool, Vec<u8>)> {
    let mut header = [0u8; 8];
    s.read_exact(&mut header).ok()?;
    let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
    if len < 8 {
        return None;
    }
    let mut payload = vec![0u8; len - 8];
    s.read_exact(&mut payload).ok()?;
    Some((header[0], header[1] & 0x01 != 0, payload))
}

/// A whole message (packets up to the one marked end-of-message).
fn read_message(s: &mut impl Read) -> Option<(u8, Vec<u8>)> {
    let (kind, mut last, mut body) = read_packet(s)?;
    while !last {
        let (_, l, more) = read_packet(s)?;
        body.extend(more);
        last = l;
    }
    Some((kind, body))
}

fn write_message(s: &mut impl Write, kind: u8, body: &[u8]) -> Option<()> {
    let chunks: Vec<&[u8]> = if body.is_empty() {
        vec![body]
    } else {
        body.chunks(4096 - 8).collect()
    };
    let last = chunks.len() - 1;
    for (i, chunk) in chunks.into_iter().enumerate() {
        let len = u16::try_from(chunk.len() + 8).ok()?;
        let mut p = vec![kind, u8::from(i == last)];
        p.extend_from_slice(&len.to_be_bytes());
        p.extend_from_slice(&[0, 0, u8::try_from(i + 1).unwrap_or(0), 0]);
        p.extend_from_slice(chunk);
        s.write_all(&p).ok()?;
    }
    s.flush().ok()
}

/// The client's ENCRYPTION option from its PRELOGIN option table.
fn prelogin_encryption(body: &[u8]) -> Option<u8> {
    let mut at = 0;
    loop {
        let token = *body.get(at)?;
        if token == 0xFF {
            return None;
        }
        let f = body.get(at + 1..at + 5)?;
        let offset = usize::from(u16::from_be_bytes([f[0], f[1]]));
        if token == 0x01 {
            return body.get(offset).copied();
        }
        at += 5;
    }
}

fn prelogin_reply(encryption: u8) -> Vec<u8> {
    // VERSION 16.0.1000.0, ENCRYPTION, INSTOPT (empty: instance matched), THREADID
    // (none), MARS off.
    let options: [(u8, &[u8]); 5] = [
        (0x00, &[16, 0, 0x03, 0xE8, 0, 0]),
        (0x01, &[encryption]),
        (0x02, &[0]),
        (0x03, &[]),
        (0x04, &[0]),
    ];
    let mut table = Vec::new();
    let mut data = Vec::new();
    let mut offset = options.len() * 5 + 1;
    for (token, value) in options {
        table.push(token);
        table.extend_from_slice(&u16::try_from(offset).expect("short").to_be_bytes());
        table.extend_from_slice(&u16::try_from(value.len()).expect("short").to_be_bytes());
        data.extend_from_slice(value);
        offset += value.len();
    }
    table.push(0xFF);
    table.extend(data);
    table
}

/// The TLS handshake, its records carried in PRELOGIN packets both ways.
fn handshake_in_prelogin(tcp: &mut TcpStream, conn: &mut rustls::ServerConnection) -> Option<()> {
    let send = |tcp: &mut TcpStream, conn: &mut rustls::ServerConnection| {
        let mut records = Vec::new();
        while conn.wants_write() {
            conn.write_tls(&mut records).ok()?;
        }
        write_message(tcp, PKT_PRELOGIN, &records)
    };
    while conn.is_handshaking() {
        if conn.wants_write() {
            send(tcp, conn)?;
            continue;
        }
        let (kind, _, payload) = read_packet(tcp)?;
        if kind != PKT_PRELOGIN {
            return None;
        }
        let mut rest = &payload[..];
        while !rest.is_empty() {
            conn.read_tls(&mut rest).ok()?;
            if conn.process_new_packets().is_err() {
                // A client that rejects the certificate says so in an alert; we are done.
                return None;
            }
        }
    }
    // TLS 1.2: the server's last flight (ChangeCipherSpec, Finished) is still to go.
    if conn.wants_write() {
        send(tcp, conn)?;
    }
    Some(())
}

struct Login7 {
    user: String,
    password: String,
    app_name: String,
    database: String,
    read_only_intent: bool,
}

/// LOGIN7 (MS-TDS 2.2.6.4): a fixed part, then (offset, length in characters) pairs into
/// UTF-16LE data. The password is obfuscated: each byte had its nibbles swapped and was
/// XORed with 0xA5, so XOR with 0xA5 and swap back.
fn parse_login7(b: &[u8]) -> Option<Login7> {
    let field = |i: usize, password: bool| -> Option<String> {
        let at = 36 + 4 * i;
        let offset = usize::from(u16::from_le_bytes([*b.get(at)?, *b.get(at + 1)?]));
        let chars = usize::from(u16::from_le_bytes([*b.get(at + 2)?, *b.get(at + 3)?]));
        let raw = b.get(offset..offset + 2 * chars)?;
        let units: Vec<u16> = raw
            .chunks_exact(2)
            .map(|c| {
                let (lo, hi) = if password {
                    ((c[0] ^ 0xA5).rotate_left(4), (c[1] ^ 0xA5).rotate_left(4))
                } else {
                    (c[0], c[1])
                };
                u16::from_le_bytes([lo, hi])
            })
            .collect();
        String::from_utf16(&units).ok()
    };
    Some(Login7 {
        user: field(1, false)?,
        password: field(2, true)?,
        app_name: field(3, false)?,
        database: field(8, false)?,
        read_only_intent: b.get(26)? & 0x20 != 0,
    })
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// B_VARCHAR: a length in characters (one byte), then UTF-16LE.
fn b_varchar(out: &mut Vec<u8>, s: &str) {
    out.push(u8::try_from(s.encode_utf16().count()).expect("short"));
    out.extend(utf16(s));
}

fn error_token(out: &mut Vec<u8>, number: u32, state: u8, class: u8, message: &str) {
    let mut t = Vec::new();
    t.extend_from_slice(&number.to_le_bytes());
    t.push(state);
    t.push(class);
    t.extend_from_slice(
        &u16::try_from(message.encode_utf16().count())
            .expect("short")
            .to_le_bytes(),
    );
    t.extend(utf16(message));
    b_varchar(&mut t, "TDSTESTPEER");
    b_varchar(&mut t, "");
    t.extend_from_slice(&1u32.to_le_bytes());
    out.push(0xAA);
    out.extend_from_slice(&u16::try_from(t.len()).expect("short").to_le_bytes());
    out.extend(t);
}

fn env_change_database(out: &mut Vec<u8>, new: &str, old: &str) {
    let mut t = vec![1u8];
    b_varchar(&mut t, new);
    b_varchar(&mut t, old);
    out.push(0xE3);
    out.extend_from_slice(&u16::try_from(t.len()).expect("short").to_le_bytes());
    out.extend(t);
}

fn login_ack(out: &mut Vec<u8>) {
    let mut t = vec![1u8]; // SQL_TSQL
    t.extend_from_slice(&0x7400_0004u32.to_be_bytes()); // TDS 7.4
    b_varchar(&mut t, "Microsoft SQL Server");
    t.extend_from_slice(&[16, 0, 0x03, 0xE8]);
    out.push(0xAD);
    out.extend_from_slice(&u16::try_from(t.len()).expect("short").to_le_bytes());
    out.extend(t);
}

fn done(out: &mut Vec<u8>, status: u16, command: u16, rows: u64) {
    out.push(0xFD);
    out.extend_from_slice(&status.to_le_bytes());
    out.extend_from_slice(&command.to_le_bytes());
    out.extend_from_slice(&rows.to_le_bytes());
}

/// COLMETADATA for nullable, unnamed nvarchar(n) columns.
fn col_metadata(out: &mut Vec<u8>, widths: &[u16]) {
    out.push(0x81);
    out.extend_from_slice(&u16::try_from(widths.len()).expect("short").to_le_bytes());
    for w in widths {
        out.extend_from_slice(&0u32.to_le_bytes()); // user type
        out.extend_from_slice(&0x0001u16.to_le_bytes()); // nullable
        out.push(0xE7); // NVARCHAR
        out.extend_from_slice(&(w * 2).to_le_bytes());
        out.extend_from_slice(&[0x09, 0x04, 0xD0, 0x00, 0x34]); // SQL_Latin1_General_CP1_CI_AS
        out.push(0); // no name
    }
}

fn row(out: &mut Vec<u8>, values: &[&str]) {
    out.push(0xD1);
    for v in values {
        let data = utf16(v);
        out.extend_from_slice(&u16::try_from(data.len()).expect("short").to_le_bytes());
        out.extend(data);
    }
}

/// A test-only SQL Server Browser (SSRP, [MC-SQLR]) on UDP `ip`:1434: answers every
/// CLNT_UCAST_INST for an instance among `records` with SVR_RESP carrying them all
/// (`ServerName;…;InstanceName;…;tcp;…` records, each ending in `;;`), and stays silent
/// otherwise, as a real Browser does (or always, when `records` is `None`). Returns the
/// instance names it was asked for.
pub fn browser(ip: &str, records: Option<String>) -> Arc<Mutex<Vec<String>>> {
    let socket = std::net::UdpSocket::bind((ip, 1434)).expect("bind UDP 1434");
    let asked: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = asked.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 512];
        while let Ok((n, from)) = socket.recv_from(&mut buf) {
            if n < 2 || buf[0] != 0x04 {
                continue;
            }
            let name = buf[1..n].split(|b| *b == 0).next().unwrap_or_default();
            seen.lock()
                .expect("lock")
                .push(String::from_utf8_lossy(name).into_owned());
            // As a real Browser: silence for an instance it does not have.
            let known = records.as_ref().filter(|r| {
                r.to_ascii_lowercase().contains(&format!(
                    "instancename;{};",
                    String::from_utf8_lossy(name).to_ascii_lowercase()
                ))
            });
            if let Some(records) = known {
                let mut reply = vec![0x05];
                reply.extend_from_slice(&(records.len() as u16).to_le_bytes());
                reply.extend_from_slice(records.as_bytes());
                let _ = socket.send_to(&reply, from);
            }
        }
    });
    asked
}

/// One Browser record, as SQL Server writes it.
pub fn browser_record(instance: &str, tcp: Option<u16>) -> String {
    format!(
        "ServerName;TESTHOST;InstanceName;{instance};IsClustered;No;Version;16.0.1000.6;{}np;\\\\TESTHOST\\pipe\\MSSQL${instance}\\sql\\query;;",
        tcp.map(|p| format!("tcp;{p};")).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn password_de_obfuscation_undoes_the_login7_encoding() {
        // tiberius' encoding (tds/codec/login.rs): swap nibbles, then XOR 0xA5.
        for b in 0..=255u8 {
            let sent = (b.rotate_left(4)) ^ 0xA5;
            assert_eq!((sent ^ 0xA5).rotate_left(4), b);
        }
    }
}
