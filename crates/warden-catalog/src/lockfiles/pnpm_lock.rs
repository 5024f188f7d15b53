//! `pnpm-lock.yaml`: lockfile versions 5.x (`/name/1.0.0_peer`), 6.x (`/name@1.0.0(peer)`) and
//! 9.x (`name@1.0.0`, with dependencies moved to `snapshots`).
//!
//! v5 and v6 say per package whether it is dev (`dev: true`); v9 dropped that, so there a
//! package is dev when only the importers' `devDependencies` reach it.

use std::collections::BTreeMap;

use serde_yaml::Value;
use warden_core::Ecosystem;

use super::{mark_dev_only, yaml_error, Input, LineFinder, Sink};
use crate::parse::ParseError;

pub(crate) fn parse(input: &Input<'_>, sink: &mut Sink) -> Result<(), ParseError> {
    let doc: Value = serde_yaml::from_str(input.text).map_err(|e| yaml_error(&e))?;
    let major = match doc.get("lockfileVersion") {
        Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0) as u64,
        Some(Value::String(s)) => s
            .split('.')
            .next()
            .and_then(|m| m.parse().ok())
            .unwrap_or(0),
        _ => {
            return Err(ParseError::at_line(1, "no lockfileVersion"));
        }
    };
    if !(5..=9).contains(&major) {
        return Err(ParseError::at_line(
            1,
            format!("unsupported lockfileVersion {major}"),
        ));
    }
    let mut lines = LineFinder::new(input.text);
    lines.find("\npackages:");
    let mut by_coords: BTreeMap<(String, String), usize> = BTreeMap::new();
    if let Some(pkgs) = doc.get("packages").and_then(Value::as_mapping) {
        for (k, v) in pkgs {
            let Some(key) = k.as_str() else { continue };
            let line = lines.find(key);
            let named = v
                .get("name")
                .and_then(Value::as_str)
                .zip(v.get("version").and_then(Value::as_str));
            let coords = match named {
                // Tarball and git dependencies are keyed by URL and carry their own name.
                Some((n, ver)) => Some((n.to_string(), ver.to_string())),
                None => split_key(key, major),
            };
            let Some((name, version)) = coords else {
                sink.skip(line, format!("package key {key:?} has no name and version"));
                continue;
            };
            let i = sink.package(Ecosystem::Npm, &name, &version, line);
            if major < 9 && v.get("dev").and_then(Value::as_bool) == Some(true) {
                sink.mark_dev(i);
            }
            by_coords.insert((name, version), i);
        }
    }
    // v9 keeps dependencies in `snapshots`, keyed like packages plus a peer suffix.
    let dep_source = if major >= 9 { "snapshots" } else { "packages" };
    if let Some(entries) = doc.get(dep_source).and_then(Value::as_mapping) {
        for (k, v) in entries {
            let Some(key) = k.as_str() else { continue };
            let Some(from) = split_key(key, major).and_then(|c| by_coords.get(&c).copied()) else {
                continue;
            };
            for section in ["dependencies", "optionalDependencies"] {
                for to in deps_of(v.get(section), major, &by_coords) {
                    sink.relate(from, to);
                }
            }
        }
    }
    if major >= 9 {
        let (prod, dev) = roots(&doc, major, &by_coords);
        mark_dev_only(sink, &prod, &dev);
    }
    Ok(())
}

/// Strips pnpm's peer-dependency suffix: `(react@18.2.0)` in v6+, `_react@18.2.0` in v5.
fn strip_peers(version: &str, major: u64) -> &str {
    let v = version.split('(').next().unwrap_or(version);
    if major < 6 {
        v.split('_').next().unwrap_or(v)
    } else {
        v
    }
}

/// `name` and `version` from a package key of the given lockfile major version.
fn split_key(key: &str, major: u64) -> Option<(String, String)> {
    let k = key.strip_prefix('/').unwrap_or(key);
    let k = if major < 6 {
        k
    } else {
        k.split('(').next().unwrap_or(k)
    };
    let (name, version) = if major < 6 {
        k.rsplit_once('/')?
    } else {
        let at = k.get(1..)?.find('@')? + 1;
        (&k[..at], &k[at + 1..])
    };
    if name.is_empty() || version.is_empty() || name.contains(':') {
        return None;
    }
    Some((name.to_string(), strip_peers(version, major).to_string()))
}

/// Resolves a `{name: version}` dependency map. A value can also be a full key (an alias such
/// as `string-width-cjs: string-width@4.2.3`, or `/name/1.0.0` in v5) or a `link:` to a folder.
fn deps_of(
    section: Option<&Value>,
    major: u64,
    by_coords: &BTreeMap<(String, String), usize>,
) -> Vec<usize> {
    let Some(m) = section.and_then(Value::as_mapping) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (n, v) in m {
        let Some(name) = n.as_str() else { continue };
        // v6/v9 importers write `{specifier, version}`; packages write the version directly.
        let raw = match v {
            Value::String(s) => s.clone(),
            Value::Number(x) => x.to_string(),
            Value::Mapping(_) => match v.get("version").and_then(Value::as_str) {
                Some(s) => s.to_string(),
                None => continue,
            },
            _ => continue,
        };
        if raw.starts_with("link:") || raw.starts_with("file:") {
            continue;
        }
        let bare = strip_peers(&raw, major);
        let coords = if bare.starts_with('/') || bare.get(1..).is_some_and(|r| r.contains('@')) {
            split_key(&raw, major)
        } else {
            Some((name.to_string(), bare.to_string()))
        };
        if let Some(i) = coords.and_then(|c| by_coords.get(&c).copied()) {
            out.push(i);
        }
    }
    out
}

/// The importers' (or, before workspaces, the top level's) prod and dev roots.
fn roots(
    doc: &Value,
    major: u64,
    by_coords: &BTreeMap<(String, String), usize>,
) -> (Vec<usize>, Vec<usize>) {
    let mut importers: Vec<&Value> = Vec::new();
    match doc.get("importers").and_then(Value::as_mapping) {
        Some(m) => importers.extend(m.values()),
        None => importers.push(doc),
    }
    let mut prod = Vec::new();
    let mut dev = Vec::new();
    for imp in importers {
        for s in ["dependencies", "optionalDependencies"] {
            prod.extend(deps_of(imp.get(s), major, by_coords));
        }
        dev.extend(deps_of(imp.get("devDependencies"), major, by_coords));
    }
    (prod, dev)
}
