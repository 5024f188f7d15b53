//! DL3022: `COPY --from` must name an earlier stage.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3022",
    level: Level::Warning,
    message: "`COPY --from` should reference a previously defined `FROM` alias",
    doc: "## What it does\nFlags `COPY --from=x` where x is not an earlier stage name, index or an image reference.\n\n## Why\nA typo silently pulls an image named x from a registry.\n\n## Example\n```dockerfile\nFROM golang:1.22 AS build\nFROM alpine:3.19\nCOPY --from=build /app /app\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    for (i, inst) in cx.instructions() {
        let Kind::Copy(_) = inst.kind else { continue };
        let Some(from) = inst.flag("from").and_then(|f| f.value.as_deref()) else {
            continue;
        };
        let n = cx.stage_of[i].map(|s| s + 1).unwrap_or(0);
        let lower = from.to_ascii_lowercase();
        let ok = from.contains(':')
            || cx.stages[..n.saturating_sub(1)]
                .iter()
                .any(|s| s.alias.as_deref() == Some(lower.as_str()))
            || from.parse::<usize>().is_ok_and(|k| k < n);
        if !ok {
            out.at(inst);
        }
    }
}
