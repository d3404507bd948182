//! cgroup links: INET_INGRESS with triggers, update and detach; SOCK_OPS,
//! DEVICE, INET4_CONNECT and SYSCTL; the mprog ordering API on INET_EGRESS.
//! The programs are triggered by a forked child that moves itself into the
//! cgroup (`in_cgroup_child`).

use std::ffi::{CStr, CString, c_int};
use std::mem::{size_of, zeroed};
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::Duration;

use crate::helpers::*;

// ---------------------------------------------------- the cgroup child

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

// ------------------------------------------------------------------ tests

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
