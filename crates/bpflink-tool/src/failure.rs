//! How a command fails, and how that is told: the exit status and the
//! message on stderr (with a second line for the usual causes).

use std::io::Write as _;
use std::process::ExitCode;

use bpflink::Error;

use crate::escape;

/// Exit status of a failed command.
pub const EXIT_FAILURE: u8 = 1;
/// Exit status of a usage error.
pub const EXIT_USAGE: u8 = 2;
/// Exit status when standard output was closed before all was written (a
/// closed pipe): what a shell reports for a command killed by SIGPIPE
/// (128 + 13), which is what `cat`, `ls` and the like end with there.
/// bpflink is not killed (the Rust runtime ignores SIGPIPE, so the write
/// fails with EPIPE) and prints nothing about it.
pub const EXIT_CLOSED_OUTPUT: u8 = 128 + libc::SIGPIPE as u8;

/// Why a command did not succeed.
pub enum Failure {
    /// Bad arguments: one line, and where to find the usage.
    Usage { message: String, hint: String },
    /// The library said no; `context` says about what ("link 12 (xdp): ").
    Api { context: String, error: Error },
    /// Writing the output failed.
    Output(std::io::Error),
    /// Anything else, as a sentence.
    Other(String),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure::Api {
            context: String::new(),
            error,
        }
    }
}

/// Adds "link 12 (iter): " in front of an API error.
pub fn in_context(what: String) -> impl FnOnce(Error) -> Failure {
    move |error| Failure::Api {
        context: format!("{what}: "),
        error,
    }
}

/// One line on stderr, "bpflink: " in front, control characters escaped
/// (a message may name a path); a failed write is ignored (there is
/// nowhere left to say it).
pub fn warn(msg: &str) {
    let msg = escape::controls(msg);
    let _ = writeln!(std::io::stderr().lock(), "bpflink: {msg}");
}

/// Reports the outcome on stderr and turns it into the exit status.
pub fn exit_status(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage { message, hint }) => {
            warn(&message);
            warn(&hint);
            ExitCode::from(EXIT_USAGE)
        }
        Err(Failure::Api { context, error }) => {
            warn(&format!("{context}{error}"));
            if let Some(hint) = hint(&error) {
                warn(&hint);
            }
            ExitCode::from(EXIT_FAILURE)
        }
        Err(Failure::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::from(EXIT_CLOSED_OUTPUT)
        }
        Err(Failure::Output(e)) => {
            warn(&format!("writing the output: {e}"));
            ExitCode::from(EXIT_FAILURE)
        }
        Err(Failure::Other(msg)) => {
            warn(&msg);
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// A second line for the usual failures.
fn hint(e: &Error) -> Option<String> {
    // EPERM is the capability check; EACCES is about the object or path
    // (e.g. `show /tmp`: not a pinned object), which root gets too.
    if e.errno() == libc::EPERM && effective_uid().is_some_and(|u| u != 0) {
        return Some("you are not root: run bpflink as root (e.g. with sudo)".into());
    }
    if e.errno() == libc::ENOSYS {
        return Some("this kernel was built without CONFIG_BPF_SYSCALL".into());
    }
    None
}

/// The effective uid, from /proc/self/status (no unsafe needed).
fn effective_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}
