/* errors.c: bad input to the link API gives libbpf v1.7.0's answers
 * (docs/libbpf-behaviour.md#bpf_link_create, #the-other-low-level-calls,
 * #opts_valid, #the-print-hook): a negative errno returned and errno set, the
 * exact WARN text through the libbpf_set_print callback for opts that fail
 * OPTS_VALID, silent -EINVAL for the per-attach-type checks, and the kernel
 * reached (-EBADF for a closed fd) whenever the library has nothing to say.
 * No program is loaded; fd 0/1/2 hygiene is tested elsewhere.
 *
 * "Reaches the kernel" is told apart from "rejected by the library" by the
 * errno: every call uses a closed fd, so only the kernel answers EBADF.
 * Without root, bpf() may answer EPERM first; that is accepted then.
 */
#define _GNU_SOURCE
#include <bpflink.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static char messages[4096];
static int message_count;
static int last_level = -1;

static int capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	size_t used = strlen(messages);

	vsnprintf(messages + used, sizeof(messages) - used, fmt, ap);
	message_count++;
	last_level = (int)level;
	errno = ENOTTY; /* must not leak out of the library */
	return 0;
}

/* The messages with newlines shown as \n, for one-line reports. */
static const char *shown(const char *text)
{
	static char buf[2][1024];
	static int which;
	char *out = buf[which ^= 1];
	size_t n = 0;

	for (; *text && n + 3 < sizeof(buf[0]); text++) {
		if (*text == '\n') {
			out[n++] = '\\';
			out[n++] = 'n';
		} else {
			out[n++] = *text;
		}
	}
	out[n] = '\0';
	return out;
}

static void clear_messages(void)
{
	messages[0] = '\0';
	message_count = 0;
	last_level = -1;
}

static int closed_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	close(fd);
	return fd;
}

/* A kernel error: -want, or -EPERM when bpf() is not allowed at all. */
static int kernel_said(int ret, int want)
{
	return ret == -want || (geteuid() != 0 && ret == -EPERM);
}

/* ret == -want, errno == want, and the callback got exactly `text` (or
 * nothing, for text == NULL). */
static void expect(const char *what, int ret, int err, int want, const char *text)
{
	CHECK(ret == -want && err == want, "%s: returns -%s and sets errno (got %d, errno %d)",
	      what, strerrorname_np(want) ? strerrorname_np(want) : "?", ret, err);
	if (text) {
		CHECK(message_count == 1 && strcmp(messages, text) == 0 && last_level == LIBBPF_WARN,
		      "%s: one LIBBPF_WARN message \"%s\" (got %d: \"%s\")", what, shown(text),
		      message_count, shown(messages));
	} else {
		CHECK(message_count == 0, "%s: prints nothing (got %d: \"%s\")", what, message_count,
		      shown(messages));
	}
	clear_messages();
}

/* As expect(), for a call the library must pass on to the kernel. */
static void expect_kernel(const char *what, int ret, int err, int want)
{
	CHECK(kernel_said(ret, want) && err == -ret,
	      "%s: reaches the kernel, -%s with errno set (got %d, errno %d)", what,
	      strerrorname_np(want), ret, err);
	CHECK(message_count == 0, "%s: prints nothing (got %d: \"%s\")", what, message_count,
	      shown(messages));
	clear_messages();
}

/* An opts buffer larger than any struct, so sz can exceed sizeof. */
union big_create_opts {
	struct bpf_link_create_opts o;
	unsigned char b[128];
};

int main(void)
{
	union big_create_opts big;
	struct bpf_link_create_opts *o = &big.o;
	struct bpf_link_update_opts upd;
	struct bpf_get_fd_by_id_opts by_id;
	struct bpf_raw_tp_opts raw;
	struct bpf_obj_pin_opts pin;
	struct bpf_obj_get_opts get;
	libbpf_print_fn_t prev, again;
	char info[64];
	__u32 info_len = sizeof(info);
	int bad = closed_fd();
	int ret;

	prev = libbpf_set_print(capture);
	CHECK(prev != NULL, "libbpf_set_print returns the default printer first");
	again = libbpf_set_print(capture);
	CHECK(again == capture, "libbpf_set_print returns the callback installed before");

	/* NULL opts: nothing to validate, the kernel answers. */
	errno = 0;
	ret = bpf_link_create(bad, 1, BPF_XDP, NULL);
	expect_kernel("bpf_link_create(closed fd, 1, BPF_XDP, NULL)", ret, errno, EBADF);

	/* OPTS_VALID: sz below sizeof(size_t). */
	memset(&big, 0, sizeof(big));
	o->sz = 4;
	ret = bpf_link_create(bad, 1, BPF_XDP, o);
	expect("bpf_link_create(opts.sz = 4)", ret, errno, EINVAL,
	       "libbpf: bpf_link_create_opts size (4) is too small\n");
	o->sz = 0;
	ret = bpf_link_create(bad, 1, BPF_XDP, o);
	expect("bpf_link_create(opts.sz = 0)", ret, errno, EINVAL,
	       "libbpf: bpf_link_create_opts size (0) is too small\n");

	/* OPTS_VALID: a newer (bigger) struct is fine while its tail is zero… */
	memset(&big, 0, sizeof(big));
	o->sz = 96;
	ret = bpf_link_create(bad, 1, BPF_XDP, o);
	expect_kernel("bpf_link_create(opts.sz = 96, zero tail)", ret, errno, EBADF);
	/* …and rejected when a byte after the last known field is set. */
	big.b[90] = 1;
	ret = bpf_link_create(bad, 1, BPF_XDP, o);
	expect("bpf_link_create(opts.sz = 96, byte 90 set)", ret, errno, EINVAL,
	       "libbpf: bpf_link_create_opts has non-zero extra bytes\n");
	/* The tail padding 76..80 lies after uprobe_multi.pid: checked too. */
	memset(&big, 0, sizeof(big));
	o->sz = sizeof(*o);
	big.b[77] = 1;
	ret = bpf_link_create(bad, 1, BPF_TCX_INGRESS, o);
	expect("bpf_link_create(sizeof opts, padding byte 77 set)", ret, errno, EINVAL,
	       "libbpf: bpf_link_create_opts has non-zero extra bytes\n");
	/* An older caller (sz = 76) never shows that byte. */
	o->sz = 76;
	ret = bpf_link_create(bad, 1, BPF_TCX_INGRESS, o);
	expect_kernel("bpf_link_create(opts.sz = 76, byte 77 beyond sz)", ret, errno, EBADF);

	/* The default branch (XDP) wants every byte after flags zero, padding
	 * 12..16 included; the tcx branch does not look there. Both silent. */
	memset(&big, 0, sizeof(big));
	o->sz = sizeof(*o);
	big.b[13] = 1;
	ret = bpf_link_create(bad, 1, BPF_XDP, o);
	expect("bpf_link_create(BPF_XDP, padding byte 13 set)", ret, errno, EINVAL, NULL);
	ret = bpf_link_create(bad, 1, BPF_TCX_EGRESS, o);
	expect_kernel("bpf_link_create(BPF_TCX_EGRESS, padding byte 13 set)", ret, errno, EBADF);

	/* Unknown attach types are not range-checked: default branch. */
	memset(&big, 0, sizeof(big));
	ret = bpf_link_create(bad, 1, (enum bpf_attach_type)1000, NULL);
	expect_kernel("bpf_link_create(attach type 1000, NULL opts)", ret, errno, EBADF);
	o->sz = sizeof(*o);
	o->tcx.relative_id = 5;
	ret = bpf_link_create(bad, 1, (enum bpf_attach_type)1000, o);
	expect("bpf_link_create(attach type 1000, .tcx.relative_id set)", ret, errno, EINVAL, NULL);
	ret = bpf_link_create(bad, 1, BPF_TCX_INGRESS, o);
	expect_kernel("bpf_link_create(BPF_TCX_INGRESS, .tcx.relative_id set)", ret, errno, EBADF);
	o->tcx.relative_fd = 3;
	ret = bpf_link_create(bad, 1, BPF_TCX_INGRESS, o);
	expect("bpf_link_create(BPF_TCX_INGRESS, relative_fd and relative_id)", ret, errno, EINVAL,
	       NULL);

	/* target_btf_id and iter_info_len exclude each other and the union. */
	memset(&big, 0, sizeof(big));
	o->sz = sizeof(*o);
	o->target_btf_id = 1;
	o->iter_info_len = 8;
	ret = bpf_link_create(bad, 0, BPF_TRACE_ITER, o);
	expect("bpf_link_create(target_btf_id and iter_info_len)", ret, errno, EINVAL, NULL);
	o->iter_info_len = 0;
	o->tracing.cookie = 1;
	ret = bpf_link_create(bad, 0, BPF_TRACE_FENTRY, o);
	expect("bpf_link_create(target_btf_id and tracing.cookie)", ret, errno, EINVAL, NULL);

	/* bpf_link_update. */
	memset(&upd, 0, sizeof(upd));
	upd.sz = 4;
	ret = bpf_link_update(bad, bad, &upd);
	expect("bpf_link_update(opts.sz = 4)", ret, errno, EINVAL,
	       "libbpf: bpf_link_update_opts size (4) is too small\n");
	upd.sz = sizeof(upd);
	((unsigned char *)&upd)[21] = 1;
	ret = bpf_link_update(bad, bad, &upd);
	expect("bpf_link_update(padding byte 21 set)", ret, errno, EINVAL,
	       "libbpf: bpf_link_update_opts has non-zero extra bytes\n");
	memset(&upd, 0, sizeof(upd));
	upd.sz = sizeof(upd);
	upd.old_prog_fd = 3;
	upd.old_map_fd = 4;
	ret = bpf_link_update(bad, bad, &upd);
	expect("bpf_link_update(old_prog_fd and old_map_fd)", ret, errno, EINVAL, NULL);
	ret = bpf_link_update(bad, bad, NULL);
	expect_kernel("bpf_link_update(closed fd, NULL opts)", ret, errno, EBADF);

	/* The other opts structs: their own names in the message. */
	memset(&by_id, 0, sizeof(by_id));
	by_id.sz = 2;
	ret = bpf_link_get_fd_by_id_opts(1, &by_id);
	expect("bpf_link_get_fd_by_id_opts(opts.sz = 2)", ret, errno, EINVAL,
	       "libbpf: bpf_get_fd_by_id_opts size (2) is too small\n");
	memset(&raw, 0, sizeof(raw));
	raw.sz = 7;
	ret = bpf_raw_tracepoint_open_opts(bad, &raw);
	expect("bpf_raw_tracepoint_open_opts(opts.sz = 7)", ret, errno, EINVAL,
	       "libbpf: bpf_raw_tp_opts size (7) is too small\n");
	memset(&pin, 0, sizeof(pin));
	pin.sz = 1;
	ret = bpf_obj_pin_opts(bad, "/sys/fs/bpf/bpflink-c-tests-never", &pin);
	expect("bpf_obj_pin_opts(opts.sz = 1)", ret, errno, EINVAL,
	       "libbpf: bpf_obj_pin_opts size (1) is too small\n");
	{
		union { struct bpf_obj_get_opts o; unsigned char b[32]; } g;

		memset(&g, 0, sizeof(g));
		g.o.sz = sizeof(g);
		g.b[20] = 1;
		ret = bpf_obj_get_opts("/sys/fs/bpf/bpflink-c-tests-never", &g.o);
		expect("bpf_obj_get_opts(opts.sz = 32, byte 20 set)", ret, errno, EINVAL,
		       "libbpf: bpf_obj_get_opts has non-zero extra bytes\n");
	}
	memset(&get, 0, sizeof(get));
	get.sz = sizeof(get);
	ret = bpf_obj_get_opts("/nonexistent/bpflink-c-tests", &get);
	expect_kernel("bpf_obj_get_opts(no such path)", ret, errno, ENOENT);

	/* Plain calls on a closed fd or an id that does not exist. */
	ret = bpf_link_detach(bad);
	expect_kernel("bpf_link_detach(closed fd)", ret, errno, EBADF);
	ret = bpf_iter_create(bad);
	expect_kernel("bpf_iter_create(closed fd)", ret, errno, EBADF);
	ret = bpf_link_get_fd_by_id(0xfffffff0u);
	expect_kernel("bpf_link_get_fd_by_id(no such id)", ret, errno, ENOENT);
	/* The kernel's own errnos: EBADFD here, EINVAL for pinning a non-BPF
	 * fd (bpf_fd_probe_obj); libbpf 1.1 answers the same on this kernel. */
	ret = bpf_obj_get_info_by_fd(bad, info, &info_len);
	expect_kernel("bpf_obj_get_info_by_fd(closed fd)", ret, errno, EBADFD);
	ret = bpf_link_get_info_by_fd(bad, (struct bpf_link_info *)info, &info_len);
	expect_kernel("bpf_link_get_info_by_fd(closed fd)", ret, errno, EBADFD);
	ret = bpf_raw_tracepoint_open(NULL, bad);
	expect_kernel("bpf_raw_tracepoint_open(NULL, closed fd)", ret, errno, EBADF);
	ret = bpf_obj_pin(bad, "/sys/fs/bpf/bpflink-c-tests-never");
	expect_kernel("bpf_obj_pin(closed fd)", ret, errno, EINVAL);
	ret = bpf_obj_get("/nonexistent/bpflink-c-tests");
	expect_kernel("bpf_obj_get(no such path)", ret, errno, ENOENT);

	/* bpflink's deviations: NULL where libbpf would crash. */
	/* get_next_id(id, NULL) makes libbpf's syscall: at the end of the list
	 * both answer the kernel's -ENOENT; when there is a next link libbpf
	 * writes through NULL and bpflink answers -EINVAL. INT32_MAX - 1 is
	 * past the end; 0 depends on what else the system runs. */
	ret = bpf_link_get_next_id(INT32_MAX - 1, NULL);
	expect_kernel("bpf_link_get_next_id(INT32_MAX - 1, NULL) (end of the list)", ret, errno, ENOENT);
	ret = bpf_link_get_next_id(0, NULL);
	CHECK((ret == -EINVAL && errno == EINVAL) || (ret == -ENOENT && errno == ENOENT) ||
		      (geteuid() != 0 && ret == -EPERM),
	      "bpf_link_get_next_id(0, NULL) (bpflink: no crash): -EINVAL if a link exists, else -ENOENT (got %d, errno %d)",
	      ret, errno);
	clear_messages();
	ret = bpf_obj_get_info_by_fd(bad, info, NULL);
	expect("bpf_obj_get_info_by_fd(fd, info, NULL) (bpflink: no crash)", ret, errno, EINVAL, NULL);

	/* libbpf_set_print(NULL) silences; the default printer writes stderr. */
	{
		char path[] = "/tmp/bpflink-c-tests-stderr-XXXXXX";
		int tmp = mkstemp(path);
		int saved = dup(STDERR_FILENO);
		char buf[256];
		ssize_t n;

		if (tmp < 0 || saved < 0) {
			SKIP("default printer", "no temporary file: %s", strerror(errno));
		} else {
			unlink(path);
			fflush(stderr);
			dup2(tmp, STDERR_FILENO);
			again = libbpf_set_print(NULL);
			memset(&big, 0, sizeof(big));
			o->sz = 5;
			ret = bpf_link_create(bad, 1, BPF_XDP, o);
			CHECK(again == capture, "libbpf_set_print(NULL) returns the callback");
			CHECK(ret == -EINVAL && message_count == 0,
			      "libbpf_set_print(NULL): -EINVAL, callback not called (got %d, %d calls)",
			      ret, message_count);
			again = libbpf_set_print(prev);
			CHECK(again == NULL, "libbpf_set_print(default) returns NULL after NULL");
			ret = bpf_link_create(bad, 1, BPF_XDP, o);
			fflush(stderr);
			dup2(saved, STDERR_FILENO);
			close(saved);
			n = pread(tmp, buf, sizeof(buf) - 1, 0);
			buf[n > 0 ? n : 0] = '\0';
			close(tmp);
			CHECK(strcmp(buf, "libbpf: bpf_link_create_opts size (5) is too small\n") == 0,
			      "the default printer writes the WARN to stderr, only once (got \"%s\")",
			      shown(buf));
			CHECK(ret == -EINVAL, "default printer: still -EINVAL (got %d)", ret);
		}
	}
	return check_done();
}
