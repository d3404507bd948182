#!/bin/sh
# Installs the Debian packages bpflink's build and tests need (idempotent:
# apt runs only when something is missing). Run as root (CI and the
# developers' machines are root; otherwise it uses sudo if present).
set -eu
# libclang-rt-14-dev: clang's ASan/UBSan/LeakSanitizer runtimes (make sanitize).
PKGS="make gcc g++ clang llvm pkg-config libelf-dev zlib1g-dev valgrind iproute2 util-linux bpftool libbpf-dev binutils libclang-rt-14-dev"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
