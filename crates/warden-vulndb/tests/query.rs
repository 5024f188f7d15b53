//! Matching through `warden_version`, over the fixtures: the cases from
//! research/vulndata.md plus one per native feed.

mod common;

use warden_core::FixStatus;
use warden_vulndb::{build, BuildOptions, Db, Limits, Match};

fn db() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("w.db");
    build(&BuildOptions {
        inputs: vec![common::fixtures()],
        output: out.clone(),
        limits: Limits::default(),
        built_at: Some(1_700_000_000),
    })
    .expect("build");
    let db = Db::open(&out).expect("open");
    (dir, db)
}

fn hits<'a>(db: &'a Db, eco: &str, pkg: &str, ver: &str) -> Vec<Match<'a>> {
    let m = db.query(eco, pkg, ver).expect("query");
    for x in &m {
        assert!(x.indeterminate.is_none(), "{eco} {pkg} {ver}: {x:?}");
    }
    m
}

fn find<'a, 'd>(m: &'a [Match<'d>], advisory: &str) -> Option<&'a Match<'d>> {
    m.iter().find(|x| x.advisory_id == advisory)
}

#[test]
fn log4shell_multi_interval_ranges() {
    let (_d, db) = db();
    let p = "org.apache.logging.log4j:log4j-core";
    let m = hits(&db, "maven", p, "2.14.1");
    assert_eq!(
        find(&m, "GHSA-jfh8-c2jp-5v3q").map(|x| x.fixed_versions.clone()),
        Some(vec!["2.15.0"])
    );
    assert_eq!(
        find(&m, "GHSA-7rjr-3q55-vv33").map(|x| x.fixed_versions[0]),
        Some("2.16.0")
    );
    assert_eq!(
        find(&m, "GHSA-p6xc-xr62-6r2g").map(|x| x.fixed_versions.clone()),
        Some(vec!["2.17.0"])
    );
    assert_eq!(
        find(&m, "GHSA-jfh8-c2jp-5v3q").map(|x| x.vuln_id),
        Some("CVE-2021-44228")
    );
    assert!(m.iter().all(|x| x.status == FixStatus::Fixed));

    let m = hits(&db, "maven", p, "2.12.2");
    assert!(
        find(&m, "GHSA-jfh8-c2jp-5v3q").is_none(),
        "2.12.2 is jfh8's exclusive upper bound"
    );
    assert!(find(&m, "GHSA-7rjr-3q55-vv33").is_none());
    let p6 = find(&m, "GHSA-p6xc-xr62-6r2g").expect("p6xc covers [2.4.0, 2.12.3)");
    assert_eq!(p6.fixed_versions, ["2.12.3", "2.17.0"]);
    assert!(hits(&db, "maven", p, "2.17.1").is_empty());
}

#[test]
fn prereleases_in_go_ranges() {
    let (_d, db) = db();
    let runc = "github.com/opencontainers/runc";
    assert!(find(
        &hits(&db, "golang", runc, "v1.0.0-rc92"),
        "GHSA-xr7r-f8xq-vfvv"
    )
    .is_none());
    assert!(find(
        &hits(&db, "golang", runc, "v1.0.0-rc93"),
        "GHSA-xr7r-f8xq-vfvv"
    )
    .is_some());
    assert!(find(&hits(&db, "golang", runc, "v1.1.11"), "GHSA-xr7r-f8xq-vfvv").is_some());
    assert!(find(&hits(&db, "golang", runc, "v1.1.12"), "GHSA-xr7r-f8xq-vfvv").is_none());

    let m = hits(&db, "golang", "stdlib", "v1.21.0-rc.2");
    assert_eq!(
        find(&m, "GO-2023-2102").map(|x| x.fixed_versions.clone()),
        Some(vec!["v1.21.3"])
    );
    assert!(find(&hits(&db, "golang", "stdlib", "v1.20.10"), "GO-2023-2102").is_none());
    assert!(find(&hits(&db, "golang", "stdlib", "v1.21.2"), "GO-2023-2102").is_some());
}

#[test]
fn distro_releases() {
    let (_d, db) = db();
    let m = hits(&db, "debian:12", "openssh", "1:9.2p1-2+deb12u2");
    assert!(
        m.iter()
            .any(|x| x.vuln_id == "CVE-2024-6387" && x.fixed_versions == ["1:9.2p1-2+deb12u3"]),
        "{m:?}"
    );
    assert!(!hits(&db, "debian:12", "openssh", "1:9.2p1-2+deb12u3")
        .iter()
        .any(|x| x.vuln_id == "CVE-2024-6387"));

    let m = hits(&db, "alpine:3.20", "curl", "8.9.0-r0");
    assert!(
        m.iter()
            .any(|x| x.vuln_id == "CVE-2024-7264" && x.fixed_versions == ["8.9.1-r0"]),
        "{m:?}"
    );
    assert!(!hits(&db, "alpine:3.20", "zlib", "1.3.1-r0")
        .iter()
        .any(|x| x.vuln_id == "CVE-2023-45853"));

    // The DSA list and vuln-list's parse of it.
    let m = hits(&db, "debian:11", "xorg-server", "2:1.20.11-1+deb11u5");
    assert!(
        m.iter().any(|x| x.vuln_id == "CVE-2023-1393"
            && x.advisory_id == "DSA-5380-1"
            && x.source == "debian-dsa-list"),
        "{m:?}"
    );
    let m = hits(&db, "debian:12", "glibc", "2.36-9+deb12u2");
    assert!(
        m.iter()
            .any(|x| x.vuln_id == "CVE-2023-4911" && x.source == "debian-tracker-json"),
        "{m:?}"
    );

    // Ubuntu: released → fixed; deferred → affected without a fix.
    let m = hits(&db, "ubuntu:18.04", "webkit2gtk", "2.22.3-0ubuntu0.18.04.1");
    assert!(
        m.iter().any(
            |x| x.vuln_id == "CVE-2019-6234" && x.fixed_versions == ["2.22.4-0ubuntu0.18.04.1"]
        ),
        "{m:?}"
    );
    let m = hits(&db, "ubuntu:16.04", "webkit2gtk", "2.20.0");
    assert!(
        m.iter().any(|x| x.vuln_id == "CVE-2019-6234"
            && x.status == FixStatus::FixDeferred
            && x.fixed_versions.is_empty()),
        "{m:?}"
    );
    assert_eq!(
        warden_vulndb::distro_key("debian", "12.5").as_deref(),
        Some("debian:12")
    );
    assert_eq!(
        warden_vulndb::distro_key("alpine", "3.20.3").as_deref(),
        Some("alpine:3.20")
    );
}

#[test]
fn native_feeds_match_with_their_own_syntax() {
    let (_d, db) = db();
    // rubysec `>= 2.2.1`.
    assert!(hits(&db, "gem", "resque", "2.2.0")
        .iter()
        .any(|x| x.vuln_id == "CVE-2023-50725" && x.fixed_versions == ["2.2.1"]));
    assert!(hits(&db, "gem", "resque", "2.2.1").is_empty());
    // FriendsOfPHP branches.
    // Every branch's fix above the installed version, smallest (this branch's) first.
    assert!(hits(&db, "composer", "cakephp/cakephp", "2.5.8")
        .iter()
        .any(|x| x.fixed_versions == ["2.5.9", "2.6.11", "2.7.2"]));
    assert!(hits(&db, "composer", "cakephp/cakephp", "2.5.9").is_empty());
    // security-wg npm `<=1.0.0`, no patch.
    let m = hits(&db, "npm", "merge-options", "1.0.0");
    assert!(m
        .iter()
        .any(|x| x.advisory_id == "NSWG-ECO-410" && x.status == FixStatus::Affected));
    assert!(hits(&db, "npm", "merge-options", "1.0.1").is_empty());
    // RustSec markdown: patched `>= 0.6.14, < 1.0.0` or `>= 1.6.1`, unaffected `< 0.6.3`.
    let m = hits(&db, "cargo", "smallvec", "1.6.0");
    assert!(
        m.iter()
            .any(|x| x.advisory_id == "RUSTSEC-2021-0003" && x.source == "rustsec-md"),
        "{m:?}"
    );
    assert!(!hits(&db, "cargo", "smallvec", "1.6.1")
        .iter()
        .any(|x| x.advisory_id == "RUSTSEC-2021-0003"));
    assert!(!hits(&db, "cargo", "smallvec", "0.6.2")
        .iter()
        .any(|x| x.advisory_id == "RUSTSEC-2021-0003"));
    // victims `<=1.9.3`.
    assert!(
        hits(&db, "maven", "commons-beanutils:commons-beanutils", "1.9.3")
            .iter()
            .any(|x| x.vuln_id == "CVE-2019-10086")
    );
    assert!(hits(&db, "maven", "commons-beanutils:commons-beanutils", "1.9.4").is_empty());
    // PyPA YAML, names normalised per PEP 503.
    assert!(hits(&db, "pypi", "PyYAML", "5.3.1")
        .iter()
        .any(|x| x.vuln_id == "CVE-2020-14343"));
    assert!(hits(&db, "pypi", "Requests", "2.30.0")
        .iter()
        .any(|x| x.vuln_id == "CVE-2023-32681" && x.fixed_versions == ["2.31.0"]));
}

#[test]
fn unknown_packages_and_ecosystems() {
    let (_d, db) = db();
    assert!(db
        .query("npm", "no-such-package-anywhere", "1.0.0")
        .expect("miss")
        .is_empty());
    assert!(db
        .query("cobol", "x", "1")
        .expect("unknown key is just a miss")
        .is_empty());
}
