#!/bin/sh
# tests/memcheck/run.sh sanitize|valgrind   (`make sanitize`, `make valgrind`)
#
# Runs the C programs that call the library under a memory checker and
# requires zero errors and zero leaks:
#   - the c-tests programs that call the library (ASAN_TESTS in
#     c-tests/Makefile: macros, errors, kernel, ...),
#   - tests/memcheck/objects.c: the bpf_link__* object API and pin paths
#     on a real kernel (private bpffs),
#   - the conformance drivers (conformance/, when present), through
#     conformance/run.sh with a fixed seed: built with the instrumenting CC
#     (sanitize), or the bpflink driver re-run under memcheck (valgrind),
#     its transcript still equal to the real libbpf's / the plain run's.
#
# sanitize: clang, -fsanitize=address,undefined (LeakSanitizer on, every
#   report fatal), each program linked three ways: against libbpflink.so,
#   against libbpflink.a, and against a libbpflink.a whose Rust code is
#   ASan-instrumented too (-Zsanitizer=address through RUSTC_BOOTSTRAP=1 on
#   the stable toolchain; rust-std ships the runtime pieces it needs).
# valgrind: memcheck with --leak-check=full, definite/indirect/possible
#   leaks count as errors, --error-exitcode; linked against the .so and .a.
#
# Programs needing the kernel run in `unshare --net --mount --propagation
# private` (root). Prints one line per run and ends with "N passed, N failed".
set -u
mode=${1:-}
case $mode in sanitize | valgrind) ;; *) echo "usage: $0 sanitize|valgrind" >&2; exit 2 ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=build/memcheck/$mode
mkdir -p "$out"
CI=${CI:-}
NATIVE_LIBS=$(sed -n 's/^NATIVE_LIBS[[:space:]]*[:?]*=[[:space:]]*//p' Makefile)
TESTS=$(sed -n 's/^ASAN_TESTS[[:space:]]*:=[[:space:]]*//p' c-tests/Makefile)
[ -n "$TESTS" ] || TESTS="macros errors kernel"
passed=0
failed=0
skipped=0
log=$out/log.txt
: > "$log"

pass() { printf 'ok %s\n' "$*"; passed=$((passed + 1)); }
fail() { printf 'FAIL %s\n' "$*"; failed=$((failed + 1)); }
skip() {
	if [ "$CI" = true ]; then fail "(skipped under CI=true) $*"; else printf 'skip %s\n' "$*"; skipped=$((skipped + 1)); fi
}

# needs_kernel NAME: run it in private namespaces.
needs_kernel() { case $1 in kernel | objects) return 0 ;; esac; return 1; }

src_of() {
	case $1 in
	objects) echo tests/memcheck/objects.c ;;
	*) echo "c-tests/$1.c" ;;
	esac
}

# run TAG CMD...: run, keep the output in $out/TAG.txt, judge exit status,
# FAIL lines (check.h) and checker reports.
run() {
	tag=$1
	shift
	f=$out/$(echo "$tag" | tr '/ ' '__').txt
	"$@" > "$f" 2>&1
	rc=$?
	cat "$f" >> "$log"
	if [ "$rc" -ne 0 ]; then
		fail "[$tag] exit status $rc"
		grep -v -e '^ok ' -e 'unhandled eBPF command' -e '^==[0-9]*== *$' "$f" | head -n 40 | sed 's/^/# /'
	elif grep -q '^FAIL ' "$f"; then
		fail "[$tag] a check failed"
		grep '^FAIL ' "$f" | sed 's/^/# /'
	elif grep -q -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' -e 'runtime error:' -e 'ERROR SUMMARY: [1-9]' "$f"; then
		fail "[$tag] checker report"
		head -n 40 "$f" | sed 's/^/# /'
	else
		n=$(grep -c '^ok ' "$f")
		s=$(grep -c '^skip ' "$f")
		if [ "$s" -gt 0 ]; then
			skip "[$tag] $(grep '^skip ' "$f" | head -n 1)"
		else
			pass "[$tag] clean ($n checks)"
		fi
	fi
}

wrap() { # wrap NAME CMD...: add the namespace wrapper when needed
	name=$1
	shift
	if needs_kernel "$name"; then
		if [ "$(id -u)" -ne 0 ] || ! unshare --net true 2>/dev/null; then
			echo "skip $name: needs root (unshare --net)"
			return 0
		fi
		unshare --net --mount --propagation private "$@"
	else
		"$@"
	fi
}

have_driver() { [ -f conformance/run.sh ] && [ -f conformance/driver/main.c ]; }

if [ "$mode" = sanitize ]; then
	CC=${SANITIZE_CC:-clang}
	SAN="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
	export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1:strict_string_checks=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	# The Rust half instrumented too.
	host=$(rustc -vV | sed -n 's/^host: //p')
	rasan_dir=$root/target/memcheck-asan
	# cargo's archive, pre-linked like the shipped one (scripts/prelink.sh).
	rasan=$rasan_dir/libbpflink-asan.a
	if RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zsanitizer=address -Cforce-frame-pointers=yes" \
		cargo build --quiet --release -p libbpflink --target "$host" --target-dir "$rasan_dir" \
		> "$out/rust-asan-build.txt" 2>&1 &&
		make -s lib >> "$out/rust-asan-build.txt" 2>&1 &&
		sh scripts/prelink.sh "$rasan_dir/$host/release/liblibbpflink.a" "$rasan_dir/libbpflink.o" \
			build/obj/exports.txt >> "$out/rust-asan-build.txt" 2>&1 &&
		rm -f "$rasan" && ar rcs "$rasan" "$rasan_dir/libbpflink.o"; then
		variants="shared static rust-asan"
	else
		fail "[build] Rust with -Zsanitizer=address (see $out/rust-asan-build.txt)"
		variants="shared static"
	fi
	for t in $TESTS objects; do
		src=$(src_of "$t")
		for v in $variants; do
			bin=$out/$t-$v
			case $v in
			shared) link="-Lbuild/lib -lbpflink -Wl,-rpath,$root/build/lib" ;;
			static) link="build/lib/libbpflink.a $NATIVE_LIBS" ;;
			rust-asan) link="$rasan $NATIVE_LIBS" ;;
			esac
			if ! $CC -std=gnu11 -Wall -Wextra $SAN -Iinclude -o "$bin" "$src" $link > "$bin.build.txt" 2>&1; then
				fail "[$t/$v] build"; sed 's/^/# /' "$bin.build.txt" | head -n 20
				continue
			fi
			run "$t/$v" wrap "$t" "$bin"
		done
	done
	if have_driver; then
		# conformance/run.sh builds its three drivers (oracle, .so, .a)
		# with $CC: here an instrumenting one. It compares the transcripts
		# with the oracle's as usual; a sanitizer report kills a driver,
		# which fails the comparison and leaves the report in its .err.
		# The attach drivers' .err files count too: a report there is in
		# the driver's own code (libbpf itself is not instrumented).
		# The real libbpf crashes on purpose in some cases (in forked
		# children): handle_segv=0 keeps that a SIGSEGV, as the transcript
		# expects, instead of ASan's report and exit 1.
		run "conformance/asan+ubsan (3000 random cases, oracle comparison)" \
			env CC="$CC $SAN" ASAN_OPTIONS="$ASAN_OPTIONS:handle_segv=0" \
			sh conformance/run.sh --seed 1 --cases 3000
		if grep -l -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' -e 'runtime error:' \
			build/conformance/bpflink*.err build/conformance/attach-*.err > /dev/null 2>&1; then
			fail "[conformance/asan+ubsan] sanitizer reports in build/conformance/*.err"
		fi
	fi
else
	if ! command -v valgrind > /dev/null 2>&1; then
		skip "valgrind: not installed (make deps)"
		echo "$passed passed, $failed failed"
		[ "$failed" -eq 0 ]
		exit
	fi
	CC=${CC:-cc}
	VG="valgrind -q --error-exitcode=99 --suppressions=$root/tests/memcheck/valgrind.supp --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible"
	for t in $TESTS objects; do
		src=$(src_of "$t")
		for v in shared static; do
			bin=$out/$t-$v
			case $v in
			shared) link="-Lbuild/lib -lbpflink -Wl,-rpath,$root/build/lib" ;;
			static) link="build/lib/libbpflink.a $NATIVE_LIBS" ;;
			esac
			if ! $CC -std=gnu11 -Wall -Wextra -O1 -g -Iinclude -o "$bin" "$src" $link > "$bin.build.txt" 2>&1; then
				fail "[$t/$v] build"; sed 's/^/# /' "$bin.build.txt" | head -n 20
				continue
			fi
			run "$t/$v" wrap "$t" $VG "$bin"
		done
	done
	if have_driver; then
		# conformance/run.sh builds the drivers (and compares a short plain
		# run with the oracle); then the bpflink driver runs random cases
		# under memcheck (each case in a forked child, which memcheck
		# follows; the driver's own deliberate probes are suppressed in
		# valgrind.supp). The fixed corpus (~20000 forks) is left to the
		# plain run: under memcheck it would take many minutes.
		run "conformance/plain (100 random cases, oracle comparison)" \
			env CC="$CC" sh conformance/run.sh --seed 1 --cases 100
		run "conformance/valgrind (bpflink driver, 300 random cases)" \
			$VG build/conformance/driver-bpflink --seed 1 --cases 300 --no-fixed
		if grep -q '^== end' "$out/conformance_valgrind_(bpflink_driver,_300_random_cases).txt"; then
			pass "[conformance/valgrind] the driver ran to the end"
		else
			fail "[conformance/valgrind] the driver did not reach its end line"
		fi
	fi
fi

[ "$skipped" -gt 0 ] && echo "# $skipped skipped (CI=true makes a skip a failure)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
