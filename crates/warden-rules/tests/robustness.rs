//! Hostile input never panics: mutated conditions and rules files from a deterministic
//! generator, deep nesting, non-UTF-8-ish bytes, and malformed rules files whose errors must
//! name the file, the item and the line.

use warden_rules::{defaults, parser, Loader};

#[path = "support/gen.rs"]
mod gen;
use gen::Rng;

const ALPHABET: &[u8] = b"()[],=!<>'\" \t\nabcdefghijklmnopqrstuvwxyz._-/*?0123456789\\";

fn mutate(r: &mut Rng, s: &str) -> String {
    let mut b: Vec<u8> = s.bytes().collect();
    for _ in 0..(1 + r.next() % 4) {
        if b.is_empty() {
            break;
        }
        let i = (r.next() as usize) % b.len();
        match r.next() % 3 {
            0 => b[i] = ALPHABET[(r.next() as usize) % ALPHABET.len()],
            1 => {
                b.remove(i);
            }
            _ => b.insert(i, ALPHABET[(r.next() as usize) % ALPHABET.len()]),
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

#[test]
fn mutated_conditions_never_panic() {
    let r = defaults::load();
    assert!(r.ok());
    let seeds: Vec<String> = r.rules.iter().map(|x| x.condition.clone()).collect();
    let mut rng = Rng(42);
    let mut parsed = 0;
    for i in 0..20_000 {
        let c = mutate(&mut rng, &seeds[i % seeds.len()]);
        if let Ok(ast) = parser::parse(&c) {
            parsed += 1;
            let _ = warden_rules::compiler::compile(&ast, &[]);
        }
    }
    // The mutations must exercise both paths, or the test proves nothing.
    assert!(parsed > 1000 && parsed < 20_000, "parsed {parsed}");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = "(".repeat(100_000) + "a" + &")".repeat(100_000);
    let e = parser::parse(&deep).expect_err("too deep");
    assert!(
        e.message.contains("exceeded max depth limit of 100"),
        "{}",
        e.message
    );
    let nots = "not ".repeat(100_000) + "proc.name = x";
    assert!(parser::parse(&nots).is_ok());
}

#[test]
fn mutated_rules_files_never_panic() {
    let text = defaults::WARDEN_RULES;
    let mut rng = Rng(7);
    for _ in 0..300 {
        let y = mutate(&mut rng, text);
        let mut l = Loader::new();
        l.add_str("m.yaml", &y);
        let _ = l.finish();
    }
}

#[test]
fn malformed_rules_name_file_item_and_line() {
    let yaml = "\
- list: ok_list
  items: [a, b]

- rule: broken rule
  desc: d
  condition: evt.type = open and proc.nme = x
  output: o
  priority: WARNING

- macro: bad_syntax
  condition: (proc.name = x

- rule: bad priority
  desc: d
  condition: evt.type = open
  output: o
  priority: SEVERE
";
    let mut l = Loader::new();
    l.add_str("bad.yaml", yaml);
    let r = l.finish();
    assert!(!r.ok());
    let find = |name: &str| {
        r.errors
            .iter()
            .find(|e| e.location.name == name)
            .unwrap_or_else(|| panic!("no error for {name}: {:#?}", r.errors))
    };
    let e = find("broken rule");
    assert_eq!(
        (e.location.file.as_str(), e.location.kind, e.location.line),
        ("bad.yaml", "rule", 6)
    );
    assert!(e.message.contains("proc.nme"), "{}", e.message);
    let e = find("bad_syntax");
    assert_eq!((e.location.kind, e.location.line), ("macro", 11));
    assert!(e.message.contains("expected a ')' token"), "{}", e.message);
    let e = find("bad priority");
    assert_eq!(e.location.line, 13);
    assert!(e.message.contains("Invalid priority level: SEVERE"));

    let mut l = Loader::new();
    l.add_str("broken.yaml", "- rule: x\n  desc: [unclosed\n");
    let r = l.finish();
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].code, "LOAD_ERR_YAML_PARSE");
    assert!(r.errors[0].location.line >= 2, "{:?}", r.errors[0]);
}
