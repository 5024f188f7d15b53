//! RPM versions: `rpmvercmp` from rpm 4.18 (`rpmio/rpmvercmp.c`) over `[epoch:]version[-release]`
//! split as `rpmverParse` does, compared as `rpmverCmp` does.
//!
//! Ported rather than taken from a crate: `rpmvercmp` is sixty lines, and the EVR rules are
//! rpm 4.18's own (`rpm.vercmp` and `rpm.ver` in rpm's Lua): a missing epoch is `0`, and a
//! version without a release sorts before the same version with any release (`1.0` < `1.0-0`).
//! rpm's dependency matching, which instead lets a missing release match any, is not this order.

use std::cmp::Ordering;

use crate::{simple, Scheme, VersionError};

/// A parsed `[epoch:]version[-release]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evr {
    /// The epoch text, `None` when absent (compared as `0`).
    pub epoch: Option<String>,
    /// The version.
    pub version: String,
    /// The release, `None` when absent (sorts before any release).
    pub release: Option<String>,
}

impl Evr {
    /// Splits like `rpmverParse`: leading digits followed by `:` are the epoch, the last `-`
    /// starts the release.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        if input.is_empty() {
            return Err(VersionError::version(
                Scheme::Rpm,
                input,
                "version string is empty",
            ));
        }
        let digits = input.bytes().take_while(u8::is_ascii_digit).count();
        let rest = &input[digits..];
        let (epoch, evr_rest) = match rest.strip_prefix(':') {
            Some(after) => {
                let e = &input[..digits];
                (
                    Some(if e.is_empty() {
                        "0".to_string()
                    } else {
                        e.to_string()
                    }),
                    after,
                )
            }
            None => (None, input),
        };
        // rpm searches for the release dash only after the epoch digits
        let (version, release) = match evr_rest.rfind('-') {
            Some(d) if epoch.is_some() || d >= digits => {
                (&evr_rest[..d], Some(evr_rest[d + 1..].to_string()))
            }
            _ => (evr_rest, None),
        };
        Ok(Evr {
            epoch,
            version: version.to_string(),
            release,
        })
    }
}

impl Ord for Evr {
    fn cmp(&self, other: &Self) -> Ordering {
        let e1 = self.epoch.as_deref().unwrap_or("0");
        let e2 = other.epoch.as_deref().unwrap_or("0");
        rpmvercmp(e1, e2)
            .then_with(|| rpmvercmp(&self.version, &other.version))
            .then_with(|| {
                match (&self.release, &other.release) {
                    (Some(r1), Some(r2)) => rpmvercmp(r1, r2),
                    // rpm 4.18's rpmverCmp: a version with a release sorts after one without
                    (Some(_), None) => Ordering::Greater,
                    (None, Some(_)) => Ordering::Less,
                    (None, None) => Ordering::Equal,
                }
            })
    }
}

impl PartialOrd for Evr {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn is_sep(c: u8) -> bool {
    !c.is_ascii_alphanumeric() && c != b'~' && c != b'^'
}

/// rpm's segment-wise comparison of two version (or release) strings.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0usize, 0usize);
    let at = |s: &[u8], k: usize| s.get(k).copied().unwrap_or(0);
    while i < a.len() || j < b.len() {
        while i < a.len() && is_sep(a[i]) {
            i += 1;
        }
        while j < b.len() && is_sep(b[j]) {
            j += 1;
        }
        // `~` sorts before everything, even the end of the string
        if at(a, i) == b'~' || at(b, j) == b'~' {
            if at(a, i) != b'~' {
                return Ordering::Greater;
            }
            if at(b, j) != b'~' {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        // `^` sorts after the end of the string but before anything else
        if at(a, i) == b'^' || at(b, j) == b'^' {
            if i >= a.len() {
                return Ordering::Less;
            }
            if j >= b.len() {
                return Ordering::Greater;
            }
            if at(a, i) != b'^' {
                return Ordering::Greater;
            }
            if at(b, j) != b'^' {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if !(i < a.len() && j < b.len()) {
            break;
        }
        let (s1, s2) = (i, j);
        let isnum = a[i].is_ascii_digit();
        let class = |c: u8| {
            if isnum {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        while i < a.len() && class(a[i]) {
            i += 1;
        }
        while j < b.len() && class(b[j]) {
            j += 1;
        }
        if s2 == j {
            // segments of different kinds: numeric is newer than alpha
            return if isnum {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let (mut one, mut two) = (&a[s1..i], &b[s2..j]);
        if isnum {
            while one.first() == Some(&b'0') {
                one = &one[1..];
            }
            while two.first() == Some(&b'0') {
                two = &two[1..];
            }
            match one.len().cmp(&two.len()) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        match one.cmp(two) {
            Ordering::Equal => {}
            o => return o,
        }
    }
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

/// Compares two `[epoch:]version[-release]` strings as rpm's `rpmverCmp` does.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(Evr::parse(a)?.cmp(&Evr::parse(b)?))
}

/// Checks a comma-separated list of `<`, `<=`, `=`, `>=`, `>`.
pub fn satisfies(version: &str, constraint: &str) -> Result<bool, VersionError> {
    simple::satisfies(Scheme::Rpm, version, constraint, compare)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpmvercmp_vectors() {
        // from rpm's tests/rpmvercmp.at
        let cases = [
            ("1.0", "1.0", 0),
            ("1.0", "2.0", -1),
            ("2.0.1", "2.0.1a", -1),
            ("5.5p1", "5.5p10", -1),
            ("10xyz", "10.1xyz", -1),
            ("xyz10", "xyz10.1", -1),
            ("1.0aa", "1.0a", 1),
            ("10b2", "10a1", 1),
            ("1.0a", "1.0", 1),
            ("2.0", "2_0", 0),
            ("1.0~rc1", "1.0", -1),
            ("1.0~rc1", "1.0~rc2", -1),
            ("1.0~rc1~git123", "1.0~rc1", -1),
            ("1.0^", "1.0", 1),
            ("1.0^git1", "1.0^git2", -1),
            ("1.0^git1", "1.01", -1),
            ("1.0^20160101", "1.0.1", -1),
            ("1.0~rc1^git1", "1.0~rc1", 1),
            ("1.0^git1~pre", "1.0^git1", -1),
            ("a", "a", 0),
            ("1b.fc17", "1.fc17", -1),
            ("+", "_", 0),
        ];
        for (a, b, want) in cases {
            assert_eq!(rpmvercmp(a, b), want.cmp(&0), "{a} vs {b}");
        }
    }

    #[test]
    fn evr() {
        assert_eq!(compare("1:1.0-1", "2.0-1"), Ok(Ordering::Greater));
        assert_eq!(compare("1.0", "1.0-5"), Ok(Ordering::Less));
        assert_eq!(compare("1.0-", "1.0"), Ok(Ordering::Greater));
        assert_eq!(compare("0:1.0-1", "1.0-1"), Ok(Ordering::Equal));
        assert_eq!(compare("1.0-1.el8", "1.0-2.el8"), Ok(Ordering::Less));
    }
}
