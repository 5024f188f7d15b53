//! Advisory feed ingest, the compact offline database, and its queries.
//!
//! - [`ingest`] reads directories, files and `.tar.zst`/`.tar`/`.zip` archives of every
//!   supported feed (one parser per format in `feeds/`, listed in one table), bounding what
//!   archives may expand to.
//! - [`build`] joins advisories by alias into vulnerabilities, attaches KEV, EPSS and NVD, and
//!   writes one read-only file atomically.
//! - [`Db`] opens that file memory-mapped and answers [`Db::query`]: the advisories affecting
//!   (ecosystem or distro release, package, version), with fixed versions and fix status.
//!   Version ranges are evaluated through `warden_version`.
//! - [`update`] downloads feeds (resume, checksums, mirrors) and [`oci`] publishes and pulls a
//!   database as an OCI artifact.
//!
//! ```no_run
//! let db = warden_vulndb::Db::open("warden.db")?;
//! for m in db.query("maven", "org.apache.logging.log4j:log4j-core", "2.14.1")? {
//!     println!("{} via {} fixed in {:?}", m.vuln_id, m.advisory_id, m.fixed_versions);
//! }
//! # Ok::<(), warden_vulndb::Error>(())
//! ```
#![deny(missing_docs)]

mod build;
mod cvss;
mod db;
mod error;
mod feeds;
mod format;
mod input;
mod join;
mod model;
pub mod oci;
mod paths;
mod pkgblob;
pub mod update;

#[doc(hidden)]
pub use build::tables;
pub use build::{build, ingest, BuildOptions, BuildReport, Ingested};
/// Lays tables out as a database file image (for the format benchmark).
#[doc(hidden)]
pub fn layout(t: &Tables) -> std::result::Result<Vec<u8>, String> {
    format::layout(t)
}
#[doc(hidden)]
pub use db::{clear_parse_caches, eval_blob};
pub use db::{Counts, Db, Match, Metadata, VulnDetail, REJECTIONS_KEPT};
pub use error::{Error, Result};
pub use feeds::{KevEntry, Rejection, SourceStats};
#[doc(hidden)]
pub use format::Tables;
pub use format::{MAGIC, SCHEMA_VERSION};
pub use input::Limits;
pub use model::{
    distro_key, eco_key, normalize_name, osv_ecosystem_key, scheme_for_key, Advisory, Affected,
    Range,
};
pub use paths::{default_db_path, human_duration, parse_duration};

/// Every feed format this build reads, in dispatch order.
pub fn feed_names() -> Vec<&'static str> {
    feeds::FEEDS.iter().map(|f| f.name).collect()
}
