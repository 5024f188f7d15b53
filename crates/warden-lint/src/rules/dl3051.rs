//! DL3051: a schema label is empty.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3051",
    level: Level::Warning,
    message: "label `<label>` is empty.",
    doc: "## What it does\nFlags a label from `label-schema` set to an empty value.\n\n## Why\nAn empty required label is as good as a missing one.\n\n## Example\n```dockerfile\nLABEL org.opencontainers.image.version=\"\"\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    for (inst, kv) in super::labels::all_labels(cx) {
        if cx.config.label_schema.contains_key(&kv.key) && kv.value.trim().is_empty() {
            out.msg(inst, format!("label `{}` is empty.", kv.key));
        }
    }
}
