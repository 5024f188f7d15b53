//! `pom.xml`: the dependency versions a pom declares itself. `${property}` references are
//! resolved from the same pom's `<properties>` and its own coordinates; versions that live
//! elsewhere (a parent pom, an imported BOM, a remote repository) are not fetched — such
//! dependencies are skipped with a note, so nothing is guessed.

use std::collections::BTreeMap;

use quick_xml::events::Event;
use quick_xml::Reader;
use warden_core::Ecosystem;

use super::{line_at, Input, Sink};
use crate::parse::ParseError;

#[derive(Default, Clone)]
struct Dep {
    group: String,
    artifact: String,
    version: String,
    scope: String,
    optional: String,
    line: usize,
}

#[derive(Default)]
struct Pom {
    group: String,
    artifact: String,
    version: String,
    parent_group: String,
    parent_version: String,
    properties: BTreeMap<String, String>,
    deps: Vec<Dep>,
    managed: Vec<Dep>,
}

fn xml_error(text: &str, pos: u64, e: impl std::fmt::Display) -> ParseError {
    let pos = usize::try_from(pos).unwrap_or(usize::MAX);
    ParseError::at_line(line_at(text, pos), format!("invalid xml: {e}"))
}

fn read(text: &str) -> Result<Pom, ParseError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut pom = Pom::default();
    let mut path: Vec<String> = Vec::new();
    let mut dep: Option<Dep> = None;
    loop {
        let pos = reader.buffer_position();
        let ev = reader
            .read_event()
            .map_err(|e| xml_error(text, reader.error_position(), e))?;
        match ev {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                path.push(name);
                if is_dep(&path) {
                    dep = Some(Dep {
                        line: line_at(text, usize::try_from(pos).unwrap_or(0)),
                        ..Dep::default()
                    });
                }
            }
            Event::End(_) => {
                if is_dep(&path) {
                    if let Some(d) = dep.take() {
                        if path.get(1).map(String::as_str) == Some("dependencyManagement") {
                            pom.managed.push(d);
                        } else {
                            pom.deps.push(d);
                        }
                    }
                }
                path.pop();
            }
            Event::Text(t) => {
                let value = t
                    .unescape()
                    .map_err(|e| xml_error(text, reader.buffer_position(), e))?
                    .trim()
                    .to_string();
                let p: Vec<&str> = path.iter().map(String::as_str).collect();
                match p.as_slice() {
                    ["project", "groupId"] => pom.group = value,
                    ["project", "artifactId"] => pom.artifact = value,
                    ["project", "version"] => pom.version = value,
                    ["project", "parent", "groupId"] => pom.parent_group = value,
                    ["project", "parent", "version"] => pom.parent_version = value,
                    ["project", "properties", key] => {
                        pom.properties.insert((*key).to_string(), value);
                    }
                    [.., "dependency", field] if dep.is_some() && path.len() >= 4 => {
                        if let Some(d) = dep.as_mut() {
                            match *field {
                                "groupId" => d.group = value,
                                "artifactId" => d.artifact = value,
                                "version" => d.version = value,
                                "scope" => d.scope = value,
                                "optional" => d.optional = value,
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !path.is_empty() {
        return Err(ParseError::at_line(
            line_at(text, text.len()),
            format!("unclosed element <{}>", path.join("><")),
        ));
    }
    Ok(pom)
}

/// `project/dependencies/dependency` or `project/dependencyManagement/dependencies/dependency`.
fn is_dep(path: &[String]) -> bool {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    matches!(
        p.as_slice(),
        ["project", "dependencies", "dependency"]
            | [
                "project",
                "dependencyManagement",
                "dependencies",
                "dependency"
            ]
    )
}

/// Expands `${...}` references; `Err` names the first one that cannot be resolved.
fn resolve(pom: &Pom, value: &str) -> Result<String, String> {
    let mut out = value.to_string();
    // Properties may refer to properties; a few rounds cover real poms and stop cycles.
    for _ in 0..10 {
        let Some(start) = out.find("${") else {
            return Ok(out);
        };
        let Some(len) = out[start..].find('}') else {
            return Err(format!("unterminated \"${{\" in {value:?}"));
        };
        let key = &out[start + 2..start + len];
        let group = if pom.group.is_empty() {
            &pom.parent_group
        } else {
            &pom.group
        };
        let version = if pom.version.is_empty() {
            &pom.parent_version
        } else {
            &pom.version
        };
        let rep = match key {
            "project.version" | "pom.version" | "version" => Some(version.clone()),
            "project.groupId" | "pom.groupId" | "groupId" => Some(group.clone()),
            "project.artifactId" | "pom.artifactId" => Some(pom.artifact.clone()),
            "project.parent.version" | "parent.version" => Some(pom.parent_version.clone()),
            "project.parent.groupId" | "parent.groupId" => Some(pom.parent_group.clone()),
            k => pom.properties.get(k).cloned(),
        }
        .filter(|r| !r.is_empty());
        let Some(rep) = rep else {
            return Err(format!("${{{key}}} is not defined in this pom"));
        };
        out.replace_range(start..start + len + 1, &rep);
    }
    Err(format!("{value:?}: properties nest too deeply"))
}

pub(crate) fn parse(input: &Input<'_>, sink: &mut Sink) -> Result<(), ParseError> {
    let pom = read(input.text)?;
    if pom.artifact.is_empty() {
        return Err(ParseError::new("no <project><artifactId>: not a Maven pom"));
    }
    let managed: BTreeMap<(String, String), String> = pom
        .managed
        .iter()
        .filter(|d| d.scope != "import")
        .filter_map(|d| {
            let g = resolve(&pom, &d.group).ok()?;
            let a = resolve(&pom, &d.artifact).ok()?;
            let v = resolve(&pom, &d.version).ok().filter(|v| !v.is_empty())?;
            Some(((g, a), v))
        })
        .collect();
    // The project itself, when its coordinates are all known, is the root of the relationships.
    let project = match (
        resolve(
            &pom,
            if pom.group.is_empty() {
                &pom.parent_group
            } else {
                &pom.group
            },
        ),
        resolve(
            &pom,
            if pom.version.is_empty() {
                &pom.parent_version
            } else {
                &pom.version
            },
        ),
    ) {
        (Ok(g), Ok(v)) if !g.is_empty() && !v.is_empty() => {
            let i = sink.package(Ecosystem::Maven, &format!("{g}:{}", pom.artifact), &v, None);
            sink.meta(i, "project", "true");
            Some(i)
        }
        _ => None,
    };
    for d in &pom.deps {
        let coords = resolve(&pom, &d.group).and_then(|g| Ok((g, resolve(&pom, &d.artifact)?)));
        let (g, a) = match coords {
            Ok((g, a)) if !g.is_empty() && !a.is_empty() => (g, a),
            Ok(_) => {
                sink.skip(Some(d.line), "dependency without groupId or artifactId");
                continue;
            }
            Err(e) => {
                sink.skip(Some(d.line), format!("dependency coordinates: {e}"));
                continue;
            }
        };
        let version = if d.version.is_empty() {
            match managed.get(&(g.clone(), a.clone())) {
                Some(v) => v.clone(),
                None => {
                    sink.skip(
                        Some(d.line),
                        format!("{g}:{a}: no version in this pom (managed by a parent or BOM, not fetched)"),
                    );
                    continue;
                }
            }
        } else {
            match resolve(&pom, &d.version) {
                Ok(v) => v,
                Err(e) => {
                    sink.skip(Some(d.line), format!("{g}:{a}: version unresolved: {e}"));
                    continue;
                }
            }
        };
        let i = sink.package(
            Ecosystem::Maven,
            &format!("{g}:{a}"),
            &version,
            Some(d.line),
        );
        if !d.scope.is_empty() {
            sink.meta(i, "scope", d.scope.clone());
        }
        if d.scope == "test" {
            sink.mark_dev(i);
        }
        if d.optional == "true" {
            sink.meta(i, "optional", "true");
        }
        if let Some(p) = project {
            sink.relate(p, i);
        }
    }
    Ok(())
}
