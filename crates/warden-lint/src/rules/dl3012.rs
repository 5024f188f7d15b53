//! DL3012: one HEALTHCHECK per stage.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3012",
    level: Level::Error,
    message: "Multiple `HEALTHCHECK` instructions",
    doc: "## What it does\nFlags the second and later HEALTHCHECK of a stage.\n\n## Why\nOnly the last one takes effect; the others mislead.\n\n## Example\n```dockerfile\nHEALTHCHECK CMD a\nHEALTHCHECK CMD b\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    let mut seen = std::collections::BTreeSet::new();
    for (i, inst) in cx.instructions() {
        if let Kind::Healthcheck(_) = inst.kind {
            if !seen.insert(cx.stage_of[i]) {
                out.at(inst);
            }
        }
    }
}
