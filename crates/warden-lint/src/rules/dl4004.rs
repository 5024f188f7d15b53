//! DL4004: one ENTRYPOINT per stage.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL4004",
    level: Level::Error,
    message: "Multiple `ENTRYPOINT` instructions found. If you list more than one `ENTRYPOINT` then only the last `ENTRYPOINT` will take effect",
    doc: "## What it does\nFlags the second and later ENTRYPOINT of a stage.\n\n## Why\nOnly the last one takes effect.\n\n## Example\n```dockerfile\nENTRYPOINT [\"/entrypoint.sh\"]\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    let mut seen = std::collections::BTreeSet::new();
    for (i, inst) in cx.instructions() {
        if let Kind::Entrypoint(_) = inst.kind {
            if !seen.insert(cx.stage_of[i]) {
                out.at(inst);
            }
        }
    }
}
