//! The command-line surface: global flags and the subcommand list. Each subcommand's own flags
//! live beside its `run` function in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::commands;
use crate::messages::LogFormat;

const ABOUT: &str = "Secure containers from the Dockerfile to the running process.";

/// `warden`: one binary for lint, SBOM, scan, sign and watch.
#[derive(Debug, Parser)]
#[command(name = "warden", version, about = ABOUT, long_about = None)]
#[command(after_help = HELP_FOOTER)]
#[command(propagate_version = true, arg_required_else_help = true)]
pub struct Cli {
    /// Flags every subcommand takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// Examples, config lookup and the exit-code table, shown under `--help`.
const HELP_FOOTER: &str = concat!(
    "Examples:\n",
    "  warden lint Dockerfile                 lint a Dockerfile (hadolint-compatible)\n",
    "  warden sbom alpine:3.20                SBOM of an image from the local Docker engine\n",
    "  warden sbom docker-archive:img.tar -o sbom.cdx.json\n",
    "  warden sbom registry:127.0.0.1:5000/app:1 --format spdx --insecure\n",
    "  warden db build --from vulndata/ -o warden.db\n",
    "  warden scan docker-archive:img.tar --severity HIGH,CRITICAL --exit-code 1\n",
    "  warden watch                           runtime sensor with the default rules\n",
    "  warden completions bash > /etc/bash_completion.d/warden\n\n",
    "Config: --config FILE, else ./warden.yaml, ./.warden.yaml or ~/.config/warden/config.yaml.\n",
    "Logs: -v info, -vv debug, -vvv trace; --log-format json for structured logs.\n\n",
    "Exit codes:\n",
    "  0   success; nothing reached the failure threshold\n",
    "  1   findings at or above the threshold (scan --exit-code, lint failure-threshold)\n",
    "  2   scan --fail-on threshold reached (Grype style)\n",
    "  64  usage error: bad flag, value, config or ignore file\n",
    "  65  input unreadable or malformed (Dockerfile, SBOM, rules, JSON)\n",
    "  66  vulnerability database missing, corrupt, wrong schema or too old\n",
    "  67  image not found or unreadable\n",
    "  71  system failure (permissions, kernel feature, I/O)\n",
    "  72  signature or attestation verification failed\n",
);

/// Flags shared by every subcommand.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// More logging on stderr: -v info, -vv debug, -vvv trace.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors on stderr; no progress bars.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Log format for -v output.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// Config file (YAML). Default: ./warden.yaml, ./.warden.yaml, ~/.config/warden/config.yaml.
    #[arg(long, global = true, env = "WARDEN_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint Dockerfiles (hadolint-compatible rules plus security rules).
    Lint(commands::lint::LintArgs),
    /// Write an SBOM (CycloneDX 1.6 or SPDX 2.3) of an image, archive, layout or directory.
    Sbom(commands::sbom::SbomArgs),
    /// Scan an image, SBOM or directory for known vulnerabilities and gate on them.
    Scan(commands::scan::ScanArgs),
    /// Build, inspect, update, publish and pull the vulnerability database.
    Db(commands::db::DbArgs),
    /// Runtime sensor: eBPF events evaluated against Falco-compatible rules.
    Watch(commands::watch::WatchArgs),
    /// Validate Falco-compatible rules files.
    Rules(commands::rules::RulesArgs),
    /// Print shell completions.
    Completions(commands::completions::CompletionsArgs),
}
