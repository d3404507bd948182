/* allocfail.c: every function of the link API that allocates, with
 * allocation failing, side by side with the real libbpf 1.7.0.
 *
 * The program defines malloc, calloc and realloc (exported, so the library
 * under test binds to them; glibc's own strdup uses them too) and can make
 * them fail from the k-th call on ("sticky") or only the k-th ("once"). For
 * each function that allocates (bpf_link__open, bpf_link__pin) and each k
 * up to one more than the calls it makes, it runs the function and prints
 * what a caller sees: the result, errno, the library's messages (through a
 * print callback that allocates nothing), the link's pin path, what is left
 * on the bpffs. The functions that must not allocate at all
 * (libbpf_strerror, the low-level calls, traced or not) run with every
 * allocation failing. tests/allocfail/run.sh builds this against the real
 * libbpf and against libbpflink.so and .a and requires identical output;
 * that nothing aborts is part of it (the output ends with "done").
 *
 * Runs as root in a private mount namespace of its own, on a private bpffs
 * holding one pinned BPF map (bpf_link__open does not check the type).
 */
#define _GNU_SOURCE
#ifdef ORACLE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#else
#include <bpflink.h>
#endif

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ------------------------------------------------ the failing allocator */

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);

enum { OFF, STICKY, ONCE };
static int mode = OFF;
static long fail_at;	/* the index (from 0) of the first call that fails */
static long calls;	/* allocation calls since arming */

static int fail_now(void)
{
	long i;

	if (mode == OFF)
		return 0;
	i = calls++;
	return mode == STICKY ? i >= fail_at : i == fail_at;
}

void *malloc(size_t size)
{
	if (fail_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	if (fail_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	if (fail_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, size);
}

static void arm(int m, long k)
{
	calls = 0;
	fail_at = k;
	mode = m;
}

static long disarm(void)
{
	mode = OFF;
	return calls;
}

/* ------------------------------------------------ messages, no allocation */

static char msgs[4096];
static size_t msgs_len;

static int record(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int n;

	if (msgs_len + 8 >= sizeof(msgs))
		return 0;
	n = snprintf(msgs + msgs_len, sizeof(msgs) - msgs_len, "[%d] ", (int)level);
	if (n > 0)
		msgs_len += (size_t)n;
	n = vsnprintf(msgs + msgs_len, sizeof(msgs) - msgs_len, fmt, ap);
	if (n > 0)
		msgs_len = msgs_len + (size_t)n < sizeof(msgs) ? msgs_len + (size_t)n : sizeof(msgs) - 1;
	return 0;
}

static char dir[] = "/tmp/bpflink-allocfail-XXXXXX";

/* The messages so far, the bpffs directory (a random name) shown as
 * <bpffs> so that the transcripts of the runs compare. */
static void print_msgs(void)
{
	size_t i, dl = strlen(dir);

	printf("  messages: ");
	for (i = 0; i < msgs_len; i++) {
		if (i + dl <= msgs_len && !memcmp(msgs + i, dir, dl)) {
			fputs("<bpffs>", stdout);
			i += dl - 1;
			continue;
		}
		putchar(msgs[i] == '\n' ? '|' : msgs[i]);
	}
	putchar('\n');
	msgs_len = 0;
	msgs[0] = 0;
}

/* ------------------------------------------------ the setting */

static char pinned[256];

static int make_map(void)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 1;
	return (int)syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
}

static int setting(void)
{
	int fd;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		printf("skip: no private mount namespace (%s)\n", strerror(errno));
		return -1;
	}
	if (!mkdtemp(dir))
		return printf("skip: mkdtemp: %s\n", strerror(errno)), -1;
	if (mount("bpf", dir, "bpf", 0, NULL)) {
		printf("skip: cannot mount a bpffs (%s)\n", strerror(errno));
		rmdir(dir);
		return -1;
	}
	fd = make_map();
	if (fd < 0) {
		printf("skip: BPF_MAP_CREATE: %s (need root with BPF)\n", strerror(errno));
		return -1;
	}
	snprintf(pinned, sizeof(pinned), "%s/map", dir);
	if (bpf_obj_pin(fd, pinned)) {
		printf("skip: bpf_obj_pin: %s\n", strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static const char *exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? "absent" : S_ISDIR(st.st_mode) ? "dir" : "present";
}

static const char *mode_name(int m)
{
	return m == STICKY ? "sticky" : "once";
}

/* ------------------------------------------------ the cases */

/* bpf_link__open: BPF_OBJ_GET, then calloc(link), then strdup(path). */
static void case_open(int m, long k, long *used)
{
	struct bpf_link *l;
	int err;

	msgs_len = 0;
	arm(m, k);
	errno = 0;
	l = bpf_link__open(pinned);
	err = errno;
	*used = disarm();
	printf("bpf_link__open %s k=%ld: %s errno=%d", mode_name(m), k, l ? "link" : "NULL", l ? 0 : err);
	if (l)
		printf(" pin_path=%s fd_valid=%d", bpf_link__pin_path(l) ? "set" : "NULL",
		       bpf_link__fd(l) >= 3);
	printf("\n");
	print_msgs();
	if (l)
		bpf_link__destroy(l);
}

/* bpf_link__pin: strdup in make_parent_dir, in check_path, for pin_path;
 * mkdir, statfs, BPF_OBJ_PIN between them. */
static void case_pin(int m, long k, long *used)
{
	char sub[300], target[320];
	struct bpf_link *l;
	int r, err;

	snprintf(sub, sizeof(sub), "%s/sub%ld%s", dir, k, mode_name(m));
	snprintf(target, sizeof(target), "%s/link", sub);
	l = bpf_link__open(pinned);
	if (!l) {
		printf("bpf_link__pin %s k=%ld: setup failed: %s\n", mode_name(m), k, strerror(errno));
		return;
	}
	bpf_link__unpin(l); /* removes the map's pin: put it back below */
	bpf_obj_pin(bpf_link__fd(l), pinned);
	msgs_len = 0;
	arm(m, k);
	errno = 0;
	r = bpf_link__pin(l, target);
	err = errno;
	*used = disarm();
	printf("bpf_link__pin %s k=%ld: %d errno=%d pin_path=%s dir=%s pin=%s\n", mode_name(m), k, r,
	       r ? err : 0, bpf_link__pin_path(l) ? "set" : "NULL", exists(sub), exists(target));
	print_msgs();
	if (!r)
		bpf_link__unpin(l);
	rmdir(sub);
	bpf_link__destroy(l);
	msgs_len = 0;
}

/* What must not allocate at all: run with every allocation failing. */
static void case_no_alloc(void)
{
	char buf[64];
	int errs[] = { -EINVAL, -4001, -4006, -5000, 0, 3 };
	LIBBPF_OPTS(bpf_link_create_opts, copts);
	unsigned int i;
	__u32 next;
	int r, err;

	msgs_len = 0;
	arm(STICKY, 0);
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		memset(buf, 'x', sizeof(buf));
		r = libbpf_strerror(errs[i], buf, sizeof(buf));
		err = errno;
		disarm();
		printf("libbpf_strerror(%d): %d errno=%d \"%s\"\n", errs[i], r, r < 0 ? err : 0, buf);
		arm(STICKY, 0);
	}
	errno = 0;
	r = bpf_link_create(-1, 1, BPF_XDP, NULL);
	err = errno;
	disarm();
	printf("bpf_link_create(-1, lo, XDP, NULL): %d errno=%d\n", r, err);
	arm(STICKY, 0);
	r = bpf_link_create(-1, 1, BPF_XDP, &copts);
	err = errno;
	disarm();
	printf("bpf_link_create(-1, lo, XDP, opts): %d errno=%d\n", r, err);
	copts.sz = 4;
	arm(STICKY, 0);
	r = bpf_link_create(-1, 1, BPF_XDP, &copts);
	err = errno;
	disarm();
	printf("bpf_link_create(opts.sz = 4): %d errno=%d\n", r, err);
	arm(STICKY, 0);
	r = bpf_link_get_next_id(0xfffffff0u, &next);
	err = errno;
	disarm();
	printf("bpf_link_get_next_id(end): %d errno=%d\n", r, err);
	arm(STICKY, 0);
	r = bpf_obj_get(pinned);
	err = errno;
	disarm();
	printf("bpf_obj_get(pinned): %s errno=%d\n", r >= 3 ? "fd" : "error", r >= 3 ? 0 : err);
	if (r >= 0)
		close(r);
	print_msgs();
}

int main(void)
{
	long used, k;
	int m;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("allocfail\n"); /* stdio's buffer exists before any failure */
	libbpf_set_print(record);
	if (setting())
		return 0;
	for (m = STICKY; m <= ONCE; m++) {
		case_open(m, 1000, &used); /* no failure: how many calls it makes */
		for (k = 0; k <= used; k++) {
			long u;

			case_open(m, k, &u);
		}
		case_pin(m, 1000, &used);
		for (k = 0; k <= used; k++) {
			long u;

			case_pin(m, k, &u);
		}
	}
	case_no_alloc();
	/* The mount goes with the namespace; the directory is on the host. */
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	printf("done\n");
	return 0;
}
