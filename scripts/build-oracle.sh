#!/bin/sh
# Builds the oracle: the real libbpf v1.7.0, from the source vendored by the
# libbpf-sys crate (a dev-dependency), with libbpf's own Makefile, out of tree:
#
#   build/oracle/obj/               libbpf's OBJDIR (objects, libbpf.pc)
#   build/oracle/libbpf.so.1.7.0    + libbpf.so.1 and libbpf.so symlinks
#   build/oracle/libbpf.a
#   build/oracle/include/bpf/       libbpf's installed headers (install_headers)
#   build/oracle/include/linux/     libbpf's UAPI copy (install_uapi_headers)
#
# Test-only: nothing here is ever linked into libbpflink. The cargo registry
# directory is only read (make -C runs there, every output goes to OBJDIR or
# DESTDIR). Idempotent: make rebuilds only what is out of date.
#
# Cross builds (tests/cross/run.sh): ORACLE_OUT=dir puts everything there
# instead of build/oracle, ORACLE_CC / ORACLE_AR name the target's compiler
# and archiver, ORACLE_LDFLAGS is added to the link of libbpf.so
# (libbpf links -lelf -lz: the target's, or stand-ins, see docs/architectures.md),
# and ORACLE_SHARED_ONLY=1 builds libbpf.so.1.7.0 and the headers only.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${ORACLE_OUT:-$root/build/oracle}
case $out in /*) ;; *) out=$root/$out ;; esac
CARGO=${CARGO:-cargo}
MAKE=${MAKE:-make}

cd "$root"
# A fresh clone has not downloaded libbpf-sys yet.
$CARGO fetch --locked >/dev/null 2>&1 || $CARGO fetch >/dev/null 2>&1 || true

src=""
manifest=$($CARGO metadata --format-version 1 --offline 2>/dev/null |
	grep -o '"manifest_path":"[^"]*/libbpf-sys-1\.7\.0+v1\.7\.0/Cargo\.toml"' |
	head -n 1 | sed -e 's/^"manifest_path":"//' -e 's/"$//') || true
if [ -n "$manifest" ] && [ -d "$(dirname "$manifest")/libbpf/src" ]; then
	src=$(dirname "$manifest")/libbpf
else
	for d in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/libbpf-sys-1.7.0+v1.7.0/libbpf; do
		[ -d "$d/src" ] && src=$d
	done
fi
if [ -z "$src" ]; then
	echo "build-oracle: libbpf-sys 1.7.0+v1.7.0 source not found (cargo fetch failed?)" >&2
	exit 1
fi
grep -q '^LIBBPF_MINOR_VERSION := 7$' "$src/src/Makefile" || {
	echo "build-oracle: $src is not libbpf 1.7" >&2; exit 1; }

mkdir -p "$out/obj"
jobs=$(nproc 2>/dev/null || echo 2)
set -- OBJDIR="$out/obj"
[ -n "${ORACLE_CC:-}" ] && set -- "$@" CC="$ORACLE_CC"
[ -n "${ORACLE_AR:-}" ] && set -- "$@" AR="$ORACLE_AR"
# pkg-config would answer for the build machine's libelf/zlib
[ -n "${ORACLE_CC:-}" ] && set -- "$@" NO_PKG_CONFIG=1
[ -n "${ORACLE_LDFLAGS:-}" ] && set -- "$@" EXTRA_LDFLAGS="$ORACLE_LDFLAGS"
if [ "${ORACLE_SHARED_ONLY:-0}" = 1 ]; then
	$MAKE -s -C "$src/src" -j"$jobs" "$@" "$out/obj/libbpf.so.1.7.0"
else
	$MAKE -s -C "$src/src" -j"$jobs" "$@" all
fi
$MAKE -s -C "$src/src" "$@" DESTDIR="$out" PREFIX= \
	INCLUDEDIR=/include UAPIDIR=/include install_headers install_uapi_headers

cp -f "$out/obj/libbpf.so.1.7.0" "$out/"
[ -e "$out/obj/libbpf.a" ] && cp -f "$out/obj/libbpf.a" "$out/"
ln -sf libbpf.so.1.7.0 "$out/libbpf.so.1"
ln -sf libbpf.so.1 "$out/libbpf.so"
echo "oracle: $out/libbpf.so.1.7.0 (from $src)"
