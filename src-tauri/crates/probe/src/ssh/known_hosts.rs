//! Host-key verification against known-hosts files, as OpenSSH's `ssh` does it.
//!
//! Every SSH hop's host key is looked up in the user's known-hosts files and then in
//! Switchboard's own file; a key is never accepted blindly. What is implemented, after
//! OpenSSH's `hostfile.c`, `match.c` and `sshconnect.c` (checked against `ssh`,
//! `sshd` and `ssh-keygen -F` in `tests/known_hosts_parity.rs`):
//!
//! * The name looked up is the one `ssh` uses: the host lower-cased (an IP literal in its
//!   canonical form instead), and `[host]:port` for any port but 22.
//! * Line syntax: blank lines and `#` comments, leading blanks, spaces or tabs between
//!   fields, an optional `@cert-authority` or `@revoked` marker (one only), a host field
//!   that is either a comma list of patterns (`*`, `?`, `!negation`, case-insensitive,
//!   as `match_hostname`) or one hashed name `|1|salt|hmac` (HMAC-SHA1 keyed by the salt),
//!   then `type base64 [comment]`.
//! * A line `ssh` would skip is skipped here: a bad marker, a truncated line, a bad hash,
//!   an unknown key type, bad base64, a key blob that does not parse or whose type is not
//!   the one the line names (or another ECDSA curve), trailing bytes in the blob, an RSA
//!   modulus under 1024 bits.
//! * The verdict, over all files in order as one list (`check_hostkeys_by_key_or_type`):
//!   the first plain entry with the same key makes it `Known`; otherwise any plain entry
//!   for the host, whatever its key type, makes it `Changed` (the last such entry is the
//!   one reported, as `ssh`'s "Offending key in" line); otherwise `Unknown`. A matching
//!   `@revoked` entry overrides all of that. `@cert-authority` entries never make a plain
//!   key known (they vouch for certificates only): see [`cert_authorities_for`].
//! * On a port other than 22, when nothing is listed for `[host]:port`, the bare host's
//!   entries are tried as `ssh` does: the same key listed there is `Known`; another key
//!   there is no change (still `Unknown`). The key revoked there is `Revoked`: `ssh` prints
//!   its revoked-key warning and then treats the host as new; we refuse it outright.
//! * [`trust`] appends a plain (unhashed) `host type base64` line to Switchboard's own
//!   file, refusing host names `ssh` would refuse to record.
//!
//! Not implemented, on purpose:
//!
//! * `CheckHostIP`: only the host name is looked up, never the address it resolved to
//!   (OpenSSH's default has been `CheckHostIP no` since 8.5).
//! * Host certificates: a certificate's CA is not checked (the SSH library in use presents
//!   plain keys); certificate key types in a known-hosts line are skipped as unknown.
//! * `HostKeyAlias`, `KnownHostsCommand`, and hashing of what [`trust`] writes.
//! * DSA keys: skipped as an unknown type, as in OpenSSH 10, which removed them.
//! * ECDSA points are checked for their form (uncompressed, the curve's length) but not
//!   for lying on the curve; such a line is an entry here where `ssh` skips it, which can
//!   only turn an `Unknown` into a `Changed`, never into `Known`.
//! * Unlike `ssh`, a file that exists but cannot be read is an error rather than no
//!   entries: it may hold a `@revoked` line or the key that tells a change.

use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::{DecodePaddingMode, Engine};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// Base64 as OpenSSH's `b64_pton` reads it: padding optional, leftover bits must be zero.
const B64_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(false),
);

/// The port `ssh` leaves out of the known-hosts name.
const DEFAULT_PORT: u16 = 22;
/// `SSH_RSA_MINIMUM_MODULUS_SIZE`: smaller RSA keys are refused when read.
const RSA_MIN_BITS: usize = 1024;
/// `SSHBUF_MAX_BIGNUM`: the largest mpint OpenSSH reads, in bytes.
const MAX_BIGNUM: usize = 16384 / 8;
/// `sizeof(sub)` in `match_pattern_list`: a longer sub-pattern fails the whole list.
const MAX_SUBPATTERN: usize = 1023;
/// `sizeof(marker)` in `check_markers`.
const MAX_MARKER: usize = 32;
/// Characters OpenSSH refuses to record in a known-hosts host name (`check_host_key`).
const UNRECORDABLE: &[u8] = b"@?*#[]|'\"\\";

/// A server's host key as SSH puts it on the wire: the key type (`ssh-ed25519`,
/// `ecdsa-sha2-nistp256`, `ssh-rsa`: a signature algorithm such as `rsa-sha2-512` is not a
/// key type) and the public key blob (the bytes that are base64 in known_hosts).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HostKey {
    pub key_type: String,
    pub blob: Vec<u8>,
}

impl HostKey {
    /// `SHA256:<base64, no padding>`, as `ssh` and `ssh-keygen -l` print it.
    pub fn fingerprint(&self) -> String {
        // OpenSSH hashes the key re-serialized; for a well-formed blob that is the blob.
        let digest = match parse_blob(&self.blob) {
            Some(parsed) => Sha256::digest(&parsed.canonical),
            None => Sha256::digest(&self.blob),
        };
        format!(
            "SHA256:{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
        )
    }

    /// Reads an OpenSSH public-key line (`ssh-ed25519 AAAA… comment`): `None` unless the
    /// type is one OpenSSH reads and the blob is a key of that type.
    pub fn from_openssh_line(s: &str) -> Option<Self> {
        let rest = skip_blanks(s.as_bytes());
        read_key(rest)
    }

    /// `type base64`, as a known-hosts or `authorized_keys` line writes the key.
    pub fn to_openssh(&self) -> String {
        let key_type = parse_blob(&self.blob)
            .map(|p| p.key_type)
            .unwrap_or_else(|| self.key_type.clone());
        format!("{key_type} {}", STANDARD.encode(&self.blob))
    }

    /// The same public key, as OpenSSH's `sshkey_equal` compares two plain keys.
    pub fn same_key(&self, other: &HostKey) -> bool {
        match (parse_blob(&self.blob), parse_blob(&other.blob)) {
            (Some(a), Some(b)) => a.key_type == b.key_type && a.canonical == b.canonical,
            // A blob we cannot read can still be the very same bytes.
            _ => self.blob == other.blob,
        }
    }
}

/// Where an entry is: the file and its 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KnownHostsLocation {
    pub file: PathBuf,
    pub line: usize,
}

impl fmt::Display for KnownHostsLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// The marker at the start of a known-hosts line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Marker {
    /// No marker: the host's own key.
    Plain,
    /// `@cert-authority`: a CA whose host certificates are trusted for these hosts.
    CertAuthority,
    /// `@revoked`: this key must never be accepted for these hosts.
    Revoked,
}

/// One known-hosts line that applies to a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub marker: Marker,
    pub key: HostKey,
    pub at: KnownHostsLocation,
}

/// What the known-hosts files say about a host's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// This key is listed for the host (the first such entry).
    Known(KnownHostsLocation),
    /// No plain entry for the host at all.
    Unknown,
    /// The host has entries, none with this key. As in OpenSSH, an entry of another key
    /// type counts: `old` may be of another type than the key presented. `at` is the last
    /// such entry, the one `ssh` names as the offending key.
    Changed {
        old: HostKey,
        at: KnownHostsLocation,
    },
    /// This key is marked `@revoked` for the host (whatever else is listed).
    Revoked(KnownHostsLocation),
}

/// A known-hosts file that could not be read or written.
#[derive(Debug)]
pub enum KnownHostsError {
    Unreadable { path: PathBuf, reason: String },
    Write { path: PathBuf, reason: String },
}

impl fmt::Display for KnownHostsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KnownHostsError::Unreadable { path, reason } => {
                write!(
                    f,
                    "cannot read known-hosts file {}: {reason}",
                    path.display()
                )
            }
            KnownHostsError::Write { path, reason } => {
                write!(
                    f,
                    "cannot write known-hosts file {}: {reason}",
                    path.display()
                )
            }
        }
    }
}

impl std::error::Error for KnownHostsError {}

/// The name `ssh` looks up for `host` and `port`: lower-cased (an IP literal in its
/// canonical form), `[host]:port` unless the port is 22 (or 0, "the default").
pub fn known_hosts_name(host: &str, port: u16) -> String {
    let host = match host.parse::<IpAddr>() {
        // ssh canonicalises addresses rather than lower-casing them.
        Ok(ip) => ip.to_string(),
        Err(_) => host.to_ascii_lowercase(),
    };
    if port == 0 || port == DEFAULT_PORT {
        host
    } else {
        format!("[{host}]:{port}")
    }
}

/// Every entry of `files` (in order) that applies to `host` and `port`: plain keys,
/// `@cert-authority` and `@revoked` lines alike, skipping lines `ssh` would skip.
pub fn entries_for(
    files: &[PathBuf],
    host: &str,
    port: u16,
) -> Result<Vec<Entry>, KnownHostsError> {
    let name = known_hosts_name(host, port);
    let mut entries = Vec::new();
    for file in files {
        let Some(text) = read_file(file)? else {
            continue;
        };
        for (index, line) in text.split(|&b| b == b'\n').enumerate() {
            if let Some((marker, key)) = parse_line(line, name.as_bytes()) {
                entries.push(Entry {
                    marker,
                    key,
                    at: KnownHostsLocation {
                        file: file.clone(),
                        line: index + 1,
                    },
                });
            }
        }
    }
    Ok(entries)
}

/// Looks `key` up for `host` and `port` in `files`, searched in order as one list (the
/// user's files first, Switchboard's own last). A missing file has no entries.
pub fn check(
    files: &[PathBuf],
    host: &str,
    port: u16,
    key: &HostKey,
) -> Result<Verdict, KnownHostsError> {
    let found = verdict(&entries_for(files, host, port)?, key);
    if found != Verdict::Unknown || port == 0 || port == DEFAULT_PORT {
        return Ok(found);
    }
    // Nothing for `[host]:port`: ssh looks again under the bare host name, quietly, and
    // takes only a match from there (sshconnect.c: "checking without port identifier").
    Ok(
        match verdict(&entries_for(files, host, DEFAULT_PORT)?, key) {
            found @ (Verdict::Known(_) | Verdict::Revoked(_)) => found,
            Verdict::Unknown | Verdict::Changed { .. } => Verdict::Unknown,
        },
    )
}

fn verdict(entries: &[Entry], key: &HostKey) -> Verdict {
    // A revoked key is refused whatever else the files say (check_key_not_revoked).
    if let Some(revoked) = entries
        .iter()
        .find(|e| e.marker == Marker::Revoked && e.key.same_key(key))
    {
        return Verdict::Revoked(revoked.at.clone());
    }
    let mut changed = None;
    for entry in entries.iter().filter(|e| e.marker == Marker::Plain) {
        if entry.key.same_key(key) {
            return Verdict::Known(entry.at.clone());
        }
        // OpenSSH keeps the last non-matching entry as the offending one.
        changed = Some(entry);
    }
    match changed {
        Some(entry) => Verdict::Changed {
            old: entry.key.clone(),
            at: entry.at.clone(),
        },
        None => Verdict::Unknown,
    }
}

/// The `@cert-authority` entries for `host` and `port`: CAs that vouch for the host's
/// certificates. A plain key is never made known by them; a caller can say the host is
/// vouched for by a CA while certificates are not supported.
pub fn cert_authorities_for(
    files: &[PathBuf],
    host: &str,
    port: u16,
) -> Result<Vec<Entry>, KnownHostsError> {
    Ok(entries_for(files, host, port)?
        .into_iter()
        .filter(|e| e.marker == Marker::CertAuthority)
        .collect())
}

/// The key types the files know for `host` and `port`, in the order first listed, as
/// `ssh` uses them to prefer host-key algorithms it can verify (`order_hostkeyalgs`): a
/// type whose first entry is revoked is left out. For `ssh-rsa`, the algorithms to prefer
/// are `rsa-sha2-512`, `rsa-sha2-256` and `ssh-rsa`.
pub fn known_key_types(
    files: &[PathBuf],
    host: &str,
    port: u16,
) -> Result<Vec<String>, KnownHostsError> {
    let entries = entries_for(files, host, port)?;
    let mut seen: Vec<&str> = Vec::new();
    let mut types = Vec::new();
    for entry in entries.iter().filter(|e| e.marker == Marker::Plain) {
        let key_type = entry.key.key_type.as_str();
        if seen.contains(&key_type) {
            continue;
        }
        seen.push(key_type);
        let revoked = entries
            .iter()
            .any(|r| r.marker == Marker::Revoked && r.key.same_key(&entry.key));
        if !revoked {
            types.push(key_type.to_owned());
        }
    }
    Ok(types)
}

/// Appends `key` for `host` and `port` to Switchboard's own known-hosts `file` (created
/// 0600, missing parent directories created 0700; existing ones are left as they are), as
/// [`known_hosts_name`] spells it (`[host]:port` unless the port is 22), plain rather than
/// hashed so the user can read it. Nothing is written when the file already lists this
/// key for the host. Never meant for `~/.ssh/known_hosts`.
pub fn trust(file: &Path, host: &str, port: u16, key: &HostKey) -> Result<(), KnownHostsError> {
    let write_error = |reason: String| KnownHostsError::Write {
        path: file.to_path_buf(),
        reason,
    };
    if !recordable(host) {
        return Err(write_error(format!(
            "the host name {host:?} cannot be recorded in a known-hosts file"
        )));
    }
    let Some(parsed) = parse_blob(&key.blob) else {
        // A line we could not read back would leave the host unknown forever.
        return Err(write_error(format!(
            "the {} key offered is not one OpenSSH can read",
            key.key_type
        )));
    };
    let name = known_hosts_name(host, port);
    let line = format!(
        "{name} {} {}\n",
        parsed.key_type,
        STANDARD.encode(&key.blob)
    );

    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.exists() {
            create_private_dir(parent).map_err(|e| write_error(e.to_string()))?;
        }
    }
    let mut handle = open_private_append(file).map_err(|e| write_error(e.to_string()))?;
    let mut existing = Vec::new();
    handle
        .read_to_end(&mut existing)
        .map_err(|e| KnownHostsError::Unreadable {
            path: file.to_path_buf(),
            reason: e.to_string(),
        })?;
    let already = existing.split(|&b| b == b'\n').any(
        |l| matches!(parse_line(l, name.as_bytes()), Some((Marker::Plain, k)) if k.same_key(key)),
    );
    if already {
        return Ok(());
    }
    let mut out = Vec::with_capacity(line.len() + 1);
    if existing.last().is_some_and(|&b| b != b'\n') {
        // Otherwise the new entry would run on from a last line with no newline.
        out.push(b'\n');
    }
    out.extend_from_slice(line.as_bytes());
    // One write on an O_APPEND handle: a concurrent writer cannot split the line.
    handle
        .write_all(&out)
        .and_then(|()| handle.flush())
        .map_err(|e| write_error(e.to_string()))
}

/// A host name `ssh` would record, that also cannot change a line's meaning.
fn recordable(host: &str) -> bool {
    !host.is_empty()
        && !host.starts_with('!')
        && !host.bytes().any(|b| {
            UNRECORDABLE.contains(&b)
                || b == b','
                || b.is_ascii_whitespace()
                || b.is_ascii_control()
        })
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

fn open_private_append(file: &Path) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.read(true).append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(file)
}

/// The file's bytes; `None` when it (or a directory on its path) does not exist.
fn read_file(path: &Path) -> Result<Option<Vec<u8>>, KnownHostsError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(KnownHostsError::Unreadable {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }),
    }
}

// ---------------------------------------------------------------------------------------
// Lines (hostfile.c: hostkeys_foreach_file with HKF_WANT_MATCH | HKF_WANT_PARSE_KEY)
// ---------------------------------------------------------------------------------------

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn skip_blanks(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| !is_blank(b)).unwrap_or(s.len());
    &s[start..]
}

/// Splits at the first blank: the token and what follows it (blank included).
fn split_token(s: &[u8]) -> (&[u8], &[u8]) {
    let end = s.iter().position(|&b| is_blank(b)).unwrap_or(s.len());
    s.split_at(end)
}

/// The entry a line holds for `name`, or `None` (no match, comment, or a line `ssh`
/// skips as invalid).
fn parse_line(line: &[u8], name: &[u8]) -> Option<(Marker, HostKey)> {
    // OpenSSH handles lines as C strings: a NUL ends the line.
    let line = match line.iter().position(|&b| b == 0) {
        Some(nul) => &line[..nul],
        None => line,
    };
    let rest = skip_blanks(line);
    if rest.is_empty() || rest[0] == b'#' {
        return None;
    }
    let (marker, rest) = read_marker(rest)?;
    let (hosts, rest) = split_token(rest);
    if rest.is_empty() {
        return None; // truncated: a host field and nothing after it
    }
    if !hosts_match(name, hosts)? {
        return None;
    }
    let rest = skip_blanks(rest);
    if rest.is_empty() || rest[0] == b'#' {
        return None;
    }
    let key = read_key(rest)?;
    Some((marker, key))
}

/// `check_markers`, quirks included: a marker ends at the first space of the rest of the
/// line, or failing that its first tab.
fn read_marker(mut s: &[u8]) -> Option<(Marker, &[u8])> {
    let mut marker = Marker::Plain;
    while s.first() == Some(&b'@') {
        if marker != Marker::Plain {
            return None; // only one marker is allowed
        }
        let end = s
            .iter()
            .position(|&b| b == b' ')
            .or_else(|| s.iter().position(|&b| b == b'\t'))?;
        if end <= 1 || end >= MAX_MARKER {
            return None;
        }
        marker = match &s[..end] {
            b"@cert-authority" => Marker::CertAuthority,
            b"@revoked" => Marker::Revoked,
            _ => return None,
        };
        s = skip_blanks(&s[end..]);
    }
    Some((marker, s))
}

/// `match_maybe_hashed`: `Some(matched)`, or `None` for a hashed field that is malformed
/// (the line is then invalid).
fn hosts_match(name: &[u8], hosts: &[u8]) -> Option<bool> {
    if hosts.first() == Some(&b'|') {
        let expected = hash_host(name, hosts)?;
        return Some(expected.as_bytes() == hosts);
    }
    Some(match_hostname(name, hosts) == 1)
}

/// `host_hash` with the salt of `hashed` (`|1|<salt>|<hmac>`): the field `name` would
/// have, or `None` when `hashed` has no valid salt.
fn hash_host(name: &[u8], hashed: &[u8]) -> Option<String> {
    let rest = hashed.strip_prefix(b"|1|")?;
    let salt_len = rest.iter().position(|&b| b == b'|')?;
    if salt_len == 0 || salt_len > 1024 {
        return None;
    }
    let salt = decode_b64(&rest[..salt_len])?;
    if salt.len() != 20 {
        return None; // an HMAC-SHA1 key, always 20 bytes
    }
    let mut mac = Hmac::<Sha1>::new_from_slice(&salt).ok()?;
    mac.update(name);
    let digest = mac.finalize().into_bytes();
    Some(format!(
        "|1|{}|{}",
        STANDARD.encode(&salt),
        STANDARD.encode(digest)
    ))
}

/// `match_hostname`: 1 when a pattern of the comma list matches, -1 when a negated one
/// does (which wins), 0 otherwise. Case-insensitive (ASCII).
fn match_hostname(host: &[u8], patterns: &[u8]) -> i32 {
    let host = host.to_ascii_lowercase();
    let mut got_positive = false;
    let mut i = 0;
    while i < patterns.len() {
        let negated = patterns[i] == b'!';
        if negated {
            i += 1;
        }
        let end = patterns[i..]
            .iter()
            .position(|&b| b == b',')
            .map_or(patterns.len(), |p| i + p);
        let sub = patterns[i..end].to_ascii_lowercase();
        if sub.len() >= MAX_SUBPATTERN {
            return 0; // OpenSSH gives up on the whole list
        }
        i = if end < patterns.len() { end + 1 } else { end };
        if match_pattern(&host, &sub) {
            if negated {
                return -1;
            }
            got_positive = true;
        }
    }
    i32::from(got_positive)
}

/// `match_pattern`: `*` any run of bytes, `?` any one byte, everything else itself.
fn match_pattern(s: &[u8], p: &[u8]) -> bool {
    let (mut si, mut pi) = (0, 0);
    // Where the last `*` was, and the input position it is retried from.
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, si));
            pi += 1;
        } else if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            si += 1;
            pi += 1;
        } else if let Some((star_pi, star_si)) = star {
            pi = star_pi + 1;
            si = star_si + 1;
            star = Some((star_pi, star_si + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

// ---------------------------------------------------------------------------------------
// Keys (sshkey.c: sshkey_read, sshkey_from_blob and each type's deserialize_public)
// ---------------------------------------------------------------------------------------

/// `sshkey_read`: `type base64 [comment]` into a key, or `None` when `ssh` would not
/// read it.
fn read_key(s: &[u8]) -> Option<HostKey> {
    let (type_name, rest) = split_token(s);
    if rest.is_empty() {
        return None; // a type and nothing after it
    }
    let rest = skip_blanks(rest);
    let (encoded, _comment) = split_token(rest);
    if encoded.is_empty() {
        return None;
    }
    let blob = decode_b64(encoded)?;
    let parsed = parse_blob(&blob)?;
    if parsed.key_type.as_bytes() != type_name {
        return None; // SSH_ERR_KEY_TYPE_MISMATCH (or another curve)
    }
    Some(HostKey {
        key_type: parsed.key_type,
        blob,
    })
}

/// `b64_pton`: white space inside is skipped (a CRLF line leaves a `\r` here).
fn decode_b64(s: &[u8]) -> Option<Vec<u8>> {
    let compact: Vec<u8> = s
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace() && *b != 0x0b)
        .collect();
    B64_LENIENT.decode(compact).ok()
}

struct ParsedKey {
    key_type: String,
    /// The blob as OpenSSH writes the key back (what fingerprints and equality use).
    canonical: Vec<u8>,
}

/// Reads a public key blob of a type OpenSSH knows; `None` when it would refuse it.
fn parse_blob(blob: &[u8]) -> Option<ParsedKey> {
    let mut r = Reader(blob);
    let key_type = r.cstring()?;
    let mut out = Writer::default();
    out.string(key_type.as_bytes());
    match key_type.as_str() {
        "ssh-ed25519" => ed25519(&mut r, &mut out)?,
        "sk-ssh-ed25519@openssh.com" => {
            ed25519(&mut r, &mut out)?;
            out.string(r.cstring()?.as_bytes());
        }
        "ecdsa-sha2-nistp256" => ecdsa(&mut r, &mut out, "nistp256", 32)?,
        "ecdsa-sha2-nistp384" => ecdsa(&mut r, &mut out, "nistp384", 48)?,
        "ecdsa-sha2-nistp521" => ecdsa(&mut r, &mut out, "nistp521", 66)?,
        "sk-ecdsa-sha2-nistp256@openssh.com" => {
            ecdsa(&mut r, &mut out, "nistp256", 32)?;
            out.string(r.cstring()?.as_bytes());
        }
        "ssh-rsa" => {
            let e = r.mpint()?;
            let n = r.mpint()?;
            if bit_length(n) < RSA_MIN_BITS {
                return None;
            }
            out.mpint(e);
            out.mpint(n);
        }
        _ => return None,
    }
    if !r.0.is_empty() {
        return None; // trailing bytes after the key
    }
    Some(ParsedKey {
        key_type,
        canonical: out.0,
    })
}

fn ed25519(r: &mut Reader<'_>, out: &mut Writer) -> Option<()> {
    let public = r.string()?;
    if public.len() != 32 {
        return None;
    }
    out.string(public);
    Some(())
}

fn ecdsa(r: &mut Reader<'_>, out: &mut Writer, curve: &str, field_bytes: usize) -> Option<()> {
    if r.cstring()? != curve {
        return None; // SSH_ERR_EC_CURVE_MISMATCH
    }
    let point = r.string()?;
    // Uncompressed only (0x04 || X || Y), as sshbuf_get_eckey reads it.
    if point.len() != 1 + 2 * field_bytes || point[0] != 0x04 {
        return None;
    }
    out.string(curve.as_bytes());
    out.string(point);
    Some(())
}

/// Bits in a big-endian unsigned integer without leading zero bytes.
fn bit_length(n: &[u8]) -> usize {
    match n.first() {
        Some(&top) => (n.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
        None => 0,
    }
}

/// SSH wire-format reader (RFC 4251 strings and mpints).
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn string(&mut self) -> Option<&'a [u8]> {
        let (len, rest) = self.0.split_first_chunk::<4>()?;
        let len = usize::try_from(u32::from_be_bytes(*len)).ok()?;
        if rest.len() < len {
            return None;
        }
        let (value, rest) = rest.split_at(len);
        self.0 = rest;
        Some(value)
    }

    /// A string with no NUL inside, as `sshbuf_get_cstring` insists.
    fn cstring(&mut self) -> Option<String> {
        let value = self.string()?;
        if value.contains(&0) {
            return None;
        }
        String::from_utf8(value.to_vec()).ok()
    }

    /// `sshbuf_get_bignum2_bytes_direct`: non-negative, not over-long; leading zero
    /// bytes dropped.
    fn mpint(&mut self) -> Option<&'a [u8]> {
        let value = self.string()?;
        if value.first().is_some_and(|&b| b & 0x80 != 0) {
            return None; // negative
        }
        if value.len() > MAX_BIGNUM + 1 || (value.len() == MAX_BIGNUM + 1 && value[0] != 0) {
            return None;
        }
        let start = value.iter().position(|&b| b != 0).unwrap_or(value.len());
        Some(&value[start..])
    }
}

#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn string(&mut self, value: &[u8]) {
        // Key parts are far below 4 GiB: they came out of a length-prefixed blob.
        let len = u32::try_from(value.len()).unwrap_or(u32::MAX);
        self.0.extend_from_slice(&len.to_be_bytes());
        self.0.extend_from_slice(value);
    }

    /// An unsigned integer given without leading zeros, as OpenSSH writes it back.
    fn mpint(&mut self, magnitude: &[u8]) {
        if magnitude.first().is_some_and(|&b| b & 0x80 != 0) {
            let mut padded = Vec::with_capacity(magnitude.len() + 1);
            padded.push(0);
            padded.extend_from_slice(magnitude);
            self.string(&padded);
        } else {
            self.string(magnitude);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_follow_match_pattern() {
        assert!(match_pattern(b"db.example.com", b"*.example.com"));
        assert!(!match_pattern(b"example.com", b"*.example.com"));
        assert!(match_pattern(b"db1", b"db?"));
        assert!(!match_pattern(b"db12", b"db?"));
        assert!(match_pattern(b"", b"*"));
        assert!(match_pattern(b"abcabd", b"*ab?"));
        assert!(!match_pattern(b"a", b""));
        assert!(match_pattern(b"", b""));
    }

    #[test]
    fn negation_wins_and_case_is_ignored() {
        assert_eq!(
            match_hostname(b"Bad.Example.com", b"*.EXAMPLE.com,!bad.*"),
            -1
        );
        assert_eq!(
            match_hostname(b"good.example.com", b"*.example.com,!bad.*"),
            1
        );
        assert_eq!(match_hostname(b"other", b"!bad"), 0);
        assert_eq!(match_hostname(b"b", b"a,,b"), 1);
    }

    #[test]
    fn names_carry_the_port_unless_22() {
        assert_eq!(known_hosts_name("DB.Example.com", 22), "db.example.com");
        assert_eq!(known_hosts_name("db", 2222), "[db]:2222");
        assert_eq!(known_hosts_name("0:0::1", 2222), "[::1]:2222");
        assert_eq!(known_hosts_name("db", 0), "db");
    }

    #[test]
    fn markers_as_check_markers_reads_them() {
        assert_eq!(
            read_marker(b"@revoked h k").map(|m| m.0),
            Some(Marker::Revoked)
        );
        assert!(read_marker(b"@revoked @revoked h k").is_none());
        assert!(read_marker(b"@bogus h k").is_none());
        assert!(read_marker(b"@").is_none());
    }

    #[test]
    fn short_rsa_and_trailing_bytes_are_refused() {
        let mut w = Writer::default();
        w.string(b"ssh-rsa");
        w.mpint(&[1, 0, 1]);
        w.mpint(&[0xc0; 96]); // 768 bits
        assert!(parse_blob(&w.0).is_none());
        let mut w = Writer::default();
        w.string(b"ssh-ed25519");
        w.string(&[7; 32]);
        assert!(parse_blob(&w.0).is_some());
        w.0.push(0);
        assert!(parse_blob(&w.0).is_none());
    }
}
