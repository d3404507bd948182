//! Bad input, called as C calls the library: NULL pointers, invalid,
//! closed and wrong-type fds, huge and "negative" opts sizes with the tail
//! unmapped, unterminated / over-long / misplaced pin paths, unknown attach
//! types and flags. Every row asserts bpflink's answer (return value, errno,
//! message) and — side by side, on the same kernel objects — the real
//! libbpf v1.7.0's (`build/oracle/libbpf.so.1`, built by
//! scripts/build-oracle.sh when missing, loaded with dlopen): identical,
//! except the documented deviations where libbpf crashes, which run libbpf
//! in a forked child and assert it dies of SIGSEGV. The table this prints
//! (`cargo test --test bad_input -- --nocapture`) is docs/bad-input.md.
//!
//! Also here, because the environment is input too: LIBBPF_LOG_LEVEL and
//! BPFLINK_TRACE are read with `secure_getenv` only (a secure-exec child
//! ignores them), and nothing else in the library reads the environment.
//!
//! Needs root with BPF (otherwise SKIP; a failure under CI=true).
#![allow(
    clippy::missing_transmute_annotations,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::undocumented_unsafe_blocks,
    clippy::type_complexity
)]

mod common;

use std::cell::RefCell;
use std::ffi::{CString, c_char, c_int, c_void};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::ptr::{null, null_mut};

use common::oracle::{Lib, bpflink, oracle, root};
use common::*;
use libbpflink::bpf as bl;

// ------------------------------------------------------------ the libraries

// ------------------------------------------------------- messages, results

unsafe extern "C" {
    fn vsnprintf(buf: *mut c_char, n: usize, format: *const c_char, ap: *mut c_void) -> c_int;
}

thread_local! {
    static MESSAGES: RefCell<String> = const { RefCell::new(String::new()) };
}

unsafe extern "C" fn capture(_level: c_int, format: *const c_char, ap: *mut c_void) -> c_int {
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
enum Res {
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
    fn show(&self) -> String {
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
fn fd(r: c_int) -> Res {
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
fn int(r: c_int) -> Res {
    let e = errno();
    if r >= 0 { Res::Val(r) } else { int_err(r, e) }
}

fn int_err(r: c_int, e: c_int) -> Res {
    if r == -e {
        Res::Err(e)
    } else {
        Res::Odd(format!("{r} with errno {e}"))
    }
}

/// A pointer result (a `struct bpf_link *`), destroyed with `lib`.
fn obj(lib: &Lib, p: *mut c_void) -> Res {
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
struct Guard {
    base: *mut u8,
}

impl Guard {
    fn new() -> Guard {
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
    fn at_end(&self, bytes: &[u8]) -> *mut u8 {
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
fn opts(sz: usize, len: usize, rest: &[(usize, u32)]) -> Vec<u8> {
    let mut v = vec![0u8; len.max(8)];
    v[..8].copy_from_slice(&sz.to_ne_bytes());
    for &(off, val) in rest {
        v[off..off + 4].copy_from_slice(&val.to_ne_bytes());
    }
    v
}

struct Fx {
    xdp: OwnedFd,
    rtp: OwnedFd,
    cg_prog: OwnedFd,
    cgroup: Cgroup,
    map: Counter,
    /// An XDP link on lo, pinned at `pin`.
    link: OwnedFd,
    devnull: OwnedFd,
    pipe: (OwnedFd, OwnedFd),
    closed: RawFd,
    bpffs: PathBuf,
    pin: CString,
    guard: Guard,
}

impl Fx {
    fn path(&self, name: &str) -> CString {
        CString::new(self.bpffs.join(name).into_os_string().into_encoded_bytes()).unwrap()
    }
}

fn cs(s: &str) -> CString {
    CString::new(s).unwrap()
}

// -------------------------------------------------------------------- rows

/// What a row expects.
enum Want {
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

struct Row {
    input: String,
    want: Want,
    /// The message bpflink prints (with `\n` shown as `\\n`), "" for none.
    message: &'static str,
    call: Box<dyn Fn(&Lib, &Fx) -> Res>,
}

fn row(
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

const EBADF: c_int = libc::EBADF;
const EINVAL: c_int = libc::EINVAL;
const EFAULT: c_int = libc::EFAULT;
const ENOENT: c_int = libc::ENOENT;
const EPERM: c_int = libc::EPERM;
const EEXIST: c_int = libc::EEXIST;
const ENAMETOOLONG: c_int = libc::ENAMETOOLONG;
const EBUSY: c_int = libc::EBUSY;

const LINK_CREATE_OPTS_SZ: usize = 80;

fn rows() -> Vec<Row> {
    use Res::*;
    use Want::*;
    let mut v = Vec::new();

    // ---- NULL pointers
    v.push(row(
        "bpf_link_create(cgroup prog, cgroup, CGROUP_INET_EGRESS, opts NULL)",
        Same(Fd),
        "",
        |l, f| {
            fd(unsafe {
                (l.link_create)(
                    f.cg_prog.as_raw_fd(),
                    f.cgroup.raw(),
                    attach::CGROUP_INET_EGRESS,
                    null(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_link_update(link, prog, opts NULL)",
        Same(Val(0)),
        "",
        |l, f| int(unsafe { (l.link_update)(f.link.as_raw_fd(), f.xdp.as_raw_fd(), null()) }),
    ));
    v.push(row(
        "bpf_link_get_fd_by_id_opts(id of a live link, opts NULL)",
        Same(Fd),
        "",
        |l, f| fd(unsafe { (l.get_fd_by_id_opts)(link_info(f.link.as_raw_fd()).id(), null()) }),
    ));
    v.push(row(
        "bpf_raw_tracepoint_open_opts(raw_tp prog, opts NULL) (no tp_name)",
        Same(Err(EFAULT)),
        "",
        |l, f| fd(unsafe { (l.raw_tp_open_opts)(f.rtp.as_raw_fd(), null_mut()) }),
    ));
    v.push(row(
        "bpf_raw_tracepoint_open(NULL, raw_tp prog)",
        Same(Err(EFAULT)),
        "",
        |l, f| fd(unsafe { (l.raw_tp_open)(null(), f.rtp.as_raw_fd()) }),
    ));
    v.push(row(
        "bpf_obj_pin(link, NULL path)",
        Same(Err(EFAULT)),
        "",
        |l, f| int(unsafe { (l.obj_pin)(f.link.as_raw_fd(), null()) }),
    ));
    v.push(row(
        "bpf_obj_get(NULL path)",
        Same(Err(EFAULT)),
        "",
        |l, _| fd(unsafe { (l.obj_get)(null()) }),
    ));
    v.push(row(
        "bpf_obj_pin_opts(link, <bpffs>/new, opts NULL)",
        Same(Val(0)),
        "",
        |l, f| {
            let p = f.path("new");
            let r = int(unsafe { (l.obj_pin_opts)(f.link.as_raw_fd(), p.as_ptr(), null()) });
            unsafe { libc::unlink(p.as_ptr()) };
            r
        },
    ));
    v.push(row(
        "bpf_obj_get_opts(<bpffs pin>, opts NULL)",
        Same(Fd),
        "",
        |l, f| fd(unsafe { (l.obj_get_opts)(f.pin.as_ptr(), null()) }),
    ));
    v.push(row(
        "bpf_link_get_next_id(0, next_id NULL) (a link exists)",
        LibbpfCrashes(Err(EINVAL)),
        "",
        |l, _| int(unsafe { (l.get_next_id)(0, null_mut()) }),
    ));
    v.push(row(
        "bpf_link_get_next_id(INT_MAX - 1, next_id NULL) (end of the list)",
        Same(Err(ENOENT)),
        "",
        |l, _| int(unsafe { (l.get_next_id)(i32::MAX as u32 - 1, null_mut()) }),
    ));
    v.push(row(
        "bpf_link_get_next_id(UINT32_MAX, next_id NULL)",
        Same(Err(EINVAL)),
        "",
        |l, _| int(unsafe { (l.get_next_id)(u32::MAX, null_mut()) }),
    ));
    v.push(row(
        "bpf_obj_get_info_by_fd(link, info, info_len NULL)",
        LibbpfCrashes(Err(EINVAL)),
        "",
        |l, f| {
            let mut info = [0u8; 64];
            int(unsafe {
                (l.obj_get_info)(f.link.as_raw_fd(), info.as_mut_ptr().cast(), null_mut())
            })
        },
    ));
    v.push(row(
        "bpf_link_get_info_by_fd(link, info NULL, &len (64))",
        Same(Err(EFAULT)),
        "",
        |l, f| {
            let mut len = 64u32;
            int(unsafe { (l.link_get_info)(f.link.as_raw_fd(), null_mut(), &mut len) })
        },
    ));
    v.push(row(
        "bpf_link__open(NULL)",
        Same(Null(EFAULT)),
        "libbpf: failed to open link at (null): -14\\n",
        |l, _| obj(l, unsafe { (l.link_open)(null()) }),
    ));
    v.push(row(
        "bpf_link__fd(NULL)",
        LibbpfCrashes(Err(EINVAL)),
        "",
        |l, _| int(unsafe { (l.link_fd)(null()) }),
    ));
    v.push(row(
        "bpf_link__pin(NULL, path)",
        LibbpfCrashes(Err(EINVAL)),
        "",
        |l, f| int(unsafe { (l.link_pin)(null_mut(), f.path("p").as_ptr()) }),
    ));
    v.push(row(
        "bpf_link__pin(link, NULL)",
        LibbpfCrashes(Err(EINVAL)),
        "",
        |l, f| {
            let o = unpinned_object(l, f);
            let r = int(unsafe { (l.link_pin)(o, null()) });
            unsafe { (l.link_destroy)(o) };
            r
        },
    ));
    v.push(row(
        "bpf_link__unpin(NULL)",
        LibbpfCrashes(Err(EINVAL)),
        "",
        |l, _| int(unsafe { (l.link_unpin)(null_mut()) }),
    ));
    v.push(row(
        "bpf_link__detach(NULL)",
        LibbpfCrashes(Err(EINVAL)),
        "",
        |l, _| int(unsafe { (l.link_detach_obj)(null_mut()) }),
    ));
    v.push(row("bpf_link__destroy(NULL)", Same(Val(0)), "", |l, _| {
        int(unsafe { (l.link_destroy)(null_mut()) })
    }));

    // ---- invalid, closed and wrong-type fds
    type FdOf = fn(&Fx) -> RawFd;
    let bad: [(&str, FdOf, c_int); 7] = [
        ("-1", |_| -1, EBADF),
        ("9999 (not open)", |_| 9999, EBADF),
        ("a closed fd", |f| f.closed, EBADF),
        ("/dev/null", |f| f.devnull.as_raw_fd(), EINVAL),
        ("a pipe", |f| f.pipe.0.as_raw_fd(), EINVAL),
        ("a prog fd", |f| f.xdp.as_raw_fd(), EINVAL),
        ("a map fd", |f| f.map.raw(), EINVAL),
    ];
    for (what, get, e) in bad {
        v.push(row(
            format!("bpf_link_update(link_fd = {what}, prog, NULL)"),
            Same(Err(e)),
            "",
            move |l, f| int(unsafe { (l.link_update)(get(f), f.xdp.as_raw_fd(), null()) }),
        ));
        v.push(row(
            format!("bpf_link_detach({what})"),
            Same(Err(e)),
            "",
            move |l, f| int(unsafe { (l.link_detach)(get(f)) }),
        ));
        v.push(row(
            format!("bpf_iter_create({what})"),
            Same(Err(e)),
            "",
            move |l, f| fd(unsafe { (l.iter_create)(get(f)) }),
        ));
    }
    for (what, get, e) in [
        ("-1", (|_| -1) as FdOf, EBADF),
        ("a closed fd", |f| f.closed, EBADF),
        ("/dev/null", |f| f.devnull.as_raw_fd(), EINVAL),
        ("a map fd", |f| f.map.raw(), EINVAL),
        ("a link fd", |f| f.link.as_raw_fd(), EINVAL),
    ] {
        // BPF_OBJ_PIN takes any BPF object; anything else is EINVAL, even
        // a bad fd. BPF_OBJ_GET_INFO_BY_FD says EBADFD for a bad fd.
        let (pin_want, info_want) = match what {
            "a map fd" | "a link fd" => (Val(0), Val(0)),
            "/dev/null" => (Err(EINVAL), Err(EINVAL)),
            _ => (Err(EINVAL), Err(EBADFD)),
        };
        v.push(row(
            format!("bpf_link_create(prog_fd = {what}, lo, BPF_XDP, NULL)"),
            Same(Err(e)),
            "",
            move |l, f| fd(unsafe { (l.link_create)(get(f), 1, attach::XDP, null()) }),
        ));
        v.push(row(
            format!("bpf_obj_pin({what}, <bpffs>/x)"),
            Same(pin_want),
            "",
            move |l, f| {
                let p = f.path("x");
                let r = int(unsafe { (l.obj_pin)(get(f), p.as_ptr()) });
                unsafe { libc::unlink(p.as_ptr()) };
                r
            },
        ));
        v.push(row(
            format!("bpf_link_get_info_by_fd({what}, info, &len)"),
            Same(info_want),
            "",
            move |l, f| {
                let mut info = [0u64; 32];
                let mut len = 64u32;
                int(unsafe { (l.link_get_info)(get(f), info.as_mut_ptr().cast(), &mut len) })
            },
        ));
    }
    v.push(row(
        "bpf_link_create(xdp prog, target ifindex -1, BPF_XDP, NULL)",
        Same(Err(EINVAL)),
        "",
        |l, f| fd(unsafe { (l.link_create)(f.xdp.as_raw_fd(), -1, attach::XDP, null()) }),
    ));
    v.push(row(
        "bpf_link_create(xdp prog, target ifindex 9999, BPF_XDP, NULL)",
        Same(Err(EINVAL)),
        "",
        |l, f| fd(unsafe { (l.link_create)(f.xdp.as_raw_fd(), 9999, attach::XDP, null()) }),
    ));
    v.push(row(
        "bpf_link_create(xdp prog, lo already linked, BPF_XDP, NULL)",
        Same(Err(EBUSY)),
        "",
        |l, f| fd(unsafe { (l.link_create)(f.xdp.as_raw_fd(), 1, attach::XDP, null()) }),
    ));
    v.push(row(
        "bpf_raw_tracepoint_open(\"sys_enter\", xdp prog)",
        Same(Err(EINVAL)),
        "",
        |l, f| fd(unsafe { (l.raw_tp_open)(c"sys_enter".as_ptr(), f.xdp.as_raw_fd()) }),
    ));
    v.push(row(
        "bpf_raw_tracepoint_open(\"sys_enter\", -1)",
        Same(Err(EBADF)),
        "",
        |l, _| fd(unsafe { (l.raw_tp_open)(c"sys_enter".as_ptr(), -1) }),
    ));
    v.push(row(
        "bpf_raw_tracepoint_open(\"no_such_tp\", raw_tp prog)",
        Same(Err(ENOENT)),
        "",
        |l, f| fd(unsafe { (l.raw_tp_open)(c"no_such_tp".as_ptr(), f.rtp.as_raw_fd()) }),
    ));
    v.push(row(
        "bpf_iter_create(an XDP link)",
        Same(Err(EINVAL)),
        "",
        |l, f| fd(unsafe { (l.iter_create)(f.link.as_raw_fd()) }),
    ));
    v.push(row(
        "bpf_link_get_fd_by_id(0)",
        Same(Err(ENOENT)),
        "",
        |l, _| fd(unsafe { (l.get_fd_by_id)(0) }),
    ));
    v.push(row(
        "bpf_link_get_fd_by_id(UINT32_MAX)",
        Same(Err(ENOENT)),
        "",
        |l, _| fd(unsafe { (l.get_fd_by_id)(u32::MAX) }),
    ));

    // ---- opts sizes (structs end at a PROT_NONE page)
    let unreadable = |ty: &'static str| -> &'static str {
        match ty {
            "lc40" => {
                "libbpf: bpf_link_create_opts size (1099511627776) reaches unreadable memory\\n"
            }
            "lc81" => "libbpf: bpf_link_create_opts size (81) reaches unreadable memory\\n",
            "pin63" => {
                "libbpf: bpf_obj_pin_opts size (9223372036854775808) reaches unreadable memory\\n"
            }
            "get40" => "libbpf: bpf_obj_get_opts size (1099511627776) reaches unreadable memory\\n",
            "id40" => {
                "libbpf: bpf_get_fd_by_id_opts size (1099511627776) reaches unreadable memory\\n"
            }
            "lu63" => {
                "libbpf: bpf_link_update_opts size (9223372036854775827) reaches unreadable memory\\n"
            }
            "rt40" => "libbpf: bpf_raw_tp_opts size (1099511627776) reaches unreadable memory\\n",
            _ => unreachable!(),
        }
    };
    v.push(row(
        "bpf_link_create(-1, lo, BPF_XDP, opts sz = 4)",
        Same(Err(EINVAL)),
        "libbpf: bpf_link_create_opts size (4) is too small\\n",
        |l, f| {
            fd(unsafe {
                (l.link_create)(-1, 1, attach::XDP, f.guard.at_end(&opts(4, 80, &[])).cast())
            })
        },
    ));
    v.push(row(
        "bpf_link_create(-1, lo, BPF_XDP, opts sz = SIZE_MAX, 80 bytes mapped)",
        Same(Err(EBADF)),
        "",
        |l, f| {
            fd(unsafe {
                (l.link_create)(
                    -1,
                    1,
                    attach::XDP,
                    f.guard.at_end(&opts(usize::MAX, 80, &[])).cast(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_link_create(-1, lo, BPF_XDP, opts sz = 1<<40, 80 bytes mapped)",
        LibbpfCrashes(Err(EFAULT)),
        unreadable("lc40"),
        |l, f| {
            fd(unsafe {
                (l.link_create)(
                    -1,
                    1,
                    attach::XDP,
                    f.guard.at_end(&opts(1 << 40, 80, &[])).cast(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_link_create(-1, lo, BPF_XDP, opts sz = 81, 80 bytes mapped)",
        LibbpfCrashes(Err(EFAULT)),
        unreadable("lc81"),
        |l, f| {
            fd(unsafe {
                (l.link_create)(
                    -1,
                    1,
                    attach::XDP,
                    f.guard.at_end(&opts(81, 80, &[])).cast(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_link_create(-1, lo, BPF_XDP, opts sz = 4096, all zero and mapped)",
        Same(Err(EBADF)),
        "",
        |l, f| {
            fd(unsafe {
                (l.link_create)(
                    -1,
                    1,
                    attach::XDP,
                    f.guard.at_end(&opts(4096, 4096, &[])).cast(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_link_create(-1, lo, BPF_XDP, opts sz = 4096, byte 4095 = 1)",
        Same(Err(EINVAL)),
        "libbpf: bpf_link_create_opts has non-zero extra bytes\\n",
        |l, f| {
            let mut o = opts(4096, 4096, &[]);
            o[4095] = 1;
            fd(unsafe { (l.link_create)(-1, 1, attach::XDP, f.guard.at_end(&o).cast()) })
        },
    ));
    v.push(row(
        "bpf_obj_pin_opts(link, <bpffs>/y, opts sz = 1<<63, 16 bytes mapped)",
        LibbpfCrashes(Err(EFAULT)),
        unreadable("pin63"),
        |l, f| {
            let p = f.path("y");
            let r = int(unsafe {
                (l.obj_pin_opts)(
                    f.link.as_raw_fd(),
                    p.as_ptr(),
                    f.guard.at_end(&opts(1 << 63, 16, &[])).cast(),
                )
            });
            unsafe { libc::unlink(p.as_ptr()) };
            r
        },
    ));
    v.push(row(
        "bpf_obj_pin_opts(link, <bpffs>/y, opts sz = (1<<63)+16, 16 bytes mapped)",
        Same(Val(0)),
        "",
        |l, f| {
            let p = f.path("y");
            let r = int(unsafe {
                (l.obj_pin_opts)(
                    f.link.as_raw_fd(),
                    p.as_ptr(),
                    f.guard.at_end(&opts((1 << 63) + 16, 16, &[])).cast(),
                )
            });
            unsafe { libc::unlink(p.as_ptr()) };
            r
        },
    ));
    v.push(row(
        "bpf_obj_get_opts(<bpffs pin>, opts sz = 1<<40, 16 bytes mapped)",
        LibbpfCrashes(Err(EFAULT)),
        unreadable("get40"),
        |l, f| {
            fd(unsafe {
                (l.obj_get_opts)(
                    f.pin.as_ptr(),
                    f.guard.at_end(&opts(1 << 40, 16, &[])).cast(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_link_get_fd_by_id_opts(id, opts sz = 1<<40, 16 bytes mapped)",
        LibbpfCrashes(Err(EFAULT)),
        unreadable("id40"),
        |l, f| {
            fd(unsafe { (l.get_fd_by_id_opts)(1, f.guard.at_end(&opts(1 << 40, 16, &[])).cast()) })
        },
    ));
    v.push(row(
        "bpf_link_update(link, prog, opts sz = (1<<63)+19, 24 bytes mapped)",
        LibbpfCrashes(Err(EFAULT)),
        unreadable("lu63"),
        |l, f| {
            int(unsafe {
                (l.link_update)(
                    f.link.as_raw_fd(),
                    f.xdp.as_raw_fd(),
                    f.guard.at_end(&opts((1 << 63) + 19, 24, &[])).cast(),
                )
            })
        },
    ));
    v.push(row("bpf_link_update(link, prog, opts sz = (1<<63)+20, 24 bytes mapped) (\"negative\" length: no check)", Same(Val(0)), "",
        |l, f| int(unsafe { (l.link_update)(f.link.as_raw_fd(), f.xdp.as_raw_fd(), f.guard.at_end(&opts((1 << 63) + 20, 24, &[])).cast()) })));
    v.push(row(
        "bpf_raw_tracepoint_open_opts(raw_tp prog, opts sz = 1<<40, 24 bytes mapped)",
        LibbpfCrashes(Err(EFAULT)),
        unreadable("rt40"),
        |l, f| {
            fd(unsafe {
                (l.raw_tp_open_opts)(
                    f.rtp.as_raw_fd(),
                    f.guard.at_end(&opts(1 << 40, 24, &[])).cast(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_obj_get_opts(<bpffs pin>, opts sz = 0)",
        Same(Err(EINVAL)),
        "libbpf: bpf_obj_get_opts size (0) is too small\\n",
        |l, f| {
            fd(unsafe {
                (l.obj_get_opts)(f.pin.as_ptr(), f.guard.at_end(&opts(0, 16, &[])).cast())
            })
        },
    ));

    // ---- paths
    v.push(row(
        "bpf_obj_pin(link, unterminated path running into unmapped memory)",
        Same(Err(EFAULT)),
        "",
        |l, f| int(unsafe { (l.obj_pin)(f.link.as_raw_fd(), f.guard.at_end(&[b'a'; 64]).cast()) }),
    ));
    v.push(row(
        "bpf_obj_get(unterminated path running into unmapped memory)",
        Same(Err(EFAULT)),
        "",
        |l, f| fd(unsafe { (l.obj_get)(f.guard.at_end(&[b'a'; 64]).cast()) }),
    ));
    v.push(row(
        "bpf_obj_pin(link, path of PATH_MAX+1 bytes)",
        Same(Err(ENAMETOOLONG)),
        "",
        |l, f| {
            let mut p = f.bpffs.as_os_str().as_encoded_bytes().to_vec();
            p.push(b'/');
            p.resize(4097, b'a');
            let p = CString::new(p).unwrap();
            int(unsafe { (l.obj_pin)(f.link.as_raw_fd(), p.as_ptr()) })
        },
    ));
    v.push(row(
        "bpf_obj_get(path of PATH_MAX+1 bytes)",
        Same(Err(ENAMETOOLONG)),
        "",
        |l, f| {
            let mut p = f.bpffs.as_os_str().as_encoded_bytes().to_vec();
            p.push(b'/');
            p.resize(4097, b'a');
            let p = CString::new(p).unwrap();
            fd(unsafe { (l.obj_get)(p.as_ptr()) })
        },
    ));
    v.push(row(
        "bpf_obj_pin(link, \"/tmp/<name>\") (not bpffs)",
        Same(Err(EPERM)),
        "",
        |l, f| {
            let p = cs(&format!("/tmp/bpflink-bad-input-{}", std::process::id()));
            let r = int(unsafe { (l.obj_pin)(f.link.as_raw_fd(), p.as_ptr()) });
            unsafe { libc::unlink(p.as_ptr()) };
            r
        },
    ));
    v.push(row(
        "bpf_obj_pin(link, \"relative\") (cwd not bpffs)",
        Same(Err(EPERM)),
        "",
        |l, f| int(unsafe { (l.obj_pin)(f.link.as_raw_fd(), c"bpflink-relative-name".as_ptr()) }),
    ));
    v.push(row(
        "bpf_obj_pin(link, \"\")",
        Same(Err(ENOENT)),
        "",
        |l, f| int(unsafe { (l.obj_pin)(f.link.as_raw_fd(), c"".as_ptr()) }),
    ));
    v.push(row(
        "bpf_obj_pin(link, <bpffs>/missing-dir/x)",
        Same(Err(ENOENT)),
        "",
        |l, f| int(unsafe { (l.obj_pin)(f.link.as_raw_fd(), f.path("missing-dir/x").as_ptr()) }),
    ));
    v.push(row(
        "bpf_obj_pin(link, <existing pin>)",
        Same(Err(EEXIST)),
        "",
        |l, f| int(unsafe { (l.obj_pin)(f.link.as_raw_fd(), f.pin.as_ptr()) }),
    ));
    v.push(row(
        "bpf_obj_get(\"/etc/passwd\") (not bpffs)",
        Same(Err(EACCES)),
        "",
        |l, _| fd(unsafe { (l.obj_get)(c"/etc/passwd".as_ptr()) }),
    ));
    v.push(row(
        "bpf_obj_get(<bpffs>/missing)",
        Same(Err(ENOENT)),
        "",
        |l, f| fd(unsafe { (l.obj_get)(f.path("missing").as_ptr()) }),
    ));
    v.push(row(
        "bpf_obj_get(<bpffs dir itself>)",
        Same(Err(EACCES)),
        "",
        |l, f| fd(unsafe { (l.obj_get)(f.path("").as_ptr()) }),
    ));
    v.push(row(
        "bpf_link__open(<bpffs>/missing)",
        Same(Null(ENOENT)),
        "libbpf: failed to open link at <bpffs>/missing: -2\\n",
        |l, f| obj(l, unsafe { (l.link_open)(f.path("missing").as_ptr()) }),
    ));
    v.push(row(
        "bpf_link__pin(link, \"/tmp/<name>/x\") (not bpffs)",
        Same(Err(EINVAL)),
        "libbpf: specified path /tmp/<name>/x is not on BPF FS\\n",
        |l, f| {
            let dir = format!("/tmp/bpflink-bad-input-{}-{}", l.name, std::process::id());
            let p = cs(&format!("{dir}/x"));
            let o = unpinned_object(l, f);
            let r = int(unsafe { (l.link_pin)(o, p.as_ptr()) });
            unsafe { (l.link_destroy)(o) };
            let _ = std::fs::remove_dir(&dir);
            r
        },
    ));

    // ---- unknown attach types and flags
    for t in [59u32, 1000, u32::MAX] {
        v.push(row(
            format!("bpf_link_create(xdp prog, lo, attach_type {t}, NULL)"),
            Same(Err(EINVAL)),
            "",
            move |l, f| fd(unsafe { (l.link_create)(f.xdp.as_raw_fd(), 1, t, null()) }),
        ));
    }
    v.push(row(
        "bpf_link_create(cgroup prog, cgroup, CGROUP_INET_EGRESS, flags 0x80000000)",
        Same(Err(EINVAL)),
        "",
        |l, f| {
            fd(unsafe {
                (l.link_create)(
                    f.cg_prog.as_raw_fd(),
                    f.cgroup.raw(),
                    attach::CGROUP_INET_EGRESS,
                    f.guard
                        .at_end(&opts(LINK_CREATE_OPTS_SZ, 80, &[(8, 0x8000_0000)]))
                        .cast(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_link_update(link, prog, flags 0xffff)",
        Same(Err(EINVAL)),
        "",
        |l, f| {
            int(unsafe {
                (l.link_update)(
                    f.link.as_raw_fd(),
                    f.xdp.as_raw_fd(),
                    f.guard.at_end(&opts(24, 24, &[(8, 0xffff)])).cast(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_link_get_fd_by_id_opts(id, open_flags BPF_F_RDONLY)",
        Same(Err(EINVAL)),
        "",
        |l, f| {
            fd(unsafe {
                (l.get_fd_by_id_opts)(
                    link_info(f.link.as_raw_fd()).id(),
                    f.guard.at_end(&opts(16, 16, &[(8, 8)])).cast(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_obj_get_opts(<bpffs pin>, file_flags 0xffff)",
        Same(Err(EINVAL)),
        "",
        |l, f| {
            fd(unsafe {
                (l.obj_get_opts)(
                    f.pin.as_ptr(),
                    f.guard.at_end(&opts(16, 16, &[(8, 0xffff)])).cast(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_obj_pin_opts(link, <bpffs>/z, path_fd 5 without BPF_F_PATH_FD)",
        Same(Err(EINVAL)),
        "",
        |l, f| {
            let p = f.path("z");
            let r = int(unsafe {
                (l.obj_pin_opts)(
                    f.link.as_raw_fd(),
                    p.as_ptr(),
                    f.guard.at_end(&opts(16, 16, &[(12, 5)])).cast(),
                )
            });
            unsafe { libc::unlink(p.as_ptr()) };
            r
        },
    ));
    v.push(row(
        "bpf_obj_pin_opts(link, \"x\", BPF_F_PATH_FD, path_fd = /dev/null)",
        Same(Err(ENOTDIR)),
        "",
        |l, f| {
            int(unsafe {
                (l.obj_pin_opts)(
                    f.link.as_raw_fd(),
                    c"x".as_ptr(),
                    f.guard
                        .at_end(&opts(
                            16,
                            16,
                            &[(8, 1 << 14), (12, f.devnull.as_raw_fd() as u32)],
                        ))
                        .cast(),
                )
            })
        },
    ));
    v
}

const ENOTDIR: c_int = libc::ENOTDIR;
const EBADFD: c_int = libc::EBADFD;
const EACCES: c_int = libc::EACCES;

/// A `struct bpf_link` of `l` without a pin path: the fixture link pinned
/// at a second name, opened, and unpinned.
fn unpinned_object(l: &Lib, f: &Fx) -> *mut c_void {
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

// ---------------------------------------------------------------- running

/// Runs `r` against `lib`; returns the answer and the messages printed.
fn run_in_process(lib: &Lib, r: &Row, f: &Fx) -> (Res, String) {
    MESSAGES.with(|m| m.borrow_mut().clear());
    set_errno(0);
    let res = (r.call)(lib, f);
    let msg = MESSAGES.with(|m| std::mem::take(&mut *m.borrow_mut()));
    (res, msg)
}

/// Runs `r` against `lib` in a forked child: `Signal(n)` if it died.
fn run_in_child(lib: &Lib, r: &Row, f: &Fx) -> Res {
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork");
    if pid == 0 {
        // No printing (and no allocation) in the child.
        unsafe { (lib.set_print)(None) };
        let _ = (r.call)(lib, f);
        unsafe { libc::_exit(0) };
    }
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    if libc::WIFSIGNALED(status) {
        Res::Signal(libc::WTERMSIG(status))
    } else {
        Res::Odd(format!(
            "returned (exit status {})",
            libc::WEXITSTATUS(status)
        ))
    }
}

fn setup(env: &Env) -> Result<Fx, Skip> {
    let xdp = load_trivial(prog_type::XDP, attach::XDP, 0, XDP_PASS, "xdp_pass")?;
    let rtp = load_trivial(prog_type::RAW_TRACEPOINT, 0, 0, 0, "rawtp")?;
    let cg_prog = load_trivial(
        prog_type::CGROUP_SKB,
        attach::CGROUP_INET_EGRESS,
        0,
        1,
        "cg",
    )?;
    let cgroup = Cgroup::new()?;
    let map = Counter::new()?;
    let l = unsafe { bl::bpf_link_create(xdp.as_raw_fd(), 1, attach::XDP, null()) };
    let link = own(l, "bpf_link_create(xdp on lo)");
    let pin = env.pin_path("pinned");
    assert_eq!(
        unsafe { bl::bpf_obj_pin(link.as_raw_fd(), pin.as_ptr()) },
        0
    );
    let devnull = std::fs::File::open("/dev/null").unwrap().into();
    let mut p = [0; 2];
    assert_eq!(unsafe { libc::pipe2(p.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    let pipe = unsafe { (OwnedFd::from_raw_fd(p[0]), OwnedFd::from_raw_fd(p[1])) };
    Ok(Fx {
        xdp,
        rtp,
        cg_prog,
        cgroup,
        map,
        link,
        devnull,
        pipe,
        closed: closed_fd(),
        bpffs: env.bpffs.clone().unwrap(),
        pin,
        guard: Guard::new(),
    })
}

#[test]
fn bad_input_table_bpflink_vs_libbpf() {
    let _guard = serial();
    finish(require_bpf().and_then(|()| {
        isolated(
            Iso {
                bpffs: true,
                ..Iso::default()
            },
            |env| {
                let f = setup(env)?;
                let ours = bpflink();
                let theirs = match oracle() {
                    Ok(l) => Some(l),
                    Err(e) => {
                        skip(&format!("the libbpf column is not checked: {e}"));
                        None
                    }
                };
                unsafe { (ours.set_print)(Some(capture)) };
                if let Some(t) = &theirs {
                    unsafe { (t.set_print)(Some(capture)) };
                }
                let bpffs = f.bpffs.display().to_string();
                let mut failures = Vec::new();
                let mut table = String::from(
                    "| input | bpflink | libbpf 1.7.0 |\n|---|---|---|\n",
                );
                let rows = rows();
                for r in &rows {
                    let (got, msg) = run_in_process(&ours, r, &f);
                    let msg = msg.replace(&bpffs, "<bpffs>").replace(
                        &format!("/tmp/bpflink-bad-input-bpflink-{}", std::process::id()),
                        "/tmp/<name>",
                    );
                    let (want_ours, want_theirs_crash) = match &r.want {
                        Want::Same(w) => (w.clone(), false),
                        Want::LibbpfCrashes(w) => (w.clone(), true),
                        Want::Differs { bpflink, .. } => (bpflink.clone(), false),
                    };
                    if got != want_ours || msg != r.message {
                        failures.push(format!(
                            "{}: bpflink answered {} (message \"{msg}\"), expected {} (message \"{}\")",
                            r.input,
                            got.show(),
                            want_ours.show(),
                            r.message
                        ));
                    }
                    let libbpf_col = match &theirs {
                        None => "(not checked)".to_string(),
                        Some(t) if want_theirs_crash => {
                            let res = run_in_child(t, r, &f);
                            if res != Res::Signal(libc::SIGSEGV) {
                                failures.push(format!(
                                    "{}: libbpf was expected to crash, got {}",
                                    r.input,
                                    res.show()
                                ));
                            }
                            res.show()
                        }
                        Some(t) => {
                            let (res, tmsg) = run_in_process(t, r, &f);
                            let tmsg = tmsg.replace(&bpffs, "<bpffs>").replace(
                                &format!("/tmp/bpflink-bad-input-libbpf-{}", std::process::id()),
                                "/tmp/<name>",
                            );
                            let want_theirs = match &r.want {
                                Want::Differs { libbpf, .. } => libbpf.clone(),
                                _ => want_ours.clone(),
                            };
                            if res != want_theirs || tmsg != r.message {
                                failures.push(format!(
                                    "{}: libbpf answered {} (message \"{tmsg}\"), expected {} (message \"{}\")",
                                    r.input,
                                    res.show(),
                                    want_theirs.show(),
                                    r.message
                                ));
                            }
                            res.show()
                        }
                    };
                    let ours_col = if r.message.is_empty() {
                        got.show()
                    } else {
                        format!("{} + `{}`", got.show(), r.message.trim_end_matches("\\n"))
                    };
                    table.push_str(&format!(
                        "| `{}` | {} | {} |\n",
                        r.input.replace('|', "\\|"),
                        ours_col,
                        libbpf_col
                    ));
                }
                unsafe { (ours.set_print)(None) };
                if let Some(t) = &theirs {
                    unsafe { (t.set_print)(None) };
                }
                println!("{table}");
                println!("{} rows", rows.len());
                assert!(failures.is_empty(), "{}", failures.join("\n"));
                Ok(())
            },
        )
    }));
}

// ------------------------------------------------- a known gap (reported)

/// A garbage `sz` on a short struct at the end of a page: with
/// `sz = (1<<63)+76` ("negative", so every zero check is skipped) and the
/// default branch (BPF_XDP), libbpf reads only bytes [0, 32), so a 32-byte
/// struct (libbpf 0.2–0.4's size) ending at unmapped memory is fine for it
/// (the kernel answers -EBADF for prog -1). bpflink copies the part of the
/// struct it knows up front, fault-free: it never crashes, and answers
/// -EFAULT with the "reaches unreadable memory" warning (a documented
/// deviation: README, "Deviations"; docs/bad-input.md). Only while the
/// fault-free reader is available: with it taken away bpflink reads
/// directly and crashes (tests/opts_pages.rs).
#[test]
fn top_bit_sz_with_short_struct_at_a_page_end() {
    let g = Guard::new();
    let o = opts((1 << 63) + 76, 32, &[]);
    let call = |l: &Lib| {
        let p = g.at_end(&o);
        unsafe { (l.link_create)(-1, 1, attach::XDP, p.cast()) }
    };
    let in_child = |l: &Lib, want: c_int| -> Res {
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            unsafe { (l.set_print)(None) };
            let r = call(l);
            unsafe { libc::_exit(if r == want { 0 } else { 1 }) };
        }
        let mut status = 0;
        unsafe { libc::waitpid(pid, &mut status, 0) };
        if libc::WIFSIGNALED(status) {
            Res::Signal(libc::WTERMSIG(status))
        } else {
            Res::Val(libc::WEXITSTATUS(status))
        }
    };
    if let Ok(t) = oracle() {
        assert_eq!(in_child(&t, -EBADF), Res::Val(0), "libbpf answers -EBADF");
    }
    assert_eq!(
        in_child(&bpflink(), -libc::EFAULT),
        Res::Val(0),
        "bpflink answers -EFAULT (no crash)"
    );
}

// ------------------------------------------------------- the environment

/// Runs this test binary's `env_child_probe` in a child started with
/// fork + execve, with LIBBPF_LOG_LEVEL=bogus and BPFLINK_TRACE=1 set;
/// `secure`: as ruid 65534 / euid 0, which makes the exec a secure one
/// (AT_SECURE = 1, what a set-uid program gets). Returns its stderr.
fn env_child(secure: bool) -> String {
    let exe = CString::new(
        std::env::current_exe()
            .unwrap()
            .into_os_string()
            .into_encoded_bytes(),
    )
    .unwrap();
    let args = [
        exe.clone(),
        cs("env_child_probe"),
        cs("--exact"),
        cs("--nocapture"),
        cs("--test-threads=1"),
    ];
    let envs = [
        cs("BPFLINK_ENV_CHILD=1"),
        cs("LIBBPF_LOG_LEVEL=bogus"),
        cs("BPFLINK_TRACE=1"),
    ];
    let mut argv: Vec<*const c_char> = args.iter().map(|a| a.as_ptr()).collect();
    argv.push(null());
    let mut envp: Vec<*const c_char> = envs.iter().map(|a| a.as_ptr()).collect();
    envp.push(null());
    let mut p = [0; 2];
    assert_eq!(unsafe { libc::pipe2(p.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        unsafe {
            libc::dup2(p[1], 2);
            libc::dup2(p[1], 1);
            if secure && libc::setresuid(65534, 0, 0) != 0 {
                libc::_exit(126);
            }
            libc::execve(exe.as_ptr(), argv.as_ptr(), envp.as_ptr());
            libc::_exit(127);
        }
    }
    unsafe { libc::close(p[1]) };
    let out = read_to_eof(p[0]);
    unsafe { libc::close(p[0]) };
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    let text = String::from_utf8_lossy(&out).into_owned();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child (secure = {secure}) failed, status {status:#x}:\n{text}"
    );
    text
}

/// The child's side of [`env_variables_are_read_with_secure_getenv`]; a
/// no-op in a normal test run.
#[test]
fn env_child_probe() {
    if std::env::var_os("BPFLINK_ENV_CHILD").is_none() {
        return;
    }
    let secure = unsafe { libc::getauxval(libc::AT_SECURE) };
    eprintln!("AT_SECURE={secure}");
    // The default printer (no callback set in this process) prints the
    // WARN; LIBBPF_LOG_LEVEL is read at the first print, BPFLINK_TRACE at
    // the first call.
    let o = opts(4, 16, &[]);
    let r = unsafe { bl::bpf_link_create(-1, 0, attach::XDP, o.as_ptr().cast()) };
    assert_eq!(r, -EINVAL);
}

#[test]
fn env_variables_are_read_with_secure_getenv() {
    let _guard = serial();
    if unsafe { libc::geteuid() } != 0 {
        skip("needs root to start a secure-exec child (setresuid)");
        return;
    }
    let warn = "libbpf: bpf_link_create_opts size (4) is too small";
    let unrecognized = "libbpf: unrecognized 'LIBBPF_LOG_LEVEL' envvar value: 'bogus'";
    let trace = "bpflink[";

    let normal = env_child(false);
    assert!(normal.contains("AT_SECURE=0"), "normal child:\n{normal}");
    assert!(
        normal.contains(warn),
        "normal child prints the WARN:\n{normal}"
    );
    assert!(
        normal.contains(unrecognized),
        "normal child reads LIBBPF_LOG_LEVEL:\n{normal}"
    );
    assert!(
        normal.contains(trace),
        "normal child reads BPFLINK_TRACE:\n{normal}"
    );

    let secure = env_child(true);
    assert!(secure.contains("AT_SECURE=1"), "secure child:\n{secure}");
    assert!(
        secure.contains(warn),
        "secure child prints the WARN:\n{secure}"
    );
    assert!(
        !secure.contains(unrecognized),
        "a secure-exec child must ignore LIBBPF_LOG_LEVEL:\n{secure}"
    );
    assert!(
        !secure.contains(trace),
        "a secure-exec child must ignore BPFLINK_TRACE:\n{secure}"
    );
}

/// Every source file of the library (Rust and C): the environment is read
/// only through `secure_getenv` (`sys::secure_env`, print.c).
#[test]
fn sources_read_the_environment_only_with_secure_getenv() {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("rs" | "c" | "h")
            ) {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&root().join("src"), &mut files);
    walk(&root().join("crates/bpflink-core/src"), &mut files);
    assert!(files.len() > 10);
    let forbidden = [
        "env::var",
        "env::vars",
        "env::var_os",
        "std::env",
        "getenv(",
        "libc::getenv",
        "environ",
        "getauxval",
    ];
    let mut hits = Vec::new();
    let mut secure_uses = 0;
    for f in &files {
        // Unit tests compiled only with cfg(test) are not the library.
        if f.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let t = code.trim_start();
            if t.starts_with("/*") || t.starts_with('*') {
                continue; // a C comment line
            }
            let code = code.replace("secure_getenv(", "SECURE(");
            secure_uses += line.matches("secure_getenv(").count();
            for pat in forbidden {
                // "environ" as an identifier, not "environment".
                let found = code.match_indices(pat).any(|(i, _)| {
                    !code[i + pat.len()..]
                        .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                });
                if found {
                    hits.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        hits.is_empty(),
        "environment read without secure_getenv:\n{}",
        hits.join("\n")
    );
    assert!(secure_uses >= 2, "print.c and trace.rs call secure_getenv");
}

/// The shipped shared library imports `secure_getenv` and neither `getenv`
/// nor `environ`: it is `no_std`, so no runtime reads the environment
/// behind its back (std's backtrace machinery used to, for RUST_BACKTRACE).
#[test]
fn shared_library_reads_the_environment_only_with_secure_getenv() {
    let so = root().join("build/lib/libbpflink.so");
    if !so.exists() {
        let st = Command::new("make")
            .args(["-s", "lib"])
            .current_dir(root())
            .status()
            .unwrap();
        assert!(st.success(), "make lib");
    }
    let nm = Command::new("nm")
        .args(["-D", "--undefined-only"])
        .arg(&so)
        .output();
    let Ok(nm) = nm else {
        skip("nm (binutils) not installed");
        return;
    };
    let imports = String::from_utf8_lossy(&nm.stdout).into_owned();
    assert!(imports.contains("secure_getenv"), "imports:\n{imports}");
    assert!(!imports.contains("environ"), "imports environ:\n{imports}");
    assert!(
        !imports
            .lines()
            .any(|l| l.trim_end().ends_with(" getenv") || l.contains(" getenv@")),
        "imports getenv:\n{imports}"
    );
}
