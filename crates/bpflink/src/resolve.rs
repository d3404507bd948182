//! Turning the numbers in link info into names a person recognises
//! (cgroup paths, interface names, namespaces), and the filesystem facts
//! behind clearer error messages. Plain `std` (procfs, `read_dir`), plus
//! libc's `if_indextoname`/`if_nametoindex`.

use std::ffi::{CStr, CString, OsStr, OsString};
use std::os::fd::{AsRawFd, BorrowedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::error::{Error, Op, Result};
use bpflink_core::errno::Errno;

/// The index of network interface `name` in the calling thread's network
/// namespace.
pub fn ifindex(name: impl AsRef<OsStr>) -> Result<u32> {
    let c = CString::new(name.as_ref().as_bytes())
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
/// namespace (`None`: no such interface here). The bytes as they are: an
/// interface name need not be UTF-8.
pub fn ifname(ifindex: u32) -> Option<OsString> {
    let mut buf = [0 as libc::c_char; libc::IF_NAMESIZE];
    // SAFETY: `buf` has the IF_NAMESIZE bytes if_indextoname may write.
    let p = unsafe { libc::if_indextoname(ifindex, buf.as_mut_ptr()) };
    if p.is_null() {
        return None;
    }
    // SAFETY: on success `buf` holds a NUL-terminated name.
    let name = unsafe { CStr::from_ptr(buf.as_ptr()) };
    Some(OsString::from_vec(name.to_bytes().to_vec()))
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
    let text = std::fs::read("/proc/thread-self/mountinfo")
        .or_else(|_| std::fs::read("/proc/self/mountinfo"))
        .unwrap_or_default();
    text.split(|&b| b == b'\n')
        .filter_map(|line| {
            let sep = line.windows(3).position(|w| w == b" - ")?;
            let (left, right) = (line.get(..sep)?, line.get(sep + 3..)?);
            let mnt = left.split(|&b| b == b' ').nth(4)?;
            let fstype = right.split(|&b| b == b' ').next()?;
            Some((
                PathBuf::from(OsString::from_vec(unescape_mount(mnt))),
                String::from_utf8_lossy(fstype).into_owned(),
            ))
        })
        .collect()
}

/// mountinfo escapes space, tab, newline and backslash as `\ooo`.
fn unescape_mount(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let oct = b.get(i + 1..i + 4).and_then(|d| {
            d.iter()
                .try_fold(0u32, |v, &x| {
                    (b'0'..=b'7')
                        .contains(&x)
                        .then(|| v * 8 + u32::from(x - b'0'))
                })
                .and_then(|v| u8::try_from(v).ok())
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
    out
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

/// Where bpffs instances are mounted in the calling thread's mount
/// namespace, in mount order (the same instance may appear more than once,
/// bind-mounted).
pub fn bpffs_mounts() -> Vec<PathBuf> {
    mounts()
        .into_iter()
        .filter(|(_, t)| t == "bpf")
        .map(|(m, _)| m)
        .collect()
}

/// The directory a new entry `path` would be created in.
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn missing_dir(dir: &Path) -> String {
    format!(
        "directory {} does not exist (is bpffs mounted? mount -t bpf bpf /sys/fs/bpf)",
        dir.display()
    )
}

/// "`p` is on tmpfs, not bpffs: …" when `p` (which exists) is not on bpffs.
fn not_bpffs(p: &Path) -> Option<String> {
    let t = fs_type_of(p)?;
    if t == "bpf" {
        return None;
    }
    let mounts = bpffs_mounts();
    let where_ = match mounts.first() {
        None => "and none is mounted (mount -t bpf bpf /sys/fs/bpf)".to_owned(),
        Some(m) if mounts.len() == 1 => format!("mounted at {}", m.display()),
        Some(m) => format!(
            "mounted at {} and {} other place(s)",
            m.display(),
            mounts.len() - 1
        ),
    };
    Some(format!(
        "{} is on {t}, not bpffs: BPF objects are pinned on bpffs, {where_}",
        p.display()
    ))
}

/// Why `BPF_OBJ_PIN` at `path` most likely failed with `errno`, when the
/// filesystem says more than the errno: a missing directory, or a
/// directory that is not on bpffs (the kernel answers `EPERM`).
pub(crate) fn pin_hint(path: &Path, errno: i32) -> Option<String> {
    let dir = parent_dir(path);
    match errno {
        libc::ENOENT if !dir.is_dir() => Some(missing_dir(dir)),
        libc::EPERM | libc::ENOENT => not_bpffs(dir),
        _ => None,
    }
}

/// Why `BPF_OBJ_GET` of `path` most likely failed with `errno`. The kernel
/// answers `EACCES` for anything that is not a pinned object (a file on
/// another filesystem, a directory on bpffs) and `ENOENT` for a missing
/// path.
pub(crate) fn open_pinned_hint(path: &Path, errno: i32) -> Option<String> {
    match errno {
        libc::ENOENT => {
            let dir = parent_dir(path);
            if !dir.is_dir() {
                return Some(missing_dir(dir));
            }
            not_bpffs(dir).or_else(|| Some(format!("nothing is pinned at {}", path.display())))
        }
        libc::EACCES => not_bpffs(path).or_else(|| {
            path.is_dir()
                .then(|| format!("{} is a directory, not a pinned object", path.display()))
        }),
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
        assert_eq!(unescape_mount(br"/mnt/a\040b"), b"/mnt/a b");
        assert_eq!(unescape_mount(br"/x\134y"), br"/x\y");
        assert_eq!(unescape_mount(br"/n\012l"), b"/n\nl");
        assert_eq!(unescape_mount(br"/plain"), b"/plain");
        assert_eq!(unescape_mount(br"/bad\9"), br"/bad\9");
        assert_eq!(unescape_mount(br"/big\777"), br"/big\777");
    }

    #[test]
    fn hint_for_missing_directory() {
        let p = Path::new("/nonexistent-bpflink-dir/x");
        for h in [pin_hint(p, libc::ENOENT), open_pinned_hint(p, libc::ENOENT)] {
            let h = h.unwrap_or_default();
            assert!(h.contains("does not exist"), "{h}");
        }
    }

    #[test]
    fn hint_for_non_bpffs_directory() {
        // /proc is procfs, never bpffs.
        let h = pin_hint(Path::new("/proc/x"), libc::EPERM).unwrap_or_default();
        assert!(h.starts_with("/proc is on proc, not bpffs"), "{h}");
    }

    #[test]
    fn hint_for_opening_something_that_is_no_pin() {
        // What `bpflink show /proc/self/status` and `show /proc` meet:
        // EACCES, which is not about privileges here.
        for p in ["/proc/self/status", "/proc"] {
            let h = open_pinned_hint(Path::new(p), libc::EACCES).unwrap_or_default();
            assert!(h.starts_with(&format!("{p} is on proc, not bpffs")), "{h}");
        }
        assert_eq!(open_pinned_hint(Path::new("/proc"), libc::EPERM), None);
    }
}
