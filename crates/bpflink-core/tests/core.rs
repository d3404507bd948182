//! Unit tests of the pure core through the [`FakeKernel`]: no privileges,
//! no real syscalls.
//!
//! Every expectation below is written from libbpf v1.7.0's own source
//! (`bpf.c`: `bpf_link_create` and friends; `libbpf_internal.h`:
//! `OPTS_VALID`, `OPTS_GET`, `OPTS_ZEROED`, `ensure_good_fd`). Command
//! numbers, attach-type values and `bpf_attr` offsets are spelled as
//! literals taken from libbpf 1.7.0's `include/uapi/linux/bpf.h`, so a wrong
//! constant in `uapi.rs` is caught here too; opts offsets come from the
//! `abi.rs` mirrors (themselves asserted against SPEC §4.6 at compile time).
//!
//! Opts are built as the caller's raw bytes (a `Vec<u8>` with `sz` at 0 and
//! fields written little-endian at their offsets) and wrapped in
//! `OptsImage::new(kind, sz, &bytes, &CallerBytes(&bytes))`; bytes past the
//! vector count as unmapped memory.
#![cfg(all(target_arch = "x86_64", target_pointer_width = "64"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    // The calls that carry addresses are `unsafe fn`s; the fake kernel
    // records the addresses and never follows them, so every call is sound.
    clippy::undocumented_unsafe_blocks
)]

use std::cell::Cell;
use std::vec;
use std::vec::Vec;

use bpflink_core::abi::{
    self, get_fd_by_id as fdo, link_create as o, link_update as uo, obj as oo,
};
use bpflink_core::calls;
use bpflink_core::errno::{Errno, Result};
use bpflink_core::kernel::bpf_fd;
use bpflink_core::link_create::{Branch, RAW_TP_FALLBACK, branch_for, link_create};
use bpflink_core::opts::{
    CallerBytes, OptsImage, OptsKind, TailReader, TailScan, Warning, validate, zeroed_after,
};
use bpflink_core::raw_tp;
use bpflink_fake::{Answer, Call, FakeKernel, Warnings};

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

const EINVAL: Errno = Errno::EINVAL;
const EMFILE: Errno = Errno(libc::EMFILE);
const LC: OptsKind = abi::LINK_CREATE_OPTS;

// libbpf 1.7.0 command numbers (enum bpf_cmd).
const CMD_OBJ_PIN: u32 = 6;
const CMD_OBJ_GET: u32 = 7;
const CMD_OBJ_GET_INFO_BY_FD: u32 = 15;
const CMD_RAW_TRACEPOINT_OPEN: u32 = 17;
const CMD_LINK_CREATE: u32 = 28;
const CMD_LINK_UPDATE: u32 = 29;
const CMD_LINK_GET_FD_BY_ID: u32 = 30;
const CMD_LINK_GET_NEXT_ID: u32 = 31;
const CMD_ITER_CREATE: u32 = 33;
const CMD_LINK_DETACH: u32 = 34;

// libbpf 1.7.0 attach types used by name below (enum bpf_attach_type).
const CGROUP_SOCK_OPS: u32 = 3;
const TRACE_RAW_TP: u32 = 23;
const TRACE_FENTRY: u32 = 24;
const TRACE_FEXIT: u32 = 25;
const MODIFY_RETURN: u32 = 26;
const LSM_MAC: u32 = 27;
const TRACE_ITER: u32 = 28;
const XDP: u32 = 37;
const PERF_EVENT: u32 = 41;
const TRACE_KPROBE_MULTI: u32 = 42;
const LSM_CGROUP: u32 = 43;
const STRUCT_OPS: u32 = 44;
const NETFILTER: u32 = 45;
const TCX_INGRESS: u32 = 46;
const TCX_EGRESS: u32 = 47;
const TRACE_UPROBE_MULTI: u32 = 48;
const NETKIT_PRIMARY: u32 = 54;
const NETKIT_PEER: u32 = 55;
const TRACE_KPROBE_SESSION: u32 = 56;
const TRACE_UPROBE_SESSION: u32 = 57;
const TRACE_FSESSION: u32 = 58;

const TRACING_TYPES: [u32; 6] = [
    TRACE_RAW_TP,
    TRACE_FENTRY,
    TRACE_FEXIT,
    MODIFY_RETURN,
    TRACE_FSESSION,
    LSM_MAC,
];
const FALLBACK_TYPES: [u32; 5] = [
    TRACE_RAW_TP,
    LSM_MAC,
    TRACE_FENTRY,
    TRACE_FEXIT,
    MODIFY_RETURN,
];
/// The `case` labels of libbpf 1.7.0's cgroup branch.
const CGROUP_TYPES: [u32; 29] = [
    0, 1, 2, 34, 8, 9, 12, 13, 10, 11, 49, 29, 30, 52, 31, 32, 53, 14, 15, 50, 19, 20, 51, 3, 6,
    18, 21, 22, 43,
];
const RELATIVE_NON_CGROUP: [u32; 4] = [TCX_INGRESS, TCX_EGRESS, NETKIT_PRIMARY, NETKIT_PEER];
/// Known attach types that fall to libbpf's `default:` label.
const DEFAULT_KNOWN: [u32; 13] = [4, 5, 7, 16, 17, 33, 35, 36, 37, 38, 39, 40, 44];
/// Values libbpf 1.7.0 does not know (`__MAX_BPF_ATTACH_TYPE` is 59, and
/// 59..61 are 1.8-dev's tracing_multi types).
const UNKNOWN_TYPES: [u32; 6] = [59, 60, 61, 1000, 0x8000_0000, u32::MAX];

/// Every attach type worth trying: 0..=61 plus a few far-off values.
fn all_attach_types() -> Vec<u32> {
    (0..=61).chain([100, 1000, 0x8000_0000, u32::MAX]).collect()
}

fn w32(v: &mut [u8], off: usize, x: u32) {
    v[off..off + 4].copy_from_slice(&x.to_le_bytes());
}
fn wi32(v: &mut [u8], off: usize, x: i32) {
    v[off..off + 4].copy_from_slice(&x.to_le_bytes());
}
fn w64(v: &mut [u8], off: usize, x: u64) {
    v[off..off + 8].copy_from_slice(&x.to_le_bytes());
}

/// A caller's opts struct of `len` bytes, zeroed, with `sz` at offset 0.
fn buf(len: usize, sz: usize) -> Vec<u8> {
    let mut v = vec![0u8; len.max(8)];
    w64(&mut v, 0, sz as u64);
    v
}

/// `LIBBPF_OPTS(bpf_link_create_opts, opts)` as compiled against 1.7.0.
fn lco() -> Vec<u8> {
    buf(80, 80)
}

fn sz_of(b: &[u8]) -> usize {
    u64::from_le_bytes(b[..8].try_into().unwrap()) as usize
}

/// Runs `f` on the image of the caller bytes `b` (`None`: NULL opts); the
/// struct's own `sz` field is used, and the whole vector is the mapped
/// memory.
fn with_opts<R>(
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

fn create(
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
fn lc_attr(prog: i32, target: i32, at: u32, flags: u32) -> Vec<u8> {
    let mut a = vec![0u8; 64];
    wi32(&mut a, 0, prog);
    wi32(&mut a, 4, target);
    w32(&mut a, 8, at);
    w32(&mut a, 12, flags);
    a
}

/// The 24-byte `attr.raw_tracepoint`.
fn rt_attr(name: u64, prog: i32, cookie: u64) -> Vec<u8> {
    let mut a = vec![0u8; 24];
    w64(&mut a, 0, name);
    wi32(&mut a, 8, prog);
    w64(&mut a, 16, cookie);
    a
}

fn bpf(cmd: u32, attr: Vec<u8>) -> Call {
    Call::Bpf { cmd, attr }
}

fn too_small(name: &'static std::ffi::CStr, sz: usize) -> Warning {
    Warning::OptsTooSmall {
        type_name: name,
        sz,
    }
}
fn extra(name: &'static std::ffi::CStr) -> Warning {
    Warning::OptsExtraBytes { type_name: name }
}
fn unreadable(name: &'static std::ffi::CStr, sz: usize) -> Warning {
    Warning::OptsUnreadable {
        type_name: name,
        sz,
    }
}

/// Asserts a link_create was rejected before any syscall.
#[track_caller]
fn assert_rejected(k: &FakeKernel, r: Result<i32>, log: &[Warning], err: Errno, warns: &[Warning]) {
    assert_eq!(r, Err(err));
    assert_eq!(log, warns);
    assert!(k.calls().is_empty(), "unexpected syscall: {:?}", k.calls());
}

// ---------------------------------------------------------------------------
// the attach-type → branch table
// ---------------------------------------------------------------------------

/// libbpf 1.7.0's `switch (attach_type)` written out independently.
fn expected_branch(at: u32) -> Branch {
    match at {
        28 => Branch::Iter,
        41 => Branch::PerfEvent,
        42 | 56 => Branch::KprobeMulti,
        48 | 57 => Branch::UprobeMulti,
        23 | 24 | 25 | 26 | 58 | 27 => Branch::Tracing,
        45 => Branch::Netfilter,
        46 | 47 | 54 | 55 => Branch::Relative,
        _ if CGROUP_TYPES.contains(&at) => Branch::Relative,
        _ => Branch::Default,
    }
}

/// `offsetofend` of the union member each branch passes to OPTS_ZEROED;
/// `None` for the ITER branch, which checks nothing.
fn zero_check_from(b: Branch) -> Option<usize> {
    match b {
        Branch::Iter => None,
        Branch::PerfEvent => Some(40),
        Branch::KprobeMulti => Some(64),
        Branch::UprobeMulti => Some(80),
        Branch::Tracing => Some(40),
        Branch::Netfilter => Some(48),
        Branch::Relative => Some(48),
        Branch::Default => Some(12),
    }
}

#[test]
fn branch_table_matches_libbpf_switch() {
    for at in all_attach_types() {
        assert_eq!(branch_for(at), expected_branch(at), "attach type {at}");
    }
    for at in DEFAULT_KNOWN.iter().chain(&UNKNOWN_TYPES) {
        assert_eq!(branch_for(*at), Branch::Default, "attach type {at}");
    }
    for at in CGROUP_TYPES.iter().chain(&RELATIVE_NON_CGROUP) {
        assert_eq!(branch_for(*at), Branch::Relative, "attach type {at}");
    }
    let mut fb = RAW_TP_FALLBACK.to_vec();
    fb.sort_unstable();
    assert_eq!(fb, vec![23, 24, 25, 26, 27]);
}

#[test]
fn member_ends_match_spec() {
    assert_eq!(o::FLAGS_END, 12);
    assert_eq!(o::TARGET_BTF_ID_END, 32);
    assert_eq!(o::PERF_EVENT_END, 40);
    assert_eq!(o::KPROBE_MULTI_END, 64);
    assert_eq!(o::UPROBE_MULTI_END, 80);
    assert_eq!(o::TRACING_END, 40);
    assert_eq!(o::NETFILTER_END, 48);
    assert_eq!(o::RELATIVE_END, 48);
    assert_eq!(o::KNOWN_END, 76);
    assert_eq!(LC.known_end, 76);
    assert_eq!(LC.size, 80);
    assert_eq!(LC.name, c"bpf_link_create_opts");
}

// ---------------------------------------------------------------------------
// bpf_link_create: NULL opts
// ---------------------------------------------------------------------------

#[test]
fn null_opts_every_attach_type_sends_only_the_common_part() {
    for at in all_attach_types() {
        let k = FakeKernel::new();
        let (r, log) = create(&k, 5, 9, at, None);
        assert_eq!(r, Ok(100), "attach type {at}");
        assert!(log.is_empty());
        assert_eq!(k.calls(), vec![bpf(CMD_LINK_CREATE, lc_attr(5, 9, at, 0))]);
    }
}

#[test]
fn raw_prog_and_target_fd_are_passed_unchanged() {
    // Negative and odd values are not checked by libbpf; the kernel judges.
    for (prog, target) in [(-1, -1), (0, 0), (i32::MAX, i32::MIN), (3, 1)] {
        let k = FakeKernel::new();
        let (r, _) = create(&k, prog, target, XDP, None);
        assert_eq!(r, Ok(100));
        assert_eq!(k.calls(), vec![bpf(28, lc_attr(prog, target, XDP, 0))]);
    }
    // STRUCT_OPS: the "prog fd" slot carries a map fd, same bytes.
    let k = FakeKernel::new();
    let (r, _) = create(&k, 42, 0, STRUCT_OPS, None);
    assert_eq!(r, Ok(100));
    assert_eq!(k.calls(), vec![bpf(28, lc_attr(42, 0, STRUCT_OPS, 0))]);
}

// ---------------------------------------------------------------------------
// bpf_link_create: per-branch attr images
// ---------------------------------------------------------------------------

#[test]
fn iter_branch_copies_iter_info_and_len() {
    let mut b = lco();
    w32(&mut b, o::FLAGS, 0x5);
    w64(&mut b, o::ITER_INFO, 0x1122_3344_5566_7788);
    w32(&mut b, o::ITER_INFO_LEN, 16);
    let k = FakeKernel::new();
    let (r, log) = create(&k, 7, 0, TRACE_ITER, Some(&b));
    assert_eq!(r, Ok(100));
    assert!(log.is_empty());
    let mut a = lc_attr(7, 0, TRACE_ITER, 5);
    w64(&mut a, 16, 0x1122_3344_5566_7788);
    w32(&mut a, 24, 16);
    assert_eq!(k.calls(), vec![bpf(CMD_LINK_CREATE, a)]);
}

#[test]
fn iter_branch_checks_nothing_when_iter_info_len_is_zero() {
    // Padding 12..16 and any union byte below 76 pass; none reach the attr.
    let mut b = lco();
    b[13] = 0xee;
    w64(&mut b, o::ITER_INFO, 0xabcd);
    w64(&mut b, o::PERF_BPF_COOKIE, u64::MAX);
    w32(&mut b, o::UMULTI_PID, 0xffff_ffff);
    let k = FakeKernel::new();
    let (r, log) = create(&k, 7, 0, TRACE_ITER, Some(&b));
    assert_eq!(r, Ok(100));
    assert!(log.is_empty());
    let mut a = lc_attr(7, 0, TRACE_ITER, 0);
    w64(&mut a, 16, 0xabcd);
    assert_eq!(k.calls(), vec![bpf(28, a)]);

    // ... but OPTS_VALID still rejects bytes 76..80 (1.7.0 quirk).
    let mut b = lco();
    b[78] = 1;
    let k = FakeKernel::new();
    let (r, log) = create(&k, 7, 0, TRACE_ITER, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[extra(c"bpf_link_create_opts")]);
}

#[test]
fn iter_info_len_requires_an_empty_union() {
    // Step 3: iter_info_len != 0 → OPTS_ZEROED(opts, target_btf_id).
    for p in 32..76 {
        let mut b = lco();
        w32(&mut b, o::ITER_INFO_LEN, 8);
        b[p] = 1;
        let k = FakeKernel::new();
        let (r, log) = create(&k, 7, 0, TRACE_ITER, Some(&b));
        assert_rejected(&k, r, &log, EINVAL, &[]);
    }
    // Padding 12..16 is before offset 32 and not checked in the ITER branch.
    let mut b = lco();
    w32(&mut b, o::ITER_INFO_LEN, 8);
    b[12] = 1;
    let k = FakeKernel::new();
    let (r, _) = create(&k, 7, 0, TRACE_ITER, Some(&b));
    assert_eq!(r, Ok(100));
    let mut a = lc_attr(7, 0, TRACE_ITER, 0);
    w32(&mut a, 24, 8);
    assert_eq!(k.calls(), vec![bpf(28, a)]);
}

#[test]
fn perf_event_branch() {
    let mut b = lco();
    w32(&mut b, o::FLAGS, 1);
    w64(&mut b, o::PERF_BPF_COOKIE, 0xdead_beef_0000_0001);
    // Silently ignored: iter_info (iter_info_len 0) and the padding.
    w64(&mut b, o::ITER_INFO, 0x1234);
    b[14] = 0x77;
    let k = FakeKernel::new();
    let (r, log) = create(&k, 3, 11, PERF_EVENT, Some(&b));
    assert_eq!(r, Ok(100));
    assert!(log.is_empty());
    let mut a = lc_attr(3, 11, PERF_EVENT, 1);
    w64(&mut a, 16, 0xdead_beef_0000_0001);
    assert_eq!(k.calls(), vec![bpf(28, a)]);

    // A field of another member lying inside perf_event (kprobe_multi.cnt
    // @36) is not rejected: it is simply part of bpf_cookie's bytes.
    let mut b = lco();
    w32(&mut b, o::KMULTI_CNT, 9);
    let k = FakeKernel::new();
    let (r, _) = create(&k, 3, 11, PERF_EVENT, Some(&b));
    assert_eq!(r, Ok(100));
    let mut a = lc_attr(3, 11, PERF_EVENT, 0);
    w64(&mut a, 16, 9 << 32);
    assert_eq!(k.calls(), vec![bpf(28, a)]);

    // A byte just past perf_event → EINVAL, no syscall, no message.
    let mut b = lco();
    b[40] = 1;
    let k = FakeKernel::new();
    let (r, log) = create(&k, 3, 11, PERF_EVENT, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[]);
}

#[test]
fn kprobe_multi_and_session_branch() {
    for at in [TRACE_KPROBE_MULTI, TRACE_KPROBE_SESSION] {
        let mut b = lco();
        w32(&mut b, o::FLAGS, 0);
        w32(&mut b, o::KMULTI_FLAGS, 1); // BPF_F_KPROBE_MULTI_RETURN
        w32(&mut b, o::KMULTI_CNT, 3);
        w64(&mut b, o::KMULTI_SYMS, 0x7f00_0000_1000);
        w64(&mut b, o::KMULTI_ADDRS, 0x7f00_0000_2000);
        w64(&mut b, o::KMULTI_COOKIES, 0x7f00_0000_3000);
        w64(&mut b, o::ITER_INFO, 0x55); // ignored
        let k = FakeKernel::new();
        let (r, log) = create(&k, 4, 0, at, Some(&b));
        assert_eq!(r, Ok(100));
        assert!(log.is_empty());
        let mut a = lc_attr(4, 0, at, 0);
        w32(&mut a, 16, 1);
        w32(&mut a, 20, 3);
        w64(&mut a, 24, 0x7f00_0000_1000);
        w64(&mut a, 32, 0x7f00_0000_2000);
        w64(&mut a, 40, 0x7f00_0000_3000);
        assert_eq!(k.calls(), vec![bpf(28, a)]);

        // A byte just past kprobe_multi (64) → EINVAL; up to 75 likewise.
        for p in [64, 70, 75] {
            let mut b = lco();
            b[p] = 1;
            let k = FakeKernel::new();
            let (r, log) = create(&k, 4, 0, at, Some(&b));
            assert_rejected(&k, r, &log, EINVAL, &[]);
        }
    }
}

#[test]
fn uprobe_multi_and_session_branch() {
    for at in [TRACE_UPROBE_MULTI, TRACE_UPROBE_SESSION] {
        let mut b = lco();
        w32(&mut b, o::UMULTI_FLAGS, 1); // BPF_F_UPROBE_MULTI_RETURN
        w32(&mut b, o::UMULTI_CNT, 2);
        w64(&mut b, o::UMULTI_PATH, 0xa000);
        w64(&mut b, o::UMULTI_OFFSETS, 0xb000);
        w64(&mut b, o::UMULTI_REF_CTR_OFFSETS, 0xc000);
        w64(&mut b, o::UMULTI_COOKIES, 0xd000);
        w32(&mut b, o::UMULTI_PID, 1234);
        b[15] = 9; // padding: ignored outside the default branch
        let k = FakeKernel::new();
        let (r, log) = create(&k, 4, 0, at, Some(&b));
        assert_eq!(r, Ok(100));
        assert!(log.is_empty());
        // The UAPI member order differs from the opts member order.
        let mut a = lc_attr(4, 0, at, 0);
        w64(&mut a, 16, 0xa000);
        w64(&mut a, 24, 0xb000);
        w64(&mut a, 32, 0xc000);
        w64(&mut a, 40, 0xd000);
        w32(&mut a, 48, 2);
        w32(&mut a, 52, 1);
        w32(&mut a, 56, 1234);
        assert_eq!(k.calls(), vec![bpf(28, a)]);

        // Past the member is also past __last_field (76): OPTS_VALID
        // rejects it first, with its message (1.7.0 has no path_fd).
        for (len, p) in [(80, 76), (80, 79), (88, 80), (88, 87)] {
            let mut b = buf(len, len);
            b[p] = 1;
            let k = FakeKernel::new();
            let (r, log) = create(&k, 4, 0, at, Some(&b));
            assert_rejected(&k, r, &log, EINVAL, &[extra(c"bpf_link_create_opts")]);
        }
    }
}

#[test]
fn tracing_branch_every_type() {
    for at in TRACING_TYPES {
        let mut b = lco();
        w64(&mut b, o::TRACING_COOKIE, 0x0102_0304_0506_0708);
        let k = FakeKernel::new();
        let (r, log) = create(&k, 6, 0, at, Some(&b));
        assert_eq!(r, Ok(100), "attach type {at}");
        assert!(log.is_empty());
        // tracing.cookie @24; the u32 @16 (tracing.target_btf_id) stays 0.
        let mut a = lc_attr(6, 0, at, 0);
        w64(&mut a, 24, 0x0102_0304_0506_0708);
        assert_eq!(k.calls(), vec![bpf(28, a)]);

        // netfilter.hooknum @36 lies inside tracing: read as the cookie's
        // high half, not rejected.
        let mut b = lco();
        w32(&mut b, o::NF_HOOKNUM, 7);
        let k = FakeKernel::new();
        let (r, _) = create(&k, 6, 0, at, Some(&b));
        assert_eq!(r, Ok(100));
        let mut a = lc_attr(6, 0, at, 0);
        w64(&mut a, 24, 7 << 32);
        assert_eq!(k.calls(), vec![bpf(28, a)]);

        // Just past tracing → EINVAL.
        let mut b = lco();
        b[40] = 1;
        let k = FakeKernel::new();
        let (r, log) = create(&k, 6, 0, at, Some(&b));
        assert_rejected(&k, r, &log, EINVAL, &[]);
    }
}

#[test]
fn netfilter_branch_with_negative_priority() {
    for prio in [-100, i32::MIN, 0, i32::MAX] {
        let mut b = lco();
        w32(&mut b, o::NF_PF, 2); // NFPROTO_IPV4
        w32(&mut b, o::NF_HOOKNUM, 1);
        wi32(&mut b, o::NF_PRIORITY, prio);
        w32(&mut b, o::NF_FLAGS, 1); // BPF_F_NETFILTER_IP_DEFRAG
        let k = FakeKernel::new();
        let (r, log) = create(&k, 8, 0, NETFILTER, Some(&b));
        assert_eq!(r, Ok(100));
        assert!(log.is_empty());
        let mut a = lc_attr(8, 0, NETFILTER, 0);
        w32(&mut a, 16, 2);
        w32(&mut a, 20, 1);
        wi32(&mut a, 24, prio);
        w32(&mut a, 28, 1);
        assert_eq!(k.calls(), vec![bpf(28, a)]);
    }
    // -100 is sent as its two's complement bytes.
    let mut b = lco();
    wi32(&mut b, o::NF_PRIORITY, -100);
    let k = FakeKernel::new();
    let _ = create(&k, 8, 0, NETFILTER, Some(&b));
    assert_eq!(k.bpf_calls()[0].1[24..28], [0x9c, 0xff, 0xff, 0xff]);

    for p in [48, 60, 75] {
        let mut b = lco();
        b[p] = 1;
        let k = FakeKernel::new();
        let (r, log) = create(&k, 8, 0, NETFILTER, Some(&b));
        assert_rejected(&k, r, &log, EINVAL, &[]);
    }
}

fn relative_types() -> Vec<u32> {
    RELATIVE_NON_CGROUP
        .iter()
        .chain(&CGROUP_TYPES)
        .copied()
        .collect()
}

#[test]
fn relative_branch_relative_fd_and_expected_revision() {
    for at in relative_types() {
        let mut b = lco();
        w32(&mut b, o::FLAGS, 0x8); // BPF_F_BEFORE
        w32(&mut b, o::REL_FD, 5);
        w64(&mut b, o::REL_EXPECTED_REVISION, 0x1_0000_0009);
        let k = FakeKernel::new();
        let (r, log) = create(&k, 10, 3, at, Some(&b));
        assert_eq!(r, Ok(100), "attach type {at}");
        assert!(log.is_empty());
        let mut a = lc_attr(10, 3, at, 0x8);
        w32(&mut a, 16, 5);
        w64(&mut a, 24, 0x1_0000_0009);
        assert_eq!(k.calls(), vec![bpf(28, a)]);

        // relative_fd is unsigned in opts: -1 is simply 0xffffffff.
        let mut b = lco();
        w32(&mut b, o::REL_FD, u32::MAX);
        let k = FakeKernel::new();
        let (r, _) = create(&k, 10, 3, at, Some(&b));
        assert_eq!(r, Ok(100));
        let mut a = lc_attr(10, 3, at, 0);
        w32(&mut a, 16, u32::MAX);
        assert_eq!(k.calls(), vec![bpf(28, a)]);
    }
}

#[test]
fn relative_branch_relative_id_ors_in_bpf_f_id_keeping_caller_flags() {
    for at in relative_types() {
        for (caller, sent) in [
            (0, 0x20),
            (0x8 | 0x2000, 0x2028), // BEFORE|LINK, as verified on a kernel
            (0x10, 0x30),           // AFTER
            (0x4 | 0x40, 0x64),     // REPLACE|PREORDER
            (0x20, 0x20),           // BPF_F_ID already set
            (0xffff_ffff, 0xffff_ffff),
        ] {
            let mut b = lco();
            w32(&mut b, o::FLAGS, caller);
            w32(&mut b, o::REL_ID, 77);
            w64(&mut b, o::REL_EXPECTED_REVISION, 4);
            let k = FakeKernel::new();
            let (r, log) = create(&k, 10, 3, at, Some(&b));
            assert_eq!(r, Ok(100), "attach type {at}");
            assert!(log.is_empty());
            let mut a = lc_attr(10, 3, at, sent);
            w32(&mut a, 16, 77);
            w64(&mut a, 24, 4);
            assert_eq!(k.calls(), vec![bpf(28, a)], "attach type {at}");
        }
    }
}

#[test]
fn relative_branch_rejects_fd_and_id_together() {
    for at in relative_types() {
        for fd in [1, u32::MAX] {
            let mut b = lco();
            w32(&mut b, o::REL_FD, fd);
            w32(&mut b, o::REL_ID, 2);
            let k = FakeKernel::new();
            let (r, log) = create(&k, 10, 3, at, Some(&b));
            assert_rejected(&k, r, &log, EINVAL, &[]);
        }
    }
}

#[test]
fn relative_branch_zero_check_and_ignored_bytes() {
    for at in relative_types() {
        for p in [48, 56, 75] {
            let mut b = lco();
            b[p] = 1;
            let k = FakeKernel::new();
            let (r, log) = create(&k, 10, 3, at, Some(&b));
            assert_rejected(&k, r, &log, EINVAL, &[]);
        }
        // Padding 12..16 and iter_info are not looked at here.
        let mut b = lco();
        b[13] = 0xff;
        w64(&mut b, o::ITER_INFO, 0x99);
        let k = FakeKernel::new();
        let (r, _) = create(&k, 10, 3, at, Some(&b));
        assert_eq!(r, Ok(100));
        assert_eq!(k.calls(), vec![bpf(28, lc_attr(10, 3, at, 0))]);
    }
}

#[test]
fn default_branch_known_and_unknown_types() {
    for at in DEFAULT_KNOWN.iter().chain(&UNKNOWN_TYPES).copied() {
        // flags alone pass.
        let mut b = lco();
        w32(&mut b, o::FLAGS, 0x2); // e.g. XDP_FLAGS_DRV_MODE
        let k = FakeKernel::new();
        let (r, log) = create(&k, 12, 1, at, Some(&b));
        assert_eq!(r, Ok(100), "attach type {at}");
        assert!(log.is_empty());
        assert_eq!(k.calls(), vec![bpf(28, lc_attr(12, 1, at, 2))]);

        // Anything after flags — the padding 12..16 included — is EINVAL.
        for p in 12..76 {
            if (28..32).contains(&p) {
                continue; // target_btf_id: skips the switch (tested below)
            }
            let mut b = lco();
            b[p] = 0x80;
            let k = FakeKernel::new();
            let (r, log) = create(&k, 12, 1, at, Some(&b));
            assert_rejected(&k, r, &log, EINVAL, &[]);
        }
    }
}

#[test]
fn padding_byte_13_rejected_for_xdp_accepted_for_tcx() {
    // SPEC §2.2, verified on a kernel.
    let mut b = lco();
    b[13] = 1;
    let k = FakeKernel::new();
    let (r, log) = create(&k, 12, 1, XDP, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[]);

    let k = FakeKernel::new();
    let (r, log) = create(&k, 12, 1, TCX_EGRESS, Some(&b));
    assert_eq!(r, Ok(100));
    assert!(log.is_empty());
    assert_eq!(k.calls(), vec![bpf(28, lc_attr(12, 1, TCX_EGRESS, 0))]);
}

#[test]
fn perf_event_ignores_iter_info_as_verified() {
    // SPEC §2.2: PERF_EVENT with iter_info=0x1234, iter_info_len=0 went to
    // the kernel unchanged (i.e. without iter_info).
    let mut b = lco();
    w64(&mut b, o::ITER_INFO, 0x1234);
    let k = FakeKernel::new();
    let (r, _) = create(&k, 3, 11, PERF_EVENT, Some(&b));
    assert_eq!(r, Ok(100));
    assert_eq!(k.calls(), vec![bpf(28, lc_attr(3, 11, PERF_EVENT, 0))]);
}

// ---------------------------------------------------------------------------
// bpf_link_create: target_btf_id and the combination check
// ---------------------------------------------------------------------------

#[test]
fn target_btf_id_skips_the_switch_for_every_attach_type() {
    for at in all_attach_types() {
        let mut b = lco();
        w32(&mut b, o::FLAGS, 3);
        w32(&mut b, o::TARGET_BTF_ID, 0x1234);
        // Ignored: padding (even for the default branch) and iter_info
        // (even for ITER: no iter info goes out).
        b[12] = 0xff;
        w64(&mut b, o::ITER_INFO, u64::MAX);
        let k = FakeKernel::new();
        let (r, log) = create(&k, 2, 0, at, Some(&b));
        assert_eq!(r, Ok(100), "attach type {at}");
        assert!(log.is_empty());
        let mut a = lc_attr(2, 0, at, 3);
        w32(&mut a, 16, 0x1234);
        assert_eq!(k.calls(), vec![bpf(28, a)], "attach type {at}");
    }
}

#[test]
fn target_btf_id_requires_an_empty_union() {
    for at in [TRACE_FENTRY, XDP, TCX_INGRESS, TRACE_ITER, 1000] {
        // With tracing.cookie → EINVAL.
        let mut b = lco();
        w32(&mut b, o::TARGET_BTF_ID, 0x1234);
        w64(&mut b, o::TRACING_COOKIE, 1);
        let k = FakeKernel::new();
        let (r, log) = create(&k, 2, 0, at, Some(&b));
        assert_rejected(&k, r, &log, EINVAL, &[]);

        for p in [32, 39, 40, 75] {
            let mut b = lco();
            w32(&mut b, o::TARGET_BTF_ID, 0x1234);
            b[p] = 1;
            let k = FakeKernel::new();
            let (r, log) = create(&k, 2, 0, at, Some(&b));
            assert_rejected(&k, r, &log, EINVAL, &[]);
        }
        // Past __last_field: OPTS_VALID's message comes first.
        let mut b = lco();
        w32(&mut b, o::TARGET_BTF_ID, 0x1234);
        b[77] = 1;
        let k = FakeKernel::new();
        let (r, log) = create(&k, 2, 0, at, Some(&b));
        assert_rejected(&k, r, &log, EINVAL, &[extra(c"bpf_link_create_opts")]);
    }
}

#[test]
fn iter_info_len_and_target_btf_id_together_are_einval() {
    for at in [TRACE_ITER, TRACE_FENTRY, XDP, PERF_EVENT, u32::MAX] {
        let mut b = lco();
        w32(&mut b, o::ITER_INFO_LEN, 8);
        w32(&mut b, o::TARGET_BTF_ID, 9);
        let k = FakeKernel::new();
        let (r, log) = create(&k, 2, 0, at, Some(&b));
        assert_rejected(&k, r, &log, EINVAL, &[]);
    }
}

#[test]
fn iter_info_len_on_a_non_iter_type_is_ignored_if_the_union_is_empty() {
    // Step 3 passes, then PERF_EVENT's branch neither copies nor checks it.
    let mut b = lco();
    w32(&mut b, o::ITER_INFO_LEN, 8);
    let k = FakeKernel::new();
    let (r, _) = create(&k, 2, 0, PERF_EVENT, Some(&b));
    assert_eq!(r, Ok(100));
    assert_eq!(k.calls(), vec![bpf(28, lc_attr(2, 0, PERF_EVENT, 0))]);
    // The default branch does see it (after flags) → EINVAL.
    let k = FakeKernel::new();
    let (r, log) = create(&k, 2, 0, XDP, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[]);
}

// ---------------------------------------------------------------------------
// bpf_link_create: one-byte sweep against an independent model
// ---------------------------------------------------------------------------

/// Where libbpf 1.7.0 puts opts byte `p` of a given branch in the attr
/// (`None`: not copied), and whether it makes the relative branch OR in
/// `BPF_F_ID`.
fn attr_pos(branch: Branch, p: usize) -> Option<usize> {
    match (branch, p) {
        (_, 8..=11) => Some(p + 4),
        (Branch::Iter, 16..=27) => Some(p),
        (Branch::PerfEvent, 32..=39) => Some(p - 16),
        (Branch::KprobeMulti, 32..=63) => Some(p - 16),
        (Branch::UprobeMulti, _) => match p {
            32..=35 => Some(p + 20), // flags → 52
            36..=39 => Some(p + 12), // cnt → 48
            40..=47 => Some(p - 24), // path → 16
            48..=55 => Some(p - 24), // offsets → 24
            56..=63 => Some(p - 24), // ref_ctr_offsets → 32
            64..=71 => Some(p - 24), // cookies → 40
            72..=75 => Some(p - 16), // pid → 56
            _ => None,
        },
        (Branch::Tracing, 32..=39) => Some(p - 8),
        (Branch::Netfilter, 32..=47) => Some(p - 16),
        (Branch::Relative, 32..=35) => Some(p - 16), // relative_fd
        (Branch::Relative, 36..=39) => Some(p - 20), // relative_id
        (Branch::Relative, 40..=47) => Some(p - 16), // expected_revision
        _ => None,
    }
}

/// Sets each opts byte 8..88 alone (sz 80, or 88 for bytes past 80) for
/// every attach type and checks accept/reject, the message, and — when
/// accepted — the exact 64-byte attr, against a model written from
/// libbpf's source. The kernel answers EINVAL, so this also checks that no
/// option byte ever lets the raw_tp fallback run.
#[test]
fn one_byte_sweep_matches_model() {
    let mut cases = 0;
    for at in all_attach_types() {
        let branch = expected_branch(at);
        for p in 8..88 {
            let len = if p < 80 { 80 } else { 88 };
            let v = 0x80 | (p as u8);
            let mut b = buf(len, len);
            b[p] = v;
            let k = FakeKernel::new();
            k.answer(Answer::err(EINVAL));
            let (r, log) = create(&k, 21, 0, at, Some(&b));
            cases += 1;

            if p >= 76 {
                assert_rejected(&k, r, &log, EINVAL, &[extra(c"bpf_link_create_opts")]);
                continue;
            }
            let mut a = lc_attr(21, 0, at, 0);
            if (28..32).contains(&p) {
                // target_btf_id: switch skipped.
                a[16 + (p - 28)] = v;
            } else {
                // iter_info_len (24..28) set alone passes step 3 (nothing
                // from 32 on is set) and is then up to the branch.
                let rejected = match zero_check_from(branch) {
                    None => false,
                    Some(from) => p >= from,
                };
                if rejected {
                    assert_rejected(&k, r, &log, EINVAL, &[]);
                    continue;
                }
                if let Some(q) = attr_pos(branch, p) {
                    a[q] = v;
                }
                if branch == Branch::Relative && (36..40).contains(&p) {
                    a[12] |= 0x20; // BPF_F_ID
                }
            }
            assert_eq!(r, Err(EINVAL), "at {at} byte {p}");
            assert!(log.is_empty(), "at {at} byte {p}");
            assert_eq!(
                k.calls(),
                vec![bpf(28, a)],
                "at {at} byte {p}: attr or fallback differs"
            );
        }
    }
    assert!(cases > 5000);
}

// ---------------------------------------------------------------------------
// bpf_link_create: opts sizes (SPEC §4.5)
// ---------------------------------------------------------------------------

#[test]
fn sz_below_8_is_too_small() {
    for sz in 0..8 {
        for at in [XDP, TRACE_FENTRY, TRACE_ITER, TCX_INGRESS, u32::MAX] {
            let mut b = buf(80, sz);
            w32(&mut b, o::FLAGS, 1);
            let k = FakeKernel::new();
            let (r, log) = create(&k, 1, 2, at, Some(&b));
            assert_rejected(
                &k,
                r,
                &log,
                EINVAL,
                &[too_small(c"bpf_link_create_opts", sz)],
            );
        }
    }
}

#[test]
fn sz_8_sees_no_field_and_checks_nothing() {
    // A caller built against 0.0.8 headers: every byte after sz is garbage
    // as far as libbpf is concerned, and never read.
    for at in all_attach_types() {
        let mut b = vec![0xffu8; 80];
        w64(&mut b, 0, 8);
        let k = FakeKernel::new();
        let (r, log) = create(&k, 1, 2, at, Some(&b));
        assert_eq!(r, Ok(100), "attach type {at}");
        assert!(log.is_empty());
        assert_eq!(k.calls(), vec![bpf(28, lc_attr(1, 2, at, 0))]);
    }
}

/// (attach type, opts offset, width, attr offset, extra attr flags when set)
const FIELDS: &[(u32, usize, usize, usize, u32)] = &[
    (XDP, o::FLAGS, 4, 12, 0),
    (TRACE_ITER, o::ITER_INFO, 8, 16, 0),
    (TRACE_ITER, o::ITER_INFO_LEN, 4, 24, 0),
    (TRACE_ITER, o::TARGET_BTF_ID, 4, 16, 0),
    (TRACE_FENTRY, o::TARGET_BTF_ID, 4, 16, 0),
    (PERF_EVENT, o::PERF_BPF_COOKIE, 8, 16, 0),
    (TRACE_KPROBE_MULTI, o::KMULTI_FLAGS, 4, 16, 0),
    (TRACE_KPROBE_MULTI, o::KMULTI_CNT, 4, 20, 0),
    (TRACE_KPROBE_MULTI, o::KMULTI_SYMS, 8, 24, 0),
    (TRACE_KPROBE_SESSION, o::KMULTI_ADDRS, 8, 32, 0),
    (TRACE_KPROBE_SESSION, o::KMULTI_COOKIES, 8, 40, 0),
    (TRACE_UPROBE_MULTI, o::UMULTI_FLAGS, 4, 52, 0),
    (TRACE_UPROBE_MULTI, o::UMULTI_CNT, 4, 48, 0),
    (TRACE_UPROBE_MULTI, o::UMULTI_PATH, 8, 16, 0),
    (TRACE_UPROBE_SESSION, o::UMULTI_OFFSETS, 8, 24, 0),
    (TRACE_UPROBE_SESSION, o::UMULTI_REF_CTR_OFFSETS, 8, 32, 0),
    (TRACE_UPROBE_MULTI, o::UMULTI_COOKIES, 8, 40, 0),
    (TRACE_UPROBE_MULTI, o::UMULTI_PID, 4, 56, 0),
    (TRACE_FSESSION, o::TRACING_COOKIE, 8, 24, 0),
    (LSM_MAC, o::TRACING_COOKIE, 8, 24, 0),
    (NETFILTER, o::NF_PF, 4, 16, 0),
    (NETFILTER, o::NF_HOOKNUM, 4, 20, 0),
    (NETFILTER, o::NF_PRIORITY, 4, 24, 0),
    (NETFILTER, o::NF_FLAGS, 4, 28, 0),
    (TCX_INGRESS, o::REL_FD, 4, 16, 0),
    (NETKIT_PEER, o::REL_ID, 4, 16, 0x20),
    (CGROUP_SOCK_OPS, o::REL_EXPECTED_REVISION, 8, 24, 0),
    (LSM_CGROUP, o::REL_ID, 4, 16, 0x20),
];

#[test]
fn a_field_only_partly_inside_sz_reads_as_zero() {
    for &(at, off, width, attr_off, extra_flags) in FIELDS {
        let pattern: Vec<u8> = (1..=width as u8).map(|i| 0xa0 | i).collect();
        for sz in [off + width - 1, off + width, off + width + 1] {
            if sz > 80 {
                continue;
            }
            let mut b = buf(80, sz);
            b[off..off + width].copy_from_slice(&pattern);
            let k = FakeKernel::new();
            let (r, log) = create(&k, 1, 0, at, Some(&b));
            assert_eq!(r, Ok(100), "at {at} off {off} sz {sz}");
            assert!(log.is_empty());
            let visible = sz >= off + width;
            let mut a = lc_attr(1, 0, at, 0);
            if visible {
                a[attr_off..attr_off + width].copy_from_slice(&pattern);
                a[12] |= extra_flags as u8;
            }
            assert_eq!(k.calls(), vec![bpf(28, a)], "at {at} off {off} sz {sz}");
        }
    }
}

#[test]
fn sz_76_carries_every_field() {
    let mut b = buf(80, 76);
    w32(&mut b, o::UMULTI_CNT, 1);
    w64(&mut b, o::UMULTI_PATH, 0x4000);
    w32(&mut b, o::UMULTI_PID, 99);
    let k = FakeKernel::new();
    let (r, _) = create(&k, 1, 0, TRACE_UPROBE_MULTI, Some(&b));
    assert_eq!(r, Ok(100));
    let mut a = lc_attr(1, 0, TRACE_UPROBE_MULTI, 0);
    w64(&mut a, 16, 0x4000);
    w32(&mut a, 48, 1);
    w32(&mut a, 56, 99);
    assert_eq!(k.calls(), vec![bpf(28, a)]);
    // And bytes 76..80 are outside sz = 76: not even looked at.
    let mut b2 = b.clone();
    b2[77] = 1;
    let k = FakeKernel::new();
    let (r, log) = create(&k, 1, 0, TRACE_UPROBE_MULTI, Some(&b2));
    assert_eq!(r, Ok(100));
    assert!(log.is_empty());
}

#[test]
fn sz_80_and_88_with_zero_tail_are_accepted() {
    for at in all_attach_types() {
        for len in [80, 81, 88, 96, 4096] {
            let mut b = buf(len, len);
            w32(&mut b, o::FLAGS, 1);
            let k = FakeKernel::new();
            let (r, log) = create(&k, 1, 0, at, Some(&b));
            assert_eq!(r, Ok(100), "at {at} sz {len}");
            assert!(log.is_empty());
            assert_eq!(k.calls(), vec![bpf(28, lc_attr(1, 0, at, 1))]);
        }
    }
}

#[test]
fn non_zero_tail_is_extra_bytes() {
    for at in all_attach_types() {
        for p in [80, 84, 87] {
            let mut b = buf(88, 88);
            b[p] = 1;
            let k = FakeKernel::new();
            let (r, log) = create(&k, 1, 0, at, Some(&b));
            assert_rejected(&k, r, &log, EINVAL, &[extra(c"bpf_link_create_opts")]);
        }
        // A non-zero byte past sz is never read.
        let mut b = buf(96, 88);
        b[90] = 1;
        let k = FakeKernel::new();
        let (r, _) = create(&k, 1, 0, at, Some(&b));
        assert_eq!(r, Ok(100));
    }
}

#[test]
fn bytes_76_to_80_rejected_for_every_attach_type() {
    // libbpf 1.7.0's __last_field is uprobe_multi.pid (end 76): the
    // struct's own tail padding counts as "extra bytes" (HEAD's path_fd).
    for at in all_attach_types() {
        for p in 76..80 {
            let mut b = lco();
            b[p] = 1;
            let k = FakeKernel::new();
            let (r, log) = create(&k, 1, 0, at, Some(&b));
            assert_rejected(&k, r, &log, EINVAL, &[extra(c"bpf_link_create_opts")]);
        }
    }
}

#[test]
fn huge_sz_with_top_bit_set_skips_every_check() {
    // (ssize_t)(sz - off) is negative: OPTS_VALID and every OPTS_ZEROED
    // check nothing, and every field is visible. Only 80 bytes are mapped:
    // had anything scanned the tail, it would report Unreadable.
    for sz in [usize::MAX, (1usize << 63) + 80, (1usize << 63) + 1000] {
        let mut b = buf(80, sz);
        w32(&mut b, o::FLAGS, 0x40);
        b[13] = 1; // padding
        w64(&mut b, o::ITER_INFO, 0x10);
        b[79] = 1; // tail padding, rejected with a sane sz
        let k = FakeKernel::new();
        let (r, log) = create(&k, 1, 0, XDP, Some(&b));
        assert_eq!(r, Ok(100), "sz {sz:#x}");
        assert!(log.is_empty());
        assert_eq!(k.calls(), vec![bpf(28, lc_attr(1, 0, XDP, 0x40))]);

        // The relative branch's fd+id check still applies (it is not a
        // zero check).
        let mut b = buf(80, sz);
        w32(&mut b, o::REL_FD, 1);
        w32(&mut b, o::REL_ID, 1);
        let k = FakeKernel::new();
        let (r, log) = create(&k, 1, 0, TCX_INGRESS, Some(&b));
        assert_rejected(&k, r, &log, EINVAL, &[]);

        // And so does the iter_info_len + target_btf_id check.
        let mut b = buf(80, sz);
        w32(&mut b, o::ITER_INFO_LEN, 1);
        w32(&mut b, o::TARGET_BTF_ID, 1);
        let k = FakeKernel::new();
        let (r, log) = create(&k, 1, 0, TRACE_ITER, Some(&b));
        assert_rejected(&k, r, &log, EINVAL, &[]);
    }
}

#[test]
fn huge_positive_sz_reads_into_unmapped_memory() {
    // sz - 76 is below 2^63: libbpf scans (and would fault); we say EFAULT.
    for sz in [(1usize << 63) + 40, (1usize << 63) - 1, 1 << 40, 81] {
        let b = buf(80, sz);
        let k = FakeKernel::new();
        let (r, log) = create(&k, 1, 0, XDP, Some(&b));
        assert_rejected(
            &k,
            r,
            &log,
            Errno::EFAULT,
            &[unreadable(c"bpf_link_create_opts", sz)],
        );
    }
}

#[test]
fn tail_running_into_unmapped_memory() {
    // Zero bytes up to the end of the mapping, then a fault → EFAULT and the
    // bpflink-only message.
    for at in [XDP, TRACE_FENTRY, TRACE_UPROBE_MULTI, TRACE_ITER] {
        let mut b = buf(88, 96);
        w32(&mut b, o::FLAGS, 1);
        let k = FakeKernel::new();
        let (r, log) = create(&k, 1, 0, at, Some(&b));
        assert_rejected(
            &k,
            r,
            &log,
            Errno::EFAULT,
            &[unreadable(c"bpf_link_create_opts", 96)],
        );
        // A non-zero byte before the unmapped part: libbpf stops there.
        let mut b = buf(88, 96);
        b[85] = 1;
        let k = FakeKernel::new();
        let (r, log) = create(&k, 1, 0, at, Some(&b));
        assert_rejected(&k, r, &log, EINVAL, &[extra(c"bpf_link_create_opts")]);
        // A non-zero byte at 76..80 is found before the tail is touched.
        let mut b = buf(80, 96);
        b[76] = 1;
        let k = FakeKernel::new();
        let (r, log) = create(&k, 1, 0, at, Some(&b));
        assert_rejected(&k, r, &log, EINVAL, &[extra(c"bpf_link_create_opts")]);
    }
}

/// A tail reader counting how often it is consulted.
struct CountingTail<'a> {
    inner: CallerBytes<'a>,
    scans: Cell<usize>,
}

impl TailReader for CountingTail<'_> {
    fn scan(&self, start: usize, end: usize) -> TailScan {
        self.scans.set(self.scans.get() + 1);
        self.inner.scan(start, end)
    }
}

#[test]
fn tail_is_read_lazily_and_once() {
    // sz ≤ 80: the tail is never consulted.
    let b = lco();
    let tail = CountingTail {
        inner: CallerBytes(&b),
        scans: Cell::new(0),
    };
    let img = OptsImage::new(LC, 80, &b, &tail);
    let k = FakeKernel::new();
    k.answer(Answer::err(EINVAL));
    let r = unsafe { link_create(&k, 1, 0, TRACE_FENTRY, Some(&img), &mut Warnings::new()) };
    assert_eq!(r, Ok(100)); // via the fallback
    assert_eq!(tail.scans.get(), 0);

    // sz 88: OPTS_VALID, the branch check and the fallback check all need
    // the tail; it is scanned once.
    let b = buf(88, 88);
    let tail = CountingTail {
        inner: CallerBytes(&b),
        scans: Cell::new(0),
    };
    let img = OptsImage::new(LC, 88, &b, &tail);
    let k = FakeKernel::new();
    k.answer(Answer::err(EINVAL));
    let r = unsafe { link_create(&k, 1, 0, TRACE_FENTRY, Some(&img), &mut Warnings::new()) };
    assert_eq!(r, Ok(100));
    assert_eq!(tail.scans.get(), 1);
    assert_eq!(
        k.calls(),
        vec![
            bpf(28, lc_attr(1, 0, TRACE_FENTRY, 0)),
            bpf(17, rt_attr(0, 1, 0)),
        ]
    );
}

#[test]
fn head_longer_than_sz_is_cut() {
    // Bytes past sz in the head slice are never seen, even with a
    // shorter-than-head sz.
    let mut b = lco();
    w64(&mut b, 0, 16);
    w32(&mut b, o::FLAGS, 7);
    w64(&mut b, o::ITER_INFO, 0x1234);
    let tail = CallerBytes(&b);
    let img = OptsImage::new(LC, 16, &b, &tail);
    assert_eq!(img.u32_at(o::FLAGS), 7);
    assert_eq!(img.u64_at(o::ITER_INFO), 0);
    assert_eq!(img.usize_at(o::ITER_INFO), 0);
    assert_eq!(img.sz(), 16);
    assert_eq!(img.kind(), LC);
}

// ---------------------------------------------------------------------------
// the OPTS_* machinery directly
// ---------------------------------------------------------------------------

#[test]
fn opts_machinery_direct() {
    let mut log = Warnings::new();
    assert_eq!(validate(None, &mut log), Ok(()));
    assert_eq!(zeroed_after(None, 12), Ok(true));
    assert!(log.is_empty());

    let mut b = lco();
    b[50] = 1;
    with_opts(LC, Some(&b), |img| {
        assert_eq!(zeroed_after(img, 51), Ok(true));
        assert_eq!(zeroed_after(img, 50), Ok(false));
        assert_eq!(zeroed_after(img, 12), Ok(false));
        assert_eq!(zeroed_after(img, 80), Ok(true)); // empty range
        assert_eq!(zeroed_after(img, 1000), Ok(true)); // negative length
        assert_eq!(validate(img, &mut log), Ok(()));
    });
    assert!(log.is_empty());

    let bytes = [0u8, 0, 0, 1];
    let t = CallerBytes(&bytes);
    assert_eq!(t.scan(0, 3), TailScan::Zero);
    assert_eq!(t.scan(0, 4), TailScan::NonZero);
    assert_eq!(t.scan(0, 10), TailScan::NonZero); // stops before the fault
    assert_eq!(t.scan(4, 10), TailScan::Unreadable);
    assert_eq!(t.scan(10, 20), TailScan::Unreadable);
    assert_eq!(t.scan(2, 2), TailScan::Zero);
}

// ---------------------------------------------------------------------------
// bpf_link_create: the BPF_RAW_TRACEPOINT_OPEN fallback
// ---------------------------------------------------------------------------

#[test]
fn fallback_on_einval_for_the_five_types() {
    let zero80 = lco();
    let sz8 = buf(8, 8);
    let opts_variants: [Option<&[u8]>; 3] = [None, Some(zero80.as_slice()), Some(sz8.as_slice())];
    for at in FALLBACK_TYPES {
        for opts in opts_variants {
            let k = FakeKernel::new();
            k.answer(Answer::err(EINVAL));
            let (r, log) = create(&k, 33, 0, at, opts);
            // The fallback's result (unscripted: fd 100) is returned.
            assert_eq!(r, Ok(100), "attach type {at}");
            assert!(log.is_empty());
            assert_eq!(
                k.calls(),
                vec![
                    bpf(CMD_LINK_CREATE, lc_attr(33, 0, at, 0)),
                    bpf(CMD_RAW_TRACEPOINT_OPEN, rt_attr(0, 33, 0)),
                ]
            );
        }
    }
}

#[test]
fn fallback_error_replaces_the_einval() {
    for at in FALLBACK_TYPES {
        let k = FakeKernel::new();
        k.answer(Answer::err(EINVAL))
            .answer(Answer::err(Errno::EPERM));
        let (r, _) = create(&k, 33, 0, at, None);
        assert_eq!(r, Err(Errno::EPERM));
        assert_eq!(k.bpf_calls().len(), 2);

        let k = FakeKernel::new();
        k.answer(Answer::err(EINVAL)).answer(Answer::err(EINVAL));
        let (r, _) = create(&k, 33, 0, at, None);
        assert_eq!(r, Err(EINVAL));
        assert_eq!(k.bpf_calls().len(), 2, "no second fallback");
    }
}

#[test]
fn fallback_fd_gets_fd_hygiene() {
    let k = FakeKernel::new();
    k.answer(Answer::err(EINVAL)).answer(Answer::ok(1));
    let (r, log) = create(&k, 33, 0, LSM_MAC, None);
    assert_eq!(r, Ok(201));
    assert!(log.is_empty());
    assert_eq!(
        k.calls(),
        vec![
            bpf(28, lc_attr(33, 0, LSM_MAC, 0)),
            bpf(17, rt_attr(0, 33, 0)),
            Call::DupAboveStdio(1),
            Call::Close(1),
        ]
    );
}

#[test]
fn no_fallback_for_other_types() {
    for at in all_attach_types() {
        if FALLBACK_TYPES.contains(&at) {
            continue;
        }
        let k = FakeKernel::new();
        k.answer(Answer::err(EINVAL));
        let (r, _) = create(&k, 33, 0, at, None);
        assert_eq!(r, Err(EINVAL), "attach type {at}");
        assert_eq!(k.calls(), vec![bpf(28, lc_attr(33, 0, at, 0))]);
    }
    // FSESSION explicitly.
    let k = FakeKernel::new();
    k.answer(Answer::err(EINVAL));
    let (r, _) = create(&k, 33, 0, TRACE_FSESSION, Some(&lco()));
    assert_eq!(r, Err(EINVAL));
    assert_eq!(k.bpf_calls().len(), 1);
}

#[test]
fn no_fallback_with_a_target_fd() {
    for at in FALLBACK_TYPES {
        for target in [1, -1, 100] {
            let k = FakeKernel::new();
            k.answer(Answer::err(EINVAL));
            let (r, _) = create(&k, 33, target, at, None);
            assert_eq!(r, Err(EINVAL));
            assert_eq!(k.calls(), vec![bpf(28, lc_attr(33, target, at, 0))]);
        }
    }
}

#[test]
fn no_fallback_with_a_target_btf_id() {
    for at in FALLBACK_TYPES {
        let mut b = lco();
        w32(&mut b, o::TARGET_BTF_ID, 77);
        let k = FakeKernel::new();
        k.answer(Answer::err(EINVAL));
        let (r, _) = create(&k, 33, 0, at, Some(&b));
        assert_eq!(r, Err(EINVAL));
        let mut a = lc_attr(33, 0, at, 0);
        w32(&mut a, 16, 77);
        assert_eq!(k.calls(), vec![bpf(28, a)]);
    }
}

#[test]
fn no_fallback_when_any_option_byte_is_set() {
    for at in FALLBACK_TYPES {
        // flags; the padding; ignored iter_info; the cookie; a partly
        // visible flags field (sz 11): all block the fallback.
        let mut cases = Vec::new();
        let mut b = lco();
        w32(&mut b, o::FLAGS, 1);
        cases.push(b);
        let mut b = lco();
        b[15] = 1;
        cases.push(b);
        let mut b = lco();
        w64(&mut b, o::ITER_INFO, 1);
        cases.push(b);
        let mut b = lco();
        w64(&mut b, o::TRACING_COOKIE, 5);
        cases.push(b);
        let mut b = buf(80, 11);
        b[10] = 1;
        cases.push(b);
        for b in cases {
            let k = FakeKernel::new();
            k.answer(Answer::err(EINVAL));
            let (r, _) = create(&k, 33, 0, at, Some(&b));
            assert_eq!(r, Err(EINVAL), "attach type {at}");
            assert_eq!(k.bpf_calls().len(), 1, "attach type {at}");
        }
    }
}

#[test]
fn no_fallback_for_errors_other_than_einval() {
    for at in FALLBACK_TYPES {
        for e in [
            Errno::EPERM,
            Errno::ENOENT,
            Errno::EOPNOTSUPP,
            Errno::E2BIG,
            Errno::EBADF,
            Errno(libc::ENOSYS),
        ] {
            let k = FakeKernel::new();
            k.answer(Answer::err(e));
            let (r, _) = create(&k, 33, 0, at, None);
            assert_eq!(r, Err(e));
            assert_eq!(k.bpf_calls().len(), 1);
        }
    }
}

#[test]
fn fallback_with_huge_sz_ignores_set_options() {
    // OPTS_ZEROED(opts, sz) has a negative length too: with a top-bit sz
    // the fallback runs even though flags and a cookie are set (and drops
    // them), exactly as libbpf does.
    let mut b = buf(80, usize::MAX);
    w32(&mut b, o::FLAGS, 1);
    w64(&mut b, o::TRACING_COOKIE, 5);
    let k = FakeKernel::new();
    k.answer(Answer::err(EINVAL));
    let (r, _) = create(&k, 33, 0, TRACE_FENTRY, Some(&b));
    assert_eq!(r, Ok(100));
    let mut a = lc_attr(33, 0, TRACE_FENTRY, 1);
    w64(&mut a, 24, 5);
    assert_eq!(k.calls(), vec![bpf(28, a), bpf(17, rt_attr(0, 33, 0))]);
}

#[test]
fn dup_failure_with_einval_leads_to_the_fallback() {
    // ensure_good_fd's -1 carries fcntl's errno; libbpf's `err = -errno`
    // then sees EINVAL like a kernel EINVAL.
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    k.dup_answers(Err(EINVAL));
    let (r, log) = create(&k, 33, 0, TRACE_FEXIT, None);
    // The fallback's fd (100) is fine and needs no dup.
    assert_eq!(r, Ok(100));
    assert_eq!(
        log,
        vec![Warning::DupFailed {
            fd: 0,
            errno: EINVAL
        }]
    );
    assert_eq!(
        k.calls(),
        vec![
            bpf(28, lc_attr(33, 0, TRACE_FEXIT, 0)),
            Call::DupAboveStdio(0),
            Call::Close(0),
            bpf(17, rt_attr(0, 33, 0)),
        ]
    );
}

// ---------------------------------------------------------------------------
// fd hygiene (ensure_good_fd)
// ---------------------------------------------------------------------------

#[test]
fn low_fds_are_moved_above_stdio() {
    for fd in 0..3 {
        let k = FakeKernel::new();
        k.answer(Answer::ok(fd));
        let (r, log) = create(&k, 5, 0, XDP, None);
        assert_eq!(r, Ok(200 + fd));
        assert!(log.is_empty());
        assert_eq!(
            k.calls(),
            vec![
                bpf(28, lc_attr(5, 0, XDP, 0)),
                Call::DupAboveStdio(fd),
                Call::Close(fd),
            ]
        );
    }
    // dup's fd is returned whatever it is.
    let k = FakeKernel::new();
    k.answer(Answer::ok(2));
    k.dup_answers(Ok(3));
    let (r, _) = create(&k, 5, 0, XDP, None);
    assert_eq!(r, Ok(3));
}

#[test]
fn fds_from_3_up_are_left_alone() {
    for fd in [3, 4, 1000, i32::MAX] {
        let k = FakeKernel::new();
        k.answer(Answer::ok(fd));
        let (r, _) = create(&k, 5, 0, XDP, None);
        assert_eq!(r, Ok(fd));
        assert_eq!(k.calls().len(), 1);
    }
}

#[test]
fn dup_failure_closes_and_reports() {
    for fd in 0..3 {
        let k = FakeKernel::new();
        k.answer(Answer::ok(fd));
        k.dup_answers(Err(EMFILE));
        let (r, log) = create(&k, 5, 0, XDP, None);
        assert_eq!(r, Err(EMFILE));
        assert_eq!(log, vec![Warning::DupFailed { fd, errno: EMFILE }]);
        assert_eq!(
            k.calls(),
            vec![
                bpf(28, lc_attr(5, 0, XDP, 0)),
                Call::DupAboveStdio(fd),
                Call::Close(fd),
            ]
        );
    }
}

#[test]
fn kernel_errors_pass_through_without_dup() {
    for e in [Errno::EPERM, Errno::EBADF, Errno::EBUSY, Errno::EEXIST] {
        let k = FakeKernel::new();
        k.answer(Answer::err(e));
        let (r, log) = create(&k, 5, 0, XDP, None);
        assert_eq!(r, Err(e));
        assert!(log.is_empty());
        assert_eq!(k.calls().len(), 1);
    }
}

#[test]
fn bpf_fd_directly() {
    let k = FakeKernel::new();
    k.answer(Answer::ok(1));
    let mut attr = [1u8, 2, 3];
    let mut log = Warnings::new();
    assert_eq!(unsafe { bpf_fd(&k, 99, &mut attr, &mut log) }, Ok(201));
    assert_eq!(
        k.calls(),
        vec![
            bpf(99, vec![1, 2, 3]),
            Call::DupAboveStdio(1),
            Call::Close(1),
        ]
    );
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::ENOMEM));
    assert_eq!(
        unsafe { bpf_fd(&k, 99, &mut attr, &mut log) },
        Err(Errno::ENOMEM)
    );
    assert_eq!(k.calls().len(), 1);
    assert!(log.is_empty());
}

// ---------------------------------------------------------------------------
// bpf_link_update
// ---------------------------------------------------------------------------

const LU: OptsKind = abi::LINK_UPDATE_OPTS;

fn update(k: &FakeKernel, link: i32, prog: i32, opts: Option<&[u8]>) -> (Result<i32>, Warnings) {
    let mut log = Warnings::new();
    let r = with_opts(LU, opts, |o| calls::link_update(k, link, prog, o, &mut log));
    (r, log)
}

fn lu_attr(link: i32, prog: i32, flags: u32, old: u32) -> Vec<u8> {
    let mut a = vec![0u8; 16];
    wi32(&mut a, 0, link);
    wi32(&mut a, 4, prog);
    w32(&mut a, 8, flags);
    w32(&mut a, 12, old);
    a
}

#[test]
fn link_update_images() {
    assert_eq!(
        (
            uo::FLAGS,
            uo::OLD_PROG_FD,
            uo::OLD_MAP_FD,
            LU.known_end,
            LU.size
        ),
        (8, 12, 16, 20, 24)
    );
    // NULL opts.
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    let (r, log) = update(&k, 10, 11, None);
    assert_eq!(r, Ok(0));
    assert!(log.is_empty());
    assert_eq!(k.calls(), vec![bpf(CMD_LINK_UPDATE, lu_attr(10, 11, 0, 0))]);

    // flags + old_prog_fd.
    let mut b = buf(24, 24);
    w32(&mut b, uo::FLAGS, 4); // BPF_F_REPLACE
    w32(&mut b, uo::OLD_PROG_FD, 12);
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    let (r, _) = update(&k, 10, 11, Some(&b));
    assert_eq!(r, Ok(0));
    assert_eq!(k.calls(), vec![bpf(29, lu_attr(10, 11, 4, 12))]);

    // old_map_fd alone goes into the shared slot @12.
    let mut b = buf(24, 24);
    w32(&mut b, uo::OLD_MAP_FD, 13);
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    let (r, _) = update(&k, 10, 11, Some(&b));
    assert_eq!(r, Ok(0));
    assert_eq!(k.calls(), vec![bpf(29, lu_attr(10, 11, 0, 13))]);

    // Both → EINVAL without a syscall or a message.
    let mut b = buf(24, 24);
    w32(&mut b, uo::OLD_PROG_FD, 12);
    w32(&mut b, uo::OLD_MAP_FD, 13);
    let k = FakeKernel::new();
    let (r, log) = update(&k, 10, 11, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[]);

    // sz 16 (a pre-1.2 caller): old_map_fd is invisible, so no conflict.
    let mut b2 = b.clone();
    w64(&mut b2, 0, 16);
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    let (r, _) = update(&k, 10, 11, Some(&b2));
    assert_eq!(r, Ok(0));
    assert_eq!(k.calls(), vec![bpf(29, lu_attr(10, 11, 0, 12))]);

    // sz 19: old_map_fd only partly inside → 0.
    let mut b = buf(24, 19);
    w32(&mut b, uo::OLD_MAP_FD, 13);
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    let (r, _) = update(&k, 10, 11, Some(&b));
    assert_eq!(r, Ok(0));
    assert_eq!(k.calls(), vec![bpf(29, lu_attr(10, 11, 0, 0))]);

    // sz 20 (exactly __last_field's end) sees it.
    w64(&mut b, 0, 20);
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    let (r, _) = update(&k, 10, 11, Some(&b));
    assert_eq!(r, Ok(0));
    assert_eq!(k.calls(), vec![bpf(29, lu_attr(10, 11, 0, 13))]);
}

#[test]
fn link_update_sz_rules() {
    // Too small.
    for sz in [0, 7] {
        let b = buf(24, sz);
        let k = FakeKernel::new();
        let (r, log) = update(&k, 1, 2, Some(&b));
        assert_rejected(
            &k,
            r,
            &log,
            EINVAL,
            &[too_small(c"bpf_link_update_opts", sz)],
        );
    }
    // The struct's own padding 20..24 (libbpf PR #689 quirk).
    for p in 20..24 {
        let mut b = buf(24, 24);
        b[p] = 1;
        let k = FakeKernel::new();
        let (r, log) = update(&k, 1, 2, Some(&b));
        assert_rejected(&k, r, &log, EINVAL, &[extra(c"bpf_link_update_opts")]);
    }
    // A longer, zero tail passes; a non-zero one does not.
    let b = buf(40, 40);
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    assert_eq!(update(&k, 1, 2, Some(&b)).0, Ok(0));
    let mut b = buf(40, 40);
    b[39] = 1;
    let k = FakeKernel::new();
    let (r, log) = update(&k, 1, 2, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[extra(c"bpf_link_update_opts")]);
    // Unmapped tail.
    let b = buf(24, 40);
    let k = FakeKernel::new();
    let (r, log) = update(&k, 1, 2, Some(&b));
    assert_rejected(
        &k,
        r,
        &log,
        Errno::EFAULT,
        &[unreadable(c"bpf_link_update_opts", 40)],
    );
}

#[test]
fn link_update_has_no_fd_hygiene_and_passes_errors() {
    // A plain syscall: a 0 return is the success value, not an fd.
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    assert_eq!(update(&k, 1, 2, None).0, Ok(0));
    assert_eq!(k.calls().len(), 1);
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::EPERM));
    assert_eq!(update(&k, 1, 2, None).0, Err(Errno::EPERM));
    assert_eq!(k.calls().len(), 1);
}

// ---------------------------------------------------------------------------
// bpf_link_detach, bpf_iter_create
// ---------------------------------------------------------------------------

#[test]
fn link_detach_image() {
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    assert_eq!(calls::link_detach(&k, 0x0102_0304), Ok(0));
    assert_eq!(
        k.calls(),
        vec![bpf(CMD_LINK_DETACH, vec![0x04, 0x03, 0x02, 0x01])]
    );
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::EOPNOTSUPP));
    assert_eq!(calls::link_detach(&k, -1), Err(Errno::EOPNOTSUPP));
    assert_eq!(k.calls(), vec![bpf(34, vec![0xff; 4])]);
}

#[test]
fn iter_create_image_and_hygiene() {
    let k = FakeKernel::new();
    let mut log = Warnings::new();
    assert_eq!(calls::iter_create(&k, 9, &mut log), Ok(100));
    assert_eq!(
        k.calls(),
        vec![bpf(CMD_ITER_CREATE, vec![9, 0, 0, 0, 0, 0, 0, 0])]
    );

    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    assert_eq!(calls::iter_create(&k, 9, &mut log), Ok(200));
    assert_eq!(k.calls().len(), 3);
    assert!(log.is_empty());

    let k = FakeKernel::new();
    k.answer(Answer::ok(2));
    k.dup_answers(Err(EMFILE));
    assert_eq!(calls::iter_create(&k, 9, &mut log), Err(EMFILE));
    assert_eq!(
        log,
        vec![Warning::DupFailed {
            fd: 2,
            errno: EMFILE
        }]
    );

    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::EBADF));
    assert_eq!(
        calls::iter_create(&k, 9, &mut Warnings::new()),
        Err(Errno::EBADF)
    );
}

// ---------------------------------------------------------------------------
// bpf_link_get_next_id, bpf_link_get_fd_by_id(_opts)
// ---------------------------------------------------------------------------

#[test]
fn link_get_next_id() {
    let k = FakeKernel::new();
    k.answer(Answer::ok(0).with_write_back(4, &42u32.to_le_bytes()));
    assert_eq!(calls::link_get_next_id(&k, 7), Ok((0, Some(42))));
    assert_eq!(
        k.calls(),
        vec![bpf(
            CMD_LINK_GET_NEXT_ID,
            vec![7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        )]
    );

    // End of the list: ENOENT, and whatever the kernel left is not used.
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::ENOENT).with_write_back(4, &42u32.to_le_bytes()));
    assert_eq!(calls::link_get_next_id(&k, u32::MAX), Err(Errno::ENOENT));
    assert_eq!(
        k.bpf_calls()[0].1,
        vec![0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]
    );

    // `if (!err)`: a non-zero success value writes nothing back.
    let k = FakeKernel::new();
    k.answer(Answer::ok(5).with_write_back(4, &42u32.to_le_bytes()));
    assert_eq!(calls::link_get_next_id(&k, 0), Ok((5, None)));

    // A plain syscall: 0 is not an fd.
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    assert_eq!(calls::link_get_next_id(&k, 0), Ok((0, Some(0))));
    assert_eq!(k.calls().len(), 1);
}

const FD: OptsKind = abi::GET_FD_BY_ID_OPTS;

fn get_fd(k: &FakeKernel, id: u32, opts: Option<&[u8]>) -> (Result<i32>, Warnings) {
    let mut log = Warnings::new();
    let r = with_opts(FD, opts, |o| calls::link_get_fd_by_id(k, id, o, &mut log));
    (r, log)
}

fn id_attr(id: u32, open_flags: u32) -> Vec<u8> {
    let mut a = vec![0u8; 12];
    w32(&mut a, 0, id);
    w32(&mut a, 8, open_flags);
    a
}

#[test]
fn link_get_fd_by_id() {
    assert_eq!(
        (fdo::OPEN_FLAGS, fdo::TOKEN_FD, FD.known_end, FD.size),
        (8, 12, 16, 16)
    );
    let k = FakeKernel::new();
    let (r, log) = get_fd(&k, 55, None);
    assert_eq!(r, Ok(100));
    assert!(log.is_empty());
    assert_eq!(k.calls(), vec![bpf(CMD_LINK_GET_FD_BY_ID, id_attr(55, 0))]);

    // open_flags @8; token_fd is NOT forwarded.
    let mut b = buf(16, 16);
    w32(&mut b, fdo::OPEN_FLAGS, 8); // BPF_F_RDONLY
    w32(&mut b, fdo::TOKEN_FD, 9);
    let k = FakeKernel::new();
    let (r, _) = get_fd(&k, 55, Some(&b));
    assert_eq!(r, Ok(100));
    assert_eq!(k.calls(), vec![bpf(30, id_attr(55, 8))]);

    // A 1.1–1.5 caller (sz 12) and a partly covered open_flags (sz 11).
    let mut b = buf(16, 12);
    w32(&mut b, fdo::OPEN_FLAGS, 0x10);
    let k = FakeKernel::new();
    let _ = get_fd(&k, 55, Some(&b));
    assert_eq!(k.calls(), vec![bpf(30, id_attr(55, 0x10))]);
    w64(&mut b, 0, 11);
    let k = FakeKernel::new();
    let _ = get_fd(&k, 55, Some(&b));
    assert_eq!(k.calls(), vec![bpf(30, id_attr(55, 0))]);

    // sz rules.
    let b = buf(16, 4);
    let k = FakeKernel::new();
    let (r, log) = get_fd(&k, 55, Some(&b));
    assert_rejected(
        &k,
        r,
        &log,
        EINVAL,
        &[too_small(c"bpf_get_fd_by_id_opts", 4)],
    );
    let mut b = buf(24, 24);
    b[20] = 1;
    let k = FakeKernel::new();
    let (r, log) = get_fd(&k, 55, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[extra(c"bpf_get_fd_by_id_opts")]);
    let b = buf(24, 24);
    let k = FakeKernel::new();
    assert_eq!(get_fd(&k, 55, Some(&b)).0, Ok(100));

    // Hygiene and errors.
    let k = FakeKernel::new();
    k.answer(Answer::ok(1));
    assert_eq!(get_fd(&k, 55, None).0, Ok(201));
    assert_eq!(k.calls()[1..], [Call::DupAboveStdio(1), Call::Close(1)]);
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::ENOENT));
    assert_eq!(get_fd(&k, 55, None).0, Err(Errno::ENOENT));
    assert_eq!(k.calls().len(), 1);
}

// ---------------------------------------------------------------------------
// bpf_obj_get_info_by_fd
// ---------------------------------------------------------------------------

#[test]
fn obj_get_info_by_fd() {
    let k = FakeKernel::new();
    k.answer(Answer::ok(0).with_write_back(4, &48u32.to_le_bytes()));
    let r = unsafe { calls::obj_get_info_by_fd(&k, 7, 0x7fff_0000_1234, 200) };
    assert_eq!(r, Ok((0, Some(48))));
    let mut a = vec![0u8; 16];
    w32(&mut a, 0, 7);
    w32(&mut a, 4, 200);
    w64(&mut a, 8, 0x7fff_0000_1234);
    assert_eq!(k.calls(), vec![bpf(CMD_OBJ_GET_INFO_BY_FD, a.clone())]);

    // On failure the length is not written back.
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::EFAULT).with_write_back(4, &48u32.to_le_bytes()));
    let r = unsafe { calls::obj_get_info_by_fd(&k, 7, 0x7fff_0000_1234, 200) };
    assert_eq!(r, Err(Errno::EFAULT));
    assert_eq!(k.calls(), vec![bpf(15, a)]);

    // No hygiene: 0 is the success value.
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    assert_eq!(
        unsafe { calls::obj_get_info_by_fd(&k, 0, 0, 0) },
        Ok((0, Some(0)))
    );
    assert_eq!(k.calls().len(), 1);
}

// ---------------------------------------------------------------------------
// bpf_raw_tracepoint_open(_opts)
// ---------------------------------------------------------------------------

const RT: OptsKind = abi::RAW_TP_OPTS;

fn rt_open(k: &FakeKernel, prog: i32, opts: Option<&[u8]>) -> (Result<i32>, Warnings) {
    let mut log = Warnings::new();
    let r = with_opts(RT, opts, |o| unsafe {
        raw_tp::raw_tracepoint_open_opts(k, prog, o, &mut log)
    });
    (r, log)
}

#[test]
fn raw_tracepoint_open_opts() {
    assert_eq!((RT.known_end, RT.size), (24, 24));
    let k = FakeKernel::new();
    let (r, log) = rt_open(&k, 4, None);
    assert_eq!(r, Ok(100));
    assert!(log.is_empty());
    assert_eq!(
        k.calls(),
        vec![bpf(CMD_RAW_TRACEPOINT_OPEN, rt_attr(0, 4, 0))]
    );

    let mut full = buf(24, 24);
    w64(&mut full, abi::raw_tp::TP_NAME, 0x5555_0000_1000);
    w64(&mut full, abi::raw_tp::COOKIE, 0xc00c1e);
    for (sz, name, cookie) in [
        (24, 0x5555_0000_1000, 0xc00c1e),
        (23, 0x5555_0000_1000, 0), // cookie partly inside
        (16, 0x5555_0000_1000, 0),
        (15, 0, 0), // tp_name partly inside
        (8, 0, 0),
    ] {
        let mut b = full.clone();
        w64(&mut b, 0, sz as u64);
        let k = FakeKernel::new();
        let (r, log) = rt_open(&k, 4, Some(&b));
        assert_eq!(r, Ok(100), "sz {sz}");
        assert!(log.is_empty());
        assert_eq!(
            k.calls(),
            vec![bpf(17, rt_attr(name, 4, cookie))],
            "sz {sz}"
        );
    }

    // sz rules.
    let b = buf(24, 7);
    let k = FakeKernel::new();
    let (r, log) = rt_open(&k, 4, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[too_small(c"bpf_raw_tp_opts", 7)]);
    let mut b = buf(32, 32);
    b[24] = 1;
    let k = FakeKernel::new();
    let (r, log) = rt_open(&k, 4, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[extra(c"bpf_raw_tp_opts")]);
    let b = buf(32, 32);
    let k = FakeKernel::new();
    assert_eq!(rt_open(&k, 4, Some(&b)).0, Ok(100));

    // Hygiene.
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    assert_eq!(rt_open(&k, 4, None).0, Ok(200));
    assert_eq!(k.calls()[1..], [Call::DupAboveStdio(0), Call::Close(0)]);
}

#[test]
fn raw_tracepoint_open_by_name() {
    let k = FakeKernel::new();
    let r = unsafe { raw_tp::raw_tracepoint_open_name(&k, 0xabc0, 4, &mut Warnings::new()) };
    assert_eq!(r, Ok(100));
    assert_eq!(k.calls(), vec![bpf(17, rt_attr(0xabc0, 4, 0))]);
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::ENOENT));
    let r = unsafe { raw_tp::raw_tracepoint_open_name(&k, 0, -1, &mut Warnings::new()) };
    assert_eq!(r, Err(Errno::ENOENT));
    assert_eq!(k.calls(), vec![bpf(17, rt_attr(0, -1, 0))]);
}

// ---------------------------------------------------------------------------
// bpf_obj_pin(_opts), bpf_obj_get(_opts)
// ---------------------------------------------------------------------------

fn obj_attr(path: u64, fd: i32, file_flags: u32, path_fd: i32) -> Vec<u8> {
    let mut a = vec![0u8; 20];
    w64(&mut a, 0, path);
    wi32(&mut a, 8, fd);
    w32(&mut a, 12, file_flags);
    wi32(&mut a, 16, path_fd);
    a
}

fn pin(k: &FakeKernel, fd: i32, path: u64, opts: Option<&[u8]>) -> (Result<i32>, Warnings) {
    let mut log = Warnings::new();
    let r = with_opts(abi::OBJ_PIN_OPTS, opts, |o| unsafe {
        calls::obj_pin(k, fd, path, o, &mut log)
    });
    (r, log)
}

fn get(k: &FakeKernel, path: u64, opts: Option<&[u8]>) -> (Result<i32>, Warnings) {
    let mut log = Warnings::new();
    let r = with_opts(abi::OBJ_GET_OPTS, opts, |o| unsafe {
        calls::obj_get(k, path, o, &mut log)
    });
    (r, log)
}

#[test]
fn obj_pin_images() {
    assert_eq!((oo::FILE_FLAGS, oo::PATH_FD, oo::KNOWN_END), (8, 12, 16));
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    let (r, log) = pin(&k, 6, 0x4000_1000, None);
    assert_eq!(r, Ok(0));
    assert!(log.is_empty());
    assert_eq!(
        k.calls(),
        vec![bpf(CMD_OBJ_PIN, obj_attr(0x4000_1000, 6, 0, 0))]
    );

    // path_fd copied without BPF_F_PATH_FD; AT_FDCWD-style negatives too.
    for (flags, path_fd) in [(0, 5), (0x4000, 5), (0x4000, -100), (0, -1)] {
        let mut b = buf(16, 16);
        w32(&mut b, oo::FILE_FLAGS, flags);
        wi32(&mut b, oo::PATH_FD, path_fd);
        let k = FakeKernel::new();
        k.answer(Answer::ok(0));
        let (r, _) = pin(&k, 6, 0x4000_1000, Some(&b));
        assert_eq!(r, Ok(0));
        assert_eq!(
            k.calls(),
            vec![bpf(6, obj_attr(0x4000_1000, 6, flags, path_fd))]
        );
    }
    // -100 on the wire.
    let mut b = buf(16, 16);
    wi32(&mut b, oo::PATH_FD, -100);
    let k = FakeKernel::new();
    let _ = pin(&k, 6, 1, Some(&b));
    assert_eq!(k.bpf_calls()[0].1[16..20], [0x9c, 0xff, 0xff, 0xff]);

    // sz 12: path_fd invisible.
    let mut b = buf(16, 12);
    w32(&mut b, oo::FILE_FLAGS, 0x4000);
    wi32(&mut b, oo::PATH_FD, 5);
    let k = FakeKernel::new();
    let _ = pin(&k, 6, 1, Some(&b));
    assert_eq!(k.calls(), vec![bpf(6, obj_attr(1, 6, 0x4000, 0))]);

    // sz rules and messages.
    let b = buf(16, 3);
    let k = FakeKernel::new();
    let (r, log) = pin(&k, 6, 1, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[too_small(c"bpf_obj_pin_opts", 3)]);
    let mut b = buf(24, 24);
    b[16] = 1;
    let k = FakeKernel::new();
    let (r, log) = pin(&k, 6, 1, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[extra(c"bpf_obj_pin_opts")]);

    // No hygiene; errors pass.
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::EEXIST));
    assert_eq!(pin(&k, 6, 1, None).0, Err(Errno::EEXIST));
    assert_eq!(k.calls().len(), 1);
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    assert_eq!(pin(&k, 6, 1, None).0, Ok(0));
    assert_eq!(k.calls().len(), 1);
}

#[test]
fn obj_get_images() {
    let k = FakeKernel::new();
    let (r, log) = get(&k, 0x4000_2000, None);
    assert_eq!(r, Ok(100));
    assert!(log.is_empty());
    assert_eq!(
        k.calls(),
        vec![bpf(CMD_OBJ_GET, obj_attr(0x4000_2000, 0, 0, 0))]
    );

    let mut b = buf(16, 16);
    w32(&mut b, oo::FILE_FLAGS, 0x8); // BPF_F_RDONLY
    wi32(&mut b, oo::PATH_FD, 7);
    let k = FakeKernel::new();
    let (r, _) = get(&k, 0x4000_2000, Some(&b));
    assert_eq!(r, Ok(100));
    assert_eq!(k.calls(), vec![bpf(7, obj_attr(0x4000_2000, 0, 0x8, 7))]);

    let b = buf(16, 0);
    let k = FakeKernel::new();
    let (r, log) = get(&k, 1, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[too_small(c"bpf_obj_get_opts", 0)]);
    let mut b = buf(24, 24);
    b[23] = 1;
    let k = FakeKernel::new();
    let (r, log) = get(&k, 1, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[extra(c"bpf_obj_get_opts")]);

    // Hygiene.
    let k = FakeKernel::new();
    k.answer(Answer::ok(2));
    assert_eq!(get(&k, 1, None).0, Ok(202));
    assert_eq!(k.calls()[1..], [Call::DupAboveStdio(2), Call::Close(2)]);
    let k = FakeKernel::new();
    k.answer(Answer::ok(2));
    k.dup_answers(Err(EMFILE));
    let (r, log) = get(&k, 1, None);
    assert_eq!(r, Err(EMFILE));
    assert_eq!(
        log,
        vec![Warning::DupFailed {
            fd: 2,
            errno: EMFILE
        }]
    );
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::ENOENT));
    assert_eq!(get(&k, 1, None).0, Err(Errno::ENOENT));
    assert_eq!(k.calls().len(), 1);
}
