//! `bpflink completions`.

use clap_complete::Shell;

use crate::cli;
use crate::failure::Failure;
use crate::out::Out;

/// Print a shell completion script
///
/// For example:
///   bpflink completions bash > ~/.local/share/bash-completion/completions/bpflink
/// (`make install` installs the bash, zsh and fish ones).
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The shell
    #[arg(value_name = "SHELL")]
    pub shell: Shell,
}

pub fn run(args: &Args, out: &mut Out) -> Result<(), Failure> {
    // Generated into memory: clap_complete panics on a failed write.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cli::command(), "bpflink", &mut script);
    out.text(&String::from_utf8_lossy(&script))
}
