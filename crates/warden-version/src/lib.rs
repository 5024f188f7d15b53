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

/// A version parsed once, to compare against many others of the same scheme without parsing
/// either side again. Orders exactly as [`compare`] does.
#[derive(Debug, Clone)]
pub enum Version {
    /// dpkg.
    Dpkg(dpkg::DpkgVersion),
    /// apk (compared on its text: apk-tools walks the string token by token).
    Apk(String),
    /// rpm EVR.
    Rpm(rpm::Evr),
    /// PEP 440.
    Pep440(pep440::Pep440Version),
    /// npm semver.
    Npm(npm::NpmVersion),
    /// Cargo semver.
    Cargo(semver::Version),
    /// Go module version.
    Go(go::GoVersion),
    /// Maven ComparableVersion.
    Maven(maven::MavenVersion),
    /// RubyGems.
    Gem(gem::GemVersion),
    /// NuGet.
    Nuget(nuget::NugetVersion),
    /// Composer (compared on its text, which Composer normalises per comparison).
    Composer(String),
}

impl Version {
    /// Parses `text` as a version of `scheme`, rejecting what [`compare`] would reject.
    pub fn parse(scheme: Scheme, text: &str) -> Result<Version, VersionError> {
        Ok(match scheme {
            Scheme::Dpkg => Version::Dpkg(dpkg::DpkgVersion::parse(text)?),
            Scheme::Apk => {
                apk::compare(text, text)?;
                Version::Apk(text.to_string())
            }
            Scheme::Rpm => Version::Rpm(rpm::Evr::parse(text)?),
            Scheme::Pep440 => Version::Pep440(pep440::Pep440Version::parse(text)?),
            Scheme::Npm => Version::Npm(npm::NpmVersion::parse(text)?),
            Scheme::Cargo => Version::Cargo(cargo::parse(text)?),
            Scheme::Go => Version::Go(go::GoVersion::parse(text)?),
            Scheme::Maven => {
                maven::compare(text, text)?;
                Version::Maven(maven::MavenVersion::parse(text))
            }
            Scheme::Gem => Version::Gem(gem::GemVersion::parse(text)?),
            Scheme::Nuget => Version::Nuget(nuget::NugetVersion::parse(text)?),
            Scheme::Composer => {
                composer::compare(text, text)?;
                Version::Composer(text.to_string())
            }
        })
    }

    /// Orders two parsed versions; an error when they are of different schemes, or when a
    /// text-compared scheme (apk, Composer) refuses the pair.
    pub fn compare(&self, other: &Version) -> Result<Ordering, VersionError> {
        use Version as V;
        Ok(match (self, other) {
            (V::Dpkg(a), V::Dpkg(b)) => a.cmp(b),
            (V::Apk(a), V::Apk(b)) => return apk::compare(a, b),
            (V::Rpm(a), V::Rpm(b)) => a.cmp(b),
            (V::Pep440(a), V::Pep440(b)) => a.cmp(b),
            (V::Npm(a), V::Npm(b)) => a.cmp(b),
            (V::Cargo(a), V::Cargo(b)) => a.cmp_precedence(b),
            (V::Go(a), V::Go(b)) => a.cmp(b),
            (V::Maven(a), V::Maven(b)) => a.cmp(b),
            (V::Gem(a), V::Gem(b)) => a.cmp(b),
            (V::Nuget(a), V::Nuget(b)) => a.cmp(b),
            (V::Composer(a), V::Composer(b)) => return composer::compare(a, b),
            (a, _) => {
                return Err(VersionError::version(
                    a.scheme(),
                    "",
                    "compared with a version of another scheme",
                ))
            }
        })
    }

    /// Orders this version against a version text, exactly as comparing with
    /// `Version::parse(self.scheme(), text)` would (an error when `text` does not parse).
    /// dpkg and apk read `text` in place, without building owned strings: a database query
    /// compares its one parsed version with many stored bounds.
    pub fn compare_text(&self, text: &str) -> Result<Ordering, VersionError> {
        match self {
            Version::Dpkg(v) => v.cmp_text(text),
            Version::Apk(v) => apk::compare(v, text),
            _ => self.compare(&Version::parse(self.scheme(), text)?),
        }
    }

    /// Whether [`Version::compare`] orders this version against every other parsed version of
    /// its scheme without error. Only Composer `dev-` branches are not: they equal themselves
    /// and are otherwise unordered.
    pub fn is_ordered(&self) -> bool {
        match self {
            Version::Composer(t) => !composer::is_branch_version(t),
            _ => true,
        }
    }

    /// The scheme this version was parsed in.
    pub fn scheme(&self) -> Scheme {
        match self {
            Version::Dpkg(_) => Scheme::Dpkg,
            Version::Apk(_) => Scheme::Apk,
            Version::Rpm(_) => Scheme::Rpm,
            Version::Pep440(_) => Scheme::Pep440,
            Version::Npm(_) => Scheme::Npm,
            Version::Cargo(_) => Scheme::Cargo,
            Version::Go(_) => Scheme::Go,
            Version::Maven(_) => Scheme::Maven,
            Version::Gem(_) => Scheme::Gem,
            Version::Nuget(_) => Scheme::Nuget,
            Version::Composer(_) => Scheme::Composer,
        }
    }
}

/// Bumped whenever any scheme's ordering or parsing changes. A database stores the revision it
/// was built with beside orderings it precomputed (sorted range bounds); a reader with another
/// revision ignores those and evaluates the stored ranges again, so an ordering fix never needs
/// a rebuild to be right.
pub const ORDERING_REVISION: u32 = 1;

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

    /// Like [`Constraint::matches`] with the version already parsed, so a version tested against
    /// many constraints is parsed once. A version of another scheme is an error.
    pub fn matches_parsed(&self, version: &Version) -> Result<bool, VersionError> {
        use Version as V;
        let text_list = |l: &[(simple::Op, String)], v: &str, cmp: CompareFn| {
            let mut ok = true;
            for (op, b) in l {
                ok &= op.holds(cmp(v, b)?);
            }
            Ok(ok)
        };
        match (self, version) {
            (Constraint::Dpkg(l), V::Dpkg(v)) => Ok(l.iter().all(|(op, b)| op.holds(v.cmp(b)))),
            (Constraint::Apk(l), V::Apk(v)) => text_list(l, v, apk::compare),
            (Constraint::Rpm(l), V::Rpm(v)) => Ok(l.iter().all(|(op, b)| op.holds(v.cmp(b)))),
            (Constraint::Go(l), V::Go(v)) => Ok(l.iter().all(|(op, b)| op.holds(v.cmp(b)))),
            (Constraint::Pep440(s), V::Pep440(v)) => s.contains(v),
            (Constraint::Npm(r), V::Npm(v)) => Ok(r.test(v)),
            (Constraint::Cargo(r), V::Cargo(v)) => Ok(r.matches(v)),
            (Constraint::Maven(r), V::Maven(v)) => Ok(r.contains(v)),
            (Constraint::Gem(r), V::Gem(v)) => Ok(r.satisfied_by(v)),
            (Constraint::Nuget(r), V::Nuget(v)) => Ok(r.satisfies(v)),
            (Constraint::Composer(c), V::Composer(v)) => c.matches(v),
            (_, v) => Err(VersionError::version(
                v.scheme(),
                "",
                "tested against a constraint of another scheme",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsed_versions_order_exactly_as_compare() {
        let sets: [(Scheme, &[&str]); 11] = [
            (
                Scheme::Dpkg,
                &["1.0~rc1", "1.0", "1:0.9", "1.0-1+deb12u1", "2.36-9+deb12u4"],
            ),
            (Scheme::Apk, &["1.0_rc1", "1.0", "1.0-r1", "1.1_p1", "1.1a"]),
            (
                Scheme::Rpm,
                &["1.0~rc1", "1.0", "1:0.9-1.el9", "1.0^git1", "2.0-3"],
            ),
            (
                Scheme::Pep440,
                &[
                    "1.0.dev1",
                    "1.0a1",
                    "1.0",
                    "1.0.post1",
                    "1!0.1",
                    "1.0+local",
                ],
            ),
            (
                Scheme::Npm,
                &["1.0.0-alpha", "1.0.0", "1.0.1", "2.0.0-rc.1+b", "v2.0.0"],
            ),
            (
                Scheme::Cargo,
                &["0.1.0", "1.0.0-alpha.1", "1.0.0", "1.0.0+meta", "1.2.3"],
            ),
            (
                Scheme::Go,
                &[
                    "v0.0.0-20200101000000-abcdefabcdef",
                    "v1.0.0",
                    "v1.0.0-rc1",
                    "v2.0.0+incompatible",
                ],
            ),
            (
                Scheme::Maven,
                &["1-alpha", "1-SNAPSHOT", "1", "1-sp", "1.0.1", "2.14.1"],
            ),
            (Scheme::Gem, &["1.0.a", "1.0.b1", "1.0", "1.0.1", "1.1"]),
            (
                Scheme::Nuget,
                &["1.0.0-beta", "1.0.0", "1.0.0.1", "1.0.1", "2.0"],
            ),
            (
                Scheme::Composer,
                &["1.0.0-alpha", "1.0.0-RC1", "1.0.0", "1.0.1", "v2.0"],
            ),
        ];
        for (scheme, versions) in sets {
            for a in versions {
                for b in versions {
                    let parsed = Version::parse(scheme, a)
                        .and_then(|pa| pa.compare(&Version::parse(scheme, b)?));
                    assert_eq!(parsed, compare(scheme, a, b), "{scheme:?} {a} vs {b}");
                }
            }
        }
        assert!(Version::parse(Scheme::Pep440, "french toast").is_err());
        // `compare_text` answers as parsing the text and comparing, errors included.
        let mut texts: Vec<(Scheme, &str)> = sets
            .iter()
            .flat_map(|(s, vs)| vs.iter().map(move |v| (*s, *v)))
            .collect();
        texts.extend([
            (Scheme::Dpkg, ""),
            (Scheme::Dpkg, "1.0-"),
            (Scheme::Dpkg, "a:1.0"),
            (Scheme::Dpkg, " 1:2.0-3 "),
            (Scheme::Dpkg, "1 0"),
            (Scheme::Apk, ""),
            (Scheme::Npm, "1.2"),
        ]);
        for (scheme, a) in &texts {
            let Ok(pa) = Version::parse(*scheme, a) else {
                continue;
            };
            for (other, b) in &texts {
                if other != scheme {
                    continue;
                }
                let parsed = Version::parse(*scheme, b).and_then(|pb| pa.compare(&pb));
                assert_eq!(pa.compare_text(b), parsed, "{scheme:?} {a} vs {b}");
            }
        }
        let (a, b) = (
            Version::parse(Scheme::Npm, "1.0.0").unwrap(),
            Version::parse(Scheme::Cargo, "1.0.0").unwrap(),
        );
        assert!(a.compare(&b).is_err());
    }

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

    #[test]
    fn matches_parsed_agrees_with_matches() {
        let cases: [(Scheme, &str, &[&str]); 11] = [
            (
                Scheme::Dpkg,
                ">= 1.0-1, << 1.2",
                &["1.0", "1.0-1", "1.1", "1.2", "1:0.1"],
            ),
            (
                Scheme::Apk,
                "<1.2.3-r2",
                &["1.2.3-r1", "1.2.3-r2", "1.2.3_rc1", "2"],
            ),
            (Scheme::Rpm, ">=1:1.0", &["1.5", "1:1.0", "2:0.1", "1:0.9"]),
            (
                Scheme::Go,
                ">=v1.2.0, <1.3",
                &["v1.2.9", "v1.3.0", "v1.1.0", "v1.2.0-rc1"],
            ),
            (
                Scheme::Pep440,
                "~=2.2",
                &["2.3", "2.2a1", "3.0", "2.2.post1"],
            ),
            (
                Scheme::Npm,
                "1.x || ^2",
                &["2.9.0", "3.0.0", "2.0.0-rc.1", "1.0.0"],
            ),
            (
                Scheme::Cargo,
                ">=1.0, <1.5",
                &["1.4.0", "1.5.0", "1.4.0-alpha", "0.9.9"],
            ),
            (
                Scheme::Maven,
                "[1.0,2.0)",
                &["2.0", "1.0", "1.9-SNAPSHOT", "2.0-alpha"],
            ),
            (Scheme::Gem, "~> 1.2", &["1.9", "2.0", "1.2.a", "1.1"]),
            (
                Scheme::Nuget,
                "[1.0,2.0)",
                &["1.5.0", "2.0.0", "1.0.0-beta", "0.9"],
            ),
            (
                Scheme::Composer,
                "^1.2 || ^2.0",
                &["2.3.1", "3.0", "1.2.0-RC1", "dev-main"],
            ),
        ];
        for (scheme, c, versions) in cases {
            let parsed = Constraint::parse(scheme, c).expect("constraint parses");
            for v in versions {
                let pv = Version::parse(scheme, v).expect("version parses");
                assert_eq!(
                    parsed.matches_parsed(&pv).map_err(|e| e.to_string()),
                    parsed.matches(v).map_err(|e| e.to_string()),
                    "{scheme:?} {v} in {c}"
                );
            }
        }
        let npm = Constraint::parse(Scheme::Npm, ">=1").expect("parses");
        let cargo = Version::parse(Scheme::Cargo, "1.0.0").expect("parses");
        assert!(npm.matches_parsed(&cargo).is_err());
    }

    #[test]
    fn only_composer_branches_are_unordered() {
        let branch = Version::parse(Scheme::Composer, "dev-main").expect("parses");
        assert!(!branch.is_ordered());
        assert!(branch
            .compare(&Version::parse(Scheme::Composer, "1.0").expect("parses"))
            .is_err());
        for (scheme, v) in [(Scheme::Composer, "1.0.0-RC1"), (Scheme::Npm, "1.0.0")] {
            assert!(Version::parse(scheme, v).expect("parses").is_ordered());
        }
    }
}
