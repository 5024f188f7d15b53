//! `uv.lock`: every `[[package]]` with its `dependencies`, `optional-dependencies` and
//! `dev-dependencies`. The project itself (`source = { virtual | editable = "." }`) is not a
//! dependency and is not reported; its dependencies are the roots, and packages reachable only
//! through its dev groups are marked dev.

use std::collections::BTreeMap;

use serde::Deserialize;
use warden_core::Ecosystem;

use super::{mark_dev_only, pep503, toml_error, Input, LineFinder, Sink};
use crate::parse::ParseError;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<Pkg>,
}

#[derive(Deserialize)]
struct Pkg {
    name: Option<String>,
    version: Option<String>,
    #[serde(default)]
    source: BTreeMap<String, toml::Value>,
    #[serde(default)]
    dependencies: Vec<Dep>,
    #[serde(default, rename = "optional-dependencies")]
    optional: BTreeMap<String, Vec<Dep>>,
    #[serde(default, rename = "dev-dependencies")]
    dev: BTreeMap<String, Vec<Dep>>,
}

#[derive(Deserialize)]
struct Dep {
    name: String,
    version: Option<String>,
}

pub(crate) fn parse(input: &Input<'_>, sink: &mut Sink) -> Result<(), ParseError> {
    let lock: Lock = toml::from_str(input.text).map_err(|e| toml_error(input.text, &e))?;
    let mut lines = LineFinder::new(input.text);
    // A name locked at several versions (split by markers) is referenced with its version.
    let mut by_name: BTreeMap<String, Vec<(String, usize)>> = BTreeMap::new();
    let mut idx = Vec::with_capacity(lock.package.len());
    for p in &lock.package {
        let line = lines.find("[[package]]");
        let Some(name) = p.name.as_deref() else {
            sink.skip(line, "[[package]] without name");
            idx.push(None);
            continue;
        };
        if p.source.contains_key("virtual") || p.source.contains_key("editable") {
            idx.push(None);
            continue;
        }
        let Some(version) = p.version.as_deref() else {
            sink.skip(line, format!("{name}: no version"));
            idx.push(None);
            continue;
        };
        let i = sink.package(Ecosystem::Pypi, &pep503(name), version, line);
        by_name
            .entry(pep503(name))
            .or_default()
            .push((version.to_string(), i));
        idx.push(Some(i));
    }
    let find = |d: &Dep| -> Vec<usize> {
        let Some(cands) = by_name.get(&pep503(&d.name)) else {
            return Vec::new();
        };
        match &d.version {
            Some(v) => cands
                .iter()
                .filter(|(cv, _)| cv == v)
                .map(|c| c.1)
                .collect(),
            None => cands.iter().map(|c| c.1).collect(),
        }
    };
    let mut prod_roots = Vec::new();
    let mut dev_roots = Vec::new();
    for (p, i) in lock.package.iter().zip(&idx) {
        let runtime = p
            .dependencies
            .iter()
            .chain(p.optional.values().flatten())
            .flat_map(&find);
        let dev = p.dev.values().flatten().flat_map(&find);
        match i {
            Some(from) => {
                let targets: Vec<usize> = runtime.chain(dev).collect();
                for to in targets {
                    sink.relate(*from, to);
                }
            }
            None if p.name.is_some() => {
                prod_roots.extend(runtime);
                dev_roots.extend(dev);
            }
            None => {}
        }
    }
    if !dev_roots.is_empty() {
        mark_dev_only(sink, &prod_roots, &dev_roots);
    }
    Ok(())
}
