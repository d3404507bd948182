//! The small vocabulary of the Rust API: raw UAPI numbers with names
//! ([`AttachType`], [`LinkType`], [`ProgType`]) and the closed sets each
//! builder accepts ([`CgroupAttach`], [`TcxDirection`], …), so that an
//! attach type a builder cannot use is not representable.

use std::fmt;

use bpflink_core::uapi::{attach as a, link_type as l};

macro_rules! named_u32 {
    (
        $(#[$meta:meta])*
        $ty:ident, $what:literal, $names:expr, $max:expr; {
            $( $(#[$cmeta:meta])* $konst:ident = $val:expr $(=> $name:literal)?, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $ty(pub u32);

        impl $ty {
            $( $(#[$cmeta])* pub const $konst: $ty = $ty($val); )*

            /// libbpf 1.7.0's name for this value (`None` for a value it
            /// does not know).
            pub fn name(self) -> Option<&'static str> {
                ($names)(self.0)
            }

            /// The value with libbpf's name `name`.
            pub fn from_name(name: &str) -> Option<$ty> {
                (0..$max).map($ty).find(|v| v.name() == Some(name))
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

/// A name from one of the core's tables (libbpf 1.7.0's
/// `libbpf_bpf_attach_type_str` / `_link_type_str`, which the C library
/// exports too: one table for both products).
fn core_name(name: Option<&'static std::ffi::CStr>) -> Option<&'static str> {
    name.and_then(|n| n.to_str().ok())
}

named_u32! {
    /// A raw `enum bpf_attach_type` value, as the kernel reports it in link
    /// info (any value is representable; [`AttachType::name`] knows libbpf
    /// 1.7.0's names).
    AttachType, "attach_type",
    |v| core_name(bpflink_core::names::attach_type_str(v)), a::MAX; {
        CGROUP_INET_INGRESS = a::CGROUP_INET_INGRESS,
        CGROUP_INET_EGRESS = a::CGROUP_INET_EGRESS,
        CGROUP_INET_SOCK_CREATE = a::CGROUP_INET_SOCK_CREATE,
        CGROUP_SOCK_OPS = a::CGROUP_SOCK_OPS,
        SK_SKB_STREAM_PARSER = a::SK_SKB_STREAM_PARSER,
        SK_SKB_STREAM_VERDICT = a::SK_SKB_STREAM_VERDICT,
        CGROUP_DEVICE = a::CGROUP_DEVICE,
        SK_MSG_VERDICT = a::SK_MSG_VERDICT,
        CGROUP_INET4_BIND = a::CGROUP_INET4_BIND,
        CGROUP_INET6_BIND = a::CGROUP_INET6_BIND,
        CGROUP_INET4_CONNECT = a::CGROUP_INET4_CONNECT,
        CGROUP_INET6_CONNECT = a::CGROUP_INET6_CONNECT,
        CGROUP_INET4_POST_BIND = a::CGROUP_INET4_POST_BIND,
        CGROUP_INET6_POST_BIND = a::CGROUP_INET6_POST_BIND,
        CGROUP_UDP4_SENDMSG = a::CGROUP_UDP4_SENDMSG,
        CGROUP_UDP6_SENDMSG = a::CGROUP_UDP6_SENDMSG,
        LIRC_MODE2 = a::LIRC_MODE2,
        FLOW_DISSECTOR = a::FLOW_DISSECTOR,
        CGROUP_SYSCTL = a::CGROUP_SYSCTL,
        CGROUP_UDP4_RECVMSG = a::CGROUP_UDP4_RECVMSG,
        CGROUP_UDP6_RECVMSG = a::CGROUP_UDP6_RECVMSG,
        CGROUP_GETSOCKOPT = a::CGROUP_GETSOCKOPT,
        CGROUP_SETSOCKOPT = a::CGROUP_SETSOCKOPT,
        TRACE_RAW_TP = a::TRACE_RAW_TP,
        TRACE_FENTRY = a::TRACE_FENTRY,
        TRACE_FEXIT = a::TRACE_FEXIT,
        MODIFY_RETURN = a::MODIFY_RETURN,
        LSM_MAC = a::LSM_MAC,
        TRACE_ITER = a::TRACE_ITER,
        CGROUP_INET4_GETPEERNAME = a::CGROUP_INET4_GETPEERNAME,
        CGROUP_INET6_GETPEERNAME = a::CGROUP_INET6_GETPEERNAME,
        CGROUP_INET4_GETSOCKNAME = a::CGROUP_INET4_GETSOCKNAME,
        CGROUP_INET6_GETSOCKNAME = a::CGROUP_INET6_GETSOCKNAME,
        XDP_DEVMAP = a::XDP_DEVMAP,
        CGROUP_INET_SOCK_RELEASE = a::CGROUP_INET_SOCK_RELEASE,
        XDP_CPUMAP = a::XDP_CPUMAP,
        SK_LOOKUP = a::SK_LOOKUP,
        XDP = a::XDP,
        SK_SKB_VERDICT = a::SK_SKB_VERDICT,
        SK_REUSEPORT_SELECT = a::SK_REUSEPORT_SELECT,
        SK_REUSEPORT_SELECT_OR_MIGRATE = a::SK_REUSEPORT_SELECT_OR_MIGRATE
           ,
        PERF_EVENT = a::PERF_EVENT,
        TRACE_KPROBE_MULTI = a::TRACE_KPROBE_MULTI,
        LSM_CGROUP = a::LSM_CGROUP,
        STRUCT_OPS = a::STRUCT_OPS,
        NETFILTER = a::NETFILTER,
        TCX_INGRESS = a::TCX_INGRESS,
        TCX_EGRESS = a::TCX_EGRESS,
        TRACE_UPROBE_MULTI = a::TRACE_UPROBE_MULTI,
        CGROUP_UNIX_CONNECT = a::CGROUP_UNIX_CONNECT,
        CGROUP_UNIX_SENDMSG = a::CGROUP_UNIX_SENDMSG,
        CGROUP_UNIX_RECVMSG = a::CGROUP_UNIX_RECVMSG,
        CGROUP_UNIX_GETPEERNAME = a::CGROUP_UNIX_GETPEERNAME,
        CGROUP_UNIX_GETSOCKNAME = a::CGROUP_UNIX_GETSOCKNAME,
        NETKIT_PRIMARY = a::NETKIT_PRIMARY,
        NETKIT_PEER = a::NETKIT_PEER,
        TRACE_KPROBE_SESSION = a::TRACE_KPROBE_SESSION,
        TRACE_UPROBE_SESSION = a::TRACE_UPROBE_SESSION,
        TRACE_FSESSION = a::TRACE_FSESSION,
    }
}

named_u32! {
    /// A raw `enum bpf_link_type` value (libbpf 1.7.0's names).
    LinkType, "link_type",
    |v| core_name(bpflink_core::names::link_type_str(v)), l::MAX; {
        UNSPEC = l::UNSPEC,
        RAW_TRACEPOINT = l::RAW_TRACEPOINT,
        TRACING = l::TRACING,
        CGROUP = l::CGROUP,
        ITER = l::ITER,
        NETNS = l::NETNS,
        XDP = l::XDP,
        PERF_EVENT = l::PERF_EVENT,
        KPROBE_MULTI = l::KPROBE_MULTI,
        STRUCT_OPS = l::STRUCT_OPS,
        NETFILTER = l::NETFILTER,
        TCX = l::TCX,
        UPROBE_MULTI = l::UPROBE_MULTI,
        NETKIT = l::NETKIT,
        SOCKMAP = l::SOCKMAP,
    }
}

named_u32! {
    /// A raw `enum bpf_prog_type` value (libbpf 1.7.0's names).
    ProgType, "prog_type", prog_type_name, 64; {
        UNSPEC = 0,
        SOCKET_FILTER = 1,
        KPROBE = 2,
        SCHED_CLS = 3,
        SCHED_ACT = 4,
        TRACEPOINT = 5,
        XDP = 6,
        PERF_EVENT = 7,
        CGROUP_SKB = 8,
        CGROUP_SOCK = 9,
        LWT_IN = 10,
        LWT_OUT = 11,
        LWT_XMIT = 12,
        SOCK_OPS = 13,
        SK_SKB = 14,
        CGROUP_DEVICE = 15,
        SK_MSG = 16,
        RAW_TRACEPOINT = 17,
        CGROUP_SOCK_ADDR = 18,
        LWT_SEG6LOCAL = 19,
        LIRC_MODE2 = 20,
        SK_REUSEPORT = 21,
        FLOW_DISSECTOR = 22,
        CGROUP_SYSCTL = 23,
        RAW_TRACEPOINT_WRITABLE = 24,
        CGROUP_SOCKOPT = 25,
        TRACING = 26,
        STRUCT_OPS = 27,
        EXT = 28,
        LSM = 29,
        SK_LOOKUP = 30,
        SYSCALL = 31,
        NETFILTER = 32,
    }
}

/// libbpf 1.7.0's `prog_type_name[]` (only the Rust crate names program
/// types: the C library exports no such function).
fn prog_type_name(v: u32) -> Option<&'static str> {
    Some(match v {
        0 => "unspec",
        1 => "socket_filter",
        2 => "kprobe",
        3 => "sched_cls",
        4 => "sched_act",
        5 => "tracepoint",
        6 => "xdp",
        7 => "perf_event",
        8 => "cgroup_skb",
        9 => "cgroup_sock",
        10 => "lwt_in",
        11 => "lwt_out",
        12 => "lwt_xmit",
        13 => "sock_ops",
        14 => "sk_skb",
        15 => "cgroup_device",
        16 => "sk_msg",
        17 => "raw_tracepoint",
        18 => "cgroup_sock_addr",
        19 => "lwt_seg6local",
        20 => "lirc_mode2",
        21 => "sk_reuseport",
        22 => "flow_dissector",
        23 => "cgroup_sysctl",
        24 => "raw_tracepoint_writable",
        25 => "cgroup_sockopt",
        26 => "tracing",
        27 => "struct_ops",
        28 => "ext",
        29 => "lsm",
        30 => "sk_lookup",
        31 => "syscall",
        32 => "netfilter",
        _ => return None,
    })
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
