//! DL3048: invalid label keys.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3048",
    level: Level::Style,
    message: "Invalid label key.",
    doc: "## What it does\nFlags label keys outside Docker's conventions: lower-case alphanumerics, `.` and `-`, starting and ending with a letter or digit, no doubled separators, and no reserved `com.docker.`, `io.docker.`, `org.dockerproject.` namespaces.\n\n## Why\nTools that read labels expect the convention.\n\n## Example\n```dockerfile\nLABEL org.opencontainers.image.version=1.0\n```",
    family: Family::Hadolint,
    check,
};

/// Whether a label key follows the convention.
pub fn valid_key(k: &str) -> bool {
    let reserved = ["com.docker.", "io.docker.", "org.dockerproject."]
        .iter()
        .any(|r| k.starts_with(r));
    let chars_ok = k
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-');
    let ends_ok = k.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && k.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
    let doubled = k.contains("..") || k.contains("--");
    !reserved && chars_ok && ends_ok && !doubled
}

fn check(cx: &Ctx, out: &mut Out) {
    for (inst, kv) in super::labels::all_labels(cx) {
        if !valid_key(&kv.key) {
            out.at(inst);
        }
    }
}
