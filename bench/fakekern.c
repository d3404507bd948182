/*
 * The benchmark's fake kernel: an interposed syscall(). The benchmark
 * executable defines it and is linked with -rdynamic, so libbpf.so's and
 * libbpflink.so's references to syscall() bind here (as with LD_PRELOAD).
 *
 * syscall(SYS_bpf, ...) returns fake_ret at once (or -1 with errno =
 * fake_errno when fake_ret < 0). It records nothing unless fake_record is
 * set (the one verification call before timing): the timed path is one
 * compare and one load. Every other syscall number goes to libc's.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/syscall.h>

#include "fakekern.h"

volatile long fake_ret = 100;
volatile int fake_errno;
volatile int fake_record;
struct fake_rec fake_last;

typedef long (*syscall_fn)(long, ...);
static syscall_fn real_syscall;

__attribute__((constructor)) static void fake_init(void)
{
	real_syscall = (syscall_fn)dlsym(RTLD_NEXT, "syscall");
}

long syscall(long nr, ...)
{
	va_list ap;
	long a1, a2, a3, a4, a5, a6;

	va_start(ap, nr);
	a1 = va_arg(ap, long);
	a2 = va_arg(ap, long);
	a3 = va_arg(ap, long);
	if (nr == SYS_bpf) {
		va_end(ap);
		if (__builtin_expect(fake_record, 0)) {
			fake_last.calls++;
			fake_last.cmd = (int)a1;
			fake_last.size = (unsigned int)a3;
			memset(fake_last.attr, 0, sizeof(fake_last.attr));
			if (a2)
				memcpy(fake_last.attr, (void *)a2,
				       a3 < (long)sizeof(fake_last.attr) ? (size_t)a3 : sizeof(fake_last.attr));
		}
		if (fake_ret < 0) {
			errno = fake_errno;
			return -1;
		}
		return fake_ret;
	}
	a4 = va_arg(ap, long);
	a5 = va_arg(ap, long);
	a6 = va_arg(ap, long);
	va_end(ap);
	return real_syscall(nr, a1, a2, a3, a4, a5, a6);
}
