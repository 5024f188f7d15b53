//! Parser tests: BuildKit's own parser testfiles (copied into `tests/fixtures/buildkit`), exact
//! positions, bad input, and the real-world corpus from `../shared` when present.

use std::path::{Path, PathBuf};

use warden_lint::ast::{Arguments, Kind};
use warden_lint::{parse, parse_bytes};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/buildkit/parser-testfiles")
}

/// Splits one line of BuildKit's `result` dump into its quoted strings and flag list.
fn dump_tokens(line: &str) -> (String, Vec<String>, Vec<String>) {
    let kw: String = line
        .trim_start_matches('(')
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let mut flags = Vec::new();
    let mut strings = Vec::new();
    let b = line.as_bytes();
    let mut i = 1 + kw.len();
    let mut in_flags = false;
    while i < b.len() {
        match b[i] {
            b'[' if strings.is_empty() => in_flags = true,
            b']' => in_flags = false,
            b'(' => break, // nested ONBUILD node: only the outer keyword is compared
            b'"' => {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    if b[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
                let tok = &line[i..(j + 1).min(line.len())];
                // Go's %q writes NUL as \x00, which JSON spells \u0000.
                let json = tok.replace("\\x00", "\\u0000");
                let s: String = serde_json::from_str(&json)
                    .unwrap_or_else(|_| tok.trim_matches('"').to_string());
                if in_flags {
                    flags.push(s);
                } else {
                    strings.push(s);
                }
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    (kw, flags, strings)
}

#[test]
fn buildkit_testfiles_parse_with_the_same_structure() {
    let dir = fixtures().join("testfiles");
    let mut cases = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures present")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for case in entries {
        let src = std::fs::read(case.join("Dockerfile")).expect("Dockerfile");
        let expected = std::fs::read_to_string(case.join("result")).expect("result");
        let df = parse_bytes(&src).unwrap_or_else(|e| panic!("{}: {e}", case.display()));
        let lines: Vec<&str> = expected.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(
            df.instructions.len(),
            lines.len(),
            "{}: instruction count",
            case.display()
        );
        for (inst, line) in df.instructions.iter().zip(&lines) {
            let (kw, flags, strings) = dump_tokens(line);
            assert_eq!(
                inst.name().to_ascii_lowercase(),
                kw,
                "{}: {line}",
                case.display()
            );
            let ours: Vec<String> = inst
                .flags
                .iter()
                .map(|f| match &f.value {
                    Some(v) => format!("--{}={v}", f.name),
                    None => format!("--{}", f.name),
                })
                .collect();
            assert_eq!(ours, flags, "{}: flags of {line}", case.display());
            if let Kind::Env(kvs) | Kind::Label(kvs) = &inst.kind {
                let keys: Vec<&str> = strings.iter().step_by(3).map(String::as_str).collect();
                let ours: Vec<&str> = kvs.iter().map(|k| k.key.as_str()).collect();
                assert_eq!(ours, keys, "{}: keys of {line}", case.display());
            }
            if let Kind::Cmd(Arguments::Exec(v))
            | Kind::Run(Arguments::Exec(v))
            | Kind::Entrypoint(Arguments::Exec(v)) = &inst.kind
            {
                assert_eq!(v, &strings, "{}: exec args of {line}", case.display());
            }
        }
        cases += 1;
    }
    assert!(cases >= 30, "only {cases} testfiles");
}

#[test]
fn buildkit_negative_testfiles_are_errors() {
    let dir = fixtures().join("testfiles-negative");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).expect("fixtures present").flatten() {
        let src = std::fs::read(e.path().join("Dockerfile")).expect("Dockerfile");
        assert!(
            parse_bytes(&src).is_err(),
            "{} parsed but must fail",
            e.path().display()
        );
        n += 1;
    }
    assert_eq!(n, 4);
}

#[test]
fn exact_positions() {
    let src = "# syntax=docker/dockerfile:1\nFROM --platform=$BUILDPLATFORM golang:1.22 AS build\n  RUN --mount=type=cache,target=/root/.cache \\\n# comment inside\n\n      go build \\\n      ./...\nCOPY <<EOF /etc/x\nhello\nEOF\nONBUILD RUN echo hi\n";
    let df = parse(src).expect("parses");
    assert_eq!(df.directives[0].name, "syntax");
    let from = &df.instructions[0];
    assert_eq!((from.span.start.line, from.span.start.column), (2, 1));
    let f = &from.flags[0];
    assert_eq!(
        (f.span.start.line, f.span.start.column, f.span.end.column),
        (2, 6, 30)
    );
    let Kind::From(fr) = &from.kind else {
        panic!("not FROM")
    };
    assert_eq!(
        (fr.image.span.start.column, fr.image.span.end.column),
        (32, 42)
    );
    assert_eq!(fr.alias.as_ref().map(|a| a.span.start.column), Some(47));
    let run = &df.instructions[1];
    assert_eq!(
        (
            run.span.start.line,
            run.span.start.column,
            run.span.end.line
        ),
        (3, 3, 7)
    );
    assert_eq!(df.comments[0].span.start.line, 4);
    let Kind::Run(Arguments::Shell { text, offset }) = &run.kind else {
        panic!("not shell RUN")
    };
    assert!(text.contains("go build"));
    let go = offset + text.find("go build").expect("go");
    let p = run.pos(go);
    assert_eq!((p.line, p.column), (6, 7));
    let dots = offset + text.find("./...").expect("dots");
    assert_eq!(run.pos(dots).line, 7);
    let copy = &df.instructions[2];
    assert_eq!(copy.heredocs[0].content, "hello\n");
    assert_eq!((copy.span.start.line, copy.span.end.line), (8, 10));
    let ob = &df.instructions[3];
    let Kind::Onbuild(inner) = &ob.kind else {
        panic!("not ONBUILD")
    };
    assert_eq!((inner.span.start.line, inner.span.start.column), (11, 9));
}

#[test]
fn heredoc_forms() {
    let src = "FROM alpine:3\nRUN <<-EOT bash && cat <<\"B\" > /b\n\techo $x\n\tEOT\n$not_expanded\nB\n# comment right after\nRUN echo done\n";
    let df = parse(src).expect("parses");
    let run = &df.instructions[1];
    assert_eq!(run.heredocs.len(), 2);
    assert!(run.heredocs[0].strip_tabs);
    assert_eq!(run.heredocs[0].content, "echo $x\n");
    assert!(run.heredocs[1].quoted);
    assert_eq!(run.heredocs[1].content, "$not_expanded\n");
    assert_eq!(df.instructions[2].span.start.line, 8);
    assert_eq!(df.comments.len(), 1);
}

#[test]
fn escape_directive_and_windows_paths() {
    let src = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir C:\\ `\n    && echo ok\nWORKDIR C:\\\\Windows\\\\\nCOPY a b\n";
    let df = parse(src).expect("parses");
    assert_eq!(df.escape, '`');
    assert_eq!(df.instructions.len(), 4);
    assert_eq!(df.instructions[1].span.end.line, 4);
}

#[test]
fn bad_input_is_an_error_with_a_position() {
    let e = parse("FROM a\nRUN <<EOF\nno end\n").expect_err("unterminated heredoc");
    assert_eq!((e.line, e.column), (2, 5));
    assert!(e.message.contains("unterminated heredoc"));
    let e = parse("FROM a\n  FOO bar\n").expect_err("unknown instruction");
    assert_eq!((e.line, e.column), (2, 3));
    let e = parse_bytes(b"FROM a\nRUN \x00\x01").expect_err("binary");
    assert_eq!(e.line, 2);
    let e = parse_bytes(b"FROM a\nRUN \xff\xfe").expect_err("not utf-8");
    assert_eq!((e.line, e.column), (2, 5));
    assert!(parse("FROM a\nENV x\n").is_err());
    assert!(parse("FROM a b\n").is_err());
    assert!(parse("FROM a\nSHELL /bin/sh\n").is_err());
}

#[test]
fn large_input_parses() {
    let mut src = String::from("FROM alpine:3\n");
    while src.len() < 8 * 1024 * 1024 {
        src.push_str(
            "RUN echo 'a line that repeats' && apk add --no-cache curl=8.5.0-r0 \\\n    && true\n",
        );
    }
    let df = parse(&src).expect("parses");
    assert!(df.instructions.len() > 50_000);
}

fn shared() -> PathBuf {
    std::env::var_os("WARDEN_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "Dockerfile") {
                out.push(p);
            }
        }
    }
}

#[test]
fn real_world_corpus_parses() {
    let dir = shared().join("corpus/dockerfiles");
    if !dir.is_dir() {
        println!("SKIP corpus: {} is absent", dir.display());
        return;
    }
    let mut files = Vec::new();
    walk(&dir, &mut files);
    files.sort();
    let mut failed = Vec::new();
    for f in &files {
        let bytes = std::fs::read(f).expect("readable");
        let negative = f.to_string_lossy().contains("testfiles-negative");
        match (parse_bytes(&bytes), negative) {
            (Ok(_), true) => failed.push(format!("{}: negative testfile parsed", f.display())),
            (Err(e), false) => failed.push(format!("{}: {e}", f.display())),
            _ => {}
        }
    }
    println!(
        "corpus: {} files, {} unexpected results",
        files.len(),
        failed.len()
    );
    assert_eq!(files.len(), 1079);
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
