//! `Cargo.lock` (v1 to v4): every `[[package]]`, with `dependencies` resolved to the exact
//! package they name.

use std::collections::BTreeMap;

use serde::Deserialize;
use warden_core::Ecosystem;

use super::{toml_error, Input, LineFinder, Sink};
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
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

pub(crate) fn parse(input: &Input<'_>, sink: &mut Sink) -> Result<(), ParseError> {
    let lock: Lock = toml::from_str(input.text).map_err(|e| toml_error(input.text, &e))?;
    let mut lines = LineFinder::new(input.text);
    let mut idx: Vec<Option<usize>> = Vec::with_capacity(lock.package.len());
    // A dependency is written `name` when only one version is locked, `name version` otherwise,
    // and `name version (source)` when two sources lock the same version.
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (k, p) in lock.package.iter().enumerate() {
        let line = lines.find("[[package]]");
        let (Some(name), Some(version)) = (p.name.as_deref(), p.version.as_deref()) else {
            sink.skip(line, "[[package]] without name or version");
            idx.push(None);
            continue;
        };
        let i = sink.package(Ecosystem::Cargo, name, version, line);
        match p.source.as_deref() {
            Some(s) => sink.meta(i, "source", s),
            // No source: a workspace member or path dependency, the project's own code.
            None => sink.meta(i, "source", "local"),
        }
        if let Some(c) = &p.checksum {
            sink.meta(i, "checksum", format!("sha256:{c}"));
        }
        idx.push(Some(i));
        by_name.entry(name).or_default().push(k);
    }
    for (k, p) in lock.package.iter().enumerate() {
        let Some(from) = idx[k] else { continue };
        for d in &p.dependencies {
            let mut parts = d.splitn(3, ' ');
            let name = parts.next().unwrap_or_default();
            let version = parts.next();
            let source = parts
                .next()
                .map(|s| s.trim_start_matches('(').trim_end_matches(')'));
            let target = by_name.get(name).and_then(|ks| {
                ks.iter().copied().find(|&t| {
                    let tp = &lock.package[t];
                    version.is_none_or(|v| tp.version.as_deref() == Some(v))
                        && source.is_none_or(|s| tp.source.as_deref() == Some(s))
                })
            });
            match target.and_then(|t| idx[t]) {
                Some(to) => sink.relate(from, to),
                None => sink.skip(
                    None,
                    format!(
                        "{} {}: dependency \"{d}\" is not locked",
                        p.name.as_deref().unwrap_or_default(),
                        p.version.as_deref().unwrap_or_default()
                    ),
                ),
            }
        }
    }
    Ok(())
}
