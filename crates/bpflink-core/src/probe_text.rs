//! The text libbpf 1.7.0 reads and writes around kprobes, uprobes and
//! tracepoints (`libbpf.c`), as pure functions: numbers parsed from sysfs and
//! tracefs files the way its `fscanf` reads them, the tracefs paths and
//! `kprobe_events`/`uprobe_events` lines it writes, its legacy event names,
//! its glob matcher, and its search for a binary given by name.
#![forbid(unsafe_code)]

use core::ffi::CStr;

use super::errno::{Errno, Result};
use super::text::FixedStr;

/// `/sys/kernel/debug/tracing`: used instead of tracefs when it exists.
pub const DEBUGFS: &CStr = c"/sys/kernel/debug/tracing";
/// `/sys/kernel/tracing`.
pub const TRACEFS: &CStr = c"/sys/kernel/tracing";

/// The sysfs files of the kprobe/uprobe PMUs.
pub const KPROBE_TYPE: &CStr = c"/sys/bus/event_source/devices/kprobe/type";
pub const UPROBE_TYPE: &CStr = c"/sys/bus/event_source/devices/uprobe/type";
pub const KPROBE_RETPROBE: &CStr = c"/sys/bus/event_source/devices/kprobe/format/retprobe";
pub const UPROBE_RETPROBE: &CStr = c"/sys/bus/event_source/devices/uprobe/format/retprobe";

/// `MAX_EVENT_NAME_LEN`: legacy event names are cut to 63 bytes.
pub const MAX_EVENT_NAME_LEN: usize = 64;
/// `PATH_MAX`.
pub const PATH_MAX: usize = 4096;

/// The format `parse_uint_from_file` scans a file with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UintFormat {
    /// `"%d\n"` (PMU types, tracepoint and legacy event ids).
    Int,
    /// `"config:%d\n"` (the retprobe bit of a PMU's format).
    ConfigBit,
}

/// What `fscanf` made of a file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scanned {
    /// One conversion: the value (`fscanf` returned 1).
    Value(i32),
    /// The text ended before the number (`EOF`): libbpf answers `-EIO`.
    Eof,
    /// The text did not match (`fscanf` returned 0): libbpf answers
    /// `-errno`, whatever errno held.
    NoMatch,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// glibc's `fscanf(f, fmt, &int)` on the file's text: the literal prefix,
/// then `%d` (leading white space skipped, an optional sign, decimal
/// digits; the value as `strtol` gives it, saturated at `long`'s range,
/// then cut to `int`, as glibc stores it).
pub fn scan_uint(text: &[u8], fmt: UintFormat) -> Scanned {
    let mut rest = text;
    if fmt == UintFormat::ConfigBit {
        for &want in b"config:" {
            match rest.split_first() {
                None => return Scanned::Eof,
                Some((&b, tail)) if b == want => rest = tail,
                Some(_) => return Scanned::NoMatch,
            }
        }
    }
    while let Some((&b, tail)) = rest.split_first() {
        if !is_space(b) {
            break;
        }
        rest = tail;
    }
    if rest.is_empty() {
        return Scanned::Eof;
    }
    let mut negative = false;
    if let Some((&b, tail)) = rest.split_first() {
        if b == b'-' || b == b'+' {
            negative = b == b'-';
            rest = tail;
        }
    }
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return Scanned::NoMatch;
    }
    let mut v: i128 = 0;
    for &d in rest.get(..digits).unwrap_or(&[]) {
        v = (v * 10 + i128::from(d - b'0')).min(i128::from(i64::MAX) + 1);
    }
    if negative {
        v = -v;
    }
    let long = v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
    Scanned::Value(long as i32)
}

/// `parse_uint_from_file`'s answer from what `fscanf` made of the file:
/// the value (which may be negative: libbpf returns it as is), `-EIO` for
/// end of file, `-errno` for a mismatch (`errno_now`: whatever errno held,
/// possibly 0, which then reads as the value 0).
pub fn parse_uint_result(s: Scanned, errno_now: i32) -> i32 {
    match s {
        Scanned::Value(v) => v,
        Scanned::Eof => Errno(libc::EIO).negated(),
        Scanned::NoMatch => errno_now.wrapping_neg(),
    }
}

/// The tracefs directory libbpf uses: debugfs's `tracing` if it exists.
pub fn tracefs_root(use_debugfs: bool) -> &'static CStr {
    if use_debugfs { DEBUGFS } else { TRACEFS }
}

/// `<tracefs>/kprobe_events` or `<tracefs>/uprobe_events`.
pub fn probe_events_file(use_debugfs: bool, uprobe: bool) -> FixedStr<64> {
    let mut s = FixedStr::from_bytes(tracefs_root(use_debugfs).to_bytes());
    s.push(if uprobe {
        b"/uprobe_events"
    } else {
        b"/kprobe_events"
    });
    s
}

/// `<tracefs>/available_filter_functions` (`_addrs` when `addrs`).
pub fn filter_functions_file(use_debugfs: bool, addrs: bool) -> FixedStr<80> {
    let mut s = FixedStr::from_bytes(tracefs_root(use_debugfs).to_bytes());
    s.push(b"/available_filter_functions");
    if addrs {
        s.push(b"_addrs");
    }
    s
}

/// The event group of a legacy probe.
pub fn legacy_group(uprobe: bool, retprobe: bool) -> &'static [u8] {
    match (uprobe, retprobe) {
        (false, false) => b"kprobes",
        (false, true) => b"kretprobes",
        (true, false) => b"uprobes",
        (true, true) => b"uretprobes",
    }
}

/// `gen_probe_legacy_event_name`: `libbpf_<pid>_<index>_<name>_0x<offset>`,
/// cut to 63 bytes, every byte that is not an ASCII letter or digit turned
/// into `_`. `index` is the process-wide counter of legacy probes.
pub fn legacy_event_name(pid: u32, index: i32, name: &[u8], offset: usize) -> FixedStr<64> {
    let mut s = FixedStr::<MAX_EVENT_NAME_LEN>::new();
    s.push(b"libbpf_")
        .push_u64(u64::from(pid))
        .push(b"_")
        .push_i64(i64::from(index))
        .push(b"_")
        .push(name)
        .push(b"_")
        .push_hex(offset as u64);
    let mut out = FixedStr::<MAX_EVENT_NAME_LEN>::new();
    for &b in s.as_bytes() {
        out.push_byte(if b.is_ascii_alphanumeric() { b } else { b'_' });
    }
    out
}

/// `append_to_file`'s buffer: a line of 1024 bytes or more is `-EINVAL`.
pub type EventLine = FixedStr<1024>;

fn line_or_einval(line: EventLine) -> Result<EventLine> {
    // vsnprintf's `n >= sizeof(buf)`: the text did not fit with its NUL.
    if line.truncated() {
        return Err(Errno::EINVAL);
    }
    Ok(line)
}

/// `p:kprobes/<event> <func>+0x<offset>` (or `r:kretprobes/…`), the line
/// `add_kprobe_event_legacy` appends to `kprobe_events`.
pub fn kprobe_add_line(
    event: &[u8],
    retprobe: bool,
    func: &[u8],
    offset: usize,
) -> Result<EventLine> {
    let mut l = EventLine::new();
    l.push(if retprobe { b"r:" } else { b"p:" })
        .push(legacy_group(false, retprobe))
        .push(b"/")
        .push(event)
        .push(b" ")
        .push(func)
        .push(b"+")
        .push_hex(offset as u64);
    line_or_einval(l)
}

/// `p:uprobes/<event> <path>:0x<offset>` (or `r:uretprobes/…`), the line
/// `add_uprobe_event_legacy` appends to `uprobe_events`.
pub fn uprobe_add_line(
    event: &[u8],
    retprobe: bool,
    path: &[u8],
    offset: usize,
) -> Result<EventLine> {
    let mut l = EventLine::new();
    l.push(if retprobe { b"r:" } else { b"p:" })
        .push(legacy_group(true, retprobe))
        .push(b"/")
        .push(event)
        .push(b" ")
        .push(path)
        .push(b":")
        .push_hex(offset as u64);
    line_or_einval(l)
}

/// `-:<group>/<event>`, the line that removes a legacy probe.
pub fn remove_line(event: &[u8], uprobe: bool, retprobe: bool) -> Result<EventLine> {
    let mut l = EventLine::new();
    l.push(b"-:")
        .push(legacy_group(uprobe, retprobe))
        .push(b"/")
        .push(event);
    line_or_einval(l)
}

/// `<tracefs>/events/<group>/<event>/id` of a legacy probe, in libbpf's
/// buffer (256 bytes for kprobes, 512 for uprobes), cut silently like its
/// `snprintf`.
pub fn legacy_id_path(
    use_debugfs: bool,
    uprobe: bool,
    retprobe: bool,
    event: &[u8],
) -> FixedStr<512> {
    let mut s = FixedStr::<512>::new();
    s.push(tracefs_root(use_debugfs).to_bytes())
        .push(b"/events/")
        .push(legacy_group(uprobe, retprobe))
        .push(b"/")
        .push(event)
        .push(b"/id");
    if !uprobe && s.len() > 255 {
        return FixedStr::from_bytes(s.as_bytes().get(..255).unwrap_or(&[]));
    }
    s
}

/// `<tracefs>/events/<category>/<name>/id` of a tracepoint; `E2BIG` when
/// it does not fit in `PATH_MAX` (libbpf's debug message
/// "tracepoint %s/%s path is too long").
pub fn tracepoint_id_path(
    use_debugfs: bool,
    category: &[u8],
    name: &[u8],
) -> Result<FixedStr<PATH_MAX>> {
    let mut s = FixedStr::<PATH_MAX>::new();
    s.push(tracefs_root(use_debugfs).to_bytes())
        .push(b"/events/")
        .push(category)
        .push(b"/")
        .push(name)
        .push(b"/id");
    if s.truncated() {
        return Err(Errno::E2BIG);
    }
    Ok(s)
}

/// libbpf's `glob_match` (from perf): `?` matches one byte, `*` any run of
/// bytes; everything else matches itself.
pub fn glob_match(s: &[u8], pat: &[u8]) -> bool {
    let (mut si, mut pi) = (0usize, 0usize);
    let at = |b: &[u8], i: usize| b.get(i).copied().unwrap_or(0);
    while at(s, si) != 0 && at(pat, pi) != 0 && at(pat, pi) != b'*' {
        if at(pat, pi) == b'?' {
            si += 1;
            pi += 1;
            continue;
        }
        if at(s, si) != at(pat, pi) {
            return false;
        }
        si += 1;
        pi += 1;
    }
    if at(pat, pi) == b'*' {
        while at(pat, pi) == b'*' {
            pi += 1;
        }
        if at(pat, pi) == 0 {
            return true;
        }
        let rest = pat.get(pi..).unwrap_or(&[]);
        while at(s, si) != 0 {
            if glob_match(s.get(si..).unwrap_or(&[]), rest) {
                return true;
            }
            si += 1;
        }
    }
    at(s, si) == 0 && at(pat, pi) == 0
}

/// Whether a pattern has a wildcard (`strpbrk(pattern, "*?")`).
pub fn has_wildcard(pat: &[u8]) -> bool {
    pat.iter().any(|&b| b == b'*' || b == b'?')
}

/// `/lib/<multiarch>`: where libbpf looks for a library last
/// (`arch_specific_lib_paths`).
pub fn arch_lib_dir() -> Option<&'static [u8]> {
    if cfg!(target_arch = "x86_64") {
        Some(b"/lib/x86_64-linux-gnu")
    } else if cfg!(target_arch = "aarch64") {
        Some(b"/lib/aarch64-linux-gnu")
    } else if cfg!(target_arch = "s390x") {
        Some(b"/lib/s390x-linux-gnu")
    } else if cfg!(target_arch = "riscv64") {
        Some(b"/lib/riscv64-linux-gnu")
    } else if cfg!(all(target_arch = "powerpc64", target_endian = "little")) {
        Some(b"/lib/powerpc64le-linux-gnu")
    } else {
        None
    }
}

/// What `resolve_full_path` searches for a file given without a `/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Search<'a> {
    /// The `:`-separated lists, in order: `LD_LIBRARY_PATH` (or `PATH`),
    /// the fixed defaults, and the multiarch directory for libraries.
    pub lists: [Option<&'a [u8]>; 3],
    /// `faccessat` mode: `R_OK` for a library, `R_OK|X_OK` for a program.
    pub mode: i32,
}

/// A name ending in `.so` or containing `.so.` is a library.
pub fn is_library_name(file: &[u8]) -> bool {
    file.ends_with(b".so") || file.windows(4).any(|w| w == b".so.")
}

/// The lists `resolve_full_path` walks for `file`, given the environment
/// variable libbpf reads (`LD_LIBRARY_PATH` for libraries, `PATH`
/// otherwise; the caller passes the right one's value).
pub fn search_for<'a>(file: &[u8], env: Option<&'a [u8]>) -> Search<'a> {
    if is_library_name(file) {
        Search {
            lists: [env, Some(b"/usr/lib64:/usr/lib"), arch_lib_dir()],
            mode: libc::R_OK,
        }
    } else {
        Search {
            lists: [env, Some(b"/usr/bin:/usr/sbin"), None],
            mode: libc::R_OK | libc::X_OK,
        }
    }
}

/// `resolve_full_path`: the first `<dir>/<file>` (cut to `PATH_MAX` like
/// its `snprintf`) that `accessible` (faccessat with `AT_EACCESS`) accepts,
/// walking every non-empty element of each list in order; `ENOENT` if
/// none.
pub fn resolve_full_path(
    file: &[u8],
    search: &Search<'_>,
    accessible: &mut dyn FnMut(&CStr, i32) -> bool,
) -> Result<FixedStr<PATH_MAX>> {
    for list in search.lists.iter().flatten() {
        for dir in list.split(|&b| b == b':') {
            if dir.is_empty() {
                continue;
            }
            let mut candidate = FixedStr::<PATH_MAX>::new();
            candidate.push(dir).push(b"/").push(file);
            if accessible(candidate.as_c_str(), search.mode) {
                return Ok(candidate);
            }
        }
    }
    Err(Errno::ENOENT)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn glob() {
        assert!(glob_match(b"malloc", b"malloc"));
        assert!(glob_match(b"malloc", b"mal*"));
        assert!(glob_match(b"malloc", b"*"));
        assert!(glob_match(b"malloc", b"m?lloc"));
        assert!(glob_match(b"malloc", b"*oc"));
        assert!(!glob_match(b"malloc", b"*oc?"));
        assert!(!glob_match(b"malloc", b"mallo"));
        assert!(glob_match(b"", b"*"));
        assert!(!glob_match(b"", b"?"));
    }
}
