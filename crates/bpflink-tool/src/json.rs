//! JSON output: one object per link (`show`), an array of them (`list`).

use std::fmt::Write as _;

use crate::row::{Row, Value};

/// The object for one link: the common fields, the kind's fields, and the
/// human summary as `target`.
pub fn row(r: &Row) -> String {
    let mut o: Vec<(&str, Value)> = vec![
        ("id", Value::Int(r.id.into())),
        ("type", Value::Text(r.link_type.clone())),
        ("type_id", Value::Int(r.link_type_id.into())),
        ("prog_id", Value::Int(r.prog_id.into())),
        (
            "prog_name",
            r.prog
                .as_ref()
                .map_or(Value::Null, |p| Value::Text(p.name.clone())),
        ),
        (
            "prog_type",
            r.prog
                .as_ref()
                .map_or(Value::Null, |p| Value::Text(p.prog_type.to_string())),
        ),
        (
            "attach_type",
            r.attach_type
                .map_or(Value::Null, |a| Value::Text(a.to_string())),
        ),
        (
            "attach_type_id",
            r.attach_type
                .map_or(Value::Null, |a| Value::Int(a.0.into())),
        ),
    ];
    o.extend(r.target.fields.iter().map(|(k, v)| (*k, v.clone())));
    o.push(("target", Value::Text(r.target.text.clone())));
    let mut s = String::from("{");
    for (i, (k, v)) in o.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        quote(&mut s, k);
        s.push(':');
        value(&mut s, v);
    }
    s.push('}');
    s
}

/// The array of every row.
pub fn rows(rs: &[Row]) -> String {
    let items: Vec<String> = rs.iter().map(row).collect();
    format!("[{}]", items.join(","))
}

fn value(s: &mut String, v: &Value) {
    match v {
        Value::Null => s.push_str("null"),
        Value::Bool(b) => s.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => {
            let _ = write!(s, "{n}");
        }
        Value::Text(t) => quote(s, t),
        Value::Ints(ns) => {
            let items: Vec<String> = ns.iter().map(u64::to_string).collect();
            let _ = write!(s, "[{}]", items.join(","));
        }
    }
}

fn quote(s: &mut String, t: &str) {
    s.push('"');
    for c in t.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(s, "\\u{:04x}", c as u32);
            }
            c => s.push(c),
        }
    }
    s.push('"');
}
