//! The only door to the kernel.
//!
//! Like libbpf, every `bpf()` call goes through libc's `syscall(SYS_bpf, …)`
//! (never an inline `syscall` instruction), so tracers, seccomp tooling and
//! fake kernels that interpose `syscall` see every call we make, from the
//! shared and the static library alike. fd hygiene uses libc's `fcntl` and
//! `close`. This module is also the only place that reads `errno` after a
//! call; the C library's `src/ret.rs` is the only place that writes it for
//! the caller.

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

/// Writes `errno` for the C caller (used only by the C library's
/// `src/ret.rs` and its print path, which must leave errno as it found it).
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
    /// `process_vm_readv` or `getpid` with `EPERM`, `ENOSYS`, …, or with
    /// `EFAULT` even for memory that is certainly mapped): nothing is known
    /// about the memory.
    Unavailable,
}

/// Copies `buf.len()` bytes of our own memory at `addr` into `buf` through
/// the kernel (`process_vm_readv` on ourselves), which reports unmapped
/// memory as `EFAULT` instead of faulting. Never reads `addr` directly.
///
/// Only a kernel that demonstrably reads is believed: a fault is confirmed
/// by reading a byte that is certainly mapped (the first byte of `buf`),
/// so a seccomp filter that answers `EFAULT` for every call makes the
/// reader [`Probe::Unavailable`], not the memory unmapped.
pub fn read_fault_free(addr: usize, buf: &mut [u8]) -> Probe {
    if buf.is_empty() {
        return Probe::Read;
    }
    let saved = errno();
    let probe = match vm_read(addr, buf) {
        Ok(n) if n == buf.len() => Probe::Read,
        // The kernel copies page by page: a short count means the next page
        // is not mapped (it stopped there), so the range is not all mapped.
        Ok(_) => Probe::Unmapped,
        Err(libc::EFAULT) => {
            let mut one = 0u8;
            let known_mapped = buf.as_ptr() as usize;
            match vm_read(known_mapped, core::slice::from_mut(&mut one)) {
                Ok(1) => Probe::Unmapped,
                _ => Probe::Unavailable,
            }
        }
        Err(_) => Probe::Unavailable,
    };
    set_errno(saved);
    probe
}

/// One `process_vm_readv(getpid(), buf ← addr)`: bytes copied, or errno.
fn vm_read(addr: usize, buf: &mut [u8]) -> core::result::Result<usize, i32> {
    let local = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let remote = libc::iovec {
        iov_base: addr as *mut libc::c_void,
        iov_len: buf.len(),
    };
    // SAFETY: getpid has no preconditions. `local` describes our own
    // writable buffer; the kernel validates `remote` and fails with EFAULT
    // (or copies less) instead of faulting.
    let n = unsafe { libc::process_vm_readv(libc::getpid(), &local, 1, &remote, 1, 0) };
    if n < 0 { Err(errno()) } else { Ok(n as usize) }
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

// ---- Probes: perf events, sysfs/tracefs files, ELF files ---------------
//
// What the attach functions (`crate::attach`) need beyond `bpf()`, as libbpf
// 1.7.0 does it: `perf_event_open` through libc's `syscall()`, perf ioctls,
// `open`/`read`/`write`/`close` of sysfs and tracefs files, `faccessat`.

/// `syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags)`.
///
/// # Safety
/// `attr` is a `struct perf_event_attr` image whose addresses (`config1`
/// for kprobes/uprobes) are valid C strings.
pub unsafe fn perf_event_open(
    attr: &mut [u8],
    pid: i32,
    cpu: i32,
    group_fd: i32,
    flags: u64,
) -> Result<i32> {
    // SAFETY: `attr` is a live buffer of the size its `size` field states
    // (the caller built it); addresses inside are the caller's promise.
    let r = unsafe {
        libc::syscall(
            libc::SYS_perf_event_open,
            attr.as_mut_ptr(),
            pid as libc::c_long,
            cpu as libc::c_long,
            group_fd as libc::c_long,
            flags as libc::c_ulong,
        )
    };
    if r < 0 {
        Err(last_errno())
    } else {
        Ok(r as i32)
    }
}

/// `ioctl(fd, request, arg)` with an integer argument (the perf ioctls
/// `ENABLE`, `DISABLE`, `SET_BPF`).
pub fn perf_ioctl(fd: i32, request: u64, arg: i32) -> Result<()> {
    // SAFETY: these requests take an int argument and touch no memory of
    // ours; on an fd that is not a perf event the kernel answers ENOTTY.
    check(unsafe { libc::ioctl(fd, request as libc::c_ulong, arg as libc::c_int) })
}

/// `open(path, flags | O_CLOEXEC, 0)`.
fn open_cloexec(path: &CStr, flags: i32) -> Result<i32> {
    // SAFETY: `path` is a C string.
    let fd = unsafe { libc::open(path.as_ptr(), flags | libc::O_CLOEXEC, 0 as libc::c_uint) };
    if fd < 0 { Err(last_errno()) } else { Ok(fd) }
}

/// `read(fd, buf)`, retried on `EINTR`.
fn read_some(fd: i32, buf: &mut [u8]) -> Result<usize> {
    loop {
        // SAFETY: `buf` is writable for its length.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = last_errno();
        if e.0 != libc::EINTR {
            return Err(e);
        }
    }
}

/// `close` of an fd this module opened for a moment.
fn close_own(fd: i32) {
    // SAFETY: `fd` was opened by this module and is not used afterwards.
    unsafe { libc::close(fd) };
}

/// Opens a text file (close-on-exec).
pub fn open_text(path: &CStr) -> Result<i32> {
    open_cloexec(path, libc::O_RDONLY)
}

/// Reads from a file [`open_text`] opened.
pub fn read_text(fd: i32, buf: &mut [u8]) -> Result<usize> {
    read_some(fd, buf)
}

/// Closes a file [`open_text`] opened.
pub fn close_text(fd: i32) {
    close_own(fd);
}

/// The start of a small file (a sysfs number, a tracefs event id): as many
/// bytes as fit in `buf`.
pub fn read_small_file(path: &CStr, buf: &mut [u8]) -> Result<usize> {
    let fd = open_text(path)?;
    let mut done = 0;
    while done < buf.len() {
        match read_some(fd, buf.get_mut(done..).unwrap_or(&mut [])) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) => {
                close_own(fd);
                return Err(e);
            }
        }
    }
    close_own(fd);
    Ok(done)
}

/// libbpf's `append_to_file`: `open(O_WRONLY|O_APPEND|O_CLOEXEC)`, one
/// `write`, `close`; the write's error wins.
pub fn append_to_file(path: &CStr, text: &[u8]) -> Result<()> {
    let fd = open_cloexec(path, libc::O_WRONLY | libc::O_APPEND)?;
    // SAFETY: `text` is readable for its length.
    let n = unsafe { libc::write(fd, text.as_ptr().cast(), text.len()) };
    let r = if n < 0 { Err(last_errno()) } else { Ok(()) };
    close_own(fd);
    r
}

/// `faccessat(AT_FDCWD, path, mode, AT_EACCESS) == 0`.
pub fn accessible(path: &CStr, mode: i32) -> bool {
    // SAFETY: `path` is a C string.
    unsafe { libc::faccessat(libc::AT_FDCWD, path.as_ptr(), mode, libc::AT_EACCESS) == 0 }
}

/// `access(path, mode) != -1`.
pub fn access(path: &CStr, mode: i32) -> bool {
    // SAFETY: `path` is a C string.
    unsafe { libc::access(path.as_ptr(), mode) != -1 }
}

/// libbpf's `use_debugfs()`: `/sys/kernel/debug/tracing` exists (looked
/// at once per process, like libbpf's static).
pub fn use_debugfs() -> bool {
    use core::sync::atomic::{AtomicI8, Ordering};
    static HAS_DEBUGFS: AtomicI8 = AtomicI8::new(-1);
    match HAS_DEBUGFS.load(Ordering::Relaxed) {
        -1 => {
            let has = accessible(crate::probe_text::DEBUGFS, libc::F_OK);
            HAS_DEBUGFS.store(i8::from(has), Ordering::Relaxed);
            has
        }
        v => v == 1,
    }
}

/// `getpid()`.
pub fn getpid() -> i32 {
    // SAFETY: no preconditions.
    unsafe { libc::getpid() }
}

/// libbpf's `getenv(name)` for the library and program search path, as
/// `secure_getenv`: a set-uid or set-gid program does not take `PATH` or
/// `LD_LIBRARY_PATH` from an environment it may not trust (bpflink reads
/// the environment no other way).
pub fn search_env(name: &CStr) -> Option<&'static CStr> {
    unsafe extern "C" {
        /// glibc's `secure_getenv` (not bound by the libc crate).
        fn secure_getenv(name: *const libc::c_char) -> *mut libc::c_char;
    }
    // SAFETY: `name` is a C string; the result is NULL or a string in the
    // environment, valid until the program changes that variable (as for
    // libbpf's getenv).
    let p = unsafe { secure_getenv(name.as_ptr()) };
    // SAFETY: a non-NULL result is NUL-terminated.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) })
}

/// The process-wide index in legacy probe names.
pub fn next_legacy_index() -> i32 {
    use core::sync::atomic::{AtomicI32, Ordering};
    static INDEX: AtomicI32 = AtomicI32::new(0);
    INDEX.fetch_add(1, Ordering::Relaxed)
}

/// The process-wide perf link feature answer (see
/// `attach::perf_link_supported`).
pub fn perf_link_feature() -> &'static core::sync::atomic::AtomicU8 {
    static FEATURE: core::sync::atomic::AtomicU8 = core::sync::atomic::AtomicU8::new(0);
    &FEATURE
}

/// Reads the whole file at `path` into libc memory and runs `f` on it
/// (then frees it). Read into memory rather than mapped, so that a file
/// truncated meanwhile cannot raise `SIGBUS` in the host.
pub fn with_file(path: &CStr, f: &mut dyn FnMut(&[u8])) -> core::result::Result<(), FileError> {
    let fd = open_cloexec(path, libc::O_RDONLY).map_err(FileError::Open)?;
    let r = (|| {
        let mut st = core::mem::MaybeUninit::<libc::stat>::zeroed();
        // SAFETY: `st` is a writable struct stat.
        check(unsafe { libc::fstat(fd, st.as_mut_ptr()) }).map_err(FileError::Read)?;
        // SAFETY: zeroed, and filled by a successful fstat.
        let size = unsafe { st.assume_init() }.st_size;
        let size = usize::try_from(size).map_err(|_| FileError::Read(Errno::ENOMEM))?;
        if size > isize::MAX as usize / 2 {
            return Err(FileError::Read(Errno::ENOMEM));
        }
        // SAFETY: malloc has no preconditions; NULL is checked.
        let p = unsafe { libc::malloc(size.max(1)) }.cast::<u8>();
        if p.is_null() {
            return Err(FileError::Read(Errno::ENOMEM));
        }
        // SAFETY: `p` is a fresh allocation of at least `size` bytes, only
        // used through this slice until it is freed below.
        let buf = unsafe { core::slice::from_raw_parts_mut(p, size) };
        let mut done = 0;
        let mut err = None;
        while done < size {
            match read_some(fd, buf.get_mut(done..).unwrap_or(&mut [])) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) => {
                    err = Some(e);
                    break;
                }
            }
        }
        if err.is_none() {
            f(buf.get(..done).unwrap_or(&[]));
        }
        // SAFETY: `p` came from malloc and the slice is not used again.
        unsafe { libc::free(p.cast()) };
        err.map_or(Ok(()), |e| Err(FileError::Read(e)))
    })();
    close_own(fd);
    r
}

/// A growable array of `u64` in libc memory (`realloc`), for resolved
/// offsets and addresses; `ENOMEM` when it cannot grow.
pub struct CBuf {
    ptr: *mut u64,
    len: usize,
    cap: usize,
}

impl CBuf {
    pub const fn new() -> CBuf {
        CBuf {
            ptr: core::ptr::null_mut(),
            len: 0,
            cap: 0,
        }
    }
}

impl Default for CBuf {
    fn default() -> Self {
        Self::new()
    }
}

impl crate::elf_sym::OffsetBuf for CBuf {
    fn push(&mut self, v: u64) -> Result<()> {
        if self.len == self.cap {
            let cap = if self.cap == 0 {
                16
            } else {
                self.cap.checked_mul(2).ok_or(Errno::ENOMEM)?
            };
            let bytes = cap.checked_mul(8).ok_or(Errno::ENOMEM)?;
            // SAFETY: `ptr` is NULL or from a previous realloc of ours.
            let p = unsafe { libc::realloc(self.ptr.cast(), bytes) }.cast::<u64>();
            if p.is_null() {
                return Err(Errno::ENOMEM);
            }
            self.ptr = p;
            self.cap = cap;
        }
        // SAFETY: `len < cap` entries are allocated.
        unsafe { self.ptr.add(self.len).write(v) };
        self.len += 1;
        Ok(())
    }

    fn as_slice(&self) -> &[u64] {
        if self.ptr.is_null() {
            return &[];
        }
        // SAFETY: the first `len` entries are initialised.
        unsafe { core::slice::from_raw_parts(self.ptr, self.len) }
    }

    fn as_mut_slice(&mut self) -> &mut [u64] {
        if self.ptr.is_null() {
            return &mut [];
        }
        // SAFETY: as above, and `&mut self` is exclusive.
        unsafe { core::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

impl Drop for CBuf {
    fn drop(&mut self) {
        // SAFETY: NULL or our own allocation.
        unsafe { libc::free(self.ptr.cast()) };
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

/// Why a file could not be read whole (the ELF reader's input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileError {
    /// `open` failed (libbpf: "elf: failed to open").
    Open(Errno),
    /// Reading it failed, or no memory for it (libelf's `elf_begin` fails).
    Read(Errno),
}
