//! A scripted fake kernel: records every call the core makes and answers
//! from a script. Used by the unit tests (no privileges needed) and usable
//! by fuzzers and benchmarks.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::vec::Vec;

use super::errno::{Errno, Result};
use super::kernel::Kernel;

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
