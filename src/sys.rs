//! The only door to the kernel.
//!
//! Like libbpf, every `bpf()` call goes through libc's `syscall(SYS_bpf, …)`
//! (never an inline `syscall` instruction), so tracers, seccomp tooling and
//! fake kernels that interpose `syscall` see every call we make, from the
//! shared and the static library alike. fd hygiene uses libc's `fcntl` and
//! `close`. This module is also the only place that reads `errno` after a
//! call; `ffi::ret` is the only place that writes it for the caller.

use crate::core::errno::{Errno, Result};
use crate::core::kernel::Kernel;
use crate::core::opts::{TailReader, TailScan};

/// The real kernel.
pub struct Sys;

/// The one instance the C functions use.
pub static SYS: Sys = Sys;

fn errno() -> i32 {
    // SAFETY: __errno_location always returns a valid pointer to this
    // thread's errno.
    unsafe { *libc::__errno_location() }
}

fn set_errno(e: i32) {
    // SAFETY: as in `errno()`.
    unsafe { *libc::__errno_location() = e }
}

impl Kernel for Sys {
    fn bpf(&self, cmd: u32, attr: &mut [u8]) -> Result<i32> {
        let size = attr.len() as libc::c_uint;
        // SAFETY: `attr` is a live, writable buffer of exactly `size` bytes,
        // which is all the kernel reads or writes for this command. Pointers
        // inside it were supplied by our caller, who vouches for them (as
        // with libbpf).
        let ret =
            unsafe { libc::syscall(libc::SYS_bpf, cmd as libc::c_long, attr.as_mut_ptr(), size) };
        if ret < 0 {
            Err(Errno(errno()))
        } else {
            Ok(ret as i32)
        }
    }

    fn dup_above_stdio(&self, fd: i32) -> Result<i32> {
        // SAFETY: fcntl with F_DUPFD_CLOEXEC takes an int argument and
        // touches no memory.
        let ret = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 3) };
        if ret < 0 {
            Err(Errno(errno()))
        } else {
            Ok(ret)
        }
    }

    fn errno(&self) -> i32 {
        errno()
    }

    fn close(&self, fd: i32) {
        let saved = errno();
        // SAFETY: closing an fd the kernel just gave us and nobody else has
        // seen yet.
        unsafe { libc::close(fd) };
        set_errno(saved);
    }
}

/// Writes `errno` for the C caller (used only by `ffi::ret` and the print
/// path, which must leave errno as it found it).
pub fn store_errno(e: i32) {
    set_errno(e);
}

/// Reads `errno` (the print path saves it around user callbacks).
pub fn load_errno() -> i32 {
    errno()
}

// ---- Interface names (the Rust API and the `bpflink` tool) ---------------

/// libc `if_indextoname`: the name of interface `ifindex` in the calling
/// thread's network namespace, or `Err(errno)` (`ENXIO`: no such index).
pub fn if_indextoname(ifindex: u32) -> Result<String> {
    let mut buf = [0 as libc::c_char; libc::IF_NAMESIZE];
    // SAFETY: `buf` has the IF_NAMESIZE bytes if_indextoname may write.
    let p = unsafe { libc::if_indextoname(ifindex, buf.as_mut_ptr()) };
    if p.is_null() {
        return Err(Errno(errno()));
    }
    // SAFETY: on success `buf` holds a NUL-terminated name.
    let name = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) };
    Ok(name.to_string_lossy().into_owned())
}

/// libc `if_nametoindex`: the index of interface `name` in the calling
/// thread's network namespace, or `Err(errno)` (`ENODEV`: no such name).
pub fn if_nametoindex(name: &std::ffi::CStr) -> Result<u32> {
    // SAFETY: `name` is a NUL-terminated string that outlives the call.
    let idx = unsafe { libc::if_nametoindex(name.as_ptr()) };
    if idx == 0 {
        Err(Errno(match errno() {
            0 => libc::ENODEV,
            e => e,
        }))
    } else {
        Ok(idx)
    }
}

/// Conservative page size for "is this byte on an already-touched page"
/// reasoning; real pages are never smaller.
const MIN_PAGE: usize = 4096;

/// The first address after the (smallest possible) page holding `addr`:
/// every byte below it on that page is mapped if `addr` is.
#[inline(always)]
pub fn page_end(addr: usize) -> usize {
    (addr | (MIN_PAGE - 1)).saturating_add(1)
}

/// Reads a caller's opts bytes past the part we copied, without ever
/// faulting: bytes on the page we already read are read directly, the rest
/// with `process_vm_readv` on our own process, which reports unmapped memory
/// as `EFAULT` instead of crashing (libbpf would crash there: README,
/// "Deviations").
pub struct CallerTail {
    /// Address of the caller's struct.
    pub base: usize,
}

/// Reads `buf.len()` bytes of our own memory at `addr` through the kernel
/// (`process_vm_readv`): `false`, instead of a fault, if any is unmapped.
pub fn read_own_memory(addr: usize, buf: &mut [u8]) -> bool {
    CallerTail::read_checked(addr, buf)
}

impl CallerTail {
    /// Reads `buf.len()` bytes at `addr` through the kernel; `false` if any
    /// of them is unmapped.
    fn read_checked(addr: usize, buf: &mut [u8]) -> bool {
        let local = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        let remote = libc::iovec {
            iov_base: addr as *mut libc::c_void,
            iov_len: buf.len(),
        };
        // SAFETY: `local` describes our own writable buffer; the kernel
        // validates `remote` and fails with EFAULT instead of faulting.
        let n = unsafe { libc::process_vm_readv(libc::getpid(), &local, 1, &remote, 1, 0) };
        n >= 0 && n as usize == buf.len()
    }
}

impl TailReader for CallerTail {
    fn scan(&self, start: usize, end: usize) -> TailScan {
        let Some(first) = self.base.checked_add(start) else {
            return TailScan::Unreadable;
        };
        // Bytes [base, base+start) were read directly, so the page holding
        // the last of them is mapped: scan the rest of that page directly.
        let last_read = page_end(first.wrapping_sub(1));
        let mut pos = first;
        let stop = self.base.saturating_add(end);
        while pos < stop && pos < last_read {
            // SAFETY: `pos` lies on the same page as a byte we already read
            // (`base + start - 1`), and pages are mapped whole.
            let b = unsafe { std::ptr::read_volatile(pos as *const u8) };
            if b != 0 {
                return TailScan::NonZero;
            }
            pos += 1;
        }
        if pos < stop {
            Self::scan_far(pos, stop)
        } else {
            TailScan::Zero
        }
    }
}

impl CallerTail {
    /// The part of a tail beyond the page already read: through the kernel,
    /// so unmapped memory is an answer, not a crash. Cold: only callers whose
    /// `sz` reaches past that page come here (its 4 KiB buffer would
    /// otherwise be zeroed on every call).
    #[cold]
    #[inline(never)]
    fn scan_far(mut pos: usize, stop: usize) -> TailScan {
        let mut chunk = [0u8; 4096];
        while pos < stop {
            let n = (stop - pos).min(chunk.len());
            let Some(buf) = chunk.get_mut(..n) else {
                return TailScan::Unreadable;
            };
            if !Self::read_checked(pos, buf) {
                // libbpf reads byte by byte and stops at the first non-zero
                // byte; find out whether one precedes the hole.
                for (i, b) in buf.iter_mut().enumerate() {
                    if !Self::read_checked(pos + i, std::slice::from_mut(b)) {
                        return TailScan::Unreadable;
                    }
                    if *b != 0 {
                        return TailScan::NonZero;
                    }
                }
                return TailScan::Unreadable;
            }
            if buf.iter().any(|&b| b != 0) {
                return TailScan::NonZero;
            }
            pos += n;
        }
        TailScan::Zero
    }
}

// ---- The object API (`bpf_link__*`, `libbpf_strerror`) -------------------

use std::ffi::{CStr, c_char, c_void};

use crate::core::link_object::LinkFs;

fn check(ret: libc::c_int) -> Result<()> {
    if ret < 0 { Err(Errno(errno())) } else { Ok(()) }
}

impl LinkFs for Sys {
    fn mkdir(&self, path: &CStr, mode: u32) -> Result<()> {
        // SAFETY: `path` is a NUL-terminated string that outlives the call.
        check(unsafe { libc::mkdir(path.as_ptr(), mode as libc::mode_t) })
    }

    fn statfs_type(&self, path: &CStr) -> Result<i64> {
        let mut st = std::mem::MaybeUninit::<libc::statfs>::zeroed();
        // SAFETY: `path` is a C string; `st` is a writable `struct statfs`.
        check(unsafe { libc::statfs(path.as_ptr(), st.as_mut_ptr()) })?;
        // SAFETY: zero-initialised, and filled in by a successful statfs.
        let f_type = unsafe { st.assume_init() }.f_type;
        // `__fsword_t`: `long`, i.e. i64 on the LP64 targets we build for.
        #[allow(clippy::unnecessary_cast)]
        Ok(f_type as i64)
    }

    fn unlink(&self, path: &CStr) -> Result<()> {
        // SAFETY: `path` is a NUL-terminated string that outlives the call.
        check(unsafe { libc::unlink(path.as_ptr()) })
    }
}

/// `close(fd)` reporting failure, with `errno` left as `close` set it (a
/// link's own detach, libbpf's `bpf_link__detach_fd`).
pub fn close_fd(fd: i32) -> Result<()> {
    // SAFETY: closing an fd touches no memory; which fd is the caller's
    // business (the link owns it).
    check(unsafe { libc::close(fd) })
}

/// libc `calloc(1, size)`: zeroed memory that libc `free` (ours or the real
/// libbpf's) releases. NULL on failure.
pub fn calloc(size: usize) -> *mut c_void {
    // SAFETY: calloc has no preconditions.
    unsafe { libc::calloc(1, size) }
}

/// libc `strdup(s)`: NULL on failure; release with [`free`].
pub fn strdup(s: &CStr) -> *mut c_char {
    // SAFETY: `s` is a NUL-terminated string that outlives the call.
    unsafe { libc::strdup(s.as_ptr()) }
}

/// libc `free(p)`.
///
/// # Safety
/// `p` is NULL or came from libc's allocator and is not used afterwards.
pub unsafe fn free(p: *mut c_void) {
    // SAFETY: forwarded from this function's contract.
    unsafe { libc::free(p) }
}

/// The C library's XSI `strerror_r` (glibc `__xpg_strerror_r`, which
/// libbpf gets by compiling without `_GNU_SOURCE`): `Ok` with its return
/// value (0 or a positive errno), `Err(errno)` for an old-style -1.
///
/// # Safety
/// `buf` is valid for writing `size` bytes.
pub unsafe fn strerror_r(errnum: i32, buf: *mut c_char, size: usize) -> Result<i32> {
    // SAFETY: forwarded from this function's contract.
    let ret = unsafe { libc::strerror_r(errnum, buf, size) };
    if ret < 0 {
        Err(Errno(errno()))
    } else {
        Ok(ret)
    }
}

unsafe extern "C" {
    /// glibc's `secure_getenv` (not bound by the libc crate).
    fn secure_getenv(name: *const c_char) -> *mut c_char;
}

/// `secure_getenv(name)`: the value's bytes, or `None` when unset or when
/// the process runs set-uid/set-gid (AT_SECURE).
pub fn secure_env(name: &CStr) -> Option<Vec<u8>> {
    // SAFETY: `name` is a C string; secure_getenv returns NULL or a pointer
    // into the environment, which we copy at once.
    let p = unsafe { secure_getenv(name.as_ptr()) };
    if p.is_null() {
        return None;
    }
    // SAFETY: a non-NULL result is a NUL-terminated string.
    Some(unsafe { CStr::from_ptr(p) }.to_bytes().to_vec())
}

/// Opens `path` for appending (created 0600 if missing), close-on-exec,
/// never as fd 0/1/2.
pub fn open_append(path: &CStr) -> Result<i32> {
    // SAFETY: `path` is a C string; open touches no other memory.
    let fd = unsafe {
        libc::open(
            path.as_ptr(),
            libc::O_WRONLY | libc::O_APPEND | libc::O_CREAT | libc::O_CLOEXEC,
            0o600,
        )
    };
    if fd < 0 {
        return Err(Errno(errno()));
    }
    if fd > 2 {
        return Ok(fd);
    }
    let moved = SYS.dup_above_stdio(fd);
    SYS.close(fd);
    moved
}

/// `close(fd)` without disturbing errno.
pub fn close_keep_errno(fd: i32) {
    SYS.close(fd);
}

/// Writes all of `buf` to `fd`, retrying short writes and EINTR; gives up
/// silently on other errors (used for the trace, which must never fail a
/// call).
pub fn write_all(fd: i32, mut buf: &[u8]) {
    while !buf.is_empty() {
        // SAFETY: `buf` is a live slice of `buf.len()` bytes.
        let n = unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) };
        if n < 0 {
            if errno() == libc::EINTR {
                continue;
            }
            return;
        }
        buf = buf.get(n as usize..).unwrap_or(&[]);
    }
}

/// The next definition of `name` after the one in our own object
/// (`dlsym(RTLD_NEXT, name)`), e.g. the real libbpf's when we are
/// LD_PRELOADed in front of it. NULL when there is none.
pub fn next_symbol(name: &CStr) -> *mut c_void {
    // SAFETY: `name` is a C string; dlsym only reads it.
    unsafe { libc::dlsym(libc::RTLD_NEXT, name.as_ptr()) }
}
