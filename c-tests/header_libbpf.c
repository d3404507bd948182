/* header_libbpf.c: <bpflink.h> beside libbpf's own <bpf/libbpf.h>, compiled
 * (not run) by header-matrix.sh in both include orders, against libbpf
 * 1.7.0's headers and Debian's 1.1.2, with -Wall -Wextra -Werror:
 *
 *   -DLIBBPF_FIRST         #include <bpf/libbpf.h>, then <bpflink.h>
 *   (default)              #include <bpflink.h>, then <bpf/libbpf.h>
 *   -DBPFLINK_NO_LIBBPF_H  with LIBBPF_FIRST: bpflink's own definitions
 *                          of the shared types are skipped all the same
 *   -DNEW_FIELDS           also use the fields libbpf 1.7.0 has and 1.1.2
 *                          lacks (attach_mode, force_ioctl_attach, …)
 *
 * It uses everything the two headers share: the print hook types, the
 * LIBBPF_OPTS macros, the attach opts structs (taken by both libraries'
 * attach functions), struct bpf_link.
 */
#include <stdbool.h>
#include <stddef.h>
#if defined(BPFLINK_ALONE)
#include <bpflink.h>
#elif defined(LIBBPF_FIRST)
#include <bpf/libbpf.h>
#include <bpflink.h>
#else
#include <bpflink.h>
#include <bpf/libbpf.h>
#endif

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)fmt;
	(void)ap;
	return level == LIBBPF_DEBUG;
}

int use_both(int prog_fd);
int use_both(int prog_fd)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .retprobe = true, .func_name = "malloc");
	LIBBPF_OPTS(bpf_kprobe_opts, ko, .retprobe = true, .offset = 4);
	LIBBPF_OPTS(bpf_tracepoint_opts, to, .bpf_cookie = 1);
	LIBBPF_OPTS(bpf_perf_event_opts, po, .bpf_cookie = 2);
	LIBBPF_OPTS(bpf_kprobe_multi_opts, kmo, .retprobe = true);
	LIBBPF_OPTS(bpf_uprobe_multi_opts, umo, .retprobe = true);
	LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = 0);
	libbpf_print_fn_t old = libbpf_set_print(quiet);
	struct bpf_link *links[6];
	int err = 0, i;

#ifdef NEW_FIELDS
	uo.attach_mode = PROBE_ATTACH_MODE_LINK;
	ko.attach_mode = PROBE_ATTACH_MODE_PERF;
	po.force_ioctl_attach = true;
	po.dont_enable = false;
	kmo.session = false;
	kmo.unique_match = true;
	umo.session = false;
#endif
	(void)lo;
	links[0] = bpflink_attach_uprobe_opts(prog_fd, -1, "libc.so.6", 0, &uo);
	links[1] = bpflink_attach_kprobe_opts(prog_fd, "do_sys_openat2", &ko);
	links[2] = bpflink_attach_tracepoint_opts(prog_fd, "syscalls", "sys_enter_openat", &to);
	links[3] = bpflink_attach_perf_event_opts(prog_fd, 3, &po);
	links[4] = bpflink_attach_kprobe_multi_opts(prog_fd, "vfs_*", &kmo);
	links[5] = bpflink_attach_uprobe_multi(prog_fd, -1, "libc.so.6", "mem*", &umo);
	for (i = 0; i < 6; i++)
		err |= bpf_link__destroy(links[i]);
	libbpf_set_print(old);
	return err + (int)libbpf_get_error(links[0]);
}
