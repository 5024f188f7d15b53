//! hadolint conformance: every case of hadolint's own test suite (extracted to
//! `hadolint-cases.jsonl`) is linted and compared with the expected outcome, per rule.
//!
//! `tests/fixtures/hadolint-cases-subset.jsonl` (a copy of a representative subset) always runs
//! and must agree 100%. The full file is read from `../shared/conformance` (or
//! `$WARDEN_SHARED/conformance`) when present, and must agree at least 99%; the run prints a
//! clear SKIP line when it is absent.

use std::collections::BTreeMap;
use std::path::PathBuf;

use warden_lint::{lint, Config, LabelType, Level};

#[derive(serde::Deserialize)]
struct Case {
    rule: String,
    dockerfile: String,
    #[serde(default)]
    dockerfile_onbuild: Option<String>,
    #[serde(default)]
    onbuild: bool,
    expect: String,
    #[serde(default)]
    count: Option<usize>,
    #[serde(default)]
    config: Option<serde_json::Value>,
    #[serde(default)]
    name: String,
}

fn config_for(c: &Case) -> Config {
    let mut cfg = Config::default();
    cfg.overrides.insert("DL3057".into(), Level::Warning);
    cfg.overrides.insert("DL1001".into(), Level::Warning);
    if let Some(v) = &c.config {
        if let Some(t) = v.get("trustedRegistries").and_then(|t| t.as_array()) {
            cfg.trusted_registries = t
                .iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect();
        }
        if let Some(m) = v.get("label-schema").and_then(|m| m.as_object()) {
            for (k, t) in m {
                let typ = match t.as_str().unwrap_or("") {
                    "url" => LabelType::Url,
                    "semver" => LabelType::Semver,
                    "hash" => LabelType::Hash,
                    "rfc3339" => LabelType::Rfc3339,
                    "spdx" => LabelType::Spdx,
                    "email" => LabelType::Email,
                    _ => LabelType::Text,
                };
                cfg.label_schema.insert(k.clone(), typ);
            }
        }
        if let Some(b) = v.get("strict-labels").and_then(|b| b.as_bool()) {
            cfg.strict_labels = b;
        }
        if let Some(i) = v.get("ignored").and_then(|i| i.as_array()) {
            cfg.ignored = i
                .iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect();
        }
    }
    cfg
}

/// Runs the cases; returns per-rule (agree, total) and the failures.
fn run(text: &str) -> (BTreeMap<String, (usize, usize)>, Vec<String>) {
    let shellcheck = warden_lint::shellcheck::find_binary();
    let mut per_rule: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: Case = match serde_json::from_str(line) {
            Ok(c) => c,
            Err(e) => panic!("case line {}: {e}", n + 1),
        };
        if case.rule.starts_with("SC") && shellcheck.is_none() {
            println!(
                "SKIP {} (line {}): no shellcheck binary on PATH",
                case.rule,
                n + 1
            );
            continue;
        }
        let src = if case.onbuild {
            case.dockerfile_onbuild
                .as_deref()
                .unwrap_or(&case.dockerfile)
        } else {
            &case.dockerfile
        };
        let found = lint(src.as_bytes(), &config_for(&case), shellcheck.as_deref());
        let hits = found
            .iter()
            .filter(|f| match case.rule.as_str() {
                // `*` means any hadolint rule; warden's own WD rules are not part of that suite.
                "*" => !f.code.starts_with("WD"),
                "SC*" => f.code.starts_with("SC"),
                r => f.code == r,
            })
            .count();
        let ok = match (case.expect.as_str(), case.count) {
            ("fires", Some(c)) => hits == c,
            ("fires", None) => hits >= 1,
            (_, Some(c)) => hits == c,
            _ => hits == 0,
        };
        let e = per_rule.entry(case.rule.clone()).or_default();
        e.1 += 1;
        if ok {
            e.0 += 1;
        } else {
            let codes: Vec<_> = found
                .iter()
                .map(|f| format!("{}@{}", f.code, f.span.start.line))
                .collect();
            failures.push(format!(
                "line {}: {} expected {} {:?} got {hits} [{}] ({}): {:?}",
                n + 1,
                case.rule,
                case.expect,
                case.count,
                codes.join(" "),
                case.name,
                src
            ));
        }
    }
    (per_rule, failures)
}

fn summary(per_rule: &BTreeMap<String, (usize, usize)>) -> (usize, usize) {
    per_rule
        .values()
        .fold((0, 0), |(a, t), (x, y)| (a + x, t + y))
}

#[test]
fn subset_agrees_fully() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hadolint-cases-subset.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (per_rule, failures) = run(&text);
    let (agree, total) = summary(&per_rule);
    assert!(total >= 400, "subset too small: {total}");
    assert!(
        failures.is_empty(),
        "{} of {total} subset cases disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(agree, total);
}

#[test]
fn full_hadolint_suite() {
    let base = std::env::var_os("WARDEN_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let path = base.join("conformance/hadolint-cases.jsonl");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!(
            "SKIP full hadolint conformance: {} is absent",
            path.display()
        );
        return;
    };
    let (per_rule, failures) = run(&text);
    let (agree, total) = summary(&per_rule);
    println!("rule\tagree\ttotal");
    for (r, (a, t)) in &per_rule {
        println!("{r}\t{a}\t{t}");
    }
    println!(
        "TOTAL\t{agree}\t{total}\t{:.2}%",
        100.0 * agree as f64 / total as f64
    );
    for f in &failures {
        println!("DISAGREE {f}");
    }
    assert!(
        agree * 100 >= total * 99,
        "agreement {agree}/{total} is below 99%"
    );
}
