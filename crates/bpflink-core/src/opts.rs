//! libbpf's `*_opts` size-compatibility rules
//! (docs/libbpf-behaviour.md#opts-structs-and-sz), on an owned copy of the
//! caller's bytes.
//!
//! Every libbpf opts struct starts with `size_t sz`. libbpf reads a field only
//! when `sz` covers it completely (`OPTS_HAS`/`OPTS_GET`, same file
//! `#opts_has-and-opts_get`), rejects a `sz` below 8 and any non-zero byte past
//! the last field it knows (`OPTS_VALID`, `#opts_valid`), and checks "nothing
//! set after field F" with `OPTS_ZEROED` (`#opts_zeroed`).
//! All three are reproduced here bit for bit, including the signed/unsigned
//! arithmetic that makes a `sz` with the top bit set skip the checks.
//!
//! The caller's struct may be shorter or longer than ours. The FFI layer
//! copies the part we know (`head`) and hands us a [`TailReader`] for the
//! bytes beyond it, which is consulted lazily, exactly when libbpf would read
//! them.
#![forbid(unsafe_code)]

use core::cell::Cell;
use core::ffi::CStr;

use super::errno::{Errno, Result};

pub use crate::abi::{MAX_OPTS_SIZE, OptsKind};

/// Offset of the first field after `size_t sz`.
pub const SZ_END: usize = core::mem::size_of::<usize>();

/// How the bytes beyond our struct look, as far as a scan got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TailScan {
    /// Every byte of the range is zero.
    Zero,
    /// A non-zero byte was found.
    NonZero,
    /// Part of the range is not mapped: libbpf would fault here
    /// (docs/libbpf-behaviour.md#opts_valid, (b)); we report `EFAULT` instead
    /// (README, "Deviations").
    Unreadable,
}

/// Reads the caller's bytes past our struct: `scan(start, end)` looks at the
/// caller's bytes `[start, end)`, counted from the start of its struct,
/// stopping at the first non-zero byte like `libbpf_is_mem_zeroed`.
pub trait TailReader {
    fn scan(&self, start: usize, end: usize) -> TailScan;
}

/// A tail that is entirely zero (callers whose `sz` ≤ ours never reach it).
pub struct ZeroTail;

impl TailReader for ZeroTail {
    fn scan(&self, _start: usize, _end: usize) -> TailScan {
        TailScan::Zero
    }
}

/// A tail already looked at: the answer for the one range the core ever
/// asks about, `[kind.size, sz)` (the FFI layer scans a tail that lies on a
/// page it has read anyway at once, which is cheaper than byte-wise lazy
/// reads and means the same: those bytes cannot fault).
pub struct ScannedTail(pub TailScan);

impl TailReader for ScannedTail {
    fn scan(&self, _start: usize, _end: usize) -> TailScan {
        self.0
    }
}

/// The caller's whole struct held in memory (tests, fuzzing, the model);
/// bytes past the slice count as unmapped.
pub struct CallerBytes<'a>(pub &'a [u8]);

impl TailReader for CallerBytes<'_> {
    fn scan(&self, start: usize, end: usize) -> TailScan {
        let have = self.0.get(start..).unwrap_or(&[]);
        let want = end.saturating_sub(start);
        let seen = have.get(..want.min(have.len())).unwrap_or(&[]);
        if seen.iter().any(|&b| b != 0) {
            TailScan::NonZero
        } else if want > have.len() {
            TailScan::Unreadable
        } else {
            TailScan::Zero
        }
    }
}

/// The caller's opts as libbpf sees them: `sz`, our known part, and a lazily
/// read tail.
pub struct OptsImage<'t> {
    kind: OptsKind,
    sz: usize,
    head: [u8; MAX_OPTS_SIZE],
    tail: &'t dyn TailReader,
    tail_scan: Cell<Option<TailScan>>,
}

impl<'t> OptsImage<'t> {
    /// `head` holds the first `min(sz, kind.size)` bytes of the caller's
    /// struct (longer input is cut, shorter is zero-extended).
    pub fn new(kind: OptsKind, sz: usize, head: &[u8], tail: &'t dyn TailReader) -> Self {
        let mut copy = [0u8; MAX_OPTS_SIZE];
        let n = head.len().min(kind.size).min(sz).min(MAX_OPTS_SIZE);
        if let (Some(dst), Some(src)) = (copy.get_mut(..n), head.get(..n)) {
            dst.copy_from_slice(src);
        }
        OptsImage {
            kind,
            sz,
            head: copy,
            tail,
            tail_scan: Cell::new(None),
        }
    }

    /// Like [`Self::new`], taking the copy itself: `head` holds the first
    /// `min(sz, kind.size)` bytes of the caller's struct and zeros after
    /// them (the FFI layer fills it in place, so nothing is copied twice).
    #[inline(always)]
    pub fn from_array(
        kind: OptsKind,
        sz: usize,
        head: [u8; MAX_OPTS_SIZE],
        tail: &'t dyn TailReader,
    ) -> Self {
        OptsImage {
            kind,
            sz,
            head,
            tail,
            tail_scan: Cell::new(None),
        }
    }

    pub fn kind(&self) -> OptsKind {
        self.kind
    }

    #[inline(always)]
    pub fn sz(&self) -> usize {
        self.sz
    }

    /// `OPTS_HAS(opts, field)`: the field lies entirely inside `sz`. (For
    /// the fields of our struct, comparing with `min(sz, size)` is the same
    /// test, and it folds away wherever the compiler knows `sz ≥ size`.)
    #[inline(always)]
    fn has(&self, off: usize, len: usize) -> bool {
        self.sz.min(self.kind.size) >= off + len
    }

    #[inline(always)]
    fn bytes<const N: usize>(&self, off: usize) -> [u8; N] {
        let mut out = [0u8; N];
        if self.has(off, N) {
            if let Some(src) = self.head.get(off..off + N) {
                out.copy_from_slice(src);
            }
        }
        out
    }

    /// `OPTS_GET(opts, <bool or u8 field at off>, 0)`.
    #[inline(always)]
    pub fn u8_at(&self, off: usize) -> u8 {
        self.bytes::<1>(off)[0]
    }

    /// `OPTS_GET(opts, <u32 field at off>, 0)`.
    #[inline(always)]
    pub fn u32_at(&self, off: usize) -> u32 {
        u32::from_ne_bytes(self.bytes::<4>(off))
    }

    /// `OPTS_GET(opts, <s32 field at off>, 0)`.
    #[inline(always)]
    pub fn i32_at(&self, off: usize) -> i32 {
        i32::from_ne_bytes(self.bytes::<4>(off))
    }

    /// `OPTS_GET(opts, <u64 or pointer field at off>, 0)`.
    #[inline(always)]
    pub fn u64_at(&self, off: usize) -> u64 {
        u64::from_ne_bytes(self.bytes::<8>(off))
    }

    /// `OPTS_GET(opts, <size_t or pointer field at off>, 0)`.
    #[inline(always)]
    pub fn usize_at(&self, off: usize) -> usize {
        usize::from_ne_bytes(self.bytes::<{ core::mem::size_of::<usize>() }>(off))
    }

    /// `libbpf_is_mem_zeroed(opts + off, (ssize_t)(sz - off))`: every byte in
    /// `[off, sz)` is zero. The length is computed modulo 2^64 and read as
    /// signed, so a "negative" length (sz < off, or sz - off ≥ 2^63) checks
    /// nothing, exactly as in libbpf (docs/libbpf-behaviour.md#opts_valid, (b),
    /// and #opts_zeroed).
    #[inline(always)]
    pub fn zeroed_from(&self, off: usize) -> Result<bool> {
        let len = self.sz.wrapping_sub(off) as isize;
        if len <= 0 {
            return Ok(true);
        }
        self.zeroed_range(off)
    }

    /// [`Self::zeroed_from`] for a non-empty range `[off, sz)`.
    #[inline(always)]
    fn zeroed_range(&self, off: usize) -> Result<bool> {
        let end = self.sz; // off + len, without overflow
        let known = self.kind.size;
        if off < known {
            let stop = end.min(known);
            if self.head.get(off..stop).is_some_and(|b| !all_zero(b)) {
                return Ok(false);
            }
        }
        if end <= known {
            return Ok(true);
        }
        let scan = match self.tail_scan.get() {
            Some(s) => s,
            None => {
                let s = self.tail.scan(known, end);
                self.tail_scan.set(Some(s));
                s
            }
        };
        match scan {
            TailScan::Zero => Ok(true),
            TailScan::NonZero => Ok(false),
            TailScan::Unreadable => Err(Errno::EFAULT),
        }
    }
}

/// Every byte of `b` is zero: OR-folded eight bytes at a time (a few
/// dozen bytes at most; with the constant ranges of the hot paths each
/// chunk is one load and one test).
#[inline(always)]
fn all_zero(b: &[u8]) -> bool {
    let chunks = b.chunks_exact(8);
    let rest = chunks.remainder();
    let mut any = 0u64;
    for c in chunks {
        any |= u64::from_ne_bytes(c.try_into().unwrap_or([1; 8]));
    }
    for &x in rest {
        any |= u64::from(x);
    }
    any == 0
}

/// Why OPTS_VALID rejected the caller's opts; the FFI layer prints it as
/// libbpf does, then returns `-EINVAL` (or `-EFAULT` for an unreadable tail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Warning {
    /// `libbpf: <type> size (<sz>) is too small`
    OptsTooSmall { type_name: &'static CStr, sz: usize },
    /// `libbpf: <type> has non-zero extra bytes`
    OptsExtraBytes { type_name: &'static CStr },
    /// bpflink only: the bytes past our struct could not be read (libbpf
    /// would crash reading them).
    OptsUnreadable { type_name: &'static CStr, sz: usize },
    /// `libbpf: failed to dup FD <fd> to FD > 2: <-errno>`
    /// (docs/libbpf-behaviour.md#fd-hygiene).
    DupFailed { fd: i32, errno: Errno },
}

/// A sink for warnings; the FFI layer prints through libbpf's print hook.
pub trait Log {
    fn warn(&mut self, warning: Warning);
}

/// Discards warnings.
pub struct Silent;

impl Log for Silent {
    fn warn(&mut self, _warning: Warning) {}
}

/// `OPTS_VALID(opts, type)` (docs/libbpf-behaviour.md#opts_valid). `None` (a
/// NULL pointer) is valid.
#[inline(always)]
pub fn validate<L: Log + ?Sized>(opts: Option<&OptsImage<'_>>, log: &mut L) -> Result<()> {
    match opts {
        None => Ok(()),
        Some(o) => validate_given(o, log),
    }
}

#[inline(always)]
fn validate_given<L: Log + ?Sized>(o: &OptsImage<'_>, log: &mut L) -> Result<()> {
    let type_name = o.kind.name;
    if o.sz < SZ_END {
        log.warn(Warning::OptsTooSmall {
            type_name,
            sz: o.sz,
        });
        return Err(Errno::EINVAL);
    }
    match o.zeroed_from(o.kind.known_end) {
        Ok(true) => Ok(()),
        Ok(false) => {
            log.warn(Warning::OptsExtraBytes { type_name });
            Err(Errno::EINVAL)
        }
        Err(e) => {
            log.warn(Warning::OptsUnreadable {
                type_name,
                sz: o.sz,
            });
            Err(e)
        }
    }
}

/// `OPTS_ZEROED(opts, field)` with `field_end = offsetofend(type, field)`.
#[inline(always)]
pub fn zeroed_after(opts: Option<&OptsImage<'_>>, field_end: usize) -> Result<bool> {
    match opts {
        None => Ok(true),
        Some(o) => o.zeroed_from(field_end),
    }
}

/// Reads a field through `OPTS_GET` semantics; `None` opts read as 0.
#[inline(always)]
pub fn get_u32(opts: Option<&OptsImage<'_>>, off: usize) -> u32 {
    opts.map_or(0, |o| o.u32_at(off))
}

#[inline(always)]
pub fn get_i32(opts: Option<&OptsImage<'_>>, off: usize) -> i32 {
    opts.map_or(0, |o| o.i32_at(off))
}

#[inline(always)]
pub fn get_u64(opts: Option<&OptsImage<'_>>, off: usize) -> u64 {
    opts.map_or(0, |o| o.u64_at(off))
}

/// Pointer fields are `usize` wide; `ptr_to_u64` zero-extends them.
#[inline(always)]
pub fn get_ptr(opts: Option<&OptsImage<'_>>, off: usize) -> u64 {
    opts.map_or(0, |o| o.usize_at(off) as u64)
}
