//! The explanations of `Link::open_pinned` and `Link::pin` failures say
//! what is wrong with the path, against the real kernel: `BPF_OBJ_GET`
//! answers `EACCES` for anything that is not a pinned object, which is not
//! a privilege problem when the caller is root.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use bpflink::{Link, Op};
use bpflink_testkit::*;

fn open_err(path: &std::path::Path) -> bpflink::Error {
    Link::open_pinned(path).expect_err("not a pinned link")
}

#[test]
fn opening_what_is_no_pin_explains_the_path() {
    kernel_test_with_bpffs(|env| {
        let bpffs = env.bpffs.as_ref().unwrap();
        let tmp = std::env::temp_dir();
        let tmp_dir = tmp.canonicalize().unwrap();
        for (path, errno, says) in [
            // A file and a directory elsewhere than on bpffs.
            (
                std::path::PathBuf::from("/proc/self/status"),
                libc::EACCES,
                "/proc/self/status is on proc, not bpffs".to_owned(),
            ),
            (
                tmp_dir.clone(),
                libc::EACCES,
                format!("{} is on ", tmp_dir.display()),
            ),
            // The bpffs mount itself: a directory, not a pin.
            (
                bpffs.clone(),
                libc::EACCES,
                format!("{} is a directory, not a pinned object", bpffs.display()),
            ),
            // Missing, on bpffs.
            (
                bpffs.join("nothing-here"),
                libc::ENOENT,
                format!(
                    "nothing is pinned at {}",
                    bpffs.join("nothing-here").display()
                ),
            ),
        ] {
            let e = open_err(&path);
            assert_eq!((e.op(), e.errno()), (Op::OpenPinned, errno), "{e}");
            let text = e.to_string();
            assert!(text.contains(&says), "{}: {text}", path.display());
            assert!(!text.contains("need root"), "{text}");
        }
        // The tmp directory's message names where bpffs is mounted.
        let text = open_err(&tmp_dir).to_string();
        assert!(text.contains(", not bpffs: "), "{text}");
        assert!(
            text.contains("BPF objects are pinned on bpffs, mounted at "),
            "{text}"
        );
        Ok(())
    });
}
