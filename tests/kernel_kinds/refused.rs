//! The link kinds this kernel refuses, and their exact errors.

use std::ffi::c_int;
use std::os::fd::AsRawFd;

use crate::helpers::*;

/// What this 6.18 kernel refuses, through bpflink's API:
/// * kprobe_multi and kprobe_session (CONFIG_FPROBE=n) → -EOPNOTSUPP, with
///   a KPROBE program that loads fine;
/// * netkit primary/peer (CONFIG_NETKIT=n) → -EINVAL;
/// * fentry/fexit/fmod_ret/lsm programs cannot even be loaded (EPERM from
///   BPF_PROG_LOAD, before verification), so `bpf_link_create` for those
///   attach types is driven with a RAW_TRACEPOINT program: the kernel's
///   LINK_CREATE says EINVAL, and bpflink must return the error of the
///   `BPF_RAW_TRACEPOINT_OPEN(NULL)` fallback for each of the four attach
///   types with NULL opts (the fallback ran), and the plain EINVAL with a
///   cookie (no fallback). (TRACE_RAW_TP and FENTRY with a socket filter
///   are covered in tests/kernel.rs.)
#[test]
fn refused_kinds_exact_errors() {
    run(|_| {
        for at in [attach::TRACE_KPROBE_MULTI, attach::TRACE_KPROBE_SESSION] {
            let p = load(prog_type::KPROBE, at, 0, &ret_insns(0), "kmulti")?;
            let syms = [c"bpf_fentry_test1".as_ptr()];
            let mut o = lc_opts();
            o.u.kprobe_multi.syms = syms.as_ptr();
            o.u.kprobe_multi.cnt = 1;
            assert_err(
                link_create(p.as_raw_fd(), 0, at, Some(&o)),
                libc::EOPNOTSUPP,
                &format!("kprobe multi/session (attach type {at})"),
            );
        }

        let sc = load(prog_type::SCHED_CLS, 0, 0, &ret_insns(TCX_NEXT), "nk")?;
        for at in [attach::NETKIT_PRIMARY, attach::NETKIT_PEER] {
            assert_err(
                link_create(sc.as_raw_fd(), 1, at, None),
                libc::EINVAL,
                &format!("netkit (attach type {at})"),
            );
        }

        for (pt, at, func, what) in [
            (
                prog_type::TRACING,
                attach::TRACE_FENTRY,
                "bpf_fentry_test1",
                "fentry",
            ),
            (
                prog_type::TRACING,
                attach::TRACE_FEXIT,
                "bpf_fentry_test1",
                "fexit",
            ),
            (
                prog_type::TRACING,
                attach::MODIFY_RETURN,
                "bpf_modify_return_test",
                "fmod_ret",
            ),
            (prog_type::LSM, attach::LSM_MAC, "bpf_lsm_file_open", "lsm"),
        ] {
            let btf_id = btf_find(btf_kind::FUNC, func)?;
            let insns = ret_insns(0);
            let r = load_prog(ProgSpec {
                prog_type: pt,
                expected_attach_type: at,
                attach_btf_id: btf_id,
                insns: &insns,
                name: what,
            });
            match r {
                Err(e) => assert_eq!(e.errno, libc::EPERM, "{what} program load: {e}"),
                Ok(_) => panic!(
                    "{what} programs load on this kernel now: docs/kernel-facts.md is out of date; \
                     test the {what} link itself"
                ),
            }
        }
        let rtp = load(prog_type::RAW_TRACEPOINT, 0, 0, &ret_insns(0), "rawtp")?;
        let fallback = {
            let mut a = [0u8; 16];
            put_u32(&mut a, 8, rtp.as_raw_fd() as u32);
            match sys_bpf(cmd::RAW_TRACEPOINT_OPEN, &mut a) {
                Ok(fd) => panic!("RAW_TRACEPOINT_OPEN(NULL) of a raw_tp prog gave fd {fd}"),
                Err(e) => e,
            }
        };
        assert_ne!(fallback, libc::EINVAL, "cannot tell the fallback apart");
        for at in [
            attach::TRACE_FENTRY,
            attach::TRACE_FEXIT,
            attach::MODIFY_RETURN,
            attach::LSM_MAC,
        ] {
            let mut a = [0u8; 64];
            put_u32(&mut a, 0, rtp.as_raw_fd() as u32);
            put_u32(&mut a, 8, at);
            assert_eq!(
                sys_bpf(cmd::LINK_CREATE, &mut a).map(|fd| unsafe { libc::close(fd as c_int) }),
                Err(libc::EINVAL),
                "kernel: LINK_CREATE(attach type {at}) of a raw_tp prog"
            );
            assert_err(
                link_create(rtp.as_raw_fd(), 0, at, None),
                fallback,
                &format!("attach type {at}, NULL opts: the fallback's error"),
            );
            let mut o = lc_opts();
            o.u.tracing.cookie = 1;
            assert_err(
                link_create(rtp.as_raw_fd(), 0, at, Some(&o)),
                libc::EINVAL,
                &format!("attach type {at} with a cookie: no fallback"),
            );
        }
        Ok(())
    });
}
