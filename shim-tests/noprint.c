// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A libbpf program that never calls libbpf_set_print, for run.sh's
 * LIBBPF_LOG_LEVEL checks: one message from libbpf-only code
 * (bpf_object__open_file) and one from the link API (bpf_link__open, served
 * by bpflink under LD_PRELOAD), both through the default printers. Built
 * against the real libbpf (build/oracle, rpath). */
#include <bpf/libbpf.h>
#include <stdio.h>

int main(void)
{
	struct bpf_object *obj = bpf_object__open_file("/nonexistent/prog.bpf.o", NULL);
	struct bpf_link *link = bpf_link__open("/nonexistent/link");

	printf("bpf_object__open_file: %s, bpf_link__open: %s\n", obj ? "object" : "NULL",
	       link ? "object" : "NULL");
	return 0;
}
