//! The owned [`Link`], its operations, [`LinkIter`] and [`Prog`].

use std::ffi::CString;
use std::fs::File;
use std::num::NonZeroU32;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::attach::{
    CgroupLink, FreplaceLink, IterLink, KprobeMultiLink, KprobeTargets, NetfilterLink, NetkitLink,
    NetnsLink, PerfEventLink, RawTracepointLink, SockmapLink, StructOpsLink, TcxLink, TracingLink,
    UprobeMultiLink, XdpLink,
};
use super::error::{Error, Op, Result};
use super::info::{Info, link_info};
use super::resolve::{bpffs_hint, fd_kind};
use super::types::{
    CgroupAttach, NetkitAttach, NetnsAttach, NfHook, NfProto, ProgType, SockmapAttach,
    TcxDirection, TracingAttach,
};
use bpflink_core::abi::link_update as uo;
use bpflink_core::calls;
use bpflink_core::errno::Errno;
use bpflink_core::info as ci;
use bpflink_core::kernel::Kernel;
use bpflink_core::opts::Silent;
use bpflink_core::sys::SYS;
use bpflink_core::uapi::flags;

use super::opts::OptsBytes;
use super::probe::{KprobeLink, PerfOwned, TracepointLink, UprobeLink, UprobeMultiByName};

/// Takes ownership of an fd the kernel just returned.
fn adopt_fd(fd: i32) -> OwnedFd {
    debug_assert!(fd >= 0);
    // SAFETY: `fd` was just returned by a successful bpf() call (through
    // `sys::SYS`), so it is open, and nothing else owns it.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// A path as the NUL-terminated string the kernel reads.
fn c_path(op: Op, path: &Path) -> Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| Error::invalid(op, "the path contains a NUL byte"))
}

/// An owned BPF link: closing it (drop) releases the link unless it is
/// pinned or another fd refers to it.
///
/// ```no_run
/// use std::os::fd::AsFd;
/// use bpflink::{Link, LinkInfo};
/// # fn prog_fd() -> std::os::fd::OwnedFd { unimplemented!() }
/// let prog = prog_fd(); // an XDP program, loaded elsewhere
/// let link = Link::xdp(prog.as_fd(), 1).create()?;
/// let info = link.info()?;
/// assert!(matches!(info.details, LinkInfo::Xdp { ifindex: 1 }));
/// link.detach()?;
/// # Ok::<(), bpflink::Error>(())
/// ```
#[derive(Debug)]
pub struct Link {
    // Dropped in this order: the link fd, then what a perf-event based link
    // owns (its perf event, a legacy tracefs probe).
    fd: OwnedFd,
    perf: Option<PerfOwned>,
}

impl Link {
    pub(crate) fn adopt(fd: i32) -> Link {
        Link {
            fd: adopt_fd(fd),
            perf: None,
        }
    }

    pub(crate) fn with_perf(fd: OwnedFd, perf: PerfOwned) -> Link {
        Link {
            fd,
            perf: Some(perf),
        }
    }

    // ------------------------------------------------- attach by name

    /// Lets go of the link without detaching it: the fds are closed, but a
    /// perf-event based link's event is not disabled and a legacy tracefs
    /// probe is not removed (libbpf's `bpf_link__disconnect` before
    /// `bpf_link__destroy`). For a link pinned on bpffs, which lives on in
    /// the kernel after the process: dropping it instead would disable the
    /// perf event the pinned link still uses.
    pub fn disconnect(mut self) {
        if let Some(p) = self.perf.as_mut() {
            p.disconnect();
        }
    }

    /// The perf event a perf-event based link owns (uprobe, kprobe,
    /// tracepoint, [`Link::perf_event_owned`]), unless it is the link's own
    /// fd (attached with `PERF_EVENT_IOC_SET_BPF` on kernels without perf
    /// links).
    pub fn perf_event_fd(&self) -> Option<BorrowedFd<'_>> {
        self.perf.as_ref().and_then(PerfOwned::perf_fd)
    }

    /// A uprobe on function `func` of `target`: a path, a name libbpf
    /// searches for (`"libc.so.6"`, `"bash"`), or a bare library name
    /// (`"libc"`; see [`crate::resolve_binary`]). `func` may carry a
    /// version (`"malloc@GLIBC_2.2.5"`).
    ///
    /// ```no_run
    /// use std::os::fd::AsFd;
    /// use bpflink::Link;
    /// # fn kprobe_prog() -> std::os::fd::OwnedFd { unimplemented!() }
    /// let prog = kprobe_prog();
    /// let link = Link::uprobe(prog.as_fd(), "libc", "malloc").pid(1234).create()?;
    /// let ret = Link::uprobe(prog.as_fd(), "libc", "malloc").retprobe().cookie(7).create()?;
    /// # drop((link, ret));
    /// # Ok::<(), bpflink::Error>(())
    /// ```
    pub fn uprobe<'a>(prog: BorrowedFd<'a>, target: &str, func: &str) -> UprobeLink<'a> {
        UprobeLink::new(prog, target, Some(func))
    }

    /// A uprobe at file offset `offset` of `target` (no symbol lookup).
    pub fn uprobe_at<'a>(prog: BorrowedFd<'a>, target: &str, offset: u64) -> UprobeLink<'a> {
        UprobeLink::new(prog, target, None).offset(offset)
    }

    /// A kprobe on kernel function `func`.
    pub fn kprobe<'a>(prog: BorrowedFd<'a>, func: &str) -> KprobeLink<'a> {
        KprobeLink::new(prog, func)
    }

    /// A tracepoint by name (`"syscalls"`, `"sys_enter_openat"`).
    pub fn tracepoint<'a>(prog: BorrowedFd<'a>, category: &str, name: &str) -> TracepointLink<'a> {
        TracepointLink::new(prog, category, name)
    }

    /// One uprobe_multi link on every function of `target` whose name
    /// matches the glob `pattern` (`*`, `?`).
    pub fn uprobe_multi_pattern<'a>(
        prog: BorrowedFd<'a>,
        target: &str,
        pattern: &str,
    ) -> UprobeMultiByName<'a> {
        UprobeMultiByName::pattern(prog, target, pattern)
    }

    /// One uprobe_multi link on the named functions of `target`.
    pub fn uprobe_multi_symbols<'a>(
        prog: BorrowedFd<'a>,
        target: &str,
        names: &[&str],
    ) -> UprobeMultiByName<'a> {
        UprobeMultiByName::symbols(prog, target, names)
    }

    /// Attaches `prog` to a perf event the link then owns (closed, after
    /// being disabled, when the link is dropped).
    pub fn perf_event_owned(prog: BorrowedFd<'_>, perf: OwnedFd, cookie: u64) -> Result<Link> {
        crate::probe::perf_event_owned(prog, perf, cookie)
    }

    /// An XDP link on the interface named `ifname`.
    pub fn xdp_by_name<'a>(prog: BorrowedFd<'a>, ifname: &str) -> Result<XdpLink<'a>> {
        Ok(XdpLink::new(prog, crate::ifindex(ifname)?))
    }

    /// A tcx link on the interface named `ifname`.
    pub fn tcx_by_name<'a>(
        prog: BorrowedFd<'a>,
        ifname: &str,
        direction: TcxDirection,
    ) -> Result<TcxLink<'a>> {
        Ok(TcxLink::new(prog, crate::ifindex(ifname)?, direction))
    }

    /// A cgroup link on the cgroup v2 directory at `path`, created at once
    /// with default placement (open the directory and use
    /// [`Link::cgroup`] for ordering options).
    pub fn cgroup_by_path(
        prog: BorrowedFd<'_>,
        path: impl AsRef<Path>,
        attach: CgroupAttach,
    ) -> Result<Link> {
        let dir = File::open(path.as_ref()).map_err(|e| {
            Error::new(
                Op::Create("cgroup"),
                e.raw_os_error().unwrap_or(libc::EINVAL),
            )
            .with_detail(format!(
                "cannot open cgroup directory {}",
                path.as_ref().display()
            ))
        })?;
        Link::cgroup(prog, dir.as_fd(), attach).create()
    }

    // ------------------------------------------------------- builders

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
        CgroupLink::new(prog, cgroup, attach)
    }

    /// An XDP link on interface `ifindex` (see [`super::ifindex`]).
    pub fn xdp(prog: BorrowedFd<'_>, ifindex: u32) -> XdpLink<'_> {
        XdpLink::new(prog, ifindex)
    }

    /// A tcx link (ingress or egress) on interface `ifindex`.
    pub fn tcx(prog: BorrowedFd<'_>, ifindex: u32, direction: TcxDirection) -> TcxLink<'_> {
        TcxLink::new(prog, ifindex, direction)
    }

    /// A netkit link on the netkit device `ifindex`.
    pub fn netkit(prog: BorrowedFd<'_>, ifindex: u32, attach: NetkitAttach) -> NetkitLink<'_> {
        NetkitLink::new(prog, ifindex, attach)
    }

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
        NetfilterLink::new(prog, pf, hook, priority, defrag)
    }

    /// A link of a program to a perf event (`perf_event_open` fd).
    pub fn perf_event<'a>(prog: BorrowedFd<'a>, perf: BorrowedFd<'a>) -> PerfEventLink<'a> {
        PerfEventLink::new(prog, perf)
    }

    /// A kprobe_multi link (kernel symbols or addresses).
    pub fn kprobe_multi<'a>(
        prog: BorrowedFd<'a>,
        targets: KprobeTargets<'a>,
    ) -> KprobeMultiLink<'a> {
        KprobeMultiLink::new(prog, targets)
    }

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
        UprobeMultiLink::new(prog, path.as_ref(), offsets)
    }

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
        IterLink::new(prog)
    }

    /// A BTF tracing link (tp_btf, fentry, fexit, fmod_ret, fsession, lsm).
    pub fn tracing(prog: BorrowedFd<'_>, attach: TracingAttach) -> TracingLink<'_> {
        TracingLink::new(prog, attach)
    }

    /// A freplace link: the EXT program `prog` replaces the function
    /// `target_btf_id` of `target_prog`.
    pub fn freplace<'a>(
        prog: BorrowedFd<'a>,
        target_prog: BorrowedFd<'a>,
        target_btf_id: NonZeroU32,
    ) -> FreplaceLink<'a> {
        FreplaceLink::new(prog, target_prog, target_btf_id)
    }

    /// A network-namespace link; `netns` is e.g. `/proc/self/ns/net` opened.
    pub fn netns<'a>(
        prog: BorrowedFd<'a>,
        netns: BorrowedFd<'a>,
        attach: NetnsAttach,
    ) -> NetnsLink<'a> {
        NetnsLink::new(prog, netns, attach)
    }

    /// A sockmap/sockhash link.
    pub fn sockmap<'a>(
        prog: BorrowedFd<'a>,
        map: BorrowedFd<'a>,
        attach: SockmapAttach,
    ) -> SockmapLink<'a> {
        SockmapLink::new(prog, map, attach)
    }

    /// A struct_ops link for a struct_ops map created with `BPF_F_LINK`.
    pub fn struct_ops(map: BorrowedFd<'_>) -> StructOpsLink<'_> {
        StructOpsLink::new(map)
    }

    /// A raw tracepoint link by tracepoint name (`BPF_RAW_TRACEPOINT_OPEN`).
    pub fn raw_tracepoint<'a>(prog: BorrowedFd<'a>, name: &str) -> RawTracepointLink<'a> {
        RawTracepointLink::new(prog, name)
    }

    // ------------------------------------------------ existing links

    /// Opens the link pinned at `path` (`BPF_OBJ_GET`); fails with `EINVAL`
    /// if the object there is not a link.
    ///
    /// ```no_run
    /// use bpflink::{Link, LinkInfo};
    /// let link = Link::open_pinned("/sys/fs/bpf/my_xdp")?;
    /// if let LinkInfo::Xdp { ifindex } = link.info()?.details {
    ///     println!("on {:?}", bpflink::ifname(ifindex));
    /// }
    /// link.detach()?; // leaves the pin; the hook is empty
    /// # Ok::<(), bpflink::Error>(())
    /// ```
    pub fn open_pinned(path: impl AsRef<Path>) -> Result<Link> {
        let path = path.as_ref();
        let fd = open_pinned_in(&SYS, path).map(adopt_fd)?;
        match fd_kind(fd.as_fd()) {
            Some(kind) if kind != "bpf-link" => Err(Error::new(Op::OpenPinned, libc::EINVAL)
                .with_detail(format!("{} is a {kind}, not a link", path.display()))),
            _ => Ok(Link { fd, perf: None }),
        }
    }

    /// Opens the link with id `id` (`BPF_LINK_GET_FD_BY_ID`).
    pub fn from_id(id: u32) -> Result<Link> {
        from_id_in(&SYS, id).map(Link::adopt)
    }

    /// Every link on the system, in id order.
    ///
    /// ```no_run
    /// use bpflink::{Link, LinkInfo};
    /// for link in Link::iter_all() {
    ///     let info = link?.info()?;
    ///     if let LinkInfo::Cgroup { cgroup_id, attach_type } = info.details {
    ///         let path = bpflink::cgroup_path(cgroup_id);
    ///         println!("{} {attach_type} {path:?}", info.id);
    ///     }
    /// }
    /// # Ok::<(), bpflink::Error>(())
    /// ```
    pub fn iter_all() -> LinkIter {
        LinkIter {
            raw: RawLinkIter::new(&SYS),
        }
    }

    // ----------------------------------------------------- operations

    /// Replaces the link's program (`BPF_LINK_UPDATE`). With `replace`,
    /// only if the current program is that one (`BPF_F_REPLACE`; `EPERM`
    /// otherwise).
    ///
    /// ```no_run
    /// use std::os::fd::AsFd;
    /// use bpflink::Link;
    /// use bpflink::Prog;
    /// let link = Link::from_id(12)?;
    /// let (old, new) = (Prog::from_id(34)?, Prog::from_id(35)?);
    /// link.update(new.as_fd(), Some(old.as_fd()))?;
    /// # Ok::<(), bpflink::Error>(())
    /// ```
    pub fn update(&self, new_prog: BorrowedFd<'_>, replace: Option<BorrowedFd<'_>>) -> Result<()> {
        update_in(
            &SYS,
            self.raw(),
            new_prog.as_raw_fd(),
            replace.map(|p| Old::Prog(p.as_raw_fd())),
        )
    }

    /// Replaces a struct_ops link's map (`BPF_LINK_UPDATE` with
    /// `new_map_fd`, and `old_map_fd` + `BPF_F_REPLACE` with `replace`).
    pub fn update_map(
        &self,
        new_map: BorrowedFd<'_>,
        replace: Option<BorrowedFd<'_>>,
    ) -> Result<()> {
        update_in(
            &SYS,
            self.raw(),
            new_map.as_raw_fd(),
            replace.map(|m| Old::Map(m.as_raw_fd())),
        )
    }

    /// Detaches the link from its hook; the fd stays valid
    /// (`BPF_LINK_DETACH`). `EOPNOTSUPP` for kinds without detach (iter,
    /// tracing, raw tracepoint, perf_event, uprobe_multi, …).
    pub fn detach(&self) -> Result<()> {
        detach_in(&SYS, self.raw())
    }

    /// Pins the link at `path` on a bpffs mount (`BPF_OBJ_PIN`).
    pub fn pin(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        pin_in(&SYS, self.raw(), path).map_err(|e| match e.errno() {
            libc::EPERM | libc::ENOENT => match bpffs_hint(path) {
                Some(hint) => e.with_detail(hint),
                None => e,
            },
            _ => e,
        })
    }

    /// The kernel's info about the link, decoded.
    pub fn info(&self) -> Result<Info> {
        link_info(&SYS, self.raw())
    }

    /// The link's id.
    pub fn id(&self) -> Result<u32> {
        self.info().map(|i| i.id)
    }

    /// For an iterator link: a new iterator instance, read to the end to
    /// run the program over every object (`BPF_ITER_CREATE`).
    pub fn open_iter(&self) -> Result<File> {
        iter_create_in(&SYS, self.raw())
            .map(adopt_fd)
            .map(File::from)
    }

    /// Gives up ownership of the fd. A perf-event based link's perf event
    /// is released here (a BPF perf link keeps it alive by itself).
    pub fn into_raw_fd(self) -> RawFd {
        self.fd.into_raw_fd()
    }

    fn raw(&self) -> i32 {
        self.fd.as_raw_fd()
    }
}

impl From<OwnedFd> for Link {
    /// Wraps an fd that refers to a link (not checked).
    fn from(fd: OwnedFd) -> Link {
        Link { fd, perf: None }
    }
}

impl From<Link> for OwnedFd {
    fn from(l: Link) -> OwnedFd {
        l.fd
    }
}

impl AsFd for Link {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for Link {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl IntoRawFd for Link {
    fn into_raw_fd(self) -> RawFd {
        self.fd.into_raw_fd()
    }
}

impl FromRawFd for Link {
    /// # Safety
    /// `fd` is an open link fd that nothing else owns.
    unsafe fn from_raw_fd(fd: RawFd) -> Link {
        // SAFETY: forwarded from this function's contract.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Link { fd, perf: None }
    }
}

// ------------------------------------ the operations, over any Kernel

/// What `BPF_F_REPLACE` compares against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Old {
    Prog(i32),
    Map(i32),
}

pub(crate) fn update_in(k: &dyn Kernel, link: i32, new: i32, old: Option<Old>) -> Result<()> {
    let mut opts = OptsBytes::link_update();
    match old {
        None => {}
        Some(Old::Prog(fd)) => {
            opts.u32_at(uo::FLAGS, flags::BPF_F_REPLACE)
                .i32_at(uo::OLD_PROG_FD, fd);
        }
        Some(Old::Map(fd)) => {
            opts.u32_at(uo::FLAGS, flags::BPF_F_REPLACE)
                .i32_at(uo::OLD_MAP_FD, fd);
        }
    }
    let image = opts.image();
    calls::link_update(k, link, new, Some(&image), &mut Silent)
        .map(drop)
        .map_err(|e| Error::from_errno(Op::Update, e))
}

pub(crate) fn detach_in(k: &dyn Kernel, link: i32) -> Result<()> {
    calls::link_detach(k, link)
        .map(drop)
        .map_err(|e| Error::from_errno(Op::Detach, e))
}

pub(crate) fn pin_in(k: &dyn Kernel, link: i32, path: &Path) -> Result<()> {
    let c = c_path(Op::Pin, path)?;
    // SAFETY: the only address is `c`, a C string alive for the call.
    unsafe { calls::obj_pin(k, link, c.as_ptr() as usize as u64, None, &mut Silent) }
        .map(drop)
        .map_err(|e| Error::from_errno(Op::Pin, e))
}

pub(crate) fn open_pinned_in(k: &dyn Kernel, path: &Path) -> Result<i32> {
    let c = c_path(Op::OpenPinned, path)?;
    // SAFETY: the only address is `c`, a C string alive for the call.
    unsafe { calls::obj_get(k, c.as_ptr() as usize as u64, None, &mut Silent) }.map_err(|e| {
        let err = Error::from_errno(Op::OpenPinned, e);
        match e.0 {
            libc::ENOENT | libc::EPERM => match bpffs_hint(path) {
                Some(hint) => err.with_detail(hint),
                None => err,
            },
            _ => err,
        }
    })
}

pub(crate) fn from_id_in(k: &dyn Kernel, id: u32) -> Result<i32> {
    calls::link_get_fd_by_id(k, id, None, &mut Silent)
        .map_err(|e| Error::from_errno(Op::OpenById, e))
}

pub(crate) fn iter_create_in(k: &dyn Kernel, link: i32) -> Result<i32> {
    calls::iter_create(k, link, &mut Silent).map_err(|e| Error::from_errno(Op::IterCreate, e))
}

/// Walks link ids with `BPF_LINK_GET_NEXT_ID` and opens each with
/// `BPF_LINK_GET_FD_BY_ID`, skipping links released in between (`ENOENT`).
/// Yields `(id, raw fd)`; the caller owns each fd.
pub(crate) struct RawLinkIter<'k> {
    k: &'k dyn Kernel,
    cur: u32,
    done: bool,
}

impl<'k> RawLinkIter<'k> {
    pub(crate) fn new(k: &'k dyn Kernel) -> Self {
        RawLinkIter {
            k,
            cur: 0,
            done: false,
        }
    }
}

impl Iterator for RawLinkIter<'_> {
    type Item = Result<(u32, i32)>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match calls::link_get_next_id(self.k, self.cur) {
                Ok((_, Some(id))) if id > self.cur => {
                    self.cur = id;
                    match from_id_in(self.k, id) {
                        Ok(fd) => return Some(Ok((id, fd))),
                        // Released between the two calls.
                        Err(e) if e.errno() == libc::ENOENT => continue,
                        Err(e) => return Some(Err(e)),
                    }
                }
                Err(Errno(libc::ENOENT)) => self.done = true,
                Err(e) => {
                    self.done = true;
                    return Some(Err(Error::from_errno(Op::NextId, e)));
                }
                // A kernel that does not move forward: stop rather than loop.
                Ok(_) => self.done = true,
            }
        }
        None
    }
}

/// Every link on the system ([`Link::iter_all`]). Links released while
/// walking are skipped; an error opening one link is yielded and the walk
/// goes on; an error walking the ids is yielded once and ends it.
pub struct LinkIter {
    raw: RawLinkIter<'static>,
}

impl Iterator for LinkIter {
    type Item = Result<Link>;

    fn next(&mut self) -> Option<Self::Item> {
        self.raw.next().map(|r| r.map(|(_, fd)| Link::adopt(fd)))
    }
}

impl std::fmt::Debug for LinkIter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkIter")
            .field("after_id", &self.raw.cur)
            .field("done", &self.raw.done)
            .finish()
    }
}

// ------------------------------------------------------------- programs

/// An owned BPF program fd, as the API needs one: opened by id to update a
/// link or to read its name.
#[derive(Debug)]
pub struct Prog {
    fd: OwnedFd,
}

/// The start of `struct bpf_prog_info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgInfo {
    pub id: u32,
    pub prog_type: ProgType,
    /// The name given at load time (at most 15 bytes).
    pub name: String,
    pub tag: [u8; 8],
}

impl Prog {
    /// Opens a program pinned at `path` on bpffs (`BPF_OBJ_GET`); an object
    /// of another kind there is `EINVAL`.
    pub fn open_pinned(path: impl AsRef<Path>) -> Result<Prog> {
        let path = path.as_ref();
        let fd = open_pinned_in(&SYS, path).map(adopt_fd)?;
        match fd_kind(fd.as_fd()) {
            Some(kind) if kind != "bpf-prog" => Err(Error::new(Op::OpenPinned, libc::EINVAL)
                .with_detail(format!("{} is a {kind}, not a program", path.display()))),
            _ => Ok(Prog { fd }),
        }
    }

    /// Opens program `id` (`BPF_PROG_GET_FD_BY_ID`).
    pub fn from_id(id: u32) -> Result<Prog> {
        prog_from_id_in(&SYS, id).map(|fd| Prog { fd: adopt_fd(fd) })
    }

    /// The program's id, type and name.
    pub fn info(&self) -> Result<ProgInfo> {
        prog_info(self.fd.as_fd())
    }
}

/// The id, type and name of the program behind `prog`.
pub fn prog_info(prog: BorrowedFd<'_>) -> Result<ProgInfo> {
    prog_info_in(&SYS, prog.as_raw_fd())
}

pub(crate) fn prog_from_id_in(k: &dyn Kernel, id: u32) -> Result<i32> {
    ci::prog_get_fd_by_id(k, id, &mut Silent).map_err(|e| Error::from_errno(Op::ProgOpenById, e))
}

pub(crate) fn prog_info_in(k: &dyn Kernel, fd: i32) -> Result<ProgInfo> {
    let mut buf = [0u8; ci::prog::BUF_SIZE];
    // SAFETY: a zeroed request holds no address.
    unsafe { ci::get_info(k, fd, &mut buf) }.map_err(|e| Error::from_errno(Op::ProgInfo, e))?;
    Ok(decode_prog_info(&buf))
}

pub(crate) fn decode_prog_info(buf: &[u8]) -> ProgInfo {
    let u32_at = |o: usize| {
        let mut a = [0u8; 4];
        if let Some(s) = buf.get(o..o + 4) {
            a.copy_from_slice(s);
        }
        u32::from_ne_bytes(a)
    };
    let name = buf
        .get(ci::prog::NAME..ci::prog::NAME + ci::prog::NAME_LEN)
        .unwrap_or(&[]);
    let end = name.iter().position(|&c| c == 0).unwrap_or(name.len());
    let mut tag = [0u8; 8];
    if let Some(t) = buf.get(ci::prog::TAG..ci::prog::TAG + ci::prog::TAG_LEN) {
        tag.copy_from_slice(t);
    }
    ProgInfo {
        id: u32_at(ci::prog::ID),
        prog_type: ProgType(u32_at(ci::prog::TYPE)),
        name: String::from_utf8_lossy(name.get(..end).unwrap_or(&[])).into_owned(),
        tag,
    }
}

impl AsFd for Prog {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl From<OwnedFd> for Prog {
    fn from(fd: OwnedFd) -> Prog {
        Prog { fd }
    }
}

impl From<Prog> for OwnedFd {
    fn from(p: Prog) -> OwnedFd {
        p.fd
    }
}
