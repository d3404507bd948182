//! The links a command names: `ID` (all digits) or the `PATH` of a pin.

use bpflink::{Info, Link};

use crate::failure::{Failure, in_context, usage};

/// A positive id (`what` names the argument in the message).
pub fn parse_id(s: &str, what: &str) -> Result<u32, Failure> {
    match s.parse::<u32>() {
        Ok(v) if v > 0 => Ok(v),
        _ => Err(usage(format!(
            "{what} must be a positive number, not '{s}'"
        ))),
    }
}

/// Opens an id (all digits) or a pinned path; also returns how to name it.
pub fn open_link(target: &str) -> Result<(Link, String), Failure> {
    if !target.is_empty() && target.bytes().all(|b| b.is_ascii_digit()) {
        let id = parse_id(target, "link ID")?;
        let link = Link::from_id(id).map_err(in_context(format!("link {id}")))?;
        Ok((link, format!("link {id}")))
    } else {
        let link = Link::open_pinned(target).map_err(in_context(target.to_owned()))?;
        Ok((link, target.to_owned()))
    }
}

/// "link 12 (iter)" when the info can be read.
pub fn describe(link: &Link, fallback: &str) -> (String, Option<Info>) {
    match link.info() {
        Ok(i) => (format!("link {} ({})", i.id, i.link_type), Some(i)),
        Err(_) => (fallback.to_owned(), None),
    }
}
