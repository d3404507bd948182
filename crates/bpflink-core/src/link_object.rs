//! `struct bpf_link` and the decisions of the `bpf_link__*` functions
//! (SPEC §6; libbpf 1.7.0 `libbpf.c`: `bpf_link__open/pin/unpin/detach`,
//! `make_parent_dir`, `check_path`).
//!
//! The object itself lives in C memory and is touched only by the FFI layer
//! (`crate::ffi::libbpf`); here it is seen through [`LinkObject`] (its fd
//! and pin path), the filesystem through [`LinkFs`], and the kernel through
//! [`Kernel`], so every step, error and message can be tested with fakes.

use core::ffi::{CStr, c_char, c_int};
use core::mem::{align_of, offset_of, size_of};

use super::calls;
use super::errno::{Errno, Result};
use super::kernel::{Kernel, nonzero_is_errno};
use super::opts::Log;

/// libbpf's private `struct bpf_link` (`libbpf_internal.h`, unchanged since
/// v0.5.0; SPEC §6.1). Links made by the real libbpf reach our functions
/// under LD_PRELOAD and ours may reach it, so the layout is exact, the
/// memory comes from libc `calloc`/`strdup`, and destruction goes through
/// the object's own `detach`/`dealloc`. C code only ever sees a pointer (the
/// header declares the struct incomplete).
/// cbindgen:ignore
#[repr(C)]
pub struct bpf_link {
    /// Tears the attachment down; NULL if there is nothing to do.
    pub detach: Option<unsafe extern "C" fn(link: *mut bpf_link) -> c_int>,
    /// Frees a larger object embedding this one; NULL means plain `free()`.
    pub dealloc: Option<unsafe extern "C" fn(link: *mut bpf_link)>,
    /// `malloc`ed copy of the pin path; NULL if not pinned.
    pub pin_path: *mut c_char,
    /// The fd the link owns.
    pub fd: c_int,
    /// Set by `bpf_link__disconnect`: destroy then skips `detach`.
    pub disconnected: bool,
}

const _: () = {
    assert!(size_of::<bpf_link>() == 32);
    assert!(align_of::<bpf_link>() == 8);
    assert!(offset_of!(bpf_link, detach) == 0);
    assert!(offset_of!(bpf_link, dealloc) == 8);
    assert!(offset_of!(bpf_link, pin_path) == 16);
    assert!(offset_of!(bpf_link, fd) == 24);
    assert!(offset_of!(bpf_link, disconnected) == 28);
};

/// Bytes `calloc`ed for a link bpflink creates. libbpf's plain links are
/// 32 bytes, but the real `bpf_link__update_map` reads an `int` at offset
/// 32 of any link it is given (SPEC §6.3); 40 zeroed bytes keep that read
/// inside our allocation (it sees 0).
pub const PLAIN_LINK_ALLOC_SIZE: usize = 40;

const _: () = assert!(PLAIN_LINK_ALLOC_SIZE >= size_of::<bpf_link>() + 8);

/// `BPF_FS_MAGIC`, `statfs.f_type` of a bpffs mount.
pub const BPF_FS_MAGIC: i64 = 0xcafe_4a11;

/// Mode of the parent directory `bpf_link__pin` creates.
pub const PIN_DIR_MODE: u32 = 0o700;

/// One `struct bpf_link` as the functions here see it.
pub trait LinkObject {
    /// `link->fd`.
    fn fd(&self) -> i32;
    /// `link->pin_path`, `None` for NULL.
    fn pin_path(&self) -> Option<&CStr>;
    /// `link->pin_path = strdup(path)`; `ENOMEM` if that fails.
    fn set_pin_path(&mut self, path: &CStr) -> Result<()>;
    /// `zfree(&link->pin_path)`.
    fn clear_pin_path(&mut self);
}

/// The filesystem calls `bpf_link__pin`/`unpin` make.
pub trait LinkFs {
    /// libbpf's `dir = dirname(strdup(path))`: runs `f` on the directory
    /// part of `path` ([`dirname`]) as a C string, held in a libc copy of
    /// `path` that is freed afterwards. `ENOMEM` (without calling `f`) when
    /// that copy cannot be allocated, as in libbpf.
    fn with_dirname(&self, path: &CStr, f: &mut dyn FnMut(&CStr) -> Result<()>) -> Result<()>;
    /// `mkdir(path, mode)`.
    fn mkdir(&self, path: &CStr, mode: u32) -> Result<()>;
    /// `statfs(path)`, reduced to `f_type`.
    fn statfs_type(&self, path: &CStr) -> Result<i64>;
    /// `unlink(path)`.
    fn unlink(&self, path: &CStr) -> Result<()>;
}

/// Messages of the object API, with libbpf's levels; the FFI layer prints
/// each with libbpf's exact format string (`crate::ffi::print`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message<'a> {
    /// WARN `libbpf: failed to mkdir <path>: <errstr>` (the full path, not
    /// the directory).
    MkdirFailed { path: &'a CStr, err: Errno },
    /// WARN `libbpf: failed to statfs <dir>: <errstr>`.
    StatfsFailed { dir: &'a CStr, err: Errno },
    /// WARN `libbpf: specified path <path> is not on BPF FS`.
    NotOnBpffs { path: &'a CStr },
    /// WARN `libbpf: failed to open link at <path>: <-errno as %d>`; a NULL
    /// path is printed by the C library (glibc: `(null)`).
    OpenFailed { path: Option<&'a CStr>, err: Errno },
    /// DEBUG `libbpf: link fd=<fd>: pinned at <path>`.
    Pinned { fd: i32, path: &'a CStr },
    /// DEBUG `libbpf: link fd=<fd>: unpinned from <path>`.
    Unpinned { fd: i32, path: &'a CStr },
}

/// A sink for [`Message`]s.
pub trait ObjectLog {
    fn message(&mut self, m: Message<'_>);
}

/// glibc's `dirname(3)` (the one libbpf calls), on bytes: the directory
/// part of `path` with trailing slashes removed; `"."` without a slash;
/// `"/"` for the root, but `"//"` when the path starts with exactly two
/// slashes (POSIX leaves `//` implementation-defined). `tests/object_api.rs`
/// compares it with the C library's on many inputs.
pub fn dirname(path: &[u8]) -> &[u8] {
    let is_slash = |i: usize| path.get(i) == Some(&b'/');
    // Index just past the run of slashes that ends before `i`, going left.
    let skip_slashes_back = |mut i: usize| {
        while i != 0 && is_slash(i - 1) {
            i -= 1;
        }
        i
    };
    let mut last = path.iter().rposition(|&b| b == b'/');
    if let Some(ls) = last {
        if ls != 0 && ls + 1 == path.len() {
            // Trailing slash(es): look for the slash before them.
            let start = skip_slashes_back(ls);
            if start != 0 {
                last = path
                    .get(..start)
                    .and_then(|p| p.iter().rposition(|&b| b == b'/'));
            }
        }
    }
    let Some(ls) = last else { return b"." };
    let end = match skip_slashes_back(ls) {
        0 if ls == 1 => 2,
        0 => 1,
        end => end,
    };
    path.get(..end).unwrap_or(b".")
}

/// Where [`dirname`]'s answer lies in the path: `None` for `"."` (a path
/// without a slash), else its length (the answer is always a prefix of the
/// path otherwise). Lets an implementation of [`LinkFs::with_dirname`] cut
/// its copy of the path in place, as glibc's `dirname` does.
pub fn dirname_prefix_len(path: &[u8]) -> Option<usize> {
    let dir = dirname(path);
    (dir.as_ptr() == path.as_ptr() && !dir.is_empty()).then_some(dir.len())
}

/// `make_parent_dir(path)`: `mkdir(dirname(path), 0700)`, only the
/// immediate parent; `EEXIST` is fine.
pub fn make_parent_dir<F: LinkFs + ?Sized, L: ObjectLog + ?Sized>(
    fs: &F,
    path: &CStr,
    log: &mut L,
) -> Result<()> {
    let mut made = Ok(());
    fs.with_dirname(path, &mut |dir| {
        made = fs.mkdir(dir, PIN_DIR_MODE);
        Ok(())
    })?;
    match made {
        Ok(()) | Err(Errno::EEXIST) => Ok(()),
        Err(err) => {
            log.message(Message::MkdirFailed { path, err });
            Err(err)
        }
    }
}

/// `check_path(path)`: `dirname(path)` must be on a bpffs mount (a relative
/// path is judged from the current directory).
pub fn check_path<F: LinkFs + ?Sized, L: ObjectLog + ?Sized>(
    fs: &F,
    path: &CStr,
    log: &mut L,
) -> Result<()> {
    let mut f_type = Ok(0);
    fs.with_dirname(path, &mut |dir| {
        f_type = fs.statfs_type(dir);
        if let Err(err) = f_type {
            log.message(Message::StatfsFailed { dir, err });
        }
        Ok(())
    })?;
    if f_type? == BPF_FS_MAGIC {
        Ok(())
    } else {
        log.message(Message::NotOnBpffs { path });
        Err(Errno::EINVAL)
    }
}

/// `bpf_link__pin(link, path)`:
/// 1. already pinned → `EBUSY`;
/// 2. create the immediate parent directory (0700) — before the bpffs check,
///    so a rejected path can leave an empty directory behind, like libbpf;
/// 3. the parent must be on bpffs (`EINVAL` otherwise);
/// 4. `pin_path = strdup(path)`, then `bpf_obj_pin(fd, pin_path)`; on
///    failure the pin path is dropped again and the kernel's errno returned;
/// 5. DEBUG "pinned at".
///
/// `path == None` (NULL) is `EINVAL` before anything else happens except
/// the `EBUSY` check: libbpf would crash in `strdup(NULL)` (README,
/// "Deviations").
pub fn pin<K: Kernel + ?Sized, F: LinkFs + ?Sized, O: LinkObject + ?Sized, L: Log + ObjectLog>(
    k: &K,
    fs: &F,
    link: &mut O,
    path: Option<&CStr>,
    log: &mut L,
) -> Result<i32> {
    if link.pin_path().is_some() {
        return Err(Errno::EBUSY);
    }
    let Some(path) = path else {
        return Err(Errno::EINVAL);
    };
    make_parent_dir(fs, path, log)?;
    check_path(fs, path, log)?;
    link.set_pin_path(path)?;
    let fd = link.fd();
    // The kernel reads the path from our copy, as with libbpf.
    let copy = link.pin_path().map_or(0, |p| p.as_ptr() as u64);
    // `if (bpf_obj_pin(...)) { err = -errno; ... }`: judged on the C result.
    // SAFETY: `copy` is the link's own NUL-terminated pin path, alive until
    // `clear_pin_path`, which only runs after the call.
    let pinned = unsafe { calls::obj_pin(k, fd, copy, None, log) };
    if let Err(e) = nonzero_is_errno(k, pinned) {
        link.clear_pin_path();
        return Err(e);
    }
    if let Some(pinned) = link.pin_path() {
        log.message(Message::Pinned { fd, path: pinned });
    }
    Ok(0)
}

/// `bpf_link__unpin(link)`: not pinned → `EINVAL`; `unlink(pin_path)`
/// failing returns its errno and **keeps** the pin path; on success DEBUG
/// "unpinned from" and the pin path is dropped.
pub fn unpin<F: LinkFs + ?Sized, O: LinkObject + ?Sized, L: ObjectLog + ?Sized>(
    fs: &F,
    link: &mut O,
    log: &mut L,
) -> Result<i32> {
    let fd = link.fd();
    let Some(path) = link.pin_path() else {
        return Err(Errno::EINVAL);
    };
    fs.unlink(path)?;
    log.message(Message::Unpinned { fd, path });
    link.clear_pin_path();
    Ok(0)
}

/// The kernel half of `bpf_link__open(path)`: `bpf_obj_get(path)` (plain,
/// no flags; fd hygiene applies), WARN "failed to open link at" on failure.
/// The caller then wraps the fd in a new object whose pin path is `path`
/// (an opened link counts as pinned). `None` (NULL) is handed to the kernel
/// as address 0, like libbpf does; the kernel answers `EFAULT`.
pub fn open_fd<K: Kernel + ?Sized, L: Log + ObjectLog>(
    k: &K,
    path: Option<&CStr>,
    log: &mut L,
) -> Result<i32> {
    let addr = path.map_or(0, |p| p.as_ptr() as u64);
    // libbpf tests bpf_obj_get()'s C result: a failure whose errno is 0
    // reads as fd 0 there, and is taken as success (only a fake kernel
    // answers that way).
    // SAFETY: `addr` is 0 or the address of the C string `path`.
    match unsafe { calls::obj_get(k, addr, None, log) } {
        Err(e) if e.0 == 0 => Ok(0),
        r => r.inspect_err(|&err| {
            log.message(Message::OpenFailed { path, err });
        }),
    }
}

/// `bpf_link__detach(link)`: `bpf_link_detach(link->fd)`; 0 or the errno.
/// The object is unchanged (the fd stays open; destroy still closes it).
pub fn detach<K: Kernel + ?Sized>(k: &K, fd: i32) -> Result<i32> {
    // `return bpf_link_detach(link->fd) ? -errno : 0;`
    nonzero_is_errno(k, calls::link_detach(k, fd)).map(|()| 0)
}

/// The return value of `bpf_link__destroy` from its `detach` callback's:
/// `libbpf_err(err)`, so a negative value is also stored in errno (a
/// struct_ops detach returns a raw -1, giving errno 1 — a libbpf quirk kept
/// as is).
pub fn destroy_result(detach_ret: i32) -> Result<i32> {
    if detach_ret < 0 {
        Err(Errno(detach_ret.wrapping_neg()))
    } else {
        Ok(detach_ret)
    }
}

/// Whether `bpf_link__destroy` calls the object's `detach`.
pub fn destroy_detaches(disconnected: bool, has_detach: bool) -> bool {
    !disconnected && has_detach
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]

    use std::borrow::ToOwned;
    use std::cell::RefCell;
    use std::ffi::CString;
    use std::string::String;
    use std::vec::Vec;
    use std::{format, vec};

    use super::*;
    use crate::fake::{Answer, Call, FakeKernel};
    use crate::opts::Warning;
    use crate::uapi::cmd;

    /// A link object in Rust memory.
    #[derive(Default)]
    struct FakeLink {
        fd: i32,
        pin_path: Option<CString>,
        strdup_fails: bool,
    }

    impl LinkObject for FakeLink {
        fn fd(&self) -> i32 {
            self.fd
        }
        fn pin_path(&self) -> Option<&CStr> {
            self.pin_path.as_deref()
        }
        fn set_pin_path(&mut self, path: &CStr) -> Result<()> {
            if self.strdup_fails {
                return Err(Errno::ENOMEM);
            }
            self.pin_path = Some(path.to_owned());
            Ok(())
        }
        fn clear_pin_path(&mut self) {
            self.pin_path = None;
        }
    }

    /// Records messages (as their Debug text) and warnings.
    #[derive(Debug, Default, Clone, PartialEq, Eq)]
    struct Recorded {
        messages: Vec<String>,
        warnings: Vec<Warning>,
    }

    impl ObjectLog for Recorded {
        fn message(&mut self, m: Message<'_>) {
            self.messages.push(format!("{m:?}"));
        }
    }

    impl Log for Recorded {
        fn warn(&mut self, w: Warning) {
            self.warnings.push(w);
        }
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    enum FsCall {
        Mkdir(String, u32),
        Statfs(String),
        Unlink(String),
    }

    /// Scripted filesystem: mkdir/statfs/unlink results, calls recorded.
    struct FakeFs {
        calls: RefCell<Vec<FsCall>>,
        mkdir: Result<()>,
        statfs: Result<i64>,
        unlink: Result<()>,
    }

    impl Default for FakeFs {
        fn default() -> Self {
            FakeFs {
                calls: RefCell::default(),
                mkdir: Err(Errno::EEXIST),
                statfs: Ok(BPF_FS_MAGIC),
                unlink: Ok(()),
            }
        }
    }

    fn s(p: &CStr) -> String {
        p.to_string_lossy().into_owned()
    }

    impl LinkFs for FakeFs {
        fn with_dirname(&self, path: &CStr, f: &mut dyn FnMut(&CStr) -> Result<()>) -> Result<()> {
            let dir = CString::new(dirname(path.to_bytes())).unwrap();
            f(&dir)
        }
        fn mkdir(&self, path: &CStr, mode: u32) -> Result<()> {
            self.calls.borrow_mut().push(FsCall::Mkdir(s(path), mode));
            self.mkdir
        }
        fn statfs_type(&self, path: &CStr) -> Result<i64> {
            self.calls.borrow_mut().push(FsCall::Statfs(s(path)));
            self.statfs
        }
        fn unlink(&self, path: &CStr) -> Result<()> {
            self.calls.borrow_mut().push(FsCall::Unlink(s(path)));
            self.unlink
        }
    }

    fn link(fd: i32) -> FakeLink {
        FakeLink {
            fd,
            ..Default::default()
        }
    }

    fn msg(m: Message<'_>) -> String {
        format!("{m:?}")
    }

    fn dn(p: &str) -> &str {
        std::str::from_utf8(dirname(p.as_bytes())).unwrap_or("<utf8>")
    }

    #[test]
    fn layout_is_libbpfs() {
        assert_eq!(size_of::<bpf_link>(), 32);
        assert_eq!(offset_of!(bpf_link, fd), 24);
        assert_eq!(offset_of!(bpf_link, disconnected), 28);
        assert_eq!(PLAIN_LINK_ALLOC_SIZE, 40);
    }

    #[test]
    fn dirname_like_glibc() {
        for (path, dir) in [
            ("/sys/fs/bpf/link", "/sys/fs/bpf"),
            ("/sys/fs/bpf/dir/", "/sys/fs/bpf"),
            ("/sys/fs/bpf//dir//", "/sys/fs/bpf"),
            ("/a//b", "/a"),
            ("/a", "/"),
            ("/", "/"),
            ("//", "//"),
            ("///", "/"),
            ("//a", "//"),
            ("///a", "/"),
            ("//a/b", "//a"),
            ("a", "."),
            ("a/", "."),
            ("a//", "."),
            ("a/b", "a"),
            ("a/b/", "a"),
            ("./x", "."),
            ("../x", ".."),
            ("", "."),
        ] {
            assert_eq!(dn(path), dir, "dirname({path:?})");
        }
    }

    #[test]
    fn pin_happy_path_order_and_messages() {
        let k = FakeKernel::new();
        k.answer(Answer::ok(0));
        let fs = FakeFs::default();
        let mut l = link(7);
        let mut log = Recorded::default();
        let r = pin(&k, &fs, &mut l, Some(c"/sys/fs/bpf/x/link"), &mut log);
        assert_eq!(r, Ok(0));
        assert_eq!(
            *fs.calls.borrow(),
            vec![
                FsCall::Mkdir("/sys/fs/bpf/x".into(), 0o700),
                FsCall::Statfs("/sys/fs/bpf/x".into()),
            ]
        );
        assert_eq!(l.pin_path(), Some(c"/sys/fs/bpf/x/link"));
        // One BPF_OBJ_PIN of fd 7, flags 0, path_fd 0, 20 bytes.
        let calls = k.bpf_calls();
        assert_eq!(calls.len(), 1);
        let (c, attr) = &calls[0];
        assert_eq!(*c, cmd::OBJ_PIN);
        assert_eq!(attr.len(), 20);
        assert_eq!(attr[8..12], 7i32.to_ne_bytes());
        assert_eq!(attr[12..20], [0u8; 8]);
        // The path address is our copy's.
        let addr = u64::from_ne_bytes(attr[0..8].try_into().unwrap_or_default());
        assert_eq!(addr, l.pin_path().map_or(0, |p| p.as_ptr() as u64));
        assert_eq!(
            log.messages,
            vec![msg(Message::Pinned {
                fd: 7,
                path: c"/sys/fs/bpf/x/link"
            })]
        );
    }

    #[test]
    fn pin_ebusy_does_nothing_else() {
        let k = FakeKernel::new();
        let fs = FakeFs::default();
        let mut l = link(3);
        l.pin_path = Some(c"/sys/fs/bpf/old".to_owned());
        let mut log = Recorded::default();
        let r = pin(&k, &fs, &mut l, Some(c"/sys/fs/bpf/new"), &mut log);
        assert_eq!(r, Err(Errno::EBUSY));
        assert!(fs.calls.borrow().is_empty());
        assert!(k.calls().is_empty());
        assert_eq!(l.pin_path(), Some(c"/sys/fs/bpf/old"));
        assert_eq!(log, Recorded::default());
        // EBUSY wins over a NULL path too (libbpf checks it first).
        assert_eq!(pin(&k, &fs, &mut l, None, &mut log), Err(Errno::EBUSY));
    }

    #[test]
    fn pin_null_path_is_einval_without_calls() {
        let k = FakeKernel::new();
        let fs = FakeFs::default();
        let mut l = link(3);
        let mut log = Recorded::default();
        assert_eq!(pin(&k, &fs, &mut l, None, &mut log), Err(Errno::EINVAL));
        assert!(fs.calls.borrow().is_empty());
        assert!(k.calls().is_empty());
        assert_eq!(log, Recorded::default());
    }

    #[test]
    fn pin_mkdir_failure_prints_the_full_path() {
        let k = FakeKernel::new();
        let fs = FakeFs {
            mkdir: Err(Errno::ENOENT),
            ..Default::default()
        };
        let mut l = link(3);
        let mut log = Recorded::default();
        let r = pin(&k, &fs, &mut l, Some(c"/sys/fs/bpf/a/b/l"), &mut log);
        assert_eq!(r, Err(Errno::ENOENT));
        assert_eq!(
            *fs.calls.borrow(),
            vec![FsCall::Mkdir("/sys/fs/bpf/a/b".into(), 0o700)]
        );
        assert_eq!(
            log.messages,
            vec![msg(Message::MkdirFailed {
                path: c"/sys/fs/bpf/a/b/l",
                err: Errno::ENOENT
            })]
        );
        assert!(l.pin_path().is_none());
        assert!(k.calls().is_empty());
    }

    #[test]
    fn pin_mkdir_success_then_not_bpffs() {
        let k = FakeKernel::new();
        let fs = FakeFs {
            mkdir: Ok(()),
            statfs: Ok(0x0102_1994), // tmpfs
            ..Default::default()
        };
        let mut l = link(3);
        let mut log = Recorded::default();
        let r = pin(&k, &fs, &mut l, Some(c"/tmp/notbpf/x"), &mut log);
        assert_eq!(r, Err(Errno::EINVAL));
        // The directory was made before the check, as in libbpf.
        assert_eq!(
            *fs.calls.borrow(),
            vec![
                FsCall::Mkdir("/tmp/notbpf".into(), 0o700),
                FsCall::Statfs("/tmp/notbpf".into()),
            ]
        );
        assert_eq!(
            log.messages,
            vec![msg(Message::NotOnBpffs {
                path: c"/tmp/notbpf/x"
            })]
        );
        assert!(l.pin_path().is_none());
        assert!(k.calls().is_empty());
    }

    #[test]
    fn pin_statfs_failure_prints_the_directory() {
        let k = FakeKernel::new();
        let fs = FakeFs {
            statfs: Err(Errno(libc::EACCES)),
            ..Default::default()
        };
        let mut l = link(3);
        let mut log = Recorded::default();
        let r = pin(&k, &fs, &mut l, Some(c"rel/link"), &mut log);
        assert_eq!(r, Err(Errno(libc::EACCES)));
        assert_eq!(
            log.messages,
            vec![msg(Message::StatfsFailed {
                dir: c"rel",
                err: Errno(libc::EACCES)
            })]
        );
    }

    #[test]
    fn pin_relative_path_checks_dot() {
        let k = FakeKernel::new();
        k.answer(Answer::ok(0));
        let fs = FakeFs::default();
        let mut l = link(3);
        let mut log = Recorded::default();
        assert_eq!(pin(&k, &fs, &mut l, Some(c"link"), &mut log), Ok(0));
        assert_eq!(
            *fs.calls.borrow(),
            vec![FsCall::Mkdir(".".into(), 0o700), FsCall::Statfs(".".into())]
        );
        assert_eq!(l.pin_path(), Some(c"link"));
    }

    #[test]
    fn pin_strdup_failure_is_enomem_before_the_syscall() {
        let k = FakeKernel::new();
        let fs = FakeFs::default();
        let mut l = FakeLink {
            fd: 3,
            strdup_fails: true,
            ..Default::default()
        };
        let mut log = Recorded::default();
        let r = pin(&k, &fs, &mut l, Some(c"/sys/fs/bpf/l"), &mut log);
        assert_eq!(r, Err(Errno::ENOMEM));
        assert!(k.calls().is_empty());
        assert!(log.messages.is_empty());
    }

    #[test]
    fn pin_kernel_failure_drops_the_pin_path() {
        let k = FakeKernel::new();
        k.answer(Answer::err(Errno::EEXIST));
        let fs = FakeFs::default();
        let mut l = link(3);
        let mut log = Recorded::default();
        let r = pin(&k, &fs, &mut l, Some(c"/sys/fs/bpf/l"), &mut log);
        assert_eq!(r, Err(Errno::EEXIST));
        assert!(l.pin_path().is_none());
        assert!(log.messages.is_empty());
        assert!(log.warnings.is_empty());
    }

    #[test]
    fn unpin_cases() {
        let fs = FakeFs::default();
        let mut log = Recorded::default();
        // Not pinned.
        let mut l = link(5);
        assert_eq!(unpin(&fs, &mut l, &mut log), Err(Errno::EINVAL));
        assert!(fs.calls.borrow().is_empty());
        // Pinned: unlink, message, pin path gone.
        l.pin_path = Some(c"/sys/fs/bpf/l".to_owned());
        assert_eq!(unpin(&fs, &mut l, &mut log), Ok(0));
        assert_eq!(
            *fs.calls.borrow(),
            vec![FsCall::Unlink("/sys/fs/bpf/l".into())]
        );
        assert!(l.pin_path().is_none());
        assert_eq!(
            log.messages,
            vec![msg(Message::Unpinned {
                fd: 5,
                path: c"/sys/fs/bpf/l"
            })]
        );
        // Second unpin: EINVAL.
        assert_eq!(unpin(&fs, &mut l, &mut log), Err(Errno::EINVAL));
    }

    #[test]
    fn unpin_failure_keeps_the_pin_path_silently() {
        let fs = FakeFs {
            unlink: Err(Errno::ENOENT),
            ..Default::default()
        };
        let mut log = Recorded::default();
        let mut l = link(5);
        l.pin_path = Some(c"/sys/fs/bpf/gone".to_owned());
        assert_eq!(unpin(&fs, &mut l, &mut log), Err(Errno::ENOENT));
        assert_eq!(l.pin_path(), Some(c"/sys/fs/bpf/gone"));
        assert!(log.messages.is_empty());
    }

    #[test]
    fn open_fd_plain_obj_get_and_warning() {
        let k = FakeKernel::new();
        let mut log = Recorded::default();
        let path = c"/sys/fs/bpf/l";
        assert_eq!(open_fd(&k, Some(path), &mut log), Ok(100));
        let calls = k.bpf_calls();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].0, cmd::OBJ_GET);
        let mut want = (path.as_ptr() as u64).to_ne_bytes().to_vec();
        want.extend_from_slice(&[0u8; 12]);
        assert_eq!(calls[0].1, want);

        let k = FakeKernel::new();
        k.answer(Answer::err(Errno::ENOENT));
        assert_eq!(
            open_fd(&k, Some(c"/nonexistent/x"), &mut log),
            Err(Errno::ENOENT)
        );
        assert_eq!(
            log.messages,
            vec![msg(Message::OpenFailed {
                path: Some(c"/nonexistent/x"),
                err: Errno::ENOENT
            })]
        );
    }

    #[test]
    fn open_fd_null_path_goes_to_the_kernel() {
        let k = FakeKernel::new();
        k.answer(Answer::err(Errno::EFAULT));
        let mut log = Recorded::default();
        assert_eq!(open_fd(&k, None, &mut log), Err(Errno::EFAULT));
        assert_eq!(k.bpf_calls()[0].1, vec![0u8; 20]);
        assert_eq!(
            log.messages,
            vec![msg(Message::OpenFailed {
                path: None,
                err: Errno::EFAULT
            })]
        );
    }

    #[test]
    fn open_fd_low_fd_is_moved() {
        let k = FakeKernel::new();
        k.answer(Answer::ok(1));
        let mut log = Recorded::default();
        assert_eq!(open_fd(&k, Some(c"/p"), &mut log), Ok(201));
        assert_eq!(k.calls()[1..], [Call::DupAboveStdio(1), Call::Close(1)]);
        // Dup failure: the hygiene warning, then the open warning.
        let k = FakeKernel::new();
        k.answer(Answer::ok(0));
        k.dup_answers(Err(Errno(libc::EMFILE)));
        let mut log = Recorded::default();
        assert_eq!(open_fd(&k, Some(c"/p"), &mut log), Err(Errno(libc::EMFILE)));
        assert_eq!(
            log.warnings,
            vec![Warning::DupFailed {
                fd: 0,
                errno: Errno(libc::EMFILE)
            }]
        );
        assert_eq!(log.messages.len(), 1);
    }

    #[test]
    fn detach_maps_to_zero_or_errno() {
        let k = FakeKernel::new();
        k.answer(Answer::ok(0)).answer(Answer::err(Errno::EINVAL));
        assert_eq!(detach(&k, 9), Ok(0));
        assert_eq!(detach(&k, 9), Err(Errno::EINVAL));
        let calls = k.bpf_calls();
        assert_eq!(calls[0], (cmd::LINK_DETACH, 9i32.to_ne_bytes().to_vec()));
    }

    #[test]
    fn destroy_rules() {
        assert_eq!(destroy_result(0), Ok(0));
        assert_eq!(destroy_result(-libc::EBADF), Err(Errno::EBADF));
        // struct_ops' raw close() result: -1 → errno 1.
        assert_eq!(destroy_result(-1), Err(Errno(1)));
        assert_eq!(destroy_result(5), Ok(5));
        assert!(destroy_detaches(false, true));
        assert!(!destroy_detaches(true, true));
        assert!(!destroy_detaches(false, false));
    }
}
