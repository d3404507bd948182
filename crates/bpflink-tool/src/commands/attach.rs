//! `bpflink attach`: attach a loaded program (by id or pinned path) and pin
//! the new link, which would otherwise die with this process.

use std::ffi::OsString;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use bpflink::{
    AttachType, CgroupAttach, Error, Link, NfHook, NfProto, Prog, TcxDirection, XdpMode,
};

use crate::escape;
use crate::failure::{Failure, in_context};
use crate::link_ref::parse_id;
use crate::out::Out;

/// Attach a loaded program and pin the new link
///
/// The program is given by id or by the path of its pin on bpffs; the link
/// is pinned at --pin (a link dies with the process that made it unless it
/// is pinned). Probes are named the way libbpf names them: a binary by path
/// or by name (libc.so.6, or just libc), a function by symbol, with
/// @VERSION and +OFFSET if wanted.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    pub kind: Kind,
}

/// Where the program comes from and where the link goes (every kind).
#[derive(clap::Args)]
pub struct Common {
    /// The program: its id, or the path of its pin on bpffs
    #[arg(value_name = "PROG")]
    pub prog: OsString,
    /// Pin the new link here (a new path on a bpffs mount)
    #[arg(long, value_name = "PATH")]
    pub pin: PathBuf,
}

#[derive(clap::Subcommand)]
pub enum Kind {
    /// A uprobe (or uretprobe) on a function of a binary
    Uprobe {
        #[command(flatten)]
        common: Common,
        /// BINARY:FUNCTION[@VERSION][+OFFSET] or BINARY:OFFSET
        #[arg(value_name = "BINARY:FUNCTION")]
        target: String,
        /// Only in this process
        #[arg(long, value_name = "PID")]
        pid: Option<i32>,
        /// Fire on return (a uretprobe)
        #[arg(long)]
        retprobe: bool,
        /// The BPF cookie the program reads
        #[arg(long, value_name = "N")]
        cookie: Option<u64>,
    },
    /// One uprobe_multi link on every function of a binary matching a glob
    UprobeMulti {
        #[command(flatten)]
        common: Common,
        /// BINARY:PATTERN (`*` and `?`)
        #[arg(value_name = "BINARY:PATTERN")]
        target: String,
        /// Only in this process
        #[arg(long, value_name = "PID")]
        pid: Option<i32>,
        /// Fire on return
        #[arg(long)]
        retprobe: bool,
    },
    /// A tracepoint by name
    Tracepoint {
        #[command(flatten)]
        common: Common,
        /// CATEGORY/NAME, e.g. syscalls/sys_enter_openat
        #[arg(value_name = "CATEGORY/NAME")]
        target: String,
        /// The BPF cookie the program reads
        #[arg(long, value_name = "N")]
        cookie: Option<u64>,
    },
    /// A kprobe (or kretprobe) on a kernel function
    Kprobe {
        #[command(flatten)]
        common: Common,
        /// FUNCTION[+OFFSET]
        #[arg(value_name = "FUNCTION")]
        target: String,
        /// Fire on return (a kretprobe)
        #[arg(long)]
        retprobe: bool,
    },
    /// XDP on a network interface
    Xdp {
        #[command(flatten)]
        common: Common,
        /// The interface's name
        #[arg(value_name = "IFNAME")]
        ifname: OsString,
        /// generic, driver or offload (default: the kernel's choice)
        #[arg(long, value_name = "MODE", value_parser = parse_xdp_mode)]
        mode: Option<XdpMode>,
    },
    /// tcx on a network interface
    Tcx {
        #[command(flatten)]
        common: Common,
        /// The interface's name
        #[arg(value_name = "IFNAME")]
        ifname: OsString,
        /// ingress or egress
        #[arg(long, value_name = "DIRECTION", value_parser = parse_direction)]
        direction: TcxDirection,
        /// Run before every other program of the hook
        #[arg(long)]
        first: bool,
    },
    /// A cgroup hook
    Cgroup {
        #[command(flatten)]
        common: Common,
        /// The cgroup v2 directory
        #[arg(value_name = "CGROUP")]
        cgroup: PathBuf,
        /// libbpf's name of the hook, e.g. cgroup_inet_ingress
        #[arg(long, value_name = "ATTACH_TYPE", value_parser = parse_cgroup_attach)]
        attach_type: CgroupAttach,
    },
    /// A netfilter hook (in bpflink's own network namespace)
    Netfilter {
        #[command(flatten)]
        common: Common,
        /// ipv4 or ipv6
        #[arg(value_name = "FAMILY", value_parser = parse_family)]
        family: NfProto,
        /// prerouting, input, forward, output or postrouting
        #[arg(value_name = "HOOK", value_parser = parse_hook)]
        hook: NfHook,
        /// The hook's priority (lower runs first)
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        priority: i32,
        /// Ask for defragmented packets
        #[arg(long)]
        defrag: bool,
    },
}

fn parse_xdp_mode(s: &str) -> Result<XdpMode, String> {
    match s {
        "generic" | "skb" => Ok(XdpMode::Generic),
        "driver" | "native" => Ok(XdpMode::Driver),
        "offload" | "hw" => Ok(XdpMode::Offload),
        _ => Err("expected generic, driver or offload".into()),
    }
}

fn parse_direction(s: &str) -> Result<TcxDirection, String> {
    match s {
        "ingress" => Ok(TcxDirection::Ingress),
        "egress" => Ok(TcxDirection::Egress),
        _ => Err("expected ingress or egress".into()),
    }
}

fn parse_cgroup_attach(s: &str) -> Result<CgroupAttach, String> {
    AttachType::from_name(s)
        .and_then(CgroupAttach::from_attach_type)
        .ok_or_else(|| "not a cgroup attach type (e.g. cgroup_inet_ingress)".into())
}

fn parse_family(s: &str) -> Result<NfProto, String> {
    [NfProto::Ipv4, NfProto::Ipv6]
        .into_iter()
        .find(|p| p.name() == s)
        .ok_or_else(|| "expected ipv4 or ipv6".into())
}

fn parse_hook(s: &str) -> Result<NfHook, String> {
    NfHook::ALL
        .iter()
        .copied()
        .find(|h| h.name() == s)
        .ok_or_else(|| "expected prerouting, input, forward, output or postrouting".into())
}

/// The program: an id (all digits) or a pinned path.
fn open_prog(prog: &OsString) -> Result<Prog, Failure> {
    let bytes = prog.as_encoded_bytes();
    if !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit) {
        let digits = prog.to_string_lossy();
        let id = parse_id(&digits).map_err(|why| Failure::Usage {
            message: format!("invalid program ID '{digits}': {why}"),
            hint: "try 'bpflink attach --help'".into(),
        })?;
        Prog::from_id(id).map_err(in_context(format!("program {id}")))
    } else {
        let path = Path::new(prog);
        Prog::open_pinned(path).map_err(in_context(escape::display(path)))
    }
}

pub fn run(args: &Args, out: &mut Out) -> Result<(), Failure> {
    let (common, what, link) = match &args.kind {
        Kind::Uprobe {
            common,
            target,
            pid,
            retprobe,
            cookie,
        } => {
            let (binary, func, offset) =
                bpflink::parse_uprobe_target(target).map_err(usage("uprobe"))?;
            let prog = open_prog(&common.prog)?;
            let mut b = match &func {
                Some(f) => Link::uprobe(prog.as_fd(), &binary, f).offset(offset),
                None => Link::uprobe_at(prog.as_fd(), &binary, offset),
            };
            if let Some(pid) = pid {
                b = b.pid(*pid);
            }
            if *retprobe {
                b = b.retprobe();
            }
            if let Some(c) = cookie {
                b = b.cookie(*c);
            }
            let what = format!("{} on {target}", if *retprobe { "uretprobe" } else { "uprobe" });
            (common, what.clone(), b.create().map_err(in_context(what))?)
        }
        Kind::UprobeMulti {
            common,
            target,
            pid,
            retprobe,
        } => {
            let Some((binary, pattern)) = target.rsplit_once(':') else {
                return Err(Failure::Usage {
                    message: format!("invalid target '{target}': expected BINARY:PATTERN"),
                    hint: "try 'bpflink attach uprobe-multi --help'".into(),
                });
            };
            let prog = open_prog(&common.prog)?;
            let mut b = Link::uprobe_multi_pattern(prog.as_fd(), binary, pattern);
            if let Some(pid) = pid {
                b = b.pid(*pid);
            }
            if *retprobe {
                b = b.retprobe();
            }
            let what = format!("uprobe_multi on {target}");
            (common, what.clone(), b.create().map_err(in_context(what))?)
        }
        Kind::Tracepoint {
            common,
            target,
            cookie,
        } => {
            let Some((category, name)) = target.split_once('/') else {
                return Err(Failure::Usage {
                    message: format!("invalid tracepoint '{target}': expected CATEGORY/NAME"),
                    hint: "try 'bpflink attach tracepoint --help'".into(),
                });
            };
            let prog = open_prog(&common.prog)?;
            let mut b = Link::tracepoint(prog.as_fd(), category, name);
            if let Some(c) = cookie {
                b = b.cookie(*c);
            }
            let what = format!("tracepoint {target}");
            (common, what.clone(), b.create().map_err(in_context(what))?)
        }
        Kind::Kprobe {
            common,
            target,
            retprobe,
        } => {
            let (func, offset) = match target.split_once('+') {
                Some((f, off)) => (f, parse_offset(off)?),
                None => (target.as_str(), 0),
            };
            let prog = open_prog(&common.prog)?;
            let mut b = Link::kprobe(prog.as_fd(), func).offset(offset);
            if *retprobe {
                b = b.retprobe();
            }
            let what = format!("{} on {target}", if *retprobe { "kretprobe" } else { "kprobe" });
            (common, what.clone(), b.create().map_err(in_context(what))?)
        }
        Kind::Xdp {
            common,
            ifname,
            mode,
        } => {
            let prog = open_prog(&common.prog)?;
            let what = format!("xdp on {}", escape::display(Path::new(ifname)));
            let index = bpflink::ifindex(ifname).map_err(in_context(what.clone()))?;
            let mut b = Link::xdp(prog.as_fd(), index);
            if let Some(m) = mode {
                b = b.mode(*m);
            }
            (common, what.clone(), b.create().map_err(in_context(what))?)
        }
        Kind::Tcx {
            common,
            ifname,
            direction,
            first,
        } => {
            let prog = open_prog(&common.prog)?;
            let what = format!("tcx on {}", escape::display(Path::new(ifname)));
            let index = bpflink::ifindex(ifname).map_err(in_context(what.clone()))?;
            let mut b = Link::tcx(prog.as_fd(), index, *direction);
            if *first {
                b = b.first();
            }
            (common, what.clone(), b.create().map_err(in_context(what))?)
        }
        Kind::Cgroup {
            common,
            cgroup,
            attach_type,
        } => {
            let prog = open_prog(&common.prog)?;
            let what = format!("cgroup {}", escape::display(cgroup));
            let link = Link::cgroup_by_path(prog.as_fd(), cgroup, *attach_type)
                .map_err(in_context(what.clone()))?;
            (common, what, link)
        }
        Kind::Netfilter {
            common,
            family,
            hook,
            priority,
            defrag,
        } => {
            let prog = open_prog(&common.prog)?;
            let what = format!("netfilter {} {}", family.name(), hook.name());
            let link = Link::netfilter(prog.as_fd(), *family, *hook, *priority, *defrag)
                .create()
                .map_err(in_context(what.clone()))?;
            (common, what, link)
        }
    };
    let at = escape::display(&common.pin);
    let id = link.info().map(|i| i.id).ok();
    link.pin(&common.pin).map_err(in_context(format!("{what}: pin at {at}")))?;
    // Pinned, the link lives on in the kernel: let go of our fds without
    // detaching (a perf-event link's event must stay enabled).
    link.disconnect();
    match id {
        Some(id) => out.line(&format!("attached {what}: link {id} pinned at {at}")),
        None => out.line(&format!("attached {what}: pinned at {at}")),
    }
}

fn usage(kind: &'static str) -> impl FnOnce(Error) -> Failure {
    move |e| Failure::Usage {
        message: e.explanation().into_owned(),
        hint: format!("try 'bpflink attach {kind} --help'"),
    }
}

fn parse_offset(s: &str) -> Result<u64, Failure> {
    let v = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16),
        None => s.parse(),
    };
    v.map_err(|_| Failure::Usage {
        message: format!("invalid offset '{s}'"),
        hint: "try 'bpflink attach kprobe --help'".into(),
    })
}
