//! Bad-input rows: pin paths (unterminated, over-long, outside bpffs,
//! missing, existing, not a link).

use std::ffi::CString;
use std::os::fd::AsRawFd;

use crate::harness::*;

/// The rows for pin paths, in table order.
pub fn rows(v: &mut Vec<Row>) {
    use Res::*;
    use Want::*;

    v.push(row(
        "bpf_obj_pin(link, unterminated path running into unmapped memory)",
        Same(Err(EFAULT)),
        "",
        |l, f| int(unsafe { (l.obj_pin)(f.link.as_raw_fd(), f.guard.at_end(&[b'a'; 64]).cast()) }),
    ));
    v.push(row(
        "bpf_obj_get(unterminated path running into unmapped memory)",
        Same(Err(EFAULT)),
        "",
        |l, f| fd(unsafe { (l.obj_get)(f.guard.at_end(&[b'a'; 64]).cast()) }),
    ));
    v.push(row(
        "bpf_obj_pin(link, path of PATH_MAX+1 bytes)",
        Same(Err(ENAMETOOLONG)),
        "",
        |l, f| {
            let mut p = f.bpffs.as_os_str().as_encoded_bytes().to_vec();
            p.push(b'/');
            p.resize(4097, b'a');
            let p = CString::new(p).unwrap();
            int(unsafe { (l.obj_pin)(f.link.as_raw_fd(), p.as_ptr()) })
        },
    ));
    v.push(row(
        "bpf_obj_get(path of PATH_MAX+1 bytes)",
        Same(Err(ENAMETOOLONG)),
        "",
        |l, f| {
            let mut p = f.bpffs.as_os_str().as_encoded_bytes().to_vec();
            p.push(b'/');
            p.resize(4097, b'a');
            let p = CString::new(p).unwrap();
            fd(unsafe { (l.obj_get)(p.as_ptr()) })
        },
    ));
    v.push(row(
        "bpf_obj_pin(link, \"/tmp/<name>\") (not bpffs)",
        Same(Err(EPERM)),
        "",
        |l, f| {
            let p = cs(&format!("/tmp/bpflink-bad-input-{}", std::process::id()));
            let r = int(unsafe { (l.obj_pin)(f.link.as_raw_fd(), p.as_ptr()) });
            unsafe { libc::unlink(p.as_ptr()) };
            r
        },
    ));
    v.push(row(
        "bpf_obj_pin(link, \"relative\") (cwd not bpffs)",
        Same(Err(EPERM)),
        "",
        |l, f| int(unsafe { (l.obj_pin)(f.link.as_raw_fd(), c"bpflink-relative-name".as_ptr()) }),
    ));
    v.push(row(
        "bpf_obj_pin(link, \"\")",
        Same(Err(ENOENT)),
        "",
        |l, f| int(unsafe { (l.obj_pin)(f.link.as_raw_fd(), c"".as_ptr()) }),
    ));
    v.push(row(
        "bpf_obj_pin(link, <bpffs>/missing-dir/x)",
        Same(Err(ENOENT)),
        "",
        |l, f| int(unsafe { (l.obj_pin)(f.link.as_raw_fd(), f.path("missing-dir/x").as_ptr()) }),
    ));
    v.push(row(
        "bpf_obj_pin(link, <existing pin>)",
        Same(Err(EEXIST)),
        "",
        |l, f| int(unsafe { (l.obj_pin)(f.link.as_raw_fd(), f.pin.as_ptr()) }),
    ));
    v.push(row(
        "bpf_obj_get(\"/etc/passwd\") (not bpffs)",
        Same(Err(EACCES)),
        "",
        |l, _| fd(unsafe { (l.obj_get)(c"/etc/passwd".as_ptr()) }),
    ));
    v.push(row(
        "bpf_obj_get(<bpffs>/missing)",
        Same(Err(ENOENT)),
        "",
        |l, f| fd(unsafe { (l.obj_get)(f.path("missing").as_ptr()) }),
    ));
    v.push(row(
        "bpf_obj_get(<bpffs dir itself>)",
        Same(Err(EACCES)),
        "",
        |l, f| fd(unsafe { (l.obj_get)(f.path("").as_ptr()) }),
    ));
    v.push(row(
        "bpf_link__open(<bpffs>/missing)",
        Same(Null(ENOENT)),
        "libbpf: failed to open link at <bpffs>/missing: -2\\n",
        |l, f| obj(l, unsafe { (l.link_open)(f.path("missing").as_ptr()) }),
    ));
    v.push(row(
        "bpf_link__pin(link, \"/tmp/<name>/x\") (not bpffs)",
        Same(Err(EINVAL)),
        "libbpf: specified path /tmp/<name>/x is not on BPF FS\\n",
        |l, f| {
            let dir = format!("/tmp/bpflink-bad-input-{}-{}", l.name, std::process::id());
            let p = cs(&format!("{dir}/x"));
            let o = unpinned_object(l, f);
            let r = int(unsafe { (l.link_pin)(o, p.as_ptr()) });
            unsafe { (l.link_destroy)(o) };
            let _ = std::fs::remove_dir(&dir);
            r
        },
    ));
}
