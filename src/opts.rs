//! Copies a caller's opts struct into an [`OptsImage`] without ever
//! forming a Rust reference to it (it may be shorter than ours).

use bpflink_core::errno::{Errno, Result};
use bpflink_core::opts::{Log, MAX_OPTS_SIZE, OptsImage, OptsKind, SZ_END, Warning};
use bpflink_core::sys::{self, CallerTail};

use super::print::PrintLog;

/// Runs `f` on the caller's opts, `None` for NULL.
///
/// The part of the struct we know is copied at once. When the caller's `sz`
/// claims bytes that are not mapped (a garbage `sz` on a short struct at the
/// end of a page), libbpf reads only the fields it needs and may or may not
/// crash; bpflink reads the whole known part fault-free and answers
/// `-EFAULT` with libbpf-style warning `<type> size (<sz>) reaches unreadable
/// memory` (README, "Deviations") instead of ever faulting.
///
/// # Safety
/// `ptr` is NULL, or points to a readable `size_t sz` (what libbpf itself
/// reads first). Everything after `sz` is read fault-free.
#[inline(always)]
pub unsafe fn with_opts<T>(
    ptr: *const u8,
    kind: OptsKind,
    f: impl FnOnce(Option<&OptsImage<'_>>) -> Result<T>,
) -> Result<T> {
    if ptr.is_null() {
        return f(None);
    }
    // SAFETY: the caller guarantees `sz` is readable; it may be unaligned
    // in hostile input, so read it unaligned.
    let sz = unsafe { core::ptr::read_unaligned(ptr.cast::<usize>()) };
    let n = sz.min(kind.size).min(MAX_OPTS_SIZE);
    let mut head = [0u8; MAX_OPTS_SIZE];
    // Bytes on the page holding the last byte of `sz` are mapped: the
    // common case (the whole known part lies there) is a plain copy.
    let base = ptr as usize;
    let safe = sys::page_end(base + SZ_END - 1).saturating_sub(base).min(n);
    if safe == MAX_OPTS_SIZE {
        // A fixed-size copy the compiler turns into a few vector moves.
        // SAFETY: these 80 bytes lie on the page holding `sz`, which is
        // mapped.
        head = unsafe { core::ptr::read_unaligned(ptr.cast::<[u8; MAX_OPTS_SIZE]>()) };
    } else if safe == kind.size {
        // The whole struct as we know it (`kind` is a constant at every call
        // site, so this is a fixed-size copy too).
        // SAFETY: `kind.size` ≤ MAX_OPTS_SIZE bytes on the mapped page.
        unsafe {
            core::ptr::copy_nonoverlapping(ptr, head.as_mut_ptr(), kind.size.min(MAX_OPTS_SIZE))
        };
    } else {
        // SAFETY: `safe` ≤ n ≤ MAX_OPTS_SIZE bytes, all on the page holding
        // `sz` (mapped); `head` has room for them.
        unsafe { core::ptr::copy_nonoverlapping(ptr, head.as_mut_ptr(), safe) };
        if safe < n {
            let rest = head.get_mut(safe..n).unwrap_or(&mut []);
            if !sys::read_own_memory(base + safe, rest) {
                PrintLog.warn(Warning::OptsUnreadable {
                    type_name: kind.name,
                    sz,
                });
                return Err(Errno::EFAULT);
            }
        }
    }
    let tail = CallerTail { base };
    let image = OptsImage::from_array(kind, sz, head, &tail);
    f(Some(&image))
}
