//! The command-line surface shared by every stage: help with examples, completions, config
//! errors and exit codes.

mod common;

use common::*;

#[test]
fn help_lists_examples_and_exit_codes() {
    let out = ok(warden().arg("--help"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Examples:"), "{text}");
    assert!(text.contains("Exit codes:"), "{text}");
    for sub in ["lint", "sbom", "db", "watch", "rules", "completions"] {
        assert!(text.contains(sub), "--help lists {sub}: {text}");
    }
}

#[test]
fn every_subcommand_help_has_examples() {
    for sub in ["lint", "sbom", "db", "watch", "rules", "completions"] {
        let out = ok(warden().args([sub, "--help"]));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Examples:") || text.contains("EXAMPLES"),
            "`warden {sub} --help` shows examples:\n{text}"
        );
    }
}

#[test]
fn completions_are_generated_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = ok(warden().args(["completions", shell]));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("warden"),
            "{shell} completions mention warden"
        );
        assert!(
            text.contains("sbom"),
            "{shell} completions know the sbom subcommand"
        );
    }
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let out = run(warden().args(["sbom", "--no-such-flag", "x"]));
    assert_eq!(
        out.status.code(),
        Some(64),
        "usage errors exit 64, never 2 (Grype's --fail-on)"
    );
}

#[test]
fn malformed_config_names_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cfg = dir.path().join("warden.yaml");
    std::fs::write(&cfg, "sbom: [unclosed\n").expect("write");
    let out = run(warden()
        .arg("--config")
        .arg(&cfg)
        .args(["sbom", "dir:/nonexistent"]));
    assert_eq!(out.status.code(), Some(64));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("warden.yaml"), "{err}");
}

#[test]
fn unknown_config_key_is_rejected_with_its_section() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cfg = dir.path().join("warden.yaml");
    std::fs::write(&cfg, "sbom:\n  formatt: spdx\n").expect("write");
    let out = run(warden()
        .arg("--config")
        .arg(&cfg)
        .args(["sbom", "dir:/nonexistent"]));
    assert_eq!(out.status.code(), Some(64));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sbom") && err.contains("formatt"), "{err}");
}
