//! `--merge REPORT.json`: Trivy (`Results[].Vulnerabilities[]`) and Grype (`matches[]`) JSON
//! reports read into [`Finding`]s with [`MatchType::Imported`], and [`merge_findings`], which
//! folds findings of one vulnerability (by ID or alias) in one package into one finding that
//! lists every source.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;
use warden_core::{
    Cvss, Ecosystem, Finding, FixStatus, Location, MatchType, Package, Severity, Vulnerability,
};

use crate::error::{read_text, ScanError};
use crate::util::Purl;

/// Which scanner wrote a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// `trivy ... -f json`.
    Trivy,
    /// `grype ... -o json`.
    Grype,
}

/// Reads a Trivy or Grype JSON report from a file, detecting which it is.
pub fn read_report(path: &Path) -> Result<Vec<Finding>, ScanError> {
    let text = read_text(path)?;
    parse_report(&path.display().to_string(), &text)
}

/// Parses a Trivy or Grype JSON report; `file` names it in errors.
pub fn parse_report(file: &str, text: &str) -> Result<Vec<Finding>, ScanError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| ScanError::from_json(file, &e))?;
    match detect(&doc) {
        Some(ReportKind::Trivy) => trivy(file, doc),
        Some(ReportKind::Grype) => grype(file, doc),
        None => Err(ScanError::Unsupported {
            file: file.to_string(),
            message: "neither a Trivy JSON report (SchemaVersion, Results) nor a Grype JSON report (matches)".into(),
        }),
    }
}

/// Tells a Trivy report from a Grype one by their top-level keys.
pub fn detect(doc: &Value) -> Option<ReportKind> {
    if doc.get("SchemaVersion").is_some()
        || doc.get("Results").is_some()
        || doc.get("ArtifactName").is_some()
    {
        Some(ReportKind::Trivy)
    } else if doc.get("matches").is_some_and(Value::is_array) {
        Some(ReportKind::Grype)
    } else {
        None
    }
}

fn field_err(file: &str, path: String, e: &serde_json::Error) -> ScanError {
    ScanError::syntax(file, 0, format!("{path}: {e}"))
}

// ---------------------------------------------------------------- Trivy

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct TResult {
    target: String,
    class: String,
    #[serde(rename = "Type")]
    ty: String,
    vulnerabilities: Vec<TVuln>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct TVuln {
    #[serde(rename = "VulnerabilityID")]
    vulnerability_id: String,
    #[serde(rename = "VendorIDs")]
    vendor_ids: Vec<String>,
    pkg_name: String,
    pkg_path: String,
    pkg_identifier: TPkgId,
    installed_version: String,
    fixed_version: String,
    status: String,
    layer: TLayer,
    severity_source: String,
    #[serde(rename = "PrimaryURL")]
    primary_url: String,
    data_source: TDataSource,
    title: String,
    description: String,
    severity: String,
    #[serde(rename = "CweIDs")]
    cwe_ids: Vec<String>,
    #[serde(rename = "CVSS")]
    cvss: BTreeMap<String, TCvss>,
    references: Vec<String>,
    published_date: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TPkgId {
    #[serde(rename = "PURL")]
    purl: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct TLayer {
    #[serde(rename = "DiffID")]
    diff_id: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct TDataSource {
    #[serde(rename = "ID")]
    id: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct TCvss {
    v2_vector: String,
    v3_vector: String,
    v40_vector: String,
    v2_score: f64,
    v3_score: f64,
    v40_score: f64,
}

/// Trivy's result `Type` for OS results is the distro; language results name the analyzer.
fn trivy_ecosystem(ty: &str, class: &str) -> Ecosystem {
    match ty {
        "debian" | "ubuntu" | "echo" => Ecosystem::Deb,
        "alpine" | "wolfi" | "chainguard" | "minimos" => Ecosystem::Apk,
        "jar" | "pom" | "gradle" | "sbt" => Ecosystem::Maven,
        "gobinary" | "gomod" => Ecosystem::Golang,
        "cargo" | "rustbinary" => Ecosystem::Cargo,
        "npm" | "node-pkg" | "yarn" | "pnpm" | "bun" => Ecosystem::Npm,
        "python-pkg" | "pip" | "pipenv" | "poetry" | "uv" | "pylock" => Ecosystem::Pypi,
        "gemspec" | "bundler" => Ecosystem::Gem,
        "composer" | "composer-vendor" => Ecosystem::Composer,
        "nuget" | "dotnet-core" | "packages-props" => Ecosystem::Nuget,
        _ if class == "os-pkgs" => Ecosystem::Rpm,
        _ => Ecosystem::Generic,
    }
}

fn trivy_status(s: &str, has_fix: bool) -> FixStatus {
    match s {
        "fixed" => FixStatus::Fixed,
        "affected" => FixStatus::Affected,
        "will_not_fix" | "end_of_life" => FixStatus::WillNotFix,
        "fix_deferred" => FixStatus::FixDeferred,
        "" if has_fix => FixStatus::Fixed,
        "" => FixStatus::Affected,
        _ => FixStatus::Unknown,
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

fn trivy(file: &str, doc: Value) -> Result<Vec<Finding>, ScanError> {
    let results = match doc.get("Results") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(ScanError::syntax(file, 0, "Results: not an array")),
    };
    let mut out = Vec::new();
    for (ri, r) in results.iter().enumerate() {
        let res: TResult = serde_json::from_value(r.clone())
            .map_err(|e| field_err(file, format!("Results[{ri}]"), &e))?;
        for (vi, v) in res.vulnerabilities.into_iter().enumerate() {
            if v.vulnerability_id.is_empty() || v.pkg_name.is_empty() {
                return Err(ScanError::syntax(
                    file,
                    0,
                    format!("Results[{ri}].Vulnerabilities[{vi}]: VulnerabilityID and PkgName are required"),
                ));
            }
            let eco = ecosystem_of(&v.pkg_identifier.purl)
                .unwrap_or_else(|| trivy_ecosystem(&res.ty, &res.class));
            let mut pkg = Package::new(eco, &v.pkg_name, &v.installed_version);
            if !v.pkg_identifier.purl.is_empty() {
                pkg.purl = v.pkg_identifier.purl.clone();
            }
            let path = if !v.pkg_path.is_empty() {
                Some(format!("/{}", v.pkg_path.trim_start_matches('/')))
            } else if res.class == "lang-pkgs" && !res.target.is_empty() && res.target.contains('/')
            {
                Some(format!("/{}", res.target.trim_start_matches('/')))
            } else {
                None
            };
            let layer = Some(v.layer.diff_id.clone()).filter(|d| !d.is_empty());
            if path.is_some() || layer.is_some() {
                pkg.locations.push(Location {
                    path: path.unwrap_or_default(),
                    layer,
                });
            }
            pkg.found_by = "trivy".into();
            pkg.id = pkg.compute_id();
            let mut cvss = Vec::new();
            for (src, c) in &v.cvss {
                for (vec, score) in [
                    (&c.v40_vector, c.v40_score),
                    (&c.v3_vector, c.v3_score),
                    (&c.v2_vector, c.v2_score),
                ] {
                    if !vec.is_empty() {
                        cvss.push(Cvss {
                            source: src.clone(),
                            vector: vec.clone(),
                            score,
                        });
                    }
                }
            }
            let severity = v.severity.parse::<Severity>().unwrap_or_default();
            let fixed: Vec<String> = v
                .fixed_version
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            let source = if v.data_source.id.is_empty() {
                "trivy".to_string()
            } else {
                format!("trivy:{}", v.data_source.id)
            };
            let mut references = v.references;
            if !v.primary_url.is_empty() {
                references.insert(0, v.primary_url);
            }
            let mut matched_by = vec![format!("trivy:{}", v.vulnerability_id)];
            matched_by.extend(v.vendor_ids.iter().map(|id| format!("trivy:{id}")));
            out.push(Finding {
                vulnerability: Vulnerability {
                    id: v.vulnerability_id.clone(),
                    aliases: sorted(
                        v.vendor_ids
                            .into_iter()
                            .filter(|a| *a != v.vulnerability_id)
                            .collect(),
                    ),
                    title: v.title,
                    description: v.description,
                    severity,
                    severity_source: v.severity_source,
                    cvss,
                    references: dedup_keep_order(references),
                    cwes: sorted(v.cwe_ids),
                    kev: false,
                    epss: None,
                    published: v.published_date,
                    sources: vec![source],
                    withdrawn: false,
                },
                package: pkg,
                installed_version: v.installed_version,
                status: trivy_status(&v.status, !fixed.is_empty()),
                fixed_versions: fixed,
                match_type: MatchType::Imported,
                matched_by: sorted(matched_by),
            });
        }
    }
    Ok(out)
}

fn dedup_keep_order(v: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    v.into_iter().filter(|x| seen.insert(x.clone())).collect()
}

fn ecosystem_of(purl: &str) -> Option<Ecosystem> {
    Purl::parse(purl).and_then(|p| p.ty.parse().ok())
}

// ---------------------------------------------------------------- Grype

#[derive(Deserialize, Default)]
#[serde(default)]
struct GMatch {
    vulnerability: GVuln,
    #[serde(rename = "relatedVulnerabilities")]
    related: Vec<GVuln>,
    #[serde(rename = "matchDetails")]
    match_details: Vec<GDetail>,
    artifact: GArtifact,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct GVuln {
    id: String,
    #[serde(rename = "dataSource")]
    data_source: String,
    namespace: String,
    severity: String,
    urls: Vec<String>,
    description: String,
    cvss: Vec<GCvss>,
    #[serde(rename = "knownExploited")]
    known_exploited: Vec<Value>,
    epss: Vec<GEpss>,
    cwes: Vec<GCwe>,
    fix: GFix,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct GCvss {
    source: String,
    vector: String,
    metrics: GMetrics,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct GMetrics {
    #[serde(rename = "baseScore")]
    base_score: f64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct GEpss {
    epss: f64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct GCwe {
    cwe: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct GFix {
    versions: Vec<String>,
    state: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct GDetail {
    #[serde(rename = "type")]
    ty: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct GArtifact {
    name: String,
    version: String,
    #[serde(rename = "type")]
    ty: String,
    locations: Vec<GLocation>,
    purl: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct GLocation {
    path: String,
    #[serde(rename = "layerID")]
    layer_id: String,
}

/// Syft package types to ecosystems.
fn grype_ecosystem(ty: &str) -> Ecosystem {
    match ty {
        "deb" => Ecosystem::Deb,
        "apk" => Ecosystem::Apk,
        "rpm" => Ecosystem::Rpm,
        "python" => Ecosystem::Pypi,
        "npm" => Ecosystem::Npm,
        "java-archive" | "jenkins-plugin" => Ecosystem::Maven,
        "go-module" => Ecosystem::Golang,
        "rust-crate" => Ecosystem::Cargo,
        "gem" => Ecosystem::Gem,
        "php-composer" => Ecosystem::Composer,
        "dotnet" => Ecosystem::Nuget,
        _ => Ecosystem::Generic,
    }
}

fn grype(file: &str, doc: Value) -> Result<Vec<Finding>, ScanError> {
    let matches = doc
        .get("matches")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for (i, m) in matches.into_iter().enumerate() {
        let m: GMatch =
            serde_json::from_value(m).map_err(|e| field_err(file, format!("matches[{i}]"), &e))?;
        let (v, a) = (m.vulnerability, m.artifact);
        if v.id.is_empty() || a.name.is_empty() {
            return Err(ScanError::syntax(
                file,
                0,
                format!("matches[{i}]: vulnerability.id and artifact.name are required"),
            ));
        }
        let eco = ecosystem_of(&a.purl).unwrap_or_else(|| grype_ecosystem(&a.ty));
        let mut pkg = Package::new(eco, &a.name, &a.version);
        if !a.purl.is_empty() {
            pkg.purl = a.purl.clone();
        }
        for l in &a.locations {
            pkg.locations.push(Location {
                path: l.path.clone(),
                layer: Some(l.layer_id.clone()).filter(|s| !s.is_empty()),
            });
        }
        pkg.locations.sort();
        pkg.locations.dedup();
        pkg.found_by = "grype".into();
        pkg.id = pkg.compute_id();
        let aliases = sorted(
            m.related
                .iter()
                .map(|r| r.id.clone())
                .filter(|id| *id != v.id && !id.is_empty())
                .collect(),
        );
        let mut cvss = Vec::new();
        let mut cwes = Vec::new();
        let mut kev = !v.known_exploited.is_empty();
        let mut epss = v
            .epss
            .iter()
            .map(|e| e.epss)
            .fold(None, |a: Option<f64>, x| Some(a.map_or(x, |a| a.max(x))));
        let mut references = v.urls.clone();
        if !v.data_source.is_empty() {
            references.insert(0, v.data_source.clone());
        }
        let mut description = v.description.clone();
        for src in std::iter::once(&v).chain(m.related.iter()) {
            for c in &src.cvss {
                if !c.vector.is_empty() {
                    let who = if c.source.is_empty() {
                        src.namespace.clone()
                    } else {
                        c.source.clone()
                    };
                    cvss.push(Cvss {
                        source: who,
                        vector: c.vector.clone(),
                        score: c.metrics.base_score,
                    });
                }
            }
            cwes.extend(src.cwes.iter().map(|c| c.cwe.clone()));
            kev |= !src.known_exploited.is_empty();
            for e in &src.epss {
                epss = Some(epss.map_or(e.epss, |x: f64| x.max(e.epss)));
            }
            references.extend(src.urls.iter().cloned());
            if description.is_empty() {
                description = src.description.clone();
            }
        }
        let status = match v.fix.state.as_str() {
            "fixed" => FixStatus::Fixed,
            "not-fixed" => FixStatus::Affected,
            "wont-fix" => FixStatus::WillNotFix,
            _ => FixStatus::Unknown,
        };
        let source = if v.namespace.is_empty() {
            "grype".to_string()
        } else {
            format!("grype:{}", v.namespace)
        };
        let mut matched_by: Vec<String> = vec![format!("grype:{}", v.id)];
        matched_by.extend(
            m.match_details
                .iter()
                .filter(|d| !d.ty.is_empty())
                .map(|d| format!("grype:{}", d.ty)),
        );
        let severity_source = v.namespace.clone();
        out.push(Finding {
            vulnerability: Vulnerability {
                id: v.id.clone(),
                aliases,
                title: String::new(),
                description,
                severity: v.severity.parse::<Severity>().unwrap_or_default(),
                severity_source,
                cvss,
                references: dedup_keep_order(references),
                cwes: sorted(cwes),
                kev,
                epss,
                published: None,
                sources: vec![source],
                withdrawn: false,
            },
            package: pkg,
            installed_version: a.version,
            fixed_versions: v.fix.versions,
            status,
            match_type: MatchType::Imported,
            matched_by: sorted(matched_by),
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------- merging

/// The preferred primary ID among aliases: a CVE, then a GHSA, then the smallest.
fn primary(ids: &BTreeSet<String>) -> String {
    ids.iter()
        .find(|i| i.starts_with("CVE-"))
        .or_else(|| ids.iter().find(|i| i.starts_with("GHSA-")))
        .or_else(|| ids.iter().next())
        .cloned()
        .unwrap_or_default()
}

/// Packages are the same when their purls name the same package (scanners spell Maven names
/// differently) and the installed versions are equal; names are the fallback without a purl.
fn package_key(f: &Finding) -> (Ecosystem, String, String) {
    let name = match Purl::parse(&f.package.purl) {
        Some(p) => format!("{}/{}", p.namespace, p.name),
        None => f.package.name.clone(),
    };
    let name = match f.package.ecosystem {
        Ecosystem::Pypi => name.to_ascii_lowercase().replace(['_', '.'], "-"),
        Ecosystem::Npm | Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Golang => {
            name.to_ascii_lowercase()
        }
        _ => name,
    };
    (f.package.ecosystem, name, f.installed_version.clone())
}

/// Folds findings of the same vulnerability (same ID or sharing an alias) in the same package
/// (ecosystem, name, installed version) into one finding that lists every source, location and
/// fixed version. Severity keeps the most severe rating and names its source; CVSS scores from
/// every source are kept, so disagreements stay visible. Output is sorted.
pub fn merge_findings(findings: Vec<Finding>) -> Vec<Finding> {
    let mut by_pkg: BTreeMap<(Ecosystem, String, String), Vec<Finding>> = BTreeMap::new();
    for f in findings {
        by_pkg.entry(package_key(&f)).or_default().push(f);
    }
    let mut out = Vec::new();
    for (_, group) in by_pkg {
        // Union-find over the group: two findings join when their ID sets intersect.
        let n = group.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(p: &mut [usize], mut i: usize) -> usize {
            while p[i] != i {
                p[i] = p[p[i]];
                i = p[i];
            }
            i
        }
        let mut owner: BTreeMap<String, usize> = BTreeMap::new();
        for (i, f) in group.iter().enumerate() {
            for id in std::iter::once(&f.vulnerability.id).chain(&f.vulnerability.aliases) {
                let key = id.to_ascii_uppercase();
                match owner.get(&key) {
                    Some(&j) => {
                        let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                        parent[a.max(b)] = a.min(b);
                    }
                    None => {
                        owner.insert(key, i);
                    }
                }
            }
        }
        let mut sets: BTreeMap<usize, Vec<Finding>> = BTreeMap::new();
        for (i, f) in group.into_iter().enumerate() {
            let r = root(&mut parent, i);
            sets.entry(r).or_default().push(f);
        }
        out.extend(sets.into_values().map(fold));
    }
    out.sort_by(|a, b| {
        (
            a.package.ecosystem,
            &a.package.name,
            &a.installed_version,
            &a.vulnerability.id,
        )
            .cmp(&(
                b.package.ecosystem,
                &b.package.name,
                &b.installed_version,
                &b.vulnerability.id,
            ))
    });
    out
}

fn fold(mut set: Vec<Finding>) -> Finding {
    // The first record's package is kept: native matches (with catalog metadata) first, then
    // the fullest name (Maven `group:artifact`), then by source, so input order never matters.
    set.sort_by(|a, b| {
        (
            a.match_type == MatchType::Imported,
            std::cmp::Reverse(a.package.name.len()),
            &a.vulnerability.sources,
            &a.vulnerability.id,
        )
            .cmp(&(
                b.match_type == MatchType::Imported,
                std::cmp::Reverse(b.package.name.len()),
                &b.vulnerability.sources,
                &b.vulnerability.id,
            ))
    });
    let mut it = set.into_iter();
    let Some(mut acc) = it.next() else {
        return Finding {
            vulnerability: Vulnerability::default(),
            package: Package::new(Ecosystem::Generic, "", ""),
            installed_version: String::new(),
            fixed_versions: Vec::new(),
            status: FixStatus::Unknown,
            match_type: MatchType::Imported,
            matched_by: Vec::new(),
        };
    };
    let mut ids: BTreeSet<String> = std::iter::once(acc.vulnerability.id.clone())
        .chain(acc.vulnerability.aliases.iter().cloned())
        .collect();
    for f in it {
        let v = f.vulnerability;
        ids.insert(v.id);
        ids.extend(v.aliases);
        let a = &mut acc.vulnerability;
        if v.severity > a.severity {
            a.severity = v.severity;
            a.severity_source = v.severity_source;
        }
        if a.title.is_empty() {
            a.title = v.title;
        }
        if a.description.is_empty() {
            a.description = v.description;
        }
        for c in v.cvss {
            if !a
                .cvss
                .iter()
                .any(|x| x.source == c.source && x.vector == c.vector)
            {
                a.cvss.push(c);
            }
        }
        a.references.extend(v.references);
        a.cwes.extend(v.cwes);
        a.kev |= v.kev;
        a.epss = match (a.epss, v.epss) {
            (Some(x), Some(y)) => Some(x.max(y)),
            (x, y) => x.or(y),
        };
        if a.published.is_none() {
            a.published = v.published;
        }
        a.sources.extend(v.sources);
        a.withdrawn &= v.withdrawn;
        for l in f.package.locations {
            if !acc.package.locations.contains(&l) {
                acc.package.locations.push(l);
            }
        }
        acc.fixed_versions.extend(f.fixed_versions);
        acc.matched_by.extend(f.matched_by);
        if f.status == FixStatus::Fixed || (acc.status != FixStatus::Fixed && f.status < acc.status)
        {
            acc.status = f.status;
        }
    }
    let v = &mut acc.vulnerability;
    v.id = primary(&ids);
    v.aliases = ids.into_iter().filter(|i| *i != v.id).collect();
    v.references = dedup_keep_order(std::mem::take(&mut v.references));
    v.cwes = sorted(std::mem::take(&mut v.cwes));
    v.sources = sorted(std::mem::take(&mut v.sources));
    v.cvss
        .sort_by(|x, y| (&x.source, &x.vector).cmp(&(&y.source, &y.vector)));
    acc.package.locations.sort();
    acc.fixed_versions = dedup_keep_order(std::mem::take(&mut acc.fixed_versions));
    acc.matched_by = sorted(std::mem::take(&mut acc.matched_by));
    if !acc.fixed_versions.is_empty() && acc.status != FixStatus::Fixed {
        acc.status = FixStatus::Fixed;
    }
    acc
}
