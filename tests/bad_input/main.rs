//! Bad input, called as C calls the library: NULL pointers, invalid,
//! closed and wrong-type fds, huge and "negative" opts sizes with the tail
//! unmapped, unterminated / over-long / misplaced pin paths, unknown attach
//! types and flags. Every row asserts bpflink's answer (return value, errno,
//! message) and — side by side, on the same kernel objects — the real
//! libbpf v1.7.0's (`build/oracle/libbpf.so.1`, built by
//! scripts/build-oracle.sh when missing, loaded with dlopen): identical,
//! except the documented deviations where libbpf crashes, which run libbpf
//! in a forked child and assert it dies of SIGSEGV. The table this prints
//! (`cargo test --test bad_input -- --nocapture`) is docs/bad-input.md.
//!
//! Layout: `table` runs the table, whose rows live one module per kind of
//! bad input (`null`, `fds`, `sizes`, `paths`, `unknown`, in that order);
//! `harness` holds what they share (answers, message capture, fixture);
//! `env` has the environment tests.
//!
//! Also here, because the environment is input too: LIBBPF_LOG_LEVEL and
//! BPFLINK_TRACE are read with `secure_getenv` only (a secure-exec child
//! ignores them), and nothing else in the library reads the environment.
//!
//! Needs root with BPF (otherwise SKIP; a failure under CI=true).
#![allow(
    clippy::missing_transmute_annotations,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::undocumented_unsafe_blocks,
    clippy::type_complexity
)]

#[path = "../common/mod.rs"]
mod common;

mod harness;

mod env;
mod table;

// The table's rows, one module per kind of bad input.
mod fds;
mod null;
mod paths;
mod sizes;
mod unknown;
