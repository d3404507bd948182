//! Valid opts get libbpf's answer at every page position, whatever
//! syscalls a seccomp filter takes away (README, "Reliability";
//! docs/reliability.md).
//!
//! bpflink reads a `sz` no larger than its struct directly (like libbpf),
//! and only for a larger `sz` reads the bytes beyond the page of `sz`
//! fault-free with `process_vm_readv(getpid(), …)`, falling back to direct
//! reads (like libbpf) when that reader is unavailable. Checked here:
//!
//! * `every_page_position_every_filter`: all six functions taking opts
//!   (`bpf_link_create`, `bpf_link_update`, `bpf_link_get_fd_by_id_opts`,
//!   `bpf_raw_tracepoint_open_opts`, `bpf_obj_pin_opts`,
//!   `bpf_obj_get_opts`), real kernel objects, several contents each (so
//!   that a byte misread changes the answer), `sz` = libbpf's struct size
//!   and larger (+16, and + a page + 100) with a zero tail (and with a
//!   non-zero last byte), the struct placed at every position of a page
//!   boundary relative to it (every offset from 0 to `sz`; for the
//!   page-and-more size every offset in the first 64 bytes past the known
//!   struct and in the last 64, and every 97th in between), both pages
//!   readable. Each case runs in forked children under each filter:
//!   none; `process_vm_readv` and `getpid` answered `EPERM`, `ENOSYS`, or
//!   `EFAULT` (a filter that lies); both trapped (`SECCOMP_RET_TRAP`, a
//!   `SIGSYS` handler counts them and makes them fail with `EPERM`); and,
//!   for `sz` ≤ ours, a filter that kills the process on any syscall but
//!   `bpf` (and the test's own `close`, `unlink`, `fcntl(F_GETFD)`, exit).
//!   Each runs bpflink as the tests link it, the shipped
//!   `build/lib/libbpflink.so` and the real libbpf 1.7.0: return value,
//!   errno and printed message must equal libbpf's unfiltered answer; for
//!   `sz` ≤ ours no fault-free read is ever attempted (trap count 0, and
//!   the kill filter never fires), for a larger `sz` whose known part
//!   crosses a page it is (and is denied, and the answer is still right).
//! * The garbage-`sz` cases, where they can and cannot be kept (each a
//!   test below): a `sz` larger than ours over unmapped memory is `-EFAULT`
//!   with the reader available and a crash like libbpf's with it denied;
//!   a `sz` no larger than ours that the mapping does not cover crashes
//!   bpflink (it reads all `sz` bytes), even where libbpf, reading only
//!   the fields the call uses, survives.
//!
//! The kernel cases need root with BPF (otherwise SKIP; a failure under
//! CI=true).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::undocumented_unsafe_blocks,
    clippy::too_many_lines
)]

mod common;

use std::cell::RefCell;
use std::ffi::{CString, c_char, c_int, c_void};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::ptr::{null, null_mut};
use std::sync::atomic::{AtomicU32, Ordering};

use common::oracle::{Lib, bpflink, oracle, shipped};
use common::*;
use libbpflink::bpf as bl;

const PAGE: usize = 4096;
const CG_EGRESS: u32 = attach::CGROUP_INET_EGRESS;

// ------------------------------------------------------------- seccomp

/// What a child's seccomp filter does to the fault-free reader's syscalls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// No filter.
    Open,
    /// `process_vm_readv` and `getpid` fail with this errno.
    Deny(c_int),
    /// Both raise SIGSYS; the handler counts them and makes them fail
    /// with `EPERM`.
    Trap,
    /// Any syscall but `bpf` (and the test's own bookkeeping) kills.
    OnlyBpf,
}

impl Mode {
    fn show(self) -> String {
        match self {
            Mode::Open => "no filter".into(),
            Mode::Deny(e) => format!("process_vm_readv+getpid -> {}", errno_name(e)),
            Mode::Trap => "process_vm_readv+getpid trapped (counted, EPERM)".into(),
            Mode::OnlyBpf => "any syscall but bpf kills".into(),
        }
    }
}

fn errno_name(e: c_int) -> String {
    bpflink_core::errno::errno_name(e).map_or_else(|| e.to_string(), str::to_owned)
}

const SECCOMP_RET_KILL_PROCESS: u32 = 0x8000_0000;
const SECCOMP_RET_TRAP: u32 = 0x0003_0000;
const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;
const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
const LD_W_ABS: u16 = 0x20;
const JEQ_K: u16 = 0x15;
const RET_K: u16 = 0x06;
/// `struct seccomp_data`: nr, arch, then the arguments from offset 16.
const NR: u32 = 0;
const ARCH: u32 = 4;
const ARG1_LO: u32 = 24;

fn ins(code: u16, jt: u8, jf: u8, k: u32) -> libc::sock_filter {
    libc::sock_filter { code, jt, jf, k }
}

/// A filter: `hit` for the syscalls in `nrs`, allow the rest.
fn filter_for(nrs: &[i64], hit: u32) -> Vec<libc::sock_filter> {
    let n = nrs.len();
    let mut p = vec![
        ins(LD_W_ABS, 0, 0, ARCH),
        ins(JEQ_K, 1, 0, AUDIT_ARCH_X86_64),
        ins(RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
        ins(LD_W_ABS, 0, 0, NR),
    ];
    for (i, &nr) in nrs.iter().enumerate() {
        // Past the remaining compares and the "allow" to the "hit".
        p.push(ins(JEQ_K, (n - i) as u8, 0, nr as u32));
    }
    p.push(ins(RET_K, 0, 0, SECCOMP_RET_ALLOW));
    p.push(ins(RET_K, 0, 0, hit));
    p
}

/// A filter allowing only `bpf`, `close`, `unlink`, `fcntl(_, F_GETFD)`
/// and the exits: everything else kills the process.
fn only_bpf_filter() -> Vec<libc::sock_filter> {
    let allowed = [
        libc::SYS_bpf,
        libc::SYS_close,
        libc::SYS_unlink,
        libc::SYS_exit_group,
        libc::SYS_exit,
    ];
    let n = allowed.len();
    let mut p = vec![
        ins(LD_W_ABS, 0, 0, ARCH),
        ins(JEQ_K, 1, 0, AUDIT_ARCH_X86_64),
        ins(RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
        ins(LD_W_ABS, 0, 0, NR),
    ];
    // After the compares: [fcntl?] [ld arg1] [F_GETFD?] [allow] [kill].
    for (i, &nr) in allowed.iter().enumerate() {
        p.push(ins(JEQ_K, (n - i - 1 + 3) as u8, 0, nr as u32));
    }
    p.push(ins(JEQ_K, 0, 3, libc::SYS_fcntl as u32));
    p.push(ins(LD_W_ABS, 0, 0, ARG1_LO));
    p.push(ins(JEQ_K, 0, 1, libc::F_GETFD as u32));
    p.push(ins(RET_K, 0, 0, SECCOMP_RET_ALLOW));
    p.push(ins(RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS));
    p
}

fn install_filter(prog: &[libc::sock_filter]) {
    let fprog = libc::sock_fprog {
        len: prog.len() as u16,
        filter: prog.as_ptr().cast_mut(),
    };
    unsafe {
        assert_eq!(libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
        if libc::prctl(
            libc::PR_SET_SECCOMP,
            libc::SECCOMP_MODE_FILTER,
            &fprog as *const libc::sock_fprog,
        ) != 0
        {
            libc::_exit(90);
        }
    }
}

/// The fault-free reader's syscalls.
const READER_SYSCALLS: [i64; 2] = [libc::SYS_process_vm_readv, libc::SYS_getpid];

static TRAPS: AtomicU32 = AtomicU32::new(0);

extern "C" fn count_and_fail(_sig: c_int, _info: *mut libc::siginfo_t, ctx: *mut c_void) {
    TRAPS.fetch_add(1, Ordering::Relaxed);
    let uc = ctx.cast::<libc::ucontext_t>();
    // The trapped syscall returns -EPERM.
    unsafe { (*uc).uc_mcontext.gregs[libc::REG_RAX as usize] = -(libc::EPERM as i64) };
}

/// Installs `mode`'s filter in this (child) process.
fn enter(mode: Mode) {
    match mode {
        Mode::Open => {}
        Mode::Deny(e) => {
            install_filter(&filter_for(&READER_SYSCALLS, SECCOMP_RET_ERRNO | e as u32))
        }
        Mode::Trap => {
            unsafe {
                let mut sa: libc::sigaction = std::mem::zeroed();
                sa.sa_sigaction = count_and_fail as *const () as usize;
                sa.sa_flags = libc::SA_SIGINFO;
                libc::sigemptyset(&mut sa.sa_mask);
                assert_eq!(libc::sigaction(libc::SIGSYS, &sa, null_mut()), 0);
            }
            install_filter(&filter_for(&READER_SYSCALLS, SECCOMP_RET_TRAP));
        }
        Mode::OnlyBpf => install_filter(&only_bpf_filter()),
    }
}

/// In a child under `mode`: does the reader's first syscall really fail?
/// (0: as intended; otherwise a code saying what went wrong.)
fn filter_effective(mode: Mode) -> i32 {
    let (r, e) = c_call(|| unsafe { libc::getpid() });
    // glibc's getpid returns the raw result (never fails, it assumes).
    let failed_with = |want: c_int| r == -want || (r == -1 && e == want);
    match mode {
        Mode::Deny(want) if !failed_with(want) => 1,
        Mode::Trap if !failed_with(libc::EPERM) => 2,
        Mode::Trap if TRAPS.load(Ordering::Relaxed) == 0 => 3,
        Mode::Open if r <= 0 => 4,
        _ => 0,
    }
}

/// Forks; the child runs `f` and exits with its status. Returns the wait
/// status.
fn in_child(f: impl FnOnce() -> i32) -> c_int {
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork");
    if pid == 0 {
        let code = f();
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    status
}

fn show_status(status: c_int) -> String {
    if libc::WIFSIGNALED(status) {
        format!("killed by signal {}", libc::WTERMSIG(status))
    } else {
        format!("exit status {}", libc::WEXITSTATUS(status))
    }
}

// ------------------------------------------------------------- answers

/// A call's answer, fixed-size so that a child can write it into shared
/// memory without allocating.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(C)]
struct Answer {
    /// 0 unset, 1 new fd (≥ 3, close-on-exec), 2 value, 3 `-e` with errno
    /// `e`, 4 anything else.
    class: i32,
    value: i32,
    errno: i32,
    msg_len: u32,
    msg: [u8; 112],
    /// Trapped reader syscalls during the call (not compared).
    traps: u32,
}

impl Answer {
    const UNSET: Answer = Answer {
        class: 0,
        value: 0,
        errno: 0,
        msg_len: 0,
        msg: [0; 112],
        traps: 0,
    };

    fn same_as(&self, o: &Answer) -> bool {
        (self.class, self.value, self.errno, self.msg_len, self.msg)
            == (o.class, o.value, o.errno, o.msg_len, o.msg)
    }

    fn show(&self) -> String {
        let msg = String::from_utf8_lossy(&self.msg[..self.msg_len as usize]).into_owned();
        let res = match self.class {
            0 => "(not run)".to_string(),
            1 => "new fd".to_string(),
            2 => self.value.to_string(),
            3 => format!("-{}", errno_name(self.errno)),
            _ => format!("{} with errno {}", self.value, self.errno),
        };
        if msg.is_empty() {
            res
        } else {
            format!("{res} + \"{}\"", msg.trim_end())
        }
    }
}

thread_local! {
    /// The messages printed during one call (fixed buffer: the capture
    /// must not allocate, it runs under the kill-on-syscall filter too).
    static MSG: RefCell<(usize, [u8; 112])> = const { RefCell::new((0, [0; 112])) };
}

unsafe extern "C" {
    fn vsnprintf(buf: *mut c_char, n: usize, format: *const c_char, ap: *mut c_void) -> c_int;
}

unsafe extern "C" fn capture(_level: c_int, format: *const c_char, ap: *mut c_void) -> c_int {
    MSG.with(|m| {
        let mut m = m.borrow_mut();
        let (len, buf) = &mut *m;
        let room = buf.len() - *len;
        if room > 1 {
            let n = unsafe { vsnprintf(buf[*len..].as_mut_ptr().cast(), room, format, ap) };
            *len += (n.max(0) as usize).min(room - 1);
        }
    });
    0
}

fn take_message(a: &mut Answer) {
    MSG.with(|m| {
        let mut m = m.borrow_mut();
        a.msg_len = m.0 as u32;
        a.msg = m.1;
        *m = (0, [0; 112]);
    });
}

fn answer_fd(r: c_int) -> Answer {
    let e = errno();
    let mut a = Answer::UNSET;
    if r >= 0 {
        let ok = r >= 3 && is_cloexec(r);
        unsafe { libc::close(r) };
        a.class = if ok { 1 } else { 4 };
        a.value = if ok { 0 } else { r };
    } else {
        a = answer_err(r, e);
    }
    a
}

fn answer_int(r: c_int) -> Answer {
    let e = errno();
    let mut a = Answer::UNSET;
    if r >= 0 {
        a.class = 2;
        a.value = r;
    } else {
        a = answer_err(r, e);
    }
    a
}

fn answer_err(r: c_int, e: c_int) -> Answer {
    let mut a = Answer::UNSET;
    if r == -e {
        a.class = 3;
        a.errno = e;
    } else {
        a.class = 4;
        a.value = r;
        a.errno = e;
    }
    a
}

// --------------------------------------------------------------- cases

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Func {
    Create,
    Update,
    GetFdById,
    RawTp,
    Pin,
    Get,
}

/// libbpf 1.7.0's struct for each function: name, `sizeof`,
/// `offsetofend(last field)`.
fn struct_of(f: Func) -> (&'static str, usize, usize) {
    match f {
        Func::Create => ("bpf_link_create_opts", 80, 76),
        Func::Update => ("bpf_link_update_opts", 24, 20),
        Func::GetFdById => ("bpf_get_fd_by_id_opts", 16, 16),
        Func::RawTp => ("bpf_raw_tp_opts", 24, 24),
        Func::Pin => ("bpf_obj_pin_opts", 16, 16),
        Func::Get => ("bpf_obj_get_opts", 16, 16),
    }
}

const FUNCS: [Func; 6] = [
    Func::Create,
    Func::Update,
    Func::GetFdById,
    Func::RawTp,
    Func::Pin,
    Func::Get,
];

/// A field value written into the struct: offset, bytes.
type Field = (usize, Vec<u8>);

fn u32f(off: usize, v: u32) -> Field {
    (off, v.to_ne_bytes().to_vec())
}

fn u64f(off: usize, v: u64) -> Field {
    (off, v.to_ne_bytes().to_vec())
}

struct Case {
    func: Func,
    what: String,
    /// The struct as placed: `sz` first, `sz` bytes in all.
    bytes: Vec<u8>,
    sz: usize,
    /// Bytes of the struct before the page boundary.
    before: usize,
}

struct Fx {
    cg_prog: OwnedFd,
    cg_prog2: OwnedFd,
    _cgroup: Cgroup,
    cgroup_fd: RawFd,
    map: Counter,
    link: OwnedFd,
    link_id: u32,
    rtp: OwnedFd,
    /// Keeps `sys_enter` probed for the whole test (no enable/disable per
    /// call).
    _holder: OwnedFd,
    pinned: CString,
    pin_target: CString,
    bpffs_dir: OwnedFd,
    sys_enter: CString,
    no_such_tp: CString,
}

fn setup(env: &Env) -> Result<Fx, Skip> {
    let cg_prog = load_trivial(prog_type::CGROUP_SKB, CG_EGRESS, 0, 1, "cg")?;
    let cg_prog2 = load_trivial(prog_type::CGROUP_SKB, CG_EGRESS, 0, 1, "cg2")?;
    let cgroup = Cgroup::new()?;
    let map = Counter::new()?;
    let cgroup_fd = cgroup.raw();
    let l = unsafe { bl::bpf_link_create(cg_prog.as_raw_fd(), cgroup_fd, CG_EGRESS, null()) };
    let link = own(l, "bpf_link_create(cgroup)");
    let link_id = link_info(link.as_raw_fd()).id();
    let rtp = load_trivial(prog_type::RAW_TRACEPOINT, 0, 0, 0, "rawtp")?;
    let sys_enter = CString::new("sys_enter").unwrap();
    let h = unsafe { bl::bpf_raw_tracepoint_open(sys_enter.as_ptr(), rtp.as_raw_fd()) };
    let holder = own(h, "bpf_raw_tracepoint_open(sys_enter)");
    let pinned = env.pin_path("pinned");
    assert_eq!(
        unsafe { bl::bpf_obj_pin(link.as_raw_fd(), pinned.as_ptr()) },
        0
    );
    let dir = CString::new(
        env.bpffs
            .clone()
            .unwrap()
            .into_os_string()
            .into_encoded_bytes(),
    )
    .unwrap();
    let d = unsafe {
        libc::open(
            dir.as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    };
    Ok(Fx {
        cg_prog,
        cg_prog2,
        _cgroup: cgroup,
        cgroup_fd,
        map,
        link,
        link_id,
        rtp,
        _holder: holder,
        pinned,
        pin_target: env.pin_path("p"),
        bpffs_dir: own(d, "open(bpffs)"),
        sys_enter,
        no_such_tp: CString::new("no_such_tp").unwrap(),
    })
}

/// The contents tried for `f` (all other bytes zero); for a `sz` larger
/// than the struct also "tail's last byte 1".
fn variants(f: Func, fx: &Fx) -> Vec<(String, Vec<Field>)> {
    let cg = fx.cg_prog.as_raw_fd() as u32;
    let cg2 = fx.cg_prog2.as_raw_fd() as u32;
    let dirfd = fx.bpffs_dir.as_raw_fd() as u32;
    let ptr = |c: &CString| c.as_ptr() as u64;
    let v = |s: &str, fields: Vec<Field>| (s.to_string(), fields);
    match f {
        Func::Create => vec![
            v("zero", vec![]),
            v("flags 0x80000000", vec![u32f(8, 0x8000_0000)]),
            v("cgroup.expected_revision 1<<40", vec![u64f(40, 1 << 40)]),
            v(
                "cgroup.relative_fd and relative_id",
                vec![u32f(32, cg), u32f(36, 1)],
            ),
            v("uprobe_multi.pid's last byte", vec![(75, vec![1])]),
            v("padding byte 77", vec![(77, vec![1])]),
        ],
        Func::Update => vec![
            v("zero", vec![]),
            v(
                "BPF_F_REPLACE, old_prog_fd = the link's",
                vec![u32f(8, BPF_F_REPLACE), u32f(12, cg)],
            ),
            v(
                "BPF_F_REPLACE, old_prog_fd = another",
                vec![u32f(8, BPF_F_REPLACE), u32f(12, cg2)],
            ),
            v(
                "old_prog_fd and old_map_fd",
                vec![u32f(12, cg), u32f(16, fx.map.raw() as u32)],
            ),
            v("flags 0xffff", vec![u32f(8, 0xffff)]),
            v("padding byte 21", vec![(21, vec![1])]),
        ],
        Func::GetFdById => vec![
            v("zero", vec![]),
            v("open_flags BPF_F_RDONLY", vec![u32f(8, BPF_F_RDONLY)]),
            v("token_fd 7", vec![u32f(12, 7)]),
        ],
        Func::RawTp => vec![
            v("zero (tp_name NULL)", vec![]),
            v("tp_name sys_enter", vec![u64f(8, ptr(&fx.sys_enter))]),
            v("tp_name no_such_tp", vec![u64f(8, ptr(&fx.no_such_tp))]),
            v(
                "tp_name sys_enter, cookie 7",
                vec![u64f(8, ptr(&fx.sys_enter)), u64f(16, 7)],
            ),
        ],
        Func::Pin => vec![
            v("zero", vec![]),
            v("file_flags 0xffff", vec![u32f(8, 0xffff)]),
            v("path_fd 5 without BPF_F_PATH_FD", vec![u32f(12, 5)]),
            v(
                "BPF_F_PATH_FD, path_fd = the bpffs dir",
                vec![u32f(8, BPF_F_PATH_FD), u32f(12, dirfd)],
            ),
        ],
        Func::Get => vec![
            v("zero", vec![]),
            v("file_flags BPF_F_RDONLY", vec![u32f(8, BPF_F_RDONLY)]),
            v("file_flags 0xffff", vec![u32f(8, 0xffff)]),
            v(
                "BPF_F_PATH_FD, path_fd = the bpffs dir",
                vec![u32f(8, BPF_F_PATH_FD), u32f(12, dirfd)],
            ),
        ],
    }
}

/// Where the page boundary falls, in bytes of the struct before it: every
/// position for a struct up to a page; for a longer one every position in
/// the known part and 64 bytes past it, the last 64, and every 97th between.
fn boundary_positions(size: usize, sz: usize) -> Vec<usize> {
    if sz <= PAGE {
        return (0..=sz).collect();
    }
    let mut v: Vec<usize> = (0..=size + 64).collect();
    v.extend((size + 65..sz - 64).step_by(97));
    v.extend(sz - 64..=sz);
    v
}

fn cases(fx: &Fx) -> Vec<Case> {
    let mut out = Vec::new();
    for f in FUNCS {
        let (_, size, _) = struct_of(f);
        for (sz, label) in [
            (size, "sz = libbpf's"),
            (size + 16, "sz = libbpf's + 16"),
            (size + PAGE + 100, "sz = libbpf's + 4196"),
        ] {
            let mut contents = variants(f, fx);
            if sz > size {
                contents.push(("tail's last byte 1".into(), vec![(sz - 1, vec![1])]));
            }
            for (what, fields) in &contents {
                let mut bytes = vec![0u8; sz];
                bytes[..8].copy_from_slice(&sz.to_ne_bytes());
                for (off, val) in fields {
                    bytes[*off..*off + val.len()].copy_from_slice(val);
                }
                for before in boundary_positions(size, sz) {
                    out.push(Case {
                        func: f,
                        what: format!("{label}, {what}"),
                        bytes: bytes.clone(),
                        sz,
                        before,
                    });
                }
            }
        }
    }
    out
}

/// Calls `c.func` of `lib` on the struct at `p`. Allocates nothing.
fn call(lib: &Lib, fx: &Fx, c: &Case, p: *const u8) -> Answer {
    set_errno(0);
    let mut a = match c.func {
        Func::Create => answer_fd(unsafe {
            (lib.link_create)(fx.cg_prog.as_raw_fd(), fx.cgroup_fd, CG_EGRESS, p.cast())
        }),
        Func::Update => answer_int(unsafe {
            (lib.link_update)(fx.link.as_raw_fd(), fx.cg_prog.as_raw_fd(), p.cast())
        }),
        Func::GetFdById => answer_fd(unsafe { (lib.get_fd_by_id_opts)(fx.link_id, p.cast()) }),
        Func::RawTp => {
            answer_fd(unsafe { (lib.raw_tp_open_opts)(fx.rtp.as_raw_fd(), p.cast_mut().cast()) })
        }
        Func::Pin => {
            let a = answer_int(unsafe {
                (lib.obj_pin_opts)(fx.link.as_raw_fd(), fx.pin_target.as_ptr(), p.cast())
            });
            if a.class == 2 {
                unsafe { libc::unlink(fx.pin_target.as_ptr()) };
            }
            a
        }
        Func::Get => answer_fd(unsafe { (lib.obj_get_opts)(fx.pinned.as_ptr(), p.cast()) }),
    };
    take_message(&mut a);
    a
}

/// Two readable pages with two more after them (room for the longest
/// struct), shared with forked children.
struct Region {
    base: *mut u8,
    len: usize,
}

impl Region {
    fn new(len: usize, shared: bool) -> Region {
        let flags = if shared {
            libc::MAP_SHARED | libc::MAP_ANONYMOUS
        } else {
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS
        };
        let p = unsafe {
            libc::mmap(
                null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                flags,
                -1,
                0,
            )
        };
        assert_ne!(p, libc::MAP_FAILED);
        Region {
            base: p.cast(),
            len,
        }
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        unsafe { libc::munmap(self.base.cast(), self.len) };
    }
}

/// Runs every case against `lib` in a child under `mode`; returns the
/// answers and the child's wait status (and the filter check's code).
fn run_mode(lib: &Lib, fx: &Fx, cases: &[Case], mode: Mode) -> (Vec<Answer>, c_int) {
    let structs = Region::new(4 * PAGE, false);
    let out = Region::new((cases.len() + 1) * std::mem::size_of::<Answer>(), true);
    let answers = out.base.cast::<Answer>();
    let status = in_child(|| {
        unsafe { (lib.set_print)(Some(capture)) };
        enter(mode);
        if mode != Mode::OnlyBpf {
            let code = filter_effective(mode);
            if code != 0 {
                return 80 + code;
            }
        }
        for (i, c) in cases.iter().enumerate() {
            if mode == Mode::OnlyBpf && c.sz > struct_of(c.func).1 {
                continue;
            }
            let p = unsafe { structs.base.add(2 * PAGE - c.before) };
            unsafe { std::ptr::copy_nonoverlapping(c.bytes.as_ptr(), p, c.bytes.len()) };
            let traps = TRAPS.load(Ordering::Relaxed);
            let mut a = call(lib, fx, c, p);
            a.traps = TRAPS.load(Ordering::Relaxed) - traps;
            unsafe { answers.add(i).write(a) };
        }
        0
    });
    let got = (0..cases.len())
        .map(|i| unsafe { answers.add(i).read() })
        .collect();
    (got, status)
}

#[test]
fn every_page_position_every_filter() {
    kernel_test_with_bpffs(|env| {
        let fx = setup(env)?;
        let libbpf = match oracle() {
            Ok(l) => l,
            Err(e) => return Err(Skip(format!("no libbpf 1.7.0 to compare with: {e}"))),
        };
        let so = shipped().map_err(Skip)?;
        let ours = bpflink();
        let cases = cases(&fx);
        let (want, st) = run_mode(&libbpf, &fx, &cases, Mode::Open);
        assert_eq!(st, 0, "libbpf, no filter: {}", show_status(st));

        // Sanity: the contents matter (a misread byte would show).
        for f in FUNCS {
            let mut seen: Vec<String> = cases
                .iter()
                .zip(&want)
                .filter(|(c, _)| c.func == f)
                .map(|(_, a)| a.show())
                .collect();
            seen.sort();
            seen.dedup();
            assert!(seen.len() >= 3, "{f:?}: too few distinct answers: {seen:?}");
            println!(
                "{f:?}: {} cases, answers {seen:?}",
                cases.iter().filter(|c| c.func == f).count()
            );
        }

        let modes = [
            Mode::Open,
            Mode::Deny(libc::EPERM),
            Mode::Deny(libc::ENOSYS),
            Mode::Deny(libc::EFAULT),
            Mode::Trap,
            Mode::OnlyBpf,
        ];
        let mut failures = Vec::new();
        let mut straddling_long_traps = 0u64;
        for lib in [&ours, &so, &libbpf] {
            for mode in modes {
                let (got, st) = run_mode(lib, &fx, &cases, mode);
                if st != 0 {
                    failures.push(format!(
                        "{} under {}: child {}",
                        lib.name,
                        mode.show(),
                        show_status(st)
                    ));
                    continue;
                }
                let mut bad = 0;
                for ((c, g), w) in cases.iter().zip(&got).zip(&want) {
                    let (_, size, _) = struct_of(c.func);
                    if mode == Mode::OnlyBpf && c.sz > size {
                        continue;
                    }
                    // `sz` wholly before the boundary, the rest of
                    // the known part after it.
                    let head_crosses = c.before >= 8 && c.before < size;
                    if mode == Mode::Trap && lib.name != "libbpf" {
                        if c.sz <= size && g.traps != 0 {
                            failures.push(format!(
                                        "{}: {:?} {} at boundary +{}: {} fault-free reads for a sz within ours",
                                        lib.name, c.func, c.what, c.before, g.traps
                                    ));
                        }
                        if c.sz > size && head_crosses {
                            straddling_long_traps += u64::from(g.traps);
                            if g.traps == 0 {
                                failures.push(format!(
                                            "{}: {:?} {} at boundary +{}: the known part crosses a page, yet no fault-free read was tried",
                                            lib.name, c.func, c.what, c.before
                                        ));
                            }
                        }
                    }
                    if !g.same_as(w) {
                        bad += 1;
                        if bad <= 10 {
                            failures.push(format!(
                                "{} under {}: {:?} {} at boundary +{}: got {}, libbpf {}",
                                lib.name,
                                mode.show(),
                                c.func,
                                c.what,
                                c.before,
                                g.show(),
                                w.show()
                            ));
                        }
                    }
                }
                println!(
                    "{} under {}: {} cases, {} differ from libbpf",
                    lib.name,
                    mode.show(),
                    cases
                        .iter()
                        .filter(|c| mode != Mode::OnlyBpf || c.sz <= struct_of(c.func).1)
                        .count(),
                    bad
                );
            }
        }
        println!(
            "fault-free reads tried (and denied) for straddling long structs: {straddling_long_traps}"
        );
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        Ok(())
    });
}

// -------------------------------------------- garbage sz: kept, and not

/// Two pages, the second `PROT_NONE`: [`Guard::at_end`] places bytes so
/// that unmapped memory follows them.
struct Guard(Region);

impl Guard {
    fn new() -> Guard {
        let r = Region::new(2 * PAGE, false);
        assert_eq!(
            unsafe { libc::mprotect(r.base.add(PAGE).cast(), PAGE, libc::PROT_NONE) },
            0
        );
        Guard(r)
    }

    fn at_end(&self, bytes: &[u8]) -> *const u8 {
        unsafe {
            let p = self.0.base.add(PAGE - bytes.len());
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
            p
        }
    }
}

fn opts_bytes(sz: usize, len: usize) -> Vec<u8> {
    let mut v = vec![0u8; len];
    v[..8].copy_from_slice(&sz.to_ne_bytes());
    v
}

/// Runs `call` in a child under `mode`: `Ok(ret == want)` as exit code 0 /
/// 1, or the signal that killed it.
fn outcome(mode: Mode, lib: &Lib, call: &dyn Fn(&Lib) -> c_int, want: c_int) -> String {
    let st = in_child(|| {
        unsafe { (lib.set_print)(None) };
        enter(mode);
        let r = call(lib);
        if r == want { 0 } else { 1 }
    });
    if libc::WIFSIGNALED(st) {
        format!("signal {}", libc::WTERMSIG(st))
    } else if libc::WEXITSTATUS(st) == 0 {
        format!("returned {want}")
    } else {
        format!("returned something else ({})", show_status(st))
    }
}

fn libs() -> Vec<Lib> {
    let mut v = vec![bpflink()];
    if let Ok(s) = shipped() {
        v.push(s);
    }
    v
}

const SEGV: &str = "signal 11";

/// A `sz` larger than ours reaching unmapped memory (81 claimed, 80
/// mapped): with the reader available, `-EFAULT` (the kept deviation);
/// with it denied, bpflink reads like libbpf and crashes like libbpf.
#[test]
fn larger_sz_over_unmapped_memory() {
    let g = Guard::new();
    let o = opts_bytes(81, 80);
    let call = |l: &Lib| unsafe { (l.link_create)(-1, 1, attach::XDP, g.at_end(&o).cast()) };
    for l in libs() {
        assert_eq!(
            outcome(Mode::Open, &l, &call, -libc::EFAULT),
            format!("returned {}", -libc::EFAULT),
            "{}: reader available",
            l.name
        );
        for mode in [
            Mode::Deny(libc::EPERM),
            Mode::Deny(libc::ENOSYS),
            Mode::Deny(libc::EFAULT),
            Mode::Trap,
        ] {
            assert_eq!(
                outcome(mode, &l, &call, 0),
                SEGV,
                "{} under {}",
                l.name,
                mode.show()
            );
        }
    }
    if let Ok(t) = oracle() {
        for mode in [Mode::Open, Mode::Deny(libc::EPERM)] {
            assert_eq!(
                outcome(mode, &t, &call, 0),
                SEGV,
                "libbpf under {}",
                mode.show()
            );
        }
    }
}

/// The one place a denied reader costs more than libbpf: a `sz` with the
/// top bit set ("negative" length: libbpf checks no byte) on a 32-byte
/// struct followed by unmapped memory. libbpf reads only bytes [0, 32)
/// for BPF_XDP and gets the kernel's `-EBADF`; bpflink copies its whole
/// 80-byte struct first: `-EFAULT` with the reader, a crash without it.
#[test]
fn top_bit_sz_on_a_short_struct_with_the_reader_denied() {
    let g = Guard::new();
    let o = opts_bytes((1 << 63) + 76, 32);
    let call = |l: &Lib| unsafe { (l.link_create)(-1, 1, attach::XDP, g.at_end(&o).cast()) };
    for l in libs() {
        assert_eq!(
            outcome(Mode::Open, &l, &call, -libc::EFAULT),
            format!("returned {}", -libc::EFAULT),
            "{}",
            l.name
        );
        assert_eq!(
            outcome(Mode::Deny(libc::EPERM), &l, &call, 0),
            SEGV,
            "{}",
            l.name
        );
    }
    if let Ok(t) = oracle() {
        let want = if unsafe { libc::geteuid() } == 0 {
            -libc::EBADF
        } else {
            -libc::EPERM
        };
        for mode in [Mode::Open, Mode::Deny(libc::EPERM)] {
            assert_eq!(
                outcome(mode, &t, &call, want),
                format!("returned {want}"),
                "libbpf under {}",
                mode.show()
            );
        }
    }
}

/// A `sz` no larger than ours is the caller's promise that `sz` bytes are
/// there, and bpflink reads them all directly (no syscall): where the
/// mapping ends earlier, bpflink crashes. libbpf crashes too wherever it
/// reads up to `sz` (almost every call: `OPTS_VALID`/`OPTS_ZEROED` scan to
/// `sz`), but survives where the call uses only a prefix: here
/// `bpf_link_get_fd_by_id_opts` (it never reads `token_fd`).
#[test]
fn sz_within_ours_over_unmapped_memory() {
    let g = Guard::new();
    let fd_opts = opts_bytes(16, 12);
    let get_fd = |l: &Lib| unsafe { (l.get_fd_by_id_opts)(0x7fff_fff0, g.at_end(&fd_opts).cast()) };
    let create_opts = opts_bytes(80, 76);
    let create =
        |l: &Lib| unsafe { (l.link_create)(-1, 1, attach::XDP, g.at_end(&create_opts).cast()) };
    for l in libs() {
        assert_eq!(
            outcome(Mode::Open, &l, &get_fd, 0),
            SEGV,
            "{}: get_fd_by_id_opts",
            l.name
        );
        assert_eq!(
            outcome(Mode::Open, &l, &create, 0),
            SEGV,
            "{}: link_create",
            l.name
        );
    }
    if let Ok(t) = oracle() {
        let r = outcome(Mode::Open, &t, &get_fd, -libc::ENOENT);
        let denied = outcome(Mode::Open, &t, &get_fd, -libc::EPERM);
        assert!(
            r == format!("returned {}", -libc::ENOENT)
                || denied == format!("returned {}", -libc::EPERM),
            "libbpf survives get_fd_by_id_opts: {r} / {denied}"
        );
        assert_eq!(
            outcome(Mode::Open, &t, &create, 0),
            SEGV,
            "libbpf: link_create"
        );
    }
}

/// The filters themselves: each really takes the reader's syscalls away
/// (and the kill filter kills on them).
#[test]
fn the_filters_do_what_they_say() {
    for mode in [
        Mode::Deny(libc::EPERM),
        Mode::Deny(libc::ENOSYS),
        Mode::Deny(libc::EFAULT),
        Mode::Trap,
    ] {
        let st = in_child(|| {
            enter(mode);
            let code = filter_effective(mode);
            if code != 0 {
                return code;
            }
            let mut b = 0u8;
            let local = libc::iovec {
                iov_base: (&raw mut b).cast(),
                iov_len: 1,
            };
            let x = 1u8;
            let remote = libc::iovec {
                iov_base: (&raw const x).cast_mut().cast(),
                iov_len: 1,
            };
            let n = unsafe { libc::process_vm_readv(1, &local, 1, &remote, 1, 0) };
            if n != -1 { 10 } else { 0 }
        });
        assert_eq!(st, 0, "{}: {}", mode.show(), show_status(st));
    }
    let st = in_child(|| {
        enter(Mode::OnlyBpf);
        unsafe { libc::getpid() };
        0
    });
    assert!(
        libc::WIFSIGNALED(st) && libc::WTERMSIG(st) == libc::SIGSYS,
        "kill filter: {}",
        show_status(st)
    );
}

/// The fault-free reader itself: whole reads, a range running into an
/// unmapped page (the kernel copies the mapped part and stops: a short
/// count, taken as unmapped), a range wholly unmapped, and under each
/// filter "unavailable" (a filter answering `EFAULT` is found out by a
/// read of memory that is certainly mapped).
#[test]
fn fault_free_reader_answers() {
    use bpflink_core::sys::{Probe, read_fault_free};
    let g = Guard::new();
    let base = g.0.base as usize;
    let mut buf = [0u8; 64];
    unsafe { g.0.base.add(PAGE - 32).write_bytes(7, 32) };
    assert_eq!(read_fault_free(base + PAGE - 64, &mut buf), Probe::Read);
    assert_eq!(buf[63], 7);
    assert_eq!(read_fault_free(base + PAGE - 32, &mut buf), Probe::Unmapped);
    assert_eq!(read_fault_free(base + PAGE, &mut buf), Probe::Unmapped);
    assert_eq!(read_fault_free(base + PAGE, &mut []), Probe::Read);
    for mode in [
        Mode::Deny(libc::EPERM),
        Mode::Deny(libc::ENOSYS),
        Mode::Deny(libc::EFAULT),
        Mode::Trap,
    ] {
        let st = in_child(|| {
            enter(mode);
            let mut buf = [0u8; 8];
            let mapped = read_fault_free(base + PAGE - 64, &mut buf);
            let unmapped = read_fault_free(base + PAGE, &mut buf);
            i32::from(mapped != Probe::Unavailable) + 2 * i32::from(unmapped != Probe::Unavailable)
        });
        assert_eq!(st, 0, "{}: {}", mode.show(), show_status(st));
    }
}
