//! `NATIVE_LIBS` in the Makefile (what a C program linking libbpflink.a
//! also needs, and `Libs.private` in bpflink.pc) is what rustc says this
//! crate's staticlib needs (`--print native-static-libs`), as in rustls-ffi's
//! tests/static_libs.rs. `make test-c` then links every C test against the
//! archive with exactly that list.
//!
//! The query runs `cargo rustc` in its own target directory
//! (`target/native-static-libs`) so it neither waits for nor disturbs the
//! build lock and artifacts of the `cargo test` running it: the first run
//! compiles the crate once (~15 s); later runs replay cargo's cached note.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

use std::fs;
use std::path::Path;
use std::process::Command;

fn words(s: &str) -> Vec<&str> {
    s.split_whitespace().collect()
}

/// The value of `NAME := ...` (or `=`, `?=`) in the Makefile.
fn makefile_var<'a>(makefile: &'a str, name: &str) -> &'a str {
    makefile
        .lines()
        .find_map(|line| {
            let rest = line.strip_prefix(name)?.trim_start();
            let rest = ["?=", ":=", "="]
                .iter()
                .find_map(|op| rest.strip_prefix(op))?;
            Some(rest.trim())
        })
        .unwrap_or_else(|| panic!("no `{name} :=` line in the Makefile"))
}

fn rustc_native_static_libs(root: &Path) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is under the target directory")
        .join("native-static-libs");
    let output = Command::new(&cargo)
        .current_dir(root)
        .args([
            "rustc",
            "--lib",
            "--locked",
            "--offline",
            "--message-format=short",
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        .args(["--", "--print", "native-static-libs"])
        // Keep this small: the libraries needed do not depend on debuginfo.
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cargo}: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "cargo rustc failed:\n{stderr}");
    stderr
        .lines()
        .find_map(|l| {
            l.split_once("native-static-libs: ")
                .map(|p| p.1.trim().to_owned())
        })
        .unwrap_or_else(|| panic!("no native-static-libs note in:\n{stderr}"))
}

#[test]
fn makefile_native_libs_are_rustcs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let makefile = fs::read_to_string(root.join("Makefile")).expect("read Makefile");
    let ours = makefile_var(&makefile, "NATIVE_LIBS");
    let rustc = rustc_native_static_libs(root);
    assert_eq!(
        words(ours),
        words(&rustc),
        "NATIVE_LIBS in the Makefile must be rustc's --print native-static-libs \
         (update the Makefile: NATIVE_LIBS := {rustc})"
    );
}

#[test]
fn pkg_config_template_uses_native_libs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pc = fs::read_to_string(root.join("bpflink.pc.in")).expect("read bpflink.pc.in");
    assert!(
        pc.lines()
            .any(|l| words(l) == ["Libs.private:", "@NATIVE_LIBS@"]),
        "bpflink.pc.in must say `Libs.private: @NATIVE_LIBS@`"
    );
    let makefile = fs::read_to_string(root.join("Makefile")).expect("read Makefile");
    assert!(
        makefile.contains("s|@NATIVE_LIBS@|$(NATIVE_LIBS)|"),
        "the Makefile must fill @NATIVE_LIBS@ from $(NATIVE_LIBS)"
    );
}
