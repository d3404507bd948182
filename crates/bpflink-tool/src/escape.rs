//! Text from the kernel and the filesystem (file, cgroup, interface and
//! pin names) is shown escaped, so that it cannot forge output lines, move
//! the cursor, clear the screen or reorder what follows (docs/tool.md,
//! "Output you can trust").
//!
//! The rules (C-like, reversible):
//!
//! * `\` → `\\`; newline, tab, carriage return → `\n`, `\t`, `\r`;
//! * every other C0 control and DEL → `\xHH` (ESC is `\x1b`);
//! * a byte that is not part of valid UTF-8 → `\xHH`;
//! * C1 controls (U+0080–U+009F), line and paragraph separators, bidi
//!   controls and zero-width characters → `\u{XXXX}`;
//! * everything else as it is.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// Characters that are printable but change how the rest of a line looks
/// or reads (bidirectional overrides, invisible joiners, separators).
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{061c}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
    )
}

fn push_char(out: &mut String, c: char, backslash: bool) {
    match c {
        '\\' if backslash => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if (c as u32) < 0x20 || c == '\u{7f}' => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if ('\u{80}'..='\u{9f}').contains(&c) || is_invisible_format(c) => {
            let _ = write!(out, "\\u{{{:04x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// Any bytes, escaped for a terminal.
pub fn bytes(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            push_char(&mut out, c, true);
        }
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02x}");
        }
    }
    out
}

/// A string, escaped for a terminal.
pub fn text(s: &str) -> String {
    bytes(s.as_bytes())
}

/// A path (or any OS string), escaped for a terminal.
pub fn path(p: impl AsRef<OsStr>) -> String {
    bytes(p.as_ref().as_bytes())
}

/// A path as `Path::display` would show it, escaped.
pub fn display(p: &Path) -> String {
    path(p.as_os_str())
}

/// Only the control and invisible characters of `s` escaped, backslashes
/// left alone: for messages that may hold both text escaped already and
/// raw text (a library error naming a path).
pub fn controls(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_char(&mut out, c, false);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(text("/usr/bin/bash"), "/usr/bin/bash");
        assert_eq!(
            text("dev lo (ifindex 1) äöü 日本"),
            "dev lo (ifindex 1) äöü 日本"
        );
    }

    #[test]
    fn controls_and_backslash_are_escaped() {
        assert_eq!(
            text("evil\n42 xdp 7\x1b[2J\t\r\\"),
            "evil\\n42 xdp 7\\x1b[2J\\t\\r\\\\"
        );
        assert_eq!(text("\0\x07\x7f"), "\\x00\\x07\\x7f");
        assert_eq!(text("a\u{85}b\u{9b}c"), "a\\u{0085}b\\u{009b}c");
        assert_eq!(
            text("x\u{202e}gpj.exe\u{2066}\u{200b}\u{2028}"),
            "x\\u{202e}gpj.exe\\u{2066}\\u{200b}\\u{2028}"
        );
    }

    #[test]
    fn invalid_utf8_bytes_are_escaped() {
        assert_eq!(bytes(b"/tmp/\xff\xfe-x"), "/tmp/\\xff\\xfe-x");
        // A truncated sequence, then valid text.
        assert_eq!(bytes(b"\xe6\x97 ok"), "\\xe6\\x97 ok");
    }

    #[test]
    fn escaped_output_has_no_control_characters() {
        let all: Vec<u8> = (0..=255).collect();
        let e = bytes(&all);
        assert!(e.chars().all(|c| !c.is_control()), "{e:?}");
        assert!(!e.contains('\n'));
    }

    #[test]
    fn controls_leaves_backslashes() {
        assert_eq!(controls("a\\x1b b\x1b\n"), "a\\x1b b\\x1b\\n");
    }
}
