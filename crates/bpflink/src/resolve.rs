//! Turning the numbers in link info into names a person recognises
//! (cgroup paths, interface names, namespaces), and the filesystem facts
//! behind clearer error messages. Plain `std` (procfs, `read_dir`), plus
//! libc's `if_indextoname`/`if_nametoindex`.

use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, BorrowedFd};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::error::{Error, Op, Result};
use bpflink_core::errno::Errno;

/// The index of network interface `name` in the calling thread's network
/// namespace.
pub fn ifindex(name: &str) -> Result<u32> {
    let c = CString::new(name)
        .map_err(|_| Error::invalid(Op::Interface, "the name contains a NUL byte"))?;
    // SAFETY: `c` is a NUL-terminated string that outlives the call.
    let idx = unsafe { libc::if_nametoindex(c.as_ptr()) };
    if idx == 0 {
        let e = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
        let e = if e == 0 { libc::ENODEV } else { e };
        return Err(Error::from_errno(Op::Interface, Errno(e)));
    }
    Ok(idx)
}

/// The name of interface `ifindex` in the calling thread's network
/// namespace (`None`: no such interface here).
pub fn ifname(ifindex: u32) -> Option<String> {
    let mut buf = [0 as libc::c_char; libc::IF_NAMESIZE];
    // SAFETY: `buf` has the IF_NAMESIZE bytes if_indextoname may write.
    let p = unsafe { libc::if_indextoname(ifindex, buf.as_mut_ptr()) };
    if p.is_null() {
        return None;
    }
    // SAFETY: on success `buf` holds a NUL-terminated name.
    let name = unsafe { CStr::from_ptr(buf.as_ptr()) };
    Some(name.to_string_lossy().into_owned())
}

/// The inode of the calling thread's network namespace (what netns links
/// report as `netns_ino`).
pub fn current_netns_ino() -> Option<u64> {
    std::fs::metadata("/proc/thread-self/ns/net")
        .or_else(|_| std::fs::metadata("/proc/self/ns/net"))
        .ok()
        .map(|m| m.ino())
}

/// One line of `/proc/self/mountinfo`: mount point and filesystem type.
fn mounts() -> Vec<(PathBuf, String)> {
    let text = std::fs::read_to_string("/proc/thread-self/mountinfo")
        .or_else(|_| std::fs::read_to_string("/proc/self/mountinfo"))
        .unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let (left, right) = line.split_once(" - ")?;
            let mnt = left.split(' ').nth(4)?;
            let fstype = right.split(' ').next()?;
            Some((PathBuf::from(unescape_mount(mnt)), fstype.to_owned()))
        })
        .collect()
}

/// mountinfo escapes space, tab, newline and backslash as `\ooo`.
fn unescape_mount(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let oct = b.get(i + 1..i + 4).and_then(|d| {
            if d.iter().all(|x| (b'0'..=b'7').contains(x)) {
                std::str::from_utf8(d)
                    .ok()
                    .and_then(|s| u8::from_str_radix(s, 8).ok())
            } else {
                None
            }
        });
        match (c, oct) {
            (b'\\', Some(v)) => {
                out.push(v);
                i += 4;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The filesystem type of the mount holding `path` (which must exist).
fn fs_type_of(path: &Path) -> Option<String> {
    let path = path.canonicalize().ok()?;
    mounts()
        .into_iter()
        .filter(|(mnt, _)| path.starts_with(mnt))
        // The last of the longest wins (later mounts hide earlier ones).
        .fold(None::<(PathBuf, String)>, |best, cur| match best {
            Some(b) if b.0.as_os_str().len() > cur.0.as_os_str().len() => Some(b),
            _ => Some(cur),
        })
        .map(|(_, t)| t)
}

/// Why pinning at (or opening) `path` most likely failed, when the
/// filesystem says more than the errno: a missing directory, or a
/// directory that is not on bpffs.
pub(crate) fn bpffs_hint(path: &Path) -> Option<String> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Some(format!(
            "directory {} does not exist (is bpffs mounted? mount -t bpf bpf /sys/fs/bpf)",
            dir.display()
        ));
    }
    match fs_type_of(dir) {
        Some(t) if t != "bpf" => Some(format!(
            "{} is on a {t} filesystem, not bpffs: bpffs is not mounted there \
             (mount -t bpf bpf {})",
            dir.display(),
            dir.display()
        )),
        _ => None,
    }
}

/// What kind of anonymous-inode fd `fd` is (`"bpf-link"`, `"bpf-prog"`,
/// `"bpf-map"`, …), from `/proc/thread-self/fd` (this thread's fd table,
/// which differs from the process's after `unshare(CLONE_FILES)`).
pub(crate) fn fd_kind(fd: BorrowedFd<'_>) -> Option<String> {
    let n = fd.as_raw_fd();
    let target = std::fs::read_link(format!("/proc/thread-self/fd/{n}"))
        .or_else(|_| std::fs::read_link(format!("/proc/self/fd/{n}")))
        .ok()?;
    let s = target.to_string_lossy();
    s.strip_prefix("anon_inode:").map(str::to_owned)
}

/// Where the cgroup v2 hierarchy is mounted in the calling thread's mount
/// namespace (`/sys/fs/cgroup/unified` on hybrid systems,
/// `/sys/fs/cgroup` on unified ones).
pub fn cgroup2_root() -> Option<PathBuf> {
    let all = mounts();
    let mut cg2: Vec<PathBuf> = all
        .into_iter()
        .filter(|(_, t)| t == "cgroup2")
        .map(|(m, _)| m)
        .collect();
    // Prefer the conventional places.
    cg2.sort_by_key(|p| {
        (
            p != Path::new("/sys/fs/cgroup/unified") && p != Path::new("/sys/fs/cgroup"),
            p.as_os_str().len(),
        )
    });
    cg2.into_iter().next()
}

/// The directory of the cgroup v2 with id `cgroup_id` (a cgroup's id is
/// its directory's inode number), found by walking the hierarchy.
pub fn cgroup_path(cgroup_id: u64) -> Option<PathBuf> {
    let root = cgroup2_root()?;
    find_ino(&root, cgroup_id, 0)
}

fn find_ino(dir: &Path, ino: u64, depth: usize) -> Option<PathBuf> {
    if std::fs::symlink_metadata(dir).ok()?.ino() == ino {
        return Some(dir.to_path_buf());
    }
    if depth > 64 {
        return None;
    }
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let Ok(ft) = entry.file_type() else { continue };
        if !ft.is_dir() {
            continue;
        }
        if let Some(p) = find_ino(&entry.path(), ino, depth + 1) {
            return Some(p);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_unescapes_octal() {
        assert_eq!(unescape_mount(r"/mnt/a\040b"), "/mnt/a b");
        assert_eq!(unescape_mount(r"/x\134y"), r"/x\y");
        assert_eq!(unescape_mount(r"/plain"), "/plain");
        assert_eq!(unescape_mount(r"/bad\9"), r"/bad\9");
    }

    #[test]
    fn hint_for_missing_directory() {
        let h = bpffs_hint(Path::new("/nonexistent-bpflink-dir/x")).unwrap_or_default();
        assert!(h.contains("does not exist"), "{h}");
    }

    #[test]
    fn hint_for_non_bpffs_directory() {
        // /proc is procfs, never bpffs.
        let h = bpffs_hint(Path::new("/proc/x")).unwrap_or_default();
        assert!(h.contains("proc filesystem, not bpffs"), "{h}");
    }
}
