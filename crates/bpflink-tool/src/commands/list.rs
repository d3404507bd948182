//! `bpflink list`: every BPF link on the system.

use bpflink::{Link, Op};

use crate::failure::Failure;
use crate::row::Resolver;
use crate::{json, text};

pub struct Args {
    pub json: bool,
}

pub fn run(args: &Args) -> Result<(), Failure> {
    let mut res = Resolver::default();
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
    if args.json {
        println!("{}", json::rows(&rows));
    } else {
        print!("{}", text::table(&rows));
    }
    if failed > 0 {
        return Err(Failure::Other(format!(
            "{failed} link(s) could not be read"
        )));
    }
    Ok(())
}
