//! DL3054: a label typed `spdx` in the schema must be an SPDX license identifier.
use super::prelude::*;
use crate::config::LabelType;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3054",
    level: Level::Warning,
    message: "Label `<label>` is not a valid SPDX identifier.",
    doc: "## What it does\nFlags a label declared in `label-schema` with this type whose value is not an SPDX license identifier.\n\n## Why\nTools that read the label parse it.\n\n## Example\n```dockerfile\nLABEL org.opencontainers.image.licenses=Apache-2.0\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    super::labels::typed(
        cx,
        out,
        LabelType::Spdx,
        "Label `{}` is not a valid SPDX identifier.",
        super::labels::is_spdx,
    );
}
