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

/// `errno` after a failed call, out of the success path's way.
#[cold]
#[inline(never)]
fn last_errno() -> Errno {
    Errno(errno())
}

#[inline(always)]
fn errno() -> i32 {
    // SAFETY: __errno_location always returns a valid pointer to this
    // thread's errno.
    unsafe { *libc::__errno_location() }
}

#[inline(always)]
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
            return Err(last_errno());
        }
        Ok(ret as i32)
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

/// How a fault-free read of our own memory went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// Every byte was copied.
    Read,
    /// Part of the range is not mapped (or not readable): `EFAULT`.
    Unmapped,
    /// The kernel would not do it (a seccomp filter or gVisor answering
    /// `process_vm_readv` or `getpid` with `EPERM`, `ENOSYS`, …): nothing is
    /// known about the memory.
    Unavailable,
}

/// Copies `buf.len()` bytes of our own memory at `addr` into `buf` through
/// the kernel (`process_vm_readv` on ourselves), which reports unmapped
/// memory as `EFAULT` instead of faulting. Never reads `addr` directly.
pub fn read_fault_free(addr: usize, buf: &mut [u8]) -> Probe {
    if buf.is_empty() {
        return Probe::Read;
    }
    let local = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let remote = libc::iovec {
        iov_base: addr as *mut libc::c_void,
        iov_len: buf.len(),
    };
    let saved = errno();
    // SAFETY: getpid has no preconditions. `local` describes our own
    // writable buffer; the kernel validates `remote` and fails with EFAULT
    // instead of faulting. One remote element is never split, so the answer
    // is all of it or an error.
    let n = unsafe { libc::process_vm_readv(libc::getpid(), &local, 1, &remote, 1, 0) };
    let e = errno();
    set_errno(saved);
    if n >= 0 && n as usize == buf.len() {
        Probe::Read
    } else if n < 0 && e == libc::EFAULT {
        Probe::Unmapped
    } else {
        Probe::Unavailable
    }
}

/// [`read_fault_free`], `true` only when every byte was read.
pub fn read_own_memory(addr: usize, buf: &mut [u8]) -> bool {
    read_fault_free(addr, buf) == Probe::Read
}

/// Copies bytes a caller claims are readable (a `sz` larger than the struct
/// we know): fault-free where the kernel lets us, `false` for memory that
/// is not mapped; where the fault-free reader is unavailable, directly,
/// exactly as libbpf would read them (so a claim that is a lie then faults,
/// as it does in libbpf).
///
/// # Safety
/// The caller's claim is all that vouches for the memory: only call this
/// for bytes a C caller has declared to be part of its struct.
pub unsafe fn read_claimed_memory(addr: usize, buf: &mut [u8]) -> bool {
    match read_fault_free(addr, buf) {
        Probe::Read => true,
        Probe::Unmapped => false,
        Probe::Unavailable => {
            for (i, b) in buf.iter_mut().enumerate() {
                // SAFETY: the caller's claim (this function's contract).
                *b = unsafe { core::ptr::read_volatile((addr + i) as *const u8) };
            }
            true
        }
    }
}

/// Reads a caller's opts bytes past the part we copied (only ever for a
/// `sz` larger than our struct), without faulting where the kernel can tell
/// us the memory is not mapped: bytes on the page we already read are read
/// directly, the rest with [`read_fault_free`] (libbpf would crash on
/// unmapped memory: README, "Deviations"). Where that reader is unavailable
/// the rest is read directly too, like libbpf.
pub struct CallerTail {
    base: usize,
}

impl CallerTail {
    /// The tail of the caller's struct at `base`.
    ///
    /// # Safety
    /// `base` is the address of a C caller's opts struct whose `sz` claims
    /// the bytes the tail will be asked about, and its first byte is mapped.
    pub unsafe fn new(base: usize) -> CallerTail {
        CallerTail { base }
    }
}

impl TailReader for CallerTail {
    fn scan(&self, start: usize, end: usize) -> TailScan {
        let Some(first) = self.base.checked_add(start) else {
            return TailScan::Unreadable;
        };
        // Bytes [base, base+start) were read, so the page holding the last
        // of them is mapped: scan the rest of that page directly.
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
            // SAFETY: the caller's claim (`new`'s contract) covers [pos, stop).
            unsafe { Self::scan_far(pos, stop) }
        } else {
            TailScan::Zero
        }
    }
}

impl CallerTail {
    /// The part of a tail beyond the page already read. Cold: only callers
    /// whose `sz` reaches past that page come here (its 4 KiB buffer would
    /// otherwise be zeroed on every call).
    ///
    /// # Safety
    /// The caller claims `[pos, stop)` is part of its struct.
    #[cold]
    #[inline(never)]
    unsafe fn scan_far(mut pos: usize, stop: usize) -> TailScan {
        let mut chunk = [0u8; 4096];
        while pos < stop {
            let n = (stop - pos).min(chunk.len());
            let Some(buf) = chunk.get_mut(..n) else {
                return TailScan::Unreadable;
            };
            match read_fault_free(pos, buf) {
                Probe::Read => {}
                // SAFETY: forwarded from this function's contract.
                Probe::Unavailable => return unsafe { Self::scan_direct(pos, stop) },
                Probe::Unmapped => {
                    // libbpf reads byte by byte and stops at the first
                    // non-zero byte; find out whether one precedes the hole.
                    for (i, b) in buf.iter_mut().enumerate() {
                        if read_fault_free(pos + i, core::slice::from_mut(b)) != Probe::Read {
                            return TailScan::Unreadable;
                        }
                        if *b != 0 {
                            return TailScan::NonZero;
                        }
                    }
                    return TailScan::Unreadable;
                }
            }
            if buf.iter().any(|&b| b != 0) {
                return TailScan::NonZero;
            }
            pos += n;
        }
        TailScan::Zero
    }

    /// libbpf's own scan, for when the kernel will not read for us: byte by
    /// byte, stopping at the first non-zero byte.
    ///
    /// # Safety
    /// As for [`Self::scan_far`].
    unsafe fn scan_direct(mut pos: usize, stop: usize) -> TailScan {
        while pos < stop {
            // SAFETY: forwarded from this function's contract.
            if unsafe { core::ptr::read_volatile(pos as *const u8) } != 0 {
                return TailScan::NonZero;
            }
            pos += 1;
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
        // libbpf is built with _FILE_OFFSET_BITS=64, so its statfs() is
        // glibc's statfs64 (on 64-bit targets the same function): a 32-bit
        // process never sees EOVERFLOW from a large filesystem here either.
        let mut st = core::mem::MaybeUninit::<libc::statfs64>::zeroed();
        // SAFETY: `path` is a C string; `st` is a writable `struct statfs64`.
        check(unsafe { libc::statfs64(path.as_ptr(), st.as_mut_ptr()) })?;
        // SAFETY: zero-initialised, and filled in by a successful statfs64.
        let f_type = unsafe { st.assume_init() }.f_type;
        Ok(fs_type_as_libbpf_compares(f_type))
    }

    fn unlink(&self, path: &CStr) -> Result<()> {
        // SAFETY: `path` is a NUL-terminated string that outlives the call.
        check(unsafe { libc::unlink(path.as_ptr()) })
    }
}

/// `f_type` as libbpf's `st_fs.f_type != BPF_FS_MAGIC` sees it: the magic
/// is an `unsigned int` constant, so where `f_type` is 32 bits wide (i386's
/// signed `int`, s390x's `unsigned int`) the comparison is on its 32 bits
/// as unsigned (bpffs's 0xcafe4a11 is negative as an i386 `int`), and where
/// it is a 64-bit `long` (x86-64, arm64) on all of its 64 bits.
fn fs_type_as_libbpf_compares<T: FsWord>(f_type: T) -> i64 {
    f_type.widen()
}

/// The integer types glibc's `__fsword_t`/`f_type` is on some target.
trait FsWord {
    fn widen(self) -> i64;
}
impl FsWord for i32 {
    fn widen(self) -> i64 {
        i64::from(self as u32)
    }
}
impl FsWord for u32 {
    fn widen(self) -> i64 {
        i64::from(self)
    }
}
impl FsWord for i64 {
    fn widen(self) -> i64 {
        self
    }
}
