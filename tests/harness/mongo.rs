//! A TEST-ONLY MongoDB wire-protocol peer — not MongoDB, and nothing like one beyond the
//! handful of messages Switchboard's connection test and the official driver exchange (no
//! MongoDB server can be installed here).
//!
//! Over plain TCP or TLS from the first byte (rustls `StreamOwned`, certificate from a test
//! CA, like tests/harness/tns.rs) it answers:
//! - the legacy OP_QUERY handshake (opcode 2004: `isMaster`/`hello` on `admin.$cmd`) with
//!   an OP_REPLY (opcode 1), and
//! - OP_MSG (opcode 2013) commands: `hello`/`isMaster`/`ismaster` (a standalone, or the
//!   primary of a replica set whose `hosts` it is told), `ping`, `buildInfo` (version
//!   [`VERSION`]), `connectionStatus`, `endSessions`, and SCRAM-SHA-256 (`saslStart` /
//!   `saslContinue`, RFC 5802/7677 with 4096 PBKDF2 iterations; passwords are used as
//!   given, without SASLprep, so tests use ASCII ones). A wrong user, password or mechanism
//!   gets MongoDB's `{ok: 0, code: 18, codeName: "AuthenticationFailed"}`. Any other
//!   command gets `CommandNotFound` (59).
//!
//! Commands are answered whether or not the connection authenticated (like a server
//! without access control). Std threads, one per connection.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use bson::{doc, spec::BinarySubtype, Binary, Bson, Document};

/// What `buildInfo` reports.
pub const VERSION: &str = "7.0.0-test-peer";
pub const MAX_WIRE_VERSION: i32 = 17;

const OP_REPLY: i32 = 1;
const OP_QUERY: i32 = 2004;
const OP_MSG: i32 = 2013;
const SCRAM_ITERATIONS: u32 = 4096;

/// What the peer does after TLS (if any).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speaks {
    /// The MongoDB wire protocol, as described above.
    Mongo,
    /// An HTTP error to whatever arrives: a web server on MongoDB's port.
    Garbage,
}

/// What the peer saw, over all its connections.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// Connections accepted.
    pub connections: usize,
    /// Connections still open.
    pub open: usize,
    /// Command names, in arrival order (all connections interleaved).
    pub commands: Vec<String>,
    /// `client.application.name` of each handshake that carried one.
    pub app_names: Vec<String>,
    /// Users whose SCRAM conversation succeeded.
    pub authenticated: Vec<String>,
    /// SCRAM conversations refused with AuthenticationFailed.
    pub auth_failures: usize,
}

#[derive(Clone)]
pub struct MongoPeer {
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// The one user (defined in `admin`); empty: no user, every saslStart fails.
    pub user: String,
    pub password: String,
    /// Replica set name and the hosts it lists as members: a name without a port gets the
    /// port the peer listens on. `None`: a standalone server.
    pub replica_set: Option<(String, Vec<String>)>,
    pub speaks: Speaks,
    /// Commands never answered: the connection then only waits for the client to close it.
    pub stall: Vec<String>,
    pub seen: Arc<Mutex<Seen>>,
}

/// A listening peer: its address and what it saw.
pub struct Running {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Seen>>,
}

impl Running {
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn seen(&self) -> Seen {
        self.seen.lock().expect("seen").clone()
    }
}

impl MongoPeer {
    pub fn new(tls: Option<Arc<rustls::ServerConfig>>, user: &str, password: &str) -> Self {
        MongoPeer {
            tls,
            user: user.into(),
            password: password.into(),
            replica_set: None,
            speaks: Speaks::Mongo,
            stall: Vec::new(),
            seen: Arc::default(),
        }
    }

    /// Answers as the primary of replica set `name`, listing `hosts` (a name without a port
    /// gets the peer's own).
    pub fn replica_set(mut self, name: &str, hosts: &[&str]) -> Self {
        self.replica_set = Some((name.into(), hosts.iter().map(|h| h.to_string()).collect()));
        self
    }

    /// Never answers `command` (e.g. "ping"), as a server stuck on a lock would.
    pub fn stall(mut self, command: &str) -> Self {
        self.stall.push(command.into());
        self
    }

    pub fn speaks(mut self, speaks: Speaks) -> Self {
        self.speaks = speaks;
        self
    }

    /// Listens on 127.0.0.1 and serves each connection on its own thread.
    pub fn listen(self) -> Running {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = l.local_addr().expect("addr");
        let seen = self.seen.clone();
        let shared = Arc::new(Shared {
            peer: self,
            port: addr.port(),
            next_id: AtomicI32::new(1),
        });
        std::thread::spawn(move || {
            for s in l.incoming().flatten() {
                let shared = shared.clone();
                std::thread::spawn(move || shared.accept(s));
            }
        });
        Running { addr, seen }
    }
}

struct Shared {
    peer: MongoPeer,
    port: u16,
    next_id: AtomicI32,
}

/// Counts a connection as open until it ends.
struct OpenGuard(Arc<Mutex<Seen>>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        if let Ok(mut s) = self.0.lock() {
            s.open -= 1;
        }
    }
}

/// Where a SCRAM conversation stands on one connection.
#[derive(Default)]
struct Conversation {
    user: String,
    client_first_bare: String,
    server_first: String,
    nonce: String,
    salt: Vec<u8>,
    done: bool,
}

struct Session {
    connection_id: i32,
    scram: Option<Conversation>,
    user: Option<String>,
}

impl Shared {
    fn accept(&self, tcp: TcpStream) {
        let seen = self.peer.seen.clone();
        {
            let mut s = seen.lock().expect("seen");
            s.connections += 1;
            s.open += 1;
        }
        let _open = OpenGuard(seen);
        let _ = tcp.set_nodelay(true);
        match self.peer.tls.clone() {
            Some(config) => {
                let Ok(conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut stream = rustls::StreamOwned::new(conn, tcp);
                self.serve(&mut stream);
                // Whatever rustls still has to say (an alert, close_notify), without
                // waiting for the client as `flush` would mid-handshake.
                stream.conn.send_close_notify();
                while stream.conn.wants_write() {
                    if stream.conn.write_tls(&mut stream.sock).is_err() {
                        break;
                    }
                }
            }
            None => {
                let mut tcp = tcp;
                self.serve(&mut tcp);
            }
        }
    }

    fn serve(&self, s: &mut (impl Read + Write)) {
        if self.peer.speaks == Speaks::Garbage {
            let mut buf = [0u8; 512];
            if s.read(&mut buf).is_ok() {
                let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
                let _ = s.flush();
            }
            return;
        }
        let mut session = Session {
            connection_id: self.next_id.fetch_add(1, Ordering::SeqCst),
            scram: None,
            user: None,
        };
        while let Some((request_id, opcode, body)) = read_message(s) {
            let stalled = match opcode {
                OP_MSG => parse_msg(&body).and_then(|(_, cmd)| cmd.keys().next().cloned()),
                _ => None,
            };
            if let Some(name) = stalled.filter(|n| self.peer.stall.contains(n)) {
                self.peer.seen.lock().expect("seen").commands.push(name);
                let mut buf = [0u8; 4096];
                while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
                return;
            }
            let reply = match opcode {
                OP_QUERY => parse_query(&body).map(|cmd| {
                    let answer = self.command(&mut session, &cmd);
                    op_reply(self.id(), request_id, &answer)
                }),
                OP_MSG => parse_msg(&body).and_then(|(flags, cmd)| {
                    let answer = self.command(&mut session, &cmd);
                    // moreToCome: the client expects no answer.
                    (flags & 0b10 == 0).then(|| op_msg(self.id(), request_id, &answer))
                }),
                _ => return,
            };
            if let Some(reply) = reply {
                if s.write_all(&reply).is_err() || s.flush().is_err() {
                    return;
                }
            }
        }
    }

    fn id(&self) -> i32 {
        self.next_id.fetch_add(1, Ordering::SeqCst)
    }

    fn command(&self, session: &mut Session, cmd: &Document) -> Document {
        let Some(name) = cmd.keys().next().cloned() else {
            return error(59, "CommandNotFound", "no command given");
        };
        self.peer
            .seen
            .lock()
            .expect("seen")
            .commands
            .push(name.clone());
        match name.to_ascii_lowercase().as_str() {
            "hello" | "ismaster" => self.hello(session, cmd, name == "hello"),
            "ping" | "endsessions" => doc! { "ok": 1.0 },
            "buildinfo" => doc! {
                "version": VERSION,
                "gitVersion": "test-peer",
                "versionArray": [7, 0, 0, 0],
                "bits": 64,
                "maxBsonObjectSize": 16 * 1024 * 1024,
                "ok": 1.0,
            },
            "connectionstatus" => {
                let users: Vec<Bson> = session
                    .user
                    .iter()
                    .map(|u| Bson::Document(doc! { "user": u, "db": "admin" }))
                    .collect();
                let roles: Vec<Bson> = session
                    .user
                    .iter()
                    .map(|_| Bson::Document(doc! { "role": "readWrite", "db": "admin" }))
                    .collect();
                doc! {
                    "authInfo": { "authenticatedUsers": users, "authenticatedUserRoles": roles },
                    "ok": 1.0,
                }
            }
            "saslstart" => self.sasl_start(session, cmd),
            "saslcontinue" => self.sasl_continue(session, cmd),
            _ => error(
                59,
                "CommandNotFound",
                &format!("no such command: '{name}' (test peer)"),
            ),
        }
    }

    fn hello(&self, session: &Session, cmd: &Document, modern: bool) -> Document {
        if let Ok(name) = cmd
            .get_document("client")
            .and_then(|c| c.get_document("application"))
            .and_then(|a| a.get_str("name"))
        {
            self.peer
                .seen
                .lock()
                .expect("seen")
                .app_names
                .push(name.to_owned());
        }
        let mut d = Document::new();
        d.insert(
            if modern {
                "isWritablePrimary"
            } else {
                "ismaster"
            },
            true,
        );
        if cmd.contains_key("helloOk") {
            d.insert("helloOk", true);
        }
        d.insert("maxBsonObjectSize", 16 * 1024 * 1024);
        d.insert("maxMessageSizeBytes", 48_000_000);
        d.insert("maxWriteBatchSize", 100_000);
        d.insert("localTime", bson::DateTime::now());
        d.insert("logicalSessionTimeoutMinutes", 30);
        d.insert("connectionId", session.connection_id);
        d.insert("minWireVersion", 0);
        d.insert("maxWireVersion", MAX_WIRE_VERSION);
        d.insert("readOnly", false);
        if let Some((name, hosts)) = &self.peer.replica_set {
            let hosts: Vec<String> = hosts
                .iter()
                .map(|h| {
                    if h.contains(':') {
                        h.clone()
                    } else {
                        format!("{h}:{}", self.port)
                    }
                })
                .collect();
            d.insert("setName", name.clone());
            d.insert("setVersion", 1);
            d.insert("secondary", false);
            if let Some(me) = hosts.first() {
                d.insert("primary", me.clone());
                d.insert("me", me.clone());
            }
            d.insert("hosts", hosts);
        }
        if cmd.contains_key("saslSupportedMechs") {
            d.insert("saslSupportedMechs", vec!["SCRAM-SHA-256"]);
        }
        d.insert("ok", 1.0);
        d
    }

    fn auth_failed(&self, session: &mut Session) -> Document {
        session.scram = None;
        self.peer.seen.lock().expect("seen").auth_failures += 1;
        error(18, "AuthenticationFailed", "Authentication failed.")
    }

    fn sasl_start(&self, session: &mut Session, cmd: &Document) -> Document {
        let mechanism = cmd.get_str("mechanism").unwrap_or_default();
        let Some(payload) = binary_text(cmd) else {
            return self.auth_failed(session);
        };
        // "n,," then "n=<user>,r=<client nonce>".
        let Some(bare) = payload.strip_prefix("n,,") else {
            return self.auth_failed(session);
        };
        let attr = |k: &str| {
            bare.split(',')
                .find_map(|p| p.strip_prefix(k))
                .map(|v| v.replace("=2C", ",").replace("=3D", "="))
        };
        let (Some(user), Some(client_nonce)) = (attr("n="), attr("r=")) else {
            return self.auth_failed(session);
        };
        if mechanism != "SCRAM-SHA-256" || self.peer.user.is_empty() || user != self.peer.user {
            return self.auth_failed(session);
        }
        let salt = uuid::Uuid::new_v4().as_bytes().to_vec();
        let nonce = format!("{client_nonce}{}", b64(uuid::Uuid::new_v4().as_bytes()));
        let server_first = format!("r={nonce},s={},i={SCRAM_ITERATIONS}", b64(&salt));
        session.scram = Some(Conversation {
            user,
            client_first_bare: bare.to_owned(),
            server_first: server_first.clone(),
            nonce,
            salt,
            done: false,
        });
        doc! {
            "conversationId": 1,
            "done": false,
            "payload": binary(server_first.as_bytes()),
            "ok": 1.0,
        }
    }

    fn sasl_continue(&self, session: &mut Session, cmd: &Document) -> Document {
        let Some(conv) = session.scram.as_mut() else {
            return self.auth_failed(session);
        };
        if conv.done {
            // The empty last round of a client that does not skip it.
            return doc! { "conversationId": 1, "done": true, "payload": binary(b""), "ok": 1.0 };
        }
        let Some(payload) = binary_text(cmd) else {
            return self.auth_failed(session);
        };
        // "c=biws,r=<nonce>,p=<proof>".
        let Some((without_proof, proof)) = payload.rsplit_once(",p=") else {
            return self.auth_failed(session);
        };
        let nonce_ok = without_proof
            .split(',')
            .any(|p| p.strip_prefix("r=") == Some(conv.nonce.as_str()));
        let Ok(proof) = base64::engine::general_purpose::STANDARD.decode(proof) else {
            return self.auth_failed(session);
        };
        let auth_message = format!(
            "{},{},{without_proof}",
            conv.client_first_bare, conv.server_first
        );
        let mut salted = [0u8; 32];
        ring::pbkdf2::derive(
            ring::pbkdf2::PBKDF2_HMAC_SHA256,
            NonZeroU32::new(SCRAM_ITERATIONS).expect("iterations"),
            &conv.salt,
            self.peer.password.as_bytes(),
            &mut salted,
        );
        let client_key = hmac(&salted, b"Client Key");
        let stored_key = sha256(&client_key);
        let client_signature = hmac(&stored_key, auth_message.as_bytes());
        let recovered: Vec<u8> = proof
            .iter()
            .zip(client_signature.iter())
            .map(|(p, s)| p ^ s)
            .collect();
        if !nonce_ok || proof.len() != 32 || sha256(&recovered) != stored_key {
            return self.auth_failed(session);
        }
        let server_signature = hmac(&hmac(&salted, b"Server Key"), auth_message.as_bytes());
        conv.done = true;
        let user = conv.user.clone();
        session.user = Some(user.clone());
        self.peer
            .seen
            .lock()
            .expect("seen")
            .authenticated
            .push(user);
        doc! {
            "conversationId": 1,
            "done": true,
            "payload": binary(format!("v={}", b64(&server_signature)).as_bytes()),
            "ok": 1.0,
        }
    }
}

fn error(code: i32, code_name: &str, errmsg: &str) -> Document {
    doc! { "ok": 0.0, "errmsg": errmsg, "code": code, "codeName": code_name }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn binary(bytes: &[u8]) -> Binary {
    Binary {
        subtype: BinarySubtype::Generic,
        bytes: bytes.to_vec(),
    }
}

fn binary_text(cmd: &Document) -> Option<String> {
    match cmd.get("payload") {
        Some(Bson::Binary(b)) => String::from_utf8(b.bytes.clone()).ok(),
        Some(Bson::String(s)) => Some(s.clone()),
        _ => None,
    }
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    ring::hmac::sign(&key, data).as_ref().to_vec()
}

fn sha256(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .to_vec()
}

/// One message: its request id, opcode and what follows the 16-byte header.
fn read_message(s: &mut impl Read) -> Option<(i32, i32, Vec<u8>)> {
    let mut header = [0u8; 16];
    s.read_exact(&mut header).ok()?;
    // A TLS ClientHello on a plain port: mongod without TLS closes such connections
    // ("SSL handshake received but server is started without SSL support").
    if header[0] == 0x16 && header[1] == 3 {
        return None;
    }
    let word =
        |i: usize| i32::from_le_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    let len = usize::try_from(word(0)).ok()?;
    if !(16..=48_000_000).contains(&len) {
        return None;
    }
    let mut body = vec![0u8; len - 16];
    s.read_exact(&mut body).ok()?;
    Some((word(4), word(12), body))
}

/// OP_QUERY: flags, full collection name, skip, return, then the command document.
fn parse_query(body: &[u8]) -> Option<Document> {
    let rest = body.get(4..)?;
    let nul = rest.iter().position(|b| *b == 0)?;
    let collection = std::str::from_utf8(&rest[..nul]).ok()?;
    if !collection.ends_with(".$cmd") {
        return None;
    }
    let doc = rest.get(nul + 1 + 8..)?;
    Document::from_reader(&mut &doc[..]).ok()
}

/// OP_MSG: flag bits, then sections; kind-1 sequences are folded into the body.
fn parse_msg(body: &[u8]) -> Option<(u32, Document)> {
    let flags = u32::from_le_bytes(body.get(..4)?.try_into().ok()?);
    // checksumPresent: a CRC-32C trails the sections.
    let end = if flags & 1 == 1 {
        body.len().checked_sub(4)?
    } else {
        body.len()
    };
    let mut at = 4;
    let mut main = None;
    let mut sequences = Vec::new();
    while at < end {
        let kind = body[at];
        at += 1;
        let size =
            usize::try_from(i32::from_le_bytes(body.get(at..at + 4)?.try_into().ok()?)).ok()?;
        let section = body.get(at..at + size)?;
        match kind {
            0 => main = Some(Document::from_reader(&mut &section[..]).ok()?),
            1 => {
                let rest = &section[4..];
                let nul = rest.iter().position(|b| *b == 0)?;
                let name = std::str::from_utf8(&rest[..nul]).ok()?.to_owned();
                let mut docs = Vec::new();
                let mut d = &rest[nul + 1..];
                while !d.is_empty() {
                    let len =
                        usize::try_from(i32::from_le_bytes(d.get(..4)?.try_into().ok()?)).ok()?;
                    docs.push(Bson::Document(
                        Document::from_reader(&mut &d.get(..len)?[..]).ok()?,
                    ));
                    d = &d[len..];
                }
                sequences.push((name, docs));
            }
            _ => return None,
        }
        at += size;
    }
    let mut main = main?;
    for (name, docs) in sequences {
        main.insert(name, docs);
    }
    Some((flags, main))
}

fn header(len: usize, request_id: i32, response_to: i32, opcode: i32) -> Vec<u8> {
    let mut m = Vec::with_capacity(len);
    m.extend_from_slice(&i32::try_from(len).expect("short").to_le_bytes());
    m.extend_from_slice(&request_id.to_le_bytes());
    m.extend_from_slice(&response_to.to_le_bytes());
    m.extend_from_slice(&opcode.to_le_bytes());
    m
}

fn to_bytes(d: &Document) -> Vec<u8> {
    let mut v = Vec::new();
    d.to_writer(&mut v).expect("serialise");
    v
}

fn op_msg(request_id: i32, response_to: i32, d: &Document) -> Vec<u8> {
    let doc = to_bytes(d);
    let mut m = header(16 + 4 + 1 + doc.len(), request_id, response_to, OP_MSG);
    m.extend_from_slice(&0u32.to_le_bytes());
    m.push(0);
    m.extend_from_slice(&doc);
    m
}

fn op_reply(request_id: i32, response_to: i32, d: &Document) -> Vec<u8> {
    let doc = to_bytes(d);
    let mut m = header(16 + 20 + doc.len(), request_id, response_to, OP_REPLY);
    m.extend_from_slice(&0i32.to_le_bytes()); // responseFlags
    m.extend_from_slice(&0i64.to_le_bytes()); // cursorID
    m.extend_from_slice(&0i32.to_le_bytes()); // startingFrom
    m.extend_from_slice(&1i32.to_le_bytes()); // numberReturned
    m.extend_from_slice(&doc);
    m
}

/// A legacy OP_QUERY `isMaster` on `admin.$cmd` (what pre-3.x drivers send first), for
/// tests of the peer itself.
pub fn legacy_is_master(request_id: i32) -> Vec<u8> {
    let doc = to_bytes(&doc! { "isMaster": 1, "helloOk": true });
    let collection = b"admin.$cmd\0";
    let len = 16 + 4 + collection.len() + 8 + doc.len();
    let mut m = header(len, request_id, 0, OP_QUERY);
    m.extend_from_slice(&0i32.to_le_bytes());
    m.extend_from_slice(collection);
    m.extend_from_slice(&0i32.to_le_bytes());
    m.extend_from_slice(&(-1i32).to_le_bytes());
    m.extend_from_slice(&doc);
    m
}

/// Reads one OP_REPLY and returns its document (for tests of the peer itself).
pub fn read_op_reply(s: &mut impl Read) -> Option<(i32, Document)> {
    let (_, opcode, body) = read_message(s)?;
    if opcode != OP_REPLY {
        return None;
    }
    let doc = body.get(20..)?;
    Some((opcode, Document::from_reader(&mut &doc[..]).ok()?))
}
