//! kprobe_multi patterns resolved the way libbpf 1.7.0 resolves them
//! (`libbpf.c`: `libbpf_available_kprobes_parse`,
//! `libbpf_available_kallsyms_parse`, `libbpf_kallsyms_parse`): from
//! tracefs's `available_filter_functions_addrs`, or from the functions of
//! `available_filter_functions` looked up in `/proc/kallsyms`. The files
//! are scanned with the same `fscanf` rules libbpf uses, through the host's
//! file calls, into memory the host provides.
#![forbid(unsafe_code)]

use core::cmp::Ordering;
use core::ffi::CStr;

use super::attach_host::ProbeHost;
use super::attach_msg::{AttachLog, Msg};
use super::elf_sym::OffsetBuf;
use super::errno::{Errno, Result};
use super::probe_text::{self as text, glob_match};
use super::sys::CBuf;
use super::text::FixedStr;

/// `%499s`: at most this many bytes of a name.
const NAME_MAX: usize = 499;

/// `fscanf`'s view of a file: bytes read in chunks, one byte of lookahead.
pub struct Scanner<'h> {
    h: &'h dyn ProbeHost,
    fd: i32,
    buf: [u8; 4096],
    pos: usize,
    len: usize,
    eof: bool,
}

/// What one `fscanf` call returned: its count, or `EOF` (-1).
pub const EOF: i32 = -1;

impl<'h> Scanner<'h> {
    pub fn open(h: &'h dyn ProbeHost, path: &CStr) -> Result<Scanner<'h>> {
        let fd = h.open_text(path)?;
        Ok(Scanner {
            h,
            fd,
            buf: [0; 4096],
            pos: 0,
            len: 0,
            eof: false,
        })
    }

    fn peek(&mut self) -> Option<u8> {
        if self.pos == self.len && !self.eof {
            match self.h.read_text(self.fd, &mut self.buf) {
                Ok(0) | Err(_) => self.eof = true,
                Ok(n) => {
                    self.len = n.min(self.buf.len());
                    self.pos = 0;
                }
            }
        }
        if self.pos < self.len {
            self.buf.get(self.pos).copied()
        } else {
            None
        }
    }

    fn bump(&mut self) {
        self.pos += 1;
    }

    /// A white-space directive: skips any white space.
    fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            if !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
                break;
            }
            self.bump();
        }
    }

    /// `feof(f)`.
    pub fn at_eof(&mut self) -> bool {
        self.peek().is_none()
    }

    /// `%llx` (white space skipped first): `None` if no hex digits.
    fn hex(&mut self) -> Option<u64> {
        self.skip_ws();
        let mut neg = false;
        if let Some(b @ (b'-' | b'+')) = self.peek() {
            neg = b == b'-';
            self.bump();
        }
        let mut v: u64 = 0;
        let mut any = false;
        if self.peek() == Some(b'0') {
            self.bump();
            any = true;
            if matches!(self.peek(), Some(b'x' | b'X')) {
                self.bump();
            }
        }
        while let Some(d) = self.peek().and_then(|b| (b as char).to_digit(16)) {
            v = v.wrapping_mul(16).wrapping_add(u64::from(d));
            any = true;
            self.bump();
        }
        any.then_some(if neg { v.wrapping_neg() } else { v })
    }

    /// `%c`.
    fn char(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.bump();
        Some(b)
    }

    /// `%499s` (white space skipped first).
    fn token(&mut self, out: &mut FixedStr<512>) -> bool {
        self.skip_ws();
        *out = FixedStr::new();
        while out.len() < NAME_MAX {
            match self.peek() {
                Some(b) if !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') => {
                    out.push_byte(b);
                    self.bump();
                }
                _ => break,
            }
        }
        !out.is_empty()
    }

    /// `%*[^\n]\n`: the rest of the line, then any white space.
    fn rest_of_line(&mut self) {
        while let Some(b) = self.peek() {
            if b == b'\n' {
                break;
            }
            self.bump();
        }
        self.skip_ws();
    }

    /// `fscanf(f, "%499s%*[^\n]\n", name)`.
    pub fn scan_name(&mut self, name: &mut FixedStr<512>) -> i32 {
        self.skip_ws();
        if self.at_eof() {
            return EOF;
        }
        if !self.token(name) {
            return 0;
        }
        self.rest_of_line();
        1
    }

    /// `fscanf(f, "%llx %499s%*[^\n]\n", &addr, name)`.
    pub fn scan_addr_name(&mut self, addr: &mut u64, name: &mut FixedStr<512>) -> i32 {
        self.skip_ws();
        if self.at_eof() {
            return EOF;
        }
        let Some(a) = self.hex() else { return 0 };
        *addr = a;
        self.skip_ws();
        if self.at_eof() {
            return 1;
        }
        if !self.token(name) {
            return 1;
        }
        self.rest_of_line();
        2
    }

    /// `fscanf(f, "%llx %c %499s%*[^\n]\n", &addr, &type, name)`.
    pub fn scan_kallsyms(&mut self, addr: &mut u64, ty: &mut u8, name: &mut FixedStr<512>) -> i32 {
        self.skip_ws();
        if self.at_eof() {
            return EOF;
        }
        let Some(a) = self.hex() else { return 0 };
        *addr = a;
        self.skip_ws();
        let Some(c) = self.char() else { return 1 };
        *ty = c;
        self.skip_ws();
        if self.at_eof() {
            return 2;
        }
        if !self.token(name) {
            return 2;
        }
        self.rest_of_line();
        3
    }
}

impl Drop for Scanner<'_> {
    fn drop(&mut self) {
        self.h.close_text(self.fd);
    }
}

/// `libbpf_available_kprobes_parse`: every `<addr> <name>` line of
/// `available_filter_functions_addrs` whose name matches `pattern`.
pub fn available_kprobes_parse(
    h: &dyn ProbeHost,
    pattern: &CStr,
    res: &mut CBuf,
    log: &mut dyn AttachLog,
) -> Result<()> {
    let path = text::filter_functions_file(h.use_debugfs(), true);
    let mut f = match Scanner::open(h, path.as_c_str()) {
        Ok(f) => f,
        Err(e) => {
            log.msg(Msg::OpenListFailed {
                path: path.as_c_str(),
                err: e.negated(),
            });
            return Err(e);
        }
    };
    let mut name = FixedStr::<512>::new();
    let mut addr = 0u64;
    loop {
        let ret = f.scan_addr_name(&mut addr, &mut name);
        if ret == EOF && f.at_eof() {
            break;
        }
        if ret != 2 {
            log.msg(Msg::FilterFunctionsAddrsEntry { ret });
            return Err(Errno::EINVAL);
        }
        if !glob_match(name.as_bytes(), pattern.to_bytes()) {
            continue;
        }
        res.push(addr)?;
    }
    if res.as_slice().is_empty() {
        return Err(Errno::ENOENT);
    }
    Ok(())
}

/// Names kept in `u64` words of host memory (libbpf `strdup`s each):
/// `words` holds each name as a length word and its bytes, `index` the
/// position of each name's length word, sorted by name once complete.
struct Names<B: OffsetBuf> {
    words: B,
    index: B,
}

impl<B: OffsetBuf> Names<B> {
    fn add(&mut self, name: &[u8]) -> Result<()> {
        let at = self.words.as_slice().len() as u64;
        self.words.push(name.len() as u64)?;
        for chunk in name.chunks(8) {
            let mut w = [0u8; 8];
            if let Some(d) = w.get_mut(..chunk.len()) {
                d.copy_from_slice(chunk);
            }
            self.words.push(u64::from_ne_bytes(w))?;
        }
        self.index.push(at)
    }

    /// The name whose length word is at `at`, copied out.
    fn get(words: &[u64], at: u64, out: &mut FixedStr<512>) {
        *out = FixedStr::new();
        let at = at as usize;
        let len = words.get(at).copied().unwrap_or(0) as usize;
        let n = len.div_ceil(8);
        let mut left = len;
        for w in words.get(at + 1..at + 1 + n).unwrap_or(&[]) {
            let b = w.to_ne_bytes();
            out.push(b.get(..left.min(8)).unwrap_or(&[]));
            left = left.saturating_sub(8);
        }
    }

    fn cmp(words: &[u64], a: u64, b: &[u8]) -> Ordering {
        let mut s = FixedStr::<512>::new();
        Self::get(words, a, &mut s);
        s.as_bytes().cmp(b)
    }

    fn sort(&mut self) {
        let words = self.words.as_slice();
        let mut sa = FixedStr::<512>::new();
        let mut sb = FixedStr::<512>::new();
        super::text::heap_sort_by(self.index.as_mut_slice(), |&a, &b| {
            Self::get(words, a, &mut sa);
            Self::get(words, b, &mut sb);
            sa.as_bytes().cmp(sb.as_bytes())
        });
    }

    fn contains(&self, name: &[u8]) -> bool {
        let words = self.words.as_slice();
        self.index
            .as_slice()
            .binary_search_by(|&a| Self::cmp(words, a, name))
            .is_ok()
    }
}

/// `libbpf_available_kallsyms_parse`: the functions of
/// `available_filter_functions` that match `pattern`, at their
/// `/proc/kallsyms` addresses (a `.llvm.<hash>` suffix in kallsyms is
/// tolerated, as in libbpf).
pub fn available_kallsyms_parse(
    h: &dyn ProbeHost,
    pattern: &CStr,
    res: &mut CBuf,
    log: &mut dyn AttachLog,
) -> Result<()> {
    let path = text::filter_functions_file(h.use_debugfs(), false);
    let mut f = match Scanner::open(h, path.as_c_str()) {
        Ok(f) => f,
        Err(e) => {
            log.msg(Msg::OpenListFailed {
                path: path.as_c_str(),
                err: e.negated(),
            });
            return Err(e);
        }
    };
    let mut names = Names {
        words: CBuf::new(),
        index: CBuf::new(),
    };
    let mut name = FixedStr::<512>::new();
    loop {
        let ret = f.scan_name(&mut name);
        if ret == EOF && f.at_eof() {
            break;
        }
        if ret != 1 {
            log.msg(Msg::FilterFunctionsEntry { ret });
            return Err(Errno::EINVAL);
        }
        if !glob_match(name.as_bytes(), pattern.to_bytes()) {
            continue;
        }
        names.add(name.as_bytes())?;
    }
    drop(f);
    if names.index.as_slice().is_empty() {
        return Err(Errno::ENOENT);
    }
    names.sort();
    // libbpf ignores how the kallsyms walk ended: only the count matters.
    let _ = kallsyms_walk(h, log, &mut |addr, sym| {
        if !glob_match(sym, pattern.to_bytes()) {
            return Ok(());
        }
        if !names.contains(sym) {
            let Some(cut) = sym.windows(6).position(|w| w == b".llvm.") else {
                return Ok(());
            };
            let trimmed = sym.get(..cut.min(255)).unwrap_or(&[]);
            if !names.contains(trimmed) {
                return Ok(());
            }
        }
        res.push(addr)
    });
    if res.as_slice().is_empty() {
        return Err(Errno::ENOENT);
    }
    Ok(())
}

/// `libbpf_kallsyms_parse`: every `<addr> <type> <name>` line of
/// `/proc/kallsyms` to `cb`, until it returns an error.
fn kallsyms_walk(
    h: &dyn ProbeHost,
    log: &mut dyn AttachLog,
    cb: &mut dyn FnMut(u64, &[u8]) -> Result<()>,
) -> Result<()> {
    let path = c"/proc/kallsyms";
    let mut f = match Scanner::open(h, path) {
        Ok(f) => f,
        Err(e) => {
            log.msg(Msg::OpenListFailed {
                path,
                err: e.negated(),
            });
            return Err(e);
        }
    };
    let mut name = FixedStr::<512>::new();
    let (mut addr, mut ty) = (0u64, 0u8);
    loop {
        let ret = f.scan_kallsyms(&mut addr, &mut ty, &mut name);
        if ret == EOF && f.at_eof() {
            return Ok(());
        }
        if ret != 3 {
            log.msg(Msg::KallsymsEntry { ret });
            return Err(Errno::EINVAL);
        }
        cb(addr, name.as_bytes())?;
    }
}
