//! The attach functions against a fake kernel and filesystem
//! ([`FakeProbe`]): every `perf_event_attr` and `BPF_LINK_CREATE` image,
//! the perf link probe and its `PERF_EVENT_IOC_SET_BPF` fallback, the
//! kprobe/uprobe PMU and the legacy tracefs probes (their names, lines,
//! removal), the attach modes, the sysfs number quirks, and the ELF symbol
//! rules on real ELF files built here (weak/strong, versions, ambiguity).
//! Expected values are written from libbpf 1.7.0's `libbpf.c`/`elf.c`.
#![cfg(all(target_arch = "x86_64", target_pointer_width = "64"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::undocumented_unsafe_blocks
)]

use std::ffi::{CStr, CString};
use std::process::Command;

use bpflink_core::abi::{self, kprobe as ko, perf_event as peo, uprobe as uo};
use bpflink_core::attach::{self, ProbeHost};
use bpflink_core::elf_sym::{self, ElfFile, OffsetBuf};
use bpflink_core::errno::Errno;
use bpflink_core::opts::{CallerBytes, OptsImage, OptsKind, Silent};
use bpflink_core::probe_text::{self, Scanned, UintFormat};
use bpflink_core::sys::CBuf;
use bpflink_fake::{Answer, FakeProbe, Msgs, ProbeCall};

const PROG: i32 = 7;

fn opts(kind: OptsKind, fields: &[(usize, &[u8])]) -> Vec<u8> {
    let mut b = vec![0u8; kind.size];
    b[..8].copy_from_slice(&kind.size.to_le_bytes());
    for (off, v) in fields {
        b[*off..*off + v.len()].copy_from_slice(v);
    }
    b
}

fn image<'a>(kind: OptsKind, b: &'a [u8], tail: &'a CallerBytes<'a>) -> OptsImage<'a> {
    OptsImage::new(kind, b.len(), b, tail)
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(b[off..off + 4].try_into().unwrap())
}
fn u64_at(b: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(b[off..off + 8].try_into().unwrap())
}

/// The perf_event_attr image: type, size 144, config, config1, config2.
fn attr_fields(a: &[u8]) -> (u32, u32, u64, u64, u64) {
    assert_eq!(a.len(), 144);
    (
        u32_at(a, 0),
        u32_at(a, 4),
        u64_at(a, 8),
        u64_at(a, 56),
        u64_at(a, 64),
    )
}

fn perf_opens(f: &FakeProbe) -> Vec<(Vec<u8>, i32, i32)> {
    f.probe_calls()
        .into_iter()
        .filter_map(|c| match c {
            ProbeCall::PerfOpen { attr, pid, cpu } => Some((attr, pid, cpu)),
            _ => None,
        })
        .collect()
}

fn ioctls(f: &FakeProbe) -> Vec<(i32, u64, i32)> {
    f.probe_calls()
        .into_iter()
        .filter_map(|c| match c {
            ProbeCall::Ioctl { fd, request, arg } => Some((fd, request, arg)),
            _ => None,
        })
        .collect()
}

fn appends(f: &FakeProbe) -> Vec<(String, String)> {
    f.probe_calls()
        .into_iter()
        .filter_map(|c| match c {
            ProbeCall::Append { path, text } => Some((path, text)),
            _ => None,
        })
        .collect()
}

const ENABLE: u64 = 0x2400;
const DISABLE: u64 = 0x2401;
const SET_BPF: u64 = 0x4004_2408;

// ------------------------------------------------------------ perf link

/// The first attach probes perf links like libbpf: BPF_PROG_LOAD of a
/// two-instruction tracepoint program (168-byte attr, license "GPL"), then
/// BPF_LINK_CREATE(prog, -1, BPF_PERF_EVENT); EBADF means supported. Then
/// the link (cookie in the perf_event arm) and PERF_EVENT_IOC_ENABLE.
#[test]
fn perf_event_probe_then_link() {
    let f = FakeProbe::new();
    f.kernel.answer(Answer::ok(30)); // PROG_LOAD
    f.kernel.answer(Answer::err(Errno::EBADF)); // probe link
    f.kernel.answer(Answer::ok(31)); // the link
    let b = opts(
        abi::PERF_EVENT_OPTS,
        &[(peo::BPF_COOKIE, &0x1122u64.to_le_bytes())],
    );
    let t = CallerBytes(&b);
    let o = image(abi::PERF_EVENT_OPTS, &b, &t);
    let parts = attach::attach_perf_event(&f, PROG, 9, Some(&o), &mut Msgs::default(), &mut Silent)
        .unwrap();
    assert_eq!((parts.link_fd, parts.perf_fd, parts.legacy), (31, 9, None));
    let calls = f.kernel.bpf_calls();
    assert_eq!(calls.len(), 3);
    let (cmd, load) = &calls[0];
    assert_eq!((*cmd, load.len()), (5, 168));
    assert_eq!(u32_at(load, 0), 5, "BPF_PROG_TYPE_TRACEPOINT");
    assert_eq!(u32_at(load, 4), 2, "insn_cnt");
    let insns = unsafe { std::slice::from_raw_parts(u64_at(load, 8) as *const u8, 16) };
    assert_eq!(
        insns,
        [0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]
    );
    let license = unsafe { CStr::from_ptr(u64_at(load, 16) as *const libc::c_char) };
    assert_eq!(license, c"GPL");
    assert!(load[24..].iter().all(|&b| b == 0), "nothing else set");
    let (cmd, probe) = &calls[1];
    assert_eq!((*cmd, probe.len()), (28, 64));
    assert_eq!(
        (u32_at(probe, 0), u32_at(probe, 4) as i32, u32_at(probe, 8)),
        (30, -1, 41)
    );
    assert!(probe[12..].iter().all(|&b| b == 0), "NULL opts");
    let (cmd, link) = &calls[2];
    assert_eq!(*cmd, 28);
    assert_eq!(
        (u32_at(link, 0), u32_at(link, 4), u32_at(link, 8)),
        (PROG as u32, 9, 41)
    );
    assert_eq!(u64_at(link, 16), 0x1122, "perf_event.bpf_cookie");
    assert_eq!(ioctls(&f), vec![(9, ENABLE, 0)]);
    // The probe's program was closed; the answer is cached.
    assert!(f.log.borrow().contains(&"close 30".to_string()));
    let again =
        attach::attach_perf_event(&f, PROG, 10, None, &mut Msgs::default(), &mut Silent).unwrap();
    assert_eq!(again.perf_fd, 10);
    assert_eq!(f.kernel.bpf_calls().len(), 4, "no second probe");
}

/// Without perf links (the probe link answers EINVAL) the program is
/// attached with PERF_EVENT_IOC_SET_BPF and the link's fd is the perf fd;
/// a cookie is then EOPNOTSUPP; `dont_enable` skips the enable.
#[test]
fn perf_event_ioctl_fallback() {
    let f = FakeProbe::new();
    f.kernel.answer(Answer::ok(30));
    f.kernel.answer(Answer::err(Errno::EINVAL));
    let parts =
        attach::attach_perf_event(&f, PROG, 9, None, &mut Msgs::default(), &mut Silent).unwrap();
    assert_eq!((parts.link_fd, parts.perf_fd), (9, 9));
    assert_eq!(ioctls(&f), vec![(9, SET_BPF, PROG), (9, ENABLE, 0)]);

    let b = opts(
        abi::PERF_EVENT_OPTS,
        &[(peo::BPF_COOKIE, &1u64.to_le_bytes())],
    );
    let t = CallerBytes(&b);
    let o = image(abi::PERF_EVENT_OPTS, &b, &t);
    let mut m = Msgs::default();
    let e = attach::attach_perf_event(&f, PROG, 9, Some(&o), &mut m, &mut Silent).unwrap_err();
    assert_eq!(e, Errno::EOPNOTSUPP);
    assert_eq!(m.0, vec!["CookieUnsupported { prog: 7 }"]);

    let f = FakeProbe::new();
    f.perf_link(1);
    let b = opts(
        abi::PERF_EVENT_OPTS,
        &[(peo::FORCE_IOCTL_ATTACH, &[1]), (peo::DONT_ENABLE, &[1])],
    );
    let t = CallerBytes(&b);
    let o = image(abi::PERF_EVENT_OPTS, &b, &t);
    attach::attach_perf_event(&f, PROG, 9, Some(&o), &mut Msgs::default(), &mut Silent).unwrap();
    assert_eq!(
        ioctls(&f),
        vec![(9, SET_BPF, PROG)],
        "forced ioctl, not enabled"
    );
    assert!(f.kernel.bpf_calls().is_empty());

    // SET_BPF failing with EPROTO: libbpf's two warnings, nothing closed.
    let f = FakeProbe::new();
    f.perf_link(2);
    f.ioctl_answers
        .borrow_mut()
        .push_back(Err(Errno(libc::EPROTO)));
    let mut m = Msgs::default();
    let e = attach::attach_perf_event(&f, PROG, 9, None, &mut m, &mut Silent).unwrap_err();
    assert_eq!(e, Errno(libc::EPROTO));
    assert_eq!(
        m.0,
        vec![
            "SetBpfFailed { prog: 7, pfd: 9, err: -71 }",
            "SetBpfCallchain { prog: 7, pfd: 9 }"
        ]
    );
    // A probe program that cannot be loaded: warned, treated as missing.
    let f = FakeProbe::new();
    f.kernel.answer(Answer::err(Errno::EPERM));
    let mut m = Msgs::default();
    let p = attach::attach_perf_event(&f, PROG, 9, None, &mut m, &mut Silent).unwrap();
    assert_eq!(p.link_fd, 9);
    assert!(m.0[0].starts_with("FeatureProbeFailed"), "{:?}", m.0);
    // Negative fds and no memory: before any call.
    let f = FakeProbe::new();
    assert_eq!(
        attach::attach_perf_event(&f, PROG, -1, None, &mut Msgs::default(), &mut Silent),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        attach::attach_perf_event(&f, -1, 9, None, &mut Msgs::default(), &mut Silent),
        Err(Errno::EINVAL)
    );
    f.reserve_fails.set(true);
    assert_eq!(
        attach::attach_perf_event(&f, PROG, 9, None, &mut Msgs::default(), &mut Silent),
        Err(Errno::ENOMEM)
    );
    assert!(f.kernel.calls().is_empty() && f.probe_calls().is_empty());
}

/// The link create failing after the probe: its errno, the link fd (none)
/// and the perf fd untouched; enable failing closes the new link fd.
#[test]
fn perf_event_failures() {
    let f = FakeProbe::new();
    f.perf_link(1);
    f.kernel.answer(Answer::err(Errno::EEXIST));
    let mut m = Msgs::default();
    assert_eq!(
        attach::attach_perf_event(&f, PROG, 9, None, &mut m, &mut Silent),
        Err(Errno::EEXIST)
    );
    assert_eq!(m.0, vec!["PerfLinkFailed { prog: 7, pfd: 9, err: -17 }"]);
    let f = FakeProbe::new();
    f.perf_link(1);
    f.kernel.answer(Answer::ok(33));
    f.ioctl_answers.borrow_mut().push_back(Err(Errno::EBADF));
    assert_eq!(
        attach::attach_perf_event(&f, PROG, 9, None, &mut Msgs::default(), &mut Silent),
        Err(Errno::EBADF)
    );
    assert!(
        f.log.borrow().contains(&"close 33".to_string()),
        "{:?}",
        f.log.borrow()
    );
    assert!(!f.log.borrow().contains(&"close 9".to_string()));
}

// ------------------------------------------------------------- uprobes

fn uprobe_fake() -> FakeProbe {
    let f = FakeProbe::new();
    f.perf_link(1);
    f.file("/sys/bus/event_source/devices/uprobe/type", "8\n");
    f.file(
        "/sys/bus/event_source/devices/uprobe/format/retprobe",
        "config:0\n",
    );
    f
}

/// A uprobe on a PMU: type from sysfs, config1 = the path's address,
/// config2 = the offset, the reference counter in config's top half, the
/// retprobe bit from sysfs; pid/cpu libbpf's way.
#[test]
fn uprobe_pmu_attr() {
    for (pid, want) in [
        (-1, (-1, 0)),
        (0, (0, -1)),
        (1234, (1234, -1)),
        (-5, (-1, -1)),
    ] {
        let f = uprobe_fake();
        let path = c"/bin/x";
        let b = opts(
            abi::UPROBE_OPTS,
            &[
                (uo::REF_CTR_OFFSET, &0x30usize.to_le_bytes()),
                (uo::RETPROBE, &[1]),
                (uo::BPF_COOKIE, &5u64.to_le_bytes()),
            ],
        );
        let t = CallerBytes(&b);
        let o = image(abi::UPROBE_OPTS, &b, &t);
        let parts = attach::attach_uprobe(
            &f,
            PROG,
            pid,
            Some(path),
            0x1234,
            None,
            Some(&o),
            &mut Msgs::default(),
            &mut Silent,
        )
        .unwrap();
        assert_eq!(parts.legacy, None);
        let opens = perf_opens(&f);
        assert_eq!(opens.len(), 1);
        let (attr, p, cpu) = &opens[0];
        assert_eq!((*p, *cpu), want, "pid {pid}");
        assert_eq!(
            attr_fields(attr),
            (8, 144, 1 | 0x30 << 32, path.as_ptr() as u64, 0x1234)
        );
        assert!(attr[16..56].iter().all(|&b| b == 0) && attr[72..].iter().all(|&b| b == 0));
        // The perf link carries the cookie.
        let calls = f.kernel.bpf_calls();
        assert_eq!(u64_at(&calls[0].1, 16), 5);
    }
    // ref_ctr_offset ≥ 2^32: EINVAL from perf_event_open_probe, whose
    // caller answers -errno (here: still 0 → the fake's last errno).
    let f = uprobe_fake();
    let b = opts(
        abi::UPROBE_OPTS,
        &[(uo::REF_CTR_OFFSET, &(1usize << 32).to_le_bytes())],
    );
    let t = CallerBytes(&b);
    let o = image(abi::UPROBE_OPTS, &b, &t);
    let r = attach::attach_uprobe(
        &f,
        PROG,
        -1,
        Some(c"/bin/x"),
        0,
        None,
        Some(&o),
        &mut Msgs::default(),
        &mut Silent,
    );
    assert_eq!(r, Err(Errno(0)), "libbpf's stale -errno");
    assert!(perf_opens(&f).is_empty());
}

/// No uprobe PMU: a legacy `uprobe_events` probe named
/// `libbpf_<pid>_<n>_<basename>_0x<offset>` (non-alphanumerics as `_`),
/// its id from tracefs, a tracepoint perf event; destroy removes it.
#[test]
fn uprobe_legacy_probe_and_removal() {
    let f = FakeProbe::new();
    f.perf_link(1);
    f.file(
        "/sys/kernel/tracing/events/uretprobes/libbpf_4242_0__libfoo_so_1_0x40/id",
        "77\n",
    );
    let b = opts(abi::UPROBE_OPTS, &[(uo::RETPROBE, &[1])]);
    let t = CallerBytes(&b);
    let o = image(abi::UPROBE_OPTS, &b, &t);
    let parts = attach::attach_uprobe(
        &f,
        PROG,
        55,
        Some(c"/usr/lib/libfoo.so.1"),
        0x40,
        None,
        Some(&o),
        &mut Msgs::default(),
        &mut Silent,
    )
    .unwrap();
    let l = parts.legacy.unwrap();
    assert_eq!(l.name.as_bytes(), b"libbpf_4242_0__libfoo_so_1_0x40");
    assert!(!l.kprobe && l.retprobe);
    assert_eq!(
        appends(&f),
        vec![(
            "/sys/kernel/tracing/uprobe_events".into(),
            "r:uretprobes/libbpf_4242_0__libfoo_so_1_0x40 /usr/lib/libfoo.so.1:0x40".into()
        )]
    );
    let opens = perf_opens(&f);
    assert_eq!(attr_fields(&opens[0].0), (2, 144, 77, 0, 0));
    assert_eq!((opens[0].1, opens[0].2), (55, -1));
    // Destroy: disable, close perf fd and link fd, remove the probe.
    let before = f.probe_calls().len();
    let r = attach::perf_link_detach(
        &f,
        parts.link_fd,
        parts.perf_fd,
        Some((l.name.as_bytes(), l.kprobe, l.retprobe)),
    );
    assert_eq!(r, 0);
    let after = &f.probe_calls()[before..];
    assert_eq!(
        after[0],
        ProbeCall::Ioctl {
            fd: parts.perf_fd,
            request: DISABLE,
            arg: 0
        }
    );
    assert_eq!(
        after[1],
        ProbeCall::Append {
            path: "/sys/kernel/tracing/uprobe_events".into(),
            text: "-:uretprobes/libbpf_4242_0__libfoo_so_1_0x40".into()
        }
    );
    // A reference counter cannot be legacy.
    let b = opts(
        abi::UPROBE_OPTS,
        &[(uo::REF_CTR_OFFSET, &8usize.to_le_bytes())],
    );
    let t = CallerBytes(&b);
    let o = image(abi::UPROBE_OPTS, &b, &t);
    let f = FakeProbe::new();
    let r = attach::attach_uprobe(
        &f,
        PROG,
        -1,
        Some(c"/bin/x"),
        0,
        None,
        Some(&o),
        &mut Msgs::default(),
        &mut Silent,
    );
    assert_eq!(r, Err(Errno::EINVAL));
}

/// A legacy probe whose id cannot be read or whose perf event cannot be
/// opened is removed again; the error is libbpf's `-errno` after that.
#[test]
fn legacy_probe_cleaned_up_on_failure() {
    let mut f = FakeProbe::new();
    f.perf_link(1);
    f.debugfs = true;
    let mut m = Msgs::default();
    let r = attach::attach_kprobe(&f, PROG, Some(c"vfs_read"), None, &mut m, &mut Silent);
    assert_eq!(r, Err(Errno::ENOENT));
    assert_eq!(
        appends(&f),
        vec![
            (
                "/sys/kernel/debug/tracing/kprobe_events".into(),
                "p:kprobes/libbpf_4242_0_vfs_read_0x0 vfs_read+0x0".into()
            ),
            (
                "/sys/kernel/debug/tracing/kprobe_events".into(),
                "-:kprobes/libbpf_4242_0_vfs_read_0x0".into()
            ),
        ]
    );
    assert!(
        m.0.iter().any(|s| s.starts_with("LegacyIdFailed")),
        "{:?}",
        m.0
    );
    // The perf event failing.
    let f = FakeProbe::new();
    f.perf_link(1);
    f.file(
        "/sys/kernel/tracing/events/kretprobes/libbpf_4242_0_vfs_read_0x10/id",
        "9",
    );
    f.perf_answers.borrow_mut().push_back(Err(Errno::EMFILE_()));
    let b = opts(
        abi::KPROBE_OPTS,
        &[(ko::RETPROBE, &[1]), (ko::OFFSET, &0x10usize.to_le_bytes())],
    );
    let t = CallerBytes(&b);
    let o = image(abi::KPROBE_OPTS, &b, &t);
    let r = attach::attach_kprobe(
        &f,
        PROG,
        Some(c"vfs_read"),
        Some(&o),
        &mut Msgs::default(),
        &mut Silent,
    );
    assert_eq!(r, Err(Errno(libc::EMFILE)));
    let a = appends(&f);
    assert_eq!(
        a[0].1,
        "r:kretprobes/libbpf_4242_0_vfs_read_0x10 vfs_read+0x10"
    );
    assert_eq!(a[1].1, "-:kretprobes/libbpf_4242_0_vfs_read_0x10");
}

trait Emfile {
    #[allow(non_snake_case)]
    fn EMFILE_() -> Errno;
}
impl Emfile for Errno {
    fn EMFILE_() -> Errno {
        Errno(libc::EMFILE)
    }
}

/// kprobes on a PMU: type and retprobe bit from sysfs, config1 = the
/// function name's address, config2 = the offset, pid -1 on CPU 0; the
/// attach modes.
#[test]
fn kprobe_pmu_and_attach_modes() {
    let f = FakeProbe::new();
    f.perf_link(1);
    f.file("/sys/bus/event_source/devices/kprobe/type", "6\n");
    f.file(
        "/sys/bus/event_source/devices/kprobe/format/retprobe",
        "config:0\n",
    );
    let func = c"do_sys_openat2";
    let b = opts(
        abi::KPROBE_OPTS,
        &[(ko::RETPROBE, &[1]), (ko::OFFSET, &4usize.to_le_bytes())],
    );
    let t = CallerBytes(&b);
    let o = image(abi::KPROBE_OPTS, &b, &t);
    let p = attach::attach_kprobe(
        &f,
        PROG,
        Some(func),
        Some(&o),
        &mut Msgs::default(),
        &mut Silent,
    )
    .unwrap();
    assert_eq!(p.legacy, None);
    let opens = perf_opens(&f);
    assert_eq!(
        attr_fields(&opens[0].0),
        (6, 144, 1, func.as_ptr() as u64, 4)
    );
    assert_eq!((opens[0].1, opens[0].2), (-1, 0));
    // PERF forces the ioctl; LEGACY forces tracefs; LINK needs perf links.
    for (mode, ioctl, legacy) in [(2u32, true, false), (1, true, true)] {
        let f = FakeProbe::new();
        f.perf_link(1);
        f.file("/sys/bus/event_source/devices/kprobe/type", "6\n");
        f.file(
            "/sys/kernel/tracing/events/kprobes/libbpf_4242_0_f_0x0/id",
            "5\n",
        );
        let b = opts(abi::KPROBE_OPTS, &[(ko::ATTACH_MODE, &mode.to_le_bytes())]);
        let t = CallerBytes(&b);
        let o = image(abi::KPROBE_OPTS, &b, &t);
        let p = attach::attach_kprobe(
            &f,
            PROG,
            Some(c"f"),
            Some(&o),
            &mut Msgs::default(),
            &mut Silent,
        )
        .unwrap();
        assert_eq!(p.legacy.is_some(), legacy, "mode {mode}");
        assert_eq!(
            ioctls(&f).iter().any(|i| i.1 == SET_BPF),
            ioctl,
            "mode {mode}"
        );
    }
    let f = FakeProbe::new();
    f.perf_link(2);
    f.file("/sys/bus/event_source/devices/kprobe/type", "6\n");
    let b = opts(abi::KPROBE_OPTS, &[(ko::ATTACH_MODE, &3u32.to_le_bytes())]);
    let t = CallerBytes(&b);
    let o = image(abi::KPROBE_OPTS, &b, &t);
    assert_eq!(
        attach::attach_kprobe(
            &f,
            PROG,
            Some(c"f"),
            Some(&o),
            &mut Msgs::default(),
            &mut Silent
        ),
        Err(Errno::EOPNOTSUPP)
    );
    let b = opts(abi::KPROBE_OPTS, &[(ko::ATTACH_MODE, &4u32.to_le_bytes())]);
    let t = CallerBytes(&b);
    let o = image(abi::KPROBE_OPTS, &b, &t);
    assert_eq!(
        attach::attach_kprobe(
            &f,
            PROG,
            Some(c"f"),
            Some(&o),
            &mut Msgs::default(),
            &mut Silent
        ),
        Err(Errno::EINVAL)
    );
}

// ---------------------------------------------------------- tracepoints

#[test]
fn tracepoint_attr_and_id_path() {
    let f = FakeProbe::new();
    f.perf_link(1);
    f.file(
        "/sys/kernel/tracing/events/syscalls/sys_enter_openat/id",
        "  614\n",
    );
    let p = attach::attach_tracepoint(
        &f,
        PROG,
        Some(c"syscalls"),
        Some(c"sys_enter_openat"),
        None,
        &mut Msgs::default(),
        &mut Silent,
    )
    .unwrap();
    assert_eq!(p.legacy, None);
    let opens = perf_opens(&f);
    assert_eq!(attr_fields(&opens[0].0), (2, 144, 614, 0, 0));
    assert_eq!((opens[0].1, opens[0].2), (-1, 0));
    // A name too long for PATH_MAX: E2BIG, no file read.
    let f = FakeProbe::new();
    let long = CString::new(vec![b'a'; 5000]).unwrap();
    let mut m = Msgs::default();
    let r = attach::attach_tracepoint(&f, PROG, Some(c"c"), Some(&long), None, &mut m, &mut Silent);
    assert_eq!(r, Err(Errno::E2BIG));
    assert!(f.probe_calls().is_empty());
}

// --------------------------------------------------- sysfs number quirks

#[test]
fn parse_uint_like_fscanf() {
    use probe_text::scan_uint;
    assert_eq!(scan_uint(b"8\n", UintFormat::Int), Scanned::Value(8));
    assert_eq!(scan_uint(b" \t-3", UintFormat::Int), Scanned::Value(-3));
    assert_eq!(scan_uint(b"+7x", UintFormat::Int), Scanned::Value(7));
    assert_eq!(scan_uint(b"", UintFormat::Int), Scanned::Eof);
    assert_eq!(scan_uint(b"  \n", UintFormat::Int), Scanned::Eof);
    assert_eq!(scan_uint(b"abc", UintFormat::Int), Scanned::NoMatch);
    assert_eq!(
        scan_uint(b"4294967297", UintFormat::Int),
        Scanned::Value(1),
        "cut to int"
    );
    assert_eq!(
        scan_uint(b"config:0\n", UintFormat::ConfigBit),
        Scanned::Value(0)
    );
    assert_eq!(scan_uint(b"config:", UintFormat::ConfigBit), Scanned::Eof);
    assert_eq!(scan_uint(b"conf", UintFormat::ConfigBit), Scanned::Eof);
    assert_eq!(scan_uint(b"cfg:1", UintFormat::ConfigBit), Scanned::NoMatch);
    assert_eq!(probe_text::parse_uint_result(Scanned::Eof, 0), -libc::EIO);
    assert_eq!(probe_text::parse_uint_result(Scanned::NoMatch, 2), -2);
    // A uprobe type file with "-2": libbpf takes it as the error -ENOENT.
    let f = FakeProbe::new();
    f.perf_link(1);
    f.file("/sys/bus/event_source/devices/uprobe/type", "-2\n");
    let r = attach::attach_uprobe(
        &f,
        PROG,
        -1,
        Some(c"/bin/x"),
        0,
        None,
        None,
        &mut Msgs::default(),
        &mut Silent,
    );
    assert!(r.is_err());
}

#[test]
fn legacy_names_and_lines() {
    let n = probe_text::legacy_event_name(1, 2, b"a.b-c", 0x10);
    assert_eq!(n.as_bytes(), b"libbpf_1_2_a_b_c_0x10");
    let long = probe_text::legacy_event_name(123, 4, &[b'x'; 100], 0);
    assert_eq!(long.len(), 63, "cut to MAX_EVENT_NAME_LEN - 1");
    let line = probe_text::kprobe_add_line(b"e", false, &[b'f'; 1100], 0);
    assert_eq!(line, Err(Errno::EINVAL), "a line of 1024 bytes or more");
}

// ------------------------------------------------------- ELF resolution

/// A shared library built here: versioned symbols (foo@V1, foo@@V2), a weak
/// and a strong definition, two local functions of the same name in two
/// objects (ambiguous), an import.
fn build_lib() -> Option<(std::path::PathBuf, Vec<u8>)> {
    let dir = std::env::temp_dir().join(format!("bpflink-elf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let a = dir.join("a.c");
    let b = dir.join("b.c");
    let map = dir.join("v.map");
    std::fs::write(
        &a,
        "int foo_v1(void) { return 1; }\n\
         int foo_v2(void) { return 2; }\n\
         __asm__(\".symver foo_v1, foo@V1\");\n\
         __asm__(\".symver foo_v2, foo@@V2\");\n\
         __attribute__((weak)) int wk(void) { return 3; }\n\
         int strong(void) { return 4; }\n\
         static int dup(void) { return 5; }\n\
         int call_a(void) { return dup(); }\n\
         extern int puts(const char *);\n\
         int say(void) { return puts(\"x\"); }\n",
    )
    .unwrap();
    std::fs::write(
        &b,
        "static int dup(void) { return 6; }\nint call_b(void) { return dup() + 1; }\n",
    )
    .unwrap();
    std::fs::write(&map, "V1 { global: foo; say; wk; strong; call_a; call_b; local: *; };\nV2 { global: foo; } V1;\n")
        .unwrap();
    let so = dir.join("libt.so");
    let st = Command::new("cc")
        .args(["-shared", "-fPIC", "-O1", "-fno-inline", "-o"])
        .arg(&so)
        .arg(&a)
        .arg(&b)
        .arg(format!("-Wl,--version-script={}", map.display()))
        .status()
        .ok()?;
    if !st.success() {
        return None;
    }
    let bytes = std::fs::read(&so).unwrap();
    Some((so, bytes))
}

fn nm_offset(so: &std::path::Path, name: &str) -> u64 {
    // nm prints addresses; for a shared object the text section's address
    // equals its file offset plus a constant we compute from readelf.
    let out = Command::new("nm").arg(so).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let addr = text
        .lines()
        .find(|l| l.split_whitespace().nth(2) == Some(name))
        .map(|l| u64::from_str_radix(l.split_whitespace().next().unwrap(), 16).unwrap())
        .unwrap_or_else(|| panic!("{name} not in nm output"));
    let re = Command::new("readelf")
        .args(["-SW"])
        .arg(so)
        .output()
        .unwrap();
    let re = String::from_utf8_lossy(&re.stdout);
    let line = re.lines().find(|l| l.contains(" .text ")).unwrap();
    let f: Vec<&str> = line.split_whitespace().collect();
    let i = f.iter().position(|&x| x == ".text").unwrap();
    let sh_addr = u64::from_str_radix(f[i + 2], 16).unwrap();
    let sh_off = u64::from_str_radix(f[i + 3], 16).unwrap();
    addr - sh_addr + sh_off
}

#[test]
fn elf_symbol_rules() {
    let Some((so, bytes)) = build_lib() else {
        eprintln!("SKIP: no C compiler to build the test library");
        return;
    };
    let path = CString::new(so.to_str().unwrap()).unwrap();
    let file = ElfFile::parse(&bytes);
    assert!(file.is_shared_lib());
    let find = |name: &CStr| {
        let mut m = Msgs::default();
        (elf_sym::find_func_offset(&file, &path, name, &mut m), m.0)
    };
    let strong = nm_offset(&so, "strong");
    assert_eq!(find(c"strong").0, strong as i64);
    assert_eq!(find(c"wk").0, nm_offset(&so, "wk") as i64);
    // foo has two versions at different offsets: ambiguous by bare name.
    let (r, m) = find(c"foo");
    assert_eq!(r, -4001, "{m:?}");
    assert!(m[0].starts_with("ElfAmbiguous"));
    assert_eq!(find(c"foo@V1").0, nm_offset(&so, "foo_v1") as i64);
    assert_eq!(find(c"foo@@V2").0, nm_offset(&so, "foo_v2") as i64);
    assert_eq!(find(c"foo@V3").0, -(libc::ENOENT as i64));
    // Two local `dup`s (only in .symtab): ambiguous too.
    assert_eq!(find(c"dup").0, -4001);
    // Not there: libbpf says "is 0 in symtab" when .symtab exists.
    let (r, m) = find(c"nope");
    assert_eq!(r, -(libc::ENOENT as i64));
    assert!(m.last().unwrap().starts_with("ElfZero"), "{m:?}");
    // `puts` is an import (address 0): "is 0" too.
    let (r, _) = find(c"puts");
    assert_eq!(r, -(libc::ENOENT as i64));

    // Patterns: .symtab first, every match.
    let mut out = CBuf::new();
    elf_sym::resolve_pattern_offsets(&file, &path, c"call_?", &mut out, &mut Msgs::default())
        .unwrap();
    let mut got = out.as_slice().to_vec();
    got.sort();
    let mut want = vec![nm_offset(&so, "call_a"), nm_offset(&so, "call_b")];
    want.sort();
    assert_eq!(got, want);
    let mut none = CBuf::new();
    assert_eq!(
        elf_sym::resolve_pattern_offsets(&file, &path, c"zz*", &mut none, &mut Msgs::default()),
        Err(Errno::ENOENT)
    );
    // Explicit names, in the caller's order.
    let names = [c"strong", c"wk", c"call_b"];
    let (mut off, mut order) = (CBuf::new(), CBuf::new());
    elf_sym::resolve_syms_offsets(
        &file,
        &path,
        3,
        &|i| names[i],
        elf::abi::STT_FUNC,
        &mut off,
        &mut order,
        &mut Msgs::default(),
    )
    .unwrap();
    assert_eq!(
        off.as_slice(),
        [
            nm_offset(&so, "strong"),
            nm_offset(&so, "wk"),
            nm_offset(&so, "call_b")
        ]
    );
    let names = [c"strong", c"missing"];
    let (mut off, mut order) = (CBuf::new(), CBuf::new());
    assert_eq!(
        elf_sym::resolve_syms_offsets(
            &file,
            &path,
            2,
            &|i| names[i],
            elf::abi::STT_FUNC,
            &mut off,
            &mut order,
            &mut Msgs::default()
        ),
        Err(Errno::ENOENT)
    );
    let names = [c"dup"];
    let (mut off, mut order) = (CBuf::new(), CBuf::new());
    assert_eq!(
        elf_sym::resolve_syms_offsets(
            &file,
            &path,
            1,
            &|i| names[i],
            elf::abi::STT_FUNC,
            &mut off,
            &mut order,
            &mut Msgs::default()
        ),
        Err(Errno(libc::ESRCH))
    );

    // Through the uprobe attach, by file: the offset lands in config2.
    let f = uprobe_fake();
    f.blobs
        .borrow_mut()
        .insert(so.to_str().unwrap().to_owned(), bytes.clone());
    attach::attach_uprobe(
        &f,
        PROG,
        -1,
        Some(&path),
        2,
        Some(c"strong"),
        None,
        &mut Msgs::default(),
        &mut Silent,
    )
    .unwrap();
    assert_eq!(attr_fields(&perf_opens(&f)[0].0).4, strong + 2);
}

/// Corrupt and hostile bytes: never a panic, libbpf's error codes.
#[test]
fn elf_garbage() {
    let path = c"/x";
    for data in [
        &b""[..],
        b"\x7fELF",
        b"hello world, not an elf file at all, really",
        &[0u8; 64],
    ] {
        let file = ElfFile::parse(data);
        let r = elf_sym::find_func_offset(&file, path, c"f", &mut Msgs::default());
        assert_eq!(r, -4001, "{data:?}");
    }
    let exe = std::fs::read("/proc/self/exe").unwrap();
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..300 {
        let mut d = exe[..exe.len().min(1 << 16)].to_vec();
        for _ in 0..8 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let i = (x as usize) % d.len();
            d[i] = (x >> 32) as u8;
        }
        let cut = (x as usize >> 3) % d.len();
        for data in [&d[..], &d[..cut]] {
            let file = ElfFile::parse(data);
            let _ = elf_sym::find_func_offset(&file, path, c"main", &mut Msgs::default());
            let mut out = CBuf::new();
            let _ =
                elf_sym::resolve_pattern_offsets(&file, path, c"*", &mut out, &mut Msgs::default());
        }
    }
}

/// uprobe_multi: the rules on arguments, then the link with libbpf's
/// image (path, offsets, cnt, flags, pid = getpid() for 0).
#[test]
fn uprobe_multi_rules_and_image() {
    let f = FakeProbe::new();
    let offs: [u64; 2] = [0x10, 0x20];
    let b = opts(
        abi::UPROBE_MULTI_OPTS,
        &[
            (
                abi::uprobe_multi::OFFSETS,
                &(offs.as_ptr() as usize).to_le_bytes(),
            ),
            (abi::uprobe_multi::CNT, &2usize.to_le_bytes()),
            (abi::uprobe_multi::RETPROBE, &[1]),
        ],
    );
    let t = CallerBytes(&b);
    let o = image(abi::UPROBE_MULTI_OPTS, &b, &t);
    struct NoNames;
    impl attach::SymNames for NoNames {
        fn name(&self, _i: usize) -> Option<&CStr> {
            None
        }
    }
    let path = c"/bin/x";
    let fd = unsafe {
        attach::attach_uprobe_multi(
            &f,
            PROG,
            0,
            Some(path),
            None,
            Some(&o),
            &NoNames,
            &mut Msgs::default(),
            &mut Silent,
        )
    }
    .unwrap();
    assert_eq!(fd, 100);
    let (cmd, a) = &f.kernel.bpf_calls()[0];
    assert_eq!(*cmd, 28);
    assert_eq!(
        (u32_at(a, 0), u32_at(a, 4), u32_at(a, 8), u32_at(a, 12)),
        (7, 0, 48, 0)
    );
    assert_eq!(u64_at(a, 16), path.as_ptr() as u64);
    assert_eq!(u64_at(a, 24), offs.as_ptr() as u64);
    assert_eq!((u32_at(a, 48), u32_at(a, 52), u32_at(a, 56)), (2, 1, 4242));
    // The rules: no path; nothing to attach to; pattern with arrays;
    // syms and offsets both or neither; retprobe with session.
    let none = unsafe {
        attach::attach_uprobe_multi(
            &f,
            PROG,
            -1,
            None,
            Some(c"*"),
            None,
            &NoNames,
            &mut Msgs::default(),
            &mut Silent,
        )
    };
    assert_eq!(none, Err(Errno::EINVAL));
    let nothing = unsafe {
        attach::attach_uprobe_multi(
            &f,
            PROG,
            -1,
            Some(path),
            None,
            None,
            &NoNames,
            &mut Msgs::default(),
            &mut Silent,
        )
    };
    assert_eq!(nothing, Err(Errno::EINVAL));
    let both = unsafe {
        attach::attach_uprobe_multi(
            &f,
            PROG,
            -1,
            Some(path),
            Some(c"*"),
            Some(&o),
            &NoNames,
            &mut Msgs::default(),
            &mut Silent,
        )
    };
    assert_eq!(both, Err(Errno::EINVAL));
    assert_eq!(
        f.kernel.bpf_calls().len(),
        1,
        "no call for refused arguments"
    );
}

/// kprobe_multi: an exact name is one symbol for the kernel; a pattern is
/// resolved from available_filter_functions_addrs, or from
/// available_filter_functions + /proc/kallsyms (read in small pieces).
#[test]
fn kprobe_multi_resolution() {
    let f = FakeProbe::new();
    let pat = c"vfs_read";
    let fd = unsafe {
        attach::attach_kprobe_multi(&f, PROG, Some(pat), None, &mut Msgs::default(), &mut Silent)
    }
    .unwrap();
    assert_eq!(fd, 100);
    let (_, a) = &f.kernel.bpf_calls()[0];
    assert_eq!(u32_at(a, 8), 42);
    assert_eq!(u32_at(a, 20), 1, "cnt");
    assert_ne!(u64_at(a, 24), 0, "syms = &pattern");
    assert_eq!(u64_at(a, 32), 0, "no addrs");

    let f = FakeProbe::new();
    f.accessible
        .borrow_mut()
        .push("/sys/kernel/tracing/available_filter_functions_addrs".into());
    f.file(
        "/sys/kernel/tracing/available_filter_functions_addrs",
        "ffffffff81000010 vfs_read\nffffffff81000020 vfs_write [ext4]\nffffffff81000030 vfs_readv\n",
    );
    unsafe {
        attach::attach_kprobe_multi(
            &f,
            PROG,
            Some(c"vfs_read*"),
            None,
            &mut Msgs::default(),
            &mut Silent,
        )
    }
    .unwrap();
    let (_, a) = &f.kernel.bpf_calls()[0];
    assert_eq!(u32_at(a, 20), 2, "vfs_read and vfs_readv");

    let f = FakeProbe::new();
    f.file(
        "/sys/kernel/tracing/available_filter_functions",
        "vfs_read\nvfs_write [ext4]\nksys_read\n",
    );
    f.file(
        "/proc/kallsyms",
        "ffffffff81000010 T vfs_read\nffffffff81000020 t vfs_write.llvm.123 [ext4]\nffffffff81000030 T other\n",
    );
    let mut m = Msgs::default();
    unsafe { attach::attach_kprobe_multi(&f, PROG, Some(c"vfs_*"), None, &mut m, &mut Silent) }
        .unwrap();
    let (_, a) = &f.kernel.bpf_calls()[0];
    assert_eq!(
        u32_at(a, 20),
        2,
        "vfs_read and vfs_write (its .llvm. suffix tolerated): {m:?}"
    );
    // unique_match with two matches.
    let f = FakeProbe::new();
    f.file("/sys/kernel/tracing/available_filter_functions", "a1\na2\n");
    f.file("/proc/kallsyms", "1 T a1\n2 T a2\n");
    let b = opts(
        abi::KPROBE_MULTI_OPTS,
        &[(abi::kprobe_multi::UNIQUE_MATCH, &[1])],
    );
    let t = CallerBytes(&b);
    let o = image(abi::KPROBE_MULTI_OPTS, &b, &t);
    let mut m = Msgs::default();
    let r = unsafe {
        attach::attach_kprobe_multi(&f, PROG, Some(c"a?"), Some(&o), &mut m, &mut Silent)
    };
    assert_eq!(r, Err(Errno::EINVAL));
    assert!(m.0.iter().any(|s| s.contains("NotUnique")));
    // The kernel's ESRCH for an exact name becomes ENOENT.
    let f = FakeProbe::new();
    f.kernel.answer(Answer::err(Errno(libc::ESRCH)));
    let r = unsafe {
        attach::attach_kprobe_multi(
            &f,
            PROG,
            Some(c"nope"),
            None,
            &mut Msgs::default(),
            &mut Silent,
        )
    };
    assert_eq!(r, Err(Errno::ENOENT));
}

#[test]
fn resolve_full_path_search() {
    let f = FakeProbe::new();
    f.accessible
        .borrow_mut()
        .push("/lib/x86_64-linux-gnu/libz.so.1".into());
    let r = attach::attach_uprobe(
        &f,
        PROG,
        -1,
        Some(c"libz.so.1"),
        0,
        Some(c"f"),
        None,
        &mut Msgs::default(),
        &mut Silent,
    );
    assert!(r.is_err());
    let access: Vec<String> = f
        .probe_calls()
        .into_iter()
        .filter_map(|c| match c {
            ProbeCall::Access { path, mode } => Some(format!("{path} {mode}")),
            _ => None,
        })
        .collect();
    assert_eq!(
        access,
        vec![
            "/usr/lib64/libz.so.1 4",
            "/usr/lib/libz.so.1 4",
            "/lib/x86_64-linux-gnu/libz.so.1 4"
        ]
    );
    assert!(f.probe_calls().contains(&ProbeCall::ReadFile(
        "/lib/x86_64-linux-gnu/libz.so.1".into()
    )));
    let _ = f.getpid();
}
