
/*
 * Beside libbpf's own header. <bpf/libbpf.h> and this header share libbpf's
 * print hook types, the LIBBPF_OPTS macros and the attach opts structs.
 * When <bpf/libbpf.h> is on the include path it is included here, and its
 * definitions of those are the ones used (this header then defines only
 * what that libbpf version lacks), so the two headers can be included in
 * either order. An older libbpf's structs may lack the newest fields;
 * bpflink takes the shorter structs as libbpf does (their sz says so).
 * Define BPFLINK_NO_LIBBPF_H to use bpflink's own libbpf 1.7.0 definitions
 * instead; <bpf/libbpf.h> may then still come first, but not after.
 */
#if !defined(BPFLINK_NO_LIBBPF_H) && defined(__has_include)
#if __has_include(<bpf/libbpf.h>)
#include <bpf/libbpf.h>
#endif
#endif
/* The libbpf version whose <bpf/libbpf.h> was included, 0.0 if none. */
#if defined(__LIBBPF_LIBBPF_H) && defined(LIBBPF_MAJOR_VERSION)
#define BPFLINK__LIBBPF_H_VERSION (LIBBPF_MAJOR_VERSION * 100 + LIBBPF_MINOR_VERSION)
#elif defined(__LIBBPF_LIBBPF_H)
#define BPFLINK__LIBBPF_H_VERSION 1
#else
#define BPFLINK__LIBBPF_H_VERSION 0
#endif

/*
 * Names from libbpf v1.7.0's UAPI that an older <linux/bpf.h> lacks.
 *
 * This header includes the <linux/bpf.h> the compiler finds (Debian 12
 * ships Linux 6.1's, libbpf ships a newer copy), so that header is always
 * seen first, whichever order a user includes the two in. The attach and
 * link types it may lack are then added as macros with the UAPI values; a
 * macro defined after the enum cannot clash with an enumerator of the same
 * name and value, so this is safe with old and new headers alike. Flags
 * that the UAPI itself defines as macros are defined here only if missing,
 * with the UAPI's exact token sequence.
 */
#define BPFLINK__ATTACH_TYPE(v) ((enum bpf_attach_type)(v))
#define BPFLINK__LINK_TYPE(v) ((enum bpf_link_type)(v))

#ifndef BPF_STRUCT_OPS
#define BPF_STRUCT_OPS BPFLINK__ATTACH_TYPE(44)
#endif
#ifndef BPF_NETFILTER
#define BPF_NETFILTER BPFLINK__ATTACH_TYPE(45)
#endif
#ifndef BPF_TCX_INGRESS
#define BPF_TCX_INGRESS BPFLINK__ATTACH_TYPE(46)
#endif
#ifndef BPF_TCX_EGRESS
#define BPF_TCX_EGRESS BPFLINK__ATTACH_TYPE(47)
#endif
#ifndef BPF_TRACE_UPROBE_MULTI
#define BPF_TRACE_UPROBE_MULTI BPFLINK__ATTACH_TYPE(48)
#endif
#ifndef BPF_CGROUP_UNIX_CONNECT
#define BPF_CGROUP_UNIX_CONNECT BPFLINK__ATTACH_TYPE(49)
#endif
#ifndef BPF_CGROUP_UNIX_SENDMSG
#define BPF_CGROUP_UNIX_SENDMSG BPFLINK__ATTACH_TYPE(50)
#endif
#ifndef BPF_CGROUP_UNIX_RECVMSG
#define BPF_CGROUP_UNIX_RECVMSG BPFLINK__ATTACH_TYPE(51)
#endif
#ifndef BPF_CGROUP_UNIX_GETPEERNAME
#define BPF_CGROUP_UNIX_GETPEERNAME BPFLINK__ATTACH_TYPE(52)
#endif
#ifndef BPF_CGROUP_UNIX_GETSOCKNAME
#define BPF_CGROUP_UNIX_GETSOCKNAME BPFLINK__ATTACH_TYPE(53)
#endif
#ifndef BPF_NETKIT_PRIMARY
#define BPF_NETKIT_PRIMARY BPFLINK__ATTACH_TYPE(54)
#endif
#ifndef BPF_NETKIT_PEER
#define BPF_NETKIT_PEER BPFLINK__ATTACH_TYPE(55)
#endif
#ifndef BPF_TRACE_KPROBE_SESSION
#define BPF_TRACE_KPROBE_SESSION BPFLINK__ATTACH_TYPE(56)
#endif
#ifndef BPF_TRACE_UPROBE_SESSION
#define BPF_TRACE_UPROBE_SESSION BPFLINK__ATTACH_TYPE(57)
#endif
#ifndef BPF_TRACE_FSESSION
#define BPF_TRACE_FSESSION BPFLINK__ATTACH_TYPE(58)
#endif

#ifndef BPF_LINK_TYPE_NETFILTER
#define BPF_LINK_TYPE_NETFILTER BPFLINK__LINK_TYPE(10)
#endif
#ifndef BPF_LINK_TYPE_TCX
#define BPF_LINK_TYPE_TCX BPFLINK__LINK_TYPE(11)
#endif
#ifndef BPF_LINK_TYPE_UPROBE_MULTI
#define BPF_LINK_TYPE_UPROBE_MULTI BPFLINK__LINK_TYPE(12)
#endif
#ifndef BPF_LINK_TYPE_NETKIT
#define BPF_LINK_TYPE_NETKIT BPFLINK__LINK_TYPE(13)
#endif
#ifndef BPF_LINK_TYPE_SOCKMAP
#define BPF_LINK_TYPE_SOCKMAP BPFLINK__LINK_TYPE(14)
#endif

#ifndef BPF_F_BEFORE
#define BPF_F_BEFORE		(1U << 3)
#endif
#ifndef BPF_F_AFTER
#define BPF_F_AFTER		(1U << 4)
#endif
#ifndef BPF_F_ID
#define BPF_F_ID		(1U << 5)
#endif
#ifndef BPF_F_PREORDER
#define BPF_F_PREORDER		(1U << 6)
#endif
/* An enumerator (plus a self-referencing macro) in the UAPI since Linux
 * 6.4; the mprog attach types (tcx, netkit, cgroup) take it in
 * opts.flags to say that relative_fd/relative_id names a link. */
#ifndef BPF_F_LINK
#define BPF_F_LINK		(1U << 13)
#endif
#ifndef BPF_F_NETFILTER_IP_DEFRAG
#define BPF_F_NETFILTER_IP_DEFRAG (1U << 0)
#endif
/* Enumerators in the UAPI; as macros here for headers that predate them. */
#ifndef BPF_F_UPROBE_MULTI_RETURN
#define BPF_F_UPROBE_MULTI_RETURN (1U << 0)
#endif
#ifndef BPF_F_PATH_FD
#define BPF_F_PATH_FD (1U << 14)
#endif

/*
 * libbpf's option structs (bpf/bpf.h of v1.7.0). Every one starts with
 * `size_t sz`, which LIBBPF_OPTS sets to sizeof; the library accepts
 * smaller (older) and larger (newer, zero-tailed) structs.
 * The union of bpf_link_create_opts is anonymous, as in libbpf, so that
 * C code writes opts.tcx.relative_id; __extension__ keeps -pedantic quiet.
 */
struct bpf_link_create_opts {
	size_t sz;
	__u32 flags;
	union bpf_iter_link_info *iter_info;
	__u32 iter_info_len;
	__u32 target_btf_id;
	__extension__ union {
		struct {
			__u64 bpf_cookie;
		} perf_event;
		struct {
			__u32 flags;
			__u32 cnt;
			const char **syms;
			const unsigned long *addrs;
			const __u64 *cookies;
		} kprobe_multi;
		struct {
			__u32 flags;
			__u32 cnt;
			const char *path;
			const unsigned long *offsets;
			const unsigned long *ref_ctr_offsets;
			const __u64 *cookies;
			__u32 pid;
		} uprobe_multi;
		struct {
			__u64 cookie;
		} tracing;
		struct {
			__u32 pf;
			__u32 hooknum;
			__s32 priority;
			__u32 flags;
		} netfilter;
		struct {
			__u32 relative_fd;
			__u32 relative_id;
			__u64 expected_revision;
		} tcx;
		struct {
			__u32 relative_fd;
			__u32 relative_id;
			__u64 expected_revision;
		} netkit;
		struct {
			__u32 relative_fd;
			__u32 relative_id;
			__u64 expected_revision;
		} cgroup;
	};
};
#define bpf_link_create_opts__last_field uprobe_multi.pid

struct bpf_link_update_opts {
	size_t sz;
	__u32 flags;		/* extra flags, e.g. BPF_F_REPLACE */
	__u32 old_prog_fd;	/* expected old program FD */
	__u32 old_map_fd;	/* expected old map FD */
};
#define bpf_link_update_opts__last_field old_map_fd

struct bpf_get_fd_by_id_opts {
	size_t sz;
	__u32 open_flags;	/* permissions requested for the operation on fd */
	__u32 token_fd;		/* ignored for links, as in libbpf */
};
#define bpf_get_fd_by_id_opts__last_field token_fd

struct bpf_raw_tp_opts {
	size_t sz;
	const char *tp_name;
	__u64 cookie;
};
#define bpf_raw_tp_opts__last_field cookie

struct bpf_obj_pin_opts {
	size_t sz;
	__u32 file_flags;
	int path_fd;
};
#define bpf_obj_pin_opts__last_field path_fd

struct bpf_obj_get_opts {
	size_t sz;
	__u32 file_flags;
	int path_fd;
};
#define bpf_obj_get_opts__last_field path_fd

/* bpf_prog_query_opts (bpf.h): what is attached to a hook. prog_cnt and
 * count are one field. */
struct bpf_prog_query_opts {
	size_t sz;
	__u32 query_flags;
	__u32 attach_flags;	/* output argument */
	__u32 *prog_ids;
	__extension__ union {
		/* input+output argument */
		__u32 prog_cnt;
		__u32 count;
	};
	__u32 *prog_attach_flags;
	__u32 *link_ids;
	__u32 *link_attach_flags;
	__u64 revision;
	size_t :0;
};
#define bpf_prog_query_opts__last_field revision

/*
 * LIBBPF_OPTS(TYPE, NAME, ...): declare `struct TYPE NAME`, zero all of it
 * (padding included, which libbpf checks), set .sz and the given fields.
 * Same shape as libbpf's; __extension__ keeps -pedantic quiet about the
 * statement expression.
 */
#ifndef LIBBPF_OPTS
#define LIBBPF_OPTS(TYPE, NAME, ...)					\
	struct TYPE NAME = __extension__ ({				\
		memset(&NAME, 0, sizeof(struct TYPE));			\
		(struct TYPE) {						\
			.sz = sizeof(struct TYPE),			\
			__VA_ARGS__					\
		};							\
	})
#endif
#ifndef DECLARE_LIBBPF_OPTS
#define DECLARE_LIBBPF_OPTS LIBBPF_OPTS
#endif
/* LIBBPF_OPTS_RESET(NAME, ...): zero NAME again and re-initialise it. */
#ifndef LIBBPF_OPTS_RESET
#define LIBBPF_OPTS_RESET(NAME, ...)					\
	do {								\
		__typeof__(NAME) ___##NAME = __extension__ ({		\
			memset(&___##NAME, 0, sizeof(NAME));		\
			(__typeof__(NAME)) {				\
				.sz = sizeof(NAME),			\
				__VA_ARGS__				\
			};						\
		});							\
		memcpy(&NAME, &___##NAME, sizeof(NAME));		\
	} while (0)
#endif

/* libbpf's print hook (libbpf.h). */
#if BPFLINK__LIBBPF_H_VERSION == 0
enum libbpf_print_level {
	LIBBPF_WARN,
	LIBBPF_INFO,
	LIBBPF_DEBUG,
};
typedef int (*libbpf_print_fn_t)(enum libbpf_print_level level,
				 const char *, va_list ap);
#endif

/*
 * libbpf.h's attach opts (v1.7.0), taken by the bpflink_attach_* functions.
 * `size_t :0;` pads each struct to a multiple of size_t, as in libbpf;
 * __extension__ keeps -pedantic quiet about its type.
 */
#if BPFLINK__LIBBPF_H_VERSION == 0 || BPFLINK__LIBBPF_H_VERSION < 102
/* How a kprobe/uprobe is attached (libbpf 1.2+). */
enum probe_attach_mode {
	/* the newest way the kernel supports */
	PROBE_ATTACH_MODE_DEFAULT = 0,
	/* a tracefs kprobe_events/uprobe_events probe */
	PROBE_ATTACH_MODE_LEGACY,
	/* a perf event from perf_event_open() */
	PROBE_ATTACH_MODE_PERF,
	/* a perf event with a BPF link */
	PROBE_ATTACH_MODE_LINK,
};
#endif

#if BPFLINK__LIBBPF_H_VERSION == 0
struct bpf_perf_event_opts {
	size_t sz;
	/* value for bpf_get_attach_cookie() */
	__u64 bpf_cookie;
	/* attach with PERF_EVENT_IOC_SET_BPF, not a BPF link */
	bool force_ioctl_attach;
	/* do not enable the event (PERF_EVENT_IOC_ENABLE) */
	bool dont_enable;
	__extension__ size_t :0;
};
#define bpf_perf_event_opts__last_field dont_enable

struct bpf_kprobe_opts {
	size_t sz;
	__u64 bpf_cookie;
	/* offset into the function */
	size_t offset;
	/* a return probe */
	bool retprobe;
	enum probe_attach_mode attach_mode;
	__extension__ size_t :0;
};
#define bpf_kprobe_opts__last_field attach_mode

struct bpf_kprobe_multi_opts {
	size_t sz;
	/* function names, or */
	const char **syms;
	/* function addresses */
	const unsigned long *addrs;
	/* one bpf_get_attach_cookie() value per function */
	const __u64 *cookies;
	/* entries in syms/addrs/cookies */
	size_t cnt;
	bool retprobe;
	/* entry and return, one program (BPF_TRACE_KPROBE_SESSION) */
	bool session;
	/* the pattern must match exactly one function */
	bool unique_match;
	__extension__ size_t :0;
};
#define bpf_kprobe_multi_opts__last_field unique_match

struct bpf_uprobe_opts {
	size_t sz;
	/* file offset of a USDT semaphore (reference counter) */
	size_t ref_ctr_offset;
	__u64 bpf_cookie;
	/* a return probe */
	bool retprobe;
	/* "func", "func@VERSION" or "func@@VERSION", looked up in the binary;
	 * func_offset is then an offset into it */
	const char *func_name;
	enum probe_attach_mode attach_mode;
	__extension__ size_t :0;
};
#define bpf_uprobe_opts__last_field attach_mode

struct bpf_tracepoint_opts {
	size_t sz;
	__u64 bpf_cookie;
};
#define bpf_tracepoint_opts__last_field bpf_cookie
#endif

#if BPFLINK__LIBBPF_H_VERSION == 0 || BPFLINK__LIBBPF_H_VERSION < 103
/* libbpf 1.3+ */
struct bpf_uprobe_multi_opts {
	size_t sz;
	/* function names, or */
	const char **syms;
	/* file offsets */
	const unsigned long *offsets;
	/* USDT semaphore offsets, optional */
	const unsigned long *ref_ctr_offsets;
	/* bpf_get_attach_cookie() values, optional */
	const __u64 *cookies;
	/* entries in each array */
	size_t cnt;
	bool retprobe;
	/* entry and return, one program (BPF_TRACE_UPROBE_SESSION) */
	bool session;
	__extension__ size_t :0;
};
#define bpf_uprobe_multi_opts__last_field session
#endif

/* Version of the libbpf ABI bpflink implements. */
#define BPFLINK_LIBBPF_MAJOR_VERSION 1
#define BPFLINK_LIBBPF_MINOR_VERSION 7

/* libbpf's link object (libbpf.h). Opaque: only pointers cross the ABI, and
 * links from the real libbpf and from bpflink are interchangeable. */
struct bpf_link;

/*
 * struct bpflink_link_info: the kernel's `struct bpf_link_info` as libbpf
 * v1.7.0's UAPI defines it (64 bytes), under our own tag so that it never
 * clashes with the one of whatever <linux/bpf.h> is included. An older
 * <linux/bpf.h> (Linux 6.1 here) lacks the netfilter, tcx, netkit,
 * uprobe_multi, perf_event and sockmap members; with this struct every
 * per-type member is usable anywhere:
 *
 *	struct bpflink_link_info info;
 *	__u32 len = sizeof(info);
 *	memset(&info, 0, sizeof(info));
 *	err = bpflink_link_get_info_by_fd(fd, &info, &len);
 *	if (!err && info.type == BPF_LINK_TYPE_TCX) use(info.tcx.ifindex);
 *
 * The kernel fills at most the size it knows and reports it in len.
 */
struct bpflink_link_info {
	__u32 type;
	__u32 id;
	__u32 prog_id;
	__u32 reserved0;		/* padding: the union is 8-aligned */
	__extension__ union {
		struct {
			__u64 tp_name;		/* in/out: buffer address */
			__u32 tp_name_len;	/* in/out: buffer length */
			__u32 reserved;
			__u64 cookie;
		} raw_tracepoint;
		struct {
			__u32 attach_type;
			__u32 target_obj_id;	/* prog id for freplace, else BTF object id */
			__u32 target_btf_id;
			__u32 reserved;
			__u64 cookie;
		} tracing;
		struct {
			__u64 cgroup_id;
			__u32 attach_type;
		} cgroup;
		struct {
			__u64 target_name;	/* in/out: buffer address */
			__u32 target_name_len;	/* in/out: buffer length */
			__extension__ union {
				struct {
					__u32 map_id;
				} map;
			};
			__extension__ union {
				struct {
					__u64 cgroup_id;
					__u32 order;
				} cgroup;
				struct {
					__u32 tid;
					__u32 pid;
				} task;
			};
		} iter;
		struct {
			__u32 netns_ino;
			__u32 attach_type;
		} netns;
		struct {
			__u32 ifindex;
		} xdp;
		struct {
			__u32 map_id;
		} struct_ops;
		struct {
			__u32 pf;
			__u32 hooknum;
			__s32 priority;
			__u32 flags;
		} netfilter;
		struct {
			__u64 addrs;
			__u32 count;
			__u32 flags;
			__u64 missed;
			__u64 cookies;
		} kprobe_multi;
		struct {
			__u64 path;
			__u64 offsets;
			__u64 ref_ctr_offsets;
			__u64 cookies;
			__u32 path_size;	/* in/out: path length incl. the NUL */
			__u32 count;		/* in/out: number of offsets */
			__u32 flags;
			__u32 pid;
		} uprobe_multi;
		struct {
			__u32 type;		/* enum bpf_perf_event_type */
			__u32 reserved;
			__extension__ union {
				struct {
					__u64 file_name;	/* in/out */
					__u32 name_len;
					__u32 offset;
					__u64 cookie;
					__u64 ref_ctr_offset;
				} uprobe;
				struct {
					__u64 func_name;	/* in/out */
					__u32 name_len;
					__u32 offset;
					__u64 addr;
					__u64 missed;
					__u64 cookie;
				} kprobe;
				struct {
					__u64 tp_name;		/* in/out */
					__u32 name_len;
					__u32 reserved;
					__u64 cookie;
				} tracepoint;
				struct {
					__u64 config;
					__u32 type;
					__u32 reserved;
					__u64 cookie;
				} event;
			};
		} perf_event;
		struct {
			__u32 ifindex;
			__u32 attach_type;
		} tcx;
		struct {
			__u32 ifindex;
			__u32 attach_type;
		} netkit;
		struct {
			__u32 map_id;
			__u32 attach_type;
		} sockmap;
	};
} __attribute__((aligned(8)));	/* as the UAPI's: 8 on 32-bit targets too */

/* bpf_link_get_info_by_fd() for a struct bpflink_link_info (header-only). */
#ifdef __cplusplus
extern "C" {
#endif
int bpf_obj_get_info_by_fd(int bpf_fd, void *info, __u32 *info_len);
#ifdef __cplusplus
}
#endif
static inline int bpflink_link_get_info_by_fd(int link_fd, struct bpflink_link_info *info, __u32 *info_len)
{
	return bpf_obj_get_info_by_fd(link_fd, info, info_len);
}
