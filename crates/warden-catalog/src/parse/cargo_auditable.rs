//! cargo-auditable dependency trees: a zlib-compressed JSON document in the `.dep-v0` section
//! of Rust executables built with `cargo auditable build`.

use std::io::Read;

use object::{Object, ObjectSection};
use serde::Deserialize;

use super::ParseError;

/// The uncompressed JSON is a few KiB per hundred crates; this bounds a zlib bomb.
const MAX_JSON: u64 = 8 << 20;

/// One crate of the embedded dependency tree.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AuditablePackage {
    /// Crate name.
    pub name: String,
    /// Crate version.
    pub version: String,
    /// `crates.io`, `local`, `git`, `registry`...
    #[serde(default)]
    pub source: String,
    /// `build` for build-time only dependencies, `runtime` (the default) otherwise.
    #[serde(default)]
    pub kind: Option<String>,
    /// Indices into the package list.
    #[serde(default)]
    pub dependencies: Vec<usize>,
    /// Whether this is the root crate of the binary.
    #[serde(default)]
    pub root: bool,
}

#[derive(Deserialize)]
struct Tree {
    packages: Vec<AuditablePackage>,
}

/// Reads the dependency tree of an executable. `Ok(None)`: no `.dep-v0` section, or not an
/// object file at all (then there is no tree to be wrong about); errors are about the tree.
pub fn parse_auditable_binary(data: &[u8]) -> Result<Option<Vec<AuditablePackage>>, ParseError> {
    let Ok(file) = object::File::parse(data) else {
        return Ok(None);
    };
    let Some(section) = file
        .sections()
        .find(|s| s.name().is_ok_and(|n| n == ".dep-v0"))
    else {
        return Ok(None);
    };
    let compressed = section
        .data()
        .map_err(|e| ParseError::new(format!("reading .dep-v0: {e}")))?;
    parse_compressed(compressed).map(Some)
}

/// Decompresses (bounded) and validates the tree: every dependency index must be in range.
pub fn parse_compressed(compressed: &[u8]) -> Result<Vec<AuditablePackage>, ParseError> {
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(compressed)
        .take(MAX_JSON + 1)
        .read_to_end(&mut json)
        .map_err(|e| ParseError::new(format!("inflating .dep-v0: {e}")))?;
    if json.len() as u64 > MAX_JSON {
        return Err(ParseError::new(format!(
            ".dep-v0 inflates past {MAX_JSON} bytes"
        )));
    }
    let tree: Tree = serde_json::from_slice(&json)?;
    let n = tree.packages.len();
    for p in &tree.packages {
        if let Some(bad) = p.dependencies.iter().find(|d| **d >= n) {
            return Err(ParseError::new(format!(
                "{}: dependency index {bad} out of {n} packages",
                p.name
            )));
        }
    }
    Ok(tree.packages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn real_cargo_auditable_binary() {
        let p = format!(
            "{}/tests/fixtures/rust/wardenaud",
            env!("CARGO_MANIFEST_DIR")
        );
        let data = std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
        let pkgs = parse_auditable_binary(&data)
            .expect("parse")
            .expect("auditable");
        let names: Vec<_> = pkgs
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.root))
            .collect();
        assert!(names.contains(&("wardenaud", "0.1.0", true)), "{names:?}");
        assert!(names.contains(&("smallvec", "1.6.0", false)), "{names:?}");
        let root = pkgs.iter().find(|p| p.root).expect("root");
        let deps: Vec<_> = root
            .dependencies
            .iter()
            .map(|i| pkgs[*i].name.as_str())
            .collect();
        assert_eq!(deps, ["smallvec"]);
    }

    #[test]
    fn plain_rust_binary_has_no_tree() {
        let data = std::fs::read(std::env::current_exe().expect("exe")).expect("read self");
        assert_eq!(parse_auditable_binary(&data).expect("parse"), None);
    }

    #[test]
    fn bombs_and_bad_indices_are_rejected() {
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(br#"{"packages":["#).expect("write");
        for _ in 0..(MAX_JSON / 1024 + 1) {
            enc.write_all(&[b' '; 1024]).expect("write");
        }
        let bomb = enc.finish().expect("finish");
        let err = parse_compressed(&bomb).expect_err("bomb");
        assert!(err.message.contains("inflates past"), "{err}");

        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(br#"{"packages":[{"name":"a","version":"1","dependencies":[5]}]}"#)
            .expect("write");
        assert!(parse_compressed(&enc.finish().expect("finish")).is_err());
    }
}
