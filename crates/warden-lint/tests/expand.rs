//! Variable expansion against BuildKit's shell-lexer vectors (copied into tests/fixtures).

use std::collections::BTreeMap;
use std::path::PathBuf;

use warden_lint::expand::Lexer;

fn fixture(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/buildkit/shell-lex")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn env_var_vectors() {
    let env: BTreeMap<&str, &str> = [
        ("PWD", "/home"),
        ("SHELL", "bash"),
        ("KOREAN", "한국어"),
        ("NULL", ""),
    ]
    .into();
    let lookup = |k: &str| env.get(k).map(|v| v.to_string());
    let lx = Lexer::default();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (n, line) in fixture("envVarTest").lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.splitn(3, '|').collect();
        if parts.len() != 3 || parts[0] == "W" {
            continue; // Windows-only lines expect case-insensitive variables.
        }
        let input = parts[1].trim();
        let expected = parts[2].trim();
        let got = lx.process_word(input, &lookup);
        let ok = match (&got, expected) {
            (Err(_), "error") => true,
            (Ok(v), e) => v == e,
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "line {}: {input:?} expected {expected:?} got {got:?}",
                n + 1
            ));
        }
        checked += 1;
    }
    assert!(checked > 200, "{checked}");
    assert!(
        failures.is_empty(),
        "{} of {checked} disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn words_vectors() {
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    let lx = Lexer::default();
    let mut checked = 0;
    for line in fixture("wordsTest").lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(kv) = line.strip_prefix("ENV ") {
            if let Some((k, v)) = kv.split_once('=') {
                env.insert(k.to_string(), v.to_string());
            }
            continue;
        }
        let Some((input, expected)) = line.split_once('|') else {
            continue;
        };
        let lookup = |k: &str| env.get(k).cloned();
        let got = lx.process_words(input.trim(), &lookup);
        if expected.trim() == "error" {
            assert!(got.is_err(), "{input} must fail");
            checked += 1;
            continue;
        }
        let got = got.unwrap_or_else(|e| panic!("{input}: {e}"));
        let want: Vec<String> = expected
            .trim_start()
            .split(',')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        assert_eq!(got, want, "{input}");
        checked += 1;
    }
    assert!(checked >= 10);
}

#[test]
fn pattern_modifiers() {
    let env = |k: &str| (k == "V").then(|| "path/to/file.tar.gz".to_string());
    let lx = Lexer::default();
    assert_eq!(
        lx.process_word("${V#*/}", &env).as_deref(),
        Ok("to/file.tar.gz")
    );
    assert_eq!(
        lx.process_word("${V##*/}", &env).as_deref(),
        Ok("file.tar.gz")
    );
    assert_eq!(
        lx.process_word("${V%.*}", &env).as_deref(),
        Ok("path/to/file.tar")
    );
    assert_eq!(
        lx.process_word("${V%%.*}", &env).as_deref(),
        Ok("path/to/file")
    );
    assert_eq!(
        lx.process_word("${V/t/T}", &env).as_deref(),
        Ok("paTh/to/file.tar.gz")
    );
    assert_eq!(
        lx.process_word("${V//t/T}", &env).as_deref(),
        Ok("paTh/To/file.Tar.gz")
    );
    assert_eq!(
        lx.process_word("${U-dflt}${V+set}", &env).as_deref(),
        Ok("dfltset")
    );
    assert!(lx.process_word("${U?must be set}", &env).is_err());
}
