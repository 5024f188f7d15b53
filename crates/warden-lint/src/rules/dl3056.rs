//! DL3056: a label typed `semver` in the schema must be a semantic version.
use super::prelude::*;
use crate::config::LabelType;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3056",
    level: Level::Warning,
    message: "Label `<label>` does not conform to semantic versioning.",
    doc: "## What it does\nFlags a label declared in `label-schema` with this type whose value is not a semantic version.\n\n## Why\nTools that read the label parse it.\n\n## Example\n```dockerfile\nLABEL org.opencontainers.image.version=1.2.3\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    super::labels::typed(
        cx,
        out,
        LabelType::Semver,
        "Label `{}` does not conform to semantic versioning.",
        super::labels::is_semver,
    );
}
