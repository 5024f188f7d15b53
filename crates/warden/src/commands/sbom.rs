//! `warden sbom TARGET`: catalogue an image, archive, layout or directory and write its SBOM.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::Globals;
use crate::exit;
use crate::output;

const EXAMPLES: &str = "\
Examples:
  warden sbom alpine:3.20                        image from the local Docker engine
  warden sbom docker-archive:image.tar           a `docker save` tarball
  warden sbom oci-dir:./layout --format spdx     an OCI image layout directory
  warden sbom registry:127.0.0.1:5000/app:1 --insecure --platform linux/arm64
  warden sbom dir:./rootfs --format table        a root filesystem tree
  warden sbom image.tar -o sbom.cdx.json         auto-detected source, written to a file
  warden sbom index add app:1 sbom.cdx.json      remember images' packages in the fleet index
  warden sbom query 'log4j-core<2.17'            which indexed images contain log4j-core < 2.17?

Target spellings (as Trivy and Syft take them): docker:NAME, docker-archive:PATH,
oci-dir:PATH, oci-archive:PATH, registry:REF, dir:PATH; with no scheme an existing path is
read as an archive or directory, otherwise the Docker engine is asked, then the registry.";

mod index;

pub use index::SbomCommand;

/// Output formats of `warden sbom`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SbomFormat {
    /// CycloneDX 1.6 JSON (default).
    #[value(alias = "cyclonedx-json", alias = "cdx")]
    Cyclonedx,
    /// SPDX 2.3 JSON.
    #[value(alias = "spdx-json")]
    Spdx,
    /// A human-readable table.
    Table,
    /// Warden's own inventory JSON (the package model as-is).
    Json,
}

/// Settings of the `sbom:` config section.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct SbomConfig {
    /// Default output format.
    pub format: Option<String>,
    /// Default `--platform`.
    pub platform: Option<String>,
}

/// Arguments of `warden sbom`.
#[derive(Debug, Args)]
#[command(
    after_help = EXAMPLES,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct SbomArgs {
    /// The fleet index: `index` and `query` (a TARGET of that name needs a scheme, `docker:index`).
    #[command(subcommand)]
    pub command: Option<SbomCommand>,
    /// The image or tree to catalogue.
    #[arg(value_name = "TARGET", required = true)]
    pub target: Option<String>,
    /// Output format.
    #[arg(short, long, value_enum)]
    pub format: Option<SbomFormat>,
    /// Write to FILE instead of stdout (atomically: a temp file renamed into place).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Platform to pick from a multi-arch index (os/arch[/variant]).
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,
    /// Allow plain-HTTP registries (loopback only).
    #[arg(long)]
    pub insecure: bool,
    /// Seed for SPDX namespace / CycloneDX serial number; by default both are derived from the
    /// content so the same image gives byte-identical SBOMs.
    #[arg(long, value_name = "SEED")]
    pub seed: Option<String>,
    /// Do not read or write the verified layer-digest cache ($WARDEN_CACHE_DIR/digests, else
    /// $XDG_CACHE_HOME/warden/digests, else ~/.cache/warden/digests): hash every layer again.
    #[arg(long)]
    pub no_cache: bool,
    /// Trust each layer's diff ID as the image config states it instead of hashing the layer
    /// (what Syft and Trivy do): faster on a first read of large uncompressed layers, but a
    /// corrupt or tampered layer goes unnoticed. Manifests and configs are still verified.
    #[arg(long)]
    pub skip_layer_verify: bool,
}

/// Runs `warden sbom`.
pub fn run(args: &SbomArgs, g: &Globals) -> anyhow::Result<ExitCode> {
    if let Some(cmd) = &args.command {
        return index::run(cmd, g);
    }
    let target = args.target.as_deref().ok_or_else(|| {
        exit::fail(
            exit::USAGE,
            "warden sbom: give a TARGET, or `index`/`query`",
        )
    })?;
    let cfg: SbomConfig = g.config.section("sbom")?;
    let format = match (args.format, cfg.format.as_deref()) {
        (Some(f), _) => f,
        (None, Some(name)) => SbomFormat::from_str(name, true).map_err(|_| {
            exit::fail(
                exit::USAGE,
                format!("config 'sbom.format': unknown format '{name}'"),
            )
        })?,
        (None, None) => SbomFormat::Cyclonedx,
    };
    let opts = warden_image::OpenOptions {
        platform: args.platform.clone().or(cfg.platform),
        insecure: args.insecure,
        digest_cache: warden_image::DigestCache::unless(args.no_cache),
        verify_layers: !args.skip_layer_verify,
        ..Default::default()
    };
    let progress = crate::messages::LayerProgress::new(g.args.quiet);
    let inventory = warden_catalog::catalog_image(target, &opts, &progress)
        .map_err(|e| exit::fail(exit::IMAGE, format!("{target}: {e}")))?;
    progress.finish();
    for note in &inventory.skipped {
        tracing::info!(at = %note.at, reason = %note.reason, "skipped");
    }
    if !inventory.skipped.is_empty() {
        tracing::warn!(
            count = inventory.skipped.len(),
            "entries were skipped; -v lists them"
        );
    }
    if inventory.dropped_os_owned > 0 {
        tracing::info!(
            count = inventory.dropped_os_owned,
            "language packages owned by OS packages were dropped"
        );
    }
    let bytes = match format {
        SbomFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&inventory).context("serialising inventory")?;
            v.push(b'\n');
            v
        }
        f => {
            let fmt = match f {
                SbomFormat::Cyclonedx => warden_sbom::Format::CycloneDx,
                SbomFormat::Spdx => warden_sbom::Format::Spdx,
                _ => warden_sbom::Format::Table,
            };
            let wopts = warden_sbom::WriteOptions {
                seed: args.seed.clone(),
                ..Default::default()
            };
            warden_sbom::write(&inventory, fmt, &wopts).context("writing the SBOM")?
        }
    };
    output::write_output(args.output.as_deref(), &bytes)?;
    Ok(ExitCode::SUCCESS)
}
