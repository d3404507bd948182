//! The checked-in `include/bpflink.h` is exactly what build.rs generates
//! (cbindgen from the Rust sources + `src/after_includes.h`) into
//! `OUT_DIR/bpflink.h` for this very build
//! (docs/libbpf-behaviour.md#how-the-header-is-made-and-checked). Cargo sets
//! OUT_DIR when compiling every target of a package with a build script, this
//! test included, so there is no guessing which `target/*/build/bpflink-*` is
//! current.
#![allow(clippy::panic)]

use std::fs;
use std::path::Path;

const FIX: &str = "include/bpflink.h is stale: run `make header` \
                   (BPFLINK_UPDATE_HEADER=1 cargo build) and commit the result";

#[test]
fn checked_in_header_is_the_generated_one() {
    let generated = Path::new(env!("OUT_DIR")).join("bpflink.h");
    let checked_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/bpflink.h");
    let want = fs::read_to_string(&generated)
        .unwrap_or_else(|e| panic!("{}: {e} (build.rs writes it)", generated.display()));
    let have = fs::read_to_string(&checked_in)
        .unwrap_or_else(|e| panic!("{}: {e}\n{FIX}", checked_in.display()));
    if want == have {
        return;
    }
    let (line, (w, h)) = want
        .lines()
        .zip(have.lines())
        .enumerate()
        .find(|(_, (w, h))| w != h)
        .map(|(i, pair)| (i + 1, pair))
        .unwrap_or_else(|| {
            let n = want.lines().count().min(have.lines().count()) + 1;
            (n, ("<end of file>", "<end of file>"))
        });
    panic!(
        "{FIX}\nfirst difference at line {line}:\n  generated:  {w}\n  checked in: {h}\n\
         (generated: {}; {} vs {} lines)",
        generated.display(),
        want.lines().count(),
        have.lines().count()
    );
}
