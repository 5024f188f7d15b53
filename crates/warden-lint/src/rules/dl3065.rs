//! DL3065: `--platform=$TARGETPLATFORM` is redundant.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3065",
    level: Level::Warning,
    message: "Setting `FROM --platform` to predefined `$TARGETPLATFORM` in is redundant as this is the default behavior",
    doc: "## What it does\nFlags `FROM --platform=$TARGETPLATFORM`.\n\n## Why\nThat is already the default.\n\n## Example\n```dockerfile\nFROM alpine:3.19\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    for st in &cx.stages {
        let inst = &cx.df.instructions[st.from];
        if let Some(p) = inst.flag("platform").and_then(|f| f.value.as_deref()) {
            if p == "$TARGETPLATFORM" || p == "${TARGETPLATFORM}" {
                out.at(inst);
            }
        }
    }
}
