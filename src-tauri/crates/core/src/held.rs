//! Values the core keeps for the window between two calls, behind a random token: the
//! window holds the token, never the value (a pasted string's secrets, a picked file's
//! path). Bounded: past `cap`, the oldest goes, so a window that never comes back costs
//! little; a token that went is simply unknown.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

pub(crate) struct Held<T> {
    cap: usize,
    items: Mutex<VecDeque<(String, T)>>,
}

impl<T: Clone> Held<T> {
    pub(crate) fn new(cap: usize) -> Held<T> {
        Held {
            cap: cap.max(1),
            items: Mutex::new(VecDeque::new()),
        }
    }

    /// Keeps `value` and returns its new token.
    pub(crate) fn put(&self, value: T) -> String {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let mut items = self.lock();
        while items.len() >= self.cap {
            items.pop_front();
        }
        items.push_back((token.clone(), value));
        token
    }

    pub(crate) fn get(&self, token: &str) -> Option<T> {
        self.lock()
            .iter()
            .find(|(t, _)| t == token)
            .map(|(_, v)| v.clone())
    }

    pub(crate) fn remove(&self, token: &str) {
        self.lock().retain(|(t, _)| t != token);
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<(String, T)>> {
        // A panic mid-push leaves the queue whole: keep using it.
        self.items
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Never the values: only how many are held.
impl<T> std::fmt::Debug for Held<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.items.lock().map_or(0, |i| i.len());
        f.debug_struct("Held")
            .field("cap", &self.cap)
            .field("held", &n)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_finds_its_value_until_removed_and_the_oldest_goes_past_the_cap() {
        let held = Held::new(2);
        let a = held.put("a");
        let b = held.put("b");
        assert_ne!(a, b);
        assert_eq!(held.get(&a), Some("a"));
        let c = held.put("c");
        assert_eq!(held.get(&a), None, "the oldest went");
        assert_eq!(held.get(&b), Some("b"));
        assert_eq!(held.get(&c), Some("c"));
        held.remove(&b);
        assert_eq!(held.get(&b), None);
        assert_eq!(held.get("not a token"), None);
        assert_eq!(format!("{held:?}"), "Held { cap: 2, held: 1 }");
    }
}
