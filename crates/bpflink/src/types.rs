//! The small vocabulary of the Rust API: raw UAPI numbers with names
//! ([`AttachType`], [`LinkType`], [`ProgType`]) and the closed sets each
//! builder accepts ([`CgroupAttach`], [`TcxDirection`], …), so that an
//! attach type a builder cannot use is not representable.

use std::fmt;

use bpflink_core::uapi::{attach as a, link_type as l};

macro_rules! named_u32 {
    (
        $(#[$meta:meta])*
        $ty:ident, $what:literal, $table:ident {
            $( $(#[$cmeta:meta])* $konst:ident = $val:expr => $name:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $ty(pub u32);

        const $table: &[(u32, &str)] = &[ $( ($val, $name), )* ];

        impl $ty {
            $( $(#[$cmeta])* pub const $konst: $ty = $ty($val); )*

            /// libbpf 1.7.0's name for this value (`None` for a value it
            /// does not know).
            pub fn name(self) -> Option<&'static str> {
                $table.iter().find(|(v, _)| *v == self.0).map(|&(_, n)| n)
            }

            /// The value with libbpf's name `name`.
            pub fn from_name(name: &str) -> Option<$ty> {
                $table.iter().find(|(_, n)| *n == name).map(|&(v, _)| $ty(v))
            }
        }

        impl fmt::Display for $ty {
            /// The libbpf name, or `<what> N` for an unknown value.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "{} {}", $what, self.0),
                }
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.name() {
                    Some(n) => write!(f, "{}({})", n, self.0),
                    None => write!(f, "{}({})", stringify!($ty), self.0),
                }
            }
        }

        impl From<u32> for $ty {
            fn from(v: u32) -> Self {
                $ty(v)
            }
        }

        impl From<$ty> for u32 {
            fn from(v: $ty) -> u32 {
                v.0
            }
        }
    };
}

named_u32! {
    /// A raw `enum bpf_attach_type` value, as the kernel reports it in link
    /// info (any value is representable; [`AttachType::name`] knows libbpf
    /// 1.7.0's names).
    AttachType, "attach_type", ATTACH_TYPE_NAMES {
        CGROUP_INET_INGRESS = a::CGROUP_INET_INGRESS => "cgroup_inet_ingress",
        CGROUP_INET_EGRESS = a::CGROUP_INET_EGRESS => "cgroup_inet_egress",
        CGROUP_INET_SOCK_CREATE = a::CGROUP_INET_SOCK_CREATE => "cgroup_inet_sock_create",
        CGROUP_SOCK_OPS = a::CGROUP_SOCK_OPS => "cgroup_sock_ops",
        SK_SKB_STREAM_PARSER = a::SK_SKB_STREAM_PARSER => "sk_skb_stream_parser",
        SK_SKB_STREAM_VERDICT = a::SK_SKB_STREAM_VERDICT => "sk_skb_stream_verdict",
        CGROUP_DEVICE = a::CGROUP_DEVICE => "cgroup_device",
        SK_MSG_VERDICT = a::SK_MSG_VERDICT => "sk_msg_verdict",
        CGROUP_INET4_BIND = a::CGROUP_INET4_BIND => "cgroup_inet4_bind",
        CGROUP_INET6_BIND = a::CGROUP_INET6_BIND => "cgroup_inet6_bind",
        CGROUP_INET4_CONNECT = a::CGROUP_INET4_CONNECT => "cgroup_inet4_connect",
        CGROUP_INET6_CONNECT = a::CGROUP_INET6_CONNECT => "cgroup_inet6_connect",
        CGROUP_INET4_POST_BIND = a::CGROUP_INET4_POST_BIND => "cgroup_inet4_post_bind",
        CGROUP_INET6_POST_BIND = a::CGROUP_INET6_POST_BIND => "cgroup_inet6_post_bind",
        CGROUP_UDP4_SENDMSG = a::CGROUP_UDP4_SENDMSG => "cgroup_udp4_sendmsg",
        CGROUP_UDP6_SENDMSG = a::CGROUP_UDP6_SENDMSG => "cgroup_udp6_sendmsg",
        LIRC_MODE2 = a::LIRC_MODE2 => "lirc_mode2",
        FLOW_DISSECTOR = a::FLOW_DISSECTOR => "flow_dissector",
        CGROUP_SYSCTL = a::CGROUP_SYSCTL => "cgroup_sysctl",
        CGROUP_UDP4_RECVMSG = a::CGROUP_UDP4_RECVMSG => "cgroup_udp4_recvmsg",
        CGROUP_UDP6_RECVMSG = a::CGROUP_UDP6_RECVMSG => "cgroup_udp6_recvmsg",
        CGROUP_GETSOCKOPT = a::CGROUP_GETSOCKOPT => "cgroup_getsockopt",
        CGROUP_SETSOCKOPT = a::CGROUP_SETSOCKOPT => "cgroup_setsockopt",
        TRACE_RAW_TP = a::TRACE_RAW_TP => "trace_raw_tp",
        TRACE_FENTRY = a::TRACE_FENTRY => "trace_fentry",
        TRACE_FEXIT = a::TRACE_FEXIT => "trace_fexit",
        MODIFY_RETURN = a::MODIFY_RETURN => "modify_return",
        LSM_MAC = a::LSM_MAC => "lsm_mac",
        TRACE_ITER = a::TRACE_ITER => "trace_iter",
        CGROUP_INET4_GETPEERNAME = a::CGROUP_INET4_GETPEERNAME => "cgroup_inet4_getpeername",
        CGROUP_INET6_GETPEERNAME = a::CGROUP_INET6_GETPEERNAME => "cgroup_inet6_getpeername",
        CGROUP_INET4_GETSOCKNAME = a::CGROUP_INET4_GETSOCKNAME => "cgroup_inet4_getsockname",
        CGROUP_INET6_GETSOCKNAME = a::CGROUP_INET6_GETSOCKNAME => "cgroup_inet6_getsockname",
        XDP_DEVMAP = a::XDP_DEVMAP => "xdp_devmap",
        CGROUP_INET_SOCK_RELEASE = a::CGROUP_INET_SOCK_RELEASE => "cgroup_inet_sock_release",
        XDP_CPUMAP = a::XDP_CPUMAP => "xdp_cpumap",
        SK_LOOKUP = a::SK_LOOKUP => "sk_lookup",
        XDP = a::XDP => "xdp",
        SK_SKB_VERDICT = a::SK_SKB_VERDICT => "sk_skb_verdict",
        SK_REUSEPORT_SELECT = a::SK_REUSEPORT_SELECT => "sk_reuseport_select",
        SK_REUSEPORT_SELECT_OR_MIGRATE = a::SK_REUSEPORT_SELECT_OR_MIGRATE
            => "sk_reuseport_select_or_migrate",
        PERF_EVENT = a::PERF_EVENT => "perf_event",
        TRACE_KPROBE_MULTI = a::TRACE_KPROBE_MULTI => "trace_kprobe_multi",
        LSM_CGROUP = a::LSM_CGROUP => "lsm_cgroup",
        STRUCT_OPS = a::STRUCT_OPS => "struct_ops",
        NETFILTER = a::NETFILTER => "netfilter",
        TCX_INGRESS = a::TCX_INGRESS => "tcx_ingress",
        TCX_EGRESS = a::TCX_EGRESS => "tcx_egress",
        TRACE_UPROBE_MULTI = a::TRACE_UPROBE_MULTI => "trace_uprobe_multi",
        CGROUP_UNIX_CONNECT = a::CGROUP_UNIX_CONNECT => "cgroup_unix_connect",
        CGROUP_UNIX_SENDMSG = a::CGROUP_UNIX_SENDMSG => "cgroup_unix_sendmsg",
        CGROUP_UNIX_RECVMSG = a::CGROUP_UNIX_RECVMSG => "cgroup_unix_recvmsg",
        CGROUP_UNIX_GETPEERNAME = a::CGROUP_UNIX_GETPEERNAME => "cgroup_unix_getpeername",
        CGROUP_UNIX_GETSOCKNAME = a::CGROUP_UNIX_GETSOCKNAME => "cgroup_unix_getsockname",
        NETKIT_PRIMARY = a::NETKIT_PRIMARY => "netkit_primary",
        NETKIT_PEER = a::NETKIT_PEER => "netkit_peer",
        TRACE_KPROBE_SESSION = a::TRACE_KPROBE_SESSION => "trace_kprobe_session",
        TRACE_UPROBE_SESSION = a::TRACE_UPROBE_SESSION => "trace_uprobe_session",
        TRACE_FSESSION = a::TRACE_FSESSION => "trace_fsession",
    }
}

named_u32! {
    /// A raw `enum bpf_link_type` value (libbpf 1.7.0's names).
    LinkType, "link_type", LINK_TYPE_NAMES {
        UNSPEC = l::UNSPEC => "unspec",
        RAW_TRACEPOINT = l::RAW_TRACEPOINT => "raw_tracepoint",
        TRACING = l::TRACING => "tracing",
        CGROUP = l::CGROUP => "cgroup",
        ITER = l::ITER => "iter",
        NETNS = l::NETNS => "netns",
        XDP = l::XDP => "xdp",
        PERF_EVENT = l::PERF_EVENT => "perf_event",
        KPROBE_MULTI = l::KPROBE_MULTI => "kprobe_multi",
        STRUCT_OPS = l::STRUCT_OPS => "struct_ops",
        NETFILTER = l::NETFILTER => "netfilter",
        TCX = l::TCX => "tcx",
        UPROBE_MULTI = l::UPROBE_MULTI => "uprobe_multi",
        NETKIT = l::NETKIT => "netkit",
        SOCKMAP = l::SOCKMAP => "sockmap",
    }
}

named_u32! {
    /// A raw `enum bpf_prog_type` value (libbpf 1.7.0's names).
    ProgType, "prog_type", PROG_TYPE_NAMES {
        UNSPEC = 0 => "unspec",
        SOCKET_FILTER = 1 => "socket_filter",
        KPROBE = 2 => "kprobe",
        SCHED_CLS = 3 => "sched_cls",
        SCHED_ACT = 4 => "sched_act",
        TRACEPOINT = 5 => "tracepoint",
        XDP = 6 => "xdp",
        PERF_EVENT = 7 => "perf_event",
        CGROUP_SKB = 8 => "cgroup_skb",
        CGROUP_SOCK = 9 => "cgroup_sock",
        LWT_IN = 10 => "lwt_in",
        LWT_OUT = 11 => "lwt_out",
        LWT_XMIT = 12 => "lwt_xmit",
        SOCK_OPS = 13 => "sock_ops",
        SK_SKB = 14 => "sk_skb",
        CGROUP_DEVICE = 15 => "cgroup_device",
        SK_MSG = 16 => "sk_msg",
        RAW_TRACEPOINT = 17 => "raw_tracepoint",
        CGROUP_SOCK_ADDR = 18 => "cgroup_sock_addr",
        LWT_SEG6LOCAL = 19 => "lwt_seg6local",
        LIRC_MODE2 = 20 => "lirc_mode2",
        SK_REUSEPORT = 21 => "sk_reuseport",
        FLOW_DISSECTOR = 22 => "flow_dissector",
        CGROUP_SYSCTL = 23 => "cgroup_sysctl",
        RAW_TRACEPOINT_WRITABLE = 24 => "raw_tracepoint_writable",
        CGROUP_SOCKOPT = 25 => "cgroup_sockopt",
        TRACING = 26 => "tracing",
        STRUCT_OPS = 27 => "struct_ops",
        EXT = 28 => "ext",
        LSM = 29 => "lsm",
        SK_LOOKUP = 30 => "sk_lookup",
        SYSCALL = 31 => "syscall",
        NETFILTER = 32 => "netfilter",
    }
}

/// Defines a closed enum of attach types a builder accepts.
macro_rules! attach_subset {
    (
        $(#[$meta:meta])*
        $ty:ident { $( $(#[$vmeta:meta])* $variant:ident = $konst:ident, )* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $ty {
            $( $(#[$vmeta])* $variant, )*
        }

        impl $ty {
            /// Every value, in UAPI order of declaration.
            pub const ALL: &'static [$ty] = &[ $( $ty::$variant, )* ];

            /// The `enum bpf_attach_type` value.
            pub fn attach_type(self) -> AttachType {
                match self {
                    $( $ty::$variant => AttachType::$konst, )*
                }
            }

            /// The value for an attach type, if this set contains it.
            pub fn from_attach_type(t: AttachType) -> Option<$ty> {
                Self::ALL.iter().copied().find(|v| v.attach_type() == t)
            }
        }

        impl From<$ty> for AttachType {
            fn from(v: $ty) -> AttachType {
                v.attach_type()
            }
        }
    };
}

attach_subset! {
    /// The cgroup hooks a cgroup link can use (`BPF_LINK_TYPE_CGROUP`).
    CgroupAttach {
        InetIngress = CGROUP_INET_INGRESS,
        InetEgress = CGROUP_INET_EGRESS,
        InetSockCreate = CGROUP_INET_SOCK_CREATE,
        InetSockRelease = CGROUP_INET_SOCK_RELEASE,
        SockOps = CGROUP_SOCK_OPS,
        Device = CGROUP_DEVICE,
        Inet4Bind = CGROUP_INET4_BIND,
        Inet6Bind = CGROUP_INET6_BIND,
        Inet4PostBind = CGROUP_INET4_POST_BIND,
        Inet6PostBind = CGROUP_INET6_POST_BIND,
        Inet4Connect = CGROUP_INET4_CONNECT,
        Inet6Connect = CGROUP_INET6_CONNECT,
        UnixConnect = CGROUP_UNIX_CONNECT,
        Inet4Getpeername = CGROUP_INET4_GETPEERNAME,
        Inet6Getpeername = CGROUP_INET6_GETPEERNAME,
        UnixGetpeername = CGROUP_UNIX_GETPEERNAME,
        Inet4Getsockname = CGROUP_INET4_GETSOCKNAME,
        Inet6Getsockname = CGROUP_INET6_GETSOCKNAME,
        UnixGetsockname = CGROUP_UNIX_GETSOCKNAME,
        Udp4Sendmsg = CGROUP_UDP4_SENDMSG,
        Udp6Sendmsg = CGROUP_UDP6_SENDMSG,
        UnixSendmsg = CGROUP_UNIX_SENDMSG,
        Udp4Recvmsg = CGROUP_UDP4_RECVMSG,
        Udp6Recvmsg = CGROUP_UDP6_RECVMSG,
        UnixRecvmsg = CGROUP_UNIX_RECVMSG,
        Sysctl = CGROUP_SYSCTL,
        Getsockopt = CGROUP_GETSOCKOPT,
        Setsockopt = CGROUP_SETSOCKOPT,
        /// `BPF_LSM_CGROUP` (an LSM program run for the cgroup).
        LsmCgroup = LSM_CGROUP,
    }
}

attach_subset! {
    /// Which side of a device a tcx link hooks.
    TcxDirection {
        Ingress = TCX_INGRESS,
        Egress = TCX_EGRESS,
    }
}

attach_subset! {
    /// Which end of a netkit pair a netkit link hooks.
    NetkitAttach {
        Primary = NETKIT_PRIMARY,
        Peer = NETKIT_PEER,
    }
}

attach_subset! {
    /// The hooks of a network-namespace link (`BPF_LINK_TYPE_NETNS`).
    NetnsAttach {
        SkLookup = SK_LOOKUP,
        FlowDissector = FLOW_DISSECTOR,
    }
}

attach_subset! {
    /// The hooks of a sockmap/sockhash link (`BPF_LINK_TYPE_SOCKMAP`).
    SockmapAttach {
        SkSkbVerdict = SK_SKB_VERDICT,
        SkSkbStreamVerdict = SK_SKB_STREAM_VERDICT,
        SkSkbStreamParser = SK_SKB_STREAM_PARSER,
        SkMsgVerdict = SK_MSG_VERDICT,
    }
}

attach_subset! {
    /// BTF-attached tracing hooks that take `tracing.cookie`.
    TracingAttach {
        /// `tp_btf`: a BTF-typed raw tracepoint (link type raw_tracepoint).
        RawTp = TRACE_RAW_TP,
        Fentry = TRACE_FENTRY,
        Fexit = TRACE_FEXIT,
        ModifyReturn = MODIFY_RETURN,
        Fsession = TRACE_FSESSION,
        LsmMac = LSM_MAC,
    }
}

/// The XDP attach mode of an XDP link (`XDP_FLAGS_*_MODE`); the kernel
/// picks one when none is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum XdpMode {
    /// `XDP_FLAGS_SKB_MODE`: generic XDP, any device.
    Generic,
    /// `XDP_FLAGS_DRV_MODE`: native XDP in the driver.
    Driver,
    /// `XDP_FLAGS_HW_MODE`: offloaded to the NIC.
    Offload,
}

impl XdpMode {
    /// The `XDP_FLAGS_*` bit.
    pub fn flag(self) -> u32 {
        match self {
            XdpMode::Generic => 1 << 1,
            XdpMode::Driver => 1 << 2,
            XdpMode::Offload => 1 << 3,
        }
    }
}

/// Netfilter protocol family of a netfilter link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NfProto {
    /// `NFPROTO_IPV4` (2)
    Ipv4,
    /// `NFPROTO_IPV6` (10)
    Ipv6,
}

impl NfProto {
    pub fn value(self) -> u32 {
        match self {
            NfProto::Ipv4 => 2,
            NfProto::Ipv6 => 10,
        }
    }

    pub fn from_value(v: u32) -> Option<NfProto> {
        match v {
            2 => Some(NfProto::Ipv4),
            10 => Some(NfProto::Ipv6),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            NfProto::Ipv4 => "ipv4",
            NfProto::Ipv6 => "ipv6",
        }
    }
}

/// Netfilter hook of a netfilter link (`enum nf_inet_hooks`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NfHook {
    PreRouting,
    LocalIn,
    Forward,
    LocalOut,
    PostRouting,
}

impl NfHook {
    pub const ALL: &'static [NfHook] = &[
        NfHook::PreRouting,
        NfHook::LocalIn,
        NfHook::Forward,
        NfHook::LocalOut,
        NfHook::PostRouting,
    ];

    pub fn value(self) -> u32 {
        match self {
            NfHook::PreRouting => 0,
            NfHook::LocalIn => 1,
            NfHook::Forward => 2,
            NfHook::LocalOut => 3,
            NfHook::PostRouting => 4,
        }
    }

    pub fn from_value(v: u32) -> Option<NfHook> {
        Self::ALL.iter().copied().find(|h| h.value() == v)
    }

    /// The name bpftool prints (`prerouting`, `input`, …).
    pub fn name(self) -> &'static str {
        match self {
            NfHook::PreRouting => "prerouting",
            NfHook::LocalIn => "input",
            NfHook::Forward => "forward",
            NfHook::LocalOut => "output",
            NfHook::PostRouting => "postrouting",
        }
    }
}

/// Walk order of a cgroup iterator (`enum bpf_cgroup_iter_order`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CgroupIterOrder {
    SelfOnly,
    DescendantsPre,
    DescendantsPost,
    AncestorsUp,
    Children,
}

impl CgroupIterOrder {
    pub fn value(self) -> u32 {
        match self {
            CgroupIterOrder::SelfOnly => 1,
            CgroupIterOrder::DescendantsPre => 2,
            CgroupIterOrder::DescendantsPost => 3,
            CgroupIterOrder::AncestorsUp => 4,
            CgroupIterOrder::Children => 5,
        }
    }
}
