//! A string in a fixed buffer: what the C library's messages, error texts
//! and trace lines are built in, so that building one never allocates (a
//! failed allocation must not abort the host, and the trace runs in signal
//! handlers) and never pulls in `core::fmt`'s machinery.
#![forbid(unsafe_code)]

use core::ffi::CStr;

/// Up to `N - 1` bytes of text, always followed by a NUL. Text that does not
/// fit is cut, never an error: [`Self::truncated`] tells.
#[derive(Clone, Copy)]
pub struct FixedStr<const N: usize> {
    buf: [u8; N],
    len: usize,
    truncated: bool,
}

impl<const N: usize> Default for FixedStr<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> FixedStr<N> {
    pub const fn new() -> Self {
        FixedStr {
            buf: [0; N],
            len: 0,
            truncated: false,
        }
    }

    /// A copy of `s` (cut to fit).
    pub fn from_bytes(s: &[u8]) -> Self {
        let mut out = Self::new();
        out.push(s);
        out
    }

    /// Appends `s`, as much of it as fits before the final NUL. Out of line
    /// (as are the number formatters): messages and trace lines are cold,
    /// and the library's size counts.
    #[inline(never)]
    pub fn push(&mut self, s: &[u8]) -> &mut Self {
        let room = N.saturating_sub(1).saturating_sub(self.len);
        let n = s.len().min(room);
        if let (Some(dst), Some(src)) = (self.buf.get_mut(self.len..self.len + n), s.get(..n)) {
            dst.copy_from_slice(src);
            self.len += n;
        }
        if n < s.len() {
            self.truncated = true;
        }
        self
    }

    pub fn push_byte(&mut self, b: u8) -> &mut Self {
        self.push(&[b])
    }

    /// Appends `v` in decimal, with a `-` when negative.
    pub fn push_i64(&mut self, v: i64) -> &mut Self {
        if v < 0 {
            self.push(b"-");
        }
        self.push_u64(v.unsigned_abs())
    }

    /// Appends `v` in decimal.
    #[inline(never)]
    pub fn push_u64(&mut self, mut v: u64) -> &mut Self {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            if let Some(d) = digits.get_mut(i) {
                *d = b'0' + (v % 10) as u8;
            }
            v /= 10;
            if v == 0 || i == 0 {
                break;
            }
        }
        self.push(digits.get(i..).unwrap_or(&[]))
    }

    /// Appends `v` as `0x` and lower-case hex digits, like C's `%p`.
    #[inline(never)]
    pub fn push_hex(&mut self, v: u64) -> &mut Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut digits = [0u8; 16];
        let mut i = digits.len();
        let mut v = v;
        loop {
            i -= 1;
            if let Some(d) = digits.get_mut(i) {
                *d = HEX.get((v & 0xf) as usize).copied().unwrap_or(b'?');
            }
            v >>= 4;
            if v == 0 || i == 0 {
                break;
            }
        }
        self.push(b"0x");
        self.push(digits.get(i..).unwrap_or(&[]))
    }

    /// The text, without the NUL.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// The text and its NUL.
    pub fn as_c_str(&self) -> &CStr {
        let with_nul = self.buf.get(..=self.len).unwrap_or(&[]);
        // An interior NUL (pushed bytes may hold one) ends the C string
        // early, as it would in C.
        CStr::from_bytes_until_nul(with_nul).unwrap_or(c"")
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether something pushed did not fit.
    pub fn truncated(&self) -> bool {
        self.truncated
    }
}

impl<const N: usize> core::fmt::Debug for FixedStr<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(&self.as_c_str(), f)
    }
}

impl<const N: usize> PartialEq for FixedStr<N> {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl<const N: usize> Eq for FixedStr<N> {}

/// Sorts `v` by `cmp` in place: a heap sort, no allocation and a few
/// hundred bytes of code (the standard library's sorts weigh tens of KiB,
/// a lot for a C library's cold path). Not stable; the resolvers sorting
/// with it only look names up afterwards.
pub fn heap_sort_by<T: Copy>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> core::cmp::Ordering) {
    fn sift<T: Copy>(
        v: &mut [T],
        mut root: usize,
        end: usize,
        cmp: &mut impl FnMut(&T, &T) -> core::cmp::Ordering,
    ) {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                return;
            }
            if child + 1 < end {
                if let (Some(a), Some(b)) = (v.get(child), v.get(child + 1)) {
                    if cmp(a, b).is_lt() {
                        child += 1;
                    }
                }
            }
            match (v.get(root), v.get(child)) {
                (Some(r), Some(c)) if cmp(r, c).is_lt() => v.swap(root, child),
                _ => return,
            }
            root = child;
        }
    }
    let n = v.len();
    for start in (0..n / 2).rev() {
        sift(v, start, n, &mut cmp);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift(v, 0, end, &mut cmp);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn heap_sort_sorts() {
        let mut v = [5u64, 3, 9, 1, 1, 0, 7, 2, 8, 6, 4];
        heap_sort_by(&mut v, |a, b| a.cmp(b));
        assert_eq!(v, [0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        let mut e: [u64; 0] = [];
        heap_sort_by(&mut e, |a, b| a.cmp(b));
        let mut one = [3u64];
        heap_sort_by(&mut one, |a, b| b.cmp(a));
        assert_eq!(one, [3]);
    }

    #[test]
    fn numbers_and_cutting() {
        let mut s = FixedStr::<32>::new();
        s.push(b"n=").push_i64(-2147483648).push(b" ").push_u64(0);
        assert_eq!(s.as_bytes(), b"n=-2147483648 0");
        assert_eq!(s.as_c_str(), c"n=-2147483648 0");
        let mut h = FixedStr::<32>::new();
        h.push_hex(0)
            .push(b" ")
            .push_hex(0xdead_beef)
            .push(b" ")
            .push_i64(i64::MIN);
        assert_eq!(h.as_bytes(), b"0x0 0xdeadbeef -922337203685477");
        assert!(h.truncated());
        assert_eq!(h.len(), 31);
        let mut t = FixedStr::<4>::new();
        t.push(b"abcdef");
        assert_eq!(t.as_c_str(), c"abc");
        assert!(t.truncated());
        let mut u = FixedStr::<24>::new();
        u.push_u64(u64::MAX);
        assert_eq!(u.as_bytes(), b"18446744073709551615");
        assert!(!u.truncated());
    }
}
