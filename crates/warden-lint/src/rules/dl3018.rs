//! DL3018: pin versions in `apk add`.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3018",
    level: Level::Warning,
    message: "Pin versions in apk add. Instead of `apk add <package>` use `apk add <package>=<version>`",
    doc: "## What it does\nFlags `apk add` of packages without `=version` (`.apk` files accepted).\n\n## Why\nUnpinned packages make builds change silently.\n\n## Example\n```dockerfile\nRUN apk add --no-cache curl=8.5.0-r0\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        any_cmd(r, |c| {
            if !cmd_has_args(c, "apk", &["add"]) {
                return false;
            }
            let c = c.drop_flag_arg(&[
                "t",
                "virtual",
                "repository",
                "X",
                "p",
                "root",
                "keys-dir",
                "repositories-file",
            ]);
            packages(&c, &["add"])
                .into_iter()
                .any(|p| !(p.contains(['=', '~', '<', '>']) || p.ends_with(".apk")))
        })
    });
}
