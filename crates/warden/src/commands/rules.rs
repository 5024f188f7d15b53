//! `warden rules`: placeholder until the stage crate is wired in.

use std::process::ExitCode;

use clap::Args;

use super::Globals;

/// Arguments of `warden rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Arguments (not wired yet).
    pub rest: Vec<String>,
}

/// Runs `warden rules`.
pub fn run(_args: &RulesArgs, _g: &Globals) -> anyhow::Result<ExitCode> {
    Err(crate::exit::fail(crate::exit::USAGE, "warden rules is not wired into the CLI yet"))
}
