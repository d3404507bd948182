//! libbpf's object API on `struct bpf_link` and its error helpers
//! (`bpf/libbpf.h` part;
//! docs/libbpf-behaviour.md#the-object-api-struct-bpf_link, #error-helpers).
//!
//! `struct bpf_link` has libbpf's private layout
//! ([`bpflink_core::link_object::bpf_link`]) and lives in libc memory, so
//! links made by the real libbpf and links made here can be handed to
//! either library: every field is read and written at libbpf's offset,
//! `pin_path` comes from libc `strdup` and is released with libc `free`, and
//! destruction goes through the object's own `detach`/`dealloc` pointers.
//! The decisions (path checks, messages, errors) are in
//! [`bpflink_core::link_object`]; this file only touches the memory.
//!
//! Deviations from libbpf 1.7.0 (README, "Deviations"); each is where
//! libbpf dereferences garbage and crashes:
//! - `bpf_link__fd`, `bpf_link__pin`, `bpf_link__unpin`,
//!   `bpf_link__detach` with a NULL or `ERR_PTR` link → `-EINVAL`, errno
//!   `EINVAL`;
//! - `bpf_link__pin_path` with a NULL or `ERR_PTR` link → NULL, errno
//!   `EINVAL`;
//! - `bpf_link__disconnect` with a NULL or `ERR_PTR` link → nothing but
//!   errno `EINVAL`;
//! - `bpf_link__pin(link, NULL)` → `-EINVAL` (libbpf crashes in
//!   `strdup(NULL)`; an already pinned link still gives `-EBUSY` first).
//!
//! Not a deviation: `bpf_link__open(NULL)` does not crash in libbpf (the
//! kernel rejects the NULL path with `EFAULT`, and glibc prints the NULL
//! `%s` as `(null)`), so bpflink does exactly the same.

// Each body that returns early runs in an immediately-called closure, so
// that the early returns are traced too.
#![allow(clippy::redundant_closure_call)]

use core::ffi::{CStr, c_char, c_int, c_long, c_void};
use core::ptr;

use bpflink_core::errno::{Errno, Result};
use bpflink_core::link_object::{self, LinkObject, PLAIN_LINK_ALLOC_SIZE, bpf_link};
use bpflink_core::names;
use bpflink_core::strerror::{self, Strerror};
use bpflink_core::sys::{self, SYS};

use super::bpf::bpf_attach_type;
use super::print::PrintLog;
use super::ret;
use super::trace::{self, traced};

/// `enum bpf_link_type`, taken as a plain 32-bit value (any number may
/// arrive from C). The header spells it `enum bpf_link_type`.
/// cbindgen:ignore
pub type bpf_link_type = u32;

/// The link pointer, unless it is NULL or an `ERR_PTR` value.
fn object(link: *const bpf_link) -> Option<*mut bpf_link> {
    (!strerror::is_err_or_null(link as usize)).then_some(link.cast_mut())
}

/// # Safety
/// `p` is NULL or a NUL-terminated string that outlives `'a`.
unsafe fn opt_cstr<'a>(p: *const c_char) -> Option<&'a CStr> {
    // SAFETY: forwarded from this function's contract.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) })
}

/// A live `struct bpf_link` in C memory, seen by the core as a
/// [`LinkObject`]. Fields are accessed through the raw pointer (no Rust
/// reference to the object is ever formed: it may be a larger libbpf
/// object, and C may hold other pointers to it).
struct RawLink(*mut bpf_link);

impl LinkObject for RawLink {
    fn fd(&self) -> i32 {
        // SAFETY: `self.0` points to a live link (RawLink's invariant).
        unsafe { (*self.0).fd }
    }

    fn pin_path(&self) -> Option<&CStr> {
        // SAFETY: a live link; its pin_path is NULL or a C string owned by
        // the link, unchanged while we borrow `self`.
        unsafe { opt_cstr((*self.0).pin_path) }
    }

    fn set_pin_path(&mut self, path: &CStr) -> Result<()> {
        // SAFETY: `path` is a C string; strdup copies it or returns NULL.
        let copy = unsafe { libc::strdup(path.as_ptr()) };
        if copy.is_null() {
            return Err(Errno::ENOMEM);
        }
        // SAFETY: a live link; the field was NULL (pin checked it).
        unsafe { (*self.0).pin_path = copy };
        Ok(())
    }

    fn clear_pin_path(&mut self) {
        // SAFETY: a live link; pin_path is NULL or from libc's allocator
        // (ours or libbpf's strdup), and is reset so it is not used again.
        unsafe {
            libc::free((*self.0).pin_path.cast());
            (*self.0).pin_path = ptr::null_mut();
        }
    }
}

/// The `detach` of links made by `bpf_link__open` (libbpf's static
/// `bpf_link__detach_fd`): `close(link->fd)`; 0 or `-errno` (errno is
/// already set by `close`).
///
/// # Safety
/// `link` points to a live link (destroy passes the object it belongs to).
pub(crate) unsafe extern "C" fn detach_fd(link: *mut bpf_link) -> c_int {
    // SAFETY: forwarded from this function's contract; the link owns its fd
    // and is being destroyed.
    match unsafe { sys::close_fd((*link).fd) } {
        Ok(()) => 0,
        Err(e) => e.negated(),
    }
}

/// Open a link pinned in bpffs (libbpf `bpf_link__open`, `LIBBPF_0.0.8`).
///
/// Gets an fd for `path` with `BPF_OBJ_GET` and wraps it in a new
/// `struct bpf_link` whose destroy closes the fd. The new link counts as
/// pinned at `path`: `bpf_link__pin` on it fails with `-EBUSY` and
/// `bpf_link__unpin` removes `path`. Like libbpf, there is no check that
/// the object is a link. On failure returns NULL with `errno` set (and
/// prints `libbpf: failed to open link at <path>: <-errno>`); free the link
/// with `bpf_link__destroy`.
///
/// # Safety
/// `path` is NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_link__open(path: *const c_char) -> *mut bpf_link {
    let r: *mut bpf_link = (|| {
        // SAFETY: forwarded from this function's contract.
        let path = unsafe { opt_cstr(path) };
        let fd = match link_object::open_fd(&SYS, path, &mut PrintLog) {
            Ok(fd) => fd,
            Err(e) => return ret::null(e),
        };
        // SAFETY: calloc has no preconditions; NULL is checked.
        let link = unsafe { libc::calloc(1, PLAIN_LINK_ALLOC_SIZE) }.cast::<bpf_link>();
        if link.is_null() {
            // SAFETY: the fd was just opened for this link and is ours. libbpf
            // closes it the same way; errno stays ENOMEM below.
            let _ = unsafe { sys::close_fd(fd) };
            return ret::null(Errno::ENOMEM);
        }
        // SAFETY: `link` is a fresh, zeroed allocation of at least
        // size_of::<bpf_link>() bytes, aligned by calloc; zero is a valid value
        // of every field (NULL pointers, None, 0, false).
        unsafe {
            (*link).detach = Some(detach_fd);
            (*link).fd = fd;
        }
        // The kernel refuses a NULL path (EFAULT), so `path` is set here
        // unless a fake kernel accepted it; libbpf would then crash in
        // strdup(NULL): bpflink deviation, EINVAL.
        let Some(path) = path else {
            // SAFETY: our own live link; destroy closes the fd and frees it.
            unsafe { bpf_link__destroy(link) };
            return ret::null(Errno::EINVAL);
        };
        // SAFETY: `path` is a C string; strdup copies it or returns NULL.
        let copy = unsafe { libc::strdup(path.as_ptr()) };
        if copy.is_null() {
            // SAFETY: our own live link; destroy closes the fd and frees it.
            unsafe { bpf_link__destroy(link) };
            return ret::null(Errno::ENOMEM);
        }
        // SAFETY: our own live link.
        unsafe { (*link).pin_path = copy };
        link
    })();
    if trace::enabled() {
        trace::emit_ptr("bpf_link__open", r.cast(), |l| {
            l.str("path", path);
        })
    }
    r
}

/// The fd of a link (libbpf `bpf_link__fd`, `LIBBPF_0.0.8`). The link keeps
/// owning it.
///
/// bpflink deviation: a NULL or `ERR_PTR` link (libbpf crashes) returns
/// `-EINVAL` with `errno` set.
///
/// # Safety
/// `link` is NULL, an `ERR_PTR` value, or a live link.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_link__fd(link: *const bpf_link) -> c_int {
    let r: c_int = (|| {
        let Some(link) = object(link) else {
            return ret::int(Err(Errno::EINVAL));
        };
        // SAFETY: a live link (contract).
        unsafe { (*link).fd }
    })();
    traced!(r, "bpf_link__fd", link: ptr)
}

/// The path a link is pinned at, or NULL if it is not pinned (libbpf
/// `bpf_link__pin_path`, `LIBBPF_0.0.8`). The string belongs to the link.
///
/// bpflink deviation: a NULL or `ERR_PTR` link (libbpf crashes) returns NULL
/// with `errno` = `EINVAL`.
///
/// # Safety
/// `link` is NULL, an `ERR_PTR` value, or a live link.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_link__pin_path(link: *const bpf_link) -> *const c_char {
    let Some(link) = object(link) else {
        return ret::null::<c_char>(Errno::EINVAL).cast_const();
    };
    // SAFETY: a live link (contract).
    unsafe { (*link).pin_path.cast_const() }
}

/// Pin a link in bpffs at `path` (libbpf `bpf_link__pin`, `LIBBPF_0.0.8`).
///
/// `-EBUSY` if the link is already pinned. Otherwise creates the immediate
/// parent directory (mode 0700; a missing grandparent gives `-ENOENT`),
/// requires that directory to be on bpffs (`-EINVAL` otherwise — the
/// directory just created stays), and pins with `BPF_OBJ_PIN`. Returns 0, or
/// a negative errno with `errno` set.
///
/// bpflink deviations: a NULL or `ERR_PTR` link, or a NULL `path` (libbpf
/// crashes), return `-EINVAL`.
///
/// # Safety
/// `link` is NULL, an `ERR_PTR` value, or a live link; `path` is NULL or a
/// C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_link__pin(link: *mut bpf_link, path: *const c_char) -> c_int {
    let r: c_int = (|| {
        let Some(link) = object(link) else {
            return ret::int(Err(Errno::EINVAL));
        };
        // SAFETY: forwarded from this function's contract.
        let path = unsafe { opt_cstr(path) };
        let mut raw = RawLink(link);
        ret::int(link_object::pin(&SYS, &SYS, &mut raw, path, &mut PrintLog))
    })();
    traced!(r, "bpf_link__pin", link: ptr, path: str)
}

/// Remove a link's pin (libbpf `bpf_link__unpin`, `LIBBPF_0.0.8`):
/// `unlink(pin_path)`. `-EINVAL` if not pinned; if the unlink fails its
/// errno is returned and the link still reports the pin path.
///
/// bpflink deviation: a NULL or `ERR_PTR` link (libbpf crashes) returns
/// `-EINVAL`.
///
/// # Safety
/// `link` is NULL, an `ERR_PTR` value, or a live link.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_link__unpin(link: *mut bpf_link) -> c_int {
    let r: c_int = (|| {
        let Some(link) = object(link) else {
            return ret::int(Err(Errno::EINVAL));
        };
        let mut raw = RawLink(link);
        ret::int(link_object::unpin(&SYS, &mut raw, &mut PrintLog))
    })();
    traced!(r, "bpf_link__unpin", link: ptr)
}

/// Detach a link from its hook with `BPF_LINK_DETACH` (libbpf
/// `bpf_link__detach`, `LIBBPF_0.1.0`). The link object and its fd stay;
/// destroy still closes the fd. Returns 0 or a negative errno.
///
/// bpflink deviation: a NULL or `ERR_PTR` link (libbpf crashes) returns
/// `-EINVAL`.
///
/// # Safety
/// `link` is NULL, an `ERR_PTR` value, or a live link.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_link__detach(link: *mut bpf_link) -> c_int {
    let r: c_int = (|| {
        let Some(link) = object(link) else {
            return ret::int(Err(Errno::EINVAL));
        };
        // SAFETY: a live link (contract).
        let fd = unsafe { (*link).fd };
        ret::int(link_object::detach(&SYS, fd))
    })();
    traced!(r, "bpf_link__detach", link: ptr)
}

/// Release the link's ownership of its attachment (libbpf
/// `bpf_link__disconnect`, `LIBBPF_0.0.7`): a later `bpf_link__destroy`
/// frees the object but does not detach, so the fd is left open.
///
/// bpflink deviation: a NULL or `ERR_PTR` link (libbpf crashes) only sets
/// `errno` = `EINVAL`.
///
/// # Safety
/// `link` is NULL, an `ERR_PTR` value, or a live link.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_link__disconnect(link: *mut bpf_link) {
    let Some(link) = object(link) else {
        return ret::errno_only(Errno::EINVAL);
    };
    // SAFETY: a live link (contract).
    unsafe { (*link).disconnected = true };
}

/// Destroy a link (libbpf `bpf_link__destroy`, `LIBBPF_0.0.4`): unless it
/// was disconnected, call its `detach` (for links from `bpf_link__open`:
/// close the fd); free the pin path (the bpffs pin itself stays); free the
/// object through its `dealloc`, or libc `free`. Returns the detach result
/// (0, or a negative errno with `errno` set). NULL and `ERR_PTR` values are
/// ignored (0). Works on links created by the real libbpf too.
///
/// # Safety
/// `link` is NULL, an `ERR_PTR` value, or a live link, which is invalid
/// afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpf_link__destroy(link: *mut bpf_link) -> c_int {
    let r: c_int = (|| {
        let Some(link) = object(link) else { return 0 };
        // SAFETY: (whole block) a live link (contract), read field by field at
        // libbpf's offsets; `disconnected` is read as a byte so that any
        // non-zero value counts, as in C. The callbacks were stored by whoever
        // created the object (us or libbpf) for exactly this use; pin_path and
        // the object came from libc's allocator unless `dealloc` says otherwise.
        unsafe {
            let disconnected = ptr::addr_of!((*link).disconnected).cast::<u8>().read() != 0;
            let detach = (*link).detach;
            let mut err = 0;
            if link_object::destroy_detaches(disconnected, detach.is_some()) {
                if let Some(detach) = detach {
                    err = detach(link);
                }
            }
            let pin_path = (*link).pin_path;
            if !pin_path.is_null() {
                libc::free(pin_path.cast());
            }
            match (*link).dealloc {
                Some(dealloc) => dealloc(link),
                None => libc::free(link.cast()),
            }
            ret::int(link_object::destroy_result(err))
        }
    })();
    traced!(r, "bpf_link__destroy", link: ptr)
}

/// The error of a libbpf pointer result (libbpf `libbpf_get_error`,
/// `LIBBPF_0.0.1`): 0 for a valid pointer; for an `ERR_PTR(-e)` value,
/// `-e` with `errno` = `e`; for NULL, `-errno` as left by the call that
/// failed.
#[unsafe(no_mangle)]
pub extern "C" fn libbpf_get_error(ptr: *const c_void) -> c_long {
    ret::long(strerror::get_error(ptr as usize, sys::load_errno()))
}

/// The C library's XSI `strerror_r` (glibc `__xpg_strerror_r`, which
/// libbpf gets by compiling without `_GNU_SOURCE`): `Ok` with its return
/// value (0 or a positive errno), `Err(errno)` for an old-style -1.
///
/// # Safety
/// `buf` is valid for writing `size` bytes.
unsafe fn strerror_r(errnum: i32, buf: *mut c_char, size: usize) -> Result<i32> {
    // SAFETY: forwarded from this function's contract.
    let ret = unsafe { libc::strerror_r(errnum, buf, size) };
    if ret < 0 {
        Err(Errno(sys::load_errno()))
    } else {
        Ok(ret)
    }
}

/// Describe an error (libbpf `libbpf_strerror`, `LIBBPF_0.0.1`). `err` may
/// be negative or positive. Below 4000 the C library's XSI `strerror_r` text
/// is written and its result returned as is (0, or a **positive** errno:
/// `EINVAL` for an unknown number, `ERANGE` when cut short); 4000–4013 are
/// libbpf's own codes (0, or `-ERANGE` when cut short); larger values give
/// "Unknown libbpf error N" and `-ENOENT`. `buf` is always NUL-terminated;
/// NULL `buf` or zero `size` is `-EINVAL`.
///
/// # Safety
/// `buf` is NULL or valid for writing `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libbpf_strerror(err: c_int, buf: *mut c_char, size: usize) -> c_int {
    if buf.is_null() || size == 0 {
        return ret::int(Err(Errno::EINVAL));
    }
    // SAFETY: (whole block) `buf` is valid for `size` ≥ 1 bytes (contract);
    // every write is below `size`.
    unsafe {
        match strerror::plan(err) {
            Strerror::System { errnum } => {
                let r = strerror_r(errnum, buf, size);
                buf.add(size - 1).write(0);
                ret::int(r)
            }
            Strerror::Text(text) => {
                let n = text.copy_len(size);
                ptr::copy_nonoverlapping(text.text.as_bytes().as_ptr().cast::<c_char>(), buf, n);
                buf.add(n).write(0);
                buf.add(size - 1).write(0);
                ret::int(text.result(size))
            }
        }
    }
}

/// The libbpf major version whose ABI this library implements: 1 (libbpf
/// `libbpf_major_version`, `LIBBPF_0.6.0`).
#[unsafe(no_mangle)]
pub extern "C" fn libbpf_major_version() -> u32 {
    names::LIBBPF_MAJOR_VERSION
}

/// The libbpf minor version whose ABI this library implements: 7 (libbpf
/// `libbpf_minor_version`, `LIBBPF_0.6.0`).
#[unsafe(no_mangle)]
pub extern "C" fn libbpf_minor_version() -> u32 {
    names::LIBBPF_MINOR_VERSION
}

/// `"v1.7"` (libbpf `libbpf_version_string`, `LIBBPF_0.6.0`); a static
/// string.
#[unsafe(no_mangle)]
pub extern "C" fn libbpf_version_string() -> *const c_char {
    names::LIBBPF_VERSION_STRING.as_ptr()
}

/// libbpf 1.7.0's name of an attach type, e.g. `"xdp"` for `BPF_XDP`, or
/// NULL for a value it does not know (libbpf `libbpf_bpf_attach_type_str`,
/// `LIBBPF_1.0.0`). A static string.
#[unsafe(no_mangle)]
pub extern "C" fn libbpf_bpf_attach_type_str(t: bpf_attach_type) -> *const c_char {
    names::attach_type_str(t).map_or(ptr::null(), CStr::as_ptr)
}

/// libbpf 1.7.0's name of a link type, e.g. `"xdp"` for
/// `BPF_LINK_TYPE_XDP`, or NULL for a value it does not know (libbpf
/// `libbpf_bpf_link_type_str`, `LIBBPF_1.0.0`). A static string.
#[unsafe(no_mangle)]
pub extern "C" fn libbpf_bpf_link_type_str(t: bpf_link_type) -> *const c_char {
    names::link_type_str(t).map_or(ptr::null(), CStr::as_ptr)
}
