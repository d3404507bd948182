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
 * Usage: driver [--seed N] [--cases M] [--case K] [--no-fixed] [--list]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
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

/* ------------------------------------------------------------------ */
/* The fixed region                                                    */

#define R_BASE 0x200000000000UL
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

static const char PATH_STR[] = "/sys/fs/bpf/conformance/link";
static const char TP_STR[] = "sys_enter";

/* ------------------------------------------------------------------ */
/* Functions under test                                                */

enum fn {
	F_LINK_CREATE, F_LINK_UPDATE, F_LINK_DETACH, F_ITER_CREATE, F_GET_NEXT_ID,
	F_GET_FD_BY_ID, F_GET_FD_BY_ID_OPTS, F_LINK_GET_INFO, F_OBJ_GET_INFO,
	F_RAW_TP_OPEN, F_RAW_TP_OPEN_OPTS, F_OBJ_PIN, F_OBJ_PIN_OPTS, F_OBJ_GET,
	F_OBJ_GET_OPTS, F_N
};

struct fld { int off, size; const char *name; };

static const struct fld F_CREATE[] = {
	{ 8, 4, "flags" }, { 12, 4, "pad12" }, { 16, 8, "iter_info" },
	{ 24, 4, "iter_info_len" }, { 28, 4, "target_btf_id" },
	{ 32, 4, "u32@32(relative_fd|pf|kprobe_multi.flags|bpf_cookie.lo)" },
	{ 36, 4, "u32@36(relative_id|hooknum|cnt|bpf_cookie.hi)" },
	{ 32, 8, "u64@32(perf_event.bpf_cookie|tracing.cookie)" },
	{ 40, 8, "u64@40(expected_revision|syms|path|priority+flags)" },
	{ 44, 4, "u32@44(netfilter.flags)" }, { 48, 8, "u64@48(addrs|offsets)" },
	{ 56, 8, "u64@56(cookies|ref_ctr_offsets)" }, { 64, 8, "u64@64(uprobe_multi.cookies)" },
	{ 72, 4, "u32@72(uprobe_multi.pid)" }, { 76, 4, "bytes76..80" },
};
static const struct fld F_UPDATE[] = {
	{ 8, 4, "flags" }, { 12, 4, "old_prog_fd" }, { 16, 4, "old_map_fd" }, { 20, 4, "pad20" },
};
static const struct fld F_FDBYID[] = { { 8, 4, "open_flags" }, { 12, 4, "token_fd" } };
static const struct fld F_RAWTP[] = { { 8, 8, "tp_name" }, { 16, 8, "cookie" } };
static const struct fld F_PIN[] = { { 8, 4, "file_flags" }, { 12, 4, "path_fd" } };

struct okind {
	const char *name;
	int size;	/* sizeof(struct) on x86-64 */
	const struct fld *f;
	int nf;
};
#define NF(a) ((int)(sizeof(a) / sizeof((a)[0])))
static const struct okind OK_CREATE = { "bpf_link_create_opts", 80, F_CREATE, NF(F_CREATE) };
static const struct okind OK_UPDATE = { "bpf_link_update_opts", 24, F_UPDATE, NF(F_UPDATE) };
static const struct okind OK_FDBYID = { "bpf_get_fd_by_id_opts", 16, F_FDBYID, NF(F_FDBYID) };
static const struct okind OK_RAWTP = { "bpf_raw_tp_opts", 24, F_RAWTP, NF(F_RAWTP) };
static const struct okind OK_PIN = { "bpf_obj_pin_opts", 16, F_PIN, NF(F_PIN) };
static const struct okind OK_GET = { "bpf_obj_get_opts", 16, F_PIN, NF(F_PIN) };

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
};

/* ------------------------------------------------------------------ */
/* A case                                                              */

struct tcase {
	int fn;
	int64_t a0, a1, a2;	/* integer arguments, see call_desc() */
	int has_opts;
	uint64_t sz;
	uint8_t img[IMG];	/* opts bytes (img[0..8] is replaced by sz) */
	int place;		/* 0: at OFF_OPTS + mis; k > 0: the opts end k bytes before the unmapped end */
	int mis;		/* misalignment of the opts pointer (normal placement only) */
	uint32_t far;		/* normal placement: region offset of one non-zero byte far in the tail */
	int p1, p2;		/* pointer arguments: 1 = valid region pointer, 0 = NULL */
	uint32_t in_val;	/* initial *info_len */
	int nk;
	struct fake_answer k[FAKE_MAX_ANS];
	int nd;
	struct fake_dupans d[FAKE_MAX_ANS];
	char desc[120];
};

/* What the child leaves behind for the parent (MAP_SHARED). */
#define MAX_MSG 8
#define MSG_LEN 200
struct shared {
	struct fake_state fk;
	int returned;
	long ret;
	int err;
	int nmsg, msg_lost;
	int lvl[MAX_MSG];
	char msg[MAX_MSG][MSG_LEN];
	uint32_t next_id, info_len;
	uint8_t info[INFO_BUF];
};
static struct shared *S;

static int print_cb(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (S->nmsg >= MAX_MSG) {
		S->msg_lost++;
		errno = 7777;
		return 0;
	}
	vsnprintf(S->msg[S->nmsg], MSG_LEN, fmt, ap);
	S->lvl[S->nmsg] = (int)level;
	S->nmsg++;
	/* libbpf saves errno around the callback: clobber it to see that */
	errno = 7777;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Running a case (child)                                              */

static uint8_t *opts_addr(const struct tcase *c)
{
	uint8_t *R = (uint8_t *)R_BASE;

	return c->place ? R + R_SIZE - c->place : R + OFF_OPTS + c->mis;
}

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

	setrlimit(RLIMIT_CORE, &nocore);
	alarm(5);

	if (c->has_opts) {
		size_t n = c->place && c->place < IMG ? (size_t)c->place : IMG;

		o = opts_addr(c);
		memcpy(o, c->img, n);
		memcpy(o, &c->sz, 8);
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

static void print_call(FILE *f, const struct tcase *c)
{
	const char *p1 = c->p1 ? "R+0x180" : "NULL";

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
		size_t n = mapped_img(c), last = 8, i;

		for (i = 8; i < n; i++)
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
		fprintf(f, "\nopts bytes[8..%zu]: ", last);
		hex(f, c->img + 8, last - 8);
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

static void print_result(FILE *f, const struct tcase *c, int status)
{
	int i;

	for (i = 0; i < S->fk.nrec; i++) {
		const struct fake_rec *r = &S->fk.rec[i];

		switch (r->kind) {
		case REC_BPF:
			fprintf(f, "bpf cmd=%ld(%s) size=%ld attr=", r->a, cmdname(r->a), r->c);
			hex(f, r->bytes, r->nbytes);
			break;
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
		fprintf(f, "\n");
	}
	if (S->fk.rec_lost)
		fprintf(f, "records lost %d\n", S->fk.rec_lost);
	for (i = 0; i < S->nmsg; i++) {
		fprintf(f, "msg %d \"", S->lvl[i]);
		print_escaped(f, S->msg[i]);
		fprintf(f, "\"\n");
	}
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

	memset(S, 0, sizeof(*S));
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
	struct fake_answer a = { FA_RET, v, -1, 0, 0 };
	return a;
}

static struct fake_answer A_ERR(int e)
{
	struct fake_answer a = { FA_ERR, e, -1, 0, 0 };
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

static void set_opts(struct tcase *c, uint64_t sz)
{
	c->has_opts = 1;
	c->sz = sz;
}

static void put(struct tcase *c, int off, int size, uint64_t v)
{
	memcpy(c->img + off, &v, size);	/* little endian */
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
	if (f->size == 8)
		return f->off == 16 ? RADDR(0x800) : 0x1122334455660000ull | (uint64_t)f->off;
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
		set_opts(&c, 80);
		desc(&c, "type %u opts zero sz 80", t);
		run_case(&c, "fixed");

		for (i = 0; i < NF(F_CREATE); i++) {
			init_case(&c, F_LINK_CREATE);
			c.a2 = t;
			c.a1 = 4;
			set_opts(&c, 80);
			put(&c, F_CREATE[i].off, F_CREATE[i].size, field_value(&F_CREATE[i]));
			desc(&c, "type %u field %s", t, F_CREATE[i].name);
			run_case(&c, "fixed");
		}
		/* the same fields again, as single bytes at the far end */
		for (i = 0; i < NF(F_CREATE); i++) {
			init_case(&c, F_LINK_CREATE);
			c.a2 = t;
			c.a1 = 4;
			set_opts(&c, 80);
			c.img[F_CREATE[i].off + F_CREATE[i].size - 1] = 0x80;
			desc(&c, "type %u top byte of %s", t, F_CREATE[i].name);
			run_case(&c, "fixed");
		}

		/* conflicting pairs */
		{
			static const struct { int o1, s1, o2, s2; const char *name; } P[] = {
				{ 24, 4, 28, 4, "iter_info_len+target_btf_id" },
				{ 32, 4, 36, 4, "relative_fd+relative_id" },
				{ 28, 4, 32, 8, "target_btf_id+tracing.cookie" },
				{ 28, 4, 40, 8, "target_btf_id+u64@40" },
				{ 24, 4, 32, 8, "iter_info_len+bpf_cookie" },
				{ 8, 4, 12, 4, "flags+pad12" },
				{ 12, 4, 13, 1, "pad12 bytes 12 and 13" },
				{ 76, 1, 79, 1, "bytes 76 and 79" },
				{ 36, 4, 72, 4, "relative_id+pid" },
				{ 16, 8, 24, 4, "iter_info+iter_info_len" },
			};
			for (i = 0; i < NF(P); i++) {
				init_case(&c, F_LINK_CREATE);
				c.a2 = t;
				c.a1 = 4;
				set_opts(&c, 80);
				put(&c, P[i].o1, P[i].s1, 0x11);
				put(&c, P[i].o2, P[i].s2, 0x22);
				desc(&c, "type %u pair %s", t, P[i].name);
				run_case(&c, "fixed");
			}
			/* every byte of the struct set */
			init_case(&c, F_LINK_CREATE);
			c.a2 = t;
			set_opts(&c, 80);
			for (i = 8; i < 80; i++)
				c.img[i] = (uint8_t)(i * 37 + 11);
			desc(&c, "type %u all bytes 8..80 set", t);
			run_case(&c, "fixed");
			/* everything but the 76..80 tail */
			init_case(&c, F_LINK_CREATE);
			c.a2 = t;
			set_opts(&c, 80);
			for (i = 8; i < 76; i++)
				c.img[i] = (uint8_t)(i * 37 + 11);
			desc(&c, "type %u all bytes 8..76 set", t);
			run_case(&c, "fixed");
			/* a whole union set, no iter/btf fields */
			init_case(&c, F_LINK_CREATE);
			c.a2 = t;
			c.a1 = 4;
			set_opts(&c, 80);
			put(&c, 8, 4, 0x2008);
			for (i = 32; i < 76; i++)
				c.img[i] = (uint8_t)(i * 13 + 1);
			desc(&c, "type %u flags + union bytes 32..76 set", t);
			run_case(&c, "fixed");
		}

		/* kernel answers */
		{
			struct {
				struct fake_answer k0, k1;
				int nk;
				struct fake_dupans d0;
				int nd;
				int target_fd, opts_kind;	/* 0 NULL, 1 zero sz 80, 2 flags set, 3 cookie set, 4 sz 8 */
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
					set_opts(&c, K[i].opts_kind == 4 ? 8 : 80);
				if (K[i].opts_kind == 2)
					put(&c, 8, 4, 0x4);
				if (K[i].opts_kind == 3)
					put(&c, 32, 8, 77);
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
						"zero", "struct bytes set", "byte 77", "byte 80",
						"byte 84", "byte 200", "all 256 bytes"
					};
					init_case(&c, F_LINK_CREATE);
					c.a2 = TY[ti2];
					set_opts(&c, SIZES[si]);
					switch (tail) {
					case 1:
						for (i = 8; i < 76; i++)
							c.img[i] = (uint8_t)(i * 37 + 11);
						break;
					case 2: c.img[77] = 1; break;
					case 3: c.img[80] = 1; break;
					case 4: c.img[84] = 0x40; break;
					case 5: c.img[200] = 0x42; break;
					case 6:
						for (i = 8; i < IMG; i++)
							c.img[i] = (uint8_t)(i * 37 + 11);
						break;
					}
					desc(&c, "type %u sz %" PRIu64 " tail %s", TY[ti2], SIZES[si], TN[tail]);
					run_case(&c, "fixed");
				}
		/* placement: the struct ends at the unmapped page */
		for (ti2 = 0; ti2 < NF(TY); ti2++)
			for (si = 0; si < NF(SIZES); si++) {
				static const int KS[] = { 8, 16, 80, 88, 128 };
				int ki;

				for (ki = 0; ki < NF(KS); ki++) {
					uint64_t sz = SIZES[si];
					uint64_t need = sz < 80 ? sz : 80;
					int tight = need < 8 ? 8 : (int)((need + 7) & ~7ull);

					int k = sz <= 80 ? tight : KS[ki];

					/* the caller's struct (min(sz, 80) bytes) is always readable */
					if (sz <= 80 ? ki != 0 : KS[ki] < 80)
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
				set_opts(&c, tail & 1 ? 80 : 88);
				put(&c, 8, 4, 0x8);
				put(&c, 32, 8, 0x1234);
				if (tail == 3)
					c.img[77] = 1;
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
				       (1ull << 63) + 100, ~0ull };
	static const int KI[][2] = { { 0, 0 }, { 8, 4 }, { 12, 9 }, { 16, 10 }, { 12, -1 },
				     { 20, 1 }, { 24, 1 } };
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
					put(&c, 12, 4, 9);
					put(&c, 16, 4, 10);
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
					set_opts(&c, 24);
					put(&c, 8, 4, 4);
					put(&c, 12, 4, 6);
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
				       (1ull << 63) + 100, ~0ull, (1ull << 63) - 1 };
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
					uint64_t val = v ? (f->size == 8 ? RADDR(OFF_TP) : 0xffffffffu)
							 : (f->size == 8 ? 0x8877665544332211ull : 0x4000);
					put(&c, f->off, f->size, val);
					desc(&c, "sz %" PRIu64 " %s=0x%" PRIx64, SZ[i], f->name, val);
				} else if (j == ok->nf) {
					int b;

					for (b = 8; b < ok->size; b++)
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
			put(&c, ok->f[j].off, ok->f[j].size, ok->f[j].size == 8 ? RADDR(OFF_TP) : 3);
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
	struct fake_answer a = { FA_DEFAULT, 0, -1, 0, 0 };
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

#define ADD(o, sz) do { f[n].off = (o); f[n].size = (sz); f[n].name = ""; n++; } while (0)
	switch (t) {
	case 28: ADD(16, 8); ADD(24, 4); break;
	case 41: ADD(32, 8); break;
	case 42: case 56: ADD(32, 4); ADD(36, 4); ADD(40, 8); ADD(48, 8); ADD(56, 8); break;
	case 48: case 57:
		ADD(32, 4); ADD(36, 4); ADD(40, 8); ADD(48, 8); ADD(56, 8); ADD(64, 8); ADD(72, 4);
		break;
	case 23: case 24: case 25: case 26: case 27: case 58: ADD(32, 8); break;
	case 45: ADD(32, 4); ADD(36, 4); ADD(40, 4); ADD(44, 4); break;
	case 46: case 47: case 54: case 55:
	case 0: case 1: case 2: case 3: case 6: case 8: case 9: case 10: case 11: case 12:
	case 13: case 14: case 15: case 18: case 19: case 20: case 21: case 22: case 29:
	case 30: case 31: case 32: case 34: case 43: case 49: case 50: case 51: case 52: case 53:
		ADD(32, 4); ADD(36, 4); ADD(40, 8); break;
	default: break;
	}
	ADD(8, 4);
#undef ADD
	return n;
}

/* bpf_link_create opts that a well-behaved caller of this attach type could
 * pass: only the type's own fields (and flags), sz at a field boundary. */
static void gen_coherent_create(struct tcase *c)
{
	struct fld f[10];
	int n = type_fields((uint32_t)c->a2, f), i;
	static const uint64_t SZ[] = { 80, 80, 80, 76, 72, 64, 48, 40, 32, 16, 12, 8 };

	c->has_opts = 1;
	memset(c->img, 0, sizeof(c->img));
	c->place = 0;
	c->sz = chance(80) ? SZ[below(NF(SZ))] : rnd_sz(&OK_CREATE);
	for (i = 0; i < n; i++)
		if (chance(f[i].off == 8 ? 25 : 50))
			put(c, f[i].off, f[i].size, rnd_value(f[i].size));
	if (chance(10))
		put(c, 28, 4, chance(50) ? 1 : rnd_value(4));
	if (chance(5))
		c->img[80 + below(IMG - 80)] = 1;
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
			c->img[8 + below(ok->size - 8)] = (uint8_t)(1 + below(255));
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
	/* the page after the region must be unmapped */
	if (msync((char *)R_BASE + R_SIZE, 4096, MS_ASYNC) == 0 || errno != ENOMEM) {
		fprintf(stderr, "driver: the page after the region is mapped\n");
		exit(2);
	}
	memcpy((char *)p + OFF_PATH, PATH_STR, sizeof(PATH_STR));
	memcpy((char *)p + OFF_TP, TP_STR, sizeof(TP_STR));
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
		else {
			fprintf(stderr, "usage: %s [--seed N] [--cases M] [--case K] [--no-fixed] [--list]\n",
				argv[0]);
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
	libbpf_set_print(print_cb);

	fprintf(out, "library %s\n", LIBNAME);
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
