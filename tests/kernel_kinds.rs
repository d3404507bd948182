//! Real-kernel tests of bpflink's C ABI, one test per BPF link kind.
//!
//! Every link is created, updated, detached, enumerated, pinned and
//! reopened through the exported `extern "C"` functions
//! (`libbpflink::bpf::*`), exactly as a C caller of libbpf would. Programs,
//! maps, sockets, perf events, veths and cgroups are set up with raw
//! syscalls here and in `common` (never through bpflink).
//!
//! Each test:
//! * runs serially (one lock) on a fresh thread in its own network + mount
//!   namespace (`common::isolated`), with a private bpffs;
//! * checks the kernel's view with `bpf_link_get_info_by_fd` (type @0, id
//!   @4, prog_id @8, the kind's fields in the union @16);
//! * triggers the hook and reads an ARRAY-map counter the program bumps
//!   (and, for the kinds with a cookie, the `bpf_get_attach_cookie()` value
//!   the program stored);
//! * exercises `bpf_link_update` (plain, `BPF_F_REPLACE` with the right and
//!   the wrong old program) and `bpf_link_detach`, or asserts the kernel's
//!   exact errno where the kind has no such operation;
//! * finds the link with `bpf_link_get_next_id` / `bpf_link_get_fd_by_id`,
//!   pins it, reopens it with `bpf_obj_get`, and sees it released (bounded
//!   polling) once the pin and the last fd are gone.
//!
//! Nothing is left on the host: links live on the private netns's devices
//! (veths die with it), pins live in a bpffs that only the private mount
//! namespace sees, cgroup directories are removed, forked children are
//! reaped, and the struct_ops congestion-control algorithm is checked to be
//! unregistered again.
//!
//! Needs root with BPF. Without it each test prints `SKIP: …` and passes,
//! except with `CI=true`, where a skip fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::undocumented_unsafe_blocks
)]

mod common;

use std::ffi::{CStr, CString, c_int, c_ulong, c_void};
use std::mem::{size_of, zeroed};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::MetadataExt;
use std::ptr::null;
use std::time::{Duration, Instant};

use bpflink_core::abi::bpf_link_create_opts;
use bpflink_testkit::kernel_test_with_bpffs as run;
use common::*;
use libbpflink::bpf::*;

// ------------------------------------------------------------- constants

// The UAPI numbers are the testkit's (`bpflink_testkit::uapi`).
const ENOLINK: c_int = libc::ENOLINK;
const ESTALE: c_int = libc::ESTALE;

// --------------------------------------------------------- call wrappers

fn link_detach(link: RawFd) -> (c_int, c_int) {
    c_call(|| bpf_link_detach(link))
}

/// Polls `f` every 5 ms until it is true, for at most `limit`.
fn poll(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
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
fn retry_while_busy(f: impl Fn() -> (c_int, c_int)) -> (c_int, c_int) {
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
fn obj_id(fd: RawFd) -> u32 {
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
fn enumerate_pin_release(env: &Env, link: OwnedFd, name: &str) {
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
fn release(link: OwnedFd, what: &str) {
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
fn assert_stops_running(what: &str, slots: &Slots, slot: u32, trigger: impl Fn()) {
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

fn insn(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> Insn {
    Insn {
        code,
        regs: (dst & 0xf) | (src << 4),
        off,
        imm,
    }
}

/// `*(u64 *)(dst + off) = src` (BPF_STX | BPF_MEM | BPF_DW).
fn stx_dw(dst: u8, src: u8, off: i16) -> Insn {
    insn(0x7b, dst, src, off, 0)
}

/// `r0 = bpf_map_lookup_elem(map, &key)` (key on the stack at r10-4).
fn lookup_insns(map: RawFd, key: i32) -> Vec<Insn> {
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
fn count_prog(map: RawFd, key: i32, ret: i32) -> Vec<Insn> {
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
fn cookie_prog(map: RawFd, ret: i32) -> Vec<Insn> {
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

fn load(
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

fn put_u32(b: &mut [u8], off: usize, v: u32) {
    b[off..off + 4].copy_from_slice(&v.to_ne_bytes());
}

fn put_u64(b: &mut [u8], off: usize, v: u64) {
    b[off..off + 8].copy_from_slice(&v.to_ne_bytes());
}

/// `BPF_MAP_CREATE` from a prepared attr.
fn map_create(attr: &mut [u8], what: &str) -> Result<OwnedFd, Skip> {
    match sys_bpf(cmd::MAP_CREATE, attr) {
        Ok(fd) => Ok(own(fd as c_int, what)),
        Err(e) if e == libc::EPERM => Err(Skip(format!("{what}: {}", errname(e)))),
        Err(e) => panic!("{what}: BPF_MAP_CREATE failed: {}", errname(e)),
    }
}

fn map_update(map: RawFd, key: &[u8], value: &[u8]) -> Result<(), c_int> {
    let mut a = [0u8; 32];
    put_u32(&mut a, 0, map as u32);
    put_u64(&mut a, 8, key.as_ptr() as u64);
    put_u64(&mut a, 16, value.as_ptr() as u64);
    sys_bpf(cmd::MAP_UPDATE_ELEM, &mut a).map(|_| ())
}

fn map_delete(map: RawFd, key: &[u8]) -> Result<(), c_int> {
    let mut a = [0u8; 32];
    put_u32(&mut a, 0, map as u32);
    put_u64(&mut a, 8, key.as_ptr() as u64);
    sys_bpf(cmd::MAP_DELETE_ELEM, &mut a).map(|_| ())
}

/// An ARRAY map of `n` u64 slots the programs bump.
struct Slots {
    fd: OwnedFd,
}

impl Slots {
    fn new(n: u32) -> Result<Slots, Skip> {
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

    fn get(&self, key: u32) -> u64 {
        let mut val = 0u64;
        let mut a = [0u8; 32];
        put_u32(&mut a, 0, self.fd.as_raw_fd() as u32);
        put_u64(&mut a, 8, &key as *const u32 as u64);
        put_u64(&mut a, 16, &mut val as *mut u64 as u64);
        let r = sys_bpf(cmd::MAP_LOOKUP_ELEM, &mut a);
        assert!(r.is_ok(), "BPF_MAP_LOOKUP_ELEM: {:?}", r.map_err(errname));
        val
    }

    fn raw(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

// ------------------------------------------------------------ prog query

/// What `BPF_PROG_QUERY` reports for a hook, in run order.
#[derive(Debug)]
struct Query {
    prog_ids: Vec<u32>,
    link_ids: Vec<u32>,
    revision: u64,
}

/// `BPF_PROG_QUERY(target, attach_type)` (target: ifindex or cgroup fd).
fn prog_query(target: u32, attach_type: u32) -> Query {
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
fn udp_ping() {
    let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let me = s.local_addr().unwrap();
    s.send_to(b"bpflink", me).unwrap();
    let mut buf = [0u8; 16];
    let (n, _) = s.recv_from(&mut buf).expect("UDP over lo");
    assert_eq!(&buf[..n], b"bpflink");
}

/// A TCP connection over 127.0.0.1: (client, server side).
fn tcp_pair() -> (std::net::TcpStream, std::net::TcpStream) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let c = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
    let (s, _) = l.accept().unwrap();
    for x in [&c, &s] {
        x.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    }
    (c, s)
}

fn socket(domain: c_int, ty: c_int, proto: c_int) -> OwnedFd {
    let s = unsafe { libc::socket(domain, ty | libc::SOCK_CLOEXEC, proto) };
    own(s, "socket")
}

/// Sets IFF_UP on `name` (in this thread's netns).
fn if_up(name: &str) {
    let s = socket(libc::AF_INET, libc::SOCK_DGRAM, 0);
    let mut ifr: libc::ifreq = unsafe { zeroed() };
    for (d, &c) in ifr.ifr_name.iter_mut().zip(name.as_bytes()) {
        *d = c as libc::c_char;
    }
    unsafe {
        assert!(
            libc::ioctl(s.as_raw_fd(), libc::SIOCGIFFLAGS, &mut ifr) == 0,
            "SIOCGIFFLAGS {name}: {}",
            errname(errno())
        );
        ifr.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
        assert!(
            libc::ioctl(s.as_raw_fd(), libc::SIOCSIFFLAGS, &ifr) == 0,
            "SIOCSIFFLAGS {name} up: {}",
            errname(errno())
        );
    }
}

fn ifindex(name: &str) -> u32 {
    let c = CString::new(name).unwrap();
    let i = unsafe { libc::if_nametoindex(c.as_ptr()) };
    assert_ne!(i, 0, "if_nametoindex({name}): {}", errname(errno()));
    i
}

/// Appends an rtattr (type, payload) to a netlink message, 4-aligned.
fn rta(m: &mut Vec<u8>, ty: u16, payload: &[u8]) {
    m.extend(((4 + payload.len()) as u16).to_ne_bytes());
    m.extend(ty.to_ne_bytes());
    m.extend(payload);
    while m.len() % 4 != 0 {
        m.push(0);
    }
}

/// Creates the veth pair `a`/`b` with one RTM_NEWLINK over rtnetlink (in
/// this thread's private netns, where it dies with the namespace) and sets
/// both ends up.
fn veth_pair(a: &str, b: &str) -> Result<(u32, u32), Skip> {
    const RTM_NEWLINK: u16 = 16;
    const IFLA_IFNAME: u16 = 3;
    const IFLA_LINKINFO: u16 = 18;
    const IFLA_INFO_KIND: u16 = 1;
    const IFLA_INFO_DATA: u16 = 2;
    const VETH_INFO_PEER: u16 = 1;
    let ifinfomsg = [0u8; 16];
    let name = |n: &str| [n.as_bytes(), b"\0"].concat();

    let mut peer = ifinfomsg.to_vec();
    rta(&mut peer, IFLA_IFNAME, &name(b));
    let mut data = Vec::new();
    rta(&mut data, VETH_INFO_PEER, &peer);
    let mut linkinfo = Vec::new();
    rta(&mut linkinfo, IFLA_INFO_KIND, b"veth");
    rta(&mut linkinfo, IFLA_INFO_DATA, &data);
    let mut body = ifinfomsg.to_vec();
    rta(&mut body, IFLA_IFNAME, &name(a));
    rta(&mut body, IFLA_LINKINFO, &linkinfo);

    let flags: u16 =
        (libc::NLM_F_REQUEST | libc::NLM_F_ACK | libc::NLM_F_CREATE | libc::NLM_F_EXCL) as u16;
    let mut msg = Vec::new();
    msg.extend(((16 + body.len()) as u32).to_ne_bytes());
    msg.extend(RTM_NEWLINK.to_ne_bytes());
    msg.extend(flags.to_ne_bytes());
    msg.extend(1u32.to_ne_bytes()); // seq
    msg.extend(0u32.to_ne_bytes()); // pid
    msg.extend(body);

    let s = socket(libc::AF_NETLINK, libc::SOCK_RAW, libc::NETLINK_ROUTE);
    let tv = libc::timeval {
        tv_sec: 2,
        tv_usec: 0,
    };
    unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVTIMEO,
            (&tv as *const libc::timeval).cast(),
            size_of::<libc::timeval>() as u32,
        );
        let n = libc::send(s.as_raw_fd(), msg.as_ptr().cast(), msg.len(), 0);
        assert_eq!(
            n,
            msg.len() as isize,
            "rtnetlink send: {}",
            errname(errno())
        );
    }
    let mut buf = [0u8; 1024];
    let n = unsafe { libc::recv(s.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
    assert!(n >= 20, "rtnetlink ack: {}", errname(errno()));
    assert_eq!(
        u16::from_ne_bytes([buf[4], buf[5]]),
        libc::NLMSG_ERROR as u16,
        "rtnetlink answer type"
    );
    let err = i32::from_ne_bytes(buf[16..20].try_into().unwrap());
    if err == -libc::EOPNOTSUPP {
        return Err(Skip(
            "veth is not available (RTM_NEWLINK: EOPNOTSUPP)".into(),
        ));
    }
    assert_eq!(err, 0, "RTM_NEWLINK veth {a}/{b}: {}", errname(-err));
    if_up(a);
    if_up(b);
    Ok((ifindex(a), ifindex(b)))
}

/// Sends `n` 60-byte broadcast frames (ethertype 0x88b5) out of `ifindex`
/// with an AF_PACKET socket.
fn send_frames(ifindex: u32, n: usize) {
    let proto = (libc::ETH_P_ALL as u16).to_be();
    let s = socket(libc::AF_PACKET, libc::SOCK_RAW, c_int::from(proto));
    let mut sl: libc::sockaddr_ll = unsafe { zeroed() };
    sl.sll_family = libc::AF_PACKET as u16;
    sl.sll_protocol = proto;
    sl.sll_ifindex = ifindex as c_int;
    sl.sll_halen = 6;
    sl.sll_addr[..6].copy_from_slice(&[0xff; 6]);
    let mut frame = [0u8; 60];
    frame[..6].copy_from_slice(&[0xff; 6]);
    frame[6..12].copy_from_slice(&[2, 0, 0, 0, 0, 1]);
    frame[12..14].copy_from_slice(&[0x88, 0xb5]);
    for _ in 0..n {
        let r = unsafe {
            libc::sendto(
                s.as_raw_fd(),
                frame.as_ptr().cast(),
                frame.len(),
                0,
                (&sl as *const libc::sockaddr_ll).cast(),
                size_of::<libc::sockaddr_ll>() as u32,
            )
        };
        assert_eq!(r, 60, "AF_PACKET sendto: {}", errname(errno()));
    }
}

/// This thread's network namespace: an fd for netns links and its inode
/// (what link info reports). `/proc/thread-self`, not `/proc/self`: only
/// this thread is in the private netns.
fn netns() -> (OwnedFd, u64) {
    let f = std::fs::File::open("/proc/thread-self/ns/net").unwrap();
    let ino = f.metadata().unwrap().ino();
    (OwnedFd::from(f), ino)
}

// -------------------------------------------------------------- children

/// Waits for `pid` (bounded: 10 s, then SIGKILL); returns its wait status.
fn wait_child(pid: libc::pid_t) -> c_int {
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
unsafe fn child_close_from(from: u32) {
    unsafe { libc::syscall(libc::SYS_close_range, from, u32::MAX, 0) };
}

/// What the cgroup child does after moving itself into the cgroup.
#[derive(Clone, Copy, Default)]
struct CgChild {
    /// open("/dev/null") (CGROUP_DEVICE).
    dev_null: bool,
    /// read a /proc/sys file (CGROUP_SYSCTL).
    sysctl: bool,
    /// UDP socket: connect() to itself on 127.0.0.1 (INET4_CONNECT), send,
    /// receive (INET_INGRESS / EGRESS).
    udp: bool,
    /// TCP connect over 127.0.0.1 (SOCK_OPS, INET4_CONNECT).
    tcp: bool,
}

fn loopback_addr() -> libc::sockaddr_in {
    let mut a: libc::sockaddr_in = unsafe { zeroed() };
    a.sin_family = libc::AF_INET as u16;
    a.sin_addr.s_addr = u32::from_be_bytes([127, 0, 0, 1]).to_be();
    a
}

/// The child's work: raw syscalls only (it is a fork of a multi-threaded
/// process). Returns the exit code: 0, or the step that failed.
unsafe fn cg_child_body(procs: &CStr, sysctl_path: &CStr, w: CgChild) -> c_int {
    use libc::*;
    unsafe {
        child_close_from(3);
        let fd = open(procs.as_ptr(), O_WRONLY | O_CLOEXEC);
        if fd < 0 {
            return 10;
        }
        // "0": the writing process itself.
        if write(fd, b"0".as_ptr().cast(), 1) != 1 {
            return 11;
        }
        close(fd);
        if w.dev_null {
            let fd = open(c"/dev/null".as_ptr(), O_RDONLY | O_CLOEXEC);
            if fd < 0 {
                return 20;
            }
            close(fd);
        }
        if w.sysctl {
            let fd = open(sysctl_path.as_ptr(), O_RDONLY | O_CLOEXEC);
            if fd < 0 {
                return 30;
            }
            let mut b = [0u8; 64];
            let n = read(fd, b.as_mut_ptr().cast(), b.len());
            close(fd);
            if n <= 0 {
                return 31;
            }
        }
        let sa_len = size_of::<sockaddr_in>() as socklen_t;
        if w.udp {
            let s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if s < 0 {
                return 40;
            }
            let mut a = loopback_addr();
            let mut len = sa_len;
            if bind(s, (&a as *const sockaddr_in).cast(), sa_len) != 0
                || getsockname(s, (&mut a as *mut sockaddr_in).cast(), &mut len) != 0
            {
                return 41;
            }
            let tv = timeval {
                tv_sec: 2,
                tv_usec: 0,
            };
            setsockopt(
                s,
                SOL_SOCKET,
                SO_RCVTIMEO,
                (&tv as *const timeval).cast(),
                size_of::<timeval>() as socklen_t,
            );
            if connect(s, (&a as *const sockaddr_in).cast(), sa_len) != 0 {
                return 42;
            }
            if send(s, b"bpflink".as_ptr().cast(), 7, 0) != 7 {
                return 43;
            }
            let mut b = [0u8; 16];
            if recv(s, b.as_mut_ptr().cast(), b.len(), 0) != 7 {
                return 44;
            }
            close(s);
        }
        if w.tcp {
            let l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            let c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if l < 0 || c < 0 {
                return 50;
            }
            let mut a = loopback_addr();
            let mut len = sa_len;
            if bind(l, (&a as *const sockaddr_in).cast(), sa_len) != 0
                || listen(l, 4) != 0
                || getsockname(l, (&mut a as *mut sockaddr_in).cast(), &mut len) != 0
            {
                return 51;
            }
            if connect(c, (&a as *const sockaddr_in).cast(), sa_len) != 0 {
                return 52;
            }
            close(c);
            close(l);
        }
        0
    }
}

/// Forks a child that moves itself (the child process only: writing
/// cgroup.procs moves a whole process, and the test harness is
/// multi-threaded) into `cg`, then does `w`. Asserts it exited with 0.
fn in_cgroup_child(cg: &Cgroup, w: CgChild) {
    let procs = CString::new(
        cg.path
            .join("cgroup.procs")
            .into_os_string()
            .into_encoded_bytes(),
    )
    .unwrap();
    let sysctl = c"/proc/sys/kernel/ostype";
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork: {}", errname(errno()));
    if pid == 0 {
        unsafe { libc::_exit(cg_child_body(&procs, sysctl, w)) };
    }
    let st = wait_child(pid);
    assert!(
        libc::WIFEXITED(st) && libc::WEXITSTATUS(st) == 0,
        "cgroup child failed: wait status {st:#x} (exit code = failed step, see cg_child_body)"
    );
}

/// A forked child that holds no fds and waits until it is dropped: another
/// process, for pid filters.
struct IdleChild {
    pid: libc::pid_t,
    wake: Option<OwnedFd>,
}

impl IdleChild {
    fn spawn() -> IdleChild {
        let mut p = [0 as c_int; 2];
        assert_eq!(unsafe { libc::pipe2(p.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
        let (r, w) = unsafe { (OwnedFd::from_raw_fd(p[0]), OwnedFd::from_raw_fd(p[1])) };
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork: {}", errname(errno()));
        if pid == 0 {
            unsafe {
                // Keep only the read end, as fd 3; EOF means "exit".
                if libc::dup2(r.as_raw_fd(), 3) != 3 {
                    libc::_exit(1);
                }
                child_close_from(4);
                let mut b = 0u8;
                libc::read(3, (&mut b as *mut u8).cast(), 1);
                libc::_exit(0);
            }
        }
        drop(r);
        IdleChild { pid, wake: Some(w) }
    }
}

impl Drop for IdleChild {
    fn drop(&mut self) {
        self.wake = None;
        wait_child(self.pid);
    }
}

// ------------------------------------------------------------------ perf

/// `perf_event_open` with a zeroed 128-byte attr (enabled on open).
fn perf_open(
    ty: u32,
    config: u64,
    config1: u64,
    config2: u64,
    sample_period: u64,
    pid: c_int,
    cpu: c_int,
) -> Result<OwnedFd, c_int> {
    let mut a = [0u64; 16];
    a[0] = u64::from(ty) | (128u64 << 32); // type, size
    a[1] = config;
    a[2] = sample_period;
    a[6] = 1; // wakeup_events
    a[7] = config1;
    a[8] = config2;
    const PERF_FLAG_FD_CLOEXEC: libc::c_ulong = 8;
    let r = unsafe {
        libc::syscall(
            libc::SYS_perf_event_open,
            a.as_ptr(),
            pid,
            cpu,
            -1 as c_int,
            PERF_FLAG_FD_CLOEXEC,
        )
    };
    if r < 0 {
        Err(errno())
    } else {
        Ok(own(r as c_int, "perf_event_open"))
    }
}

/// Mounts tracefs on /sys/kernel/tracing in this thread's private mount
/// namespace (the host never sees it) and reads a tracepoint's id.
fn tracepoint_id(category: &str, name: &str) -> Result<u64, Skip> {
    let dir = c"/sys/kernel/tracing";
    let r = unsafe {
        libc::mount(
            c"tracefs".as_ptr(),
            dir.as_ptr(),
            c"tracefs".as_ptr(),
            0,
            null::<c_void>(),
        )
    };
    if r != 0 {
        return Err(Skip(format!(
            "mount -t tracefs on /sys/kernel/tracing: {}",
            errname(errno())
        )));
    }
    let path = format!("/sys/kernel/tracing/events/{category}/{name}/id");
    let id = std::fs::read_to_string(&path);
    unsafe { libc::umount2(dir.as_ptr(), libc::MNT_DETACH) };
    let id = id.map_err(|e| Skip(format!("{path}: {e}")))?;
    Ok(id.trim().parse().unwrap())
}

// --------------------------------------------------------------- uprobes

/// Uprobe targets: real, distinct functions in this test binary.
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn bpflink_kinds_uprobe_a(x: u64) -> u64 {
    std::hint::black_box(x.wrapping_mul(3).wrapping_add(1))
}

#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn bpflink_kinds_uprobe_b(x: u64) -> u64 {
    std::hint::black_box(x ^ 0x5a5a).wrapping_add(7)
}

/// Calls `f` `n` times through an opaque pointer (never inlined away).
fn call_n(f: extern "C" fn(u64) -> u64, n: u64) {
    let f = std::hint::black_box(f);
    for i in 0..n {
        std::hint::black_box(f(i));
    }
}

/// The executable's path and the file offset of `f` in it, from
/// /proc/self/maps.
fn file_offset(f: extern "C" fn(u64) -> u64) -> (CString, u64) {
    let addr = f as usize as u64;
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    for line in maps.lines() {
        let mut it = line.split_whitespace();
        let (range, _perms, off) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
        let (s, e) = range.split_once('-').unwrap();
        let (s, e) = (
            u64::from_str_radix(s, 16).unwrap(),
            u64::from_str_radix(e, 16).unwrap(),
        );
        if (s..e).contains(&addr) {
            let path = it.nth(2).unwrap();
            let exe = std::fs::read_link("/proc/self/exe").unwrap();
            assert_eq!(std::path::Path::new(path), exe, "mapping of {addr:#x}");
            let off = u64::from_str_radix(off, 16).unwrap();
            return (CString::new(path).unwrap(), addr - s + off);
        }
    }
    panic!("{addr:#x} not in /proc/self/maps");
}

// ====================================================================
// cgroup
// ====================================================================

/// cgroup INET_INGRESS (CGROUP_SKB): link info (type 3, prog id, cgroup id
/// = the directory's inode, attach type); the program runs for a child
/// that moved itself into the cgroup and received a UDP datagram; update
/// plain (the *new* program runs, the old one no longer) and with
/// `BPF_F_REPLACE` (right old → ok, wrong old → EPERM, old without REPLACE
/// → EINVAL, REPLACE|ALLOW_MULTI → EINVAL); detach (cgroup id 0, the
/// program stops running, update → ENOLINK, detach again → 0); then
/// enumerate, pin, reopen, release.
#[test]
fn cgroup_inet_ingress_runs_update_detach() {
    run(|env| {
        let cg = Cgroup::new()?;
        let slots = Slots::new(2)?;
        let at = attach::CGROUP_INET_INGRESS;
        let p1 = load(
            prog_type::CGROUP_SKB,
            at,
            0,
            &count_prog(slots.raw(), 0, 1),
            "cg_ingress1",
        )?;
        let p2 = load(
            prog_type::CGROUP_SKB,
            at,
            0,
            &count_prog(slots.raw(), 1, 1),
            "cg_ingress2",
        )?;
        let (id1, id2) = (obj_id(p1.as_raw_fd()), obj_id(p2.as_raw_fd()));

        let link = assert_new_fd(
            link_create(p1.as_raw_fd(), cg.raw(), at, None),
            "bpf_link_create(cgroup INET_INGRESS)",
        );
        let info = link_info(link.as_raw_fd());
        assert_eq!(info.link_type(), link_type::CGROUP, "link type");
        assert_eq!(info.prog_id(), id1, "prog_id");
        assert_eq!(
            info.u64_at(16),
            cg.ino,
            "cgroup_id = inode of the cgroup dir"
        );
        assert_eq!(info.u32_at(24), at, "attach_type");

        // The program runs for traffic received by a socket in the cgroup.
        in_cgroup_child(
            &cg,
            CgChild {
                udp: true,
                ..CgChild::default()
            },
        );
        assert_eq!(slots.get(0), 1, "ingress program runs once per datagram");
        assert_eq!(slots.get(1), 0);

        // Plain update: now p2 runs instead of p1.
        assert_ok0(
            link_update(link.as_raw_fd(), p2.as_raw_fd(), None),
            "bpf_link_update(p2)",
        );
        assert_eq!(link_info(link.as_raw_fd()).prog_id(), id2);
        in_cgroup_child(
            &cg,
            CgChild {
                udp: true,
                ..CgChild::default()
            },
        );
        assert_eq!(
            (slots.get(0), slots.get(1)),
            (1, 1),
            "after update only p2 runs"
        );

        // REPLACE: wrong old → EPERM, right old → ok.
        assert_err(
            link_update(
                link.as_raw_fd(),
                p1.as_raw_fd(),
                Some(&lu_opts(BPF_F_REPLACE, p1.as_raw_fd())),
            ),
            libc::EPERM,
            "bpf_link_update(REPLACE, wrong old_prog_fd)",
        );
        assert_err(
            link_update(
                link.as_raw_fd(),
                p1.as_raw_fd(),
                Some(&lu_opts(0, p2.as_raw_fd())),
            ),
            libc::EINVAL,
            "bpf_link_update(old_prog_fd without BPF_F_REPLACE)",
        );
        assert_err(
            link_update(
                link.as_raw_fd(),
                p1.as_raw_fd(),
                Some(&lu_opts(BPF_F_REPLACE | BPF_F_ALLOW_MULTI, p2.as_raw_fd())),
            ),
            libc::EINVAL,
            "bpf_link_update(REPLACE|ALLOW_MULTI)",
        );
        assert_eq!(
            link_info(link.as_raw_fd()).prog_id(),
            id2,
            "failed updates changed nothing"
        );
        assert_ok0(
            link_update(
                link.as_raw_fd(),
                p1.as_raw_fd(),
                Some(&lu_opts(BPF_F_REPLACE, p2.as_raw_fd())),
            ),
            "bpf_link_update(REPLACE, right old_prog_fd)",
        );
        assert_eq!(link_info(link.as_raw_fd()).prog_id(), id1);

        // Detach: the hook is empty, the link object stays.
        assert_ok0(link_detach(link.as_raw_fd()), "bpf_link_detach(cgroup)");
        let after = link_info(link.as_raw_fd());
        assert_eq!(
            (after.id(), after.u64_at(16)),
            (info.id(), 0),
            "cgroup_id after detach"
        );
        in_cgroup_child(
            &cg,
            CgChild {
                udp: true,
                ..CgChild::default()
            },
        );
        assert_eq!(
            (slots.get(0), slots.get(1)),
            (1, 1),
            "nothing runs after detach"
        );
        assert_err(
            link_update(link.as_raw_fd(), p2.as_raw_fd(), None),
            ENOLINK,
            "bpf_link_update after detach",
        );
        assert_ok0(
            link_detach(link.as_raw_fd()),
            "second bpf_link_detach(cgroup)",
        );

        enumerate_pin_release(env, link, "cg_ingress");
        Ok(())
    });
}

/// cgroup SOCK_OPS, DEVICE, INET4_CONNECT and SYSCTL links: each created
/// through bpflink with the right info, and each program observed running
/// for a child in the cgroup (TCP connect, open /dev/null, UDP connect,
/// reading /proc/sys). Then the cgroup mprog ordering API on INET_EGRESS:
/// `BPF_F_BEFORE`/`BPF_F_AFTER` relative to a prog fd, a link fd
/// (`BPF_F_LINK`) and a link id (`relative_id`, bpflink adds `BPF_F_ID`),
/// checked with `BPF_PROG_QUERY`; `expected_revision` stale → ESTALE;
/// relative_fd + relative_id → EINVAL without a syscall.
#[test]
fn cgroup_other_attach_types_run_and_ordering() {
    run(|env| {
        let cg = Cgroup::new()?;
        let slots = Slots::new(4)?;
        let kinds = [
            (prog_type::SOCK_OPS, attach::CGROUP_SOCK_OPS, "cg_sockops"),
            (prog_type::CGROUP_DEVICE, attach::CGROUP_DEVICE, "cg_device"),
            (
                prog_type::CGROUP_SOCK_ADDR,
                attach::CGROUP_INET4_CONNECT,
                "cg_connect4",
            ),
            (prog_type::CGROUP_SYSCTL, attach::CGROUP_SYSCTL, "cg_sysctl"),
        ];
        let mut links = Vec::new();
        for (slot, &(pt, at, name)) in kinds.iter().enumerate() {
            let p = load(pt, at, 0, &count_prog(slots.raw(), slot as i32, 1), name)?;
            let link = assert_new_fd(
                link_create(p.as_raw_fd(), cg.raw(), at, None),
                &format!("bpf_link_create({name})"),
            );
            let info = link_info(link.as_raw_fd());
            assert_eq!(info.link_type(), link_type::CGROUP, "{name}: link type");
            assert_eq!(info.prog_id(), obj_id(p.as_raw_fd()), "{name}: prog_id");
            assert_eq!(info.u64_at(16), cg.ino, "{name}: cgroup_id");
            assert_eq!(info.u32_at(24), at, "{name}: attach_type");
            links.push((link, name));
        }
        in_cgroup_child(
            &cg,
            CgChild {
                dev_null: true,
                sysctl: true,
                udp: true,
                tcp: true,
            },
        );
        for (slot, &(_, _, name)) in kinds.iter().enumerate() {
            assert!(slots.get(slot as u32) >= 1, "{name}: program did not run");
        }
        let (sockops, _) = links.remove(0);
        for (link, name) in links {
            release(link, name);
        }
        enumerate_pin_release(env, sockops, "cg_sockops");

        // Ordering on INET_EGRESS.
        let at = attach::CGROUP_INET_EGRESS;
        let progs = (0..5)
            .map(|i| {
                load(
                    prog_type::CGROUP_SKB,
                    at,
                    0,
                    &ret_insns(1),
                    &format!("cg_egress{i}"),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let pid: Vec<u32> = progs.iter().map(|p| obj_id(p.as_raw_fd())).collect();
        let q = || prog_query(cg.raw() as u32, at);
        let a = assert_new_fd(
            link_create(progs[0].as_raw_fd(), cg.raw(), at, None),
            "egress link A",
        );
        let a_id = link_info(a.as_raw_fd()).id();
        let mut o = lc_opts();
        o.flags = BPF_F_BEFORE | BPF_F_LINK;
        o.u.cgroup.relative_fd = a.as_raw_fd() as u32;
        let b = assert_new_fd(
            link_create(progs[1].as_raw_fd(), cg.raw(), at, Some(&o)),
            "egress link B: BEFORE link A (BPF_F_LINK, relative_fd = link fd)",
        );
        assert_eq!(q().prog_ids, [pid[1], pid[0]]);
        let mut o = lc_opts();
        o.flags = BPF_F_AFTER | BPF_F_LINK;
        o.u.cgroup.relative_id = a_id;
        let c = assert_new_fd(
            link_create(progs[2].as_raw_fd(), cg.raw(), at, Some(&o)),
            "egress link C: AFTER link A by id (relative_id; bpflink adds BPF_F_ID)",
        );
        assert_eq!(q().prog_ids, [pid[1], pid[0], pid[2]]);
        let mut o = lc_opts();
        o.flags = BPF_F_BEFORE;
        let d = assert_new_fd(
            link_create(progs[3].as_raw_fd(), cg.raw(), at, Some(&o)),
            "egress link D: BEFORE without a relative (= first)",
        );
        let before = q();
        assert_eq!(before.prog_ids, [pid[3], pid[1], pid[0], pid[2]]);
        // 6.18 leaves link_ids zero for cgroups; if a kernel fills them,
        // they must match.
        let ids = |l: &[&OwnedFd]| -> Vec<u32> {
            l.iter().map(|f| link_info(f.as_raw_fd()).id()).collect()
        };
        if before.link_ids.iter().any(|&l| l != 0) {
            assert_eq!(before.link_ids, ids(&[&d, &b, &a, &c]), "query link_ids");
        }

        // This kernel does not accept a *program* anchor for a program that
        // is attached through a link (by fd or by id): EINVAL.
        let mut o = lc_opts();
        o.flags = BPF_F_BEFORE;
        o.u.cgroup.relative_fd = progs[0].as_raw_fd() as u32;
        assert_err(
            link_create(progs[4].as_raw_fd(), cg.raw(), at, Some(&o)),
            libc::EINVAL,
            "BEFORE a link-attached prog by prog fd",
        );
        let mut o = lc_opts();
        o.flags = BPF_F_AFTER;
        o.u.cgroup.relative_id = pid[0];
        assert_err(
            link_create(progs[4].as_raw_fd(), cg.raw(), at, Some(&o)),
            libc::EINVAL,
            "AFTER a link-attached prog by prog id",
        );
        // Both relative_fd and relative_id: bpflink refuses before the kernel.
        let mut o = lc_opts();
        o.flags = BPF_F_BEFORE | BPF_F_LINK;
        o.u.cgroup.relative_fd = a.as_raw_fd() as u32;
        o.u.cgroup.relative_id = a_id;
        assert_err(
            link_create(progs[4].as_raw_fd(), cg.raw(), at, Some(&o)),
            libc::EINVAL,
            "relative_fd and relative_id together",
        );
        // A stale expected_revision.
        let mut o = lc_opts();
        o.u.cgroup.expected_revision = before.revision + 100;
        assert_err(
            link_create(progs[4].as_raw_fd(), cg.raw(), at, Some(&o)),
            ESTALE,
            "cgroup link with a stale expected_revision",
        );
        let now = q();
        assert_eq!(
            now.prog_ids, before.prog_ids,
            "failed creates attached nothing"
        );
        assert_eq!(
            now.revision, before.revision,
            "failed creates kept the revision"
        );
        // The current revision, AFTER without a relative: last.
        let mut o = lc_opts();
        o.flags = BPF_F_AFTER;
        o.u.cgroup.expected_revision = before.revision;
        let e = assert_new_fd(
            link_create(progs[4].as_raw_fd(), cg.raw(), at, Some(&o)),
            "egress link E: AFTER all, expected_revision = current",
        );
        let now = q();
        assert_eq!(now.prog_ids, [pid[3], pid[1], pid[0], pid[2], pid[4]]);
        assert!(now.revision > before.revision, "revision advances");

        // Detaching one removes exactly it.
        assert_ok0(link_detach(a.as_raw_fd()), "bpf_link_detach(A)");
        assert_eq!(q().prog_ids, [pid[3], pid[1], pid[2], pid[4]]);
        for (l, name) in [(a, "A"), (b, "B"), (c, "C"), (d, "D"), (e, "E")] {
            release(l, name);
        }
        assert!(
            poll(Duration::from_secs(5), || q().prog_ids.is_empty()),
            "cgroup egress links not all gone: {:?}",
            q()
        );
        Ok(())
    });
}

// ====================================================================
// XDP on a veth pair
// ====================================================================

/// XDP on veth `kv1` in native (`XDP_FLAGS_DRV_MODE`) and generic
/// (`XDP_FLAGS_SKB_MODE`) mode: info (type 6, ifindex), frames sent with
/// AF_PACKET on the peer `kv0` hit the program, a second link is EBUSY,
/// update plain (the new program runs) and with REPLACE (wrong old →
/// EPERM), detach (ifindex 0, update → ENOLINK), enumerate/pin/release.
#[test]
fn xdp_veth_native_and_generic() {
    run(|env| {
        let (if0, if1) = veth_pair("kv0", "kv1")?;
        let slots = Slots::new(2)?;
        let p1 = load(
            prog_type::XDP,
            attach::XDP,
            0,
            &count_prog(slots.raw(), 0, XDP_PASS),
            "xdp_a",
        )?;
        let p2 = load(
            prog_type::XDP,
            attach::XDP,
            0,
            &count_prog(slots.raw(), 1, XDP_PASS),
            "xdp_b",
        )?;
        let (id1, id2) = (obj_id(p1.as_raw_fd()), obj_id(p2.as_raw_fd()));
        for (mode, name) in [
            (XDP_FLAGS_DRV_MODE, "xdp_native"),
            (XDP_FLAGS_SKB_MODE, "xdp_generic"),
        ] {
            let (s0, s1) = (slots.get(0), slots.get(1));
            let mut o = lc_opts();
            o.flags = mode;
            let link = assert_new_fd(
                retry_while_busy(|| {
                    link_create(p1.as_raw_fd(), if1 as RawFd, attach::XDP, Some(&o))
                }),
                &format!("{name}: bpf_link_create on kv1"),
            );
            let info = link_info(link.as_raw_fd());
            assert_eq!(info.link_type(), link_type::XDP, "{name}: link type");
            assert_eq!(info.prog_id(), id1, "{name}: prog_id");
            assert_eq!(info.u32_at(16), if1, "{name}: ifindex");

            send_frames(if0, 3);
            assert!(
                poll(Duration::from_secs(2), || slots.get(0) >= s0 + 3),
                "{name}: XDP program did not see the 3 frames (counter {} -> {})",
                s0,
                slots.get(0)
            );
            assert_err(
                link_create(p2.as_raw_fd(), if1 as RawFd, attach::XDP, Some(&o)),
                libc::EBUSY,
                &format!("{name}: second XDP link on kv1"),
            );

            assert_ok0(
                link_update(link.as_raw_fd(), p2.as_raw_fd(), None),
                &format!("{name}: bpf_link_update(p2)"),
            );
            assert_eq!(link_info(link.as_raw_fd()).prog_id(), id2);
            let before = slots.get(0);
            send_frames(if0, 2);
            assert!(
                poll(Duration::from_secs(2), || slots.get(1) >= s1 + 2),
                "{name}: updated XDP program did not run"
            );
            assert_eq!(slots.get(0), before, "{name}: the old program still runs");
            assert_err(
                link_update(
                    link.as_raw_fd(),
                    p1.as_raw_fd(),
                    Some(&lu_opts(BPF_F_REPLACE, p1.as_raw_fd())),
                ),
                libc::EPERM,
                &format!("{name}: REPLACE with the wrong old prog"),
            );
            assert_ok0(
                link_update(
                    link.as_raw_fd(),
                    p1.as_raw_fd(),
                    Some(&lu_opts(BPF_F_REPLACE, p2.as_raw_fd())),
                ),
                &format!("{name}: REPLACE with the right old prog"),
            );
            assert_eq!(link_info(link.as_raw_fd()).prog_id(), id1);

            assert_ok0(link_detach(link.as_raw_fd()), &format!("{name}: detach"));
            assert_eq!(
                link_info(link.as_raw_fd()).u32_at(16),
                0,
                "{name}: ifindex after detach"
            );
            assert_err(
                link_update(link.as_raw_fd(), p2.as_raw_fd(), None),
                ENOLINK,
                &format!("{name}: update after detach"),
            );
            let (a, b) = (slots.get(0), slots.get(1));
            send_frames(if0, 2);
            std::thread::sleep(Duration::from_millis(50));
            assert_eq!(
                (slots.get(0), slots.get(1)),
                (a, b),
                "{name}: runs after detach"
            );
            enumerate_pin_release(env, link, name);
        }
        Ok(())
    });
}

// ====================================================================
// tcx
// ====================================================================

/// TCX ingress on `lo`: info (type 11, ifindex, attach type), ordering
/// with `relative_fd` (a prog fd, and a link fd with `BPF_F_LINK`) and
/// `relative_id` (a link id, and a prog id; bpflink adds `BPF_F_ID`), all
/// checked with `BPF_PROG_QUERY` prog_ids *and* link_ids; expected_revision
/// stale → ESTALE and current → ok; relative_fd + relative_id → EINVAL
/// without a syscall; the same prog twice → EEXIST; every program in the
/// chain runs; update plain and REPLACE (wrong old → EPERM); detach removes
/// exactly that link (ifindex 0, update → ENOLINK). Then TCX egress runs on
/// outgoing traffic. Enumerate/pin/release.
#[test]
fn tcx_ingress_ordering_revision_update_detach_and_egress() {
    run(|env| {
        let slots = Slots::new(8)?;
        let at = attach::TCX_INGRESS;
        let progs = (0..6)
            .map(|i| {
                load(
                    prog_type::SCHED_CLS,
                    at,
                    0,
                    &count_prog(slots.raw(), i, TCX_NEXT),
                    &format!("tcx_in{i}"),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let pid: Vec<u32> = progs.iter().map(|p| obj_id(p.as_raw_fd())).collect();
        let fd = |i: usize| progs[i].as_raw_fd();
        let q = || prog_query(1, at);
        let lid = |l: &OwnedFd| link_info(l.as_raw_fd()).id();

        let a = assert_new_fd(link_create(fd(0), 1, at, None), "tcx link A on lo");
        let info = link_info(a.as_raw_fd());
        assert_eq!(info.link_type(), link_type::TCX, "link type");
        assert_eq!(info.prog_id(), pid[0], "prog_id");
        assert_eq!(info.u32_at(16), 1, "ifindex");
        assert_eq!(info.u32_at(20), at, "attach_type");
        let r0 = q();
        assert_eq!(
            (r0.prog_ids.as_slice(), r0.link_ids.as_slice()),
            (&[pid[0]][..], &[info.id()][..])
        );

        // B before A, relative to A's *program* fd.
        let mut o = lc_opts();
        o.flags = BPF_F_BEFORE;
        o.u.tcx.relative_fd = fd(0) as u32;
        let b = assert_new_fd(link_create(fd(1), 1, at, Some(&o)), "B: BEFORE prog fd A");
        // C after A, by A's *link id* (relative_id + BPF_F_LINK).
        let mut o = lc_opts();
        o.flags = BPF_F_AFTER | BPF_F_LINK;
        o.u.tcx.relative_id = lid(&a);
        let c = assert_new_fd(link_create(fd(2), 1, at, Some(&o)), "C: AFTER link id A");
        // D before B, by B's *link fd*.
        let mut o = lc_opts();
        o.flags = BPF_F_BEFORE | BPF_F_LINK;
        o.u.tcx.relative_fd = b.as_raw_fd() as u32;
        let d = assert_new_fd(link_create(fd(3), 1, at, Some(&o)), "D: BEFORE link fd B");
        let before = q();
        assert_eq!(
            before.prog_ids,
            [pid[3], pid[1], pid[0], pid[2]],
            "prog order"
        );
        assert_eq!(
            before.link_ids,
            [lid(&d), lid(&b), lid(&a), lid(&c)],
            "link order"
        );
        assert!(before.revision > r0.revision, "revision advances");

        // Refusals that must not change the hook.
        let mut o = lc_opts();
        o.flags = BPF_F_BEFORE;
        o.u.tcx.relative_fd = fd(0) as u32;
        o.u.tcx.relative_id = pid[0];
        assert_err(
            link_create(fd(4), 1, at, Some(&o)),
            libc::EINVAL,
            "relative_fd and relative_id together",
        );
        let mut o = lc_opts();
        o.u.tcx.expected_revision = before.revision + 1000;
        assert_err(
            link_create(fd(4), 1, at, Some(&o)),
            ESTALE,
            "stale expected_revision",
        );
        assert_err(
            link_create(fd(0), 1, at, None),
            libc::EEXIST,
            "the same prog twice",
        );
        let now = q();
        assert_eq!(
            (now.prog_ids, now.revision),
            (before.prog_ids.clone(), before.revision)
        );

        // E after C by C's *program id* (relative_id, no BPF_F_LINK),
        // at the current revision.
        let mut o = lc_opts();
        o.flags = BPF_F_AFTER;
        o.u.tcx.relative_id = pid[2];
        o.u.tcx.expected_revision = before.revision;
        let e = assert_new_fd(
            link_create(fd(4), 1, at, Some(&o)),
            "E: AFTER prog id C, expected_revision = current",
        );
        let chain = q();
        assert_eq!(chain.prog_ids, [pid[3], pid[1], pid[0], pid[2], pid[4]]);
        assert_eq!(
            chain.link_ids,
            [lid(&d), lid(&b), lid(&a), lid(&c), lid(&e)]
        );

        // TCX_NEXT everywhere: every program of the chain sees the packet.
        udp_ping();
        for i in 0..5 {
            assert!(slots.get(i) >= 1, "tcx prog {i} did not run");
        }

        // Update A: plain (prog 5 takes A's place), REPLACE wrong/right.
        assert_ok0(link_update(a.as_raw_fd(), fd(5), None), "update A -> p5");
        assert_eq!(q().prog_ids, [pid[3], pid[1], pid[5], pid[2], pid[4]]);
        let s0 = slots.get(0);
        udp_ping();
        assert!(slots.get(5) >= 1, "the new program runs");
        assert_eq!(slots.get(0), s0, "the replaced program no longer runs");
        assert_err(
            link_update(a.as_raw_fd(), fd(0), Some(&lu_opts(BPF_F_REPLACE, fd(0)))),
            libc::EPERM,
            "REPLACE with the wrong old prog",
        );
        assert_ok0(
            link_update(a.as_raw_fd(), fd(0), Some(&lu_opts(BPF_F_REPLACE, fd(5)))),
            "REPLACE with the right old prog",
        );
        assert_eq!(link_info(a.as_raw_fd()).prog_id(), pid[0]);

        // Detach C: exactly C leaves the chain.
        assert_ok0(link_detach(c.as_raw_fd()), "detach C");
        let after = q();
        assert_eq!(after.prog_ids, [pid[3], pid[1], pid[0], pid[4]]);
        assert!(after.revision > chain.revision);
        let ci = link_info(c.as_raw_fd());
        assert_eq!(
            (ci.u32_at(16), ci.u32_at(20)),
            (0, at),
            "C: ifindex 0 after detach"
        );
        assert_err(
            link_update(c.as_raw_fd(), fd(2), None),
            ENOLINK,
            "update C after detach",
        );

        for (l, n) in [(b, "B"), (c, "C"), (d, "D"), (e, "E")] {
            release(l, n);
        }
        enumerate_pin_release(env, a, "tcx_ingress");
        // The id goes away just before the deferred detach: poll.
        assert!(
            poll(Duration::from_secs(5), || q().prog_ids.is_empty()),
            "ingress hook not empty again: {:?}",
            q()
        );

        // Egress: runs on outgoing traffic.
        let eg = load(
            prog_type::SCHED_CLS,
            attach::TCX_EGRESS,
            0,
            &count_prog(slots.raw(), 7, TCX_NEXT),
            "tcx_eg",
        )?;
        let l = assert_new_fd(
            link_create(eg.as_raw_fd(), 1, attach::TCX_EGRESS, None),
            "tcx egress",
        );
        let info = link_info(l.as_raw_fd());
        assert_eq!(
            (info.link_type(), info.u32_at(16), info.u32_at(20)),
            (link_type::TCX, 1, attach::TCX_EGRESS)
        );
        assert_eq!(prog_query(1, attach::TCX_EGRESS).link_ids, [info.id()]);
        udp_ping();
        assert!(slots.get(7) >= 1, "tcx egress program did not run");
        enumerate_pin_release(env, l, "tcx_egress");
        assert!(poll(Duration::from_secs(5), || prog_query(
            1,
            attach::TCX_EGRESS
        )
        .prog_ids
        .is_empty()));
        Ok(())
    });
}

// ====================================================================
// netfilter
// ====================================================================

/// Netfilter IPv4 LOCAL_IN: info (type 10, pf, hooknum, priority, flags),
/// the program runs for local UDP, a duplicate pf/hook/priority is EBUSY,
/// another priority is fine, INT_MIN priority → ERANGE, link flags → EINVAL,
/// update → EOPNOTSUPP, detach ok (info unchanged, program stops).
#[test]
fn netfilter_ipv4_local_in() {
    run(|env| {
        let slots = Slots::new(1)?;
        let p = load(
            prog_type::NETFILTER,
            attach::NETFILTER,
            0,
            &count_prog(slots.raw(), 0, NF_ACCEPT),
            "nf_in",
        )?;
        let nf = |prio: i32| {
            let mut o = lc_opts();
            o.u.netfilter.pf = NFPROTO_IPV4;
            o.u.netfilter.hooknum = NF_INET_LOCAL_IN;
            o.u.netfilter.priority = prio;
            o
        };
        let o = nf(-128);
        let link = assert_new_fd(
            link_create(p.as_raw_fd(), 0, attach::NETFILTER, Some(&o)),
            "bpf_link_create(netfilter)",
        );
        let info = link_info(link.as_raw_fd());
        assert_eq!(info.link_type(), link_type::NETFILTER, "link type");
        assert_eq!(info.prog_id(), obj_id(p.as_raw_fd()), "prog_id");
        assert_eq!(
            (
                info.u32_at(16),
                info.u32_at(20),
                info.u32_at(24) as i32,
                info.u32_at(28)
            ),
            (NFPROTO_IPV4, NF_INET_LOCAL_IN, -128, 0),
            "pf, hooknum, priority, flags"
        );
        udp_ping();
        assert!(slots.get(0) >= 1, "netfilter program did not run");

        assert_err(
            link_create(p.as_raw_fd(), 0, attach::NETFILTER, Some(&o)),
            libc::EBUSY,
            "duplicate pf/hook/priority",
        );
        let other = assert_new_fd(
            link_create(p.as_raw_fd(), 0, attach::NETFILTER, Some(&nf(-127))),
            "another priority",
        );
        release(other, "netfilter prio -127");
        assert_err(
            link_create(p.as_raw_fd(), 0, attach::NETFILTER, Some(&nf(i32::MIN))),
            libc::ERANGE,
            "priority INT_MIN",
        );
        let mut fl = nf(-100);
        fl.flags = 1;
        assert_err(
            link_create(p.as_raw_fd(), 0, attach::NETFILTER, Some(&fl)),
            libc::EINVAL,
            "link_create flags != 0",
        );
        assert_err(
            link_update(link.as_raw_fd(), p.as_raw_fd(), None),
            libc::EOPNOTSUPP,
            "bpf_link_update(netfilter)",
        );
        assert_ok0(link_detach(link.as_raw_fd()), "bpf_link_detach(netfilter)");
        assert_eq!(
            link_info(link.as_raw_fd()).0,
            info.0,
            "info unchanged after detach"
        );
        let n = slots.get(0);
        udp_ping();
        assert_eq!(slots.get(0), n, "netfilter program runs after detach");
        enumerate_pin_release(env, link, "netfilter");
        Ok(())
    });
}

// ====================================================================
// netns links: sk_lookup, flow_dissector
// ====================================================================

/// sk_lookup on this thread's netns: info (type 5, netns inode, attach
/// type), runs on a TCP connect, two links may coexist (both run), update
/// plain / REPLACE (wrong old → EPERM), detach (netns_ino 0, program stops,
/// update → ENOLINK).
#[test]
fn sk_lookup_netns() {
    run(|env| {
        let (ns, ino) = netns();
        let slots = Slots::new(3)?;
        let mk = |slot, name| {
            load(
                prog_type::SK_LOOKUP,
                attach::SK_LOOKUP,
                0,
                &count_prog(slots.raw(), slot, SK_PASS),
                name,
            )
        };
        let (p1, p2, p3) = (mk(0, "skl1")?, mk(1, "skl2")?, mk(2, "skl3")?);
        let link = assert_new_fd(
            link_create(p1.as_raw_fd(), ns.as_raw_fd(), attach::SK_LOOKUP, None),
            "bpf_link_create(sk_lookup)",
        );
        let info = link_info(link.as_raw_fd());
        assert_eq!(info.link_type(), link_type::NETNS, "link type");
        assert_eq!(info.prog_id(), obj_id(p1.as_raw_fd()), "prog_id");
        assert_eq!(u64::from(info.u32_at(16)), ino, "netns_ino");
        assert_eq!(info.u32_at(20), attach::SK_LOOKUP, "attach_type");
        drop(tcp_pair());
        assert!(slots.get(0) >= 1, "sk_lookup program did not run");

        let second = assert_new_fd(
            link_create(p3.as_raw_fd(), ns.as_raw_fd(), attach::SK_LOOKUP, None),
            "second sk_lookup link in the same netns",
        );
        drop(tcp_pair());
        assert!(slots.get(2) >= 1, "second sk_lookup program did not run");
        release(second, "second sk_lookup");

        assert_ok0(
            link_update(link.as_raw_fd(), p2.as_raw_fd(), None),
            "update -> p2",
        );
        let s0 = slots.get(0);
        drop(tcp_pair());
        assert!(slots.get(1) >= 1, "updated sk_lookup program did not run");
        assert_eq!(slots.get(0), s0, "old sk_lookup program still runs");
        assert_err(
            link_update(
                link.as_raw_fd(),
                p1.as_raw_fd(),
                Some(&lu_opts(BPF_F_REPLACE, p1.as_raw_fd())),
            ),
            libc::EPERM,
            "REPLACE with the wrong old prog",
        );
        assert_ok0(
            link_update(
                link.as_raw_fd(),
                p1.as_raw_fd(),
                Some(&lu_opts(BPF_F_REPLACE, p2.as_raw_fd())),
            ),
            "REPLACE with the right old prog",
        );
        assert_ok0(link_detach(link.as_raw_fd()), "bpf_link_detach(sk_lookup)");
        assert_eq!(
            link_info(link.as_raw_fd()).u32_at(16),
            0,
            "netns_ino after detach"
        );
        let s = (slots.get(0), slots.get(1));
        drop(tcp_pair());
        assert_eq!((slots.get(0), slots.get(1)), s, "runs after detach");
        assert_err(
            link_update(link.as_raw_fd(), p2.as_raw_fd(), None),
            ENOLINK,
            "update after detach",
        );
        enumerate_pin_release(env, link, "sk_lookup");
        Ok(())
    });
}

/// Opens an AF_PACKET socket on `lo` in a PACKET_FANOUT_HASH group: the
/// fanout hashes every packet with the flow dissector (and so runs a BPF
/// flow dissector attached to the netns).
fn fanout_hash_socket() -> OwnedFd {
    let proto = (libc::ETH_P_ALL as u16).to_be();
    let s = socket(libc::AF_PACKET, libc::SOCK_RAW, c_int::from(proto));
    let mut sl: libc::sockaddr_ll = unsafe { zeroed() };
    sl.sll_family = libc::AF_PACKET as u16;
    sl.sll_protocol = proto;
    sl.sll_ifindex = 1;
    let r = unsafe {
        libc::bind(
            s.as_raw_fd(),
            (&sl as *const libc::sockaddr_ll).cast(),
            size_of::<libc::sockaddr_ll>() as u32,
        )
    };
    assert_eq!(r, 0, "bind AF_PACKET to lo: {}", errname(errno()));
    let fanout: u32 = 0x4242 | (libc::PACKET_FANOUT_HASH << 16);
    let r = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_PACKET,
            libc::PACKET_FANOUT,
            (&fanout as *const u32).cast(),
            4,
        )
    };
    assert_eq!(r, 0, "PACKET_FANOUT: {}", errname(errno()));
    s
}

/// flow_dissector on this thread's netns: info (type 5, netns inode,
/// attach type 17), the program runs when a PACKET_FANOUT_HASH socket
/// hashes lo's traffic, a second link is E2BIG, update plain / REPLACE
/// (wrong old → EPERM), detach (update → ENOLINK).
#[test]
fn flow_dissector_netns() {
    run(|env| {
        let (ns, ino) = netns();
        let slots = Slots::new(2)?;
        let mk = |slot, name| {
            load(
                prog_type::FLOW_DISSECTOR,
                attach::FLOW_DISSECTOR,
                0,
                &count_prog(slots.raw(), slot, BPF_OK),
                name,
            )
        };
        let (p1, p2) = (mk(0, "fd1")?, mk(1, "fd2")?);
        let link = assert_new_fd(
            link_create(p1.as_raw_fd(), ns.as_raw_fd(), attach::FLOW_DISSECTOR, None),
            "bpf_link_create(flow_dissector)",
        );
        let info = link_info(link.as_raw_fd());
        assert_eq!(info.link_type(), link_type::NETNS, "link type");
        assert_eq!(info.prog_id(), obj_id(p1.as_raw_fd()), "prog_id");
        assert_eq!(u64::from(info.u32_at(16)), ino, "netns_ino");
        assert_eq!(info.u32_at(20), attach::FLOW_DISSECTOR, "attach_type");

        let fanout = fanout_hash_socket();
        udp_ping();
        assert!(
            poll(Duration::from_secs(2), || slots.get(0) >= 1),
            "flow dissector program did not run"
        );
        assert_err(
            link_create(p2.as_raw_fd(), ns.as_raw_fd(), attach::FLOW_DISSECTOR, None),
            libc::E2BIG,
            "second flow_dissector link in the netns",
        );
        assert_ok0(
            link_update(link.as_raw_fd(), p2.as_raw_fd(), None),
            "update -> p2",
        );
        udp_ping();
        assert!(
            poll(Duration::from_secs(2), || slots.get(1) >= 1),
            "updated flow dissector did not run"
        );
        assert_err(
            link_update(
                link.as_raw_fd(),
                p1.as_raw_fd(),
                Some(&lu_opts(BPF_F_REPLACE, p1.as_raw_fd())),
            ),
            libc::EPERM,
            "REPLACE with the wrong old prog",
        );
        assert_ok0(
            link_update(
                link.as_raw_fd(),
                p1.as_raw_fd(),
                Some(&lu_opts(BPF_F_REPLACE, p2.as_raw_fd())),
            ),
            "REPLACE with the right old prog",
        );
        assert_ok0(
            link_detach(link.as_raw_fd()),
            "bpf_link_detach(flow_dissector)",
        );
        assert_eq!(
            link_info(link.as_raw_fd()).u32_at(16),
            0,
            "netns_ino after detach"
        );
        let s = (slots.get(0), slots.get(1));
        udp_ping();
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!((slots.get(0), slots.get(1)), s, "runs after detach");
        assert_err(
            link_update(link.as_raw_fd(), p2.as_raw_fd(), None),
            ENOLINK,
            "update after detach",
        );
        drop(fanout);
        enumerate_pin_release(env, link, "flow_dissector");
        Ok(())
    });
}

// ====================================================================
// tp_btf with a cookie
// ====================================================================

/// tp_btf (TRACING + TRACE_RAW_TP on `btf_trace_sys_enter`) with
/// `tracing.cookie`: info (type 1, tp_name "sys_enter", cookie @32), the
/// program reads the cookie with `bpf_get_attach_cookie()`, update →
/// EINVAL, detach → EOPNOTSUPP. (Creation without a cookie and through
/// `bpf_raw_tracepoint_open` is in tests/kernel.rs.)
#[test]
fn tp_btf_cookie_seen_by_program() {
    run(|env| {
        let btf_id = btf_find(btf_kind::TYPEDEF, "btf_trace_sys_enter")?;
        let slots = Slots::new(3)?;
        let p = load(
            prog_type::TRACING,
            attach::TRACE_RAW_TP,
            btf_id,
            &cookie_prog(slots.raw(), 0),
            "tp_btf_cookie",
        )?;
        const COOKIE: u64 = 0x1122_3344_5566_7788;
        let mut o = lc_opts();
        o.u.tracing.cookie = COOKIE;
        let link = assert_new_fd(
            link_create(p.as_raw_fd(), 0, attach::TRACE_RAW_TP, Some(&o)),
            "bpf_link_create(tp_btf, cookie)",
        );
        let mut name = [0u8; 32];
        let mut info = LinkInfo::new();
        info.set_buf(16, 24, &mut name);
        link_info_into(link.as_raw_fd(), &mut info);
        assert_eq!(info.link_type(), link_type::RAW_TRACEPOINT, "link type");
        assert_eq!(info.prog_id(), obj_id(p.as_raw_fd()), "prog_id");
        assert_eq!(cstr_of(&name), "sys_enter", "tp_name");
        assert_eq!(info.u64_at(32), COOKIE, "raw_tracepoint.cookie");

        unsafe { libc::syscall(libc::SYS_getppid) };
        assert!(slots.get(0) >= 1, "tp_btf program did not run");
        assert_eq!(
            slots.get(1),
            COOKIE,
            "bpf_get_attach_cookie() in the program"
        );

        assert_err(
            link_update(link.as_raw_fd(), p.as_raw_fd(), None),
            libc::EINVAL,
            "bpf_link_update(tp_btf)",
        );
        assert_err(
            link_detach(link.as_raw_fd()),
            libc::EOPNOTSUPP,
            "bpf_link_detach(tp_btf)",
        );
        enumerate_pin_release(env, link, "tp_btf");
        Ok(())
    });
}

// ====================================================================
// perf_event links
// ====================================================================

/// The perf_event link facts shared by the three event kinds: update →
/// EINVAL, detach → EOPNOTSUPP, a second link on the same perf fd → EEXIST.
#[track_caller]
fn perf_link_refusals(link: &OwnedFd, prog: &OwnedFd, pfd: &OwnedFd, what: &str) {
    assert_err(
        link_update(link.as_raw_fd(), prog.as_raw_fd(), None),
        libc::EINVAL,
        &format!("{what}: bpf_link_update"),
    );
    assert_err(
        link_detach(link.as_raw_fd()),
        libc::EOPNOTSUPP,
        &format!("{what}: bpf_link_detach"),
    );
    assert_err(
        link_create(prog.as_raw_fd(), pfd.as_raw_fd(), attach::PERF_EVENT, None),
        libc::EEXIST,
        &format!("{what}: second link on the same perf event"),
    );
}

fn perf_cookie_opts(cookie: u64) -> bpf_link_create_opts {
    let mut o = lc_opts();
    o.u.perf_event.bpf_cookie = cookie;
    o
}

/// perf_event link on the `syscalls/sys_enter_getppid` tracepoint (tracefs
/// mounted in the private mount namespace to read its id): info (type 7,
/// perf type TRACEPOINT, tp_name, cookie), the program runs for getppid()
/// and reads the bpf_cookie, refusals, enumerate/pin/release, and it no
/// longer runs afterwards.
#[test]
fn perf_event_tracepoint_with_cookie() {
    run(|env| {
        let tp = tracepoint_id("syscalls", "sys_enter_getppid")?;
        let slots = Slots::new(3)?;
        let p = load(
            prog_type::TRACEPOINT,
            0,
            0,
            &cookie_prog(slots.raw(), 0),
            "perf_tp",
        )?;
        let pfd = perf_open(PERF_TYPE_TRACEPOINT, tp, 0, 0, 1, 0, -1)
            .unwrap_or_else(|e| panic!("perf_event_open(tracepoint {tp}): {}", errname(e)));
        const COOKIE: u64 = 0xabcd_ef01;
        let link = assert_new_fd(
            link_create(
                p.as_raw_fd(),
                pfd.as_raw_fd(),
                attach::PERF_EVENT,
                Some(&perf_cookie_opts(COOKIE)),
            ),
            "bpf_link_create(perf_event tracepoint)",
        );
        let mut name = [0u8; 64];
        let mut info = LinkInfo::new();
        info.set_buf(24, 32, &mut name);
        link_info_into(link.as_raw_fd(), &mut info);
        assert_eq!(info.link_type(), link_type::PERF_EVENT, "link type");
        assert_eq!(info.prog_id(), obj_id(p.as_raw_fd()), "prog_id");
        assert_eq!(
            info.u32_at(16),
            perf_event_type::TRACEPOINT,
            "perf_event.type"
        );
        assert_eq!(cstr_of(&name), "sys_enter_getppid", "tracepoint name");
        assert_eq!(info.u64_at(40), COOKIE, "tracepoint.cookie");

        // The program is attached to the tracepoint itself, so any
        // process's getppid() counts: at least ours.
        let before = slots.get(0);
        for _ in 0..3 {
            unsafe { libc::syscall(libc::SYS_getppid) };
        }
        assert!(
            slots.get(0) >= before + 3,
            "tracepoint program did not run 3 times"
        );
        assert_eq!(
            slots.get(1),
            COOKIE,
            "bpf_get_attach_cookie() in the program"
        );

        perf_link_refusals(&link, &p, &pfd, "perf tracepoint");
        enumerate_pin_release(env, link, "perf_tp");
        assert_stops_running("perf tracepoint", &slots, 0, || unsafe {
            libc::syscall(libc::SYS_getppid);
        });
        Ok(())
    });
}

/// perf_event link on a uprobe (PMU `uprobe`, config1 = path, config2 =
/// file offset of `bpflink_kinds_uprobe_a` in this test binary) and on a
/// uretprobe (config bit 0): info (type 7, perf type UPROBE/URETPROBE,
/// file name, offset, cookie), the program runs exactly once per call and
/// reads the cookie, refusals, enumerate/pin/release.
#[test]
fn perf_event_uprobe_and_uretprobe_with_cookie() {
    run(|env| {
        let ty: u32 = match std::fs::read_to_string("/sys/bus/event_source/devices/uprobe/type") {
            Ok(s) => s.trim().parse().unwrap(),
            Err(e) => return Err(Skip(format!("no uprobe PMU: {e}"))),
        };
        let (path, off) = file_offset(bpflink_kinds_uprobe_a);
        for (ret, perf_type, cookie, name) in [
            (
                0u64,
                perf_event_type::UPROBE,
                0x0123_4567_89ab_cdefu64,
                "perf_uprobe",
            ),
            (1, perf_event_type::URETPROBE, 0x77, "perf_uretprobe"),
        ] {
            let slots = Slots::new(3)?;
            let p = load(prog_type::KPROBE, 0, 0, &cookie_prog(slots.raw(), 0), name)?;
            let pfd = perf_open(ty, ret, path.as_ptr() as u64, off, 0, 0, -1)
                .unwrap_or_else(|e| panic!("perf_event_open({name}): {}", errname(e)));
            let link = assert_new_fd(
                link_create(
                    p.as_raw_fd(),
                    pfd.as_raw_fd(),
                    attach::PERF_EVENT,
                    Some(&perf_cookie_opts(cookie)),
                ),
                &format!("bpf_link_create({name})"),
            );
            let mut file = [0u8; 4096];
            let mut info = LinkInfo::new();
            info.set_buf(24, 32, &mut file);
            link_info_into(link.as_raw_fd(), &mut info);
            assert_eq!(info.link_type(), link_type::PERF_EVENT, "{name}: link type");
            assert_eq!(info.prog_id(), obj_id(p.as_raw_fd()), "{name}: prog_id");
            assert_eq!(info.u32_at(16), perf_type, "{name}: perf_event.type");
            assert_eq!(cstr_of(&file), path.to_str().unwrap(), "{name}: file_name");
            assert_eq!(u64::from(info.u32_at(36)), off, "{name}: offset");
            assert_eq!(info.u64_at(40), cookie, "{name}: cookie");

            call_n(bpflink_kinds_uprobe_a, 5);
            call_n(bpflink_kinds_uprobe_b, 2);
            assert_eq!(
                slots.get(0),
                5,
                "{name}: runs once per call of the probed function"
            );
            assert_eq!(slots.get(1), cookie, "{name}: bpf_get_attach_cookie()");
            assert_eq!(slots.get(2), cookie.wrapping_mul(5), "{name}: cookie sum");

            perf_link_refusals(&link, &p, &pfd, name);
            enumerate_pin_release(env, link, name);
            assert_stops_running(name, &slots, 0, || call_n(bpflink_kinds_uprobe_a, 1));
        }
        Ok(())
    });
}

/// perf_event link on a software event (SW_CPU_CLOCK on this thread, every
/// 100 µs) with a PERF_EVENT program: info (type 7, perf type EVENT,
/// config, event type, cookie), the program runs while we spin and reads
/// the cookie, refusals, enumerate/pin/release.
#[test]
fn perf_event_software_cpu_clock_with_cookie() {
    run(|env| {
        let slots = Slots::new(3)?;
        let p = load(
            prog_type::PERF_EVENT,
            0,
            0,
            &cookie_prog(slots.raw(), 0),
            "perf_sw",
        )?;
        let pfd = perf_open(
            PERF_TYPE_SOFTWARE,
            PERF_COUNT_SW_CPU_CLOCK,
            0,
            0,
            100_000,
            0,
            -1,
        )
        .unwrap_or_else(|e| panic!("perf_event_open(SW_CPU_CLOCK): {}", errname(e)));
        const COOKIE: u64 = 0x5eed;
        let link = assert_new_fd(
            link_create(
                p.as_raw_fd(),
                pfd.as_raw_fd(),
                attach::PERF_EVENT,
                Some(&perf_cookie_opts(COOKIE)),
            ),
            "bpf_link_create(perf_event software)",
        );
        let info = link_info(link.as_raw_fd());
        assert_eq!(info.link_type(), link_type::PERF_EVENT, "link type");
        assert_eq!(info.prog_id(), obj_id(p.as_raw_fd()), "prog_id");
        assert_eq!(info.u32_at(16), perf_event_type::EVENT, "perf_event.type");
        assert_eq!(info.u64_at(24), PERF_COUNT_SW_CPU_CLOCK, "event.config");
        // 6.18 reports the type of the PMU that serves the event: cpu-clock
        // has its own, dynamically numbered PMU (6 here), not
        // PERF_TYPE_SOFTWARE (1). Both are accepted.
        let ev_type = info.u32_at(32);
        assert!(
            ev_type == PERF_TYPE_SOFTWARE || ev_type > 5,
            "event.type {ev_type}: neither PERF_TYPE_SOFTWARE nor a dynamic PMU type"
        );
        assert_eq!(info.u64_at(40), COOKIE, "event.cookie");

        // Burn CPU on this thread until the clock fires (bounded).
        let deadline = Instant::now() + Duration::from_secs(3);
        let mut x = 0u64;
        while slots.get(0) == 0 && Instant::now() < deadline {
            for i in 0..100_000u64 {
                x = std::hint::black_box(x.wrapping_add(i));
            }
        }
        assert!(
            slots.get(0) >= 1,
            "software-event program did not run in 3 s"
        );
        assert_eq!(slots.get(1), COOKIE, "bpf_get_attach_cookie()");

        perf_link_refusals(&link, &p, &pfd, "perf software");
        enumerate_pin_release(env, link, "perf_sw");
        assert_stops_running("perf software", &slots, 0, || {
            let t = Instant::now();
            while t.elapsed() < Duration::from_millis(5) {
                std::hint::black_box(t.elapsed());
            }
        });
        Ok(())
    });
}

// ====================================================================
// uprobe_multi and uprobe_session
// ====================================================================

/// `uprobe_multi` opts for `path` and parallel offsets/cookies.
fn umulti_opts(
    path: &CStr,
    offsets: &[c_ulong],
    cookies: &[u64],
    pid: u32,
    flags: u32,
) -> bpf_link_create_opts {
    let mut o = lc_opts();
    o.u.uprobe_multi.path = path.as_ptr();
    o.u.uprobe_multi.offsets = offsets.as_ptr();
    o.u.uprobe_multi.cookies = if cookies.is_empty() {
        null()
    } else {
        cookies.as_ptr()
    };
    o.u.uprobe_multi.cnt = offsets.len() as u32;
    o.u.uprobe_multi.pid = pid;
    o.u.uprobe_multi.flags = flags;
    o
}

/// uprobe_multi on two functions of this test binary with per-offset
/// cookies, filtered to our pid: info (type 12, path, offsets and cookies
/// read back, count, flags, pid), the program runs exactly once per call
/// and sees the right cookie for each function; update → EINVAL, detach →
/// EOPNOTSUPP. A pid filter for another process means our calls do not run
/// it; pid 0 (every process) runs it too; `BPF_F_UPROBE_MULTI_RETURN` runs
/// on return; cnt 0 → EINVAL.
///
/// Exact counts use our own pid as the filter: another run of this same
/// test binary at the same time (same inode) must not be counted.
#[test]
fn uprobe_multi_offsets_cookies_pid_filter() {
    run(|env| {
        let (path, off_a) = file_offset(bpflink_kinds_uprobe_a);
        let (_, off_b) = file_offset(bpflink_kinds_uprobe_b);
        let slots = Slots::new(3)?;
        let p = load(
            prog_type::KPROBE,
            attach::TRACE_UPROBE_MULTI,
            0,
            &cookie_prog(slots.raw(), 0),
            "umulti",
        )?;
        let offs = [off_a as c_ulong, off_b as c_ulong];
        let cookies = [0x10u64, 0x2000];
        let me = std::process::id();
        let link = assert_new_fd(
            link_create(
                p.as_raw_fd(),
                0,
                attach::TRACE_UPROBE_MULTI,
                Some(&umulti_opts(&path, &offs, &cookies, me, 0)),
            ),
            "bpf_link_create(uprobe_multi)",
        );
        let mut pbuf = [0u8; 4096];
        let mut offs_back = [0u64; 4];
        let mut cookies_back = [0u64; 4];
        let mut info = LinkInfo::new();
        info.set_buf(16, 48, &mut pbuf);
        info.0[24..32].copy_from_slice(&(offs_back.as_mut_ptr() as u64).to_ne_bytes());
        info.0[40..48].copy_from_slice(&(cookies_back.as_mut_ptr() as u64).to_ne_bytes());
        info.0[52..56].copy_from_slice(&4u32.to_ne_bytes());
        link_info_into(link.as_raw_fd(), &mut info);
        assert_eq!(info.link_type(), link_type::UPROBE_MULTI, "link type");
        assert_eq!(info.prog_id(), obj_id(p.as_raw_fd()), "prog_id");
        assert_eq!(cstr_of(&pbuf), path.to_str().unwrap(), "path");
        assert_eq!(info.u32_at(52), 2, "count");
        assert_eq!(&offs_back[..2], &[off_a, off_b], "offsets read back");
        assert_eq!(&cookies_back[..2], &cookies, "cookies read back");
        assert_eq!((info.u32_at(56), info.u32_at(60)), (0, me), "flags, pid");

        call_n(bpflink_kinds_uprobe_a, 3);
        call_n(bpflink_kinds_uprobe_b, 2);
        assert_eq!(slots.get(0), 5, "one run per call");
        assert_eq!(slots.get(1), 0x2000, "last cookie (function b)");
        assert_eq!(slots.get(2), 3 * 0x10 + 2 * 0x2000, "cookie per offset");

        assert_err(
            link_update(link.as_raw_fd(), p.as_raw_fd(), None),
            libc::EINVAL,
            "bpf_link_update(uprobe_multi)",
        );
        assert_err(
            link_detach(link.as_raw_fd()),
            libc::EOPNOTSUPP,
            "bpf_link_detach(uprobe_multi)",
        );
        enumerate_pin_release(env, link, "uprobe_multi");
        assert_stops_running("uprobe_multi", &slots, 0, || {
            call_n(bpflink_kinds_uprobe_a, 1)
        });
        let base = slots.get(0);

        // pid filter: another process → our calls do not count.
        let other = IdleChild::spawn();
        let l = assert_new_fd(
            link_create(
                p.as_raw_fd(),
                0,
                attach::TRACE_UPROBE_MULTI,
                Some(&umulti_opts(&path, &offs[..1], &[], other.pid as u32, 0)),
            ),
            "uprobe_multi with another process's pid",
        );
        assert_eq!(
            link_info(l.as_raw_fd()).u32_at(60),
            other.pid as u32,
            "pid in info"
        );
        call_n(bpflink_kinds_uprobe_a, 3);
        assert_eq!(
            slots.get(0),
            base,
            "pid filter: another process's probe ran for us"
        );
        release(l, "uprobe_multi pid=other");
        drop(other);

        // pid 0: every process (ours included; others only add).
        let l = assert_new_fd(
            link_create(
                p.as_raw_fd(),
                0,
                attach::TRACE_UPROBE_MULTI,
                Some(&umulti_opts(&path, &offs[..1], &[], 0, 0)),
            ),
            "uprobe_multi without a pid filter",
        );
        assert_eq!(link_info(l.as_raw_fd()).u32_at(60), 0, "pid in info");
        call_n(bpflink_kinds_uprobe_a, 3);
        assert!(slots.get(0) >= base + 3, "pid 0: our calls run it");
        assert_eq!(slots.get(1), 0, "no cookies given: cookie 0");
        release(l, "uprobe_multi pid=0");
        assert_stops_running("uprobe_multi pid=0", &slots, 0, || {
            call_n(bpflink_kinds_uprobe_a, 1)
        });
        let base = slots.get(0);

        // Return probe.
        let l = assert_new_fd(
            link_create(
                p.as_raw_fd(),
                0,
                attach::TRACE_UPROBE_MULTI,
                Some(&umulti_opts(
                    &path,
                    &offs[1..],
                    &[0x99],
                    me,
                    BPF_F_UPROBE_MULTI_RETURN,
                )),
            ),
            "uprobe_multi RETURN",
        );
        assert_eq!(
            link_info(l.as_raw_fd()).u32_at(56),
            BPF_F_UPROBE_MULTI_RETURN,
            "flags"
        );
        call_n(bpflink_kinds_uprobe_b, 2);
        assert_eq!(
            (slots.get(0), slots.get(1)),
            (base + 2, 0x99),
            "uretprobe runs per return"
        );
        release(l, "uprobe_multi RETURN");

        assert_err(
            link_create(
                p.as_raw_fd(),
                0,
                attach::TRACE_UPROBE_MULTI,
                Some(&umulti_opts(&path, &[], &[], 0, 0)),
            ),
            libc::EINVAL,
            "uprobe_multi cnt 0",
        );
        Ok(())
    });
}

/// uprobe_session (KPROBE prog with expected_attach_type
/// BPF_TRACE_UPROBE_SESSION): an entry program returning 0 also runs on
/// return (2 runs per call), one returning 1 runs on entry only; the
/// cookie is seen in both; info type 12; update → EINVAL, detach →
/// EOPNOTSUPP; enumerate/pin/release.
#[test]
fn uprobe_session_entry_and_return() {
    run(|env| {
        let (path, off) = file_offset(bpflink_kinds_uprobe_a);
        let offs = [off as c_ulong];
        for (ret, runs_per_call, name) in [(0, 2u64, "usession_both"), (1, 1, "usession_entry")] {
            let slots = Slots::new(3)?;
            let p = load(
                prog_type::KPROBE,
                attach::TRACE_UPROBE_SESSION,
                0,
                &cookie_prog(slots.raw(), ret),
                name,
            )?;
            let link = assert_new_fd(
                link_create(
                    p.as_raw_fd(),
                    0,
                    attach::TRACE_UPROBE_SESSION,
                    Some(&umulti_opts(&path, &offs, &[0x5e55], std::process::id(), 0)),
                ),
                &format!("bpf_link_create({name})"),
            );
            let info = link_info(link.as_raw_fd());
            assert_eq!(
                info.link_type(),
                link_type::UPROBE_MULTI,
                "{name}: link type"
            );
            assert_eq!(info.prog_id(), obj_id(p.as_raw_fd()), "{name}: prog_id");
            assert_eq!(info.u32_at(52), 1, "{name}: count");
            call_n(bpflink_kinds_uprobe_a, 3);
            assert_eq!(slots.get(0), 3 * runs_per_call, "{name}: runs");
            assert_eq!(
                slots.get(2),
                0x5e55 * 3 * runs_per_call,
                "{name}: cookie in every run"
            );
            assert_err(
                link_update(link.as_raw_fd(), p.as_raw_fd(), None),
                libc::EINVAL,
                &format!("{name}: bpf_link_update"),
            );
            assert_err(
                link_detach(link.as_raw_fd()),
                libc::EOPNOTSUPP,
                &format!("{name}: bpf_link_detach"),
            );
            enumerate_pin_release(env, link, name);
        }
        Ok(())
    });
}

// ====================================================================
// sockmap
// ====================================================================

fn sockmap() -> Result<OwnedFd, Skip> {
    let mut a = [0u8; 64];
    put_u32(&mut a, 0, map_type::SOCKMAP);
    put_u32(&mut a, 4, 4);
    put_u32(&mut a, 8, 4);
    put_u32(&mut a, 12, 2);
    map_create(&mut a, "SOCKMAP")
}

/// Puts both ends of a fresh TCP connection into the sockmap (keys 0, 1),
/// sends `msg` from the client and reads it on the server side.
fn sockmap_roundtrip(map: RawFd, msg: &[u8]) {
    use std::io::{Read, Write};
    let (mut c, mut s) = tcp_pair();
    for (key, sock) in [(0u32, s.as_raw_fd()), (1, c.as_raw_fd())] {
        map_update(map, &key.to_ne_bytes(), &(sock as u32).to_ne_bytes())
            .unwrap_or_else(|e| panic!("sockmap update key {key}: {}", errname(e)));
    }
    c.write_all(msg).unwrap();
    let mut buf = vec![0u8; msg.len()];
    s.read_exact(&mut buf)
        .expect("data through the sockmap verdict programs");
    assert_eq!(buf, msg);
    for key in [0u32, 1] {
        map_delete(map, &key.to_ne_bytes()).unwrap();
    }
}

/// sockmap links (SK_SKB_STREAM_VERDICT and SK_MSG_VERDICT on a SOCKMAP):
/// info (type 14, map id, attach type); with a TCP connection in the map
/// the msg verdict program runs on send and the stream verdict program on
/// receive (SK_PASS: the data arrives); a second stream verdict link →
/// EBUSY; update with REPLACE (wrong old → EPERM) and plain — sockets
/// added afterwards run the new programs; detach (map id 0, update →
/// ENOLINK); enumerate/pin/release.
#[test]
fn sockmap_stream_and_msg_verdict() {
    run(|env| {
        let map = sockmap()?;
        let map_id = obj_id(map.as_raw_fd());
        let slots = Slots::new(4)?;
        let mk =
            |pt, at, slot, name| load(pt, at, 0, &count_prog(slots.raw(), slot, SK_PASS), name);
        let ps1 = mk(
            prog_type::SK_SKB,
            attach::SK_SKB_STREAM_VERDICT,
            0,
            "skb_verdict1",
        )?;
        let pm1 = mk(prog_type::SK_MSG, attach::SK_MSG_VERDICT, 1, "msg_verdict1")?;
        let ps2 = mk(
            prog_type::SK_SKB,
            attach::SK_SKB_STREAM_VERDICT,
            2,
            "skb_verdict2",
        )?;
        let pm2 = mk(prog_type::SK_MSG, attach::SK_MSG_VERDICT, 3, "msg_verdict2")?;

        let ls = assert_new_fd(
            link_create(
                ps1.as_raw_fd(),
                map.as_raw_fd(),
                attach::SK_SKB_STREAM_VERDICT,
                None,
            ),
            "bpf_link_create(sockmap stream verdict)",
        );
        let lm = assert_new_fd(
            link_create(
                pm1.as_raw_fd(),
                map.as_raw_fd(),
                attach::SK_MSG_VERDICT,
                None,
            ),
            "bpf_link_create(sockmap msg verdict)",
        );
        for (l, p, at, what) in [
            (&ls, &ps1, attach::SK_SKB_STREAM_VERDICT, "stream verdict"),
            (&lm, &pm1, attach::SK_MSG_VERDICT, "msg verdict"),
        ] {
            let info = link_info(l.as_raw_fd());
            assert_eq!(info.link_type(), link_type::SOCKMAP, "{what}: link type");
            assert_eq!(info.prog_id(), obj_id(p.as_raw_fd()), "{what}: prog_id");
            assert_eq!(
                (info.u32_at(16), info.u32_at(20)),
                (map_id, at),
                "{what}: map_id, attach_type"
            );
        }
        assert_err(
            link_create(
                ps2.as_raw_fd(),
                map.as_raw_fd(),
                attach::SK_SKB_STREAM_VERDICT,
                None,
            ),
            libc::EBUSY,
            "second stream verdict link on the map",
        );

        sockmap_roundtrip(map.as_raw_fd(), b"bpflink sockmap");
        assert!(slots.get(0) >= 1, "stream verdict program did not run");
        assert!(slots.get(1) >= 1, "msg verdict program did not run");

        assert_err(
            link_update(
                ls.as_raw_fd(),
                ps2.as_raw_fd(),
                Some(&lu_opts(BPF_F_REPLACE, ps2.as_raw_fd())),
            ),
            libc::EPERM,
            "REPLACE with the wrong old prog",
        );
        assert_ok0(
            link_update(
                ls.as_raw_fd(),
                ps2.as_raw_fd(),
                Some(&lu_opts(BPF_F_REPLACE, ps1.as_raw_fd())),
            ),
            "stream verdict: REPLACE with the right old prog",
        );
        assert_ok0(
            link_update(lm.as_raw_fd(), pm2.as_raw_fd(), None),
            "msg verdict: plain update",
        );
        assert_eq!(link_info(ls.as_raw_fd()).prog_id(), obj_id(ps2.as_raw_fd()));
        assert_eq!(link_info(lm.as_raw_fd()).prog_id(), obj_id(pm2.as_raw_fd()));
        let before = (slots.get(0), slots.get(1));
        sockmap_roundtrip(map.as_raw_fd(), b"after update");
        assert!(
            slots.get(2) >= 1 && slots.get(3) >= 1,
            "updated programs did not run"
        );
        assert_eq!(
            (slots.get(0), slots.get(1)),
            before,
            "old programs ran for new sockets"
        );

        assert_ok0(
            link_detach(ls.as_raw_fd()),
            "bpf_link_detach(stream verdict)",
        );
        assert_eq!(
            link_info(ls.as_raw_fd()).u32_at(16),
            0,
            "map_id after detach"
        );
        assert_err(
            link_update(ls.as_raw_fd(), ps1.as_raw_fd(), None),
            ENOLINK,
            "update after detach",
        );
        // The hook is free again.
        let again = assert_new_fd(
            link_create(
                ps1.as_raw_fd(),
                map.as_raw_fd(),
                attach::SK_SKB_STREAM_VERDICT,
                None,
            ),
            "stream verdict link after detach",
        );
        release(again, "second stream verdict");
        release(ls, "detached stream verdict");
        enumerate_pin_release(env, lm, "sockmap_msg");
        Ok(())
    });
}

// ====================================================================
// struct_ops (tcp_congestion_ops)
// ====================================================================

fn available_cc() -> String {
    std::fs::read_to_string("/proc/sys/net/ipv4/tcp_available_congestion_control").unwrap()
}

fn cc_registered(name: &str) -> bool {
    available_cc().split_whitespace().any(|n| n == name)
}

/// Loads a minimal BTF blob (one `int`): a struct_ops map needs some btf_fd.
fn tiny_btf() -> OwnedFd {
    let mut b = Vec::new();
    b.extend(0xeb9fu16.to_le_bytes());
    b.extend([1u8, 0]); // version, flags
    for v in [24u32, 0, 16, 16, 5] {
        // hdr_len, type_off, type_len, str_off, str_len
        b.extend(v.to_le_bytes());
    }
    for v in [1u32, 1 << 24, 4, (1 << 24) | 32] {
        // name_off "int", INT kind, size 4, signed 32 bits
        b.extend(v.to_le_bytes());
    }
    b.extend(b"\0int\0");
    let mut a = [0u8; 40];
    put_u64(&mut a, 0, b.as_ptr() as u64);
    put_u32(&mut a, 16, b.len() as u32);
    let fd =
        sys_bpf(cmd::BTF_LOAD, &mut a).unwrap_or_else(|e| panic!("BPF_BTF_LOAD: {}", errname(e)));
    own(fd as c_int, "BPF_BTF_LOAD")
}

/// A `BPF_F_LINK` struct_ops map for `tcp_congestion_ops` named `name`,
/// filled with the three required ops.
fn cc_map(
    name: &str,
    ops: &BtfStruct,
    value: &BtfStruct,
    btf: &OwnedFd,
    progs: &[(&str, &OwnedFd)],
) -> Result<OwnedFd, Skip> {
    let mut a = [0u8; 80];
    put_u32(&mut a, 0, map_type::STRUCT_OPS);
    put_u32(&mut a, 4, 4);
    put_u32(&mut a, 8, value.size);
    put_u32(&mut a, 12, 1);
    put_u32(&mut a, 16, BPF_F_LINK);
    a[28..28 + name.len()].copy_from_slice(name.as_bytes());
    put_u32(&mut a, 48, btf.as_raw_fd() as u32);
    put_u32(&mut a, 60, value.id);
    let map = map_create(&mut a, "STRUCT_OPS map")?;
    let (_, data) = value
        .member("data")
        .expect("bpf_struct_ops_tcp_congestion_ops.data");
    let mut v = vec![0u8; value.size as usize];
    for &(member, prog) in progs {
        let (_, off) = ops.member(member).unwrap();
        put_u64(&mut v, data + off, prog.as_raw_fd() as u64);
    }
    let (_, name_off) = ops.member("name").unwrap();
    v[data + name_off..data + name_off + name.len()].copy_from_slice(name.as_bytes());
    map_update(map.as_raw_fd(), &0u32.to_ne_bytes(), &v)
        .unwrap_or_else(|e| panic!("struct_ops map update ({name}): {}", errname(e)));
    Ok(map)
}

/// struct_ops link of a `tcp_congestion_ops` map: info (type 9, map id),
/// the algorithm appears in tcp_available_congestion_control; update to a
/// second map with REPLACE + old_map_fd (wrong → EPERM, right → ok, map id
/// follows), plain update back, a second map with *another* name → EINVAL
/// (tcp_update_congestion_control keeps the name), a prog fd instead of a
/// map → EINVAL, old_prog_fd + old_map_fd → EINVAL (bpflink); detach
/// unregisters; enumerate/pin/release.
///
/// A congestion-control algorithm is global (not per netns), so this test
/// registers one only under a unique name, only through a link (closing
/// every fd — which process exit does too — and removing the pin, which
/// only this thread's mount namespace can see, unregisters it), and checks
/// afterwards, outside the namespaces, that neither name is left.
#[test]
fn struct_ops_tcp_congestion_ops() {
    let tag = std::process::id() % 100_000;
    let (n1, n2) = (format!("bpfl{tag}a"), format!("bpfl{tag}b"));
    run(|env| {
        assert!(
            !cc_registered(&n1) && !cc_registered(&n2),
            "{n1}/{n2} already registered"
        );
        let ops = btf_struct("tcp_congestion_ops")?;
        let value = btf_struct("bpf_struct_ops_tcp_congestion_ops")?;
        let btf = tiny_btf();
        let mut progs = Vec::new();
        for member in ["ssthresh", "cong_avoid", "undo_cwnd"] {
            let (idx, _) = ops
                .member(member)
                .unwrap_or_else(|| panic!("tcp_congestion_ops.{member}"));
            progs.push((
                member,
                load(prog_type::STRUCT_OPS, idx, ops.id, &ret_insns(2), member)?,
            ));
        }
        let progs: Vec<(&str, &OwnedFd)> = progs.iter().map(|(m, p)| (*m, p)).collect();
        let m1 = cc_map(&n1, &ops, &value, &btf, &progs)?;
        let m2 = cc_map(&n1, &ops, &value, &btf, &progs)?;
        let m3 = cc_map(&n2, &ops, &value, &btf, &progs)?;
        let (id1, id2) = (obj_id(m1.as_raw_fd()), obj_id(m2.as_raw_fd()));
        assert!(
            !cc_registered(&n1),
            "a BPF_F_LINK map registers only with a link"
        );

        let link = assert_new_fd(
            link_create(m1.as_raw_fd(), 0, attach::STRUCT_OPS, None),
            "bpf_link_create(struct_ops)",
        );
        let info = link_info(link.as_raw_fd());
        assert_eq!(info.link_type(), link_type::STRUCT_OPS, "link type");
        assert_eq!(info.prog_id(), 0, "prog_id (a struct_ops link has a map)");
        assert_eq!(info.u32_at(16), id1, "map_id");
        assert!(
            cc_registered(&n1),
            "{n1} not registered: {}",
            available_cc()
        );

        let lfd = link.as_raw_fd();
        assert_err(
            link_update(
                lfd,
                m2.as_raw_fd(),
                Some(&lu_map_opts(BPF_F_REPLACE, m2.as_raw_fd())),
            ),
            libc::EPERM,
            "REPLACE with the wrong old_map_fd",
        );
        let mut both = lu_map_opts(BPF_F_REPLACE, m1.as_raw_fd());
        both.old_prog_fd = progs[0].1.as_raw_fd() as u32;
        assert_err(
            link_update(lfd, m2.as_raw_fd(), Some(&both)),
            libc::EINVAL,
            "old_prog_fd + old_map_fd",
        );
        assert_ok0(
            link_update(
                lfd,
                m2.as_raw_fd(),
                Some(&lu_map_opts(BPF_F_REPLACE, m1.as_raw_fd())),
            ),
            "REPLACE with the right old_map_fd",
        );
        assert_eq!(link_info(lfd).u32_at(16), id2, "map_id after update");
        assert!(cc_registered(&n1), "after update: {}", available_cc());
        assert_ok0(
            link_update(lfd, m1.as_raw_fd(), None),
            "plain update back to map 1",
        );
        assert_eq!(link_info(lfd).u32_at(16), id1, "map_id after update back");
        assert_err(
            link_update(lfd, m3.as_raw_fd(), None),
            libc::EINVAL,
            "update to a map with another algorithm name",
        );
        assert!(
            cc_registered(&n1) && !cc_registered(&n2),
            "after updates: {}",
            available_cc()
        );
        assert_err(
            link_update(lfd, progs[0].1.as_raw_fd(), None),
            libc::EINVAL,
            "a prog fd instead of a struct_ops map",
        );

        assert_ok0(link_detach(lfd), "bpf_link_detach(struct_ops)");
        assert!(
            !cc_registered(&n1),
            "still registered after detach: {}",
            available_cc()
        );
        enumerate_pin_release(env, link, "struct_ops");
        Ok(())
    });
    // Outside the namespaces: nothing of ours is left in the global list.
    let gone = poll(Duration::from_secs(5), || {
        !cc_registered(&n1) && !cc_registered(&n2)
    });
    assert!(gone, "congestion control left behind: {}", available_cc());
}

// ====================================================================
// kinds this kernel refuses
// ====================================================================

/// What this 6.18 kernel refuses, through bpflink's API:
/// * kprobe_multi and kprobe_session (CONFIG_FPROBE=n) → -EOPNOTSUPP, with
///   a KPROBE program that loads fine;
/// * netkit primary/peer (CONFIG_NETKIT=n) → -EINVAL;
/// * fentry/fexit/fmod_ret/lsm programs cannot even be loaded (EPERM from
///   BPF_PROG_LOAD, before verification), so `bpf_link_create` for those
///   attach types is driven with a RAW_TRACEPOINT program: the kernel's
///   LINK_CREATE says EINVAL, and bpflink must return the error of the
///   `BPF_RAW_TRACEPOINT_OPEN(NULL)` fallback for each of the four attach
///   types with NULL opts (the fallback ran), and the plain EINVAL with a
///   cookie (no fallback). (TRACE_RAW_TP and FENTRY with a socket filter
///   are covered in tests/kernel.rs.)
#[test]
fn refused_kinds_exact_errors() {
    run(|_| {
        for at in [attach::TRACE_KPROBE_MULTI, attach::TRACE_KPROBE_SESSION] {
            let p = load(prog_type::KPROBE, at, 0, &ret_insns(0), "kmulti")?;
            let syms = [c"bpf_fentry_test1".as_ptr()];
            let mut o = lc_opts();
            o.u.kprobe_multi.syms = syms.as_ptr();
            o.u.kprobe_multi.cnt = 1;
            assert_err(
                link_create(p.as_raw_fd(), 0, at, Some(&o)),
                libc::EOPNOTSUPP,
                &format!("kprobe multi/session (attach type {at})"),
            );
        }

        let sc = load(prog_type::SCHED_CLS, 0, 0, &ret_insns(TCX_NEXT), "nk")?;
        for at in [attach::NETKIT_PRIMARY, attach::NETKIT_PEER] {
            assert_err(
                link_create(sc.as_raw_fd(), 1, at, None),
                libc::EINVAL,
                &format!("netkit (attach type {at})"),
            );
        }

        for (pt, at, func, what) in [
            (
                prog_type::TRACING,
                attach::TRACE_FENTRY,
                "bpf_fentry_test1",
                "fentry",
            ),
            (
                prog_type::TRACING,
                attach::TRACE_FEXIT,
                "bpf_fentry_test1",
                "fexit",
            ),
            (
                prog_type::TRACING,
                attach::MODIFY_RETURN,
                "bpf_modify_return_test",
                "fmod_ret",
            ),
            (prog_type::LSM, attach::LSM_MAC, "bpf_lsm_file_open", "lsm"),
        ] {
            let btf_id = btf_find(btf_kind::FUNC, func)?;
            let insns = ret_insns(0);
            let r = load_prog(ProgSpec {
                prog_type: pt,
                expected_attach_type: at,
                attach_btf_id: btf_id,
                insns: &insns,
                name: what,
            });
            match r {
                Err(e) => assert_eq!(e.errno, libc::EPERM, "{what} program load: {e}"),
                Ok(_) => panic!(
                    "{what} programs load on this kernel now: docs/kernel-facts.md is out of date; \
                     test the {what} link itself"
                ),
            }
        }
        let rtp = load(prog_type::RAW_TRACEPOINT, 0, 0, &ret_insns(0), "rawtp")?;
        let fallback = {
            let mut a = [0u8; 16];
            put_u32(&mut a, 8, rtp.as_raw_fd() as u32);
            match sys_bpf(cmd::RAW_TRACEPOINT_OPEN, &mut a) {
                Ok(fd) => panic!("RAW_TRACEPOINT_OPEN(NULL) of a raw_tp prog gave fd {fd}"),
                Err(e) => e,
            }
        };
        assert_ne!(fallback, libc::EINVAL, "cannot tell the fallback apart");
        for at in [
            attach::TRACE_FENTRY,
            attach::TRACE_FEXIT,
            attach::MODIFY_RETURN,
            attach::LSM_MAC,
        ] {
            let mut a = [0u8; 64];
            put_u32(&mut a, 0, rtp.as_raw_fd() as u32);
            put_u32(&mut a, 8, at);
            assert_eq!(
                sys_bpf(cmd::LINK_CREATE, &mut a).map(|fd| unsafe { libc::close(fd as c_int) }),
                Err(libc::EINVAL),
                "kernel: LINK_CREATE(attach type {at}) of a raw_tp prog"
            );
            assert_err(
                link_create(rtp.as_raw_fd(), 0, at, None),
                fallback,
                &format!("attach type {at}, NULL opts: the fallback's error"),
            );
            let mut o = lc_opts();
            o.u.tracing.cookie = 1;
            assert_err(
                link_create(rtp.as_raw_fd(), 0, at, Some(&o)),
                libc::EINVAL,
                &format!("attach type {at} with a cookie: no fallback"),
            );
        }
        Ok(())
    });
}
