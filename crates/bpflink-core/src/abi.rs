//! `#[repr(C)]` mirrors of libbpf v1.7.0's public link-API structs
//! (docs/libbpf-behaviour.md#the-opts-layouts). They fix the offsets the opts
//! decoder reads and are what the C functions take. Rust has no anonymous
//! unions, so the C header spells the structs with anonymous unions itself
//! (`src/after_includes.h`, emitted by cbindgen as an `after_includes`
//! fragment); `tests/abi_layout.rs` compiles a C probe against that header and
//! asserts every size and offset equals the mirrors' here, and the constants
//! below are asserted at compile time.
#![forbid(unsafe_code)]

use core::ffi::{CStr, c_char};
use core::mem::{offset_of, size_of};

/// `union bpf_iter_link_info` is only ever passed through as a pointer.
/// cbindgen:ignore
#[repr(C)]
pub struct bpf_iter_link_info {
    _opaque: [u8; 0],
}

/// cbindgen:ignore
#[repr(C)]
#[derive(Clone, Copy)]
pub struct PerfEventOpts {
    pub bpf_cookie: u64,
}

/// cbindgen:ignore
#[repr(C)]
#[derive(Clone, Copy)]
pub struct KprobeMultiOpts {
    pub flags: u32,
    pub cnt: u32,
    pub syms: *const *const c_char,
    pub addrs: *const core::ffi::c_ulong,
    pub cookies: *const u64,
}

/// cbindgen:ignore
#[repr(C)]
#[derive(Clone, Copy)]
pub struct UprobeMultiOpts {
    pub flags: u32,
    pub cnt: u32,
    pub path: *const c_char,
    pub offsets: *const core::ffi::c_ulong,
    pub ref_ctr_offsets: *const core::ffi::c_ulong,
    pub cookies: *const u64,
    pub pid: u32,
}

/// cbindgen:ignore
#[repr(C)]
#[derive(Clone, Copy)]
pub struct TracingOpts {
    pub cookie: u64,
}

/// cbindgen:ignore
#[repr(C)]
#[derive(Clone, Copy)]
pub struct NetfilterOpts {
    pub pf: u32,
    pub hooknum: u32,
    pub priority: i32,
    pub flags: u32,
}

/// The shape shared by `tcx`, `netkit` and `cgroup`.
/// cbindgen:ignore
#[repr(C)]
#[derive(Clone, Copy)]
pub struct RelativeOpts {
    pub relative_fd: u32,
    pub relative_id: u32,
    pub expected_revision: u64,
}

/// The anonymous union of `struct bpf_link_create_opts`.
/// cbindgen:ignore
#[repr(C)]
#[derive(Clone, Copy)]
pub union LinkCreateOptsUnion {
    pub perf_event: PerfEventOpts,
    pub kprobe_multi: KprobeMultiOpts,
    pub uprobe_multi: UprobeMultiOpts,
    pub tracing: TracingOpts,
    pub netfilter: NetfilterOpts,
    pub tcx: RelativeOpts,
    pub netkit: RelativeOpts,
    pub cgroup: RelativeOpts,
}

/// `struct bpf_link_create_opts` (80 bytes on LP64 targets, 48 on i386).
/// cbindgen:ignore
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bpf_link_create_opts {
    pub sz: usize,
    pub flags: u32,
    pub iter_info: *mut bpf_iter_link_info,
    pub iter_info_len: u32,
    pub target_btf_id: u32,
    pub u: LinkCreateOptsUnion,
}

/// `struct bpf_link_update_opts` (24 bytes; its last field ends at 20).
/// cbindgen:ignore
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bpf_link_update_opts {
    pub sz: usize,
    pub flags: u32,
    pub old_prog_fd: u32,
    pub old_map_fd: u32,
}

/// `struct bpf_get_fd_by_id_opts` (16 bytes).
/// cbindgen:ignore
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bpf_get_fd_by_id_opts {
    pub sz: usize,
    pub open_flags: u32,
    pub token_fd: u32,
}

/// `struct bpf_raw_tp_opts` (24 bytes).
/// cbindgen:ignore
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bpf_raw_tp_opts {
    pub sz: usize,
    pub tp_name: *const c_char,
    pub cookie: u64,
}

/// `struct bpf_obj_pin_opts` (16 bytes).
/// cbindgen:ignore
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bpf_obj_pin_opts {
    pub sz: usize,
    pub file_flags: u32,
    pub path_fd: i32,
}

/// `struct bpf_obj_get_opts` (16 bytes).
/// cbindgen:ignore
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bpf_obj_get_opts {
    pub sz: usize,
    pub file_flags: u32,
    pub path_fd: i32,
}

/// `enum probe_attach_mode` (libbpf.h): how a kprobe/uprobe is attached.
pub mod attach_mode {
    /// The newest way the kernel supports.
    pub const DEFAULT: u32 = 0;
    /// A tracefs `kprobe_events`/`uprobe_events` probe, attached by ioctl.
    pub const LEGACY: u32 = 1;
    /// A kprobe/uprobe PMU perf event, attached by ioctl.
    pub const PERF: u32 = 2;
    /// A kprobe/uprobe PMU perf event with a BPF perf link.
    pub const LINK: u32 = 3;
}

/// `struct bpf_perf_event_opts` (libbpf.h; 24 bytes, last field ends at 18).
/// cbindgen:ignore
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bpf_perf_event_opts {
    pub sz: usize,
    pub bpf_cookie: u64,
    pub force_ioctl_attach: bool,
    pub dont_enable: bool,
}

/// `struct bpf_kprobe_opts` (32 bytes).
/// cbindgen:ignore
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bpf_kprobe_opts {
    pub sz: usize,
    pub bpf_cookie: u64,
    pub offset: usize,
    pub retprobe: bool,
    /// `enum probe_attach_mode`
    pub attach_mode: u32,
}

/// `struct bpf_kprobe_multi_opts` (48 bytes, last field ends at 43).
/// cbindgen:ignore
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bpf_kprobe_multi_opts {
    pub sz: usize,
    pub syms: *const *const c_char,
    pub addrs: *const core::ffi::c_ulong,
    pub cookies: *const u64,
    pub cnt: usize,
    pub retprobe: bool,
    pub session: bool,
    pub unique_match: bool,
}

/// `struct bpf_uprobe_multi_opts` (56 bytes, last field ends at 50).
/// cbindgen:ignore
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bpf_uprobe_multi_opts {
    pub sz: usize,
    pub syms: *const *const c_char,
    pub offsets: *const core::ffi::c_ulong,
    pub ref_ctr_offsets: *const core::ffi::c_ulong,
    pub cookies: *const u64,
    pub cnt: usize,
    pub retprobe: bool,
    pub session: bool,
}

/// `struct bpf_uprobe_opts` (48 bytes, last field ends at 44).
/// cbindgen:ignore
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bpf_uprobe_opts {
    pub sz: usize,
    pub ref_ctr_offset: usize,
    pub bpf_cookie: u64,
    pub retprobe: bool,
    pub func_name: *const c_char,
    /// `enum probe_attach_mode`
    pub attach_mode: u32,
}

/// `struct bpf_tracepoint_opts` (16 bytes).
/// cbindgen:ignore
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bpf_tracepoint_opts {
    pub sz: usize,
    pub bpf_cookie: u64,
}

/// `struct bpf_prog_query_opts` (bpf.h; 64 bytes). `prog_cnt` and `count`
/// are one field (a union in C).
/// cbindgen:ignore
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bpf_prog_query_opts {
    pub sz: usize,
    pub query_flags: u32,
    pub attach_flags: u32,
    pub prog_ids: *mut u32,
    pub count: u32,
    pub prog_attach_flags: *mut u32,
    pub link_ids: *mut u32,
    pub link_attach_flags: *mut u32,
    pub revision: u64,
}

/// Field offsets of the attach opts structs above.
pub mod perf_event {
    use super::*;
    pub const BPF_COOKIE: usize = offset_of!(bpf_perf_event_opts, bpf_cookie);
    pub const FORCE_IOCTL_ATTACH: usize = offset_of!(bpf_perf_event_opts, force_ioctl_attach);
    pub const DONT_ENABLE: usize = offset_of!(bpf_perf_event_opts, dont_enable);
    pub const KNOWN_END: usize = DONT_ENABLE + 1;
}

pub mod kprobe {
    use super::*;
    pub const BPF_COOKIE: usize = offset_of!(bpf_kprobe_opts, bpf_cookie);
    pub const OFFSET: usize = offset_of!(bpf_kprobe_opts, offset);
    pub const RETPROBE: usize = offset_of!(bpf_kprobe_opts, retprobe);
    pub const ATTACH_MODE: usize = offset_of!(bpf_kprobe_opts, attach_mode);
    pub const KNOWN_END: usize = ATTACH_MODE + 4;
}

pub mod kprobe_multi {
    use super::*;
    pub const SYMS: usize = offset_of!(bpf_kprobe_multi_opts, syms);
    pub const ADDRS: usize = offset_of!(bpf_kprobe_multi_opts, addrs);
    pub const COOKIES: usize = offset_of!(bpf_kprobe_multi_opts, cookies);
    pub const CNT: usize = offset_of!(bpf_kprobe_multi_opts, cnt);
    pub const RETPROBE: usize = offset_of!(bpf_kprobe_multi_opts, retprobe);
    pub const SESSION: usize = offset_of!(bpf_kprobe_multi_opts, session);
    pub const UNIQUE_MATCH: usize = offset_of!(bpf_kprobe_multi_opts, unique_match);
    pub const KNOWN_END: usize = UNIQUE_MATCH + 1;
}

pub mod uprobe_multi {
    use super::*;
    pub const SYMS: usize = offset_of!(bpf_uprobe_multi_opts, syms);
    pub const OFFSETS: usize = offset_of!(bpf_uprobe_multi_opts, offsets);
    pub const REF_CTR_OFFSETS: usize = offset_of!(bpf_uprobe_multi_opts, ref_ctr_offsets);
    pub const COOKIES: usize = offset_of!(bpf_uprobe_multi_opts, cookies);
    pub const CNT: usize = offset_of!(bpf_uprobe_multi_opts, cnt);
    pub const RETPROBE: usize = offset_of!(bpf_uprobe_multi_opts, retprobe);
    pub const SESSION: usize = offset_of!(bpf_uprobe_multi_opts, session);
    pub const KNOWN_END: usize = SESSION + 1;
}

pub mod uprobe {
    use super::*;
    pub const REF_CTR_OFFSET: usize = offset_of!(bpf_uprobe_opts, ref_ctr_offset);
    pub const BPF_COOKIE: usize = offset_of!(bpf_uprobe_opts, bpf_cookie);
    pub const RETPROBE: usize = offset_of!(bpf_uprobe_opts, retprobe);
    pub const FUNC_NAME: usize = offset_of!(bpf_uprobe_opts, func_name);
    pub const ATTACH_MODE: usize = offset_of!(bpf_uprobe_opts, attach_mode);
    pub const KNOWN_END: usize = ATTACH_MODE + 4;
}

pub mod tracepoint {
    use super::*;
    pub const BPF_COOKIE: usize = offset_of!(bpf_tracepoint_opts, bpf_cookie);
    pub const KNOWN_END: usize = BPF_COOKIE + 8;
}

pub mod prog_query {
    use super::*;
    pub const QUERY_FLAGS: usize = offset_of!(bpf_prog_query_opts, query_flags);
    pub const ATTACH_FLAGS: usize = offset_of!(bpf_prog_query_opts, attach_flags);
    pub const PROG_IDS: usize = offset_of!(bpf_prog_query_opts, prog_ids);
    pub const COUNT: usize = offset_of!(bpf_prog_query_opts, count);
    pub const PROG_ATTACH_FLAGS: usize = offset_of!(bpf_prog_query_opts, prog_attach_flags);
    pub const LINK_IDS: usize = offset_of!(bpf_prog_query_opts, link_ids);
    pub const LINK_ATTACH_FLAGS: usize = offset_of!(bpf_prog_query_opts, link_attach_flags);
    pub const REVISION: usize = offset_of!(bpf_prog_query_opts, revision);
    pub const KNOWN_END: usize = REVISION + 8;
}

/// Field offsets of `struct bpf_link_create_opts`, derived from the mirror.
pub mod link_create {
    use super::*;
    const U: usize = offset_of!(bpf_link_create_opts, u);
    pub const FLAGS: usize = offset_of!(bpf_link_create_opts, flags);
    pub const ITER_INFO: usize = offset_of!(bpf_link_create_opts, iter_info);
    pub const ITER_INFO_LEN: usize = offset_of!(bpf_link_create_opts, iter_info_len);
    pub const TARGET_BTF_ID: usize = offset_of!(bpf_link_create_opts, target_btf_id);
    /// `offsetofend(flags)`: the default branch's zero check starts here,
    /// so even the padding after `flags` must be zero
    /// (docs/libbpf-behaviour.md#the-per-attach-type-branches).
    pub const FLAGS_END: usize = FLAGS + 4;
    pub const TARGET_BTF_ID_END: usize = TARGET_BTF_ID + 4;

    pub const PERF_BPF_COOKIE: usize = U + offset_of!(PerfEventOpts, bpf_cookie);
    pub const PERF_EVENT_END: usize = U + size_of::<PerfEventOpts>();

    pub const KMULTI_FLAGS: usize = U + offset_of!(KprobeMultiOpts, flags);
    pub const KMULTI_CNT: usize = U + offset_of!(KprobeMultiOpts, cnt);
    pub const KMULTI_SYMS: usize = U + offset_of!(KprobeMultiOpts, syms);
    pub const KMULTI_ADDRS: usize = U + offset_of!(KprobeMultiOpts, addrs);
    pub const KMULTI_COOKIES: usize = U + offset_of!(KprobeMultiOpts, cookies);
    pub const KPROBE_MULTI_END: usize = U + size_of::<KprobeMultiOpts>();

    pub const UMULTI_FLAGS: usize = U + offset_of!(UprobeMultiOpts, flags);
    pub const UMULTI_CNT: usize = U + offset_of!(UprobeMultiOpts, cnt);
    pub const UMULTI_PATH: usize = U + offset_of!(UprobeMultiOpts, path);
    pub const UMULTI_OFFSETS: usize = U + offset_of!(UprobeMultiOpts, offsets);
    pub const UMULTI_REF_CTR_OFFSETS: usize = U + offset_of!(UprobeMultiOpts, ref_ctr_offsets);
    pub const UMULTI_COOKIES: usize = U + offset_of!(UprobeMultiOpts, cookies);
    pub const UMULTI_PID: usize = U + offset_of!(UprobeMultiOpts, pid);
    pub const UPROBE_MULTI_END: usize = U + size_of::<UprobeMultiOpts>();

    pub const TRACING_COOKIE: usize = U + offset_of!(TracingOpts, cookie);
    pub const TRACING_END: usize = U + size_of::<TracingOpts>();

    pub const NF_PF: usize = U + offset_of!(NetfilterOpts, pf);
    pub const NF_HOOKNUM: usize = U + offset_of!(NetfilterOpts, hooknum);
    pub const NF_PRIORITY: usize = U + offset_of!(NetfilterOpts, priority);
    pub const NF_FLAGS: usize = U + offset_of!(NetfilterOpts, flags);
    pub const NETFILTER_END: usize = U + size_of::<NetfilterOpts>();

    pub const REL_FD: usize = U + offset_of!(RelativeOpts, relative_fd);
    pub const REL_ID: usize = U + offset_of!(RelativeOpts, relative_id);
    pub const REL_EXPECTED_REVISION: usize = U + offset_of!(RelativeOpts, expected_revision);
    pub const RELATIVE_END: usize = U + size_of::<RelativeOpts>();

    /// `bpf_link_create_opts__last_field` is `uprobe_multi.pid` in v1.7.0.
    pub const KNOWN_END: usize = UMULTI_PID + 4;
}

pub mod link_update {
    use super::*;
    pub const FLAGS: usize = offset_of!(bpf_link_update_opts, flags);
    pub const OLD_PROG_FD: usize = offset_of!(bpf_link_update_opts, old_prog_fd);
    pub const OLD_MAP_FD: usize = offset_of!(bpf_link_update_opts, old_map_fd);
    pub const KNOWN_END: usize = OLD_MAP_FD + 4;
}

pub mod get_fd_by_id {
    use super::*;
    pub const OPEN_FLAGS: usize = offset_of!(bpf_get_fd_by_id_opts, open_flags);
    pub const TOKEN_FD: usize = offset_of!(bpf_get_fd_by_id_opts, token_fd);
    pub const KNOWN_END: usize = TOKEN_FD + 4;
}

pub mod raw_tp {
    use super::*;
    pub const TP_NAME: usize = offset_of!(bpf_raw_tp_opts, tp_name);
    pub const COOKIE: usize = offset_of!(bpf_raw_tp_opts, cookie);
    pub const KNOWN_END: usize = COOKIE + 8;
}

/// `bpf_obj_pin_opts` and `bpf_obj_get_opts` share one layout.
pub mod obj {
    use super::*;
    pub const FILE_FLAGS: usize = offset_of!(bpf_obj_pin_opts, file_flags);
    pub const PATH_FD: usize = offset_of!(bpf_obj_pin_opts, path_fd);
    pub const KNOWN_END: usize = PATH_FD + 4;
    const _: () = assert!(offset_of!(bpf_obj_get_opts, file_flags) == FILE_FLAGS);
    const _: () = assert!(offset_of!(bpf_obj_get_opts, path_fd) == PATH_FD);
}

/// What bpflink (like libbpf 1.7.0) knows about one opts struct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptsKind {
    /// The struct tag, as printed in libbpf's warnings.
    pub name: &'static CStr,
    /// `offsetofend(type, type##__last_field)`: OPTS_VALID's `opts_sz`.
    /// Not `sizeof`: a struct's own tail padding counts as "extra bytes".
    pub known_end: usize,
    /// `sizeof(struct type)` on this target; the part of the caller's struct
    /// we copy.
    pub size: usize,
}

/// Largest opts struct we copy: `bpf_link_create_opts` (80 bytes on LP64
/// targets, 48 on i386; `abi` asserts that no other opts struct is larger).
pub const MAX_OPTS_SIZE: usize = size_of::<bpf_link_create_opts>();

pub const LINK_CREATE_OPTS: OptsKind = OptsKind {
    name: c"bpf_link_create_opts",
    known_end: link_create::KNOWN_END,
    size: size_of::<bpf_link_create_opts>(),
};
pub const LINK_UPDATE_OPTS: OptsKind = OptsKind {
    name: c"bpf_link_update_opts",
    known_end: link_update::KNOWN_END,
    size: size_of::<bpf_link_update_opts>(),
};
pub const GET_FD_BY_ID_OPTS: OptsKind = OptsKind {
    name: c"bpf_get_fd_by_id_opts",
    known_end: get_fd_by_id::KNOWN_END,
    size: size_of::<bpf_get_fd_by_id_opts>(),
};
pub const RAW_TP_OPTS: OptsKind = OptsKind {
    name: c"bpf_raw_tp_opts",
    known_end: raw_tp::KNOWN_END,
    size: size_of::<bpf_raw_tp_opts>(),
};
pub const OBJ_PIN_OPTS: OptsKind = OptsKind {
    name: c"bpf_obj_pin_opts",
    known_end: obj::KNOWN_END,
    size: size_of::<bpf_obj_pin_opts>(),
};
pub const OBJ_GET_OPTS: OptsKind = OptsKind {
    name: c"bpf_obj_get_opts",
    known_end: obj::KNOWN_END,
    size: size_of::<bpf_obj_get_opts>(),
};

pub const PERF_EVENT_OPTS: OptsKind = OptsKind {
    name: c"bpf_perf_event_opts",
    known_end: perf_event::KNOWN_END,
    size: size_of::<bpf_perf_event_opts>(),
};
pub const KPROBE_OPTS: OptsKind = OptsKind {
    name: c"bpf_kprobe_opts",
    known_end: kprobe::KNOWN_END,
    size: size_of::<bpf_kprobe_opts>(),
};
pub const KPROBE_MULTI_OPTS: OptsKind = OptsKind {
    name: c"bpf_kprobe_multi_opts",
    known_end: kprobe_multi::KNOWN_END,
    size: size_of::<bpf_kprobe_multi_opts>(),
};
pub const UPROBE_MULTI_OPTS: OptsKind = OptsKind {
    name: c"bpf_uprobe_multi_opts",
    known_end: uprobe_multi::KNOWN_END,
    size: size_of::<bpf_uprobe_multi_opts>(),
};
pub const UPROBE_OPTS: OptsKind = OptsKind {
    name: c"bpf_uprobe_opts",
    known_end: uprobe::KNOWN_END,
    size: size_of::<bpf_uprobe_opts>(),
};
pub const TRACEPOINT_OPTS: OptsKind = OptsKind {
    name: c"bpf_tracepoint_opts",
    known_end: tracepoint::KNOWN_END,
    size: size_of::<bpf_tracepoint_opts>(),
};
pub const PROG_QUERY_OPTS: OptsKind = OptsKind {
    name: c"bpf_prog_query_opts",
    known_end: prog_query::KNOWN_END,
    size: size_of::<bpf_prog_query_opts>(),
};

// The attach opts on 64-bit targets (libbpf 1.7.0's libbpf.h, compiled;
// every 64-bit Linux target is LP64 with the same layout).
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(size_of::<bpf_perf_event_opts>() == 24 && perf_event::KNOWN_END == 18);
    assert!(size_of::<bpf_kprobe_opts>() == 32 && kprobe::KNOWN_END == 32);
    assert!(kprobe::RETPROBE == 24 && kprobe::ATTACH_MODE == 28);
    assert!(size_of::<bpf_kprobe_multi_opts>() == 48 && kprobe_multi::KNOWN_END == 43);
    assert!(kprobe_multi::CNT == 32 && kprobe_multi::RETPROBE == 40);
    assert!(size_of::<bpf_uprobe_multi_opts>() == 56 && uprobe_multi::KNOWN_END == 50);
    assert!(uprobe_multi::CNT == 40 && uprobe_multi::RETPROBE == 48);
    assert!(size_of::<bpf_uprobe_opts>() == 48 && uprobe::KNOWN_END == 44);
    assert!(uprobe::RETPROBE == 24 && uprobe::FUNC_NAME == 32 && uprobe::ATTACH_MODE == 40);
    assert!(size_of::<bpf_tracepoint_opts>() == 16 && tracepoint::KNOWN_END == 16);
    assert!(size_of::<bpf_prog_query_opts>() == 64 && prog_query::KNOWN_END == 64);
    assert!(prog_query::COUNT == 24 && prog_query::LINK_IDS == 40);
};

// Every struct fits the copy buffer (`opts::MAX_OPTS_SIZE`).
const _: () = {
    let max = super::opts::MAX_OPTS_SIZE;
    assert!(LINK_CREATE_OPTS.size == max);
    assert!(LINK_UPDATE_OPTS.size <= max);
    assert!(GET_FD_BY_ID_OPTS.size <= max);
    assert!(RAW_TP_OPTS.size <= max);
    assert!(OBJ_PIN_OPTS.size <= max);
    assert!(OBJ_GET_OPTS.size <= max);
    assert!(PERF_EVENT_OPTS.size <= max);
    assert!(KPROBE_OPTS.size <= max);
    assert!(KPROBE_MULTI_OPTS.size <= max);
    assert!(UPROBE_MULTI_OPTS.size <= max);
    assert!(UPROBE_OPTS.size <= max);
    assert!(TRACEPOINT_OPTS.size <= max);
    assert!(PROG_QUERY_OPTS.size <= max);
};

// libbpf's numbers, read off its `bpf.h` compiled for each target
// (`c-tests/layout.c --table`, docs/architectures.md). Every 64-bit Linux
// target is LP64 with 8-byte aligned `__u64` (x86-64, arm64 and s390x
// print the same table).
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(size_of::<bpf_link_create_opts>() == 80);
    assert!(link_create::FLAGS == 8);
    assert!(link_create::ITER_INFO == 16);
    assert!(link_create::ITER_INFO_LEN == 24);
    assert!(link_create::TARGET_BTF_ID == 28);
    assert!(link_create::PERF_BPF_COOKIE == 32 && link_create::PERF_EVENT_END == 40);
    assert!(link_create::KMULTI_SYMS == 40 && link_create::KMULTI_COOKIES == 56);
    assert!(link_create::KPROBE_MULTI_END == 64);
    assert!(link_create::UMULTI_PATH == 40 && link_create::UMULTI_COOKIES == 64);
    assert!(link_create::UMULTI_PID == 72 && link_create::UPROBE_MULTI_END == 80);
    assert!(link_create::KNOWN_END == 76);
    assert!(link_create::NF_PRIORITY == 40 && link_create::NETFILTER_END == 48);
    assert!(link_create::REL_ID == 36 && link_create::REL_EXPECTED_REVISION == 40);
    assert!(link_create::RELATIVE_END == 48 && link_create::TRACING_END == 40);
    assert!(size_of::<bpf_link_update_opts>() == 24 && link_update::KNOWN_END == 20);
    assert!(size_of::<bpf_get_fd_by_id_opts>() == 16 && get_fd_by_id::KNOWN_END == 16);
    assert!(size_of::<bpf_raw_tp_opts>() == 24 && raw_tp::KNOWN_END == 24);
    assert!(size_of::<bpf_obj_pin_opts>() == 16 && obj::KNOWN_END == 16);
    assert!(size_of::<bpf_obj_get_opts>() == 16);
};

// 32-bit x86 (i386 System V): `size_t` and pointers are 4 bytes and a
// `__u64` inside a struct is only 4-byte aligned, so the anonymous union
// starts right after `target_btf_id` and the structs end at their last
// field. (Other 32-bit ABIs align `__u64` to 8, with other numbers; their
// layout is still the compiler's `repr(C)`, and `make test-c` compares it
// with libbpf's header there.)
#[cfg(all(target_arch = "x86", target_pointer_width = "32"))]
const _: () = {
    assert!(size_of::<bpf_link_create_opts>() == 48);
    assert!(core::mem::align_of::<bpf_link_create_opts>() == 4);
    assert!(link_create::FLAGS == 4);
    assert!(link_create::ITER_INFO == 8);
    assert!(link_create::ITER_INFO_LEN == 12);
    assert!(link_create::TARGET_BTF_ID == 16);
    assert!(link_create::PERF_BPF_COOKIE == 20 && link_create::PERF_EVENT_END == 28);
    assert!(link_create::KMULTI_SYMS == 28 && link_create::KMULTI_ADDRS == 32);
    assert!(link_create::KMULTI_COOKIES == 36 && link_create::KPROBE_MULTI_END == 40);
    assert!(link_create::UMULTI_PATH == 28 && link_create::UMULTI_OFFSETS == 32);
    assert!(link_create::UMULTI_REF_CTR_OFFSETS == 36 && link_create::UMULTI_COOKIES == 40);
    assert!(link_create::UMULTI_PID == 44 && link_create::UPROBE_MULTI_END == 48);
    assert!(link_create::KNOWN_END == 48);
    assert!(link_create::NF_PRIORITY == 28 && link_create::NETFILTER_END == 36);
    assert!(link_create::REL_ID == 24 && link_create::REL_EXPECTED_REVISION == 28);
    assert!(link_create::RELATIVE_END == 36 && link_create::TRACING_END == 28);
    assert!(size_of::<bpf_link_update_opts>() == 16 && link_update::KNOWN_END == 16);
    assert!(size_of::<bpf_get_fd_by_id_opts>() == 12 && get_fd_by_id::KNOWN_END == 12);
    assert!(size_of::<bpf_raw_tp_opts>() == 16 && raw_tp::KNOWN_END == 16);
    assert!(raw_tp::TP_NAME == 4 && raw_tp::COOKIE == 8);
    assert!(size_of::<bpf_obj_pin_opts>() == 12 && obj::KNOWN_END == 12);
    assert!(size_of::<bpf_obj_get_opts>() == 12);
};
