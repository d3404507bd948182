/*
 * Differential conformance driver: ONE source, compiled twice.
 *
 *   -DORACLE  against the real libbpf v1.7.0 (build/oracle: <bpf/bpf.h>,
 *             <bpf/libbpf.h>, libbpf.so.1.7.0)
 *   (none)    against bpflink (include/bpflink.h, build/lib/libbpflink.so)
 *
 * Both run the same corpus (a fixed part, then a seeded random part) against
 * the fake kernel in fakebpf.c, and print one transcript block per case: the
 * call with its arguments, the kernel script, every bpf()/fcntl()/close()
 * the library made (cmd, size, attr bytes), every message it printed through
 * the libbpf_set_print callback, its return value and errno, and what it
 * wrote to output parameters. run.sh diffs the two transcripts.
 *
 * Everything the driver hands to the library (opts structs, strings, output
 * buffers) lives in one region mapped at a FIXED address, so pointers that
 * end up in attr are byte-identical in the two processes. Opts are built as
 * raw byte images (not through the headers' structs), so both libraries see
 * exactly the same bytes, including padding, tails and bogus sizes.
 *
 * Each case runs in a forked child with an alarm; a crash (libbpf faults on
 * some garbage input) is reported as "crashed signal N" with whatever the
 * library did before it (the records live in shared memory).
 *
 * The object API (bpf_link__*) and the helpers (libbpf_strerror,
 * libbpf_get_error, the _str and version functions) are F_OBJ, F_STRERROR,
 * F_GET_ERROR and F_NAMES cases: see "The object API and the helpers".
 *
 * Usage: driver [--seed N] [--cases M] [--case K] [--no-fixed] [--list] [--unrealistic]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef ORACLE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#define LIBNAME "libbpf-1.7.0"
#else
#include <bpflink.h>
#define LIBNAME "bpflink"
#endif

#include "fakebpf.h"
#include "link_mirror.h"

/* ------------------------------------------------------------------ */
/* The fixed region                                                    */

#if UINTPTR_MAX > 0xffffffffu
#define R_BASE 0x200000000000UL
#else
/* 32-bit targets: low in the address space, clear of the executable, the
 * heap and the mmap area (under qemu-user too) */
#define R_BASE 0x20000000UL
#endif
#define R_PAGES 16
#define R_SIZE ((size_t)R_PAGES * 4096)
#define OFF_PATH 0x100		/* "/sys/fs/bpf/conformance/link" */
#define OFF_TP 0x180		/* "sys_enter" */
#define OFF_NEXTID 0x300	/* __u32 out parameter of get_next_id */
#define OFF_INFOLEN 0x308	/* __u32 in/out info_len */
#define OFF_INFO 0x1000		/* info buffer */
#define INFO_BUF 256
#define OFF_OPTS 0x4000		/* opts, normal placement: 48 KiB of zeros follow, then unmapped */
#define IMG 256			/* bytes of an opts image the case controls */
#define SENTINEL_ERRNO 4242
#define SENTINEL_OUT 0xdeadbeefu
#define INFO_FILL 0xa5
#define RADDR(off) ((uint64_t)(R_BASE + (off)))

/*
 * The opts layouts come from the header the driver is built against
 * (libbpf's <bpf/bpf.h> or <bpflink.h>), for the target it is built for:
 * on LP64 targets bpf_link_create_opts is 80 bytes, on i386 48 (4-byte
 * size_t and pointers, 4-byte aligned __u64). The images are still raw
 * bytes; should the two headers disagree, the two transcripts' opts lines
 * differ and every such case fails.
 */
#define BIG_ENDIAN_HOST (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
#define SZB ((int)sizeof(size_t))	/* bytes of the leading size_t sz */
#define PTR ((int)sizeof(void *))
#define LC(m) ((int)offsetof(struct bpf_link_create_opts, m))
#define LC_SIZE ((int)sizeof(struct bpf_link_create_opts))
#define LC_END (LC(uprobe_multi.pid) + 4)	/* end of __last_field */
#define LU(m) ((int)offsetof(struct bpf_link_update_opts, m))
#define LU_SIZE ((int)sizeof(struct bpf_link_update_opts))
#define LU_END (LU(old_map_fd) + 4)

static const char PATH_STR[] = "/sys/fs/bpf/conformance/link";
static const char TP_STR[] = "sys_enter";

/* ------------------------------------------------------------------ */
/* Functions under test                                                */

enum fn {
	F_LINK_CREATE, F_LINK_UPDATE, F_LINK_DETACH, F_ITER_CREATE, F_GET_NEXT_ID,
	F_GET_FD_BY_ID, F_GET_FD_BY_ID_OPTS, F_LINK_GET_INFO, F_OBJ_GET_INFO,
	F_RAW_TP_OPEN, F_RAW_TP_OPEN_OPTS, F_OBJ_PIN, F_OBJ_PIN_OPTS, F_OBJ_GET,
	F_OBJ_GET_OPTS,
	/* the object API and the helpers (see "The object API" below) */
	F_OBJ, F_STRERROR, F_GET_ERROR, F_NAMES, F_N
};

/* off/size of a field (size 0: absent on this target, skipped); ptr: a pointer */
struct fld { int off, size; const char *name; int ptr; };

/* Every distinct (offset, width) the union's members occupy, named after
 * the members there (on i386 the union starts at 20, on LP64 at 32). */
static const struct fld F_CREATE[] = {
	{ LC(flags), 4, "flags", 0 },
	{ LC(flags) + 4, LC(iter_info) - LC(flags) - 4, "padding after flags", 0 },
	{ LC(iter_info), PTR, "iter_info", 1 },
	{ LC(iter_info_len), 4, "iter_info_len", 0 }, { LC(target_btf_id), 4, "target_btf_id", 0 },
	{ LC(tcx.relative_fd), 4, "u32 union+0(relative_fd|pf|kprobe_multi.flags|bpf_cookie half)", 0 },
	{ LC(tcx.relative_id), 4, "u32 union+4(relative_id|hooknum|cnt|bpf_cookie half)", 0 },
	{ LC(perf_event.bpf_cookie), 8, "u64 union+0(perf_event.bpf_cookie|tracing.cookie)", 0 },
	{ LC(tcx.expected_revision), 8, "u64 union+8(expected_revision|syms|path|priority+flags)", 0 },
	{ LC(netfilter.flags), 4, "u32(netfilter.flags)", 0 },
	{ LC(kprobe_multi.addrs), PTR, "ptr(addrs|offsets)", 1 },
	{ LC(kprobe_multi.cookies), PTR, "ptr(cookies|ref_ctr_offsets)", 1 },
	{ LC(uprobe_multi.cookies), PTR, "ptr(uprobe_multi.cookies)", 1 },
	{ LC(uprobe_multi.pid), 4, "u32(uprobe_multi.pid)", 0 },
	{ LC_END, LC_SIZE - LC_END, "bytes after uprobe_multi.pid", 0 },
};
static const struct fld F_UPDATE[] = {
	{ LU(flags), 4, "flags", 0 }, { LU(old_prog_fd), 4, "old_prog_fd", 0 },
	{ LU(old_map_fd), 4, "old_map_fd", 0 }, { LU_END, LU_SIZE - LU_END, "padding at the end", 0 },
};
#define FB(m) ((int)offsetof(struct bpf_get_fd_by_id_opts, m))
#define RT(m) ((int)offsetof(struct bpf_raw_tp_opts, m))
#define PN(m) ((int)offsetof(struct bpf_obj_pin_opts, m))
static const struct fld F_FDBYID[] = { { FB(open_flags), 4, "open_flags", 0 }, { FB(token_fd), 4, "token_fd", 0 } };
static const struct fld F_RAWTP[] = { { RT(tp_name), PTR, "tp_name", 1 }, { RT(cookie), 8, "cookie", 0 } };
static const struct fld F_PIN[] = { { PN(file_flags), 4, "file_flags", 0 }, { PN(path_fd), 4, "path_fd", 0 } };
_Static_assert(offsetof(struct bpf_obj_get_opts, path_fd) == offsetof(struct bpf_obj_pin_opts, path_fd),
	       "bpf_obj_get_opts and bpf_obj_pin_opts share F_PIN");

struct okind {
	const char *name;
	int size;	/* sizeof(struct) on this target */
	const struct fld *f;
	int nf;
};
#define NF(a) ((int)(sizeof(a) / sizeof((a)[0])))
static const struct okind OK_CREATE = { "bpf_link_create_opts", LC_SIZE, F_CREATE, NF(F_CREATE) };
static const struct okind OK_UPDATE = { "bpf_link_update_opts", LU_SIZE, F_UPDATE, NF(F_UPDATE) };
static const struct okind OK_FDBYID = { "bpf_get_fd_by_id_opts", (int)sizeof(struct bpf_get_fd_by_id_opts),
					F_FDBYID, NF(F_FDBYID) };
static const struct okind OK_RAWTP = { "bpf_raw_tp_opts", (int)sizeof(struct bpf_raw_tp_opts),
				       F_RAWTP, NF(F_RAWTP) };
static const struct okind OK_PIN = { "bpf_obj_pin_opts", (int)sizeof(struct bpf_obj_pin_opts), F_PIN, NF(F_PIN) };
static const struct okind OK_GET = { "bpf_obj_get_opts", (int)sizeof(struct bpf_obj_get_opts), F_PIN, NF(F_PIN) };

static const struct fninfo {
	const char *name;
	const struct okind *ok;
	int weight;	/* in the random part */
} FN[F_N] = {
	[F_LINK_CREATE] = { "bpf_link_create", &OK_CREATE, 50 },
	[F_LINK_UPDATE] = { "bpf_link_update", &OK_UPDATE, 8 },
	[F_LINK_DETACH] = { "bpf_link_detach", NULL, 2 },
	[F_ITER_CREATE] = { "bpf_iter_create", NULL, 2 },
	[F_GET_NEXT_ID] = { "bpf_link_get_next_id", NULL, 3 },
	[F_GET_FD_BY_ID] = { "bpf_link_get_fd_by_id", NULL, 2 },
	[F_GET_FD_BY_ID_OPTS] = { "bpf_link_get_fd_by_id_opts", &OK_FDBYID, 5 },
	[F_LINK_GET_INFO] = { "bpf_link_get_info_by_fd", NULL, 3 },
	[F_OBJ_GET_INFO] = { "bpf_obj_get_info_by_fd", NULL, 3 },
	[F_RAW_TP_OPEN] = { "bpf_raw_tracepoint_open", NULL, 2 },
	[F_RAW_TP_OPEN_OPTS] = { "bpf_raw_tracepoint_open_opts", &OK_RAWTP, 5 },
	[F_OBJ_PIN] = { "bpf_obj_pin", NULL, 2 },
	[F_OBJ_PIN_OPTS] = { "bpf_obj_pin_opts", &OK_PIN, 5 },
	[F_OBJ_GET] = { "bpf_obj_get", NULL, 2 },
	[F_OBJ_GET_OPTS] = { "bpf_obj_get_opts", &OK_GET, 5 },
	[F_OBJ] = { "bpf_link__*", NULL, 10 },
	[F_STRERROR] = { "libbpf_strerror", NULL, 3 },
	[F_GET_ERROR] = { "libbpf_get_error", NULL, 1 },
	[F_NAMES] = { "libbpf_*_str", NULL, 1 },
};

/* ------------------------------------------------------------------ */
/* A case                                                              */

/* One step of an object-API case (F_OBJ), see obj_step() */
enum op {
	OP_OPEN, OP_CRAFT, OP_FD, OP_PIN_PATH, OP_PIN, OP_UNPIN, OP_DETACH, OP_DISCONNECT,
	OP_DESTROY, OP_GET_ERROR, OP_SET_PRINT, OP_SETENV, OP_CHDIR
};
#define MAX_STEPS 16
#define NHANDLES 4
/* link operands: 0..NHANDLES-1 are the case's links L1..L4, or: */
enum { H_NULL = -1, H_ERR1 = -2, H_ERR22 = -3, H_ERR4095 = -4 };
struct step {
	int8_t op;
	int8_t h;	/* link operand (OP_OPEN/OP_CRAFT: the slot the new link goes to) */
	int16_t path;	/* path index (PATHS), -1 = NULL; OP_CHDIR: index into CWDS */
	int32_t fd;	/* OP_CRAFT: the link's fd */
	uint8_t det;	/* OP_CRAFT: detach callback (DK_*); OP_SET_PRINT: PR_*; OP_SETENV: index into ENVS */
	uint8_t dea;	/* OP_CRAFT: dealloc callback (0 none, 1 yes) */
	uint8_t disc;	/* OP_CRAFT: the disconnected byte */
};
#define MAX_VALS 64

struct tcase {
	int fn;
	int64_t a0, a1, a2;	/* integer arguments, see call_desc() */
	int has_opts;
	uint64_t sz;
	uint8_t img[IMG];	/* opts bytes (img[0..SZB] is replaced by sz) */
	int place;		/* 0: at OFF_OPTS + mis; k > 0: the opts end k bytes before the unmapped end */
	int mis;		/* misalignment of the opts pointer (normal placement only) */
	uint32_t far;		/* normal placement: region offset of one non-zero byte far in the tail */
	int p1, p2;		/* pointer arguments: 1 = valid region pointer, 0 = NULL */
	uint32_t in_val;	/* initial *info_len */
	int nk;
	struct fake_answer k[FAKE_MAX_ANS];
	int nd;
	struct fake_dupans d[FAKE_MAX_ANS];
	int nstep;		/* F_OBJ */
	int unreal;		/* F_OBJ: the fake kernel may give answers the real one never gives */
	struct step st[MAX_STEPS];
	int nval;		/* F_STRERROR: buffer sizes (-1 - n: NULL buf, size n) for the
				 * errs a0 .. a0 + a1 - 1; F_GET_ERROR: pointers; F_NAMES: type values */
	int64_t val[MAX_VALS];
	char desc[120];
};

/* What the child leaves behind for the parent (MAP_SHARED). */
#define MAX_MSG 32
#define MSG_LEN 200
#define TEXT_MAX (192 * 1024)
struct shared {
	struct fake_state fk;
	int returned;
	long ret;
	int err;
	int nmsg, msg_lost;
	int lvl[MAX_MSG];
	int cbid[MAX_MSG];	/* which callback got it: 1 print_cb, 2 print_cb2 */
	char msg[MAX_MSG][MSG_LEN];
	uint32_t next_id, info_len;
	uint8_t info[INFO_BUF];
	/* F_OBJ and the helpers: the child writes its transcript lines here as it
	 * goes; after a crash the parent adds the records and messages from
	 * rec_mark/msg_mark on. */
	int rec_mark, msg_mark;
	size_t tlen;
	char text[TEXT_MAX];	/* must stay last (not cleared between cases) */
};
static struct shared *S;

static int record_msg(int cbid, enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (S->nmsg >= MAX_MSG) {
		S->msg_lost++;
		errno = 7777;
		return 0;
	}
	vsnprintf(S->msg[S->nmsg], MSG_LEN, fmt, ap);
	S->lvl[S->nmsg] = (int)level;
	S->cbid[S->nmsg] = cbid;
	S->nmsg++;
	/* libbpf saves errno around the callback: clobber it to see that */
	errno = 7777;
	return 0;
}

static int print_cb(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return record_msg(1, level, fmt, ap);
}

/* a second callback, for libbpf_set_print's interplay */
static int print_cb2(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return record_msg(2, level, fmt, ap);
}

/* what the first libbpf_set_print (in main) returned: the library's default */
static libbpf_print_fn_t default_printer;

/* ------------------------------------------------------------------ */
/* Running a case (child)                                              */

static uint8_t *opts_addr(const struct tcase *c)
{
	uint8_t *R = (uint8_t *)R_BASE;

	return c->place ? R + R_SIZE - c->place : R + OFF_OPTS + c->mis;
}

static void run_child_obj(const struct tcase *c);

static void run_child(const struct tcase *c)
{
	uint8_t *R = (uint8_t *)R_BASE;
	uint8_t *o = NULL;
	const char *path = c->p1 ? (const char *)R + OFF_PATH : NULL;
	const char *tp = c->p1 ? (const char *)R + OFF_TP : NULL;
	uint32_t *next_id = (uint32_t *)(R + OFF_NEXTID);
	uint32_t *info_len = (uint32_t *)(R + OFF_INFOLEN);
	void *info = R + OFF_INFO;
	struct rlimit nocore = { 0, 0 };
	long ret = 0;
	int e, i;

	if (c->fn >= F_OBJ)
		run_child_obj(c);	/* does not return */
	setrlimit(RLIMIT_CORE, &nocore);
	alarm(5);

	if (c->has_opts) {
		size_t n = c->place && c->place < IMG ? (size_t)c->place : IMG;

		size_t sz = (size_t)c->sz;

		o = opts_addr(c);
		memcpy(o, c->img, n);
		memcpy(o, &sz, sizeof(sz));
		if (c->far && !c->place)
			R[c->far] = 0x5a;
	}
	*next_id = SENTINEL_OUT;
	*info_len = c->in_val;
	memset(info, INFO_FILL, INFO_BUF);

	S->fk.wlo = R_BASE;
	S->fk.whi = R_BASE + R_SIZE;
	S->fk.nans = c->nk;
	for (i = 0; i < c->nk; i++)
		S->fk.ans[i] = c->k[i];
	S->fk.ndup = c->nd;
	for (i = 0; i < c->nd; i++)
		S->fk.dup[i] = c->d[i];
	S->fk.active = 1;
	S->fk.recording = 1;
	errno = SENTINEL_ERRNO;

	switch (c->fn) {
	case F_LINK_CREATE:
		ret = bpf_link_create((int)c->a0, (int)c->a1,
				      (enum bpf_attach_type)(uint32_t)c->a2,
				      (const struct bpf_link_create_opts *)o);
		break;
	case F_LINK_UPDATE:
		ret = bpf_link_update((int)c->a0, (int)c->a1,
				      (const struct bpf_link_update_opts *)o);
		break;
	case F_LINK_DETACH:
		ret = bpf_link_detach((int)c->a0);
		break;
	case F_ITER_CREATE:
		ret = bpf_iter_create((int)c->a0);
		break;
	case F_GET_NEXT_ID:
		ret = bpf_link_get_next_id((uint32_t)c->a0, c->p1 ? next_id : NULL);
		break;
	case F_GET_FD_BY_ID:
		ret = bpf_link_get_fd_by_id((uint32_t)c->a0);
		break;
	case F_GET_FD_BY_ID_OPTS:
		ret = bpf_link_get_fd_by_id_opts((uint32_t)c->a0,
						 (const struct bpf_get_fd_by_id_opts *)o);
		break;
	case F_LINK_GET_INFO:
		ret = bpf_link_get_info_by_fd((int)c->a0,
					      c->p1 ? (struct bpf_link_info *)info : NULL,
					      c->p2 ? info_len : NULL);
		break;
	case F_OBJ_GET_INFO:
		ret = bpf_obj_get_info_by_fd((int)c->a0, c->p1 ? info : NULL,
					     c->p2 ? info_len : NULL);
		break;
	case F_RAW_TP_OPEN:
		ret = bpf_raw_tracepoint_open(tp, (int)c->a0);
		break;
	case F_RAW_TP_OPEN_OPTS:
		ret = bpf_raw_tracepoint_open_opts((int)c->a0, (struct bpf_raw_tp_opts *)o);
		break;
	case F_OBJ_PIN:
		ret = bpf_obj_pin((int)c->a0, path);
		break;
	case F_OBJ_PIN_OPTS:
		ret = bpf_obj_pin_opts((int)c->a0, path, (const struct bpf_obj_pin_opts *)o);
		break;
	case F_OBJ_GET:
		ret = bpf_obj_get(path);
		break;
	case F_OBJ_GET_OPTS:
		ret = bpf_obj_get_opts(path, (const struct bpf_obj_get_opts *)o);
		break;
	}
	e = errno;
	S->fk.recording = 0;
	S->fk.active = 0;
	S->ret = ret;
	S->err = e;
	S->next_id = *next_id;
	S->info_len = *info_len;
	memcpy(S->info, info, INFO_BUF);
	S->returned = 1;
	_exit(0);
}

/* ------------------------------------------------------------------ */
/* Transcript                                                          */

static const char *errname(int e)
{
	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EACCES: return "EACCES";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EROFS: return "EROFS";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ELOOP: return "ELOOP";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case EMFILE: return "EMFILE";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOSYS: return "ENOSYS";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case E2BIG: return "E2BIG";
	case 524: return "ENOTSUPP";
	case SENTINEL_ERRNO: return "untouched";
	default: return "?";
	}
}

static const char *cmdname(long cmd)
{
	switch (cmd) {
	case 6: return "OBJ_PIN";
	case 7: return "OBJ_GET";
	case 15: return "OBJ_GET_INFO_BY_FD";
	case 17: return "RAW_TRACEPOINT_OPEN";
	case 28: return "LINK_CREATE";
	case 29: return "LINK_UPDATE";
	case 30: return "LINK_GET_FD_BY_ID";
	case 31: return "LINK_GET_NEXT_ID";
	case 33: return "ITER_CREATE";
	case 34: return "LINK_DETACH";
	default: return "?";
	}
}

static void hex(FILE *f, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%s%02x", i && i % 8 == 0 ? " " : "", b[i]);
}

static size_t mapped_img(const struct tcase *c)
{
	return c->place && c->place < IMG ? (size_t)c->place : IMG;
}

static void print_call_obj(FILE *f, const struct tcase *c);

static void print_call(FILE *f, const struct tcase *c)
{
	const char *p1 = c->p1 ? "R+0x180" : "NULL";

	if (c->fn >= F_OBJ) {
		print_call_obj(f, c);
		return;
	}
	fprintf(f, "call %s(", FN[c->fn].name);
	switch (c->fn) {
	case F_LINK_CREATE:
		fprintf(f, "prog_fd=%d, target_fd=%d, attach_type=%u, opts", (int)c->a0,
			(int)c->a1, (uint32_t)c->a2);
		break;
	case F_LINK_UPDATE:
		fprintf(f, "link_fd=%d, new_prog_fd=%d, opts", (int)c->a0, (int)c->a1);
		break;
	case F_LINK_DETACH:
	case F_ITER_CREATE:
		fprintf(f, "link_fd=%d", (int)c->a0);
		break;
	case F_GET_NEXT_ID:
		fprintf(f, "start_id=%u, next_id=%s", (uint32_t)c->a0, c->p1 ? "R+0x300" : "NULL");
		break;
	case F_GET_FD_BY_ID:
		fprintf(f, "id=%u", (uint32_t)c->a0);
		break;
	case F_GET_FD_BY_ID_OPTS:
		fprintf(f, "id=%u, opts", (uint32_t)c->a0);
		break;
	case F_LINK_GET_INFO:
	case F_OBJ_GET_INFO:
		fprintf(f, "fd=%d, info=%s, info_len=%s", (int)c->a0, c->p1 ? "R+0x1000" : "NULL",
			c->p2 ? "R+0x308" : "NULL");
		if (c->p2)
			fprintf(f, " (*info_len=%u)", c->in_val);
		break;
	case F_RAW_TP_OPEN:
		fprintf(f, "name=%s, prog_fd=%d", p1, (int)c->a0);
		break;
	case F_RAW_TP_OPEN_OPTS:
		fprintf(f, "prog_fd=%d, opts", (int)c->a0);
		break;
	case F_OBJ_PIN:
		fprintf(f, "fd=%d, pathname=%s", (int)c->a0, c->p1 ? "R+0x100" : "NULL");
		break;
	case F_OBJ_PIN_OPTS:
		fprintf(f, "fd=%d, pathname=%s, opts", (int)c->a0, c->p1 ? "R+0x100" : "NULL");
		break;
	case F_OBJ_GET:
		fprintf(f, "pathname=%s", c->p1 ? "R+0x100" : "NULL");
		break;
	case F_OBJ_GET_OPTS:
		fprintf(f, "pathname=%s, opts", c->p1 ? "R+0x100" : "NULL");
		break;
	}
	if (FN[c->fn].ok)
		fprintf(f, "=%s", c->has_opts ? "<below>" : "NULL");
	fprintf(f, ")\n");
	if (FN[c->fn].ok && c->has_opts) {
		size_t n = mapped_img(c), last = SZB, i;

		for (i = SZB; i < n; i++)
			if (c->img[i])
				last = i + 1;
		fprintf(f, "opts %s @R+0x%lx sz=%" PRIu64 " (0x%" PRIx64 ")", FN[c->fn].ok->name,
			(unsigned long)(opts_addr(c) - (uint8_t *)R_BASE), c->sz, c->sz);
		if (c->place)
			fprintf(f, " mapped=%d then unmapped", c->place);
		else
			fprintf(f, " zeros to R+0x%lx then unmapped", (unsigned long)R_SIZE);
		if (c->far && !c->place)
			fprintf(f, ", except R+0x%x=0x5a (opts+%lu)", c->far,
				(unsigned long)((uint8_t *)R_BASE + c->far - opts_addr(c)));
		fprintf(f, "\nopts bytes[%d..%zu]: ", SZB, last);
		hex(f, c->img + SZB, last - SZB);
		fprintf(f, "\n");
	}
}

static void print_script(FILE *f, const struct tcase *c)
{
	int i;

	fprintf(f, "script bpf:");
	for (i = 0; i < c->nk; i++) {
		const struct fake_answer *a = &c->k[i];

		if (a->kind == FA_ERR)
			fprintf(f, " [-1 %s", errname(a->val));
		else if (a->kind == FA_RET)
			fprintf(f, " [%d", a->val);
		else
			fprintf(f, " [default %d", FAKE_DEFAULT_RET);
		if (a->wb_off >= 0)
			fprintf(f, " wb@%d=0x%x", a->wb_off, a->wb_val);
		if (a->fill)
			fprintf(f, " fill %d", a->fill);
		if (a->mkpin)
			fprintf(f, " mkpin");
		fprintf(f, "]");
	}
	fprintf(f, " then default %d; dup:", FAKE_DEFAULT_RET);
	for (i = 0; i < c->nd; i++) {
		if (c->d[i].kind == FD_ERR)
			fprintf(f, " [-1 %s]", errname(c->d[i].val));
		else if (c->d[i].kind == FD_OK)
			fprintf(f, " [%d]", c->d[i].val);
		else
			fprintf(f, " [default]");
	}
	fprintf(f, " then %d+n\n", FAKE_DUP_BASE);
}

static void print_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '\n')
			fputs("\\n", f);
		else if (ch == '\\')
			fputs("\\\\", f);
		else if (ch < 32 || ch >= 127)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
}

static void print_str(FILE *f, const struct fake_rec *r)
{
	fputc('"', f);
	print_escaped(f, r->str);
	fputc('"', f);
	if (r->plen >= FAKE_STR_MAX - 1)
		fprintf(f, "...(len %u)", r->plen);
}

static void print_recs(FILE *f, int from)
{
	int i;

	for (i = from; i < S->fk.nrec; i++) {
		const struct fake_rec *r = &S->fk.rec[i];

		switch (r->kind) {
		case REC_BPF:
			fprintf(f, "bpf cmd=%ld(%s) size=%ld attr=", r->a, cmdname(r->a), r->c);
			if (r->pkind == PS_HEAP || r->pkind == PS_UNREADABLE) {
				/* a heap pointer: its address differs between the runs */
				fprintf(f, "<pathname>");
				hex(f, r->bytes + 8, r->nbytes - 8);
			} else {
				hex(f, r->bytes, r->nbytes);
			}
			if (r->pkind == PS_NULL)
				fprintf(f, " pathname=NULL");
			else if (r->pkind == PS_UNREADABLE)
				fprintf(f, " pathname=unreadable");
			else if (r->pkind) {
				fprintf(f, " pathname=%s ", r->pkind == PS_REGION ? "region" : "heap");
				print_str(f, r);
			}
			if (r->fake < 0)
				fprintf(f, " (stand-in pin failed: errno %d)", -r->fake);
			break;
		case REC_MKDIR:
			fprintf(f, "mkdir ");
			print_str(f, r);
			fprintf(f, " mode=0%lo", r->a);
			break;
		case REC_STATFS:
			fprintf(f, "statfs ");
			print_str(f, r);
			break;
		case REC_UNLINK:
			fprintf(f, "unlink ");
			print_str(f, r);
			break;
		case REC_CB:
			if (r->a == 1)
				fprintf(f, "callback detach(L%ld) fd=%ld -> %ld\n", r->b, r->c, r->ret);
			else
				fprintf(f, "callback dealloc(L%ld)\n", r->b);
			continue;
		case REC_FCNTL:
			fprintf(f, "fcntl fd=%ld%s cmd=%ld%s arg=%ld", r->a, r->fake ? "(fake)" : "",
				r->b, r->b == 1030 ? "(F_DUPFD_CLOEXEC)" : "", r->c);
			break;
		case REC_CLOSE:
			fprintf(f, "close fd=%ld%s", r->a, r->fake ? "(fake)" : "");
			break;
		case REC_SYSCALL:
			fprintf(f, "syscall nr=%ld arg1=%ld", r->a, r->b);
			break;
		}
		fprintf(f, " -> %ld", r->ret);
		if (r->ret < 0)
			fprintf(f, " errno %d(%s)", r->err, errname(r->err));
		if (r->kind == REC_STATFS && r->ret == 0)
			fprintf(f, " f_type=0x%lx%s", r->b,
				(unsigned long)r->b == 0xcafe4a11ul ? "(BPF_FS_MAGIC)"
				: (unsigned long)r->b == 0x01021994ul ? "(TMPFS_MAGIC)" : "");
		fprintf(f, "\n");
	}
}

static void print_msgs(FILE *f, int from)
{
	int i;

	for (i = from; i < S->nmsg; i++) {
		fprintf(f, "msg%s %d \"", S->cbid[i] == 2 ? "(cb2)" : "", S->lvl[i]);
		print_escaped(f, S->msg[i]);
		fprintf(f, "\"\n");
	}
}

static void print_result_obj(FILE *f, const struct tcase *c, int status);

static void print_result(FILE *f, const struct tcase *c, int status)
{
	if (c->fn >= F_OBJ) {
		print_result_obj(f, c, status);
		return;
	}
	print_recs(f, 0);
	if (S->fk.rec_lost)
		fprintf(f, "records lost %d\n", S->fk.rec_lost);
	print_msgs(f, 0);
	if (S->msg_lost)
		fprintf(f, "messages lost %d\n", S->msg_lost);

	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
		fprintf(f, "result timeout\n");
		return;
	}
	if (WIFSIGNALED(status)) {
		fprintf(f, "result crashed signal %d\n", WTERMSIG(status));
		return;
	}
	if (!S->returned || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(f, "result child failed status 0x%x\n", status);
		return;
	}
	fprintf(f, "result ret %ld errno %d(%s)\n", S->ret, S->err, errname(S->err));
	if (c->fn == F_GET_NEXT_ID && c->p1)
		fprintf(f, "out *next_id=0x%x\n", S->next_id);
	if ((c->fn == F_LINK_GET_INFO || c->fn == F_OBJ_GET_INFO)) {
		size_t n = INFO_BUF;

		if (c->p2)
			fprintf(f, "out *info_len=%u\n", S->info_len);
		while (n > 0 && S->info[n - 1] == INFO_FILL)
			n--;
		fprintf(f, "out info[0..%zu]=", n);
		hex(f, S->info, n);
		fprintf(f, "\n");
	}
}

/* ------------------------------------------------------------------ */
/* Corpus                                                              */

static long only_case = -1;	/* --case K */
static int list_only;		/* --list: print the cases, do not run them */
static long ncase;		/* index of the next case */
static long nrun;
static FILE *out;
static int errfd = -1;	/* memfd: the stderr of F_OBJ children */
static int ns_ok;	/* private mount namespaces work here (F_OBJ cases need them: root) */
static int unrealistic;	/* --unrealistic: add the F_OBJ cases with impossible kernel answers */

static void run_case(struct tcase *c, const char *part)
{
	long idx = ncase++;
	pid_t pid;
	int status = 0;

	if (only_case >= 0 && idx != only_case)
		return;
	fprintf(out, "== case %ld [%s] %s\n", idx, part, c->desc);
	print_call(out, c);
	print_script(out, c);
	nrun++;
	if (list_only)
		return;
	if (c->fn == F_OBJ && !ns_ok) {
		fprintf(out, "result skipped (no private mount namespace: needs root)\n");
		return;
	}

	memset(S, 0, offsetof(struct shared, text));
	S->text[0] = 0;
	if (c->fn == F_OBJ && errfd >= 0) {
		/* the child's stderr (the default print callback writes there) */
		if (ftruncate(errfd, 0) || lseek(errfd, 0, SEEK_SET)) {
			perror("stderr memfd");
			exit(2);
		}
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0)
		run_child(c);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("waitpid");
			exit(2);
		}
	}
	print_result(out, c, status);
}

static struct fake_answer A_RET(int v)
{
	struct fake_answer a = { FA_RET, v, -1, 0, 0, 0 };
	return a;
}

static struct fake_answer A_ERR(int e)
{
	struct fake_answer a = { FA_ERR, e, -1, 0, 0, 0 };
	return a;
}

/* BPF_OBJ_PIN succeeds and leaves a stand-in file at the path */
static struct fake_answer A_PIN(void)
{
	struct fake_answer a = { FA_RET, 0, -1, 0, 0, 1 };
	return a;
}

static struct fake_answer A_WB(struct fake_answer a, int off, uint32_t v)
{
	a.wb_off = off;
	a.wb_val = v;
	return a;
}

static struct fake_dupans D_OK(int v)
{
	struct fake_dupans d = { FD_OK, v };
	return d;
}

static struct fake_dupans D_ERR(int e)
{
	struct fake_dupans d = { FD_ERR, e };
	return d;
}

static void init_case(struct tcase *c, int fn)
{
	memset(c, 0, sizeof(*c));
	c->fn = fn;
	c->a0 = 3;
	c->a1 = 0;
	c->p1 = c->p2 = 1;
	c->in_val = 64;
	c->nk = 1;
	c->k[0] = A_RET(5);
	if (fn == F_LINK_UPDATE || fn == F_LINK_DETACH || fn == F_OBJ_PIN ||
	    fn == F_OBJ_PIN_OPTS || fn == F_GET_NEXT_ID || fn == F_LINK_GET_INFO ||
	    fn == F_OBJ_GET_INFO)
		c->k[0] = A_RET(0);
	if (fn == F_GET_NEXT_ID)
		c->k[0] = A_WB(A_RET(0), 4, 42);
	if (fn == F_LINK_GET_INFO || fn == F_OBJ_GET_INFO) {
		c->k[0] = A_WB(A_RET(0), 4, 48);
		c->k[0].fill = 48;
	}
}

/* sz as the target's size_t holds it (on 32-bit targets 1 << 40 is 0) */
static void set_opts(struct tcase *c, uint64_t sz)
{
	c->has_opts = 1;
	c->sz = (size_t)sz;
}

/* v as a native-endian field of `size` bytes (1, 2, 4 or 8) */
static void put(struct tcase *c, int off, int size, uint64_t v)
{
	uint8_t b8 = (uint8_t)v;
	uint16_t b16 = (uint16_t)v;
	uint32_t b32 = (uint32_t)v;

	switch (size) {
	case 1: memcpy(c->img + off, &b8, 1); break;
	case 2: memcpy(c->img + off, &b16, 2); break;
	case 4: memcpy(c->img + off, &b32, 4); break;
	case 8: memcpy(c->img + off, &v, 8); break;
	default: break;	/* a field this target does not have */
	}
}

static void desc(struct tcase *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->desc, sizeof(c->desc), fmt, ap);
	va_end(ap);
}

/* A recognisable non-zero value for a field. */
static uint64_t field_value(const struct fld *f)
{
	if (f->ptr && f->off == LC(iter_info))
		return RADDR(0x800);
	if (f->size == 8)
		return 0x1122334455660000ull | (uint64_t)f->off;
	return 0x100u + (uint32_t)f->off;
}

static const uint32_t ALL_TYPES_EXTRA[] = { 59, 100, 0xffffffffu };

static int n_types(void)
{
	return 59 + NF(ALL_TYPES_EXTRA);
}

static uint32_t type_at(int i)
{
	return i < 59 ? (uint32_t)i : ALL_TYPES_EXTRA[i - 59];
}

static const uint64_t SIZES[] = {
	0, 1, 7, 8, 9, 11, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64, 68,
	72, 76, 77, 80, 81, 88, 96, 128, 4096, 1ull << 40, (1ull << 63) + 100, 1ull << 63,
	~0ull, (1ull << 63) - 1,
#if SIZE_MAX <= 0xffffffffu
	/* a 4-byte sz: just sz, one byte more; the struct's end +- 1 */
	3, 4, 5, 47, 49, 0xffffffffu, 0x80000000u,
#endif
};

static void far_bytes(int fn);

static void fixed_link_create(void)
{
	struct tcase c;
	int ti, i;

	for (ti = 0; ti < n_types(); ti++) {
		uint32_t t = type_at(ti);

		init_case(&c, F_LINK_CREATE);
		c.a2 = t;
		desc(&c, "type %u opts NULL", t);
		run_case(&c, "fixed");

		init_case(&c, F_LINK_CREATE);
		c.a2 = t;
		c.a1 = 4;
		set_opts(&c, LC_SIZE);
		desc(&c, "type %u opts zero sz %d", t, LC_SIZE);
		run_case(&c, "fixed");

		for (i = 0; i < NF(F_CREATE); i++) {
			if (!F_CREATE[i].size)
				continue;
			init_case(&c, F_LINK_CREATE);
			c.a2 = t;
			c.a1 = 4;
			set_opts(&c, LC_SIZE);
			put(&c, F_CREATE[i].off, F_CREATE[i].size, field_value(&F_CREATE[i]));
			desc(&c, "type %u field %s", t, F_CREATE[i].name);
			run_case(&c, "fixed");
		}
		/* the same fields again, as single bytes at the far end */
		for (i = 0; i < NF(F_CREATE); i++) {
			if (!F_CREATE[i].size)
				continue;
			init_case(&c, F_LINK_CREATE);
			c.a2 = t;
			c.a1 = 4;
			set_opts(&c, LC_SIZE);
			/* the most significant byte */
			c.img[F_CREATE[i].off + (BIG_ENDIAN_HOST ? 0 : F_CREATE[i].size - 1)] = 0x80;
			desc(&c, "type %u top byte of %s", t, F_CREATE[i].name);
			run_case(&c, "fixed");
		}

		/* conflicting pairs */
		{
			static const struct { int o1, s1, o2, s2; const char *name; } P[] = {
				{ LC(iter_info_len), 4, LC(target_btf_id), 4, "iter_info_len+target_btf_id" },
				{ LC(tcx.relative_fd), 4, LC(tcx.relative_id), 4, "relative_fd+relative_id" },
				{ LC(target_btf_id), 4, LC(tracing.cookie), 8, "target_btf_id+tracing.cookie" },
				{ LC(target_btf_id), 4, LC(tcx.expected_revision), 8, "target_btf_id+u64 union+8" },
				{ LC(iter_info_len), 4, LC(perf_event.bpf_cookie), 8, "iter_info_len+bpf_cookie" },
				{ LC(flags), 4, LC(flags) + 4, 4, "flags+the 4 bytes after it" },
				{ LC(flags) + 4, 4, LC(flags) + 5, 1, "the 4 bytes after flags, 1st and 2nd" },
				{ LC_END, 1, LC_END + 3, 1, "bytes 0 and 3 after __last_field" },
				{ LC(tcx.relative_id), 4, LC(uprobe_multi.pid), 4, "relative_id+pid" },
				{ LC(iter_info), PTR, LC(iter_info_len), 4, "iter_info+iter_info_len" },
			};
			for (i = 0; i < NF(P); i++) {
				init_case(&c, F_LINK_CREATE);
				c.a2 = t;
				c.a1 = 4;
				set_opts(&c, LC_SIZE);
				put(&c, P[i].o1, P[i].s1, 0x11);
				put(&c, P[i].o2, P[i].s2, 0x22);
				desc(&c, "type %u pair %s", t, P[i].name);
				run_case(&c, "fixed");
			}
			/* every byte of the struct set */
			init_case(&c, F_LINK_CREATE);
			c.a2 = t;
			set_opts(&c, LC_SIZE);
			for (i = SZB; i < LC_SIZE; i++)
				c.img[i] = (uint8_t)(i * 37 + 11);
			desc(&c, "type %u all bytes %d..%d set", t, SZB, LC_SIZE);
			run_case(&c, "fixed");
			/* everything but the 76..80 tail */
			init_case(&c, F_LINK_CREATE);
			c.a2 = t;
			set_opts(&c, LC_SIZE);
			for (i = SZB; i < LC_END; i++)
				c.img[i] = (uint8_t)(i * 37 + 11);
			desc(&c, "type %u all bytes %d..%d set", t, SZB, LC_END);
			run_case(&c, "fixed");
			/* a whole union set, no iter/btf fields */
			init_case(&c, F_LINK_CREATE);
			c.a2 = t;
			c.a1 = 4;
			set_opts(&c, LC_SIZE);
			put(&c, LC(flags), 4, 0x2008);
			for (i = LC(perf_event); i < LC_END; i++)
				c.img[i] = (uint8_t)(i * 13 + 1);
			desc(&c, "type %u flags + union bytes %d..%d set", t, LC(perf_event), LC_END);
			run_case(&c, "fixed");
		}

		/* kernel answers */
		{
			struct {
				struct fake_answer k0, k1;
				int nk;
				struct fake_dupans d0;
				int nd;
				int target_fd, opts_kind;	/* 0 NULL, 1 zero sz LC_SIZE, 2 flags set, 3 cookie set, 4 sz SZB */
				const char *name;
			} K[] = {
				{ A_RET(0), {0}, 1, {0}, 0, 0, 1, "fd 0" },
				{ A_RET(1), {0}, 1, D_OK(9), 1, 0, 1, "fd 1 dup to 9" },
				{ A_RET(2), {0}, 1, {0}, 0, 0, 0, "fd 2, opts NULL" },
				{ A_RET(0), {0}, 1, D_ERR(EMFILE), 1, 0, 1, "fd 0, dup fails EMFILE" },
				{ A_RET(2), A_RET(6), 2, D_ERR(EINVAL), 1, 0, 1, "fd 2, dup fails EINVAL" },
				{ A_ERR(EINVAL), A_RET(6), 2, {0}, 0, 0, 1, "EINVAL then fd 6" },
				{ A_ERR(EINVAL), A_RET(6), 2, {0}, 0, 0, 0, "EINVAL then fd 6, opts NULL" },
				{ A_ERR(EINVAL), A_RET(6), 2, {0}, 0, 0, 4, "EINVAL then fd 6, opts sz 8" },
				{ A_ERR(EINVAL), A_ERR(EPERM), 2, {0}, 0, 0, 1, "EINVAL then EPERM" },
				{ A_ERR(EINVAL), A_ERR(EINVAL), 2, {0}, 0, 0, 0, "EINVAL then EINVAL" },
				{ A_ERR(EINVAL), A_RET(0), 2, {0}, 0, 0, 1, "EINVAL then fd 0" },
				{ A_ERR(EINVAL), A_RET(1), 2, D_ERR(EMFILE), 1, 0, 1, "EINVAL then fd 1, dup fails" },
				{ A_ERR(EINVAL), A_RET(6), 2, {0}, 0, 4, 1, "EINVAL then fd 6, target_fd 4" },
				{ A_ERR(EINVAL), A_RET(6), 2, {0}, 0, -1, 1, "EINVAL then fd 6, target_fd -1" },
				{ A_ERR(EINVAL), A_RET(6), 2, {0}, 0, 0, 2, "EINVAL then fd 6, flags set" },
				{ A_ERR(EINVAL), A_RET(6), 2, {0}, 0, 0, 3, "EINVAL then fd 6, cookie set" },
				{ A_ERR(EPERM), A_RET(6), 2, {0}, 0, 0, 1, "EPERM" },
				{ A_ERR(EBADF), A_RET(6), 2, {0}, 0, 0, 1, "EBADF" },
				{ A_ERR(E2BIG), A_RET(6), 2, {0}, 0, 0, 1, "E2BIG" },
				{ A_ERR(0), A_RET(6), 2, {0}, 0, 0, 1, "-1 with errno 0" },
				{ A_RET(0x7fffffff), {0}, 1, {0}, 0, 0, 1, "fd INT_MAX" },
			};
			for (i = 0; i < NF(K); i++) {
				init_case(&c, F_LINK_CREATE);
				c.a2 = t;
				c.a1 = K[i].target_fd;
				c.k[0] = K[i].k0;
				c.k[1] = K[i].k1;
				c.nk = K[i].nk;
				c.d[0] = K[i].d0;
				c.nd = K[i].nd;
				if (K[i].opts_kind)
					set_opts(&c, K[i].opts_kind == 4 ? SZB : LC_SIZE);
				if (K[i].opts_kind == 2)
					put(&c, LC(flags), 4, 0x4);
				if (K[i].opts_kind == 3)
					put(&c, LC(perf_event.bpf_cookie), 8, 77);
				desc(&c, "type %u kernel %s", t, K[i].name);
				run_case(&c, "fixed");
			}
		}
	}

	/* sz matrix */
	{
		static const uint32_t TY[] = { 0, 24, 28, 37, 41, 42, 45, 46, 48, 54, 58, 100 };
		int si, ti2, tail;

		for (ti2 = 0; ti2 < NF(TY); ti2++)
			for (si = 0; si < NF(SIZES); si++)
				for (tail = 0; tail < 7; tail++) {
					static const char *TN[] = {
						"zero", "struct bytes set", "byte end+1", "byte sizeof",
						"byte sizeof+4", "byte 200", "all 256 bytes"
					};
					init_case(&c, F_LINK_CREATE);
					c.a2 = TY[ti2];
					set_opts(&c, SIZES[si]);
					switch (tail) {
					case 1:
						for (i = SZB; i < LC_END; i++)
							c.img[i] = (uint8_t)(i * 37 + 11);
						break;
					case 2: c.img[LC_END + 1] = 1; break;
					case 3: c.img[LC_SIZE] = 1; break;
					case 4: c.img[LC_SIZE + 4] = 0x40; break;
					case 5: c.img[200] = 0x42; break;
					case 6:
						for (i = SZB; i < IMG; i++)
							c.img[i] = (uint8_t)(i * 37 + 11);
						break;
					}
					desc(&c, "type %u sz %" PRIu64 " tail %s", TY[ti2], SIZES[si], TN[tail]);
					run_case(&c, "fixed");
				}
		/* placement: the struct ends at the unmapped page */
		for (ti2 = 0; ti2 < NF(TY); ti2++)
			for (si = 0; si < NF(SIZES); si++) {
				static const int KS[] = { 8, 16, LC_SIZE, LC_SIZE + 8, 128 };
				int ki;

				for (ki = 0; ki < NF(KS); ki++) {
					uint64_t sz = (size_t)SIZES[si];
					uint64_t need = sz < (uint64_t)LC_SIZE ? sz : (uint64_t)LC_SIZE;
					int tight = need < 8 ? 8 : (int)((need + 7) & ~7ull);

					int k = sz <= (uint64_t)LC_SIZE ? tight : KS[ki];

					/* the caller's struct (min(sz, sizeof) bytes) is always readable */
					if (sz <= (uint64_t)LC_SIZE ? ki != 0 : KS[ki] < LC_SIZE)
						continue;
					for (tail = 0; tail < 2; tail++) {
						init_case(&c, F_LINK_CREATE);
						c.a2 = TY[ti2];
						c.place = k;
						set_opts(&c, sz);
						if (tail)
							c.img[k - 1] = 0x10;
						desc(&c, "type %u sz %" PRIu64 " mapped %d%s", TY[ti2], sz,
						     k, tail ? " last mapped byte set" : "");
						run_case(&c, "fixed");
					}
				}
			}
		/* misaligned opts pointer */
		for (ti2 = 0; ti2 < NF(TY); ti2++)
			for (tail = 1; tail < 8; tail++) {
				init_case(&c, F_LINK_CREATE);
				c.a2 = TY[ti2];
				c.mis = tail;
				set_opts(&c, tail & 1 ? LC_SIZE : LC_SIZE + 8);
				put(&c, LC(flags), 4, 0x8);
				put(&c, LC(perf_event.bpf_cookie), 8, 0x1234);
				if (tail == 3)
					c.img[LC_END + 1] = 1;
				desc(&c, "type %u opts misaligned by %d", TY[ti2], tail);
				run_case(&c, "fixed");
			}
	}
	far_bytes(F_LINK_CREATE);
}

/* A non-zero byte far in a long zero tail (pages away from the struct). */
static void far_bytes(int fn)
{
	static const uint32_t FAR[] = { OFF_OPTS + 0xfff, OFF_OPTS + 0x1000, 0x8123, R_SIZE - 1 };
	struct tcase c;
	int i, j, m;

	for (i = 0; i < NF(FAR); i++)
		for (m = 0; m < 2; m++)
			for (j = 0; j < 4; j++) {
				uint32_t rel = FAR[i] - OFF_OPTS - (m ? 3 : 0);
				uint64_t sz = j == 0 ? 1ull << 40 : j == 1 ? rel : j == 2 ? rel + 1 :
					      (1ull << 63) - 1;

				init_case(&c, fn);
				c.a2 = 37;
				c.mis = m ? 3 : 0;
				c.far = FAR[i];
				set_opts(&c, sz);
				desc(&c, "far byte at R+0x%x, sz %" PRIu64 "%s", FAR[i], sz,
				     m ? " misaligned" : "");
				run_case(&c, "fixed");
			}
}

static void fixed_update(void)
{
	static const uint64_t SZ[] = { 0, 7, 8, 12, 16, 17, 20, 24, 28, 32, 4096, 1ull << 40,
				       (1ull << 63) + 100, ~0ull,
#if SIZE_MAX <= 0xffffffffu
				       3, 4, 5, 0xffffffffu,
#endif
	};
	static const int KI[][2] = { { 0, 0 }, { LU(flags), 4 }, { LU(old_prog_fd), 9 },
				     { LU(old_map_fd), 10 }, { LU(old_prog_fd), -1 },
				     { LU_END, 1 }, { LU_SIZE, 1 } };
	struct tcase c;
	int i, j, both;

	for (i = 0; i < NF(SZ); i++)
		for (j = 0; j < NF(KI); j++)
			for (both = 0; both < 2; both++) {
				init_case(&c, F_LINK_UPDATE);
				c.a0 = 5;
				c.a1 = 6;
				set_opts(&c, SZ[i]);
				if (KI[j][0])
					put(&c, KI[j][0], 4, (uint32_t)KI[j][1]);
				if (both) {
					put(&c, LU(old_prog_fd), 4, 9);
					put(&c, LU(old_map_fd), 4, 10);
				}
				desc(&c, "sz %" PRIu64 " field@%d=%d%s", SZ[i], KI[j][0], KI[j][1],
				     both ? " + old_prog_fd and old_map_fd" : "");
				run_case(&c, "fixed");
			}
	{
		static const int FDS[][2] = { { 5, 6 }, { -1, 6 }, { 0, 0 }, { 5, -1 } };
		struct fake_answer K[] = { A_RET(0), A_RET(7), A_ERR(EINVAL), A_ERR(EPERM),
					   A_ERR(EBADF), A_RET(0) };

		for (i = 0; i < NF(FDS); i++)
			for (j = 0; j < NF(K); j++) {
				init_case(&c, F_LINK_UPDATE);
				c.a0 = FDS[i][0];
				c.a1 = FDS[i][1];
				c.k[0] = K[j];
				if (j == 5) {
					set_opts(&c, LU_SIZE);
					put(&c, LU(flags), 4, 4);
					put(&c, LU(old_prog_fd), 4, 6);
				}
				desc(&c, "fds %d %d answer %d%s", FDS[i][0], FDS[i][1], j,
				     j == 5 ? " BPF_F_REPLACE old_prog_fd 6" : "");
				run_case(&c, "fixed");
			}
	}
}

static void fixed_simple(void)
{
	static const int FDS[] = { -1, 0, 3, 5, 0x7fffffff };
	struct tcase c;
	int i, j;

	for (i = 0; i < NF(FDS); i++) {
		struct fake_answer K[] = { A_RET(0), A_ERR(EINVAL), A_ERR(EBADF),
					   A_ERR(EOPNOTSUPP), A_RET(7) };
		for (j = 0; j < NF(K); j++) {
			init_case(&c, F_LINK_DETACH);
			c.a0 = FDS[i];
			c.k[0] = K[j];
			desc(&c, "link_fd %d answer %d", FDS[i], j);
			run_case(&c, "fixed");
		}
	}
	for (i = 0; i < NF(FDS); i++) {
		struct { struct fake_answer k; struct fake_dupans d; int nd; } K[] = {
			{ A_RET(5), {0}, 0 }, { A_RET(0), {0}, 0 }, { A_RET(1), D_ERR(EMFILE), 1 },
			{ A_RET(2), D_OK(3), 1 }, { A_ERR(EINVAL), {0}, 0 }, { A_ERR(EBADF), {0}, 0 },
		};
		for (j = 0; j < NF(K); j++) {
			init_case(&c, F_ITER_CREATE);
			c.a0 = FDS[i];
			c.k[0] = K[j].k;
			c.d[0] = K[j].d;
			c.nd = K[j].nd;
			desc(&c, "link_fd %d answer %d", FDS[i], j);
			run_case(&c, "fixed");
		}
	}
	/* get_next_id */
	{
		static const uint32_t IDS[] = { 0, 1, 0xffffffffu };
		struct fake_answer K[] = {
			A_WB(A_RET(0), 4, 42), A_RET(0), A_WB(A_ERR(ENOENT), 4, 43),
			A_ERR(EPERM), A_WB(A_RET(3), 4, 44), A_WB(A_RET(0), 0, 45),
			A_WB(A_RET(0), 8, 46),
		};
		int p;

		for (i = 0; i < NF(IDS); i++)
			for (p = 0; p < 2; p++)
				for (j = 0; j < NF(K); j++) {
					init_case(&c, F_GET_NEXT_ID);
					c.a0 = IDS[i];
					c.p1 = p;
					c.k[0] = K[j];
					desc(&c, "start %u next_id %s answer %d", IDS[i],
					     p ? "valid" : "NULL", j);
					run_case(&c, "fixed");
				}
	}
	/* get_fd_by_id */
	{
		static const uint32_t IDS[] = { 0, 1, 0xffffffffu };
		struct { struct fake_answer k; struct fake_dupans d; int nd; } K[] = {
			{ A_RET(5), {0}, 0 }, { A_RET(0), {0}, 0 }, { A_RET(2), D_ERR(EMFILE), 1 },
			{ A_ERR(ENOENT), {0}, 0 }, { A_ERR(EPERM), {0}, 0 },
		};
		for (i = 0; i < NF(IDS); i++)
			for (j = 0; j < NF(K); j++) {
				init_case(&c, F_GET_FD_BY_ID);
				c.a0 = IDS[i];
				c.k[0] = K[j].k;
				c.d[0] = K[j].d;
				c.nd = K[j].nd;
				desc(&c, "id %u answer %d", IDS[i], j);
				run_case(&c, "fixed");
			}
	}
	/* info */
	{
		static const uint32_t LENS[] = { 0, 64, 0xffffffffu };
		struct fake_answer K[] = {
			A_WB(A_RET(0), 4, 48), A_RET(0), A_ERR(EINVAL), A_WB(A_ERR(E2BIG), 4, 8),
			A_WB(A_RET(1), 4, 16), A_ERR(EBADF),
		};
		int fi, fnk, pi, pl, li;

		for (fnk = 0; fnk < 2; fnk++)
			for (fi = 0; fi < 2; fi++)
				for (pi = 0; pi < 2; pi++)
					for (pl = 0; pl < 2; pl++)
						for (li = 0; li < NF(LENS); li++)
							for (j = 0; j < NF(K); j++) {
								if (!pl && li)
									continue;
								init_case(&c, fnk ? F_OBJ_GET_INFO : F_LINK_GET_INFO);
								c.a0 = fi ? 5 : -1;
								c.p1 = pi;
								c.p2 = pl;
								c.in_val = LENS[li];
								c.k[0] = K[j];
								c.k[0].fill = j == 0 || j == 4 ? 48 : 0;
								desc(&c, "fd %d info %s info_len %s answer %d",
								     fi ? 5 : -1, pi ? "buf" : "NULL",
								     pl ? "ptr" : "NULL", j);
								run_case(&c, "fixed");
							}
	}
	/* raw_tracepoint_open */
	{
		static const int PFD[] = { -1, 0, 3 };
		struct { struct fake_answer k; struct fake_dupans d; int nd; } K[] = {
			{ A_RET(5), {0}, 0 }, { A_RET(0), {0}, 0 }, { A_RET(1), D_ERR(EMFILE), 1 },
			{ A_ERR(EINVAL), {0}, 0 }, { A_ERR(ENOENT), {0}, 0 },
		};
		int p;

		for (p = 0; p < 2; p++)
			for (i = 0; i < NF(PFD); i++)
				for (j = 0; j < NF(K); j++) {
					init_case(&c, F_RAW_TP_OPEN);
					c.a0 = PFD[i];
					c.p1 = p;
					c.k[0] = K[j].k;
					c.d[0] = K[j].d;
					c.nd = K[j].nd;
					desc(&c, "name %s prog_fd %d answer %d", p ? "str" : "NULL", PFD[i], j);
					run_case(&c, "fixed");
				}
	}
	/* pin / get */
	{
		static const int PFD[] = { -1, 0, 5 };
		struct fake_answer K[] = { A_RET(0), A_ERR(EEXIST), A_ERR(EPERM), A_RET(3) };
		int p;

		for (p = 0; p < 2; p++)
			for (i = 0; i < NF(PFD); i++)
				for (j = 0; j < NF(K); j++) {
					init_case(&c, F_OBJ_PIN);
					c.a0 = PFD[i];
					c.p1 = p;
					c.k[0] = K[j];
					desc(&c, "fd %d path %s answer %d", PFD[i], p ? "str" : "NULL", j);
					run_case(&c, "fixed");
				}
	}
	{
		struct { struct fake_answer k; struct fake_dupans d; int nd; } K[] = {
			{ A_RET(5), {0}, 0 }, { A_RET(0), {0}, 0 }, { A_RET(0), D_ERR(EMFILE), 1 },
			{ A_ERR(ENOENT), {0}, 0 }, { A_RET(2), D_OK(3), 1 },
		};
		int p;

		for (p = 0; p < 2; p++)
			for (j = 0; j < NF(K); j++) {
				init_case(&c, F_OBJ_GET);
				c.p1 = p;
				c.k[0] = K[j].k;
				c.d[0] = K[j].d;
				c.nd = K[j].nd;
				desc(&c, "path %s answer %d", p ? "str" : "NULL", j);
				run_case(&c, "fixed");
			}
	}
}

/* opts matrix for the small opts structs */
static void fixed_small_opts(int fn)
{
	static const uint64_t SZ[] = { 0, 1, 7, 8, 9, 12, 16, 17, 20, 24, 25, 32, 4096, 1ull << 40,
				       (1ull << 63) + 100, ~0ull, (1ull << 63) - 1,
#if SIZE_MAX <= 0xffffffffu
				       3, 4, 5, 11, 13, 0xffffffffu,
#endif
	};
	const struct okind *ok = FN[fn].ok;
	struct tcase c;
	int i, j, v, ans;

	init_case(&c, fn);
	desc(&c, "opts NULL");
	run_case(&c, "fixed");
	for (i = 0; i < NF(SZ); i++)
		for (j = -1; j <= ok->nf + 2; j++)
			for (v = 0; v < (j >= 0 && j < ok->nf ? 2 : 1); v++) {
				init_case(&c, fn);
				c.a0 = 5;
				set_opts(&c, SZ[i]);
				if (j >= 0 && j < ok->nf) {
					const struct fld *f = &ok->f[j];
					int wide = f->size == 8 || f->ptr;
					uint64_t val = v ? (wide ? RADDR(OFF_TP) : 0xffffffffu)
							 : (wide ? 0x8877665544332211ull : 0x4000);
					put(&c, f->off, f->size, val);
					desc(&c, "sz %" PRIu64 " %s=0x%" PRIx64, SZ[i], f->name, val);
				} else if (j == ok->nf) {
					int b;

					for (b = SZB; b < ok->size; b++)
						c.img[b] = (uint8_t)(b * 29 + 3);
					desc(&c, "sz %" PRIu64 " all struct bytes set", SZ[i]);
				} else if (j == ok->nf + 1) {
					c.img[ok->size] = 1;
					desc(&c, "sz %" PRIu64 " byte %d (after the struct) set", SZ[i], ok->size);
				} else if (j == ok->nf + 2) {
					c.img[ok->size + 40] = 1;
					desc(&c, "sz %" PRIu64 " byte %d set", SZ[i], ok->size + 40);
				} else {
					desc(&c, "sz %" PRIu64 " zero", SZ[i]);
				}
				run_case(&c, "fixed");
				if (j >= ok->nf)
					break;
			}
	/* answers, with full opts */
	for (ans = 0; ans < 6; ans++) {
		init_case(&c, fn);
		set_opts(&c, ok->size);
		for (j = 0; j < ok->nf; j++)
			put(&c, ok->f[j].off, ok->f[j].size,
			    ok->f[j].size == 8 || ok->f[j].ptr ? RADDR(OFF_TP) : 3);
		switch (ans) {
		case 0: c.k[0] = A_RET(0); break;
		case 1: c.k[0] = A_RET(1); break;
		case 2: c.k[0] = A_RET(2); c.d[0] = D_ERR(EMFILE); c.nd = 1; break;
		case 3: c.k[0] = A_ERR(EINVAL); break;
		case 4: c.k[0] = A_ERR(EPERM); break;
		case 5: c.k[0] = A_RET(9); break;
		}
		c.p1 = ans != 5;
		desc(&c, "full opts answer %d", ans);
		run_case(&c, "fixed");
	}
	/* the struct ends at the unmapped page */
	for (i = 0; i < NF(SZ); i++) {
		int k = ok->size;

		if (SZ[i] <= (uint64_t)ok->size)
			k = SZ[i] < 8 ? 8 : (int)((SZ[i] + 7) & ~7ull);
		init_case(&c, fn);
		set_opts(&c, SZ[i]);
		c.place = k;
		desc(&c, "sz %" PRIu64 " mapped %d", SZ[i], k);
		run_case(&c, "fixed");
	}
}

/* ------------------------------------------------------------------ */
/* The object API and the helpers                                      */
/*
 * F_OBJ: a sequence of steps on up to four links (L1..L4), made by
 * bpf_link__open (fake BPF_OBJ_GET answers) or crafted by the driver with
 * libbpf's private struct bpf_link layout (detach/dealloc callbacks that
 * record themselves), then bpf_link__fd/pin_path/pin/unpin/detach/
 * disconnect/destroy, libbpf_get_error and libbpf_set_print on them. Each
 * case runs in its own private mount namespace: a tmpfs on /tmp, a bpffs on
 * BASE/bpf and a few fixtures (PATHS). The fake kernel answers every bpf()
 * (BPF_OBJ_PIN never creates anything unless the answer says mkpin); the
 * filesystem calls are real and recorded.
 *
 * After a step that libbpf crashes on (a NULL or ERR_PTR link to __fd,
 * __pin_path, __pin, __unpin, __detach, __disconnect; a NULL path to
 * __pin), the sequence stops in both runs: bpflink's documented result for
 * that step is the last thing compared.
 */

#define BASE "/tmp/bpflink-conformance"
#define OFF_PATHS 0x1100	/* the path strings (up to OFF_OPTS) */

static const char *const PATHS[] = {
	BASE "/bpf/link",			/*  0 bpffs, the parent exists */
	BASE "/bpf/sub/link",			/*  1 */
	BASE "/bpf/new/link",			/*  2 the parent is created (0700) */
	BASE "/bpf/missing/two/link",		/*  3 two levels missing: ENOENT */
	BASE "/tmp/link",			/*  4 tmpfs: not on BPF FS */
	BASE "/tmp/new/link",			/*  5 created on tmpfs, then not on BPF FS */
	BASE "/file/link",			/*  6 a regular file as the parent */
	BASE "/file/x/link",			/*  7 ENOTDIR */
	BASE "/ro/link",			/*  8 read-only tmpfs */
	BASE "/ro/new/link",			/*  9 EROFS */
	BASE "/dangling/link",			/* 10 dangling symlink: statfs ENOENT */
	BASE "/loop/link",			/* 11 symlink loop: statfs ELOOP */
	BASE "/tobpf/link",			/* 12 symlink to the bpffs */
	"link",					/* 13 relative */
	"bpf/link",				/* 14 */
	"./bpf/sub/link",			/* 15 */
	"../bpflink-conformance/bpf/link",	/* 16 */
	"",					/* 17 */
	"/",					/* 18 */
	"//",					/* 19 */
	"///x",					/* 20 */
	"//x",					/* 21 */
	BASE "/bpf/link/",			/* 22 trailing slash */
	BASE "/bpf//sub//link",			/* 23 */
	BASE "/bpf/sub/",			/* 24 */
	BASE "/bpf",				/* 25 the mount point itself */
	BASE "/bpf/pinned",			/* 26 exists (symlink): unlink works */
	BASE "/tmp/pinned",			/* 27 exists (regular file) */
	BASE "/bpf/dir",			/* 28 a directory: unlink EISDIR */
	".",					/* 29 */
	"..",					/* 30 */
	BASE "/bpf/sub/../link",		/* 31 */
	BASE "/bpf/%s%d\\\"\t\xc3\xa9",		/* 32 format characters, escapes, UTF-8 */
	"bpf/",					/* 33 */
	"x/",					/* 34 */
	"/x",					/* 35 */
	BASE "/bpf/sub/pinned",			/* 36 exists (symlink) */
	"tmp/bpflink-conformance/bpf/link",	/* 37 relative to / */
};
#define P_LONGNAME NF(PATHS)		/* BASE/bpf/<300 x n>/link: ENAMETOOLONG */
#define P_LONGPATH (P_LONGNAME + 1)	/* longer than PATH_MAX */
#define P_LONGOK (P_LONGNAME + 2)	/* BASE/bpf/sub/<240 x p>: long but fine */
#define NPATHS (P_LONGNAME + 3)
static uint32_t path_off[NPATHS];

static const char *const CWDS[] = { BASE, BASE "/bpf", BASE "/tmp", "/" };
static const char *const ENVS[] = { NULL, "warn", "debug", "info", "DEBUG", "Info", "bogus", "" };

static void setup_paths(uint8_t *R)
{
	static char buf[4600];
	uint32_t off = OFF_PATHS;
	int i, j;

	for (i = 0; i < NPATHS; i++) {
		if (i < P_LONGNAME) {
			snprintf(buf, sizeof(buf), "%s", PATHS[i]);
		} else if (i == P_LONGNAME) {
			strcpy(buf, BASE "/bpf/");
			memset(buf + strlen(buf), 'n', 300);
			strcpy(buf + strlen(BASE "/bpf/") + 300, "/link");
		} else if (i == P_LONGPATH) {
			strcpy(buf, BASE "/bpf/");
			for (j = 0; j < 400; j++)
				strcat(buf, "d123456789/");
			strcat(buf, "link");
		} else {
			strcpy(buf, BASE "/bpf/sub/");
			memset(buf + strlen(buf), 'p', 240);
			buf[strlen(BASE "/bpf/sub/") + 240] = 0;
		}
		path_off[i] = off;
		memcpy(R + off, buf, strlen(buf) + 1);
		off += (strlen(buf) + 16) & ~15u;
	}
	if (off > OFF_OPTS) {
		fprintf(stderr, "driver: the path strings do not fit below OFF_OPTS\n");
		exit(2);
	}
}

static const char *path_ptr(int i)
{
	return i < 0 ? NULL : (const char *)(R_BASE + path_off[i]);
}

static void print_path(FILE *f, int i)
{
	const char *p = path_ptr(i);
	char tmp[96];

	if (!p) {
		fprintf(f, "NULL");
		return;
	}
	fprintf(f, "P%d \"", i);
	if (strlen(p) > 80) {
		snprintf(tmp, sizeof(tmp), "%.80s", p);
		print_escaped(f, tmp);
		fprintf(f, "...\"(len %zu)", strlen(p));
	} else {
		print_escaped(f, p);
		fputc('"', f);
	}
}

/* The private mount namespace of an F_OBJ case: a fresh tmpfs is the root
 * (chroot), so that nothing a library does with a path ("/x", "link" from
 * "/", ...) can reach the host's filesystem; BASE/bpf is a bpffs. */
static int setup_ns(char *why, size_t n)
{
	static const char *const DIRS[] = {
		BASE, BASE "/bpf", BASE "/tmp", BASE "/ro",
	};
	int i, fd;

#define NS_FAIL(what) do { snprintf(why, n, "%s: %s", what, strerror(errno)); return -1; } while (0)
	if (unshare(CLONE_NEWNS))
		NS_FAIL("unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		NS_FAIL("mount --make-rprivate /");
	if (mount("bpflink-conformance", "/tmp", "tmpfs", 0, "mode=0755,size=4m"))
		NS_FAIL("mount tmpfs on /tmp");
	if (chroot("/tmp") || chdir("/"))
		NS_FAIL("chroot into the tmpfs");
	if (mkdir("/tmp", 0755))
		NS_FAIL("/tmp");
	for (i = 0; i < NF(DIRS); i++)
		if (mkdir(DIRS[i], 0755))
			NS_FAIL(DIRS[i]);
	if (mount("bpf", BASE "/bpf", "bpf", 0, NULL))
		NS_FAIL("mount bpffs");
	if (mkdir(BASE "/bpf/sub", 0755) || mkdir(BASE "/bpf/dir", 0755) ||
	    symlink("fakepin", BASE "/bpf/pinned") || symlink("fakepin", BASE "/bpf/sub/pinned"))
		NS_FAIL("bpffs fixtures");
	fd = open(BASE "/tmp/pinned", O_CREAT | O_WRONLY, 0644);
	if (fd < 0 || close(fd))
		NS_FAIL("tmp/pinned");
	fd = open(BASE "/file", O_CREAT | O_WRONLY, 0644);
	if (fd < 0 || close(fd))
		NS_FAIL("file");
	if (mount("ro", BASE "/ro", "tmpfs", MS_RDONLY, "size=64k"))
		NS_FAIL("mount read-only tmpfs");
	if (symlink("missing", BASE "/dangling") || symlink("loop", BASE "/loop") ||
	    symlink("bpf", BASE "/tobpf"))
		NS_FAIL("symlinks");
	if (chdir(BASE))
		NS_FAIL("chdir");
#undef NS_FAIL
	return 0;
}

static int probe_ns(void)
{
	pid_t pid = fork();
	int status;
	char why[200];

	if (pid < 0)
		return 0;
	if (pid == 0)
		_exit(setup_ns(why, sizeof(why)) ? 1 : 0);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}


enum { DK_NONE, DK_RET0, DK_RETM1, DK_RETM22, DK_RET7, DK_ERRNO, DK_N };
static const char *const DK_NAME[] = { "NULL", "ret0", "ret-1", "ret-22", "ret7", "errno99+ret-1" };
enum { PR_NULL, PR_CB, PR_CB2, PR_DEFAULT };
static const char *const PR_NAME[] = { "NULL", "cb", "cb2", "default" };

/* the child's links */
static void *hv[NHANDLES];
static int hdead[NHANDLES];

static int handle_of(const void *p)
{
	int i;

	for (i = 0; i < NHANDLES; i++)
		if (hv[i] == p && !hdead[i])
			return i + 1;
	return 0;
}

static int cb_detach(struct craft_link *l, int kind)
{
	static const int RET[DK_N] = { 0, 0, -1, -22, 7, -1 };
	struct fake_rec *r = fake_new_rec(REC_CB);

	if (r) {
		r->a = 1;
		r->b = handle_of(l);
		r->c = l->fd;
		r->ret = RET[kind];
	}
	if (kind == DK_ERRNO)
		errno = 99;
	return RET[kind];
}
static int det_ret0(struct craft_link *l) { return cb_detach(l, DK_RET0); }
static int det_retm1(struct craft_link *l) { return cb_detach(l, DK_RETM1); }
static int det_retm22(struct craft_link *l) { return cb_detach(l, DK_RETM22); }
static int det_ret7(struct craft_link *l) { return cb_detach(l, DK_RET7); }
static int det_errno(struct craft_link *l) { return cb_detach(l, DK_ERRNO); }
static int (*const DETACH_FN[DK_N])(struct craft_link *) = {
	NULL, det_ret0, det_retm1, det_retm22, det_ret7, det_errno,
};

static void dea_cb(struct craft_link *l)
{
	struct fake_rec *r = fake_new_rec(REC_CB);

	if (r) {
		r->a = 2;
		r->b = handle_of(l);
	}
	free(l);
}

static int is_err_or_null(const void *p)
{
	return !p || (uintptr_t)p >= (uintptr_t)-4095;
}

static const char *handle_name(int h, char *buf, size_t n)
{
	switch (h) {
	case H_NULL: return "NULL";
	case H_ERR1: return "ERR_PTR(-1)";
	case H_ERR22: return "ERR_PTR(-22)";
	case H_ERR4095: return "ERR_PTR(-4095)";
	}
	snprintf(buf, n, "L%d", h + 1);
	return buf;
}

static void *handle_value(int h)
{
	switch (h) {
	case H_NULL: return NULL;
	case H_ERR1: return (void *)(intptr_t)-1;
	case H_ERR22: return (void *)(intptr_t)-22;
	case H_ERR4095: return (void *)(intptr_t)-4095;
	}
	return hv[h];
}

/* the run-time name of a link operand */
static const char *value_name(const void *p, char *buf, size_t n)
{
	if (!p)
		return "NULL";
	if (is_err_or_null(p)) {
		snprintf(buf, n, "ERR_PTR(%ld)", (long)(intptr_t)p);
		return buf;
	}
	snprintf(buf, n, "L%d", handle_of(p));
	return buf;
}

static const char *printer_name(libbpf_print_fn_t fn)
{
	if (!fn)
		return "NULL";
	if (fn == print_cb)
		return "cb";
	if (fn == print_cb2)
		return "cb2";
	if (fn == default_printer)
		return "default";
	return "other";
}

static const char *const OP_FN[] = {
	[OP_OPEN] = "bpf_link__open", [OP_CRAFT] = "craft", [OP_FD] = "bpf_link__fd",
	[OP_PIN_PATH] = "bpf_link__pin_path", [OP_PIN] = "bpf_link__pin",
	[OP_UNPIN] = "bpf_link__unpin", [OP_DETACH] = "bpf_link__detach",
	[OP_DISCONNECT] = "bpf_link__disconnect", [OP_DESTROY] = "bpf_link__destroy",
	[OP_GET_ERROR] = "libbpf_get_error", [OP_SET_PRINT] = "libbpf_set_print",
	[OP_SETENV] = "setenv", [OP_CHDIR] = "chdir",
};

/* the plan line of a step */
static void print_step_plan(FILE *f, const struct step *st)
{
	char b[32];

	switch (st->op) {
	case OP_OPEN:
		fprintf(f, "L%d = bpf_link__open(path=", st->h + 1);
		print_path(f, st->path);
		fprintf(f, ")");
		break;
	case OP_CRAFT:
		fprintf(f, "L%d = craft(fd=%d, detach=%s, dealloc=%s, disconnected=%u, pin_path=", st->h + 1,
			st->fd, DK_NAME[st->det], st->dea ? "cb" : "NULL", st->disc);
		if (st->path >= 0)
			fprintf(f, "strdup(P%d))", st->path);
		else
			fprintf(f, "NULL)");
		break;
	case OP_PIN:
		fprintf(f, "bpf_link__pin(link=%s, path=", handle_name(st->h, b, sizeof(b)));
		print_path(f, st->path);
		fprintf(f, ")");
		break;
	case OP_SET_PRINT:
		fprintf(f, "libbpf_set_print(%s)", PR_NAME[st->det]);
		break;
	case OP_SETENV:
		if (ENVS[st->det])
			fprintf(f, "setenv LIBBPF_LOG_LEVEL=\"%s\"", ENVS[st->det]);
		else
			fprintf(f, "unsetenv LIBBPF_LOG_LEVEL");
		break;
	case OP_CHDIR:
		fprintf(f, "chdir \"%s\"", CWDS[st->path]);
		break;
	default:
		fprintf(f, "%s(%s=%s)", OP_FN[st->op], st->op == OP_GET_ERROR ? "ptr" : "link",
			handle_name(st->h, b, sizeof(b)));
	}
}

static void print_vals(FILE *f, const struct tcase *c, int sizes)
{
	int i;

	for (i = 0; i < c->nval; i++) {
		if (sizes && c->val[i] < 0)
			fprintf(f, "%sNULL/%" PRId64, i ? "," : "", -1 - c->val[i]);
		else if (sizes)
			fprintf(f, "%s%" PRId64, i ? "," : "", c->val[i]);
		else
			fprintf(f, "%s0x%" PRIx64, i ? "," : "", (uint64_t)c->val[i]);
	}
}

static void print_call_obj(FILE *f, const struct tcase *c)
{
	int i;

	switch (c->fn) {
	case F_OBJ:
		for (i = 0; i < c->nstep; i++) {
			fprintf(f, "call %d: ", i + 1);
			print_step_plan(f, &c->st[i]);
			fprintf(f, "\n");
		}
		break;
	case F_STRERROR:
		if (c->a1 > 1)
			fprintf(f, "call libbpf_strerror(err, buf, size) for err in %" PRId64 "..%" PRId64
				", buf/size in [", c->a0, c->a0 + c->a1 - 1);
		else
			fprintf(f, "call libbpf_strerror(err=%" PRId64 ", buf, size) for buf/size in [", c->a0);
		print_vals(f, c, 1);
		fprintf(f, "]\n");
		break;
	case F_GET_ERROR:
		fprintf(f, "call libbpf_get_error(ptr) for ptr in [");
		print_vals(f, c, 0);
		fprintf(f, "]\n");
		break;
	case F_NAMES:
		if (c->a0 == 2) {
			fprintf(f, "call libbpf_major_version(), libbpf_minor_version(), libbpf_version_string()\n");
			break;
		}
		fprintf(f, "call %s(t) for t in [",
			c->a0 ? "libbpf_bpf_link_type_str" : "libbpf_bpf_attach_type_str");
		print_vals(f, c, 0);
		fprintf(f, "]\n");
		break;
	}
}

/* The child's transcript: lines go to S->text as they are written. */
static FILE *tf;

static ssize_t text_write(void *cookie, const char *buf, size_t n)
{
	size_t room = sizeof(S->text) - 1 - S->tlen;

	(void)cookie;
	memcpy(S->text + S->tlen, buf, n < room ? n : room);
	S->tlen += n < room ? n : room;
	S->text[S->tlen] = 0;
	return (ssize_t)n;
}

static void print_state(FILE *f, int h)
{
	const struct craft_link *l;

	if (h < 0 || h >= NHANDLES || hdead[h] || is_err_or_null(hv[h]))
		return;
	l = hv[h];
	fprintf(f, "state L%d fd=%d pin_path=", h + 1, l->fd);
	if (l->pin_path) {
		fputc('"', f);
		print_escaped(f, l->pin_path);
		fputc('"', f);
	} else {
		fprintf(f, "NULL");
	}
	fprintf(f, " disconnected=%u detach=", l->disconnected);
	if (!l->detach)
		fprintf(f, "NULL");
	else {
		int k;

		for (k = 1; k < DK_N && DETACH_FN[k] != l->detach; k++)
			;
		fprintf(f, "%s", k < DK_N ? DK_NAME[k] : "library");
	}
	fprintf(f, " dealloc=%s\n", !l->dealloc ? "NULL" : l->dealloc == dea_cb ? "cb" : "library");
}

static void step_result(FILE *f, long ret, int e)
{
	fprintf(f, "result ret %ld errno %d(%s)\n", ret, e, errname(e));
}

/* Runs one step; returns 1 when the sequence must stop (libbpf crashes there). */
static int obj_step(const struct tcase *c, int i)
{
	const struct step *st = &c->st[i];
	void *lk = st->op == OP_OPEN || st->op == OP_CRAFT || st->op == OP_SETENV ||
		   st->op == OP_CHDIR || st->op == OP_SET_PRINT ? NULL : handle_value(st->h);
	int bad = is_err_or_null(lk), stop = 0, e = SENTINEL_ERRNO;
	char nb[32];
	long ret = 0;

	S->rec_mark = S->fk.nrec;
	S->msg_mark = S->nmsg;
	fprintf(tf, "step %d ", i + 1);
	switch (st->op) {
	case OP_OPEN:
		if (st->path < 0)
			fprintf(tf, "bpf_link__open(path=NULL)\n");
		else
			fprintf(tf, "bpf_link__open(path=P%d)\n", st->path);
		break;
	case OP_CRAFT:
		fprintf(tf, "craft L%d\n", st->h + 1);
		break;
	case OP_PIN:
		fprintf(tf, "bpf_link__pin(link=%s, path=", value_name(lk, nb, sizeof(nb)));
		if (st->path < 0)
			fprintf(tf, "NULL)\n");
		else
			fprintf(tf, "P%d)\n", st->path);
		break;
	case OP_SET_PRINT: case OP_SETENV: case OP_CHDIR:
		print_step_plan(tf, st);
		fprintf(tf, "\n");
		break;
	default:
		fprintf(tf, "%s(%s=%s)\n", OP_FN[st->op], st->op == OP_GET_ERROR ? "ptr" : "link",
			value_name(lk, nb, sizeof(nb)));
	}

	errno = SENTINEL_ERRNO;
	switch (st->op) {
	case OP_OPEN: {
		struct bpf_link *l = bpf_link__open(path_ptr(st->path));

		e = errno;
		hv[st->h] = l;
		hdead[st->h] = 0;
		print_recs(tf, S->rec_mark);
		print_msgs(tf, S->msg_mark);
		fprintf(tf, "result ptr %s errno %d(%s)\n", value_name(l, nb, sizeof(nb)), e, errname(e));
		print_state(tf, st->h);
		goto done;
	}
	case OP_CRAFT: {
		struct craft_link *l;

		S->fk.recording = 0;
		l = calloc(1, sizeof(*l) + 8);
		l->detach = DETACH_FN[st->det];
		l->dealloc = st->dea ? dea_cb : NULL;
		l->pin_path = st->path >= 0 ? strdup(path_ptr(st->path)) : NULL;
		l->fd = st->fd;
		l->disconnected = st->disc;
		S->fk.recording = 1;
		hv[st->h] = l;
		hdead[st->h] = 0;
		print_state(tf, st->h);
		goto done;
	}
	case OP_FD:
		ret = bpf_link__fd(lk);
		stop = bad;
		break;
	case OP_PIN_PATH: {
		const char *p = bpf_link__pin_path(lk);

		e = errno;
		print_recs(tf, S->rec_mark);
		print_msgs(tf, S->msg_mark);
		if (!p) {
			fprintf(tf, "result str NULL errno %d(%s)\n", e, errname(e));
		} else {
			fprintf(tf, "result str \"");
			print_escaped(tf, p);
			fprintf(tf, "\" (%s) errno %d(%s)\n",
				!bad && p == ((struct craft_link *)lk)->pin_path ? "the link's pin_path" : "elsewhere",
				e, errname(e));
		}
		stop = bad;
		if (!bad)
			print_state(tf, handle_of(lk) - 1);
		goto done;
	}
	case OP_PIN:
		ret = bpf_link__pin(lk, path_ptr(st->path));
		stop = bad || st->path < 0;
		break;
	case OP_UNPIN:
		ret = bpf_link__unpin(lk);
		stop = bad;
		break;
	case OP_DETACH:
		ret = bpf_link__detach(lk);
		stop = bad;
		break;
	case OP_DISCONNECT:
		bpf_link__disconnect(lk);
		e = errno;
		print_recs(tf, S->rec_mark);
		print_msgs(tf, S->msg_mark);
		fprintf(tf, "result void errno %d(%s)\n", e, errname(e));
		stop = bad;
		if (!bad)
			print_state(tf, handle_of(lk) - 1);
		goto done;
	case OP_DESTROY: {
		int h = bad ? 0 : handle_of(lk);

		ret = bpf_link__destroy(lk);
		e = errno;
		if (h)
			hdead[h - 1] = 1;
		print_recs(tf, S->rec_mark);
		print_msgs(tf, S->msg_mark);
		step_result(tf, ret, e);
		goto done;
	}
	case OP_GET_ERROR:
		/* errno as the step before left it (a failed open sets it) */
		errno = S->err;
		ret = libbpf_get_error(lk);
		break;
	case OP_SET_PRINT: {
		static libbpf_print_fn_t const FNS[] = { NULL, print_cb, print_cb2, NULL };
		libbpf_print_fn_t prev = libbpf_set_print(st->det == PR_DEFAULT ? default_printer : FNS[st->det]);

		e = errno;
		print_recs(tf, S->rec_mark);
		fprintf(tf, "result prev %s errno %d(%s)\n", printer_name(prev), e, errname(e));
		goto done;
	}
	case OP_SETENV:
		if (ENVS[st->det])
			setenv("LIBBPF_LOG_LEVEL", ENVS[st->det], 1);
		else
			unsetenv("LIBBPF_LOG_LEVEL");
		fprintf(tf, "result ok\n");
		goto done;
	case OP_CHDIR:
		ret = chdir(CWDS[st->path]);
		fprintf(tf, "result %ld\n", ret);
		goto done;
	}
	e = errno;
	print_recs(tf, S->rec_mark);
	print_msgs(tf, S->msg_mark);
	step_result(tf, ret, e);
	if (!bad && st->op != OP_GET_ERROR)
		print_state(tf, handle_of(lk) - 1);
done:
	/* libbpf_get_error(NULL) in a later step sees this errno */
	if (e != SENTINEL_ERRNO)
		S->err = e;
	S->rec_mark = S->fk.nrec;
	S->msg_mark = S->nmsg;
	return stop;
}

static void obj_strerror(const struct tcase *c)
{
	static char buf[512];
	int64_t err;
	int i, j;

	for (err = c->a0; err < c->a0 + c->a1; err++)
	for (i = 0; i < c->nval; i++) {
		int null = c->val[i] < 0;
		size_t size = (size_t)(null ? -1 - c->val[i] : c->val[i]), n = size + 8, last;
		int ret, e;

		memset(buf, 0xcc, sizeof(buf));
		errno = SENTINEL_ERRNO;
		ret = libbpf_strerror((int)err, null ? NULL : buf, size);
		e = errno;
		fprintf(tf, "err %d %s/%zu: ret %d errno %d(%s)", (int)err, null ? "NULL" : "buf", size, ret,
			e, errname(e));
		if (null) {
			fprintf(tf, "\n");
			continue;
		}
		/* the bytes up to the last one written, then how many 0xcc follow */
		for (last = n; last > 0 && (uint8_t)buf[last - 1] == 0xcc; last--)
			;
		fprintf(tf, " buf \"");
		for (j = 0; j < (int)last; j++) {
			unsigned char ch = (unsigned char)buf[j];
			int run = 0;

			while (j + run < (int)last && (uint8_t)buf[j + run] == 0xcc)
				run++;
			if (run >= 3) {
				/* untouched bytes between the text and buf[size - 1] */
				fprintf(tf, "\\xcc{%d}", run);
				j += run - 1;
			} else if (!ch)
				fputs("\\0", tf);
			else if (ch == '\\' || ch == '"')
				fprintf(tf, "\\%c", ch);
			else if (ch < 32 || ch >= 127)
				fprintf(tf, "\\x%02x", ch);
			else
				fputc(ch, tf);
		}
		fprintf(tf, "\" then 0xcc x%zu\n", n - last);
	}
}

static void obj_get_error(const struct tcase *c)
{
	static const int ERRNO_IN[] = { SENTINEL_ERRNO, 0, 1, 22, 7777, -5, INT_MAX };
	int i, j;

	for (i = 0; i < c->nval; i++) {
		const void *p = (const void *)(uintptr_t)c->val[i];

		for (j = 0; j < (p ? 1 : NF(ERRNO_IN)); j++) {
			long ret;
			int e;

			errno = ERRNO_IN[j];
			ret = libbpf_get_error(p);
			e = errno;
			fprintf(tf, "ptr 0x%" PRIx64 " errno_in %d: ret %ld errno %d(%s)\n",
				(uint64_t)c->val[i], ERRNO_IN[j], ret, e, errname(e));
		}
	}
}

static void print_name(FILE *f, const char *s, const char *again, int e)
{
	if (s) {
		fprintf(f, "\"");
		print_escaped(f, s);
		fprintf(f, "\"%s", s == again ? "" : " (a second call returned another pointer)");
	} else {
		fprintf(f, "NULL%s", again ? " (a second call returned non-NULL)" : "");
	}
	fprintf(f, " errno %d(%s)\n", e, errname(e));
}

static void obj_names(const struct tcase *c)
{
	const char *s, *again;
	int i, e;

	if (c->a0 == 2) {
		unsigned int ma, mi;

		errno = SENTINEL_ERRNO;
		ma = libbpf_major_version();
		mi = libbpf_minor_version();
		s = libbpf_version_string();
		again = libbpf_version_string();
		e = errno;
		fprintf(tf, "major %u minor %u version_string ", ma, mi);
		print_name(tf, s, again, e);
		return;
	}
	for (i = 0; i < c->nval; i++) {
		uint32_t t = (uint32_t)c->val[i];

		errno = SENTINEL_ERRNO;
		if (c->a0) {
			s = libbpf_bpf_link_type_str((enum bpf_link_type)t);
			again = libbpf_bpf_link_type_str((enum bpf_link_type)t);
		} else {
			s = libbpf_bpf_attach_type_str((enum bpf_attach_type)t);
			again = libbpf_bpf_attach_type_str((enum bpf_attach_type)t);
		}
		e = errno;
		fprintf(tf, "%u: ", t);
		print_name(tf, s, again, e);
	}
}

static void run_child_obj(const struct tcase *c)
{
	static const cookie_io_functions_t io = { .write = text_write };
	struct rlimit nocore = { 0, 0 };
	char why[200];
	int i;

	setrlimit(RLIMIT_CORE, &nocore);
	alarm(5);
	tf = fopencookie(NULL, "w", io);
	if (!tf)
		_exit(3);
	setvbuf(tf, NULL, _IONBF, 0);
	if (c->fn == F_OBJ) {
		if (setup_ns(why, sizeof(why))) {
			fprintf(tf, "setup failed: %s\n", why);
			_exit(3);
		}
		if (errfd >= 0)
			dup2(errfd, 2);
	}
	S->fk.wlo = R_BASE;
	S->fk.whi = R_BASE + R_SIZE;
	S->fk.nans = c->nk;
	for (i = 0; i < c->nk; i++)
		S->fk.ans[i] = c->k[i];
	S->fk.ndup = c->nd;
	for (i = 0; i < c->nd; i++)
		S->fk.dup[i] = c->d[i];
	S->fk.realistic = !c->unreal;
	S->err = SENTINEL_ERRNO;
	S->fk.active = 1;
	S->fk.recording = 1;
	switch (c->fn) {
	case F_OBJ:
		for (i = 0; i < c->nstep; i++)
			if (obj_step(c, i)) {
				if (i + 1 < c->nstep)
					fprintf(tf, "skipped steps %d..%d (libbpf crashes in the step above)\n",
						i + 2, c->nstep);
				break;
			}
		break;
	case F_STRERROR:
		obj_strerror(c);
		break;
	case F_GET_ERROR:
		obj_get_error(c);
		break;
	case F_NAMES:
		obj_names(c);
		break;
	}
	S->fk.recording = 0;
	S->fk.active = 0;
	if (S->fk.rec_lost)
		fprintf(tf, "records lost %d\n", S->fk.rec_lost);
	if (S->msg_lost)
		fprintf(tf, "messages lost %d\n", S->msg_lost);
	S->returned = 1;
	_exit(0);
}

static void print_result_obj(FILE *f, const struct tcase *c, int status)
{
	fputs(S->text, f);
	if (!S->returned || !WIFEXITED(status) || WEXITSTATUS(status)) {
		/* what the crashed step did before it died */
		print_recs(f, S->rec_mark);
		print_msgs(f, S->msg_mark);
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
			fprintf(f, "result timeout\n");
		else if (WIFSIGNALED(status))
			fprintf(f, "result crashed signal %d\n", WTERMSIG(status));
		else
			fprintf(f, "result child failed status 0x%x\n", status);
	}
	if (c->fn == F_OBJ && errfd >= 0) {
		char buf[2048];
		ssize_t n = pread(errfd, buf, sizeof(buf) - 1, 0);

		if (n > 0) {
			char *q;

			buf[n] = 0;
			/* qemu-user's own report of the child's fatal signal (the
			 * cross runs): the emulator's, not the program's output */
			while ((q = strstr(buf, "qemu: uncaught target signal")) != NULL) {
				char *eol = strchr(q, '\n');

				memmove(q, eol ? eol + 1 : q + strlen(q), strlen(eol ? eol + 1 : q + strlen(q)) + 1);
				n = (ssize_t)strlen(buf);
			}
		}
		if (n > 0) {
			fprintf(f, "stderr \"");
			print_escaped(f, buf);
			fprintf(f, "\"\n");
			/* a sanitizer's report (instrumented builds) belongs on our stderr too */
			if (strstr(buf, "Sanitizer") || strstr(buf, "runtime error:"))
				fprintf(stderr, "case %ld (stderr of the child):\n%s\n", ncase - 1, buf);
		}
	}
}

/* ---- building F_OBJ cases ---- */

static struct step *add_step(struct tcase *c, int op, int h)
{
	struct step *st = &c->st[c->nstep++];

	memset(st, 0, sizeof(*st));
	st->op = (int8_t)op;
	st->h = (int8_t)h;
	st->path = -1;
	return st;
}

static void s_open(struct tcase *c, int h, int path)
{
	add_step(c, OP_OPEN, h)->path = (int16_t)path;
}

static void s_craft(struct tcase *c, int h, int fd, int det, int dea, int disc, int path)
{
	struct step *st = add_step(c, OP_CRAFT, h);

	st->fd = fd;
	st->det = (uint8_t)det;
	st->dea = (uint8_t)dea;
	st->disc = (uint8_t)disc;
	st->path = (int16_t)path;
}

static void s_pin(struct tcase *c, int h, int path)
{
	add_step(c, OP_PIN, h)->path = (int16_t)path;
}

static void s_op(struct tcase *c, int op, int h)
{
	add_step(c, op, h);
}

static void s_print(struct tcase *c, int which)
{
	add_step(c, OP_SET_PRINT, 0)->det = (uint8_t)which;
}

static void s_env(struct tcase *c, int which)
{
	add_step(c, OP_SETENV, 0)->det = (uint8_t)which;
}

static void s_chdir(struct tcase *c, int which)
{
	add_step(c, OP_CHDIR, 0)->path = (int16_t)which;
}

static void init_obj(struct tcase *c)
{
	init_case(c, F_OBJ);
	c->nk = 0;
}

static void ans(struct tcase *c, struct fake_answer a)
{
	if (c->nk < FAKE_MAX_ANS)
		c->k[c->nk++] = a;
}

static void fixed_obj(void)
{
	static const int HS[] = { H_NULL, H_ERR1, H_ERR22, H_ERR4095 };
	struct tcase c;
	int p, a, i, j, k;

	/* pin/unpin of a crafted link at every path, from two directories */
	for (k = 0; k < 2; k++)
		for (p = -1; p < NPATHS; p++)
			for (a = 0; a < (k ? 1 : 3); a++) {
				init_obj(&c);
				if (k)
					s_chdir(&c, 1);
				s_craft(&c, 0, 9, DK_RET0, 0, 0, -1);
				s_pin(&c, 0, p);
				s_op(&c, OP_PIN_PATH, 0);
				s_pin(&c, 0, 0);
				s_op(&c, OP_UNPIN, 0);
				s_op(&c, OP_UNPIN, 0);
				s_op(&c, OP_DESTROY, 0);
				ans(&c, a == 0 ? A_PIN() : A_ERR(a == 1 ? EEXIST : EPERM));
				ans(&c, A_PIN());
				desc(&c, "pin P%d%s, kernel answer %d", p, k ? " from bpf/" : "", a);	/* P-1: NULL */
				run_case(&c, "fixed");
			}
	/* bpf_link__open at every path, with several kernel answers */
	for (p = -1; p < NPATHS; p++)
		for (a = 0; a < 6; a++) {
			init_obj(&c);
			s_open(&c, 0, p);
			s_op(&c, OP_GET_ERROR, 0);
			switch (a) {
			case 0: ans(&c, A_RET(5)); break;
			case 1: ans(&c, A_RET(0)); break;	/* dup'ed to 64 */
			case 2: ans(&c, A_RET(1)); c.d[0] = D_ERR(EMFILE); c.nd = 1; break;
			case 3: ans(&c, A_ERR(ENOENT)); break;
			case 4: ans(&c, A_ERR(EPERM)); break;
			case 5: ans(&c, A_RET(2)); c.d[0] = D_OK(3); c.nd = 1; break;
			}
			if (a == 2 || a == 3 || a == 4 || p < 0) {
				/* open fails: destroy(NULL), then a call libbpf crashes on */
				s_op(&c, OP_DESTROY, 0);
				s_op(&c, OP_GET_ERROR, 0);
				s_op(&c, OP_FD, 0);
			} else {
				s_op(&c, OP_FD, 0);
				s_op(&c, OP_PIN_PATH, 0);
				s_pin(&c, 0, 1);	/* EBUSY: an opened link counts as pinned */
				s_op(&c, OP_DETACH, 0);
				s_op(&c, OP_UNPIN, 0);
				s_op(&c, OP_PIN_PATH, 0);
				s_pin(&c, 0, 1);
				s_op(&c, OP_UNPIN, 0);
				s_op(&c, OP_DESTROY, 0);
				ans(&c, p % 3 ? A_RET(0) : A_ERR(p % 2 ? EINVAL : EOPNOTSUPP));
				ans(&c, A_PIN());
			}
			desc(&c, "open P%d, kernel answer %d", p, a);
			run_case(&c, "fixed");
		}
	/* destroy of crafted links: detach/dealloc callbacks, disconnected, pin_path */
	for (i = 0; i < DK_N; i++)
		for (j = 0; j < 2; j++)
			for (k = 0; k < 3; k++)
				for (p = 0; p < 2; p++) {
					init_obj(&c);
					s_craft(&c, 0, 5 + k, i, j, k, p ? 26 : -1);
					s_craft(&c, 1, 4, DK_RET0, 0, 0, -1);
					s_op(&c, OP_DESTROY, 0);
					s_op(&c, OP_DESTROY, 1);
					desc(&c, "destroy crafted detach %s dealloc %d disconnected %d%s",
					     DK_NAME[i], j, k, p ? " pinned" : "");
					run_case(&c, "fixed");
				}
	/* disconnect and detach through the API, then destroy */
	for (i = 0; i < DK_N; i++)
		for (j = 0; j < 2; j++) {
			static const int DA[] = { 0, EINVAL, EBADF, EOPNOTSUPP };

			init_obj(&c);
			s_craft(&c, 0, 9, i, j, 0, 27);
			s_open(&c, 1, 26);
			s_op(&c, OP_DETACH, 0);
			s_op(&c, OP_DETACH, 1);
			s_op(&c, OP_DISCONNECT, 0);
			s_op(&c, OP_DISCONNECT, 1);
			s_op(&c, OP_DISCONNECT, 1);
			s_op(&c, OP_FD, 1);
			s_op(&c, OP_DESTROY, 0);
			s_op(&c, OP_DESTROY, 1);
			ans(&c, A_RET(6));
			ans(&c, DA[(i + j) % 4] ? A_ERR(DA[(i + j) % 4]) : A_RET(0));
			ans(&c, DA[(i + j + 1) % 4] ? A_ERR(DA[(i + j + 1) % 4]) : A_RET(0));
			desc(&c, "disconnect/detach, crafted detach %s dealloc %d", DK_NAME[i], j);
			run_case(&c, "fixed");
		}
	/* Answers the real kernel never gives (a positive value from BPF_OBJ_PIN
	 * or BPF_LINK_DETACH, -1 with errno 0, an fd for a NULL path): what
	 * libbpf then does follows from its code, not from a contract, and
	 * bpflink differs (reported, not decided): only with --unrealistic. */
	for (i = 0; i < 3 && unrealistic; i++) {
		init_obj(&c);
		c.unreal = 1;
		s_craft(&c, 0, 9, DK_RET0, 0, 0, -1);
		s_open(&c, 1, 0);
		s_op(&c, OP_DETACH, 0);
		s_op(&c, OP_DETACH, 1);
		s_op(&c, OP_DESTROY, 0);
		s_op(&c, OP_DESTROY, 1);
		ans(&c, A_RET(6));
		ans(&c, i == 2 ? A_ERR(0) : A_RET(i ? 1 : 7));
		ans(&c, i == 2 ? A_ERR(0) : A_RET(3));
		desc(&c, "unrealistic kernel: LINK_DETACH answers %s", i == 2 ? "-1 errno 0" : "positive");
		run_case(&c, "fixed");
	}
	for (i = 0; i < 4 && unrealistic; i++) {
		init_obj(&c);
		c.unreal = 1;
		s_craft(&c, 0, 9, DK_RET0, 0, 0, -1);
		s_pin(&c, 0, i & 1 ? 2 : 0);
		s_op(&c, OP_PIN_PATH, 0);
		s_op(&c, OP_UNPIN, 0);
		s_op(&c, OP_DESTROY, 0);
		ans(&c, i < 2 ? A_RET(5) : A_ERR(0));
		desc(&c, "unrealistic kernel: OBJ_PIN answers %s%s", i < 2 ? "5" : "-1 errno 0",
		     i & 1 ? ", parent created" : "");
		run_case(&c, "fixed");
	}
	for (i = 0; i < 2 && unrealistic; i++) {
		init_obj(&c);
		c.unreal = 1;
		s_open(&c, 0, i ? -1 : 0);
		s_op(&c, OP_GET_ERROR, 0);
		s_op(&c, OP_PIN_PATH, 0);
		s_op(&c, OP_DESTROY, 0);
		ans(&c, i ? A_RET(5) : A_ERR(0));
		desc(&c, "unrealistic kernel: OBJ_GET answers %s", i ? "fd 5 for a NULL path" : "-1 errno 0");
		run_case(&c, "fixed");
	}
	/* NULL and ERR_PTR links (libbpf crashes on most), NULL paths */
	for (i = 0; i < NF(HS); i++)
		for (j = OP_FD; j <= OP_GET_ERROR; j++) {
			for (k = 0; k < (j == OP_PIN ? 2 : 1); k++) {
				init_obj(&c);
				s_craft(&c, 0, 9, DK_RET0, 0, 0, -1);
				s_op(&c, OP_FD, 0);
				if (j == OP_PIN)
					s_pin(&c, HS[i], k ? 0 : -1);
				else
					s_op(&c, j, HS[i]);
				s_op(&c, OP_DESTROY, 0);
				desc(&c, "%s on a bad link%s", OP_FN[j], j == OP_PIN && !k ? ", path NULL" : "");
				run_case(&c, "fixed");
			}
		}
	for (i = 0; i < 4; i++) {
		/* bpf_link__pin(link, NULL): unpinned crafted, pinned crafted, opened, failed open */
		init_obj(&c);
		if (i < 2)
			s_craft(&c, 0, 9, DK_RET0, 0, 0, i ? 0 : -1);
		else
			s_open(&c, 0, 0);
		ans(&c, i == 3 ? A_ERR(ENOENT) : A_RET(5));
		s_pin(&c, 0, -1);
		s_op(&c, OP_DESTROY, 0);
		desc(&c, "pin with a NULL path, link %d", i);
		run_case(&c, "fixed");
	}
	for (j = OP_FD; j <= OP_DESTROY; j++) {
		/* a link that bpf_link__open failed to open (NULL at run time) */
		init_obj(&c);
		s_open(&c, 0, 3);
		ans(&c, A_ERR(ENOENT));
		if (j == OP_PIN)
			s_pin(&c, 0, 0);
		else
			s_op(&c, j, 0);
		s_op(&c, OP_GET_ERROR, 0);
		desc(&c, "%s on a failed open", OP_FN[j]);
		run_case(&c, "fixed");
	}
	/* libbpf_set_print: NULL, another callback, the default one */
	init_obj(&c);
	s_print(&c, PR_NULL);
	s_open(&c, 0, 3);
	s_print(&c, PR_CB);
	s_open(&c, 1, 10);
	s_print(&c, PR_CB2);
	s_open(&c, 2, 11);
	s_craft(&c, 3, 9, DK_RET0, 0, 0, -1);
	s_pin(&c, 3, 0);
	s_print(&c, PR_NULL);
	s_print(&c, PR_CB);
	s_op(&c, OP_UNPIN, 3);
	ans(&c, A_ERR(ENOENT));
	ans(&c, A_ERR(EPERM));
	ans(&c, A_ERR(ENOENT));
	ans(&c, A_PIN());
	desc(&c, "set_print NULL/cb/cb2 and back");
	run_case(&c, "fixed");
	for (i = 0; i < NF(ENVS); i++)
		for (k = 0; k < 2; k++) {
			/* the default printer (stderr) and LIBBPF_LOG_LEVEL */
			init_obj(&c);
			s_env(&c, i);
			s_print(&c, PR_DEFAULT);
			if (k) {
				/* the first message fixes the level for good */
				s_open(&c, 0, 3);
				s_env(&c, i == 2 ? 1 : 2);
			}
			s_craft(&c, 1, 9, DK_RET0, 0, 0, -1);
			s_pin(&c, 1, 0);
			s_pin(&c, 1, 4);
			s_op(&c, OP_UNPIN, 1);
			s_pin(&c, 1, 4);
			s_print(&c, PR_CB);
			s_open(&c, 2, 10);
			s_print(&c, PR_NULL);
			s_open(&c, 3, 11);
			if (k)
				ans(&c, A_ERR(ENOENT));
			ans(&c, A_PIN());
			ans(&c, A_ERR(EACCES));
			ans(&c, A_ERR(EPERM));
			desc(&c, "default printer, LIBBPF_LOG_LEVEL %s%s%s%s", ENVS[i] ? "\"" : "",
			     ENVS[i] ? ENVS[i] : "unset", ENVS[i] ? "\"" : "",
			     k ? ", changed after the first message" : "");
			run_case(&c, "fixed");
		}
}

static void fixed_helpers(void)
{
	static const int64_t SZ[] = { -1 - 64, -1 - 0, 0, 1, 2, 4, 8, 16, 32, 64, 256 };
	static const int64_t SPECIAL[] = { INT_MIN, INT_MIN + 1, INT_MAX, 1 << 20, -(1 << 20),
					   100000, -100000, 4095, 4096, -4096 };
	struct tcase c;
	int64_t e;
	int i, j;

	/* 16 errs a case (a fork per err would make the corpus slow under valgrind) */
	for (e = -5000; e <= 5000; e += 16) {
		init_case(&c, F_STRERROR);
		c.a0 = e;
		c.a1 = e + 16 > 5001 ? 5001 - e : 16;
		for (i = 0; i < NF(SZ); i++)
			c.val[c.nval++] = SZ[i];
		desc(&c, "strerror %" PRId64 "..%" PRId64, c.a0, c.a0 + c.a1 - 1);
		run_case(&c, "fixed");
	}
	for (j = 0; j < NF(SPECIAL); j++) {
		init_case(&c, F_STRERROR);
		c.a0 = SPECIAL[j];
		c.a1 = 1;
		for (i = 0; i < NF(SZ); i++)
			c.val[c.nval++] = SZ[i];
		desc(&c, "strerror %" PRId64, c.a0);
		run_case(&c, "fixed");
	}
	/* libbpf's own codes (and around them): every size up to 63 */
	for (e = 3990; e <= 4020; e += 8)
		for (j = 0; j < 2; j++) {
			init_case(&c, F_STRERROR);
			c.a1 = e + 8 > 4021 ? 4021 - e : 8;
			c.a0 = j ? -(e + c.a1 - 1) : e;
			for (i = 0; i < 64; i++)
				c.val[c.nval++] = i;
			desc(&c, "strerror %" PRId64 "..%" PRId64 " every size", c.a0, c.a0 + c.a1 - 1);
			run_case(&c, "fixed");
		}

	/* libbpf_get_error */
	for (e = -4224; e < 0; e += MAX_VALS) {
		init_case(&c, F_GET_ERROR);
		for (i = 0; i < MAX_VALS; i++)
			c.val[c.nval++] = e + i;
		desc(&c, "get_error %" PRId64 "..%" PRId64, e, e + MAX_VALS - 1);
		run_case(&c, "fixed");
	}
	{
		static const uint64_t P[] = { 0, 1, 2, 4095, 4096, R_BASE, 0x7fffffffffffffffull,
					      0x8000000000000000ull, (uint64_t)-4097 };
		init_case(&c, F_GET_ERROR);
		for (i = 0; i < NF(P); i++)
			c.val[c.nval++] = (int64_t)P[i];
		desc(&c, "get_error NULL and others");
		run_case(&c, "fixed");
	}

	/* names */
	for (j = 0; j < 2; j++) {
		static const uint32_t BIG[] = { 0x7fffffffu, 0x80000000u, 0xffffffffu, 0xfffffffeu,
						256, 1000, 65536 };
		int n = j ? 24 : 72;

		for (i = 0; i < n; i += 24) {
			int t;

			init_case(&c, F_NAMES);
			c.a0 = j;
			for (t = i; t < i + 24; t++)
				c.val[c.nval++] = t;
			desc(&c, "%s %d..%d", j ? "link types" : "attach types", i, i + 23);
			run_case(&c, "fixed");
		}
		init_case(&c, F_NAMES);
		c.a0 = j;
		for (i = 0; i < NF(BIG); i++)
			c.val[c.nval++] = BIG[i];
		desc(&c, "%s out of range", j ? "link types" : "attach types");
		run_case(&c, "fixed");
	}
	init_case(&c, F_NAMES);
	c.a0 = 2;
	desc(&c, "version");
	run_case(&c, "fixed");
}

/* ------------------------------------------------------------------ */
/* Random part                                                         */

static uint64_t rs;

static uint64_t rnd(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return rs * 2685821657736338717ull;
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static int chance(int pct)
{
	return (int)below(100) < pct;
}

static int64_t rnd_fd(void)
{
	static const int FDS[] = { -1, 0, 1, 2, 3, 4, 5, 100, 0x7fffffff, -100 };

	if (chance(90))
		return FDS[below(NF(FDS))];
	return (int32_t)rnd();
}

static uint64_t rnd_value(int size)
{
	switch (below(12)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 2 + below(30);
	case 3: return 0xffffffffu;
	case 4: return 0x80000000u;
	case 5: return size == 8 ? ~0ull : 0xffffu;
	case 6: return RADDR(OFF_TP);
	case 7: return size == 8 ? 1ull << 63 : 0x100;
	case 8: return 1u << below(32);
	case 9: return 0x2000 | 0x20 | 0x8;
	default: return rnd();
	}
}

static uint32_t rnd_type(void)
{
	static const uint32_t FB[] = { 23, 24, 25, 26, 27, 58, 28, 41, 42, 46, 48 };

	switch (below(10)) {
	case 0: return 59 + below(12);
	case 1: return chance(50) ? 0xffffffffu : (uint32_t)rnd();
	case 2: case 3: return FB[below(NF(FB))];
	default: return below(59);
	}
}

static uint64_t rnd_sz(const struct okind *ok)
{
	static const int B[] = { 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64, 68, 72, 76, 80 };
	int r = below(100);

	if (r < 40)
		return ok->size;
	if (r < 60) {
		uint64_t b = B[below(NF(B))];
		return b;
	}
	if (r < 68)
		return below(8);
	if (r < 80)
		return ok->size + 1 + below(200);
	if (r < 86) {
		static const uint64_t BIG[] = { 4096, 1u << 16, 1ull << 20, 1ull << 40, (1ull << 63) - 1,
						 1ull << 32 };
		return BIG[below(NF(BIG))];
	}
	if (r < 92) {
		static const uint64_t TOP[] = { 1ull << 63, (1ull << 63) + 100, ~0ull, ~0ull - 7 };
		return TOP[below(NF(TOP))];
	}
	return below(300);
}

static struct fake_answer rnd_answer(void)
{
	static const int ERRS[] = { EINVAL, EINVAL, EINVAL, EPERM, EBADF, E2BIG, ENOENT, EFAULT,
				    ENOSPC, EMFILE, EAGAIN, 524, EOPNOTSUPP, 0 };
	static const int RETS[] = { 5, 0, 1, 2, 3, 7, 100, 0x7fffffff };
	struct fake_answer a = { FA_DEFAULT, 0, -1, 0, 0, 0 };
	int r = below(100);

	if (r < 45) {
		a = A_RET(RETS[below(NF(RETS))]);
	} else if (r < 95) {
		a = A_ERR(ERRS[below(NF(ERRS))]);
	}
	if (chance(25)) {
		static const int OFFS[] = { 0, 4, 8, 12, 16, 20, 60 };
		a.wb_off = OFFS[below(NF(OFFS))];
		a.wb_val = chance(50) ? below(100) : (uint32_t)rnd();
	}
	if (chance(30))
		a.fill = below(INFO_BUF + 1);
	return a;
}

static struct fake_dupans rnd_dup(void)
{
	static const int ERRS[] = { EMFILE, EINVAL, EBADF, EINTR };
	struct fake_dupans d = { FD_DEFAULT, 0 };
	int r = below(100);

	if (r < 40)
		d = D_ERR(ERRS[below(NF(ERRS))]);
	else if (r < 70)
		d = D_OK(3 + below(5));
	return d;
}

/* The opts fields the per-type branch of bpf_link_create reads. */
static int type_fields(uint32_t t, struct fld *f)
{
	int n = 0;

#define ADD(m, sz) do { f[n].off = LC(m); f[n].size = (sz); f[n].name = ""; f[n].ptr = 0; n++; } while (0)
	switch (t) {
	case 28: ADD(iter_info, PTR); ADD(iter_info_len, 4); break;
	case 41: ADD(perf_event.bpf_cookie, 8); break;
	case 42: case 56:
		ADD(kprobe_multi.flags, 4); ADD(kprobe_multi.cnt, 4); ADD(kprobe_multi.syms, PTR);
		ADD(kprobe_multi.addrs, PTR); ADD(kprobe_multi.cookies, PTR);
		break;
	case 48: case 57:
		ADD(uprobe_multi.flags, 4); ADD(uprobe_multi.cnt, 4); ADD(uprobe_multi.path, PTR);
		ADD(uprobe_multi.offsets, PTR); ADD(uprobe_multi.ref_ctr_offsets, PTR);
		ADD(uprobe_multi.cookies, PTR); ADD(uprobe_multi.pid, 4);
		break;
	case 23: case 24: case 25: case 26: case 27: case 58: ADD(tracing.cookie, 8); break;
	case 45:
		ADD(netfilter.pf, 4); ADD(netfilter.hooknum, 4); ADD(netfilter.priority, 4);
		ADD(netfilter.flags, 4);
		break;
	case 46: case 47: case 54: case 55:
	case 0: case 1: case 2: case 3: case 6: case 8: case 9: case 10: case 11: case 12:
	case 13: case 14: case 15: case 18: case 19: case 20: case 21: case 22: case 29:
	case 30: case 31: case 32: case 34: case 43: case 49: case 50: case 51: case 52: case 53:
		ADD(tcx.relative_fd, 4); ADD(tcx.relative_id, 4); ADD(tcx.expected_revision, 8); break;
	default: break;
	}
	ADD(flags, 4);
#undef ADD
	return n;
}

/* bpf_link_create opts that a well-behaved caller of this attach type could
 * pass: only the type's own fields (and flags), sz at a field boundary. */
static void gen_coherent_create(struct tcase *c)
{
	struct fld f[10];
	int n = type_fields((uint32_t)c->a2, f), i;
	/* on LP64: 80, 80, 80, 76, 72, 64, 48, 40, 32, 16, 12, 8 */
	static const uint64_t SZ[] = { LC_SIZE, LC_SIZE, LC_SIZE, LC_END, LC(uprobe_multi.pid),
				       LC(uprobe_multi.cookies), LC(kprobe_multi.addrs),
				       LC(tcx.expected_revision), LC(perf_event), LC(iter_info),
				       LC(flags) + 4, SZB };

	c->has_opts = 1;
	memset(c->img, 0, sizeof(c->img));
	c->place = 0;
	c->sz = (size_t)(chance(80) ? SZ[below(NF(SZ))] : rnd_sz(&OK_CREATE));
	for (i = 0; i < n; i++)
		if (chance(f[i].off == LC(flags) ? 25 : 50))
			put(c, f[i].off, f[i].size, rnd_value(f[i].size));
	if (chance(10))
		put(c, LC(target_btf_id), 4, chance(50) ? 1 : rnd_value(4));
	if (chance(5))
		c->img[LC_SIZE + below(IMG - LC_SIZE)] = 1;
}

/* Random cases of the object API and the helpers. */

static int rnd_path(void)
{
	static const int COMMON[] = { 0, 1, 2, 3, 4, 5, 12, 13, 14, 22, 23, 26, 27, 36 };

	if (chance(4))
		return -1;
	if (chance(60))
		return COMMON[below(NF(COMMON))];
	return (int)below(NPATHS);
}

static void gen_obj_random(struct tcase *c)
{
	static const int OPS[] = { OP_FD, OP_PIN_PATH, OP_PIN, OP_PIN, OP_PIN, OP_UNPIN, OP_UNPIN,
				   OP_DETACH, OP_DISCONNECT, OP_DESTROY, OP_GET_ERROR, OP_SET_PRINT,
				   OP_CHDIR };
	static const int HS[] = { H_NULL, H_ERR1, H_ERR22, H_ERR4095 };
	int state[NHANDLES] = { 0 };	/* 1 made, 2 destroyed */
	int n, i, h, op;

	init_obj(c);
	if (chance(20))
		s_chdir(c, (int)below(NF(CWDS)));
	if (chance(10))
		s_env(c, (int)below(NF(ENVS)));
	if (chance(15))
		s_print(c, (int)below(4));
	n = 1 + (chance(40) ? 1 : 0) + (chance(15) ? 1 : 0);
	for (i = 0; i < n; i++) {
		if (chance(55))
			s_open(c, i, rnd_path());
		else
			s_craft(c, i, (int)rnd_fd(), (int)below(DK_N), chance(30),
				chance(80) ? 0 : 1 + (int)below(2), chance(30) ? rnd_path() : -1);
		state[i] = 1;
	}
	while (c->nstep < MAX_STEPS - 1 && chance(85)) {
		int live[NHANDLES], nl = 0;

		for (h = 0; h < n; h++)
			if (state[h] == 1)
				live[nl++] = h;
		if (!nl)
			break;
		h = live[below(nl)];
		op = OPS[below(NF(OPS))];
		if (op == OP_SET_PRINT) {
			s_print(c, (int)below(4));
		} else if (op == OP_CHDIR) {
			s_chdir(c, (int)below(NF(CWDS)));
		} else if (chance(3)) {
			/* a bad link: libbpf crashes (mostly), so it ends the case */
			if (op == OP_PIN)
				s_pin(c, HS[below(NF(HS))], rnd_path());
			else
				s_op(c, op, HS[below(NF(HS))]);
			break;
		} else if (op == OP_PIN) {
			int p = rnd_path();

			s_pin(c, h, p);
			if (p < 0)
				break;
		} else {
			s_op(c, op, h);
			if (op == OP_DESTROY)
				state[h] = 2;
		}
	}
	if (chance(70))
		for (h = 0; h < n && c->nstep < MAX_STEPS; h++)
			if (state[h] == 1)
				s_op(c, OP_DESTROY, h);
	n = 1 + (int)below(FAKE_MAX_ANS);
	for (i = 0; i < n; i++) {
		static const int RETS[] = { 5, 6, 9, 0, 1, 2 };
		static const int ERRS[] = { ENOENT, EPERM, EEXIST, EINVAL, EBADF, EACCES, EFAULT,
					    EMFILE, ENOSPC };
		int r = (int)below(100);

		/* realistic answers (the fake makes OBJ_PIN/LINK_DETACH succeed with 0) */
		if (r < 30)
			ans(c, A_RET(RETS[below(NF(RETS))]));
		else if (r < 55)
			ans(c, A_PIN());
		else if (r < 95)
			ans(c, A_ERR(ERRS[below(NF(ERRS))]));
		else
			ans(c, (struct fake_answer){ FA_DEFAULT, 0, -1, 0, 0, chance(50) });
	}
	c->nd = chance(70) ? 0 : 1 + (int)below(2);
	for (i = 0; i < c->nd; i++)
		c->d[i] = rnd_dup();
	desc(c, "random object API, %d steps", c->nstep);
}

static void gen_helper_random(struct tcase *c, int fn)
{
	int i, n;

	if (fn == F_OBJ) {
		gen_obj_random(c);
		return;
	}
	init_case(c, fn);
	switch (fn) {
	case F_STRERROR: {
		int r = (int)below(100);

		c->a1 = 1;
		if (r < 45)
			c->a0 = (int)below(401) - 200;
		else if (r < 70)
			c->a0 = (chance(50) ? 1 : -1) * (3990 + (int)below(41));
		else if (r < 80)
			c->a0 = chance(50) ? INT_MIN + (int)below(3) : INT_MAX - (int)below(3);
		else
			c->a0 = (int32_t)rnd();
		n = 1 + (int)below(6);
		for (i = 0; i < n; i++) {
			int64_t sz = chance(70) ? below(81) : below(300);

			c->val[c->nval++] = chance(5) ? -1 - sz : sz;
		}
		break;
	}
	case F_GET_ERROR:
		for (i = 0; i < 8; i++) {
			int r = (int)below(100);

			c->val[c->nval++] = r < 20 ? 0 : r < 60 ? -(int64_t)below(4200) :
					    r < 70 ? (int64_t)below(5000) : (int64_t)rnd();
		}
		break;
	case F_NAMES:
		c->a0 = chance(5) ? 2 : below(2);
		for (i = 0; i < 8 && c->a0 != 2; i++)
			c->val[c->nval++] = chance(80) ? below(80) : (uint32_t)rnd();
		break;
	}
	desc(c, "random %s", FN[fn].name);
}

static void gen_random(struct tcase *c)
{
	int total = 0, i, fn = 0, r;

	for (i = 0; i < F_N; i++)
		total += FN[i].weight;
	r = (int)below(total);
	for (i = 0; i < F_N; i++) {
		r -= FN[i].weight;
		if (r < 0) {
			fn = i;
			break;
		}
	}
	if (fn >= F_OBJ) {
		gen_helper_random(c, fn);
		return;
	}
	init_case(c, fn);
	c->a0 = rnd_fd();
	c->a1 = rnd_fd();
	if (fn == F_LINK_CREATE) {
		c->a2 = rnd_type();
		if (chance(50))
			c->a1 = 0;
	}
	if (fn == F_GET_NEXT_ID || fn == F_GET_FD_BY_ID || fn == F_GET_FD_BY_ID_OPTS)
		c->a0 = chance(50) ? below(10) : (uint32_t)rnd();
	c->p1 = chance(85);
	c->p2 = chance(85);
	{
		static const uint32_t L[] = { 0, 8, 16, 48, 64, 256, 0xffffffffu };
		c->in_val = chance(80) ? L[below(NF(L))] : (uint32_t)rnd();
	}

	if (FN[fn].ok && chance(92)) {
		const struct okind *ok = FN[fn].ok;
		int n = chance(25) ? 0 : 1 + below(chance(70) ? 2 : 6);

		set_opts(c, rnd_sz(ok));
		for (i = 0; i < n; i++) {
			const struct fld *f = &ok->f[below(ok->nf)];
			put(c, f->off, f->size, rnd_value(f->size));
		}
		if (chance(15))
			c->img[SZB + below(ok->size - SZB)] = (uint8_t)(1 + below(255));
		if (chance(30)) {
			int m = 1 + (chance(30) ? below(4) : 0);
			for (i = 0; i < m; i++)
				c->img[ok->size + below(IMG - ok->size)] = (uint8_t)(1 + below(255));
		}
		/* the opts may end at the unmapped page */
		r = below(100);
		if (r < 15) {
			uint64_t need = c->sz < (uint64_t)ok->size ? c->sz : (uint64_t)ok->size;
			int k = need < 8 ? 8 : (int)((need + 7) & ~7ull);

			if (c->sz > (uint64_t)ok->size && chance(50))
				k = (int)((ok->size + 7) & ~7) + 8 * (int)below(8);
			c->place = k;
		} else if (r < 25) {
			c->mis = 1 + below(7);
		}
		if (!c->place && chance(10)) {
			c->far = OFF_OPTS + c->mis + IMG + below(R_SIZE - OFF_OPTS - IMG - 8);
			if (chance(50))
				c->sz = c->far - OFF_OPTS - c->mis + below(3);
		}
	}

	c->nk = 1 + (chance(40) ? 1 : 0) + (chance(10) ? 1 : 0);
	for (i = 0; i < c->nk; i++)
		c->k[i] = rnd_answer();
	if (fn == F_LINK_CREATE && chance(30)) {
		c->k[0] = A_ERR(EINVAL);	/* exercise the raw_tp fallback */
		c->nk = c->nk < 2 ? 2 : c->nk;
	}
	if (fn == F_LINK_CREATE && chance(50)) {
		uint32_t t = (uint32_t)c->a2;

		gen_coherent_create(c);
		if ((t >= 23 && t <= 27) || t == 58) {
			/* the raw_tp fallback: EINVAL, target_fd 0, no option set */
			if (chance(60))
				c->a1 = 0;
			if (chance(50))
				memset(c->img, 0, sizeof(c->img));
			if (chance(20))
				c->has_opts = 0;
		}
	}
	c->nd = chance(50) ? 0 : 1 + (chance(20) ? 1 : 0);
	for (i = 0; i < c->nd; i++)
		c->d[i] = rnd_dup();
	desc(c, "random %s", FN[fn].name);
}

/* ------------------------------------------------------------------ */

static void setup_region(void)
{
	void *p = mmap((void *)R_BASE, R_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != (void *)R_BASE) {
		fprintf(stderr, "driver: cannot map the fixed region at 0x%lx\n", R_BASE);
		exit(2);
	}
	/* the page after the region must be unmapped: msync says ENOMEM. Under
	 * qemu-user, which keeps a 32-bit guest's whole address space reserved,
	 * msync cannot tell; there write() from the page must fail with EFAULT
	 * (not asked first: valgrind reports that write as an error) */
	if (msync((char *)R_BASE + R_SIZE, 4096, MS_ASYNC) == 0 || errno != ENOMEM) {
		int pfd[2];
		ssize_t w;

		if (pipe(pfd)) {
			perror("pipe");
			exit(2);
		}
		w = write(pfd[1], (char *)R_BASE + R_SIZE, 1);
		if (w >= 0 || errno != EFAULT) {
			fprintf(stderr, "driver: the page after the region is mapped\n");
			exit(2);
		}
		close(pfd[0]);
		close(pfd[1]);
	}
	memcpy((char *)p + OFF_PATH, PATH_STR, sizeof(PATH_STR));
	memcpy((char *)p + OFF_TP, TP_STR, sizeof(TP_STR));
	setup_paths(p);
	S = mmap(NULL, sizeof(*S), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (S == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	fake_state = &S->fk;
}

int main(int argc, char **argv)
{
	uint64_t seed = (uint64_t)time(NULL);
	long nrandom = 3000, i;
	int fixed = 1;
	struct tcase c;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--cases") && i + 1 < argc)
			nrandom = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--case") && i + 1 < argc)
			only_case = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--no-fixed"))
			fixed = 0;
		else if (!strcmp(argv[i], "--list"))
			list_only = 1;
		else if (!strcmp(argv[i], "--unrealistic"))
			unrealistic = 1;
		else {
			fprintf(stderr, "usage: %s [--seed N] [--cases M] [--case K] [--no-fixed] [--list]"
				" [--unrealistic]\n", argv[0]);
			return 2;
		}
	}
	out = stdout;
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	setup_region();
#ifdef ORACLE
	if (libbpf_major_version() != 1 || libbpf_minor_version() != 7) {
		fprintf(stderr, "driver: the oracle is libbpf %s, not v1.7\n", libbpf_version_string());
		return 2;
	}
#endif
	default_printer = libbpf_set_print(print_cb);
	errfd = memfd_create("driver-child-stderr", 0);
	if (errfd >= 0) {
		/* far from the small fds the fake kernel hands out */
		int hi = fcntl(errfd, F_DUPFD_CLOEXEC, 900);

		if (hi >= 0) {
			close(errfd);
			errfd = hi;
		}
	}
	ns_ok = probe_ns();

	fprintf(out, "library %s\n", LIBNAME);
	fprintf(out, "object-API cases (private mount namespaces): %s\n", ns_ok ? "run" : "skipped, not root");
	fprintf(out, "seed %" PRIu64 " random cases %ld fixed %s\n", seed, nrandom, fixed ? "yes" : "no");
	if (fixed) {
		fixed_link_create();
		fixed_update();
		fixed_simple();
		fixed_small_opts(F_GET_FD_BY_ID_OPTS);
		fixed_small_opts(F_RAW_TP_OPEN_OPTS);
		fixed_small_opts(F_OBJ_PIN_OPTS);
		fixed_small_opts(F_OBJ_GET_OPTS);
		far_bytes(F_LINK_UPDATE);
		far_bytes(F_GET_FD_BY_ID_OPTS);
		far_bytes(F_RAW_TP_OPEN_OPTS);
		far_bytes(F_OBJ_PIN_OPTS);
		far_bytes(F_OBJ_GET_OPTS);
		fixed_obj();
		fixed_helpers();
	}
	rs = seed ^ 0x9e3779b97f4a7c15ull;
	if (!rs)
		rs = 1;
	for (i = 0; i < nrandom; i++) {
		gen_random(&c);
		run_case(&c, "random");
	}
	fprintf(out, "== end %ld cases (%ld run)\n", ncase, nrun);
	fflush(out);
	return 0;
}
