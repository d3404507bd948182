#!/bin/sh
# install.sh: `make install` / `make uninstall` into a staging root, and
# building against the installed copy with pkg-config, as a user would; the
# installed bpflink tool runs, its man page formats, its completions load.
#
#   make install DESTDIR=$tmp PREFIX=/usr
#   PKG_CONFIG_SYSROOT_DIR=$tmp pkg-config --cflags --libs bpflink           (shared)
#   PKG_CONFIG_SYSROOT_DIR=$tmp pkg-config --cflags --libs bpflink-static    (static)
#   make uninstall DESTDIR=$tmp PREFIX=/usr   leaves no file behind
#
# Prints one line per check and ends with "N passed, N failed"; exits 1 on
# any failure. Run from anywhere: sh tests/install.sh
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MAKE=${MAKE:-make}
CC=${CC:-cc}
PREFIX=/usr
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/root
work=$tmp/work
mkdir -p "$stage" "$work"
libdir=$stage$PREFIX/lib
incdir=$stage$PREFIX/include
pcdir=$libdir/pkgconfig

say() { printf '%s\n' "$*"; }
pass() { say "ok $*"; passed=$((passed + 1)); }
fail() { say "FAIL $*"; failed=$((failed + 1)); }
check() { # check "what" command...
	what=$1
	shift
	if "$@" > "$work/out" 2>&1; then
		pass "$what"
	else
		fail "$what"
		sed 's/^/# /' "$work/out" | head -n 20
	fi
}
finish() {
	say "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

# The variables go on the command line, so a sub-make sees them too.
# MAKEFLAGS is dropped so that this also works when started from make.
if MAKEFLAGS= $MAKE -C "$ROOT" --no-print-directory install DESTDIR="$stage" PREFIX=$PREFIX \
	> "$work/install.log" 2>&1; then
	pass "make install DESTDIR=\$tmp PREFIX=$PREFIX"
else
	fail "make install DESTDIR=\$tmp PREFIX=$PREFIX"
	sed 's/^/# /' "$work/install.log" | tail -n 20
	finish
fi

# --- the installed files ---------------------------------------------------
check "installed $PREFIX/lib/libbpflink.so.0.1.0 (a file)" test -f "$libdir/libbpflink.so.0.1.0"
check "installed $PREFIX/lib/libbpflink.so.0.1 -> libbpflink.so.0.1.0" \
	test "$(readlink "$libdir/libbpflink.so.0.1")" = libbpflink.so.0.1.0
check "installed $PREFIX/lib/libbpflink.so -> libbpflink.so.0.1" \
	test "$(readlink "$libdir/libbpflink.so")" = libbpflink.so.0.1
check "installed $PREFIX/lib/libbpflink.a" test -f "$libdir/libbpflink.a"
check "installed $PREFIX/include/bpflink.h is include/bpflink.h" \
	cmp "$ROOT/include/bpflink.h" "$incdir/bpflink.h"
check "installed $PREFIX/lib/pkgconfig/bpflink.pc" test -f "$pcdir/bpflink.pc"
check "installed $PREFIX/lib/pkgconfig/bpflink-static.pc" test -f "$pcdir/bpflink-static.pc"
check "bpflink.pc says prefix=$PREFIX (the PREFIX given to make install)" \
	grep -qx "prefix=$PREFIX" "$pcdir/bpflink.pc"
check "bpflink.pc says libdir=$PREFIX/lib" grep -qx "libdir=$PREFIX/lib" "$pcdir/bpflink.pc"
check "bpflink.pc says includedir=$PREFIX/include" \
	grep -qx "includedir=$PREFIX/include" "$pcdir/bpflink.pc"

# --- the bpflink tool, its man page and completions --------------------------
bindir=$stage$PREFIX/bin
share=$stage$PREFIX/share
check "installed $PREFIX/bin/bpflink (executable)" test -x "$bindir/bpflink"
check "installed bpflink runs: bpflink --version" \
	sh -c "'$bindir/bpflink' --version | grep -q '^bpflink 0.1.0 '"
check "installed bpflink prints a command's help: bpflink help list" \
	sh -c "'$bindir/bpflink' help list | grep -q '^Usage: bpflink list'"
check "installed $PREFIX/share/man/man1/bpflink.1 is crates/bpflink-tool/bpflink.1" \
	cmp "$ROOT/crates/bpflink-tool/bpflink.1" "$share/man/man1/bpflink.1"
if command -v groff > /dev/null 2>&1; then
	check "the man page formats without a warning (groff -man -ww)" \
		sh -c "groff -man -ww -z '$share/man/man1/bpflink.1' 2>&1 | grep . && exit 1 || exit 0"
fi
if command -v man > /dev/null 2>&1; then
	check "man finds it under MANPATH=\$tmp$PREFIX/share/man" \
		sh -c "MANPATH='$share/man' MANWIDTH=80 man bpflink 2>/dev/null | grep -q 'bpflink - list, show, pin'"
fi
check "installed bash completion" grep -q '_bpflink' "$share/bash-completion/completions/bpflink"
check "installed zsh completion" grep -q '#compdef bpflink' "$share/zsh/site-functions/_bpflink"
check "installed fish completion" grep -q 'complete -c bpflink' "$share/fish/vendor_completions.d/bpflink.fish"
if command -v bash > /dev/null 2>&1; then
	check "the bash completion loads and completes 'bpflink sh' to 'show'" \
		bash -c ". '$share/bash-completion/completions/bpflink' && COMP_WORDS=(bpflink sh) && COMP_CWORD=1 && _bpflink bpflink sh bpflink && printf '%s\n' \"\${COMPREPLY[@]}\" | grep -qx show"
fi

# --- pkg-config against the staging root ------------------------------------
# PKG_CONFIG_LIBDIR (not only _PATH) so that nothing installed on the host
# can answer; PKG_CONFIG_SYSROOT_DIR maps /usr/... to $tmp/root/usr/...
export PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_LIBDIR="$pcdir" PKG_CONFIG_SYSROOT_DIR="$stage"
check "pkg-config --modversion bpflink is 0.1.0" test "$(pkg-config --modversion bpflink)" = 0.1.0
shared_flags=$(pkg-config --cflags --libs bpflink)
static_flags=$(pkg-config --cflags --libs bpflink-static)
say "# pkg-config --cflags --libs bpflink: $shared_flags"
say "# pkg-config --cflags --libs bpflink-static: $static_flags"
check "pkg-config --cflags points into the staging root" \
	test "$(pkg-config --cflags bpflink | tr -d ' ')" = "-I$incdir"
check "pkg-config --libs bpflink-static names the archive itself" \
	test "$(pkg-config --libs bpflink-static | tr -d ' ')" = "$libdir/libbpflink.a"
check "pkg-config --static --libs bpflink adds nothing (libc is all the library needs)" \
	test "$(pkg-config --static --libs bpflink | tr -d ' ')" = "-L$libdir-lbpflink"

cat > "$work/app.c" <<'APP'
/* A user's program: libbpf's link API through the installed bpflink. */
#define _GNU_SOURCE
#include <bpflink.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>

int main(void)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .tcx.relative_id = 1);
	int (*fn)(int, int, enum bpf_attach_type, const struct bpf_link_create_opts *) =
		bpf_link_create;
	Dl_info info;
	int ret;

	libbpf_set_print(NULL);
	opts.sz = 4; /* too small: -EINVAL from the library, no syscall */
	ret = fn(-1, 0, BPF_TCX_INGRESS, &opts);
	if (!dladdr(*(void **)&fn, &info) || !info.dli_fname)
		info.dli_fname = "?";
	printf("%d %s\n", ret, info.dli_fname);
	return ret == -EINVAL && errno == EINVAL ? 0 : 1;
}
APP

# Shared: the installed .so, found through LD_LIBRARY_PATH (no rpath).
# shellcheck disable=SC2086 # word splitting of the flags is wanted
check "cc app.c \$(pkg-config --cflags --libs bpflink)" \
	$CC -Wall -Wextra -Werror -o "$work/app-shared" "$work/app.c" $shared_flags
if [ -x "$work/app-shared" ]; then
	out=$(LD_LIBRARY_PATH=$libdir "$work/app-shared")
	rc=$?
	check "the shared program runs: bpf_link_create(opts.sz = 4) = -EINVAL ($out)" test $rc -eq 0
	check "… with bpf_link_create from the installed libbpflink.so.0.1" \
		test "${out#* }" = "$libdir/libbpflink.so.0.1"
fi

# Static: bpflink-static.pc names the archive, so the .so beside it is not
# picked up; the program then needs libc only.
# shellcheck disable=SC2086
check "cc app.c \$(pkg-config --cflags --libs bpflink-static)" \
	$CC -Wall -Wextra -Werror -o "$work/app-static" "$work/app.c" $static_flags -ldl
if [ -x "$work/app-static" ]; then
	check "the static program does not need libbpflink.so" \
		sh -c "! readelf -dW '$work/app-static' | grep -q 'NEEDED.*libbpflink'"
	check "the static program needs libc only" \
		test "$(readelf -dW "$work/app-static" | grep NEEDED | grep -v 'libc.so.6' | wc -l)" -eq 0
	out=$(env -u LD_LIBRARY_PATH "$work/app-static")
	rc=$?
	check "the static program runs: bpf_link_create(opts.sz = 4) = -EINVAL ($out)" test $rc -eq 0
fi
unset PKG_CONFIG_PATH PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR

# --- uninstall -------------------------------------------------------------
if MAKEFLAGS= $MAKE -C "$ROOT" --no-print-directory uninstall DESTDIR="$stage" PREFIX=$PREFIX \
	> "$work/uninstall.log" 2>&1; then
	pass "make uninstall DESTDIR=\$tmp PREFIX=$PREFIX"
else
	fail "make uninstall DESTDIR=\$tmp PREFIX=$PREFIX"
	sed 's/^/# /' "$work/uninstall.log" | tail -n 20
fi
left=$(find "$stage" ! -type d | sed "s|^$stage||")
if [ -z "$left" ]; then
	pass "make uninstall leaves no file behind"
else
	fail "make uninstall leaves no file behind; left:"
	say "$left" | sed 's/^/#   /'
fi

finish
