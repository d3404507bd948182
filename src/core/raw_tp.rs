//! `bpf_raw_tracepoint_open(_opts)` (SPEC §3): also the target of
//! `bpf_link_create`'s fallback.

use super::abi::raw_tp as o;
use super::errno::Result;
use super::kernel::{Kernel, bpf_fd};
use super::opts::{Log, OptsImage, get_ptr, get_u64, validate};
use super::uapi::attr::*;
use super::uapi::{AttrImage, cmd};

pub type RawTpAttr = AttrImage<RAW_TP_SIZE>;

/// The attr image of `bpf_raw_tracepoint_open_opts`; `name` is the address
/// of the tracepoint name (0: a BTF-typed program attaching to its target).
pub fn build_attr(prog_fd: i32, name: u64, cookie: u64) -> RawTpAttr {
    let mut attr = RawTpAttr::default();
    attr.put_u64(RT_NAME, name);
    attr.put_i32(RT_PROG_FD, prog_fd);
    attr.put_u64(RT_COOKIE, cookie);
    attr
}

/// `bpf_raw_tracepoint_open_opts(prog_fd, opts)`.
pub fn raw_tracepoint_open_opts(
    k: &dyn Kernel,
    prog_fd: i32,
    opts: Option<&OptsImage<'_>>,
    log: &mut dyn Log,
) -> Result<i32> {
    validate(opts, log)?;
    let mut attr = build_attr(prog_fd, get_ptr(opts, o::TP_NAME), get_u64(opts, o::COOKIE));
    bpf_fd(k, cmd::RAW_TRACEPOINT_OPEN, attr.as_mut_bytes(), log)
}

/// `bpf_raw_tracepoint_open(name, prog_fd)`: libbpf builds a full-size
/// `bpf_raw_tp_opts { .tp_name = name }`, which always validates.
pub fn raw_tracepoint_open_name(
    k: &dyn Kernel,
    name: u64,
    prog_fd: i32,
    log: &mut dyn Log,
) -> Result<i32> {
    let mut attr = build_attr(prog_fd, name, 0);
    bpf_fd(k, cmd::RAW_TRACEPOINT_OPEN, attr.as_mut_bytes(), log)
}
