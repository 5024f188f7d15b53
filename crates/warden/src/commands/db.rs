//! `warden db`: placeholder until the stage crate is wired in.

use std::process::ExitCode;

use clap::Args;

use super::Globals;

/// Arguments of `warden db`.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// Arguments (not wired yet).
    pub rest: Vec<String>,
}

/// Runs `warden db`.
pub fn run(_args: &DbArgs, _g: &Globals) -> anyhow::Result<ExitCode> {
    Err(crate::exit::fail(crate::exit::USAGE, "warden db is not wired into the CLI yet"))
}
