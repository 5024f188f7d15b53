//! `warden lint` with the real `shellcheck`: SC findings, and the per-script result cache that
//! makes unchanged RUN scripts cost a file read instead of a ShellCheck analysis.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const DOCKERFILE: &str = "FROM debian:12\nRUN echo $UNQUOTED_NAME\n";

fn lint(dir: &Path, cache: &Path, extra: &[&str]) -> Vec<(String, String)> {
    let out = run(warden()
        .current_dir(dir)
        .env("WARDEN_CACHE_DIR", cache)
        .args(["lint", "-f", "json", "--no-fail"])
        .args(extra)
        .arg("Dockerfile"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    items
        .iter()
        .filter(|i| i["code"].as_str().is_some_and(|c| c.starts_with("SC")))
        .map(|i| {
            (
                i["code"].as_str().unwrap_or("").to_string(),
                i["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Every cache entry file below `dir`.
fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(entries(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn shellcheck_on_path() -> bool {
    // Unlike the optional-tool tests, an absent shellcheck fails here: scripts/setup.sh
    // installs it and these tests exist to exercise it.
    assert!(
        std::process::Command::new("shellcheck")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success()),
        "shellcheck is not installed (run scripts/setup.sh)"
    );
    true
}

#[test]
fn shellcheck_results_are_cached_per_script_and_reused() {
    assert!(shellcheck_on_path());
    let dir = tempfile::tempdir().expect("tempdir");
    let cache_root = tempfile::tempdir().expect("cache dir");
    std::fs::write(dir.path().join("Dockerfile"), DOCKERFILE).expect("write");

    let first = lint(dir.path(), cache_root.path(), &[]);
    assert!(
        first.iter().any(|(c, _)| c == "SC2086"),
        "shellcheck's quoting finding on line 2: {first:?}"
    );
    let stored = entries(&cache_root.path().join("shellcheck"));
    assert_eq!(stored.len(), 1, "one entry for the one RUN: {stored:?}");

    // The second run answers from the entry: same findings.
    assert_eq!(lint(dir.path(), cache_root.path(), &[]), first);

    // Proof that the entry is what answers: a planted comment comes back as a finding.
    std::fs::write(
        &stored[0],
        r#"[{"code":1234,"level":"error","message":"planted in the cache"}]"#,
    )
    .expect("plant");
    let planted = lint(dir.path(), cache_root.path(), &[]);
    assert_eq!(
        planted,
        [("SC1234".to_string(), "planted in the cache".to_string())]
    );

    // --no-cache neither reads nor writes the entry.
    let uncached = lint(dir.path(), cache_root.path(), &["--no-cache"]);
    assert_eq!(uncached, first);
    assert!(std::fs::read_to_string(&stored[0])
        .expect("entry")
        .contains("planted"));

    // A damaged entry is a miss: shellcheck runs again and the entry is rewritten.
    std::fs::write(&stored[0], b"{ not json").expect("damage");
    assert_eq!(lint(dir.path(), cache_root.path(), &[]), first);
    let rewritten = std::fs::read_to_string(&stored[0]).expect("entry");
    assert!(
        serde_json::from_str::<serde_json::Value>(&rewritten).is_ok(),
        "{rewritten}"
    );
}

#[test]
fn a_changed_script_or_another_shellcheck_binary_gets_its_own_entry() {
    assert!(shellcheck_on_path());
    let dir = tempfile::tempdir().expect("tempdir");
    let cache_root = tempfile::tempdir().expect("cache dir");
    let cache = cache_root.path().join("shellcheck");
    std::fs::write(dir.path().join("Dockerfile"), DOCKERFILE).expect("write");
    lint(dir.path(), cache_root.path(), &[]);
    assert_eq!(entries(&cache).len(), 1);

    // An edited RUN is a new script.
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM debian:12\nRUN echo \"$QUOTED\"\n",
    )
    .expect("write");
    let found = lint(dir.path(), cache_root.path(), &[]);
    assert!(!found.iter().any(|(c, _)| c == "SC2086"), "{found:?}");
    assert_eq!(entries(&cache).len(), 2);

    // A different binary (an upgrade, another path) must not be answered by the old results.
    let which = std::process::Command::new("sh")
        .args(["-c", "command -v shellcheck"])
        .output()
        .expect("sh");
    let real = String::from_utf8_lossy(&which.stdout).trim().to_string();
    let copy = dir.path().join("shellcheck-copy");
    std::fs::copy(&real, &copy).expect("copy shellcheck");
    let out = run(warden()
        .current_dir(dir.path())
        .env("WARDEN_CACHE_DIR", cache_root.path())
        .env("SHELLCHECK", &copy)
        .args(["lint", "-f", "json", "--no-fail", "Dockerfile"]));
    assert!(out.status.success());
    assert_eq!(entries(&cache).len(), 3);
}

#[test]
fn heredoc_runs_give_shellcheck_the_script_buildkit_runs() {
    assert!(shellcheck_on_path());
    let dir = tempfile::tempdir().expect("tempdir");
    let cache_root = tempfile::tempdir().expect("cache dir");
    // `RUN <<EOF` runs the body as the script; `RUN cat <<EOF` feeds it to cat. Neither may
    // look like an unterminated heredoc (SC1044) to ShellCheck.
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM debian:12\nRUN <<EOF\nfind -name core -delete\nEOF\nRUN cat <<EOF > /etc/motd\nhello\nEOF\n",
    )
    .expect("write");
    let found = lint(dir.path(), cache_root.path(), &["--no-cache"]);
    let codes: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        codes,
        ["SC2185"],
        "the body's `find` without a path: {found:?}"
    );
}
