//! WD1003: base image not pinned by digest.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "WD1003",
    level: Level::Info,
    message: "Pin the base image by digest (`image:tag@sha256:…`) so the build cannot change under you",
    doc: "## What it does\nFlags FROM of an external image without `@sha256:` (scratch, earlier stages and variables are skipped).\n\n## Why\nTags are mutable: a compromised or re-pushed tag changes your image without a diff. A digest pins the exact bytes; tools such as Renovate keep it fresh.\n\n## Example\n```dockerfile\nFROM alpine:3.19@sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b\n```",
    family: Family::Warden,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    for (si, st) in cx.stages.iter().enumerate() {
        let lower = st.image.to_ascii_lowercase();
        if st.image == "scratch"
            || st.image.starts_with('$')
            || cx.stages[..si]
                .iter()
                .any(|s| s.alias.as_deref() == Some(lower.as_str()))
        {
            continue;
        }
        let inst = &cx.df.instructions[st.from];
        let Kind::From(f) = &inst.kind else { continue };
        if f.image_parts().digest.is_none() {
            out.at(inst);
        }
    }
}
