//! `warden db`: build, inspect, update, publish, pull and query the vulnerability database.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use serde::Deserialize;
use warden_vulndb as vdb;

use super::Globals;
use crate::{exit, messages};

/// Arguments of `warden db`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
warden db build --from ../shared/vulndata -o warden.db\n  \
warden db info --db warden.db --format json\n  \
warden db update --mirror https://mirror.example/warden-feeds/\n  \
warden db publish registry.example/sec/warden-db:latest\n  \
warden db pull registry.example/sec/warden-db:latest --db-max-age 2d\n  \
warden db query npm lodash 4.17.15")]
pub struct DbArgs {
    /// The action.
    #[command(subcommand)]
    pub action: DbAction,
}

/// `warden db` actions.
#[derive(Debug, Subcommand)]
pub enum DbAction {
    /// Build a database from feed directories, files and archives (.tar.zst, .tar, .zip, .gz).
    Build(BuildArgs),
    /// Show a database's schema, build time, age and per-source counts.
    Info(InfoArgs),
    /// Download the public feeds (or a mirror) with resume and checksums, then build.
    Update(UpdateArgs),
    /// Push a database to an OCI registry as an artifact.
    Publish(PublishArgs),
    /// Pull a database from an OCI registry and install it atomically.
    Pull(PullArgs),
    /// Show the advisories affecting one package version.
    Query(QueryArgs),
}

/// Output formats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable text.
    #[default]
    Text,
    /// JSON.
    Json,
}

/// Where the database is and how old it may be.
#[derive(Debug, Args)]
pub struct DbLocation {
    /// Database file (default: config `db.path`, else the user cache dir).
    #[arg(long, value_name = "FILE", env = "WARDEN_DB")]
    pub db: Option<PathBuf>,
    /// Fail (exit 66) when the database is older than this (90m, 12h, 7d, 2w).
    #[arg(long, value_name = "AGE")]
    pub db_max_age: Option<String>,
}

/// `warden db build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Inputs: directories, files or archives; repeatable.
    #[arg(long = "from", value_name = "PATH", required = true, num_args = 1..)]
    pub from: Vec<PathBuf>,
    /// Output database file (replaced atomically).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Largest total uncompressed size of all inputs, in bytes (archive-bomb guard).
    #[arg(long, value_name = "BYTES")]
    pub max_uncompressed: Option<u64>,
    /// Largest uncompressed size of one file or archive member, in bytes.
    #[arg(long, value_name = "BYTES")]
    pub max_member: Option<u64>,
    /// Write the full build report (every rejection) as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `warden db info`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Database location.
    #[command(flatten)]
    pub loc: DbLocation,
    /// Also check the whole file's checksum and every record.
    #[arg(long)]
    pub verify: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `warden db update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Database location.
    #[command(flatten)]
    pub loc: DbLocation,
    /// Mirror base URL serving the feed files and a SHA256SUMS; repeatable, tried in order.
    #[arg(long, value_name = "URL")]
    pub mirror: Vec<String>,
    /// Where downloads are kept and resumed (default: beside the database, in `feeds/`).
    #[arg(long, value_name = "DIR")]
    pub download_dir: Option<PathBuf>,
    /// Per-request timeout in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub timeout: u64,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `warden db publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The reference to push to (registry/repository:tag).
    pub reference: String,
    /// Database location.
    #[command(flatten)]
    pub loc: DbLocation,
    /// Use plain HTTP (local or test registries).
    #[arg(long)]
    pub insecure: bool,
}

/// `warden db pull`.
#[derive(Debug, Args)]
pub struct PullArgs {
    /// The reference to pull.
    pub reference: String,
    /// Database location (where the pulled database is installed).
    #[command(flatten)]
    pub loc: DbLocation,
    /// Use plain HTTP (local or test registries).
    #[arg(long)]
    pub insecure: bool,
}

/// `warden db query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// Ecosystem key (pypi, npm, maven, golang, cargo, gem, composer, nuget) or distro release
    /// (debian:12, alpine:3.20, ubuntu:22.04).
    pub ecosystem: String,
    /// Package name (Maven: group:artifact; distros: the source package).
    pub package: String,
    /// Installed version. (The id differs from the field name because `version` is taken by
    /// the propagated `--version` flag.)
    #[arg(id = "pkg_version", value_name = "VERSION")]
    pub version: String,
    /// Database location.
    #[command(flatten)]
    pub loc: DbLocation,
    /// Include withdrawn advisories (marked).
    #[arg(long)]
    pub include_withdrawn: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// The `db:` section of the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DbConfig {
    /// Database file.
    pub path: Option<PathBuf>,
    /// Default for --db-max-age.
    pub max_age: Option<String>,
    /// Age after which a warning is printed (default 7d).
    pub warn_age: Option<String>,
    /// Default mirrors for `update`.
    #[serde(default)]
    pub mirrors: Vec<String>,
    /// Use plain HTTP for publish/pull.
    #[serde(default)]
    pub insecure: bool,
}

/// Runs `warden db`.
pub fn run(args: &DbArgs, g: &Globals) -> anyhow::Result<ExitCode> {
    let cfg: DbConfig = g.config.section("db")?;
    match &args.action {
        DbAction::Build(a) => build(a, g),
        DbAction::Info(a) => info(a, &cfg),
        DbAction::Update(a) => update(a, &cfg, g),
        DbAction::Publish(a) => publish(a, &cfg),
        DbAction::Pull(a) => pull(a, &cfg),
        DbAction::Query(a) => query(a, &cfg),
    }
}

/// Maps a library error to the documented exit codes.
fn fail(e: vdb::Error) -> anyhow::Error {
    let code = match &e {
        vdb::Error::Invalid { .. } => exit::USAGE,
        vdb::Error::Archive { .. } | vdb::Error::TooLarge { .. } | vdb::Error::Empty { .. } => {
            exit::INPUT
        }
        vdb::Error::Io { source, .. } if source.kind() != std::io::ErrorKind::NotFound => {
            exit::SYSTEM
        }
        _ => exit::DATABASE,
    };
    exit::fail(code, e.to_string())
}

fn db_path(loc: &DbLocation, cfg: &DbConfig) -> PathBuf {
    loc.db
        .clone()
        .or_else(|| cfg.path.clone())
        .unwrap_or_else(vdb::default_db_path)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Opens the database, warns when it is stale and fails when it is older than --db-max-age.
fn open(loc: &DbLocation, cfg: &DbConfig) -> anyhow::Result<vdb::Db> {
    let path = db_path(loc, cfg);
    if !path.exists() {
        return Err(exit::fail(
            exit::DATABASE,
            format!("database {} not found; run `warden db update`, `warden db pull REF` or `warden db build`", path.display()),
        ));
    }
    let db = vdb::Db::open(&path).map_err(fail)?;
    check_age(&db, loc, cfg)?;
    Ok(db)
}

fn check_age(db: &vdb::Db, loc: &DbLocation, cfg: &DbConfig) -> anyhow::Result<()> {
    let max = loc.db_max_age.as_deref().or(cfg.max_age.as_deref());
    if let Some(m) = max {
        let secs = vdb::parse_duration(m).map_err(fail)?;
        db.check_age(now(), secs).map_err(fail)?;
    }
    let warn = vdb::parse_duration(cfg.warn_age.as_deref().unwrap_or("7d")).map_err(fail)?;
    let age = db.age_seconds(now());
    if age > warn {
        messages::warn(&format!(
            "database {} is {} old (built {}); run `warden db update`, or pass --db-max-age to fail instead",
            db.path().display(),
            vdb::human_duration(age),
            db.metadata().built_at
        ));
    }
    Ok(())
}

fn print_json(v: &impl serde::Serialize) -> anyhow::Result<()> {
    let s = serde_json::to_string_pretty(v)?;
    println!("{s}");
    Ok(())
}

fn source_table(sources: &[vdb::SourceStats]) -> String {
    let mut out = format!(
        "{:<22} {:<20} {:>7} {:>9} {:>9} {:>8} {:>9}  {}\n",
        "SOURCE", "FEED", "FILES", "ACCEPTED", "WITHDRAWN", "REJECTED", "PARTS-REJ", "DATE"
    );
    for s in sources {
        out.push_str(&format!(
            "{:<22} {:<20} {:>7} {:>9} {:>9} {:>8} {:>9}  {}\n",
            s.name,
            s.feed,
            s.files,
            s.accepted,
            s.withdrawn,
            s.rejected,
            s.rejected_parts,
            s.date.as_deref().unwrap_or("-")
        ));
    }
    out
}

fn rejection_lines(sources: &[vdb::SourceStats], limit: usize) -> String {
    let mut out = String::new();
    for s in sources {
        let mut by_reason: std::collections::BTreeMap<String, u64> =
            std::collections::BTreeMap::new();
        for r in &s.rejections {
            // Group by the reason's wording up to its first quoted value.
            let class = r
                .reason
                .split('\'')
                .next()
                .unwrap_or(&r.reason)
                .trim()
                .to_string();
            *by_reason.entry(class).or_insert(0) += 1;
        }
        for (reason, n) in by_reason {
            out.push_str(&format!("  {}: {n} × {reason}\n", s.name));
        }
        for r in s.rejections.iter().take(limit) {
            out.push_str(&format!(
                "    {} {}: {}\n",
                if r.whole_record { "record" } else { "part" },
                r.at,
                r.reason
            ));
        }
        if s.rejections.len() > limit {
            out.push_str(&format!(
                "    ... {} more (see --report / --format json)\n",
                s.rejections.len() - limit
            ));
        }
        let notes: Vec<String> = s.notes.iter().map(|(k, v)| format!("{v} {k}")).collect();
        if !notes.is_empty() {
            out.push_str(&format!("  {} notes: {}\n", s.name, notes.join("; ")));
        }
    }
    out
}

fn build(a: &BuildArgs, g: &Globals) -> anyhow::Result<ExitCode> {
    let mut limits = vdb::Limits::default();
    if let Some(m) = a.max_uncompressed {
        limits.max_total = m;
    }
    if let Some(m) = a.max_member {
        limits.max_member = m;
    }
    let started = std::time::Instant::now();
    let report = vdb::build(&vdb::BuildOptions {
        inputs: a.from.clone(),
        output: a.output.clone(),
        limits,
        built_at: None,
    })
    .map_err(fail)?;
    let secs = started.elapsed().as_secs_f64();
    if let Some(p) = &a.report {
        std::fs::write(p, serde_json::to_vec_pretty(&report)?)
            .map_err(|e| exit::fail(exit::SYSTEM, format!("{}: {e}", p.display())))?;
    }
    match a.format {
        Format::Json => print_json(&report)?,
        Format::Text => {
            let c = &report.metadata.counts;
            if !g.args.quiet {
                print!("{}", source_table(&report.sources));
                print!("{}", rejection_lines(&report.sources, 5));
                if !report.metadata.ignored_files.is_empty() {
                    println!(
                        "ignored {} files that are not feed files (README, licences, indexes)",
                        report.metadata.ignored_files.len()
                    );
                }
            }
            println!(
                "built {} in {secs:.1}s: {} vulnerabilities from {} advisories, {} packages, {} affected entries, {} bytes ({:.0} bytes/advisory)",
                report.output.display(),
                c.vulnerabilities,
                c.advisories,
                c.packages,
                c.affected_entries,
                report.size,
                report.size as f64 / c.advisories.max(1) as f64
            );
        }
    }
    Ok(ExitCode::from(exit::OK))
}

#[derive(serde::Serialize)]
struct InfoOut<'a> {
    path: String,
    size: u64,
    age_seconds: u64,
    verified: bool,
    metadata: &'a vdb::Metadata,
}

fn info(a: &InfoArgs, cfg: &DbConfig) -> anyhow::Result<ExitCode> {
    let db = open(&a.loc, cfg)?;
    if a.verify {
        db.verify().map_err(fail)?;
    }
    let m = db.metadata();
    match a.format {
        Format::Json => print_json(&InfoOut {
            path: db.path().display().to_string(),
            size: db.size(),
            age_seconds: db.age_seconds(now()),
            verified: a.verify,
            metadata: m,
        })?,
        Format::Text => {
            println!("database:  {}", db.path().display());
            println!("schema:    {}", m.schema_version);
            println!(
                "built:     {} ({} ago) by {}",
                m.built_at,
                vdb::human_duration(db.age_seconds(now())),
                m.builder
            );
            println!("size:      {} bytes", db.size());
            println!(
                "contents:  {} vulnerabilities, {} advisories ({} withdrawn), {} packages, {} affected entries, {} IDs",
                m.counts.vulnerabilities,
                m.counts.advisories,
                m.counts.withdrawn_advisories,
                m.counts.packages,
                m.counts.affected_entries,
                m.counts.ids
            );
            if a.verify {
                println!("verified:  checksum and every record OK");
            }
            print!("{}", source_table(&m.sources));
            print!("{}", rejection_lines(&m.sources, 3));
        }
    }
    Ok(ExitCode::from(exit::OK))
}

fn update(a: &UpdateArgs, cfg: &DbConfig, g: &Globals) -> anyhow::Result<ExitCode> {
    let path = db_path(&a.loc, cfg);
    let dir = a
        .download_dir
        .clone()
        .unwrap_or_else(|| path.parent().unwrap_or(Path::new(".")).join("feeds"));
    let mut opts = vdb::update::UpdateOptions::new(dir);
    opts.mirrors = if a.mirror.is_empty() {
        cfg.mirrors.clone()
    } else {
        a.mirror.clone()
    };
    opts.timeout = std::time::Duration::from_secs(a.timeout);
    let bar = messages::progress_bar(0, g.args.quiet);
    let mut on_progress = |p: &vdb::update::Progress| {
        bar.set_message(p.file.clone());
        if let Some(t) = p.total {
            bar.set_length(t);
        }
        bar.set_position(p.done);
        if p.finished {
            tracing::info!(file = %p.file, bytes = p.done, "downloaded");
        }
    };
    let (files, report) = vdb::update::update(&opts, &path, &mut on_progress).map_err(fail)?;
    bar.finish_and_clear();
    let resumed = files.iter().filter(|f| f.resumed).count();
    let cached = files.iter().filter(|f| f.cached).count();
    let bytes: u64 = files.iter().map(|f| f.transferred).sum();
    match a.format {
        Format::Json => print_json(&report)?,
        Format::Text => {
            if !g.args.quiet {
                print!("{}", source_table(&report.sources));
            }
            println!(
                "downloaded {} files ({bytes} bytes transferred, {resumed} resumed, {cached} already current); built {}: {} vulnerabilities, {} bytes",
                files.len(),
                report.output.display(),
                report.metadata.counts.vulnerabilities,
                report.size
            );
        }
    }
    let db = vdb::Db::open(&path).map_err(fail)?;
    check_age(&db, &a.loc, cfg)?;
    Ok(ExitCode::from(exit::OK))
}

fn registry_opts(insecure: bool, cfg: &DbConfig) -> vdb::oci::RegistryOptions {
    let basic = match (
        std::env::var("WARDEN_REGISTRY_USERNAME"),
        std::env::var("WARDEN_REGISTRY_PASSWORD"),
    ) {
        (Ok(u), Ok(p)) => Some((u, p)),
        _ => None,
    };
    vdb::oci::RegistryOptions {
        insecure: insecure || cfg.insecure,
        basic_auth: basic,
        max_size: None,
    }
}

fn publish(a: &PublishArgs, cfg: &DbConfig) -> anyhow::Result<ExitCode> {
    let db = open(&a.loc, cfg)?;
    let t = vdb::oci::publish(db.path(), &a.reference, &registry_opts(a.insecure, cfg))
        .map_err(fail)?;
    println!(
        "published {} ({} bytes, sha256:{}) to {}",
        db.path().display(),
        t.size,
        t.sha256,
        t.location
    );
    Ok(ExitCode::from(exit::OK))
}

fn pull(a: &PullArgs, cfg: &DbConfig) -> anyhow::Result<ExitCode> {
    let path = db_path(&a.loc, cfg);
    let t = vdb::oci::pull(&a.reference, &path, &registry_opts(a.insecure, cfg)).map_err(fail)?;
    println!(
        "pulled {} ({} bytes, sha256:{}) into {}",
        a.reference,
        t.size,
        t.sha256,
        path.display()
    );
    let db = vdb::Db::open(&path).map_err(fail)?;
    check_age(&db, &a.loc, cfg)?;
    Ok(ExitCode::from(exit::OK))
}

#[derive(serde::Serialize)]
struct QueryOut<'a> {
    #[serde(rename = "match")]
    m: vdb::Match<'a>,
    vulnerability: warden_core::Vulnerability,
}

fn query(a: &QueryArgs, cfg: &DbConfig) -> anyhow::Result<ExitCode> {
    let db = open(&a.loc, cfg)?;
    let matches = if a.include_withdrawn {
        db.query_all(&a.ecosystem, &a.package, &a.version)
    } else {
        db.query(&a.ecosystem, &a.package, &a.version)
    }
    .map_err(fail)?;
    let mut out = Vec::new();
    for m in matches {
        let v = db.vulnerability_at(m.vuln).map_err(fail)?;
        out.push(QueryOut {
            m,
            vulnerability: v.vulnerability,
        });
    }
    match a.format {
        Format::Json => print_json(&out)?,
        Format::Text => {
            for o in &out {
                println!(
                    "{:<20} {:<10} {:<14} {:<26} {:<12} fixed: {}{}",
                    o.vulnerability.id,
                    o.vulnerability.severity,
                    o.m.source,
                    o.m.advisory_id,
                    format!("{:?}", o.m.status).to_lowercase(),
                    if o.m.fixed_versions.is_empty() {
                        "-".to_string()
                    } else {
                        o.m.fixed_versions.join(", ")
                    },
                    o.m.indeterminate
                        .as_deref()
                        .map(|r| format!("  (indeterminate: {r})"))
                        .unwrap_or_default()
                );
            }
            if out.is_empty() {
                println!(
                    "no advisory affects {} {} {}",
                    a.ecosystem, a.package, a.version
                );
            }
        }
    }
    Ok(ExitCode::from(exit::OK))
}
