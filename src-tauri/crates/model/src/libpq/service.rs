//! `service=name` as libpq resolves it (`parseServiceInfo` / `parseServiceFile` in
//! fe-connect.c): the user's service file (`PGSERVICEFILE`, else `~/.pg_service.conf`) is
//! searched first and, only where it has no `[name]` section, the system one
//! (`PGSYSCONFDIR/pg_service.conf`). A section's settings fill only the keywords the
//! connection did not set itself. Which files exist is the caller's business: this reads
//! the texts it is given.
//!
//! Written by hand: no crate reads service files, and the rules are short. Faithful to
//! libpq where it is strict: `key=value` is split at the first `=` with nothing trimmed
//! around it, an unknown keyword or a line without `=` inside the section is an error, and
//! a section header matches when `]` follows the name (`[billing] # prod` is `[billing]`).

use super::{Conninfo, KEYWORDS};

/// One service file's path (for messages) and text.
#[derive(Clone, PartialEq, Eq)]
pub struct ServiceFile {
    pub path: String,
    pub text: String,
}

impl std::fmt::Debug for ServiceFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A section may hold a password: only the path is printed.
        write!(f, "ServiceFile {{ path: {:?} }}", self.path)
    }
}

/// Why a service could not be resolved, in libpq's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceError {
    /// No file given holds `[name]`; the paths searched.
    NotFound { searched: Vec<String> },
    /// A line of the section libpq would refuse.
    Syntax { path: String, line: usize },
    /// `service=` inside a service's section.
    Nested { path: String, line: usize },
}

impl std::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServiceError::NotFound { searched } if searched.is_empty() => {
                f.write_str("no service file is on this machine (~/.pg_service.conf, PGSERVICEFILE or PGSYSCONFDIR/pg_service.conf)")
            }
            ServiceError::NotFound { searched } => {
                write!(f, "its section is not in {}", searched.join(" or "))
            }
            ServiceError::Syntax { path, line } => {
                write!(f, "libpq refuses line {line} of {path}: not a known keyword=value")
            }
            ServiceError::Nested { path, line } => write!(
                f,
                "line {line} of {path} names another service, which libpq does not follow"
            ),
        }
    }
}

/// The section `[name]` of the first file (in libpq's order) that has one: its keywords and
/// values, and the file it came from.
pub fn section(files: &[ServiceFile], name: &str) -> Result<(Conninfo, String), ServiceError> {
    for file in files {
        if let Some(kv) = in_file(file, name)? {
            return Ok((kv, file.path.clone()));
        }
    }
    Err(ServiceError::NotFound {
        searched: files.iter().map(|f| f.path.clone()).collect(),
    })
}

fn in_file(file: &ServiceFile, name: &str) -> Result<Option<Conninfo>, ServiceError> {
    let mut found: Option<Conninfo> = None;
    for (i, raw) in file.text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            if found.is_some() {
                break;
            }
            if rest.strip_prefix(name).is_some_and(|r| r.starts_with(']')) {
                found = Some(Conninfo::new());
            }
            continue;
        }
        let Some(kv) = found.as_mut() else { continue };
        // libpq hands `ldap…` lines to its LDAP lookup; Switchboard has none.
        if line.starts_with("ldap") {
            continue;
        }
        let text = line;
        let (path, line) = (file.path.clone(), i + 1);
        let Some((key, value)) = text.split_once('=') else {
            return Err(ServiceError::Syntax { path, line });
        };
        if key == "service" {
            return Err(ServiceError::Nested { path, line });
        }
        if !KEYWORDS.contains(&key) {
            return Err(ServiceError::Syntax { path, line });
        }
        kv.entry(key.to_owned()).or_insert_with(|| value.to_owned());
    }
    Ok(found)
}

/// Fills the keywords `kv` does not set from `service` (libpq never overrides an explicit
/// setting), and drops `service` itself.
pub fn apply(kv: &mut Conninfo, service: Conninfo) {
    kv.remove("service");
    for (k, v) in service {
        kv.entry(k).or_insert(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> ServiceFile {
        ServiceFile {
            path: path.into(),
            text: text.into(),
        }
    }

    #[test]
    fn the_user_file_wins_and_explicit_settings_are_never_overridden() {
        let user = file(
            "~/.pg_service.conf",
            "# mine\n[billing] # prod\nhost=db.example.com\nport=6432\n\n[other]\nhost=x\n",
        );
        let system = file(
            "/etc/pg_service.conf",
            "[billing]\nhost=system\ndbname=sys\n",
        );
        let (svc, from) = section(&[user, system.clone()], "billing").unwrap();
        assert_eq!(from, "~/.pg_service.conf");
        assert_eq!(svc.len(), 2, "the system file is not merged in: {svc:?}");
        let mut kv = Conninfo::from([
            ("service".into(), "billing".into()),
            ("port".into(), "5432".into()),
        ]);
        apply(&mut kv, svc);
        assert_eq!(kv["host"], "db.example.com");
        assert_eq!(kv["port"], "5432", "the explicit port stays");
        assert!(!kv.contains_key("service"));
        let (svc, from) = section(&[system], "billing").unwrap();
        assert_eq!(
            (svc["dbname"].as_str(), from.as_str()),
            ("sys", "/etc/pg_service.conf")
        );
    }

    #[test]
    fn libpqs_refusals_are_errors_naming_the_line() {
        let f = file("s.conf", "[a]\nhost = x\n");
        assert_eq!(
            section(&[f], "a"),
            Err(ServiceError::Syntax {
                path: "s.conf".into(),
                line: 2
            })
        );
        let f = file("s.conf", "[a]\nservice=b\n");
        assert!(matches!(
            section(&[f], "a"),
            Err(ServiceError::Nested { line: 2, .. })
        ));
        // A bad line outside the section asked for is none of libpq's business.
        let f = file("s.conf", "[b]\nnonsense\n[a]\nhost=x\n");
        assert_eq!(section(&[f], "a").unwrap().0["host"], "x");
        let e = section(&[], "a").unwrap_err();
        assert!(e.to_string().contains("no service file"), "{e}");
        // `[ab]` is not `[a]`.
        let f = file("s.conf", "[ab]\nhost=x\n");
        assert!(matches!(
            section(&[f], "a"),
            Err(ServiceError::NotFound { .. })
        ));
    }
}
