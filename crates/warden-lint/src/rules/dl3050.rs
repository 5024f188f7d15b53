//! DL3050: labels outside the schema.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3050",
    level: Level::Info,
    message: "Superfluous label(s) present.",
    doc: "## What it does\nWith `strict-labels: true`, flags LABEL instructions that set labels not in `label-schema`.\n\n## Why\nKeeps image metadata to an agreed set.\n\n## Example\n```yaml\nstrict-labels: true\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    if !cx.config.strict_labels {
        return;
    }
    for (_, i) in cx.instructions() {
        if let Kind::Label(kvs) = &unwrap_onbuild(i).kind {
            if kvs
                .iter()
                .any(|kv| !cx.config.label_schema.contains_key(&kv.key))
            {
                out.at(i);
            }
        }
    }
}
