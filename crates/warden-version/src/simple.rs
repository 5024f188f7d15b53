//! Comma-separated comparator lists (`>= 1.2, < 1.4`) for schemes whose tools have no range
//! syntax of their own: dpkg, apk, rpm and Go.
//!
//! Every comparator must hold. `<` and `>` are strict here, as in apk and rpm; Debian's
//! `<<` and `>>` are accepted as their strict spellings (Debian's deprecated one-character
//! `<`/`>` meaning `<=`/`>=` is not followed, because advisories never use it).

use std::cmp::Ordering;

use crate::{Scheme, VersionError};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `<` or `<<`
    Lt,
    /// `<=`
    Le,
    /// `=`, `==` or none
    Eq,
    /// `!=`
    Ne,
    /// `>=`
    Ge,
    /// `>` or `>>`
    Gt,
}

impl Op {
    /// Whether a comparison result `version <=> bound` meets the operator.
    pub fn holds(self, ord: Ordering) -> bool {
        match self {
            Op::Lt => ord == Ordering::Less,
            Op::Le => ord != Ordering::Greater,
            Op::Eq => ord == Ordering::Equal,
            Op::Ne => ord != Ordering::Equal,
            Op::Ge => ord != Ordering::Less,
            Op::Gt => ord == Ordering::Greater,
        }
    }
}

/// Longest operator spellings first so `<=` is not read as `<`.
const OPS: [(&str, Op); 10] = [
    ("<<", Op::Lt),
    (">>", Op::Gt),
    ("<=", Op::Le),
    (">=", Op::Ge),
    ("==", Op::Eq),
    ("!=", Op::Ne),
    ("<", Op::Lt),
    (">", Op::Gt),
    ("=", Op::Eq),
    ("~", Op::Eq),
];

/// Splits `text` into `(op, version)` pairs; a bare version means `=`.
pub fn parse(scheme: Scheme, text: &str) -> Result<Vec<(Op, String)>, VersionError> {
    let mut out = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        if part.is_empty() {
            return Err(VersionError::constraint(scheme, text, "empty comparator"));
        }
        let (op, rest) = OPS
            .iter()
            .find_map(|(s, op)| part.strip_prefix(s).map(|r| (*op, r)))
            .unwrap_or((Op::Eq, part));
        let version = rest.trim();
        if version.is_empty() {
            return Err(VersionError::constraint(
                scheme,
                text,
                format!("operator without a version in '{part}'"),
            ));
        }
        out.push((op, version.to_string()));
    }
    Ok(out)
}

/// Whether `version` meets every comparator of `constraint` under `compare`.
pub(crate) fn satisfies(
    scheme: Scheme,
    version: &str,
    constraint: &str,
    compare: fn(&str, &str) -> Result<Ordering, VersionError>,
) -> Result<bool, VersionError> {
    let comparators = parse(scheme, constraint)?;
    // the version alone first, so a later error can only come from a bound
    compare(version, version)?;
    let mut all = true;
    for (op, bound) in &comparators {
        // every bound is checked even after a miss, so a bad constraint is always reported
        let ord = compare(version, bound).map_err(|e| {
            VersionError::constraint(scheme, constraint, format!("bound '{bound}': {}", e.reason))
        })?;
        all &= op.holds(ord);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_operator_lists() {
        let l = parse(Scheme::Dpkg, ">= 1.0, << 2:1.0 ,!=1.5").unwrap_or_default();
        assert_eq!(
            l,
            vec![
                (Op::Ge, "1.0".into()),
                (Op::Lt, "2:1.0".into()),
                (Op::Ne, "1.5".into())
            ]
        );
        assert_eq!(
            parse(Scheme::Apk, "1.2-r0").unwrap_or_default(),
            vec![(Op::Eq, "1.2-r0".into())]
        );
        for bad in ["", ">=", "1.0,", ", <2"] {
            let e = parse(Scheme::Rpm, bad).expect_err(bad);
            assert_eq!(e.what, "constraint");
        }
    }

    #[test]
    fn bad_bound_is_a_constraint_error() {
        let cmp = crate::dpkg::compare;
        let e = satisfies(Scheme::Dpkg, "1.0", ">= 1.0-", cmp).expect_err("empty revision");
        assert_eq!((e.what, e.input.as_str()), ("constraint", ">= 1.0-"));
        let e = satisfies(Scheme::Dpkg, "a:1", ">= 1.0", cmp).expect_err("bad epoch");
        assert_eq!((e.what, e.input.as_str()), ("version", "a:1"));
        assert_eq!(
            satisfies(Scheme::Dpkg, "1.1", ">= 1.0, << 1.2", cmp),
            Ok(true)
        );
        assert_eq!(
            satisfies(Scheme::Dpkg, "1.2", ">= 1.0, << 1.2", cmp),
            Ok(false)
        );
    }
}
