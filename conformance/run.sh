#!/bin/sh
# Differential conformance of bpflink against the real libbpf v1.7.0, with a
# fake kernel (`make conformance`).
#
#   conformance/run.sh [--seed N] [--cases M] [--case K] [--no-build] [--unrealistic]
#
#   --seed N    seed of the random part (default: the time; always printed)
#   --cases M   number of random cases (default 20000; the fixed part always runs)
#   --case K    run only case K (same seed/cases) and print both transcripts
#   --no-build  do not run `make lib` / rebuild the drivers
#   --unrealistic  also the object-API cases where the fake kernel gives
#               answers the real one never gives (bpflink differs there;
#               see conformance/README.md)
#
# Builds the oracle if missing (scripts/build-oracle.sh), builds the driver
# (conformance/driver/*.c, one program) three times (-DORACLE against
# build/oracle; against include/bpflink.h + build/lib/libbpflink.so; and +
# libbpflink.a), runs them with the same seed, compares the oracle's
# transcript with bpflink's case by case (compare.awk: the only differences
# allowed are the documented deviations), checks that the static library's
# transcript is identical to the shared one's, and compares the exported
# symbols (symbols.sh). Ends with "N passed, N failed" (N = cases; symbol
# mismatches and static/shared differences count as failures too); non-zero
# exit on any difference.
# Transcripts are left in build/conformance/ (CONFORMANCE_OUT=dir: elsewhere,
# e.g. for two runs at the same time).
#
# Another architecture (tests/cross/run.sh): CC=the target's compiler,
# CONFORMANCE_ORACLE=dir of libbpf cross-built for it (default build/oracle),
# CONFORMANCE_LIB=dir of libbpflink.{so,a} built for it (then `make lib` is
# not run: the caller built it), CONFORMANCE_RUN=the emulator the drivers
# run under (qemu-aarch64-static, ...), CONFORMANCE_LDFLAGS=extra link flags
# of the oracle's driver.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
MAKE=${MAKE:-make}
CC=${CC:-cc}
seed=""
cases=20000
only=""
build=1
extra_args=""
while [ $# -gt 0 ]; do
	case $1 in
	--seed) seed=$2; shift 2 ;;
	--cases) cases=$2; shift 2 ;;
	--case) only=$2; shift 2 ;;
	--no-build) build=0; shift ;;
	--unrealistic) extra_args="$extra_args --unrealistic"; shift ;;
	*) echo "usage: $0 [--seed N] [--cases M] [--case K] [--no-build] [--unrealistic]" >&2; exit 2 ;;
	esac
done
[ -n "$seed" ] || seed=$(date +%s)

out=${CONFORMANCE_OUT:-build/conformance}
mkdir -p "$out"
oracle=${CONFORMANCE_ORACLE:-build/oracle}
case $oracle in /*) ;; *) oracle=$root/$oracle ;; esac
lib=${CONFORMANCE_LIB:-build/lib}
case $lib in /*) ;; *) lib=$root/$lib ;; esac
RUN=${CONFORMANCE_RUN:-}

if [ -n "${CONFORMANCE_ORACLE:-}" ]; then
	[ -e "$oracle/libbpf.so.1.7.0" ] || {
		echo "conformance: no oracle at $oracle (tests/cross/run.sh builds it)" >&2; exit 2; }
elif [ ! -e build/oracle/libbpf.so.1.7.0 ] || [ ! -e build/oracle/include/bpf/bpf.h ] ||
   [ ! -e build/oracle/include/linux/bpf.h ]; then
	echo "building the oracle (real libbpf v1.7.0, scripts/build-oracle.sh)..."
	sh scripts/build-oracle.sh >"$out/oracle-build.log" 2>&1 || {
		cat "$out/oracle-build.log"; echo "conformance: building the oracle failed" >&2; exit 2; }
fi
if [ "$build" = 1 ]; then
	if [ -z "${CONFORMANCE_LIB:-}" ]; then
		$MAKE --no-print-directory -s lib >"$out/lib-build.log" 2>&1 || {
			cat "$out/lib-build.log"; echo "conformance: make lib failed" >&2; exit 2; }
	fi
	CFLAGS="-O1 -g -Wall -Wextra -std=gnu11"
	# the driver: every file of conformance/driver/ (driver.h lists them)
	SRCS="$(echo conformance/driver/*.c) conformance/fakebpf.c"
	# The fake kernel is linked into each driver and exported with -rdynamic:
	# the libraries' syscall/fcntl(64)/close references bind to it.
	# shellcheck disable=SC2086 # CONFORMANCE_LDFLAGS is a list of flags
	$CC $CFLAGS -DORACLE -I"$oracle/include" -o "$out/driver-oracle" $SRCS -rdynamic \
		"$oracle/libbpf.so.1" -Wl,--disable-new-dtags,-rpath,"$oracle" ${CONFORMANCE_LDFLAGS:-} -ldl
	$CC $CFLAGS -Iinclude -o "$out/driver-bpflink" $SRCS -rdynamic \
		"$lib/libbpflink.so" -Wl,--disable-new-dtags,-rpath,"$lib" -ldl
	$CC $CFLAGS -Iinclude -o "$out/driver-bpflink-static" $SRCS -rdynamic \
		"$lib/libbpflink.a" ${NATIVE_LIBS-}
	if [ -z "${CONFORMANCE_LIB:-}" ]; then
		# (natively only: the attach corpus needs a BPF object and a target
		# library built for the host; tests/cross runs the main corpus)
		# Attach by name (conformance/attach.c): the uprobe target library, the
		# program object the oracle needs, the three drivers.
		${TARGET_CC:-gcc} -shared -fPIC -O1 -fno-inline -o "$out/libtarget.so" conformance/target.c \
		conformance/target2.c -Wl,--version-script=conformance/target.map
		${CLANG:-clang} -O2 -target bpf -I/usr/include/x86_64-linux-gnu -c conformance/attach.bpf.c \
		-o "$out/attach.bpf.o"
		ASRCS="conformance/attach.c conformance/fakebpf.c"
		$CC $CFLAGS -DORACLE -Ibuild/oracle/include -o "$out/attach-oracle" $ASRCS -rdynamic \
		build/oracle/libbpf.so.1 -Wl,--disable-new-dtags,-rpath,"$root/build/oracle" -ldl
		$CC $CFLAGS -DBPFLINK_NO_LIBBPF_H -Iinclude -o "$out/attach-bpflink" $ASRCS -rdynamic \
		build/lib/libbpflink.so -Wl,--disable-new-dtags,-rpath,"$root/build/lib" -ldl
		$CC $CFLAGS -DBPFLINK_NO_LIBBPF_H -Iinclude -o "$out/attach-bpflink-static" $ASRCS -rdynamic \
		build/lib/libbpflink.a ${NATIVE_LIBS-}
	fi
fi

args="--seed $seed --cases $cases$extra_args"
[ -n "$only" ] && args="$args --case $only"
echo "conformance: seed $seed, $cases random cases (plus the fixed corpus)"
start=$(date +%s)
# shellcheck disable=SC2086 # RUN is empty or the emulator's name
# The three drivers run at the same time (each case forks; nothing is shared
# between the three but the read-only region address and the pin fixtures,
# which every F_OBJ case makes anew in its own private mount namespace).
$RUN "$out/driver-oracle" $args >"$out/oracle.txt" 2>"$out/oracle.err" &
opid=$!
$RUN "$out/driver-bpflink-static" $args >"$out/bpflink-static.txt" 2>"$out/bpflink-static.err" &
spid=$!
$RUN "$out/driver-bpflink" $args >"$out/bpflink.txt" 2>"$out/bpflink.err" || {
	echo "conformance: the bpflink driver failed:"; cat "$out/bpflink.err"; }
wait $opid || { echo "conformance: the oracle driver failed:"; cat "$out/oracle.err"; }
wait $spid || {
	echo "conformance: the bpflink (static) driver failed:"; cat "$out/bpflink-static.err"; }
echo "ran $(grep -c '^== case' "$out/oracle.txt") cases against libbpf 1.7.0," \
	"libbpflink.so and libbpflink.a in $(($(date +%s) - start))s${RUN:+ (under $RUN)}"
grep -q '^object-API cases .*skipped' "$out/oracle.txt" &&
	echo "note: the object-API cases were skipped (they need root: private mount namespaces, bpffs)"

if [ -n "$only" ]; then
	echo "--- oracle (libbpf 1.7.0)"
	sed -n '/^== case/,$p' "$out/oracle.txt"
	echo "--- bpflink"
	sed -n '/^== case/,$p' "$out/bpflink.txt"
fi

# Symbol mismatches, static/shared differences and attach cases that differ
# count as failures too.
extra=0
if [ -z "${CONFORMANCE_LIB:-}" ]; then
	adir=$(cd "$out" && pwd)
	"$out/attach-oracle" "$adir" >"$out/attach-oracle.txt" 2>"$out/attach-oracle.err" ||
		echo "conformance: the attach oracle driver failed: $(cat "$out/attach-oracle.err")"
	"$out/attach-bpflink" "$adir" >"$out/attach-bpflink.txt" 2>"$out/attach-bpflink.err" ||
		echo "conformance: the attach bpflink driver failed: $(cat "$out/attach-bpflink.err")"
	"$out/attach-bpflink-static" "$adir" >"$out/attach-bpflink-static.txt" 2>"$out/attach-bpflink-static.err" || true
	awk -v maxshow=10 -f conformance/attach-compare.awk "$out/attach-oracle.txt" "$out/attach-bpflink.txt" \
		>"$out/attach-summary.txt" || true
	sed '$d' "$out/attach-summary.txt" | head -n 200
	tail -n 1 "$out/attach-summary.txt"
	n=$(sed -n 's/^attach: [0-9]* passed, \([0-9]*\) failed$/\1/p' "$out/attach-summary.txt")
	apassed=$(sed -n 's/^attach: \([0-9]*\) passed, [0-9]* failed$/\1/p' "$out/attach-summary.txt")
	extra=$((extra + ${n:-1}))
	if cmp -s "$out/attach-bpflink.txt" "$out/attach-bpflink-static.txt"; then
		echo "attach, static library: transcript identical to the shared library's"
	else
		echo "attach, static library: transcript differs from the shared library's"
		extra=$((extra + 1))
	fi
fi
# The driver's struct bpf_link mirror has libbpf's own layout (libbpf_internal.h)
# for this target: a compile-time check with the same compiler.
libbpf_src=""
for d in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/libbpf-sys-1.7.0+v1.7.0/libbpf; do
	[ -d "$d/src" ] && libbpf_src=$d
done
if [ -z "$libbpf_src" ]; then
	echo "link layout: libbpf 1.7.0 source not found"
	extra=$((extra + 1))
elif $CC -std=gnu11 -fsyntax-only -I"$libbpf_src/src" -I"$libbpf_src/include" \
	-I"$libbpf_src/include/uapi" conformance/link_layout.c >"$out/link-layout.txt" 2>&1; then
	echo "link layout: the driver's struct bpf_link == libbpf 1.7.0's (libbpf_internal.h, $CC)"
else
	echo "link layout: the driver's struct bpf_link differs from libbpf 1.7.0's ($CC):"
	cat "$out/link-layout.txt"
	extra=$((extra + 1))
fi
sh conformance/symbols.sh "$lib/libbpflink.so" "$oracle/libbpf.so.1.7.0" >"$out/symbols.txt" 2>&1 || {
	n=$(sed -n 's/^symbols: [0-9]* checked, \([0-9]*\) mismatched$/\1/p' "$out/symbols.txt")
	[ -n "$n" ] && [ "$n" != 0 ] || n=1
	extra=$((extra + n))
}
cat "$out/symbols.txt"
if cmp -s "$out/bpflink.txt" "$out/bpflink-static.txt"; then
	echo "static library: transcript identical to the shared library's"
else
	awk -v maxshow=5 -f conformance/compare.awk "$out/oracle.txt" "$out/bpflink-static.txt" \
		>"$out/summary-static.txt" || true
	n=$(awk '$2 == "passed," && $4 == "failed" { f = $3 } END { print f + 0 }' "$out/summary-static.txt")
	[ "$n" != 0 ] || n=1
	echo "static library: transcript differs from the shared library's ($n failing cases against the oracle):"
	sed -e '$d' -e 's/^/  static| /' "$out/summary-static.txt" | grep -v '^  static| *$' | head -n 60
	extra=$((extra + n))
fi

rm -f "$out/deviations.txt"
status=0
awk -v devfile="$out/deviations.txt" -v extra_failed="$extra" -v extra_passed="${apassed:-0}" -v maxshow=15 \
	-f conformance/compare.awk "$out/oracle.txt" "$out/bpflink.txt" >"$out/summary.txt" || status=1
if [ "$status" != 0 ]; then
	sed '$d' "$out/summary.txt"
	echo
	echo "transcripts: $out/oracle.txt $out/bpflink.txt $out/bpflink-static.txt"
	if [ -n "$extra_args" ]; then
		echo "replay this run:   conformance/run.sh --seed $seed --cases $cases$extra_args"
	else
		echo "replay this run:   conformance/run.sh --seed $seed --cases $cases   (or: make conformance SEED=$seed CASES=$cases)"
	fi
	echo "replay one case K: conformance/run.sh --seed $seed --cases $cases$extra_args --case K"
else
	sed '$d' "$out/summary.txt"
	echo "replay: conformance/run.sh --seed $seed --cases $cases$extra_args [--case K]"
fi
# the count line stays last
tail -n 1 "$out/summary.txt"
exit $status
