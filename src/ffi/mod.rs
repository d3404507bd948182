//! Every `extern "C"` function bpflink exports, kept thin: decode the C
//! arguments, call the core with the real kernel (`crate::sys`), and turn
//! the `Result` into libbpf's `-errno` + `errno` in one place (`ret`).

pub mod bpf;
pub mod libbpf;
pub mod opts;
pub mod print;
pub mod ret;
pub mod trace;
