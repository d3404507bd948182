//! The bad-input table: every row run against bpflink and against the
//! real libbpf v1.7.0 on the same kernel objects, and the printed table
//! (docs/bad-input.md).

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::ptr::null;

use crate::harness::*;
use crate::{fds, null, paths, sizes, unknown};

/// The whole table, in the order docs/bad-input.md lists it.
fn rows() -> Vec<Row> {
    let mut v = Vec::new();
    null::rows(&mut v);
    fds::rows(&mut v);
    sizes::rows(&mut v);
    paths::rows(&mut v);
    unknown::rows(&mut v);
    v
}

// ---------------------------------------------------------------- running

/// Runs `r` against `lib`; returns the answer and the messages printed.
fn run_in_process(lib: &Lib, r: &Row, f: &Fx) -> (Res, String) {
    MESSAGES.with(|m| m.borrow_mut().clear());
    set_errno(0);
    let res = (r.call)(lib, f);
    let msg = MESSAGES.with(|m| std::mem::take(&mut *m.borrow_mut()));
    (res, msg)
}

/// Runs `r` against `lib` in a forked child: `Signal(n)` if it died.
fn run_in_child(lib: &Lib, r: &Row, f: &Fx) -> Res {
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork");
    if pid == 0 {
        // No printing (and no allocation) in the child.
        unsafe { (lib.set_print)(None) };
        let _ = (r.call)(lib, f);
        unsafe { libc::_exit(0) };
    }
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    if libc::WIFSIGNALED(status) {
        Res::Signal(libc::WTERMSIG(status))
    } else {
        Res::Odd(format!(
            "returned (exit status {})",
            libc::WEXITSTATUS(status)
        ))
    }
}

fn setup(env: &Env) -> Result<Fx, Skip> {
    let xdp = load_trivial(prog_type::XDP, attach::XDP, 0, XDP_PASS, "xdp_pass")?;
    let rtp = load_trivial(prog_type::RAW_TRACEPOINT, 0, 0, 0, "rawtp")?;
    let cg_prog = load_trivial(
        prog_type::CGROUP_SKB,
        attach::CGROUP_INET_EGRESS,
        0,
        1,
        "cg",
    )?;
    let cgroup = Cgroup::new()?;
    let map = Counter::new()?;
    let l = unsafe { bl::bpf_link_create(xdp.as_raw_fd(), 1, attach::XDP, null()) };
    let link = own(l, "bpf_link_create(xdp on lo)");
    let pin = env.pin_path("pinned");
    assert_eq!(
        unsafe { bl::bpf_obj_pin(link.as_raw_fd(), pin.as_ptr()) },
        0
    );
    let devnull = std::fs::File::open("/dev/null").unwrap().into();
    let mut p = [0; 2];
    assert_eq!(unsafe { libc::pipe2(p.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    let pipe = unsafe { (OwnedFd::from_raw_fd(p[0]), OwnedFd::from_raw_fd(p[1])) };
    Ok(Fx {
        xdp,
        rtp,
        cg_prog,
        cgroup,
        map,
        link,
        devnull,
        pipe,
        closed: closed_fd(),
        bpffs: env.bpffs.clone().unwrap(),
        pin,
        guard: Guard::new(),
    })
}

#[test]
fn bad_input_table_bpflink_vs_libbpf() {
    kernel_test_with_bpffs(|env| {
        let f = setup(env)?;
        let ours = bpflink();
        let theirs = match oracle() {
            Ok(l) => Some(l),
            Err(e) => {
                skip(&format!("the libbpf column is not checked: {e}"));
                None
            }
        };
        unsafe { (ours.set_print)(Some(capture)) };
        if let Some(t) = &theirs {
            unsafe { (t.set_print)(Some(capture)) };
        }
        let bpffs = f.bpffs.display().to_string();
        let mut failures = Vec::new();
        let mut table = String::from("| input | bpflink | libbpf 1.7.0 |\n|---|---|---|\n");
        let rows = rows();
        for r in &rows {
            let (got, msg) = run_in_process(&ours, r, &f);
            let msg = msg.replace(&bpffs, "<bpffs>").replace(
                &format!("/tmp/bpflink-bad-input-bpflink-{}", std::process::id()),
                "/tmp/<name>",
            );
            let (want_ours, want_theirs_crash) = match &r.want {
                Want::Same(w) => (w.clone(), false),
                Want::LibbpfCrashes(w) => (w.clone(), true),
                Want::Differs { bpflink, .. } => (bpflink.clone(), false),
            };
            if got != want_ours || msg != r.message {
                failures.push(format!(
                    "{}: bpflink answered {} (message \"{msg}\"), expected {} (message \"{}\")",
                    r.input,
                    got.show(),
                    want_ours.show(),
                    r.message
                ));
            }
            let libbpf_col = match &theirs {
                None => "(not checked)".to_string(),
                Some(t) if want_theirs_crash => {
                    let res = run_in_child(t, r, &f);
                    if res != Res::Signal(libc::SIGSEGV) {
                        failures.push(format!(
                            "{}: libbpf was expected to crash, got {}",
                            r.input,
                            res.show()
                        ));
                    }
                    res.show()
                }
                Some(t) => {
                    let (res, tmsg) = run_in_process(t, r, &f);
                    let tmsg = tmsg.replace(&bpffs, "<bpffs>").replace(
                        &format!("/tmp/bpflink-bad-input-libbpf-{}", std::process::id()),
                        "/tmp/<name>",
                    );
                    let want_theirs = match &r.want {
                        Want::Differs { libbpf, .. } => libbpf.clone(),
                        _ => want_ours.clone(),
                    };
                    if res != want_theirs || tmsg != r.message {
                        failures.push(format!(
                                    "{}: libbpf answered {} (message \"{tmsg}\"), expected {} (message \"{}\")",
                                    r.input,
                                    res.show(),
                                    want_theirs.show(),
                                    r.message
                                ));
                    }
                    res.show()
                }
            };
            let ours_col = if r.message.is_empty() {
                got.show()
            } else {
                format!("{} + `{}`", got.show(), r.message.trim_end_matches("\\n"))
            };
            table.push_str(&format!(
                "| `{}` | {} | {} |\n",
                r.input.replace('|', "\\|"),
                ours_col,
                libbpf_col
            ));
        }
        unsafe { (ours.set_print)(None) };
        if let Some(t) = &theirs {
            unsafe { (t.set_print)(None) };
        }
        println!("{table}");
        println!("{} rows", rows.len());
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        Ok(())
    });
}
