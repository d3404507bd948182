//! Concurrency and fd hygiene on the real kernel.
//!
//! * `threads_create_update_pin_detach_close`: 8 threads × 200 iterations
//!   (bounded to 60 s) at once create XDP links (each thread on the `lo` of
//!   its own network namespace), cgroup links (all on one shared cgroup) and
//!   task-iterator links; update them (`BPF_F_REPLACE`, right and wrong old
//!   program), pin them in a private bpffs (own names and one shared name
//!   they race for), open the pins (`bpf_obj_get`, `bpf_link__open`), unpin,
//!   detach, walk and open link ids other threads are closing, and close
//!   everything. Every answer must be success or one of the errors the
//!   races explain (listed per call below); no crash; afterwards the
//!   process has exactly the fds it had before and every link is released.
//! * `fds_are_close_on_exec_across_fork_exec`: every fd our functions
//!   create (link_create, iter_create, get_fd_by_id(_opts), obj_get(_opts),
//!   raw_tracepoint_open(_opts), bpf_link__open) carries FD_CLOEXEC and is
//!   absent in a program started with fork + execve, while a control fd
//!   without FD_CLOEXEC is present there.
//!
//! Needs root with BPF (otherwise SKIP; a failure under CI=true).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::undocumented_unsafe_blocks
)]

mod common;

use std::collections::BTreeMap;
use std::ffi::{CStr, CString, c_char, c_int};
use std::mem::size_of;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::ptr::null;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bpflink_core::abi::{
    bpf_get_fd_by_id_opts, bpf_link_update_opts, bpf_obj_get_opts, bpf_raw_tp_opts,
};
use common::*;
use libbpflink::bpf::*;
use libbpflink::object::{
    bpf_link__destroy, bpf_link__fd, bpf_link__open, bpf_link__pin_path, bpf_link__unpin,
};

const THREADS: usize = 8;
const ITERATIONS: usize = 200;
const TIME_LIMIT: Duration = Duration::from_secs(60);

const EPERM: c_int = libc::EPERM;
const ENOENT: c_int = libc::ENOENT;
const EEXIST: c_int = libc::EEXIST;
const EBADF: c_int = libc::EBADF;
const ENOLINK: c_int = libc::ENOLINK;
const EAGAIN: c_int = libc::EAGAIN;

/// The fds open in this process, with what they point to.
fn open_fds() -> BTreeMap<i32, String> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir("/proc/self/fd").unwrap() {
        let e = e.unwrap();
        let fd: i32 = e.file_name().to_string_lossy().parse().unwrap();
        let target = std::fs::read_link(e.path())
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| "?".into());
        out.insert(fd, target);
    }
    out
}

fn xorshift(s: &mut u64) -> u64 {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    *s
}

/// What the workers share (all fds are only read by them).
struct Shared<'a> {
    env: &'a Env,
    xdp_a: RawFd,
    xdp_b: RawFd,
    cg_a: RawFd,
    cg_b: RawFd,
    iter: RawFd,
    cgroup: RawFd,
    deadline: Instant,
    /// Every link id created, to check they are all released at the end.
    ids: Mutex<Vec<u32>>,
    /// (call, answer) → count, for the report.
    answers: Mutex<BTreeMap<String, usize>>,
}

struct Worker<'s, 'e> {
    sh: &'s Shared<'e>,
    t: usize,
    answers: BTreeMap<String, usize>,
    ids: Vec<u32>,
}

impl Worker<'_, '_> {
    /// Records one answer and checks it: `Ok` (≥ 0) or an errno in `allowed`.
    #[track_caller]
    fn check(&mut self, call: &str, (r, e): (c_int, c_int), allowed: &[c_int]) -> c_int {
        let key = if r >= 0 {
            format!("{call}: ok")
        } else {
            assert!(
                r == -e && allowed.contains(&e),
                "thread {}: {call} = {r} (errno {e}: {}); allowed: success or {:?}",
                self.t,
                errname(e),
                allowed.iter().map(|&a| errname(a)).collect::<Vec<_>>()
            );
            format!("{call}: {}", errname(e))
        };
        *self.answers.entry(key).or_default() += 1;
        r
    }

    /// A call that must create an fd: ≥ 3 and close-on-exec.
    #[track_caller]
    fn new_fd(&mut self, call: &str, res: (c_int, c_int), allowed: &[c_int]) -> Option<OwnedFd> {
        let r = self.check(call, res, allowed);
        (r >= 0).then(|| {
            assert!(
                r >= 3 && is_cloexec(r),
                "{call}: fd {r} (< 3 or not CLOEXEC)"
            );
            own(r, call)
        })
    }

    fn link_id(&mut self, fd: RawFd) -> u32 {
        let id = link_info(fd).id();
        self.ids.push(id);
        id
    }

    fn xdp(&mut self) {
        let sh = self.sh;
        // ifindex 1: this thread's own lo.
        let Some(link) = self.new_fd(
            "link_create(xdp)",
            c_call(|| unsafe { bpf_link_create(sh.xdp_a, 1, 37, null()) }),
            &[],
        ) else {
            return;
        };
        let id = self.link_id(link.as_raw_fd());
        let opts = lu_opts(BPF_F_REPLACE, sh.xdp_a);
        self.check(
            "link_update(replace a->b)",
            c_call(|| unsafe { bpf_link_update(link.as_raw_fd(), sh.xdp_b, &opts) }),
            &[],
        );
        // The old program is no longer a: the kernel refuses.
        self.check(
            "link_update(stale old prog)",
            c_call(|| unsafe { bpf_link_update(link.as_raw_fd(), sh.xdp_b, &opts) }),
            &[EPERM],
        );
        let path = sh.env.pin_path(&format!("xdp-{}", self.t));
        self.check(
            "obj_pin(own name)",
            c_call(|| unsafe { bpf_obj_pin(link.as_raw_fd(), path.as_ptr()) }),
            &[],
        );
        if let Some(again) = self.new_fd(
            "obj_get(own pin)",
            c_call(|| unsafe { bpf_obj_get(path.as_ptr()) }),
            &[],
        ) {
            assert_eq!(link_info(again.as_raw_fd()).id(), id, "obj_get: same link");
        }
        // The object API on the pin.
        let obj = unsafe { bpf_link__open(path.as_ptr()) };
        assert!(
            !obj.is_null(),
            "bpf_link__open({path:?}) failed: errno {}",
            errno()
        );
        let fd = unsafe { bpf_link__fd(obj) };
        assert!(fd >= 3 && is_cloexec(fd), "bpf_link__fd = {fd}");
        let pinned = unsafe { CStr::from_ptr(bpf_link__pin_path(obj)) };
        assert_eq!(pinned, path.as_c_str(), "bpf_link__pin_path");
        self.check(
            "bpf_link__unpin",
            c_call(|| unsafe { bpf_link__unpin(obj) }),
            &[],
        );
        // A link from bpf_link__open detaches by closing its own fd only.
        self.check(
            "bpf_link__destroy",
            c_call(|| unsafe { bpf_link__destroy(obj) }),
            &[],
        );
        self.check(
            "link_detach",
            c_call(|| bpf_link_detach(link.as_raw_fd())),
            &[],
        );
        self.check(
            "link_detach(again)",
            c_call(|| bpf_link_detach(link.as_raw_fd())),
            &[ENOLINK],
        );
        let fresh = lu_opts(0, 0);
        self.check(
            "link_update(detached)",
            c_call(|| unsafe { bpf_link_update(link.as_raw_fd(), sh.xdp_a, &fresh) }),
            &[ENOLINK],
        );
    }

    fn cgroup(&mut self) {
        let sh = self.sh;
        let Some(link) = self.new_fd(
            "link_create(cgroup)",
            c_call(|| unsafe { bpf_link_create(sh.cg_a, sh.cgroup, 1, null()) }),
            &[],
        ) else {
            return;
        };
        let id = self.link_id(link.as_raw_fd());
        let opts = lu_opts(BPF_F_REPLACE, sh.cg_a);
        self.check(
            "link_update(cgroup)",
            c_call(|| unsafe { bpf_link_update(link.as_raw_fd(), sh.cg_b, &opts) }),
            &[],
        );
        // One name every thread races for: EEXIST when another holds it.
        let shared = sh.env.pin_path("shared");
        let r = self.check(
            "obj_pin(shared name)",
            c_call(|| unsafe { bpf_obj_pin(link.as_raw_fd(), shared.as_ptr()) }),
            &[EEXIST],
        );
        if let Some(by_id) = self.new_fd(
            "link_get_fd_by_id(own)",
            c_call(|| bpf_link_get_fd_by_id(id)),
            &[],
        ) {
            assert_eq!(link_info(by_id.as_raw_fd()).id(), id);
        }
        if r == 0 {
            // Another thread may have unlinked it already (shared_pin()).
            let r = unsafe { libc::unlink(shared.as_ptr()) };
            let e = errno();
            assert!(r == 0 || e == ENOENT, "unlink(shared): {}", errname(e));
        }
        self.check(
            "link_detach(cgroup)",
            c_call(|| bpf_link_detach(link.as_raw_fd())),
            &[],
        );
    }

    fn iter(&mut self) {
        let sh = self.sh;
        let Some(link) = self.new_fd(
            "link_create(iter)",
            c_call(|| unsafe { bpf_link_create(sh.iter, 0, 28, null()) }),
            &[],
        ) else {
            return;
        };
        self.link_id(link.as_raw_fd());
        if let Some(it) = self.new_fd(
            "iter_create",
            c_call(|| bpf_iter_create(link.as_raw_fd())),
            &[],
        ) {
            let out = read_to_eof(it.as_raw_fd());
            assert!(out.starts_with(b"task...\n"), "iterator output");
        }
    }

    /// Walks link ids while other threads create and close theirs.
    fn ids(&mut self) {
        let mut id = 0u32;
        for _ in 0..20 {
            let mut next = 0u32;
            let r = self.check(
                "link_get_next_id",
                c_call(|| unsafe { bpf_link_get_next_id(id, &mut next) }),
                &[ENOENT],
            );
            if r != 0 {
                break;
            }
            id = next;
            // Released between the two calls: ENOENT. An id another thread
            // is still creating (allocated, not yet settled): EAGAIN.
            let opts = bpf_get_fd_by_id_opts {
                sz: size_of::<bpf_get_fd_by_id_opts>(),
                open_flags: 0,
                token_fd: 0,
            };
            self.new_fd(
                "link_get_fd_by_id_opts(walked)",
                c_call(|| unsafe { bpf_link_get_fd_by_id_opts(id, &opts) }),
                &[ENOENT, EAGAIN],
            );
        }
    }

    /// Opens and removes the shared pin other threads create.
    fn shared_pin(&mut self) {
        let shared = self.sh.env.pin_path("shared");
        let opts = bpf_obj_get_opts {
            sz: size_of::<bpf_obj_get_opts>(),
            file_flags: 0,
            path_fd: 0,
        };
        self.new_fd(
            "obj_get_opts(shared name)",
            c_call(|| unsafe { bpf_obj_get_opts(shared.as_ptr(), &opts) }),
            &[ENOENT],
        );
        self.check("link_detach(-1)", c_call(|| bpf_link_detach(-1)), &[EBADF]);
    }

    fn run(mut self) -> Result<usize, Skip> {
        // A network namespace of this thread's own: its lo takes one XDP
        // link, whatever the other threads do.
        if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
            return Err(Skip(format!("unshare(CLONE_NEWNET): {}", errname(errno()))));
        }
        let mut rng = 0x9e37_79b9_7f4a_7c15u64 ^ (self.t as u64 + 1).wrapping_mul(0x2545_f491);
        let mut done = 0;
        for _ in 0..ITERATIONS {
            if Instant::now() > self.sh.deadline {
                break;
            }
            match xorshift(&mut rng) % 6 {
                0 | 1 => self.xdp(),
                2 => self.cgroup(),
                3 => self.iter(),
                4 => self.ids(),
                _ => self.shared_pin(),
            }
            done += 1;
        }
        self.sh.ids.lock().unwrap().extend(self.ids.drain(..));
        let mut all = self.sh.answers.lock().unwrap();
        for (k, v) in std::mem::take(&mut self.answers) {
            *all.entry(k).or_default() += v;
        }
        Ok(done)
    }
}

fn lu_opts(flags: u32, old_prog_fd: RawFd) -> bpf_link_update_opts {
    let mut o: bpf_link_update_opts = unsafe { std::mem::zeroed() };
    o.sz = size_of::<bpf_link_update_opts>();
    o.flags = flags;
    o.old_prog_fd = old_prog_fd as u32;
    o
}

fn iter_prog() -> Result<OwnedFd, Skip> {
    let btf_id = btf_find(btf_kind::FUNC, "bpf_iter_task")?;
    let insns = iter_task_insns();
    must_load(ProgSpec {
        prog_type: prog_type::TRACING,
        expected_attach_type: attach::TRACE_ITER,
        attach_btf_id: btf_id,
        insns: &insns,
        name: "iter_task",
    })
}

#[test]
fn threads_create_update_pin_detach_close() {
    kernel_test_with_bpffs(|env| {
        let xdp_a = load_trivial(prog_type::XDP, attach::XDP, 0, XDP_PASS, "xdp_a")?;
        let xdp_b = load_trivial(prog_type::XDP, attach::XDP, 0, XDP_PASS, "xdp_b")?;
        let cg_a = load_trivial(
            prog_type::CGROUP_SKB,
            attach::CGROUP_INET_EGRESS,
            0,
            1,
            "cg_a",
        )?;
        let cg_b = load_trivial(
            prog_type::CGROUP_SKB,
            attach::CGROUP_INET_EGRESS,
            0,
            1,
            "cg_b",
        )?;
        let iter = iter_prog()?;
        let cgroup = Cgroup::new()?;
        let before = open_fds();
        let start = Instant::now();
        let shared = Shared {
            env,
            xdp_a: xdp_a.as_raw_fd(),
            xdp_b: xdp_b.as_raw_fd(),
            cg_a: cg_a.as_raw_fd(),
            cg_b: cg_b.as_raw_fd(),
            iter: iter.as_raw_fd(),
            cgroup: cgroup.raw(),
            deadline: start + TIME_LIMIT,
            ids: Mutex::new(Vec::new()),
            answers: Mutex::new(BTreeMap::new()),
        };
        let results: Vec<Result<usize, Skip>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..THREADS)
                .map(|t| {
                    let w = Worker {
                        sh: &shared,
                        t,
                        answers: BTreeMap::new(),
                        ids: Vec::new(),
                    };
                    s.spawn(move || w.run())
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        let mut iterations = 0;
        for r in results {
            iterations += r?;
        }
        let elapsed = start.elapsed();
        println!(
            "{THREADS} threads: {iterations} iterations in {:.1} s",
            elapsed.as_secs_f64()
        );
        for (k, v) in shared.answers.lock().unwrap().iter() {
            println!("  {v:6}  {k}");
        }
        assert!(
            iterations >= THREADS * 20,
            "only {iterations} iterations in {TIME_LIMIT:?}"
        );

        let after = open_fds();
        assert_eq!(
            before, after,
            "fds before and after differ (leak or double close)"
        );
        let ids = shared.ids.lock().unwrap().clone();
        assert!(!ids.is_empty());
        let deadline = Instant::now() + Duration::from_secs(20);
        for id in &ids {
            let r = wait_link_gone(*id);
            assert!(r.is_ok(), "link {id} not released: {r:?}");
            assert!(Instant::now() < deadline, "links released too slowly");
        }
        println!("  all {} links released", ids.len());
        drop(cgroup);
        Ok(())
    });
}

/// The fds open in a program started with fork + execve, among `fds`.
fn open_in_exec_child(fds: &[RawFd]) -> Vec<RawFd> {
    let list: Vec<String> = fds.iter().map(|f| f.to_string()).collect();
    // dash's `[` is a builtin: /proc/self is the shell itself.
    let script = format!(
        "for fd in {}; do [ -e /proc/self/fd/$fd ] && echo $fd; done; exit 0",
        list.join(" ")
    );
    let sh = CString::new("/bin/sh").unwrap();
    let dash_c = CString::new("-c").unwrap();
    let script = CString::new(script).unwrap();
    let argv: [*const c_char; 4] = [sh.as_ptr(), dash_c.as_ptr(), script.as_ptr(), null()];
    let envp: [*const c_char; 1] = [null()];
    let mut pipe = [0; 2];
    assert_eq!(
        unsafe { libc::pipe2(pipe.as_mut_ptr(), libc::O_CLOEXEC) },
        0
    );
    // Everything the child needs is prepared; between fork and execve it
    // only calls async-signal-safe functions.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork: {}", errname(errno()));
    if pid == 0 {
        unsafe {
            libc::dup2(pipe[1], 1);
            libc::execve(sh.as_ptr(), argv.as_ptr(), envp.as_ptr());
            libc::_exit(127);
        }
    }
    unsafe { libc::close(pipe[1]) };
    let out = read_to_eof(pipe[0]);
    unsafe { libc::close(pipe[0]) };
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child status {status:#x}"
    );
    String::from_utf8_lossy(&out)
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect()
}

#[test]
fn fds_are_close_on_exec_across_fork_exec() {
    kernel_test_with_bpffs(|env| {
        let xdp = load_trivial(prog_type::XDP, attach::XDP, 0, XDP_PASS, "xdp_pass")?;
        let rtp = load_trivial(prog_type::RAW_TRACEPOINT, 0, 0, 0, "rawtp")?;
        let iter = iter_prog()?;
        let mut ours: Vec<(&str, OwnedFd)> = Vec::new();
        let mut take = |what: &'static str, (r, e): (c_int, c_int)| -> RawFd {
            assert!(r >= 3, "{what} = {r} (errno {e}: {})", errname(e));
            ours.push((what, own(r, what)));
            r
        };

        let xlink = take(
            "bpf_link_create(xdp)",
            c_call(|| unsafe { bpf_link_create(xdp.as_raw_fd(), 1, 37, null()) }),
        );
        let ilink = take(
            "bpf_link_create(iter)",
            c_call(|| unsafe { bpf_link_create(iter.as_raw_fd(), 0, 28, null()) }),
        );
        take("bpf_iter_create", c_call(|| bpf_iter_create(ilink)));
        let xid = link_info(xlink).id();
        take(
            "bpf_link_get_fd_by_id",
            c_call(|| bpf_link_get_fd_by_id(xid)),
        );
        let id_opts = bpf_get_fd_by_id_opts {
            sz: size_of::<bpf_get_fd_by_id_opts>(),
            open_flags: 0,
            token_fd: 0,
        };
        take(
            "bpf_link_get_fd_by_id_opts",
            c_call(|| unsafe { bpf_link_get_fd_by_id_opts(xid, &id_opts) }),
        );
        let pin = env.pin_path("xdp");
        let (r, e) = c_call(|| unsafe { bpf_obj_pin(xlink, pin.as_ptr()) });
        assert_eq!(r, 0, "bpf_obj_pin: errno {}", errname(e));
        take(
            "bpf_obj_get",
            c_call(|| unsafe { bpf_obj_get(pin.as_ptr()) }),
        );
        let get_opts = bpf_obj_get_opts {
            sz: size_of::<bpf_obj_get_opts>(),
            file_flags: 0,
            path_fd: 0,
        };
        take(
            "bpf_obj_get_opts",
            c_call(|| unsafe { bpf_obj_get_opts(pin.as_ptr(), &get_opts) }),
        );
        take(
            "bpf_raw_tracepoint_open",
            c_call(|| unsafe { bpf_raw_tracepoint_open(c"sys_enter".as_ptr(), rtp.as_raw_fd()) }),
        );
        let mut rt_opts = bpf_raw_tp_opts {
            sz: size_of::<bpf_raw_tp_opts>(),
            tp_name: c"sys_exit".as_ptr(),
            cookie: 7,
        };
        take(
            "bpf_raw_tracepoint_open_opts",
            c_call(|| unsafe { bpf_raw_tracepoint_open_opts(rtp.as_raw_fd(), &mut rt_opts) }),
        );
        let obj = unsafe { bpf_link__open(pin.as_ptr()) };
        assert!(!obj.is_null(), "bpf_link__open: errno {}", errno());
        let obj_fd = unsafe { bpf_link__fd(obj) };

        let mut all: Vec<(&str, RawFd)> = ours.iter().map(|(w, fd)| (*w, fd.as_raw_fd())).collect();
        all.push(("bpf_link__open (bpf_link__fd)", obj_fd));
        for (what, fd) in &all {
            assert!(is_cloexec(*fd), "{what}: fd {fd} lacks FD_CLOEXEC");
        }
        // The control: a dup without FD_CLOEXEC must be seen.
        let control = unsafe { libc::fcntl(xlink, libc::F_DUPFD, 3) };
        assert!(control >= 3);
        let mut fds: Vec<RawFd> = all.iter().map(|(_, fd)| *fd).collect();
        fds.push(control);
        let seen = open_in_exec_child(&fds);
        unsafe { libc::close(control) };
        let leaked: Vec<&(&str, RawFd)> = all.iter().filter(|(_, fd)| seen.contains(fd)).collect();
        assert!(leaked.is_empty(), "fds inherited across exec: {leaked:?}");
        assert_eq!(
            seen,
            vec![control],
            "the child must see the control fd (and only it)"
        );
        assert_eq!(unsafe { bpf_link__destroy(obj) }, 0);
        Ok(())
    });
}
