//! Debian and Ubuntu packages: matched against the release's advisories by source package and
//! source version, as the Debian tracker and Ubuntu's CVE tracker file them.

use warden_core::{MatchType, Package};

use super::{Distro, Query, Skip};

/// The DB keys dpkg packages may be matched under.
const FAMILIES: &[&str] = &["debian", "ubuntu"];

/// The query for a dpkg package.
pub fn query(pkg: &Package, distro: Option<&Distro>) -> Result<Query, Skip> {
    let key = super::distro_key(distro, FAMILIES)?;
    // A binNMU (`1.2-3+b1`) is built from source `1.2-3`: dpkg writes `Source: name (1.2-3)`
    // only then, so a missing source version means it equals the binary one.
    let version = pkg.source_version.as_deref().unwrap_or(&pkg.version);
    if version.is_empty() {
        return Err(Skip::NoVersion);
    }
    let (name, match_type) = match pkg.source_name.as_deref().filter(|s| !s.is_empty()) {
        Some(src) => (src, MatchType::DistroSourcePackage),
        None => (pkg.name.as_str(), MatchType::DistroPackage),
    };
    Ok(Query {
        key,
        name: name.to_string(),
        version: version.to_string(),
        match_type,
    })
}
