# bpflink: build, test and install like a C library (cargo-c conventions).
#
#   make deps            install the Debian packages the build and tests need
#   make                 release build: build/lib/libbpflink.{a,so*} (the header
#                        include/bpflink.h is checked in; `make header` regenerates it)
#   make run             build, run the example (creates a real link) and list all links (root)
#   make list            build the bpflink tool (release) and list every BPF link (needs root)
#   make test            the whole test suite (Rust, C against .so and .a, ABI checks)
#   make install         PREFIX=/usr/local LIBDIR=$(PREFIX)/lib INCLUDEDIR=$(PREFIX)/include DESTDIR=
#                        (also the bpflink tool: BINDIR=$(PREFIX)/bin, its man page in
#                        MANDIR=$(PREFIX)/share/man, bash/zsh/fish completions in DATADIR=$(PREFIX)/share)
#   make tool            the bpflink tool (release), its shell completions
#   make uninstall
#   make header          regenerate include/bpflink.h after changing the Rust API
#   make check-abi       exported symbols carry libbpf's version nodes; SONAME set
#   make shim            LD_PRELOAD shim proven with the real libbpf (needs root)
#   make bench           benchmarks against libbpf and the raw syscall (not part of make test)
#   make conformance     differential test against the real libbpf 1.7.0 (SEED=N CASES=M)
#   make cross           the C library on arm64, i386, s390x under qemu-user (ARCHS=...)

VERSION     := 0.1.0
SOVERSION   := 0.1
LIBBPF_ABI  := 1.7.0

PREFIX      ?= /usr/local
LIBDIR      ?= $(PREFIX)/lib
INCLUDEDIR  ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BINDIR      ?= $(PREFIX)/bin
DATADIR     ?= $(PREFIX)/share
MANDIR      ?= $(DATADIR)/man
DESTDIR     ?=

CARGO       ?= cargo
CC          ?= cc
BUILD       ?= build
LIBOUT      := $(BUILD)/lib
STATICLIB   := $(LIBOUT)/libbpflink.a
SHAREDLIB   := $(LIBOUT)/libbpflink.so.$(VERSION)
SONAME      := libbpflink.so.$(SOVERSION)
VERSION_SCRIPT := src/libbpf.map
# cargo's staticlib of the root crate (Rust names it after the package).
# tests/cross/run.sh builds the same library for other architectures with
# BUILD=build/cross/ARCH, CARGO_TARGET_ARGS="--target TRIPLE ...",
# CARGO_STATICLIB=<that target's staticlib> and the target's CC/LD/OBJCOPY/AR.
CARGO_STATICLIB ?= target/release/liblibbpflink.a
CARGO_TARGET_ARGS ?=
# The C library as one relocatable object (scripts/prelink.sh): cargo's
# archive (our code, the core, compiler_builtins) linked with -r and
# --gc-sections from the exported symbols, every other symbol made local. It
# is what libbpflink.a holds and what libbpflink.so is linked from.
OBJ         := $(BUILD)/obj
PRELINKED   := $(OBJ)/libbpflink.o
EXPORTS     := $(OBJ)/exports.txt
LD          ?= ld
OBJCOPY     ?= objcopy
AR          ?= ar
# What a program linking the static library needs besides it: nothing but
# libc, which every C program links anyway (tests/static_libs.rs checks that
# every symbol the object needs is libc's).
NATIVE_LIBS :=

RUST_SOURCES := $(shell find src crates/bpflink-core/src -type f) Cargo.toml Cargo.lock build.rs cbindgen.toml crates/bpflink-core/Cargo.toml

.PHONY: FORCE all deps lib tool header run test test-rust test-c check-abi install uninstall clean

all: lib

deps:
	sh scripts/install-deps.sh

lib: $(STATICLIB) $(LIBOUT)/libbpflink.so $(BUILD)/bpflink.pc $(BUILD)/bpflink-static.pc

$(CARGO_STATICLIB): $(RUST_SOURCES)
	$(CARGO) rustc --release -p libbpflink --lib --crate-type staticlib $(CARGO_TARGET_ARGS)
	@touch $@

# The exported names: every symbol the version script lists.
$(EXPORTS): $(VERSION_SCRIPT)
	@mkdir -p $(OBJ)
	sed -n 's/^[[:space:]]*\([a-z_][a-z0-9_]*\);$$/\1/p' $< | sort -u > $@

$(PRELINKED): $(CARGO_STATICLIB) $(EXPORTS) scripts/prelink.sh
	LD=$(LD) OBJCOPY=$(OBJCOPY) sh scripts/prelink.sh $(CARGO_STATICLIB) $@ $(EXPORTS)

$(STATICLIB): $(PRELINKED)
	@mkdir -p $(LIBOUT)
	rm -f $@
	$(AR) rcs $@ $(PRELINKED)

# The shared library is linked from the same object with libbpf's version
# script (a version script passed to rustc for a cdylib does not take
# effect, so there is no cargo cdylib). libc is its only dependency.
$(SHAREDLIB): $(PRELINKED) $(VERSION_SCRIPT)
	@mkdir -p $(LIBOUT)
	$(CC) -shared -o $@ $(PRELINKED) \
		-Wl,--version-script=$(VERSION_SCRIPT) -Wl,-soname,$(SONAME) \
		-Wl,--gc-sections -Wl,-z,noexecstack -Wl,-z,relro -Wl,-z,now -Wl,--as-needed

$(LIBOUT)/$(SONAME): $(SHAREDLIB)
	ln -sf libbpflink.so.$(VERSION) $@

$(LIBOUT)/libbpflink.so: $(LIBOUT)/$(SONAME)
	ln -sf $(SONAME) $@

# libbpf's link API alone, without bpflink's own extensions (the `attach`
# feature: bpflink_attach_*): the variant tests/footprint.rs holds to the
# 64 KiB budget of the link API. Built the same way; not installed.
LEAN := $(BUILD)/lean
.PHONY: lean
lean: $(LEAN)/libbpflink.so.$(VERSION) $(LEAN)/libbpflink.a

$(LEAN)/liblibbpflink.a: $(RUST_SOURCES)
	$(CARGO) rustc --release -p libbpflink --lib --crate-type staticlib --no-default-features \
		--target-dir target/lean
	@mkdir -p $(LEAN)
	cp target/lean/release/liblibbpflink.a $@

# The version script with bpflink's own node emptied (it stays declared).
$(LEAN)/libbpf.map: $(VERSION_SCRIPT)
	@mkdir -p $(LEAN)
	awk '/^BPFLINK_/ { own = 1; print; next } own && /^}/ { own = 0 } !own { print }' $< > $@

$(LEAN)/exports.txt: $(LEAN)/libbpf.map
	sed -n 's/^[[:space:]]*\([a-z_][a-z0-9_]*\);$$/\1/p' $< | sort -u > $@

$(LEAN)/libbpflink.o: $(LEAN)/liblibbpflink.a $(LEAN)/exports.txt scripts/prelink.sh
	LD=$(LD) OBJCOPY=$(OBJCOPY) sh scripts/prelink.sh $< $@ $(LEAN)/exports.txt

$(LEAN)/libbpflink.a: $(LEAN)/libbpflink.o
	rm -f $@
	$(AR) rcs $@ $<

$(LEAN)/libbpflink.so.$(VERSION): $(LEAN)/libbpflink.o $(LEAN)/libbpf.map
	$(CC) -shared -o $@ $< \
		-Wl,--version-script=$(LEAN)/libbpf.map -Wl,-soname,$(SONAME) \
		-Wl,--gc-sections -Wl,-z,noexecstack -Wl,-z,relro -Wl,-z,now -Wl,--as-needed

# The .pc records the final paths, so it is written for the PREFIX/LIBDIR/
# INCLUDEDIR of each `make install` (the build/ copy is for inspection).
PC_SED = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	-e 's|@VERSION@|$(VERSION)|' -e 's|@LIBBPF_ABI@|$(LIBBPF_ABI)|' -e 's|@NATIVE_LIBS@|$(NATIVE_LIBS)|'

$(BUILD)/bpflink.pc: bpflink.pc.in Makefile FORCE
	@mkdir -p $(BUILD)
	@$(PC_SED) bpflink.pc.in > $@

$(BUILD)/bpflink-static.pc: bpflink-static.pc.in Makefile FORCE
	@mkdir -p $(BUILD)
	@$(PC_SED) bpflink-static.pc.in > $@

FORCE:

header:
	BPFLINK_UPDATE_HEADER=1 $(CARGO) build -p libbpflink

run: lib
	@mkdir -p $(BUILD)/examples
	$(CC) -Wall -Wextra -Werror -O2 -Iinclude -o $(BUILD)/examples/link_info examples/link_info.c \
		-L$(LIBOUT) -lbpflink -Wl,-rpath,$(abspath $(LIBOUT))
	unshare --net --mount --propagation private $(BUILD)/examples/link_info
	@echo
	@echo "All BPF links on this system (bpflink list):"
	@$(MAKE) --no-print-directory list

# The bpflink tool (crates/bpflink-tool, on the safe Rust crate), and its shell completions (generated by the tool itself, so they
# always match its arguments). The man page is written by hand
# (crates/bpflink-tool/bpflink.1; a test checks it names every command and
# option); docs/tool.md says why.
TOOL        := target/release/bpflink
TOOL_SOURCES := $(shell find crates/bpflink-tool/src crates/bpflink/src crates/bpflink-core/src -type f) \
	crates/bpflink-tool/Cargo.toml crates/bpflink/Cargo.toml crates/bpflink-core/Cargo.toml Cargo.toml Cargo.lock
MANPAGE     := crates/bpflink-tool/bpflink.1
COMPLETIONS := $(BUILD)/completions
COMPLETION_FILES := $(COMPLETIONS)/bpflink.bash $(COMPLETIONS)/_bpflink $(COMPLETIONS)/bpflink.fish

tool: $(TOOL) $(COMPLETION_FILES)

$(TOOL): $(TOOL_SOURCES)
	$(CARGO) build --release -p bpflink-tool
	@touch $@

$(COMPLETIONS)/bpflink.bash: $(TOOL)
	@mkdir -p $(COMPLETIONS)
	$(TOOL) completions bash > $@
$(COMPLETIONS)/_bpflink: $(TOOL)
	@mkdir -p $(COMPLETIONS)
	$(TOOL) completions zsh > $@
$(COMPLETIONS)/bpflink.fish: $(TOOL)
	@mkdir -p $(COMPLETIONS)
	$(TOOL) completions fish > $@

# Every BPF link on the system with its program, attach type and target
# (needs root).
.PHONY: list
list: $(TOOL)
	$(TOOL) list

check-abi: lib
	sh tests/check-abi.sh $(SHAREDLIB) $(VERSION_SCRIPT) $(SONAME)

# Differential conformance against the real libbpf v1.7.0 (built from the
# libbpf-sys sources by scripts/build-oracle.sh) with a fake kernel; see
# conformance/README.md. SEED=N CASES=M replay a run.
.PHONY: conformance
conformance: lib
	NATIVE_LIBS="$(NATIVE_LIBS)" sh conformance/run.sh $(if $(SEED),--seed $(SEED)) $(if $(CASES),--cases $(CASES))

# The C library for arm64, i386 and s390x (big-endian), cross-built and run
# under qemu-user: layout against libbpf's bpf.h for each, and the
# conformance driver against libbpf 1.7.0 built for each (tests/cross/run.sh,
# docs/architectures.md). ARCHS="arm64 s390x" picks; SEED=N replays.
.PHONY: cross
cross:
	$(if $(SEED),SEED=$(SEED)) sh tests/cross/run.sh $(ARCHS)

# The LD_PRELOAD shim proven with the real libbpf v1.7.0: an app built
# against build/oracle's libbpf.so.1, run plainly and with
# LD_PRELOAD=libbpflink.so (and under valgrind); see shim-tests/run.sh.
.PHONY: shim
shim: lib
	sh shim-tests/run.sh

# Benchmarks against the real libbpf 1.7.0 and the raw bpf() syscall: per-call
# cost with a fake kernel (ns and callgrind instructions), real-kernel
# throughput, enumeration, footprint, allocations (bench/README.md). A few
# minutes; not part of `make test`. Writes build/bench/results.{json,md}.
.PHONY: bench
bench:
	NATIVE_LIBS="$(NATIVE_LIBS)" sh bench/run.sh

test-rust:
	$(CARGO) test --workspace --no-fail-fast

test-c: lib
	$(MAKE) -C c-tests run LIBDIR=$(abspath $(LIBOUT)) INCDIR=$(abspath include)

# The whole suite; the last line is the summary of the last runner.
test: lib
	@sh tests/run-all.sh

install: lib tool
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 0644 $(STATICLIB) $(DESTDIR)$(LIBDIR)/libbpflink.a
	install -m 0755 $(SHAREDLIB) $(DESTDIR)$(LIBDIR)/libbpflink.so.$(VERSION)
	ln -sf libbpflink.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libbpflink.so
	install -m 0644 include/bpflink.h $(DESTDIR)$(INCLUDEDIR)/bpflink.h
	$(PC_SED) bpflink.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/bpflink.pc
	$(PC_SED) bpflink-static.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/bpflink-static.pc
	chmod 0644 $(DESTDIR)$(PKGCONFIGDIR)/bpflink.pc $(DESTDIR)$(PKGCONFIGDIR)/bpflink-static.pc
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(DATADIR)/bash-completion/completions $(DESTDIR)$(DATADIR)/zsh/site-functions \
		$(DESTDIR)$(DATADIR)/fish/vendor_completions.d
	install -m 0755 $(TOOL) $(DESTDIR)$(BINDIR)/bpflink
	install -m 0644 $(MANPAGE) $(DESTDIR)$(MANDIR)/man1/bpflink.1
	install -m 0644 $(COMPLETIONS)/bpflink.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/bpflink
	install -m 0644 $(COMPLETIONS)/_bpflink $(DESTDIR)$(DATADIR)/zsh/site-functions/_bpflink
	install -m 0644 $(COMPLETIONS)/bpflink.fish $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/bpflink.fish

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libbpflink.a $(DESTDIR)$(LIBDIR)/libbpflink.so.$(VERSION) \
		$(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libbpflink.so \
		$(DESTDIR)$(INCLUDEDIR)/bpflink.h $(DESTDIR)$(PKGCONFIGDIR)/bpflink.pc \
		$(DESTDIR)$(PKGCONFIGDIR)/bpflink-static.pc
	rm -f $(DESTDIR)$(BINDIR)/bpflink $(DESTDIR)$(MANDIR)/man1/bpflink.1 \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/bpflink \
		$(DESTDIR)$(DATADIR)/zsh/site-functions/_bpflink \
		$(DESTDIR)$(DATADIR)/fish/vendor_completions.d/bpflink.fish

clean:
	rm -rf $(BUILD)
	$(CARGO) clean

# Reliability: memory checkers and fuzzing (tests/memcheck/run.sh, fuzz/).
#   make sanitize        the C tests, the object API and the conformance drivers
#                        under clang ASan+UBSan (.so, .a, and a .a whose Rust is
#                        ASan-instrumented too, via RUSTC_BOOTSTRAP on stable)
#   make valgrind        the same under valgrind memcheck; errors and leaks fail
#   make fuzz            coverage-guided differential fuzzing of the opts
#                        decoding (libFuzzer on stable), FUZZ_SECONDS in all
#   make reliability     the host program is never hurt (tests/reliability/)
.PHONY: sanitize valgrind fuzz reliability
FUZZ_SECONDS ?= 60

sanitize: lib
	sh tests/memcheck/run.sh sanitize

valgrind: lib
	sh tests/memcheck/run.sh valgrind

fuzz:
	sh fuzz/run.sh $(FUZZ_SECONDS)

# bpflink never hurts its host (tests/reliability/run.sh, docs/reliability.md):
# hostile BPFLINK_TRACE targets, print callbacks that longjmp, fd/RSS soaks,
# fd exhaustion, threads (also under LD_PRELOAD) and forks during calls.
# RELIABILITY_SECONDS=30 gives the full 8 threads x 30 s run.
reliability: lib
	sh tests/reliability/run.sh
