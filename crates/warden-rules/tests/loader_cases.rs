//! Conformance with Falco's rule loader tests (`test_rule_loader.cpp`) and loading of the
//! upstream rulesets.
//!
//! `tests/fixtures/rules-loader-cases.jsonl` is a subset copied from
//! `../shared/conformance/falco/rules-loader-cases.jsonl` and must agree 100%; the full file,
//! and the three upstream rulesets, are run when `../shared` is present.

use std::path::{Path, PathBuf};

use warden_rules::Loader;

#[path = "support/gen.rs"]
mod gen;

#[derive(serde::Deserialize)]
struct Case {
    test: String,
    rules_yaml: Option<String>,
    expect: String,
    #[serde(default)]
    error_substrings: Vec<String>,
    #[serde(default)]
    warning_substrings: Vec<String>,
    #[serde(default)]
    absent_warnings: Vec<String>,
    has_warnings: Option<bool>,
    compiled_conditions: Option<std::collections::BTreeMap<String, String>>,
    rules_in_ruleset: Option<std::collections::BTreeMap<String, usize>>,
    schema_validation: Option<String>,
}

/// `Ok(false)` = skipped (no YAML in the case), `Err` = disagreement.
fn run(case: &Case) -> Result<bool, String> {
    let Some(yaml) = &case.rules_yaml else {
        return Ok(false);
    };
    let mut l = Loader::new();
    l.add_str("rules.yaml", yaml);
    let r = l.finish();
    let errors: Vec<String> = r.errors.iter().map(|m| m.message.clone()).collect();
    let warnings: Vec<String> = r
        .warnings
        .iter()
        .map(|m| format!("{} {}", m.code, m.message))
        .collect();
    match case.expect.as_str() {
        "loads" if !r.ok() => return Err(format!("errors: {errors:?}")),
        "error" if r.ok() => return Err("loaded, expected an error".into()),
        _ => {}
    }
    for s in &case.error_substrings {
        if !errors.iter().any(|e| e.contains(s.as_str())) {
            return Err(format!("no error contains {s:?}: {errors:?}"));
        }
    }
    for s in &case.warning_substrings {
        if !warnings.iter().any(|w| w.contains(s.as_str())) {
            return Err(format!("no warning contains {s:?}: {warnings:?}"));
        }
    }
    for s in &case.absent_warnings {
        if warnings.iter().any(|w| w.contains(s.as_str())) {
            return Err(format!("unexpected warning {s:?}: {warnings:?}"));
        }
    }
    if let Some(h) = case.has_warnings {
        if h == warnings.is_empty() {
            return Err(format!("has_warnings {h} but warnings are {warnings:?}"));
        }
    }
    if let Some(cc) = &case.compiled_conditions {
        for (name, want) in cc {
            let got = r
                .rules
                .iter()
                .find(|x| &x.name == name)
                .map(|x| x.condition.clone());
            if got.as_deref() != Some(want.as_str()) {
                return Err(format!("rule {name}: compiled {got:?}, expected {want:?}"));
            }
        }
    }
    if let Some(n) = case
        .rules_in_ruleset
        .as_ref()
        .and_then(|m| m.get("default"))
    {
        let got = r.rules.iter().filter(|x| x.enabled).count();
        if got != *n {
            return Err(format!("{got} enabled rules, expected {n}"));
        }
    }
    if let Some(s) = &case.schema_validation {
        if (s == "ok") != r.schema_ok {
            return Err(format!(
                "schema validation {}, expected {s}",
                if r.schema_ok { "ok" } else { "failed" }
            ));
        }
    }
    Ok(true)
}

fn run_file(p: &Path) -> (usize, usize, Vec<String>) {
    let text = std::fs::read_to_string(p).expect("fixture readable");
    let (mut total, mut skipped, mut fails) = (0, 0, Vec::new());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Case = serde_json::from_str(line).expect("valid case");
        match run(&case) {
            Ok(true) => total += 1,
            Ok(false) => skipped += 1,
            Err(e) => {
                total += 1;
                fails.push(format!("{}: {e}", case.test));
            }
        }
    }
    (total, skipped, fails)
}

fn shared() -> PathBuf {
    gen::shared_dir().join("conformance/falco")
}

#[test]
fn loader_cases_subset_agree_fully() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules-loader-cases.jsonl");
    let (total, _, fails) = run_file(&p);
    assert!(total >= 30, "subset too small: {total}");
    assert!(
        fails.is_empty(),
        "{} of {total} disagree:\n{}",
        fails.len(),
        fails.join("\n")
    );
}

#[test]
fn loader_cases_upstream_agreement() {
    let p = shared().join("rules-loader-cases.jsonl");
    if !p.exists() {
        eprintln!(
            "SKIP: {} not present; the full upstream loader cases were not run",
            p.display()
        );
        return;
    }
    let (total, skipped, fails) = run_file(&p);
    let agree = total - fails.len();
    let rate = agree as f64 * 100.0 / total as f64;
    eprintln!("rules-loader-cases.jsonl: {agree}/{total} agree ({rate:.1}%), {skipped} without YAML skipped");
    for f in &fails {
        eprintln!("  disagree {f}");
    }
    assert!(rate >= 95.0, "agreement {rate:.1}% below the 95% minimum");
}

#[test]
fn upstream_rulesets_load_unchanged() {
    let dir = shared();
    if !dir.exists() {
        eprintln!(
            "SKIP: {} not present; upstream rulesets not loaded",
            dir.display()
        );
        return;
    }
    for (file, rules, enabled) in [
        ("falco_rules.yaml", 25, 25),
        ("falco-incubating_rules.yaml", 31, 31),
        ("falco-sandbox_rules.yaml", 37, 25),
    ] {
        let mut l = Loader::new();
        l.add_file(&dir.join(file));
        let r = l.finish();
        assert!(r.ok(), "{file}: {:#?}", r.errors);
        assert_eq!(r.rules.len(), rules, "{file}: rule count");
        assert_eq!(
            r.rules.iter().filter(|x| x.enabled).count(),
            enabled,
            "{file}: enabled rules"
        );
        for w in &r.warnings {
            eprintln!("{file}: warning: {w}");
        }
    }
}
