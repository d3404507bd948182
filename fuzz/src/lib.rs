//! bpflink's fuzz harness: every opts-taking function, checked case by case
//! against an independent model of libbpf v1.7.0 (docs/libbpf-behaviour.md:
//! opts-structs-and-sz, bpf_link_create, the-other-low-level-calls).
//!
//! * [`check_core`]: the core with the `FakeKernel` and `CallerBytes`;
//!   compares the result (value or errno), the warnings, and every kernel
//!   call (exact attr bytes, fd-hygiene dup/close) with [`model::run`].
//! * [`check_ffi`]: the exported C functions with a fake `syscall` and a
//!   guard page after the opts struct; compares the C return value, errno,
//!   the printed messages (exact text) and the attr bytes.
//!
//! Both panic on a difference (the fuzz targets abort, libFuzzer saves the
//! input); [`compare_core`] / [`compare_ffi`] return it as text instead.

pub mod case;
pub mod core_run;
pub mod elf_check;
pub mod ffi_run;
pub mod model;

use case::Case;
use model::{KCall, Outcome};

fn diff(what: &str, case: &Case, want: &dyn std::fmt::Debug, got: &dyn std::fmt::Debug) -> String {
    format!(
        "{what}: bpflink differs from the model\n  case:  {case:?}\n  model: {want:#?}\n  got:   {got:#?}"
    )
}

/// The core against the model.
pub fn compare_core(data: &[u8]) -> Result<(), String> {
    let case = Case::decode(data);
    let want: Outcome = model::run(&case);
    let got = core_run::run(&case);
    if want == got {
        Ok(())
    } else {
        Err(diff("core", &case, &want, &got))
    }
}

/// The C entry points against the model.
pub fn compare_ffi(data: &[u8]) -> Result<(), String> {
    let case = Case::decode(data).without_low_fds();
    let want = model::run(&case);
    let got = ffi_run::run(&case);
    let (ret, errno_ok) = match want.ret {
        Ok(v) => (v, true),
        Err(e) => (-e, got.errno == e),
    };
    let messages: Vec<(i32, String)> = want.warnings.iter().map(|w| (0, w.text())).collect();
    let calls: Vec<KCall> = want.calls.clone();
    if got.ret == ret && errno_ok && got.messages == messages && got.calls == calls {
        Ok(())
    } else {
        Err(diff("ffi", &case, &(ret, want.ret, messages, calls), &got))
    }
}

pub fn check_core(data: &[u8]) {
    if let Err(e) = compare_core(data) {
        panic!("{e}");
    }
}

pub fn check_ffi(data: &[u8]) {
    if let Err(e) = compare_ffi(data) {
        panic!("{e}");
    }
}
