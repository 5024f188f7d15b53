//! DL3009: delete the apt lists after installing.
use super::prelude::*;
use crate::context::RunInfo;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3009",
    level: Level::Info,
    message: "Delete the apt lists (/var/lib/apt/lists) after installing something",
    doc: "## What it does\nFlags `apt-get update` without `rm -rf /var/lib/apt/lists/*` in the same RUN, in stages that end up in the image. Cache or tmpfs mounts on the lists are accepted.\n\n## Why\nThe package lists add tens of MB to the layer.\n\n## Example\n```dockerfile\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n```",
    family: Family::Hadolint,
    check,
};

fn forgot(r: &RunInfo) -> bool {
    let update = any_cmd(r, |c| {
        matches!(c.name.as_str(), "apt-get" | "apt" | "aptitude")
            && c.args.iter().any(|a| a.value == "update")
    });
    let cleanup = any_cmd(r, |c| {
        c.name == "rm"
            && c.args
                .iter()
                .any(|a| a.value.starts_with("/var/lib/apt/lists"))
    });
    let mounted = r.has_cache_mount("/var/lib/apt/lists")
        || (r.has_cache_mount("/var/lib/apt") && r.has_cache_mount("/var/cache/apt"));
    update && !cleanup && !mounted
}

fn check(cx: &Ctx, out: &mut Out) {
    for r in &cx.runs {
        let used = r.onbuild || r.stage.is_none_or(|s| stage_reaches_image(cx, s));
        if used && forgot(r) {
            out.at(r.outer);
        }
    }
}

/// The last stage, or a stage another stage is built `FROM`.
fn stage_reaches_image(cx: &Ctx, s: usize) -> bool {
    s + 1 == cx.stages.len() || cx.stages.iter().skip(s + 1).any(|o| o.parent == Some(s))
}
