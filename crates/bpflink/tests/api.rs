//! Real-kernel tests of the safe Rust API (`bpflink`): every link kind
//! this kernel can create, built with the typed builders, then read back
//! with `Link::info()` and driven through update / detach / pin /
//! open_pinned / from_id / iter_all, with the errors (errno, operation,
//! explanation) the kernel's refusals turn into.
//!
//! Each test runs in its own network and mount namespace with a private
//! bpffs (tests/common: `isolated`); cgroups are removed on drop, so
//! nothing is left on the host. Programs are loaded with the test loader in
//! tests/common (raw bpf(2), not bpflink). Needs root; otherwise each test
//! prints `SKIP` (a failure under `CI=true`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use bpflink_testkit as common;

use std::ffi::CString;
use std::io::Read;
use std::num::NonZeroU32;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, IntoRawFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use bpflink::{
    Anchor, AttachType, CgroupAttach, IterInfo, KprobeTargets, LinkType, NetnsAttach, NfHook,
    NfProto, Op, PerfEventInfo, Prog, SockmapAttach, TcxDirection, TracingAttach, XdpMode,
};
use bpflink::{Link, LinkInfo};
use bpflink_testkit::kernel_test_with_bpffs as run;
use bpflink_testkit::*;

fn load(prog_type: u32, expected: u32, btf_id: u32, ret: i32, name: &str) -> Result<OwnedFd, Skip> {
    load_trivial(prog_type, expected, btf_id, ret, name)
}

fn bpffs(env: &Env, name: &str) -> std::path::PathBuf {
    env.bpffs.as_ref().expect("bpffs").join(name)
}

/// The link's id via the C ABI's view (raw info bytes), to cross-check
/// the typed decoding.
fn raw_info(link: &Link) -> common::LinkInfo {
    link_info(link.as_raw_fd())
}

fn assert_api_err<T: std::fmt::Debug>(r: bpflink::Result<T>, op: Op, errno: i32) -> bpflink::Error {
    let e = r.expect_err("expected an error");
    assert_eq!((e.op(), e.errno()), (op, errno), "{e}");
    e
}

/// `BPF_PROG_QUERY` link ids of a tcx hook, in run order, and its revision.
fn tcx_query(ifindex: u32, attach_type: u32) -> (Vec<u32>, u64) {
    let mut prog_ids = [0u32; 16];
    let mut link_ids = [0u32; 16];
    let mut a = [0u8; 64];
    a[0..4].copy_from_slice(&ifindex.to_ne_bytes());
    a[4..8].copy_from_slice(&attach_type.to_ne_bytes());
    a[16..24].copy_from_slice(&(prog_ids.as_mut_ptr() as u64).to_ne_bytes());
    a[24..28].copy_from_slice(&16u32.to_ne_bytes());
    a[40..48].copy_from_slice(&(link_ids.as_mut_ptr() as u64).to_ne_bytes());
    sys_bpf(cmd::PROG_QUERY, &mut a).unwrap_or_else(|e| panic!("BPF_PROG_QUERY: {}", errname(e)));
    let n = u32_at(&a, 24) as usize;
    (link_ids[..n].to_vec(), u64_at(&a, 56))
}

// ====================================================================
// XDP: the full life cycle through the API
// ====================================================================

/// XDP on `lo`: create (fd ≥ 3, close-on-exec), info (typed and raw agree),
/// from_id, iter_all, update (plain; REPLACE right → ok, wrong → EPERM with
/// the "not the one given to replace" explanation), pin / open_pinned /
/// pin again (EEXIST), detach (ifindex 0; update → ENOLINK), release.
#[test]
fn xdp_life_cycle() {
    run(|env| {
        let p1 = load(prog_type::XDP, attach::XDP, 0, XDP_PASS, "api_xdp1")?;
        let p2 = load(prog_type::XDP, attach::XDP, 0, XDP_PASS, "api_xdp2")?;
        let (id1, id2) = (prog_id(&p1), prog_id(&p2));
        let lo = bpflink::ifindex("lo").unwrap();
        assert_eq!(lo, 1);

        let link = Link::xdp(p1.as_fd(), lo)
            .mode(XdpMode::Generic)
            .create()
            .unwrap();
        assert!(link.as_raw_fd() >= 3 && is_cloexec(link.as_raw_fd()));
        let info = link.info().unwrap();
        assert_eq!(info.link_type, LinkType::XDP);
        assert_eq!(info.prog_id, id1);
        assert_eq!(info.details, LinkInfo::Xdp { ifindex: 1 });
        assert_eq!(info.id, raw_info(&link).id(), "typed and raw info agree");
        let id = link.id().unwrap();

        // A second XDP link on the same device: EBUSY, explained.
        let e = assert_api_err(
            Link::xdp(p2.as_fd(), lo).create(),
            Op::Create("xdp"),
            libc::EBUSY,
        );
        assert!(e.explanation().contains("in use"), "{e}");

        // from_id and the system-wide walk find it.
        let again = Link::from_id(id).unwrap();
        assert_eq!(again.info().unwrap().id, id);
        drop(again);
        let ids: Vec<u32> = Link::iter_all().map(|l| l.unwrap().id().unwrap()).collect();
        assert!(ids.contains(&id), "iter_all: {ids:?} lacks {id}");
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids ascend: {ids:?}");

        // Program name through Prog.
        let pi = Prog::from_id(id1).unwrap().info().unwrap();
        assert_eq!((pi.id, pi.name.as_str()), (id1, "api_xdp1"));
        assert_eq!(pi.prog_type.name(), Some("xdp"));

        // Update: plain, then REPLACE wrong and right.
        link.update(p2.as_fd(), None).unwrap();
        assert_eq!(link.info().unwrap().prog_id, id2);
        let e = assert_api_err(
            link.update(p1.as_fd(), Some(p1.as_fd())),
            Op::Update,
            libc::EPERM,
        );
        assert!(
            e.explanation().contains("not the one given to replace"),
            "{e}"
        );
        link.update(p1.as_fd(), Some(p2.as_fd())).unwrap();
        assert_eq!(link.info().unwrap().prog_id, id1);

        // Pin, open the pin, pin twice.
        let pin = bpffs(env, "xdp_link");
        link.pin(&pin).unwrap();
        let pinned = Link::open_pinned(&pin).unwrap();
        assert_eq!(pinned.id().unwrap(), id);
        let e = assert_api_err(link.pin(&pin), Op::Pin, libc::EEXIST);
        assert_eq!(e.explanation(), "the path already exists");
        std::fs::remove_file(&pin).unwrap();
        drop(pinned);

        // Detach: the link stays, the hook is empty.
        link.detach().unwrap();
        assert_eq!(link.info().unwrap().details, LinkInfo::Xdp { ifindex: 0 });
        let e = assert_api_err(link.update(p2.as_fd(), None), Op::Update, libc::ENOLINK);
        assert_eq!(e.explanation(), "the link is already detached");

        drop(link);
        assert_link_gone(id);
        Ok(())
    });
}

/// `into_raw_fd`, `From<OwnedFd>`, `FromRawFd`, `From<Link> for OwnedFd`:
/// ownership moves without closing the link.
#[test]
fn fd_conversions_keep_the_link() {
    run(|_| {
        let p = load(prog_type::XDP, attach::XDP, 0, XDP_PASS, "api_xdp_fd")?;
        let link = Link::xdp(p.as_fd(), 1).create().unwrap();
        let id = link.id().unwrap();
        let raw = link.into_raw_fd();
        assert!(fd_is_open(raw));
        // SAFETY: `raw` came from into_raw_fd just above; nothing else owns it.
        let link = unsafe { Link::from_raw_fd(raw) };
        let owned: OwnedFd = link.into();
        let link = Link::from(owned);
        assert_eq!(link.id().unwrap(), id);
        assert_eq!(link.as_fd().as_raw_fd(), raw);
        drop(link);
        assert!(!fd_is_open(raw));
        assert_link_gone(id);
        Ok(())
    });
}

// ====================================================================
// tcx: ordering and expected_revision
// ====================================================================

/// Three tcx ingress links on `lo` placed with `first()`, `after(link fd)`
/// and `before(link id)`; BPF_PROG_QUERY shows the order; a stale
/// `expected_revision` fails with ESTALE (explained), the current one
/// works; info reports ifindex and attach type.
#[test]
fn tcx_ordering_and_revision() {
    run(|_| {
        let pa = load(prog_type::SCHED_CLS, 0, 0, 0, "api_tcx_a")?;
        let pb = load(prog_type::SCHED_CLS, 0, 0, 0, "api_tcx_b")?;
        let pc = load(prog_type::SCHED_CLS, 0, 0, 0, "api_tcx_c")?;
        let a = Link::tcx(pa.as_fd(), 1, TcxDirection::Ingress)
            .first()
            .create()
            .unwrap();
        let ida = a.id().unwrap();
        let c = Link::tcx(pc.as_fd(), 1, TcxDirection::Ingress)
            .after(Anchor::Link(a.as_fd()))
            .create()
            .unwrap();
        let idc = c.id().unwrap();
        let b = Link::tcx(pb.as_fd(), 1, TcxDirection::Ingress)
            .before(Anchor::LinkId(idc))
            .create()
            .unwrap();
        let idb = b.id().unwrap();
        let (order, rev) = tcx_query(1, 46);
        assert_eq!(order, vec![ida, idb, idc], "run order");
        assert_eq!(
            b.info().unwrap().details,
            LinkInfo::Tcx {
                ifindex: 1,
                attach_type: AttachType::TCX_INGRESS
            }
        );

        let pd = load(prog_type::SCHED_CLS, 0, 0, 0, "api_tcx_d")?;
        let e = assert_api_err(
            Link::tcx(pd.as_fd(), 1, TcxDirection::Ingress)
                .expected_revision(rev + 100)
                .create(),
            Op::Create("tcx"),
            libc::ESTALE,
        );
        assert!(e.explanation().contains("expected_revision"), "{e}");
        let d = Link::tcx(pd.as_fd(), 1, TcxDirection::Ingress)
            .last()
            .expected_revision(rev)
            .create()
            .unwrap();
        let (order, _) = tcx_query(1, 46);
        assert_eq!(order, vec![ida, idb, idc, d.id().unwrap()]);

        // Anchors on programs, by fd and by id.
        let pe = load(prog_type::SCHED_CLS, 0, 0, 0, "api_tcx_e")?;
        let pf = load(prog_type::SCHED_CLS, 0, 0, 0, "api_tcx_f")?;
        let e = Link::tcx(pe.as_fd(), 1, TcxDirection::Ingress)
            .before(Anchor::Prog(pa.as_fd()))
            .create()
            .unwrap();
        let f = Link::tcx(pf.as_fd(), 1, TcxDirection::Ingress)
            .after(Anchor::ProgId(prog_id(&pb)))
            .create()
            .unwrap();
        let (order, _) = tcx_query(1, 46);
        let (ide, idf) = (e.id().unwrap(), f.id().unwrap());
        assert_eq!(order, vec![ide, ida, idb, idf, idc, d.id().unwrap()]);
        // A program that is not on this hook cannot be an anchor.
        let r = Link::tcx(pe.as_fd(), 1, TcxDirection::Egress)
            .before(Anchor::Prog(pa.as_fd()))
            .create();
        let err = r.expect_err("anchor not on the hook");
        assert_eq!((err.op(), err.errno()), (Op::Create("tcx"), libc::ENOENT));
        assert!(err.explanation().contains("place it next to"), "{err}");
        Ok(())
    });
}

// ====================================================================
// cgroup, netns, netfilter, sockmap
// ====================================================================

/// A cgroup egress link: info cgroup_id = the directory's inode and
/// `cgroup_path()` resolves it back; update; detach zeroes the id.
#[test]
fn cgroup_link_info_and_path() {
    run(|_| {
        let cg = Cgroup::new()?;
        let p = load(
            prog_type::CGROUP_SKB,
            attach::CGROUP_INET_EGRESS,
            0,
            1,
            "api_cg",
        )?;
        let link = Link::cgroup(p.as_fd(), cg.fd.as_fd(), CgroupAttach::InetEgress)
            .create()
            .unwrap();
        let info = link.info().unwrap();
        assert_eq!(
            info.details,
            LinkInfo::Cgroup {
                cgroup_id: cg.ino,
                attach_type: AttachType::CGROUP_INET_EGRESS
            }
        );
        assert_eq!(
            bpflink::cgroup_path(cg.ino).as_deref(),
            Some(cg.path.as_path())
        );
        // A second link on the same cgroup, placed first.
        let first = Link::cgroup(p.as_fd(), cg.fd.as_fd(), CgroupAttach::InetEgress)
            .first()
            .create()
            .unwrap();
        drop(first);
        link.update(p.as_fd(), None).unwrap();
        link.detach().unwrap();
        assert!(matches!(
            link.info().unwrap().details,
            LinkInfo::Cgroup { cgroup_id: 0, .. }
        ));
        Ok(())
    });
}

/// sk_lookup on this thread's netns: netns_ino is the inode of
/// /proc/thread-self/ns/net (= `current_netns_ino()`); detach works.
#[test]
fn netns_sk_lookup_link() {
    run(|_| {
        let ns = std::fs::File::open("/proc/thread-self/ns/net").unwrap();
        let ino = ns.metadata().unwrap().ino();
        assert_eq!(bpflink::current_netns_ino(), Some(ino));
        let p = load(
            prog_type::SK_LOOKUP,
            attach::SK_LOOKUP,
            0,
            1,
            "api_sklookup",
        )?;
        let link = Link::netns(p.as_fd(), ns.as_fd(), NetnsAttach::SkLookup)
            .create()
            .unwrap();
        assert_eq!(
            link.info().unwrap().details,
            LinkInfo::Netns {
                netns_ino: ino as u32,
                attach_type: AttachType::SK_LOOKUP
            }
        );
        link.detach().unwrap();
        assert!(matches!(
            link.info().unwrap().details,
            LinkInfo::Netns { netns_ino: 0, .. }
        ));
        Ok(())
    });
}

/// Netfilter IPv4 LOCAL_IN: info; the same priority again is EBUSY; a
/// priority of INT_MIN is ERANGE; update is EOPNOTSUPP ("cannot be
/// updated"); detach works.
#[test]
fn netfilter_link_and_its_refusals() {
    run(|_| {
        let p = load(prog_type::NETFILTER, attach::NETFILTER, 0, 1, "api_nf")?;
        let link = Link::netfilter(p.as_fd(), NfProto::Ipv4, NfHook::LocalIn, -100, false)
            .create()
            .unwrap();
        let d = link.info().unwrap().details;
        assert_eq!(
            d,
            LinkInfo::Netfilter {
                pf: 2,
                hooknum: 1,
                priority: -100,
                flags: 0
            }
        );
        assert_eq!(
            d.netfilter_names(),
            Some((Some(NfProto::Ipv4), Some(NfHook::LocalIn)))
        );
        let e = assert_api_err(
            Link::netfilter(p.as_fd(), NfProto::Ipv4, NfHook::LocalIn, -100, false).create(),
            Op::Create("netfilter"),
            libc::EBUSY,
        );
        assert!(e.explanation().contains("netfilter priority"), "{e}");
        assert_api_err(
            Link::netfilter(p.as_fd(), NfProto::Ipv4, NfHook::LocalIn, i32::MIN, false).create(),
            Op::Create("netfilter"),
            libc::ERANGE,
        );
        let defrag = Link::netfilter(p.as_fd(), NfProto::Ipv6, NfHook::PostRouting, 10, true)
            .create()
            .unwrap();
        assert!(matches!(
            defrag.info().unwrap().details,
            LinkInfo::Netfilter {
                pf: 10,
                hooknum: 4,
                flags: 1,
                ..
            }
        ));
        let e = assert_api_err(link.update(p.as_fd(), None), Op::Update, libc::EOPNOTSUPP);
        assert_eq!(e.explanation(), "this link type cannot be updated");
        link.detach().unwrap();
        Ok(())
    });
}

fn sockmap_fd() -> Result<OwnedFd, Skip> {
    let mut a = [0u8; 64];
    a[0..4].copy_from_slice(&map_type::SOCKMAP.to_ne_bytes());
    a[4..8].copy_from_slice(&4u32.to_ne_bytes());
    a[8..12].copy_from_slice(&4u32.to_ne_bytes());
    a[12..16].copy_from_slice(&2u32.to_ne_bytes());
    match sys_bpf(cmd::MAP_CREATE, &mut a) {
        Ok(fd) => Ok(own(fd as i32, "BPF_MAP_CREATE(SOCKMAP)")),
        Err(e) => Err(Skip(format!("BPF_MAP_CREATE(SOCKMAP): {}", errname(e)))),
    }
}

/// A sockmap verdict link: info map id and attach type; update; detach.
#[test]
fn sockmap_link() {
    run(|_| {
        let map = sockmap_fd()?;
        let p = load(prog_type::SK_SKB, attach::SK_SKB_VERDICT, 0, 1, "api_skskb")?;
        let link = Link::sockmap(p.as_fd(), map.as_fd(), SockmapAttach::SkSkbVerdict)
            .create()
            .unwrap();
        let d = link.info().unwrap().details;
        let LinkInfo::Sockmap {
            map_id,
            attach_type,
        } = d
        else {
            panic!("not sockmap info: {d:?}");
        };
        assert_ne!(map_id, 0);
        assert_eq!(attach_type, AttachType::SK_SKB_VERDICT);
        link.update(p.as_fd(), Some(p.as_fd())).unwrap();
        link.detach().unwrap();
        Ok(())
    });
}

// ====================================================================
// tracing-side kinds: iter, raw_tp, tp_btf, perf_event, uprobe_multi
// ====================================================================

fn gettid() -> u32 {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::gettid() as u32 }
}

/// A task iterator limited to this thread: `open_iter` reads exactly one
/// record; info has target "task" and the tid; detach is EOPNOTSUPP
/// ("cannot be detached"); a non-iter link cannot `open_iter` (EINVAL).
#[test]
fn iter_task_link() {
    run(|_| {
        let btf = btf_find(btf_kind::FUNC, "bpf_iter_task")?;
        let insns = iter_task_insns();
        let p = must_load(ProgSpec {
            prog_type: prog_type::TRACING,
            expected_attach_type: attach::TRACE_ITER,
            attach_btf_id: btf,
            insns: &insns,
            name: "api_iter",
        })?;
        let tid = gettid();
        let link = Link::iter(p.as_fd()).task(tid).create().unwrap();
        let mut out = Vec::new();
        link.open_iter().unwrap().read_to_end(&mut out).unwrap();
        assert_eq!(out, b"task...\n", "one task");
        let info = link.info().unwrap();
        assert_eq!(
            info.details,
            LinkInfo::Iter {
                target_name: "task".into(),
                target: IterInfo::Task { tid, pid: 0 }
            }
        );
        let e = assert_api_err(link.detach(), Op::Detach, libc::EOPNOTSUPP);
        assert_eq!(e.explanation(), "this link type cannot be detached");
        assert!(
            e.to_string()
                .contains("detach link: Operation not supported (EOPNOTSUPP)"),
            "{e}"
        );

        // All tasks: more than one record.
        let all = Link::iter(p.as_fd()).create().unwrap();
        let mut out = Vec::new();
        all.open_iter().unwrap().read_to_end(&mut out).unwrap();
        assert!(out.len() > 8, "every task: {} bytes", out.len());

        let xp = load(prog_type::XDP, attach::XDP, 0, XDP_PASS, "api_xdp_iter")?;
        let x = Link::xdp(xp.as_fd(), 1).create().unwrap();
        assert_api_err(x.open_iter(), Op::IterCreate, libc::EINVAL);
        Ok(())
    });
}

/// raw_tp by name with a cookie, and tp_btf through `tracing(RawTp)`:
/// both are raw_tracepoint links whose info carries the name and cookie;
/// update is EINVAL, detach EOPNOTSUPP; an unknown name is ENOENT ("no such
/// tracepoint").
#[test]
fn raw_tracepoint_and_tp_btf() {
    run(|_| {
        let p = load(prog_type::RAW_TRACEPOINT, 0, 0, 0, "api_rawtp")?;
        let link = Link::raw_tracepoint(p.as_fd(), "sys_enter")
            .cookie(7)
            .create()
            .unwrap();
        assert_eq!(
            link.info().unwrap().details,
            LinkInfo::RawTracepoint {
                tp_name: "sys_enter".into(),
                cookie: 7
            }
        );
        let e = assert_api_err(
            Link::raw_tracepoint(p.as_fd(), "no_such_tracepoint_bpflink").create(),
            Op::RawTracepointOpen,
            libc::ENOENT,
        );
        assert_eq!(e.explanation(), "no such tracepoint");
        assert_api_err(link.update(p.as_fd(), None), Op::Update, libc::EINVAL);
        assert_api_err(link.detach(), Op::Detach, libc::EOPNOTSUPP);

        let btf = btf_find(btf_kind::TYPEDEF, "btf_trace_sys_enter")?;
        let tp = load(
            prog_type::TRACING,
            attach::TRACE_RAW_TP,
            btf,
            0,
            "api_tpbtf",
        )?;
        let l2 = Link::tracing(tp.as_fd(), TracingAttach::RawTp)
            .cookie(5)
            .create()
            .unwrap();
        let info = l2.info().unwrap();
        assert_eq!(info.link_type, LinkType::RAW_TRACEPOINT);
        assert_eq!(
            info.details,
            LinkInfo::RawTracepoint {
                tp_name: "sys_enter".into(),
                cookie: 5
            }
        );
        Ok(())
    });
}

/// `perf_event_open(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS)` on this
/// thread, disabled. (Not CPU_CLOCK: since 6.16 cpu-clock is its own PMU
/// with a dynamic type, and the kernel reports that type, 6 here.)
fn sw_perf_event() -> OwnedFd {
    let mut attr = [0u8; 128];
    attr[0..4].copy_from_slice(&1u32.to_ne_bytes()); // type SOFTWARE
    attr[4..8].copy_from_slice(&128u32.to_ne_bytes()); // size
    attr[8..16].copy_from_slice(&2u64.to_ne_bytes()); // config PAGE_FAULTS
    attr[16..24].copy_from_slice(&1_000_000u64.to_ne_bytes()); // sample_period
    attr[40] = 1; // disabled
    // SAFETY: `attr` is a perf_event_attr of the size it declares.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_perf_event_open,
            attr.as_ptr(),
            0,
            -1,
            -1,
            8u64, // PERF_FLAG_FD_CLOEXEC
        )
    };
    assert!(fd >= 0, "perf_event_open: {}", errname(errno()));
    // SAFETY: just opened, owned here.
    unsafe { OwnedFd::from_raw_fd(fd as i32) }
}

/// A perf_event link on a software event with a cookie: info is
/// `PerfEvent(Event { event_type 1 (software), config 2, cookie })`.
#[test]
fn perf_event_software() {
    run(|_| {
        let ev = sw_perf_event();
        let p = load(prog_type::PERF_EVENT, 0, 0, 0, "api_perf")?;
        let link = Link::perf_event(p.as_fd(), ev.as_fd())
            .cookie(0xc0c0)
            .create()
            .unwrap();
        assert_eq!(
            link.info().unwrap().details,
            LinkInfo::PerfEvent(PerfEventInfo::Event {
                config: 2,
                event_type: 1,
                cookie: 0xc0c0
            })
        );
        Ok(())
    });
}

/// Called through a uprobe in [`uprobe_multi_link`].
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn bpflink_api_uprobe_target(x: u64) -> u64 {
    std::hint::black_box(x.wrapping_mul(3))
}

/// The file and file offset of this test binary's code at `addr`.
fn file_offset(addr: u64) -> (String, u64) {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    for line in maps.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (s, e) = f[0].split_once('-').unwrap();
        let (s, e) = (
            u64::from_str_radix(s, 16).unwrap(),
            u64::from_str_radix(e, 16).unwrap(),
        );
        if (s..e).contains(&addr) {
            let off = u64::from_str_radix(f[2], 16).unwrap();
            return (f[5].to_owned(), addr - s + off);
        }
    }
    panic!("{addr:#x} is not mapped");
}

/// uprobe_multi on this binary: info returns the path, offsets, cookies,
/// pid and the return flag; a kprobe_multi (CONFIG_FPROBE=n here) is
/// EOPNOTSUPP with the "not supported" explanation.
#[test]
fn uprobe_multi_link_and_kprobe_multi_refusal() {
    run(|_| {
        let (path, off) = file_offset(bpflink_api_uprobe_target as *const () as usize as u64);
        let p = load(
            prog_type::KPROBE,
            attach::TRACE_UPROBE_MULTI,
            0,
            0,
            "api_umulti",
        )?;
        let me = std::process::id();
        let offs = [off];
        let cookies = [0xabc];
        let link = Link::uprobe_multi(p.as_fd(), &path, &offs)
            .cookies(&cookies)
            .pid(me)
            .retprobe()
            .create()
            .unwrap();
        assert_eq!(bpflink_api_uprobe_target(2), 6);
        assert_eq!(
            link.info().unwrap().details,
            LinkInfo::UprobeMulti {
                path: path.clone().into(),
                offsets: vec![off],
                ref_ctr_offsets: vec![0],
                cookies: vec![0xabc],
                flags: 1,
                pid: me
            }
        );
        assert_api_err(link.detach(), Op::Detach, libc::EOPNOTSUPP);

        let kp = load(
            prog_type::KPROBE,
            attach::TRACE_KPROBE_MULTI,
            0,
            0,
            "api_kmulti",
        )?;
        match Link::kprobe_multi(kp.as_fd(), KprobeTargets::Symbols(&[c"vfs_read"])).create() {
            Ok(_) => println!("note: kprobe_multi is supported on this kernel"),
            Err(e) => {
                assert_eq!(
                    (e.op(), e.errno()),
                    (Op::Create("kprobe_multi"), libc::EOPNOTSUPP),
                    "{e}"
                );
                assert!(e.explanation().contains("not supported"), "{e}");
            }
        }
        Ok(())
    });
}

// ====================================================================
// pins and paths
// ====================================================================

/// Pinning where bpffs is not mounted (a tmpfs/ext4 dir) is EPERM and the
/// explanation names the filesystem; a missing directory is ENOENT and says
/// so; opening a missing pin is ENOENT; a pinned *program* is not a link
/// (EINVAL, "is a bpf-prog, not a link").
#[test]
fn pin_and_open_errors_explain_bpffs() {
    run(|env| {
        let p = load(prog_type::XDP, attach::XDP, 0, XDP_PASS, "api_xdp_pin")?;
        let link = Link::xdp(p.as_fd(), 1).create().unwrap();

        let tmp = std::env::temp_dir().join(unique_name());
        std::fs::create_dir(&tmp).unwrap();
        let r = link.pin(tmp.join("l"));
        std::fs::remove_dir(&tmp).unwrap();
        let e = assert_api_err(r, Op::Pin, libc::EPERM);
        assert!(e.explanation().contains("not bpffs"), "{e}");

        let e = assert_api_err(
            link.pin("/nonexistent-bpflink/dir/l"),
            Op::Pin,
            libc::ENOENT,
        );
        assert!(e.explanation().contains("does not exist"), "{e}");

        let e = assert_api_err(
            Link::open_pinned(bpffs(env, "missing")),
            Op::OpenPinned,
            libc::ENOENT,
        );
        assert_eq!(
            e.explanation(),
            format!("nothing is pinned at {}", bpffs(env, "missing").display())
        );

        let prog_pin = bpffs(env, "a_prog");
        let c = CString::new(prog_pin.to_str().unwrap()).unwrap();
        let mut a = [0u8; 20];
        a[0..8].copy_from_slice(&(c.as_ptr() as u64).to_ne_bytes());
        a[8..12].copy_from_slice(&(p.as_raw_fd() as u32).to_ne_bytes());
        sys_bpf(cmd::OBJ_PIN, &mut a).unwrap();
        let e = assert_api_err(Link::open_pinned(&prog_pin), Op::OpenPinned, libc::EINVAL);
        assert!(e.explanation().contains("bpf-prog, not a link"), "{e}");

        // A NUL inside the path never reaches the kernel.
        let e = assert_api_err(
            link.pin(Path::new(std::ffi::OsStr::new("/sys/fs/bpf/a\0b"))),
            Op::Pin,
            libc::EINVAL,
        );
        assert!(e.explanation().contains("NUL"), "{e}");
        Ok(())
    });
}

/// A freplace needs an EXT program, which this kernel refuses to load
/// (docs/kernel-facts.md#programs-this-kernel-will-not-load); the builder
/// still sends the right attr: with an XDP program as both sides the kernel
/// answers EINVAL, which the API reports for `Create("freplace")`.
#[test]
fn freplace_with_wrong_program_is_einval() {
    run(|_| {
        let p = load(prog_type::XDP, attach::XDP, 0, XDP_PASS, "api_xdp_frep")?;
        let r = Link::freplace(p.as_fd(), p.as_fd(), NonZeroU32::new(1).unwrap()).create();
        assert_api_err(r, Op::Create("freplace"), libc::EINVAL);
        Ok(())
    });
}

/// Dropping the last owner releases the link; a pinned link outlives its
/// fd and is reachable by id until unpinned.
#[test]
fn pinned_link_outlives_its_fd() {
    run(|env| {
        let p = load(prog_type::XDP, attach::XDP, 0, XDP_PASS, "api_xdp_keep")?;
        let link = Link::xdp(p.as_fd(), 1).create().unwrap();
        let id = link.id().unwrap();
        let pin = bpffs(env, "kept");
        link.pin(&pin).unwrap();
        drop(link);
        let again = Link::from_id(id).unwrap();
        assert_eq!(again.info().unwrap().details, LinkInfo::Xdp { ifindex: 1 });
        drop(again);
        std::fs::remove_file(&pin).unwrap();
        assert_link_gone(id);
        let e = assert_api_err(Link::from_id(id), Op::OpenById, libc::ENOENT);
        assert!(e.is_not_found());
        Ok(())
    });
}

/// `into_raw_fd` for a link with FD_CLOEXEC set by the kernel; the raw fd
/// is closed here to leave nothing behind.
#[test]
fn into_raw_fd_gives_up_ownership() {
    run(|_| {
        let p = load(prog_type::XDP, attach::XDP, 0, XDP_PASS, "api_xdp_raw")?;
        let link = Link::xdp(p.as_fd(), 1).create().unwrap();
        let id = link.id().unwrap();
        let raw = IntoRawFd::into_raw_fd(link);
        assert!(is_cloexec(raw));
        // SAFETY: we own `raw` (into_raw_fd above).
        drop(unsafe { OwnedFd::from_raw_fd(raw) });
        assert_link_gone(id);
        Ok(())
    });
}
