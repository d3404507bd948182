//! What the attach functions need beyond `bpf()` ([`ProbeHost`]), and the
//! real one: every service of the attach functions forwarded
//! to the door ([`crate::sys`]), except the link object's memory, which
//! differs between the C library (libc `calloc`/`strdup`, freed if the
//! attach fails) and the Rust crate (Rust memory, nothing to reserve). Each
//! product supplies only that part ([`LinkMemory`]); the forwarding is
//! written once, here.

use core::ffi::CStr;
use core::sync::atomic::AtomicU8;

use crate::errno::Result;
use crate::kernel::Kernel;
use crate::perf::{PERF_FLAG_FD_CLOEXEC, PerfAttr};
use crate::sys::{self, FileError, SYS};

/// The kernel, files and memory the attach functions use, beyond `bpf()`.
pub trait ProbeHost: Kernel {
    /// `syscall(SYS_perf_event_open, attr, pid, cpu, -1,
    /// PERF_FLAG_FD_CLOEXEC)`: a new perf fd.
    ///
    /// # Safety
    /// The addresses in `attr` (`config1`: a name or path) are valid C
    /// strings for the kernel to read.
    unsafe fn perf_event_open(&self, attr: &mut PerfAttr, pid: i32, cpu: i32) -> Result<i32>;
    /// `ioctl(fd, request, arg)` for `PERF_EVENT_IOC_{ENABLE,DISABLE,SET_BPF}`
    /// (no memory is passed).
    fn perf_ioctl(&self, fd: i32, request: u64, arg: i32) -> Result<()>;
    /// `parse_uint_from_file`'s read: the start of a small file (`fopen`
    /// "re" in libbpf): how many bytes were put into `buf`.
    fn read_small_file(&self, path: &CStr, buf: &mut [u8]) -> Result<usize>;
    /// `append_to_file`: `open(O_WRONLY|O_APPEND|O_CLOEXEC)`, one `write`,
    /// `close`.
    fn append_to_file(&self, path: &CStr, text: &[u8]) -> Result<()>;
    /// `faccessat(AT_FDCWD, path, mode, AT_EACCESS) == 0`.
    fn accessible(&self, path: &CStr, mode: i32) -> bool;
    /// `access(path, mode) != -1`.
    fn access(&self, path: &CStr, mode: i32) -> bool;
    /// libbpf's `use_debugfs()`: whether `/sys/kernel/debug/tracing`
    /// exists, looked at once per process.
    fn use_debugfs(&self) -> bool;
    /// `getpid()`.
    fn getpid(&self) -> i32;
    /// libbpf's `getenv(name)` of `PATH` or `LD_LIBRARY_PATH` (bpflink: the
    /// secure variant, see `sys::search_env`).
    fn search_env(&self, name: &CStr) -> Option<&CStr>;
    /// The process-wide counter in legacy event names (fetch and add 1).
    fn next_legacy_index(&self) -> i32;
    /// The process-wide answer of the perf link feature probe: 0 not
    /// probed yet, 1 supported, 2 missing.
    fn perf_link_feature(&self) -> &AtomicU8;
    /// Reads the whole file at `path` and runs `f` on its bytes.
    fn with_file(
        &self,
        path: &CStr,
        f: &mut dyn FnMut(&[u8]),
    ) -> core::result::Result<(), FileError>;
    /// Opens a text file for [`crate::kallsyms::Scanner`] (`fopen(path, "re")`).
    fn open_text(&self, path: &CStr) -> Result<i32>;
    /// `read(fd, buf)` on a file from [`ProbeHost::open_text`].
    fn read_text(&self, fd: i32, buf: &mut [u8]) -> Result<usize>;
    /// Closes a file from [`ProbeHost::open_text`].
    fn close_text(&self, fd: i32);
    /// libbpf's `calloc` of the link object (`struct bpf_link_perf` when
    /// `perf`, else a plain `struct bpf_link`), at the point libbpf makes
    /// it; `ENOMEM` if it fails. The caller frees it if the attach fails.
    fn reserve_link(&self, perf: bool) -> Result<()>;
    /// libbpf's `strdup` of a legacy probe's name; `ENOMEM` if it fails.
    fn reserve_name(&self, name: &CStr) -> Result<()>;
}

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

/// The real host where nothing is reserved: the Rust crate's attaches
/// (its links live in Rust memory) and every teardown.
pub const SYS_PROBE: SysProbe<()> = SysProbe(());

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
