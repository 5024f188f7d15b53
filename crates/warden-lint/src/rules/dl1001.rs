//! DL1001: inline ignore pragmas (off unless re-levelled).
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL1001",
    level: Level::Ignore,
    message: "Please refrain from using inline ignore pragmas  `# hadolint ignore=DLxxxx`.",
    doc: "## What it does\nFlags `# hadolint ignore=` comments.\n\n## Why\nTeams that want every exception in one config file can forbid inline ones. Off by default; enable with `override: {warning: [DL1001]}`.\n\n## Example\n```dockerfile\n# hadolint ignore=DL3003\nRUN cd /tmp && make\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    for c in &cx.df.comments {
        if let Some(p) = crate::pragma::parse(&c.text) {
            if matches!(p, crate::pragma::Pragma::Ignore { .. }) {
                out.span(c.span, None);
            }
        }
    }
}
