//! Report formats, one file each, all behind [`Report`] and listed in [`FORMATS`].

mod cyclonedx;
mod gitlab;
mod json;
mod junit;
mod markdown;
mod sarif;
mod table;
mod trivy_json;

use std::fmt;
use std::str::FromStr;

use time::format_description::well_known::Rfc3339;
use warden_core::{Ecosystem, Finding, Severity};

use crate::error::ScanError;
use crate::report::{RenderOptions, ScanReport};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// Human table grouped by package.
    Table,
    /// warden's JSON (docs/scan-json.md).
    Json,
    /// Trivy-shaped JSON (`Results[].Vulnerabilities[]`).
    TrivyJson,
    /// SARIF 2.1.0 with Trivy's conventions.
    Sarif,
    /// GitLab container-scanning report, schema 15.0.7.
    Gitlab,
    /// CycloneDX 1.6 JSON with `vulnerabilities`.
    Cyclonedx,
    /// JUnit XML.
    Junit,
    /// Markdown summary for merge-request comments.
    Markdown,
}

/// One report format.
pub trait Report: Sync {
    /// Renders the whole report.
    fn render(&self, report: &ScanReport, opts: &RenderOptions) -> Result<Vec<u8>, ScanError>;
}

/// Every format: its CLI name and its renderer.
pub const FORMATS: &[(Format, &str, &dyn Report)] = &[
    (Format::Table, "table", &table::Table),
    (Format::Json, "json", &json::Json),
    (Format::TrivyJson, "trivy-json", &trivy_json::TrivyJson),
    (Format::Sarif, "sarif", &sarif::Sarif),
    (Format::Gitlab, "gitlab", &gitlab::Gitlab),
    (Format::Cyclonedx, "cyclonedx", &cyclonedx::CycloneDx),
    (Format::Junit, "junit", &junit::Junit),
    (Format::Markdown, "markdown", &markdown::Markdown),
];

impl Format {
    /// The CLI name (`--format NAME`).
    pub fn name(self) -> &'static str {
        FORMATS
            .iter()
            .find(|(f, _, _)| *f == self)
            .map(|(_, n, _)| *n)
            .unwrap_or("?")
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = ScanError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let l = s.trim().to_ascii_lowercase();
        let l = match l.as_str() {
            "trivy" => "trivy-json",
            "cyclonedx-json" | "cdx" => "cyclonedx",
            "md" => "markdown",
            "sarif-json" => "sarif",
            other => other,
        };
        FORMATS
            .iter()
            .find(|(_, n, _)| *n == l)
            .map(|(f, _, _)| *f)
            .ok_or_else(|| ScanError::Usage {
                what: "--format",
                message: format!(
                    "unknown format '{s}' (expected one of {})",
                    FORMATS
                        .iter()
                        .map(|(_, n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
    }
}

/// Renders `report` in `format`.
pub fn render(
    report: &ScanReport,
    format: Format,
    opts: &RenderOptions,
) -> Result<Vec<u8>, ScanError> {
    let r = FORMATS
        .iter()
        .find(|(f, _, _)| *f == format)
        .map(|(_, _, r)| *r)
        .ok_or(ScanError::Render {
            format: "?",
            message: "format not registered".into(),
        })?;
    r.render(report, opts)
}

// ------------------------------------------------------------ helpers shared by formats

pub(crate) fn rfc3339(opts: &RenderOptions) -> String {
    opts.timestamp
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

pub(crate) fn to_json(format: &'static str, v: &serde_json::Value) -> Result<Vec<u8>, ScanError> {
    let mut out = serde_json::to_vec_pretty(v).map_err(|e| ScanError::Render {
        format,
        message: e.to_string(),
    })?;
    out.push(b'\n');
    Ok(out)
}

/// A link for an advisory ID, from the first reference when there is one.
pub(crate) fn advisory_url(f: &Finding) -> String {
    let id = &f.vulnerability.id;
    let known = if id.starts_with("CVE-") {
        format!("https://nvd.nist.gov/vuln/detail/{id}")
    } else if id.starts_with("GHSA-") {
        format!("https://github.com/advisories/{id}")
    } else if id.starts_with("RUSTSEC-") {
        format!("https://rustsec.org/advisories/{id}")
    } else if id.starts_with("GO-") {
        format!("https://pkg.go.dev/vuln/{id}")
    } else {
        format!("https://osv.dev/vulnerability/{id}")
    };
    f.vulnerability
        .references
        .iter()
        .find(|r| r.contains(id.as_str()))
        .cloned()
        .unwrap_or(known)
}

/// The fixed versions as Trivy writes them (comma-joined).
pub(crate) fn fixed(f: &Finding) -> String {
    f.fixed_versions.join(", ")
}

/// The first location path of the package, when any.
pub(crate) fn pkg_path(f: &Finding) -> Option<&str> {
    f.package
        .locations
        .iter()
        .map(|l| l.path.as_str())
        .find(|p| !p.is_empty())
}

/// The CVSS score the policy severity is based on: the severity source's, else the highest.
pub(crate) fn best_cvss(f: &Finding) -> Option<&warden_core::Cvss> {
    let v = &f.vulnerability;
    let v3 = |c: &&warden_core::Cvss| c.vector.starts_with("CVSS:3");
    v.cvss
        .iter()
        .filter(v3)
        .find(|c| c.source == v.severity_source)
        .or_else(|| {
            v.cvss
                .iter()
                .filter(v3)
                .max_by(|a, b| a.score.total_cmp(&b.score))
        })
        .or_else(|| v.cvss.iter().max_by(|a, b| a.score.total_cmp(&b.score)))
}

/// Trivy's language label and result type for a language ecosystem.
pub(crate) fn trivy_lang(eco: Ecosystem) -> (&'static str, &'static str) {
    match eco {
        Ecosystem::Pypi => ("Python", "python-pkg"),
        Ecosystem::Npm => ("Node.js", "node-pkg"),
        Ecosystem::Maven => ("Java", "jar"),
        Ecosystem::Golang => ("Go", "gobinary"),
        Ecosystem::Cargo => ("Rust", "rustbinary"),
        Ecosystem::Gem => ("Ruby", "gemspec"),
        Ecosystem::Composer => ("PHP", "composer-vendor"),
        Ecosystem::Nuget => (".NET", "dotnet-core"),
        _ => ("Other", "generic"),
    }
}

/// Severities worth a column, most severe first (Negligible folds into the counts only when present).
pub(crate) const SEV_ORDER: [Severity; 6] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Negligible,
    Severity::Unknown,
];
