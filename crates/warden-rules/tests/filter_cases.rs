//! Table-driven conformance with libsinsp's filter parser and compiler tests.
//!
//! `tests/fixtures/filter-cases.jsonl` is a representative subset copied from
//! `../shared/conformance/falco/filter-cases.jsonl` and must agree 100%. The full upstream file
//! is run when `../shared` is present and reports its agreement rate (minimum 95%).

use std::borrow::Cow;
use std::path::Path;

use warden_rules::compiler;

#[path = "support/gen.rs"]
mod gen;
use warden_rules::event::{Event, EventArg, Process};
use warden_rules::fields::{ArgSpec, Ctx, FieldDef};
use warden_rules::parser;
use warden_rules::value::{FieldType, Val, Vals};

/// The mock fields of libsinsp's test factory (`c.*`) and of its sample plugin (`sample.*`),
/// registered the way a plugin registers extra fields.
static MOCK: &[FieldDef] = &[
    FieldDef {
        name: "c.true",
        ty: FieldType::Str,
        arg: ArgSpec::None,
        extract: |_, _| Vals::s("1"),
        desc: "mock",
    },
    FieldDef {
        name: "c.false",
        ty: FieldType::Str,
        arg: ArgSpec::None,
        extract: |_, _| Vals::s("0"),
        desc: "mock",
    },
    FieldDef {
        name: "c.singlequote",
        ty: FieldType::Str,
        arg: ArgSpec::None,
        extract: |_, _| Vals::s("hello 'quoted'"),
        desc: "mock",
    },
    FieldDef {
        name: "c.doublequote",
        ty: FieldType::Str,
        arg: ArgSpec::None,
        extract: |_, _| Vals::s("hello \"quoted\""),
        desc: "mock",
    },
    FieldDef {
        name: "c.buffer",
        ty: FieldType::Bytes,
        arg: ArgSpec::None,
        extract: |_, _| Vals::One(Val::Bytes(Cow::Borrowed(b"HTTP\x12\xab\x00\x1f\xc5"))),
        desc: "mock",
    },
    FieldDef {
        name: "sample.is_open",
        ty: FieldType::Uint,
        arg: ArgSpec::None,
        extract: |_, _| Vals::n(0),
        desc: "mock",
    },
    FieldDef {
        name: "sample.proc_name",
        ty: FieldType::Str,
        arg: ArgSpec::None,
        extract: |_, _| Vals::s("init"),
        desc: "mock",
    },
    FieldDef {
        name: "sample.tick",
        ty: FieldType::Str,
        arg: ArgSpec::None,
        extract: |_, _| Vals::s("false"),
        desc: "mock",
    },
];

/// The event upstream's compile tests evaluate against: a successful `getcwd` of `/test/dir`.
fn test_event() -> Event {
    Event {
        num: 1,
        ts: 1_700_000_000_000_000_000,
        source: "syscall".into(),
        evt_type: "getcwd".into(),
        dir: "<".into(),
        res: 0,
        args: vec![
            EventArg {
                name: "res".into(),
                value: "0".into(),
                raw: Some(0),
            },
            EventArg {
                name: "path".into(),
                value: "/test/dir".into(),
                raw: None,
            },
        ],
        proc: Process {
            pid: 1,
            name: "init".into(),
            ..Process::default()
        },
        ..Event::default()
    }
}

#[derive(serde::Deserialize)]
struct Case {
    filter: String,
    expect: String,
    stage: String,
    evaluates_to: Option<bool>,
    warnings: Option<usize>,
    message: Option<String>,
}

/// Runs one case; `Err` describes the disagreement.
fn run(case: &Case) -> Result<(), String> {
    let parsed = parser::parse(&case.filter);
    if case.stage == "parse" {
        return match (&parsed, case.expect.as_str()) {
            (Ok(_), "parses") => Ok(()),
            (Err(e), "error") => match &case.message {
                Some(m) if !e.message.contains(m.as_str()) => {
                    Err(format!("message {:?} != {m:?}", e.message))
                }
                _ => Ok(()),
            },
            (Ok(_), _) => Err("parsed, expected an error".into()),
            (Err(e), _) => Err(format!("parse error: {}", e.message)),
        };
    }
    let compiled = parsed.map_err(|e| vec![e.message]).and_then(|ast| {
        compiler::compile(&ast, MOCK).map_err(|es| es.into_iter().map(|e| e.message).collect())
    });
    match (compiled, case.expect.as_str()) {
        (Ok((node, warnings)), "parses") => {
            if let Some(w) = case.warnings {
                if warnings.len() != w {
                    return Err(format!("{} warnings, expected {w}", warnings.len()));
                }
            }
            if let Some(want) = case.evaluates_to {
                let ev = test_event();
                let got = node.eval(&Ctx::new(&ev, "test"));
                if got != want {
                    return Err(format!("evaluated to {got}, expected {want}"));
                }
            }
            Ok(())
        }
        (Err(es), "error") => match &case.message {
            Some(m) if !es.iter().any(|e| e.contains(m.as_str())) => {
                Err(format!("messages {es:?} lack {m:?}"))
            }
            _ => Ok(()),
        },
        (Ok(_), _) => Err("compiled, expected an error".into()),
        (Err(es), _) => Err(format!("compile errors: {es:?}")),
    }
}

fn run_file(path: &Path) -> (usize, Vec<String>) {
    let text = std::fs::read_to_string(path).expect("fixture readable");
    let mut total = 0;
    let mut failures = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Case = serde_json::from_str(line).expect("valid case line");
        total += 1;
        // Upstream re-runs every accepted filter with blanks swapped for newlines and tabs.
        let mut variants = vec![case.filter.clone()];
        if case.stage == "parse" && case.expect == "parses" && !case.filter.contains(['"', '\'']) {
            variants.push(case.filter.replace(' ', "\n"));
            variants.push(case.filter.replace(' ', "\t"));
        }
        for f in variants {
            let c = Case {
                filter: f,
                ..serde_json::from_str(line).expect("valid case line")
            };
            if let Err(e) = run(&c) {
                failures.push(format!("[{}] {:?}: {e}", c.stage, c.filter));
                break;
            }
        }
    }
    (total, failures)
}

#[test]
fn filter_cases_subset_agree_fully() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/filter-cases.jsonl");
    let (total, failures) = run_file(&p);
    assert!(total >= 100, "subset too small: {total}");
    assert!(
        failures.is_empty(),
        "{} of {total} disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn filter_cases_upstream_agreement() {
    let p = gen::shared_dir().join("conformance/falco/filter-cases.jsonl");
    if !p.exists() {
        eprintln!(
            "SKIP: {} not present; the full upstream filter cases were not run",
            p.display()
        );
        return;
    }
    let (total, failures) = run_file(&p);
    let agree = total - failures.len();
    let rate = agree as f64 * 100.0 / total as f64;
    eprintln!("filter-cases.jsonl: {agree}/{total} agree ({rate:.1}%)");
    for f in &failures {
        eprintln!("  disagree {f}");
    }
    assert!(rate >= 95.0, "agreement {rate:.1}% below the 95% minimum");
}
