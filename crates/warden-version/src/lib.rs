//! Version ordering per ecosystem, compared exactly as each ecosystem's own tool does.
//!
//! The public API (kept stable for the DB and the scanner):
//! - [`Scheme`]: which ordering to use, with [`Scheme::for_ecosystem`];
//! - [`compare`]: total order of two versions of one scheme;
//! - [`satisfies`]: whether a version meets a constraint written in the scheme's own syntax
//!   (npm ranges, RubyGems `~>`, Composer constraints, Maven ranges, PEP 440 specifiers...);
//! - [`Constraint`]: a constraint parsed once and tested against many versions.
//!
//! Every scheme is one module, listed once in [`SCHEMES`]. Each module documents the tool it
//! follows; `docs/versions.md` lists how each was checked against that tool.
//!
//! ```
//! use std::cmp::Ordering;
//! use warden_version::{compare, satisfies, Scheme};
//!
//! assert_eq!(compare(Scheme::Dpkg, "1.0~rc1", "1.0"), Ok(Ordering::Less));
//! assert_eq!(satisfies(Scheme::Npm, "1.4.2", "^1.2.3 || >=3"), Ok(true));
//! assert_eq!(satisfies(Scheme::Gem, "1.15.9", "~> 1.15.6"), Ok(true));
//! ```
#![deny(missing_docs)]

use std::cmp::Ordering;

use warden_core::Ecosystem;

/// Derives `PartialEq`, `Eq` and `PartialOrd` from a type's `Ord`, because every scheme's
/// equality is "compares equal" (`1.0 == 1.0.0` in several ecosystems), never field equality.
macro_rules! eq_and_partial_ord_from_ord {
    ($t:ty) => {
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                self.cmp(other) == std::cmp::Ordering::Equal
            }
        }
        impl Eq for $t {}
        impl PartialOrd for $t {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
    };
}

/// Asserts that each version of `chain` sorts strictly below the next, naming the pair.
#[cfg(test)]
fn assert_ascending(compare: fn(&str, &str) -> Result<Ordering, VersionError>, chain: &[&str]) {
    for w in chain.windows(2) {
        assert_eq!(
            compare(w[0], w[1]),
            Ok(Ordering::Less),
            "{} < {}",
            w[0],
            w[1]
        );
    }
}

pub mod apk;
pub mod cargo;
pub mod composer;
mod digits;
pub mod dpkg;
pub mod gem;
pub mod go;
pub mod maven;
pub mod npm;
pub mod nuget;
pub mod pep440;
pub mod rpm;
pub mod simple;

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

type CompareFn = fn(&str, &str) -> Result<Ordering, VersionError>;
type SatisfiesFn = fn(&str, &str) -> Result<bool, VersionError>;

/// Every scheme, its name and its module's functions: the one registry of schemes.
pub const SCHEMES: [(Scheme, &str, CompareFn, SatisfiesFn); 11] = [
    (Scheme::Dpkg, "dpkg", dpkg::compare, dpkg::satisfies),
    (Scheme::Apk, "apk", apk::compare, apk::satisfies),
    (Scheme::Rpm, "rpm", rpm::compare, rpm::satisfies),
    (Scheme::Pep440, "pep440", pep440::compare, pep440::satisfies),
    (Scheme::Npm, "npm", npm::compare, npm::satisfies),
    (Scheme::Cargo, "cargo", cargo::compare, cargo::satisfies),
    (Scheme::Go, "go", go::compare, go::satisfies),
    (Scheme::Maven, "maven", maven::compare, maven::satisfies),
    (Scheme::Gem, "gem", gem::compare, gem::satisfies),
    (Scheme::Nuget, "nuget", nuget::compare, nuget::satisfies),
    (
        Scheme::Composer,
        "composer",
        composer::compare,
        composer::satisfies,
    ),
];

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

    /// The scheme's short name (`dpkg`, `pep440`, ...).
    pub fn name(self) -> &'static str {
        SCHEMES
            .iter()
            .find(|s| s.0 == self)
            .map_or("unknown", |s| s.1)
    }

    /// The scheme with this short name.
    pub fn from_name(name: &str) -> Option<Scheme> {
        SCHEMES.iter().find(|s| s.1 == name).map(|s| s.0)
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

impl VersionError {
    pub(crate) fn version(scheme: Scheme, input: &str, reason: impl Into<String>) -> Self {
        VersionError {
            scheme,
            what: "version",
            input: input.to_string(),
            reason: reason.into(),
        }
    }

    pub(crate) fn constraint(scheme: Scheme, input: &str, reason: impl Into<String>) -> Self {
        VersionError {
            scheme,
            what: "constraint",
            input: input.to_string(),
            reason: reason.into(),
        }
    }
}

fn entry(scheme: Scheme) -> &'static (Scheme, &'static str, CompareFn, SatisfiesFn) {
    // SCHEMES holds every variant in declaration order, which a unit test checks
    &SCHEMES[scheme as usize]
}

/// Compares two versions of one scheme.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Result<Ordering, VersionError> {
    (entry(scheme).2)(a, b)
}

/// Whether `version` satisfies `constraint`, written in the scheme's own syntax.
///
/// The answer is the tool's own, pre-release rules included: npm and pip leave a pre-release
/// out of a range that does not name one (`2.0.0-rc.1` is not in `>=1.0.0`). To ask whether an
/// installed pre-release lies inside an advisory's range, compare against the range's bounds
/// with [`compare`], or use `NpmRange::parse_with(range, true)` / `SpecifierSet::contains_with`.
pub fn satisfies(scheme: Scheme, version: &str, constraint: &str) -> Result<bool, VersionError> {
    (entry(scheme).3)(version, constraint)
}

/// A constraint parsed once, to test many versions against it.
#[derive(Debug, Clone)]
pub enum Constraint {
    /// dpkg comparator list.
    Dpkg(Vec<(simple::Op, dpkg::DpkgVersion)>),
    /// apk comparator list.
    Apk(Vec<(simple::Op, String)>),
    /// rpm comparator list.
    Rpm(Vec<(simple::Op, rpm::Evr)>),
    /// PEP 440 specifier set.
    Pep440(pep440::SpecifierSet),
    /// npm range.
    Npm(npm::NpmRange),
    /// Cargo requirement.
    Cargo(semver::VersionReq),
    /// Go comparator list.
    Go(Vec<(simple::Op, go::GoVersion)>),
    /// Maven range.
    Maven(maven::MavenRange),
    /// RubyGems requirement list.
    Gem(gem::GemRequirement),
    /// NuGet range.
    Nuget(nuget::NugetRange),
    /// Composer constraint.
    Composer(composer::ComposerConstraint),
}

impl Constraint {
    /// Parses `text` in `scheme`'s constraint syntax.
    pub fn parse(scheme: Scheme, text: &str) -> Result<Constraint, VersionError> {
        let list = |cmp: CompareFn| -> Result<Vec<(simple::Op, String)>, VersionError> {
            let l = simple::parse(scheme, text)?;
            for (_, v) in &l {
                cmp(v, v).map_err(|e| {
                    VersionError::constraint(scheme, text, format!("bound '{v}': {}", e.reason))
                })?;
            }
            Ok(l)
        };
        let typed = |e: VersionError| VersionError::constraint(scheme, text, e.reason);
        Ok(match scheme {
            Scheme::Dpkg => Constraint::Dpkg(
                simple::parse(scheme, text)?
                    .into_iter()
                    .map(|(op, v)| dpkg::DpkgVersion::parse(&v).map(|e| (op, e)).map_err(typed))
                    .collect::<Result<_, _>>()?,
            ),
            Scheme::Apk => Constraint::Apk(list(apk::compare)?),
            Scheme::Rpm => Constraint::Rpm(
                simple::parse(scheme, text)?
                    .into_iter()
                    .map(|(op, v)| rpm::Evr::parse(&v).map(|e| (op, e)).map_err(typed))
                    .collect::<Result<_, _>>()?,
            ),
            Scheme::Go => Constraint::Go(
                simple::parse(scheme, text)?
                    .into_iter()
                    .map(|(op, v)| go::GoVersion::parse(&v).map(|e| (op, e)).map_err(typed))
                    .collect::<Result<_, _>>()?,
            ),
            Scheme::Pep440 => Constraint::Pep440(pep440::SpecifierSet::parse(text)?),
            Scheme::Npm => Constraint::Npm(npm::NpmRange::parse(text)?),
            Scheme::Cargo => Constraint::Cargo(cargo::parse_req(text)?),
            Scheme::Maven => Constraint::Maven(maven::MavenRange::parse(text)?),
            Scheme::Gem => Constraint::Gem(gem::GemRequirement::parse(text)?),
            Scheme::Nuget => Constraint::Nuget(nuget::NugetRange::parse(text)?),
            Scheme::Composer => Constraint::Composer(composer::ComposerConstraint::parse(text)?),
        })
    }

    /// Whether `version` meets the constraint; same answer as [`satisfies`].
    pub fn matches(&self, version: &str) -> Result<bool, VersionError> {
        let all = |l: &[(simple::Op, String)], cmp: CompareFn| -> Result<bool, VersionError> {
            cmp(version, version)?;
            let mut ok = true;
            for (op, b) in l {
                ok &= op.holds(cmp(version, b)?);
            }
            Ok(ok)
        };
        match self {
            Constraint::Dpkg(l) => {
                let v = dpkg::DpkgVersion::parse(version)?;
                Ok(l.iter().all(|(op, b)| op.holds(v.cmp(b))))
            }
            Constraint::Apk(l) => all(l, apk::compare),
            Constraint::Rpm(l) => {
                let v = rpm::Evr::parse(version)?;
                Ok(l.iter().all(|(op, b)| op.holds(v.cmp(b))))
            }
            Constraint::Go(l) => {
                let v = go::GoVersion::parse(version)?;
                Ok(l.iter().all(|(op, b)| op.holds(v.cmp(b))))
            }
            Constraint::Pep440(s) => s.contains(&pep440::Pep440Version::parse(version)?),
            Constraint::Npm(r) => Ok(r.test(&npm::NpmVersion::parse(version)?)),
            Constraint::Cargo(r) => Ok(r.matches(&cargo::parse(version)?)),
            Constraint::Maven(r) => {
                maven::compare(version, version)?;
                Ok(r.contains(&maven::MavenVersion::parse(version)))
            }
            Constraint::Gem(r) => Ok(r.satisfied_by(&gem::GemVersion::parse(version)?)),
            Constraint::Nuget(r) => Ok(r.satisfies(&nuget::NugetVersion::parse(version)?)),
            Constraint::Composer(c) => c.matches(version),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_table_is_complete_and_in_order() {
        for (i, (scheme, name, _, _)) in SCHEMES.iter().enumerate() {
            assert_eq!(*scheme as usize, i, "{name} out of place");
            assert_eq!(Scheme::from_name(name), Some(*scheme));
        }
        let mut names: Vec<_> = SCHEMES.iter().map(|s| s.1).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SCHEMES.len());
    }

    #[test]
    fn errors_name_scheme_and_input() {
        let e = compare(Scheme::Npm, "1.2", "1.2.0").expect_err("1.2 is not npm semver");
        assert_eq!(e.input, "1.2");
        assert!(e.to_string().contains("Npm"), "{e}");
        let e = satisfies(Scheme::Pep440, "1.0", ">>1").expect_err("bad specifier");
        assert_eq!(e.what, "constraint");
    }

    #[test]
    fn constraint_matches_like_satisfies() {
        let cases = [
            (Scheme::Dpkg, ">= 1.0-1, << 1.2", "1.1"),
            (Scheme::Apk, "<1.2.3-r2", "1.2.3-r1"),
            (Scheme::Rpm, ">=1:1.0", "1.5"),
            (Scheme::Go, ">=v1.2.0, <1.3", "v1.2.9"),
            (Scheme::Pep440, "~=2.2", "2.3"),
            (Scheme::Npm, "1.x || ^2", "2.9.0"),
            (Scheme::Cargo, ">=1.0, <1.5", "1.4.0"),
            (Scheme::Maven, "[1.0,2.0)", "2.0"),
            (Scheme::Gem, "~> 1.2", "1.9"),
            (Scheme::Nuget, "[1.0,2.0)", "1.5.0"),
            (Scheme::Composer, "^1.2 || ^2.0", "2.3.1"),
        ];
        for (scheme, c, v) in cases {
            let parsed = Constraint::parse(scheme, c).map_err(|e| e.to_string());
            let once = parsed.and_then(|p| p.matches(v).map_err(|e| e.to_string()));
            assert_eq!(
                once,
                satisfies(scheme, v, c).map_err(|e| e.to_string()),
                "{scheme:?} {v} in {c}"
            );
        }
    }
}
