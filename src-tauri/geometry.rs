//! The window's size and position across runs: restored at start (only onto a monitor
//! that is there now), captured as it moves or resizes and written once it has been still
//! for a moment (a drag is one write, not hundreds), and when it closes. The file lives in
//! the data dir (`core::geometry`).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use switchboard_core::geometry::{self, WindowGeometry};
use tauri::{PhysicalPosition, PhysicalSize, Runtime, Window};

const SETTLE: Duration = Duration::from_millis(400);

pub struct Geometry {
    dir: PathBuf,
    last: Arc<Mutex<Option<WindowGeometry>>>,
    /// Bumped on each change: a pending write that sees a newer one leaves it to that one.
    changes: Arc<AtomicU64>,
}

impl Geometry {
    pub fn new(dir: PathBuf) -> Self {
        Geometry {
            dir,
            last: Arc::default(),
            changes: Arc::default(),
        }
    }

    /// Puts the window back where it was, if that is on a monitor present now.
    pub fn restore<R: Runtime>(&self, window: &tauri::WebviewWindow<R>) {
        let Some(g) = geometry::load(&self.dir) else {
            return;
        };
        let _ = window.set_size(PhysicalSize::new(g.width, g.height));
        let visible = window.available_monitors().is_ok_and(|monitors| {
            monitors.iter().any(|m| {
                let (p, s) = (m.position(), m.size());
                let inside = |x: i32, y: i32| {
                    x >= p.x
                        && y >= p.y
                        && i64::from(x) < i64::from(p.x) + i64::from(s.width)
                        && i64::from(y) < i64::from(p.y) + i64::from(s.height)
                };
                // The title bar's corner must be reachable to move it back.
                inside(g.x.saturating_add(40), g.y.saturating_add(10))
            })
        });
        if visible {
            let _ = window.set_position(PhysicalPosition::new(g.x, g.y));
        }
        if g.maximized {
            let _ = window.maximize();
        }
        if let Ok(mut last) = self.last.lock() {
            *last = Some(g);
        }
    }

    /// Records the window's geometry now; writes it once it has not changed for a moment,
    /// or at once when `now` (the window is closing).
    pub fn capture<R: Runtime>(&self, window: &Window<R>, now: bool) {
        self.record(
            window.is_maximized().unwrap_or(false),
            window.outer_position(),
            window.inner_size(),
            now,
        );
    }

    /// `capture` for the webview window (the close command holds that one).
    pub fn capture_webview<R: Runtime>(&self, window: &tauri::WebviewWindow<R>, now: bool) {
        self.record(
            window.is_maximized().unwrap_or(false),
            window.outer_position(),
            window.inner_size(),
            now,
        );
    }

    fn record(
        &self,
        maximized: bool,
        position: tauri::Result<PhysicalPosition<i32>>,
        size: tauri::Result<PhysicalSize<u32>>,
        now: bool,
    ) {
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        let g = match (maximized, *last) {
            // Maximised: keep the size it had before, to go back to it.
            (true, Some(before)) => WindowGeometry {
                maximized: true,
                ..before
            },
            _ => {
                let (Ok(p), Ok(s)) = (position, size) else {
                    return;
                };
                WindowGeometry {
                    x: p.x,
                    y: p.y,
                    width: s.width,
                    height: s.height,
                    maximized,
                }
            }
        };
        if *last == Some(g) && !now {
            return;
        }
        *last = Some(g);
        drop(last);
        let change = self.changes.fetch_add(1, Ordering::SeqCst) + 1;
        if now {
            write(&self.dir, &g);
            return;
        }
        let (dir, changes) = (self.dir.clone(), Arc::clone(&self.changes));
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(SETTLE).await;
            if changes.load(Ordering::SeqCst) == change {
                let _ = tokio::task::spawn_blocking(move || write(&dir, &g)).await;
            }
        });
    }
}

fn write(dir: &std::path::Path, g: &WindowGeometry) {
    if let Err(e) = geometry::save(dir, g) {
        tracing::warn!(error = %e, "could not remember the window's size and position");
    }
}
