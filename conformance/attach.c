/*
 * Differential conformance of attach by name: libbpf 1.7.0's
 * bpf_program__attach_{perf_event,tracepoint,kprobe,uprobe,uprobe_multi,
 * kprobe_multi}_opts and bpf_prog_query(_opts) against bpflink's
 * bpflink_attach_* (program fd) and bpf_prog_query(_opts), each case run in
 * a forked child against the fake kernel of fakebpf.c in probe mode:
 * scripted bpf(), perf_event_open() and perf ioctl answers, and virtual
 * sysfs/tracefs files (/sys/bus/event_source/..., /sys/kernel/tracing/...,
 * /proc/kallsyms). Every call either library makes is recorded with its
 * bytes (perf_event_attr, BPF_LINK_CREATE, the perf link probe's
 * BPF_PROG_LOAD), then the link's object is shown field by field (libbpf's
 * struct bpf_link_perf layout) and destroyed, with what that does.
 *
 * The oracle needs a struct bpf_program: it opens conformance/attach.bpf.o
 * and loads it against the fake kernel before the cases (every bpf() then
 * succeeds), and bpflink's driver takes that program's fd, the same number.
 * libbpf names the program in its messages ("prog 'attach_prog'"); bpflink
 * has only the fd ("prog fd 7"): the oracle's messages are shown with the
 * fd too. The legacy probe names hold the pid, shown as PID.
 *
 *   attach-{oracle,bpflink,bpflink-static} DIR [--case K]
 * DIR holds libtarget.so (the uprobe target) and attach.bpf.o.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef ORACLE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#else
#include <bpflink.h>
#endif

#include "fakebpf.h"

enum afn { A_PERF, A_TP, A_KPROBE, A_UPROBE, A_UMULTI, A_KMULTI, A_QUERY, A_QUERY_OLD, A_N };
static const char *const AFN[A_N] = {
	"attach_perf_event_opts", "attach_tracepoint_opts", "attach_kprobe_opts",
	"attach_uprobe_opts", "attach_uprobe_multi", "attach_kprobe_multi_opts",
	"bpf_prog_query_opts", "bpf_prog_query",
};

#define R_BASE 0x210000000000UL
#define R_SIZE (64 * 1024)
#define OFF_OPTS 0x100
#define OFF_S1 0x400
#define OFF_S2 0x800
#define OFF_ARR 0xc00	/* syms / offsets / cookies arrays, ids */
#define OFF_SYMSTR 0x1000
#define NVF 10

struct vspec { const char *path, *text; int err, wr_err; };
struct acase {
	int fn;
	char desc[160];
	int pfd, pid;
	const char *s1, *s2;	/* NULL-able strings (copied into the region) */
	long off;
	int has_opts;
	size_t sz;
	uint8_t opts[64];
	int nk, np, ni;
	struct fake_answer k[FAKE_MAX_ANS], p[FAKE_MAX_ANS], io[FAKE_MAX_ANS];
	int nvf;
	struct vspec vf[NVF];
	int syms;	/* uprobe/kprobe_multi: put this many names (s2 list, ',' separated) in opts.syms */
	int offsets;	/* uprobe_multi: this many offsets (0x100, 0x200, ...) in opts.offsets */
	int qcnt;	/* prog_query: count, prog_ids/link_ids arrays of that size */
};

struct shared {
	struct fake_state fk;
	int returned;
	long ret;
	int err;
	char text[64 * 1024];
	size_t tlen;
};
static struct shared *S;
static const char *dir;
static int prog_fd = -1;
#ifdef ORACLE
static struct bpf_program *prog;
#endif
static struct acase C[2048];
static int ncase;

static void outf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(S->text + S->tlen, sizeof(S->text) - S->tlen, fmt, ap);
	va_end(ap);
	if (n > 0)
		S->tlen += (size_t)n < sizeof(S->text) - S->tlen ? (size_t)n : 0;
}

/* "libbpf_<our pid>_" -> "libbpf_PID_"; libbpf's "prog 'attach_prog'" ->
 * bpflink's "prog fd N". */
static void normalize(const char *in, char *out, size_t n)
{
	char pid[32], mine[48];
	size_t o = 0;

	snprintf(pid, sizeof(pid), "libbpf_%d_", (int)getpid());
	snprintf(mine, sizeof(mine), "prog fd %d", prog_fd);
	while (*in && o + 1 < n) {
		if (!strncmp(in, pid, strlen(pid))) {
			o += snprintf(out + o, n - o, "libbpf_PID_");
			in += strlen(pid);
		} else if (!strncmp(in, "prog 'attach_prog'", 18)) {
			o += snprintf(out + o, n - o, "%s", mine);
			in += 18;
		} else {
			out[o++] = *in++;
		}
	}
	out[o < n ? o : n - 1] = 0;
}

static int print_cb(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char raw[512], norm[600];
	size_t l;

	vsnprintf(raw, sizeof(raw), fmt, ap);
	l = strlen(raw);
	if (l && raw[l - 1] == '\n')
		raw[l - 1] = 0;
	/* libelf's elf_errmsg() text has no counterpart in bpflink (which says
	 * why in its own words): the reason after the path is not compared */
	if (!strncmp(raw, "libbpf: elf: failed to get ehdr from ", 37) ||
	    !strncmp(raw, "libbpf: elf: could not read elf from ", 37)) {
		char *colon = strrchr(raw, ':');

		if (colon)
			snprintf(colon, sizeof(raw) - (size_t)(colon - raw), ": <reason>");
	}
	normalize(raw, norm, sizeof(norm));
	outf("msg %c \"%s\"\n", "WID"[level % 3], norm);
	return 0;
}

static const char *ename(int e)
{
	static char b[32];
	const char *n = strerrorname_np(e);

	if (n)
		return n;
	snprintf(b, sizeof(b), "%d", e);
	return b;
}

static void hexb(const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		outf("%s%02x", i && i % 8 == 0 ? " " : "", b[i]);
}

static void print_recs(int from)
{
	struct fake_state *s = &S->fk;
	int i, j;
	char norm[400];
	long shrink;

	for (i = from; i < s->nrec; i++) {
		struct fake_rec *r = &s->rec[i];

		/* libelf's own look at the ELF file's fd (elf_begin): not
		 * something libbpf asks for, and not part of the comparison */
		if (r->kind == REC_FCNTL && !r->fake && r->b == F_GETFD)
			continue;
		normalize(r->str, norm, sizeof(norm));
		shrink = 0;
		switch (r->kind) {
		case REC_BPF:
			outf("bpf cmd=%ld size=%ld attr=", r->a, r->c);
			hexb(r->bytes, r->nbytes);
			if (r->pkind)
				outf(" str=\"%s\"", norm);
			for (j = 0; j < r->nvals; j++)
				outf(" val=%#llx", (unsigned long long)r->vals[j]);
			break;
		case REC_PERF:
			outf("perf_event_open pid=%ld cpu=%ld group=%d flags=%#lx attr=", r->a, r->b,
			     (int)(r->c & 0xffffffff), (unsigned long)(r->c >> 32));
			/* config1 is a pointer into each library's memory */
			if (r->pkind)
				memset(r->bytes + 56, 0xee, 8);
			hexb(r->bytes, r->nbytes);
			if (r->pkind)
				outf(" config1=\"%s\"", norm);
			break;
		case REC_IOCTL:
			outf("ioctl fd=%ld req=%#lx arg=%ld", r->a, r->b, r->c);
			break;
		case REC_READFILE:
			outf("read-file \"%s\"", norm);
			break;
		case REC_APPENDFILE:
			outf("append-file \"%s\"", norm);
			break;
		case REC_WRITE:
			/* the count as if the text held PID, like the text shown:
			 * the oracle's and bpflink's drivers may have pids of
			 * different lengths (9999 and 10000) */
			shrink = (long)strlen(r->str) - (long)strlen(norm);
			outf("write \"%s\" (%ld bytes)", norm, (long)r->plen - shrink);
			break;
		case REC_ACCESS:
			outf("%s \"%s\" mode=%ld", r->b ? "access" : "faccessat", norm, r->a);
			break;
		case REC_OPEN:
			outf("open \"%s\" flags=%#lx", norm, r->a);
			break;
		case REC_CLOSE:
			outf("close fd=%ld%s", r->a, r->fake ? "(fake)" : "");
			break;
		case REC_FCNTL:
			outf("fcntl fd=%ld cmd=%ld arg=%ld", r->a, r->b, r->c);
			break;
		case REC_SYSCALL:
			outf("syscall nr=%ld", r->a);
			break;
		default:
			outf("rec kind=%d", r->kind);
		}
		if (r->kind != REC_READFILE && r->kind != REC_APPENDFILE)
			outf(" -> %ld", r->ret >= 0 ? r->ret - shrink : r->ret);
		else
			outf(" -> %s", r->ret < 0 ? "fail" : "ok");
		if (r->ret < 0)
			outf(" errno %d(%s)", r->err, ename(r->err));
		outf("\n");
	}
	if (s->rec_lost)
		outf("records lost %d\n", s->rec_lost);
}

/* ------------------------------------------------------------ the call */

static uint8_t *R;

static const char *rstr(int off, const char *s)
{
	if (!s)
		return NULL;
	snprintf((char *)R + off, 0x400, "%s", s);
	return (const char *)R + off;
}

static void set_script(const struct acase *c)
{
	struct fake_state *s = &S->fk;
	int i;
	char path[FAKE_VPATH_MAX], pid[16];

	memset(s, 0, sizeof(*s));
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	s->nans = c->nk;
	memcpy(s->ans, c->k, sizeof(c->k));
	s->nperf = c->np;
	memcpy(s->perf, c->p, sizeof(c->p));
	s->nioctl = c->ni;
	memcpy(s->ioctl, c->io, sizeof(c->io));
	s->nvf = c->nvf;
	for (i = 0; i < c->nvf; i++) {
		const char *at = strstr(c->vf[i].path, "@PID@");

		if (at)
			snprintf(path, sizeof(path), "%.*s%s%s", (int)(at - c->vf[i].path), c->vf[i].path, pid,
				 at + 5);
		else
			snprintf(path, sizeof(path), "%s", c->vf[i].path);
		snprintf(s->vf[i].path, sizeof(s->vf[i].path), "%s", path);
		s->vf[i].err = c->vf[i].err;
		s->vf[i].wr_err = c->vf[i].wr_err;
		if (c->vf[i].text) {
			s->vf[i].len = (uint32_t)strlen(c->vf[i].text);
			memcpy(s->vf[i].text, c->vf[i].text, s->vf[i].len);
		}
	}
	s->wlo = R_BASE;
	s->whi = R_BASE + R_SIZE;
	s->probe = 1;
	s->active = 1;
	s->recording = 1;
}

static void show_link(struct bpf_link *l)
{
	/* libbpf's private layout: struct bpf_link (32 bytes), then, for a
	 * perf link, perf_event_fd @32, legacy_probe_name @40, the flags @48/49 */
	uint8_t *b = (uint8_t *)l;
	int fd;

	memcpy(&fd, b + 24, 4);
	outf("link fd=%d pin_path=%s disconnected=%d detach=%s dealloc=%s", fd,
	     *(char **)(b + 16) ? "set" : "NULL", b[28], *(void **)b ? "set" : "NULL",
	     *(void **)(b + 8) ? "set" : "NULL");
	/* only a perf link has a dealloc and the fields past 32 bytes: a
	 * multi link is a bare 32-byte struct bpf_link */
	if (*(void **)(b + 8)) {
		int perf_fd;
		char *name;
		char norm[200];

		memcpy(&perf_fd, b + 32, 4);
		memcpy(&name, b + 40, 8);
		normalize(name ? name : "NULL", norm, sizeof(norm));
		outf(" perf_fd=%d legacy=%s kprobe=%d retprobe=%d", perf_fd, norm, b[48], b[49]);
	}
	outf("\n");
}

static void run_child(const struct acase *c)
{
	struct rlimit nocore = { 0, 0 };
	uint8_t *o = NULL;
	struct bpf_link *link = NULL;
	const char *s1 = rstr(OFF_S1, c->s1), *s2 = rstr(OFF_S2, c->s2);
	long ret = 0;
	int e, i, is_link = c->fn <= A_KMULTI;

	setrlimit(RLIMIT_CORE, &nocore);
	alarm(5);
	libbpf_set_print(print_cb);
	if (c->has_opts) {
		o = R + OFF_OPTS;
		memcpy(o, c->opts, sizeof(c->opts));
		memcpy(o, &c->sz, 8);
		if (c->fn == A_UPROBE && c->s2)	/* func_name */
			memcpy(o + 32, &s2, 8);
		if (c->syms) {
			const char **arr = (const char **)(R + OFF_ARR);
			char *names = (char *)R + OFF_SYMSTR;
			const char *p = c->s2;

			for (i = 0; i < c->syms && p; i++) {
				size_t n = strcspn(p, ",");

				memcpy(names, p, n);
				names[n] = 0;
				arr[i] = names;
				names += n + 1;
				p = p[n] ? p + n + 1 : NULL;
			}
			memcpy(o + 8, &arr, 8);
			memcpy(o + (c->fn == A_UMULTI ? 40 : 32), &(size_t){ (size_t)c->syms }, 8);
		}
		if (c->offsets) {
			unsigned long *arr = (unsigned long *)(R + OFF_ARR);

			for (i = 0; i < c->offsets; i++)
				arr[i] = 0x100 * (i + 1);
			memcpy(o + 16, &arr, 8);
			memcpy(o + 40, &(size_t){ (size_t)c->offsets }, 8);
		}
		if (c->qcnt) {
			__u32 *ids = (__u32 *)(R + OFF_ARR);
			uint64_t a = (uint64_t)(uintptr_t)ids, b = a + 0x100;

			memcpy(o + 16, &a, 8);
			memcpy(o + 40, &b, 8);
			memcpy(o + 24, &(__u32){ (__u32)c->qcnt }, 4);
		}
	}
	set_script(c);
	errno = 4242;
	switch (c->fn) {
#ifdef ORACLE
	case A_PERF:
		link = bpf_program__attach_perf_event_opts(prog, c->pfd, (void *)o);
		break;
	case A_TP:
		link = bpf_program__attach_tracepoint_opts(prog, s1, s2, (void *)o);
		break;
	case A_KPROBE:
		link = bpf_program__attach_kprobe_opts(prog, s1, (void *)o);
		break;
	case A_UPROBE:
		link = bpf_program__attach_uprobe_opts(prog, c->pid, s1, (size_t)c->off, (void *)o);
		break;
	case A_UMULTI:
		link = bpf_program__attach_uprobe_multi(prog, c->pid, s1, c->syms ? NULL : s2, (void *)o);
		break;
	case A_KMULTI:
		link = bpf_program__attach_kprobe_multi_opts(prog, c->syms ? NULL : s1, (void *)o);
		break;
#else
	case A_PERF:
		link = bpflink_attach_perf_event_opts(prog_fd, c->pfd, (void *)o);
		break;
	case A_TP:
		link = bpflink_attach_tracepoint_opts(prog_fd, s1, s2, (void *)o);
		break;
	case A_KPROBE:
		link = bpflink_attach_kprobe_opts(prog_fd, s1, (void *)o);
		break;
	case A_UPROBE:
		link = bpflink_attach_uprobe_opts(prog_fd, c->pid, s1, (size_t)c->off, (void *)o);
		break;
	case A_UMULTI:
		link = bpflink_attach_uprobe_multi(prog_fd, c->pid, s1, c->syms ? NULL : s2, (void *)o);
		break;
	case A_KMULTI:
		link = bpflink_attach_kprobe_multi_opts(prog_fd, c->syms ? NULL : s1, (void *)o);
		break;
#endif
	case A_QUERY:
		ret = bpf_prog_query_opts((int)c->pfd, (enum bpf_attach_type)c->off, (void *)o);
		break;
	case A_QUERY_OLD: {
		__u32 *flags = (__u32 *)(R + OFF_ARR + 0x200), *cnt = flags + 1;

		*flags = 0xdeadbeef;
		*cnt = (__u32)c->qcnt;
		ret = bpf_prog_query((int)c->pfd, (enum bpf_attach_type)c->off, 0x5,
				     c->pid ? flags : NULL, (__u32 *)(R + OFF_ARR), cnt);
		break;
	}
	}
	e = errno;
	S->fk.recording = 0;
	print_recs(0);
	if (is_link) {
		if (!link) {
			outf("result NULL errno %d(%s)\n", e, ename(e));
		} else {
			int from;

			/* errno after a success is not compared: libbpf's is
			 * whatever libc's stdio left while it read the files */
			outf("result link\n");
			show_link(link);
			from = S->fk.nrec;
			S->fk.recording = 1;
			errno = 4242;
			ret = bpf_link__destroy(link);
			e = errno;
			S->fk.recording = 0;
			print_recs(from);
			outf("destroy ret %ld errno %s\n", ret, e == 4242 ? "untouched" : ename(e));
		}
	} else {
		outf("result ret %ld errno %s\n", ret, e == 4242 ? "untouched" : ename(e));
		if (o)
			outf("out attach_flags=%#x count=%u revision=%#llx\n", *(__u32 *)(o + 12),
			     *(__u32 *)(o + 24), (unsigned long long)*(uint64_t *)(o + 56));
		if (c->fn == A_QUERY_OLD)
			outf("out flags=%#x cnt=%u\n", *(__u32 *)(R + OFF_ARR + 0x200),
			     *(__u32 *)(R + OFF_ARR + 0x204));
	}
	S->fk.active = 0;
	S->returned = 1;
	_exit(0);
}

/* ------------------------------------------------------------ the cases */

static struct acase *add(int fn, const char *fmt, ...)
{
	struct acase *c = &C[ncase++];
	va_list ap;

	memset(c, 0, sizeof(*c));
	c->fn = fn;
	c->pfd = 40;
	c->pid = -1;
	va_start(ap, fmt);
	vsnprintf(c->desc, sizeof(c->desc), fmt, ap);
	va_end(ap);
	return c;
}

static struct fake_answer OK(int v) { return (struct fake_answer){ FA_RET, v, -1, 0, 0, 0 }; }
static struct fake_answer ERR(int e) { return (struct fake_answer){ FA_ERR, e, -1, 0, 0, 0 }; }
static void K(struct acase *c, struct fake_answer a) { c->k[c->nk++] = a; }
static void P(struct acase *c, struct fake_answer a) { c->p[c->np++] = a; }
static void IO(struct acase *c, struct fake_answer a) { c->io[c->ni++] = a; }
static void VF(struct acase *c, const char *path, const char *text, int err)
{
	c->vf[c->nvf++] = (struct vspec){ path, text, err, 0 };
}
static void OPT(struct acase *c, size_t sz, int off, int size, uint64_t v)
{
	c->has_opts = 1;
	c->sz = sz;
	if (off >= 8)
		memcpy(c->opts + off, &v, size);
}

/* The perf link probe's answers: supported (EBADF), missing (EINVAL), the
 * probe program not loadable (EPERM). */
enum { PL_YES, PL_NO, PL_FAIL };
static void perf_link(struct acase *c, int how)
{
	if (how == PL_FAIL) {
		K(c, ERR(EPERM));
		return;
	}
	K(c, OK(30));
	K(c, ERR(how == PL_YES ? EBADF : EINVAL));
}

#define UPROBE_TYPE "/sys/bus/event_source/devices/uprobe/type"
#define UPROBE_RET "/sys/bus/event_source/devices/uprobe/format/retprobe"
#define KPROBE_TYPE "/sys/bus/event_source/devices/kprobe/type"
#define KPROBE_RET "/sys/bus/event_source/devices/kprobe/format/retprobe"
#define TRACEFS "/sys/kernel/tracing"

static char target[600];

static void cases_perf(void)
{
	static const int how[] = { PL_YES, PL_NO, PL_FAIL };
	int h, v;
	struct acase *c;

	for (h = 0; h < 3; h++) {
		for (v = 0; v < 7; v++) {
			c = add(A_PERF, "perf link %d, variant %d", how[h], v);
			perf_link(c, how[h]);
			switch (v) {
			case 1: OPT(c, 24, 8, 8, 0x1234); break;		/* cookie */
			case 2: OPT(c, 24, 16, 1, 1); break;		/* force_ioctl */
			case 3: OPT(c, 24, 17, 1, 1); break;		/* dont_enable */
			case 4: OPT(c, 24, 8, 8, 5); OPT(c, 24, 16, 1, 1); break;
			case 5: IO(c, ERR(EPROTO)); IO(c, ERR(EBADF)); break;
			case 6: K(c, ERR(EEXIST)); IO(c, ERR(ENOTTY)); break;
			}
		}
	}
	c = add(A_PERF, "pfd -1");
	c->pfd = -1;
	for (v = 0; v < 6; v++) {
		static const size_t szs[] = { 0, 7, 8, 18, 24, 32 };

		c = add(A_PERF, "opts sz %zu with a byte at 20", szs[v]);
		perf_link(c, PL_YES);
		OPT(c, szs[v], 20, 1, 1);
	}
	c = add(A_PERF, "enable fails after a perf link");
	perf_link(c, PL_YES);
	K(c, OK(33));
	IO(c, ERR(EBADF));
}

static void cases_tp(void)
{
	static const char *const texts[] = { "614\n", "  7", "", "abc", "-2\n", "config:1" };
	struct acase *c;
	int i;

	for (i = 0; i < 6; i++) {
		c = add(A_TP, "tracepoint id file \"%s\"", texts[i]);
		c->s1 = "syscalls";
		c->s2 = "sys_enter_openat";
		perf_link(c, PL_YES);
		VF(c, TRACEFS "/events/syscalls/sys_enter_openat/id", texts[i], 0);
	}
	c = add(A_TP, "tracepoint missing");
	c->s1 = "syscalls";
	c->s2 = "nope";
	c = add(A_TP, "tracepoint id unreadable (EACCES)");
	c->s1 = "a";
	c->s2 = "b";
	VF(c, TRACEFS "/events/a/b/id", NULL, EACCES);
	c = add(A_TP, "debugfs present");
	c->s1 = "a";
	c->s2 = "b";
	VF(c, "/sys/kernel/debug/tracing", "", 0);
	VF(c, "/sys/kernel/debug/tracing/events/a/b/id", "5", 0);
	perf_link(c, PL_NO);
	for (i = 0; i < 3; i++) {
		c = add(A_TP, "perf_event_open fails (%d), cookie", i);
		c->s1 = "a";
		c->s2 = "b";
		VF(c, TRACEFS "/events/a/b/id", "5", 0);
		OPT(c, 16, 8, 8, 99);
		P(c, ERR(i == 0 ? EINVAL : i == 1 ? EMFILE : ENOENT));
	}
	c = add(A_TP, "perf link fails: the perf fd is closed");
	c->s1 = "a";
	c->s2 = "b";
	VF(c, TRACEFS "/events/a/b/id", "5", 0);
	perf_link(c, PL_YES);
	K(c, ERR(EINVAL));
	c = add(A_TP, "cookie without perf links");
	c->s1 = "a";
	c->s2 = "b";
	VF(c, TRACEFS "/events/a/b/id", "5", 0);
	perf_link(c, PL_NO);
	OPT(c, 16, 8, 8, 1);
	c = add(A_TP, "NULL category");
	c->s2 = "b";
	c = add(A_TP, "opts sz 4");
	c->s1 = "a";
	c->s2 = "b";
	OPT(c, 4, 0, 0, 0);
}

static void cases_kprobe(void)
{
	struct acase *c;
	int mode, ret, pmu;

	for (pmu = 0; pmu < 2; pmu++)
		for (mode = 0; mode < 5; mode++)
			for (ret = 0; ret < 2; ret++) {
				c = add(A_KPROBE, "kprobe pmu=%d mode=%d retprobe=%d", pmu, mode, ret);
				c->s1 = "do_sys_openat2";
				OPT(c, 32, 24, 1, ret);
				OPT(c, 32, 28, 4, mode);
				OPT(c, 32, 16, 8, mode * 0x10);
				OPT(c, 32, 8, 8, 0x77);
				if (pmu) {
					VF(c, KPROBE_TYPE, "6\n", 0);
					VF(c, KPROBE_RET, "config:0\n", 0);
				}
				VF(c, TRACEFS "/kprobe_events", "", 0);
				VF(c, TRACEFS "/events/kprobes/libbpf_@PID@_0_do_sys_openat2_0x0/id", "1001", 0);
				VF(c, TRACEFS "/events/kprobes/libbpf_@PID@_0_do_sys_openat2_0x10/id", "1002", 0);
				VF(c, TRACEFS "/events/kretprobes/libbpf_@PID@_0_do_sys_openat2_0x0/id", "1003", 0);
				VF(c, TRACEFS "/events/kretprobes/libbpf_@PID@_0_do_sys_openat2_0x10/id", "1004", 0);
				perf_link(c, mode == 3 && pmu ? PL_NO : PL_YES);
			}
	c = add(A_KPROBE, "legacy: no kprobe_events");
	c->s1 = "vfs_read";
	c = add(A_KPROBE, "legacy: kprobe_events write fails");
	c->s1 = "vfs_read";
	c->vf[c->nvf++] = (struct vspec){ TRACEFS "/kprobe_events", "", 0, EINVAL };
	c = add(A_KPROBE, "legacy: id missing");
	c->s1 = "vfs_read";
	VF(c, TRACEFS "/kprobe_events", "", 0);
	c = add(A_KPROBE, "legacy: perf_event_open fails");
	c->s1 = "vfs_read";
	VF(c, TRACEFS "/kprobe_events", "", 0);
	VF(c, TRACEFS "/events/kprobes/libbpf_@PID@_0_vfs_read_0x0/id", "9", 0);
	P(c, ERR(EINVAL));
	c = add(A_KPROBE, "pmu: retprobe bit missing");
	c->s1 = "vfs_read";
	VF(c, KPROBE_TYPE, "6\n", 0);
	OPT(c, 32, 24, 1, 1);
	c = add(A_KPROBE, "pmu: perf link fails");
	c->s1 = "vfs_read";
	VF(c, KPROBE_TYPE, "6\n", 0);
	perf_link(c, PL_YES);
	K(c, ERR(ENOENT));
	c = add(A_KPROBE, "NULL function, pmu");
	VF(c, KPROBE_TYPE, "6\n", 0);
	perf_link(c, PL_YES);
}

static void cases_uprobe(void)
{
	static const char *const funcs[] = {
		"strong", "wk", "foo", "foo@V1", "foo@@V2", "foo@V3", "dup", "call_b", "say", "puts", "nope",
		NULL,
	};
	char lib[600];
	struct acase *c;
	int i, ret, pmu;

	snprintf(lib, sizeof(lib), "%s/libtarget.so", dir);
	snprintf(target, sizeof(target), "%s", lib);
	for (i = 0; i < (int)(sizeof(funcs) / sizeof(funcs[0])); i++)
		for (pmu = 0; pmu < 2; pmu++) {
			c = add(A_UPROBE, "uprobe %s pmu=%d", funcs[i] ? funcs[i] : "(offset only)", pmu);
			c->s1 = target;
			c->s2 = funcs[i];
			c->off = funcs[i] ? 0 : 0x1230;
			OPT(c, 48, 16, 8, 0x55);
			if (pmu) {
				VF(c, UPROBE_TYPE, "8\n", 0);
				VF(c, UPROBE_RET, "config:0\n", 0);
			}
			perf_link(c, PL_YES);
		}
	for (ret = 0; ret < 2; ret++)
		for (i = 0; i < 4; i++) {
			static const int pids[] = { -1, 0, 1234, -7 };

			c = add(A_UPROBE, "uprobe by library name, pid %d, retprobe %d", pids[i], ret);
			c->s1 = "libtarget.so";
			c->s2 = "strong";
			c->pid = pids[i];
			OPT(c, 48, 24, 1, ret);
			OPT(c, 48, 8, 8, i == 2 ? 0x40 : 0);	/* ref_ctr_offset */
			VF(c, UPROBE_TYPE, "8\n", 0);
			VF(c, UPROBE_RET, "config:0\n", 0);
			perf_link(c, PL_NO);
		}
	for (i = 0; i < 5; i++) {
		static const char *const legacy_txt[] = { "", NULL, "", "", "" };

		c = add(A_UPROBE, "uprobe legacy %d", i);
		c->s1 = target;
		c->s2 = "strong";
		c->off = 4;
		OPT(c, 48, 24, 1, i == 3);
		OPT(c, 48, 40, 4, i == 4 ? 2 : 0);	/* attach_mode PERF without a PMU */
		if (legacy_txt[i])
			VF(c, TRACEFS "/uprobe_events", legacy_txt[i], 0);
		if (i != 2) {
			VF(c, TRACEFS "/events/uprobes/libbpf_@PID@_0__libtarget_so_0x4/id", "77", 0);
			VF(c, TRACEFS "/events/uretprobes/libbpf_@PID@_0__libtarget_so_0x4/id", "78", 0);
		}
		perf_link(c, PL_YES);
	}
	c = add(A_UPROBE, "NULL binary");
	c->s2 = "strong";
	OPT(c, 48, 8, 8, 0);
	c = add(A_UPROBE, "missing binary");
	c->s1 = "/nonexistent/x";
	c->s2 = "f";
	OPT(c, 48, 8, 8, 0);
	c = add(A_UPROBE, "library not found by name");
	c->s1 = "libnope.so.3";
	c->s2 = "f";
	OPT(c, 48, 8, 8, 0);
	c = add(A_UPROBE, "non-ELF file");
	c->s1 = "/proc/self/cmdline";
	c->s2 = "f";
	OPT(c, 48, 8, 8, 0);
	c = add(A_UPROBE, "a directory");
	c->s1 = "/tmp";
	c->s2 = "f";
	OPT(c, 48, 8, 8, 0);
	c = add(A_UPROBE, "ref_ctr_offset >= 2^32");
	c->s1 = target;
	OPT(c, 48, 8, 8, 1ull << 32);
	VF(c, UPROBE_TYPE, "8\n", 0);
}

static void cases_umulti(void)
{
	static const char *const pats[] = { "multi_*", "call_?", "*", "nothing*", "foo" };
	struct acase *c;
	int i;

	for (i = 0; i < 5; i++) {
		c = add(A_UMULTI, "uprobe_multi pattern %s", pats[i]);
		c->s1 = target;
		c->s2 = pats[i];
		c->pid = i == 1 ? 0 : -1;
	}
	c = add(A_UMULTI, "uprobe_multi pattern, library by name, retprobe");
	c->s1 = "libtarget.so";
	c->s2 = "multi_*";
	OPT(c, 56, 48, 1, 1);
	c = add(A_UMULTI, "uprobe_multi syms");
	c->s1 = target;
	c->s2 = "multi_two,strong,call_a";
	c->syms = 3;
	OPT(c, 56, 49, 1, 1);	/* session */
	c = add(A_UMULTI, "uprobe_multi syms, one missing");
	c->s1 = target;
	c->s2 = "strong,missing";
	c->syms = 2;
	OPT(c, 56, 8, 0, 0);
	c = add(A_UMULTI, "uprobe_multi syms, ambiguous dup");
	c->s1 = target;
	c->s2 = "dup";
	c->syms = 1;
	OPT(c, 56, 8, 0, 0);
	c = add(A_UMULTI, "uprobe_multi offsets, pid 1234");
	c->s1 = target;
	c->offsets = 3;
	c->pid = 1234;
	OPT(c, 56, 8, 0, 0);
	c = add(A_UMULTI, "uprobe_multi: pattern and offsets");
	c->s1 = target;
	c->s2 = "*";
	c->offsets = 1;
	OPT(c, 56, 8, 0, 0);
	c = add(A_UMULTI, "uprobe_multi: retprobe and session");
	c->s1 = target;
	c->s2 = "*";
	OPT(c, 56, 48, 2, 0x0101);
	c = add(A_UMULTI, "uprobe_multi: NULL path");
	c->s2 = "*";
	c = add(A_UMULTI, "uprobe_multi: nothing");
	c->s1 = target;
	c = add(A_UMULTI, "uprobe_multi: kernel EINVAL");
	c->s1 = target;
	c->s2 = "multi_one";
	K(c, ERR(EINVAL));
	c = add(A_UMULTI, "uprobe_multi: non-ELF");
	c->s1 = "/proc/self/cmdline";
	c->s2 = "*";
}

static void cases_kmulti(void)
{
	struct acase *c;

	c = add(A_KMULTI, "kprobe_multi exact name");
	c->s1 = "vfs_read";
	c = add(A_KMULTI, "kprobe_multi exact name, kernel ESRCH");
	c->s1 = "vfs_read";
	K(c, ERR(ESRCH));
	c = add(A_KMULTI, "kprobe_multi exact name, retprobe, kernel EOPNOTSUPP");
	c->s1 = "vfs_read";
	OPT(c, 48, 40, 1, 1);
	K(c, ERR(EOPNOTSUPP));
	c = add(A_KMULTI, "kprobe_multi pattern, addrs file");
	c->s1 = "vfs_*";
	VF(c, TRACEFS "/available_filter_functions_addrs",
	   "ffffffff81000010 vfs_read\nffffffff81000020 vfs_write [ext4]\nffffffff81000030 ksys_read\n", 0);
	c = add(A_KMULTI, "kprobe_multi pattern, kallsyms");
	c->s1 = "vfs_*";
	VF(c, TRACEFS "/available_filter_functions", "vfs_read\nvfs_write [ext4]\nksys_read\n", 0);
	VF(c, "/proc/kallsyms",
	   "ffffffff81000010 T vfs_read\nffffffff81000020 t vfs_write.llvm.1 [ext4]\nffffffff81000030 T x\n", 0);
	c = add(A_KMULTI, "kprobe_multi pattern, no lists");
	c->s1 = "vfs_*";
	c = add(A_KMULTI, "kprobe_multi pattern, bad addrs entry");
	c->s1 = "*";
	VF(c, TRACEFS "/available_filter_functions_addrs", "zz vfs_read\n", 0);
	c = add(A_KMULTI, "kprobe_multi unique_match, two matches");
	c->s1 = "vfs_*";
	OPT(c, 48, 42, 1, 1);
	VF(c, TRACEFS "/available_filter_functions_addrs", "1 vfs_read\n2 vfs_write\n", 0);
	c = add(A_KMULTI, "kprobe_multi unique_match, one match");
	c->s1 = "vfs_read";
	OPT(c, 48, 42, 1, 1);
	VF(c, TRACEFS "/available_filter_functions_addrs", "1 vfs_read\n2 vfs_write\n", 0);
	c = add(A_KMULTI, "kprobe_multi syms");
	c->s2 = "a,b";
	c->syms = 2;
	OPT(c, 48, 8, 0, 0);
	c = add(A_KMULTI, "kprobe_multi: pattern and cnt");
	c->s1 = "x";
	OPT(c, 48, 32, 8, 1);
	c = add(A_KMULTI, "kprobe_multi: nothing");
	c = add(A_KMULTI, "kprobe_multi: retprobe and session");
	c->s1 = "x";
	OPT(c, 48, 40, 2, 0x0101);
	c = add(A_KMULTI, "kprobe_multi: opts sz 60 junk");
	c->s1 = "x";
	OPT(c, 60, 44, 1, 1);
}

static void cases_query(void)
{
	static const size_t szs[] = { 0, 8, 16, 24, 28, 48, 56, 64, 72 };
	struct acase *c;
	int i, k;

	for (i = 0; i < 9; i++)
		for (k = 0; k < 3; k++) {
			struct fake_answer a = k == 0 ? OK(0) : k == 1 ? ERR(ENOSPC) : ERR(EINVAL);

			c = add(A_QUERY, "prog_query_opts sz %zu answer %d", szs[i], k);
			c->pfd = 5;
			c->off = 46;
			c->qcnt = 4;
			OPT(c, szs[i], 8, 4, 0x3);
			a.wb_off = 12;
			a.wb_val = 0x11;
			K(c, a);
		}
	c = add(A_QUERY, "prog_query_opts NULL opts");
	c->pfd = 5;
	c->off = 2;
	for (i = 0; i < 2; i++) {
		c = add(A_QUERY_OLD, "prog_query attach_flags %s", i ? "set" : "NULL");
		c->pfd = 6;
		c->off = 1;
		c->qcnt = 3;
		c->pid = i;
		K(c, (struct fake_answer){ FA_RET, 0, 24, 2, 0, 0 });
	}
}

/* ------------------------------------------------------------ main */

static void load_prog(void)
{
#ifdef ORACLE
	char path[600];
	struct bpf_object *obj;

	snprintf(path, sizeof(path), "%s/attach.bpf.o", dir);
	libbpf_set_print(NULL);
	memset(&S->fk, 0, sizeof(S->fk));
	S->fk.active = 1;	/* every bpf() of the load succeeds */
	/* No BPF token: the fake would hand one out, a real system without
	 * delegation does not, and libbpf would then probe with it. */
	LIBBPF_OPTS(bpf_object_open_opts, oo, .bpf_token_path = "");
	obj = bpf_object__open_file(path, &oo);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "attach: cannot load %s against the fake kernel: %s\n", path, strerror(errno));
		exit(2);
	}
	S->fk.active = 0;
	prog = bpf_object__find_program_by_name(obj, "attach_prog");
	prog_fd = bpf_program__fd(prog);
#else
	prog_fd = FAKE_DEFAULT_RET;	/* what the oracle's load got */
#endif
}

int main(int argc, char **argv)
{
	long only = -1;
	int i, passed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR [--case K]\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	if (argc > 3 && !strcmp(argv[2], "--case"))
		only = atol(argv[3]);
	S = mmap(NULL, sizeof(*S), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	R = mmap((void *)R_BASE, R_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		 -1, 0);
	if (S == MAP_FAILED || R != (uint8_t *)R_BASE) {
		perror("mmap");
		return 2;
	}
	fake_state = &S->fk;
	setenv("LD_LIBRARY_PATH", dir, 1);
	load_prog();
	cases_perf();
	cases_tp();
	cases_kprobe();
	cases_uprobe();
	cases_umulti();
	cases_kmulti();
	cases_query();
	fprintf(stderr, "attach cases: %d, program fd %d\n", ncase, prog_fd);
	for (i = 0; i < ncase; i++) {
		pid_t pid;
		int st;

		if (only >= 0 && i != only)
			continue;
		S->tlen = 0;
		S->returned = 0;
		memset(R, 0, R_SIZE);
		fflush(stdout);
		pid = fork();
		if (pid == 0)
			run_child(&C[i]);
		waitpid(pid, &st, 0);
		printf("== case %d [%s] %s\n", i, AFN[C[i].fn], C[i].desc);
		fwrite(S->text, 1, S->tlen, stdout);
		if (!S->returned)
			printf("result crashed status %#x\n", st);
		else
			passed++;
	}
	fflush(stdout);
	return 0;
}
