/*
 * The driver's copy of libbpf's private struct bpf_link (libbpf_internal.h,
 * unchanged since v0.5.0): crafted links are built with it, and the links a
 * library returns are read through it. conformance/link_layout.c asserts,
 * at compile time and for whatever target it is compiled for, that it has
 * libbpf's own layout; the object-API cases then show that the library
 * under test reads and writes the same offsets.
 */
#ifndef BPFLINK_CONFORMANCE_LINK_MIRROR_H
#define BPFLINK_CONFORMANCE_LINK_MIRROR_H

#include <stdint.h>

struct craft_link {
	int (*detach)(struct craft_link *link);
	void (*dealloc)(struct craft_link *link);
	char *pin_path;
	int fd;
	uint8_t disconnected;	/* bool */
};

#endif
