//! `warden lint`: placeholder until the stage crate is wired in.

use std::process::ExitCode;

use clap::Args;

use super::Globals;

/// Arguments of `warden lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Arguments (not wired yet).
    pub rest: Vec<String>,
}

/// Runs `warden lint`.
pub fn run(_args: &LintArgs, _g: &Globals) -> anyhow::Result<ExitCode> {
    Err(crate::exit::fail(crate::exit::USAGE, "warden lint is not wired into the CLI yet"))
}
