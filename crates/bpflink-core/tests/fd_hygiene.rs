//! fd hygiene (`ensure_good_fd`): no call hands out fd 0, 1 or 2.
//!
//! Every expectation below is written from libbpf v1.7.0's own source
//! (`bpf.c`: `bpf_link_create` and friends; `libbpf_internal.h`:
//! `OPTS_VALID`, `OPTS_GET`, `OPTS_ZEROED`, `ensure_good_fd`). Command
//! numbers, attach-type values and `bpf_attr` offsets are spelled as
//! literals taken from libbpf 1.7.0's `include/uapi/linux/bpf.h`, so a wrong
//! constant in `uapi.rs` is caught here too; opts offsets come from the
//! `abi.rs` mirrors (themselves asserted at compile time against
//! docs/libbpf-behaviour.md#the-opts-layouts).
//!
//! Opts are built as the caller's raw bytes (a `Vec<u8>` with `sz` at 0 and
//! fields written little-endian at their offsets) and wrapped in
//! `OptsImage::new(kind, sz, &bytes, &CallerBytes(&bytes))`; bytes past the
//! vector count as unmapped memory.
#![cfg(all(target_arch = "x86_64", target_pointer_width = "64"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    // The calls that carry addresses are `unsafe fn`s; the fake kernel
    // records the addresses and never follows them, so every call is sound.
    clippy::undocumented_unsafe_blocks
)]

mod common;

use common::*;

// ---------------------------------------------------------------------------
// fd hygiene (ensure_good_fd)
// ---------------------------------------------------------------------------

#[test]
fn low_fds_are_moved_above_stdio() {
    for fd in 0..3 {
        let k = FakeKernel::new();
        k.answer(Answer::ok(fd));
        let (r, log) = create(&k, 5, 0, XDP, None);
        assert_eq!(r, Ok(200 + fd));
        assert!(log.is_empty());
        assert_eq!(
            k.calls(),
            vec![
                bpf(28, lc_attr(5, 0, XDP, 0)),
                Call::DupAboveStdio(fd),
                Call::Close(fd),
            ]
        );
    }
    // dup's fd is returned whatever it is.
    let k = FakeKernel::new();
    k.answer(Answer::ok(2));
    k.dup_answers(Ok(3));
    let (r, _) = create(&k, 5, 0, XDP, None);
    assert_eq!(r, Ok(3));
}

#[test]
fn fds_from_3_up_are_left_alone() {
    for fd in [3, 4, 1000, i32::MAX] {
        let k = FakeKernel::new();
        k.answer(Answer::ok(fd));
        let (r, _) = create(&k, 5, 0, XDP, None);
        assert_eq!(r, Ok(fd));
        assert_eq!(k.calls().len(), 1);
    }
}

#[test]
fn dup_failure_closes_and_reports() {
    for fd in 0..3 {
        let k = FakeKernel::new();
        k.answer(Answer::ok(fd));
        k.dup_answers(Err(EMFILE));
        let (r, log) = create(&k, 5, 0, XDP, None);
        assert_eq!(r, Err(EMFILE));
        assert_eq!(log, vec![Warning::DupFailed { fd, errno: EMFILE }]);
        assert_eq!(
            k.calls(),
            vec![
                bpf(28, lc_attr(5, 0, XDP, 0)),
                Call::DupAboveStdio(fd),
                Call::Close(fd),
            ]
        );
    }
}

#[test]
fn kernel_errors_pass_through_without_dup() {
    for e in [Errno::EPERM, Errno::EBADF, Errno::EBUSY, Errno::EEXIST] {
        let k = FakeKernel::new();
        k.answer(Answer::err(e));
        let (r, log) = create(&k, 5, 0, XDP, None);
        assert_eq!(r, Err(e));
        assert!(log.is_empty());
        assert_eq!(k.calls().len(), 1);
    }
}

#[test]
fn bpf_fd_directly() {
    let k = FakeKernel::new();
    k.answer(Answer::ok(1));
    let mut attr = [1u8, 2, 3];
    let mut log = Warnings::new();
    assert_eq!(unsafe { bpf_fd(&k, 99, &mut attr, &mut log) }, Ok(201));
    assert_eq!(
        k.calls(),
        vec![
            bpf(99, vec![1, 2, 3]),
            Call::DupAboveStdio(1),
            Call::Close(1),
        ]
    );
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::ENOMEM));
    assert_eq!(
        unsafe { bpf_fd(&k, 99, &mut attr, &mut log) },
        Err(Errno::ENOMEM)
    );
    assert_eq!(k.calls().len(), 1);
    assert!(log.is_empty());
}
