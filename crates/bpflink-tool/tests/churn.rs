//! `bpflink list` while another process creates and closes links: every
//! run succeeds (docs/tool.md, "Links being created").
//!
//! A link whose id the kernel has reserved but not yet handed to its
//! creator answers `EAGAIN`; bpftool 7.1 fails the whole listing on it
//! ("can't get link by id (N): Resource temporarily unavailable"), and so
//! did bpflink. The other process is this test binary run again as a
//! helper (bpflink-testkit's [`Helper`]) in private network and mount
//! namespaces, creating and closing tcx links on its own `lo`; it is killed
//! at the end, and its links and namespace go with it. A [`WalkSampler`]
//! shows that plain walks meet the window meanwhile.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::Command;
use std::time::{Duration, Instant};

use bpflink_testkit::*;

#[test]
#[ignore = "a helper process, started by list_copes_with_links_being_created"]
fn link_churn_helper() {
    if is_helper("link_churn_helper") {
        churn_tcx_links();
    }
}

#[test]
fn list_copes_with_links_being_created() {
    kernel_test(Iso::default(), |_env| {
        let churn = Helper::start("link_churn_helper")?;
        let sampler = WalkSampler::start();
        let deadline = Instant::now() + Duration::from_secs(30);
        let (mut runs, mut failures) = (0, Vec::new());
        // At least 200 runs, and on until the plain walks have met 50
        // links being created (bounded: 30 s).
        while (runs < 200 || sampler.met() < 50) && Instant::now() < deadline {
            let args: &[&str] = if runs % 2 == 0 {
                &["list"]
            } else {
                &["list", "--json"]
            };
            let o = Command::new(env!("CARGO_BIN_EXE_bpflink"))
                .args(args)
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&o.stderr).into_owned();
            if !o.status.success() || !err.is_empty() {
                failures.push(format!("run {runs}: {:?}: {err}", o.status));
            }
            runs += 1;
        }
        let (samples, met) = sampler.stop();
        drop(churn);
        println!(
            "{runs} runs of bpflink list, {} failed or warned; {met} of {samples} plain \
                 walks meanwhile met a link being created",
            failures.len()
        );
        assert!(runs >= 200, "only {runs} runs in 30 s");
        assert!(
            met >= 50,
            "the churn left links half-made too seldom for this test to prove anything"
        );
        assert!(failures.is_empty(), "{failures:#?}");
        Ok(())
    });
}
