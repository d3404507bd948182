//! `bpflink`: list, show, pin, detach and update BPF links, built on the
//! safe Rust crate (`bpflink`). docs/tool.md documents the commands.
//!
//! One job per module:
//!
//! * `cli` — the command line to a `commands::Command`;
//! * `commands` — one module per command (its arguments and its work);
//! * `link_ref` — the `ID|PATH` a command names, opened;
//! * `row` — what is shown about a link, decoded and with names looked up;
//! * `text`, `json` — the two output formats;
//! * `failure` — failures to messages and exit statuses.

mod cli;
mod commands;
mod failure;
mod json;
mod link_ref;
mod row;
mod text;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = cli::parse(&args).and_then(commands::run);
    failure::exit_status(result, cli::USAGE)
}
