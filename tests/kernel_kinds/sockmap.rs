//! sockmap links: SK_SKB stream verdict and SK_MSG verdict on a SOCKMAP.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use crate::helpers::*;

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

        replace_checks_old_prog(
            ls.as_raw_fd(),
            ps2.as_raw_fd(),
            ps1.as_raw_fd(),
            "stream verdict",
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
