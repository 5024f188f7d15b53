//! DL3058: a label typed `email` in the schema must be an RFC 5322 e-mail address.
use super::prelude::*;
use crate::config::LabelType;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3058",
    level: Level::Warning,
    message: "Label `<label>` is not a valid email format - must conform to RFC5322.",
    doc: "## What it does\nFlags a label declared in `label-schema` with this type whose value is not an RFC 5322 e-mail address.\n\n## Why\nTools that read the label parse it.\n\n## Example\n```dockerfile\nLABEL maintainer=ops@example.com\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    super::labels::typed(
        cx,
        out,
        LabelType::Email,
        "Label `{}` is not a valid email format - must conform to RFC5322.",
        super::labels::is_email,
    );
}
