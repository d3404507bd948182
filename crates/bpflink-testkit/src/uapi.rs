//! The UAPI numbers the real-kernel tests use, written once for all of them
//! (libbpf 1.7.0's `include/uapi/linux/bpf.h` and the kernel's
//! `linux/perf_event.h`, `linux/netfilter.h`, `linux/if_link.h`; the system
//! header here is Linux 6.1 and lacks TCX, netfilter, uprobe_multi, netkit
//! and the session types).
//!
//! The tests keep their own copy instead of reusing bpflink-core's
//! `uapi`, so that a wrong number in the core cannot hide behind its own
//! tests; the unit test at the bottom checks every number both define.

/// `enum bpf_cmd`.
pub mod cmd {
    pub const MAP_CREATE: u32 = 0;
    pub const MAP_LOOKUP_ELEM: u32 = 1;
    pub const MAP_UPDATE_ELEM: u32 = 2;
    pub const MAP_DELETE_ELEM: u32 = 3;
    pub const PROG_LOAD: u32 = 5;
    pub const OBJ_PIN: u32 = 6;
    pub const OBJ_GET: u32 = 7;
    pub const OBJ_GET_INFO_BY_FD: u32 = 15;
    pub const PROG_QUERY: u32 = 16;
    pub const RAW_TRACEPOINT_OPEN: u32 = 17;
    pub const BTF_LOAD: u32 = 18;
    pub const LINK_CREATE: u32 = 28;
    pub const LINK_UPDATE: u32 = 29;
    pub const LINK_GET_FD_BY_ID: u32 = 30;
    pub const LINK_GET_NEXT_ID: u32 = 31;
    pub const ITER_CREATE: u32 = 33;
    pub const LINK_DETACH: u32 = 34;
}

/// `enum bpf_prog_type`.
pub mod prog_type {
    pub const SOCKET_FILTER: u32 = 1;
    pub const KPROBE: u32 = 2;
    pub const SCHED_CLS: u32 = 3;
    pub const TRACEPOINT: u32 = 5;
    pub const XDP: u32 = 6;
    pub const PERF_EVENT: u32 = 7;
    pub const CGROUP_SKB: u32 = 8;
    pub const SOCK_OPS: u32 = 13;
    pub const SK_SKB: u32 = 14;
    pub const CGROUP_DEVICE: u32 = 15;
    pub const SK_MSG: u32 = 16;
    pub const RAW_TRACEPOINT: u32 = 17;
    pub const CGROUP_SOCK_ADDR: u32 = 18;
    pub const FLOW_DISSECTOR: u32 = 22;
    pub const CGROUP_SYSCTL: u32 = 23;
    pub const TRACING: u32 = 26;
    pub const STRUCT_OPS: u32 = 27;
    pub const LSM: u32 = 29;
    pub const SK_LOOKUP: u32 = 30;
    pub const NETFILTER: u32 = 32;
}

/// `enum bpf_attach_type`.
pub mod attach {
    pub const CGROUP_INET_INGRESS: u32 = 0;
    pub const CGROUP_INET_EGRESS: u32 = 1;
    pub const CGROUP_SOCK_OPS: u32 = 3;
    pub const SK_SKB_STREAM_VERDICT: u32 = 5;
    pub const CGROUP_DEVICE: u32 = 6;
    pub const SK_MSG_VERDICT: u32 = 7;
    pub const CGROUP_INET4_CONNECT: u32 = 10;
    pub const FLOW_DISSECTOR: u32 = 17;
    pub const CGROUP_SYSCTL: u32 = 18;
    pub const TRACE_RAW_TP: u32 = 23;
    pub const TRACE_FENTRY: u32 = 24;
    pub const TRACE_FEXIT: u32 = 25;
    pub const MODIFY_RETURN: u32 = 26;
    pub const LSM_MAC: u32 = 27;
    pub const TRACE_ITER: u32 = 28;
    pub const SK_LOOKUP: u32 = 36;
    pub const XDP: u32 = 37;
    pub const SK_SKB_VERDICT: u32 = 38;
    pub const PERF_EVENT: u32 = 41;
    pub const TRACE_KPROBE_MULTI: u32 = 42;
    pub const LSM_CGROUP: u32 = 43;
    pub const STRUCT_OPS: u32 = 44;
    pub const NETFILTER: u32 = 45;
    pub const TCX_INGRESS: u32 = 46;
    pub const TCX_EGRESS: u32 = 47;
    pub const TRACE_UPROBE_MULTI: u32 = 48;
    pub const NETKIT_PRIMARY: u32 = 54;
    pub const NETKIT_PEER: u32 = 55;
    pub const TRACE_KPROBE_SESSION: u32 = 56;
    pub const TRACE_UPROBE_SESSION: u32 = 57;
    pub const TRACE_FSESSION: u32 = 58;
}

/// `enum bpf_link_type`.
pub mod link_type {
    pub const RAW_TRACEPOINT: u32 = 1;
    pub const CGROUP: u32 = 3;
    pub const ITER: u32 = 4;
    pub const NETNS: u32 = 5;
    pub const XDP: u32 = 6;
    pub const PERF_EVENT: u32 = 7;
    pub const STRUCT_OPS: u32 = 9;
    pub const NETFILTER: u32 = 10;
    pub const TCX: u32 = 11;
    pub const UPROBE_MULTI: u32 = 12;
    pub const SOCKMAP: u32 = 14;
}

/// `enum bpf_map_type`.
pub mod map_type {
    pub const ARRAY: u32 = 2;
    pub const SOCKMAP: u32 = 15;
    pub const STRUCT_OPS: u32 = 26;
}

/// `enum bpf_perf_event_type` (the `perf_event` arm of link info).
pub mod perf_event_type {
    pub const UPROBE: u32 = 1;
    pub const URETPROBE: u32 = 2;
    pub const TRACEPOINT: u32 = 5;
    pub const EVENT: u32 = 6;
}

/// BTF kinds (`BTF_KIND_*`).
pub mod btf_kind {
    pub const STRUCT: u32 = 4;
    pub const TYPEDEF: u32 = 8;
    pub const FUNC: u32 = 12;
}

// Flags.
pub const BPF_F_ALLOW_MULTI: u32 = 1 << 1;
pub const BPF_F_REPLACE: u32 = 1 << 2;
pub const BPF_F_BEFORE: u32 = 1 << 3;
pub const BPF_F_AFTER: u32 = 1 << 4;
pub const BPF_F_LINK: u32 = 1 << 13;
pub const BPF_F_RDONLY: u32 = 1 << 3;
pub const BPF_F_PATH_FD: u32 = 1 << 14;
pub const BPF_F_UPROBE_MULTI_RETURN: u32 = 1;
pub const XDP_FLAGS_SKB_MODE: u32 = 1 << 1;
pub const XDP_FLAGS_DRV_MODE: u32 = 1 << 2;

// Helper function ids (`enum bpf_func_id`).
pub const BPF_FUNC_MAP_LOOKUP_ELEM: i32 = 1;
pub const BPF_FUNC_SEQ_WRITE: i32 = 127;
pub const BPF_FUNC_GET_ATTACH_COOKIE: i32 = 174;

// Program return codes.
pub const BPF_OK: i32 = 0;
pub const XDP_PASS: i32 = 2;
pub const TCX_NEXT: i32 = -1;
pub const SK_PASS: i32 = 1;
pub const NF_ACCEPT: i32 = 1;

// Netfilter.
pub const NFPROTO_IPV4: u32 = 2;
pub const NF_INET_LOCAL_IN: u32 = 1;

// perf_event_open.
pub const PERF_TYPE_SOFTWARE: u32 = 1;
pub const PERF_TYPE_TRACEPOINT: u32 = 2;
pub const PERF_COUNT_SW_CPU_CLOCK: u64 = 0;

/// Every number above that bpflink-core also defines, checked against the
/// core's copy (a disagreement is a bug in one of the two).
#[cfg(test)]
mod tests {
    use bpflink_core::{perf, uapi as core};

    /// `same!(module: NAME, ...)` compares `super::module::NAME` with
    /// `core::module::NAME`; `same!(a => b, ...)` compares any two paths.
    macro_rules! same {
        ($($m:ident : $($n:ident),+ ;)+) => {
            $($(assert_eq!(
                super::$m::$n,
                core::$m::$n,
                concat!(stringify!($m), "::", stringify!($n))
            );)+)+
        };
    }

    #[test]
    fn numbers_agree_with_bpflink_core() {
        same! {
            cmd: PROG_LOAD, OBJ_PIN, OBJ_GET, OBJ_GET_INFO_BY_FD, PROG_QUERY,
                RAW_TRACEPOINT_OPEN, LINK_CREATE, LINK_UPDATE, LINK_GET_FD_BY_ID,
                LINK_GET_NEXT_ID, ITER_CREATE, LINK_DETACH;
            attach: CGROUP_INET_INGRESS, CGROUP_INET_EGRESS, CGROUP_SOCK_OPS,
                SK_SKB_STREAM_VERDICT, CGROUP_DEVICE, SK_MSG_VERDICT, CGROUP_INET4_CONNECT,
                FLOW_DISSECTOR, CGROUP_SYSCTL, TRACE_RAW_TP, TRACE_FENTRY, TRACE_FEXIT,
                MODIFY_RETURN, LSM_MAC, TRACE_ITER, SK_LOOKUP, XDP, SK_SKB_VERDICT, PERF_EVENT,
                TRACE_KPROBE_MULTI, LSM_CGROUP, STRUCT_OPS, NETFILTER, TCX_INGRESS, TCX_EGRESS,
                TRACE_UPROBE_MULTI, NETKIT_PRIMARY, NETKIT_PEER, TRACE_KPROBE_SESSION,
                TRACE_UPROBE_SESSION, TRACE_FSESSION;
            link_type: RAW_TRACEPOINT, CGROUP, ITER, NETNS, XDP, PERF_EVENT, STRUCT_OPS,
                NETFILTER, TCX, UPROBE_MULTI, SOCKMAP;
        }
        let flags = [
            (
                super::BPF_F_ALLOW_MULTI,
                core::flags::BPF_F_ALLOW_MULTI,
                "BPF_F_ALLOW_MULTI",
            ),
            (
                super::BPF_F_REPLACE,
                core::flags::BPF_F_REPLACE,
                "BPF_F_REPLACE",
            ),
            (
                super::BPF_F_BEFORE,
                core::flags::BPF_F_BEFORE,
                "BPF_F_BEFORE",
            ),
            (super::BPF_F_AFTER, core::flags::BPF_F_AFTER, "BPF_F_AFTER"),
            (super::BPF_F_LINK, core::flags::BPF_F_LINK, "BPF_F_LINK"),
            (
                super::BPF_F_RDONLY,
                core::flags::BPF_F_RDONLY,
                "BPF_F_RDONLY",
            ),
            (
                super::BPF_F_PATH_FD,
                core::flags::BPF_F_PATH_FD,
                "BPF_F_PATH_FD",
            ),
            (
                super::BPF_F_UPROBE_MULTI_RETURN,
                core::flags::BPF_F_UPROBE_MULTI_RETURN,
                "BPF_F_UPROBE_MULTI_RETURN",
            ),
            (
                super::PERF_TYPE_TRACEPOINT,
                perf::PERF_TYPE_TRACEPOINT,
                "PERF_TYPE_TRACEPOINT",
            ),
        ];
        for (ours, theirs, name) in flags {
            assert_eq!(ours, theirs, "{name}");
        }
    }
}
