//! bpflink beside libbpf-sys (every libbpf-rs user has it) in one program:
//! this test binary depends on both. It links, and each library's calls run
//! that library's code: the Rust crate defines no C symbol, so
//! `libbpf_sys::bpf_link_create` is libbpf's (it leaves no bpflink trace
//! line even with `BPFLINK_TRACE` set), while `bpflink::Link` reaches the
//! kernel through bpflink's own core.
//!
//! Also: the crate's build needs neither cbindgen nor cc (they belong to
//! the C library, `libbpflink`), and its documentation is the safe API.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::os::fd::AsFd;
use std::process::Command;

const CHILD: &str = "BPFLINK_INTEROP_CHILD";

/// The child's side: calls both libraries with tracing on.
#[test]
fn interop_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    // libbpf's bpf_link_create with a closed prog fd: the kernel's EBADF.
    // SAFETY: NULL opts; libbpf makes the syscall and returns -errno.
    let r = unsafe { libbpf_sys::bpf_link_create(-1, 1, libbpf_sys::BPF_XDP, std::ptr::null()) };
    println!("libbpf_sys::bpf_link_create = {r}");
    // libbpf's own version string, from libbpf's own table.
    // SAFETY: a static string.
    let v = unsafe { std::ffi::CStr::from_ptr(libbpf_sys::libbpf_version_string()) };
    println!(
        "libbpf_sys::libbpf_version_string = {}",
        v.to_string_lossy()
    );
    // bpflink's Rust API on a fd that is no BPF program.
    let devnull = std::fs::File::open("/dev/null").unwrap();
    let e = bpflink::Link::xdp(devnull.as_fd(), 1).create().unwrap_err();
    println!("bpflink::Link::xdp = {:?}", e.errno());
}

#[test]
fn libbpf_sys_calls_run_libbpf_and_leave_no_bpflink_trace() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "interop_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .env("BPFLINK_TRACE", "stderr")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("libbpf_sys::bpf_link_create = -{}", libc::EBADF)),
        "libbpf answered:\n{stdout}"
    );
    assert!(
        stdout.contains("libbpf_sys::libbpf_version_string = v1.7"),
        "{stdout}"
    );
    assert!(stdout.contains("bpflink::Link::xdp = "), "{stdout}");
    assert!(
        !stderr.contains("bpflink[") && !stdout.contains("bpflink["),
        "a bpflink trace line appeared: something ran bpflink's C code\n{stdout}\n{stderr}"
    );
}

/// At most one definition of each libbpf function in this binary (the
/// linker keeps only what is used): libbpf's.
#[test]
fn the_binary_has_libbpfs_symbols_once() {
    let exe = std::env::current_exe().unwrap();
    let nm = Command::new("nm")
        .arg("--defined-only")
        .arg(&exe)
        .output()
        .unwrap();
    assert!(nm.status.success());
    let syms = String::from_utf8_lossy(&nm.stdout);
    for name in [
        "bpf_link_create",
        "bpf_link__destroy",
        "libbpf_set_print",
        "bpf_obj_pin",
    ] {
        let defs = syms
            .lines()
            .filter(|l| l.split_whitespace().nth(2) == Some(name))
            .count();
        assert!(
            defs <= 1,
            "{name} is defined {defs} times in {}",
            exe.display()
        );
        if name == "bpf_link_create" {
            assert_eq!(defs, 1, "the child calls libbpf_sys::bpf_link_create");
        }
    }
    // Nothing of the C library's own helpers either.
    assert!(
        !syms.contains("bpflink__print"),
        "libbpflink's print trampoline is linked in"
    );
}

/// `cargo tree` of the crate as a dependent builds it: no cbindgen, no cc.
#[test]
fn building_the_crate_needs_neither_cbindgen_nor_cc() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "tree",
            "--offline",
            "-p",
            "bpflink",
            "-e",
            "normal,build",
            "--prefix",
            "none",
        ])
        .output()
        .unwrap();
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "cargo tree: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let crates: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(crates.contains(&"bpflink-core"), "{tree}");
    for unwanted in ["cbindgen", "cc", "libbpflink"] {
        assert!(
            !crates.contains(&unwanted),
            "bpflink's build pulls in {unwanted}:\n{tree}"
        );
    }
}
