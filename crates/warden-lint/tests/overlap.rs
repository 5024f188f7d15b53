//! Trivy and Checkov overlap conformance: the good/bad Dockerfiles of every Trivy `DS-*` and
//! Checkov `CKV*_DOCKER_*` check that has a counterpart among warden's rules (hadolint's DL rules
//! and warden's WD rules) are linted, and the check's verdict (`fires`/`silent`) is compared with
//! whether the counterpart rules fire.
//!
//! `tests/fixtures/{trivy,checkov}-cases-subset.jsonl` (every case of a mapped check, copied from
//! `shared/conformance`) always run. The full files are read from `../shared/conformance` (or
//! `$WARDEN_SHARED/conformance`) when present; the run prints a SKIP line when they are absent.
//! Both must agree on every case except those listed in [`EXCEPTIONS`], and every listed
//! exception must still disagree, so the list cannot go stale.

use std::collections::BTreeMap;
use std::path::PathBuf;

use warden_lint::{lint, Config};

/// A Trivy or Checkov check and the warden rules that report the same problem: the check's
/// `fires` is compared with "at least one of `codes` fires".
struct Mapping {
    check: &'static str,
    codes: &'static [&'static str],
}

const MAPPED: &[Mapping] = &[
    // Trivy (trivy-checks, checks/docker/*.yaml)
    m("DS-0001", &["DL3007", "DL3006"]), // ':latest' tag (an untagged FROM means latest)
    m("DS-0002", &["WD1001"]),           // image user should not be root (no USER counts)
    m("DS-0004", &["WD1009"]),           // port 22 exposed
    m("DS-0005", &["DL3020"]),           // ADD instead of COPY for local non-archives
    m("DS-0006", &["DL3023"]),           // COPY --from its own stage
    m("DS-0007", &["DL4004"]),           // multiple ENTRYPOINT
    m("DS-0008", &["DL3011"]),           // exposed port out of range
    m("DS-0009", &["DL3000"]),           // WORKDIR not absolute
    m("DS-0010", &["DL3004"]),           // sudo
    m("DS-0011", &["DL3021"]),           // COPY to several sources, dest without /
    m("DS-0012", &["DL3024"]),           // duplicate stage alias
    m("DS-0013", &["DL3003"]),           // RUN cd
    m("DS-0014", &["DL4001"]),           // both wget and curl
    m("DS-0015", &["DL3032"]),           // yum clean all missing
    m("DS-0016", &["DL4003"]),           // multiple CMD
    m("DS-0019", &["DL3040"]),           // dnf clean all missing
    m("DS-0020", &["DL3036"]),           // zypper clean missing
    m("DS-0021", &["DL3014"]),           // apt-get without -y
    m("DS-0022", &["DL4000"]),           // MAINTAINER
    m("DS-0023", &["DL3012"]),           // multiple HEALTHCHECK
    // Checkov (checkov/dockerfile/checks/*.py)
    m("CKV_DOCKER_1", &["WD1009"]),           // port 22 exposed
    m("CKV_DOCKER_2", &["WD1010"]),           // HEALTHCHECK missing
    m("CKV_DOCKER_3", &["WD1001"]),           // no USER (warden also fires on a last USER root)
    m("CKV_DOCKER_4", &["DL3020", "WD1006"]), // ADD (warden: local non-archive, or URL without --checksum)
    m("CKV_DOCKER_6", &["DL4000"]),           // MAINTAINER
    m("CKV_DOCKER_7", &["DL3007", "DL3006"]), // latest or no tag
    m("CKV_DOCKER_8", &["DL3002"]),           // last USER is root
    m("CKV_DOCKER_9", &["DL3027"]),           // apt instead of apt-get
    m("CKV_DOCKER_10", &["DL3000"]),          // WORKDIR not absolute
    m("CKV_DOCKER_11", &["DL3024"]),          // duplicate stage alias
    m("CKV2_DOCKER_1", &["DL3004"]),          // sudo
];

const fn m(check: &'static str, codes: &'static [&'static str]) -> Mapping {
    Mapping { check, codes }
}

/// Checks in the case files with no warden counterpart, and why; they are not run.
const UNMAPPED: &[(&str, &str)] = &[
    ("DS-0017", "`RUN apt-get update` alone: no hadolint or warden rule"),
    ("DS-0024", "`apt-get dist-upgrade`: hadolint dropped DL3005 (upgrading in the image is Docker's current advice)"),
    ("CKV_DOCKER_5", "`update` alone in a RUN: no hadolint or warden rule"),
    ("CKV2_DOCKER_2", "curl -k: no TLS-verification rule"),
    ("CKV2_DOCKER_3", "wget --no-check-certificate: no TLS-verification rule"),
    ("CKV2_DOCKER_4", "pip --trusted-host: no TLS-verification rule"),
    ("CKV2_DOCKER_5", "PYTHONHTTPSVERIFY=0: no TLS-verification rule"),
    ("CKV2_DOCKER_6", "NODE_TLS_REJECT_UNAUTHORIZED=0: no TLS-verification rule"),
    ("CKV2_DOCKER_7", "apk --allow-untrusted: no package-signature rule"),
    ("CKV2_DOCKER_8", "apt-get --allow-unauthenticated: no package-signature rule"),
    ("CKV2_DOCKER_9", "yum/dnf --nogpgcheck: no package-signature rule"),
    ("CKV2_DOCKER_10", "rpm --nosignature: no package-signature rule"),
    ("CKV2_DOCKER_11", "apt-get --force-yes: no package-signature rule"),
    ("CKV2_DOCKER_12", "NPM_CONFIG_STRICT_SSL=false: no TLS-verification rule"),
    ("CKV2_DOCKER_13", "npm config set strict-ssl false: no TLS-verification rule"),
    ("CKV2_DOCKER_14", "GIT_SSL_NO_VERIFY: no TLS-verification rule"),
    ("CKV2_DOCKER_15", "yum sslverify=false: no TLS-verification rule"),
    ("CKV2_DOCKER_16", "PIP_TRUSTED_HOST: no TLS-verification rule"),
    ("CKV2_DOCKER_17", "chpasswd in RUN: no password rule"),
];

/// Cases where warden deliberately disagrees: (check, case name, why).
const EXCEPTIONS: &[(&str, &str, &str)] = &[];

#[derive(serde::Deserialize)]
struct Case {
    rule: String,
    dockerfile: String,
    expect: String,
    #[serde(default)]
    name: String,
}

#[derive(Default)]
struct Tally {
    agree: usize,
    total: usize,
    excepted: usize,
}

/// Runs one case file; returns per-check tallies and the unexpected outcomes.
fn run(text: &str, origin: &str) -> (BTreeMap<String, Tally>, Vec<String>) {
    let cfg = Config {
        shellcheck: false,
        ..Config::default()
    };
    let mut per_check: BTreeMap<String, Tally> = BTreeMap::new();
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: Case =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{origin} line {}: {e}", n + 1));
        let Some(map) = MAPPED.iter().find(|m| m.check == case.rule) else {
            assert!(
                UNMAPPED.iter().any(|(c, _)| *c == case.rule),
                "{origin} line {}: check {} is neither mapped nor listed as unmapped",
                n + 1,
                case.rule
            );
            continue;
        };
        let found = lint(case.dockerfile.as_bytes(), &cfg, None);
        let hits: Vec<String> = found
            .iter()
            .filter(|f| map.codes.contains(&f.code.as_str()))
            .map(|f| format!("{}@{}", f.code, f.span.start.line))
            .collect();
        let want = match case.expect.as_str() {
            "fires" => true,
            "silent" => false,
            other => panic!("{origin} line {}: unknown expect {other:?}", n + 1),
        };
        let fired = !hits.is_empty();
        let agrees = want == fired;
        let excepted = EXCEPTIONS
            .iter()
            .any(|(c, name, _)| *c == case.rule && *name == case.name);
        let t = per_check.entry(case.rule.clone()).or_default();
        t.total += 1;
        if agrees {
            t.agree += 1;
        }
        match (agrees, excepted) {
            (true, false) => {}
            (false, true) => t.excepted += 1,
            (false, false) => problems.push(format!(
                "{origin} line {}: {} {} expects {}, warden's {:?} gave [{}]; all findings: [{}]\n{}",
                n + 1,
                case.rule,
                case.name,
                case.expect,
                map.codes,
                hits.join(" "),
                found
                    .iter()
                    .map(|f| format!("{}@{}", f.code, f.span.start.line))
                    .collect::<Vec<_>>()
                    .join(" "),
                case.dockerfile
            )),
            (true, true) => problems.push(format!(
                "{origin} line {}: {} {} is listed in EXCEPTIONS but now agrees: remove it",
                n + 1,
                case.rule,
                case.name
            )),
        }
    }
    (per_check, problems)
}

/// The per-check table, as one string so that tests running in parallel do not interleave it.
fn report(title: &str, per_check: &BTreeMap<String, Tally>) -> String {
    let mut out = format!("{title}\ncheck\twarden rules\tagree\ttotal\texplained exceptions\n");
    let (mut a, mut t) = (0, 0);
    for (check, tally) in per_check {
        let codes = MAPPED
            .iter()
            .find(|m| m.check == check)
            .map(|m| m.codes.join("+"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{check}\t{codes}\t{}\t{}\t{}\n",
            tally.agree, tally.total, tally.excepted
        ));
        a += tally.agree;
        t += tally.total;
    }
    out.push_str(&format!("TOTAL\t\t{a}\t{t}"));
    out
}

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn shared(name: &str) -> Option<(PathBuf, String)> {
    let base = std::env::var_os("WARDEN_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let path = base.join("conformance").join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some((path, text)),
        Err(_) => {
            println!("SKIP {name}: {} is absent", path.display());
            None
        }
    }
}

fn check_subset(name: &str, min_cases: usize) {
    let (per_check, problems) = run(&fixture(name), name);
    println!("{}", report(name, &per_check));
    let total: usize = per_check.values().map(|t| t.total).sum();
    assert!(total >= min_cases, "{name}: only {total} cases");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn trivy_subset_agrees() {
    check_subset("trivy-cases-subset.jsonl", 40);
}

#[test]
fn checkov_subset_agrees() {
    check_subset("checkov-cases-subset.jsonl", 30);
}

#[test]
fn full_trivy_and_checkov_cases() {
    for name in ["trivy-cases.jsonl", "checkov-cases.jsonl"] {
        let Some((path, text)) = shared(name) else {
            continue;
        };
        let (per_check, problems) = run(&text, name);
        println!("{}", report(&path.display().to_string(), &per_check));
        assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    }
}

#[test]
fn every_mapped_rule_exists() {
    for m in MAPPED {
        for code in m.codes {
            assert!(
                warden_lint::rules::find(code).is_some(),
                "{}: unknown warden rule {code}",
                m.check
            );
        }
        assert!(
            !UNMAPPED.iter().any(|(c, _)| *c == m.check),
            "{} is both mapped and unmapped",
            m.check
        );
    }
}
