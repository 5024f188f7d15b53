//! warden's scan back half: the policy gate, merging of other scanners' reports, and report
//! formats, and the [`matcher`] that turns an [`Inventory`](warden_core::Inventory) plus the
//! advisory database into `Vec<Finding>`.
//!
//! ```
//! use warden_core::{Ecosystem, FixStatus, Finding, Inventory, MatchType, Package, Severity, Vulnerability};
//! use warden_scan::{render, Format, Policy, RenderOptions, ScanReport};
//!
//! let pkg = Package::new(Ecosystem::Npm, "lodash", "4.17.15");
//! let finding = Finding {
//!     vulnerability: Vulnerability { id: "CVE-2020-8203".into(), severity: Severity::High, ..Default::default() },
//!     installed_version: pkg.version.clone(),
//!     package: pkg,
//!     fixed_versions: vec!["4.17.19".into()],
//!     status: FixStatus::Fixed,
//!     match_type: MatchType::EcosystemRange,
//!     matched_by: vec![],
//! };
//! let policy = Policy::builder().fail_on(Severity::High).build()?;
//! let today = time::macros::date!(2026 - 01 - 01);
//! let eval = policy.evaluate(vec![finding], today);
//! assert_eq!(eval.gate.exit_code, 2);
//! let report = ScanReport::new(Inventory::default(), eval);
//! let md = render(&report, Format::Markdown, &RenderOptions::default())?;
//! assert!(String::from_utf8_lossy(&md).contains("CVE-2020-8203"));
//! # Ok::<(), warden_scan::ScanError>(())
//! ```
#![deny(missing_docs)]

mod error;
pub mod formats;
pub mod matcher;
pub mod merge;
pub mod policy;
mod report;
mod util;

pub use error::ScanError;
pub use formats::{render, Format, Report, FORMATS};
pub use matcher::{match_inventory, MatchOutput};
pub use merge::{merge_findings, parse_report, read_report};
pub use policy::{
    parse_severity_list, EvaluatedFinding, Evaluation, ExpiredRule, GateOutcome, Policy,
    PolicyBuilder, SourceKind, SuppressedBy, Suppression, VexStatus,
};
pub use report::{RenderOptions, ScanReport, SeverityCount, Summary};
