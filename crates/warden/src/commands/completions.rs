//! `warden completions SHELL`: shell completion scripts generated from the clap definitions.

use std::process::ExitCode;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

/// Arguments of `warden completions`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  warden completions bash > /etc/bash_completion.d/warden\n  warden completions zsh > \"${fpath[1]}/_warden\"\n  warden completions fish > ~/.config/fish/completions/warden.fish"
)]
pub struct CompletionsArgs {
    /// The shell to generate completions for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Writes the completion script to stdout.
pub fn run(args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut cmd = crate::cli::Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "warden", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}
