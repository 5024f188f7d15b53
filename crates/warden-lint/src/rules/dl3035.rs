//! DL3035: no `zypper dist-upgrade`.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3035",
    level: Level::Warning,
    message: "Do not use `zypper dist-upgrade`.",
    doc: "## What it does\nFlags `zypper dist-upgrade` / `zypper dup`.\n\n## Why\nUpgrading the distribution belongs in the base image.\n\n## Example\n```dockerfile\nRUN zypper dup -y\n```",
    family: Family::Hadolint,
    check,
};

fn check(cx: &Ctx, out: &mut Out) {
    each_run(cx, out, |r| {
        any_cmd(r, |c| {
            c.name == "zypper"
                && c.args_no_flags()
                    .iter()
                    .any(|a| *a == "dist-upgrade" || *a == "dup")
        })
    });
}
