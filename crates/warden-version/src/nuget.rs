//! NuGet versions and version ranges, ported from `NuGet.Versioning` (`NuGetVersion.TryParse`,
//! `VersionComparer.Default`, `VersionRange.Parse`, `VersionRangeBase.Satisfies`).
//!
//! Versions have two to four numbers (`1.0`, `1.2.3.4`; a lone `1` reads as `1.0`), leading
//! zeros allowed; release labels compare numerically when both are numbers, numbers before
//! text, text case-insensitively; metadata is ignored. Ranges: `1.0` (≥), `[1.0]`, `[1.0,2.0)`,
//! `(,1.0]`, and numeric floating minimums (`1.*`, `1.2.*`, `*`).

use std::cmp::Ordering;

use crate::{Scheme, VersionError};

/// A parsed NuGet version.
#[derive(Debug, Clone)]
pub struct NugetVersion {
    /// Major, minor, patch, revision.
    pub numbers: [u32; 4],
    /// Release labels (empty for a release).
    pub labels: Vec<String>,
    /// Build metadata.
    pub metadata: Option<String>,
}

fn valid_part(s: &str, allow_leading_zeros: bool) -> bool {
    let leading_zero_number =
        s.len() > 1 && s.starts_with('0') && s.bytes().all(|b| b.is_ascii_digit());
    !s.is_empty()
        && (allow_leading_zeros || !leading_zero_number)
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl NugetVersion {
    /// Parses like `NuGetVersion.TryParse` (trimmed, non-strict).
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let bad = |why: &str| VersionError::version(Scheme::Nuget, input, why);
        let value = input.trim();
        let (core, rest) = match value.find(['-', '+']) {
            Some(i) => (&value[..i], Some(&value[i..])),
            None => (value, None),
        };
        let (labels, metadata) = match rest {
            None => (None, None),
            Some(r) if r.starts_with('+') => (None, Some(&r[1..])),
            Some(r) => {
                let r = &r[1..];
                match r.find('+') {
                    Some(p) => (Some(&r[..p]), Some(&r[p + 1..])),
                    None => (Some(r), None),
                }
            }
        };
        let parts: Vec<&str> = core.split('.').collect();
        if core.is_empty() || parts.len() > 4 {
            return Err(bad("needs one to four numbers"));
        }
        let mut numbers = [0u32; 4];
        for (slot, p) in numbers.iter_mut().zip(&parts) {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("version numbers must be digits"));
            }
            *slot = p
                .parse::<i32>()
                .map_err(|_| bad("version number out of range"))? as u32;
        }
        let labels: Vec<String> = match labels {
            Some(l) => {
                let v: Vec<&str> = l.split('.').collect();
                if !v.iter().all(|p| valid_part(p, false)) {
                    return Err(bad("invalid release label"));
                }
                v.into_iter().map(str::to_string).collect()
            }
            None => Vec::new(),
        };
        if let Some(m) = metadata {
            if !m.split('.').all(|p| valid_part(p, true)) {
                return Err(bad("invalid build metadata"));
            }
        }
        Ok(NugetVersion {
            numbers,
            labels,
            metadata: metadata.map(str::to_string),
        })
    }
}

fn compare_label(a: &str, b: &str) -> Ordering {
    match (a.parse::<i32>(), b.parse::<i32>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        // OrdinalIgnoreCase compares upper-cased UTF-16 units; labels are ASCII
        (Err(_), Err(_)) => a.to_ascii_uppercase().cmp(&b.to_ascii_uppercase()),
    }
}

impl Ord for NugetVersion {
    fn cmp(&self, o: &Self) -> Ordering {
        self.numbers.cmp(&o.numbers).then_with(|| {
            match (self.labels.is_empty(), o.labels.is_empty()) {
                (true, true) => Ordering::Equal,
                (false, true) => Ordering::Less,
                (true, false) => Ordering::Greater,
                (false, false) => {
                    for i in 0..self.labels.len().max(o.labels.len()) {
                        match (self.labels.get(i), o.labels.get(i)) {
                            (None, Some(_)) => return Ordering::Less,
                            (Some(_), None) => return Ordering::Greater,
                            (Some(a), Some(b)) => match compare_label(a, b) {
                                Ordering::Equal => {}
                                r => return r,
                            },
                            (None, None) => {}
                        }
                    }
                    Ordering::Equal
                }
            }
        })
    }
}

eq_and_partial_ord_from_ord!(NugetVersion);

/// Compares two NuGet versions as `VersionComparer.Default` does.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(NugetVersion::parse(a)?.cmp(&NugetVersion::parse(b)?))
}

/// A NuGet version range.
#[derive(Debug, Clone)]
pub struct NugetRange {
    /// Lower bound and whether it is inclusive.
    pub min: Option<(NugetVersion, bool)>,
    /// Upper bound and whether it is inclusive.
    pub max: Option<(NugetVersion, bool)>,
}

fn floating_min(s: &str) -> Option<String> {
    if s == "*" {
        return Some("0.0".into());
    }
    let prefix = s.strip_suffix(".*")?;
    if prefix.contains(['*', '-', '+']) {
        return None;
    }
    Some(format!("{prefix}.0"))
}

impl NugetRange {
    /// Parses like `VersionRange.Parse`.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let bad = |why: &str| VersionError::constraint(Scheme::Nuget, text, why);
        let value = text.trim();
        let version = |s: &str| -> Result<Option<NugetVersion>, VersionError> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            let owned;
            let s = if s.contains('*') {
                owned = floating_min(s)
                    .ok_or_else(|| bad("only numeric floating versions (1.*) are supported"))?;
                owned.as_str()
            } else {
                s
            };
            NugetVersion::parse(s)
                .map(Some)
                .map_err(|e| VersionError::constraint(Scheme::Nuget, text, e.reason))
        };
        if value == "*" {
            return Ok(NugetRange {
                min: version("*")?.map(|v| (v, true)),
                max: None,
            });
        }
        let first = value.chars().next();
        if first == Some('[') || first == Some('(') {
            if value.len() < 3 {
                return Err(bad("range too short"));
            }
            let min_inc = first == Some('[');
            let max_inc = match value.chars().last() {
                Some(']') => true,
                Some(')') => false,
                _ => return Err(bad("range must end with ] or )")),
            };
            let inner = &value[1..value.len() - 1];
            let parts: Vec<&str> = inner.split(',').collect();
            if parts.len() > 2 {
                return Err(bad("more than two bounds"));
            }
            if parts.iter().all(|p| p.is_empty()) {
                return Err(bad("no bound given"));
            }
            if parts.len() == 1 && !(min_inc && max_inc) {
                return Err(bad("a single version must be written [v]"));
            }
            let min = version(parts[0])?;
            let max = if parts.len() == 2 {
                if parts[1].contains('*') {
                    return Err(bad("the upper bound cannot float"));
                }
                version(parts[1])?
            } else {
                version(parts[0])?
            };
            if let (Some(lo), Some(hi)) = (&min, &max) {
                if lo > hi || (lo == hi && !(min_inc && max_inc)) {
                    return Err(bad("lower bound above upper bound"));
                }
            }
            Ok(NugetRange {
                min: min.map(|v| (v, min_inc)),
                max: max.map(|v| (v, max_inc)),
            })
        } else {
            let min = version(value)?.ok_or_else(|| bad("empty range"))?;
            Ok(NugetRange {
                min: Some((min, true)),
                max: None,
            })
        }
    }

    /// `VersionRangeBase.Satisfies`.
    pub fn satisfies(&self, v: &NugetVersion) -> bool {
        let lower = self
            .min
            .as_ref()
            .is_none_or(|(m, inc)| if *inc { m <= v } else { m < v });
        let upper = self
            .max
            .as_ref()
            .is_none_or(|(m, inc)| if *inc { m >= v } else { m > v });
        lower && upper
    }
}

/// Whether `version` is in the NuGet range `constraint`.
pub fn satisfies(version: &str, constraint: &str) -> Result<bool, VersionError> {
    let range = NugetRange::parse(constraint)?;
    Ok(range.satisfies(&NugetVersion::parse(version)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nuget_order() {
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-Alpha.beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.0.1",
            "1.0.1",
        ];
        crate::assert_ascending(compare, &chain);
        assert_eq!(compare("1.0", "1.0.0.0"), Ok(Ordering::Equal));
        assert_eq!(compare("1.0.0-BETA", "1.0.0-beta"), Ok(Ordering::Equal));
        assert_eq!(compare("01.1", "1.1+meta"), Ok(Ordering::Equal));
        assert!(compare("1.0.0-01", "1").is_err());
        assert!(compare("1.2.3.4.5", "1").is_err());
    }

    #[test]
    fn nuget_ranges() {
        assert_eq!(satisfies("2.0", "1.0"), Ok(true));
        assert_eq!(satisfies("1.0", "(1.0,)"), Ok(false));
        assert_eq!(satisfies("1.0", "[1.0]"), Ok(true));
        assert_eq!(satisfies("1.0", "(,1.0]"), Ok(true));
        assert_eq!(satisfies("1.0", "(,1.0)"), Ok(false));
        assert_eq!(satisfies("2.0", "[1.0,2.0)"), Ok(false));
        assert_eq!(satisfies("13.0.1", "[0,13.0.1)"), Ok(false));
        assert_eq!(satisfies("1.5", "1.*"), Ok(true));
        assert!(satisfies("1.0", "(1.0)").is_err());
        assert!(satisfies("1.0", "[2.0,1.0]").is_err());
    }
}
