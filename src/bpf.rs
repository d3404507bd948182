//! libbpf's low-level link calls (`bpf/bpf.h` part;
//! docs/libbpf-behaviour.md#bpf_link_create, #the-other-low-level-calls).
//! Each body is the same three steps: decode the C arguments, run the core
//! against the real kernel, convert the result once with `ret::int`.

use core::ffi::{c_char, c_int, c_void};

use bpflink_core::abi::{self, *};
use bpflink_core::errno::Errno;
use bpflink_core::sys::SYS;
use bpflink_core::{calls, link_create, raw_tp};

use super::opts::{with_opts, with_opts_specialised};
use super::print::PrintLog;
use super::ret;
use super::trace::{traced, traced_call};

/// `enum bpf_attach_type`, taken as a plain 32-bit value: C may pass any
/// number, and a Rust enum holding an unknown one would be undefined
/// behaviour. The header spells it `enum bpf_attach_type`.
/// cbindgen:ignore
pub type bpf_attach_type = u32;

/// `struct bpf_link_info` is only passed through to the kernel.
/// cbindgen:ignore
#[repr(C)]
pub struct bpf_link_info {
    _opaque: [u8; 0],
}

/// Create a BPF link (libbpf `bpf_link_create`, node `LIBBPF_0.0.8`).
///
/// Attaches `prog_fd` (for `BPF_STRUCT_OPS`: a struct_ops map fd) to
/// `target_fd` (a cgroup, netns, ifindex, perf event or map, depending on
/// `attach_type`) with `BPF_LINK_CREATE`, as libbpf v1.7.0 does: the opts
/// size rules, the per-attach-type checks, `BPF_F_ID` for `relative_id`, and
/// the `BPF_RAW_TRACEPOINT_OPEN` fallback for raw_tp/fentry/fexit/fmod_ret/
/// lsm when the kernel answers `EINVAL`.
///
/// Returns the new link fd (≥ 3, close-on-exec), or a negative errno with
/// `errno` set.
///
/// # Safety
/// `opts` is NULL or points to a `struct bpf_link_create_opts` whose first
/// `opts->sz` bytes are readable (as for libbpf). Pointers inside it are
/// handed to the kernel unchanged.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_link_create(
    prog_fd: c_int,
    target_fd: c_int,
    attach_type: bpf_attach_type,
    opts: *const bpf_link_create_opts,
) -> c_int {
    // NULL opts, the most common call, has its own copy of the core's
    // code, in which every opts read folds to 0 and every check to "pass".
    traced_call!(
        if opts.is_null() {
            link_create_null(prog_fd, target_fd, attach_type)
        } else {
            // SAFETY: forwarded from this function's contract.
            unsafe { link_create_opts(prog_fd, target_fd, attach_type, opts) }
        },
        "bpf_link_create",
        prog_fd: int,
        target_fd: int,
        attach_type: int,
        opts: ptr
    )
}

/// [`bpf_link_create`] without opts.
#[inline(never)]
fn link_create_null(prog_fd: c_int, target_fd: c_int, attach_type: u32) -> c_int {
    // SAFETY: without opts the attr holds no address.
    ret::int(unsafe {
        link_create::link_create(&SYS, prog_fd, target_fd, attach_type, None, &mut PrintLog)
    })
}

/// [`bpf_link_create`] with opts (this libbpf's own struct has its own copy
/// of the core's code: `with_opts_specialised!`).
///
/// # Safety
/// As for [`bpf_link_create`], and `opts` is not NULL.
#[inline(never)]
unsafe fn link_create_opts(
    prog_fd: c_int,
    target_fd: c_int,
    attach_type: u32,
    opts: *const bpf_link_create_opts,
) -> c_int {
    // SAFETY: `opts` points to the caller's struct, whose addresses the
    // caller vouches for (this function's contract).
    ret::int(unsafe {
        with_opts_specialised!(opts.cast(), abi::LINK_CREATE_OPTS, |o| {
            link_create::link_create(&SYS, prog_fd, target_fd, attach_type, o, &mut PrintLog)
        })
    })
}

/// Replace the program of a link (libbpf `bpf_link_update`, `LIBBPF_0.0.8`).
///
/// `opts->flags` (e.g. `BPF_F_REPLACE`) with `old_prog_fd` or `old_map_fd`
/// (not both: `-EINVAL`) are passed to `BPF_LINK_UPDATE`.
/// Returns 0, or a negative errno with `errno` set.
///
/// # Safety
/// `opts` is NULL or points to a `struct bpf_link_update_opts` whose first
/// `opts->sz` bytes are readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_link_update(
    link_fd: c_int,
    new_prog_fd: c_int,
    opts: *const bpf_link_update_opts,
) -> c_int {
    traced_call!(
        if opts.is_null() {
            link_update_null(link_fd, new_prog_fd)
        } else {
            // SAFETY: forwarded from this function's contract.
            unsafe { link_update_opts(link_fd, new_prog_fd, opts) }
        },
        "bpf_link_update",
        link_fd: int,
        new_prog_fd: int,
        opts: ptr
    )
}

/// [`bpf_link_update`] without opts (specialised as for
/// `bpf_link_create`).
#[inline(never)]
fn link_update_null(link_fd: c_int, new_prog_fd: c_int) -> c_int {
    ret::int(calls::link_update(
        &SYS,
        link_fd,
        new_prog_fd,
        None,
        &mut PrintLog,
    ))
}

/// [`bpf_link_update`] with opts.
///
/// # Safety
/// As for [`bpf_link_update`], and `opts` is not NULL.
#[inline(never)]
unsafe fn link_update_opts(
    link_fd: c_int,
    new_prog_fd: c_int,
    opts: *const bpf_link_update_opts,
) -> c_int {
    // SAFETY: `opts` points to the caller's struct (this function's
    // contract).
    ret::int(unsafe {
        with_opts_specialised!(opts.cast(), abi::LINK_UPDATE_OPTS, |o| {
            calls::link_update(&SYS, link_fd, new_prog_fd, o, &mut PrintLog)
        })
    })
}

/// Detach a link from its hook, keeping the fd (libbpf `bpf_link_detach`,
/// `LIBBPF_0.1.0`). Returns 0, or a negative errno with `errno` set.
#[unsafe(no_mangle)]
pub extern "C" fn bpf_link_detach(link_fd: c_int) -> c_int {
    let r = ret::int(calls::link_detach(&SYS, link_fd));
    traced!(r, "bpf_link_detach", link_fd: int)
}

/// Create an iterator fd from an iter link (libbpf `bpf_iter_create`,
/// `LIBBPF_0.0.9`). Returns the fd (≥ 3, close-on-exec) or a negative errno.
#[unsafe(no_mangle)]
pub extern "C" fn bpf_iter_create(link_fd: c_int) -> c_int {
    let r = ret::int(calls::iter_create(&SYS, link_fd, &mut PrintLog));
    traced!(r, "bpf_iter_create", link_fd: int)
}

/// The id of the next link after `start_id` (libbpf `bpf_link_get_next_id`,
/// `LIBBPF_0.0.9`). Returns 0 and writes `*next_id`, or a negative errno
/// (`-ENOENT` at the end of the list).
///
/// bpflink deviation: with a NULL `next_id`, libbpf makes the syscall and
/// crashes writing the answer when there is one; bpflink makes the same
/// syscall and returns `-EINVAL` in that case (when the kernel says there is
/// no next link, both return its error, e.g. `-ENOENT`).
///
/// # Safety
/// `next_id` is NULL or valid for writing a `__u32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_link_get_next_id(start_id: u32, next_id: *mut u32) -> c_int {
    let r = ret::int(
        calls::link_get_next_id(&SYS, start_id).and_then(|(r, next)| {
            if let Some(id) = next {
                if next_id.is_null() {
                    return Err(Errno::EINVAL);
                }
                // SAFETY: non-NULL; the caller vouches for it.
                unsafe { next_id.write_unaligned(id) };
            }
            Ok(r)
        }),
    );
    traced!(r, "bpf_link_get_next_id", start_id: int, next_id: ptr)
}

/// Open an fd to the link with id `id` (libbpf `bpf_link_get_fd_by_id_opts`,
/// `LIBBPF_1.1.0`). `opts->open_flags` is passed; `token_fd` is ignored like
/// libbpf does for links. Returns the fd (≥ 3, close-on-exec) or a negative
/// errno.
///
/// # Safety
/// `opts` is NULL or points to a `struct bpf_get_fd_by_id_opts` whose first
/// `opts->sz` bytes are readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_link_get_fd_by_id_opts(
    id: u32,
    opts: *const bpf_get_fd_by_id_opts,
) -> c_int {
    // SAFETY: forwarded from this function's contract.
    let r = ret::int(unsafe {
        with_opts(opts.cast(), abi::GET_FD_BY_ID_OPTS, |o| {
            calls::link_get_fd_by_id(&SYS, id, o, &mut PrintLog)
        })
    });
    traced!(r, "bpf_link_get_fd_by_id_opts", id: int, opts: ptr)
}

/// `bpf_link_get_fd_by_id_opts(id, NULL)` (libbpf `bpf_link_get_fd_by_id`,
/// `LIBBPF_0.0.9`).
#[unsafe(no_mangle)]
pub extern "C" fn bpf_link_get_fd_by_id(id: u32) -> c_int {
    let r = ret::int(calls::link_get_fd_by_id(&SYS, id, None, &mut PrintLog));
    traced!(r, "bpf_link_get_fd_by_id", id: int)
}

/// Ask the kernel about a BPF object (libbpf `bpf_obj_get_info_by_fd`,
/// `LIBBPF_0.0.1`). `*info_len` is the buffer size in, the size the kernel
/// filled out (only on success). Returns 0 or a negative errno.
///
/// bpflink deviation: a NULL `info_len` (libbpf crashes) returns `-EINVAL`
/// without a syscall.
///
/// # Safety
/// `info` is valid for `*info_len` bytes of writing (or NULL, which the
/// kernel rejects); `info_len` is NULL or valid for reading and writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_obj_get_info_by_fd(
    bpf_fd: c_int,
    info: *mut c_void,
    info_len: *mut u32,
) -> c_int {
    // SAFETY: forwarded from this function's contract.
    let r = unsafe { obj_get_info(bpf_fd, info, info_len) };
    traced!(r, "bpf_obj_get_info_by_fd", bpf_fd: int, info: ptr, info_len: ptr)
}

/// The body shared by the two info functions (traced once, by the caller).
///
/// # Safety
/// As for [`bpf_obj_get_info_by_fd`].
unsafe fn obj_get_info(bpf_fd: c_int, info: *mut c_void, info_len: *mut u32) -> c_int {
    if info_len.is_null() {
        return ret::int(Err(Errno::EINVAL));
    }
    // SAFETY: non-NULL; the caller vouches for it.
    let len_in = unsafe { info_len.read_unaligned() };
    // SAFETY: `info` is valid for `len_in` bytes of writing (contract).
    let r = unsafe { calls::obj_get_info_by_fd(&SYS, bpf_fd, info as u64, len_in) };
    ret::int(r.map(|(r, len_out)| {
        if let Some(len) = len_out {
            // SAFETY: as above.
            unsafe { info_len.write_unaligned(len) };
        }
        r
    }))
}

/// `bpf_obj_get_info_by_fd` for links (libbpf `bpf_link_get_info_by_fd`,
/// `LIBBPF_1.2.0`; like libbpf, no check that `link_fd` is a link).
///
/// # Safety
/// As for [`bpf_obj_get_info_by_fd`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_link_get_info_by_fd(
    link_fd: c_int,
    info: *mut bpf_link_info,
    info_len: *mut u32,
) -> c_int {
    // SAFETY: forwarded from this function's contract. The untraced body,
    // so that one call gives one trace line.
    let r = unsafe { obj_get_info(link_fd, info.cast(), info_len) };
    traced!(r, "bpf_link_get_info_by_fd", link_fd: int, info: ptr, info_len: ptr)
}

/// Attach a raw tracepoint or BTF-typed tracing program with
/// `BPF_RAW_TRACEPOINT_OPEN` (libbpf `bpf_raw_tracepoint_open_opts`,
/// `LIBBPF_1.4.0`): `opts->tp_name` (NULL for tp_btf & co) and
/// `opts->cookie`. Returns the link fd (≥ 3, close-on-exec) or a negative
/// errno.
///
/// # Safety
/// `opts` is NULL or points to a `struct bpf_raw_tp_opts` whose first
/// `opts->sz` bytes are readable; `tp_name` is NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_raw_tracepoint_open_opts(
    prog_fd: c_int,
    opts: *mut bpf_raw_tp_opts,
) -> c_int {
    // SAFETY: forwarded from this function's contract.
    let r = ret::int(unsafe {
        with_opts(opts.cast_const().cast(), abi::RAW_TP_OPTS, |o| {
            raw_tp::raw_tracepoint_open_opts(&SYS, prog_fd, o, &mut PrintLog)
        })
    });
    traced!(r, "bpf_raw_tracepoint_open_opts", prog_fd: int, opts: raw_tp_opts)
}

/// `bpf_raw_tracepoint_open_opts` with only a name (libbpf
/// `bpf_raw_tracepoint_open`, `LIBBPF_0.0.1`).
///
/// # Safety
/// `name` is NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_raw_tracepoint_open(name: *const c_char, prog_fd: c_int) -> c_int {
    // SAFETY: `name` is NULL or a C string (contract).
    let r = ret::int(unsafe {
        raw_tp::raw_tracepoint_open_name(&SYS, name as u64, prog_fd, &mut PrintLog)
    });
    traced!(r, "bpf_raw_tracepoint_open", name: str, prog_fd: int)
}

/// Pin a BPF object at a bpffs path (libbpf `bpf_obj_pin_opts`,
/// `LIBBPF_1.3.0`): `opts->file_flags` and `opts->path_fd` are passed as
/// given. Returns 0 or a negative errno.
///
/// # Safety
/// `pathname` is NULL or a C string (the kernel reads it); `opts` is NULL or
/// points to a `struct bpf_obj_pin_opts` whose first `opts->sz` bytes are
/// readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_obj_pin_opts(
    fd: c_int,
    pathname: *const c_char,
    opts: *const bpf_obj_pin_opts,
) -> c_int {
    // SAFETY: forwarded from this function's contract.
    let r = ret::int(unsafe {
        with_opts(opts.cast(), abi::OBJ_PIN_OPTS, |o| {
            calls::obj_pin(&SYS, fd, pathname as u64, o, &mut PrintLog)
        })
    });
    traced!(r, "bpf_obj_pin_opts", fd: int, pathname: str, opts: ptr)
}

/// `bpf_obj_pin_opts(fd, pathname, NULL)` (libbpf `bpf_obj_pin`,
/// `LIBBPF_0.0.1`).
///
/// # Safety
/// `pathname` is NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_obj_pin(fd: c_int, pathname: *const c_char) -> c_int {
    // SAFETY: `pathname` is NULL or a C string (contract).
    let r = ret::int(unsafe { calls::obj_pin(&SYS, fd, pathname as u64, None, &mut PrintLog) });
    traced!(r, "bpf_obj_pin", fd: int, pathname: str)
}

/// Open a pinned BPF object (libbpf `bpf_obj_get_opts`, `LIBBPF_1.0.0`).
/// Returns the fd (≥ 3, close-on-exec) or a negative errno.
///
/// # Safety
/// `pathname` is NULL or a C string; `opts` is NULL or points to a
/// `struct bpf_obj_get_opts` whose first `opts->sz` bytes are readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_obj_get_opts(
    pathname: *const c_char,
    opts: *const bpf_obj_get_opts,
) -> c_int {
    // SAFETY: forwarded from this function's contract.
    let r = ret::int(unsafe {
        with_opts(opts.cast(), abi::OBJ_GET_OPTS, |o| {
            calls::obj_get(&SYS, pathname as u64, o, &mut PrintLog)
        })
    });
    traced!(r, "bpf_obj_get_opts", pathname: str, opts: ptr)
}

/// `bpf_obj_get_opts(pathname, NULL)` (libbpf `bpf_obj_get`, `LIBBPF_0.0.1`).
///
/// # Safety
/// `pathname` is NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_obj_get(pathname: *const c_char) -> c_int {
    // SAFETY: `pathname` is NULL or a C string (contract).
    let r = ret::int(unsafe { calls::obj_get(&SYS, pathname as u64, None, &mut PrintLog) });
    traced!(r, "bpf_obj_get", pathname: str)
}

/// Ask the kernel what is attached to a hook (libbpf `bpf_prog_query_opts`,
/// `LIBBPF_1.0.0`) with `BPF_PROG_QUERY`: `target` is a cgroup or netns fd,
/// or an ifindex for tcx/netkit; `opts->prog_ids`, `prog_attach_flags`,
/// `link_ids`, `link_attach_flags` (each `count` entries, or NULL) are
/// filled in. Whether or not the call succeeds, `opts->attach_flags`,
/// `revision` and `count` get what the kernel reported (each only if
/// `opts->sz` covers it, as libbpf's OPTS_SET does). Returns 0, or a
/// negative errno with `errno` set (`-ENOSPC` when `count` was too small;
/// `count` then says how many there are).
///
/// # Safety
/// `opts` is NULL or points to a writable `struct bpf_prog_query_opts`
/// whose first `opts->sz` bytes are readable, and its arrays are NULL or
/// hold `count` writable `__u32`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_prog_query_opts(
    target: c_int,
    r#type: bpf_attach_type,
    opts: *mut bpf_prog_query_opts,
) -> c_int {
    // SAFETY: forwarded from this function's contract.
    let r = unsafe { prog_query_opts(target, r#type, opts) };
    traced!(r, "bpf_prog_query_opts", target: int, r#type: int, opts: ptr)
}

/// The body of [`bpf_prog_query_opts`].
///
/// # Safety
/// As for [`bpf_prog_query_opts`].
unsafe fn prog_query_opts(
    target: c_int,
    attach_type: u32,
    opts: *mut bpf_prog_query_opts,
) -> c_int {
    // SAFETY: forwarded from this function's contract.
    let r = unsafe {
        with_opts(opts.cast_const().cast(), abi::PROG_QUERY_OPTS, |o| {
            bpflink_core::query::prog_query(&SYS, target, attach_type, o, &mut PrintLog)
        })
    };
    match r {
        Err(e) => ret::int(Err(e)),
        Ok((res, out)) => {
            if !opts.is_null() {
                // SAFETY: `opts` is readable (contract); sz was read the
                // same way by with_opts.
                let sz = unsafe { core::ptr::read_unaligned(opts.cast::<usize>()) };
                let base = opts.cast::<u8>();
                for (off, width, covered) in bpflink_core::query::writes_back(sz) {
                    if !covered {
                        continue;
                    }
                    // SAFETY: `sz` covers the field, so it is part of the
                    // caller's writable struct (contract).
                    unsafe {
                        match off {
                            o if o == abi::prog_query::REVISION => {
                                base.add(off).cast::<u64>().write_unaligned(out.revision)
                            }
                            o if o == abi::prog_query::ATTACH_FLAGS => base
                                .add(off)
                                .cast::<u32>()
                                .write_unaligned(out.attach_flags),
                            _ => base.add(off).cast::<u32>().write_unaligned(out.count),
                        }
                    }
                    let _ = width;
                }
            }
            ret::int(res)
        }
    }
}

/// `bpf_prog_query_opts` with only query flags and program ids (libbpf
/// `bpf_prog_query`, `LIBBPF_0.0.1`): `*prog_cnt` is the room in
/// `prog_ids` in, the number of programs out; `*attach_flags` (if not
/// NULL) the hook's flags. Returns 0 or a negative errno.
///
/// bpflink deviation: a NULL `prog_cnt` (libbpf crashes) returns `-EINVAL`
/// without a syscall.
///
/// # Safety
/// `prog_ids` is NULL or holds `*prog_cnt` writable `__u32`s;
/// `attach_flags` and `prog_cnt` are NULL or valid for reading and writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_prog_query(
    target_fd: c_int,
    r#type: bpf_attach_type,
    query_flags: u32,
    attach_flags: *mut u32,
    prog_ids: *mut u32,
    prog_cnt: *mut u32,
) -> c_int {
    let r: c_int = (|| {
        if prog_cnt.is_null() {
            return ret::int(Err(Errno::EINVAL));
        }
        let mut opts = bpf_prog_query_opts {
            sz: core::mem::size_of::<bpf_prog_query_opts>(),
            query_flags,
            attach_flags: 0,
            prog_ids,
            // SAFETY: non-NULL and readable (contract).
            count: unsafe { prog_cnt.read_unaligned() },
            prog_attach_flags: core::ptr::null_mut(),
            link_ids: core::ptr::null_mut(),
            link_attach_flags: core::ptr::null_mut(),
            revision: 0,
        };
        // SAFETY: `opts` is ours and whole; prog_ids is the caller's
        // (contract).
        let r = unsafe { prog_query_opts(target_fd, r#type, &mut opts) };
        // SAFETY: valid for writing (contract).
        unsafe {
            if !attach_flags.is_null() {
                attach_flags.write_unaligned(opts.attach_flags);
            }
            prog_cnt.write_unaligned(opts.count);
        }
        r
    })();
    traced!(r, "bpf_prog_query", target_fd: int, r#type: int, query_flags: int, prog_cnt: ptr)
}
