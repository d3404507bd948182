//! The attach-by-name C functions (`bpflink_attach_*`, node `BPFLINK_0.1`)
//! on the real kernel, called exactly as C calls them: uprobes and
//! uretprobes on a libc function (PID filter) and on symbols of this test
//! binary, each counted in a child; uprobe_multi by pattern; a tracepoint by
//! name (tracefs in a private mount namespace); a software perf event;
//! kprobe/kprobe_multi, which this kernel lacks, with their exact errors;
//! bad input (NULL names, missing binaries, unknown symbols, non-ELF,
//! truncated and corrupt ELF files, patterns matching nothing) with clear
//! errors and nothing left behind (no fd, no tracefs event).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::undocumented_unsafe_blocks,
    clippy::missing_safety_doc
)]

mod common;

use std::ffi::{CStr, CString, c_int};
use std::os::fd::{AsRawFd, OwnedFd};
use std::ptr::{null, null_mut};

use bpflink_core::abi::{bpf_perf_event_opts, bpf_uprobe_multi_opts, bpf_uprobe_opts};
use bpflink_core::link_object::{bpf_link, bpf_link_perf};
use bpflink_testkit::kernel_test_here as run;
use common::*;
use libbpflink::attach::*;
use libbpflink::object::{bpf_link__destroy, bpf_link__fd};

/// `-LIBBPF_ERRNO__FORMAT`.
const ERRNO_FORMAT: c_int = 4001;

// ------------------------------------------------------------- targets

/// Probe targets in this test binary, one set per test (tests run in
/// parallel threads and must not count each other's calls).
macro_rules! targets {
    ($($name:ident),*) => {$(
        #[unsafe(no_mangle)]
        #[inline(never)]
        pub extern "C" fn $name(x: u64) -> u64 {
            std::hint::black_box(x.wrapping_mul(7).wrapping_add(3))
        }
    )*};
}
targets!(
    bpflink_attach_t_uprobe,
    bpflink_attach_t_uretprobe,
    bpflink_attach_t_multi_one,
    bpflink_attach_t_multi_two,
    bpflink_attach_t_pid
);

fn call_n(f: extern "C" fn(u64) -> u64, n: u64) {
    let f = std::hint::black_box(f);
    for i in 0..n {
        std::hint::black_box(f(i));
    }
}

fn self_exe() -> CString {
    let p = std::fs::read_link("/proc/self/exe").unwrap();
    CString::new(p.into_os_string().into_encoded_bytes()).unwrap()
}

// ------------------------------------------------------------- helpers

fn open_fds() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A counting program (`(*counter)++; return 0`) of `prog_type`.
fn counting_prog(prog_type: u32, eat: u32, c: &Counter, name: &str) -> Result<OwnedFd, Skip> {
    let insns = counter_insns(c.raw(), 0);
    must_load(ProgSpec {
        prog_type,
        expected_attach_type: eat,
        attach_btf_id: 0,
        insns: &insns,
        name,
    })
}

/// A tracepoint program counting only the calls of process `tgid`.
fn tgid_counting_prog(c: &Counter, tgid: i32) -> Result<OwnedFd, Skip> {
    use asm::*;
    let mut insns = vec![
        call(14), // bpf_get_current_pid_tgid
        Insn {
            code: 0x77, // r0 >>= 32
            regs: R0,
            off: 0,
            imm: 32,
        },
        Insn {
            code: 0x55, // if r0 != tgid goto +9 (to "r0 = 0; exit")
            regs: R0,
            off: 9,
            imm: tgid,
        },
    ];
    insns.extend(counter_insns(c.raw(), 0));
    must_load(ProgSpec {
        prog_type: prog_type::TRACEPOINT,
        expected_attach_type: 0,
        attach_btf_id: 0,
        insns: &insns,
        name: "tp_tgid",
    })
}

/// A forked child that waits for a byte on a pipe, then runs `body` and
/// exits; [`Child::go`] releases it and waits for it.
struct Child {
    pid: libc::pid_t,
    wake: OwnedFd,
}

impl Child {
    fn spawn(cpu0: bool, body: impl FnOnce()) -> Child {
        let mut p = [0 as c_int; 2];
        assert_eq!(unsafe { libc::pipe2(p.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork");
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
            wake: own(p[1], "pipe"),
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
        assert!(
            libc::WIFEXITED(st) && libc::WEXITSTATUS(st) == 0,
            "child status {st:#x}"
        );
    }
}

/// errno as the C caller sees it after a NULL return.
fn null_errno(link: *mut bpf_link, what: &str) -> c_int {
    let e = errno();
    assert!(link.is_null(), "{what}: expected NULL");
    e
}

fn destroy(link: *mut bpf_link, what: &str) {
    let r = unsafe { bpf_link__destroy(link) };
    assert_eq!(r, 0, "{what}: bpf_link__destroy: {}", errname(errno()));
}

fn uprobe_opts(func: Option<&CStr>, retprobe: bool) -> bpf_uprobe_opts {
    let mut o: bpf_uprobe_opts = unsafe { std::mem::zeroed() };
    o.sz = size_of::<bpf_uprobe_opts>();
    o.func_name = func.map_or(null(), CStr::as_ptr);
    o.retprobe = retprobe;
    o
}

// ------------------------------------------------------------- uprobes

/// A uprobe and a uretprobe on libc's `getppid`, filtered on a child's pid,
/// by library name ("libc.so.6", found like libbpf finds it): the program
/// runs exactly once per call in the child; the perf link owns its perf fd
/// (libbpf's layout) and destroy releases both.
#[test]
fn uprobe_and_uretprobe_on_libc_with_pid_filter() {
    run(|| {
        for retprobe in [false, true] {
            let before = open_fds();
            let c = Counter::new()?;
            let prog = counting_prog(prog_type::KPROBE, 0, &c, "up_libc")?;
            let child = Child::spawn(false, || {
                for _ in 0..7 {
                    unsafe { libc::getppid() };
                }
            });
            let o = uprobe_opts(Some(c"getppid"), retprobe);
            set_errno(0);
            let link = unsafe {
                bpflink_attach_uprobe_opts(
                    prog.as_raw_fd(),
                    child.pid,
                    c"libc.so.6".as_ptr(),
                    0,
                    &o,
                )
            };
            assert!(
                !link.is_null(),
                "attach uprobe libc.so.6:getppid: {}",
                errname(errno())
            );
            let pl = link.cast::<bpf_link_perf>();
            let (fd, pfd) = unsafe { ((*link).fd, (*pl).perf_event_fd) };
            assert_eq!(unsafe { bpf_link__fd(link) }, fd);
            assert!(
                fd >= 3 && pfd >= 3 && fd != pfd,
                "link fd {fd}, perf fd {pfd}"
            );
            assert!(is_cloexec(fd) && is_cloexec(pfd));
            assert!(
                unsafe { (*pl).legacy_probe_name }.is_null(),
                "PMU probe, no legacy name"
            );
            // Our own calls are not counted: the filter is the child's pid.
            for _ in 0..3 {
                unsafe { libc::getppid() };
            }
            child.go();
            assert_eq!(
                c.get(),
                7,
                "retprobe={retprobe}: one run per call in the child"
            );
            destroy(link, "uprobe libc");
            assert!(
                !fd_is_open(fd) && !fd_is_open(pfd),
                "destroy closes both fds"
            );
            drop(prog);
            drop(c);
            assert_eq!(open_fds(), before, "no fd left behind");
        }
        Ok(())
    });
}

/// A uprobe and a uretprobe on a symbol of this test binary, by its path,
/// for every process (pid -1): the child's calls are counted exactly; then
/// with the PID filter on the child, calls made here are not.
#[test]
fn uprobe_on_test_binary_symbol() {
    run(|| {
        let exe = self_exe();
        for (retprobe, target, name) in [
            (
                false,
                bpflink_attach_t_uprobe as extern "C" fn(u64) -> u64,
                c"bpflink_attach_t_uprobe",
            ),
            (
                true,
                bpflink_attach_t_uretprobe,
                c"bpflink_attach_t_uretprobe",
            ),
        ] {
            let c = Counter::new()?;
            let prog = counting_prog(prog_type::KPROBE, 0, &c, "up_self")?;
            let o = uprobe_opts(Some(name), retprobe);
            let link =
                unsafe { bpflink_attach_uprobe_opts(prog.as_raw_fd(), -1, exe.as_ptr(), 0, &o) };
            assert!(!link.is_null(), "attach {name:?}: {}", errname(errno()));
            let child = Child::spawn(false, move || call_n(target, 5));
            child.go();
            assert_eq!(c.get(), 5, "{name:?}: 5 calls in the child");
            destroy(link, "uprobe self");
        }
        // PID filter: only the child's calls count, not ours.
        let c = Counter::new()?;
        let prog = counting_prog(prog_type::KPROBE, 0, &c, "up_pid")?;
        let child = Child::spawn(false, || call_n(bpflink_attach_t_pid, 4));
        let o = uprobe_opts(Some(c"bpflink_attach_t_pid"), false);
        let link =
            unsafe { bpflink_attach_uprobe_opts(prog.as_raw_fd(), child.pid, exe.as_ptr(), 0, &o) };
        assert!(!link.is_null(), "attach with pid: {}", errname(errno()));
        call_n(bpflink_attach_t_pid, 9);
        child.go();
        assert_eq!(c.get(), 4, "only the child's 4 calls");
        destroy(link, "uprobe pid");
        Ok(())
    });
}

/// uprobe_multi by glob pattern on this test binary: both matching
/// functions are probed by one plain link.
#[test]
fn uprobe_multi_by_pattern() {
    run(|| {
        let exe = self_exe();
        let c = Counter::new()?;
        let prog = counting_prog(prog_type::KPROBE, attach::TRACE_UPROBE_MULTI, &c, "umulti")?;
        let link = unsafe {
            bpflink_attach_uprobe_multi(
                prog.as_raw_fd(),
                -1,
                exe.as_ptr(),
                c"bpflink_attach_t_multi_*".as_ptr(),
                null(),
            )
        };
        assert!(
            !link.is_null(),
            "uprobe_multi by pattern: {}",
            errname(errno())
        );
        let child = Child::spawn(false, || {
            call_n(bpflink_attach_t_multi_one, 2);
            call_n(bpflink_attach_t_multi_two, 3);
        });
        child.go();
        assert_eq!(c.get(), 5, "both functions probed");
        let info = link_info(unsafe { (*link).fd });
        assert_eq!(info.link_type(), 12, "a uprobe_multi link");
        destroy(link, "uprobe_multi");

        // By explicit symbol names.
        let c2 = Counter::new()?;
        let prog2 = counting_prog(
            prog_type::KPROBE,
            attach::TRACE_UPROBE_MULTI,
            &c2,
            "umulti2",
        )?;
        let syms = [c"bpflink_attach_t_multi_two".as_ptr()];
        let mut o: bpf_uprobe_multi_opts = unsafe { std::mem::zeroed() };
        o.sz = size_of::<bpf_uprobe_multi_opts>();
        o.syms = syms.as_ptr();
        o.cnt = 1;
        let link =
            unsafe { bpflink_attach_uprobe_multi(prog2.as_raw_fd(), -1, exe.as_ptr(), null(), &o) };
        assert!(
            !link.is_null(),
            "uprobe_multi by symbols: {}",
            errname(errno())
        );
        let child = Child::spawn(false, || {
            call_n(bpflink_attach_t_multi_one, 2);
            call_n(bpflink_attach_t_multi_two, 3);
        });
        child.go();
        assert_eq!(c2.get(), 3, "only the named function");
        destroy(link, "uprobe_multi syms");

        // A pattern that matches nothing: ENOENT, nothing left.
        let before = open_fds();
        let link = unsafe {
            bpflink_attach_uprobe_multi(
                prog.as_raw_fd(),
                -1,
                exe.as_ptr(),
                c"no_such_function_*".as_ptr(),
                null(),
            )
        };
        assert_eq!(null_errno(link, "pattern matching nothing"), libc::ENOENT);
        assert_eq!(open_fds(), before);
        Ok(())
    });
}

// --------------------------------------------------------- tracepoints

fn mount_tracefs() -> Result<(), Skip> {
    let r = unsafe {
        libc::mount(
            c"tracefs".as_ptr(),
            c"/sys/kernel/tracing".as_ptr(),
            c"tracefs".as_ptr(),
            0,
            null(),
        )
    };
    if r != 0 {
        return Err(Skip(format!("mount tracefs: {}", errname(errno()))));
    }
    Ok(())
}

/// A tracepoint by name (`syscalls/sys_enter_getppid`) with tracefs mounted
/// in a private mount namespace: the child (on CPU 0, where libbpf opens
/// tracepoint events) is counted exactly; an unknown tracepoint and NULL
/// names fail cleanly.
#[test]
fn tracepoint_by_name() {
    run(|| {
        isolated(Iso::default(), |_env| {
            let before = open_fds();
            // Without tracefs: the id file is missing.
            let link = unsafe {
                bpflink_attach_tracepoint_opts(
                    3,
                    c"syscalls".as_ptr(),
                    c"sys_enter_getppid".as_ptr(),
                    null(),
                )
            };
            let e = null_errno(link, "tracepoint without tracefs");
            assert_eq!(e, libc::ENOENT, "{}", errname(e));
            mount_tracefs()?;
            let c = Counter::new()?;
            let child = Child::spawn(true, || {
                for _ in 0..6 {
                    unsafe { libc::getppid() };
                }
            });
            let prog = tgid_counting_prog(&c, child.pid)?;
            let link = unsafe {
                bpflink_attach_tracepoint_opts(
                    prog.as_raw_fd(),
                    c"syscalls".as_ptr(),
                    c"sys_enter_getppid".as_ptr(),
                    null(),
                )
            };
            assert!(!link.is_null(), "attach tracepoint: {}", errname(errno()));
            child.go();
            assert_eq!(c.get(), 6, "six getppid() in the child");
            destroy(link, "tracepoint");
            for (cat, name, want) in [
                (
                    c"syscalls".as_ptr(),
                    c"no_such_tracepoint".as_ptr(),
                    libc::ENOENT,
                ),
                (null(), c"x".as_ptr(), libc::ENOENT),
                (c"syscalls".as_ptr(), null(), libc::ENOENT),
            ] {
                let link =
                    unsafe { bpflink_attach_tracepoint_opts(prog.as_raw_fd(), cat, name, null()) };
                assert_eq!(null_errno(link, "bad tracepoint"), want);
            }
            drop(prog);
            drop(c);
            unsafe { libc::umount2(c"/sys/kernel/tracing".as_ptr(), libc::MNT_DETACH) };
            assert_eq!(open_fds(), before, "no fd left behind");
            Ok(())
        })
    });
}

// ----------------------------------------------------------- perf events

/// A software perf event (SW_CPU_CLOCK on this thread): attached with a
/// perf link and enabled; the program runs while we spin; destroy closes
/// the perf fd. With `force_ioctl_attach` it is attached with
/// PERF_EVENT_IOC_SET_BPF (the link fd is then the perf fd), and a cookie
/// is refused there.
#[test]
fn software_perf_event() {
    run(|| {
        for force_ioctl in [false, true] {
            let c = Counter::new()?;
            let prog = counting_prog(prog_type::PERF_EVENT, 0, &c, "perf_sw")?;
            let mut a = [0u64; 18];
            a[0] = 1 | (144u64 << 32); // PERF_TYPE_SOFTWARE, size 144
            a[1] = 0; // PERF_COUNT_SW_CPU_CLOCK
            a[2] = 100_000; // sample_period (ns)
            a[5] = 1; // disabled: bpflink enables it
            let pfd = unsafe { libc::syscall(libc::SYS_perf_event_open, a.as_ptr(), 0, -1, -1, 8) };
            assert!(pfd >= 0, "perf_event_open: {}", errname(errno()));
            let pfd = pfd as c_int;
            let mut o: bpf_perf_event_opts = unsafe { std::mem::zeroed() };
            o.sz = size_of::<bpf_perf_event_opts>();
            o.force_ioctl_attach = force_ioctl;
            if force_ioctl {
                o.bpf_cookie = 5;
                let link = unsafe { bpflink_attach_perf_event_opts(prog.as_raw_fd(), pfd, &o) };
                assert_eq!(
                    null_errno(link, "cookie with ioctl attach"),
                    libc::EOPNOTSUPP
                );
                assert!(fd_is_open(pfd), "the perf fd stays the caller's on failure");
                o.bpf_cookie = 0;
            }
            let link = unsafe { bpflink_attach_perf_event_opts(prog.as_raw_fd(), pfd, &o) };
            assert!(!link.is_null(), "attach perf event: {}", errname(errno()));
            let lfd = unsafe { (*link).fd };
            if force_ioctl {
                assert_eq!(lfd, pfd, "ioctl attach: the link fd is the perf fd");
            } else {
                assert_ne!(lfd, pfd);
                assert_eq!(link_info(lfd).link_type(), 7, "a perf_event link");
            }
            let start = std::time::Instant::now();
            while c.get() == 0 && start.elapsed().as_secs() < 5 {
                std::hint::black_box((0..10_000u64).sum::<u64>());
            }
            assert!(c.get() > 0, "the program ran");
            destroy(link, "perf event");
            assert!(
                !fd_is_open(pfd) && !fd_is_open(lfd),
                "destroy closed the perf fd"
            );
        }
        // An invalid perf fd.
        let link = unsafe { bpflink_attach_perf_event_opts(3, -1, null()) };
        assert_eq!(null_errno(link, "pfd -1"), libc::EINVAL);
        Ok(())
    });
}

// ------------------------------------------------------------- kprobes

/// This kernel has no kprobe PMU, no `kprobe_events` and no fprobe: a
/// kprobe falls back to a legacy tracefs probe, whose `kprobe_events` file
/// is missing (with and without tracefs: ENOENT); forcing the PMU or a
/// link is EOPNOTSUPP; kprobe_multi is refused by the kernel (EOPNOTSUPP).
/// Nothing is left behind.
#[test]
fn kprobe_and_kprobe_multi_exact_errors_here() {
    run(|| {
        if std::path::Path::new("/sys/bus/event_source/devices/kprobe").exists() {
            return Err(Skip(
                "this kernel has a kprobe PMU: the errors differ".into(),
            ));
        }
        let c = Counter::new()?;
        let prog = counting_prog(prog_type::KPROBE, 0, &c, "kp")?;
        isolated(Iso::default(), |_env| {
            let before = open_fds();
            let link = unsafe {
                bpflink_attach_kprobe_opts(prog.as_raw_fd(), c"do_sys_openat2".as_ptr(), null())
            };
            assert_eq!(null_errno(link, "kprobe, no tracefs"), libc::ENOENT);
            mount_tracefs()?;
            let link = unsafe {
                bpflink_attach_kprobe_opts(prog.as_raw_fd(), c"do_sys_openat2".as_ptr(), null())
            };
            assert_eq!(
                null_errno(link, "kprobe, tracefs without kprobe_events"),
                libc::ENOENT
            );
            let mut o: bpflink_core::abi::bpf_kprobe_opts = unsafe { std::mem::zeroed() };
            o.sz = size_of_val(&o);
            for mode in [2u32, 3] {
                o.attach_mode = mode;
                let link = unsafe {
                    bpflink_attach_kprobe_opts(prog.as_raw_fd(), c"do_sys_openat2".as_ptr(), &o)
                };
                assert_eq!(null_errno(link, "attach_mode perf/link"), libc::EOPNOTSUPP);
            }
            o.attach_mode = 9;
            let link = unsafe {
                bpflink_attach_kprobe_opts(prog.as_raw_fd(), c"do_sys_openat2".as_ptr(), &o)
            };
            assert_eq!(null_errno(link, "attach_mode 9"), libc::EINVAL);
            let events = std::fs::read_dir("/sys/kernel/tracing/events")
                .map(|d| {
                    d.filter_map(|e| e.ok())
                        .filter(|e| e.file_name().to_string_lossy().starts_with("kprobes"))
                        .count()
                })
                .unwrap_or(0);
            assert_eq!(events, 0, "no legacy kprobe event left");
            unsafe { libc::umount2(c"/sys/kernel/tracing".as_ptr(), libc::MNT_DETACH) };
            assert_eq!(open_fds(), before, "no fd left behind");
            Ok(())
        })?;
        // kprobe_multi: an exact name goes to the kernel, which has no fprobe.
        let c = Counter::new()?;
        let mprog = counting_prog(prog_type::KPROBE, attach::TRACE_KPROBE_MULTI, &c, "kmulti")?;
        let before = open_fds();
        let link = unsafe {
            bpflink_attach_kprobe_multi_opts(mprog.as_raw_fd(), c"do_sys_openat2".as_ptr(), null())
        };
        assert_eq!(null_errno(link, "kprobe_multi"), libc::EOPNOTSUPP);
        // A wildcard needs tracefs's function lists (not there): ENOENT.
        let link = unsafe {
            bpflink_attach_kprobe_multi_opts(mprog.as_raw_fd(), c"do_sys_*".as_ptr(), null())
        };
        assert_eq!(null_errno(link, "kprobe_multi pattern"), libc::ENOENT);
        let link = unsafe { bpflink_attach_kprobe_multi_opts(mprog.as_raw_fd(), null(), null()) };
        assert_eq!(null_errno(link, "kprobe_multi nothing"), libc::EINVAL);
        assert_eq!(open_fds(), before, "no fd left behind");
        Ok(())
    });
}

// ------------------------------------------------------------ bad input

/// Bad input to the uprobe resolver: each gets a clear errno (libbpf's)
/// and leaves no fd behind.
#[test]
fn uprobe_bad_input() {
    run(|| {
        let c = Counter::new()?;
        let prog = counting_prog(prog_type::KPROBE, 0, &c, "up_bad")?;
        let dir = std::env::temp_dir().join(format!("bpflink-attach-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = dir.join("not-elf");
        std::fs::write(&text, b"#!/bin/sh\necho hello\n").unwrap();
        let exe_bytes = std::fs::read("/proc/self/exe").unwrap();
        let trunc = dir.join("truncated");
        std::fs::write(&trunc, &exe_bytes[..200]).unwrap();
        let mut corrupt_bytes = exe_bytes[..4096.min(exe_bytes.len())].to_vec();
        corrupt_bytes[0x28..0x30].copy_from_slice(&u64::MAX.to_le_bytes()); // e_shoff
        let corrupt = dir.join("corrupt");
        std::fs::write(&corrupt, &corrupt_bytes).unwrap();
        let empty = dir.join("empty");
        std::fs::write(&empty, b"").unwrap();
        let c_path = |p: &std::path::Path| CString::new(p.to_str().unwrap()).unwrap();
        let (text, trunc, corrupt, empty) = (
            c_path(&text),
            c_path(&trunc),
            c_path(&corrupt),
            c_path(&empty),
        );
        let d = c_path(&dir);
        let exe = self_exe();
        let cases: Vec<(&str, *const libc::c_char, Option<&CStr>, c_int)> = vec![
            ("NULL binary_path", null(), Some(c"getppid"), libc::EINVAL),
            (
                "missing binary",
                c"/nonexistent/bin".as_ptr(),
                Some(c"x"),
                libc::ENOENT,
            ),
            (
                "library not found by name",
                c"libdoesnotexist.so.9".as_ptr(),
                Some(c"x"),
                libc::ENOENT,
            ),
            (
                "program not found by name",
                c"no-such-program-bpflink".as_ptr(),
                None,
                libc::ENOENT,
            ),
            (
                "symbol not found",
                exe.as_ptr(),
                Some(c"bpflink_no_such_symbol"),
                libc::ENOENT,
            ),
            (
                "version not found",
                c"libc.so.6".as_ptr(),
                Some(c"getppid@GLIBC_9.99"),
                libc::ENOENT,
            ),
            ("non-ELF file", text.as_ptr(), Some(c"main"), ERRNO_FORMAT),
            ("empty file", empty.as_ptr(), Some(c"main"), ERRNO_FORMAT),
            ("truncated ELF", trunc.as_ptr(), Some(c"main"), ERRNO_FORMAT),
            (
                "corrupt section table",
                corrupt.as_ptr(),
                Some(c"main"),
                ERRNO_FORMAT,
            ),
            ("a directory", d.as_ptr(), Some(c"main"), ERRNO_FORMAT),
        ];
        let before = open_fds();
        for (what, path, func, want) in cases {
            let o = uprobe_opts(func, false);
            let link = unsafe { bpflink_attach_uprobe_opts(prog.as_raw_fd(), -1, path, 0, &o) };
            let e = null_errno(link, what);
            assert_eq!(e, want, "{what}: got {}", errname(e));
            assert_eq!(open_fds(), before, "{what}: no fd left behind");
        }
        // uprobe_multi: the same files, a pattern.
        for (what, path, want) in [
            ("non-ELF", text.as_ptr(), libc::EINVAL),
            ("truncated", trunc.as_ptr(), ERRNO_FORMAT),
            ("missing", c"/nonexistent/bin".as_ptr(), libc::ENOENT),
            ("NULL path", null(), libc::EINVAL),
        ] {
            let link = unsafe {
                bpflink_attach_uprobe_multi(prog.as_raw_fd(), -1, path, c"*".as_ptr(), null())
            };
            let e = null_errno(link, what);
            assert_eq!(e, want, "uprobe_multi {what}: got {}", errname(e));
            assert_eq!(open_fds(), before, "uprobe_multi {what}: no fd left behind");
        }
        // A NULL entry in syms: EINVAL (libbpf would crash).
        let syms = [null::<libc::c_char>()];
        let mut o: bpf_uprobe_multi_opts = unsafe { std::mem::zeroed() };
        o.sz = size_of::<bpf_uprobe_multi_opts>();
        o.syms = syms.as_ptr();
        o.cnt = 1;
        let link =
            unsafe { bpflink_attach_uprobe_multi(prog.as_raw_fd(), -1, exe.as_ptr(), null(), &o) };
        assert_eq!(null_errno(link, "NULL symbol name"), libc::EINVAL);
        // A garbage opts sz: EINVAL before anything else.
        let mut o = uprobe_opts(Some(c"getppid"), false);
        o.sz = 3;
        let link = unsafe { bpflink_attach_uprobe_opts(prog.as_raw_fd(), -1, exe.as_ptr(), 0, &o) };
        assert_eq!(null_errno(link, "sz 3"), libc::EINVAL);
        assert_eq!(open_fds(), before);
        std::fs::remove_dir_all(&dir).unwrap();
        let _ = null_mut::<u8>();
        Ok(())
    });
}

// ----------------------------------------------------------- prog query

/// `bpf_prog_query_opts` on a tcx hook with two links: the program and
/// link ids in attach order, the revision; too small a `count` is ENOSPC
/// with the real count written back; `bpf_prog_query` gives the program
/// ids alone.
#[test]
fn prog_query_on_tcx() {
    use bpflink_core::abi::bpf_prog_query_opts;
    use libbpflink::bpf::{bpf_link_create, bpf_prog_query, bpf_prog_query_opts};
    run(|| {
        isolated(Iso::default(), |_env| {
            let p1 = load_trivial(3, 46, 0, 0, "q1")?;
            let p2 = load_trivial(3, 46, 0, 0, "q2")?;
            let lo = 1;
            let l1 = unsafe { bpf_link_create(p1.as_raw_fd(), lo, 46, null()) };
            let l2 = unsafe { bpf_link_create(p2.as_raw_fd(), lo, 46, null()) };
            assert!(l1 >= 3 && l2 >= 3, "tcx links: {}", errname(errno()));
            let (l1, l2) = (own(l1, "l1"), own(l2, "l2"));
            let mut prog_ids = [0u32; 4];
            let mut link_ids = [0u32; 4];
            let mut o: bpf_prog_query_opts = unsafe { std::mem::zeroed() };
            o.sz = size_of::<bpf_prog_query_opts>();
            o.prog_ids = prog_ids.as_mut_ptr();
            o.link_ids = link_ids.as_mut_ptr();
            o.count = 4;
            let r = unsafe { bpf_prog_query_opts(lo, 46, &mut o) };
            assert_eq!(r, 0, "query: {}", errname(errno()));
            assert_eq!(o.count, 2);
            assert_eq!(&prog_ids[..2], &[prog_id(&p1), prog_id(&p2)]);
            assert_eq!(
                &link_ids[..2],
                &[
                    link_info(l1.as_raw_fd()).id(),
                    link_info(l2.as_raw_fd()).id()
                ]
            );
            assert!(o.revision >= 2, "revision {}", o.revision);
            o.count = 1;
            let r = unsafe { bpf_prog_query_opts(lo, 46, &mut o) };
            assert_eq!((r, errno()), (-libc::ENOSPC, libc::ENOSPC));
            assert_eq!(o.count, 2, "the real count is written back on ENOSPC");
            let mut cnt = 4u32;
            let mut flags = 7u32;
            let mut ids = [0u32; 4];
            let r = unsafe { bpf_prog_query(lo, 46, 0, &mut flags, ids.as_mut_ptr(), &mut cnt) };
            assert_eq!((r, cnt), (0, 2));
            assert_eq!(&ids[..2], &[prog_id(&p1), prog_id(&p2)]);
            let r = unsafe { bpf_prog_query(lo, 46, 0, null_mut(), ids.as_mut_ptr(), null_mut()) };
            assert_eq!((r, errno()), (-libc::EINVAL, libc::EINVAL), "NULL prog_cnt");
            Ok(())
        })
    });
}
