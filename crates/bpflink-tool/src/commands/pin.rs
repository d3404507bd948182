//! `bpflink pin`.

use std::path::PathBuf;

use bpflink::Link;

use crate::escape;
use crate::failure::{Failure, in_context};
use crate::link_ref::{describe, parse_id};
use crate::out::Out;

/// Pin a link on bpffs, so that it outlives its creator
#[derive(clap::Args)]
pub struct Args {
    /// The link's id
    #[arg(value_name = "ID", value_parser = parse_id)]
    pub id: u32,
    /// Where to pin it: a new path on a bpffs mount (e.g. /sys/fs/bpf/name)
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
}

pub fn run(args: &Args, out: &mut Out) -> Result<(), Failure> {
    let (id, path) = (args.id, &args.path);
    let link = Link::from_id(id).map_err(in_context(format!("link {id}")))?;
    let (what, _) = describe(&link, &format!("link {id}"));
    let at = escape::display(path);
    link.pin(path).map_err(in_context(format!("{what} at {at}")))?;
    out.line(&format!("pinned {what} at {at}"))
}
