//! WD1004: the final base image is not minimal.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "WD1004",
    level: Level::Info,
    message: "The final stage is not based on a minimal image (distroless, scratch, alpine, wolfi/chainguard, *-slim)",
    doc: "## What it does\nFlags a final stage whose base image (following stage names back to an external image) is not on the minimal allow-list. The list is configurable with `minimal-images:` (globs with `*`).\n\n## Why\nFull distributions ship shells, package managers and hundreds of packages that a service never uses but a scanner must report and an attacker can use.\n\n## Example\n```dockerfile\nFROM gcr.io/distroless/static-debian12:nonroot\n```",
    family: Family::Warden,
    check,
};

/// Glob match with `*` only.
pub fn glob(pat: &str, s: &str) -> bool {
    let parts: Vec<&str> = pat.split('*').collect();
    if parts.len() == 1 {
        return pat == s;
    }
    let mut rest = s;
    for (i, p) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(p) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(p);
        } else {
            let Some(pos) = rest.find(p) else {
                return false;
            };
            rest = &rest[pos + p.len()..];
        }
    }
    true
}

fn check(cx: &Ctx, out: &mut Out) {
    let Some(mut s) = cx.stages.len().checked_sub(1) else {
        return;
    };
    let mut hops = 0;
    while let Some(p) = cx.stages[s].parent {
        s = p;
        hops += 1;
        if hops > cx.stages.len() {
            return;
        }
    }
    let image = &cx.stages[s].image;
    if image.contains('$') {
        return;
    }
    let no_digest = image.split('@').next().unwrap_or(image);
    if !cx.config.minimal_images.iter().any(|p| glob(p, no_digest)) {
        let last = cx.stages.len() - 1;
        out.at(&cx.df.instructions[cx.stages[last].from]);
    }
}
