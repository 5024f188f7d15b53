//! RPM packages. warden's database has no RPM distro feed yet (Red Hat OVAL/CSAF, SUSE, Amazon
//! Linux), so RPM packages are reported as not matched rather than matched by CPE guessing.

use warden_core::Package;

use super::{Distro, Query, Skip};

/// The DB keys rpm packages may be matched under: none until an RPM feed exists.
const FAMILIES: &[&str] = &[];

/// The query for an rpm package: a skip naming the distro until a feed exists.
pub fn query(_pkg: &Package, distro: Option<&Distro>) -> Result<Query, Skip> {
    let key = super::distro_key(distro, FAMILIES)?;
    // Unreachable while FAMILIES is empty; kept so adding a feed is a one-line change here.
    Err(Skip::Distro(key))
}
