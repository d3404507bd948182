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
