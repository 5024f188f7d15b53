//! Declared licences: telling an SPDX licence ID from an SPDX expression from a free-text name,
//! since CycloneDX and SPDX each store the three differently.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::ids;

/// The SPDX licence IDs the CycloneDX 1.6 schema enumerates (`spdx.schema.json`). Using exactly
/// this list for `license.id` keeps output schema-valid whatever the `spdx` crate's list says.
const CDX_IDS: &str = include_str!("cyclonedx_spdx_ids.txt");

/// One declared licence, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lic {
    /// A single SPDX licence ID that CycloneDX 1.6 knows.
    Id(String),
    /// A valid SPDX expression (compound, `WITH`, `+`, or a `LicenseRef-`).
    Expr(String),
    /// Anything else: a name, a URL, a file reference.
    Name(String),
}

pub(crate) fn is_cdx_id(s: &str) -> bool {
    static IDS: std::sync::OnceLock<std::collections::BTreeSet<&'static str>> =
        std::sync::OnceLock::new();
    IDS.get_or_init(|| CDX_IDS.lines().collect()).contains(s)
}

fn parses_as_expression(s: &str) -> bool {
    let mut mode = spdx::ParseMode::STRICT;
    // Old catalogues still say `GPL-2.0`; it is a valid (deprecated) ID, not free text.
    mode.allow_deprecated = true;
    spdx::Expression::parse_mode(s, mode).is_ok()
}

pub(crate) fn classify(s: &str) -> Lic {
    let t = s.trim();
    if is_cdx_id(t) {
        Lic::Id(t.to_string())
    } else if parses_as_expression(t) {
        Lic::Expr(t.to_string())
    } else {
        Lic::Name(t.to_string())
    }
}

/// The CycloneDX `licenses` array, or `None` when there are none.
///
/// The schema allows either a list of `license` objects or exactly one `expression`, never both,
/// so several licences that include an expression are joined with `AND` (all of them apply).
pub(crate) fn cyclonedx(licenses: &[String]) -> Option<Value> {
    let classified: Vec<Lic> = licenses
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| classify(l))
        .collect();
    if classified.is_empty() {
        return None;
    }
    let has_expr = classified.iter().any(|l| matches!(l, Lic::Expr(_)));
    let has_name = classified.iter().any(|l| matches!(l, Lic::Name(_)));
    if has_expr && !has_name {
        let joined = join_and(classified.iter().map(|l| match l {
            Lic::Id(s) | Lic::Expr(s) | Lic::Name(s) => s.as_str(),
        }));
        return Some(json!([{ "expression": joined }]));
    }
    let items: Vec<Value> = classified
        .iter()
        .map(|l| match l {
            Lic::Id(s) => json!({ "license": { "id": s } }),
            Lic::Expr(s) | Lic::Name(s) => json!({ "license": { "name": s } }),
        })
        .collect();
    Some(Value::Array(items))
}

/// The SPDX `licenseDeclared` value. Names that are not SPDX expressions become `LicenseRef-`s
/// recorded in `extracted` (ID → original text) for `hasExtractedLicensingInfos`.
pub(crate) fn spdx_declared(
    licenses: &[String],
    extracted: &mut BTreeMap<String, String>,
) -> String {
    let mut parts: Vec<String> = Vec::new();
    for l in licenses.iter().filter(|l| !l.trim().is_empty()) {
        match classify(l) {
            Lic::Id(s) | Lic::Expr(s) => parts.push(s),
            Lic::Name(s) => parts.push(license_ref(&s, extracted)),
        }
    }
    if parts.is_empty() {
        return "NOASSERTION".to_string();
    }
    join_and(parts.iter().map(String::as_str))
}

fn license_ref(name: &str, extracted: &mut BTreeMap<String, String>) -> String {
    let safe = ids::spdx_safe(name);
    let mut id = if safe.is_empty() {
        format!("LicenseRef-{}", ids::short_hash(name))
    } else {
        format!("LicenseRef-{safe}")
    };
    if extracted.get(&id).is_some_and(|text| text != name) {
        id = format!("{id}-{}", ids::short_hash(name));
    }
    extracted.insert(id.clone(), name.to_string());
    id
}

/// Joins with `AND`, parenthesising compound members so the reader can split them again.
fn join_and<'a>(parts: impl Iterator<Item = &'a str>) -> String {
    let parts: Vec<String> = parts
        .map(|p| {
            if is_compound(p) && !is_wrapped(p) {
                format!("({p})")
            } else {
                p.to_string()
            }
        })
        .collect();
    if parts.len() == 1 {
        return strip_parens(&parts[0]).to_string();
    }
    parts.join(" AND ")
}

fn is_compound(s: &str) -> bool {
    s.split_whitespace()
        .any(|w| matches!(w, "AND" | "OR" | "WITH" | "and" | "or" | "with"))
}

/// Whether the whole string is one parenthesised group.
fn is_wrapped(s: &str) -> bool {
    let s = s.trim();
    if !(s.starts_with('(') && s.ends_with(')')) {
        return false;
    }
    let mut depth = 0i32;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 && i != s.len() - 1 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

pub(crate) fn strip_parens(s: &str) -> &str {
    let mut s = s.trim();
    while is_wrapped(s) {
        s = s[1..s.len() - 1].trim();
    }
    s
}

/// Splits an expression at its top-level `AND`s (each member is a licence that applies), strips
/// redundant outer parentheses, and maps `LicenseRef-`s back to their extracted names.
pub(crate) fn split_declared(expr: &str, extracted: &BTreeMap<String, String>) -> Vec<String> {
    let expr = strip_parens(expr);
    if expr.is_empty() || expr == "NOASSERTION" || expr == "NONE" {
        return Vec::new();
    }
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0usize;
    let bytes = expr.as_bytes();
    let mut i = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b' ' if depth == 0 && expr[i..].starts_with(" AND ") => {
                parts.push(&expr[start..i]);
                i += 5;
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(&expr[start..]);
    // A top-level OR makes the whole thing one choice, not several licences.
    if parts.len() > 1 && parts.iter().any(|p| top_level_has(p, " OR ")) {
        return vec![expr.to_string()];
    }
    parts
        .into_iter()
        .map(|p| {
            let p = strip_parens(p);
            extracted.get(p).cloned().unwrap_or_else(|| p.to_string())
        })
        .filter(|p| !p.is_empty())
        .collect()
}

fn top_level_has(s: &str, op: &str) -> bool {
    let mut depth = 0i32;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ if depth == 0 && s[i..].starts_with(op) => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_expressions_and_names_are_told_apart() {
        assert_eq!(classify("MIT"), Lic::Id("MIT".into()));
        assert_eq!(classify("GPL-2.0"), Lic::Id("GPL-2.0".into()));
        assert_eq!(
            classify("MIT OR Apache-2.0"),
            Lic::Expr("MIT OR Apache-2.0".into())
        );
        assert_eq!(
            classify("GPL-2.0-only WITH Classpath-exception-2.0"),
            Lic::Expr("GPL-2.0-only WITH Classpath-exception-2.0".into())
        );
        assert_eq!(
            classify("LicenseRef-custom"),
            Lic::Expr("LicenseRef-custom".into())
        );
        assert_eq!(
            classify("Apache License 2.0"),
            Lic::Name("Apache License 2.0".into())
        );
        assert_eq!(classify("mit"), Lic::Name("mit".into()));
    }

    #[test]
    fn cyclonedx_never_mixes_expression_and_license_objects() {
        let v = cyclonedx(&["MIT".into(), "BSD-3-Clause OR GPL-2.0-only".into()]).unwrap();
        assert_eq!(
            v,
            json!([{ "expression": "MIT AND (BSD-3-Clause OR GPL-2.0-only)" }])
        );
        let v = cyclonedx(&["MIT".into(), "Custom licence".into()]).unwrap();
        assert_eq!(
            v,
            json!([{ "license": { "id": "MIT" } }, { "license": { "name": "Custom licence" } }])
        );
        assert_eq!(cyclonedx(&[]), None);
    }

    #[test]
    fn spdx_declared_round_trips_through_split() {
        let mut ex = BTreeMap::new();
        let lics = vec![
            "MIT OR Apache-2.0".to_string(),
            "Zlib".to_string(),
            "Some Vendor EULA".to_string(),
        ];
        let decl = spdx_declared(&lics, &mut ex);
        assert_eq!(
            decl,
            "(MIT OR Apache-2.0) AND Zlib AND LicenseRef-Some-Vendor-EULA"
        );
        assert_eq!(split_declared(&decl, &ex), lics);
        assert_eq!(
            split_declared("(MIT OR Apache-2.0)", &ex),
            vec!["MIT OR Apache-2.0"]
        );
        assert_eq!(
            split_declared("MIT AND BSD-2-Clause OR ISC", &ex),
            vec!["MIT AND BSD-2-Clause OR ISC"]
        );
        assert!(split_declared("NOASSERTION", &ex).is_empty());
    }
}
