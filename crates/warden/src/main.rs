//! The `warden` binary: argument parsing, output selection, progress and exit codes.
//!
//! Every stage lives in its own library crate; this crate only wires them to the command line.
//! Each subcommand is one file in `commands/`, with its clap arguments and its `run` function.

mod cli;
mod commands;
mod config;
mod exit;
mod messages;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    messages::init_logging(cli.global.verbose, cli.global.quiet, cli.global.log_format);
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => exit::report_error(&err),
    }
}
