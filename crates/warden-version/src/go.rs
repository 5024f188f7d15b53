//! Go module versions, ported from `golang.org/x/mod/semver`: `vMAJOR[.MINOR[.PATCH[-pre][+build]]]`,
//! shorthands `v1` and `v1.2` meaning `v1.0.0` and `v1.2.0`, build metadata (such as
//! `+incompatible`) ignored by ordering. Pseudo-versions (`v0.0.0-20230101120000-abcdef123456`)
//! are pre-releases and order by their timestamp, as in Go.
//!
//! The `v` is optional here, because OSV's Go records write `1.21.0-0`.

use std::cmp::Ordering;

use crate::{digits, simple, Scheme, VersionError};

/// A parsed Go version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoVersion {
    /// Major (canonical digits).
    pub major: String,
    /// Minor.
    pub minor: String,
    /// Patch.
    pub patch: String,
    /// Pre-release including its `-`, empty if none.
    pub prerelease: String,
    /// Build metadata including its `+`, empty if none.
    pub build: String,
}

fn parse_int(v: &str) -> Option<(&str, &str)> {
    let n = v.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || (v.as_bytes()[0] == b'0' && n != 1) {
        return None;
    }
    Some((&v[..n], &v[n..]))
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

fn valid_idents(s: &str, numeric_no_leading_zero: bool) -> bool {
    s.split('.').all(|id| {
        !id.is_empty()
            && id.bytes().all(is_ident_char)
            && !(numeric_no_leading_zero
                && id.len() > 1
                && id.starts_with('0')
                && id.bytes().all(|b| b.is_ascii_digit()))
    })
}

impl GoVersion {
    /// Parses like `semver.IsValid`, with the `v` optional.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let bad = || VersionError::version(Scheme::Go, input, "not a valid Go module version");
        let v = input.strip_prefix('v').unwrap_or(input);
        let (major, mut v) = parse_int(v).ok_or_else(bad)?;
        let mut out = GoVersion {
            major: major.into(),
            minor: "0".into(),
            patch: "0".into(),
            prerelease: String::new(),
            build: String::new(),
        };
        if v.is_empty() {
            return Ok(out);
        }
        v = v.strip_prefix('.').ok_or_else(bad)?;
        let (minor, rest) = parse_int(v).ok_or_else(bad)?;
        out.minor = minor.into();
        if rest.is_empty() {
            return Ok(out);
        }
        v = rest.strip_prefix('.').ok_or_else(bad)?;
        let (patch, mut rest) = parse_int(v).ok_or_else(bad)?;
        out.patch = patch.into();
        if let Some(pre) = rest.strip_prefix('-') {
            let end = pre.find('+').unwrap_or(pre.len());
            if !valid_idents(&pre[..end], true) {
                return Err(bad());
            }
            out.prerelease = format!("-{}", &pre[..end]);
            rest = &pre[end..];
        }
        if let Some(build) = rest.strip_prefix('+') {
            if !valid_idents(build, false) {
                return Err(bad());
            }
            out.build = format!("+{build}");
            rest = "";
        }
        if !rest.is_empty() {
            return Err(bad());
        }
        Ok(out)
    }
}

fn is_num(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn compare_prerelease(x: &str, y: &str) -> Ordering {
    if x == y {
        return Ordering::Equal;
    }
    if x.is_empty() {
        return Ordering::Greater;
    }
    if y.is_empty() {
        return Ordering::Less;
    }
    let mut xs = x[1..].split('.');
    let mut ys = y[1..].split('.');
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(a), Some(b)) => {
                let o = match (is_num(a), is_num(b)) {
                    (true, true) => digits::cmp(a, b),
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (false, false) => a.cmp(b),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

impl Ord for GoVersion {
    fn cmp(&self, o: &Self) -> Ordering {
        digits::cmp(&self.major, &o.major)
            .then_with(|| digits::cmp(&self.minor, &o.minor))
            .then_with(|| digits::cmp(&self.patch, &o.patch))
            .then_with(|| compare_prerelease(&self.prerelease, &o.prerelease))
    }
}

impl PartialOrd for GoVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Compares two Go versions as `semver.Compare` does (for valid versions).
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(GoVersion::parse(a)?.cmp(&GoVersion::parse(b)?))
}

/// Checks a comma-separated list of `<`, `<=`, `=`, `>=`, `>`.
pub fn satisfies(version: &str, constraint: &str) -> Result<bool, VersionError> {
    simple::satisfies(Scheme::Go, version, constraint, compare)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_rules() {
        assert_eq!(compare("v1.2", "v1.2.0"), Ok(Ordering::Equal));
        assert_eq!(
            compare("v2.0.0+incompatible", "v2.0.0"),
            Ok(Ordering::Equal)
        );
        assert_eq!(
            compare(
                "v0.0.0-20200101000000-abcdefabcdef",
                "v0.0.0-20210101000000-abcdefabcdef"
            ),
            Ok(Ordering::Less)
        );
        assert_eq!(
            compare("v1.2.4-0.20230101000000-abcdefabcdef", "v1.2.4"),
            Ok(Ordering::Less)
        );
        assert_eq!(
            compare("v1.2.4-0.20230101000000-abcdefabcdef", "v1.2.3"),
            Ok(Ordering::Greater)
        );
        assert_eq!(compare("1.21.0-0", "1.21.0"), Ok(Ordering::Less));
        assert_eq!(satisfies("v1.5.0", ">=1.2.0, <1.6"), Ok(true));
        for bad in [
            "v01.0.0",
            "v1.2-pre",
            "v1.2.3-",
            "v1.2.3-01",
            "x1",
            "v1.2.3+",
        ] {
            assert!(compare(bad, "v1").is_err(), "{bad}");
        }
    }
}
