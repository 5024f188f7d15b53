//! End to end: an image built by the real Docker engine, read through every source (daemon,
//! docker-archive, OCI layout, OCI archive, registry, rootfs dir), must give the same package set,
//! and the package a later layer deletes must be gone.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::*;

type Coords = BTreeSet<(String, String, String)>;

fn coords(json: &[u8]) -> Coords {
    let v: serde_json::Value = serde_json::from_slice(json).expect("inventory JSON");
    v["packages"]
        .as_array()
        .expect("packages array")
        .iter()
        .map(|p| {
            (
                p["ecosystem"].as_str().unwrap_or_default().to_string(),
                p["name"].as_str().unwrap_or_default().to_string(),
                p["version"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn sbom_json(target: &str, extra: &[&str]) -> Vec<u8> {
    let out = ok(warden()
        .args(["sbom", "--format", "json", "-q"])
        .args(extra)
        .arg(target));
    out.stdout
}

/// Copies the fixture tree into a build context and writes the Dockerfile: one layer per
/// ecosystem, then a layer that deletes the `requests` dist-info (a whiteout).
fn build_context(dir: &Path) {
    let src = fixtures().join("image");
    ok(Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", src.display()))
        .arg(dir.join("root")));
    ok(Command::new("cp")
        .arg("/bin/busybox")
        .arg(dir.join("busybox")));
    // The real Go and cargo-auditable executables the catalog crate's tests use.
    let bins = dir.join("bins");
    std::fs::create_dir_all(&bins).expect("mkdir");
    let catalog = Path::new(env!("CARGO_MANIFEST_DIR")).join("../warden-catalog/tests/fixtures");
    ok(Command::new("cp")
        .arg(catalog.join("go/wardenhello"))
        .arg(catalog.join("rust/wardenaud"))
        .arg(&bins));
    let dockerfile = "\
FROM scratch
COPY busybox /bin/busybox
COPY root/etc/ /etc/
COPY root/usr/lib/os-release /usr/lib/os-release
COPY root/var/ /var/
COPY root/usr/lib/python3/ /usr/lib/python3/
COPY root/usr/local/ /usr/local/
COPY root/app/ /app/
COPY bins/ /opt/bin/
RUN [\"/bin/busybox\", \"rm\", \"-rf\", \"/usr/local/lib/python3.11/site-packages/requests-2.25.0.dist-info\"]
";
    std::fs::write(dir.join("Dockerfile"), dockerfile).expect("write Dockerfile");
}

#[test]
fn every_source_yields_the_same_packages() {
    if !docker_available() || !tool_available("skopeo") || !tool_available("docker-registry") {
        return;
    }
    assert!(
        Path::new("/bin/busybox").exists(),
        "busybox-static is needed (scripts/setup.sh)"
    );
    let work = tempfile::tempdir().expect("temp dir");
    let ctx = work.path().join("ctx");
    std::fs::create_dir_all(&ctx).expect("mkdir");
    build_context(&ctx);
    let tag = format!("warden-e2e/sources:{}", std::process::id());
    let image = TestImage::build(&ctx, &tag);

    // Daemon, streamed through the engine API.
    let daemon = coords(&sbom_json(&format!("docker:{}", image.tag), &[]));

    // docker-archive.
    let archive = work.path().join("image.tar");
    ok(Command::new("docker")
        .args(["save", "-o"])
        .arg(&archive)
        .arg(&image.tag));
    let from_archive = coords(&sbom_json(
        &format!("docker-archive:{}", archive.display()),
        &[],
    ));
    let auto = coords(&sbom_json(&archive.display().to_string(), &[]));

    // OCI layout directory and OCI archive, written by skopeo.
    let layout = work.path().join("layout");
    ok(Command::new("skopeo")
        .args(["copy", "--quiet"])
        .arg(format!("docker-archive:{}", archive.display()))
        .arg(format!("oci:{}:latest", layout.display())));
    let from_layout = coords(&sbom_json(&format!("oci-dir:{}", layout.display()), &[]));
    let oci_tar = work.path().join("image-oci.tar");
    ok(Command::new("skopeo")
        .args(["copy", "--quiet"])
        .arg(format!("docker-archive:{}", archive.display()))
        .arg(format!("oci-archive:{}:latest", oci_tar.display())));
    let from_oci_archive = coords(&sbom_json(
        &format!("oci-archive:{}", oci_tar.display()),
        &[],
    ));

    // A real registry on loopback.
    let registry = Registry::start(None);
    let remote = format!("{}/warden/sources:1", registry.addr);
    ok(Command::new("skopeo")
        .args(["copy", "--quiet", "--dest-tls-verify=false"])
        .arg(format!("docker-archive:{}", archive.display()))
        .arg(format!("docker://{remote}")));
    let from_registry = coords(&sbom_json(&format!("registry:{remote}"), &["--insecure"]));

    // The container's flattened rootfs as a directory.
    let rootfs = work.path().join("rootfs");
    std::fs::create_dir_all(&rootfs).expect("mkdir");
    let cid = String::from_utf8(
        ok(Command::new("docker").args(["create", &image.tag, "/bin/busybox"])).stdout,
    )
    .expect("utf8")
    .trim()
    .to_string();
    let export = work.path().join("export.tar");
    let exported = run(Command::new("docker")
        .args(["export", "-o"])
        .arg(&export)
        .arg(&cid));
    let _ = Command::new("docker").args(["rm", "-f", &cid]).output();
    assert!(exported.status.success(), "docker export failed");
    ok(Command::new("tar")
        .arg("-xf")
        .arg(&export)
        .arg("-C")
        .arg(&rootfs));
    let from_dir = coords(&sbom_json(&format!("dir:{}", rootfs.display()), &[]));

    let want: &[(&str, &str, &str)] = &[
        ("deb", "zlib1g", "1:1.2.13.dfsg-1"),
        ("deb", "libssl3", "3.0.19-1~deb12u2"),
        ("pypi", "PyYAML", "5.3.1"),
        ("npm", "lodash", "4.17.15"),
        ("maven", "org.apache.logging.log4j:log4j-core", "2.14.1"),
        ("maven", "org.apache.logging.log4j:log4j-api", "2.14.1"),
        ("golang", "example.com/greet", "v1.2.3"),
        ("cargo", "smallvec", "1.6.0"),
    ];
    for (eco, name, version) in want {
        let key = (eco.to_string(), name.to_string(), version.to_string());
        assert!(
            daemon.contains(&key),
            "daemon source misses {key:?}; got {daemon:#?}"
        );
    }
    // The copied-in static busybox has no package database entry: the binary classifier names
    // it from the version string it embeds, the one `busybox` itself prints.
    let banner = String::from_utf8_lossy(&run(Command::new("/bin/busybox").arg("--help")).stdout)
        .into_owned();
    let bb_version = banner
        .split_whitespace()
        .find_map(|w| w.strip_prefix('v'))
        .expect("busybox --help prints its version")
        .to_string();
    let key = ("generic".to_string(), "busybox".to_string(), bb_version);
    assert!(
        daemon.contains(&key),
        "daemon source misses {key:?}; got {daemon:#?}"
    );
    assert!(
        !daemon.iter().any(|(_, n, _)| n == "requests"),
        "requests was deleted by a later layer (whiteout) but is still reported: {daemon:#?}"
    );
    for (name, set) in [
        ("docker-archive", &from_archive),
        ("auto-detected archive", &auto),
        ("oci-dir", &from_layout),
        ("oci-archive", &from_oci_archive),
        ("registry", &from_registry),
        ("dir", &from_dir),
    ] {
        assert_eq!(set, &daemon, "{name} disagrees with the daemon source");
    }
}

#[test]
fn same_image_gives_byte_identical_sboms() {
    if !docker_available() {
        return;
    }
    let work = tempfile::tempdir().expect("temp dir");
    let ctx = work.path().join("ctx");
    std::fs::create_dir_all(&ctx).expect("mkdir");
    build_context(&ctx);
    let tag = format!("warden-e2e/determinism:{}", std::process::id());
    let image = TestImage::build(&ctx, &tag);
    let archive = work.path().join("image.tar");
    ok(Command::new("docker")
        .args(["save", "-o"])
        .arg(&archive)
        .arg(&image.tag));
    let target = format!("docker-archive:{}", archive.display());
    for format in ["cyclonedx", "spdx"] {
        let a = ok(warden().args(["sbom", "-q", "--format", format, &target])).stdout;
        let b = ok(warden().args(["sbom", "-q", "--format", format, &target])).stdout;
        assert_eq!(a, b, "{format} output differs between two runs");
        let v: serde_json::Value = serde_json::from_slice(&a).expect("valid JSON");
        assert!(v.is_object());
    }
}

#[test]
fn missing_image_is_a_clear_error() {
    let work = tempfile::tempdir().expect("temp dir");
    let missing = work.path().join("nope.tar");
    let out = run(warden()
        .args(["sbom"])
        .arg(format!("docker-archive:{}", missing.display())));
    assert_eq!(
        out.status.code(),
        Some(67),
        "exit code for an unreadable image"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nope.tar"), "the error names the file: {err}");
}

#[test]
fn output_file_is_replaced_only_on_success() {
    let work = tempfile::tempdir().expect("temp dir");
    let out_file = work.path().join("sbom.json");
    std::fs::write(&out_file, b"previous").expect("write");
    let out = run(warden()
        .args(["sbom", "-o"])
        .arg(&out_file)
        .arg("docker-archive:/nonexistent/x.tar"));
    assert!(!out.status.success());
    assert_eq!(
        std::fs::read(&out_file).expect("read"),
        b"previous",
        "a failed run must not touch -o FILE"
    );
}
