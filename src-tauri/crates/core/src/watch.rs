//! Tells the window that the saved connections changed on disk: the CLI, another window
//! or an import wrote the data file. `StoreWatch` watches the data dir (inotify on Linux,
//! through `notify`) and calls back once per burst of writes, so a script adding 300
//! connections is a few refreshes, not 300. The window's own writes come back too; a
//! refresh that finds nothing new changes nothing.

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{CoreError, ErrorCode, Result};
use crate::store::DB_FILE;

/// Quiet time that ends a burst of writes.
const SETTLE: Duration = Duration::from_millis(150);
/// A burst that never settles is still reported this often.
const AT_LEAST_EVERY: Duration = Duration::from_secs(1);

/// What the window is told outside of a command's answer.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum WindowNotice {
    /// The saved connections may have changed (written elsewhere, or the window came back
    /// to the front): list them again, without dropping the open form.
    StoreChanged,
    /// The user asked to close the window while it holds unsaved edits.
    CloseRequested,
    /// Files from the desktop are being dragged over the window: show where to drop them.
    DragOver,
    /// The drag left the window, or was dropped.
    DragLeft,
    /// A file or folder was dropped on the window: held for an import like a picked file
    /// (the page never sees its path). `others`: how many more were dropped with it.
    Dropped {
        file: crate::imports::PickedFile,
        others: u32,
    },
}

/// Watches `dir`'s data file while it lives.
pub struct StoreWatch {
    _watcher: notify::RecommendedWatcher,
}

impl StoreWatch {
    /// `on_change` runs on a thread of its own, after each burst of writes to the data
    /// file or its write-ahead log (not the shared-memory index, which readers touch).
    pub fn start(dir: &Path, on_change: impl Fn() + Send + 'static) -> Result<Self> {
        let (tx, rx) = mpsc::channel::<()>();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                if event.is_ok_and(|e| is_store_write(&e)) {
                    let _ = tx.send(());
                }
            })
            .map_err(cannot_watch)?;
        watcher
            .watch(dir, RecursiveMode::NonRecursive)
            .map_err(cannot_watch)?;
        std::thread::Builder::new()
            .name("store-watch".into())
            .spawn(move || {
                // Ends when the watcher (and with it the sender) is dropped.
                while rx.recv().is_ok() {
                    let first = Instant::now();
                    while first.elapsed() < AT_LEAST_EVERY && rx.recv_timeout(SETTLE).is_ok() {}
                    on_change();
                }
            })
            .map_err(|e| cannot_watch(notify::Error::io(e)))?;
        Ok(StoreWatch { _watcher: watcher })
    }
}

fn is_store_write(e: &notify::Event) -> bool {
    let wal = format!("{DB_FILE}-wal");
    matches!(
        e.kind,
        EventKind::Modify(_) | EventKind::Create(_) | EventKind::Remove(_)
    ) && e.paths.iter().any(|p| {
        p.file_name()
            .is_some_and(|n| n == DB_FILE || n == wal.as_str())
    })
}

fn cannot_watch(e: notify::Error) -> CoreError {
    CoreError::input(
        ErrorCode::StorageFailed,
        None,
        format!("The data directory cannot be watched for changes: {e}."),
        "Changes made elsewhere show when the window comes to the front; raise the inotify watch limit (fs.inotify.max_user_watches) to see them at once.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn wait_for(n: &AtomicUsize, at_least: usize) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if n.load(Ordering::SeqCst) >= at_least {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    #[test]
    fn a_burst_of_writes_to_the_data_file_is_reported_once_and_other_files_not_at_all() {
        let dir = std::env::temp_dir().join(format!("sb-watch-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = calls.clone();
        let _watch = StoreWatch::start(&dir, move || {
            seen.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
        std::fs::write(dir.join("switchboard.db-shm"), b"readers").unwrap();
        std::fs::write(dir.join("switchboard.log"), b"log").unwrap();
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(calls.load(Ordering::SeqCst), 0, "not the data file");
        for i in 0..20 {
            std::fs::write(dir.join("switchboard.db-wal"), format!("write {i}")).unwrap();
        }
        assert!(wait_for(&calls, 1));
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(calls.load(Ordering::SeqCst), 1, "one burst, one call");
        std::fs::remove_dir_all(&dir).ok();
    }
}
