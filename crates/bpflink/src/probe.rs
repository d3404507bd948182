//! Attach by name: uprobes by symbol, tracepoints by name, kprobes,
//! uprobe_multi by pattern. The same core functions libbpflink's
//! `bpflink_attach_*` run (libbpf 1.7.0's `bpf_program__attach_*` rules,
//! symbol resolution, perf link or ioctl, legacy tracefs probes), with
//! Rust memory and errors that say what was not found.
//!
//! A perf-event based [`Link`] owns its perf event fd and, for a legacy
//! tracefs probe, the probe: dropping the link disables the event, closes
//! both fds and removes the probe.

use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use bpflink_core::abi::{
    self, kprobe as ko, perf_event as peo, tracepoint as tpo, uprobe as uo, uprobe_multi as umo,
};
use bpflink_core::attach::{self, PerfLinkParts, SymNames};
use bpflink_core::attach_host::SYS_PROBE;
use bpflink_core::attach_msg::{AttachLog, Level, Msg};
use bpflink_core::errno::Errno;
use bpflink_core::opts::Silent;

use super::error::{Error, Op, Result};
use super::link::Link;
use super::opts::OptsBytes;
use super::perf_owned::PerfOwned;

/// Keeps the first warning that says what was missing, for the error.
#[derive(Default)]
struct Why(Option<String>);

fn s(c: &CStr) -> String {
    c.to_string_lossy().into_owned()
}

impl AttachLog for Why {
    fn msg(&mut self, m: Msg<'_>) {
        if self.0.is_some() || m.level() != Level::Warn {
            return;
        }
        self.0 = match m {
            Msg::ElfNotFound { name, path } => {
                Some(format!("no function '{}' in {}", s(name), s(path)))
            }
            // libbpf's "is 0 in symtab" also covers "not in .symtab at all".
            Msg::ElfZero { name, path, .. } => Some(format!(
                "no function '{}' in {} (or only an undefined one, address 0)",
                s(name),
                s(path)
            )),
            Msg::ElfAmbiguous { name, path, .. } => {
                Some(format!("'{}' is ambiguous in {}", s(name), s(path)))
            }
            Msg::ElfOpenFailed { path, .. } => Some(format!("cannot open {}", s(path))),
            Msg::ElfReadFailed { path, reason } | Msg::ElfNoEhdr { path, reason } => {
                Some(format!("{}: {}", s(path), s(reason)))
            }
            Msg::ResolveFailed { file, .. } => Some(format!(
                "'{}' not found in the library or program search path",
                s(file)
            )),
            Msg::TracepointIdFailed { category, name, .. } => Some(format!(
                "tracepoint {}/{} not found (is tracefs mounted on /sys/kernel/tracing?)",
                s(category),
                s(name)
            )),
            Msg::LegacyAddFailed { .. } => {
                Some("no kprobe/uprobe PMU and no tracefs probe events file".into())
            }
            Msg::PerfTypeFailed { uprobe, .. } => Some(format!(
                "the kernel has no {} PMU",
                if uprobe { "uprobe" } else { "kprobe" }
            )),
            _ => None,
        };
    }
}

fn attach_error(kind: &'static str, e: Errno, why: Why) -> Error {
    // libbpf can answer 0 ("-errno" of a stale errno): report EINVAL.
    let errno = if e.0 == 0 { libc::EINVAL } else { e.0 };
    let err = Error::new(Op::Attach(kind), errno);
    match why.0 {
        Some(d) => err.with_detail(d),
        None => err,
    }
}

/// Turns the core's result into an owned [`Link`].
fn perf_link(parts: PerfLinkParts) -> Link {
    let (link_fd, perf) = PerfOwned::from_parts(parts);
    Link::with_perf(link_fd, perf)
}

fn cstring(op: Op, what: &'static str, bytes: &[u8]) -> Result<CString> {
    CString::new(bytes).map_err(|_| Error::invalid(op, what))
}

/// Where a uprobe's binary is: a path (with a `/`) as is; a name libbpf
/// can search for (`libc.so.6`, `bash`) as is; a bare library name
/// (`libc`, `c`, `ssl`) as the first `<name>.so.<N>` / `<name>.so` ELF
/// file in the library directories libbpf searches.
pub fn resolve_binary(target: &str) -> PathBuf {
    if target.contains('/') || bpflink_core::probe_text::is_library_name(target.as_bytes()) {
        return PathBuf::from(target);
    }
    let mut dirs: Vec<PathBuf> = std::env::var_os("LD_LIBRARY_PATH")
        .map(|v| std::env::split_paths(&v).collect())
        .unwrap_or_default();
    dirs.extend(["/usr/lib64", "/usr/lib", "/lib64", "/lib"].map(PathBuf::from));
    if let Some(d) = bpflink_core::probe_text::arch_lib_dir() {
        let d = Path::new(std::ffi::OsStr::from_bytes(d));
        dirs.push(d.to_path_buf());
        dirs.push(Path::new("/usr").join(d.strip_prefix("/").unwrap_or(d)));
    }
    let stems: Vec<String> = if target.starts_with("lib") {
        vec![target.to_owned()]
    } else {
        vec![format!("lib{target}"), target.to_owned()]
    };
    for stem in &stems {
        for dir in &dirs {
            let Ok(rd) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut hits: Vec<PathBuf> = rd
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                        n.strip_prefix(stem.as_str()).is_some_and(|rest| {
                            rest == ".so"
                                || rest.strip_prefix(".so.").is_some_and(|v| !v.is_empty())
                        })
                    })
                })
                .filter(|p| {
                    std::fs::read(p)
                        .map(|b| b.starts_with(b"\x7fELF"))
                        .unwrap_or(false)
                })
                .collect();
            hits.sort();
            // `libc.so.6` before the development symlink `libc.so`.
            hits.sort_by_key(|p| p.extension().is_some_and(|e| e == "so"));
            if let Some(p) = hits.into_iter().next() {
                return p;
            }
        }
    }
    PathBuf::from(target)
}

/// A uprobe target as libbpf's section names spell it,
/// `binary:function[+offset]` (`"libc.so.6:malloc"`, `"/bin/bash:readline+0x10"`),
/// or `binary:offset` (`"./app:0x1234"`): the binary, the function (if
/// any) and the offset. The offset is libbpf's `%li` (decimal, `0x` hex or
/// `0` octal); a `+…` that is not a whole number stays part of the name.
pub fn parse_uprobe_target(spec: &str) -> Result<(String, Option<String>, u64)> {
    const OP: Op = Op::Attach("uprobe");
    let Some((binary, rest)) = spec.rsplit_once(':') else {
        return Err(Error::invalid(
            OP,
            "expected BINARY:FUNCTION[+OFFSET] or BINARY:OFFSET",
        ));
    };
    if binary.is_empty() || rest.is_empty() {
        return Err(Error::invalid(
            OP,
            "expected BINARY:FUNCTION[+OFFSET] or BINARY:OFFSET",
        ));
    }
    fn number(s: &str) -> Option<u64> {
        let (neg, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
        let s = s.strip_prefix('+').unwrap_or(s);
        let v = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            u64::from_str_radix(h, 16).ok()?
        } else if s.len() > 1 && s.starts_with('0') {
            u64::from_str_radix(&s[1..], 8).ok()?
        } else {
            s.parse().ok()?
        };
        Some(if neg { v.wrapping_neg() } else { v })
    }
    if let Some(off) = number(rest) {
        return Ok((binary.to_owned(), None, off));
    }
    if let Some((func, off)) = rest.rsplit_once('+') {
        if let (false, Some(v)) = (func.is_empty(), number(off)) {
            return Ok((binary.to_owned(), Some(func.to_owned()), v));
        }
    }
    Ok((binary.to_owned(), Some(rest.to_owned()), 0))
}

// ------------------------------------------------------------------ uprobe

/// A uprobe or uretprobe on a user-space function: [`Link::uprobe`].
#[derive(Debug, Clone)]
pub struct UprobeLink<'a> {
    prog: BorrowedFd<'a>,
    target: String,
    func: Option<String>,
    offset: u64,
    pid: i32,
    retprobe: bool,
    cookie: u64,
    ref_ctr_offset: u64,
}

impl<'a> UprobeLink<'a> {
    pub(crate) fn new(prog: BorrowedFd<'a>, target: &str, func: Option<&str>) -> Self {
        UprobeLink {
            prog,
            target: target.to_owned(),
            func: func.map(str::to_owned),
            offset: 0,
            pid: -1,
            retprobe: false,
            cookie: 0,
            ref_ctr_offset: 0,
        }
    }

    /// Only fire in process `pid` (default: every process).
    pub fn pid(mut self, pid: i32) -> Self {
        self.pid = pid;
        self
    }

    /// A return probe.
    pub fn retprobe(mut self) -> Self {
        self.retprobe = true;
        self
    }

    /// An offset into the function (or, without a function name, the file
    /// offset itself).
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// The BPF cookie (`bpf_get_attach_cookie()`).
    pub fn cookie(mut self, cookie: u64) -> Self {
        self.cookie = cookie;
        self
    }

    /// The file offset of a USDT semaphore the kernel counts up while the
    /// probe is attached.
    pub fn ref_ctr_offset(mut self, off: u64) -> Self {
        self.ref_ctr_offset = off;
        self
    }

    /// Attaches (needs root). The link owns the perf event.
    pub fn create(&self) -> Result<Link> {
        const OP: Op = Op::Attach("uprobe");
        let path = resolve_binary(&self.target);
        let path = cstring(
            OP,
            "the binary path contains a NUL byte",
            path.as_os_str().as_bytes(),
        )?;
        let func = match &self.func {
            Some(f) => Some(cstring(
                OP,
                "the function name contains a NUL byte",
                f.as_bytes(),
            )?),
            None => None,
        };
        let mut opts = OptsBytes::new(abi::UPROBE_OPTS);
        opts.set_usize(uo::REF_CTR_OFFSET, self.ref_ctr_offset as usize)
            .set_u64(uo::BPF_COOKIE, self.cookie)
            .u8_at(uo::RETPROBE, u8::from(self.retprobe))
            .set_usize(
                uo::FUNC_NAME,
                func.as_ref().map_or(0, |f| f.as_ptr() as usize),
            );
        let image = opts.image();
        let mut why = Why::default();
        attach::attach_uprobe(
            &SYS_PROBE,
            self.prog.as_raw_fd(),
            self.pid,
            Some(&path),
            self.offset as usize,
            func.as_deref(),
            Some(&image),
            &mut why,
            &mut Silent,
        )
        .map(perf_link)
        .map_err(|e| attach_error("uprobe", e, why))
    }
}

// ------------------------------------------------------------------ kprobe

/// A kprobe or kretprobe on a kernel function: [`Link::kprobe`].
#[derive(Debug, Clone)]
pub struct KprobeLink<'a> {
    prog: BorrowedFd<'a>,
    func: String,
    offset: u64,
    retprobe: bool,
    cookie: u64,
}

impl<'a> KprobeLink<'a> {
    pub(crate) fn new(prog: BorrowedFd<'a>, func: &str) -> Self {
        KprobeLink {
            prog,
            func: func.to_owned(),
            offset: 0,
            retprobe: false,
            cookie: 0,
        }
    }

    /// A return probe.
    pub fn retprobe(mut self) -> Self {
        self.retprobe = true;
        self
    }

    /// An offset into the function.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// The BPF cookie.
    pub fn cookie(mut self, cookie: u64) -> Self {
        self.cookie = cookie;
        self
    }

    /// Attaches (a kprobe PMU event, or a legacy tracefs probe the link
    /// removes again when dropped).
    pub fn create(&self) -> Result<Link> {
        const OP: Op = Op::Attach("kprobe");
        let func = cstring(
            OP,
            "the function name contains a NUL byte",
            self.func.as_bytes(),
        )?;
        let mut opts = OptsBytes::new(abi::KPROBE_OPTS);
        opts.set_u64(ko::BPF_COOKIE, self.cookie)
            .set_usize(ko::OFFSET, self.offset as usize)
            .u8_at(ko::RETPROBE, u8::from(self.retprobe));
        let image = opts.image();
        let mut why = Why::default();
        attach::attach_kprobe(
            &SYS_PROBE,
            self.prog.as_raw_fd(),
            Some(&func),
            Some(&image),
            &mut why,
            &mut Silent,
        )
        .map(perf_link)
        .map_err(|e| attach_error("kprobe", e, why))
    }
}

// -------------------------------------------------------------- tracepoint

/// A tracepoint by name: [`Link::tracepoint`].
#[derive(Debug, Clone)]
pub struct TracepointLink<'a> {
    prog: BorrowedFd<'a>,
    category: String,
    name: String,
    cookie: u64,
}

impl<'a> TracepointLink<'a> {
    pub(crate) fn new(prog: BorrowedFd<'a>, category: &str, name: &str) -> Self {
        TracepointLink {
            prog,
            category: category.to_owned(),
            name: name.to_owned(),
            cookie: 0,
        }
    }

    /// The BPF cookie.
    pub fn cookie(mut self, cookie: u64) -> Self {
        self.cookie = cookie;
        self
    }

    /// Attaches (needs tracefs mounted on `/sys/kernel/tracing` to read the
    /// event id). The event is opened on CPU 0 for every process, as
    /// libbpf does.
    pub fn create(&self) -> Result<Link> {
        const OP: Op = Op::Attach("tracepoint");
        let cat = cstring(
            OP,
            "the category contains a NUL byte",
            self.category.as_bytes(),
        )?;
        let name = cstring(OP, "the name contains a NUL byte", self.name.as_bytes())?;
        let mut opts = OptsBytes::new(abi::TRACEPOINT_OPTS);
        opts.set_u64(tpo::BPF_COOKIE, self.cookie);
        let image = opts.image();
        let mut why = Why::default();
        attach::attach_tracepoint(
            &SYS_PROBE,
            self.prog.as_raw_fd(),
            Some(&cat),
            Some(&name),
            Some(&image),
            &mut why,
            &mut Silent,
        )
        .map(perf_link)
        .map_err(|e| attach_error("tracepoint", e, why))
    }
}

// ------------------------------------------------------------- perf event

/// Attaches `prog` to a perf event the link then owns: [`Link::perf_event_owned`].
pub(crate) fn perf_event_owned(prog: BorrowedFd<'_>, perf: OwnedFd, cookie: u64) -> Result<Link> {
    let mut opts = OptsBytes::new(abi::PERF_EVENT_OPTS);
    opts.set_u64(peo::BPF_COOKIE, cookie);
    let image = opts.image();
    let mut why = Why::default();
    match attach::attach_perf_event(
        &SYS_PROBE,
        prog.as_raw_fd(),
        perf.as_raw_fd(),
        Some(&image),
        &mut why,
        &mut Silent,
    ) {
        Ok(parts) => {
            // The link owns the perf fd now.
            std::mem::forget(perf);
            Ok(perf_link(parts))
        }
        Err(e) => Err(attach_error("perf_event", e, why)),
    }
}

// ------------------------------------------------------- uprobe_multi by name

struct Names<'a>(&'a [CString]);

impl SymNames for Names<'_> {
    fn name(&self, i: usize) -> Option<&CStr> {
        self.0.get(i).map(CString::as_c_str)
    }
}

/// What a [`UprobeMultiByName`] attaches to.
#[derive(Debug, Clone)]
enum Funcs {
    Pattern(String),
    Names(Vec<String>),
}

/// A uprobe_multi link on functions found by name in a binary:
/// [`Link::uprobe_multi_pattern`], [`Link::uprobe_multi_symbols`].
#[derive(Debug, Clone)]
pub struct UprobeMultiByName<'a> {
    prog: BorrowedFd<'a>,
    target: String,
    funcs: Funcs,
    pid: i32,
    retprobe: bool,
    session: bool,
}

impl<'a> UprobeMultiByName<'a> {
    pub(crate) fn pattern(prog: BorrowedFd<'a>, target: &str, pattern: &str) -> Self {
        Self::new(prog, target, Funcs::Pattern(pattern.to_owned()))
    }

    pub(crate) fn symbols(prog: BorrowedFd<'a>, target: &str, names: &[&str]) -> Self {
        Self::new(
            prog,
            target,
            Funcs::Names(names.iter().map(|s| (*s).to_owned()).collect()),
        )
    }

    fn new(prog: BorrowedFd<'a>, target: &str, funcs: Funcs) -> Self {
        UprobeMultiByName {
            prog,
            target: target.to_owned(),
            funcs,
            pid: -1,
            retprobe: false,
            session: false,
        }
    }

    /// Only fire in process `pid` (default: every process).
    pub fn pid(mut self, pid: i32) -> Self {
        self.pid = pid;
        self
    }

    /// Return probes.
    pub fn retprobe(mut self) -> Self {
        self.retprobe = true;
        self
    }

    /// Session probes (entry and return, one program).
    pub fn session(mut self) -> Self {
        self.session = true;
        self
    }

    /// Attaches; `ENOENT` when nothing matches.
    pub fn create(&self) -> Result<Link> {
        const OP: Op = Op::Attach("uprobe_multi");
        let path = resolve_binary(&self.target);
        let path = cstring(
            OP,
            "the binary path contains a NUL byte",
            path.as_os_str().as_bytes(),
        )?;
        let mut opts = OptsBytes::new(abi::UPROBE_MULTI_OPTS);
        opts.u8_at(umo::RETPROBE, u8::from(self.retprobe))
            .u8_at(umo::SESSION, u8::from(self.session));
        let (pattern, names) = match &self.funcs {
            Funcs::Pattern(p) => (
                Some(cstring(
                    OP,
                    "the pattern contains a NUL byte",
                    p.as_bytes(),
                )?),
                Vec::new(),
            ),
            Funcs::Names(n) => {
                let names = n
                    .iter()
                    .map(|s| cstring(OP, "a name contains a NUL byte", s.as_bytes()))
                    .collect::<Result<Vec<_>>>()?;
                if names.is_empty() {
                    return Err(Error::invalid(OP, "no function names"));
                }
                (None, names)
            }
        };
        // `syms` must be non-NULL for names; its entries are read through
        // `Names`, never by the kernel.
        let syms: Vec<usize> = names.iter().map(|c| c.as_ptr() as usize).collect();
        if !names.is_empty() {
            opts.set_usize(umo::SYMS, syms.as_ptr() as usize)
                .set_usize(umo::CNT, names.len());
        }
        let image = opts.image();
        let mut why = Why::default();
        // SAFETY: the only arrays in the opts are `syms` (read through
        // `Names`), alive for the call; the resolved offsets are the core's.
        let r = unsafe {
            attach::attach_uprobe_multi(
                &SYS_PROBE,
                self.prog.as_raw_fd(),
                self.pid,
                Some(&path),
                pattern.as_deref(),
                Some(&image),
                &Names(&names),
                &mut why,
                &mut Silent,
            )
        };
        r.map(Link::adopt)
            .map_err(|e| attach_error("uprobe_multi", e, why))
    }
}

/// The constructors of the by-name kinds, beside their builders.
impl Link {
    /// A uprobe on function `func` of `target`: a path, a name libbpf
    /// searches for (`"libc.so.6"`, `"bash"`), or a bare library name
    /// (`"libc"`; see [`crate::resolve_binary`]). `func` may carry a
    /// version (`"malloc@GLIBC_2.2.5"`).
    ///
    /// ```no_run
    /// use std::os::fd::AsFd;
    /// use bpflink::Link;
    /// # fn kprobe_prog() -> std::os::fd::OwnedFd { unimplemented!() }
    /// let prog = kprobe_prog();
    /// let link = Link::uprobe(prog.as_fd(), "libc", "malloc").pid(1234).create()?;
    /// let ret = Link::uprobe(prog.as_fd(), "libc", "malloc").retprobe().cookie(7).create()?;
    /// # drop((link, ret));
    /// # Ok::<(), bpflink::Error>(())
    /// ```
    pub fn uprobe<'a>(prog: BorrowedFd<'a>, target: &str, func: &str) -> UprobeLink<'a> {
        UprobeLink::new(prog, target, Some(func))
    }

    /// A uprobe at file offset `offset` of `target` (no symbol lookup).
    pub fn uprobe_at<'a>(prog: BorrowedFd<'a>, target: &str, offset: u64) -> UprobeLink<'a> {
        UprobeLink::new(prog, target, None).offset(offset)
    }

    /// A kprobe on kernel function `func`.
    pub fn kprobe<'a>(prog: BorrowedFd<'a>, func: &str) -> KprobeLink<'a> {
        KprobeLink::new(prog, func)
    }

    /// A tracepoint by name (`"syscalls"`, `"sys_enter_openat"`).
    pub fn tracepoint<'a>(prog: BorrowedFd<'a>, category: &str, name: &str) -> TracepointLink<'a> {
        TracepointLink::new(prog, category, name)
    }

    /// One uprobe_multi link on every function of `target` whose name
    /// matches the glob `pattern` (`*`, `?`).
    pub fn uprobe_multi_pattern<'a>(
        prog: BorrowedFd<'a>,
        target: &str,
        pattern: &str,
    ) -> UprobeMultiByName<'a> {
        UprobeMultiByName::pattern(prog, target, pattern)
    }

    /// One uprobe_multi link on the named functions of `target`.
    pub fn uprobe_multi_symbols<'a>(
        prog: BorrowedFd<'a>,
        target: &str,
        names: &[&str],
    ) -> UprobeMultiByName<'a> {
        UprobeMultiByName::symbols(prog, target, names)
    }

    /// Attaches `prog` to a perf event the link then owns (closed, after
    /// being disabled, when the link is dropped).
    pub fn perf_event_owned(prog: BorrowedFd<'_>, perf: OwnedFd, cookie: u64) -> Result<Link> {
        perf_event_owned(prog, perf, cookie)
    }
}
