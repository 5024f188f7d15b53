//! The fleet index end to end through the real binary: index the bundled demo image (a real
//! docker-archive with log4j-core 2.14.1 nested in a Spring Boot jar) and an SBOM written by
//! `warden sbom`, then ask which images hold log4j-core below a version.

use std::path::Path;
use std::process::{Command, Output};

fn warden(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("warden runs")
}

fn ok(args: &[&str]) -> String {
    let out = warden(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn query(index: &Path, q: &str) -> serde_json::Value {
    let out = ok(&[
        "sbom",
        "query",
        "--index",
        index.to_str().expect("utf-8 path"),
        "--format",
        "json",
        q,
    ]);
    serde_json::from_str(&out).expect("json")
}

fn hits(v: &serde_json::Value) -> Vec<(String, String, String)> {
    v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| {
            (
                h["image"].as_str().expect("image").to_string(),
                h["version"].as_str().expect("version").to_string(),
                h["location"].as_str().expect("location").to_string(),
            )
        })
        .collect()
}

#[test]
fn which_images_contain_log4j_core_below_2_17() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("fleet.db");
    let idx = index.to_str().expect("utf-8 path");

    // A missing index is an input error with a hint, not an empty answer.
    let out = warden(&["sbom", "query", "--index", idx, "log4j-core<2.17"]);
    assert_eq!(out.status.code(), Some(65));
    assert!(String::from_utf8_lossy(&out.stderr).contains("warden sbom index add"));

    let sbom = dir.path().join("demo.cdx.json");
    ok(&[
        "sbom",
        "-o",
        sbom.to_str().expect("utf-8 path"),
        "docker-archive:examples/demo-image.tar",
    ]);
    ok(&[
        "sbom",
        "index",
        "add",
        "--index",
        idx,
        "docker-archive:examples/demo-image.tar",
    ]);
    ok(&[
        "sbom",
        "index",
        "add",
        "--index",
        idx,
        sbom.to_str().expect("utf-8 path"),
    ]);

    let r = query(&index, "log4j-core<2.17");
    assert_eq!(r["images_searched"], 1, "the SBOM is the same image: {r:#}");
    let h = hits(&r);
    assert_eq!(h.len(), 1, "{r:#}");
    assert_eq!(h[0].1, "2.14.1");
    assert!(
        h[0].2.ends_with("BOOT-INF/lib/log4j-core-2.14.1.jar"),
        "{h:?}"
    );

    // The same question as a purl, and the ecosystem's ordering at the boundary.
    let r = query(
        &index,
        "pkg:maven/org.apache.logging.log4j/log4j-core@<2.17",
    );
    assert_eq!(hits(&r).len(), 1, "{r:#}");
    assert!(hits(&query(&index, "log4j-core<2.14.1")).is_empty());
    assert_eq!(hits(&query(&index, "log4j-core<=2.14.1")).len(), 1);
    assert!(hits(&query(&index, "lodash<4.17.15")).is_empty());
    assert_eq!(hits(&query(&index, "lodash<4.17.21")).len(), 1);

    let list = ok(&["sbom", "index", "list", "--index", idx]);
    assert!(list.contains("warden/demo:1"), "{list}");
    let img = h[0].0.clone();
    ok(&["sbom", "index", "remove", "--index", idx, &img]);
    let r = query(&index, "log4j-core<2.17");
    assert!(hits(&r).is_empty(), "{r:#}");
}
