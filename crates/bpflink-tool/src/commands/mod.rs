//! One module per command: its arguments (`Args`) and what it does
//! (`run`). `cli.rs` turns the command line into a [`Command`]; adding a
//! command is a new module here plus its line in the `commands!` list.

use crate::failure::Failure;

macro_rules! commands {
    ($($variant:ident => $module:ident,)*) => {
        $(pub mod $module;)*

        /// A parsed command line.
        pub enum Command {
            $($variant($module::Args),)*
        }

        /// Runs the command.
        pub fn run(command: Command) -> Result<(), Failure> {
            match command {
                $(Command::$variant(args) => $module::run(&args),)*
            }
        }
    };
}

commands! {
    List => list,
    Show => show,
    Pin => pin,
    Detach => detach,
    Update => update,
    Help => help,
    Version => version,
}
