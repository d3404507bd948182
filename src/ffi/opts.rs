//! Copies a caller's opts struct into an [`OptsImage`] without ever
//! forming a Rust reference to it (it may be shorter than ours).

use crate::core::opts::{MAX_OPTS_SIZE, OptsImage, OptsKind};
use crate::sys::CallerTail;

/// Runs `f` on the caller's opts, `None` for NULL.
///
/// # Safety
/// `ptr` is NULL, or points to a readable `size_t sz` followed by at least
/// `min(sz, kind.size) - 8` readable bytes (what libbpf itself reads). Bytes
/// past our struct are read fault-free (see [`CallerTail`]).
#[inline(always)]
pub unsafe fn with_opts<R>(
    ptr: *const u8,
    kind: OptsKind,
    f: impl FnOnce(Option<&OptsImage<'_>>) -> R,
) -> R {
    if ptr.is_null() {
        return f(None);
    }
    // SAFETY: the caller guarantees `sz` is readable; it may be unaligned
    // in hostile input, so read it unaligned.
    let sz = unsafe { std::ptr::read_unaligned(ptr.cast::<usize>()) };
    let n = sz.min(kind.size).min(MAX_OPTS_SIZE);
    let mut head = [0u8; MAX_OPTS_SIZE];
    if n == MAX_OPTS_SIZE {
        // The common case for bpf_link_create_opts: a fixed-size copy the
        // compiler turns into a few vector moves.
        // SAFETY: the caller guarantees `min(sz, kind.size)` = 80 bytes are
        // readable.
        head = unsafe { std::ptr::read_unaligned(ptr.cast::<[u8; MAX_OPTS_SIZE]>()) };
    } else {
        // SAFETY: the caller guarantees `min(sz, kind.size)` bytes are
        // readable; `head` has room for MAX_OPTS_SIZE ≥ n bytes.
        unsafe { std::ptr::copy_nonoverlapping(ptr, head.as_mut_ptr(), n) };
    }
    let tail = CallerTail { base: ptr as usize };
    let image = OptsImage::from_array(kind, sz, head, &tail);
    f(Some(&image))
}
