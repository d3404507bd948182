//! What the tool shows about one link: the common columns and the
//! kind-specific fields, decoded from [`Info`] with names looked up (program
//! names, interface names, cgroup paths). Rendering is elsewhere
//! (`text.rs`, `json.rs`). Field values keep what the kernel and the
//! filesystem said (names as bytes); the human summary (`Target::text`) is
//! made of escaped text (`escape.rs`).

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::escape;
use crate::pins::Pins;
use bpflink::flags::{
    BPF_F_KPROBE_MULTI_RETURN, BPF_F_NETFILTER_IP_DEFRAG, BPF_F_UPROBE_MULTI_RETURN,
};
use bpflink::{
    AttachType, Info, IterInfo, LinkInfo, NfHook, NfProto, PerfEventInfo, Prog, ProgInfo,
};

/// One field's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i128),
    Text(String),
    /// A name that need not be UTF-8 (file, cgroup and interface names).
    Bytes(Vec<u8>),
    Ints(Vec<u64>),
}

/// The kind-specific part of a row: named fields and a human summary.
#[derive(Debug, Default)]
pub struct Target {
    pub fields: Vec<(&'static str, Value)>,
    pub text: String,
}

impl Target {
    fn field(&mut self, k: &'static str, v: Value) {
        self.fields.push((k, v));
    }
    fn num(&mut self, k: &'static str, v: impl Into<i128>) {
        self.field(k, Value::Int(v.into()));
    }
    fn str(&mut self, k: &'static str, v: &str) {
        self.field(k, Value::Text(v.to_owned()));
    }
    fn bytes(&mut self, k: &'static str, v: &OsStr) {
        self.field(k, Value::Bytes(v.as_bytes().to_vec()));
    }
    fn opt_bytes(&mut self, k: &'static str, v: Option<&OsStr>) {
        self.field(
            k,
            v.map_or(Value::Null, |v| Value::Bytes(v.as_bytes().to_vec())),
        );
    }
}

/// One link, ready to render.
#[derive(Debug)]
pub struct Row {
    pub id: u32,
    pub link_type: String,
    pub link_type_id: u32,
    pub prog_id: u32,
    pub prog: Option<ProgInfo>,
    pub attach_type: Option<AttachType>,
    pub target: Target,
    /// Where the link is pinned, when asked (`--bpffs`).
    pub pinned: Option<Vec<PathBuf>>,
}

impl Row {
    /// The program's name (escaped), `-` when unknown.
    pub fn prog_name(&self) -> String {
        match &self.prog {
            Some(p) if !p.name.is_empty() => escape::text(&p.name),
            _ => "-".into(),
        }
    }

    /// The attach type's name, `-` when the kind has none.
    pub fn attach_name(&self) -> String {
        self.attach_type.map_or("-".into(), |a| a.to_string())
    }
}

/// Looks up names once per run.
#[derive(Default)]
pub struct Resolver {
    progs: HashMap<u32, Option<ProgInfo>>,
    cgroups: HashMap<u64, Option<PathBuf>>,
    netns: Option<Option<u64>>,
}

impl Resolver {
    fn prog(&mut self, id: u32) -> Option<ProgInfo> {
        if id == 0 {
            return None;
        }
        self.progs
            .entry(id)
            .or_insert_with(|| Prog::from_id(id).and_then(|p| p.info()).ok())
            .clone()
    }

    fn cgroup(&mut self, id: u64) -> Option<PathBuf> {
        self.cgroups
            .entry(id)
            .or_insert_with(|| bpflink::cgroup_path(id))
            .clone()
    }

    fn netns(&mut self) -> Option<u64> {
        *self.netns.get_or_insert_with(bpflink::current_netns_ino)
    }

    /// The row for one link.
    pub fn row(&mut self, info: &Info, pins: Option<&Pins>) -> Row {
        let prog = self.prog(info.prog_id);
        let mut t = Target::default();
        match &info.details {
            LinkInfo::Cgroup { cgroup_id, .. } => {
                t.num("cgroup_id", *cgroup_id);
                let path = (*cgroup_id != 0).then(|| self.cgroup(*cgroup_id)).flatten();
                t.opt_bytes("cgroup_path", path.as_deref().map(Path::as_os_str));
                t.text = match (cgroup_id, path) {
                    (0, _) => "cgroup (detached)".into(),
                    (_, Some(p)) => format!("cgroup {}", escape::display(&p)),
                    (id, None) => format!("cgroup id {id}"),
                };
            }
            LinkInfo::Xdp { ifindex }
            | LinkInfo::Tcx { ifindex, .. }
            | LinkInfo::Netkit { ifindex, .. } => {
                t.num("ifindex", *ifindex);
                let name = (*ifindex != 0).then(|| bpflink::ifname(*ifindex)).flatten();
                t.opt_bytes("ifname", name.as_deref());
                t.text = match (ifindex, name) {
                    (0, _) => "dev (detached)".into(),
                    (i, Some(n)) => format!("dev {} (ifindex {i})", escape::path(&n)),
                    (i, None) => format!("ifindex {i} (not in this netns)"),
                };
            }
            LinkInfo::Netns { netns_ino, .. } => {
                t.num("netns_ino", *netns_ino);
                let current = self.netns() == Some(u64::from(*netns_ino));
                t.field("netns_current", Value::Bool(current));
                t.text = match (netns_ino, current) {
                    (0, _) => "netns (detached)".into(),
                    (n, true) => format!("netns {n} (this netns)"),
                    (n, false) => format!("netns {n}"),
                };
            }
            LinkInfo::RawTracepoint { tp_name, cookie } => {
                t.str("tp_name", tp_name);
                t.num("cookie", *cookie);
                let tp = escape::text(tp_name);
                t.text = format!("tracepoint {tp}{}", cookie_text(*cookie));
            }
            LinkInfo::Tracing {
                target_obj_id,
                target_btf_id,
                cookie,
                ..
            } => {
                t.num("target_obj_id", *target_obj_id);
                t.num("target_btf_id", *target_btf_id);
                t.num("cookie", *cookie);
                t.text = format!(
                    "target obj {target_obj_id} btf_id {target_btf_id}{}",
                    cookie_text(*cookie)
                );
            }
            LinkInfo::Iter {
                target_name,
                target,
            } => iter_target(&mut t, target_name, *target),
            LinkInfo::PerfEvent(p) => perf_target(&mut t, p),
            LinkInfo::KprobeMulti {
                count,
                flags,
                missed,
            } => {
                t.num("func_cnt", *count);
                t.num("flags", *flags);
                t.num("missed", *missed);
                let kind = if flags & BPF_F_KPROBE_MULTI_RETURN != 0 {
                    "kretprobe_multi"
                } else {
                    "kprobe_multi"
                };
                t.text = format!("{kind} {count} functions");
            }
            LinkInfo::StructOps { map_id } => {
                t.num("map_id", *map_id);
                t.text = format!("struct_ops map {map_id}");
            }
            LinkInfo::Netfilter {
                pf,
                hooknum,
                priority,
                flags,
            } => {
                t.num("pf", *pf);
                t.num("hooknum", *hooknum);
                t.num("prio", *priority);
                t.num("flags", *flags);
                let pf_name =
                    NfProto::from_value(*pf).map_or(format!("pf {pf}"), |p| p.name().to_owned());
                let hook = NfHook::from_value(*hooknum)
                    .map_or(format!("hook {hooknum}"), |h| h.name().to_owned());
                let defrag = if flags & BPF_F_NETFILTER_IP_DEFRAG != 0 {
                    " defrag"
                } else {
                    ""
                };
                t.text = format!("netfilter {pf_name} {hook} prio {priority}{defrag}");
            }
            LinkInfo::UprobeMulti {
                path,
                offsets,
                ref_ctr_offsets,
                cookies,
                flags,
                pid,
            } => {
                t.bytes("path", path.as_os_str());
                t.field("offsets", Value::Ints(offsets.clone()));
                t.field("ref_ctr_offsets", Value::Ints(ref_ctr_offsets.clone()));
                t.field("cookies", Value::Ints(cookies.clone()));
                t.num("flags", *flags);
                t.num("pid", *pid);
                let kind = if flags & BPF_F_UPROBE_MULTI_RETURN != 0 {
                    "uretprobe_multi"
                } else {
                    "uprobe_multi"
                };
                let pid_text = if *pid != 0 {
                    format!(" pid {pid}")
                } else {
                    String::new()
                };
                let path = escape::display(path);
                t.text = format!("{kind} {path} ({} offsets){pid_text}", offsets.len());
            }
            LinkInfo::Sockmap { map_id, .. } => {
                t.num("map_id", *map_id);
                t.text = format!("map {map_id}");
            }
            LinkInfo::Unknown { .. } => {}
            // `LinkInfo` is non_exhaustive: kinds added later print nothing.
            _ => {}
        }
        Row {
            id: info.id,
            link_type: info.link_type.to_string(),
            link_type_id: info.link_type.0,
            prog_id: info.prog_id,
            prog,
            attach_type: info.attach_type(),
            target: t,
            pinned: pins.map(|p| p.of(info.id).to_vec()),
        }
    }
}

fn cookie_text(cookie: u64) -> String {
    if cookie == 0 {
        String::new()
    } else {
        format!(" cookie {cookie}")
    }
}

fn iter_target(t: &mut Target, target_name: &str, target: IterInfo) {
    t.str("target_name", target_name);
    t.text = format!("iter {}", escape::text(target_name));
    match target {
        IterInfo::None => {}
        IterInfo::Map { map_id } => {
            t.num("map_id", map_id);
            let _ = write!(t.text, " map {map_id}");
        }
        IterInfo::Task { tid, pid } => {
            t.num("tid", tid);
            t.num("pid", pid);
            if tid != 0 {
                let _ = write!(t.text, " tid {tid}");
            }
            if pid != 0 {
                let _ = write!(t.text, " pid {pid}");
            }
        }
        IterInfo::Cgroup { cgroup_id, order } => {
            t.num("cgroup_id", cgroup_id);
            t.num("order", order);
            let _ = write!(t.text, " cgroup id {cgroup_id} order {order}");
        }
    }
}

fn perf_target(t: &mut Target, p: &PerfEventInfo) {
    match p {
        PerfEventInfo::Uprobe {
            retprobe,
            file_name,
            offset,
            cookie,
            ref_ctr_offset,
        } => {
            let kind = if *retprobe { "uretprobe" } else { "uprobe" };
            t.str("event_type", kind);
            t.bytes("file", file_name.as_os_str());
            t.num("offset", *offset);
            t.num("cookie", *cookie);
            t.num("ref_ctr_offset", *ref_ctr_offset);
            let file = escape::display(file_name);
            t.text = format!("{kind} {file}+{offset:#x}{}", cookie_text(*cookie));
        }
        PerfEventInfo::Kprobe {
            retprobe,
            func_name,
            offset,
            addr,
            missed,
            cookie,
        } => {
            let kind = if *retprobe { "kretprobe" } else { "kprobe" };
            t.str("event_type", kind);
            t.str("func", func_name);
            t.num("offset", *offset);
            t.num("addr", *addr);
            t.num("missed", *missed);
            t.num("cookie", *cookie);
            let func = escape::text(func_name);
            t.text = format!("{kind} {func}+{offset:#x}{}", cookie_text(*cookie));
        }
        PerfEventInfo::Tracepoint { tp_name, cookie } => {
            t.str("event_type", "tracepoint");
            t.str("tracepoint", tp_name);
            t.num("cookie", *cookie);
            let tp = escape::text(tp_name);
            t.text = format!("perf tracepoint {tp}{}", cookie_text(*cookie));
        }
        PerfEventInfo::Event {
            config,
            event_type,
            cookie,
        } => {
            t.str("event_type", "event");
            t.num("event_config", *config);
            t.num("event_type_id", *event_type);
            t.num("cookie", *cookie);
            t.text = format!(
                "perf event type {event_type} config {config}{}",
                cookie_text(*cookie)
            );
        }
        PerfEventInfo::Unknown { perf_event_type } => {
            t.num("perf_event_type", *perf_event_type);
            t.text = format!("perf event type {perf_event_type}");
        }
    }
}
