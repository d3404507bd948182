#!/bin/sh
# run.sh OUT INCDIR [LIBBPF_UAPI]: run the c-tests built by the Makefile.
#
# Every test program prints "ok …", "FAIL …" or "skip …: reason" per check
# (check.h); this runner tags each line with the program and how it was
# linked, e.g. "ok [errors/static] …", counts, and ends with exactly
#   N passed, N failed
# exiting non-zero when anything failed. A program that exits non-zero
# without a FAIL line (a crash), or prints no check at all, is a failure.
# Skips are reported and not counted, except under CI=true, where a skip
# is a failure: CI must run everything.
set -u
OUT=$1
INCDIR=$2
UAPI=${3:-}
HERE=$(cd "$(dirname "$0")" && pwd)
CI=${CI:-}
passed=0
failed=0
skipped=0
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.a" "$tmp.b"' EXIT

# printf, not echo: dash's echo would expand the "\n" the tests print.
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

# collect TAG: count the check lines in $tmp; $rc is the program's status.
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
	elif [ "$rc" -eq 0 ] && [ "$fails" -ne 0 ]; then
		fail "[$tag] exited 0 despite failed checks"
	elif [ "$checks" -eq 0 ]; then
		fail "[$tag] printed no check at all"
	fi
}

# run TAG CMD...: run a program and count its checks.
run() {
	tag=$1
	shift
	"$@" > "$tmp" 2>&1
	rc=$?
	collect "$tag"
}

netns_ok() { unshare --net true 2>/dev/null; }

for link in shared static asan; do
	for t in layout macros errors; do
		[ "$t-$link" = layout-asan ] && continue # calls nothing
		run "$t/$link" "$OUT/$t-$link"
	done
	if netns_ok; then
		run "kernel/$link" unshare --net "$OUT/kernel-$link"
	else
		skip "[kernel/$link] real XDP link on lo: cannot create a network namespace (unshare --net failed; not root?)"
	fi
done

# layout.c against libbpf's own <bpf/bpf.h>: the same numbers, the same table.
if [ -x "$OUT/layout-libbpf" ]; then
	run "layout/libbpf-1.7 bpf.h" "$OUT/layout-libbpf"
	"$OUT/layout-shared" --table > "$tmp.a" 2>&1
	"$OUT/layout-libbpf" --table > "$tmp.b" 2>&1
	if [ -s "$tmp.a" ] && cmp -s "$tmp.a" "$tmp.b"; then
		pass "[layout] bpflink.h and libbpf 1.7 bpf.h print the same table ($(wc -l < "$tmp.a") sizes/offsets)"
	else
		fail "[layout] bpflink.h and libbpf 1.7 bpf.h tables differ:"
		diff "$tmp.b" "$tmp.a" | sed 's/^/# /'
	fi
else
	skip "[layout/libbpf-1.7 bpf.h] vendored libbpf 1.7.0 not found (cargo fetch gets libbpf-sys)"
fi

# struct bpflink_link_info against libbpf 1.7's UAPI struct bpf_link_info:
# every member at the same offset with the same size (compile-time asserts).
if [ -n "$UAPI" ] && [ -d "$UAPI" ]; then
	for cc in gcc clang; do
		command -v "$cc" >/dev/null 2>&1 || continue
		if "$cc" -std=c11 -Wall -Wextra -Werror -pedantic -isystem "$UAPI" -I"$INCDIR" \
			-c "$HERE/link_info_layout.c" -o /dev/null > "$tmp" 2>&1; then
			pass "[link_info_layout/$cc] struct bpflink_link_info == libbpf 1.7 UAPI struct bpf_link_info, member by member"
		else
			fail "[link_info_layout/$cc] struct bpflink_link_info differs from libbpf 1.7's struct bpf_link_info:"
			sed 's/^/# /' "$tmp"
		fi
	done
else
	skip "[link_info_layout] vendored libbpf 1.7.0 UAPI not found (cargo fetch gets libbpf-sys)"
fi

# How each binary was linked: the shared ones need libbpflink.so.0.1 and
# bind libbpf's version nodes; the static ones do not need it at all.
# (layout calls no function, so it has nothing to need.)
for t in macros errors kernel; do
	needed=$(readelf -dW "$OUT/$t-shared" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
	case " $needed" in
	*" libbpflink.so.0.1 "*) pass "[$t/shared] NEEDED libbpflink.so.0.1" ;;
	*) fail "[$t/shared] NEEDED libbpflink.so.0.1 (NEEDED: $needed)" ;;
	esac
	needed=$(readelf -dW "$OUT/$t-static" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
	case " $needed" in
	*libbpflink*) fail "[$t/static] does not need libbpflink.so (NEEDED: $needed)" ;;
	*) pass "[$t/static] does not need libbpflink.so (NEEDED: $needed)" ;;
	esac
done
refs=$(readelf --dyn-syms -W "$OUT/errors-shared" | awk '$7 == "UND" { print $8 }')
for want in libbpf_set_print@LIBBPF_0.0.1 bpf_link_create@LIBBPF_0.0.8 \
	bpf_link_get_next_id@LIBBPF_0.0.9 bpf_link_detach@LIBBPF_0.1.0 \
	bpf_obj_get_opts@LIBBPF_1.0.0 bpf_link_get_fd_by_id_opts@LIBBPF_1.1.0 \
	bpf_link_get_info_by_fd@LIBBPF_1.2.0 bpf_obj_pin_opts@LIBBPF_1.3.0 \
	bpf_raw_tracepoint_open_opts@LIBBPF_1.4.0; do
	sym=${want%@*}
	got=$(echo "$refs" | sed -n "s/^\($sym@[^ ]*\) .*/\1/p; s/^\($sym@[^ ]*\)\$/\1/p" | head -n 1)
	if [ "$got" = "$want" ]; then
		pass "[errors/shared] binds $want"
	else
		fail "[errors/shared] binds $want (got '${got:-nothing}')"
	fi
done

# The errors test once more under valgrind (memcheck, leaks included).
if command -v valgrind > /dev/null 2>&1; then
	# valgrind warns "unhandled eBPF command" for the link commands it does
	# not model; those attrs are plain inputs, so that is noise, not an error.
	if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		"$OUT/errors-shared" > "$tmp" 2>&1; then
		pass "[errors/shared] valgrind: no memory errors, no leaks"
	else
		fail "[errors/shared] valgrind: no memory errors, no leaks"
		grep -v -e '^ok ' -e 'unhandled eBPF command' "$tmp" | sed 's/^/# /'
	fi
else
	skip "[errors/shared] valgrind: not installed"
fi

# The header compile matrix.
CC=${CC:-cc} sh "$HERE/header-matrix.sh" "$INCDIR" "$UAPI" "$OUT/header-matrix" > "$tmp" 2>&1
rc=$?
collect "header"

[ "$skipped" -gt 0 ] && echo "# $skipped skipped (CI=true makes a skip a failure)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
