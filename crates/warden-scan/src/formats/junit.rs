//! JUnit XML, as Trivy's `contrib/junit.tpl` shapes it: one test suite per package, one test
//! case per vulnerability; active findings fail, suppressed ones are skipped with their rule.
//! Valid against Jenkins' xunit `junit-10.xsd` (the schema CI servers read JUnit with), which
//! allows `skipped` counts on `<testsuite>` but not on `<testsuites>`.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{advisory_url, fixed, Report};
use crate::error::ScanError;
use crate::policy::EvaluatedFinding;
use crate::report::{RenderOptions, ScanReport};

pub(super) struct Junit;

/// Escapes text for XML attributes and content; control characters XML 1.0 forbids are dropped.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            '\t' | '\n' | '\r' => o.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => o.push(c),
        }
    }
    o
}

impl Report for Junit {
    fn render(&self, r: &ScanReport, _opts: &RenderOptions) -> Result<Vec<u8>, ScanError> {
        let mut suites: BTreeMap<(String, String), Vec<&EvaluatedFinding>> = BTreeMap::new();
        for e in &r.findings {
            let p = &e.finding.package;
            suites
                .entry((
                    format!("{}@{}", p.name, e.finding.installed_version),
                    p.id.clone(),
                ))
                .or_default()
                .push(e);
        }
        let total = r.findings.len();
        let failures = r.active().count();
        let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            x,
            "<testsuites name=\"{}\" tests=\"{total}\" failures=\"{failures}\" errors=\"0\">",
            xml_escape(&format!("warden scan {}", r.target_name())),
        );
        for ((name, _), items) in &suites {
            let f = items.iter().filter(|e| e.is_active()).count();
            let _ = writeln!(
                x,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{f}\" errors=\"0\" skipped=\"{}\">",
                xml_escape(name),
                items.len(),
                items.len() - f
            );
            for e in items {
                let v = &e.finding.vulnerability;
                let case = format!("[{}] {}", v.severity, v.id);
                let _ = write!(
                    x,
                    "    <testcase classname=\"{}\" name=\"{}\">",
                    xml_escape(name),
                    xml_escape(&case)
                );
                match &e.suppressed {
                    None => {
                        let msg = if v.title.is_empty() {
                            v.id.clone()
                        } else {
                            v.title.clone()
                        };
                        let body = format!(
                            "Package: {}\nInstalled Version: {}\nFixed Version: {}\nSeverity: {}\nLink: {}\n{}",
                            e.finding.package.name,
                            e.finding.installed_version,
                            fixed(&e.finding),
                            v.severity,
                            advisory_url(&e.finding),
                            v.description
                        );
                        let _ = write!(
                            x,
                            "\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    ",
                            xml_escape(&msg),
                            v.severity,
                            xml_escape(body.trim_end())
                        );
                    }
                    Some(s) => {
                        let msg = format!(
                            "suppressed by {}{}",
                            s.rule,
                            s.reason
                                .as_ref()
                                .map(|r| format!(": {r}"))
                                .unwrap_or_default()
                        );
                        let _ = write!(
                            x,
                            "\n      <skipped message=\"{}\"/>\n    ",
                            xml_escape(&msg)
                        );
                    }
                }
                x.push_str("</testcase>\n");
            }
            x.push_str("  </testsuite>\n");
        }
        x.push_str("</testsuites>\n");
        Ok(x.into_bytes())
    }
}
