//! warden's own ignore file (YAML). Every entry must say why (`reason`) and may expire
//! (`expires`); `package`, `purl` and `path` narrow it to one package or place.
//!
//! ```yaml
//! ignores:
//!   - id: CVE-2021-44228
//!     reason: JndiLookup.class is stripped from the jar at build time
//!     expires: 2027-01-31
//!     purl: pkg:maven/org.apache.logging.log4j/log4j-core
//!     path: /app/**
//! ```

use serde::Deserialize;

use super::trivyignore_yaml::de_date;
use super::{Rule, SourceKind};
use crate::error::ScanError;
use crate::util::find_line;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    #[serde(default)]
    ignores: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    reason: String,
    #[serde(default, deserialize_with = "de_date")]
    expires: Option<time::Date>,
    #[serde(default)]
    package: Option<String>,
    #[serde(default)]
    purl: Option<String>,
    #[serde(default)]
    path: Option<String>,
}

pub(super) fn parse(file: &str, text: &str) -> Result<Vec<Rule>, ScanError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let doc: Doc = serde_yaml::from_str(text).map_err(|e| ScanError::from_yaml(file, text, &e))?;
    let mut rules = Vec::new();
    let mut from = 1;
    for e in doc.ignores {
        let line = find_line(text, from, &["id:", e.id.as_str()]).unwrap_or(0);
        if line > 0 {
            from = line + 1;
        }
        if e.id.trim().is_empty() {
            return Err(ScanError::syntax(file, line, "ignores[].id: empty"));
        }
        if e.reason.trim().is_empty() {
            return Err(ScanError::syntax(
                file,
                line,
                format!(
                    "ignores[].reason: empty for {} (every ignore must say why)",
                    e.id
                ),
            ));
        }
        if let Some(p) = &e.purl {
            if crate::util::Purl::parse(p).is_none() {
                return Err(ScanError::syntax(
                    file,
                    line,
                    format!("ignores[].purl: '{p}' is not a package URL"),
                ));
            }
        }
        let mut rule = Rule::new(SourceKind::WardenIgnore, file, line, &e.id);
        rule.reason = Some(e.reason.trim().to_string());
        rule.expires = e.expires;
        rule.packages.extend(e.package);
        rule.purls.extend(e.purl);
        rule.paths.extend(e.path);
        rules.push(rule);
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_is_mandatory_and_errors_have_lines() {
        let ok = "ignores:\n  - id: CVE-2021-44228\n    reason: stripped\n    expires: 2027-01-31\n    package: log4j-core\n";
        let r = parse("w.yaml", ok).unwrap();
        assert_eq!((r[0].line, r[0].packages.len()), (2, 1));
        let e = parse(
            "w.yaml",
            "ignores:\n  - id: CVE-1\n    reason: a\n  - id: CVE-2\n    expires: 2027-01-01\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("w.yaml:4:") && e.contains("reason"), "{e}");
        let e = parse("w.yaml", "ignores:\n  - id: CVE-1\n    reason: \"  \"\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("w.yaml:2:") && e.contains("reason"), "{e}");
        let e = parse(
            "w.yaml",
            "ignores:\n  - id: CVE-1\n    reason: x\n    purl: lodash\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("not a package URL"), "{e}");
    }
}
