#!/bin/sh
# check-abi.sh SO MAP SONAME: the shared library's ELF interface is libbpf
# v1.7.0's (docs/libbpf-behaviour.md#symbol-versions). `make check-abi` runs it.
#
#  - every symbol the .so exports is a FUNC named bpf_* or libbpf_* (in a
#    LIBBPF_* node) or bpflink_* (in bpflink's own node BPFLINK_0.1), listed
#    in MAP, and carries exactly MAP's version node as its default (@@)
#    version; nothing else is exported (data, unversioned, other names);
#  - every symbol MAP lists is exported;
#  - the 25 version nodes LIBBPF_0.0.1 … LIBBPF_1.7.0 are defined (readelf
#    -V), in order, each inheriting from the one before, then BPFLINK_0.1
#    (inheriting from LIBBPF_1.7.0), and MAP declares the same chain with
#    `local: *;` only in the first node;
#  - DT_SONAME is SONAME;
#  - when the vendored libbpf 1.7.0 sources are there (libbpf-sys), each
#    bpf_*/libbpf_* symbol sits in the node libbpf's own libbpf.map puts it
#    in, that map has the same 25 nodes, and no bpflink_* name is in it.
#    LIBBPF_MAP=path overrides the search.
#
# Prints one line per check and ends with "N passed, N failed"; exits 1 on
# any failure. Under CI=true a check that cannot run counts as failed.
set -u
if [ $# -ne 3 ]; then
	echo "usage: $0 SO MAP SONAME" >&2
	exit 2
fi
SO=$1
MAP=$2
SONAME=$3
CI=${CI:-}
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

say() { printf '%s\n' "$*"; }
pass() { say "ok $*"; passed=$((passed + 1)); }
fail() { say "FAIL $*"; failed=$((failed + 1)); }
skip() {
	if [ "$CI" = true ]; then
		fail "(skipped under CI=true) $*"
	else
		say "skip $*"
	fi
}

NODES="LIBBPF_0.0.1 LIBBPF_0.0.2 LIBBPF_0.0.3 LIBBPF_0.0.4 LIBBPF_0.0.5 LIBBPF_0.0.6
LIBBPF_0.0.7 LIBBPF_0.0.8 LIBBPF_0.0.9 LIBBPF_0.1.0 LIBBPF_0.2.0 LIBBPF_0.3.0 LIBBPF_0.4.0
LIBBPF_0.5.0 LIBBPF_0.6.0 LIBBPF_0.7.0 LIBBPF_0.8.0 LIBBPF_1.0.0 LIBBPF_1.1.0 LIBBPF_1.2.0
LIBBPF_1.3.0 LIBBPF_1.4.0 LIBBPF_1.5.0 LIBBPF_1.6.0 LIBBPF_1.7.0"
# bpflink's own node, after libbpf's chain.
OWN_NODE=BPFLINK_0.1
# "node parent" pairs of the expected chain (the first has no parent).
libbpf_chain() {
	prev=-
	for n in $NODES; do
		say "$n $prev"
		prev=$n
	done
}
expected_chain() {
	libbpf_chain
	say "$OWN_NODE LIBBPF_1.7.0"
}

for f in "$SO" "$MAP"; do
	if [ ! -r "$f" ]; then
		fail "$f is readable"
		say "$passed passed, $failed failed"
		exit 1
	fi
done

# parse_map FILE: a version script as lines
#   node NAME PARENT   (PARENT "-" for none)
#   sym NAME NODE      (a global: entry)
#   local NODE PATTERN (a local: entry)
parse_map() {
	perl -0777 -pe 's{/\*.*?\*/}{ }gs; s{#[^\n]*}{}g' "$1" |
		sed 's/[{};]/ & /g' | tr -s ' \t\n' '\n\n\n' | awk '
		$0 == "" { next }
		depth == 0 && $0 == "{" { depth = 1; mode = "global"; next }
		depth == 0 && $0 == ";" {
			if (node != "") print "node", node, (parent == "" ? "-" : parent)
			node = ""; parent = ""; closed = 0; next
		}
		depth == 0 && closed { parent = $0; next }
		depth == 0 { node = $0; next }
		$0 == "}" { depth = 0; closed = 1; next }
		$0 == "global:" { mode = "global"; next }
		$0 == "local:" { mode = "local"; next }
		$0 == ";" { next }
		mode == "global" { print "sym", $0, node; next }
		{ print "local", node, $0 }'
}

# --- SONAME -------------------------------------------------------------
got=$(readelf -dW "$SO" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$got" = "$SONAME" ]; then
	pass "DT_SONAME is $SONAME"
else
	fail "DT_SONAME is $SONAME (got '${got:-none}')"
fi

# --- version definitions (readelf -V) ------------------------------------
readelf -V -W "$SO" | awk '
	/^Version definition section/ { inside = 1; next }
	/^Version (needs|symbols) section/ { inside = 0 }
	inside && /Name:/ {
		if (name != "") print name, (parent == "" ? "-" : parent)
		name = $NF; parent = ""; base = ($0 ~ /Flags: BASE/)
		if (base) { print "BASE", name; name = "" }
		next
	}
	inside && /Parent 1:/ { parent = $NF }
	END { if (name != "") print name, (parent == "" ? "-" : parent) }' > "$tmp/verdef"
base=$(sed -n 's/^BASE //p' "$tmp/verdef")
if [ "$base" = "$SONAME" ]; then
	pass "the base version definition is the SONAME ($SONAME)"
else
	fail "the base version definition is the SONAME $SONAME (got '${base:-none}')"
fi
grep -v '^BASE ' "$tmp/verdef" > "$tmp/verdef.nodes"
expected_chain > "$tmp/chain"
if cmp -s "$tmp/chain" "$tmp/verdef.nodes"; then
	pass "readelf -V: the 25 nodes LIBBPF_0.0.1 … LIBBPF_1.7.0 are defined in order, each inheriting from the one before, then $OWN_NODE"
else
	fail "readelf -V: the 25 nodes LIBBPF_0.0.1 … LIBBPF_1.7.0, in order, each inheriting from the one before, then $OWN_NODE"
	diff "$tmp/chain" "$tmp/verdef.nodes" | sed 's/^/# expected < > got: /'
fi

# --- the map itself --------------------------------------------------------
parse_map "$MAP" > "$tmp/map"
awk '$1 == "node" { print $2, $3 }' "$tmp/map" > "$tmp/map.nodes"
if cmp -s "$tmp/chain" "$tmp/map.nodes"; then
	pass "$MAP declares the same 25-node chain, then $OWN_NODE"
else
	fail "$MAP declares the 25-node chain LIBBPF_0.0.1 … LIBBPF_1.7.0, then $OWN_NODE"
	diff "$tmp/chain" "$tmp/map.nodes" | sed 's/^/# expected < > got: /'
fi
locals=$(awk '$1 == "local" { print $2 ":" $3 }' "$tmp/map" | tr '\n' ' ')
if [ "$locals" = "LIBBPF_0.0.1:* " ]; then
	pass "$MAP has 'local: *;' in LIBBPF_0.0.1 only"
else
	fail "$MAP has 'local: *;' in LIBBPF_0.0.1 only (got: $locals)"
fi
awk '$1 == "sym" { print $2, $3 }' "$tmp/map" | sort > "$tmp/map.syms"
dups=$(cut -d' ' -f1 "$tmp/map.syms" | uniq -d | tr '\n' ' ')
if [ -z "$dups" ] && [ -s "$tmp/map.syms" ]; then
	pass "$MAP lists $(wc -l < "$tmp/map.syms") symbols, each once"
else
	fail "$MAP lists symbols, each once (duplicates: ${dups:-none}; empty if nothing)"
fi

# --- exported symbols ------------------------------------------------------
# Defined dynamic symbols as "TYPE BIND NAME VERSION DEFAULT NDX", where
# DEFAULT is "@@" for a default version, "@" for a hidden one, "-" for none.
readelf --dyn-syms -W "$SO" | awk '
	$1 ~ /^[0-9]+:$/ && $7 != "UND" && $5 != "LOCAL" && NF >= 8 {
		name = $8; ver = "-"; at = "-"
		if (index(name, "@@")) { split(name, p, "@@"); name = p[1]; ver = p[2]; at = "@@" }
		else if (index(name, "@")) { split(name, p, "@"); name = p[1]; ver = p[2]; at = "@" }
		print $4, $5, name, ver, at, $7
	}' | sort -k3 > "$tmp/exports"
if [ ! -s "$tmp/exports" ]; then
	fail "$SO exports something (readelf --dyn-syms found nothing)"
fi
while read -r type bind name ver at ndx; do
	# The version definitions themselves: ABS OBJECT symbols named like a node.
	if [ "$type" = OBJECT ] && [ "$ndx" = ABS ] && grep -q "^$name " "$tmp/chain"; then
		continue
	fi
	want=$(awk -v s="$name" '$1 == s { print $2 }' "$tmp/map.syms")
	what="$name ($type $bind) is exported as $name@@${want:-<not in map>}"
	case $name:$want in
	bpf_*:LIBBPF_* | libbpf_*:LIBBPF_* | bpflink_*:"$OWN_NODE" | *:) ;;
	bpflink_*:*)
		fail "$name is bpflink's own: it belongs in $OWN_NODE, not ${want}"
		continue
		;;
	bpf_*:* | libbpf_*:*)
		fail "$name is a libbpf name: it belongs in a LIBBPF_* node, not ${want}"
		continue
		;;
	*)
		fail "$name ($type $bind, version ${ver}): only bpf_* / libbpf_* / bpflink_* names may be exported"
		continue
		;;
	esac
	if [ "$type" != FUNC ]; then
		fail "$name is a $type: only functions may be exported"
	elif [ -z "$want" ]; then
		fail "$name@$at$ver is exported but $MAP does not list it"
	elif [ "$at" = "@@" ] && [ "$ver" = "$want" ]; then
		pass "$what"
	else
		fail "$what (got $name$at$ver)"
	fi
done < "$tmp/exports"
while read -r name node; do
	if ! awk -v s="$name" '$3 == s && $1 == "FUNC" { f = 1 } END { exit !f }' "$tmp/exports"; then
		fail "$name (listed in $MAP under $node) is exported by $SO"
	fi
done < "$tmp/map.syms"
count=$(awk '$1 == "FUNC"' "$tmp/exports" | wc -l)
if [ "$count" -eq "$(wc -l < "$tmp/map.syms")" ]; then
	pass "$SO exports exactly the $count functions $MAP lists"
else
	fail "$SO exports exactly the functions $MAP lists ($count FUNC exported, $(wc -l < "$tmp/map.syms") listed)"
fi

# --- against libbpf 1.7.0's own libbpf.map --------------------------------
if [ -z "${LIBBPF_MAP:-}" ]; then
	for f in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/libbpf-sys-1.7.0+v1.7.0/libbpf/src/libbpf.map; do
		[ -f "$f" ] && LIBBPF_MAP=$f
	done
fi
if [ -n "${LIBBPF_MAP:-}" ] && [ -r "$LIBBPF_MAP" ]; then
	parse_map "$LIBBPF_MAP" > "$tmp/libbpf"
	awk '$1 == "node" { print $2, $3 }' "$tmp/libbpf" > "$tmp/libbpf.nodes"
	libbpf_chain > "$tmp/libbpf.chain"
	if cmp -s "$tmp/libbpf.chain" "$tmp/libbpf.nodes"; then
		pass "libbpf 1.7.0's libbpf.map has the same 25-node chain"
	else
		fail "libbpf 1.7.0's libbpf.map has the same 25-node chain"
		diff "$tmp/libbpf.chain" "$tmp/libbpf.nodes" | sed 's/^/# expected < > libbpf: /'
	fi
	while read -r name node; do
		theirs=$(awk -v s="$name" '$1 == "sym" && $2 == s { print $3 }' "$tmp/libbpf")
		if [ "$node" = "$OWN_NODE" ]; then
			if [ -z "$theirs" ]; then
				pass "$name ($OWN_NODE) is not a libbpf 1.7.0 function"
			else
				fail "$name ($OWN_NODE) is not a libbpf 1.7.0 function (libbpf has it in $theirs)"
			fi
			continue
		fi
		if [ "$theirs" = "$node" ]; then
			pass "$name is in $node in libbpf 1.7.0's libbpf.map too"
		else
			fail "$name is in $node in libbpf 1.7.0's libbpf.map too (libbpf: ${theirs:-absent})"
		fi
	done < "$tmp/map.syms"
else
	skip "libbpf 1.7.0's libbpf.map not found (vendored by libbpf-sys; cargo fetch, or LIBBPF_MAP=path)"
fi

say "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
