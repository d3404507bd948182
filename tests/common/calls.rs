//! C-ABI call wrappers and assertions shared by the real-kernel test files:
//! each wrapper calls a `libbpflink` function exactly as C would and returns
//! `(return value, errno)`.
#![allow(
    clippy::undocumented_unsafe_blocks,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::ffi::{CStr, c_int};
use std::mem::{size_of, zeroed};
use std::os::fd::{OwnedFd, RawFd};
use std::ptr::null;

use bpflink_core::abi::{bpf_link_create_opts, bpf_link_update_opts};
use libbpflink::bpf::*;

use super::*;

/// All link ids, walked with `bpf_link_get_next_id` until `-ENOENT`.
pub fn all_link_ids() -> Vec<u32> {
    let mut ids = Vec::new();
    let mut cur = 0u32;
    for _ in 0..1_000_000 {
        let mut next = 0u32;
        let (r, e) = c_call(|| unsafe { bpf_link_get_next_id(cur, &mut next) });
        if r == -libc::ENOENT {
            assert_eq!(e, libc::ENOENT, "errno at the end of the id walk");
            return ids;
        }
        assert_eq!(r, 0, "bpf_link_get_next_id({cur}) errno {}", errname(e));
        assert!(next > cur, "ids must increase: {cur} -> {next}");
        ids.push(next);
        cur = next;
    }
    panic!("bpf_link_get_next_id walk did not end");
}

/// Asserts a failed call: returned `-want` and left errno == `want`.
#[track_caller]
pub fn assert_err((r, e): (c_int, c_int), want: c_int, what: &str) {
    assert!(
        r == -want && e == want,
        "{what}: expected -{want} ({}) with errno {want}, got {r} with errno {e} ({})",
        errname(want),
        errname(e)
    );
}

/// Asserts a successful fd-returning call: fd ≥ 3, FD_CLOEXEC.
#[track_caller]
pub fn assert_new_fd((r, e): (c_int, c_int), what: &str) -> OwnedFd {
    assert!(
        r >= 3,
        "{what}: expected an fd >= 3, got {r} (errno {e}: {})",
        errname(e)
    );
    assert!(is_cloexec(r), "{what}: fd {r} lacks FD_CLOEXEC");
    own(r, what)
}

#[track_caller]
pub fn assert_ok0((r, e): (c_int, c_int), what: &str) {
    assert!(
        r == 0,
        "{what}: expected 0, got {r} (errno {e}: {})",
        errname(e)
    );
}

pub fn cstr_of(buf: &[u8]) -> &str {
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    std::str::from_utf8(&buf[..end]).unwrap()
}

pub fn lc_opts() -> bpf_link_create_opts {
    // SAFETY: all-zero is a valid value (integers, raw pointers, a union of them).
    let mut o: bpf_link_create_opts = unsafe { zeroed() };
    o.sz = size_of::<bpf_link_create_opts>();
    o
}

/// `bpf_link_create(prog, target, attach_type, opts)`: (ret, errno).
pub fn link_create(
    prog: RawFd,
    target: RawFd,
    attach_type: u32,
    opts: Option<&bpf_link_create_opts>,
) -> (c_int, c_int) {
    let p = opts.map_or(null(), |o| o as *const bpf_link_create_opts);
    c_call(|| unsafe { bpf_link_create(prog, target, attach_type, p) })
}

pub fn link_update(
    link: RawFd,
    prog: RawFd,
    opts: Option<&bpf_link_update_opts>,
) -> (c_int, c_int) {
    let p = opts.map_or(null(), |o| o as *const bpf_link_update_opts);
    c_call(|| unsafe { bpf_link_update(link, prog, p) })
}

pub fn obj_get(path: &CStr) -> (c_int, c_int) {
    c_call(|| unsafe { bpf_obj_get(path.as_ptr()) })
}

pub fn obj_pin(fd: RawFd, path: &CStr) -> (c_int, c_int) {
    c_call(|| unsafe { bpf_obj_pin(fd, path.as_ptr()) })
}

/// `bpf_link_update_opts` built like `LIBBPF_OPTS`: zeroed *including the
/// 4 padding bytes at the end* (a struct literal leaves them undefined, and
/// bpflink, like libbpf, rejects non-zero bytes past the last known field
/// with EINVAL).
pub fn lu_opts(flags: u32, old_prog_fd: RawFd) -> bpf_link_update_opts {
    // SAFETY: all-zero is a valid value of this plain-integer struct.
    let mut o: bpf_link_update_opts = unsafe { zeroed() };
    o.sz = size_of::<bpf_link_update_opts>();
    o.flags = flags;
    o.old_prog_fd = old_prog_fd as u32;
    o
}

/// Like [`lu_opts`] with `old_map_fd` (struct_ops).
pub fn lu_map_opts(flags: u32, old_map_fd: RawFd) -> bpf_link_update_opts {
    let mut o = lu_opts(flags, 0);
    o.old_map_fd = old_map_fd as u32;
    o
}
