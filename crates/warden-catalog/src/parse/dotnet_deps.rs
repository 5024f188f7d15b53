//! .NET `*.deps.json`: the runtime's dependency manifest beside every published application.
//! `libraries` lists what was resolved; `targets` gives each library's dependencies.

use std::collections::BTreeMap;

use serde_json::Value;

use super::ParseError;

/// One NuGet package of a deps.json.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotnetLibrary {
    /// Package id.
    pub name: String,
    /// Package version.
    pub version: String,
    /// `sha512-...` from `libraries`, when recorded.
    pub sha512: String,
    /// `name/version` keys of its dependencies that are packages of this file.
    pub depends_on: Vec<String>,
}

/// Parses a deps.json. Only `"type": "package"` libraries are NuGet packages; `project` and
/// `reference` entries are the application itself or framework assemblies.
pub fn parse_deps_json(data: &[u8]) -> Result<Vec<DotnetLibrary>, ParseError> {
    let v: Value = serde_json::from_slice(data)?;
    let libs = v
        .get("libraries")
        .and_then(Value::as_object)
        .ok_or_else(|| ParseError::new("deps.json without a libraries object"))?;
    let target_name = v
        .get("runtimeTarget")
        .and_then(|t| t.get("name"))
        .and_then(Value::as_str);
    let targets = v.get("targets").and_then(Value::as_object);
    // The runtime target when named, else every target (portable apps list several).
    let mut deps_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(targets) = targets {
        for (tname, t) in targets {
            if target_name.is_some_and(|n| n != tname) {
                continue;
            }
            for (key, lib) in t.as_object().into_iter().flatten() {
                let deps = lib.get("dependencies").and_then(Value::as_object);
                let entry = deps_of.entry(key.clone()).or_default();
                for (dn, dv) in deps.into_iter().flatten() {
                    if let Some(dv) = dv.as_str() {
                        entry.push(format!("{dn}/{dv}"));
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    for (key, lib) in libs {
        if lib.get("type").and_then(Value::as_str) != Some("package") {
            continue;
        }
        let Some((name, version)) = key.split_once('/') else {
            return Err(ParseError::new(format!(
                "library key '{key}' is not name/version"
            )));
        };
        let mut depends_on: Vec<String> = deps_of
            .get(key)
            .into_iter()
            .flatten()
            .filter(|d| {
                libs.get(d.as_str())
                    .and_then(|l| l.get("type"))
                    .and_then(Value::as_str)
                    == Some("package")
            })
            .cloned()
            .collect();
        depends_on.sort();
        depends_on.dedup();
        out.push(DotnetLibrary {
            name: name.to_string(),
            version: version.to_string(),
            sha512: lib
                .get("sha512")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            depends_on,
        });
    }
    out.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pythonnet_runtime_deps() {
        let p = format!(
            "{}/tests/fixtures/dotnet/Python.Runtime.deps.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let data = std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
        let libs = parse_deps_json(&data).expect("parse");
        assert!(
            !libs.iter().any(|l| l.name == "Python.Runtime"),
            "the project itself is not a package"
        );
        let hashing = libs
            .iter()
            .find(|l| l.name == "System.IO.Hashing")
            .expect("System.IO.Hashing");
        assert_eq!(hashing.version, "10.0.12");
        assert_eq!(
            hashing.depends_on,
            ["System.Buffers/4.6.1", "System.Memory/4.6.3"]
        );
        assert!(hashing.sha512.starts_with("sha512-"));
        let csharp = libs
            .iter()
            .find(|l| l.name == "Microsoft.CSharp")
            .expect("csharp");
        assert_eq!(csharp.version, "4.7.0");
    }

    #[test]
    fn malformed() {
        assert!(parse_deps_json(b"{}").is_err());
        assert!(parse_deps_json(br#"{"libraries":{"NoSlash":{"type":"package"}}}"#).is_err());
    }
}
