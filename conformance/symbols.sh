#!/bin/sh
# Symbol-list comparison: every function libbpflink.so exports must be
# exported by the oracle (the real libbpf.so.1.7.0) under the same name with
# the same default version node (name@@LIBBPF_x.y.z), as a function;
# bpflink's own bpflink_* functions (node BPFLINK_0.1) must not be.
#
#   conformance/symbols.sh [ours.so] [oracle.so]
#
# Prints one line per mismatch and ends with
# "symbols: N checked, N mismatched"; exit status 1 on any mismatch.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
ours=${1:-$root/build/lib/libbpflink.so}
oracle=${2:-$root/build/oracle/libbpf.so.1.7.0}
for f in "$ours" "$oracle"; do
	[ -e "$f" ] || { echo "symbols: $f not found" >&2; exit 2; }
done

# "TYPE name@@NODE" (or "TYPE name" when unversioned) for every defined
# global or weak symbol in .dynsym; version-definition symbols (ABS
# OBJECTs named after their node) are skipped.
defined() {
	readelf -W --dyn-syms "$1" |
		awk '$5 ~ /^(GLOBAL|WEAK)$/ && $7 != "UND" && $7 != "ABS" && $8 != "" { print $4, $8 }'
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
defined "$ours" | sort -u >"$tmp/ours"
defined "$oracle" | sort -u >"$tmp/oracle"

checked=0
bad=0
while read -r type sym; do
	[ "$type" = FUNC ] || continue
	checked=$((checked + 1))
	name=${sym%%@*}
	# bpflink's own extensions: in its own node, never in libbpf.
	case $sym in
	bpflink_*@@BPFLINK_0.1)
		if grep -q " $name@" "$tmp/oracle"; then
			echo "symbols: $sym is also a libbpf function"
			bad=$((bad + 1))
		fi
		continue
		;;
	esac
	case $sym in
	*@@*) ;;
	*) echo "symbols: $sym is exported without a default version node"; bad=$((bad + 1)); continue ;;
	esac
	if grep -qxF "FUNC $sym" "$tmp/oracle"; then
		continue
	fi
	theirs=$(awk -v n="$name" '{ s = $2; sub(/@.*/, "", s); if (s == n) print $1, $2 }' "$tmp/oracle")
	if [ -n "$theirs" ]; then
		echo "symbols: ours $sym, oracle $theirs"
	else
		echo "symbols: $sym is not exported by the oracle"
	fi
	bad=$((bad + 1))
done <"$tmp/ours"

# Anything else we export (objects, TLS) is not part of libbpf's ABI either.
while read -r type sym; do
	[ "$type" = FUNC ] && continue
	grep -qxF "$type $sym" "$tmp/oracle" && continue
	echo "symbols: ours exports $type $sym, the oracle does not"
	bad=$((bad + 1))
done <"$tmp/ours"

echo "symbols: $checked checked, $bad mismatched"
[ "$bad" -eq 0 ]
