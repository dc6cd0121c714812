//! The few MongoDB wire messages Switchboard speaks itself, on its inspection connection:
//! `hello` (or `isMaster`) as an OP_MSG, and the reply as OP_MSG or OP_REPLY; anything
//! else on the port is told apart from MongoDB here (`NotMongo`).

use ::mongodb::bson::{doc, Bson, Document};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::tls;

const OP_REPLY: i32 = 1;
const OP_MSG: i32 = 2013;
/// Larger than any hello answer; anything claiming more is another protocol's bytes.
const MAX_REPLY: usize = 16 * 1024 * 1024;

/// What the server said to `hello` on the inspection connection.
#[derive(Debug, Clone, Default)]
pub(super) struct Hello {
    pub(super) max_wire_version: Option<i64>,
    pub(super) set_name: Option<String>,
    pub(super) writable_primary: bool,
    pub(super) secondary: bool,
    pub(super) mongos: bool,
    /// Set when the server answered but refused the command (ok: 0).
    pub(super) refused: Option<String>,
}

impl Hello {
    pub(super) fn from_doc(d: &Document) -> Self {
        let truthy = |k: &str| matches!(d.get(k), Some(Bson::Boolean(true)));
        Hello {
            max_wire_version: d.get("maxWireVersion").and_then(int_of),
            set_name: d.get_str("setName").ok().map(str::to_owned),
            writable_primary: truthy("isWritablePrimary") || truthy("ismaster"),
            secondary: truthy("secondary"),
            mongos: d.get_str("msg").ok() == Some("isdbgrid"),
            refused: (!is_ok(d)).then(|| {
                d.get_str("errmsg")
                    .map(str::to_owned)
                    .unwrap_or_else(|_| "ok: 0".into())
            }),
        }
    }

    pub(super) fn describe(&self) -> String {
        if let Some(r) = &self.refused {
            return format!("MongoDB, hello refused: {r}");
        }
        let role = if self.mongos {
            "mongos (sharded cluster router)".to_owned()
        } else {
            let role = if self.writable_primary {
                "writable primary"
            } else if self.secondary {
                "secondary"
            } else {
                "not writable"
            };
            match &self.set_name {
                Some(s) => format!("replica set {s}, {role}"),
                None if self.writable_primary => "standalone".to_owned(),
                None => role.to_owned(),
            }
        };
        match self.max_wire_version {
            Some(w) => format!("MongoDB wire version {w}, {role}"),
            None => format!("MongoDB, {role}"),
        }
    }
}

pub(super) fn int_of(b: &Bson) -> Option<i64> {
    match b {
        Bson::Int32(i) => Some(i64::from(*i)),
        Bson::Int64(i) => Some(*i),
        Bson::Double(f) if f.fract() == 0.0 => Some(*f as i64),
        _ => None,
    }
}

fn is_ok(d: &Document) -> bool {
    match d.get("ok") {
        Some(Bson::Boolean(b)) => *b,
        Some(other) => int_of(other) == Some(1),
        None => false,
    }
}

/// Why the inspection's `hello` found no MongoDB.
pub(super) enum NotMongo {
    /// The peer closed the connection without a byte.
    Closed,
    /// The peer answered with a TLS record: it wants TLS.
    SpeaksTls,
    /// TLS ended with an alert after the handshake (TLS 1.3 servers refuse a missing
    /// client certificate so, on the first read).
    Tls(rustls::Error),
    /// Anything else.
    Other(String),
}

/// One OP_MSG carrying `body` (a single kind-0 section).
fn op_msg(request_id: i32, body: &Document) -> Vec<u8> {
    let mut doc = Vec::new();
    // A document of a few fields always serialises.
    let _ = body.to_writer(&mut doc);
    let len = 16 + 4 + 1 + doc.len();
    let mut m = Vec::with_capacity(len);
    m.extend_from_slice(&(len as i32).to_le_bytes());
    m.extend_from_slice(&request_id.to_le_bytes());
    m.extend_from_slice(&0i32.to_le_bytes());
    m.extend_from_slice(&OP_MSG.to_le_bytes());
    m.extend_from_slice(&0u32.to_le_bytes());
    m.push(0);
    m.extend_from_slice(&doc);
    m
}

/// The reply to `request_id`: its body document (OP_MSG section 0, or OP_REPLY's first).
async fn read_reply<S: AsyncRead + Unpin>(
    stream: &mut S,
    request_id: i32,
) -> Result<Document, NotMongo> {
    let mut header = [0u8; 16];
    let mut got = 0;
    while got < header.len() {
        match stream.read(&mut header[got..]).await {
            Err(e) if got == 0 => {
                return Err(tls::rustls_error(&e).map_or(NotMongo::Closed, NotMongo::Tls));
            }
            Ok(0) if got == 0 => return Err(NotMongo::Closed),
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    // A TLS record (alert 0x15 or handshake 0x16, version 3.x): the server wants TLS.
    if got >= 3 && matches!(header[0], 0x15 | 0x16) && header[1] == 3 {
        return Err(NotMongo::SpeaksTls);
    }
    if got < header.len() {
        return Err(NotMongo::Other(
            "the answer is shorter than a message header".into(),
        ));
    }
    let word =
        |i: usize| i32::from_le_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    let (len, response_to, opcode) = (word(0), word(8), word(12));
    let len = usize::try_from(len).unwrap_or(0);
    if !(16 + 5..=MAX_REPLY).contains(&len) {
        return Err(NotMongo::Other(format!(
            "the answer's first bytes ({}) are not a MongoDB message header",
            printable(&header)
        )));
    }
    if response_to != request_id || !matches!(opcode, OP_MSG | OP_REPLY) {
        return Err(NotMongo::Other(format!(
            "the answer is not a reply to hello (opcode {opcode}, responseTo {response_to})"
        )));
    }
    let mut body = vec![0u8; len - 16];
    stream
        .read_exact(&mut body)
        .await
        .map_err(|e| NotMongo::Other(format!("the answer was cut short ({e})")))?;
    let doc_bytes = if opcode == OP_MSG {
        // flagBits, then sections; hello's answer is one kind-0 section.
        match body.get(4) {
            Some(0) => &body[5..],
            _ => {
                return Err(NotMongo::Other(
                    "the OP_MSG reply has no body section".into(),
                ))
            }
        }
    } else {
        // responseFlags, cursorID, startingFrom, numberReturned, then the documents.
        body.get(20..)
            .ok_or_else(|| NotMongo::Other("the OP_REPLY is too short".into()))?
    };
    Document::from_reader(&mut &doc_bytes[..])
        .map_err(|e| NotMongo::Other(format!("the reply's document is not BSON ({e})")))
}

fn printable(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| match *b {
            0x20..=0x7E => char::from(*b).to_string(),
            _ => format!("\\x{b:02X}"),
        })
        .collect()
}

/// `hello` (falling back to `isMaster` on servers older than 4.4.2) on the inspection
/// connection.
pub(super) async fn hello<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
) -> Result<Hello, NotMongo> {
    let mut answer = Hello::default();
    for (id, command) in [(1, "hello"), (2, "isMaster")] {
        let msg = op_msg(id, &doc! { command: 1, "$db": "admin" });
        if stream.write_all(&msg).await.is_err() || stream.flush().await.is_err() {
            return Err(NotMongo::Closed);
        }
        let reply = read_reply(stream, id).await?;
        answer = Hello::from_doc(&reply);
        // 59: CommandNotFound (hello is 4.4.2+).
        if answer.refused.is_none() || reply.get("code").and_then(int_of) != Some(59) {
            break;
        }
    }
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hello_message_is_a_well_formed_op_msg() {
        let m = op_msg(7, &doc! { "hello": 1, "$db": "admin" });
        let word = |i: usize| i32::from_le_bytes([m[i], m[i + 1], m[i + 2], m[i + 3]]);
        assert_eq!(word(0) as usize, m.len());
        assert_eq!(word(4), 7);
        assert_eq!(word(12), OP_MSG);
        assert_eq!(m[20], 0, "one kind-0 section");
        let d = Document::from_reader(&mut &m[21..]).unwrap();
        assert_eq!(d.get_i32("hello").unwrap(), 1);
        assert_eq!(d.get_str("$db").unwrap(), "admin");
    }

    #[tokio::test]
    async fn replies_are_read_and_other_protocols_are_not_mongodb() {
        let mut reply = op_msg(
            0,
            &doc! { "ok": 1.0, "maxWireVersion": 17, "setName": "rs0", "isWritablePrimary": true },
        );
        reply[8..12].copy_from_slice(&1i32.to_le_bytes());
        let d = read_reply(&mut &reply[..], 1).await.ok().unwrap();
        let h = Hello::from_doc(&d);
        assert_eq!(h.max_wire_version, Some(17));
        assert_eq!(
            h.describe(),
            "MongoDB wire version 17, replica set rs0, writable primary"
        );
        assert!(matches!(
            read_reply(&mut &b"HTTP/1.1 400 Bad Request\r\n\r\n"[..], 1).await,
            Err(NotMongo::Other(_))
        ));
        assert!(matches!(
            read_reply(&mut &[0x15u8, 3, 3, 0, 2, 2, 50][..], 1).await,
            Err(NotMongo::SpeaksTls)
        ));
        assert!(matches!(
            read_reply(&mut &b""[..], 1).await,
            Err(NotMongo::Closed)
        ));
    }
}
