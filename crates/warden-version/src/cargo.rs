//! Cargo versions and requirements, through the `semver` crate that Cargo itself uses, so the
//! ordering and `VersionReq` matching (caret by default, pre-releases only when a comparator
//! names the same `major.minor.patch`) are Cargo's by construction.

use std::cmp::Ordering;

use crate::{Scheme, VersionError};

/// Parses a Cargo version (strict SemVer 2.0, no `v` prefix).
pub fn parse(input: &str) -> Result<semver::Version, VersionError> {
    semver::Version::parse(input)
        .map_err(|e| VersionError::version(Scheme::Cargo, input, e.to_string()))
}

/// Parses a Cargo requirement such as `>=1.2, <1.5` or `^0.3`.
pub fn parse_req(input: &str) -> Result<semver::VersionReq, VersionError> {
    semver::VersionReq::parse(input)
        .map_err(|e| VersionError::constraint(Scheme::Cargo, input, e.to_string()))
}

/// Compares by SemVer precedence (build metadata ignored, as Cargo's resolver does).
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(parse(a)?.cmp_precedence(&parse(b)?))
}

/// Whether `version` matches the Cargo requirement `constraint`.
pub fn satisfies(version: &str, constraint: &str) -> Result<bool, VersionError> {
    let req = parse_req(constraint)?;
    Ok(req.matches(&parse(version)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_rules() {
        assert_eq!(compare("1.0.0-alpha", "1.0.0"), Ok(Ordering::Less));
        assert_eq!(compare("1.0.0+a", "1.0.0+b"), Ok(Ordering::Equal));
        assert_eq!(satisfies("1.4.0", "1.2"), Ok(true));
        assert_eq!(satisfies("2.0.0", "1.2"), Ok(false));
        assert_eq!(satisfies("1.3.0-beta", ">=1.2"), Ok(false));
        assert_eq!(satisfies("0.6.14", "^0.6.14"), Ok(true));
        assert!(satisfies("1.0", ">=1").is_err());
    }
}
