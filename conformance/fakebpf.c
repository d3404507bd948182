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
 * - Probe mode (fake_state->probe, the attach cases of attach.c):
 *   perf_event_open through syscall() and the perf ioctls on fake fds are
 *   answered from scripts and recorded; the sysfs/tracefs files are virtual
 *   (open/open64, fopen/fopen64, read, write, faccessat, access), so libbpf's
 *   stdio and bpflink's plain open/read see the same text; BPF_PROG_LOAD and
 *   the multi links' arrays are recorded by content, not address.
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

static long fake_perf_open(void *attr, long pid, long cpu, long group, long flags);

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
		if (cmd == 5 /* BPF_PROG_LOAD */ && attr && size >= 24 && s->probe) {
			/* the instructions and license live in each library's own
			 * memory: record what they say, not where they are */
			uint64_t insns, lic;
			uint32_t cnt;

			memcpy(&cnt, (char *)attr + 4, 4);
			memcpy(&insns, (char *)attr + 8, 8);
			memcpy(&lic, (char *)attr + 16, 8);
			memset(r->bytes + 8, 0xaa, 8);
			memset(r->bytes + 16, 0xbb, 8);
			rec_path(r, (const char *)(uintptr_t)lic);
			if (insns && cnt <= 8)
				r->fake = (int)cnt;	/* shown below from the bytes */
			if (insns && cnt <= 8 && r->nbytes >= 24) {
				size_t k = strlen(r->str);
				size_t j;

				for (j = 0; j < cnt * 8 && k + 3 < FAKE_STR_MAX; j++) {
					static const char hx[] = "0123456789abcdef";
					unsigned char b = ((unsigned char *)(uintptr_t)insns)[j];

					if (j == 0)
						r->str[k++] = ' ';
					r->str[k++] = hx[b >> 4];
					r->str[k++] = hx[b & 15];
				}
				r->str[k] = 0;
			}
		}
		if (cmd == 28 /* BPF_LINK_CREATE */ && attr && size >= 60 && s->probe) {
			uint32_t at, pid;

			memcpy(&at, (char *)attr + 8, 4);
			memcpy(&pid, (char *)attr + 56, 4);
			/* uprobe_multi's pid 0 means getpid(): a different number in
			 * each run */
			if ((at == 48 || at == 57) && pid == (uint32_t)getpid())
				memcpy(r->bytes + 56, "PID!", 4);
			if (at == 48 || at == 57) {
				/* path and offsets may be each library's own copies */
				uint64_t path, offs;
				uint32_t cnt;
				int j;

				memcpy(&path, (char *)attr + 16, 8);
				memcpy(&offs, (char *)attr + 24, 8);
				memcpy(&cnt, (char *)attr + 48, 4);
				rec_path(r, (const char *)(uintptr_t)path);
				memset(r->bytes + 16, 0xcc, 8);
				if (offs) {
					memset(r->bytes + 24, 0xdd, 8);
					for (j = 0; j < (int)cnt && j < 8; j++)
						r->vals[r->nvals++] = ((uint64_t *)(uintptr_t)offs)[j];
				}
			}
			if (at == 42 || at == 56) {
				/* syms (&pattern) and addrs (resolved) are the libraries' own */
				uint64_t syms, addrs;
				uint32_t cnt;
				int j;

				memcpy(&cnt, (char *)attr + 20, 4);
				memcpy(&syms, (char *)attr + 24, 8);
				memcpy(&addrs, (char *)attr + 32, 8);
				if (syms) {
					memset(r->bytes + 24, 0xcc, 8);
					rec_path(r, ((const char **)(uintptr_t)syms)[0]);
				}
				if (addrs) {
					memset(r->bytes + 32, 0xdd, 8);
					for (j = 0; j < (int)cnt && j < 8; j++)
						r->vals[r->nvals++] = ((uint64_t *)(uintptr_t)addrs)[j];
				}
			}
		}
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

	if (nr == SYS_perf_event_open && fake_state && fake_state->active && fake_state->probe)
		return fake_perf_open((void *)(uintptr_t)a1, a2, a3, a4, a5);
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

static int close_vfd(int fd);

int close(int fd)
{
	struct fake_rec *r;
	int ret, fake, saved;

	if (close_vfd(fd))
		return 0;
	r = new_rec(REC_CLOSE);
	fake = is_fake_fd(fd);

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

/* ------------------------------------------------------------------ */
/* Probe mode: perf_event_open, perf ioctls, virtual sysfs/tracefs files */

#include <stdio.h>
#include <sys/ioctl.h>

typedef int (*open_fn)(const char *, int, ...);
typedef FILE *(*fopen_fn)(const char *, const char *);
typedef ssize_t (*rw_fn)(int, void *, size_t);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef int (*ioctl_fn)(int, unsigned long, ...);
typedef int (*faccessat_fn)(int, const char *, int, int);
typedef int (*access_fn)(const char *, int);

static open_fn real_open, real_open64;
static fopen_fn real_fopen, real_fopen64;
static rw_fn real_read;
static write_fn real_write;
static ioctl_fn real_ioctl;
static faccessat_fn real_faccessat;
static access_fn real_access;

static void resolve_probe(void)
{
	if (real_open)
		return;
	real_open = (open_fn)dlsym(RTLD_NEXT, "open");
	real_open64 = (open_fn)dlsym(RTLD_NEXT, "open64");
	real_fopen = (fopen_fn)dlsym(RTLD_NEXT, "fopen");
	real_fopen64 = (fopen_fn)dlsym(RTLD_NEXT, "fopen64");
	real_read = (rw_fn)dlsym(RTLD_NEXT, "read");
	real_write = (write_fn)dlsym(RTLD_NEXT, "write");
	real_ioctl = (ioctl_fn)dlsym(RTLD_NEXT, "ioctl");
	real_faccessat = (faccessat_fn)dlsym(RTLD_NEXT, "faccessat");
	real_access = (access_fn)dlsym(RTLD_NEXT, "access");
	if (!real_open64)
		real_open64 = real_open;
	if (!real_fopen64)
		real_fopen64 = real_fopen;
}

static int probing(void)
{
	return fake_state && fake_state->active && fake_state->probe;
}

/* The paths whose files are virtual in probe mode. */
static int virtual_path(const char *p)
{
	static const char *const pfx[] = {
		"/sys/bus/event_source/", "/sys/kernel/tracing", "/sys/kernel/debug/tracing",
		"/proc/kallsyms",
	};
	size_t i;

	if (!p)
		return 0;
	for (i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++)
		if (!strncmp(p, pfx[i], strlen(pfx[i])))
			return 1;
	return 0;
}

static int find_vfile(const char *p)
{
	struct fake_state *s = fake_state;
	int i;

	for (i = 0; i < s->nvf; i++)
		if (!strcmp(s->vf[i].path, p))
			return i;
	return -1;
}

static struct fake_rec *rec_file(int kind, const char *path)
{
	struct fake_rec *r = new_rec(kind);

	if (r)
		rec_path(r, path);
	return r;
}

/* Opens virtual file `path`: a virtual fd, or -1 with errno. */
static int open_vfile(const char *path, int append, struct fake_rec *r)
{
	struct fake_state *s = fake_state;
	int v = find_vfile(path), i;

	if (v < 0 || s->vf[v].err) {
		errno = v < 0 ? ENOENT : s->vf[v].err;
		if (r) {
			r->ret = -1;
			r->err = errno;
		}
		return -1;
	}
	for (i = 0; i < FAKE_MAX_VFDS; i++)
		if (!s->vfd[i].used) {
			s->vfd[i].used = 1;
			s->vfd[i].vf = v;
			s->vfd[i].append = append;
			s->vfd[i].pos = 0;
			if (r)
				r->ret = 0;
			return FAKE_VFD_BASE + i;
		}
	errno = EMFILE;
	return -1;
}

static int vfd_slot(int fd)
{
	struct fake_state *s = fake_state;
	int i = fd - FAKE_VFD_BASE;

	if (!fake_state || i < 0 || i >= FAKE_MAX_VFDS || !s->vfd[i].used)
		return -1;
	return i;
}

/* close() of a virtual fd: not recorded (libbpf's fclose of an fmemopen
 * stream closes no fd at all). Called from close() below. */
static int close_vfd(int fd)
{
	int i = vfd_slot(fd);

	if (i < 0)
		return 0;
	fake_state->vfd[i].used = 0;
	return 1;
}

static int do_open(open_fn real, const char *path, int flags, mode_t mode)
{
	struct fake_rec *r;
	int ret, saved;

	resolve_probe();
	if (probing() && virtual_path(path)) {
		int append = (flags & O_ACCMODE) != O_RDONLY;

		r = rec_file(append ? REC_APPENDFILE : REC_READFILE, path);
		return open_vfile(path, append, r);
	}
	if (!probing())
		return real(path, flags, mode);
	r = rec_file(REC_OPEN, path);
	ret = real(path, flags, mode);
	saved = errno;
	if (r) {
		r->a = flags;
		r->ret = ret;
		r->err = ret < 0 ? saved : 0;
	}
	errno = saved;
	return ret;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = va_arg(ap, mode_t);
	va_end(ap);
	resolve_probe();
	return do_open(real_open, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = va_arg(ap, mode_t);
	va_end(ap);
	resolve_probe();
	return do_open(real_open64, path, flags, mode);
}

static FILE *do_fopen(fopen_fn real, const char *path, const char *mode)
{
	struct fake_rec *r;
	int v;

	if (!probing() || !virtual_path(path))
		return real(path, mode);
	r = rec_file(REC_READFILE, path);
	v = find_vfile(path);
	if (v < 0 || fake_state->vf[v].err) {
		errno = v < 0 ? ENOENT : fake_state->vf[v].err;
		if (r) {
			r->ret = -1;
			r->err = errno;
		}
		return NULL;
	}
	if (r)
		r->ret = 0;
	if (!fake_state->vf[v].len)
		return fmemopen((void *)"", 0, "r") ?: fopen("/dev/null", "r");
	return fmemopen(fake_state->vf[v].text, fake_state->vf[v].len, "r");
}

FILE *fopen(const char *path, const char *mode)
{
	resolve_probe();
	return do_fopen(real_fopen, path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
	resolve_probe();
	return do_fopen(real_fopen64, path, mode);
}

ssize_t read(int fd, void *buf, size_t n)
{
	int i;

	resolve_probe();
	i = vfd_slot(fd);
	if (i >= 0) {
		struct fake_state *s = fake_state;
		struct fake_vfile *f = &s->vf[s->vfd[i].vf];
		size_t left = f->len > s->vfd[i].pos ? f->len - s->vfd[i].pos : 0;

		if (n > left)
			n = left;
		memcpy(buf, f->text + s->vfd[i].pos, n);
		s->vfd[i].pos += n;
		return (ssize_t)n;
	}
	return real_read(fd, buf, n);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	int i;

	resolve_probe();
	i = vfd_slot(fd);
	if (i >= 0) {
		struct fake_state *s = fake_state;
		struct fake_vfile *f = &s->vf[s->vfd[i].vf];
		struct fake_rec *r = new_rec(REC_WRITE);

		if (r) {
			size_t k = n < FAKE_STR_MAX - 1 ? n : FAKE_STR_MAX - 1;

			memcpy(r->str, buf, k);
			r->str[k] = 0;
			r->plen = (uint32_t)n;
			r->pkind = PS_HEAP;
		}
		if (f->wr_err) {
			errno = f->wr_err;
			if (r) {
				r->ret = -1;
				r->err = errno;
			}
			return -1;
		}
		if (r)
			r->ret = (long)n;
		return (ssize_t)n;
	}
	return real_write(fd, buf, n);
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	long arg;
	struct fake_rec *r;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, long);
	va_end(ap);
	resolve_probe();
	if (!probing() || !is_fake_fd(fd))
		return real_ioctl(fd, req, arg);
	r = new_rec(REC_IOCTL);
	{
		struct fake_state *s = fake_state;
		struct fake_answer a = { FA_DEFAULT, 0, -1, 0, 0, 0 };
		int idx = s->ioctl_calls++;

		if (idx < s->nioctl)
			a = s->ioctl[idx];
		if (a.kind == FA_ERR) {
			ret = -1;
			errno = a.val;
		} else {
			ret = a.kind == FA_RET ? a.val : 0;
		}
	}
	if (r) {
		r->a = fd;
		r->b = (long)req;
		r->c = (int)arg;
		r->ret = ret;
		r->err = ret < 0 ? errno : 0;
	}
	return ret;
}

static int do_access(const char *what, int dirfd, const char *path, int mode, int flags)
{
	struct fake_rec *r;
	int ret, saved;

	resolve_probe();
	if (!probing())
		return what[0] == 'a' ? real_access(path, mode) : real_faccessat(dirfd, path, mode, flags);
	r = rec_file(REC_ACCESS, path);
	if (virtual_path(path)) {
		int v = find_vfile(path);

		ret = v >= 0 && !fake_state->vf[v].err ? 0 : -1;
		if (ret)
			errno = v < 0 ? ENOENT : fake_state->vf[v].err;
	} else {
		ret = what[0] == 'a' ? real_access(path, mode) : real_faccessat(dirfd, path, mode, flags);
	}
	saved = errno;
	if (r) {
		r->a = mode;
		r->b = what[0] == 'a';
		r->ret = ret;
		r->err = ret < 0 ? saved : 0;
	}
	errno = saved;
	return ret;
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
	return do_access("faccessat", dirfd, path, mode, flags);
}

int access(const char *path, int mode)
{
	return do_access("access", AT_FDCWD, path, mode, 0);
}

/* perf_event_open(attr, pid, cpu, group_fd, flags) in probe mode. */
static long fake_perf_open(void *attr, long pid, long cpu, long group, long flags)
{
	struct fake_state *s = fake_state;
	struct fake_answer a = { FA_DEFAULT, 0, -1, 0, 0, 0 };
	struct fake_rec *r = new_rec(REC_PERF);
	int idx = s->perf_calls++;
	long ret;

	if (r) {
		uint32_t size = 0;
		uint64_t config1 = 0;

		if (attr) {
			memcpy(&size, (char *)attr + 4, 4);
			memcpy(&config1, (char *)attr + 56, 8);
		}
		/* the kernel takes ints (libbpf passes ints through the variadic
		 * syscall(), leaving the upper halves of the registers open) */
		r->a = (int)pid;
		r->b = (int)cpu;
		/* (on a 32-bit host `long` holds group_fd only: the attach corpus
		 * that looks at the flags runs natively) */
		r->c = (long)((uint64_t)(group & 0xffffffff) | ((uint64_t)(flags & 0xffffffff) << 32));
		r->nbytes = size < FAKE_ATTR_MAX ? size : FAKE_ATTR_MAX;
		if (attr)
			memcpy(r->bytes, attr, r->nbytes);
		if (config1)
			rec_path(r, (const char *)(uintptr_t)config1);
	}
	if (idx < s->nperf)
		a = s->perf[idx];
	if (a.kind == FA_ERR) {
		ret = -1;
		errno = a.val;
	} else {
		ret = a.kind == FA_RET ? a.val : FAKE_PERF_BASE + idx;
		add_fake_fd((int)ret);
	}
	if (r) {
		r->ret = ret;
		r->err = ret < 0 ? errno : 0;
	}
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
