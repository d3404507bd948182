//! JSON output (serde_json): one object per link (`show`), an array of
//! them (`list`). Keys keep the order below; docs/tool.md lists them.
//!
//! Names that need not be UTF-8 (file, cgroup, interface and pin names)
//! stay recoverable: the field holds the text (each byte that is not
//! valid UTF-8 shown as U+FFFD), and when there is such a byte a second
//! field `<key>_hex` holds the exact bytes as lowercase hex (for `pinned`:
//! an array of them, one per pin).

use std::os::unix::ffi::OsStrExt;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::row::{Row, Value};

/// Compact (one line) or pretty (indented).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Compact,
    Pretty,
}

/// The object for one link: the common fields, the kind's fields, the
/// human summary as `target`, and `pinned` when asked.
pub fn row(r: &Row, style: Style) -> String {
    render(&Obj(r), style)
}

/// The array of every row.
pub fn rows(rs: &[Row], style: Style) -> String {
    render(&Arr(rs), style)
}

fn render(v: &impl Serialize, style: Style) -> String {
    let r = match style {
        Style::Compact => serde_json::to_string(v),
        Style::Pretty => serde_json::to_string_pretty(v),
    };
    // Serializing these types into memory cannot fail (no maps with
    // non-string keys, no I/O); say so rather than panic if it ever did.
    r.unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

struct Arr<'a>(&'a [Row]);

impl Serialize for Arr<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for r in self.0 {
            seq.serialize_element(&Obj(r))?;
        }
        seq.end()
    }
}

struct Obj<'a>(&'a Row);

impl Serialize for Obj<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &r.id)?;
        m.serialize_entry("type", &r.link_type)?;
        m.serialize_entry("type_id", &r.link_type_id)?;
        m.serialize_entry("prog_id", &r.prog_id)?;
        m.serialize_entry("prog_name", &r.prog.as_ref().map(|p| &p.name))?;
        m.serialize_entry(
            "prog_type",
            &r.prog.as_ref().map(|p| p.prog_type.to_string()),
        )?;
        m.serialize_entry("attach_type", &r.attach_type.map(|a| a.to_string()))?;
        m.serialize_entry("attach_type_id", &r.attach_type.map(|a| a.0))?;
        for (k, v) in &r.target.fields {
            m.serialize_entry(k, v)?;
            if let Value::Bytes(b) = v {
                if std::str::from_utf8(b).is_err() {
                    m.serialize_entry(&format!("{k}_hex"), &hex(b))?;
                }
            }
        }
        m.serialize_entry("target", &r.target.text)?;
        if let Some(pins) = &r.pinned {
            let raw: Vec<&[u8]> = pins.iter().map(|p| p.as_os_str().as_bytes()).collect();
            let text: Vec<String> = raw.iter().map(|b| lossy(b)).collect();
            m.serialize_entry("pinned", &text)?;
            if raw.iter().any(|b| std::str::from_utf8(b).is_err()) {
                let hexes: Vec<String> = raw.iter().map(|b| hex(b)).collect();
                m.serialize_entry("pinned_hex", &hexes)?;
            }
        }
        m.end()
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_none(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(n) => s.serialize_i128(*n),
            Value::Text(t) => s.serialize_str(t),
            Value::Bytes(b) => s.serialize_str(&lossy(b)),
            Value::Ints(ns) => ns.serialize(s),
        }
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Lowercase hex, two digits a byte.
pub fn hex(b: &[u8]) -> String {
    use std::fmt::Write as _;
    b.iter()
        .fold(String::with_capacity(b.len() * 2), |mut s, x| {
            let _ = write!(s, "{x:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_two_lowercase_digits_a_byte() {
        assert_eq!(hex(b"/\xff\n"), "2fff0a");
        assert_eq!(hex(b""), "");
    }
}
