//! DL3007: do not use `:latest`.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3007",
    level: Level::Warning,
    message: "Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag",
    doc: "## What it does\nFlags `FROM image:latest` (a digest next to it is fine).\n\n## Why\n`latest` moves; builds stop being reproducible.\n\n## Example\n```dockerfile\nFROM node:latest   # bad\nFROM node:20.11    # good\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    for st in &cx.stages {
        let inst = &cx.df.instructions[st.from];
        let Kind::From(f) = &inst.kind else { continue };
        let p = f.image_parts();
        if p.tag.as_deref() == Some("latest") && p.digest.is_none() {
            out.at(inst);
        }
    }
}
