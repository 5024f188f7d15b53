//! `poetry.lock`: every `[[package]]` with its `[package.dependencies]`. Dev packages are
//! marked from `category = "dev"` (lock format 1.x) or `groups` without `main` (2.x).

use std::collections::BTreeMap;

use serde::Deserialize;
use warden_core::Ecosystem;

use super::{pep503, toml_error, Input, LineFinder, Sink};
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
    category: Option<String>,
    groups: Option<Vec<String>>,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
}

pub(crate) fn parse(input: &Input<'_>, sink: &mut Sink) -> Result<(), ParseError> {
    let lock: Lock = toml::from_str(input.text).map_err(|e| toml_error(input.text, &e))?;
    let mut lines = LineFinder::new(input.text);
    let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
    let mut idx = Vec::with_capacity(lock.package.len());
    for p in &lock.package {
        let line = lines.find("[[package]]");
        let (Some(name), Some(version)) = (p.name.as_deref(), p.version.as_deref()) else {
            sink.skip(line, "[[package]] without name or version");
            idx.push(None);
            continue;
        };
        let i = sink.package(Ecosystem::Pypi, &pep503(name), version, line);
        let dev = match (&p.groups, p.category.as_deref()) {
            (Some(g), _) => !g.iter().any(|g| g == "main"),
            (None, Some(c)) => c == "dev",
            (None, None) => false,
        };
        if dev {
            sink.mark_dev(i);
        }
        by_name.insert(pep503(name), i);
        idx.push(Some(i));
    }
    for (p, i) in lock.package.iter().zip(idx) {
        let Some(from) = i else { continue };
        for d in p.dependencies.keys() {
            if let Some(&to) = by_name.get(&pep503(d)) {
                sink.relate(from, to);
            }
        }
    }
    Ok(())
}
