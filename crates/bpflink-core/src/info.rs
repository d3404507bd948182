//! What the Rust crate `bpflink` and the `bpflink` tool read back from
//! the kernel: the layout of `struct bpf_link_info` and of the start of
//! `struct bpf_prog_info` (libbpf v1.7.0's UAPI), `BPF_PROG_GET_FD_BY_ID`,
//! and `BPF_OBJ_GET_INFO_BY_FD` into a buffer we own.
//!
//! Offsets are written as literals from libbpf 1.7.0's
//! `include/uapi/linux/bpf.h`; `bpf_link_info` is 64 bytes there and in the
//! 6.18 kernel (its largest arm, `uprobe_multi`, is 48 bytes after the
//! 16-byte head).

use super::errno::Result;
use super::kernel::{Kernel, bpf_fd};
use super::opts::Log;
use super::uapi::AttrImage;
use super::uapi::attr::{GET_ID_SIZE, ID_START_OR_LINK_ID};

/// `BPF_PROG_GET_FD_BY_ID` (`enum bpf_cmd`).
pub const CMD_PROG_GET_FD_BY_ID: u32 = 13;

/// `struct bpf_link_info` (UAPI 1.7): `type`@0, `id`@4, `prog_id`@8, the
/// per-type union at 16.
pub mod link {
    /// `sizeof(struct bpf_link_info)`.
    pub const SIZE: usize = 64;
    pub const TYPE: usize = 0;
    pub const ID: usize = 4;
    pub const PROG_ID: usize = 8;
    const U: usize = 16;

    /// `raw_tracepoint`: tp_name ptr, tp_name_len, cookie.
    pub const RAW_TP_NAME: usize = U;
    pub const RAW_TP_NAME_LEN: usize = U + 8;
    pub const RAW_TP_COOKIE: usize = U + 16;

    /// `tracing`
    pub const TRACING_ATTACH_TYPE: usize = U;
    pub const TRACING_TARGET_OBJ_ID: usize = U + 4;
    pub const TRACING_TARGET_BTF_ID: usize = U + 8;
    pub const TRACING_COOKIE: usize = U + 16;

    /// `cgroup`
    pub const CGROUP_ID: usize = U;
    pub const CGROUP_ATTACH_TYPE: usize = U + 8;

    /// `iter`: target_name ptr, target_name_len, then two unions.
    pub const ITER_TARGET_NAME: usize = U;
    pub const ITER_TARGET_NAME_LEN: usize = U + 8;
    pub const ITER_MAP_ID: usize = U + 12;
    pub const ITER_CGROUP_ID: usize = U + 16;
    pub const ITER_CGROUP_ORDER: usize = U + 24;
    pub const ITER_TASK_TID: usize = U + 16;
    pub const ITER_TASK_PID: usize = U + 20;

    /// `netns`
    pub const NETNS_INO: usize = U;
    pub const NETNS_ATTACH_TYPE: usize = U + 4;

    /// `xdp`
    pub const XDP_IFINDEX: usize = U;

    /// `struct_ops`
    pub const STRUCT_OPS_MAP_ID: usize = U;

    /// `netfilter`
    pub const NF_PF: usize = U;
    pub const NF_HOOKNUM: usize = U + 4;
    pub const NF_PRIORITY: usize = U + 8;
    pub const NF_FLAGS: usize = U + 12;

    /// `kprobe_multi`
    pub const KMULTI_ADDRS: usize = U;
    pub const KMULTI_COUNT: usize = U + 8;
    pub const KMULTI_FLAGS: usize = U + 12;
    pub const KMULTI_MISSED: usize = U + 16;
    pub const KMULTI_COOKIES: usize = U + 24;

    /// `uprobe_multi`
    pub const UMULTI_PATH: usize = U;
    pub const UMULTI_OFFSETS: usize = U + 8;
    pub const UMULTI_REF_CTR_OFFSETS: usize = U + 16;
    pub const UMULTI_COOKIES: usize = U + 24;
    pub const UMULTI_PATH_SIZE: usize = U + 32;
    pub const UMULTI_COUNT: usize = U + 36;
    pub const UMULTI_FLAGS: usize = U + 40;
    pub const UMULTI_PID: usize = U + 44;

    /// `perf_event`: type, 4 bytes of padding, then a union at U + 8.
    pub const PERF_TYPE: usize = U;
    const P: usize = U + 8;
    /// `perf_event.uprobe` (UPROBE / URETPROBE)
    pub const PERF_UPROBE_FILE_NAME: usize = P;
    pub const PERF_UPROBE_NAME_LEN: usize = P + 8;
    pub const PERF_UPROBE_OFFSET: usize = P + 12;
    pub const PERF_UPROBE_COOKIE: usize = P + 16;
    pub const PERF_UPROBE_REF_CTR_OFFSET: usize = P + 24;
    /// `perf_event.kprobe` (KPROBE / KRETPROBE)
    pub const PERF_KPROBE_FUNC_NAME: usize = P;
    pub const PERF_KPROBE_NAME_LEN: usize = P + 8;
    pub const PERF_KPROBE_OFFSET: usize = P + 12;
    pub const PERF_KPROBE_ADDR: usize = P + 16;
    pub const PERF_KPROBE_MISSED: usize = P + 24;
    pub const PERF_KPROBE_COOKIE: usize = P + 32;
    /// `perf_event.tracepoint`
    pub const PERF_TP_NAME: usize = P;
    pub const PERF_TP_NAME_LEN: usize = P + 8;
    pub const PERF_TP_COOKIE: usize = P + 16;
    /// `perf_event.event`
    pub const PERF_EVENT_CONFIG: usize = P;
    pub const PERF_EVENT_TYPE: usize = P + 8;
    pub const PERF_EVENT_COOKIE: usize = P + 16;

    /// `tcx` and `netkit` (same shape)
    pub const TCX_IFINDEX: usize = U;
    pub const TCX_ATTACH_TYPE: usize = U + 4;

    /// `sockmap`
    pub const SOCKMAP_MAP_ID: usize = U;
    pub const SOCKMAP_ATTACH_TYPE: usize = U + 4;

    // The largest arm ends exactly at the end of the struct.
    const _: () = assert!(UMULTI_PID + 4 == SIZE);
    const _: () = assert!(PERF_KPROBE_COOKIE + 8 == SIZE);
}

/// `enum bpf_perf_event_type`.
pub mod perf_event_type {
    pub const UNSPEC: u32 = 0;
    pub const UPROBE: u32 = 1;
    pub const URETPROBE: u32 = 2;
    pub const KPROBE: u32 = 3;
    pub const KRETPROBE: u32 = 4;
    pub const TRACEPOINT: u32 = 5;
    pub const EVENT: u32 = 6;
}

/// The start of `struct bpf_prog_info`: `type`@0, `id`@4, `tag[8]`@8,
/// `name[16]`@64 (after the lengths, pointers, load time, uid and map ids).
pub mod prog {
    pub const TYPE: usize = 0;
    pub const ID: usize = 4;
    pub const TAG: usize = 8;
    pub const TAG_LEN: usize = 8;
    pub const LOAD_TIME: usize = 40;
    pub const CREATED_BY_UID: usize = 48;
    pub const NAME: usize = 64;
    /// `BPF_OBJ_NAME_LEN`
    pub const NAME_LEN: usize = 16;
    /// How many bytes we ask for: more than libbpf 1.7.0's struct (the
    /// kernel copies `min(ours, its own)` and requires our excess be zero).
    pub const BUF_SIZE: usize = 256;
}

/// `BPF_PROG_GET_FD_BY_ID` with no open flags: the same 12-byte attr image
/// as libbpf's `bpf_prog_get_fd_by_id(id)` (`prog_id`@0, `next_id`@4,
/// `open_flags`@8). A new fd (hygiene applies).
pub fn prog_get_fd_by_id<K: Kernel + ?Sized, L: Log + ?Sized>(
    k: &K,
    id: u32,
    log: &mut L,
) -> Result<i32> {
    let mut attr = AttrImage::<GET_ID_SIZE>::default();
    attr.put_u32(ID_START_OR_LINK_ID, id);
    // SAFETY: an id, no address.
    unsafe { bpf_fd(k, CMD_PROG_GET_FD_BY_ID, attr.as_mut_bytes(), log) }
}

/// `BPF_OBJ_GET_INFO_BY_FD` into `buf`: the length the kernel wrote back.
///
/// # Safety
/// Any address the caller placed inside `buf` (a name or array buffer of
/// `bpf_link_info`) is writable for the length given beside it.
pub unsafe fn get_info<K: Kernel + ?Sized>(k: &K, fd: i32, buf: &mut [u8]) -> Result<u32> {
    let len = u32::try_from(buf.len()).unwrap_or(u32::MAX);
    // SAFETY: `buf` is ours and writable for `len` bytes; the addresses in
    // it are covered by this function's contract.
    let (_, written) =
        unsafe { super::calls::obj_get_info_by_fd(k, fd, buf.as_mut_ptr() as usize as u64, len) }?;
    Ok(written.unwrap_or(0))
}
