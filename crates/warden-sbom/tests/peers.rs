//! Reading Syft's and Trivy's real SBOMs of the fixture image (tests/fixtures/README.md).
//!
//! The image has five layers: /etc, /var (dpkg status), /usr (dist-info, copyright), /app
//! (node_modules, jar) and /app/bin (Go binary). Expected layers are taken from the image's own
//! diff-ID list as Trivy recorded it, so the checks cross producers.

// Helpers outside #[test] fns panic on broken fixtures on purpose: that is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use warden_core::{Ecosystem, Inventory, Package};

fn load(name: &str) -> Inventory {
    let path = common::here(&format!("tests/fixtures/{name}"));
    let bytes = std::fs::read(&path).unwrap();
    warden_sbom::read(&bytes, name).unwrap_or_else(|e| panic!("{e}"))
}

/// The image's diff IDs in order, from Trivy's CycloneDX container component.
fn layers() -> Vec<String> {
    let inv = load("trivy.cdx.json");
    let img = inv.image.expect("trivy records the image");
    img.layers.into_iter().map(|l| l.diff_id).collect()
}

fn pkg<'a>(inv: &'a Inventory, eco: Ecosystem, name: &str) -> &'a Package {
    inv.packages
        .iter()
        .find(|p| p.ecosystem == eco && p.name == name)
        .unwrap_or_else(|| panic!("{eco}/{name} missing from {:#?}", inv.coordinates()))
}

fn coords(list: &[(Ecosystem, &str, &str)]) -> BTreeSet<(Ecosystem, String, String)> {
    list.iter()
        .map(|(e, n, v)| (*e, n.to_string(), v.to_string()))
        .collect()
}

fn os_and_lang_common() -> Vec<(Ecosystem, &'static str, &'static str)> {
    vec![
        (Ecosystem::Deb, "base-files", "12.4+deb12u5"),
        (Ecosystem::Deb, "libc6", "2.36-9+deb12u4"),
        (Ecosystem::Deb, "libgcc-s1", "12.2.0-14"),
        (Ecosystem::Deb, "zlib1g", "1:1.2.13.dfsg-1"),
        (Ecosystem::Npm, "@babel/helper-plugin-utils", "7.24.0"),
        (Ecosystem::Npm, "lodash", "4.17.15"),
    ]
}

#[test]
fn syft_cyclonedx_reads_into_the_model() {
    let l = layers();
    let inv = load("syft.cdx.json");
    let mut want = os_and_lang_common();
    want.extend([
        (Ecosystem::Pypi, "pyyaml", "5.3.1"),
        (
            Ecosystem::Maven,
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
        ),
        (
            Ecosystem::Golang,
            "github.com/warden-fixtures/gohello",
            "(devel)",
        ),
        (Ecosystem::Golang, "stdlib", "1.19.8"),
    ]);
    assert_eq!(inv.coordinates(), coords(&want));

    let os = inv.os.as_ref().expect("os");
    assert_eq!(
        (
            os.id.as_str(),
            os.version_id.as_str(),
            os.codename.as_deref()
        ),
        ("debian", "12", Some("bookworm"))
    );
    let img = inv.image.as_ref().expect("image");
    assert!(img
        .manifest_digest
        .as_deref()
        .is_some_and(|d| d.starts_with("sha256:")));

    let libc = pkg(&inv, Ecosystem::Deb, "libc6");
    assert_eq!(libc.source_name.as_deref(), Some("glibc"));
    assert_eq!(libc.locations.len(), 1);
    assert_eq!(libc.locations[0].path, "/var/lib/dpkg/status");
    assert_eq!(libc.locations[0].layer.as_deref(), Some(l[1].as_str()));
    assert_eq!(libc.found_by, "dpkg-db-cataloger");

    let zlib = pkg(&inv, Ecosystem::Deb, "zlib1g");
    let zl: Vec<(&str, Option<&str>)> = zlib
        .locations
        .iter()
        .map(|x| (x.path.as_str(), x.layer.as_deref()))
        .collect();
    assert_eq!(
        zl,
        vec![
            ("/usr/share/doc/zlib1g/copyright", Some(l[2].as_str())),
            ("/var/lib/dpkg/status", Some(l[1].as_str()))
        ]
    );
    assert_eq!(zlib.licenses, vec!["Zlib"]);

    let babel = pkg(&inv, Ecosystem::Npm, "@babel/helper-plugin-utils");
    assert_eq!(babel.licenses, vec!["MIT OR Apache-2.0"]);
    assert_eq!(babel.locations[0].layer.as_deref(), Some(l[3].as_str()));
    let log4j = pkg(
        &inv,
        Ecosystem::Maven,
        "org.apache.logging.log4j:log4j-core",
    );
    assert_eq!(log4j.locations[0].path, "/app/lib/log4j-core-2.14.1.jar");
    let go = pkg(
        &inv,
        Ecosystem::Golang,
        "github.com/warden-fixtures/gohello",
    );
    assert_eq!(go.locations[0].layer.as_deref(), Some(l[4].as_str()));

    let rel: BTreeSet<(String, String)> = inv
        .relationships
        .iter()
        .map(|r| {
            let n = |id: &str| {
                inv.packages
                    .iter()
                    .find(|p| p.id == id)
                    .unwrap()
                    .name
                    .clone()
            };
            (n(&r.from), n(&r.to))
        })
        .collect();
    let want: BTreeSet<(String, String)> = [
        ("libc6", "libgcc-s1"),
        ("libgcc-s1", "libc6"),
        ("zlib1g", "libc6"),
        ("github.com/warden-fixtures/gohello", "stdlib"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(rel, want);
}

#[test]
fn syft_spdx_reads_the_same_packages_and_layers_as_syft_cyclonedx() {
    let cdx = load("syft.cdx.json");
    let spdx = load("syft.spdx.json");
    assert_eq!(spdx.coordinates(), cdx.coordinates());
    for p in &cdx.packages {
        let q = pkg(&spdx, p.ecosystem, &p.name);
        assert_eq!(q.locations, p.locations, "locations of {}", p.name);
        assert_eq!(q.source_name, p.source_name, "source of {}", p.name);
    }
    assert_eq!(spdx.relationships.len(), cdx.relationships.len());
    assert_eq!(pkg(&spdx, Ecosystem::Npm, "lodash").licenses, vec!["MIT"]);
    // Syft turns a URL licence into a LicenseRef; reading maps it back to the extracted text.
    let log4j = pkg(
        &spdx,
        Ecosystem::Maven,
        "org.apache.logging.log4j:log4j-core",
    );
    assert_eq!(log4j.licenses.len(), 1);
    assert!(
        log4j.licenses[0].contains("apache.org/licenses/LICENSE-2.0"),
        "{:?}",
        log4j.licenses
    );
}

#[test]
fn trivy_cyclonedx_reads_into_the_model() {
    let l = layers();
    assert_eq!(l.len(), 5);
    let inv = load("trivy.cdx.json");
    let mut want = os_and_lang_common();
    // Trivy keeps PyPI's display spelling; it was told to skip app/lib (no Java DB offline) and
    // this Trivy build reports no module for a Go binary without dependencies.
    want.push((Ecosystem::Pypi, "PyYAML", "5.3.1"));
    assert_eq!(inv.coordinates(), coords(&want));

    let img = inv.image.as_ref().unwrap();
    assert!(img.id.starts_with("sha256:"));
    assert_eq!(inv.os.as_ref().map(|o| o.id.as_str()), Some("debian"));

    let zlib = pkg(&inv, Ecosystem::Deb, "zlib1g");
    // The epoch came back from the purl qualifier, the source version from SrcEpoch/SrcVersion/SrcRelease.
    assert_eq!(zlib.source_name.as_deref(), Some("zlib"));
    assert_eq!(zlib.source_version, None);
    // Trivy gives OS packages a layer but no path.
    assert!(zlib.locations.is_empty());
    assert_eq!(zlib.metadata.get("layerDiffID"), Some(&l[1]));

    let lodash = pkg(&inv, Ecosystem::Npm, "lodash");
    assert_eq!(lodash.locations.len(), 1);
    assert_eq!(
        lodash.locations[0].path,
        "/app/node_modules/lodash/package.json"
    );
    assert_eq!(lodash.locations[0].layer.as_deref(), Some(l[3].as_str()));
    assert_eq!(lodash.found_by, "node-pkg");
    assert_eq!(
        pkg(&inv, Ecosystem::Npm, "@babel/helper-plugin-utils").licenses,
        vec!["MIT OR Apache-2.0"]
    );

    // The OS component's dependsOn edges point at packages and become relationships only
    // between packages; libc6 <-> libgcc-s1 and zlib1g -> libc6 come from dpkg Depends.
    assert_eq!(inv.relationships.len(), 3);
}

#[test]
fn trivy_spdx_reads_the_same_packages_as_trivy_cyclonedx() {
    let cdx = load("trivy.cdx.json");
    let spdx = load("trivy.spdx.json");
    assert_eq!(spdx.coordinates(), cdx.coordinates());
    for p in &cdx.packages {
        let q = pkg(&spdx, p.ecosystem, &p.name);
        assert_eq!(q.locations, p.locations, "locations of {}", p.name);
        assert_eq!(q.source_name, p.source_name, "source of {}", p.name);
        assert_eq!(
            q.metadata.get("layerDiffID"),
            p.metadata.get("layerDiffID"),
            "layer of {}",
            p.name
        );
    }
    assert_eq!(
        spdx.image.as_ref().map(|i| &i.id),
        cdx.image.as_ref().map(|i| &i.id)
    );
    assert_eq!(spdx.image.as_ref().map(|i| i.layers.len()), Some(5));
}

#[test]
fn syft_and_trivy_agree_on_what_both_catalogued() {
    let syft = load("syft.cdx.json");
    let trivy = load("trivy.cdx.json");
    let norm = |inv: &Inventory| -> BTreeSet<(Ecosystem, String, String)> {
        inv.coordinates()
            .into_iter()
            .map(|(e, n, v)| (e, n.to_lowercase(), v))
            .collect()
    };
    let t = norm(&trivy);
    let s = norm(&syft);
    assert!(
        t.is_subset(&s),
        "trivy-only: {:?}",
        t.difference(&s).collect::<Vec<_>>()
    );
}
