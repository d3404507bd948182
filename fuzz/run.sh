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
targets="opts_core opts_ffi elf_resolve"
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
	--bin opts_core --bin opts_ffi --bin elf_resolve

# Seeds of the resolver: small real ELF files (a shared library with
# versioned, weak and local symbols, built here; this machine's smallest
# programs), each behind the name-picking byte.
mkdir -p corpus/elf-seeds
if cc -shared -fPIC -O1 -o corpus/elf-seeds/.t.so ../conformance/target.c ../conformance/target2.c \
	-Wl,--version-script=../conformance/target.map 2>/dev/null; then
	for p in 0 1; do
		{ printf "\\$p"; cat corpus/elf-seeds/.t.so; } > "corpus/elf-seeds/target-$p"
	done
	rm -f corpus/elf-seeds/.t.so
fi
for f in /bin/true /usr/bin/true; do
	[ -r "$f" ] && { printf '\003'; head -c 65536 "$f"; } > corpus/elf-seeds/true && break
done

passed=0
failed=0
for t in $targets; do
	mkdir -p "corpus/work/$t" "artifacts/$t"
	echo "=== fuzz $t for ${each}s"
	log="artifacts/$t/last-run.log"
	rc=0
	if [ "$t" = elf_resolve ]; then
		seeds=corpus/elf-seeds max_len=65536
	else
		seeds=corpus/seeds max_len=512
	fi
	"$CARGO_TARGET_DIR/$host/release/$t" -max_total_time="$each" -max_len="$max_len" \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="artifacts/$t/" "corpus/work/$t" "$seeds" > "$log" 2>&1 || rc=$?
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
