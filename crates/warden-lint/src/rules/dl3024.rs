//! DL3024: stage names must be unique.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3024",
    level: Level::Error,
    message: "FROM aliases (stage names) must be unique",
    doc: "## What it does\nFlags a FROM whose `AS` name an earlier stage already uses.\n\n## Why\nBuildKit rejects duplicate stage names.\n\n## Example\n```dockerfile\nFROM a:1 AS build\nFROM b:1 AS build\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    for (si, st) in cx.stages.iter().enumerate() {
        if let Some(a) = &st.alias {
            if cx.stages[..si].iter().any(|s| s.alias.as_ref() == Some(a)) {
                out.at(&cx.df.instructions[st.from]);
            }
        }
    }
}
