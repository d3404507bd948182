//! The error type of the Rust API: the errno, the operation, and a human
//! explanation of what that errno usually means for that operation.

use std::borrow::Cow;
use std::fmt;

use bpflink_core::errno::{Errno, errno_name};

/// What the API was doing when the kernel (or an argument check) said no.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Op {
    /// `BPF_LINK_CREATE` for a link of the named kind (`"xdp"`, `"tcx"`, …).
    Create(&'static str),
    /// `BPF_RAW_TRACEPOINT_OPEN`.
    RawTracepointOpen,
    /// `BPF_LINK_UPDATE`.
    Update,
    /// `BPF_LINK_DETACH`.
    Detach,
    /// `BPF_OBJ_PIN`.
    Pin,
    /// `BPF_OBJ_GET` of a pinned link.
    OpenPinned,
    /// `BPF_LINK_GET_FD_BY_ID`.
    OpenById,
    /// `BPF_LINK_GET_NEXT_ID`.
    NextId,
    /// `BPF_OBJ_GET_INFO_BY_FD` on a link.
    Info,
    /// `BPF_ITER_CREATE`.
    IterCreate,
    /// `BPF_PROG_GET_FD_BY_ID`.
    ProgOpenById,
    /// `BPF_OBJ_GET_INFO_BY_FD` on a program.
    ProgInfo,
    /// `if_nametoindex` / `if_indextoname`.
    Interface,
    /// Attach by name (`"uprobe"`, `"tracepoint"`, `"kprobe"`, …): symbol
    /// lookup, perf event, link.
    Attach(&'static str),
}

impl Op {
    /// A short description for messages ("create xdp link", "pin link", …).
    pub fn describe(self) -> Cow<'static, str> {
        match self {
            Op::Create(kind) => Cow::Owned(format!("create {kind} link")),
            Op::RawTracepointOpen => "open raw tracepoint link".into(),
            Op::Update => "update link".into(),
            Op::Detach => "detach link".into(),
            Op::Pin => "pin link".into(),
            Op::OpenPinned => "open pinned link".into(),
            Op::OpenById => "open link by id".into(),
            Op::NextId => "list links".into(),
            Op::Info => "read link info".into(),
            Op::IterCreate => "create iterator".into(),
            Op::ProgOpenById => "open program by id".into(),
            Op::ProgInfo => "read program info".into(),
            Op::Interface => "look up network interface".into(),
            Op::Attach(kind) => Cow::Owned(format!("attach {kind}")),
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// A failed operation: the errno, the operation and a human explanation.
///
/// ```
/// use bpflink::{Error, Op};
/// let e = Error::new(Op::Detach, libc::EOPNOTSUPP);
/// assert_eq!(e.errno(), libc::EOPNOTSUPP);
/// assert_eq!(e.explanation(), "this link type cannot be detached");
/// assert!(e.to_string().starts_with("detach link: "));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    op: Op,
    errno: i32,
    detail: Option<Cow<'static, str>>,
    /// The link the failure is about, when the caller did not name it
    /// (one link of [`crate::Link::iter_all`]).
    link_id: Option<u32>,
}

/// The API's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error with the standard explanation for `(op, errno)`.
    pub fn new(op: Op, errno: i32) -> Error {
        Error {
            op,
            errno,
            detail: None,
            link_id: None,
        }
    }

    /// Says which link the failure is about (shown as `link N: ` in front
    /// of the message).
    pub(crate) fn with_link_id(mut self, id: u32) -> Error {
        self.link_id = Some(id);
        self
    }

    /// Replaces the standard explanation.
    pub fn with_detail(mut self, detail: impl Into<Cow<'static, str>>) -> Error {
        self.detail = Some(detail.into());
        self
    }

    pub(crate) fn from_errno(op: Op, e: Errno) -> Error {
        Error::new(op, e.0)
    }

    /// An argument the kernel would reject, caught before any syscall.
    pub(crate) fn invalid(op: Op, why: &'static str) -> Error {
        Error::new(op, libc::EINVAL).with_detail(why)
    }

    /// The positive errno value.
    pub fn errno(&self) -> i32 {
        self.errno
    }

    /// The operation that failed.
    pub fn op(&self) -> Op {
        self.op
    }

    /// The id of the link the failure is about, when the caller did not
    /// choose it: set on the errors [`crate::Link::iter_all`] yields for
    /// one link it could not open.
    pub fn link_id(&self) -> Option<u32> {
        self.link_id
    }

    /// The errno's symbolic name (`"EPERM"`), if known.
    pub fn errno_name(&self) -> Option<&'static str> {
        errno_name(self.errno)
    }

    /// What this errno usually means for this operation (empty if there is
    /// nothing to add to the errno's own text).
    pub fn explanation(&self) -> Cow<'static, str> {
        match &self.detail {
            Some(d) => d.clone(),
            None => Cow::Borrowed(explain(self.op, self.errno)),
        }
    }

    /// `ENOENT`: the object (id, path, tracepoint) does not exist.
    pub fn is_not_found(&self) -> bool {
        self.errno == libc::ENOENT
    }

    /// `EPERM` / `EACCES`.
    pub fn is_permission_denied(&self) -> bool {
        self.errno == libc::EPERM || self.errno == libc::EACCES
    }

    /// `EOPNOTSUPP`: the link type (or kernel) does not support the
    /// operation.
    pub fn is_unsupported(&self) -> bool {
        self.errno == libc::EOPNOTSUPP
    }
}

/// The standard explanations, by operation and errno.
fn explain(op: Op, errno: i32) -> &'static str {
    use Op::*;
    match (errno, op) {
        (libc::EPERM, Update) => {
            "the link's current program is not the one given to replace \
             (or: need root / CAP_BPF)"
        }
        (libc::EPERM, Pin) => {
            "the path is not on a bpffs mount (mount -t bpf bpf /sys/fs/bpf), \
             or need root / CAP_BPF"
        }
        (libc::EPERM, _) => {
            "need root / CAP_BPF (plus CAP_NET_ADMIN for network hooks, \
             CAP_PERFMON for tracing)"
        }
        (libc::EACCES, OpenPinned) => {
            "not a pinned BPF object (a path outside bpffs, or a directory), \
             or its file permissions deny access"
        }
        (libc::EACCES, _) => "access denied: need root / CAP_BPF, or a security module refused",
        (libc::ENOENT, Pin) => "the directory does not exist (is bpffs mounted there?)",
        (libc::ENOENT, OpenPinned) => "nothing is pinned at this path (or bpffs is not mounted)",
        (libc::ENOENT, OpenById | ProgOpenById) => {
            "no object with this id (it may have just been released)"
        }
        (libc::ENOENT, NextId) => "no more links",
        (libc::EAGAIN, OpenById) => {
            "the link is still being created: its id is reserved but its \
             creator does not have it yet (try again)"
        }
        (libc::ENOENT, RawTracepointOpen) => "no such tracepoint",
        (libc::ENOENT, Create(_)) => {
            "the attach target, or the link or program to place it next to, \
             is not there"
        }
        (libc::EOPNOTSUPP, Detach) => "this link type cannot be detached",
        (libc::EOPNOTSUPP, Update) => "this link type cannot be updated",
        (libc::EOPNOTSUPP, Create(_)) => {
            "this attach kind is not supported by the kernel, device or driver"
        }
        (libc::EINVAL, Update) => {
            "the kernel rejected the update: this link type may not support \
             update, or the new program's type or attach type does not fit"
        }
        (libc::EINVAL, Create(_) | RawTracepointOpen) => {
            "the kernel rejected the arguments: wrong program type or expected \
             attach type, bad target, or a flag this kernel does not know"
        }
        (libc::EINVAL, IterCreate) => "not an iterator link",
        (libc::EINVAL, OpenPinned) => "the pinned object is not a link",
        (libc::ENOLINK, Update) => "the link is already detached",
        (libc::EEXIST, Pin) => "the path already exists",
        (libc::EEXIST, Create(_)) => "the program is already attached to this hook",
        (libc::EBUSY, Create(_)) => {
            "the hook is in use (another XDP program on the device, the same \
             netfilter priority, …)"
        }
        (libc::E2BIG, Create(_)) => {
            "the hook takes only one link (flow_dissector: one per network namespace)"
        }
        (libc::ESTALE, _) => "expected_revision does not match the hook's current revision",
        (libc::EBADF, _) => "a file descriptor is invalid or of the wrong kind",
        (libc::ERANGE, Create(_)) => "priority out of range",
        (libc::EAFNOSUPPORT, Create(_)) => "protocol family not supported",
        (libc::EPROTO, Create(_)) => "invalid hook number",
        (libc::ENODEV | libc::ENXIO, Create(_) | Interface) => "no such network interface",
        (libc::ENOTDIR, Pin | OpenPinned) => "a component of the path is not a directory",
        (libc::ENOMEM, _) => "out of memory (or the memlock limit)",
        (libc::ENOSYS, _) => "this kernel has no bpf() system call",
        (libc::EMFILE | libc::ENFILE, _) => "too many open files",
        _ => "",
    }
}

impl fmt::Display for Error {
    /// `<op>: <strerror> (<ERRNAME>)[: <explanation>]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = std::io::Error::from_raw_os_error(self.errno);
        // std appends " (os error N)"; keep only the C library's text.
        let text = text.to_string();
        let text = text.split(" (os error").next().unwrap_or(&text);
        if let Some(id) = self.link_id {
            write!(f, "link {id}: ")?;
        }
        write!(f, "{}: {text}", self.op)?;
        match self.errno_name() {
            Some(n) => write!(f, " ({n})")?,
            None => write!(f, " (errno {})", self.errno)?,
        }
        let why = self.explanation();
        if !why.is_empty() {
            write!(f, ": {why}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("op", &self.op)
            .field("errno", &Errno(self.errno))
            .field("link_id", &self.link_id)
            .field("explanation", &self.explanation())
            .finish()
    }
}

impl std::error::Error for Error {}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> std::io::Error {
        std::io::Error::new(
            std::io::Error::from_raw_os_error(e.errno).kind(),
            e.to_string(),
        )
    }
}
