//! Warden's shared model: packages, images, vulnerabilities, findings and severities.
//!
//! Every stage crate speaks these types, so they stay small, serialisable and free of I/O.
//! Output built from them must be deterministic: collections are kept sorted (see
//! [`Inventory::normalize`]) and no random identifiers are generated here.
//!
//! ```
//! use warden_core::{Ecosystem, Package};
//! let p = Package::new(Ecosystem::Npm, "lodash", "4.17.15");
//! assert_eq!(p.purl, "pkg:npm/lodash@4.17.15");
//! ```
#![deny(missing_docs)]

mod cache;
mod ecosystem;
mod image;
mod package;
mod severity;
mod vuln;

pub use cache::cache_dir;
pub use ecosystem::{Ecosystem, UnknownEcosystem};
pub use image::{ImageMeta, LayerMeta, OsInfo};
pub use package::{purl_encode, Inventory, Location, Package, Relationship, SkipNote};
pub use severity::{Severity, UnknownSeverity};
pub use vuln::{Cvss, Finding, FixStatus, MatchType, Vulnerability};
