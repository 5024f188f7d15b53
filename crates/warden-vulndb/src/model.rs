//! The normalised advisory every feed produces, and the keys it is stored under.

use serde::{Deserialize, Serialize};
use warden_core::{Cvss, Ecosystem, FixStatus, Severity};
use warden_version::Scheme;

/// One advisory as one source published it, before alias joining.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Advisory {
    /// The source label (`osv-pypa`, `ghsa`, `alpine-secdb`, `debian-dsa`...).
    pub source: String,
    /// The advisory's own ID as the source spells it.
    pub id: String,
    /// IDs this advisory is the same vulnerability as (CVE, GHSA, PYSEC...): these are joined.
    pub aliases: Vec<String>,
    /// IDs merely related (a DSA bundling several CVEs): shown, never joined.
    pub related: Vec<String>,
    /// Whether `id` itself takes part in joining. A DSA split per CVE joins only through the CVE,
    /// or every CVE it bundles would collapse into one vulnerability.
    pub id_joins: bool,
    /// One-line summary.
    pub title: String,
    /// Longer text.
    pub description: String,
    /// The severity label the source itself gives (GHSA, distro priority), if any.
    pub severity: Option<Severity>,
    /// CVSS vectors with computed scores.
    pub cvss: Vec<Cvss>,
    /// Reference URLs.
    pub references: Vec<String>,
    /// CWE IDs.
    pub cwes: Vec<String>,
    /// Publication date as written by the source.
    pub published: Option<String>,
    /// Last modification date as written by the source.
    pub modified: Option<String>,
    /// When the advisory was withdrawn, if it was.
    pub withdrawn: Option<String>,
    /// The packages it affects.
    pub affected: Vec<Affected>,
}

/// One affected package of an advisory.
#[derive(Debug, Clone, PartialEq)]
pub struct Affected {
    /// The ecosystem or distro release key (see [`eco_key`]).
    pub eco: String,
    /// The package name, normalised with [`normalize_name`].
    pub package: String,
    /// Affected when any range matches (an empty list with status other than fixed means every
    /// version).
    pub ranges: Vec<Range>,
    /// Versions that fix it, as the source wrote them.
    pub fixed: Vec<String>,
    /// Fix status for versions that match.
    pub status: FixStatus,
}

/// A set of affected versions, in the form the source wrote it. Ranges are stored as written and
/// evaluated at query time through `warden_version`, so a fix to an ordering never needs a
/// re-ingest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Range {
    /// Every version.
    Any,
    /// An OSV interval: from `introduced` (inclusive; `None` means from the start) up to `fixed`
    /// (exclusive) or `last_affected` (inclusive), or unbounded when neither is set.
    Interval {
        /// Inclusive lower bound.
        introduced: Option<String>,
        /// Exclusive upper bound.
        fixed: Option<String>,
        /// Inclusive upper bound.
        last_affected: Option<String>,
    },
    /// Affected when the version satisfies this constraint (npm range, Composer constraint...).
    Constraint(String),
    /// Affected unless the version satisfies one of these constraints (RustSec, rubysec:
    /// `patched` plus `unaffected`).
    Unless(Vec<String>),
    /// Exactly these versions.
    Exact(Vec<String>),
}

/// The key advisories are stored under for a language ecosystem: its purl type (`pypi`, `npm`,
/// `maven`, `golang`, `cargo`, `gem`, `composer`, `nuget`).
pub fn eco_key(eco: Ecosystem) -> String {
    eco.purl_type().to_string()
}

/// The key advisories are stored under for a distro release: `debian:12`, `alpine:3.20`,
/// `ubuntu:22.04`. `version_id` may be a point release (`12.5`, `3.20.3`): Debian keeps the major
/// version, Alpine major.minor, Ubuntu its full `YY.MM`. Debian and Ubuntu codenames are accepted.
pub fn distro_key(os_id: &str, version_id: &str) -> Option<String> {
    let id = os_id.trim().to_ascii_lowercase();
    let v = version_id.trim().trim_start_matches('v');
    match id.as_str() {
        "debian" => {
            let major = debian_release(v).map(str::to_string).or_else(|| {
                let m = v.split('.').next().unwrap_or("");
                (!m.is_empty() && m.bytes().all(|b| b.is_ascii_digit())).then(|| m.to_string())
            })?;
            Some(format!("debian:{major}"))
        }
        "alpine" => {
            let mut parts = v.split('.');
            let (a, b) = (parts.next()?, parts.next()?);
            if a.is_empty()
                || b.is_empty()
                || !a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit())
            {
                return None;
            }
            Some(format!("alpine:{a}.{b}"))
        }
        "ubuntu" => {
            if let Some(n) = ubuntu_release(v) {
                return Some(format!("ubuntu:{n}"));
            }
            let mut parts = v.split('.');
            let (a, b) = (parts.next()?, parts.next()?);
            if a.len() != 2 || b.len() != 2 {
                return None;
            }
            Some(format!("ubuntu:{a}.{b}"))
        }
        _ => None,
    }
}

/// Debian codename → release number.
pub(crate) fn debian_release(codename: &str) -> Option<&'static str> {
    const T: &[(&str, &str)] = &[
        ("hamm", "2"),
        ("slink", "2.1"),
        ("potato", "2.2"),
        ("woody", "3.0"),
        ("sarge", "3.1"),
        ("etch", "4"),
        ("lenny", "5"),
        ("squeeze", "6"),
        ("wheezy", "7"),
        ("jessie", "8"),
        ("stretch", "9"),
        ("buster", "10"),
        ("bullseye", "11"),
        ("bookworm", "12"),
        ("trixie", "13"),
        ("forky", "14"),
        ("duke", "15"),
        ("sid", "sid"),
    ];
    T.iter().find(|(c, _)| *c == codename).map(|(_, n)| *n)
}

/// Ubuntu codename → `YY.MM`.
pub(crate) fn ubuntu_release(codename: &str) -> Option<&'static str> {
    const T: &[(&str, &str)] = &[
        ("warty", "4.10"),
        ("hoary", "5.04"),
        ("breezy", "5.10"),
        ("dapper", "6.06"),
        ("edgy", "6.10"),
        ("feisty", "7.04"),
        ("gutsy", "7.10"),
        ("hardy", "8.04"),
        ("intrepid", "8.10"),
        ("jaunty", "9.04"),
        ("karmic", "9.10"),
        ("lucid", "10.04"),
        ("maverick", "10.10"),
        ("natty", "11.04"),
        ("oneiric", "11.10"),
        ("precise", "12.04"),
        ("quantal", "12.10"),
        ("raring", "13.04"),
        ("saucy", "13.10"),
        ("trusty", "14.04"),
        ("utopic", "14.10"),
        ("vivid", "15.04"),
        ("wily", "15.10"),
        ("xenial", "16.04"),
        ("yakkety", "16.10"),
        ("zesty", "17.04"),
        ("artful", "17.10"),
        ("bionic", "18.04"),
        ("cosmic", "18.10"),
        ("disco", "19.04"),
        ("eoan", "19.10"),
        ("focal", "20.04"),
        ("groovy", "20.10"),
        ("hirsute", "21.04"),
        ("impish", "21.10"),
        ("jammy", "22.04"),
        ("kinetic", "22.10"),
        ("lunar", "23.04"),
        ("mantic", "23.10"),
        ("noble", "24.04"),
        ("oracular", "24.10"),
        ("plucky", "25.04"),
        ("questing", "25.10"),
    ];
    T.iter().find(|(c, _)| *c == codename).map(|(_, n)| *n)
}

/// The version ordering for a stored key.
pub fn scheme_for_key(key: &str) -> Option<Scheme> {
    let base = key.split(':').next().unwrap_or(key);
    Some(match base {
        "debian" | "ubuntu" => Scheme::Dpkg,
        "alpine" => Scheme::Apk,
        // Keys of feeds whose packages are not an ecosystem's: RustSec's toolchain components,
        // rubysec's Ruby engines, the Node.js runtime.
        "rust-toolchain" => Scheme::Cargo,
        "ruby-engine" => Scheme::Gem,
        "nodejs" => Scheme::Npm,
        other => Scheme::for_ecosystem(other.parse::<Ecosystem>().ok()?),
    })
}

/// The name as stored and looked up: PyPI names are normalised per PEP 503, Composer and
/// distro names are case-insensitive, everything else is kept as the ecosystem spells it.
pub fn normalize_name(key: &str, name: &str) -> String {
    let base = key.split(':').next().unwrap_or(key);
    let name = name.trim();
    match base {
        "pypi" => {
            let mut out = String::with_capacity(name.len());
            let mut sep = false;
            for c in name.chars() {
                if c == '-' || c == '_' || c == '.' {
                    sep = true;
                } else {
                    if sep && !out.is_empty() {
                        out.push('-');
                    }
                    sep = false;
                    out.extend(c.to_lowercase());
                }
            }
            out
        }
        "composer" | "debian" | "ubuntu" | "alpine" | "nuget" => name.to_ascii_lowercase(),
        _ => name.to_string(),
    }
}

/// Maps an OSV `affected[].package.ecosystem` to a storage key: `PyPI` → `pypi`,
/// `Debian:12` → `debian:12`, `Alpine:v3.20` → `alpine:3.20`, `Ubuntu:22.04:LTS` →
/// `ubuntu:22.04`. `None` for ecosystems warden does not scan.
pub fn osv_ecosystem_key(eco: &str) -> Option<String> {
    let mut parts = eco.split(':');
    let base = parts.next()?.trim();
    let rest: Vec<&str> = parts.collect();
    match base {
        "Debian" => {
            let rel = rest.first()?;
            distro_key("debian", rel)
        }
        "Alpine" => distro_key("alpine", rest.first()?),
        "Ubuntu" => {
            // `Ubuntu:22.04:LTS`, `Ubuntu:Pro:18.04:LTS`, `Ubuntu:24.10`.
            let rel = rest.iter().find(|p| p.contains('.'))?;
            distro_key("ubuntu", rel)
        }
        "PyPI" | "npm" | "Maven" | "Go" | "crates.io" | "RubyGems" | "Packagist" | "NuGet" => {
            if !rest.is_empty() {
                return None;
            }
            Some(eco_key(base.parse::<Ecosystem>().ok()?))
        }
        _ => None,
    }
}
