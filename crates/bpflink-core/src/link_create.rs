//! `bpf_link_create` (docs/libbpf-behaviour.md#bpf_link_create): opts → the
//! exact 64-byte `attr.link_create` image, the syscall, and the
//! `BPF_RAW_TRACEPOINT_OPEN` fallback.
//!
//! What adding a link kind takes today (several files; the table row is the
//! only part of it in this file):
//! - its attach type (and link type) in `uapi.rs` (`MAX` too), its names in
//!   `names.rs`, and the C name macros for an older `<linux/bpf.h>` in
//!   `src/after_includes.h` (asserted by `c-tests/header_names.c`);
//! - its row in [`BRANCHES`] (and in [`RAW_TP_FALLBACK`] if libbpf retries
//!   it). An attach type with an opts union member of its own also needs a
//!   [`Branch`] variant and its arm in `fill_attr`, the attr offsets in
//!   `uapi.rs`, the member in `abi.rs` (mirror, offsets, compile-time
//!   asserts) and in `src/after_includes.h`, `make header`, and its lines in
//!   `c-tests/layout.c` and `tests/abi_layout.rs`;
//! - its link info layout in `info.rs`; in the Rust crate its builder and
//!   constructor (`crates/bpflink/src/attach.rs`, `link.rs`), its constants
//!   in `types.rs` and its `LinkInfo` variant (`info.rs`); the tool's
//!   rendering of its target (`crates/bpflink-tool`);
//! - tests: its branch and attr image in the core's `tests/link_create.rs`,
//!   the independent model and seeds in `fuzz/src/`, the conformance corpus
//!   (`conformance/driver/`: `cases.c`, `corpus_low_level.c`, `random.c`),
//!   a real-kernel test in `tests/kernel_kinds/`
//!   (or its exact refusal there), and the Rust crate's and the tool's tests.

use super::abi::{LINK_CREATE_OPTS, link_create as o};
use super::errno::{Errno, Result};
use super::kernel::{Kernel, bpf_fd};
use super::opts::{Log, OptsImage, get_i32, get_ptr, get_u32, get_u64, validate, zeroed_after};
use super::raw_tp;
use super::uapi::attach::*;
use super::uapi::attr::*;
use super::uapi::{AttrImage, cmd, flags};

/// The image libbpf 1.7.0 sends with `BPF_LINK_CREATE`.
pub type LinkCreateAttr = AttrImage<LINK_CREATE_SIZE>;

/// Which member of the opts union an attach type uses (the `switch` in
/// libbpf's `bpf_link_create`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Branch {
    /// `iter_info` / `iter_info_len`; checks nothing after them.
    Iter,
    /// `perf_event.bpf_cookie`.
    PerfEvent,
    /// `kprobe_multi.*`.
    KprobeMulti,
    /// `uprobe_multi.*` (no `path_fd` in v1.7.0).
    UprobeMulti,
    /// `tracing.cookie` (fentry/fexit/fmod_ret/lsm/raw_tp/fsession).
    Tracing,
    /// `netfilter.*`.
    Netfilter,
    /// `tcx` / `netkit` / `cgroup`: relative_fd or relative_id (+`BPF_F_ID`)
    /// and expected_revision.
    Relative,
    /// Everything else: nothing copied, nothing after `flags` may be set.
    Default,
}

/// Attach types with their own branch; any other value, known or not,
/// takes [`Branch::Default`] (libbpf does not range-check attach_type).
pub const BRANCHES: &[(u32, Branch)] = &[
    (TRACE_ITER, Branch::Iter),
    (PERF_EVENT, Branch::PerfEvent),
    (TRACE_KPROBE_MULTI, Branch::KprobeMulti),
    (TRACE_KPROBE_SESSION, Branch::KprobeMulti),
    (TRACE_UPROBE_MULTI, Branch::UprobeMulti),
    (TRACE_UPROBE_SESSION, Branch::UprobeMulti),
    (TRACE_RAW_TP, Branch::Tracing),
    (TRACE_FENTRY, Branch::Tracing),
    (TRACE_FEXIT, Branch::Tracing),
    (MODIFY_RETURN, Branch::Tracing),
    (TRACE_FSESSION, Branch::Tracing),
    (LSM_MAC, Branch::Tracing),
    (NETFILTER, Branch::Netfilter),
    (TCX_INGRESS, Branch::Relative),
    (TCX_EGRESS, Branch::Relative),
    (NETKIT_PRIMARY, Branch::Relative),
    (NETKIT_PEER, Branch::Relative),
    // cgroup mprog (libbpf 1.6+)
    (CGROUP_INET_INGRESS, Branch::Relative),
    (CGROUP_INET_EGRESS, Branch::Relative),
    (CGROUP_INET_SOCK_CREATE, Branch::Relative),
    (CGROUP_INET_SOCK_RELEASE, Branch::Relative),
    (CGROUP_INET4_BIND, Branch::Relative),
    (CGROUP_INET6_BIND, Branch::Relative),
    (CGROUP_INET4_POST_BIND, Branch::Relative),
    (CGROUP_INET6_POST_BIND, Branch::Relative),
    (CGROUP_INET4_CONNECT, Branch::Relative),
    (CGROUP_INET6_CONNECT, Branch::Relative),
    (CGROUP_UNIX_CONNECT, Branch::Relative),
    (CGROUP_INET4_GETPEERNAME, Branch::Relative),
    (CGROUP_INET6_GETPEERNAME, Branch::Relative),
    (CGROUP_UNIX_GETPEERNAME, Branch::Relative),
    (CGROUP_INET4_GETSOCKNAME, Branch::Relative),
    (CGROUP_INET6_GETSOCKNAME, Branch::Relative),
    (CGROUP_UNIX_GETSOCKNAME, Branch::Relative),
    (CGROUP_UDP4_SENDMSG, Branch::Relative),
    (CGROUP_UDP6_SENDMSG, Branch::Relative),
    (CGROUP_UNIX_SENDMSG, Branch::Relative),
    (CGROUP_UDP4_RECVMSG, Branch::Relative),
    (CGROUP_UDP6_RECVMSG, Branch::Relative),
    (CGROUP_UNIX_RECVMSG, Branch::Relative),
    (CGROUP_SOCK_OPS, Branch::Relative),
    (CGROUP_DEVICE, Branch::Relative),
    (CGROUP_SYSCTL, Branch::Relative),
    (CGROUP_GETSOCKOPT, Branch::Relative),
    (CGROUP_SETSOCKOPT, Branch::Relative),
    (LSM_CGROUP, Branch::Relative),
];

/// Attach types libbpf retries with `BPF_RAW_TRACEPOINT_OPEN` when the kernel
/// answers `EINVAL` (docs/libbpf-behaviour.md#the-raw_tp-fallback).
/// `TRACE_FSESSION` and the multi types are not among them.
pub const RAW_TP_FALLBACK: &[u32] = &[
    TRACE_RAW_TP,
    LSM_MAC,
    TRACE_FENTRY,
    TRACE_FEXIT,
    MODIFY_RETURN,
];

/// Attach types are small numbers: [`BRANCHES`] turned into a lookup table
/// at compile time, so the per-call dispatch is one indexed load.
const BRANCH_TABLE_LEN: usize = 64;
// Indexing in a const initialiser: an out-of-range row fails the build, it
// cannot panic at run time.
#[allow(clippy::indexing_slicing)]
const BRANCH_TABLE: [Branch; BRANCH_TABLE_LEN] = {
    let mut table = [Branch::Default; BRANCH_TABLE_LEN];
    let mut i = 0;
    while i < BRANCHES.len() {
        let (t, b) = BRANCHES[i];
        assert!(
            (t as usize) < BRANCH_TABLE_LEN,
            "attach type beyond the branch table"
        );
        table[t as usize] = b;
        i += 1;
    }
    table
};

pub fn branch_for(attach_type: u32) -> Branch {
    BRANCH_TABLE
        .get(attach_type as usize)
        .copied()
        .unwrap_or(Branch::Default)
}

/// `OPTS_ZEROED(opts, member)` for the branch's member, or `EINVAL`.
#[inline(always)]
fn require_zeroed_after(opts: Option<&OptsImage<'_>>, field_end: usize) -> Result<()> {
    if zeroed_after(opts, field_end)? {
        Ok(())
    } else {
        Err(Errno::EINVAL)
    }
}

/// Steps 1–6 of docs/libbpf-behaviour.md#bpf_link_create-step-by-step:
/// validate the opts and build the attr image.
/// No syscall happens when this fails.
#[inline(always)]
pub fn build_attr<L: Log + ?Sized>(
    prog_fd: i32,
    target_fd: i32,
    attach_type: u32,
    opts: Option<&OptsImage<'_>>,
    log: &mut L,
) -> Result<LinkCreateAttr> {
    let mut attr = LinkCreateAttr::default();
    fill_attr(&mut attr, prog_fd, target_fd, attach_type, opts, log)?;
    Ok(attr)
}

/// [`build_attr`] into a caller's zeroed image (no 64-byte moves on the
/// hot path).
#[inline(always)]
fn fill_attr<L: Log + ?Sized>(
    attr: &mut LinkCreateAttr,
    prog_fd: i32,
    target_fd: i32,
    attach_type: u32,
    opts: Option<&OptsImage<'_>>,
    log: &mut L,
) -> Result<()> {
    validate(opts, log)?;

    let iter_info_len = get_u32(opts, o::ITER_INFO_LEN);
    let target_btf_id = get_u32(opts, o::TARGET_BTF_ID);

    // Unexpected combinations of non-zero fields.
    if iter_info_len != 0 || target_btf_id != 0 {
        if iter_info_len != 0 && target_btf_id != 0 {
            return Err(Errno::EINVAL);
        }
        require_zeroed_after(opts, o::TARGET_BTF_ID_END)?;
    }

    attr.put_i32(LC_PROG_FD, prog_fd);
    attr.put_i32(LC_TARGET_FD, target_fd);
    attr.put_u32(LC_ATTACH_TYPE, attach_type);
    // NULL opts: every OPTS_GET reads 0 and every zero check passes, so the
    // image is the three fields above, whatever the attach type.
    if opts.is_none() {
        return Ok(());
    }
    attr.put_u32(LC_FLAGS, get_u32(opts, o::FLAGS));

    // A BTF target skips the per-type switch entirely: no cookie, no iter info.
    if target_btf_id != 0 {
        attr.put_u32(LC_TARGET_BTF_ID, target_btf_id);
        return Ok(());
    }

    match branch_for(attach_type) {
        Branch::Iter => {
            attr.put_u64(LC_ITER_INFO, get_ptr(opts, o::ITER_INFO));
            attr.put_u32(LC_ITER_INFO_LEN, iter_info_len);
        }
        Branch::PerfEvent => {
            attr.put_u64(LC_PERF_BPF_COOKIE, get_u64(opts, o::PERF_BPF_COOKIE));
            require_zeroed_after(opts, o::PERF_EVENT_END)?;
        }
        Branch::KprobeMulti => {
            attr.put_u32(LC_KMULTI_FLAGS, get_u32(opts, o::KMULTI_FLAGS));
            attr.put_u32(LC_KMULTI_CNT, get_u32(opts, o::KMULTI_CNT));
            attr.put_u64(LC_KMULTI_SYMS, get_ptr(opts, o::KMULTI_SYMS));
            attr.put_u64(LC_KMULTI_ADDRS, get_ptr(opts, o::KMULTI_ADDRS));
            attr.put_u64(LC_KMULTI_COOKIES, get_ptr(opts, o::KMULTI_COOKIES));
            require_zeroed_after(opts, o::KPROBE_MULTI_END)?;
        }
        Branch::UprobeMulti => {
            attr.put_u32(LC_UMULTI_FLAGS, get_u32(opts, o::UMULTI_FLAGS));
            attr.put_u32(LC_UMULTI_CNT, get_u32(opts, o::UMULTI_CNT));
            attr.put_u64(LC_UMULTI_PATH, get_ptr(opts, o::UMULTI_PATH));
            attr.put_u64(LC_UMULTI_OFFSETS, get_ptr(opts, o::UMULTI_OFFSETS));
            attr.put_u64(
                LC_UMULTI_REF_CTR_OFFSETS,
                get_ptr(opts, o::UMULTI_REF_CTR_OFFSETS),
            );
            attr.put_u64(LC_UMULTI_COOKIES, get_ptr(opts, o::UMULTI_COOKIES));
            attr.put_u32(LC_UMULTI_PID, get_u32(opts, o::UMULTI_PID));
            require_zeroed_after(opts, o::UPROBE_MULTI_END)?;
        }
        Branch::Tracing => {
            attr.put_u64(LC_TRACING_COOKIE, get_u64(opts, o::TRACING_COOKIE));
            require_zeroed_after(opts, o::TRACING_END)?;
        }
        Branch::Netfilter => {
            attr.put_u32(LC_NF_PF, get_u32(opts, o::NF_PF));
            attr.put_u32(LC_NF_HOOKNUM, get_u32(opts, o::NF_HOOKNUM));
            attr.put_i32(LC_NF_PRIORITY, get_i32(opts, o::NF_PRIORITY));
            attr.put_u32(LC_NF_FLAGS, get_u32(opts, o::NF_FLAGS));
            require_zeroed_after(opts, o::NETFILTER_END)?;
        }
        Branch::Relative => {
            let relative_fd = get_u32(opts, o::REL_FD);
            let relative_id = get_u32(opts, o::REL_ID);
            if relative_fd != 0 && relative_id != 0 {
                return Err(Errno::EINVAL);
            }
            if relative_id != 0 {
                attr.put_u32(LC_RELATIVE, relative_id);
                attr.put_u32(LC_FLAGS, attr.u32_at(LC_FLAGS) | flags::BPF_F_ID);
            } else {
                attr.put_u32(LC_RELATIVE, relative_fd);
            }
            attr.put_u64(
                LC_EXPECTED_REVISION,
                get_u64(opts, o::REL_EXPECTED_REVISION),
            );
            require_zeroed_after(opts, o::RELATIVE_END)?;
        }
        Branch::Default => require_zeroed_after(opts, o::FLAGS_END)?,
    }
    Ok(())
}

/// Step 8's conditions for retrying with `BPF_RAW_TRACEPOINT_OPEN` after
/// the kernel said `EINVAL`: no target fd, no BTF target, no option at all
/// (every opts byte after `sz` zero, `flags` included), and an attach type
/// the old command can express.
pub fn raw_tp_fallback_allowed(
    attach_type: u32,
    attr: &LinkCreateAttr,
    opts: Option<&OptsImage<'_>>,
) -> Result<bool> {
    if attr.u32_at(LC_TARGET_FD) != 0 || attr.u32_at(LC_TARGET_BTF_ID) != 0 {
        return Ok(false);
    }
    if !zeroed_after(opts, super::opts::SZ_END)? {
        return Ok(false);
    }
    Ok(RAW_TP_FALLBACK.contains(&attach_type))
}

/// The whole of libbpf 1.7.0's `bpf_link_create`.
///
/// # Safety
/// The addresses in `opts` (`iter_info`, the `kprobe_multi` and
/// `uprobe_multi` arrays and path) are valid for what the kernel reads of
/// them for `attach_type`, as for libbpf.
#[inline(always)]
pub unsafe fn link_create<K: Kernel + ?Sized, L: Log + ?Sized>(
    k: &K,
    prog_fd: i32,
    target_fd: i32,
    attach_type: u32,
    opts: Option<&OptsImage<'_>>,
    log: &mut L,
) -> Result<i32> {
    debug_assert!(opts.is_none_or(|o| o.kind() == LINK_CREATE_OPTS));
    let mut attr = LinkCreateAttr::default();
    fill_attr(&mut attr, prog_fd, target_fd, attach_type, opts, log)?;
    // SAFETY: the only addresses in `attr` come from `opts`; forwarded from
    // this function's contract.
    match unsafe { bpf_fd(k, cmd::LINK_CREATE, attr.as_mut_bytes(), log) } {
        Ok(fd) => Ok(fd),
        Err(err) => after_failure(k, err, prog_fd, attach_type, &attr, opts, log),
    }
}

/// Step 8: kernels without `BPF_LINK_CREATE` for fentry & co answer
/// `EINVAL`; libbpf then retries with `BPF_RAW_TRACEPOINT_OPEN`. Out of
/// line: the success path stays short.
#[inline(never)]
fn after_failure<K: Kernel + ?Sized, L: Log + ?Sized>(
    k: &K,
    err: Errno,
    prog_fd: i32,
    attach_type: u32,
    attr: &LinkCreateAttr,
    opts: Option<&OptsImage<'_>>,
    log: &mut L,
) -> Result<i32> {
    if err != Errno::EINVAL {
        return Err(err);
    }
    // A fault while re-reading the opts tail would have crashed libbpf; it
    // cannot happen here in practice because OPTS_VALID already scanned it.
    if raw_tp_fallback_allowed(attach_type, attr, opts).unwrap_or(false) {
        // The original EINVAL is dropped; the fallback's result is returned.
        // SAFETY: a NULL name and a prog fd: no address.
        return unsafe { raw_tp::raw_tracepoint_open_name(k, 0, prog_fd, log) };
    }
    Err(err)
}
