//! The kernel as the core sees it: one trait, implemented by [`crate::sys`]
//! for the real thing and by the test-only `bpflink-fake` crate.

use super::errno::{Errno, Result};
use super::opts::{Log, Warning};

/// What libbpf's low-level calls ask of the kernel and libc: the `bpf()`
/// syscall, the fd hygiene pair (`fcntl(F_DUPFD_CLOEXEC)`, `close`) and
/// `errno`.
pub trait Kernel {
    /// `syscall(SYS_bpf, cmd, attr, attr.len())`. `Ok` carries the
    /// syscall's non-negative return value; a negative return becomes
    /// `Err(errno)`. The kernel may write into `attr` (e.g. `next_id`).
    ///
    /// # Safety
    /// Every address inside `attr` (paths, info buffers, arrays) must be
    /// valid for what command `cmd` does with it: read for what the kernel
    /// reads, writable for what it writes. The kernel follows them blindly.
    unsafe fn bpf(&self, cmd: u32, attr: &mut [u8]) -> Result<i32>;

    /// `fcntl(fd, F_DUPFD_CLOEXEC, 3)`: a new fd, which the caller owns.
    fn dup_above_stdio(&self, fd: i32) -> Result<i32>;

    /// `close(fd)`, leaving `errno` as it was (libbpf saves and restores it).
    ///
    /// # Safety
    /// The caller owns `fd` and nothing uses it afterwards.
    unsafe fn close(&self, fd: i32);

    /// The current `errno`. libbpf's object functions test a low-level
    /// call's C result for non-zero and then read `errno`
    /// (docs/libbpf-behaviour.md#errors-and-errno); after an odd kernel answer
    /// (a positive value where 0 is expected) that is whatever errno held
    /// before. Only those paths ask.
    fn errno(&self) -> i32 {
        0
    }
}

/// libbpf's `if (call(...)) err = -errno;` on a low-level call's result:
/// `Ok` when the C result is 0; otherwise the errno the caller would read
/// (the call's own, or the stale one after a positive return).
pub fn nonzero_is_errno<K: Kernel + ?Sized>(k: &K, r: Result<i32>) -> Result<()> {
    match r {
        Ok(0) => Ok(()),
        Ok(_) => Err(Errno(k.errno())),
        Err(e) if e.0 == 0 => Ok(()),
        Err(e) => Err(e),
    }
}

/// `sys_bpf_fd` + `ensure_good_fd` (docs/libbpf-behaviour.md, "fd
/// hygiene"): a call that returns a new fd never hands out 0, 1 or 2. Such
/// an fd is moved to ≥ 3 with `F_DUPFD_CLOEXEC` and the low one closed; if
/// the move fails the object is still released, libbpf's warning is
/// printed, and fcntl's errno returned.
///
/// # Safety
/// As for [`Kernel::bpf`].
#[inline(always)]
pub unsafe fn bpf_fd<K: Kernel + ?Sized, L: Log + ?Sized>(
    k: &K,
    cmd: u32,
    attr: &mut [u8],
    log: &mut L,
) -> Result<i32> {
    // SAFETY: forwarded from this function's contract.
    let fd = unsafe { k.bpf(cmd, attr) }?;
    if fd >= 3 {
        return Ok(fd);
    }
    low_fd(k, fd, log)
}

/// [`bpf_fd`]'s hygiene for an fd made by another call (`perf_event_open`).
pub fn ensure_good_fd<K: Kernel + ?Sized, L: Log + ?Sized>(
    k: &K,
    fd: i32,
    log: &mut L,
) -> Result<i32> {
    if fd >= 3 {
        return Ok(fd);
    }
    low_fd(k, fd, log)
}

/// The rare half of [`bpf_fd`]: the kernel handed out 0, 1 or 2 (the caller
/// closed its stdio).
#[cold]
#[inline(never)]
fn low_fd<K: Kernel + ?Sized, L: Log + ?Sized>(k: &K, fd: i32, log: &mut L) -> Result<i32> {
    let moved = k.dup_above_stdio(fd);
    // SAFETY: `fd` is the object's fd the kernel just created for us; nobody
    // else has seen it.
    unsafe { k.close(fd) };
    if let Err(errno) = moved {
        log.warn(Warning::DupFailed { fd, errno });
    }
    moved
}
