//! The C-layout opts structs the builders fill, as bytes: the same
//! `struct bpf_link_create_opts` / `bpf_link_update_opts` /
//! `bpf_raw_tp_opts` images a C caller would pass (full `sz`, every
//! padding byte zero), handed to the core functions the C ABI uses.
#![forbid(unsafe_code)]

use bpflink_core::abi;
use bpflink_core::opts::{MAX_OPTS_SIZE, OptsImage, OptsKind, ZeroTail};

/// One opts struct of the given [`OptsKind`], all zero but `sz`.
#[derive(Clone, Copy)]
pub(crate) struct OptsBytes {
    kind: OptsKind,
    bytes: [u8; MAX_OPTS_SIZE],
}

impl OptsBytes {
    pub(crate) fn new(kind: OptsKind) -> OptsBytes {
        let mut o = OptsBytes {
            kind,
            bytes: [0; MAX_OPTS_SIZE],
        };
        o.set_usize(0, kind.size);
        o
    }

    pub(crate) fn link_create() -> OptsBytes {
        OptsBytes::new(abi::LINK_CREATE_OPTS)
    }

    pub(crate) fn link_update() -> OptsBytes {
        OptsBytes::new(abi::LINK_UPDATE_OPTS)
    }

    pub(crate) fn raw_tp() -> OptsBytes {
        OptsBytes::new(abi::RAW_TP_OPTS)
    }

    fn put(&mut self, off: usize, b: &[u8]) {
        // Offsets come from `abi` and lie inside the struct.
        if let Some(dst) = self.bytes.get_mut(off..off + b.len()) {
            dst.copy_from_slice(b);
        }
        debug_assert!(off + b.len() <= self.kind.size);
    }

    pub(crate) fn u8_at(&mut self, off: usize, v: u8) -> &mut Self {
        self.put(off, &[v]);
        self
    }

    pub(crate) fn set_u32(&mut self, off: usize, v: u32) -> &mut Self {
        self.put(off, &v.to_ne_bytes());
        self
    }

    pub(crate) fn set_i32(&mut self, off: usize, v: i32) -> &mut Self {
        self.put(off, &v.to_ne_bytes());
        self
    }

    pub(crate) fn set_u64(&mut self, off: usize, v: u64) -> &mut Self {
        self.put(off, &v.to_ne_bytes());
        self
    }

    /// A `size_t` or pointer member.
    pub(crate) fn set_usize(&mut self, off: usize, v: usize) -> &mut Self {
        self.put(off, &v.to_ne_bytes());
        self
    }

    /// The struct's bytes (`sizeof`).
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.kind.size).unwrap_or(&self.bytes)
    }

    /// The image the core reads, exactly as the FFI layer would build it
    /// for a C caller passing this struct.
    pub(crate) fn image(&self) -> OptsImage<'static> {
        OptsImage::new(self.kind, self.kind.size, self.as_bytes(), &ZeroTail)
    }
}

/// Address of a slice's first element, as a pointer member carries it
/// (NULL for an empty slice, as C callers pass).
pub(crate) fn addr_of<T>(s: &[T]) -> usize {
    if s.is_empty() { 0 } else { s.as_ptr() as usize }
}
