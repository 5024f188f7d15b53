//! Composer's `vendor/composer/installed.json`: a bare array (Composer 1) or
//! `{"packages": [...], "dev-package-names": [...]}` (Composer 2).

use serde_json::Value;

use super::ParseError;

/// One installed Composer package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposerPackage {
    /// `vendor/name`.
    pub name: String,
    /// `version` as installed (`2.9.1`, `v5.4.0`, `dev-main`).
    pub version: String,
    /// `license` entries.
    pub licenses: Vec<String>,
    /// Names in `require` that are packages (not `php`, `ext-*`, `lib-*`).
    pub requires: Vec<String>,
    /// Listed in `dev-package-names` (Composer 2 only).
    pub dev: bool,
}

/// Parses either shape of installed.json.
pub fn parse_installed_json(data: &[u8]) -> Result<Vec<ComposerPackage>, ParseError> {
    let v: Value = serde_json::from_slice(data)?;
    let (list, dev_names): (&Vec<Value>, Vec<&str>) = match &v {
        Value::Array(a) => (a, Vec::new()),
        Value::Object(o) => {
            let list = o
                .get("packages")
                .and_then(Value::as_array)
                .ok_or_else(|| ParseError::new("installed.json object without a packages array"))?;
            let dev = o
                .get("dev-package-names")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            (list, dev)
        }
        _ => {
            return Err(ParseError::new(
                "installed.json is neither an array nor an object",
            ))
        }
    };
    let mut out = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
        let version = p.get("version").and_then(Value::as_str).unwrap_or_default();
        if name.is_empty() || version.is_empty() {
            return Err(ParseError::new(format!(
                "package {i} without name or version"
            )));
        }
        let licenses = match p.get("license") {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        };
        let mut requires: Vec<String> = p
            .get("require")
            .and_then(Value::as_object)
            .map(|m| m.keys().filter(|k| k.contains('/')).cloned().collect())
            .unwrap_or_default();
        requires.sort();
        out.push(ComposerPackage {
            name: name.to_string(),
            version: version.to_string(),
            licenses,
            requires,
            dev: dev_names.contains(&name),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let p = format!("{}/tests/fixtures/php/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    #[test]
    fn both_shapes_agree() {
        let v1 = parse_installed_json(&fixture("installed-v1.json")).expect("v1");
        let v2 = parse_installed_json(&fixture("installed-v2.json")).expect("v2");
        let key = |l: &[ComposerPackage]| {
            l.iter()
                .map(|p| (p.name.clone(), p.version.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(key(&v1), key(&v2));
        let monolog = &v2[0];
        assert_eq!(
            (monolog.name.as_str(), monolog.version.as_str()),
            ("monolog/monolog", "2.9.1")
        );
        assert_eq!(monolog.requires, ["psr/log"]);
        assert_eq!(monolog.licenses, ["MIT"]);
        assert!(
            v2[2].dev && !v1[2].dev,
            "only Composer 2 records dev packages"
        );
    }

    #[test]
    fn malformed() {
        assert!(parse_installed_json(b"42").is_err());
        assert!(parse_installed_json(br#"[{"name":"a/b"}]"#).is_err());
    }
}
