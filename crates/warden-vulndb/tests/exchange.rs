//! `update` against a local HTTP mirror and `publish`/`pull` against a local docker-registry.

mod common;

use std::path::Path;

use sha2::{Digest, Sha256};
use warden_vulndb::update::{download, update, UpdateOptions};
use warden_vulndb::{oci, Db, Error};

/// The mirror's files: a few real feed files plus their SHA256SUMS.
fn mirror_files(corrupt: bool) -> Vec<(String, Vec<u8>)> {
    let f = common::fixtures();
    let mut files: Vec<(String, Vec<u8>)> = [
        (
            "known_exploited_vulnerabilities.json",
            "kev/known_exploited_vulnerabilities.json",
        ),
        ("GHSA-jfh8-c2jp-5v3q.json", "ghsa/GHSA-jfh8-c2jp-5v3q.json"),
        ("GO-2023-2102.json", "go/data/osv/GO-2023-2102.json"),
        ("CVE_2021_EPSS.csv", "epss/CVE_2021_EPSS.csv"),
    ]
    .iter()
    .map(|(name, rel)| {
        (
            name.to_string(),
            std::fs::read(f.join(rel)).expect("fixture"),
        )
    })
    .collect();
    let mut sums = String::new();
    for (n, b) in &files {
        let mut h = hex::encode(Sha256::digest(b));
        if corrupt && n.starts_with("GO-") {
            h = "0".repeat(64);
        }
        sums.push_str(&format!("{h}  {n}\n"));
    }
    files.push(("SHA256SUMS".into(), sums.into_bytes()));
    files
}

#[test]
fn update_from_a_mirror_resumes_an_interrupted_download() {
    let files = mirror_files(false);
    let server = common::HttpServer::start(
        files.clone(),
        Some("known_exploited_vulnerabilities.json".into()),
    );
    let dir = tempfile::tempdir().expect("tmp");
    let mut opts = UpdateOptions::new(dir.path().join("feeds"));
    opts.mirrors = vec![server.url()];
    let db_path = dir.path().join("w.db");

    // First run: the connection drops halfway through KEV; the partial file stays.
    let e = update(&opts, &db_path, &mut |_| {}).expect_err("interrupted");
    assert!(
        matches!(e, Error::Download { .. }) && e.to_string().contains("run again to resume"),
        "{e}"
    );
    let part = dir
        .path()
        .join("feeds/known_exploited_vulnerabilities.json.part");
    let have = std::fs::metadata(&part).expect("partial file kept").len();
    assert!(have > 0);
    assert!(!db_path.exists(), "no database from a failed update");

    // Second run resumes with a Range request and builds.
    let mut seen = Vec::new();
    let (got, report) =
        update(&opts, &db_path, &mut |p| seen.push(p.clone())).expect("resumed update");
    let kev = got
        .iter()
        .find(|d| d.path.ends_with("known_exploited_vulnerabilities.json"))
        .expect("kev");
    assert!(kev.resumed, "{got:?}");
    let full = files
        .iter()
        .find(|(n, _)| n == "known_exploited_vulnerabilities.json")
        .expect("kev")
        .1
        .len() as u64;
    assert_eq!(kev.transferred, full - have);
    assert_eq!(
        kev.sha256,
        hex::encode(Sha256::digest(std::fs::read(&kev.path).expect("read")))
    );
    let reqs = server.requests.lock().expect("log").clone();
    assert!(
        reqs.contains(&format!(
            "known_exploited_vulnerabilities.json range=Some({have})"
        )),
        "{reqs:?}"
    );
    assert!(seen
        .iter()
        .any(|p| p.finished && p.file == "known_exploited_vulnerabilities.json"));
    assert!(report.metadata.counts.vulnerabilities >= 2);
    let db = Db::open(&db_path).expect("open");
    assert!(
        db.vulnerability("CVE-2021-44228")
            .expect("lookup")
            .expect("present")
            .vulnerability
            .kev
    );

    // Third run: everything matches SHA256SUMS, nothing is transferred.
    let got = download(&opts, &mut |_| {}).expect("cached");
    assert!(
        got.iter().all(|d| d.cached && d.transferred == 0),
        "{got:?}"
    );
}

#[test]
fn a_checksum_mismatch_fails_and_keeps_the_old_database() {
    let good = common::HttpServer::start(mirror_files(false), None);
    let dir = tempfile::tempdir().expect("tmp");
    let db_path = dir.path().join("w.db");
    let mut opts = UpdateOptions::new(dir.path().join("feeds"));
    opts.mirrors = vec![good.url()];
    update(&opts, &db_path, &mut |_| {}).expect("first update");
    let before = std::fs::read(&db_path).expect("db");
    drop(good);

    let bad = common::HttpServer::start(mirror_files(true), None);
    let mut opts = UpdateOptions::new(dir.path().join("feeds2"));
    opts.mirrors = vec![bad.url()];
    let e = update(&opts, &db_path, &mut |_| {}).expect_err("checksum");
    assert!(
        matches!(e, Error::Checksum { .. }) && e.to_string().contains("GO-2023-2102.json"),
        "{e}"
    );
    assert_eq!(std::fs::read(&db_path).expect("db"), before);
    assert!(
        !dir.path().join("feeds2/GO-2023-2102.json.part").exists(),
        "a bad file is not kept for resuming"
    );
}

#[test]
fn mirrors_are_tried_in_order() {
    let good = common::HttpServer::start(mirror_files(false), None);
    let dir = tempfile::tempdir().expect("tmp");
    let mut opts = UpdateOptions::new(dir.path().join("feeds"));
    // Nothing listens on port 9 of loopback (discard): the first mirror fails to connect.
    opts.mirrors = vec!["http://127.0.0.1:9/".into(), good.url()];
    let got = download(&opts, &mut |_| {}).expect("second mirror");
    assert_eq!(got.len(), 4);
}

fn fixture_db(dir: &Path) -> std::path::PathBuf {
    let out = dir.join("w.db");
    warden_vulndb::build(&warden_vulndb::BuildOptions {
        inputs: vec![common::fixtures()],
        output: out.clone(),
        limits: warden_vulndb::Limits::default(),
        built_at: Some(1_700_000_000),
    })
    .expect("build");
    out
}

#[test]
fn publish_and_pull_through_a_local_registry() {
    let Some(reg) = common::Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let src = fixture_db(dir.path());
    let opts = oci::RegistryOptions {
        insecure: true,
        ..Default::default()
    };
    let reference = format!("{}/warden/db:1", reg.addr);
    let pushed = oci::publish(&src, &reference, &opts).expect("publish");
    let dest = dir.path().join("pulled/warden.db");
    let pulled = oci::pull(&reference, &dest, &opts).expect("pull");
    assert_eq!(pushed.sha256, pulled.sha256);
    assert_eq!(
        std::fs::read(&src).expect("src"),
        std::fs::read(&dest).expect("dest")
    );
    Db::open(&dest).expect("open").verify().expect("verify");

    // A reference that is not a warden database is refused, and the installed one kept.
    let missing = format!("{}/warden/db:nope", reg.addr);
    let e = oci::pull(&missing, &dest, &opts).expect_err("missing tag");
    assert!(matches!(e, Error::Registry { .. }), "{e}");
    assert_eq!(
        std::fs::read(&src).expect("src"),
        std::fs::read(&dest).expect("dest")
    );
}
