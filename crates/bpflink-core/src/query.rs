//! `bpf_prog_query_opts` and `bpf_prog_query` (libbpf 1.7.0 `bpf.c`): what
//! is attached to a hook (programs, links, their flags, the hook's
//! revision), so that `BPF_F_BEFORE`/`BPF_F_AFTER` and
//! `expected_revision` can be used without libbpf.

use super::abi::prog_query as q;
use super::errno::Result;
use super::kernel::Kernel;
use super::opts::{Log, OptsImage, get_ptr, get_u32, validate};
use super::uapi::attr::*;
use super::uapi::{AttrImage, cmd};

/// The image `bpf_prog_query_opts` sends (64 bytes).
pub type QueryAttr = AttrImage<QUERY_SIZE>;

/// What the kernel wrote back, which libbpf copies into the caller's opts
/// (`OPTS_SET`, each only where `sz` covers the field) whether or not the
/// call succeeded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueryOut {
    pub attach_flags: u32,
    pub revision: u64,
    pub count: u32,
}

/// The attr of `bpf_prog_query_opts(target, type, opts)`.
pub fn query_attr(target: i32, attach_type: u32, opts: Option<&OptsImage<'_>>) -> QueryAttr {
    let mut a = QueryAttr::default();
    a.put_i32(Q_TARGET, target);
    a.put_u32(Q_ATTACH_TYPE, attach_type);
    a.put_u32(Q_QUERY_FLAGS, get_u32(opts, q::QUERY_FLAGS));
    a.put_u32(Q_COUNT, get_u32(opts, q::COUNT));
    a.put_u64(Q_PROG_IDS, get_ptr(opts, q::PROG_IDS));
    a.put_u64(Q_LINK_IDS, get_ptr(opts, q::LINK_IDS));
    a.put_u64(Q_PROG_ATTACH_FLAGS, get_ptr(opts, q::PROG_ATTACH_FLAGS));
    a.put_u64(Q_LINK_ATTACH_FLAGS, get_ptr(opts, q::LINK_ATTACH_FLAGS));
    a
}

/// `bpf_prog_query_opts`: `Err` only when OPTS_VALID rejects the opts (no
/// syscall, nothing written back); otherwise the syscall's result and what
/// it wrote back.
///
/// # Safety
/// The id and flag arrays in `opts` hold `count` writable `__u32`s each
/// (the kernel writes up to that many).
pub unsafe fn prog_query<K: Kernel + ?Sized, L: Log + ?Sized>(
    k: &K,
    target: i32,
    attach_type: u32,
    opts: Option<&OptsImage<'_>>,
    log: &mut L,
) -> Result<(Result<i32>, QueryOut)> {
    validate(opts, log)?;
    let mut attr = query_attr(target, attach_type, opts);
    // SAFETY: the arrays are the caller's (this function's contract).
    let r = unsafe { k.bpf(cmd::PROG_QUERY, attr.as_mut_bytes()) };
    let out = QueryOut {
        attach_flags: attr.u32_at(Q_ATTACH_FLAGS),
        revision: attr.u64_at(Q_REVISION),
        count: attr.u32_at(Q_COUNT),
    };
    Ok((r, out))
}

/// Where `OPTS_SET` writes each output field, if `sz` covers it.
pub fn writes_back(sz: usize) -> [(usize, usize, bool); 3] {
    [
        (q::ATTACH_FLAGS, 4, sz >= q::ATTACH_FLAGS + 4),
        (q::REVISION, 8, sz >= q::REVISION + 8),
        (q::COUNT, 4, sz >= q::COUNT + 4),
    ]
}
