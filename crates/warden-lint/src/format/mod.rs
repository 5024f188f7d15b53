//! Output formats, one file each, listed in [`Format`]. Every renderer returns the whole
//! document as a string; findings are already sorted, files are rendered in the order given.

mod checkstyle;
mod codeclimate;
mod gitlab;
mod gnu;
mod json;
mod sarif;
mod tty;

use std::fmt;
use std::str::FromStr;

use crate::rules::{Finding, Level};

/// The lint result of one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The path as given (or `-` for stdin).
    pub path: String,
    /// Findings, sorted.
    pub findings: Vec<Finding>,
    /// The file's text, for code frames.
    pub source: Option<String>,
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Human-readable lines with a code frame.
    Tty,
    /// hadolint's JSON array.
    Json,
    /// SARIF 2.1.0 with a `rules` array.
    Sarif,
    /// Checkstyle XML.
    Checkstyle,
    /// `warden:FILE:LINE: CODE LEVEL: MESSAGE`.
    Gnu,
    /// GitLab code quality (JSON array with fingerprints).
    Gitlab,
    /// Code Climate (NUL-separated JSON objects).
    Codeclimate,
}

impl Format {
    /// All formats with their names.
    pub const ALL: [(&'static str, Format); 7] = [
        ("tty", Format::Tty),
        ("json", Format::Json),
        ("sarif", Format::Sarif),
        ("checkstyle", Format::Checkstyle),
        ("gnu", Format::Gnu),
        ("gitlab", Format::Gitlab),
        ("codeclimate", Format::Codeclimate),
    ];
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.to_ascii_lowercase();
        let s = if s == "gitlab_codeclimate" {
            "gitlab".to_string()
        } else {
            s
        };
        Format::ALL
            .iter()
            .find(|(n, _)| *n == s)
            .map(|(_, f)| *f)
            .ok_or_else(|| format!("unknown format '{s}' (expected tty, json, sarif, checkstyle, gnu, gitlab or codeclimate)"))
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = Format::ALL
            .iter()
            .find(|(_, x)| x == self)
            .map(|(n, _)| *n)
            .unwrap_or("tty");
        f.write_str(name)
    }
}

/// Renders reports. `color` only affects `tty`.
pub fn render(format: Format, reports: &[FileReport], color: bool) -> String {
    match format {
        Format::Tty => tty::render(reports, color),
        Format::Json => json::render(reports),
        Format::Sarif => sarif::render(reports),
        Format::Checkstyle => checkstyle::render(reports),
        Format::Gnu => gnu::render(reports),
        Format::Gitlab => gitlab::render(reports),
        Format::Codeclimate => codeclimate::render(reports),
    }
}

/// Code Climate's severity names.
pub(crate) fn climate_severity(l: Level) -> &'static str {
    match l {
        Level::Error => "blocker",
        Level::Warning => "major",
        Level::Info => "info",
        Level::Style | Level::Ignore => "minor",
    }
}

/// The Code Climate issue object shared by `codeclimate` and `gitlab`.
pub(crate) fn climate_issue(path: &str, f: &Finding) -> serde_json::Value {
    serde_json::json!({
        "type": "issue",
        "check_name": f.code,
        "description": f.message,
        "categories": ["Bug Risk"],
        "location": {"path": path, "lines": {"begin": f.span.start.line, "end": f.span.end.line.max(f.span.start.line)}},
        "severity": climate_severity(f.level),
    })
}
