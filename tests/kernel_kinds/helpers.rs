//! What the link-kind tests share: call wrappers, the enumerate / pin /
//! release check every kind goes through, hand-assembled programs, ARRAY
//! maps, `BPF_PROG_QUERY`, sockets and netns, forked children. Everything
//! here uses raw syscalls (or the C ABI under test where a link is looked
//! at), never bpflink's own helpers.
//!
//! The family modules import this one (`use crate::helpers::*`), which
//! also re-exports the test kit (`crate::common`) and the C ABI under test.

use std::ffi::{CString, c_int};
use std::mem::size_of;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::fs::MetadataExt;
use std::time::{Duration, Instant};

pub use crate::common::*;
pub use bpflink_core::abi::bpf_link_create_opts;
pub use bpflink_testkit::kernel_test_with_bpffs as run;
pub use libbpflink::bpf::*;

// ------------------------------------------------------------- constants

// The UAPI numbers are the testkit's (`bpflink_testkit::uapi`).
pub const ENOLINK: c_int = libc::ENOLINK;
pub const ESTALE: c_int = libc::ESTALE;

// --------------------------------------------------------- call wrappers

pub fn link_detach(link: RawFd) -> (c_int, c_int) {
    c_call(|| bpf_link_detach(link))
}

/// `BPF_F_REPLACE` checks the link's current program: an update to `new`
/// naming `new` as the old program is refused (EPERM), one naming
/// `current` succeeds (the link then runs `new`).
#[track_caller]
pub fn replace_checks_old_prog(link: RawFd, new: RawFd, current: RawFd, what: &str) {
    assert_err(
        link_update(link, new, Some(&lu_opts(BPF_F_REPLACE, new))),
        libc::EPERM,
        &format!("{what}: REPLACE with the wrong old prog"),
    );
    assert_ok0(
        link_update(link, new, Some(&lu_opts(BPF_F_REPLACE, current))),
        &format!("{what}: REPLACE with the right old prog"),
    );
}

/// Polls `f` every 5 ms until it is true, for at most `limit`.
pub fn poll(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if f() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Repeats a call while it fails with EBUSY (bounded: 5 s): a released
/// link's hook is freed by deferred work just after its id disappears.
pub fn retry_while_busy(f: impl Fn() -> (c_int, c_int)) -> (c_int, c_int) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let r = f();
        if r.0 != -libc::EBUSY || Instant::now() >= deadline {
            return r;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The id of a prog or map fd (`bpf_prog_info.id` / `bpf_map_info.id`,
/// both @4), read through bpflink's `bpf_obj_get_info_by_fd`.
pub fn obj_id(fd: RawFd) -> u32 {
    let mut info = [0u64; 32];
    let mut len = size_of::<[u64; 32]>() as u32;
    let (r, e) =
        c_call(|| unsafe { bpf_obj_get_info_by_fd(fd, info.as_mut_ptr().cast(), &mut len) });
    assert_eq!(r, 0, "bpf_obj_get_info_by_fd({fd}): {}", errname(e));
    let id = (info[0] >> 32) as u32;
    assert_ne!(id, 0, "object id of fd {fd}");
    id
}

/// Enumeration, reopening, pinning and release, the same for every kind:
///
/// * `bpf_link_get_next_id` finds the link;
/// * `bpf_link_get_fd_by_id` gives an fd with the same info;
/// * `bpf_obj_pin` into the private bpffs and `bpf_obj_get` give the same
///   link;
/// * after every fd is closed the pinned link is still alive; unlinking the
///   pin releases it (polled, 5 s).
///
/// `link` must be the last fd of the link in this process.
#[track_caller]
pub fn enumerate_pin_release(env: &Env, link: OwnedFd, name: &str) {
    let info = link_info(link.as_raw_fd());
    let id = info.id();
    assert_ne!(id, 0, "{name}: link id");
    assert!(
        all_link_ids().contains(&id),
        "{name}: bpf_link_get_next_id walk misses link {id}"
    );
    let by_id = assert_new_fd(
        c_call(|| bpf_link_get_fd_by_id(id)),
        &format!("{name}: bpf_link_get_fd_by_id({id})"),
    );
    assert_eq!(
        link_info(by_id.as_raw_fd()).0,
        info.0,
        "{name}: info through the fd from bpf_link_get_fd_by_id"
    );
    let path = env.pin_path(name);
    assert_ok0(
        obj_pin(link.as_raw_fd(), &path),
        &format!("{name}: bpf_obj_pin"),
    );
    let got = assert_new_fd(obj_get(&path), &format!("{name}: bpf_obj_get"));
    assert_eq!(
        link_info(got.as_raw_fd()).0,
        info.0,
        "{name}: info through the fd from bpf_obj_get"
    );
    drop((link, by_id, got));
    let still = assert_new_fd(
        c_call(|| bpf_link_get_fd_by_id(id)),
        &format!("{name}: pinned link after closing every fd"),
    );
    drop(still);
    std::fs::remove_file(path.to_str().unwrap()).unwrap();
    if let Err(e) = wait_link_gone(id) {
        panic!("{name}: link {id} not released after unpin + close: {e}");
    }
}

/// Drops a link's last fd and waits until the kernel released it.
#[track_caller]
pub fn release(link: OwnedFd, what: &str) {
    let id = link_info(link.as_raw_fd()).id();
    drop(link);
    if let Err(e) = wait_link_gone(id) {
        panic!("{what}: link {id} not released: {e}");
    }
}

/// After a link's release the program stops running on its hook. Polled
/// (2 s): the id disappears just before the kernel's deferred release
/// detaches the program, so one more run may slip in.
#[track_caller]
pub fn assert_stops_running(what: &str, slots: &Slots, slot: u32, trigger: impl Fn()) {
    let stopped = poll(Duration::from_secs(2), || {
        let n = slots.get(slot);
        trigger();
        slots.get(slot) == n
    });
    assert!(
        stopped,
        "{what}: program still runs after its link was released"
    );
}

// ---------------------------------------------------------- BPF programs

pub fn insn(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> Insn {
    Insn {
        code,
        regs: (dst & 0xf) | (src << 4),
        off,
        imm,
    }
}

/// `*(u64 *)(dst + off) = src` (BPF_STX | BPF_MEM | BPF_DW).
pub fn stx_dw(dst: u8, src: u8, off: i16) -> Insn {
    insn(0x7b, dst, src, off, 0)
}

/// `r0 = bpf_map_lookup_elem(map, &key)` (key on the stack at r10-4).
pub fn lookup_insns(map: RawFd, key: i32) -> Vec<Insn> {
    use asm::*;
    let ld = ld_map_fd(R1, map);
    vec![
        st_w(R10, -4, key),
        mov64_reg(R2, R10),
        add64_imm(R2, -4),
        ld[0],
        ld[1],
        call(BPF_FUNC_MAP_LOOKUP_ELEM),
    ]
}

/// `slots[key] += 1; return ret`.
pub fn count_prog(map: RawFd, key: i32, ret: i32) -> Vec<Insn> {
    use asm::*;
    let mut v = lookup_insns(map, key);
    v.extend([
        jeq_imm(R0, 0, 2),
        mov64_imm(R1, 1),
        atomic_add_dw(R0, R1, 0),
        mov64_imm(R0, ret),
        exit(),
    ]);
    v
}

/// `c = bpf_get_attach_cookie(ctx); slots[1] = c; slots[2] += c;
/// slots[0] += 1; return ret`.
pub fn cookie_prog(map: RawFd, ret: i32) -> Vec<Insn> {
    use asm::*;
    let mut v = vec![
        call(BPF_FUNC_GET_ATTACH_COOKIE), // r1 is still ctx
        mov64_reg(R7, R0),
    ];
    v.extend(lookup_insns(map, 1));
    v.extend([jeq_imm(R0, 0, 1), stx_dw(R0, R7, 0)]);
    v.extend(lookup_insns(map, 2));
    v.extend([jeq_imm(R0, 0, 1), atomic_add_dw(R0, R7, 0)]);
    v.extend(count_prog(map, 0, ret));
    v
}

pub fn load(
    prog_type: u32,
    expected_attach_type: u32,
    attach_btf_id: u32,
    insns: &[Insn],
    name: &str,
) -> Result<OwnedFd, Skip> {
    must_load(ProgSpec {
        prog_type,
        expected_attach_type,
        attach_btf_id,
        insns,
        name,
    })
}

// ------------------------------------------------------------------ maps

pub fn put_u32(b: &mut [u8], off: usize, v: u32) {
    b[off..off + 4].copy_from_slice(&v.to_ne_bytes());
}

pub fn put_u64(b: &mut [u8], off: usize, v: u64) {
    b[off..off + 8].copy_from_slice(&v.to_ne_bytes());
}

/// `BPF_MAP_CREATE` from a prepared attr.
pub fn map_create(attr: &mut [u8], what: &str) -> Result<OwnedFd, Skip> {
    match sys_bpf(cmd::MAP_CREATE, attr) {
        Ok(fd) => Ok(own(fd as c_int, what)),
        Err(e) if e == libc::EPERM => Err(Skip(format!("{what}: {}", errname(e)))),
        Err(e) => panic!("{what}: BPF_MAP_CREATE failed: {}", errname(e)),
    }
}

pub fn map_update(map: RawFd, key: &[u8], value: &[u8]) -> Result<(), c_int> {
    let mut a = [0u8; 32];
    put_u32(&mut a, 0, map as u32);
    put_u64(&mut a, 8, key.as_ptr() as u64);
    put_u64(&mut a, 16, value.as_ptr() as u64);
    sys_bpf(cmd::MAP_UPDATE_ELEM, &mut a).map(|_| ())
}

pub fn map_delete(map: RawFd, key: &[u8]) -> Result<(), c_int> {
    let mut a = [0u8; 32];
    put_u32(&mut a, 0, map as u32);
    put_u64(&mut a, 8, key.as_ptr() as u64);
    sys_bpf(cmd::MAP_DELETE_ELEM, &mut a).map(|_| ())
}

/// An ARRAY map of `n` u64 slots the programs bump.
pub struct Slots {
    pub fd: OwnedFd,
}

impl Slots {
    pub fn new(n: u32) -> Result<Slots, Skip> {
        let mut a = [0u8; 64];
        put_u32(&mut a, 0, map_type::ARRAY);
        put_u32(&mut a, 4, 4);
        put_u32(&mut a, 8, 8);
        put_u32(&mut a, 12, n);
        a[28..33].copy_from_slice(b"slots");
        Ok(Slots {
            fd: map_create(&mut a, "ARRAY map")?,
        })
    }

    pub fn get(&self, key: u32) -> u64 {
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

// ------------------------------------------------------------ prog query

/// What `BPF_PROG_QUERY` reports for a hook, in run order.
#[derive(Debug)]
pub struct Query {
    pub prog_ids: Vec<u32>,
    pub link_ids: Vec<u32>,
    pub revision: u64,
}

/// `BPF_PROG_QUERY(target, attach_type)` (target: ifindex or cgroup fd).
pub fn prog_query(target: u32, attach_type: u32) -> Query {
    let mut prog_ids = [0u32; 16];
    let mut link_ids = [0u32; 16];
    let mut a = [0u8; 64];
    put_u32(&mut a, 0, target);
    put_u32(&mut a, 4, attach_type);
    put_u64(&mut a, 16, prog_ids.as_mut_ptr() as u64);
    put_u32(&mut a, 24, prog_ids.len() as u32);
    put_u64(&mut a, 40, link_ids.as_mut_ptr() as u64);
    let r = sys_bpf(cmd::PROG_QUERY, &mut a);
    assert!(
        r.is_ok(),
        "BPF_PROG_QUERY({target}, {attach_type}): {:?}",
        r.map_err(errname)
    );
    let n = u32_at(&a, 24) as usize;
    Query {
        prog_ids: prog_ids[..n].to_vec(),
        link_ids: link_ids[..n].to_vec(),
        revision: u64_at(&a, 56),
    }
}

// ------------------------------------------------------------ networking

/// Sends one UDP datagram to 127.0.0.1 and receives it (this thread's netns).
pub fn udp_ping() {
    let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let me = s.local_addr().unwrap();
    s.send_to(b"bpflink", me).unwrap();
    let mut buf = [0u8; 16];
    let (n, _) = s.recv_from(&mut buf).expect("UDP over lo");
    assert_eq!(&buf[..n], b"bpflink");
}

/// A TCP connection over 127.0.0.1: (client, server side).
pub fn tcp_pair() -> (std::net::TcpStream, std::net::TcpStream) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let c = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
    let (s, _) = l.accept().unwrap();
    for x in [&c, &s] {
        x.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    }
    (c, s)
}

pub fn socket(domain: c_int, ty: c_int, proto: c_int) -> OwnedFd {
    let s = unsafe { libc::socket(domain, ty | libc::SOCK_CLOEXEC, proto) };
    own(s, "socket")
}

pub fn ifindex(name: &str) -> u32 {
    let c = CString::new(name).unwrap();
    let i = unsafe { libc::if_nametoindex(c.as_ptr()) };
    assert_ne!(i, 0, "if_nametoindex({name}): {}", errname(errno()));
    i
}

/// This thread's network namespace: an fd for netns links and its inode
/// (what link info reports). `/proc/thread-self`, not `/proc/self`: only
/// this thread is in the private netns.
pub fn netns() -> (OwnedFd, u64) {
    let f = std::fs::File::open("/proc/thread-self/ns/net").unwrap();
    let ino = f.metadata().unwrap().ino();
    (OwnedFd::from(f), ino)
}

// -------------------------------------------------------------- children

/// Waits for `pid` (bounded: 10 s, then SIGKILL); returns its wait status.
pub fn wait_child(pid: libc::pid_t) -> c_int {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut st = 0;
    loop {
        let r = unsafe { libc::waitpid(pid, &mut st, libc::WNOHANG) };
        if r == pid {
            return st;
        }
        assert!(r == 0, "waitpid({pid}): {}", errname(errno()));
        if Instant::now() >= deadline {
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut st, 0);
            }
            panic!("child {pid} did not finish within 10 s (killed)");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Closes every inherited fd ≥ `from` in a freshly forked child, so that it
/// holds no references to links, maps or programs.
pub unsafe fn child_close_from(from: u32) {
    unsafe { libc::syscall(libc::SYS_close_range, from, u32::MAX, 0) };
}
