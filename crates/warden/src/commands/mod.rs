//! One file per subcommand: its clap arguments and its `run` function.

pub mod completions;
pub mod db;
pub mod lint;
pub mod rules;
pub mod sbom;
pub mod scan;
pub mod watch;

use std::process::ExitCode;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::config::Config;

/// What every subcommand gets besides its own arguments.
pub struct Globals<'a> {
    /// The global flags.
    pub args: &'a GlobalArgs,
    /// The loaded config file.
    pub config: Config,
}

/// Runs the chosen subcommand.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Command::Completions(a) = &cli.command {
        return completions::run(a);
    }
    let g = Globals {
        args: &cli.global,
        config: Config::load(cli.global.config.as_deref())?,
    };
    match &cli.command {
        Command::Lint(a) => lint::run(a, &g),
        Command::Sbom(a) => sbom::run(a, &g),
        Command::Scan(a) => scan::run(a, &g),
        Command::Db(a) => db::run(a, &g),
        Command::Watch(a) => watch::run(a, &g),
        Command::Rules(a) => rules::run(a, &g),
        Command::Completions(a) => completions::run(a),
    }
}
