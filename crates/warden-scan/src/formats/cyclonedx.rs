//! CycloneDX 1.6 JSON with `vulnerabilities`: every inventory package as a component, and one
//! vulnerability entry per finding whose `affects` points at the package's `bom-ref`. Findings
//! suppressed by VEX or an ignore file carry an `analysis`, so the BOM doubles as a VEX record;
//! findings hidden by `--severity` or `--ignore-unfixed` are left out, as Trivy does.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use warden_core::{Cvss, Finding, Package, Severity};

use super::{advisory_url, rfc3339, to_json, Report};
use crate::error::ScanError;
use crate::policy::{EvaluatedFinding, SuppressedBy, VexStatus};
use crate::report::{RenderOptions, ScanReport};

pub(super) struct CycloneDx;

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Negligible => "info",
        Severity::Unknown => "unknown",
    }
}

fn method(c: &Cvss) -> &'static str {
    if c.vector.starts_with("CVSS:3.1") {
        "CVSSv31"
    } else if c.vector.starts_with("CVSS:3") {
        "CVSSv3"
    } else if c.vector.starts_with("CVSS:4") {
        "CVSSv4"
    } else {
        "CVSSv2"
    }
}

fn component(p: &Package) -> Value {
    let mut c = json!({
        "bom-ref": p.id,
        "type": "library",
        "name": p.name,
        "version": p.version,
    });
    if p.purl.starts_with("pkg:") {
        c["purl"] = json!(p.purl);
    }
    if let Some(l) = p.locations.first() {
        let mut props = vec![json!({"name": "warden:location", "value": l.path})];
        if let Some(layer) = &l.layer {
            props.push(json!({"name": "warden:layer", "value": layer}));
        }
        c["properties"] = Value::Array(props);
    }
    c
}

fn justification(j: &str) -> Option<&'static str> {
    Some(match j {
        "component_not_present" | "vulnerable_code_not_present" => "code_not_present",
        "vulnerable_code_not_in_execute_path" => "code_not_reachable",
        "vulnerable_code_cannot_be_controlled_by_adversary" => "requires_environment",
        "inline_mitigations_already_exist" => "protected_by_mitigating_control",
        _ => return None,
    })
}

fn analysis(e: &EvaluatedFinding) -> Option<Value> {
    let s = e.suppressed.as_ref()?;
    let detail = format!(
        "{}{}",
        s.rule,
        s.reason
            .as_ref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default()
    );
    let mut a = match (s.by, s.vex_status) {
        (SuppressedBy::Openvex, Some(VexStatus::Fixed)) => json!({"state": "resolved"}),
        (SuppressedBy::Openvex, _) => {
            let mut a = json!({"state": "not_affected"});
            if let Some(j) = s.vex_justification.as_deref().and_then(justification) {
                a["justification"] = json!(j);
            }
            a
        }
        _ => json!({"state": "exploitable", "response": ["will_not_fix"]}),
    };
    a["detail"] = json!(detail);
    Some(a)
}

fn vulnerability(e: &EvaluatedFinding, n: usize) -> Value {
    let f: &Finding = &e.finding;
    let v = &f.vulnerability;
    let mut ratings: Vec<Value> = v
        .cvss
        .iter()
        .map(|c| {
            json!({
                "source": {"name": c.source},
                "score": c.score,
                "severity": severity(Severity::from_cvss_score(c.score)),
                "method": method(c),
                "vector": c.vector,
            })
        })
        .collect();
    let src = if v.severity_source.is_empty() {
        "warden"
    } else {
        v.severity_source.as_str()
    };
    ratings.insert(
        0,
        json!({"source": {"name": src}, "severity": severity(v.severity)}),
    );
    let mut o = json!({
        "bom-ref": format!("vuln-{n}-{}", v.id),
        "id": v.id,
        "source": {"name": v.sources.first().cloned().unwrap_or_else(|| "warden".into()), "url": advisory_url(f)},
        "ratings": ratings,
        "affects": [{"ref": f.package.id, "versions": [{"version": f.installed_version, "status": "affected"}]}],
    });
    if !v.aliases.is_empty() {
        o["references"] = Value::Array(
            v.aliases.iter().map(|a| json!({"id": a, "source": {"name": a.split('-').next().unwrap_or("advisory")}})).collect(),
        );
    }
    let cwes: Vec<u64> = v
        .cwes
        .iter()
        .filter_map(|c| c.trim_start_matches("CWE-").parse().ok())
        .collect();
    if !cwes.is_empty() {
        o["cwes"] = json!(cwes);
    }
    if !v.description.is_empty() {
        o["description"] = json!(v.description);
    } else if !v.title.is_empty() {
        o["description"] = json!(v.title);
    }
    if !f.fixed_versions.is_empty() {
        o["recommendation"] = json!(format!(
            "Upgrade {} to {}",
            f.package.name,
            f.fixed_versions.join(", ")
        ));
    }
    let advisories: Vec<Value> = v
        .references
        .iter()
        .filter(|u| u.starts_with("http"))
        .map(|u| json!({"url": u}))
        .collect();
    if !advisories.is_empty() {
        o["advisories"] = Value::Array(advisories);
    }
    if let Some(p) = &v.published {
        o["published"] = json!(p);
    }
    if let Some(a) = analysis(e) {
        o["analysis"] = a;
    }
    o
}

impl Report for CycloneDx {
    fn render(&self, r: &ScanReport, opts: &RenderOptions) -> Result<Vec<u8>, ScanError> {
        let shown: Vec<&EvaluatedFinding> = r
            .findings
            .iter()
            .filter(|e| {
                !matches!(
                    e.suppressed.as_ref().map(|s| s.by),
                    Some(SuppressedBy::SeverityFilter | SuppressedBy::IgnoreUnfixed)
                )
            })
            .collect();
        let mut refs: BTreeSet<&str> = BTreeSet::new();
        let mut components: Vec<Value> = Vec::new();
        for p in &r.inventory.packages {
            if refs.insert(p.id.as_str()) {
                components.push(component(p));
            }
        }
        // Imported findings may name packages the inventory lacks; they still need a component.
        for e in &shown {
            if refs.insert(e.finding.package.id.as_str()) {
                components.push(component(&e.finding.package));
            }
        }
        let target = r.target_name();
        let mut meta_component = json!({
            "bom-ref": "warden:target",
            "type": if r.inventory.image.is_some() { "container" } else { "application" },
            "name": target,
        });
        if let Some(img) = &r.inventory.image {
            if !img.id.is_empty() {
                meta_component["version"] = json!(img.id);
            }
        }
        if let Some(os) = &r.inventory.os {
            components.push(json!({"bom-ref": "warden:os", "type": "operating-system", "name": os.id, "version": os.version_id}));
        }
        let vulns: Vec<Value> = shown
            .iter()
            .enumerate()
            .map(|(i, e)| vulnerability(e, i + 1))
            .collect();
        let seed = format!(
            "{target}|{}|{}",
            rfc3339(opts),
            shown
                .iter()
                .map(|e| format!("{}@{}", e.finding.vulnerability.id, e.finding.package.id))
                .collect::<Vec<_>>()
                .join(",")
        );
        let serial = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, seed.as_bytes());
        let doc = json!({
            "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "serialNumber": format!("urn:uuid:{serial}"),
            "version": 1,
            "metadata": {
                "timestamp": rfc3339(opts),
                "tools": {"components": [{"type": "application", "name": "warden", "version": opts.tool_version}]},
                "component": meta_component,
            },
            "components": components,
            "vulnerabilities": vulns,
        });
        to_json("cyclonedx", &doc)
    }
}
