//! `warden scan` end to end on images built with the real Docker engine (`FROM scratch`, files
//! from tests/fixtures/scan), matched against a database the tests build from the advisory
//! records in tests/fixtures/scan/vulndata. Each case builds a vulnerable and a fixed image: the
//! first must give the advisory with its fixed version, the second no finding.
//!
//! Without Docker these tests are skipped with a message, unless `CI` is set, where they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

mod common;
use common::{scan_fixture, strings, warden};
use serde_json::Value;

/// The test database, built once per test binary with `warden db build`.
fn db() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let path = dir.join("warden.db");
        let out = warden()
            .args(["db", "build", "--from"])
            .arg(scan_fixture("vulndata"))
            .arg("-o")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "db build failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        path
    })
}

/// Whether the Docker engine answers. Under `CI` a missing engine is a failure.
fn docker() -> bool {
    let ok = Command::new("docker")
        .args(["info", "--format", "{{.ServerVersion}}"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but the Docker engine is not reachable (run scripts/start-services.sh)"
        );
        eprintln!("SKIPPED: the Docker engine is not reachable (run scripts/start-services.sh)");
    }
    ok
}

/// Builds `FROM scratch` + `files` (path in image, bytes, mode) as `tag` with the engine.
fn build_image(tag: &str, files: &[(&str, Vec<u8>, u32)]) {
    use std::os::unix::fs::PermissionsExt;
    let ctx = tempfile::tempdir().unwrap();
    for (path, data, mode) in files {
        let p = ctx.path().join("rootfs").join(path.trim_start_matches('/'));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, data).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(*mode)).unwrap();
    }
    std::fs::write(
        ctx.path().join("Dockerfile"),
        "FROM scratch\nCOPY rootfs/ /\n",
    )
    .unwrap();
    let out = Command::new("docker")
        .args(["build", "--network", "none", "-q", "-t", tag])
        .arg(ctx.path())
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "docker build {tag}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn remove_image(tag: &str) {
    let _ = Command::new("docker").args(["rmi", "-f", tag]).output();
}

/// Runs `warden scan docker:TAG --format json` plus `extra`; returns the exit code and report.
fn scan(tag: &str, extra: &[&str]) -> (i32, Value) {
    let out = warden()
        .arg("scan")
        .arg(format!("docker:{tag}"))
        .arg("--db")
        .arg(db())
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "scan {tag} (exit {code}) gave no JSON: {e}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, report)
}

fn findings<'a>(report: &'a Value, package: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["package"]["name"] == package)
        .collect()
}

/// The one finding of `id` in `package`, checked for the facts every finding carries.
fn the_finding<'a>(report: &'a Value, package: &str, id: &str) -> &'a Value {
    let all = findings(report, package);
    let hits: Vec<&Value> = all
        .iter()
        .copied()
        .filter(|f| {
            f["vulnerability"]["id"] == id
                || strings(&f["vulnerability"]["aliases"]).contains(&id.to_string())
        })
        .collect();
    assert_eq!(hits.len(), 1, "{id} in {package}: {all:#?}");
    let f = hits[0];
    let layer = f["package"]["locations"][0]["layer"].as_str().unwrap_or("");
    assert!(layer.starts_with("sha256:"), "no introducing layer: {f:#}");
    let layers: Vec<&str> = report["image"]["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["diff_id"].as_str().unwrap())
        .collect();
    assert!(layers.contains(&layer), "{layer} not among {layers:?}");
    assert!(f["package"]["purl"].as_str().unwrap().starts_with("pkg:"));
    assert!(!f["matched_by"].as_array().unwrap().is_empty());
    f
}

fn version_file(rel: &str, version: &str) -> Vec<u8> {
    std::fs::read_to_string(scan_fixture(rel))
        .unwrap()
        .replace("VERSION", version)
        .into_bytes()
}

fn zip(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(method);
    for (n, d) in entries {
        w.start_file(*n, opts).unwrap();
        w.write_all(d).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A Spring Boot style fat jar with log4j-core `version` nested in `BOOT-INF/lib`.
fn fat_jar(version: &str) -> Vec<u8> {
    let core = zip(
        &[
            (
                "META-INF/MANIFEST.MF",
                format!("Manifest-Version: 1.0\nImplementation-Title: Apache Log4j Core\nImplementation-Version: {version}\n\n").as_bytes(),
            ),
            (
                "META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties",
                &version_file("rootfs/log4j-pom.properties", version),
            ),
        ],
        zip::CompressionMethod::Deflated,
    );
    zip(
        &[
            (
                "META-INF/MANIFEST.MF",
                b"Manifest-Version: 1.0\nImplementation-Title: demo\nImplementation-Version: 0.0.1\n\n",
            ),
            (&format!("BOOT-INF/lib/log4j-core-{version}.jar"), &core),
        ],
        zip::CompressionMethod::Stored,
    )
}

#[test]
fn log4j_in_a_nested_jar_fails_the_critical_gate() {
    if !docker() {
        return;
    }
    let (vuln, fixed) = (
        "warden-scan-test/log4j:2.14.1",
        "warden-scan-test/log4j:2.17.1",
    );
    build_image(vuln, &[("/app/app.jar", fat_jar("2.14.1"), 0o644)]);
    build_image(fixed, &[("/app/app.jar", fat_jar("2.17.1"), 0o644)]);

    let gate = ["--severity", "CRITICAL", "--exit-code", "1"];
    let (code, r) = scan(vuln, &gate);
    assert_eq!(code, 1, "{r:#}");
    let f = the_finding(&r, "org.apache.logging.log4j:log4j-core", "CVE-2021-44228");
    let v = &f["vulnerability"];
    assert_eq!(v["id"], "CVE-2021-44228");
    assert!(strings(&v["aliases"]).contains(&"GHSA-jfh8-c2jp-5v3q".to_string()));
    assert_eq!(v["severity"], "CRITICAL");
    assert_eq!(v["kev"], true);
    assert!(v["epss"].as_f64().unwrap() > 0.9);
    assert!(v["cvss"].as_array().unwrap().iter().any(|c| c["vector"]
        .as_str()
        .unwrap()
        .starts_with("CVSS:3.1/")
        && c["score"] == 10.0));
    assert_eq!(f["installed_version"], "2.14.1");
    assert_eq!(strings(&f["fixed_versions"]), ["2.15.0"]);
    assert_eq!(f["status"], "fixed");
    assert_eq!(f["match_type"], "ecosystem-range");
    let path = f["package"]["locations"][0]["path"].as_str().unwrap();
    assert!(path.contains("app.jar!"), "nested evidence path: {path}");
    assert_eq!(r["gate"]["failed"], true);

    let (code, r) = scan(fixed, &gate);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["summary"]["total"], 0, "{r:#}");
    assert!(r["packages_scanned"].as_u64().unwrap() >= 1);
    remove_image(vuln);
    remove_image(fixed);
}

#[test]
fn pyyaml_and_lodash() {
    if !docker() {
        return;
    }
    let files = |py: &str, js: &str| {
        vec![
            (
                "/usr/lib/python3/dist-packages/PyYAML-VER.dist-info/METADATA"
                    .replace("VER", py)
                    .leak() as &str,
                version_file("rootfs/pyyaml-METADATA", py),
                0o644,
            ),
            (
                "/app/node_modules/lodash/package.json",
                version_file("rootfs/lodash-package.json", js),
                0o644,
            ),
        ]
    };
    let (vuln, fixed) = ("warden-scan-test/pyjs:vuln", "warden-scan-test/pyjs:fixed");
    build_image(vuln, &files("5.3.1", "4.17.15"));
    build_image(fixed, &files("5.4", "4.17.20"));

    let (code, r) = scan(vuln, &["--fail-on", "high"]);
    assert_eq!(code, 2, "Grype-style --fail-on exits 2: {r:#}");
    let f = the_finding(&r, "PyYAML", "CVE-2020-14343");
    assert_eq!(strings(&f["fixed_versions"]), ["5.4"]);
    assert!(strings(&f["vulnerability"]["aliases"]).contains(&"GHSA-8q59-q68h-6hv4".to_string()));
    let f = the_finding(&r, "lodash", "CVE-2020-8203");
    assert_eq!(strings(&f["fixed_versions"]), ["4.17.20"]);
    assert_eq!(f["vulnerability"]["severity"], "HIGH");

    let (code, r) = scan(fixed, &["--fail-on", "high"]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["summary"]["total"], 0, "{r:#}");
    remove_image(vuln);
    remove_image(fixed);
}

#[test]
fn smallvec_in_a_cargo_auditable_binary_merges_rustsec_and_ghsa() {
    if !docker() {
        return;
    }
    let bin =
        |v: &str| std::fs::read(scan_fixture(&format!("rust-wardenaud-smallvec-{v}"))).unwrap();
    let (vuln, fixed) = ("warden-scan-test/rust:vuln", "warden-scan-test/rust:fixed");
    build_image(vuln, &[("/usr/local/bin/wardenaud", bin("1.6.0"), 0o755)]);
    build_image(fixed, &[("/usr/local/bin/wardenaud", bin("1.6.1"), 0o755)]);

    let (code, r) = scan(vuln, &[]);
    assert_eq!(code, 0, "no gate asked for: {r:#}");
    let f = the_finding(&r, "smallvec", "RUSTSEC-2021-0003");
    // RustSec's OSV record and GHSA's are one vulnerability, listing both sources.
    assert_eq!(findings(&r, "smallvec").len(), 1);
    let ids = strings(&f["vulnerability"]["aliases"]);
    assert!(ids.contains(&"GHSA-43w2-9j62-hq99".to_string()), "{ids:?}");
    assert_eq!(f["vulnerability"]["id"], "CVE-2021-25900");
    let sources = strings(&f["vulnerability"]["sources"]);
    assert!(sources.len() >= 2, "{sources:?}");
    assert_eq!(f["matched_by"].as_array().unwrap().len(), 2, "{f:#}");
    assert_eq!(strings(&f["fixed_versions"]), ["1.6.1"]);

    let (_, r) = scan(fixed, &[]);
    assert_eq!(r["summary"]["total"], 0, "{r:#}");
    remove_image(vuln);
    remove_image(fixed);
}

/// Builds the fixture Go program with `golang.org/x/net` at `version` (vendored stand-in).
fn go_binary(version: &str) -> Option<Vec<u8>> {
    let go = Command::new("go").arg("version").output();
    if !go.is_ok_and(|o| o.status.success()) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but the go toolchain is missing"
        );
        eprintln!("SKIPPED: the go toolchain is not installed");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    for rel in [
        "go.mod",
        "main.go",
        "vendor/modules.txt",
        "vendor/golang.org/x/net/http2/http2.go",
    ] {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, version_file(&format!("go/{rel}"), version)).unwrap();
    }
    let out = dir.path().join("app");
    let st = Command::new("go")
        .args(["build", "-trimpath", "-ldflags=-s -w", "-o"])
        .arg(&out)
        .arg(".")
        .current_dir(dir.path())
        .env("GOFLAGS", "-mod=vendor")
        .env("GOPROXY", "off")
        .env("CGO_ENABLED", "0")
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "go build: {}",
        String::from_utf8_lossy(&st.stderr)
    );
    Some(std::fs::read(out).unwrap())
}

#[test]
fn go_module_and_stdlib_in_a_go_binary() {
    if !docker() {
        return;
    }
    let (Some(old), Some(new)) = (go_binary("v0.15.0"), go_binary("v0.17.0")) else {
        return;
    };
    let (vuln, fixed) = ("warden-scan-test/go:vuln", "warden-scan-test/go:fixed");
    build_image(vuln, &[("/usr/local/bin/app", old, 0o755)]);
    build_image(fixed, &[("/usr/local/bin/app", new, 0o755)]);

    let (_, r) = scan(vuln, &[]);
    let f = the_finding(&r, "golang.org/x/net", "CVE-2023-39325");
    assert_eq!(f["installed_version"], "v0.15.0");
    // Go versions keep their `v` on both sides, as `go get` spells them.
    assert_eq!(strings(&f["fixed_versions"]), ["v0.17.0"]);
    let ids = strings(&f["vulnerability"]["aliases"]);
    assert!(
        ids.contains(&"GO-2023-2102".to_string())
            && ids.contains(&"GHSA-4374-p667-p6c8".to_string()),
        "{ids:?}"
    );

    let (_, r) = scan(fixed, &[]);
    assert!(findings(&r, "golang.org/x/net").is_empty(), "{r:#}");
    // The toolchain the binaries were built with is matched as `stdlib`; GO-2023-2102 also
    // affects net/http before 1.20.10, so a toolchain below that is reported in both images.
    let toolchain =
        String::from_utf8(Command::new("go").arg("version").output().unwrap().stdout).unwrap();
    let go_version = toolchain
        .split_whitespace()
        .nth(2)
        .unwrap_or("")
        .trim_start_matches("go")
        .to_string();
    let old_toolchain = go_version
        .split('.')
        .take(2)
        .map(|p| p.parse::<u32>().unwrap_or(99))
        .collect::<Vec<_>>()
        < vec![1, 20];
    if old_toolchain {
        let f = the_finding(&r, "stdlib", "CVE-2023-39325");
        assert_eq!(f["installed_version"], format!("v{go_version}"));
        assert_eq!(strings(&f["fixed_versions"]), ["v1.20.10", "v1.21.3"]);
    }
    remove_image(vuln);
    remove_image(fixed);
}

#[test]
fn debian_package_matched_by_source_package() {
    if !docker() {
        return;
    }
    let files = |v: &str| {
        vec![
            (
                "/etc/os-release",
                std::fs::read(scan_fixture("rootfs/debian-os-release")).unwrap(),
                0o644,
            ),
            (
                "/var/lib/dpkg/status",
                version_file("rootfs/dpkg-status", v),
                0o644,
            ),
        ]
    };
    let (vuln, fixed) = (
        "warden-scan-test/debian:vuln",
        "warden-scan-test/debian:fixed",
    );
    build_image(vuln, &files("2.36-9+deb12u1"));
    build_image(fixed, &files("2.36-9+deb12u3"));

    let (_, r) = scan(vuln, &[]);
    assert_eq!(r["os"]["id"], "debian");
    for bin in ["libc6", "libc-bin"] {
        let f = the_finding(&r, bin, "CVE-2023-4911");
        assert_eq!(f["match_type"], "distro-source-package");
        assert_eq!(f["package"]["source_name"], "glibc");
        assert_eq!(strings(&f["fixed_versions"]), ["2.36-9+deb12u3"]);
        assert_eq!(f["status"], "fixed");
        assert_eq!(f["vulnerability"]["kev"], true);
    }
    assert!(findings(&r, "base-files").is_empty());

    let (_, r) = scan(fixed, &[]);
    assert_eq!(r["summary"]["total"], 0, "{r:#}");
    remove_image(vuln);
    remove_image(fixed);
}

#[test]
fn alpine_package_matched_against_secdb_with_end_of_life_warning() {
    if !docker() {
        return;
    }
    let files = |v: &str| {
        vec![
            (
                "/etc/os-release",
                std::fs::read(scan_fixture("rootfs/alpine-os-release")).unwrap(),
                0o644,
            ),
            (
                "/lib/apk/db/installed",
                version_file("rootfs/apk-installed", v),
                0o644,
            ),
        ]
    };
    let (vuln, fixed) = (
        "warden-scan-test/alpine:vuln",
        "warden-scan-test/alpine:fixed",
    );
    build_image(vuln, &files("1.36.1-r28"));
    build_image(fixed, &files("1.36.1-r31"));

    let (_, r) = scan(vuln, &["--ignore-unfixed"]);
    let f = the_finding(&r, "busybox", "CVE-2023-42364");
    assert_eq!(f["match_type"], "distro-source-package");
    assert_eq!(strings(&f["fixed_versions"]), ["1.36.1-r29"]);
    assert_eq!(strings(&f["vulnerability"]["sources"]), ["alpine-secdb"]);
    let f = the_finding(&r, "busybox-binsh", "CVE-2024-58251");
    assert_eq!(strings(&f["fixed_versions"]), ["1.36.1-r31"]);
    // Alpine 3.20 left support on 2026-04-01: the report says so instead of a quiet result.
    let warnings = strings(&r["warnings"]);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("alpine 3.20") && w.contains("end of life")),
        "{warnings:?}"
    );

    let (_, r) = scan(fixed, &[]);
    assert_eq!(r["summary"]["total"], 0, "{r:#}");
    remove_image(vuln);
    remove_image(fixed);
}

#[test]
fn bundled_demo_image_scans() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo-image.tar");
    let out = warden()
        .arg("scan")
        .arg(format!("docker-archive:{}", demo.display()))
        .arg("--db")
        .arg(db())
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(r["packages_scanned"].as_u64().unwrap() > 0, "{r:#}");
    assert_eq!(r["gate"]["failed"], false);
    assert!(r["image"]["layers"]
        .as_array()
        .is_some_and(|l| !l.is_empty()));
    // The demo carries the same vulnerable packages as the images above.
    for (pkg, id) in [
        ("org.apache.logging.log4j:log4j-core", "CVE-2021-44228"),
        ("PyYAML", "CVE-2020-14343"),
        ("lodash", "CVE-2020-8203"),
        ("smallvec", "CVE-2021-25900"),
    ] {
        the_finding(&r, pkg, id);
    }
}
