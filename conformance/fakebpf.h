/* The fake kernel shared by both conformance drivers (see fakebpf.c). */
#ifndef BPFLINK_CONFORMANCE_FAKEBPF_H
#define BPFLINK_CONFORMANCE_FAKEBPF_H

#include <stdint.h>

/* Scripted answer to the n-th bpf() call of a case. */
enum { FA_DEFAULT = 0, FA_RET = 1, FA_ERR = 2 };
struct fake_answer {
	int kind;	/* FA_DEFAULT: return FAKE_DEFAULT_RET; FA_RET: return val; FA_ERR: -1, errno = val */
	int val;
	int wb_off;	/* >= 0: write wb_val (u32) into attr at this offset (any kind) */
	uint32_t wb_val;
	int fill;	/* BPF_OBJ_GET_INFO_BY_FD: fill this many bytes of the info buffer */
	int mkpin;	/* BPF_OBJ_PIN answered with success: create a symlink at the
			 * pathname (a stand-in for the pin, so unlink can find it) */
};

/* Scripted answer to the n-th fcntl(fake fd, F_DUPFD_CLOEXEC, ...) of a case. */
enum { FD_DEFAULT = 0, FD_OK = 1, FD_ERR = 2 };
struct fake_dupans {
	int kind;	/* FD_DEFAULT: new fd FAKE_DUP_BASE + n; FD_OK: val; FD_ERR: -1, errno = val */
	int val;
};

#define FAKE_DEFAULT_RET 7
#define FAKE_DUP_BASE 64
#define FAKE_MAX_ANS 8
#define FAKE_MAX_REC 64
#define FAKE_STR_MAX 200
#define FAKE_ATTR_MAX 160
#define FAKE_MAX_FDS 32

enum { REC_BPF = 1, REC_FCNTL, REC_CLOSE, REC_SYSCALL, REC_MKDIR, REC_STATFS, REC_UNLINK,
       REC_CB,
       /* probe mode (the attach cases, conformance/attach.c) */
       REC_PERF, REC_IOCTL, REC_READFILE, REC_APPENDFILE, REC_WRITE, REC_ACCESS, REC_OPEN };

/* Probe mode: the sysfs and tracefs files the attach functions read and
 * write are virtual (their text comes from the case; a file that is not
 * listed does not exist), perf_event_open and the perf ioctls are answered
 * from scripts. A virtual file opened for reading (fopen or open) serves
 * its text; one opened for appending records what is written. */
#define FAKE_MAX_VFILES 12
#define FAKE_VPATH_MAX 176
#define FAKE_VTEXT_MAX 512
struct fake_vfile {
	char path[FAKE_VPATH_MAX];
	int err;		/* opening fails with this errno (0: it opens) */
	int wr_err;		/* appending: write fails with this errno */
	uint32_t len;
	char text[FAKE_VTEXT_MAX];
};
#define FAKE_VFD_BASE 900	/* fds of opened virtual files */
#define FAKE_MAX_VFDS 8
#define FAKE_PERF_BASE 40	/* default perf_event_open answers: 40, 41, ... */
/* Where a path pointer (attr pathname of OBJ_PIN/OBJ_GET, or the argument of
 * mkdir/statfs/unlink) pointed: only the string is compared, except for
 * pointers into the driver's fixed region, whose address is identical in
 * both runs. */
enum { PS_NONE = 0, PS_NULL, PS_REGION, PS_HEAP, PS_UNREADABLE };
struct fake_rec {
	int kind;
	long a, b, c;	/* bpf: cmd, attr pointer, size; fcntl: fd, cmd, arg; close: fd; syscall: nr, arg1, arg2;
			 * mkdir: mode; statfs: f_type; callback (REC_CB, recorded by the driver): what, link, fd */
	long ret;
	int err;	/* errno when ret < 0 */
	int fake;	/* the fd was one the fake kernel handed out */
	uint32_t nbytes;
	uint8_t bytes[FAKE_ATTR_MAX];	/* attr as the library passed it */
	int pkind;	/* PS_*: the path string below */
	uint32_t plen;	/* strlen of the path (str holds at most FAKE_STR_MAX - 1 bytes of it) */
	char str[FAKE_STR_MAX];
	/* multi links: what the masked array pointers of attr pointed to */
	int nvals;
	uint64_t vals[8];
};

struct fake_state {
	int active;	/* answer bpf() and own fake fds (else forward everything, bpf() -> ENOSYS) */
	int recording;	/* record every call */
	int realistic;	/* only answers the real kernel can give: OBJ_PIN/OBJ_GET with a
			 * NULL pathname fail with EFAULT (no script answer is used up);
			 * OBJ_PIN and LINK_DETACH succeed with 0 whatever value the
			 * answer has (an fd for the other commands) */
	uintptr_t wlo, whi;	/* the only memory the fake may write through a pointer in attr */
	int nans;
	struct fake_answer ans[FAKE_MAX_ANS];
	int ndup;
	struct fake_dupans dup[FAKE_MAX_ANS];
	int bpf_calls, dup_calls;
	int nrec, rec_lost;
	struct fake_rec rec[FAKE_MAX_REC];
	int nfds;
	int fds[FAKE_MAX_FDS];
	/* probe mode */
	int probe;
	int nvf;
	struct fake_vfile vf[FAKE_MAX_VFILES];
	int nperf, perf_calls;
	struct fake_answer perf[FAKE_MAX_ANS];
	int nioctl, ioctl_calls;
	struct fake_answer ioctl[FAKE_MAX_ANS];
	struct { int used, vf, append; uint32_t pos; } vfd[FAKE_MAX_VFDS];
};

/* Set by the driver (it points into memory shared with the parent, so a
 * crashing case still leaves its records behind). */
extern struct fake_state *fake_state;

/* A new record (NULL when not recording or full); for the driver's own
 * callbacks (REC_CB), so that they appear in order with the library's calls. */
struct fake_rec *fake_new_rec(int kind);

#endif
