/*
 * The load-time / footprint probe: a trivial program that links the link
 * API (so the library is needed and its code pulled in by a static link)
 * but, run without arguments, calls nothing. Built against each library,
 * shared and static, and with no library at all (IMPL_RAW: the baseline).
 */
#include "bench.h"

int main(int argc, char **argv)
{
	(void)argv;
#ifndef IMPL_RAW
	if (argc > 100) {	/* never true: only the references matter */
		uint32_t id = 0, len = 0;

		return bpf_link_create(-1, -1, BPF_XDP, NULL) + bpf_link_update(-1, -1, NULL) +
		       bpf_link_detach(-1) + bpf_link_get_next_id(0, &id) + bpf_link_get_fd_by_id(id) +
		       bpf_link_get_info_by_fd(-1, NULL, &len) + bpf_iter_create(-1);
	}
#else
	(void)argc;
#endif
	return 0;
}
