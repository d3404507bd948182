//! Bad-input rows: invalid, closed and wrong-type fds (and targets: ifindex,
//! tracepoint names, link ids).

use std::ffi::c_int;
use std::os::fd::{AsRawFd, RawFd};
use std::ptr::null;

use crate::harness::*;

/// The rows for bad fds and targets, in table order.
pub fn rows(v: &mut Vec<Row>) {
    use Res::*;
    use Want::*;

    type FdOf = fn(&Fx) -> RawFd;
    let bad: [(&str, FdOf, c_int); 7] = [
        ("-1", |_| -1, EBADF),
        ("9999 (not open)", |_| 9999, EBADF),
        ("a closed fd", |f| f.closed, EBADF),
        ("/dev/null", |f| f.devnull.as_raw_fd(), EINVAL),
        ("a pipe", |f| f.pipe.0.as_raw_fd(), EINVAL),
        ("a prog fd", |f| f.xdp.as_raw_fd(), EINVAL),
        ("a map fd", |f| f.map.raw(), EINVAL),
    ];
    for (what, get, e) in bad {
        v.push(row(
            format!("bpf_link_update(link_fd = {what}, prog, NULL)"),
            Same(Err(e)),
            "",
            move |l, f| int(unsafe { (l.link_update)(get(f), f.xdp.as_raw_fd(), null()) }),
        ));
        v.push(row(
            format!("bpf_link_detach({what})"),
            Same(Err(e)),
            "",
            move |l, f| int(unsafe { (l.link_detach)(get(f)) }),
        ));
        v.push(row(
            format!("bpf_iter_create({what})"),
            Same(Err(e)),
            "",
            move |l, f| fd(unsafe { (l.iter_create)(get(f)) }),
        ));
    }
    for (what, get, e) in [
        ("-1", (|_| -1) as FdOf, EBADF),
        ("a closed fd", |f| f.closed, EBADF),
        ("/dev/null", |f| f.devnull.as_raw_fd(), EINVAL),
        ("a map fd", |f| f.map.raw(), EINVAL),
        ("a link fd", |f| f.link.as_raw_fd(), EINVAL),
    ] {
        // BPF_OBJ_PIN takes any BPF object; anything else is EINVAL, even
        // a bad fd. BPF_OBJ_GET_INFO_BY_FD says EBADFD for a bad fd.
        let (pin_want, info_want) = match what {
            "a map fd" | "a link fd" => (Val(0), Val(0)),
            "/dev/null" => (Err(EINVAL), Err(EINVAL)),
            _ => (Err(EINVAL), Err(EBADFD)),
        };
        v.push(row(
            format!("bpf_link_create(prog_fd = {what}, lo, BPF_XDP, NULL)"),
            Same(Err(e)),
            "",
            move |l, f| fd(unsafe { (l.link_create)(get(f), 1, attach::XDP, null()) }),
        ));
        v.push(row(
            format!("bpf_obj_pin({what}, <bpffs>/x)"),
            Same(pin_want),
            "",
            move |l, f| {
                let p = f.path("x");
                let r = int(unsafe { (l.obj_pin)(get(f), p.as_ptr()) });
                unsafe { libc::unlink(p.as_ptr()) };
                r
            },
        ));
        v.push(row(
            format!("bpf_link_get_info_by_fd({what}, info, &len)"),
            Same(info_want),
            "",
            move |l, f| {
                let mut info = [0u64; 32];
                let mut len = 64u32;
                int(unsafe { (l.link_get_info)(get(f), info.as_mut_ptr().cast(), &mut len) })
            },
        ));
    }
    v.push(row(
        "bpf_link_create(xdp prog, target ifindex -1, BPF_XDP, NULL)",
        Same(Err(EINVAL)),
        "",
        |l, f| fd(unsafe { (l.link_create)(f.xdp.as_raw_fd(), -1, attach::XDP, null()) }),
    ));
    v.push(row(
        "bpf_link_create(xdp prog, target ifindex 9999, BPF_XDP, NULL)",
        Same(Err(EINVAL)),
        "",
        |l, f| fd(unsafe { (l.link_create)(f.xdp.as_raw_fd(), 9999, attach::XDP, null()) }),
    ));
    v.push(row(
        "bpf_link_create(xdp prog, lo already linked, BPF_XDP, NULL)",
        Same(Err(EBUSY)),
        "",
        |l, f| fd(unsafe { (l.link_create)(f.xdp.as_raw_fd(), 1, attach::XDP, null()) }),
    ));
    v.push(row(
        "bpf_raw_tracepoint_open(\"sys_enter\", xdp prog)",
        Same(Err(EINVAL)),
        "",
        |l, f| fd(unsafe { (l.raw_tp_open)(c"sys_enter".as_ptr(), f.xdp.as_raw_fd()) }),
    ));
    v.push(row(
        "bpf_raw_tracepoint_open(\"sys_enter\", -1)",
        Same(Err(EBADF)),
        "",
        |l, _| fd(unsafe { (l.raw_tp_open)(c"sys_enter".as_ptr(), -1) }),
    ));
    v.push(row(
        "bpf_raw_tracepoint_open(\"no_such_tp\", raw_tp prog)",
        Same(Err(ENOENT)),
        "",
        |l, f| fd(unsafe { (l.raw_tp_open)(c"no_such_tp".as_ptr(), f.rtp.as_raw_fd()) }),
    ));
    v.push(row(
        "bpf_iter_create(an XDP link)",
        Same(Err(EINVAL)),
        "",
        |l, f| fd(unsafe { (l.iter_create)(f.link.as_raw_fd()) }),
    ));
    v.push(row(
        "bpf_link_get_fd_by_id(0)",
        Same(Err(ENOENT)),
        "",
        |l, _| fd(unsafe { (l.get_fd_by_id)(0) }),
    ));
    v.push(row(
        "bpf_link_get_fd_by_id(UINT32_MAX)",
        Same(Err(ENOENT)),
        "",
        |l, _| fd(unsafe { (l.get_fd_by_id)(u32::MAX) }),
    ));
}
