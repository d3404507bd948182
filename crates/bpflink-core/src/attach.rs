//! libbpf 1.7.0's `bpf_program__attach_{perf_event,kprobe,uprobe,
//! tracepoint,kprobe_multi,uprobe_multi}_opts` for a program given as an fd
//! (`libbpf.c`), step for step: the opts rules, the sysfs and tracefs files
//! read and written, the `perf_event_open` images, the perf link (or
//! `PERF_EVENT_IOC_SET_BPF` where the kernel has none), the legacy tracefs
//! probes and their names, the errors and the messages.
//!
//! Everything outside the process goes through [`ProbeHost`]: the real
//! kernel in `sys`, a fake in tests. The link object is made by the caller
//! from the [`PerfLinkParts`] returned; its teardown is [`perf_link_detach`].

use core::ffi::CStr;
use core::sync::atomic::Ordering;

use super::abi::{
    LINK_CREATE_OPTS, attach_mode, kprobe as ko, kprobe_multi as kmo, link_create as lco,
    perf_event as peo, tracepoint as tpo, uprobe as uo, uprobe_multi as umo,
};
use super::attach_msg::{AttachLog, Msg};
use super::elf_sym::{self, ElfFile, OffsetBuf};
use super::errno::{Errno, Result};
use super::kernel::{Kernel, bpf_fd};
use super::link_create;
use super::opts::{Log, MAX_OPTS_SIZE, OptsImage, ZeroTail, validate};
use super::perf::{self, PerfAttr};
use super::probe_text::{self as text, PATH_MAX, Scanned, UintFormat};
use super::sys::CBuf;
use super::text::FixedStr;
use super::uapi::{AttrImage, attach, cmd, flags};

/// `-ENOTSUP` (= `EOPNOTSUPP` on Linux).
const ENOTSUP: Errno = Errno::EOPNOTSUPP;

pub use crate::attach_host::ProbeHost;
pub use crate::sys::FileError;

/// A legacy tracefs probe a perf link owns and removes on destroy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegacyProbe {
    pub name: FixedStr<64>,
    pub kprobe: bool,
    pub retprobe: bool,
}

/// What a perf-event based attach made: the link's fd (a BPF link, or the
/// perf fd itself when attached by ioctl), the perf fd it owns, and the
/// legacy probe to remove, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PerfLinkParts {
    pub link_fd: i32,
    pub perf_fd: i32,
    pub legacy: Option<LegacyProbe>,
}

/// A non-zero byte is `true`, as a C `bool` read by OPTS_GET.
fn get_bool(o: Option<&OptsImage<'_>>, off: usize) -> bool {
    o.is_some_and(|o| o.u8_at(off) != 0)
}

fn get_u64(o: Option<&OptsImage<'_>>, off: usize) -> u64 {
    o.map_or(0, |o| o.u64_at(off))
}

fn get_usize(o: Option<&OptsImage<'_>>, off: usize) -> usize {
    o.map_or(0, |o| o.usize_at(off))
}

fn get_u32(o: Option<&OptsImage<'_>>, off: usize) -> u32 {
    o.map_or(0, |o| o.u32_at(off))
}

/// The C string's address for the kernel (0 for NULL).
fn addr(s: Option<&CStr>) -> u64 {
    s.map_or(0, |s| s.as_ptr() as u64)
}

/// `%s` of a NULL string, as glibc prints it.
fn bytes_or_null(s: Option<&CStr>) -> &[u8] {
    s.map_or(b"(null)", CStr::to_bytes)
}

// -------------------------------------------------------------- sysfs

/// `parse_uint_from_file(file, fmt)`: the value, or a negative errno
/// (with libbpf's debug messages). The value itself may be negative.
#[inline(never)]
pub fn parse_uint_from_file(
    h: &dyn ProbeHost,
    path: &CStr,
    fmt: UintFormat,
    log: &mut dyn AttachLog,
) -> i32 {
    let mut buf = [0u8; 256];
    let n = match h.read_small_file(path, &mut buf) {
        Ok(n) => n,
        Err(e) => {
            log.msg(Msg::OpenFileFailed {
                path,
                err: e.negated(),
            });
            return e.negated();
        }
    };
    let scanned = text::scan_uint(buf.get(..n).unwrap_or(&[]), fmt);
    let r = text::parse_uint_result(scanned, h.errno());
    if !matches!(scanned, Scanned::Value(_)) {
        log.msg(Msg::ParseFileFailed { path, err: r });
    }
    r
}

fn determine_perf_type(h: &dyn ProbeHost, uprobe: bool, log: &mut dyn AttachLog) -> i32 {
    let file = if uprobe {
        text::UPROBE_TYPE
    } else {
        text::KPROBE_TYPE
    };
    parse_uint_from_file(h, file, UintFormat::Int, log)
}

fn determine_retprobe_bit(h: &dyn ProbeHost, uprobe: bool, log: &mut dyn AttachLog) -> i32 {
    let file = if uprobe {
        text::UPROBE_RETPROBE
    } else {
        text::KPROBE_RETPROBE
    };
    parse_uint_from_file(h, file, UintFormat::ConfigBit, log)
}

// ------------------------------------------------------ perf link feature

/// `BPF_PROG_TYPE_TRACEPOINT`.
const PROG_TYPE_TRACEPOINT: u32 = 5;
/// `offsetofend(union bpf_attr, keyring_id)`: what libbpf 1.7.0's
/// `bpf_prog_load` passes.
pub const PROG_LOAD_SIZE: usize = 168;
/// `PROG_LOAD_ATTEMPTS`: `EAGAIN` is retried up to this many tries.
const PROG_LOAD_ATTEMPTS: u32 = 5;
/// `r0 = 0; exit`.
static PROBE_INSNS: [u8; 16] = [0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0];
static GPL: &CStr = c"GPL";

/// The `BPF_PROG_LOAD` image of libbpf's perf link probe: a two-instruction
/// tracepoint program, license "GPL", no name, no token.
pub fn probe_prog_load_attr(insns_addr: u64, license_addr: u64) -> AttrImage<PROG_LOAD_SIZE> {
    let mut a = AttrImage::<PROG_LOAD_SIZE>::default();
    a.put_u32(0, PROG_TYPE_TRACEPOINT);
    a.put_u32(4, 2);
    a.put_u64(8, insns_addr);
    a.put_u64(16, license_addr);
    a
}

/// libbpf's `probe_perf_link`: load the probe program, try a perf link on
/// fd -1; `EBADF` means perf links exist (any other answer: they do not).
/// A program that cannot be loaded is an error (the caller warns).
#[inline(never)]
pub fn probe_perf_link<K: Kernel + ?Sized>(k: &K, log: &mut dyn Log) -> Result<bool> {
    let mut attempts = PROG_LOAD_ATTEMPTS;
    let prog_fd = loop {
        let mut attr = probe_prog_load_attr(PROBE_INSNS.as_ptr() as u64, GPL.as_ptr() as u64);
        // SAFETY: the image holds the addresses of two statics: the
        // instructions (insn_cnt 2 × 8 bytes) and a C string.
        match unsafe { bpf_fd(k, cmd::PROG_LOAD, attr.as_mut_bytes(), log) } {
            Err(Errno(libc::EAGAIN)) if attempts > 1 => attempts -= 1,
            r => break r?,
        }
    };
    // SAFETY: NULL opts: no address in the attr.
    let link = unsafe { link_create::link_create(k, prog_fd, -1, attach::PERF_EVENT, None, log) };
    if let Ok(fd) = link {
        // SAFETY: the fd was just made for this probe.
        unsafe { k.close(fd) };
    }
    // SAFETY: as above.
    unsafe { k.close(prog_fd) };
    Ok(link == Err(Errno::EBADF))
}

/// `kernel_supports(obj, FEAT_PERF_LINK)`: probed once per process.
#[inline(never)]
pub fn perf_link_supported(h: &dyn ProbeHost, log: &mut dyn AttachLog, wlog: &mut dyn Log) -> bool {
    let cache = h.perf_link_feature();
    match cache.load(Ordering::Relaxed) {
        1 => return true,
        2 => return false,
        _ => {}
    }
    let supported = match probe_perf_link(h, wlog) {
        Ok(s) => s,
        Err(e) => {
            log.msg(Msg::FeatureProbeFailed {
                feature: c"BPF perf link support",
                err: e.negated(),
            });
            false
        }
    };
    cache.store(if supported { 1 } else { 2 }, Ordering::Relaxed);
    supported
}

// ------------------------------------------------------------ perf_event

/// The decoded `struct bpf_perf_event_opts`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PerfEventArgs {
    pub cookie: u64,
    pub force_ioctl_attach: bool,
    pub dont_enable: bool,
}

impl PerfEventArgs {
    /// OPTS_GET of every field.
    pub fn from_opts(o: Option<&OptsImage<'_>>) -> PerfEventArgs {
        PerfEventArgs {
            cookie: get_u64(o, peo::BPF_COOKIE),
            force_ioctl_attach: get_bool(o, peo::FORCE_IOCTL_ATTACH),
            dont_enable: get_bool(o, peo::DONT_ENABLE),
        }
    }
}

/// `bpf_link_create(prog_fd, pfd, BPF_PERF_EVENT, &opts)` with libbpf's
/// `DECLARE_LIBBPF_OPTS(bpf_link_create_opts, .perf_event.bpf_cookie)`.
fn perf_link_create<K: Kernel + ?Sized>(
    k: &K,
    prog_fd: i32,
    pfd: i32,
    cookie: u64,
    log: &mut dyn Log,
) -> Result<i32> {
    let mut head = [0u8; MAX_OPTS_SIZE];
    let sz = LINK_CREATE_OPTS.size;
    if let Some(d) = head.get_mut(..8) {
        d.copy_from_slice(&sz.to_ne_bytes());
    }
    if let Some(d) = head.get_mut(lco::PERF_BPF_COOKIE..lco::PERF_BPF_COOKIE + 8) {
        d.copy_from_slice(&cookie.to_ne_bytes());
    }
    let image = OptsImage::from_array(LINK_CREATE_OPTS, sz, head, &ZeroTail);
    // SAFETY: the perf_event arm holds a cookie, no address.
    unsafe { link_create::link_create(k, prog_fd, pfd, attach::PERF_EVENT, Some(&image), log) }
}

/// `bpf_program__attach_perf_event_opts` after OPTS_VALID: attach
/// `prog_fd` to the perf event `pfd` (which stays the caller's on failure).
#[inline(never)]
pub fn attach_perf_event_args(
    h: &dyn ProbeHost,
    prog_fd: i32,
    pfd: i32,
    args: PerfEventArgs,
    log: &mut dyn AttachLog,
    wlog: &mut dyn Log,
) -> Result<PerfLinkParts> {
    if pfd < 0 {
        log.msg(Msg::InvalidPerfFd { prog: prog_fd, pfd });
        return Err(Errno::EINVAL);
    }
    if prog_fd < 0 {
        log.msg(Msg::NoProgFd { prog: prog_fd });
        return Err(Errno::EINVAL);
    }
    h.reserve_link(true)?;
    let mut link_fd = -1;
    let r = (|| {
        if perf_link_supported(h, log, wlog) && !args.force_ioctl_attach {
            match perf_link_create(h, prog_fd, pfd, args.cookie, wlog) {
                Ok(fd) => link_fd = fd,
                Err(e) => {
                    log.msg(Msg::PerfLinkFailed {
                        prog: prog_fd,
                        pfd,
                        err: e.negated(),
                    });
                    return Err(e);
                }
            }
        } else {
            if args.cookie != 0 {
                log.msg(Msg::CookieUnsupported { prog: prog_fd });
                return Err(Errno::EOPNOTSUPP);
            }
            if let Err(e) = h.perf_ioctl(pfd, perf::IOC_SET_BPF, prog_fd) {
                log.msg(Msg::SetBpfFailed {
                    prog: prog_fd,
                    pfd,
                    err: e.negated(),
                });
                if e == Errno(libc::EPROTO) {
                    log.msg(Msg::SetBpfCallchain { prog: prog_fd, pfd });
                }
                return Err(e);
            }
        }
        if !args.dont_enable {
            if let Err(e) = h.perf_ioctl(pfd, perf::IOC_ENABLE, 0) {
                log.msg(Msg::EnableFailed {
                    prog: prog_fd,
                    pfd,
                    err: e.negated(),
                });
                return Err(e);
            }
        }
        Ok(())
    })();
    match r {
        Ok(()) => Ok(PerfLinkParts {
            link_fd: if link_fd >= 0 { link_fd } else { pfd },
            perf_fd: pfd,
            legacy: None,
        }),
        Err(e) => {
            if link_fd >= 0 {
                // SAFETY: the link fd was made by this call.
                unsafe { h.close(link_fd) };
            }
            Err(e)
        }
    }
}

/// `bpf_program__attach_perf_event_opts(prog, pfd, opts)`.
#[inline(never)]
pub fn attach_perf_event(
    h: &dyn ProbeHost,
    prog_fd: i32,
    pfd: i32,
    opts: Option<&OptsImage<'_>>,
    log: &mut dyn AttachLog,
    wlog: &mut dyn Log,
) -> Result<PerfLinkParts> {
    validate(opts, wlog)?;
    attach_perf_event_args(h, prog_fd, pfd, PerfEventArgs::from_opts(opts), log, wlog)
}

/// `perf_link_detach` of a `struct bpf_link_perf`: disable the event
/// (its error is remembered), close the perf fd (if it is not the link fd)
/// and the link fd, then remove the legacy probe (its result wins).
#[inline(never)]
pub fn perf_link_detach(
    h: &dyn ProbeHost,
    link_fd: i32,
    perf_fd: i32,
    legacy: Option<(&[u8], bool, bool)>,
) -> i32 {
    let mut err = 0;
    if let Err(e) = h.perf_ioctl(perf_fd, perf::IOC_DISABLE, 0) {
        err = e.negated();
    }
    // SAFETY: (both) the link owns these fds and is being destroyed.
    unsafe {
        if perf_fd != link_fd {
            h.close(perf_fd);
        }
        h.close(link_fd);
    }
    if let Some((name, kprobe, retprobe)) = legacy {
        err = match remove_legacy(h, name, !kprobe, retprobe) {
            Ok(()) => 0,
            Err(e) => e.negated(),
        };
    }
    err
}

// ---------------------------------------------------------- probe events

/// `perf_event_open`, then the fd moved above stdio if the kernel handed
/// out 0, 1 or 2 (bpflink's fd hygiene, as for every fd it creates; libbpf
/// keeps such a perf fd as it is).
///
/// # Safety
/// As for [`ProbeHost::perf_event_open`].
unsafe fn open_perf(h: &dyn ProbeHost, attr: &mut PerfAttr, pid: i32, cpu: i32) -> Result<i32> {
    // SAFETY: forwarded from this function's contract.
    let fd = unsafe { h.perf_event_open(attr, pid, cpu) }?;
    super::kernel::ensure_good_fd(h, fd, &mut super::opts::Silent)
}

#[allow(clippy::too_many_arguments)]
/// `perf_event_open_probe`: a kprobe/uprobe PMU event, or a negative errno.
/// `name` is the function (kprobe) or binary path (uprobe).
#[inline(never)]
fn perf_event_open_probe(
    h: &dyn ProbeHost,
    uprobe: bool,
    retprobe: bool,
    name: Option<&CStr>,
    offset: u64,
    pid: i32,
    ref_ctr_off: usize,
    log: &mut dyn AttachLog,
) -> i32 {
    if (ref_ctr_off as u64) >= (1u64 << perf::REF_CTR_OFFSET_SHIFT) {
        return Errno::EINVAL.negated();
    }
    let ty = determine_perf_type(h, uprobe, log);
    if ty < 0 {
        log.msg(Msg::PerfTypeFailed { uprobe, err: ty });
        return ty;
    }
    let mut bit = None;
    if retprobe {
        let b = determine_retprobe_bit(h, uprobe, log);
        if b < 0 {
            log.msg(Msg::RetprobeBitFailed { uprobe, err: b });
            return b;
        }
        bit = Some(b);
    }
    let Ok(mut attr) = perf::probe_attr(ty, bit, ref_ctr_off, addr(name), offset) else {
        return Errno::EINVAL.negated();
    };
    let (pid, cpu) = perf::probe_pid_cpu(pid);
    // SAFETY: config1 is `name`'s address, a C string alive for the call.
    match unsafe { open_perf(h, &mut attr, pid, cpu) } {
        Ok(fd) => fd,
        Err(e) => e.negated(),
    }
}

/// Removes the legacy tracefs probe `name` (a uprobe or a kprobe) from
/// its `*_events` file, as libbpf's `remove_{k,u}probe_event_legacy`.
#[inline(never)]
pub fn remove_legacy(h: &dyn ProbeHost, name: &[u8], uprobe: bool, retprobe: bool) -> Result<()> {
    let file = text::probe_events_file(h.use_debugfs(), uprobe);
    let line = text::remove_line(name, uprobe, retprobe)?;
    h.append_to_file(file.as_c_str(), line.as_bytes())
}

#[allow(clippy::too_many_arguments)]
/// `perf_event_{k,u}probe_open_legacy`: add the tracefs probe, read its
/// id, open it as a tracepoint event; the probe is removed again on
/// failure.
#[inline(never)]
fn legacy_open(
    h: &dyn ProbeHost,
    uprobe: bool,
    name: &[u8],
    retprobe: bool,
    target: Option<&CStr>,
    offset: usize,
    pid: i32,
    log: &mut dyn AttachLog,
) -> i32 {
    let target_bytes = bytes_or_null(target);
    let target_c = target.unwrap_or(c"(null)");
    let file = text::probe_events_file(h.use_debugfs(), uprobe);
    let added = if uprobe {
        text::uprobe_add_line(name, retprobe, target_bytes, offset)
    } else {
        text::kprobe_add_line(name, retprobe, target_bytes, offset)
    }
    .and_then(|line| h.append_to_file(file.as_c_str(), line.as_bytes()));
    if let Err(e) = added {
        log.msg(Msg::LegacyAddFailed {
            uprobe,
            target: target_c,
            offset,
            err: e.negated(),
        });
        return e.negated();
    }
    let id_path = text::legacy_id_path(h.use_debugfs(), uprobe, retprobe, name);
    let ty = parse_uint_from_file(h, id_path.as_c_str(), UintFormat::Int, log);
    let err = if ty < 0 {
        log.msg(Msg::LegacyIdFailed {
            uprobe,
            target: target_c,
            offset,
            err: ty,
        });
        ty
    } else {
        let mut attr = perf::tracepoint_attr(ty);
        let (pid, cpu) = perf::probe_pid_cpu(pid);
        // SAFETY: a tracepoint attr holds no address.
        match unsafe { open_perf(h, &mut attr, pid, cpu) } {
            Ok(fd) => return fd,
            Err(e) => {
                log.msg(Msg::LegacyOpenFailed {
                    uprobe,
                    err: e.negated(),
                });
                e.negated()
            }
        }
    };
    let _ = remove_legacy(h, name, uprobe, retprobe);
    err
}

/// What kprobe and uprobe attach share once the target is known.
struct ProbeTarget<'a> {
    uprobe: bool,
    retprobe: bool,
    /// The function (kprobe) or the binary's path (uprobe).
    target: Option<&'a CStr>,
    /// For a legacy event name: the function, or the path from its last `/`.
    name_part: &'a [u8],
    offset: usize,
    pid: i32,
    ref_ctr_off: usize,
    attach_mode: u32,
    cookie: u64,
}

/// The second half of `bpf_program__attach_{k,u}probe_opts`: the attach
/// mode, the perf event (PMU or legacy), the perf link, the messages.
#[inline(never)]
fn attach_probe(
    h: &dyn ProbeHost,
    prog_fd: i32,
    t: ProbeTarget<'_>,
    log: &mut dyn AttachLog,
    wlog: &mut dyn Log,
) -> Result<PerfLinkParts> {
    let mut pe = PerfEventArgs {
        cookie: t.cookie,
        ..PerfEventArgs::default()
    };
    let mut legacy = determine_perf_type(h, t.uprobe, log) < 0;
    match t.attach_mode {
        attach_mode::LEGACY => {
            legacy = true;
            pe.force_ioctl_attach = true;
        }
        attach_mode::PERF => {
            if legacy {
                return Err(ENOTSUP);
            }
            pe.force_ioctl_attach = true;
        }
        attach_mode::LINK => {
            if legacy || !perf_link_supported(h, log, wlog) {
                return Err(ENOTSUP);
            }
        }
        attach_mode::DEFAULT => {}
        _ => return Err(Errno::EINVAL),
    }
    let mut probe_name = None;
    let pfd = if !legacy {
        perf_event_open_probe(
            h,
            t.uprobe,
            t.retprobe,
            t.target,
            t.offset as u64,
            t.pid,
            t.ref_ctr_off,
            log,
        )
    } else {
        if t.uprobe && t.ref_ctr_off != 0 {
            return Err(Errno::EINVAL);
        }
        let name = text::legacy_event_name(
            h.getpid() as u32,
            h.next_legacy_index(),
            t.name_part,
            t.offset,
        );
        h.reserve_name(name.as_c_str())?;
        probe_name = Some(name);
        legacy_open(
            h,
            t.uprobe,
            name.as_bytes(),
            t.retprobe,
            t.target,
            t.offset,
            t.pid,
            log,
        )
    };
    let target = t.target.unwrap_or(c"(null)");
    if pfd < 0 {
        let err = -h.errno();
        log.msg(Msg::ProbeCreateFailed {
            prog: prog_fd,
            uprobe: t.uprobe,
            retprobe: t.retprobe,
            target,
            offset: t.offset,
            err,
        });
        return Err(Errno(-err));
    }
    match attach_perf_event_args(h, prog_fd, pfd, pe, log, wlog) {
        Ok(mut parts) => {
            parts.legacy = probe_name.map(|name| LegacyProbe {
                name,
                kprobe: !t.uprobe,
                retprobe: t.retprobe,
            });
            Ok(parts)
        }
        Err(e) => {
            // SAFETY: the perf fd was opened by this call.
            unsafe { h.close(pfd) };
            log.msg(Msg::ProbeAttachFailed {
                prog: prog_fd,
                uprobe: t.uprobe,
                retprobe: t.retprobe,
                target,
                offset: t.offset,
                err: e.negated(),
            });
            if let Some(name) = probe_name {
                let _ = remove_legacy(h, name.as_bytes(), t.uprobe, t.retprobe);
            }
            Err(e)
        }
    }
}

/// `bpf_program__attach_kprobe_opts(prog, func_name, opts)`.
#[inline(never)]
pub fn attach_kprobe(
    h: &dyn ProbeHost,
    prog_fd: i32,
    func_name: Option<&CStr>,
    opts: Option<&OptsImage<'_>>,
    log: &mut dyn AttachLog,
    wlog: &mut dyn Log,
) -> Result<PerfLinkParts> {
    validate(opts, wlog)?;
    let t = ProbeTarget {
        uprobe: false,
        retprobe: get_bool(opts, ko::RETPROBE),
        target: func_name,
        name_part: bytes_or_null(func_name),
        offset: get_usize(opts, ko::OFFSET),
        pid: -1,
        ref_ctr_off: 0,
        attach_mode: get_u32(opts, ko::ATTACH_MODE),
        cookie: get_u64(opts, ko::BPF_COOKIE),
    };
    attach_probe(h, prog_fd, t, log, wlog)
}

/// `resolve_full_path` with libbpf's messages' inputs: the environment
/// variable it reads, the debug line on success, and the attacher's
/// warning (naming `prog_fd`) on failure.
#[inline(never)]
fn resolve_full_path(
    h: &dyn ProbeHost,
    prog_fd: i32,
    file: &CStr,
    log: &mut dyn AttachLog,
) -> Result<FixedStr<PATH_MAX>> {
    let var = if text::is_library_name(file.to_bytes()) {
        c"LD_LIBRARY_PATH"
    } else {
        c"PATH"
    };
    let env = h.search_env(var).map(CStr::to_bytes);
    let search = text::search_for(file.to_bytes(), env);
    let found = text::resolve_full_path(file.to_bytes(), &search, &mut |p, mode| {
        h.accessible(p, mode)
    })
    .inspect_err(|e| {
        log.msg(Msg::ResolveFailed {
            prog: prog_fd,
            file,
            err: e.negated(),
        })
    })?;
    log.msg(Msg::Resolved {
        file,
        path: found.as_c_str(),
    });
    Ok(found)
}

/// `elf_find_func_offset_from_file`: open, read, search; the offset or a
/// negative errno.
#[inline(never)]
fn find_func_offset_in_file(
    h: &dyn ProbeHost,
    path: &CStr,
    name: &CStr,
    log: &mut dyn AttachLog,
) -> i64 {
    let mut ret = 0i64;
    let r = h.with_file(path, &mut |data| {
        let file = ElfFile::parse(data);
        ret = match file.open_error() {
            Some(e) => {
                log.msg(Msg::ElfReadFailed {
                    path,
                    reason: e.reason(),
                });
                elf_sym::ERRNO_FORMAT.negated().into()
            }
            None => elf_sym::find_func_offset(&file, path, name, log),
        };
    });
    match r {
        Ok(()) => ret,
        Err(e) => elf_file_error(path, e, log).negated().into(),
    }
}

/// The messages and errors of `elf_open`.
fn elf_file_error(path: &CStr, e: FileError, log: &mut dyn AttachLog) -> Errno {
    match e {
        FileError::Open(e) => {
            log.msg(Msg::ElfOpenFailed {
                path,
                err: e.negated(),
            });
            e
        }
        FileError::Read(_) => {
            log.msg(Msg::ElfReadFailed {
                path,
                reason: c"cannot read the file",
            });
            elf_sym::ERRNO_FORMAT
        }
    }
}

/// `bpf_program__attach_uprobe_opts(prog, pid, binary_path, func_offset,
/// opts)`.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub fn attach_uprobe(
    h: &dyn ProbeHost,
    prog_fd: i32,
    pid: i32,
    binary_path: Option<&CStr>,
    func_offset: usize,
    func_name: Option<&CStr>,
    opts: Option<&OptsImage<'_>>,
    log: &mut dyn AttachLog,
    wlog: &mut dyn Log,
) -> Result<PerfLinkParts> {
    validate(opts, wlog)?;
    let attach_mode = get_u32(opts, uo::ATTACH_MODE);
    let retprobe = get_bool(opts, uo::RETPROBE);
    let ref_ctr_off = get_usize(opts, uo::REF_CTR_OFFSET);
    let cookie = get_u64(opts, uo::BPF_COOKIE);
    let Some(given) = binary_path else {
        return Err(Errno::EINVAL);
    };
    if given.to_bytes().windows(2).any(|w| w == b"!/") {
        log.msg(Msg::ArchiveUnsupported {
            prog: prog_fd,
            path: given,
        });
        return Err(Errno::EOPNOTSUPP);
    }
    let full;
    let path: &CStr = if !given.to_bytes().contains(&b'/') {
        full = resolve_full_path(h, prog_fd, given, log)?;
        full.as_c_str()
    } else {
        given
    };
    let mut func_offset = func_offset;
    if let Some(name) = func_name {
        let sym_off = find_func_offset_in_file(h, path, name, log);
        if sym_off < 0 {
            return Err(Errno((-sym_off) as i32));
        }
        func_offset = func_offset.wrapping_add(sym_off as usize);
    }
    let bytes = path.to_bytes();
    let name_part = match bytes.iter().rposition(|&b| b == b'/') {
        Some(i) => bytes.get(i..).unwrap_or(bytes),
        None => bytes,
    };
    let t = ProbeTarget {
        uprobe: true,
        retprobe,
        target: Some(path),
        name_part,
        offset: func_offset,
        pid,
        ref_ctr_off,
        attach_mode,
        cookie,
    };
    attach_probe(h, prog_fd, t, log, wlog)
}

/// `func_name` of a `struct bpf_uprobe_opts` (an address the caller turns
/// into a C string).
pub fn uprobe_func_name_addr(opts: Option<&OptsImage<'_>>) -> usize {
    get_usize(opts, uo::FUNC_NAME)
}

// ----------------------------------------------------------- tracepoints

/// `bpf_program__attach_tracepoint_opts(prog, category, name, opts)`.
#[inline(never)]
pub fn attach_tracepoint(
    h: &dyn ProbeHost,
    prog_fd: i32,
    category: Option<&CStr>,
    name: Option<&CStr>,
    opts: Option<&OptsImage<'_>>,
    log: &mut dyn AttachLog,
    wlog: &mut dyn Log,
) -> Result<PerfLinkParts> {
    validate(opts, wlog)?;
    let pe = PerfEventArgs {
        cookie: get_u64(opts, tpo::BPF_COOKIE),
        ..PerfEventArgs::default()
    };
    let cat = category.unwrap_or(c"(null)");
    let nm = name.unwrap_or(c"(null)");
    let pfd = (|| {
        let path = match text::tracepoint_id_path(
            h.use_debugfs(),
            bytes_or_null(category),
            bytes_or_null(name),
        ) {
            Ok(p) => p,
            Err(e) => {
                log.msg(Msg::TracepointPathTooLong {
                    category: cat,
                    name: nm,
                });
                log.msg(Msg::TracepointIdFailed {
                    category: cat,
                    name: nm,
                    err: e.negated(),
                });
                return e.negated();
            }
        };
        let id = parse_uint_from_file(h, path.as_c_str(), UintFormat::Int, log);
        if id < 0 {
            log.msg(Msg::TracepointIdFailed {
                category: cat,
                name: nm,
                err: id,
            });
            return id;
        }
        let mut attr = perf::tracepoint_attr(id);
        // SAFETY: a tracepoint attr holds no address.
        match unsafe { open_perf(h, &mut attr, -1, 0) } {
            Ok(fd) => fd,
            Err(e) => {
                log.msg(Msg::TracepointOpenFailed {
                    category: cat,
                    name: nm,
                    err: e.negated(),
                });
                e.negated()
            }
        }
    })();
    if pfd < 0 {
        log.msg(Msg::TracepointCreateFailed {
            prog: prog_fd,
            category: cat,
            name: nm,
            err: pfd,
        });
        return Err(Errno(-pfd));
    }
    match attach_perf_event_args(h, prog_fd, pfd, pe, log, wlog) {
        Ok(parts) => Ok(parts),
        Err(e) => {
            // SAFETY: the perf fd was opened by this call.
            unsafe { h.close(pfd) };
            log.msg(Msg::TracepointAttachFailed {
                prog: prog_fd,
                category: cat,
                name: nm,
                err: e.negated(),
            });
            Err(e)
        }
    }
}

// ---------------------------------------------------------- uprobe_multi

/// The caller's `syms` array of a `struct bpf_uprobe_multi_opts`, read by
/// the C layer (the core cannot follow pointers).
pub trait SymNames {
    /// `syms[i]` as a C string; `None` for a NULL entry (libbpf would
    /// crash in `strcmp`; bpflink answers `EINVAL`).
    fn name(&self, i: usize) -> Option<&CStr>;
}

/// The decoded `struct bpf_uprobe_multi_opts` fields that are addresses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UprobeMultiArrays {
    pub syms: usize,
    pub offsets: usize,
    pub ref_ctr_offsets: usize,
    pub cookies: usize,
    pub cnt: usize,
}

/// OPTS_GET of the arrays of a `struct bpf_uprobe_multi_opts`.
pub fn uprobe_multi_arrays(o: Option<&OptsImage<'_>>) -> UprobeMultiArrays {
    UprobeMultiArrays {
        syms: get_usize(o, umo::SYMS),
        offsets: get_usize(o, umo::OFFSETS),
        ref_ctr_offsets: get_usize(o, umo::REF_CTR_OFFSETS),
        cookies: get_usize(o, umo::COOKIES),
        cnt: get_usize(o, umo::CNT),
    }
}

/// `BPF_LINK_CREATE` of a multi link with libbpf's `LIBBPF_OPTS`
/// (sz = 80) and the given union member bytes.
///
/// # Safety
/// The addresses in `fields` are valid for the kernel to read.
#[inline(never)]
unsafe fn multi_link_create<K: Kernel + ?Sized>(
    k: &K,
    prog_fd: i32,
    attach_type: u32,
    fields: &[(usize, u64, usize)],
    log: &mut dyn Log,
) -> Result<i32> {
    let mut head = [0u8; MAX_OPTS_SIZE];
    let sz = LINK_CREATE_OPTS.size;
    if let Some(d) = head.get_mut(..8) {
        d.copy_from_slice(&sz.to_ne_bytes());
    }
    for &(off, v, width) in fields {
        let bytes = v.to_ne_bytes();
        if let (Some(d), Some(s)) = (head.get_mut(off..off + width), bytes.get(..width)) {
            d.copy_from_slice(s);
        }
    }
    let image = OptsImage::from_array(LINK_CREATE_OPTS, sz, head, &ZeroTail);
    // SAFETY: forwarded from this function's contract.
    unsafe { link_create::link_create(k, prog_fd, 0, attach_type, Some(&image), log) }
}

/// `bpf_program__attach_uprobe_multi(prog, pid, path, func_pattern, opts)`:
/// the new link's fd (a plain link).
///
/// # Safety
/// The arrays in `opts` (`offsets`, `ref_ctr_offsets`, `cookies`: `cnt`
/// entries each) are valid for the kernel to read; `syms` is read through
/// `names`.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub unsafe fn attach_uprobe_multi(
    h: &dyn ProbeHost,
    prog_fd: i32,
    pid: i32,
    path: Option<&CStr>,
    func_pattern: Option<&CStr>,
    opts: Option<&OptsImage<'_>>,
    names: &dyn SymNames,
    log: &mut dyn AttachLog,
    wlog: &mut dyn Log,
) -> Result<i32> {
    validate(opts, wlog)?;
    if prog_fd < 0 {
        log.msg(Msg::NoProgFd { prog: prog_fd });
        return Err(Errno::EINVAL);
    }
    let a = uprobe_multi_arrays(opts);
    let retprobe = get_bool(opts, umo::RETPROBE);
    let session = get_bool(opts, umo::SESSION);
    let Some(given) = path else {
        return Err(Errno::EINVAL);
    };
    if func_pattern.is_none() && a.cnt == 0 {
        return Err(Errno::EINVAL);
    }
    if func_pattern.is_some() {
        if a.syms != 0 || a.offsets != 0 || a.ref_ctr_offsets != 0 || a.cookies != 0 || a.cnt != 0 {
            return Err(Errno::EINVAL);
        }
    } else if (a.syms != 0) == (a.offsets != 0) {
        return Err(Errno::EINVAL);
    }
    if retprobe && session {
        return Err(Errno::EINVAL);
    }
    let full;
    let mut path = given;
    let mut resolved = CBuf::new();
    let mut order = CBuf::new();
    let mut offsets_addr = a.offsets;
    let mut cnt = a.cnt;
    if let Some(pattern) = func_pattern {
        if !given.to_bytes().contains(&b'/') {
            full = resolve_full_path(h, prog_fd, given, log)?;
            path = full.as_c_str();
        }
        with_elf(h, path, log, &mut |file, log| {
            elf_sym::resolve_pattern_offsets(file, path, pattern, &mut resolved, log)
        })?;
        offsets_addr = resolved.as_slice().as_ptr() as usize;
        cnt = resolved.as_slice().len();
    } else if a.syms != 0 {
        // `elf_resolve_syms_offsets(path, cnt, …)` takes an int count.
        let n = cnt as i32;
        if n < 0 {
            return Err(Errno::ENOMEM);
        }
        with_elf(h, path, log, &mut |file, log| {
            let n = n as usize;
            if (0..n).any(|i| names.name(i).is_none()) {
                return Err(Errno::EINVAL);
            }
            let name_of = |i: usize| names.name(i).unwrap_or(c"");
            elf_sym::resolve_syms_offsets(
                file,
                path,
                n,
                &name_of,
                elf::abi::STT_FUNC,
                &mut resolved,
                &mut order,
                log,
            )
        })?;
        offsets_addr = resolved.as_slice().as_ptr() as usize;
    }
    let attach_type = if session {
        attach::TRACE_UPROBE_SESSION
    } else {
        attach::TRACE_UPROBE_MULTI
    };
    let pid = if pid == 0 { h.getpid() } else { pid };
    let flags = if retprobe {
        flags::BPF_F_UPROBE_MULTI_RETURN
    } else {
        0
    };
    h.reserve_link(false)?;
    let fields = [
        (lco::UMULTI_PATH, path.as_ptr() as u64, 8),
        (lco::UMULTI_OFFSETS, offsets_addr as u64, 8),
        (lco::UMULTI_REF_CTR_OFFSETS, a.ref_ctr_offsets as u64, 8),
        (lco::UMULTI_COOKIES, a.cookies as u64, 8),
        (lco::UMULTI_CNT, cnt as u32 as u64, 4),
        (lco::UMULTI_FLAGS, u64::from(flags), 4),
        (
            lco::UMULTI_PID,
            if pid > 0 { pid as u32 as u64 } else { 0 },
            4,
        ),
    ];
    // SAFETY: the path is a live C string, the offsets are the caller's
    // (contract) or ours (`resolved`, alive until we return), and the
    // other arrays are the caller's (contract).
    match unsafe { multi_link_create(h, prog_fd, attach_type, &fields, wlog) } {
        Ok(fd) => Ok(fd),
        Err(e) => {
            log.msg(Msg::UprobeMultiFailed {
                prog: prog_fd,
                err: e.negated(),
            });
            Err(e)
        }
    }
}

/// `elf_open` + `f` + `elf_close`.
#[inline(never)]
fn with_elf(
    h: &dyn ProbeHost,
    path: &CStr,
    log: &mut dyn AttachLog,
    f: &mut dyn FnMut(&ElfFile<'_>, &mut dyn AttachLog) -> Result<()>,
) -> Result<()> {
    let mut out = Ok(());
    let r = h.with_file(path, &mut |data| {
        let file = ElfFile::parse(data);
        out = match file.open_error() {
            Some(e) => {
                log.msg(Msg::ElfReadFailed {
                    path,
                    reason: e.reason(),
                });
                Err(elf_sym::ERRNO_FORMAT)
            }
            None => f(&file, log),
        };
    });
    match r {
        Ok(()) => out,
        Err(e) => Err(elf_file_error(path, e, log)),
    }
}

// ---------------------------------------------------------- kprobe_multi

/// The decoded arrays of a `struct bpf_kprobe_multi_opts`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KprobeMultiArrays {
    pub syms: usize,
    pub addrs: usize,
    pub cookies: usize,
    pub cnt: usize,
}

/// `bpf_program__attach_kprobe_multi_opts(prog, pattern, opts)`: the new
/// link's fd (a plain link).
///
/// # Safety
/// The arrays in `opts` (`syms`, `addrs`, `cookies`: `cnt` entries) are
/// valid for the kernel to read, and `pattern` outlives the call.
#[inline(never)]
pub unsafe fn attach_kprobe_multi(
    h: &dyn ProbeHost,
    prog_fd: i32,
    pattern: Option<&CStr>,
    opts: Option<&OptsImage<'_>>,
    log: &mut dyn AttachLog,
    wlog: &mut dyn Log,
) -> Result<i32> {
    validate(opts, wlog)?;
    if prog_fd < 0 {
        log.msg(Msg::NoProgFd { prog: prog_fd });
        return Err(Errno::EINVAL);
    }
    let a = KprobeMultiArrays {
        syms: get_usize(opts, kmo::SYMS),
        addrs: get_usize(opts, kmo::ADDRS),
        cookies: get_usize(opts, kmo::COOKIES),
        cnt: get_usize(opts, kmo::CNT),
    };
    let unique_match = get_bool(opts, kmo::UNIQUE_MATCH);
    if pattern.is_none() && a.addrs == 0 && a.syms == 0 {
        return Err(Errno::EINVAL);
    }
    if pattern.is_some() && (a.addrs != 0 || a.syms != 0 || a.cookies != 0 || a.cnt != 0) {
        return Err(Errno::EINVAL);
    }
    if pattern.is_none() && a.cnt == 0 {
        return Err(Errno::EINVAL);
    }
    if pattern.is_none() && unique_match {
        return Err(Errno::EINVAL);
    }
    if a.addrs != 0 && a.syms != 0 {
        return Err(Errno::EINVAL);
    }
    // `syms = &pattern`: one pointer the kernel reads.
    let pattern_ptr: [usize; 1] = [pattern.map_or(0, |p| p.as_ptr() as usize)];
    let mut res = CBuf::new();
    let (mut syms, mut addrs, mut cnt) = (a.syms, a.addrs, a.cnt);
    if let Some(p) = pattern {
        if !text::has_wildcard(p.to_bytes()) && !unique_match {
            syms = pattern_ptr.as_ptr() as usize;
            cnt = 1;
        } else {
            let use_addrs_file = h.access(
                text::filter_functions_file(h.use_debugfs(), true).as_c_str(),
                libc::R_OK,
            );
            if use_addrs_file {
                super::kallsyms::available_kprobes_parse(h, p, &mut res, log)?;
            } else {
                super::kallsyms::available_kallsyms_parse(h, p, &mut res, log)?;
            }
            if unique_match && res.as_slice().len() != 1 {
                log.msg(Msg::NotUnique {
                    prog: prog_fd,
                    pattern: p,
                    matches: res.as_slice().len(),
                });
                return Err(Errno::EINVAL);
            }
            addrs = res.as_slice().as_ptr() as usize;
            cnt = res.as_slice().len();
        }
    }
    let retprobe = get_bool(opts, kmo::RETPROBE);
    let session = get_bool(opts, kmo::SESSION);
    if retprobe && session {
        return Err(Errno::EINVAL);
    }
    let attach_type = if session {
        attach::TRACE_KPROBE_SESSION
    } else {
        attach::TRACE_KPROBE_MULTI
    };
    let flags = if retprobe {
        flags::BPF_F_KPROBE_MULTI_RETURN
    } else {
        0
    };
    h.reserve_link(false)?;
    let fields = [
        (lco::KMULTI_SYMS, syms as u64, 8),
        (lco::KMULTI_ADDRS, addrs as u64, 8),
        (lco::KMULTI_COOKIES, a.cookies as u64, 8),
        (lco::KMULTI_CNT, cnt as u32 as u64, 4),
        (lco::KMULTI_FLAGS, u64::from(flags), 4),
    ];
    // SAFETY: `syms` is the caller's array or `pattern_ptr` (alive here,
    // pointing at the caller's pattern), `addrs` the caller's or `res`
    // (alive until we return); the cookies are the caller's (contract).
    match unsafe { multi_link_create(h, prog_fd, attach_type, &fields, wlog) } {
        Ok(fd) => Ok(fd),
        Err(e) => {
            let e = if e == Errno(libc::ESRCH) {
                Errno::ENOENT
            } else {
                e
            };
            log.msg(Msg::MultiAttachFailed {
                prog: prog_fd,
                err: e.negated(),
            });
            Err(e)
        }
    }
}
