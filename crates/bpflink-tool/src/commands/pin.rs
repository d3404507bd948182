//! `bpflink pin ID PATH`: pin a link on bpffs.

use bpflink::Link;

use crate::failure::{Failure, in_context};
use crate::link_ref::describe;

pub struct Args {
    pub id: u32,
    pub path: String,
}

pub fn run(args: &Args) -> Result<(), Failure> {
    let (id, path) = (args.id, &args.path);
    let link = Link::from_id(id).map_err(in_context(format!("link {id}")))?;
    let (what, _) = describe(&link, &format!("link {id}"));
    link.pin(path)
        .map_err(in_context(format!("{what} at {path}")))?;
    println!("pinned {what} at {path}");
    Ok(())
}
