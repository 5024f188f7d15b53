//! The gate, ignore files, expiry and VEX, on the merged Trivy+Grype fixture findings.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use warden_core::Severity;
use warden_scan::{parse_severity_list, Evaluation, Policy, SuppressedBy, VexStatus};

fn by<'a>(e: &'a Evaluation, id: &str) -> &'a warden_scan::EvaluatedFinding {
    e.findings
        .iter()
        .find(|f| f.finding.vulnerability.id == id)
        .unwrap()
}

#[test]
fn trivy_style_gate_counts_only_the_listed_severities() {
    let p = Policy::builder()
        .severities(&parse_severity_list("CRITICAL").unwrap())
        .exit_code(1)
        .build()
        .unwrap();
    let e = p.evaluate(merged(), TODAY);
    assert!(e.gate.failed);
    assert_eq!((e.gate.exit_code, e.gate.blocking), (1, 3));
    // The HIGH findings stay in the output, marked as filtered by --severity.
    let libc = by(&e, "CVE-2024-2961");
    assert_eq!(
        libc.suppressed.as_ref().map(|s| s.by),
        Some(SuppressedBy::SeverityFilter)
    );
    assert_eq!(e.findings.len(), 5);

    let p = Policy::builder()
        .severities(&[Severity::Critical])
        .build()
        .unwrap();
    let e = p.evaluate(merged(), TODAY);
    assert!(
        !e.gate.failed,
        "no --exit-code means the gate never fails: {}",
        e.gate.reason
    );
    assert_eq!(e.gate.exit_code, 0);
}

#[test]
fn grype_style_fail_on_exits_2() {
    let p = Policy::builder().fail_on(Severity::High).build().unwrap();
    let e = p.evaluate(merged(), TODAY);
    assert_eq!(
        (e.gate.failed, e.gate.exit_code, e.gate.blocking),
        (true, 2, 5)
    );
    let e = p.evaluate(Vec::new(), TODAY);
    assert_eq!((e.gate.failed, e.gate.exit_code), (false, 0));
}

#[test]
fn ignore_unfixed_suppresses_findings_without_a_fix() {
    let p = Policy::builder()
        .ignore_unfixed(true)
        .fail_on(Severity::Critical)
        .build()
        .unwrap();
    let e = p.evaluate(merged(), TODAY);
    let zlib = by(&e, "CVE-2023-45853");
    assert_eq!(
        zlib.suppressed.as_ref().map(|s| s.by),
        Some(SuppressedBy::IgnoreUnfixed)
    );
    assert_eq!(e.gate.blocking, 2, "PyYAML and log4j remain");
}

#[test]
fn trivyignore_with_expiry() {
    let p = Policy::builder()
        .ignore_file(fixture("policy/.trivyignore"))
        .fail_on(Severity::High)
        .build()
        .unwrap();
    let e = p.evaluate(merged(), TODAY);
    let zlib = by(&e, "CVE-2023-45853").suppressed.clone().unwrap();
    assert_eq!(zlib.by, SuppressedBy::TrivyIgnore);
    assert!(zlib.rule.ends_with(".trivyignore:2"), "{}", zlib.rule);
    assert_eq!(
        zlib.reason.as_deref(),
        Some("zlib's MiniZip is not built into this image")
    );
    // The glibc entry expired on 2026-01-01: it no longer suppresses and is reported.
    assert!(by(&e, "CVE-2024-2961").is_active());
    assert_eq!(e.expired.len(), 1);
    assert_eq!(
        (
            e.expired[0].id.as_str(),
            e.expired[0].expired_on.as_str(),
            e.expired[0].would_match
        ),
        ("CVE-2024-2961", "2026-01-01", 1)
    );
    assert!(e
        .warnings
        .iter()
        .any(|w| w.contains("CVE-2024-2961") && w.contains("expired on 2026-01-01")));
    // The day before expiry it still suppressed.
    let e = p.evaluate(merged(), time::macros::date!(2025 - 12 - 31));
    assert!(!by(&e, "CVE-2024-2961").is_active());
    assert!(e.expired.is_empty());
}

#[test]
fn trivyignore_yaml_scopes_by_path_and_purl() {
    let p = Policy::builder()
        .ignore_file(fixture("policy/.trivyignore.yaml"))
        .build()
        .unwrap();
    let e = p.evaluate(merged(), TODAY);
    let yaml = by(&e, "CVE-2020-14343").suppressed.clone().unwrap();
    assert_eq!(
        (yaml.by, yaml.reason.as_deref()),
        (
            SuppressedBy::TrivyIgnoreYaml,
            Some("only yaml.safe_load is used")
        )
    );
    assert!(yaml.rule.ends_with(".trivyignore.yaml:2"), "{}", yaml.rule);
    assert!(
        by(&e, "CVE-2021-44228").is_active(),
        "a log4j-api purl must not match log4j-core"
    );
}

#[test]
fn warden_ignore_requires_reasons_and_honours_scope_and_expiry() {
    let p = Policy::builder()
        .ignore_file(fixture("policy/warden-ignore.yaml"))
        .fail_on(Severity::Low)
        .build()
        .unwrap();
    let e = p.evaluate(merged(), TODAY);
    // Matched by its GHSA alias, scoped to the lodash package.
    let lodash = by(&e, "CVE-2020-8203").suppressed.clone().unwrap();
    assert_eq!(
        (lodash.by, lodash.expires.as_deref()),
        (SuppressedBy::WardenIgnore, Some("2027-03-31"))
    );
    assert!(
        by(&e, "CVE-2023-45853").is_active(),
        "package: zlib does not cover the binary package zlib1g"
    );
    assert!(by(&e, "CVE-2024-2961").is_active(), "expired on 2026-06-30");
    assert_eq!(e.expired.len(), 1);
    assert_eq!(e.gate.blocking, 4);

    let err = Policy::builder()
        .ignore_file(fixture("policy/bad-warden-ignore.yaml"))
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("bad-warden-ignore.yaml:4:") && err.contains("reason"),
        "{err}"
    );
    let err = Policy::builder()
        .ignore_file(fixture("policy/bad.trivyignore"))
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("bad.trivyignore:3:") && err.contains("2026-02-30"),
        "{err}"
    );
}

#[test]
fn openvex_not_affected_suppresses_and_the_latest_statement_wins() {
    let p = Policy::builder()
        .vex(fixture("policy/app.openvex.json"))
        .fail_on(Severity::Critical)
        .build()
        .unwrap();
    let e = p.evaluate(merged(), TODAY);
    let log4j = by(&e, "CVE-2021-44228").suppressed.clone().unwrap();
    assert_eq!(log4j.by, SuppressedBy::Openvex);
    assert_eq!(log4j.vex_status, Some(VexStatus::NotAffected));
    assert_eq!(
        log4j.vex_justification.as_deref(),
        Some("vulnerable_code_not_in_execute_path")
    );
    assert_eq!(
        log4j.reason.as_deref(),
        Some("JndiLookup.class is removed from the jar at build time")
    );
    // not_affected on 2026-09-01, then affected on 2026-10-15: the later one decides.
    assert!(by(&e, "CVE-2020-14343").is_active());
    assert!(
        by(&e, "CVE-2020-8203").is_active(),
        "under_investigation never suppresses"
    );
    assert_eq!(
        e.gate.blocking, 2,
        "zlib and PyYAML are CRITICAL and active"
    );
}

#[test]
fn sources_combine_and_order_is_deterministic() {
    let p = Policy::builder()
        .vex(fixture("policy/app.openvex.json"))
        .ignore_file(fixture("policy/.trivyignore"))
        .ignore_file(fixture("policy/.trivyignore.yaml"))
        .ignore_file(fixture("policy/warden-ignore.yaml"))
        .severities(&[Severity::High, Severity::Critical])
        .exit_code(1)
        .build()
        .unwrap();
    assert_eq!(p.rule_count(), 2 + 2 + 3 + 4);
    let a = p.evaluate(merged(), TODAY);
    let mut rev = merged();
    rev.reverse();
    let b = p.evaluate(rev, TODAY);
    assert_eq!(a, b);
    let active: Vec<&str> = a
        .findings
        .iter()
        .filter(|f| f.is_active())
        .map(|f| f.finding.vulnerability.id.as_str())
        .collect();
    assert_eq!(active, ["CVE-2024-2961"]);
    assert_eq!(a.gate.exit_code, 1);
    assert_eq!(a.expired.len(), 2);
}

#[test]
fn usage_errors() {
    assert!(parse_severity_list("HIGH,SEVERE")
        .unwrap_err()
        .to_string()
        .contains("SEVERE"));
    assert!(parse_severity_list(" , ").is_err());
    assert_eq!(
        parse_severity_list("critical,high,HIGH").unwrap(),
        [Severity::High, Severity::Critical]
    );
    let e = Policy::builder()
        .ignore_file("/nonexistent/.trivyignore")
        .build()
        .unwrap_err()
        .to_string();
    assert!(e.contains("/nonexistent/.trivyignore"), "{e}");
    let e = Policy::builder()
        .ignore_file("/tmp/policy.txt")
        .build()
        .unwrap_err()
        .to_string();
    assert!(e.contains("cannot tell the policy file kind"), "{e}");
}
