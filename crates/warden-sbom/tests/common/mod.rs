//! Shared test helpers: a realistic inventory and validators built from the vendored schemas.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;
use warden_core::{
    Ecosystem, ImageMeta, Inventory, LayerMeta, Location, OsInfo, Package, Relationship,
};

pub const L1: &str = "sha256:361f3245aa9fd45f682d20f1bbae48fcce9f000516efea6b4c9728e6c0b6a7b6";
pub const L2: &str = "sha256:68a08998aef50bd5912b65a2b2e220039e71d368917ba6242d34d88db2429c27";
pub const L3: &str = "sha256:1c5f2d94bd3350eb3939621f94b3c5b2e823a1b140662f96285faab42af06923";

pub fn here(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

pub fn read_json(rel: &str) -> Value {
    let bytes = std::fs::read(here(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("parsing {rel}: {e}"))
}

/// An image inventory exercising every field the writers map: several ecosystems, scoped and
/// grouped names, an epoch, IDs vs expressions vs free-text licences, several locations with
/// layers, a source package, metadata, duplicates and dependencies.
pub fn rich_inventory() -> Inventory {
    let mut libc = Package::new(Ecosystem::Deb, "libc6", "2.36-9+deb12u4");
    libc.set_purl(
        Some("debian"),
        &[("arch", "amd64"), ("distro", "debian-12")],
    );
    libc.source_name = Some("glibc".into());
    libc.licenses = vec![
        "LGPL-2.1-or-later".into(),
        "GPL-2.0-or-later WITH GCC-exception-2.0".into(),
    ];
    libc.locations = vec![Location {
        path: "/var/lib/dpkg/status".into(),
        layer: Some(L1.into()),
    }];
    libc.found_by = "dpkg-db".into();
    libc.metadata.insert("arch".into(), "amd64".into());

    let mut gcc = Package::new(Ecosystem::Deb, "libgcc-s1", "12.2.0-14");
    gcc.set_purl(
        Some("debian"),
        &[("arch", "amd64"), ("distro", "debian-12")],
    );
    gcc.source_name = Some("gcc-12".into());
    gcc.source_version = Some("12.2.0-14+b1".into());
    gcc.locations = vec![Location {
        path: "/var/lib/dpkg/status".into(),
        layer: Some(L1.into()),
    }];
    gcc.found_by = "dpkg-db".into();

    let mut zlib = Package::new(Ecosystem::Deb, "zlib1g", "1:1.2.13.dfsg-1");
    zlib.set_purl(
        Some("debian"),
        &[("arch", "amd64"), ("distro", "debian-12")],
    );
    zlib.source_name = Some("zlib".into());
    zlib.licenses = vec!["Zlib".into()];
    zlib.locations = vec![
        Location {
            path: "/var/lib/dpkg/status".into(),
            layer: Some(L1.into()),
        },
        Location {
            path: "/usr/share/doc/zlib1g/copyright".into(),
            layer: Some(L2.into()),
        },
    ];
    zlib.found_by = "dpkg-db".into();

    let mut yaml = Package::new(Ecosystem::Pypi, "PyYAML", "5.3.1");
    yaml.licenses = vec!["MIT".into()];
    yaml.locations = vec![Location {
        path: "/usr/lib/python3/dist-packages/PyYAML-5.3.1.dist-info/METADATA".into(),
        layer: Some(L2.into()),
    }];
    yaml.found_by = "python-installed".into();

    let mut babel = Package::new(Ecosystem::Npm, "@babel/helper-plugin-utils", "7.24.0");
    babel.licenses = vec!["MIT OR Apache-2.0".into()];
    babel.locations = vec![Location {
        path: "/app/node_modules/@babel/helper-plugin-utils/package.json".into(),
        layer: Some(L3.into()),
    }];
    babel.found_by = "npm-installed".into();

    let lodash_at = |p: &str| {
        let mut l = Package::new(Ecosystem::Npm, "lodash", "4.17.15");
        l.licenses = vec!["MIT".into()];
        l.locations = vec![Location {
            path: p.into(),
            layer: Some(L3.into()),
        }];
        l.found_by = "npm-installed".into();
        l
    };

    let mut log4j = Package::new(
        Ecosystem::Maven,
        "org.apache.logging.log4j:log4j-core",
        "2.14.1",
    );
    log4j.licenses = vec![
        "https://www.apache.org/licenses/LICENSE-2.0.txt".into(),
        "Apache License, Version 2.0".into(),
    ];
    log4j.locations = vec![Location {
        path: "/app/lib/app.jar!/BOOT-INF/lib/log4j-core-2.14.1.jar".into(),
        layer: Some(L3.into()),
    }];
    log4j.found_by = "java-archive".into();
    log4j.metadata.insert(
        "sha1".into(),
        "30bae16589e556185637915e75befb0c5e0a353d".into(),
    );

    let mut gomain = Package::new(
        Ecosystem::Golang,
        "github.com/warden-fixtures/gohello",
        "(devel)",
    );
    gomain.locations = vec![Location {
        path: "/app/bin/gohello".into(),
        layer: Some(L3.into()),
    }];
    gomain.found_by = "go-binary".into();
    gomain.metadata.insert(
        "mainModule".into(),
        "github.com/warden-fixtures/gohello".into(),
    );
    let mut xnet = Package::new(Ecosystem::Golang, "golang.org/x/net", "v0.23.0");
    xnet.locations = gomain.locations.clone();
    xnet.found_by = "go-binary".into();
    let mut stdlib = Package::new(Ecosystem::Golang, "stdlib", "1.19.8");
    stdlib.licenses = vec!["BSD-3-Clause".into()];
    stdlib.locations = gomain.locations.clone();
    stdlib.found_by = "go-binary".into();

    let mut serde = Package::new(Ecosystem::Cargo, "serde", "1.0.200");
    serde.locations = vec![Location {
        path: "/usr/local/bin/tool".into(),
        layer: None,
    }];

    let mut inv = Inventory {
        image: Some(ImageMeta {
            reference: "registry.example/team/app:1.0".into(),
            id: "sha256:f3aa75ea5607c7e4b846176031584b1e0a6a621ab7da82a77b25f3ecf5a16876".into(),
            manifest_digest: Some(
                "sha256:e895537d94c89c35015d87e81ccb974a04c726a91ec116172926d9ff0dac7d02".into(),
            ),
            repo_tags: vec!["registry.example/team/app:1.0".into(), "registry.example/team/app:latest".into()],
            repo_digests: vec![
                "registry.example/team/app@sha256:e895537d94c89c35015d87e81ccb974a04c726a91ec116172926d9ff0dac7d02".into(),
            ],
            os: "linux".into(),
            architecture: "arm64".into(),
            variant: Some("v8".into()),
            layers: vec![
                LayerMeta { diff_id: L1.into(), digest: Some("sha256:aa".into()), size: Some(1024), created_by: Some("COPY rootfs/var/ /var/".into()) },
                LayerMeta { diff_id: L2.into(), digest: None, size: None, created_by: None },
                LayerMeta { diff_id: L3.into(), digest: None, size: Some(77), created_by: None },
            ],
            user: "app".into(),
            env: Vec::new(),
            labels: BTreeMap::from([("org.opencontainers.image.source".into(), "https://example.invalid/app".into())]),
            created: Some("2024-05-01T10:30:00Z".into()),
        }),
        target: "registry.example/team/app:1.0".into(),
        os: Some(OsInfo {
            id: "debian".into(),
            version_id: "12".into(),
            codename: Some("bookworm".into()),
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
            id_like: Vec::new(),
        }),
        packages: vec![
            libc,
            gcc,
            zlib,
            yaml,
            babel,
            lodash_at("/app/node_modules/lodash/package.json"),
            lodash_at("/app/node_modules/other/node_modules/lodash/package.json"),
            log4j,
            gomain,
            xnet,
            stdlib,
            serde,
        ],
        relationships: Vec::new(),
        dropped_os_owned: 0,
        skipped: Vec::new(),
    };
    inv.normalize();
    let id = |name: &str| {
        inv.packages
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.id.clone())
            .unwrap()
    };
    let rels = vec![
        Relationship {
            from: id("libc6"),
            to: id("libgcc-s1"),
        },
        Relationship {
            from: id("libgcc-s1"),
            to: id("libc6"),
        },
        Relationship {
            from: id("zlib1g"),
            to: id("libc6"),
        },
        Relationship {
            from: id("github.com/warden-fixtures/gohello"),
            to: id("golang.org/x/net"),
        },
        Relationship {
            from: id("github.com/warden-fixtures/gohello"),
            to: id("stdlib"),
        },
    ];
    inv.relationships = rels;
    inv.normalize();
    inv
}

/// A directory scan: no image, no OS, a package without locations or licences.
pub fn dir_inventory() -> Inventory {
    let mut inv = Inventory {
        target: "dir:/srv/app".into(),
        ..Inventory::default()
    };
    inv.packages.push(
        Package::new(Ecosystem::Gem, "rack", "3.0.8").at(Location::path("/srv/app/Gemfile.lock")),
    );
    inv.packages
        .push(Package::new(Ecosystem::Generic, "node", "20.11.1"));
    inv.packages.push(Package::new(
        Ecosystem::Composer,
        "monolog/monolog",
        "3.5.0",
    ));
    inv.packages
        .push(Package::new(Ecosystem::Nuget, "Newtonsoft.Json", "13.0.3"));
    inv.normalize();
    inv
}

fn schema(name: &str) -> Value {
    read_json(&format!("tests/schemas/{name}"))
}

/// A validator for CycloneDX 1.6 whose `$ref`s to spdx.schema.json and jsf-0.82.schema.json
/// resolve from the vendored copies; retrieval is disabled, so nothing is fetched.
pub fn cyclonedx_validator() -> jsonschema::Validator {
    let registry = jsonschema::Registry::new()
        .add(
            "http://cyclonedx.org/schema/spdx.schema.json",
            schema("spdx.schema.json"),
        )
        .and_then(|r| {
            r.add(
                "http://cyclonedx.org/schema/jsf-0.82.schema.json",
                schema("jsf-0.82.schema.json"),
            )
        })
        .and_then(|r| r.prepare())
        .expect("vendored CycloneDX companion schemas load");
    jsonschema::options()
        .offline()
        .with_draft(jsonschema::Draft::Draft7)
        // Draft 7 leaves `format` as an annotation; assert it so date-times and IRIs are checked.
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&schema("bom-1.6.schema.json"))
        .expect("CycloneDX 1.6 schema compiles with its references resolved offline")
}

pub fn spdx_validator() -> jsonschema::Validator {
    jsonschema::options()
        .offline()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema("spdx-2.3.schema.json"))
        .expect("SPDX 2.3 schema compiles")
}

/// Every schema error, as `pointer: message` lines.
pub fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{}: {}", e.instance_path(), e))
        .collect()
}
