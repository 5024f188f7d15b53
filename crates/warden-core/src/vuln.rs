use serde::{Deserialize, Serialize};

use crate::{Package, Severity};

/// A CVSS score with the vector it came from and who published it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cvss {
    /// Who published it (`nvd`, `ghsa`, `redhat`, ...).
    pub source: String,
    /// The vector string (`CVSS:3.1/AV:N/...`).
    pub vector: String,
    /// The base score.
    pub score: f64,
}

/// The fix status a distro or advisory gives for one package.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum FixStatus {
    /// A fixed version exists.
    Fixed,
    /// Affected, no fix yet.
    #[default]
    Affected,
    /// The vendor will not fix it.
    WillNotFix,
    /// A fix is deferred.
    FixDeferred,
    /// Unclear whether the package is affected.
    Unknown,
}

/// One vulnerability as the database knows it, with every source that reported it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// The primary ID (a CVE when one exists, else the advisory ID).
    pub id: String,
    /// Every other ID this vulnerability is known by, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// One-line summary.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// Longer description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The severity the policy uses: vendor first, else the highest CVSS rating.
    pub severity: Severity,
    /// Who the severity came from.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub severity_source: String,
    /// Every CVSS score known.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cvss: Vec<Cvss>,
    /// Reference URLs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// CWE IDs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwes: Vec<String>,
    /// Listed in CISA's Known Exploited Vulnerabilities catalog.
    #[serde(default)]
    pub kev: bool,
    /// EPSS probability (0..1), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epss: Option<f64>,
    /// Publication date (RFC 3339), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Every advisory source that reported it (`ghsa`, `osv-pypi`, `debian`, `alpine`...), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// The advisory was withdrawn by its publisher.
    #[serde(default)]
    pub withdrawn: bool,
}

/// How a finding was matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchType {
    /// OS package matched by its source package against the distro release's advisories.
    DistroSourcePackage,
    /// OS package matched by its binary package name.
    DistroPackage,
    /// Language package matched by ecosystem and name against a version range.
    EcosystemRange,
    /// Language package matched against an explicit list of affected versions.
    EcosystemVersionList,
    /// Imported from another scanner's report (`--merge`).
    Imported,
}

/// One vulnerability in one package of one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The vulnerability.
    pub vulnerability: Vulnerability,
    /// The affected package (with its locations and layers).
    pub package: Package,
    /// The installed version that matched.
    pub installed_version: String,
    /// Versions that fix it, in ascending order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed_versions: Vec<String>,
    /// The fix status.
    pub status: FixStatus,
    /// How it matched.
    pub match_type: MatchType,
    /// The advisory IDs (per source) that matched this package, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matched_by: Vec<String>,
}
