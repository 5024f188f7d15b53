//! Reading Trivy and Grype JSON reports and merging their findings.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use warden_core::{Ecosystem, FixStatus, MatchType, Severity};
use warden_scan::{merge_findings, parse_report, ScanError};

#[test]
fn trivy_report_fields_are_kept() {
    let f = trivy_findings();
    assert_eq!(f.len(), 4);
    assert!(f.iter().all(|x| x.match_type == MatchType::Imported));
    let log4j = f
        .iter()
        .find(|x| x.vulnerability.id == "CVE-2021-44228")
        .unwrap();
    assert_eq!(log4j.package.ecosystem, Ecosystem::Maven);
    assert_eq!(
        log4j.package.purl,
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
    );
    assert_eq!(log4j.fixed_versions, ["2.15.0", "2.3.1", "2.12.2"]);
    assert_eq!(
        log4j.package.locations[0].path,
        "/app/app.jar/BOOT-INF/lib/log4j-core-2.14.1.jar"
    );
    assert_eq!(
        log4j.package.locations[0].layer.as_deref(),
        Some("sha256:68a08998aef50bd5912b65a2b2e220039e71d368917ba6242d34d88db2429c27")
    );
    assert_eq!(log4j.vulnerability.sources, ["trivy:ghsa"]);
    let yaml = f
        .iter()
        .find(|x| x.vulnerability.id == "CVE-2020-14343")
        .unwrap();
    assert_eq!(
        yaml.vulnerability.cvss.len(),
        3,
        "ghsa v3, nvd v3 and nvd v2 are all kept"
    );
    let zlib = f.iter().find(|x| x.package.name == "zlib1g").unwrap();
    assert_eq!(
        (zlib.status, zlib.package.ecosystem),
        (FixStatus::WillNotFix, Ecosystem::Deb)
    );
    assert!(zlib.fixed_versions.is_empty());
    assert_eq!(zlib.installed_version, "1:1.2.13.dfsg-1");
}

#[test]
fn grype_report_fields_are_kept() {
    let f = grype_findings();
    assert_eq!(f.len(), 4);
    let log4j = f
        .iter()
        .find(|x| x.vulnerability.id == "GHSA-jfh8-c2jp-5v3q")
        .unwrap();
    assert!(log4j.vulnerability.kev);
    assert_eq!(log4j.vulnerability.epss, Some(0.99999));
    assert_eq!(log4j.vulnerability.aliases, ["CVE-2021-44228"]);
    assert_eq!(log4j.vulnerability.cwes, ["CWE-917"]);
    assert!(log4j
        .matched_by
        .contains(&"grype:exact-direct-match".to_string()));
    let zlib = f.iter().find(|x| x.package.name == "zlib1g").unwrap();
    assert_eq!(zlib.vulnerability.severity, Severity::Negligible);
    assert_eq!(zlib.status, FixStatus::WillNotFix);
    assert_eq!(
        zlib.vulnerability.cvss[0].score, 9.8,
        "NVD score from relatedVulnerabilities"
    );
}

#[test]
fn same_vulnerability_from_both_scanners_is_one_finding_with_both_sources() {
    let m = merged();
    let ids: Vec<(&str, &str)> = m
        .iter()
        .map(|f| (f.package.name.as_str(), f.vulnerability.id.as_str()))
        .collect();
    assert_eq!(
        ids,
        [
            ("libc6", "CVE-2024-2961"),
            ("zlib1g", "CVE-2023-45853"),
            ("PyYAML", "CVE-2020-14343"),
            ("lodash", "CVE-2020-8203"),
            ("org.apache.logging.log4j:log4j-core", "CVE-2021-44228"),
        ]
    );
    let log4j = &m[4];
    assert_eq!(log4j.vulnerability.aliases, ["GHSA-jfh8-c2jp-5v3q"]);
    assert_eq!(
        log4j.vulnerability.sources,
        ["grype:github:language:java", "trivy:ghsa"]
    );
    assert!(log4j.vulnerability.kev, "KEV from Grype survives the merge");
    assert_eq!(
        log4j.package.locations.len(),
        2,
        "both scanners' evidence paths are kept"
    );
    assert_eq!(log4j.fixed_versions, ["2.15.0", "2.3.1", "2.12.2"]);
    // Debian says negligible, Trivy critical: the merged finding keeps the most severe and both sources.
    let zlib = &m[1];
    assert_eq!(zlib.vulnerability.severity, Severity::Critical);
    assert_eq!(
        zlib.vulnerability.sources,
        ["grype:debian:distro:debian:12", "trivy:debian"]
    );
    // lodash came from Grype alone; its primary ID becomes the CVE alias.
    assert_eq!(m[3].vulnerability.aliases, ["GHSA-p6mc-m468-83gw"]);
}

#[test]
fn merging_is_order_independent() {
    let mut a = grype_findings();
    a.extend(trivy_findings());
    let mut b = trivy_findings();
    b.reverse();
    b.extend(grype_findings());
    let (a, b) = (merge_findings(a), merge_findings(b));
    let ser = |v: &Vec<warden_core::Finding>| -> Vec<(String, Vec<String>, Vec<String>, Severity)> {
        v.iter()
            .map(|f| {
                (
                    f.vulnerability.id.clone(),
                    f.vulnerability.aliases.clone(),
                    f.vulnerability.sources.clone(),
                    f.vulnerability.severity,
                )
            })
            .collect()
    };
    assert_eq!(ser(&a), ser(&b));
}

#[test]
fn bad_reports_are_named() {
    let e = parse_report("r.json", "{\"bogus\": 1}").unwrap_err();
    assert!(matches!(e, ScanError::Unsupported { .. }), "{e}");
    let e = parse_report("r.json", "{\n  \"matches\": [\n    {,}\n  ]\n}")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("r.json:3:"), "{e}");
    let e = parse_report(
        "r.json",
        r#"{"SchemaVersion":2,"Results":[{"Target":"x","Vulnerabilities":[{"PkgName":"a"}]}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("Results[0].Vulnerabilities[0]") && e.contains("VulnerabilityID"),
        "{e}"
    );
    let e = parse_report(
        "r.json",
        r#"{"matches":[{"vulnerability":{"id":"CVE-1","cvss":"oops"},"artifact":{"name":"a"}}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("matches[0]"), "{e}");
    let e = warden_scan::read_report(std::path::Path::new("/nonexistent/report.json"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("/nonexistent/report.json"), "{e}");
}
