//! Network-device links: XDP on a veth pair (native and generic), TCX
//! ingress/egress on `lo` with the mprog ordering API, and netfilter.

use std::ffi::c_int;
use std::mem::{size_of, zeroed};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::time::Duration;

use crate::helpers::*;

// ------------------------------------------------------------- veth pair

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
            replace_checks_old_prog(link.as_raw_fd(), p1.as_raw_fd(), p2.as_raw_fd(), name);
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
        replace_checks_old_prog(a.as_raw_fd(), fd(0), fd(5), "tcx A");
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
