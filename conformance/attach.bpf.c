// SPDX-License-Identifier: GPL-2.0
/* The program the oracle's attach cases hand to libbpf's
 * bpf_program__attach_* (conformance/attach.c): libbpf's attachers need a
 * struct bpf_program, so the oracle driver opens this object and "loads" it
 * against the fake kernel; bpflink's attachers take the resulting fd.
 * Built with clang -O2 -target bpf, no BTF, no maps. */
#include <linux/bpf.h>

__attribute__((section("kprobe"), used)) int attach_prog(void *ctx)
{
	return 0;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
