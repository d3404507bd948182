//! The C library's footprint, as a C programmer meets it: what the shipped
//! `libbpflink.so` and `libbpflink.a` weigh, what they need at link and load
//! time, and that nothing of Rust's std runtime rides along.
//!
//! Budgets (libbpf 1.7.0's whole `libbpf.so` is 434 KB stripped, Debian's
//! `libbpf.a` 586 KB):
//! - libbpf's link API alone (`make lean`: the library without bpflink's
//!   own attach-by-name extension) ≤ 64 KiB stripped, and it adds ≤ 64 KiB
//!   to a C program linking its archive;
//! - the full `libbpflink.so` ≤ 120 KiB stripped, libc its only NEEDED
//!   entry (attach by name adds 52 KiB, 8 KiB of them the ELF symbol reader;
//!   docs/elf-reader.md has the measurements);
//! - `libbpflink.a` ≤ 2.5 MB, one pre-linked object whose only global
//!   definitions are the exported functions, needing nothing but libc;
//! - a C program linked with `-l:libbpflink.a` needs only libc and grows by
//!   ≤ 104 KiB stripped (64 KiB before attach by name); `cc -static`
//!   links and runs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const KIB: u64 = 1024;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `build/`, after `make lib` (once per test process).
fn build() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let st = Command::new("make")
            .args(["-s", "--no-print-directory", "lib"])
            .current_dir(root())
            .status()
            .expect("run make");
        assert!(st.success(), "make lib failed");
        root().join("build")
    })
}

fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("footprint");
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stripped_size(path: &Path) -> u64 {
    let out = scratch(&format!(
        "{}.stripped",
        path.file_name().unwrap().to_string_lossy()
    ));
    run(Command::new("strip").arg("-o").arg(&out).arg(path));
    std::fs::metadata(&out).unwrap().len()
}

fn needed(path: &Path) -> Vec<String> {
    run(Command::new("readelf").arg("-dW").arg(path))
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| l.split_once('[').and_then(|p| p.1.split_once(']')))
        .map(|p| p.0.to_owned())
        .collect()
}

fn exports() -> BTreeSet<String> {
    std::fs::read_to_string(build().join("obj/exports.txt"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Symbols of Rust's std runtime a no_std library must not carry.
const RUNTIME: [&str; 8] = [
    "gimli",
    "addr2line",
    "miniz_oxide",
    "rustc_demangle",
    "std::",
    "__rust_alloc",
    "__rdl_alloc",
    "alloc::",
];

fn runtime_symbols(path: &Path) -> Vec<String> {
    run(Command::new("nm").arg("-C").arg(path))
        .lines()
        .filter(|l| RUNTIME.iter().any(|r| l.contains(r)))
        .map(str::to_owned)
        .collect()
}

/// `build/lean/`, after `make lean` (once per test process).
fn lean() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let st = Command::new("make")
            .args(["-s", "--no-print-directory", "lean"])
            .current_dir(root())
            .status()
            .expect("run make");
        assert!(st.success(), "make lean failed");
        root().join("build/lean")
    })
}

#[test]
fn the_link_api_alone_fits_64_kib() {
    let so = lean().join("libbpflink.so.0.1.0");
    let size = stripped_size(&so);
    println!("libbpflink.so without attach by name: {size} bytes stripped");
    assert!(
        size <= 64 * KIB,
        "the link API's .so is {size} bytes stripped (budget 64 KiB)"
    );
    assert_eq!(needed(&so), ["libc.so.6"], "NEEDED of {}", so.display());
    let plain = cc_app("app-plain-lean", false, &[]);
    let linked = cc_app(
        "app-static-lean",
        true,
        &[lean().join("libbpflink.a").to_str().unwrap()],
    );
    assert_eq!(run(&mut Command::new(&linked)).trim(), "-9 v1.7");
    let grown = stripped_size(&linked).saturating_sub(stripped_size(&plain));
    println!("the link API's .a adds {grown} bytes (stripped) to a C program");
    assert!(
        grown <= 64 * KIB,
        "the link API's .a adds {grown} bytes (budget 64 KiB)"
    );
}

#[test]
fn shared_library_is_small_needs_only_libc_and_carries_no_runtime() {
    let so = build().join("lib/libbpflink.so.0.1.0");
    let size = stripped_size(&so);
    println!("libbpflink.so: {size} bytes stripped");
    assert!(
        size <= 120 * KIB,
        "libbpflink.so is {size} bytes stripped (budget 120 KiB)"
    );
    assert_eq!(needed(&so), ["libc.so.6"], "NEEDED of {}", so.display());
    let rt = runtime_symbols(&so);
    assert!(
        rt.is_empty(),
        "Rust runtime symbols in {}:\n{}",
        so.display(),
        rt.join("\n")
    );
}

#[test]
fn static_library_is_one_small_object_exporting_only_the_api() {
    let a = build().join("lib/libbpflink.a");
    let size = std::fs::metadata(&a).unwrap().len();
    println!("libbpflink.a: {size} bytes");
    assert!(
        size <= 2_500_000,
        "libbpflink.a is {size} bytes (budget 2.5 MB)"
    );
    let members = run(Command::new("ar").arg("t").arg(&a));
    assert_eq!(members.trim(), "libbpflink.o", "members of {}", a.display());
    let globals: BTreeSet<String> = run(Command::new("nm").args(["-g", "--defined-only"]).arg(&a))
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2).map(str::to_owned))
        .collect();
    assert_eq!(globals, exports(), "global definitions of {}", a.display());
    let rt = runtime_symbols(&a);
    assert!(
        rt.is_empty(),
        "Rust runtime symbols in {}:\n{}",
        a.display(),
        rt.join("\n")
    );
}

#[test]
fn static_library_needs_nothing_but_libc() {
    let a = build().join("lib/libbpflink.a");
    let undefined: Vec<String> = run(Command::new("nm").arg("--undefined-only").arg(&a))
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let kind = w.next()?;
            let name = w.next()?;
            // `w`: weak (dlsym, resolved only where a dynamic linker is).
            (kind == "U").then(|| name.to_owned())
        })
        .filter(|n| n != "_GLOBAL_OFFSET_TABLE_")
        .collect();
    assert!(!undefined.is_empty());
    let libc = run(Command::new("cc").arg("-print-file-name=libc.so.6"));
    let libc_defs: BTreeSet<String> = run(Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(libc.trim()))
    .lines()
    .filter_map(|l| l.split_whitespace().nth(2))
    .map(|n| n.split('@').next().unwrap_or(n).to_owned())
    .collect();
    let missing: Vec<&String> = undefined
        .iter()
        .filter(|n| !libc_defs.contains(*n))
        .collect();
    assert!(missing.is_empty(), "not in libc.so.6: {missing:?}");
}

const APP: &str = r#"
#include <stdio.h>
#ifdef WITH_BPFLINK
#include <bpflink.h>
#endif
int main(void)
{
#ifdef WITH_BPFLINK
	int fd = bpf_link_create(-1, 1, BPF_XDP, NULL);
	const char *v = libbpf_version_string();
#else
	int fd = -9;
	const char *v = "v1.7";
#endif
	printf("%d %s\n", fd, v);
	return 0;
}
"#;

fn cc_app(name: &str, with_bpflink: bool, args: &[&str]) -> PathBuf {
    let src = scratch("app.c");
    std::fs::write(&src, APP).unwrap();
    let exe = scratch(name);
    let mut cmd = Command::new("cc");
    cmd.arg("-O2").arg("-o").arg(&exe).arg(&src);
    if with_bpflink {
        cmd.arg("-DWITH_BPFLINK")
            .arg(format!("-I{}", root().join("include").display()));
        cmd.arg(format!("-L{}", build().join("lib").display()));
    }
    cmd.args(args);
    run(&mut cmd);
    exe
}

#[test]
fn c_program_links_the_archive_and_needs_only_libc() {
    let plain = cc_app("app-plain", false, &[]);
    let linked = cc_app("app-static-bpflink", true, &["-l:libbpflink.a"]);
    assert_eq!(
        needed(&linked),
        ["libc.so.6"],
        "NEEDED of a program linked with -l:libbpflink.a"
    );
    // -EBADF: the real syscall answered, through our code.
    assert_eq!(run(&mut Command::new(&linked)).trim(), "-9 v1.7");
    let grown = stripped_size(&linked).saturating_sub(stripped_size(&plain));
    println!("the .a adds {grown} bytes (stripped) to a C program");
    assert!(
        grown <= 104 * KIB,
        "linking libbpflink.a adds {grown} bytes (budget 104 KiB)"
    );
}

#[test]
fn fully_static_program_links_and_runs() {
    let exe = cc_app("app-full-static", true, &["-static", "-l:libbpflink.a"]);
    assert!(needed(&exe).is_empty(), "a -static program has no NEEDED");
    assert_eq!(run(&mut Command::new(&exe)).trim(), "-9 v1.7");
}
