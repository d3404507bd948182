//! The opt-in call trace: `BPFLINK_TRACE=1` (or `stderr`) writes one line
//! per traced call to stderr, `BPFLINK_TRACE=/some/file` appends to that
//! file. Nothing is written anywhere unless the user asked for it.
//!
//! Its purpose is to show which library served a call, e.g. that under
//! `LD_PRELOAD=libbpflink.so` libbpf's own internal `bpf_link_create` calls
//! reach us (README, "LD_PRELOAD"). The calls that create, change or look up
//! kernel objects are traced; the accessors and pure helpers are not (the
//! README lists them).
//!
//! Tracing never changes a call's result or `errno`, and never hurts the
//! host program:
//! - nothing is allocated (a line is built in a stack buffer), and every
//!   step is async-signal-safe, so a traced call may run in a signal
//!   handler;
//! - nothing blocks: the file is opened `O_NONBLOCK` (a FIFO without a
//!   reader is refused at once), and a line goes out only if `poll` says the
//!   fd takes it now; otherwise it is dropped;
//! - no signal reaches the host: `SIGPIPE` and `SIGXFSZ` are blocked in the
//!   writing thread around the `write`, and one raised by it is consumed;
//! - the file is opened with `O_NOFOLLOW` and kept only if it is a regular
//!   file or a FIFO owned by the effective user; before each line the fd is
//!   checked to still be that file (same device and inode): if the program
//!   closed it and the number now names something else, the trace file is
//!   opened again instead, and the program's fd is left alone;
//! - string arguments are printed as escaped, quoted text, read without
//!   ever faulting (an unreadable pointer prints as its address).
//!
//! The variable is read once, with `secure_getenv` (ignored in set-uid
//! programs). When tracing is off a call costs one relaxed atomic load.

use core::ffi::{CStr, c_char, c_int, c_void};
use core::sync::atomic::{AtomicI32, AtomicU64, Ordering};

use bpflink_core::sys::{self, read_own_memory};
use bpflink_core::text::FixedStr;

/// -2: not read yet; -1: off; otherwise the fd lines go to.
static TRACE_FD: AtomicI32 = AtomicI32::new(-2);
/// Device and inode of the trace file, to recognise our fd.
static TRACE_DEV: AtomicU64 = AtomicU64::new(0);
static TRACE_INO: AtomicU64 = AtomicU64::new(0);
/// The trace file's path with its NUL (set once, before `TRACE_FD` is
/// published with Release ordering; read after an Acquire load).
static mut TRACE_PATH: [u8; PATH_CAP] = [0; PATH_CAP];
const PATH_CAP: usize = 4096;

/// One trace line, at most this long (longer ones are cut).
const LINE_CAP: usize = 1024;
/// At most this many bytes of a string argument are shown.
const STR_SHOWN: usize = 256;

#[inline(always)]
fn trace_fd() -> Option<i32> {
    let fd = TRACE_FD.load(Ordering::Acquire);
    if fd != -2 {
        return (fd >= 0).then_some(fd);
    }
    first_use()
}

/// Whether tracing is on (callers build no line when it is off).
#[inline(always)]
pub fn enabled() -> bool {
    trace_fd().is_some()
}

/// Reads `BPFLINK_TRACE` and opens the trace file: once per process.
#[cold]
#[inline(never)]
fn first_use() -> Option<i32> {
    // Opening the trace file must not change the errno the traced call
    // leaves for its caller.
    let saved = sys::load_errno();
    let opened = match env(c"BPFLINK_TRACE") {
        None => -1,
        Some(v) => match v.to_bytes() {
            b"" | b"0" => -1,
            b"1" | b"stderr" => 2,
            path if path.len() < PATH_CAP => {
                // SAFETY: only the thread that wins the race below publishes
                // a fd, and it writes the path before publishing; a losing
                // thread writes the same bytes (the environment is read
                // once per thread here and does not change under us in
                // practice); readers read it only after seeing the fd.
                unsafe {
                    let dst = (&raw mut TRACE_PATH).cast::<u8>();
                    core::ptr::copy_nonoverlapping(path.as_ptr(), dst, path.len());
                    dst.add(path.len()).write(0);
                }
                open_trace_file().unwrap_or(-1)
            }
            _ => -1,
        },
    };
    sys::store_errno(saved);
    // Another thread may have raced us; keep the first answer and close ours.
    match TRACE_FD.compare_exchange(-2, opened, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => (opened >= 0).then_some(opened),
        Err(first) => {
            if opened > 2 {
                close_keep_errno(opened);
            }
            (first >= 0).then_some(first)
        }
    }
}

/// `secure_getenv(name)`: `None` when unset or in a set-uid/set-gid
/// process (AT_SECURE).
fn env(name: &CStr) -> Option<&'static CStr> {
    unsafe extern "C" {
        /// glibc's `secure_getenv` (not bound by the libc crate).
        fn secure_getenv(name: *const c_char) -> *mut c_char;
    }
    // SAFETY: `name` is a C string; secure_getenv returns NULL or a pointer
    // into the environment, which stays valid while nobody changes it.
    let p = unsafe { secure_getenv(name.as_ptr()) };
    // SAFETY: a non-NULL result is a NUL-terminated string.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) })
}

/// The stored trace path.
fn trace_path() -> *const c_char {
    (&raw const TRACE_PATH).cast()
}

/// Opens the trace file (path in `TRACE_PATH`) for appending: created 0600
/// if missing, close-on-exec, never fd 0/1/2, never following a symlink,
/// never blocking; kept only if it is a regular file or FIFO owned by the
/// effective user. Records its device and inode.
fn open_trace_file() -> Option<i32> {
    // SAFETY: `trace_path()` is a NUL-terminated path in a static buffer.
    let fd = unsafe {
        libc::open(
            trace_path(),
            libc::O_WRONLY
                | libc::O_APPEND
                | libc::O_CREAT
                | libc::O_CLOEXEC
                | libc::O_NOFOLLOW
                | libc::O_NONBLOCK
                | libc::O_NOCTTY,
            0o600 as libc::c_uint,
        )
    };
    if fd < 0 {
        return None;
    }
    let fd = if fd > 2 {
        fd
    } else {
        // SAFETY: fcntl with F_DUPFD_CLOEXEC takes an int and touches no
        // memory; `fd` is ours.
        let moved = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 3) };
        close_keep_errno(fd);
        if moved < 0 {
            return None;
        }
        moved
    };
    let Some((dev, ino, mode, uid)) = fstat(fd) else {
        close_keep_errno(fd);
        return None;
    };
    let kind = mode & libc::S_IFMT;
    // SAFETY: geteuid has no preconditions.
    let euid = unsafe { libc::geteuid() };
    if (kind != libc::S_IFREG && kind != libc::S_IFIFO) || uid != euid {
        close_keep_errno(fd);
        return None;
    }
    TRACE_DEV.store(dev, Ordering::Relaxed);
    TRACE_INO.store(ino, Ordering::Relaxed);
    Some(fd)
}

/// `fstat(fd)`: device, inode, mode and owner.
fn fstat(fd: i32) -> Option<(u64, u64, libc::mode_t, libc::uid_t)> {
    let mut st = core::mem::MaybeUninit::<libc::stat>::zeroed();
    // SAFETY: `st` is a writable `struct stat`.
    if unsafe { libc::fstat(fd, st.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: zero-initialised and filled by a successful fstat.
    let st = unsafe { st.assume_init() };
    #[allow(clippy::useless_conversion, clippy::unnecessary_cast)]
    Some((st.st_dev as u64, st.st_ino as u64, st.st_mode, st.st_uid))
}

/// `close(fd)` of one of our own fds, without disturbing errno.
fn close_keep_errno(fd: i32) {
    let saved = sys::load_errno();
    // SAFETY: `fd` is an fd this module opened and nobody else uses.
    unsafe { libc::close(fd) };
    sys::store_errno(saved);
}

/// The fd to write this line to: stderr as it is now, or our trace file if
/// the fd still is that file (else the file opened again; the fd it had
/// belongs to the program now and is not touched).
fn current_fd(fd: i32) -> Option<i32> {
    if fd == 2 {
        return Some(2);
    }
    if let Some((dev, ino, _, _)) = fstat(fd) {
        if dev == TRACE_DEV.load(Ordering::Relaxed) && ino == TRACE_INO.load(Ordering::Relaxed) {
            return Some(fd);
        }
    }
    let reopened = open_trace_file();
    let new = reopened.unwrap_or(-1);
    match TRACE_FD.compare_exchange(fd, new, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => reopened,
        Err(other) => {
            // Another thread reopened it first: use its fd.
            if let Some(mine) = reopened {
                close_keep_errno(mine);
            }
            (other >= 0).then_some(other)
        }
    }
}

/// Writes `line` to `fd` without blocking and without letting `SIGPIPE` or
/// `SIGXFSZ` reach the program; a line that cannot go out now is dropped.
fn write_line(fd: i32, line: &[u8]) {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLOUT,
        revents: 0,
    };
    // SAFETY: one valid pollfd; timeout 0 returns at once.
    let ready = unsafe { libc::poll(&mut pfd, 1, 0) };
    if ready != 1 || pfd.revents & (libc::POLLOUT | libc::POLLERR | libc::POLLHUP) != libc::POLLOUT
    {
        return;
    }
    // SAFETY: (whole block) sigset_t values are plain data initialised by
    // sigemptyset; the signal calls are async-signal-safe and only affect
    // this thread's mask and its own pending signals.
    unsafe {
        let mut quiet = core::mem::zeroed::<libc::sigset_t>();
        let mut old = core::mem::zeroed::<libc::sigset_t>();
        let mut pending_before = core::mem::zeroed::<libc::sigset_t>();
        libc::sigemptyset(&mut quiet);
        libc::sigaddset(&mut quiet, libc::SIGPIPE);
        libc::sigaddset(&mut quiet, libc::SIGXFSZ);
        libc::sigpending(&mut pending_before);
        libc::pthread_sigmask(libc::SIG_BLOCK, &quiet, &mut old);
        let mut rest = line;
        while !rest.is_empty() {
            let n = libc::write(fd, rest.as_ptr().cast::<c_void>(), rest.len());
            if n < 0 {
                if sys::load_errno() == libc::EINTR {
                    continue;
                }
                break;
            }
            rest = rest.get(n as usize..).unwrap_or(&[]);
        }
        // Consume a SIGPIPE/SIGXFSZ our write raised (one that was pending
        // before belongs to the program and stays).
        for sig in [libc::SIGPIPE, libc::SIGXFSZ] {
            if libc::sigismember(&pending_before, sig) == 1 {
                continue;
            }
            let mut now = core::mem::zeroed::<libc::sigset_t>();
            libc::sigpending(&mut now);
            if libc::sigismember(&now, sig) == 1 {
                let mut one = core::mem::zeroed::<libc::sigset_t>();
                libc::sigemptyset(&mut one);
                libc::sigaddset(&mut one, sig);
                let zero = libc::timespec {
                    tv_sec: 0,
                    tv_nsec: 0,
                };
                libc::sigtimedwait(&one, core::ptr::null_mut(), &zero);
            }
        }
        libc::pthread_sigmask(libc::SIG_SETMASK, &old, core::ptr::null_mut());
    }
}

/// One trace line: `bpflink[<pid>]: <name>(<args>) = <result>`.
pub struct Line {
    text: FixedStr<LINE_CAP>,
    args: usize,
}

impl Line {
    pub fn new(name: &str) -> Line {
        let mut text = FixedStr::new();
        // SAFETY: getpid has no preconditions.
        let pid = unsafe { libc::getpid() };
        text.push(b"bpflink[")
            .push_i64(pid.into())
            .push(b"]: ")
            .push(name.as_bytes())
            .push(b"(");
        Line { text, args: 0 }
    }

    fn arg(&mut self, name: &str) -> &mut FixedStr<LINE_CAP> {
        if self.args > 0 {
            self.text.push(b", ");
        }
        self.args += 1;
        self.text.push(name.as_bytes()).push(b"=")
    }

    /// An integer argument (`int`, `__u32`, …) in decimal.
    #[inline(always)]
    pub fn int(&mut self, name: &str, v: impl Into<i64>) -> &mut Self {
        self.int_(name, v.into())
    }

    #[inline(never)]
    fn int_(&mut self, name: &str, v: i64) -> &mut Self {
        self.arg(name).push_i64(v);
        self
    }

    /// A pointer argument, as `%p` prints it.
    #[inline(always)]
    pub fn ptr<T>(&mut self, name: &str, p: *const T) -> &mut Self {
        self.ptr_(name, p as usize)
    }

    #[inline(never)]
    fn ptr_(&mut self, name: &str, p: usize) -> &mut Self {
        self.arg(name).push_hex(p as u64);
        self
    }

    /// The `opts` of `bpf_raw_tracepoint_open_opts`: its address, then
    /// `opts->tp_name` as a string when `opts->sz` covers it (`sz` and the
    /// pointer are read fault-free, like the string).
    pub fn raw_tp_opts<T>(&mut self, name: &str, p: *mut T) -> &mut Self {
        let base = p as usize;
        self.ptr_(name, base);
        let mut word = [0u8; core::mem::size_of::<usize>()];
        const TP_NAME_END: usize = 2 * core::mem::size_of::<usize>();
        if base == 0 || !read_own_memory(base, &mut word) {
            return self;
        }
        if usize::from_ne_bytes(word) < TP_NAME_END
            || !read_own_memory(base + core::mem::size_of::<usize>(), &mut word)
        {
            return self;
        }
        self.str("tp_name", usize::from_ne_bytes(word) as *const c_char)
    }

    /// A C string argument, quoted and escaped; NULL prints `NULL`, a
    /// pointer that cannot be read prints as its address.
    pub fn str(&mut self, name: &str, p: *const c_char) -> &mut Self {
        let out = self.arg(name);
        if p.is_null() {
            out.push(b"NULL");
            return self;
        }
        let mut buf = [0u8; STR_SHOWN + 1];
        let got = read_prefix(p as usize, &mut buf);
        let Some(shown) = buf.get(..got) else {
            return self;
        };
        let end = shown.iter().position(|&b| b == 0);
        if got == 0 {
            out.push_hex(p as usize as u64);
            return self;
        }
        let s = shown
            .get(..end.unwrap_or(got.min(STR_SHOWN)))
            .unwrap_or(&[]);
        out.push(b"\"");
        push_escaped(out, s);
        out.push(b"\"");
        if end.is_none() {
            out.push(b"...");
        }
        self
    }

    /// Ends the line with an `int` result (and errno when negative).
    pub fn end_int(&mut self, ret: c_int) {
        self.text.push(b") = ").push_i64(ret.into());
        if ret < 0 {
            self.text
                .push(b" (errno ")
                .push_i64(sys::load_errno().into())
                .push(b")");
        }
        self.emit();
    }

    /// Ends the line with a pointer result (NULL: failure, errno set).
    #[inline(always)]
    pub fn end_ptr<T>(&mut self, ret: *const T) {
        self.end_ptr_(ret as usize)
    }

    #[inline(never)]
    fn end_ptr_(&mut self, ret: usize) {
        self.text.push(b") = ").push_hex(ret as u64);
        if ret == 0 {
            self.text
                .push(b" (errno ")
                .push_i64(sys::load_errno().into())
                .push(b")");
        }
        self.emit();
    }

    fn emit(&mut self) {
        if self.text.truncated() {
            // Keep the line's end visible: overwrite the last bytes.
            let keep = self.text.as_bytes().len().saturating_sub(4);
            let mut cut =
                FixedStr::<LINE_CAP>::from_bytes(self.text.as_bytes().get(..keep).unwrap_or(&[]));
            cut.push(b"...");
            self.text = cut;
        }
        self.text.push(b"\n");
        let Some(fd) = trace_fd() else { return };
        let saved = sys::load_errno();
        if let Some(fd) = current_fd(fd) {
            write_line(fd, self.text.as_bytes());
        }
        sys::store_errno(saved);
    }
}

/// Copies up to `buf.len()` bytes at `addr` without faulting, stopping
/// early at unreadable memory: the number of bytes copied. The first page's
/// bytes and the rest are read separately, so a string ending just before
/// an unmapped page is still shown whole.
fn read_prefix(addr: usize, buf: &mut [u8]) -> usize {
    let first = sys::page_end(addr).saturating_sub(addr).min(buf.len());
    let (a, b) = buf.split_at_mut(first);
    if !read_own_memory(addr, a) {
        return 0;
    }
    if a.contains(&0) || b.is_empty() {
        return first;
    }
    if read_own_memory(addr + first, b) {
        buf.len()
    } else {
        first
    }
}

/// Appends `s` with `"`, `\` and every byte outside printable ASCII
/// escaped (`\n`, `\t`, `\r`, `\xNN`): a trace line is always one line of
/// plain text.
fn push_escaped<const N: usize>(out: &mut FixedStr<N>, s: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in s {
        match b {
            b'"' => out.push(b"\\\""),
            b'\\' => out.push(b"\\\\"),
            b'\n' => out.push(b"\\n"),
            b'\t' => out.push(b"\\t"),
            b'\r' => out.push(b"\\r"),
            0x20..=0x7e => out.push_byte(b),
            _ => out.push(&[
                b'\\',
                b'x',
                HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'?'),
                HEX.get(usize::from(b & 15)).copied().unwrap_or(b'?'),
            ]),
        };
    }
}

/// Builds and writes one line for a call that returned `ret`, out of the
/// caller's way: the line's buffer lives in this (cold) frame, not in the
/// traced function's.
#[cold]
#[inline(never)]
pub fn emit_int(name: &str, ret: c_int, args: impl FnOnce(&mut Line)) {
    let mut line = Line::new(name);
    args(&mut line);
    line.end_int(ret);
}

/// [`emit_int`] for a call returning a pointer.
#[cold]
#[inline(never)]
pub fn emit_ptr(name: &str, ret: *const c_void, args: impl FnOnce(&mut Line)) {
    let mut line = Line::new(name);
    args(&mut line);
    line.end_ptr(ret);
}

/// Traces a call returning `c_int` and passes the value through:
/// `traced!(ret, "name", arg: int, other: ptr, path: str)`, each argument a
/// variable in scope and a [`Line`] method that prints it. When tracing is
/// off this is one load and one branch.
macro_rules! traced {
    ($ret:expr, $name:literal $(, $arg:ident : $how:ident)* $(,)?) => {{
        let ret: ::core::ffi::c_int = $ret;
        if $crate::trace::enabled() {
            $crate::trace::emit_int($name, ret, move |_line| {
                $( _line.$how(stringify!($arg), $arg); )*
            });
        }
        ret
    }};
}
pub(crate) use traced;

/// [`traced!`] for the hot calls: `traced_call!(body(args…), "name", …)`,
/// `body` an `#[inline(never)]` function. Once tracing is known to be off
/// this is a load, a compare and a tail call: nothing of the traced
/// function's frame or arguments has to survive the call.
macro_rules! traced_call {
    ($body:expr, $name:literal $(, $arg:ident : $how:ident)* $(,)?) => {{
        if $crate::trace::known_off() {
            $body
        } else {
            $crate::trace::call_traced(
                move || $body,
                $name,
                move |_line| {
                    $( _line.$how(stringify!($arg), $arg); )*
                },
            )
        }
    }};
}
pub(crate) use traced_call;

/// Tracing has been looked at and is off (the steady state of a program
/// that did not ask for it).
#[inline(always)]
pub fn known_off() -> bool {
    TRACE_FD.load(Ordering::Relaxed) == -1
}

/// The rest of [`traced_call!`]: runs the call, then traces it if tracing
/// is on (reading `BPFLINK_TRACE` first if nobody has yet).
#[cold]
#[inline(never)]
pub fn call_traced(
    body: impl FnOnce() -> c_int,
    name: &str,
    args: impl FnOnce(&mut Line),
) -> c_int {
    let ret = body();
    if enabled() {
        emit_int(name, ret, args);
    }
    ret
}
