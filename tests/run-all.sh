#!/bin/sh
# The whole bpflink test suite (`make test`). Runs every runner even if one
# fails, streams their output, and ends with one summary line adding up the
# runners' own counts: "all: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

run() {
	name=$1; shift
	printf '\n=== %s: %s\n' "$name" "$*"
	# Keep the exit status of the step, not of tee.
	{ "$@" 2>&1; echo "__rc=$?"; } | tee -a "$log" | grep -v '^__rc='
	rc=$(grep '^__rc=' "$log" | tail -n 1 | cut -d= -f2)
	if [ "$rc" != 0 ]; then
		echo "=== $name FAILED (exit $rc)"
		status=1
		echo "$name" >> "$log.failed"
	fi
}

rm -f "$log.failed"
run lint sh -c 'cargo fmt --all --check && cargo clippy -q --workspace --all-targets -- -D warnings && echo "lint: 2 passed, 0 failed"'
run rust cargo test --workspace --no-fail-fast
run c-tests make --no-print-directory test-c
run abi make --no-print-directory check-abi
run conformance make --no-print-directory conformance
run cross make --no-print-directory cross
run shim make --no-print-directory shim
run allocfail sh tests/allocfail/run.sh
run sanitize make --no-print-directory sanitize
run valgrind make --no-print-directory valgrind
run fuzz make --no-print-directory fuzz FUZZ_SECONDS=60
run reliability make --no-print-directory reliability
[ -f tests/install.sh ] && run install sh tests/install.sh
run publish sh tests/publish.sh

# cargo prints "test result: ok. 12 passed; 0 failed; …"; the other runners
# print "N passed, N failed".
passed=$(sed -n -e 's/^test result: [a-zA-Z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1/p' \
	-e 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
failed=$(sed -n -e 's/^test result: [a-zA-Z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\2/p' \
	-e 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\2/p' "$log" | awk '{s+=$1} END {print s+0}')
# A Rust test that could not run (tests print "SKIP <test>: <reason>", see
# crates/bpflink-testkit) was reported by libtest as passed: do not count it
# (under CI=true a skip is a failure instead).
skipped=$(grep -c '^SKIP ' "$log")
if [ "$skipped" -gt 0 ]; then
	echo
	echo "skipped (not counted as passed):"
	grep '^SKIP ' "$log" | sed 's/^/  /'
	passed=$((passed - skipped))
fi
if [ -f "$log.failed" ]; then
	echo
	echo "failed steps: $(tr '\n' ' ' < "$log.failed")"
	rm -f "$log.failed"
	[ "$failed" -eq 0 ] && failed=1
	status=1
fi
echo
echo "all: $passed passed, $failed failed"
exit $status
