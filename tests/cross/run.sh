#!/bin/sh
# The C library on other architectures (`make cross`, a step of `make test`):
#
#   tests/cross/run.sh [ARCH...]     ARCH: arm64 i386 s390x (default: all three)
#
# For each architecture: builds libbpflink.{a,so} exactly as `make lib` does
# natively (the no_std staticlib of the root crate, cross-compiled by
# Debian's rustc, pre-linked by scripts/prelink.sh with the target's ld and
# objcopy, linked with the target's gcc), cross-builds the oracle (libbpf
# v1.7.0 from the libbpf-sys sources, scripts/build-oracle.sh), and runs
# under qemu-user:
#  - c-tests/layout.c --table against <bpflink.h> and against libbpf's own
#    <bpf/bpf.h>, both compiled for the target: the same sizes and offsets
#    (on LP64 targets also layout.c's own numbers);
#  - conformance/run.sh: the differential conformance driver against the
#    cross-built libbpf, the whole fixed corpus plus CROSS_CASES random
#    cases (default 300), libbpflink.so and libbpflink.a, with the fake kernel
#    (qemu-user has no bpf()); it also checks the driver's struct bpf_link
#    against libbpf's libbpf_internal.h for the target, and the exported
#    symbols.
# Plus, without running anything: the library needs nothing but the
# target's libc, and c-tests/link_info_layout.c compiles for the target.
#
# The Rust crates' own tests run natively only (qemu-user cannot run Rust
# test harnesses: their threads hang under Debian 12's qemu 7.2).
# docs/architectures.md says what each run proves. SEED=N replays the random
# part. Ends with "N passed, N failed" (every conformance case
# counts); CI=true turns a missing tool into a failure (scripts/install-deps.sh
# installs them all).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
CI=${CI:-}
CROSS_CASES=${CROSS_CASES:-300}
seed=${SEED:-$(date +%s)}
MAKE=${MAKE:-make}
# Debian's rustc (rustc-web): its libstd-rust-web-dev:ARCH packages carry the
# precompiled core for arm64 and i386; for s390x core is built from
# rust-web-src (-Zbuild-std). The machine's own rustup toolchain has no
# other targets and cannot fetch any.
RUSTC_CROSS=${RUSTC_CROSS:-/usr/bin/rustc}
export CARGO_TARGET_DIR="$root/build/cross/target"
[ $# -gt 0 ] || set -- arm64 i386 s390x

passed=0
failed=0
skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

say() { printf '%s\n' "$*"; }
pass() { say "ok $*"; passed=$((passed + 1)); }
fail() { say "FAIL $*"; failed=$((failed + 1)); }
skip() {
	if [ "$CI" = true ]; then
		fail "(skipped under CI=true) $*"
	else
		say "skip $*"
		skipped=$((skipped + 1))
	fi
}
# quote FILE: its last lines, indented so that no "N passed" line is counted twice
quote() { tail -n "${2:-30}" "$1" | sed 's/^/    | /'; }
elapsed() { echo $(($(date +%s) - $1))s; }

libbpf_src=""
for d in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/libbpf-sys-1.7.0+v1.7.0/libbpf; do
	[ -d "$d/src" ] && libbpf_src=$d
done
if [ -z "$libbpf_src" ]; then
	cargo fetch >/dev/null 2>&1
	for d in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/libbpf-sys-1.7.0+v1.7.0/libbpf; do
		[ -d "$d/src" ] && libbpf_src=$d
	done
fi

# Stand-ins for libelf.so.1 and libz.so.1 where the target has neither
# (s390x: Debian 12's zlib1g:s390x cannot be installed beside amd64's).
# libbpf.so is linked once against empty ones with unresolved symbols
# allowed, to learn which libelf/zlib functions it calls; then every one of
# them gets a stub that aborts, and libbpf.so is linked again, normally.
# The link API never reaches libelf or zlib: a stub that ran would crash
# that case in the oracle's transcript, and the case would fail.
oracle_with_stubs() {
	stubs=$1
	mkdir -p "$stubs"
	printf '/* empty */\n' > "$stubs/empty.c"
	for l in elf z; do
		$cc -shared -fPIC -o "$stubs/lib$l.so" "$stubs/empty.c" -Wl,-soname,lib$l.so.1 || return 1
	done
	rm -f "$odir/obj/libbpf.so"*
	ORACLE_OUT=$odir ORACLE_CC=$cc ORACLE_AR=$gnu-ar ORACLE_SHARED_ONLY=1 \
		ORACLE_LDFLAGS="-L$stubs -Wl,--unresolved-symbols=ignore-all" \
		sh scripts/build-oracle.sh || return 1
	glibc_symbols > "$stubs/libc.syms"
	# strong references only: weak ones (__gmon_start__, _ITM_*) must stay
	# undefined, or libbpf's init code would call the stub
	readelf --dyn-syms -W "$odir/obj/libbpf.so.1.7.0" |
		awk '$7 == "UND" && $5 == "GLOBAL" && $8 != "" { sub(/@.*/, "", $8); print $8 }' | sort -u |
		comm -23 - "$stubs/libc.syms" > "$stubs/needed.syms"
	{
		printf '#include <stdlib.h>\n'
		sed 's/.*/void &(void) { abort(); }/' "$stubs/needed.syms"
	} > "$stubs/stubs.c"
	$cc -shared -fPIC -o "$stubs/libelf.so" "$stubs/stubs.c" -Wl,-soname,libelf.so.1 || return 1
	ln -sf libelf.so "$stubs/libelf.so.1"
	ln -sf libz.so "$stubs/libz.so.1"
	rm -f "$odir/obj/libbpf.so"*
	ORACLE_OUT=$odir ORACLE_CC=$cc ORACLE_AR=$gnu-ar ORACLE_SHARED_ONLY=1 \
		ORACLE_LDFLAGS="-L$stubs" sh scripts/build-oracle.sh || return 1
	echo "stand-ins for $(wc -l < "$stubs/needed.syms") libelf/zlib functions: $stubs/needed.syms"
}

# The names the target's glibc (libc.so.6 and its dynamic loader) defines.
glibc_symbols() {
	for f in libc.so.6 ld-linux-aarch64.so.1 ld-linux.so.2 ld64.so.1; do
		f=$($cc -print-file-name=$f)
		[ -f "$f" ] && readelf --dyn-syms -W "$f"
	done | awk '$7 != "UND" && $8 != "" { sub(/@.*/, "", $8); print $8 }' | sort -u
}

start_all=$(date +%s)
for arch in "$@"; do
	case $arch in
	arm64) gnu=aarch64-linux-gnu rust=aarch64-unknown-linux-gnu qemu=qemu-aarch64-static
		machine=AArch64 ldprefix="" buildstd="" elf=system ;;
	i386) gnu=i686-linux-gnu rust=i686-unknown-linux-gnu qemu=qemu-i386-static
		machine="Intel 80386" ldprefix="" buildstd="" elf=system ;;
	s390x) gnu=s390x-linux-gnu rust=s390x-unknown-linux-gnu qemu=qemu-s390x-static
		machine="IBM S/390" ldprefix=/usr/s390x-linux-gnu buildstd="-Zbuild-std=core,compiler_builtins"
		elf=stubs ;;
	*) fail "[$arch] unknown architecture (arm64, i386, s390x)"; continue ;;
	esac
	cc=$gnu-gcc
	out=$root/build/cross/$arch
	odir=$out/oracle
	say ""
	say "# === $arch ($rust; $cc; $qemu)"
	missing=""
	for tool in "$RUSTC_CROSS" "$cc" "$gnu-ld" "$gnu-objcopy" "$gnu-ar" "$qemu"; do
		command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
	done
	[ -n "$libbpf_src" ] || missing="$missing libbpf-sys-sources"
	if [ -n "$missing" ]; then
		skip "[$arch] cross tools missing:$missing (make deps installs them)"
		continue
	fi
	[ -n "$ldprefix" ] && export QEMU_LD_PREFIX=$ldprefix || unset QEMU_LD_PREFIX
	mkdir -p "$out"

	# 1. The library, by the native Makefile rules with the target's tools.
	t=$(date +%s)
	staticlib=$CARGO_TARGET_DIR/$rust/release/liblibbpflink.a
	if env RUSTC="$RUSTC_CROSS" ${buildstd:+RUSTC_BOOTSTRAP=1} \
		$MAKE --no-print-directory -s lib BUILD="build/cross/$arch" \
		CARGO_TARGET_ARGS="--target $rust $buildstd" CARGO_STATICLIB="$staticlib" \
		CC="$cc" LD="$gnu-ld" OBJCOPY="$gnu-objcopy" AR="$gnu-ar" >"$out/lib-build.log" 2>&1; then
		pass "[$arch] libbpflink.a and libbpflink.so built: the no_std staticlib for $rust, pre-linked by $gnu-ld ($(elapsed "$t"))"
	else
		fail "[$arch] building libbpflink for $rust:"
		quote "$out/lib-build.log"
		continue
	fi
	so=$out/lib/libbpflink.so.0.1.0
	hdr=$(readelf -hW "$so" 2>/dev/null)
	needed=$(readelf -dW "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
	soname=$(readelf -dW "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
	others=$(echo "$needed" | tr ' ' '\n' | grep -v -e '^$' -e '^libc\.so\.6$' -e '^ld.*\.so\.[0-9]*$' | tr '\n' ' ')
	if echo "$hdr" | grep -q "Machine: *$machine" && [ -z "$others" ] && [ "$soname" = libbpflink.so.0.1 ]; then
		pass "[$arch] libbpflink.so: $machine, SONAME $soname, NEEDED only glibc ($needed)"
	else
		fail "[$arch] libbpflink.so: machine $(echo "$hdr" | sed -n 's/.*Machine: *//p'), SONAME $soname, NEEDED $needed"
	fi
	# Every symbol the pre-linked object needs is the target's glibc's: no
	# Rust std, no unwinder, no libgcc_s.
	undef=$(readelf -sW "$out/obj/libbpflink.o" | awk '$7 == "UND" && $8 != "" { print $8 }' | sort -u)
	glibc_syms=$(glibc_symbols)
	# (_GLOBAL_OFFSET_TABLE_ is the linker's own)
	foreign=$(echo "$undef" | while read -r s; do
		[ -n "$s" ] && [ "$s" != _GLOBAL_OFFSET_TABLE_ ] &&
			! echo "$glibc_syms" | grep -qxF "$s" && printf '%s ' "$s"
	done)
	if [ -n "$undef" ] && [ -z "$foreign" ]; then
		pass "[$arch] libbpflink.o needs only glibc's symbols ($(echo "$undef" | wc -l) of them)"
	else
		fail "[$arch] libbpflink.o needs symbols glibc does not define: ${foreign:-(none read)}"
	fi

	# 2. The oracle: libbpf v1.7.0 built for the target.
	t=$(date +%s)
	if [ "$elf" = system ]; then
		ORACLE_OUT=$odir ORACLE_CC=$cc ORACLE_AR=$gnu-ar ORACLE_SHARED_ONLY=1 \
			sh scripts/build-oracle.sh >"$out/oracle-build.log" 2>&1
	else
		oracle_with_stubs "$out/stubs" >"$out/oracle-build.log" 2>&1
	fi
	if [ $? -eq 0 ] && readelf -hW "$odir/libbpf.so.1.7.0" | grep -q "Machine: *$machine"; then
		pass "[$arch] oracle: libbpf 1.7.0 built for $machine with $cc, libelf/zlib: $elf ($(elapsed "$t"))"
	else
		fail "[$arch] building the oracle:"
		quote "$out/oracle-build.log"
		continue
	fi
	conf_ldflags=""
	[ "$elf" = stubs ] && conf_ldflags="-Wl,-rpath,$out/stubs -Wl,-rpath-link,$out/stubs"

	# 3. Layout: <bpflink.h> and libbpf's <bpf/bpf.h>, compiled for the target.
	mkdir -p "$out/c-tests/libbpf-include"
	ln -sfn "$libbpf_src/src" "$out/c-tests/libbpf-include/bpf"
	if $cc -std=c11 -Wall -Wextra -Werror -pedantic -Iinclude -o "$out/c-tests/layout" c-tests/layout.c \
		>"$out/c-tests/build.log" 2>&1 &&
		$cc -std=gnu11 -Wall -Wextra -Werror -DLAYOUT_LIBBPF -I"$libbpf_src/include/uapi" \
			-I"$out/c-tests/libbpf-include" -o "$out/c-tests/layout-libbpf" c-tests/layout.c \
			>>"$out/c-tests/build.log" 2>&1; then
		$qemu "$out/c-tests/layout" --table >"$out/c-tests/bpflink.table" 2>&1
		$qemu "$out/c-tests/layout-libbpf" --table >"$out/c-tests/libbpf.table" 2>&1
		n=$(wc -l < "$out/c-tests/libbpf.table")
		if [ "$n" -gt 100 ] && cmp -s "$out/c-tests/bpflink.table" "$out/c-tests/libbpf.table"; then
			pass "[$arch] bpflink.h and libbpf 1.7 bpf.h print the same table under $qemu ($n sizes/offsets; bpf_link_create_opts $(sed -n 's/^bpf_link_create_opts sizeof //p' "$out/c-tests/libbpf.table") bytes)"
		else
			fail "[$arch] bpflink.h and libbpf 1.7 bpf.h tables differ:"
			diff "$out/c-tests/libbpf.table" "$out/c-tests/bpflink.table" | head -n 40 | sed 's/^/    | /'
		fi
		if [ "$(sed -n 's/^bpf_link_create_opts.sz size //p' "$out/c-tests/libbpf.table")" = 8 ]; then
			# layout.c's own numbers are libbpf's on LP64 targets
			if $qemu "$out/c-tests/layout" >"$out/c-tests/layout.txt" 2>&1; then
				pass "[$arch] layout.c's LP64 numbers hold for bpflink.h ($(grep -c '^ok ' "$out/c-tests/layout.txt") checks)"
			else
				fail "[$arch] layout.c's LP64 numbers:"
				grep -v '^ok ' "$out/c-tests/layout.txt" | sed 's/^/    | /'
			fi
		fi
	else
		fail "[$arch] compiling c-tests/layout.c:"
		quote "$out/c-tests/build.log"
	fi
	if $cc -std=c11 -Wall -Wextra -Werror -pedantic -isystem "$libbpf_src/include/uapi" -Iinclude \
		-c c-tests/link_info_layout.c -o /dev/null >"$out/c-tests/link_info.log" 2>&1; then
		pass "[$arch] struct bpflink_link_info == libbpf 1.7 UAPI struct bpf_link_info ($cc, compile-time)"
	else
		fail "[$arch] struct bpflink_link_info differs from libbpf 1.7's struct bpf_link_info:"
		quote "$out/c-tests/link_info.log"
	fi

	# 4. Differential conformance against the cross-built libbpf, under qemu.
	t=$(date +%s)
	CC=$cc CONFORMANCE_ORACLE=$odir CONFORMANCE_LIB=$out/lib CONFORMANCE_RUN=$qemu \
		CONFORMANCE_OUT=$out/conformance CONFORMANCE_LDFLAGS=$conf_ldflags \
		sh conformance/run.sh --seed "$seed" --cases "$CROSS_CASES" >"$out/conformance.log" 2>&1
	rc=$?
	counts=$(tail -n 1 "$out/conformance.log")
	np=$(echo "$counts" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1/p')
	nf=$(echo "$counts" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\2/p')
	grep -e '^conformance:' -e '^ran ' -e '^link layout' -e '^symbols' -e '^static library' \
		-e '^note' "$out/conformance.log" | sed "s/^/# [$arch] /"
	if [ -z "$np" ]; then
		fail "[$arch] conformance did not finish (exit $rc):"
		quote "$out/conformance.log"
		continue
	fi
	passed=$((passed + np))
	failed=$((failed + nf))
	if [ "$rc" -eq 0 ] && [ "$nf" -eq 0 ]; then
		say "ok [$arch] conformance vs libbpf 1.7.0 under $qemu: $np cases passed ($(elapsed "$t"))"
	else
		[ "$nf" -eq 0 ] && fail "[$arch] conformance exited $rc"
		say "FAIL [$arch] conformance vs libbpf 1.7.0 under $qemu: $nf of $((np + nf)) cases failed:"
		sed '$d' "$out/conformance.log" | grep -v -e '^conformance:' -e '^ran ' | head -n 80 | sed 's/^/    | /'
		say "    replay: tests/cross/run.sh $arch with SEED=$seed CROSS_CASES=$CROSS_CASES"
	fi
done

say ""
say "# cross: $(elapsed "$start_all") in all, seed $seed"
[ "$skipped" -gt 0 ] && say "# $skipped skipped (CI=true makes a skip a failure)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
