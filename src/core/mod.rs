//! The pure, safe part of bpflink: opts decoding and validation, and the
//! exact `bpf_attr` image each call sends. It never touches a raw pointer or
//! the kernel; the kernel is reached through the [`kernel::Kernel`] trait.
#![forbid(unsafe_code)]

pub mod abi;
pub mod calls;
pub mod errno;
pub mod fake;
pub mod kernel;
pub mod link_create;
pub mod opts;
pub mod raw_tp;
pub mod uapi;

#[cfg(test)]
mod tests;

pub use errno::{Errno, Result};
