/*
 * bpflink benchmarks: ONE source per program, built three times.
 *
 *   -DIMPL_LIBBPF   against the real libbpf v1.7.0 (build/oracle)
 *   -DIMPL_BPFLINK  against bpflink (include/bpflink.h, build/lib)
 *   (neither)       the floor: the same loop calling syscall(__NR_bpf, ...)
 *                   directly with an attr built once, before the loop
 *
 * All three builds get -Ibuild/oracle/include first, so <linux/bpf.h> is
 * libbpf 1.7.0's UAPI copy everywhere (the raw floor needs its newer
 * union bpf_attr members; bpflink.h works with either header).
 */
#ifndef BPFLINK_BENCH_H
#define BPFLINK_BENCH_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#if defined(IMPL_LIBBPF)
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#define IMPL "libbpf"
#elif defined(IMPL_BPFLINK)
#include <bpflink.h>
#define IMPL "bpflink"
#else
#define IMPL_RAW 1
#include <linux/bpf.h>
#define IMPL "raw"
#endif

#ifndef offsetofend
#define offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))
#endif

/* The attr sizes libbpf 1.7.0 passes (bpf.c). */
#define LINK_CREATE_ATTR_SZ offsetofend(union bpf_attr, link_create)
#define LINK_UPDATE_ATTR_SZ offsetofend(union bpf_attr, link_update)

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline long sys_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
	return syscall(__NR_bpf, cmd, attr, size);
}

static inline uint64_t ptr_to_u64(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static inline uint64_t median_u64(uint64_t *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
