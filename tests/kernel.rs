//! Real-kernel integration tests of bpflink's C ABI.
//!
//! Every call under test goes through the exported `extern "C"` functions
//! (`libbpflink::bpf::*`) with raw pointers, exactly as a C program would
//! call libbpf. Programs, maps, cgroups and namespaces are set up with raw
//! syscalls in `common` (never through bpflink).
//!
//! Each test runs serially (one global lock) in its own network + mount
//! namespace on a fresh thread, so links on `lo` and bpffs pins never reach
//! the host; cgroup directories are removed; every link's release is
//! confirmed by polling its id until `-ENOENT` (bounded, 5 s).
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

use std::ffi::{CStr, CString, c_char, c_int};
use std::mem::size_of;
use std::os::fd::{AsRawFd, RawFd};
use std::ptr::{null, null_mut};

use bpflink_core::abi::{
    bpf_get_fd_by_id_opts, bpf_obj_get_opts, bpf_obj_pin_opts, bpf_raw_tp_opts,
};
use bpflink_testkit::kernel_test as run;
use common::*;
use libbpflink::bpf::*;

const ENOLINK: c_int = libc::ENOLINK;

// --------------------------------------------------------- call wrappers

/// Like [`link_create`] with an opts buffer of any size/content (its first
/// 8 bytes are `sz`), to test the size rules.
fn link_create_raw_opts(
    prog: RawFd,
    target: RawFd,
    attach_type: u32,
    opts: &[u64],
) -> (c_int, c_int) {
    c_call(|| unsafe { bpf_link_create(prog, target, attach_type, opts.as_ptr().cast()) })
}

/// Sends one UDP datagram to 127.0.0.1 and receives it (in the caller's netns).
fn udp_ping() {
    let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(2)))
        .unwrap();
    let me = s.local_addr().unwrap();
    s.send_to(b"bpflink", me).unwrap();
    let mut buf = [0u8; 16];
    let (n, _) = s.recv_from(&mut buf).expect("UDP over lo");
    assert_eq!(&buf[..n], b"bpflink");
}

/// A deferred C call returning (ret, errno).
type CCall<'a> = dyn Fn() -> (c_int, c_int) + 'a;

/// Repeats a call while it fails with EBUSY (bounded: 5 s).
fn retry_while_busy(f: impl Fn() -> (c_int, c_int)) -> (c_int, c_int) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let r = f();
        if r.0 != -libc::EBUSY || std::time::Instant::now() >= deadline {
            return r;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

fn cstring(s: &str) -> CString {
    CString::new(s).unwrap()
}

// ====================================================================
// (1) cgroup link
// ====================================================================

/// A cgroup-skb egress link on a fresh cgroup v2 directory: fd hygiene,
/// `bpf_link_get_info_by_fd` (type, prog id, cgroup id = inode, attach
/// type), `bpf_link_update` (plain, REPLACE right and wrong), detach, and
/// release after close.
#[test]
fn cgroup_link_create_info_update_detach_release() {
    run(Iso::default(), |_| {
        let cg = Cgroup::new()?;
        let prog = load_trivial(
            prog_type::CGROUP_SKB,
            attach::CGROUP_INET_EGRESS,
            0,
            1,
            "egress1",
        )?;
        let prog2 = load_trivial(
            prog_type::CGROUP_SKB,
            attach::CGROUP_INET_EGRESS,
            0,
            1,
            "egress2",
        )?;
        let (pid1, pid2) = (prog_id(&prog), prog_id(&prog2));

        let link = assert_new_fd(
            link_create(prog.as_raw_fd(), cg.raw(), attach::CGROUP_INET_EGRESS, None),
            "bpf_link_create(cgroup egress)",
        );
        let info = link_info(link.as_raw_fd());
        assert_eq!(info.link_type(), link_type::CGROUP, "link type");
        assert_ne!(info.id(), 0, "link id");
        assert_eq!(info.prog_id(), pid1, "prog_id");
        assert_eq!(
            info.u64_at(16),
            cg.ino,
            "cgroup_id vs inode of {}",
            cg.path.display()
        );
        assert_eq!(info.u32_at(24), attach::CGROUP_INET_EGRESS, "attach_type");
        let id = info.id();

        // The same through full-size, all-zero opts (the cgroup/relative branch).
        let o = lc_opts();
        let link_b = assert_new_fd(
            link_create(
                prog.as_raw_fd(),
                cg.raw(),
                attach::CGROUP_INET_EGRESS,
                Some(&o),
            ),
            "bpf_link_create(cgroup egress, zeroed opts)",
        );
        let id_b = link_info(link_b.as_raw_fd()).id();
        assert_ne!(id_b, id);
        drop(link_b);
        assert_link_gone(id_b);

        // Update: plain, then REPLACE with the wrong and the right old prog.
        assert_ok0(
            link_update(link.as_raw_fd(), prog2.as_raw_fd(), None),
            "bpf_link_update(prog2)",
        );
        assert_eq!(link_info(link.as_raw_fd()).prog_id(), pid2);
        let wrong = lu_opts(BPF_F_REPLACE, prog.as_raw_fd());
        assert_err(
            link_update(link.as_raw_fd(), prog.as_raw_fd(), Some(&wrong)),
            libc::EPERM,
            "bpf_link_update(REPLACE, wrong old_prog_fd)",
        );
        let right = lu_opts(BPF_F_REPLACE, prog2.as_raw_fd());
        assert_ok0(
            link_update(link.as_raw_fd(), prog.as_raw_fd(), Some(&right)),
            "bpf_link_update(REPLACE, right old_prog_fd)",
        );
        assert_eq!(link_info(link.as_raw_fd()).prog_id(), pid1);

        // Detach keeps the fd but empties the hook.
        assert_ok0(
            c_call(|| bpf_link_detach(link.as_raw_fd())),
            "bpf_link_detach",
        );
        let after = link_info(link.as_raw_fd());
        assert_eq!(after.id(), id);
        assert_eq!(after.u64_at(16), 0, "cgroup_id after detach");
        assert_err(
            link_update(link.as_raw_fd(), prog2.as_raw_fd(), None),
            ENOLINK,
            "bpf_link_update after detach",
        );

        // Still reachable by id until the last fd goes.
        let again = assert_new_fd(
            c_call(|| bpf_link_get_fd_by_id(id)),
            "bpf_link_get_fd_by_id",
        );
        drop(again);
        drop(link);
        assert_link_gone(id);
        Ok(())
    });
}

// ====================================================================
// (2) XDP link on lo
// ====================================================================

/// XDP (generic) on the private netns's `lo`: info (type 6, ifindex 1), the
/// program really runs, the id walk finds the link, get_fd_by_id(_opts)
/// reopens it, pin/get (by path and by path_fd) give working fds, a second
/// link is EBUSY, the pinned link outlives its fds and is released after
/// unlink; detach clears ifindex.
#[test]
fn xdp_link_on_lo_info_ids_pin_get_release() {
    run(
        Iso {
            bpffs: true,
            ..Iso::default()
        },
        |env| {
            let counter = Counter::new()?;
            let insns = counter_insns(counter.raw(), XDP_PASS);
            let prog = must_load(ProgSpec {
                prog_type: prog_type::XDP,
                expected_attach_type: attach::XDP,
                attach_btf_id: 0,
                insns: &insns,
                name: "xdp_pass",
            })?;
            let pid = prog_id(&prog);

            let link = assert_new_fd(
                link_create(prog.as_raw_fd(), 1, attach::XDP, None),
                "bpf_link_create(xdp, lo)",
            );
            let info = link_info(link.as_raw_fd());
            assert_eq!(info.link_type(), link_type::XDP, "link type");
            assert_eq!(info.prog_id(), pid, "prog_id");
            assert_eq!(info.u32_at(16), 1, "ifindex");
            let id = info.id();

            // The program runs on lo's traffic.
            let before = counter.get();
            udp_ping();
            assert!(
                counter.get() > before,
                "XDP program did not run (counter {before})"
            );

            // Id walk and reopen by id.
            assert!(
                all_link_ids().contains(&id),
                "bpf_link_get_next_id walk misses link {id}"
            );
            let by_id = assert_new_fd(
                c_call(|| bpf_link_get_fd_by_id(id)),
                "bpf_link_get_fd_by_id",
            );
            assert_eq!(link_info(by_id.as_raw_fd()).id(), id);
            let fo = bpf_get_fd_by_id_opts {
                sz: size_of::<bpf_get_fd_by_id_opts>(),
                open_flags: 0,
                token_fd: 0,
            };
            let by_id2 = assert_new_fd(
                c_call(|| unsafe { bpf_link_get_fd_by_id_opts(id, &fo) }),
                "bpf_link_get_fd_by_id_opts(flags 0)",
            );
            assert_eq!(link_info(by_id2.as_raw_fd()).id(), id);
            let ro = bpf_get_fd_by_id_opts {
                open_flags: BPF_F_RDONLY,
                ..fo
            };
            assert_err(
                c_call(|| unsafe { bpf_link_get_fd_by_id_opts(id, &ro) }),
                libc::EINVAL,
                "bpf_link_get_fd_by_id_opts(BPF_F_RDONLY)",
            );
            assert_err(
                c_call(|| bpf_link_get_fd_by_id(u32::MAX)),
                libc::ENOENT,
                "bpf_link_get_fd_by_id(unknown id)",
            );

            // info_len is in/out: 64 comes back for a full buffer and for a
            // bigger zeroed one; a short buffer gets a truncated copy.
            let mut big = [0u64; 16];
            let mut len = 128u32;
            assert_ok0(
                c_call(|| unsafe {
                    bpf_link_get_info_by_fd(link.as_raw_fd(), big.as_mut_ptr().cast(), &mut len)
                }),
                "bpf_link_get_info_by_fd(info_len 128)",
            );
            assert_eq!(len, 64, "info_len written back");
            assert_eq!(big[0] >> 32, u64::from(id), "id in the 128-byte buffer");
            let mut small = [0u32; 4];
            let mut len = 8u32;
            assert_ok0(
                c_call(|| unsafe {
                    bpf_obj_get_info_by_fd(link.as_raw_fd(), small.as_mut_ptr().cast(), &mut len)
                }),
                "bpf_obj_get_info_by_fd(info_len 8)",
            );
            assert_eq!(len, 8, "info_len stays 8");
            assert_eq!(small, [link_type::XDP, id, 0, 0], "truncated info");
            assert_err(
                c_call(|| unsafe {
                    bpf_link_get_info_by_fd(link.as_raw_fd(), big.as_mut_ptr().cast(), null_mut())
                }),
                libc::EINVAL,
                "bpf_link_get_info_by_fd(info_len NULL)",
            );

            // Not an iterator.
            assert_err(
                c_call(|| bpf_iter_create(link.as_raw_fd())),
                libc::EINVAL,
                "bpf_iter_create(xdp link)",
            );

            // Pin by path; again → EEXIST; outside bpffs → EPERM.
            let path = env.pin_path("xdp_link");
            assert_ok0(obj_pin(link.as_raw_fd(), &path), "bpf_obj_pin");
            assert_err(
                obj_pin(link.as_raw_fd(), &path),
                libc::EEXIST,
                "bpf_obj_pin same path",
            );
            let outside = cstring(&std::env::temp_dir().join(unique_name()).to_string_lossy());
            let r = obj_pin(link.as_raw_fd(), &outside);
            if r.0 == 0 {
                let _ = std::fs::remove_file(outside.to_str().unwrap());
            }
            assert_err(r, libc::EPERM, "bpf_obj_pin outside bpffs");

            // Get by path: a working fd to the same link.
            let got = assert_new_fd(obj_get(&path), "bpf_obj_get");
            assert_eq!(
                link_info(got.as_raw_fd()).id(),
                id,
                "bpf_obj_get returns the pinned link"
            );
            assert_ok0(
                link_update(got.as_raw_fd(), prog.as_raw_fd(), None),
                "bpf_link_update via bpf_obj_get fd",
            );
            let go = bpf_obj_get_opts {
                sz: size_of::<bpf_obj_get_opts>(),
                file_flags: BPF_F_RDONLY,
                path_fd: 0,
            };
            assert_err(
                c_call(|| unsafe { bpf_obj_get_opts(path.as_ptr(), &go) }),
                libc::EINVAL,
                "bpf_obj_get_opts(BPF_F_RDONLY) of a link",
            );

            // Pin and get relative to a directory fd (BPF_F_PATH_FD).
            let dir = std::fs::File::open(env.bpffs.as_ref().unwrap()).unwrap();
            let rel = cstring("xdp_link_rel");
            let po = bpf_obj_pin_opts {
                sz: size_of::<bpf_obj_pin_opts>(),
                file_flags: BPF_F_PATH_FD,
                path_fd: dir.as_raw_fd(),
            };
            assert_ok0(
                c_call(|| unsafe { bpf_obj_pin_opts(link.as_raw_fd(), rel.as_ptr(), &po) }),
                "bpf_obj_pin_opts(BPF_F_PATH_FD)",
            );
            let go = bpf_obj_get_opts {
                sz: size_of::<bpf_obj_get_opts>(),
                file_flags: BPF_F_PATH_FD,
                path_fd: dir.as_raw_fd(),
            };
            let got_rel = assert_new_fd(
                c_call(|| unsafe { bpf_obj_get_opts(rel.as_ptr(), &go) }),
                "bpf_obj_get_opts(BPF_F_PATH_FD)",
            );
            assert_eq!(link_info(got_rel.as_raw_fd()).id(), id);

            // One XDP link per device.
            assert_err(
                link_create(prog.as_raw_fd(), 1, attach::XDP, None),
                libc::EBUSY,
                "second XDP link on lo",
            );

            // Closing every fd leaves the pinned link alive...
            drop((link, by_id, by_id2, got, got_rel));
            let still = assert_new_fd(
                c_call(|| bpf_link_get_fd_by_id(id)),
                "pinned link after closing fds",
            );
            drop(still);
            // ...and unlinking the pins releases it.
            std::fs::remove_file(path.to_str().unwrap()).unwrap();
            std::fs::remove_file(env.bpffs.as_ref().unwrap().join("xdp_link_rel")).unwrap();
            assert_link_gone(id);

            // lo is free again; detach empties the hook (ifindex 0).
            // The id disappears just before the kernel's deferred release
            // detaches the program from lo, so EBUSY may linger briefly.
            let link2 = assert_new_fd(
                retry_while_busy(|| link_create(prog.as_raw_fd(), 1, attach::XDP, None)),
                "bpf_link_create(xdp) again",
            );
            let id2 = link_info(link2.as_raw_fd()).id();
            assert_ok0(
                c_call(|| bpf_link_detach(link2.as_raw_fd())),
                "bpf_link_detach(xdp)",
            );
            assert_eq!(
                link_info(link2.as_raw_fd()).u32_at(16),
                0,
                "ifindex after detach"
            );
            assert_err(
                link_update(link2.as_raw_fd(), prog.as_raw_fd(), None),
                ENOLINK,
                "update after detach",
            );
            drop(link2);
            assert_link_gone(id2);
            Ok(())
        },
    );
}

// ====================================================================
// (3) task iterator link
// ====================================================================

/// A `bpf_iter_task` program writing 8 bytes per task: link type 4 with
/// target "task", `bpf_iter_create` + read() to EOF, the `iter_info` tid
/// filter (exactly one task), update yes / detach EOPNOTSUPP, and a pinned
/// iterator read with plain open()+read().
#[test]
fn iter_task_link_create_read_filter_pin() {
    run(
        Iso {
            bpffs: true,
            ..Iso::default()
        },
        |env| {
            let btf_id = btf_find(btf_kind::FUNC, "bpf_iter_task")?;
            let insns = iter_task_insns();
            let prog = must_load(ProgSpec {
                prog_type: prog_type::TRACING,
                expected_attach_type: attach::TRACE_ITER,
                attach_btf_id: btf_id,
                insns: &insns,
                name: "iter_task",
            })?;
            let pid = prog_id(&prog);

            let link = assert_new_fd(
                link_create(prog.as_raw_fd(), 0, attach::TRACE_ITER, None),
                "bpf_link_create(iter)",
            );
            let mut name = [0u8; 32];
            let mut info = LinkInfo::new();
            info.set_buf(16, 24, &mut name);
            link_info_into(link.as_raw_fd(), &mut info);
            assert_eq!(info.link_type(), link_type::ITER, "link type");
            assert_eq!(info.prog_id(), pid, "prog_id");
            assert_eq!(cstr_of(&name), "task", "iter target_name");
            let id = info.id();

            let threads = std::fs::read_dir("/proc/self/task").unwrap().count();
            let it = assert_new_fd(
                c_call(|| bpf_iter_create(link.as_raw_fd())),
                "bpf_iter_create",
            );
            let out = read_to_eof(it.as_raw_fd());
            assert!(
                !out.is_empty() && out.len() % 8 == 0,
                "iterator output length {}",
                out.len()
            );
            assert!(
                out.chunks(8).all(|c| c == b"task...\n"),
                "iterator output content"
            );
            assert!(
                out.len() / 8 >= threads,
                "{} tasks < {threads} threads of this process",
                out.len() / 8
            );
            drop(it);

            // iter_info: only our main thread (tid = pid).
            // SAFETY: getpid has no preconditions.
            let me = unsafe { libc::getpid() } as u32;
            let mut iter_info = [me, 0, 0, 0];
            let mut o = lc_opts();
            o.iter_info = iter_info.as_mut_ptr().cast();
            o.iter_info_len = size_of::<[u32; 4]>() as u32;
            let link_one = assert_new_fd(
                link_create(prog.as_raw_fd(), 0, attach::TRACE_ITER, Some(&o)),
                "bpf_link_create(iter, iter_info tid)",
            );
            let info_one = link_info(link_one.as_raw_fd());
            assert_eq!(info_one.link_type(), link_type::ITER);
            assert_eq!(info_one.u32_at(32), me, "iter task tid in link info");
            let it = assert_new_fd(
                c_call(|| bpf_iter_create(link_one.as_raw_fd())),
                "bpf_iter_create(filtered)",
            );
            assert_eq!(
                read_to_eof(it.as_raw_fd()),
                b"task...\n",
                "tid-filtered iterator: one task"
            );
            drop(it);
            let id_one = info_one.id();
            drop(link_one);
            assert_link_gone(id_one);

            // Update works, detach is not supported for iterators.
            assert_ok0(
                link_update(link.as_raw_fd(), prog.as_raw_fd(), None),
                "bpf_link_update(iter, same prog)",
            );
            assert_err(
                c_call(|| bpf_link_detach(link.as_raw_fd())),
                libc::EOPNOTSUPP,
                "bpf_link_detach(iter)",
            );

            // A pinned iterator link reads like a file.
            let path = env.pin_path("iter_task");
            assert_ok0(obj_pin(link.as_raw_fd(), &path), "bpf_obj_pin(iter)");
            let pinned = std::fs::read(path.to_str().unwrap()).unwrap();
            assert!(
                !pinned.is_empty() && pinned.len() % 8 == 0,
                "pinned iterator read {} bytes",
                pinned.len()
            );
            std::fs::remove_file(path.to_str().unwrap()).unwrap();

            drop(link);
            assert_link_gone(id);
            Ok(())
        },
    );
}

// ====================================================================
// (4) error paths
// ====================================================================

/// A bad prog fd gives the kernel's EBADF (also for a fallback-eligible
/// attach type: only EINVAL triggers the fallback).
#[test]
fn error_bad_prog_fd_is_ebadf() {
    run(Iso::default(), |_| {
        let bad = closed_fd();
        assert_err(
            link_create(bad, 1, attach::XDP, None),
            libc::EBADF,
            "bpf_link_create(closed prog fd)",
        );
        assert_err(
            link_create(-1, 1, attach::XDP, None),
            libc::EBADF,
            "bpf_link_create(prog fd -1)",
        );
        let o = lc_opts();
        assert_err(
            link_create(bad, 1, attach::XDP, Some(&o)),
            libc::EBADF,
            "bpf_link_create(closed prog fd, opts)",
        );
        assert_err(
            link_create(bad, 0, attach::TRACE_FENTRY, None),
            libc::EBADF,
            "bpf_link_create(closed prog fd, fentry)",
        );
        assert_err(
            c_call(|| unsafe { bpf_raw_tracepoint_open(c"sys_enter".as_ptr(), bad) }),
            libc::EBADF,
            "bpf_raw_tracepoint_open(closed prog fd)",
        );
        Ok(())
    });
}

/// Attach types the kernel does not know are passed through and refused
/// with EINVAL (no fallback: they are not raw_tp-like).
#[test]
fn error_unknown_attach_type_is_einval() {
    run(Iso::default(), |_| {
        let prog = load_trivial(prog_type::XDP, attach::XDP, 0, XDP_PASS, "xdp_pass")?;
        for at in [200u32, 0x7fff_ffff, u32::MAX] {
            assert_err(
                link_create(prog.as_raw_fd(), 1, at, None),
                libc::EINVAL,
                &format!("attach_type {at}"),
            );
            assert_err(
                link_create(prog.as_raw_fd(), 0, at, None),
                libc::EINVAL,
                &format!("attach_type {at}, target 0"),
            );
        }
        // Nothing got attached to lo on the way.
        let link = assert_new_fd(
            link_create(prog.as_raw_fd(), 1, attach::XDP, None),
            "xdp link after the failures",
        );
        let id = link_info(link.as_raw_fd()).id();
        drop(link);
        assert_link_gone(id);
        Ok(())
    });
}

/// Opts with `sz` < 8, or with non-zero bytes past the last known field, are
/// EINVAL before any syscall: a call that the kernel would accept (XDP on
/// lo) or answer with EBADF (closed fd) still gets EINVAL, and no link
/// appears. Same for the other functions taking opts.
#[test]
fn error_bad_opts_size_is_einval_without_syscall() {
    run(
        Iso {
            bpffs: true,
            ..Iso::default()
        },
        |env| {
            let prog = load_trivial(prog_type::XDP, attach::XDP, 0, XDP_PASS, "xdp_pass")?;
            let bad = closed_fd();
            for sz in [0u64, 1, 4, 7] {
                let opts = [sz, 0, 0, 0, 0, 0, 0, 0, 0, 0];
                assert_err(
                    link_create_raw_opts(prog.as_raw_fd(), 1, attach::XDP, &opts),
                    libc::EINVAL,
                    &format!("bpf_link_create(xdp on lo, opts sz {sz})"),
                );
                assert_err(
                    link_create_raw_opts(bad, 1, attach::XDP, &opts),
                    libc::EINVAL,
                    &format!("bpf_link_create(closed fd, opts sz {sz})"),
                );
            }
            // 88-byte opts (newer libbpf) with a non-zero byte past uprobe_multi.pid.
            let mut big = [0u64; 11];
            big[0] = 88;
            big[10] = 1;
            assert_err(
                link_create_raw_opts(prog.as_raw_fd(), 1, attach::XDP, &big),
                libc::EINVAL,
                "bpf_link_create(opts with non-zero unknown tail)",
            );
            // A set field that the XDP (default) branch does not use.
            let mut o = lc_opts();
            o.u.tracing.cookie = 1;
            assert_err(
                link_create(prog.as_raw_fd(), 1, attach::XDP, Some(&o)),
                libc::EINVAL,
                "xdp with a tracing cookie",
            );
            // Zero tail past our struct is fine.
            big[10] = 0;
            let link = assert_new_fd(
                link_create_raw_opts(prog.as_raw_fd(), 1, attach::XDP, &big),
                "bpf_link_create(88-byte zero opts) — and no earlier call attached anything",
            );
            let id = link_info(link.as_raw_fd()).id();

            // The other opts-taking functions.
            let small = [4u64, 0, 0];
            assert_err(
                c_call(|| unsafe {
                    bpf_link_update(link.as_raw_fd(), prog.as_raw_fd(), small.as_ptr().cast())
                }),
                libc::EINVAL,
                "bpf_link_update(opts sz 4)",
            );
            assert_err(
                c_call(|| unsafe { bpf_link_get_fd_by_id_opts(id, small.as_ptr().cast()) }),
                libc::EINVAL,
                "bpf_link_get_fd_by_id_opts(existing id, opts sz 4)",
            );
            let mut raw_small = [4u64, 0, 0];
            assert_err(
                c_call(|| unsafe {
                    bpf_raw_tracepoint_open_opts(bad, raw_small.as_mut_ptr().cast())
                }),
                libc::EINVAL,
                "bpf_raw_tracepoint_open_opts(closed fd, opts sz 4)",
            );
            let path = env.pin_path("never");
            assert_err(
                c_call(|| unsafe {
                    bpf_obj_pin_opts(link.as_raw_fd(), path.as_ptr(), small.as_ptr().cast())
                }),
                libc::EINVAL,
                "bpf_obj_pin_opts(opts sz 4)",
            );
            assert!(
                !std::path::Path::new(path.to_str().unwrap()).exists(),
                "pin happened despite bad opts"
            );
            assert_ok0(obj_pin(link.as_raw_fd(), &path), "bpf_obj_pin");
            assert_err(
                c_call(|| unsafe { bpf_obj_get_opts(path.as_ptr(), small.as_ptr().cast()) }),
                libc::EINVAL,
                "bpf_obj_get_opts(pinned path, opts sz 4)",
            );
            std::fs::remove_file(path.to_str().unwrap()).unwrap();
            drop(link);
            assert_link_gone(id);
            Ok(())
        },
    );
}

/// The `BPF_RAW_TRACEPOINT_OPEN` fallback on the real kernel.
///
/// * SOCKET_FILTER prog + TRACE_FENTRY, NULL opts: LINK_CREATE says EINVAL,
///   the fallback RAW_TRACEPOINT_OPEN(NULL) says EINVAL too → -EINVAL.
/// * RAW_TRACEPOINT prog + TRACE_RAW_TP: LINK_CREATE is EINVAL (no name
///   field), the fallback with name NULL fails differently; bpflink must
///   return the fallback's error — which proves the fallback ran — for NULL
///   and all-zero opts, and the original EINVAL when the fallback is not
///   allowed (a cookie, flags, or a target fd).
#[test]
fn error_raw_tp_fallback_paths() {
    run(Iso::default(), |_| {
        let sf = load_trivial(prog_type::SOCKET_FILTER, 0, 0, 0, "sockfilter")?;
        assert_eq!(
            raw_link_create(sf.as_raw_fd(), 0, attach::TRACE_FENTRY),
            Err(libc::EINVAL)
        );
        assert_eq!(raw_tp_open(None, sf.as_raw_fd()), Err(libc::EINVAL));
        assert_err(
            link_create(sf.as_raw_fd(), 0, attach::TRACE_FENTRY, None),
            libc::EINVAL,
            "socket filter as fentry",
        );

        let rtp = load_trivial(prog_type::RAW_TRACEPOINT, 0, 0, 0, "rawtp")?;
        assert_eq!(
            raw_link_create(rtp.as_raw_fd(), 0, attach::TRACE_RAW_TP),
            Err(libc::EINVAL),
            "kernel: LINK_CREATE(TRACE_RAW_TP) for a RAW_TRACEPOINT prog"
        );
        let fallback_err = match raw_tp_open(None, rtp.as_raw_fd()) {
            Ok(fd) => panic!(
                "kernel: RAW_TRACEPOINT_OPEN(name NULL) of a raw_tp prog succeeded (fd {fd})"
            ),
            Err(e) => e,
        };
        println!(
            "kernel: RAW_TRACEPOINT_OPEN(name NULL) of a raw_tp prog -> {} ({fallback_err})",
            errname(fallback_err)
        );
        assert_ne!(
            fallback_err,
            libc::EINVAL,
            "cannot tell the fallback apart on this kernel"
        );
        assert_err(
            link_create(rtp.as_raw_fd(), 0, attach::TRACE_RAW_TP, None),
            fallback_err,
            "raw_tp via bpf_link_create, NULL opts (fallback's error)",
        );
        let zero = lc_opts();
        assert_err(
            link_create(rtp.as_raw_fd(), 0, attach::TRACE_RAW_TP, Some(&zero)),
            fallback_err,
            "raw_tp via bpf_link_create, zeroed opts (fallback's error)",
        );
        let mut cookie = lc_opts();
        cookie.u.tracing.cookie = 7;
        assert_err(
            link_create(rtp.as_raw_fd(), 0, attach::TRACE_RAW_TP, Some(&cookie)),
            libc::EINVAL,
            "raw_tp via bpf_link_create with a cookie: no fallback",
        );
        let mut flags = lc_opts();
        flags.flags = 1;
        assert_err(
            link_create(rtp.as_raw_fd(), 0, attach::TRACE_RAW_TP, Some(&flags)),
            libc::EINVAL,
            "raw_tp via bpf_link_create with flags: no fallback",
        );
        assert_err(
            link_create(rtp.as_raw_fd(), sf.as_raw_fd(), attach::TRACE_RAW_TP, None),
            libc::EINVAL,
            "raw_tp via bpf_link_create with a target fd: no fallback",
        );
        Ok(())
    });
}

/// Raw `BPF_LINK_CREATE` with just prog/target/attach type (what the kernel
/// itself answers, for comparison).
fn raw_link_create(prog: RawFd, target: RawFd, attach_type: u32) -> Result<RawFd, c_int> {
    let mut a = [0u8; 64];
    a[0..4].copy_from_slice(&(prog as u32).to_ne_bytes());
    a[4..8].copy_from_slice(&(target as u32).to_ne_bytes());
    a[8..12].copy_from_slice(&attach_type.to_ne_bytes());
    sys_bpf(cmd::LINK_CREATE, &mut a).map(|fd| {
        let fd = fd as RawFd;
        unsafe { libc::close(fd) };
        fd
    })
}

/// Raw `BPF_RAW_TRACEPOINT_OPEN` (16-byte attr, as libbpf's fallback).
fn raw_tp_open(name: Option<&CStr>, prog: RawFd) -> Result<RawFd, c_int> {
    let mut a = [0u8; 16];
    let p = name.map_or(0u64, |n| n.as_ptr() as u64);
    a[0..8].copy_from_slice(&p.to_ne_bytes());
    a[8..12].copy_from_slice(&(prog as u32).to_ne_bytes());
    sys_bpf(cmd::RAW_TRACEPOINT_OPEN, &mut a).map(|fd| {
        let fd = fd as RawFd;
        unsafe { libc::close(fd) };
        fd
    })
}

// ====================================================================
// (5) raw tracepoints and tp_btf
// ====================================================================

/// A RAW_TRACEPOINT program on `sys_enter` by name: link type 1 with
/// tp_name, it runs, the opts variant (name + cookie) works, an unknown
/// name is ENOENT.
#[test]
fn raw_tracepoint_open_by_name() {
    run(Iso::default(), |_| {
        let counter = Counter::new()?;
        let insns = counter_insns(counter.raw(), 0);
        let prog = must_load(ProgSpec {
            prog_type: prog_type::RAW_TRACEPOINT,
            expected_attach_type: 0,
            attach_btf_id: 0,
            insns: &insns,
            name: "rawtp_cnt",
        })?;
        let pid = prog_id(&prog);
        let tp = c"sys_enter";

        let link = assert_new_fd(
            c_call(|| unsafe { bpf_raw_tracepoint_open(tp.as_ptr(), prog.as_raw_fd()) }),
            "bpf_raw_tracepoint_open(sys_enter)",
        );
        let mut name = [0u8; 32];
        let mut info = LinkInfo::new();
        info.set_buf(16, 24, &mut name);
        link_info_into(link.as_raw_fd(), &mut info);
        assert_eq!(info.link_type(), link_type::RAW_TRACEPOINT, "link type");
        assert_eq!(info.prog_id(), pid, "prog_id");
        assert_eq!(cstr_of(&name), "sys_enter", "tp_name");
        let id = info.id();

        let before = counter.get();
        for _ in 0..3 {
            // SAFETY: getppid has no preconditions.
            unsafe { libc::getppid() };
        }
        assert!(counter.get() >= before + 3, "raw_tp program did not run");
        assert_err(
            c_call(|| bpf_link_detach(link.as_raw_fd())),
            libc::EOPNOTSUPP,
            "bpf_link_detach(raw_tp)",
        );
        drop(link);
        assert_link_gone(id);

        let mut o = bpf_raw_tp_opts {
            sz: size_of::<bpf_raw_tp_opts>(),
            tp_name: tp.as_ptr(),
            cookie: 42,
        };
        let link = assert_new_fd(
            c_call(|| unsafe { bpf_raw_tracepoint_open_opts(prog.as_raw_fd(), &mut o) }),
            "bpf_raw_tracepoint_open_opts(sys_enter, cookie 42)",
        );
        let id = link_info(link.as_raw_fd()).id();
        drop(link);
        assert_link_gone(id);

        assert_err(
            c_call(|| unsafe {
                bpf_raw_tracepoint_open(c"bpflink_no_such_tp".as_ptr(), prog.as_raw_fd())
            }),
            libc::ENOENT,
            "bpf_raw_tracepoint_open(unknown name)",
        );
        assert_err(
            c_call(|| unsafe { bpf_raw_tracepoint_open(null::<c_char>(), prog.as_raw_fd()) }),
            raw_tp_open(None, prog.as_raw_fd()).expect_err("kernel accepted name NULL"),
            "bpf_raw_tracepoint_open(NULL) of a raw_tp prog",
        );
        Ok(())
    });
}

/// A BTF-typed raw tracepoint (TRACING + TRACE_RAW_TP on
/// `btf_trace_sys_enter`) attaches with `bpf_link_create` directly (no
/// fallback needed), with and without a cookie, and with
/// `bpf_raw_tracepoint_open(_opts)` and a NULL name; it runs.
#[test]
fn tp_btf_link_create_and_raw_tracepoint_open() {
    run(Iso::default(), |_| {
        let btf_id = btf_find(btf_kind::TYPEDEF, "btf_trace_sys_enter")?;
        let counter = Counter::new()?;
        let insns = counter_insns(counter.raw(), 0);
        let prog = must_load(ProgSpec {
            prog_type: prog_type::TRACING,
            expected_attach_type: attach::TRACE_RAW_TP,
            attach_btf_id: btf_id,
            insns: &insns,
            name: "tp_btf_cnt",
        })?;
        let pid = prog_id(&prog);

        let mut cookie = lc_opts();
        cookie.u.tracing.cookie = 0xc00c1e;
        let attempts: [(&str, Box<CCall<'_>>); 4] = [
            (
                "bpf_link_create(tp_btf, NULL opts)",
                Box::new(|| link_create(prog.as_raw_fd(), 0, attach::TRACE_RAW_TP, None)),
            ),
            (
                "bpf_link_create(tp_btf, cookie)",
                Box::new(|| link_create(prog.as_raw_fd(), 0, attach::TRACE_RAW_TP, Some(&cookie))),
            ),
            (
                "bpf_raw_tracepoint_open(NULL, tp_btf)",
                Box::new(|| {
                    c_call(|| unsafe { bpf_raw_tracepoint_open(null(), prog.as_raw_fd()) })
                }),
            ),
            (
                "bpf_raw_tracepoint_open_opts(tp_btf, NULL opts)",
                Box::new(|| {
                    c_call(|| unsafe { bpf_raw_tracepoint_open_opts(prog.as_raw_fd(), null_mut()) })
                }),
            ),
        ];
        for (what, call) in attempts.iter() {
            let link = assert_new_fd(call(), what);
            let info = link_info(link.as_raw_fd());
            assert_eq!(
                info.link_type(),
                link_type::RAW_TRACEPOINT,
                "{what}: link type"
            );
            assert_eq!(info.prog_id(), pid, "{what}: prog_id");
            let before = counter.get();
            // SAFETY: getppid has no preconditions.
            unsafe { libc::getppid() };
            assert!(counter.get() > before, "{what}: tp_btf program did not run");
            let id = info.id();
            drop(link);
            assert_link_gone(id);
        }
        Ok(())
    });
}

// ====================================================================
// (6) fd hygiene with fds 0–2 closed
// ====================================================================

/// With stdin/stdout/stderr closed (in a private fd table), the kernel hands
/// out fd 0; every fd-returning function must move it to ≥ 3 with
/// FD_CLOEXEC and close the low one.
#[test]
fn fd_hygiene_never_returns_stdio_fds() {
    run(
        Iso {
            bpffs: true,
            private_fds: true,
        },
        |env| {
            let xdp = load_trivial(prog_type::XDP, attach::XDP, 0, XDP_PASS, "xdp_pass")?;
            let rtp = load_trivial(prog_type::RAW_TRACEPOINT, 0, 0, 0, "rawtp")?;
            let iter_btf = btf_find(btf_kind::FUNC, "bpf_iter_task")?;
            let iter_insns = iter_task_insns();
            let iter = must_load(ProgSpec {
                prog_type: prog_type::TRACING,
                expected_attach_type: attach::TRACE_ITER,
                attach_btf_id: iter_btf,
                insns: &iter_insns,
                name: "iter_task",
            })?;
            let path = env.pin_path("hyg");

            for fd in 0..3 {
                // SAFETY: this thread has its own fd table (CLONE_FILES).
                unsafe { libc::close(fd) };
            }
            let low_free = || (0..3).all(|fd| !fd_is_open(fd));
            assert!(low_free());

            let link = assert_new_fd(
                link_create(xdp.as_raw_fd(), 1, attach::XDP, None),
                "bpf_link_create",
            );
            assert!(low_free(), "bpf_link_create left a low fd open");
            let id = link_info(link.as_raw_fd()).id();
            let by_id = assert_new_fd(
                c_call(|| bpf_link_get_fd_by_id(id)),
                "bpf_link_get_fd_by_id",
            );
            assert!(low_free(), "bpf_link_get_fd_by_id left a low fd open");
            assert_ok0(obj_pin(link.as_raw_fd(), &path), "bpf_obj_pin");
            let got = assert_new_fd(obj_get(&path), "bpf_obj_get");
            assert!(low_free(), "bpf_obj_get left a low fd open");
            let rt = assert_new_fd(
                c_call(|| unsafe {
                    bpf_raw_tracepoint_open(c"sys_enter".as_ptr(), rtp.as_raw_fd())
                }),
                "bpf_raw_tracepoint_open",
            );
            assert!(low_free(), "bpf_raw_tracepoint_open left a low fd open");
            let il = assert_new_fd(
                link_create(iter.as_raw_fd(), 0, attach::TRACE_ITER, None),
                "bpf_link_create(iter)",
            );
            let it = assert_new_fd(
                c_call(|| bpf_iter_create(il.as_raw_fd())),
                "bpf_iter_create",
            );
            assert!(low_free(), "bpf_iter_create left a low fd open");

            let ids = [
                id,
                link_info(rt.as_raw_fd()).id(),
                link_info(il.as_raw_fd()).id(),
            ];
            std::fs::remove_file(path.to_str().unwrap()).unwrap();
            drop((link, by_id, got, rt, it, il));
            for id in ids {
                assert_link_gone(id);
            }
            Ok(())
        },
    );
}
