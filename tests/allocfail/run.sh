#!/bin/sh
# tests/allocfail/run.sh: allocfail.c built against the real libbpf 1.7.0
# (build/oracle), libbpflink.so and libbpflink.a, run as root in a private
# mount namespace; every transcript must be identical and complete (nothing
# aborts). Prints one line per check and ends with "N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
CC=${CC:-cc}
CI=${CI:-}
out=build/allocfail
mkdir -p "$out"
passed=0
failed=0
pass() { printf 'ok %s\n' "$*"; passed=$((passed + 1)); }
fail() { printf 'FAIL %s\n' "$*"; failed=$((failed + 1)); }
finish() {
	printf '%s passed, %s failed\n' "$passed" "$failed"
	[ "$failed" -eq 0 ]
	exit $?
}

if [ ! -e build/oracle/libbpf.so.1 ]; then
	sh scripts/build-oracle.sh >"$out/oracle-build.log" 2>&1 || {
		fail "build the oracle (scripts/build-oracle.sh; see $out/oracle-build.log)"
		finish
	}
fi
CFLAGS="-O1 -g -Wall -Wextra -Werror -std=gnu11"
src=tests/allocfail/allocfail.c
build() { # name cc-args...
	name=$1
	shift
	if $CC $CFLAGS -o "$out/$name" "$src" -rdynamic "$@" >"$out/$name.build.log" 2>&1; then
		pass "build against $name"
	else
		fail "build against $name"
		sed 's/^/# /' "$out/$name.build.log" | head -n 20
	fi
}
build libbpf -DORACLE -Ibuild/oracle/include build/oracle/libbpf.so.1 \
	-Wl,--disable-new-dtags,-rpath,"$root/build/oracle"
build libbpflink.so -Iinclude build/lib/libbpflink.so -Wl,--disable-new-dtags,-rpath,"$root/build/lib"
build libbpflink.a -Iinclude build/lib/libbpflink.a

for name in libbpf libbpflink.so libbpflink.a; do
	[ -x "$out/$name" ] || continue
	# BPFLINK_TRACE: the traced calls must not allocate either (the real
	# libbpf ignores it; the trace goes to stderr, the transcript to stdout).
	BPFLINK_TRACE=stderr unshare --mount --propagation private "$out/$name" \
		>"$out/$name.out" 2>"$out/$name.err"
	rc=$?
	if grep -q '^skip:' "$out/$name.out"; then
		if [ "$CI" = true ]; then
			fail "[$name] (skipped under CI=true) $(grep '^skip:' "$out/$name.out")"
		else
			printf 'skip [%s] %s\n' "$name" "$(grep '^skip:' "$out/$name.out")"
		fi
		continue
	fi
	if [ "$rc" -eq 0 ] && tail -n 1 "$out/$name.out" | grep -qx done; then
		pass "[$name] runs to the end with allocations failing ($(grep -c ' k=' "$out/$name.out") failure points)"
	else
		fail "[$name] exit status $rc, or the transcript stops early"
		tail -n 5 "$out/$name.out" "$out/$name.err" | sed 's/^/# /'
	fi
done
for name in libbpflink.so libbpflink.a; do
	[ -s "$out/$name.out" ] && [ -s "$out/libbpf.out" ] || continue
	if cmp -s "$out/libbpf.out" "$out/$name.out"; then
		pass "[$name] answers exactly like libbpf 1.7.0 at every failure point"
	else
		fail "[$name] differs from libbpf 1.7.0:"
		diff "$out/libbpf.out" "$out/$name.out" | head -n 30 | sed 's/^/# /'
	fi
done
finish
