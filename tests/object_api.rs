//! The `struct bpf_link` object API and the error helpers, called as C
//! would call them (docs/libbpf-behaviour.md#the-object-api-struct-bpf_link,
//! #error-helpers).
//!
//! Tests marked "kernel" run on a fresh thread that first unshares its
//! mount and network namespaces, its fd table and its fs state
//! (`CLONE_NEWNS|CLONE_NEWNET|CLONE_FILES|CLONE_FS`), makes `/` private,
//! mounts a fresh tmpfs on `/tmp` and a bpffs on `/tmp/bpffs`, brings `lo`
//! up (ifindex 1), and loads a two-instruction XDP program with a raw
//! `BPF_PROG_LOAD`. Everything a test creates (links, pins, directories,
//! fds) dies with that thread's namespaces and fd table: nothing is left on
//! the host. When this cannot be set up (not root, no BPF) the test prints
//! `SKIP: <reason>`; with `CI=true` it fails instead.
//!
//! Messages are captured by a print callback (`libbpf_set_print`) into a
//! per-thread list, so the exact texts and levels are checked.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::ptr;
use std::sync::Once;

use bpflink_core::link_object::{self, bpf_link};
use bpflink_testkit::{attach, link_type};
use libbpflink::bpf::{bpf_link_create, bpf_obj_get_info_by_fd, bpf_obj_pin};
use libbpflink::object::*;
use libbpflink::print::libbpf_set_print;

const WARN: c_int = 0;
const DEBUG: c_int = 2;
const BPFFS: &str = "/tmp/bpffs";

// ------------------------------------------------------------- plumbing

fn errno() -> c_int {
    // SAFETY: this thread's errno.
    unsafe { *libc::__errno_location() }
}

fn set_errno(e: c_int) {
    // SAFETY: this thread's errno.
    unsafe { *libc::__errno_location() = e }
}

fn c(s: &str) -> CString {
    CString::new(s).expect("no NUL")
}

fn err_ptr<T>(e: isize) -> *mut T {
    ptr::without_provenance_mut(e as usize)
}

fn fd_is_open(fd: RawFd) -> bool {
    // SAFETY: F_GETFD touches no memory.
    unsafe { libc::fcntl(fd, libc::F_GETFD) >= 0 }
}

/// The C string a function returned, or None for NULL.
fn text(p: *const c_char) -> Option<String> {
    // SAFETY: the functions return NULL or a C string that stays valid.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
}

// ------------------------------------------------------- message capture

thread_local! {
    static MESSAGES: RefCell<Vec<(c_int, String)>> = const { RefCell::new(Vec::new()) };
}

unsafe extern "C" {
    fn vsnprintf(buf: *mut c_char, n: usize, fmt: *const c_char, ap: *mut c_void) -> c_int;
}

/// The print callback: formats the message like a C callback would, stores
/// it for this thread, and clobbers errno (the library must restore it).
unsafe extern "C" fn capture(level: c_int, fmt: *const c_char, ap: *mut c_void) -> c_int {
    let mut buf = [0 as c_char; 1024];
    // SAFETY: fmt/ap come from the library's printf-style call.
    let n = unsafe { vsnprintf(buf.as_mut_ptr(), buf.len(), fmt, ap) };
    // SAFETY: vsnprintf NUL-terminates.
    let s = unsafe { CStr::from_ptr(buf.as_ptr()) }
        .to_string_lossy()
        .into_owned();
    MESSAGES.with(|m| m.borrow_mut().push((level, s)));
    set_errno(9999);
    n
}

fn capture_messages() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        libbpf_set_print(Some(capture));
    });
    MESSAGES.with(|m| m.borrow_mut().clear());
}

fn messages() -> Vec<(c_int, String)> {
    MESSAGES.with(|m| std::mem::take(&mut *m.borrow_mut()))
}

// ------------------------------------------------------------- sandbox

/// What a kernel test gets: a loaded XDP program, lo up, bpffs at BPFFS.
struct Sandbox {
    prog: OwnedFd,
}

fn os_err(what: &str) -> String {
    format!("{what}: {}", std::io::Error::last_os_error())
}

fn mount(
    src: &str,
    target: &str,
    fstype: Option<&str>,
    flags: libc::c_ulong,
) -> Result<(), String> {
    let (src_c, target_c) = (c(src), c(target));
    let fstype_c = fstype.map(c);
    // SAFETY: C strings (or NULL) that outlive the call; no data argument.
    let r = unsafe {
        libc::mount(
            src_c.as_ptr(),
            target_c.as_ptr(),
            fstype_c.as_ref().map_or(ptr::null(), |f| f.as_ptr()),
            flags,
            ptr::null(),
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(os_err(&format!("mount {target}")))
    }
}

fn lo_up() -> Result<(), String> {
    // SAFETY: plain socket/ioctl calls on a 40-byte struct ifreq buffer.
    unsafe {
        let sk = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        if sk < 0 {
            return Err(os_err("socket"));
        }
        let sk = OwnedFd::from_raw_fd(sk);
        let mut ifr = [0u8; 40];
        ifr[..2].copy_from_slice(b"lo");
        if libc::ioctl(sk.as_raw_fd(), libc::SIOCGIFFLAGS, ifr.as_mut_ptr()) != 0 {
            return Err(os_err("SIOCGIFFLAGS lo"));
        }
        let flags = i16::from_ne_bytes([ifr[16], ifr[17]]) | libc::IFF_UP as i16;
        ifr[16..18].copy_from_slice(&flags.to_ne_bytes());
        if libc::ioctl(sk.as_raw_fd(), libc::SIOCSIFFLAGS, ifr.as_mut_ptr()) != 0 {
            return Err(os_err("SIOCSIFFLAGS lo"));
        }
    }
    Ok(())
}

/// `r0 = XDP_PASS; exit`, loaded with a raw BPF_PROG_LOAD.
fn load_xdp() -> Result<OwnedFd, String> {
    let insns: [[u8; 8]; 2] = [[0xb7, 0, 0, 0, 2, 0, 0, 0], [0x95, 0, 0, 0, 0, 0, 0, 0]];
    let license = c"GPL";
    let mut attr = [0u8; 128];
    attr[0..4].copy_from_slice(&6u32.to_ne_bytes()); // BPF_PROG_TYPE_XDP
    attr[4..8].copy_from_slice(&2u32.to_ne_bytes());
    attr[8..16].copy_from_slice(&(insns.as_ptr() as u64).to_ne_bytes());
    attr[16..24].copy_from_slice(&(license.as_ptr() as u64).to_ne_bytes());
    attr[68..72].copy_from_slice(&attach::XDP.to_ne_bytes());
    // SAFETY: attr is a zeroed 128-byte bpf_attr whose pointers are live.
    let fd = unsafe { libc::syscall(libc::SYS_bpf, 5, attr.as_mut_ptr(), attr.len()) };
    if fd < 0 {
        return Err(os_err("BPF_PROG_LOAD (XDP)"));
    }
    // SAFETY: a fresh fd we own.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

fn setup() -> Result<Sandbox, String> {
    let flags = libc::CLONE_NEWNS | libc::CLONE_NEWNET | libc::CLONE_FILES | libc::CLONE_FS;
    // SAFETY: unshare only changes this thread's namespaces/tables.
    if unsafe { libc::unshare(flags) } != 0 {
        return Err(os_err("unshare(NEWNS|NEWNET|FILES|FS)"));
    }
    mount("none", "/", None, libc::MS_REC | libc::MS_PRIVATE)?;
    mount("tmpfs", "/tmp", Some("tmpfs"), 0)?;
    std::fs::create_dir(BPFFS).map_err(|e| format!("mkdir {BPFFS}: {e}"))?;
    mount("bpffs", BPFFS, Some("bpf"), 0)?;
    lo_up()?;
    let prog = load_xdp()?;
    Ok(Sandbox { prog })
}

/// Runs `body` in a fresh sandbox (see the file comment).
fn kernel_test(body: impl FnOnce(&Sandbox) + Send + 'static) {
    let outcome = std::thread::spawn(move || match setup() {
        Ok(sb) => {
            capture_messages();
            body(&sb);
            None
        }
        Err(reason) => Some(reason),
    })
    .join();
    match outcome {
        Ok(None) => {}
        Ok(Some(reason)) => bpflink_testkit::skip(&reason),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

impl Sandbox {
    /// A new XDP link on lo (ifindex 1), as a raw fd.
    fn xdp_link(&self) -> OwnedFd {
        // SAFETY: NULL opts.
        let fd = unsafe { bpf_link_create(self.prog.as_raw_fd(), 1, attach::XDP, ptr::null()) };
        assert!(fd >= 3, "bpf_link_create: {fd}");
        // SAFETY: a fresh fd we own.
        unsafe { OwnedFd::from_raw_fd(fd) }
    }

    /// Creates an XDP link, pins it at BPFFS/name with bpf_obj_pin, closes
    /// the raw fd and opens the pin with bpf_link__open.
    fn opened(&self, name: &str) -> (*mut bpf_link, CString) {
        let path = c(&format!("{BPFFS}/{name}"));
        let fd = self.xdp_link();
        // SAFETY: a C string.
        assert_eq!(unsafe { bpf_obj_pin(fd.as_raw_fd(), path.as_ptr()) }, 0);
        drop(fd);
        // SAFETY: a C string.
        let link = unsafe { bpf_link__open(path.as_ptr()) };
        assert!(!link.is_null(), "bpf_link__open: errno {}", errno());
        (link, path)
    }
}

/// (link type, xdp ifindex) of a link fd.
fn link_info(fd: RawFd) -> (u32, u32) {
    let mut info = [0u8; 64];
    let mut len = info.len() as u32;
    // SAFETY: a 64-byte buffer and its length.
    let r = unsafe { bpf_obj_get_info_by_fd(fd, info.as_mut_ptr().cast(), &mut len) };
    assert_eq!(r, 0, "bpf_obj_get_info_by_fd({fd})");
    let u32_at = |o: usize| u32::from_ne_bytes(info[o..o + 4].try_into().expect("4 bytes"));
    (u32_at(0), u32_at(16))
}

fn fd_of(link: *const bpf_link) -> RawFd {
    // SAFETY: a live link.
    unsafe { bpf_link__fd(link) }
}

fn pin_path_of(link: *const bpf_link) -> Option<String> {
    // SAFETY: a live link.
    text(unsafe { bpf_link__pin_path(link) })
}

fn pin(link: *mut bpf_link, path: &str) -> (c_int, c_int) {
    let p = c(path);
    set_errno(0);
    // SAFETY: a live link and a C string.
    let r = unsafe { bpf_link__pin(link, p.as_ptr()) };
    (r, errno())
}

fn unpin(link: *mut bpf_link) -> (c_int, c_int) {
    set_errno(0);
    // SAFETY: a live link.
    let r = unsafe { bpf_link__unpin(link) };
    (r, errno())
}

fn destroy(link: *mut bpf_link) -> c_int {
    // SAFETY: a live link (or NULL/ERR_PTR), not used afterwards.
    unsafe { bpf_link__destroy(link) }
}

fn exists(path: &str) -> bool {
    Path::new(path).symlink_metadata().is_ok()
}

// ------------------------------------------------ kernel: open/pin/unpin

#[test]
fn open_counts_as_pinned_pin_is_ebusy_unpin_twice() {
    kernel_test(|sb| {
        let (link, path) = sb.opened("l1");
        let fd = fd_of(link);
        assert!(fd >= 3);
        assert_eq!(link_info(fd), (link_type::XDP, 1));
        // The pin path is the exact string given.
        assert_eq!(pin_path_of(link).as_deref(), Some("/tmp/bpffs/l1"));
        assert!(messages().is_empty());

        // Already pinned: EBUSY, nothing created, no message.
        assert_eq!(pin(link, "/tmp/bpffs/d/other"), (-libc::EBUSY, libc::EBUSY));
        assert!(!exists("/tmp/bpffs/d"));
        assert!(messages().is_empty());

        // Unpin removes the path and forgets it; a second unpin is EINVAL.
        assert_eq!(unpin(link), (0, 0));
        assert!(!exists(path.to_str().expect("utf8")));
        assert_eq!(pin_path_of(link), None);
        assert_eq!(
            messages(),
            vec![(
                DEBUG,
                format!("libbpf: link fd={fd}: unpinned from /tmp/bpffs/l1\n")
            )]
        );
        assert_eq!(unpin(link), (-libc::EINVAL, libc::EINVAL));
        assert!(messages().is_empty());

        // Pinning into a new directory creates it (0700) and pins there.
        assert_eq!(pin(link, "/tmp/bpffs/sub/l1b"), (0, 0));
        let mode = std::fs::metadata("/tmp/bpffs/sub")
            .expect("sub")
            .permissions()
            .mode();
        assert_eq!(mode & 0o7777, 0o700);
        assert!(exists("/tmp/bpffs/sub/l1b"));
        assert_eq!(pin_path_of(link).as_deref(), Some("/tmp/bpffs/sub/l1b"));
        assert_eq!(
            messages(),
            vec![(
                DEBUG,
                format!("libbpf: link fd={fd}: pinned at /tmp/bpffs/sub/l1b\n")
            )]
        );
        // Pinned again → EBUSY again.
        assert_eq!(pin(link, "/tmp/bpffs/l1c").0, -libc::EBUSY);

        // Destroy closes the fd but leaves the bpffs pin (and the link).
        assert_eq!(destroy(link), 0);
        assert!(!fd_is_open(fd));
        assert!(exists("/tmp/bpffs/sub/l1b"));
        let again = sb_reopen("/tmp/bpffs/sub/l1b");
        assert_eq!(link_info(fd_of(again)), (link_type::XDP, 1));
        assert_eq!(unpin(again), (0, 0));
        assert_eq!(destroy(again), 0);
        messages();
    });
}

fn sb_reopen(path: &str) -> *mut bpf_link {
    let p = c(path);
    // SAFETY: a C string.
    let link = unsafe { bpf_link__open(p.as_ptr()) };
    assert!(!link.is_null(), "bpf_link__open({path}): errno {}", errno());
    link
}

#[test]
fn pin_outside_bpffs_is_einval_and_leaves_the_0700_directory() {
    kernel_test(|sb| {
        let (link, _) = sb.opened("l2");
        assert_eq!(unpin(link), (0, 0));
        messages();
        // /tmp is a tmpfs here.
        assert_eq!(pin(link, "/tmp/notbpf/x"), (-libc::EINVAL, libc::EINVAL));
        let meta = std::fs::metadata("/tmp/notbpf").expect("left behind, as with libbpf");
        assert!(meta.is_dir());
        assert_eq!(meta.permissions().mode() & 0o7777, 0o700);
        assert!(!exists("/tmp/notbpf/x"));
        assert_eq!(pin_path_of(link), None);
        assert_eq!(
            messages(),
            vec![(
                WARN,
                "libbpf: specified path /tmp/notbpf/x is not on BPF FS\n".into()
            )]
        );
        assert_eq!(destroy(link), 0);
    });
}

#[test]
fn pin_needs_the_grandparent_enoent() {
    kernel_test(|sb| {
        let (link, _) = sb.opened("l3");
        assert_eq!(unpin(link), (0, 0));
        messages();
        assert_eq!(pin(link, "/tmp/bpffs/a/b/x"), (-libc::ENOENT, libc::ENOENT));
        assert!(!exists("/tmp/bpffs/a"));
        assert_eq!(
            messages(),
            vec![(
                WARN,
                "libbpf: failed to mkdir /tmp/bpffs/a/b/x: -ENOENT\n".into()
            )]
        );
        // The name is taken: the kernel's EEXIST, the pin path dropped again.
        sb_pin_prog(sb, &c("/tmp/bpffs/taken"));
        assert_eq!(pin(link, "/tmp/bpffs/taken"), (-libc::EEXIST, libc::EEXIST));
        assert_eq!(pin_path_of(link), None);
        assert!(messages().is_empty());
        assert_eq!(destroy(link), 0);
    });
}

/// Pins the sandbox's program at `path` (a non-link bpffs object).
fn sb_pin_prog(sb: &Sandbox, path: &CStr) {
    // SAFETY: a C string.
    let r = unsafe { bpf_obj_pin(sb.prog.as_raw_fd(), path.as_ptr()) };
    assert_eq!(r, 0);
}

#[test]
fn relative_paths_are_judged_from_the_cwd() {
    kernel_test(|sb| {
        let (link, _) = sb.opened("l4");
        assert_eq!(unpin(link), (0, 0));
        messages();
        // CLONE_FS was unshared: chdir only affects this thread.
        std::env::set_current_dir(BPFFS).expect("chdir bpffs");
        // mkdir(".") failed with EEXIST, which is fine, and (as in libbpf)
        // errno is left at EEXIST although the call succeeds.
        assert_eq!(pin(link, "rel"), (0, libc::EEXIST));
        assert!(exists("/tmp/bpffs/rel"));
        assert_eq!(pin_path_of(link).as_deref(), Some("rel"));
        assert_eq!(unpin(link), (0, 0));
        assert!(!exists("/tmp/bpffs/rel"));
        messages();
        std::env::set_current_dir("/tmp").expect("chdir tmp");
        assert_eq!(pin(link, "rel2"), (-libc::EINVAL, libc::EINVAL));
        assert_eq!(
            messages(),
            vec![(
                WARN,
                "libbpf: specified path rel2 is not on BPF FS\n".into()
            )]
        );
        assert_eq!(destroy(link), 0);
    });
}

#[test]
fn unpin_after_external_unlink_keeps_the_pin_path() {
    kernel_test(|sb| {
        let (link, path) = sb.opened("l5");
        std::fs::remove_file(path.to_str().expect("utf8")).expect("unlink");
        assert_eq!(unpin(link), (-libc::ENOENT, libc::ENOENT));
        assert_eq!(pin_path_of(link).as_deref(), Some("/tmp/bpffs/l5"));
        assert!(messages().is_empty());
        // Still pinned as far as the object knows.
        assert_eq!(pin(link, "/tmp/bpffs/l5b").0, -libc::EBUSY);
        assert_eq!(destroy(link), 0);
    });
}

#[test]
fn open_failures_return_null_and_errno() {
    kernel_test(|_sb| {
        let p = c("/tmp/bpffs/nonexistent");
        set_errno(0);
        // SAFETY: a C string.
        let link = unsafe { bpf_link__open(p.as_ptr()) };
        assert!(link.is_null());
        assert_eq!(
            errno(),
            libc::ENOENT,
            "errno survives the clobbering callback"
        );
        assert_eq!(libbpf_get_error(ptr::null()), -(libc::ENOENT as i64));
        assert_eq!(errno(), libc::ENOENT);
        assert_eq!(
            messages(),
            vec![(
                WARN,
                "libbpf: failed to open link at /tmp/bpffs/nonexistent: -2\n".into()
            )]
        );

        let p = c("/nonexistent/x");
        // SAFETY: a C string.
        assert!(unsafe { bpf_link__open(p.as_ptr()) }.is_null());
        assert_eq!(errno(), libc::ENOENT);
        assert_eq!(
            messages(),
            vec![(
                WARN,
                "libbpf: failed to open link at /nonexistent/x: -2\n".into()
            )]
        );

        // NULL path: libbpf does not crash here; the kernel says EFAULT and
        // glibc prints the NULL %s as "(null)". Same behaviour.
        // SAFETY: NULL is allowed.
        assert!(unsafe { bpf_link__open(ptr::null()) }.is_null());
        assert_eq!(errno(), libc::EFAULT);
        assert_eq!(
            messages(),
            vec![(WARN, "libbpf: failed to open link at (null): -14\n".into())]
        );
    });
}

#[test]
fn open_accepts_any_pinned_object_like_libbpf() {
    kernel_test(|sb| {
        let path = c("/tmp/bpffs/prog");
        sb_pin_prog(sb, &path);
        let link = sb_reopen("/tmp/bpffs/prog");
        assert_eq!(pin_path_of(link).as_deref(), Some("/tmp/bpffs/prog"));
        // Not a link: the kernel refuses BPF_LINK_DETACH.
        set_errno(0);
        // SAFETY: a live link.
        assert_eq!(unsafe { bpf_link__detach(link) }, -libc::EINVAL);
        assert_eq!(errno(), libc::EINVAL);
        assert_eq!(destroy(link), 0);
        assert!(messages().is_empty());
    });
}

// ----------------------------------------- kernel: detach/disconnect/destroy

#[test]
fn detach_keeps_the_object_and_fd() {
    kernel_test(|sb| {
        let (link, path) = sb.opened("l6");
        let fd = fd_of(link);
        // SAFETY: a live link.
        assert_eq!(unsafe { bpf_link__detach(link) }, 0);
        assert_eq!(link_info(fd), (link_type::XDP, 0));
        // SAFETY: a live link.
        assert_eq!(unsafe { bpf_link__detach(link) }, 0, "second detach");
        assert_eq!(fd_of(link), fd);
        assert_eq!(pin_path_of(link).as_deref(), path.to_str().ok());
        assert_eq!(destroy(link), 0);
        assert!(!fd_is_open(fd));
        // lo is free again: a new XDP link can be created.
        drop(sb.xdp_link());
    });
}

#[test]
fn disconnect_then_destroy_leaves_the_fd_open() {
    kernel_test(|sb| {
        let (link, path) = sb.opened("l7");
        assert_eq!(unpin(link), (0, 0));
        let fd = fd_of(link);
        // SAFETY: a live link.
        unsafe { bpf_link__disconnect(link) };
        // SAFETY: reading the disconnected flag at libbpf's offset 28.
        assert_eq!(unsafe { link.cast::<u8>().add(28).read() }, 1);
        set_errno(0);
        assert_eq!(destroy(link), 0);
        assert_eq!(errno(), 0);
        assert!(
            fd_is_open(fd),
            "disconnected: destroy must not close the fd"
        );
        assert_eq!(link_info(fd), (link_type::XDP, 1));
        assert!(!exists(path.to_str().expect("utf8")));
        // SAFETY: the fd is ours now.
        drop(unsafe { OwnedFd::from_raw_fd(fd) });
    });
}

#[test]
fn our_links_have_libbpfs_layout_in_40_zeroed_bytes() {
    kernel_test(|sb| {
        let (link, _) = sb.opened("l8");
        let bytes = link.cast::<u8>();
        // SAFETY: reading our own allocation, which is at least 40 bytes
        // (checked first with malloc_usable_size).
        unsafe {
            assert!(libc::malloc_usable_size(link.cast()) >= 40);
            let word = |off: usize| bytes.add(off).cast::<usize>().read();
            assert_ne!(word(0), 0, "detach");
            assert_eq!(word(8), 0, "dealloc");
            assert_eq!(word(16), bpf_link__pin_path(link) as usize, "pin_path");
            assert_eq!(bytes.add(24).cast::<c_int>().read(), fd_of(link), "fd");
            assert_eq!(bytes.add(28).read(), 0, "disconnected");
            assert_eq!(word(32), 0, "what real bpf_link__update_map reads");
        }
        assert_eq!(destroy(link), 0);
    });
}

// ---------------------------------------------------- no kernel needed

#[test]
fn destroy_of_null_and_err_ptr_is_a_no_op() {
    set_errno(1234);
    assert_eq!(destroy(ptr::null_mut()), 0);
    assert_eq!(destroy(err_ptr(-22)), 0);
    assert_eq!(destroy(err_ptr(-4095)), 0);
    assert_eq!(destroy(err_ptr(-1)), 0);
    assert_eq!(errno(), 1234);
}

#[test]
fn libbpf_get_error_cases() {
    let x = 5u8;
    set_errno(77);
    assert_eq!(libbpf_get_error((&x as *const u8).cast()), 0);
    assert_eq!(errno(), 77);
    assert_eq!(libbpf_get_error(ptr::null()), -77);
    assert_eq!(errno(), 77);
    assert_eq!(libbpf_get_error(err_ptr::<c_void>(-22)), -22);
    assert_eq!(errno(), 22);
    assert_eq!(libbpf_get_error(err_ptr::<c_void>(-4095)), -4095);
    assert_eq!(errno(), 4095);
    set_errno(3);
    assert_eq!(
        libbpf_get_error(err_ptr::<c_void>(-4096)),
        0,
        "not an error pointer"
    );
    assert_eq!(errno(), 3);
}

/// libbpf_strerror into a buffer pre-filled with 0xAA: (return, errno,
/// text up to the first NUL, the whole buffer).
fn strerror(err: c_int, size: usize) -> (c_int, c_int, String, Vec<u8>) {
    let mut buf = vec![0xAAu8; size.max(1)];
    set_errno(0);
    // SAFETY: buf has room for `size` bytes.
    let r = unsafe { libbpf_strerror(err, buf.as_mut_ptr().cast(), size) };
    let e = errno();
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    (r, e, String::from_utf8_lossy(&buf[..end]).into_owned(), buf)
}

#[test]
fn libbpf_strerror_matches_measured_libbpf() {
    // Ordinary errno values: XSI strerror_r, sign ignored.
    let (r, e, t, _) = strerror(-22, 64);
    assert_eq!((r, e, t.as_str()), (0, 0, "Invalid argument"));
    assert_eq!(strerror(22, 64).2, "Invalid argument");
    // strerror_r's positive result is returned as is, errno untouched.
    let (r, e, t, _) = strerror(3999, 64);
    assert_eq!((r, e, t.as_str()), (libc::EINVAL, 0, "Unknown error 3999"));
    let (r, e, t, buf) = strerror(-22, 4);
    assert_eq!((r, e, t.as_str()), (libc::ERANGE, 0, "Inv"));
    assert_eq!(buf[3], 0);
    // libbpf's table; 4006 has no entry: "(null)".
    assert_eq!(strerror(4006, 64).0, 0);
    assert_eq!(strerror(4006, 64).2, "(null)");
    let (r, _, t, _) = strerror(-4007, 64);
    assert_eq!(
        (r, t.as_str()),
        (0, "Kernel verifier blocks program loading")
    );
    assert_eq!(strerror(4013, 64).2, "Incorrect netlink message parsing");
    // Exactly snprintf's bytes: the text, one NUL, and buf[size-1] = 0.
    let (_, _, _, buf) = strerror(4003, 32);
    assert_eq!(&buf[..16], b"Endian mismatch\0");
    assert!(buf[16..31].iter().all(|&b| b == 0xAA));
    assert_eq!(buf[31], 0);
    // Truncated: -ERANGE with errno.
    let (r, e, t, _) = strerror(4003, 15);
    assert_eq!(
        (r, e, t.as_str()),
        (-libc::ERANGE, libc::ERANGE, "Endian mismatc")
    );
    // Past the table: -ENOENT, or -ERANGE when cut.
    let (r, e, t, _) = strerror(5000, 64);
    assert_eq!(
        (r, e, t.as_str()),
        (-libc::ENOENT, libc::ENOENT, "Unknown libbpf error 5000")
    );
    let (r, e, t, _) = strerror(-4014, 64);
    assert_eq!(
        (r, e, t.as_str()),
        (-libc::ENOENT, libc::ENOENT, "Unknown libbpf error 4014")
    );
    let (r, e, t, _) = strerror(5000, 5);
    assert_eq!((r, e, t.as_str()), (-libc::ERANGE, libc::ERANGE, "Unkn"));
    let (r, e, t, _) = strerror(5000, 1);
    assert_eq!((r, e, t.as_str()), (-libc::ERANGE, libc::ERANGE, ""));
    // NULL buffer or zero size.
    set_errno(0);
    // SAFETY: NULL is checked.
    let r = unsafe { libbpf_strerror(1, ptr::null_mut(), 10) };
    assert_eq!(r, -libc::EINVAL);
    assert_eq!(errno(), libc::EINVAL);
    let (r, e, _, buf) = strerror(1, 0);
    assert_eq!((r, e), (-libc::EINVAL, libc::EINVAL));
    assert_eq!(buf, vec![0xAA], "nothing written for size 0");
}

#[test]
fn version_and_name_strings() {
    assert_eq!(libbpf_major_version(), 1);
    assert_eq!(libbpf_minor_version(), 7);
    assert_eq!(text(libbpf_version_string()).as_deref(), Some("v1.7"));
    assert_eq!(libbpf_version_string(), libbpf_version_string(), "static");
    assert_eq!(
        text(libbpf_bpf_attach_type_str(attach::XDP)).as_deref(),
        Some("xdp")
    );
    assert_eq!(
        text(libbpf_bpf_attach_type_str(58)).as_deref(),
        Some("trace_fsession")
    );
    assert_eq!(text(libbpf_bpf_attach_type_str(59)), None);
    assert_eq!(text(libbpf_bpf_attach_type_str(u32::MAX)), None);
    assert_eq!(
        text(libbpf_bpf_link_type_str(link_type::XDP)).as_deref(),
        Some("xdp")
    );
    assert_eq!(
        text(libbpf_bpf_link_type_str(14)).as_deref(),
        Some("sockmap")
    );
    assert_eq!(text(libbpf_bpf_link_type_str(15)), None);
}

/// The vendored libbpf 1.7.0 source (libbpf-sys), if this machine has it.
fn libbpf_source() -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    std::fs::read_dir(home.join("registry/src"))
        .ok()?
        .flatten()
        .map(|e| e.path().join("libbpf-sys-1.7.0+v1.7.0/libbpf"))
        .find(|d| d.join("src/libbpf.c").is_file())
}

/// `enum NAME { A, B = 3, ... }` → name → value.
fn parse_enum(header: &str, name: &str) -> HashMap<String, u32> {
    let start = header
        .find(&format!("enum {name} {{"))
        .expect("enum present");
    let body = &header[start..];
    let body = &body[body.find('{').expect("{") + 1..body.find("};").expect("};")];
    let mut values = HashMap::new();
    let mut next = 0u32;
    for item in body.split(',') {
        let item = item
            .lines()
            .map(|l| l.split("/*").next().unwrap_or(""))
            .collect::<String>();
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let (key, value) = match item.split_once('=') {
            Some((k, v)) => (k.trim(), v.trim().parse().expect("number")),
            None => (item, next),
        };
        values.insert(key.to_string(), value);
        next = value + 1;
    }
    values
}

/// `static const char * const NAME[] = { [SYM] = "text", ... };` → SYM → text.
fn parse_table(source: &str, name: &str) -> HashMap<String, String> {
    let start = source
        .find(&format!("static const char * const {name}[] = {{"))
        .expect("table");
    let body = &source[start..];
    let body = &body[..body.find("};").expect("};")];
    body.lines()
        .filter_map(|l| {
            let l = l.trim();
            let sym = l.strip_prefix('[')?.split(']').next()?.trim();
            let text = l.split('"').nth(1)?;
            Some((sym.to_string(), text.to_string()))
        })
        .collect()
}

#[test]
fn name_tables_match_the_vendored_libbpf_source() {
    let Some(dir) = libbpf_source() else {
        bpflink_testkit::skip("libbpf-sys 1.7.0 source not found (cargo fetch?)");
        return;
    };
    let source = std::fs::read_to_string(dir.join("src/libbpf.c")).expect("libbpf.c");
    let uapi = std::fs::read_to_string(dir.join("include/uapi/linux/bpf.h")).expect("bpf.h");
    for (enum_name, table, ours) in [
        (
            "bpf_attach_type",
            "attach_type_name",
            libbpf_bpf_attach_type_str as extern "C" fn(u32) -> *const c_char,
        ),
        ("bpf_link_type", "link_type_name", libbpf_bpf_link_type_str),
    ] {
        let values = parse_enum(&uapi, enum_name);
        let names = parse_table(&source, table);
        assert!(!names.is_empty());
        let mut expected: HashMap<u32, String> = HashMap::new();
        for (sym, text) in &names {
            expected.insert(
                *values.get(sym).unwrap_or_else(|| panic!("{sym} in UAPI")),
                text.clone(),
            );
        }
        let size = expected.keys().max().expect("entries") + 1;
        for v in 0..size + 20 {
            assert_eq!(text(ours(v)), expected.get(&v).cloned(), "{table}[{v}]");
        }
    }
}

#[test]
fn dirname_matches_the_c_library() {
    let mut inputs: Vec<Vec<u8>> = vec![b"".to_vec()];
    // Every string of length ≤ 6 over {'/', 'a', '.'}, and a few longer.
    let mut frontier = vec![Vec::new()];
    for _ in 0..6 {
        let mut next = Vec::new();
        for s in &frontier {
            for ch in [b'/', b'a', b'.'] {
                let mut t: Vec<u8> = s.clone();
                t.push(ch);
                next.push(t);
            }
        }
        inputs.extend(next.iter().cloned());
        frontier = next;
    }
    inputs.push(b"/sys/fs/bpf/my_link".to_vec());
    inputs.push(b"////sys//fs///".to_vec());
    for input in inputs {
        let mut buf = input.clone();
        buf.push(0);
        // SAFETY: a writable NUL-terminated buffer; glibc's dirname returns
        // a pointer into it or to a static ".".
        let theirs = unsafe { CStr::from_ptr(libc::dirname(buf.as_mut_ptr().cast())) }
            .to_bytes()
            .to_vec();
        assert_eq!(
            link_object::dirname(&input),
            theirs.as_slice(),
            "dirname({:?})",
            String::from_utf8_lossy(&input)
        );
    }
}

// ------------------------------------ deviations and foreign objects

thread_local! {
    static DETACHED: Cell<u32> = const { Cell::new(0) };
    static DEALLOCATED: Cell<u32> = const { Cell::new(0) };
}

/// A bigger object embedding struct bpf_link first, as libbpf's perf or
/// struct_ops links do.
#[repr(C)]
struct Container {
    link: bpf_link,
    extra: u64,
}

/// Like libbpf's struct_ops detach: returns close()'s raw -1.
unsafe extern "C" fn foreign_detach(_link: *mut bpf_link) -> c_int {
    DETACHED.with(|c| c.set(c.get() + 1));
    -1
}

unsafe extern "C" fn foreign_dealloc(link: *mut bpf_link) {
    DEALLOCATED.with(|c| c.set(c.get() + 1));
    // SAFETY: the container came from calloc.
    unsafe { libc::free(link.cast()) };
}

/// A libbpf-made object: calloc'ed container, strdup'ed pin path.
fn foreign(fd: c_int, pin_path: Option<&str>, callbacks: bool) -> *mut bpf_link {
    // SAFETY: calloc'ed memory sized for the container; fields written in place.
    unsafe {
        let link = libc::calloc(1, std::mem::size_of::<Container>()).cast::<bpf_link>();
        assert!(!link.is_null());
        if callbacks {
            (*link).detach = Some(foreign_detach);
            (*link).dealloc = Some(foreign_dealloc);
        }
        (*link).fd = fd;
        if let Some(p) = pin_path {
            (*link).pin_path = libc::strdup(c(p).as_ptr());
        }
        link
    }
}

#[test]
fn foreign_objects_go_through_their_own_callbacks() {
    capture_messages();
    let link = foreign(77, Some("/sys/fs/bpf/foreign"), true);
    assert_eq!(fd_of(link), 77);
    assert_eq!(pin_path_of(link).as_deref(), Some("/sys/fs/bpf/foreign"));
    assert_eq!(pin(link, "/sys/fs/bpf/x"), (-libc::EBUSY, libc::EBUSY));
    // detach's raw -1 becomes errno 1 (libbpf_err), dealloc frees.
    set_errno(0);
    assert_eq!(destroy(link), -1);
    assert_eq!(errno(), 1);
    assert_eq!(DETACHED.with(Cell::get), 1);
    assert_eq!(DEALLOCATED.with(Cell::get), 1);

    // Disconnected (any non-zero byte): no detach, still dealloc.
    let link = foreign(78, None, true);
    // SAFETY: byte 28 is the C _Bool `disconnected`.
    unsafe { link.cast::<u8>().add(28).write(2) };
    assert_eq!(destroy(link), 0);
    assert_eq!(DETACHED.with(Cell::get), 1);
    assert_eq!(DEALLOCATED.with(Cell::get), 2);

    // No callbacks: plain free of pin path and object.
    let link = foreign(79, Some("/p"), false);
    assert_eq!(destroy(link), 0);

    // Unpin of a path that is gone: its errno, pin path kept, silent.
    let link = foreign(80, Some("/nonexistent-bpflink-dir/x"), false);
    assert_eq!(unpin(link), (-libc::ENOENT, libc::ENOENT));
    assert_eq!(
        pin_path_of(link).as_deref(),
        Some("/nonexistent-bpflink-dir/x")
    );
    assert_eq!(destroy(link), 0);
    assert!(messages().is_empty());
}

#[test]
fn deviations_return_einval_where_libbpf_crashes() {
    capture_messages();
    for bad in [ptr::null_mut::<bpf_link>(), err_ptr(-22), err_ptr(-4095)] {
        set_errno(0);
        assert_eq!(fd_of(bad), -libc::EINVAL);
        assert_eq!(errno(), libc::EINVAL);
        set_errno(0);
        // SAFETY: bad pointers are what is tested.
        assert!(unsafe { bpf_link__pin_path(bad) }.is_null());
        assert_eq!(errno(), libc::EINVAL);
        assert_eq!(pin(bad, "/sys/fs/bpf/x"), (-libc::EINVAL, libc::EINVAL));
        assert_eq!(unpin(bad), (-libc::EINVAL, libc::EINVAL));
        set_errno(0);
        // SAFETY: as above.
        assert_eq!(unsafe { bpf_link__detach(bad) }, -libc::EINVAL);
        assert_eq!(errno(), libc::EINVAL);
        set_errno(0);
        // SAFETY: as above.
        unsafe { bpf_link__disconnect(bad) };
        assert_eq!(errno(), libc::EINVAL);
    }
    // NULL path: EINVAL before any mkdir; EBUSY still wins when pinned.
    let link = foreign(81, None, false);
    set_errno(0);
    // SAFETY: NULL path is what is tested.
    assert_eq!(unsafe { bpf_link__pin(link, ptr::null()) }, -libc::EINVAL);
    assert_eq!(errno(), libc::EINVAL);
    assert_eq!(destroy(link), 0);
    let link = foreign(82, Some("/p"), false);
    // SAFETY: as above.
    assert_eq!(unsafe { bpf_link__pin(link, ptr::null()) }, -libc::EBUSY);
    assert_eq!(destroy(link), 0);
    assert!(messages().is_empty());
}
