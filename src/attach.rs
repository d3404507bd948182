//! Attach by name on a program fd: libbpf 1.7.0's
//! `bpf_program__attach_{uprobe,uprobe_multi,tracepoint,kprobe,
//! kprobe_multi,perf_event}_opts` for a program given as an fd, under
//! bpflink's own version node `BPFLINK_0.1`. Each body decodes the C
//! arguments, runs the core (`bpflink_core::attach`) and wraps the result
//! in a `struct bpf_link` with libbpf's private layout: a
//! `struct bpf_link_perf` for perf-event links (so that `bpf_link__destroy`
//! of either library disables the event, closes its fd and removes a
//! legacy tracefs probe), a plain one for multi links.
//!
//! No Rust allocator: the link objects, legacy probe names and resolved
//! offsets live in libc memory, checked for NULL (`-ENOMEM`).

use core::cell::Cell;
use core::ffi::{CStr, c_char, c_int};
use core::ptr;

use bpflink_core::abi::{self, *};
use bpflink_core::attach::{self as core_attach, PerfLinkParts, SymNames};
use bpflink_core::attach_host::{LinkMemory, SYS_PROBE, SysProbe};
use bpflink_core::errno::{Errno, Result};
use bpflink_core::link_object::{PLAIN_LINK_ALLOC_SIZE, bpf_link, bpf_link_perf};

use super::opts::with_opts;
use super::print::PrintLog;
use super::ret;
use super::trace;

/// `pid_t`.
/// cbindgen:ignore
pub type pid_t = i32;

/// The real kernel and files, with the link object in libc memory.
type CHost = SysProbe<CMemory>;

/// The link object being made, in libc memory (if the attach fails,
/// whatever it reserved is freed on drop).
struct CMemory {
    link: Cell<*mut bpf_link>,
    name: Cell<*mut c_char>,
}

impl CMemory {
    const fn host() -> CHost {
        SysProbe(CMemory {
            link: Cell::new(ptr::null_mut()),
            name: Cell::new(ptr::null_mut()),
        })
    }

    /// The reserved link, filled in from `parts`: owned by the caller now.
    fn finish_perf(&self, parts: PerfLinkParts) -> *mut bpf_link {
        let link = self.link.replace(ptr::null_mut());
        let name = self.name.replace(ptr::null_mut());
        let pl = link.cast::<bpf_link_perf>();
        // SAFETY: `link` is the zeroed `struct bpf_link_perf` reserve_link
        // made (the core reserves before it succeeds); `name` NULL or the
        // strdup of the legacy probe's name.
        unsafe {
            (*pl).link.detach = Some(perf_detach);
            (*pl).link.dealloc = Some(perf_dealloc);
            (*pl).link.fd = parts.link_fd;
            (*pl).perf_event_fd = parts.perf_fd;
            if let Some(l) = parts.legacy {
                (*pl).legacy_probe_name = name;
                (*pl).legacy_is_kprobe = l.kprobe;
                (*pl).legacy_is_retprobe = l.retprobe;
            } else if !name.is_null() {
                libc::free(name.cast());
            }
        }
        link
    }

    /// The reserved plain link for a multi link's fd.
    fn finish_plain(&self, fd: i32) -> *mut bpf_link {
        let link = self.link.replace(ptr::null_mut());
        // SAFETY: the zeroed plain link reserve_link made.
        unsafe {
            (*link).detach = Some(super::object::detach_fd);
            (*link).fd = fd;
        }
        link
    }
}

impl Drop for CMemory {
    fn drop(&mut self) {
        // SAFETY: NULL or libc allocations of ours nobody else has seen.
        unsafe {
            libc::free(self.link.get().cast());
            libc::free(self.name.get().cast());
        }
    }
}

impl LinkMemory for CMemory {
    fn reserve_link(&self, perf: bool) -> Result<()> {
        let size = if perf {
            core::mem::size_of::<bpf_link_perf>()
        } else {
            PLAIN_LINK_ALLOC_SIZE
        };
        // SAFETY: calloc has no preconditions; NULL is checked.
        let p = unsafe { libc::calloc(1, size) }.cast::<bpf_link>();
        if p.is_null() {
            return Err(Errno::ENOMEM);
        }
        // SAFETY: NULL or an earlier reservation of this call (none in
        // practice: the core reserves once).
        unsafe { libc::free(self.link.replace(p).cast()) };
        Ok(())
    }
    fn reserve_name(&self, name: &CStr) -> Result<()> {
        // SAFETY: `name` is a C string; strdup copies it or fails.
        let p = unsafe { libc::strdup(name.as_ptr()) };
        if p.is_null() {
            return Err(Errno::ENOMEM);
        }
        // SAFETY: as in reserve_link.
        unsafe { libc::free(self.name.replace(p).cast()) };
        Ok(())
    }
}

/// The `detach` of a `struct bpf_link_perf` (libbpf's
/// `bpf_link_perf_detach`): disable the event, close the perf fd and the
/// link fd, remove the legacy probe.
///
/// # Safety
/// `link` is a live `struct bpf_link_perf` (made here or by libbpf).
unsafe extern "C" fn perf_detach(link: *mut bpf_link) -> c_int {
    let pl = link.cast::<bpf_link_perf>();
    // SAFETY: a live perf link (contract); its name is NULL or a C string
    // it owns.
    unsafe {
        let name = (*pl).legacy_probe_name;
        let legacy = (!name.is_null()).then(|| {
            (
                CStr::from_ptr(name).to_bytes(),
                (*pl).legacy_is_kprobe,
                (*pl).legacy_is_retprobe,
            )
        });
        core_attach::perf_link_detach(&SYS_PROBE, (*link).fd, (*pl).perf_event_fd, legacy)
    }
}

/// The `dealloc` of a `struct bpf_link_perf`: free the name, then the
/// object.
///
/// # Safety
/// `link` is a `struct bpf_link_perf` from libc's allocator, not used
/// afterwards.
unsafe extern "C" fn perf_dealloc(link: *mut bpf_link) {
    let pl = link.cast::<bpf_link_perf>();
    // SAFETY: (contract) both pointers are NULL or libc allocations.
    unsafe {
        libc::free((*pl).legacy_probe_name.cast());
        libc::free(pl.cast());
    }
}

/// # Safety
/// `p` is NULL or a C string that outlives `'a`.
unsafe fn opt_cstr<'a>(p: *const c_char) -> Option<&'a CStr> {
    // SAFETY: forwarded from this function's contract.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) })
}

/// The result of a perf-event attach as a C link pointer.
fn perf_result(host: &CHost, r: Result<PerfLinkParts>) -> *mut bpf_link {
    match r {
        Ok(parts) => host.0.finish_perf(parts),
        Err(e) => ret::null(e),
    }
}

/// Attach a program to a perf event (libbpf
/// `bpf_program__attach_perf_event_opts`, for a program fd; bpflink's node
/// `BPFLINK_0.1`).
///
/// With a BPF perf link where the kernel has them (probed once per process,
/// like libbpf) and `opts->force_ioctl_attach` is not set, else with
/// `PERF_EVENT_IOC_SET_BPF` (then a non-zero `bpf_cookie` is
/// `-EOPNOTSUPP`); then `PERF_EVENT_IOC_ENABLE` unless `dont_enable`. The
/// link owns `pfd` from then on: `bpf_link__destroy` disables the event and
/// closes it. On failure `pfd` stays the caller's. Returns the link, or
/// NULL with `errno` set.
///
/// # Safety
/// `opts` is NULL or points to a `struct bpf_perf_event_opts` whose first
/// `opts->sz` bytes are readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpflink_attach_perf_event_opts(
    prog_fd: c_int,
    pfd: c_int,
    opts: *const bpf_perf_event_opts,
) -> *mut bpf_link {
    let host = CMemory::host();
    // SAFETY: forwarded from this function's contract.
    let r = unsafe {
        with_opts(opts.cast(), abi::PERF_EVENT_OPTS, |o| {
            core_attach::attach_perf_event(&host, prog_fd, pfd, o, &mut PrintLog, &mut PrintLog)
        })
    };
    let link = perf_result(&host, r);
    if trace::enabled() {
        trace::emit_ptr("bpflink_attach_perf_event_opts", link.cast(), |l| {
            l.int("prog_fd", prog_fd).int("pfd", pfd).ptr("opts", opts);
        })
    }
    link
}

/// Attach a program to a kernel function entry or return (libbpf
/// `bpf_program__attach_kprobe_opts`, for a program fd; `BPFLINK_0.1`).
///
/// A kprobe PMU event (`/sys/bus/event_source/devices/kprobe`) where the
/// kernel has one, else a legacy tracefs `kprobe_events` probe named
/// `libbpf_<pid>_<n>_<func>_0x<offset>` (removed again on destroy);
/// `opts->attach_mode` forces one way (`-EOPNOTSUPP` if unavailable).
/// Returns the link, or NULL with `errno` set.
///
/// # Safety
/// `func_name` is NULL or a C string; `opts` is NULL or points to a
/// `struct bpf_kprobe_opts` whose first `opts->sz` bytes are readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpflink_attach_kprobe_opts(
    prog_fd: c_int,
    func_name: *const c_char,
    opts: *const bpf_kprobe_opts,
) -> *mut bpf_link {
    let host = CMemory::host();
    // SAFETY: forwarded from this function's contract.
    let r = unsafe {
        let name = opt_cstr(func_name);
        with_opts(opts.cast(), abi::KPROBE_OPTS, |o| {
            core_attach::attach_kprobe(&host, prog_fd, name, o, &mut PrintLog, &mut PrintLog)
        })
    };
    let link = perf_result(&host, r);
    if trace::enabled() {
        trace::emit_ptr("bpflink_attach_kprobe_opts", link.cast(), |l| {
            l.int("prog_fd", prog_fd)
                .str("func_name", func_name)
                .ptr("opts", opts);
        })
    }
    link
}

/// Attach a program to a user-space function entry or return (libbpf
/// `bpf_program__attach_uprobe_opts`, for a program fd; `BPFLINK_0.1`).
///
/// `binary_path` is a path, or a name without `/` searched like libbpf
/// (`libc.so.6` in `LD_LIBRARY_PATH`, `/usr/lib64`, `/usr/lib` and the
/// multiarch directory; a program in `PATH`, `/usr/bin`, `/usr/sbin`).
/// `opts->func_name` (`func`, `func@VERSION`, `func@@VERSION`) is found in
/// the file's `.dynsym`/`.symtab` and its file offset added to
/// `func_offset`. `pid` filters on one process (0 is this one, -1 all).
/// `opts->ref_ctr_offset` sets a USDT semaphore, `retprobe` a return probe,
/// `bpf_cookie` the cookie. A uprobe PMU event, or a legacy tracefs
/// `uprobe_events` probe where there is none. Returns the link, or NULL
/// with `errno` set.
///
/// # Safety
/// `binary_path` is NULL or a C string; `opts` is NULL or points to a
/// `struct bpf_uprobe_opts` whose first `opts->sz` bytes are readable, and
/// its `func_name` is NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpflink_attach_uprobe_opts(
    prog_fd: c_int,
    pid: pid_t,
    binary_path: *const c_char,
    func_offset: usize,
    opts: *const bpf_uprobe_opts,
) -> *mut bpf_link {
    let host = CMemory::host();
    // SAFETY: forwarded from this function's contract.
    let r = unsafe {
        let path = opt_cstr(binary_path);
        with_opts(opts.cast(), abi::UPROBE_OPTS, |o| {
            let func = opt_cstr(core_attach::uprobe_func_name_addr(o) as *const c_char);
            core_attach::attach_uprobe(
                &host,
                prog_fd,
                pid,
                path,
                func_offset,
                func,
                o,
                &mut PrintLog,
                &mut PrintLog,
            )
        })
    };
    let link = perf_result(&host, r);
    if trace::enabled() {
        trace::emit_ptr("bpflink_attach_uprobe_opts", link.cast(), |l| {
            l.int("prog_fd", prog_fd)
                .int("pid", pid)
                .str("binary_path", binary_path)
                .int("func_offset", func_offset as i64)
                .ptr("opts", opts);
        })
    }
    link
}

/// Attach a program to a tracepoint by name (libbpf
/// `bpf_program__attach_tracepoint_opts`, for a program fd;
/// `BPFLINK_0.1`): the event id is read from tracefs
/// (`/sys/kernel/tracing/events/<category>/<name>/id`, which needs tracefs
/// mounted), then a tracepoint perf event is opened on CPU 0 for every
/// process and attached. Returns the link, or NULL with `errno` set.
///
/// # Safety
/// `tp_category` and `tp_name` are NULL or C strings; `opts` is NULL or
/// points to a `struct bpf_tracepoint_opts` whose first `opts->sz` bytes
/// are readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpflink_attach_tracepoint_opts(
    prog_fd: c_int,
    tp_category: *const c_char,
    tp_name: *const c_char,
    opts: *const bpf_tracepoint_opts,
) -> *mut bpf_link {
    let host = CMemory::host();
    // SAFETY: forwarded from this function's contract.
    let r = unsafe {
        let (cat, name) = (opt_cstr(tp_category), opt_cstr(tp_name));
        with_opts(opts.cast(), abi::TRACEPOINT_OPTS, |o| {
            core_attach::attach_tracepoint(
                &host,
                prog_fd,
                cat,
                name,
                o,
                &mut PrintLog,
                &mut PrintLog,
            )
        })
    };
    let link = perf_result(&host, r);
    if trace::enabled() {
        trace::emit_ptr("bpflink_attach_tracepoint_opts", link.cast(), |l| {
            l.int("prog_fd", prog_fd)
                .str("tp_category", tp_category)
                .str("tp_name", tp_name)
                .ptr("opts", opts);
        })
    }
    link
}

/// The `syms` array of a caller's `struct bpf_uprobe_multi_opts`.
struct CSyms(*const *const c_char);

impl SymNames for CSyms {
    fn name(&self, i: usize) -> Option<&CStr> {
        // SAFETY: the caller's array holds `cnt` pointers (the contract of
        // bpflink_attach_uprobe_multi), and the core asks only below cnt;
        // each entry is NULL or a C string.
        unsafe { opt_cstr(self.0.add(i).read()) }
    }
}

/// Attach a program to many user-space functions at once with one
/// `uprobe_multi` link (libbpf `bpf_program__attach_uprobe_multi`, for a
/// program fd; `BPFLINK_0.1`).
///
/// Either `func_pattern` (a glob: `*` and `?`) matched against the
/// function symbols of `path` (a name without `/` is searched like
/// [`bpflink_attach_uprobe_opts`] does), or `opts->syms` (exact names) or
/// `opts->offsets` with `opts->cnt` entries. `pid` 0 is this process, -1
/// all. Returns the link, or NULL with `errno` set (`-ENOENT`: nothing
/// matched).
///
/// # Safety
/// `path` and `func_pattern` are NULL or C strings; `opts` is NULL or
/// points to a `struct bpf_uprobe_multi_opts` whose first `opts->sz` bytes
/// are readable and whose arrays hold `cnt` entries.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpflink_attach_uprobe_multi(
    prog_fd: c_int,
    pid: pid_t,
    path: *const c_char,
    func_pattern: *const c_char,
    opts: *const bpf_uprobe_multi_opts,
) -> *mut bpf_link {
    let host = CMemory::host();
    // SAFETY: forwarded from this function's contract.
    let r = unsafe {
        let (p, pat) = (opt_cstr(path), opt_cstr(func_pattern));
        with_opts(opts.cast(), abi::UPROBE_MULTI_OPTS, |o| {
            let syms = CSyms(core_attach::uprobe_multi_arrays(o).syms as *const *const c_char);
            core_attach::attach_uprobe_multi(
                &host,
                prog_fd,
                pid,
                p,
                pat,
                o,
                &syms,
                &mut PrintLog,
                &mut PrintLog,
            )
        })
    };
    let link = match r {
        Ok(fd) => host.0.finish_plain(fd),
        Err(e) => ret::null(e),
    };
    if trace::enabled() {
        trace::emit_ptr("bpflink_attach_uprobe_multi", link.cast(), |l| {
            l.int("prog_fd", prog_fd)
                .int("pid", pid)
                .str("path", path)
                .str("func_pattern", func_pattern)
                .ptr("opts", opts);
        })
    }
    link
}

/// Attach a program to many kernel functions with one `kprobe_multi` link
/// (libbpf `bpf_program__attach_kprobe_multi_opts`, for a program fd;
/// `BPFLINK_0.1`).
///
/// `pattern` without wildcards is handed to the kernel as one symbol; with
/// `*`/`?` (or `opts->unique_match`) it is matched against tracefs's
/// `available_filter_functions_addrs`, or `available_filter_functions`
/// and `/proc/kallsyms`. Or `opts->syms`/`opts->addrs` with `cnt`.
/// Returns the link, or NULL with `errno` set.
///
/// # Safety
/// `pattern` is NULL or a C string; `opts` is NULL or points to a
/// `struct bpf_kprobe_multi_opts` whose first `opts->sz` bytes are
/// readable and whose arrays hold `cnt` entries.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bpflink_attach_kprobe_multi_opts(
    prog_fd: c_int,
    pattern: *const c_char,
    opts: *const bpf_kprobe_multi_opts,
) -> *mut bpf_link {
    let host = CMemory::host();
    // SAFETY: forwarded from this function's contract.
    let r = unsafe {
        let pat = opt_cstr(pattern);
        with_opts(opts.cast(), abi::KPROBE_MULTI_OPTS, |o| {
            core_attach::attach_kprobe_multi(&host, prog_fd, pat, o, &mut PrintLog, &mut PrintLog)
        })
    };
    let link = match r {
        Ok(fd) => host.0.finish_plain(fd),
        Err(e) => ret::null(e),
    };
    if trace::enabled() {
        trace::emit_ptr("bpflink_attach_kprobe_multi_opts", link.cast(), |l| {
            l.int("prog_fd", prog_fd)
                .str("pattern", pattern)
                .ptr("opts", opts);
        })
    }
    link
}
