#!/bin/sh
# Installs the Debian packages bpflink's build and tests need (idempotent:
# apt runs only when something is missing). Run as root (CI and the
# developers' machines are root; otherwise it uses sudo if present).
#
# The cross step (tests/cross/run.sh: the C library built for arm64, i386
# and s390x and checked under qemu-user against libbpf built for each) needs
# the foreign architectures enabled and, per architecture, a cross gcc and
# binutils; Debian's rustc-web (1.96) with its precompiled core for arm64 and
# i386 (libstd-rust-web-dev:ARCH) and its sources (rust-web-src) to build
# core for s390x; libelf and zlib for the oracle where they co-install
# (arm64, i386; s390x uses stand-ins, docs/architectures.md). BPFLINK_NO_CROSS=1
# leaves all of that out.
set -eu
# libclang-rt-14-dev: clang's ASan/UBSan/LeakSanitizer runtimes (make sanitize).
PKGS="make gcc g++ clang llvm pkg-config libelf-dev zlib1g-dev valgrind iproute2 util-linux bpftool libbpf-dev binutils libclang-rt-14-dev"
CROSS_ARCHS="arm64 i386 s390x"
CROSS_PKGS="qemu-user-static rustc-web rust-web-src
	gcc-aarch64-linux-gnu gcc-i686-linux-gnu gcc-s390x-linux-gnu libc6-dev-s390x-cross
	libstd-rust-web-dev:arm64 libstd-rust-web-dev:i386
	libelf-dev:arm64 zlib1g-dev:arm64 libelf-dev:i386 zlib1g-dev:i386"
[ "${BPFLINK_NO_CROSS:-0}" = 1 ] || PKGS="$PKGS $CROSS_PKGS"
# One dpkg-query for all of them (a query per package takes seconds here).
# Prints "name" for the native architecture's (or arch: all) packages and
# "name:arch" for every one.
native=$(dpkg --print-architecture)
installed=$(dpkg-query -W -f='${binary:Package} ${Architecture} ${Status}\n' $PKGS 2>/dev/null |
	awk -v native="$native" '$3 == "install" && $4 == "ok" && $5 == "installed" {
		sub(/:.*/, "", $1); print $1 ":" $2; if ($2 == native || $2 == "all") print $1 }')
missing=""
for p in $PKGS; do
	echo "$installed" | grep -qxF "$p" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ "${BPFLINK_NO_CROSS:-0}" != 1 ]; then
	foreign=$(dpkg --print-foreign-architectures)
	for a in $CROSS_ARCHS; do
		echo "$foreign" | grep -qx "$a" || $SUDO dpkg --add-architecture "$a"
	done
fi
echo "installing:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
