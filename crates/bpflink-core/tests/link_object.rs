//! The decisions of the `struct bpf_link` object API (`link_object`), with
//! a fake kernel, a fake filesystem and a fake link.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::cell::RefCell;
use std::ffi::{CStr, CString};
use std::mem::{offset_of, size_of};

use bpflink_core::errno::{Errno, Result};
use bpflink_core::link_object::*;
use bpflink_core::opts::{Log, Warning};
use bpflink_core::uapi::cmd;
use bpflink_fake::{Answer, Call, FakeKernel};

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
