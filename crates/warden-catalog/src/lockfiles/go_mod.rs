//! `go.mod`: the main module and every `require` with its version, `// indirect` marked,
//! `replace` directives applied; `go.sum` beside it adds each module's `h1:` checksum and its
//! absence is recorded on the main module.
//!
//! `golang.org/x/mod/modfile` is Go; the grammar (directives, `( ... )` blocks, `//` comments,
//! quoted paths) is small and read here line by line, errors naming the line.

use std::collections::BTreeMap;

use warden_core::Ecosystem;

use super::{Input, Sink};
use crate::parse::ParseError;

struct Require {
    path: String,
    version: String,
    indirect: bool,
    line: usize,
}

/// `(old path, old version or "")` → `(new path, new version)`; a local directory has none.
type Replaces = BTreeMap<(String, String), (String, Option<String>)>;

fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| s.strip_prefix('`').and_then(|x| x.strip_suffix('`')))
        .unwrap_or(s)
}

pub(crate) fn parse(input: &Input<'_>, sink: &mut Sink) -> Result<(), ParseError> {
    let mut module: Option<(String, usize)> = None;
    let mut go_version = None;
    let mut requires: Vec<Require> = Vec::new();
    let mut replaces = Replaces::new();
    let mut block: Option<(String, usize)> = None;
    for (n, raw) in input.text.lines().enumerate() {
        let line = n + 1;
        let (code, comment) = match raw.find("//") {
            Some(i) => (&raw[..i], raw[i + 2..].trim()),
            None => (raw, ""),
        };
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        let (verb, args) = match &block {
            Some(_) if code == ")" => {
                block = None;
                continue;
            }
            Some((v, _)) => (v.clone(), code.to_string()),
            None => {
                let (v, rest) = code.split_once(char::is_whitespace).unwrap_or((code, ""));
                let rest = rest.trim();
                if rest == "(" {
                    block = Some((v.to_string(), line));
                    continue;
                }
                (v.to_string(), rest.to_string())
            }
        };
        let fields: Vec<&str> = args.split_whitespace().map(unquote).collect();
        match verb.as_str() {
            "module" => match fields.as_slice() {
                [m] => module = Some((m.to_string(), line)),
                _ => return Err(ParseError::at_line(line, "module: expected one path")),
            },
            "go" => go_version = fields.first().map(|s| s.to_string()),
            "require" => match fields.as_slice() {
                [p, v] => requires.push(Require {
                    path: p.to_string(),
                    version: v.to_string(),
                    indirect: comment.split(';').any(|c| c.trim() == "indirect"),
                    line,
                }),
                _ => {
                    return Err(ParseError::at_line(
                        line,
                        format!("require: expected \"path version\", found {args:?}"),
                    ))
                }
            },
            "replace" => {
                let Some(arrow) = fields.iter().position(|f| *f == "=>") else {
                    return Err(ParseError::at_line(line, "replace: missing =>"));
                };
                let (old, new) = fields.split_at(arrow);
                let new = &new[1..];
                let key = match old {
                    [p] => (p.to_string(), String::new()),
                    [p, v] => (p.to_string(), v.to_string()),
                    _ => return Err(ParseError::at_line(line, "replace: bad left side")),
                };
                let target = match new {
                    [p] => (p.to_string(), None),
                    [p, v] => (p.to_string(), Some(v.to_string())),
                    _ => return Err(ParseError::at_line(line, "replace: bad right side")),
                };
                replaces.insert(key, target);
            }
            "exclude" | "retract" | "toolchain" | "godebug" | "ignore" | "tool" => {}
            other => {
                return Err(ParseError::at_line(
                    line,
                    format!("unknown directive {other:?}"),
                ))
            }
        }
    }
    if let Some((_, line)) = block {
        return Err(ParseError::at_line(
            line,
            "block opened with ( is never closed",
        ));
    }
    let Some((main_path, main_line)) = module else {
        return Err(ParseError::new("no module directive"));
    };
    let sums = read_go_sum(input);
    // The main module has no version of its own in a source tree (`go version -m` says
    // "(devel)"); it is reported without one so matching never guesses.
    let main = sink.package(Ecosystem::Golang, &main_path, "", Some(main_line));
    sink.meta(main, "mainModule", "true");
    if let Some(g) = go_version {
        sink.meta(main, "goVersion", g);
    }
    sink.meta(
        main,
        "goSum",
        if sums.is_some() { "present" } else { "absent" },
    );
    for r in requires {
        let replaced = replaces
            .get(&(r.path.clone(), r.version.clone()))
            .or_else(|| replaces.get(&(r.path.clone(), String::new())));
        let (path, version) = match replaced {
            Some((p, Some(v))) => (p.clone(), v.clone()),
            Some((p, None)) => {
                sink.skip(
                    Some(r.line),
                    format!("{} {}: replaced by local directory {p}", r.path, r.version),
                );
                continue;
            }
            None => (r.path.clone(), r.version.clone()),
        };
        let i = sink.package(Ecosystem::Golang, &path, &version, Some(r.line));
        if r.indirect {
            sink.meta(i, "indirect", "true");
        }
        if path != r.path {
            sink.meta(i, "replaces", format!("{} {}", r.path, r.version));
        }
        if let Some(h) = sums
            .as_ref()
            .and_then(|s| s.get(&(path.clone(), version.clone())))
        {
            sink.meta(i, "checksum", h.clone());
        }
        sink.relate(main, i);
    }
    Ok(())
}

/// `go.sum` beside `go.mod`: `(module, version)` → `h1:` hash of the module zip.
fn read_go_sum(input: &Input<'_>) -> Option<BTreeMap<(String, String), String>> {
    let text = std::fs::read_to_string(input.dir.join("go.sum")).ok()?;
    let mut out = BTreeMap::new();
    for l in text.lines() {
        let mut f = l.split_whitespace();
        if let (Some(m), Some(v), Some(h)) = (f.next(), f.next(), f.next()) {
            // `/go.mod` lines hash only the module's go.mod, not the code.
            if !v.ends_with("/go.mod") {
                out.insert((m.to_string(), v.to_string()), h.to_string());
            }
        }
    }
    Some(out)
}
