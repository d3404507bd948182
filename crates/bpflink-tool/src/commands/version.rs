//! `bpflink version`.

use crate::failure::Failure;
use crate::out::Out;

/// Print the version
#[derive(clap::Args)]
pub struct Args {}

pub fn run(_: &Args, out: &mut Out) -> Result<(), Failure> {
    out.line(&format!(
        "bpflink {} (libbpf v1.7.0 link API)",
        env!("CARGO_PKG_VERSION")
    ))
}
