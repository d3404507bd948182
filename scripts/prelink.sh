#!/bin/sh
# scripts/prelink.sh IN.a OUT.o EXPORTS
#
# Turns cargo's staticlib of the C library (our objects, the core, print.o,
# and Rust's compiler_builtins) into the one relocatable object that
# libbpflink.a holds and libbpflink.so is linked from:
#  - `ld -r --gc-sections` from the exported names: only what they reach
#    stays (a few dozen KB of the archive's megabytes);
#  - every symbol but the exported ones is made local, so nothing of ours
#    (compiler_builtins' __udivti3 & co, the panic handler) can clash with
#    another Rust staticlib or with the program;
#  - the LLVM bitcode that Rust's precompiled libraries embed (.llvmbc) and
#    the compilers' .comment notes are dropped, and so is the dangling
#    `rust_eh_personality` reference (nothing unwinds: panic = "abort").
# EXPORTS: one name per line (the Makefile derives it from src/libbpf.map).
set -eu
in=$1 out=$2 exports=$3
LD=${LD:-ld}
OBJCOPY=${OBJCOPY:-objcopy}
# shellcheck disable=SC2046 # one -u per exported name
"$LD" -r --gc-sections $(sed 's/^/-u /' "$exports") -o "$out.tmp" \
	--whole-archive "$in" --no-whole-archive
"$OBJCOPY" --strip-debug --remove-section=.llvmbc --remove-section=.llvmcmd \
	--remove-section=.comment --strip-symbol=rust_eh_personality \
	--keep-global-symbols="$exports" "$out.tmp" "$out"
rm -f "$out.tmp"
