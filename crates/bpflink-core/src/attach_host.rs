//! The real [`ProbeHost`]: every service of the attach functions forwarded
//! to the door ([`crate::sys`]), except the link object's memory, which
//! differs between the C library (libc `calloc`/`strdup`, freed if the
//! attach fails) and the Rust crate (Rust memory, nothing to reserve). Each
//! product supplies only that part ([`LinkMemory`]); the forwarding is
//! written once, here.

use core::ffi::CStr;
use core::sync::atomic::AtomicU8;

use crate::attach::{FileError, ProbeHost};
use crate::errno::Result;
use crate::kernel::Kernel;
use crate::perf::{PERF_FLAG_FD_CLOEXEC, PerfAttr};
use crate::sys::{self, SYS};

/// Where a caller of the attach functions keeps the link object libbpf
/// allocates during the attach (see [`ProbeHost::reserve_link`]).
pub trait LinkMemory {
    /// As [`ProbeHost::reserve_link`].
    fn reserve_link(&self, perf: bool) -> Result<()>;
    /// As [`ProbeHost::reserve_name`].
    fn reserve_name(&self, name: &CStr) -> Result<()>;
}

/// Rust memory: the link is built after the attach and cannot fail to be.
impl LinkMemory for () {
    fn reserve_link(&self, _perf: bool) -> Result<()> {
        Ok(())
    }
    fn reserve_name(&self, _name: &CStr) -> Result<()> {
        Ok(())
    }
}

/// The real kernel and files, with `M` for the link object's memory.
pub struct SysProbe<M>(pub M);

impl<M> Kernel for SysProbe<M> {
    unsafe fn bpf(&self, cmd: u32, attr: &mut [u8]) -> Result<i32> {
        // SAFETY: forwarded from this function's contract.
        unsafe { SYS.bpf(cmd, attr) }
    }
    fn dup_above_stdio(&self, fd: i32) -> Result<i32> {
        SYS.dup_above_stdio(fd)
    }
    unsafe fn close(&self, fd: i32) {
        // SAFETY: forwarded from this function's contract.
        unsafe { SYS.close(fd) }
    }
    fn errno(&self) -> i32 {
        SYS.errno()
    }
}

impl<M: LinkMemory> ProbeHost for SysProbe<M> {
    unsafe fn perf_event_open(&self, attr: &mut PerfAttr, pid: i32, cpu: i32) -> Result<i32> {
        // SAFETY: forwarded from this function's contract.
        unsafe { sys::perf_event_open(attr.as_mut_bytes(), pid, cpu, -1, PERF_FLAG_FD_CLOEXEC) }
    }
    fn perf_ioctl(&self, fd: i32, request: u64, arg: i32) -> Result<()> {
        sys::perf_ioctl(fd, request, arg)
    }
    fn read_small_file(&self, path: &CStr, buf: &mut [u8]) -> Result<usize> {
        sys::read_small_file(path, buf)
    }
    fn append_to_file(&self, path: &CStr, text: &[u8]) -> Result<()> {
        sys::append_to_file(path, text)
    }
    fn accessible(&self, path: &CStr, mode: i32) -> bool {
        sys::accessible(path, mode)
    }
    fn access(&self, path: &CStr, mode: i32) -> bool {
        sys::access(path, mode)
    }
    fn use_debugfs(&self) -> bool {
        sys::use_debugfs()
    }
    fn getpid(&self) -> i32 {
        sys::getpid()
    }
    fn search_env(&self, name: &CStr) -> Option<&CStr> {
        sys::search_env(name)
    }
    fn next_legacy_index(&self) -> i32 {
        sys::next_legacy_index()
    }
    fn perf_link_feature(&self) -> &AtomicU8 {
        sys::perf_link_feature()
    }
    fn with_file(
        &self,
        path: &CStr,
        f: &mut dyn FnMut(&[u8]),
    ) -> core::result::Result<(), FileError> {
        sys::with_file(path, f)
    }
    fn open_text(&self, path: &CStr) -> Result<i32> {
        sys::open_text(path)
    }
    fn read_text(&self, fd: i32, buf: &mut [u8]) -> Result<usize> {
        sys::read_text(fd, buf)
    }
    fn close_text(&self, fd: i32) {
        sys::close_text(fd)
    }
    fn reserve_link(&self, perf: bool) -> Result<()> {
        self.0.reserve_link(perf)
    }
    fn reserve_name(&self, name: &CStr) -> Result<()> {
        self.0.reserve_name(name)
    }
}
