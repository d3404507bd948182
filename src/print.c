/* The C half of bpflink's print path. Rust cannot build or receive a
 * va_list on stable, so the two pieces that need one live here:
 *  - the default printer (what libbpf calls __base_pr), and
 *  - a variadic trampoline that turns our arguments into a va_list and hands
 *    it to whichever libbpf_print_fn_t is installed;
 * plus the dlsym(RTLD_NEXT) lookup of the real libbpf's libbpf_set_print.
 * Everything else about printing (the installed callback, libbpf_set_print)
 * is in src/print.rs. These symbols are hidden from the shared library by
 * the version script; in the static library their prefix keeps them apart. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* dlsym is referenced weakly: a static program (cc -static) then does not
 * pull in glibc's static dlsym (and its link-time warning), and gets NULL,
 * which is right: there is no shared libbpf to find beside it. */
extern void *dlsym(void *handle, const char *symbol) __attribute__((weak));
#define BPFLINK_RTLD_NEXT ((void *)-1l)

typedef int (*bpflink_print_fn)(int level, const char *format, va_list args);

enum { BPFLINK_WARN = 0, BPFLINK_INFO = 1, BPFLINK_DEBUG = 2 };

/* Threshold from LIBBPF_LOG_LEVEL, read once
 * (docs/libbpf-behaviour.md#the-print-hook). secure_getenv: a set-uid program
 * does not take it from an untrusted environment. */
static int bpflink_min_level(void)
{
	static int min_level = BPFLINK_INFO;
	static bool initialized;
	const char *value;

	if (initialized)
		return min_level;
	initialized = true;
	value = secure_getenv("LIBBPF_LOG_LEVEL");
	if (!value)
		return min_level;
	if (strcasecmp(value, "warn") == 0)
		min_level = BPFLINK_WARN;
	else if (strcasecmp(value, "debug") == 0)
		min_level = BPFLINK_DEBUG;
	else if (strcasecmp(value, "info") == 0)
		min_level = BPFLINK_INFO;
	else
		fprintf(stderr, "libbpf: unrecognized '%s' envvar value: '%s', should be one of 'warn', 'debug', or 'info'.\n",
			"LIBBPF_LOG_LEVEL", value);
	return min_level;
}

int bpflink__default_print(int level, const char *format, va_list args)
{
	if (level > bpflink_min_level())
		return 0;
	return vfprintf(stderr, format, args);
}

/* dlsym(RTLD_NEXT, name): the next definition of `name` after ours (the
 * real libbpf's when we are LD_PRELOADed in front of it), or NULL. */
void *bpflink__next_symbol(const char *name)
{
	if (!dlsym)
		return NULL;
	return dlsym(BPFLINK_RTLD_NEXT, name);
}

void bpflink__print(bpflink_print_fn fn, int level, const char *format, ...)
{
	va_list args;
	int saved_errno;

	if (!fn)
		return;
	saved_errno = errno;
	va_start(args, format);
	fn(level, format, args);
	va_end(args);
	errno = saved_errno;
}
