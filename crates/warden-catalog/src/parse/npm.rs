//! npm: installed `package.json` files and `package-lock.json` (lockfile versions 1, 2 and 3).

use std::collections::BTreeMap;

use serde_json::Value;

use super::ParseError;

/// The fields warden keeps from one installed `package.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageJson {
    /// `name`.
    pub name: String,
    /// `version`.
    pub version: String,
    /// `license` (string or `{type}`) or the legacy `licenses` array.
    pub licenses: Vec<String>,
    /// Names in `dependencies` and `optionalDependencies`.
    pub dependencies: Vec<String>,
}

/// Parses a `package.json`. Files without a name or version are not packages (build configs,
/// test fixtures, nested `{"type":"module"}` markers) and give `Ok(None)`.
pub fn parse_package_json(data: &[u8]) -> Result<Option<PackageJson>, ParseError> {
    let v: Value = serde_json::from_slice(data)?;
    let (Some(name), Some(version)) = (str_field(&v, "name"), str_field(&v, "version")) else {
        return Ok(None);
    };
    if name.is_empty() || version.is_empty() {
        return Ok(None);
    }
    let mut dependencies: Vec<String> = ["dependencies", "optionalDependencies"]
        .iter()
        .filter_map(|k| v.get(*k).and_then(Value::as_object))
        .flat_map(|m| m.keys().cloned())
        .collect();
    dependencies.sort();
    dependencies.dedup();
    Ok(Some(PackageJson {
        name: name.to_string(),
        version: version.to_string(),
        licenses: licenses(&v),
        dependencies,
    }))
}

fn str_field<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str).map(str::trim)
}

/// `"license": "MIT"`, `"license": {"type": "MIT"}` or `"licenses": [{"type": "MIT"}, "BSD"]`.
fn licenses(v: &Value) -> Vec<String> {
    let one = |l: &Value| -> Option<String> {
        match l {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Object(o) => o
                .get("type")
                .and_then(Value::as_str)
                .map(|s| s.trim().to_string()),
            _ => None,
        }
    };
    if let Some(l) = v.get("license").and_then(one) {
        return vec![l];
    }
    match v.get("licenses") {
        Some(Value::Array(a)) => a.iter().filter_map(one).collect(),
        Some(l) => one(l).into_iter().collect(),
        None => Vec::new(),
    }
}

/// One package of a lockfile, keyed by its install path (`node_modules/a/node_modules/b`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LockPackage {
    /// Install path inside the project.
    pub path: String,
    /// Package name (the `name` field when aliased, else the last `node_modules/` segment).
    pub name: String,
    /// Resolved version.
    pub version: String,
    /// Only needed for development.
    pub dev: bool,
    /// `license`, when the lockfile records it (v2+).
    pub licenses: Vec<String>,
    /// Indices into [`Lockfile::packages`] of the resolved dependencies.
    pub depends_on: Vec<usize>,
}

/// A parsed lockfile. Packages are sorted by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lockfile {
    /// `lockfileVersion`.
    pub version: u64,
    /// Every installed package.
    pub packages: Vec<LockPackage>,
    /// Indices of the root project's direct dependencies.
    pub root_depends_on: Vec<usize>,
}

/// Install path → (name, version, dev, licences, wanted dependency names).
type FlatEntry = (String, String, bool, Vec<String>, Vec<String>);

/// Parses a `package-lock.json` or `npm-shrinkwrap.json`, resolving dependency names to
/// packages with node's lookup rule (nearest `node_modules` up the tree).
pub fn parse_lock(data: &[u8]) -> Result<Lockfile, ParseError> {
    let v: Value = serde_json::from_slice(data)?;
    let version = v
        .get("lockfileVersion")
        .and_then(Value::as_u64)
        .unwrap_or(1);
    // path → (name, version, dev, licenses, wanted dependency names)
    let mut flat: BTreeMap<String, FlatEntry> = BTreeMap::new();
    let mut root_wants = Vec::new();
    if let Some(pkgs) = v.get("packages").and_then(Value::as_object) {
        for (path, p) in pkgs {
            let wants = dep_names(
                p,
                &["dependencies", "optionalDependencies", "peerDependencies"],
            );
            if path.is_empty() {
                root_wants = wants;
                continue;
            }
            // Links point at a workspace folder that has its own entry.
            if p.get("link").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let Some(ver) = str_field(p, "version").filter(|s| !s.is_empty()) else {
                continue;
            };
            let name = str_field(p, "name").map(str::to_string).unwrap_or_else(|| {
                path.rsplit_once("node_modules/")
                    .map_or(path.as_str(), |(_, n)| n)
                    .to_string()
            });
            let dev = p.get("dev").and_then(Value::as_bool).unwrap_or(false);
            flat.insert(
                path.clone(),
                (name, ver.to_string(), dev, licenses(p), wants),
            );
        }
    } else if let Some(deps) = v.get("dependencies").and_then(Value::as_object) {
        flatten_v1(deps, "", &mut flat, 0)?;
    } else {
        return Err(ParseError::new(
            "lockfile has neither packages nor dependencies",
        ));
    }
    let paths: Vec<String> = flat.keys().cloned().collect();
    let index: BTreeMap<&str, usize> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i))
        .collect();
    let mut packages = Vec::with_capacity(flat.len());
    for (path, (name, version, dev, licenses, wants)) in &flat {
        let mut depends_on: Vec<usize> = wants
            .iter()
            .filter_map(|w| resolve(&index, path, w))
            .collect();
        depends_on.sort_unstable();
        depends_on.dedup();
        packages.push(LockPackage {
            path: path.clone(),
            name: name.clone(),
            version: version.clone(),
            dev: *dev,
            licenses: licenses.clone(),
            depends_on,
        });
    }
    let mut root_depends_on: Vec<usize> = if version >= 2 {
        root_wants
            .iter()
            .filter_map(|w| resolve(&index, "", w))
            .collect()
    } else {
        // v1 does not record the project's own dependencies; the hoisted packages nothing else
        // requires are the best evidence of them.
        let required: std::collections::BTreeSet<usize> = packages
            .iter()
            .flat_map(|p| p.depends_on.iter().copied())
            .collect();
        packages
            .iter()
            .enumerate()
            .filter(|(i, p)| !p.path.contains("/node_modules/") && !required.contains(i))
            .map(|(i, _)| i)
            .collect()
    };
    root_depends_on.sort_unstable();
    root_depends_on.dedup();
    Ok(Lockfile {
        version,
        packages,
        root_depends_on,
    })
}

fn dep_names(p: &Value, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .filter_map(|k| p.get(*k).and_then(Value::as_object))
        .flat_map(|m| m.keys().cloned())
        .collect()
}

/// Lockfile v1 nests `dependencies` objects; flatten them into install paths like v2 writes.
fn flatten_v1(
    deps: &serde_json::Map<String, Value>,
    parent: &str,
    flat: &mut BTreeMap<String, FlatEntry>,
    depth: usize,
) -> Result<(), ParseError> {
    // Real trees are a few dozen levels at most; a deeper one is hostile.
    if depth > 256 {
        return Err(ParseError::new(
            "lockfile dependencies nested deeper than 256 levels",
        ));
    }
    for (name, d) in deps {
        let path = if parent.is_empty() {
            format!("node_modules/{name}")
        } else {
            format!("{parent}/node_modules/{name}")
        };
        if let Some(ver) = str_field(d, "version").filter(|s| !s.is_empty()) {
            // Bundled git or file deps spell the version as a URL; the name still counts.
            let dev = d.get("dev").and_then(Value::as_bool).unwrap_or(false);
            let wants = dep_names(d, &["requires"]);
            flat.insert(
                path.clone(),
                (name.clone(), ver.to_string(), dev, Vec::new(), wants),
            );
        }
        if let Some(nested) = d.get("dependencies").and_then(Value::as_object) {
            flatten_v1(nested, &path, flat, depth + 1)?;
        }
    }
    Ok(())
}

/// Node's resolution: `<from>/node_modules/<name>`, then each ancestor's `node_modules`.
fn resolve(index: &BTreeMap<&str, usize>, from: &str, name: &str) -> Option<usize> {
    let mut base = from.to_string();
    loop {
        let candidate = if base.is_empty() {
            format!("node_modules/{name}")
        } else {
            format!("{base}/node_modules/{name}")
        };
        if let Some(i) = index.get(candidate.as_str()) {
            return Some(*i);
        }
        if base.is_empty() {
            return None;
        }
        base = match base.rfind("/node_modules/") {
            Some(i) => base[..i].to_string(),
            None => String::new(),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let p = format!("{}/tests/fixtures/npm/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    #[test]
    fn installed_package_json() {
        let p = parse_package_json(&fixture("node_modules/debug/package.json"))
            .expect("parse")
            .expect("pkg");
        assert_eq!((p.name.as_str(), p.version.as_str()), ("debug", "2.6.9"));
        assert_eq!(p.licenses, ["MIT"]);
        assert_eq!(p.dependencies, ["ms"]);
        assert_eq!(
            parse_package_json(br#"{"type":"module"}"#).expect("parse"),
            None
        );
        assert!(parse_package_json(b"{not json").is_err());
    }

    fn summary(l: &Lockfile) -> Vec<(String, String, Vec<String>)> {
        l.packages
            .iter()
            .map(|p| {
                let deps = p
                    .depends_on
                    .iter()
                    .map(|i| l.packages[*i].path.clone())
                    .collect();
                (p.name.clone(), p.version.clone(), deps)
            })
            .collect()
    }

    #[test]
    fn all_lockfile_versions_agree() {
        let expected = vec![
            (
                "@isaacs/string-locale-compare".to_string(),
                "1.1.0".to_string(),
                vec![],
            ),
            (
                "debug".into(),
                "2.6.9".into(),
                vec!["node_modules/debug/node_modules/ms".to_string()],
            ),
            ("ms".into(), "2.0.0".into(), vec![]),
            ("ms".into(), "2.1.3".into(), vec![]),
        ];
        for v in 1..=3 {
            let lock = parse_lock(&fixture(&format!("lock-v{v}.json"))).expect("parse");
            assert_eq!(lock.version, v);
            assert_eq!(summary(&lock), expected, "lockfile v{v}");
            let ms = lock
                .packages
                .iter()
                .find(|p| p.path == "node_modules/ms")
                .expect("ms");
            assert!(ms.dev, "v{v}: the top-level ms is a devDependency");
            let roots: Vec<_> = lock
                .root_depends_on
                .iter()
                .map(|i| lock.packages[*i].name.as_str())
                .collect();
            assert!(roots.contains(&"debug"), "v{v}: {roots:?}");
        }
    }

    #[test]
    fn hostile_nesting_is_an_error() {
        let mut s = String::from(r#"{"lockfileVersion":1,"dependencies":"#);
        for _ in 0..300 {
            s.push_str(r#"{"a":{"version":"1","dependencies":"#);
        }
        s.push_str("{}");
        for _ in 0..300 {
            s.push_str("}}");
        }
        s.push('}');
        // serde_json's own recursion limit (128) or ours must stop it: either way an error.
        assert!(parse_lock(s.as_bytes()).is_err());
    }
}
