//! Files, users and this machine: config file permissions, passwd, `Match exec`.

use super::*;

/// The file's text and metadata. A directory opens (as with fopen) and reads as empty.
pub(super) fn open_config(path: &Path) -> io::Result<(Vec<u8>, fs::Metadata)> {
    let mut file = fs::File::open(path)?;
    let meta = file.metadata()?;
    let mut text = Vec::new();
    if !meta.is_dir() {
        // A read error ends the file where it stopped, as getline() does.
        let _ = file.read_to_end(&mut text);
    }
    Ok((text, meta))
}

/// Yours or root's, not world-writable, and group-writable only when the group's sole member
/// is you: Debian's rule (`user-group-modes.patch`, for per-user groups with umask 002).
/// Upstream OpenSSH refuses any group-writable file; following the more lenient rule never
/// refuses a file the user's own ssh reads.
#[cfg(unix)]
pub(super) fn permissions_ok(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    let uid = current_uid();
    if meta.uid() != 0 && Some(meta.uid()) != uid {
        return false;
    }
    if meta.mode() & 0o002 != 0 {
        return false;
    }
    meta.mode() & 0o020 == 0 || group_is_only(meta.gid(), meta.uid(), uid)
}

#[cfg(unix)]
pub(super) fn group_is_only(gid: u32, owner: u32, uid: Option<u32>) -> bool {
    let Some(members) = group_members(gid) else {
        return false;
    };
    let mut count = 0;
    // Primary members, from the passwd file.
    if let Ok(text) = fs::read_to_string("/etc/passwd") {
        for line in text.lines() {
            let f: Vec<&str> = line.split(':').collect();
            let (Some(u), Some(g)) = (f.get(2), f.get(3)) else {
                continue;
            };
            if g.parse::<u32>().ok() == Some(gid) {
                count += 1;
                if u.parse::<u32>().ok() != uid {
                    return false;
                }
            }
        }
    }
    let Some(owner) = passwd_find(|e| e.uid == owner) else {
        return false;
    };
    if let Some(first) = members.first() {
        count += 1;
        if *first != owner.name || members.len() > 1 {
            return false;
        }
    }
    count > 0
}

/// The listed (supplementary) members of a group, `None` when there is no such group.
#[cfg(unix)]
pub(super) fn group_members(gid: u32) -> Option<Vec<String>> {
    let text = fs::read_to_string("/etc/group").ok()?;
    text.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        if f.get(2)?.parse::<u32>().ok()? != gid {
            return None;
        }
        let members = f.get(3).copied().unwrap_or("");
        Some(
            members
                .split(',')
                .filter(|m| !m.is_empty())
                .map(str::to_string)
                .collect(),
        )
    })
}

#[cfg(not(unix))]
pub(super) fn permissions_ok(_meta: &fs::Metadata) -> bool {
    true
}

pub(super) struct PwEntry {
    pub(super) name: String,
    pub(super) uid: u32,
    pub(super) home: String,
}

pub(super) fn passwd_find(want: impl Fn(&PwEntry) -> bool) -> Option<PwEntry> {
    let text = fs::read_to_string("/etc/passwd").ok()?;
    text.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        let entry = PwEntry {
            name: f.first()?.to_string(),
            uid: f.get(2)?.parse().ok()?,
            home: f.get(5)?.to_string(),
        };
        want(&entry).then_some(entry)
    })
}

/// The real uid, without libc: the owner of `/proc/self`, else `id -u` (run once).
pub(super) fn current_uid() -> Option<u32> {
    static UID: OnceLock<Option<u32>> = OnceLock::new();
    *UID.get_or_init(|| {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            if let Ok(meta) = fs::metadata("/proc/self") {
                return Some(meta.uid());
            }
        }
        let out = Command::new("id")
            .arg("-u")
            .stderr(Stdio::null())
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    })
}

/// gethostname(), without libc.
pub(super) fn local_hostname() -> String {
    if let Ok(name) = fs::read_to_string("/proc/sys/kernel/hostname") {
        return name.trim().to_string();
    }
    Command::new("uname")
        .arg("-n")
        .stderr(Stdio::null())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// `Match exec`: `$SHELL -c command` (else `/bin/sh`), input and output to /dev/null.
pub(super) fn run_exec(cmd: &str) -> Result<bool, String> {
    let shell = std::env::var_os("SHELL")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/bin/sh"));
    let status = Command::new(&shell)
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("Shell \"{}\" is not executable: {e}", shell.display()))?;
    status
        .code()
        .map(|c| c == 0)
        .ok_or_else(|| format!("match exec '{cmd}' exited abnormally"))
}

pub(super) fn sha1_hex(data: &[u8]) -> String {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let mut msg = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, v) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(v);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
}
