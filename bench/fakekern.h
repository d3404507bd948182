#ifndef BPFLINK_BENCH_FAKEKERN_H
#define BPFLINK_BENCH_FAKEKERN_H

/* What the fake kernel saw while fake_record was set. */
struct fake_rec {
	int calls;
	int cmd;
	unsigned int size;
	unsigned char attr[160];
};

extern volatile long fake_ret;
extern volatile int fake_errno;
extern volatile int fake_record;
extern struct fake_rec fake_last;

#endif
