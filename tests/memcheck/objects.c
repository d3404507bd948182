/* objects.c: the struct bpf_link object API and pin paths on a real kernel,
 * written for the memory checkers (`make sanitize`, `make valgrind`): every
 * allocation the library makes — the calloc'd link, the strdup'd pin path,
 * the mkdir'd parent path — must be freed by the calls that own it, and no
 * call may read or write out of bounds, on the success and the error paths.
 * Opening and destroying is repeated so a per-call leak stands out.
 *
 * Run by tests/memcheck/run.sh under `unshare --net --mount --propagation
 * private`: a private bpffs is mounted on a fresh directory, and an XDP link
 * on the namespace's own lo is what gets pinned, opened, re-pinned,
 * unpinned, detached and destroyed. Output follows c-tests/check.h.
 */
#define _GNU_SOURCE
#include <bpflink.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../c-tests/check.h"

static char messages[8192];

static int capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	size_t used = strlen(messages);

	(void)level;
	if (used < sizeof(messages) - 1)
		vsnprintf(messages + used, sizeof(messages) - used, fmt, ap);
	return 0;
}

/* The messages on one line (check.h prints one line per check). */
static const char *shown(void)
{
	static char one[sizeof(messages)];
	size_t i;

	for (i = 0; messages[i] && i < sizeof(one) - 1; i++)
		one[i] = messages[i] == '\n' ? ' ' : messages[i];
	one[i] = '\0';
	return one;
}

static int load_xdp_pass(void)
{
	struct bpf_insn insns[2];
	union bpf_attr attr;
	int fd;

	memset(insns, 0, sizeof(insns));
	insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
	insns[0].imm = XDP_PASS;
	insns[1].code = BPF_JMP | BPF_EXIT;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_XDP;
	attr.insns = (__u64)(unsigned long)insns;
	attr.insn_cnt = 2;
	attr.license = (__u64)(unsigned long)"GPL";
	attr.expected_attach_type = BPF_XDP;
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

int main(void)
{
	char dir[] = "/tmp/bpflink-memcheck-XXXXXX";
	char notbpf[] = "/tmp/bpflink-memcheck-notbpf-XXXXXX";
	char *a, *b, *deep, *fresh, *outside, *outside_dir;
	struct bpf_link *link;
	int prog, lfd, fd, i, ok;
	char buf[64];

	libbpf_set_print(capture);
	if (geteuid() != 0) {
		SKIP("bpf_link__* on a real kernel", "not root");
		return check_done();
	}
	if (!mkdtemp(dir) || mount("bpf", dir, "bpf", 0, NULL)) {
		SKIP("bpf_link__* on a real kernel", "cannot mount bpffs: %s", strerror(errno));
		return check_done();
	}
	prog = load_xdp_pass();
	if (prog < 0) {
		SKIP("bpf_link__* on a real kernel", "BPF_PROG_LOAD: %s", strerror(-prog));
		umount(dir);
		rmdir(dir);
		return check_done();
	}
	lfd = bpf_link_create(prog, 1, BPF_XDP, NULL);
	CHECK(lfd >= 3, "bpf_link_create(xdp, lo) = %d", lfd);
	a = join(dir, "a");
	b = join(dir, "b");
	deep = join(dir, "missing/two/x");
	fresh = join(dir, "newdir/x");
	CHECK(mkdtemp(notbpf) != NULL, "mkdtemp");
	outside_dir = join(notbpf, "sub");
	outside = join(outside_dir, "x");
	CHECK_EQ(bpf_obj_pin(lfd, a), 0, "bpf_obj_pin(link, <bpffs>/a)");

	/* Open and destroy many times: a leak per call would show. */
	ok = 1;
	for (i = 0; i < 200; i++) {
		link = bpf_link__open(a);
		if (!link || strcmp(bpf_link__pin_path(link), a) || bpf_link__fd(link) < 3)
			ok = 0;
		if (bpf_link__destroy(link))
			ok = 0;
	}
	CHECK(ok, "200 x bpf_link__open + pin_path + fd + destroy");

	link = bpf_link__open(a);
	CHECK(link != NULL, "bpf_link__open(<bpffs>/a)");
	if (!link)
		return check_done();
	fd = bpf_link__fd(link);
	CHECK(fd >= 3 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "bpf_link__fd = %d, close-on-exec", fd);
	CHECK_EQ(bpf_link__pin(link, b), -EBUSY, "bpf_link__pin on a pinned link");
	CHECK_EQ(bpf_link__unpin(link), 0, "bpf_link__unpin");
	CHECK(bpf_link__pin_path(link) == NULL, "pin_path NULL after unpin");
	CHECK_EQ(bpf_link__unpin(link), -EINVAL, "bpf_link__unpin again");
	messages[0] = '\0';
	CHECK_EQ(bpf_link__pin(link, deep), -ENOENT, "bpf_link__pin under a missing two-level dir");
	CHECK(strstr(messages, "failed to mkdir") != NULL, "... warns (%s)", shown());
	messages[0] = '\0';
	CHECK_EQ(bpf_link__pin(link, outside), -EINVAL, "bpf_link__pin outside bpffs");
	CHECK(strstr(messages, "is not on BPF FS") != NULL, "... warns (%s)", shown());
	rmdir(outside_dir);
	CHECK_EQ(bpf_link__pin(link, fresh), 0, "bpf_link__pin creating one parent dir");
	CHECK(bpf_link__pin_path(link) && !strcmp(bpf_link__pin_path(link), fresh), "pin_path = the new path");
	CHECK_EQ(bpf_link__unpin(link), 0, "bpf_link__unpin (newdir/x)");
	CHECK_EQ(bpf_link__pin(link, b), 0, "bpf_link__pin(<bpffs>/b)");
	CHECK_EQ(bpf_link__detach(link), 0, "bpf_link__detach");
	CHECK_EQ(bpf_link__destroy(link), 0, "bpf_link__destroy of a pinned link (pin kept)");

	/* disconnect: destroy frees the object but leaves the fd open. */
	link = bpf_link__open(b);
	CHECK(link != NULL, "bpf_link__open(<bpffs>/b)");
	if (link) {
		fd = bpf_link__fd(link);
		bpf_link__disconnect(link);
		CHECK_EQ(bpf_link__destroy(link), 0, "bpf_link__destroy after disconnect");
		CHECK(fcntl(fd, F_GETFD) >= 0, "the fd stays open after disconnect + destroy");
		close(fd);
	}

	/* Error paths allocate nothing that stays. */
	errno = 0;
	messages[0] = '\0';
	link = bpf_link__open("/nonexistent/bpflink-memcheck");
	CHECK(link == NULL && errno == ENOENT, "bpf_link__open(missing) = NULL, ENOENT");
	CHECK_EQ(libbpf_get_error(NULL), -ENOENT, "libbpf_get_error(NULL)");
	CHECK(strstr(messages, "failed to open link at /nonexistent/bpflink-memcheck") != NULL,
	      "... warns (%s)", shown());
	/* (NULL paths and other bad pointers are tests/bad_input/'s: memcheck
	 * rightly flags a NULL handed to a syscall.) */
	CHECK_EQ(bpf_link__destroy(NULL), 0, "bpf_link__destroy(NULL)");
	CHECK_EQ(bpf_link__fd(NULL), -EINVAL, "bpf_link__fd(NULL) (bpflink deviation)");
	CHECK_EQ(libbpf_strerror(-EINVAL, buf, sizeof(buf)), 0, "libbpf_strerror(-EINVAL)");
	CHECK_EQ(libbpf_strerror(4007, buf, 8), -ERANGE, "libbpf_strerror truncated");
	CHECK_EQ(libbpf_strerror(5000, buf, sizeof(buf)), -ENOENT, "libbpf_strerror(5000)");
	CHECK(libbpf_bpf_link_type_str(BPF_LINK_TYPE_XDP) != NULL, "libbpf_bpf_link_type_str(XDP)");
	CHECK(libbpf_bpf_attach_type_str(BPF_XDP) != NULL, "libbpf_bpf_attach_type_str(XDP)");

	unlink(a);
	unlink(b);
	rmdir(notbpf);
	close(lfd);
	close(prog);
	umount(dir);
	rmdir(dir);
	free(a);
	free(b);
	free(deep);
	free(fresh);
	free(outside);
	free(outside_dir);
	return check_done();
}
