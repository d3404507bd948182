//! `bpflink update`.

use std::ffi::OsString;
use std::os::fd::AsFd;

use bpflink::Prog;

use crate::failure::{Failure, in_context};
use crate::link_ref::{describe, open_link, parse_id};
use crate::out::Out;

/// Make a link run another program
///
/// With --replace, only if the link still runs OLD_PROG_ID (the kernel
/// checks and swaps in one step).
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The link's id, or the path of a pin on bpffs
    #[arg(value_name = "ID|PATH")]
    pub target: OsString,
    /// The id of the program to run instead
    #[arg(value_name = "PROG_ID", value_parser = parse_id)]
    pub prog: u32,
    /// Only if the link still runs this program
    #[arg(long, value_name = "OLD_PROG_ID", value_parser = parse_id)]
    pub replace: Option<u32>,
}

pub fn run(args: &Args, out: &mut Out) -> Result<(), Failure> {
    let (link, name) = open_link(&args.target)?;
    let (what, before) = describe(&link, &name);
    let prog = args.prog;
    let new = Prog::from_id(prog).map_err(in_context(format!("program {prog}")))?;
    let old = args
        .replace
        .map(|id| Prog::from_id(id).map_err(in_context(format!("program {id}"))))
        .transpose()?;
    link.update(new.as_fd(), old.as_ref().map(AsFd::as_fd))
        .map_err(in_context(what.clone()))?;
    match before {
        Some(i) => out.line(&format!("updated {what}: program {} -> {prog}", i.prog_id)),
        None => out.line(&format!("updated {what}: program {prog}")),
    }
}
