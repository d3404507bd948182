//! struct_ops links: a `tcp_congestion_ops` registered from a hand-built BTF
//! and map, checked to be unregistered again.

use std::ffi::c_int;
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::Duration;

use crate::helpers::*;

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
