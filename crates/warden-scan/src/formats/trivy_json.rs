//! Trivy-shaped JSON (`trivy image -f json`, SchemaVersion 2): one result for the OS packages
//! and one per language and path, `Results[].Vulnerabilities[]` with Trivy's capitalised keys.
//! Suppressed findings go to `ExperimentalModifiedFindings`, as Trivy's `--show-suppressed`.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use warden_core::Finding;

use super::{advisory_url, pkg_path, rfc3339, to_json, trivy_lang, Report};
use crate::error::ScanError;
use crate::policy::{status_name, EvaluatedFinding, SuppressedBy};
use crate::report::{RenderOptions, ScanReport};

pub(super) struct TrivyJson;

fn vuln(f: &Finding) -> Value {
    let v = &f.vulnerability;
    let mut o = Map::new();
    o.insert("VulnerabilityID".into(), json!(v.id));
    if !v.aliases.is_empty() {
        o.insert("VendorIDs".into(), json!(v.aliases));
    }
    o.insert(
        "PkgID".into(),
        json!(format!("{}@{}", f.package.name, f.installed_version)),
    );
    o.insert("PkgName".into(), json!(f.package.name));
    if !f.package.ecosystem.is_os() {
        if let Some(p) = pkg_path(f) {
            o.insert("PkgPath".into(), json!(p.trim_start_matches('/')));
        }
    }
    o.insert(
        "PkgIdentifier".into(),
        json!({"PURL": f.package.purl, "UID": f.package.id}),
    );
    o.insert("InstalledVersion".into(), json!(f.installed_version));
    if !f.fixed_versions.is_empty() {
        o.insert("FixedVersion".into(), json!(f.fixed_versions.join(", ")));
    }
    o.insert("Status".into(), json!(status_name(f.status)));
    if let Some(layer) = f.package.locations.iter().find_map(|l| l.layer.as_ref()) {
        o.insert("Layer".into(), json!({"DiffID": layer}));
    }
    if !v.severity_source.is_empty() {
        o.insert("SeveritySource".into(), json!(v.severity_source));
    }
    o.insert("PrimaryURL".into(), json!(advisory_url(f)));
    if let Some(src) = v.sources.first() {
        o.insert("DataSource".into(), json!({"ID": src, "Name": src}));
    }
    if !v.title.is_empty() {
        o.insert("Title".into(), json!(v.title));
    }
    if !v.description.is_empty() {
        o.insert("Description".into(), json!(v.description));
    }
    o.insert("Severity".into(), json!(trivy_severity(v.severity)));
    if !v.cwes.is_empty() {
        o.insert("CweIDs".into(), json!(v.cwes));
    }
    if !v.cvss.is_empty() {
        let mut by_src: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
        for c in &v.cvss {
            let e = by_src.entry(c.source.as_str()).or_default();
            let (vk, sk) = if c.vector.starts_with("CVSS:4") {
                ("V40Vector", "V40Score")
            } else if c.vector.starts_with("CVSS:3") {
                ("V3Vector", "V3Score")
            } else {
                ("V2Vector", "V2Score")
            };
            e.insert(vk.into(), json!(c.vector));
            e.insert(sk.into(), json!(c.score));
        }
        o.insert("CVSS".into(), json!(by_src));
    }
    if !v.references.is_empty() {
        o.insert("References".into(), json!(v.references));
    }
    if let Some(p) = &v.published {
        o.insert("PublishedDate".into(), json!(p));
    }
    Value::Object(o)
}

/// Trivy has no NEGLIGIBLE; it folds it into LOW as its Debian mapping does.
fn trivy_severity(s: warden_core::Severity) -> &'static str {
    match s {
        warden_core::Severity::Negligible => "LOW",
        other => other.as_str(),
    }
}

fn modified(e: &EvaluatedFinding) -> Option<Value> {
    let s = e.suppressed.as_ref()?;
    let status = match (s.by, s.vex_status) {
        (SuppressedBy::Openvex, Some(v)) => v.as_str(),
        _ => "ignored",
    };
    Some(json!({
        "Type": "vulnerability",
        "Status": status,
        "Statement": s.reason.clone().or_else(|| s.vex_justification.clone()).unwrap_or_default(),
        "Source": s.rule,
        "Finding": vuln(&e.finding),
    }))
}

/// One Trivy result: a target with its class, type and findings.
struct Group<'a> {
    target: String,
    class: &'static str,
    ty: &'static str,
    items: Vec<&'a EvaluatedFinding>,
}

impl Report for TrivyJson {
    fn render(&self, r: &ScanReport, opts: &RenderOptions) -> Result<Vec<u8>, ScanError> {
        let target = r.target_name();
        // Results keyed for a stable order: OS first, then languages by label.
        let mut groups: BTreeMap<(u8, String), Group> = BTreeMap::new();
        for e in &r.findings {
            let f = &e.finding;
            let key = if f.package.ecosystem.is_os() {
                let os = r.inventory.os.as_ref();
                let t = match os {
                    Some(o) => format!("{target} ({} {})", o.id, o.version_id),
                    None => target.clone(),
                };
                let ty = os
                    .map(|o| o.id.clone())
                    .unwrap_or_else(|| f.package.ecosystem.purl_type().to_string());
                (
                    (0, String::new()),
                    Group {
                        target: t,
                        class: "os-pkgs",
                        ty: leak_type(&ty),
                        items: Vec::new(),
                    },
                )
            } else {
                let (label, ty) = trivy_lang(f.package.ecosystem);
                (
                    (1, label.to_string()),
                    Group {
                        target: label.to_string(),
                        class: "lang-pkgs",
                        ty,
                        items: Vec::new(),
                    },
                )
            };
            groups.entry(key.0).or_insert(key.1).items.push(e);
        }
        let mut results = Vec::new();
        for Group {
            target: t,
            class,
            ty,
            items,
        } in groups.into_values()
        {
            let vulns: Vec<Value> = items
                .iter()
                .filter(|e| e.is_active())
                .map(|e| vuln(&e.finding))
                .collect();
            let modified: Vec<Value> = items.iter().filter_map(|e| modified(e)).collect();
            let mut o = Map::new();
            o.insert("Target".into(), json!(t));
            o.insert("Class".into(), json!(class));
            o.insert("Type".into(), json!(ty));
            if !vulns.is_empty() {
                o.insert("Vulnerabilities".into(), Value::Array(vulns));
            }
            if !modified.is_empty() {
                o.insert(
                    "ExperimentalModifiedFindings".into(),
                    Value::Array(modified),
                );
            }
            results.push(Value::Object(o));
        }
        let mut meta = Map::new();
        if let Some(os) = &r.inventory.os {
            meta.insert("OS".into(), json!({"Family": os.id, "Name": os.version_id}));
        }
        let artifact_type = if let Some(img) = &r.inventory.image {
            meta.insert("ImageID".into(), json!(img.id));
            meta.insert(
                "DiffIDs".into(),
                json!(img.layers.iter().map(|l| &l.diff_id).collect::<Vec<_>>()),
            );
            meta.insert("RepoTags".into(), json!(img.repo_tags));
            meta.insert("RepoDigests".into(), json!(img.repo_digests));
            "container_image"
        } else {
            "filesystem"
        };
        let doc = json!({
            "SchemaVersion": 2,
            "CreatedAt": rfc3339(opts),
            "ArtifactName": target,
            "ArtifactType": artifact_type,
            "Metadata": meta,
            "Results": results,
        });
        to_json("trivy-json", &doc)
    }
}

/// Trivy's OS result types are distro IDs; map the ones warden knows to static names.
fn leak_type(id: &str) -> &'static str {
    const KNOWN: &[&str] = &[
        "alpine",
        "debian",
        "ubuntu",
        "redhat",
        "centos",
        "rocky",
        "alma",
        "amazon",
        "oracle",
        "photon",
        "wolfi",
        "chainguard",
        "suse",
        "opensuse",
        "fedora",
        "azurelinux",
        "cbl-mariner",
        "deb",
        "apk",
        "rpm",
    ];
    let id = match id {
        "rhel" => "redhat",
        "almalinux" => "alma",
        "ol" => "oracle",
        "amzn" => "amazon",
        "sles" | "sle-micro" => "suse",
        "opensuse-leap" | "opensuse-tumbleweed" => "opensuse",
        other => other,
    };
    KNOWN
        .iter()
        .find(|k| **k == id)
        .copied()
        .unwrap_or("unknown")
}
