//! `bpflink list`.

use bpflink::{Link, Op};

use crate::failure::{Failure, warn};
use crate::format::Format;
use crate::out::Out;
use crate::pins::Pins;
use crate::row::Resolver;

/// List every BPF link on the system
///
/// One line per link: ID, TYPE, PROG, PROG_NAME, ATTACH_TYPE, TARGET; with
/// --json one JSON array of objects. Links released during the walk are
/// left out; a link another process is still creating is named on stderr
/// and left out.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    pub format: Format,
}

pub fn run(args: &Args, out: &mut Out) -> Result<(), Failure> {
    let mut res = Resolver::default();
    let pins = args.format.bpffs.then(Pins::find);
    let mut rows = Vec::new();
    let mut failed = 0;
    for link in Link::iter_all() {
        let link = match link {
            Ok(l) => l,
            Err(e) if e.op() == Op::NextId => return Err(e.into()),
            // Still being created after the library's bounded wait: not a
            // link yet (its creator does not have it either), like one
            // created just after the walk. Named, not counted as a failure.
            Err(e) if e.errno() == libc::EAGAIN => {
                warn(&format!("{e}; not listed"));
                continue;
            }
            Err(e) => {
                warn(&e.to_string());
                failed += 1;
                continue;
            }
        };
        match link.info() {
            Ok(info) => rows.push(res.row(&info, pins.as_ref())),
            Err(e) => {
                warn(&e.to_string());
                failed += 1;
            }
        }
    }
    args.format.rows(&rows, out)?;
    if failed > 0 {
        return Err(Failure::Other(format!(
            "{failed} link(s) could not be read"
        )));
    }
    Ok(())
}
