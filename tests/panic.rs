//! A Rust panic can never unwind into C.
//!
//! The argument, each step checked here:
//!
//! 1. Every exported function is `extern "C"` (never `"C-unwind"`): since
//!    Rust 1.81 a panic that reaches an `extern "C"` boundary aborts the
//!    process instead of unwinding through it. Checked on the sources (every
//!    `#[no_mangle]` item is an `extern "C" fn`, no `C-unwind` anywhere),
//!    and the language rule itself on this toolchain, in a child process
//!    (`extern_c_panic_aborts_the_process`).
//! 2. The shipped libraries are `no_std`, built with `panic = "abort"`
//!    (release profile, which `make` uses), and their `#[panic_handler]`
//!    calls `abort()`: a panic never starts unwinding at all. Checked on the
//!    artifacts: neither library references any `_Unwind_*` function, C++'s
//!    throw/catch or Rust's personality routine, so nothing in them can
//!    start or continue an unwind.
//! 3. The library has no panicking paths by construction (clippy denies
//!    `panic`, `unwrap`, `expect`, indexing), so 1 and 2 are the backstop.
//!
//! A test-only exported function that panics would prove nothing about the
//! shipped library (and would be shipped), hence the artifact checks.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `build/lib`, built (or brought up to date) once by `make lib`.
fn libdir() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let st = Command::new("make")
            .args(["-s", "--no-print-directory", "lib"])
            .current_dir(root())
            .status()
            .expect("run make");
        assert!(st.success(), "make lib failed");
        root().join("build/lib")
    })
}

/// The `[profile.NAME]` table of Cargo.toml, as its lines.
fn profile(manifest: &str, name: &str) -> Vec<String> {
    let header = format!("[profile.{name}]");
    manifest
        .lines()
        .skip_while(|l| l.trim() != header)
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with('['))
        .map(|l| l.split('#').next().unwrap_or("").replace(' ', ""))
        .collect()
}

#[test]
fn release_profile_aborts_on_panic() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let release = profile(&manifest, "release");
    assert!(
        release.iter().any(|l| l == "panic=\"abort\""),
        "[profile.release] must say panic = \"abort\" (the libraries `make` ships); got {release:?}"
    );
    // The Makefile ships the release build of the C library's crate.
    let makefile = std::fs::read_to_string(root().join("Makefile")).unwrap();
    assert!(
        makefile.contains("rustc --release -p libbpflink"),
        "the Makefile builds the libraries with --release"
    );
    // The panic handler aborts (and exists only in panic=abort builds).
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    assert!(lib.contains("#![no_std]"), "src/lib.rs is no_std");
    let handler = lib
        .split("#[panic_handler]")
        .nth(1)
        .expect("src/lib.rs has a #[panic_handler]");
    let body = handler.split('}').next().unwrap_or("");
    assert!(
        body.contains("libc::abort()"),
        "the panic handler aborts:\n{body}"
    );
}

/// Undefined symbols of `path` (`nm -u`, all members for an archive).
fn undefined(path: &Path, dynamic: bool) -> String {
    let mut cmd = Command::new("nm");
    if dynamic {
        cmd.arg("-D");
    }
    let out = cmd
        .arg("--undefined-only")
        .arg(path)
        .output()
        .expect("nm (binutils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn libraries_cannot_start_an_unwind() {
    for (name, dynamic) in [("libbpflink.so", true), ("libbpflink.a", false)] {
        let p = libdir().join(name);
        let syms = undefined(&p, dynamic);
        assert!(
            !syms.trim().is_empty(),
            "nm printed nothing for {}",
            p.display()
        );
        // (`__cxa_finalize` is the C runtime's destructor hook, not C++.)
        for unwind in [
            "_Unwind_",
            "__cxa_throw",
            "__cxa_begin_catch",
            "rust_eh_personality",
        ] {
            assert!(
                !syms.contains(unwind),
                "{} references {unwind}*: something in it can unwind\n{syms}",
                p.display()
            );
        }
    }
}

/// Every exported item in the sources is an `extern "C" fn`.
#[test]
fn every_export_is_extern_c_and_nothing_is_c_unwind() {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&root().join("src"), &mut files);
    let mut exports = 0;
    let mut bad = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        if text.contains("C-unwind") {
            bad.push(format!("{}: mentions \"C-unwind\"", f.display()));
        }
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim();
            if t == "#[unsafe(no_mangle)]"
                || t == "#[no_mangle]"
                || t.starts_with("#[unsafe(export_name")
                || t.starts_with("#[export_name")
            {
                // The item: the next line that is not an attribute or comment.
                let item = lines[i + 1..]
                    .iter()
                    .map(|l| l.trim())
                    .find(|l| !l.starts_with("#[") && !l.starts_with("//"))
                    .unwrap_or("");
                exports += 1;
                let is_c_fn = item.contains("extern \"C\" fn ");
                let is_static = item.contains(" static ")
                    || item.starts_with("static ")
                    || item.starts_with("pub static ");
                if !is_c_fn && !is_static {
                    bad.push(format!(
                        "{}:{}: exported item is not an extern \"C\" fn: {item}",
                        f.display(),
                        i + 2
                    ));
                }
            }
        }
    }
    assert!(exports >= 20, "found only {exports} exports");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

// ------------------------------------------------------ the language rule

extern "C" fn panics_inside_extern_c() -> i32 {
    panic!("boom inside an extern \"C\" function");
}

/// The child's side: a panic inside an `extern "C"` function, with a
/// `catch_unwind` around the call. If the panic could unwind out of the
/// function, the catch would return and the child would exit 0.
#[test]
fn panic_child_probe() {
    if std::env::var_os("BPFLINK_PANIC_CHILD").is_none() {
        return;
    }
    let r = std::panic::catch_unwind(|| panics_inside_extern_c());
    println!("UNWOUND: caught {:?}", r.is_err());
    std::process::exit(0);
}

#[test]
fn extern_c_panic_aborts_the_process() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "panic_child_probe",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("BPFLINK_PANIC_CHILD", "1")
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGABRT),
        "the child must die of SIGABRT; status {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    assert!(
        !stdout.contains("UNWOUND"),
        "the panic unwound out of extern \"C\":\n{stdout}"
    );
    assert!(
        stderr.contains("panic in a function that cannot unwind"),
        "the abort names the reason:\n{stderr}"
    );
}
