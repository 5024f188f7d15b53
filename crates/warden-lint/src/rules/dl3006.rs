//! DL3006: tag the base image.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3006",
    level: Level::Warning,
    message: "Always tag the version of an image explicitly",
    doc: "## What it does\nFlags FROM without a tag or digest (scratch, earlier stages and variables are skipped).\n\n## Why\nAn untagged image means `latest`, which changes under you.\n\n## Example\n```dockerfile\nFROM debian        # bad\nFROM debian:12.5   # good\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    for (si, st) in cx.stages.iter().enumerate() {
        let inst = &cx.df.instructions[st.from];
        let Kind::From(f) = &inst.kind else { continue };
        let img = &f.image.value;
        let lower = img.to_ascii_lowercase();
        let earlier_alias = cx.stages[..si]
            .iter()
            .any(|s| s.alias.as_deref() == Some(lower.as_str()));
        if img == "scratch" || img.starts_with('$') || earlier_alias {
            continue;
        }
        let parts = f.image_parts();
        if parts.tag.is_none() && parts.digest.is_none() {
            out.at(inst);
        }
    }
}
