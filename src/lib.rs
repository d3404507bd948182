//! libbpflink: the C library. A drop-in replacement for libbpf v1.7.0's link
//! API, built as `libbpflink.a` (and, by the Makefile, the versioned
//! `libbpflink.so`); its header `include/bpflink.h` is generated from these
//! files by cbindgen.
//!
//! This crate is the only home of `extern "C"` functions, and each is thin:
//! decode the C arguments ([`opts`] copies a caller's opts struct), run the
//! core (`bpflink_core`) against the real kernel, and turn the `Result` into
//! libbpf's `-errno` + `errno` in one place ([`ret`]).
//!
//! - [`bpf`]: the low-level calls of `<bpf/bpf.h>` (`bpf_link_create`, …);
//! - [`object`]: `struct bpf_link` and libbpf's error helpers;
//! - [`print`] (+ `print.c`): libbpf's print hook and its messages;
//! - [`trace`]: the opt-in `BPFLINK_TRACE` call trace.
//!
//! It is `no_std` and carries no Rust allocator: the `struct bpf_link`
//! objects and pin paths come from libc's `malloc`, checked for NULL and
//! answered like libbpf (`-ENOMEM`); everything else lives on the stack. A
//! panic (a bug) aborts the process without unwinding into C.
//!
//! # Safety contract of the C functions
//! Pointers follow libbpf's rules: an opts pointer is NULL or points to a
//! struct whose first `sz` bytes are readable; strings are NUL-terminated;
//! output pointers are valid for writing. Where libbpf would crash or read
//! out of bounds on garbage input, bpflink returns an error instead (README,
//! "Deviations").
#![no_std]

// `cargo test` builds this crate with unwinding for its test harnesses,
// which bring std (and its panic handler); the shipped library is built
// with panic = "abort" and has neither.
#[cfg(not(panic = "abort"))]
extern crate std;

/// A panic is a bug: abort at once, without unwinding into C and without
/// formatting anything (no allocation, no symbolizer).
#[cfg(panic = "abort")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: abort() has no preconditions and does not return.
    unsafe { libc::abort() }
}

#[cfg(feature = "attach")]
pub mod attach;
pub mod bpf;
pub mod object;
pub mod opts;
pub mod print;
pub mod ret;
pub mod trace;
