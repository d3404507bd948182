//! Bad-input rows: unknown attach types and flags.

use std::os::fd::AsRawFd;
use std::ptr::null;

use crate::harness::*;

/// The rows for unknown attach types and flags, in table order.
pub fn rows(v: &mut Vec<Row>) {
    use Res::*;
    use Want::*;

    for t in [59u32, 1000, u32::MAX] {
        v.push(row(
            format!("bpf_link_create(xdp prog, lo, attach_type {t}, NULL)"),
            Same(Err(EINVAL)),
            "",
            move |l, f| fd(unsafe { (l.link_create)(f.xdp.as_raw_fd(), 1, t, null()) }),
        ));
    }
    v.push(row(
        "bpf_link_create(cgroup prog, cgroup, CGROUP_INET_EGRESS, flags 0x80000000)",
        Same(Err(EINVAL)),
        "",
        |l, f| {
            fd(unsafe {
                (l.link_create)(
                    f.cg_prog.as_raw_fd(),
                    f.cgroup.raw(),
                    attach::CGROUP_INET_EGRESS,
                    f.guard
                        .at_end(&opts(LINK_CREATE_OPTS_SZ, 80, &[(8, 0x8000_0000)]))
                        .cast(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_link_update(link, prog, flags 0xffff)",
        Same(Err(EINVAL)),
        "",
        |l, f| {
            int(unsafe {
                (l.link_update)(
                    f.link.as_raw_fd(),
                    f.xdp.as_raw_fd(),
                    f.guard.at_end(&opts(24, 24, &[(8, 0xffff)])).cast(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_link_get_fd_by_id_opts(id, open_flags BPF_F_RDONLY)",
        Same(Err(EINVAL)),
        "",
        |l, f| {
            fd(unsafe {
                (l.get_fd_by_id_opts)(
                    link_info(f.link.as_raw_fd()).id(),
                    f.guard.at_end(&opts(16, 16, &[(8, 8)])).cast(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_obj_get_opts(<bpffs pin>, file_flags 0xffff)",
        Same(Err(EINVAL)),
        "",
        |l, f| {
            fd(unsafe {
                (l.obj_get_opts)(
                    f.pin.as_ptr(),
                    f.guard.at_end(&opts(16, 16, &[(8, 0xffff)])).cast(),
                )
            })
        },
    ));
    v.push(row(
        "bpf_obj_pin_opts(link, <bpffs>/z, path_fd 5 without BPF_F_PATH_FD)",
        Same(Err(EINVAL)),
        "",
        |l, f| {
            let p = f.path("z");
            let r = int(unsafe {
                (l.obj_pin_opts)(
                    f.link.as_raw_fd(),
                    p.as_ptr(),
                    f.guard.at_end(&opts(16, 16, &[(12, 5)])).cast(),
                )
            });
            unsafe { libc::unlink(p.as_ptr()) };
            r
        },
    ));
    v.push(row(
        "bpf_obj_pin_opts(link, \"x\", BPF_F_PATH_FD, path_fd = /dev/null)",
        Same(Err(ENOTDIR)),
        "",
        |l, f| {
            int(unsafe {
                (l.obj_pin_opts)(
                    f.link.as_raw_fd(),
                    c"x".as_ptr(),
                    f.guard
                        .at_end(&opts(
                            16,
                            16,
                            &[(8, 1 << 14), (12, f.devnull.as_raw_fd() as u32)],
                        ))
                        .cast(),
                )
            })
        },
    ));
}
