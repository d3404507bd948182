//! `bpflink version`.

use crate::failure::Failure;

pub struct Args;

pub fn run(_: &Args) -> Result<(), Failure> {
    println!(
        "bpflink {} (libbpf v1.7.0 link API)",
        env!("CARGO_PKG_VERSION")
    );
    Ok(())
}
