//! bpflink's core, shared by both products: the C library `libbpflink`
//! (the repository's root crate) and the safe Rust crate `bpflink`.
//!
//! It is `no_std` and allocates nothing, so that the C library carries no
//! Rust runtime and never aborts on a failed allocation:
//!
//! - **Pure rules** (`unsafe` is forbidden in the modules that only
//!   compute):
//!   libbpf v1.7.0's opts decoding and validation ([`opts`]), the exact
//!   `bpf_attr` image of each call ([`link_create`], [`calls`],
//!   [`raw_tp`], [`info`]), the decisions of the `struct bpf_link` object
//!   API ([`link_object`]) and of libbpf's error helpers ([`strerror`],
//!   [`names`]). They reach the kernel only through the [`kernel::Kernel`]
//!   trait and the filesystem through [`link_object::LinkFs`], so every
//!   byte they send can be checked against a fake (the test-only
//!   `bpflink-fake` crate; this crate's `tests/`).
//! - **The one door to the kernel** ([`sys`]): libc's `syscall(SYS_bpf, …)`,
//!   `fcntl` and `close` (never an inline syscall), the fault-free reader of
//!   callers' opts, and the filesystem calls of the object API.
//!
//! The facts these rules reproduce are written down, with the reasons, in
//! `docs/libbpf-behaviour.md`.
//!
//! Calls that hand the kernel addresses it will read or write are `unsafe
//! fn`s: the caller vouches for the memory, exactly as a C caller of libbpf
//! does. Apart from [`sys`], that forwarding of a caller's promise is the
//! only `unsafe` in the crate.
//!
//! ```compile_fail,E0133
//! // The door cannot be opened without `unsafe`: attr may carry addresses.
//! use bpflink_core::kernel::Kernel;
//! let mut attr = [0u8; 16];
//! let _ = bpflink_core::sys::SYS.bpf(15, &mut attr);
//! ```
//!
//! ```compile_fail,E0133
//! // Nor can an fd be closed that the caller may not own.
//! let _ = bpflink_core::sys::close_fd(0);
//! ```
//!
//! This crate is an internal part of bpflink; its API follows the two
//! products' needs and is not meant to be used on its own.
#![no_std]

#[cfg(test)]
extern crate std;

pub mod abi;
pub mod attach;
pub mod attach_host;
pub mod attach_msg;
pub mod calls;
pub mod elf_sym;
pub mod errno;
pub mod info;
pub mod kallsyms;
pub mod kernel;
pub mod link_create;
pub mod link_object;
pub mod names;
pub mod opts;
pub mod perf;
pub mod probe_text;
pub mod query;
pub mod raw_tp;
pub mod strerror;
pub mod sys;
pub mod text;
pub mod uapi;

pub use errno::{Errno, Result};
