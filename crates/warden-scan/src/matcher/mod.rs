//! Matching: an [`Inventory`] plus an advisory [`Db`] in, [`Finding`]s out.
//!
//! Each package becomes at most one DB query, built by the file for its family: OS packages by
//! [`dpkg`], [`apk`] and [`rpm`] (the distro release's advisories, keyed by source package),
//! language packages by [`language`] (the ecosystem's advisories). Advisories the database
//! already joined by alias share one vulnerability index, so every advisory that matched one
//! package folds into one finding that lists each source. End-of-life distros are flagged by
//! [`eol`].
//!
//! ```no_run
//! let db = warden_vulndb::Db::open("warden.db")?;
//! let inv = warden_core::Inventory::default();
//! let out = warden_scan::matcher::match_inventory(&inv, &db, time::macros::date!(2026 - 01 - 01))?;
//! for f in &out.findings {
//!     println!("{} {} {}", f.vulnerability.id, f.package.name, f.installed_version);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod apk;
pub mod dpkg;
pub mod eol;
pub mod language;
pub mod rpm;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use time::Date;
use warden_core::{Ecosystem, Finding, FixStatus, Inventory, MatchType, Package, Vulnerability};
use warden_vulndb::{Db, Match};

use crate::error::ScanError;

/// One question to the database for one package.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Query {
    /// The DB key: `pypi`, `maven`, `debian:12`, `alpine:3.20`...
    pub key: String,
    /// The name advisories are filed under (the source package for distros).
    pub name: String,
    /// The version compared against the advisories' ranges.
    pub version: String,
    /// How a hit is reported.
    pub match_type: MatchType,
}

/// Why a package was not queried.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Skip {
    /// The package's distro release has no advisories in warden's database format.
    Distro(String),
    /// The package has no usable version (`(devel)`, empty).
    NoVersion,
    /// The ecosystem has no advisory source (`generic` packages, runtimes).
    Ecosystem(Ecosystem),
    /// A name advisories cannot be filed under (a Maven artifact with no group).
    Name(String),
}

/// The distro release OS packages are matched against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distro {
    /// `debian`, `alpine`, `ubuntu`, `rhel`...
    pub id: String,
    /// The DB key (`debian:12`), `None` when warden has no advisories for this distro.
    pub key: Option<String>,
    /// `debian 12`, for messages.
    pub label: String,
}

impl Distro {
    /// The release described by the inventory's `/etc/os-release`, if one was found.
    pub fn from_inventory(inv: &Inventory) -> Option<Distro> {
        let os = inv.os.as_ref()?;
        let release = if os.version_id.is_empty() {
            os.codename.clone().unwrap_or_default()
        } else {
            os.version_id.clone()
        };
        Some(Distro {
            id: os.id.to_ascii_lowercase(),
            key: warden_vulndb::distro_key(&os.id, &release),
            label: format!("{} {}", os.id, release).trim().to_string(),
        })
    }
}

/// Counters over one matching run, for logs and the benchmark.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchStats {
    /// Packages in the inventory.
    pub packages: usize,
    /// Distinct queries sent to the database.
    pub queries: usize,
    /// Packages answered from the per-run cache (binary packages sharing a source package).
    pub cached: usize,
    /// Packages not queried, by reason.
    pub skipped: BTreeMap<Skip, usize>,
    /// Advisories reported even though a version or range could not be compared.
    pub indeterminate: usize,
}

/// What [`match_inventory`] found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatchOutput {
    /// One finding per (package, vulnerability), sorted by package then vulnerability ID.
    pub findings: Vec<Finding>,
    /// Loud warnings for the report: end-of-life distro, distro without advisories, packages
    /// not matched, advisories that could not be evaluated.
    pub warnings: Vec<String>,
    /// Counters.
    pub stats: MatchStats,
}

/// Matches every package of `inv` against `db`. `today` decides end-of-life warnings; pass it
/// in so results are reproducible.
pub fn match_inventory(inv: &Inventory, db: &Db, today: Date) -> Result<MatchOutput, ScanError> {
    let distro = Distro::from_inventory(inv);
    let mut out = MatchOutput::default();
    out.stats.packages = inv.packages.len();
    let mut answers: HashMap<Query, Vec<Match<'_>>> = HashMap::new();
    let mut details: HashMap<u32, Vulnerability> = HashMap::new();
    // OS packages whose source package the DB knows for this release: zero of many means the DB
    // holds nothing for the release, which must not read as "no vulnerabilities".
    let (mut os_packages, mut os_known) = (0usize, 0usize);
    for pkg in &inv.packages {
        let query = match query_for(pkg, distro.as_ref()) {
            Ok(q) => q,
            Err(skip) => {
                *out.stats.skipped.entry(skip).or_default() += 1;
                continue;
            }
        };
        if pkg.ecosystem.is_os() {
            os_packages += 1;
            let name = warden_vulndb::normalize_name(&query.key, &query.name);
            if db
                .package_blob(&query.key, &name)
                .map_err(db_err)?
                .is_some()
            {
                os_known += 1;
            }
        }
        let matches = match answers.get(&query) {
            Some(m) => {
                out.stats.cached += 1;
                m.clone()
            }
            None => {
                out.stats.queries += 1;
                let m = db
                    .query(&query.key, &query.name, &query.version)
                    .map_err(db_err)?;
                answers.insert(query.clone(), m.clone());
                m
            }
        };
        out.stats.indeterminate += matches.iter().filter(|m| m.indeterminate.is_some()).count();
        out.findings
            .extend(fold_matches(pkg, &query, matches, db, &mut details)?);
    }
    out.findings.sort_by(|a, b| {
        (
            a.package.ecosystem,
            &a.package.name,
            &a.installed_version,
            &a.package.id,
            &a.vulnerability.id,
        )
            .cmp(&(
                b.package.ecosystem,
                &b.package.name,
                &b.installed_version,
                &b.package.id,
                &b.vulnerability.id,
            ))
    });
    out.warnings = warnings(&distro, &out.stats, os_packages, os_known, today);
    Ok(out)
}

/// The query for one package, or why it is not queried.
pub fn query_for(pkg: &Package, distro: Option<&Distro>) -> Result<Query, Skip> {
    match pkg.ecosystem {
        Ecosystem::Deb => dpkg::query(pkg, distro),
        Ecosystem::Apk => apk::query(pkg, distro),
        Ecosystem::Rpm => rpm::query(pkg, distro),
        _ => language::query(pkg),
    }
}

fn db_err(e: warden_vulndb::Error) -> ScanError {
    ScanError::Database {
        message: e.to_string(),
    }
}

/// Every match of one package grouped by vulnerability: one finding each.
fn fold_matches(
    pkg: &Package,
    query: &Query,
    matches: Vec<Match<'_>>,
    db: &Db,
    details: &mut HashMap<u32, Vulnerability>,
) -> Result<Vec<Finding>, ScanError> {
    let mut by_vuln: BTreeMap<u32, Vec<Match<'_>>> = BTreeMap::new();
    for m in matches {
        by_vuln.entry(m.vuln).or_default().push(m);
    }
    let scheme = warden_vulndb::scheme_for_key(&query.key);
    let mut out = Vec::with_capacity(by_vuln.len());
    for (idx, ms) in by_vuln {
        let mut vuln = match details.get(&idx) {
            Some(v) => v.clone(),
            None => {
                let v = db.vulnerability_at(idx).map_err(db_err)?.vulnerability;
                details.insert(idx, v.clone());
                v
            }
        };
        // The sources are the advisories that matched this package, not every feed that
        // mentions the CVE (an NVD or KEV entry is enrichment, not a match).
        vuln.sources = ms
            .iter()
            .map(|m| m.source.to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if pkg.ecosystem.is_os() {
            // Trivy's rule for OS packages: the distro's own rating wins over CVSS.
            if let Some(m) = ms
                .iter()
                .filter(|m| m.source_severity.is_some_and(|s| s != Default::default()))
                .min_by(|a, b| a.source.cmp(b.source))
            {
                vuln.severity = m.source_severity.unwrap_or_default();
                vuln.severity_source = m.source.to_string();
            }
        }
        let mut fixed: Vec<String> = ms
            .iter()
            .flat_map(|m| m.fixed_versions.iter().map(|v| v.to_string()))
            .collect();
        fixed.sort_by(|a, b| match scheme {
            Some(s) => warden_version::compare(s, a, b).unwrap_or_else(|_| a.cmp(b)),
            None => a.cmp(b),
        });
        fixed.dedup();
        let status = if fixed.is_empty() {
            ms.iter()
                .map(|m| m.status)
                .min_by_key(|s| status_rank(*s))
                .unwrap_or(FixStatus::Unknown)
        } else {
            FixStatus::Fixed
        };
        let matched_by: Vec<String> = ms
            .iter()
            .map(|m| format!("{}:{}", m.source, m.advisory_id))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut aliases: BTreeSet<String> = vuln.aliases.iter().cloned().collect();
        aliases.extend(
            ms.iter()
                .map(|m| m.advisory_id.to_string())
                .filter(|a| *a != vuln.id),
        );
        vuln.aliases = aliases.into_iter().collect();
        out.push(Finding {
            vulnerability: vuln,
            package: pkg.clone(),
            installed_version: pkg.version.clone(),
            fixed_versions: fixed,
            status,
            match_type: query.match_type,
            matched_by,
        });
    }
    Ok(out)
}

/// The most informative status wins when sources disagree: a vendor's "will not fix" says more
/// than "affected", and anything says more than "unknown".
fn status_rank(s: FixStatus) -> u8 {
    match s {
        FixStatus::Fixed => 0,
        FixStatus::WillNotFix => 1,
        FixStatus::FixDeferred => 2,
        FixStatus::Affected => 3,
        FixStatus::Unknown => 4,
    }
}

fn warnings(
    distro: &Option<Distro>,
    stats: &MatchStats,
    os_packages: usize,
    os_known: usize,
    today: Date,
) -> Vec<String> {
    let mut w = Vec::new();
    if let Some(d) = distro {
        if let Some(msg) = eol::warning(&d.id, &d.label, today) {
            w.push(msg);
        }
        // A handful of packages may all be absent from the DB legitimately; dozens cannot.
        if os_packages >= 10 && os_known == 0 {
            w.push(format!(
                "the vulnerability database has no advisories for {} ({} OS packages not matched); rebuild it with this release's distro feed",
                d.label, os_packages
            ));
        }
    }
    for (skip, n) in &stats.skipped {
        let msg = match skip {
            Skip::Distro(label) => format!(
                "{n} OS package{} of {label} not matched: warden has no advisory feed for this distro",
                plural(*n)
            ),
            Skip::Name(why) => format!("{n} package{} not matched: {why}", plural(*n)),
            Skip::NoVersion | Skip::Ecosystem(_) => continue,
        };
        w.push(msg);
    }
    if stats.indeterminate > 0 {
        w.push(format!(
            "{} advisor{} reported although a version could not be compared (-v shows which)",
            stats.indeterminate,
            if stats.indeterminate == 1 { "y" } else { "ies" }
        ));
    }
    w.sort();
    w
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The DB key of the inventory's distro when it belongs to one of `families`.
fn distro_key(distro: Option<&Distro>, families: &[&str]) -> Result<String, Skip> {
    let Some(d) = distro else {
        return Err(Skip::Distro(
            "an unknown distro (no /etc/os-release)".to_string(),
        ));
    };
    match &d.key {
        Some(k) if families.iter().any(|f| k.split(':').next() == Some(*f)) => Ok(k.clone()),
        _ => Err(Skip::Distro(d.label.clone())),
    }
}
