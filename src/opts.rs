//! Copies a caller's opts struct into an [`OptsImage`] without ever
//! forming a Rust reference to it (it may be shorter than ours).
//!
//! What may be read, and how (docs/libbpf-behaviour.md, "Reading opts"):
//! - `sz` itself is read directly: libbpf reads it first too.
//! - `sz` no larger than the struct we know (this libbpf's, or an older
//!   one's): the caller's struct has those `sz` bytes, and they are read
//!   directly, as libbpf reads them. This is every ordinary call, wherever
//!   the struct lies (across a page boundary too), and costs no syscall.
//! - `sz` larger than the struct we know (a newer libbpf's struct, or a
//!   garbage `sz`): what lies on the page of `sz` is read directly; anything
//!   beyond is read fault-free, so that memory which is not mapped gives
//!   `-EFAULT` where libbpf would crash. If the fault-free reader is not
//!   available (a seccomp filter or gVisor denying `process_vm_readv`), those
//!   bytes too are read directly, like libbpf: a valid call never fails for
//!   want of a syscall.

use bpflink_core::errno::{Errno, Result};
use bpflink_core::opts::{
    Log, MAX_OPTS_SIZE, OptsImage, OptsKind, SZ_END, ScannedTail, TailScan, Warning, ZeroTail,
};
use bpflink_core::sys::{self, CallerTail};

use super::print::PrintLog;

/// Runs `f` on the caller's opts, `None` for NULL.
///
/// # Safety
/// `ptr` is NULL, or points to a readable `size_t sz` followed by
/// `min(sz, kind.size) - 8` readable bytes when `sz ≤ kind.size` (what
/// libbpf itself reads). A larger `sz` is checked (see the module doc).
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
    let long_tail;
    let mut long_scan;
    let image = if sz == kind.size {
        // This libbpf's struct: a fixed-size copy (`kind` is a constant at
        // every call site). Nothing past `sz` is read, so there is no tail.
        // SAFETY: the caller's struct has its `sz` bytes (contract).
        OptsImage::from_array(kind, sz, unsafe { known_head(ptr, kind) }, &ZeroTail)
    } else if sz < kind.size {
        // SAFETY: as above.
        OptsImage::from_array(kind, sz, unsafe { short_head(ptr, sz) }, &ZeroTail)
    } else if let Some(head) = {
        long_scan = ScannedTail(TailScan::Zero);
        // SAFETY: forwarded from this function's contract.
        unsafe { full_head(ptr, kind, sz, &mut long_scan) }
    } {
        // A newer libbpf's struct that lies on the page of `sz`: every byte
        // is mapped; the tail was scanned at once.
        OptsImage::from_array(kind, sz, head, &long_scan)
    } else {
        // SAFETY: forwarded from this function's contract.
        let head = unsafe { long_head(ptr, kind, sz) }?;
        // SAFETY: `ptr` is the caller's struct, whose `sz` claims the tail.
        long_tail = unsafe { CallerTail::new(ptr as usize) };
        OptsImage::from_array(kind, sz, head, &long_tail)
    };
    f(Some(&image))
}

/// The head of a struct at least as large as ours whose bytes all lie on
/// the page of `sz` (this libbpf's own struct, as `LIBBPF_OPTS` makes it, or
/// a newer libbpf's), with `tail` set to what lies past our part; `None`
/// otherwise. Callers on the hot path pass the image to a copy of the
/// core's code in which `sz ≥ size` is known, so every `OPTS_HAS` folds.
///
/// # Safety
/// `ptr` points to `kind.size` readable bytes when `sz == kind.size`, and
/// to a readable `size_t` otherwise.
#[inline(always)]
pub unsafe fn full_head(
    ptr: *const u8,
    kind: OptsKind,
    sz: usize,
    tail: &mut ScannedTail,
) -> Option<[u8; MAX_OPTS_SIZE]> {
    if sz == kind.size {
        // SAFETY: forwarded from this function's contract.
        return Some(unsafe { known_head(ptr, kind) });
    }
    {
        let on_page = (ptr as usize)
            .checked_add(sz)
            .is_some_and(|end| end <= sys::page_end(ptr as usize + SZ_END - 1));
        if !on_page {
            return None;
        }
        // SAFETY: `sz` bytes from `ptr`, all on the page holding `sz`.
        tail.0 = unsafe { scan_in_page(ptr.wrapping_add(kind.size), sz - kind.size) };
    }
    // SAFETY: forwarded from this function's contract (and on_page above).
    Some(unsafe { known_head(ptr, kind) })
}

/// Whether the `len` bytes at `p` are all zero (`libbpf_is_mem_zeroed`),
/// eight at a time.
///
/// # Safety
/// They are readable.
#[inline(never)]
unsafe fn scan_in_page(p: *const u8, len: usize) -> TailScan {
    let mut any = 0u64;
    let mut i = 0;
    while i + 8 <= len {
        // SAFETY: forwarded from this function's contract.
        any |= unsafe { core::ptr::read_unaligned(p.add(i).cast::<u64>()) };
        i += 8;
    }
    while i < len {
        // SAFETY: as above.
        any |= u64::from(unsafe { p.add(i).read() });
        i += 1;
    }
    if any == 0 {
        TailScan::Zero
    } else {
        TailScan::NonZero
    }
}

/// `sz` of the caller's struct.
///
/// # Safety
/// `ptr` points to a readable `size_t`.
#[inline(always)]
pub unsafe fn sz_of(ptr: *const u8) -> usize {
    // SAFETY: forwarded; it may be unaligned in hostile input.
    unsafe { core::ptr::read_unaligned(ptr.cast::<usize>()) }
}

/// The first `kind.size` bytes at `ptr`, zero-extended.
///
/// # Safety
/// They are readable.
#[inline(always)]
unsafe fn known_head(ptr: *const u8, kind: OptsKind) -> [u8; MAX_OPTS_SIZE] {
    if kind.size == MAX_OPTS_SIZE {
        // SAFETY: forwarded from this function's contract.
        return unsafe { core::ptr::read_unaligned(ptr.cast::<[u8; MAX_OPTS_SIZE]>()) };
    }
    let mut head = [0u8; MAX_OPTS_SIZE];
    // SAFETY: forwarded from this function's contract.
    unsafe { core::ptr::copy_nonoverlapping(ptr, head.as_mut_ptr(), kind.size.min(MAX_OPTS_SIZE)) };
    head
}

/// An older libbpf's shorter struct: its `sz` bytes at `ptr`, zero-extended
/// (out of line, so that the fixed-size copy above stays one).
///
/// # Safety
/// The `sz` bytes at `ptr` are readable.
#[inline(never)]
unsafe fn short_head(ptr: *const u8, sz: usize) -> [u8; MAX_OPTS_SIZE] {
    let mut head = [0u8; MAX_OPTS_SIZE];
    // SAFETY: forwarded from this function's contract.
    unsafe { core::ptr::copy_nonoverlapping(ptr, head.as_mut_ptr(), sz.min(MAX_OPTS_SIZE)) };
    head
}

/// The known part of a struct whose `sz` is larger than ours.
///
/// # Safety
/// `ptr` points to a readable `size_t sz`.
#[cold]
#[inline(never)]
unsafe fn long_head(ptr: *const u8, kind: OptsKind, sz: usize) -> Result<[u8; MAX_OPTS_SIZE]> {
    let n = kind.size.min(MAX_OPTS_SIZE);
    let mut head = [0u8; MAX_OPTS_SIZE];
    let base = ptr as usize;
    // Bytes on the page holding the last byte of `sz` are mapped.
    let safe = sys::page_end(base + SZ_END - 1).saturating_sub(base).min(n);
    // SAFETY: `safe` ≤ n ≤ MAX_OPTS_SIZE bytes, all on the page holding
    // `sz` (mapped); `head` has room for them.
    unsafe { core::ptr::copy_nonoverlapping(ptr, head.as_mut_ptr(), safe) };
    if safe < n {
        let rest = head.get_mut(safe..n).unwrap_or(&mut []);
        // SAFETY: the caller claims `sz` > n bytes: read them fault-free
        // where the kernel lets us, directly (like libbpf) where it does not.
        if !unsafe { sys::read_claimed_memory(base + safe, rest) } {
            PrintLog.warn(Warning::OptsUnreadable {
                type_name: kind.name,
                sz,
            });
            return Err(Errno::EFAULT);
        }
    }
    Ok(head)
}

/// [`with_opts`] for the hot calls: `$body` (an expression using `$o`, the
/// `Option<&OptsImage>`) is expanded twice — once for a struct at least as
/// large as ours lying on one page (this libbpf's own struct, as
/// `LIBBPF_OPTS` makes it), in which the compiler knows `sz ≥ size` and
/// folds every `OPTS_HAS`, and once for everything else. A closure could
/// not do this: called from two places, it would not be inlined into both.
///
/// Use inside an `unsafe` block; the pointer contract is [`with_opts`]'s.
macro_rules! with_opts_specialised {
    ($ptr:expr, $kind:expr, |$o:ident| $body:expr) => {{
        let ptr: *const u8 = $ptr;
        let kind: ::bpflink_core::opts::OptsKind = $kind;
        let sz = $crate::opts::sz_of(ptr);
        let mut tail = ::bpflink_core::opts::ScannedTail(::bpflink_core::opts::TailScan::Zero);
        let full = if sz >= kind.size {
            $crate::opts::full_head(ptr, kind, sz, &mut tail)
        } else {
            None
        };
        match full {
            Some(head) => {
                let image = ::bpflink_core::opts::OptsImage::from_array(kind, sz, head, &tail);
                let $o = Some(&image);
                $body
            }
            None => $crate::opts::with_opts(ptr, kind, |$o| $body),
        }
    }};
}
pub(crate) use with_opts_specialised;
