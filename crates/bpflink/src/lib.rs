//! bpflink: BPF links from safe Rust. Owned links, typed builders per
//! attach kind, typed link info, the system's links by id.
//!
//! This is the second face of the implementation behind `libbpflink`, the
//! C-ABI replacement for libbpf's link API: every builder fills the C-layout
//! `struct bpf_link_create_opts` a C caller would pass and runs it through
//! the same core function libbpflink's `bpf_link_create` runs, against the
//! real kernel, so both faces send the kernel the same bytes. Updates,
//! detach, pinning, info and id walks likewise share the core.
//!
//! It is plain Rust: no C symbols, no build script, nothing that could clash
//! with `libbpf-sys` (libbpf-rs) in the same program. No `unsafe` is needed
//! to use it, and nothing safe can make the kernel write into memory the
//! caller did not hand over or close an fd it does not own (a [`Link`]
//! owns its fd; everything else is borrowed as `BorrowedFd`).
//!
//! ```no_run
//! use std::os::fd::AsFd;
//! use bpflink::{ifindex, Anchor, TcxDirection};
//! use bpflink::{Link, LinkInfo};
//! # fn load_tc_prog() -> std::os::fd::OwnedFd { unimplemented!() }
//! // A program loaded elsewhere (libbpf, aya, …), as an fd.
//! let prog = load_tc_prog();
//! let lo = ifindex("lo")?;
//!
//! // tcx ingress on lo, placed first.
//! let first = Link::tcx(prog.as_fd(), lo, TcxDirection::Ingress)
//!     .first()
//!     .create()?;
//! // A second one right after it.
//! let second = Link::tcx(prog.as_fd(), lo, TcxDirection::Ingress)
//!     .after(Anchor::Link(first.as_fd()))
//!     .create()?;
//!
//! match second.info()?.details {
//!     LinkInfo::Tcx { ifindex, attach_type } => {
//!         println!("tcx on {ifindex} ({attach_type})")
//!     }
//!     other => println!("unexpected: {other:?}"),
//! }
//!
//! // Keep it after we exit: pin it on bpffs.
//! second.pin("/sys/fs/bpf/my_tcx")?;
//! // Everything on the system:
//! for link in Link::iter_all() {
//!     let info = link?.info()?;
//!     println!("{} {} prog {}", info.id, info.link_type, info.prog_id);
//! }
//! # Ok::<(), bpflink::Error>(())
//! ```
//!
//! Errors carry the errno, the operation and an explanation:
//!
//! ```no_run
//! # use bpflink::Link;
//! match Link::from_id(12345) {
//!     Ok(link) => drop(link),
//!     // "open link by id: No such file or directory (ENOENT): no object
//!     //  with this id (it may have just been released)"
//!     Err(e) => eprintln!("{e}"),
//! }
//! ```

//! The kernel's door is not part of this API: the only way to reach it is
//! through the builders and methods here.
//!
//! ```compile_fail
//! // A safe call that lets the kernel write where it pleases does not exist.
//! let mut attr = [0u8; 16];
//! bpflink::sys::SYS.bpf(15, &mut attr);
//! ```

mod attach;
mod error;
mod info;
mod link;
mod opts;
mod perf_owned;
mod probe;
mod resolve;
mod types;

#[cfg(test)]
mod tests;

pub use attach::{
    Anchor, CgroupLink, FreplaceLink, IterLink, IterTarget, KprobeMultiLink, KprobeTargets,
    NetfilterLink, NetkitLink, NetnsLink, PerfEventLink, Position, ProbeMode, RawTracepointLink,
    SockmapLink, StructOpsLink, TcxLink, TracingLink, UprobeMultiLink, XdpLink,
};
pub use error::{Error, Op, Result};

/// Flag bits the kernel reports in link info ([`LinkInfo::KprobeMulti`],
/// [`LinkInfo::UprobeMulti`] and [`LinkInfo::Netfilter`] `flags`).
pub mod flags {
    pub use bpflink_core::uapi::flags::{
        BPF_F_KPROBE_MULTI_RETURN, BPF_F_NETFILTER_IP_DEFRAG, BPF_F_UPROBE_MULTI_RETURN,
    };
}
pub use info::{Info, IterInfo, LinkInfo, PerfEventInfo};
pub use link::{Link, LinkIter, Prog, ProgInfo, prog_info};
pub use probe::{
    KprobeLink, TracepointLink, UprobeLink, UprobeMultiByName, parse_uprobe_target, resolve_binary,
};
pub use resolve::{bpffs_mounts, cgroup_path, cgroup2_root, current_netns_ino, ifindex, ifname};
pub use types::{
    AttachType, CgroupAttach, CgroupIterOrder, LinkType, NetkitAttach, NetnsAttach, NfHook,
    NfProto, ProgType, SockmapAttach, TcxDirection, TracingAttach, XdpMode,
};
