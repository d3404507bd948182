//! `bpflink detach`.

use std::ffi::OsString;

use crate::failure::{Failure, in_context};
use crate::link_ref::{describe, open_link};
use crate::out::Out;

/// Detach a link from its hook (the link itself stays until closed)
///
/// Not every link type can be detached: iter, tracing, raw tracepoint,
/// perf_event and uprobe_multi links answer "not supported".
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The link's id, or the path of a pin on bpffs
    #[arg(value_name = "ID|PATH")]
    pub target: OsString,
}

pub fn run(args: &Args, out: &mut Out) -> Result<(), Failure> {
    let (link, name) = open_link(&args.target)?;
    let (what, _) = describe(&link, &name);
    link.detach().map_err(in_context(what.clone()))?;
    out.line(&format!("detached {what}"))
}
