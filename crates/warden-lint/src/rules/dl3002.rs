//! DL3002: the last USER should not be root.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3002",
    level: Level::Warning,
    message: "Last USER should not be root",
    doc: "## What it does\nFlags a stage whose last USER is `root` or `0`.\n\n## Why\nA container running as root turns any escape into host root.\n\n## Example\n```dockerfile\nUSER root\nRUN apt-get install -y x\nUSER app    # switch back\n```",
    family: Family::Hadolint,
    check,
};

/// `root`, `0`, `root:x`, `0:x`.
pub fn is_root(u: &str) -> bool {
    let user = u.split(':').next().unwrap_or(u);
    user == "root" || user == "0"
}

fn check(cx: &Ctx, out: &mut Out) {
    let mut last: Vec<Option<&Instruction>> = vec![None; cx.stages.len()];
    for (i, inst) in cx.instructions() {
        if let (Kind::User(u), Some(s)) = (&inst.kind, cx.stage_of[i]) {
            last[s] = if is_root(&u.value) { Some(inst) } else { None };
        }
    }
    for inst in last.into_iter().flatten() {
        out.at(inst);
    }
}
