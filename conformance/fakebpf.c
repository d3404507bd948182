/*
 * A fake kernel for the differential conformance test.
 *
 * It is linked into each driver executable, which is linked with -rdynamic:
 * the executable comes first in the dynamic linker's global lookup scope, so
 * the references of libbpf.so.1.7.0 (syscall@GLIBC_2.2.5, fcntl64@GLIBC_2.28,
 * close@GLIBC_2.2.5) and of libbpflink.so (syscall, fcntl, close) bind to the
 * definitions below, exactly as with LD_PRELOAD, but without a second object
 * to build and find, and with the fake's state in the same image as the
 * driver. Calls that are not ours go to libc through dlsym(RTLD_NEXT).
 *
 * - syscall(SYS_bpf, cmd, attr, size): records cmd, size and the attr bytes,
 *   then answers from the script the driver set for the case (an fd or
 *   return value, or -1 with an errno; optionally writing a u32 back into
 *   attr and filling the info buffer of BPF_OBJ_GET_INFO_BY_FD). It never
 *   reaches the real kernel. Other syscall numbers are forwarded.
 * - fcntl/fcntl64: F_DUPFD(_CLOEXEC) on an fd the fake handed out is
 *   answered from the dup script; other calls are forwarded. Recorded.
 * - close: closing a fake fd is recorded and swallowed (fake fds 0/1/2 are
 *   the driver's real stdio); others are forwarded (and recorded while a
 *   case runs).
 * - mkdir, statfs/statfs64, unlink (what bpf_link__pin/unpin do to the
 *   filesystem): forwarded to libc, recorded with the path STRING (the
 *   libraries pass heap copies, whose addresses differ), the mode, the
 *   result and statfs's f_type. The driver runs those cases in a private
 *   mount namespace with its own bpffs and tmpfs.
 * - For BPF_OBJ_PIN/BPF_OBJ_GET the string attr.pathname points to is
 *   recorded too (read with process_vm_readv, so a bad pointer cannot crash
 *   the fake): bpf_link__pin passes the library's strdup'ed pin path.
 * - process_vm_readv: forwarded; only where it answers ENOSYS for this
 *   process (qemu-user does not implement it: tests/cross/run.sh runs the
 *   drivers there) is a read of our own memory emulated, with write() into
 *   a pipe, which fails with EFAULT on unmapped memory as the real call
 *   does. bpflink reads opts tails fault-free with it; without it, it
 *   falls back to libbpf's direct reads and crashes where libbpf crashes.
 *   Not recorded (the oracle never calls it).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fakebpf.h"

struct fake_state *fake_state;

typedef long (*syscall_fn)(long, ...);
typedef int (*fcntl_fn)(int, int, ...);
typedef int (*close_fn)(int);
typedef int (*mkdir_fn)(const char *, mode_t);
typedef int (*statfs_fn)(const char *, struct statfs *);
typedef int (*statfs64_fn)(const char *, struct statfs64 *);
typedef int (*unlink_fn)(const char *);
typedef ssize_t (*pvr_fn)(pid_t, const struct iovec *, unsigned long, const struct iovec *,
			  unsigned long, unsigned long);

static syscall_fn real_syscall;
static fcntl_fn real_fcntl, real_fcntl64;
static close_fn real_close;
static mkdir_fn real_mkdir;
static statfs_fn real_statfs;
static statfs64_fn real_statfs64;
static unlink_fn real_unlink;
static pvr_fn real_pvr;

static void resolve(void)
{
	if (!real_syscall)
		real_syscall = (syscall_fn)dlsym(RTLD_NEXT, "syscall");
	if (!real_fcntl)
		real_fcntl = (fcntl_fn)dlsym(RTLD_NEXT, "fcntl");
	if (!real_fcntl64) {
		real_fcntl64 = (fcntl_fn)dlsym(RTLD_NEXT, "fcntl64");
		if (!real_fcntl64)
			real_fcntl64 = real_fcntl;
	}
	if (!real_close)
		real_close = (close_fn)dlsym(RTLD_NEXT, "close");
	if (!real_mkdir)
		real_mkdir = (mkdir_fn)dlsym(RTLD_NEXT, "mkdir");
	if (!real_statfs)
		real_statfs = (statfs_fn)dlsym(RTLD_NEXT, "statfs");
	if (!real_statfs64)
		real_statfs64 = (statfs64_fn)dlsym(RTLD_NEXT, "statfs64");
	if (!real_unlink)
		real_unlink = (unlink_fn)dlsym(RTLD_NEXT, "unlink");
	if (!real_pvr)
		real_pvr = (pvr_fn)dlsym(RTLD_NEXT, "process_vm_readv");
}

static int is_fake_fd(int fd)
{
	struct fake_state *s = fake_state;
	int i;

	if (!s || !s->active)
		return 0;
	for (i = 0; i < s->nfds; i++)
		if (s->fds[i] == fd)
			return 1;
	return 0;
}

static void add_fake_fd(int fd)
{
	struct fake_state *s = fake_state;

	if (fd >= 0 && !is_fake_fd(fd) && s->nfds < FAKE_MAX_FDS)
		s->fds[s->nfds++] = fd;
}

static void drop_fake_fd(int fd)
{
	struct fake_state *s = fake_state;
	int i;

	for (i = 0; i < s->nfds; i++)
		if (s->fds[i] == fd) {
			s->fds[i] = s->fds[--s->nfds];
			return;
		}
}

static struct fake_rec *new_rec(int kind)
{
	struct fake_state *s = fake_state;
	struct fake_rec *r;

	if (!s || !s->recording)
		return NULL;
	if (s->nrec >= FAKE_MAX_REC) {
		s->rec_lost++;
		return NULL;
	}
	r = &s->rec[s->nrec++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	return r;
}

struct fake_rec *fake_new_rec(int kind)
{
	return new_rec(kind);
}

/* Record the C string at p (up to FAKE_STR_MAX - 1 bytes of it, and its
 * length up to 64 KiB), read without trusting p. */
static void rec_path(struct fake_rec *r, const char *p)
{
	struct fake_state *s = fake_state;
	char chunk[4096];
	size_t off = 0, i;

	if (!p) {
		r->pkind = PS_NULL;
		return;
	}
	r->pkind = (uintptr_t)p >= s->wlo && (uintptr_t)p < s->whi ? PS_REGION : PS_HEAP;
	while (off < 65536) {
		uintptr_t a = (uintptr_t)p + off;
		size_t n = 4096 - (a & 4095);
		struct iovec local = { chunk, n }, remote = { (void *)a, n };

		if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)n) {
			if (off == 0)
				r->pkind = PS_UNREADABLE;
			break;
		}
		for (i = 0; i < n; i++) {
			if (off + i < FAKE_STR_MAX - 1)
				r->str[off + i] = chunk[i];
			if (!chunk[i])
				break;
		}
		if (i < n) {
			off += i;
			break;
		}
		off += n;
	}
	r->plen = (uint32_t)off;
	r->str[off < FAKE_STR_MAX - 1 ? off : FAKE_STR_MAX - 1] = 0;
}

static int in_window(uintptr_t p, size_t n)
{
	struct fake_state *s = fake_state;

	return p >= s->wlo && p <= s->whi && n <= s->whi - p;
}

static long fake_bpf(int cmd, void *attr, unsigned int size)
{
	struct fake_state *s = fake_state;
	struct fake_answer a = { FA_DEFAULT, 0, -1, 0, 0, 0 };
	struct fake_rec *r;
	long ret;
	int idx;
	uint64_t pathname = 0;
	int has_path = (cmd == 6 /* BPF_OBJ_PIN */ || cmd == 7 /* BPF_OBJ_GET */) && attr && size >= 8;

	if (has_path)
		memcpy(&pathname, attr, 8);
	r = new_rec(REC_BPF);
	if (r) {
		r->a = cmd;
		r->b = (long)(uintptr_t)attr;
		r->c = size;
		r->nbytes = size < FAKE_ATTR_MAX ? size : FAKE_ATTR_MAX;
		if (attr)
			memcpy(r->bytes, attr, r->nbytes);
		if (has_path)
			rec_path(r, (const char *)(uintptr_t)pathname);
	}
	if (has_path && !pathname && s->realistic) {
		/* what the real kernel answers; no script answer is used */
		errno = EFAULT;
		if (r) {
			r->ret = -1;
			r->err = EFAULT;
		}
		return -1;
	}
	idx = s->bpf_calls++;
	if (idx < s->nans)
		a = s->ans[idx];

	if (attr && a.wb_off >= 0 && (unsigned int)a.wb_off + 4 <= size)
		memcpy((char *)attr + a.wb_off, &a.wb_val, 4);
	if (attr && a.fill > 0 && cmd == 15 /* BPF_OBJ_GET_INFO_BY_FD */ && size >= 16) {
		uint64_t p;
		uint32_t len;
		int i;

		memcpy(&p, (char *)attr + 8, 8);
		memcpy(&len, (char *)attr + 4, 4);
		if (len > (uint32_t)a.fill)
			len = a.fill;
		if (p && in_window((uintptr_t)p, len))
			for (i = 0; i < (int)len; i++)
				((unsigned char *)(uintptr_t)p)[i] = (unsigned char)(i * 7 + 1);
	}

	if (a.kind == FA_ERR) {
		ret = -1;
		errno = a.val;
	} else {
		ret = a.kind == FA_RET ? a.val : FAKE_DEFAULT_RET;
		if (s->realistic && (cmd == 6 /* BPF_OBJ_PIN */ || cmd == 34 /* BPF_LINK_DETACH */))
			ret = 0;
		add_fake_fd((int)ret);
		if (a.mkpin && cmd == 6 && pathname) {
			/* stand-in for the pin (bpffs takes symlinks); not recorded */
			int saved = errno;

			if (symlink("fakepin", (const char *)(uintptr_t)pathname) && r)
				r->fake = -errno;	/* shown, should the stand-in fail */
			errno = saved;
		}
	}
	if (r) {
		r->ret = ret;
		r->err = ret < 0 ? errno : 0;
	}
	return ret;
}

long syscall(long nr, ...)
{
	va_list ap;
	long a1, a2, a3, a4, a5, a6, ret;
	struct fake_rec *r;
	int saved;

	va_start(ap, nr);
	a1 = va_arg(ap, long);
	a2 = va_arg(ap, long);
	a3 = va_arg(ap, long);
	a4 = va_arg(ap, long);
	a5 = va_arg(ap, long);
	a6 = va_arg(ap, long);
	va_end(ap);

	if (nr == SYS_bpf) {
		if (!fake_state || !fake_state->active) {
			/* never let the driver reach the real kernel's bpf() */
			errno = ENOSYS;
			return -1;
		}
		return fake_bpf((int)a1, (void *)(uintptr_t)a2, (unsigned int)a3);
	}
	resolve();
	r = new_rec(REC_SYSCALL);
	ret = real_syscall(nr, a1, a2, a3, a4, a5, a6);
	saved = errno;
	if (r) {
		r->a = nr;
		r->b = a1;
		r->c = a2;
		r->ret = ret;
		r->err = ret < 0 ? saved : 0;
	}
	errno = saved;
	return ret;
}

static int fake_fcntl(fcntl_fn real, int fd, int cmd, long arg)
{
	struct fake_state *s = fake_state;
	struct fake_rec *r = new_rec(REC_FCNTL);
	int ret, fake = is_fake_fd(fd), saved;

	if (fake && (cmd == F_DUPFD_CLOEXEC || cmd == F_DUPFD)) {
		int idx = s->dup_calls++;
		struct fake_dupans d = { FD_DEFAULT, 0 };

		if (idx < s->ndup)
			d = s->dup[idx];
		if (d.kind == FD_ERR) {
			ret = -1;
			errno = d.val;
		} else {
			ret = d.kind == FD_OK ? d.val : FAKE_DUP_BASE + idx;
			add_fake_fd(ret);
		}
	} else if (fake) {
		ret = 0;	/* F_GETFD, F_SETFD, ...: nothing to do on a fake fd */
	} else {
		ret = real(fd, cmd, arg);
	}
	saved = errno;
	if (r) {
		r->a = fd;
		r->b = cmd;
		r->c = arg;
		r->ret = ret;
		r->err = ret < 0 ? saved : 0;
		r->fake = fake;
	}
	errno = saved;
	return ret;
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	resolve();
	return fake_fcntl(real_fcntl, fd, cmd, arg);
}

int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	resolve();
	return fake_fcntl(real_fcntl64, fd, cmd, arg);
}

int close(int fd)
{
	struct fake_rec *r = new_rec(REC_CLOSE);
	int ret, fake = is_fake_fd(fd), saved;

	if (fake) {
		drop_fake_fd(fd);
		ret = 0;
	} else {
		resolve();
		ret = real_close(fd);
	}
	saved = errno;
	if (r) {
		r->a = fd;
		r->ret = ret;
		r->err = ret < 0 ? saved : 0;
		r->fake = fake;
	}
	errno = saved;
	return ret;
}

/* The filesystem calls of bpf_link__pin/unpin: forwarded, recorded. */

static void fs_done(struct fake_rec *r, long ret, int saved)
{
	if (r) {
		r->ret = ret;
		r->err = ret < 0 ? saved : 0;
	}
	errno = saved;
}

int mkdir(const char *path, mode_t mode)
{
	struct fake_rec *r = new_rec(REC_MKDIR);
	int ret;

	resolve();
	if (r) {
		rec_path(r, path);
		r->a = mode;
	}
	ret = real_mkdir(path, mode);
	fs_done(r, ret, errno);
	return ret;
}

int statfs(const char *path, struct statfs *buf)
{
	struct fake_rec *r = new_rec(REC_STATFS);
	int ret;

	resolve();
	if (r)
		rec_path(r, path);
	ret = real_statfs(path, buf);
	if (r && ret == 0)
		r->b = (long)buf->f_type;
	fs_done(r, ret, errno);
	return ret;
}

/* libbpf (built with _FILE_OFFSET_BITS=64) calls statfs64; recorded the same */
int statfs64(const char *path, struct statfs64 *buf)
{
	struct fake_rec *r = new_rec(REC_STATFS);
	int ret;

	resolve();
	if (r)
		rec_path(r, path);
	ret = real_statfs64(path, buf);
	if (r && ret == 0)
		r->b = (long)buf->f_type;
	fs_done(r, ret, errno);
	return ret;
}

int unlink(const char *path)
{
	struct fake_rec *r = new_rec(REC_UNLINK);
	int ret;

	resolve();
	if (r)
		rec_path(r, path);
	ret = real_unlink(path);
	fs_done(r, ret, errno);
	return ret;
}

/* process_vm_readv(getpid(), ...) without the syscall: each remote element
 * is pushed through a pipe in pieces (write() checks the memory and fails
 * with EFAULT instead of faulting), then read into the local elements.
 * Like the real call, a remote element is transferred whole or not at all;
 * the result counts the elements transferred before the first fault. */
static ssize_t emulated_self_read(const struct iovec *local, unsigned long liovcnt,
				  const struct iovec *remote, unsigned long riovcnt)
{
	char chunk[4096];
	size_t li = 0, loff = 0, total = 0;
	unsigned long ri;
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		return -1;
	for (ri = 0; ri < riovcnt; ri++) {
		size_t done = 0, n = remote[ri].iov_len;

		/* first check the whole element, then copy it */
		while (done < n) {
			size_t k = n - done < sizeof(chunk) ? n - done : sizeof(chunk);
			ssize_t w = write(p[1], (const char *)remote[ri].iov_base + done, k);

			if (w < 0 || read(p[0], chunk, (size_t)w) != w) {
				int e = errno;

				real_close(p[0]);
				real_close(p[1]);
				if (total)
					return (ssize_t)total;
				errno = e;
				return -1;
			}
			done += (size_t)w;
		}
		for (done = 0; done < n;) {
			size_t room, k;

			while (li < liovcnt && loff == local[li].iov_len) {
				li++;
				loff = 0;
			}
			if (li == liovcnt)
				break;
			room = local[li].iov_len - loff;
			k = n - done < room ? n - done : room;
			memcpy((char *)local[li].iov_base + loff, (const char *)remote[ri].iov_base + done, k);
			loff += k;
			done += k;
			total += k;
		}
	}
	real_close(p[0]);
	real_close(p[1]);
	return (ssize_t)total;
}

ssize_t process_vm_readv(pid_t pid, const struct iovec *local, unsigned long liovcnt,
			 const struct iovec *remote, unsigned long riovcnt, unsigned long flags)
{
	ssize_t ret;
	int saved = errno;

	resolve();
	ret = real_pvr(pid, local, liovcnt, remote, riovcnt, flags);
	if (ret >= 0 || errno != ENOSYS || pid != getpid() || flags)
		return ret;
	errno = saved;
	ret = emulated_self_read(local, liovcnt, remote, riovcnt);
	if (ret >= 0)
		errno = saved;
	return ret;
}
