//! `bpflink show ID|PATH`: one link.

use crate::failure::{Failure, in_context};
use crate::link_ref::open_link;
use crate::row::Resolver;
use crate::{json, text};

pub struct Args {
    pub target: String,
    pub json: bool,
}

pub fn run(args: &Args) -> Result<(), Failure> {
    let (link, name) = open_link(&args.target)?;
    let info = link.info().map_err(in_context(name))?;
    let row = Resolver::default().row(&info);
    if args.json {
        println!("{}", json::row(&row));
    } else {
        print!("{}", text::fields(&row));
    }
    Ok(())
}
