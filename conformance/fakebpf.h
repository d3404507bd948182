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
};

/* Scripted answer to the n-th fcntl(fake fd, F_DUPFD_CLOEXEC, ...) of a case. */
enum { FD_DEFAULT = 0, FD_OK = 1, FD_ERR = 2 };
struct fake_dupans {
	int kind;	/* FD_DEFAULT: new fd FAKE_DUP_BASE + n; FD_OK: val; FD_ERR: -1, errno = val */
	int val;
};

#define FAKE_DEFAULT_RET 7
#define FAKE_DUP_BASE 64
#define FAKE_MAX_ANS 4
#define FAKE_MAX_REC 24
#define FAKE_ATTR_MAX 160
#define FAKE_MAX_FDS 32

enum { REC_BPF = 1, REC_FCNTL, REC_CLOSE, REC_SYSCALL };
struct fake_rec {
	int kind;
	long a, b, c;	/* bpf: cmd, attr pointer, size; fcntl: fd, cmd, arg; close: fd; syscall: nr, arg1, arg2 */
	long ret;
	int err;	/* errno when ret < 0 */
	int fake;	/* the fd was one the fake kernel handed out */
	uint32_t nbytes;
	uint8_t bytes[FAKE_ATTR_MAX];	/* attr as the library passed it */
};

struct fake_state {
	int active;	/* answer bpf() and own fake fds (else forward everything, bpf() -> ENOSYS) */
	int recording;	/* record every call */
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
};

/* Set by the driver (it points into memory shared with the parent, so a
 * crashing case still leaves its records behind). */
extern struct fake_state *fake_state;

#endif
