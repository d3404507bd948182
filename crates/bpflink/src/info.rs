//! `struct bpf_link_info` decoded into a typed enum.
//!
//! The kernel is asked twice when the link's info has pointer-valued
//! members (tracepoint and iterator names, uprobe paths and offsets): the
//! first call reports the lengths, the second passes buffers of that size.
#![deny(unsafe_code)]

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

use super::error::{Error, Op, Result};
use super::types::{AttachType, LinkType, NfHook, NfProto};
use bpflink_core::info::{self as ci, link as off, perf_event_type as pet};
use bpflink_core::kernel::Kernel;

/// What every link reports, plus the per-kind part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info {
    /// The link's id (system-wide, stable while the link lives).
    pub id: u32,
    /// The id of the program it runs (0 for struct_ops).
    pub prog_id: u32,
    /// The raw link type (also implied by [`Info::details`]).
    pub link_type: LinkType,
    /// The per-kind information.
    pub details: LinkInfo,
}

impl Info {
    /// The attach type, for the kinds whose info carries one.
    pub fn attach_type(&self) -> Option<AttachType> {
        self.details.attach_type()
    }
}

/// The per-kind part of `struct bpf_link_info` (libbpf 1.7.0's UAPI).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkInfo {
    /// `BPF_LINK_TYPE_RAW_TRACEPOINT` (raw_tp and tp_btf).
    RawTracepoint { tp_name: String, cookie: u64 },
    /// `BPF_LINK_TYPE_TRACING` (fentry, fexit, fmod_ret, lsm, freplace).
    Tracing {
        attach_type: AttachType,
        /// prog id for freplace, otherwise the BTF object id.
        target_obj_id: u32,
        target_btf_id: u32,
        cookie: u64,
    },
    /// `BPF_LINK_TYPE_CGROUP`. `cgroup_id` is 0 after detach.
    Cgroup {
        cgroup_id: u64,
        attach_type: AttachType,
    },
    /// `BPF_LINK_TYPE_ITER`.
    Iter {
        target_name: String,
        target: IterInfo,
    },
    /// `BPF_LINK_TYPE_NETNS`. `netns_ino` is 0 after detach.
    Netns {
        netns_ino: u32,
        attach_type: AttachType,
    },
    /// `BPF_LINK_TYPE_XDP`. `ifindex` is 0 after detach.
    Xdp { ifindex: u32 },
    /// `BPF_LINK_TYPE_PERF_EVENT`.
    PerfEvent(PerfEventInfo),
    /// `BPF_LINK_TYPE_KPROBE_MULTI` (addresses are not fetched).
    KprobeMulti { count: u32, flags: u32, missed: u64 },
    /// `BPF_LINK_TYPE_STRUCT_OPS`.
    StructOps { map_id: u32 },
    /// `BPF_LINK_TYPE_NETFILTER` (raw numbers; see [`LinkInfo::netfilter_names`]).
    Netfilter {
        pf: u32,
        hooknum: u32,
        priority: i32,
        flags: u32,
    },
    /// `BPF_LINK_TYPE_TCX`. `ifindex` is 0 after detach.
    Tcx {
        ifindex: u32,
        attach_type: AttachType,
    },
    /// `BPF_LINK_TYPE_UPROBE_MULTI`.
    UprobeMulti {
        /// The probed file, as the kernel prints it (`d_path`): the bytes
        /// as they are (a file name need not be UTF-8).
        path: PathBuf,
        offsets: Vec<u64>,
        ref_ctr_offsets: Vec<u64>,
        cookies: Vec<u64>,
        /// `BPF_F_UPROBE_MULTI_RETURN` for return probes.
        flags: u32,
        /// The pid filter, in the caller's pid namespace (0: none).
        pid: u32,
    },
    /// `BPF_LINK_TYPE_NETKIT`.
    Netkit {
        ifindex: u32,
        attach_type: AttachType,
    },
    /// `BPF_LINK_TYPE_SOCKMAP`.
    Sockmap {
        map_id: u32,
        attach_type: AttachType,
    },
    /// A link type this library does not decode.
    Unknown { link_type: u32 },
}

/// The target-specific part of an iterator link's info.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IterInfo {
    /// Nothing specific (or a target this library does not decode).
    None,
    /// Map element iterators (`bpf_map_elem`, `bpf_sk_storage_map`).
    Map { map_id: u32 },
    /// Task iterators (`task`, `task_file`, `task_vma`): 0 = all.
    Task { tid: u32, pid: u32 },
    /// Cgroup iterator.
    Cgroup { cgroup_id: u64, order: u32 },
}

/// The perf-event part of a perf_event link's info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PerfEventInfo {
    Uprobe {
        retprobe: bool,
        /// The probed file as given when the probe was made (bytes as
        /// they are).
        file_name: PathBuf,
        offset: u32,
        cookie: u64,
        ref_ctr_offset: u64,
    },
    Kprobe {
        retprobe: bool,
        func_name: String,
        offset: u32,
        addr: u64,
        missed: u64,
        cookie: u64,
    },
    Tracepoint {
        tp_name: String,
        cookie: u64,
    },
    /// A hardware/software/raw perf event.
    Event {
        config: u64,
        event_type: u32,
        cookie: u64,
    },
    Unknown {
        perf_event_type: u32,
    },
}

impl LinkInfo {
    /// The attach type, for the kinds whose info carries one.
    pub fn attach_type(&self) -> Option<AttachType> {
        match *self {
            LinkInfo::Tracing { attach_type, .. }
            | LinkInfo::Cgroup { attach_type, .. }
            | LinkInfo::Netns { attach_type, .. }
            | LinkInfo::Tcx { attach_type, .. }
            | LinkInfo::Netkit { attach_type, .. }
            | LinkInfo::Sockmap { attach_type, .. } => Some(attach_type),
            _ => None,
        }
    }

    /// The network interface, for xdp, tcx and netkit links.
    pub fn ifindex(&self) -> Option<u32> {
        match *self {
            LinkInfo::Xdp { ifindex }
            | LinkInfo::Tcx { ifindex, .. }
            | LinkInfo::Netkit { ifindex, .. } => Some(ifindex),
            _ => None,
        }
    }

    /// Netfilter's pf and hook as names (`"ipv4"`, `"input"`), if known.
    pub fn netfilter_names(&self) -> Option<(Option<NfProto>, Option<NfHook>)> {
        match *self {
            LinkInfo::Netfilter { pf, hooknum, .. } => {
                Some((NfProto::from_value(pf), NfHook::from_value(hooknum)))
            }
            _ => None,
        }
    }
}

// ------------------------------------------------------------- decoding

type Raw = [u8; off::SIZE];

fn u32_at(b: &[u8], o: usize) -> u32 {
    let mut a = [0u8; 4];
    if let Some(s) = b.get(o..o + 4) {
        a.copy_from_slice(s);
    }
    u32::from_ne_bytes(a)
}

fn u64_at(b: &[u8], o: usize) -> u64 {
    let mut a = [0u8; 8];
    if let Some(s) = b.get(o..o + 8) {
        a.copy_from_slice(s);
    }
    u64::from_ne_bytes(a)
}

fn put_u32(b: &mut [u8], o: usize, v: u32) {
    if let Some(d) = b.get_mut(o..o + 4) {
        d.copy_from_slice(&v.to_ne_bytes());
    }
}

fn put_u64(b: &mut [u8], o: usize, v: u64) {
    if let Some(d) = b.get_mut(o..o + 8) {
        d.copy_from_slice(&v.to_ne_bytes());
    }
}

/// The bytes of a C string in a buffer the kernel filled.
fn c_bytes(b: &[u8]) -> &[u8] {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    b.get(..end).unwrap_or(b)
}

/// A C string the kernel filled, as text (names the kernel restricts:
/// tracepoints, iterator targets, functions).
fn c_string(b: &[u8]) -> String {
    String::from_utf8_lossy(c_bytes(b)).into_owned()
}

/// A C string the kernel filled, as a path (any bytes but NUL).
fn c_path(b: &[u8]) -> PathBuf {
    PathBuf::from(OsString::from_vec(c_bytes(b).to_vec()))
}

/// Buffers for the second info call.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Extra {
    /// The one string member (tp_name, target_name, file_name, path…).
    pub(crate) name: Vec<u8>,
    /// uprobe_multi arrays (one u64 per probe).
    pub(crate) offsets: Vec<u64>,
    pub(crate) ref_ctr_offsets: Vec<u64>,
    pub(crate) cookies: Vec<u64>,
}

/// Where the one string member and its length live, by link type (and perf
/// event type): `(pointer offset, length offset)`.
fn name_slot(raw: &Raw) -> Option<(usize, usize)> {
    match LinkType(u32_at(raw, off::TYPE)) {
        LinkType::RAW_TRACEPOINT => Some((off::RAW_TP_NAME, off::RAW_TP_NAME_LEN)),
        LinkType::ITER => Some((off::ITER_TARGET_NAME, off::ITER_TARGET_NAME_LEN)),
        LinkType::PERF_EVENT => match u32_at(raw, off::PERF_TYPE) {
            pet::UPROBE | pet::URETPROBE => {
                Some((off::PERF_UPROBE_FILE_NAME, off::PERF_UPROBE_NAME_LEN))
            }
            pet::KPROBE | pet::KRETPROBE => {
                Some((off::PERF_KPROBE_FUNC_NAME, off::PERF_KPROBE_NAME_LEN))
            }
            pet::TRACEPOINT => Some((off::PERF_TP_NAME, off::PERF_TP_NAME_LEN)),
            _ => None,
        },
        LinkType::UPROBE_MULTI => Some((off::UMULTI_PATH, off::UMULTI_PATH_SIZE)),
        _ => None,
    }
}

/// Longest name we ask for when the kernel did not report a length.
const PATH_MAX: usize = 4096;

/// From the first answer: the buffers a second call needs (`None`: the
/// first answer is complete).
pub(crate) fn plan(raw: &Raw) -> Option<Extra> {
    let (_, len_off) = name_slot(raw)?;
    let len = u32_at(raw, len_off) as usize;
    let mut extra = Extra {
        name: vec![
            0;
            if len == 0 {
                PATH_MAX
            } else {
                len.min(PATH_MAX)
            }
        ],
        ..Extra::default()
    };
    if LinkType(u32_at(raw, off::TYPE)) == LinkType::UPROBE_MULTI {
        let n = (u32_at(raw, off::UMULTI_COUNT) as usize).min(1 << 20);
        extra.offsets = vec![0; n];
        extra.ref_ctr_offsets = vec![0; n];
        extra.cookies = vec![0; n];
    }
    Some(extra)
}

/// The request of the second call: a zeroed info with the pointer members
/// set to `extra`'s buffers (and, for perf events, the event type kept, as
/// the kernel does not need it but it documents the arm used).
pub(crate) fn arm(first: &Raw, extra: &mut Extra) -> Raw {
    let mut req = [0u8; off::SIZE];
    if let Some((ptr_off, len_off)) = name_slot(first) {
        put_u64(&mut req, ptr_off, extra.name.as_mut_ptr() as usize as u64);
        put_u32(
            &mut req,
            len_off,
            u32::try_from(extra.name.len()).unwrap_or(u32::MAX),
        );
    }
    if LinkType(u32_at(first, off::TYPE)) == LinkType::UPROBE_MULTI && !extra.offsets.is_empty() {
        let n = u32::try_from(extra.offsets.len()).unwrap_or(0);
        put_u64(
            &mut req,
            off::UMULTI_OFFSETS,
            extra.offsets.as_mut_ptr() as usize as u64,
        );
        put_u64(
            &mut req,
            off::UMULTI_REF_CTR_OFFSETS,
            extra.ref_ctr_offsets.as_mut_ptr() as usize as u64,
        );
        put_u64(
            &mut req,
            off::UMULTI_COOKIES,
            extra.cookies.as_mut_ptr() as usize as u64,
        );
        put_u32(&mut req, off::UMULTI_COUNT, n);
    }
    req
}

/// Decodes an answer (`extra`: the buffers of the second call, if any).
pub(crate) fn decode(raw: &Raw, extra: Option<&Extra>) -> Info {
    let name = || extra.map(|e| c_string(&e.name)).unwrap_or_default();
    let path = || extra.map(|e| c_path(&e.name)).unwrap_or_default();
    let at = |o| AttachType(u32_at(raw, o));
    let link_type = LinkType(u32_at(raw, off::TYPE));
    let details = match link_type {
        LinkType::RAW_TRACEPOINT => LinkInfo::RawTracepoint {
            tp_name: name(),
            cookie: u64_at(raw, off::RAW_TP_COOKIE),
        },
        LinkType::TRACING => LinkInfo::Tracing {
            attach_type: at(off::TRACING_ATTACH_TYPE),
            target_obj_id: u32_at(raw, off::TRACING_TARGET_OBJ_ID),
            target_btf_id: u32_at(raw, off::TRACING_TARGET_BTF_ID),
            cookie: u64_at(raw, off::TRACING_COOKIE),
        },
        LinkType::CGROUP => LinkInfo::Cgroup {
            cgroup_id: u64_at(raw, off::CGROUP_ID),
            attach_type: at(off::CGROUP_ATTACH_TYPE),
        },
        LinkType::ITER => {
            let target_name = name();
            // bpftool decides the same way, by target name.
            let target = match target_name.as_str() {
                "bpf_map_elem" | "bpf_sk_storage_map" => IterInfo::Map {
                    map_id: u32_at(raw, off::ITER_MAP_ID),
                },
                "task" | "task_file" | "task_vma" => IterInfo::Task {
                    tid: u32_at(raw, off::ITER_TASK_TID),
                    pid: u32_at(raw, off::ITER_TASK_PID),
                },
                "cgroup" => IterInfo::Cgroup {
                    cgroup_id: u64_at(raw, off::ITER_CGROUP_ID),
                    order: u32_at(raw, off::ITER_CGROUP_ORDER),
                },
                _ => IterInfo::None,
            };
            LinkInfo::Iter {
                target_name,
                target,
            }
        }
        LinkType::NETNS => LinkInfo::Netns {
            netns_ino: u32_at(raw, off::NETNS_INO),
            attach_type: at(off::NETNS_ATTACH_TYPE),
        },
        LinkType::XDP => LinkInfo::Xdp {
            ifindex: u32_at(raw, off::XDP_IFINDEX),
        },
        LinkType::PERF_EVENT => LinkInfo::PerfEvent(decode_perf(raw, extra)),
        LinkType::KPROBE_MULTI => LinkInfo::KprobeMulti {
            count: u32_at(raw, off::KMULTI_COUNT),
            flags: u32_at(raw, off::KMULTI_FLAGS),
            missed: u64_at(raw, off::KMULTI_MISSED),
        },
        LinkType::STRUCT_OPS => LinkInfo::StructOps {
            map_id: u32_at(raw, off::STRUCT_OPS_MAP_ID),
        },
        LinkType::NETFILTER => LinkInfo::Netfilter {
            pf: u32_at(raw, off::NF_PF),
            hooknum: u32_at(raw, off::NF_HOOKNUM),
            priority: u32_at(raw, off::NF_PRIORITY) as i32,
            flags: u32_at(raw, off::NF_FLAGS),
        },
        LinkType::TCX => LinkInfo::Tcx {
            ifindex: u32_at(raw, off::TCX_IFINDEX),
            attach_type: at(off::TCX_ATTACH_TYPE),
        },
        LinkType::UPROBE_MULTI => {
            let count =
                (u32_at(raw, off::UMULTI_COUNT) as usize).min(extra.map_or(0, |e| e.offsets.len()));
            let take = |v: Option<&Vec<u64>>| -> Vec<u64> {
                v.map(|v| v.iter().take(count).copied().collect())
                    .unwrap_or_default()
            };
            LinkInfo::UprobeMulti {
                path: path(),
                offsets: take(extra.map(|e| &e.offsets)),
                ref_ctr_offsets: take(extra.map(|e| &e.ref_ctr_offsets)),
                cookies: take(extra.map(|e| &e.cookies)),
                flags: u32_at(raw, off::UMULTI_FLAGS),
                pid: u32_at(raw, off::UMULTI_PID),
            }
        }
        LinkType::NETKIT => LinkInfo::Netkit {
            ifindex: u32_at(raw, off::TCX_IFINDEX),
            attach_type: at(off::TCX_ATTACH_TYPE),
        },
        LinkType::SOCKMAP => LinkInfo::Sockmap {
            map_id: u32_at(raw, off::SOCKMAP_MAP_ID),
            attach_type: at(off::SOCKMAP_ATTACH_TYPE),
        },
        LinkType(t) => LinkInfo::Unknown { link_type: t },
    };
    Info {
        id: u32_at(raw, off::ID),
        prog_id: u32_at(raw, off::PROG_ID),
        link_type,
        details,
    }
}

fn decode_perf(raw: &Raw, extra: Option<&Extra>) -> PerfEventInfo {
    let name = extra.map(|e| e.name.as_slice()).unwrap_or_default();
    match u32_at(raw, off::PERF_TYPE) {
        t @ (pet::UPROBE | pet::URETPROBE) => PerfEventInfo::Uprobe {
            retprobe: t == pet::URETPROBE,
            file_name: c_path(name),
            offset: u32_at(raw, off::PERF_UPROBE_OFFSET),
            cookie: u64_at(raw, off::PERF_UPROBE_COOKIE),
            ref_ctr_offset: u64_at(raw, off::PERF_UPROBE_REF_CTR_OFFSET),
        },
        t @ (pet::KPROBE | pet::KRETPROBE) => PerfEventInfo::Kprobe {
            retprobe: t == pet::KRETPROBE,
            func_name: c_string(name),
            offset: u32_at(raw, off::PERF_KPROBE_OFFSET),
            addr: u64_at(raw, off::PERF_KPROBE_ADDR),
            missed: u64_at(raw, off::PERF_KPROBE_MISSED),
            cookie: u64_at(raw, off::PERF_KPROBE_COOKIE),
        },
        pet::TRACEPOINT => PerfEventInfo::Tracepoint {
            tp_name: c_string(name),
            cookie: u64_at(raw, off::PERF_TP_COOKIE),
        },
        pet::EVENT => PerfEventInfo::Event {
            config: u64_at(raw, off::PERF_EVENT_CONFIG),
            event_type: u32_at(raw, off::PERF_EVENT_TYPE),
            cookie: u64_at(raw, off::PERF_EVENT_COOKIE),
        },
        t => PerfEventInfo::Unknown { perf_event_type: t },
    }
}

/// `BPF_OBJ_GET_INFO_BY_FD` on a link, with the second call for names (the
/// one place in this file that hands the kernel addresses).
#[allow(unsafe_code)]
pub(crate) fn link_info(k: &dyn Kernel, fd: i32) -> Result<Info> {
    let err = |e| Error::from_errno(Op::Info, e);
    let mut first = [0u8; off::SIZE];
    // SAFETY: a zeroed request holds no address.
    unsafe { ci::get_info(k, fd, &mut first) }.map_err(err)?;
    let Some(mut extra) = plan(&first) else {
        return Ok(decode(&first, None));
    };
    let mut second = arm(&first, &mut extra);
    // SAFETY: the only addresses in `second` are `extra`'s buffers, each with
    // its length (or element count) beside it, and `extra` outlives the call.
    unsafe { ci::get_info(k, fd, &mut second) }.map_err(err)?;
    // The id and type cannot change between the calls; the second answer
    // also carries every scalar member.
    Ok(decode(&second, Some(&extra)))
}
