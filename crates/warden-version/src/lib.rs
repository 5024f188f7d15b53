//! Version ordering per ecosystem, compared exactly as each ecosystem's own tool does.
//!
//! The public API (kept stable for the DB and the scanner):
//! - [`Scheme`]: which ordering to use, with [`Scheme::for_ecosystem`];
//! - [`compare`]: total order of two versions of one scheme;
//! - [`satisfies`]: whether a version meets a constraint written in the scheme's own syntax
//!   (npm ranges, RubyGems `~>`, Composer constraints, Maven ranges, PEP 440 specifiers...).
#![deny(missing_docs)]

use std::cmp::Ordering;

use warden_core::Ecosystem;

/// A version ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scheme {
    /// Debian `dpkg --compare-versions`.
    Dpkg,
    /// Alpine apk-tools.
    Apk,
    /// RPM `rpmvercmp` over `[epoch:]version[-release]`.
    Rpm,
    /// Python PEP 440.
    Pep440,
    /// npm's `semver` package (loose parsing off).
    Npm,
    /// Cargo's semver.
    Cargo,
    /// Go modules (`v` prefix, pseudo-versions, `+incompatible`).
    Go,
    /// Maven `ComparableVersion`.
    Maven,
    /// RubyGems `Gem::Version`.
    Gem,
    /// NuGet `NuGetVersion`.
    Nuget,
    /// Composer.
    Composer,
}

impl Scheme {
    /// The ordering an ecosystem's packages use. `Generic` packages fall back to semver-like
    /// ordering of Cargo.
    pub fn for_ecosystem(eco: Ecosystem) -> Scheme {
        match eco {
            Ecosystem::Deb => Scheme::Dpkg,
            Ecosystem::Apk => Scheme::Apk,
            Ecosystem::Rpm => Scheme::Rpm,
            Ecosystem::Pypi => Scheme::Pep440,
            Ecosystem::Npm => Scheme::Npm,
            Ecosystem::Maven => Scheme::Maven,
            Ecosystem::Golang => Scheme::Go,
            Ecosystem::Cargo | Ecosystem::Generic => Scheme::Cargo,
            Ecosystem::Gem => Scheme::Gem,
            Ecosystem::Composer => Scheme::Composer,
            Ecosystem::Nuget => Scheme::Nuget,
        }
    }
}

/// A version or constraint that the scheme's own tool would reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {scheme:?} {what} '{input}': {reason}")]
pub struct VersionError {
    /// The scheme.
    pub scheme: Scheme,
    /// `version` or `constraint`.
    pub what: &'static str,
    /// The offending text.
    pub input: String,
    /// Why it was rejected.
    pub reason: String,
}

/// Compares two versions of one scheme.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Result<Ordering, VersionError> {
    let _ = (scheme, a, b);
    Err(VersionError {
        scheme,
        what: "version",
        input: a.to_string(),
        reason: "not implemented yet".into(),
    })
}

/// Whether `version` satisfies `constraint`, written in the scheme's own syntax.
pub fn satisfies(scheme: Scheme, version: &str, constraint: &str) -> Result<bool, VersionError> {
    let _ = version;
    Err(VersionError {
        scheme,
        what: "constraint",
        input: constraint.to_string(),
        reason: "not implemented yet".into(),
    })
}
