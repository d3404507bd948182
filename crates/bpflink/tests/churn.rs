//! `Link::iter_all` while another process creates and closes links.
//!
//! Between reserving a new link's id and handing the link to its creator
//! the kernel answers `BPF_LINK_GET_FD_BY_ID` with `EAGAIN`; a walk over
//! all links that meets such an id must neither fail nor report a
//! half-made link (docs/tool.md, "Links being created"). The other process
//! is this test binary run again as a helper (bpflink-testkit's
//! [`Helper`]) in private network and mount namespaces; it creates and
//! closes tcx links on its own `lo` (each attach keeps an id in that state
//! for an RCU grace period) and is killed at the end (its links and its
//! namespace die with it). A [`WalkSampler`] shows that plain walks meet
//! the window meanwhile.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::{Duration, Instant};

use bpflink::Link;
use bpflink_testkit::*;

#[test]
#[ignore = "a helper process, started by iter_all_copes_with_links_being_created"]
fn link_churn_helper() {
    if is_helper("link_churn_helper") {
        churn_tcx_links();
    }
}

#[test]
fn iter_all_copes_with_links_being_created() {
    kernel_test(Iso::default(), |_env| {
        let churn = Helper::start("link_churn_helper")?;
        let sampler = WalkSampler::start();
        let deadline = Instant::now() + Duration::from_secs(20);
        let (mut walks, mut links, mut given_up) = (0, 0, Vec::new());
        // At least 400 walks and 2 s, and on until the plain walks have
        // met 50 links being created (bounded: 20 s).
        let start = Instant::now();
        while (walks < 400 || start.elapsed() < Duration::from_secs(2) || sampler.met() < 50)
            && Instant::now() < deadline
        {
            for link in Link::iter_all() {
                match link {
                    Ok(_) => links += 1,
                    Err(e) if e.errno() == libc::EAGAIN => {
                        assert!(e.link_id().is_some(), "{e}");
                        given_up.push(e.to_string());
                    }
                    Err(e) => panic!("walk {walks}: {e}"),
                }
            }
            walks += 1;
        }
        let (samples, met) = sampler.stop();
        drop(churn);
        println!(
            "{walks} walks of Link::iter_all, {links} links opened, {} given up; \
                 {met} of {samples} plain walks meanwhile met a link being created",
            given_up.len()
        );
        assert!(walks >= 400, "only {walks} walks in 20 s");
        assert!(
            met >= 50,
            "the churn left links half-made too seldom for this test to prove anything"
        );
        assert!(given_up.is_empty(), "{given_up:?}");
        Ok(())
    });
}
