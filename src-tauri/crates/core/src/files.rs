//! Files on this machine that a form or a pasted string names: PEM certificates and keys,
//! read with a size bound. The model (`connstr`, `pem`) never touches the disk; the
//! operations that take a user's string call `read_files` here.

use std::path::Path;

use crate::connstr::{FileSlot, Imported};
use crate::error::{CoreError, ErrorCode, Result};
use crate::secret::Secret;

/// The largest PEM file accepted from disk.
pub const PEM_FILE_MAX: u64 = 1024 * 1024;

/// Why a file could not be read whole.
#[derive(Debug)]
pub(crate) enum ReadError {
    Missing,
    /// Not a regular file, or an I/O error, in the system's words.
    Unreadable(String),
    TooLarge(u64),
    NotText,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Missing => f.write_str("it is not there"),
            ReadError::Unreadable(why) => f.write_str(why),
            ReadError::TooLarge(max) if *max >= 1024 * 1024 => {
                write!(f, "it is larger than {} MiB", max / (1024 * 1024))
            }
            ReadError::TooLarge(max) => write!(f, "it is larger than {} KiB", max / 1024),
            ReadError::NotText => f.write_str("it is not UTF-8 text"),
        }
    }
}

/// A regular file's bytes, refused past `max` (checked before reading).
pub(crate) async fn read_bytes(path: &Path, max: u64) -> std::result::Result<Vec<u8>, ReadError> {
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::Missing,
            _ => ReadError::Unreadable(e.to_string()),
        })?;
    if !meta.is_file() {
        return Err(ReadError::Unreadable("it is not a regular file".into()));
    }
    if meta.len() > max {
        return Err(ReadError::TooLarge(max));
    }
    tokio::fs::read(path)
        .await
        .map_err(|e| ReadError::Unreadable(e.to_string()))
}

/// A regular text file, refused past `max` or when not UTF-8.
pub(crate) async fn read_text(path: &Path, max: u64) -> std::result::Result<String, ReadError> {
    String::from_utf8(read_bytes(path, max).await?).map_err(|_| ReadError::NotText)
}

/// Reads a PEM file the user picked (certificate or key) as text.
pub async fn read_pem_file(path: &Path) -> Result<String> {
    let unreadable = |why: String| {
        CoreError::input(
            ErrorCode::FileUnreadable,
            None,
            format!("{} cannot be used: {why}.", path.display()),
            "Pick a PEM file (text starting with -----BEGIN …).",
        )
    };
    let text = read_text(path, PEM_FILE_MAX).await.map_err(|e| match e {
        ReadError::NotText => {
            unreadable("it is not text (DER files must be converted to PEM)".into())
        }
        e => unreadable(e.to_string()),
    })?;
    if !text.contains("-----BEGIN ") {
        return Err(unreadable("it holds no PEM block".into()));
    }
    Ok(text)
}

/// Reads the files an import names (bounded PEM reads), filling the draft's certificates
/// and client key. Only for strings the user gave on this machine.
///
/// A file that is not on this machine (a colleague's `sslrootcert=/etc/ssl/ca.pem`) does not
/// refuse the import: the draft comes in and a note names the field to fill in.
pub async fn read_files(imported: &mut Imported) -> Result<()> {
    for r in std::mem::take(&mut imported.files) {
        // (the field's name, whether it takes a private key rather than certificates)
        let (field, key) = match r.slot {
            FileSlot::Passfile => {
                read_passfile(imported, &r.path).await;
                continue;
            }
            FileSlot::Ca => ("CA certificate", false),
            FileSlot::ClientCert => ("client certificate", false),
            FileSlot::ClientKey => ("client key", true),
        };
        if let Ok(false) = tokio::fs::try_exists(&r.path).await {
            imported.warnings.push(format!(
                "{}: {} is not found on this machine; pick the file for the {field}",
                r.param, r.path
            ));
            continue;
        }
        let text = read_pem_file(Path::new(&r.path)).await.map_err(|e| {
            CoreError::input(
                ErrorCode::FileUnreadable,
                Some(&r.param),
                format!("{}: {e}", r.param),
                e.hint(),
            )
        })?;
        let picked = if key {
            crate::pem::select_blocks(&text, |l| l.ends_with("PRIVATE KEY"))
        } else {
            crate::pem::select_blocks(&text, |l| l == "CERTIFICATE")
        };
        if picked.is_empty() {
            return Err(CoreError::input(
                ErrorCode::FileUnreadable,
                Some(&r.param),
                format!(
                    "{}: the file holds no {}.",
                    r.param,
                    if key { "private key" } else { "certificate" }
                ),
                "Point it at a PEM file with the right block.",
            ));
        }
        match r.slot {
            FileSlot::Ca => imported.fields.tls.ca_pem = Some(picked),
            FileSlot::ClientCert => imported.fields.tls.client_cert_pem = Some(picked),
            // The client key (a passfile was read above).
            _ => imported.client_key = Some(Secret::new(picked)),
        }
    }
    Ok(())
}

/// The password a pgpass file (`passfile=`) holds for the imported connection, found as
/// libpq finds it, and refused where libpq refuses the file (not a regular file, or open to
/// the group or others). Whatever stops it is a warning: the draft still comes in.
async fn read_passfile(imported: &mut Imported, path: &str) {
    let text = match tokio::fs::metadata(path).await {
        Err(_) => Err("it is not on this machine".to_owned()),
        Ok(m) if group_or_world_access(&m) => Err(
            "it has group or world access, so libpq ignores it (permissions should be u=rw, 0600)"
                .to_owned(),
        ),
        Ok(_) => read_text(Path::new(path), PEM_FILE_MAX)
            .await
            .map_err(|e| e.to_string()),
    };
    let f = &imported.fields;
    let found = text.map(|t| {
        crate::libpq::pgpass_password(
            &t,
            crate::libpq::PassTarget {
                host: &f.host,
                port: f.port,
                database: &f.database,
                user: &f.username,
            },
        )
    });
    match found {
        Ok(Some(p)) if !p.is_empty() => imported.password = Some(Secret::new(p)),
        Ok(_) => imported.warnings.push(format!(
            "passfile: no line of {path} matches {}:{}:{}:{}; enter the password in the form",
            f.host, f.port, f.database, f.username
        )),
        Err(why) => imported.warnings.push(format!(
            "passfile: {path} was not read ({why}); enter the password in the form"
        )),
    }
}

#[cfg(unix)]
fn group_or_world_access(m: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o077 != 0
}

#[cfg(not(unix))]
fn group_or_world_access(_: &std::fs::Metadata) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connstr::import;
    use crate::model::TlsMode;

    #[tokio::test]
    async fn pem_files_are_read_and_non_pem_files_are_refused_clearly() {
        let dir = std::env::temp_dir().join(format!("sb-pem-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("ca.pem");
        std::fs::write(
            &good,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        assert!(read_pem_file(&good)
            .await
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----"));
        let der = dir.join("ca.der");
        std::fs::write(&der, [0x30u8, 0x82, 0xff, 0xfe]).unwrap();
        let e = read_pem_file(&der).await.unwrap_err();
        assert_eq!(e.code(), crate::error::ErrorCode::FileUnreadable);
        assert!(e.to_string().contains("DER"), "{e}");
        let missing = read_pem_file(&dir.join("nope.pem")).await.unwrap_err();
        assert_eq!(missing.code(), crate::error::ErrorCode::FileUnreadable);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[tokio::test]
    async fn a_file_missing_on_this_machine_imports_the_draft_and_names_the_field_to_fill() {
        let missing = format!("/nonexistent-{}/ca.pem", uuid::Uuid::new_v4().simple());
        let mut p = import(&format!(
            "postgresql://u@h/d?sslmode=verify-full&sslrootcert={missing}&sslcert={missing}"
        ))
        .unwrap();
        read_files(&mut p.imported).await.unwrap();
        assert_eq!(p.imported.fields.tls.mode, TlsMode::VerifyFull);
        assert!(p.imported.fields.tls.ca_pem.is_none());
        let notes = p.imported.warnings.join("\n");
        assert!(
            notes.contains(&format!("sslrootcert: {missing} is not found on this machine; pick the file for the CA certificate")),
            "{notes}"
        );
        assert!(notes.contains("for the client certificate"), "{notes}");
    }
}
