//! Where links are pinned (`--bpffs`, like `bpftool link show -f`): every
//! mounted bpffs is walked and each file on it opened; those that are links
//! are recorded under their id.
//!
//! Bounded: at most [`MAX_ENTRIES`] directory entries in all and
//! [`MAX_DEPTH`] directories deep; symbolic links are not followed, and a
//! mount point seen before (the same path mounted over) is walked once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bpflink::Link;

use crate::failure::warn;

/// How many directory entries the walk looks at, over every mount.
pub const MAX_ENTRIES: usize = 100_000;
/// How deep below a mount point the walk goes.
pub const MAX_DEPTH: usize = 32;

/// Link id → the paths it is pinned at, in walk order.
#[derive(Debug, Default)]
pub struct Pins {
    by_id: HashMap<u32, Vec<PathBuf>>,
}

impl Pins {
    /// Walks every bpffs mounted in this mount namespace.
    pub fn find() -> Pins {
        let mut mounts = bpflink::bpffs_mounts();
        let mut seen = Vec::new();
        mounts.retain(|m| {
            let new = !seen.contains(m);
            seen.push(m.clone());
            new
        });
        let mut pins = Pins::default();
        let mut budget = MAX_ENTRIES;
        for mount in &mounts {
            pins.walk(mount, 0, &mut budget);
        }
        if budget == 0 {
            warn(&format!(
                "stopped looking for pins after {MAX_ENTRIES} bpffs entries; some may be missing"
            ));
        }
        for paths in pins.by_id.values_mut() {
            paths.sort();
        }
        pins
    }

    /// The paths link `id` is pinned at (empty when none).
    pub fn of(&self, id: u32) -> &[PathBuf] {
        self.by_id.get(&id).map_or(&[], Vec::as_slice)
    }

    fn walk(&mut self, dir: &Path, depth: usize, budget: &mut usize) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            if *budget == 0 {
                return;
            }
            *budget -= 1;
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                if depth < MAX_DEPTH {
                    self.walk(&path, depth + 1, budget);
                }
            } else if kind.is_file() {
                // Programs and maps are pinned here too: not links, skipped.
                if let Ok(id) = Link::open_pinned(&path).and_then(|l| l.id()) {
                    self.by_id.entry(id).or_default().push(path);
                }
            }
        }
    }
}
