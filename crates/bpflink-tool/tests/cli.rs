//! The `bpflink` tool against the real kernel and against Debian's
//! `bpftool` 7.1 (built on libbpf 1.1 / Linux 6.1 headers).
//!
//! Links of eleven kinds are created with the Rust API in a private network
//! and mount namespace (tests/common: `isolated`; the tool and bpftool run
//! as child processes of that thread, so they see the same `lo`, cgroup
//! mount and bpffs). Then `bpflink list --json`, `bpflink show ID --json`
//! and `bpftool --json link show [id ID]` are parsed and compared field by
//! field for *our* links only: other processes on the machine (other
//! tests) create and release links all the time, so whole listings are
//! never compared.
//!
//! Where the two legitimately differ, the comparison says why:
//!
//! * bpftool 7.1 names only the link types its libbpf 1.1 knows: `tcx`
//!   (11), `netfilter` (10), `uprobe_multi` (12) and `sockmap` (14) come out
//!   as bare numbers (`"type":11`), and it prints no details for them. We
//!   compare those numbers with bpflink's `type_id`.
//! * bpftool 7.1 prints no `ifindex` for XDP links, no cookies, no program
//!   names, and nothing for perf_event links; bpflink does. Those fields are
//!   checked against what the test created instead.
//! * bpftool's `attach_type` exists only for cgroup and netns links; bpflink
//!   also reports it for tcx (and sockmap, tracing, netkit).
//!
//! The text output of both tools is only checked for the presence of each
//! link (the formats differ by design).
//!
//! Also covered: `show PATH`, `pin`, `detach`, `update [--replace]`, and the
//! messages and exit codes of the usual failures (not root, no such link,
//! path not on bpffs, detach/update not supported by the link type, usage).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;
use std::process::{Command, Output};

use bpflink::Link;
use bpflink::{
    CgroupAttach, NetnsAttach, NfHook, NfProto, SockmapAttach, TcxDirection, TracingAttach,
};
use bpflink_testkit::kernel_test_with_bpffs as runner;
use bpflink_testkit::*;

// ---------------------------------------------------------------- running

fn bpflink(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bpflink"))
        .args(args)
        .output()
        .expect("run bpflink")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Runs bpflink, expects success, returns stdout.
fn ok(args: &[&str]) -> String {
    let o = bpflink(args);
    let (out, err) = text(&o);
    assert!(o.status.success(), "bpflink {args:?} failed: {err}");
    out
}

/// Runs bpflink, expects exit status `code`, returns stderr.
fn fails(args: &[&str], code: i32) -> String {
    let o = bpflink(args);
    let (out, err) = text(&o);
    assert_eq!(
        o.status.code(),
        Some(code),
        "bpflink {args:?}: stdout {out} stderr {err}"
    );
    err
}

/// `bpftool --json <args>`, or `None` when bpftool is not installed (a
/// skip; `make deps` installs it).
fn bpftool_json(args: &[&str]) -> Result<Json, Skip> {
    let o = Command::new("bpftool")
        .arg("--json")
        .args(args)
        .output()
        .map_err(|e| Skip(format!("bpftool not runnable ({e}); run `make deps`")))?;
    let (out, err) = text(&o);
    assert!(o.status.success(), "bpftool {args:?}: {err}");
    Ok(parse_json(&out))
}

// ------------------------------------------------------------------ JSON

/// Just enough JSON for the two tools' output.
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Num(i128),
    Str(String),
    Arr(Vec<Json>),
    Obj(BTreeMap<String, Json>),
}

impl Json {
    fn get(&self, k: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.get(k),
            _ => None,
        }
    }
    fn num(&self, k: &str) -> i128 {
        match self.get(k) {
            Some(Json::Num(n)) => *n,
            other => panic!("{k}: not a number: {other:?} in {self:?}"),
        }
    }
    fn str(&self, k: &str) -> &str {
        match self.get(k) {
            Some(Json::Str(s)) => s,
            other => panic!("{k}: not a string: {other:?} in {self:?}"),
        }
    }
    fn arr(&self) -> &[Json] {
        match self {
            Json::Arr(a) => a,
            other => panic!("not an array: {other:?}"),
        }
    }
    fn keys(&self) -> Vec<&str> {
        match self {
            Json::Obj(m) => m.keys().map(String::as_str).collect(),
            _ => vec![],
        }
    }
}

fn parse_json(s: &str) -> Json {
    let b = s.as_bytes();
    let mut i = 0;
    let v = value(b, &mut i);
    ws(b, &mut i);
    assert_eq!(i, b.len(), "trailing text after JSON: {s}");
    v
}

fn ws(b: &[u8], i: &mut usize) {
    while *i < b.len() && b[*i].is_ascii_whitespace() {
        *i += 1;
    }
}

fn value(b: &[u8], i: &mut usize) -> Json {
    ws(b, i);
    match b[*i] {
        b'{' => {
            *i += 1;
            let mut m = BTreeMap::new();
            ws(b, i);
            if b[*i] == b'}' {
                *i += 1;
                return Json::Obj(m);
            }
            loop {
                ws(b, i);
                let Json::Str(k) = value(b, i) else {
                    panic!("object key at {i}")
                };
                ws(b, i);
                assert_eq!(b[*i], b':');
                *i += 1;
                let v = value(b, i);
                m.insert(k, v);
                ws(b, i);
                *i += 1;
                match b[*i - 1] {
                    b',' => continue,
                    b'}' => return Json::Obj(m),
                    c => panic!("unexpected {:?} in object", c as char),
                }
            }
        }
        b'[' => {
            *i += 1;
            let mut a = Vec::new();
            ws(b, i);
            if b[*i] == b']' {
                *i += 1;
                return Json::Arr(a);
            }
            loop {
                a.push(value(b, i));
                ws(b, i);
                *i += 1;
                match b[*i - 1] {
                    b',' => continue,
                    b']' => return Json::Arr(a),
                    c => panic!("unexpected {:?} in array", c as char),
                }
            }
        }
        b'"' => {
            *i += 1;
            let mut out = String::new();
            loop {
                let c = b[*i];
                *i += 1;
                match c {
                    b'"' => return Json::Str(out),
                    b'\\' => {
                        let e = b[*i];
                        *i += 1;
                        match e {
                            b'n' => out.push('\n'),
                            b't' => out.push('\t'),
                            b'r' => out.push('\r'),
                            b'u' => {
                                let h = std::str::from_utf8(&b[*i..*i + 4]).unwrap();
                                out.push(
                                    char::from_u32(u32::from_str_radix(h, 16).unwrap()).unwrap(),
                                );
                                *i += 4;
                            }
                            other => out.push(other as char),
                        }
                    }
                    _ => {
                        // Copy a whole UTF-8 sequence.
                        let start = *i - 1;
                        while *i < b.len() && b[*i] & 0xc0 == 0x80 {
                            *i += 1;
                        }
                        out.push_str(std::str::from_utf8(&b[start..*i]).unwrap());
                    }
                }
            }
        }
        b't' => {
            *i += 4;
            Json::Bool(true)
        }
        b'f' => {
            *i += 5;
            Json::Bool(false)
        }
        b'n' => {
            *i += 4;
            Json::Null
        }
        _ => {
            let start = *i;
            while *i < b.len() && (b[*i] == b'-' || b[*i].is_ascii_digit()) {
                *i += 1;
            }
            Json::Num(std::str::from_utf8(&b[start..*i]).unwrap().parse().unwrap())
        }
    }
}

#[test]
fn json_parser_handles_both_tools() {
    let v = parse_json(r#"[{"a":1,"b":"x\"y","c":[-2,true,null],"d":{}},{}]"#);
    assert_eq!(v.arr().len(), 2);
    assert_eq!(v.arr()[0].num("a"), 1);
    assert_eq!(v.arr()[0].str("b"), "x\"y");
    assert_eq!(
        v.arr()[0].get("c"),
        Some(&Json::Arr(vec![
            Json::Num(-2),
            Json::Bool(true),
            Json::Null
        ]))
    );
}

// ------------------------------------------------------------- fixtures

/// `perf_event_open(SOFTWARE, PAGE_FAULTS)` on this thread, disabled.
fn sw_perf_event() -> OwnedFd {
    let mut attr = [0u8; 128];
    attr[0..4].copy_from_slice(&1u32.to_ne_bytes());
    attr[4..8].copy_from_slice(&128u32.to_ne_bytes());
    attr[8..16].copy_from_slice(&2u64.to_ne_bytes());
    attr[16..24].copy_from_slice(&1_000_000u64.to_ne_bytes());
    attr[40] = 1;
    // SAFETY: `attr` is a perf_event_attr of the size it declares.
    let fd = unsafe { libc::syscall(libc::SYS_perf_event_open, attr.as_ptr(), 0, -1, -1, 8u64) };
    assert!(fd >= 0, "perf_event_open: {}", errname(errno()));
    // SAFETY: just opened, owned here.
    unsafe { OwnedFd::from_raw_fd(fd as i32) }
}

#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn bpflink_cli_uprobe_target(x: u64) -> u64 {
    std::hint::black_box(x + 1)
}

/// (file, file offset) of this binary's code at `addr`.
fn file_offset(addr: u64) -> (String, u64) {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    for line in maps.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (s, e) = f[0].split_once('-').unwrap();
        let (s, e) = (
            u64::from_str_radix(s, 16).unwrap(),
            u64::from_str_radix(e, 16).unwrap(),
        );
        if (s..e).contains(&addr) {
            return (
                f[5].to_owned(),
                addr - s + u64::from_str_radix(f[2], 16).unwrap(),
            );
        }
    }
    panic!("{addr:#x} is not mapped");
}

fn sockmap_fd() -> Result<OwnedFd, Skip> {
    let mut a = [0u8; 64];
    a[0..4].copy_from_slice(&15u32.to_ne_bytes());
    a[4..8].copy_from_slice(&4u32.to_ne_bytes());
    a[8..12].copy_from_slice(&4u32.to_ne_bytes());
    a[12..16].copy_from_slice(&2u32.to_ne_bytes());
    match sys_bpf(0, &mut a) {
        Ok(fd) => Ok(own(fd as i32, "BPF_MAP_CREATE(SOCKMAP)")),
        Err(e) => Err(Skip(format!("BPF_MAP_CREATE(SOCKMAP): {}", errname(e)))),
    }
}

/// What the test made, to check the fields bpftool 7.1 does not show.
struct Made {
    link: Link,
    id: u32,
    /// bpflink's `type`.
    kind: &'static str,
    prog_name: &'static str,
    /// Fields bpflink must report (from what we created).
    expect: Vec<(&'static str, Json)>,
}

fn s(v: &str) -> Json {
    Json::Str(v.to_owned())
}

fn n(v: impl Into<i128>) -> Json {
    Json::Num(v.into())
}

// ---------------------------------------------------------------- tests

/// Eleven link kinds; `bpflink list --json`, `bpflink show ID --json` and
/// `bpftool --json link show id ID` agree on every field they share, and
/// bpflink's extra fields match what was created.
#[test]
fn list_and_show_agree_with_bpftool() {
    runner(|_env| {
        let cg = Cgroup::new()?;
        let ns = std::fs::File::open("/proc/thread-self/ns/net").unwrap();
        let ns_ino = {
            use std::os::unix::fs::MetadataExt;
            ns.metadata().unwrap().ino()
        };
        let xdp = load_trivial(6, 37, 0, XDP_PASS, "cli_xdp")?;
        let tcx = load_trivial(3, 0, 0, 0, "cli_tcx")?;
        let cgp = load_trivial(8, 1, 0, 1, "cli_cg")?;
        let skl = load_trivial(30, 36, 0, 1, "cli_sklookup")?;
        let nf = load_trivial(32, 45, 0, 1, "cli_nf")?;
        let rtp = load_trivial(17, 0, 0, 0, "cli_rawtp")?;
        let tp_btf_id = btf_find(btf_kind::TYPEDEF, "btf_trace_sys_enter")?;
        let tpb = load_trivial(26, 23, tp_btf_id, 0, "cli_tpbtf")?;
        let iter_btf = btf_find(btf_kind::FUNC, "bpf_iter_task")?;
        let insns = iter_task_insns();
        let itp = must_load(ProgSpec {
            prog_type: 26,
            expected_attach_type: 28,
            attach_btf_id: iter_btf,
            insns: &insns,
            name: "cli_iter",
        })?;
        let pep = load_trivial(7, 0, 0, 0, "cli_perf")?;
        let ump = load_trivial(2, 48, 0, 0, "cli_umulti")?;
        let skp = load_trivial(14, 38, 0, 1, "cli_skskb")?;
        let map = sockmap_fd()?;
        let ev = sw_perf_event();
        let (upath, uoff) = file_offset(bpflink_cli_uprobe_target as *const () as usize as u64);
        let tid = std::process::id(); // any task id; the iterator is not read
        let cg_id = cg.ino;

        let mut made: Vec<Made> = Vec::new();
        let mut add = |link: Link, kind, prog_name, expect: Vec<(&'static str, Json)>| {
            let id = link.id().unwrap();
            made.push(Made {
                link,
                id,
                kind,
                prog_name,
                expect,
            });
        };
        add(
            Link::xdp(xdp.as_fd(), 1).create().unwrap(),
            "xdp",
            "cli_xdp",
            vec![("ifindex", n(1)), ("ifname", s("lo"))],
        );
        add(
            Link::tcx(tcx.as_fd(), 1, TcxDirection::Egress)
                .create()
                .unwrap(),
            "tcx",
            "cli_tcx",
            vec![
                ("ifindex", n(1)),
                ("ifname", s("lo")),
                ("attach_type", s("tcx_egress")),
            ],
        );
        add(
            Link::cgroup(cgp.as_fd(), cg.fd.as_fd(), CgroupAttach::InetEgress)
                .create()
                .unwrap(),
            "cgroup",
            "cli_cg",
            vec![
                ("cgroup_id", n(cg_id)),
                ("cgroup_path", s(cg.path.to_str().unwrap())),
            ],
        );
        add(
            Link::netns(skl.as_fd(), ns.as_fd(), NetnsAttach::SkLookup)
                .create()
                .unwrap(),
            "netns",
            "cli_sklookup",
            vec![
                ("netns_ino", n(ns_ino)),
                ("netns_current", Json::Bool(true)),
            ],
        );
        add(
            Link::netfilter(nf.as_fd(), NfProto::Ipv4, NfHook::LocalIn, -50, false)
                .create()
                .unwrap(),
            "netfilter",
            "cli_nf",
            vec![
                ("pf", n(2)),
                ("hooknum", n(1)),
                ("prio", n(-50)),
                ("flags", n(0)),
            ],
        );
        add(
            Link::raw_tracepoint(rtp.as_fd(), "sys_enter")
                .cookie(3)
                .create()
                .unwrap(),
            "raw_tracepoint",
            "cli_rawtp",
            vec![("tp_name", s("sys_enter")), ("cookie", n(3))],
        );
        add(
            Link::tracing(tpb.as_fd(), TracingAttach::RawTp)
                .create()
                .unwrap(),
            "raw_tracepoint",
            "cli_tpbtf",
            vec![("tp_name", s("sys_enter"))],
        );
        add(
            Link::iter(itp.as_fd()).task(tid).create().unwrap(),
            "iter",
            "cli_iter",
            vec![("target_name", s("task")), ("tid", n(tid))],
        );
        add(
            Link::perf_event(pep.as_fd(), ev.as_fd())
                .cookie(77)
                .create()
                .unwrap(),
            "perf_event",
            "cli_perf",
            vec![
                ("event_type", s("event")),
                ("event_type_id", n(1)),
                ("event_config", n(2)),
                ("cookie", n(77)),
            ],
        );
        let offs = [uoff];
        add(
            Link::uprobe_multi(ump.as_fd(), &upath, &offs)
                .cookies(&[5])
                .create()
                .unwrap(),
            "uprobe_multi",
            "cli_umulti",
            vec![
                ("path", s(&upath)),
                ("offsets", Json::Arr(vec![n(uoff)])),
                ("cookies", Json::Arr(vec![n(5)])),
            ],
        );
        add(
            Link::sockmap(skp.as_fd(), map.as_fd(), SockmapAttach::SkSkbVerdict)
                .create()
                .unwrap(),
            "sockmap",
            "cli_skskb",
            vec![("attach_type", s("sk_skb_verdict"))],
        );

        // --- bpflink list --json and bpftool link show (whole listings)
        let list = parse_json(&ok(&["list", "--json"]));
        let listed: BTreeMap<i128, &Json> = list.arr().iter().map(|o| (o.num("id"), o)).collect();
        let tool_all = bpftool_json(&["link", "show"])?;
        let tool_ids: Vec<i128> = tool_all.arr().iter().map(|o| o.num("id")).collect();
        let table = ok(&["list"]);

        for m in &made {
            let id = i128::from(m.id);
            let ours = listed
                .get(&id)
                .unwrap_or_else(|| panic!("bpflink list lacks link {id} ({})", m.kind));
            assert!(tool_ids.contains(&id), "bpftool link show lacks {id}");
            assert!(
                table.lines().any(|l| l.starts_with(&format!("{id} "))),
                "text list lacks {id}:\n{table}"
            );

            // --- show ID --json is the same object as the list's.
            let shown = parse_json(&ok(&["show", &m.id.to_string(), "--json"]));
            assert_eq!(&&shown, ours, "show {id} vs list");

            // --- against bpftool, field by field.
            let theirs = bpftool_json(&["link", "show", "id", &m.id.to_string()])?;
            println!("{} {id}: bpftool keys {:?}", m.kind, theirs.keys());
            assert_eq!(theirs.num("id"), id);
            assert_eq!(theirs.num("prog_id"), ours.num("prog_id"), "{id} prog_id");
            match theirs.get("type") {
                Some(Json::Str(t)) => assert_eq!(t, ours.str("type"), "{id} type"),
                // bpftool 7.1 does not know this link type's name.
                Some(Json::Num(t)) => {
                    assert_eq!(*t, ours.num("type_id"), "{id} type number");
                    assert!(
                        ["tcx", "netfilter", "uprobe_multi", "sockmap"].contains(&m.kind),
                        "bpftool should know the name of {}",
                        m.kind
                    );
                }
                other => panic!("bpftool type of {id}: {other:?}"),
            }
            assert_eq!(ours.str("type"), m.kind);
            for k in theirs.keys() {
                if matches!(k, "id" | "type" | "prog_id") {
                    continue;
                }
                // Every other field bpftool prints, bpflink prints with the
                // same name and value (cgroup_id, attach_type, netns_ino,
                // tp_name, target_name, tid).
                assert_eq!(
                    ours.get(k),
                    theirs.get(k),
                    "link {id} ({}): field {k}: bpflink {ours:?} bpftool {theirs:?}",
                    m.kind
                );
            }

            // --- what bpftool 7.1 does not show: checked against what we made.
            assert_eq!(ours.str("prog_name"), m.prog_name, "{id} prog_name");
            for (k, v) in &m.expect {
                assert_eq!(
                    ours.get(k),
                    Some(v),
                    "link {id} ({}) field {k}: {ours:?}",
                    m.kind
                );
            }
            assert_eq!(u32::try_from(ours.num("id")).unwrap(), m.link.id().unwrap());
        }
        Ok(())
    });
}

/// `show PATH`, `pin`, `update --replace`, `detach`, as bpftool sees them.
#[test]
fn pin_update_detach_round_trip() {
    runner(|env| {
        let p1 = load_trivial(6, 37, 0, XDP_PASS, "cli_xdp1")?;
        let p2 = load_trivial(6, 37, 0, XDP_PASS, "cli_xdp2")?;
        let (id1, id2) = (prog_id(&p1), prog_id(&p2));
        let link = Link::xdp(p1.as_fd(), 1).create().unwrap();
        let id = link.id().unwrap().to_string();
        let pin = env.bpffs.as_ref().unwrap().join("xdp_pin");
        let pin_s = pin.to_str().unwrap();

        let out = ok(&["pin", &id, pin_s]);
        assert_eq!(out.trim(), format!("pinned link {id} (xdp) at {pin_s}"));
        let shown = parse_json(&ok(&["show", pin_s, "--json"]));
        assert_eq!(shown.num("id").to_string(), id);
        let theirs = bpftool_json(&["link", "show", "pinned", pin_s])?;
        assert_eq!(theirs.num("id").to_string(), id);
        // Text `show`: one "key: value" line each.
        let text = ok(&["show", pin_s]);
        assert!(text.contains("type:         xdp"), "{text}");
        assert!(
            text.contains(&format!("prog:         {id1} (cli_xdp1, xdp)")),
            "{text}"
        );

        // update with the wrong --replace: EPERM, explained.
        let err = fails(
            &[
                "update",
                &id,
                &id2.to_string(),
                "--replace",
                &id2.to_string(),
            ],
            1,
        );
        assert!(
            err.contains("(EPERM): the link's current program is not the one given to replace"),
            "{err}"
        );
        let out = ok(&[
            "update",
            pin_s,
            &id2.to_string(),
            "--replace",
            &id1.to_string(),
        ]);
        assert_eq!(
            out.trim(),
            format!("updated link {id} (xdp): program {id1} -> {id2}")
        );
        assert_eq!(
            bpftool_json(&["link", "show", "id", &id])?.num("prog_id"),
            i128::from(id2)
        );
        let out = ok(&["update", &id, &id1.to_string()]);
        assert!(out.contains(&format!("program {id2} -> {id1}")), "{out}");

        let out = ok(&["detach", &id]);
        assert_eq!(out.trim(), format!("detached link {id} (xdp)"));
        let shown = parse_json(&ok(&["show", &id, "--json"]));
        assert_eq!(shown.num("ifindex"), 0);
        assert_eq!(shown.str("target"), "dev (detached)");
        // bpftool still lists it (detached links live on until closed).
        assert_eq!(
            bpftool_json(&["link", "show", "id", &id])?
                .num("id")
                .to_string(),
            id
        );
        std::fs::remove_file(&pin).unwrap();
        Ok(())
    });
}

/// The usual failures: clear messages and exit codes.
#[test]
fn failure_messages() {
    runner(|env| {
        // Unknown id.
        let err = fails(&["show", "4294967295"], 1);
        assert!(
            err.contains("link 4294967295: open link by id: No such file or directory (ENOENT): no object with this id"),
            "{err}"
        );
        // A path where bpffs is not mounted.
        let err = fails(&["show", "/proc/nonexistent-pin"], 1);
        assert!(err.contains("not bpffs"), "{err}");
        // Something that is not a pinned object: EACCES from the kernel,
        // explained by the path, not by privileges (we are root).
        let tmp = std::env::temp_dir().canonicalize().unwrap();
        for p in [Path::new("/proc/self/status"), &tmp] {
            let err = fails(&["show", p.to_str().unwrap()], 1);
            assert!(err.contains("(EACCES)"), "{err}");
            assert!(
                err.contains(&format!("{} is on ", p.display())) && err.contains(", not bpffs"),
                "{err}"
            );
            assert!(!err.contains("root"), "{err}");
        }
        let dir = env.bpffs.as_ref().unwrap();
        let err = fails(&["show", dir.to_str().unwrap()], 1);
        assert!(err.contains("is a directory, not a pinned object"), "{err}");
        let err = fails(&["show", dir.join("none").to_str().unwrap()], 1);
        assert!(err.contains("(ENOENT): nothing is pinned at "), "{err}");

        let p = load_trivial(6, 37, 0, XDP_PASS, "cli_xdp_err")?;
        let link = Link::xdp(p.as_fd(), 1).create().unwrap();
        let id = link.id().unwrap().to_string();
        // Pin outside bpffs.
        let tmp = std::env::temp_dir().join(unique_name());
        std::fs::create_dir(&tmp).unwrap();
        let target = tmp.join("l");
        let err = fails(&["pin", &id, target.to_str().unwrap()], 1);
        std::fs::remove_dir(&tmp).unwrap();
        assert!(
            err.contains("(EPERM)") && err.contains("not bpffs"),
            "{err}"
        );
        // Pin twice.
        let pin = env.bpffs.as_ref().unwrap().join("twice");
        ok(&["pin", &id, pin.to_str().unwrap()]);
        let err = fails(&["pin", &id, pin.to_str().unwrap()], 1);
        assert!(err.contains("(EEXIST): the path already exists"), "{err}");
        std::fs::remove_file(&pin).unwrap();

        // A kind without detach / without update.
        let btf = btf_find(btf_kind::FUNC, "bpf_iter_task")?;
        let insns = iter_task_insns();
        let itp = must_load(ProgSpec {
            prog_type: 26,
            expected_attach_type: 28,
            attach_btf_id: btf,
            insns: &insns,
            name: "cli_iter_err",
        })?;
        let it = Link::iter(itp.as_fd()).create().unwrap();
        let iid = it.id().unwrap().to_string();
        let err = fails(&["detach", &iid], 1);
        assert!(
            err.contains(&format!("link {iid} (iter): detach link: Operation not supported (EOPNOTSUPP): this link type cannot be detached")),
            "{err}"
        );
        let nf = load_trivial(32, 45, 0, 1, "cli_nf_err")?;
        let nfl = Link::netfilter(nf.as_fd(), NfProto::Ipv4, NfHook::LocalOut, 7, false)
            .create()
            .unwrap();
        let nid = nfl.id().unwrap().to_string();
        let err = fails(&["update", &nid, &prog_id(&nf).to_string()], 1);
        assert!(err.contains("(netfilter): update link: Operation not supported (EOPNOTSUPP): this link type cannot be updated"), "{err}");

        // Not root: uid 65534 through setpriv (util-linux).
        let o = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_bpflink"))
            .args(["show", &id])
            .output();
        match o {
            Ok(o) if o.status.code() != Some(127) => {
                let (_, err) = text(&o);
                assert_eq!(o.status.code(), Some(1), "{err}");
                assert!(err.contains("(EPERM): need root / CAP_BPF"), "{err}");
                assert!(err.contains("you are not root"), "{err}");
            }
            _ => println!("note: setpriv not available; not-root message not checked"),
        }

        Ok(())
    });
}

/// Every command's `--help` and `bpflink help CMD` print that command's
/// help (and exit 0); a usage error is one line and a hint, exit 2.
#[test]
fn help_and_usage_errors() {
    let top = ok(&["--help"]);
    assert!(top.contains("Usage: bpflink <COMMAND>"), "{top}");
    assert_eq!(ok(&["help"]), top);
    for cmd in [
        "list",
        "show",
        "pin",
        "detach",
        "update",
        "version",
        "completions",
    ] {
        let help = ok(&[cmd, "--help"]);
        assert!(
            help.contains(&format!("Usage: bpflink {cmd}")),
            "{cmd} --help:\n{help}"
        );
        assert!(top.contains(&format!("  {cmd} ")), "top help lacks {cmd}");
        assert_eq!(ok(&["help", cmd]), help, "help {cmd} vs {cmd} --help");
        // -h: the short form, still this command's.
        assert!(ok(&[cmd, "-h"]).contains(&format!("Usage: bpflink {cmd}")));
    }
    // What each command's help must tell.
    assert!(ok(&["show", "--help"]).contains("<ID|PATH>"));
    assert!(ok(&["update", "--help"]).contains("--replace <OLD_PROG_ID>"));
    assert!(ok(&["list", "--help"]).contains("--pretty"));
    assert!(ok(&["list", "--help"]).contains("--bpffs"));
    assert!(ok(&["version"]).starts_with("bpflink 0.1.0"));
    assert!(ok(&["--version"]).starts_with("bpflink 0.1.0"));

    for (args, says, hint) in [
        (
            &[][..],
            "no command given (one of: list, show, pin",
            "bpflink --help",
        ),
        (
            &["frobnicate"][..],
            "unrecognized subcommand 'frobnicate'",
            "bpflink --help",
        ),
        (
            &["lst"][..],
            "(did you mean 'ls' or 'list'?)",
            "bpflink --help",
        ),
        (&["show"][..], "missing <ID|PATH>", "bpflink show --help"),
        (&["pin", "12"][..], "missing <PATH>", "bpflink pin --help"),
        (
            &["pin", "x", "/sys/fs/bpf/y"][..],
            "invalid value 'x' for '<ID>': must be a positive number",
            "bpflink pin --help",
        ),
        (
            &["update", "1", "0"][..],
            "invalid value '0' for '<PROG_ID>': must be a positive number",
            "bpflink update --help",
        ),
        (
            &["update", "1", "2", "--replace"][..],
            "a value is required for '--replace <OLD_PROG_ID>'",
            "bpflink update --help",
        ),
        (
            &["list", "--jsn"][..],
            "unexpected argument '--jsn' found (did you mean '--json'?)",
            "bpflink list --help",
        ),
        (
            &["list", "--xml"][..],
            "unexpected argument '--xml' found",
            "bpflink list --help",
        ),
        (
            &["show", "1", "2"][..],
            "unexpected argument '2' found",
            "bpflink show --help",
        ),
    ] {
        let err = fails(args, 2);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 2, "{args:?}: one line and the hint:\n{err}");
        assert!(lines[0].starts_with("bpflink: "), "{args:?}: {err}");
        assert!(lines[0].contains(says), "{args:?}: {err}");
        assert_eq!(lines[1], format!("bpflink: try '{hint}'"), "{args:?}");
    }
    // Help and version on stdout, errors on stderr, nothing else.
    let o = bpflink(&["list", "--help"]);
    assert!(o.stderr.is_empty());
    let o = bpflink(&["list", "--xml"]);
    assert!(o.stdout.is_empty());
}

/// `--pretty` is the same JSON, indented; `--bpffs` finds every pin of a
/// link on every mounted bpffs, as `bpftool link show -f` does.
#[test]
fn pretty_json_and_pins_like_bpftool() {
    runner(|env| {
        let p = load_trivial(6, 37, 0, XDP_PASS, "cli_xdp_pins")?;
        let link = Link::xdp(p.as_fd(), 1).create().unwrap();
        let id = link.id().unwrap().to_string();
        let dir = env.bpffs.as_ref().unwrap();
        std::fs::create_dir(dir.join("sub")).unwrap();
        let pins = [dir.join("a_pin"), dir.join("sub").join("b_pin")];
        for pin in &pins {
            link.pin(pin).unwrap();
        }
        // A pinned program is not a link: not listed.
        let prog_pin = dir.join("a_prog");
        let c = std::ffi::CString::new(prog_pin.to_str().unwrap()).unwrap();
        let mut a = [0u8; 20];
        a[0..8].copy_from_slice(&(c.as_ptr() as u64).to_ne_bytes());
        a[8..12].copy_from_slice(&(std::os::fd::AsRawFd::as_raw_fd(&p) as u32).to_ne_bytes());
        sys_bpf(6, &mut a).unwrap();

        let compact = ok(&["show", &id, "--json"]);
        let pretty = ok(&["show", &id, "--pretty"]);
        assert_eq!(compact.lines().count(), 1, "{compact}");
        assert!(pretty.lines().count() > 10, "{pretty}");
        assert!(pretty.contains("\n  \"id\": "), "{pretty}");
        assert_eq!(parse_json(&compact), parse_json(&pretty));
        assert!(
            parse_json(&compact).get("pinned").is_none(),
            "pins only when asked"
        );
        let list_pretty = parse_json(&ok(&["list", "--pretty", "--json"]));
        assert!(
            list_pretty
                .arr()
                .iter()
                .any(|o| o.num("id").to_string() == id)
        );

        let want: Vec<Json> = pins.iter().map(|p| s(p.to_str().unwrap())).collect();
        let shown = parse_json(&ok(&["show", &id, "--json", "--bpffs"]));
        assert_eq!(shown.get("pinned"), Some(&Json::Arr(want.clone())));
        let listed = parse_json(&ok(&["list", "-j", "-f"]));
        let ours = listed
            .arr()
            .iter()
            .find(|o| o.num("id").to_string() == id)
            .unwrap();
        assert_eq!(ours.get("pinned"), Some(&Json::Arr(want.clone())));
        // Links without pins get an empty list.
        assert!(
            listed
                .arr()
                .iter()
                .all(|o| matches!(o.get("pinned"), Some(Json::Arr(_)))),
            "{listed:?}"
        );

        let theirs = bpftool_json(&["link", "show", "id", &id, "--bpffs"])?;
        let mut their_pins = theirs.get("pinned").unwrap().arr().to_vec();
        their_pins.sort_by_key(|j| format!("{j:?}"));
        assert_eq!(their_pins, want, "bpftool -f: {theirs:?}");

        // Text: `show` has a pinned: line per pin, `list` an indented line.
        let text = ok(&["show", &id, "-f"]);
        for p in &pins {
            assert!(
                text.contains(&format!("pinned:       {}\n", p.display())),
                "{text}"
            );
        }
        let table = ok(&["list", "--bpffs"]);
        let at = table
            .lines()
            .position(|l| l.starts_with(&format!("{id} ")))
            .unwrap();
        let below: Vec<&str> = table.lines().skip(at + 1).take(2).collect();
        assert_eq!(
            below,
            pins.iter()
                .map(|p| format!("    pinned {}", p.display()))
                .collect::<Vec<_>>(),
            "{table}"
        );
        for p in &pins {
            std::fs::remove_file(p).unwrap();
        }
        std::fs::remove_file(&prog_pin).unwrap();
        std::fs::remove_dir(dir.join("sub")).unwrap();
        Ok(())
    });
}

// ------------------------------------------------------------ bpflink attach

/// `BPF_OBJ_PIN` of a program fd at `path` (raw: the tool is under test).
fn pin_prog(prog: &OwnedFd, path: &std::path::Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    let mut attr = [0u8; 20];
    attr[0..8].copy_from_slice(&(c.as_ptr() as u64).to_ne_bytes());
    attr[8..12].copy_from_slice(&(prog.as_raw_fd() as u32).to_ne_bytes());
    sys_bpf(6, &mut attr).unwrap_or_else(|e| panic!("BPF_OBJ_PIN: {}", errname(e)));
}

/// `bpflink attach KIND PROG …`: the program by id or by pin, the link
/// pinned, and still at work after the tool has exited (a perf-event link
/// pinned and let go of, not destroyed).
#[test]
fn attach_by_name_and_pin() {
    runner(|env| {
        let bpffs = env.bpffs.as_ref().unwrap();
        // XDP on lo by interface name, the program by its pin.
        let xdp = load_trivial(6, 37, 0, XDP_PASS, "cli_attach_xdp")?;
        let prog_pin = bpffs.join("xdp_prog");
        pin_prog(&xdp, &prog_pin);
        let link_pin = bpffs.join("xdp_link");
        let out = ok(&[
            "attach",
            "xdp",
            prog_pin.to_str().unwrap(),
            "lo",
            "--mode",
            "generic",
            "--pin",
            link_pin.to_str().unwrap(),
        ]);
        assert!(out.starts_with("attached xdp on lo: link "), "{out}");
        let shown = parse_json(&ok(&["show", link_pin.to_str().unwrap(), "--json"]));
        assert_eq!(shown.str("type"), "xdp");
        assert_eq!(shown.num("prog_id"), i128::from(prog_id(&xdp)));
        assert_eq!(shown.num("ifindex"), 1);
        std::fs::remove_file(&link_pin).unwrap();
        std::fs::remove_file(&prog_pin).unwrap();

        // A tracepoint by name, the program by id: it counts getppid()
        // calls after the tool is gone.
        let counter = Counter::new()?;
        let insns = counter_insns(counter.raw(), 0);
        let tp = must_load(ProgSpec {
            prog_type: 5, // BPF_PROG_TYPE_TRACEPOINT
            expected_attach_type: 0,
            attach_btf_id: 0,
            insns: &insns,
            name: "cli_attach_tp",
        })?;
        // SAFETY: C strings and a NULL data pointer; this thread's own
        // mount namespace (isolated).
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
            return Err(Skip(format!("mount tracefs: {}", errname(errno()))));
        }
        let tp_pin = bpffs.join("tp_link");
        let out = ok(&[
            "attach",
            "tracepoint",
            &prog_id(&tp).to_string(),
            "syscalls/sys_enter_getppid",
            "--pin",
            tp_pin.to_str().unwrap(),
        ]);
        assert!(
            out.starts_with("attached tracepoint syscalls/sys_enter_getppid: link "),
            "{out}"
        );
        let before = counter.get();
        for _ in 0..5 {
            // SAFETY: getppid takes no argument.
            unsafe { libc::syscall(libc::SYS_getppid) };
        }
        assert!(
            counter.get() >= before + 5,
            "the pinned tracepoint link fires after the tool exited"
        );
        let shown = parse_json(&ok(&["show", tp_pin.to_str().unwrap(), "--json"]));
        assert_eq!(shown.str("type"), "perf_event");
        std::fs::remove_file(&tp_pin).unwrap();

        // A uprobe on libc's getppid, by bare library name.
        let up_counter = Counter::new()?;
        let insns = counter_insns(up_counter.raw(), 0);
        let up = must_load(ProgSpec {
            prog_type: 2, // BPF_PROG_TYPE_KPROBE
            expected_attach_type: 0,
            attach_btf_id: 0,
            insns: &insns,
            name: "cli_attach_up",
        })?;
        let up_pin = bpffs.join("uprobe_link");
        let out = ok(&[
            "attach",
            "uprobe",
            &prog_id(&up).to_string(),
            "libc:getppid",
            "--pid",
            &std::process::id().to_string(),
            "--pin",
            up_pin.to_str().unwrap(),
        ]);
        assert!(
            out.starts_with("attached uprobe on libc:getppid: link "),
            "{out}"
        );
        let before = up_counter.get();
        for _ in 0..3 {
            // SAFETY: getppid has no preconditions.
            unsafe { libc::getppid() };
        }
        assert_eq!(
            up_counter.get(),
            before + 3,
            "the pinned uprobe fires once per call"
        );
        std::fs::remove_file(&up_pin).unwrap();

        // Usage errors: one line, exit 2.
        let err = fails(&["attach", "tracepoint", "1", "no-slash", "--pin", "/x"], 2);
        assert!(err.contains("expected CATEGORY/NAME"), "{err}");
        let err = fails(&["attach", "xdp", "1", "lo"], 2);
        assert!(err.contains("--pin"), "{err}");
        Ok(())
    });
}
