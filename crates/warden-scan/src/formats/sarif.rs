//! SARIF 2.1.0 following Trivy's conventions (pkg/report/sarif.go): one rule per vulnerability
//! ID with `security-severity`, result levels error/warning/note by severity, and locations from
//! package paths (the image name for OS packages). Only active findings are results.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use warden_core::{Finding, Severity};

use super::{advisory_url, best_cvss, fixed, pkg_path, to_json, Report};
use crate::error::ScanError;
use crate::report::{RenderOptions, ScanReport};

pub(super) struct Sarif;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        _ => "note",
    }
}

/// Trivy's fallback scores when no CVSS v3 score is known.
fn security_severity(f: &Finding) -> String {
    if let Some(c) = best_cvss(f).filter(|c| c.score > 0.0) {
        return format!("{:.1}", c.score);
    }
    match f.vulnerability.severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
        _ => "0.0",
    }
    .to_string()
}

fn uri(f: &Finding, target: &str) -> String {
    match pkg_path(f) {
        Some(p) if !f.package.ecosystem.is_os() => p.trim_start_matches('/').to_string(),
        _ => repo_name(target).to_string(),
    }
}

/// The image name without tag or digest (`localhost:5000/app:1.4` → `localhost:5000/app`).
fn repo_name(target: &str) -> &str {
    let t = target.split('@').next().unwrap_or(target);
    match (t.rfind(':'), t.rfind('/')) {
        (Some(c), Some(s)) if c > s => &t[..c],
        (Some(c), None) => &t[..c],
        _ => t,
    }
}

impl Report for Sarif {
    fn render(&self, r: &ScanReport, opts: &RenderOptions) -> Result<Vec<u8>, ScanError> {
        let target = r.target_name();
        let active: Vec<&Finding> = r.active().map(|e| &e.finding).collect();
        // One rule per vulnerability ID, described by its most severe finding.
        let mut by_id: BTreeMap<&str, &Finding> = BTreeMap::new();
        for &f in &active {
            let e = by_id.entry(f.vulnerability.id.as_str()).or_insert(f);
            if f.vulnerability.severity > e.vulnerability.severity {
                *e = f;
            }
        }
        let index: BTreeMap<&str, usize> = by_id.keys().enumerate().map(|(i, k)| (*k, i)).collect();
        let rules: Vec<Value> = by_id
            .values()
            .map(|f| {
                let v = &f.vulnerability;
                let sev = v.severity.as_str();
                let url = advisory_url(f);
                let name = if f.package.ecosystem.is_os() { "OsPackageVulnerability" } else { "LanguageSpecificPackageVulnerability" };
                let title = if v.title.is_empty() { v.id.clone() } else { v.title.clone() };
                let full = if v.description.is_empty() { title.clone() } else { v.description.clone() };
                let help_text = format!(
                    "Vulnerability {}\nSeverity: {sev}\nPackage: {}\nFixed Version: {}\nLink: [{}]({url})\n{full}",
                    v.id, f.package.name, fixed(f), v.id
                );
                let help_md = format!(
                    "**Vulnerability {}**\n| Severity | Package | Fixed Version | Link |\n| --- | --- | --- | --- |\n|{sev}|{}|{}|[{}]({url})|\n\n{full}",
                    v.id, f.package.name, fixed(f), v.id
                );
                let mut props = json!({
                    "tags": ["vulnerability", "security", sev],
                    "precision": "very-high",
                    "security-severity": security_severity(f),
                });
                for c in &v.cvss {
                    if c.source == v.severity_source || v.severity_source.is_empty() {
                        let key = if c.vector.starts_with("CVSS:3") { "cvssv3" } else if c.vector.starts_with("CVSS:4") { "cvssv40" } else { "cvssv2" };
                        props[format!("{key}_vector")] = json!(c.vector);
                        props[format!("{key}_baseScore")] = json!(c.score);
                    }
                }
                json!({
                    "id": v.id,
                    "name": name,
                    "shortDescription": {"text": title},
                    "fullDescription": {"text": full},
                    "defaultConfiguration": {"level": level(v.severity)},
                    "helpUri": url,
                    "help": {"text": help_text, "markdown": help_md},
                    "properties": props,
                })
            })
            .collect();
        let results: Vec<Value> = active
            .iter()
            .map(|f| {
                let v = &f.vulnerability;
                let u = uri(f, &target);
                json!({
                    "ruleId": v.id,
                    "ruleIndex": index.get(v.id.as_str()).copied().unwrap_or(0),
                    "level": level(v.severity),
                    "message": {"text": format!(
                        "Package: {}\nInstalled Version: {}\nVulnerability {}\nSeverity: {}\nFixed Version: {}\nLink: [{}]({})",
                        f.package.name, f.installed_version, v.id, v.severity, fixed(f), v.id, advisory_url(f)
                    )},
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": {"uri": u, "uriBaseId": "ROOTPATH"},
                            "region": {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1}
                        },
                        "message": {"text": format!("{u}: {}@{}", f.package.name, f.installed_version)}
                    }]
                })
            })
            .collect();
        let doc = json!({
            "version": "2.1.0",
            "$schema": SCHEMA,
            "runs": [{
                "tool": {"driver": {
                    "fullName": "warden container scanner",
                    "informationUri": "https://example.invalid/warden",
                    "name": "warden",
                    "rules": rules,
                    "version": opts.tool_version,
                }},
                "results": results,
                "columnKind": "utf16CodeUnits",
                "originalUriBaseIds": {"ROOTPATH": {"uri": "file:///"}},
                "properties": {"imageName": target},
            }]
        });
        to_json("sarif", &doc)
    }
}
