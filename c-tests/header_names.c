/* header_names.c: compiled (not run) by header-matrix.sh in every
 * combination of compiler, language standard, include order and
 * <linux/bpf.h> version. It must compile cleanly with -Wall -Wextra
 * -Werror -pedantic, and every assertion below fails the compile if a name
 * is missing or has a value other than libbpf 1.7.0's UAPI.
 *
 *   (default)         #include <bpflink.h> alone
 *   -DUAPI_BEFORE     #include <linux/bpf.h> first, then <bpflink.h>
 *   -DUAPI_AFTER      #include <bpflink.h> first, then <linux/bpf.h>
 *   -DREFERENCE       no <bpflink.h>: only <linux/bpf.h>, run against
 *                     libbpf 1.7's UAPI, proving the literals below are
 *                     that UAPI's values
 *   -DEXPECT_MAX_ATTACH=N  __MAX_BPF_ATTACH_TYPE of the <linux/bpf.h> the
 *                     compiler must have picked (44: Linux 6.1; 59: libbpf 1.7)
 */
#if defined(REFERENCE)
#include <linux/bpf.h>
#elif defined(UAPI_BEFORE)
#include <linux/bpf.h>
#include <bpflink.h>
#elif defined(UAPI_AFTER)
#include <bpflink.h>
#include <linux/bpf.h>
#else
#include <bpflink.h>
#endif

/* A file-scope assertion that works in C99 and C++11 alike. */
#define ASSERT_CAT_(a, b) a##b
#define ASSERT_CAT(a, b) ASSERT_CAT_(a, b)
#define ASSERT(cond) typedef char ASSERT_CAT(assertion_line_, __LINE__)[(cond) ? 1 : -1]
#define ASSERT_VALUE(name, value) ASSERT((long long)(name) == (long long)(value))

#ifdef EXPECT_MAX_ATTACH
ASSERT_VALUE(__MAX_BPF_ATTACH_TYPE, EXPECT_MAX_ATTACH);
#endif

/* Attach types libbpf 1.7.0's UAPI has after Linux 6.1's last (43). */
ASSERT_VALUE(BPF_STRUCT_OPS, 44);
ASSERT_VALUE(BPF_NETFILTER, 45);
ASSERT_VALUE(BPF_TCX_INGRESS, 46);
ASSERT_VALUE(BPF_TCX_EGRESS, 47);
ASSERT_VALUE(BPF_TRACE_UPROBE_MULTI, 48);
ASSERT_VALUE(BPF_CGROUP_UNIX_CONNECT, 49);
ASSERT_VALUE(BPF_CGROUP_UNIX_SENDMSG, 50);
ASSERT_VALUE(BPF_CGROUP_UNIX_RECVMSG, 51);
ASSERT_VALUE(BPF_CGROUP_UNIX_GETPEERNAME, 52);
ASSERT_VALUE(BPF_CGROUP_UNIX_GETSOCKNAME, 53);
ASSERT_VALUE(BPF_NETKIT_PRIMARY, 54);
ASSERT_VALUE(BPF_NETKIT_PEER, 55);
ASSERT_VALUE(BPF_TRACE_KPROBE_SESSION, 56);
ASSERT_VALUE(BPF_TRACE_UPROBE_SESSION, 57);
ASSERT_VALUE(BPF_TRACE_FSESSION, 58);
/* Link types after Linux 6.1's last (9). */
ASSERT_VALUE(BPF_LINK_TYPE_NETFILTER, 10);
ASSERT_VALUE(BPF_LINK_TYPE_TCX, 11);
ASSERT_VALUE(BPF_LINK_TYPE_UPROBE_MULTI, 12);
ASSERT_VALUE(BPF_LINK_TYPE_NETKIT, 13);
ASSERT_VALUE(BPF_LINK_TYPE_SOCKMAP, 14);
/* Flags. */
ASSERT_VALUE(BPF_F_BEFORE, 1U << 3);
ASSERT_VALUE(BPF_F_AFTER, 1U << 4);
ASSERT_VALUE(BPF_F_ID, 1U << 5);
ASSERT_VALUE(BPF_F_PREORDER, 1U << 6);
ASSERT_VALUE(BPF_F_NETFILTER_IP_DEFRAG, 1U << 0);
ASSERT_VALUE(BPF_F_UPROBE_MULTI_RETURN, 1U << 0);
ASSERT_VALUE(BPF_F_PATH_FD, 1U << 14);
/* Old names keep their values. */
ASSERT_VALUE(BPF_CGROUP_INET_INGRESS, 0);
ASSERT_VALUE(BPF_TRACE_ITER, 28);
ASSERT_VALUE(BPF_XDP, 37);
ASSERT_VALUE(BPF_PERF_EVENT, 41);
ASSERT_VALUE(BPF_TRACE_KPROBE_MULTI, 42);
ASSERT_VALUE(BPF_LSM_CGROUP, 43);
ASSERT_VALUE(BPF_LINK_TYPE_XDP, 6);
ASSERT_VALUE(BPF_LINK_TYPE_KPROBE_MULTI, 8);
ASSERT_VALUE(BPF_LINK_TYPE_STRUCT_OPS, 9);
ASSERT_VALUE(BPF_F_REPLACE, 1U << 2);
ASSERT_VALUE(BPF_F_LINK, 1U << 13);

#ifndef REFERENCE
/* The names are usable where an enum bpf_attach_type / bpf_link_type is
 * wanted: arguments, initialisers, case labels. The switch is on an int:
 * with Linux 6.1's header the new names are casts of numbers the enum does
 * not list, and switching on the enum itself draws -Wswitch ("case value
 * not in enumerated type"), as any value outside an old enum would. */
int use_names(int prog_fd, int ifindex, enum bpf_link_type type);
int use_names(int prog_fd, int ifindex, enum bpf_link_type type)
{
	enum bpf_attach_type at = BPF_TCX_INGRESS;
	enum bpf_link_type lt = BPF_LINK_TYPE_NETKIT;
	int fd;

	switch ((int)type) {
	case BPF_LINK_TYPE_TCX:
	case BPF_LINK_TYPE_NETKIT:
	case BPF_LINK_TYPE_SOCKMAP:
		at = BPF_NETKIT_PEER;
		break;
	case BPF_LINK_TYPE_XDP:
		at = BPF_XDP;
		break;
	default:
		break;
	}
	fd = bpf_link_create(prog_fd, ifindex, at, NULL);
	fd |= bpf_link_create(prog_fd, ifindex, BPF_TRACE_FSESSION, NULL);
	return fd + (lt == type) + (int)(BPF_F_BEFORE | BPF_F_ID);
}

/* Every prototype is libbpf 1.7.0's (docs/libbpf-behaviour.md#prototypes). */
static int (*const p_link_create)(int, int, enum bpf_attach_type,
				  const struct bpf_link_create_opts *) = bpf_link_create;
static int (*const p_link_update)(int, int, const struct bpf_link_update_opts *) = bpf_link_update;
static int (*const p_link_detach)(int) = bpf_link_detach;
static int (*const p_iter_create)(int) = bpf_iter_create;
static int (*const p_get_next_id)(__u32, __u32 *) = bpf_link_get_next_id;
static int (*const p_get_fd_by_id)(__u32) = bpf_link_get_fd_by_id;
static int (*const p_get_fd_by_id_opts)(__u32, const struct bpf_get_fd_by_id_opts *) =
	bpf_link_get_fd_by_id_opts;
static int (*const p_link_get_info)(int, struct bpf_link_info *, __u32 *) = bpf_link_get_info_by_fd;
static int (*const p_obj_get_info)(int, void *, __u32 *) = bpf_obj_get_info_by_fd;
static int (*const p_raw_tp_open)(const char *, int) = bpf_raw_tracepoint_open;
static int (*const p_raw_tp_open_opts)(int, struct bpf_raw_tp_opts *) = bpf_raw_tracepoint_open_opts;
static int (*const p_obj_pin)(int, const char *) = bpf_obj_pin;
static int (*const p_obj_pin_opts)(int, const char *, const struct bpf_obj_pin_opts *) =
	bpf_obj_pin_opts;
static int (*const p_obj_get)(const char *) = bpf_obj_get;
static int (*const p_obj_get_opts)(const char *, const struct bpf_obj_get_opts *) = bpf_obj_get_opts;
static libbpf_print_fn_t (*const p_set_print)(libbpf_print_fn_t) = libbpf_set_print;
static int (*const p_print_fn)(enum libbpf_print_level, const char *, va_list) = 0;
static const libbpf_print_fn_t *const p_print_type = &p_print_fn;

const void *prototypes[] = {
	(const void *)&p_link_create, (const void *)&p_link_update, (const void *)&p_link_detach,
	(const void *)&p_iter_create, (const void *)&p_get_next_id, (const void *)&p_get_fd_by_id,
	(const void *)&p_get_fd_by_id_opts, (const void *)&p_link_get_info,
	(const void *)&p_obj_get_info, (const void *)&p_raw_tp_open,
	(const void *)&p_raw_tp_open_opts, (const void *)&p_obj_pin, (const void *)&p_obj_pin_opts,
	(const void *)&p_obj_get, (const void *)&p_obj_get_opts, (const void *)&p_set_print,
	(const void *)&p_print_type,
};

ASSERT_VALUE(LIBBPF_WARN, 0);
ASSERT_VALUE(LIBBPF_INFO, 1);
ASSERT_VALUE(LIBBPF_DEBUG, 2);
ASSERT(sizeof(struct bpf_link_create_opts) == 80);
#endif
