//! Python core metadata (`*.dist-info/METADATA`, `*.egg-info/PKG-INFO`, `EGG-INFO/PKG-INFO`)
//! and the installed-file lists beside it (`RECORD`, `installed-files.txt`).

use super::ParseError;

/// The fields warden keeps from one metadata file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PythonMetadata {
    /// `Name:` as written (normalisation happens in the adapter).
    pub name: String,
    /// `Version:`.
    pub version: String,
    /// `License-Expression:`, else a short `License:`, else the licence classifiers.
    pub licenses: Vec<String>,
    /// Names from `Requires-Dist:` lines without an `extra ==` marker.
    pub requires: Vec<String>,
}

/// Parses the RFC 822-style header block of a metadata file.
pub fn parse_metadata(data: &[u8]) -> Result<PythonMetadata, ParseError> {
    let text = String::from_utf8_lossy(data);
    let mut m = PythonMetadata::default();
    let mut license_expr = None;
    let mut license = None;
    let mut classifiers = Vec::new();
    // Field values may continue on indented lines; only `License` uses that in practice and a
    // multi-line licence is a full text, which is not a licence name anyway.
    let mut last_key = String::new();
    let mut license_lines = 0;
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            if last_key.eq_ignore_ascii_case("license") {
                license_lines += 1;
            }
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let v = v.trim();
        last_key = k.to_string();
        match k.to_ascii_lowercase().as_str() {
            "name" => m.name = v.to_string(),
            "version" => m.version = v.to_string(),
            "license-expression" => license_expr = Some(v.to_string()),
            "license" => license = Some(v.to_string()),
            "classifier" => {
                if let Some(l) = v.strip_prefix("License :: ") {
                    let name = l.rsplit(" :: ").next().unwrap_or(l).trim();
                    if name != "OSI Approved" {
                        classifiers.push(name.to_string());
                    }
                }
            }
            "requires-dist" => {
                let (req, marker) = v.split_once(';').unwrap_or((v, ""));
                if !marker.contains("extra") {
                    let name: String = req
                        .trim()
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                        .collect();
                    if !name.is_empty() {
                        m.requires.push(name);
                    }
                }
            }
            _ => {}
        }
    }
    if m.name.is_empty() || m.version.is_empty() {
        return Err(ParseError::new("metadata without Name or Version"));
    }
    m.licenses = match (license_expr, license) {
        (Some(e), _) if !e.is_empty() => vec![e],
        (_, Some(l)) if usable_license(&l) && license_lines == 0 => vec![l],
        _ => classifiers,
    };
    Ok(m)
}

fn usable_license(l: &str) -> bool {
    !l.is_empty()
        && l.len() <= 100
        && !l.eq_ignore_ascii_case("unknown")
        && !l.eq_ignore_ascii_case("UNKNOWN")
}

/// The file paths of a `RECORD` (CSV: `path,hash,size`), relative to the site directory.
pub fn parse_record(data: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(data)
        .lines()
        .filter_map(|l| {
            let l = l.trim_end_matches('\r');
            let path = if let Some(rest) = l.strip_prefix('"') {
                // CSV quoting: `""` is a literal quote inside a quoted field.
                let mut out = String::new();
                let mut chars = rest.chars().peekable();
                while let Some(c) = chars.next() {
                    if c == '"' {
                        if chars.peek() == Some(&'"') {
                            out.push('"');
                            chars.next();
                        } else {
                            break;
                        }
                    } else {
                        out.push(c);
                    }
                }
                out
            } else {
                l.split(',').next().unwrap_or("").to_string()
            };
            (!path.is_empty()).then_some(path)
        })
        .collect()
}

/// The file paths of an egg-info `installed-files.txt`, relative to the egg-info directory.
pub fn parse_installed_files(data: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(data)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let p = format!(
            "{}/tests/fixtures/python/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    #[test]
    fn dist_info_metadata() {
        let m = parse_metadata(&fixture("requests-2.34.2.dist-info/METADATA")).expect("parse");
        assert_eq!(
            (m.name.as_str(), m.version.as_str()),
            ("requests", "2.34.2")
        );
        assert_eq!(m.licenses, ["Apache-2.0"]);
        assert_eq!(
            m.requires,
            ["charset_normalizer", "idna", "urllib3", "certifi"]
        );
    }

    #[test]
    fn egg_info_pkg_info() {
        let m = parse_metadata(&fixture("PyJWT-2.6.0.egg-info/PKG-INFO")).expect("parse");
        assert_eq!((m.name.as_str(), m.version.as_str()), ("PyJWT", "2.6.0"));
        assert_eq!(m.licenses, ["MIT"]);
    }

    #[test]
    fn classifier_fallback_and_missing_version() {
        let m = parse_metadata(
            b"Name: x\nVersion: 1\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License\n",
        )
        .expect("parse");
        assert_eq!(m.licenses, ["MIT License"]);
        assert!(parse_metadata(b"Name: x\n\nVersion: 1\n").is_err());
    }

    #[test]
    fn record_paths() {
        let files = parse_record(&fixture("PyYAML-6.0.dist-info/RECORD"));
        assert!(files.iter().any(|f| f == "yaml/__init__.py"), "{files:?}");
        assert!(files.iter().any(|f| f == "PyYAML-6.0.dist-info/METADATA"));
        assert_eq!(parse_record(b"\"a,b.py\",sha256=x,1\n"), ["a,b.py"]);
    }
}
