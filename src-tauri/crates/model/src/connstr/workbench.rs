//! MySQL Workbench's `connections.xml` (GRT XML: a list of `db.mgmt.Connection` objects,
//! each a driver link, a `parameterValues` dict and a name), read as Workbench writes it
//! (mysql/mysql-workbench `res/grt/structs.db.mgmt.xml`, the drivers' parameters in
//! `modules/db.mysql/res/mysql_rdbms_info.xml`, `useSSL` 0–4 as `library/cdbc/src/
//! driver_manager.cpp` hands it to Connector/C++: disabled, preferred, required,
//! verify CA, verify identity; a missing `useSSL` is 0). A `/` in a name is Workbench's
//! one level of group. Passwords live in the OS keychain, not here; one written into the
//! file is taken only with the user's consent. Notes: docs/research/ads_compass_workbench_ssms.md §3.

use std::collections::BTreeMap;

use super::batch::{Batch, Entry, Row};
use super::{FileSlot, Imported, Parsed, SourceKind};
use crate::error::Result;
use crate::model::PasswordSave;
use crate::secret::Secret;
use crate::ssh::{SshAuth, SshHop, SshRoute, DEFAULT_SSH_PORT};

const DRIVER_PREFIX: &str = "com.mysql.rdbms.mysql.driver.";

/// Whether `text` is Workbench's connection list.
pub fn is_connections(text: &str) -> bool {
    let head = text.trim_start();
    (head.starts_with("<?xml") || head.starts_with("<data")) && text.contains("db.mgmt.Connection")
}

/// Every connection as a row.
pub(super) fn rows(text: &str, include_passwords: bool, batch: &mut Batch) -> Result<()> {
    let doc = super::draft::xml(
        text,
        "The Workbench file",
        "Import connections.xml exactly as MySQL Workbench wrote it.",
    )?;
    for (i, node) in doc
        .descendants()
        .filter(|n| {
            n.has_tag_name("value") && n.attribute("struct-name") == Some("db.mgmt.Connection")
        })
        .enumerate()
    {
        let child = |key: &str| {
            node.children()
                .find(|c| c.is_element() && c.attribute("key") == Some(key))
        };
        let name = child("name")
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_owned();
        let driver = child("driver").and_then(|n| n.text()).unwrap_or_default();
        let params: BTreeMap<String, String> = child("parameterValues")
            .map(|d| {
                d.children()
                    .filter(|c| c.is_element())
                    .filter_map(|c| {
                        Some((
                            c.attribute("key")?.to_owned(),
                            c.text().unwrap_or("").to_owned(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let label = if name.is_empty() {
            format!("connection {}", i + 1)
        } else {
            name.clone()
        };
        let entry = match connection(&name, driver, &params, include_passwords) {
            Ok(Some(mut imp)) => {
                super::mark_source(&mut imp, crate::connstr::tools::Tool::Workbench, node.attribute("id").unwrap_or(""));
                Entry::Connection(Box::new(Parsed {
                    kind: SourceKind::Tool(super::tools::Tool::Workbench),
                    imported: imp,
                }))
            }
            Ok(None) => Entry::Skipped(format!(
                "Workbench's {driver} driver is not one Switchboard connects with (MySQL over TCP/IP, a socket or SSH)"
            )),
            Err(e) => Entry::Invalid(e),
        };
        batch.rows.push(Row { label, entry });
    }
    if batch.rows.is_empty() {
        batch
            .notes
            .push("the Workbench file holds no connections".into());
    }
    Ok(())
}

fn connection(
    name: &str,
    driver: &str,
    p: &BTreeMap<String, String>,
    include_passwords: bool,
) -> Result<Option<Imported>> {
    let get = |k: &str| p.get(k).filter(|v| !v.is_empty()).cloned();
    let kind = driver.strip_prefix(DRIVER_PREFIX).unwrap_or("");
    let (socket, ssh) = match kind {
        "native" | "ldap_user_password" | "ldap_sasl_kerberos" | "ldap_kerberos" => (false, false),
        "native_socket" => (true, false),
        "native_sshtun" => (false, true),
        _ => return Ok(None),
    };
    let use_ssl = get("useSSL").unwrap_or_else(|| "0".into());
    let mode = match use_ssl.as_str() {
        "1" => "PREFERRED",
        "2" => "REQUIRED",
        "3" => "VERIFY_CA",
        "4" => "VERIFY_IDENTITY",
        _ => "DISABLED",
    };
    let host = if socket {
        get("socket").unwrap_or_else(|| "/var/run/mysqld/mysqld.sock".into())
    } else {
        get("hostName").unwrap_or_else(|| "127.0.0.1".into())
    };
    let url = if socket {
        format!(
            "mysql://localhost/{}?socket={}&ssl-mode={mode}",
            super::draft::encode(&get("schema").unwrap_or_default()),
            super::draft::encode(&host)
        )
    } else {
        format!(
            "mysql://{}:{}/{}?ssl-mode={mode}",
            crate::hosts::url_host(&host),
            get("port").unwrap_or_else(|| "3306".into()),
            super::draft::encode(&get("schema").unwrap_or_default())
        )
    };
    let mut imp = super::import(&url)?.imported;
    imp.tls_from = Some(format!(
        "Workbench's useSSL={use_ssl}, Connector/C++'s ssl-mode {mode}"
    ));
    if let Some(u) = get("userName") {
        imp.fields.username = u;
    }
    for (key, slot) in [
        ("sslCA", FileSlot::Ca),
        ("sslCert", FileSlot::ClientCert),
        ("sslKey", FileSlot::ClientKey),
    ] {
        if let Some(path) = get(key) {
            super::draft::file(&mut imp, slot, key, path);
        }
    }
    match (get("password"), include_passwords) {
        (Some(pw), true) => {
            imp.password = Some(Secret::new(pw));
            imp.fields.password_save = PasswordSave::Keychain;
        }
        (Some(_), false) => {
            imp.password = None;
            imp.fields.password_save = PasswordSave::Ask;
            imp.warnings.push(
                "the file holds a password; it was not read (import with passwords included to bring it into the keychain)".into(),
            );
        }
        (None, _) => {
            imp.password = None;
            imp.fields.password_save = PasswordSave::Ask;
        }
    }
    // Workbench's one level of groups: "Group/Connection".
    match name.split_once('/') {
        Some((group, rest)) if !group.trim().is_empty() => {
            imp.fields.folder = crate::folder::normalize(group);
            imp.fields.name = rest.trim().to_owned();
        }
        _ => imp.fields.name = name.trim().to_owned(),
    }
    if imp.fields.name.is_empty() {
        imp.fields.name = super::draft::derive_name(&imp.fields);
    }
    if ssh {
        let (h, port) = match get("sshHost") {
            Some(s) => {
                let (h, p) = super::draft::split_host_port(&s)?;
                (h, p.unwrap_or(DEFAULT_SSH_PORT))
            }
            None => ("127.0.0.1".to_owned(), DEFAULT_SSH_PORT),
        };
        let key = get("sshKeyFile");
        let auth = if key.is_some() {
            SshAuth::Key
        } else {
            SshAuth::Password
        };
        let secret = get("sshPassword").filter(|_| include_passwords);
        imp.fields.ssh = Some(SshRoute::Hops {
            hops: vec![SshHop {
                host: h,
                port,
                user: get("sshUserName").unwrap_or_default(),
                auth,
                key_files: key.into_iter().collect(),
                secret_save: match (&secret, auth) {
                    (Some(_), _) => PasswordSave::Keychain,
                    (None, SshAuth::Key) => PasswordSave::None,
                    (None, _) => PasswordSave::Ask,
                },
            }],
        });
        imp.ssh_secrets = vec![secret.map(Secret::new)];
    }
    if kind.starts_with("ldap") {
        imp.warnings.push(format!(
            "Workbench's {kind} authentication has no place in Switchboard; user and password are used"
        ));
    }
    for (key, what) in [
        ("$others", "other Connector/C++ options"),
        ("SQL_MODE", "the SQL mode Workbench sets"),
        ("sslCipher", "the TLS cipher list"),
    ] {
        if get(key).is_some() {
            imp.warnings.push(format!(
                "{what} ({key}) have no place in Switchboard and were left out"
            ));
        }
    }
    Ok(Some(imp))
}
