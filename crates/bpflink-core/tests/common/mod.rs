//! What the core's test files share: the imports, libbpf 1.7.0's numbers
//! spelled as literals or taken from the testkit's independent copy (so a
//! wrong constant in the core is caught), and the
//! helpers that build a caller's opts bytes and run a call through the fake
//! kernel.
#![allow(dead_code, unused_imports)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::undocumented_unsafe_blocks
)]

pub use std::cell::Cell;
pub use std::vec;
pub use std::vec::Vec;

pub use bpflink_core::abi::{
    self, get_fd_by_id as fdo, link_create as o, link_update as uo, obj as oo,
};
pub use bpflink_core::calls;
pub use bpflink_core::errno::{Errno, Result};
pub use bpflink_core::kernel::bpf_fd;
pub use bpflink_core::link_create::{Branch, RAW_TP_FALLBACK, branch_for, link_create};
pub use bpflink_core::opts::{
    CallerBytes, OptsImage, OptsKind, TailReader, TailScan, Warning, validate, zeroed_after,
};
pub use bpflink_core::raw_tp;
pub use bpflink_fake::{Answer, Call, FakeKernel, Warnings};

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

pub const EINVAL: Errno = Errno::EINVAL;
pub const EMFILE: Errno = Errno(libc::EMFILE);
pub const LC: OptsKind = abi::LINK_CREATE_OPTS;

// libbpf 1.7.0's command numbers and the attach types used by name below:
// the testkit's copy (bpflink_testkit::uapi, checked against the core's
// there), never the core's own.
pub use bpflink_testkit::uapi::attach::{
    CGROUP_SOCK_OPS, LSM_CGROUP, LSM_MAC, MODIFY_RETURN, NETFILTER, NETKIT_PEER, NETKIT_PRIMARY,
    PERF_EVENT, STRUCT_OPS, TCX_EGRESS, TCX_INGRESS, TRACE_FENTRY, TRACE_FEXIT, TRACE_FSESSION,
    TRACE_ITER, TRACE_KPROBE_MULTI, TRACE_KPROBE_SESSION, TRACE_RAW_TP, TRACE_UPROBE_MULTI,
    TRACE_UPROBE_SESSION, XDP,
};
pub use bpflink_testkit::uapi::cmd;

pub const TRACING_TYPES: [u32; 6] = [
    TRACE_RAW_TP,
    TRACE_FENTRY,
    TRACE_FEXIT,
    MODIFY_RETURN,
    TRACE_FSESSION,
    LSM_MAC,
];
pub const FALLBACK_TYPES: [u32; 5] = [
    TRACE_RAW_TP,
    LSM_MAC,
    TRACE_FENTRY,
    TRACE_FEXIT,
    MODIFY_RETURN,
];
/// The `case` labels of libbpf 1.7.0's cgroup branch.
pub const CGROUP_TYPES: [u32; 29] = [
    0, 1, 2, 34, 8, 9, 12, 13, 10, 11, 49, 29, 30, 52, 31, 32, 53, 14, 15, 50, 19, 20, 51, 3, 6,
    18, 21, 22, 43,
];
pub const RELATIVE_NON_CGROUP: [u32; 4] = [TCX_INGRESS, TCX_EGRESS, NETKIT_PRIMARY, NETKIT_PEER];
/// Known attach types that fall to libbpf's `default:` label.
pub const DEFAULT_KNOWN: [u32; 13] = [4, 5, 7, 16, 17, 33, 35, 36, 37, 38, 39, 40, 44];
/// Values libbpf 1.7.0 does not know (`__MAX_BPF_ATTACH_TYPE` is 59, and
/// 59..61 are 1.8-dev's tracing_multi types).
pub const UNKNOWN_TYPES: [u32; 6] = [59, 60, 61, 1000, 0x8000_0000, u32::MAX];

/// Every attach type worth trying: 0..=61 plus a few far-off values.
pub fn all_attach_types() -> Vec<u32> {
    (0..=61).chain([100, 1000, 0x8000_0000, u32::MAX]).collect()
}

pub fn w32(v: &mut [u8], off: usize, x: u32) {
    v[off..off + 4].copy_from_slice(&x.to_le_bytes());
}
pub fn wi32(v: &mut [u8], off: usize, x: i32) {
    v[off..off + 4].copy_from_slice(&x.to_le_bytes());
}
pub fn w64(v: &mut [u8], off: usize, x: u64) {
    v[off..off + 8].copy_from_slice(&x.to_le_bytes());
}

/// A caller's opts struct of `len` bytes, zeroed, with `sz` at offset 0.
pub fn buf(len: usize, sz: usize) -> Vec<u8> {
    let mut v = vec![0u8; len.max(8)];
    w64(&mut v, 0, sz as u64);
    v
}

/// `LIBBPF_OPTS(bpf_link_create_opts, opts)` as compiled against 1.7.0.
pub fn lco() -> Vec<u8> {
    buf(80, 80)
}

pub fn sz_of(b: &[u8]) -> usize {
    u64::from_le_bytes(b[..8].try_into().unwrap()) as usize
}

/// Runs `f` on the image of the caller bytes `b` (`None`: NULL opts); the
/// struct's own `sz` field is used, and the whole vector is the mapped
/// memory.
pub fn with_opts<R>(
    kind: OptsKind,
    b: Option<&[u8]>,
    f: impl FnOnce(Option<&OptsImage<'_>>) -> R,
) -> R {
    match b {
        None => f(None),
        Some(b) => {
            let tail = CallerBytes(b);
            let img = OptsImage::new(kind, sz_of(b), b, &tail);
            f(Some(&img))
        }
    }
}

pub fn create(
    k: &FakeKernel,
    prog: i32,
    target: i32,
    at: u32,
    opts: Option<&[u8]>,
) -> (Result<i32>, Warnings) {
    let mut log = Warnings::new();
    let r = with_opts(LC, opts, |o| unsafe {
        link_create(k, prog, target, at, o, &mut log)
    });
    (r, log)
}

/// The 64-byte `attr.link_create` with its common part filled.
pub fn lc_attr(prog: i32, target: i32, at: u32, flags: u32) -> Vec<u8> {
    let mut a = vec![0u8; 64];
    wi32(&mut a, 0, prog);
    wi32(&mut a, 4, target);
    w32(&mut a, 8, at);
    w32(&mut a, 12, flags);
    a
}

/// The 24-byte `attr.raw_tracepoint`.
pub fn rt_attr(name: u64, prog: i32, cookie: u64) -> Vec<u8> {
    let mut a = vec![0u8; 24];
    w64(&mut a, 0, name);
    wi32(&mut a, 8, prog);
    w64(&mut a, 16, cookie);
    a
}

pub fn bpf(cmd: u32, attr: Vec<u8>) -> Call {
    Call::Bpf { cmd, attr }
}

pub fn too_small(name: &'static std::ffi::CStr, sz: usize) -> Warning {
    Warning::OptsTooSmall {
        type_name: name,
        sz,
    }
}
pub fn extra(name: &'static std::ffi::CStr) -> Warning {
    Warning::OptsExtraBytes { type_name: name }
}
pub fn unreadable(name: &'static std::ffi::CStr, sz: usize) -> Warning {
    Warning::OptsUnreadable {
        type_name: name,
        sz,
    }
}

/// Asserts a link_create was rejected before any syscall.
#[track_caller]
pub fn assert_rejected(
    k: &FakeKernel,
    r: Result<i32>,
    log: &[Warning],
    err: Errno,
    warns: &[Warning],
) {
    assert_eq!(r, Err(err));
    assert_eq!(log, warns);
    assert!(k.calls().is_empty(), "unexpected syscall: {:?}", k.calls());
}
