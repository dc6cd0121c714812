//! Known-hosts checking against the real OpenSSH tools.
//!
//! Every key is made by `ssh-keygen` at test time in a temporary directory. Three tables:
//!
//! * lookups: which lines of a known-hosts file apply to a host and port (with their
//!   marker and key fingerprint) must be what `ssh-keygen -F name -l -f file` lists, for
//!   plain and hashed (`ssh-keygen -H`) files, `[host]:port`, comma lists, wildcards,
//!   negations, markers, comments and lines `ssh` skips;
//! * fingerprints: `HostKey::fingerprint` must print what `ssh-keygen -lf key -E sha256`
//!   prints;
//! * verdicts: `check` must decide what `ssh` itself decides (known, where; unknown;
//!   changed, naming the same offending line; revoked) when it connects to a real `sshd`
//!   presenting the key, with one or two known-hosts files.
//!
//! Each row also states what it expects, so a row proves its name even where both sides
//! would agree on nothing. Then `trust`: what it writes, with which permissions, and that
//! `ssh` accepts the key afterwards.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use switchboard_core::probe::ssh::known_hosts::{
    cert_authorities_for, check, entries_for, known_hosts_name, known_key_types, trust, HostKey,
    KnownHostsError, KnownHostsLocation, Marker, Verdict,
};

use Marker::{CertAuthority as Ca, Plain, Revoked};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

// ---------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------

/// A public key: its `.pub` file (for `ssh-keygen -lf`) and what we read from it.
struct Key {
    name: &'static str,
    pub_file: PathBuf,
    private: Option<PathBuf>,
    key: HostKey,
}

struct Keys {
    _dir: tempfile::TempDir,
    keys: Vec<Key>,
}

impl Keys {
    /// ed/ed2: ed25519; ec/ec2: ECDSA P-256; ec384, ec521; rsa (2048), rsa1024; and two
    /// made by hand: rsa768 (too short for OpenSSH) and rsapad (rsa1024 with its exponent
    /// written with a superfluous leading zero).
    fn generate() -> Keys {
        let dir = tempfile::tempdir().expect("temp dir");
        let specs: [(&str, &str, &str); 8] = [
            ("ed", "ed25519", ""),
            ("ed2", "ed25519", ""),
            ("ec", "ecdsa", "256"),
            ("ec2", "ecdsa", "256"),
            ("ec384", "ecdsa", "384"),
            ("ec521", "ecdsa", "521"),
            ("rsa", "rsa", "2048"),
            ("rsa1024", "rsa", "1024"),
        ];
        let mut keys = Vec::new();
        for (name, kind, bits) in specs {
            let private = dir.path().join(name);
            let mut cmd = Command::new("ssh-keygen");
            cmd.args([
                "-q",
                "-t",
                kind,
                "-N",
                "",
                "-C",
                &format!("{name}@test"),
                "-f",
            ])
            .arg(&private);
            if !bits.is_empty() {
                cmd.args(["-b", bits]);
            }
            run_ok(&mut cmd, "ssh-keygen");
            let pub_file = dir.path().join(format!("{name}.pub"));
            let line = std::fs::read_to_string(&pub_file).expect("public key file");
            let key = HostKey::from_openssh_line(&line)
                .unwrap_or_else(|| panic!("{name}: ssh-keygen's key line is not read: {line}"));
            keys.push(Key {
                name,
                pub_file,
                private: Some(private),
                key,
            });
        }
        let rsa1024 = keys
            .iter()
            .find(|k| k.name == "rsa1024")
            .map(|k| k.key.blob.clone())
            .expect("rsa1024");
        let (e, n) = rsa_parts(&rsa1024);
        let short_n: Vec<u8> = std::iter::once(0u8)
            .chain(n[1..].iter().copied().take(96))
            .collect();
        let crafted = [
            ("rsa768", rsa_blob(&e, &short_n)),
            ("rsapad", rsa_blob(&[&[0u8][..], &e].concat(), &n)),
        ];
        for (name, blob) in crafted {
            let pub_file = dir.path().join(format!("{name}.pub"));
            std::fs::write(
                &pub_file,
                format!("ssh-rsa {} {name}@test\n", B64.encode(&blob)),
            )
            .expect("crafted key");
            keys.push(Key {
                name,
                pub_file,
                private: None,
                key: HostKey {
                    key_type: "ssh-rsa".into(),
                    blob,
                },
            });
        }
        Keys { _dir: dir, keys }
    }

    fn get(&self, name: &str) -> &Key {
        self.keys
            .iter()
            .find(|k| k.name == name)
            .unwrap_or_else(|| panic!("no key {name}"))
    }

    /// Replaces `{k}` with `type base64`, `{k.type}` and `{k.b64}` with either part.
    fn fill(&self, template: &str) -> String {
        let mut out = template.to_owned();
        for k in &self.keys {
            let b64 = B64.encode(&k.key.blob);
            out = out
                .replace(&format!("{{{}.type}}", k.name), &k.key.key_type)
                .replace(&format!("{{{}.b64}}", k.name), &b64)
                .replace(
                    &format!("{{{}}}", k.name),
                    &format!("{} {b64}", k.key.key_type),
                );
        }
        assert!(!out.contains("{"), "unfilled placeholder in {out:?}");
        out
    }
}

fn ssh_string(out: &mut Vec<u8>, value: &[u8]) {
    out.extend_from_slice(&u32::try_from(value.len()).expect("short").to_be_bytes());
    out.extend_from_slice(value);
}

fn read_string<'a>(blob: &mut &'a [u8]) -> &'a [u8] {
    let len = u32::from_be_bytes(blob[..4].try_into().expect("4 bytes")) as usize;
    let value = &blob[4..4 + len];
    *blob = &blob[4 + len..];
    value
}

fn rsa_parts(blob: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut rest = blob;
    assert_eq!(read_string(&mut rest), b"ssh-rsa");
    let e = read_string(&mut rest).to_vec();
    let n = read_string(&mut rest).to_vec();
    (e, n)
}

fn rsa_blob(e: &[u8], n: &[u8]) -> Vec<u8> {
    let mut blob = Vec::new();
    ssh_string(&mut blob, b"ssh-rsa");
    ssh_string(&mut blob, e);
    ssh_string(&mut blob, n);
    blob
}

fn run_ok(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Fails the test with every failing row named, after running them all.
fn report(table: &str, rows: usize, failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{table}: {} of {rows} rows differ:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

// ---------------------------------------------------------------------------------------
// Lookups: entries_for against `ssh-keygen -F name -l -f file`
// ---------------------------------------------------------------------------------------

struct Lookup {
    name: &'static str,
    file: &'static str,
    /// Run `ssh-keygen -H` on the file first (lines below are those of the hashed file).
    hashed: bool,
    host: &'static str,
    port: u16,
    lines: &'static [(usize, Marker)],
}

const LOOKUPS: &[Lookup] = &[
    Lookup {
        name: "a plain name on port 22 matches its own line only",
        file: "db.example.com {ed}\nother.example.com {ec}\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[(1, Plain)],
    },
    Lookup {
        name: "names in the file match whatever their case",
        file: "DB.Example.COM {ed}\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[(1, Plain)],
    },
    Lookup {
        name: "the host looked up is lower-cased as ssh does",
        file: "db.example.com {ed}\n",
        hashed: false,
        host: "DB.EXAMPLE.COM",
        port: 22,
        lines: &[(1, Plain)],
    },
    Lookup {
        name: "another port needs a [host]:port entry",
        file: "db.example.com {ed}\n[db.example.com]:2222 {ec}\n",
        hashed: false,
        host: "db.example.com",
        port: 2222,
        lines: &[(2, Plain)],
    },
    Lookup {
        name: "a [host]:port entry does not apply on port 22",
        file: "db.example.com {ed}\n[db.example.com]:2222 {ec}\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[(1, Plain)],
    },
    Lookup {
        name: "[host]:22 is not the name ssh looks up for port 22",
        file: "[db.example.com]:22 {ed}\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[],
    },
    Lookup {
        name: "a comma list matches any of its names",
        file: "a.example.com,db.example.com,10.0.0.5 {ed}\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[(1, Plain)],
    },
    Lookup {
        name: "an address in a comma list matches as a name",
        file: "a.example.com,db.example.com,10.0.0.5 {ed}\n",
        hashed: false,
        host: "10.0.0.5",
        port: 22,
        lines: &[(1, Plain)],
    },
    Lookup {
        name: "an empty name in a comma list is no wildcard",
        file: "a.example.com,,b.example.com {ed}\n",
        hashed: false,
        host: "b.example.com",
        port: 22,
        lines: &[(1, Plain)],
    },
    Lookup {
        name: "* matches any run of characters",
        file: "*.example.com {ed}\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[(1, Plain)],
    },
    Lookup {
        name: "*.example.com does not match example.com itself",
        file: "*.example.com {ed}\n",
        hashed: false,
        host: "example.com",
        port: 22,
        lines: &[],
    },
    Lookup {
        name: "a lone * matches every host",
        file: "* {ed}\n",
        hashed: false,
        host: "anything.example.org",
        port: 22,
        lines: &[(1, Plain)],
    },
    Lookup {
        name: "wildcard patterns match whatever their case",
        file: "*.EXAMPLE.COM {ed}\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[(1, Plain)],
    },
    Lookup {
        name: "? matches exactly one character",
        file: "db?.example.com {ed}\n",
        hashed: false,
        host: "db1.example.com",
        port: 22,
        lines: &[(1, Plain)],
    },
    Lookup {
        name: "? does not match two characters",
        file: "db?.example.com {ed}\n",
        hashed: false,
        host: "db12.example.com",
        port: 22,
        lines: &[],
    },
    Lookup {
        name: "a negated name excludes a host the wildcard would take",
        file: "*.example.com,!bad.example.com {ed}\n",
        hashed: false,
        host: "bad.example.com",
        port: 22,
        lines: &[],
    },
    Lookup {
        name: "a negated name leaves the other hosts of the wildcard",
        file: "*.example.com,!bad.example.com {ed}\n",
        hashed: false,
        host: "good.example.com",
        port: 22,
        lines: &[(1, Plain)],
    },
    Lookup {
        name: "a negation wins wherever it stands in the list",
        file: "!bad.example.com,*.example.com {ed}\n",
        hashed: false,
        host: "bad.example.com",
        port: 22,
        lines: &[],
    },
    Lookup {
        name: "a negation alone matches no host",
        file: "!bad.example.com {ed}\n",
        hashed: false,
        host: "good.example.com",
        port: 22,
        lines: &[],
    },
    Lookup {
        name: "wildcards work inside [host]:port",
        file: "[*.example.com]:2222 {ed}\n",
        hashed: false,
        host: "db.example.com",
        port: 2222,
        lines: &[(1, Plain)],
    },
    Lookup {
        name: "a wildcard port matches any other port",
        file: "[db.example.com]:* {ed}\n",
        hashed: false,
        host: "db.example.com",
        port: 2222,
        lines: &[(1, Plain)],
    },
    Lookup {
        name: "a wildcard port does not cover port 22",
        file: "[db.example.com]:* {ed}\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[],
    },
    Lookup {
        name: "IPv6 addresses take brackets with a port",
        file: "[::1]:2222 {ed}\n::1 {ec}\n",
        hashed: false,
        host: "::1",
        port: 2222,
        lines: &[(1, Plain)],
    },
    Lookup {
        name: "IPv6 addresses stand bare on port 22",
        file: "[::1]:2222 {ed}\n::1 {ec}\n",
        hashed: false,
        host: "::1",
        port: 22,
        lines: &[(2, Plain)],
    },
    Lookup {
        name: "hashed names (ssh-keygen -H) match their host on port 22",
        file: "db.example.com {ed}\nother.example.com {ec}\n",
        hashed: true,
        host: "db.example.com",
        port: 22,
        lines: &[(1, Plain)],
    },
    Lookup {
        name: "hashed [host]:port names match that port only",
        file: "[db.example.com]:2222 {ed}\ndb.example.com {ec}\n",
        hashed: true,
        host: "db.example.com",
        port: 2222,
        lines: &[(1, Plain)],
    },
    Lookup {
        name: "a hashed name matches no other host",
        file: "db.example.com {ed}\n",
        hashed: true,
        host: "db2.example.com",
        port: 22,
        lines: &[],
    },
    Lookup {
        name: "ssh-keygen -H splits a comma list into one hashed line per name",
        file: "a.example.com,db.example.com {ed}\nother.example.com {ec}\n",
        hashed: true,
        host: "db.example.com",
        port: 22,
        lines: &[(2, Plain)],
    },
    Lookup {
        name: "a malformed hash (bad salt, unknown |2|) skips the line",
        file: "|1|bm90IGEgc2FsdA==|AAAA {ed}\n|2|abc|def {ec}\ndb.example.com {rsa}\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[(3, Plain)],
    },
    Lookup {
        name: "@revoked lines apply with their marker, beside plain ones",
        file: "@revoked * {ed}\ndb.example.com {ec}\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[(1, Revoked), (2, Plain)],
    },
    Lookup {
        name: "@cert-authority lines apply with their marker",
        file: "@cert-authority *.example.com {ed2}\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[(1, Ca)],
    },
    Lookup {
        name: "an indented marker line still counts",
        file: "  \t@revoked db.example.com {ed}\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[(1, Revoked)],
    },
    Lookup {
        name: "an unknown marker, or two markers, skip the line",
        file: "@bogus db.example.com {ed}\n@revoked @cert-authority db.example.com {ec}\ndb.example.com {rsa}\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[(3, Plain)],
    },
    Lookup {
        name: "comments, blank lines and indentation are skipped, line numbers kept",
        file: "# a comment\n\n   \n\t# indented comment\n  db.example.com {ed} a trailing comment\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[(5, Plain)],
    },
    Lookup {
        name: "tabs separate the fields as spaces do",
        file: "db.example.com\t{ed.type}\t\t{ed.b64}\tcomment\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[(1, Plain)],
    },
    Lookup {
        name: "CRLF line endings are read as ssh reads them",
        file: "db.example.com {ed}\r\ndb.example.com {ec} comment\r\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[(1, Plain), (2, Plain)],
    },
    Lookup {
        name: "a line with bad base64 is skipped",
        file: "db.example.com {ed.type} AAAA!!!!\ndb.example.com {ec}\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[(2, Plain)],
    },
    Lookup {
        name: "a key blob of another type than the line names is skipped",
        file: "db.example.com ssh-rsa {ed.b64}\ndb.example.com {ec}\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[(2, Plain)],
    },
    Lookup {
        name: "an ECDSA key under another curve's name is skipped",
        file: "db.example.com ecdsa-sha2-nistp384 {ec.b64}\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[],
    },
    Lookup {
        name: "an unknown key type is skipped",
        file: "db.example.com ssh-foo {ed.b64}\ndb.example.com {ed}\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[(2, Plain)],
    },
    Lookup {
        name: "truncated lines (no key, no blob) are skipped",
        file: "db.example.com\ndb.example.com {ed.type}\ndb.example.com {ed}\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[(3, Plain)],
    },
    Lookup {
        name: "an RSA key under 1024 bits is skipped",
        file: "db.example.com {rsa768}\ndb.example.com {rsa1024}\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[(2, Plain)],
    },
    Lookup {
        name: "RSA and ECDSA P-384 and P-521 keys are read",
        file: "db.example.com {rsa}\ndb.example.com {ec384}\ndb.example.com {ec521}\n",
        hashed: false,
        host: "db.example.com",
        port: 22,
        lines: &[(1, Plain), (2, Plain), (3, Plain)],
    },
];

/// What `ssh-keygen -F name -l -f file` lists: line, marker, fingerprint.
fn keygen_find(file: &Path, name: &str) -> Vec<(usize, Marker, String)> {
    let out = Command::new("ssh-keygen")
        .args(["-F", name, "-l", "-f"])
        .arg(file)
        .output()
        .expect("ssh-keygen -F");
    // 0: found, 1: nothing found; anything else is a failure of the tool.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "ssh-keygen -F {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines = stdout.lines();
    let mut found = Vec::new();
    while let Some(line) = lines.next() {
        let Some((_, after)) = line.split_once(" found: line ") else {
            continue;
        };
        let mut words = after.split_whitespace();
        let number = words
            .next()
            .and_then(|n| n.parse().ok())
            .expect("line number");
        let marker = match words.next() {
            Some("CA") => Ca,
            Some("REVOKED") => Revoked,
            _ => Plain,
        };
        let fingerprint = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(2))
            .expect("fingerprint line")
            .to_owned();
        found.push((number, marker, fingerprint));
    }
    found
}

#[test]
fn lookups_match_ssh_keygen_find() {
    let keys = Keys::generate();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    for (i, case) in LOOKUPS.iter().enumerate() {
        let file = dir.path().join(format!("known_hosts_{i}"));
        std::fs::write(&file, keys.fill(case.file)).expect("write known_hosts");
        if case.hashed {
            run_ok(
                Command::new("ssh-keygen").arg("-H").arg("-f").arg(&file),
                "ssh-keygen -H",
            );
            let text = std::fs::read_to_string(&file).expect("hashed file");
            assert!(text.contains("|1|"), "{}: nothing was hashed", case.name);
        }
        let name = known_hosts_name(case.host, case.port);
        let theirs = keygen_find(&file, &name);
        let ours: Vec<(usize, Marker, String)> =
            match entries_for(std::slice::from_ref(&file), case.host, case.port) {
                Ok(entries) => entries
                    .into_iter()
                    .map(|e| (e.at.line, e.marker, e.key.fingerprint()))
                    .collect(),
                Err(e) => {
                    failures.push(format!("{}: {e}", case.name));
                    continue;
                }
            };
        let expected: Vec<(usize, Marker)> = case.lines.to_vec();
        let ours_lines: Vec<(usize, Marker)> = ours.iter().map(|(l, m, _)| (*l, *m)).collect();
        if ours != theirs || ours_lines != expected {
            failures.push(format!(
                "{} ({name}):\n  ssh-keygen -F: {theirs:?}\n  ours:          {ours:?}\n  expected:      {expected:?}\n  file:\n{}",
                case.name,
                std::fs::read_to_string(&file).unwrap_or_default()
            ));
        }
    }
    report("lookups", LOOKUPS.len(), failures);
}

// ---------------------------------------------------------------------------------------
// Fingerprints: HostKey::fingerprint against `ssh-keygen -lf key -E sha256`
// ---------------------------------------------------------------------------------------

const FINGERPRINTS: &[(&str, &str)] = &[
    ("an ed25519 key", "ed"),
    ("an ECDSA P-256 key", "ec"),
    ("an ECDSA P-384 key", "ec384"),
    ("an ECDSA P-521 key", "ec521"),
    ("a 2048-bit RSA key", "rsa"),
    ("a 1024-bit RSA key", "rsa1024"),
    (
        "an RSA key whose exponent has a superfluous zero is hashed as OpenSSH re-encodes it",
        "rsapad",
    ),
];

#[test]
fn fingerprints_match_ssh_keygen() {
    let keys = Keys::generate();
    let mut failures = Vec::new();
    for (name, key) in FINGERPRINTS {
        let key = keys.get(key);
        let out = run_ok(
            Command::new("ssh-keygen")
                .args(["-l", "-E", "sha256", "-f"])
                .arg(&key.pub_file),
            "ssh-keygen -lf",
        );
        let theirs = out.split_whitespace().nth(1).unwrap_or_default().to_owned();
        let ours = key.key.fingerprint();
        // The line read back must give the same key, and print the same.
        let line = std::fs::read_to_string(&key.pub_file).expect("pub file");
        let reread = HostKey::from_openssh_line(&line).map(|k| k.fingerprint());
        if ours != theirs || reread.as_deref() != Some(theirs.as_str()) {
            failures.push(format!(
                "{name}: ssh-keygen {theirs}, ours {ours}, read back {reread:?}"
            ));
        }
    }
    report("fingerprints", FINGERPRINTS.len(), failures);
}

#[test]
fn key_lines_ssh_keygen_refuses_are_not_read() {
    let keys = Keys::generate();
    let ed = keys.get("ed");
    let b64 = B64.encode(&ed.key.blob);
    for line in [
        format!("ssh-rsa {b64}"),
        "ssh-ed25519 AAAA!!!!".to_owned(),
        "ssh-ed25519".to_owned(),
        format!("ssh-foo {b64}"),
        format!("{} x", keys.fill("{rsa768}")),
    ] {
        assert!(
            HostKey::from_openssh_line(&line).is_none(),
            "read {line:?} as a key"
        );
    }
    assert!(HostKey::from_openssh_line(&format!("  ssh-ed25519 {b64}")).is_some());
}

// ---------------------------------------------------------------------------------------
// Verdicts: check against `ssh` connecting to a real `sshd`
// ---------------------------------------------------------------------------------------

/// A throwaway sshd on a free loopback port with the ed, ec and rsa keys as host keys.
struct Sshd {
    port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Sshd {
    fn start(keys: &Keys) -> Sshd {
        std::fs::create_dir_all("/run/sshd").expect("/run/sshd (privilege separation)");
        let host_keys: String = ["ed", "ec", "rsa"]
            .iter()
            .filter_map(|k| keys.get(k).private.as_ref())
            .map(|p| format!("HostKey {}\n", p.display()))
            .collect();
        let mut last_log = String::new();
        // A free port can be taken between finding it and sshd binding it: retry.
        for _ in 0..5 {
            let dir = tempfile::tempdir().expect("temp dir");
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .expect("free port");
            let config = dir.path().join("sshd_config");
            std::fs::write(
                &config,
                format!(
                    "ListenAddress 127.0.0.1\nPort {port}\n{host_keys}PidFile none\nUsePAM no\nStrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nLogLevel ERROR\n"
                ),
            )
            .expect("sshd_config");
            let log = dir.path().join("sshd.log");
            let child = Command::new("/usr/sbin/sshd")
                .arg("-D")
                .arg("-f")
                .arg(&config)
                .arg("-E")
                .arg(&log)
                .stdin(Stdio::null())
                .spawn()
                .expect("sshd (openssh-server)");
            let mut sshd = Sshd {
                port,
                child,
                _dir: dir,
            };
            if sshd.wait_for_banner() {
                return sshd;
            }
            last_log = std::fs::read_to_string(&log).unwrap_or_default();
        }
        panic!("sshd did not start: {last_log}");
    }

    fn wait_for_banner(&mut self) -> bool {
        use std::io::Read;
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let mut buf = [0u8; 4];
                if s.read_exact(&mut buf).is_ok() && &buf == b"SSH-" {
                    return true;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A verdict reduced to what `ssh` shows of it: which kind, and which file (index into
/// the row's files) and line it names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Known(usize, usize),
    Unknown,
    Changed(usize, usize),
    Revoked,
}

/// What `ssh -v` decided about the host key.
fn ssh_verdict(sshd: &Sshd, alg: &str, files: &[PathBuf]) -> Result<Seen, String> {
    let joined: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let out = Command::new("ssh")
        .args(["-v", "-F", "/dev/null", "-p", &sshd.port.to_string()])
        .args(["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes"])
        .args(["-o", "CheckHostIP=no", "-o", "UpdateHostKeys=no"])
        .args(["-o", "NoHostAuthenticationForLocalhost=no"])
        .args(["-o", "GlobalKnownHostsFile=/dev/null"])
        .args(["-o", &format!("UserKnownHostsFile={}", joined.join(" "))])
        .args(["-o", &format!("HostKeyAlgorithms={alg}")])
        .args([
            "-o",
            "PubkeyAuthentication=no",
            "-o",
            "PasswordAuthentication=no",
        ])
        .args([
            "-o",
            "KbdInteractiveAuthentication=no",
            "-o",
            "ConnectTimeout=10",
        ])
        .arg("switchboard-no-such-user@127.0.0.1")
        .arg("true")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("ssh: {e}"))?;
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    let locate = |s: &str| -> Option<(usize, usize)> {
        let (path, line) = s.trim().rsplit_once(':')?;
        let index = files.iter().position(|f| f == Path::new(path))?;
        Some((index, line.trim().parse().ok()?))
    };
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("debug1: Found key in ") {
            let (f, l) = locate(rest).ok_or_else(|| format!("unplaced: {line}"))?;
            return Ok(Seen::Known(f, l));
        }
        if line.contains("REVOKED HOST KEY DETECTED") {
            return Ok(Seen::Revoked);
        }
        if let Some((_, rest)) = line.split_once("Offending ") {
            if let Some((_, at)) = rest.split_once(" key in ") {
                let (f, l) = locate(at).ok_or_else(|| format!("unplaced: {line}"))?;
                return Ok(Seen::Changed(f, l));
            }
        }
    }
    if text.contains("host key is known for") && text.contains("Host key verification failed") {
        return Ok(Seen::Unknown);
    }
    Err(format!("no verdict in ssh's output:\n{text}"))
}

fn seen_of(verdict: &Verdict, files: &[PathBuf]) -> Seen {
    let at = |l: &KnownHostsLocation| {
        (
            files
                .iter()
                .position(|f| *f == l.file)
                .unwrap_or(usize::MAX),
            l.line,
        )
    };
    match verdict {
        Verdict::Known(l) => Seen::Known(at(l).0, at(l).1),
        Verdict::Unknown => Seen::Unknown,
        Verdict::Changed { at: l, .. } => Seen::Changed(at(l).0, at(l).1),
        Verdict::Revoked(_) => Seen::Revoked,
    }
}

struct VerdictCase {
    name: &'static str,
    /// Known-hosts files in search order; `None` is a file that does not exist. `{hp}`
    /// is `[127.0.0.1]:<sshd's port>`, `{port}` the port alone.
    files: &'static [Option<&'static str>],
    hashed: bool,
    /// The host key algorithm ssh asks for, and the key sshd then presents.
    alg: &'static str,
    presented: &'static str,
    expect: Seen,
    /// Where a revoked verdict points (ssh does not say).
    revoked_at: Option<(usize, usize)>,
}

const VERDICTS: &[VerdictCase] = &[
    VerdictCase {
        name: "the key listed for the host is known, at its line",
        files: &[Some("other.example.com {ec}\n{hp} {ed}\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Known(0, 2),
        revoked_at: None,
    },
    VerdictCase {
        name: "a host with no entry is unknown",
        files: &[Some("other.example.com {ed}\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Unknown,
        revoked_at: None,
    },
    VerdictCase {
        name: "an entry of another key type alone is a change, as ssh says",
        files: &[Some("{hp} {ec}\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Changed(0, 1),
        revoked_at: None,
    },
    VerdictCase {
        name: "another key of the same type is a change",
        files: &[Some("{hp} {ed2}\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Changed(0, 1),
        revoked_at: None,
    },
    VerdictCase {
        name: "a matching entry beats a mismatching one before it",
        files: &[Some("{hp} {ed2}\n{hp} {ed}\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Known(0, 2),
        revoked_at: None,
    },
    VerdictCase {
        name: "of several mismatching entries the last is the offending one",
        files: &[Some("{hp} {ed2}\n{hp} {ec2}\nother.example.com {ed2}\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Changed(0, 2),
        revoked_at: None,
    },
    VerdictCase {
        name: "a key known in the second file beats a mismatch in the first",
        files: &[Some("{hp} {ed2}\n"), Some("{hp} {ed}\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Known(1, 1),
        revoked_at: None,
    },
    VerdictCase {
        name: "the first file's match is the one reported when both match",
        files: &[Some("{hp} {ed}\n"), Some("{hp} {ed}\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Known(0, 1),
        revoked_at: None,
    },
    VerdictCase {
        name: "mismatches across files name the last file's entry",
        files: &[Some("{hp} {ec2}\n"), Some("{hp} {ed2}\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Changed(1, 1),
        revoked_at: None,
    },
    VerdictCase {
        name: "a missing file is no entries, not an error",
        files: &[None, Some("{hp} {ed}\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Known(1, 1),
        revoked_at: None,
    },
    VerdictCase {
        name: "@revoked beats the same key listed as known",
        files: &[Some("{hp} {ed}\n@revoked * {ed}\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Revoked,
        revoked_at: Some((0, 2)),
    },
    VerdictCase {
        name: "@revoked in a later file still wins",
        files: &[Some("{hp} {ed}\n"), Some("@revoked {hp} {ed}\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Revoked,
        revoked_at: Some((1, 1)),
    },
    VerdictCase {
        name: "@revoked for another key does not matter",
        files: &[Some("@revoked * {ed2}\n{hp} {ed}\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Known(0, 2),
        revoked_at: None,
    },
    VerdictCase {
        name: "@revoked for another host does not matter",
        files: &[Some("@revoked other.example.com {ed}\n{hp} {ed}\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Known(0, 2),
        revoked_at: None,
    },
    VerdictCase {
        name: "a plain key listed only as @cert-authority is not known",
        files: &[Some("@cert-authority {hp} {ed}\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Unknown,
        revoked_at: None,
    },
    VerdictCase {
        name: "hashed entries verify as plain ones do",
        files: &[Some("other.example.com {ed2}\n{hp} {ed}\n")],
        hashed: true,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Known(0, 2),
        revoked_at: None,
    },
    VerdictCase {
        name: "a hashed entry with another key is a change",
        files: &[Some("{hp} {ed2}\n")],
        hashed: true,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Changed(0, 1),
        revoked_at: None,
    },
    VerdictCase {
        name: "a negated name keeps the host out of a wildcard entry",
        files: &[Some("[127.0.0.*]:*,!{hp} {ed}\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Unknown,
        revoked_at: None,
    },
    VerdictCase {
        name: "a wildcard entry vouches for the host",
        files: &[Some("[127.0.0.*]:* {ed}\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Known(0, 1),
        revoked_at: None,
    },
    VerdictCase {
        name: "with nothing for [host]:port, the same key listed for the bare host is known",
        files: &[Some("127.0.0.1 {ed}\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Known(0, 1),
        revoked_at: None,
    },
    VerdictCase {
        name: "another key listed for the bare host is no change on another port",
        files: &[Some("127.0.0.1 {ed2}\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Unknown,
        revoked_at: None,
    },
    VerdictCase {
        name: "a [host]:port entry with another key is a change whatever the bare host lists",
        files: &[Some("127.0.0.1 {ed}\n{hp} {ed2}\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Changed(0, 2),
        revoked_at: None,
    },
    VerdictCase {
        name: "a key revoked for the bare host is revoked on another port too",
        files: &[Some("@revoked 127.0.0.1 {ed}\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Revoked,
        revoked_at: Some((0, 1)),
    },
    VerdictCase {
        name: "a line with bad base64 for the host is skipped, not a change",
        files: &[Some("{hp} ssh-ed25519 AAAA!!!!\n")],
        hashed: false,
        alg: "ssh-ed25519",
        presented: "ed",
        expect: Seen::Unknown,
        revoked_at: None,
    },
    VerdictCase {
        name: "an ECDSA host key is known",
        files: &[Some("{hp} {ed}\n{hp} {ec}\n")],
        hashed: false,
        alg: "ecdsa-sha2-nistp256",
        presented: "ec",
        expect: Seen::Known(0, 2),
        revoked_at: None,
    },
    VerdictCase {
        name: "an RSA host key is known whatever RSA signature algorithm was negotiated",
        files: &[Some("{hp} {rsa}\n")],
        hashed: false,
        alg: "rsa-sha2-512",
        presented: "rsa",
        expect: Seen::Known(0, 1),
        revoked_at: None,
    },
    VerdictCase {
        name: "another RSA key is a change",
        files: &[Some("{hp} {rsa1024}\n")],
        hashed: false,
        alg: "rsa-sha2-256",
        presented: "rsa",
        expect: Seen::Changed(0, 1),
        revoked_at: None,
    },
];

#[test]
fn verdicts_match_ssh() {
    let keys = Keys::generate();
    let sshd = Sshd::start(&keys);
    let dir = tempfile::tempdir().expect("temp dir");
    let hp = format!("[127.0.0.1]:{}", sshd.port);
    let mut failures = Vec::new();
    for (i, case) in VERDICTS.iter().enumerate() {
        let mut files = Vec::new();
        for (j, content) in case.files.iter().enumerate() {
            let file = dir.path().join(format!("kh_{i}_{j}"));
            if let Some(content) = content {
                std::fs::write(&file, keys.fill(&content.replace("{hp}", &hp)))
                    .expect("known_hosts");
                if case.hashed {
                    run_ok(
                        Command::new("ssh-keygen").arg("-H").arg("-f").arg(&file),
                        "ssh-keygen -H",
                    );
                }
            }
            files.push(file);
        }
        // The key as an SSH library hands it over: the negotiated algorithm's name
        // (rsa-sha2-512 for an RSA key) and the blob.
        let presented = HostKey {
            key_type: case.alg.to_owned(),
            blob: keys.get(case.presented).key.blob.clone(),
        };
        let theirs = ssh_verdict(&sshd, case.alg, &files);
        let ours = check(&files, "127.0.0.1", sshd.port, &presented);
        let ours_seen = ours.as_ref().map(|v| seen_of(v, &files));
        let revoked_ok = match (&ours, case.revoked_at) {
            (Ok(Verdict::Revoked(at)), Some((f, l))) => at.file == files[f] && at.line == l,
            (_, None) => true,
            _ => false,
        };
        let changed_ok = match &ours {
            // `old` is the key on the offending line.
            Ok(Verdict::Changed { old, at }) => entries_for(&files, "127.0.0.1", sshd.port)
                .map(|es| es.iter().any(|e| e.at == *at && e.key == *old))
                .unwrap_or(false),
            _ => true,
        };
        let agree = matches!((&theirs, &ours_seen), (Ok(t), Ok(o)) if t == o);
        if !agree || ours_seen.as_ref().ok() != Some(&case.expect) || !revoked_ok || !changed_ok {
            failures.push(format!(
                "{}:\n  ssh:      {theirs:?}\n  ours:     {ours:?}\n  expected: {:?}",
                case.name, case.expect
            ));
        }
    }
    report("verdicts", VERDICTS.len(), failures);
}

// ---------------------------------------------------------------------------------------
// trust, and the rest of the API
// ---------------------------------------------------------------------------------------

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn trusted_keys_are_written_plain_private_and_then_accepted_by_ssh() {
    let keys = Keys::generate();
    let sshd = Sshd::start(&keys);
    let dir = tempfile::tempdir().expect("temp dir");
    let own = dir.path().join("app").join("data").join("known_hosts");
    let ed = &keys.get("ed").key;

    // Not known yet: ssh and check agree.
    assert_eq!(
        ssh_verdict(&sshd, "ssh-ed25519", std::slice::from_ref(&own)),
        Ok(Seen::Unknown)
    );
    trust(&own, "127.0.0.1", sshd.port, ed).expect("trust");
    let text = std::fs::read_to_string(&own).expect("own file");
    assert_eq!(
        text,
        format!("[127.0.0.1]:{} {}\n", sshd.port, keys.fill("{ed}"))
    );
    #[cfg(unix)]
    {
        assert_eq!(mode(&own), 0o600, "the file is created 0600");
        assert_eq!(
            mode(own.parent().expect("dir")),
            0o700,
            "its directory 0700"
        );
        assert_eq!(
            mode(&dir.path().join("app")),
            0o700,
            "and every one created"
        );
    }
    assert_eq!(
        ssh_verdict(&sshd, "ssh-ed25519", std::slice::from_ref(&own)),
        Ok(Seen::Known(0, 1)),
        "ssh accepts what trust wrote"
    );
    assert_eq!(
        check(std::slice::from_ref(&own), "127.0.0.1", sshd.port, ed).expect("check"),
        Verdict::Known(KnownHostsLocation {
            file: own.clone(),
            line: 1
        })
    );

    // Trusting again writes nothing more.
    trust(&own, "127.0.0.1", sshd.port, ed).expect("trust again");
    assert_eq!(std::fs::read_to_string(&own).expect("own file"), text);

    // Port 22 is the bare host, lower-cased as ssh looks it up; a last line without its
    // newline is not run into.
    std::fs::write(&own, text.trim_end()).expect("no final newline");
    let ec = &keys.get("ec").key;
    trust(&own, "DB.Example.com", 22, ec).expect("trust port 22");
    let found = keygen_find(&own, "db.example.com");
    assert_eq!(found, vec![(2, Plain, ec.fingerprint())]);
    let found = keygen_find(&own, &format!("[127.0.0.1]:{}", sshd.port));
    assert_eq!(found, vec![(1, Plain, ed.fingerprint())]);
}

#[test]
fn trust_refuses_names_ssh_would_not_record() {
    let keys = Keys::generate();
    let dir = tempfile::tempdir().expect("temp dir");
    let own = dir.path().join("known_hosts");
    let ed = &keys.get("ed").key;
    for host in [
        "*.example.com",
        "a,b",
        "!db",
        "db host",
        "db?",
        "",
        "db\n* ",
    ] {
        match trust(&own, host, 22, ed) {
            Err(KnownHostsError::Write { .. }) => {}
            other => panic!("trusting {host:?}: {other:?}"),
        }
    }
    let garbage = HostKey {
        key_type: "ssh-ed25519".into(),
        blob: vec![1, 2, 3],
    };
    assert!(
        trust(&own, "db", 22, &garbage).is_err(),
        "a key ssh cannot read"
    );
    assert!(!own.exists(), "nothing was written");
}

#[test]
fn a_missing_file_is_no_entries_but_an_unreadable_one_is_an_error() {
    let keys = Keys::generate();
    let dir = tempfile::tempdir().expect("temp dir");
    let ed = &keys.get("ed").key;
    let missing = vec![
        dir.path().join("nope"),
        dir.path().join("no_dir").join("nope"),
    ];
    assert_eq!(
        check(&missing, "db", 22, ed).expect("missing"),
        Verdict::Unknown
    );
    // A directory where the file should be cannot be read (permissions would not stop
    // root, which CI runs as).
    let unreadable = vec![dir.path().to_path_buf()];
    match check(&unreadable, "db", 22, ed) {
        Err(e @ KnownHostsError::Unreadable { .. }) => {
            assert!(e.to_string().contains(&dir.path().display().to_string()));
        }
        other => panic!("a directory as known_hosts: {other:?}"),
    }
}

#[test]
fn cert_authorities_and_known_types_are_exposed() {
    let keys = Keys::generate();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("known_hosts");
    std::fs::write(
        &file,
        keys.fill(
            "@cert-authority *.example.com {ed2}\n\
             db.example.com {ec}\n\
             db.example.com {ed}\n\
             db.example.com {ec2}\n\
             db.example.com {rsa}\n\
             @revoked * {rsa}\n",
        ),
    )
    .expect("known_hosts");
    let files = vec![file.clone()];
    let cas = cert_authorities_for(&files, "db.example.com", 22).expect("cas");
    assert_eq!(cas.len(), 1);
    assert_eq!(cas[0].key, keys.get("ed2").key);
    assert_eq!(cas[0].at.line, 1);
    assert!(cert_authorities_for(&files, "db.other.org", 22)
        .expect("cas")
        .is_empty());
    // The CA's own key presented as a plain key is not known.
    assert_eq!(
        check(&files, "x.example.com", 22, &keys.get("ed2").key).expect("check"),
        Verdict::Unknown
    );
    // Types in order first listed; RSA's only key is revoked.
    assert_eq!(
        known_key_types(&files, "db.example.com", 22).expect("types"),
        vec!["ecdsa-sha2-nistp256".to_owned(), "ssh-ed25519".to_owned()]
    );
}
