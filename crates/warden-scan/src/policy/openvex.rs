//! OpenVEX documents (v0.0.x and v0.2.x). `not_affected` and `fixed` statements suppress the
//! named vulnerability in the named products; `affected` and `under_investigation` never do.
//! Products are purls; an OCI image product with `subcomponents` narrows to those packages.

use serde_json::Value;

use super::{Rule, SourceKind, VexInfo, VexStatus};
use crate::error::ScanError;
use crate::util::find_line;

fn str_or_id(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o
            .get("@id")
            .or_else(|| o.get("name"))
            .and_then(Value::as_str)
            .map(str::to_string),
        _ => None,
    }
}

pub(super) fn parse(file: &str, text: &str) -> Result<Vec<Rule>, ScanError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| ScanError::from_json(file, &e))?;
    let ctx = doc.get("@context").and_then(Value::as_str).unwrap_or("");
    if !ctx.contains("openvex") {
        return Err(ScanError::Unsupported {
            file: file.to_string(),
            message: "not an OpenVEX document (@context does not name openvex.dev)".into(),
        });
    }
    let doc_ts = doc
        .get("timestamp")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let statements = doc
        .get("statements")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ScanError::syntax(
                file,
                find_line(text, 1, &["statements"]).unwrap_or(0),
                "statements: missing or not an array",
            )
        })?;
    let mut rules = Vec::new();
    let mut from = 1;
    for (i, st) in statements.iter().enumerate() {
        let field = |name: &str| format!("statements[{i}].{name}");
        let vuln = st.get("vulnerability").ok_or_else(|| {
            ScanError::syntax(file, 0, format!("{}: missing", field("vulnerability")))
        })?;
        let id = str_or_id(vuln).ok_or_else(|| {
            ScanError::syntax(file, 0, format!("{}: no name", field("vulnerability")))
        })?;
        let needle = format!("\"{id}\"");
        let line = find_line(text, from, &[needle.as_str()]).unwrap_or(0);
        if line > 0 {
            from = line + 1;
        }
        let status_s = st.get("status").and_then(Value::as_str).unwrap_or("");
        let status = match status_s {
            "not_affected" => VexStatus::NotAffected,
            "fixed" => VexStatus::Fixed,
            "affected" => VexStatus::Affected,
            "under_investigation" => VexStatus::UnderInvestigation,
            other => {
                return Err(ScanError::syntax(
                    file,
                    line,
                    format!("{}: '{other}' is not one of not_affected, affected, fixed, under_investigation", field("status")),
                ))
            }
        };
        let justification = st
            .get("justification")
            .and_then(Value::as_str)
            .map(str::to_string);
        let impact = st
            .get("impact_statement")
            .and_then(Value::as_str)
            .map(str::to_string);
        if status == VexStatus::NotAffected && justification.is_none() && impact.is_none() {
            return Err(ScanError::syntax(
                file,
                line,
                format!(
                    "{}: not_affected needs a justification or impact_statement",
                    field("status")
                ),
            ));
        }
        let mut purls = Vec::new();
        let mut whole_image = false;
        for p in st
            .get("products")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(pid) = str_or_id(p) else { continue };
            let subs: Vec<String> = p
                .get("subcomponents")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(str_or_id)
                .collect();
            if subs.is_empty() {
                if pid.starts_with("pkg:oci/") {
                    whole_image = true;
                } else {
                    purls.push(pid);
                }
            } else {
                purls.extend(subs);
            }
        }
        if purls.is_empty() && !whole_image {
            return Err(ScanError::syntax(
                file,
                line,
                format!("{}: no product with a purl", field("products")),
            ));
        }
        let mut ids = vec![id.clone()];
        if let Some(a) = vuln.get("aliases").and_then(Value::as_array) {
            ids.extend(a.iter().filter_map(Value::as_str).map(str::to_string));
        }
        let mut rule = Rule::new(SourceKind::Openvex, file, line, &id);
        rule.ids = ids;
        // An image-level statement covers every package of the image.
        if !whole_image {
            rule.purls = purls;
        }
        rule.reason = impact.or_else(|| {
            st.get("action_statement")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
        rule.vex = Some(VexInfo {
            status,
            justification,
            timestamp: st
                .get("timestamp")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| doc_ts.clone()),
        });
        rules.push(rule);
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_both_spellings() {
        let v2 = r#"{"@context":"https://openvex.dev/ns/v0.2.0","@id":"x","author":"a","timestamp":"2024-01-01T00:00:00Z","version":1,
"statements":[{"vulnerability":{"name":"CVE-2021-44228","aliases":["GHSA-jfh8-c2jp-5v3q"]},"products":[{"@id":"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]}"#;
        let r = parse("v.json", v2).unwrap();
        assert_eq!(r[0].ids, ["CVE-2021-44228", "GHSA-jfh8-c2jp-5v3q"]);
        assert_eq!(r[0].line, 2);
        let v0 = r#"{"@context":"https://openvex.dev/ns","statements":[{"vulnerability":"CVE-1","products":["pkg:npm/a@1"],"status":"under_investigation"}]}"#;
        assert_eq!(
            parse("v.json", v0).unwrap()[0]
                .vex
                .as_ref()
                .map(|v| v.status),
            Some(VexStatus::UnderInvestigation)
        );
    }

    #[test]
    fn bad_documents_are_named() {
        assert!(parse("v.json", "{\"a\":1}")
            .unwrap_err()
            .to_string()
            .contains("not an OpenVEX"));
        let e = parse(
            "v.json",
            "{\n\"@context\": \"https://openvex.dev/ns\",\n\"statements\": [,]}",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("v.json:3:"), "{e}");
        let bad = r#"{"@context":"https://openvex.dev/ns","statements":[{"vulnerability":"CVE-1","products":["pkg:npm/a@1"],"status":"not_affected"}]}"#;
        assert!(parse("v.json", bad)
            .unwrap_err()
            .to_string()
            .contains("justification"));
    }
}
