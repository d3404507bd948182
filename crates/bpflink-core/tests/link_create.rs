//! `bpf_link_create` through the fake kernel: the branch table, every
//! branch's attr image, the BTF-target rule, opts sizes, the raw_tp fallback.
//!
//! Every expectation below is written from libbpf v1.7.0's own source
//! (`bpf.c`: `bpf_link_create` and friends; `libbpf_internal.h`:
//! `OPTS_VALID`, `OPTS_GET`, `OPTS_ZEROED`, `ensure_good_fd`). Command
//! numbers, attach-type values and `bpf_attr` offsets are spelled as
//! literals taken from libbpf 1.7.0's `include/uapi/linux/bpf.h`, so a wrong
//! constant in `uapi.rs` is caught here too; opts offsets come from the
//! `abi.rs` mirrors (themselves asserted at compile time against
//! docs/libbpf-behaviour.md#the-opts-layouts).
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

mod common;

use common::*;

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
        assert_eq!(k.calls(), vec![bpf(cmd::LINK_CREATE, lc_attr(5, 9, at, 0))]);
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
    assert_eq!(k.calls(), vec![bpf(cmd::LINK_CREATE, a)]);
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
    // docs/libbpf-behaviour.md#the-per-attach-type-branches, verified on a
    // kernel.
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
    // docs/libbpf-behaviour.md#the-per-attach-type-branches: PERF_EVENT with
    // iter_info=0x1234, iter_info_len=0 went to the kernel unchanged (i.e.
    // without iter_info).
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
// bpf_link_create: opts sizes (docs/libbpf-behaviour.md#opts_valid)
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
                    bpf(cmd::LINK_CREATE, lc_attr(33, 0, at, 0)),
                    bpf(cmd::RAW_TRACEPOINT_OPEN, rt_attr(0, 33, 0)),
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
