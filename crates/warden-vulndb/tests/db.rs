//! Ingest, join, build, open and verify over the real samples in `tests/fixtures/feeds`.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use warden_vulndb::{build, ingest, BuildOptions, Db, Error, Limits};

fn build_fixtures(out: &Path) -> warden_vulndb::BuildReport {
    build(&BuildOptions {
        inputs: vec![common::fixtures()],
        output: out.to_path_buf(),
        limits: Limits::default(),
        built_at: Some(1_700_000_000),
    })
    .expect("fixtures build")
}

#[test]
fn every_feed_in_the_fixtures_is_ingested() {
    let ing = ingest(&[common::fixtures()], Limits::default()).expect("ingest");
    let accepted = |name: &str| {
        ing.sources
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.accepted)
            .unwrap_or(0)
    };
    for s in [
        "osv-go",
        "osv-pypa",
        "osv-rustsec",
        "ghsa",
        "osv-debian",
        "alpine-secdb",
        "debian-tracker-json",
        "debian-dsa-list",
        "ubuntu-uct",
        "rustsec-md",
        "rubysec",
        "friendsofphp",
        "nodejs-wg",
        "victims",
        "kev",
        "epss",
        "nvd",
    ] {
        assert!(
            accepted(s) > 0,
            "source {s} accepted nothing: {:#?}",
            ing.sources.iter().find(|x| x.name == s)
        );
    }
    // The real samples are well-formed: nothing in them is rejected as a whole.
    for s in &ing.sources {
        assert_eq!(s.rejected, 0, "{}: {:#?}", s.name, s.rejections);
    }
    // Alpine's key "0" (zlib CVE-2023-45853) is a statement, never an affected entry.
    assert!(!ing
        .advisories
        .iter()
        .any(|a| a.id == "CVE-2023-45853" && a.affected.iter().any(|x| x.eco == "alpine:3.20")));
    let alpine = ing
        .sources
        .iter()
        .find(|s| s.name == "alpine-secdb")
        .expect("alpine");
    assert!(
        alpine.notes.keys().any(|k| k.contains("not-affected")),
        "{:?}",
        alpine.notes
    );
}

#[test]
fn aliases_join_into_one_vulnerability_with_every_source() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("w.db");
    let report = build_fixtures(&out);
    assert!(report.metadata.counts.vulnerabilities > 0);
    let db = Db::open(&out).expect("open");
    db.verify().expect("verify");

    let log4shell = db
        .vulnerability("GHSA-jfh8-c2jp-5v3q")
        .expect("lookup")
        .expect("present");
    let v = &log4shell.vulnerability;
    assert_eq!(v.id, "CVE-2021-44228");
    assert!(v.kev, "KEV joined by CVE");
    assert_eq!(
        log4shell.kev.as_ref().map(|k| k.date_added.as_str()),
        Some("2021-12-10")
    );
    assert_eq!(v.epss, Some(f64::from(0.99999_f32)));
    assert!(
        v.sources.contains(&"ghsa".to_string()) && v.sources.contains(&"kev".to_string()),
        "{:?}",
        v.sources
    );
    assert_eq!(v.severity, warden_core::Severity::Critical);

    // PYSEC ↔ CVE ↔ GHSA, plus NVD's CVSS attached by CVE.
    let req = db
        .vulnerability("GHSA-j8r2-6x86-q33q")
        .expect("lookup")
        .expect("present");
    assert_eq!(req.vulnerability.id, "CVE-2023-32681");
    assert!(req
        .vulnerability
        .aliases
        .contains(&"PYSEC-2023-74".to_string()));
    assert!(
        req.vulnerability
            .cvss
            .iter()
            .any(|c| c.source == "nvd" && (c.score - 6.1).abs() < 1e-9),
        "{:?}",
        req.vulnerability.cvss
    );

    // A DSA is split per CVE: CVE-2023-4911 carries the DSA as an alias and keeps each source.
    let glibc = db
        .vulnerability("CVE-2023-4911")
        .expect("lookup")
        .expect("present");
    let advs: Vec<(String, String)> = glibc.advisories.clone();
    assert!(
        advs.contains(&("osv-debian".into(), "DEBIAN-CVE-2023-4911".into())),
        "{advs:?}"
    );
    assert!(
        advs.contains(&("osv-debian".into(), "DSA-5514-1".into())),
        "{advs:?}"
    );
    assert!(
        advs.contains(&("debian-tracker-json".into(), "DSA-5514-1".into())),
        "{advs:?}"
    );
    assert!(glibc
        .vulnerability
        .aliases
        .contains(&"DSA-5514-1".to_string()));
}

#[test]
fn withdrawn_advisories_are_kept_and_marked() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("w.db");
    let report = build_fixtures(&out);
    assert!(
        report.metadata.counts.withdrawn_advisories >= 2,
        "{:?}",
        report.metadata.counts
    );
    let db = Db::open(&out).expect("open");
    let ing = ingest(&[common::fixtures()], Limits::default()).expect("ingest");
    let w = ing
        .advisories
        .iter()
        .find(|a| a.withdrawn.is_some() && a.source == "osv-rustsec")
        .expect("a withdrawn RustSec advisory");
    let d = db
        .vulnerability(&w.id)
        .expect("lookup")
        .expect("kept in the database");
    assert!(d.vulnerability.withdrawn, "{} is marked withdrawn", w.id);
}

fn write(p: &Path, text: &str) {
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

#[test]
fn malformed_advisories_are_rejected_with_reasons() {
    let dir = tempfile::tempdir().expect("tmp");
    let feeds = dir.path().join("feeds");
    let good = r#"{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2099-0001"],
        "affected":[{"package":{"ecosystem":"npm","name":"left-pad"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.3.0"}]}]}]}"#;
    write(&feeds.join("GHSA-aaaa-bbbb-cccc.json"), good);
    write(
        &feeds.join("GHSA-bad1-bad1-bad1.json"),
        r#"{"id":"GHSA-bad1-bad1-bad1","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[{"fixed":"1.0.0"}]}]}]}"#,
    );
    write(
        &feeds.join("GHSA-bad2-bad2-bad2.json"),
        r#"{"id":"GHSA-bad2-bad2-bad2","affected":[{"package":{"ecosystem":"COBOL","name":"x"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}"#,
    );
    write(
        &feeds.join("GHSA-bad3-bad3-bad3.json"),
        r#"{"id":"GHSA-bad3-bad3-bad3","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":""}]}]}]}"#,
    );
    write(
        &feeds.join("GHSA-bad4-bad4-bad4.json"),
        r#"{"id":"GHSA-bad4-bad4-bad4","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{}]}]}]}"#,
    );
    write(&feeds.join("GHSA-bad5-bad5-bad5.json"), "{ not json");
    let ing = ingest(&[feeds], Limits::default()).expect("ingest");
    let ghsa = ing
        .sources
        .iter()
        .find(|s| s.name == "ghsa")
        .expect("ghsa stats");
    assert_eq!(ghsa.accepted, 1);
    assert_eq!(ghsa.rejected, 5, "{:#?}", ghsa.rejections);
    let reasons: Vec<String> = ghsa
        .rejections
        .iter()
        .map(|r| format!("{} {}", r.at, r.reason))
        .collect();
    let has = |file: &str, words: &str| {
        reasons
            .iter()
            .any(|r| r.contains(file) && r.contains(words))
    };
    assert!(
        has("GHSA-bad1", "'fixed' 1.0.0 without an 'introduced'"),
        "{reasons:#?}"
    );
    assert!(
        has("GHSA-bad2", "unknown ecosystem 'COBOL'"),
        "{reasons:#?}"
    );
    assert!(has("GHSA-bad3", "empty 'fixed'"), "{reasons:#?}");
    assert!(
        has("GHSA-bad4", "exactly one of introduced, fixed"),
        "{reasons:#?}"
    );
    assert!(has("GHSA-bad5", "not a valid OSV record"), "{reasons:#?}");
}

fn zip_with(path: &Path, name: &str, data: &[u8]) {
    let f = std::fs::File::create(path).expect("create zip");
    let mut z = zip::ZipWriter::new(f);
    z.start_file(
        name,
        zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated),
    )
    .expect("start");
    z.write_all(data).expect("write");
    z.finish().expect("finish");
}

#[test]
fn zip_bomb_stops_the_build_and_keeps_the_old_database() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("w.db");
    build_fixtures(&out);
    let before = std::fs::read(&out).expect("read");
    // 64 MiB of one byte deflates to ~64 KiB: a bomb against a 4 MiB member bound.
    let bomb = dir.path().join("all.zip");
    let mut payload = b"{\"id\":\"GHSA-zzzz-zzzz-zzzz\",\"details\":\"".to_vec();
    payload.resize(64 << 20, b'A');
    zip_with(&bomb, "GHSA-zzzz-zzzz-zzzz.json", &payload);
    assert!(std::fs::metadata(&bomb).expect("meta").len() < 1 << 20);
    let err = build(&BuildOptions {
        inputs: vec![common::fixtures(), bomb.clone()],
        output: out.clone(),
        limits: Limits {
            max_total: 1 << 30,
            max_member: 4 << 20,
        },
        built_at: None,
    })
    .expect_err("bomb must fail");
    assert!(matches!(err, Error::TooLarge { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("all.zip!GHSA-zzzz-zzzz-zzzz.json") && msg.contains("archive bomb"),
        "{msg}"
    );
    assert_eq!(
        std::fs::read(&out).expect("read"),
        before,
        "old database untouched"
    );
    // The total bound applies across inputs too.
    let err = build(&BuildOptions {
        inputs: vec![common::fixtures()],
        output: out.clone(),
        limits: Limits {
            max_total: 10_000,
            max_member: 1 << 20,
        },
        built_at: None,
    })
    .expect_err("total bound");
    assert!(
        matches!(err, Error::TooLarge { limit: 10_000, .. }),
        "{err}"
    );
    assert_eq!(std::fs::read(&out).expect("read"), before);
}

fn tar_zst_of(dir: &Path, out: &Path) {
    let f = std::fs::File::create(out).expect("create");
    let enc = zstd::Encoder::new(f, 3).expect("zstd").auto_finish();
    let mut t = tar::Builder::new(enc);
    t.append_dir_all(".", dir).expect("append");
    t.finish().expect("finish");
}

#[test]
fn archives_are_read_directly_and_give_the_same_result() {
    let dir = tempfile::tempdir().expect("tmp");
    let archive = dir.path().join("feeds.tar.zst");
    tar_zst_of(&common::fixtures(), &archive);
    let a = ingest(&[common::fixtures()], Limits::default()).expect("dir");
    let b = ingest(&[archive], Limits::default()).expect("archive");
    let counts = |i: &warden_vulndb::Ingested| {
        i.sources
            .iter()
            .map(|s| (s.name.clone(), s.accepted, s.rejected))
            .collect::<Vec<_>>()
    };
    assert_eq!(counts(&a), counts(&b));
    assert_eq!(a.advisories.len(), b.advisories.len());
}

#[test]
fn builds_are_deterministic() {
    let dir = tempfile::tempdir().expect("tmp");
    let (x, y) = (dir.path().join("x.db"), dir.path().join("y.db"));
    build_fixtures(&x);
    build_fixtures(&y);
    assert_eq!(std::fs::read(&x).expect("x"), std::fs::read(&y).expect("y"));
}

#[test]
fn damaged_databases_give_clear_errors() {
    let dir = tempfile::tempdir().expect("tmp");
    let good = dir.path().join("good.db");
    build_fixtures(&good);
    let bytes = std::fs::read(&good).expect("read");

    let truncated = dir.path().join("truncated.db");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    let e = Db::open(&truncated).err().expect("truncated must fail");
    assert!(
        matches!(e, Error::Corrupt { .. }) && e.to_string().contains("truncated"),
        "{e}"
    );

    let tiny = dir.path().join("tiny.db");
    std::fs::write(&tiny, b"WARDEN").expect("write");
    assert!(Db::open(&tiny)
        .err()
        .expect("tiny")
        .to_string()
        .contains("shorter than the 64-byte header"));

    let other = dir.path().join("other.db");
    std::fs::write(&other, vec![7u8; 4096]).expect("write");
    assert!(Db::open(&other)
        .err()
        .expect("magic")
        .to_string()
        .contains("bad magic"));

    let mut schema = bytes.clone();
    schema[8..12].copy_from_slice(&99u32.to_le_bytes());
    let wrong = dir.path().join("schema.db");
    std::fs::write(&wrong, &schema).expect("write");
    let e = Db::open(&wrong).err().expect("schema");
    assert!(matches!(e, Error::Schema { found: 99, .. }), "{e}");

    let mut flipped = bytes.clone();
    let at = flipped.len() - 100;
    flipped[at] ^= 0xff;
    let damaged = dir.path().join("flipped.db");
    std::fs::write(&damaged, &flipped).expect("write");
    let db = Db::open(&damaged).expect("structure is intact");
    assert!(db
        .verify()
        .expect_err("checksum")
        .to_string()
        .contains("sha256"));

    assert!(Db::open(dir.path().join("missing.db"))
        .err()
        .expect("missing")
        .is_database());
}

#[test]
fn a_failed_build_never_replaces_a_good_database() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("w.db");
    build_fixtures(&out);
    let before = std::fs::read(&out).expect("read");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let e = build(&BuildOptions {
        inputs: vec![empty],
        output: out.clone(),
        limits: Limits::default(),
        built_at: None,
    })
    .expect_err("empty");
    assert!(matches!(e, Error::Empty { .. }), "{e}");
    let e = build(&BuildOptions {
        inputs: vec![PathBuf::from("/nonexistent/feeds")],
        output: out.clone(),
        limits: Limits::default(),
        built_at: None,
    })
    .expect_err("missing input");
    assert!(e.to_string().contains("/nonexistent/feeds"), "{e}");
    assert_eq!(std::fs::read(&out).expect("read"), before);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("ls")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files cleaned up");
}

#[test]
fn metadata_lists_every_source_with_date_and_counts() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("w.db");
    build_fixtures(&out);
    let db = Db::open(&out).expect("open");
    let m = db.metadata();
    assert_eq!(m.schema_version, warden_vulndb::SCHEMA_VERSION);
    assert_eq!(m.built_at, "2023-11-14T22:13:20Z");
    for s in &m.sources {
        assert!(s.date.is_some(), "{} has a date", s.name);
        assert!(s.files > 0, "{} read files", s.name);
    }
    let kev = m.sources.iter().find(|s| s.name == "kev").expect("kev");
    assert_eq!(kev.date.as_deref(), Some("2025-08-25"));
    assert!(
        kev.unjoined >= 1,
        "CVE-2023-46604 has no advisory in the fixtures: {kev:?}"
    );
    assert!(m.ignored_files.is_empty(), "{:?}", m.ignored_files);
}

#[test]
fn concurrent_readers_share_one_database() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("w.db");
    build_fixtures(&out);
    let db = std::sync::Arc::new(Db::open(&out).expect("open"));
    let pkgs = db.packages().expect("packages");
    let expected: Vec<usize> = pkgs
        .iter()
        .map(|(e, p)| {
            db.query_all(e, p, "0")
                .map(|m| m.len())
                .unwrap_or(usize::MAX)
        })
        .collect();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (db, pkgs) = (db.clone(), pkgs.clone());
            std::thread::spawn(move || {
                pkgs.iter()
                    .map(|(e, p)| {
                        db.query_all(e, p, "0")
                            .map(|m| m.len())
                            .unwrap_or(usize::MAX)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().expect("thread"), expected);
    }
}

#[test]
fn all_of_shared_vulndata_ingests() {
    let Some(root) = common::vulndata() else {
        eprintln!("SKIP: ../shared/vulndata is absent; this conformance run needs it");
        return;
    };
    let ing = ingest(&[root], Limits::default()).expect("ingest all of vulndata");
    for s in &ing.sources {
        eprintln!(
            "{:<22} files {:>5} accepted {:>7} rejected {:>4} parts {:>4} date {:?}",
            s.name, s.files, s.accepted, s.rejected, s.rejected_parts, s.date
        );
    }
    let accepted = |n: &str| {
        ing.sources
            .iter()
            .find(|s| s.name == n)
            .map(|s| s.accepted)
            .unwrap_or(0)
    };
    // Record counts from vulndata/SOURCES.md.
    // PYSEC-2022-15 (loguru) has neither ranges nor versions: the one PyPA rejection.
    let pypa = ing
        .sources
        .iter()
        .find(|s| s.name == "osv-pypa")
        .expect("pypa");
    assert_eq!((pypa.accepted, pypa.rejected), (2660, 1));
    assert!(pypa
        .rejections
        .iter()
        .any(|r| r.at.contains("PYSEC-2022-15") && r.reason.contains("no affected entry")));
    assert_eq!(accepted("osv-go"), 4291);
    assert_eq!(accepted("osv-rustsec"), 1206);
    assert_eq!(accepted("ghsa"), 28);
    assert_eq!(accepted("kev"), 1404);
    assert_eq!(accepted("epss"), 360_142);
    assert_eq!(accepted("ubuntu-uct"), 6509);
    assert_eq!(accepted("rubysec"), 1381);
    assert_eq!(accepted("friendsofphp"), 1592);
    // Every file is either a feed file or listed as ignored (READMEs, licences, indexes).
    assert!(
        ing.ignored.iter().all(|r| !r.at.ends_with(".yaml")
            && (!r.at.ends_with(".json") || r.at.ends_with("_schema.json"))),
        "{:#?}",
        ing.ignored
    );
    assert!(
        !ing.sources.iter().any(|s| s.name == "osv-cve"),
        "FriendsOfPHP files named CVE-*.yaml are not OSV"
    );
    for s in [
        "osv-debian",
        "alpine-secdb",
        "debian-tracker-json",
        "debian-dsa-list",
        "debian-dla-list",
        "rustsec-md",
        "nodejs-wg",
        "victims",
        "nvd",
    ] {
        assert!(accepted(s) > 0, "{s}");
    }
}

/// The package index (sorted bounds, spans per entry) must answer exactly as evaluating every
/// stored range does: for every package, every version its ranges mention, versions just
/// around those, and versions that do not parse.
#[test]
fn the_range_index_answers_as_the_ranges_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("w.db");
    build_fixtures(&path);
    let db = Db::open(&path).expect("open");
    let (mut asked, mut hits) = (0usize, 0usize);
    for (eco, pkg) in db.packages().expect("packages") {
        let mut versions = db.versions_mentioned(&eco, &pkg).expect("versions");
        for v in versions.clone() {
            versions.push(format!("{v}.1"));
            versions.push(format!("{v}-1"));
            versions.push(format!("{v}~rc1"));
            versions.push(format!("{v}a1"));
        }
        versions.extend(["0", "0.0.1", "99999", "not a version", "dev-main", ""].map(String::from));
        for v in versions {
            let indexed = db.query_all(&eco, &pkg, &v).expect("query");
            let evaluated = db.query_by_ranges(&eco, &pkg, &v).expect("query");
            let evaluated_live: Vec<_> =
                evaluated.iter().filter(|m| !m.withdrawn).cloned().collect();
            assert_eq!(
                db.query(&eco, &pkg, &v).expect("query"),
                evaluated_live,
                "{eco} {pkg} {v}"
            );
            let all: Vec<_> = indexed.iter().filter(|m| !m.withdrawn).cloned().collect();
            assert_eq!(all, evaluated_live, "{eco} {pkg} {v}");
            asked += 1;
            hits += indexed.len();
        }
    }
    assert!(
        asked > 1000 && hits > 100,
        "{asked} queries, {hits} matches"
    );
}

/// RubyGems requirement lists are indexed as spans; `~> r` ends below `r.bump()` only for
/// releases, so pre-releases near the bump are evaluated from the stored ranges. Every answer
/// must equal evaluating the ranges, and the known verdicts of bundler-audit's rule hold.
#[test]
fn rubygems_requirement_lists_in_the_index_answer_as_the_ranges_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gems = dir.path().join("rubysec/gems/puma");
    std::fs::create_dir_all(&gems).expect("mkdir");
    let advisory = |cve: &str, patched: &[&str], unaffected: &[&str]| {
        let list = |l: &[&str]| {
            l.iter()
                .map(|x| format!("  - \"{x}\"\n"))
                .collect::<String>()
        };
        format!(
            "---\ngem: puma\ncve: {cve}\nurl: https://example.invalid/{cve}\ntitle: t\n\
             date: 2021-05-11\ndescription: d\npatched_versions:\n{}unaffected_versions:\n{}",
            list(patched),
            list(unaffected)
        )
    };
    for (cve, patched, unaffected) in [
        ("2021-29509", &["~> 4.3.8", ">= 5.3.1"][..], &[][..]),
        ("2020-5247", &["~> 3.12.4", "~> 4.3, >= 4.3.3"], &["< 3.0"]),
        (
            "2022-1000",
            &["!= 5.0.0, >= 4.9", "= 4.3.1"],
            &["<= 2.0.0.pre"],
        ),
        ("2022-1001", &["~> 6"], &["< 1"]),
    ] {
        std::fs::write(
            gems.join(format!("CVE-{cve}.yml")),
            advisory(cve, patched, unaffected),
        )
        .expect("write");
    }
    let path = dir.path().join("w.db");
    build(&BuildOptions {
        inputs: vec![dir.path().join("rubysec")],
        output: path.clone(),
        limits: Limits::default(),
        built_at: Some(1_700_000_000),
    })
    .expect("build");
    let db = Db::open(&path).expect("open");
    let affected = |v: &str, cve: &str| {
        let indexed = db.query("gem", "puma", v).expect("query");
        assert_eq!(
            indexed,
            db.query_by_ranges("gem", "puma", v).expect("query"),
            "puma {v}"
        );
        indexed.iter().any(|m| m.vuln_id == format!("CVE-{cve}"))
    };
    let mut versions: Vec<String> = Vec::new();
    for base in [
        "0", "1.9", "2.0.0", "2.9", "3.0", "3.12.3", "3.12.4", "3.12.9", "3.13", "4", "4.3",
        "4.3.1", "4.3.2", "4.3.3", "4.3.8", "4.3.9", "4.4", "4.9", "5", "5.0.0", "5.3.0", "5.3.1",
        "6", "6.5", "6.5.1", "7", "7.0.0",
    ] {
        for suffix in ["", ".0", ".1", ".a", ".0.rc1", "-pre", ".beta.2"] {
            versions.push(format!("{base}{suffix}"));
        }
    }
    for v in &versions {
        affected(v, "2021-29509");
    }
    // `~> 4.3.8` is `>= 4.3.8` and a release part below 4.4.
    assert!(!affected("4.3.8", "2021-29509"));
    assert!(!affected("4.3.99", "2021-29509"));
    assert!(affected("4.4.0", "2021-29509"));
    assert!(affected("4.3.8.rc1", "2021-29509"));
    // A pre-release of 4.4 sorts below 4.4, but its release part is 4.4: not patched.
    assert!(affected("4.4.0.a", "2021-29509"));
    assert!(affected("4.4.a", "2021-29509"));
    assert!(!affected("5.3.1", "2021-29509"));
    // Lists: `~> 4.3, >= 4.3.3` holds for 4.3.3 up to any 4.x release.
    assert!(affected("4.3.2", "2020-5247"));
    assert!(!affected("4.9.9", "2020-5247"));
    assert!(!affected("2.9", "2020-5247"));
    assert!(affected("5.0", "2020-5247"));
    // `!=` cuts one version out of a span, `=` keeps only one.
    assert!(affected("5.0.0", "2022-1000"));
    assert!(affected("5.0", "2022-1000"));
    assert!(!affected("5.0.1", "2022-1000"));
    assert!(!affected("4.3.1", "2022-1000"));
    assert!(affected("4.3.2", "2022-1000"));
    assert!(!affected("2.0.0.pre", "2022-1000"));
    // `~> 6` is `>= 6` and below 7 (a single segment is bumped itself).
    assert!(!affected("6.4", "2022-1001"));
    assert!(affected("7.0", "2022-1001"));
    assert!(!affected("6.5.1", "2022-1001"));
}

/// npm ranges (nodejs-wg) are indexed as spans for releases; npm admits a pre-release only to
/// a comparator set naming a pre-release of the same release, so pre-release queries are
/// evaluated from the stored ranges. Every answer must equal evaluating the ranges, and
/// node-semver's verdicts hold.
#[test]
fn npm_ranges_in_the_index_answer_as_the_ranges_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let npm = dir.path().join("nodejs/vuln/npm");
    std::fs::create_dir_all(&npm).expect("mkdir");
    let ranges = [
        ("<=1.0.0", None),
        (">=1.2.3 <2.0.0 || >=3.0.0-beta.1 <3.0.2", Some(">=3.0.2")),
        ("^1.4.0 || ~2.1.0", Some(">=2.2.0")),
        ("<0.5.0 || >=9.0.0-rc.1", None),
        ("1.x", Some(">=2.0.0")),
        ("*", None),
    ];
    for (i, (vulnerable, patched)) in ranges.iter().enumerate() {
        let advisory = serde_json::json!({
            "id": i + 1,
            "title": "t",
            "module_name": "pkg",
            "cves": [format!("CVE-2099-{:04}", i + 1)],
            "vulnerable_versions": vulnerable,
            "patched_versions": patched,
        });
        std::fs::write(npm.join(format!("{}.json", i + 1)), advisory.to_string()).expect("write");
    }
    let path = dir.path().join("w.db");
    build(&BuildOptions {
        inputs: vec![dir.path().join("nodejs")],
        output: path.clone(),
        limits: Limits::default(),
        built_at: Some(1_700_000_000),
    })
    .expect("build");
    let db = Db::open(&path).expect("open");
    db.verify().expect("verify");
    let affected = |v: &str, n: usize| {
        let indexed = db.query("npm", "pkg", v).expect("query");
        assert_eq!(
            indexed,
            db.query_by_ranges("npm", "pkg", v).expect("query"),
            "pkg {v}"
        );
        indexed
            .iter()
            .any(|m| m.vuln_id == format!("CVE-2099-{n:04}"))
    };
    for base in [
        "0.0.0", "0.4.9", "0.5.0", "1.0.0", "1.0.1", "1.2.2", "1.2.3", "1.4.0", "1.9.9", "2.0.0",
        "2.1.0", "2.1.7", "2.2.0", "3.0.0", "3.0.1", "3.0.2", "9.0.0", "10.1.0",
    ] {
        for suffix in ["", "-0", "-rc.1", "-beta.2", "+build.5"] {
            affected(&format!("{base}{suffix}"), 1);
        }
    }
    assert!(affected("1.0.0", 1));
    assert!(!affected("1.0.1", 1));
    // A pre-release is admitted only by a set naming a pre-release of its own release.
    assert!(!affected("1.0.0-rc.1", 1));
    assert!(affected("3.0.0-beta.2", 2));
    assert!(!affected("3.0.1-rc.1", 2));
    assert!(affected("3.0.1", 2));
    assert!(!affected("2.0.0", 2));
    assert!(affected("1.5.0", 3));
    assert!(!affected("1.5.0-rc.1", 3));
    assert!(affected("2.1.9", 3));
    assert!(!affected("2.2.0", 3));
    assert!(affected("9.0.0-rc.2", 4));
    assert!(!affected("9.0.0-beta", 4));
    assert!(affected("1.99.0", 5));
    assert!(affected("0.0.0", 6));
    assert!(!affected("0.0.0-0", 6));
}
