//! The command line (clap, derived): the commands, their arguments and
//! their help, and usage errors as one line and a hint.

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, Parser};

use crate::commands::Command;
use crate::failure::Failure;

/// What `bpflink version` and `--version` print after "bpflink ": the
/// crate's version and the libbpf release whose link API it implements
/// (the Makefile's LIBBPF_ABI; a test checks they agree).
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (libbpf v1.7.0 link API)");

/// The long help's closing text: what every command shares.
const AFTER_HELP: &str = "\
Needs root (CAP_BPF / CAP_SYS_ADMIN). Interface names and cgroup paths are
looked up in bpflink's own network and mount namespace (link info carries
only the ifindex and the cgroup id).

Exit status: 0 ok, 1 failure, 2 usage error, 141 output closed early (a
closed pipe, as in `bpflink list | head -1`).

See bpflink(1) for the output formats.";

/// List, show, pin, detach and update BPF links (like `bpftool link`).
#[derive(Parser)]
#[command(
    name = "bpflink",
    version = VERSION,
    after_help = AFTER_HELP,
    subcommand_value_name = "COMMAND",
    disable_help_subcommand = false,
    propagate_version = false
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The clap definition (for help, completions and the man page check).
pub fn command() -> clap::Command {
    Cli::command()
}

/// What the command line asks for.
pub enum Parsed {
    Run(Command),
    /// `--help`, `help CMD`, `--version`: text for stdout.
    Print(String),
}

pub fn parse(args: Vec<OsString>) -> Result<Parsed, Failure> {
    match Cli::try_parse_from(&args) {
        Ok(cli) => Ok(Parsed::Run(cli.command)),
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            Ok(Parsed::Print(e.render().to_string()))
        }
        Err(e) => Err(Failure::Usage {
            message: one_line(&e),
            hint: format!("try '{} --help'", command_path(&args)),
        }),
    }
}

/// clap's error as one line: its first line, with the suggestions it makes
/// (a similar argument or command) in parentheses.
fn one_line(e: &clap::Error) -> String {
    if let (ErrorKind::MissingRequiredArgument, Some(ContextValue::Strings(missing))) =
        (e.kind(), e.get(ContextKind::InvalidArg))
    {
        return format!("missing {}", missing.join(", "));
    }
    if matches!(
        e.kind(),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let names: Vec<String> = command()
            .get_subcommands()
            .filter(|c| !c.is_hide_set())
            .map(|c| c.get_name().to_owned())
            .collect();
        return format!("no command given (one of: {})", names.join(", "));
    }
    let rendered = e.render().to_string();
    let first = rendered.lines().next().unwrap_or("usage error");
    let mut line = first.strip_prefix("error: ").unwrap_or(first).to_owned();
    let tips: Vec<String> = [ContextKind::SuggestedArg, ContextKind::SuggestedSubcommand]
        .into_iter()
        .filter_map(|k| match e.get(k) {
            Some(ContextValue::String(s)) => Some(s.clone()),
            Some(ContextValue::Strings(v)) => Some(v.join("' or '")),
            _ => None,
        })
        .collect();
    if !tips.is_empty() {
        line.push_str(&format!(" (did you mean '{}'?)", tips.join("' or '")));
    }
    line
}

/// "bpflink show" when the arguments name a command, else "bpflink".
fn command_path(args: &[OsString]) -> String {
    let cmd = command();
    let named = args
        .iter()
        .skip(1)
        .filter_map(|a| a.to_str())
        .find(|a| !a.starts_with('-'))
        .and_then(|a| cmd.find_subcommand(a))
        .map(|c| c.get_name().to_owned());
    match named {
        Some(name) => format!("bpflink {name}"),
        None => "bpflink".into(),
    }
}

#[cfg(test)]
mod tests {
    /// The libbpf release named in the version text is the Makefile's
    /// LIBBPF_ABI (checked where the repository is at hand, not in a
    /// packaged crate).
    #[test]
    fn version_names_the_libbpf_abi() {
        let makefile = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Makefile");
        let Ok(text) = std::fs::read_to_string(makefile) else {
            return;
        };
        let abi = text
            .lines()
            .find_map(|l| l.strip_prefix("LIBBPF_ABI"))
            .and_then(|l| l.split(":=").nth(1))
            .map(str::trim)
            .unwrap_or_default();
        assert!(
            super::VERSION.ends_with(&format!("(libbpf v{abi} link API)")),
            "{} vs LIBBPF_ABI {abi}",
            super::VERSION
        );
    }
}
