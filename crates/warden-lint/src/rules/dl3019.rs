//! DL3019: `apk add --no-cache`.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3019",
    level: Level::Info,
    message: "Use the `--no-cache` switch to avoid the need to use `--update` and remove `/var/cache/apk/*` when done installing packages",
    doc: "## What it does\nFlags `apk add` without `--no-cache` (a cache mount on /var/cache/apk is accepted).\n\n## Why\nThe index cache stays in the layer otherwise.\n\n## Example\n```dockerfile\nRUN apk add --no-cache curl=8.5.0-r0\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        !r.has_cache_mount("/var/cache/apk")
            && any_cmd(r, |c| {
                cmd_has_args(c, "apk", &["add"]) && !c.has_flag("no-cache")
            })
    });
}
