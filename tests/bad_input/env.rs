//! The environment is input too: LIBBPF_LOG_LEVEL and BPFLINK_TRACE are
//! read with `secure_getenv` only (a secure-exec child ignores them), and
//! nothing else in the library reads the environment.

use std::ffi::{CString, c_char};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::ptr::null;

use crate::harness::*;

// ------------------------------------------------------- the environment

/// Runs this test binary's `env_child_probe` in a child started with
/// fork + execve, with LIBBPF_LOG_LEVEL=bogus and BPFLINK_TRACE=1 set;
/// `secure`: as ruid 65534 / euid 0, which makes the exec a secure one
/// (AT_SECURE = 1, what a set-uid program gets). Returns its stderr.
fn env_child(secure: bool) -> String {
    let exe = CString::new(
        std::env::current_exe()
            .unwrap()
            .into_os_string()
            .into_encoded_bytes(),
    )
    .unwrap();
    // libtest names a test by its path below the crate: `env::env_child_probe`.
    let probe = match module_path!().split_once("::") {
        Some((_, m)) => format!("{m}::env_child_probe"),
        None => "env_child_probe".to_string(),
    };
    let args = [
        exe.clone(),
        cs(&probe),
        cs("--exact"),
        cs("--nocapture"),
        cs("--test-threads=1"),
    ];
    let envs = [
        cs("BPFLINK_ENV_CHILD=1"),
        cs("LIBBPF_LOG_LEVEL=bogus"),
        cs("BPFLINK_TRACE=1"),
    ];
    let mut argv: Vec<*const c_char> = args.iter().map(|a| a.as_ptr()).collect();
    argv.push(null());
    let mut envp: Vec<*const c_char> = envs.iter().map(|a| a.as_ptr()).collect();
    envp.push(null());
    let mut p = [0; 2];
    assert_eq!(unsafe { libc::pipe2(p.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        unsafe {
            libc::dup2(p[1], 2);
            libc::dup2(p[1], 1);
            if secure && libc::setresuid(65534, 0, 0) != 0 {
                libc::_exit(126);
            }
            libc::execve(exe.as_ptr(), argv.as_ptr(), envp.as_ptr());
            libc::_exit(127);
        }
    }
    unsafe { libc::close(p[1]) };
    let out = read_to_eof(p[0]);
    unsafe { libc::close(p[0]) };
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    let text = String::from_utf8_lossy(&out).into_owned();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child (secure = {secure}) failed, status {status:#x}:\n{text}"
    );
    text
}

/// The child's side of [`env_variables_are_read_with_secure_getenv`]; a
/// no-op in a normal test run.
#[test]
fn env_child_probe() {
    if std::env::var_os("BPFLINK_ENV_CHILD").is_none() {
        return;
    }
    let secure = unsafe { libc::getauxval(libc::AT_SECURE) };
    eprintln!("AT_SECURE={secure}");
    // The default printer (no callback set in this process) prints the
    // WARN; LIBBPF_LOG_LEVEL is read at the first print, BPFLINK_TRACE at
    // the first call.
    let o = opts(4, 16, &[]);
    let r = unsafe { bl::bpf_link_create(-1, 0, attach::XDP, o.as_ptr().cast()) };
    assert_eq!(r, -EINVAL);
}

#[test]
fn env_variables_are_read_with_secure_getenv() {
    let _guard = serial();
    if unsafe { libc::geteuid() } != 0 {
        skip("needs root to start a secure-exec child (setresuid)");
        return;
    }
    let warn = "libbpf: bpf_link_create_opts size (4) is too small";
    let unrecognized = "libbpf: unrecognized 'LIBBPF_LOG_LEVEL' envvar value: 'bogus'";
    let trace = "bpflink[";

    let normal = env_child(false);
    assert!(normal.contains("AT_SECURE=0"), "normal child:\n{normal}");
    assert!(
        normal.contains(warn),
        "normal child prints the WARN:\n{normal}"
    );
    assert!(
        normal.contains(unrecognized),
        "normal child reads LIBBPF_LOG_LEVEL:\n{normal}"
    );
    assert!(
        normal.contains(trace),
        "normal child reads BPFLINK_TRACE:\n{normal}"
    );

    let secure = env_child(true);
    assert!(secure.contains("AT_SECURE=1"), "secure child:\n{secure}");
    assert!(
        secure.contains(warn),
        "secure child prints the WARN:\n{secure}"
    );
    assert!(
        !secure.contains(unrecognized),
        "a secure-exec child must ignore LIBBPF_LOG_LEVEL:\n{secure}"
    );
    assert!(
        !secure.contains(trace),
        "a secure-exec child must ignore BPFLINK_TRACE:\n{secure}"
    );
}

/// Every source file of the library (Rust and C): the environment is read
/// only through `secure_getenv` (`sys::secure_env`, print.c).
#[test]
fn sources_read_the_environment_only_with_secure_getenv() {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("rs" | "c" | "h")
            ) {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&root().join("src"), &mut files);
    walk(&root().join("crates/bpflink-core/src"), &mut files);
    assert!(files.len() > 10);
    let forbidden = [
        "env::var",
        "env::vars",
        "env::var_os",
        "std::env",
        "getenv(",
        "libc::getenv",
        "environ",
        "getauxval",
    ];
    let mut hits = Vec::new();
    let mut secure_uses = 0;
    for f in &files {
        // Unit tests compiled only with cfg(test) are not the library.
        if f.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let t = code.trim_start();
            if t.starts_with("/*") || t.starts_with('*') {
                continue; // a C comment line
            }
            let code = code.replace("secure_getenv(", "SECURE(");
            secure_uses += line.matches("secure_getenv(").count();
            for pat in forbidden {
                // "environ" as an identifier, not "environment".
                let found = code.match_indices(pat).any(|(i, _)| {
                    !code[i + pat.len()..]
                        .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                });
                if found {
                    hits.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        hits.is_empty(),
        "environment read without secure_getenv:\n{}",
        hits.join("\n")
    );
    assert!(secure_uses >= 2, "print.c and trace.rs call secure_getenv");
}

/// The shipped shared library imports `secure_getenv` and neither `getenv`
/// nor `environ`: it is `no_std`, so no runtime reads the environment
/// behind its back (std's backtrace machinery used to, for RUST_BACKTRACE).
#[test]
fn shared_library_reads_the_environment_only_with_secure_getenv() {
    let so = root().join("build/lib/libbpflink.so");
    if !so.exists() {
        let st = Command::new("make")
            .args(["-s", "lib"])
            .current_dir(root())
            .status()
            .unwrap();
        assert!(st.success(), "make lib");
    }
    let nm = Command::new("nm")
        .args(["-D", "--undefined-only"])
        .arg(&so)
        .output();
    let Ok(nm) = nm else {
        skip("nm (binutils) not installed");
        return;
    };
    let imports = String::from_utf8_lossy(&nm.stdout).into_owned();
    assert!(imports.contains("secure_getenv"), "imports:\n{imports}");
    assert!(!imports.contains("environ"), "imports environ:\n{imports}");
    assert!(
        !imports
            .lines()
            .any(|l| l.trim_end().ends_with(" getenv") || l.contains(" getenv@")),
        "imports getenv:\n{imports}"
    );
}
