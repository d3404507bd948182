//! What every row module and the runner share: the answers (`Res`), the
//! message capture, the fixture (`Fx`: the kernel objects every row calls
//! with, and the `Guard` page that makes opts sizes reach unmapped
//! memory), and the `Row` a table entry is.

use std::cell::RefCell;
use std::ffi::{CString, c_char, c_int, c_void};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::PathBuf;
use std::ptr::null_mut;

pub use crate::common::oracle::{Lib, bpflink, oracle, root};
pub use crate::common::*;
pub use libbpflink::bpf as bl;

// ------------------------------------------------------------ the libraries

// ------------------------------------------------------- messages, results

unsafe extern "C" {
    fn vsnprintf(buf: *mut c_char, n: usize, format: *const c_char, ap: *mut c_void) -> c_int;
}

thread_local! {
    pub static MESSAGES: RefCell<String> = const { RefCell::new(String::new()) };
}

pub unsafe extern "C" fn capture(_level: c_int, format: *const c_char, ap: *mut c_void) -> c_int {
    let mut buf = [0u8; 8192];
    // SAFETY: the libraries pass a format and its va_list (a pointer on
    // x86-64).
    let n = unsafe { vsnprintf(buf.as_mut_ptr().cast(), buf.len(), format, ap) };
    let n = (n.max(0) as usize).min(buf.len() - 1);
    let text = String::from_utf8_lossy(&buf[..n]).replace('\n', "\\n");
    MESSAGES.with(|m| m.borrow_mut().push_str(&text));
    0
}

/// What a call answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Res {
    /// A new fd (≥ 3, close-on-exec; closed right away).
    Fd,
    /// A non-negative value that is not a new fd.
    Val(c_int),
    /// `-e` returned with errno `e`.
    Err(c_int),
    /// A pointer result: NULL with this errno.
    Null(c_int),
    /// A pointer result: an object (destroyed right away).
    Object,
    /// Killed by this signal.
    Signal(c_int),
    /// Anything inconsistent (e.g. `-e` with another errno).
    Odd(String),
}

impl Res {
    pub fn show(&self) -> String {
        let en = |e: c_int| {
            bpflink_core::errno::errno_name(e).map_or_else(|| e.to_string(), str::to_owned)
        };
        match self {
            Res::Fd => "new fd".into(),
            Res::Val(v) => v.to_string(),
            Res::Err(e) if *e == libc::EBADFD => "-EBADFD".into(),
            Res::Err(e) => format!("-{}", en(*e)),
            Res::Null(e) => format!("NULL, errno {}", en(*e)),
            Res::Object => "a link object".into(),
            Res::Signal(s) if *s == libc::SIGSEGV => "crash (SIGSEGV)".into(),
            Res::Signal(s) => format!("killed by signal {s}"),
            Res::Odd(s) => s.clone(),
        }
    }
}

/// An `int` result of a call that creates an fd on success.
pub fn fd(r: c_int) -> Res {
    let e = errno();
    if r >= 0 {
        let ok = r >= 3 && is_cloexec(r);
        unsafe { libc::close(r) };
        if ok {
            Res::Fd
        } else {
            Res::Odd(format!("fd {r} (< 3 or not close-on-exec)"))
        }
    } else {
        int_err(r, e)
    }
}

/// An `int` result of a call that does not create an fd.
pub fn int(r: c_int) -> Res {
    let e = errno();
    if r >= 0 { Res::Val(r) } else { int_err(r, e) }
}

pub fn int_err(r: c_int, e: c_int) -> Res {
    if r == -e {
        Res::Err(e)
    } else {
        Res::Odd(format!("{r} with errno {e}"))
    }
}

/// A pointer result (a `struct bpf_link *`), destroyed with `lib`.
pub fn obj(lib: &Lib, p: *mut c_void) -> Res {
    let e = errno();
    if p.is_null() {
        Res::Null(e)
    } else {
        unsafe { (lib.link_destroy)(p) };
        Res::Object
    }
}

// ----------------------------------------------------------------- fixture

/// Two pages, the second PROT_NONE: bytes placed with [`Guard::at_end`] are
/// followed by unmapped memory.
pub struct Guard {
    pub base: *mut u8,
}

impl Guard {
    pub fn new() -> Guard {
        let p = unsafe {
            libc::mmap(
                null_mut(),
                8192,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(p, libc::MAP_FAILED);
        assert_eq!(
            unsafe { libc::mprotect(p.cast::<u8>().add(4096).cast(), 4096, libc::PROT_NONE) },
            0
        );
        Guard { base: p.cast() }
    }

    /// Copies `bytes` so that they end exactly at the guard page.
    pub fn at_end(&self, bytes: &[u8]) -> *mut u8 {
        assert!(bytes.len() <= 4096);
        unsafe {
            let p = self.base.add(4096 - bytes.len());
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
            p
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        unsafe { libc::munmap(self.base.cast(), 8192) };
    }
}

/// An opts image: `sz` then `rest`, zero-padded to `len` bytes.
pub fn opts(sz: usize, len: usize, rest: &[(usize, u32)]) -> Vec<u8> {
    let mut v = vec![0u8; len.max(8)];
    v[..8].copy_from_slice(&sz.to_ne_bytes());
    for &(off, val) in rest {
        v[off..off + 4].copy_from_slice(&val.to_ne_bytes());
    }
    v
}

pub struct Fx {
    pub xdp: OwnedFd,
    pub rtp: OwnedFd,
    pub cg_prog: OwnedFd,
    pub cgroup: Cgroup,
    pub map: Counter,
    /// An XDP link on lo, pinned at `pin`.
    pub link: OwnedFd,
    pub devnull: OwnedFd,
    pub pipe: (OwnedFd, OwnedFd),
    pub closed: RawFd,
    pub bpffs: PathBuf,
    pub pin: CString,
    pub guard: Guard,
}

impl Fx {
    pub fn path(&self, name: &str) -> CString {
        CString::new(self.bpffs.join(name).into_os_string().into_encoded_bytes()).unwrap()
    }
}

pub fn cs(s: &str) -> CString {
    CString::new(s).unwrap()
}

// -------------------------------------------------------------------- rows

/// What a row expects.
pub enum Want {
    /// bpflink and libbpf answer the same (and print the same).
    Same(Res),
    /// A documented deviation: libbpf crashes (checked in a forked child),
    /// bpflink answers this.
    LibbpfCrashes(Res),
    /// A documented deviation where both answer, differently (no row needs
    /// it today: every deviation left is one where libbpf crashes).
    #[allow(dead_code)]
    Differs { bpflink: Res, libbpf: Res },
}

pub struct Row {
    pub input: String,
    pub want: Want,
    /// The message bpflink prints (with `\n` shown as `\\n`), "" for none.
    pub message: &'static str,
    pub call: Box<dyn Fn(&Lib, &Fx) -> Res>,
}

pub fn row(
    input: impl Into<String>,
    want: Want,
    message: &'static str,
    call: impl Fn(&Lib, &Fx) -> Res + 'static,
) -> Row {
    Row {
        input: input.into(),
        want,
        message,
        call: Box::new(call),
    }
}

pub const EBADF: c_int = libc::EBADF;
pub const EINVAL: c_int = libc::EINVAL;
pub const EFAULT: c_int = libc::EFAULT;
pub const ENOENT: c_int = libc::ENOENT;
pub const EPERM: c_int = libc::EPERM;
pub const EEXIST: c_int = libc::EEXIST;
pub const ENAMETOOLONG: c_int = libc::ENAMETOOLONG;
pub const EBUSY: c_int = libc::EBUSY;

pub const LINK_CREATE_OPTS_SZ: usize = 80;

pub const ENOTDIR: c_int = libc::ENOTDIR;
pub const EBADFD: c_int = libc::EBADFD;
pub const EACCES: c_int = libc::EACCES;

/// A `struct bpf_link` of `l` without a pin path: the fixture link pinned
/// at a second name, opened, and unpinned.
pub fn unpinned_object(l: &Lib, f: &Fx) -> *mut c_void {
    let p = f.path(&format!("for-object-{}", l.name));
    assert_eq!(
        unsafe { bl::bpf_obj_pin(f.link.as_raw_fd(), p.as_ptr()) },
        0
    );
    let o = unsafe { (l.link_open)(p.as_ptr()) };
    assert!(!o.is_null(), "{}: bpf_link__open", l.name);
    assert_eq!(
        unsafe { (l.link_unpin)(o) },
        0,
        "{}: bpf_link__unpin",
        l.name
    );
    // Not part of the row: the DEBUG "unpinned from" message.
    MESSAGES.with(|m| m.borrow_mut().clear());
    o
}
