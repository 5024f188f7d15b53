//! DL3023: `COPY --from` cannot name its own stage.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3023",
    level: Level::Error,
    message: "`COPY --from` cannot reference its own `FROM` alias",
    doc: "## What it does\nFlags `COPY --from=x` inside stage x.\n\n## Why\nA stage cannot copy from itself; the build fails.\n\n## Example\n```dockerfile\nFROM debian:12 AS x\nCOPY --from=x /a /b\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    for (i, inst) in cx.instructions() {
        let Kind::Copy(_) = inst.kind else { continue };
        let Some(from) = inst.flag("from").and_then(|f| f.value.as_deref()) else {
            continue;
        };
        let Some(s) = cx.stage_of[i] else { continue };
        if cx.stages[s].alias.as_deref() == Some(from.to_ascii_lowercase().as_str()) {
            out.at(inst);
        }
    }
}
