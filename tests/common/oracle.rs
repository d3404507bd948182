//! The libraries under comparison, called through the same untyped C
//! signatures: bpflink as the tests link it (the Rust build of the C
//! library), the shipped `build/lib/libbpflink.so`, and the real libbpf
//! v1.7.0 (`build/oracle/libbpf.so.1`, built by scripts/build-oracle.sh
//! when missing), each loaded with `dlopen` so that they sit side by side.
#![allow(
    clippy::missing_transmute_annotations,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::undocumented_unsafe_blocks
)]

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use libbpflink::bpf as bl;
use libbpflink::object as blo;

pub type PrintFn = unsafe extern "C" fn(c_int, *const c_char, *mut c_void) -> c_int;

/// The functions under test, with opts and objects as untyped pointers, so
/// the same row runs against bpflink and against libbpf.
#[derive(Clone, Copy)]
pub struct Lib {
    pub name: &'static str,
    pub link_create: unsafe extern "C" fn(c_int, c_int, u32, *const c_void) -> c_int,
    pub link_update: unsafe extern "C" fn(c_int, c_int, *const c_void) -> c_int,
    pub link_detach: unsafe extern "C" fn(c_int) -> c_int,
    pub iter_create: unsafe extern "C" fn(c_int) -> c_int,
    pub get_next_id: unsafe extern "C" fn(u32, *mut u32) -> c_int,
    pub get_fd_by_id: unsafe extern "C" fn(u32) -> c_int,
    pub get_fd_by_id_opts: unsafe extern "C" fn(u32, *const c_void) -> c_int,
    pub obj_get_info: unsafe extern "C" fn(c_int, *mut c_void, *mut u32) -> c_int,
    pub link_get_info: unsafe extern "C" fn(c_int, *mut c_void, *mut u32) -> c_int,
    pub raw_tp_open: unsafe extern "C" fn(*const c_char, c_int) -> c_int,
    pub raw_tp_open_opts: unsafe extern "C" fn(c_int, *mut c_void) -> c_int,
    pub obj_pin: unsafe extern "C" fn(c_int, *const c_char) -> c_int,
    pub obj_pin_opts: unsafe extern "C" fn(c_int, *const c_char, *const c_void) -> c_int,
    pub obj_get: unsafe extern "C" fn(*const c_char) -> c_int,
    pub obj_get_opts: unsafe extern "C" fn(*const c_char, *const c_void) -> c_int,
    pub set_print: unsafe extern "C" fn(Option<PrintFn>) -> Option<PrintFn>,
    pub link_open: unsafe extern "C" fn(*const c_char) -> *mut c_void,
    pub link_fd: unsafe extern "C" fn(*const c_void) -> c_int,
    pub link_pin: unsafe extern "C" fn(*mut c_void, *const c_char) -> c_int,
    pub link_unpin: unsafe extern "C" fn(*mut c_void) -> c_int,
    pub link_detach_obj: unsafe extern "C" fn(*mut c_void) -> c_int,
    pub link_destroy: unsafe extern "C" fn(*mut c_void) -> c_int,
}

macro_rules! cast {
    ($f:expr) => {
        // SAFETY: only pointer parameter types differ (typed opts/object
        // pointers vs `void *`); the C ABI passes them identically.
        unsafe { std::mem::transmute::<*const (), _>($f as *const ()) }
    };
}

pub fn bpflink() -> Lib {
    Lib {
        name: "bpflink",
        link_create: cast!(bl::bpf_link_create),
        link_update: cast!(bl::bpf_link_update),
        link_detach: cast!(bl::bpf_link_detach),
        iter_create: cast!(bl::bpf_iter_create),
        get_next_id: cast!(bl::bpf_link_get_next_id),
        get_fd_by_id: cast!(bl::bpf_link_get_fd_by_id),
        get_fd_by_id_opts: cast!(bl::bpf_link_get_fd_by_id_opts),
        obj_get_info: cast!(bl::bpf_obj_get_info_by_fd),
        link_get_info: cast!(bl::bpf_link_get_info_by_fd),
        raw_tp_open: cast!(bl::bpf_raw_tracepoint_open),
        raw_tp_open_opts: cast!(bl::bpf_raw_tracepoint_open_opts),
        obj_pin: cast!(bl::bpf_obj_pin),
        obj_pin_opts: cast!(bl::bpf_obj_pin_opts),
        obj_get: cast!(bl::bpf_obj_get),
        obj_get_opts: cast!(bl::bpf_obj_get_opts),
        set_print: cast!(libbpflink::print::libbpf_set_print),
        link_open: cast!(blo::bpf_link__open),
        link_fd: cast!(blo::bpf_link__fd),
        link_pin: cast!(blo::bpf_link__pin),
        link_unpin: cast!(blo::bpf_link__unpin),
        link_detach_obj: cast!(blo::bpf_link__detach),
        link_destroy: cast!(blo::bpf_link__destroy),
    }
}

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The real libbpf v1.7.0, or why it is not available.
pub fn oracle() -> Result<Lib, String> {
    static ORACLE: OnceLock<Result<usize, String>> = OnceLock::new();
    let handle = ORACLE.get_or_init(|| {
        let so = root().join("build/oracle/libbpf.so.1");
        if !so.exists() {
            let out = Command::new("sh")
                .arg(root().join("scripts/build-oracle.sh"))
                .current_dir(root())
                .output()
                .map_err(|e| format!("scripts/build-oracle.sh: {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "scripts/build-oracle.sh failed:\n{}",
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
        dlopen_local(&so)
    });
    symbols("libbpf", handle.clone()?)
}

/// The shipped shared library (`build/lib/libbpflink.so`, built by `make
/// lib` when missing; `BPFLINK_SHIPPED_SO` names another), loaded beside
/// the others like the oracle: the artifact C programs link, not the Rust
/// build the tests link.
pub fn shipped() -> Result<Lib, String> {
    static SHIPPED: OnceLock<Result<usize, String>> = OnceLock::new();
    let handle = SHIPPED.get_or_init(|| {
        // BPFLINK_SHIPPED_SO: another build to test (e.g. an older one).
        if let Some(other) = std::env::var_os("BPFLINK_SHIPPED_SO") {
            return dlopen_local(Path::new(&other));
        }
        let so = root().join("build/lib/libbpflink.so");
        if !so.exists() {
            let st = Command::new("make")
                .args(["-s", "lib"])
                .current_dir(root())
                .status()
                .map_err(|e| format!("make lib: {e}"))?;
            if !st.success() {
                return Err("make lib failed".into());
            }
        }
        dlopen_local(&so)
    });
    symbols("libbpflink.so", handle.clone()?)
}

/// `dlopen(so, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND)`: the library's calls
/// to its own exported functions stay inside it.
fn dlopen_local(so: &Path) -> Result<usize, String> {
    let c = CString::new(so.as_os_str().as_encoded_bytes()).unwrap();
    let h = unsafe {
        libc::dlopen(
            c.as_ptr(),
            libc::RTLD_NOW | libc::RTLD_LOCAL | libc::RTLD_DEEPBIND,
        )
    };
    if h.is_null() {
        let e = unsafe { CStr::from_ptr(libc::dlerror()) };
        return Err(format!("dlopen {}: {}", so.display(), e.to_string_lossy()));
    }
    Ok(h as usize)
}

/// The functions of the library behind `handle`.
fn symbols(lib: &'static str, handle: usize) -> Result<Lib, String> {
    let h = handle as *mut c_void;
    let sym = |name: &str| -> *const () {
        let c = CString::new(name).unwrap();
        let p = unsafe { libc::dlsym(h, c.as_ptr()) };
        assert!(!p.is_null(), "{lib} has no {name}");
        p as *const ()
    };
    macro_rules! s {
        ($n:literal) => {
            unsafe { std::mem::transmute::<*const (), _>(sym($n)) }
        };
    }
    Ok(Lib {
        name: lib,
        link_create: s!("bpf_link_create"),
        link_update: s!("bpf_link_update"),
        link_detach: s!("bpf_link_detach"),
        iter_create: s!("bpf_iter_create"),
        get_next_id: s!("bpf_link_get_next_id"),
        get_fd_by_id: s!("bpf_link_get_fd_by_id"),
        get_fd_by_id_opts: s!("bpf_link_get_fd_by_id_opts"),
        obj_get_info: s!("bpf_obj_get_info_by_fd"),
        link_get_info: s!("bpf_link_get_info_by_fd"),
        raw_tp_open: s!("bpf_raw_tracepoint_open"),
        raw_tp_open_opts: s!("bpf_raw_tracepoint_open_opts"),
        obj_pin: s!("bpf_obj_pin"),
        obj_pin_opts: s!("bpf_obj_pin_opts"),
        obj_get: s!("bpf_obj_get"),
        obj_get_opts: s!("bpf_obj_get_opts"),
        set_print: s!("libbpf_set_print"),
        link_open: s!("bpf_link__open"),
        link_fd: s!("bpf_link__fd"),
        link_pin: s!("bpf_link__pin"),
        link_unpin: s!("bpf_link__unpin"),
        link_detach_obj: s!("bpf_link__detach"),
        link_destroy: s!("bpf_link__destroy"),
    })
}
