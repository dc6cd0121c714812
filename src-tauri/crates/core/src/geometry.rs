//! Where the window was and how big: kept in the data dir (`window.json`) so that the next
//! start opens it the same, and so that two data dirs (two profiles, the tests) never share
//! it. A missing or garbled file is no state, never an error.

use std::path::Path;

use serde::{Deserialize, Serialize};

const FILE: &str = "window.json";

/// The window's outer position and inner size in physical pixels, and whether it was
/// maximised (then the size is the one it had before).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowGeometry {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
    pub maximized: bool,
}

/// The geometry saved in `dir`, if any can be read.
pub fn load(dir: &Path) -> Option<WindowGeometry> {
    let text = std::fs::read_to_string(dir.join(FILE)).ok()?;
    match serde_json::from_str::<WindowGeometry>(&text) {
        Ok(g) if g.width > 0 && g.height > 0 => Some(g),
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(error = %e, "ignoring an unreadable window.json");
            None
        }
    }
}

/// Saves `g` in `dir`, replacing the file whole (written aside, then renamed).
pub fn save(dir: &Path, g: &WindowGeometry) -> std::io::Result<()> {
    let text = serde_json::to_string(g).map_err(std::io::Error::other)?;
    let aside = dir.join(format!("{FILE}.tmp"));
    std::fs::write(&aside, text)?;
    std::fs::rename(aside, dir.join(FILE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_geometry_loads_back_and_a_garbled_file_is_no_state() {
        let dir = std::env::temp_dir().join(format!("sb-geometry-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(load(&dir), None);
        let g = WindowGeometry {
            x: -20,
            y: 40,
            width: 900,
            height: 600,
            maximized: true,
        };
        save(&dir, &g).unwrap();
        assert_eq!(load(&dir), Some(g));
        std::fs::write(dir.join(FILE), "{not json").unwrap();
        assert_eq!(load(&dir), None);
        std::fs::write(
            dir.join(FILE),
            r#"{"x":0,"y":0,"width":0,"height":5,"maximized":false}"#,
        )
        .unwrap();
        assert_eq!(load(&dir), None);
        std::fs::remove_dir_all(&dir).ok();
    }
}
