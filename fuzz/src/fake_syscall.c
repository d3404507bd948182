/* A fake kernel for the FFI fuzz target: this definition of syscall() is
 * linked into the fuzz executables (whole-archive), so bpflink's
 * libc::syscall(SYS_bpf, ...) binds to it instead of libc's. While a thread
 * has a hook installed, its bpf() calls go to the hook (Rust, src/ffi_run.rs)
 * and never reach the kernel; every other call (and other threads' calls,
 * e.g. the standard library's futex) is forwarded to libc's syscall(). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <sys/syscall.h>

typedef long (*bpflink_fuzz_bpf_hook)(long cmd, void *attr, unsigned long size);
typedef long (*syscall_fn)(long, ...);

static __thread bpflink_fuzz_bpf_hook hook;
static syscall_fn real_syscall;

void bpflink_fuzz_set_bpf_hook(bpflink_fuzz_bpf_hook fn)
{
	hook = fn;
}

long syscall(long nr, ...)
{
	va_list ap;
	long a[6];
	int i;

	/* Like glibc's own syscall(): always take six arguments. */
	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr == SYS_bpf && hook)
		return hook(a[0], (void *)a[1], (unsigned long)a[2]);
	if (!__atomic_load_n(&real_syscall, __ATOMIC_ACQUIRE))
		__atomic_store_n(&real_syscall, (syscall_fn)dlsym(RTLD_NEXT, "syscall"),
				 __ATOMIC_RELEASE);
	return real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
