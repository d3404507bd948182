// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A libbpf program that needs two functions bpflink deliberately does not
 * provide (they need libbpf's private struct bpf_program / struct bpf_map):
 * bpf_link__update_program and bpf_link__update_map. run.sh shows what
 * happens with bpflink linked or loaded instead of libbpf: the link fails,
 * and a binary built against the real libbpf fails in the loader (at start
 * with LD_BIND_NOW=1, at the first call otherwise).
 *
 *   missing          prints "started" and exits (never calls them)
 *   missing call     also calls them (only ever run with bpflink instead of
 *                    libbpf, where the loader stops it before the call) */
#include <bpf/libbpf.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	(void)argv;
	printf("started\n");
	fflush(stdout);
	if (argc > 1) {
		printf("update_program = %d\n", bpf_link__update_program(NULL, NULL));
		printf("update_map = %d\n", bpf_link__update_map(NULL, NULL));
	}
	return 0;
}
