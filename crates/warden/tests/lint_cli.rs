//! `warden lint` end to end: formats, exit codes, config discovery, pragmas, directories.

mod common;

use std::path::Path;

use common::*;

const BAD: &str = "FROM debian\nRUN cd /tmp && apt-get install curl\nUSER root\nCMD run\n";

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(p, text).expect("write fixture");
}

fn json(out: &std::process::Output) -> Vec<serde_json::Value> {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn json_output_has_hadolints_shape_and_exit_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "Dockerfile", BAD);
    let out = run(warden().current_dir(dir.path()).args([
        "lint",
        "--no-shellcheck",
        "-f",
        "json",
        "Dockerfile",
    ]));
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let items = json(&out);
    let codes: Vec<(&str, u64)> = items
        .iter()
        .map(|i| {
            (
                i["code"].as_str().unwrap_or(""),
                i["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    for want in [
        ("DL3006", 1),
        ("DL3003", 2),
        ("DL3008", 2),
        ("DL3014", 2),
        ("DL3015", 2),
        ("DL3002", 3),
        ("DL3025", 4),
        ("WD1007", 0),
    ] {
        if want.1 == 0 {
            assert!(
                !codes.iter().any(|c| c.0 == want.0),
                "{} must not fire: {codes:?}",
                want.0
            );
        } else {
            assert!(codes.contains(&want), "missing {want:?} in {codes:?}");
        }
    }
    let first = &items[0];
    let mut keys: Vec<&String> = first.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(keys, ["code", "column", "file", "level", "line", "message"]);
    assert_eq!(first["file"], "Dockerfile");
}

#[test]
fn threshold_ignore_and_pragmas_change_the_outcome() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "Dockerfile",
        "FROM debian:12\n# hadolint ignore=DL3059\nRUN a\nRUN b\n",
    );
    let base = [
        "lint",
        "--no-shellcheck",
        "-f",
        "json",
        "--ignore",
        "WD1001",
        "--ignore",
        "WD1003",
        "--ignore",
        "WD1004",
        "--ignore",
        "WD1010",
    ];
    let out = run(warden()
        .current_dir(dir.path())
        .args(base)
        .arg("Dockerfile"));
    let codes: Vec<String> = json(&out)
        .iter()
        .map(|i| i["code"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(codes, ["DL3059"], "the pragma covers line 3 only");
    assert_eq!(
        out.status.code(),
        Some(1),
        "info reaches the default threshold"
    );
    let out =
        run(warden()
            .current_dir(dir.path())
            .args(base)
            .args(["-t", "warning", "Dockerfile"]));
    assert_eq!(out.status.code(), Some(0), "info is below -t warning");
    let out =
        run(warden()
            .current_dir(dir.path())
            .args(base)
            .args(["--ignore", "DL3059", "Dockerfile"]));
    assert!(json(&out).is_empty());
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn hadolint_yaml_is_discovered_and_warden_yaml_lint_section_applies() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "Dockerfile", BAD);
    write(
        dir.path(),
        ".hadolint.yaml",
        "ignored: [DL3006, DL3003]\ntrustedRegistries: [my.registry]\n",
    );
    let out = run(warden()
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .args(["lint", "--no-shellcheck", "-f", "json", "Dockerfile"]));
    let codes: Vec<String> = json(&out)
        .iter()
        .map(|i| i["code"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        !codes.contains(&"DL3006".to_string()) && !codes.contains(&"DL3003".to_string()),
        "{codes:?}"
    );
    assert!(
        codes.contains(&"DL3026".to_string()),
        "trustedRegistries enables DL3026: {codes:?}"
    );
    write(
        dir.path(),
        "warden.yaml",
        "lint:\n  ignored: [DL3008]\n  override:\n    error: [DL3015]\n",
    );
    let out = run(warden()
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .args(["lint", "--no-shellcheck", "-f", "json", "Dockerfile"]));
    let items = json(&out);
    assert!(!items.iter().any(|i| i["code"] == "DL3008"));
    assert!(items
        .iter()
        .any(|i| i["code"] == "DL3015" && i["level"] == "error"));
    write(dir.path(), "bad.yaml", "ignored: 5\n");
    let out =
        run(warden()
            .current_dir(dir.path())
            .args(["--config", "bad.yaml", "lint", "Dockerfile"]));
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.yaml"));
}

#[test]
fn directories_are_searched_for_dockerfiles() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a/Dockerfile", "FROM alpine:3.19\n");
    write(dir.path(), "b/api.Dockerfile", "FROM alpine:3.19\n");
    write(dir.path(), "c/Containerfile", "FROM alpine:3.19\n");
    write(dir.path(), "c/README.md", "FROM nothing\n");
    write(dir.path(), "node_modules/x/Dockerfile", "FROM skipped\n");
    let out =
        run(warden()
            .current_dir(dir.path())
            .args(["lint", "--no-shellcheck", "-f", "gnu", "."]));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut files: Vec<&str> = text.lines().filter_map(|l| l.split(':').nth(1)).collect();
    files.dedup();
    assert_eq!(
        files,
        ["a/Dockerfile", "b/api.Dockerfile", "c/Containerfile"],
        "{text}"
    );
}

#[test]
fn parse_errors_are_dl1000_with_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "Dockerfile",
        "FROM alpine:3.19\nRUN <<EOF\necho never closed\n",
    );
    let out = run(warden().current_dir(dir.path()).args([
        "lint",
        "-f",
        "json",
        "-t",
        "none",
        "Dockerfile",
    ]));
    assert_eq!(out.status.code(), Some(1), "parse errors always fail");
    let items = json(&out);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["code"], "DL1000");
    assert_eq!(
        (items[0]["line"].as_u64(), items[0]["column"].as_u64()),
        (Some(2), Some(5))
    );
    let out = run(warden()
        .current_dir(dir.path())
        .args(["lint", "missing/Dockerfile"]));
    assert_eq!(out.status.code(), Some(65));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing/Dockerfile"));
}

#[test]
fn sarif_has_rules_and_real_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "Dockerfile",
        "FROM alpine:3.19\n  RUN curl -fsSL https://x.example/i.sh | sh\n",
    );
    let out = run(warden().current_dir(dir.path()).args([
        "lint",
        "--no-shellcheck",
        "-f",
        "sarif",
        "Dockerfile",
    ]));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    assert_eq!(doc["version"], "2.1.0");
    let run0 = &doc["runs"][0];
    let rules = run0["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules array");
    assert!(rules.iter().any(|r| r["id"] == "WD1007"
        && r["help"]["markdown"]
            .as_str()
            .is_some_and(|t| t.contains("What it does"))));
    let res = run0["results"].as_array().expect("results");
    let wd = res
        .iter()
        .find(|r| r["ruleId"] == "WD1007")
        .expect("WD1007 result");
    let region = &wd["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(2), Some(3))
    );
    let idx = wd["ruleIndex"].as_u64().expect("ruleIndex") as usize;
    assert_eq!(rules[idx]["id"], "WD1007");
}

#[test]
fn other_formats_are_well_formed() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "Dockerfile", BAD);
    let out = run(warden().current_dir(dir.path()).args([
        "lint",
        "--no-shellcheck",
        "-f",
        "checkstyle",
        "Dockerfile",
    ]));
    let xml = String::from_utf8_lossy(&out.stdout);
    assert!(
        xml.starts_with("<?xml")
            && xml.contains("<file name=\"Dockerfile\">")
            && xml.contains("source=\"DL3006\""),
        "{xml}"
    );
    let out = run(warden().current_dir(dir.path()).args([
        "lint",
        "--no-shellcheck",
        "-f",
        "gitlab",
        "Dockerfile",
    ]));
    let items = json(&out);
    assert!(items
        .iter()
        .all(|i| i["fingerprint"].as_str().is_some_and(|f| f.len() == 64)));
    let mut fps: Vec<&str> = items
        .iter()
        .filter_map(|i| i["fingerprint"].as_str())
        .collect();
    fps.sort();
    fps.dedup();
    assert_eq!(fps.len(), items.len(), "fingerprints are unique");
    let out = run(warden().current_dir(dir.path()).args([
        "lint",
        "--no-shellcheck",
        "-f",
        "codeclimate",
        "Dockerfile",
    ]));
    assert_eq!(out.status.code(), Some(0), "codeclimate always exits 0");
    let parts: Vec<&[u8]> = out
        .stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .collect();
    assert!(parts.len() > 3);
    for p in parts {
        let v: serde_json::Value = serde_json::from_slice(p).expect("each issue is JSON");
        assert_eq!(v["type"], "issue");
    }
    let out = run(warden()
        .current_dir(dir.path())
        .args(["lint", "--no-shellcheck", "Dockerfile"]));
    let tty = String::from_utf8_lossy(&out.stdout);
    assert!(
        tty.contains("Dockerfile:2 DL3003 warning: Use WORKDIR to switch to a directory"),
        "{tty}"
    );
    assert!(tty.contains("  2 | RUN cd /tmp"), "code frame: {tty}");
}

#[test]
fn stdin_explain_and_usage() {
    let mut child = warden()
        .args(["lint", "--no-shellcheck", "-f", "json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        stdin.write_all(b"FROM alpine:latest\n").expect("stdin");
    }
    let out = child.wait_with_output().expect("wait");
    let items = json(&out);
    assert!(items
        .iter()
        .any(|i| i["code"] == "DL3007" && i["file"] == "-"));
    let out = ok(warden().args(["lint", "--explain", "dl3006"]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("DL3006 (warning):") && text.contains("## Why"),
        "{text}"
    );
    let out = run(warden().args(["lint", "--explain", "XX999"]));
    assert_eq!(out.status.code(), Some(64));
    // Neither a path nor --image: a usage error (the image checks live in lint_image.rs).
    let out = run(warden().args(["lint", "--no-shellcheck"]));
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no Dockerfile or image given"));
}
