//! The man page (`bpflink.1`, written by hand) is checked against the clap
//! definition: it names every command and every option, so it cannot fall
//! behind the tool without a test failing.

use crate::cli;

const MAN: &str = include_str!("../bpflink.1");

/// roff writes `-` as `\-`.
fn roff(s: &str) -> String {
    s.replace('-', "\\-")
}

/// Whether the page names command `name` in bold (`.B name` or `\fBname`),
/// as a whole word.
fn names_command(name: &str) -> bool {
    let word_end = |rest: &str| rest.is_empty() || rest.starts_with([' ', '\n', '\\']);
    [format!(".B {name}"), format!("\\fB{name}")]
        .iter()
        .any(|pat| {
            MAN.match_indices(pat.as_str())
                .any(|(i, _)| word_end(&MAN[i + pat.len()..]))
        })
}

/// What `cmd` (at `path`, e.g. "attach uprobe") and its subcommands take
/// that the page does not mention.
fn missing_in(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
    for arg in cmd.get_arguments() {
        if let Some(l) = arg.get_long() {
            if !MAN.contains(&roff(&format!("--{l}"))) {
                missing.push(format!("{path} --{l}"));
            }
        }
        if let Some(s) = arg.get_short() {
            if !MAN.contains(&roff(&format!("-{s}"))) {
                missing.push(format!("{path} -{s}"));
            }
        }
        if arg.is_positional() {
            for v in arg.get_value_names().unwrap_or_default() {
                for part in v.split(['|', ':', '/']) {
                    if !MAN.contains(&format!("\\fI{part}\\fR")) && !MAN.contains(part) {
                        missing.push(format!("{path} {part}"));
                    }
                }
            }
        }
    }
    for sub in cmd.get_subcommands().filter(|c| !c.is_hide_set()) {
        let name = sub.get_name();
        if name == "help" && !path.is_empty() {
            continue; // clap's own `help` of a command with subcommands
        }
        if !names_command(&roff(name)) {
            missing.push(
                format!("command {} {name}", path)
                    .trim()
                    .replace("command  ", "command "),
            );
        }
        let sub_path = if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path} {name}")
        };
        missing_in(sub, &sub_path, missing);
    }
}

#[test]
fn man_page_names_every_command_and_option() {
    let top = cli::command();
    let mut missing = Vec::new();
    for arg in top.get_arguments() {
        if let Some(l) = arg.get_long() {
            if !MAN.contains(&roff(&format!("--{l}"))) {
                missing.push(format!("bpflink --{l}"));
            }
        }
    }
    missing_in(&top, "", &mut missing);
    assert!(missing.is_empty(), "bpflink.1 does not mention {missing:?}");
}

#[test]
fn man_page_and_help_agree_on_the_version() {
    let v = env!("CARGO_PKG_VERSION");
    assert!(
        MAN.contains(&format!("\"bpflink {v}\"")),
        "update .TH in bpflink.1"
    );
}
