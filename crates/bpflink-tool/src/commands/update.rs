//! `bpflink update ID|PATH PROG_ID [--replace OLD_PROG_ID]`: run another
//! program on a link.

use std::os::fd::AsFd;

use bpflink::Prog;

use crate::failure::{Failure, in_context};
use crate::link_ref::{describe, open_link};

pub struct Args {
    pub target: String,
    pub prog: u32,
    pub replace: Option<u32>,
}

pub fn run(args: &Args) -> Result<(), Failure> {
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
        Some(i) => println!("updated {what}: program {} -> {prog}", i.prog_id),
        None => println!("updated {what}: program {prog}"),
    }
    Ok(())
}
