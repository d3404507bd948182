//! `struct bpf_link` and the decisions of the `bpf_link__*` functions
//! (docs/libbpf-behaviour.md#the-object-api-struct-bpf_link; libbpf 1.7.0
//! `libbpf.c`: `bpf_link__open/pin/unpin/detach`, `make_parent_dir`,
//! `check_path`).
//!
//! The object itself lives in C memory and is touched only by the FFI layer
//! (the C library's `src/object.rs`); here it is seen through [`LinkObject`]
//! (its fd and pin path), the filesystem through [`LinkFs`], and the kernel
//! through [`Kernel`], so every step, error and message can be tested with
//! fakes.

use core::ffi::{CStr, c_char, c_int};
use core::mem::{align_of, offset_of, size_of};

use super::calls;
use super::errno::{Errno, Result};
use super::kernel::{Kernel, nonzero_is_errno};
use super::opts::Log;

/// libbpf's private `struct bpf_link` (`libbpf_internal.h`, unchanged since
/// v0.5.0; docs/libbpf-behaviour.md#the-struct-and-who-owns-its-memory). Links
/// made by the real libbpf reach our functions under LD_PRELOAD and ours may
/// reach it, so the layout is exact, the memory comes from libc
/// `calloc`/`strdup`, and destruction goes through the object's own
/// `detach`/`dealloc`. C code only ever sees a pointer (the header declares
/// the struct incomplete).
/// cbindgen:ignore
#[repr(C)]
pub struct bpf_link {
    /// Tears the attachment down; NULL if there is nothing to do.
    pub detach: Option<unsafe extern "C" fn(link: *mut bpf_link) -> c_int>,
    /// Frees a larger object embedding this one; NULL means plain `free()`.
    pub dealloc: Option<unsafe extern "C" fn(link: *mut bpf_link)>,
    /// `malloc`ed copy of the pin path; NULL if not pinned.
    pub pin_path: *mut c_char,
    /// The fd the link owns.
    pub fd: c_int,
    /// Set by `bpf_link__disconnect`: destroy then skips `detach`.
    pub disconnected: bool,
}

// libbpf's numbers, from its `libbpf_internal.h` compiled for each target
// (docs/architectures.md): three pointers, an int and a bool, so the size
// and offsets follow the pointer width. `conformance/link_mirror.h`
// asserts the same layout against libbpf's header in C for every target the
// cross step builds.
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(size_of::<bpf_link>() == 32);
    assert!(align_of::<bpf_link>() == 8);
    assert!(offset_of!(bpf_link, detach) == 0);
    assert!(offset_of!(bpf_link, dealloc) == 8);
    assert!(offset_of!(bpf_link, pin_path) == 16);
    assert!(offset_of!(bpf_link, fd) == 24);
    assert!(offset_of!(bpf_link, disconnected) == 28);
};
#[cfg(target_pointer_width = "32")]
const _: () = {
    assert!(size_of::<bpf_link>() == 20);
    assert!(align_of::<bpf_link>() == 4);
    assert!(offset_of!(bpf_link, detach) == 0);
    assert!(offset_of!(bpf_link, dealloc) == 4);
    assert!(offset_of!(bpf_link, pin_path) == 8);
    assert!(offset_of!(bpf_link, fd) == 12);
    assert!(offset_of!(bpf_link, disconnected) == 16);
};

/// libbpf's `struct bpf_link_perf`: the link of a perf event attach, which
/// owns the perf fd and, for a legacy tracefs probe, its name (`strdup`ed)
/// and kind, so that `bpf_link__destroy` from either library disables the
/// event, closes both fds and removes the probe.
/// cbindgen:ignore
#[repr(C)]
pub struct bpf_link_perf {
    pub link: bpf_link,
    pub perf_event_fd: c_int,
    pub legacy_probe_name: *mut c_char,
    pub legacy_is_kprobe: bool,
    pub legacy_is_retprobe: bool,
}

// libbpf's numbers (libbpf.c's struct compiled for each pointer width).
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(size_of::<bpf_link_perf>() == 56);
    assert!(offset_of!(bpf_link_perf, perf_event_fd) == 32);
    assert!(offset_of!(bpf_link_perf, legacy_probe_name) == 40);
    assert!(offset_of!(bpf_link_perf, legacy_is_kprobe) == 48);
    assert!(offset_of!(bpf_link_perf, legacy_is_retprobe) == 49);
};
#[cfg(target_pointer_width = "32")]
const _: () = {
    assert!(size_of::<bpf_link_perf>() == 32);
    assert!(offset_of!(bpf_link_perf, perf_event_fd) == 20);
    assert!(offset_of!(bpf_link_perf, legacy_probe_name) == 24);
    assert!(offset_of!(bpf_link_perf, legacy_is_kprobe) == 28);
    assert!(offset_of!(bpf_link_perf, legacy_is_retprobe) == 29);
};

/// libbpf's `struct bpf_link_struct_ops` (`libbpf.c`): a link followed by
/// the `int map_fd` that the real `bpf_link__update_map` reads from any
/// link it is given
/// (docs/libbpf-behaviour.md#the-struct-and-who-owns-its-memory).
#[repr(C)]
struct StructOpsLink {
    _link: bpf_link,
    _map_fd: c_int,
}

/// Bytes `calloc`ed for a link bpflink creates: libbpf's plain links are
/// `sizeof(struct bpf_link)`, but a real `bpf_link__update_map` handed one
/// of ours reads `map_fd` past it; allocating libbpf's struct-ops link
/// size (40 bytes on 64-bit targets, 24 on 32-bit ones), zeroed, keeps that
/// read inside our allocation (it sees 0).
pub const PLAIN_LINK_ALLOC_SIZE: usize = size_of::<StructOpsLink>();

const _: () = assert!(PLAIN_LINK_ALLOC_SIZE >= offset_of!(StructOpsLink, _map_fd) + 4);
#[cfg(target_pointer_width = "64")]
const _: () = assert!(PLAIN_LINK_ALLOC_SIZE == 40);

/// `BPF_FS_MAGIC`, `statfs.f_type` of a bpffs mount.
pub const BPF_FS_MAGIC: i64 = 0xcafe_4a11;

/// Mode of the parent directory `bpf_link__pin` creates.
pub const PIN_DIR_MODE: u32 = 0o700;

/// One `struct bpf_link` as the functions here see it.
pub trait LinkObject {
    /// `link->fd`.
    fn fd(&self) -> i32;
    /// `link->pin_path`, `None` for NULL.
    fn pin_path(&self) -> Option<&CStr>;
    /// `link->pin_path = strdup(path)`; `ENOMEM` if that fails.
    fn set_pin_path(&mut self, path: &CStr) -> Result<()>;
    /// `zfree(&link->pin_path)`.
    fn clear_pin_path(&mut self);
}

/// The filesystem calls `bpf_link__pin`/`unpin` make.
pub trait LinkFs {
    /// libbpf's `dir = dirname(strdup(path))`: runs `f` on the directory
    /// part of `path` ([`dirname`]) as a C string, held in a libc copy of
    /// `path` that is freed afterwards. `ENOMEM` (without calling `f`) when
    /// that copy cannot be allocated, as in libbpf.
    fn with_dirname(&self, path: &CStr, f: &mut dyn FnMut(&CStr) -> Result<()>) -> Result<()>;
    /// `mkdir(path, mode)`.
    fn mkdir(&self, path: &CStr, mode: u32) -> Result<()>;
    /// `statfs(path)`, reduced to `f_type`.
    fn statfs_type(&self, path: &CStr) -> Result<i64>;
    /// `unlink(path)`.
    fn unlink(&self, path: &CStr) -> Result<()>;
}

/// Messages of the object API, with libbpf's levels; the FFI layer prints
/// each with libbpf's exact format string (the C library's `src/print.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message<'a> {
    /// WARN `libbpf: failed to mkdir <path>: <errstr>` (the full path, not
    /// the directory).
    MkdirFailed { path: &'a CStr, err: Errno },
    /// WARN `libbpf: failed to statfs <dir>: <errstr>`.
    StatfsFailed { dir: &'a CStr, err: Errno },
    /// WARN `libbpf: specified path <path> is not on BPF FS`.
    NotOnBpffs { path: &'a CStr },
    /// WARN `libbpf: failed to open link at <path>: <-errno as %d>`; a NULL
    /// path is printed by the C library (glibc: `(null)`).
    OpenFailed { path: Option<&'a CStr>, err: Errno },
    /// DEBUG `libbpf: link fd=<fd>: pinned at <path>`.
    Pinned { fd: i32, path: &'a CStr },
    /// DEBUG `libbpf: link fd=<fd>: unpinned from <path>`.
    Unpinned { fd: i32, path: &'a CStr },
}

/// A sink for [`Message`]s.
pub trait ObjectLog {
    fn message(&mut self, m: Message<'_>);
}

/// glibc's `dirname(3)` (the one libbpf calls), on bytes: the directory
/// part of `path` with trailing slashes removed; `"."` without a slash;
/// `"/"` for the root, but `"//"` when the path starts with exactly two
/// slashes (POSIX leaves `//` implementation-defined). `tests/object_api.rs`
/// compares it with the C library's on many inputs.
pub fn dirname(path: &[u8]) -> &[u8] {
    let is_slash = |i: usize| path.get(i) == Some(&b'/');
    // Index just past the run of slashes that ends before `i`, going left.
    let skip_slashes_back = |mut i: usize| {
        while i != 0 && is_slash(i - 1) {
            i -= 1;
        }
        i
    };
    let mut last = path.iter().rposition(|&b| b == b'/');
    if let Some(ls) = last {
        if ls != 0 && ls + 1 == path.len() {
            // Trailing slash(es): look for the slash before them.
            let start = skip_slashes_back(ls);
            if start != 0 {
                last = path
                    .get(..start)
                    .and_then(|p| p.iter().rposition(|&b| b == b'/'));
            }
        }
    }
    let Some(ls) = last else { return b"." };
    let end = match skip_slashes_back(ls) {
        0 if ls == 1 => 2,
        0 => 1,
        end => end,
    };
    path.get(..end).unwrap_or(b".")
}

/// Where [`dirname`]'s answer lies in the path: `None` for `"."` (a path
/// without a slash), else its length (the answer is always a prefix of the
/// path otherwise). Lets an implementation of [`LinkFs::with_dirname`] cut
/// its copy of the path in place, as glibc's `dirname` does.
pub fn dirname_prefix_len(path: &[u8]) -> Option<usize> {
    let dir = dirname(path);
    (dir.as_ptr() == path.as_ptr() && !dir.is_empty()).then_some(dir.len())
}

/// `make_parent_dir(path)`: `mkdir(dirname(path), 0700)`, only the
/// immediate parent; `EEXIST` is fine.
pub fn make_parent_dir<F: LinkFs + ?Sized, L: ObjectLog + ?Sized>(
    fs: &F,
    path: &CStr,
    log: &mut L,
) -> Result<()> {
    let mut made = Ok(());
    fs.with_dirname(path, &mut |dir| {
        made = fs.mkdir(dir, PIN_DIR_MODE);
        Ok(())
    })?;
    match made {
        Ok(()) | Err(Errno::EEXIST) => Ok(()),
        Err(err) => {
            log.message(Message::MkdirFailed { path, err });
            Err(err)
        }
    }
}

/// Room for the directory named in `check_path`'s statfs WARN (PATH_MAX,
/// its NUL included: statfs rejects longer ones).
const DIR_COPY: usize = 4096;

/// `check_path(path)`: `dirname(path)` must be on a bpffs mount (a relative
/// path is judged from the current directory).
pub fn check_path<F: LinkFs + ?Sized, L: ObjectLog + ?Sized>(
    fs: &F,
    path: &CStr,
    log: &mut L,
) -> Result<()> {
    let mut f_type = Ok(0);
    // The WARN names the directory, which lives in the libc copy of the
    // path: it is copied out and printed after the copy is freed, so that a
    // print callback that never returns (longjmp) leaks nothing. (libbpf
    // prints while holding its copy.) A directory too long to copy here
    // (statfs answers ENAMETOOLONG for it) is printed while held.
    let mut failed_dir = [0u8; DIR_COPY];
    let mut copied = 0;
    fs.with_dirname(path, &mut |dir| {
        f_type = fs.statfs_type(dir);
        if let Err(err) = f_type {
            let bytes = dir.to_bytes_with_nul();
            match failed_dir.get_mut(..bytes.len()) {
                Some(dst) => {
                    dst.copy_from_slice(bytes);
                    copied = bytes.len();
                }
                None => log.message(Message::StatfsFailed { dir, err }),
            }
        }
        Ok(())
    })?;
    if let (Err(err), Some(copy)) = (f_type, failed_dir.get(..copied)) {
        if let Ok(dir) = CStr::from_bytes_with_nul(copy) {
            log.message(Message::StatfsFailed { dir, err });
        }
    }
    if f_type? == BPF_FS_MAGIC {
        Ok(())
    } else {
        log.message(Message::NotOnBpffs { path });
        Err(Errno::EINVAL)
    }
}

/// `bpf_link__pin(link, path)`:
/// 1. already pinned → `EBUSY`;
/// 2. create the immediate parent directory (0700) — before the bpffs check,
///    so a rejected path can leave an empty directory behind, like libbpf;
/// 3. the parent must be on bpffs (`EINVAL` otherwise);
/// 4. `pin_path = strdup(path)`, then `bpf_obj_pin(fd, pin_path)`; on
///    failure the pin path is dropped again and the kernel's errno returned;
/// 5. DEBUG "pinned at".
///
/// `path == None` (NULL) is `EINVAL` before anything else happens except
/// the `EBUSY` check: libbpf would crash in `strdup(NULL)` (README,
/// "Deviations").
pub fn pin<K: Kernel + ?Sized, F: LinkFs + ?Sized, O: LinkObject + ?Sized, L: Log + ObjectLog>(
    k: &K,
    fs: &F,
    link: &mut O,
    path: Option<&CStr>,
    log: &mut L,
) -> Result<i32> {
    if link.pin_path().is_some() {
        return Err(Errno::EBUSY);
    }
    let Some(path) = path else {
        return Err(Errno::EINVAL);
    };
    make_parent_dir(fs, path, log)?;
    check_path(fs, path, log)?;
    link.set_pin_path(path)?;
    let fd = link.fd();
    // The kernel reads the path from our copy, as with libbpf.
    let copy = link.pin_path().map_or(0, |p| p.as_ptr() as u64);
    // `if (bpf_obj_pin(...)) { err = -errno; ... }`: judged on the C result.
    // SAFETY: `copy` is the link's own NUL-terminated pin path, alive until
    // `clear_pin_path`, which only runs after the call.
    let pinned = unsafe { calls::obj_pin(k, fd, copy, None, log) };
    if let Err(e) = nonzero_is_errno(k, pinned) {
        link.clear_pin_path();
        return Err(e);
    }
    if let Some(pinned) = link.pin_path() {
        log.message(Message::Pinned { fd, path: pinned });
    }
    Ok(0)
}

/// `bpf_link__unpin(link)`: not pinned → `EINVAL`; `unlink(pin_path)`
/// failing returns its errno and **keeps** the pin path; on success DEBUG
/// "unpinned from" and the pin path is dropped.
pub fn unpin<F: LinkFs + ?Sized, O: LinkObject + ?Sized, L: ObjectLog + ?Sized>(
    fs: &F,
    link: &mut O,
    log: &mut L,
) -> Result<i32> {
    let fd = link.fd();
    let Some(path) = link.pin_path() else {
        return Err(Errno::EINVAL);
    };
    fs.unlink(path)?;
    log.message(Message::Unpinned { fd, path });
    link.clear_pin_path();
    Ok(0)
}

/// The kernel half of `bpf_link__open(path)`: `bpf_obj_get(path)` (plain,
/// no flags; fd hygiene applies), WARN "failed to open link at" on failure.
/// The caller then wraps the fd in a new object whose pin path is `path`
/// (an opened link counts as pinned). `None` (NULL) is handed to the kernel
/// as address 0, like libbpf does; the kernel answers `EFAULT`.
pub fn open_fd<K: Kernel + ?Sized, L: Log + ObjectLog>(
    k: &K,
    path: Option<&CStr>,
    log: &mut L,
) -> Result<i32> {
    let addr = path.map_or(0, |p| p.as_ptr() as u64);
    // libbpf tests bpf_obj_get()'s C result: a failure whose errno is 0
    // reads as fd 0 there, and is taken as success (only a fake kernel
    // answers that way).
    // SAFETY: `addr` is 0 or the address of the C string `path`.
    match unsafe { calls::obj_get(k, addr, None, log) } {
        Err(e) if e.0 == 0 => Ok(0),
        r => r.inspect_err(|&err| {
            log.message(Message::OpenFailed { path, err });
        }),
    }
}

/// `bpf_link__detach(link)`: `bpf_link_detach(link->fd)`; 0 or the errno.
/// The object is unchanged (the fd stays open; destroy still closes it).
pub fn detach<K: Kernel + ?Sized>(k: &K, fd: i32) -> Result<i32> {
    // `return bpf_link_detach(link->fd) ? -errno : 0;`
    nonzero_is_errno(k, calls::link_detach(k, fd)).map(|()| 0)
}

/// The return value of `bpf_link__destroy` from its `detach` callback's:
/// `libbpf_err(err)`, so a negative value is also stored in errno (a
/// struct_ops detach returns a raw -1, giving errno 1 — a libbpf quirk kept
/// as is).
pub fn destroy_result(detach_ret: i32) -> Result<i32> {
    if detach_ret < 0 {
        Err(Errno(detach_ret.wrapping_neg()))
    } else {
        Ok(detach_ret)
    }
}

/// Whether `bpf_link__destroy` calls the object's `detach`.
pub fn destroy_detaches(disconnected: bool, has_detach: bool) -> bool {
    !disconnected && has_detach
}
