#!/usr/bin/env python3
"""Aggregates bench/run.sh's raw measurements into tables and JSON.

usage: report.py OUTDIR   (OUTDIR = build/bench: reads raw/, callgrind/, bin/;
                           writes results.json and results.md, prints the md)
"""
import glob
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

OUT = sys.argv[1] if len(sys.argv) > 1 else "build/bench"
RAW = os.path.join(OUT, "raw")
BIN = os.path.join(OUT, "bin")
IMPLS = ["libbpf", "bpflink", "raw"]
# run.sh's snapshot of build/oracle and build/lib (what the programs ran with)
LIBS = {
    "libbpf.so": os.path.join(OUT, "lib", "libbpf.so.1.7.0"),
    "libbpflink.so": os.path.join(OUT, "lib", "libbpflink.so.0.1.0"),
    "libbpf.a": os.path.join(OUT, "lib", "libbpf.a"),
    "libbpflink.a": os.path.join(OUT, "lib", "libbpflink.a"),
}

CASE_DESC = {
    "create_null": "bpf_link_create, NULL opts (XDP)",
    "create_tcx": "bpf_link_create, tcx relative_id + expected_revision + BPF_F_BEFORE",
    "create_perf_cookie": "bpf_link_create, perf_event bpf_cookie",
    "create_umulti_full80": "bpf_link_create, uprobe_multi, every field set (sz=80)",
    "create_umulti_sz88": "bpf_link_create, uprobe_multi, sz=88 with zero tail",
    "create_umulti_sz88_pagecross": "same, the 8-byte tail on the next page",
    "create_umulti_n1": "bpf_link_create, uprobe_multi, 1 offset",
    "create_umulti_n1000": "bpf_link_create, uprobe_multi, 1000 offsets",
    "create_umulti_n100000": "bpf_link_create, uprobe_multi, 100000 offsets",
    "update_null": "bpf_link_update, NULL opts",
    "update_replace": "bpf_link_update, BPF_F_REPLACE + old_prog_fd",
}


def lines(name):
    path = os.path.join(RAW, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [l.split() for l in f if l.strip()]


def med(v):
    return statistics.median(v) if v else None


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt(x, nd=1):
    if x is None:
        return "–"
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer() and abs(x) >= 100):
        return f"{int(x):,}"
    return f"{x:,.{nd}f}"


def fr(x):
    return "–" if x is None else f"{x:.2f}"


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
    except OSError:
        return ""


def quartiles(v):
    if len(v) < 4:
        return (min(v), max(v)) if v else (None, None)
    q = statistics.quantiles(v, n=4)
    return q[0], q[2]


# ------------------------------------------------------------------ machine
def machine():
    cpu = "?"
    try:
        for l in open("/proc/cpuinfo"):
            if l.startswith("model name"):
                cpu = l.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for l in open("/proc/meminfo"):
            if l.startswith("MemTotal"):
                mem = l.split(":", 1)[1].strip()
    except OSError:
        pass
    load = ""
    p = os.path.join(RAW, "loadavg-start.txt")
    if os.path.exists(p):
        load = open(p).read().split()[:3]
    def rd(name):
        p = os.path.join(RAW, name)
        return open(p).read().strip() if os.path.exists(p) else ""
    head = rd("git-head.txt")
    dirty = rd("git-dirty.txt")
    return {
        "kernel": platform.release(),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "mem": mem,
        "loadavg_at_start": load,
        "git_head": head,
        "src_dirty": bool(dirty),
        "libbpf": "1.7.0 (build/oracle, scripts/build-oracle.sh)",
    }


# --------------------------------------------------------- user-space cost
def cpu_section():
    samples = {}
    for t in lines("cpu_time.txt"):
        if t[0] == "T":
            samples.setdefault(t[2], {}).setdefault(t[1], []).append(float(t[3]))
    ir = {}
    for f in glob.glob(os.path.join(OUT, "callgrind", "*.out.*")):
        impl = os.path.basename(f).split(".")[0]
        name = tot = None
        for l in open(f):
            if l.startswith("desc: Trigger: Client Request: "):
                name = l[len("desc: Trigger: Client Request: "):].strip()
            elif l.startswith("totals:"):
                tot = int(l.split()[1])
        if name and tot is not None and "@" in name:
            case, k = name.rsplit("@", 1)
            ir.setdefault(case, {}).setdefault(impl, {})[int(k)] = tot
    rows = {}
    for case in CASE_DESC:
        row = {"desc": CASE_DESC[case]}
        for impl in IMPLS:
            s = samples.get(case, {}).get(impl, [])
            q1, q3 = quartiles(s)
            d = ir.get(case, {}).get(impl, {})
            per_call = None
            if 1000 in d and 2000 in d:
                per_call = (d[2000] - d[1000]) / 1000.0
            row[impl] = {"ns_median": med(s), "ns_q1": q1, "ns_q3": q3, "ns_best": min(s) if s else None,
                         "n_samples": len(s),
                         "ir_per_call": per_call}
        for m in ("ns_median", "ir_per_call"):
            b, l, r = row["bpflink"][m], row["libbpf"][m], row["raw"][m]
            row[m + "_bpflink_over_libbpf"] = ratio(b, l)
            row[m + "_bpflink_over_raw"] = ratio(b, r)
            row[m + "_libbpf_over_raw"] = ratio(l, r)
            if m == "ir_per_call" and None not in (b, l, r):
                row["ir_lib_only_bpflink_over_libbpf"] = ratio(b - r, l - r)
        rows[case] = row
    return rows


def allocs_section():
    res = {}
    for t in lines("allocs.txt"):
        if t[0] == "AC" and int(t[2]) <= 0:
            sys.exit(f"report: the malloc counter of {t[1]} saw no allocation at all: not interposed")
        if t[0] != "A":
            continue
        impl, first, perk, k = t[1], int(t[-3]), int(t[-2]), int(t[-1])
        name = " ".join(t[2:-3])
        res.setdefault(name, {})[impl] = {"first_call": first, "per_%d_calls" % k: perk,
                                          "per_call": perk / k if k else None}
    mc = {}
    for f in glob.glob(os.path.join(RAW, "memcheck-*-*.log")):
        _, impl, k = os.path.basename(f)[:-4].split("-")
        m = re.search(r"total heap usage: ([\d,]+) allocs, ([\d,]+) frees, ([\d,]+) bytes",
                      open(f).read())
        if m:
            mc.setdefault(impl, {})[int(k)] = int(m.group(1).replace(",", ""))
    memcheck = {}
    for impl, d in mc.items():
        if 0 in d and 1000 in d:
            memcheck[impl] = {"allocs_0_calls": d[0], "allocs_1000_calls_each": d[1000],
                              "difference": d[1000] - d[0]}
    return res, memcheck


# ----------------------------------------------------------- real kernel
def kern_section():
    tp = {}
    for t in lines("kern_tput.txt"):
        if t[0] == "TP":
            d = tp.setdefault(t[2], {}).setdefault(t[1], {"lps": [], "create_ns": [], "close_ns": [], "n": 0})
            d["lps"].append(float(t[3]))
            d["n"] += int(t[4])
            d["create_ns"].append(float(t[5]))
            d["close_ns"].append(float(t[6]))
    tput = {}
    for kind, by in tp.items():
        row = {}
        for impl, d in by.items():
            row[impl] = {"links_per_s_median": med(d["lps"]), "links_per_s_best": max(d["lps"]),
                         "links_per_s_samples": d["lps"],
                         "create_ns_median": med(d["create_ns"]), "close_ns_median": med(d["close_ns"]),
                         "links_created": d["n"]}
        for a, b in (("bpflink", "libbpf"), ("bpflink", "raw"), ("libbpf", "raw")):
            row[f"{a}_over_{b}"] = ratio(row.get(a, {}).get("links_per_s_median"),
                                         row.get(b, {}).get("links_per_s_median"))
            row[f"create_ns_{a}_over_{b}"] = ratio(row.get(a, {}).get("create_ns_median"),
                                                   row.get(b, {}).get("create_ns_median"))
        tput[kind] = row
    en = {}
    for t in lines("kern_enum.txt"):
        if t[0] == "EN":
            d = en.setdefault(int(t[2]), {}).setdefault(t[1], {"ns": [], "visited": []})
            d["ns"].append(float(t[4]))
            d["visited"].append(int(t[3]))
    enum = {}
    for n, by in sorted(en.items()):
        row = {}
        for impl, d in by.items():
            v = med(d["visited"])
            ns = med(d["ns"])
            row[impl] = {"ns_per_walk_median": ns, "ns_per_walk_best": min(d["ns"]), "links_visited": v,
                         "ns_per_link": ns / v if v else None, "walks": len(d["ns"])}
        for a, b in (("bpflink", "libbpf"), ("bpflink", "raw"), ("libbpf", "raw")):
            row[f"{a}_over_{b}"] = ratio(row.get(a, {}).get("ns_per_walk_median"),
                                         row.get(b, {}).get("ns_per_walk_median"))
        enum[n] = row
    ups = {}
    for t in lines("kern_uprobe.txt"):
        if t[0] == "UP":
            d = ups.setdefault(int(t[2]), {}).setdefault(t[1], {"create": [], "close": []})
            d["create"].append(float(t[3]))
            d["close"].append(float(t[4]))
    up = {cnt: {impl: {"create_ns_median": med(d["create"]), "close_ns_median": med(d["close"]),
                       "create_ns_round_medians": d["create"]}
                for impl, d in by.items()}
          for cnt, by in sorted(ups.items())}
    skipped = None
    p = os.path.join(RAW, "kern-skipped.txt")
    if os.path.exists(p):
        skipped = open(p).read().strip()
    return tput, enum, up, skipped


# ------------------------------------------------------------- footprint
def stripped_size(path, tmp):
    dst = os.path.join(tmp, os.path.basename(path) + ".stripped")
    subprocess.run(["strip", "--strip-all", "-o", dst, path], capture_output=True)
    return os.path.getsize(dst) if os.path.exists(dst) else None


def size_cmd(path):
    out = sh("size", path).splitlines()
    if len(out) < 2:
        return None
    # archives: one line per member; sum
    text = data = bss = 0
    for l in out[1:]:
        f = l.split()
        if len(f) >= 3 and f[0].isdigit():
            text += int(f[0]); data += int(f[1]); bss += int(f[2])
    return {"text": text, "data": data, "bss": bss}


def needed(path):
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", sh("readelf", "-d", path))


def ldd(path):
    res = []
    for l in sh("ldd", path).splitlines():
        l = l.strip()
        if l and "vdso" not in l:
            res.append(l.split(" (")[0])
    return res


def symbol_breakdown(path):
    cats = {"bpflink": 0, "backtrace/symbolize (gimli, addr2line, miniz_oxide, rustc_demangle)": 0,
            "Rust std/core/alloc (rest)": 0, "other (crt, libc glue)": 0}
    for l in sh("nm", "-C", "-S", "--size-sort", path).splitlines():
        f = l.split(None, 3)
        if len(f) < 4 or f[2] not in "tTwW":
            continue
        sz, name = int(f[1], 16), f[3]
        if re.search(r"gimli|addr2line|miniz_oxide|rustc_demangle|backtrace", name):
            cats["backtrace/symbolize (gimli, addr2line, miniz_oxide, rustc_demangle)"] += sz
        elif "bpflink" in name or re.match(r"(bpf_|libbpf_)", name):
            cats["bpflink"] += sz
        elif re.search(r"\b(std|core|alloc|hashbrown|memchr|object)::|^<", name):
            cats["Rust std/core/alloc (rest)"] += sz
        else:
            cats["other (crt, libc glue)"] += sz
    return cats


def footprint_section():
    fp = {"libraries": {}, "programs": {}}
    tmp = tempfile.mkdtemp(prefix="stripped.", dir=OUT)
    try:
        for name, path in LIBS.items():
            if not os.path.exists(path):
                continue
            e = {"path": path, "file_bytes": os.path.getsize(path),
                 "stripped_bytes": stripped_size(path, tmp), "size": size_cmd(path)}
            if path.endswith(".so.1.7.0") or ".so." in path:
                e["needed"] = needed(path)
                e["ldd"] = ldd(path)
            fp["libraries"][name] = e
        if os.path.exists(LIBS["libbpflink.so"]):
            fp["libbpflink_so_text_by_origin"] = symbol_breakdown(LIBS["libbpflink.so"])
        for p in ("trivial-none", "trivial-libbpf", "trivial-bpflink", "trivial-libbpf-static",
                  "trivial-bpflink-static", "trivial-libbpf-static-gc", "trivial-bpflink-static-gc"):
            path = os.path.join(BIN, p)
            if os.path.exists(path):
                fp["programs"][p] = {"file_bytes": os.path.getsize(path),
                                     "stripped_bytes": stripped_size(path, tmp),
                                     "needed": needed(path), "ldd": ldd(path)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for t in lines("load.txt"):
        if t[0] == "L" and t[1] in fp["programs"]:
            fp["programs"][t[1]].update({"load_us_median": float(t[2]), "load_us_p10": float(t[3]),
                                         "load_us_p90": float(t[4]), "maxrss_kb": int(t[5])})
    return fp


# ----------------------------------------------------------------- output
def dependent_build_section():
    rows = {}
    for t in lines("dependent-build.txt"):
        if t[0] == "D":
            rows[t[1]] = {"seconds": float(t[2]), "crates": int(t[3]),
                          "builds_cbindgen": t[4] == "yes", "builds_cc": t[5] == "yes"}
    return rows


def main():
    res = {"machine": machine(), "user_space_fake_kernel": cpu_section()}
    res["dependent_build"] = dependent_build_section()
    allocs, memcheck = allocs_section()
    tput, enum, up, skipped = kern_section()
    res.update({"real_kernel_throughput": tput, "enumerate_links": {str(k): v for k, v in enum.items()},
                "uprobe_multi_real_kernel": {str(k): v for k, v in up.items()},
                "real_kernel_skipped": skipped, "footprint": footprint_section(),
                "heap_allocations": {"interposed_malloc_counter": allocs, "memcheck": memcheck}})

    md = []
    m = res["machine"]
    md.append("## bpflink benchmarks\n")
    md.append(f"Machine: Linux {m['kernel']}, {m['nproc']} CPUs ({m['cpu']}), {m['mem']} RAM; "
              f"load average at start {' '.join(m['loadavg_at_start'])}; bpflink at {m['git_head']}"
              f"{' + uncommitted src changes' if m['src_dirty'] else ''}; libbpf {m['libbpf']}.\n")

    md.append("### 1. User-space cost per call (fake kernel: syscall() returns at once)\n")
    md.append("ns: median over rounds of clock_gettime around 10^6 calls; Ir: instructions per call "
              "from callgrind ((Ir(2000 calls) - Ir(1000 calls)) / 1000, exact and reproducible). "
              "raw = the same loop calling syscall(__NR_bpf) with a prebuilt attr "
              "(the floor: loop + fake syscall).\n")
    md.append("| case | libbpf ns | bpflink ns | raw ns | ns ours/libbpf | ns ours/raw | libbpf Ir | bpflink Ir | raw Ir | Ir ours/libbpf | Ir ours/raw |")
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for case, r in res["user_space_fake_kernel"].items():
        flag = ""
        if (r["ir_per_call_bpflink_over_libbpf"] or 0) > 1.0 or (r["ns_median_bpflink_over_libbpf"] or 0) > 1.1:
            flag = " ⚠"
        md.append(f"| {r['desc']}{flag} | {fmt(r['libbpf']['ns_median'])} | {fmt(r['bpflink']['ns_median'])} | "
                  f"{fmt(r['raw']['ns_median'])} | {fr(r['ns_median_bpflink_over_libbpf'])} | "
                  f"{fr(r['ns_median_bpflink_over_raw'])} | {fmt(r['libbpf']['ir_per_call'], 0)} | "
                  f"{fmt(r['bpflink']['ir_per_call'], 0)} | {fmt(r['raw']['ir_per_call'], 0)} | "
                  f"{fr(r['ir_per_call_bpflink_over_libbpf'])} | {fr(r['ir_per_call_bpflink_over_raw'])} |")
    md.append("\n⚠: bpflink executes more instructions than libbpf, or is more than 10 % slower (ns).\n")

    db = res["dependent_build"]
    if db:
        md.append("### 1b. A Rust program depending on `bpflink`: clean debug build, offline\n")
        md.append("`split`: this tree (the crate `bpflink` over `bpflink-core`); `single-crate`: the last "
                  "design in which one crate was the C library, the Rust API and the tool (commit 69d1636), "
                  "built in the same run.\n")
        md.append("| design | seconds | crates built | cbindgen | cc |")
        md.append("|---|---:|---:|---|---|")
        for d in ("single-crate", "split"):
            if d in db:
                r = db[d]
                md.append(f"| {d} | {r['seconds']:.1f} | {r['crates']} | {'yes' if r['builds_cbindgen'] else 'no'} | "
                          f"{'yes' if r['builds_cc'] else 'no'} |")
        if "single-crate" in db and "split" in db:
            md.append(f"\nsplit / single-crate: {db['split']['seconds'] / db['single-crate']['seconds']:.2f}\n")

    md.append("### 2. Real kernel: create + close throughput\n")
    if skipped:
        md.append(f"skipped: {skipped}\n")
    else:
        md.append("links/s: median over rounds; create µs: mean time of one bpf_link_create in the loop "
                  "(median over rounds); close µs: the same for close(). "
                  "`_first` rows: the only link of its kind on the machine, so every create and close "
                  "flips a kernel static key (text patching + RCU waits on this VM); the other rows keep "
                  "a second link of the kind alive (the usual steady state).\n")
        md.append("| link | libbpf links/s | bpflink links/s | raw links/s | ours/libbpf | ours/raw | create µs libbpf / bpflink / raw | close µs libbpf / bpflink / raw | best links/s libbpf / bpflink / raw |")
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        order = ["cgroup", "xdp", "iter_task", "cgroup_first", "xdp_first"]
        for kind in order + [k for k in tput if k not in order]:
            if kind not in tput:
                continue
            r = tput[kind]
            g = lambda i, k: r.get(i, {}).get(k)
            us = lambda i: None if g(i, "create_ns_median") is None else g(i, "create_ns_median") / 1e3
            cus = lambda i: None if g(i, "close_ns_median") is None else g(i, "close_ns_median") / 1e3
            md.append(f"| {kind} | {fmt(g('libbpf', 'links_per_s_median'), 0)} | {fmt(g('bpflink', 'links_per_s_median'), 0)} | "
                      f"{fmt(g('raw', 'links_per_s_median'), 0)} | {fr(r['bpflink_over_libbpf'])} | {fr(r['bpflink_over_raw'])} | "
                      f"{fmt(us('libbpf'), 2)} / {fmt(us('bpflink'), 2)} / {fmt(us('raw'), 2)} | "
                      f"{' / '.join(fmt(cus(i), 2) for i in IMPLS)} | "
                      f"{' / '.join(fmt(g(i, 'links_per_s_best'), 0) for i in IMPLS)} |")
        md.append("")
        md.append("### 3. Enumerating links: get_next_id + get_fd_by_id + get_info_by_fd (+ close) over every link\n")
        md.append("N iterator links held open; one walk visits every link on the machine; median (and best) "
                  "of all walks of all rounds.\n")
        md.append("| N | links visited | libbpf µs/walk | bpflink µs/walk | raw µs/walk | ours/libbpf | ours/raw | bpflink ns/link | best µs/walk libbpf / bpflink / raw |")
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n, r in enum.items():
            g = lambda i, k: r.get(i, {}).get(k)
            us = lambda i: None if g(i, "ns_per_walk_median") is None else g(i, "ns_per_walk_median") / 1e3
            md.append(f"| {n:,} | {fmt(g('bpflink', 'links_visited'), 0)} | {fmt(us('libbpf'))} | {fmt(us('bpflink'))} | "
                      f"{fmt(us('raw'))} | {fr(r['bpflink_over_libbpf'])} | {fr(r['bpflink_over_raw'])} | "
                      f"{fmt(g('bpflink', 'ns_per_link'), 0)} | "
                      f"{' / '.join(fmt(None if g(i, 'ns_per_walk_best') is None else g(i, 'ns_per_walk_best') / 1e3) for i in IMPLS)} |")
        md.append("")

    md.append("### 4. uprobe_multi: offsets are passed through, never copied\n")
    cs = res["user_space_fake_kernel"]
    md.append("Fake kernel: section 1's numbers. Real kernel: a uprobe_multi link on a nop sled in the "
              "bench binary (median over attaches and rounds); both create and close wait for RCU in the "
              "kernel.\n")
    md.append("| offsets | fake kernel ns libbpf / bpflink / raw | Ir libbpf / bpflink / raw | real kernel create ms libbpf / bpflink / raw | real kernel close ms libbpf / bpflink / raw |")
    md.append("|---:|---:|---:|---:|---:|")
    for cnt, case in ((1, "create_umulti_n1"), (1000, "create_umulti_n1000"), (100000, "create_umulti_n100000")):
        r = cs.get(case, {})
        ns = " / ".join(fmt(r.get(i, {}).get("ns_median")) for i in IMPLS)
        irs = " / ".join(fmt(r.get(i, {}).get("ir_per_call"), 0) for i in IMPLS)
        u = up.get(cnt, {})
        ms = " / ".join(fmt(None if i not in u else u[i]["create_ns_median"] / 1e6, 2) for i in IMPLS)
        cl = " / ".join(fmt(None if i not in u else u[i]["close_ns_median"] / 1e6, 2) for i in IMPLS)
        md.append(f"| {cnt:,} | {ns} | {irs} | {ms if u else 'not measured'} | {cl if u else '–'} |")
    md.append("")

    fp = res["footprint"]
    md.append("### 5. Footprint\n")
    md.append("| library | file bytes | stripped bytes | text | NEEDED |")
    md.append("|---|---:|---:|---:|---|")
    for name, e in fp["libraries"].items():
        md.append(f"| {name} | {e['file_bytes']:,} | {fmt(e['stripped_bytes'], 0)} | "
                  f"{fmt((e['size'] or {}).get('text'), 0)} | {', '.join(e.get('needed', [])) or '–'} |")
    md.append("")
    if "libbpflink_so_text_by_origin" in fp:
        md.append("libbpflink.so code by origin (nm symbol sizes): " + "; ".join(
            f"{k}: {v:,} B" for k, v in fp["libbpflink_so_text_by_origin"].items()) + "\n")
    md.append("Trivial program referencing the link API (calls nothing): size, and fork+exec+wait time. "
              "`-static`: the library's .a linked in (libc still dynamic); `-static-gc`: the same with "
              "`-Wl,--gc-sections` "
              f"(median of {os.environ.get('LOAD_N', '1000')} runs, interleaved).\n")
    md.append("| program | file bytes | stripped bytes | shared libs loaded | load µs (p10–p90) | vs no library | max RSS KiB |")
    md.append("|---|---:|---:|---|---:|---:|---:|")
    base = fp["programs"].get("trivial-none", {}).get("load_us_median")
    for p, e in fp["programs"].items():
        libs = [os.path.basename(x.split(" => ")[0]) for x in e["ldd"]]
        lt = e.get("load_us_median")
        md.append(f"| {p} | {e['file_bytes']:,} | {fmt(e['stripped_bytes'], 0)} | {', '.join(libs)} | "
                  f"{fmt(lt)} ({fmt(e.get('load_us_p10'))}–{fmt(e.get('load_us_p90'))}) | "
                  f"{'+' + fmt(lt - base) if lt is not None and base is not None and p != 'trivial-none' else '–'} | "
                  f"{fmt(e.get('maxrss_kb'), 0)} |")
    lb = fp["programs"].get("trivial-libbpf", {}).get("load_us_median")
    bb = fp["programs"].get("trivial-bpflink", {}).get("load_us_median")
    if lb and bb:
        md.append(f"\nLoad time ours/libbpf (shared): {bb / lb:.2f}\n")

    md.append("### 6. Heap allocations per call (fake kernel)\n")
    md.append("Interposed malloc/calloc/realloc/memalign counter: allocations during the first call, "
              "then during 1000 more calls.\n")
    md.append("| function / case | libbpf first call | libbpf per 1000 calls | bpflink first call | bpflink per 1000 calls |")
    md.append("|---|---:|---:|---:|---:|")
    for name, d in allocs.items():
        l, b = d.get("libbpf", {}), d.get("bpflink", {})
        flag = " ⚠" if b.get("per_1000_calls", 0) else ""
        md.append(f"| {name}{flag} | {l.get('first_call', '–')} | {l.get('per_1000_calls', '–')} | "
                  f"{b.get('first_call', '–')} | {b.get('per_1000_calls', '–')} |")
    if memcheck:
        md.append("\nvalgrind memcheck, `total heap usage` of the whole process with 0 vs 1000 calls of every "
                  "case and function: " + "; ".join(
                      f"{i}: {d['allocs_0_calls']} → {d['allocs_1000_calls_each']} allocs (difference {d['difference']})"
                      for i, d in sorted(memcheck.items())))
    md.append("")

    text = "\n".join(md)
    with open(os.path.join(OUT, "results.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(res, f, indent=1, sort_keys=False)
    print(text)
    print(f"\nwritten: {OUT}/results.json, {OUT}/results.md (raw data: {RAW}/)")


if __name__ == "__main__":
    main()
