//! The safe Rust API: owned links, typed builders, typed link info.
//!
//! This is the second face of the same implementation: every builder fills
//! the C-layout `struct bpf_link_create_opts` a C caller would pass and runs
//! it through the core function the C `bpf_link_create` runs
//! (`core::link_create::link_create`), against the real kernel
//! (`sys::SYS`). Updates, detach, pinning, info and id walks likewise go
//! through `core::calls`. No `unsafe` is needed to use it.
//!
//! ```no_run
//! use std::os::fd::AsFd;
//! use bpflink::api::{ifindex, Anchor, TcxDirection};
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

mod attach;
mod error;
mod info;
mod link;
mod opts;
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
pub use info::{Info, IterInfo, LinkInfo, PerfEventInfo};
pub use link::{Link, LinkIter, Prog, ProgInfo, prog_info};
pub use resolve::{cgroup_path, cgroup2_root, current_netns_ino, ifindex, ifname};
pub use types::{
    AttachType, CgroupAttach, CgroupIterOrder, LinkType, NetkitAttach, NetnsAttach, NfHook,
    NfProto, ProgType, SockmapAttach, TcxDirection, TracingAttach, XdpMode,
};
