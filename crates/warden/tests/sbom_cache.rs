//! `warden sbom` and the verified layer-digest cache: a warm run gives the same bytes as a cold
//! one, `--no-cache` neither reads nor writes it, and a tampered copy of a cached archive is
//! still refused; `--skip-layer-verify` gives the same SBOM, hashes nothing and (as its help
//! says) does not notice the tampering.

mod common;

use std::path::Path;

use common::*;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-image.tar");

/// Entries in the verified-digest cache below a `WARDEN_CACHE_DIR`.
fn cached(cache_dir: &Path) -> usize {
    warden_image::DigestCache::new(cache_dir.join("digests")).entry_count()
}

/// Flips one byte inside a binary of a layer (an ELF header's padding): the tar structure stays
/// valid, the layer's diff ID no longer matches. Written in place, same size.
fn tamper(tar: &Path) {
    let mut bytes = std::fs::read(tar).expect("read");
    let at = bytes
        .windows(4)
        .position(|w| w == b"\x7fELF")
        .expect("an ELF file in the demo image");
    bytes[at + 9] ^= 0x55;
    std::fs::write(tar, &bytes).expect("tamper");
}

fn sbom(cache: &Path, tar: &Path, extra: &[&str]) -> std::process::Output {
    run(warden()
        .env("WARDEN_CACHE_DIR", cache)
        .args(["sbom", "-q", "--format", "cyclonedx"])
        .args(extra)
        .arg(format!("docker-archive:{}", tar.display())))
}

#[test]
fn warm_runs_match_cold_runs_and_no_cache_bypasses() {
    let work = tempfile::tempdir().expect("temp dir");
    let tar = work.path().join("demo.tar");
    std::fs::copy(DEMO, &tar).expect("copy demo image");
    let cache = work.path().join("cache");

    let cold = sbom(&cache, &tar, &[]);
    assert!(cold.status.success(), "{cold:?}");
    let recorded = cached(&cache);
    assert!(recorded > 0, "a verified run records its layers");
    let warm = sbom(&cache, &tar, &[]);
    assert!(warm.status.success());
    assert_eq!(cold.stdout, warm.stdout, "warm and cold outputs differ");
    assert_eq!(cached(&cache), recorded);

    let other = work.path().join("other-cache");
    let bypass = sbom(&other, &tar, &["--no-cache"]);
    assert!(bypass.status.success());
    assert_eq!(cold.stdout, bypass.stdout);
    assert_eq!(cached(&other), 0, "--no-cache wrote entries");
}

#[test]
fn a_tampered_copy_of_a_cached_archive_is_refused() {
    let work = tempfile::tempdir().expect("temp dir");
    let tar = work.path().join("demo.tar");
    std::fs::copy(DEMO, &tar).expect("copy demo image");
    let cache = work.path().join("cache");
    assert!(sbom(&cache, &tar, &[]).status.success());

    tamper(&tar);

    let out_file = work.path().join("sbom.json");
    let out = sbom(&cache, &tar, &["-o", out_file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(67), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("diff"), "the error names the diff ID: {err}");
    assert!(!out_file.exists(), "no SBOM for an unverified image");
}

#[test]
fn skip_layer_verify_gives_the_same_sbom_and_trusts_the_config() {
    let work = tempfile::tempdir().expect("temp dir");
    let tar = work.path().join("demo.tar");
    std::fs::copy(DEMO, &tar).expect("copy demo image");
    let verified = sbom(&work.path().join("c1"), &tar, &[]);
    assert!(verified.status.success(), "{verified:?}");
    let cache = work.path().join("c2");
    let trusted = sbom(&cache, &tar, &["--skip-layer-verify"]);
    assert!(trusted.status.success(), "{trusted:?}");
    assert_eq!(verified.stdout, trusted.stdout, "outputs differ");
    assert_eq!(cached(&cache), 0, "nothing hashed, nothing cached");

    tamper(&tar);
    assert_eq!(sbom(&cache, &tar, &[]).status.code(), Some(67));
    let out = sbom(&cache, &tar, &["--skip-layer-verify"]);
    assert!(out.status.success(), "{out:?}");
}
