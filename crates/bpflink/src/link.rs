//! The owned [`Link`], its operations, [`LinkIter`] and [`Prog`].

use std::ffi::CString;
use std::fs::File;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::Duration;

use super::error::{Error, Op, Result};
use super::info::{Info, link_info};
use super::resolve::{fd_kind, open_pinned_hint, pin_hint};
use super::types::ProgType;
use bpflink_core::abi::link_update as uo;
use bpflink_core::calls;
use bpflink_core::errno::Errno;
use bpflink_core::info as ci;
use bpflink_core::kernel::Kernel;
use bpflink_core::opts::Silent;
use bpflink_core::sys::SYS;
use bpflink_core::uapi::flags;

use super::opts::OptsBytes;
use super::perf_owned::PerfOwned;

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

    /// Opens the link with id `id` (`BPF_LINK_GET_FD_BY_ID`). A link still
    /// being created by another process is waited for (about 100 ms)
    /// before `EAGAIN` is returned.
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
        pin_in(&SYS, self.raw(), path).map_err(|e| match pin_hint(path, e.errno()) {
            Some(hint) => e.with_detail(hint),
            None => e,
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
            opts.set_u32(uo::FLAGS, flags::BPF_F_REPLACE)
                .set_i32(uo::OLD_PROG_FD, fd);
        }
        Some(Old::Map(fd)) => {
            opts.set_u32(uo::FLAGS, flags::BPF_F_REPLACE)
                .set_i32(uo::OLD_MAP_FD, fd);
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
        match open_pinned_hint(path, e.0) {
            Some(hint) => err.with_detail(hint),
            None => err,
        }
    })
}

/// The first pause before asking again for a link that is still being
/// created; each later pause doubles it. `BPF_LINK_GET_FD_BY_ID` answers
/// `EAGAIN` for a link whose id is already reserved while its creator's
/// attach is still running (docs/tool.md, "Links being created"). With
/// [`SETTLE_PAUSES`] pauses that is about 100 ms in all.
const SETTLE_FIRST_PAUSE: Duration = Duration::from_micros(50);
const SETTLE_PAUSES: u32 = 11;

/// `BPF_LINK_GET_FD_BY_ID`, asking again (bounded) while the link is still
/// being created.
pub(crate) fn from_id_in(k: &dyn Kernel, id: u32) -> Result<i32> {
    let mut pause = SETTLE_FIRST_PAUSE;
    for _ in 0..SETTLE_PAUSES {
        match calls::link_get_fd_by_id(k, id, None, &mut Silent) {
            Err(Errno(libc::EAGAIN)) => {
                std::thread::sleep(pause);
                pause = pause.saturating_mul(2);
            }
            r => return r.map_err(|e| Error::from_errno(Op::OpenById, e)),
        }
    }
    calls::link_get_fd_by_id(k, id, None, &mut Silent)
        .map_err(|e| Error::from_errno(Op::OpenById, e))
}

pub(crate) fn iter_create_in(k: &dyn Kernel, link: i32) -> Result<i32> {
    calls::iter_create(k, link, &mut Silent).map_err(|e| Error::from_errno(Op::IterCreate, e))
}

/// Walks link ids with `BPF_LINK_GET_NEXT_ID` and opens each with
/// `BPF_LINK_GET_FD_BY_ID`, skipping links released in between (`ENOENT`)
/// and waiting (bounded) for links still being created (`EAGAIN`). Yields
/// `(id, raw fd)`; the caller owns each fd. An error opening one link
/// carries that link's id.
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
                        Err(e) => return Some(Err(e.with_link_id(id))),
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
/// walking are skipped. A link still being created by another process (its
/// id reserved, the kernel answering `EAGAIN`) is asked for again for about
/// 100 ms; if it is still not ready, an `EAGAIN` error is yielded for it.
/// An error opening one link is yielded with that link's id
/// ([`Error::link_id`]) and the walk goes on; an error walking the ids is
/// yielded once and ends it.
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
