//! Language packages: PyPI, npm, Maven (`group:artifact`), crates.io, Go (modules and the
//! `stdlib` toolchain), RubyGems, Packagist and NuGet, each matched against its ecosystem's
//! advisories by name and version.

use warden_core::{Ecosystem, MatchType, Package};

use super::{Query, Skip};

/// The query for a language package.
pub fn query(pkg: &Package) -> Result<Query, Skip> {
    if pkg.ecosystem.osv_name().is_none() {
        return Err(Skip::Ecosystem(pkg.ecosystem));
    }
    let version = pkg.version.trim();
    // Go's main module built from a checkout reports `(devel)`; it has no release to match.
    if version.is_empty() || version.starts_with('(') {
        return Err(Skip::NoVersion);
    }
    if pkg.ecosystem == Ecosystem::Maven && !pkg.name.contains(':') {
        return Err(Skip::Name(
            "Maven artifacts without a groupId (advisories are filed under group:artifact)"
                .to_string(),
        ));
    }
    Ok(Query {
        key: warden_vulndb::eco_key(pkg.ecosystem),
        name: pkg.name.clone(),
        version: version.to_string(),
        match_type: MatchType::EcosystemRange,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_db() {
        let q = query(&Package::new(
            Ecosystem::Maven,
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
        ))
        .unwrap();
        assert_eq!(q.key, "maven");
        let q = query(&Package::new(Ecosystem::Golang, "stdlib", "v1.20.1")).unwrap();
        assert_eq!((q.key.as_str(), q.name.as_str()), ("golang", "stdlib"));
        assert_eq!(
            query(&Package::new(
                Ecosystem::Golang,
                "example.com/app",
                "(devel)"
            )),
            Err(Skip::NoVersion)
        );
        assert_eq!(
            query(&Package::new(Ecosystem::Generic, "node", "20.1.0")),
            Err(Skip::Ecosystem(Ecosystem::Generic))
        );
        assert!(matches!(
            query(&Package::new(Ecosystem::Maven, "log4j-core", "2.14.1")),
            Err(Skip::Name(_))
        ));
    }
}
