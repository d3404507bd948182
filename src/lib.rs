//! bpflink: a C-ABI-compatible, drop-in replacement for libbpf's link API
//! (target ABI: libbpf v1.7.0).
//!
//! Layers (see README, "Architecture"):
//! - [`core`]: pure and safe; opts decoding/validation and the exact
//!   `bpf_attr` bytes each call sends, against a [`core::kernel::Kernel`].
//! - [`sys`]: the only door to the kernel (libc `syscall(SYS_bpf, …)`,
//!   `fcntl`, `close`).
//! - [`ffi`]: every exported C function, thin.
//!
//! # Safety contract of the C functions
//! Pointers follow libbpf's rules: an opts pointer is NULL or points to a
//! struct whose first `sz` bytes are readable; strings are NUL-terminated;
//! output pointers are valid for writing. Where libbpf would crash or read
//! out of bounds on garbage input, bpflink returns an error instead (README,
//! "Deviations"). A Rust panic never unwinds into C: the functions are
//! `extern "C"`, so an unwind aborts, and release builds use `panic=abort`.

pub mod api;
pub mod core;
pub mod ffi;
pub mod sys;

pub use api::{Error, Info, Link, LinkInfo, LinkIter};
