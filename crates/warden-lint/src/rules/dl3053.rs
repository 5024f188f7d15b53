//! DL3053: a label typed `rfc3339` in the schema must be an RFC 3339 timestamp.
use super::prelude::*;
use crate::config::LabelType;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3053",
    level: Level::Warning,
    message: "Label `<label>` is not a valid time format - must conform to RFC3339.",
    doc: "## What it does\nFlags a label declared in `label-schema` with this type whose value is not an RFC 3339 timestamp.\n\n## Why\nTools that read the label parse it.\n\n## Example\n```dockerfile\nLABEL org.opencontainers.image.created=2024-03-01T12:00:00Z\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    super::labels::typed(
        cx,
        out,
        LabelType::Rfc3339,
        "Label `{}` is not a valid time format - must conform to RFC3339.",
        super::labels::is_rfc3339,
    );
}
