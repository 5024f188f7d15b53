//! Debian package versions, ported from dpkg's `parseversion` and `verrevcmp`
//! (lib/dpkg/parsehelp.c, lib/dpkg/version.c).
//!
//! Ported rather than taken from the `debversion` crate: the algorithm is forty lines, and the
//! port reproduces dpkg's exact split between hard errors (which make
//! `dpkg --compare-versions` fail) and warnings (which it compares anyway).

use std::cmp::Ordering;

use crate::{simple, Scheme, VersionError};

/// A parsed `[epoch:]upstream[-revision]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpkgVersion {
    /// The epoch, 0 when absent.
    pub epoch: u32,
    /// The upstream version.
    pub upstream: String,
    /// The Debian revision, empty when absent.
    pub revision: String,
}

fn err(input: &str, reason: &str) -> VersionError {
    VersionError::version(Scheme::Dpkg, input, reason)
}

impl DpkgVersion {
    /// Parses like dpkg: blanks around the version are trimmed; what dpkg only warns about
    /// (a non-digit first character, unusual characters) is accepted.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let (epoch, upstream, revision) = split(input)?;
        Ok(DpkgVersion {
            epoch,
            upstream: upstream.to_string(),
            revision: revision.to_string(),
        })
    }

    /// Orders this version against `text` as `self.cmp(&DpkgVersion::parse(text)?)` would,
    /// reading `text`'s parts in place: a database query compares one parsed version with
    /// many stored bounds, and copying each bound's parts into owned strings cost more than
    /// comparing them.
    pub fn cmp_text(&self, text: &str) -> Result<Ordering, VersionError> {
        let (epoch, upstream, revision) = split(text)?;
        Ok(self
            .epoch
            .cmp(&epoch)
            .then_with(|| verrevcmp(self.upstream.as_bytes(), upstream.as_bytes()))
            .then_with(|| verrevcmp(self.revision.as_bytes(), revision.as_bytes())))
    }
}

/// `[epoch:]upstream[-revision]` split in place, with dpkg's checks: blanks around the version
/// are trimmed; what dpkg only warns about (a non-digit first character, unusual characters) is
/// accepted.
fn split(input: &str) -> Result<(u32, &str, &str), VersionError> {
    let s = input.trim_matches(|c| c == ' ' || c == '\t');
    if s.is_empty() {
        return Err(err(input, "version string is empty"));
    }
    if s.contains([' ', '\t']) {
        return Err(err(input, "version string has embedded spaces"));
    }
    let (epoch, rest) = match s.find(':') {
        Some(colon) => {
            let e = &s[..colon];
            // strtol semantics: optional sign, then digits that must reach the colon
            let digits = e.strip_prefix('+').unwrap_or(e);
            if e.is_empty() {
                return Err(err(input, "epoch in version is empty"));
            }
            if let Some(neg) = digits.strip_prefix('-') {
                if !neg.is_empty() && neg.bytes().all(|b| b.is_ascii_digit()) {
                    if neg.bytes().all(|b| b == b'0') {
                        (0, &s[colon + 1..])
                    } else {
                        return Err(err(input, "epoch in version is negative"));
                    }
                } else {
                    return Err(err(input, "epoch in version is not number"));
                }
            } else {
                if digits.is_empty() {
                    return Err(err(input, "epoch in version is empty"));
                }
                if !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err(input, "epoch in version is not number"));
                }
                let epoch: u32 = match digits.parse::<u64>() {
                    Ok(n) if n <= i32::MAX as u64 => n as u32,
                    _ => return Err(err(input, "epoch in version is too big")),
                };
                (epoch, &s[colon + 1..])
            }
        }
        None => (0, s),
    };
    if rest.is_empty() {
        return Err(err(input, "nothing after colon in version number"));
    }
    let (upstream, revision) = match rest.rfind('-') {
        Some(h) => {
            if h + 1 == rest.len() {
                return Err(err(input, "revision number is empty"));
            }
            (&rest[..h], &rest[h + 1..])
        }
        None => (rest, ""),
    };
    if upstream.is_empty() {
        return Err(err(input, "version number is empty"));
    }
    Ok((epoch, upstream, revision))
}

impl Ord for DpkgVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(self.upstream.as_bytes(), other.upstream.as_bytes()))
            .then_with(|| verrevcmp(self.revision.as_bytes(), other.revision.as_bytes()))
    }
}

impl PartialOrd for DpkgVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// dpkg's character weight: `~` sorts before the end of a part, letters before other marks.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c) + 256,
    }
}

fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    let at = |k: usize, s: &[u8]| s.get(k).copied();
    while i < a.len() || j < b.len() {
        while at(i, a).is_some_and(|c| !c.is_ascii_digit())
            || at(j, b).is_some_and(|c| !c.is_ascii_digit())
        {
            let (ac, bc) = (order(at(i, a)), order(at(j, b)));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while at(i, a) == Some(b'0') {
            i += 1;
        }
        while at(j, b) == Some(b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while at(i, a).is_some_and(|c| c.is_ascii_digit())
            && at(j, b).is_some_and(|c| c.is_ascii_digit())
        {
            if first_diff == Ordering::Equal {
                first_diff = a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
        if at(i, a).is_some_and(|c| c.is_ascii_digit()) {
            return Ordering::Greater;
        }
        if at(j, b).is_some_and(|c| c.is_ascii_digit()) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

/// Compares two Debian versions as `dpkg --compare-versions` does.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    let ((ea, ua, ra), (eb, ub, rb)) = (split(a)?, split(b)?);
    Ok(ea
        .cmp(&eb)
        .then_with(|| verrevcmp(ua.as_bytes(), ub.as_bytes()))
        .then_with(|| verrevcmp(ra.as_bytes(), rb.as_bytes())))
}

/// Checks a comma-separated list of `<`, `<=`, `=`, `>=`, `>` (and Debian's `<<`, `>>`).
pub fn satisfies(version: &str, constraint: &str) -> Result<bool, VersionError> {
    simple::satisfies(Scheme::Dpkg, version, constraint, compare)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_like_debian_policy() {
        let lt = |a, b| assert_eq!(compare(a, b), Ok(Ordering::Less), "{a} < {b}");
        lt("1.0~rc1", "1.0");
        lt("1.0", "1.0+b1");
        lt("1.0-1", "1.0-1+deb12u1");
        lt("1:0.1", "2:0.0");
        lt("2.30-1", "1:1.0");
        lt("1.0~~", "1.0~");
        lt("1.2a", "1.2+");
        assert_eq!(compare("1.0-0", "1.0"), Ok(Ordering::Equal));
        assert_eq!(compare("0:1.0", "1.0"), Ok(Ordering::Equal));
        assert_eq!(compare("1.00", "1.0"), Ok(Ordering::Equal));
    }

    #[test]
    fn rejects_what_dpkg_rejects() {
        for bad in ["", "1.0-", "a:1.0", ":1.0", "1:", "1 0", "99999999999:1"] {
            let e = compare(bad, "1.0").expect_err(bad);
            assert!(e.to_string().contains("Dpkg"), "{e}");
        }
    }
}
