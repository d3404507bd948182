//! The command line: arguments to a [`Command`].

use crate::commands::{Command, detach, help, list, pin, show, update, version};
use crate::failure::{Failure, usage};
use crate::link_ref::parse_id;

pub const USAGE: &str = "\
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

pub fn parse(args: &[String]) -> Result<Command, Failure> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err(usage("no command given"));
    };
    Ok(match cmd.as_str() {
        "list" | "ls" => {
            let json = flags_only(rest, &["--json"])?.contains(&"--json");
            Command::List(list::Args { json })
        }
        "show" => {
            let (pos, json) = split_json(rest);
            let [target] = pos.as_slice() else {
                return Err(usage("show takes one ID or PATH"));
            };
            Command::Show(show::Args {
                target: (*target).clone(),
                json,
            })
        }
        "pin" => {
            let [id, path] = rest else {
                return Err(usage("pin takes an ID and a PATH"));
            };
            Command::Pin(pin::Args {
                id: parse_id(id, "link ID")?,
                path: path.clone(),
            })
        }
        "detach" => {
            let [target] = rest else {
                return Err(usage("detach takes one ID or PATH"));
            };
            Command::Detach(detach::Args {
                target: target.clone(),
            })
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
            Command::Update(update::Args {
                target: target.clone(),
                prog: parse_id(prog, "PROG_ID")?,
                replace: replace.map(|r| parse_id(r, "OLD_PROG_ID")).transpose()?,
            })
        }
        "help" | "--help" | "-h" => Command::Help(help::Args),
        "version" | "--version" | "-V" => Command::Version(version::Args),
        other => return Err(usage(format!("unknown command '{other}'"))),
    })
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
