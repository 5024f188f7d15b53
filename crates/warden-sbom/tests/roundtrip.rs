//! Writing then reading gives the inventory back; output is deterministic; errors say where.

// Helpers outside #[test] fns panic on broken fixtures on purpose: that is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use warden_core::Inventory;
use warden_sbom::{read, write, Format, SbomError, SerialNumber, WriteOptions};

/// What an SBOM is meant to carry: everything but the scan-time bookkeeping.
fn carried(inv: &Inventory) -> Inventory {
    let mut inv = inv.clone();
    inv.dropped_os_owned = 0;
    inv.skipped.clear();
    if let Some(img) = &mut inv.image {
        // Environment variables can hold secrets and are not written.
        img.env.clear();
    }
    inv
}

#[test]
fn cyclonedx_round_trip_is_exact() {
    for inv in [common::rich_inventory(), common::dir_inventory()] {
        let bytes = write(&inv, Format::CycloneDx, &WriteOptions::default()).unwrap();
        let back = read(&bytes, "x.cdx.json").unwrap();
        assert_eq!(back, carried(&inv));
    }
}

#[test]
fn spdx_round_trip_is_exact() {
    for inv in [common::rich_inventory(), common::dir_inventory()] {
        let bytes = write(&inv, Format::Spdx, &WriteOptions::default()).unwrap();
        let back = read(&bytes, "x.spdx.json").unwrap();
        let mut want = carried(&inv);
        // SPDX keeps no package ids; they are recomputed from the coordinates and first path.
        let mut got = back.clone();
        for p in &mut want.packages {
            p.id.clear();
        }
        for p in &mut got.packages {
            p.id.clear();
        }
        want.relationships.clear();
        got.relationships.clear();
        assert_eq!(got, want);
        assert_eq!(back.relationships.len(), inv.relationships.len());
    }
}

#[test]
fn output_is_byte_for_byte_deterministic() {
    let inv = common::rich_inventory();
    let mut shuffled = inv.clone();
    shuffled.packages.reverse();
    shuffled.relationships.reverse();
    for f in [Format::CycloneDx, Format::Spdx, Format::Table] {
        let a = write(&inv, f, &WriteOptions::default()).unwrap();
        let b = write(&shuffled, f, &WriteOptions::default()).unwrap();
        assert_eq!(a, b, "{f}");
    }
}

#[test]
fn serial_number_and_namespace_follow_the_options() {
    let inv = common::rich_inventory();
    let cdx = |opts: &WriteOptions| -> serde_json::Value {
        serde_json::from_slice(&write(&inv, Format::CycloneDx, opts).unwrap()).unwrap()
    };
    let d = cdx(&WriteOptions::default());
    let serial = d["serialNumber"].as_str().unwrap().to_string();
    assert!(serial.starts_with("urn:uuid:"));
    assert!(d["metadata"].get("timestamp").is_none());
    let mut other = inv.clone();
    other.packages.pop();
    let d2: serde_json::Value = serde_json::from_slice(
        &write(&other, Format::CycloneDx, &WriteOptions::default()).unwrap(),
    )
    .unwrap();
    assert_ne!(
        d2["serialNumber"].as_str().unwrap(),
        serial,
        "content-derived serial must change with content"
    );

    let d = cdx(&WriteOptions {
        serial_number: SerialNumber::Omit,
        ..WriteOptions::default()
    });
    assert!(d.get("serialNumber").is_none());
    let given = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79";
    let d = cdx(&WriteOptions {
        serial_number: SerialNumber::Given(given.into()),
        timestamp: Some("2026-01-02T03:04:05+01:00".into()),
        ..WriteOptions::default()
    });
    assert_eq!(d["serialNumber"], given);
    assert_eq!(d["metadata"]["timestamp"], "2026-01-02T02:04:05Z");
    assert_eq!(d["metadata"]["tools"]["components"][0]["name"], "warden");

    let bad = write(
        &inv,
        Format::CycloneDx,
        &WriteOptions {
            serial_number: SerialNumber::Given("42".into()),
            ..WriteOptions::default()
        },
    );
    assert!(matches!(
        bad,
        Err(SbomError::InvalidOption {
            option: "serial number",
            ..
        })
    ));
    let bad = write(
        &inv,
        Format::Spdx,
        &WriteOptions {
            timestamp: Some("soon".into()),
            ..WriteOptions::default()
        },
    );
    assert!(bad
        .unwrap_err()
        .to_string()
        .contains("'soon' is not an RFC 3339"));

    let spdx = |opts: &WriteOptions| -> serde_json::Value {
        serde_json::from_slice(&write(&inv, Format::Spdx, opts).unwrap()).unwrap()
    };
    let a = spdx(&WriteOptions::default());
    let ns = a["documentNamespace"].as_str().unwrap();
    assert!(
        ns.starts_with("https://warden.invalid/spdx/registry.example-team-app-1.0-"),
        "{ns}"
    );
    // No timestamp given: the image creation time stands in for `created`.
    assert_eq!(a["creationInfo"]["created"], "2024-05-01T10:30:00Z");
    let s1 = spdx(&WriteOptions {
        seed: Some("seed".into()),
        ..WriteOptions::default()
    });
    let s2 = spdx(&WriteOptions {
        seed: Some("seed".into()),
        ..WriteOptions::default()
    });
    assert_eq!(s1["documentNamespace"], s2["documentNamespace"]);
    assert_ne!(s1["documentNamespace"], a["documentNamespace"]);
    // The same seed also fixes the CycloneDX serial number, whatever the content.
    let seeded = WriteOptions {
        seed: Some("seed".into()),
        ..WriteOptions::default()
    };
    let c1 = cdx(&seeded);
    let c2: serde_json::Value =
        serde_json::from_slice(&write(&other, Format::CycloneDx, &seeded).unwrap()).unwrap();
    assert_eq!(c1["serialNumber"], c2["serialNumber"]);
    assert_ne!(c1["serialNumber"], serial);
}

#[test]
fn cyclonedx_shape_matches_the_documented_mapping() {
    let inv = common::rich_inventory();
    let d: serde_json::Value =
        serde_json::from_slice(&write(&inv, Format::CycloneDx, &WriteOptions::default()).unwrap())
            .unwrap();
    let root = &d["metadata"]["component"];
    assert_eq!(root["type"], "container");
    assert_eq!(
        root["version"],
        "sha256:e895537d94c89c35015d87e81ccb974a04c726a91ec116172926d9ff0dac7d02"
    );
    assert_eq!(root["hashes"][0]["alg"], "SHA-256");
    let comps = d["components"].as_array().unwrap();
    assert_eq!(comps[0]["type"], "operating-system");
    assert_eq!(comps.len(), inv.packages.len() + 1);
    let find = |name: &str| comps.iter().find(|c| c["name"] == name).unwrap();
    let log4j = find("log4j-core");
    assert_eq!(log4j["group"], "org.apache.logging.log4j");
    assert_eq!(
        log4j["licenses"][0]["license"]["name"],
        "Apache License, Version 2.0"
    );
    let babel = find("@babel/helper-plugin-utils");
    assert_eq!(
        babel["licenses"],
        serde_json::json!([{ "expression": "MIT OR Apache-2.0" }])
    );
    assert_eq!(
        babel["evidence"]["occurrences"][0]["location"],
        "/app/node_modules/@babel/helper-plugin-utils/package.json"
    );
    let props = babel["properties"].as_array().unwrap();
    assert!(props
        .iter()
        .any(|p| p["name"] == "warden:location:0:layerID" && p["value"] == common::L3));
    assert_eq!(find("PyYAML")["licenses"][0]["license"]["id"], "MIT");
    assert_eq!(
        find("github.com/warden-fixtures/gohello")["type"],
        "application"
    );
    assert_eq!(
        find("libc6")["licenses"][0]["expression"],
        "(GPL-2.0-or-later WITH GCC-exception-2.0) AND LGPL-2.1-or-later"
    );
    let deps = d["dependencies"].as_array().unwrap();
    assert_eq!(
        deps.iter()
            .map(|x| x["dependsOn"].as_array().unwrap().len())
            .sum::<usize>(),
        inv.relationships.len()
    );
}

#[test]
fn spdx_shape_matches_the_documented_mapping() {
    let inv = common::rich_inventory();
    let d: serde_json::Value =
        serde_json::from_slice(&write(&inv, Format::Spdx, &WriteOptions::default()).unwrap())
            .unwrap();
    let pkgs = d["packages"].as_array().unwrap();
    assert_eq!(pkgs[0]["primaryPackagePurpose"], "CONTAINER");
    assert_eq!(pkgs[1]["primaryPackagePurpose"], "OPERATING_SYSTEM");
    let rels = d["relationships"].as_array().unwrap();
    let count = |k: &str| rels.iter().filter(|r| r["relationshipType"] == k).count();
    assert_eq!(count("DESCRIBES"), 1);
    assert_eq!(count("CONTAINS"), inv.packages.len() + 1);
    assert_eq!(count("DEPENDS_ON"), inv.relationships.len());
    let ids: std::collections::BTreeSet<&str> =
        pkgs.iter().map(|p| p["SPDXID"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), pkgs.len(), "SPDXIDs are unique");
    let log4j = pkgs
        .iter()
        .find(|p| p["name"] == "org.apache.logging.log4j:log4j-core")
        .unwrap();
    assert_eq!(log4j["downloadLocation"], "NOASSERTION");
    assert_eq!(
        log4j["externalRefs"][0]["referenceCategory"],
        "PACKAGE-MANAGER"
    );
    assert_eq!(
        log4j["externalRefs"][0]["referenceLocator"],
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
    );
    let decl = log4j["licenseDeclared"].as_str().unwrap();
    assert!(decl.starts_with("LicenseRef-"), "{decl}");
    assert_eq!(d["hasExtractedLicensingInfos"].as_array().unwrap().len(), 2);
    let libc = pkgs.iter().find(|p| p["name"] == "libc6").unwrap();
    assert_eq!(
        libc["sourceInfo"],
        "built package from: glibc 2.36-9+deb12u4"
    );
}

#[test]
fn table_lists_name_version_type() {
    let inv = common::rich_inventory();
    let t =
        String::from_utf8(write(&inv, Format::Table, &WriteOptions::default()).unwrap()).unwrap();
    assert_eq!(t, warden_sbom::render_table(&inv));
    let first: Vec<&str> = t.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(first, ["NAME", "VERSION", "TYPE"]);
    assert!(t.lines().any(|l| l.split_whitespace().collect::<Vec<_>>()
        == [
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
            "java-archive"
        ]));
    // lodash is installed twice but listed once.
    assert_eq!(t.lines().filter(|l| l.starts_with("lodash ")).count(), 1);
    assert_eq!(t.lines().count(), 1 + inv.packages.len() - 1);
}

#[test]
fn bad_input_is_an_error_that_says_where() {
    let e = read(
        b"{\"bomFormat\": \"CycloneDX\",\n \"specVersion\": ",
        "a.json",
    )
    .unwrap_err();
    assert!(matches!(e, SbomError::Json { line: 2, .. }), "{e}");
    assert!(e.to_string().starts_with("a.json: not valid JSON"));

    let e = read(b"[1,2]", "b.json").unwrap_err();
    assert_eq!(
        e.to_string(),
        "b.json: not a CycloneDX or SPDX JSON document: the top level is an array, not an object"
    );

    let e = read(
        br#"{"bomFormat":"CycloneDX","specVersion":"1.1"}"#,
        "c.json",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "c.json: /specVersion: unsupported CycloneDX version '1.1' (supported: 1.4, 1.5, 1.6, 1.7)"
    );

    let e = read(br#"{"spdxVersion":"SPDX-3.0"}"#, "d.json").unwrap_err();
    assert!(
        e.to_string()
            .contains("unsupported SPDX version 'SPDX-3.0'"),
        "{e}"
    );

    let e = read(
        br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a"},{"type":"library","name":"b","purl":7}]}"#,
        "e.json",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "e.json: /components/1/purl: expected a string, found a number"
    );

    let e = read(
        br#"{"spdxVersion":"SPDX-2.3","packages":[{"SPDXID":"SPDXRef-a","name":"a","externalRefs":[{"referenceType":"purl","referenceLocator":["x"]}]}]}"#,
        "f.json",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "f.json: /packages/0/externalRefs/0/referenceLocator: expected a string, found an array"
    );

    let e = read(
        br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","properties":[{"name":"a/b~c","value":1}]}]}"#,
        "g.json",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "g.json: /components/0/properties/0/value: expected a string, found a number"
    );
}

#[test]
fn an_unparsable_purl_is_kept_and_reported() {
    let inv = read(
        br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"thing","version":"1","purl":"pkg:"}]}"#,
        "h.json",
    )
    .unwrap();
    assert_eq!(inv.packages.len(), 1);
    assert_eq!(inv.packages[0].name, "thing");
    assert_eq!(inv.skipped.len(), 1);
    assert!(
        inv.skipped[0].at.starts_with("h.json#/components/0/purl"),
        "{:?}",
        inv.skipped
    );
}

/// CycloneDX 1.4 keeps `tools` as an array and SPDX 2.2 names the root in `documentDescribes`;
/// both older shapes are read.
#[test]
fn older_spec_versions_are_read() {
    let cdx14 = br#"{
      "bomFormat": "CycloneDX", "specVersion": "1.4", "version": 1,
      "metadata": {"tools": [{"vendor": "acme", "name": "scanner", "version": "1"}],
                   "component": {"type": "application", "name": "svc", "bom-ref": "root"}},
      "components": [
        {"type": "library", "bom-ref": "a", "group": "@scope", "name": "pkg", "version": "1.0.0",
         "purl": "pkg:npm/%40scope/pkg@1.0.0", "licenses": [{"license": {"name": "Custom"}}],
         "components": [{"type": "library", "bom-ref": "b", "name": "inner", "version": "2", "purl": "pkg:npm/inner@2"}]}
      ],
      "dependencies": [{"ref": "a", "dependsOn": ["b", "missing"]}]
    }"#;
    let inv = read(cdx14, "old.cdx.json").unwrap();
    let names: Vec<&str> = inv.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["@scope/pkg", "inner"]);
    assert_eq!(inv.target, "svc");
    assert_eq!(inv.packages[0].licenses, vec!["Custom"]);
    assert_eq!(
        inv.relationships.len(),
        1,
        "edges to unknown refs are dropped"
    );

    let spdx22 = br#"{
      "spdxVersion": "SPDX-2.2", "SPDXID": "SPDXRef-DOCUMENT", "name": "doc", "dataLicense": "CC0-1.0",
      "documentDescribes": ["SPDXRef-root"],
      "packages": [
        {"SPDXID": "SPDXRef-root", "name": "rootfs", "downloadLocation": "NOASSERTION"},
        {"SPDXID": "SPDXRef-p", "name": "requests", "versionInfo": "2.31.0", "downloadLocation": "NOASSERTION",
         "licenseDeclared": "Apache-2.0",
         "externalRefs": [{"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:pypi/requests@2.31.0"}]},
        {"SPDXID": "SPDXRef-q", "name": "urllib3", "versionInfo": "2.0.7", "downloadLocation": "NOASSERTION",
         "externalRefs": [{"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:pypi/urllib3@2.0.7"}]}
      ],
      "relationships": [{"spdxElementId": "SPDXRef-q", "relatedSpdxElement": "SPDXRef-p", "relationshipType": "DEPENDENCY_OF"}]
    }"#;
    let inv = read(spdx22, "old.spdx.json").unwrap();
    assert_eq!(inv.target, "rootfs");
    assert_eq!(inv.packages.len(), 2);
    assert_eq!(inv.packages[0].licenses, vec!["Apache-2.0"]);
    let from = inv
        .packages
        .iter()
        .find(|p| p.id == inv.relationships[0].from)
        .unwrap();
    assert_eq!(
        from.name, "requests",
        "DEPENDENCY_OF is turned around into requests -> urllib3"
    );
}
