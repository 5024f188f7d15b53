//! `warden watch`: placeholder until the stage crate is wired in.

use std::process::ExitCode;

use clap::Args;

use super::Globals;

/// Arguments of `warden watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Arguments (not wired yet).
    pub rest: Vec<String>,
}

/// Runs `warden watch`.
pub fn run(_args: &WatchArgs, _g: &Globals) -> anyhow::Result<ExitCode> {
    Err(crate::exit::fail(crate::exit::USAGE, "warden watch is not wired into the CLI yet"))
}
