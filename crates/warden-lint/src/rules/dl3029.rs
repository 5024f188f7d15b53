//! DL3029: no `--platform` on FROM.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3029",
    level: Level::Warning,
    message: "Do not use --platform flag with FROM",
    doc: "## What it does\nFlags `FROM --platform=<constant>`; variables such as `$BUILDPLATFORM` are accepted.\n\n## Why\nA constant platform breaks multi-platform builds.\n\n## Example\n```dockerfile\nFROM --platform=$BUILDPLATFORM golang:1.22 AS build\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    for st in &cx.stages {
        let inst = &cx.df.instructions[st.from];
        if let Some(p) = inst.flag("platform").and_then(|f| f.value.as_deref()) {
            if !p.contains('$') {
                out.at(inst);
            }
        }
    }
}
