#!/bin/sh
# tests/reliability/run.sh (`make reliability`): bpflink never hurts the
# program it lives in (docs/reliability.md). C programs built against the
# shipped build/lib/libbpflink.so and .a (and, for comparison, the real
# libbpf 1.7.0 from build/oracle):
#   trace.c    BPFLINK_TRACE pointed at a FIFO without a reader, a broken or
#              full pipe, a file under `ulimit -f 0`, a reused fd, a symlink,
#              another user's file; traced calls from a signal handler;
#              escaped strings                         (.so, .a)
#   longjmp.c  a print callback that longjmps out of bpf_link__pin/unpin
#              leaks nothing                           (.so, .a; libbpf shown)
#   soak.c     create/info/get_fd_by_id/close cycles flat in fds and RSS
#              (.so, .a, libbpf), fd exhaustion (.so, .a, libbpf), 8 threads
#              (.so, and libbpf's binary with LD_PRELOAD=libbpflink.so),
#              forks during calls (.so, .a)
# Knobs (defaults keep `make test` short; the issue's figures in brackets):
#   RELIABILITY_SECONDS  threads soak duration per run, seconds  (3)  [30]
#   RELIABILITY_CYCLES   create/info/get_fd_by_id/close cycles  (50000)
#   RELIABILITY_ROUNDS   longjmps per print-callback scenario   (50000) [200000]
#   RELIABILITY_FORKS    forks during calls                     (2000)
# Kernel programs run as root in `unshare --net --mount --propagation
# private`; without root they are skips (failures under CI=true). One line
# per check; the last line is "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
root=$(pwd)
out=$root/build/reliability
lib=$root/build/lib
oracle=$root/build/oracle
CC=${CC:-cc}
CI=${CI:-}
SECS=${RELIABILITY_SECONDS:-3}
CYCLES=${RELIABILITY_CYCLES:-50000}
ROUNDS=${RELIABILITY_ROUNDS:-50000}
FORKS=${RELIABILITY_FORKS:-2000}
unset LD_PRELOAD LD_LIBRARY_PATH BPFLINK_TRACE LIBBPF_LOG_LEVEL
mkdir -p "$out"
tmp=$out/last.txt
passed=0
failed=0
skipped=0

say() { printf '%s\n' "$*"; }
pass() { say "ok $*"; passed=$((passed + 1)); }
fail() { say "FAIL $*"; failed=$((failed + 1)); }
skip() {
	if [ "$CI" = true ]; then
		say "FAIL (skipped under CI=true) $*"
		failed=$((failed + 1))
	else
		say "skip $*"
		skipped=$((skipped + 1))
	fi
}

# collect TAG: count the check lines (c-tests/check.h) in $tmp.
collect() {
	tag=$1 checks=0 fails=0
	while IFS= read -r line; do
		case $line in
		"ok "*) pass "[$tag] ${line#ok }"; checks=$((checks + 1)) ;;
		"FAIL "*) fail "[$tag] ${line#FAIL }"; checks=$((checks + 1)); fails=$((fails + 1)) ;;
		"skip "*) skip "[$tag] ${line#skip }"; checks=$((checks + 1)) ;;
		"# "*) say "$line" ;;
		*) say "# [$tag] $line" ;;
		esac
	done < "$tmp"
	if [ "$rc" -ne 0 ] && [ "$fails" -eq 0 ]; then
		fail "[$tag] exited with status $rc without a failed check (crash?)"
	elif [ "$checks" -eq 0 ]; then
		fail "[$tag] printed no check at all"
	fi
}

# run TAG CMD...: run a program (stdin /dev/null) and count its checks.
run() {
	tag=$1
	shift
	"$@" < /dev/null > "$tmp" 2>&1
	rc=$?
	collect "$tag"
}

# kernel TAG CMD...: `run` in private network and mount namespaces.
kernel() {
	tag=$1
	shift
	if [ "$(id -u)" != 0 ] || ! unshare --net --mount --propagation private true 2>/dev/null; then
		skip "[$tag] needs root and namespaces (unshare --net --mount)"
		return
	fi
	run "$tag" unshare --net --mount --propagation private "$@"
}

STRICT="-std=c11 -Wall -Wextra -Werror -pedantic -O2 -g -I$root/include"
# build NAME SOURCE LINK...: one binary; a failed build is a failed check.
build() {
	name=$1 source=$2
	shift 2
	if $CC $STRICT -o "$out/$name" "$source" "$@" > "$out/$name.build.txt" 2>&1; then
		return 0
	fi
	fail "[build] $name"
	sed 's/^/# /' "$out/$name.build.txt"
	return 1
}

SHARED="-L$lib -lbpflink -Wl,-rpath,$lib"
STATIC="$lib/libbpflink.a"
[ -f "$oracle/libbpf.so.1" ] || sh scripts/build-oracle.sh > "$out/oracle.build.txt" 2>&1
LIBBPF="$oracle/libbpf.so.1 -Wl,-rpath,$oracle"
have_libbpf=false
[ -f "$oracle/libbpf.so.1" ] && have_libbpf=true
$have_libbpf || skip "[libbpf] no build/oracle/libbpf.so.1 (scripts/build-oracle.sh failed): the comparison runs are left out"

here=tests/reliability

# ---- tracing --------------------------------------------------------------
# shellcheck disable=SC2086
build trace-shared $here/trace.c $SHARED && run trace/shared "$out/trace-shared"
# shellcheck disable=SC2086
build trace-static $here/trace.c $STATIC && run trace/static "$out/trace-static"

# ---- print callbacks that longjmp ------------------------------------------
# shellcheck disable=SC2086
build longjmp-shared $here/longjmp.c $SHARED && kernel longjmp/shared "$out/longjmp-shared" "$ROUNDS"
# shellcheck disable=SC2086
build longjmp-static $here/longjmp.c $STATIC && kernel longjmp/static "$out/longjmp-static" "$ROUNDS"
if $have_libbpf; then
	# shellcheck disable=SC2086
	build longjmp-libbpf $here/longjmp.c $LIBBPF && kernel longjmp/libbpf "$out/longjmp-libbpf" "$ROUNDS" libbpf
fi

# ---- keep what held -----------------------------------------------------------
# shellcheck disable=SC2086
build soak-shared $here/soak.c -pthread $SHARED || true
# shellcheck disable=SC2086
build soak-static $here/soak.c -pthread $STATIC || true
if $have_libbpf; then
	# shellcheck disable=SC2086
	build soak-libbpf $here/soak.c -pthread $LIBBPF -ldl || have_libbpf=false
fi
if [ -x "$out/soak-shared" ]; then
	kernel cycles/shared "$out/soak-shared" cycles "$CYCLES"
	kernel emfile/shared "$out/soak-shared" emfile
	kernel threads/shared "$out/soak-shared" threads "$SECS"
	kernel forks/shared "$out/soak-shared" forks "$FORKS"
fi
if [ -x "$out/soak-static" ]; then
	kernel emfile/static "$out/soak-static" emfile
	kernel forks/static "$out/soak-static" forks "$FORKS"
fi
if $have_libbpf; then
	kernel cycles/libbpf "$out/soak-libbpf" cycles "$CYCLES"
	kernel emfile/libbpf "$out/soak-libbpf" emfile
	# The same libbpf binary with bpflink preloaded: bpflink serves it.
	served=$(LD_PRELOAD=$lib/libbpflink.so "$out/soak-libbpf" which 2> /dev/null)
	case $served in
	*libbpflink*) pass "[threads/preload] LD_PRELOAD=libbpflink.so serves bpf_link_create ($served)" ;;
	*) fail "[threads/preload] LD_PRELOAD=libbpflink.so serves bpf_link_create (got '$served')" ;;
	esac
	kernel threads/preload env LD_PRELOAD="$lib/libbpflink.so" "$out/soak-libbpf" threads "$SECS"
fi

[ "$skipped" -gt 0 ] && echo "# $skipped skipped (CI=true makes a skip a failure)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
