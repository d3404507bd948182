//! What the C library's Rust-harness tests share: the test kit (raw bpf(2)
//! loading, namespaces, skips) and C-ABI call wrappers.
#![allow(dead_code, unused_imports)]

pub mod calls;
pub mod oracle;

pub use bpflink_testkit::*;
pub use calls::*;
