//! Shared test helpers: fixture paths, the merged fixture findings and an image inventory.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;

use time::macros::{date, datetime};
use warden_core::{Finding, ImageMeta, Inventory, LayerMeta, OsInfo};
use warden_scan::{merge_findings, read_report, RenderOptions};

pub const TODAY: time::Date = date!(2026 - 11 - 28);

pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

pub fn trivy_findings() -> Vec<Finding> {
    read_report(&fixture("trivy-image.json")).unwrap()
}

pub fn grype_findings() -> Vec<Finding> {
    read_report(&fixture("grype-image.json")).unwrap()
}

/// Trivy's and Grype's reports of the same image, merged.
pub fn merged() -> Vec<Finding> {
    let mut all = trivy_findings();
    all.extend(grype_findings());
    merge_findings(all)
}

pub fn inventory() -> Inventory {
    let mut inv = Inventory {
        target: "registry.example/app:1.4".into(),
        image: Some(ImageMeta {
            reference: "registry.example/app:1.4".into(),
            id: "sha256:8b1f1b2cbd2d6a4a1c2f5a9e3b5d8c7a6f4e3d2c1b0a99887766554433221100".into(),
            repo_tags: vec!["registry.example/app:1.4".into()],
            os: "linux".into(),
            architecture: "amd64".into(),
            layers: vec![
                LayerMeta {
                    diff_id:
                        "sha256:361f3245aa9fd45f682d20f1bbae48fcce9f000516efea6b4c9728e6c0b6a7b6"
                            .into(),
                    digest: None,
                    size: None,
                    created_by: None,
                },
                LayerMeta {
                    diff_id:
                        "sha256:68a08998aef50bd5912b65a2b2e220039e71d368917ba6242d34d88db2429c27"
                            .into(),
                    digest: None,
                    size: None,
                    created_by: None,
                },
            ],
            ..Default::default()
        }),
        os: Some(OsInfo {
            id: "debian".into(),
            version_id: "12".into(),
            codename: Some("bookworm".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    inv.packages = merged().into_iter().map(|f| f.package).collect();
    inv.normalize();
    inv
}

pub fn opts() -> RenderOptions {
    RenderOptions {
        tty: false,
        tool_version: "0.1.0-test".into(),
        timestamp: datetime!(2026-11-28 10:30:00 UTC),
        show_suppressed: true,
    }
}
