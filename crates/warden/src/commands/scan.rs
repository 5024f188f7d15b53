//! `warden scan TARGET`: catalogue an image, read an SBOM or walk a directory, match every
//! package against the advisory database, apply the policy gate and write a report.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;

use anyhow::Context;
use clap::Args;
use time::OffsetDateTime;
use warden_core::{Inventory, Severity};
use warden_scan::{Format, Policy, RenderOptions, ScanError, ScanReport};
use warden_vulndb as vdb;

use super::db::DbConfig;
use super::Globals;
use crate::{exit, messages, output};

const EXAMPLES: &str = "\
Examples:
  warden scan alpine:3.20                                image from the local Docker engine
  warden scan docker-archive:app.tar --severity HIGH,CRITICAL --exit-code 1
  warden scan registry:127.0.0.1:5000/app:1 --insecure --fail-on high
  warden scan sbom:app.cdx.json --format sarif -o scan.sarif
  warden scan fs ./rootfs --ignore-unfixed
  warden scan app.tar --ignorefile .trivyignore --vex app.openvex.json --format json
  warden scan app.tar --merge trivy.json --merge grype.json --format markdown
  warden scan app.tar --db ./warden.db --db-max-age 2d

Targets: any image source `warden sbom` reads (docker:NAME, docker-archive:PATH, oci-dir:PATH,
oci-archive:PATH, registry:REF, dir:PATH, or a bare name/path); sbom:FILE for a CycloneDX or
SPDX document (warden, Syft, Trivy); `fs DIR` for a root filesystem or source tree.

Database: --db, else $WARDEN_DB, config `db.path`, else the cache file `warden db update` and
`warden db pull` maintain. Get one with `warden db update`, `warden db pull REF` or
`warden db build --from DIR -o FILE`.

Exit codes: 0 passed; --exit-code N (Trivy style, default 0) when findings remain; 2 for
--fail-on; 64 usage or ignore-file error (with its line); 65 unreadable SBOM or --merge report;
66 database missing, corrupt or older than --db-max-age; 67 image unreadable.";

/// Settings of the `scan:` config section; flags override them.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct ScanConfig {
    /// Default output format.
    pub format: Option<String>,
    /// Default `--severity` list.
    pub severity: Option<String>,
    /// Default `--exit-code`.
    pub exit_code: Option<i32>,
    /// Default `--fail-on`.
    pub fail_on: Option<String>,
    /// Default `--ignore-unfixed`.
    pub ignore_unfixed: bool,
    /// Ignore files always read.
    pub ignorefiles: Vec<PathBuf>,
    /// OpenVEX documents always read.
    pub vex: Vec<PathBuf>,
}

/// Arguments of `warden scan`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct ScanArgs {
    /// IMAGE, sbom:FILE, or `fs` followed by DIR.
    #[arg(value_name = "TARGET")]
    pub target: String,
    /// The directory, after `fs`.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Database file (default: config `db.path`, else the user cache dir).
    #[arg(long, value_name = "FILE", env = "WARDEN_DB")]
    pub db: Option<PathBuf>,
    /// Fail (exit 66) when the database is older than this (90m, 12h, 7d, 2w).
    #[arg(long, value_name = "AGE")]
    pub db_max_age: Option<String>,
    /// Only report these severities (comma-separated, Trivy style); others are kept as
    /// suppressed in JSON output.
    #[arg(long, value_name = "LIST")]
    pub severity: Option<String>,
    /// Exit status when any reported finding remains (Trivy style; 0 disables).
    #[arg(long, value_name = "N")]
    pub exit_code: Option<i32>,
    /// Exit 2 when a finding at or above this severity remains (Grype style).
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Suppress findings that have no fixed version.
    #[arg(long)]
    pub ignore_unfixed: bool,
    /// Ignore file: .trivyignore, .trivyignore.yaml or warden's own (*warden*.yaml); repeatable.
    #[arg(long, value_name = "FILE")]
    pub ignorefile: Vec<PathBuf>,
    /// OpenVEX document; repeatable.
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    /// Trivy or Grype JSON report whose findings join the same gate; repeatable.
    #[arg(long, value_name = "REPORT.json")]
    pub merge: Vec<PathBuf>,
    /// Output format: table, json, trivy-json, sarif, gitlab, cyclonedx, junit, markdown.
    #[arg(short, long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Write to FILE instead of stdout (atomically).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also list suppressed findings in the table and Markdown outputs.
    #[arg(long)]
    pub show_suppressed: bool,
    /// Platform to pick from a multi-arch index (os/arch[/variant]).
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,
    /// Allow plain-HTTP registries (loopback only).
    #[arg(long)]
    pub insecure: bool,
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

/// What is being scanned.
enum Target<'a> {
    Image(&'a str),
    Sbom(&'a Path),
    Dir(&'a Path),
}

fn target(args: &ScanArgs) -> anyhow::Result<Target<'_>> {
    match (args.target.as_str(), &args.dir) {
        ("fs", Some(dir)) => Ok(Target::Dir(dir)),
        ("fs", None) => Err(exit::fail(exit::USAGE, "`warden scan fs` needs a DIR")),
        (_, Some(extra)) => Err(exit::fail(
            exit::USAGE,
            format!(
                "unexpected argument '{}' after the target (only `fs DIR` takes two)",
                extra.display()
            ),
        )),
        (t, None) => match t.strip_prefix("sbom:") {
            Some(path) => Ok(Target::Sbom(Path::new(path))),
            None => Ok(Target::Image(t)),
        },
    }
}

/// Runs `warden scan`.
pub fn run(args: &ScanArgs, g: &Globals) -> anyhow::Result<ExitCode> {
    let cfg: ScanConfig = g.config.section("scan")?;
    let dbcfg: DbConfig = g.config.section("db")?;
    let target = target(args)?;
    let format = match args.format.as_deref().or(cfg.format.as_deref()) {
        Some(name) => Format::from_str(name).map_err(usage)?,
        None => Format::Table,
    };
    // The policy is compiled before any slow work so a typo in an ignore file fails at once.
    let policy = policy(args, &cfg)?;
    let db = open_db(args, &dbcfg)?;
    let mut warnings = db_warnings(&db, &dbcfg)?;

    let inventory = inventory(&target, args, g)?;
    let now = now_utc();
    let matched = warden_scan::match_inventory(&inventory, &db, now.date())
        .map_err(|e| exit::fail(exit::DATABASE, e.to_string()))?;
    tracing::info!(
        packages = matched.stats.packages,
        queries = matched.stats.queries,
        cached = matched.stats.cached,
        findings = matched.findings.len(),
        "matched"
    );
    for (skip, n) in &matched.stats.skipped {
        tracing::info!(?skip, count = n, "packages not matched");
    }
    warnings.extend(matched.warnings);
    let mut findings = matched.findings;
    if !args.merge.is_empty() {
        for path in &args.merge {
            let imported = warden_scan::read_report(path)
                .map_err(|e| exit::fail(exit::INPUT, format!("--merge: {e}")))?;
            tracing::info!(file = %path.display(), findings = imported.len(), "merged report");
            findings.extend(imported);
        }
        findings = warden_scan::merge_findings(findings);
    }
    let evaluation = policy.evaluate(findings, now.date());
    let mut report = ScanReport::new(inventory, evaluation);
    for w in warnings {
        report.warn(w);
    }
    for w in &report.warnings {
        messages::warn(w);
    }
    let opts = RenderOptions {
        tty: args.output.is_none()
            && std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        timestamp: now,
        show_suppressed: args.show_suppressed,
    };
    let bytes = warden_scan::render(&report, format, &opts).context("rendering the report")?;
    output::write_output(args.output.as_deref(), &bytes)?;
    if report.gate.failed {
        messages::warn(&report.gate.reason);
    }
    Ok(ExitCode::from(
        u8::try_from(report.gate.exit_code).unwrap_or(exit::FINDINGS),
    ))
}

fn usage(e: ScanError) -> anyhow::Error {
    exit::fail(exit::USAGE, e.to_string())
}

fn policy(args: &ScanArgs, cfg: &ScanConfig) -> anyhow::Result<Policy> {
    let mut b = Policy::builder();
    if let Some(list) = args.severity.as_deref().or(cfg.severity.as_deref()) {
        b = b.severities(&warden_scan::parse_severity_list(list).map_err(usage)?);
    }
    if let Some(code) = args.exit_code.or(cfg.exit_code) {
        if !(0..=255).contains(&code) {
            return Err(exit::fail(
                exit::USAGE,
                format!("invalid --exit-code {code}: expected 0 to 255"),
            ));
        }
        b = b.exit_code(code);
    }
    if let Some(s) = args.fail_on.as_deref().or(cfg.fail_on.as_deref()) {
        let sev = Severity::from_str(s)
            .map_err(|e| exit::fail(exit::USAGE, format!("invalid --fail-on: {e}")))?;
        b = b.fail_on(sev);
    }
    b = b.ignore_unfixed(args.ignore_unfixed || cfg.ignore_unfixed);
    for f in cfg.ignorefiles.iter().chain(&args.ignorefile) {
        b = b.ignore_file(f);
    }
    for f in cfg.vex.iter().chain(&args.vex) {
        b = b.vex(f);
    }
    b.build().map_err(usage)
}

fn now_utc() -> OffsetDateTime {
    // SOURCE_DATE_EPOCH pins the report's timestamp (and the day ignore expiries are judged
    // on), so a reproducible build of the report is possible.
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or_else(OffsetDateTime::now_utc)
}

fn open_db(args: &ScanArgs, cfg: &DbConfig) -> anyhow::Result<vdb::Db> {
    let path = args
        .db
        .clone()
        .or_else(|| cfg.path.clone())
        .unwrap_or_else(vdb::default_db_path);
    if !path.exists() {
        return Err(exit::fail(
            exit::DATABASE,
            format!(
                "vulnerability database {} not found; get one with `warden db update` (download the public feeds), `warden db pull REF` (from a registry) or `warden db build --from FEEDS_DIR -o {}`, or pass --db FILE",
                path.display(),
                path.display()
            ),
        ));
    }
    let db = vdb::Db::open(&path).map_err(|e| {
        exit::fail(
            exit::DATABASE,
            format!("{e}; replace it with `warden db update` or `warden db pull REF`"),
        )
    })?;
    if let Some(max) = args.db_max_age.as_deref().or(cfg.max_age.as_deref()) {
        let secs = vdb::parse_duration(max).map_err(|e| exit::fail(exit::USAGE, e.to_string()))?;
        db.check_age(unix_now(), secs)
            .map_err(|e| exit::fail(exit::DATABASE, e.to_string()))?;
    }
    Ok(db)
}

fn unix_now() -> i64 {
    now_utc().unix_timestamp()
}

fn db_warnings(db: &vdb::Db, cfg: &DbConfig) -> anyhow::Result<Vec<String>> {
    let warn = vdb::parse_duration(cfg.warn_age.as_deref().unwrap_or("7d"))
        .map_err(|e| exit::fail(exit::USAGE, format!("config 'db.warn-age': {e}")))?;
    let age = db.age_seconds(unix_now());
    Ok(if age > warn {
        vec![format!(
            "vulnerability database {} is {} old (built {}); run `warden db update`, or pass --db-max-age to fail instead",
            db.path().display(),
            vdb::human_duration(age),
            db.metadata().built_at
        )]
    } else {
        Vec::new()
    })
}

fn inventory(target: &Target<'_>, args: &ScanArgs, g: &Globals) -> anyhow::Result<Inventory> {
    match target {
        Target::Sbom(path) => {
            let bytes = std::fs::read(path).map_err(|e| {
                exit::fail(exit::INPUT, format!("reading SBOM {}: {e}", path.display()))
            })?;
            warden_sbom::read(&bytes, &path.display().to_string())
                .map_err(|e| exit::fail(exit::INPUT, e.to_string()))
        }
        Target::Dir(dir) => {
            if !dir.is_dir() {
                return Err(exit::fail(
                    exit::INPUT,
                    format!("{}: not a directory", dir.display()),
                ));
            }
            let reference = format!("dir:{}", dir.display());
            let mut inv = catalog(&reference, args, g)?;
            inv.target = dir.display().to_string();
            let locked = warden_catalog::catalog_lockfiles(dir)
                .map_err(|e| exit::fail(exit::INPUT, e.to_string()))?;
            merge_lockfiles(&mut inv, locked);
            Ok(inv)
        }
        Target::Image(reference) => catalog(reference, args, g),
    }
}

fn catalog(reference: &str, args: &ScanArgs, g: &Globals) -> anyhow::Result<Inventory> {
    let opts = warden_image::OpenOptions {
        platform: args.platform.clone(),
        insecure: args.insecure,
        digest_cache: warden_image::DigestCache::unless(args.no_cache),
        verify_layers: !args.skip_layer_verify,
        ..Default::default()
    };
    let progress = messages::LayerProgress::new(g.args.quiet);
    let inv = warden_catalog::catalog_image(reference, &opts, &progress)
        .map_err(|e| exit::fail(exit::IMAGE, format!("{reference}: {e}")))?;
    progress.finish();
    if !inv.skipped.is_empty() {
        tracing::info!(
            count = inv.skipped.len(),
            "entries were skipped while cataloguing"
        );
    }
    Ok(inv)
}

/// Adds lockfile packages to an installed-package inventory. A package both installed and
/// locked at the same version is one package with both locations, so it gives one finding.
fn merge_lockfiles(inv: &mut Inventory, locked: Inventory) {
    let mut index: std::collections::HashMap<(warden_core::Ecosystem, String, String), usize> = inv
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| ((p.ecosystem, p.name.clone(), p.version.clone()), i))
        .collect();
    for p in locked.packages {
        let key = (p.ecosystem, p.name.clone(), p.version.clone());
        match index.get(&key) {
            Some(&i) => inv.packages[i].locations.extend(p.locations),
            None => {
                index.insert(key, inv.packages.len());
                inv.packages.push(p);
            }
        }
    }
    inv.relationships.extend(locked.relationships);
    inv.skipped.extend(locked.skipped);
    inv.normalize();
}
