//! libbpf's print hook (docs/libbpf-behaviour.md#the-print-hook): one
//! process-wide callback, by default a printer to stderr honouring
//! `LIBBPF_LOG_LEVEL`; `libbpf_set_print` swaps it (NULL silences everything).
//! Messages keep libbpf's exact format strings and arguments, so a callback
//! sees what it would see with libbpf.

use core::ffi::{CStr, c_char, c_int, c_void};
use core::sync::atomic::{AtomicUsize, Ordering};

use bpflink_core::attach_msg::{Level, Msg as AttachMsg};
use bpflink_core::link_object::{Message, ObjectLog};
use bpflink_core::opts::Warning;
use bpflink_core::strerror::errstr;

/// `libbpf_print_fn_t`: `int (*)(enum libbpf_print_level, const char *, va_list)`.
/// `va_list` is only ever passed through, so it is an opaque pointer here.
/// cbindgen:ignore
pub type libbpf_print_fn_t =
    Option<unsafe extern "C" fn(level: c_int, format: *const c_char, args: *mut c_void) -> c_int>;

pub const LIBBPF_WARN: c_int = 0;
pub const LIBBPF_INFO: c_int = 1;
pub const LIBBPF_DEBUG: c_int = 2;

unsafe extern "C" {
    fn bpflink__default_print(level: c_int, format: *const c_char, args: *mut c_void) -> c_int;
    fn bpflink__print(
        callback: unsafe extern "C" fn(c_int, *const c_char, *mut c_void) -> c_int,
        level: c_int,
        format: *const c_char,
        ...
    );
    /// `dlsym(RTLD_NEXT, name)` when the program has a dynamic linker, NULL
    /// otherwise (print.c: a weak reference, so a static program does not
    /// pull in libc's static dlsym).
    fn bpflink__next_symbol(name: *const c_char) -> *mut c_void;
}

/// 0 = never set (use the default printer); otherwise the callback's address
/// plus one, so that an explicit NULL (stored as 1) stays distinguishable.
static CALLBACK: AtomicUsize = AtomicUsize::new(0);

type PrintFn = unsafe extern "C" fn(c_int, *const c_char, *mut c_void) -> c_int;

/// The printer used until the app installs one. Beside the real libbpf
/// (LD_PRELOAD) it is libbpf's own default printer, so that there is one
/// `LIBBPF_LOG_LEVEL` reading and one complaint about a bad value, and our
/// messages look exactly like libbpf's; alone, it is ours (print.c), which
/// behaves the same.
fn default_printer() -> PrintFn {
    // 0: not looked up yet. Racing threads compute the same answer.
    static DEFAULT: AtomicUsize = AtomicUsize::new(0);
    let mut addr = DEFAULT.load(Ordering::Acquire);
    if addr == 0 {
        addr = find_default_printer();
        DEFAULT.store(addr, Ordering::Release);
    }
    // SAFETY: `addr` is one of the two printer functions found below, both
    // of type PrintFn.
    unsafe { core::mem::transmute::<usize, PrintFn>(addr) }
}

#[cold]
fn find_default_printer() -> usize {
    let ours = bpflink__default_print as PrintFn as usize;
    let Some(real_set) = real_libbpf_set_print() else {
        return ours;
    };
    // Read libbpf's current printer by swapping in NULL and putting it
    // straight back (libbpf_set_print returns the previous one).
    // SAFETY: `real_set` is libbpf's libbpf_set_print.
    let theirs = unsafe { real_set(None) };
    // SAFETY: as above; restores exactly what was there.
    unsafe { real_set(theirs) };
    theirs.map_or(ours, |f| f as usize)
}

fn current() -> libbpf_print_fn_t {
    match CALLBACK.load(Ordering::Relaxed) {
        0 => Some(default_printer()),
        stored => {
            let addr = stored - 1;
            if addr == 0 {
                None
            } else {
                // SAFETY: `addr` was stored by `swap` from a value of this
                // very function-pointer type.
                Some(unsafe {
                    core::mem::transmute::<
                        usize,
                        unsafe extern "C" fn(c_int, *const c_char, *mut c_void) -> c_int,
                    >(addr)
                })
            }
        }
    }
}

/// Installs `callback` and returns the previous one (the default printer
/// if none was set before), like libbpf's atomic exchange.
pub fn swap(callback: libbpf_print_fn_t) -> libbpf_print_fn_t {
    let new = callback.map_or(0, |f| f as usize) + 1;
    match CALLBACK.swap(new, Ordering::Relaxed) {
        0 => Some(default_printer()),
        1 => None,
        old => {
            // SAFETY: as in `current`.
            Some(unsafe {
                core::mem::transmute::<
                    usize,
                    unsafe extern "C" fn(c_int, *const c_char, *mut c_void) -> c_int,
                >(old - 1)
            })
        }
    }
}

/// Prints one core warning with libbpf's format string and arguments.
pub fn warn(w: Warning) {
    let Some(cb) = current() else { return };
    // SAFETY: (all arms) each format string's conversions match the
    // arguments passed after it, the C strings are NUL-terminated statics,
    // and bpflink__print preserves errno around the callback.
    unsafe {
        match w {
            Warning::OptsTooSmall { type_name, sz } => bpflink__print(
                cb,
                LIBBPF_WARN,
                c"libbpf: %s size (%zu) is too small\n".as_ptr(),
                type_name.as_ptr(),
                sz,
            ),
            Warning::OptsExtraBytes { type_name } => bpflink__print(
                cb,
                LIBBPF_WARN,
                c"libbpf: %s has non-zero extra bytes\n".as_ptr(),
                type_name.as_ptr(),
            ),
            Warning::OptsUnreadable { type_name, sz } => bpflink__print(
                cb,
                LIBBPF_WARN,
                c"libbpf: %s size (%zu) reaches unreadable memory\n".as_ptr(),
                type_name.as_ptr(),
                sz,
            ),
            Warning::DupFailed { fd, errno } => bpflink__print(
                cb,
                LIBBPF_WARN,
                c"libbpf: failed to dup FD %d to FD > 2: %d\n".as_ptr(),
                fd as c_int,
                errno.negated() as c_int,
            ),
        }
    }
}

/// Prints one object-API message (`bpf_link__*`) with libbpf 1.7.0's format
/// string, arguments and level.
pub fn object(m: Message<'_>) {
    let Some(cb) = current() else { return };
    // SAFETY: (all arms) each format string's conversions match the
    // arguments after it (`%s`: a C string or NULL, as libbpf passes; `%d`:
    // a c_int), the strings outlive the call, and bpflink__print preserves
    // errno around the callback.
    unsafe {
        match m {
            Message::MkdirFailed { path, err } => {
                let e = errstr(err.negated());
                bpflink__print(
                    cb,
                    LIBBPF_WARN,
                    c"libbpf: failed to mkdir %s: %s\n".as_ptr(),
                    path.as_ptr(),
                    e.as_c_str().as_ptr(),
                )
            }
            Message::StatfsFailed { dir, err } => {
                let e = errstr(err.0);
                bpflink__print(
                    cb,
                    LIBBPF_WARN,
                    c"libbpf: failed to statfs %s: %s\n".as_ptr(),
                    dir.as_ptr(),
                    e.as_c_str().as_ptr(),
                )
            }
            Message::NotOnBpffs { path } => bpflink__print(
                cb,
                LIBBPF_WARN,
                c"libbpf: specified path %s is not on BPF FS\n".as_ptr(),
                path.as_ptr(),
            ),
            Message::OpenFailed { path, err } => bpflink__print(
                cb,
                LIBBPF_WARN,
                c"libbpf: failed to open link at %s: %d\n".as_ptr(),
                path.map_or(core::ptr::null(), CStr::as_ptr),
                err.negated() as c_int,
            ),
            Message::Pinned { fd, path } => bpflink__print(
                cb,
                LIBBPF_DEBUG,
                c"libbpf: link fd=%d: pinned at %s\n".as_ptr(),
                fd as c_int,
                path.as_ptr(),
            ),
            Message::Unpinned { fd, path } => bpflink__print(
                cb,
                LIBBPF_DEBUG,
                c"libbpf: link fd=%d: unpinned from %s\n".as_ptr(),
                fd as c_int,
                path.as_ptr(),
            ),
        }
    }
}

/// The core's [`bpflink_core::opts::Log`] for C calls: prints immediately.
pub struct PrintLog;

impl bpflink_core::opts::Log for PrintLog {
    fn warn(&mut self, w: Warning) {
        warn(w);
    }
}

impl ObjectLog for PrintLog {
    fn message(&mut self, m: Message<'_>) {
        object(m);
    }
}

/// Install `fn` as the print callback for every message bpflink emits, and
/// return the previous one (libbpf `libbpf_set_print`, `LIBBPF_0.0.1`).
/// NULL silences all output. The default printer writes to stderr and
/// honours `LIBBPF_LOG_LEVEL` (`warn`, `info` — the default — or `debug`).
///
/// Beside the real libbpf (bpflink LD_PRELOADed in front of `libbpf.so.1`,
/// or both linked into one program), the app's call reaches this function
/// first; it is forwarded to the real `libbpf_set_print` too, so libbpf's
/// own messages and ours go to the same callback, and an app that silenced
/// libbpf silences both (README, "LD_PRELOAD").
#[unsafe(no_mangle)]
pub extern "C" fn libbpf_set_print(r#fn: libbpf_print_fn_t) -> libbpf_print_fn_t {
    let old = swap(r#fn);
    if let Some(real) = real_libbpf_set_print() {
        // SAFETY: `real` is libbpf's `libbpf_set_print`, which has exactly
        // this signature.
        unsafe { real(r#fn) };
    }
    if super::trace::enabled() {
        super::trace::emit_ptr(
            "libbpf_set_print",
            old.map_or(core::ptr::null(), |f| f as *const c_void),
            |l| {
                l.ptr("fn", r#fn.map_or(core::ptr::null(), |f| f as *const c_void));
            },
        )
    }
    old
}

type SetPrintFn = unsafe extern "C" fn(libbpf_print_fn_t) -> libbpf_print_fn_t;

/// The next `libbpf_set_print` in symbol lookup order after ours (the real
/// libbpf's), if any; looked up once.
fn real_libbpf_set_print() -> Option<SetPrintFn> {
    // usize::MAX: not looked up yet; 0: there is none.
    static NEXT: AtomicUsize = AtomicUsize::new(usize::MAX);
    let mut addr = NEXT.load(Ordering::Acquire);
    if addr == usize::MAX {
        // SAFETY: a C string; the lookup only reads it.
        let p = unsafe { bpflink__next_symbol(c"libbpf_set_print".as_ptr()) } as usize;
        // Never forward to ourselves (e.g. the .a and the .so both loaded).
        addr = if p == libbpf_set_print as *const () as usize {
            0
        } else {
            p
        };
        NEXT.store(addr, Ordering::Release);
    }
    // SAFETY: a non-zero address is the definition of `libbpf_set_print`
    // found by the dynamic linker, whose C signature is SetPrintFn's.
    (addr != 0).then(|| unsafe { core::mem::transmute::<usize, SetPrintFn>(addr) })
}

/// Prints one message of the attach functions with libbpf 1.7.0's format
/// string and level; `prog '%s'` (libbpf's program name) is `prog fd %d`
/// here, the fd the caller passed.
pub fn attach(m: AttachMsg<'_>) {
    let Some(cb) = current() else { return };
    let level = match m.level() {
        Level::Warn => LIBBPF_WARN,
        Level::Debug => LIBBPF_DEBUG,
    };
    let kind = |uprobe: bool| {
        if uprobe {
            c"uprobe".as_ptr()
        } else {
            c"kprobe".as_ptr()
        }
    };
    let probe = |uprobe: bool, ret: bool| match (uprobe, ret) {
        (false, false) => c"kprobe".as_ptr(),
        (false, true) => c"kretprobe".as_ptr(),
        (true, false) => c"uprobe".as_ptr(),
        (true, true) => c"uretprobe".as_ptr(),
    };
    macro_rules! p {
        ($fmt:literal $(, $arg:expr)* $(,)?) => {
            bpflink__print(cb, level, concat!("libbpf: ", $fmt, "\n\0").as_ptr().cast() $(, $arg)*)
        };
    }
    // SAFETY: (all arms) each format's conversions match the arguments
    // after it: `%s` a C string (NUL-terminated, alive for the call), `%d`
    // a c_int, `%zx`/`%zu` a usize, `%lx`/`%lu` a u64 (unsigned long on
    // LP64); bpflink__print preserves errno around the callback.
    unsafe {
        match m {
            AttachMsg::InvalidPerfFd { prog, pfd } => {
                p!("prog fd %d: invalid perf event FD %d", prog, pfd)
            }
            AttachMsg::NoProgFd { prog } => p!(
                "prog fd %d: can't attach BPF program without FD (was it loaded?)",
                prog
            ),
            AttachMsg::PerfLinkFailed { prog, pfd, err } => p!(
                "prog fd %d: failed to create BPF link for perf_event FD %d: %s",
                prog,
                pfd,
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::CookieUnsupported { prog } => {
                p!("prog fd %d: user context value is not supported", prog)
            }
            AttachMsg::SetBpfFailed { prog, pfd, err } => p!(
                "prog fd %d: failed to attach to perf_event FD %d: %s",
                prog,
                pfd,
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::SetBpfCallchain { prog, pfd } => p!(
                "prog fd %d: try add PERF_SAMPLE_CALLCHAIN to or remove exclude_callchain_[kernel|user] from pfd %d",
                prog,
                pfd
            ),
            AttachMsg::EnableFailed { prog, pfd, err } => p!(
                "prog fd %d: failed to enable perf_event FD %d: %s",
                prog,
                pfd,
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::FeatureProbeFailed { feature, err } => p!(
                "Detection of kernel %s support failed: %s",
                feature.as_ptr(),
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::OpenFileFailed { path, err } => p!(
                "failed to open '%s': %s",
                path.as_ptr(),
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::ParseFileFailed { path, err } => p!(
                "failed to parse '%s': %s",
                path.as_ptr(),
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::PerfTypeFailed { uprobe, err } => p!(
                "failed to determine %s perf type: %s",
                kind(uprobe),
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::RetprobeBitFailed { uprobe, err } => p!(
                "failed to determine %s retprobe bit: %s",
                kind(uprobe),
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::LegacyAddFailed {
                uprobe: false,
                target,
                offset,
                err,
            } => p!(
                "failed to add legacy kprobe event for '%s+0x%zx': %s",
                target.as_ptr(),
                offset,
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::LegacyAddFailed {
                uprobe: true,
                target,
                offset,
                err,
            } => p!(
                "failed to add legacy uprobe event for %s:0x%zx: %s",
                target.as_ptr(),
                offset,
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::LegacyIdFailed {
                uprobe: false,
                target,
                offset,
                err,
            } => p!(
                "failed to determine legacy kprobe event id for '%s+0x%zx': %s",
                target.as_ptr(),
                offset,
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::LegacyIdFailed {
                uprobe: true,
                target,
                offset,
                err,
            } => p!(
                "failed to determine legacy uprobe event id for %s:0x%zx: %s",
                target.as_ptr(),
                offset,
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::LegacyOpenFailed { uprobe, err } => p!(
                "legacy %s perf_event_open() failed: %s",
                kind(uprobe),
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::ProbeCreateFailed {
                prog,
                uprobe,
                retprobe,
                target,
                offset,
                err,
            } => {
                if uprobe {
                    p!(
                        "prog fd %d: failed to create %s '%s:0x%zx' perf event: %s",
                        prog,
                        probe(uprobe, retprobe),
                        target.as_ptr(),
                        offset,
                        errstr(err).as_c_str().as_ptr()
                    )
                } else {
                    p!(
                        "prog fd %d: failed to create %s '%s+0x%zx' perf event: %s",
                        prog,
                        probe(uprobe, retprobe),
                        target.as_ptr(),
                        offset,
                        errstr(err).as_c_str().as_ptr()
                    )
                }
            }
            AttachMsg::ProbeAttachFailed {
                prog,
                uprobe,
                retprobe,
                target,
                offset,
                err,
            } => {
                if uprobe {
                    p!(
                        "prog fd %d: failed to attach to %s '%s:0x%zx': %s",
                        prog,
                        probe(uprobe, retprobe),
                        target.as_ptr(),
                        offset,
                        errstr(err).as_c_str().as_ptr()
                    )
                } else {
                    p!(
                        "prog fd %d: failed to attach to %s '%s+0x%zx': %s",
                        prog,
                        probe(uprobe, retprobe),
                        target.as_ptr(),
                        offset,
                        errstr(err).as_c_str().as_ptr()
                    )
                }
            }
            AttachMsg::OpenListFailed { path, err } => p!(
                "failed to open %s: %s",
                path.as_ptr(),
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::FilterFunctionsEntry { ret } => {
                p!("failed to parse available_filter_functions entry: %d", ret)
            }
            AttachMsg::FilterFunctionsAddrsEntry { ret } => p!(
                "failed to parse available_filter_functions_addrs entry: %d",
                ret
            ),
            AttachMsg::KallsymsEntry { ret } => p!("failed to read kallsyms entry: %d", ret),
            AttachMsg::NotUnique {
                prog,
                pattern,
                matches,
            } => p!(
                "prog fd %d: failed to find a unique match for '%s' (%zu matches)",
                prog,
                pattern.as_ptr(),
                matches
            ),
            AttachMsg::MultiAttachFailed { prog, err } => p!(
                "prog fd %d: failed to attach: %s",
                prog,
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::Resolved { file, path } => {
                p!("resolved '%s' to '%s'", file.as_ptr(), path.as_ptr())
            }
            AttachMsg::ResolveFailed { prog, file, err } => p!(
                "prog fd %d: failed to resolve full path for '%s': %s",
                prog,
                file.as_ptr(),
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::UprobeMultiFailed { prog, err } => p!(
                "prog fd %d: failed to attach multi-uprobe: %s",
                prog,
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::TracepointPathTooLong { category, name } => p!(
                "tracepoint %s/%s path is too long",
                category.as_ptr(),
                name.as_ptr()
            ),
            AttachMsg::TracepointIdFailed {
                category,
                name,
                err,
            } => p!(
                "failed to determine tracepoint '%s/%s' perf event ID: %s",
                category.as_ptr(),
                name.as_ptr(),
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::TracepointOpenFailed {
                category,
                name,
                err,
            } => p!(
                "tracepoint '%s/%s' perf_event_open() failed: %s",
                category.as_ptr(),
                name.as_ptr(),
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::TracepointCreateFailed {
                prog,
                category,
                name,
                err,
            } => p!(
                "prog fd %d: failed to create tracepoint '%s/%s' perf event: %s",
                prog,
                category.as_ptr(),
                name.as_ptr(),
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::TracepointAttachFailed {
                prog,
                category,
                name,
                err,
            } => p!(
                "prog fd %d: failed to attach to tracepoint '%s/%s': %s",
                prog,
                category.as_ptr(),
                name.as_ptr(),
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::ElfOpenFailed { path, err } => p!(
                "elf: failed to open %s: %s",
                path.as_ptr(),
                errstr(err).as_c_str().as_ptr()
            ),
            AttachMsg::ElfReadFailed { path, reason } => p!(
                "elf: could not read elf from %s: %s",
                path.as_ptr(),
                reason.as_ptr()
            ),
            AttachMsg::ElfNoEhdr { path, reason } => p!(
                "elf: failed to get ehdr from %s: %s",
                path.as_ptr(),
                reason.as_ptr()
            ),
            AttachMsg::ElfNoSymtab { path } => p!(
                "elf: failed to find symbol table ELF sections in '%s'",
                path.as_ptr()
            ),
            AttachMsg::ElfNoSymbols { path, reason } => p!(
                "elf: failed to get symbols for symtab section in '%s': %s",
                path.as_ptr(),
                reason.as_ptr()
            ),
            AttachMsg::ElfNoVerdef { path } => p!(
                "elf: failed to get verdef ELF section in '%s'",
                path.as_ptr()
            ),
            AttachMsg::ElfAmbiguous { sym, name, path } => p!(
                "elf: ambiguous match for '%s', '%s' in '%s'",
                sym.as_ptr(),
                name.as_ptr(),
                path.as_ptr()
            ),
            AttachMsg::ElfMatch { name, path, offset } => p!(
                "elf: symbol address match for '%s' in '%s': 0x%lx",
                name.as_ptr(),
                path.as_ptr(),
                offset
            ),
            AttachMsg::ElfZero {
                name,
                path,
                shared_lib,
            } => p!(
                "elf: '%s' is 0 in symtab for '%s': %s",
                name.as_ptr(),
                path.as_ptr(),
                if shared_lib {
                    c"should not be 0 in a shared library".as_ptr()
                } else {
                    c"try using shared library path instead".as_ptr()
                }
            ),
            AttachMsg::ElfNotFound { name, path } => p!(
                "elf: failed to find symbol '%s' in '%s'",
                name.as_ptr(),
                path.as_ptr()
            ),
            AttachMsg::ElfAmbiguousSym {
                sym,
                offset,
                path,
                previous,
            } => p!(
                "elf: ambiguous match found '%s@%lu' in '%s' previous offset %lu",
                sym.as_ptr(),
                offset,
                path.as_ptr(),
                previous
            ),
            AttachMsg::ArchiveUnsupported { prog, path } => p!(
                "prog fd %d: %s: archive members ('!/' paths) are not supported",
                prog,
                path.as_ptr()
            ),
        }
    }
}

impl bpflink_core::attach_msg::AttachLog for PrintLog {
    fn msg(&mut self, m: AttachMsg<'_>) {
        attach(m);
    }
}
