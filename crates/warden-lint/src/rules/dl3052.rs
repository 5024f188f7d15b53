//! DL3052: a label typed `url` in the schema must be an absolute URL.
use super::prelude::*;
use crate::config::LabelType;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3052",
    level: Level::Warning,
    message: "Label `<label>` is not a valid URL.",
    doc: "## What it does\nFlags a label declared in `label-schema` with this type whose value is not an absolute URL.\n\n## Why\nTools that read the label parse it.\n\n## Example\n```dockerfile\nLABEL org.opencontainers.image.source=https://github.com/o/r\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    super::labels::typed(
        cx,
        out,
        LabelType::Url,
        "Label `{}` is not a valid URL.",
        super::labels::is_url,
    );
}
