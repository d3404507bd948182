//! Build script of the C library (and only of it: the Rust crate `bpflink`
//! and the core have none, so Rust users build neither cbindgen nor cc).
//!
//! 1. Compiles the C half of the print path (src/print.c).
//! 2. Generates the C header with cbindgen into OUT_DIR/bpflink.h; writes
//!    include/bpflink.h too only when BPFLINK_UPDATE_HEADER=1 (a build
//!    script must not edit the source tree otherwise). `tests/header.rs`
//!    fails when the checked-in header differs from the generated one.
#![allow(clippy::expect_used)] // a build script reports failure by panicking

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));

    println!("cargo:rerun-if-changed=src/print.c");
    cc::Build::new()
        .file(root.join("src/print.c"))
        .flag_if_supported("-fvisibility=hidden")
        .warnings(true)
        .extra_warnings(true)
        .warnings_into_errors(true)
        .compile("bpflink_print");

    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-env-changed=BPFLINK_UPDATE_HEADER");
    let mut config =
        cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    let fragment =
        fs::read_to_string(root.join("src/after_includes.h")).expect("src/after_includes.h");
    config.after_includes = Some(fragment);
    let header = out.join("bpflink.h");
    cbindgen::Builder::new()
        .with_crate(&root)
        .with_config(config)
        .generate()
        .expect("cbindgen failed")
        .write_to_file(&header);
    if env::var("BPFLINK_UPDATE_HEADER").as_deref() == Ok("1") {
        fs::create_dir_all(root.join("include")).expect("mkdir include");
        fs::copy(&header, root.join("include/bpflink.h")).expect("copy header");
    }
}
