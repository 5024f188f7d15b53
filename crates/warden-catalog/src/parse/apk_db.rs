//! apk's installed database, `/lib/apk/db/installed`: blank-line separated records of
//! one-letter fields (`P:` name, `V:` version, `o:` origin, `F:` directory, `R:` file in it...).

use super::ParseError;

/// One installed apk package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApkEntry {
    /// `P:`.
    pub name: String,
    /// `V:`.
    pub version: String,
    /// `A:`.
    pub arch: String,
    /// `o:`, the origin (source) package, when present.
    pub origin: Option<String>,
    /// `L:`.
    pub license: String,
    /// `m:`.
    pub maintainer: String,
    /// `c:`, the aports commit the package was built from.
    pub commit: String,
    /// `C:`, the package checksum (`Q1...`).
    pub checksum: String,
    /// Dependency names from `D:` with version constraints and `so:`/`cmd:` provides removed
    /// where they are plain names.
    pub depends: Vec<String>,
    /// Names this package provides (`p:` without versions: `so:libc.musl-x86_64.so.1`, `cmd:sh`).
    pub provides: Vec<String>,
    /// Absolute paths of the files the package owns (`F:` directory + `R:` name).
    pub files: Vec<String>,
    /// 1-based line of the record's first field.
    pub line: usize,
}

/// Parses the whole database. Records without `P:` or `V:` become errors.
pub fn parse_installed(data: &[u8]) -> (Vec<ApkEntry>, Vec<ParseError>) {
    let text = String::from_utf8_lossy(data);
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut cur = ApkEntry::default();
    let mut dir = String::new();
    let mut started = false;
    let mut flush = |cur: &mut ApkEntry, started: &mut bool, out: &mut Vec<ApkEntry>| {
        if !*started {
            return;
        }
        let e = std::mem::take(cur);
        *started = false;
        if e.name.is_empty() || e.version.is_empty() {
            errors.push(ParseError::at_line(e.line, "record without P: or V:"));
        } else {
            out.push(e);
        }
    };
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.is_empty() {
            flush(&mut cur, &mut started, &mut out);
            dir.clear();
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        if !started {
            started = true;
            cur.line = i + 1;
        }
        match k {
            "P" => cur.name = v.to_string(),
            "V" => cur.version = v.to_string(),
            "A" => cur.arch = v.to_string(),
            "o" => cur.origin = (!v.is_empty()).then(|| v.to_string()),
            "L" => cur.license = v.to_string(),
            "m" => cur.maintainer = v.to_string(),
            "c" => cur.commit = v.to_string(),
            "C" => cur.checksum = v.to_string(),
            "D" => cur.depends.extend(
                v.split_whitespace()
                    // `!name` is a conflict, not a dependency.
                    .filter(|d| !d.starts_with('!'))
                    .map(|d| {
                        d.split(['<', '>', '=', '~'])
                            .next()
                            .unwrap_or(d)
                            .to_string()
                    })
                    .filter(|d| !d.is_empty()),
            ),
            "p" => cur.provides.extend(
                v.split_whitespace()
                    .map(|d| d.split('=').next().unwrap_or(d).to_string())
                    .filter(|d| !d.is_empty()),
            ),
            "F" => dir = v.to_string(),
            "R" => {
                let path = if dir.is_empty() {
                    format!("/{v}")
                } else {
                    format!("/{dir}/{v}")
                };
                cur.files.push(path);
            }
            _ => {}
        }
    }
    flush(&mut cur, &mut started, &mut out);
    (out, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_alpine_base_records() {
        let p = format!(
            "{}/tests/fixtures/apk/installed",
            env!("CARGO_MANIFEST_DIR")
        );
        let data = std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
        let (pkgs, errors) = parse_installed(&data);
        assert!(errors.is_empty(), "{errors:?}");
        let names: Vec<_> = pkgs.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "alpine-baselayout-data",
                "musl",
                "busybox",
                "libcrypto3",
                "ssl_client"
            ]
        );
        let musl = &pkgs[1];
        assert_eq!(musl.version, "1.2.5-r0");
        assert_eq!(musl.origin.as_deref(), Some("musl"));
        assert_eq!(musl.license, "MIT");
        assert_eq!(
            musl.files,
            ["/lib/ld-musl-x86_64.so.1", "/lib/libc.musl-x86_64.so.1"]
        );
        let crypto = &pkgs[3];
        assert_eq!(crypto.origin.as_deref(), Some("openssl"));
        assert!(
            crypto
                .depends
                .iter()
                .any(|d| d == "so:libc.musl-x86_64.so.1"),
            "{:?}",
            crypto.depends
        );
        assert_eq!(crypto.provides, ["so:libcrypto.so.3"]);
    }

    #[test]
    fn record_without_version_is_reported() {
        let (pkgs, errors) = parse_installed(b"P:a\nV:1\n\nP:b\nA:x86_64\n");
        assert_eq!(pkgs.len(), 1);
        assert_eq!(errors, [ParseError::at_line(4, "record without P: or V:")]);
    }
}
