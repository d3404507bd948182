#!/bin/sh
# bpflink benchmarks (`make bench`): user-space cost per call with a fake
# kernel (clock_gettime medians and callgrind instruction counts), real-kernel
# create+close throughput, link enumeration, uprobe_multi, footprint, load
# time and heap allocations, each side by side for the real libbpf 1.7.0
# (the oracle), bpflink and the raw syscall floor. See bench/README.md.
#
# Prints the tables (markdown) and writes build/bench/results.json and
# build/bench/results.md; raw measurements are kept in build/bench/raw/.
#
# Knobs (environment): CPU_ROUNDS (5 processes per library, each timing
# every case CPU_REPS=3 times with CPU_N=1000000 calls), KERN_ROUNDS (5),
# TPUT_SECS (0.2 per link kind per round), LOAD_N (1000 fork+exec per
# program), BENCH_NO_BUILD=1 (reuse the binaries).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
MAKE=${MAKE:-make}
CC=${CC:-cc}
CPU_ROUNDS=${CPU_ROUNDS:-5}
CPU_REPS=${CPU_REPS:-3}
CPU_N=${CPU_N:-1000000}
KERN_ROUNDS=${KERN_ROUNDS:-5}
TPUT_SECS=${TPUT_SECS:-0.2}
LOAD_N=${LOAD_N:-1000}
NATIVE_LIBS=${NATIVE_LIBS-}

out=build/bench
bin=$out/bin
raw=$out/raw
lib=$out/lib
O=build/oracle
IMPLS="raw libbpf bpflink"

command -v python3 >/dev/null || { echo "bench: python3 is needed for the report" >&2; exit 2; }
mkdir -p "$bin" "$raw"
rm -f "$raw"/*.txt "$raw"/*.log "$out"/callgrind/* "$out"/results.* 2>/dev/null || true
start=$(date +%s)
cat /proc/loadavg >"$raw/loadavg-start.txt" 2>/dev/null || true
# The libraries' order rotates from round to round, so drift and the other
# CPU's background work do not always hit the same one.
order() {
	case $(($1 % 3)) in
	0) echo "raw libbpf bpflink" ;;
	1) echo "libbpf bpflink raw" ;;
	*) echo "bpflink raw libbpf" ;;
	esac
}
log() { printf '[bench %3ss] %s\n' $(($(date +%s) - start)) "$*" >&2; }

# ------------------------------------------------------------------ build
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
	log "make lib"
	$MAKE --no-print-directory -s lib >"$raw/lib-build.log" 2>&1 || {
		cat "$raw/lib-build.log"; echo "bench: make lib failed" >&2; exit 2; }
	if [ ! -e $O/libbpf.so.1.7.0 ] || [ ! -e $O/libbpf.a ] || [ ! -e $O/include/bpf/bpf.h ]; then
		log "building the oracle (libbpf v1.7.0, scripts/build-oracle.sh)"
		sh scripts/build-oracle.sh >"$raw/oracle-build.log" 2>&1 || {
			cat "$raw/oracle-build.log"; echo "bench: building the oracle failed" >&2; exit 2; }
	fi
	# A private snapshot of both libraries and the header: other work in the
	# tree may rebuild build/lib while the bench runs.
	snapshot() {
		rm -rf "$lib" "$out/include" && mkdir -p "$lib" "$out/include" &&
		cp build/lib/libbpflink.so.0.1.0 build/lib/libbpflink.a \
			$O/libbpf.so.1.7.0 $O/libbpf.a "$lib/" &&
		cp include/bpflink.h "$out/include/" &&
		ln -sf libbpflink.so.0.1.0 "$lib/libbpflink.so.0.1" &&
		ln -sf libbpf.so.1.7.0 "$lib/libbpf.so.1" &&
		nm -D --defined-only "$lib/libbpflink.so.0.1.0" | grep -q ' bpf_link_create@' &&
		nm -D --defined-only "$lib/libbpf.so.1.7.0" | grep -q ' bpf_link_create@'
	}
	snapshot 2>/dev/null || {
		log "build/lib changed under us; rebuilding once more"
		$MAKE --no-print-directory -s lib >>"$raw/lib-build.log" 2>&1 && snapshot
	} || { echo "bench: could not take a consistent copy of the libraries" >&2; exit 2; }
	git rev-parse --short HEAD >"$raw/git-head.txt" 2>/dev/null || true
	git status --porcelain -- src crates Cargo.toml build.rs include >"$raw/git-dirty.txt" 2>/dev/null || true

	log "compiling the bench programs"
	CFLAGS="-O2 -g -Wall -Wextra -std=gnu11 -I$O/include"
	LIBBPF="-DIMPL_LIBBPF $lib/libbpf.so.1 -Wl,-rpath,$root/$lib"
	BPFLINK="-DIMPL_BPFLINK -I$out/include $lib/libbpflink.so.0.1.0 -Wl,-rpath,$root/$lib"
	cc_() { $CC $CFLAGS "$@" || { echo "bench: compiling $*" >&2; exit 2; }; }
	# The fake kernel is exported with -rdynamic: both libraries' syscall()
	# references bind to it.
	FAKE="bench/cpu.c bench/fakekern.c -rdynamic -ldl"
	cc_ -o $bin/bench-cpu-raw $FAKE
	cc_ -o $bin/bench-cpu-libbpf $FAKE $LIBBPF
	cc_ -o $bin/bench-cpu-bpflink $FAKE $BPFLINK
	cc_ -o $bin/bench-allocs-libbpf $FAKE bench/mcount.c $LIBBPF
	cc_ -o $bin/bench-allocs-bpflink $FAKE bench/mcount.c $BPFLINK
	cc_ -o $bin/bench-kern-raw bench/kern.c
	cc_ -o $bin/bench-kern-libbpf bench/kern.c $LIBBPF
	cc_ -o $bin/bench-kern-bpflink bench/kern.c $BPFLINK
	cc_ -o $bin/trivial-none bench/trivial.c
	cc_ -o $bin/trivial-libbpf bench/trivial.c $LIBBPF
	cc_ -o $bin/trivial-bpflink bench/trivial.c $BPFLINK
	cc_ -DIMPL_LIBBPF -o $bin/trivial-libbpf-static bench/trivial.c $lib/libbpf.a -lelf -lz
	cc_ -DIMPL_BPFLINK -I$out/include -o $bin/trivial-bpflink-static bench/trivial.c \
		$lib/libbpflink.a $NATIVE_LIBS
	cc_ -DIMPL_LIBBPF -o $bin/trivial-libbpf-static-gc bench/trivial.c $lib/libbpf.a \
		-Wl,--gc-sections -lelf -lz
	cc_ -DIMPL_BPFLINK -I$out/include -o $bin/trivial-bpflink-static-gc bench/trivial.c \
		$lib/libbpflink.a -Wl,--gc-sections $NATIVE_LIBS
	cc_ -o $bin/spawn bench/spawn.c
fi

# ------------------------------------------------- user space, fake kernel
log "verify: every case passes the expected attr to the fake kernel"
for i in $IMPLS; do
	$bin/bench-cpu-$i verify >>"$raw/verify.txt" || true
done
if grep -q MISMATCH "$raw/verify.txt"; then
	grep MISMATCH "$raw/verify.txt" >&2
	echo "bench: a library did not send the expected attr; timings would be meaningless" >&2
	exit 1
fi

log "user-space cost: $CPU_ROUNDS rounds x $CPU_REPS x $CPU_N calls per case and library"
r=0
while [ $r -lt "$CPU_ROUNDS" ]; do
	for i in $(order $r); do
		$bin/bench-cpu-$i time "$CPU_REPS" "$CPU_N" >>"$raw/cpu_time.txt"
	done
	r=$((r + 1))
done

if command -v valgrind >/dev/null; then
	log "callgrind: instructions per call (K=1000 and K=2000 calls per case)"
	mkdir -p $out/callgrind
	for i in $IMPLS; do
		valgrind --tool=callgrind --collect-atstart=no \
			--callgrind-out-file=$out/callgrind/$i.out \
			$bin/bench-cpu-$i callgrind 1000 2000 >"$raw/callgrind-$i.log" 2>&1
	done
	log "memcheck: total heap usage with 0 and 1000 calls of every function"
	for i in libbpf bpflink; do
		for k in 0 1000; do
			valgrind --tool=memcheck $bin/bench-cpu-$i calls $k >/dev/null 2>"$raw/memcheck-$i-$k.log"
		done
	done
else
	log "valgrind not installed: callgrind and memcheck sections skipped"
fi

log "a dependent Rust crate's clean build: the split crates vs the last single crate"
sh bench/dependent-build.sh "$raw" || echo "dependent build failed" >"$raw/dependent-build-failed.txt"

log "heap allocations per call (interposed malloc counter)"
for i in libbpf bpflink; do
	$bin/bench-allocs-$i allocs 1000 >>"$raw/allocs.txt"
done

# --------------------------------------------------------- the real kernel
kern_ok=1
if [ "$(id -u)" != 0 ]; then
	echo "not root" >"$raw/kern-skipped.txt"
	kern_ok=0
elif ! $bin/bench-kern-raw enum 1 1 >/dev/null 2>"$raw/kern-probe.log"; then
	cat "$raw/kern-probe.log" >"$raw/kern-skipped.txt"
	kern_ok=0
fi
if [ $kern_ok = 1 ]; then
	log "real kernel: create+close throughput, $KERN_ROUNDS rounds x ${TPUT_SECS}s per kind"
	r=0
	while [ $r -lt "$KERN_ROUNDS" ]; do
		for i in $(order $r); do
			$bin/bench-kern-$i tput "$TPUT_SECS" >>"$raw/kern_tput.txt" 2>>"$raw/kern.log" ||
				log "bench-kern-$i tput failed (build/bench/raw/kern.log)"
		done
		r=$((r + 1))
	done
	log "real kernel: enumerating 10 / 1000 / 10000 links"
	r=0
	while [ $r -lt "$KERN_ROUNDS" ]; do
		for i in $(order $r); do
			$bin/bench-kern-$i enum 10 200 1000 20 10000 3 >>"$raw/kern_enum.txt" 2>>"$raw/kern.log" ||
				log "bench-kern-$i enum failed (build/bench/raw/kern.log)"
		done
		r=$((r + 1))
	done
	log "real kernel: uprobe_multi attach with 1 and 1000 offsets"
	for r in 0 1 2; do
		for i in $(order $r); do
			$bin/bench-kern-$i uprobe 1 9 1000 5 >>"$raw/kern_uprobe.txt" 2>>"$raw/kern.log" ||
				log "bench-kern-$i uprobe failed (build/bench/raw/kern.log)"
		done
	done
else
	log "real-kernel sections skipped: $(head -n 1 "$raw/kern-skipped.txt")"
fi

# -------------------------------------------------------------- footprint
log "load time: $LOAD_N fork+exec+wait of each trivial program"
$bin/spawn "$LOAD_N" $bin/trivial-none $bin/trivial-libbpf $bin/trivial-bpflink \
	$bin/trivial-libbpf-static $bin/trivial-bpflink-static \
	$bin/trivial-libbpf-static-gc $bin/trivial-bpflink-static-gc >"$raw/load.txt"

log "report"
python3 bench/report.py "$out"
log "done"
