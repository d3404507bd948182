/*
 * The conformance driver's internal header: what its files share.
 *
 * The driver is one program, built from the files in this directory (with
 * ../fakebpf.c, the fake kernel) three times by conformance/run.sh:
 *
 *   -DORACLE  against the real libbpf v1.7.0 (build/oracle: <bpf/bpf.h>,
 *             <bpf/libbpf.h>, libbpf.so.1.7.0)
 *   (none)    against bpflink (include/bpflink.h, build/lib/libbpflink.so,
 *             and again with libbpflink.a)
 *
 * All three run the same corpus (a fixed part, then a seeded random part)
 * against the fake kernel, and print one transcript block per case: the
 * call with its arguments, the kernel script, every bpf()/fcntl()/close()
 * the library made (cmd, size, attr bytes), every message it printed through
 * the libbpf_set_print callback, its return value and errno, and what it
 * wrote to output parameters. run.sh diffs the transcripts.
 *
 * Everything the driver hands to the library (opts structs, strings, output
 * buffers) lives in one region mapped at a FIXED address, so pointers that
 * end up in attr are byte-identical in the processes. Opts are built as
 * raw byte images (not through the headers' structs), so both libraries see
 * exactly the same bytes, including padding, tails and bogus sizes.
 *
 * Each case runs in a forked child with an alarm; a crash (libbpf faults on
 * some garbage input) is reported as "crashed signal N" with whatever the
 * library did before it (the records live in shared memory).
 *
 * The files, one job each:
 *   region.c             the fixed-address region and the shared record block
 *   cases.c              what a case is: the functions under test, their opts
 *                        layouts, the step operands, the case builders
 *   runner.c             running one case: fork, the low-level call in the
 *                        child, wait, print; the print callbacks
 *   run_object_api.c     the child of an object-API or helper case (F_OBJ,
 *                        F_STRERROR, F_GET_ERROR, F_NAMES)
 *   mount_namespace.c    the private mount namespace of an F_OBJ case
 *   print.c              the transcript: how a case and its result are printed
 *   corpus_low_level.c   the fixed cases of the low-level calls (bpf_link_*, ...)
 *   corpus_object_api.c  the fixed cases of the object API (bpf_link__*)
 *   corpus_helpers.c     the fixed cases of libbpf_strerror, _get_error, _str
 *   random.c             the seeded random cases
 *   main.c               the command line and the order of the corpus
 *
 * Usage: driver [--seed N] [--cases M] [--case K] [--no-fixed] [--list] [--unrealistic]
 */
#ifndef BPFLINK_CONFORMANCE_DRIVER_H
#define BPFLINK_CONFORMANCE_DRIVER_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef ORACLE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#define LIBNAME "libbpf-1.7.0"
#else
#include <bpflink.h>
#define LIBNAME "bpflink"
#endif

#include "../fakebpf.h"
#include "../link_mirror.h"

/*
 * The drivers are linked with -rdynamic so that the libraries' syscall,
 * fcntl and close bind to the fake kernel; that exports every global
 * symbol. The names the driver's files share are no interface of it: they
 * stay out of the dynamic symbol table, as they did when they were all
 * static in one file, so no library can bind to one of them.
 */
#pragma GCC visibility push(hidden)

/* ------------------------------------------------------------------ */
/* The fixed region (region.c)                                         */

#if UINTPTR_MAX > 0xffffffffu
#define R_BASE 0x200000000000UL
#else
/* 32-bit targets: low in the address space, clear of the executable, the
 * heap and the mmap area (under qemu-user too) */
#define R_BASE 0x20000000UL
#endif
#define R_PAGES 16
#define R_SIZE ((size_t)R_PAGES * 4096)
#define OFF_PATH 0x100		/* "/sys/fs/bpf/conformance/link" */
#define OFF_TP 0x180		/* "sys_enter" */
#define OFF_NEXTID 0x300	/* __u32 out parameter of get_next_id */
#define OFF_INFOLEN 0x308	/* __u32 in/out info_len */
#define OFF_INFO 0x1000		/* info buffer */
#define INFO_BUF 256
#define OFF_OPTS 0x4000		/* opts, normal placement: 48 KiB of zeros follow, then unmapped */
#define IMG 256			/* bytes of an opts image the case controls */
#define SENTINEL_ERRNO 4242
#define SENTINEL_OUT 0xdeadbeefu
#define INFO_FILL 0xa5
#define RADDR(off) ((uint64_t)(R_BASE + (off)))
#define OFF_PATHS 0x1100	/* the path strings (up to OFF_OPTS) */

/* The root of an F_OBJ case's fixtures (mount_namespace.c) and of most of its
 * paths. The path strings live in the region: PATHS in region.c, then three
 * long ones made at run time. */
#define BASE "/tmp/bpflink-conformance"
#define N_PATH_STRINGS 38	/* entries of PATHS */
#define NPATHS (N_PATH_STRINGS + 3)

/* What the child leaves behind for the parent (MAP_SHARED). */
#define MAX_MSG 32
#define MSG_LEN 200
#define TEXT_MAX (192 * 1024)
struct shared;
extern struct shared *S;
void setup_region(void);
/* the region address of path i (PATHS and the long ones), NULL for -1 */
const char *path_ptr(int i);

/*
 * The opts layouts come from the header the driver is built against
 * (libbpf's <bpf/bpf.h> or <bpflink.h>), for the target it is built for:
 * on LP64 targets bpf_link_create_opts is 80 bytes, on i386 48 (4-byte
 * size_t and pointers, 4-byte aligned __u64). The images are still raw
 * bytes; should the two headers disagree, the two transcripts' opts lines
 * differ and every such case fails.
 */
#define BIG_ENDIAN_HOST (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
#define SZB ((int)sizeof(size_t))	/* bytes of the leading size_t sz */
#define PTR ((int)sizeof(void *))
#define LC(m) ((int)offsetof(struct bpf_link_create_opts, m))
#define LC_SIZE ((int)sizeof(struct bpf_link_create_opts))
#define LC_END (LC(uprobe_multi.pid) + 4)	/* end of __last_field */
#define LU(m) ((int)offsetof(struct bpf_link_update_opts, m))
#define LU_SIZE ((int)sizeof(struct bpf_link_update_opts))
#define LU_END (LU(old_map_fd) + 4)

/* ------------------------------------------------------------------ */
/* Functions under test (cases.c)                                      */

enum fn {
	F_LINK_CREATE, F_LINK_UPDATE, F_LINK_DETACH, F_ITER_CREATE, F_GET_NEXT_ID,
	F_GET_FD_BY_ID, F_GET_FD_BY_ID_OPTS, F_LINK_GET_INFO, F_OBJ_GET_INFO,
	F_RAW_TP_OPEN, F_RAW_TP_OPEN_OPTS, F_OBJ_PIN, F_OBJ_PIN_OPTS, F_OBJ_GET,
	F_OBJ_GET_OPTS,
	/* the object API and the helpers (run_object_api.c) */
	F_OBJ, F_STRERROR, F_GET_ERROR, F_NAMES, F_N
};

/* off/size of a field (size 0: absent on this target, skipped); ptr: a pointer */
struct fld { int off, size; const char *name; int ptr; };

struct okind {
	const char *name;
	int size;	/* sizeof(struct) on this target */
	const struct fld *f;
	int nf;
};
#define NF(a) ((int)(sizeof(a) / sizeof((a)[0])))

struct fninfo {
	const char *name;
	const struct okind *ok;
	int weight;	/* in the random part */
};
extern const struct fninfo FN[F_N];
#define N_CREATE_FIELDS 15
extern const struct fld F_CREATE[N_CREATE_FIELDS];
extern const struct okind OK_CREATE;

/* ------------------------------------------------------------------ */
/* A case (cases.c)                                                    */

/* One step of an object-API case (F_OBJ), see obj_step() */
enum op {
	OP_OPEN, OP_CRAFT, OP_FD, OP_PIN_PATH, OP_PIN, OP_UNPIN, OP_DETACH, OP_DISCONNECT,
	OP_DESTROY, OP_GET_ERROR, OP_SET_PRINT, OP_SETENV, OP_CHDIR
};
#define MAX_STEPS 16
#define NHANDLES 4
/* link operands: 0..NHANDLES-1 are the case's links L1..L4, or: */
enum { H_NULL = -1, H_ERR1 = -2, H_ERR22 = -3, H_ERR4095 = -4 };
struct step {
	int8_t op;
	int8_t h;	/* link operand (OP_OPEN/OP_CRAFT: the slot the new link goes to) */
	int16_t path;	/* path index (PATHS), -1 = NULL; OP_CHDIR: index into CWDS */
	int32_t fd;	/* OP_CRAFT: the link's fd */
	uint8_t det;	/* OP_CRAFT: detach callback (DK_*); OP_SET_PRINT: PR_*; OP_SETENV: index into ENVS */
	uint8_t dea;	/* OP_CRAFT: dealloc callback (0 none, 1 yes) */
	uint8_t disc;	/* OP_CRAFT: the disconnected byte */
};
#define MAX_VALS 64

struct tcase {
	int fn;
	int64_t a0, a1, a2;	/* integer arguments, see print_call() */
	int has_opts;
	uint64_t sz;
	uint8_t img[IMG];	/* opts bytes (img[0..SZB] is replaced by sz) */
	int place;		/* 0: at OFF_OPTS + mis; k > 0: the opts end k bytes before the unmapped end */
	int mis;		/* misalignment of the opts pointer (normal placement only) */
	uint32_t far;		/* normal placement: region offset of one non-zero byte far in the tail */
	int p1, p2;		/* pointer arguments: 1 = valid region pointer, 0 = NULL */
	uint32_t in_val;	/* initial *info_len */
	int nk;
	struct fake_answer k[FAKE_MAX_ANS];
	int nd;
	struct fake_dupans d[FAKE_MAX_ANS];
	int nstep;		/* F_OBJ */
	int unreal;		/* F_OBJ: the fake kernel may give answers the real one never gives */
	struct step st[MAX_STEPS];
	int nval;		/* F_STRERROR: buffer sizes (-1 - n: NULL buf, size n) for the
				 * errs a0 .. a0 + a1 - 1; F_GET_ERROR: pointers; F_NAMES: type values */
	int64_t val[MAX_VALS];
	char desc[120];
};

/* What the child leaves behind for the parent: *S, MAP_SHARED (region.c). */
struct shared {
	struct fake_state fk;
	int returned;
	long ret;
	int err;
	int nmsg, msg_lost;
	int lvl[MAX_MSG];
	int cbid[MAX_MSG];	/* which callback got it: 1 print_cb, 2 print_cb2 */
	char msg[MAX_MSG][MSG_LEN];
	uint32_t next_id, info_len;
	uint8_t info[INFO_BUF];
	/* F_OBJ and the helpers: the child writes its transcript lines here as it
	 * goes; after a crash the parent adds the records and messages from
	 * rec_mark/msg_mark on. */
	int rec_mark, msg_mark;
	size_t tlen;
	char text[TEXT_MAX];	/* must stay last (not cleared between cases) */
};


/* The operands of F_OBJ steps and their names. */
enum { DK_NONE, DK_RET0, DK_RETM1, DK_RETM22, DK_RET7, DK_ERRNO, DK_N };	/* detach callbacks */
extern const char *const DK_NAME[];
enum { PR_NULL, PR_CB, PR_CB2, PR_DEFAULT };	/* libbpf_set_print arguments */
extern const char *const PR_NAME[];
extern const char *const OP_FN[];	/* enum op: the function a step calls */
#define N_CWDS 4
extern const char *const CWDS[N_CWDS];	/* OP_CHDIR */
#define N_ENVS 8
extern const char *const ENVS[N_ENVS];	/* OP_SETENV: LIBBPF_LOG_LEVEL values, NULL = unset */

/* Building a case (the corpora, the random part). */
struct fake_answer A_RET(int v);
struct fake_answer A_ERR(int e);
struct fake_answer A_PIN(void);
struct fake_answer A_WB(struct fake_answer a, int off, uint32_t v);
struct fake_dupans D_OK(int v);
struct fake_dupans D_ERR(int e);
void init_case(struct tcase *c, int fn);
void set_opts(struct tcase *c, uint64_t sz);
void put(struct tcase *c, int off, int size, uint64_t v);
void desc(struct tcase *c, const char *fmt, ...);
void init_obj(struct tcase *c);
void s_open(struct tcase *c, int h, int path);
void s_craft(struct tcase *c, int h, int fd, int det, int dea, int disc, int path);
void s_pin(struct tcase *c, int h, int path);
void s_op(struct tcase *c, int op, int h);
void s_print(struct tcase *c, int which);
void s_env(struct tcase *c, int which);
void s_chdir(struct tcase *c, int which);
void ans(struct tcase *c, struct fake_answer a);

/* the opts pointer of a case, and how many bytes of its image are mapped (region.c) */
uint8_t *opts_addr(const struct tcase *c);
size_t mapped_img(const struct tcase *c);

/* ------------------------------------------------------------------ */
/* Running a case (runner.c, run_object_api.c, mount_namespace.c)       */

/* set from the command line (main.c) */
extern long only_case;	/* --case K */
extern int list_only;	/* --list: print the cases, do not run them */
extern int unrealistic;	/* --unrealistic: add the F_OBJ cases with impossible kernel answers */
/* the run (runner.c) */
extern long ncase;	/* index of the next case */
extern long nrun;
extern FILE *out;
extern int errfd;	/* memfd: the stderr of F_OBJ children */
extern int ns_ok;	/* private mount namespaces work here (F_OBJ cases need them: root) */
/* what the first libbpf_set_print (in main) returned: the library's default */
extern libbpf_print_fn_t default_printer;

/* runs case c (unless --case/--list say otherwise) and prints its block */
void run_case(struct tcase *c, const char *part);
int print_cb(enum libbpf_print_level level, const char *fmt, va_list ap);
int print_cb2(enum libbpf_print_level level, const char *fmt, va_list ap);
/* the child of an F_OBJ or helper case; does not return */
void run_child_obj(const struct tcase *c);
int setup_ns(char *why, size_t n);
int probe_ns(void);

/* ------------------------------------------------------------------ */
/* The transcript (print.c)                                            */

const char *errname(int e);
void print_escaped(FILE *f, const char *s);
void print_call(FILE *f, const struct tcase *c);
void print_script(FILE *f, const struct tcase *c);
void print_recs(FILE *f, int from);
void print_msgs(FILE *f, int from);
void print_result(FILE *f, const struct tcase *c, int status);
void print_step_plan(FILE *f, const struct step *st);

/* ------------------------------------------------------------------ */
/* The corpus (corpus_*.c, random.c)                                   */

void fixed_low_level(void);
void fixed_obj(void);
void fixed_helpers(void);
void random_seed(uint64_t seed);
void gen_random(struct tcase *c);

#pragma GCC visibility pop

#endif

