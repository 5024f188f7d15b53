//! Java archives (jar, war, ear and friends): `META-INF/maven/**/pom.properties`, the main
//! section of `META-INF/MANIFEST.MF` as a fallback, and archives nested inside archives (Spring
//! Boot `BOOT-INF/lib`, `WEB-INF/lib`, ear modules). Nesting depth, entry count and the total
//! number of bytes inflated are bounded, so a zip bomb costs at most the budget.

use std::io::{Cursor, Read};

use super::ParseError;

/// File name suffixes treated as Java archives.
pub const ARCHIVE_SUFFIXES: [&str; 9] = [
    ".jar", ".war", ".ear", ".par", ".sar", ".nar", ".jpi", ".hpi", ".kar",
];

/// Whether a path names a Java archive.
pub fn is_java_archive(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    ARCHIVE_SUFFIXES.iter().any(|s| lower.ends_with(s))
}

/// Bounds for one top-level archive and everything nested in it.
#[derive(Debug, Clone, Copy)]
pub struct JavaLimits {
    /// Archives inside archives, counting the outer one as depth 1.
    pub max_depth: usize,
    /// Total bytes inflated (nested archives and metadata files) across the whole tree.
    pub max_inflated: u64,
    /// Entries per archive.
    pub max_entries: usize,
}

impl Default for JavaLimits {
    fn default() -> Self {
        JavaLimits {
            max_depth: 4,
            max_inflated: 256 << 20,
            max_entries: 200_000,
        }
    }
}

/// Where a package's identity came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// `META-INF/maven/<group>/<artifact>/pom.properties`.
    PomProperties,
    /// `META-INF/MANIFEST.MF` plus the file name.
    Manifest,
}

/// One Java package found in an archive tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JavaPackage {
    /// The archive it was found in: the outer path, then `!/inner/path.jar` per nesting level.
    pub archive: String,
    /// Maven group id (may be empty when only a manifest was found).
    pub group_id: String,
    /// Maven artifact id.
    pub artifact_id: String,
    /// Version.
    pub version: String,
    /// `Bundle-License`, when present.
    pub licenses: Vec<String>,
    /// How the identity was established.
    pub evidence: Evidence,
    /// For pom.properties packages: the metadata file's path inside the archive.
    pub pom_path: Option<String>,
}

/// Packages found plus the parts of the tree that were skipped, with reasons.
#[derive(Debug, Default)]
pub struct JavaScan {
    /// Packages, outer archive first, then nested ones in entry order.
    pub packages: Vec<JavaPackage>,
    /// `(where, why)` for archives or entries that could not be read or were over a limit.
    pub skipped: Vec<(String, String)>,
    /// Bytes inflated in total.
    pub inflated: u64,
}

/// Scans an archive and everything nested in it. `label` names the archive in results (its
/// path in the image). An unreadable top-level archive is an error; a bad nested one is a skip.
pub fn scan_archive(label: &str, data: &[u8], limits: &JavaLimits) -> Result<JavaScan, ParseError> {
    let mut scan = JavaScan::default();
    scan_one(label, data, 1, limits, &mut scan)?;
    Ok(scan)
}

fn scan_one(
    label: &str,
    data: &[u8],
    depth: usize,
    limits: &JavaLimits,
    scan: &mut JavaScan,
) -> Result<(), ParseError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(data))
        .map_err(|e| ParseError::new(format!("not a zip archive: {e}")))?;
    if zip.len() > limits.max_entries {
        return Err(ParseError::new(format!(
            "{} entries, limit {}",
            zip.len(),
            limits.max_entries
        )));
    }
    let mut manifest: Option<String> = None;
    let mut poms: Vec<(String, String)> = Vec::new();
    let mut nested: Vec<usize> = Vec::new();
    for i in 0..zip.len() {
        let entry = match zip.by_index_raw(i) {
            Ok(e) => e,
            Err(e) => {
                scan.skipped
                    .push((label.to_string(), format!("entry {i}: {e}")));
                continue;
            }
        };
        let name = entry.name().to_string();
        if entry.is_dir() {
            continue;
        }
        if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
            drop(entry);
            manifest = read_entry(&mut zip, i, label, &name, limits, scan)?
                .map(|b| String::from_utf8_lossy(&b).into_owned());
        } else if name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties") {
            drop(entry);
            if let Some(b) = read_entry(&mut zip, i, label, &name, limits, scan)? {
                poms.push((name, String::from_utf8_lossy(&b).into_owned()));
            }
        } else if is_java_archive(&name) {
            nested.push(i);
        }
    }

    let file_name = label.rsplit(['/', '!']).next().unwrap_or(label);
    let found_before = scan.packages.len();
    for (pom_path, text) in &poms {
        let props = properties(text);
        let get = |k: &str| {
            props
                .iter()
                .find(|(pk, _)| pk == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let (group_id, artifact_id, version) = (get("groupId"), get("artifactId"), get("version"));
        if artifact_id.is_empty() || version.is_empty() {
            scan.skipped.push((
                format!("{label}!/{pom_path}"),
                "pom.properties without artifactId or version".into(),
            ));
            continue;
        }
        scan.packages.push(JavaPackage {
            archive: label.to_string(),
            group_id,
            artifact_id,
            version,
            licenses: Vec::new(),
            evidence: Evidence::PomProperties,
            pom_path: Some(pom_path.clone()),
        });
    }
    let mf = manifest
        .as_deref()
        .map(manifest_main_section)
        .unwrap_or_default();
    let mf_get = |k: &str| {
        mf.iter()
            .find(|(mk, _)| mk.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.as_str())
    };
    let licenses: Vec<String> = mf_get("Bundle-License")
        .map(|l| l.split(',').map(|s| s.trim().to_string()).collect())
        .unwrap_or_default();
    if scan.packages.len() == found_before {
        if let Some(p) = from_manifest(label, file_name, &mf_get, &licenses) {
            scan.packages.push(p);
        }
    } else {
        // The manifest licence belongs to the archive's own artifact (its file name's).
        let (stem, _) = split_file_name(file_name);
        let own = &mut scan.packages[found_before..];
        let single = own.len() == 1;
        for p in own {
            if single || p.artifact_id == stem {
                p.licenses = licenses.clone();
            }
        }
    }

    for i in nested {
        let name = match zip.by_index_raw(i) {
            Ok(e) => e.name().to_string(),
            Err(e) => {
                scan.skipped
                    .push((label.to_string(), format!("entry {i}: {e}")));
                continue;
            }
        };
        let inner_label = format!("{label}!/{name}");
        if depth >= limits.max_depth {
            scan.skipped.push((
                inner_label,
                format!("nested deeper than {} archives", limits.max_depth),
            ));
            continue;
        }
        let Some(bytes) = read_entry(&mut zip, i, label, &name, limits, scan)? else {
            continue;
        };
        if let Err(e) = scan_one(&inner_label, &bytes, depth + 1, limits, scan) {
            scan.skipped.push((inner_label, e.message));
        }
    }
    Ok(())
}

/// Inflates one entry within the remaining budget. Over budget: recorded as skipped, `None`.
fn read_entry(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    i: usize,
    label: &str,
    name: &str,
    limits: &JavaLimits,
    scan: &mut JavaScan,
) -> Result<Option<Vec<u8>>, ParseError> {
    let remaining = limits.max_inflated.saturating_sub(scan.inflated);
    let mut entry = match zip.by_index(i) {
        Ok(e) => e,
        Err(e) => {
            scan.skipped
                .push((format!("{label}!/{name}"), format!("unreadable entry: {e}")));
            return Ok(None);
        }
    };
    if entry.size() > remaining {
        scan.skipped.push((
            format!("{label}!/{name}"),
            format!(
                "inflating {} bytes would pass the {} byte budget",
                entry.size(),
                limits.max_inflated
            ),
        ));
        return Ok(None);
    }
    // The declared size can lie; the budget is enforced on the bytes actually produced.
    let mut buf = Vec::with_capacity(entry.size().min(remaining).min(16 << 20) as usize);
    let res = (&mut entry).take(remaining + 1).read_to_end(&mut buf);
    scan.inflated += buf.len() as u64;
    match res {
        Ok(_) if buf.len() as u64 > remaining => {
            scan.skipped.push((
                format!("{label}!/{name}"),
                format!("inflates past the {} byte budget", limits.max_inflated),
            ));
            Ok(None)
        }
        Ok(_) => Ok(Some(buf)),
        Err(e) => {
            scan.skipped
                .push((format!("{label}!/{name}"), format!("corrupt entry: {e}")));
            Ok(None)
        }
    }
}

/// `key=value` lines of a Java properties file (comments and blank lines skipped).
pub fn properties(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'))
        .filter_map(|l| {
            let (k, v) = l.split_once(['=', ':'])?;
            Some((k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

/// The main section of a manifest: `Name: value` lines up to the first blank line, with
/// 72-column continuation lines (leading space) joined.
pub fn manifest_main_section(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break;
        }
        if let Some(cont) = line.strip_prefix(' ') {
            if let Some(last) = out.last_mut() {
                last.1.push_str(cont);
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

/// `log4j-core-2.19.0.jar` → `("log4j-core", Some("2.19.0"))`: the version starts at the first
/// `-` followed by a digit.
pub fn split_file_name(file: &str) -> (String, Option<String>) {
    let stem = match file.rfind('.') {
        Some(i) => &file[..i],
        None => file,
    };
    let bytes = stem.as_bytes();
    for (i, c) in bytes.iter().enumerate() {
        if *c == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            return (stem[..i].to_string(), Some(stem[i + 1..].to_string()));
        }
    }
    (stem.to_string(), None)
}

fn from_manifest<'a>(
    label: &str,
    file_name: &str,
    get: &dyn Fn(&str) -> Option<&'a str>,
    licenses: &[String],
) -> Option<JavaPackage> {
    let (stem, file_version) = split_file_name(file_name);
    let nonempty = |k: &str| get(k).filter(|v| !v.is_empty());
    let version = nonempty("Implementation-Version")
        .or_else(|| nonempty("Bundle-Version"))
        .or_else(|| nonempty("Specification-Version"))
        .map(str::to_string)
        .or(file_version)?;
    let artifact_id = if !stem.is_empty() {
        stem
    } else {
        nonempty("Implementation-Title")
            .or_else(|| nonempty("Bundle-Name"))?
            .to_string()
    };
    // OSGi symbolic names carry directives after `;`.
    let bsn = nonempty("Bundle-SymbolicName").map(|b| b.split(';').next().unwrap_or(b).trim());
    let group_id = nonempty("Implementation-Vendor-Id")
        .map(str::to_string)
        .or_else(|| {
            bsn.map(|b| {
                b.strip_suffix(&format!(".{artifact_id}"))
                    .unwrap_or(b)
                    .to_string()
            })
        })
        .unwrap_or_default();
    Some(JavaPackage {
        archive: label.to_string(),
        group_id,
        artifact_id,
        version,
        licenses: licenses.to_vec(),
        evidence: Evidence::Manifest,
        pom_path: None,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    pub(crate) fn fixture(name: &str) -> Vec<u8> {
        let p = format!("{}/tests/fixtures/java/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    /// Builds a jar from `(name, bytes)` entries, stored or deflated.
    pub(crate) fn jar(entries: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let method = if deflate {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        let opts = zip::write::SimpleFileOptions::default().compression_method(method);
        for (name, data) in entries {
            w.start_file(*name, opts).expect("start");
            w.write_all(data).expect("write");
        }
        w.finish().expect("finish").into_inner()
    }

    /// The real log4j-core 2.19.0 jar's metadata, as Debian's liblog4j2-java ships it.
    pub(crate) fn log4j_core_jar() -> Vec<u8> {
        let mf = fixture("log4j-core/MANIFEST.MF");
        let pom = fixture("log4j-core/pom.properties");
        jar(
            &[
                ("META-INF/MANIFEST.MF", &mf),
                (
                    "META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties",
                    &pom,
                ),
                (
                    "org/apache/logging/log4j/core/Logger.class",
                    b"\xca\xfe\xba\xbe",
                ),
            ],
            true,
        )
    }

    #[test]
    fn pom_properties_wins_over_manifest() {
        let scan = scan_archive(
            "/app/log4j-core-2.19.0.jar",
            &log4j_core_jar(),
            &JavaLimits::default(),
        )
        .expect("scan");
        assert_eq!(scan.packages.len(), 1);
        let p = &scan.packages[0];
        assert_eq!(
            (
                p.group_id.as_str(),
                p.artifact_id.as_str(),
                p.version.as_str()
            ),
            ("org.apache.logging.log4j", "log4j-core", "2.19.0")
        );
        assert_eq!(p.evidence, Evidence::PomProperties);
    }

    #[test]
    fn manifest_only_real_jar() {
        let data = fixture("atinject-jsr330-api-1.0.jar");
        let scan = scan_archive(
            "/usr/share/java/atinject-jsr330-api-1.0.jar",
            &data,
            &JavaLimits::default(),
        )
        .expect("scan");
        assert_eq!(scan.packages.len(), 1);
        let p = &scan.packages[0];
        assert_eq!(p.evidence, Evidence::Manifest);
        assert_eq!(
            (
                p.group_id.as_str(),
                p.artifact_id.as_str(),
                p.version.as_str()
            ),
            ("javax.inject", "atinject-jsr330-api", "1.0.0")
        );
    }

    #[test]
    fn spring_boot_nested_and_shaded() {
        let api_pom = fixture("log4j-api/pom.properties");
        let api_mf = fixture("log4j-api/MANIFEST.MF");
        // A shaded jar: two pom.properties, one package each.
        let shaded = jar(
            &[
                (
                    "META-INF/maven/org.apache.logging.log4j/log4j-api/pom.properties",
                    &api_pom,
                ),
                (
                    "META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties",
                    &fixture("log4j-core/pom.properties"),
                ),
            ],
            true,
        );
        let api = jar(
            &[
                ("META-INF/MANIFEST.MF", &api_mf),
                (
                    "META-INF/maven/org.apache.logging.log4j/log4j-api/pom.properties",
                    &api_pom,
                ),
            ],
            true,
        );
        // Spring Boot stores nested jars uncompressed.
        let boot = jar(
            &[
                ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\nMain-Class: org.springframework.boot.loader.JarLauncher\nStart-Class: com.example.App\nImplementation-Title: demo\nImplementation-Version: 0.0.1-SNAPSHOT\n\n"),
                ("BOOT-INF/classes/com/example/App.class", b"\xca\xfe\xba\xbe"),
                ("BOOT-INF/lib/log4j-core-2.19.0.jar", &log4j_core_jar()),
                ("BOOT-INF/lib/log4j-api-2.19.0.jar", &api),
                ("BOOT-INF/lib/uber-1.0.jar", &shaded),
            ],
            false,
        );
        let scan = scan_archive("/app/demo.jar", &boot, &JavaLimits::default()).expect("scan");
        assert!(scan.skipped.is_empty(), "{:?}", scan.skipped);
        let got: Vec<_> = scan
            .packages
            .iter()
            .map(|p| {
                (
                    p.archive.as_str(),
                    p.artifact_id.as_str(),
                    p.version.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("/app/demo.jar", "demo", "0.0.1-SNAPSHOT"),
                (
                    "/app/demo.jar!/BOOT-INF/lib/log4j-core-2.19.0.jar",
                    "log4j-core",
                    "2.19.0"
                ),
                (
                    "/app/demo.jar!/BOOT-INF/lib/log4j-api-2.19.0.jar",
                    "log4j-api",
                    "2.19.0"
                ),
                (
                    "/app/demo.jar!/BOOT-INF/lib/uber-1.0.jar",
                    "log4j-api",
                    "2.19.0"
                ),
                (
                    "/app/demo.jar!/BOOT-INF/lib/uber-1.0.jar",
                    "log4j-core",
                    "2.19.0"
                ),
            ]
        );
    }

    #[test]
    fn depth_and_bomb_limits() {
        let mut inner = log4j_core_jar();
        for i in 0..5 {
            inner = jar(&[(&format!("lib/level{i}.jar"), &inner)], false);
        }
        let scan = scan_archive("/deep.jar", &inner, &JavaLimits::default()).expect("scan");
        assert!(scan.packages.iter().all(|p| p.artifact_id != "log4j-core"));
        assert_eq!(scan.skipped.len(), 1, "{:?}", scan.skipped);
        assert!(scan.skipped[0].1.contains("nested deeper"));

        // 64 MiB of zeros deflates to ~64 KiB; with a 1 MiB budget it must be cut off.
        let zeros = vec![0u8; 64 << 20];
        let bomb = jar(&[("lib/zeros.jar", &zeros)], true);
        assert!(bomb.len() < 1 << 20);
        let limits = JavaLimits {
            max_inflated: 1 << 20,
            ..JavaLimits::default()
        };
        let scan = scan_archive("/bomb.jar", &bomb, &limits).expect("scan");
        assert!(scan.inflated <= (1 << 20) + 1, "{}", scan.inflated);
        assert_eq!(scan.skipped.len(), 1);
        assert!(scan.skipped[0].1.contains("budget"), "{:?}", scan.skipped);
    }

    #[test]
    fn not_a_zip_is_an_error() {
        assert!(scan_archive("/x.jar", b"PK\x03\x04 truncated", &JavaLimits::default()).is_err());
    }

    #[test]
    fn file_names() {
        assert_eq!(
            split_file_name("log4j-core-2.19.0.jar"),
            ("log4j-core".into(), Some("2.19.0".into()))
        );
        assert_eq!(split_file_name("app.jar"), ("app".into(), None));
    }
}
