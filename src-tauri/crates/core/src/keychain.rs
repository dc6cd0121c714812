//! Secrets in the OS keychain (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows) through keyring-core, one entry per secret.
//!
//! Entries are service `switchboard`, user `<connection id>:<kind>` (generation 0) or
//! `<connection id>:<kind>:<generation>`, and carry a label a person can search for
//! ("Switchboard password for prod-orders"). There is no fallback: when the keychain is
//! missing or locked the caller gets an error that says so.
//!
//! Every call blocks (D-Bus round trips); the core reaches the keychain only through
//! `secrets::Secrets`, which runs calls off the runtime with a timeout.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use keyring_core::{CredentialStore, Entry, Error as KeyringError};
use uuid::Uuid;

use crate::error::{CoreError, Result};
use crate::secret::Secret;

pub const SERVICE: &str = "switchboard";

/// The kinds of secret a connection can hold. A new kind is a variant here: the unit of
/// work in `secrets` handles every kind alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKind {
    Password,
    ClientKey,
    /// The secret of an SSH route's hop `n` (0-based; an alias route has slot 0): the key's
    /// passphrase or the SSH password, as the hop's way of logging in says.
    Ssh(u8),
}

/// `ssh-1` … `ssh-8`: stored kind names of the route's secret slots.
const SSH_KINDS: [&str; switchboard_model::ssh::MAX_HOPS] = [
    "ssh-1", "ssh-2", "ssh-3", "ssh-4", "ssh-5", "ssh-6", "ssh-7", "ssh-8",
];

impl SecretKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::Password => "password",
            SecretKind::ClientKey => "client-key",
            SecretKind::Ssh(n) => SSH_KINDS
                .get(usize::from(n))
                .copied()
                .unwrap_or("ssh-invalid"),
        }
    }

    pub fn parse(s: &str) -> Option<SecretKind> {
        match s {
            "password" => Some(SecretKind::Password),
            "client-key" => Some(SecretKind::ClientKey),
            _ => SSH_KINDS
                .iter()
                .position(|k| *k == s)
                .and_then(|n| u8::try_from(n).ok())
                .map(SecretKind::Ssh),
        }
    }

    /// The SSH slot for hop `i`, if a route can have that many hops.
    pub fn ssh(i: usize) -> Option<SecretKind> {
        (i < SSH_KINDS.len())
            .then(|| u8::try_from(i).ok().map(SecretKind::Ssh))
            .flatten()
    }

    fn words(self) -> String {
        match self {
            SecretKind::Password => "password".into(),
            SecretKind::ClientKey => "client key".into(),
            SecretKind::Ssh(n) => format!("SSH hop {} secret", u32::from(n) + 1),
        }
    }
}

/// Which secret: its connection, kind and generation, plus the connection name for the
/// label.
#[derive(Debug, Clone)]
pub struct SecretRef {
    pub connection_id: Uuid,
    pub connection_name: String,
    pub kind: SecretKind,
    /// 0 for the entry a new connection is created with; each later write of the secret
    /// gets a fresh, never reused number.
    pub generation: i64,
}

impl SecretRef {
    pub fn new(kind: SecretKind, connection_id: Uuid, connection_name: &str) -> Self {
        SecretRef {
            connection_id,
            connection_name: connection_name.to_owned(),
            kind,
            generation: 0,
        }
    }

    pub fn password(connection_id: Uuid, connection_name: &str) -> Self {
        Self::new(SecretKind::Password, connection_id, connection_name)
    }

    /// The same secret at another generation.
    pub fn at(mut self, generation: i64) -> Self {
        self.generation = generation;
        self
    }

    pub fn user(&self) -> String {
        match self.generation {
            0 => format!("{}:{}", self.connection_id, self.kind.as_str()),
            g => format!("{}:{}:{g}", self.connection_id, self.kind.as_str()),
        }
    }

    pub fn label(&self) -> String {
        format!(
            "Switchboard {} for {}",
            self.kind.words(),
            self.connection_name
        )
    }
}

/// The OS keychain. Connects on first use and again after a failure, so starting or
/// unlocking the keyring while Switchboard runs is enough.
#[derive(Clone, Default)]
pub struct Keychain {
    store: Arc<Mutex<Option<Arc<CredentialStore>>>>,
}

impl std::fmt::Debug for Keychain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keychain")
    }
}

impl Keychain {
    pub fn new() -> Self {
        Self::default()
    }

    fn store(&self) -> Result<Arc<CredentialStore>> {
        let mut guard = self
            .store
            .lock()
            .map_err(|_| CoreError::Keychain("keychain state poisoned".into()))?;
        if let Some(s) = guard.as_ref() {
            return Ok(s.clone());
        }
        let store = platform_store().map_err(|e| CoreError::KeychainUnavailable(describe(&e)))?;
        *guard = Some(store.clone());
        Ok(store)
    }

    fn entry(&self, r: &SecretRef) -> Result<Entry> {
        let label = r.label();
        let modifiers = HashMap::from([("label", label.as_str())]);
        self.store()?
            .build(SERVICE, &r.user(), Some(&modifiers))
            .map_err(|e| self.fail(e))
    }

    /// Maps a keyring error, and forgets the connection when the service itself failed so
    /// the next call reconnects.
    fn fail(&self, e: KeyringError) -> CoreError {
        let err = classify(&e);
        if matches!(err, CoreError::KeychainUnavailable(_)) {
            if let Ok(mut g) = self.store.lock() {
                *g = None;
            }
        }
        err
    }

    pub fn set(&self, r: &SecretRef, value: &Secret) -> Result<()> {
        self.entry(r)?
            .set_password(value.expose())
            .map_err(|e| self.fail(e))
    }

    pub fn get(&self, r: &SecretRef) -> Result<Option<Secret>> {
        match self.entry(r)?.get_password() {
            Ok(p) => Ok(Some(Secret::new(p))),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Gives an existing entry the label for `r` (after a rename). Where the platform keeps
    /// no label this does nothing.
    pub fn relabel(&self, r: &SecretRef) -> Result<()> {
        relabel_platform(&self.entry(r)?, &r.label()).map_err(|e| self.fail(e))
    }

    /// Removes the secret; a secret that is not there is not an error.
    pub fn delete(&self, r: &SecretRef) -> Result<()> {
        match self.entry(r)?.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(e) => Err(self.fail(e)),
        }
    }
}

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(zbus_secret_service_keyring_store::Store::new()?)
}

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
fn relabel_platform(entry: &Entry, label: &str) -> keyring_core::Result<()> {
    match entry
        .as_any()
        .downcast_ref::<zbus_secret_service_keyring_store::cred::Specifier>()
    {
        Some(spec) => match spec.set_label(label) {
            Err(KeyringError::NoEntry) => Ok(()),
            other => other,
        },
        None => Ok(()),
    }
}

#[cfg(not(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
)))]
fn relabel_platform(_entry: &Entry, _label: &str) -> keyring_core::Result<()> {
    Ok(())
}

#[cfg(target_os = "macos")]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(apple_native_keyring_store::keychain::Store::new()?)
}

#[cfg(target_os = "windows")]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(windows_native_keyring_store::Store::new()?)
}

/// A description of a keyring error that can never include secret bytes (the
/// `BadEncoding`/`BadDataFormat` variants carry them).
fn describe(e: &KeyringError) -> String {
    match e {
        KeyringError::PlatformFailure(inner) | KeyringError::NoStorageAccess(inner) => {
            inner.to_string()
        }
        KeyringError::BadEncoding(_) => "the stored secret is not valid UTF-8".into(),
        KeyringError::BadDataFormat(_, _) => "the stored secret has an unexpected format".into(),
        KeyringError::NoDefaultStore => "no credential store is available".into(),
        KeyringError::NoEntry => "no such entry".into(),
        KeyringError::BadStoreFormat(why) | KeyringError::NotSupportedByStore(why) => why.clone(),
        KeyringError::TooLong(attr, limit) => format!("{attr} is longer than {limit}"),
        KeyringError::Invalid(attr, why) => format!("{attr} {why}"),
        KeyringError::Ambiguous(found) => format!("{} entries match", found.len()),
        _ => "unknown keychain error".into(),
    }
}

fn classify(e: &KeyringError) -> CoreError {
    let text = describe(e);
    match e {
        KeyringError::NoStorageAccess(_) => CoreError::KeychainLocked(text),
        KeyringError::NoDefaultStore => CoreError::KeychainUnavailable(text),
        KeyringError::PlatformFailure(_)
            if text.contains("ServiceUnknown")
                || text.contains("org.freedesktop.secrets")
                || text.contains("No such file")
                || text.contains("Connection refused") =>
        {
            CoreError::KeychainUnavailable(text)
        }
        _ => CoreError::Keychain(text),
    }
}
