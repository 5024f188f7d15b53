//! NuGet `packages.lock.json`: the resolved package per target framework, with their
//! dependency links. Project references (`"type": "Project"`) are the solution's own code.

use std::collections::BTreeMap;

use serde_json::Value;
use warden_core::Ecosystem;

use super::{Input, LineFinder, Sink};
use crate::parse::ParseError;

pub(crate) fn parse(input: &Input<'_>, sink: &mut Sink) -> Result<(), ParseError> {
    let v: Value = serde_json::from_str(input.text)?;
    let Some(frameworks) = v.get("dependencies").and_then(Value::as_object) else {
        return Err(ParseError::new(
            "packages.lock.json has no \"dependencies\" object",
        ));
    };
    for (tfm, deps) in frameworks {
        let Some(deps) = deps.as_object() else {
            return Err(ParseError::new(format!(
                "dependencies.\"{tfm}\" is not an object"
            )));
        };
        let mut lines = LineFinder::new(input.text);
        lines.find(&format!("\"{tfm}\""));
        // NuGet ids are case-insensitive; dependency lists may spell them differently.
        let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
        let mut wants: Vec<(usize, Vec<String>)> = Vec::new();
        for (name, d) in deps {
            let line = lines.find(&format!("\"{name}\""));
            if d.get("type").and_then(Value::as_str) == Some("Project") {
                continue;
            }
            let Some(version) = d.get("resolved").and_then(Value::as_str) else {
                sink.skip(line, format!("{tfm} {name}: no \"resolved\" version"));
                continue;
            };
            let i = sink.package(Ecosystem::Nuget, name, version, line);
            if let Some(t) = d.get("type").and_then(Value::as_str) {
                sink.meta(i, "type", t);
            }
            by_name.insert(name.to_ascii_lowercase(), i);
            let names = d
                .get("dependencies")
                .and_then(Value::as_object)
                .map(|m| m.keys().map(|k| k.to_ascii_lowercase()).collect())
                .unwrap_or_default();
            wants.push((i, names));
        }
        for (from, names) in wants {
            for n in names {
                if let Some(&to) = by_name.get(&n) {
                    sink.relate(from, to);
                }
            }
        }
    }
    Ok(())
}
