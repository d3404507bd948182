//! The Rust mirrors in `bpflink_core::abi` have the layout C sees in
//! `include/bpflink.h`
//! (docs/libbpf-behaviour.md#how-the-header-is-made-and-checked):
//! `c-tests/layout.c` is compiled against the header with `cc` and run with
//! `--table`, which prints every struct's sizeof/alignof/end of `__last_field`
//! and every member's offset and size; each line must match what
//! `offset_of!`/`size_of` say about the mirror, and every mirror entry below
//! must appear in the C table.
//! (`make test-c` compares the same table with libbpf 1.7.0's own bpf.h.)
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::mem::{align_of, offset_of, size_of};
use std::path::{Path, PathBuf};
use std::process::Command;

use bpflink_core::abi::{self, *};

/// The size of the field a projection closure points at. The closure is
/// never called: it only makes the compiler check the path and its type.
fn field_size<T, F>(_project: fn(&T) -> &F) -> usize {
    size_of::<F>()
}

/// `member!(Struct, c.path, rust.path)`: one member as C names it and where
/// the mirror has it (the anonymous union is the field `u` in Rust).
macro_rules! member {
    ($table:ident, $t:ident, $cpath:literal, $($rpath:ident).+) => {{
        #[allow(unused_unsafe)]
        // SAFETY: never called; reading a union field needs `unsafe`.
        let size = field_size::<$t, _>(|o| unsafe { &o.$($rpath).+ });
        let offset = offset_of!($t, $($rpath).+);
        $table.insert(format!("{}.{} offset", stringify!($t), $cpath), offset);
        $table.insert(format!("{}.{} size", stringify!($t), $cpath), size);
    }};
}

macro_rules! strukt {
    ($table:ident, $t:ident, $known_end:expr) => {{
        $table.insert(format!("{} sizeof", stringify!($t)), size_of::<$t>());
        $table.insert(format!("{} alignof", stringify!($t)), align_of::<$t>());
        $table.insert(format!("{} last_field_end", stringify!($t)), $known_end);
    }};
}

fn rust_table() -> BTreeMap<String, usize> {
    let mut t = BTreeMap::new();
    strukt!(t, bpf_link_create_opts, abi::link_create::KNOWN_END);
    member!(t, bpf_link_create_opts, "sz", sz);
    member!(t, bpf_link_create_opts, "flags", flags);
    member!(t, bpf_link_create_opts, "iter_info", iter_info);
    member!(t, bpf_link_create_opts, "iter_info_len", iter_info_len);
    member!(t, bpf_link_create_opts, "target_btf_id", target_btf_id);
    member!(t, bpf_link_create_opts, "perf_event", u.perf_event);
    member!(
        t,
        bpf_link_create_opts,
        "perf_event.bpf_cookie",
        u.perf_event.bpf_cookie
    );
    member!(t, bpf_link_create_opts, "kprobe_multi", u.kprobe_multi);
    member!(
        t,
        bpf_link_create_opts,
        "kprobe_multi.flags",
        u.kprobe_multi.flags
    );
    member!(
        t,
        bpf_link_create_opts,
        "kprobe_multi.cnt",
        u.kprobe_multi.cnt
    );
    member!(
        t,
        bpf_link_create_opts,
        "kprobe_multi.syms",
        u.kprobe_multi.syms
    );
    member!(
        t,
        bpf_link_create_opts,
        "kprobe_multi.addrs",
        u.kprobe_multi.addrs
    );
    member!(
        t,
        bpf_link_create_opts,
        "kprobe_multi.cookies",
        u.kprobe_multi.cookies
    );
    member!(t, bpf_link_create_opts, "uprobe_multi", u.uprobe_multi);
    member!(
        t,
        bpf_link_create_opts,
        "uprobe_multi.flags",
        u.uprobe_multi.flags
    );
    member!(
        t,
        bpf_link_create_opts,
        "uprobe_multi.cnt",
        u.uprobe_multi.cnt
    );
    member!(
        t,
        bpf_link_create_opts,
        "uprobe_multi.path",
        u.uprobe_multi.path
    );
    member!(
        t,
        bpf_link_create_opts,
        "uprobe_multi.offsets",
        u.uprobe_multi.offsets
    );
    member!(
        t,
        bpf_link_create_opts,
        "uprobe_multi.ref_ctr_offsets",
        u.uprobe_multi.ref_ctr_offsets
    );
    member!(
        t,
        bpf_link_create_opts,
        "uprobe_multi.cookies",
        u.uprobe_multi.cookies
    );
    member!(
        t,
        bpf_link_create_opts,
        "uprobe_multi.pid",
        u.uprobe_multi.pid
    );
    member!(t, bpf_link_create_opts, "tracing", u.tracing);
    member!(t, bpf_link_create_opts, "tracing.cookie", u.tracing.cookie);
    member!(t, bpf_link_create_opts, "netfilter", u.netfilter);
    member!(t, bpf_link_create_opts, "netfilter.pf", u.netfilter.pf);
    member!(
        t,
        bpf_link_create_opts,
        "netfilter.hooknum",
        u.netfilter.hooknum
    );
    member!(
        t,
        bpf_link_create_opts,
        "netfilter.priority",
        u.netfilter.priority
    );
    member!(
        t,
        bpf_link_create_opts,
        "netfilter.flags",
        u.netfilter.flags
    );
    member!(t, bpf_link_create_opts, "tcx", u.tcx);
    member!(
        t,
        bpf_link_create_opts,
        "tcx.relative_fd",
        u.tcx.relative_fd
    );
    member!(
        t,
        bpf_link_create_opts,
        "tcx.relative_id",
        u.tcx.relative_id
    );
    member!(
        t,
        bpf_link_create_opts,
        "tcx.expected_revision",
        u.tcx.expected_revision
    );
    member!(t, bpf_link_create_opts, "netkit", u.netkit);
    member!(
        t,
        bpf_link_create_opts,
        "netkit.relative_fd",
        u.netkit.relative_fd
    );
    member!(
        t,
        bpf_link_create_opts,
        "netkit.relative_id",
        u.netkit.relative_id
    );
    member!(
        t,
        bpf_link_create_opts,
        "netkit.expected_revision",
        u.netkit.expected_revision
    );
    member!(t, bpf_link_create_opts, "cgroup", u.cgroup);
    member!(
        t,
        bpf_link_create_opts,
        "cgroup.relative_fd",
        u.cgroup.relative_fd
    );
    member!(
        t,
        bpf_link_create_opts,
        "cgroup.relative_id",
        u.cgroup.relative_id
    );
    member!(
        t,
        bpf_link_create_opts,
        "cgroup.expected_revision",
        u.cgroup.expected_revision
    );

    strukt!(t, bpf_link_update_opts, abi::link_update::KNOWN_END);
    member!(t, bpf_link_update_opts, "sz", sz);
    member!(t, bpf_link_update_opts, "flags", flags);
    member!(t, bpf_link_update_opts, "old_prog_fd", old_prog_fd);
    member!(t, bpf_link_update_opts, "old_map_fd", old_map_fd);

    strukt!(t, bpf_get_fd_by_id_opts, abi::get_fd_by_id::KNOWN_END);
    member!(t, bpf_get_fd_by_id_opts, "sz", sz);
    member!(t, bpf_get_fd_by_id_opts, "open_flags", open_flags);
    member!(t, bpf_get_fd_by_id_opts, "token_fd", token_fd);

    strukt!(t, bpf_raw_tp_opts, abi::raw_tp::KNOWN_END);
    member!(t, bpf_raw_tp_opts, "sz", sz);
    member!(t, bpf_raw_tp_opts, "tp_name", tp_name);
    member!(t, bpf_raw_tp_opts, "cookie", cookie);

    strukt!(t, bpf_obj_pin_opts, abi::obj::KNOWN_END);
    member!(t, bpf_obj_pin_opts, "sz", sz);
    member!(t, bpf_obj_pin_opts, "file_flags", file_flags);
    member!(t, bpf_obj_pin_opts, "path_fd", path_fd);

    strukt!(t, bpf_obj_get_opts, abi::obj::KNOWN_END);
    member!(t, bpf_obj_get_opts, "sz", sz);
    member!(t, bpf_obj_get_opts, "file_flags", file_flags);
    member!(t, bpf_obj_get_opts, "path_fd", path_fd);

    strukt!(t, bpf_prog_query_opts, abi::prog_query::KNOWN_END);
    member!(t, bpf_prog_query_opts, "query_flags", query_flags);
    member!(t, bpf_prog_query_opts, "attach_flags", attach_flags);
    member!(t, bpf_prog_query_opts, "prog_ids", prog_ids);
    member!(t, bpf_prog_query_opts, "prog_cnt", count);
    member!(t, bpf_prog_query_opts, "count", count);
    member!(
        t,
        bpf_prog_query_opts,
        "prog_attach_flags",
        prog_attach_flags
    );
    member!(t, bpf_prog_query_opts, "link_ids", link_ids);
    member!(
        t,
        bpf_prog_query_opts,
        "link_attach_flags",
        link_attach_flags
    );
    member!(t, bpf_prog_query_opts, "revision", revision);

    strukt!(t, bpf_perf_event_opts, abi::perf_event::KNOWN_END);
    member!(t, bpf_perf_event_opts, "bpf_cookie", bpf_cookie);
    member!(
        t,
        bpf_perf_event_opts,
        "force_ioctl_attach",
        force_ioctl_attach
    );
    member!(t, bpf_perf_event_opts, "dont_enable", dont_enable);

    strukt!(t, bpf_kprobe_opts, abi::kprobe::KNOWN_END);
    member!(t, bpf_kprobe_opts, "bpf_cookie", bpf_cookie);
    member!(t, bpf_kprobe_opts, "offset", offset);
    member!(t, bpf_kprobe_opts, "retprobe", retprobe);
    member!(t, bpf_kprobe_opts, "attach_mode", attach_mode);

    strukt!(t, bpf_kprobe_multi_opts, abi::kprobe_multi::KNOWN_END);
    member!(t, bpf_kprobe_multi_opts, "syms", syms);
    member!(t, bpf_kprobe_multi_opts, "addrs", addrs);
    member!(t, bpf_kprobe_multi_opts, "cookies", cookies);
    member!(t, bpf_kprobe_multi_opts, "cnt", cnt);
    member!(t, bpf_kprobe_multi_opts, "retprobe", retprobe);
    member!(t, bpf_kprobe_multi_opts, "session", session);
    member!(t, bpf_kprobe_multi_opts, "unique_match", unique_match);

    strukt!(t, bpf_uprobe_multi_opts, abi::uprobe_multi::KNOWN_END);
    member!(t, bpf_uprobe_multi_opts, "syms", syms);
    member!(t, bpf_uprobe_multi_opts, "offsets", offsets);
    member!(t, bpf_uprobe_multi_opts, "ref_ctr_offsets", ref_ctr_offsets);
    member!(t, bpf_uprobe_multi_opts, "cookies", cookies);
    member!(t, bpf_uprobe_multi_opts, "cnt", cnt);
    member!(t, bpf_uprobe_multi_opts, "retprobe", retprobe);
    member!(t, bpf_uprobe_multi_opts, "session", session);

    strukt!(t, bpf_uprobe_opts, abi::uprobe::KNOWN_END);
    member!(t, bpf_uprobe_opts, "ref_ctr_offset", ref_ctr_offset);
    member!(t, bpf_uprobe_opts, "bpf_cookie", bpf_cookie);
    member!(t, bpf_uprobe_opts, "retprobe", retprobe);
    member!(t, bpf_uprobe_opts, "func_name", func_name);
    member!(t, bpf_uprobe_opts, "attach_mode", attach_mode);

    strukt!(t, bpf_tracepoint_opts, abi::tracepoint::KNOWN_END);
    member!(t, bpf_tracepoint_opts, "bpf_cookie", bpf_cookie);
    t
}

/// The opts kinds the validator uses agree with the mirrors.
#[test]
fn opts_kinds_match_the_mirrors() {
    for (kind, size, end) in [
        (
            abi::LINK_CREATE_OPTS,
            size_of::<bpf_link_create_opts>(),
            abi::link_create::KNOWN_END,
        ),
        (
            abi::LINK_UPDATE_OPTS,
            size_of::<bpf_link_update_opts>(),
            abi::link_update::KNOWN_END,
        ),
        (
            abi::GET_FD_BY_ID_OPTS,
            size_of::<bpf_get_fd_by_id_opts>(),
            abi::get_fd_by_id::KNOWN_END,
        ),
        (
            abi::RAW_TP_OPTS,
            size_of::<bpf_raw_tp_opts>(),
            abi::raw_tp::KNOWN_END,
        ),
        (
            abi::OBJ_PIN_OPTS,
            size_of::<bpf_obj_pin_opts>(),
            abi::obj::KNOWN_END,
        ),
        (
            abi::OBJ_GET_OPTS,
            size_of::<bpf_obj_get_opts>(),
            abi::obj::KNOWN_END,
        ),
        (
            abi::PROG_QUERY_OPTS,
            size_of::<bpf_prog_query_opts>(),
            abi::prog_query::KNOWN_END,
        ),
        (
            abi::PERF_EVENT_OPTS,
            size_of::<bpf_perf_event_opts>(),
            abi::perf_event::KNOWN_END,
        ),
        (
            abi::KPROBE_OPTS,
            size_of::<bpf_kprobe_opts>(),
            abi::kprobe::KNOWN_END,
        ),
        (
            abi::KPROBE_MULTI_OPTS,
            size_of::<bpf_kprobe_multi_opts>(),
            abi::kprobe_multi::KNOWN_END,
        ),
        (
            abi::UPROBE_MULTI_OPTS,
            size_of::<bpf_uprobe_multi_opts>(),
            abi::uprobe_multi::KNOWN_END,
        ),
        (
            abi::UPROBE_OPTS,
            size_of::<bpf_uprobe_opts>(),
            abi::uprobe::KNOWN_END,
        ),
        (
            abi::TRACEPOINT_OPTS,
            size_of::<bpf_tracepoint_opts>(),
            abi::tracepoint::KNOWN_END,
        ),
    ] {
        assert_eq!(kind.size, size, "{:?}: size", kind.name);
        assert_eq!(kind.known_end, end, "{:?}: known_end", kind.name);
    }
}

fn compile_probe(root: &Path) -> PathBuf {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("abi_layout_probe");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let status = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I"])
        .arg(root.join("include"))
        .arg("-o")
        .arg(&out)
        .arg(root.join("c-tests/layout.c"))
        .status()
        .unwrap_or_else(|e| panic!("cannot run {cc}: {e}"));
    assert!(
        status.success(),
        "{cc} failed to compile c-tests/layout.c against include/bpflink.h"
    );
    out
}

#[test]
fn c_header_layout_matches_rust_mirrors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let probe = compile_probe(root);
    let output = Command::new(&probe)
        .arg("--table")
        .output()
        .expect("run the layout probe");
    assert!(output.status.success(), "layout probe --table failed");
    let text = String::from_utf8(output.stdout).expect("probe output is UTF-8");

    let rust = rust_table();
    let mut seen = 0;
    let mut errors = Vec::new();
    for line in text.lines() {
        let (key, value) = line.rsplit_once(' ').expect("\"name what value\" lines");
        let c: usize = value.parse().expect("a number");
        match rust.get(key) {
            Some(&r) if r == c => seen += 1,
            Some(&r) => errors.push(format!("{key}: C {c}, Rust {r}")),
            None => errors.push(format!("{key}: C {c}, no Rust counterpart in this test")),
        }
    }
    if seen != rust.len() {
        let c_keys: Vec<&str> = text
            .lines()
            .filter_map(|l| l.rsplit_once(' '))
            .map(|p| p.0)
            .collect();
        for key in rust.keys().filter(|k| !c_keys.contains(&k.as_str())) {
            errors.push(format!(
                "{key}: in the Rust table, not printed by c-tests/layout.c"
            ));
        }
    }
    assert!(
        errors.is_empty(),
        "layout mismatches:\n  {}",
        errors.join("\n  ")
    );
    assert!(seen >= 130, "only {seen} entries compared");
}
