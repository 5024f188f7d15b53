//! The `warden` binary: argument parsing, output selection, progress and exit codes.
//!
//! Every stage lives in its own library crate; this crate only wires them to the command line.
//! Each subcommand is one file in `commands/`, with its clap arguments and its `run` function.

mod cli;
mod commands;
mod config;
mod exit;
mod messages;
mod output;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // clap exits 2 on usage errors, which is Grype's `--fail-on` code; usage errors get 64.
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(exit::USAGE),
            };
        }
    };
    messages::init_logging(cli.global.verbose, cli.global.quiet, cli.global.log_format);
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => exit::report_error(&err),
    }
}
