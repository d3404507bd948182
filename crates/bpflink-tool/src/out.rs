//! Standard output, buffered, with write errors returned (never a panic,
//! as `println!` does on a closed pipe).

use std::io::{self, BufWriter, StdoutLock, Write};

use crate::failure::Failure;

pub struct Out {
    w: BufWriter<StdoutLock<'static>>,
}

impl Out {
    pub fn stdout() -> Out {
        Out {
            w: BufWriter::new(io::stdout().lock()),
        }
    }

    /// Writes `s` as is.
    pub fn text(&mut self, s: &str) -> Result<(), Failure> {
        self.w.write_all(s.as_bytes()).map_err(Failure::Output)
    }

    /// Writes `s` and a newline.
    pub fn line(&mut self, s: &str) -> Result<(), Failure> {
        self.text(s)?;
        self.text("\n")
    }

    /// Writes out what is buffered.
    pub fn flush(&mut self) -> Result<(), Failure> {
        self.w.flush().map_err(Failure::Output)
    }
}
