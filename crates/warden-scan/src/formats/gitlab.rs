//! GitLab container-scanning report, schema 15.0.7 (what Trivy's `contrib/gitlab.tpl` emits and
//! GitLab 17 accepts). IDs are UUID v5 over vulnerability, package, version and OS, so the same
//! finding keeps its ID across pipelines. Only active findings are reported.

use serde_json::{json, Value};
use time::macros::format_description;
use warden_core::{Finding, Severity};

use super::{advisory_url, to_json, Report};
use crate::error::ScanError;
use crate::report::{RenderOptions, ScanReport};

pub(super) struct Gitlab;

const VERSION: &str = "15.0.7";
const SCHEMA: &str = "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v15.0.7/dist/container-scanning-report-format.json";

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Unknown => "Unknown",
        Severity::Negligible => "Info",
        Severity::Low => "Low",
        Severity::Medium => "Medium",
        Severity::High => "High",
        Severity::Critical => "Critical",
    }
}

fn id_type(id: &str) -> String {
    match id.split('-').next() {
        Some(p) if !p.is_empty() && p.len() < id.len() => p.to_ascii_lowercase(),
        _ => "advisory".into(),
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// Vectors the schema accepts: CVSS v2 without prefix, or CVSS 3.0/3.1 (v4 has no slot in 15.0.7).
fn vector_ok(v: &str) -> bool {
    ((v.starts_with("CVSS:3.0/") || v.starts_with("CVSS:3.1/")) && (32..=128).contains(&v.len()))
        || (v.starts_with("AV:") && (16..=128).contains(&v.len()) && v.contains("Au:"))
}

fn vuln(f: &Finding, os: &str, image: &str) -> Value {
    let v = &f.vulnerability;
    let key = format!(
        "{}|{}|{}|{}|{}",
        v.id, f.package.name, f.installed_version, os, image
    );
    let id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, key.as_bytes());
    let mut identifiers =
        vec![json!({"type": id_type(&v.id), "name": v.id, "value": v.id, "url": advisory_url(f)})];
    identifiers.extend(
        v.aliases
            .iter()
            .map(|a| json!({"type": id_type(a), "name": a, "value": a})),
    );
    let title = if v.title.is_empty() {
        format!("{} in {}", v.id, f.package.name)
    } else {
        v.title.clone()
    };
    let description = if v.description.is_empty() {
        title.clone()
    } else {
        v.description.clone()
    };
    let solution = if f.fixed_versions.is_empty() {
        "No solution provided".to_string()
    } else {
        format!(
            "Upgrade {} to {}",
            f.package.name,
            f.fixed_versions.join(", ")
        )
    };
    let mut o = json!({
        "id": id.to_string(),
        "name": truncate(&title, 255),
        "description": truncate(&description, 1 << 20),
        "severity": severity(v.severity),
        "solution": truncate(&solution, 7000),
        "identifiers": identifiers,
        "location": {
            "dependency": {"package": {"name": f.package.name}, "version": f.installed_version},
            "operating_system": os,
            "image": image,
        },
    });
    let vectors: Vec<Value> = v
        .cvss
        .iter()
        .filter(|c| vector_ok(&c.vector))
        .take(10)
        .map(|c| json!({"vendor": if c.source.is_empty() { "unknown" } else { c.source.as_str() }, "vector": c.vector}))
        .collect();
    if !vectors.is_empty() {
        o["cvss_vectors"] = Value::Array(vectors);
    }
    let links: Vec<Value> = v
        .references
        .iter()
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        .map(|u| json!({"url": u}))
        .collect();
    if !links.is_empty() {
        o["links"] = Value::Array(links);
    }
    o
}

impl Report for Gitlab {
    fn render(&self, r: &ScanReport, opts: &RenderOptions) -> Result<Vec<u8>, ScanError> {
        let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
        let t = opts.timestamp.to_offset(time::UtcOffset::UTC);
        let ts = t.format(&fmt).map_err(|e| ScanError::Render {
            format: "gitlab",
            message: e.to_string(),
        })?;
        let os = r
            .os_name()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "Unknown".into());
        let image = r.target_name();
        let tool = json!({
            "id": "warden",
            "name": "warden",
            "version": opts.tool_version,
            "vendor": {"name": "warden"},
        });
        let doc = json!({
            "version": VERSION,
            "schema": SCHEMA,
            "scan": {
                "analyzer": tool,
                "scanner": tool,
                "start_time": ts,
                "end_time": ts,
                "status": "success",
                "type": "container_scanning",
            },
            "vulnerabilities": r.active().map(|e| vuln(&e.finding, &os, &image)).collect::<Vec<_>>(),
        });
        to_json("gitlab", &doc)
    }
}
