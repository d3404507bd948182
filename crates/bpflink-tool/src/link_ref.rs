//! The links a command names: `ID` (all digits) or the `PATH` of a pin.

use std::ffi::OsStr;
use std::path::Path;

use bpflink::{Info, Link};

use crate::escape;
use crate::failure::{Failure, in_context};

/// A positive id (a clap value parser).
pub fn parse_id(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(v) if v > 0 => Ok(v),
        _ => Err("must be a positive number".into()),
    }
}

/// Opens an id (all digits) or a pinned path; also returns how to name it.
pub fn open_link(target: &OsStr) -> Result<(Link, String), Failure> {
    let bytes = target.as_encoded_bytes();
    if !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit) {
        let digits = target.to_string_lossy();
        let id = parse_id(&digits).map_err(|why| Failure::Usage {
            message: format!("invalid link ID '{digits}': {why}"),
            hint: "try 'bpflink help'".into(),
        })?;
        let link = Link::from_id(id).map_err(in_context(format!("link {id}")))?;
        Ok((link, format!("link {id}")))
    } else {
        let path = Path::new(target);
        let name = escape::display(path);
        let link = Link::open_pinned(path).map_err(in_context(name.clone()))?;
        Ok((link, name))
    }
}

/// "link 12 (iter)" when the info can be read.
pub fn describe(link: &Link, fallback: &str) -> (String, Option<Info>) {
    match link.info() {
        Ok(i) => (format!("link {} ({})", i.id, i.link_type), Some(i)),
        Err(_) => (fallback.to_owned(), None),
    }
}
