//! DL3057: HEALTHCHECK missing (off by default).
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3057",
    level: Level::Ignore,
    message: "`HEALTHCHECK` instruction missing.",
    doc: "## What it does\nFlags stages without a HEALTHCHECK of their own, inherited, or set by a stage built on them. Off by default (level ignore).\n\n## Why\nOrchestrators use it to restart stuck containers.\n\n## Example\n```dockerfile\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    let sets = super::dl3049::stage_sets(cx, |i| {
        if matches!(i.kind, Kind::Healthcheck(_)) {
            vec![()]
        } else {
            Vec::new()
        }
    });
    for (s, st) in cx.stages.iter().enumerate() {
        if !super::dl3049::in_family(cx, s, &|x| !sets[x].is_empty()) {
            out.at(&cx.df.instructions[st.from]);
        }
    }
}
