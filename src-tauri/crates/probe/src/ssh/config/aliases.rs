//! The alias picker: the concrete `Host` names of the user's and the system's config,
//! following `Include`.

use super::*;

pub(super) fn collect_aliases(
    path: &Path,
    user_conf: bool,
    src: &SshConfigSource,
    depth: u32,
    out: &mut Vec<String>,
) {
    if depth > MAX_INCLUDE_DEPTH {
        return;
    }
    let Ok((text, _)) = open_config(path) else {
        return;
    };
    for raw in String::from_utf8_lossy(&text).lines() {
        let Some(line) = strip_trailing(raw) else {
            continue;
        };
        let (Some(word), rest) = strdelim(Some(line)) else {
            continue;
        };
        let (keyword, rest) = if word.is_empty() {
            match strdelim(rest) {
                (Some(w), r) => (w, r),
                (None, _) => continue,
            }
        } else {
            (word, rest)
        };
        let kw = keyword.to_ascii_lowercase();
        let Some(args) = rest.and_then(|r| argv_split(r.trim_start_matches(WS))) else {
            continue;
        };
        match kw.as_str() {
            "host" => {
                for name in args {
                    let concrete =
                        !name.is_empty() && !name.starts_with('!') && !name.contains(['*', '?']);
                    if concrete && !out.contains(&name) {
                        out.push(name);
                    }
                }
            }
            "include" => {
                for arg in args.iter().filter(|a| !a.is_empty()) {
                    if arg.starts_with('~') && !user_conf {
                        continue;
                    }
                    let pattern = match (arg.starts_with('/') || arg.starts_with('~'), user_conf) {
                        (true, _) => arg.clone(),
                        (false, true) => format!("~/.ssh/{arg}"),
                        (false, false) => format!("{SYSTEM_DIR}/{arg}"),
                    };
                    for file in glob(&glob_tilde(&pattern, src)) {
                        collect_aliases(Path::new(&file), user_conf, src, depth + 1, out);
                    }
                }
            }
            _ => {}
        }
    }
}
