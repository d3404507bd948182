//! An independent, deliberately naive model of what libbpf v1.7.0 does for the
//! six opts-taking functions (docs/libbpf-behaviour.md#bpf_link_create,
//! #the-other-low-level-calls, #fd-hygiene, #opts-structs-and-sz), written
//! from that description of libbpf (checked against its 1.7.0 source) and not
//! from bpflink's code: plain byte offsets (x86-64), a byte-by-byte
//! `libbpf_is_mem_zeroed`, and one `match` per function.
//!
//! Where libbpf itself would read unmapped memory (and crash), the model
//! says what bpflink documents instead (README "Deviations"): `EFAULT` and
//! the warning `<type> size (<sz>) reaches unreadable memory`.

use crate::case::{Case, Func, KAnswer};

/// One thing done to the kernel, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KCall {
    Bpf {
        cmd: u32,
        attr: Vec<u8>,
    },
    /// `fcntl(fd, F_DUPFD_CLOEXEC, 3)`
    Dup(i32),
    Close(i32),
}

/// The messages libbpf prints through its print hook (all at WARN).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MWarn {
    TooSmall {
        ty: &'static str,
        sz: usize,
    },
    ExtraBytes {
        ty: &'static str,
    },
    /// bpflink's replacement for libbpf's crash.
    Unreadable {
        ty: &'static str,
        sz: usize,
    },
    DupFailed {
        fd: i32,
        err: i32,
    },
}

impl MWarn {
    /// The exact text the print callback receives, formatted.
    pub fn text(&self) -> String {
        match self {
            MWarn::TooSmall { ty, sz } => format!("libbpf: {ty} size ({sz}) is too small\n"),
            MWarn::ExtraBytes { ty } => format!("libbpf: {ty} has non-zero extra bytes\n"),
            MWarn::Unreadable { ty, sz } => {
                format!("libbpf: {ty} size ({sz}) reaches unreadable memory\n")
            }
            MWarn::DupFailed { fd, err } => {
                format!("libbpf: failed to dup FD {fd} to FD > 2: {}\n", -err)
            }
        }
    }
}

/// What a call does, observably: its result (`Ok(value)` or `Err(errno)`),
/// the warnings, and the kernel calls with their exact attr bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub ret: Result<i32, i32>,
    pub warnings: Vec<MWarn>,
    pub calls: Vec<KCall>,
}

// bpf(2) commands (docs/libbpf-behaviour.md#commands-and-enums).
const OBJ_PIN: u32 = 6;
const OBJ_GET: u32 = 7;
const RAW_TRACEPOINT_OPEN: u32 = 17;
const LINK_CREATE: u32 = 28;
const LINK_UPDATE: u32 = 29;
const LINK_GET_FD_BY_ID: u32 = 30;

const EINVAL: i32 = 22;
const EFAULT: i32 = 14;

/// `(type tag, offsetofend(last field))` of each opts struct in libbpf 1.7.0
/// (docs/libbpf-behaviour.md#the-opts-layouts).
fn opts_type(f: Func) -> (&'static str, usize) {
    match f {
        Func::LinkCreate => ("bpf_link_create_opts", 76),
        Func::LinkUpdate => ("bpf_link_update_opts", 20),
        Func::GetFdByIdOpts => ("bpf_get_fd_by_id_opts", 16),
        Func::RawTpOpenOpts => ("bpf_raw_tp_opts", 24),
        Func::ObjPinOpts => ("bpf_obj_pin_opts", 16),
        Func::ObjGetOpts => ("bpf_obj_get_opts", 16),
    }
}

/// Result of reading bytes the way libbpf does.
enum Zeroed {
    Yes,
    No,
    /// libbpf would have touched an unmapped byte.
    Fault,
}

/// The caller's opts as libbpf sees them (`None`: NULL).
struct Opts<'a> {
    sz: usize,
    mem: &'a [u8],
}

/// `libbpf_is_mem_zeroed(opts + off, (ssize_t)(opts->sz - off))`, byte by
/// byte, stopping at the first non-zero byte.
fn zeroed_from(o: Option<&Opts<'_>>, off: usize) -> Zeroed {
    let Some(o) = o else { return Zeroed::Yes };
    let mut len = o.sz.wrapping_sub(off) as i64;
    let mut p = off;
    while len > 0 {
        match o.mem.get(p) {
            None => return Zeroed::Fault,
            Some(0) => {}
            Some(_) => return Zeroed::No,
        }
        p += 1;
        len -= 1;
    }
    Zeroed::Yes
}

/// `OPTS_GET(opts, field, 0)` for a little-endian field of `width` bytes.
fn get(o: Option<&Opts<'_>>, off: usize, width: usize) -> u64 {
    let Some(o) = o else { return 0 };
    if o.sz < off + width {
        return 0;
    }
    let bytes = o
        .mem
        .get(off..off + width)
        .expect("the case maps min(sz, sizeof) bytes; a field inside sz is mapped");
    bytes
        .iter()
        .rev()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

fn get32(o: Option<&Opts<'_>>, off: usize) -> u32 {
    get(o, off, 4) as u32
}

fn get64(o: Option<&Opts<'_>>, off: usize) -> u64 {
    get(o, off, 8)
}

fn put32(a: &mut [u8], off: usize, v: u32) {
    a[off..off + 4].copy_from_slice(&v.to_le_bytes());
}

fn put64(a: &mut [u8], off: usize, v: u64) {
    a[off..off + 8].copy_from_slice(&v.to_le_bytes());
}

fn u32_of(a: &[u8], off: usize) -> u32 {
    u32::from_le_bytes([a[off], a[off + 1], a[off + 2], a[off + 3]])
}

/// The scripted kernel, as the model drives it.
struct Kernel<'c> {
    answers: &'c [KAnswer; 2],
    dup: KAnswer,
    next: usize,
    calls: Vec<KCall>,
    warnings: Vec<MWarn>,
}

impl Kernel<'_> {
    /// `syscall(SYS_bpf, cmd, attr, size)`: `Ok(ret)` or `Err(errno)`.
    fn bpf(&mut self, cmd: u32, attr: &[u8]) -> Result<i32, i32> {
        self.calls.push(KCall::Bpf {
            cmd,
            attr: attr.to_vec(),
        });
        let a = self.answers[self.next];
        self.next += 1;
        a
    }

    /// `sys_bpf_fd` + `ensure_good_fd` (docs/libbpf-behaviour.md#fd-hygiene).
    fn bpf_fd(&mut self, cmd: u32, attr: &[u8]) -> Result<i32, i32> {
        let fd = self.bpf(cmd, attr)?;
        if fd >= 3 {
            return Ok(fd);
        }
        self.calls.push(KCall::Dup(fd));
        let moved = self.dup;
        self.calls.push(KCall::Close(fd));
        if let Err(e) = moved {
            self.warnings.push(MWarn::DupFailed { fd, err: e });
        }
        moved
    }
}

/// `OPTS_VALID(opts, type)`; `Err(errno)` when invalid.
fn opts_valid(o: Option<&Opts<'_>>, f: Func, k: &mut Kernel<'_>) -> Result<(), i32> {
    let Some(opts) = o else { return Ok(()) };
    let (ty, last_end) = opts_type(f);
    if opts.sz < 8 {
        k.warnings.push(MWarn::TooSmall { ty, sz: opts.sz });
        return Err(EINVAL);
    }
    match zeroed_from(o, last_end) {
        Zeroed::Yes => Ok(()),
        Zeroed::No => {
            k.warnings.push(MWarn::ExtraBytes { ty });
            Err(EINVAL)
        }
        Zeroed::Fault => {
            k.warnings.push(MWarn::Unreadable { ty, sz: opts.sz });
            Err(EFAULT)
        }
    }
}

/// `OPTS_ZEROED(opts, field)` as a step that fails with EINVAL.
fn require_zeroed(o: Option<&Opts<'_>>, off: usize) -> Result<(), i32> {
    match zeroed_from(o, off) {
        Zeroed::Yes => Ok(()),
        Zeroed::No => Err(EINVAL),
        Zeroed::Fault => Err(EFAULT),
    }
}

/// The cgroup attach types of libbpf 1.6's cgroup branch
/// (docs/libbpf-behaviour.md#the-per-attach-type-branches).
const CGROUP_TYPES: [u32; 29] = [
    0, 1, 2, 34, 8, 9, 12, 13, 10, 11, 49, 29, 30, 52, 31, 32, 53, 14, 15, 50, 19, 20, 51, 3, 6,
    18, 21, 22, 43,
];

/// libbpf 1.7.0 `bpf_link_create` (docs/libbpf-behaviour.md#bpf_link_create).
fn link_create(c: &Case, o: Option<&Opts<'_>>, k: &mut Kernel<'_>) -> Result<i32, i32> {
    opts_valid(o, Func::LinkCreate, k)?;
    let iter_info_len = get32(o, 24);
    let target_btf_id = get32(o, 28);
    if iter_info_len != 0 || target_btf_id != 0 {
        if iter_info_len != 0 && target_btf_id != 0 {
            return Err(EINVAL);
        }
        require_zeroed(o, 32)?;
    }
    let mut attr = vec![0u8; 64];
    put32(&mut attr, 0, c.a as u32);
    put32(&mut attr, 4, c.b as u32);
    put32(&mut attr, 8, c.attach_type);
    put32(&mut attr, 12, get32(o, 8));
    if target_btf_id != 0 {
        put32(&mut attr, 16, target_btf_id);
    } else {
        match c.attach_type {
            // BPF_TRACE_ITER
            28 => {
                put64(&mut attr, 16, get64(o, 16));
                put32(&mut attr, 24, iter_info_len);
            }
            // BPF_PERF_EVENT
            41 => {
                put64(&mut attr, 16, get64(o, 32));
                require_zeroed(o, 40)?;
            }
            // kprobe_multi / kprobe_session
            42 | 56 => {
                put32(&mut attr, 16, get32(o, 32));
                put32(&mut attr, 20, get32(o, 36));
                put64(&mut attr, 24, get64(o, 40));
                put64(&mut attr, 32, get64(o, 48));
                put64(&mut attr, 40, get64(o, 56));
                require_zeroed(o, 64)?;
            }
            // uprobe_multi / uprobe_session: opts order differs from attr
            48 | 57 => {
                put64(&mut attr, 16, get64(o, 40)); // path
                put64(&mut attr, 24, get64(o, 48)); // offsets
                put64(&mut attr, 32, get64(o, 56)); // ref_ctr_offsets
                put64(&mut attr, 40, get64(o, 64)); // cookies
                put32(&mut attr, 48, get32(o, 36)); // cnt
                put32(&mut attr, 52, get32(o, 32)); // flags
                put32(&mut attr, 56, get32(o, 72)); // pid
                require_zeroed(o, 80)?;
            }
            // raw_tp, fentry, fexit, fmod_ret, lsm, fsession: tracing.cookie
            23..=27 | 58 => {
                put64(&mut attr, 24, get64(o, 32));
                require_zeroed(o, 40)?;
            }
            // netfilter
            45 => {
                put32(&mut attr, 16, get32(o, 32));
                put32(&mut attr, 20, get32(o, 36));
                put32(&mut attr, 24, get32(o, 40));
                put32(&mut attr, 28, get32(o, 44));
                require_zeroed(o, 48)?;
            }
            // tcx, netkit, cgroup
            t if matches!(t, 46 | 47 | 54 | 55) || CGROUP_TYPES.contains(&t) => {
                let relative_fd = get32(o, 32);
                let relative_id = get32(o, 36);
                if relative_fd != 0 && relative_id != 0 {
                    return Err(EINVAL);
                }
                if relative_id != 0 {
                    put32(&mut attr, 16, relative_id);
                    let flags = u32_of(&attr, 12) | 0x20; // BPF_F_ID
                    put32(&mut attr, 12, flags);
                } else {
                    put32(&mut attr, 16, relative_fd);
                }
                put64(&mut attr, 24, get64(o, 40));
                require_zeroed(o, 48)?;
            }
            // everything else: nothing after `flags` may be set
            _ => require_zeroed(o, 12)?,
        }
    }
    let err = match k.bpf_fd(LINK_CREATE, &attr) {
        Ok(fd) => return Ok(fd),
        Err(e) => e,
    };
    if err != EINVAL {
        return Err(err);
    }
    if u32_of(&attr, 4) != 0 || u32_of(&attr, 16) != 0 {
        return Err(err);
    }
    match zeroed_from(o, 8) {
        Zeroed::Yes => {}
        // A fault cannot happen here (OPTS_VALID read these bytes); if it
        // did, bpflink keeps the kernel's error.
        Zeroed::No | Zeroed::Fault => return Err(err),
    }
    match c.attach_type {
        // raw_tp, lsm, fentry, fexit, fmod_ret (not fsession)
        23 | 27 | 24 | 25 | 26 => {
            // bpf_raw_tracepoint_open(NULL, prog_fd)
            let mut rt = vec![0u8; 24];
            put32(&mut rt, 8, c.a as u32);
            k.bpf_fd(RAW_TRACEPOINT_OPEN, &rt)
        }
        _ => Err(err),
    }
}

/// What libbpf 1.7.0 (and so bpflink) does with `case`.
pub fn run(c: &Case) -> Outcome {
    let opts = Opts {
        sz: c.sz,
        mem: &c.buf,
    };
    let o = (!c.opts_null).then_some(&opts);
    let mut k = Kernel {
        answers: &c.answers,
        dup: c.dup,
        next: 0,
        calls: Vec::new(),
        warnings: Vec::new(),
    };
    let ret = (|| match c.func {
        Func::LinkCreate => link_create(c, o, &mut k),
        Func::LinkUpdate => {
            opts_valid(o, c.func, &mut k)?;
            let old_prog_fd = get32(o, 12);
            let old_map_fd = get32(o, 16);
            if old_prog_fd != 0 && old_map_fd != 0 {
                return Err(EINVAL);
            }
            let mut attr = vec![0u8; 16];
            put32(&mut attr, 0, c.a as u32);
            put32(&mut attr, 4, c.b as u32);
            put32(&mut attr, 8, get32(o, 8));
            put32(
                &mut attr,
                12,
                if old_prog_fd != 0 {
                    old_prog_fd
                } else {
                    old_map_fd
                },
            );
            k.bpf(LINK_UPDATE, &attr)
        }
        Func::GetFdByIdOpts => {
            opts_valid(o, c.func, &mut k)?;
            let mut attr = vec![0u8; 12];
            put32(&mut attr, 0, c.a as u32);
            put32(&mut attr, 8, get32(o, 8)); // open_flags; token_fd ignored
            k.bpf_fd(LINK_GET_FD_BY_ID, &attr)
        }
        Func::RawTpOpenOpts => {
            opts_valid(o, c.func, &mut k)?;
            let mut attr = vec![0u8; 24];
            put64(&mut attr, 0, get64(o, 8)); // tp_name
            put32(&mut attr, 8, c.a as u32);
            put64(&mut attr, 16, get64(o, 16)); // cookie
            k.bpf_fd(RAW_TRACEPOINT_OPEN, &attr)
        }
        Func::ObjPinOpts | Func::ObjGetOpts => {
            opts_valid(o, c.func, &mut k)?;
            let mut attr = vec![0u8; 20];
            put64(&mut attr, 0, c.path_addr);
            if c.func == Func::ObjPinOpts {
                put32(&mut attr, 8, c.a as u32);
            }
            put32(&mut attr, 12, get32(o, 8)); // file_flags
            put32(&mut attr, 16, get32(o, 12)); // path_fd, even without BPF_F_PATH_FD
            if c.func == Func::ObjPinOpts {
                k.bpf(OBJ_PIN, &attr)
            } else {
                k.bpf_fd(OBJ_GET, &attr)
            }
        }
    })();
    Outcome {
        ret,
        warnings: k.warnings,
        calls: k.calls,
    }
}
