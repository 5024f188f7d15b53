//! Alpine packages: matched against the branch's secdb by origin (the source package, apk's
//! `o:` field) and the installed version, which every subpackage of an origin shares.

use warden_core::{MatchType, Package};

use super::{Distro, Query, Skip};

/// The DB keys apk packages may be matched under.
const FAMILIES: &[&str] = &["alpine"];

/// The query for an apk package.
pub fn query(pkg: &Package, distro: Option<&Distro>) -> Result<Query, Skip> {
    let key = super::distro_key(distro, FAMILIES)?;
    if pkg.version.is_empty() {
        return Err(Skip::NoVersion);
    }
    let (name, match_type) = match pkg.source_name.as_deref().filter(|s| !s.is_empty()) {
        Some(origin) => (origin, MatchType::DistroSourcePackage),
        None => (pkg.name.as_str(), MatchType::DistroPackage),
    };
    Ok(Query {
        key,
        name: name.to_string(),
        version: pkg.version.clone(),
        match_type,
    })
}
