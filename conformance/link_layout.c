/*
 * Compile-time check (compile only, nothing to run): the driver's
 * struct craft_link (link_mirror.h) has the layout of libbpf 1.7.0's own
 * struct bpf_link, from libbpf's libbpf_internal.h, for the target this is
 * compiled for. conformance/run.sh and tests/cross/run.sh compile it with
 * each target's compiler:
 *   CC -fsyntax-only -I<libbpf>/src -I<libbpf>/include -I<libbpf>/include/uapi link_layout.c
 */
#include <stddef.h>
#include <libbpf_internal.h>

#include "link_mirror.h"

#define SAME(m)                                                                     \
	_Static_assert(offsetof(struct bpf_link, m) == offsetof(struct craft_link, m), \
		       "offset of " #m);                                            \
	_Static_assert(sizeof(((struct bpf_link *)0)->m) ==                        \
			       sizeof(((struct craft_link *)0)->m),                 \
		       "size of " #m)

SAME(detach);
SAME(dealloc);
SAME(pin_path);
SAME(fd);
SAME(disconnected);
_Static_assert(sizeof(struct bpf_link) == sizeof(struct craft_link), "sizeof");
_Static_assert(_Alignof(struct bpf_link) == _Alignof(struct craft_link), "alignof");
