//! The man page (`bpflink.1`, written by hand) is checked against the clap
//! definition: it names every command and every option, so it cannot fall
//! behind the tool without a test failing.

use crate::cli;

const MAN: &str = include_str!("../bpflink.1");

/// roff writes `-` as `\-`.
fn roff(s: &str) -> String {
    s.replace('-', "\\-")
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
    for cmd in top.get_subcommands().filter(|c| !c.is_hide_set()) {
        let name = cmd.get_name();
        if !MAN.contains(&format!(".B {name}")) && !MAN.contains(&format!("\\fB{name}")) {
            missing.push(format!("command {name}"));
        }
        for arg in cmd.get_arguments() {
            if let Some(l) = arg.get_long() {
                if !MAN.contains(&roff(&format!("--{l}"))) {
                    missing.push(format!("{name} --{l}"));
                }
            }
            if let Some(s) = arg.get_short() {
                if !MAN.contains(&roff(&format!("-{s}"))) {
                    missing.push(format!("{name} -{s}"));
                }
            }
            if arg.is_positional() {
                for v in arg.get_value_names().unwrap_or_default() {
                    for part in v.split('|') {
                        if !MAN.contains(&format!("\\fI{part}\\fR")) && !MAN.contains(part) {
                            missing.push(format!("{name} {part}"));
                        }
                    }
                }
            }
        }
    }
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
