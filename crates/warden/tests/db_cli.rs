//! `warden db` end to end through the binary: build, info, query, damaged databases, staleness,
//! update from a loopback mirror, publish/pull through a local docker-registry.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../warden-vulndb/tests/fixtures/feeds")
}

fn warden() -> Command {
    let mut c = Command::cargo_bin("warden").expect("binary");
    // No user config, no user cache: every path is explicit.
    c.env_remove("WARDEN_DB")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("XDG_CACHE_HOME", "/nonexistent-cache");
    c
}

fn built(dir: &Path) -> PathBuf {
    let db = dir.join("w.db");
    warden()
        .args(["db", "build", "--from"])
        .arg(fixtures())
        .arg("-o")
        .arg(&db)
        .assert()
        .success();
    db
}

#[test]
fn build_info_and_query() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("w.db");
    warden()
        .args(["db", "build", "--from"])
        .arg(fixtures())
        .arg("-o")
        .arg(&db)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("osv-pypa")
                .and(predicate::str::contains("built "))
                .and(predicate::str::contains("bytes/advisory")),
        );

    let out = warden()
        .args(["db", "info", "--format", "json", "--verify", "--db"])
        .arg(&db)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    // The schema this warden writes (2 since the per-package range index).
    assert_eq!(
        v["metadata"]["schema_version"],
        warden_vulndb::SCHEMA_VERSION
    );
    assert_eq!(v["verified"], true);
    let sources = v["metadata"]["sources"].as_array().expect("sources");
    assert!(
        sources
            .iter()
            .any(|s| s["name"] == "kev" && s["accepted"].as_u64() == Some(4)),
        "{sources:?}"
    );
    assert!(sources.iter().all(|s| s["date"].is_string()));

    warden()
        .args([
            "db",
            "query",
            "maven",
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
            "--db",
        ])
        .arg(&db)
        .assert()
        .success()
        .stdout(predicate::str::contains("CVE-2021-44228").and(predicate::str::contains("2.15.0")));
    let out = warden()
        .args([
            "db",
            "query",
            "--format",
            "json",
            "alpine:3.20",
            "curl",
            "8.9.0-r0",
            "--db",
        ])
        .arg(&db)
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(v
        .as_array()
        .expect("list")
        .iter()
        .any(|m| m["vulnerability"]["id"] == "CVE-2024-7264"
            && m["match"]["fixed_versions"][0] == "8.9.1-r0"));
}

#[test]
fn damaged_or_missing_databases_exit_66() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = built(dir.path());
    let bytes = std::fs::read(&db).expect("read");
    let cut = dir.path().join("cut.db");
    std::fs::write(&cut, &bytes[..bytes.len() - 10]).expect("write");
    warden()
        .args(["db", "info", "--db"])
        .arg(&cut)
        .assert()
        .code(66)
        .stderr(predicate::str::contains("truncated"));
    let mut schema = bytes.clone();
    schema[8] = 42;
    let wrong = dir.path().join("schema.db");
    std::fs::write(&wrong, &schema).expect("write");
    warden()
        .args(["db", "info", "--db"])
        .arg(&wrong)
        .assert()
        .code(66)
        .stderr(predicate::str::contains("schema version 42"));
    warden()
        .args(["db", "info", "--db"])
        .arg(dir.path().join("none.db"))
        .assert()
        .code(66)
        .stderr(predicate::str::contains("not found"));
    // A failed build leaves the good database alone and exits non-zero with the input named.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    warden()
        .args(["db", "build", "--from"])
        .arg(&empty)
        .arg("-o")
        .arg(&db)
        .assert()
        .code(65)
        .stderr(predicate::str::contains("no advisories found"));
    assert_eq!(std::fs::read(&db).expect("read"), bytes);
}

#[test]
fn stale_database_warns_and_max_age_fails() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("old.db");
    // Built "ten days ago".
    let then = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        - 10 * 86_400;
    warden()
        .env("SOURCE_DATE_EPOCH", then.to_string())
        .args(["db", "build", "--from"])
        .arg(fixtures())
        .arg("-o")
        .arg(&db)
        .assert()
        .success();
    warden()
        .args(["db", "info", "--db"])
        .arg(&db)
        .assert()
        .success()
        .stderr(predicate::str::contains("warning:").and(predicate::str::contains("10d 0h old")));
    warden()
        .args(["db", "info", "--db-max-age", "7d", "--db"])
        .arg(&db)
        .assert()
        .code(66)
        .stderr(predicate::str::contains("more than --db-max-age 7d 0h"));
    warden()
        .args(["db", "info", "--db-max-age", "30d", "--db"])
        .arg(&db)
        .assert()
        .success();
    warden()
        .args(["db", "info", "--db-max-age", "soon", "--db"])
        .arg(&db)
        .assert()
        .code(64);
}

/// Serves files from a map, one connection at a time, on loopback.
fn serve(
    files: Vec<(String, Vec<u8>)>,
) -> (
    String,
    std::thread::JoinHandle<()>,
    std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.set_nonblocking(true).expect("nb");
    let addr = format!("http://{}/", l.local_addr().expect("addr"));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let s2 = stop.clone();
    let h = std::thread::spawn(move || {
        while !s2.load(std::sync::atomic::Ordering::SeqCst) {
            let Ok((mut s, _)) = l.accept() else {
                std::thread::sleep(std::time::Duration::from_millis(5));
                continue;
            };
            let _ = s.set_nonblocking(false);
            let mut r = BufReader::new(s.try_clone().expect("clone"));
            let mut first = String::new();
            let _ = r.read_line(&mut first);
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).is_err() || h.trim().is_empty() {
                    break;
                }
            }
            let path = first
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .trim_start_matches('/')
                .to_string();
            match files.iter().find(|(n, _)| *n == path) {
                Some((_, b)) => {
                    let _ = s.write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            b.len()
                        )
                        .as_bytes(),
                    );
                    let _ = s.write_all(b);
                }
                None => {
                    let _ = s.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                }
            }
        }
    });
    (addr, h, stop)
}

#[test]
fn update_from_a_loopback_mirror() {
    use sha2_free::sha256_hex;
    let f = fixtures();
    let mut files: Vec<(String, Vec<u8>)> = [
        "ghsa/GHSA-jfh8-c2jp-5v3q.json",
        "kev/known_exploited_vulnerabilities.json",
    ]
    .iter()
    .map(|p| {
        (
            Path::new(p)
                .file_name()
                .expect("name")
                .to_string_lossy()
                .to_string(),
            std::fs::read(f.join(p)).expect("fixture"),
        )
    })
    .collect();
    let sums: String = files
        .iter()
        .map(|(n, b)| format!("{}  {n}\n", sha256_hex(b)))
        .collect();
    files.push(("SHA256SUMS".into(), sums.into_bytes()));
    let (url, h, stop) = serve(files);
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("cache/warden.db");
    warden()
        .args(["db", "update", "--mirror", &url, "--db"])
        .arg(&db)
        .assert()
        .success()
        .stdout(predicate::str::contains("downloaded 2 files"));
    warden()
        .args([
            "db",
            "query",
            "maven",
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
            "--db",
        ])
        .arg(&db)
        .assert()
        .success()
        .stdout(predicate::str::contains("CVE-2021-44228"));
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let _ = h.join();
}

/// sha256 via the coreutils binary, so this test crate needs no hashing dependency.
mod sha2_free {
    pub fn sha256_hex(b: &[u8]) -> String {
        use std::io::Write;
        let mut c = std::process::Command::new("sha256sum")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("sha256sum");
        c.stdin.take().expect("stdin").write_all(b).expect("write");
        let out = c.wait_with_output().expect("wait");
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string()
    }
}

#[test]
fn publish_and_pull_with_a_local_registry() {
    let bin = Path::new("/usr/bin/docker-registry");
    if !bin.exists() {
        eprintln!("SKIP: /usr/bin/docker-registry is not installed (scripts/setup.sh installs it)");
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let db = built(dir.path());
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let cfg = dir.path().join("registry.yml");
    std::fs::write(&cfg, format!("version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n", dir.path().join("reg").display())).expect("cfg");
    let mut child = std::process::Command::new(bin)
        .arg("serve")
        .arg(&cfg)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("registry");
    let addr = format!("127.0.0.1:{port}");
    for _ in 0..200 {
        if std::net::TcpStream::connect(&addr).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    let reference = format!("{addr}/warden/db:latest");
    let pulled = dir.path().join("pulled.db");
    let publish = warden()
        .args(["db", "publish", &reference, "--insecure", "--db"])
        .arg(&db)
        .output()
        .expect("publish");
    let pull = warden()
        .args(["db", "pull", &reference, "--insecure", "--db"])
        .arg(&pulled)
        .output()
        .expect("pull");
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        publish.status.success(),
        "{}",
        String::from_utf8_lossy(&publish.stderr)
    );
    assert!(
        pull.status.success(),
        "{}",
        String::from_utf8_lossy(&pull.stderr)
    );
    assert_eq!(
        std::fs::read(&db).expect("a"),
        std::fs::read(&pulled).expect("b")
    );
}
