//! Writes the seed corpus (`seeds <dir>`): one small file per interesting case
//! of docs/libbpf-behaviour.md (opts-structs-and-sz, bpf_link_create,
//! the-other-low-level-calls): every attach-type branch with its union member
//! set, every class of `sz` (too small, old caller, exact, past the mapped
//! bytes, "negative", huge), non-zero extra bytes and padding, the combination
//! checks, the raw_tp fallback, the fd hygiene (dup ok / dup failing), and
//! NULL opts for every function. `make fuzz` regenerates it before running.
use bpflink_fuzz::case::{Case, Func};

/// sz modes of `Case::decode`.
const EXACT: u8 = 0; // sizeof(struct)
const SMALL: u8 = 1; // param % 16
const PARAM: u8 = 2; // param
const BUFLEN: u8 = 3; // the body's length
const PAST: u8 = 4; // body length + param (unmapped tail)
const MAXMINUS: u8 = 5; // usize::MAX - param
const TOPBIT: u8 = 6; // 2^63 + param
const BELOWTOP: u8 = 7; // 2^63 - param
const POW2: u8 = 8; // 1 << param

// Answer bytes: < 0x80 an fd from the table (0 → fd 0, 3 → fd 3, 6 → 100),
// 0x80 | i an errno from the table (0x80 EINVAL, 0x84 EPERM, 0x85 EBADF).
const FD100: u8 = 6;
const FD0: u8 = 0;
const FD1: u8 = 1;
const FD2: u8 = 2;
const EINVAL: u8 = 0x80;
const EPERM: u8 = 0x84;
const EBADF: u8 = 0x85;
const DUP_OK: u8 = 0;
const DUP_EMFILE: u8 = 0x8f;
const DUP_EINVAL: u8 = 0x80;

fn body(len: usize, fields: &[(usize, &[u8])]) -> Vec<u8> {
    let mut v = vec![0u8; len];
    for (off, bytes) in fields {
        v[*off..*off + bytes.len()].copy_from_slice(bytes);
    }
    v
}

fn u32b(v: u32) -> Vec<u8> {
    v.to_le_bytes().to_vec()
}

fn u64b(v: u64) -> Vec<u8> {
    v.to_le_bytes().to_vec()
}

struct Out {
    dir: std::path::PathBuf,
    n: usize,
}

impl Out {
    #[allow(clippy::too_many_arguments)]
    fn put(
        &mut self,
        name: &str,
        func: Func,
        null: bool,
        attach: u32,
        sz_mode: u8,
        sz_param: u8,
        answers: [u8; 2],
        dup: u8,
        body: &[u8],
    ) {
        let data = Case::encode(
            func,
            null,
            attach,
            (5, 0),
            sz_mode,
            sz_param,
            answers,
            dup,
            body,
        );
        std::fs::write(self.dir.join(name), data).expect("write seed");
        self.n += 1;
    }
}

fn main() {
    let dir = std::env::args_os()
        .nth(1)
        .map(std::path::PathBuf::from)
        .expect("usage: seeds <dir>");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let mut o = Out { dir, n: 0 };
    let lc = Func::LinkCreate;
    let ok = [FD100, FD100];

    // Every branch, its member set, full-size opts (sz = 80).
    let cookie = u64b(0x1122_3344_5566_7788);
    let branches: &[(&str, u32, Vec<(usize, Vec<u8>)>)] = &[
        (
            "iter",
            28,
            vec![(16, u64b(0xdead_beef_0000)), (24, u32b(8))],
        ),
        ("perf_event", 41, vec![(32, cookie.clone())]),
        (
            "kprobe_multi",
            42,
            vec![
                (32, u32b(1)),
                (36, u32b(3)),
                (40, u64b(0x1000)),
                (48, u64b(0x2000)),
                (56, u64b(0x3000)),
            ],
        ),
        (
            "kprobe_session",
            56,
            vec![(36, u32b(2)), (48, u64b(0x2000))],
        ),
        (
            "uprobe_multi",
            48,
            vec![
                (32, u32b(1)),
                (36, u32b(2)),
                (40, u64b(0x4000)),
                (48, u64b(0x5000)),
                (56, u64b(0x6000)),
                (64, u64b(0x7000)),
                (72, u32b(1234)),
            ],
        ),
        (
            "uprobe_session",
            57,
            vec![(40, u64b(0x4000)), (72, u32b(99))],
        ),
        ("raw_tp", 23, vec![(32, cookie.clone())]),
        ("fentry", 24, vec![(32, cookie.clone())]),
        ("fexit", 25, vec![(32, cookie.clone())]),
        ("fmod_ret", 26, vec![(32, cookie.clone())]),
        ("lsm", 27, vec![(32, cookie.clone())]),
        ("fsession", 58, vec![(32, cookie.clone())]),
        (
            "netfilter",
            45,
            vec![
                (32, u32b(2)),
                (36, u32b(1)),
                (40, u32b(-100i32 as u32)),
                (44, u32b(1)),
            ],
        ),
        (
            "tcx_relative_id",
            46,
            vec![(8, u32b(0x2008)), (36, u32b(77)), (40, u64b(5))],
        ),
        (
            "tcx_relative_fd",
            47,
            vec![(8, u32b(0x10)), (32, u32b(9)), (40, u64b(1))],
        ),
        ("netkit", 54, vec![(36, u32b(3))]),
        ("netkit_peer", 55, vec![(32, u32b(u32::MAX))]),
        ("cgroup_ingress", 0, vec![(36, u32b(12)), (8, u32b(0x40))]),
        ("cgroup_lsm", 43, vec![(32, u32b(4))]),
        ("cgroup_sock_release", 34, vec![(40, u64b(7))]),
        ("xdp", 37, vec![(8, u32b(2))]),
        ("struct_ops", 44, vec![]),
        ("sk_lookup", 36, vec![(8, u32b(1))]),
        ("flow_dissector", 17, vec![]),
        ("unknown_59", 59, vec![]),
        ("unknown_big", 0x1234_5678, vec![(8, u32b(1))]),
        ("unknown_max", u32::MAX, vec![]),
    ];
    for (name, t, fields) in branches {
        let f: Vec<(usize, &[u8])> = fields.iter().map(|(a, b)| (*a, b.as_slice())).collect();
        o.put(
            &format!("lc-{name}"),
            lc,
            false,
            *t,
            EXACT,
            0,
            ok,
            DUP_OK,
            &body(80, &f),
        );
        // The same member read by the wrong branch (default: EINVAL).
        o.put(
            &format!("lc-{name}-as-xdp"),
            lc,
            false,
            37,
            EXACT,
            0,
            ok,
            DUP_OK,
            &body(80, &f),
        );
    }

    // Combination checks.
    o.put(
        "lc-btf-and-iterlen",
        lc,
        false,
        24,
        EXACT,
        0,
        ok,
        DUP_OK,
        &body(80, &[(24, &u32b(1)), (28, &u32b(5))]),
    );
    o.put(
        "lc-btf-and-cookie",
        lc,
        false,
        24,
        EXACT,
        0,
        ok,
        DUP_OK,
        &body(80, &[(28, &u32b(5)), (32, &cookie)]),
    );
    o.put(
        "lc-btf-only",
        lc,
        false,
        41,
        EXACT,
        0,
        ok,
        DUP_OK,
        &body(80, &[(28, &u32b(5))]),
    );
    o.put(
        "lc-iterlen-perf",
        lc,
        false,
        41,
        EXACT,
        0,
        ok,
        DUP_OK,
        &body(80, &[(24, &u32b(4))]),
    );
    o.put(
        "lc-iterinfo-perf",
        lc,
        false,
        41,
        EXACT,
        0,
        ok,
        DUP_OK,
        &body(80, &[(16, &u64b(0x1234))]),
    );
    o.put(
        "lc-tcx-fd-and-id",
        lc,
        false,
        46,
        EXACT,
        0,
        ok,
        DUP_OK,
        &body(80, &[(32, &u32b(1)), (36, &u32b(2))]),
    );
    o.put(
        "lc-xdp-padding13",
        lc,
        false,
        37,
        EXACT,
        0,
        ok,
        DUP_OK,
        &body(80, &[(13, &[1])]),
    );
    o.put(
        "lc-tcx-padding13",
        lc,
        false,
        47,
        EXACT,
        0,
        ok,
        DUP_OK,
        &body(80, &[(13, &[1])]),
    );
    o.put(
        "lc-perf-byte40",
        lc,
        false,
        41,
        EXACT,
        0,
        ok,
        DUP_OK,
        &body(80, &[(40, &[1])]),
    );
    o.put(
        "lc-iter-byte77",
        lc,
        false,
        28,
        EXACT,
        0,
        ok,
        DUP_OK,
        &body(80, &[(77, &[1])]),
    );
    o.put(
        "lc-umulti-byte77",
        lc,
        false,
        48,
        EXACT,
        0,
        ok,
        DUP_OK,
        &body(80, &[(77, &[1])]),
    );

    // sz classes.
    let zero80 = body(80, &[]);
    for (name, mode, param) in [
        ("sz0", SMALL, 0),
        ("sz4", SMALL, 4),
        ("sz7", SMALL, 7),
        ("sz8", SMALL, 8),
        ("sz12", SMALL, 12),
        ("sz28", PARAM, 28),
        ("sz32", PARAM, 32),
        ("sz40", PARAM, 40),
        ("sz64", PARAM, 64),
        ("sz76", PARAM, 76),
        ("sz81-unmapped", PAST, 1),
        ("sz200-unmapped", PAST, 120),
        ("szmax", MAXMINUS, 0),
        ("szmax-75", MAXMINUS, 75),
        ("sz2p63", TOPBIT, 0),
        ("sz2p63+76", TOPBIT, 76),
        ("sz2p63+75", TOPBIT, 75),
        ("sz2p63-1", BELOWTOP, 1),
        ("sz1p40", POW2, 40),
    ] {
        o.put(
            &format!("lc-xdp-{name}"),
            lc,
            false,
            37,
            mode,
            param,
            ok,
            DUP_OK,
            &zero80,
        );
        o.put(
            &format!("lc-perf-{name}"),
            lc,
            false,
            41,
            mode,
            param,
            ok,
            DUP_OK,
            &body(80, &[(32, &cookie)]),
        );
    }
    // Newer caller: 120 bytes, zero tail (ok) or a byte set at 100 (rejected).
    o.put(
        "lc-sz120-zero",
        lc,
        false,
        37,
        BUFLEN,
        0,
        ok,
        DUP_OK,
        &body(120, &[]),
    );
    o.put(
        "lc-sz120-byte100",
        lc,
        false,
        37,
        BUFLEN,
        0,
        ok,
        DUP_OK,
        &body(120, &[(100, &[1])]),
    );
    o.put(
        "lc-sz120-byte100-past",
        lc,
        false,
        37,
        PAST,
        40,
        ok,
        DUP_OK,
        &body(101, &[(100, &[1])]),
    );

    // The raw_tp fallback and the fd hygiene.
    for (t, name) in [
        (23, "raw_tp"),
        (24, "fentry"),
        (25, "fexit"),
        (26, "fmod_ret"),
        (27, "lsm"),
        (58, "fsession"),
        (42, "kprobe_multi"),
    ] {
        o.put(
            &format!("fallback-{name}"),
            lc,
            false,
            t,
            EXACT,
            0,
            [EINVAL, FD100],
            DUP_OK,
            &zero80,
        );
        o.put(
            &format!("fallback-{name}-null"),
            lc,
            true,
            t,
            EXACT,
            0,
            [EINVAL, EPERM],
            DUP_OK,
            &[],
        );
        o.put(
            &format!("fallback-{name}-flags"),
            lc,
            false,
            t,
            EXACT,
            0,
            [EINVAL, FD100],
            DUP_OK,
            &body(80, &[(8, &u32b(1))]),
        );
    }
    o.put(
        "fallback-eperm",
        lc,
        true,
        24,
        EXACT,
        0,
        [EPERM, FD100],
        DUP_OK,
        &[],
    );
    o.put(
        "fallback-lowfd",
        lc,
        true,
        24,
        EXACT,
        0,
        [EINVAL, FD0],
        DUP_OK,
        &[],
    );
    o.put(
        "hygiene-lowfd",
        lc,
        true,
        37,
        EXACT,
        0,
        [FD2, FD100],
        DUP_OK,
        &[],
    );
    o.put(
        "hygiene-dup-emfile",
        lc,
        true,
        37,
        EXACT,
        0,
        [FD0, FD100],
        DUP_EMFILE,
        &[],
    );
    // dup failing with EINVAL looks like the kernel's EINVAL (the edge in
    // docs/libbpf-behaviour.md#the-raw_tp-fallback).
    o.put(
        "hygiene-dup-einval-fallback",
        lc,
        true,
        23,
        EXACT,
        0,
        [FD0, FD100],
        DUP_EINVAL,
        &[],
    );
    o.put(
        "lc-ebadf",
        lc,
        false,
        37,
        EXACT,
        0,
        [EBADF, FD100],
        DUP_OK,
        &zero80,
    );

    // bpf_link_update
    let lu = Func::LinkUpdate;
    o.put("lu-null", lu, true, 0, EXACT, 0, [FD0, FD0], DUP_OK, &[]);
    o.put(
        "lu-replace-oldprog",
        lu,
        false,
        0,
        EXACT,
        0,
        [FD0, FD0],
        DUP_OK,
        &body(24, &[(8, &u32b(4)), (12, &u32b(7))]),
    );
    o.put(
        "lu-oldmap",
        lu,
        false,
        0,
        EXACT,
        0,
        [FD0, FD0],
        DUP_OK,
        &body(24, &[(16, &u32b(8))]),
    );
    o.put(
        "lu-both",
        lu,
        false,
        0,
        EXACT,
        0,
        [FD0, FD0],
        DUP_OK,
        &body(24, &[(12, &u32b(7)), (16, &u32b(8))]),
    );
    o.put(
        "lu-padding20",
        lu,
        false,
        0,
        EXACT,
        0,
        [FD0, FD0],
        DUP_OK,
        &body(24, &[(20, &[1])]),
    );
    o.put(
        "lu-sz16-old",
        lu,
        false,
        0,
        SMALL,
        16,
        [EPERM, FD0],
        DUP_OK,
        &body(24, &[(16, &u32b(8))]),
    );
    o.put("lu-sz4", lu, false, 0, SMALL, 4, [FD0, FD0], DUP_OK, &[]);
    o.put(
        "lu-sz64-unmapped",
        lu,
        false,
        0,
        PAST,
        40,
        [FD0, FD0],
        DUP_OK,
        &body(24, &[]),
    );
    o.put(
        "lu-szmax",
        lu,
        false,
        0,
        MAXMINUS,
        0,
        [FD0, FD0],
        DUP_OK,
        &body(24, &[(12, &u32b(7))]),
    );

    // bpf_link_get_fd_by_id_opts
    let gf = Func::GetFdByIdOpts;
    o.put("gf-null", gf, true, 0, EXACT, 0, [FD100, FD0], DUP_OK, &[]);
    o.put(
        "gf-rdonly",
        gf,
        false,
        0,
        EXACT,
        0,
        [EINVAL, FD0],
        DUP_OK,
        &body(16, &[(8, &u32b(8))]),
    );
    o.put(
        "gf-token",
        gf,
        false,
        0,
        EXACT,
        0,
        [FD100, FD0],
        DUP_OK,
        &body(16, &[(12, &u32b(3))]),
    );
    o.put(
        "gf-sz12",
        gf,
        false,
        0,
        SMALL,
        12,
        [FD100, FD0],
        DUP_OK,
        &body(16, &[(12, &u32b(3))]),
    );
    o.put(
        "gf-extra",
        gf,
        false,
        0,
        BUFLEN,
        0,
        [FD100, FD0],
        DUP_OK,
        &body(32, &[(20, &[1])]),
    );
    o.put(
        "gf-lowfd",
        gf,
        false,
        0,
        EXACT,
        0,
        [FD0, FD0],
        DUP_OK,
        &body(16, &[]),
    );
    o.put(
        "gf-unmapped",
        gf,
        false,
        0,
        POW2,
        40,
        [FD100, FD0],
        DUP_OK,
        &body(16, &[]),
    );

    // bpf_raw_tracepoint_open_opts
    let rt = Func::RawTpOpenOpts;
    o.put("rt-null", rt, true, 0, EXACT, 0, [FD100, FD0], DUP_OK, &[]);
    o.put(
        "rt-name-cookie",
        rt,
        false,
        0,
        EXACT,
        0,
        [FD100, FD0],
        DUP_OK,
        &body(24, &[(8, &u64b(0x7fff_0000_1000)), (16, &cookie)]),
    );
    o.put(
        "rt-sz16",
        rt,
        false,
        0,
        SMALL,
        16,
        [FD100, FD0],
        DUP_OK,
        &body(24, &[(8, &u64b(0x1000)), (16, &cookie)]),
    );
    o.put(
        "rt-sz12",
        rt,
        false,
        0,
        SMALL,
        12,
        [FD100, FD0],
        DUP_OK,
        &body(24, &[(8, &u64b(0x1000))]),
    );
    o.put(
        "rt-extra",
        rt,
        false,
        0,
        BUFLEN,
        0,
        [FD100, FD0],
        DUP_OK,
        &body(40, &[(30, &[1])]),
    );
    o.put(
        "rt-dupfail",
        rt,
        true,
        0,
        EXACT,
        0,
        [FD1, FD0],
        DUP_EMFILE,
        &[],
    );

    // bpf_obj_pin_opts / bpf_obj_get_opts
    for (f, p) in [(Func::ObjPinOpts, "pin"), (Func::ObjGetOpts, "get")] {
        o.put(
            &format!("{p}-null"),
            f,
            true,
            0,
            EXACT,
            0,
            [FD100, FD0],
            DUP_OK,
            &[],
        );
        o.put(
            &format!("{p}-flags-pathfd"),
            f,
            false,
            0,
            EXACT,
            0,
            [FD100, FD0],
            DUP_OK,
            &body(16, &[(8, &u32b(0x4000)), (12, &u32b(3))]),
        );
        o.put(
            &format!("{p}-pathfd-noflag"),
            f,
            false,
            0,
            EXACT,
            0,
            [EINVAL, FD0],
            DUP_OK,
            &body(16, &[(12, &u32b(3))]),
        );
        o.put(
            &format!("{p}-sz12"),
            f,
            false,
            0,
            SMALL,
            12,
            [FD100, FD0],
            DUP_OK,
            &body(16, &[(12, &u32b(3))]),
        );
        o.put(
            &format!("{p}-extra"),
            f,
            false,
            0,
            BUFLEN,
            0,
            [FD100, FD0],
            DUP_OK,
            &body(24, &[(23, &[1])]),
        );
        o.put(
            &format!("{p}-unmapped"),
            f,
            false,
            0,
            TOPBIT,
            0,
            [FD100, FD0],
            DUP_OK,
            &body(16, &[]),
        );
        o.put(
            &format!("{p}-szmax"),
            f,
            false,
            0,
            MAXMINUS,
            0,
            [FD100, FD0],
            DUP_OK,
            &body(16, &[(8, &u32b(8))]),
        );
        o.put(
            &format!("{p}-sz1p40"),
            f,
            false,
            0,
            POW2,
            40,
            [FD100, FD0],
            DUP_OK,
            &body(16, &[]),
        );
        o.put(
            &format!("{p}-lowfd"),
            f,
            false,
            0,
            EXACT,
            0,
            [FD0, FD0],
            DUP_OK,
            &body(16, &[]),
        );
    }
    println!("wrote {} seeds", o.n);
}
