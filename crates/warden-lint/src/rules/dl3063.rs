//! DL3063: reserved stage names.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3063",
    level: Level::Warning,
    message: "stage name should not be a reserved word",
    doc: "## What it does\nFlags stages named `scratch` or `context`.\n\n## Why\nThose names mean something else to BuildKit.\n\n## Example\n```dockerfile\nFROM debian:12 AS build\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    for st in &cx.stages {
        if matches!(st.alias.as_deref(), Some("scratch") | Some("context")) {
            out.at(&cx.df.instructions[st.from]);
        }
    }
}
