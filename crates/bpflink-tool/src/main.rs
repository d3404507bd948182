//! `bpflink`: list, show, pin, detach and update BPF links, built on the
//! safe Rust crate (`bpflink`). docs/tool.md documents the commands; the
//! man page is `bpflink.1` beside this crate's Cargo.toml.
//!
//! One job per module:
//!
//! * `cli` — the command line (clap) to a `commands::Command`, usage errors;
//! * `commands` — one module per command (its arguments, help and work);
//! * `link_ref` — the `ID|PATH` a command names, opened;
//! * `row` — what is shown about a link, decoded and with names looked up;
//! * `pins` — where links are pinned (`--bpffs`);
//! * `format` — the output options; `text`, `json` — the two formats;
//! * `escape` — names from the kernel and filesystem, made safe to print;
//! * `out` — standard output; `failure` — messages and exit statuses.

mod cli;
mod commands;
mod escape;
mod failure;
mod format;
mod json;
mod link_ref;
#[cfg(test)]
mod manpage;
mod out;
mod pins;
mod row;
mod text;

use std::process::ExitCode;

use cli::Parsed;
use out::Out;

fn main() -> ExitCode {
    let mut out = Out::stdout();
    let result = match cli::parse(std::env::args_os().collect()) {
        Ok(Parsed::Run(command)) => commands::run(command, &mut out),
        Ok(Parsed::Print(mut text)) => {
            if !text.ends_with('\n') {
                text.push('\n');
            }
            out.text(&text)
        }
        Err(e) => Err(e),
    };
    // What was written so far goes out even when the command failed.
    let result = match (result, out.flush()) {
        (Ok(()), flushed) => flushed,
        (Err(e), _) => Err(e),
    };
    failure::exit_status(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        cli::command().debug_assert();
    }
}
