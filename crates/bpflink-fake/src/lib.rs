//! A scripted fake kernel for `bpflink-core`: records every call the core
//! makes and answers from a script. Used by the unit tests of the core, of
//! the Rust crate and by the fuzzer (no privileges needed). Test-only: it
//! needs std, which the core itself never links.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::ops::{Deref, DerefMut};

use bpflink_core::errno::{Errno, Result};
use bpflink_core::kernel::Kernel;
use bpflink_core::opts::{Log, Warning};

/// One thing the core asked of the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// `bpf(cmd, attr, attr.len())` with the bytes as sent.
    Bpf { cmd: u32, attr: Vec<u8> },
    /// `fcntl(fd, F_DUPFD_CLOEXEC, 3)`.
    DupAboveStdio(i32),
    /// `close(fd)`.
    Close(i32),
}

/// What the fake answers to one `bpf()` call: the return value or errno,
/// and bytes to write back into attr at an offset (e.g. `next_id`).
#[derive(Debug, Clone)]
pub struct Answer {
    pub result: Result<i32>,
    pub write_back: Option<(usize, Vec<u8>)>,
}

impl Answer {
    pub fn ok(v: i32) -> Self {
        Answer {
            result: Ok(v),
            write_back: None,
        }
    }
    pub fn err(e: Errno) -> Self {
        Answer {
            result: Err(e),
            write_back: None,
        }
    }
    pub fn with_write_back(mut self, off: usize, bytes: &[u8]) -> Self {
        self.write_back = Some((off, bytes.to_vec()));
        self
    }
}

/// The fake. Unscripted `bpf()` calls answer fd 100, 101, …; `dup` of fd
/// `n` answers `200 + n` unless [`FakeKernel::dup_answers`] says otherwise.
#[derive(Default)]
pub struct FakeKernel {
    pub calls: RefCell<Vec<Call>>,
    answers: RefCell<VecDeque<Answer>>,
    dup_result: RefCell<Option<Result<i32>>>,
    next_fd: RefCell<i32>,
}

impl FakeKernel {
    pub fn new() -> Self {
        FakeKernel {
            next_fd: RefCell::new(100),
            ..Default::default()
        }
    }

    /// Queue the answer to the next unanswered `bpf()` call.
    pub fn answer(&self, a: Answer) -> &Self {
        self.answers.borrow_mut().push_back(a);
        self
    }

    /// Make every `F_DUPFD_CLOEXEC` answer `r`.
    pub fn dup_answers(&self, r: Result<i32>) -> &Self {
        *self.dup_result.borrow_mut() = Some(r);
        self
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.borrow().clone()
    }

    /// Only the `bpf()` calls, as `(cmd, attr bytes)`.
    pub fn bpf_calls(&self) -> Vec<(u32, Vec<u8>)> {
        self.calls
            .borrow()
            .iter()
            .filter_map(|c| match c {
                Call::Bpf { cmd, attr } => Some((*cmd, attr.clone())),
                _ => None,
            })
            .collect()
    }
}

impl Kernel for FakeKernel {
    unsafe fn bpf(&self, cmd: u32, attr: &mut [u8]) -> Result<i32> {
        self.calls.borrow_mut().push(Call::Bpf {
            cmd,
            attr: attr.to_vec(),
        });
        let answer = self.answers.borrow_mut().pop_front();
        match answer {
            Some(a) => {
                if let Some((off, bytes)) = a.write_back {
                    if let Some(dst) = attr.get_mut(off..off + bytes.len()) {
                        dst.copy_from_slice(&bytes);
                    }
                }
                a.result
            }
            None => {
                let mut n = self.next_fd.borrow_mut();
                *n += 1;
                Ok(*n - 1)
            }
        }
    }

    fn dup_above_stdio(&self, fd: i32) -> Result<i32> {
        self.calls.borrow_mut().push(Call::DupAboveStdio(fd));
        (*self.dup_result.borrow()).unwrap_or(Ok(200 + fd))
    }

    unsafe fn close(&self, fd: i32) {
        self.calls.borrow_mut().push(Call::Close(fd));
    }
}

/// A [`Log`] that keeps every warning, in order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Warnings(pub Vec<Warning>);

impl Warnings {
    pub fn new() -> Self {
        Warnings(Vec::new())
    }
}

impl Log for Warnings {
    fn warn(&mut self, warning: Warning) {
        self.0.push(warning);
    }
}

impl Deref for Warnings {
    type Target = Vec<Warning>;
    fn deref(&self) -> &Vec<Warning> {
        &self.0
    }
}

impl DerefMut for Warnings {
    fn deref_mut(&mut self) -> &mut Vec<Warning> {
        &mut self.0
    }
}

impl PartialEq<Vec<Warning>> for Warnings {
    fn eq(&self, other: &Vec<Warning>) -> bool {
        &self.0 == other
    }
}

// ------------------------------------------------------------ probe host

/// One thing the attach functions asked of the kernel or the filesystem,
/// besides `bpf()` (which the inner [`FakeKernel`] records).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeCall {
    /// `perf_event_open(attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC)`.
    PerfOpen { attr: Vec<u8>, pid: i32, cpu: i32 },
    /// `ioctl(fd, request, arg)`.
    Ioctl { fd: i32, request: u64, arg: i32 },
    /// A small file read (sysfs, tracefs ids).
    Read(String),
    /// `append_to_file(path, text)`.
    Append { path: String, text: String },
    /// `faccessat`/`access`.
    Access { path: String, mode: i32 },
    /// A whole file read (the ELF reader).
    ReadFile(String),
    /// A text file opened for scanning.
    OpenText(String),
}

/// A fake for [`bpflink_core::attach::ProbeHost`]: a [`FakeKernel`] for
/// `bpf()`, files from a map, scripted perf and ioctl answers. Every call
/// is recorded in order (`bpf()` calls too, as [`ProbeCall`]s would hide
/// their order: see [`FakeProbe::log`]).
pub struct FakeProbe {
    pub kernel: FakeKernel,
    /// Small files by path: their text, or the errno `open` fails with.
    pub files: RefCell<std::collections::HashMap<String, Result<Vec<u8>>>>,
    /// Whole files for the ELF reader (else `open` fails with ENOENT).
    pub blobs: RefCell<std::collections::HashMap<String, Vec<u8>>>,
    /// Paths `faccessat`/`access` accept.
    pub accessible: RefCell<Vec<String>>,
    /// Answers for `append_to_file`, in order (default: success).
    pub append_answers: RefCell<VecDeque<Result<()>>>,
    /// Answers for `perf_event_open` (default: fd 50, 51, …).
    pub perf_answers: RefCell<VecDeque<Result<i32>>>,
    /// Answers for `ioctl` (default: success).
    pub ioctl_answers: RefCell<VecDeque<Result<()>>>,
    pub calls: RefCell<Vec<ProbeCall>>,
    /// Both kinds of calls, in order, as text (`bpf 28 …`, `perf …`).
    pub log: RefCell<Vec<String>>,
    pub debugfs: bool,
    pub pid: i32,
    pub env: std::collections::HashMap<String, std::ffi::CString>,
    legacy_index: Cell<i32>,
    feature: std::sync::atomic::AtomicU8,
    next_perf: Cell<i32>,
    /// errno as a C caller would see it after the last failing call.
    last_errno: Cell<i32>,
    /// What `reserve_link`/`reserve_name` answer.
    pub reserve_fails: Cell<bool>,
    open_texts: RefCell<Vec<(String, usize)>>,
}

use std::cell::Cell;

impl Default for FakeProbe {
    fn default() -> Self {
        FakeProbe::new()
    }
}

impl FakeProbe {
    pub fn new() -> FakeProbe {
        FakeProbe {
            kernel: FakeKernel::new(),
            files: RefCell::default(),
            blobs: RefCell::default(),
            accessible: RefCell::default(),
            append_answers: RefCell::default(),
            perf_answers: RefCell::default(),
            ioctl_answers: RefCell::default(),
            calls: RefCell::default(),
            log: RefCell::default(),
            debugfs: false,
            pid: 4242,
            env: Default::default(),
            legacy_index: Cell::new(0),
            feature: std::sync::atomic::AtomicU8::new(0),
            next_perf: Cell::new(50),
            last_errno: Cell::new(0),
            reserve_fails: Cell::new(false),
            open_texts: RefCell::default(),
        }
    }

    /// A small file with this text.
    pub fn file(&self, path: &str, text: &str) -> &Self {
        self.files
            .borrow_mut()
            .insert(path.to_owned(), Ok(text.as_bytes().to_vec()));
        self
    }

    /// The perf link feature answer already known: 1 supported, 2 missing.
    pub fn perf_link(&self, state: u8) -> &Self {
        self.feature
            .store(state, std::sync::atomic::Ordering::Relaxed);
        self
    }

    pub fn probe_calls(&self) -> Vec<ProbeCall> {
        self.calls.borrow().clone()
    }

    fn rec(&self, c: ProbeCall) {
        self.log.borrow_mut().push(format!("{c:?}"));
        self.calls.borrow_mut().push(c);
    }

    fn fail<T>(&self, e: Errno) -> Result<T> {
        self.last_errno.set(e.0);
        Err(e)
    }
}

impl Kernel for FakeProbe {
    unsafe fn bpf(&self, cmd: u32, attr: &mut [u8]) -> Result<i32> {
        self.log.borrow_mut().push(format!("bpf {cmd}"));
        // SAFETY: the fake records and never follows addresses.
        let r = unsafe { self.kernel.bpf(cmd, attr) };
        if let Err(e) = r {
            self.last_errno.set(e.0);
        }
        r
    }
    fn dup_above_stdio(&self, fd: i32) -> Result<i32> {
        self.kernel.dup_above_stdio(fd)
    }
    unsafe fn close(&self, fd: i32) {
        self.log.borrow_mut().push(format!("close {fd}"));
        // SAFETY: the fake does nothing with the fd.
        unsafe { self.kernel.close(fd) }
    }
    fn errno(&self) -> i32 {
        self.last_errno.get()
    }
}

// Test-only code: the lengths are clamped just before each slice.
#[allow(clippy::indexing_slicing)]
impl bpflink_core::attach::ProbeHost for FakeProbe {
    unsafe fn perf_event_open(
        &self,
        attr: &mut bpflink_core::perf::PerfAttr,
        pid: i32,
        cpu: i32,
    ) -> Result<i32> {
        self.rec(ProbeCall::PerfOpen {
            attr: attr.as_bytes().to_vec(),
            pid,
            cpu,
        });
        match self.perf_answers.borrow_mut().pop_front() {
            Some(Err(e)) => self.fail(e),
            Some(Ok(fd)) => Ok(fd),
            None => {
                let fd = self.next_perf.get();
                self.next_perf.set(fd + 1);
                Ok(fd)
            }
        }
    }
    fn perf_ioctl(&self, fd: i32, request: u64, arg: i32) -> Result<()> {
        self.rec(ProbeCall::Ioctl { fd, request, arg });
        match self.ioctl_answers.borrow_mut().pop_front() {
            Some(Err(e)) => self.fail(e),
            _ => Ok(()),
        }
    }
    fn read_small_file(&self, path: &std::ffi::CStr, buf: &mut [u8]) -> Result<usize> {
        let p = path.to_string_lossy().into_owned();
        self.rec(ProbeCall::Read(p.clone()));
        match self.files.borrow().get(&p) {
            None => self.fail(Errno::ENOENT),
            Some(Err(e)) => self.fail(*e),
            Some(Ok(t)) => {
                let n = t.len().min(buf.len());
                buf[..n].copy_from_slice(&t[..n]);
                Ok(n)
            }
        }
    }
    fn append_to_file(&self, path: &std::ffi::CStr, text: &[u8]) -> Result<()> {
        self.rec(ProbeCall::Append {
            path: path.to_string_lossy().into_owned(),
            text: String::from_utf8_lossy(text).into_owned(),
        });
        match self.append_answers.borrow_mut().pop_front() {
            Some(Err(e)) => self.fail(e),
            _ => Ok(()),
        }
    }
    fn accessible(&self, path: &std::ffi::CStr, mode: i32) -> bool {
        let p = path.to_string_lossy().into_owned();
        self.rec(ProbeCall::Access {
            path: p.clone(),
            mode,
        });
        let ok = self.accessible.borrow().contains(&p);
        if !ok {
            self.last_errno.set(libc::ENOENT);
        }
        ok
    }
    fn access(&self, path: &std::ffi::CStr, mode: i32) -> bool {
        self.accessible(path, mode)
    }
    fn use_debugfs(&self) -> bool {
        self.debugfs
    }
    fn getpid(&self) -> i32 {
        self.pid
    }
    fn search_env(&self, name: &std::ffi::CStr) -> Option<&std::ffi::CStr> {
        self.env
            .get(name.to_str().unwrap_or(""))
            .map(|c| c.as_c_str())
    }
    fn next_legacy_index(&self) -> i32 {
        let i = self.legacy_index.get();
        self.legacy_index.set(i + 1);
        i
    }
    fn perf_link_feature(&self) -> &std::sync::atomic::AtomicU8 {
        &self.feature
    }
    fn with_file(
        &self,
        path: &std::ffi::CStr,
        f: &mut dyn FnMut(&[u8]),
    ) -> std::result::Result<(), bpflink_core::attach::FileError> {
        let p = path.to_string_lossy().into_owned();
        self.rec(ProbeCall::ReadFile(p.clone()));
        let blobs = self.blobs.borrow();
        match blobs.get(&p) {
            Some(b) => {
                f(b);
                Ok(())
            }
            None => {
                self.last_errno.set(libc::ENOENT);
                Err(bpflink_core::attach::FileError::Open(Errno::ENOENT))
            }
        }
    }
    fn open_text(&self, path: &std::ffi::CStr) -> Result<i32> {
        let p = path.to_string_lossy().into_owned();
        self.rec(ProbeCall::OpenText(p.clone()));
        match self.files.borrow().get(&p) {
            Some(Ok(_)) => {
                // fd = index into a list of open texts: the path itself.
                self.open_texts.borrow_mut().push((p, 0));
                Ok(1000 + self.open_texts.borrow().len() as i32 - 1)
            }
            Some(Err(e)) => self.fail(*e),
            None => self.fail(Errno::ENOENT),
        }
    }
    fn read_text(&self, fd: i32, buf: &mut [u8]) -> Result<usize> {
        let mut texts = self.open_texts.borrow_mut();
        let Some((path, pos)) = texts.get_mut((fd - 1000) as usize) else {
            return Err(Errno::EBADF);
        };
        let files = self.files.borrow();
        let Some(Ok(t)) = files.get(path.as_str()) else {
            return Err(Errno::EBADF);
        };
        let rest = &t[(*pos).min(t.len())..];
        let n = rest.len().min(buf.len()).min(7); // small reads, to test refills
        buf[..n].copy_from_slice(&rest[..n]);
        *pos += n;
        Ok(n)
    }
    fn close_text(&self, _fd: i32) {}
    fn reserve_link(&self, perf: bool) -> Result<()> {
        self.log
            .borrow_mut()
            .push(format!("reserve link perf={perf}"));
        if self.reserve_fails.get() {
            return Err(Errno::ENOMEM);
        }
        Ok(())
    }
    fn reserve_name(&self, name: &std::ffi::CStr) -> Result<()> {
        self.log
            .borrow_mut()
            .push(format!("reserve name {}", name.to_string_lossy()));
        if self.reserve_fails.get() {
            return Err(Errno::ENOMEM);
        }
        Ok(())
    }
}

/// An [`bpflink_core::attach_msg::AttachLog`] that keeps every message.
#[derive(Debug, Default)]
pub struct Msgs(pub Vec<String>);

impl bpflink_core::attach_msg::AttachLog for Msgs {
    fn msg(&mut self, m: bpflink_core::attach_msg::Msg<'_>) {
        self.0.push(format!("{m:?}"));
    }
}
