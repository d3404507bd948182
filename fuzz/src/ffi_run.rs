//! Runs a case through the exported `extern "C"` functions, as C calls
//! them: the opts struct ends right before a `PROT_NONE` guard page (so the
//! real fault-free tail reader, `sys::CallerTail`, meets real unmapped
//! memory), `syscall(SYS_bpf, …)` is answered by the fake in
//! `fake_syscall.c`, and warnings are captured through `libbpf_set_print`.

use std::cell::RefCell;
use std::ffi::{c_char, c_int, c_long, c_ulong, c_void};
use std::sync::Once;

use libbpflink::bpf as c;
use libbpflink::print::libbpf_set_print;

use crate::case::{Case, Func, KAnswer, MAX_BUF};
use crate::model::KCall;

unsafe extern "C" {
    fn bpflink_fuzz_set_bpf_hook(
        hook: Option<extern "C" fn(c_long, *mut c_void, c_ulong) -> c_long>,
    );
    fn vsnprintf(buf: *mut c_char, n: usize, format: *const c_char, ap: *mut c_void) -> c_int;
}

/// What the C functions did, observably.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FfiOutcome {
    /// The C return value and `errno` after the call.
    pub ret: c_int,
    pub errno: c_int,
    /// `(level, formatted message)` received by the print callback.
    pub messages: Vec<(c_int, String)>,
    pub calls: Vec<KCall>,
}

struct Script {
    answers: [KAnswer; 2],
    next: usize,
    calls: Vec<KCall>,
}

thread_local! {
    static SCRIPT: RefCell<Option<Script>> = const { RefCell::new(None) };
    static MESSAGES: RefCell<Vec<(c_int, String)>> = const { RefCell::new(Vec::new()) };
    /// A 4-page mapping whose last page is PROT_NONE.
    static REGION: usize = map_region();
}

const PAGE: usize = 4096;
const _: () = assert!(MAX_BUF <= 3 * PAGE);

fn map_region() -> usize {
    // SAFETY: a fresh anonymous mapping; nothing else refers to it.
    unsafe {
        let p = libc::mmap(
            std::ptr::null_mut(),
            4 * PAGE,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        assert!(p != libc::MAP_FAILED, "mmap failed");
        let guard = (p as usize + 3 * PAGE) as *mut c_void;
        assert_eq!(libc::mprotect(guard, PAGE, libc::PROT_NONE), 0, "mprotect");
        p as usize
    }
}

fn errno() -> c_int {
    // SAFETY: always valid for this thread.
    unsafe { *libc::__errno_location() }
}

fn set_errno(e: c_int) {
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = e }
}

extern "C" fn fake_bpf(cmd: c_long, attr: *mut c_void, size: c_ulong) -> c_long {
    // SAFETY: bpflink passes a live attr buffer of exactly `size` bytes.
    let bytes = unsafe { std::slice::from_raw_parts(attr.cast::<u8>(), size as usize) }.to_vec();
    let answer = SCRIPT.with(|s| {
        let mut s = s.borrow_mut();
        let s = s.as_mut().expect("hook installed without a script");
        s.calls.push(KCall::Bpf {
            cmd: cmd as u32,
            attr: bytes,
        });
        let a = s.answers.get(s.next).copied().unwrap_or(Err(libc::ENOSYS));
        s.next += 1;
        a
    });
    match answer {
        Ok(v) => c_long::from(v),
        Err(e) => {
            set_errno(e);
            -1
        }
    }
}

unsafe extern "C" fn capture(level: c_int, format: *const c_char, ap: *mut c_void) -> c_int {
    let mut buf = [0u8; 1024];
    // SAFETY: `format` and `ap` come from bpflink's print path, which hands
    // the callback a format string and its matching va_list (on x86-64 a
    // va_list parameter is a pointer, as declared).
    let n = unsafe { vsnprintf(buf.as_mut_ptr().cast(), buf.len(), format, ap) };
    let n = (n.max(0) as usize).min(buf.len() - 1);
    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
    MESSAGES.with(|m| m.borrow_mut().push((level, text)));
    0
}

/// Runs `case` (whose fake fds must be ≥ 3: see `Case::without_low_fds`).
pub fn run(case: &Case) -> FfiOutcome {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        libbpf_set_print(Some(capture));
    });
    let region = REGION.with(|r| *r);
    let len = case.buf.len();
    assert!(len <= MAX_BUF);
    let start = region + 3 * PAGE - len;
    // SAFETY: [start, start+len) lies inside the RW part of our mapping.
    unsafe { std::ptr::copy_nonoverlapping(case.buf.as_ptr(), start as *mut u8, len) };
    let p: *mut u8 = if case.opts_null {
        std::ptr::null_mut()
    } else {
        start as *mut u8
    };

    SCRIPT.with(|s| {
        *s.borrow_mut() = Some(Script {
            answers: case.answers,
            next: 0,
            calls: Vec::new(),
        })
    });
    MESSAGES.with(|m| m.borrow_mut().clear());
    // SAFETY: installs a hook for this thread only; removed below.
    unsafe { bpflink_fuzz_set_bpf_hook(Some(fake_bpf)) };
    set_errno(0);
    let path = case.path_addr as *const c_char;
    // SAFETY: the opts pointer is NULL or points to `len` mapped bytes with
    // `sz` at its start, and len >= min(sz, sizeof(struct)) (the contract
    // libbpf's callers follow); everything after them is unmapped, which
    // bpflink must survive. `path` is never dereferenced: the fake kernel
    // does not read it.
    let ret = unsafe {
        match case.func {
            Func::LinkCreate => c::bpf_link_create(case.a, case.b, case.attach_type, p.cast()),
            Func::LinkUpdate => c::bpf_link_update(case.a, case.b, p.cast()),
            Func::GetFdByIdOpts => c::bpf_link_get_fd_by_id_opts(case.a as u32, p.cast()),
            Func::RawTpOpenOpts => c::bpf_raw_tracepoint_open_opts(case.a, p.cast()),
            Func::ObjPinOpts => c::bpf_obj_pin_opts(case.a, path, p.cast()),
            Func::ObjGetOpts => c::bpf_obj_get_opts(path, p.cast()),
        }
    };
    let errno = errno();
    // SAFETY: removes this thread's hook.
    unsafe { bpflink_fuzz_set_bpf_hook(None) };
    let calls = SCRIPT.with(|s| s.borrow_mut().take().map(|s| s.calls).unwrap_or_default());
    FfiOutcome {
        ret,
        errno,
        messages: MESSAGES.with(|m| std::mem::take(&mut *m.borrow_mut())),
        calls,
    }
}
