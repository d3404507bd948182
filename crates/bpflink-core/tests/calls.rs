//! The other low-level calls through the fake kernel: update, detach,
//! iter_create, id walks, info, raw tracepoints, pin/get.
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
// bpf_link_update
// ---------------------------------------------------------------------------

const LU: OptsKind = abi::LINK_UPDATE_OPTS;

fn update(k: &FakeKernel, link: i32, prog: i32, opts: Option<&[u8]>) -> (Result<i32>, Warnings) {
    let mut log = Warnings::new();
    let r = with_opts(LU, opts, |o| calls::link_update(k, link, prog, o, &mut log));
    (r, log)
}

fn lu_attr(link: i32, prog: i32, flags: u32, old: u32) -> Vec<u8> {
    let mut a = vec![0u8; 16];
    wi32(&mut a, 0, link);
    wi32(&mut a, 4, prog);
    w32(&mut a, 8, flags);
    w32(&mut a, 12, old);
    a
}

#[test]
fn link_update_images() {
    assert_eq!(
        (
            uo::FLAGS,
            uo::OLD_PROG_FD,
            uo::OLD_MAP_FD,
            LU.known_end,
            LU.size
        ),
        (8, 12, 16, 20, 24)
    );
    // NULL opts.
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    let (r, log) = update(&k, 10, 11, None);
    assert_eq!(r, Ok(0));
    assert!(log.is_empty());
    assert_eq!(
        k.calls(),
        vec![bpf(cmd::LINK_UPDATE, lu_attr(10, 11, 0, 0))]
    );

    // flags + old_prog_fd.
    let mut b = buf(24, 24);
    w32(&mut b, uo::FLAGS, 4); // BPF_F_REPLACE
    w32(&mut b, uo::OLD_PROG_FD, 12);
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    let (r, _) = update(&k, 10, 11, Some(&b));
    assert_eq!(r, Ok(0));
    assert_eq!(k.calls(), vec![bpf(29, lu_attr(10, 11, 4, 12))]);

    // old_map_fd alone goes into the shared slot @12.
    let mut b = buf(24, 24);
    w32(&mut b, uo::OLD_MAP_FD, 13);
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    let (r, _) = update(&k, 10, 11, Some(&b));
    assert_eq!(r, Ok(0));
    assert_eq!(k.calls(), vec![bpf(29, lu_attr(10, 11, 0, 13))]);

    // Both → EINVAL without a syscall or a message.
    let mut b = buf(24, 24);
    w32(&mut b, uo::OLD_PROG_FD, 12);
    w32(&mut b, uo::OLD_MAP_FD, 13);
    let k = FakeKernel::new();
    let (r, log) = update(&k, 10, 11, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[]);

    // sz 16 (a pre-1.2 caller): old_map_fd is invisible, so no conflict.
    let mut b2 = b.clone();
    w64(&mut b2, 0, 16);
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    let (r, _) = update(&k, 10, 11, Some(&b2));
    assert_eq!(r, Ok(0));
    assert_eq!(k.calls(), vec![bpf(29, lu_attr(10, 11, 0, 12))]);

    // sz 19: old_map_fd only partly inside → 0.
    let mut b = buf(24, 19);
    w32(&mut b, uo::OLD_MAP_FD, 13);
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    let (r, _) = update(&k, 10, 11, Some(&b));
    assert_eq!(r, Ok(0));
    assert_eq!(k.calls(), vec![bpf(29, lu_attr(10, 11, 0, 0))]);

    // sz 20 (exactly __last_field's end) sees it.
    w64(&mut b, 0, 20);
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    let (r, _) = update(&k, 10, 11, Some(&b));
    assert_eq!(r, Ok(0));
    assert_eq!(k.calls(), vec![bpf(29, lu_attr(10, 11, 0, 13))]);
}

#[test]
fn link_update_sz_rules() {
    // Too small.
    for sz in [0, 7] {
        let b = buf(24, sz);
        let k = FakeKernel::new();
        let (r, log) = update(&k, 1, 2, Some(&b));
        assert_rejected(
            &k,
            r,
            &log,
            EINVAL,
            &[too_small(c"bpf_link_update_opts", sz)],
        );
    }
    // The struct's own padding 20..24 (libbpf PR #689 quirk).
    for p in 20..24 {
        let mut b = buf(24, 24);
        b[p] = 1;
        let k = FakeKernel::new();
        let (r, log) = update(&k, 1, 2, Some(&b));
        assert_rejected(&k, r, &log, EINVAL, &[extra(c"bpf_link_update_opts")]);
    }
    // A longer, zero tail passes; a non-zero one does not.
    let b = buf(40, 40);
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    assert_eq!(update(&k, 1, 2, Some(&b)).0, Ok(0));
    let mut b = buf(40, 40);
    b[39] = 1;
    let k = FakeKernel::new();
    let (r, log) = update(&k, 1, 2, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[extra(c"bpf_link_update_opts")]);
    // Unmapped tail.
    let b = buf(24, 40);
    let k = FakeKernel::new();
    let (r, log) = update(&k, 1, 2, Some(&b));
    assert_rejected(
        &k,
        r,
        &log,
        Errno::EFAULT,
        &[unreadable(c"bpf_link_update_opts", 40)],
    );
}

#[test]
fn link_update_has_no_fd_hygiene_and_passes_errors() {
    // A plain syscall: a 0 return is the success value, not an fd.
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    assert_eq!(update(&k, 1, 2, None).0, Ok(0));
    assert_eq!(k.calls().len(), 1);
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::EPERM));
    assert_eq!(update(&k, 1, 2, None).0, Err(Errno::EPERM));
    assert_eq!(k.calls().len(), 1);
}

// ---------------------------------------------------------------------------
// bpf_link_detach, bpf_iter_create
// ---------------------------------------------------------------------------

#[test]
fn link_detach_image() {
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    assert_eq!(calls::link_detach(&k, 0x0102_0304), Ok(0));
    assert_eq!(
        k.calls(),
        vec![bpf(cmd::LINK_DETACH, vec![0x04, 0x03, 0x02, 0x01])]
    );
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::EOPNOTSUPP));
    assert_eq!(calls::link_detach(&k, -1), Err(Errno::EOPNOTSUPP));
    assert_eq!(k.calls(), vec![bpf(34, vec![0xff; 4])]);
}

#[test]
fn iter_create_image_and_hygiene() {
    let k = FakeKernel::new();
    let mut log = Warnings::new();
    assert_eq!(calls::iter_create(&k, 9, &mut log), Ok(100));
    assert_eq!(
        k.calls(),
        vec![bpf(cmd::ITER_CREATE, vec![9, 0, 0, 0, 0, 0, 0, 0])]
    );

    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    assert_eq!(calls::iter_create(&k, 9, &mut log), Ok(200));
    assert_eq!(k.calls().len(), 3);
    assert!(log.is_empty());

    let k = FakeKernel::new();
    k.answer(Answer::ok(2));
    k.dup_answers(Err(EMFILE));
    assert_eq!(calls::iter_create(&k, 9, &mut log), Err(EMFILE));
    assert_eq!(
        log,
        vec![Warning::DupFailed {
            fd: 2,
            errno: EMFILE
        }]
    );

    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::EBADF));
    assert_eq!(
        calls::iter_create(&k, 9, &mut Warnings::new()),
        Err(Errno::EBADF)
    );
}

// ---------------------------------------------------------------------------
// bpf_link_get_next_id, bpf_link_get_fd_by_id(_opts)
// ---------------------------------------------------------------------------

#[test]
fn link_get_next_id() {
    let k = FakeKernel::new();
    k.answer(Answer::ok(0).with_write_back(4, &42u32.to_le_bytes()));
    assert_eq!(calls::link_get_next_id(&k, 7), Ok((0, Some(42))));
    assert_eq!(
        k.calls(),
        vec![bpf(
            cmd::LINK_GET_NEXT_ID,
            vec![7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        )]
    );

    // End of the list: ENOENT, and whatever the kernel left is not used.
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::ENOENT).with_write_back(4, &42u32.to_le_bytes()));
    assert_eq!(calls::link_get_next_id(&k, u32::MAX), Err(Errno::ENOENT));
    assert_eq!(
        k.bpf_calls()[0].1,
        vec![0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]
    );

    // `if (!err)`: a non-zero success value writes nothing back.
    let k = FakeKernel::new();
    k.answer(Answer::ok(5).with_write_back(4, &42u32.to_le_bytes()));
    assert_eq!(calls::link_get_next_id(&k, 0), Ok((5, None)));

    // A plain syscall: 0 is not an fd.
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    assert_eq!(calls::link_get_next_id(&k, 0), Ok((0, Some(0))));
    assert_eq!(k.calls().len(), 1);
}

const FD: OptsKind = abi::GET_FD_BY_ID_OPTS;

fn get_fd(k: &FakeKernel, id: u32, opts: Option<&[u8]>) -> (Result<i32>, Warnings) {
    let mut log = Warnings::new();
    let r = with_opts(FD, opts, |o| calls::link_get_fd_by_id(k, id, o, &mut log));
    (r, log)
}

fn id_attr(id: u32, open_flags: u32) -> Vec<u8> {
    let mut a = vec![0u8; 12];
    w32(&mut a, 0, id);
    w32(&mut a, 8, open_flags);
    a
}

#[test]
fn link_get_fd_by_id() {
    assert_eq!(
        (fdo::OPEN_FLAGS, fdo::TOKEN_FD, FD.known_end, FD.size),
        (8, 12, 16, 16)
    );
    let k = FakeKernel::new();
    let (r, log) = get_fd(&k, 55, None);
    assert_eq!(r, Ok(100));
    assert!(log.is_empty());
    assert_eq!(k.calls(), vec![bpf(cmd::LINK_GET_FD_BY_ID, id_attr(55, 0))]);

    // open_flags @8; token_fd is NOT forwarded.
    let mut b = buf(16, 16);
    w32(&mut b, fdo::OPEN_FLAGS, 8); // BPF_F_RDONLY
    w32(&mut b, fdo::TOKEN_FD, 9);
    let k = FakeKernel::new();
    let (r, _) = get_fd(&k, 55, Some(&b));
    assert_eq!(r, Ok(100));
    assert_eq!(k.calls(), vec![bpf(30, id_attr(55, 8))]);

    // A 1.1–1.5 caller (sz 12) and a partly covered open_flags (sz 11).
    let mut b = buf(16, 12);
    w32(&mut b, fdo::OPEN_FLAGS, 0x10);
    let k = FakeKernel::new();
    let _ = get_fd(&k, 55, Some(&b));
    assert_eq!(k.calls(), vec![bpf(30, id_attr(55, 0x10))]);
    w64(&mut b, 0, 11);
    let k = FakeKernel::new();
    let _ = get_fd(&k, 55, Some(&b));
    assert_eq!(k.calls(), vec![bpf(30, id_attr(55, 0))]);

    // sz rules.
    let b = buf(16, 4);
    let k = FakeKernel::new();
    let (r, log) = get_fd(&k, 55, Some(&b));
    assert_rejected(
        &k,
        r,
        &log,
        EINVAL,
        &[too_small(c"bpf_get_fd_by_id_opts", 4)],
    );
    let mut b = buf(24, 24);
    b[20] = 1;
    let k = FakeKernel::new();
    let (r, log) = get_fd(&k, 55, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[extra(c"bpf_get_fd_by_id_opts")]);
    let b = buf(24, 24);
    let k = FakeKernel::new();
    assert_eq!(get_fd(&k, 55, Some(&b)).0, Ok(100));

    // Hygiene and errors.
    let k = FakeKernel::new();
    k.answer(Answer::ok(1));
    assert_eq!(get_fd(&k, 55, None).0, Ok(201));
    assert_eq!(k.calls()[1..], [Call::DupAboveStdio(1), Call::Close(1)]);
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::ENOENT));
    assert_eq!(get_fd(&k, 55, None).0, Err(Errno::ENOENT));
    assert_eq!(k.calls().len(), 1);
}

// ---------------------------------------------------------------------------
// bpf_obj_get_info_by_fd
// ---------------------------------------------------------------------------

#[test]
fn obj_get_info_by_fd() {
    let k = FakeKernel::new();
    k.answer(Answer::ok(0).with_write_back(4, &48u32.to_le_bytes()));
    let r = unsafe { calls::obj_get_info_by_fd(&k, 7, 0x7fff_0000_1234, 200) };
    assert_eq!(r, Ok((0, Some(48))));
    let mut a = vec![0u8; 16];
    w32(&mut a, 0, 7);
    w32(&mut a, 4, 200);
    w64(&mut a, 8, 0x7fff_0000_1234);
    assert_eq!(k.calls(), vec![bpf(cmd::OBJ_GET_INFO_BY_FD, a.clone())]);

    // On failure the length is not written back.
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::EFAULT).with_write_back(4, &48u32.to_le_bytes()));
    let r = unsafe { calls::obj_get_info_by_fd(&k, 7, 0x7fff_0000_1234, 200) };
    assert_eq!(r, Err(Errno::EFAULT));
    assert_eq!(k.calls(), vec![bpf(15, a)]);

    // No hygiene: 0 is the success value.
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    assert_eq!(
        unsafe { calls::obj_get_info_by_fd(&k, 0, 0, 0) },
        Ok((0, Some(0)))
    );
    assert_eq!(k.calls().len(), 1);
}

// ---------------------------------------------------------------------------
// bpf_raw_tracepoint_open(_opts)
// ---------------------------------------------------------------------------

const RT: OptsKind = abi::RAW_TP_OPTS;

fn rt_open(k: &FakeKernel, prog: i32, opts: Option<&[u8]>) -> (Result<i32>, Warnings) {
    let mut log = Warnings::new();
    let r = with_opts(RT, opts, |o| unsafe {
        raw_tp::raw_tracepoint_open_opts(k, prog, o, &mut log)
    });
    (r, log)
}

#[test]
fn raw_tracepoint_open_opts() {
    assert_eq!((RT.known_end, RT.size), (24, 24));
    let k = FakeKernel::new();
    let (r, log) = rt_open(&k, 4, None);
    assert_eq!(r, Ok(100));
    assert!(log.is_empty());
    assert_eq!(
        k.calls(),
        vec![bpf(cmd::RAW_TRACEPOINT_OPEN, rt_attr(0, 4, 0))]
    );

    let mut full = buf(24, 24);
    w64(&mut full, abi::raw_tp::TP_NAME, 0x5555_0000_1000);
    w64(&mut full, abi::raw_tp::COOKIE, 0xc00c1e);
    for (sz, name, cookie) in [
        (24, 0x5555_0000_1000, 0xc00c1e),
        (23, 0x5555_0000_1000, 0), // cookie partly inside
        (16, 0x5555_0000_1000, 0),
        (15, 0, 0), // tp_name partly inside
        (8, 0, 0),
    ] {
        let mut b = full.clone();
        w64(&mut b, 0, sz as u64);
        let k = FakeKernel::new();
        let (r, log) = rt_open(&k, 4, Some(&b));
        assert_eq!(r, Ok(100), "sz {sz}");
        assert!(log.is_empty());
        assert_eq!(
            k.calls(),
            vec![bpf(17, rt_attr(name, 4, cookie))],
            "sz {sz}"
        );
    }

    // sz rules.
    let b = buf(24, 7);
    let k = FakeKernel::new();
    let (r, log) = rt_open(&k, 4, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[too_small(c"bpf_raw_tp_opts", 7)]);
    let mut b = buf(32, 32);
    b[24] = 1;
    let k = FakeKernel::new();
    let (r, log) = rt_open(&k, 4, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[extra(c"bpf_raw_tp_opts")]);
    let b = buf(32, 32);
    let k = FakeKernel::new();
    assert_eq!(rt_open(&k, 4, Some(&b)).0, Ok(100));

    // Hygiene.
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    assert_eq!(rt_open(&k, 4, None).0, Ok(200));
    assert_eq!(k.calls()[1..], [Call::DupAboveStdio(0), Call::Close(0)]);
}

#[test]
fn raw_tracepoint_open_by_name() {
    let k = FakeKernel::new();
    let r = unsafe { raw_tp::raw_tracepoint_open_name(&k, 0xabc0, 4, &mut Warnings::new()) };
    assert_eq!(r, Ok(100));
    assert_eq!(k.calls(), vec![bpf(17, rt_attr(0xabc0, 4, 0))]);
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::ENOENT));
    let r = unsafe { raw_tp::raw_tracepoint_open_name(&k, 0, -1, &mut Warnings::new()) };
    assert_eq!(r, Err(Errno::ENOENT));
    assert_eq!(k.calls(), vec![bpf(17, rt_attr(0, -1, 0))]);
}

// ---------------------------------------------------------------------------
// bpf_obj_pin(_opts), bpf_obj_get(_opts)
// ---------------------------------------------------------------------------

fn obj_attr(path: u64, fd: i32, file_flags: u32, path_fd: i32) -> Vec<u8> {
    let mut a = vec![0u8; 20];
    w64(&mut a, 0, path);
    wi32(&mut a, 8, fd);
    w32(&mut a, 12, file_flags);
    wi32(&mut a, 16, path_fd);
    a
}

fn pin(k: &FakeKernel, fd: i32, path: u64, opts: Option<&[u8]>) -> (Result<i32>, Warnings) {
    let mut log = Warnings::new();
    let r = with_opts(abi::OBJ_PIN_OPTS, opts, |o| unsafe {
        calls::obj_pin(k, fd, path, o, &mut log)
    });
    (r, log)
}

fn get(k: &FakeKernel, path: u64, opts: Option<&[u8]>) -> (Result<i32>, Warnings) {
    let mut log = Warnings::new();
    let r = with_opts(abi::OBJ_GET_OPTS, opts, |o| unsafe {
        calls::obj_get(k, path, o, &mut log)
    });
    (r, log)
}

#[test]
fn obj_pin_images() {
    assert_eq!((oo::FILE_FLAGS, oo::PATH_FD, oo::KNOWN_END), (8, 12, 16));
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    let (r, log) = pin(&k, 6, 0x4000_1000, None);
    assert_eq!(r, Ok(0));
    assert!(log.is_empty());
    assert_eq!(
        k.calls(),
        vec![bpf(cmd::OBJ_PIN, obj_attr(0x4000_1000, 6, 0, 0))]
    );

    // path_fd copied without BPF_F_PATH_FD; AT_FDCWD-style negatives too.
    for (flags, path_fd) in [(0, 5), (0x4000, 5), (0x4000, -100), (0, -1)] {
        let mut b = buf(16, 16);
        w32(&mut b, oo::FILE_FLAGS, flags);
        wi32(&mut b, oo::PATH_FD, path_fd);
        let k = FakeKernel::new();
        k.answer(Answer::ok(0));
        let (r, _) = pin(&k, 6, 0x4000_1000, Some(&b));
        assert_eq!(r, Ok(0));
        assert_eq!(
            k.calls(),
            vec![bpf(6, obj_attr(0x4000_1000, 6, flags, path_fd))]
        );
    }
    // -100 on the wire.
    let mut b = buf(16, 16);
    wi32(&mut b, oo::PATH_FD, -100);
    let k = FakeKernel::new();
    let _ = pin(&k, 6, 1, Some(&b));
    assert_eq!(k.bpf_calls()[0].1[16..20], [0x9c, 0xff, 0xff, 0xff]);

    // sz 12: path_fd invisible.
    let mut b = buf(16, 12);
    w32(&mut b, oo::FILE_FLAGS, 0x4000);
    wi32(&mut b, oo::PATH_FD, 5);
    let k = FakeKernel::new();
    let _ = pin(&k, 6, 1, Some(&b));
    assert_eq!(k.calls(), vec![bpf(6, obj_attr(1, 6, 0x4000, 0))]);

    // sz rules and messages.
    let b = buf(16, 3);
    let k = FakeKernel::new();
    let (r, log) = pin(&k, 6, 1, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[too_small(c"bpf_obj_pin_opts", 3)]);
    let mut b = buf(24, 24);
    b[16] = 1;
    let k = FakeKernel::new();
    let (r, log) = pin(&k, 6, 1, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[extra(c"bpf_obj_pin_opts")]);

    // No hygiene; errors pass.
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::EEXIST));
    assert_eq!(pin(&k, 6, 1, None).0, Err(Errno::EEXIST));
    assert_eq!(k.calls().len(), 1);
    let k = FakeKernel::new();
    k.answer(Answer::ok(0));
    assert_eq!(pin(&k, 6, 1, None).0, Ok(0));
    assert_eq!(k.calls().len(), 1);
}

#[test]
fn obj_get_images() {
    let k = FakeKernel::new();
    let (r, log) = get(&k, 0x4000_2000, None);
    assert_eq!(r, Ok(100));
    assert!(log.is_empty());
    assert_eq!(
        k.calls(),
        vec![bpf(cmd::OBJ_GET, obj_attr(0x4000_2000, 0, 0, 0))]
    );

    let mut b = buf(16, 16);
    w32(&mut b, oo::FILE_FLAGS, 0x8); // BPF_F_RDONLY
    wi32(&mut b, oo::PATH_FD, 7);
    let k = FakeKernel::new();
    let (r, _) = get(&k, 0x4000_2000, Some(&b));
    assert_eq!(r, Ok(100));
    assert_eq!(k.calls(), vec![bpf(7, obj_attr(0x4000_2000, 0, 0x8, 7))]);

    let b = buf(16, 0);
    let k = FakeKernel::new();
    let (r, log) = get(&k, 1, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[too_small(c"bpf_obj_get_opts", 0)]);
    let mut b = buf(24, 24);
    b[23] = 1;
    let k = FakeKernel::new();
    let (r, log) = get(&k, 1, Some(&b));
    assert_rejected(&k, r, &log, EINVAL, &[extra(c"bpf_obj_get_opts")]);

    // Hygiene.
    let k = FakeKernel::new();
    k.answer(Answer::ok(2));
    assert_eq!(get(&k, 1, None).0, Ok(202));
    assert_eq!(k.calls()[1..], [Call::DupAboveStdio(2), Call::Close(2)]);
    let k = FakeKernel::new();
    k.answer(Answer::ok(2));
    k.dup_answers(Err(EMFILE));
    let (r, log) = get(&k, 1, None);
    assert_eq!(r, Err(EMFILE));
    assert_eq!(
        log,
        vec![Warning::DupFailed {
            fd: 2,
            errno: EMFILE
        }]
    );
    let k = FakeKernel::new();
    k.answer(Answer::err(Errno::ENOENT));
    assert_eq!(get(&k, 1, None).0, Err(Errno::ENOENT));
    assert_eq!(k.calls().len(), 1);
}
