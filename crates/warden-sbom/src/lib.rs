//! CycloneDX 1.6 and SPDX 2.3 JSON: write and read.
//!
//! [`write`] turns a [`warden_core::Inventory`] into CycloneDX 1.6 JSON, SPDX 2.3 JSON or a human
//! table. [`read`] turns CycloneDX (1.4–1.7) or SPDX (2.2, 2.3) JSON back into an inventory; it
//! understands warden's own documents and the ones Syft and Trivy write, including where each
//! producer keeps locations and layer diff IDs.
//!
//! Output is deterministic: the same inventory and options give the same bytes. Nothing random
//! or time-dependent is added unless the caller passes it in [`WriteOptions`].
//!
//! ```
//! use warden_core::{Ecosystem, Inventory, Package};
//! use warden_sbom::{read, write, Format, WriteOptions};
//!
//! let mut inv = Inventory { target: "dir:/srv".into(), ..Inventory::default() };
//! inv.packages.push(Package::new(Ecosystem::Npm, "lodash", "4.17.15"));
//! inv.normalize();
//! let bytes = write(&inv, Format::CycloneDx, &WriteOptions::default()).unwrap();
//! let back = read(&bytes, "sbom.cdx.json").unwrap();
//! assert_eq!(back.coordinates(), inv.coordinates());
//! ```
#![deny(missing_docs)]

mod common;
mod cyclonedx;
mod ids;
mod license;
mod props;
mod purl;
mod spdx;
mod table;
mod value;

use std::fmt;
use std::str::FromStr;

use warden_core::Inventory;

pub use props::PROPERTY_NAMES;

/// The output formats [`write`] knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// CycloneDX 1.6 JSON.
    CycloneDx,
    /// SPDX 2.3 JSON.
    Spdx,
    /// A human table (NAME, VERSION, TYPE), like Syft's.
    Table,
}

impl Format {
    /// Every format, in the order the CLI lists them (the default first).
    pub const ALL: [Format; 3] = [Format::CycloneDx, Format::Spdx, Format::Table];

    /// The name the CLI accepts (`cyclonedx`, `spdx`, `table`).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::CycloneDx => "cyclonedx",
            Format::Spdx => "spdx",
            Format::Table => "table",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = SbomError;

    /// Accepts the CLI names plus the spellings Syft and Trivy users type.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "cyclonedx" | "cyclonedx-json" | "cdx" | "cdx-json" => Ok(Format::CycloneDx),
            "spdx" | "spdx-json" => Ok(Format::Spdx),
            "table" | "syft-table" => Ok(Format::Table),
            _ => Err(SbomError::InvalidOption {
                option: "format",
                message: format!("unknown format '{s}' (expected cyclonedx, spdx or table)"),
            }),
        }
    }
}

/// How the CycloneDX `serialNumber` is chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SerialNumber {
    /// No `serialNumber` at all.
    Omit,
    /// A name-based (v5) `urn:uuid:` derived from [`WriteOptions::seed`] when given, else from the
    /// document content, so the same inventory always gets the same serial number.
    #[default]
    FromContent,
    /// This exact value, which must be a `urn:uuid:` (the CLI passes a random one when the user
    /// asks for it).
    Given(String),
}

/// Options for [`write`]. The defaults give byte-for-byte reproducible output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOptions {
    /// The warden version recorded as the producing tool.
    pub tool_version: String,
    /// Creation time (RFC 3339). `None` means: CycloneDX omits `metadata.timestamp`; SPDX, which
    /// requires `created`, uses the image creation time, else the Unix epoch.
    pub timestamp: Option<String>,
    /// CycloneDX serial number policy.
    pub serial_number: SerialNumber,
    /// Seed for the SPDX `documentNamespace` UUID and, under [`SerialNumber::FromContent`], the
    /// CycloneDX serial number. `None` derives both from the document content.
    pub seed: Option<String>,
    /// Base URI of the SPDX `documentNamespace`.
    pub namespace_base: String,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            timestamp: None,
            serial_number: SerialNumber::FromContent,
            seed: None,
            namespace_base: "https://warden.invalid/spdx".to_string(),
        }
    }
}

/// Errors from reading or writing SBOMs. Each names the document and, for content errors, the
/// JSON pointer of the offending field.
#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    /// The bytes are not JSON.
    #[error("{source_name}: not valid JSON (line {line}, column {column}): {message}")]
    Json {
        /// The document's name as the caller gave it.
        source_name: String,
        /// 1-based line of the syntax error.
        line: usize,
        /// 1-based column of the syntax error.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// The JSON is neither CycloneDX nor SPDX.
    #[error("{source_name}: not a CycloneDX or SPDX JSON document: {reason}")]
    UnknownFormat {
        /// The document's name as the caller gave it.
        source_name: String,
        /// What was found instead.
        reason: String,
    },
    /// A format version warden does not read.
    #[error("{source_name}: {pointer}: unsupported {format} version '{version}' (supported: {supported})")]
    UnsupportedVersion {
        /// The document's name as the caller gave it.
        source_name: String,
        /// JSON pointer of the version field.
        pointer: String,
        /// `CycloneDX` or `SPDX`.
        format: &'static str,
        /// The version found.
        version: String,
        /// The versions that are read.
        supported: &'static str,
    },
    /// A field has the wrong type or an unusable value.
    #[error("{source_name}: {pointer}: {message}")]
    Field {
        /// The document's name as the caller gave it.
        source_name: String,
        /// JSON pointer of the field (RFC 6901).
        pointer: String,
        /// What is wrong with it.
        message: String,
    },
    /// A [`WriteOptions`] value (or format name) is unusable.
    #[error("invalid {option}: {message}")]
    InvalidOption {
        /// The option's name.
        option: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// Serialising the document failed (not expected for well-formed inventories).
    #[error("serialising {format}: {message}")]
    Serialize {
        /// The format being written.
        format: Format,
        /// What serde_json said.
        message: String,
    },
}

/// Writes `inv` in `format`. JSON formats end with a newline; the table is plain text.
///
/// The inventory is normalised on a copy first, so unsorted input still gives stable output.
pub fn write(inv: &Inventory, format: Format, opts: &WriteOptions) -> Result<Vec<u8>, SbomError> {
    let mut inv = inv.clone();
    inv.normalize();
    let timestamp = match &opts.timestamp {
        Some(t) => Some(
            ids::normalize_timestamp(t).ok_or_else(|| SbomError::InvalidOption {
                option: "timestamp",
                message: format!("'{t}' is not an RFC 3339 date-time"),
            })?,
        ),
        None => None,
    };
    match format {
        Format::CycloneDx => {
            let doc = cyclonedx::write::document(&inv, opts, timestamp.as_deref())?;
            to_json(&doc, format)
        }
        Format::Spdx => {
            let doc = spdx::write::document(&inv, opts, timestamp.as_deref())?;
            to_json(&doc, format)
        }
        Format::Table => Ok(table::render(&inv).into_bytes()),
    }
}

/// Renders the human table (NAME, VERSION, TYPE) as a string.
pub fn render_table(inv: &Inventory) -> String {
    let mut inv = inv.clone();
    inv.normalize();
    table::render(&inv)
}

/// Reads a CycloneDX (1.4–1.7) or SPDX (2.2, 2.3) JSON document, detecting which it is, into a
/// normalised [`Inventory`]. `source_name` (a path or reference) is used in error messages and as
/// the inventory target when the document names none.
pub fn read(bytes: &[u8], source_name: &str) -> Result<Inventory, SbomError> {
    let doc: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| SbomError::Json {
        source_name: source_name.to_string(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    match detect(&doc) {
        Some(Detected::CycloneDx) => cyclonedx::read::inventory(&doc, source_name),
        Some(Detected::Spdx) => spdx::read::inventory(&doc, source_name),
        None => Err(SbomError::UnknownFormat {
            source_name: source_name.to_string(),
            reason: describe_unknown(&doc),
        }),
    }
}

enum Detected {
    CycloneDx,
    Spdx,
}

fn detect(doc: &serde_json::Value) -> Option<Detected> {
    let obj = doc.as_object()?;
    if obj.get("bomFormat").and_then(|v| v.as_str()) == Some("CycloneDX") {
        return Some(Detected::CycloneDx);
    }
    if obj
        .get("spdxVersion")
        .and_then(|v| v.as_str())
        .is_some_and(|v| v.starts_with("SPDX-"))
    {
        return Some(Detected::Spdx);
    }
    None
}

fn describe_unknown(doc: &serde_json::Value) -> String {
    match doc {
        serde_json::Value::Object(m) => {
            let keys: Vec<&str> = m.keys().take(6).map(String::as_str).collect();
            format!(
                "no \"bomFormat\": \"CycloneDX\" or \"spdxVersion\": \"SPDX-2.x\" at the top level (keys: {})",
                keys.join(", ")
            )
        }
        other => format!("the top level is {}, not an object", value::kind(other)),
    }
}

fn to_json(doc: &serde_json::Value, format: Format) -> Result<Vec<u8>, SbomError> {
    let mut out = serde_json::to_vec_pretty(doc).map_err(|e| SbomError::Serialize {
        format,
        message: e.to_string(),
    })?;
    out.push(b'\n');
    Ok(out)
}
