//! `warden sbom index add|list|remove` and `warden sbom query`: the fleet index, which answers
//! "which of our images contain log4j-core < 2.17?" without reading any image again.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use comfy_table::{presets, Table};
use warden_index::{Index, IndexError, Query};

use super::super::Globals;
use crate::exit;

const INDEX_EXAMPLES: &str = "\
Examples:
  warden sbom index add app:1 docker-archive:api.tar registry:127.0.0.1:5000/web:2 --insecure
  warden sbom index add sboms/*.cdx.json          CycloneDX or SPDX JSON (warden's, Syft's, Trivy's)
  warden sbom index list
  warden sbom index remove app:1

An image already in the index (same config digest, else same name) is replaced when added again.
The index is one SQLite file: --index PATH or $WARDEN_SBOM_INDEX, by default
$XDG_DATA_HOME/warden/sbom-index.db (~/.local/share/warden/sbom-index.db).";

const QUERY_EXAMPLES: &str = "\
Examples:
  warden sbom query 'log4j-core<2.17'
  warden sbom query 'org.apache.logging.log4j:log4j-core>=2.0,<2.17 || =2.17.0'
  warden sbom query 'pkg:maven/org.apache.logging.log4j/log4j-core@<2.17' --format json
  warden sbom query 'pkg:deb/debian/openssl@<3.0.11-1~deb12u1'
  warden sbom query 'lodash ^4.17.0'                npm's own range syntax
  warden sbom query 'log4j-core[2.0,2.17)'          Maven's own range syntax

Comparators (< <= > >= = != , ||) compare with each package's ecosystem ordering (Maven, dpkg,
PEP 440, npm semver...); anything else is read as the ecosystem's native constraint syntax.
A name without an ecosystem matches it in every ecosystem; a purl or a Maven group narrows it.";

/// `warden sbom` subcommands.
#[derive(Debug, Subcommand)]
pub enum SbomCommand {
    /// Maintain the fleet index of images' package sets.
    Index(IndexArgs),
    /// Which indexed images contain a package, optionally in a version range?
    #[command(after_help = QUERY_EXAMPLES)]
    Query(QueryArgs),
}

/// Where the index lives.
#[derive(Debug, Args)]
pub struct IndexLocation {
    /// The index file [default: $XDG_DATA_HOME/warden/sbom-index.db].
    #[arg(long, value_name = "PATH", env = "WARDEN_SBOM_INDEX")]
    pub index: Option<PathBuf>,
}

impl IndexLocation {
    fn path(&self) -> anyhow::Result<PathBuf> {
        if let Some(p) = &self.index {
            return Ok(p.clone());
        }
        let data = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("share"))
            })
            .ok_or_else(|| {
                exit::fail(
                    exit::USAGE,
                    "neither XDG_DATA_HOME nor HOME is set: pass --index PATH",
                )
            })?;
        Ok(data.join("warden").join("sbom-index.db"))
    }
}

/// Arguments of `warden sbom index`.
#[derive(Debug, Args)]
#[command(after_help = INDEX_EXAMPLES)]
pub struct IndexArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: IndexAction,
}

/// `warden sbom index` actions.
#[derive(Debug, Subcommand)]
pub enum IndexAction {
    /// Add images (any target `warden sbom` reads) or SBOM files (CycloneDX or SPDX JSON).
    #[command(after_help = INDEX_EXAMPLES)]
    Add {
        /// Images or SBOM files.
        #[arg(value_name = "IMAGE|SBOM", required = true)]
        items: Vec<String>,
        /// Where the index is.
        #[command(flatten)]
        index: IndexLocation,
        /// Platform to pick from a multi-arch index (os/arch[/variant]).
        #[arg(long, value_name = "OS/ARCH")]
        platform: Option<String>,
        /// Allow plain-HTTP registries (loopback only).
        #[arg(long)]
        insecure: bool,
    },
    /// List the indexed images.
    List {
        /// Where the index is.
        #[command(flatten)]
        index: IndexLocation,
        /// Output format.
        #[arg(short, long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Remove images by name or config digest.
    Remove {
        /// Names or digests as `index list` shows them.
        #[arg(value_name = "IMAGE", required = true)]
        images: Vec<String>,
        /// Where the index is.
        #[command(flatten)]
        index: IndexLocation,
    },
}

/// Output formats of `index list` and `query`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A human table.
    Table,
    /// JSON.
    Json,
}

/// Arguments of `warden sbom query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// NAME[CONSTRAINT] or a purl with a constraint as its version: 'log4j-core<2.17'.
    #[arg(value_name = "QUERY")]
    pub query: String,
    /// Where the index is.
    #[command(flatten)]
    pub index: IndexLocation,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// Runs `warden sbom index ...` or `warden sbom query`.
pub fn run(cmd: &SbomCommand, g: &Globals) -> anyhow::Result<ExitCode> {
    match cmd {
        SbomCommand::Index(a) => match &a.action {
            IndexAction::Add {
                items,
                index,
                platform,
                insecure,
            } => add(items, &index.path()?, platform.clone(), *insecure, g),
            IndexAction::List { index, format } => list(&index.path()?, *format),
            IndexAction::Remove { images, index } => remove(images, &index.path()?),
        },
        SbomCommand::Query(a) => query(a),
    }
}

fn index_error(e: IndexError) -> anyhow::Error {
    let code = match e {
        IndexError::Missing { .. } | IndexError::NotAnIndex { .. } => exit::INPUT,
        _ => exit::SYSTEM,
    };
    exit::fail(code, e.to_string())
}

/// An SBOM is a JSON file; an image archive is a tar, a layout a directory.
fn is_sbom_file(item: &str) -> bool {
    let path = Path::new(item);
    if !path.is_file() {
        return false;
    }
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    head[..n]
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{')
}

fn add(
    items: &[String],
    path: &Path,
    platform: Option<String>,
    insecure: bool,
    g: &Globals,
) -> anyhow::Result<ExitCode> {
    let mut index = Index::open(path).map_err(index_error)?;
    let opts = warden_image::OpenOptions {
        platform,
        insecure,
        ..Default::default()
    };
    let mut failed = Vec::new();
    for item in items {
        let inventory = if is_sbom_file(item) {
            std::fs::read(item)
                .with_context(|| format!("reading {item}"))
                .and_then(|b| warden_sbom::read(&b, item).map_err(anyhow::Error::from))
        } else {
            let progress = crate::messages::LayerProgress::new(g.args.quiet);
            let r = warden_catalog::catalog_image(item, &opts, &progress)
                .map_err(|e| anyhow::anyhow!("{item}: {e}"));
            progress.finish();
            r
        };
        let inventory = match inventory {
            Ok(i) => i,
            Err(e) => {
                tracing::error!("{e:#}");
                if !g.args.quiet {
                    eprintln!("warden: not added: {e:#}");
                }
                failed.push(item.clone());
                continue;
            }
        };
        let added = index.add(&inventory, item).map_err(index_error)?;
        if !g.args.quiet {
            eprintln!(
                "{} {} ({}): {} packages",
                if added.replaced { "replaced" } else { "added" },
                added.image,
                added.key,
                added.packages
            );
        }
    }
    if failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(exit::fail(
            exit::INPUT,
            format!(
                "{} of {} not added: {}",
                failed.len(),
                items.len(),
                failed.join(", ")
            ),
        ))
    }
}

fn list(path: &Path, format: ListFormat) -> anyhow::Result<ExitCode> {
    let index = Index::open_existing(path).map_err(index_error)?;
    let images = index.images().map_err(index_error)?;
    let out = match format {
        ListFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&images)?;
            v.push(b'\n');
            v
        }
        ListFormat::Table => {
            let mut t = Table::new();
            t.load_preset(presets::NOTHING);
            t.set_header(["IMAGE", "DIGEST", "OS", "PACKAGES", "SOURCE"]);
            for i in &images {
                t.add_row([
                    i.image.as_str(),
                    i.digest.as_deref().unwrap_or("-"),
                    i.os.as_deref().unwrap_or("-"),
                    &i.packages.to_string(),
                    i.source.as_str(),
                ]);
            }
            format!("{t}\n").into_bytes()
        }
    };
    crate::output::write_output(None, &out)?;
    Ok(ExitCode::SUCCESS)
}

fn remove(images: &[String], path: &Path) -> anyhow::Result<ExitCode> {
    // Read-only open first: it refuses a missing index with the hint, instead of creating one.
    drop(Index::open_existing(path).map_err(index_error)?);
    let mut index = Index::open(path).map_err(index_error)?;
    let mut missing = Vec::new();
    for image in images {
        if index.remove(image).map_err(index_error)? == 0 {
            missing.push(image.as_str());
        }
    }
    if missing.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(exit::fail(
            exit::INPUT,
            format!("not in the index: {}", missing.join(", ")),
        ))
    }
}

fn query(a: &QueryArgs) -> anyhow::Result<ExitCode> {
    let q = Query::parse(&a.query).map_err(|e| exit::fail(exit::USAGE, e.to_string()))?;
    let index = Index::open_existing(&a.index.path()?).map_err(index_error)?;
    let result = index.query(&q).map_err(index_error)?;
    for u in &result.uncomparable {
        tracing::warn!(
            package = %u.name,
            version = %u.version,
            reason = %u.reason,
            "version not comparable; not listed"
        );
    }
    let out = match a.format {
        ListFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&result)?;
            v.push(b'\n');
            v
        }
        ListFormat::Table => {
            let mut s = String::new();
            if result.hits.is_empty() {
                s.push_str(&format!(
                    "No match for '{}' in {} indexed images\n",
                    result.query, result.images_searched
                ));
            } else {
                let mut t = Table::new();
                t.load_preset(presets::NOTHING);
                t.set_header(["IMAGE", "PACKAGE", "VERSION", "TYPE", "LOCATION"]);
                for h in &result.hits {
                    t.add_row([
                        h.image.as_str(),
                        h.name.as_str(),
                        h.version.as_str(),
                        h.ecosystem.purl_type(),
                        h.location.as_str(),
                    ]);
                }
                let images: std::collections::BTreeSet<_> =
                    result.hits.iter().map(|h| (&h.image, &h.digest)).collect();
                s.push_str(&format!("{t}\n"));
                s.push_str(&format!(
                    "{} matches in {} of {} indexed images\n",
                    result.hits.len(),
                    images.len(),
                    result.images_searched
                ));
            }
            if !result.uncomparable.is_empty() {
                s.push_str(&format!(
                    "{} versions could not be compared (-v lists them)\n",
                    result.uncomparable.len()
                ));
            }
            s.into_bytes()
        }
    };
    crate::output::write_output(None, &out)?;
    Ok(ExitCode::SUCCESS)
}
