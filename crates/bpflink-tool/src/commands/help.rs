//! `bpflink help`: the usage.

use crate::cli::USAGE;
use crate::failure::Failure;

pub struct Args;

pub fn run(_: &Args) -> Result<(), Failure> {
    println!("{USAGE}");
    Ok(())
}
