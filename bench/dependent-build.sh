#!/bin/sh
# bench/dependent-build.sh OUT: what a Rust program that depends on the
# `bpflink` crate pays to build it from clean, today and with the last
# single-crate design (the crate that was the C library too, built with
# cbindgen and cc), both in this run. Writes OUT/dependent-build.txt:
#   D <design> <seconds> <crates compiled> <cbindgen yes|no> <cc yes|no>
# Offline: every crate comes from the local registry cache.
set -eu
out=$1
root=$(cd "$(dirname "$0")/.." && pwd)
# The last commit before the split into products (one crate: C library,
# Rust API and tool).
OLD=${BENCH_OLD_COMMIT:-69d1636}
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add --detach "$work/old" "$OLD" >/dev/null 2>&1
CARGO=${CARGO:-cargo}
: >"$out/dependent-build.txt"
for design in single-crate split; do
	case $design in
	single-crate) dep=$work/old ;;
	split) dep=$root/crates/bpflink ;;
	esac
	app=$work/app-$design
	mkdir -p "$app/src"
	cat >"$app/Cargo.toml" <<TOML
[package]
name = "uses-bpflink"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
bpflink = { path = "$dep" }

[workspace]
TOML
	echo 'fn main() { println!("{:?}", bpflink::Link::iter_all().count()); }' >"$app/src/main.rs"
	start=$(date +%s.%N)
	$CARGO build --offline --quiet --manifest-path "$app/Cargo.toml" \
		--target-dir "$work/target-$design" 2>"$work/$design.log" || {
		cat "$work/$design.log" >&2
		echo "dependent-build: the $design build failed" >&2
		exit 1
	}
	end=$(date +%s.%N)
	secs=$(awk "BEGIN { printf \"%.1f\", $end - $start }")
	n=$(ls "$work/target-$design/debug/.fingerprint" | wc -l)
	cb=no
	ls "$work/target-$design/debug/.fingerprint" | grep -q '^cbindgen-' && cb=yes
	c=no
	ls "$work/target-$design/debug/.fingerprint" | grep -q '^cc-' && c=yes
	echo "D $design $secs $n $cb $c" >>"$out/dependent-build.txt"
done
