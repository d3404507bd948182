//! Unit tests of the Rust API against the [`FakeKernel`]: the exact
//! `bpf_attr` images the builders and link operations send (offsets and
//! values written as literals from libbpf 1.7.0's UAPI header), the error
//! mapping, the id walk, and the decoding of `struct bpf_link_info`.
//!
//! File descriptors are real (`/dev/null`), so the builders get genuine
//! `BorrowedFd`s; the fake never uses them, it only records their numbers.
#![cfg(all(target_arch = "x86_64", target_pointer_width = "64"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs::File;
use std::num::NonZeroU32;
use std::os::fd::{AsFd, AsRawFd};

use super::attach::IterTarget;
use super::info::{Extra, arm, decode, plan};
use super::link::{
    Old, RawLinkIter, decode_prog_info, detach_in, from_id_in, open_pinned_in, pin_in,
    prog_from_id_in, update_in,
};
use super::*;
use bpflink_core::errno::Errno;
use bpflink_fake::{Answer, FakeKernel};

// enum bpf_cmd
const LINK_CREATE: u32 = 28;
const RAW_TRACEPOINT_OPEN: u32 = 17;
const LINK_UPDATE: u32 = 29;
const LINK_DETACH: u32 = 34;
const OBJ_PIN: u32 = 6;
const OBJ_GET: u32 = 7;
const OBJ_GET_INFO_BY_FD: u32 = 15;
const LINK_GET_FD_BY_ID: u32 = 30;
const LINK_GET_NEXT_ID: u32 = 31;
const PROG_GET_FD_BY_ID: u32 = 13;

// flags
const BPF_F_REPLACE: u32 = 1 << 2;
const BPF_F_BEFORE: u32 = 1 << 3;
const BPF_F_AFTER: u32 = 1 << 4;
const BPF_F_ID: u32 = 1 << 5;
const BPF_F_PREORDER: u32 = 1 << 6;
const BPF_F_LINK: u32 = 1 << 13;

fn devnull() -> File {
    File::open("/dev/null").unwrap()
}

fn u32_at(b: &[u8], o: usize) -> u32 {
    u32::from_ne_bytes(b[o..o + 4].try_into().unwrap())
}

fn u64_at(b: &[u8], o: usize) -> u64 {
    u64::from_ne_bytes(b[o..o + 8].try_into().unwrap())
}

fn put32(b: &mut [u8], o: usize, v: u32) {
    b[o..o + 4].copy_from_slice(&v.to_ne_bytes());
}

fn put64(b: &mut [u8], o: usize, v: u64) {
    b[o..o + 8].copy_from_slice(&v.to_ne_bytes());
}

/// The one `bpf()` call the fake saw.
fn only_call(k: &FakeKernel) -> (u32, Vec<u8>) {
    let calls = k.bpf_calls();
    assert_eq!(calls.len(), 1, "expected one bpf() call: {calls:?}");
    calls.into_iter().next().unwrap()
}

/// A `BPF_LINK_CREATE` attr: 64 bytes, prog/target/attach/flags.
fn assert_link_create(attr: &[u8], prog: i32, target: i32, attach: u32, flags: u32) {
    assert_eq!(attr.len(), 64, "libbpf 1.7.0 passes 64 bytes");
    assert_eq!(u32_at(attr, 0) as i32, prog, "prog_fd");
    assert_eq!(u32_at(attr, 4) as i32, target, "target_fd");
    assert_eq!(u32_at(attr, 8), attach, "attach_type");
    assert_eq!(u32_at(attr, 12), flags, "flags");
}

// ------------------------------------------------------------ builders

#[test]
fn xdp_sets_ifindex_attach_type_and_mode_flag() {
    let prog = devnull();
    for (mode, flag) in [
        (None, 0),
        (Some(XdpMode::Generic), 2),
        (Some(XdpMode::Driver), 4),
        (Some(XdpMode::Offload), 8),
    ] {
        let k = FakeKernel::new();
        let mut b = Link::xdp(prog.as_fd(), 7);
        if let Some(m) = mode {
            b = b.mode(m);
        }
        assert_eq!(b.create_in(&k), Ok(100));
        let (cmd, attr) = only_call(&k);
        assert_eq!(cmd, LINK_CREATE);
        assert_link_create(&attr, prog.as_raw_fd(), 7, 37, flag);
        assert!(attr[16..].iter().all(|&b| b == 0), "nothing else set");
    }
}

#[test]
fn tcx_positions_encode_flags_and_relative() {
    let prog = devnull();
    let other = devnull();
    let (p, o) = (prog.as_raw_fd() as u32, other.as_raw_fd() as u32);
    let cases: Vec<(Position<'_>, u32, u32)> = vec![
        (Position::Default, 0, 0),
        (Position::First, BPF_F_BEFORE, 0),
        (Position::Last, BPF_F_AFTER, 0),
        (
            Position::Before(Anchor::Link(other.as_fd())),
            BPF_F_BEFORE | BPF_F_LINK,
            o,
        ),
        (
            Position::After(Anchor::LinkId(42)),
            BPF_F_AFTER | BPF_F_LINK | BPF_F_ID,
            42,
        ),
        (
            Position::Before(Anchor::Prog(other.as_fd())),
            BPF_F_BEFORE,
            o,
        ),
        (
            Position::After(Anchor::ProgId(9)),
            BPF_F_AFTER | BPF_F_ID,
            9,
        ),
    ];
    for (pos, flags, relative) in cases {
        let k = FakeKernel::new();
        Link::tcx(prog.as_fd(), 3, TcxDirection::Egress)
            .position(pos)
            .expected_revision(11)
            .create_in(&k)
            .unwrap();
        let (_, attr) = only_call(&k);
        assert_link_create(&attr, p as i32, 3, 47, flags);
        assert_eq!(u32_at(&attr, 16), relative, "relative_fd/id for {pos:?}");
        assert_eq!(u64_at(&attr, 24), 11, "expected_revision");
    }
}

#[test]
fn ordering_shortcuts_equal_positions() {
    let prog = devnull();
    let k = FakeKernel::new();
    Link::tcx(prog.as_fd(), 1, TcxDirection::Ingress)
        .first()
        .create_in(&k)
        .unwrap();
    Link::tcx(prog.as_fd(), 1, TcxDirection::Ingress)
        .after(Anchor::LinkId(5))
        .create_in(&k)
        .unwrap();
    Link::netkit(prog.as_fd(), 4, NetkitAttach::Peer)
        .last()
        .create_in(&k)
        .unwrap();
    let calls = k.bpf_calls();
    assert_eq!(u32_at(&calls[0].1, 12), BPF_F_BEFORE);
    assert_eq!(u32_at(&calls[0].1, 8), 46);
    assert_eq!(u32_at(&calls[1].1, 12), BPF_F_AFTER | BPF_F_LINK | BPF_F_ID);
    assert_eq!(u32_at(&calls[2].1, 8), 55, "BPF_NETKIT_PEER");
    assert_eq!(u32_at(&calls[2].1, 12), BPF_F_AFTER);
}

#[test]
fn cgroup_link_with_prog_id_anchor_and_preorder() {
    let prog = devnull();
    let cg = devnull();
    let k = FakeKernel::new();
    Link::cgroup(prog.as_fd(), cg.as_fd(), CgroupAttach::InetEgress)
        .before(Anchor::ProgId(77))
        .preorder()
        .create_in(&k)
        .unwrap();
    let (_, attr) = only_call(&k);
    assert_link_create(
        &attr,
        prog.as_raw_fd(),
        cg.as_raw_fd(),
        1,
        BPF_F_BEFORE | BPF_F_PREORDER | BPF_F_ID,
    );
    assert_eq!(u32_at(&attr, 16), 77);
}

#[test]
fn cgroup_attach_types_are_the_uapi_values() {
    assert_eq!(CgroupAttach::InetIngress.attach_type().0, 0);
    assert_eq!(CgroupAttach::SockOps.attach_type().0, 3);
    assert_eq!(CgroupAttach::UnixRecvmsg.attach_type().0, 51);
    assert_eq!(CgroupAttach::LsmCgroup.attach_type().0, 43);
    assert_eq!(CgroupAttach::ALL.len(), 29);
    assert_eq!(
        CgroupAttach::from_attach_type(AttachType::CGROUP_SYSCTL),
        Some(CgroupAttach::Sysctl)
    );
    assert_eq!(CgroupAttach::from_attach_type(AttachType::XDP), None);
    assert_eq!(NetnsAttach::SkLookup.attach_type().0, 36);
    assert_eq!(NetnsAttach::FlowDissector.attach_type().0, 17);
    assert_eq!(SockmapAttach::SkSkbVerdict.attach_type().0, 38);
    assert_eq!(SockmapAttach::SkMsgVerdict.attach_type().0, 7);
    assert_eq!(TracingAttach::RawTp.attach_type().0, 23);
    assert_eq!(TracingAttach::Fsession.attach_type().0, 58);
}

#[test]
fn netfilter_fills_its_member_and_no_target() {
    let prog = devnull();
    let k = FakeKernel::new();
    Link::netfilter(prog.as_fd(), NfProto::Ipv6, NfHook::PostRouting, -128, true)
        .create_in(&k)
        .unwrap();
    let (_, attr) = only_call(&k);
    assert_link_create(&attr, prog.as_raw_fd(), 0, 45, 0);
    assert_eq!(u32_at(&attr, 16), 10, "pf NFPROTO_IPV6");
    assert_eq!(u32_at(&attr, 20), 4, "hooknum NF_INET_POST_ROUTING");
    assert_eq!(u32_at(&attr, 24) as i32, -128, "priority");
    assert_eq!(u32_at(&attr, 28), 1, "BPF_F_NETFILTER_IP_DEFRAG");
}

#[test]
fn perf_event_cookie() {
    let (prog, perf) = (devnull(), devnull());
    let k = FakeKernel::new();
    Link::perf_event(prog.as_fd(), perf.as_fd())
        .cookie(0xdead_beef_0000_0001)
        .create_in(&k)
        .unwrap();
    let (_, attr) = only_call(&k);
    assert_link_create(&attr, prog.as_raw_fd(), perf.as_raw_fd(), 41, 0);
    assert_eq!(u64_at(&attr, 16), 0xdead_beef_0000_0001);
}

#[test]
fn uprobe_multi_fills_arrays_count_flags_pid() {
    let prog = devnull();
    let offs = [0x1000u64, 0x2000];
    let cookies = [1u64, 2];
    let k = FakeKernel::new();
    Link::uprobe_multi(prog.as_fd(), "/bin/true", &offs)
        .cookies(&cookies)
        .pid(1234)
        .retprobe()
        .create_in(&k)
        .unwrap();
    let (_, attr) = only_call(&k);
    assert_link_create(&attr, prog.as_raw_fd(), 0, 48, 0);
    assert_ne!(u64_at(&attr, 16), 0, "path");
    assert_ne!(u64_at(&attr, 24), 0, "offsets");
    assert_eq!(u64_at(&attr, 32), 0, "no ref_ctr_offsets");
    assert_eq!(u64_at(&attr, 40), cookies.as_ptr() as u64, "cookies");
    assert_eq!(u32_at(&attr, 48), 2, "cnt");
    assert_eq!(u32_at(&attr, 52), 1, "BPF_F_UPROBE_MULTI_RETURN");
    assert_eq!(u32_at(&attr, 56), 1234, "pid");

    let k = FakeKernel::new();
    Link::uprobe_multi(prog.as_fd(), "/bin/true", &offs)
        .retprobe()
        .session()
        .create_in(&k)
        .unwrap();
    let (_, attr) = only_call(&k);
    assert_eq!(u32_at(&attr, 8), 57, "BPF_TRACE_UPROBE_SESSION");
    assert_eq!(u32_at(&attr, 52), 0, "session: no return flag");
}

#[test]
fn uprobe_multi_argument_errors_make_no_syscall() {
    let prog = devnull();
    let k = FakeKernel::new();
    let e = Link::uprobe_multi(prog.as_fd(), "/bin/true", &[])
        .create_in(&k)
        .unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
    assert_eq!(e.op(), Op::Create("uprobe_multi"));
    let e = Link::uprobe_multi(prog.as_fd(), "/bin/true", &[1, 2])
        .cookies(&[1])
        .create_in(&k)
        .unwrap_err();
    assert!(e.explanation().contains("one entry per offset"), "{e}");
    let e = Link::uprobe_multi(prog.as_fd(), "/bin/true", &[1])
        .ref_ctr_offsets(&[1, 2])
        .create_in(&k)
        .unwrap_err();
    assert!(e.explanation().contains("ref_ctr_offsets"), "{e}");
    let e = Link::uprobe_multi(prog.as_fd(), "/bin/t\0rue", &[1])
        .create_in(&k)
        .unwrap_err();
    assert!(e.explanation().contains("NUL"), "{e}");
    assert!(k.calls().is_empty());
}

#[test]
fn kprobe_multi_symbols_addrs_and_modes() {
    let prog = devnull();
    let syms = [c"do_sys_open", c"vfs_read"];
    let k = FakeKernel::new();
    Link::kprobe_multi(prog.as_fd(), KprobeTargets::Symbols(&syms))
        .cookies(&[5, 6])
        .retprobe()
        .create_in(&k)
        .unwrap();
    let (_, attr) = only_call(&k);
    assert_link_create(&attr, prog.as_raw_fd(), 0, 42, 0);
    assert_eq!(u32_at(&attr, 16), 1, "BPF_F_KPROBE_MULTI_RETURN");
    assert_eq!(u32_at(&attr, 20), 2, "cnt");
    assert_ne!(u64_at(&attr, 24), 0, "syms");
    assert_eq!(u64_at(&attr, 32), 0, "addrs");
    assert_ne!(u64_at(&attr, 40), 0, "cookies");

    let k = FakeKernel::new();
    Link::kprobe_multi(prog.as_fd(), KprobeTargets::Addrs(&[0xffff_ffff_8100_0000]))
        .session()
        .create_in(&k)
        .unwrap();
    let (_, attr) = only_call(&k);
    assert_eq!(u32_at(&attr, 8), 56, "BPF_TRACE_KPROBE_SESSION");
    assert_eq!(u64_at(&attr, 24), 0, "syms");
    assert_ne!(u64_at(&attr, 32), 0, "addrs");

    let e = Link::kprobe_multi(prog.as_fd(), KprobeTargets::Symbols(&syms))
        .cookies(&[1])
        .create_in(&k)
        .unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
}

#[test]
fn iter_info_is_passed_with_its_length() {
    let prog = devnull();
    let k = FakeKernel::new();
    Link::iter(prog.as_fd()).task(4321).create_in(&k).unwrap();
    Link::iter(prog.as_fd()).create_in(&k).unwrap();
    let calls = k.bpf_calls();
    assert_link_create(&calls[0].1, prog.as_raw_fd(), 0, 28, 0);
    assert_ne!(u64_at(&calls[0].1, 16), 0, "iter_info");
    assert_eq!(u32_at(&calls[0].1, 24), 16, "iter_info_len");
    assert_eq!(u64_at(&calls[1].1, 16), 0, "no iter_info");
    assert_eq!(u32_at(&calls[1].1, 24), 0);
}

#[test]
fn iter_target_layouts() {
    let f = devnull();
    let fd = f.as_raw_fd() as u32;
    let info = |t: IterTarget<'_>| t.info().unwrap();
    assert!(IterTarget::All.info().is_none());
    let b = info(IterTarget::Task(7));
    assert_eq!((u32_at(&b, 0), u32_at(&b, 4), u32_at(&b, 8)), (7, 0, 0));
    let b = info(IterTarget::Process(8));
    assert_eq!((u32_at(&b, 0), u32_at(&b, 4)), (0, 8));
    let b = info(IterTarget::PidFd(f.as_fd()));
    assert_eq!(u32_at(&b, 8), fd);
    let b = info(IterTarget::Map(f.as_fd()));
    assert_eq!(u32_at(&b, 0), fd);
    let b = info(IterTarget::CgroupFd(
        f.as_fd(),
        CgroupIterOrder::AncestorsUp,
    ));
    assert_eq!((u32_at(&b, 0), u32_at(&b, 4)), (4, fd));
    let b = info(IterTarget::CgroupId(99, CgroupIterOrder::SelfOnly));
    assert_eq!((u32_at(&b, 0), u64_at(&b, 8)), (1, 99));
}

#[test]
fn tracing_cookie_and_raw_tp_fallback() {
    let prog = devnull();
    // With a cookie: the kernel's EINVAL is final (libbpf does the same).
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::EINVAL));
    let e = Link::tracing(prog.as_fd(), TracingAttach::Fentry)
        .cookie(3)
        .create_in(&k)
        .unwrap_err();
    assert_eq!(e.errno(), libc::EINVAL);
    let (cmd, attr) = only_call(&k);
    assert_eq!(cmd, LINK_CREATE);
    assert_link_create(&attr, prog.as_raw_fd(), 0, 24, 0);
    assert_eq!(u64_at(&attr, 24), 3, "tracing.cookie");

    // Without one: retried with BPF_RAW_TRACEPOINT_OPEN(name = NULL).
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::EINVAL));
    assert_eq!(
        Link::tracing(prog.as_fd(), TracingAttach::RawTp).create_in(&k),
        Ok(100)
    );
    let calls = k.bpf_calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].0, RAW_TRACEPOINT_OPEN);
    assert_eq!(u64_at(&calls[1].1, 0), 0, "name NULL");
    assert_eq!(u32_at(&calls[1].1, 8) as i32, prog.as_raw_fd());
}

#[test]
fn raw_tracepoint_by_name_with_cookie() {
    let prog = devnull();
    let k = FakeKernel::new();
    Link::raw_tracepoint(prog.as_fd(), "sys_enter")
        .cookie(9)
        .create_in(&k)
        .unwrap();
    let (cmd, attr) = only_call(&k);
    assert_eq!(cmd, RAW_TRACEPOINT_OPEN);
    assert_eq!(attr.len(), 24);
    assert_ne!(u64_at(&attr, 0), 0, "name");
    assert_eq!(u32_at(&attr, 8) as i32, prog.as_raw_fd());
    assert_eq!(u64_at(&attr, 16), 9, "cookie");
    let e = Link::raw_tracepoint(prog.as_fd(), "a\0b")
        .create_in(&k)
        .unwrap_err();
    assert_eq!(e.op(), Op::RawTracepointOpen);
}

#[test]
fn struct_ops_freplace_netns_sockmap() {
    let (a, b) = (devnull(), devnull());
    let (ra, rb) = (a.as_raw_fd(), b.as_raw_fd());
    let k = FakeKernel::new();
    Link::struct_ops(a.as_fd()).create_in(&k).unwrap();
    Link::freplace(a.as_fd(), b.as_fd(), NonZeroU32::new(321).unwrap())
        .create_in(&k)
        .unwrap();
    Link::netns(a.as_fd(), b.as_fd(), NetnsAttach::SkLookup)
        .create_in(&k)
        .unwrap();
    Link::sockmap(a.as_fd(), b.as_fd(), SockmapAttach::SkSkbStreamVerdict)
        .create_in(&k)
        .unwrap();
    let calls = k.bpf_calls();
    assert_link_create(&calls[0].1, ra, 0, 44, 0);
    assert_link_create(&calls[1].1, ra, rb, 0, 0);
    assert_eq!(u32_at(&calls[1].1, 16), 321, "target_btf_id");
    assert_link_create(&calls[2].1, ra, rb, 36, 0);
    assert_link_create(&calls[3].1, ra, rb, 5, 0);
}

#[test]
fn low_fds_are_moved_above_stdio() {
    let prog = devnull();
    let k = FakeKernel::new();
    k.answer(Answer::ok(1));
    assert_eq!(Link::xdp(prog.as_fd(), 1).create_in(&k), Ok(201));
}

// ------------------------------------------------------------- errors

#[test]
fn kernel_errors_become_typed_errors() {
    let prog = devnull();
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::EPERM));
    let e = Link::xdp(prog.as_fd(), 1).create_in(&k).unwrap_err();
    assert_eq!(e.errno(), libc::EPERM);
    assert_eq!(e.op(), Op::Create("xdp"));
    assert!(e.is_permission_denied());
    assert!(e.explanation().contains("need root / CAP_BPF"), "{e}");
    let s = e.to_string();
    assert!(
        s.starts_with("create xdp link: Operation not permitted (EPERM): need root"),
        "{s}"
    );
    let io: std::io::Error = e.into();
    assert_eq!(io.kind(), std::io::ErrorKind::PermissionDenied);
}

#[test]
fn explanations_depend_on_the_operation() {
    let ex = |op, e| Error::new(op, e).explanation().into_owned();
    assert_eq!(
        ex(Op::Detach, libc::EOPNOTSUPP),
        "this link type cannot be detached"
    );
    assert_eq!(
        ex(Op::Update, libc::EOPNOTSUPP),
        "this link type cannot be updated"
    );
    assert_eq!(
        ex(Op::Pin, libc::ENOENT),
        "the directory does not exist (is bpffs mounted there?)"
    );
    // EACCES from BPF_OBJ_GET is about the path, not about privileges.
    let open_eacces = ex(Op::OpenPinned, libc::EACCES);
    assert!(
        open_eacces.starts_with("not a pinned BPF object"),
        "{open_eacces}"
    );
    assert!(!open_eacces.contains("root"), "{open_eacces}");
    assert!(ex(Op::Create("xdp"), libc::ENODEV).contains("network interface"));
    assert!(!ex(Op::Info, libc::ENODEV).contains("network interface"));
    assert!(ex(Op::Pin, libc::EPERM).contains("not on a bpffs mount"));
    assert!(ex(Op::Update, libc::EPERM).contains("not the one given to replace"));
    assert_eq!(
        ex(Op::Update, libc::ENOLINK),
        "the link is already detached"
    );
    assert!(ex(Op::Create("tcx"), libc::ESTALE).contains("expected_revision"));
    assert!(ex(Op::Create("netfilter"), libc::EBUSY).contains("in use"));
    assert_eq!(ex(Op::Info, libc::EXDEV), "");
    let e = Error::new(Op::Info, libc::EXDEV);
    assert!(e.to_string().ends_with("(EXDEV)"), "{e}");
    let e = Error::new(Op::Info, 4000);
    assert!(e.to_string().ends_with("(errno 4000)"), "{e}");
}

// --------------------------------------------------------- operations

#[test]
fn update_attr_plain_replace_prog_and_map() {
    let k = FakeKernel::new();
    update_in(&k, 5, 6, None).unwrap();
    update_in(&k, 5, 6, Some(Old::Prog(7))).unwrap();
    update_in(&k, 5, 6, Some(Old::Map(8))).unwrap();
    let calls = k.bpf_calls();
    for (cmd, attr) in &calls {
        assert_eq!(*cmd, LINK_UPDATE);
        assert_eq!(attr.len(), 16);
        assert_eq!((u32_at(attr, 0), u32_at(attr, 4)), (5, 6));
    }
    assert_eq!((u32_at(&calls[0].1, 8), u32_at(&calls[0].1, 12)), (0, 0));
    assert_eq!(
        (u32_at(&calls[1].1, 8), u32_at(&calls[1].1, 12)),
        (BPF_F_REPLACE, 7)
    );
    assert_eq!(
        (u32_at(&calls[2].1, 8), u32_at(&calls[2].1, 12)),
        (BPF_F_REPLACE, 8)
    );
    k.answer(Answer::err(Errno(libc::ENOLINK)));
    let e = update_in(&k, 5, 6, None).unwrap_err();
    assert_eq!(e.op(), Op::Update);
    assert_eq!(e.explanation(), "the link is already detached");
}

#[test]
fn detach_pin_get_attrs() {
    let k = FakeKernel::new();
    detach_in(&k, 12).unwrap();
    pin_in(&k, 12, std::path::Path::new("/sys/fs/bpf/x")).unwrap();
    // Unscripted calls answer 100, 101, …: detach and pin took 100 and 101.
    assert_eq!(
        open_pinned_in(&k, std::path::Path::new("/sys/fs/bpf/x")),
        Ok(102)
    );
    assert_eq!(from_id_in(&k, 77), Ok(103));
    assert_eq!(prog_from_id_in(&k, 78), Ok(104));
    let calls = k.bpf_calls();
    assert_eq!(calls[0].0, LINK_DETACH);
    assert_eq!(calls[0].1, 12u32.to_ne_bytes().to_vec());
    assert_eq!(calls[1].0, OBJ_PIN);
    assert_eq!(calls[1].1.len(), 20);
    assert_ne!(u64_at(&calls[1].1, 0), 0, "pathname");
    assert_eq!(u32_at(&calls[1].1, 8), 12, "bpf_fd");
    assert_eq!(calls[2].0, OBJ_GET);
    assert_eq!(u32_at(&calls[2].1, 8), 0);
    assert_eq!(calls[3].0, LINK_GET_FD_BY_ID);
    assert_eq!(calls[3].1.len(), 12);
    assert_eq!(u32_at(&calls[3].1, 0), 77);
    assert_eq!(calls[4].0, PROG_GET_FD_BY_ID);
    assert_eq!(calls[4].1.len(), 12);
    assert_eq!(u32_at(&calls[4].1, 0), 78);

    k.answer(Answer::err(Errno(libc::EOPNOTSUPP)));
    let e = detach_in(&k, 12).unwrap_err();
    assert!(e.is_unsupported());
    assert_eq!(e.explanation(), "this link type cannot be detached");
}

#[test]
fn pin_path_with_nul_fails_before_the_kernel() {
    let k = FakeKernel::new();
    let p = std::path::Path::new("/sys/fs/bpf/a\0b");
    assert_eq!(pin_in(&k, 3, p).unwrap_err().errno(), libc::EINVAL);
    assert!(k.calls().is_empty());
}

#[test]
fn link_walk_skips_released_links_and_stops_at_enoent() {
    let k = FakeKernel::new();
    k.answer(Answer::ok(0).with_write_back(4, &5u32.to_ne_bytes()))
        .answer(Answer::ok(0)) // get_fd_by_id(5) = 0 → moved above stdio
        .answer(Answer::ok(0).with_write_back(4, &9u32.to_ne_bytes()))
        .answer(Answer::err(Errno::ENOENT)) // id 9 released in between
        .answer(Answer::ok(0).with_write_back(4, &12u32.to_ne_bytes()))
        .answer(Answer::ok(40))
        .answer(Answer::err(Errno::ENOENT));
    let got: Vec<_> = RawLinkIter::new(&k).collect();
    assert_eq!(got, vec![Ok((5, 200)), Ok((12, 40))]);
    let cmds: Vec<u32> = k.bpf_calls().iter().map(|c| c.0).collect();
    assert_eq!(
        cmds,
        vec![
            LINK_GET_NEXT_ID,
            LINK_GET_FD_BY_ID,
            LINK_GET_NEXT_ID,
            LINK_GET_FD_BY_ID,
            LINK_GET_NEXT_ID,
            LINK_GET_FD_BY_ID,
            LINK_GET_NEXT_ID
        ]
    );
    // The walk starts at 0 and continues from each id.
    let starts: Vec<u32> = k
        .bpf_calls()
        .iter()
        .filter(|c| c.0 == LINK_GET_NEXT_ID)
        .map(|c| u32_at(&c.1, 0))
        .collect();
    assert_eq!(starts, vec![0, 5, 9, 12]);
}

#[test]
fn link_walk_reports_a_walk_error_once() {
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::EPERM));
    let got: Vec<_> = RawLinkIter::new(&k).collect();
    assert_eq!(got.len(), 1);
    let e = got[0].clone().unwrap_err();
    assert_eq!((e.op(), e.errno()), (Op::NextId, libc::EPERM));
}

#[test]
fn link_walk_yields_open_errors_and_goes_on() {
    let k = FakeKernel::new();
    k.answer(Answer::ok(0).with_write_back(4, &3u32.to_ne_bytes()))
        .answer(Answer::err(Errno::EPERM))
        .answer(Answer::ok(0).with_write_back(4, &4u32.to_ne_bytes()))
        .answer(Answer::ok(50))
        .answer(Answer::err(Errno::ENOENT));
    let got: Vec<_> = RawLinkIter::new(&k).collect();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].clone().unwrap_err().op(), Op::OpenById);
    assert_eq!(got[1], Ok((4, 50)));
}

#[test]
fn link_walk_waits_for_a_link_still_being_created() {
    let k = FakeKernel::new();
    k.answer(Answer::ok(0).with_write_back(4, &5u32.to_ne_bytes()))
        .answer(Answer::err(Errno(libc::EAGAIN)))
        .answer(Answer::err(Errno(libc::EAGAIN)))
        .answer(Answer::ok(40))
        .answer(Answer::err(Errno::ENOENT));
    let got: Vec<_> = RawLinkIter::new(&k).collect();
    assert_eq!(got, vec![Ok((5, 40))]);
    let by_id: Vec<u32> = k
        .bpf_calls()
        .iter()
        .filter(|c| c.0 == LINK_GET_FD_BY_ID)
        .map(|c| u32_at(&c.1, 0))
        .collect();
    assert_eq!(by_id, vec![5, 5, 5]);
}

#[test]
fn link_walk_gives_up_on_a_link_never_ready_and_names_it() {
    let k = FakeKernel::new();
    k.answer(Answer::ok(0).with_write_back(4, &5u32.to_ne_bytes()));
    for _ in 0..12 {
        k.answer(Answer::err(Errno(libc::EAGAIN)));
    }
    k.answer(Answer::ok(0).with_write_back(4, &6u32.to_ne_bytes()))
        .answer(Answer::ok(41))
        .answer(Answer::err(Errno::ENOENT));
    let start = std::time::Instant::now();
    let got: Vec<_> = RawLinkIter::new(&k).collect();
    let waited = start.elapsed();
    assert_eq!(got.len(), 2, "{got:?}");
    let e = got[0].clone().unwrap_err();
    assert_eq!(
        (e.op(), e.errno(), e.link_id()),
        (Op::OpenById, libc::EAGAIN, Some(5))
    );
    assert!(
        e.to_string().starts_with(
            "link 5: open link by id: Resource temporarily unavailable (EAGAIN): \
             the link is still being created"
        ),
        "{e}"
    );
    // The walk goes on after giving up.
    assert_eq!(got[1], Ok((6, 41)));
    // Bounded: about 100 ms of pauses, not more.
    assert!(waited >= std::time::Duration::from_millis(90), "{waited:?}");
    assert!(waited < std::time::Duration::from_secs(2), "{waited:?}");
}

#[test]
fn from_id_waits_for_a_link_still_being_created() {
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno(libc::EAGAIN)))
        .answer(Answer::ok(44));
    assert_eq!(from_id_in(&k, 9), Ok(44));
    // An error the caller asked for by id does not repeat the id.
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::ENOENT));
    let e = from_id_in(&k, 9).unwrap_err();
    assert_eq!(e.link_id(), None);
    assert!(e.to_string().starts_with("open link by id: "), "{e}");
}

#[test]
fn link_walk_stops_if_ids_do_not_increase() {
    let k = FakeKernel::new();
    k.answer(Answer::ok(0).with_write_back(4, &0u32.to_ne_bytes()));
    assert_eq!(RawLinkIter::new(&k).count(), 0);
}

#[test]
fn info_call_asks_for_64_bytes() {
    let k = FakeKernel::new();
    k.answer(Answer::ok(0).with_write_back(4, &64u32.to_ne_bytes()));
    let info = super::info::link_info(&k, 9).unwrap();
    // The fake writes nothing into the buffer: type 0.
    assert_eq!(info.details, LinkInfo::Unknown { link_type: 0 });
    let (cmd, attr) = only_call(&k);
    assert_eq!(cmd, OBJ_GET_INFO_BY_FD);
    assert_eq!(attr.len(), 16);
    assert_eq!(u32_at(&attr, 0), 9, "bpf_fd");
    assert_eq!(u32_at(&attr, 4), 64, "info_len");
    assert_ne!(u64_at(&attr, 8), 0, "info");
}

// ------------------------------------------------------------- decoding

fn raw(link_type: u32, id: u32, prog_id: u32) -> [u8; 64] {
    let mut b = [0u8; 64];
    put32(&mut b, 0, link_type);
    put32(&mut b, 4, id);
    put32(&mut b, 8, prog_id);
    b
}

#[test]
fn decodes_fixed_size_kinds() {
    let mut b = raw(3, 10, 20);
    put64(&mut b, 16, 0x1234_5678_9abc);
    put32(&mut b, 24, 1);
    let i = decode(&b, None);
    assert_eq!((i.id, i.prog_id, i.link_type), (10, 20, LinkType::CGROUP));
    assert_eq!(
        i.details,
        LinkInfo::Cgroup {
            cgroup_id: 0x1234_5678_9abc,
            attach_type: AttachType::CGROUP_INET_EGRESS
        }
    );
    assert_eq!(i.attach_type(), Some(AttachType::CGROUP_INET_EGRESS));
    assert!(plan(&b).is_none(), "no second call for cgroup");

    let mut b = raw(6, 1, 2);
    put32(&mut b, 16, 7);
    assert_eq!(decode(&b, None).details, LinkInfo::Xdp { ifindex: 7 });
    assert_eq!(decode(&b, None).details.ifindex(), Some(7));

    let mut b = raw(11, 1, 2);
    put32(&mut b, 16, 3);
    put32(&mut b, 20, 47);
    assert_eq!(
        decode(&b, None).details,
        LinkInfo::Tcx {
            ifindex: 3,
            attach_type: AttachType::TCX_EGRESS
        }
    );

    let mut b = raw(5, 1, 2);
    put32(&mut b, 16, 4_026_531_840);
    put32(&mut b, 20, 36);
    assert_eq!(
        decode(&b, None).details,
        LinkInfo::Netns {
            netns_ino: 4_026_531_840,
            attach_type: AttachType::SK_LOOKUP
        }
    );

    let mut b = raw(10, 1, 2);
    put32(&mut b, 16, 2);
    put32(&mut b, 20, 1);
    put32(&mut b, 24, (-100i32) as u32);
    put32(&mut b, 28, 1);
    let d = decode(&b, None).details;
    assert_eq!(
        d,
        LinkInfo::Netfilter {
            pf: 2,
            hooknum: 1,
            priority: -100,
            flags: 1
        }
    );
    assert_eq!(
        d.netfilter_names(),
        Some((Some(NfProto::Ipv4), Some(NfHook::LocalIn)))
    );

    let mut b = raw(14, 1, 2);
    put32(&mut b, 16, 33);
    put32(&mut b, 20, 38);
    assert_eq!(
        decode(&b, None).details,
        LinkInfo::Sockmap {
            map_id: 33,
            attach_type: AttachType::SK_SKB_VERDICT
        }
    );

    let mut b = raw(9, 1, 0);
    put32(&mut b, 16, 44);
    assert_eq!(decode(&b, None).details, LinkInfo::StructOps { map_id: 44 });

    let mut b = raw(2, 1, 2);
    put32(&mut b, 16, 24);
    put32(&mut b, 20, 1);
    put32(&mut b, 24, 555);
    put64(&mut b, 32, 77);
    assert_eq!(
        decode(&b, None).details,
        LinkInfo::Tracing {
            attach_type: AttachType::TRACE_FENTRY,
            target_obj_id: 1,
            target_btf_id: 555,
            cookie: 77
        }
    );

    let b = raw(99, 1, 2);
    assert_eq!(
        decode(&b, None).details,
        LinkInfo::Unknown { link_type: 99 }
    );
    assert_eq!(decode(&b, None).link_type.to_string(), "link_type 99");
}

/// Plays the kernel's second answer: copies `name` into the name buffer.
fn fill_name(extra: &mut Extra, name: &str) {
    let n = name.len().min(extra.name.len() - 1);
    extra.name[..n].copy_from_slice(&name.as_bytes()[..n]);
    extra.name[n] = 0;
}

#[test]
fn raw_tracepoint_name_takes_a_second_call() {
    let mut first = raw(1, 3, 4);
    put32(&mut first, 24, 10); // tp_name_len = strlen("sys_enter") + 1
    let mut extra = plan(&first).unwrap();
    assert_eq!(extra.name.len(), 10);
    let req = arm(&first, &mut extra);
    assert_eq!(u64_at(&req, 16), extra.name.as_ptr() as u64);
    assert_eq!(u32_at(&req, 24), 10);
    assert_eq!(u32_at(&req, 0), 0, "the request is otherwise zero");
    fill_name(&mut extra, "sys_enter");
    let mut second = first;
    put64(&mut second, 32, 5);
    assert_eq!(
        decode(&second, Some(&extra)).details,
        LinkInfo::RawTracepoint {
            tp_name: "sys_enter".into(),
            cookie: 5
        }
    );
}

#[test]
fn iter_info_decodes_by_target_name() {
    let mut first = raw(4, 3, 4);
    put32(&mut first, 24, 5);
    put32(&mut first, 32, 1234);
    put32(&mut first, 36, 1230);
    let mut extra = plan(&first).unwrap();
    fill_name(&mut extra, "task");
    assert_eq!(
        decode(&first, Some(&extra)).details,
        LinkInfo::Iter {
            target_name: "task".into(),
            target: IterInfo::Task {
                tid: 1234,
                pid: 1230
            }
        }
    );
    let mut b = raw(4, 3, 4);
    put32(&mut b, 28, 17);
    let mut extra = Extra {
        name: vec![0; 16],
        ..Extra::default()
    };
    fill_name(&mut extra, "bpf_map_elem");
    assert_eq!(
        decode(&b, Some(&extra)).details,
        LinkInfo::Iter {
            target_name: "bpf_map_elem".into(),
            target: IterInfo::Map { map_id: 17 }
        }
    );
    let mut b = raw(4, 3, 4);
    put64(&mut b, 32, 88);
    put32(&mut b, 40, 2);
    fill_name(&mut extra, "cgroup");
    assert_eq!(
        decode(&b, Some(&extra)).details,
        LinkInfo::Iter {
            target_name: "cgroup".into(),
            target: IterInfo::Cgroup {
                cgroup_id: 88,
                order: 2
            }
        }
    );
}

#[test]
fn perf_event_arms() {
    // uretprobe
    let mut first = raw(7, 1, 2);
    put32(&mut first, 16, 2);
    put32(&mut first, 32, 9); // name_len
    put32(&mut first, 36, 0x40);
    put64(&mut first, 40, 6);
    put64(&mut first, 48, 0x80);
    let mut extra = plan(&first).unwrap();
    assert_eq!(extra.name.len(), 9);
    let req = arm(&first, &mut extra);
    assert_eq!(u64_at(&req, 24), extra.name.as_ptr() as u64, "file_name");
    assert_eq!(u32_at(&req, 32), 9, "name_len");
    fill_name(&mut extra, "/bin/sh\0");
    assert_eq!(
        decode(&first, Some(&extra)).details,
        LinkInfo::PerfEvent(PerfEventInfo::Uprobe {
            retprobe: true,
            file_name: "/bin/sh".into(),
            offset: 0x40,
            cookie: 6,
            ref_ctr_offset: 0x80
        })
    );
    // tracepoint
    let mut b = raw(7, 1, 2);
    put32(&mut b, 16, 5);
    put32(&mut b, 32, 0); // a kernel that reports no length: PATH_MAX
    put64(&mut b, 40, 3);
    let mut extra = plan(&b).unwrap();
    assert_eq!(extra.name.len(), 4096);
    fill_name(&mut extra, "sys_enter_getppid");
    assert_eq!(
        decode(&b, Some(&extra)).details,
        LinkInfo::PerfEvent(PerfEventInfo::Tracepoint {
            tp_name: "sys_enter_getppid".into(),
            cookie: 3
        })
    );
    // kprobe
    let mut b = raw(7, 1, 2);
    put32(&mut b, 16, 3);
    put32(&mut b, 36, 4);
    put64(&mut b, 40, 0xffff_ffff_8100_0000);
    put64(&mut b, 48, 2);
    put64(&mut b, 56, 1);
    let mut extra = plan(&b).unwrap();
    fill_name(&mut extra, "vfs_read");
    assert_eq!(
        decode(&b, Some(&extra)).details,
        LinkInfo::PerfEvent(PerfEventInfo::Kprobe {
            retprobe: false,
            func_name: "vfs_read".into(),
            offset: 4,
            addr: 0xffff_ffff_8100_0000,
            missed: 2,
            cookie: 1
        })
    );
    // software event: no second call
    let mut b = raw(7, 1, 2);
    put32(&mut b, 16, 6);
    put64(&mut b, 24, 0);
    put32(&mut b, 32, 1);
    put64(&mut b, 40, 8);
    assert!(plan(&b).is_none());
    assert_eq!(
        decode(&b, None).details,
        LinkInfo::PerfEvent(PerfEventInfo::Event {
            config: 0,
            event_type: 1,
            cookie: 8
        })
    );
}

#[test]
fn uprobe_multi_arrays() {
    let mut first = raw(12, 1, 2);
    put32(&mut first, 48, 12); // path_size
    put32(&mut first, 52, 2); // count
    put32(&mut first, 56, 1); // flags
    put32(&mut first, 60, 99); // pid
    let mut extra = plan(&first).unwrap();
    assert_eq!(extra.name.len(), 12);
    assert_eq!(extra.offsets.len(), 2);
    let req = arm(&first, &mut extra);
    assert_eq!(u64_at(&req, 16), extra.name.as_ptr() as u64, "path");
    assert_eq!(u64_at(&req, 24), extra.offsets.as_ptr() as u64);
    assert_eq!(u64_at(&req, 32), extra.ref_ctr_offsets.as_ptr() as u64);
    assert_eq!(u64_at(&req, 40), extra.cookies.as_ptr() as u64);
    assert_eq!(u32_at(&req, 48), 12, "path_size");
    assert_eq!(u32_at(&req, 52), 2, "count");
    fill_name(&mut extra, "/usr/bin/ls");
    extra.offsets = vec![0x10, 0x20];
    extra.cookies = vec![1, 2];
    assert_eq!(
        decode(&first, Some(&extra)).details,
        LinkInfo::UprobeMulti {
            path: "/usr/bin/ls".into(),
            offsets: vec![0x10, 0x20],
            ref_ctr_offsets: vec![0, 0],
            cookies: vec![1, 2],
            flags: 1,
            pid: 99
        }
    );
}

#[test]
fn prog_info_decoding() {
    let mut b = [0u8; 256];
    put32(&mut b, 0, 6);
    put32(&mut b, 4, 321);
    b[8..16].copy_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
    b[64..72].copy_from_slice(b"xdp_pass");
    let p = decode_prog_info(&b);
    assert_eq!(p.id, 321);
    assert_eq!(p.prog_type, ProgType::XDP);
    assert_eq!(p.name, "xdp_pass");
    assert_eq!(p.tag, [1, 2, 3, 4, 5, 6, 7, 8]);
    // A full 16-byte name has no NUL.
    b[64..80].copy_from_slice(b"abcdefghijklmnop");
    assert_eq!(decode_prog_info(&b).name, "abcdefghijklmnop");
}

#[test]
fn names_follow_libbpf() {
    assert_eq!(AttachType::TCX_INGRESS.to_string(), "tcx_ingress");
    assert_eq!(AttachType(59).to_string(), "attach_type 59");
    assert_eq!(
        AttachType::from_name("trace_uprobe_session"),
        Some(AttachType(57))
    );
    assert_eq!(LinkType::SOCKMAP.name(), Some("sockmap"));
    assert_eq!(LinkType::from_name("netkit"), Some(LinkType(13)));
    assert_eq!(ProgType::NETFILTER.name(), Some("netfilter"));
    assert_eq!(format!("{:?}", AttachType::XDP), "xdp(37)");
    assert_eq!(format!("{:?}", LinkType(77)), "LinkType(77)");
}
