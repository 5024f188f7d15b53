//! `warden sbom`: placeholder until the stage crate is wired in.

use std::process::ExitCode;

use clap::Args;

use super::Globals;

/// Arguments of `warden sbom`.
#[derive(Debug, Args)]
pub struct SbomArgs {
    /// Arguments (not wired yet).
    pub rest: Vec<String>,
}

/// Runs `warden sbom`.
pub fn run(_args: &SbomArgs, _g: &Globals) -> anyhow::Result<ExitCode> {
    Err(crate::exit::fail(crate::exit::USAGE, "warden sbom is not wired into the CLI yet"))
}
