//! The kernel as the core sees it: one trait, implemented by `crate::sys`
//! for the real thing and by `crate::core::fake` for tests.

use super::errno::Result;
use super::opts::{Log, Warning};

/// The three kernel/libc services libbpf's low-level calls use.
pub trait Kernel {
    /// `syscall(SYS_bpf, cmd, attr, attr.len())`. `Ok` carries the
    /// syscall's non-negative return value; a negative return becomes
    /// `Err(errno)`. The kernel may write into `attr` (e.g. `next_id`).
    fn bpf(&self, cmd: u32, attr: &mut [u8]) -> Result<i32>;

    /// `fcntl(fd, F_DUPFD_CLOEXEC, 3)`.
    fn dup_above_stdio(&self, fd: i32) -> Result<i32>;

    /// `close(fd)`, leaving `errno` as it was (libbpf saves and restores it).
    fn close(&self, fd: i32);

    /// The current `errno`. libbpf's object functions test a low-level
    /// call's C result for non-zero and then read `errno` (SPEC §6.2); after
    /// an odd kernel answer (a positive value where 0 is expected) that is
    /// whatever errno held before. Only those paths ask.
    fn errno(&self) -> i32 {
        0
    }
}

/// libbpf's `if (call(...)) err = -errno;` on a low-level call's result:
/// `Ok` when the C result is 0; otherwise the errno the caller would read
/// (the call's own, or the stale one after a positive return).
pub fn nonzero_is_errno(k: &dyn Kernel, r: Result<i32>) -> Result<()> {
    match r {
        Ok(0) => Ok(()),
        Ok(_) => Err(super::errno::Errno(k.errno())),
        Err(e) if e.0 == 0 => Ok(()),
        Err(e) => Err(e),
    }
}

/// `sys_bpf_fd` + `ensure_good_fd` (SPEC §2.4): a call that returns a new fd
/// never hands out 0, 1 or 2. Such an fd is moved to ≥ 3 with
/// `F_DUPFD_CLOEXEC` and the low one closed; if the move fails the object is
/// still released, libbpf's warning is printed, and fcntl's errno returned.
pub fn bpf_fd(k: &dyn Kernel, cmd: u32, attr: &mut [u8], log: &mut dyn Log) -> Result<i32> {
    let fd = k.bpf(cmd, attr)?;
    if fd >= 3 {
        return Ok(fd);
    }
    let moved = k.dup_above_stdio(fd);
    k.close(fd);
    if let Err(errno) = moved {
        log.warn(Warning::DupFailed { fd, errno });
    }
    moved
}
