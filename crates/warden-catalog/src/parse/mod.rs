//! Pure bytes → records parsers, one per file format. They know nothing of images or layers;
//! the adapters in `ecosystems/` add paths, layers and purls.

pub mod apk_db;
pub mod cargo_auditable;
pub mod composer;
pub mod deb_control;
pub mod dotnet_deps;
pub mod gemspec;
pub mod go_buildinfo;
pub mod java_archive;
pub mod npm;
pub mod os_release;
pub mod python_metadata;
pub mod rpm_bdb;
pub mod rpm_header;
pub mod rpm_ndb;
pub mod rpm_sqlite;

use std::fmt;

/// A format error inside one file: what went wrong and, when known, the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line (text formats) when known.
    pub line: Option<usize>,
    /// What is wrong, lowercase, no trailing period.
    pub message: String,
}

impl ParseError {
    /// An error with no position.
    pub fn new(message: impl Into<String>) -> Self {
        ParseError {
            line: None,
            message: message.into(),
        }
    }

    /// An error at a 1-based line.
    pub fn at_line(line: usize, message: impl Into<String>) -> Self {
        ParseError {
            line: Some(line),
            message: message.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ParseError {}

impl From<serde_json::Error> for ParseError {
    fn from(e: serde_json::Error) -> Self {
        ParseError {
            line: Some(e.line()),
            message: format!("invalid json: {e}"),
        }
    }
}
