#!/bin/sh
# scripts/prelink.sh IN.a OUT.o EXPORTS
#
# Turns cargo's staticlib of the C library (our objects, the core, print.o,
# and Rust's compiler_builtins) into the one relocatable object that
# libbpflink.a holds and libbpflink.so is linked from:
#  - `ld -r --gc-sections` from the exported names: only what they reach
#    stays (a few dozen KB of the archive's megabytes);
#  - section groups (COMDAT: i386's __x86.get_pc_thunk.* from print.c) are
#    merged into plain sections (--force-group-allocation): a group whose
#    signature symbol is made local below would be discarded by the final
#    link while our code still calls into it;
#  - every symbol but the exported ones is made local, so nothing of ours
#    (compiler_builtins' __udivti3 & co, the panic handler) can clash with
#    another Rust staticlib or with the program;
#  - the LLVM bitcode that Rust's precompiled libraries embed (.llvmbc) and
#    the compilers' .comment notes are dropped, and so is the dangling
#    `rust_eh_personality` reference (nothing unwinds: panic = "abort");
#  - undefined symbols that no kept section refers to any more are dropped
#    too: a compiler_builtins built with compiler-rt's C files (Debian's, for
#    the cross builds) leaves references to _Unwind_*, pthread_key_create…
#    from sections --gc-sections removed, which would otherwise make the
#    .so need libgcc_s.
# EXPORTS: one name per line (the Makefile derives it from src/libbpf.map).
# LD, OBJCOPY: the target's binutils (aarch64-linux-gnu-ld, …) when
# cross-building (readelf reads every target's symbol tables).
set -eu
in=$1 out=$2 exports=$3
LD=${LD:-ld}
OBJCOPY=${OBJCOPY:-objcopy}
# shellcheck disable=SC2046 # one -u per exported name
"$LD" -r --gc-sections --force-group-allocation $(sed 's/^/-u /' "$exports") -o "$out.tmp" \
	--whole-archive "$in" --no-whole-archive
readelf -sW "$out.tmp" | awk '$7 == "UND" && $8 != "" { print $8 }' | sort -u > "$out.undef"
"$OBJCOPY" --strip-debug --remove-section=.llvmbc --remove-section=.llvmcmd \
	--remove-section=.comment --strip-symbol=rust_eh_personality \
	--strip-unneeded-symbols="$out.undef" \
	--keep-global-symbols="$exports" "$out.tmp" "$out"
rm -f "$out.tmp" "$out.undef"
