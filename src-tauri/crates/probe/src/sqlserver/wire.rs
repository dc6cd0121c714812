//! The TDS that Switchboard speaks itself, on its inspection connection: the PRELOGIN
//! request and reply (which encryption the server offers or insists on, its version), and
//! `PreloginFramed`, which carries the TLS handshake inside PRELOGIN packets as TDS 7.x
//! does.

use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};

use crate::net::Stream;

/// TDS packet types.
const PKT_PRELOGIN: u8 = 0x12;
const PKT_REPLY: u8 = 0x04;
/// PRELOGIN option tokens.
const PL_VERSION: u8 = 0x00;
const PL_ENCRYPTION: u8 = 0x01;
const PL_THREADID: u8 = 0x03;
const PL_MARS: u8 = 0x04;
const PL_TERMINATOR: u8 = 0xFF;
/// PRELOGIN encryption values.
pub(super) const ENCRYPT_OFF: u8 = 0;
pub(super) const ENCRYPT_ON: u8 = 1;
pub(super) const ENCRYPT_NOT_SUP: u8 = 2;
pub(super) const ENCRYPT_REQ: u8 = 3;
/// The largest packet payload sent during PRELOGIN (packet size 4096).
const MAX_PAYLOAD: usize = 4096 - 8;

/// The server's PRELOGIN answer.
pub(super) struct Prelogin {
    pub(super) encryption: u8,
    pub(super) version: Option<String>,
}

pub(super) fn prelogin_request(encryption: u8) -> Vec<u8> {
    let options: [(u8, &[u8]); 4] = [
        (PL_VERSION, &[0, 1, 0, 0, 0, 0]),
        (PL_ENCRYPTION, &[encryption]),
        (PL_THREADID, &[0, 0, 0, 0]),
        (PL_MARS, &[0]),
    ];
    let mut table = Vec::new();
    let mut data = Vec::new();
    let mut offset = options.len() * 5 + 1;
    for (token, value) in options {
        table.push(token);
        table.extend_from_slice(&(offset as u16).to_be_bytes());
        table.extend_from_slice(&(value.len() as u16).to_be_bytes());
        data.extend_from_slice(value);
        offset += value.len();
    }
    table.push(PL_TERMINATOR);
    table.extend_from_slice(&data);
    packet(PKT_PRELOGIN, true, &table)
}

fn packet(kind: u8, last: bool, payload: &[u8]) -> Vec<u8> {
    let len = (payload.len() + 8) as u16;
    let mut p = vec![kind, u8::from(last)];
    p.extend_from_slice(&len.to_be_bytes());
    p.extend_from_slice(&[0, 0, 1, 0]);
    p.extend_from_slice(payload);
    p
}

/// Reads the PRELOGIN reply: a tabular-result packet holding the option table.
pub(super) async fn read_prelogin(stream: &mut Stream) -> Option<Prelogin> {
    let mut header = [0u8; 8];
    stream.read_exact(&mut header).await.ok()?;
    let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
    // The reply is a few dozen bytes, in one packet.
    if header[0] != PKT_REPLY || header[1] & 0x01 == 0 || !(8 + 6..=4096).contains(&len) {
        return None;
    }
    let mut body = vec![0u8; len - 8];
    stream.read_exact(&mut body).await.ok()?;
    let mut encryption = None;
    let mut version = None;
    let mut at = 0;
    loop {
        let token = *body.get(at)?;
        if token == PL_TERMINATOR {
            break;
        }
        let field = body.get(at + 1..at + 5)?;
        let offset = usize::from(u16::from_be_bytes([field[0], field[1]]));
        let length = usize::from(u16::from_be_bytes([field[2], field[3]]));
        let value = body.get(offset..offset + length)?;
        match token {
            PL_ENCRYPTION if length == 1 => encryption = Some(value[0]),
            PL_VERSION if length >= 4 => {
                version = Some(format!(
                    "{}.{}.{}",
                    value[0],
                    value[1],
                    u16::from_be_bytes([value[2], value[3]])
                ));
            }
            // Tokens are 0x00..=0x08 today; anything far past that is not TDS.
            t if t > 0x20 => return None,
            _ => {}
        }
        at += 5;
    }
    // ENCRYPT_CLIENT_CERT (0x80) may be or-ed in; the level is the low bits.
    let encryption = encryption? & 0x7F;
    (encryption <= ENCRYPT_REQ).then_some(Prelogin {
        encryption,
        version,
    })
}

pub(super) fn encryption_name(e: u8) -> &'static str {
    match e {
        ENCRYPT_OFF => "ENCRYPT_OFF (login only)",
        ENCRYPT_ON => "ENCRYPT_ON",
        ENCRYPT_NOT_SUP => "ENCRYPT_NOT_SUP",
        _ => "ENCRYPT_REQ",
    }
}

/// The TLS handshake of TDS 7.x travels inside PRELOGIN packets: this wraps what rustls
/// writes into them (one packet, or several of 4096 bytes, per flush) and unwraps what the
/// server sends. It is only used for the inspection's handshake.
pub(super) struct PreloginFramed {
    inner: Stream,
    /// What rustls wrote since the last flush.
    unsent: Vec<u8>,
    /// Framed bytes being written, and how far.
    out: Vec<u8>,
    out_pos: usize,
    header: [u8; 8],
    header_pos: usize,
    /// Payload bytes of the current packet not yet read.
    remaining: usize,
}

impl PreloginFramed {
    pub(super) fn new(inner: Stream) -> Self {
        PreloginFramed {
            inner,
            unsent: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
            header: [0; 8],
            header_pos: 0,
            remaining: 0,
        }
    }
}

impl AsyncRead for PreloginFramed {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        while this.remaining == 0 {
            while this.header_pos < 8 {
                let mut rb = ReadBuf::new(&mut this.header[this.header_pos..]);
                ready!(Pin::new(&mut this.inner).poll_read(cx, &mut rb))?;
                let n = rb.filled().len();
                if n == 0 {
                    return Poll::Ready(Ok(()));
                }
                this.header_pos += n;
            }
            this.header_pos = 0;
            let len = usize::from(u16::from_be_bytes([this.header[2], this.header[3]]));
            if !matches!(this.header[0], PKT_PRELOGIN | PKT_REPLY) || len < 8 {
                return Poll::Ready(Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "the server sent something other than a TDS PRELOGIN packet during the TLS handshake",
                )));
            }
            this.remaining = len - 8;
        }
        let want = this.remaining.min(buf.remaining());
        let mut rb = ReadBuf::new(buf.initialize_unfilled_to(want));
        ready!(Pin::new(&mut this.inner).poll_read(cx, &mut rb))?;
        let n = rb.filled().len();
        buf.advance(n);
        this.remaining -= n;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for PreloginFramed {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.get_mut().unsent.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        if this.out.is_empty() && !this.unsent.is_empty() {
            let chunks: Vec<&[u8]> = this.unsent.chunks(MAX_PAYLOAD).collect();
            let last = chunks.len() - 1;
            for (i, chunk) in chunks.into_iter().enumerate() {
                this.out.extend(packet(PKT_PRELOGIN, i == last, chunk));
            }
            this.unsent.clear();
        }
        while this.out_pos < this.out.len() {
            let n = ready!(Pin::new(&mut this.inner).poll_write(cx, &this.out[this.out_pos..]))?;
            if n == 0 {
                return Poll::Ready(Err(std::io::ErrorKind::WriteZero.into()));
            }
            this.out_pos += n;
        }
        this.out.clear();
        this.out_pos = 0;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prelogin_request_is_a_well_formed_option_table() {
        let p = prelogin_request(ENCRYPT_ON);
        assert_eq!(p[0], PKT_PRELOGIN);
        assert_eq!(usize::from(u16::from_be_bytes([p[2], p[3]])), p.len());
        let body = &p[8..];
        // VERSION, ENCRYPTION, THREADID, MARS, then the terminator.
        assert_eq!(body[0], PL_VERSION);
        assert_eq!(body[5], PL_ENCRYPTION);
        let offset = usize::from(u16::from_be_bytes([body[6], body[7]]));
        assert_eq!(body[offset], ENCRYPT_ON);
        assert_eq!(body[20], PL_TERMINATOR);
    }
}
