//! Stopping a running test (or a run of them) from elsewhere: a button in the window,
//! Ctrl-C in the terminal.
//!
//! `Cancel` is one switch shared by its clones. Only `cancel()` sets it: dropping every
//! clone is not a cancel, so `cancelled()` stays pending for a caller that went away (its
//! test then ends by itself, or is dropped with the command that ran it).

use std::collections::HashMap;
use std::sync::Mutex;

use tokio_util::sync::CancellationToken;

use crate::error::{CoreError, ErrorCode, Result};

#[derive(Debug, Clone, Default)]
pub struct Cancel(CancellationToken);

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Stops whatever waits on this switch (or on any of its clones), now and later.
    pub fn cancel(&self) {
        self.0.cancel();
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }

    /// Resolves once `cancel` has been called; pending until then.
    pub async fn cancelled(&self) {
        self.0.cancelled().await;
    }
}

/// Tests in flight by the caller's id (the window names each test it starts), so that a
/// later call can stop one by that id.
#[derive(Debug, Default)]
pub struct Running {
    by_id: Mutex<HashMap<String, Cancel>>,
}

impl Running {
    /// Puts `id` on the list until the returned guard is dropped (however the test ends,
    /// also when its command's future is dropped mid-test).
    pub fn start(&self, id: &str) -> Result<Started<'_>> {
        let mut by_id = self.lock()?;
        if by_id.contains_key(id) {
            return Err(CoreError::input(
                ErrorCode::ValidationFailed,
                Some("test_id"),
                "A test with this id is already running.",
                "Start each test with a new id.",
            ));
        }
        let cancel = Cancel::new();
        by_id.insert(id.to_owned(), cancel.clone());
        Ok(Started {
            running: self,
            id: id.to_owned(),
            cancel,
        })
    }

    /// Stops the test running under `id`; an id that is not running (it already ended) is
    /// not an error.
    pub fn cancel(&self, id: &str) {
        if let Some(c) = self.lock().ok().and_then(|mut by_id| by_id.remove(id)) {
            c.cancel();
        }
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, Cancel>>> {
        self.by_id
            .lock()
            .map_err(|_| CoreError::Storage("the list of running tests is poisoned".into()))
    }
}

/// A test on the `Running` list; dropping it takes the test off.
#[derive(Debug)]
pub struct Started<'a> {
    running: &'a Running,
    id: String,
    cancel: Cancel,
}

impl Started<'_> {
    /// The switch `Running::cancel` sets for this test.
    pub fn cancel(&self) -> Cancel {
        self.cancel.clone()
    }
}

impl Drop for Started<'_> {
    fn drop(&mut self) {
        if let Ok(mut by_id) = self.running.by_id.lock() {
            by_id.remove(&self.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    async fn resolves(c: &Cancel) -> bool {
        tokio::time::timeout(Duration::from_millis(50), c.cancelled())
            .await
            .is_ok()
    }

    #[tokio::test]
    async fn cancelled_stays_pending_until_cancel_and_dropped_clones_are_no_cancel() {
        let c = Cancel::new();
        drop(c.clone());
        assert!(!resolves(&c).await);
        assert!(!c.is_cancelled());
        c.clone().cancel();
        assert!(resolves(&c).await);
        assert!(c.is_cancelled(), "a cancel is for good");
        assert!(resolves(&c).await);
    }

    #[tokio::test]
    async fn a_cancel_wakes_a_waiter_that_is_already_waiting() {
        let c = Cancel::new();
        let waiter = tokio::spawn({
            let c = c.clone();
            async move { c.cancelled().await }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        c.cancel();
        tokio::time::timeout(Duration::from_secs(1), waiter)
            .await
            .unwrap()
            .unwrap();
    }

    #[tokio::test]
    async fn running_cancels_by_id_refuses_an_id_in_use_and_forgets_a_finished_test() {
        let running = Running::default();
        let a = running.start("a").unwrap();
        let b = running.start("b").unwrap();
        let err = running.start("a").unwrap_err();
        assert_eq!(err.code(), ErrorCode::ValidationFailed);
        running.cancel("a");
        assert!(a.cancel().is_cancelled());
        assert!(!b.cancel().is_cancelled(), "only the named test stops");
        running.cancel("nobody");
        let b_switch = b.cancel();
        drop(b);
        running.cancel("b");
        assert!(!b_switch.is_cancelled(), "a finished test is off the list");
        drop(a);
        let again = running.start("a").unwrap();
        assert!(!again.cancel().is_cancelled(), "an id can be used again");
    }
}
