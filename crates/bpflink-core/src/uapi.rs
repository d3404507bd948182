//! The kernel and libbpf ABI facts the link API needs
//! (docs/libbpf-behaviour.md#uapi-numbers), written once: command numbers,
//! attach and link types, flags, and the byte layout of the `union bpf_attr`
//! arms bpflink fills.
//!
//! We carry our own numbers instead of the system `<linux/bpf.h>`, which is
//! from Linux 6.1 here and lacks TCX, netfilter, uprobe_multi, netkit and the
//! session types.
#![forbid(unsafe_code)]

/// `enum bpf_cmd` values used by the link API.
pub mod cmd {
    pub const PROG_LOAD: u32 = 5;
    pub const OBJ_PIN: u32 = 6;
    pub const OBJ_GET: u32 = 7;
    pub const OBJ_GET_INFO_BY_FD: u32 = 15;
    pub const PROG_QUERY: u32 = 16;
    pub const RAW_TRACEPOINT_OPEN: u32 = 17;
    pub const LINK_CREATE: u32 = 28;
    pub const LINK_UPDATE: u32 = 29;
    pub const LINK_GET_FD_BY_ID: u32 = 30;
    pub const LINK_GET_NEXT_ID: u32 = 31;
    pub const ITER_CREATE: u32 = 33;
    pub const LINK_DETACH: u32 = 34;
}

/// `enum bpf_attach_type` as libbpf v1.7.0's UAPI defines it (`__MAX` = 59).
pub mod attach {
    pub const CGROUP_INET_INGRESS: u32 = 0;
    pub const CGROUP_INET_EGRESS: u32 = 1;
    pub const CGROUP_INET_SOCK_CREATE: u32 = 2;
    pub const CGROUP_SOCK_OPS: u32 = 3;
    pub const SK_SKB_STREAM_PARSER: u32 = 4;
    pub const SK_SKB_STREAM_VERDICT: u32 = 5;
    pub const CGROUP_DEVICE: u32 = 6;
    pub const SK_MSG_VERDICT: u32 = 7;
    pub const CGROUP_INET4_BIND: u32 = 8;
    pub const CGROUP_INET6_BIND: u32 = 9;
    pub const CGROUP_INET4_CONNECT: u32 = 10;
    pub const CGROUP_INET6_CONNECT: u32 = 11;
    pub const CGROUP_INET4_POST_BIND: u32 = 12;
    pub const CGROUP_INET6_POST_BIND: u32 = 13;
    pub const CGROUP_UDP4_SENDMSG: u32 = 14;
    pub const CGROUP_UDP6_SENDMSG: u32 = 15;
    pub const LIRC_MODE2: u32 = 16;
    pub const FLOW_DISSECTOR: u32 = 17;
    pub const CGROUP_SYSCTL: u32 = 18;
    pub const CGROUP_UDP4_RECVMSG: u32 = 19;
    pub const CGROUP_UDP6_RECVMSG: u32 = 20;
    pub const CGROUP_GETSOCKOPT: u32 = 21;
    pub const CGROUP_SETSOCKOPT: u32 = 22;
    pub const TRACE_RAW_TP: u32 = 23;
    pub const TRACE_FENTRY: u32 = 24;
    pub const TRACE_FEXIT: u32 = 25;
    pub const MODIFY_RETURN: u32 = 26;
    pub const LSM_MAC: u32 = 27;
    pub const TRACE_ITER: u32 = 28;
    pub const CGROUP_INET4_GETPEERNAME: u32 = 29;
    pub const CGROUP_INET6_GETPEERNAME: u32 = 30;
    pub const CGROUP_INET4_GETSOCKNAME: u32 = 31;
    pub const CGROUP_INET6_GETSOCKNAME: u32 = 32;
    pub const XDP_DEVMAP: u32 = 33;
    pub const CGROUP_INET_SOCK_RELEASE: u32 = 34;
    pub const XDP_CPUMAP: u32 = 35;
    pub const SK_LOOKUP: u32 = 36;
    pub const XDP: u32 = 37;
    pub const SK_SKB_VERDICT: u32 = 38;
    pub const SK_REUSEPORT_SELECT: u32 = 39;
    pub const SK_REUSEPORT_SELECT_OR_MIGRATE: u32 = 40;
    pub const PERF_EVENT: u32 = 41;
    pub const TRACE_KPROBE_MULTI: u32 = 42;
    pub const LSM_CGROUP: u32 = 43;
    pub const STRUCT_OPS: u32 = 44;
    pub const NETFILTER: u32 = 45;
    pub const TCX_INGRESS: u32 = 46;
    pub const TCX_EGRESS: u32 = 47;
    pub const TRACE_UPROBE_MULTI: u32 = 48;
    pub const CGROUP_UNIX_CONNECT: u32 = 49;
    pub const CGROUP_UNIX_SENDMSG: u32 = 50;
    pub const CGROUP_UNIX_RECVMSG: u32 = 51;
    pub const CGROUP_UNIX_GETPEERNAME: u32 = 52;
    pub const CGROUP_UNIX_GETSOCKNAME: u32 = 53;
    pub const NETKIT_PRIMARY: u32 = 54;
    pub const NETKIT_PEER: u32 = 55;
    pub const TRACE_KPROBE_SESSION: u32 = 56;
    pub const TRACE_UPROBE_SESSION: u32 = 57;
    pub const TRACE_FSESSION: u32 = 58;
    /// `__MAX_BPF_ATTACH_TYPE` in libbpf v1.7.0's UAPI.
    pub const MAX: u32 = 59;
}

/// `enum bpf_link_type` (libbpf v1.7.0: `__MAX` = 15).
pub mod link_type {
    pub const UNSPEC: u32 = 0;
    pub const RAW_TRACEPOINT: u32 = 1;
    pub const TRACING: u32 = 2;
    pub const CGROUP: u32 = 3;
    pub const ITER: u32 = 4;
    pub const NETNS: u32 = 5;
    pub const XDP: u32 = 6;
    pub const PERF_EVENT: u32 = 7;
    pub const KPROBE_MULTI: u32 = 8;
    pub const STRUCT_OPS: u32 = 9;
    pub const NETFILTER: u32 = 10;
    pub const TCX: u32 = 11;
    pub const UPROBE_MULTI: u32 = 12;
    pub const NETKIT: u32 = 13;
    pub const SOCKMAP: u32 = 14;
    pub const MAX: u32 = 15;
}

/// Flags (docs/libbpf-behaviour.md#flags).
pub mod flags {
    pub const BPF_F_ALLOW_OVERRIDE: u32 = 1 << 0;
    pub const BPF_F_ALLOW_MULTI: u32 = 1 << 1;
    pub const BPF_F_REPLACE: u32 = 1 << 2;
    pub const BPF_F_BEFORE: u32 = 1 << 3;
    pub const BPF_F_AFTER: u32 = 1 << 4;
    /// OR-ed in by libbpf when `relative_id` is used
    /// (docs/libbpf-behaviour.md#the-per-attach-type-branches).
    pub const BPF_F_ID: u32 = 1 << 5;
    pub const BPF_F_PREORDER: u32 = 1 << 6;
    pub const BPF_F_LINK: u32 = 1 << 13;
    pub const BPF_F_RDONLY: u32 = 1 << 3;
    pub const BPF_F_WRONLY: u32 = 1 << 4;
    pub const BPF_F_PATH_FD: u32 = 1 << 14;
    pub const BPF_F_KPROBE_MULTI_RETURN: u32 = 1 << 0;
    pub const BPF_F_UPROBE_MULTI_RETURN: u32 = 1 << 0;
    pub const BPF_F_NETFILTER_IP_DEFRAG: u32 = 1 << 0;
}

/// Byte offsets inside `union bpf_attr`, and how many bytes libbpf 1.7.0
/// passes for each command (`offsetofend(union bpf_attr, <arm>)`,
/// docs/libbpf-behaviour.md#the-attr-arms).
pub mod attr {
    /// `attr.link_create`: 64 bytes since libbpf 1.3 (uprobe_multi is the
    /// largest arm).
    pub const LINK_CREATE_SIZE: usize = 64;
    pub const LC_PROG_FD: usize = 0;
    pub const LC_TARGET_FD: usize = 4;
    pub const LC_ATTACH_TYPE: usize = 8;
    pub const LC_FLAGS: usize = 12;
    pub const LC_TARGET_BTF_ID: usize = 16;
    pub const LC_ITER_INFO: usize = 16;
    pub const LC_ITER_INFO_LEN: usize = 24;
    pub const LC_PERF_BPF_COOKIE: usize = 16;
    pub const LC_KMULTI_FLAGS: usize = 16;
    pub const LC_KMULTI_CNT: usize = 20;
    pub const LC_KMULTI_SYMS: usize = 24;
    pub const LC_KMULTI_ADDRS: usize = 32;
    pub const LC_KMULTI_COOKIES: usize = 40;
    /// `tracing.cookie` is a plain `__u64` after the `__u32` target_btf_id:
    /// at 24 where `__u64` is 8-aligned, at 20 on i386 (where libbpf, built
    /// from the same UAPI header, writes it).
    pub const LC_TRACING_COOKIE: usize = 16 + U32_THEN_U64;
    pub const LC_NF_PF: usize = 16;
    pub const LC_NF_HOOKNUM: usize = 20;
    pub const LC_NF_PRIORITY: usize = 24;
    pub const LC_NF_FLAGS: usize = 28;
    /// tcx / netkit / cgroup: `relative_fd` and `relative_id` share it.
    pub const LC_RELATIVE: usize = 16;
    /// A plain `__u64` after the `__u32` relative_fd/id, like `tracing.cookie`.
    pub const LC_EXPECTED_REVISION: usize = 16 + U32_THEN_U64;
    pub const LC_UMULTI_PATH: usize = 16;
    pub const LC_UMULTI_OFFSETS: usize = 24;
    pub const LC_UMULTI_REF_CTR_OFFSETS: usize = 32;
    pub const LC_UMULTI_COOKIES: usize = 40;
    pub const LC_UMULTI_CNT: usize = 48;
    pub const LC_UMULTI_FLAGS: usize = 52;
    pub const LC_UMULTI_PID: usize = 56;

    /// `attr.link_update`
    pub const LINK_UPDATE_SIZE: usize = 16;
    pub const LU_LINK_FD: usize = 0;
    pub const LU_NEW_PROG_FD: usize = 4;
    pub const LU_FLAGS: usize = 8;
    /// `old_prog_fd` and `old_map_fd` share it.
    pub const LU_OLD_FD: usize = 12;

    /// `attr.link_detach`
    pub const LINK_DETACH_SIZE: usize = 4;
    /// `attr.iter_create`
    pub const ITER_CREATE_SIZE: usize = 8;

    /// `start_id`/`link_id` @0, `next_id` @4, `open_flags` @8:
    /// `offsetofend(union bpf_attr, open_flags)`.
    pub const GET_ID_SIZE: usize = 12;
    pub const ID_START_OR_LINK_ID: usize = 0;
    pub const ID_NEXT_ID: usize = 4;
    pub const ID_OPEN_FLAGS: usize = 8;

    /// `attr.info`
    pub const INFO_SIZE: usize = 16;
    pub const INFO_BPF_FD: usize = 0;
    pub const INFO_LEN: usize = 4;
    pub const INFO_PTR: usize = 8;

    /// `attr.raw_tracepoint` (24 bytes since libbpf 1.4: cookie added).
    pub const RAW_TP_SIZE: usize = 24;
    pub const RT_NAME: usize = 0;
    pub const RT_PROG_FD: usize = 8;
    pub const RT_COOKIE: usize = 16;

    /// BPF_OBJ_PIN / BPF_OBJ_GET: `offsetofend(union bpf_attr, path_fd)`.
    pub const OBJ_SIZE: usize = 20;
    pub const OBJ_PATHNAME: usize = 0;
    pub const OBJ_BPF_FD: usize = 8;
    pub const OBJ_FILE_FLAGS: usize = 12;
    pub const OBJ_PATH_FD: usize = 16;

    /// `attr.query` (`offsetofend(union bpf_attr, query)`, 64 bytes since
    /// the revision field).
    pub const QUERY_SIZE: usize = 64;
    pub const Q_TARGET: usize = 0;
    pub const Q_ATTACH_TYPE: usize = 4;
    pub const Q_QUERY_FLAGS: usize = 8;
    pub const Q_ATTACH_FLAGS: usize = 12;
    pub const Q_PROG_IDS: usize = 16;
    pub const Q_COUNT: usize = 24;
    pub const Q_PROG_ATTACH_FLAGS: usize = 32;
    pub const Q_LINK_IDS: usize = 40;
    pub const Q_LINK_ATTACH_FLAGS: usize = 48;
    pub const Q_REVISION: usize = 56;

    /// The largest arm we ever send.
    pub const MAX_SIZE: usize = LINK_CREATE_SIZE;

    /// Where C puts a `__u64` that follows a `__u32` in a struct: 8 on every
    /// LP64 target, 4 on i386 (whose `__u64` struct members are 4-aligned).
    /// The union arms above start 8-aligned (at 16), so this is the only
    /// target-dependent offset in the attr images (`union bpf_attr` uses
    /// `__aligned_u64` for its pointers).
    const U32_THEN_U64: usize = core::mem::offset_of!(U32ThenU64, then);

    #[repr(C)]
    struct U32ThenU64 {
        first: u32,
        then: u64,
    }

    #[cfg(target_pointer_width = "64")]
    const _: () = assert!(LC_TRACING_COOKIE == 24 && LC_EXPECTED_REVISION == 24);
    #[cfg(all(target_arch = "x86", target_pointer_width = "32"))]
    const _: () = assert!(LC_TRACING_COOKIE == 20 && LC_EXPECTED_REVISION == 20);
}

/// A zeroed `union bpf_attr` prefix of `N` bytes with typed writers, so the
/// image each call sends is built and compared as plain bytes.
/// 8-byte aligned like `union bpf_attr`, which also lets the compiler write
/// each field with one store.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(C, align(8))]
pub struct AttrImage<const N: usize>(pub [u8; N]);

impl<const N: usize> Default for AttrImage<N> {
    fn default() -> Self {
        AttrImage([0u8; N])
    }
}

impl<const N: usize> core::fmt::Debug for AttrImage<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "AttrImage<{N}>(")?;
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 && i % 4 == 0 {
                write!(f, " ")?;
            }
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

impl<const N: usize> AttrImage<N> {
    fn put<const W: usize>(&mut self, off: usize, bytes: [u8; W]) {
        // Offsets are the constants above; an out-of-range write would be a
        // bug in this file, caught by the unit tests, never a panic.
        if let Some(dst) = self.0.get_mut(off..off + W) {
            dst.copy_from_slice(&bytes);
        }
    }

    fn get<const W: usize>(&self, off: usize) -> [u8; W] {
        let mut out = [0u8; W];
        if let Some(src) = self.0.get(off..off + W) {
            out.copy_from_slice(src);
        }
        out
    }

    pub fn put_u32(&mut self, off: usize, v: u32) {
        self.put(off, v.to_ne_bytes());
    }

    pub fn put_i32(&mut self, off: usize, v: i32) {
        self.put(off, v.to_ne_bytes());
    }

    pub fn put_u64(&mut self, off: usize, v: u64) {
        self.put(off, v.to_ne_bytes());
    }

    pub fn u32_at(&self, off: usize) -> u32 {
        u32::from_ne_bytes(self.get(off))
    }

    pub fn u64_at(&self, off: usize) -> u64 {
        u64::from_ne_bytes(self.get(off))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn as_mut_bytes(&mut self) -> &mut [u8] {
        &mut self.0
    }
}
