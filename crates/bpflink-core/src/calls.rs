//! The other low-level link calls of libbpf 1.7.0's `bpf.c`
//! (docs/libbpf-behaviour.md#the-other-low-level-calls): each zeroes exactly
//! the attr bytes it passes, fills its arm, and reports `-errno`. Pointers the
//! caller gives (paths, info buffers) travel as plain addresses; the kernel
//! reads them, we never do, so the calls that carry one are `unsafe fn`s:
//! their caller vouches for the memory.

use super::abi::{get_fd_by_id as fdo, link_update as uo, obj as oo};
use super::errno::{Errno, Result};
use super::kernel::{Kernel, bpf_fd};
use super::opts::{Log, OptsImage, get_i32, get_u32, validate};
use super::uapi::attr::*;
use super::uapi::{AttrImage, cmd};

/// `bpf_link_update(link_fd, new_prog_fd, opts)`.
#[inline(always)]
pub fn link_update_attr<L: Log + ?Sized>(
    link_fd: i32,
    new_prog_fd: i32,
    opts: Option<&OptsImage<'_>>,
    log: &mut L,
) -> Result<AttrImage<LINK_UPDATE_SIZE>> {
    validate(opts, log)?;
    let old_prog_fd = get_u32(opts, uo::OLD_PROG_FD);
    let old_map_fd = get_u32(opts, uo::OLD_MAP_FD);
    if old_prog_fd != 0 && old_map_fd != 0 {
        return Err(Errno::EINVAL);
    }
    let mut attr = AttrImage::<LINK_UPDATE_SIZE>::default();
    attr.put_i32(LU_LINK_FD, link_fd);
    attr.put_i32(LU_NEW_PROG_FD, new_prog_fd);
    attr.put_u32(LU_FLAGS, get_u32(opts, uo::FLAGS));
    // old_prog_fd and old_map_fd share one slot; libbpf writes whichever is set.
    attr.put_u32(
        LU_OLD_FD,
        if old_prog_fd != 0 {
            old_prog_fd
        } else {
            old_map_fd
        },
    );
    Ok(attr)
}

#[inline(always)]
pub fn link_update<K: Kernel + ?Sized, L: Log + ?Sized>(
    k: &K,
    link_fd: i32,
    new_prog_fd: i32,
    opts: Option<&OptsImage<'_>>,
    log: &mut L,
) -> Result<i32> {
    let mut attr = link_update_attr(link_fd, new_prog_fd, opts, log)?;
    // SAFETY: `attr.link_update` holds fds and flags, no address.
    unsafe { k.bpf(cmd::LINK_UPDATE, attr.as_mut_bytes()) }
}

/// `bpf_link_detach(link_fd)`.
pub fn link_detach<K: Kernel + ?Sized>(k: &K, link_fd: i32) -> Result<i32> {
    let mut attr = AttrImage::<LINK_DETACH_SIZE>::default();
    attr.put_i32(0, link_fd);
    // SAFETY: an fd only, no address.
    unsafe { k.bpf(cmd::LINK_DETACH, attr.as_mut_bytes()) }
}

/// `bpf_iter_create(link_fd)`: a new fd (hygiene applies), flags 0.
pub fn iter_create<K: Kernel + ?Sized, L: Log + ?Sized>(
    k: &K,
    link_fd: i32,
    log: &mut L,
) -> Result<i32> {
    let mut attr = AttrImage::<ITER_CREATE_SIZE>::default();
    attr.put_i32(0, link_fd);
    // SAFETY: an fd and flags, no address.
    unsafe { bpf_fd(k, cmd::ITER_CREATE, attr.as_mut_bytes(), log) }
}

/// `bpf_link_get_next_id(start_id, &next_id)`: the syscall's return value
/// and, only when it is 0, the id the kernel wrote back.
pub fn link_get_next_id<K: Kernel + ?Sized>(k: &K, start_id: u32) -> Result<(i32, Option<u32>)> {
    let mut attr = AttrImage::<GET_ID_SIZE>::default();
    attr.put_u32(ID_START_OR_LINK_ID, start_id);
    // SAFETY: ids only; the kernel writes `next_id` into `attr` itself.
    let ret = unsafe { k.bpf(cmd::LINK_GET_NEXT_ID, attr.as_mut_bytes()) }?;
    Ok((ret, (ret == 0).then(|| attr.u32_at(ID_NEXT_ID))))
}

/// `bpf_link_get_fd_by_id_opts(id, opts)`. `token_fd` is accepted but not
/// forwarded, exactly like libbpf's link variant
/// (docs/libbpf-behaviour.md#the-other-low-level-calls).
pub fn link_get_fd_by_id<K: Kernel + ?Sized, L: Log + ?Sized>(
    k: &K,
    id: u32,
    opts: Option<&OptsImage<'_>>,
    log: &mut L,
) -> Result<i32> {
    validate(opts, log)?;
    let mut attr = AttrImage::<GET_ID_SIZE>::default();
    attr.put_u32(ID_START_OR_LINK_ID, id);
    attr.put_u32(ID_OPEN_FLAGS, get_u32(opts, fdo::OPEN_FLAGS));
    // SAFETY: an id and flags, no address.
    unsafe { bpf_fd(k, cmd::LINK_GET_FD_BY_ID, attr.as_mut_bytes(), log) }
}

/// `bpf_obj_get_info_by_fd(fd, info, &info_len)`: the syscall's return
/// value and, only when it is 0, the length the kernel wrote back.
///
/// # Safety
/// `info_addr` is 0 or the address of `info_len` writable bytes, and any
/// address the caller placed inside them (e.g. a name buffer in
/// `bpf_link_info`) is writable for the length it gives there.
pub unsafe fn obj_get_info_by_fd<K: Kernel + ?Sized>(
    k: &K,
    bpf_fd_arg: i32,
    info_addr: u64,
    info_len: u32,
) -> Result<(i32, Option<u32>)> {
    let mut attr = AttrImage::<INFO_SIZE>::default();
    attr.put_i32(INFO_BPF_FD, bpf_fd_arg);
    attr.put_u32(INFO_LEN, info_len);
    attr.put_u64(INFO_PTR, info_addr);
    // SAFETY: forwarded from this function's contract.
    let ret = unsafe { k.bpf(cmd::OBJ_GET_INFO_BY_FD, attr.as_mut_bytes()) }?;
    Ok((ret, (ret == 0).then(|| attr.u32_at(INFO_LEN))))
}

fn obj_attr(path_addr: u64, bpf_fd_arg: i32, opts: Option<&OptsImage<'_>>) -> AttrImage<OBJ_SIZE> {
    let mut attr = AttrImage::<OBJ_SIZE>::default();
    // path_fd is copied even without BPF_F_PATH_FD; the kernel judges it.
    attr.put_i32(OBJ_PATH_FD, get_i32(opts, oo::PATH_FD));
    attr.put_u64(OBJ_PATHNAME, path_addr);
    attr.put_u32(OBJ_FILE_FLAGS, get_u32(opts, oo::FILE_FLAGS));
    attr.put_i32(OBJ_BPF_FD, bpf_fd_arg);
    attr
}

/// `bpf_obj_pin_opts(fd, pathname, opts)`.
///
/// # Safety
/// `path_addr` is 0 or the address of a NUL-terminated string (the kernel
/// reads it; 0 gives `EFAULT`).
pub unsafe fn obj_pin<K: Kernel + ?Sized, L: Log + ?Sized>(
    k: &K,
    fd: i32,
    path_addr: u64,
    opts: Option<&OptsImage<'_>>,
    log: &mut L,
) -> Result<i32> {
    validate(opts, log)?;
    let mut attr = obj_attr(path_addr, fd, opts);
    // SAFETY: the path is the only address; forwarded from the contract.
    unsafe { k.bpf(cmd::OBJ_PIN, attr.as_mut_bytes()) }
}

/// `bpf_obj_get_opts(pathname, opts)`: a new fd (hygiene applies).
///
/// # Safety
/// As for [`obj_pin`].
pub unsafe fn obj_get<K: Kernel + ?Sized, L: Log + ?Sized>(
    k: &K,
    path_addr: u64,
    opts: Option<&OptsImage<'_>>,
    log: &mut L,
) -> Result<i32> {
    validate(opts, log)?;
    let mut attr = obj_attr(path_addr, 0, opts);
    // SAFETY: the path is the only address; forwarded from the contract.
    unsafe { bpf_fd(k, cmd::OBJ_GET, attr.as_mut_bytes(), log) }
}
