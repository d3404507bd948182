//! Typed builders, one per attach kind, each beside its constructor on
//! [`Link`] (`Link::xdp`, `Link::tcx`, …: `impl Link` blocks here, so
//! `link.rs` knows nothing of the builders). Each fills the C-layout
//! `struct bpf_link_create_opts` (or `bpf_raw_tp_opts`) exactly as a C
//! caller of libbpf would, and calls the same core function the C ABI
//! calls (`core::link_create::link_create`,
//! `core::raw_tp::raw_tracepoint_open_opts`): one implementation, two
//! faces.
//!
//! What libbpf rejects is made unrepresentable where a type can say it:
//! each builder takes only its own attach types (an enum), only its own
//! opts member (no cookie on an XDP link, no `relative_fd` together with
//! `relative_id`: one [`Anchor`]), exclusive modes are one enum
//! ([`XdpMode`], [`ProbeMode`], [`Position`]). The few remaining checks
//! (array lengths that must match) fail before any syscall.

use std::ffi::{CStr, CString, c_ulong};
use std::num::NonZeroU32;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::error::{Error, Op, Result};
use super::link::Link;
use super::opts::{OptsBytes, addr_of};
use super::types::{
    AttachType, CgroupAttach, CgroupIterOrder, NetkitAttach, NetnsAttach, NfHook, NfProto,
    SockmapAttach, TcxDirection, TracingAttach, XdpMode,
};
use bpflink_core::abi::{link_create as o, raw_tp as rto};
use bpflink_core::kernel::Kernel;
use bpflink_core::opts::Silent;
use bpflink_core::sys::SYS;
use bpflink_core::uapi::flags;
use bpflink_core::{link_create, raw_tp};

/// `BPF_LINK_CREATE` through the core, with `opts` as the C opts struct.
fn create_link(
    k: &dyn Kernel,
    kind: &'static str,
    prog_fd: i32,
    target_fd: i32,
    attach: AttachType,
    opts: &OptsBytes,
) -> Result<i32> {
    let image = opts.image();
    // SAFETY: the only addresses in `opts` are written by the builders in
    // this file, from slices and C strings they borrow for this call, with
    // the counts beside them checked against those slices' lengths first.
    unsafe { link_create::link_create(k, prog_fd, target_fd, attach.0, Some(&image), &mut Silent) }
        .map_err(|e| Error::from_errno(Op::Create(kind), e))
}

/// The terminal `create()` of every builder: the real kernel, and an owned
/// [`Link`].
macro_rules! create_with_sys {
    ($($ty:ident),* $(,)?) => {$(
        impl $ty<'_> {
            /// Creates the link (needs root / `CAP_BPF` and the hook's own
            /// capability). The fd is close-on-exec and ≥ 3.
            pub fn create(&self) -> Result<Link> {
                self.create_in(&SYS).map(Link::adopt)
            }
        }
    )*};
}

create_with_sys!(
    CgroupLink,
    XdpLink,
    TcxLink,
    NetkitLink,
    NetfilterLink,
    PerfEventLink,
    KprobeMultiLink,
    UprobeMultiLink,
    IterLink,
    TracingLink,
    FreplaceLink,
    NetnsLink,
    SockmapLink,
    StructOpsLink,
    RawTracepointLink,
);

// ------------------------------------------------------------- ordering

/// An existing attachment a new tcx/netkit/cgroup link is placed next to.
#[derive(Debug, Clone, Copy)]
pub enum Anchor<'a> {
    /// A link, by fd (`relative_fd` + `BPF_F_LINK`).
    Link(BorrowedFd<'a>),
    /// A link, by id (`relative_id` + `BPF_F_LINK`; libbpf adds `BPF_F_ID`).
    LinkId(u32),
    /// A program, by fd (`relative_fd`).
    Prog(BorrowedFd<'a>),
    /// A program, by id (`relative_id`; libbpf adds `BPF_F_ID`).
    ProgId(u32),
}

/// Where a new link goes in a multi-program hook (tcx, netkit, cgroup).
#[derive(Debug, Clone, Copy, Default)]
pub enum Position<'a> {
    /// Flags 0: the kernel's default (appended).
    #[default]
    Default,
    /// `BPF_F_BEFORE` with no anchor: first.
    First,
    /// `BPF_F_AFTER` with no anchor: last.
    Last,
    /// `BPF_F_BEFORE` the anchor.
    Before(Anchor<'a>),
    /// `BPF_F_AFTER` the anchor.
    After(Anchor<'a>),
}

/// Position + `expected_revision`: the shared part of the `tcx`, `netkit`
/// and `cgroup` opts members (`relative_fd`/`relative_id`,
/// `expected_revision`) and the flags they imply.
#[derive(Debug, Clone, Copy, Default)]
struct Order<'a> {
    position: Position<'a>,
    expected_revision: u64,
}

impl Order<'_> {
    /// Writes `flags`, `relative_fd`/`relative_id`, `expected_revision`.
    fn write(&self, opts: &mut OptsBytes, extra_flags: u32) {
        let (dir, anchor) = match self.position {
            Position::Default => (0, None),
            Position::First => (flags::BPF_F_BEFORE, None),
            Position::Last => (flags::BPF_F_AFTER, None),
            Position::Before(a) => (flags::BPF_F_BEFORE, Some(a)),
            Position::After(a) => (flags::BPF_F_AFTER, Some(a)),
        };
        let mut f = dir | extra_flags;
        match anchor {
            None => {}
            Some(Anchor::Link(fd)) => {
                f |= flags::BPF_F_LINK;
                opts.set_i32(o::REL_FD, fd.as_raw_fd());
            }
            Some(Anchor::LinkId(id)) => {
                f |= flags::BPF_F_LINK;
                opts.set_u32(o::REL_ID, id);
            }
            Some(Anchor::Prog(fd)) => {
                opts.set_i32(o::REL_FD, fd.as_raw_fd());
            }
            Some(Anchor::ProgId(id)) => {
                opts.set_u32(o::REL_ID, id);
            }
        }
        opts.set_u32(o::FLAGS, f);
        opts.set_u64(o::REL_EXPECTED_REVISION, self.expected_revision);
    }
}

/// The ordering methods shared by [`CgroupLink`], [`TcxLink`] and
/// [`NetkitLink`].
macro_rules! ordering_methods {
    ($($ty:ident),*) => {$(
        impl<'a> $ty<'a> {
            /// Places the link (default: the kernel appends it).
            pub fn position(mut self, p: Position<'a>) -> Self {
                self.order.position = p;
                self
            }
            /// Before an existing link or program.
            pub fn before(self, anchor: Anchor<'a>) -> Self {
                self.position(Position::Before(anchor))
            }
            /// After an existing link or program.
            pub fn after(self, anchor: Anchor<'a>) -> Self {
                self.position(Position::After(anchor))
            }
            /// First in the hook.
            pub fn first(self) -> Self {
                self.position(Position::First)
            }
            /// Last in the hook.
            pub fn last(self) -> Self {
                self.position(Position::Last)
            }
            /// Fails with `ESTALE` unless the hook's revision is `rev`
            /// (0: no check).
            pub fn expected_revision(mut self, rev: u64) -> Self {
                self.order.expected_revision = rev;
                self
            }
        }
    )*};
}

ordering_methods!(CgroupLink, TcxLink, NetkitLink);

// ---------------------------------------------------------------- cgroup

impl Link {
    /// A cgroup link on the cgroup v2 directory `cgroup` (an fd opened
    /// `O_RDONLY | O_DIRECTORY`).
    ///
    /// ```no_run
    /// use std::os::fd::AsFd;
    /// use bpflink::Link;
    /// use bpflink::{Anchor, CgroupAttach};
    /// # fn prog() -> std::os::fd::OwnedFd { unimplemented!() }
    /// let cg = std::fs::File::open("/sys/fs/cgroup/unified/my.slice")?;
    /// let (a, b) = (prog(), prog()); // cgroup_skb programs
    /// let first = Link::cgroup(a.as_fd(), cg.as_fd(), CgroupAttach::InetEgress).create()?;
    /// // Runs before `first`.
    /// let _second = Link::cgroup(b.as_fd(), cg.as_fd(), CgroupAttach::InetEgress)
    ///     .before(Anchor::Link(first.as_fd()))
    ///     .create()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cgroup<'a>(
        prog: BorrowedFd<'a>,
        cgroup: BorrowedFd<'a>,
        attach: CgroupAttach,
    ) -> CgroupLink<'a> {
        CgroupLink {
            prog,
            cgroup,
            attach,
            order: Order::default(),
            preorder: false,
        }
    }
}

/// A cgroup link: [`Link::cgroup`].
#[derive(Debug, Clone)]
pub struct CgroupLink<'a> {
    prog: BorrowedFd<'a>,
    cgroup: BorrowedFd<'a>,
    attach: CgroupAttach,
    order: Order<'a>,
    preorder: bool,
}

impl<'a> CgroupLink<'a> {
    /// `BPF_F_PREORDER`: run before the programs of descendant cgroups
    /// (kernel 6.15+).
    pub fn preorder(mut self) -> Self {
        self.preorder = true;
        self
    }

    pub(crate) fn create_in(&self, k: &dyn Kernel) -> Result<i32> {
        let mut opts = OptsBytes::link_create();
        let extra = if self.preorder {
            flags::BPF_F_PREORDER
        } else {
            0
        };
        self.order.write(&mut opts, extra);
        create_link(
            k,
            "cgroup",
            self.prog.as_raw_fd(),
            self.cgroup.as_raw_fd(),
            self.attach.attach_type(),
            &opts,
        )
    }
}

// ------------------------------------------------------------------- xdp

impl Link {
    /// An XDP link on interface `ifindex` (see [`super::ifindex`]).
    pub fn xdp(prog: BorrowedFd<'_>, ifindex: u32) -> XdpLink<'_> {
        XdpLink {
            prog,
            ifindex,
            mode: None,
        }
    }
}

/// An XDP link: [`Link::xdp`].
#[derive(Debug, Clone)]
pub struct XdpLink<'a> {
    prog: BorrowedFd<'a>,
    ifindex: u32,
    mode: Option<XdpMode>,
}

impl<'a> XdpLink<'a> {
    /// The XDP mode (`XDP_FLAGS_SKB_MODE`, `_DRV_MODE` or `_HW_MODE`).
    pub fn mode(mut self, mode: XdpMode) -> Self {
        self.mode = Some(mode);
        self
    }

    pub(crate) fn create_in(&self, k: &dyn Kernel) -> Result<i32> {
        let mut opts = OptsBytes::link_create();
        opts.set_u32(o::FLAGS, self.mode.map_or(0, XdpMode::flag));
        create_link(
            k,
            "xdp",
            self.prog.as_raw_fd(),
            self.ifindex as i32,
            AttachType::XDP,
            &opts,
        )
    }
}

// ------------------------------------------------------------ tcx, netkit

impl Link {
    /// A tcx link (ingress or egress) on interface `ifindex`.
    pub fn tcx(prog: BorrowedFd<'_>, ifindex: u32, direction: TcxDirection) -> TcxLink<'_> {
        TcxLink {
            prog,
            ifindex,
            direction,
            order: Order::default(),
        }
    }
}

/// A tcx link: [`Link::tcx`].
#[derive(Debug, Clone)]
pub struct TcxLink<'a> {
    prog: BorrowedFd<'a>,
    ifindex: u32,
    direction: TcxDirection,
    order: Order<'a>,
}

impl<'a> TcxLink<'a> {
    pub(crate) fn create_in(&self, k: &dyn Kernel) -> Result<i32> {
        let mut opts = OptsBytes::link_create();
        self.order.write(&mut opts, 0);
        create_link(
            k,
            "tcx",
            self.prog.as_raw_fd(),
            self.ifindex as i32,
            self.direction.attach_type(),
            &opts,
        )
    }
}

impl Link {
    /// A netkit link on the netkit device `ifindex`.
    pub fn netkit(prog: BorrowedFd<'_>, ifindex: u32, attach: NetkitAttach) -> NetkitLink<'_> {
        NetkitLink {
            prog,
            ifindex,
            attach,
            order: Order::default(),
        }
    }
}

/// A netkit link: [`Link::netkit`].
#[derive(Debug, Clone)]
pub struct NetkitLink<'a> {
    prog: BorrowedFd<'a>,
    ifindex: u32,
    attach: NetkitAttach,
    order: Order<'a>,
}

impl<'a> NetkitLink<'a> {
    pub(crate) fn create_in(&self, k: &dyn Kernel) -> Result<i32> {
        let mut opts = OptsBytes::link_create();
        self.order.write(&mut opts, 0);
        create_link(
            k,
            "netkit",
            self.prog.as_raw_fd(),
            self.ifindex as i32,
            self.attach.attach_type(),
            &opts,
        )
    }
}

// -------------------------------------------------------------- netfilter

impl Link {
    /// A netfilter link in the caller's network namespace; `defrag` sets
    /// `BPF_F_NETFILTER_IP_DEFRAG`.
    ///
    /// ```no_run
    /// use std::os::fd::AsFd;
    /// use bpflink::Link;
    /// use bpflink::{NfHook, NfProto};
    /// # fn prog() -> std::os::fd::OwnedFd { unimplemented!() }
    /// let p = prog(); // a BPF_PROG_TYPE_NETFILTER program
    /// let link = Link::netfilter(p.as_fd(), NfProto::Ipv4, NfHook::LocalIn, -100, false)
    ///     .create()?;
    /// // Netfilter links cannot be updated: EOPNOTSUPP, explained.
    /// let err = link.update(p.as_fd(), None).unwrap_err();
    /// assert_eq!(err.explanation(), "this link type cannot be updated");
    /// # Ok::<(), bpflink::Error>(())
    /// ```
    pub fn netfilter(
        prog: BorrowedFd<'_>,
        pf: NfProto,
        hook: NfHook,
        priority: i32,
        defrag: bool,
    ) -> NetfilterLink<'_> {
        NetfilterLink {
            prog,
            pf,
            hook,
            priority,
            defrag,
        }
    }
}

/// A netfilter link: [`Link::netfilter`].
#[derive(Debug, Clone)]
pub struct NetfilterLink<'a> {
    prog: BorrowedFd<'a>,
    pf: NfProto,
    hook: NfHook,
    priority: i32,
    defrag: bool,
}

impl<'a> NetfilterLink<'a> {
    pub(crate) fn create_in(&self, k: &dyn Kernel) -> Result<i32> {
        let mut opts = OptsBytes::link_create();
        opts.set_u32(o::NF_PF, self.pf.value())
            .set_u32(o::NF_HOOKNUM, self.hook.value())
            .set_i32(o::NF_PRIORITY, self.priority)
            .set_u32(
                o::NF_FLAGS,
                if self.defrag {
                    flags::BPF_F_NETFILTER_IP_DEFRAG
                } else {
                    0
                },
            );
        // The kernel ignores target_fd for netfilter; libbpf's
        // bpf_program__attach_netfilter passes 0.
        create_link(
            k,
            "netfilter",
            self.prog.as_raw_fd(),
            0,
            AttachType::NETFILTER,
            &opts,
        )
    }
}

// ------------------------------------------------------------- perf_event

impl Link {
    /// A link of a program to a perf event (`perf_event_open` fd).
    pub fn perf_event<'a>(prog: BorrowedFd<'a>, perf: BorrowedFd<'a>) -> PerfEventLink<'a> {
        PerfEventLink {
            prog,
            perf,
            cookie: 0,
        }
    }
}

/// A perf-event link: [`Link::perf_event`].
#[derive(Debug, Clone)]
pub struct PerfEventLink<'a> {
    prog: BorrowedFd<'a>,
    perf: BorrowedFd<'a>,
    cookie: u64,
}

impl<'a> PerfEventLink<'a> {
    /// The BPF cookie (`bpf_get_attach_cookie()`).
    pub fn cookie(mut self, cookie: u64) -> Self {
        self.cookie = cookie;
        self
    }

    pub(crate) fn create_in(&self, k: &dyn Kernel) -> Result<i32> {
        let mut opts = OptsBytes::link_create();
        opts.set_u64(o::PERF_BPF_COOKIE, self.cookie);
        create_link(
            k,
            "perf_event",
            self.prog.as_raw_fd(),
            self.perf.as_raw_fd(),
            AttachType::PERF_EVENT,
            &opts,
        )
    }
}

// ------------------------------------------------------- kprobe/uprobe multi

/// Entry probe, return probe or session (entry + return, one program).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProbeMode {
    #[default]
    Entry,
    /// `BPF_F_KPROBE_MULTI_RETURN` / `BPF_F_UPROBE_MULTI_RETURN`.
    Return,
    /// `BPF_TRACE_KPROBE_SESSION` / `BPF_TRACE_UPROBE_SESSION`.
    Session,
}

/// What a kprobe_multi link attaches to: kernel symbols or addresses.
#[derive(Debug, Clone, Copy)]
pub enum KprobeTargets<'a> {
    Symbols(&'a [&'a CStr]),
    Addrs(&'a [u64]),
}

impl Link {
    /// A kprobe_multi link (kernel symbols or addresses).
    pub fn kprobe_multi<'a>(
        prog: BorrowedFd<'a>,
        targets: KprobeTargets<'a>,
    ) -> KprobeMultiLink<'a> {
        KprobeMultiLink {
            prog,
            targets,
            cookies: &[],
            mode: ProbeMode::Entry,
        }
    }
}

/// A kprobe_multi link: [`Link::kprobe_multi`].
#[derive(Debug, Clone)]
pub struct KprobeMultiLink<'a> {
    prog: BorrowedFd<'a>,
    targets: KprobeTargets<'a>,
    cookies: &'a [u64],
    mode: ProbeMode,
}

impl<'a> KprobeMultiLink<'a> {
    /// One cookie per target (same length).
    pub fn cookies(mut self, cookies: &'a [u64]) -> Self {
        self.cookies = cookies;
        self
    }

    /// Return probes (`BPF_F_KPROBE_MULTI_RETURN`).
    pub fn retprobe(mut self) -> Self {
        self.mode = ProbeMode::Return;
        self
    }

    /// Session probes (`BPF_TRACE_KPROBE_SESSION`).
    pub fn session(mut self) -> Self {
        self.mode = ProbeMode::Session;
        self
    }

    pub(crate) fn create_in(&self, k: &dyn Kernel) -> Result<i32> {
        const OP: Op = Op::Create("kprobe_multi");
        let syms: Vec<usize>;
        let addrs: Vec<c_ulong>;
        let (cnt, syms_addr, addrs_addr) = match self.targets {
            KprobeTargets::Symbols(s) => {
                syms = s.iter().map(|c| c.as_ptr() as usize).collect();
                (s.len(), addr_of(&syms), 0)
            }
            KprobeTargets::Addrs(a) => {
                addrs = a.iter().map(|&x| x as c_ulong).collect();
                (a.len(), 0, addr_of(&addrs))
            }
        };
        if cnt == 0 {
            return Err(Error::invalid(OP, "no symbols or addresses to attach to"));
        }
        if !self.cookies.is_empty() && self.cookies.len() != cnt {
            return Err(Error::invalid(OP, "cookies must have one entry per target"));
        }
        let cnt = u32::try_from(cnt).map_err(|_| Error::invalid(OP, "too many targets"))?;
        let (attach, f) = match self.mode {
            ProbeMode::Entry => (AttachType::TRACE_KPROBE_MULTI, 0),
            ProbeMode::Return => (
                AttachType::TRACE_KPROBE_MULTI,
                flags::BPF_F_KPROBE_MULTI_RETURN,
            ),
            ProbeMode::Session => (AttachType::TRACE_KPROBE_SESSION, 0),
        };
        let mut opts = OptsBytes::link_create();
        opts.set_u32(o::KMULTI_FLAGS, f)
            .set_u32(o::KMULTI_CNT, cnt)
            .set_usize(o::KMULTI_SYMS, syms_addr)
            .set_usize(o::KMULTI_ADDRS, addrs_addr)
            .set_usize(o::KMULTI_COOKIES, addr_of(self.cookies));
        create_link(k, "kprobe_multi", self.prog.as_raw_fd(), 0, attach, &opts)
    }
}

impl Link {
    /// A uprobe_multi link on `path` at the given file offsets.
    ///
    /// ```no_run
    /// use std::os::fd::AsFd;
    /// use bpflink::Link;
    /// # fn prog() -> std::os::fd::OwnedFd { unimplemented!() }
    /// let p = prog(); // a kprobe program loaded for BPF_TRACE_UPROBE_MULTI
    /// let offsets = [0x1130, 0x1190];
    /// let link = Link::uprobe_multi(p.as_fd(), "/usr/bin/bash", &offsets)
    ///     .cookies(&[1, 2])
    ///     .pid(std::process::id())
    ///     .retprobe()
    ///     .create()?;
    /// # Ok::<(), bpflink::Error>(())
    /// ```
    pub fn uprobe_multi<'a>(
        prog: BorrowedFd<'a>,
        path: impl AsRef<Path>,
        offsets: &'a [u64],
    ) -> UprobeMultiLink<'a> {
        UprobeMultiLink {
            prog,
            path: path.as_ref().as_os_str().as_bytes().to_vec(),
            offsets,
            ref_ctr_offsets: &[],
            cookies: &[],
            pid: 0,
            mode: ProbeMode::Entry,
        }
    }
}

/// A uprobe_multi link: [`Link::uprobe_multi`].
#[derive(Debug, Clone)]
pub struct UprobeMultiLink<'a> {
    prog: BorrowedFd<'a>,
    path: Vec<u8>,
    offsets: &'a [u64],
    ref_ctr_offsets: &'a [u64],
    cookies: &'a [u64],
    pid: u32,
    mode: ProbeMode,
}

impl<'a> UprobeMultiLink<'a> {
    /// One cookie per offset.
    pub fn cookies(mut self, cookies: &'a [u64]) -> Self {
        self.cookies = cookies;
        self
    }

    /// One USDT semaphore (reference counter) offset per offset.
    pub fn ref_ctr_offsets(mut self, ref_ctr_offsets: &'a [u64]) -> Self {
        self.ref_ctr_offsets = ref_ctr_offsets;
        self
    }

    /// Only fire in process `pid` (0: every process).
    pub fn pid(mut self, pid: u32) -> Self {
        self.pid = pid;
        self
    }

    /// Return probes (`BPF_F_UPROBE_MULTI_RETURN`).
    pub fn retprobe(mut self) -> Self {
        self.mode = ProbeMode::Return;
        self
    }

    /// Session probes (`BPF_TRACE_UPROBE_SESSION`).
    pub fn session(mut self) -> Self {
        self.mode = ProbeMode::Session;
        self
    }

    pub(crate) fn create_in(&self, k: &dyn Kernel) -> Result<i32> {
        const OP: Op = Op::Create("uprobe_multi");
        let path = CString::new(self.path.clone())
            .map_err(|_| Error::invalid(OP, "the path contains a NUL byte"))?;
        let n = self.offsets.len();
        if n == 0 {
            return Err(Error::invalid(OP, "no offsets to attach to"));
        }
        if !self.cookies.is_empty() && self.cookies.len() != n {
            return Err(Error::invalid(OP, "cookies must have one entry per offset"));
        }
        if !self.ref_ctr_offsets.is_empty() && self.ref_ctr_offsets.len() != n {
            return Err(Error::invalid(
                OP,
                "ref_ctr_offsets must have one entry per offset",
            ));
        }
        let cnt = u32::try_from(n).map_err(|_| Error::invalid(OP, "too many offsets"))?;
        // `unsigned long` arrays in C.
        let offsets: Vec<c_ulong> = self.offsets.iter().map(|&x| x as c_ulong).collect();
        let ref_ctr: Vec<c_ulong> = self.ref_ctr_offsets.iter().map(|&x| x as c_ulong).collect();
        let (attach, f) = match self.mode {
            ProbeMode::Entry => (AttachType::TRACE_UPROBE_MULTI, 0),
            ProbeMode::Return => (
                AttachType::TRACE_UPROBE_MULTI,
                flags::BPF_F_UPROBE_MULTI_RETURN,
            ),
            ProbeMode::Session => (AttachType::TRACE_UPROBE_SESSION, 0),
        };
        let mut opts = OptsBytes::link_create();
        opts.set_u32(o::UMULTI_FLAGS, f)
            .set_u32(o::UMULTI_CNT, cnt)
            .set_usize(o::UMULTI_PATH, path.as_ptr() as usize)
            .set_usize(o::UMULTI_OFFSETS, addr_of(&offsets))
            .set_usize(o::UMULTI_REF_CTR_OFFSETS, addr_of(&ref_ctr))
            .set_usize(o::UMULTI_COOKIES, addr_of(self.cookies))
            .set_u32(o::UMULTI_PID, self.pid);
        // `path`, `offsets` and `ref_ctr` live until the call returns.
        create_link(k, "uprobe_multi", self.prog.as_raw_fd(), 0, attach, &opts)
    }
}

// ------------------------------------------------------------------ iter

/// What an iterator link walks (`union bpf_iter_link_info`).
#[derive(Debug, Clone, Copy, Default)]
pub enum IterTarget<'a> {
    /// No `iter_info`: every object of the iterator's kind.
    #[default]
    All,
    /// `map.map_fd`: the elements of one map (`bpf_map_elem`, …).
    Map(BorrowedFd<'a>),
    /// `task.tid`: one thread.
    Task(u32),
    /// `task.pid`: the threads of one process.
    Process(u32),
    /// `task.pid_fd`: the threads of the process behind a pidfd.
    PidFd(BorrowedFd<'a>),
    /// `cgroup.cgroup_fd` + `order`.
    CgroupFd(BorrowedFd<'a>, CgroupIterOrder),
    /// `cgroup.cgroup_id` + `order`.
    CgroupId(u64, CgroupIterOrder),
}

/// `sizeof(union bpf_iter_link_info)`.
const ITER_INFO_SIZE: usize = 16;

impl IterTarget<'_> {
    pub(crate) fn info(&self) -> Option<[u8; ITER_INFO_SIZE]> {
        let mut b = [0u8; ITER_INFO_SIZE];
        let mut put = |off: usize, v: &[u8]| {
            if let Some(d) = b.get_mut(off..off + v.len()) {
                d.copy_from_slice(v);
            }
        };
        match *self {
            IterTarget::All => return None,
            IterTarget::Map(fd) => put(0, &fd.as_raw_fd().to_ne_bytes()),
            IterTarget::Task(tid) => put(0, &tid.to_ne_bytes()),
            IterTarget::Process(pid) => put(4, &pid.to_ne_bytes()),
            IterTarget::PidFd(fd) => put(8, &fd.as_raw_fd().to_ne_bytes()),
            IterTarget::CgroupFd(fd, order) => {
                put(0, &order.value().to_ne_bytes());
                put(4, &fd.as_raw_fd().to_ne_bytes());
            }
            IterTarget::CgroupId(id, order) => {
                put(0, &order.value().to_ne_bytes());
                put(8, &id.to_ne_bytes());
            }
        }
        Some(b)
    }
}

impl Link {
    /// An iterator link (`BPF_TRACE_ITER`); read it with [`Link::open_iter`].
    ///
    /// ```no_run
    /// use std::io::Read;
    /// use std::os::fd::AsFd;
    /// use bpflink::Link;
    /// # fn prog() -> std::os::fd::OwnedFd { unimplemented!() }
    /// let p = prog(); // a task iterator program
    /// let link = Link::iter(p.as_fd()).process(std::process::id()).create()?;
    /// let mut out = String::new();
    /// link.open_iter()?.read_to_string(&mut out)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn iter(prog: BorrowedFd<'_>) -> IterLink<'_> {
        IterLink {
            prog,
            target: IterTarget::All,
        }
    }
}

/// An iterator link: [`Link::iter`]. Read it with [`Link::open_iter`].
#[derive(Debug, Clone)]
pub struct IterLink<'a> {
    prog: BorrowedFd<'a>,
    target: IterTarget<'a>,
}

impl<'a> IterLink<'a> {
    /// What to walk (default: everything).
    pub fn target(mut self, target: IterTarget<'a>) -> Self {
        self.target = target;
        self
    }

    /// Only thread `tid` (task iterators).
    pub fn task(self, tid: u32) -> Self {
        self.target(IterTarget::Task(tid))
    }

    /// Only the threads of process `pid` (task iterators).
    pub fn process(self, pid: u32) -> Self {
        self.target(IterTarget::Process(pid))
    }

    /// Only the elements of one map (map element iterators).
    pub fn map(self, map: BorrowedFd<'a>) -> Self {
        self.target(IterTarget::Map(map))
    }

    /// Walk cgroups from `cgroup` in `order` (cgroup iterators).
    pub fn cgroup(self, cgroup: BorrowedFd<'a>, order: CgroupIterOrder) -> Self {
        self.target(IterTarget::CgroupFd(cgroup, order))
    }

    pub(crate) fn create_in(&self, k: &dyn Kernel) -> Result<i32> {
        let info = self.target.info();
        let mut opts = OptsBytes::link_create();
        if let Some(info) = &info {
            opts.set_usize(o::ITER_INFO, info.as_ptr() as usize)
                .set_u32(o::ITER_INFO_LEN, ITER_INFO_SIZE as u32);
        }
        // `info` lives until the call returns.
        create_link(
            k,
            "iter",
            self.prog.as_raw_fd(),
            0,
            AttachType::TRACE_ITER,
            &opts,
        )
    }
}

// --------------------------------------------------------------- tracing

impl Link {
    /// A BTF tracing link (tp_btf, fentry, fexit, fmod_ret, fsession, lsm).
    pub fn tracing(prog: BorrowedFd<'_>, attach: TracingAttach) -> TracingLink<'_> {
        TracingLink {
            prog,
            attach,
            cookie: 0,
        }
    }
}

/// A BTF tracing link (tp_btf, fentry, fexit, fmod_ret, fsession, lsm):
/// [`Link::tracing`]. The program's attach target was fixed at load time
/// (`attach_btf_id`). Like libbpf, a kernel that answers `EINVAL` for
/// tp_btf/fentry/fexit/fmod_ret/lsm without a cookie is retried with
/// `BPF_RAW_TRACEPOINT_OPEN`.
#[derive(Debug, Clone)]
pub struct TracingLink<'a> {
    prog: BorrowedFd<'a>,
    attach: TracingAttach,
    cookie: u64,
}

impl<'a> TracingLink<'a> {
    /// The BPF cookie.
    pub fn cookie(mut self, cookie: u64) -> Self {
        self.cookie = cookie;
        self
    }

    pub(crate) fn create_in(&self, k: &dyn Kernel) -> Result<i32> {
        let mut opts = OptsBytes::link_create();
        opts.set_u64(o::TRACING_COOKIE, self.cookie);
        create_link(
            k,
            "tracing",
            self.prog.as_raw_fd(),
            0,
            self.attach.attach_type(),
            &opts,
        )
    }
}

impl Link {
    /// A freplace link: the EXT program `prog` replaces the function
    /// `target_btf_id` of `target_prog`.
    pub fn freplace<'a>(
        prog: BorrowedFd<'a>,
        target_prog: BorrowedFd<'a>,
        target_btf_id: NonZeroU32,
    ) -> FreplaceLink<'a> {
        FreplaceLink {
            prog,
            target_prog,
            target_btf_id,
        }
    }
}

/// A freplace (`BPF_PROG_TYPE_EXT`) link: [`Link::freplace`].
#[derive(Debug, Clone)]
pub struct FreplaceLink<'a> {
    prog: BorrowedFd<'a>,
    target_prog: BorrowedFd<'a>,
    target_btf_id: NonZeroU32,
}

impl<'a> FreplaceLink<'a> {
    pub(crate) fn create_in(&self, k: &dyn Kernel) -> Result<i32> {
        let mut opts = OptsBytes::link_create();
        opts.set_u32(o::TARGET_BTF_ID, self.target_btf_id.get());
        // libbpf passes the EXT program's expected_attach_type (normally
        // 0); the kernel does not look at it for EXT programs.
        create_link(
            k,
            "freplace",
            self.prog.as_raw_fd(),
            self.target_prog.as_raw_fd(),
            AttachType(0),
            &opts,
        )
    }
}

// ----------------------------------------------- netns, sockmap, struct_ops

impl Link {
    /// A network-namespace link; `netns` is e.g. `/proc/self/ns/net` opened.
    pub fn netns<'a>(
        prog: BorrowedFd<'a>,
        netns: BorrowedFd<'a>,
        attach: NetnsAttach,
    ) -> NetnsLink<'a> {
        NetnsLink {
            prog,
            netns,
            attach,
        }
    }
}

/// A network-namespace link (sk_lookup, flow_dissector): [`Link::netns`].
#[derive(Debug, Clone)]
pub struct NetnsLink<'a> {
    prog: BorrowedFd<'a>,
    netns: BorrowedFd<'a>,
    attach: NetnsAttach,
}

impl<'a> NetnsLink<'a> {
    pub(crate) fn create_in(&self, k: &dyn Kernel) -> Result<i32> {
        create_link(
            k,
            "netns",
            self.prog.as_raw_fd(),
            self.netns.as_raw_fd(),
            self.attach.attach_type(),
            &OptsBytes::link_create(),
        )
    }
}

impl Link {
    /// A sockmap/sockhash link.
    pub fn sockmap<'a>(
        prog: BorrowedFd<'a>,
        map: BorrowedFd<'a>,
        attach: SockmapAttach,
    ) -> SockmapLink<'a> {
        SockmapLink { prog, map, attach }
    }
}

/// A sockmap/sockhash link: [`Link::sockmap`].
#[derive(Debug, Clone)]
pub struct SockmapLink<'a> {
    prog: BorrowedFd<'a>,
    map: BorrowedFd<'a>,
    attach: SockmapAttach,
}

impl<'a> SockmapLink<'a> {
    pub(crate) fn create_in(&self, k: &dyn Kernel) -> Result<i32> {
        create_link(
            k,
            "sockmap",
            self.prog.as_raw_fd(),
            self.map.as_raw_fd(),
            self.attach.attach_type(),
            &OptsBytes::link_create(),
        )
    }
}

impl Link {
    /// A struct_ops link for a struct_ops map created with `BPF_F_LINK`.
    pub fn struct_ops(map: BorrowedFd<'_>) -> StructOpsLink<'_> {
        StructOpsLink { map }
    }
}

/// A struct_ops link: [`Link::struct_ops`].
#[derive(Debug, Clone)]
pub struct StructOpsLink<'a> {
    map: BorrowedFd<'a>,
}

impl<'a> StructOpsLink<'a> {
    pub(crate) fn create_in(&self, k: &dyn Kernel) -> Result<i32> {
        // For struct_ops, prog_fd carries the struct_ops map.
        create_link(
            k,
            "struct_ops",
            self.map.as_raw_fd(),
            0,
            AttachType::STRUCT_OPS,
            &OptsBytes::link_create(),
        )
    }
}

// -------------------------------------------------------- raw tracepoint

impl Link {
    /// A raw tracepoint link by tracepoint name (`BPF_RAW_TRACEPOINT_OPEN`).
    pub fn raw_tracepoint<'a>(prog: BorrowedFd<'a>, name: &str) -> RawTracepointLink<'a> {
        RawTracepointLink {
            prog,
            name: name.to_owned(),
            cookie: 0,
        }
    }
}

/// A raw tracepoint link by name (`BPF_RAW_TRACEPOINT_OPEN`):
/// [`Link::raw_tracepoint`].
#[derive(Debug, Clone)]
pub struct RawTracepointLink<'a> {
    prog: BorrowedFd<'a>,
    name: String,
    cookie: u64,
}

impl<'a> RawTracepointLink<'a> {
    /// The BPF cookie (kernel 6.10+).
    pub fn cookie(mut self, cookie: u64) -> Self {
        self.cookie = cookie;
        self
    }

    pub(crate) fn create_in(&self, k: &dyn Kernel) -> Result<i32> {
        const OP: Op = Op::RawTracepointOpen;
        let name = CString::new(self.name.as_bytes())
            .map_err(|_| Error::invalid(OP, "the tracepoint name contains a NUL byte"))?;
        let mut opts = OptsBytes::raw_tp();
        opts.set_usize(rto::TP_NAME, name.as_ptr() as usize)
            .set_u64(rto::COOKIE, self.cookie);
        let image = opts.image();
        // `name` lives until the call returns.
        // SAFETY: the only address is `name`, a C string alive for the call.
        unsafe {
            raw_tp::raw_tracepoint_open_opts(k, self.prog.as_raw_fd(), Some(&image), &mut Silent)
        }
        .map_err(|e| Error::from_errno(OP, e))
    }
}

// ------------------------------------------------------------- conveniences

/// Links by interface name and by cgroup path: the names resolved here,
/// then the builders above.
impl Link {
    /// An XDP link on the interface named `ifname`.
    pub fn xdp_by_name<'a>(prog: BorrowedFd<'a>, ifname: &str) -> Result<XdpLink<'a>> {
        Ok(Link::xdp(prog, crate::ifindex(ifname)?))
    }

    /// A tcx link on the interface named `ifname`.
    pub fn tcx_by_name<'a>(
        prog: BorrowedFd<'a>,
        ifname: &str,
        direction: TcxDirection,
    ) -> Result<TcxLink<'a>> {
        Ok(Link::tcx(prog, crate::ifindex(ifname)?, direction))
    }

    /// A cgroup link on the cgroup v2 directory at `path`, created at once
    /// with default placement (open the directory and use
    /// [`Link::cgroup`] for ordering options).
    pub fn cgroup_by_path(
        prog: BorrowedFd<'_>,
        path: impl AsRef<Path>,
        attach: CgroupAttach,
    ) -> Result<Link> {
        let dir = std::fs::File::open(path.as_ref()).map_err(|e| {
            Error::new(
                Op::Create("cgroup"),
                e.raw_os_error().unwrap_or(libc::EINVAL),
            )
            .with_detail(format!(
                "cannot open cgroup directory {}",
                path.as_ref().display()
            ))
        })?;
        Link::cgroup(prog, std::os::fd::AsFd::as_fd(&dir), attach).create()
    }
}
