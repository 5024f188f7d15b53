//! DL3059: consecutive RUNs could be one.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3059",
    level: Level::Info,
    message: "Multiple consecutive `RUN` instructions. Consider consolidation.",
    doc: "## What it does\nFlags a RUN right after another RUN with the same flags (comments between do not count) when both are single commands.\n\n## Why\nEach RUN is a layer; merging them keeps images smaller.\n\n## Example\n```dockerfile\nRUN a && b\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    let mut prev: Option<usize> = None;
    for (i, inst) in cx.instructions() {
        let this = cx.runs.iter().position(|r| r.index == i && !r.onbuild);
        if let (Some(p), Some(t)) = (prev, this) {
            let (a, b) = (&cx.runs[p], &cx.runs[t]);
            let count = |r: &crate::context::RunInfo| {
                r.script.as_ref().map(|s| s.top_level_count).unwrap_or(1)
            };
            if a.run.flags.iter().map(|f| (&f.name, &f.value)).eq(b
                .run
                .flags
                .iter()
                .map(|f| (&f.name, &f.value)))
                && count(a) < 2
                && count(b) < 2
                && a.run.heredocs.is_empty()
                && b.run.heredocs.is_empty()
            {
                out.at(inst);
            }
        }
        prev = this;
    }
}
