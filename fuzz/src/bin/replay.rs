//! Replays fuzz inputs (files or directories of files) through both checks
//! without libFuzzer: `replay <path>...`. Prints each difference and ends
//! with "N passed, N failed".
use std::path::{Path, PathBuf};

fn collect(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for e in entries {
            collect(&e, out);
        }
    } else {
        out.push(p.to_path_buf());
    }
}

fn main() {
    let mut files = Vec::new();
    for a in std::env::args_os().skip(1) {
        collect(Path::new(&a), &mut files);
    }
    let (mut passed, mut failed) = (0, 0);
    for f in &files {
        let data = std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        for r in [
            bpflink_fuzz::compare_core(&data),
            bpflink_fuzz::compare_ffi(&data),
        ] {
            match r {
                Ok(()) => passed += 1,
                Err(e) => {
                    failed += 1;
                    println!("FAIL {}: {e}", f.display());
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    std::process::exit(i32::from(failed > 0));
}
