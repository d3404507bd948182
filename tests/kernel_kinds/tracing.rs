//! Tracing links: tp_btf with a cookie, perf_event links (tracepoint,
//! uprobe/uretprobe, software event) with `bpf_cookie`, uprobe_multi and
//! uprobe_session on functions of this test binary.

use std::ffi::{CStr, CString, c_int, c_ulong, c_void};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::ptr::null;
use std::time::{Duration, Instant};

use crate::helpers::*;

// ------------------ another process, perf_event_open, the uprobe targets

/// A forked child that holds no fds and waits until it is dropped: another
/// process, for pid filters.
struct IdleChild {
    pid: libc::pid_t,
    wake: Option<OwnedFd>,
}

impl IdleChild {
    fn spawn() -> IdleChild {
        let mut p = [0 as c_int; 2];
        assert_eq!(unsafe { libc::pipe2(p.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
        let (r, w) = unsafe { (OwnedFd::from_raw_fd(p[0]), OwnedFd::from_raw_fd(p[1])) };
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork: {}", errname(errno()));
        if pid == 0 {
            unsafe {
                // Keep only the read end, as fd 3; EOF means "exit".
                if libc::dup2(r.as_raw_fd(), 3) != 3 {
                    libc::_exit(1);
                }
                child_close_from(4);
                let mut b = 0u8;
                libc::read(3, (&mut b as *mut u8).cast(), 1);
                libc::_exit(0);
            }
        }
        drop(r);
        IdleChild { pid, wake: Some(w) }
    }
}

impl Drop for IdleChild {
    fn drop(&mut self) {
        self.wake = None;
        wait_child(self.pid);
    }
}

/// `perf_event_open` with a zeroed 128-byte attr (enabled on open).
fn perf_open(
    ty: u32,
    config: u64,
    config1: u64,
    config2: u64,
    sample_period: u64,
    pid: c_int,
    cpu: c_int,
) -> Result<OwnedFd, c_int> {
    let mut a = [0u64; 16];
    a[0] = u64::from(ty) | (128u64 << 32); // type, size
    a[1] = config;
    a[2] = sample_period;
    a[6] = 1; // wakeup_events
    a[7] = config1;
    a[8] = config2;
    const PERF_FLAG_FD_CLOEXEC: libc::c_ulong = 8;
    let r = unsafe {
        libc::syscall(
            libc::SYS_perf_event_open,
            a.as_ptr(),
            pid,
            cpu,
            -1 as c_int,
            PERF_FLAG_FD_CLOEXEC,
        )
    };
    if r < 0 {
        Err(errno())
    } else {
        Ok(own(r as c_int, "perf_event_open"))
    }
}

/// Mounts tracefs on /sys/kernel/tracing in this thread's private mount
/// namespace (the host never sees it) and reads a tracepoint's id.
fn tracepoint_id(category: &str, name: &str) -> Result<u64, Skip> {
    let dir = c"/sys/kernel/tracing";
    let r = unsafe {
        libc::mount(
            c"tracefs".as_ptr(),
            dir.as_ptr(),
            c"tracefs".as_ptr(),
            0,
            null::<c_void>(),
        )
    };
    if r != 0 {
        return Err(Skip(format!(
            "mount -t tracefs on /sys/kernel/tracing: {}",
            errname(errno())
        )));
    }
    let path = format!("/sys/kernel/tracing/events/{category}/{name}/id");
    let id = std::fs::read_to_string(&path);
    unsafe { libc::umount2(dir.as_ptr(), libc::MNT_DETACH) };
    let id = id.map_err(|e| Skip(format!("{path}: {e}")))?;
    Ok(id.trim().parse().unwrap())
}

/// Uprobe targets: real, distinct functions in this test binary.
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn bpflink_kinds_uprobe_a(x: u64) -> u64 {
    std::hint::black_box(x.wrapping_mul(3).wrapping_add(1))
}

#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn bpflink_kinds_uprobe_b(x: u64) -> u64 {
    std::hint::black_box(x ^ 0x5a5a).wrapping_add(7)
}

/// Calls `f` `n` times through an opaque pointer (never inlined away).
fn call_n(f: extern "C" fn(u64) -> u64, n: u64) {
    let f = std::hint::black_box(f);
    for i in 0..n {
        std::hint::black_box(f(i));
    }
}

/// The executable's path and the file offset of `f` in it, from
/// /proc/self/maps.
fn file_offset(f: extern "C" fn(u64) -> u64) -> (CString, u64) {
    let addr = f as usize as u64;
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    for line in maps.lines() {
        let mut it = line.split_whitespace();
        let (range, _perms, off) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
        let (s, e) = range.split_once('-').unwrap();
        let (s, e) = (
            u64::from_str_radix(s, 16).unwrap(),
            u64::from_str_radix(e, 16).unwrap(),
        );
        if (s..e).contains(&addr) {
            let path = it.nth(2).unwrap();
            let exe = std::fs::read_link("/proc/self/exe").unwrap();
            assert_eq!(std::path::Path::new(path), exe, "mapping of {addr:#x}");
            let off = u64::from_str_radix(off, 16).unwrap();
            return (CString::new(path).unwrap(), addr - s + off);
        }
    }
    panic!("{addr:#x} not in /proc/self/maps");
}

// ====================================================================
// tp_btf with a cookie
// ====================================================================

/// tp_btf (TRACING + TRACE_RAW_TP on `btf_trace_sys_enter`) with
/// `tracing.cookie`: info (type 1, tp_name "sys_enter", cookie @32), the
/// program reads the cookie with `bpf_get_attach_cookie()`, update →
/// EINVAL, detach → EOPNOTSUPP. (Creation without a cookie and through
/// `bpf_raw_tracepoint_open` is in tests/kernel.rs.)
#[test]
fn tp_btf_cookie_seen_by_program() {
    run(|env| {
        let btf_id = btf_find(btf_kind::TYPEDEF, "btf_trace_sys_enter")?;
        let slots = Slots::new(3)?;
        let p = load(
            prog_type::TRACING,
            attach::TRACE_RAW_TP,
            btf_id,
            &cookie_prog(slots.raw(), 0),
            "tp_btf_cookie",
        )?;
        const COOKIE: u64 = 0x1122_3344_5566_7788;
        let mut o = lc_opts();
        o.u.tracing.cookie = COOKIE;
        let link = assert_new_fd(
            link_create(p.as_raw_fd(), 0, attach::TRACE_RAW_TP, Some(&o)),
            "bpf_link_create(tp_btf, cookie)",
        );
        let mut name = [0u8; 32];
        let mut info = LinkInfo::new();
        info.set_buf(16, 24, &mut name);
        link_info_into(link.as_raw_fd(), &mut info);
        assert_eq!(info.link_type(), link_type::RAW_TRACEPOINT, "link type");
        assert_eq!(info.prog_id(), obj_id(p.as_raw_fd()), "prog_id");
        assert_eq!(cstr_of(&name), "sys_enter", "tp_name");
        assert_eq!(info.u64_at(32), COOKIE, "raw_tracepoint.cookie");

        unsafe { libc::syscall(libc::SYS_getppid) };
        assert!(slots.get(0) >= 1, "tp_btf program did not run");
        assert_eq!(
            slots.get(1),
            COOKIE,
            "bpf_get_attach_cookie() in the program"
        );

        update_and_detach_refused(&link, &p, "tp_btf");
        enumerate_pin_release(env, link, "tp_btf");
        Ok(())
    });
}

// ====================================================================
// perf_event links
// ====================================================================

/// A tracing link can neither be updated (EINVAL) nor detached
/// (EOPNOTSUPP): tp_btf, perf_event and uprobe_multi alike.
#[track_caller]
fn update_and_detach_refused(link: &OwnedFd, prog: &OwnedFd, what: &str) {
    assert_err(
        link_update(link.as_raw_fd(), prog.as_raw_fd(), None),
        libc::EINVAL,
        &format!("{what}: bpf_link_update"),
    );
    assert_err(
        link_detach(link.as_raw_fd()),
        libc::EOPNOTSUPP,
        &format!("{what}: bpf_link_detach"),
    );
}

/// The perf_event link facts shared by the three event kinds: update →
/// EINVAL, detach → EOPNOTSUPP, a second link on the same perf fd → EEXIST.
#[track_caller]
fn perf_link_refusals(link: &OwnedFd, prog: &OwnedFd, pfd: &OwnedFd, what: &str) {
    update_and_detach_refused(link, prog, what);
    assert_err(
        link_create(prog.as_raw_fd(), pfd.as_raw_fd(), attach::PERF_EVENT, None),
        libc::EEXIST,
        &format!("{what}: second link on the same perf event"),
    );
}

fn perf_cookie_opts(cookie: u64) -> bpf_link_create_opts {
    let mut o = lc_opts();
    o.u.perf_event.bpf_cookie = cookie;
    o
}

/// perf_event link on the `syscalls/sys_enter_getppid` tracepoint (tracefs
/// mounted in the private mount namespace to read its id): info (type 7,
/// perf type TRACEPOINT, tp_name, cookie), the program runs for getppid()
/// and reads the bpf_cookie, refusals, enumerate/pin/release, and it no
/// longer runs afterwards.
#[test]
fn perf_event_tracepoint_with_cookie() {
    run(|env| {
        let tp = tracepoint_id("syscalls", "sys_enter_getppid")?;
        let slots = Slots::new(3)?;
        let p = load(
            prog_type::TRACEPOINT,
            0,
            0,
            &cookie_prog(slots.raw(), 0),
            "perf_tp",
        )?;
        let pfd = perf_open(PERF_TYPE_TRACEPOINT, tp, 0, 0, 1, 0, -1)
            .unwrap_or_else(|e| panic!("perf_event_open(tracepoint {tp}): {}", errname(e)));
        const COOKIE: u64 = 0xabcd_ef01;
        let link = assert_new_fd(
            link_create(
                p.as_raw_fd(),
                pfd.as_raw_fd(),
                attach::PERF_EVENT,
                Some(&perf_cookie_opts(COOKIE)),
            ),
            "bpf_link_create(perf_event tracepoint)",
        );
        let mut name = [0u8; 64];
        let mut info = LinkInfo::new();
        info.set_buf(24, 32, &mut name);
        link_info_into(link.as_raw_fd(), &mut info);
        assert_eq!(info.link_type(), link_type::PERF_EVENT, "link type");
        assert_eq!(info.prog_id(), obj_id(p.as_raw_fd()), "prog_id");
        assert_eq!(
            info.u32_at(16),
            perf_event_type::TRACEPOINT,
            "perf_event.type"
        );
        assert_eq!(cstr_of(&name), "sys_enter_getppid", "tracepoint name");
        assert_eq!(info.u64_at(40), COOKIE, "tracepoint.cookie");

        // The program is attached to the tracepoint itself, so any
        // process's getppid() counts: at least ours.
        let before = slots.get(0);
        for _ in 0..3 {
            unsafe { libc::syscall(libc::SYS_getppid) };
        }
        assert!(
            slots.get(0) >= before + 3,
            "tracepoint program did not run 3 times"
        );
        assert_eq!(
            slots.get(1),
            COOKIE,
            "bpf_get_attach_cookie() in the program"
        );

        perf_link_refusals(&link, &p, &pfd, "perf tracepoint");
        enumerate_pin_release(env, link, "perf_tp");
        assert_stops_running("perf tracepoint", &slots, 0, || unsafe {
            libc::syscall(libc::SYS_getppid);
        });
        Ok(())
    });
}

/// perf_event link on a uprobe (PMU `uprobe`, config1 = path, config2 =
/// file offset of `bpflink_kinds_uprobe_a` in this test binary) and on a
/// uretprobe (config bit 0): info (type 7, perf type UPROBE/URETPROBE,
/// file name, offset, cookie), the program runs exactly once per call and
/// reads the cookie, refusals, enumerate/pin/release.
#[test]
fn perf_event_uprobe_and_uretprobe_with_cookie() {
    run(|env| {
        let ty: u32 = match std::fs::read_to_string("/sys/bus/event_source/devices/uprobe/type") {
            Ok(s) => s.trim().parse().unwrap(),
            Err(e) => return Err(Skip(format!("no uprobe PMU: {e}"))),
        };
        let (path, off) = file_offset(bpflink_kinds_uprobe_a);
        for (ret, perf_type, cookie, name) in [
            (
                0u64,
                perf_event_type::UPROBE,
                0x0123_4567_89ab_cdefu64,
                "perf_uprobe",
            ),
            (1, perf_event_type::URETPROBE, 0x77, "perf_uretprobe"),
        ] {
            let slots = Slots::new(3)?;
            let p = load(prog_type::KPROBE, 0, 0, &cookie_prog(slots.raw(), 0), name)?;
            let pfd = perf_open(ty, ret, path.as_ptr() as u64, off, 0, 0, -1)
                .unwrap_or_else(|e| panic!("perf_event_open({name}): {}", errname(e)));
            let link = assert_new_fd(
                link_create(
                    p.as_raw_fd(),
                    pfd.as_raw_fd(),
                    attach::PERF_EVENT,
                    Some(&perf_cookie_opts(cookie)),
                ),
                &format!("bpf_link_create({name})"),
            );
            let mut file = [0u8; 4096];
            let mut info = LinkInfo::new();
            info.set_buf(24, 32, &mut file);
            link_info_into(link.as_raw_fd(), &mut info);
            assert_eq!(info.link_type(), link_type::PERF_EVENT, "{name}: link type");
            assert_eq!(info.prog_id(), obj_id(p.as_raw_fd()), "{name}: prog_id");
            assert_eq!(info.u32_at(16), perf_type, "{name}: perf_event.type");
            assert_eq!(cstr_of(&file), path.to_str().unwrap(), "{name}: file_name");
            assert_eq!(u64::from(info.u32_at(36)), off, "{name}: offset");
            assert_eq!(info.u64_at(40), cookie, "{name}: cookie");

            call_n(bpflink_kinds_uprobe_a, 5);
            call_n(bpflink_kinds_uprobe_b, 2);
            assert_eq!(
                slots.get(0),
                5,
                "{name}: runs once per call of the probed function"
            );
            assert_eq!(slots.get(1), cookie, "{name}: bpf_get_attach_cookie()");
            assert_eq!(slots.get(2), cookie.wrapping_mul(5), "{name}: cookie sum");

            perf_link_refusals(&link, &p, &pfd, name);
            enumerate_pin_release(env, link, name);
            assert_stops_running(name, &slots, 0, || call_n(bpflink_kinds_uprobe_a, 1));
        }
        Ok(())
    });
}

/// perf_event link on a software event (SW_CPU_CLOCK on this thread, every
/// 100 µs) with a PERF_EVENT program: info (type 7, perf type EVENT,
/// config, event type, cookie), the program runs while we spin and reads
/// the cookie, refusals, enumerate/pin/release.
#[test]
fn perf_event_software_cpu_clock_with_cookie() {
    run(|env| {
        let slots = Slots::new(3)?;
        let p = load(
            prog_type::PERF_EVENT,
            0,
            0,
            &cookie_prog(slots.raw(), 0),
            "perf_sw",
        )?;
        let pfd = perf_open(
            PERF_TYPE_SOFTWARE,
            PERF_COUNT_SW_CPU_CLOCK,
            0,
            0,
            100_000,
            0,
            -1,
        )
        .unwrap_or_else(|e| panic!("perf_event_open(SW_CPU_CLOCK): {}", errname(e)));
        const COOKIE: u64 = 0x5eed;
        let link = assert_new_fd(
            link_create(
                p.as_raw_fd(),
                pfd.as_raw_fd(),
                attach::PERF_EVENT,
                Some(&perf_cookie_opts(COOKIE)),
            ),
            "bpf_link_create(perf_event software)",
        );
        let info = link_info(link.as_raw_fd());
        assert_eq!(info.link_type(), link_type::PERF_EVENT, "link type");
        assert_eq!(info.prog_id(), obj_id(p.as_raw_fd()), "prog_id");
        assert_eq!(info.u32_at(16), perf_event_type::EVENT, "perf_event.type");
        assert_eq!(info.u64_at(24), PERF_COUNT_SW_CPU_CLOCK, "event.config");
        // 6.18 reports the type of the PMU that serves the event: cpu-clock
        // has its own, dynamically numbered PMU (6 here), not
        // PERF_TYPE_SOFTWARE (1). Both are accepted.
        let ev_type = info.u32_at(32);
        assert!(
            ev_type == PERF_TYPE_SOFTWARE || ev_type > 5,
            "event.type {ev_type}: neither PERF_TYPE_SOFTWARE nor a dynamic PMU type"
        );
        assert_eq!(info.u64_at(40), COOKIE, "event.cookie");

        // Burn CPU on this thread until the clock fires (bounded).
        let deadline = Instant::now() + Duration::from_secs(3);
        let mut x = 0u64;
        while slots.get(0) == 0 && Instant::now() < deadline {
            for i in 0..100_000u64 {
                x = std::hint::black_box(x.wrapping_add(i));
            }
        }
        assert!(
            slots.get(0) >= 1,
            "software-event program did not run in 3 s"
        );
        assert_eq!(slots.get(1), COOKIE, "bpf_get_attach_cookie()");

        perf_link_refusals(&link, &p, &pfd, "perf software");
        enumerate_pin_release(env, link, "perf_sw");
        assert_stops_running("perf software", &slots, 0, || {
            let t = Instant::now();
            while t.elapsed() < Duration::from_millis(5) {
                std::hint::black_box(t.elapsed());
            }
        });
        Ok(())
    });
}

// ====================================================================
// uprobe_multi and uprobe_session
// ====================================================================

/// `uprobe_multi` opts for `path` and parallel offsets/cookies.
fn umulti_opts(
    path: &CStr,
    offsets: &[c_ulong],
    cookies: &[u64],
    pid: u32,
    flags: u32,
) -> bpf_link_create_opts {
    let mut o = lc_opts();
    o.u.uprobe_multi.path = path.as_ptr();
    o.u.uprobe_multi.offsets = offsets.as_ptr();
    o.u.uprobe_multi.cookies = if cookies.is_empty() {
        null()
    } else {
        cookies.as_ptr()
    };
    o.u.uprobe_multi.cnt = offsets.len() as u32;
    o.u.uprobe_multi.pid = pid;
    o.u.uprobe_multi.flags = flags;
    o
}

/// uprobe_multi on two functions of this test binary with per-offset
/// cookies, filtered to our pid: info (type 12, path, offsets and cookies
/// read back, count, flags, pid), the program runs exactly once per call
/// and sees the right cookie for each function; update → EINVAL, detach →
/// EOPNOTSUPP. A pid filter for another process means our calls do not run
/// it; pid 0 (every process) runs it too; `BPF_F_UPROBE_MULTI_RETURN` runs
/// on return; cnt 0 → EINVAL.
///
/// Exact counts use our own pid as the filter: another run of this same
/// test binary at the same time (same inode) must not be counted.
#[test]
fn uprobe_multi_offsets_cookies_pid_filter() {
    run(|env| {
        let (path, off_a) = file_offset(bpflink_kinds_uprobe_a);
        let (_, off_b) = file_offset(bpflink_kinds_uprobe_b);
        let slots = Slots::new(3)?;
        let p = load(
            prog_type::KPROBE,
            attach::TRACE_UPROBE_MULTI,
            0,
            &cookie_prog(slots.raw(), 0),
            "umulti",
        )?;
        let offs = [off_a as c_ulong, off_b as c_ulong];
        let cookies = [0x10u64, 0x2000];
        let me = std::process::id();
        let link = assert_new_fd(
            link_create(
                p.as_raw_fd(),
                0,
                attach::TRACE_UPROBE_MULTI,
                Some(&umulti_opts(&path, &offs, &cookies, me, 0)),
            ),
            "bpf_link_create(uprobe_multi)",
        );
        let mut pbuf = [0u8; 4096];
        let mut offs_back = [0u64; 4];
        let mut cookies_back = [0u64; 4];
        let mut info = LinkInfo::new();
        info.set_buf(16, 48, &mut pbuf);
        info.0[24..32].copy_from_slice(&(offs_back.as_mut_ptr() as u64).to_ne_bytes());
        info.0[40..48].copy_from_slice(&(cookies_back.as_mut_ptr() as u64).to_ne_bytes());
        info.0[52..56].copy_from_slice(&4u32.to_ne_bytes());
        link_info_into(link.as_raw_fd(), &mut info);
        assert_eq!(info.link_type(), link_type::UPROBE_MULTI, "link type");
        assert_eq!(info.prog_id(), obj_id(p.as_raw_fd()), "prog_id");
        assert_eq!(cstr_of(&pbuf), path.to_str().unwrap(), "path");
        assert_eq!(info.u32_at(52), 2, "count");
        assert_eq!(&offs_back[..2], &[off_a, off_b], "offsets read back");
        assert_eq!(&cookies_back[..2], &cookies, "cookies read back");
        assert_eq!((info.u32_at(56), info.u32_at(60)), (0, me), "flags, pid");

        call_n(bpflink_kinds_uprobe_a, 3);
        call_n(bpflink_kinds_uprobe_b, 2);
        assert_eq!(slots.get(0), 5, "one run per call");
        assert_eq!(slots.get(1), 0x2000, "last cookie (function b)");
        assert_eq!(slots.get(2), 3 * 0x10 + 2 * 0x2000, "cookie per offset");

        update_and_detach_refused(&link, &p, "uprobe_multi");
        enumerate_pin_release(env, link, "uprobe_multi");
        assert_stops_running("uprobe_multi", &slots, 0, || {
            call_n(bpflink_kinds_uprobe_a, 1)
        });
        let base = slots.get(0);

        // pid filter: another process → our calls do not count.
        let other = IdleChild::spawn();
        let l = assert_new_fd(
            link_create(
                p.as_raw_fd(),
                0,
                attach::TRACE_UPROBE_MULTI,
                Some(&umulti_opts(&path, &offs[..1], &[], other.pid as u32, 0)),
            ),
            "uprobe_multi with another process's pid",
        );
        assert_eq!(
            link_info(l.as_raw_fd()).u32_at(60),
            other.pid as u32,
            "pid in info"
        );
        call_n(bpflink_kinds_uprobe_a, 3);
        assert_eq!(
            slots.get(0),
            base,
            "pid filter: another process's probe ran for us"
        );
        release(l, "uprobe_multi pid=other");
        drop(other);

        // pid 0: every process (ours included; others only add).
        let l = assert_new_fd(
            link_create(
                p.as_raw_fd(),
                0,
                attach::TRACE_UPROBE_MULTI,
                Some(&umulti_opts(&path, &offs[..1], &[], 0, 0)),
            ),
            "uprobe_multi without a pid filter",
        );
        assert_eq!(link_info(l.as_raw_fd()).u32_at(60), 0, "pid in info");
        call_n(bpflink_kinds_uprobe_a, 3);
        assert!(slots.get(0) >= base + 3, "pid 0: our calls run it");
        assert_eq!(slots.get(1), 0, "no cookies given: cookie 0");
        release(l, "uprobe_multi pid=0");
        assert_stops_running("uprobe_multi pid=0", &slots, 0, || {
            call_n(bpflink_kinds_uprobe_a, 1)
        });
        let base = slots.get(0);

        // Return probe.
        let l = assert_new_fd(
            link_create(
                p.as_raw_fd(),
                0,
                attach::TRACE_UPROBE_MULTI,
                Some(&umulti_opts(
                    &path,
                    &offs[1..],
                    &[0x99],
                    me,
                    BPF_F_UPROBE_MULTI_RETURN,
                )),
            ),
            "uprobe_multi RETURN",
        );
        assert_eq!(
            link_info(l.as_raw_fd()).u32_at(56),
            BPF_F_UPROBE_MULTI_RETURN,
            "flags"
        );
        call_n(bpflink_kinds_uprobe_b, 2);
        assert_eq!(
            (slots.get(0), slots.get(1)),
            (base + 2, 0x99),
            "uretprobe runs per return"
        );
        release(l, "uprobe_multi RETURN");

        assert_err(
            link_create(
                p.as_raw_fd(),
                0,
                attach::TRACE_UPROBE_MULTI,
                Some(&umulti_opts(&path, &[], &[], 0, 0)),
            ),
            libc::EINVAL,
            "uprobe_multi cnt 0",
        );
        Ok(())
    });
}

/// uprobe_session (KPROBE prog with expected_attach_type
/// BPF_TRACE_UPROBE_SESSION): an entry program returning 0 also runs on
/// return (2 runs per call), one returning 1 runs on entry only; the
/// cookie is seen in both; info type 12; update → EINVAL, detach →
/// EOPNOTSUPP; enumerate/pin/release.
#[test]
fn uprobe_session_entry_and_return() {
    run(|env| {
        let (path, off) = file_offset(bpflink_kinds_uprobe_a);
        let offs = [off as c_ulong];
        for (ret, runs_per_call, name) in [(0, 2u64, "usession_both"), (1, 1, "usession_entry")] {
            let slots = Slots::new(3)?;
            let p = load(
                prog_type::KPROBE,
                attach::TRACE_UPROBE_SESSION,
                0,
                &cookie_prog(slots.raw(), ret),
                name,
            )?;
            let link = assert_new_fd(
                link_create(
                    p.as_raw_fd(),
                    0,
                    attach::TRACE_UPROBE_SESSION,
                    Some(&umulti_opts(&path, &offs, &[0x5e55], std::process::id(), 0)),
                ),
                &format!("bpf_link_create({name})"),
            );
            let info = link_info(link.as_raw_fd());
            assert_eq!(
                info.link_type(),
                link_type::UPROBE_MULTI,
                "{name}: link type"
            );
            assert_eq!(info.prog_id(), obj_id(p.as_raw_fd()), "{name}: prog_id");
            assert_eq!(info.u32_at(52), 1, "{name}: count");
            call_n(bpflink_kinds_uprobe_a, 3);
            assert_eq!(slots.get(0), 3 * runs_per_call, "{name}: runs");
            assert_eq!(
                slots.get(2),
                0x5e55 * 3 * runs_per_call,
                "{name}: cookie in every run"
            );
            update_and_detach_refused(&link, &p, name);
            enumerate_pin_release(env, link, name);
        }
        Ok(())
    });
}
