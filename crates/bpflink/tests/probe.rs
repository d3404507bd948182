//! Attach by name from Rust on the real kernel: `Link::uprobe` on libc by
//! its bare name with a PID filter, a uretprobe with a cookie on a symbol of
//! this binary, `Link::uprobe_multi_pattern`, `Link::tracepoint` (tracefs
//! in a private mount namespace), a software perf event owned by the link,
//! `Link::kprobe`'s error here, the interface-name and cgroup-path
//! conveniences; dropping a link releases its perf event.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::undocumented_unsafe_blocks
)]

use std::ffi::c_int;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};

use bpflink::{CgroupAttach, Link, Op, TcxDirection, resolve_binary};
use bpflink_testkit::kernel_test_here as run;
use bpflink_testkit::*;

#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn bpflink_rs_probe_ret(x: u64) -> u64 {
    std::hint::black_box(x.wrapping_add(11))
}

#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn bpflink_rs_pinned(x: u64) -> u64 {
    std::hint::black_box(x.wrapping_add(13))
}

#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn bpflink_rs_multi_a(x: u64) -> u64 {
    std::hint::black_box(x ^ 3)
}

#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn bpflink_rs_multi_b(x: u64) -> u64 {
    std::hint::black_box(x ^ 5)
}

fn call_n(f: extern "C" fn(u64) -> u64, n: u64) {
    let f = std::hint::black_box(f);
    for i in 0..n {
        std::hint::black_box(f(i));
    }
}

fn prog(ty: u32, eat: u32, c: &Counter) -> Result<OwnedFd, Skip> {
    let insns = counter_insns(c.raw(), 0);
    must_load(ProgSpec {
        prog_type: ty,
        expected_attach_type: eat,
        attach_btf_id: 0,
        insns: &insns,
        name: "rs_probe",
    })
}

/// A forked child released by [`Child::go`].
struct Child {
    pid: i32,
    wake: OwnedFd,
}

impl Child {
    fn spawn(cpu0: bool, body: impl FnOnce()) -> Child {
        let mut p = [0 as c_int; 2];
        assert_eq!(unsafe { libc::pipe2(p.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0);
        if pid == 0 {
            unsafe {
                if cpu0 {
                    let mut set: libc::cpu_set_t = std::mem::zeroed();
                    libc::CPU_SET(0, &mut set);
                    libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &set);
                }
                let mut b = 0u8;
                libc::read(p[0], (&raw mut b).cast(), 1);
                body();
                libc::_exit(0);
            }
        }
        unsafe { libc::close(p[0]) };
        Child {
            pid,
            wake: unsafe { OwnedFd::from_raw_fd(p[1]) },
        }
    }

    fn go(self) {
        let b = 1u8;
        assert_eq!(
            unsafe { libc::write(self.wake.as_raw_fd(), (&raw const b).cast(), 1) },
            1
        );
        let mut st = 0;
        assert_eq!(unsafe { libc::waitpid(self.pid, &mut st, 0) }, self.pid);
        assert!(libc::WIFEXITED(st) && libc::WEXITSTATUS(st) == 0);
    }
}

#[test]
fn uprobe_targets_parse_like_libbpf_section_names() {
    use bpflink::parse_uprobe_target as p;
    assert_eq!(
        p("libc.so.6:malloc").unwrap(),
        ("libc.so.6".into(), Some("malloc".into()), 0)
    );
    assert_eq!(
        p("/bin/bash:readline+0x10").unwrap(),
        ("/bin/bash".into(), Some("readline".into()), 16)
    );
    assert_eq!(p("./app:0x1234").unwrap(), ("./app".into(), None, 0x1234));
    assert_eq!(p("x:f+12").unwrap().2, 12);
    assert_eq!(p("x:f+zz").unwrap(), ("x".into(), Some("f+zz".into()), 0));
    assert_eq!(
        p("libc:malloc@GLIBC_2.2.5").unwrap().1.as_deref(),
        Some("malloc@GLIBC_2.2.5")
    );
    assert!(p("nocolon").is_err() && p(":f").is_err() && p("x:").is_err());
}

/// A pinned uprobe link outlives the link object when disconnected.
#[test]
fn disconnected_pinned_uprobe_keeps_running() {
    run(|| {
        isolated(
            Iso {
                bpffs: true,
                ..Iso::default()
            },
            |env| {
                let c = Counter::new()?;
                let p = prog(prog_type::KPROBE, 0, &c)?;
                let exe = std::fs::read_link("/proc/self/exe").unwrap();
                let link = Link::uprobe(p.as_fd(), exe.to_str().unwrap(), "bpflink_rs_pinned")
                    .create()
                    .unwrap();
                let pin = env.pin_path("up");
                let pin = std::path::PathBuf::from(pin.to_str().unwrap());
                link.pin(&pin).unwrap();
                link.disconnect();
                let child = Child::spawn(false, || call_n(bpflink_rs_pinned, 3));
                child.go();
                assert_eq!(c.get(), 3, "the pinned link still runs the program");
                std::fs::remove_file(&pin).unwrap();
                Ok(())
            },
        )
    });
}

#[test]
fn bare_library_names_resolve() {
    let p = resolve_binary("libc");
    let name = p.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("libc.so."), "libc -> {}", p.display());
    assert!(p.is_absolute());
    assert_eq!(resolve_binary("c"), p, "`c` is libc too");
    assert_eq!(
        resolve_binary("libc.so.6").to_str(),
        Some("libc.so.6"),
        "libbpf's own search"
    );
    assert_eq!(resolve_binary("/bin/sh").to_str(), Some("/bin/sh"));
}

/// `Link::uprobe(prog, "libc", "getppid").pid(child)`: exactly the child's
/// calls; dropping the link closes its perf event.
#[test]
fn uprobe_libc_by_bare_name_with_pid() {
    run(|| {
        let c = Counter::new()?;
        let p = prog(prog_type::KPROBE, 0, &c)?;
        let child = Child::spawn(false, || {
            for _ in 0..5 {
                unsafe { libc::getppid() };
            }
        });
        let link = Link::uprobe(p.as_fd(), "libc", "getppid")
            .pid(child.pid)
            .create()
            .unwrap();
        let perf = link
            .perf_event_fd()
            .expect("a perf link owns its perf event")
            .as_raw_fd();
        assert!(perf >= 3);
        unsafe { libc::getppid() };
        child.go();
        assert_eq!(c.get(), 5);
        drop(link);
        assert!(!fd_is_open(perf), "dropping the link closed the perf event");
        Ok(())
    });
}

/// A uretprobe with a cookie and an offset 0 on a symbol of this binary.
#[test]
fn uretprobe_on_own_symbol() {
    run(|| {
        let c = Counter::new()?;
        let p = prog(prog_type::KPROBE, 0, &c)?;
        let exe = std::fs::read_link("/proc/self/exe").unwrap();
        let link = Link::uprobe(p.as_fd(), exe.to_str().unwrap(), "bpflink_rs_probe_ret")
            .retprobe()
            .cookie(42)
            .create()
            .unwrap();
        let child = Child::spawn(false, || call_n(bpflink_rs_probe_ret, 3));
        child.go();
        assert_eq!(c.get(), 3);
        drop(link);
        let e = Link::uprobe(
            p.as_fd(),
            exe.to_str().unwrap(),
            "bpflink_rs_no_such_function",
        )
        .create()
        .unwrap_err();
        assert_eq!(e.errno(), libc::ENOENT);
        assert_eq!(e.op(), Op::Attach("uprobe"));
        assert!(
            e.explanation()
                .contains("no function 'bpflink_rs_no_such_function'"),
            "{e}"
        );
        let e = Link::uprobe(p.as_fd(), "libdoesnotexist", "f")
            .create()
            .unwrap_err();
        assert_eq!(e.errno(), libc::ENOENT, "{e}");
        Ok(())
    });
}

/// `Link::uprobe_multi_pattern` on this binary; a pattern matching nothing
/// is ENOENT.
#[test]
fn uprobe_multi_pattern_from_rust() {
    run(|| {
        let c = Counter::new()?;
        let p = prog(prog_type::KPROBE, attach::TRACE_UPROBE_MULTI, &c)?;
        let exe = std::fs::read_link("/proc/self/exe").unwrap();
        let exe = exe.to_str().unwrap();
        let link = Link::uprobe_multi_pattern(p.as_fd(), exe, "bpflink_rs_multi_?")
            .create()
            .unwrap();
        let child = Child::spawn(false, || {
            call_n(bpflink_rs_multi_a, 2);
            call_n(bpflink_rs_multi_b, 4);
        });
        child.go();
        assert_eq!(c.get(), 6);
        drop(link);
        let link = Link::uprobe_multi_symbols(p.as_fd(), exe, &["bpflink_rs_multi_b"])
            .create()
            .unwrap();
        drop(link);
        let e = Link::uprobe_multi_pattern(p.as_fd(), exe, "nothing_matches_*")
            .create()
            .unwrap_err();
        assert_eq!(e.errno(), libc::ENOENT);
        Ok(())
    });
}

/// `Link::tracepoint` with tracefs mounted in a private mount namespace.
#[test]
fn tracepoint_from_rust() {
    run(|| {
        isolated(Iso::default(), |_env| {
            let c = Counter::new()?;
            let p = prog(prog_type::TRACEPOINT, 0, &c)?;
            let e = Link::tracepoint(p.as_fd(), "syscalls", "sys_enter_getppid")
                .create()
                .unwrap_err();
            assert_eq!(e.errno(), libc::ENOENT);
            assert!(e.explanation().contains("tracefs"), "{e}");
            let r = unsafe {
                libc::mount(
                    c"tracefs".as_ptr(),
                    c"/sys/kernel/tracing".as_ptr(),
                    c"tracefs".as_ptr(),
                    0,
                    std::ptr::null(),
                )
            };
            if r != 0 {
                return Err(Skip("mount tracefs".into()));
            }
            let link = Link::tracepoint(p.as_fd(), "syscalls", "sys_enter_getppid")
                .cookie(1)
                .create()
                .unwrap();
            let child = Child::spawn(true, || {
                for _ in 0..4 {
                    unsafe { libc::getppid() };
                }
            });
            child.go();
            assert!(c.get() >= 4, "the child's calls on CPU 0 are seen");
            drop(link);
            unsafe { libc::umount2(c"/sys/kernel/tracing".as_ptr(), libc::MNT_DETACH) };
            Ok(())
        })
    });
}

/// A software perf event handed over to the link.
#[test]
fn perf_event_owned_by_link() {
    run(|| {
        let c = Counter::new()?;
        let p = prog(prog_type::PERF_EVENT, 0, &c)?;
        let mut a = [0u64; 18];
        a[0] = 1 | (144u64 << 32);
        a[2] = 100_000;
        a[5] = 1;
        let fd = unsafe { libc::syscall(libc::SYS_perf_event_open, a.as_ptr(), 0, -1, -1, 8) };
        assert!(fd >= 0);
        let raw = fd as c_int;
        let link =
            Link::perf_event_owned(p.as_fd(), unsafe { OwnedFd::from_raw_fd(raw) }, 0).unwrap();
        let t = std::time::Instant::now();
        while c.get() == 0 && t.elapsed().as_secs() < 5 {
            std::hint::black_box((0..10_000u64).sum::<u64>());
        }
        assert!(c.get() > 0);
        drop(link);
        assert!(!fd_is_open(raw));
        Ok(())
    });
}

/// This kernel has no kprobes: the error says so.
#[test]
fn kprobe_error_here() {
    run(|| {
        if std::path::Path::new("/sys/bus/event_source/devices/kprobe").exists() {
            return Err(Skip("this kernel has a kprobe PMU".into()));
        }
        let c = Counter::new()?;
        let p = prog(prog_type::KPROBE, 0, &c)?;
        let e = Link::kprobe(p.as_fd(), "do_sys_openat2")
            .create()
            .unwrap_err();
        assert_eq!(e.errno(), libc::ENOENT, "{e}");
        assert_eq!(e.op(), Op::Attach("kprobe"));
        Ok(())
    });
}

/// XDP and tcx by interface name, cgroup by path.
#[test]
fn by_name_and_path_conveniences() {
    run(|| {
        isolated(Iso::default(), |_env| {
            let xdp = load_trivial(prog_type::XDP, 0, 0, 2, "xdp_name")?;
            let link = Link::xdp_by_name(xdp.as_fd(), "lo")
                .unwrap()
                .create()
                .unwrap();
            drop(link);
            assert_eq!(
                Link::xdp_by_name(xdp.as_fd(), "nope0").unwrap_err().op(),
                Op::Interface
            );
            let tc = load_trivial(prog_type::SCHED_CLS, attach::TCX_INGRESS, 0, 0, "tcx_name")?;
            let link = Link::tcx_by_name(tc.as_fd(), "lo", TcxDirection::Ingress)
                .unwrap()
                .create()
                .unwrap();
            drop(link);
            Ok(())
        })?;
        let cg = Cgroup::new()?;
        let skb = load_trivial(prog_type::CGROUP_SKB, 0, 0, 1, "cg_path")?;
        let link = Link::cgroup_by_path(skb.as_fd(), &cg.path, CgroupAttach::InetIngress).unwrap();
        drop(link);
        let e = Link::cgroup_by_path(
            skb.as_fd(),
            "/nonexistent/cgroup",
            CgroupAttach::InetIngress,
        )
        .unwrap_err();
        assert_eq!(e.errno(), libc::ENOENT);
        Ok(())
    });
}
