//! What a perf-event based [`crate::Link`] owns besides its link fd: the
//! perf event fd and, for a legacy tracefs probe, the probe. Dropping it
//! undoes the attach the way libbpf's `bpf_link_perf_detach` does.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use bpflink_core::attach::{self, PerfLinkParts};
use bpflink_core::attach_host::SYS_PROBE;
use bpflink_core::sys;

/// A legacy tracefs probe a [`crate::Link`] removes when dropped.
#[derive(Debug)]
pub(crate) struct OwnedProbe {
    name: Vec<u8>,
    kprobe: bool,
    retprobe: bool,
}

/// What a perf-event based link owns besides its fd.
#[derive(Debug)]
pub(crate) struct PerfOwned {
    /// The perf event fd, unless it is the link's own fd (ioctl attach).
    perf: Option<OwnedFd>,
    legacy: Option<OwnedProbe>,
    /// Set by [`crate::Link::disconnect`]: do not disable the event.
    keep_enabled: bool,
}

impl PerfOwned {
    /// The link fd and what it owns, from the core's successful attach.
    pub(crate) fn from_parts(parts: PerfLinkParts) -> (OwnedFd, PerfOwned) {
        // SAFETY: a fresh fd from the core's successful attach, owned by
        // nobody else from here on.
        let link_fd = unsafe { OwnedFd::from_raw_fd(parts.link_fd) };
        let perf = (parts.perf_fd != parts.link_fd).then(|| {
            // SAFETY: as above (the perf fd the link now owns).
            unsafe { OwnedFd::from_raw_fd(parts.perf_fd) }
        });
        let legacy = parts.legacy.map(|l| OwnedProbe {
            name: l.name.as_bytes().to_vec(),
            kprobe: l.kprobe,
            retprobe: l.retprobe,
        });
        let owned = PerfOwned {
            perf,
            legacy,
            keep_enabled: false,
        };
        (link_fd, owned)
    }

    pub(crate) fn perf_fd(&self) -> Option<BorrowedFd<'_>> {
        self.perf.as_ref().map(AsFd::as_fd)
    }

    /// From now on dropping only closes the perf fd: no disable, no probe
    /// removal.
    pub(crate) fn disconnect(&mut self) {
        self.legacy = None;
        self.keep_enabled = true;
    }
}

impl Drop for PerfOwned {
    /// What libbpf's `bpf_link_perf_detach` does after the link fd (closed
    /// just before, as the link's first field): disable the perf event,
    /// close it, then remove the legacy probe. (Attached by ioctl, the link
    /// fd was the perf fd, and closing it released the event.)
    fn drop(&mut self) {
        if let Some(perf) = self.perf.take() {
            if !self.keep_enabled {
                let _ = sys::perf_ioctl(perf.as_raw_fd(), bpflink_core::perf::IOC_DISABLE, 0);
            }
            drop(perf);
        }
        if let Some(p) = self.legacy.take() {
            let _ = attach::remove_legacy(&SYS_PROBE, &p.name, !p.kprobe, p.retprobe);
        }
    }
}
