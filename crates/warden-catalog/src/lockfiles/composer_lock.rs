//! `composer.lock`: `packages` and `packages-dev` (marked dev), with `require` links between
//! locked packages.

use std::collections::BTreeMap;

use serde_json::Value;
use warden_core::Ecosystem;

use super::{Input, LineFinder, Sink};
use crate::parse::ParseError;

pub(crate) fn parse(input: &Input<'_>, sink: &mut Sink) -> Result<(), ParseError> {
    let v: Value = serde_json::from_str(input.text)?;
    let Some(obj) = v.as_object() else {
        return Err(ParseError::at_line(1, "composer.lock is not a JSON object"));
    };
    if !obj.contains_key("packages") && !obj.contains_key("packages-dev") {
        return Err(ParseError::new(
            "composer.lock has neither \"packages\" nor \"packages-dev\"",
        ));
    }
    let mut lines = LineFinder::new(input.text);
    let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
    let mut requires: Vec<(usize, Vec<String>)> = Vec::new();
    for (section, dev) in [("packages", false), ("packages-dev", true)] {
        let list = match obj.get(section) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(a)) => a,
            Some(_) => {
                return Err(ParseError::new(format!("\"{section}\" is not an array")));
            }
        };
        lines.find(&format!("\"{section}\""));
        for (n, p) in list.iter().enumerate() {
            let name = p.get("name").and_then(Value::as_str);
            let line = name.and_then(|nm| lines.find(&format!("\"name\": \"{nm}\"")));
            let (Some(name), Some(version)) = (name, p.get("version").and_then(Value::as_str))
            else {
                sink.skip(
                    line,
                    format!("{section}[{n}]: missing \"name\" or \"version\""),
                );
                continue;
            };
            let i = sink.package(Ecosystem::Composer, name, version, line);
            if dev {
                sink.mark_dev(i);
            }
            if let Some(l) = p.get("license").and_then(Value::as_array) {
                let lic: Vec<String> = l
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect();
                sink.get_mut(i).licenses.extend(lic);
            }
            by_name.insert(name.to_ascii_lowercase(), i);
            let req = p
                .get("require")
                .and_then(Value::as_object)
                .map(|m| m.keys().map(|k| k.to_ascii_lowercase()).collect())
                .unwrap_or_default();
            requires.push((i, req));
        }
    }
    for (from, req) in requires {
        for r in req {
            // `php`, `ext-*` and `lib-*` are platform requirements, not packages.
            if let Some(&to) = by_name.get(&r) {
                sink.relate(from, to);
            }
        }
    }
    Ok(())
}
