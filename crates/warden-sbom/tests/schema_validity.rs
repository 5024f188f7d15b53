//! Every writer output validates against the official schemas vendored in tests/schemas/.

// Helpers outside #[test] fns panic on broken fixtures on purpose: that is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::Value;
use warden_core::Inventory;
use warden_sbom::{write, Format, SerialNumber, WriteOptions};

fn docs() -> Vec<(&'static str, Inventory)> {
    vec![
        ("image", common::rich_inventory()),
        ("dir", common::dir_inventory()),
        ("empty", Inventory::default()),
    ]
}

fn option_sets() -> Vec<WriteOptions> {
    vec![
        WriteOptions::default(),
        WriteOptions {
            timestamp: Some("2026-01-02T03:04:05+01:00".into()),
            serial_number: SerialNumber::Given(
                "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79".into(),
            ),
            seed: Some("run-42".into()),
            ..WriteOptions::default()
        },
        WriteOptions {
            serial_number: SerialNumber::Omit,
            ..WriteOptions::default()
        },
    ]
}

#[test]
fn cyclonedx_output_validates_against_the_1_6_schema() {
    let v = common::cyclonedx_validator();
    for (name, inv) in docs() {
        for opts in option_sets() {
            let bytes = write(&inv, Format::CycloneDx, &opts).unwrap();
            let doc: Value = serde_json::from_slice(&bytes).unwrap();
            let errs = common::errors(&v, &doc);
            assert!(
                errs.is_empty(),
                "{name} with {opts:?}:\n{}",
                errs.join("\n")
            );
        }
    }
}

#[test]
fn spdx_output_validates_against_the_2_3_schema() {
    let v = common::spdx_validator();
    for (name, inv) in docs() {
        for opts in option_sets() {
            let bytes = write(&inv, Format::Spdx, &opts).unwrap();
            let doc: Value = serde_json::from_slice(&bytes).unwrap();
            let errs = common::errors(&v, &doc);
            assert!(
                errs.is_empty(),
                "{name} with {opts:?}:\n{}",
                errs.join("\n")
            );
        }
    }
}

/// The validators are not vacuous: each rejects a document broken in a way the schema forbids.
#[test]
fn validators_reject_broken_documents() {
    let inv = common::rich_inventory();
    let cdx = common::cyclonedx_validator();
    let mut doc: Value =
        serde_json::from_slice(&write(&inv, Format::CycloneDx, &WriteOptions::default()).unwrap())
            .unwrap();
    doc["components"][1]["licenses"] =
        serde_json::json!([{ "license": { "id": "Not-A-Licence" } }]);
    assert!(
        !common::errors(&cdx, &doc).is_empty(),
        "unknown SPDX id must fail through the spdx.schema.json $ref"
    );
    let mut doc: Value =
        serde_json::from_slice(&write(&inv, Format::CycloneDx, &WriteOptions::default()).unwrap())
            .unwrap();
    doc["components"][1]["type"] = serde_json::json!("gadget");
    assert!(!common::errors(&cdx, &doc).is_empty());

    let spdx = common::spdx_validator();
    let mut doc: Value =
        serde_json::from_slice(&write(&inv, Format::Spdx, &WriteOptions::default()).unwrap())
            .unwrap();
    doc["packages"][2]["primaryPackagePurpose"] = serde_json::json!("OPERATING-SYSTEM");
    assert!(!common::errors(&spdx, &doc).is_empty());
    let mut doc: Value =
        serde_json::from_slice(&write(&inv, Format::Spdx, &WriteOptions::default()).unwrap())
            .unwrap();
    doc.as_object_mut().unwrap().remove("creationInfo");
    assert!(!common::errors(&spdx, &doc).is_empty());
    let mut doc: Value =
        serde_json::from_slice(&write(&inv, Format::CycloneDx, &WriteOptions::default()).unwrap())
            .unwrap();
    doc["metadata"]["timestamp"] = serde_json::json!("last tuesday");
    assert!(
        !common::errors(&cdx, &doc).is_empty(),
        "formats are asserted"
    );
}

/// Syft's own CycloneDX 1.6 output passes the same validator, a cross-check of the setup.
#[test]
fn syft_fixture_validates_too() {
    let v = common::cyclonedx_validator();
    let doc = common::read_json("tests/fixtures/syft.cdx.json");
    let errs = common::errors(&v, &doc);
    assert!(errs.is_empty(), "{}", errs.join("\n"));
}

/// Peers' SBOMs converted through warden's model still give schema-valid output: their odd
/// corners (URL licences, `pkg:none` purls, Trivy's grouping packages) do not leak through.
#[test]
fn converted_peer_sboms_validate() {
    let cdx = common::cyclonedx_validator();
    let spdx = common::spdx_validator();
    for name in [
        "syft.cdx.json",
        "syft.spdx.json",
        "trivy.cdx.json",
        "trivy.spdx.json",
    ] {
        let bytes = std::fs::read(common::here(&format!("tests/fixtures/{name}"))).unwrap();
        let inv = warden_sbom::read(&bytes, name).unwrap();
        assert!(!inv.packages.is_empty(), "{name}");
        let out: Value = serde_json::from_slice(
            &write(&inv, Format::CycloneDx, &WriteOptions::default()).unwrap(),
        )
        .unwrap();
        let errs = common::errors(&cdx, &out);
        assert!(errs.is_empty(), "{name} as CycloneDX:\n{}", errs.join("\n"));
        let out: Value =
            serde_json::from_slice(&write(&inv, Format::Spdx, &WriteOptions::default()).unwrap())
                .unwrap();
        let errs = common::errors(&spdx, &out);
        assert!(errs.is_empty(), "{name} as SPDX:\n{}", errs.join("\n"));
    }
}
