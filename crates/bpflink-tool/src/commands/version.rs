//! `bpflink version`.

use crate::cli;
use crate::failure::Failure;
use crate::out::Out;

/// Print the version
#[derive(clap::Args)]
pub struct Args {}

pub fn run(_: &Args, out: &mut Out) -> Result<(), Failure> {
    out.line(&format!("bpflink {}", cli::VERSION))
}
