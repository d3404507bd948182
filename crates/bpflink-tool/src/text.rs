//! Text output: `list`'s table and `show`'s key/value lines. Every name
//! from the kernel or the filesystem is escaped (`escape.rs`): one link is
//! one line, whatever its names hold.

use std::fmt::Write as _;

use crate::escape;
use crate::row::{Row, Value};

/// `list`: one line per link under a header, columns padded; the last
/// column (TARGET) is free text.
pub fn table(rows: &[Row]) -> String {
    let head = ["ID", "TYPE", "PROG", "PROG_NAME", "ATTACH_TYPE", "TARGET"];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.id.to_string(),
                r.link_type.clone(),
                r.prog_id.to_string(),
                r.prog_name(),
                r.attach_name(),
                r.target.text.clone(),
            ]
        })
        .collect();
    let mut width = head.map(str::len);
    for row in &cells {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: [&str; 6]| {
        let mut l = String::new();
        for (i, (c, w)) in cols.iter().zip(width).enumerate() {
            if i + 1 == cols.len() {
                l.push_str(c);
            } else {
                let _ = write!(l, "{c:<w$}  ");
            }
        }
        let mut l = l.trim_end().to_owned();
        l.push('\n');
        l
    };
    let mut out = line(head);
    for (row, r) in cells.iter().zip(rows) {
        out.push_str(&line([
            &row[0], &row[1], &row[2], &row[3], &row[4], &row[5],
        ]));
        // --bpffs: the pins below the row, indented (as bpftool prints).
        for pin in r.pinned.iter().flatten() {
            let _ = writeln!(out, "    pinned {}", escape::display(pin));
        }
    }
    if rows.is_empty() {
        out.push_str("(no links)\n");
    }
    out
}

/// `show`: one `key: value` line each.
pub fn fields(row: &Row) -> String {
    let mut v = vec![
        ("id".to_owned(), row.id.to_string()),
        ("type".into(), row.link_type.clone()),
        (
            "prog".into(),
            match &row.prog {
                Some(p) => format!("{} ({}, {})", row.prog_id, row.prog_name(), p.prog_type),
                None => row.prog_id.to_string(),
            },
        ),
    ];
    if let Some(a) = row.attach_type {
        v.push(("attach_type".into(), a.to_string()));
    }
    if !row.target.text.is_empty() {
        v.push(("target".into(), row.target.text.clone()));
    }
    for (k, val) in &row.target.fields {
        v.push(((*k).to_owned(), plain(val)));
    }
    for pin in row.pinned.iter().flatten() {
        v.push(("pinned".into(), escape::display(pin)));
    }
    let mut out = String::new();
    for (k, val) in v {
        let _ = writeln!(out, "{:<14}{val}", format!("{k}:"));
    }
    out
}

/// A field's value as text: strings unquoted, `-` for none.
fn plain(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(n) => n.to_string(),
        Value::Text(t) => escape::text(t),
        Value::Bytes(b) => escape::bytes(b),
        Value::Ints(ns) => {
            let items: Vec<String> = ns.iter().map(u64::to_string).collect();
            format!("[{}]", items.join(","))
        }
    }
}
