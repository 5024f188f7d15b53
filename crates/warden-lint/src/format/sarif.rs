//! SARIF 2.1.0: one run, a `rules` array with every rule that fired (with its help text), and
//! results with real start and end lines and columns.

use std::collections::BTreeMap;

use super::FileReport;
use crate::rules::{self, Level};

fn sarif_level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warning => "warning",
        _ => "note",
    }
}

pub(super) fn render(reports: &[FileReport]) -> String {
    let mut used: BTreeMap<String, (Level, String)> = BTreeMap::new();
    for r in reports {
        for f in &r.findings {
            used.entry(f.code.clone())
                .or_insert((f.level, f.message.clone()));
        }
    }
    let rule_index: BTreeMap<&String, usize> =
        used.keys().enumerate().map(|(i, k)| (k, i)).collect();
    let rules_json: Vec<_> = used
        .iter()
        .map(|(code, (level, msg))| {
            let (short, help, uri) = match rules::find(code) {
                Some(r) => (r.message.to_string(), r.doc.to_string(), help_uri(code)),
                None => (msg.clone(), msg.clone(), help_uri(code)),
            };
            serde_json::json!({
                "id": code,
                "name": code,
                "shortDescription": {"text": short},
                "fullDescription": {"text": help.clone()},
                "help": {"text": help.clone(), "markdown": help},
                "helpUri": uri,
                "defaultConfiguration": {"level": sarif_level(*level)},
            })
        })
        .collect();
    let mut results = Vec::new();
    for r in reports {
        for f in &r.findings {
            results.push(serde_json::json!({
                "ruleId": f.code,
                "ruleIndex": rule_index.get(&f.code).copied().unwrap_or(0),
                "level": sarif_level(f.level),
                "message": {"text": f.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": r.path},
                    "region": {
                        "startLine": f.span.start.line,
                        "startColumn": f.span.start.column,
                        "endLine": f.span.end.line.max(f.span.start.line),
                        "endColumn": if f.span.end.line > f.span.start.line || f.span.end.column >= f.span.start.column { f.span.end.column + 1 } else { f.span.start.column + 1 },
                        "sourceLanguage": if f.code.starts_with("SC") { "sh" } else { "dockerfile" },
                    }
                }}],
            }));
        }
    }
    let doc = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "warden",
                "fullName": "warden lint",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/warden",
                "rules": rules_json,
            }},
            "defaultSourceLanguage": "dockerfile",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn help_uri(code: &str) -> String {
    if let Some(n) = code.strip_prefix("SC") {
        format!("https://www.shellcheck.net/wiki/SC{n}")
    } else if code.starts_with("DL") {
        format!("https://github.com/hadolint/hadolint/wiki/{code}")
    } else {
        format!("https://example.invalid/warden/docs/rules/{code}.md")
    }
}
