//! libbpf 1.7.0's static strings: its version and the name tables behind
//! `libbpf_bpf_attach_type_str` and `libbpf_bpf_link_type_str`
//! (`attach_type_name[]` / `link_type_name[]` in `libbpf.c`).
//!
//! The tables are indexed by the UAPI value; a value past the end, or an
//! index without an entry, has no name (the C functions return NULL).
//! `tests/object_api.rs` checks both tables, entry by entry, against the
//! vendored libbpf 1.7.0 source and its UAPI header.
#![forbid(unsafe_code)]

use core::ffi::CStr;

use super::uapi::{attach as a, link_type as l};

/// `LIBBPF_MAJOR_VERSION` of the ABI bpflink implements.
pub const LIBBPF_MAJOR_VERSION: u32 = 1;
/// `LIBBPF_MINOR_VERSION` of the ABI bpflink implements.
pub const LIBBPF_MINOR_VERSION: u32 = 7;
/// `libbpf_version_string()`: `"v" MAJOR "." MINOR`.
pub const LIBBPF_VERSION_STRING: &CStr = c"v1.7";

type Table<const N: usize> = [Option<&'static CStr>; N];

/// `ARRAY_SIZE(attach_type_name)`: the highest named value + 1.
const ATTACH_TYPE_NAMES_LEN: usize = a::TRACE_FSESSION as usize + 1;

// Indexing in a constant initialiser: an index out of range fails the
// build, it can never panic at run time.
#[allow(clippy::indexing_slicing)]
const ATTACH_TYPE_NAMES: Table<ATTACH_TYPE_NAMES_LEN> = {
    let mut t: Table<ATTACH_TYPE_NAMES_LEN> = [None; ATTACH_TYPE_NAMES_LEN];
    t[a::CGROUP_INET_INGRESS as usize] = Some(c"cgroup_inet_ingress");
    t[a::CGROUP_INET_EGRESS as usize] = Some(c"cgroup_inet_egress");
    t[a::CGROUP_INET_SOCK_CREATE as usize] = Some(c"cgroup_inet_sock_create");
    t[a::CGROUP_INET_SOCK_RELEASE as usize] = Some(c"cgroup_inet_sock_release");
    t[a::CGROUP_SOCK_OPS as usize] = Some(c"cgroup_sock_ops");
    t[a::CGROUP_DEVICE as usize] = Some(c"cgroup_device");
    t[a::CGROUP_INET4_BIND as usize] = Some(c"cgroup_inet4_bind");
    t[a::CGROUP_INET6_BIND as usize] = Some(c"cgroup_inet6_bind");
    t[a::CGROUP_INET4_CONNECT as usize] = Some(c"cgroup_inet4_connect");
    t[a::CGROUP_INET6_CONNECT as usize] = Some(c"cgroup_inet6_connect");
    t[a::CGROUP_UNIX_CONNECT as usize] = Some(c"cgroup_unix_connect");
    t[a::CGROUP_INET4_POST_BIND as usize] = Some(c"cgroup_inet4_post_bind");
    t[a::CGROUP_INET6_POST_BIND as usize] = Some(c"cgroup_inet6_post_bind");
    t[a::CGROUP_INET4_GETPEERNAME as usize] = Some(c"cgroup_inet4_getpeername");
    t[a::CGROUP_INET6_GETPEERNAME as usize] = Some(c"cgroup_inet6_getpeername");
    t[a::CGROUP_UNIX_GETPEERNAME as usize] = Some(c"cgroup_unix_getpeername");
    t[a::CGROUP_INET4_GETSOCKNAME as usize] = Some(c"cgroup_inet4_getsockname");
    t[a::CGROUP_INET6_GETSOCKNAME as usize] = Some(c"cgroup_inet6_getsockname");
    t[a::CGROUP_UNIX_GETSOCKNAME as usize] = Some(c"cgroup_unix_getsockname");
    t[a::CGROUP_UDP4_SENDMSG as usize] = Some(c"cgroup_udp4_sendmsg");
    t[a::CGROUP_UDP6_SENDMSG as usize] = Some(c"cgroup_udp6_sendmsg");
    t[a::CGROUP_UNIX_SENDMSG as usize] = Some(c"cgroup_unix_sendmsg");
    t[a::CGROUP_SYSCTL as usize] = Some(c"cgroup_sysctl");
    t[a::CGROUP_UDP4_RECVMSG as usize] = Some(c"cgroup_udp4_recvmsg");
    t[a::CGROUP_UDP6_RECVMSG as usize] = Some(c"cgroup_udp6_recvmsg");
    t[a::CGROUP_UNIX_RECVMSG as usize] = Some(c"cgroup_unix_recvmsg");
    t[a::CGROUP_GETSOCKOPT as usize] = Some(c"cgroup_getsockopt");
    t[a::CGROUP_SETSOCKOPT as usize] = Some(c"cgroup_setsockopt");
    t[a::SK_SKB_STREAM_PARSER as usize] = Some(c"sk_skb_stream_parser");
    t[a::SK_SKB_STREAM_VERDICT as usize] = Some(c"sk_skb_stream_verdict");
    t[a::SK_SKB_VERDICT as usize] = Some(c"sk_skb_verdict");
    t[a::SK_MSG_VERDICT as usize] = Some(c"sk_msg_verdict");
    t[a::LIRC_MODE2 as usize] = Some(c"lirc_mode2");
    t[a::FLOW_DISSECTOR as usize] = Some(c"flow_dissector");
    t[a::TRACE_RAW_TP as usize] = Some(c"trace_raw_tp");
    t[a::TRACE_FENTRY as usize] = Some(c"trace_fentry");
    t[a::TRACE_FEXIT as usize] = Some(c"trace_fexit");
    t[a::MODIFY_RETURN as usize] = Some(c"modify_return");
    t[a::TRACE_FSESSION as usize] = Some(c"trace_fsession");
    t[a::LSM_MAC as usize] = Some(c"lsm_mac");
    t[a::LSM_CGROUP as usize] = Some(c"lsm_cgroup");
    t[a::SK_LOOKUP as usize] = Some(c"sk_lookup");
    t[a::TRACE_ITER as usize] = Some(c"trace_iter");
    t[a::XDP_DEVMAP as usize] = Some(c"xdp_devmap");
    t[a::XDP_CPUMAP as usize] = Some(c"xdp_cpumap");
    t[a::XDP as usize] = Some(c"xdp");
    t[a::SK_REUSEPORT_SELECT as usize] = Some(c"sk_reuseport_select");
    t[a::SK_REUSEPORT_SELECT_OR_MIGRATE as usize] = Some(c"sk_reuseport_select_or_migrate");
    t[a::PERF_EVENT as usize] = Some(c"perf_event");
    t[a::TRACE_KPROBE_MULTI as usize] = Some(c"trace_kprobe_multi");
    t[a::STRUCT_OPS as usize] = Some(c"struct_ops");
    t[a::NETFILTER as usize] = Some(c"netfilter");
    t[a::TCX_INGRESS as usize] = Some(c"tcx_ingress");
    t[a::TCX_EGRESS as usize] = Some(c"tcx_egress");
    t[a::TRACE_UPROBE_MULTI as usize] = Some(c"trace_uprobe_multi");
    t[a::NETKIT_PRIMARY as usize] = Some(c"netkit_primary");
    t[a::NETKIT_PEER as usize] = Some(c"netkit_peer");
    t[a::TRACE_KPROBE_SESSION as usize] = Some(c"trace_kprobe_session");
    t[a::TRACE_UPROBE_SESSION as usize] = Some(c"trace_uprobe_session");
    t
};

/// `ARRAY_SIZE(link_type_name)`.
const LINK_TYPE_NAMES_LEN: usize = l::SOCKMAP as usize + 1;

// Indexing in a constant initialiser: an index out of range fails the
// build, it can never panic at run time.
#[allow(clippy::indexing_slicing)]
const LINK_TYPE_NAMES: Table<LINK_TYPE_NAMES_LEN> = {
    let mut t: Table<LINK_TYPE_NAMES_LEN> = [None; LINK_TYPE_NAMES_LEN];
    t[l::UNSPEC as usize] = Some(c"unspec");
    t[l::RAW_TRACEPOINT as usize] = Some(c"raw_tracepoint");
    t[l::TRACING as usize] = Some(c"tracing");
    t[l::CGROUP as usize] = Some(c"cgroup");
    t[l::ITER as usize] = Some(c"iter");
    t[l::NETNS as usize] = Some(c"netns");
    t[l::XDP as usize] = Some(c"xdp");
    t[l::PERF_EVENT as usize] = Some(c"perf_event");
    t[l::KPROBE_MULTI as usize] = Some(c"kprobe_multi");
    t[l::STRUCT_OPS as usize] = Some(c"struct_ops");
    t[l::NETFILTER as usize] = Some(c"netfilter");
    t[l::TCX as usize] = Some(c"tcx");
    t[l::UPROBE_MULTI as usize] = Some(c"uprobe_multi");
    t[l::NETKIT as usize] = Some(c"netkit");
    t[l::SOCKMAP as usize] = Some(c"sockmap");
    t
};

/// `libbpf_bpf_attach_type_str(t)`: `attach_type_name[t]`, or `None` (NULL)
/// when `t` is out of the table. The enum arrives as a 32-bit value, so a
/// negative C int is a huge value here, also out of range.
pub fn attach_type_str(t: u32) -> Option<&'static CStr> {
    ATTACH_TYPE_NAMES.get(t as usize).copied().flatten()
}

/// `libbpf_bpf_link_type_str(t)`: `link_type_name[t]`, or `None` (NULL).
pub fn link_type_str(t: u32) -> Option<&'static CStr> {
    LINK_TYPE_NAMES.get(t as usize).copied().flatten()
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]

    use std::format;
    use std::vec::Vec;

    use super::*;

    #[test]
    fn table_sizes_match_libbpf_1_7() {
        // Both tables end at 1.7.0's last UAPI value (its __MAX_* - 1).
        assert_eq!(ATTACH_TYPE_NAMES_LEN as u32, a::MAX);
        assert_eq!(LINK_TYPE_NAMES_LEN as u32, l::MAX);
        // Every value below the end is named in 1.7.0: no holes.
        assert!(ATTACH_TYPE_NAMES.iter().all(Option::is_some));
        assert!(LINK_TYPE_NAMES.iter().all(Option::is_some));
    }

    #[test]
    fn attach_type_names() {
        assert_eq!(attach_type_str(0), Some(c"cgroup_inet_ingress"));
        assert_eq!(attach_type_str(a::XDP), Some(c"xdp"));
        assert_eq!(attach_type_str(a::SK_SKB_VERDICT), Some(c"sk_skb_verdict"));
        assert_eq!(
            attach_type_str(a::CGROUP_INET_SOCK_RELEASE),
            Some(c"cgroup_inet_sock_release")
        );
        assert_eq!(attach_type_str(a::TRACE_FSESSION), Some(c"trace_fsession"));
        assert_eq!(attach_type_str(a::MAX), None);
        assert_eq!(attach_type_str(u32::MAX), None);
        assert_eq!(attach_type_str(-1i32 as u32), None);
    }

    #[test]
    fn link_type_names() {
        assert_eq!(link_type_str(l::UNSPEC), Some(c"unspec"));
        assert_eq!(link_type_str(l::XDP), Some(c"xdp"));
        assert_eq!(link_type_str(l::SOCKMAP), Some(c"sockmap"));
        assert_eq!(link_type_str(l::MAX), None);
        assert_eq!(link_type_str(u32::MAX), None);
    }

    #[test]
    fn names_are_unique() {
        let mut seen: Vec<&CStr> = ATTACH_TYPE_NAMES.iter().flatten().copied().collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), ATTACH_TYPE_NAMES_LEN);
    }

    #[test]
    fn version() {
        assert_eq!(LIBBPF_VERSION_STRING, c"v1.7");
        assert_eq!(
            LIBBPF_VERSION_STRING.to_str().ok(),
            Some(format!("v{LIBBPF_MAJOR_VERSION}.{LIBBPF_MINOR_VERSION}").as_str())
        );
    }
}
