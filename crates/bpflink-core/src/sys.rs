//! The only door to the kernel.
//!
//! Like libbpf, every `bpf()` call goes through libc's `syscall(SYS_bpf, …)`
//! (never an inline `syscall` instruction), so tracers, seccomp tooling and
//! fake kernels that interpose `syscall` see every call we make, from the
//! shared and the static library alike. fd hygiene uses libc's `fcntl` and
//! `close`. This module is also the only place that reads `errno` after a
//! call; `ffi::ret` is the only place that writes it for the caller.

use core::ffi::CStr;

use crate::errno::{Errno, Result};
use crate::kernel::Kernel;
use crate::link_object::{LinkFs, dirname_prefix_len};
use crate::opts::{TailReader, TailScan};

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
    #[inline(always)]
    unsafe fn bpf(&self, cmd: u32, attr: &mut [u8]) -> Result<i32> {
        let size = attr.len() as libc::c_uint;
        // SAFETY: `attr` is a live, writable buffer of exactly `size` bytes,
        // which is all the kernel reads or writes for this command. Pointers
        // inside it are covered by this function's contract.
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

    unsafe fn close(&self, fd: i32) {
        let saved = errno();
        // SAFETY: the caller owns `fd` (this function's contract).
        unsafe { libc::close(fd) };
        set_errno(saved);
    }
}

/// `close(fd)` reporting failure, with `errno` left as `close` set it (a
/// link's own detach, libbpf's `bpf_link__detach_fd`).
///
/// # Safety
/// The caller owns `fd` and nothing uses it afterwards.
pub unsafe fn close_fd(fd: i32) -> Result<()> {
    // SAFETY: the caller owns `fd` (this function's contract).
    check(unsafe { libc::close(fd) })
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
            let b = unsafe { core::ptr::read_volatile(pos as *const u8) };
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
                    if !Self::read_checked(pos + i, core::slice::from_mut(b)) {
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

// ---- The object API's filesystem calls (`bpf_link__pin`, `__unpin`) ------

fn check(ret: libc::c_int) -> Result<()> {
    if ret < 0 { Err(Errno(errno())) } else { Ok(()) }
}

impl LinkFs for Sys {
    fn with_dirname(&self, path: &CStr, f: &mut dyn FnMut(&CStr) -> Result<()>) -> Result<()> {
        let Some(cut) = dirname_prefix_len(path.to_bytes()) else {
            // A path without a slash: glibc's dirname returns a static "."
            // (libbpf has still made, and checked, its copy).
            // SAFETY: `path` is a C string; strdup copies it or fails.
            let copy = unsafe { libc::strdup(path.as_ptr()) };
            if copy.is_null() {
                return Err(Errno::ENOMEM);
            }
            let r = f(c".");
            // SAFETY: `copy` came from libc's allocator and is not used again.
            unsafe { libc::free(copy.cast()) };
            return r;
        };
        // SAFETY: `path` is a C string; strdup copies it or fails.
        let copy = unsafe { libc::strdup(path.as_ptr()) };
        if copy.is_null() {
            return Err(Errno::ENOMEM);
        }
        // SAFETY: `cut` ≤ the string's length (the directory is a prefix of
        // the path), so the NUL goes inside the copy's allocation, and the
        // result is a C string that lives until the free below.
        let r = unsafe {
            copy.add(cut).write(0);
            f(CStr::from_ptr(copy))
        };
        // SAFETY: `copy` came from libc's allocator and is not used again.
        unsafe { libc::free(copy.cast()) };
        r
    }

    fn mkdir(&self, path: &CStr, mode: u32) -> Result<()> {
        // SAFETY: `path` is a NUL-terminated string that outlives the call.
        check(unsafe { libc::mkdir(path.as_ptr(), mode as libc::mode_t) })
    }

    fn statfs_type(&self, path: &CStr) -> Result<i64> {
        let mut st = core::mem::MaybeUninit::<libc::statfs>::zeroed();
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
