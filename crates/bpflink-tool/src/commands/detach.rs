//! `bpflink detach ID|PATH`: detach a link from its hook.

use crate::failure::{Failure, in_context};
use crate::link_ref::{describe, open_link};

pub struct Args {
    pub target: String,
}

pub fn run(args: &Args) -> Result<(), Failure> {
    let (link, name) = open_link(&args.target)?;
    let (what, _) = describe(&link, &name);
    link.detach().map_err(in_context(what.clone()))?;
    println!("detached {what}");
    Ok(())
}
