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

/// Conservative page size for "is this byte on an already-touched page"
/// reasoning; real pages are never smaller.
const MIN_PAGE: usize = 4096;

/// Reads a caller's opts bytes past the part we copied, without ever
/// faulting: bytes on the page we already read are read directly, the rest
/// with `process_vm_readv` on our own process, which reports unmapped memory
/// as `EFAULT` instead of crashing (libbpf would crash there: README,
/// "Deviations").
pub struct CallerTail {
    /// Address of the caller's struct.
    pub base: usize,
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
        let page_end = (first.wrapping_sub(1) | (MIN_PAGE - 1)).wrapping_add(1);
        let mut pos = first;
        let stop = self.base.saturating_add(end);
        while pos < stop && pos < page_end {
            // SAFETY: `pos` lies on the same page as a byte we already read
            // (`base + start - 1`), and pages are mapped whole.
            let b = unsafe { std::ptr::read_volatile(pos as *const u8) };
            if b != 0 {
                return TailScan::NonZero;
            }
            pos += 1;
        }
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
