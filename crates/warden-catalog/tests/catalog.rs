//! End-to-end: real fixture files laid out as a root filesystem (`dir:`) and as a layered
//! `docker-archive:` with a whiteout, catalogued through warden-image's real walker.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use warden_catalog::catalog_image;
use warden_core::{Ecosystem, Inventory, Package};
use warden_image::{NoProgress, OpenOptions};

fn fixture(rel: &str) -> Vec<u8> {
    let p = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// `(path in image, content, mode)` for a Debian-like image with one of each ecosystem.
fn image_files() -> Vec<(String, Vec<u8>, u32)> {
    let mut files: Vec<(String, Vec<u8>, u32)> = vec![
        (
            "/etc/os-release".into(),
            fixture("os/debian-12.os-release"),
            0o644,
        ),
        ("/var/lib/dpkg/status".into(), fixture("dpkg/status"), 0o644),
        (
            "/var/lib/dpkg/info/python3-yaml.list".into(),
            fixture("dpkg/python3-yaml.list"),
            0o644,
        ),
        (
            "/usr/share/doc/zlib1g/copyright".into(),
            fixture("dpkg/copyright-zlib1g"),
            0o644,
        ),
        // Owned by python3-yaml (its .list names it): must be dropped.
        (
            "/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA".into(),
            fixture("python/PyYAML-6.0.dist-info/METADATA"),
            0o644,
        ),
        (
            "/usr/local/lib/python3.11/site-packages/requests-2.34.2.dist-info/METADATA".into(),
            fixture("python/requests-2.34.2.dist-info/METADATA"),
            0o644,
        ),
        (
            "/usr/local/lib/python3.11/site-packages/PyJWT-2.6.0.egg-info/PKG-INFO".into(),
            fixture("python/PyJWT-2.6.0.egg-info/PKG-INFO"),
            0o644,
        ),
        (
            "/usr/local/bin/wardenhello".into(),
            fixture("go/wardenhello"),
            0o755,
        ),
        (
            "/usr/local/bin/wardenaud".into(),
            fixture("rust/wardenaud"),
            0o755,
        ),
        (
            "/usr/lib/ruby/gems/3.1.0/specifications/debug-1.4.0.gemspec".into(),
            fixture("ruby/debug-1.4.0.gemspec"),
            0o644,
        ),
        (
            "/srv/php/vendor/composer/installed.json".into(),
            fixture("php/installed-v2.json"),
            0o644,
        ),
        (
            "/opt/dotnet/Python.Runtime.deps.json".into(),
            fixture("dotnet/Python.Runtime.deps.json"),
            0o644,
        ),
        ("/opt/app/demo.jar".into(), spring_boot_jar(), 0o644),
    ];
    for rel in [
        "node_modules/debug/package.json",
        "node_modules/debug/node_modules/ms/package.json",
        "node_modules/ms/package.json",
        "node_modules/@isaacs/string-locale-compare/package.json",
    ] {
        files.push((format!("/app/{rel}"), fixture(&format!("npm/{rel}")), 0o644));
    }
    files.push((
        "/app/package-lock.json".into(),
        fixture("npm/lock-v3.json"),
        0o644,
    ));
    files
}

/// A Spring Boot fat jar holding Debian's real log4j-core 2.19.0 metadata in `BOOT-INF/lib`.
fn spring_boot_jar() -> Vec<u8> {
    let zip = |entries: &[(&str, &[u8])], method: zip::CompressionMethod| {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(method);
        for (n, d) in entries {
            w.start_file(*n, opts).expect("start");
            w.write_all(d).expect("write");
        }
        w.finish().expect("finish").into_inner()
    };
    let core = zip(
        &[
            (
                "META-INF/MANIFEST.MF",
                &fixture("java/log4j-core/MANIFEST.MF"),
            ),
            (
                "META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties",
                &fixture("java/log4j-core/pom.properties"),
            ),
        ],
        zip::CompressionMethod::Deflated,
    );
    zip(
        &[
            ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\nImplementation-Title: demo\nImplementation-Version: 0.0.1\n\n"),
            ("BOOT-INF/lib/log4j-core-2.19.0.jar", &core),
        ],
        zip::CompressionMethod::Stored,
    )
}

fn write_rootfs(root: &Path, files: &[(String, Vec<u8>, u32)]) {
    use std::os::unix::fs::PermissionsExt;
    for (path, data, mode) in files {
        let p = root.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, data).expect("write");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(*mode)).expect("chmod");
    }
}

fn find<'a>(inv: &'a Inventory, eco: Ecosystem, name: &str) -> Vec<&'a Package> {
    inv.packages
        .iter()
        .filter(|p| p.ecosystem == eco && p.name == name)
        .collect()
}

fn related(inv: &Inventory, from: &Package, to: &Package) -> bool {
    inv.relationships
        .iter()
        .any(|r| r.from == from.id && r.to == to.id)
}

#[test]
fn rootfs_every_ecosystem() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_rootfs(dir.path(), &image_files());
    let reference = format!("dir:{}", dir.path().display());
    let inv = catalog_image(&reference, &OpenOptions::default(), &NoProgress).expect("catalog");

    let os = inv.os.as_ref().expect("os detected");
    assert_eq!((os.id.as_str(), os.version_id.as_str()), ("debian", "12"));

    let libc = &find(&inv, Ecosystem::Deb, "libc6")[0];
    assert_eq!(libc.source_name.as_deref(), Some("glibc"));
    assert_eq!(
        libc.purl,
        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12&upstream=glibc"
    );
    assert_eq!(libc.locations[0].path, "/var/lib/dpkg/status");
    let zlib = &find(&inv, Ecosystem::Deb, "zlib1g")[0];
    assert_eq!(zlib.licenses, ["Zlib"]);
    let libgcc_rel = inv
        .relationships
        .iter()
        .filter(|r| r.from == libc.id)
        .count();
    assert!(libgcc_rel <= 1);

    // Python: PyYAML is owned by python3-yaml and dropped; the pip-installed ones stay.
    assert!(find(&inv, Ecosystem::Pypi, "PyYAML").is_empty());
    assert!(inv.dropped_os_owned >= 1, "{}", inv.dropped_os_owned);
    assert_eq!(find(&inv, Ecosystem::Pypi, "requests")[0].version, "2.34.2");
    assert_eq!(find(&inv, Ecosystem::Pypi, "PyJWT")[0].licenses, ["MIT"]);

    // npm: installed tree wins over the lockfile, nested ms 2.0.0 is debug's dependency.
    let ms = find(&inv, Ecosystem::Npm, "ms");
    assert_eq!(ms.len(), 2, "{ms:?}");
    let debug = find(&inv, Ecosystem::Npm, "debug")[0];
    let nested = ms.iter().find(|p| p.version == "2.0.0").expect("ms 2.0.0");
    assert!(related(&inv, debug, nested));
    assert_eq!(
        find(&inv, Ecosystem::Npm, "@isaacs/string-locale-compare")[0].purl,
        "pkg:npm/%40isaacs/string-locale-compare@1.1.0"
    );

    // Java: nested log4j-core inside the fat jar.
    let core = &find(
        &inv,
        Ecosystem::Maven,
        "org.apache.logging.log4j:log4j-core",
    )[0];
    assert_eq!(core.version, "2.19.0");
    assert_eq!(
        core.locations[0].path,
        "/opt/app/demo.jar!/BOOT-INF/lib/log4j-core-2.19.0.jar"
    );
    assert_eq!(
        core.purl,
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.19.0"
    );

    // Go: main module, dependency and toolchain, with relationships.
    let main = &find(&inv, Ecosystem::Golang, "example.com/wardenhello")[0];
    let greet = &find(&inv, Ecosystem::Golang, "example.com/greet")[0];
    let stdlib = &find(&inv, Ecosystem::Golang, "stdlib")[0];
    assert_eq!(stdlib.version, "v1.19.8");
    assert!(related(&inv, main, greet) && related(&inv, main, stdlib));

    // Rust: cargo-auditable tree.
    let aud = &find(&inv, Ecosystem::Cargo, "wardenaud")[0];
    let smallvec = &find(&inv, Ecosystem::Cargo, "smallvec")[0];
    assert_eq!(smallvec.version, "1.6.0");
    assert!(related(&inv, aud, smallvec));

    assert_eq!(find(&inv, Ecosystem::Gem, "debug")[0].version, "1.4.0");
    let monolog = &find(&inv, Ecosystem::Composer, "monolog/monolog")[0];
    let psr = &find(&inv, Ecosystem::Composer, "psr/log")[0];
    assert!(related(&inv, monolog, psr));
    assert_eq!(
        find(&inv, Ecosystem::Nuget, "System.Memory")[0].version,
        "4.6.3"
    );

    // Deterministic: a second run serialises byte for byte the same.
    let again = catalog_image(&reference, &OpenOptions::default(), &NoProgress).expect("catalog");
    assert_eq!(
        serde_json::to_string(&inv).expect("json"),
        serde_json::to_string(&again).expect("json")
    );
}

/// A tar layer from `(path, content, mode)` entries plus whiteout names.
fn layer(files: &[(String, Vec<u8>, u32)], whiteouts: &[&str]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data, mode) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(*mode);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, path.trim_start_matches('/'), data.as_slice())
            .expect("append");
    }
    for w in whiteouts {
        let mut h = tar::Header::new_gnu();
        h.set_size(0);
        h.set_mode(0o644);
        b.append_data(&mut h, w.trim_start_matches('/'), &[][..])
            .expect("whiteout");
    }
    b.into_inner().expect("tar")
}

fn sha256(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

/// Writes a `docker save` archive with the given layers and returns its path.
fn docker_archive(dir: &Path, layers: &[Vec<u8>]) -> PathBuf {
    let diff_ids: Vec<String> = layers.iter().map(|l| sha256(l)).collect();
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    });
    let config_bytes = serde_json::to_vec(&config).expect("config");
    let config_name = format!("{}.json", &sha256(&config_bytes)[7..]);
    let layer_names: Vec<String> = (0..layers.len())
        .map(|i| format!("l{i}/layer.tar"))
        .collect();
    let manifest = serde_json::json!([{"Config": config_name, "RepoTags": ["warden/catalog-test:1"], "Layers": layer_names}]);
    let mut b = tar::Builder::new(Vec::new());
    let mut add = |name: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, data).expect("append");
    };
    add(
        "manifest.json",
        &serde_json::to_vec(&manifest).expect("manifest"),
    );
    add(&config_name, &config_bytes);
    for (n, l) in layer_names.iter().zip(layers) {
        add(n, l);
    }
    let path = dir.join("image.tar");
    std::fs::write(&path, b.into_inner().expect("tar")).expect("write");
    path
}

#[test]
fn layers_whiteouts_and_attribution() {
    let files = image_files();
    let (base, app): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|(p, _, _)| !p.starts_with("/app/") && !p.starts_with("/opt/"));
    let l0 = layer(&base, &[]);
    let l1 = layer(&app, &[]);
    // The last layer deletes the fat jar and debug's nested ms.
    let l2 = layer(
        &[],
        &[
            "/opt/app/.wh.demo.jar",
            "/app/node_modules/debug/node_modules/.wh.ms",
        ],
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let tar = docker_archive(dir.path(), &[l0.clone(), l1.clone(), l2]);
    let inv = catalog_image(
        &format!("docker-archive:{}", tar.display()),
        &OpenOptions::default(),
        &NoProgress,
    )
    .expect("catalog");

    assert!(
        find(
            &inv,
            Ecosystem::Maven,
            "org.apache.logging.log4j:log4j-core"
        )
        .is_empty(),
        "jar was whited out"
    );
    let ms: Vec<_> = find(&inv, Ecosystem::Npm, "ms")
        .iter()
        .map(|p| p.version.as_str())
        .collect();
    assert_eq!(ms, ["2.1.3"]);

    let libc = &find(&inv, Ecosystem::Deb, "libc6")[0];
    assert_eq!(
        libc.locations[0].layer.as_deref(),
        Some(sha256(&l0).as_str())
    );
    let debug = &find(&inv, Ecosystem::Npm, "debug")[0];
    assert_eq!(
        debug.locations[0].layer.as_deref(),
        Some(sha256(&l1).as_str())
    );
    let go = &find(&inv, Ecosystem::Golang, "stdlib")[0];
    assert_eq!(go.locations[0].layer.as_deref(), Some(sha256(&l0).as_str()));
    assert_eq!(inv.image.as_ref().map(|m| m.layers.len()), Some(3));
}

#[test]
fn broken_files_become_skip_notes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = vec![
        (
            "/app/node_modules/bad/package.json".to_string(),
            b"{ not json".to_vec(),
            0o644,
        ),
        (
            "/var/lib/rpm/rpmdb.sqlite".to_string(),
            b"definitely not sqlite".to_vec(),
            0o644,
        ),
        (
            "/opt/broken.jar".to_string(),
            b"PK\x03\x04 and then nothing".to_vec(),
            0o644,
        ),
        (
            "/usr/lib/python3/site-packages/x-1.dist-info/METADATA".to_string(),
            b"Summary: no name\n".to_vec(),
            0o644,
        ),
    ];
    write_rootfs(dir.path(), &files);
    let inv = catalog_image(
        &format!("dir:{}", dir.path().display()),
        &OpenOptions::default(),
        &NoProgress,
    )
    .expect("catalog");
    assert!(inv.packages.is_empty());
    let at: Vec<_> = inv.skipped.iter().map(|s| s.at.as_str()).collect();
    for f in &files {
        assert!(
            at.iter().any(|a| a.starts_with(f.0.as_str())),
            "{} not reported: {:?}",
            f.0,
            inv.skipped
        );
    }
}
