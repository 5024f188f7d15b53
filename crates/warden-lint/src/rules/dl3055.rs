//! DL3055: a label typed `hash` in the schema must be a git commit hash.
use super::prelude::*;
use crate::config::LabelType;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3055",
    level: Level::Warning,
    message: "Label `<label>` is not a valid git hash.",
    doc: "## What it does\nFlags a label declared in `label-schema` with this type whose value is not a git commit hash.\n\n## Why\nTools that read the label parse it.\n\n## Example\n```dockerfile\nLABEL org.opencontainers.image.revision=0123456789abcdef0123456789abcdef01234567\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    super::labels::typed(
        cx,
        out,
        LabelType::Hash,
        "Label `{}` is not a valid git hash.",
        super::labels::is_git_hash,
    );
}
