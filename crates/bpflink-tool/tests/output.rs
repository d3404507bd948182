//! Output you can trust (docs/tool.md): names from the kernel and the
//! filesystem cannot forge rows or hide text in `bpflink list`/`show`,
//! JSON keeps every byte of them, and a closed pipe ends the tool quietly.
//!
//! Real links in a private network and mount namespace (with a private
//! bpffs): uprobe_multi links on files whose names hold a newline, an ANSI
//! escape and bytes that are not UTF-8, a cgroup link on a cgroup whose
//! name holds an escape and such bytes, pins with such names. Everything
//! made is removed at the end (files, the cgroup, pins; the links close).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::ffi::{OsStr, OsString};
use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use bpflink::{CgroupAttach, Link};
use bpflink_testkit::kernel_test_with_bpffs as runner;
use bpflink_testkit::*;
use serde_json::Value;

fn bpflink<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bpflink"))
        .args(args)
        .output()
        .expect("run bpflink")
}

fn ok<S: AsRef<OsStr>>(args: &[S]) -> Vec<u8> {
    let o = bpflink(args);
    assert!(
        o.status.success(),
        "bpflink failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

fn json<S: AsRef<OsStr>>(args: &[S]) -> Value {
    serde_json::from_slice(&ok(args)).expect("bpflink's JSON parses")
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// No byte that moves the cursor, starts an escape or ends a line early.
fn assert_no_controls(what: &str, out: &[u8]) {
    for line in out.split(|&b| b == b'\n') {
        assert!(
            !line.iter().any(|&b| b < 0x20 && b != b'\t' || b == 0x7f),
            "{what}: a control byte in {:?}",
            String::from_utf8_lossy(line)
        );
        assert!(
            std::str::from_utf8(line).is_ok(),
            "{what}: not UTF-8: {line:?}"
        );
    }
}

/// A directory removed (with what is in it) at the end.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A cgroup directory with a name of our choosing, removed at the end.
struct NamedCgroup {
    path: PathBuf,
    fd: OwnedFd,
}

impl NamedCgroup {
    fn new(name: &[u8]) -> Result<NamedCgroup, Skip> {
        let root = bpflink::cgroup2_root().ok_or_else(|| Skip("no cgroup2 mount".into()))?;
        let path = root.join(OsStr::from_bytes(name));
        std::fs::create_dir(&path).map_err(|e| Skip(format!("mkdir {path:?}: {e}")))?;
        let fd = std::fs::File::open(&path).unwrap().into();
        Ok(NamedCgroup { path, fd })
    }
}

impl Drop for NamedCgroup {
    fn drop(&mut self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while std::fs::remove_dir(&self.path).is_err() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

fn object_of(list: &Value, id: u32) -> &Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == id)
        .unwrap_or_else(|| panic!("link {id} not listed"))
}

/// The forging file name of the issue: a newline that starts a fake row,
/// and `ESC [2J` (clear screen) that would hide what came before.
const EVIL: &[u8] = b"bpflink-evil\n99999 xdp 1 forged-row\x1b[2J";
const NOT_UTF8: &[u8] = b"bpflink-\xff\xfe-latin1-\xe9";

#[test]
fn names_cannot_forge_rows_and_json_keeps_their_bytes() {
    runner(|env| {
        let dir = TempDir(std::env::temp_dir().join(unique_name()));
        std::fs::create_dir(&dir.0).unwrap();
        let evil = dir.0.join(OsStr::from_bytes(EVIL));
        let latin = dir.0.join(OsStr::from_bytes(NOT_UTF8));
        for f in [&evil, &latin] {
            std::fs::write(f, [0u8; 4096]).unwrap();
        }
        let ump = load_trivial(2, 48, 0, 0, "out_umulti")?;
        let offs = [0u64];
        let l_evil = Link::uprobe_multi(ump.as_fd(), &evil, &offs)
            .create()
            .unwrap();
        let l_latin = Link::uprobe_multi(ump.as_fd(), &latin, &offs)
            .create()
            .unwrap();
        let cg_name = [&unique_name().into_bytes()[..], b"-\x1b[31mred\xff"].concat();
        let cg = NamedCgroup::new(&cg_name)?;
        let cgp = load_trivial(8, 1, 0, 1, "out_cg")?;
        let l_cg = Link::cgroup(cgp.as_fd(), cg.fd.as_fd(), CgroupAttach::InetEgress)
            .create()
            .unwrap();
        // Pins with such names too.
        let bpffs = env.bpffs.as_ref().unwrap();
        let pin_evil = bpffs.join(OsStr::from_bytes(b"pin\n1 forged\x1b[2J"));
        let pin_latin = bpffs.join(OsStr::from_bytes(b"pin-\xff"));
        l_evil.pin(&pin_evil).unwrap();
        l_evil.pin(&pin_latin).unwrap();
        let (id_evil, id_latin, id_cg) = (
            l_evil.id().unwrap(),
            l_latin.id().unwrap(),
            l_cg.id().unwrap(),
        );

        // --- text: one line per link, names escaped.
        let table = ok(&["list", "--bpffs"]);
        assert_no_controls("list", &table);
        let table = String::from_utf8(table).unwrap();
        assert!(
            !table.lines().any(|l| l.starts_with("99999 ")),
            "a forged row:\n{table}"
        );
        let row = |id: u32| {
            table
                .lines()
                .find(|l| l.starts_with(&format!("{id} ")))
                .unwrap_or_else(|| panic!("no row for {id}:\n{table}"))
                .to_owned()
        };
        assert!(
            row(id_evil).ends_with(&format!(
                "uprobe_multi {}/bpflink-evil\\n99999 xdp 1 forged-row\\x1b[2J (1 offsets)",
                dir.0.display()
            )),
            "{}",
            row(id_evil)
        );
        assert!(
            row(id_latin).contains("/bpflink-\\xff\\xfe-latin1-\\xe9 (1 offsets)"),
            "{}",
            row(id_latin)
        );
        assert!(row(id_cg).contains("-\\x1b[31mred\\xff"), "{}", row(id_cg));
        assert!(table.contains("    pinned "), "{table}");
        assert!(table.contains("/pin\\n1 forged\\x1b[2J\n"), "{table}");
        assert!(table.contains("/pin-\\xff\n"), "{table}");

        let shown = ok(&["show", &id_evil.to_string(), "-f"]);
        assert_no_controls("show", &shown);
        let shown = String::from_utf8(shown).unwrap();
        assert!(
            shown.contains("forged-row\\x1b[2J\n") && !shown.contains("\n99999"),
            "{shown}"
        );

        // --- JSON: the exact names; bytes that are not UTF-8 in `_hex`.
        let list = json(&["list", "--json", "--bpffs"]);
        let o = object_of(&list, id_evil);
        assert_eq!(
            o["path"].as_str().unwrap().as_bytes(),
            evil.as_os_str().as_bytes()
        );
        assert!(o.get("path_hex").is_none(), "UTF-8 needs no hex: {o}");
        // The summary is the escaped text.
        assert!(o["target"].as_str().unwrap().contains("\\x1b[2J"), "{o}");
        let pins = o["pinned"].as_array().unwrap();
        assert_eq!(pins.len(), 2, "{o}");
        let hexes = o["pinned_hex"].as_array().unwrap();
        let mut got: Vec<Vec<u8>> = hexes.iter().map(|h| unhex(h.as_str().unwrap())).collect();
        got.sort();
        let mut want = vec![
            pin_evil.as_os_str().as_bytes().to_vec(),
            pin_latin.as_os_str().as_bytes().to_vec(),
        ];
        want.sort();
        assert_eq!(got, want);

        let o = object_of(&list, id_latin);
        let path_hex = unhex(o["path_hex"].as_str().unwrap());
        assert_eq!(path_hex, latin.as_os_str().as_bytes());
        assert_eq!(
            o["path"].as_str().unwrap(),
            String::from_utf8_lossy(latin.as_os_str().as_bytes())
        );
        // Recoverable: the path the hex gives opens the same file.
        let back = PathBuf::from(OsString::from_vec(path_hex));
        assert!(back.is_file());

        let o = object_of(&list, id_cg);
        assert_eq!(
            unhex(o["cgroup_path_hex"].as_str().unwrap()),
            cg.path.as_os_str().as_bytes()
        );
        let pretty: Value =
            serde_json::from_slice(&ok(&["show", &id_cg.to_string(), "--pretty"])).unwrap();
        assert_eq!(pretty["cgroup_path_hex"], o["cgroup_path_hex"]);

        // --- stderr: a path named on the command line is escaped too.
        let o = bpflink(&[OsStr::new("show"), evil.as_os_str()]);
        assert_eq!(o.status.code(), Some(1));
        assert_no_controls("show's error", &o.stderr);
        let err = String::from_utf8(o.stderr).unwrap();
        assert!(err.contains("forged-row\\x1b[2J"), "{err}");

        for p in [&pin_evil, &pin_latin] {
            std::fs::remove_file(p).unwrap();
        }
        drop((l_evil, l_latin, l_cg));
        Ok(())
    });
}

/// `pipe2(O_CLOEXEC)` with the read end already closed: every write to the
/// write end fails with EPIPE.
fn closed_pipe() -> OwnedFd {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two fds pipe2 writes.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    // SAFETY: both were just opened and are owned here.
    let (r, w) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(r);
    w
}

fn into_closed_pipe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bpflink"))
        .args(args)
        .stdout(Stdio::from(closed_pipe()))
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

/// `bpflink list | head -0`: no panic, no message, exit 141 (what a shell
/// shows for a command SIGPIPE killed), not killed by a signal.
#[test]
fn a_closed_pipe_ends_the_tool_quietly() {
    use std::os::unix::process::ExitStatusExt;
    // No kernel needed for the help.
    for args in [
        &["--help"][..],
        &["list", "--help"][..],
        &["help", "show"][..],
        &["version"][..],
    ] {
        let o = into_closed_pipe(args);
        assert_eq!(o.status.code(), Some(141), "{args:?}: {:?}", o.status);
        assert_eq!(o.status.signal(), None);
        assert!(
            o.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    runner(|_env| {
        let p = load_trivial(6, 37, 0, XDP_PASS, "out_xdp_pipe")?;
        let link = Link::xdp(p.as_fd(), 1).create().unwrap();
        let id = link.id().unwrap().to_string();
        for args in [
            &["list"][..],
            &["list", "--json"][..],
            &["list", "--pretty", "--bpffs"][..],
            &["show", &id][..],
            &["completions", "bash"][..],
        ] {
            let o = into_closed_pipe(args);
            assert_eq!(o.status.code(), Some(141), "{args:?}: {:?}", o.status);
            assert!(
                o.stderr.is_empty(),
                "{args:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        // And through a real shell pipeline, as a user types it (the tool
        // may also finish writing before `head` exits: then status 0).
        let o = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "'{}' list --pretty | head -c 0; echo \"status ${{PIPESTATUS[0]}}\"",
                env!("CARGO_BIN_EXE_bpflink")
            ))
            .output()
            .unwrap();
        let (out, err) = (
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
        );
        assert!(["status 141", "status 0"].contains(&out.trim()), "{out}");
        assert!(err.is_empty(), "{err}");
        Ok(())
    });
}
