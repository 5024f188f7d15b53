//! dpkg's control format: `/var/lib/dpkg/status`, distroless `status.d/*`, `info/*.list` and
//! machine-readable (DEP-5) `copyright` files.

use super::ParseError;

/// One installed package stanza.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DpkgEntry {
    /// `Package:`.
    pub package: String,
    /// `Version:` (with epoch when present).
    pub version: String,
    /// `Architecture:`.
    pub arch: String,
    /// The source package name from `Source:` (the binary name when absent).
    pub source: String,
    /// The source version from `Source: name (version)`, when it differs from `version`.
    pub source_version: Option<String>,
    /// `Maintainer:`.
    pub maintainer: String,
    /// `Installed-Size:` in KiB.
    pub installed_size: Option<u64>,
    /// Binary package names from `Depends:` and `Pre-Depends:`, without versions or arch.
    pub depends: Vec<String>,
    /// 1-based line of the `Package:` field, for error context.
    pub line: usize,
}

/// Splits control text into stanzas of `(field, value, line)`; continuation lines are joined with
/// `\n`. Field names are kept as written.
pub fn stanzas(text: &str) -> Vec<Vec<(String, String, usize)>> {
    let mut out = Vec::new();
    let mut cur: Vec<(String, String, usize)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some(last) = cur.last_mut() {
                last.1.push('\n');
                last.1.push_str(line.trim());
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        match line.split_once(':') {
            Some((k, v)) => cur.push((k.trim().to_string(), v.trim().to_string(), i + 1)),
            // A line with no colon is malformed; keep going so one bad line costs one field.
            None => tracing::debug!(line = i + 1, "control line without a colon"),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Parses a dpkg status database (or one distroless `status.d` file). Only stanzas whose
/// `Status:` says `installed` are returned; distroless files carry no `Status:` and count as
/// installed. Stanzas missing `Package:` or `Version:` are errors listed beside the results.
pub fn parse_status(data: &[u8]) -> (Vec<DpkgEntry>, Vec<ParseError>) {
    let text = String::from_utf8_lossy(data);
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for st in stanzas(&text) {
        let get = |name: &str| {
            st.iter()
                .find(|(k, _, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v, _)| v.as_str())
        };
        let line = st.first().map(|s| s.2).unwrap_or(0);
        if let Some(status) = get("Status") {
            // Trivy's rule plus the two states whose files are gone: unpacked or
            // trigger-pending packages are on disk and can be vulnerable.
            if status
                .split_whitespace()
                .any(|w| matches!(w, "deinstall" | "purge" | "config-files" | "not-installed"))
            {
                continue;
            }
        }
        let (Some(package), Some(version)) = (get("Package"), get("Version")) else {
            errors.push(ParseError::at_line(
                line,
                "stanza without Package or Version",
            ));
            continue;
        };
        let (source, source_version) = match get("Source") {
            Some(s) => split_source(s),
            None => (package.to_string(), None),
        };
        let mut depends = Vec::new();
        for field in ["Pre-Depends", "Depends"] {
            if let Some(d) = get(field) {
                depends.extend(dependency_names(d));
            }
        }
        depends.sort();
        depends.dedup();
        entries.push(DpkgEntry {
            package: package.to_string(),
            version: version.to_string(),
            arch: get("Architecture").unwrap_or_default().to_string(),
            source,
            source_version: source_version.filter(|sv| sv != version),
            maintainer: get("Maintainer").unwrap_or_default().to_string(),
            installed_size: get("Installed-Size").and_then(|s| s.trim().parse().ok()),
            depends,
            line,
        });
    }
    (entries, errors)
}

/// `Source: glibc (2.36-9)` → `("glibc", Some("2.36-9"))`.
fn split_source(s: &str) -> (String, Option<String>) {
    match s.split_once('(') {
        Some((name, rest)) => {
            let v = rest.trim_end().trim_end_matches(')').trim();
            (
                name.trim().to_string(),
                (!v.is_empty()).then(|| v.to_string()),
            )
        }
        None => (s.trim().to_string(), None),
    }
}

/// Package names from a dependency field: `a (>= 1), b | c, d:any` → `a, b, c, d`.
fn dependency_names(field: &str) -> impl Iterator<Item = String> + '_ {
    field.split([',', '|']).filter_map(|alt| {
        let name = alt.split_whitespace().next()?;
        let name = name.split(':').next().unwrap_or(name);
        (!name.is_empty()).then(|| name.to_string())
    })
}

/// The files an `info/<pkg>.list` file names. Directories are included as dpkg lists them;
/// callers only compare against regular-file paths so they do no harm.
pub fn parse_list(data: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(data)
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('/') && *l != "/.")
        .map(str::to_string)
        .collect()
}

/// The files an `info/<pkg>.md5sums` file names (`<md5>  usr/bin/x`), made absolute.
pub fn parse_md5sums(data: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(data)
        .lines()
        .filter_map(|l| {
            let (_, path) = l.split_once(char::is_whitespace)?;
            let path = path.trim_start();
            (!path.is_empty()).then(|| format!("/{}", path.trim_start_matches('/')))
        })
        .collect()
}

/// The licence names of a machine-readable (DEP-5) `copyright` file, in first-seen order. A
/// free-form copyright file yields nothing: guessing licences from prose is not cheap.
pub fn copyright_licenses(data: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(data);
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("License:") else {
            continue;
        };
        let name = rest.trim();
        if name.is_empty() {
            continue;
        }
        if !out.iter().any(|o| o == name) {
            out.push(name.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let p = format!("{}/tests/fixtures/dpkg/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    #[test]
    fn status_keeps_source_name_and_version() {
        let (entries, errors) = parse_status(&fixture("status"));
        assert!(errors.is_empty(), "{errors:?}");
        let libc = entries
            .iter()
            .find(|e| e.package == "libc6")
            .expect("libc6");
        assert_eq!(libc.source, "glibc");
        assert_eq!(libc.version, "2.36-9+deb12u14");
        assert_eq!(libc.arch, "amd64");
        assert_eq!(libc.depends, ["libgcc-s1"]);
        let binutils = entries
            .iter()
            .find(|e| e.package == "libbinutils")
            .expect("libbinutils");
        assert_eq!(binutils.source, "binutils");
        let with_sv = entries
            .iter()
            .find(|e| e.source_version.is_some())
            .expect("binNMU source");
        assert_ne!(
            with_sv.source_version.as_deref(),
            Some(with_sv.version.as_str())
        );
        // The fixture carries one `deinstall ok config-files` stanza that must not count.
        assert!(!entries.iter().any(|e| e.package == "removed-pkg"));
    }

    #[test]
    fn distroless_status_d_file() {
        let (entries, errors) = parse_status(&fixture("status.d/base-files"));
        assert!(errors.is_empty());
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].package, "base-files");
    }

    #[test]
    fn stanza_without_version_is_an_error_not_a_package() {
        let (entries, errors) =
            parse_status(b"Package: a\nStatus: install ok installed\n\nPackage: b\nVersion: 1\n");
        assert_eq!(entries.len(), 1);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, Some(1));
    }

    #[test]
    fn list_and_md5sums_and_copyright() {
        let files = parse_list(&fixture("python3-yaml.list"));
        assert!(
            files.iter().any(|f| f.ends_with("/yaml/__init__.py")),
            "{files:?}"
        );
        let sums = parse_md5sums(&fixture("python3-yaml.md5sums"));
        assert!(sums.iter().all(|f| f.starts_with("/usr/")));
        assert!(sums.iter().any(|f| f.ends_with("METADATA")));
        assert_eq!(copyright_licenses(&fixture("copyright-zlib1g")), ["Zlib"]);
        assert!(copyright_licenses(b"This is free-form prose.\n").is_empty());
    }
}
