//! Links src/fake_syscall.c into every binary of this crate, whole-archive:
//! its `syscall` must win over libc's for bpflink's calls (FFI target).
fn main() {
    println!("cargo:rerun-if-changed=src/fake_syscall.c");
    cc::Build::new()
        .file("src/fake_syscall.c")
        .warnings(true)
        .cargo_metadata(false)
        .compile("bpflink_fuzz_fake_syscall");
    let out = std::env::var("OUT_DIR").unwrap_or_default();
    println!("cargo:rustc-link-search=native={out}");
    println!("cargo:rustc-link-lib=static:+whole-archive=bpflink_fuzz_fake_syscall");
    println!("cargo:rustc-link-lib=dylib=dl");
}
