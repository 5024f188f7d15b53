//! Trivy's `.trivyignore.yaml`: `vulnerabilities[]` entries with `id`, optional `paths`,
//! `purls`, `statement` and `expired_at`. The `misconfigurations`, `secrets` and `licenses`
//! sections are accepted and not used, since warden's scan has no such findings.

use serde::Deserialize;

use super::{Rule, SourceKind};
use crate::error::ScanError;
use crate::util::{find_line, parse_date};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    #[serde(default)]
    vulnerabilities: Vec<Entry>,
    #[serde(default)]
    misconfigurations: serde_yaml::Value,
    #[serde(default)]
    secrets: serde_yaml::Value,
    #[serde(default)]
    licenses: serde_yaml::Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    purls: Vec<String>,
    #[serde(default)]
    statement: Option<String>,
    #[serde(default, deserialize_with = "de_date")]
    expired_at: Option<time::Date>,
}

/// Dates are checked while parsing so the YAML parser reports the failing line.
pub(super) fn de_date<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<time::Date>, D::Error> {
    let v = serde_yaml::Value::deserialize(d)?;
    let s = match &v {
        serde_yaml::Value::Null => return Ok(None),
        serde_yaml::Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    };
    parse_date(&s).map(Some).ok_or_else(|| {
        serde::de::Error::custom(format!("invalid date '{s}' (expected YYYY-MM-DD)"))
    })
}

pub(super) fn parse(file: &str, text: &str) -> Result<Vec<Rule>, ScanError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let doc: Doc = serde_yaml::from_str(text).map_err(|e| ScanError::from_yaml(file, text, &e))?;
    let _ = (&doc.misconfigurations, &doc.secrets, &doc.licenses);
    let mut rules = Vec::new();
    let mut from = 1;
    for e in doc.vulnerabilities {
        let line = find_line(text, from, &["id:", e.id.as_str()]).unwrap_or(0);
        if line > 0 {
            from = line + 1;
        }
        if e.id.trim().is_empty() {
            return Err(ScanError::syntax(file, line, "vulnerabilities[].id: empty"));
        }
        let mut rule = Rule::new(SourceKind::TrivyIgnoreYaml, file, line, &e.id);
        rule.paths = e.paths;
        rule.purls = e.purls;
        rule.reason = e.statement;
        rule.expires = e.expired_at;
        rules.push(rule);
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "vulnerabilities:\n  - id: CVE-2022-40897\n    paths:\n      - \"usr/local/lib/python3.9/site-packages/setuptools-58.1.0.dist-info/METADATA\"\n    statement: Accept the risk\n  - id: CVE-2023-2650\n  - id: CVE-2023-3446\n    expired_at: 2023-09-01\n  - id: CVE-2023-3817\n    purls:\n      - \"pkg:npm/%40babel/traverse@7.22.10\"\nmisconfigurations:\n  - id: AVD-DS-0001\n";

    #[test]
    fn entries_keep_their_scope_and_line() {
        let r = parse("t.yaml", DOC).unwrap();
        assert_eq!(r.len(), 4);
        assert_eq!(r[0].line, 2);
        assert_eq!(r[0].reason.as_deref(), Some("Accept the risk"));
        assert_eq!(r[0].paths.len(), 1);
        assert_eq!(r[2].line, 7);
        assert_eq!(
            r[2].expires.map(crate::util::fmt_date).as_deref(),
            Some("2023-09-01")
        );
        assert_eq!(r[3].purls, ["pkg:npm/%40babel/traverse@7.22.10"]);
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse(
            "t.yaml",
            "vulnerabilities:\n  - id: CVE-1\n    expired_at: 2023-99-01\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("t.yaml:3:"), "{e}");
        let e = parse(
            "t.yaml",
            "vulnerabilities:\n  - id: CVE-1\n    statment: typo\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("t.yaml:3:") && e.contains("statment"), "{e}");
        let e = parse("t.yaml", "vulnerabilities:\n  - id: [\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("t.yaml:"), "{e}");
    }
}
