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

const PATTERNS: &[&str] = &[
    r"\b(AKIA|ASIA)[0-9A-Z]{16}\b",
    r"\bgh[pousr]_[A-Za-z0-9]{36,}\b",
    r"\bgithub_pat_[A-Za-z0-9_]{40,}\b",
    r"\bglpat-[A-Za-z0-9_\-]{20,}\b",
    r"\bxox[baprs]-[A-Za-z0-9-]{10,}\b",
    r"\bnpm_[A-Za-z0-9]{36}\b",
    r"\bpypi-[A-Za-z0-9_\-]{50,}\b",
    r"\bsk_live_[A-Za-z0-9]{20,}\b",
    r"\bsk-[A-Za-z0-9]{40,}\b",
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
    r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b",
    r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@$]+@",
];

fn secret_value(v: &str) -> bool {
    static RES: std::sync::OnceLock<Vec<regex::Regex>> = std::sync::OnceLock::new();
    RES.get_or_init(|| {
        PATTERNS
            .iter()
            .filter_map(|p| regex::Regex::new(p).ok())
            .collect()
    })
    .iter()
    .any(|r| r.is_match(v))
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
            let by_name = super::dl3064::is_secret_name(&k)
                && literal(&v)
                && !k.to_ascii_lowercase().contains("username")
                && !k.to_ascii_uppercase().ends_with("_FILE");
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
