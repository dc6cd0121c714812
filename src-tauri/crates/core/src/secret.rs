//! A secret value (password, private key, passphrase) that cannot leak by accident:
//! Debug and Display print `<redacted>`, it has no `Serialize`, and memory is zeroed on drop.
//! The only way to read it is `expose()`, which is easy to grep for.

use serde::{Deserialize, Deserializer};
use zeroize::Zeroizing;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Zeroizing::new(value.into()))
    }

    /// The secret's value. Call only where it must go: the keychain, a driver, or an
    /// explicit reveal.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let s = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s}"), "<redacted>");
        let wrapped = Some(vec![s.clone()]);
        assert!(!format!("{wrapped:?}").contains("hunter2"));
        assert_eq!(s.expose(), "hunter2-very-secret");
    }

    #[test]
    fn deserializes_from_a_plain_json_string() {
        let s: Secret = serde_json::from_str("\"p@ss\"").unwrap();
        assert_eq!(s.expose(), "p@ss");
    }
}
