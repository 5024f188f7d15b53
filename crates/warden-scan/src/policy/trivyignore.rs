//! Trivy's `.trivyignore`: one vulnerability ID a line, optional `exp:YYYY-MM-DD`, `#` comments.
//! A comment block right above an entry becomes its reason, as Trivy's docs write them.

use super::{Rule, SourceKind};
use crate::error::ScanError;
use crate::util::parse_date;

pub(super) fn parse(file: &str, text: &str) -> Result<Vec<Rule>, ScanError> {
    let mut rules = Vec::new();
    let mut comment: Vec<&str> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            comment.clear();
            continue;
        }
        if let Some(c) = line.strip_prefix('#') {
            comment.push(c.trim());
            continue;
        }
        let (entry, trailing) = match line.split_once(" #") {
            Some((e, c)) => (e.trim(), Some(c.trim())),
            None => (line, None),
        };
        let mut fields = entry.split_whitespace();
        let Some(id) = fields.next() else { continue };
        let mut rule = Rule::new(SourceKind::TrivyIgnore, file, i + 1, id);
        let mut extra = Vec::new();
        for field in fields {
            if let Some(d) = field.strip_prefix("exp:") {
                let date = parse_date(d).ok_or_else(|| {
                    ScanError::syntax(
                        file,
                        i + 1,
                        format!("invalid exp: date '{d}' for {id} (expected YYYY-MM-DD)"),
                    )
                })?;
                rule.expires = Some(date);
            } else {
                extra.push(field);
            }
        }
        let mut reason: Vec<&str> = comment.drain(..).filter(|c| !c.is_empty()).collect();
        reason.extend(trailing);
        if !extra.is_empty() {
            reason.push(&line[line.find(extra[0]).unwrap_or(0)..]);
        }
        if !reason.is_empty() {
            rule.reason = Some(reason.join(" "));
        }
        rules.push(rule);
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_expiry_and_comments() {
        let text = "# Accept the risk\nCVE-2018-14618\n\nCVE-2019-14697 exp:2023-01-01\nGHSA-xxxx-yyyy-zzzz # vendored, unused\n";
        let r = parse(".trivyignore", text).unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!((r[0].ids[0].as_str(), r[0].line), ("CVE-2018-14618", 2));
        assert_eq!(r[0].reason.as_deref(), Some("Accept the risk"));
        assert_eq!(
            r[1].expires.map(crate::util::fmt_date).as_deref(),
            Some("2023-01-01")
        );
        assert_eq!(r[1].reason, None);
        assert_eq!(r[2].reason.as_deref(), Some("vendored, unused"));
    }

    #[test]
    fn a_bad_date_names_the_line() {
        let e = parse(".trivyignore", "CVE-1\nCVE-2 exp:2023-02-30\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(".trivyignore:2: invalid exp: date '2023-02-30'"),
            "{e}"
        );
    }
}
