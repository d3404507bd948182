//! The pure, safe part of bpflink: opts decoding and validation, the exact
//! `bpf_attr` image each call sends, and the decisions of the `struct
//! bpf_link` object API and libbpf's error helpers (`link_object`,
//! `strerror`, `names`). It never touches a raw pointer or the kernel; the
//! kernel is reached through the [`kernel::Kernel`] trait (and the
//! filesystem through [`link_object::LinkFs`]).
#![forbid(unsafe_code)]

pub mod abi;
pub mod calls;
pub mod errno;
pub mod fake;
pub mod info;
pub mod kernel;
pub mod link_create;
pub mod link_object;
pub mod names;
pub mod opts;
pub mod raw_tp;
pub mod strerror;
pub mod uapi;

#[cfg(test)]
mod tests;

pub use errno::{Errno, Result};
