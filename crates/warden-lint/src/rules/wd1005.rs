//! WD1005: secrets in ENV, ARG or LABEL.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "WD1005",
    level: Level::Error,
    message: "A secret is set in ENV, ARG or LABEL; it is stored in the image config and history",
    doc: "## What it does\nFlags ENV, ARG and LABEL entries whose value looks like a credential (AWS access keys, GitHub/GitLab/Slack/npm/PyPI tokens, private-key blocks, JWTs, URLs with passwords), or whose name is a secret name (see DL3064) and which carry a literal non-empty value.\n\n## Why\nAnything in ENV, ARG or LABEL is readable by everyone who can pull the image (`docker history`, `docker inspect`). Use `RUN --mount=type=secret`.\n\n## Example\n```dockerfile\nRUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci\n```",
    family: Family::Warden,
    check,
};

/// Secret value patterns, each with the literals one of which any match must contain.
///
/// Compiling these regexes costs more than linting a whole median-size Dockerfile (it was the
/// largest item of `warden lint FILE` in a profile), and nearly every value contains none of the
/// literals, so a pattern is compiled only the first time a value contains one of its literals.
/// The literals are implied by the patterns, so the result is the same as trying every regex.
const PATTERNS: &[(&[&str], &str)] = &[
    (&["AKIA", "ASIA"], r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    (&["gh"], r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    (&["github_pat_"], r"\bgithub_pat_[A-Za-z0-9_]{40,}\b"),
    (&["glpat-"], r"\bglpat-[A-Za-z0-9_\-]{20,}\b"),
    (&["xox"], r"\bxox[baprs]-[A-Za-z0-9-]{10,}\b"),
    (&["npm_"], r"\bnpm_[A-Za-z0-9]{36}\b"),
    (&["pypi-"], r"\bpypi-[A-Za-z0-9_\-]{50,}\b"),
    (&["sk_live_"], r"\bsk_live_[A-Za-z0-9]{20,}\b"),
    (&["sk-"], r"\bsk-[A-Za-z0-9]{40,}\b"),
    (&["-----BEGIN "], r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    (
        &["eyJ"],
        r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b",
    ),
    (&["://"], r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@$]+@"),
];

/// Whether a value looks like a credential by its shape. Shared with the image check WD2002 so
/// a Dockerfile and the image built from it agree.
pub(crate) fn secret_value(v: &str) -> bool {
    static RES: [std::sync::OnceLock<Option<regex::Regex>>; PATTERNS.len()] =
        [const { std::sync::OnceLock::new() }; PATTERNS.len()];
    PATTERNS
        .iter()
        .zip(&RES)
        .filter(|((lits, _), _)| lits.iter().any(|l| v.contains(l)))
        .any(|((_, pat), re)| {
            re.get_or_init(|| regex::Regex::new(pat).ok())
                .as_ref()
                .is_some_and(|r| r.is_match(v))
        })
}

/// Whether a variable or label name is a secret name (DL3064's list), minus user names and
/// `*_FILE` variables, which name a secret without holding it. Shared with WD2002.
pub(crate) fn secret_name(k: &str) -> bool {
    super::dl3064::is_secret_name(k)
        && !k.to_ascii_lowercase().contains("username")
        && !k.to_ascii_uppercase().ends_with("_FILE")
}

fn literal(v: &str) -> bool {
    !v.is_empty() && !v.contains('$')
}

fn check(cx: &Ctx, out: &mut Out) {
    for (_, i) in cx.instructions() {
        let pairs: Vec<(String, String)> = match &unwrap_onbuild(i).kind {
            Kind::Env(kvs) | Kind::Label(kvs) => kvs
                .iter()
                .map(|k| (k.key.clone(), k.value.clone()))
                .collect(),
            Kind::Arg(a) => a
                .iter()
                .map(|a| (a.name.clone(), a.default.clone().unwrap_or_default()))
                .collect(),
            _ => continue,
        };
        for (k, v) in pairs {
            let by_name = secret_name(&k) && literal(&v);
            if secret_value(&v) || by_name {
                out.msg(
                    i,
                    format!(
                        "A secret is set in {} `{k}`; it is stored in the image config and history",
                        unwrap_onbuild(i).name()
                    ),
                );
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLES: &[(&str, bool)] = &[
        ("AKIAIOSFODNN7EXAMPLE", true),
        ("ASIAIOSFODNN7EXAMPL", false),
        ("ghp_0123456789abcdefghijABCDEFGHIJ012345", true),
        ("ghp_short", false),
        ("github_pat_0123456789abcdefghijABCDEFGHIJ0123456789", true),
        ("glpat-0123456789abcdefghij", true),
        ("xoxb-0123456789", true),
        ("npm_0123456789abcdefghijABCDEFGHIJ0123", false),
        ("npm_0123456789abcdefghijABCDEFGHIJ01", false),
        ("npm_0123456789abcdefghijABCDEFGHIJ0123456789", false),
        ("npm_abcdefghijabcdefghijabcdefghijabcdef", true),
        (
            "pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMAACKlsz",
            true,
        ),
        ("sk_live_0123456789abcdefghij", true),
        ("sk-0123456789abcdefghij0123456789abcdefghij", true),
        ("-----BEGIN RSA PRIVATE KEY-----", true),
        ("-----BEGIN CERTIFICATE-----", false),
        (
            "eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.SflKxwRJSMeKKF2QT4f",
            true,
        ),
        ("https://user:hunter2@example.com/repo", true),
        ("https://user:$TOKEN@example.com/repo", false),
        ("https://example.com/download.tar.gz", false),
        ("/opt/java/openjdk", false),
        ("en_US.UTF-8", false),
        ("", false),
    ];

    #[test]
    fn literal_gate_gives_the_same_answer_as_every_regex() {
        let all: Vec<regex::Regex> = PATTERNS
            .iter()
            .map(|(_, p)| regex::Regex::new(p).expect("pattern compiles"))
            .collect();
        for (v, want) in SAMPLES {
            let ungated = all.iter().any(|r| r.is_match(v));
            assert_eq!(ungated, *want, "sample expectation for {v:?}");
            assert_eq!(secret_value(v), ungated, "gated result for {v:?}");
        }
    }

    #[test]
    fn every_match_contains_one_of_its_literals() {
        for (lits, pat) in PATTERNS {
            let re = regex::Regex::new(pat).expect("pattern compiles");
            for (v, _) in SAMPLES {
                if let Some(m) = re.find(v) {
                    assert!(
                        lits.iter().any(|l| m.as_str().contains(l)),
                        "{pat} matched {:?} without a literal",
                        m.as_str()
                    );
                }
            }
        }
    }
}
