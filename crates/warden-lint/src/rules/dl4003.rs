//! DL4003: one CMD per stage.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL4003",
    level: Level::Warning,
    message: "Multiple `CMD` instructions found. If you list more than one `CMD` then only the last `CMD` will take effect",
    doc: "## What it does\nFlags the second and later CMD of a stage.\n\n## Why\nOnly the last one takes effect.\n\n## Example\n```dockerfile\nCMD [\"app\"]\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    let mut seen = std::collections::BTreeSet::new();
    for (i, inst) in cx.instructions() {
        if let Kind::Cmd(_) = inst.kind {
            if !seen.insert(cx.stage_of[i]) {
                out.at(inst);
            }
        }
    }
}
