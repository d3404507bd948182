//! `bpflink show`.

use std::ffi::OsString;

use crate::failure::{Failure, in_context};
use crate::format::Format;
use crate::link_ref::open_link;
use crate::out::Out;
use crate::pins::Pins;
use crate::row::Resolver;

/// Show one link, by id or by a path where it is pinned
///
/// One "key: value" line per field; with --json one JSON object, the same
/// object `list --json` has for it.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The link's id, or the path of a pin on bpffs
    #[arg(value_name = "ID|PATH")]
    pub target: OsString,
    #[command(flatten)]
    pub format: Format,
}

pub fn run(args: &Args, out: &mut Out) -> Result<(), Failure> {
    let (link, name) = open_link(&args.target)?;
    let info = link.info().map_err(in_context(name))?;
    let pins = args.format.bpffs.then(Pins::find);
    let row = Resolver::default().row(&info, pins.as_ref());
    args.format.row(&row, out)
}
