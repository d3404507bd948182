//! The one place that turns a `Result` into libbpf's C convention: the
//! value on success; on failure `errno = e` and `-e` returned (SPEC §2.5,
//! §5.1).

use std::ffi::c_int;

use crate::core::errno::Result;
use crate::sys::store_errno;

/// `libbpf_err` / `libbpf_err_errno`. A failure whose errno is 0 (only a
/// fake kernel produces one) returns 0 and leaves errno alone, as libbpf's
/// `-errno` would.
pub fn int(r: Result<i32>) -> c_int {
    match r {
        Ok(v) => v,
        Err(e) if e.0 == 0 => 0,
        Err(e) => {
            store_errno(e.0);
            e.negated()
        }
    }
}
