//! Handing freed heap back to the OS (Linux, glibc). Listing 10,000 connections reads
//! every row, builds the summaries and their JSON for the page: tens of MiB that are freed
//! at once but that glibc keeps in its per-thread arenas, so the window's process stayed
//! ~90 MiB larger after the list was shown (`benches/benches/list_scale.rs`). Fewer arenas
//! and a trim shortly after a large response give those pages back.

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod imp {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    static PENDING: AtomicBool = AtomicBool::new(false);

    /// At start-up, before any thread: two arenas rather than eight per core.
    pub fn tune() {
        // SAFETY: mallopt only sets a parameter of the allocator; called before threads start.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }

    /// Trims the heap once the response in flight has been serialised and sent (a second
    /// later); calls while one is pending add nothing.
    pub fn release_soon() {
        if PENDING.swap(true, Ordering::AcqRel) {
            return;
        }
        tauri::async_runtime::spawn(async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            PENDING.store(false, Ordering::Release);
            // SAFETY: malloc_trim only returns free pages to the OS; it walks the arenas
            // under their locks. It can take a few ms, so off the async workers.
            let _ = tokio::task::spawn_blocking(|| unsafe { libc::malloc_trim(0) }).await;
        });
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod imp {
    pub fn tune() {}
    pub fn release_soon() {}
}

pub use imp::{release_soon, tune};
