//! A temporary folder, removed on drop.

use std::path::{Path, PathBuf};

/// A fresh folder under the system's temporary folder, named for the test and the process.
pub struct Dir(pub PathBuf);

impl Dir {
    /// Creates it empty (a leftover of an earlier run is removed first).
    pub fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("roster-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
