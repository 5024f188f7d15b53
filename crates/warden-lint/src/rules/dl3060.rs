//! DL3060: `yarn cache clean` after `yarn install`.
use super::prelude::*;
use crate::context::RunInfo;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3060",
    level: Level::Info,
    message: "`yarn cache clean` missing after `yarn install` was run.",
    doc: "## What it does\nFlags `yarn install` not followed by `yarn cache clean` in the same RUN, in stages that end up in an image (a cache mount on the yarn cache is accepted).\n\n## Why\nThe yarn cache stays in the layer.\n\n## Example\n```dockerfile\nRUN yarn install --frozen-lockfile && yarn cache clean\n```",
    family: Family::Hadolint,
    check,
};

fn forgot(r: &RunInfo) -> bool {
    if [
        "/root/.cache/yarn",
        "/usr/local/share/.cache/yarn",
        "/root/.yarn",
    ]
    .iter()
    .any(|p| r.has_cache_mount(p))
    {
        return false;
    }
    let cmds: Vec<_> = r.commands().collect();
    let last_install = cmds
        .iter()
        .rposition(|c| c.name == "yarn" && c.args.first().is_some_and(|a| a.value == "install"));
    let Some(li) = last_install else { return false };
    !cmds[li..]
        .iter()
        .any(|c| cmd_has_args(c, "yarn", &["cache", "clean"]))
}

fn check(cx: &Ctx, out: &mut Out) {
    for r in &cx.runs {
        let used = r.onbuild
            || r.stage.is_none_or(|s| {
                s + 1 == cx.stages.len() || cx.stages.iter().any(|o| o.parent == Some(s))
            });
        if used && forgot(r) {
            out.at(r.outer);
        }
    }
}
