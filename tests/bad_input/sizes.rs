//! Bad-input rows: opts sizes (huge, "negative", too small, too big with
//! non-zero tail), each struct ending at a PROT_NONE page; and the one
//! known gap, a test of its own.

use std::ffi::c_int;
use std::os::fd::AsRawFd;

use crate::harness::*;

/// The rows for opts sizes, in table order.
pub fn rows(v: &mut Vec<Row>) {
    use Res::*;
    use Want::*;

    let unreadable = |ty: &'static str| -> &'static str {
        match ty {
            "lc40" => {
                "libbpf: bpf_link_create_opts size (1099511627776) reaches unreadable memory\\n"
            }
            "lc81" => "libbpf: bpf_link_create_opts size (81) reaches unreadable memory\\n",
            "pin63" => {
                "libbpf: bpf_obj_pin_opts size (9223372036854775808) reaches unreadable memory\\n"
            }
            "get40" => "libbpf: bpf_obj_get_opts size (1099511627776) reaches unreadable memory\\n",
            "id40" => {
                "libbpf: bpf_get_fd_by_id_opts size (1099511627776) reaches unreadable memory\\n"
            }
            "lu63" => {
                "libbpf: bpf_link_update_opts size (9223372036854775827) reaches unreadable memory\\n"
            }
            "rt40" => "libbpf: bpf_raw_tp_opts size (1099511627776) reaches unreadable memory\\n",
            _ => unreachable!(),
        }
    };
    v.push(row(
        "bpf_link_create(-1, lo, BPF_XDP, opts sz = 4)",
        Same(Err(EINVAL)),
        "libbpf: bpf_link_create_opts size (4) is too small\\n",
        |l, f| {
            fd(unsafe {
                (l.link_create)(-1, 1, attach::XDP, f.guard.at_end(&opts(4, 80, &[])).cast())
            })
        },
    ));
    v.push(row(
        "bpf_link_create(-1, lo, BPF_XDP, opts sz = SIZE_MAX, 80 bytes mapped)",
        Same(Err(EBADF)),
        "",
        |l, f| {
            fd(unsafe {
                (l.link_create)(
                    -1,
                    1,
                    attach::XDP,
                    f.guard.at_end(&opts(usize::MAX, 80, &[])).cast(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_link_create(-1, lo, BPF_XDP, opts sz = 1<<40, 80 bytes mapped)",
        LibbpfCrashes(Err(EFAULT)),
        unreadable("lc40"),
        |l, f| {
            fd(unsafe {
                (l.link_create)(
                    -1,
                    1,
                    attach::XDP,
                    f.guard.at_end(&opts(1 << 40, 80, &[])).cast(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_link_create(-1, lo, BPF_XDP, opts sz = 81, 80 bytes mapped)",
        LibbpfCrashes(Err(EFAULT)),
        unreadable("lc81"),
        |l, f| {
            fd(unsafe {
                (l.link_create)(
                    -1,
                    1,
                    attach::XDP,
                    f.guard.at_end(&opts(81, 80, &[])).cast(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_link_create(-1, lo, BPF_XDP, opts sz = 4096, all zero and mapped)",
        Same(Err(EBADF)),
        "",
        |l, f| {
            fd(unsafe {
                (l.link_create)(
                    -1,
                    1,
                    attach::XDP,
                    f.guard.at_end(&opts(4096, 4096, &[])).cast(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_link_create(-1, lo, BPF_XDP, opts sz = 4096, byte 4095 = 1)",
        Same(Err(EINVAL)),
        "libbpf: bpf_link_create_opts has non-zero extra bytes\\n",
        |l, f| {
            let mut o = opts(4096, 4096, &[]);
            o[4095] = 1;
            fd(unsafe { (l.link_create)(-1, 1, attach::XDP, f.guard.at_end(&o).cast()) })
        },
    ));
    v.push(row(
        "bpf_obj_pin_opts(link, <bpffs>/y, opts sz = 1<<63, 16 bytes mapped)",
        LibbpfCrashes(Err(EFAULT)),
        unreadable("pin63"),
        |l, f| {
            let p = f.path("y");
            let r = int(unsafe {
                (l.obj_pin_opts)(
                    f.link.as_raw_fd(),
                    p.as_ptr(),
                    f.guard.at_end(&opts(1 << 63, 16, &[])).cast(),
                )
            });
            unsafe { libc::unlink(p.as_ptr()) };
            r
        },
    ));
    v.push(row(
        "bpf_obj_pin_opts(link, <bpffs>/y, opts sz = (1<<63)+16, 16 bytes mapped)",
        Same(Val(0)),
        "",
        |l, f| {
            let p = f.path("y");
            let r = int(unsafe {
                (l.obj_pin_opts)(
                    f.link.as_raw_fd(),
                    p.as_ptr(),
                    f.guard.at_end(&opts((1 << 63) + 16, 16, &[])).cast(),
                )
            });
            unsafe { libc::unlink(p.as_ptr()) };
            r
        },
    ));
    v.push(row(
        "bpf_obj_get_opts(<bpffs pin>, opts sz = 1<<40, 16 bytes mapped)",
        LibbpfCrashes(Err(EFAULT)),
        unreadable("get40"),
        |l, f| {
            fd(unsafe {
                (l.obj_get_opts)(
                    f.pin.as_ptr(),
                    f.guard.at_end(&opts(1 << 40, 16, &[])).cast(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_link_get_fd_by_id_opts(id, opts sz = 1<<40, 16 bytes mapped)",
        LibbpfCrashes(Err(EFAULT)),
        unreadable("id40"),
        |l, f| {
            fd(unsafe { (l.get_fd_by_id_opts)(1, f.guard.at_end(&opts(1 << 40, 16, &[])).cast()) })
        },
    ));
    v.push(row(
        "bpf_link_update(link, prog, opts sz = (1<<63)+19, 24 bytes mapped)",
        LibbpfCrashes(Err(EFAULT)),
        unreadable("lu63"),
        |l, f| {
            int(unsafe {
                (l.link_update)(
                    f.link.as_raw_fd(),
                    f.xdp.as_raw_fd(),
                    f.guard.at_end(&opts((1 << 63) + 19, 24, &[])).cast(),
                )
            })
        },
    ));
    v.push(row("bpf_link_update(link, prog, opts sz = (1<<63)+20, 24 bytes mapped) (\"negative\" length: no check)", Same(Val(0)), "",
        |l, f| int(unsafe { (l.link_update)(f.link.as_raw_fd(), f.xdp.as_raw_fd(), f.guard.at_end(&opts((1 << 63) + 20, 24, &[])).cast()) })));
    v.push(row(
        "bpf_raw_tracepoint_open_opts(raw_tp prog, opts sz = 1<<40, 24 bytes mapped)",
        LibbpfCrashes(Err(EFAULT)),
        unreadable("rt40"),
        |l, f| {
            fd(unsafe {
                (l.raw_tp_open_opts)(
                    f.rtp.as_raw_fd(),
                    f.guard.at_end(&opts(1 << 40, 24, &[])).cast(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_obj_get_opts(<bpffs pin>, opts sz = 0)",
        Same(Err(EINVAL)),
        "libbpf: bpf_obj_get_opts size (0) is too small\\n",
        |l, f| {
            fd(unsafe {
                (l.obj_get_opts)(f.pin.as_ptr(), f.guard.at_end(&opts(0, 16, &[])).cast())
            })
        },
    ));
}

// ------------------------------------------------- a known gap (reported)

/// A garbage `sz` on a short struct at the end of a page: with
/// `sz = (1<<63)+76` ("negative", so every zero check is skipped) and the
/// default branch (BPF_XDP), libbpf reads only bytes [0, 32), so a 32-byte
/// struct (libbpf 0.2–0.4's size) ending at unmapped memory is fine for it
/// (the kernel answers -EBADF for prog -1). bpflink copies the part of the
/// struct it knows up front, fault-free: it never crashes, and answers
/// -EFAULT with the "reaches unreadable memory" warning (a documented
/// deviation: README, "Deviations"; docs/bad-input.md). Only while the
/// fault-free reader is available: with it taken away bpflink reads
/// directly and crashes (tests/opts_pages.rs).
#[test]
fn top_bit_sz_with_short_struct_at_a_page_end() {
    let g = Guard::new();
    let o = opts((1 << 63) + 76, 32, &[]);
    let call = |l: &Lib| {
        let p = g.at_end(&o);
        unsafe { (l.link_create)(-1, 1, attach::XDP, p.cast()) }
    };
    let in_child = |l: &Lib, want: c_int| -> Res {
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            unsafe { (l.set_print)(None) };
            let r = call(l);
            unsafe { libc::_exit(if r == want { 0 } else { 1 }) };
        }
        let mut status = 0;
        unsafe { libc::waitpid(pid, &mut status, 0) };
        if libc::WIFSIGNALED(status) {
            Res::Signal(libc::WTERMSIG(status))
        } else {
            Res::Val(libc::WEXITSTATUS(status))
        }
    };
    if let Ok(t) = oracle() {
        assert_eq!(in_child(&t, -EBADF), Res::Val(0), "libbpf answers -EBADF");
    }
    assert_eq!(
        in_child(&bpflink(), -libc::EFAULT),
        Res::Val(0),
        "bpflink answers -EFAULT (no crash)"
    );
}
