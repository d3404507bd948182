//! `bpf_raw_tracepoint_open(_opts)`
//! (docs/libbpf-behaviour.md#the-other-low-level-calls): also the target of
//! `bpf_link_create`'s fallback (docs/libbpf-behaviour.md#the-raw_tp-fallback).

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
///
/// # Safety
/// `opts->tp_name` is NULL or a NUL-terminated string (the kernel reads it).
pub unsafe fn raw_tracepoint_open_opts<K: Kernel + ?Sized, L: Log + ?Sized>(
    k: &K,
    prog_fd: i32,
    opts: Option<&OptsImage<'_>>,
    log: &mut L,
) -> Result<i32> {
    validate(opts, log)?;
    let mut attr = build_attr(prog_fd, get_ptr(opts, o::TP_NAME), get_u64(opts, o::COOKIE));
    // SAFETY: the name is the only address; forwarded from the contract.
    unsafe { bpf_fd(k, cmd::RAW_TRACEPOINT_OPEN, attr.as_mut_bytes(), log) }
}

/// `bpf_raw_tracepoint_open(name, prog_fd)`: libbpf builds a full-size
/// `bpf_raw_tp_opts { .tp_name = name }`, which always validates.
///
/// # Safety
/// `name` is 0 or the address of a NUL-terminated string.
pub unsafe fn raw_tracepoint_open_name<K: Kernel + ?Sized, L: Log + ?Sized>(
    k: &K,
    name: u64,
    prog_fd: i32,
    log: &mut L,
) -> Result<i32> {
    let mut attr = build_attr(prog_fd, name, 0);
    // SAFETY: the name is the only address; forwarded from the contract.
    unsafe { bpf_fd(k, cmd::RAW_TRACEPOINT_OPEN, attr.as_mut_bytes(), log) }
}
