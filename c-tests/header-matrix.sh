#!/bin/sh
# header-matrix.sh INCDIR UAPIDIR OUTDIR: compile c-tests/header_names.c
# (which includes include/bpflink.h) with gcc and clang for C99/C11/C17 and
# with g++ and clang++ for C++11/17/20, the header alone and with
# <linux/bpf.h> included before and after it, each against the system's
# <linux/bpf.h> (Linux 6.1 on Debian 12) and against libbpf 1.7.0's newer
# UAPI put first on the include path. Prints one check line per compile.
#
# The vendored UAPI directory goes in with -isystem, not -I: it is searched
# before /usr/include all the same, but as a system header its own
# -pedantic warnings (zero-size arrays, named variadic macros) are not ours
# to fail on. <bpflink.h> stays under -I, so its warnings do fail.
set -u
INCDIR=$1
UAPIDIR=$2
OUT=$3
SRC=$(dirname "$0")/header_names.c
mkdir -p "$OUT"
WARN="-Wall -Wextra -Werror -pedantic"

compile() { # what compiler std lang extra-flags...
	what=$1 cc=$2 std=$3 lang=$4
	shift 4
	if ! command -v "$cc" >/dev/null 2>&1; then
		echo "skip $what: $cc not installed"
		return
	fi
	if "$cc" -x "$lang" -std="$std" $WARN "$@" -c "$SRC" -o "$OUT/header_names.o" \
		>"$OUT/header_names.log" 2>&1; then
		echo "ok $what"
	else
		echo "FAIL $what"
		sed 's/^/# /' "$OUT/header_names.log" | head -n 20
	fi
}

for uapi in system libbpf-1.7; do
	if [ "$uapi" = system ]; then
		uapiflags="" max=44
	elif [ -n "$UAPIDIR" ] && [ -f "$UAPIDIR/linux/bpf.h" ]; then
		uapiflags="-isystem $UAPIDIR" max=59
	else
		echo "skip every libbpf-1.7 UAPI combination: vendored UAPI not found (libbpf-sys 1.7.0 sources; run cargo fetch)"
		continue
	fi
	for pair in gcc:c gcc:c++ clang:c clang:c++; do
		family=${pair%%:*}
		lang=${pair#*:}
		if [ "$lang" = c ]; then
			cc=$family stds="c99 c11 c17"
		else
			[ "$family" = gcc ] && cc=g++ || cc=clang++
			stds="c++11 c++17 c++20"
		fi
		for std in $stds; do
			for order in alone UAPI_BEFORE UAPI_AFTER; do
				case $order in
				alone) define="" label="bpflink.h alone" ;;
				UAPI_BEFORE) define="-DUAPI_BEFORE" label="<linux/bpf.h> before" ;;
				UAPI_AFTER) define="-DUAPI_AFTER" label="<linux/bpf.h> after" ;;
				esac
				# shellcheck disable=SC2086 # word splitting wanted
				compile "$cc -std=$std, $label, $uapi UAPI" "$cc" "$std" "$lang" \
					$define -DEXPECT_MAX_ATTACH=$max $uapiflags -I"$INCDIR"
			done
		done
	done
	if [ "$uapi" = libbpf-1.7 ]; then
		# The literal values asserted above are libbpf 1.7.0's UAPI's.
		# shellcheck disable=SC2086
		compile "the asserted values are libbpf 1.7's UAPI enumerators (gcc -std=c11, no bpflink.h)" \
			gcc c11 c -DREFERENCE -DEXPECT_MAX_ATTACH=59 $uapiflags
	fi
done

# <bpflink.h> beside libbpf's <bpf/libbpf.h> (c-tests/header_libbpf.c), in
# both orders, against libbpf 1.7.0's installed headers (build/oracle) and
# Debian's (/usr/include/bpf, libbpf-dev 1.1.2). libbpf's headers are not
# -pedantic clean, so they come in as system headers (-isystem) and the
# flags here are -Wall -Wextra -Werror.
SRC2=$(dirname "$0")/header_libbpf.c
ORACLE_INC=${ORACLE_INC:-$(cd "$(dirname "$0")/.." && pwd)/build/oracle/include}
compile_libbpf() { # what cc lang std flags...
	what=$1 cc=$2 lang=$3 std=$4
	shift 4
	if "$cc" -x "$lang" -std="$std" -Wall -Wextra -Werror "$@" -c "$SRC2" -o "$OUT/header_libbpf.o" \
		>"$OUT/header_libbpf.log" 2>&1; then
		echo "ok $what"
	else
		echo "FAIL $what"
		sed 's/^/# /' "$OUT/header_libbpf.log" | head -n 20
	fi
}
for lib in 1.7 1.1; do
	if [ "$lib" = 1.7 ]; then
		if [ ! -f "$ORACLE_INC/bpf/libbpf.h" ]; then
			echo "skip <bpf/libbpf.h> 1.7.0 combinations: $ORACLE_INC not built (scripts/build-oracle.sh)"
			continue
		fi
		inc="-isystem $ORACLE_INC" new="-DNEW_FIELDS"
	else
		if [ ! -f /usr/include/bpf/libbpf.h ]; then
			echo "skip <bpf/libbpf.h> 1.1.2 combinations: libbpf-dev not installed"
			continue
		fi
		inc="" new=""
	fi
	for cc in gcc clang; do
		command -v "$cc" >/dev/null 2>&1 || { echo "skip $cc: not installed"; continue; }
		for std in c99 c11 gnu17; do
			for order in LIBBPF_FIRST BPFLINK_FIRST NO_LIBBPF_H; do
				case $order in
				LIBBPF_FIRST) d="-DLIBBPF_FIRST" label="<bpf/libbpf.h> first" ;;
				BPFLINK_FIRST) d="" label="<bpflink.h> first" ;;
				NO_LIBBPF_H) d="-DLIBBPF_FIRST -DBPFLINK_NO_LIBBPF_H" label="<bpf/libbpf.h> first, BPFLINK_NO_LIBBPF_H" ;;
				esac
				# shellcheck disable=SC2086
				compile_libbpf "$cc -std=$std, $label, libbpf $lib headers" "$cc" c "$std" \
					$d $new $inc -I"$INCDIR"
			done
		done
	done
	# bpflink's own 1.7.0 definitions, whatever libbpf.h is installed.
	# shellcheck disable=SC2086
	compile_libbpf "gcc -std=c11, <bpflink.h> alone with BPFLINK_NO_LIBBPF_H and the new fields (libbpf $lib on the path)" \
		gcc c c11 -DBPFLINK_NO_LIBBPF_H -DNEW_FIELDS -DBPFLINK_ALONE $inc -I"$INCDIR"
done
