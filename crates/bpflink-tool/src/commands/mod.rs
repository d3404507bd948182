//! One module per command: its arguments (`Args`, a clap derive whose doc
//! comment is the command's help) and what it does (`run`). Adding a
//! command is a new module here plus its line in the `commands!` list.

use crate::failure::Failure;
use crate::out::Out;

macro_rules! commands {
    ($($(#[$meta:meta])* $variant:ident => $module:ident,)*) => {
        $(pub mod $module;)*

        /// The commands.
        #[derive(clap::Subcommand)]
        pub enum Command {
            $($(#[$meta])* $variant($module::Args),)*
        }

        /// Runs the command, writing its output to `out`.
        pub fn run(command: Command, out: &mut Out) -> Result<(), Failure> {
            match command {
                $(Command::$variant(args) => $module::run(&args, out),)*
            }
        }
    };
}

commands! {
    #[command(alias = "ls")]
    List => list,
    Show => show,
    Pin => pin,
    Detach => detach,
    Update => update,
    Attach => attach,
    Version => version,
    Completions => completions,
}
