//! Bad-input rows: NULL pointers (opts, paths, out-parameters, link
//! objects).

use std::os::fd::AsRawFd;
use std::ptr::{null, null_mut};

use crate::harness::*;

/// The rows for NULL pointers, in table order.
pub fn rows(v: &mut Vec<Row>) {
    use Res::*;
    use Want::*;

    v.push(row(
        "bpf_link_create(cgroup prog, cgroup, CGROUP_INET_EGRESS, opts NULL)",
        Same(Fd),
        "",
        |l, f| {
            fd(unsafe {
                (l.link_create)(
                    f.cg_prog.as_raw_fd(),
                    f.cgroup.raw(),
                    attach::CGROUP_INET_EGRESS,
                    null(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_link_update(link, prog, opts NULL)",
        Same(Val(0)),
        "",
        |l, f| int(unsafe { (l.link_update)(f.link.as_raw_fd(), f.xdp.as_raw_fd(), null()) }),
    ));
    v.push(row(
        "bpf_link_get_fd_by_id_opts(id of a live link, opts NULL)",
        Same(Fd),
        "",
        |l, f| fd(unsafe { (l.get_fd_by_id_opts)(link_info(f.link.as_raw_fd()).id(), null()) }),
    ));
    v.push(row(
        "bpf_raw_tracepoint_open_opts(raw_tp prog, opts NULL) (no tp_name)",
        Same(Err(EFAULT)),
        "",
        |l, f| fd(unsafe { (l.raw_tp_open_opts)(f.rtp.as_raw_fd(), null_mut()) }),
    ));
    v.push(row(
        "bpf_raw_tracepoint_open(NULL, raw_tp prog)",
        Same(Err(EFAULT)),
        "",
        |l, f| fd(unsafe { (l.raw_tp_open)(null(), f.rtp.as_raw_fd()) }),
    ));
    v.push(row(
        "bpf_obj_pin(link, NULL path)",
        Same(Err(EFAULT)),
        "",
        |l, f| int(unsafe { (l.obj_pin)(f.link.as_raw_fd(), null()) }),
    ));
    v.push(row(
        "bpf_obj_get(NULL path)",
        Same(Err(EFAULT)),
        "",
        |l, _| fd(unsafe { (l.obj_get)(null()) }),
    ));
    v.push(row(
        "bpf_obj_pin_opts(link, <bpffs>/new, opts NULL)",
        Same(Val(0)),
        "",
        |l, f| {
            let p = f.path("new");
            let r = int(unsafe { (l.obj_pin_opts)(f.link.as_raw_fd(), p.as_ptr(), null()) });
            unsafe { libc::unlink(p.as_ptr()) };
            r
        },
    ));
    v.push(row(
        "bpf_obj_get_opts(<bpffs pin>, opts NULL)",
        Same(Fd),
        "",
        |l, f| fd(unsafe { (l.obj_get_opts)(f.pin.as_ptr(), null()) }),
    ));
    v.push(row(
        "bpf_link_get_next_id(0, next_id NULL) (a link exists)",
        LibbpfCrashes(Err(EINVAL)),
        "",
        |l, _| int(unsafe { (l.get_next_id)(0, null_mut()) }),
    ));
    v.push(row(
        "bpf_link_get_next_id(INT_MAX - 1, next_id NULL) (end of the list)",
        Same(Err(ENOENT)),
        "",
        |l, _| int(unsafe { (l.get_next_id)(i32::MAX as u32 - 1, null_mut()) }),
    ));
    v.push(row(
        "bpf_link_get_next_id(UINT32_MAX, next_id NULL)",
        Same(Err(EINVAL)),
        "",
        |l, _| int(unsafe { (l.get_next_id)(u32::MAX, null_mut()) }),
    ));
    v.push(row(
        "bpf_obj_get_info_by_fd(link, info, info_len NULL)",
        LibbpfCrashes(Err(EINVAL)),
        "",
        |l, f| {
            let mut info = [0u8; 64];
            int(unsafe {
                (l.obj_get_info)(f.link.as_raw_fd(), info.as_mut_ptr().cast(), null_mut())
            })
        },
    ));
    v.push(row(
        "bpf_link_get_info_by_fd(link, info NULL, &len (64))",
        Same(Err(EFAULT)),
        "",
        |l, f| {
            let mut len = 64u32;
            int(unsafe { (l.link_get_info)(f.link.as_raw_fd(), null_mut(), &mut len) })
        },
    ));
    v.push(row(
        "bpf_link__open(NULL)",
        Same(Null(EFAULT)),
        "libbpf: failed to open link at (null): -14\\n",
        |l, _| obj(l, unsafe { (l.link_open)(null()) }),
    ));
    v.push(row(
        "bpf_link__fd(NULL)",
        LibbpfCrashes(Err(EINVAL)),
        "",
        |l, _| int(unsafe { (l.link_fd)(null()) }),
    ));
    v.push(row(
        "bpf_link__pin(NULL, path)",
        LibbpfCrashes(Err(EINVAL)),
        "",
        |l, f| int(unsafe { (l.link_pin)(null_mut(), f.path("p").as_ptr()) }),
    ));
    v.push(row(
        "bpf_link__pin(link, NULL)",
        LibbpfCrashes(Err(EINVAL)),
        "",
        |l, f| {
            let o = unpinned_object(l, f);
            let r = int(unsafe { (l.link_pin)(o, null()) });
            unsafe { (l.link_destroy)(o) };
            r
        },
    ));
    v.push(row(
        "bpf_link__unpin(NULL)",
        LibbpfCrashes(Err(EINVAL)),
        "",
        |l, _| int(unsafe { (l.link_unpin)(null_mut()) }),
    ));
    v.push(row(
        "bpf_link__detach(NULL)",
        LibbpfCrashes(Err(EINVAL)),
        "",
        |l, _| int(unsafe { (l.link_detach_obj)(null_mut()) }),
    ));
    v.push(row("bpf_link__destroy(NULL)", Same(Val(0)), "", |l, _| {
        int(unsafe { (l.link_destroy)(null_mut()) })
    }));
}
