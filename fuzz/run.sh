#!/bin/sh
# fuzz/run.sh [SECONDS]: `make fuzz`. Builds the libFuzzer targets on stable
# Rust (coverage instrumentation through the stable -Cpasses=sancov-module
# and -Cllvm-args flags, as cargo-fuzz passes them with --sanitizer none),
# regenerates the seed corpus, and runs each target for its share of
# SECONDS (default $FUZZ_SECONDS or 60) on the seeds plus what earlier runs
# found (corpus/work/, not committed). A crash or a difference from the
# model stops the target; the input is saved under artifacts/<target>/ and
# can be replayed with `target/release/replay <file>` (no libFuzzer needed).
# Ends with "N passed, N failed" (N = targets).
set -eu
cd "$(dirname "$0")"
total=${1:-${FUZZ_SECONDS:-60}}
targets="opts_core opts_ffi"
n=$(echo $targets | wc -w)
each=$(( total / n ))
[ "$each" -ge 1 ] || each=1
host=$(rustc -vV | sed -n 's/^host: //p')
export CARGO_TARGET_DIR="$PWD/target"

# Seeds and the replay tool: a plain build. The crate's own tests first
# (no libFuzzer): the seeds and 20000 pseudo-random cases against the model.
cargo build --release --quiet --bin seeds --bin replay
"$CARGO_TARGET_DIR/release/seeds" corpus/seeds > /dev/null
cargo test --release --quiet || exit 1

# --target keeps RUSTFLAGS away from build scripts (like cargo-fuzz).
RUSTFLAGS="-Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares \
--cfg fuzzing -Cdebug-assertions -Coverflow-checks" \
	cargo build --release --quiet --features libfuzzer --target "$host" \
	--bin opts_core --bin opts_ffi

passed=0
failed=0
for t in $targets; do
	mkdir -p "corpus/work/$t" "artifacts/$t"
	echo "=== fuzz $t for ${each}s"
	log="artifacts/$t/last-run.log"
	rc=0
	"$CARGO_TARGET_DIR/$host/release/$t" -max_total_time="$each" -max_len=512 \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="artifacts/$t/" "corpus/work/$t" corpus/seeds > "$log" 2>&1 || rc=$?
	grep -v -e '^#[0-9]*	\(NEW\|REDUCE\|pulse\)' -e '^"' -e 'recommended dictionary' \
		-e '^WARNING: Failed to find function' "$log"
	if [ "$rc" -ne 0 ] || ls "artifacts/$t"/crash-* "artifacts/$t"/oom-* \
		"artifacts/$t"/timeout-* > /dev/null 2>&1; then
		echo "FAIL fuzz $t (exit $rc): inputs in fuzz/artifacts/$t/, replay with" \
			"fuzz/target/release/replay <file>"
		failed=$((failed + 1))
	else
		echo "ok fuzz $t"
		passed=$((passed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
