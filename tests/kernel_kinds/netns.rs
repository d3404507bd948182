//! Network-namespace links: sk_lookup and flow_dissector on this thread's
//! private netns.

use std::ffi::c_int;
use std::mem::{size_of, zeroed};
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::Duration;

use crate::helpers::*;

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
        replace_checks_old_prog(
            link.as_raw_fd(),
            p1.as_raw_fd(),
            p2.as_raw_fd(),
            "sk_lookup",
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
        replace_checks_old_prog(
            link.as_raw_fd(),
            p1.as_raw_fd(),
            p2.as_raw_fd(),
            "flow_dissector",
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
