//! Real-kernel tests of bpflink's C ABI, one test per BPF link kind.
//!
//! Every link is created, updated, detached, enumerated, pinned and
//! reopened through the exported `extern "C"` functions
//! (`libbpflink::bpf::*`), exactly as a C caller of libbpf would. Programs,
//! maps, sockets, perf events, veths and cgroups are set up with raw
//! syscalls in `helpers` and `common` (never through bpflink).
//!
//! One module per link-kind family: `cgroup`, `net` (XDP, TCX,
//! netfilter), `netns` (sk_lookup, flow_dissector), `tracing` (tp_btf,
//! perf_event, uprobe_multi, uprobe_session), `sockmap`, `struct_ops`, and
//! `refused` (the kinds this kernel refuses); what they share is in
//! `helpers`, the UAPI numbers in the testkit (`bpflink_testkit::uapi`).
//!
//! Each test:
//! * runs serially (one lock) on a fresh thread in its own network + mount
//!   namespace (`common::isolated`), with a private bpffs;
//! * checks the kernel's view with `bpf_link_get_info_by_fd` (type @0, id
//!   @4, prog_id @8, the kind's fields in the union @16);
//! * triggers the hook and reads an ARRAY-map counter the program bumps
//!   (and, for the kinds with a cookie, the `bpf_get_attach_cookie()` value
//!   the program stored);
//! * exercises `bpf_link_update` (plain, `BPF_F_REPLACE` with the right and
//!   the wrong old program) and `bpf_link_detach`, or asserts the kernel's
//!   exact errno where the kind has no such operation;
//! * finds the link with `bpf_link_get_next_id` / `bpf_link_get_fd_by_id`,
//!   pins it, reopens it with `bpf_obj_get`, and sees it released (bounded
//!   polling) once the pin and the last fd are gone.
//!
//! Nothing is left on the host: links live on the private netns's devices
//! (veths die with it), pins live in a bpffs that only the private mount
//! namespace sees, cgroup directories are removed, forked children are
//! reaped, and the struct_ops congestion-control algorithm is checked to be
//! unregistered again.
//!
//! Needs root with BPF. Without it each test prints `SKIP: …` and passes,
//! except with `CI=true`, where a skip fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::undocumented_unsafe_blocks
)]

#[path = "../common/mod.rs"]
mod common;

mod helpers;

mod cgroup;
mod net;
mod netns;
mod refused;
mod sockmap;
mod struct_ops;
mod tracing;
