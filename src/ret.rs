//! The one place that turns a `Result` into libbpf's C convention: the
//! value on success; on failure `errno = e` and `-e` returned
//! (docs/libbpf-behaviour.md#errors-and-errno).

use core::ffi::{c_int, c_long};

use bpflink_core::errno::{Errno, Result};
use bpflink_core::sys::store_errno;

/// `libbpf_err` / `libbpf_err_errno`. A failure whose errno is 0 (only a
/// fake kernel produces one) returns 0 and leaves errno alone, as libbpf's
/// `-errno` would.
#[inline(always)]
pub fn int(r: Result<i32>) -> c_int {
    match r {
        Ok(v) => v,
        Err(e) => fail(e),
    }
}

/// The failure half of [`int`], out of the success path's way.
#[cold]
#[inline(never)]
fn fail(e: Errno) -> c_int {
    if e.0 == 0 {
        return 0;
    }
    store_errno(e.0);
    e.negated()
}

/// `libbpf_err_ptr(-e)`: `errno = e`, NULL.
pub fn null<T>(e: Errno) -> *mut T {
    store_errno(e.0);
    core::ptr::null_mut()
}

/// For `long` results: the value, or `errno = e` and `-e`.
pub fn long(r: Result<i64>) -> c_long {
    match r {
        Ok(v) => v as c_long,
        Err(e) => {
            store_errno(e.0);
            c_long::from(e.negated())
        }
    }
}

/// A `void` function's failure: only `errno = e` (bpflink's answer to
/// garbage input libbpf would crash on).
pub fn errno_only(e: Errno) {
    store_errno(e.0);
}
