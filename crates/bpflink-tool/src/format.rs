//! How `list` and `show` print: the `--json`, `--pretty` and `--bpffs`
//! options, and the choice between `text.rs` and `json.rs`.

use crate::failure::Failure;
use crate::out::Out;
use crate::row::Row;
use crate::{json, text};

/// The output options `list` and `show` share (bpftool's `-j`, `-p`, `-f`).
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct Format {
    /// JSON output (bpflink(1) lists the fields)
    #[arg(short, long)]
    pub json: bool,
    /// Pretty-printed JSON (implies --json)
    #[arg(short, long)]
    pub pretty: bool,
    /// Also show where each link is pinned (walks every mounted bpffs)
    #[arg(short = 'f', long)]
    pub bpffs: bool,
}

impl Format {
    fn json(self) -> Option<json::Style> {
        match (self.json, self.pretty) {
            (_, true) => Some(json::Style::Pretty),
            (true, false) => Some(json::Style::Compact),
            (false, false) => None,
        }
    }

    /// `list`'s output.
    pub fn rows(self, rows: &[Row], out: &mut Out) -> Result<(), Failure> {
        match self.json() {
            Some(style) => out.line(&json::rows(rows, style)),
            None => out.text(&text::table(rows)),
        }
    }

    /// `show`'s output.
    pub fn row(self, row: &Row, out: &mut Out) -> Result<(), Failure> {
        match self.json() {
            Some(style) => out.line(&json::row(row, style)),
            None => out.text(&text::fields(row)),
        }
    }
}
