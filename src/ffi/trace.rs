//! Opt-in call trace: `BPFLINK_TRACE=1` (or `stderr`) writes one line per
//! exported call to stderr, `BPFLINK_TRACE=/some/file` appends to that
//! file. Nothing is written anywhere unless the user asked for it.
//!
//! Its purpose is to show which library served a call, e.g. that under
//! `LD_PRELOAD=libbpflink.so` libbpf's own internal `bpf_link_create` calls
//! reach us (README, "LD_PRELOAD"). The variable is read once, with
//! `secure_getenv` semantics (ignored in set-uid programs). When tracing is
//! off a call costs one relaxed atomic load, and nothing is allocated.

use std::ffi::{CStr, c_int};
use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicI32, Ordering};

use crate::sys;

/// -2: not read yet; -1: off; otherwise the fd to write to.
static TRACE_FD: AtomicI32 = AtomicI32::new(-2);

#[inline(always)]
fn trace_fd() -> Option<i32> {
    let fd = TRACE_FD.load(Ordering::Relaxed);
    if fd != -2 {
        return (fd >= 0).then_some(fd);
    }
    first_use()
}

/// Reads `BPFLINK_TRACE` and opens the trace file: once per process.
#[cold]
#[inline(never)]
fn first_use() -> Option<i32> {
    // Opening the trace file must not change the errno the traced call
    // leaves for its caller.
    let saved = sys::load_errno();
    let opened = match sys::secure_env(c"BPFLINK_TRACE") {
        None => -1,
        Some(v) if v.is_empty() || v == b"0" => -1,
        Some(v) if v == b"1" || v == b"stderr" => 2,
        Some(v) => CStr::from_bytes_with_nul(&[v.as_slice(), b"\0"].concat())
            .map_or(-1, |p| sys::open_append(p).unwrap_or(-1)),
    };
    sys::store_errno(saved);
    // Another thread may have raced us; keep the first answer and close ours.
    match TRACE_FD.compare_exchange(-2, opened, Ordering::Relaxed, Ordering::Relaxed) {
        Ok(_) => (opened >= 0).then_some(opened),
        Err(first) => {
            if opened > 2 {
                sys::close_keep_errno(opened);
            }
            (first >= 0).then_some(first)
        }
    }
}

/// Whether tracing is on (callers skip formatting when it is off).
#[inline(always)]
pub fn enabled() -> bool {
    trace_fd().is_some()
}

/// Writes `bpflink[pid]: <call> = <ret>` (with errno on failure), keeping
/// errno unchanged for the caller.
pub fn call(what: fmt::Arguments<'_>, ret: c_int) {
    let Some(fd) = trace_fd() else { return };
    let saved = sys::load_errno();
    let mut line = String::with_capacity(128);
    let _ = write!(line, "bpflink[{}]: {} = {}", std::process::id(), what, ret);
    if ret < 0 {
        let _ = write!(line, " (errno {})", saved);
    }
    line.push('\n');
    sys::write_all(fd, line.as_bytes());
    sys::store_errno(saved);
}

/// Like [`call`] for a call returning a pointer (NULL: failure, errno set).
pub fn call_ptr(what: fmt::Arguments<'_>, ret: *const std::ffi::c_void) {
    let Some(fd) = trace_fd() else { return };
    let saved = sys::load_errno();
    let mut line = String::with_capacity(128);
    let _ = write!(
        line,
        "bpflink[{}]: {} = {:p}",
        std::process::id(),
        what,
        ret
    );
    if ret.is_null() {
        let _ = write!(line, " (errno {})", saved);
    }
    line.push('\n');
    sys::write_all(fd, line.as_bytes());
    sys::store_errno(saved);
}

/// Traces a call returning `c_int` and passes the value through.
macro_rules! traced {
    ($ret:expr, $($fmt:tt)*) => {{
        let ret: ::std::ffi::c_int = $ret;
        if $crate::ffi::trace::enabled() {
            $crate::ffi::trace::call(format_args!($($fmt)*), ret);
        }
        ret
    }};
}
pub(crate) use traced;
