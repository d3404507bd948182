//! Test-only helpers shared by bpflink's real-kernel tests: the C library's
//! (`tests/` at the top), the Rust crate's (`crates/bpflink/tests`) and the
//! tool's (`crates/bpflink-tool/tests`).
//!
//! Nothing here goes through bpflink: programs and maps are created, and
//! links looked at, with raw `bpf(2)` calls (libc `syscall`), so a bpflink
//! bug cannot hide behind its own helpers.
//!
//! * the UAPI numbers the tests use, once ([`uapi`]: `cmd`, `prog_type`,
//!   `attach`, `link_type`, `map_type`, flags, helper ids), checked against
//!   bpflink-core's copy by a unit test;
//! * a tiny BPF loader ([`Insn`], [`load_prog`]) with hand-assembled programs;
//! * ARRAY-map counters ([`Counter`]);
//! * a minimal BTF parser for `/sys/kernel/btf/vmlinux` ([`btf_find`]);
//! * isolation ([`isolated`]): the test body runs on a fresh thread after
//!   `unshare(CLONE_NEWNET|CLONE_NEWNS)` (and optionally `CLONE_FILES`), with
//!   `/` made private, `lo` up and, when asked, a private bpffs instance;
//! * cgroup v2 directories that remove themselves ([`Cgroup`]);
//! * [`skip`] (a failure when `CI=true`) and bounded polling for asynchronous
//!   link release ([`wait_link_gone`]).
#![allow(
    dead_code,
    clippy::new_without_default,
    clippy::missing_safety_doc,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::ffi::{CString, c_int};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------- constants

pub mod uapi;
pub use uapi::*;

const BPF_FS_MAGIC: i64 = 0xcafe_4a11;
const CGROUP2_SUPER_MAGIC: i64 = 0x6367_7270;

// ------------------------------------------------------------- skip, lock

/// Why a test could not run here (not root, no BPF, no cgroup2, …).
#[derive(Debug)]
pub struct Skip(pub String);

pub type TestResult = Result<(), Skip>;

/// Reports a test that could not run: under `CI=true` a failure (panics);
/// otherwise the line `SKIP <test>: <reason>` goes straight to fd 2, past
/// libtest's output capture, so a skip shows as a skip and not as a quiet
/// "ok"; `tests/run-all.sh` counts these lines and does not count the test
/// as passed.
pub fn skip(reason: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("SKIP is a failure in CI (CI=true): {reason}");
    }
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("?");
    let line = format!("SKIP {test}: {reason}\n");
    // SAFETY: writes a live buffer to fd 2; a short or failed write only
    // loses the notice.
    unsafe { libc::write(2, line.as_ptr().cast(), line.len()) };
}

/// Reports the outcome of a test body: `Err(Skip)` goes through [`skip`].
pub fn finish(r: TestResult) {
    if let Err(Skip(reason)) = r {
        skip(&reason);
    }
}

/// How a real-kernel test runs: one at a time ([`serial`]), only where BPF
/// can be used ([`require_bpf`]), the body in private namespaces
/// ([`isolated`] with `iso`); a skip goes through [`finish`].
pub fn kernel_test(iso: Iso, body: impl FnOnce(&Env) -> TestResult + Send) {
    kernel_test_here(|| isolated(iso, body));
}

/// [`kernel_test`] in this thread's own namespaces: for a body that calls
/// [`isolated`] itself, or needs the host's (a uprobe counted in a child).
pub fn kernel_test_here(body: impl FnOnce() -> TestResult) {
    let _guard = serial();
    finish(require_bpf().and_then(|()| body()));
}

/// [`kernel_test`] with a private bpffs mounted (`env.bpffs`).
pub fn kernel_test_with_bpffs(body: impl FnOnce(&Env) -> TestResult + Send) {
    kernel_test(
        Iso {
            bpffs: true,
            ..Iso::default()
        },
        body,
    );
}

static LOCK: Mutex<()> = Mutex::new(());

/// The tests run one at a time: they share the process's fd table, the
/// (global) raw tracepoints and the host's link id space.
pub fn serial() -> MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

// ----------------------------------------------------------------- errno

pub fn errno() -> c_int {
    // SAFETY: __errno_location always returns this thread's errno.
    unsafe { *libc::__errno_location() }
}

pub fn set_errno(e: c_int) {
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = e }
}

/// Runs a C-style call with errno cleared first; returns (ret, errno after).
pub fn c_call(f: impl FnOnce() -> c_int) -> (c_int, c_int) {
    set_errno(0);
    let r = f();
    let e = errno();
    (r, e)
}

pub fn errname(e: c_int) -> String {
    std::io::Error::from_raw_os_error(e).to_string()
}

/// Wraps an fd a call returned (asserting it is a valid fd ≥ 3).
pub fn own(fd: c_int, what: &str) -> OwnedFd {
    assert!(
        fd >= 3,
        "{what}: expected an fd >= 3, got {fd} (errno {})",
        errname(errno())
    );
    // SAFETY: the fd was just returned to us by a successful call and nobody
    // else owns it.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

pub fn is_cloexec(fd: RawFd) -> bool {
    // SAFETY: F_GETFD takes no pointer.
    let fl = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    fl >= 0 && fl & libc::FD_CLOEXEC != 0
}

pub fn fd_is_open(fd: RawFd) -> bool {
    // SAFETY: F_GETFD takes no pointer.
    unsafe { libc::fcntl(fd, libc::F_GETFD) >= 0 }
}

/// An fd number that is certainly not open in this process.
pub fn closed_fd() -> RawFd {
    (4000..100_000)
        .find(|&fd| !fd_is_open(fd))
        .unwrap_or(i32::MAX)
}

// ------------------------------------------------------------- raw bpf(2)

/// `bpf(cmd, attr, attr.len())`; `Ok(ret)` or `Err(errno)`.
pub fn sys_bpf(cmd: u32, attr: &mut [u8]) -> Result<i64, c_int> {
    // SAFETY: `attr` is a live buffer of exactly the size passed; pointers
    // inside it were put there by the caller and are live for the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_bpf,
            cmd as libc::c_long,
            attr.as_mut_ptr(),
            attr.len() as libc::c_uint,
        )
    };
    if r < 0 { Err(errno()) } else { Ok(r) }
}

fn put_u32(b: &mut [u8], off: usize, v: u32) {
    b[off..off + 4].copy_from_slice(&v.to_ne_bytes());
}

fn put_u64(b: &mut [u8], off: usize, v: u64) {
    b[off..off + 8].copy_from_slice(&v.to_ne_bytes());
}

pub fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_ne_bytes(b[off..off + 4].try_into().unwrap())
}

pub fn u64_at(b: &[u8], off: usize) -> u64 {
    u64::from_ne_bytes(b[off..off + 8].try_into().unwrap())
}

// ------------------------------------------------------------ instructions

/// `struct bpf_insn`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Insn {
    pub code: u8,
    pub regs: u8, // dst_reg:4 (low), src_reg:4 (high)
    pub off: i16,
    pub imm: i32,
}

const fn insn(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> Insn {
    Insn {
        code,
        regs: (dst & 0xf) | (src << 4),
        off,
        imm,
    }
}

pub mod asm {
    use super::{Insn, insn};
    pub const R0: u8 = 0;
    pub const R1: u8 = 1;
    pub const R2: u8 = 2;
    pub const R3: u8 = 3;
    pub const R6: u8 = 6;
    pub const R7: u8 = 7;
    pub const R10: u8 = 10;
    /// BPF_ALU64 | BPF_MOV | BPF_K
    pub const fn mov64_imm(dst: u8, imm: i32) -> Insn {
        insn(0xb7, dst, 0, 0, imm)
    }
    /// BPF_ALU64 | BPF_MOV | BPF_X
    pub const fn mov64_reg(dst: u8, src: u8) -> Insn {
        insn(0xbf, dst, src, 0, 0)
    }
    /// BPF_ALU64 | BPF_ADD | BPF_K
    pub const fn add64_imm(dst: u8, imm: i32) -> Insn {
        insn(0x07, dst, 0, 0, imm)
    }
    /// BPF_JMP | BPF_EXIT
    pub const fn exit() -> Insn {
        insn(0x95, 0, 0, 0, 0)
    }
    /// BPF_JMP | BPF_CALL
    pub const fn call(helper: i32) -> Insn {
        insn(0x85, 0, 0, 0, helper)
    }
    /// BPF_ST | BPF_MEM | BPF_W
    pub const fn st_w(dst: u8, off: i16, imm: i32) -> Insn {
        insn(0x62, dst, 0, off, imm)
    }
    /// BPF_LDX | BPF_MEM | BPF_DW
    pub const fn ldx_dw(dst: u8, src: u8, off: i16) -> Insn {
        insn(0x79, dst, src, off, 0)
    }
    /// BPF_JMP | BPF_JEQ | BPF_K
    pub const fn jeq_imm(dst: u8, imm: i32, off: i16) -> Insn {
        insn(0x15, dst, 0, off, imm)
    }
    /// BPF_STX | BPF_ATOMIC | BPF_DW, imm = BPF_ADD
    pub const fn atomic_add_dw(dst: u8, src: u8, off: i16) -> Insn {
        insn(0xdb, dst, src, off, 0)
    }
    /// BPF_LD | BPF_DW | BPF_IMM with src = BPF_PSEUDO_MAP_FD (2 slots).
    pub const fn ld_map_fd(dst: u8, fd: i32) -> [Insn; 2] {
        [insn(0x18, dst, 1, 0, fd), insn(0, 0, 0, 0, 0)]
    }
}

/// `r0 = ret; exit`.
pub fn ret_insns(ret: i32) -> Vec<Insn> {
    vec![asm::mov64_imm(asm::R0, ret), asm::exit()]
}

/// `(*counter)++` (ARRAY map, key 0, u64), then `return ret`.
pub fn counter_insns(map_fd: RawFd, ret: i32) -> Vec<Insn> {
    use asm::*;
    let ld = ld_map_fd(R1, map_fd);
    vec![
        st_w(R10, -4, 0),
        mov64_reg(R2, R10),
        add64_imm(R2, -4),
        ld[0],
        ld[1],
        call(BPF_FUNC_MAP_LOOKUP_ELEM),
        jeq_imm(R0, 0, 2),
        mov64_imm(R1, 1),
        atomic_add_dw(R0, R1, 0),
        mov64_imm(R0, ret),
        exit(),
    ]
}

/// Task iterator body: for every task, `bpf_seq_write(meta->seq, "task...\n",
/// 8)`; the final call (task == NULL) writes nothing.
pub fn iter_task_insns() -> Vec<Insn> {
    use asm::*;
    vec![
        ldx_dw(R6, R1, 0), // ctx->meta
        ldx_dw(R7, R1, 8), // ctx->task
        jeq_imm(R7, 0, 7),
        ldx_dw(R1, R6, 0),          // meta->seq
        st_w(R10, -8, 0x6b73_6174), // "task"
        st_w(R10, -4, 0x0a2e_2e2e), // "...\n"
        mov64_reg(R2, R10),
        add64_imm(R2, -8),
        mov64_imm(R3, 8),
        call(BPF_FUNC_SEQ_WRITE),
        mov64_imm(R0, 0),
        exit(),
    ]
}

// ------------------------------------------------------------------ loader

/// What to load.
#[derive(Clone, Copy)]
pub struct ProgSpec<'a> {
    pub prog_type: u32,
    pub expected_attach_type: u32,
    pub attach_btf_id: u32,
    pub insns: &'a [Insn],
    pub name: &'a str,
}

/// A load failure: errno and the verifier log (from a retry with a log).
#[derive(Debug)]
pub struct LoadError {
    pub errno: c_int,
    pub log: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}; verifier log: {}", errname(self.errno), self.log)
    }
}

fn prog_load_attr(spec: &ProgSpec<'_>, license: &CString, log: Option<&mut [u8]>) -> [u8; 128] {
    let mut a = [0u8; 128];
    put_u32(&mut a, 0, spec.prog_type);
    put_u32(&mut a, 4, spec.insns.len() as u32);
    put_u64(&mut a, 8, spec.insns.as_ptr() as u64);
    put_u64(&mut a, 16, license.as_ptr() as u64);
    if let Some(log) = log {
        put_u32(&mut a, 24, 1); // log_level
        put_u32(&mut a, 28, log.len() as u32);
        put_u64(&mut a, 32, log.as_mut_ptr() as u64);
    }
    let name = spec.name.as_bytes();
    let n = name.len().min(15);
    a[48..48 + n].copy_from_slice(&name[..n]);
    put_u32(&mut a, 68, spec.expected_attach_type);
    put_u32(&mut a, 108, spec.attach_btf_id);
    a
}

/// `BPF_PROG_LOAD`, license "GPL". On failure the load is retried with a
/// log buffer so the error carries the verifier's explanation.
pub fn load_prog(spec: ProgSpec<'_>) -> Result<OwnedFd, LoadError> {
    let license = CString::new("GPL").unwrap();
    let mut attr = prog_load_attr(&spec, &license, None);
    let e = match sys_bpf(cmd::PROG_LOAD, &mut attr) {
        Ok(fd) => return Ok(own(fd as c_int, "BPF_PROG_LOAD")),
        Err(e) => e,
    };
    let mut log = vec![0u8; 1 << 16];
    let mut attr = prog_load_attr(&spec, &license, Some(&mut log));
    let e2 = match sys_bpf(cmd::PROG_LOAD, &mut attr) {
        // Cannot really happen; do not leak it.
        Ok(fd) => return Ok(own(fd as c_int, "BPF_PROG_LOAD (with log)")),
        Err(e2) => e2,
    };
    let end = log.iter().position(|&b| b == 0).unwrap_or(log.len());
    let text = String::from_utf8_lossy(&log[..end]).into_owned();
    let skip = text.chars().count().saturating_sub(1500);
    Err(LoadError {
        errno: if e2 != 0 { e2 } else { e },
        log: text.chars().skip(skip).collect(),
    })
}

/// Loads `spec` or fails the test with the verifier log. `EPERM` (BPF not
/// allowed here) becomes a skip.
pub fn must_load(spec: ProgSpec<'_>) -> Result<OwnedFd, Skip> {
    match load_prog(spec) {
        Ok(fd) => Ok(fd),
        Err(e) if e.errno == libc::EPERM => Err(Skip(format!(
            "BPF_PROG_LOAD of {} (type {}) is not permitted here: {e}",
            spec.name, spec.prog_type
        ))),
        Err(e) => panic!("BPF_PROG_LOAD of {} failed: {e}", spec.name),
    }
}

/// Loads a `return ret` program.
pub fn load_trivial(
    prog_type: u32,
    expected: u32,
    btf_id: u32,
    ret: i32,
    name: &str,
) -> Result<OwnedFd, Skip> {
    let insns = ret_insns(ret);
    must_load(ProgSpec {
        prog_type,
        expected_attach_type: expected,
        attach_btf_id: btf_id,
        insns: &insns,
        name,
    })
}

/// `BPF_OBJ_GET_INFO_BY_FD` (15) into `buf`, raw: the length the kernel
/// wrote back, or the errno.
///
/// # Safety
/// Any address the caller placed inside `buf` is writable for the length
/// given beside it.
pub unsafe fn obj_info_raw(fd: RawFd, buf: &mut [u8]) -> Result<u32, c_int> {
    let mut attr = [0u8; 16];
    put_u32(&mut attr, 0, fd as u32);
    put_u32(&mut attr, 4, buf.len() as u32);
    put_u64(&mut attr, 8, buf.as_mut_ptr() as u64);
    sys_bpf(cmd::OBJ_GET_INFO_BY_FD, &mut attr)?;
    Ok(u32_at(&attr, 4))
}

/// `BPF_LINK_GET_FD_BY_ID` (30), raw: an owned fd or the errno.
pub fn link_fd_by_id_raw(id: u32) -> Result<OwnedFd, c_int> {
    let mut attr = [0u8; 12];
    put_u32(&mut attr, 0, id);
    let fd = sys_bpf(cmd::LINK_GET_FD_BY_ID, &mut attr)?;
    // SAFETY: a new fd the kernel just gave us.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// The kernel's id of a program (`struct bpf_prog_info`: id @4).
pub fn prog_id(prog: &OwnedFd) -> u32 {
    let mut info = [0u8; 256]; // zeroed: more than the kernel's struct
    // SAFETY: a zeroed request holds no address.
    let r = unsafe { obj_info_raw(prog.as_raw_fd(), &mut info) };
    assert!(r.is_ok(), "BPF_OBJ_GET_INFO_BY_FD(prog): {r:?}");
    let id = u32_at(&info, 4);
    assert_ne!(id, 0, "prog id");
    id
}

/// Checks that this process may use bpf(2) at all: root, and a trivial
/// SOCKET_FILTER program loads.
pub fn require_bpf() -> TestResult {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err(Skip("not running as root (euid != 0)".into()));
    }
    let insns = ret_insns(0);
    match load_prog(ProgSpec {
        prog_type: prog_type::SOCKET_FILTER,
        expected_attach_type: 0,
        attach_btf_id: 0,
        insns: &insns,
        name: "probe",
    }) {
        Ok(_) => Ok(()),
        Err(e) => Err(Skip(format!("cannot load a trivial BPF program: {e}"))),
    }
}

// ------------------------------------------------------------- map counter

/// An ARRAY map with one u64 slot, bumped by [`counter_insns`].
pub struct Counter {
    pub fd: OwnedFd,
}

impl Counter {
    pub fn new() -> Result<Counter, Skip> {
        let mut a = [0u8; 64];
        put_u32(&mut a, 0, 2); // BPF_MAP_TYPE_ARRAY
        put_u32(&mut a, 4, 4); // key_size
        put_u32(&mut a, 8, 8); // value_size
        put_u32(&mut a, 12, 1); // max_entries
        a[28..32].copy_from_slice(b"cnt\0");
        match sys_bpf(cmd::MAP_CREATE, &mut a) {
            Ok(fd) => Ok(Counter {
                fd: own(fd as c_int, "BPF_MAP_CREATE"),
            }),
            Err(e) if e == libc::EPERM => Err(Skip(format!("BPF_MAP_CREATE: {}", errname(e)))),
            Err(e) => panic!("BPF_MAP_CREATE(ARRAY) failed: {}", errname(e)),
        }
    }

    pub fn get(&self) -> u64 {
        let key = 0u32;
        let mut val = 0u64;
        let mut a = [0u8; 32];
        put_u32(&mut a, 0, self.fd.as_raw_fd() as u32);
        put_u64(&mut a, 8, &key as *const u32 as u64);
        put_u64(&mut a, 16, &mut val as *mut u64 as u64);
        let r = sys_bpf(cmd::MAP_LOOKUP_ELEM, &mut a);
        assert!(r.is_ok(), "BPF_MAP_LOOKUP_ELEM: {:?}", r.map_err(errname));
        val
    }

    pub fn raw(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

// -------------------------------------------------------------------- BTF

struct Btf {
    /// (kind, name_off) by type id; index 0 is `void`.
    types: Vec<(u32, u32)>,
    strings: Vec<u8>,
    /// Where each type's record starts in `raw` (index 0: unused).
    records: Vec<usize>,
    /// The whole BTF blob (for [`btf_struct`]).
    raw: Vec<u8>,
}

fn parse_btf(data: &[u8]) -> Result<Btf, String> {
    let rd = |off: usize| -> Result<u32, String> {
        data.get(off..off + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(|| format!("BTF truncated at {off}"))
    };
    if data.len() < 24 || u16::from_le_bytes([data[0], data[1]]) != 0xeb9f {
        return Err("bad BTF magic".into());
    }
    let hdr_len = rd(4)? as usize;
    let (type_off, type_len) = (rd(8)? as usize, rd(12)? as usize);
    let (str_off, str_len) = (rd(16)? as usize, rd(20)? as usize);
    let strings = data
        .get(hdr_len + str_off..hdr_len + str_off + str_len)
        .ok_or("BTF string section out of range")?
        .to_vec();
    let mut types = vec![(0, 0)];
    let mut records = vec![0];
    let mut p = hdr_len + type_off;
    let end = p + type_len;
    while p < end {
        records.push(p);
        let name_off = rd(p)?;
        let info = rd(p + 4)?;
        let kind = (info >> 24) & 0x1f;
        let vlen = (info & 0xffff) as usize;
        p += 12;
        p += match kind {
            1 => 4,                    // INT
            3 => 12,                   // ARRAY
            4 | 5 => vlen * 12,        // STRUCT, UNION
            6 => vlen * 8,             // ENUM
            13 => vlen * 8,            // FUNC_PROTO
            14 => 4,                   // VAR
            15 => vlen * 12,           // DATASEC
            17 => 4,                   // DECL_TAG
            19 => vlen * 12,           // ENUM64
            2 | 7..=12 | 16 | 18 => 0, // PTR FWD TYPEDEF VOLATILE CONST RESTRICT FUNC FLOAT TYPE_TAG
            k => return Err(format!("unknown BTF kind {k} at type {}", types.len())),
        };
        types.push((kind, name_off));
    }
    Ok(Btf {
        types,
        strings,
        records,
        raw: data.to_vec(),
    })
}

fn vmlinux_btf() -> Result<&'static Btf, Skip> {
    static BTF: OnceLock<Result<Btf, String>> = OnceLock::new();
    BTF.get_or_init(|| {
        let data = std::fs::read("/sys/kernel/btf/vmlinux")
            .map_err(|e| format!("/sys/kernel/btf/vmlinux: {e}"))?;
        parse_btf(&data)
    })
    .as_ref()
    .map_err(|e| Skip(format!("no usable vmlinux BTF: {e}")))
}

/// The vmlinux BTF type id of `name` with the given kind.
pub fn btf_find(kind: u32, name: &str) -> Result<u32, Skip> {
    let btf = vmlinux_btf()?;
    let want = name.as_bytes();
    for (id, &(k, off)) in btf.types.iter().enumerate().skip(1) {
        if k != kind {
            continue;
        }
        let s = btf.strings.get(off as usize..).unwrap_or(&[]);
        let len = s.iter().position(|&b| b == 0).unwrap_or(s.len());
        if &s[..len] == want {
            return Ok(id as u32);
        }
    }
    Err(Skip(format!(
        "BTF kind {kind} '{name}' not found in vmlinux"
    )))
}

/// One member of a BTF struct: its name, type id and bit offset.
#[derive(Clone, Debug)]
pub struct BtfMember {
    pub name: String,
    pub type_id: u32,
    pub bit_offset: u32,
}

/// A vmlinux BTF struct: type id, byte size and members in order (the
/// member's index is its position here).
#[derive(Clone, Debug)]
pub struct BtfStruct {
    pub id: u32,
    pub size: u32,
    pub members: Vec<BtfMember>,
}

impl BtfStruct {
    /// (index, byte offset) of member `name`.
    pub fn member(&self, name: &str) -> Option<(u32, usize)> {
        self.members
            .iter()
            .position(|m| m.name == name)
            .map(|i| (i as u32, (self.members[i].bit_offset / 8) as usize))
    }
}

/// The layout of the vmlinux BTF struct `name` (for struct_ops values).
pub fn btf_struct(name: &str) -> Result<BtfStruct, Skip> {
    let id = btf_find(btf_kind::STRUCT, name)?;
    let btf = vmlinux_btf()?;
    let rd = |off: usize| -> u32 {
        btf.raw
            .get(off..off + 4)
            .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let str_at = |off: u32| -> String {
        let s = btf.strings.get(off as usize..).unwrap_or(&[]);
        let len = s.iter().position(|&b| b == 0).unwrap_or(s.len());
        String::from_utf8_lossy(&s[..len]).into_owned()
    };
    let p = btf.records[id as usize];
    let info = rd(p + 4);
    let size = rd(p + 8);
    let kind_flag = info & 0x8000_0000 != 0;
    let vlen = (info & 0xffff) as usize;
    let members = (0..vlen)
        .map(|i| {
            let m = p + 12 + i * 12;
            let off = rd(m + 8);
            BtfMember {
                name: str_at(rd(m)),
                type_id: rd(m + 4),
                // With kind_flag the top 8 bits are the bitfield size.
                bit_offset: if kind_flag { off & 0x00ff_ffff } else { off },
            }
        })
        .collect();
    Ok(BtfStruct { id, size, members })
}

// -------------------------------------------------------------- isolation

static SEQ: AtomicU32 = AtomicU32::new(0);

/// A name unique to this process and call: `bpflink-test-<pid>-<n>`.
pub fn unique_name() -> String {
    format!(
        "bpflink-test-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    )
}

/// What the isolated thread needs.
#[derive(Clone, Copy, Default)]
pub struct Iso {
    /// Mount a private bpffs instance (see [`Env::bpffs`]).
    pub bpffs: bool,
    /// Also unshare the fd table (the thread may then close fds 0–2).
    pub private_fds: bool,
}

/// What the test body gets.
pub struct Env {
    /// The private bpffs mount point, when asked for.
    pub bpffs: Option<PathBuf>,
}

impl Env {
    /// `<bpffs>/<name>` as a C string.
    pub fn pin_path(&self, name: &str) -> CString {
        let dir = self
            .bpffs
            .as_ref()
            .expect("Iso { bpffs: true } was not asked for");
        CString::new(dir.join(name).into_os_string().into_encoded_bytes()).unwrap()
    }
}

fn cstr(p: &Path) -> CString {
    CString::new(p.as_os_str().as_encoded_bytes()).unwrap()
}

fn statfs_magic(p: &Path) -> Option<i64> {
    let c = cstr(p);
    // SAFETY: zeroed statfs is a valid out-buffer.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a C string, `st` a writable statfs.
    let r = unsafe { libc::statfs(c.as_ptr(), &mut st) };
    (r == 0).then_some(st.f_type as i64)
}

fn lo_up() -> Result<(), String> {
    // SAFETY: plain socket(2).
    let s = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if s < 0 {
        return Err(format!("socket: {}", errname(errno())));
    }
    // SAFETY: just created, owned here.
    let s = unsafe { OwnedFd::from_raw_fd(s) };
    // SAFETY: zeroed ifreq is valid.
    let mut ifr: libc::ifreq = unsafe { std::mem::zeroed() };
    for (d, &c) in ifr.ifr_name.iter_mut().zip(b"lo\0") {
        *d = c as libc::c_char;
    }
    // SAFETY: SIOCGIFFLAGS/SIOCSIFFLAGS read and write a struct ifreq.
    unsafe {
        if libc::ioctl(s.as_raw_fd(), libc::SIOCGIFFLAGS, &mut ifr) < 0 {
            return Err(format!("SIOCGIFFLAGS lo: {}", errname(errno())));
        }
        ifr.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
        if libc::ioctl(s.as_raw_fd(), libc::SIOCSIFFLAGS, &ifr) < 0 {
            return Err(format!("SIOCSIFFLAGS lo up: {}", errname(errno())));
        }
    }
    Ok(())
}

/// Prepares the current (fresh) thread: private netns + mount ns, `/`
/// private, lo up, optional bpffs at `mnt`.
fn enter_isolation(iso: Iso, mnt: Option<&Path>) -> Result<(), Skip> {
    let mut flags = libc::CLONE_NEWNET | libc::CLONE_NEWNS;
    if iso.private_fds {
        flags |= libc::CLONE_FILES;
    }
    // SAFETY: unshare affects only this thread's namespaces/fd table.
    if unsafe { libc::unshare(flags) } != 0 {
        return Err(Skip(format!(
            "unshare(CLONE_NEWNET|CLONE_NEWNS): {}",
            errname(errno())
        )));
    }
    let root = CString::new("/").unwrap();
    // SAFETY: mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL).
    let r = unsafe {
        libc::mount(
            std::ptr::null(),
            root.as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        )
    };
    // Never go on without this: later mounts would propagate to the host.
    assert_eq!(r, 0, "making / private failed: {}", errname(errno()));
    lo_up().map_err(Skip)?;
    if let Some(dir) = mnt {
        let d = cstr(dir);
        let (src, fstype) = (CString::new("bpf").unwrap(), CString::new("bpf").unwrap());
        // SAFETY: all C strings live across the call.
        let r = unsafe {
            libc::mount(
                src.as_ptr(),
                d.as_ptr(),
                fstype.as_ptr(),
                0,
                std::ptr::null(),
            )
        };
        if r != 0 {
            return Err(Skip(format!(
                "mount -t bpf on {}: {}",
                dir.display(),
                errname(errno())
            )));
        }
        assert_eq!(
            statfs_magic(dir),
            Some(BPF_FS_MAGIC),
            "{} is not bpffs",
            dir.display()
        );
    }
    Ok(())
}

/// Runs `body` on a fresh thread in a private network and mount namespace
/// (and a private bpffs if asked). Everything the body creates there (links
/// on its `lo`, pins) disappears with the thread; the bpffs mount point dir
/// is removed afterwards. A panic in the body is re-raised here.
pub fn isolated<T: Send>(
    iso: Iso,
    body: impl FnOnce(&Env) -> Result<T, Skip> + Send,
) -> Result<T, Skip> {
    let mnt = iso.bpffs.then(|| std::env::temp_dir().join(unique_name()));
    if let Some(dir) = &mnt {
        std::fs::create_dir(dir).unwrap_or_else(|e| panic!("mkdir {}: {e}", dir.display()));
    }
    let out = std::thread::scope(|s| {
        s.spawn(|| {
            enter_isolation(iso, mnt.as_deref())?;
            body(&Env { bpffs: mnt.clone() })
        })
        .join()
    });
    if let Some(dir) = &mnt {
        // The mount lives only in the (now gone) private mount namespace.
        let _ = std::fs::remove_dir(dir);
    }
    match out {
        Ok(r) => r,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

// ----------------------------------------------------------------- cgroup

/// A fresh cgroup v2 directory, removed on drop.
pub struct Cgroup {
    pub path: PathBuf,
    pub fd: OwnedFd,
    /// The directory's inode number (= the kernel's cgroup id).
    pub ino: u64,
}

impl Cgroup {
    pub fn new() -> Result<Cgroup, Skip> {
        let root = ["/sys/fs/cgroup/unified", "/sys/fs/cgroup"]
            .iter()
            .map(Path::new)
            .find(|p| statfs_magic(p) == Some(CGROUP2_SUPER_MAGIC))
            .ok_or_else(|| {
                Skip("no cgroup2 hierarchy at /sys/fs/cgroup/unified or /sys/fs/cgroup".into())
            })?;
        let path = root.join(unique_name());
        std::fs::create_dir(&path).map_err(|e| Skip(format!("mkdir {}: {e}", path.display())))?;
        let c = cstr(&path);
        // SAFETY: `c` is a C string.
        let fd = unsafe {
            libc::open(
                c.as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            let e = errname(errno());
            let _ = std::fs::remove_dir(&path);
            panic!("open {}: {e}", path.display());
        }
        // SAFETY: just opened, owned here.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let ino = std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("stat {}: {e}", path.display()))
            .ino();
        Ok(Cgroup { path, fd, ino })
    }

    pub fn raw(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        // A cgroup goes away even with programs still attached; retry
        // briefly in case the kernel is still tearing something down.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match std::fs::remove_dir(&self.path) {
                Ok(()) => return,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
                Err(e) if Instant::now() >= deadline => {
                    eprintln!("warning: could not remove {}: {e}", self.path.display());
                    return;
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
}

// ---------------------------------------------------------------- polling

/// Polls `BPF_LINK_GET_FD_BY_ID(id)` until the kernel answers `ENOENT`
/// (link released; release is asynchronous), for at most 5 s. Returns how
/// long it took, or the last answer.
pub fn wait_link_gone(id: u32) -> Result<Duration, String> {
    let start = Instant::now();
    loop {
        match link_fd_by_id_raw(id) {
            Ok(fd) => drop(fd),
            Err(libc::ENOENT) => return Ok(start.elapsed()),
            Err(e) => {
                return Err(format!("BPF_LINK_GET_FD_BY_ID({id}): errno {}", errname(e)));
            }
        }
        if start.elapsed() > Duration::from_secs(5) {
            return Err(format!("link {id} still alive after 5 s"));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Asserts [`wait_link_gone`].
pub fn assert_link_gone(id: u32) {
    if let Err(e) = wait_link_gone(id) {
        panic!("link {id} was not released: {e}");
    }
}

// ------------------------------------------------------------- link info

/// A `struct bpf_link_info` buffer (the kernel's is 64 bytes in 6.x).
#[repr(C, align(8))]
pub struct LinkInfo(pub [u8; 64]);

impl LinkInfo {
    pub fn new() -> LinkInfo {
        LinkInfo([0; 64])
    }
    pub fn link_type(&self) -> u32 {
        u32_at(&self.0, 0)
    }
    pub fn id(&self) -> u32 {
        u32_at(&self.0, 4)
    }
    pub fn prog_id(&self) -> u32 {
        u32_at(&self.0, 8)
    }
    pub fn u32_at(&self, off: usize) -> u32 {
        u32_at(&self.0, off)
    }
    pub fn u64_at(&self, off: usize) -> u64 {
        u64_at(&self.0, off)
    }
    /// Sets a pointer + length pair (e.g. iter `target_name` @16/@24).
    pub fn set_buf(&mut self, ptr_off: usize, len_off: usize, buf: &mut [u8]) {
        put_u64(&mut self.0, ptr_off, buf.as_mut_ptr() as u64);
        put_u32(&mut self.0, len_off, buf.len() as u32);
    }
}

/// `BPF_OBJ_GET_INFO_BY_FD` of a link into `info` (pre-filled by the
/// caller if it wants strings back); asserts success and returns the length
/// written.
pub fn link_info_into(link: RawFd, info: &mut LinkInfo) -> u32 {
    // SAFETY: pointers set inside `info` via `set_buf` point to live buffers
    // of the length set beside them.
    let r = unsafe { obj_info_raw(link, &mut info.0) };
    let len = match r {
        Ok(len) => len,
        Err(e) => panic!("BPF_OBJ_GET_INFO_BY_FD(link {link}): errno {}", errname(e)),
    };
    assert_eq!(
        len, 64,
        "info_len written back (the kernel's struct is 64 bytes)"
    );
    len
}

/// `bpf_link_get_info_by_fd` with a fresh buffer.
pub fn link_info(link: RawFd) -> LinkInfo {
    let mut info = LinkInfo::new();
    link_info_into(link, &mut info);
    info
}

/// Reads an fd to EOF (bounded size), asserting every read() succeeds.
pub fn read_to_eof(fd: RawFd) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        // SAFETY: `buf` is writable for its length.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        assert!(n >= 0, "read({fd}): {}", errname(errno()));
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&buf[..n as usize]);
        assert!(out.len() < (64 << 20), "read({fd}) does not end");
    }
}

// ------------------------------------------------------------ link churn

/// `BPF_LINK_GET_NEXT_ID` (31), raw: the next link id after `id`, or the
/// errno (`ENOENT` at the end).
pub fn link_next_id_raw(id: u32) -> Result<u32, c_int> {
    let mut attr = [0u8; 12];
    put_u32(&mut attr, 0, id);
    sys_bpf(cmd::LINK_GET_NEXT_ID, &mut attr)?;
    Ok(u32_at(&attr, 4))
}

/// One raw walk over every link id (next id, then fd by id, as libbpf's
/// users do): how many ids answered `EAGAIN` (a link still being created).
/// Other errors than `ENOENT` panic.
pub fn raw_walk_eagain_count() -> usize {
    let (mut id, mut eagain) = (0u32, 0usize);
    loop {
        match link_next_id_raw(id) {
            Ok(next) if next > id => id = next,
            Ok(_) | Err(libc::ENOENT) => return eagain,
            Err(e) => panic!("BPF_LINK_GET_NEXT_ID({id}): {}", errname(e)),
        }
        match link_fd_by_id_raw(id) {
            Ok(fd) => drop(fd),
            Err(libc::EAGAIN) => eagain += 1,
            Err(libc::ENOENT) => {}
            Err(e) => panic!("BPF_LINK_GET_FD_BY_ID({id}): {}", errname(e)),
        }
    }
}

/// Plain walks over all links ([`raw_walk_eagain_count`]) on a thread of
/// their own, one every 500 µs until stopped: how often a walk meets a link
/// still being created, whatever the test itself is doing meanwhile.
pub struct WalkSampler {
    counts: std::sync::Arc<(std::sync::atomic::AtomicBool, AtomicUsize, AtomicUsize)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl WalkSampler {
    pub fn start() -> WalkSampler {
        let counts = std::sync::Arc::new((
            std::sync::atomic::AtomicBool::new(false),
            AtomicUsize::new(0),
            AtomicUsize::new(0),
        ));
        let c = counts.clone();
        let thread = std::thread::spawn(move || {
            while !c.0.load(Ordering::Relaxed) {
                let met = raw_walk_eagain_count();
                c.2.fetch_add(met, Ordering::Relaxed);
                c.1.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_micros(500));
            }
        });
        WalkSampler {
            counts,
            thread: Some(thread),
        }
    }

    /// How many links being created the walks have met so far.
    pub fn met(&self) -> usize {
        self.counts.2.load(Ordering::Relaxed)
    }

    /// Stops sampling: (walks, links being created they met).
    pub fn stop(mut self) -> (usize, usize) {
        self.counts.0.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
        (
            self.counts.1.load(Ordering::Relaxed),
            self.counts.2.load(Ordering::Relaxed),
        )
    }
}

impl Drop for WalkSampler {
    fn drop(&mut self) {
        self.counts.0.store(true, Ordering::Relaxed);
    }
}

/// The environment variable that tells a test binary started by
/// [`Helper::start`] which helper it is.
pub const HELPER_ENV: &str = "BPFLINK_TEST_HELPER";

/// The line a helper prints on stdout once it is doing its job.
pub const HELPER_READY: &str = "bpflink-test-helper: ready";

/// Whether this process was started by [`Helper::start`] as helper `name`
/// (an `#[ignore]`d test that does nothing otherwise).
pub fn is_helper(name: &str) -> bool {
    std::env::var(HELPER_ENV).is_ok_and(|v| v == name)
}

/// Another process: this test binary run again with only the ignored test
/// `name`, which checks [`is_helper`]. Killed (by its pid) and reaped on
/// drop.
pub struct Helper {
    child: std::process::Child,
}

impl Helper {
    /// Starts helper `name` and waits (at most 30 s) until it prints
    /// [`HELPER_READY`].
    pub fn start(name: &str) -> Result<Helper, Skip> {
        use std::io::BufRead;
        let exe = std::env::current_exe().unwrap();
        let mut child = std::process::Command::new(exe)
            .args([
                "--exact",
                name,
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(HELPER_ENV, name)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        enum Said {
            Ready,
            Skip(String),
            Ended(String),
        }
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut said = String::new();
            for line in std::io::BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                // Keep draining after "ready" so the helper never blocks.
                if line.contains(HELPER_READY) {
                    let _ = tx.send(Said::Ready);
                } else if let Some(reason) = line.strip_prefix("SKIP: ") {
                    let _ = tx.send(Said::Skip(reason.to_owned()));
                }
                said.push_str(&line);
                said.push('\n');
            }
            let _ = tx.send(Said::Ended(said));
        });
        let helper = Helper { child };
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(Said::Ready) => Ok(helper),
            Ok(Said::Skip(why)) => Err(Skip(format!("helper {name}: {why}"))),
            Ok(Said::Ended(said)) => panic!("helper {name} ended before it was ready:\n{said}"),
            Err(_) => panic!("helper {name} not ready after 30 s"),
        }
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The helper body: in its own private network namespace, creates and
/// closes tcx links on `lo` in a loop with raw `bpf(2)` calls, until its
/// parent is gone or 120 s have passed. Attaching a tcx link waits for an
/// RCU grace period after the kernel has reserved the link's id and before
/// it hands the link over; meanwhile `BPF_LINK_GET_FD_BY_ID` answers
/// `EAGAIN` for that id, which is the window a concurrent walk over all
/// links must cope with. Prints [`HELPER_READY`] after the first link.
pub fn churn_tcx_links() {
    let parent = std::os::unix::process::parent_id();
    let r = isolated(Iso::default(), |_env| {
        let prog = load_trivial(prog_type::SCHED_CLS, 0, 0, 0, "churn")?;
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut made = 0u64;
        while Instant::now() < deadline && std::os::unix::process::parent_id() == parent {
            let mut a = [0u8; 64];
            put_u32(&mut a, 0, prog.as_raw_fd() as u32);
            put_u32(&mut a, 4, 1); // lo
            put_u32(&mut a, 8, attach::TCX_INGRESS);
            match sys_bpf(cmd::LINK_CREATE, &mut a) {
                Ok(fd) => drop(own(fd as c_int, "LINK_CREATE(tcx)")),
                Err(e) => return Err(Skip(format!("LINK_CREATE(tcx): {}", errname(e)))),
            }
            made += 1;
            if made == 1 {
                println!("{HELPER_READY}");
            }
        }
        Ok(())
    });
    if let Err(Skip(why)) = r {
        println!("SKIP: {why}");
    }
}
