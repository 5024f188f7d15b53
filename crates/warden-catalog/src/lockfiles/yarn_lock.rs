//! `yarn.lock`: classic v1 and berry (v2+).
//!
//! Berry lockfiles are YAML and go through `serde_yaml`. Classic v1 is not YAML (unquoted
//! `key "value"` pairs, comma-joined keys) and no maintained crate parses it, so it is read here
//! line by line: the grammar yarn writes is small (entries at column 0, two-space fields,
//! four-space dependency lists) and anything else is reported with its line.
//!
//! Neither version records which packages are dev-only; when the project's `package.json`
//! sits beside the lockfile, packages reachable only from its `devDependencies` are marked.

use std::collections::BTreeMap;

use serde_yaml::Value;
use warden_core::Ecosystem;

use super::{mark_dev_only, yaml_error, Input, LineFinder, Sink};
use crate::parse::ParseError;

pub(crate) fn parse(input: &Input<'_>, sink: &mut Sink) -> Result<(), ParseError> {
    let berry = input.text.lines().any(|l| l.trim_end() == "__metadata:");
    let roots = if berry {
        parse_berry(input, sink)?
    } else {
        parse_classic(input, sink)?
    };
    mark_dev_from_manifest(input, sink, &roots);
    Ok(())
}

/// `name@range` → package index, for every descriptor an entry's key lists.
type Descriptors = BTreeMap<String, usize>;

/// Splits `name@range` (the name may start with `@scope/`).
fn split_descriptor(d: &str) -> Option<(&str, &str)> {
    let at = d.get(1..)?.find('@')? + 1;
    Some((&d[..at], &d[at + 1..]))
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(s)
}

struct Entry {
    line: usize,
    keys: Vec<String>,
    version: Option<String>,
    deps: Vec<(String, String)>,
}

/// Returns every descriptor (`name@range`) → package, which is how package.json names resolve.
fn parse_classic(input: &Input<'_>, sink: &mut Sink) -> Result<Descriptors, ParseError> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut in_deps = false;
    for (n, raw) in input.text.lines().enumerate() {
        let line = n + 1;
        let trimmed = raw.trim_end();
        if trimmed.trim_start().is_empty() || trimmed.trim_start().starts_with('#') {
            continue;
        }
        let indent = trimmed.len() - trimmed.trim_start().len();
        let body = trimmed.trim_start();
        match indent {
            0 => {
                let Some(keys) = body.strip_suffix(':') else {
                    return Err(ParseError::at_line(
                        line,
                        format!("expected an entry header ending in ':', found {body:?}"),
                    ));
                };
                entries.push(Entry {
                    line,
                    keys: keys.split(", ").map(|k| unquote(k).to_string()).collect(),
                    version: None,
                    deps: Vec::new(),
                });
                in_deps = false;
            }
            2 => {
                let Some(e) = entries.last_mut() else {
                    return Err(ParseError::at_line(line, "field outside any entry"));
                };
                if let Some(section) = body.strip_suffix(':') {
                    in_deps = matches!(section, "dependencies" | "optionalDependencies");
                    continue;
                }
                in_deps = false;
                let (k, v) = body.split_once(' ').unwrap_or((body, ""));
                if k == "version" {
                    e.version = Some(unquote(v).to_string());
                }
            }
            4 if in_deps => {
                let Some(e) = entries.last_mut() else {
                    return Err(ParseError::at_line(line, "dependency outside any entry"));
                };
                // The name may be quoted and contain a space-free scope; the range may be
                // quoted and contain spaces (`"^1.0.0 || ^2.0.0"`).
                let (name, range) = if let Some(rest) = body.strip_prefix('"') {
                    let Some(end) = rest.find('"') else {
                        return Err(ParseError::at_line(line, "unterminated quoted name"));
                    };
                    (&rest[..end], rest[end + 1..].trim())
                } else {
                    body.split_once(' ').unwrap_or((body, ""))
                };
                e.deps.push((name.to_string(), unquote(range).to_string()));
            }
            4 => {}
            _ => {
                return Err(ParseError::at_line(
                    line,
                    format!("unexpected indentation of {indent} spaces"),
                ));
            }
        }
    }
    let mut descriptors = Descriptors::new();
    let mut idx = Vec::with_capacity(entries.len());
    for e in &entries {
        let Some((name, _)) = e.keys.first().and_then(|k| split_descriptor(k)) else {
            return Err(ParseError::at_line(
                e.line,
                format!("entry key {:?} is not name@range", e.keys.join(", ")),
            ));
        };
        let Some(version) = &e.version else {
            sink.skip(Some(e.line), format!("{name}: entry has no version"));
            idx.push(None);
            continue;
        };
        let i = sink.package(Ecosystem::Npm, name, version, Some(e.line));
        for k in &e.keys {
            descriptors.insert(k.clone(), i);
        }
        idx.push(Some(i));
    }
    for (e, i) in entries.iter().zip(&idx) {
        let Some(from) = *i else { continue };
        for (name, range) in &e.deps {
            if let Some(&to) = descriptors.get(&format!("{name}@{range}")) {
                sink.relate(from, to);
            }
        }
    }
    // Classic lockfiles do not list the project itself; package.json's `name@range` pairs are
    // keys of this map.
    Ok(descriptors)
}

/// Returns the workspace root's dependencies, keyed both `name` and `name@range`.
fn parse_berry(input: &Input<'_>, sink: &mut Sink) -> Result<Descriptors, ParseError> {
    let doc: Value = serde_yaml::from_str(input.text).map_err(|e| yaml_error(&e))?;
    let Some(map) = doc.as_mapping() else {
        return Err(ParseError::at_line(1, "yarn.lock is not a mapping"));
    };
    let mut lines = LineFinder::new(input.text);
    let mut descriptors = Descriptors::new();
    let mut wants: Vec<(Option<usize>, Vec<String>)> = Vec::new();
    for (k, v) in map {
        let Some(key) = k.as_str() else { continue };
        if key == "__metadata" {
            continue;
        }
        let line = lines.find(key);
        let resolution = v.get("resolution").and_then(Value::as_str).unwrap_or(key);
        let deps: Vec<String> = v
            .get("dependencies")
            .and_then(Value::as_mapping)
            .map(|m| {
                m.iter()
                    .filter_map(|(n, r)| Some(format!("{}@{}", n.as_str()?, r.as_str()?)))
                    .collect()
            })
            .unwrap_or_default();
        // The project and its workspaces are not dependencies; their dependencies are roots.
        if resolution.contains("@workspace:") {
            wants.push((None, deps));
            continue;
        }
        let Some((name, _)) = split_descriptor(resolution) else {
            sink.skip(
                line,
                format!("resolution {resolution:?} is not name@reference"),
            );
            continue;
        };
        let version = match v.get("version") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => {
                sink.skip(line, format!("{name}: entry has no version"));
                continue;
            }
        };
        let i = sink.package(Ecosystem::Npm, name, &version, line);
        for d in key.split(", ") {
            descriptors.insert(d.trim().to_string(), i);
        }
        wants.push((Some(i), deps));
    }
    let mut roots = BTreeMap::new();
    for (from, deps) in wants {
        for d in deps {
            let Some(&to) = descriptors.get(&d) else {
                continue;
            };
            match from {
                Some(f) => sink.relate(f, to),
                None => {
                    if let Some((n, _)) = split_descriptor(&d) {
                        roots.insert(n.to_string(), to);
                    }
                }
            }
        }
    }
    Ok(roots)
}

/// Marks packages reachable only from `devDependencies` of the sibling `package.json`.
/// `roots` resolves a manifest entry either by name (berry records the workspace's own
/// dependencies) or by `name@range` (classic lockfile keys).
fn mark_dev_from_manifest(input: &Input<'_>, sink: &mut Sink, roots: &Descriptors) {
    let Ok(data) = std::fs::read(input.dir.join("package.json")) else {
        return;
    };
    let Ok(manifest) = serde_json::from_slice::<serde_json::Value>(&data) else {
        return;
    };
    let resolve = |key: &str| -> Vec<usize> {
        manifest
            .get(key)
            .and_then(serde_json::Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(n, r)| {
                        let range = r.as_str().unwrap_or_default();
                        roots
                            .get(n)
                            .or_else(|| roots.get(&format!("{n}@{range}")))
                            .copied()
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut prod = resolve("dependencies");
    prod.extend(resolve("optionalDependencies"));
    prod.extend(resolve("peerDependencies"));
    let dev = resolve("devDependencies");
    if !dev.is_empty() {
        mark_dev_only(sink, &prod, &dev);
    }
}
