//! `bpflink`: list, show, pin, detach and update BPF links, built on the
//! crate's safe Rust API (`bpflink::api`). Arguments are parsed by hand;
//! the only runtime dependency is libc (through the library).
//!
//! ```text
//! bpflink list [--json]
//! bpflink show ID|PATH [--json]
//! bpflink pin ID PATH
//! bpflink detach ID|PATH
//! bpflink update ID|PATH PROG_ID [--replace OLD_PROG_ID]
//! ```

use std::collections::HashMap;
use std::fmt::Write as _;
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::process::ExitCode;

use bpflink::{
    self, AttachType, Error, Info, IterInfo, Link, LinkInfo, NfHook, NfProto, PerfEventInfo, Prog,
    ProgInfo,
};

const USAGE: &str = "\
usage: bpflink <command> [arguments]

commands:
  list [--json]                    every BPF link on the system
  show ID|PATH [--json]            one link, by id or by its pin on bpffs
  pin ID PATH                      pin link ID at PATH (a path on bpffs)
  detach ID|PATH                   detach a link from its hook (the link stays)
  update ID|PATH PROG_ID [--replace OLD_PROG_ID]
                                   run program PROG_ID instead; with --replace,
                                   only if the link still runs OLD_PROG_ID
  help                             this text
  version                          the version

Needs root (CAP_BPF / CAP_SYS_ADMIN). Interface names and cgroup paths are
looked up in bpflink's own network and mount namespace (link info carries only
the ifindex and cgroup id). Exit status: 0 ok, 1 failure, 2 usage.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            eprintln!("bpflink: {msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Api { context, error }) => {
            eprintln!("bpflink: {context}{error}");
            if let Some(hint) = hint(&error) {
                eprintln!("bpflink: {hint}");
            }
            ExitCode::from(1)
        }
        Err(Failure::Other(msg)) => {
            eprintln!("bpflink: {msg}");
            ExitCode::from(1)
        }
    }
}

enum Failure {
    Usage(String),
    Api { context: String, error: Error },
    Other(String),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure::Api {
            context: String::new(),
            error,
        }
    }
}

/// Adds "link 12 (iter): " in front of an API error.
fn in_context(what: String) -> impl FnOnce(Error) -> Failure {
    move |error| Failure::Api {
        context: format!("{what}: "),
        error,
    }
}

fn usage(msg: impl Into<String>) -> Failure {
    Failure::Usage(msg.into())
}

/// A second line for the usual failures.
fn hint(e: &Error) -> Option<String> {
    // EPERM is the capability check; EACCES is about the object or path
    // (e.g. `show /tmp`: not a pinned object), which root gets too.
    if e.errno() == libc::EPERM && effective_uid().is_some_and(|u| u != 0) {
        return Some("you are not root: run bpflink as root (e.g. with sudo)".into());
    }
    if e.errno() == libc::ENOSYS {
        return Some("this kernel was built without CONFIG_BPF_SYSCALL".into());
    }
    None
}

/// The effective uid, from /proc/self/status (no unsafe needed).
fn effective_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

fn run(args: &[String]) -> Result<(), Failure> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err(usage("no command given"));
    };
    match cmd.as_str() {
        "list" | "ls" => {
            let json = flags_only(rest, &["--json"])?.contains(&"--json");
            cmd_list(json)
        }
        "show" => {
            let (pos, json) = split_json(rest);
            let [target] = pos.as_slice() else {
                return Err(usage("show takes one ID or PATH"));
            };
            cmd_show(target, json)
        }
        "pin" => {
            let [id, path] = rest else {
                return Err(usage("pin takes an ID and a PATH"));
            };
            let id = parse_id(id, "link ID")?;
            cmd_pin(id, path)
        }
        "detach" => {
            let [target] = rest else {
                return Err(usage("detach takes one ID or PATH"));
            };
            cmd_detach(target)
        }
        "update" => {
            let (target, prog, replace) = match rest {
                [t, p] => (t, p, None),
                [t, p, flag, old] if flag == "--replace" => (t, p, Some(old)),
                [t, flag, old, p] if flag == "--replace" => (t, p, Some(old)),
                _ => {
                    return Err(usage(
                        "update takes ID|PATH PROG_ID [--replace OLD_PROG_ID]",
                    ));
                }
            };
            let prog = parse_id(prog, "PROG_ID")?;
            let replace = replace.map(|r| parse_id(r, "OLD_PROG_ID")).transpose()?;
            cmd_update(target, prog, replace)
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        "version" | "--version" | "-V" => {
            println!(
                "bpflink {} (libbpf v1.7.0 link API)",
                env!("CARGO_PKG_VERSION")
            );
            Ok(())
        }
        other => Err(usage(format!("unknown command '{other}'"))),
    }
}

/// Accepts only the given flags (each at most once).
fn flags_only<'a>(rest: &'a [String], allowed: &[&str]) -> Result<Vec<&'a str>, Failure> {
    let mut seen = Vec::new();
    for a in rest {
        if !allowed.contains(&a.as_str()) || seen.contains(&a.as_str()) {
            return Err(usage(format!("unexpected argument '{a}'")));
        }
        seen.push(a.as_str());
    }
    Ok(seen)
}

fn split_json(rest: &[String]) -> (Vec<&String>, bool) {
    let json = rest.iter().any(|a| a == "--json");
    (rest.iter().filter(|a| *a != "--json").collect(), json)
}

fn parse_id(s: &str, what: &str) -> Result<u32, Failure> {
    match s.parse::<u32>() {
        Ok(v) if v > 0 => Ok(v),
        _ => Err(usage(format!(
            "{what} must be a positive number, not '{s}'"
        ))),
    }
}

/// An id (all digits) or a pinned path.
fn open_link(target: &str) -> Result<(Link, String), Failure> {
    if !target.is_empty() && target.bytes().all(|b| b.is_ascii_digit()) {
        let id = parse_id(target, "link ID")?;
        let link = Link::from_id(id).map_err(in_context(format!("link {id}")))?;
        Ok((link, format!("link {id}")))
    } else {
        let link = Link::open_pinned(target).map_err(in_context(target.to_owned()))?;
        Ok((link, target.to_owned()))
    }
}

/// "link 12 (iter)" when the info can be read.
fn describe(link: &Link, fallback: &str) -> (String, Option<Info>) {
    match link.info() {
        Ok(i) => (format!("link {} ({})", i.id, i.link_type), Some(i)),
        Err(_) => (fallback.to_owned(), None),
    }
}

// --------------------------------------------------------------- commands

fn cmd_list(json: bool) -> Result<(), Failure> {
    let mut res = Resolver::default();
    let mut rows = Vec::new();
    let mut failed = 0;
    for link in Link::iter_all() {
        let link = match link {
            Ok(l) => l,
            Err(e) if e.op() == bpflink::Op::NextId => return Err(e.into()),
            // Still being created after the library's bounded wait: not a
            // link yet (its creator does not have it either), like one
            // created just after the walk. Named, not counted as a failure.
            Err(e) if e.errno() == libc::EAGAIN => {
                eprintln!("bpflink: {e}; not listed");
                continue;
            }
            Err(e) => {
                eprintln!("bpflink: {e}");
                failed += 1;
                continue;
            }
        };
        match link.info() {
            Ok(info) => rows.push(res.row(&info)),
            Err(e) => {
                eprintln!("bpflink: {e}");
                failed += 1;
            }
        }
    }
    if json {
        let arr = Json::Arr(rows.iter().map(Row::json).collect());
        println!("{}", arr.render());
    } else {
        print!("{}", table(&rows));
    }
    if failed > 0 {
        return Err(Failure::Other(format!(
            "{failed} link(s) could not be read"
        )));
    }
    Ok(())
}

fn cmd_show(target: &str, json: bool) -> Result<(), Failure> {
    let (link, name) = open_link(target)?;
    let info = link.info().map_err(in_context(name))?;
    let row = Resolver::default().row(&info);
    if json {
        println!("{}", row.json().render());
    } else {
        for (k, v) in row.fields() {
            println!("{:<14}{v}", format!("{k}:"));
        }
    }
    Ok(())
}

fn cmd_pin(id: u32, path: &str) -> Result<(), Failure> {
    let link = Link::from_id(id).map_err(in_context(format!("link {id}")))?;
    let (what, _) = describe(&link, &format!("link {id}"));
    link.pin(path)
        .map_err(in_context(format!("{what} at {path}")))?;
    println!("pinned {what} at {path}");
    Ok(())
}

fn cmd_detach(target: &str) -> Result<(), Failure> {
    let (link, name) = open_link(target)?;
    let (what, _) = describe(&link, &name);
    link.detach().map_err(in_context(what.clone()))?;
    println!("detached {what}");
    Ok(())
}

fn cmd_update(target: &str, prog: u32, replace: Option<u32>) -> Result<(), Failure> {
    let (link, name) = open_link(target)?;
    let (what, before) = describe(&link, &name);
    let new = Prog::from_id(prog).map_err(in_context(format!("program {prog}")))?;
    let old = replace
        .map(|id| Prog::from_id(id).map_err(in_context(format!("program {id}"))))
        .transpose()?;
    link.update(new.as_fd(), old.as_ref().map(AsFd::as_fd))
        .map_err(in_context(what.clone()))?;
    match before {
        Some(i) => println!("updated {what}: program {} -> {prog}", i.prog_id),
        None => println!("updated {what}: program {prog}"),
    }
    Ok(())
}

// ------------------------------------------------------------------ rows

/// Looks up names once per run.
#[derive(Default)]
struct Resolver {
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

    fn row(&mut self, info: &Info) -> Row {
        let prog = self.prog(info.prog_id);
        let mut t = Target::default();
        match &info.details {
            LinkInfo::Cgroup { cgroup_id, .. } => {
                t.num("cgroup_id", *cgroup_id);
                let path = (*cgroup_id != 0).then(|| self.cgroup(*cgroup_id)).flatten();
                t.opt_str(
                    "cgroup_path",
                    path.as_ref().map(|p| p.display().to_string()),
                );
                t.text = match (cgroup_id, path) {
                    (0, _) => "cgroup (detached)".into(),
                    (_, Some(p)) => format!("cgroup {}", p.display()),
                    (id, None) => format!("cgroup id {id}"),
                };
            }
            LinkInfo::Xdp { ifindex }
            | LinkInfo::Tcx { ifindex, .. }
            | LinkInfo::Netkit { ifindex, .. } => {
                t.num("ifindex", *ifindex);
                let name = (*ifindex != 0).then(|| bpflink::ifname(*ifindex)).flatten();
                t.opt_str("ifname", name.clone());
                t.text = match (ifindex, name) {
                    (0, _) => "dev (detached)".into(),
                    (i, Some(n)) => format!("dev {n} (ifindex {i})"),
                    (i, None) => format!("ifindex {i} (not in this netns)"),
                };
            }
            LinkInfo::Netns { netns_ino, .. } => {
                t.num("netns_ino", *netns_ino);
                let current = self.netns() == Some(u64::from(*netns_ino));
                t.field("netns_current", Json::Bool(current));
                t.text = match (netns_ino, current) {
                    (0, _) => "netns (detached)".into(),
                    (n, true) => format!("netns {n} (this netns)"),
                    (n, false) => format!("netns {n}"),
                };
            }
            LinkInfo::RawTracepoint { tp_name, cookie } => {
                t.str("tp_name", tp_name);
                t.num("cookie", *cookie);
                t.text = format!("tracepoint {tp_name}{}", cookie_text(*cookie));
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
            } => {
                t.str("target_name", target_name);
                t.text = format!("iter {target_name}");
                match *target {
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
            LinkInfo::PerfEvent(p) => perf_target(&mut t, p),
            LinkInfo::KprobeMulti {
                count,
                flags,
                missed,
            } => {
                t.num("func_cnt", *count);
                t.num("flags", *flags);
                t.num("missed", *missed);
                t.text = format!(
                    "{} {count} functions",
                    if flags & 1 != 0 {
                        "kretprobe_multi"
                    } else {
                        "kprobe_multi"
                    }
                );
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
                t.text = format!(
                    "netfilter {pf_name} {hook} prio {priority}{}",
                    if flags & 1 != 0 { " defrag" } else { "" }
                );
            }
            LinkInfo::UprobeMulti {
                path,
                offsets,
                ref_ctr_offsets,
                cookies,
                flags,
                pid,
            } => {
                t.str("path", path);
                t.field("offsets", Json::nums(offsets));
                t.field("ref_ctr_offsets", Json::nums(ref_ctr_offsets));
                t.field("cookies", Json::nums(cookies));
                t.num("flags", *flags);
                t.num("pid", *pid);
                t.text = format!(
                    "{} {path} ({} offsets){}",
                    if flags & 1 != 0 {
                        "uretprobe_multi"
                    } else {
                        "uprobe_multi"
                    },
                    offsets.len(),
                    if *pid != 0 {
                        format!(" pid {pid}")
                    } else {
                        String::new()
                    }
                );
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
            t.str("file", file_name);
            t.num("offset", *offset);
            t.num("cookie", *cookie);
            t.num("ref_ctr_offset", *ref_ctr_offset);
            t.text = format!("{kind} {file_name}+{offset:#x}{}", cookie_text(*cookie));
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
            t.text = format!("{kind} {func_name}+{offset:#x}{}", cookie_text(*cookie));
        }
        PerfEventInfo::Tracepoint { tp_name, cookie } => {
            t.str("event_type", "tracepoint");
            t.str("tracepoint", tp_name);
            t.num("cookie", *cookie);
            t.text = format!("perf tracepoint {tp_name}{}", cookie_text(*cookie));
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

/// The kind-specific part of a row: JSON fields and a human summary.
#[derive(Default)]
struct Target {
    fields: Vec<(&'static str, Json)>,
    text: String,
}

impl Target {
    fn field(&mut self, k: &'static str, v: Json) {
        self.fields.push((k, v));
    }
    fn num(&mut self, k: &'static str, v: impl Into<i128>) {
        self.field(k, Json::Num(v.into()));
    }
    fn str(&mut self, k: &'static str, v: &str) {
        self.field(k, Json::Str(v.to_owned()));
    }
    fn opt_str(&mut self, k: &'static str, v: Option<String>) {
        self.field(k, v.map_or(Json::Null, Json::Str));
    }
}

struct Row {
    id: u32,
    link_type: String,
    link_type_id: u32,
    prog_id: u32,
    prog: Option<ProgInfo>,
    attach_type: Option<AttachType>,
    target: Target,
}

impl Row {
    fn prog_name(&self) -> &str {
        match &self.prog {
            Some(p) if !p.name.is_empty() => &p.name,
            _ => "-",
        }
    }

    fn attach_name(&self) -> String {
        self.attach_type.map_or("-".into(), |a| a.to_string())
    }

    fn json(&self) -> Json {
        let mut o = vec![
            ("id", Json::Num(self.id.into())),
            ("type", Json::Str(self.link_type.clone())),
            ("type_id", Json::Num(self.link_type_id.into())),
            ("prog_id", Json::Num(self.prog_id.into())),
            (
                "prog_name",
                self.prog
                    .as_ref()
                    .map_or(Json::Null, |p| Json::Str(p.name.clone())),
            ),
            (
                "prog_type",
                self.prog
                    .as_ref()
                    .map_or(Json::Null, |p| Json::Str(p.prog_type.to_string())),
            ),
            (
                "attach_type",
                self.attach_type
                    .map_or(Json::Null, |a| Json::Str(a.to_string())),
            ),
            (
                "attach_type_id",
                self.attach_type
                    .map_or(Json::Null, |a| Json::Num(a.0.into())),
            ),
        ];
        o.extend(self.target.fields.iter().map(|(k, v)| (*k, v.clone())));
        o.push(("target", Json::Str(self.target.text.clone())));
        Json::Obj(o.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    /// `show`'s key/value lines.
    fn fields(&self) -> Vec<(String, String)> {
        let mut v = vec![
            ("id".to_owned(), self.id.to_string()),
            ("type".into(), self.link_type.clone()),
            (
                "prog".into(),
                match &self.prog {
                    Some(p) => format!("{} ({}, {})", self.prog_id, p.name, p.prog_type),
                    None => self.prog_id.to_string(),
                },
            ),
        ];
        if let Some(a) = self.attach_type {
            v.push(("attach_type".into(), a.to_string()));
        }
        if !self.target.text.is_empty() {
            v.push(("target".into(), self.target.text.clone()));
        }
        for (k, j) in &self.target.fields {
            v.push(((*k).to_owned(), j.plain()));
        }
        v
    }
}

fn table(rows: &[Row]) -> String {
    let head = ["ID", "TYPE", "PROG", "PROG_NAME", "ATTACH_TYPE", "TARGET"];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.id.to_string(),
                r.link_type.clone(),
                r.prog_id.to_string(),
                r.prog_name().to_owned(),
                r.attach_name(),
                r.target.text.clone(),
            ]
        })
        .collect();
    let mut width = head.map(str::len);
    for row in &cells {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cols: [&str; 6]| {
        let mut l = String::new();
        for (i, (c, w)) in cols.iter().zip(width).enumerate() {
            if i + 1 == cols.len() {
                l.push_str(c);
            } else {
                let _ = write!(l, "{c:<w$}  ");
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(head);
    for row in &cells {
        line([&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]]);
    }
    if rows.is_empty() {
        out.push_str("(no links)\n");
    }
    out
}

// ------------------------------------------------------------------ JSON

#[derive(Clone)]
enum Json {
    Null,
    Bool(bool),
    Num(i128),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn nums(v: &[u64]) -> Json {
        Json::Arr(v.iter().map(|&x| Json::Num(x.into())).collect())
    }

    fn render(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }

    fn write(&self, s: &mut String) {
        match self {
            Json::Null => s.push_str("null"),
            Json::Bool(b) => s.push_str(if *b { "true" } else { "false" }),
            Json::Num(n) => {
                let _ = write!(s, "{n}");
            }
            Json::Str(t) => quote(s, t),
            Json::Arr(items) => {
                s.push('[');
                for (i, it) in items.iter().enumerate() {
                    if i > 0 {
                        s.push(',');
                    }
                    it.write(s);
                }
                s.push(']');
            }
            Json::Obj(fields) => {
                s.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        s.push(',');
                    }
                    quote(s, k);
                    s.push(':');
                    v.write(s);
                }
                s.push('}');
            }
        }
    }

    /// For `show`: strings unquoted, the rest as JSON.
    fn plain(&self) -> String {
        match self {
            Json::Str(t) => t.clone(),
            Json::Null => "-".into(),
            other => other.render(),
        }
    }
}

fn quote(s: &mut String, t: &str) {
    s.push('"');
    for c in t.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(s, "\\u{:04x}", c as u32);
            }
            c => s.push(c),
        }
    }
    s.push('"');
}
