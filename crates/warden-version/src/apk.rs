//! Alpine apk versions, ported from apk-tools 2.x `src/version.c` (the comparison every Alpine
//! release up to 3.22 and the secdb use): Gentoo-style
//! `digit{.digit}[letter]{_suffix[n]}[-rN]`, with `_alpha` < `_beta` < `_pre` < `_rc` < (none) <
//! `_cvs` < `_svn` < `_git` < `_hg` < `_p`.
//!
//! apk compares even strings it would not accept as versions (its own tests include
//! `1.0 < 1.0bc`), so [`compare`] only rejects empty input; [`is_valid`] says whether apk
//! would accept the string.

use std::cmp::Ordering;

use crate::{simple, Scheme, VersionError};

// Token kinds, in apk's order: the numeric order matters for its comparisons.
const INVALID: i8 = -1;
const DIGIT_OR_ZERO: i8 = 0;
const DIGIT: i8 = 1;
const LETTER: i8 = 2;
const SUFFIX: i8 = 3;
const SUFFIX_NO: i8 = 4;
const REVISION_NO: i8 = 5;
const END: i8 = 6;

const PRE_SUFFIXES: [&str; 4] = ["alpha", "beta", "pre", "rc"];
const POST_SUFFIXES: [&str; 5] = ["cvs", "svn", "git", "hg", "p"];

struct Blob<'a> {
    s: &'a [u8],
}

impl Blob<'_> {
    fn at(&self, i: usize) -> Option<u8> {
        self.s.get(i).copied()
    }
    fn advance(&mut self, n: usize) {
        self.s = self.s.get(n..).unwrap_or_default();
    }
}

fn next_token(ty: &mut i8, blob: &mut Blob<'_>) {
    let mut n = INVALID;
    match blob.at(0) {
        None | Some(0) => n = END,
        Some(c) if (*ty == DIGIT || *ty == DIGIT_OR_ZERO) && c.is_ascii_lowercase() => n = LETTER,
        Some(c) if *ty == LETTER && c.is_ascii_digit() => n = DIGIT,
        Some(c) if *ty == SUFFIX && c.is_ascii_digit() => n = SUFFIX_NO,
        Some(c) => {
            match c {
                b'.' => n = DIGIT_OR_ZERO,
                b'_' => n = SUFFIX,
                b'-' if blob.at(1) == Some(b'r') => {
                    n = REVISION_NO;
                    blob.advance(1);
                }
                _ => {}
            }
            blob.advance(1);
        }
    }
    if n < *ty
        && !((n == DIGIT_OR_ZERO && *ty == DIGIT)
            || (n == SUFFIX && *ty == SUFFIX_NO)
            || (n == DIGIT && *ty == LETTER))
    {
        n = INVALID;
    }
    *ty = n;
}

fn get_token(ty: &mut i8, blob: &mut Blob<'_>) -> i64 {
    if blob.s.is_empty() {
        *ty = END;
        return 0;
    }
    let mut v: i64 = 0;
    let mut i = 0usize;
    let mut nt = INVALID;
    let digits = |blob: &Blob<'_>, i: &mut usize, v: &mut i64| {
        while let Some(c) = blob.at(*i).filter(u8::is_ascii_digit) {
            *v = v.saturating_mul(10).saturating_add(i64::from(c - b'0'));
            *i += 1;
        }
    };
    match *ty {
        DIGIT_OR_ZERO if blob.at(0) == Some(b'0') => {
            // leading zeros make a fraction-like part: 1.05 < 1.5
            while blob.at(i) == Some(b'0') {
                i += 1;
            }
            nt = DIGIT;
            v = -(i as i64);
        }
        DIGIT_OR_ZERO | DIGIT | SUFFIX_NO | REVISION_NO => digits(blob, &mut i, &mut v),
        LETTER => {
            v = i64::from(blob.at(0).unwrap_or(0));
            i = 1;
        }
        SUFFIX => {
            if let Some(k) = PRE_SUFFIXES
                .iter()
                .position(|p| blob.s.starts_with(p.as_bytes()))
            {
                i = PRE_SUFFIXES[k].len();
                v = k as i64 - PRE_SUFFIXES.len() as i64;
            } else if let Some(k) = POST_SUFFIXES
                .iter()
                .position(|p| blob.s.starts_with(p.as_bytes()))
            {
                i = POST_SUFFIXES[k].len();
                v = k as i64;
            } else {
                *ty = INVALID;
                return -1;
            }
        }
        _ => {
            *ty = INVALID;
            return -1;
        }
    }
    blob.advance(i);
    if blob.s.is_empty() {
        *ty = END;
    } else if nt != INVALID {
        *ty = nt;
    } else {
        next_token(ty, blob);
    }
    v
}

/// Whether apk would accept `version` (`apk_version_validate`).
pub fn is_valid(version: &str) -> bool {
    let mut blob = Blob {
        s: version.as_bytes(),
    };
    let mut t = DIGIT;
    while t != END && t != INVALID {
        get_token(&mut t, &mut blob);
    }
    t == END
}

fn compare_raw(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (Blob { s: a.as_bytes() }, Blob { s: b.as_bytes() });
    let (mut at, mut bt) = (DIGIT, DIGIT);
    let (mut av, mut bv) = (0i64, 0i64);
    while at == bt && at != END && at != INVALID && av == bv {
        av = get_token(&mut at, &mut a);
        bv = get_token(&mut bt, &mut b);
    }
    if av != bv {
        return av.cmp(&bv);
    }
    if at == bt {
        return Ordering::Equal;
    }
    // equal so far: the longer version is newer unless what follows is a pre-release suffix
    let mut tt = at;
    if at == SUFFIX && get_token(&mut tt, &mut a) < 0 {
        return Ordering::Less;
    }
    let mut tt = bt;
    if bt == SUFFIX && get_token(&mut tt, &mut b) < 0 {
        return Ordering::Greater;
    }
    bt.cmp(&at)
}

/// Compares two apk versions as `apk version -t` does.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    for v in [a, b] {
        if v.is_empty() {
            return Err(VersionError::version(
                Scheme::Apk,
                v,
                "version string is empty",
            ));
        }
    }
    Ok(compare_raw(a, b))
}

/// Checks a comma-separated list of `<`, `<=`, `=`, `>=`, `>` (and apk's fuzzy `~`, read as `=`).
pub fn satisfies(version: &str, constraint: &str) -> Result<bool, VersionError> {
    simple::satisfies(Scheme::Apk, version, constraint, compare)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_order() {
        // with a last part of 0, apk orders `1.0_rc` after `1.0` (its own quirk), so use 1.1
        let chain = [
            "1.1_alpha",
            "1.1_beta",
            "1.1_pre",
            "1.1_rc",
            "1.1",
            "1.1-r1",
            "1.1_cvs",
            "1.1_svn",
            "1.1_git",
            "1.1_hg",
            "1.1_p1",
            "1.1a",
            "1.1.1",
        ];
        crate::assert_ascending(compare, &chain);
        assert_eq!(compare("1.0_rc", "1.0"), Ok(Ordering::Greater));
    }

    #[test]
    fn validity() {
        assert!(is_valid("1.2.3_rc1-r0"));
        assert!(is_valid("6.5_p20250503-r0"));
        assert!(!is_valid("1.0bc"));
        assert!(!is_valid("1.0-"));
        assert!(!is_valid("1.0_foo"));
    }
}
